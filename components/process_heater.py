"""Process heating by induction, electric resistance or a gas burner: what
does a heating duty cost in electricity or gas, and what gas does an
electric heater save against the burner it replaces?

A process heater delivers a useful heat duty :math:`\\dot Q_u` into the
work (a part brazed, a billet or a coil heated, an adhesive cured). What it
draws follows from its efficiency from meter to work, on the electricity
meter for electric heaters and on the gas's lower heating value for a
burner:

.. math:: P_{el} = \\frac{\\dot Q_u}{\\eta_{el}} + P_{standby},\\qquad
    \\dot Q_{gas} = \\frac{\\dot Q_u}{\\eta_{LHV}}

An electric heater that replaces a burner (``replaces_efficiency_lhv``,
the efficiency of the hot-air heater or torch it took over from) reports
the gas that burner would burn for the same duty, output
``gas_displaced_kw`` (LHV), so an experiment reads the electrification's
trade directly: electricity added against gas saved.

For an induction heater the efficiency from meter to work is the product
of the converter (power-supply) efficiency and the coil (electrical)
efficiency; the coil efficiency of a long solenoid around a cylindrical
load, both carrying current in skin depths small against their
dimensions, is (Baker 1957; Davies and Simpson 1979, ch. 3; Rudnev et al.,
Handbook of Induction Heating, 2003, ch. 3)

.. math:: \\eta_{coil} = \\frac{1}{1 + \\dfrac{D_{coil}}{d_{load}}
    \\sqrt{\\dfrac{\\rho_{coil}}{\\mu_r\\,\\rho_{load}}}}

:func:`induction_coil_efficiency` evaluates it; give ``efficiency_el``
directly from a measured or stated value instead when one exists. The
heat losses of the workpiece to its surroundings during heating are part
of the duty, not of the efficiency.

References
----------
R. M. Baker, "Design and calculation of induction-heating coils", AIEE
Transactions 76(1), 1957. E. J. Davies, P. G. Simpson, Induction Heating
Handbook, McGraw-Hill, 1979. V. Rudnev, D. Loveless, R. Cook, M. Black,
Handbook of Induction Heating, Marcel Dekker, 2003.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.day_profile import ScheduledValue, schedule_on_grid, series_or_schedule

from twin.carriers import ELECTRICITY, NATURAL_GAS
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

__all__ = ["ProcessHeater", "ProcessHeaterParams", "induction_coil_efficiency"]


def induction_coil_efficiency(
    coil_to_load_diameter_ratio: float,
    resistivity_coil_ohm_m: float,
    resistivity_load_ohm_m: float,
    relative_permeability_load: float = 1.0,
) -> float:
    """Electrical efficiency of a long induction coil around a cylindrical load [-].

    Parameters
    ----------
    coil_to_load_diameter_ratio : float
        Coil inner diameter / load diameter, >= 1 [-].
    resistivity_coil_ohm_m : float
        Resistivity of the coil conductor (copper 1.7e-8 at 20 °C) [Ω m].
    resistivity_load_ohm_m : float
        Resistivity of the load at its temperature [Ω m].
    relative_permeability_load : float
        Relative permeability of the load (1 above the Curie point, for
        non-magnetic metals) [-].

    Returns
    -------
    float
        Coil efficiency: power into the load / power into the coil [-].

    Notes
    -----
    Valid when the current penetration depths are small against the coil
    and load dimensions (high frequency, Baker's asymptotic case).
    """
    if coil_to_load_diameter_ratio < 1.0:
        msg = f"coil_to_load_diameter_ratio: expected >= 1, got {coil_to_load_diameter_ratio}"
        raise ValueError(msg)
    root = np.sqrt(resistivity_coil_ohm_m / (relative_permeability_load * resistivity_load_ohm_m))
    return float(1.0 / (1.0 + coil_to_load_diameter_ratio * root))


class ProcessHeaterParams(ComponentParams):
    """Parameters of a process heater (induction, resistance or gas burner)."""

    technology: Literal["induction", "resistance", "gas_burner"] = Field(
        description="'induction' or 'resistance' (electricity), or 'gas_burner' (hot-air heater, "
        "torch, direct-fired, natural gas)."
    )
    heat_kw: ScheduledValue | None = Field(
        default=None,
        description="Useful heat duty into the work [kW]: a constant or {weekday, weekend, holiday} "
        "with 24 hourly values each.",
    )
    series: SeriesRef | None = Field(
        default=None, description="Instead of heat_kw: an hourly duty series [kW]."
    )
    monthly_factor: list[float] = Field(
        default_factory=lambda: [1.0] * 12,
        min_length=12,
        max_length=12,
        description="Multiplier per month January..December [-].",
    )
    efficiency: float = Field(
        gt=0.0,
        le=1.0,
        description="Meter-to-work efficiency: electricity (induction: converter x coil) or gas LHV "
        "(burner) [-].",
    )
    efficiency_source: str = Field(
        min_length=3,
        description="Where efficiency comes from (measurement, datasheet, or the coil formula with "
        "its inputs).",
    )
    standby_kw: float = Field(
        default=0.0,
        ge=0.0,
        allow_inf_nan=False,
        description="Electric heaters: converter and cooling-water pump power while idle in "
        "operating hours (duty 0 but operation_frac 1) [kW].",
    )
    operation_frac: ScheduledValue = Field(
        default=0.0,
        description="Hours the heater is powered (1) for standby_kw; a constant or profile [-].",
    )
    replaces_efficiency_lhv: float | None = Field(
        default=None,
        gt=0.0,
        le=1.0,
        description="Electric heaters: LHV efficiency of the gas burner replaced, for "
        "gas_displaced_kw [-].",
    )
    replaces_source: str = Field(
        default="", description="Where replaces_efficiency_lhv comes from."
    )
    electricity_bus: str = Field(default="electricity", description="Electricity bus.")
    gas_bus: str = Field(default="natural_gas", description="Gas bus (gas_burner).")

    @model_validator(mode="after")
    def _checks(self) -> Self:
        if (self.heat_kw is None) == (self.series is None):
            msg = "give exactly one of heat_kw or series"
            raise ValueError(msg)
        electric = self.technology != "gas_burner"
        if not electric and (self.replaces_efficiency_lhv is not None or self.standby_kw > 0):
            msg = "replaces_efficiency_lhv and standby_kw are for electric heaters (induction, resistance)"
            raise ValueError(msg)
        if self.replaces_efficiency_lhv is not None and not self.replaces_source:
            msg = "replaces_efficiency_lhv needs replaces_source (measurement or datasheet)"
            raise ValueError(msg)
        return self


@register_component("process_heater")
class ProcessHeater(Component):
    """Induction, resistance or gas-burner process heater (see the module docstring).

    Ports: ``el`` (in, USE) for induction and resistance heaters, ``gas``
    (in from the gas bus, USE) for a burner; the gas meter counts its gas
    as scope 1 once.
    """

    stage = Stage.LOAD
    Params = ProcessHeaterParams

    params: ProcessHeaterParams

    @property
    def electric(self) -> bool:
        return self.params.technology != "gas_burner"

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        if self.electric:
            return (Port("el", ELECTRICITY, Direction.IN, p.electricity_bus, Role.USE),)
        return (Port("gas", NATURAL_GAS, Direction.IN, p.gas_bus, Role.USE),)

    def outputs(self) -> tuple[Output, ...]:
        return (
            output("heat_useful_kw", description="duty delivered into the work"),
            output(
                "gas_displaced_kw",
                description="gas (LHV) the replaced burner would burn; 0 if none",
            ),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        duty = series_or_schedule(ctx, self.name, p.series is not None, p.heat_kw, p.monthly_factor)
        duty = np.maximum(duty, 0.0)
        drawn = duty / p.efficiency
        if self.electric:
            powered = np.clip(schedule_on_grid(p.operation_frac, ctx), 0.0, 1.0)
            idle = np.where(duty > 0.0, 0.0, powered)
            ports = {"el": drawn + p.standby_kw * idle}
            displaced = (
                duty / p.replaces_efficiency_lhv
                if p.replaces_efficiency_lhv is not None
                else np.zeros_like(duty)
            )
        else:
            ports = {"gas": drawn}
            displaced = np.zeros_like(duty)
        return Flows(ports=ports, outputs={"heat_useful_kw": duty, "gas_displaced_kw": displaced})

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        port = "el" if self.electric else "gas"
        drawn = grid.energy_kwh(flows.ports[port])
        useful = grid.energy_kwh(flows.outputs["heat_useful_kw"])
        return {
            f"{'electricity' if self.electric else 'gas'}_kwh": drawn,
            "heat_useful_kwh": useful,
            "gas_displaced_kwh": grid.energy_kwh(flows.outputs["gas_displaced_kw"]),
            "mean_efficiency": useful / drawn if drawn > 0 else 0.0,
        }

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "induction_brazing",
            "technology": "induction",
            "heat_kw": {"weekday": [0.0] * 8 + [40.0] * 10 + [0.0] * 6},
            "efficiency": 0.7,
            "efficiency_source": "illustrative",
            "replaces_efficiency_lhv": 0.3,
            "replaces_source": "illustrative",
        }
