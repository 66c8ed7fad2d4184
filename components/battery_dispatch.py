"""Rule-based battery dispatch: the request a storage controller makes.

Vectorised rules that build the per-step request (positive = discharge,
negative = charge, AC side) which :func:`components.battery.simulate_soc`
then makes feasible: :func:`dispatch_self_consumption`,
:func:`dispatch_peak_shaving`, :func:`dispatch_tou_arbitrage`, and
:func:`plan_tou_windows`, which chooses the charge and discharge windows of
one day's time-of-use pattern, including two cycles a day (两充两放). They
are heuristics — what a C&I storage controller does with fixed daily
windows; the optimising alternative is :mod:`twin.dispatch`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = [
    "dispatch_peak_shaving",
    "dispatch_self_consumption",
    "dispatch_tou_arbitrage",
    "forecast_persistence",
    "plan_tou_cycles",
    "plan_shave_window",
    "plan_tou_levels",
    "plan_tou_windows",
    "shave_level_kw",
]


# ---------------------------------------------------------------------------
# Dispatch rules (vectorised; they build the request for the kernel)
# ---------------------------------------------------------------------------
def dispatch_self_consumption(net_demand_kw: np.ndarray) -> np.ndarray:
    """Request of a self-consumption battery: store surplus, cover demand.

    Parameters
    ----------
    net_demand_kw : array
        Net demand on the bus before the battery; negative is a surplus
        (PV) [kW].

    Returns
    -------
    array
        Request for :func:`simulate_soc`: charge the surplus where the net
        demand is negative, discharge the net demand where it is positive
        [kW].
    """
    return np.asarray(net_demand_kw, dtype=np.float64).copy()


def dispatch_peak_shaving(
    net_demand_kw: np.ndarray,
    demand_target_kw: np.ndarray,
    *,
    charge_power_max_kw: float,
    discharge_power_max_kw: float,
    grid_charging: bool,
) -> np.ndarray:
    """Request of a peak-shaving battery.

    Discharge the excess of the net demand over the target; below the target
    recharge, from the grid only up to the target (so charging never raises
    imports above it), or from surplus only when ``grid_charging`` is False.

    Parameters
    ----------
    net_demand_kw : array
        Net demand on the bus before the battery [kW].
    demand_target_kw : array
        Import level not to exceed; ``inf`` where there is none [kW].
    charge_power_max_kw, discharge_power_max_kw : float
        AC power limits [kW].
    grid_charging : bool
        Whether the battery may charge from the grid.

    Returns
    -------
    array
        Request for :func:`simulate_soc` [kW].
    """
    net = np.asarray(net_demand_kw, dtype=np.float64)
    target = np.asarray(demand_target_kw, dtype=np.float64)
    excess = np.minimum(net - target, discharge_power_max_kw)
    charge = _charge_request(net, target, charge_power_max_kw, grid_charging)
    return np.where(net > target, excess, -charge)


def dispatch_tou_arbitrage(
    net_demand_kw: np.ndarray,
    charge_window: np.ndarray,
    discharge_window: np.ndarray,
    demand_target_kw: np.ndarray,
    *,
    charge_power_max_kw: float,
    discharge_power_max_kw: float,
    grid_charging: bool,
    allow_export: bool,
    discharge_level_kw: np.ndarray | None = None,
    discharge_floor_kw: np.ndarray | None = None,
    hold_level_kw: np.ndarray | None = None,
    charge_even_kw: np.ndarray | None = None,
) -> np.ndarray:
    """Request of a TOU-arbitrage battery for given windows.

    Always absorb surplus; in charge windows charge at full power from the
    grid (capped so that imports stay at or below the target); in discharge
    windows discharge what the net demand exceeds ``discharge_level_kw``,
    and at least ``discharge_floor_kw`` (the whole net demand without
    levels; at full power when
    ``allow_export``); at any step, discharge what the net demand exceeds
    ``hold_level_kw`` (the month's planned import peak: the reserve is spent
    only on peaks); otherwise idle.

    Parameters
    ----------
    net_demand_kw : array
        Net demand on the bus before the battery [kW].
    charge_window, discharge_window : array of bool
        Steps planned for grid charging and for discharging (from
        :func:`plan_tou_windows`).
    demand_target_kw : array
        Import level not to exceed when charging; ``inf`` where none [kW].
    charge_power_max_kw, discharge_power_max_kw : float
        AC power limits [kW].
    grid_charging : bool
        Whether the battery may charge from the grid in charge windows.
    allow_export : bool
        Whether discharge may exceed the net demand (export).
    discharge_level_kw : array, optional
        Import level the discharge windows shave down to (from
        :func:`plan_tou_levels`); None discharges the whole net demand [kW].
    discharge_floor_kw : array, optional
        Discharge power requested in discharge windows whatever the level
        (up to the net demand) [kW].
    hold_level_kw : array, optional
        Import level kept at every step by discharging above it, and below
        which grid charging stays where it can; ``inf`` or None for none [kW].
    charge_even_kw : array, optional
        Charging power that fills the battery evenly over its charge window:
        grid charging may exceed the held level by up to this power (never
        the target), so that a battery whose night load is close to the
        month's peak still charges [kW].

    Returns
    -------
    array
        Request for :func:`simulate_soc` [kW].
    """
    net = np.asarray(net_demand_kw, dtype=np.float64)
    target = np.asarray(demand_target_kw, dtype=np.float64)
    surplus = np.maximum(-net, 0.0)
    soft = target if hold_level_kw is None else np.minimum(target, hold_level_kw)
    in_window = _charge_request(net, soft, charge_power_max_kw, grid_charging)
    if charge_even_kw is not None and grid_charging:
        # below the held level charge at full power; above it, at most the even
        # power that fills the battery over the window, within the target
        even = np.minimum(np.asarray(charge_even_kw, np.float64), np.maximum(target - net, 0.0))
        in_window = np.minimum(np.maximum(in_window, even), charge_power_max_kw)
    charge = np.where(charge_window, in_window, np.minimum(surplus, charge_power_max_kw))
    level = 0.0 if discharge_level_kw is None else np.asarray(discharge_level_kw, np.float64)
    floor = 0.0 if discharge_floor_kw is None else np.asarray(discharge_floor_kw, np.float64)
    load = np.maximum(net, 0.0)
    discharge = (
        np.full(net.shape, float(discharge_power_max_kw))
        if allow_export
        else np.minimum(
            np.maximum(np.maximum(net - level, 0.0), np.minimum(floor, load)),
            discharge_power_max_kw,
        )
    )
    do_discharge = discharge_window & (discharge > 0.0)
    request = np.where(do_discharge, discharge, -charge)
    if hold_level_kw is not None:
        over = np.minimum(net - np.asarray(hold_level_kw, np.float64), discharge_power_max_kw)
        request = np.where(over > 0.0, np.maximum(request, over), request)
    return request


def _charge_request(
    net: np.ndarray, target: np.ndarray, charge_power_max_kw: float, grid_charging: bool
) -> np.ndarray:
    """Charging power allowed: surplus, plus grid energy up to the target [kW]."""
    surplus = np.maximum(-net, 0.0)
    if grid_charging:
        # inf - net stays inf where there is no target; min() bounds it.
        allowed = np.maximum(target - net, surplus)
    else:
        allowed = surplus
    return np.minimum(allowed, charge_power_max_kw)


# ---------------------------------------------------------------------------
# TOU window planning (one day pattern at a time)
# ---------------------------------------------------------------------------
def plan_tou_windows(
    period: np.ndarray,
    price_cny_per_kwh: np.ndarray,
    *,
    step_h: float,
    discharge_duration_h: float,
    efficiency_roundtrip_frac: float,
    cycles_per_day: Literal[1, 2],
) -> tuple[np.ndarray, np.ndarray]:
    """Charge and discharge windows for one day's TOU pattern.

    The union of the cycles of :func:`plan_tou_cycles` (same parameters) as
    two boolean masks over the day's steps: ``(charge_window,
    discharge_window)``.
    """
    m = np.asarray(period).size
    charge = np.zeros(m, dtype=bool)
    discharge = np.zeros(m, dtype=bool)
    for c_idx, d_idx in plan_tou_cycles(
        period,
        price_cny_per_kwh,
        step_h=step_h,
        discharge_duration_h=discharge_duration_h,
        efficiency_roundtrip_frac=efficiency_roundtrip_frac,
        cycles_per_day=cycles_per_day,
    ):
        charge[c_idx] = True
        discharge[d_idx] = True
    return charge, discharge


def plan_tou_cycles(
    period: np.ndarray,
    price_cny_per_kwh: np.ndarray,
    *,
    step_h: float,
    discharge_duration_h: float,
    efficiency_roundtrip_frac: float,
    cycles_per_day: Literal[1, 2],
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Charge and discharge windows of each cycle of one day's TOU pattern.

    A rule-based plan of the kind used by C&I storage controllers with fixed
    daily windows (not an optimisation). The day is read as a cycle (the
    night valley 22-6 is one block), split into blocks of equal period.

    1. **Charge windows.** The blocks of the day's lowest period. With
       ``cycles_per_day=1`` only one: the cheapest, then longest. With
       ``cycles_per_day=2`` (两充两放) the two cheapest, then longest; when
       the lowest period forms a single block, a second charge window is the
       cheapest block lying *between two blocks of the day's highest tier*:
       going down from the top tier, the first tier whose blocks (with those
       of higher tiers, adjacent ones merged) form two separate groups on
       the rest of the day, and the cheapest block in a gap between them
       (Shanghai two-part: the midday flat 11-18 between the 8-11 and 18-21
       peaks; in July-August the flat 15-18 between the 8-15 peak/critical
       block and the 18-21 peak). A day with one period has no windows.
    2. **Discharge windows.** Within the interval from each charge window to
       the next one (the rest of the day when there is one), the tiers above
       the charge window's tier are added from the top (critical, peak,
       flat, ...) until their total duration reaches
       ``discharge_duration_h``. A tier is used only when its mean price in
       the interval times the round-trip efficiency exceeds the charge
       window's mean price.
    3. A charge window whose interval has no discharge window is dropped
       (grid charging there would not pay back).

    For Jiangsu (苏发改价格发〔2025〕426号) in summer, with two cycles: charge
    0-6, discharge in the flat 6-11; charge 11-13, discharge in the peak
    14-22. With one cycle: charge 0-6, discharge in the peak 14-22.

    Parameters
    ----------
    period : array of int
        :class:`twin.component.TouPeriod` code of each step of the day.
    price_cny_per_kwh : array
        Import energy price of each step of the day [CNY/kWh].
    step_h : float
        Step length [h].
    discharge_duration_h : float
        Time to deliver the usable energy at rated discharge power [h].
    efficiency_roundtrip_frac : float
        AC-AC round-trip efficiency [-].
    cycles_per_day : {1, 2}
        Planned charge/discharge cycles per day.

    Returns
    -------
    list of (charge_idx, discharge_idx)
        One entry per cycle, in the order of the day (by first discharge
        step): the step indices where the battery may charge from the grid,
        and those where it discharges.

    References
    ----------
    .. [1] 苏发改价格发〔2025〕426号 (Jiangsu TOU windows); 沪发改价管〔2022〕50号
       (Shanghai); hour-by-hour windows in ``twin/data/tou_*.csv``. Two cycles a day (两充两放)
       where the tariff has two valley or flat windows and two peak windows.
    """
    period = np.asarray(period, dtype=np.int64)
    price = np.asarray(price_cny_per_kwh, dtype=np.float64)
    blocks = _cyclic_blocks(period)
    nb = len(blocks)
    cycles: list[tuple[np.ndarray, np.ndarray]] = []
    if nb < 2:
        return cycles
    # rounded so that equal prices compare equal whatever the block length
    # (a mean of six 0.35 is 0.35000000000000003)
    block_price = [round(float(price[idx].mean()), 9) for _, idx in blocks]

    def rank(k: int) -> tuple[float, int, int]:
        return (block_price[k], -blocks[k][1].size, k)

    lowest = min(tier for tier, _ in blocks)
    lows = [k for k, (tier, _) in enumerate(blocks) if tier == lowest]
    if cycles_per_day == 1:
        chosen = [min(lows, key=rank)]
    elif len(lows) >= 2:
        chosen = sorted(sorted(lows, key=rank)[:2])
    else:
        chosen = [lows[0]]
        second = _second_charge_block(blocks, block_price, lows[0])
        if second is not None:
            chosen = sorted([lows[0], second])

    for i, k in enumerate(chosen):
        k_next = chosen[(i + 1) % len(chosen)]
        n_between = (k_next - k) % nb or nb
        between = [(k + j) % nb for j in range(1, n_between)]
        tier_k = blocks[k][0]
        tiers = sorted({blocks[j][0] for j in between if blocks[j][0] > tier_k}, reverse=True)
        picked: list[np.ndarray] = []
        covered_h = 0.0
        for tier in tiers:
            idx = np.concatenate([blocks[j][1] for j in between if blocks[j][0] == tier])
            if price[idx].mean() * efficiency_roundtrip_frac <= block_price[k]:
                continue
            picked.append(idx)
            covered_h += idx.size * step_h
            if covered_h >= discharge_duration_h * (1.0 - 1e-9):
                break
        if picked:
            cycles.append((blocks[k][1], np.sort(np.concatenate(picked))))
    # the order of the day: by the first discharge step after the day's start
    cycles.sort(key=lambda cyc: int(cyc[1].min()))
    return cycles


