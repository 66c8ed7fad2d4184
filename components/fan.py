"""Air-handling fans: how much electricity do the supply and extract fans take?

Fan power is the specific fan power (SFP) times the airflow,
P = SFP · V̇ (EN 16798-3 defines SFP as electric power per airflow,
[W/(m³/s)]). The airflow is either a zone's mechanical ventilation
(``zone = "office"``: the zone's ``ventilation_m3_per_h`` output, so fan
and zone always agree) or a constant or day-type/hour profile of its own.
Give the SFP of the whole air-handling unit (supply and extract fans
together) or add one fan component per fan.

This component is for fans that serve no zone's air handler (extract
fans, a make-up air unit). A zone with an ``air_handler`` computes its own
supply fans (the airflow follows the coil load, the fans' heat goes into
the air stream and the coil): pointing a ``fan`` at such a zone is an
error, it would count the fans twice. :func:`fan_part_load_power_frac` is
the variable-volume fan curve both use.

References
----------
.. [1] EN 16798-3:2017, Energy performance of buildings - Ventilation for
   non-residential buildings, section 9 (specific fan power).
.. [2] ANSI/ASHRAE/IES Standard 90.1-2019, Appendix G, Table G3.1.3.15
   "Part-Load Performance for VAV Fan Systems", method 1 (the fan power
   coefficients of EnergyPlus ``Fan:VariableVolume`` in the 90.1 baseline
   models).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.day_profile import ScheduledValue, schedule_on_grid

from twin.carriers import ELECTRICITY
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Output,
    Port,
    Role,
    RunContext,
    Stage,
    output,
    register_component,
)
from twin.errors import ConfigError
from twin.timegrid import TimeGrid

__all__ = ["VAV_FAN_CURVE_90_1", "Fan", "FanParams", "fan_part_load_power_frac", "fan_power_kw"]

VAV_FAN_CURVE_90_1: tuple[float, float, float, float] = (0.0013, 0.1470, 0.9506, -0.0998)
"""Fraction of design fan power as a cubic in the airflow fraction of a VAV
fan (ASHRAE 90.1-2019 Table G3.1.3.15, method 1; EnergyPlus
``Fan:VariableVolume`` fan power coefficients 1-4 of the 90.1 baseline) [-]."""

_S_PER_H = 3600.0
_W_PER_KW = 1000.0


def fan_power_kw(
    airflow_m3_per_h: float | np.ndarray, specific_fan_power_w_per_m3_per_s: float
) -> np.ndarray:
    """Electric power of fans from their specific fan power.

    Parameters
    ----------
    airflow_m3_per_h : float or array
        Airflow [m³/h].
    specific_fan_power_w_per_m3_per_s : float
        SFP [W/(m³/s)].

    Returns
    -------
    array
        Electric power [kW].

    Notes
    -----
    .. math:: P = SFP \\cdot \\dot V / 3600 / 1000

    Examples
    --------
    >>> float(fan_power_kw(36000.0, 1500.0))
    15.0
    """
    flow = np.maximum(np.asarray(airflow_m3_per_h, dtype=np.float64), 0.0)
    return specific_fan_power_w_per_m3_per_s * flow / _S_PER_H / _W_PER_KW


def fan_part_load_power_frac(
    flow_frac: float | np.ndarray,
    coefficients: tuple[float, float, float, float] = VAV_FAN_CURVE_90_1,
) -> np.ndarray:
    """Fan power at part flow as a fraction of the power at design flow.

    Parameters
    ----------
    flow_frac : float or array
        Airflow over design airflow, clipped to 0..1 [-].
    coefficients : 4 floats, default ASHRAE 90.1 Appendix G
        c1..c4 of :math:`f = c_1 + c_2 x + c_3 x^2 + c_4 x^3` [-].

    Returns
    -------
    array
        Fraction of design fan power, 0 where the flow is 0 [-].

    Examples
    --------
    >>> round(float(fan_part_load_power_frac(1.0)), 4), round(float(fan_part_load_power_frac(0.5)), 4)
    (0.9991, 0.3)
    """
    x = np.clip(np.asarray(flow_frac, dtype=np.float64), 0.0, 1.0)
    c1, c2, c3, c4 = coefficients
    frac = c1 + x * (c2 + x * (c3 + x * c4))
    return np.where(x > 0.0, np.maximum(frac, 0.0), 0.0)


class FanParams(ComponentParams):
    """Parameters of an air-handling unit's fans."""

    specific_fan_power_w_per_m3_per_s: float = Field(
        gt=0,
        allow_inf_nan=False,
        le=10_000.0,
        description="Specific fan power of the unit, electric power per airflow (supply and "
        "extract together typ. 1000-2500) [W/(m³/s)].",
    )
    zone: str | None = Field(
        default=None,
        description="Zone whose ventilation_m3_per_h the fans move; or give airflow_m3_per_h.",
    )
    airflow_m3_per_h: ScheduledValue | None = Field(
        default=None, description="Airflow, constant or a day-type/hour profile [m³/h]."
    )
    electricity_bus: str = Field(default="electricity", description="Electricity bus.")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.zone is None) == (self.airflow_m3_per_h is None):
            msg = "give exactly one of zone (a zone's ventilation) or airflow_m3_per_h"
            raise ValueError(msg)
        return self


@register_component("fan")
class Fan(Component):
    """AHU fans by specific fan power (port ``el``, Role.USE; output ``airflow_m3_per_h``)."""

    stage = Stage.HVAC
    Params = FanParams

    params: FanParams

    def ports(self) -> tuple[Port, ...]:
        return (Port("el", ELECTRICITY, Direction.IN, self.params.electricity_bus, Role.USE),)

    def outputs(self) -> tuple[Output, ...]:
        return (output("airflow_m3_per_h"),)

    @classmethod
    def example_params(cls) -> dict[str, Any]:
        return {
            "name": "ahu_office",
            "specific_fan_power_w_per_m3_per_s": 1600.0,
            "airflow_m3_per_h": {
                "weekday": [0.0] * 8 + [8000.0] * 10 + [0.0] * 6,
                "weekend": [0.0] * 24,
            },
        }

    def references(self) -> tuple[str, ...]:
        return () if self.params.zone is None else (self.params.zone,)

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        if p.zone is not None:
            try:
                outputs = ctx.flows(p.zone).outputs
            except KeyError:
                msg = (
                    f"fan[{self.name}].zone: no zone named {p.zone!r} computed before the fans; "
                    f"expected the name of an hvac_zone of this plant"
                )
                raise ConfigError(msg) from None
            if "ventilation_m3_per_h" not in outputs:
                msg = (
                    f"fan[{self.name}].zone: {p.zone!r} has no ventilation_m3_per_h output; "
                    f"expected an hvac_zone, or give airflow_m3_per_h instead"
                )
                raise ConfigError(msg)
            if "fan_power_kw" in outputs:
                msg = (
                    f"fan[{self.name}].zone: zone {p.zone!r} has an air_handler, which already "
                    f"computes its supply fans; remove this fan or the zone's air_handler"
                )
                raise ConfigError(msg)
            airflow = np.asarray(outputs["ventilation_m3_per_h"], dtype=np.float64)
        else:
            airflow = schedule_on_grid(p.airflow_m3_per_h, ctx)
        power = fan_power_kw(airflow, p.specific_fan_power_w_per_m3_per_s)
        return Flows(ports={"el": power}, outputs={"airflow_m3_per_h": airflow.copy()})

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        return {"electricity_kwh": grid.energy_kwh(flows.ports["el"])}
