"""Emissions of a run (scope 1 and scope 2, location-based).

Scope 2 (location-based, ISO 14064-1 indirect emissions from imported
energy; GHG Protocol Scope 2 Guidance): imported electricity per step times
the grid factor of that step. Exports are not netted against imports.

Scope 1: direct emissions reported by the components that burn fuel, as an
output ``co2_kg_per_h`` (mean CO2 mass flow over the step); a plant with no
combustion has zero scope 1.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from twin.component import Flows
from twin.timegrid import TimeGrid

__all__ = ["scope1_tco2", "scope2_location_tco2"]


def scope2_location_tco2(import_kw: np.ndarray, ef_kg_per_kwh: np.ndarray, grid: TimeGrid) -> float:
    """Location-based scope 2 emissions [t CO2].

    .. math:: E_2 = \\sum_t P_{imp}(t)\\,\\Delta t\\,EF(t) / 1000
    """
    return float(np.sum(import_kw * ef_kg_per_kwh) * grid.step_h / 1000.0)


def scope1_tco2(flows: Mapping[str, Flows], grid: TimeGrid) -> float:
    """Direct (scope 1) emissions reported by components [t CO2]."""
    total = 0.0
    for f in flows.values():
        co2 = f.outputs.get("co2_kg_per_h")
        if co2 is not None:
            total += float(np.sum(co2)) * grid.step_h / 1000.0
    return total
