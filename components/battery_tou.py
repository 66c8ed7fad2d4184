"""The TOU rule as a controller runs it: step by step, on a day-ahead forecast.

:func:`tou_request` is the ``dispatch = "tou_arbitrage"`` battery's
controller. What it knows at each step is causal: the day-ahead forecast
made at midnight from earlier days only (:func:`forecast_profile`), the
month's import peak so far, its stored energy, and the current step's net
demand. Everything that does not depend on the battery's state (windows,
forecasts, the held level) is planned for the whole run with numpy; the one
loop over steps carries the state in plain floats and applies the SOC
kernel's arithmetic itself, so that its request is already feasible and
:func:`components.battery.simulate_soc` reproduces it exactly. Split from
:mod:`components.battery` by question (the controller), not by class.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from twin.components.battery_dispatch import (
    forecast_profile,
    plan_tou_cycles,
    shave_levels_kw,
)

from twin.component import RunContext
from twin.kernels import run_loop

if TYPE_CHECKING:
    from twin.components.battery import Battery

__all__ = [
    "FORECAST_DAYS",
    "LEVEL_DAYS",
    "DayPlan",
    "day_plan",
    "fill_level_kw",
    "tou_flows",
    "tou_request",
]

FORECAST_DAYS = 10
"""Earlier days of the same type whose profile is the day-ahead forecast
(mean and maximum at each step): two working weeks."""

LEVEL_DAYS = 10
"""Earlier days of the same type whose shaving levels size the held import
level (the demand reserve): two working weeks."""

_PLAN_CACHE_SIZE = 512
_PLANS: dict[tuple, DayPlan] = {}


@dataclass(frozen=True)
class DayPlan:
    """Windows of one day pattern (TOU periods and prices over one local day).

    Attributes
    ----------
    charge : array of bool
        Steps of the day where the battery may charge from the grid.
    window : array of int
        Discharge window of each step (its index in ``windows``), -1 outside.
    windows : tuple of array of int
        Steps of each discharge window, in the order of the day.
    refill : tuple of (array of int or None)
        For a window that is not the day's dearest and has a later window:
        the steps of the charge window between them (the energy that charge
        cannot put back is kept for the dearer window); None otherwise.
    spend_from : int
        First step after the last discharge window: a leftover is spent
        there (outside charge windows) where the price beats the day's
        cheapest one over the round trip.
    segments : tuple of (int, int)
        Spans of the day between the starts of its charge windows, each
        served by one charge (to size the held level).
    code, rest, opens : list
        Per step, in plain Python for the controller's loop: 0 idle, 1
        charge window, 2 discharge window; the later steps of the step's
        discharge window; whether the step opens its window.
    """

    charge: np.ndarray
    window: np.ndarray
    windows: tuple[np.ndarray, ...]
    refill: tuple[np.ndarray | None, ...]
    spend_from: int
    segments: tuple[tuple[int, int], ...]
    code: list[int]
    rest: list[tuple[int, ...]]
    opens: list[bool]


def day_plan(
    period: np.ndarray,
    price_cny_per_kwh: np.ndarray,
    *,
    step_h: float,
    discharge_duration_h: float,
    efficiency_roundtrip_frac: float,
    cycles_per_day: int,
) -> DayPlan:
    """The :class:`DayPlan` of one day pattern from :func:`plan_tou_cycles`, cached.

    Plans are kept per pattern and battery timing in a bounded module cache
    (a sweep over sizes of one tariff plans each pattern once per duration).
    """
    period = np.asarray(period)
    price = np.asarray(price_cny_per_kwh, dtype=np.float64)
    key = (
        period.tobytes(),
        price.tobytes(),
        float(step_h),
        round(float(discharge_duration_h), 9),
        float(efficiency_roundtrip_frac),
        int(cycles_per_day),
    )
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    cycles = plan_tou_cycles(
        period,
        price,
        step_h=step_h,
        discharge_duration_h=discharge_duration_h,
        efficiency_roundtrip_frac=efficiency_roundtrip_frac,
        cycles_per_day=cycles_per_day,  # type: ignore[arg-type]
    )
    m = period.size
    charge = np.zeros(m, dtype=bool)
    window = np.full(m, -1, dtype=np.int64)
    value = [float(price[d].mean()) for _, d in cycles]
    dearest = int(np.argmax(value)) if cycles else -1
    refill: list[np.ndarray | None] = []
    for k, (c_idx, d_idx) in enumerate(cycles):
        charge[c_idx] = True
        window[d_idx] = k
        later = k + 1 < len(cycles)
        refill.append(cycles[k + 1][0] if later and k != dearest else None)
    starts = sorted({int(c.min()) for c, _ in cycles})
    cuts = [0, *[s for s in starts if s > 0], m]
    segments = tuple((a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a)
    code = [1 if c else 0 for c in charge.tolist()]
    rest: list[tuple[int, ...]] = [()] * m
    opens = [False] * m
    for _, d_idx in cycles:
        steps = np.sort(d_idx).tolist()
        for pos, t in enumerate(steps):
            code[t] = 2
            rest[t] = tuple(steps[pos + 1 :])
        opens[steps[0]] = True
    plan = DayPlan(
        code=code,
        rest=rest,
        opens=opens,
        charge=charge,
        window=window,
        windows=tuple(np.sort(d) for _, d in cycles),
        refill=tuple(refill),
        spend_from=max((int(d.max()) + 1 for _, d in cycles), default=m),
        segments=segments,
    )
    if len(_PLANS) >= _PLAN_CACHE_SIZE:
        _PLANS.pop(next(iter(_PLANS)))
    _PLANS[key] = plan
    return plan


def tou_request(
    battery: Battery, ctx: RunContext, net_kw: np.ndarray, cap_kw: np.ndarray
) -> np.ndarray:
    """Request of the TOU rule as a causal controller runs it [kW].

    **Forecast** (at each midnight, :func:`forecast_profile`): the mean and
    the maximum at each step of the last :data:`FORECAST_DAYS` earlier days
    of the same type (workday, rest day, holiday) and length, and the
    lag-1 autocorrelation of that forecast's errors on those days. During
    the day the controller corrects the rest of the forecast with the error
    it sees now, decaying by that autocorrelation. A day with no earlier day
    of its type is forecast by the current value held.

    **Held level** (with a demand charge only): the month's import peak so
    far, or, when higher, the largest level the battery could have shaved
    each of the last :data:`LEVEL_DAYS` such days down to (each day's load
    and one full battery per charge, :func:`shave_levels_kw`): the demand
    the month will probably be billed anyway. Below it, demand costs
    nothing; the battery keeps imports at or under it at any step it can.

    **Steps** (plans per day pattern, :func:`day_plan`):

    - *discharge windows*: discharge what the net demand exceeds the held
      level, keeping the energy the corrected forecast needs above it for
      the rest of the window; when the energy cannot hold the level, shave
      the current value and the corrected forecast to the lowest level the
      energy reaches (water filling). Energy the forecast will not need
      leaves as late in the window as the power rating allows, so that it
      is still there for a late peak. A cheaper window followed by a
      dearer one keeps what the charge between them cannot put back (by the
      high forecast).
    - *charge windows*: charge at full power from the grid, up to the
      target and, with a demand charge, the held level (never a new peak);
    - any step: absorb surplus; with a demand charge, discharge above the
      held level;
    - after the day's last window: spend what is left where the price beats
      the day's cheapest over the round trip.

    With ``allow_export`` the windows discharge at full power.
    """
    request, _ = _flows(battery, ctx, net_kw, cap_kw)
    return request


def tou_flows(
    battery: Battery, ctx: RunContext, net_kw: np.ndarray, cap_kw: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Charge [kW], discharge [kW] and stored energy at the end of each step [kWh]
    of :func:`tou_request`, as :func:`components.battery.simulate_soc` gives them for
    its request (the controller applies the kernel's arithmetic; a test checks
    they are equal), without running the kernel a second time.
    """
    request, soc = _flows(battery, ctx, net_kw, cap_kw)
    return np.maximum(-request, 0.0), np.maximum(request, 0.0), soc


