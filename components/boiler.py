"""Gas boilers: the fuel needed to supply a heat demand.

The physical question is the natural gas a boiler burns to deliver the heat
left on its bus (hot water, process heat) after everything computed before
it, such as heat recovery. Efficiency is on the lower heating value (LHV),
constant or varying with part load through a normalised quadratic curve,
as EnergyPlus ``Boiler:HotWater`` does:

.. math:: \\eta(PLR) = \\eta_{rated}\\,(a + b\\,PLR + c\\,PLR^2),
    \\qquad P_{gas} = Q / \\eta(PLR)

Gas is counted in kW on the LHV basis on the gas bus; the Nm³ output goes
through the LHV. The boiler does **not** report CO2: scope 1 is counted
once, at the gas supply's meter (:mod:`components.gas_supply`).
"""

from __future__ import annotations

from typing import Self

import numpy as np
from pydantic import Field, model_validator

from twin.carriers import HEAT, NATURAL_GAS
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

__all__ = ["Boiler", "BoilerParams", "boiler_efficiency", "boiler_fuel_kw"]

_NG_LHV_KWH_PER_NM3 = 38931.0 / 3600.0


def boiler_efficiency(part_load_frac, efficiency_lhv, curve=None):
    """LHV efficiency at part load.

    Parameters
    ----------
    part_load_frac : float or array
        Heat output / rated heat output, in [0, 1] [-].
    efficiency_lhv : float
        Efficiency at rated output, LHV basis [-].
    curve : sequence of 3 floats, optional
        Coefficients (a, b, c) of the normalised efficiency curve
        :math:`a + b\\,PLR + c\\,PLR^2` (EnergyPlus ``Boiler:HotWater``,
        "Normalized Boiler Efficiency Curve", quadratic form); None for a
        constant efficiency.

    Returns
    -------
    float or array
        Efficiency, LHV basis [-].

    Examples
    --------
    >>> round(float(boiler_efficiency(0.5, 0.9, (0.97, 0.06, -0.03))), 4)
    0.8933
    """
    plr = np.clip(np.asarray(part_load_frac, dtype=np.float64), 0.0, 1.0)
    if curve is None:
        return np.full_like(plr, efficiency_lhv)
    a, b, c = curve
    return efficiency_lhv * (a + b * plr + c * plr**2)


def boiler_fuel_kw(heat_kw, rated_heat_kw, efficiency_lhv, curve=None):
    """Fuel power a boiler burns for a heat output.

    Parameters
    ----------
    heat_kw : float or array
        Heat delivered, within ``[0, rated_heat_kw]`` [kW].
    rated_heat_kw : float
        Rated heat output [kW].
    efficiency_lhv : float
        Rated LHV efficiency [-].
    curve : sequence of 3 floats, optional
        Normalised part-load curve, see :func:`boiler_efficiency`.

    Returns
    -------
    array
        Fuel power, LHV basis, 0 where no heat is delivered [kW].

    Examples
    --------
    >>> boiler_fuel_kw(np.array([0.0, 450.0]), 500.0, 0.9).tolist()
    [0.0, 500.0]
    """
    q = np.asarray(heat_kw, dtype=np.float64)
    eta = boiler_efficiency(q / rated_heat_kw, efficiency_lhv, curve)
    return np.divide(q, eta, out=np.zeros_like(q), where=q > 0.0)


class BoilerParams(ComponentParams):
    """Parameters of a gas boiler."""

    rated_heat_kw: float = Field(gt=0, allow_inf_nan=False, description="Rated heat output [kW].")
    efficiency_lhv: float = Field(
        gt=0, le=1.1, allow_inf_nan=False,
        description="Efficiency at rated output on the lower heating value (condensing boilers "
        "can exceed 1 on LHV), from the datasheet [-].",
    )
    part_load_curve: list[float] | None = Field(
        default=None, min_length=3, max_length=3,
        description="Coefficients (a, b, c) of the normalised efficiency a + b PLR + c PLR² "
        "(EnergyPlus Boiler:HotWater); default constant efficiency [-].",
    )
    lhv_kwh_per_nm3: float = Field(
        default=_NG_LHV_KWH_PER_NM3, gt=0, allow_inf_nan=False,
        description="Gas LHV for the Nm³ output: 38,931 kJ/Nm³ = 10.814 kWh/Nm³ (GB/T 2589) [kWh/Nm³].",
    )
    heat_bus: str = Field(default="hot_water", description="Heat bus served.")
    gas_bus: str = Field(default="natural_gas", description="Natural-gas bus the burner draws from.")

    @model_validator(mode="after")
    def _curve(self) -> Self:
        if self.part_load_curve is not None:
            plr = np.linspace(0.0, 1.0, 101)
            eta = boiler_efficiency(plr, self.efficiency_lhv, self.part_load_curve)
            if eta.min() <= 0 or eta.max() > 1.1:
                msg = (
                    f"part_load_curve: efficiency must stay in (0, 1.1] for PLR 0..1, got "
                    f"{eta.min():.3f}..{eta.max():.3f}; check the coefficients"
                )
                raise ValueError(msg)
        return self


@register_component("boiler")
class Boiler(Component):
    """Gas boiler: ``gas`` in (role USE, kW LHV) and ``heat`` out (role SUPPLY).

    Serves the net heat demand on its bus up to its rated output; what is
    left is reported by the run as unmet. Outputs: ``fuel_nm3_per_h``,
    ``part_load_frac``, ``efficiency_lhv``, ``loss_kw``.
    """

    stage = Stage.HEAT_SUPPLY
    Params = BoilerParams

    params: BoilerParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        return (
            Port("gas", NATURAL_GAS, Direction.IN, p.gas_bus, Role.USE),
            Port("heat", HEAT, Direction.OUT, p.heat_bus, Role.SUPPLY),
        )

    def outputs(self) -> tuple[Output, ...]:
        return (
            output("fuel_nm3_per_h", description="gas volume equivalent of the gas port at the meter's LHV"),
            output("part_load_frac"),
            output("efficiency_lhv"),
            output("loss_kw", Meaning.LOSS, carrier=NATURAL_GAS, description="fuel energy not delivered as heat"),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        heat = np.clip(ctx.net_demand(p.heat_bus), 0.0, p.rated_heat_kw)
        gas = boiler_fuel_kw(heat, p.rated_heat_kw, p.efficiency_lhv, p.part_load_curve)
        plr = heat / p.rated_heat_kw
        eta = np.divide(heat, gas, out=np.zeros_like(heat), where=gas > 0.0)
        return Flows(
            ports={"gas": gas, "heat": heat},
            outputs={
                "fuel_nm3_per_h": gas / p.lhv_kwh_per_nm3,
                "part_load_frac": plr,
                "efficiency_lhv": eta,
                "loss_kw": np.maximum(gas - heat, 0.0),
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        heat = float(flows.ports["heat"].sum() * grid.step_h)
        gas = float(flows.ports["gas"].sum() * grid.step_h)
        return {
            "heat_kwh": heat,
            "gas_kwh": gas,
            "gas_nm3": float(flows.outputs["fuel_nm3_per_h"].sum() * grid.step_h),
            "mean_efficiency_lhv": heat / gas if gas > 0 else 0.0,
        }

    @classmethod
    def example_params(cls) -> dict:
        return {"name": "hot_water_boiler", "rated_heat_kw": 500.0, "efficiency_lhv": 0.92}
