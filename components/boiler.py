"""Gas boilers: the fuel needed to supply a heat demand.

The physical question is the natural gas a boiler burns to deliver the heat
left on its bus (hot water, process heat) after everything computed before
it, such as heat recovery. Efficiency is on the lower heating value (LHV)
and varies with part load through a normalised efficiency curve, as
EnergyPlus ``Boiler:HotWater`` does (``Normalized Boiler Efficiency
Curve``):

.. math:: \\eta(PLR) = \\eta_{rated}\\,f(PLR[, \\theta_{return}]),
    \\qquad P_{gas} = Q / \\eta(PLR)

with the curve sets of the EnergyPlus example inputs:

- ``non_condensing``: the quadratic :math:`0.97 + 0.0633\\,PLR - 0.0333\\,PLR^2`
  (EnergyPlus ``HVACTemplate:Plant:Boiler`` expansion for hot-water
  boilers; 1 at full load, 0.98 at PLR 0.2);
- ``condensing``: the biquadratic ``CondensingBoilerEff`` in PLR and the
  boiler's entering (return) water temperature,
  :math:`1.12497 + 0.014964\\,PLR - 0.025998\\,PLR^2
  - 1.40464\\cdot10^{-6}\\,\\theta^2 - 0.00153624\\,PLR\\,\\theta`
  (PLR 0.1-1, θ 30-85 °C), which rises as the return water gets colder;
- ``constant`` or three custom quadratic coefficients.

Below the burner's minimum firing rate (``min_plr_frac``, its turndown) the
boiler cycles on and off: it fires at the minimum rate with the curve's
efficiency there, and while it is off the hot boiler loses its standby heat
to the room and the flue (``standby_loss_frac`` of the rated output, the
EN 15316-4-1 generator standby loss): :math:`P_{gas} = Q/\\eta(PLR_{min}) +
f_{stby} Q_{rated} (1 - PLR/PLR_{min})`. At 4 % load a non-condensing
boiler of 0.92 rated LHV efficiency (turndown 0.2, standby loss 1 %) thus
reaches 0.77.

Gas is counted in kW on the LHV basis on the gas bus; the Nm³ output goes
through the LHV. The boiler does **not** report CO2: scope 1 is counted
once, at the gas supply's meter (:mod:`components.gas_supply`).
"""

from __future__ import annotations

from typing import Literal, Self

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

__all__ = [
    "CONDENSING_CURVE",
    "NON_CONDENSING_CURVE",
    "Boiler",
    "BoilerParams",
    "boiler_efficiency",
    "boiler_fuel_kw",
]

_NG_LHV_KWH_PER_NM3 = 38931.0 / 3600.0

NON_CONDENSING_CURVE: tuple[float, float, float] = (0.97, 0.0633, -0.0333)
"""Normalised efficiency a + b PLR + c PLR² of a non-condensing hot-water
boiler (EnergyPlus HVACTemplate:Plant:Boiler expansion, Curve:Quadratic) [-]."""

CONDENSING_CURVE: tuple[float, float, float, float, float, float] = (
    1.124970374,
    0.014963852,
    -0.02599835,
    0.0,
    -1.40464e-6,
    -0.00153624,
)
"""Normalised efficiency c1 + c2 x + c3 x² + c4 y + c5 y² + c6 x y of a
condensing boiler, x = PLR (0.1-1), y = entering water temperature (30-85 °C)
(EnergyPlus example inputs, Curve:Biquadratic ``CondensingBoilerEff``) [-]."""

CurveKind = Literal["constant", "non_condensing", "condensing"]


