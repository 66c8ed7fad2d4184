"""The measure library: named, costed changes to a plant config.

A measure is a function from a config (as plain data) to a changed config,
plus what it costs: capex, fixed O&M, lifetime and, for measures whose
output fades, a yearly degradation. Measures take validated parameters
(pydantic models with unit-suffixed fields) and touch the config only
through the same dotted-path patches users write (list items by component
name), so a measure never depends on the order of a config's tables.

Costs are inputs, not facts: every default cost below is a placeholder to be
replaced by a quotation, and the ``capex_cny`` the experiment reports is
whatever the measure's parameters say.

Register a new measure with :func:`register_measure`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from twin.config.finite import nonfinite_problems
from twin.config.loader import did_you_mean_key, format_validation_error, set_path
from twin.errors import ConfigError

__all__ = [
    "MEASURES",
    "AppliedMeasure",
    "MeasureError",
    "apply_measure",
    "register_measure",
]


class MeasureError(ValueError):
    """A measure cannot be applied (unknown measure, bad parameter, target missing)."""


@dataclass(frozen=True)
class AppliedMeasure:
    """A measure after application: its name, parameters and money.

    Attributes
    ----------
    measure : str
    params : dict
    capex_cny : float
        Investment [CNY].
    fixed_om_cny_per_year : float
        Fixed operation and maintenance [CNY/yr].
    lifetime_years : int
    degradation_frac_per_year : float
        Yearly loss of the measure's saving (PV degradation, battery fade).
    """

    measure: str
    params: dict[str, Any]
    capex_cny: float
    fixed_om_cny_per_year: float
    lifetime_years: int
    degradation_frac_per_year: float


class _MeasureParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    capex_cny: float | None = Field(
        default=None, ge=0, description="Investment [CNY]; overrides the unit cost."
    )
    fixed_om_cny_per_year: float | None = Field(
        default=None, ge=0, description="Fixed O&M [CNY/yr]."
    )
    lifetime_years: int | None = Field(
        default=None, gt=0, le=60, description="Economic lifetime [yr]."
    )


MeasureFn = Callable[[dict[str, Any], Any, dict[str, float]], tuple[dict[str, Any], AppliedMeasure]]
MEASURES: dict[str, tuple[type[_MeasureParams], MeasureFn, str]] = {}


def register_measure(
    name: str, params: type[_MeasureParams], summary: str
) -> Callable[[MeasureFn], MeasureFn]:
    """Decorator: make ``fn(config, params, finance)`` available as measure ``name``."""

    def decorate(fn: MeasureFn) -> MeasureFn:
        MEASURES[name] = (params, fn, summary)
        return fn

    return decorate


def apply_measure(
    config: dict[str, Any],
    spec: dict[str, Any],
    finance: dict[str, float],
    *,
    copy_config: bool = True,
) -> tuple[dict[str, Any], AppliedMeasure]:
    """Apply the measure described by ``spec`` (``{"measure": name, **params}``).

    Parameters
    ----------
    config : dict
        Plant config as plain data (not modified).
    spec : dict
        Measure name and its parameters.
    finance : dict
        Experiment-wide defaults (``pv_degradation_frac_per_year``,
        ``battery_fade_frac_per_year``).
    copy_config : bool
        Work on a deep copy of ``config`` (default). A caller that owns its
        copy (a sweep applying several measures) passes False, and
        ``config`` is then changed in place.

    Raises
    ------
    MeasureError
        Unknown measure (the message lists the library), bad parameters, or
        a target component that is not in the config.
    """
    if not isinstance(spec, dict):
        msg = (
            f"expected a table {{measure = NAME, ARGUMENT = VALUE, ...}}, got {_short(spec)} "
            "(see `twin measures`)"
        )
        raise MeasureError(msg)
    spec = dict(spec)
    name = spec.pop("measure", None)
    known = sorted(MEASURES)
    if name is None:
        msg = f"measure: required field is missing; give measure = NAME, one of: {', '.join(known)}"
        raise MeasureError(msg)
    if not isinstance(name, str) or name not in MEASURES:
        close = did_you_mean_key(name, known) if isinstance(name, str) else None
        hint = f"did you mean {close!r}? " if close else ""
        msg = (
            f"measure: unknown measure {_short(name)}; {hint}the measure library has: "
            f"{', '.join(known)}"
        )
        raise MeasureError(msg)
    model, fn, _ = MEASURES[name]
    problems = [f"measure {name!r}: {path}: {what}" for path, what in nonfinite_problems(spec)]
    try:
        params = model.model_validate(spec)
    except ValidationError as exc:
        text = format_validation_error(exc, f"measure {name!r}", model, data=spec)
        lines = [*problems, *(line for line in text.splitlines() if not _said(line, problems))]
        raise MeasureError("\n".join(lines)) from None
    if problems:
        raise MeasureError("\n".join(problems))
    return fn(copy.deepcopy(config) if copy_config else config, params, finance)


def _said(line: str, problems: list[str]) -> bool:
    return any(line.startswith(p.rsplit(": expected", 1)[0] + ":") for p in problems)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _named(config: dict[str, Any], table: str, name: str, measure: str) -> dict[str, Any]:
    items = config.get(table)
    items = items if isinstance(items, list) else [items] if isinstance(items, dict) else []
    for item in items:
        if item.get("name") == name:
            return item
    names = ", ".join(str(i.get("name")) for i in items) or "(none)"
    msg = f"measure {measure!r}: no {table} named {name!r} in the config; {table} there: {names}"
    raise MeasureError(msg)


def _money(p: _MeasureParams, capex: float, om: float, lifetime: int) -> tuple[float, float, int]:
    return (
        p.capex_cny if p.capex_cny is not None else capex,
        p.fixed_om_cny_per_year if p.fixed_om_cny_per_year is not None else om,
        p.lifetime_years or lifetime,
    )


# -- PV ----------------------------------------------------------------------
class AddPv(_MeasureParams):
    name: str = Field(description="Name of the new PV component.")
    rated_power_dc_kw: float = Field(gt=0, description="DC nameplate [kWp].")
    tilt_deg: float = Field(default=20.0, ge=0, le=90, description="Tilt [°].")
    azimuth_deg: float = Field(default=180.0, ge=0, lt=360, description="Azimuth, 180 = south [°].")
    mounting: Literal["open_rack", "roof_mount"] = Field(
        default="roof_mount", description="Mounting."
    )
    dc_ac_ratio: float = Field(default=1.2, gt=0.5, le=2.0, description="DC/AC ratio [-].")
    capex_cny_per_kw: float = Field(
        default=3000.0, ge=0, description="Turnkey cost per kWp DC [CNY/kWp] (placeholder)."
    )
    om_cny_per_kw_year: float = Field(
        default=40.0, ge=0, description="O&M per kWp [CNY/(kWp·yr)] (placeholder)."
    )


@register_measure("add_pv", AddPv, "add a rooftop PV system (one array)")
def _add_pv(config, p: AddPv, finance):
    config.setdefault("pv", []).append(
        {
            "name": p.name,
            "inverter_rated_power_ac_kw": p.rated_power_dc_kw / p.dc_ac_ratio,
            "arrays": [
                {
                    "name": "array",
                    "rated_power_dc_kw": p.rated_power_dc_kw,
                    "tilt_deg": p.tilt_deg,
                    "azimuth_deg": p.azimuth_deg,
                    "mounting": p.mounting,
                }
            ],
        }
    )
    capex, om, life = _money(
        p, p.capex_cny_per_kw * p.rated_power_dc_kw, p.om_cny_per_kw_year * p.rated_power_dc_kw, 25
    )
    return config, AppliedMeasure(
        "add_pv",
        p.model_dump(),
        capex,
        om,
        life,
        finance.get("pv_degradation_frac_per_year", 0.005),
    )


class ResizePv(_MeasureParams):
    name: str = Field(description="PV component to resize.")
    scale: float = Field(
        gt=0, description="Factor on every array's DC rating and on the inverter [-]."
    )
    capex_cny_per_kw: float = Field(
        default=3000.0, ge=0, description="Cost per added kWp [CNY/kWp] (placeholder)."
    )
    om_cny_per_kw_year: float = Field(
        default=40.0, ge=0, description="O&M per added kWp [CNY/(kWp·yr)]."
    )


@register_measure("resize_pv", ResizePv, "scale an existing PV system")
def _resize_pv(config, p: ResizePv, finance):
    pv = _named(config, "pv", p.name, "resize_pv")
    added = 0.0
    for array in pv["arrays"]:
        added += array["rated_power_dc_kw"] * (p.scale - 1)
        array["rated_power_dc_kw"] *= p.scale
    pv["inverter_rated_power_ac_kw"] *= p.scale
    capex, om, life = _money(
        p, max(added, 0.0) * p.capex_cny_per_kw, max(added, 0.0) * p.om_cny_per_kw_year, 25
    )
    return config, AppliedMeasure(
        "resize_pv",
        p.model_dump(),
        capex,
        om,
        life,
        finance.get("pv_degradation_frac_per_year", 0.005),
    )


# -- storage -------------------------------------------------------------------
class AddBattery(_MeasureParams):
    name: str = Field(default="new_battery", description="Name of the new battery.")
    capacity_kwh: float = Field(gt=0, description="Energy rating [kWh].")
    rated_power_kw: float = Field(gt=0, description="Power rating [kW].")
    dispatch: Literal["self_consumption", "tou_arbitrage", "peak_shaving", "lp"] = Field(
        default="tou_arbitrage", description="Dispatch rule."
    )
    cycles_per_day: Literal[1, 2] = Field(default=2, description="TOU cycles per day.")
    demand_target_kw: float | None = Field(
        default=None, gt=0, description="Peak-shaving target [kW]."
    )
    capex_cny_per_kwh: float = Field(
        default=1000.0, ge=0, description="Installed cost per kWh [CNY/kWh] (placeholder)."
    )
    om_frac_of_capex: float = Field(
        default=0.015, ge=0, le=0.2, description="Yearly O&M as a share of capex [-]."
    )


@register_measure("add_battery", AddBattery, "add a battery with a dispatch rule")
def _add_battery(config, p: AddBattery, finance):
    battery = {
        "name": p.name,
        "capacity_kwh": p.capacity_kwh,
        "rated_power_kw": p.rated_power_kw,
        "dispatch": p.dispatch,
        "cycles_per_day": p.cycles_per_day,
    }
    if p.demand_target_kw is not None:
        battery["demand_target_kw"] = p.demand_target_kw
    config.setdefault("battery", []).append(battery)
    capex = p.capex_cny_per_kwh * p.capacity_kwh
    capex, om, life = _money(p, capex, capex * p.om_frac_of_capex, 12)
    return config, AppliedMeasure(
        "add_battery",
        p.model_dump(),
        capex,
        om,
        life,
        finance.get("battery_fade_frac_per_year", 0.02),
    )


# -- tariff ----------------------------------------------------------------------
class BasicChargeBasis(_MeasureParams):
    basis: Literal["demand", "capacity"] = Field(
        description="Basic charge to bill: 'demand' (按需量) or 'capacity' (按容量)."
    )
    demand_charge_cny_per_kw_month: float | None = Field(
        default=None, gt=0, description="Demand rate [CNY/kW-month]; default the tariff's."
    )
    capacity_charge_cny_per_kva_month: float | None = Field(
        default=None, gt=0, description="Capacity rate [CNY/kVA-month]; default the tariff's."
    )
    contracted_capacity_kva: float | None = Field(
        default=None, gt=0, description="Contracted capacity [kVA]; default the tariff's."
    )


@register_measure(
    "basic_charge_basis",
    BasicChargeBasis,
    "bill the basic charge on maximum demand or on contracted capacity",
)
def _basic_charge_basis(config, p: BasicChargeBasis, finance):
    grid = config.get("grid_connection")
    if not isinstance(grid, dict) or not isinstance(grid.get("tariff"), dict):
        msg = "measure 'basic_charge_basis': the config has no [grid_connection.tariff]"
        raise MeasureError(msg)
    tariff = grid["tariff"]
    for key in (
        "demand_charge_cny_per_kw_month",
        "capacity_charge_cny_per_kva_month",
        "contracted_capacity_kva",
    ):
        value = getattr(p, key)
        if value is not None:
            tariff[key] = value
    needed = (
        "demand_charge_cny_per_kw_month"
        if p.basis == "demand"
        else "capacity_charge_cny_per_kva_month"
    )
    if not tariff.get(needed):
        msg = f"measure 'basic_charge_basis': basis {p.basis!r} needs {needed} (in the measure or the tariff)"
        raise MeasureError(msg)
    if p.basis == "capacity" and not tariff.get("contracted_capacity_kva"):
        msg = "measure 'basic_charge_basis': basis 'capacity' needs contracted_capacity_kva"
        raise MeasureError(msg)
    tariff["basic_charge"] = p.basis
    capex, om, life = _money(p, 0.0, 0.0, 1)
    return config, AppliedMeasure("basic_charge_basis", p.model_dump(), capex, om, life, 0.0)


# -- lighting --------------------------------------------------------------------
class LedLighting(_MeasureParams):
    load: str | None = Field(default=None, description="Base load that holds the lighting.")
    zone: str | None = Field(
        default=None, description="HVAC zone whose lighting profile is replaced."
    )
    lighting_kw: float | None = Field(
        default=None,
        gt=0,
        description="Lighting power within the base load at full use [kW] (with load).",
    )
    reduction_frac: float = Field(
        default=0.5, gt=0, lt=1, description="Share of lighting power saved [-]."
    )
    capex_cny_per_kw_saved: float = Field(
        default=6000.0, ge=0, description="Cost per kW of lighting removed [CNY/kW] (placeholder)."
    )


def _scale_profile(value: Any, factor: float) -> Any:
    if isinstance(value, int | float):
        return value * factor
    if isinstance(value, list):
        return [v * factor for v in value]
    if isinstance(value, dict):
        return {k: _scale_profile(v, factor) for k, v in value.items()}
    return value


def _profile_peak(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return max(value)
    if isinstance(value, dict):
        return max(_profile_peak(v) for v in value.values())
    return 0.0


@register_measure(
    "led_lighting", LedLighting, "replace lighting by LED (a base load or a zone's lighting)"
)
def _led(config, p: LedLighting, finance):
    if (p.load is None) == (p.zone is None):
        msg = "measure 'led_lighting': give either load (a base_load) or zone (an hvac_zone)"
        raise MeasureError(msg)
    if p.zone is not None:
        zone = _named(config, "hvac_zone", p.zone, "led_lighting")
        if "lighting_w_per_m2" not in zone:
            msg = f"measure 'led_lighting': hvac_zone {p.zone!r} has no lighting_w_per_m2"
            raise MeasureError(msg)
        peak_kw = _profile_peak(zone["lighting_w_per_m2"]) * zone["floor_area_m2"] / 1000.0
        zone["lighting_w_per_m2"] = _scale_profile(
            zone["lighting_w_per_m2"], 1.0 - p.reduction_frac
        )
        saved = peak_kw * p.reduction_frac
    else:
        if p.lighting_kw is None:
            msg = "measure 'led_lighting': lighting_kw is needed with load"
            raise MeasureError(msg)
        load = _named(config, "base_load", p.load, "led_lighting")
        if load.get("demand_kw") is None:
            msg = f"measure 'led_lighting': base_load {p.load!r} has no demand_kw profile to reduce"
            raise MeasureError(msg)
        peak = _profile_peak(load["demand_kw"])
        saved = p.lighting_kw * p.reduction_frac
        # lighting follows the profile's shape: reduce each hour in proportion to its load
        load["demand_kw"] = (
            _scale_profile(load["demand_kw"], 1.0 - saved / peak) if peak > 0 else load["demand_kw"]
        )
    capex, om, life = _money(p, saved * p.capex_cny_per_kw_saved, 0.0, 15)
    return config, AppliedMeasure("led_lighting", p.model_dump(), capex, om, life, 0.0)


# -- compressed air -------------------------------------------------------------
class VsdTrim(_MeasureParams):
    system: str = Field(description="Air system (compressor room).")
    name: str = Field(default="vsd_trim", description="Name of the new VSD compressor.")
    replaces: str | None = Field(default=None, description="Compressor taken out, if any.")
    rated_flow_m3_per_min: float = Field(gt=0, description="Rated FAD [m³/min].")
    rated_power_kw: float = Field(gt=0, description="Full-load power [kW].")
    no_load_power_kw: float = Field(
        default=0.0, ge=0, description="Power at zero flow, minimum speed [kW]."
    )
    turndown_frac: float = Field(
        default=0.25, gt=0, le=1, description="Minimum flow / rated flow [-]."
    )
    capex_cny_per_kw: float = Field(
        default=1500.0, ge=0, description="Installed cost per kW [CNY/kW] (placeholder)."
    )


@register_measure(
    "vsd_trim_compressor", VsdTrim, "a variable-speed trim compressor under a sequencer"
)
def _vsd_trim(config, p: VsdTrim, finance):
    room = _named(config, "air_system", p.system, "vsd_trim_compressor")
    machines = room["compressors"]
    if p.replaces is not None:
        kept = [m for m in machines if m.get("name") != p.replaces]
        if len(kept) == len(machines):
            names = ", ".join(str(m.get("name")) for m in machines)
            msg = f"measure 'vsd_trim_compressor': no compressor {p.replaces!r} in {p.system!r}; there: {names}"
            raise MeasureError(msg)
        machines = kept
    priority = 1 + max((m.get("priority", 0) for m in machines), default=0)
    machines.append(
        {
            "name": p.name,
            "control": "vsd",
            "rated_flow_m3_per_min": p.rated_flow_m3_per_min,
            "rated_power_kw": p.rated_power_kw,
            "no_load_power_kw": p.no_load_power_kw,
            "turndown_frac": p.turndown_frac,
            "priority": priority,
        }
    )
    room["compressors"] = machines
    room["sequencing"] = "sequencer"
    room["trim_compressor"] = p.name
    capex, om, life = _money(p, p.capex_cny_per_kw * p.rated_power_kw, 0.0, 15)
    return config, AppliedMeasure("vsd_trim_compressor", p.model_dump(), capex, om, life, 0.0)


class LeakRepair(_MeasureParams):
    system: str = Field(description="Air system.")
    leak_frac: float = Field(ge=0, lt=1, description="Leak share after the repair programme [-].")
    capex_cny: float | None = Field(
        default=60_000.0, ge=0, description="Survey and repairs [CNY] (placeholder)."
    )


@register_measure(
    "leak_repair", LeakRepair, "a leak survey and repair programme down to a target share"
)
def _leak_repair(config, p: LeakRepair, finance):
    room = _named(config, "air_system", p.system, "leak_repair")
    room["leak_frac"] = p.leak_frac
    room.pop("leak_orifices", None)
    # leaks come back: a programme is redone every few years
    capex, om, life = _money(p, 0.0, 0.0, 3)
    return config, AppliedMeasure("leak_repair", p.model_dump(), capex, om, life, 0.0)


class PressureReduction(_MeasureParams):
    system: str = Field(description="Air system.")
    pressure_set_bar_g: float = Field(gt=0, description="New discharge set point [bar(g)].")
    capex_cny: float | None = Field(
        default=20_000.0, ge=0, description="Controls and checks [CNY] (placeholder)."
    )


@register_measure("pressure_reduction", PressureReduction, "a lower system pressure set point")
def _pressure(config, p: PressureReduction, finance):
    room = _named(config, "air_system", p.system, "pressure_reduction")
    room["pressure_set_bar_g"] = p.pressure_set_bar_g
    capex, om, life = _money(p, 0.0, 0.0, 10)
    return config, AppliedMeasure("pressure_reduction", p.model_dump(), capex, om, life, 0.0)


class CompressorHeatRecovery(_MeasureParams):
    system: str = Field(description="Air system whose heat of compression is recovered.")
    name: str = Field(default="compressor_heat", description="Name of the heat-recovery unit.")
    heat_bus: str = Field(default="hot_water", description="Heat bus served first.")
    extra_heat_buses: list[str] = Field(
        default_factory=list, description="Further heat buses, in order."
    )
    recoverable_frac: float = Field(
        default=0.8, gt=0, le=1, description="Recoverable share of the heat [-]."
    )
    supply_temp_c: float = Field(default=70.0, description="Supply temperature [°C].")
    capex_cny_per_kw: float = Field(
        default=600.0, ge=0, description="Cost per kW of compressor power [CNY/kW] (placeholder)."
    )


@register_measure(
    "compressor_heat_recovery",
    CompressorHeatRecovery,
    "heat of compression to hot water or space heating",
)
def _heat_recovery(config, p: CompressorHeatRecovery, finance):
    room = _named(config, "air_system", p.system, "compressor_heat_recovery")
    unit = {
        "name": p.name,
        "source": p.system,
        "recoverable_frac": p.recoverable_frac,
        "supply_temp_c": p.supply_temp_c,
        "heat_bus": p.heat_bus,
    }
    if p.extra_heat_buses:
        unit["extra_heat_buses"] = list(p.extra_heat_buses)
    config.setdefault("heat_recovery", []).append(unit)
    kw = sum(m["rated_power_kw"] for m in room["compressors"])
    capex, om, life = _money(p, p.capex_cny_per_kw * kw, 0.0, 15)
    return config, AppliedMeasure("compressor_heat_recovery", p.model_dump(), capex, om, life, 0.0)


class CompressorsOffWeekends(_MeasureParams):
    system: str = Field(description="Air system switched off on weekends and holidays.")
    capex_cny: float | None = Field(
        default=5_000.0, ge=0, description="Timer or controller [CNY] (placeholder)."
    )


@register_measure(
    "compressors_off_weekends",
    CompressorsOffWeekends,
    "the compressor room off on weekends and holidays",
)
def _off_weekends(config, p: CompressorsOffWeekends, finance):
    room = _named(config, "air_system", p.system, "compressors_off_weekends")
    room["schedule"] = {"weekday": [1.0] * 24, "weekend": [0.0] * 24, "holiday": [0.0] * 24}
    capex, om, life = _money(p, 0.0, 0.0, 10)
    return config, AppliedMeasure("compressors_off_weekends", p.model_dump(), capex, om, life, 0.0)


# -- HVAC ---------------------------------------------------------------------------
class ChillerReplacement(_MeasureParams):
    name: str = Field(description="Chiller plant whose units are replaced.")
    curves: str = Field(
        default="york_yk_centrifugal", description="EnergyPlus curve set of the new units."
    )
    rated_cop: float = Field(gt=0, description="Reference COP of the new units [-].")
    rated_capacity_kw: float | None = Field(
        default=None, gt=0, description="New capacity per unit [kW]; default unchanged."
    )
    capex_cny_per_kw: float = Field(
        default=900.0, ge=0, description="Cost per kW of cooling [CNY/kW] (placeholder)."
    )


@register_measure("chiller_replacement", ChillerReplacement, "new, more efficient chillers")
def _chiller(config, p: ChillerReplacement, finance):
    plant = _named(config, "chiller", p.name, "chiller_replacement")
    plant["curves"] = p.curves
    plant["rated_cop"] = p.rated_cop
    if p.rated_capacity_kw is not None:
        plant["rated_capacity_kw"] = p.rated_capacity_kw
    kw = plant["rated_capacity_kw"] * plant.get("units", 1)
    capex, om, life = _money(p, p.capex_cny_per_kw * kw, 0.0, 20)
    return config, AppliedMeasure("chiller_replacement", p.model_dump(), capex, om, life, 0.0)


class SetpointChange(_MeasureParams):
    zone: str = Field(description="HVAC zone.")
    heating_set_c: float | None = Field(
        default=None, description="New occupied heating set point [°C]."
    )
    cooling_set_c: float | None = Field(
        default=None, description="New occupied cooling set point [°C]."
    )


@register_measure("setpoint_change", SetpointChange, "occupied heating and cooling set points")
def _setpoint(config, p: SetpointChange, finance):
    zone = _named(config, "hvac_zone", p.zone, "setpoint_change")
    if p.heating_set_c is not None:
        zone["heating_set_c"] = p.heating_set_c
    if p.cooling_set_c is not None:
        zone["cooling_set_c"] = p.cooling_set_c
    capex, om, life = _money(p, 0.0, 0.0, 10)
    return config, AppliedMeasure("setpoint_change", p.model_dump(), capex, om, life, 0.0)


# -- production ------------------------------------------------------------------------
class IdleToStandby(_MeasureParams):
    line: str = Field(description="Production line.")
    idle_to_standby_s: int = Field(
        ge=0, description="Idle time before stations drop to standby [s]."
    )
    capex_cny: float | None = Field(
        default=30_000.0, ge=0, description="PLC changes [CNY] (placeholder)."
    )


@register_measure("idle_to_standby", IdleToStandby, "stations drop to standby sooner when idle")
def _idle(config, p: IdleToStandby, finance):
    line = _named(config, "production_line", p.line, "idle_to_standby")
    line["idle_to_standby_s"] = p.idle_to_standby_s
    capex, om, life = _money(p, 0.0, 0.0, 10)
    return config, AppliedMeasure("idle_to_standby", p.model_dump(), capex, om, life, 0.0)


def _shift_clock(text: str, minutes: int) -> str:
    hh, mm = (int(x) for x in str(text).split(":")[:2])
    total = (hh * 60 + mm + minutes) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def _move_shifts(
    line: dict[str, Any], day_types: list[str], index: int | None, minutes: int, measure: str
) -> None:
    shifts = line.get("shifts", {})
    for day_type in day_types:
        patterns = shifts.get(day_type, [])
        targets = range(len(patterns)) if index is None else [index]
        for i in targets:
            if i >= len(patterns):
                msg = f"measure {measure!r}: line {line['name']!r} has {len(patterns)} {day_type} shift(s), no [{i}]"
                raise MeasureError(msg)
            shift = patterns[i]
            shift["start"] = _shift_clock(shift["start"], minutes)
            shift["end"] = _shift_clock(shift["end"], minutes)
            for b in shift.get("breaks", []):
                b["start"] = _shift_clock(b["start"], minutes)
                b["end"] = _shift_clock(b["end"], minutes)


class MoveShift(_MeasureParams):
    line: str = Field(description="Production line.")
    day_type: Literal["workday", "weekend", "holiday"] = Field(
        default="workday", description="Which pattern."
    )
    shift: int = Field(default=1, ge=0, description="Index of the shift in that pattern.")
    start: str = Field(description="New start time, HH:MM (breaks move with the shift).")
    capex_cny: float | None = Field(default=0.0, ge=0, description="One-off cost [CNY].")
    night_premium_cny_per_year: float = Field(
        default=0.0, ge=0, description="Extra wages for night work [CNY/yr]."
    )

    @field_validator("start")
    @classmethod
    def _clock(cls, v: str) -> str:
        hh, sep, mm = v.partition(":")
        if not (sep and hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            msg = (
                f"expected a time of day HH:MM (00:00 to 23:59), got {v!r}; e.g. '22:00' for 10 pm"
            )
            raise ValueError(msg)
        return v


@register_measure("move_shift", MoveShift, "move a shift, e.g. into valley-tariff hours")
def _move_shift(config, p: MoveShift, finance):
    line = _named(config, "production_line", p.line, "move_shift")
    patterns = line.get("shifts", {}).get(p.day_type, [])
    if p.shift >= len(patterns):
        msg = f"measure 'move_shift': line {p.line!r} has {len(patterns)} {p.day_type} shift(s), no [{p.shift}]"
        raise MeasureError(msg)
    old = str(patterns[p.shift]["start"])
    oh, om_ = (int(x) for x in old.split(":")[:2])
    nh, nm = (int(x) for x in p.start.split(":")[:2])
    delta = (nh * 60 + nm) - (oh * 60 + om_)
    _move_shifts(line, [p.day_type], p.shift, delta, "move_shift")
    capex, om, life = _money(p, 0.0, p.night_premium_cny_per_year, 10)
    return config, AppliedMeasure("move_shift", p.model_dump(), capex, om, life, 0.0)


class StaggerStarts(_MeasureParams):
    lines: list[str] = Field(min_length=2, description="Lines in the order they start.")
    offset_min: int = Field(
        gt=0, le=240, description="Delay between one line's start and the next [min]."
    )


@register_measure(
    "stagger_line_starts", StaggerStarts, "staggered line starts to cut the warm-up peak"
)
def _stagger(config, p: StaggerStarts, finance):
    for k, name in enumerate(p.lines):
        line = _named(config, "production_line", name, "stagger_line_starts")
        if k:
            _move_shifts(
                line,
                ["workday", "weekend", "holiday"],
                None,
                k * p.offset_min,
                "stagger_line_starts",
            )
    capex, om, life = _money(p, 0.0, 0.0, 10)
    return config, AppliedMeasure("stagger_line_starts", p.model_dump(), capex, om, life, 0.0)


# -- generic -----------------------------------------------------------------------
class Patch(_MeasureParams):
    set: dict[str, Any] = Field(description="Dotted path -> value, list items by name.")
    label: str = Field(default="patch", description="What the change is.")


@register_measure("patch", Patch, "any costed config change given as dotted-path patches")
def _patch(config, p: Patch, finance):
    for path, value in p.set.items():
        try:
            config = set_path(config, path, value, label="measure 'patch'", what="path")
        except ConfigError as exc:
            raise MeasureError(str(exc)) from None
    capex, om, life = _money(p, 0.0, 0.0, 15)
    return config, AppliedMeasure("patch", p.model_dump(), capex, om, life, 0.0)


def apply_changes(
    config: dict[str, Any],
    measures: list[dict[str, Any]],
    patches: dict[str, Any],
    finance: dict[str, float],
    *,
    where: str,
) -> tuple[dict[str, Any], tuple[AppliedMeasure, ...]]:
    """Apply a variant's measures (the library) and then its dotted-path patches.

    The one way an experiment variant, a pathway measure or a sweep scenario
    changes a config.

    Parameters
    ----------
    config : dict
        Plant config as plain data (not modified).
    measures : list of dict
        ``{"measure": name, **params}`` each.
    patches : dict
        Dotted path -> value (:func:`twin.config.loader.set_path`).
    finance : dict
        Finance defaults the measures read.
    where : str
        Label for error messages (file and table).

    Raises
    ------
    ConfigError
        An unknown measure, bad measure parameters, or a bad patch path.
    """
    raw = config
    applied: list[AppliedMeasure] = []
    for j, spec in enumerate(measures):
        try:
            raw, a = apply_measure(raw, spec, finance)
        except MeasureError as exc:
            msg = f"{where}.measures[{j}]: {exc}"
            raise ConfigError(msg) from None
        applied.append(a)
    for path, value in patches.items():
        raw = set_path(raw, path, value, label=where, what="patches")
    return raw, tuple(applied)
