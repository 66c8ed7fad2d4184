"""Air-source heat pumps: how much electricity does it take to deliver space-heating water?

Capacity and efficiency follow the outdoor dry-bulb temperature T [°C] as
in EnergyPlus's DX heating coil (``Coil:Heating:DX:SingleSpeed``), per unit:

- capacity   Q(T) = Q_rated · CAPFT(T) / CAPFT(T_rated) · F_Q
- power      P = Q(T)/F_Q / COP_rated · EIRFT(T) / EIRFT(T_rated) · F_P · PLR / PLF(PLR)

with cubic CAPFT and EIRFT in T (clamped to the curves' range), the part-
load fraction PLF (cycling losses; runtime fraction PLR/PLF) and, below the
defrost threshold, EnergyPlus's on-demand reverse-cycle frost multipliers
F_Q = 0.875 (1 - f_def), F_P = 0.954 (1 - f_def) with defrost time
fraction f_def = 1 / (1 + 0.01446/ΔW), ΔW the outdoor humidity ratio above
saturation at the estimated coil temperature 0.82 T - 8.589 °C (the
DOE-2.1E model from EPRI EM-4226). Dividing by the curves' values at the
rating temperature makes ``rated_heating_capacity_kw`` and ``rated_cop``
hold at ``rated_outdoor_temp_c`` (e.g. 7 °C for an EN 14511 A7/W35 or
A7/W45 rating). The water supply temperature is the bus's: give the rating
at that supply temperature.

Default curves (:data:`HEAT_PUMP_CURVES`): ``HPACHeatCapFT``,
``HPACHeatEIRFT`` and ``HPACCOOLPLFFPLR`` of EnergyPlus's example files
and unit tests for single-speed air-source heat pumps (rated at 8.33 °C,
47 °F, outdoor dry-bulb; valid -20..20 °C). They describe an air-to-air
unit; an air-to-water unit of the same refrigerant cycle has a similar
dependence on outdoor temperature at a fixed supply temperature. Give the
manufacturer's curve (custom coefficients) for a specific product.

Below ``min_outdoor_temp_c`` the compressor is off. Several identical units
are staged by load like chillers. What the heat pumps cannot deliver stays
on the heat bus for the boiler (Stage HEAT_SUPPLY) or as unmet demand.

References
----------
.. [1] U.S. DOE, EnergyPlus Engineering Reference, "Single-Speed
   Electric Heat Pump DX Air Heating Coil" (frost adjustment factors,
   defrost, part-load fraction).
.. [2] EnergyPlus Input Output Reference, Coil:Heating:DX:SingleSpeed
   example; curves ``HPACHeatCapFT``/``HPACHeatEIRFT`` in the
   EnergyPlus test suite (``tst/EnergyPlus/unit/DXCoils.unit.cc``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.chiller import quadratic, stage_units
from twin.components.hvac_psychrometrics import (
    humidity_ratio_from_relative_humidity,
    humidity_ratio_saturated,
    pressure_from_elevation_pa,
)

from twin.carriers import ELECTRICITY, HEAT
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
    "HEAT_PUMP_CURVES",
    "HeatPump",
    "HeatPumpCurveSet",
    "HeatPumpParams",
    "cubic",
    "defrost_multipliers",
    "heat_pump_performance",
]

_PLF_MIN = 0.7
"""EnergyPlus requires a part-load fraction of at least 0.7."""


@dataclass(frozen=True)
class HeatPumpCurveSet:
    """Capacity and EIR curves of an air-source heat pump against outdoor dry-bulb.

    Attributes
    ----------
    description : str
    capft, eirft : tuple of 4 floats
        Cubic coefficients c1..c4 of f = c1 + c2 T + c3 T² + c4 T³.
    plf : tuple of 3 floats
        Part-load fraction quadratic in PLR.
    t_range_c : tuple of 2 floats
        Validity (clamping) range of T [°C].
    t_ref_c : float
        Rating temperature of the curves [°C].
    """

    description: str
    capft: tuple[float, float, float, float]
    eirft: tuple[float, float, float, float]
    plf: tuple[float, float, float]
    t_range_c: tuple[float, float]
    t_ref_c: float


HEAT_PUMP_CURVES: Mapping[str, HeatPumpCurveSet] = {
    "energyplus_dx_heating": HeatPumpCurveSet(
        "EnergyPlus single-speed air-source heat pump: HPACHeatCapFT, HPACHeatEIRFT, "
        "HPACCOOLPLFFPLR",
        (0.758746, 0.027626, 0.000148716, 0.0000034992),
        (1.19248, -0.0300438, 0.00103745, -0.000023328),
        (0.85, 0.15, 0.0),
        (-20.0, 20.0),
        8.33,
    ),
}
"""Curve set name -> :class:`HeatPumpCurveSet`."""


def cubic(coefficients, x) -> np.ndarray:
    """EnergyPlus ``Curve:Cubic``: c1 + c2 x + c3 x² + c4 x³.

    Examples
    --------
    >>> round(float(cubic(HEAT_PUMP_CURVES["energyplus_dx_heating"].capft, 8.33)), 4)
    1.0012
    """
    c1, c2, c3, c4 = coefficients
    x = np.asarray(x, dtype=np.float64)
    return c1 + x * (c2 + x * (c3 + x * c4))


def defrost_multipliers(
    temp_air_c: np.ndarray,
    relative_humidity_frac: np.ndarray,
    pressure_pa: np.ndarray | float,
    *,
    max_outdoor_temp_c: float = 5.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """On-demand reverse-cycle defrost of an air-source heat pump (EnergyPlus/DOE-2.1E).

    Parameters
    ----------
    temp_air_c, relative_humidity_frac : array
        Outdoor dry-bulb [°C] and relative humidity [-].
    pressure_pa : array or float
        Station pressure [Pa].
    max_outdoor_temp_c : float, default 5
        No frost above this outdoor temperature (EnergyPlus default) [°C].

    Returns
    -------
    capacity_mult : array
        F_Q [-].
    power_mult : array
        F_P [-].
    defrost_time_frac : array
        f_def [-].

    Notes
    -----
    .. math::

        T_{coil} = 0.82\\,T - 8.589, \\quad
        \\Delta W = \\max(10^{-6}, W_o - W_{sat}(T_{coil}))

        f_{def} = \\frac{1}{1 + 0.01446/\\Delta W}, \\quad
        F_Q = 0.875(1 - f_{def}), \\quad F_P = 0.954(1 - f_{def})
    """
    t = np.asarray(temp_air_c, dtype=np.float64)
    w_out = humidity_ratio_from_relative_humidity(t, relative_humidity_frac, pressure_pa)
    w_coil = humidity_ratio_saturated(0.82 * t - 8.589, pressure_pa)
    dw = np.maximum(w_out - w_coil, 1e-6)
    f_def = 1.0 / (1.0 + 0.01446 / dw)
    frost = t < max_outdoor_temp_c
    return (
        np.where(frost, 0.875 * (1.0 - f_def), 1.0),
        np.where(frost, 0.954 * (1.0 - f_def), 1.0),
        np.where(frost, f_def, 0.0),
    )


def heat_pump_performance(
    temp_air_c: np.ndarray,
    *,
    rated_heating_capacity_kw: float,
    rated_cop: float,
    curves: HeatPumpCurveSet,
    rated_outdoor_temp_c: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Steady-state full-load capacity and COP of one unit without frost.

    Parameters
    ----------
    temp_air_c : array
        Outdoor dry-bulb [°C].
    rated_heating_capacity_kw : float
        Heating capacity at the rating temperature [kW].
    rated_cop : float
        COP at the rating temperature, > 0 [-].
    curves : HeatPumpCurveSet
        CAPFT and EIRFT.
    rated_outdoor_temp_c : float, optional
        Rating temperature; default the curves' [°C].

    Returns
    -------
    capacity_kw : array
        [kW].
    cop : array
        [-].

    Examples
    --------
    >>> q, cop = heat_pump_performance(np.array([-10.0, 7.0, 15.0]), rated_heating_capacity_kw=100.0,
    ...     rated_cop=3.5, curves=HEAT_PUMP_CURVES["energyplus_dx_heating"], rated_outdoor_temp_c=7.0)
    >>> np.round(q, 1).tolist(), np.round(cop, 2).tolist()
    ([51.4, 100.0, 126.8], [2.21, 3.5, 4.0])
    """
    t_ref = curves.t_ref_c if rated_outdoor_temp_c is None else rated_outdoor_temp_c
    t = np.clip(np.asarray(temp_air_c, dtype=np.float64), *curves.t_range_c)
    t_ref = float(np.clip(t_ref, *curves.t_range_c))
    cap = rated_heating_capacity_kw * cubic(curves.capft, t) / cubic(curves.capft, t_ref)
    eir = cubic(curves.eirft, t) / cubic(curves.eirft, t_ref) / rated_cop
    return np.maximum(cap, 0.0), np.divide(1.0, eir, out=np.zeros_like(eir), where=eir > 0.0)