def boiler_efficiency(
    part_load_frac,
    efficiency_lhv,
    curve=None,
    *,
    kind: CurveKind = "constant",
    return_temp_c: float | np.ndarray = 55.0,
):
    """LHV efficiency at part load (while firing).

    Parameters
    ----------
    part_load_frac : float or array
        Heat output / rated heat output, in [0, 1] [-].
    efficiency_lhv : float
        Efficiency at rated output (the curve's normalisation point), LHV [-].
    curve : sequence of 3 floats, optional
        Custom coefficients (a, b, c) of :math:`a + b\\,PLR + c\\,PLR^2`;
        overrides ``kind``.
    kind : {"constant", "non_condensing", "condensing"}
        Curve set (see the module docstring).
    return_temp_c : float or array, default 55
        Water temperature entering the boiler, for ``condensing`` [°C].

    Returns
    -------
    float or array
        Efficiency, LHV basis [-].

    Examples
    --------
    >>> round(float(boiler_efficiency(0.5, 0.9, (0.97, 0.06, -0.03))), 4)
    0.8933
    >>> round(float(boiler_efficiency(0.2, 0.92, kind="non_condensing")), 4)
    0.9028
    >>> [round(float(boiler_efficiency(0.5, 0.97, kind="condensing", return_temp_c=t)), 3)
    ...  for t in (30.0, 60.0)]
    [1.069, 1.043]
    """
    plr = np.clip(np.asarray(part_load_frac, dtype=np.float64), 0.0, 1.0)
    if curve is None and kind == "non_condensing":
        curve = NON_CONDENSING_CURVE
    if curve is not None:
        a, b, c = curve
        return efficiency_lhv * (a + b * plr + c * plr**2)
    if kind == "condensing":
        c1, c2, c3, c4, c5, c6 = CONDENSING_CURVE
        x = np.clip(plr, 0.1, 1.0)
        y = np.clip(np.asarray(return_temp_c, dtype=np.float64), 30.0, 85.0)
        return efficiency_lhv * (c1 + c2 * x + c3 * x * x + c4 * y + c5 * y * y + c6 * x * y)
    return np.full_like(plr, efficiency_lhv)


def boiler_fuel_kw(
    heat_kw,
    rated_heat_kw,
    efficiency_lhv,
    curve=None,
    *,
    kind: CurveKind = "constant",
    return_temp_c: float | np.ndarray = 55.0,
    min_plr_frac: float = 0.0,
    standby_loss_frac: float = 0.0,
):
    """Fuel power a boiler burns for a heat output, with cycling below its turndown.

    Parameters
    ----------
    heat_kw : float or array
        Heat delivered, within ``[0, rated_heat_kw]`` [kW].
    rated_heat_kw : float
        Rated heat output [kW].
    efficiency_lhv : float
        Rated LHV efficiency [-].
    curve, kind, return_temp_c
        Efficiency curve, see :func:`boiler_efficiency`.
    min_plr_frac : float, default 0
        Minimum firing rate over the rated output (burner turndown);
        below it the boiler cycles [-].
    standby_loss_frac : float, default 0
        Standby heat loss of the hot boiler while off, share of the rated
        output (EN 15316-4-1 P_stby) [-].

    Returns
    -------
    array
        Fuel power, LHV basis, 0 where no heat is delivered [kW].

    Notes
    -----
    For :math:`PLR < PLR_{min}`: :math:`P = Q/\\eta(PLR_{min}) + f_{stby}
    Q_{rated}(1 - PLR/PLR_{min})` (on at the minimum rate for the share
    :math:`PLR/PLR_{min}` of the step, standing hot the rest).

    Examples
    --------
    >>> boiler_fuel_kw(np.array([0.0, 450.0]), 500.0, 0.9).tolist()
    [0.0, 500.0]
    >>> q = 20.0  # 4 % of 500 kW
    >>> round(q / float(boiler_fuel_kw(q, 500.0, 0.92, kind="non_condensing",
    ...     min_plr_frac=0.2, standby_loss_frac=0.01)), 3)
    0.765
    """
    q = np.asarray(heat_kw, dtype=np.float64)
    plr = q / rated_heat_kw
    firing = np.maximum(plr, min_plr_frac)
    eta = boiler_efficiency(firing, efficiency_lhv, curve, kind=kind, return_temp_c=return_temp_c)
    fuel = np.divide(q, eta, out=np.zeros_like(q), where=q > 0.0)
    if min_plr_frac > 0.0 and standby_loss_frac > 0.0:
        off = np.where(q > 0.0, np.maximum(1.0 - plr / min_plr_frac, 0.0), 0.0)
        fuel = fuel + standby_loss_frac * rated_heat_kw * off
    return fuel


