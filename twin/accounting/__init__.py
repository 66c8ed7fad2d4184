"""Accounting of a run: the balance, electricity cost, emissions, KPIs and the summary."""

from twin.accounting.balance import BALANCE_COLUMNS, balance_closure, build_balance
from twin.accounting.cost import CostBreakdown, electricity_cost
from twin.accounting.emissions import scope2_location_tco2
from twin.accounting.kpi import PlantSeries, energy_kpis, plant_series
from twin.accounting.summary import Summary, build_summary, summary_fields

__all__ = [
    "BALANCE_COLUMNS",
    "CostBreakdown",
    "PlantSeries",
    "Summary",
    "balance_closure",
    "build_balance",
    "build_summary",
    "electricity_cost",
    "energy_kpis",
    "plant_series",
    "scope2_location_tco2",
    "summary_fields",
]