class HeatPumpParams(ComponentParams):
    """Parameters of identical air-source heat pumps serving a heat bus."""

    curves: Literal["energyplus_dx_heating", "custom"] = Field(
        default="energyplus_dx_heating",
        description="Named curve set, or 'custom' with capacity_coefficients and eir_coefficients.",
    )
    capacity_coefficients: list[float] | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        description="Custom CAPFT cubic c1..c4 in outdoor dry-bulb [°C].",
    )
    eir_coefficients: list[float] | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        description="Custom EIRFT cubic c1..c4 in outdoor dry-bulb [°C].",
    )
    plf_coefficients: list[float] = Field(
        default_factory=lambda: [0.85, 0.15, 0.0],
        min_length=3,
        max_length=3,
        description="Part-load fraction quadratic in PLR (cycling losses; EnergyPlus "
        "HPACCOOLPLFFPLR 0.85 + 0.15 PLR).",
    )
    curve_outdoor_range_c: list[float] = Field(
        default_factory=lambda: [-20.0, 20.0],
        min_length=2,
        max_length=2,
        description="Custom curves: clamping range of the outdoor temperature [°C].",
    )
    rated_heating_capacity_kw: float = Field(
        gt=0,
        allow_inf_nan=False,
        le=20_000.0,
        description="Heating capacity of one unit at the rating point [kW].",
    )
    rated_cop: float = Field(
        gt=0, allow_inf_nan=False, le=10.0, description="COP at the rating point [-]."
    )
    rated_outdoor_temp_c: float = Field(
        default=8.33,
        ge=-20.0,
        le=20.0,
        description="Outdoor dry-bulb of the rating (8.33 for the EnergyPlus curves; 7 for "
        "EN 14511 A7 ratings) [°C].",
    )
    units: int = Field(default=1, ge=1, le=50, description="Identical units, staged by load.")
    min_outdoor_temp_c: float = Field(
        default=-15.0,
        ge=-40.0,
        le=10.0,
        description="Compressor cut-out: below this outdoor temperature the unit is off [°C].",
    )
    defrost: Literal["on_demand", "none"] = Field(
        default="on_demand",
        description="Frost and reverse-cycle defrost losses (EnergyPlus on-demand model) or none.",
    )
    defrost_max_outdoor_temp_c: float = Field(
        default=5.0,
        ge=-10.0,
        le=10.0,
        description="Frost forms below this outdoor dry-bulb (EnergyPlus default 5) [°C].",
    )
    bus: str = Field(default="hot_water", description="HEAT bus the heat pumps serve.")
    electricity_bus: str = Field(default="electricity", description="Electricity bus.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        custom = [self.capacity_coefficients, self.eir_coefficients]
        if self.curves == "custom" and any(c is None for c in custom):
            msg = (
                "curves = 'custom' needs capacity_coefficients and eir_coefficients (both required)"
            )
            raise ValueError(msg)
        if self.curves != "custom" and any(c is not None for c in custom):
            msg = f"give either curves = {self.curves!r} or the coefficient lists, not both"
            raise ValueError(msg)
        return self

    @property
    def curve_set(self) -> HeatPumpCurveSet:
        """The curves in use."""
        if self.curves != "custom":
            base = HEAT_PUMP_CURVES[self.curves]
            return HeatPumpCurveSet(
                base.description,
                base.capft,
                base.eirft,
                tuple(self.plf_coefficients),
                base.t_range_c,
                base.t_ref_c,
            )
        return HeatPumpCurveSet(
            "custom",
            tuple(self.capacity_coefficients),
            tuple(self.eir_coefficients),
            tuple(self.plf_coefficients),
            tuple(self.curve_outdoor_range_c),
            self.rated_outdoor_temp_c,
        )


@register_component("heat_pump")
class HeatPump(Component):
    """Air-source heat pumps serving a heat bus (before boilers).

    Ports: ``heat`` (HEAT out, Role.SUPPLY) and ``el`` (electricity in,
    Role.USE). Outputs: ``capacity_kw`` (all units, after frost),
    ``cop`` (delivered heat / electricity), ``units_on_count``,
    ``part_load_frac``, ``defrost_time_frac``, ``unserved_kw`` (heat
    demand left on the bus).
    """

    stage = Stage.HVAC
    Params = HeatPumpParams

    params: HeatPumpParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        return (
            Port("heat", HEAT, Direction.OUT, p.bus, Role.SUPPLY),
            Port("el", ELECTRICITY, Direction.IN, p.electricity_bus, Role.USE),
        )

    def outputs(self) -> tuple[Output, ...]:
        return tuple(
            output(n)
            for n in (
                "capacity_kw",
                "cop",
                "units_on_count",
                "part_load_frac",
                "defrost_time_frac",
                "unserved_kw",
            )
        )

    @classmethod
    def example_params(cls) -> dict[str, Any]:
        return {
            "name": "ashp",
            "rated_heating_capacity_kw": 200.0,
            "rated_cop": 3.2,
            "rated_outdoor_temp_c": 7.0,
            "units": 2,
        }

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        curves = p.curve_set
        demand = np.maximum(ctx.net_demand(p.bus), 0.0)
        w = ctx.weather
        t = np.asarray(w["temp_air_c"], dtype=np.float64)
        steady_cap, steady_cop = heat_pump_performance(
            t,
            rated_heating_capacity_kw=p.rated_heating_capacity_kw,
            rated_cop=p.rated_cop,
            curves=curves,
            rated_outdoor_temp_c=p.rated_outdoor_temp_c,
        )
        if p.defrost == "on_demand":
            rh = np.asarray(
                w.get("relative_humidity_frac", np.full(t.shape, 0.7)), dtype=np.float64
            )
            rh = np.where(np.isfinite(rh), rh, 0.7)
            default_p = pressure_from_elevation_pa(ctx.site.elevation_m)
            pres = np.asarray(w.get("pressure_pa", np.full(t.shape, default_p)), dtype=np.float64)
            pres = np.where(np.isfinite(pres) & (pres > 50_000.0), pres, default_p)
            f_q, f_p, f_def = defrost_multipliers(
                t, rh, pres, max_outdoor_temp_c=p.defrost_max_outdoor_temp_c
            )
        else:
            f_q = f_p = np.ones_like(t)
            f_def = np.zeros_like(t)
        running = t >= p.min_outdoor_temp_c
        unit_cap = np.where(running, steady_cap * f_q, 0.0)
        units_on, each = stage_units(demand, unit_cap, p.units)
        plr = np.divide(each, unit_cap, out=np.zeros_like(each), where=unit_cap > 0.0)
        plf = np.clip(quadratic(curves.plf, plr), _PLF_MIN, 1.0)
        steady_power = np.divide(
            steady_cap, steady_cop, out=np.zeros_like(t), where=steady_cop > 0.0
        )
        power = units_on * steady_power * f_p * plr / plf
        delivered = np.minimum(demand, p.units * unit_cap)
        return Flows(
            ports={"heat": delivered, "el": power},
            outputs={
                "capacity_kw": p.units * unit_cap,
                "cop": np.divide(delivered, power, out=np.zeros_like(power), where=power > 0.0),
                "units_on_count": units_on,
                "part_load_frac": plr,
                "defrost_time_frac": np.where(units_on > 0.0, f_def, 0.0),
                "unserved_kw": np.maximum(demand - delivered, 0.0),
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        heat = grid.energy_kwh(flows.ports["heat"])
        el = grid.energy_kwh(flows.ports["el"])
        return {
            "heat_kwh": heat,
            "electricity_kwh": el,
            "scop": heat / el if el > 0 else 0.0,
            "unserved_kwh": grid.energy_kwh(flows.outputs["unserved_kw"]),
        }
