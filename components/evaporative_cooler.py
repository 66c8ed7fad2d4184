"""Evaporative air coolers: how much sensible cooling does outdoor air give
through a wetted pad (direct) or a wetted heat exchanger (indirect), and
what do its fan, pump and water cost?

The saturation (wet-bulb) effectiveness of the cooler defines its leaving
dry-bulb temperature from the entering dry-bulb and wet-bulb temperatures
(ASHRAE Handbook — HVAC Systems and Equipment, ch. 41 "Evaporative Air-
Cooling Equipment"; the same definition in EnergyPlus
``EvaporativeCooler:Direct:CelDekPad`` and ``EvaporativeCooler:Indirect``):

.. math:: T_{out} = T_{db} - \\varepsilon\\,(T_{db} - T_{wb})

For a **direct** cooler the process follows the entering wet bulb: the air
gains the moisture it evaporates at constant enthalpy (ASHRAE Fundamentals
2017 ch. 1 eq. 30; :func:`evaporated_water_kg_per_kg`). For an **indirect**
cooler the supply (primary) air is cooled at constant humidity ratio by a
secondary air stream wetted to the outdoor wet bulb; the water evaporated
carries the heat removed from the primary air. The wet-bulb temperature is
the twin's psychrometrics (:mod:`components.hvac_psychrometrics`, ASHRAE
Fundamentals 2017 ch. 1, as in PsychroLib) from the weather's dry bulb,
relative humidity and pressure.

The cooler serves a cooling bus (a hall's cooling demand, carrier
``chilled_water`` as the twin's cooling carrier) with the sensible
cooling its supply air gives against the room temperature:

.. math:: \\dot Q_{cap} = \\rho\\,\\dot V\\,c_p\\,(T_{room} - T_{out})^+,\\qquad
    \\dot Q = \\min(\\dot Q_{cap}, D_{bus})

so that what it cannot cover is left on the bus for the chillers computed
after it. The supply fan runs at its rated power when the cooler runs
(``fan_control = "constant"``) or follows the fan affinity law
:math:`P = P_{rated}\\,\\max(f, f_{min})^3` with the delivered share
:math:`f = \\dot Q/\\dot Q_{cap}` (``"vsd"``); the recirculation pump (and
the secondary fan of an indirect unit) run at rated power whenever the
cooler runs. Water use = evaporation × (1 + bleed-off), with bleed-off
:math:`1/(C - 1)` for :math:`C` cycles of concentration (ASHRAE HVAC
Systems and Equipment ch. 41, water treatment).

Effectiveness is an input with its source (the pad or unit datasheet);
the handbook's typical ranges are 0.70-0.95 for rigid-media direct pads
and 0.40-0.80 for indirect units.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.chiller import wet_bulb_from_weather_c
from twin.components.day_profile import ScheduledValue, schedule_on_grid
from twin.components.hvac_psychrometrics import (
    DRY_AIR_HEAT_CAPACITY_J_PER_KG_K,
    humidity_ratio_from_relative_humidity,
    pressure_from_elevation_pa,
)

from twin.carriers import CHILLED_WATER, ELECTRICITY
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
from twin.timegrid import TimeGrid

__all__ = [
    "EvaporativeCooler",
    "EvaporativeCoolerParams",
    "evaporated_water_kg_per_kg",
    "leaving_temp_c",
]

_R_DRY_AIR_J_PER_KG_K = 287.042
"""Gas constant of dry air (ASHRAE Fundamentals 2017 ch. 1) [J/(kg K)]."""
_LATENT_KJ_PER_KG = 2501.0
_VAPOUR_CP_KJ_PER_KG_K = 1.86
"""Enthalpy of water vapour h_g = 2501 + 1.86 t (ASHRAE Fundamentals 2017 ch. 1 eq. 30) [kJ/kg]."""
_WATER_DENSITY_KG_PER_M3 = 998.0


def leaving_temp_c(
    temp_db_c: float | np.ndarray, temp_wb_c: float | np.ndarray, effectiveness_frac: float
) -> np.ndarray:
    """Leaving dry-bulb temperature of an evaporative cooler [°C].

    Parameters
    ----------
    temp_db_c, temp_wb_c : float or array
        Entering dry-bulb and wet-bulb temperatures [°C].
    effectiveness_frac : float
        Saturation (wet-bulb) effectiveness [-].

    Examples
    --------
    >>> float(leaving_temp_c(35.0, 20.0, 0.8))
    23.0
    """
    tdb = np.asarray(temp_db_c, dtype=np.float64)
    twb = np.asarray(temp_wb_c, dtype=np.float64)
    return tdb - effectiveness_frac * np.maximum(tdb - twb, 0.0)


def evaporated_water_kg_per_kg(
    temp_in_c: float | np.ndarray,
    temp_out_c: float | np.ndarray,
    humidity_ratio_in_kg_per_kg: float | np.ndarray,
) -> np.ndarray:
    """Water evaporated per kg of dry air cooled from ``temp_in_c`` to
    ``temp_out_c`` adiabatically (constant enthalpy) [kg/kg].

    From :math:`h = 1.006\\,t + W(2501 + 1.86\\,t)` [kJ/kg] (ASHRAE
    Fundamentals 2017 ch. 1 eq. 30) held constant:

    .. math:: W_{out} - W_{in} = \\frac{(1.006 + 1.86\\,W_{in})(T_{in} - T_{out})}
        {2501 + 1.86\\,T_{out}}

    Parameters
    ----------
    temp_in_c, temp_out_c : float or array
        Entering and leaving dry-bulb temperatures [°C].
    humidity_ratio_in_kg_per_kg : float or array
        Entering humidity ratio [kg/kg].
    """
    t_in = np.asarray(temp_in_c, dtype=np.float64)
    t_out = np.asarray(temp_out_c, dtype=np.float64)
    w_in = np.asarray(humidity_ratio_in_kg_per_kg, dtype=np.float64)
    cp = DRY_AIR_HEAT_CAPACITY_J_PER_KG_K / 1000.0
    return np.maximum((cp + _VAPOUR_CP_KJ_PER_KG_K * w_in) * (t_in - t_out), 0.0) / (
        _LATENT_KJ_PER_KG + _VAPOUR_CP_KJ_PER_KG_K * t_out
    )


class EvaporativeCoolerParams(ComponentParams):
    """Parameters of a direct or indirect evaporative air cooler."""

    kind: Literal["direct", "indirect"] = Field(
        description="'direct' (wetted pad, supply air humidified) or 'indirect' (wetted heat "
        "exchanger, supply air not humidified)."
    )
    effectiveness_frac: float = Field(
        gt=0.0,
        le=1.0,
        description="Saturation (wet-bulb) effectiveness at the design airflow [-]; handbook "
        "ranges 0.70-0.95 direct rigid media, 0.40-0.80 indirect.",
    )
    effectiveness_source: str = Field(
        min_length=3, description="Datasheet or test report of effectiveness_frac."
    )
    airflow_m3_per_h: float = Field(
        gt=0, le=5_000_000, allow_inf_nan=False, description="Design supply airflow [m³/h]."
    )
    room_temp_c: float = Field(
        default=28.0,
        ge=15.0,
        le=35.0,
        allow_inf_nan=False,
        description="Temperature the supply air is counted against (hall set point) [°C].",
    )
    fan_power_kw: float = Field(
        ge=0, allow_inf_nan=False, description="Supply fan electrical power at design flow [kW]."
    )
    fan_control: Literal["constant", "vsd"] = Field(
        default="constant",
        description="'constant': the fan runs at rated power when the cooler runs; 'vsd': cube "
        "law on the delivered share.",
    )
    min_flow_frac: float = Field(
        default=0.3, ge=0.0, le=1.0, description="Lowest fan flow share with 'vsd' [-]."
    )
    pump_power_kw: float = Field(
        ge=0, allow_inf_nan=False, description="Recirculation pump power when running [kW]."
    )
    secondary_fan_power_kw: float = Field(
        default=0.0,
        ge=0,
        allow_inf_nan=False,
        description="Indirect units: secondary (scavenger) air fan power when running [kW].",
    )
    cycles_of_concentration: float = Field(
        default=3.0,
        gt=1.0,
        le=20.0,
        description="Cycles of concentration of the sump water; bleed-off = evaporation / (C - 1) [-].",
    )
    operation_frac: ScheduledValue = Field(
        default=1.0,
        description="Availability by hour (1 runs when there is demand, 0 off): a constant or "
        "{weekday, weekend, holiday} profile [-].",
    )
    monthly_availability: list[float] = Field(
        default_factory=lambda: [1.0] * 12,
        min_length=12,
        max_length=12,
        description="Availability per month January..December, 0 or 1 (the cooling season) [-].",
    )
    cooling_bus: str = Field(
        default="hall_cooling", description="Cooling bus served (carrier chilled_water)."
    )
    electricity_bus: str = Field(default="electricity", description="Electricity bus.")

    @model_validator(mode="after")
    def _checks(self) -> Self:
        if self.kind == "direct" and self.secondary_fan_power_kw > 0:
            msg = "secondary_fan_power_kw is for indirect units; a direct cooler has one air stream"
            raise ValueError(msg)
        bad = [v for v in self.monthly_availability if v not in (0.0, 1.0)]
        if bad:
            msg = (
                f"monthly_availability: expected 0 or 1 per month, got {self.monthly_availability}"
            )
            raise ValueError(msg)
        return self


@register_component("evaporative_cooler")
class EvaporativeCooler(Component):
    """Direct or indirect evaporative air cooler (see the module docstring).

    Ports: ``cooling`` (out to ``cooling_bus``, SUPPLY) and ``el`` (in,
    USE: fan, pump, secondary fan). It computes after the zones (whose
    cooling demand it sees) and before the chillers, with heat recovery,
    as a source of free cooling.
    """

    stage = Stage.HEAT_RECOVERY
    Params = EvaporativeCoolerParams

    params: EvaporativeCoolerParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        return (
            Port("cooling", CHILLED_WATER, Direction.OUT, p.cooling_bus, Role.SUPPLY),
            Port("el", ELECTRICITY, Direction.IN, p.electricity_bus, Role.USE),
        )

    def outputs(self) -> tuple[Output, ...]:
        return (
            output("temp_wet_bulb_c", description="entering (outdoor) wet-bulb temperature"),
            output("temp_supply_c", description="leaving dry-bulb temperature"),
            output("cooling_capacity_kw", description="sensible cooling the supply air could give"),
            output("water_m3_per_h", description="make-up water: evaporation and bleed-off"),
            output("running_frac", description="1 where the cooler runs"),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        tdb = np.asarray(ctx.weather["temp_air_c"], dtype=np.float64)
        twb = wet_bulb_from_weather_c(ctx)
        t_out = leaving_temp_c(tdb, twb, p.effectiveness_frac)
        pressure = np.asarray(
            ctx.weather.get(
                "pressure_pa", np.full(tdb.shape, pressure_from_elevation_pa(ctx.site.elevation_m))
            ),
            dtype=np.float64,
        )
        pressure = np.where(
            np.isfinite(pressure) & (pressure > 50_000.0),
            pressure,
            pressure_from_elevation_pa(ctx.site.elevation_m),
        )
        # dry-air density at the fan inlet (outdoor air), ideal gas [kg/m³]
        rho = pressure / (_R_DRY_AIR_J_PER_KG_K * (tdb + 273.15))
        m_air = rho * p.airflow_m3_per_h / 3600.0  # [kg/s]
        cp = DRY_AIR_HEAT_CAPACITY_J_PER_KG_K
        cap = m_air * cp * np.maximum(p.room_temp_c - t_out, 0.0) / 1000.0  # [kW]
        available = (
            schedule_on_grid(p.operation_frac, ctx)
            * np.asarray(p.monthly_availability)[ctx.grid.month - 1]
        )
        cap = cap * np.clip(available, 0.0, 1.0)
        demand = np.maximum(ctx.net_demand(p.cooling_bus), 0.0)
        cooling = np.minimum(cap, demand)
        running = (cooling > 1e-9).astype(np.float64)
        share = np.divide(cooling, cap, out=np.zeros_like(cap), where=cap > 0)
        if p.fan_control == "vsd":
            fan = p.fan_power_kw * np.maximum(share, p.min_flow_frac) ** 3 * running
            flow_share = np.maximum(share, p.min_flow_frac) * running
        else:
            fan = p.fan_power_kw * running
            flow_share = running
        el = fan + (p.pump_power_kw + p.secondary_fan_power_kw) * running
        if p.kind == "direct":
            rh = np.asarray(
                ctx.weather.get("relative_humidity_frac", np.full(tdb.shape, 0.6)), dtype=np.float64
            )
            w_in = humidity_ratio_from_relative_humidity(
                tdb, np.where(np.isfinite(rh), np.clip(rh, 0.0, 1.0), 0.6), pressure
            )
            evap_kg_s = m_air * flow_share * evaporated_water_kg_per_kg(tdb, t_out, w_in)
        else:
            # the secondary stream evaporates the heat taken from the primary air
            heat_w = m_air * flow_share * cp * np.maximum(tdb - t_out, 0.0)
            evap_kg_s = heat_w / ((_LATENT_KJ_PER_KG + _VAPOUR_CP_KJ_PER_KG_K * twb) * 1000.0)
        water = (
            evap_kg_s
            * (1.0 + 1.0 / (p.cycles_of_concentration - 1.0))
            * 3600.0
            / _WATER_DENSITY_KG_PER_M3
        )
        return Flows(
            ports={"cooling": cooling, "el": el},
            outputs={
                "temp_wet_bulb_c": np.asarray(twb, dtype=np.float64),
                "temp_supply_c": t_out,
                "cooling_capacity_kw": cap,
                "water_m3_per_h": water,
                "running_frac": running,
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        cooling = grid.energy_kwh(flows.ports["cooling"])
        el = grid.energy_kwh(flows.ports["el"])
        return {
            "cooling_kwh": cooling,
            "electricity_kwh": el,
            "water_m3": grid.energy_kwh(flows.outputs["water_m3_per_h"]),
            "running_h": grid.energy_kwh(flows.outputs["running_frac"]),
            "seasonal_cop": cooling / el if el > 0 else 0.0,
        }

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "hall_evap",
            "kind": "direct",
            "effectiveness_frac": 0.85,
            "effectiveness_source": "illustrative (rigid media pad datasheet value)",
            "airflow_m3_per_h": 60_000.0,
            "fan_power_kw": 15.0,
            "pump_power_kw": 1.1,
        }
