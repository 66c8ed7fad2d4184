"""Gas combined heat and power (CHP): a gas engine or turbine making
electricity and useful heat from natural gas.

The physical question is how much gas a CHP unit burns, and how much
electricity and recoverable heat it makes, when it follows the heat left on
its heat bus (heat-led) or the electricity left on its electricity bus
(electricity-led) within its minimum and rated load.

Efficiencies are on the lower heating value (LHV). Electrical efficiency
varies with part load :math:`PLR = P_{el} / P_{el,rated}` through a
normalised quadratic curve, in the form of the electric-output-to-fuel ratio
curve ("Shaft Power Curve") of EnergyPlus ``Generator:InternalCombustionEngine``;
the recovered heat is a constant share of the fuel, as in that model's
jacket and lube-oil heat recovery curves:

.. math::
    \\eta_{el}(PLR) = \\eta_{el,rated}\\,\\frac{f(PLR)}{f(1)},\\qquad
    f(PLR) = a + b\\,PLR + c\\,PLR^2

    \\dot Q_{fuel} = \\frac{PLR\\,P_{el,rated}}{\\eta_{el}(PLR)},\\qquad
    \\dot Q_{heat} = \\eta_{th}\\,\\dot Q_{fuel}

The default curve is the EnergyPlus example engine's (a, b, c) = (0.09755,
0.6318, -0.4165), with its minimum part-load ratio 0.15 (EnergyPlus
Input Output Reference, ``Generator:InternalCombustionEngine`` example);
give a turbine's own curve for a gas turbine. Below the minimum load the
unit is off (no cycling within a step). Heat-led operation never makes more
heat than the bus takes; electricity-led operation may make more, and that
heat is rejected (output ``heat_dumped_kw``).

The CHP's electricity is on-site generation from natural gas, not renewable;
its gas is drawn from the gas bus and so counted once, as scope 1, at the gas
supply's meter (:mod:`components.gas_supply`).

References
----------
EnergyPlus Engineering Reference, "Internal Combustion Engine Generator"
(electric and recoverable-heat curves as functions of part-load ratio).
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
from pydantic import Field, model_validator

from twin.carriers import ELECTRICITY, HEAT, NATURAL_GAS
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Meaning,
    Output,
    Port,
    Role,
    RunContext,
    Stage,
    output,
    register_component,
)
from twin.timegrid import TimeGrid

__all__ = ["CHP", "CHPParams", "chp_fuel_kw", "chp_part_load_for_heat"]

ENERGYPLUS_ENGINE_CURVE = (0.09755, 0.6318, -0.4165)
"""Electric-output-to-fuel ratio of the EnergyPlus example
``Generator:InternalCombustionEngine`` ("BG Shaft Power Curve") as a
quadratic in part-load ratio; used normalised to its value at full load [-]."""

_NG_LHV_KWH_PER_NM3 = 38931.0 / 3600.0
"""Natural gas LHV, 38,931 kJ/Nm³ (GB/T 2589-2020 Appendix A) [kWh/Nm³]."""


def chp_fuel_kw(
    part_load_frac: np.ndarray | float,
    rated_power_el_kw: float,
    efficiency_el_lhv: float,
    curve: tuple[float, float, float] = ENERGYPLUS_ENGINE_CURVE,
) -> np.ndarray:
    """Fuel input of a CHP unit at part load.

    Parameters
    ----------
    part_load_frac : float or array
        Electrical output / rated electrical output; 0 is off [-].
    rated_power_el_kw : float
        Rated electrical output [kW].
    efficiency_el_lhv : float
        Electrical efficiency at rated output, LHV basis [-].
    curve : (a, b, c)
        Electric-to-fuel ratio curve in PLR, normalised at PLR = 1 [-].

    Returns
    -------
    array
        Fuel power, LHV basis [kW]; 0 where the unit is off.
    """
    plr = np.asarray(part_load_frac, dtype=np.float64)
    a, b, c = curve
    f1 = a + b + c
    eta = efficiency_el_lhv * (a + b * plr + c * plr**2) / f1
    return np.divide(plr * rated_power_el_kw, eta, out=np.zeros_like(plr), where=plr > 0.0)


def chp_part_load_for_heat(
    heat_kw: np.ndarray,
    rated_power_el_kw: float,
    efficiency_el_lhv: float,
    efficiency_th_lhv: float,
    curve: tuple[float, float, float] = ENERGYPLUS_ENGINE_CURVE,
) -> np.ndarray:
    """Part-load ratio at which a CHP unit makes ``heat_kw`` of recovered heat.

    Heat is :math:`\\eta_{th}\\,PLR\\,P_{el,rated}\\,f(1) / (\\eta_{el,rated} f(PLR))`,
    increasing in PLR for a > 0 and c < 0 (its derivative has the sign of
    :math:`a - c\\,PLR^2`), so the PLR solves the quadratic
    :math:`d\\,c\\,PLR^2 + (d\\,b - k)\\,PLR + d\\,a = 0` with
    :math:`k = \\eta_{th} P_{el,rated} f(1) / \\eta_{el,rated}` and
    :math:`d` the heat; the smaller positive root is taken.

    Parameters
    ----------
    heat_kw : array
        Heat wanted [kW].
    rated_power_el_kw, efficiency_el_lhv, efficiency_th_lhv : float
        Rating [kW] and LHV efficiencies at rated output [-].
    curve : (a, b, c)

    Returns
    -------
    array
        PLR, capped at 1 [-].
    """
    d = np.maximum(np.asarray(heat_kw, dtype=np.float64), 0.0)
    a, b, c = curve
    k = efficiency_th_lhv * rated_power_el_kw * (a + b + c) / efficiency_el_lhv
    qa, qb, qc = d * c, d * b - k, d * a
    with np.errstate(invalid="ignore", divide="ignore"):
        disc = np.sqrt(np.maximum(qb * qb - 4.0 * qa * qc, 0.0))
        # numerically stable smaller root of qa x^2 + qb x + qc (qb < 0 where d is small)
        root = np.where(np.abs(qa) > 1e-12, (2.0 * qc) / (-qb + disc), qc / -qb)
    return np.clip(np.where(d > 0.0, root, 0.0), 0.0, 1.0)


class CHPParams(ComponentParams):
    """Parameters of a gas CHP unit (engine or turbine)."""

    technology: Literal["gas_engine", "gas_turbine"] = Field(
        default="gas_engine",
        description="Kind of prime mover (descriptive; give a turbine's own curve and efficiencies).",
    )
    rated_power_el_kw: float = Field(gt=0, le=200_000, description="Rated electrical output [kW].")
    efficiency_el_lhv: float = Field(
        default=0.40,
        gt=0.05,
        le=0.65,
        description="Electrical efficiency at rated output, LHV basis [-] (gas engines 0.38-0.45).",
    )
    efficiency_th_lhv: float = Field(
        default=0.45,
        ge=0.0,
        le=0.8,
        description="Recovered heat / fuel at any load, LHV basis [-] (jacket, oil and exhaust heat).",
    )
    part_load_curve: tuple[float, float, float] = Field(
        default=ENERGYPLUS_ENGINE_CURVE,
        description="(a, b, c) of the electric-to-fuel ratio curve a + b PLR + c PLR^2, normalised at "
        "PLR = 1; default EnergyPlus example engine [-].",
    )
    min_load_frac: float = Field(
        default=0.15,
        ge=0.0,
        lt=1.0,
        description="Lowest part-load ratio the unit runs at; below it the unit is off [-] "
        "(EnergyPlus example engine: 0.15).",
    )
    operation: Literal["heat_led", "electricity_led"] = Field(
        default="heat_led",
        description="Follow the heat left on heat_bus, or the electricity left on electricity_bus.",
    )
    gas_bus: str = Field(default="natural_gas", description="Gas bus the unit burns from.")
    electricity_bus: str = Field(default="electricity", description="Electricity bus it feeds.")
    heat_bus: str = Field(default="hot_water", description="Heat bus its recovered heat feeds.")
    lhv_kwh_per_nm3: float = Field(
        default=_NG_LHV_KWH_PER_NM3,
        gt=5.0,
        le=15.0,
        description="Gas LHV for the volume output [kWh/Nm³] (GB/T 2589: 38,931 kJ/Nm³).",
    )

    @model_validator(mode="after")
    def _curve_positive(self) -> Self:
        a, b, c = self.part_load_curve
        plr = np.linspace(max(self.min_load_frac, 1e-3), 1.0, 50)
        if a <= 0 or c >= 0 and b <= 0 or np.any(a + b * plr + c * plr**2 <= 0):
            msg = (
                "part_load_curve: a + b PLR + c PLR^2 must be positive from min_load_frac to 1 with "
                f"a > 0; got {self.part_load_curve}"
            )
            raise ValueError(msg)
        if c > 0:
            msg = (
                f"part_load_curve: c must be <= 0 (efficiency flat or falling at low load); got {c}"
            )
            raise ValueError(msg)
        if self.efficiency_el_lhv + self.efficiency_th_lhv > 0.98:
            msg = (
                f"efficiency_el_lhv + efficiency_th_lhv = "
                f"{self.efficiency_el_lhv + self.efficiency_th_lhv:.3f} exceeds 0.98 of the fuel's LHV"
            )
            raise ValueError(msg)
        return self


@register_component("chp")
class CHP(Component):
    """Gas engine or turbine CHP (see the module docstring for the model).

    Ports: ``gas`` (in from the gas bus, USE), ``el`` (out to the electricity
    bus, GENERATION from natural gas, not renewable), ``heat`` (out to the
    heat bus, SUPPLY). It computes after the HVAC plant and before the
    boilers, so heat-led operation displaces boiler gas.
    """

    stage = Stage.CHP
    Params = CHPParams

    params: CHPParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        return (
            Port("gas", NATURAL_GAS, Direction.IN, p.gas_bus, Role.USE),
            Port(
                "el",
                ELECTRICITY,
                Direction.OUT,
                p.electricity_bus,
                Role.GENERATION,
                renewable=False,
                source="natural_gas",
            ),
            Port("heat", HEAT, Direction.OUT, p.heat_bus, Role.SUPPLY),
        )

    def outputs(self) -> tuple[Output, ...]:
        return (
            output("part_load_frac"),
            output("efficiency_el_lhv", description="electrical efficiency in the step"),
            output("fuel_nm3_per_h", description="gas volume equivalent of the gas port"),
            output(
                "heat_dumped_kw",
                Meaning.LOSS,
                carrier=HEAT,
                description="recovered heat the heat bus could not take (electricity-led)",
            ),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        rated = p.rated_power_el_kw
        if p.operation == "heat_led":
            want = np.maximum(ctx.net_demand(p.heat_bus), 0.0)
            plr = chp_part_load_for_heat(
                want, rated, p.efficiency_el_lhv, p.efficiency_th_lhv, p.part_load_curve
            )
        else:
            plr = np.clip(ctx.net_demand(p.electricity_bus) / rated, 0.0, 1.0)
        plr = np.where(plr >= max(p.min_load_frac, 1e-9), plr, 0.0)
        fuel = chp_fuel_kw(plr, rated, p.efficiency_el_lhv, p.part_load_curve)
        electricity = plr * rated
        heat_made = p.efficiency_th_lhv * fuel
        # heat-led: the root is exact up to rounding; electricity-led: the rest is rejected
        heat = np.minimum(heat_made, np.maximum(ctx.net_demand(p.heat_bus), 0.0))
        return Flows(
            ports={"gas": fuel, "el": electricity, "heat": heat},
            outputs={
                "part_load_frac": plr,
                "efficiency_el_lhv": np.divide(
                    electricity, fuel, out=np.zeros_like(fuel), where=fuel > 0
                ),
                "fuel_nm3_per_h": fuel / p.lhv_kwh_per_nm3,
                "heat_dumped_kw": heat_made - heat,
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        el = grid.energy_kwh(flows.ports["el"])
        heat = grid.energy_kwh(flows.ports["heat"])
        gas = grid.energy_kwh(flows.ports["gas"])
        running = flows.outputs["part_load_frac"] > 0
        return {
            "electricity_kwh": el,
            "heat_kwh": heat,
            "gas_kwh": gas,
            "heat_dumped_kwh": grid.energy_kwh(flows.outputs["heat_dumped_kw"]),
            "running_h": float(np.count_nonzero(running)) * grid.step_h,
            "full_load_equivalent_h": el / self.params.rated_power_el_kw,
            "mean_efficiency_el_lhv": el / gas if gas > 0 else 0.0,
            "mean_total_efficiency_lhv": (el + heat) / gas if gas > 0 else 0.0,
        }

    @classmethod
    def example_params(cls) -> dict:
        return {"name": "chp", "rated_power_el_kw": 400.0}
