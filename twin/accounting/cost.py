"""Electricity cost under a Chinese two-part time-of-use tariff.

Energy charge: imported energy per step times the step's price. Basic
charge (基本电费): either the month's maximum import times the demand rate
(按需量), or the contracted capacity times the capacity rate (按容量), per
month of the run. Export revenue: exported energy times the export price.

Maximum demand is the largest mean import over one step of the grid. Chinese
meters bill the largest 15-minute mean, so an hourly run understates the
demand charge where load varies within the hour; run with ``step = "15min"``
when it matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.component import TariffSignals
from twin.timegrid import TimeGrid

__all__ = ["CostBreakdown", "electricity_cost"]


@dataclass(frozen=True)
class CostBreakdown:
    """Annual and monthly electricity cost.

    Attributes
    ----------
    energy_cost_cny, demand_cost_cny, capacity_cost_cny, export_revenue_cny, total_cost_cny : float
        Annual sums [CNY]; total = energy + demand + capacity − export revenue.
    monthly : pandas.DataFrame
        One row per month (index 1..12): ``grid_import_kwh``, ``grid_export_kwh``,
        ``peak_import_kw``, ``energy_cost_cny``, ``demand_cost_cny``,
        ``capacity_cost_cny``, ``export_revenue_cny``, ``total_cost_cny``.
    energy_cost_cny_per_step, export_revenue_cny_per_step : numpy.ndarray
        Energy charge of the imports and revenue of the exports in each step
        [CNY]; their sums are ``energy_cost_cny`` and ``export_revenue_cny``.
    """

    energy_cost_cny: float
    demand_cost_cny: float
    capacity_cost_cny: float
    export_revenue_cny: float
    total_cost_cny: float
    monthly: pd.DataFrame
    energy_cost_cny_per_step: np.ndarray
    export_revenue_cny_per_step: np.ndarray


def electricity_cost(
    import_kw: np.ndarray,
    export_kw: np.ndarray,
    signals: TariffSignals,
    grid: TimeGrid,
    *,
    demand_charge_cny_per_kw_month: float = 0.0,
    capacity_charge_cny_per_kva_month: float = 0.0,
    contracted_capacity_kva: float | None = None,
) -> CostBreakdown:
    """Cost of a run's grid exchange.

    Parameters
    ----------
    import_kw, export_kw : array
        Mean import and export per step [kW].
    signals : TariffSignals
        Per-step import and export prices [CNY/kWh].
    grid : TimeGrid
    demand_charge_cny_per_kw_month : float
        Rate on the month's maximum import [CNY/kW-month].
    capacity_charge_cny_per_kva_month : float
        Rate on contracted capacity [CNY/kVA-month].
    contracted_capacity_kva : float, optional
        Contracted capacity [kVA].
    """
    step_h = grid.step_h
    import_kwh = import_kw * step_h
    export_kwh = export_kw * step_h
    energy_cost = import_kwh * signals.import_price_cny_per_kwh
    revenue = export_kwh * signals.export_price_cny_per_kwh
    month = grid.month
    months = np.unique(month)
    idx = month - 1
    by_month = {
        "grid_import_kwh": np.bincount(idx, import_kwh, 12),
        "grid_export_kwh": np.bincount(idx, export_kwh, 12),
        "energy_cost_cny": np.bincount(idx, energy_cost, 12),
        "export_revenue_cny": np.bincount(idx, revenue, 12),
    }
    peak = np.zeros(12)
    np.maximum.at(peak, idx, import_kw)
    by_month["peak_import_kw"] = peak
    present = np.zeros(12, dtype=bool)
    present[months - 1] = True
    by_month["demand_cost_cny"] = np.where(present, peak * demand_charge_cny_per_kw_month, 0.0)
    capacity = (contracted_capacity_kva or 0.0) * capacity_charge_cny_per_kva_month
    by_month["capacity_cost_cny"] = np.where(present, capacity, 0.0)
    by_month["total_cost_cny"] = (
        by_month["energy_cost_cny"] + by_month["demand_cost_cny"]
        + by_month["capacity_cost_cny"] - by_month["export_revenue_cny"]
    )
    monthly = pd.DataFrame(by_month, index=pd.RangeIndex(1, 13, name="month")).loc[months]
    return CostBreakdown(
        energy_cost_cny=float(monthly["energy_cost_cny"].sum()),
        demand_cost_cny=float(monthly["demand_cost_cny"].sum()),
        capacity_cost_cny=float(monthly["capacity_cost_cny"].sum()),
        export_revenue_cny=float(monthly["export_revenue_cny"].sum()),
        total_cost_cny=float(monthly["total_cost_cny"].sum()),
        monthly=monthly,
        energy_cost_cny_per_step=energy_cost,
        export_revenue_cny_per_step=revenue,
    )