def _flows(
    battery: Battery, ctx: RunContext, net_kw: np.ndarray, cap_kw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The controller's request and stored energy (see :func:`tou_request`)."""
    signals = ctx.signals
    if signals is None:
        msg = (
            f"battery {battery.name!r}: dispatch='tou_arbitrage' needs tariff signals "
            "(TOU periods and prices), but the run has none"
        )
        raise ValueError(msg)
    grid = ctx.grid
    n = grid.n_steps
    period = np.asarray(signals.period)
    price = np.asarray(signals.import_price_cny_per_kwh, dtype=np.float64)
    if period.shape != (n,) or price.shape != (n,):
        msg = (
            f"battery {battery.name!r}: tariff period and import price must have length {n}, "
            f"got shapes {period.shape} and {price.shape}"
        )
        raise ValueError(msg)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    p = battery.params
    step_h = grid.step_h
    p_ch = battery.charge_power_max_kw
    p_dis = battery.discharge_power_max_kw
    cap = battery.capacity_kwh
    usable = battery.usable_energy_kwh
    eta_c, eta_d = p.efficiency_charge_frac, p.efficiency_discharge_frac
    demand_charged = signals.demand_charge_cny_per_kw_month > 0.0

    day = np.asarray(grid.day_number)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(day)) + 1))
    ends = np.concatenate((starts[1:], [n]))
    kinds = np.asarray(ctx.day_type)[starts].astype(np.int64)
    months = np.asarray(grid.month)[starts]
    schedule = _schedule(
        period,
        price,
        starts,
        ends,
        kinds,
        step_h=step_h,
        discharge_duration_h=usable * eta_d / p_dis,
        efficiency_roundtrip_frac=eta_c * eta_d,
        cycles_per_day=p.cycles_per_day,
    )
    net = np.asarray(net_kw, dtype=np.float64)
    # the day-ahead plan works on hourly means at any step, as a controller's
    # load forecast would; the control acts on each step's value
    k = grid.steps_per_hour
    planned = net
    if k > 1 and n % k == 0:
        planned = np.repeat(net.reshape(-1, k).mean(axis=1), k)
    typical, high, has_history, phi, held = _day_ahead(
        planned, starts, schedule, usable * eta_d, p_dis, step_h, k if planned is not net else 1
    )
    return _control(
        net=net,
        cap=np.broadcast_to(np.asarray(cap_kw, dtype=np.float64), (n,)),
        typical=typical,
        high=high,
        starts=starts,
        ends=ends,
        months=months,
        schedule=schedule,
        has_history=has_history,
        phi=phi,
        held=held,
        demand_charged=demand_charged,
        grid_charging=battery.grid_charging,
        allow_export=p.allow_export,
        soc_initial_kwh=battery.soc_initial_kwh,
        soc_min_kwh=p.soc_min_frac * cap,
        soc_max_kwh=p.soc_max_frac * cap,
        usable_kwh=usable,
        charge_power_max_kw=p_ch,
        discharge_power_max_kw=p_dis,
        efficiency_charge_frac=eta_c,
        efficiency_discharge_frac=eta_d,
        keep_frac=1.0 - battery.self_discharge_frac_per_step(step_h),
        step_h=step_h,
    )


