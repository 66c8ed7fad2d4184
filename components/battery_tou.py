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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from twin.components.battery_dispatch import (
    fill_level_kw,
    forecast_profile,
    plan_tou_cycles,
    shave_levels_kw,
)

from twin.component import RunContext

if TYPE_CHECKING:
    from twin.components.battery import Battery

__all__ = ["FORECAST_DAYS", "LEVEL_DAYS", "DayPlan", "day_plan", "tou_flows", "tou_request"]

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
    lengths = ends - starts
    kinds = np.asarray(ctx.day_type)[starts].astype(np.int64)
    months = np.asarray(grid.month)[starts]
    plans = _day_plans(
        period,
        price,
        starts,
        ends,
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
        planned, starts, lengths, kinds, plans, usable * eta_d, p_dis, step_h
    )
    return _control(
        net=net,
        cap=np.broadcast_to(np.asarray(cap_kw, dtype=np.float64), (n,)),
        price=price,
        typical=typical,
        high=high,
        starts=starts,
        ends=ends,
        months=months,
        plans=plans,
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


def _day_plans(
    period: np.ndarray,
    price: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    **timing: float,
) -> list[DayPlan]:
    """The :class:`DayPlan` of each day, planned once per distinct pattern."""
    by_key: dict[bytes, DayPlan] = {}
    plans = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        key = period[a:b].tobytes() + price[a:b].tobytes()
        plan = by_key.get(key)
        if plan is None:
            plan = by_key[key] = day_plan(period[a:b], price[a:b], **timing)  # type: ignore[arg-type]
        plans.append(plan)
    return plans


def _day_ahead(
    net: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    kinds: np.ndarray,
    plans: list[DayPlan],
    energy_ac_kwh: float,
    power_kw: float,
    step_h: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Forecasts and held level of every day from earlier days (vectorised per day group).

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
    by_plan: dict[tuple[int, int], list[int]] = {}
    for d, plan in enumerate(plans):
        by_plan.setdefault((id(plan), int(lengths[d])), []).append(d)
    for (_, m), rows in by_plan.items():
        plan = plans[rows[0]]
        idx = starts[rows][:, None] + np.arange(m)
        x = net[idx]
        lv = np.zeros(len(rows))
        for a, b in plan.segments:
            seg = shave_levels_kw(x[:, a:b], energy_ac_kwh, power_max_kw=power_kw, step_h=step_h)
            np.maximum(lv, seg, out=lv)
        level[rows] = lv
    held = np.full(n_days, np.nan)
    groups: dict[tuple[int, int], list[int]] = {}
    for d in range(n_days):
        groups.setdefault((int(kinds[d]), int(lengths[d])), []).append(d)
    for (_, m), rows_list in groups.items():
        rows = np.asarray(rows_list)
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


def _rest_bounds(
    typical: np.ndarray, starts: np.ndarray, lengths: np.ndarray, plans: list[DayPlan]
) -> tuple[np.ndarray, np.ndarray]:
    """Largest and smallest typical forecast over the later steps of each step's window [kW].

    0 where the step is outside a window or last in it. They let the
    controller's loop skip the walk over the rest of the window when the
    whole rest lies below the held level and above the power rating.
    """
    top = np.zeros(typical.size)
    bottom = np.zeros(typical.size)
    groups: dict[tuple[int, int], list[int]] = {}
    for d, plan in enumerate(plans):
        groups.setdefault((id(plan), int(lengths[d])), []).append(d)
    for (_, m), rows in groups.items():
        plan = plans[rows[0]]
        s0 = starts[rows]
        f = typical[s0[:, None] + np.arange(m)]
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


def _plan_groups(
    plans: list[DayPlan], starts: np.ndarray, ends: np.ndarray
) -> list[tuple[DayPlan, np.ndarray]]:
    """Days grouped by plan (and so by length): (plan, day indices)."""
    groups: dict[int, tuple[DayPlan, list[int]]] = {}
    for d, plan in enumerate(plans):
        groups.setdefault(id(plan), (plan, []))[1].append(d)
    return [(plan, np.asarray(rows)) for plan, rows in groups.values()]


def _step_codes(
    plans: list[DayPlan], starts: np.ndarray, ends: np.ndarray, price: np.ndarray, roundtrip: float
) -> np.ndarray:
    """Per step, its :data:`_IDLE` ... :data:`_SPEND` code (vectorised per day pattern)."""
    code = np.zeros(price.size, dtype=np.int64)
    for plan, rows in _plan_groups(plans, starts, ends):
        m = plan.window.size
        idx = starts[rows][:, None] + np.arange(m)
        day = np.asarray(plan.code, dtype=np.int64)
        day = np.where(np.asarray(plan.opens), _OPENS, np.where(day == 2, _WINDOW, day))
        pr = price[idx]
        worth = pr * roundtrip > pr.min(axis=1, keepdims=True)
        after = (np.arange(m) >= plan.spend_from) & (day == _IDLE)
        code[idx] = np.where(after[None, :] & worth, _SPEND, day[None, :])
    return code


def _refill_room(
    plans: list[DayPlan],
    starts: np.ndarray,
    ends: np.ndarray,
    cap: np.ndarray,
    high: np.ndarray,
    grid_charging: bool,
) -> list[list[tuple[list[float], list[float]] | None]]:
    """Per day and window: the limits and high forecast over the charge that refills it.

    None for a window without a refill (:attr:`DayPlan.refill`). Without
    grid charging the limit is 0 (surplus only).
    """
    out: list[list[tuple[list[float], list[float]] | None]] = [[] for _ in plans]
    for plan, rows in _plan_groups(plans, starts, ends):
        s0 = starts[rows][:, None]
        per_window = []
        for refill in plan.refill:
            if refill is None:
                per_window.append(None)
                continue
            idx = s0 + refill[None, :]
            limits = cap[idx] if grid_charging else np.zeros(idx.shape)
            per_window.append(list(zip(limits.tolist(), high[idx].tolist(), strict=True)))
        for j, d in enumerate(rows.tolist()):
            out[d] = [None if w is None else w[j] for w in per_window]
    return out


def _control(
    *,
    net: np.ndarray,
    cap: np.ndarray,
    price: np.ndarray,
    typical: np.ndarray,
    high: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    months: np.ndarray,
    plans: list[DayPlan],
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
    """The controller's loop over steps (plain floats): the feasible request [kW]
    and the stored energy at the end of each step [kWh].

    Each step applies the arithmetic of :func:`components.battery.simulate_soc`
    (self-discharge first, then the flow clipped to the power limits and the
    SOC window), so the request it returns is feasible as it stands.
    """
    n = net.size
    lengths = ends - starts
    top, bottom = _rest_bounds(typical, starts, lengths, plans)
    roundtrip = float(efficiency_charge_frac) * float(efficiency_discharge_frac)
    codes = _step_codes(plans, starts, ends, price, roundtrip).tolist()
    refills = _refill_room(plans, starts, ends, cap, high, grid_charging)
    base_all = (
        np.where(has_history, held, 0.0) if demand_charged else np.zeros(starts.size)
    ).tolist()
    defend_all = (has_history & demand_charged).tolist()
    new_month = np.concatenate(([True], months[1:] != months[:-1])).tolist()
    x_all = net.tolist()
    cap_all = cap.tolist()
    f_all = typical.tolist()
    top_all = top.tolist()
    bottom_all = bottom.tolist()
    out = [0.0] * n
    soc_end = [0.0] * n
    lo, hi = float(soc_min_kwh), float(soc_max_kwh)
    p_ch, p_dis = float(charge_power_max_kw), float(discharge_power_max_kw)
    eta_d = float(efficiency_discharge_frac)
    dt = float(step_h)
    kwh_in = float(efficiency_charge_frac) * dt  # stored per kW charged
    kwh_out = dt / eta_d  # removed per kW discharged
    keep = float(keep_frac)
    soc = min(float(soc_initial_kwh), hi)
    month_peak = 0.0
    kept = 0.0
    for d, (s0, s1) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        plan = plans[d]
        if new_month[d]:
            month_peak = 0.0
        base = base_all[d]
        defend = defend_all[d]
        ph = float(phi[d])
        rest = plan.rest
        window = plan.window
        refill = refills[d]
        for i in range(s0, s1):
            x = x_all[i]
            s = soc * keep
            level = month_peak if (demand_charged and month_peak > base) else base
            kind = codes[i]
            r = 0.0
            if kind >= 3:  # a discharge window
                if kind == 4:  # its first step
                    pairs = refill[window[i - s0]]
                    kept = 0.0
                    if pairs is not None:
                        room = 0.0
                        for limit, fh in zip(*pairs, strict=True):
                            if demand_charged and level < limit:
                                limit = level
                            kw = limit - fh  # limits are >= 0: covers the surplus
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
                        later = rest[i - s0]
                        # need above the level over the rest: at most its count times
                        # the largest excess of the corrected forecast
                        over = top_all[i] + (lift if lift > 0.0 else 0.0) - level
                        over = 0.0 if over < 0.0 else (over if over < p_dis else p_dis)
                        if (now + over * len(later)) * dt <= e and bottom_all[i] + (
                            lift if lift < 0.0 else 0.0
                        ) >= p_dis:
                            # the energy holds the level; every later step can take the
                            # full rating: what they cannot take leaves now
                            r = now
                            late = e / dt - now - p_dis * len(later)
                            if late > r:
                                r = late if late < x else (x if x > r else r)
                        elif now * dt > e and over == 0.0:
                            r = e / dt  # only the current step is above the level
                        else:
                            r = _window_step(
                                x, e, level, err, ph, later, s0, i - s0, f_all, p_dis, dt
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
    return np.array(out), np.array(soc_end)


def _window_step(
    x: float,
    energy_kwh: float,
    level: float,
    err: float,
    phi: float,
    rest: tuple[int, ...],
    s0: int,
    t: int,
    f_all: list[float],
    p_dis: float,
    dt: float,
) -> float:
    """Discharge request at one step of a discharge window [kW].

    ``energy_kwh`` is the AC energy free to spend; the rest of the window is
    forecast as ``f + err * phi**k``. Hold ``level`` while the energy covers
    what the forecast needs above it, spending the surplus as late as the
    power rating allows; otherwise shave to the lowest level the energy
    reaches (water filling over the current value and the forecast).
    """
    now = x - level
    now = 0.0 if now < 0.0 else (now if now < p_dis else p_dis)
    need = now
    take = 0.0  # what the later steps can take at most (the rating, within the load)
    ahead = [x]
    pw = 1.0
    k_prev = t
    for j in rest:
        pw = pw * phi if j - k_prev == 1 else pw * phi ** (j - k_prev)
        k_prev = j
        v = f_all[s0 + j] + err * pw
        ahead.append(v)
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