class BoilerParams(ComponentParams):
    """Parameters of a gas boiler."""

    rated_heat_kw: float = Field(gt=0, allow_inf_nan=False, description="Rated heat output [kW].")
    efficiency_lhv: float = Field(
        gt=0,
        le=1.1,
        allow_inf_nan=False,
        description="Efficiency at rated output on the lower heating value (condensing boilers "
        "can exceed 1 on LHV), from the datasheet [-].",
    )
    efficiency_curve: CurveKind = Field(
        default="non_condensing",
        description="Part-load efficiency curve: non_condensing or condensing (EnergyPlus "
        "example curves, see the module docstring) or constant.",
    )
    part_load_curve: list[float] | None = Field(
        default=None,
        min_length=3,
        max_length=3,
        description="Custom coefficients (a, b, c) of the normalised efficiency a + b PLR + "
        "c PLR² (EnergyPlus Boiler:HotWater); overrides efficiency_curve [-].",
    )
    return_temp_c: float = Field(
        default=55.0,
        ge=10.0,
        le=95.0,
        description="Water temperature returning to the boiler, for the condensing curve "
        "(a 45 °C space-heating loop returns at about 35-40 °C) [°C].",
    )
    min_plr_frac: float = Field(
        default=0.2,
        ge=0.0,
        lt=1.0,
        description="Minimum firing rate over the rated output (burner turndown 5:1 = 0.2); "
        "below it the boiler cycles [-].",
    )
    standby_loss_frac: float = Field(
        default=0.01,
        ge=0.0,
        le=0.1,
        description="Standby heat loss while hot and off, share of the rated output "
        "(EN 15316-4-1 generator standby loss; 0.005-0.015 for modern boilers) [-].",
    )
    lhv_kwh_per_nm3: float = Field(
        default=_NG_LHV_KWH_PER_NM3,
        gt=0,
        allow_inf_nan=False,
        description="Gas LHV for the Nm³ output: 38,931 kJ/Nm³ = 10.814 kWh/Nm³ (GB/T 2589) "
        "[kWh/Nm³].",
    )
    heat_bus: str = Field(default="hot_water", description="Heat bus served.")
    gas_bus: str = Field(
        default="natural_gas", description="Natural-gas bus the burner draws from."
    )

    @model_validator(mode="after")
    def _curve(self) -> Self:
        plr = np.linspace(0.0, 1.0, 101)
        eta = boiler_efficiency(
            plr,
            self.efficiency_lhv,
            self.part_load_curve,
            kind=self.efficiency_curve,
            return_temp_c=self.return_temp_c,
        )
        if eta.min() <= 0 or eta.max() > 1.1:
            msg = (
                f"part-load efficiency must stay in (0, 1.1] for PLR 0..1, got "
                f"{eta.min():.3f}..{eta.max():.3f}; check efficiency_lhv and the curve"
            )
            raise ValueError(msg)
        return self

    def fuel_kw(self, heat_kw: np.ndarray) -> np.ndarray:
        """Fuel for a heat output with this boiler's curve and cycling [kW]."""
        return boiler_fuel_kw(
            heat_kw,
            self.rated_heat_kw,
            self.efficiency_lhv,
            self.part_load_curve,
            kind=self.efficiency_curve,
            return_temp_c=self.return_temp_c,
            min_plr_frac=self.min_plr_frac,
            standby_loss_frac=self.standby_loss_frac,
        )


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
            output(
                "fuel_nm3_per_h",
                description="gas volume equivalent of the gas port at the meter's LHV",
            ),
            output("part_load_frac"),
            output("efficiency_lhv"),
            output(
                "loss_kw",
                Meaning.LOSS,
                carrier=NATURAL_GAS,
                description="fuel energy not delivered as heat",
            ),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        heat = np.clip(ctx.net_demand(p.heat_bus), 0.0, p.rated_heat_kw)
        gas = p.fuel_kw(heat)
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