@dataclass(frozen=True)
class _Days:
    """The run's days as the controller groups them (tariff and calendar only).

    Attributes
    ----------
    patterns : list of (int, int, array of int)
        Each distinct day pattern (TOU periods and prices over the day): the
        steps of its first day and the days that follow it.
    forecast_groups : list of (int, array of int)
        Days of one type and length (whose earlier days forecast them): the
        length and the days.
    """

    patterns: list[tuple[int, int, np.ndarray]]
    forecast_groups: list[tuple[int, np.ndarray]]


@dataclass(frozen=True)
class _Schedule:
    """What the controller plans from the tariff and the battery's timing.

    Attributes
    ----------
    days : _Days
    groups : list of (DayPlan, array of int)
        Each day pattern's plan and the days that follow it (a plan fixes the
        day's length).
    codes : array of int
        Per step, its :data:`_IDLE` ... :data:`_OPENS` code.
    flat : tuple of arrays
        The plans' step lists for the loop (:func:`_flat_steps`).
    """

    days: _Days
    groups: list[tuple[DayPlan, np.ndarray]]
    codes: np.ndarray
    flat: tuple[np.ndarray, ...]


_CACHE_SIZE = 8
_DAYS: dict[bytes, _Days] = {}
_SCHEDULES: dict[tuple, _Schedule] = {}


