"""Energy and carbon per unit of product, shared utilities included.

A line's own machines are only part of what a unit of product costs: the
compressed air, process heat and cooling it draws, and the building
services around it (lighting, HVAC, offices, other base loads) use energy
too. The allocation rule, stated once:

1. direct: the line's own electricity (its ``use`` ports on electricity);
2. utilities: for every other bus the line draws from (compressed air, heat,
   chilled water), the line's share of that bus's use times the electricity
   and fuel the bus's suppliers (compressors, boilers, chillers, heat
   recovery) take in;
3. shared: everything else the plant uses (electricity and fuel at the
   meters not attributed to a line in 1 or 2) is allocated to the lines in
   proportion to their direct electricity.

The plant's comprehensive energy consumption [tce] and its scope 1 + 2
emissions on the claim's basis [t CO2e] are then split in proportion to
each line's total of 1 + 2 + 3 (final energy, kWh of electricity and fuel on
an LHV basis). Only products of the lines the plant models are counted;
their units are the lines' ``product`` outputs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from twin.component import Component, Direction, Flows, Meaning, Role
from twin.timegrid import TimeGrid

__all__ = ["INTENSITY_COLUMNS", "intensity_records", "product_intensity"]

INTENSITY_COLUMNS = [
    "line",
    "units",
    "direct_kwh",
    "utilities_kwh",
    "shared_kwh",
    "total_kwh",
    "share_frac",
    "kwh_per_unit",
    "energy_tce",
    "kgce_per_unit",
    "emissions_tco2",
    "kgco2e_per_unit",
]
"""Columns of ``product_intensity.csv`` (final energy in kWh: electricity and fuel, LHV)."""

_ENERGY_CARRIERS = ("electricity", "natural_gas")


def _final_energy_in(c: Component, f: Flows, grid: TimeGrid) -> float:
    """Electricity and fuel a component takes in [kWh]."""
    return sum(
        grid.energy_kwh(f.ports[p.name])
        for p in c.ports()
        if p.direction is Direction.IN and p.role is Role.USE and p.carrier.name in _ENERGY_CARRIERS
    )


def product_intensity(
    components: tuple[Component, ...],
    flows: Mapping[str, Flows],
    grid: TimeGrid,
    *,
    plant_final_kwh: float,
    plant_tce: float,
    plant_tco2e: float,
) -> pd.DataFrame:
    """Per-line energy and carbon per unit (see the module docstring for the rule).

    Parameters
    ----------
    components, flows, grid
        The run.
    plant_final_kwh : float
        The plant's final energy: electricity use plus fuel at the meters [kWh].
    plant_tce : float
        Comprehensive energy consumption [tce].
    plant_tco2e : float
        Scope 1 + 2 on the claim's basis [t CO2e].

    Returns
    -------
    pandas.DataFrame
        One row per production line (:data:`INTENSITY_COLUMNS`); empty without lines.
    """
    columns = _intensity_columns(
        components,
        flows,
        grid,
        plant_final_kwh=plant_final_kwh,
        plant_tce=plant_tce,
        plant_tco2e=plant_tco2e,
    )
    if columns is None:
        return pd.DataFrame(columns=INTENSITY_COLUMNS)
    return pd.DataFrame(columns)[INTENSITY_COLUMNS]


def intensity_records(
    components: tuple[Component, ...],
    flows: Mapping[str, Flows],
    grid: TimeGrid,
    *,
    plant_final_kwh: float,
    plant_tce: float,
    plant_tco2e: float,
) -> list[dict[str, object]]:
    """The rows of :func:`product_intensity` as dicts, without building the table."""
    columns = _intensity_columns(
        components,
        flows,
        grid,
        plant_final_kwh=plant_final_kwh,
        plant_tce=plant_tce,
        plant_tco2e=plant_tco2e,
    )
    if columns is None:
        return []
    return [{k: columns[k][i] for k in INTENSITY_COLUMNS} for i in range(len(columns["line"]))]


def _intensity_columns(
    components: tuple[Component, ...],
    flows: Mapping[str, Flows],
    grid: TimeGrid,
    *,
    plant_final_kwh: float,
    plant_tce: float,
    plant_tco2e: float,
) -> dict[str, object] | None:
    """The columns of :func:`product_intensity` (None without lines): the same
    numpy operations pandas would apply column by column."""
    lines = [c for c in components if c.outputs_meaning(Meaning.PRODUCT)]
    if not lines:
        return None
    use_on_bus: dict[str, float] = {}
    supplier_input: dict[str, float] = {}
    for c in components:
        f = flows[c.name]
        for p in c.ports():
            if p.carrier.name in _ENERGY_CARRIERS:
                continue
            amount = float(np.sum(f.ports[p.name]))
            if p.role is Role.USE:
                use_on_bus[p.bus] = use_on_bus.get(p.bus, 0.0) + amount
        supplied = [
            p.bus
            for p in c.ports()
            if p.role is Role.SUPPLY and p.carrier.name not in _ENERGY_CARRIERS
        ]
        if supplied:
            energy = _final_energy_in(c, f, grid)
            for bus in supplied:
                supplier_input[bus] = supplier_input.get(bus, 0.0) + energy / len(supplied)
    rows = []
    for c in lines:
        f = flows[c.name]
        direct = _final_energy_in(c, f, grid)
        via = 0.0
        for p in c.ports():
            if (
                p.role is Role.USE
                and p.carrier.name not in _ENERGY_CARRIERS
                and use_on_bus.get(p.bus, 0.0) > 0
            ):
                via += (
                    float(np.sum(f.ports[p.name]))
                    / use_on_bus[p.bus]
                    * supplier_input.get(p.bus, 0.0)
                )
        units = float(sum(np.sum(f.outputs[n]) for n in c.outputs_meaning(Meaning.PRODUCT)))
        rows.append([c.name, units, direct, via])
    names = [r[0] for r in rows]
    units = np.array([r[1] for r in rows], dtype=np.float64)
    direct = np.array([r[2] for r in rows], dtype=np.float64)
    utilities = np.array([r[3] for r in rows], dtype=np.float64)
    attributed = float(direct.sum() + utilities.sum())
    rest = max(plant_final_kwh - attributed, 0.0)
    direct_total = float(direct.sum())
    weight = direct / direct_total if direct_total > 0 else 1.0 / len(rows)
    shared = rest * weight * np.ones(len(rows))
    total_kwh = direct + utilities + shared
    total = float(total_kwh.sum())
    share = total_kwh / total if total > 0 else np.zeros(len(rows))
    per = np.where(units > 0, units, np.nan)
    energy_tce = plant_tce * share
    emissions = plant_tco2e * share
    return {
        "line": names,
        "units": units,
        "direct_kwh": direct,
        "utilities_kwh": utilities,
        "shared_kwh": shared,
        "total_kwh": total_kwh,
        "share_frac": share,
        "kwh_per_unit": total_kwh / per,
        "energy_tce": energy_tce,
        "kgce_per_unit": energy_tce * 1000.0 / per,
        "emissions_tco2": emissions,
        "kgco2e_per_unit": emissions * 1000.0 / per,
    }
