"""The TOU rule as a controller runs it: day by day, knowing its stored energy.

:func:`tou_request` plans each day of a ``dispatch = "tou_arbitrage"``
battery at midnight from what a controller knows then (its stored energy,
the month's import peak so far, a persistence forecast of the day) with
the rules of :mod:`components.battery_dispatch`, and advances the battery
through the day with its SOC kernel. Split from :mod:`components.battery`
by question (the controller's day), not by class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from twin.components.battery_dispatch import (
    dispatch_tou_arbitrage,
    forecast_persistence,
    plan_tou_cycles,
    plan_tou_levels,
)

from twin.component import RunContext

if TYPE_CHECKING:
    from twin.components.battery import Battery

__all__ = ["HIGH_FORECAST_DAYS", "charge_room_kw", "tou_request"]

HIGH_FORECAST_DAYS = 10
"""Earlier days of the same type whose step-wise maximum is the TOU rule's
high forecast (the load the demand reserve is held against): two working
weeks."""


def charge_room_kw(
    grid_charging: bool,
    net_kw: np.ndarray,
    cap_kw: np.ndarray,
    soft_kw: np.ndarray,
    even_kw: np.ndarray,
) -> np.ndarray:
    """AC charging power a (forecast) net demand leaves, as the TOU rule charges [kW].

    Surplus always; with grid charging, up to ``soft_kw``, or the even
    power ``even_kw`` within ``cap_kw`` (see :func:`dispatch_tou_arbitrage`).
    """
    surplus = np.maximum(-net_kw, 0.0)
    if not grid_charging:
        return surplus
    even = np.minimum(even_kw, np.maximum(cap_kw - net_kw, 0.0))
    return np.maximum(np.maximum(soft_kw - net_kw, surplus), even)


def tou_request(
    battery: Battery, ctx: RunContext, net_kw: np.ndarray, cap_kw: np.ndarray
) -> np.ndarray:
    """Request of the TOU rule, planned day by day as a controller would.

    Windows are planned once per distinct day pattern (TOU periods and
    prices over one local day, :func:`plan_tou_cycles`). At the start of
    each day the controller knows its stored energy and the month's
    import peak so far (both from the days already run through
    :func:`simulate_soc`), and forecasts the day's net demand by
    persistence (:func:`forecast_persistence`: the last earlier day of the
    same type, and the step-wise maximum of the last
    :data:`HIGH_FORECAST_DAYS` such days). :func:`plan_tou_levels` turns
    these into the day's discharge levels and floors, twice: first with
    grid charging capped at ``cap_kw``, then also at the import level to
    hold (the larger of the month's peak so far and the day's planned
    peak), since charging must not set a new demand peak. Above the held
    level the battery discharges at any hour
    (:func:`dispatch_tou_arbitrage`).
    """
    signals = ctx.signals
    if signals is None:
        msg = (
            f"battery {battery.name!r}: dispatch='tou_arbitrage' needs tariff signals "
            "(TOU periods and prices), but the run has none"
        )
        raise ValueError(msg)
    grid = ctx.grid
    n = grid.n_steps
    period = np.asarray(signals.period, dtype=np.int64)
    price = np.asarray(signals.import_price_cny_per_kwh, dtype=np.float64)
    if period.shape != (n,) or price.shape != (n,):
        msg = (
            f"battery {battery.name!r}: tariff period and import price must have length {n}, "
            f"got shapes {period.shape} and {price.shape}"
        )
        raise ValueError(msg)
    p = battery.params
    step_h = grid.step_h
    p_ch = battery.charge_power_max_kw
    p_dis = battery.discharge_power_max_kw
    usable = battery.usable_energy_kwh
    soc_min = p.soc_min_frac * battery.capacity_kwh
    duration_h = usable * p.efficiency_discharge_frac / p_dis
    roundtrip = p.efficiency_charge_frac * p.efficiency_discharge_frac
    # the day-ahead plan works on hourly means, whatever the step
    k = grid.steps_per_hour
    hourly = net_kw
    if k > 1 and n % k == 0:
        hourly = np.repeat(net_kw.reshape(-1, k).mean(axis=1), k)
    forecast = forecast_persistence(hourly, grid.day_number, ctx.day_type)
    forecast_high = forecast_persistence(
        hourly, grid.day_number, ctx.day_type, days=HIGH_FORECAST_DAYS
    )
    day_start = np.flatnonzero(np.diff(grid.day_number)) + 1
    bounds = zip([0, *day_start.tolist()], [*day_start.tolist(), n], strict=True)
    plans: dict[tuple[bytes, bytes], list[tuple[np.ndarray, np.ndarray]]] = {}
    request = np.zeros(n)
    month = grid.month
    month_peak: dict[int, float] = {}
    energy = {
        "usable_kwh": usable,
        "efficiency_charge_frac": p.efficiency_charge_frac,
        "efficiency_discharge_frac": p.efficiency_discharge_frac,
        "charge_power_max_kw": p_ch,
        "discharge_power_max_kw": p_dis,
        "step_h": step_h,
    }
    soc = battery.soc_initial_kwh
    for start, end in bounds:
        key = (period[start:end].tobytes(), price[start:end].tobytes())
        cycles = plans.get(key)
        if cycles is None:
            cycles = plans[key] = plan_tou_cycles(
                period[start:end],
                price[start:end],
                step_h=step_h,
                discharge_duration_h=duration_h,
                efficiency_roundtrip_frac=roundtrip,
                cycles_per_day=p.cycles_per_day,
            )
        day = slice(start, end)
        f, fh, pr, cap = forecast[day], forecast_high[day], price[day], cap_kw[day]
        m = int(month[start])
        stored = max(soc - soc_min, 0.0)
        charge_window = np.zeros(end - start, dtype=bool)
        discharge_window = np.zeros(end - start, dtype=bool)
        even = np.zeros(end - start)
        for c_idx, d_idx in cycles:
            charge_window[c_idx] = True
            discharge_window[d_idx] = True
            even[c_idx] = usable / (p.efficiency_charge_frac * c_idx.size * step_h)
        room = charge_room_kw(battery.grid_charging, f, cap, cap, even)
        _, _, peak = plan_tou_levels(f, fh, cycles, pr, room, stored_kwh=stored, **energy)
        held = max(peak, month_peak.get(m, 0.0))
        room = charge_room_kw(battery.grid_charging, f, cap, np.minimum(cap, held), even)
        level, floor, _ = plan_tou_levels(
            f, fh, cycles, pr, room, stored_kwh=stored, hold_kw=held, **energy
        )
        net = net_kw[day]
        req = dispatch_tou_arbitrage(
            net,
            charge_window,
            discharge_window,
            cap,
            charge_power_max_kw=p_ch,
            discharge_power_max_kw=p_dis,
            grid_charging=battery.grid_charging,
            allow_export=p.allow_export,
            discharge_level_kw=level,
            discharge_floor_kw=floor,
            hold_level_kw=np.full(end - start, held),
            charge_even_kw=even,
        )
        ch, dis, soc_day = battery._kernel(req, soc, step_h)
        request[day] = req
        soc = float(soc_day[-1])
        imported = float(np.max(net + ch - dis))
        month_peak[m] = max(month_peak.get(m, 0.0), imported)
    return request