def _remember(cache: dict, key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = value


def _days(
    period: np.ndarray, price: np.ndarray, starts: np.ndarray, ends: np.ndarray, kinds: np.ndarray
) -> tuple[bytes, _Days]:
    """The run's :class:`_Days` and its key (a digest of what it is made from),
    kept in a small module cache: the scenarios of a sweep share them."""
    digest = hashlib.blake2b(digest_size=16)
    for a in (period, price, starts, ends, kinds):
        digest.update(np.ascontiguousarray(a).tobytes())
        digest.update(str(a.dtype).encode())
    key = digest.digest()
    found = _DAYS.get(key)
    if found is not None:
        return key, found
    first: dict[bytes, tuple[int, int, list[int]]] = {}
    for d, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        day_key = period[a:b].tobytes() + price[a:b].tobytes()
        first.setdefault(day_key, (a, b, []))[2].append(d)
    by_type: dict[tuple[int, int], list[int]] = {}
    for d, (kind, m) in enumerate(zip(kinds.tolist(), (ends - starts).tolist(), strict=True)):
        by_type.setdefault((kind, m), []).append(d)
    days = _Days(
        patterns=[(a, b, np.asarray(rows)) for a, b, rows in first.values()],
        forecast_groups=[(m, np.asarray(rows)) for (_, m), rows in by_type.items()],
    )
    _remember(_DAYS, key, days)
    return key, days


def _schedule(
    period: np.ndarray,
    price: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    kinds: np.ndarray,
    **timing: float,
) -> _Schedule:
    """The :class:`_Schedule` of the run: each day pattern's :class:`DayPlan`
    and what the loop reads from the plans.

    Kept in a small module cache keyed by the days (:func:`_days`) and the
    battery's timing: the scenarios of a sweep over sizes share a tariff,
    and differ at most in the timing.
    """
    days_key, days = _days(period, price, starts, ends, kinds)
    key = (days_key, *sorted(timing.items()))
    found = _SCHEDULES.get(key)
    if found is not None:
        return found
    groups = [
        (day_plan(period[a:b], price[a:b], **timing), rows)  # type: ignore[arg-type]
        for a, b, rows in days.patterns
    ]
    roundtrip = float(timing["efficiency_roundtrip_frac"])
    schedule = _Schedule(
        days=days,
        groups=groups,
        codes=_step_codes(groups, starts, price, roundtrip),
        flat=_flat_steps(groups, starts, price.size),
    )
    _remember(_SCHEDULES, key, schedule)
    return schedule


def _day_ahead(
    net: np.ndarray,
    starts: np.ndarray,
    schedule: _Schedule,
    energy_ac_kwh: float,
    power_kw: float,
    step_h: float,
    hours_repeated: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Forecasts and held level of every day from earlier days (vectorised per day group).

    ``hours_repeated`` > 1 says that ``net`` holds each hour's value at each
    of its that many steps: the shaving levels are then found on one value an
    hour (the same function of the level; the water filling's cost grows
    with the square of the steps in a day).

    Returns per step the typical and high forecast [kW], and per day whether
    it has a history, the error autocorrelation and the held level from
    earlier days [kW] (NaN without a history).
    """
    n_days = starts.size
    typical = np.zeros(net.size)
    high = np.zeros(net.size)
    has = np.zeros(n_days, dtype=bool)
    phi = np.ones(n_days)
    level = np.zeros(n_days)
    # the level each day's own load could have been shaved to, per plan pattern
    for plan, rows in schedule.groups:
        idx = starts[rows][:, None] + np.arange(plan.window.size)
        x, k, dt = net[idx], 1, step_h
        if hours_repeated > 1 and _hour_aligned(plan, starts[rows], hours_repeated):
            # the load is planned on hourly means: the same levels from one value an hour
            k = hours_repeated
            x, dt = x[:, ::k], step_h * k
        lv = np.zeros(len(rows))
        for a, b in plan.segments:
            seg = shave_levels_kw(
                x[:, a // k : b // k], energy_ac_kwh, power_max_kw=power_kw, step_h=dt
            )
            np.maximum(lv, seg, out=lv)
        level[rows] = lv
    held = np.full(n_days, np.nan)
    for m, rows in schedule.days.forecast_groups:
        idx = starts[rows][:, None] + np.arange(m)
        f, fh, h, ph = forecast_profile(net[idx], days=FORECAST_DAYS)
        typical[idx] = f
        high[idx] = fh
        has[rows] = h
        phi[rows] = ph
        lv = level[rows]
        top = np.full(rows.size, -np.inf)
        for lag in range(1, min(LEVEL_DAYS, rows.size - 1) + 1):
            np.maximum(top[lag:], lv[:-lag], out=top[lag:])
        held[rows] = np.where(np.isfinite(top), top, np.nan)
    return typical, high, has, phi, held


def _hour_aligned(plan: DayPlan, day_starts: np.ndarray, k: int) -> bool:
    """Whether the days and the plan's segments start and end on whole hours of ``k`` steps."""
    return (
        plan.window.size % k == 0
        and all(a % k == 0 and b % k == 0 for a, b in plan.segments)
        and bool((day_starts % k == 0).all())
    )


def _rest_bounds(
    typical: np.ndarray, starts: np.ndarray, schedule: _Schedule
) -> tuple[np.ndarray, np.ndarray]:
    """Largest and smallest typical forecast over the later steps of each step's window [kW].

    0 where the step is outside a window or last in it. They let the
    controller's loop skip the walk over the rest of the window when the
    whole rest lies below the held level and above the power rating.
    """
    top = np.zeros(typical.size)
    bottom = np.zeros(typical.size)
    for plan, rows in schedule.groups:
        s0 = starts[rows]
        f = typical[s0[:, None] + np.arange(plan.window.size)]
        for steps in plan.windows:
            if steps.size < 2:
                continue
            later = f[:, steps[:0:-1]]  # the window's steps from its last, back to its second
            top[s0[:, None] + steps[None, :-1]] = np.maximum.accumulate(later, axis=1)[:, ::-1]
            bottom[s0[:, None] + steps[None, :-1]] = np.minimum.accumulate(later, axis=1)[:, ::-1]
    return top, bottom


_IDLE, _CHARGE, _SPEND, _WINDOW, _OPENS = 0, 1, 2, 3, 4
"""Step codes of the controller's loop (written as literals in the loop):
idle, charge window, idle after the day's last window at a price worth
spending a leftover at, discharge window, first step of a discharge
window."""


def _step_codes(
    groups: list[tuple[DayPlan, np.ndarray]],
    starts: np.ndarray,
    price: np.ndarray,
    roundtrip: float,
) -> np.ndarray:
    """Per step, its :data:`_IDLE` ... :data:`_SPEND` code (vectorised per day pattern)."""
    code = np.zeros(price.size, dtype=np.int64)
    for plan, rows in groups:
        m = plan.window.size
        idx = starts[rows][:, None] + np.arange(m)
        day = np.asarray(plan.code, dtype=np.int64)
        day = np.where(np.asarray(plan.opens), _OPENS, np.where(day == 2, _WINDOW, day))
        pr = price[idx]
        worth = pr * roundtrip > pr.min(axis=1, keepdims=True)
        after = (np.arange(m) >= plan.spend_from) & (day == _IDLE)
        code[idx] = np.where(after[None, :] & worth, _SPEND, day[None, :])
    return code


def _flat_steps(
    groups: list[tuple[DayPlan, np.ndarray]], starts: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The plans' step lists as flat arrays for the controller's loop.

    Returns, per step of the run, where its later window steps start in the
    first flat array and how many there are; per step that opens a window,
    where the steps of the charge that refills it start in the second flat
    array and how many (-1 for no refill, :attr:`DayPlan.refill`); and the
    two flat arrays of day-relative steps (one block per plan).
    """
    rest_ptr = np.zeros(n, dtype=np.int64)
    rest_len = np.zeros(n, dtype=np.int64)
    refill_ptr = np.zeros(n, dtype=np.int64)
    refill_len = np.full(n, -1, dtype=np.int64)
    rest_blocks: list[np.ndarray] = []
    refill_blocks: list[np.ndarray] = []
    rest_at = refill_at = 0
    for plan, rows in groups:
        m = plan.window.size
        lens = np.array([len(r) for r in plan.rest], dtype=np.int64)
        ptrs = rest_at + np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
        rest_blocks.append(np.array([t for r in plan.rest for t in r], dtype=np.int64))
        rest_at += int(lens.sum())
        r_ptr = np.zeros(m, dtype=np.int64)
        r_len = np.full(m, -1, dtype=np.int64)
        for t in np.flatnonzero(plan.opens).tolist():
            refill = plan.refill[int(plan.window[t])]
            if refill is not None:
                r_ptr[t], r_len[t] = refill_at, refill.size
                refill_blocks.append(refill.astype(np.int64))
                refill_at += refill.size
        idx = starts[rows][:, None] + np.arange(m)
        rest_ptr[idx] = ptrs[None, :]
        rest_len[idx] = lens[None, :]
        refill_ptr[idx] = r_ptr[None, :]
        refill_len[idx] = r_len[None, :]
    empty = np.zeros(0, dtype=np.int64)
    rest_flat = np.concatenate(rest_blocks) if rest_blocks else empty
    refill_flat = np.concatenate(refill_blocks) if refill_blocks else empty
    return rest_ptr, rest_len, refill_ptr, refill_len, rest_flat, refill_flat


def _control(
    *,
    net: np.ndarray,
    cap: np.ndarray,
    typical: np.ndarray,
    high: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    months: np.ndarray,
    schedule: _Schedule,
    has_history: np.ndarray,
    phi: np.ndarray,
    held: np.ndarray,
    demand_charged: bool,
    grid_charging: bool,
    allow_export: bool,
    soc_initial_kwh: float,
    soc_min_kwh: float,
    soc_max_kwh: float,
    usable_kwh: float,
    charge_power_max_kw: float,
    discharge_power_max_kw: float,
    efficiency_charge_frac: float,
    efficiency_discharge_frac: float,
    keep_frac: float,
    step_h: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The controller's loop over steps: the feasible request [kW] and the
    stored energy at the end of each step [kWh].

    Plans everything the loop reads into flat arrays and runs
    :func:`_control_steps` on them: as Python on lists in a single run, or
    compiled in a sweep worker (:func:`twin.kernels.kernel`).
    """
    n = net.size
    top, bottom = _rest_bounds(typical, starts, schedule)
    rest_ptr, rest_len, refill_ptr, refill_len, rest_flat, refill_flat = schedule.flat
    base = np.where(has_history, held, 0.0) if demand_charged else np.zeros(starts.size)
    defend = has_history & demand_charged
    new_month = np.concatenate(([True], months[1:] != months[:-1]))
    arrays = (
        starts.astype(np.int64),
        ends.astype(np.int64),
        new_month,
        base.astype(np.float64),
        defend,
        np.asarray(phi, dtype=np.float64),
        schedule.codes,
        net,
        np.asarray(cap, dtype=np.float64),
        typical,
        high,
        top,
        bottom,
        rest_ptr,
        rest_len,
        rest_flat,
        refill_ptr,
        refill_len,
        refill_flat,
    )
    scalars = (
        bool(demand_charged),
        bool(grid_charging),
        bool(allow_export),
        float(soc_initial_kwh),
        float(soc_min_kwh),
        float(soc_max_kwh),
        float(usable_kwh),
        float(charge_power_max_kw),
        float(discharge_power_max_kw),
        float(efficiency_charge_frac),
        float(efficiency_discharge_frac),
        float(keep_frac),
        float(step_h),
    )
    out, soc_end = run_loop(
        _control_steps, arrays, scalars, 2, n, helpers=(fill_level_kw, _window_step)
    )
    return out, soc_end


def _control_steps(
    starts,
    ends,
    new_month,
    base_day,
    defend_day,
    phi_day,
    codes,
    x_all,
    cap_all,
    f_all,
    high_all,
    top_all,
    bottom_all,
    rest_ptr,
    rest_len,
    rest_flat,
    refill_ptr,
    refill_len,
    refill_flat,
    demand_charged,
    grid_charging,
    allow_export,
    soc_initial_kwh,
    lo,
    hi,
    usable_kwh,
    p_ch,
    p_dis,
    eta_c,
    eta_d,
    keep,
    dt,
    out,
    soc_end,
):
    """The controller's step loop (plain floats; compiled in sweeps): fills
    ``out`` with the request [kW] and ``soc_end`` with the stored energy at
    the end of each step [kWh].

    Per day (``starts``/``ends``): whether a month starts, the held level
    [kW], whether to defend it, the error autocorrelation. Per step: its
    code (:data:`_IDLE` ... :data:`_OPENS`), net demand, charge limit,
    typical and high forecast, the bounds of :func:`_rest_bounds`, and the
    pointers of :func:`_flat_steps`. Each step applies the arithmetic of
    :func:`components.battery.simulate_soc` (self-discharge first, then the
    flow clipped to the power limits and the SOC window), so the request is
    feasible as it stands.
    """
    kwh_in = eta_c * dt  # stored per kW charged
    kwh_out = dt / eta_d  # removed per kW discharged
    soc = soc_initial_kwh if soc_initial_kwh < hi else hi
    month_peak = 0.0
    kept = 0.0
    for d in range(len(starts)):
        s0 = starts[d]
        if new_month[d]:
            month_peak = 0.0
        base = base_day[d]
        defend = defend_day[d]
        ph = phi_day[d]
        for i in range(s0, ends[d]):
            x = x_all[i]
            s = soc * keep
            level = month_peak if (demand_charged and month_peak > base) else base
            kind = codes[i]
            r = 0.0
            if kind >= 3:  # a discharge window
                if kind == 4:  # its first step
                    kept = 0.0
                    n_refill = refill_len[i]
                    if n_refill >= 0:
                        room = 0.0
                        for q in range(refill_ptr[i], refill_ptr[i] + n_refill):
                            j = s0 + refill_flat[q]
                            limit = cap_all[j] if grid_charging else 0.0
                            if demand_charged and level < limit:
                                limit = level
                            kw = limit - high_all[j]  # limits are >= 0: covers the surplus
                            if kw > 0.0:
                                room += kw if kw < p_ch else p_ch
                        room *= kwh_in
                        if usable_kwh > room:
                            kept = usable_kwh - room
                if allow_export:
                    r = p_dis
                else:
                    avail = s - lo - kept
                    if avail > 0.0:
                        e = avail * eta_d  # AC energy free to spend
                        now = x - level
                        now = 0.0 if now < 0.0 else (now if now < p_dis else p_dis)
                        err = x - f_all[i]
                        lift = err * ph
                        n_later = rest_len[i]
                        # need above the level over the rest: at most its count times
                        # the largest excess of the corrected forecast
                        over = top_all[i] + (lift if lift > 0.0 else 0.0) - level
                        over = 0.0 if over < 0.0 else (over if over < p_dis else p_dis)
                        if (now + over * n_later) * dt <= e and bottom_all[i] + (
                            lift if lift < 0.0 else 0.0
                        ) >= p_dis:
                            # the energy holds the level; every later step can take the
                            # full rating: what they cannot take leaves now
                            r = now
                            late = e / dt - now - p_dis * n_later
                            if late > r:
                                r = late if late < x else (x if x > r else r)
                        elif now * dt > e and over == 0.0:
                            r = e / dt  # only the current step is above the level
                        else:
                            r = _window_step(
                                x,
                                e,
                                level,
                                err,
                                ph,
                                rest_flat,
                                rest_ptr[i],
                                n_later,
                                s0,
                                i - s0,
                                f_all,
                                p_dis,
                                dt,
                            )
            elif defend and x > level:
                r = x - level
            if r <= 0.0:
                if x < 0.0:
                    r = x if x > -p_ch else -p_ch
                if kind == 1:  # a charge window
                    if grid_charging:
                        limit = cap_all[i]
                        if demand_charged and level < limit:
                            limit = level
                        if x - limit < r:
                            r = x - limit if x - limit > -p_ch else -p_ch
                elif kind == 2 and x > 0.0:  # after the day's last window
                    r = x
            # the SOC kernel's step (components.battery.simulate_soc)
            if r > 0.0:
                dis = r if r < p_dis else p_dis
                avail_kw = (s - lo) / kwh_out
                if dis > avail_kw:
                    dis = avail_kw
                if dis > 0.0:
                    s -= dis * kwh_out
                    if s < lo:
                        s = lo
                    out[i] = dis
                    x -= dis
            elif r < 0.0:
                chg = -r if -r < p_ch else p_ch
                room_kw = (hi - s) / kwh_in
                if chg > room_kw:
                    chg = room_kw
                if chg > 0.0:
                    s += chg * kwh_in
                    if s > hi:
                        s = hi
                    out[i] = -chg
                    x += chg
            soc = s
            soc_end[i] = s
            if x > month_peak:
                month_peak = x


def _window_step(x, energy_kwh, level, err, phi, rest_flat, ptr, count, s0, t, f_all, p_dis, dt):
    """Discharge request at one step of a discharge window [kW].

    ``energy_kwh`` is the AC energy free to spend; the rest of the window
    (``count`` day-relative steps from ``rest_flat[ptr]``) is forecast as
    ``f + err * phi**k``. Hold ``level`` while the energy covers what the
    forecast needs above it, spending the surplus as late as the power
    rating allows; otherwise shave to the lowest level the energy reaches
    (water filling over the current value and the forecast,
    :func:`fill_level_kw`).
    """
    now = x - level
    now = 0.0 if now < 0.0 else (now if now < p_dis else p_dis)
    need = now
    take = 0.0  # what the later steps can take at most (the rating, within the load)
    ahead = np.empty(count + 1)
    ahead[0] = x
    pw = 1.0
    k_prev = t
    for q in range(count):
        j = rest_flat[ptr + q]
        pw = pw * phi if j - k_prev == 1 else pw * phi ** float(j - k_prev)
        k_prev = j
        v = f_all[s0 + j] + err * pw
        ahead[q + 1] = v
        c = v - level
        if c > 0.0:
            need += c if c < p_dis else p_dis
        if v > 0.0:
            take += v if v < p_dis else p_dis
    if need * dt > energy_kwh:
        cut = x - fill_level_kw(ahead, energy_kwh, p_dis, dt)
        return 0.0 if cut < 0.0 else (cut if cut < p_dis else p_dis)
    r = now
    late = energy_kwh / dt - now - take  # what later steps cannot take
    if late > r:
        r = late if late < x else (x if x > r else r)
    return r


def fill_level_kw(values_kw, energy_kwh, power_max_kw, step_h):
    """The level that shaving ``values_kw`` down to delivers ``energy_kwh`` [kW].

    Water filling over one short array of values [kW] with each step's cut
    limited to ``power_max_kw``: :func:`shave_levels_kw` of one row, in plain
    floats for the controller's loop (compiled with it in sweeps). The
    delivered energy is piecewise linear in the level, with knots at each
    value and each value less the power limit; the level is interpolated on
    the segment where it crosses the target. 0 when even level 0 does not
    deliver it.
    """
    target = energy_kwh / step_h
    p = power_max_kw
    m = len(values_kw)
    knots = np.zeros(2 * m + 1)
    for k in range(m):
        v = values_kw[k]
        knots[2 * k] = v if v > 0.0 else 0.0
        w = v - p
        knots[2 * k + 1] = w if w > 0.0 else 0.0
    knots = np.unique(knots)
    prev_level = 0.0
    prev_cut = 0.0
    first = True
    for a in range(knots.size - 1, -1, -1):
        level = knots[a]
        cut = 0.0
        for k in range(m):
            c = values_kw[k] - level
            if c > 0.0:
                cut += c if c < p else p
        if cut > target:
            if first:
                return level
            return prev_level - (prev_level - level) * (target - prev_cut) / (cut - prev_cut)
        prev_level = level
        prev_cut = cut
        first = False
    return 0.0
