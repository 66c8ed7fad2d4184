"""Accounting of a run: electricity cost, emissions and energy KPIs."""

from twin.accounting.cost import CostBreakdown, electricity_cost
from twin.accounting.emissions import scope1_tco2, scope2_location_tco2
from twin.accounting.kpi import PlantSeries, energy_kpis, plant_series

__all__ = [
    "CostBreakdown",
    "PlantSeries",
    "electricity_cost",
    "energy_kpis",
    "plant_series",
    "scope1_tco2",
    "scope2_location_tco2",
]