def _cyclic_blocks(period: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Runs of equal period over a day read as a cycle, in cyclic order.

    Returns (period code, step indices) per block; a run that wraps over
    midnight (valley 22-6) is one block.
    """
    m = period.size
    if m == 0:
        return []
    change = (np.flatnonzero(period[1:] != period[:-1]) + 1).tolist()
    starts = [0, *change]
    ends = [*change, m]
    blocks = [(int(period[s]), np.arange(s, e)) for s, e in zip(starts, ends, strict=True)]
    if len(blocks) > 1 and blocks[0][0] == blocks[-1][0]:
        tier, tail = blocks.pop()
        blocks[0] = (tier, np.concatenate([tail, blocks[0][1]]))
    return blocks


def _second_charge_block(
    blocks: list[tuple[int, np.ndarray]], block_price: list[float], k_low: int
) -> int | None:
    """Cheapest block between two blocks of the highest tier that is split.

    Walks the day from the end of the single lowest block back to its start;
    for thresholds from the highest tier down, the first one whose blocks
    (at or above it) form two or more groups gives the candidates: the
    blocks inside the gaps between its groups.
    """
    nb = len(blocks)
    order = [(k_low + j) % nb for j in range(1, nb)]
    for threshold in sorted({blocks[j][0] for j in order}, reverse=True):
        high = [blocks[j][0] >= threshold for j in order]
        positions = [p for p, flag in enumerate(high) if flag]
        gap = [order[p] for p in range(positions[0], positions[-1] + 1) if not high[p]]
        if gap:
            return min(gap, key=lambda j: (block_price[j], -blocks[j][1].size, j))
    return None


# ---------------------------------------------------------------------------
# Forecast and energy plan of the TOU rule (one day at a time)
# ---------------------------------------------------------------------------
def forecast_persistence(
    net_demand_kw: np.ndarray, day_number: np.ndarray, day_type: np.ndarray, *, days: int = 1
) -> np.ndarray:
    """Day-ahead forecast of the net demand by persistence of the day type.

    Each day's forecast is the net demand of the latest earlier day of the
    same day type (workday, rest day, holiday) at the same step of the day:
    what a storage controller without a load model can know at midnight.
    The first day of each day type, having no earlier day, is forecast by
    itself (perfect foresight for at most three days of a year); a day of a
    different length (a partial last day) likewise.

    Parameters
    ----------
    net_demand_kw : array
        Net demand on the bus before the battery [kW].
    day_number : array of int
        Local day of each step (:attr:`twin.timegrid.TimeGrid.day_number`).
    day_type : array of int
        :class:`twin.component.DayType` code of each step.

    Returns
    -------
    array
        Forecast net demand of each step [kW].

    References
    ----------
    .. [1] Hong, T., Fan, S. (2016). Probabilistic electric load
       forecasting: a tutorial review. Int. J. Forecasting 32(3), 914-938,
       doi:10.1016/j.ijforecast.2015.11.011 (persistence / naive benchmark).
    """
    net = np.asarray(net_demand_kw, dtype=np.float64)
    starts = np.flatnonzero(np.diff(np.asarray(day_number))) + 1
    bounds = list(zip([0, *starts.tolist()], [*starts.tolist(), net.size], strict=True))
    out = net.copy()
    last: dict[int, list[tuple[int, int]]] = {}
    dtype = np.asarray(day_type)
    for start, end in bounds:
        kind = int(dtype[start])
        prev = [b for b in last.get(kind, []) if b[1] - b[0] == end - start]
        if len(prev) == 1:
            out[start:end] = net[prev[0][0] : prev[0][1]]
        elif prev:
            out[start:end] = np.max([net[a:b] for a, b in prev], axis=0)
        recent = last.setdefault(kind, [])
        recent.append((start, end))
        del recent[:-days]
    return out


def shave_level_kw(
    forecast_kw: np.ndarray, energy_kwh: float, *, power_max_kw: float, step_h: float
) -> float:
    r"""Import level that a given energy shaves a forecast down to (water filling).

    The lowest level :math:`L \ge 0` with
    :math:`\sum_t \min(\max(f_t - L, 0), P_{max})\,\Delta t \le E`: the
    battery discharges only what the forecast exceeds :math:`L`, so its
    energy goes to the highest steps first (the demand peak) and, within a
    window of one price, earns the same arbitrage as any other split.

    Parameters
    ----------
    forecast_kw : array
        Forecast net demand over the discharge window [kW].
    energy_kwh : float
        AC energy the battery can deliver in the window [kWh].
    power_max_kw : float
        Discharge power limit [kW].
    step_h : float
        Step length [h].

    Returns
    -------
    float
        Level [kW]; 0 when the energy covers the whole window, the forecast
        maximum when there is no energy.
    """
    f = np.asarray(forecast_kw, dtype=np.float64)
    if f.size == 0 or energy_kwh <= 0.0:
        return float(f.max(initial=0.0))

    def delivered(level: np.ndarray) -> np.ndarray:
        return (
            np.minimum(np.maximum(f[None, :] - level[:, None], 0.0), power_max_kw).sum(1) * step_h
        )

    # delivered() is piecewise linear and non-increasing in the level, with
    # breakpoints at f_t and f_t - P_max: find the segment, interpolate.
    knots = np.unique(np.clip(np.concatenate([f, f - power_max_kw, [0.0]]), 0.0, None))
    e = delivered(knots)
    if e[0] <= energy_kwh:
        return 0.0
    j = int(np.searchsorted(-e, -energy_kwh))  # first knot delivering <= energy
    lo, hi = knots[j - 1], knots[j]
    e_lo, e_hi = e[j - 1], e[j]
    return float(lo + (hi - lo) * (e_lo - energy_kwh) / (e_lo - e_hi))


def plan_tou_levels(
    forecast_kw: np.ndarray,
    forecast_high_kw: np.ndarray,
    cycles: list[tuple[np.ndarray, np.ndarray]],
    price_cny_per_kwh: np.ndarray,
    charge_room_kw: np.ndarray,
    *,
    usable_kwh: float,
    efficiency_charge_frac: float,
    efficiency_discharge_frac: float,
    charge_power_max_kw: float,
    discharge_power_max_kw: float,
    step_h: float,
    stored_kwh: float = 0.0,
    hold_kw: float | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Discharge levels and floors of one day's cycles from the day's forecasts.

    1. The stored energy each charge window can add: ``charge_room_kw``
       (from the typical forecast) within the power limit.
    2. The energy each cycle may spend: with two cycles, where the earlier
       one discharges at a lower mean price than the later one, the earlier
       one spends only what the second charge window can put back (the rest
       is held for the later, dearer window, usually the evening peak);
       otherwise each spends what it holds. The first cycle starts with the
       energy stored at the start of the day plus what its charge window
       adds.
    3. The dearest cycle (the peak or critical window, where the month's
       demand peak falls) shaves: its level is the one its energy shaves the
       *high* forecast down to (:func:`shave_level_kw`), so the energy is
       held for the highest load the recent days have seen. What the
       typical forecast leaves unspent at that level is discharged at full
       power in the last steps of the window (the reserve is not needed any
       longer there), so the arbitrage is not lost.
    4. Any other cycle (a flat or lower-peak window: arbitrage only)
       discharges its energy at a constant power over its window.

    Parameters
    ----------
    forecast_kw, forecast_high_kw : array
        Typical and high forecast of the day's net demand (persistence over
        one and over several earlier days of the same type,
        :func:`forecast_persistence`) [kW].
    cycles : list of (charge_idx, discharge_idx)
        From :func:`plan_tou_cycles`, in the order of the day.
    price_cny_per_kwh : array
        Import price of the day's steps [CNY/kWh].
    charge_room_kw : array
        AC charging power the forecast leaves in each step (surplus, and grid
        charging up to the level it may not lift the import above) [kW].
    usable_kwh : float
        Stored energy between the ends of the SOC window [kWh].
    efficiency_charge_frac, efficiency_discharge_frac : float
        One-way efficiencies [-].
    charge_power_max_kw, discharge_power_max_kw : float
        AC power limits [kW].
    step_h : float
        Step length [h].
    stored_kwh : float
        Stored energy above the floor at the start of the day [kWh].
    hold_kw : float, optional
        The month's held import level: a cheaper cycle keeps the energy the
        high forecast needs above it until the next charge window ends [kW].

    Returns
    -------
    level_kw : array
        Level the net demand is shaved to in the dearest discharge window,
        ``inf`` elsewhere [kW].
    floor_kw : array
        Discharge power requested regardless of the level (constant power of
        arbitrage windows, full power at the end of the dearest one), 0
        elsewhere [kW].
    peak_kw : float
        The day's high-forecast import peak after the planned discharge [kW].
    """
    f = np.asarray(forecast_kw, dtype=np.float64)
    fh = np.asarray(forecast_high_kw, dtype=np.float64)
    level = np.full(f.size, np.inf)
    floor = np.zeros(f.size)
    if not cycles:
        return level, floor, float(fh.max(initial=0.0))
    p_dis = discharge_power_max_kw
    room = np.maximum(np.asarray(charge_room_kw, dtype=np.float64), 0.0)
    added = [
        float(np.minimum(room[c], charge_power_max_kw).sum()) * efficiency_charge_frac * step_h
        for c, _ in cycles
    ]
    value = [float(price_cny_per_kwh[d].mean()) for _, d in cycles]
    held = min(usable_kwh, stored_kwh + added[0])
    spend = []
    for i in range(len(cycles)):
        if i + 1 < len(cycles):
            after = added[i + 1]
            # hold for a dearer next window what its charge window cannot restore
            cheap = value[i] < value[i + 1]
            e = min(held, max(held + after - usable_kwh, 0.0)) if cheap else held
            spend.append(e)
            held = min(usable_kwh, held - e + after)
        else:
            spend.append(held)
    top = int(np.argmax(value))
    shaved = fh.copy()
    for i, ((_, d), e) in enumerate(zip(cycles, spend, strict=True)):
        ac_kwh = e * efficiency_discharge_frac
        if i != top:
            if hold_kw is not None and i + 1 < len(cycles):
                # keep what the high forecast needs above the held level until
                # the next charge window has ended
                c_next = cycles[i + 1][0]
                end = int(c_next.max()) + 1 if c_next.max() > d.min() else f.size
                span = slice(int(d.min()), end)
                need = float(np.minimum(np.maximum(fh[span] - hold_kw, 0.0), p_dis).sum())
                ac_kwh = max(ac_kwh - need * step_h, 0.0)
            floor[d] = min(ac_kwh / (d.size * step_h), p_dis)
            shaved[d] = fh[d] - np.minimum(floor[d], np.maximum(fh[d], 0.0))
            continue
        lvl, flr = plan_shave_window(f[d], fh[d], ac_kwh, power_max_kw=p_dis, step_h=step_h)
        level[d] = lvl
        floor[d] = flr
        shaved[d] = fh[d] - np.minimum(np.maximum(fh[d] - lvl, 0.0), p_dis)
    return level, floor, float(shaved.max())


def plan_shave_window(
    forecast_kw: np.ndarray,
    forecast_high_kw: np.ndarray,
    energy_kwh: float,
    *,
    power_max_kw: float,
    step_h: float,
) -> tuple[float, np.ndarray]:
    """Level and floor of the dearest discharge window (the demand reserve).

    The level is the one ``energy_kwh`` shaves the *high* forecast down to
    (:func:`shave_level_kw`), so the energy is held for the highest load
    recent days have seen. What the typical forecast leaves unspent at that
    level is discharged at full power over the last steps of the window,
    where the reserve is no longer needed, so the arbitrage is not lost.

    Parameters
    ----------
    forecast_kw, forecast_high_kw : array
        Typical and high forecast of the net demand over the window [kW].
    energy_kwh : float
        AC energy the battery can deliver in the window [kWh].
    power_max_kw : float
        Discharge power limit [kW].
    step_h : float
        Step length [h].

    Returns
    -------
    level_kw : float
        Import level to shave to [kW].
    floor_kw : array
        Discharge power requested regardless of the level: full power in
        the last steps, 0 before [kW].
    """
    f = np.asarray(forecast_kw, dtype=np.float64)
    level = shave_level_kw(forecast_high_kw, energy_kwh, power_max_kw=power_max_kw, step_h=step_h)
    floor = np.zeros(f.size)
    typical_cut = np.minimum(np.maximum(f - level, 0.0), power_max_kw)
    left_kwh = energy_kwh - float(typical_cut.sum()) * step_h
    if left_kwh > 0.0 and f.size:
        extra = (np.minimum(np.maximum(f, 0.0), power_max_kw) - typical_cut) * step_h
        n_dump = int(np.searchsorted(np.cumsum(extra[::-1]), left_kwh)) + 1
        floor[f.size - min(n_dump, f.size) :] = power_max_kw
    return level, floor
