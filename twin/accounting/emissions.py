"""Emissions of imported electricity per step (location-based scope 2).

Scope 2 (location-based, ISO 14064-1 indirect emissions from imported
energy; GHG Protocol Scope 2 Guidance): imported electricity per step times
the grid factor of that step. Exports are not netted against imports.

The full inventory (scope 1 from fuel at the meter, refrigerants and
process; scope 2 location- and market-based; scope 3) is built by the
carbon ledger, :mod:`twin.accounting.inventory`, which uses this function.
"""

from __future__ import annotations

import numpy as np

from twin.timegrid import TimeGrid

__all__ = ["electricity_emissions_kg", "scope2_location_tco2"]


def electricity_emissions_kg(
    import_kw: np.ndarray, ef_kg_per_kwh: np.ndarray, grid: TimeGrid
) -> np.ndarray:
    """Emissions of imported electricity in each step [kg CO2].

    .. math:: e(t) = P_{imp}(t)\\,\\Delta t\\,EF(t)
    """
    return import_kw * ef_kg_per_kwh * grid.step_h


def scope2_location_tco2(import_kw: np.ndarray, ef_kg_per_kwh: np.ndarray, grid: TimeGrid) -> float:
    """Location-based scope 2 emissions [t CO2]: the sum of
    :func:`electricity_emissions_kg` over the run, in tonnes.

    .. math:: E_2 = \\sum_t P_{imp}(t)\\,\\Delta t\\,EF(t) / 1000
    """
    return float(np.sum(electricity_emissions_kg(import_kw, ef_kg_per_kwh, grid))) / 1000.0
