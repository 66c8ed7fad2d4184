"""On-site nitrogen generation: how much compressed air or electricity does
a nitrogen demand at a given purity take?

Two ways a datasheet states it, and so two forms of the model:

- **PSA or membrane on the plant's air** (``technology = "psa"`` or
  ``"membrane"``): the generator draws compressed air from an air bus. Its
  *air factor* :math:`AF` is the feed air per unit of nitrogen product,
  both in normal cubic metres, at the purity delivered:

  .. math:: \\dot V_{air,N} = AF(y)\\,\\dot V_{N_2,N}

  The air bus carries free air delivery per ISO 1217 (20 °C, 1 bar(a)
  inlet), so the normal volume (DIN 1343: 0 °C, 1.01325 bar(a)) is
  converted once: :math:`\\dot V_{FAD} = \\dot V_N \\cdot (293.15/273.15)
  \\cdot (1.01325/1.0) = 1.0874\\,\\dot V_N`. The compressor room that
  serves the bus then turns that air into electricity with its own model.
- **Packaged unit** (``technology = "packaged"``, a generator with its own
  compressor): electricity per normal cubic metre of nitrogen at the
  purity, :math:`P = e(y)\\,\\dot V_{N_2,N}` [kW = kWh/Nm³ × Nm³/h].

The air factor and the specific energy rise steeply with purity (the
residual oxygen falls by decades from 95 % to 99.999 %). They are given as
points from the manufacturer's table, ``{purity_frac: value}``, and
interpolated linearly in :math:`\\log_{10}` of the residual oxygen
fraction :math:`1 - y` between points; purities outside the table are
refused (no extrapolation). Every table carries its ``*_source``: no
default is bundled, because no manufacturer's table was available to
check one against.

A physical floor is checked at parse: the oxygen balance over the
separator with an off-gas of pure oxygen gives the least air per nitrogen,

.. math:: AF_{min}(y) = \\frac{1 - (1 - y)}{1 - x_{O_2}} = \\frac{y}{0.7905}

with :math:`x_{O_2} = 0.2095` the oxygen fraction of dry air (argon counted
with nitrogen, as purity is stated by residual oxygen). An air factor
below it cannot be right (a mistyped table).

References
----------
ISO 1217:2009, Displacement compressors — Acceptance tests (free air
delivery at inlet conditions); DIN 1343:1990, Reference conditions, normal
conditions, normal volume; composition of dry air: U.S. Standard
Atmosphere 1976 (NOAA/NASA/USAF), O2 volume fraction 0.2095.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.day_profile import ScheduledValue, series_or_schedule

from twin.carriers import COMPRESSED_AIR, ELECTRICITY
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Output,
    Port,
    Role,
    RunContext,
    SeriesRef,
    Stage,
    output,
    register_component,
)
from twin.timegrid import TimeGrid

__all__ = [
    "FAD_PER_NORMAL_M3",
    "O2_FRACTION_DRY_AIR",
    "NitrogenGenerator",
    "NitrogenGeneratorParams",
    "air_factor_min",
    "interpolate_by_purity",
]

O2_FRACTION_DRY_AIR = 0.2095
"""Oxygen volume fraction of dry air (U.S. Standard Atmosphere 1976) [-]."""

FAD_PER_NORMAL_M3 = (293.15 / 273.15) * (1.01325 / 1.0)
"""Free-air volume at the ISO 1217 inlet reference (20 °C, 1 bar(a)) per
normal cubic metre (DIN 1343: 0 °C, 1.01325 bar(a)), ideal gas [-]."""


def air_factor_min(purity_frac: float | np.ndarray) -> np.ndarray:
    """Least feed air per nitrogen product from the oxygen balance, off-gas
    of pure oxygen [Nm³/Nm³].

    Parameters
    ----------
    purity_frac : float or array
        Nitrogen purity, 1 - residual O2 volume fraction [-].

    Examples
    --------
    >>> round(float(air_factor_min(0.99)), 4)
    1.2524
    """
    return np.asarray(purity_frac, dtype=np.float64) / (1.0 - O2_FRACTION_DRY_AIR)


def interpolate_by_purity(points: dict[float, float], purity_frac: float) -> float:
    """Value of a datasheet table at a purity, linear in log10(1 - purity).

    Parameters
    ----------
    points : dict of float to float
        Purity [-] -> value (air factor [Nm³/Nm³] or specific energy [kWh/Nm³]).
    purity_frac : float
        Purity to read at [-]; within the table's range.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Purity outside the table.
    """
    xs = sorted(points)
    lo, hi = xs[0], xs[-1]
    if not lo - 1e-12 <= purity_frac <= hi + 1e-12:
        msg = f"purity_frac {purity_frac} is outside the table's purities {lo}..{hi} (no extrapolation)"
        raise ValueError(msg)
    if len(xs) == 1:
        return float(points[xs[0]])
    # residual oxygen falls as purity rises: interpolate on increasing -log10(1 - y)
    u = [-np.log10(1.0 - x) for x in xs]
    return float(np.interp(-np.log10(1.0 - purity_frac), u, [points[x] for x in xs]))


class NitrogenGeneratorParams(ComponentParams):
    """Parameters of an on-site nitrogen generator."""

    technology: Literal["psa", "membrane", "packaged"] = Field(
        description="'psa' or 'membrane' on the plant's compressed air (air_factor table), or "
        "'packaged' with its own compressor (specific_energy table)."
    )
    demand_nm3_per_h: ScheduledValue | None = Field(
        default=None,
        description="Nitrogen demand [Nm³/h]: a constant or {weekday, weekend, holiday} with 24 "
        "hourly values each.",
    )
    series: SeriesRef | None = Field(
        default=None, description="Instead of demand_nm3_per_h: an hourly demand series [Nm³/h]."
    )
    monthly_factor: list[float] = Field(
        default_factory=lambda: [1.0] * 12,
        min_length=12,
        max_length=12,
        description="Multiplier per month January..December [-].",
    )
    purity_frac: float = Field(
        gt=0.9,
        lt=1.0,
        description="Nitrogen purity delivered, 1 - residual O2 (0.999 = 1000 ppm O2) [-].",
    )
    air_factor: dict[float, float] | None = Field(
        default=None,
        description="psa/membrane: feed air per nitrogen product at each purity of the "
        "manufacturer's table, {purity_frac = Nm³/Nm³} [-].",
    )
    specific_energy_kwh_per_nm3: dict[float, float] | None = Field(
        default=None,
        description="packaged: electricity per Nm³ of nitrogen at each purity of the manufacturer's "
        "table, {purity_frac = kWh/Nm³} [kWh/Nm³].",
    )
    table_source: str = Field(
        min_length=3,
        description="Datasheet the air_factor or specific_energy table comes from (model, edition).",
    )
    rated_flow_nm3_per_h: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Rated nitrogen output at purity_frac [Nm³/h]; demand above it is unmet "
        "(output nitrogen_unmet_nm3_per_h). Default: unlimited.",
    )
    air_bus: str = Field(default="air_7bar_g", description="Compressed-air bus (psa/membrane).")
    electricity_bus: str = Field(default="electricity", description="Electricity bus (packaged).")

    @model_validator(mode="after")
    def _table(self) -> Self:
        packaged = self.technology == "packaged"
        table, name = (
            (self.specific_energy_kwh_per_nm3, "specific_energy_kwh_per_nm3")
            if packaged
            else (self.air_factor, "air_factor")
        )
        other = "air_factor" if packaged else "specific_energy_kwh_per_nm3"
        if table is None:
            msg = f"technology = {self.technology!r} needs {name} (the manufacturer's table)"
            raise ValueError(msg)
        if getattr(self, other) is not None:
            msg = f"technology = {self.technology!r} takes {name}, not {other}"
            raise ValueError(msg)
        if (self.demand_nm3_per_h is None) == (self.series is None):
            msg = "give exactly one of demand_nm3_per_h or series"
            raise ValueError(msg)
        for purity, value in table.items():
            if not 0.9 < purity < 1.0 or not np.isfinite(value) or value <= 0:
                msg = f"{name}: expected purities in (0.9, 1) and values > 0, got {{{purity}: {value}}}"
                raise ValueError(msg)
            if not packaged and value < float(air_factor_min(purity)):
                msg = (
                    f"air_factor at purity {purity}: {value} is below the oxygen-balance minimum "
                    f"{float(air_factor_min(purity)):.3f} Nm³ air per Nm³ N2 (off-gas of pure oxygen); "
                    "check the table (Nm³ air per Nm³ nitrogen)"
                )
                raise ValueError(msg)
        try:
            interpolate_by_purity(table, self.purity_frac)
        except ValueError as exc:
            msg = f"{name}: {exc}"
            raise ValueError(msg) from None
        return self

    @property
    def per_nm3(self) -> float:
        """Air factor [Nm³/Nm³] or specific energy [kWh/Nm³] at purity_frac."""
        table = self.specific_energy_kwh_per_nm3 or self.air_factor or {}
        return interpolate_by_purity(table, self.purity_frac)


@register_component("nitrogen_generator")
class NitrogenGenerator(Component):
    """PSA, membrane or packaged nitrogen generator (see the module docstring).

    Ports: ``air`` (in from the air bus, USE) for PSA and membrane, or
    ``el`` (in from the electricity bus, USE) for a packaged unit. It
    computes with the loads, so the compressor room sees its air.
    """

    stage = Stage.LOAD
    Params = NitrogenGeneratorParams

    params: NitrogenGeneratorParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        if p.technology == "packaged":
            return (Port("el", ELECTRICITY, Direction.IN, p.electricity_bus, Role.USE),)
        return (Port("air", COMPRESSED_AIR, Direction.IN, p.air_bus, Role.USE),)

    def outputs(self) -> tuple[Output, ...]:
        return (
            output("nitrogen_nm3_per_h", description="nitrogen delivered at purity_frac"),
            output("nitrogen_unmet_nm3_per_h", description="demand above the rated flow"),
            output("air_nm3_per_h", description="feed air in normal m³ (0 for packaged units)"),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        demand = series_or_schedule(
            ctx, self.name, p.series is not None, p.demand_nm3_per_h, p.monthly_factor
        )
        demand = np.maximum(demand, 0.0)
        cap = np.inf if p.rated_flow_nm3_per_h is None else p.rated_flow_nm3_per_h
        n2 = np.minimum(demand, cap)
        if p.technology == "packaged":
            ports = {"el": n2 * p.per_nm3}
            air = np.zeros_like(n2)
        else:
            air = n2 * p.per_nm3
            ports = {"air": air * FAD_PER_NORMAL_M3 / 60.0}
        return Flows(
            ports=ports,
            outputs={
                "nitrogen_nm3_per_h": n2,
                "nitrogen_unmet_nm3_per_h": demand - n2,
                "air_nm3_per_h": air,
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        n2 = grid.energy_kwh(flows.outputs["nitrogen_nm3_per_h"])  # Nm³/h x h = Nm³
        out = {
            "nitrogen_nm3": n2,
            "nitrogen_unmet_nm3": grid.energy_kwh(flows.outputs["nitrogen_unmet_nm3_per_h"]),
        }
        if self.params.technology == "packaged":
            el = grid.energy_kwh(flows.ports["el"])
            out["electricity_kwh"] = el
            out["specific_energy_kwh_per_nm3"] = el / n2 if n2 > 0 else 0.0
        else:
            out["air_nm3"] = grid.energy_kwh(flows.outputs["air_nm3_per_h"])
        return out

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "n2_psa",
            "technology": "psa",
            "demand_nm3_per_h": {"weekday": [10.0] * 6 + [60.0] * 16 + [10.0] * 2},
            "purity_frac": 0.999,
            # illustrative points for the example only; a config gives its datasheet's table
            "air_factor": {0.99: 2.2, 0.999: 3.0, 0.9999: 4.2},
            "table_source": "illustrative example values (replace with the datasheet's table)",
        }
