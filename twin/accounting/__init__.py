"""Accounting of a run: electricity cost, emissions and energy KPIs."""

from twin.accounting.cost import CostBreakdown, electricity_cost
from twin.accounting.emissions import scope2_location_tco2
from twin.accounting.kpi import PlantSeries, energy_kpis, plant_series

__all__ = [
    "CostBreakdown",
    "PlantSeries",
    "electricity_cost",
    "energy_kpis",
    "plant_series",
    "scope2_location_tco2",
]
