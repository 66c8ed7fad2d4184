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
    "plan_tou_windows",
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
) -> np.ndarray:
    """Request of a TOU-arbitrage battery for given windows.

    Always absorb surplus; in charge windows charge at full power from the
    grid (capped so that imports stay at or below the target); in discharge
    windows discharge up to the net demand (at full power when
    ``allow_export``); otherwise idle.

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

    Returns
    -------
    array
        Request for :func:`simulate_soc` [kW].
    """
    net = np.asarray(net_demand_kw, dtype=np.float64)
    target = np.asarray(demand_target_kw, dtype=np.float64)
    surplus = np.maximum(-net, 0.0)
    in_window = _charge_request(net, target, charge_power_max_kw, grid_charging)
    charge = np.where(charge_window, in_window, np.minimum(surplus, charge_power_max_kw))
    discharge = (
        np.full(net.shape, float(discharge_power_max_kw))
        if allow_export
        else np.minimum(np.maximum(net, 0.0), discharge_power_max_kw)
    )
    do_discharge = discharge_window & (discharge > 0.0)
    return np.where(do_discharge, discharge, -charge)


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
    charge_window : array of bool
        Steps where the battery may charge from the grid.
    discharge_window : array of bool
        Steps where the battery discharges.

    References
    ----------
    .. [1] 苏发改价格发〔2025〕426号 (Jiangsu TOU windows); 沪发改价管〔2022〕50号
       (Shanghai); both as summarised in the project's reference FACTS.md
       section 4.2. Two-cycle practice (两充两放): FACTS.md section 7.
    """
    period = np.asarray(period, dtype=np.int64)
    price = np.asarray(price_cny_per_kwh, dtype=np.float64)
    m = period.size
    charge = np.zeros(m, dtype=bool)
    discharge = np.zeros(m, dtype=bool)
    blocks = _cyclic_blocks(period)
    nb = len(blocks)
    if nb < 2:
        return charge, discharge
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
            charge[blocks[k][1]] = True
            discharge[np.concatenate(picked)] = True
    return charge, discharge


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


