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
    "ERROR_PERSISTENCE_MAX",
    "dispatch_peak_shaving",
    "dispatch_self_consumption",
    "dispatch_tou_arbitrage",
    "forecast_profile",
    "plan_tou_cycles",
    "plan_tou_windows",
    "shave_levels_kw",
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
    """Request of a TOU-arbitrage battery for given windows and levels (stateless).

    The rule for windows and levels fixed in advance; the battery's
    ``tou_arbitrage`` dispatch runs the causal controller of
    :mod:`components.battery_tou`, which decides step by step from its state.

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
# Day-ahead forecast and held level of the TOU controller (vectorised over days)
# ---------------------------------------------------------------------------
ERROR_PERSISTENCE_MAX = 0.95
"""Upper bound of the estimated lag-1 autocorrelation of forecast errors [-]:
an error never persists undamped."""


def forecast_profile(
    days_kw: np.ndarray, *, days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Day-ahead profile forecast of days of one type, from earlier days only.

    Row ``r`` of ``days_kw`` is a day (all of one day type and length, in
    time order); its forecast uses rows ``r - days .. r - 1`` only, what a
    controller knows at the day's midnight:

    - the *typical* forecast, their mean at each step of the day (a
      same-day-type profile of recent weeks, the "similar day" method);
    - the *high* forecast, their maximum at each step;
    - the lag-1 autocorrelation :math:`\phi` of the typical forecast's
      errors on those days (each against its own forecast), clipped to
      ``[0, ERROR_PERSISTENCE_MAX]``, with which the controller carries the
      error it sees now into the next steps
      (:math:`\hat x_{t+k} = f_{t+k} + \phi^k (x_t - f_t)`, an AR(1)
      correction of the profile).

    A row without earlier rows has no forecast: typical and high are 0 and
    :math:`\phi = 1`, so that the corrected forecast is the current value
    held (intraday persistence).

    Parameters
    ----------
    days_kw : array, shape (n_days, steps)
        Net demand of each day [kW].
    days : int
        Earlier days the forecast uses (>= 1).

    Returns
    -------
    typical_kw, high_kw : array, shape (n_days, steps)
        Forecasts [kW].
    has_history : array of bool, shape (n_days,)
        Whether the row has an earlier row.
    error_persistence : array, shape (n_days,)
        :math:`\phi` of each row [-].

    References
    ----------
    .. [1] Hong, T., Fan, S. (2016). Probabilistic electric load
       forecasting: a tutorial review. Int. J. Forecasting 32(3), 914-938,
       doi:10.1016/j.ijforecast.2015.11.011 (similar-day and naive
       benchmarks; error autocorrelation).
    """
    x = np.asarray(days_kw, dtype=np.float64)
    rows, steps = x.shape
    r = np.arange(rows)
    lo = np.maximum(r - days, 0)
    count = (r - lo).astype(np.float64)
    has = count > 0
    csum = np.concatenate((np.zeros((1, steps)), np.cumsum(x, axis=0)))
    typical = np.zeros_like(x)
    typical[has] = (csum[r[has]] - csum[lo[has]]) / count[has, None]
    high = np.full_like(x, -np.inf)
    for lag in range(1, min(days, rows - 1) + 1):
        np.maximum(high[lag:], x[:-lag], out=high[lag:])
    high[~has] = 0.0
    # errors of the rows that had a forecast, summed over each row's history
    err = np.where(has[:, None], x - typical, 0.0)
    cross = np.concatenate(([0.0], np.cumsum((err[:, :-1] * err[:, 1:]).sum(axis=1))))
    square = np.concatenate(([0.0], np.cumsum((err[:, :-1] ** 2).sum(axis=1))))
    num = cross[r] - cross[lo]
    den = square[r] - square[lo]
    phi = np.zeros(rows)
    ok = den > 0.0
    phi[ok] = np.clip(num[ok] / den[ok], 0.0, ERROR_PERSISTENCE_MAX)
    phi[~has] = 1.0
    return typical, high, has, phi


def shave_levels_kw(
    load_kw: np.ndarray, energy_kwh: float, *, power_max_kw: float, step_h: float
) -> np.ndarray:
    r"""Import level a given energy shaves each row of loads down to (water filling).

    Per row, the lowest level :math:`L \ge 0` with
    :math:`\sum_t \min(\max(x_t - L, 0), P_{max})\,\Delta t \le E`.

    Parameters
    ----------
    load_kw : array, shape (rows, steps)
        Load of each row (a day's segment) [kW].
    energy_kwh : float
        AC energy available to each row [kWh].
    power_max_kw : float
        Discharge power limit [kW].
    step_h : float
        Step length [h].

    Returns
    -------
    array, shape (rows,)
        Level [kW]; 0 when the energy covers the whole row, its maximum
        (or 0) when there is no energy.
    """
    x = np.asarray(load_kw, dtype=np.float64)
    rows, steps = x.shape
    if steps == 0:
        return np.zeros(rows)
    p = float(power_max_kw)
    target = float(energy_kwh) / step_h
    if target <= 0.0:
        return np.maximum(x.max(axis=1), 0.0)
    # without the power limit: the j highest steps above the level share the energy
    xs = -np.sort(-x, axis=1)
    csum = np.cumsum(xs, axis=1)
    shaved = csum - np.arange(1, steps + 1) * xs  # delivered at level = xs[:, j]
    j = (shaved < target).sum(axis=1)  # >= 1: nothing is delivered at the maximum
    take = np.arange(rows)
    level = np.maximum((csum[take, j - 1] - target) / j, 0.0)
    capped = xs[:, 0] - level > p
    if capped.any():
        level[capped] = _shave_levels_capped(x[capped], target * step_h, p, step_h)
    return level


def _shave_levels_capped(x: np.ndarray, energy_kwh: float, p: float, step_h: float) -> np.ndarray:
    """:func:`shave_levels_kw` where the power limit binds: over all the knots [kW]."""
    rows = x.shape[0]
    # delivered(L) is piecewise linear, non-increasing, with knots at x and x - P
    knots = np.sort(
        np.clip(np.concatenate((x, x - p, np.zeros((rows, 1))), axis=1), 0.0, None), axis=1
    )
    delivered = np.clip(x[:, None, :] - knots[:, :, None], 0.0, p).sum(axis=2) * step_h
    j = np.minimum((delivered > energy_kwh).sum(axis=1), knots.shape[1] - 1)
    lo_j = np.maximum(j - 1, 0)
    take = np.arange(rows)
    k_lo, k_hi = knots[take, lo_j], knots[take, j]
    e_lo, e_hi = delivered[take, lo_j], delivered[take, j]
    span = e_lo - e_hi
    frac = np.divide(e_lo - energy_kwh, span, out=np.zeros(rows), where=span > 0.0)
    return np.where(j == 0, k_lo, k_lo + (k_hi - k_lo) * frac)
