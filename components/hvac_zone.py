"""Thermal zones: how warm is a hall or an office, and what heating and cooling does it take?

A zone is one ISO 13790 5R1C network (:mod:`components.hvac_rc`) or, with
``thermal_model = "iso52016_multinode"``, EN ISO 52016-1's multi-node network
(:mod:`components.hvac_multinode`: nodes in every element, for zones whose
mass matters; there ``solar_gains_kw`` is the gain through the windows and
the opaque elements' sunshine is absorbed at their outer nodes), fed by

- the envelope: opaque walls, roofs and floors and windows, each with area
  and U-value; windows with g-value, frame share and shading; solar gains
  on every façade from pvlib's transposition (:mod:`components.hvac_solar`);
- air exchange: infiltration (air changes per hour) and mechanical
  ventilation (a profile of m³/h) with optional heat recovery, bypassed
  while the outdoor air lies between the set points (free cooling by
  outdoor air) — ISO 13790 9.3 with b_ve = 1 - η_hr;
- internal gains: lighting, equipment and people (W/m² profiles by day
  type and hour) plus heat from other components that sit in the zone
  (``gains_from``: production lines' ``heat_to_zone_kw``, compressors in
  the hall, or a share of a base load's electricity);
- thermostat set points for heating and cooling, occupied and unoccupied,
  and the capacity of the zone's emitters (heating) and coils (cooling).

Ports: the heat it takes from a HEAT bus (space-heating water, e.g.
``hot_water``) and the cooling it takes from a CHILLED_WATER bus, both
Role.USE, and optionally the electricity of its lighting and equipment.
Heat recovery (Stage 30), heat pumps and chillers (40) and boilers (45)
compute later and serve those buses.

How the zone knows the plant can deliver: it does not ask. The zone
assumes its emitters get what they need up to their stated capacity
(``heating_capacity_kw``, ``cooling_capacity_kw``); beyond that the zone
floats and the step counts as an unmet hour of the zone
(``unmet_heating_frac``, kpi ``unmet_heating_h``). If the plant behind the
bus then cannot serve the bus, the run reports the shortfall as the bus's
unmet demand (``<bus>.unmet_power_kw``) with a warning; the zone's
temperature is then optimistic for those steps. Size the plant for the
emitters (the example configs do).

Air side and moisture (:mod:`components.hvac_air`): with an
``air_handler`` the zone's supply fans move the airflow its coil load needs
(VAV) or a design flow (constant volume), their heat goes into the air and
the coil, an economiser or night purge cools with outdoor air before the
chilled-water coil, and the coil dries the supply air to its dew point; the
cooling port carries sensible plus latent load. Without one, the
ventilation enters directly and the coils are fan coils.

Before the first step the zone repeats its first day until the mass
temperature settles (EnergyPlus's warm-up).
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any, Literal, Self

import numpy as np
from pydantic import Field, field_validator, model_validator
from twin.components.day_profile import ScheduledValue, schedule_on_grid
from twin.components.hvac_air import (
    AirHandler,
    coil_loads,
    economiser_capacity_w,
    economiser_enabled,
    fan_power_w,
)
from twin.components.hvac_envelope import GainSource, OpaqueElement, Window
from twin.components.hvac_multinode import (
    H_RE_W_PER_M2_K,
    NodeElement,
    resistance_from_u_m2_k_per_w,
    simulate_multinode,
)
from twin.components.hvac_psychrometrics import (
    humidity_ratio_from_relative_humidity,
    humidity_ratio_saturated,
    pressure_from_elevation_pa,
)
from twin.components.hvac_rc import (
    AIR_HEAT_CAPACITY_J_PER_M3_K,
    H_IS_W_PER_M2_K,
    INTERNAL_AREA_PER_FLOOR_AREA,
    MASS_CLASSES,
    conductances_5r1c,
    periodic_mass_temp_c,
    simulate_5r1c,
)
from twin.components.hvac_solar import (
    facade_irradiance,
    facade_irradiance_hourly,
    opaque_solar_gain_w,
    sky_radiation_loss_w,
    window_solar_gain_w,
)

from twin.carriers import CHILLED_WATER, ELECTRICITY, HEAT
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
from twin.errors import ConfigError, SuspiciousInputWarning
from twin.timegrid import TimeGrid, hourly_if_held

__all__ = ["GainSource", "OpaqueElement", "Window", "Zone", "ZoneParams"]

_W_PER_KW = 1000.0

MassClass = Literal["very_light", "light", "medium", "heavy", "very_heavy"]


class ZoneParams(ComponentParams):
    """Parameters of a thermal zone (ISO 13790 5R1C)."""

    floor_area_m2: float = Field(description="Conditioned floor area A_f [m²].", gt=0)
    volume_m3: float = Field(description="Air volume of the zone [m³].", gt=0)
    internal_surface_area_m2: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Area of all surfaces facing the zone A_t; default 4.5 A_f (ISO 13790 "
        "7.2.2.2, buildings with partitions); give the real area for a single hall [m²].",
    )
    surface_air_coefficient_w_per_m2_k: float = Field(
        default=H_IS_W_PER_M2_K,
        gt=0,
        le=20.0,
        description="Coupling of the surface and air nodes per m² of A_t, h_is (ISO 13790 "
        "7.2.2.2: 3.45; Modelica Buildings' BESTEST cases use 2.1) [W/(m²·K)].",
    )
    thermal_model: Literal["iso13790_5r1c", "iso52016_multinode"] = Field(
        default="iso13790_5r1c",
        description="iso13790_5r1c: the 5R1C network with one lumped mass (mass_class or "
        "heat_capacity_j_per_m2_k and mass_area_m2); iso52016_multinode: EN ISO 52016-1's five "
        "nodes per wall, roof and floor and two per window, for zones whose mass matters (every "
        "opaque element then needs heat_capacity_j_per_m2_k and, where not inside, "
        "mass_position).",
    )
    mass_class: MassClass = Field(
        default="medium",
        description="ISO 13790 Table 12 thermal mass class: sets C_m and A_m per m² floor.",
    )
    heat_capacity_j_per_m2_k: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Internal heat capacity C_m per m² floor area; overrides mass_class "
        "[J/(m²·K)].",
    )
    mass_area_m2: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Effective mass area A_m (ISO 13790 12.3.1.2); overrides mass_class [m²].",
    )
    opaque: list[OpaqueElement] = Field(
        min_length=1, description="Walls, roofs and floors towards outdoors or the ground."
    )
    windows: list[Window] = Field(default_factory=list, description="Windows and skylights.")
    infiltration_air_changes_per_h: float = Field(
        default=0.3,
        ge=0,
        le=20.0,
        description="Infiltration, constant [1/h] (air changes per hour of volume_m3).",
    )
    ventilation_m3_per_h: ScheduledValue = Field(
        default=0.0,
        description="Mechanical outdoor-air supply, constant or a day-type/hour profile [m³/h].",
    )
    ventilation_heat_recovery_frac: float = Field(
        default=0.0,
        ge=0,
        lt=1.0,
        description="Temperature efficiency of the ventilation heat recovery η_hr; bypassed "
        "while the outdoor air is between the active set points [-].",
    )
    air_heat_capacity_j_per_m3_k: float = Field(
        default=AIR_HEAT_CAPACITY_J_PER_M3_K,
        gt=0,
        allow_inf_nan=False,
        description="Volumetric heat capacity of air ρ·c (ISO 13790: 1200) [J/(m³·K)].",
    )
    occupancy_frac: ScheduledValue = Field(
        default=1.0,
        description="Occupancy 0..1 by hour and day type; steps with occupancy > 0 use the "
        "occupied set points; people gains scale with it [-].",
    )
    people_w_per_m2: float = Field(
        default=0.0,
        ge=0,
        le=100.0,
        description="Sensible heat of people at full occupancy per m² floor [W/m²].",
    )
    people_latent_w_per_m2: float = Field(
        default=0.0,
        ge=0,
        le=100.0,
        description="Latent heat of people at full occupancy per m² floor (ASHRAE Fundamentals "
        "2017 ch. 18 Table 1: light bench work 80 W sensible, 140 W latent per person) [W/m²].",
    )
    latent_gains_w_per_m2: ScheduledValue = Field(
        default=0.0,
        description="Other latent gains (washers, open tanks, cooking) per m² floor [W/m²].",
    )
    lighting_w_per_m2: ScheduledValue = Field(
        default=0.0, description="Lighting power per m² floor, constant or profile [W/m²]."
    )
    equipment_w_per_m2: ScheduledValue = Field(
        default=0.0,
        description="Equipment (plug) power per m² floor not modelled elsewhere [W/m²].",
    )
    gains_from: list[str | GainSource] = Field(
        default_factory=list,
        description="Components whose heat goes into the zone: names (output heat_to_zone_kw) "
        "or tables {component, output | port, frac}.",
    )
    heating_set_c: float = Field(
        default=20.0, ge=-30.0, le=60.0, description="Heating set point, occupied [°C]."
    )
    cooling_set_c: float = Field(
        default=26.0, ge=-30.0, le=60.0, description="Cooling set point, occupied [°C]."
    )
    heating_set_unoccupied_c: float | None = Field(
        default=None,
        ge=-30.0,
        le=60.0,
        description="Heating set point when unoccupied (setback); default the occupied one [°C].",
    )
    cooling_set_unoccupied_c: float | None = Field(
        default=None,
        ge=-30.0,
        le=60.0,
        description="Cooling set point when unoccupied (setup); default the occupied one [°C].",
    )
    heating_capacity_kw: float | None = Field(
        default=None,
        ge=0,
        description="Heating capacity of the zone's emitters; none = unlimited (ideal) [kW].",
    )
    cooling_capacity_kw: float | None = Field(
        default=None,
        ge=0,
        description="Cooling capacity of the zone's coils; none = unlimited (ideal) [kW].",
    )
    air_handler: AirHandler | None = Field(
        default=None,
        description="The air-handling unit of the zone (supply airflow, fans, economiser, "
        "night purge); none: the ventilation enters directly and the zone's coils are fan coils "
        "whose fans are counted elsewhere.",
    )
    unmet_tolerance_k: float = Field(
        default=0.2,
        ge=0,
        le=5.0,
        description="A step counts as unmet when the air is this far beyond the set point "
        "(EnergyPlus's default reporting tolerance) [K].",
    )
    sky_diffuse_model: Literal["perez", "haydavies", "isotropic", "klucher", "reindl"] = Field(
        default="perez", description="Transposition model of sky diffuse (pvlib name)."
    )
    albedo_frac: float = Field(default=0.2, ge=0, le=1.0, description="Ground reflectance [-].")
    sky_temp_difference_k: float = Field(
        default=11.0,
        ge=0,
        le=30.0,
        description="Outdoor air minus apparent sky temperature (ISO 13790 11.4.6: 11 K in "
        "intermediate climates) [K].",
    )
    heat_bus: str | None = Field(
        default="hot_water",
        description="HEAT bus of space heating (the boilers' and heat recovery's default bus); "
        "'none': the zone has no heating.",
    )
    cooling_bus: str | None = Field(
        default="chilled_water",
        description="CHILLED_WATER bus of space cooling; 'none': the zone has no cooling.",
    )
    electricity_bus: str | None = Field(
        default="electricity",
        description="Bus of the lighting and equipment electricity; 'none' when a base load "
        "already counts it (the zone then takes their heat only).",
    )

    @field_validator("gains_from", mode="before")
    @classmethod
    def _gain_names(cls, v: object) -> object:
        # a name is the table {component = name}: checked here like a table, not at build
        if isinstance(v, list):
            return [{"component": x} if isinstance(x, str) else x for x in v]
        return v

    @field_validator("heat_bus", "cooling_bus", "electricity_bus", mode="before")
    @classmethod
    def _none_bus(cls, value: Any) -> Any:
        # TOML has no null: "none" switches a port off
        if isinstance(value, str) and value.strip().lower() in {"none", ""}:
            return None
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        pairs = [("heating_set_c", "cooling_set_c")]
        if self.heating_set_unoccupied_c is not None or self.cooling_set_unoccupied_c is not None:
            pairs.append(("heating_set_unoccupied_c", "cooling_set_unoccupied_c"))
        for h_name, c_name in pairs:
            h = getattr(self, h_name)
            c = getattr(self, c_name)
            h = self.heating_set_c if h is None else h
            c = self.cooling_set_c if c is None else c
            if h > c:
                msg = (
                    f"{h_name} = {h} °C is above {c_name} = {c} °C; expected the heating set "
                    f"point <= the cooling set point; lower {h_name} or raise {c_name}"
                )
                raise ValueError(msg)
        for group in ("opaque", "windows"):
            names = [e.name for e in getattr(self, group)]
            duplicated = sorted({x for x in names if names.count(x) > 1})
            if duplicated:
                msg = f"{group}: names must be unique, duplicated: {', '.join(duplicated)}"
                raise ValueError(msg)
        if self.thermal_model == "iso52016_multinode":
            for i, e in enumerate(self.opaque):
                if e.heat_capacity_j_per_m2_k is None:
                    msg = (
                        f"opaque[{i}] ({e.name}).heat_capacity_j_per_m2_k: required with "
                        "thermal_model = 'iso52016_multinode'; give the element's areal heat "
                        "capacity Σ ρ·c·d [J/(m²K)] or use thermal_model = 'iso13790_5r1c'"
                    )
                    raise ValueError(msg)
                if e.adjustment_frac != 1.0:
                    msg = (
                        f"opaque[{i}] ({e.name}).adjustment_frac: the multi-node model couples "
                        "every element to the outdoor air; adjustment_frac < 1 needs "
                        "thermal_model = 'iso13790_5r1c'"
                    )
                    raise ValueError(msg)
            for group, items in (("opaque", self.opaque), ("windows", self.windows)):
                for i, e in enumerate(items):
                    kind = getattr(e, "kind", "window")
                    try:
                        resistance_from_u_m2_k_per_w(e.u_w_per_m2_k, kind)
                    except ValueError as exc:
                        msg = f"{group}[{i}] ({e.name}).u_w_per_m2_k: {exc}"
                        raise ValueError(msg) from None
        a_m = self.effective_mass_area_m2
        if a_m > self.internal_area_m2:
            msg = (
                f"effective mass area {a_m:.0f} m² exceeds the internal surface area "
                f"{self.internal_area_m2:.0f} m²; give internal_surface_area_m2 >= mass_area_m2"
            )
            raise ValueError(msg)
        # the 5R1C split needs H_tr,op < H_tr,ms: checked here, so a config that
        # validates builds (the constructor computes the same conductances)
        conductances_5r1c(
            self.opaque_w_per_k,
            self.window_w_per_k,
            self.effective_mass_area_m2,
            self.internal_area_m2,
            self.surface_air_coefficient_w_per_m2_k,
        )
        if self.volume_m3 < self.floor_area_m2 * 1.5:
            msg = (
                f"{self.name}: volume_m3 = {self.volume_m3} is less than 1.5 m x floor_area_m2 "
                f"= {self.floor_area_m2}; check the units"
            )
            warnings.warn(msg, SuspiciousInputWarning, stacklevel=2)
        return self

    # -- derived -------------------------------------------------------
    @property
    def internal_area_m2(self) -> float:
        """A_t used [m²]."""
        if self.internal_surface_area_m2 is not None:
            return self.internal_surface_area_m2
        return INTERNAL_AREA_PER_FLOOR_AREA * self.floor_area_m2

    @property
    def effective_mass_area_m2(self) -> float:
        """A_m used [m²]."""
        if self.mass_area_m2 is not None:
            return self.mass_area_m2
        return MASS_CLASSES[self.mass_class][1] * self.floor_area_m2

    @property
    def heat_capacity_j_per_k(self) -> float:
        """C_m used [J/K]."""
        per_m2 = self.heat_capacity_j_per_m2_k
        if per_m2 is None:
            per_m2 = MASS_CLASSES[self.mass_class][0]
        return per_m2 * self.floor_area_m2

    @property
    def opaque_w_per_k(self) -> float:
        """H_tr,op = Σ b·U·A of the opaque elements [W/K]."""
        return float(sum(e.adjustment_frac * e.u_w_per_m2_k * e.area_m2 for e in self.opaque))

    @property
    def window_w_per_k(self) -> float:
        """H_tr,w = Σ U·A of the windows [W/K]."""
        return float(sum(w.u_w_per_m2_k * w.area_m2 for w in self.windows))


def _gain_source(item: str | GainSource) -> GainSource:
    return GainSource(component=item) if isinstance(item, str) else item


@register_component("hvac_zone")
class Zone(Component):
    """A thermal zone by the ISO 13790 5R1C hourly method.

    Ports: ``heating`` (HEAT bus, Role.USE) and ``cooling`` (CHILLED_WATER
    bus, Role.USE: sensible coil load with the fans' heat, plus the latent
    load) when their buses are set; ``el`` (lighting and equipment
    electricity, Role.USE) when ``electricity_bus`` is set; ``fans``
    (electricity of the air handler's fans, Role.USE) with an ``air_handler``.

    Outputs: ``temp_air_c``, ``temp_operative_c`` (0.3 θ_air + 0.7 θ_s),
    ``temp_mass_c`` (step means), ``temp_mass_end_c`` (at the step's end),
    ``temp_surface_c``; ``heating_kw``, ``cooling_kw`` (delivered, equal to the
    ports) and ``heating_need_kw``, ``cooling_need_kw`` (what would hold the
    set points without capacity limits); ``unmet_heating_frac``,
    ``unmet_cooling_frac`` (1 in a step whose air temperature is more than
    ``unmet_tolerance_k`` beyond its set point); ``internal_gains_kw``,
    ``solar_gains_kw``, ``sky_radiation_loss_kw``,
    ``ventilation_m3_per_h``, ``ventilation_conductance_w_per_k`` (H_ve with
    infiltration and heat recovery), ``heating_set_c``, ``cooling_set_c``;
    ``cooling_sensible_kw`` (mechanical coil, with the load-following fan
    heat) and ``cooling_latent_kw`` (condensate) whose sum is ``cooling_kw``,
    ``free_cooling_kw`` (economiser and night purge), ``heat_to_air_kw``
    (what reaches the air node, + heating / - cooling), ``latent_gains_kw``,
    ``humidity_ratio_kg_per_kg``, ``outdoor_air_latent_kw``,
    ``infiltration_latent_kw``; with an ``air_handler`` also
    ``supply_airflow_m3_per_h``, ``outdoor_airflow_m3_per_h``,
    ``supply_humidity_ratio_kg_per_kg``, ``fan_power_kw`` and
    ``night_purge_frac``. Kpis per zone: ``heating_kwh``,
    ``cooling_sensible_kwh``, ``cooling_latent_kwh``, ``free_cooling_kwh``,
    ``fan_electricity_kwh``, ``unmet_h`` (steps beyond either set point).
    """

    stage = Stage.ZONE
    Params = ZoneParams

    def __init__(self, params: ZoneParams) -> None:
        super().__init__(params)
        self.params: ZoneParams = params
        self.conductances = conductances_5r1c(
            params.opaque_w_per_k,
            params.window_w_per_k,
            params.effective_mass_area_m2,
            params.internal_area_m2,
            params.surface_air_coefficient_w_per_m2_k,
        )

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        ports = []
        if p.heat_bus is not None:
            ports.append(Port("heating", HEAT, Direction.IN, p.heat_bus, Role.USE))
        if p.cooling_bus is not None:
            ports.append(Port("cooling", CHILLED_WATER, Direction.IN, p.cooling_bus, Role.USE))
        if p.electricity_bus is not None:
            ports.append(Port("el", ELECTRICITY, Direction.IN, p.electricity_bus, Role.USE))
        if p.air_handler is not None:
            bus = p.air_handler.electricity_bus
            ports.append(Port("fans", ELECTRICITY, Direction.IN, bus, Role.USE))
        return tuple(ports)

    def outputs(self) -> tuple[Output, ...]:
        names = [
            "temp_air_c",
            "temp_operative_c",
            "temp_mass_c",
            "temp_mass_end_c",
            "temp_surface_c",
            "heating_kw",
            "cooling_kw",
            "cooling_sensible_kw",
            "cooling_latent_kw",
            "free_cooling_kw",
            "heat_to_air_kw",
            "heating_need_kw",
            "cooling_need_kw",
            "unmet_heating_frac",
            "unmet_cooling_frac",
            "internal_gains_kw",
            "latent_gains_kw",
            "solar_gains_kw",
            "sky_radiation_loss_kw",
            "ventilation_m3_per_h",
            "ventilation_conductance_w_per_k",
            "humidity_ratio_kg_per_kg",
            "outdoor_air_latent_kw",
            "infiltration_latent_kw",
            "heating_set_c",
            "cooling_set_c",
        ]
        if self.params.air_handler is not None:
            names += [
                "supply_airflow_m3_per_h",
                "outdoor_airflow_m3_per_h",
                "supply_humidity_ratio_kg_per_kg",
                "fan_power_kw",
                "night_purge_frac",
            ]
        return tuple(output(n) for n in names)

    @classmethod
    def example_params(cls) -> dict[str, Any]:
        return {
            "name": "office",
            "floor_area_m2": 1000.0,
            "volume_m3": 3500.0,
            "mass_class": "medium",
            "opaque": [
                {
                    "name": "walls_south",
                    "kind": "wall",
                    "area_m2": 180.0,
                    "u_w_per_m2_k": 0.6,
                    "azimuth_deg": 180.0,
                },
                {
                    "name": "walls_north",
                    "kind": "wall",
                    "area_m2": 220.0,
                    "u_w_per_m2_k": 0.6,
                    "azimuth_deg": 0.0,
                },
                {"name": "roof", "kind": "roof", "area_m2": 1000.0, "u_w_per_m2_k": 0.45},
                {
                    "name": "slab",
                    "kind": "floor",
                    "area_m2": 1000.0,
                    "u_w_per_m2_k": 0.5,
                    "adjustment_frac": 0.5,
                },
            ],
            "windows": [
                {
                    "name": "south",
                    "area_m2": 120.0,
                    "u_w_per_m2_k": 2.4,
                    "g_value_frac": 0.5,
                    "azimuth_deg": 180.0,
                    "frame_frac": 0.2,
                },
                {
                    "name": "north",
                    "area_m2": 80.0,
                    "u_w_per_m2_k": 2.4,
                    "g_value_frac": 0.5,
                    "azimuth_deg": 0.0,
                    "frame_frac": 0.2,
                },
            ],
            "infiltration_air_changes_per_h": 0.3,
            "ventilation_m3_per_h": {
                "weekday": [0.0] * 8 + [3000.0] * 10 + [0.0] * 6,
                "weekend": [0.0] * 24,
            },
            "ventilation_heat_recovery_frac": 0.6,
            "occupancy_frac": {
                "weekday": [0.0] * 8 + [1.0] * 10 + [0.0] * 6,
                "weekend": [0.0] * 24,
            },
            "people_w_per_m2": 6.0,
            "lighting_w_per_m2": {
                "weekday": [1.0] * 8 + [9.0] * 10 + [1.0] * 6,
                "weekend": [1.0] * 24,
            },
            "equipment_w_per_m2": 5.0,
            "heating_set_c": 20.0,
            "cooling_set_c": 26.0,
            "heating_set_unoccupied_c": 15.0,
            "cooling_set_unoccupied_c": 30.0,
            "heating_capacity_kw": 80.0,
            "cooling_capacity_kw": 120.0,
        }

    def references(self) -> tuple[str, ...]:
        return tuple(_gain_source(item).component for item in self.params.gains_from)

    # -- pieces ----------------------------------------------------------
    def _upstream_gains_kw(self, ctx: RunContext) -> np.ndarray:
        total = np.zeros(ctx.grid.n_steps)
        for i, item in enumerate(self.params.gains_from):
            src = _gain_source(item)
            where = f"hvac_zone[{self.name}].gains_from[{i}]"
            try:
                flows = ctx.flows(src.component)
            except KeyError:
                msg = (
                    f"{where}.component: no component named {src.component!r} computed before "
                    f"the zone; expected a production line, compressor or base load of this "
                    f"plant (zones compute at stage ZONE = 25, after loads and compressed air); "
                    f"fix the name or remove the entry"
                )
                raise ConfigError(msg) from None
            if src.port is not None:
                table, name, what = flows.ports, src.port, "port"
            else:
                table, name, what = flows.outputs, src.output, "output"
            if name not in table:
                msg = (
                    f"{where}: component {src.component!r} has no {what} {name!r}; expected one "
                    f"of its outputs ({', '.join(sorted(flows.outputs)) or 'none'}) or ports "
                    f"({', '.join(sorted(flows.ports)) or 'none'}); set output = or port ="
                )
                raise ConfigError(msg)
            total = total + src.frac * np.asarray(table[name], dtype=np.float64)
        return total

    def _solar_w(self, ctx: RunContext) -> tuple[np.ndarray, float]:
        """Solar gains [W] and the constant sky radiation loss [W].

        With the weather held over each hour at sub-hourly steps, the gains
        (a function of each step's irradiance alone) are computed once per
        hour and repeated over its steps: the same numbers, 60 times less
        work at 1-minute steps."""
        p = self.params
        sunlit = [
            (e.tilt, e.azimuth_deg)
            for e in p.opaque
            if e.kind != "floor" and e.solar_absorptance_frac > 0.0
        ] + [(w.tilt_deg, w.azimuth_deg) for w in p.windows]

        def plane(tilt: float, azimuth: float, hourly: bool = False):
            on_plane = facade_irradiance_hourly if hourly else facade_irradiance
            return on_plane(
                ctx, tilt, azimuth, sky_diffuse_model=p.sky_diffuse_model, albedo_frac=p.albedo_frac
            )

        # whether the weather is held over the hour is the same for every plane
        per_hour = bool(sunlit) and plane(*sunlit[0], hourly=True) is not None
        k = ctx.grid.steps_per_hour
        gains = np.zeros(ctx.grid.n_steps // k if per_hour else ctx.grid.n_steps)
        sky_loss = 0.0

        for e in p.opaque:
            if e.kind == "floor":
                continue
            tilt = e.tilt
            if e.solar_absorptance_frac > 0.0:
                gains = gains + opaque_solar_gain_w(
                    plane(tilt, e.azimuth_deg, per_hour),
                    e.area_m2,
                    e.u_w_per_m2_k,
                    e.solar_absorptance_frac,
                )
            sky_loss += sky_radiation_loss_w(
                e.area_m2,
                e.u_w_per_m2_k,
                tilt,
                emissivity_frac=e.emissivity_frac,
                sky_temp_difference_k=p.sky_temp_difference_k,
            )
        for win in p.windows:
            gains = gains + window_solar_gain_w(
                plane(win.tilt_deg, win.azimuth_deg, per_hour),
                win.area_m2,
                win.g_value_frac,
                tilt_deg=win.tilt_deg,
                frame_frac=win.frame_frac,
                shading_factor_frac=win.shading_factor_frac,
                glazing=win.glazing,
            )
            sky_loss += sky_radiation_loss_w(
                win.area_m2,
                win.u_w_per_m2_k,
                win.tilt_deg,
                sky_temp_difference_k=p.sky_temp_difference_k,
            )
        return (np.repeat(gains, k) if per_hour else gains), sky_loss

    def _multinode_elements(self, ctx: RunContext) -> tuple[list[NodeElement], np.ndarray, float]:
        """Elements of the multi-node network, the solar gain through the windows [W]
        and the extra radiation of the outer surfaces to the sky [W].

        Outer surfaces absorb α·I of the sunshine on them (floors none) and lose
        F_sky·h_re·Δθ_er per m² to the sky (EN ISO 52016-1 6.5.6.3, with
        F_sky = (1 + cos β)/2 and h_re = 4.14 W/(m²K))."""
        p = self.params
        n = ctx.grid.n_steps
        sky_total = 0.0
        elements: list[NodeElement] = []

        def plane(tilt: float, azimuth: float):
            return facade_irradiance(
                ctx, tilt, azimuth, sky_diffuse_model=p.sky_diffuse_model, albedo_frac=p.albedo_frac
            )

        def sky_w(area: float, tilt: float) -> float:
            view = 0.5 * (1.0 + np.cos(np.radians(tilt)))
            return float(view * H_RE_W_PER_M2_K * p.sky_temp_difference_k * area)

        for e in p.opaque:
            source = np.zeros(n)
            if e.kind != "floor":
                if e.solar_absorptance_frac > 0.0:
                    source = (
                        e.solar_absorptance_frac
                        * e.area_m2
                        * plane(e.tilt, e.azimuth_deg).global_w_per_m2
                    )
                loss = sky_w(e.area_m2, e.tilt)
                sky_total += loss
                source = source - loss
            elements.append(
                NodeElement(
                    e.kind,
                    e.area_m2,
                    resistance_from_u_m2_k_per_w(e.u_w_per_m2_k, e.kind),
                    float(e.heat_capacity_j_per_m2_k),
                    e.mass_position,
                    source,
                )
            )
        gains = np.zeros(n)
        for win in p.windows:
            gains = gains + window_solar_gain_w(
                plane(win.tilt_deg, win.azimuth_deg),
                win.area_m2,
                win.g_value_frac,
                tilt_deg=win.tilt_deg,
                frame_frac=win.frame_frac,
                shading_factor_frac=win.shading_factor_frac,
                glazing=win.glazing,
            )
            loss = sky_w(win.area_m2, win.tilt_deg)
            sky_total += loss
            elements.append(
                NodeElement(
                    "window",
                    win.area_m2,
                    resistance_from_u_m2_k_per_w(win.u_w_per_m2_k, "window"),
                    0.0,
                    "inside",
                    -loss,
                )
            )
        return elements, gains, sky_total

    def _outdoor_humidity(self, ctx: RunContext) -> tuple[np.ndarray | None, np.ndarray]:
        """Outdoor humidity ratio [kg/kg] (None without humidity in the weather) and
        station pressure [Pa]."""
        n = ctx.grid.n_steps
        if "pressure_pa" in ctx.weather:
            pressure = np.asarray(ctx.weather["pressure_pa"], dtype=np.float64)
        else:
            pressure = np.full(n, pressure_from_elevation_pa(ctx.site.elevation_m))
        if "relative_humidity_frac" not in ctx.weather:
            return None, pressure
        rh = np.asarray(ctx.weather["relative_humidity_frac"], dtype=np.float64)
        theta_e = np.asarray(ctx.weather["temp_air_c"], dtype=np.float64)

        def compute() -> np.ndarray:
            # weather alone: once per hour when the weather is held over the hour
            k = ctx.grid.steps_per_hour
            held = hourly_if_held(k, theta_e, rh, pressure)
            if held is not None:
                return np.repeat(humidity_ratio_from_relative_humidity(*held), k)
            return humidity_ratio_from_relative_humidity(theta_e, rh, pressure)

        return ctx.memo(("outdoor_humidity_ratio",), compute), pressure

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        n = ctx.grid.n_steps
        step_h = ctx.grid.step_h
        if "temp_air_c" not in ctx.weather:
            msg = f"hvac_zone[{self.name}]: the weather has no temp_air_c column"
            raise ValueError(msg)
        theta_e = np.asarray(ctx.weather["temp_air_c"], dtype=np.float64)
        a_f = p.floor_area_m2
        ahu = p.air_handler
        rho_c = p.air_heat_capacity_j_per_m3_k
        w_out, pressure = self._outdoor_humidity(ctx)
        if w_out is None and ahu is not None and ahu.economiser == "enthalpy":
            msg = (
                f"hvac_zone[{self.name}].air_handler.economiser: 'enthalpy' needs the outdoor "
                "humidity, and the weather has no relative_humidity_frac column; use 'dry_bulb' "
                "or a weather file with humidity"
            )
            raise ConfigError(msg)

        occupancy = np.clip(schedule_on_grid(p.occupancy_frac, ctx), 0.0, 1.0)
        occupied = occupancy > 0.0
        electric_w = (
            schedule_on_grid(p.lighting_w_per_m2, ctx) + schedule_on_grid(p.equipment_w_per_m2, ctx)
        ) * a_f
        latent_w = (
            p.people_latent_w_per_m2 * occupancy + schedule_on_grid(p.latent_gains_w_per_m2, ctx)
        ) * a_f
        upstream_kw = self._upstream_gains_kw(ctx)
        phi_int = electric_w + p.people_w_per_m2 * occupancy * a_f + upstream_kw * _W_PER_KW
        multinode = p.thermal_model == "iso52016_multinode"
        if multinode:
            elements, solar_w, sky_loss_w = self._multinode_elements(ctx)
            phi_sol = solar_w
        else:
            solar_w, sky_loss_w = self._solar_w(ctx)
            phi_sol = solar_w - sky_loss_w

        h_unocc = (
            p.heating_set_c if p.heating_set_unoccupied_c is None else p.heating_set_unoccupied_c
        )
        c_unocc = (
            p.cooling_set_c if p.cooling_set_unoccupied_c is None else p.cooling_set_unoccupied_c
        )
        heat_set = np.where(occupied, p.heating_set_c, h_unocc)
        cool_set = np.where(occupied, p.cooling_set_c, c_unocc)
        heat_on = p.heat_bus is not None
        cool_on = p.cooling_bus is not None
        ventilation = schedule_on_grid(p.ventilation_m3_per_h, ctx)
        running = occupied | (ventilation > 0.0)

        heat_max = np.inf if p.heating_capacity_kw is None else p.heating_capacity_kw * _W_PER_KW
        mech_max = np.inf if p.cooling_capacity_kw is None else p.cooling_capacity_kw * _W_PER_KW
        mech_max = np.full(n, mech_max if cool_on else 0.0)
        free_max = np.zeros(n)
        purge = np.zeros(n, dtype=bool)
        fan_min_w = np.zeros(n)
        cool_set_run = cool_set.copy()
        if ahu is not None:
            # fans at the unit's least flow: a known gain (the rest follows the load)
            least = ventilation if ahu.control == "vav" else np.zeros(n)
            floor = ahu.min_flow_frac if ahu.control == "vav" else 1.0
            v_min = np.where(running, np.maximum(least, floor * ahu.design_airflow_m3_per_h), 0.0)
            fan_min_w = fan_power_w(ahu, v_min)
            phi_int = phi_int + fan_min_w
            econ = economiser_enabled(
                ahu.economiser,
                theta_e,
                w_out if w_out is not None else np.zeros(n),
                cool_set,
                humidity_ratio_saturated(ahu.supply_dew_point_c, pressure),
            )
            free_max = np.where(
                econ,
                economiser_capacity_w(
                    theta_e,
                    cool_set,
                    ahu.design_airflow_m3_per_h,
                    ventilation,
                    ahu.supply_temp_cooling_c,
                    rho_c,
                ),
                0.0,
            )
            if ahu.night_purge:
                purge_set = np.minimum(ahu.night_purge_set_c, cool_set)
                purge = (
                    ~occupied
                    & (theta_e < purge_set - 1.0)
                    & (theta_e >= ahu.night_purge_min_outdoor_c)
                )
                purge_cap = economiser_capacity_w(
                    theta_e,
                    purge_set,
                    ahu.design_airflow_m3_per_h,
                    np.zeros(n),
                    ahu.supply_temp_cooling_c,
                    rho_c,
                )
                cool_set_run = np.where(purge, purge_set, cool_set_run)
                free_max = np.where(purge, purge_cap, free_max)
                mech_max = np.where(purge, 0.0, mech_max)
        cool_max = mech_max + free_max
        heat_set_run = heat_set if heat_on else np.full(n, -np.inf)
        if not cool_on and not np.any(free_max > 0.0):
            cool_set_run = np.full(n, np.inf)

        recovering = (theta_e < heat_set) | (theta_e > cool_set)
        eta = np.where(recovering, p.ventilation_heat_recovery_frac, 0.0)
        h_ve = (
            rho_c
            / 3600.0
            * (p.volume_m3 * p.infiltration_air_changes_per_h + ventilation * (1.0 - eta))
        )

        common = {
            "conductances": self.conductances,
            "heat_capacity_j_per_k": p.heat_capacity_j_per_k,
            "mass_area_m2": p.effective_mass_area_m2,
            "internal_area_m2": p.internal_area_m2,
            "step_h": step_h,
            "phi_heat_max_w": heat_max,
        }
        day = min(n, int(round(24 / step_h)))

        def run_day(temp0: float):
            return simulate_5r1c(
                theta_e[:day],
                phi_int[:day],
                phi_sol[:day],
                ventilation_w_per_k=h_ve[:day],
                temp_heat_set_c=heat_set_run[:day],
                temp_cool_set_c=cool_set_run[:day],
                phi_cool_max_w=cool_max[:day],
                temp_mass_initial_c=temp0,
                **common,
            )

        def kernel_multinode():
            return simulate_multinode(
                theta_e,
                phi_int,
                phi_sol,
                elements=elements,
                floor_area_m2=a_f,
                air_capacity_j_per_k=rho_c * p.volume_m3,
                step_h=step_h,
                ventilation_w_per_k=h_ve,
                temp_heat_set_c=heat_set_run,
                temp_cool_set_c=cool_set_run,
                phi_heat_max_w=heat_max,
                phi_cool_max_w=cool_max,
                temp_initial_c=float(
                    np.clip(np.mean(theta_e[:day]), np.min(heat_set[:day]), np.max(cool_set[:day]))
                ),
            )

        def kernel():
            guess = float(
                np.clip(np.mean(theta_e[:day]), np.min(heat_set[:day]), np.max(cool_set[:day]))
            )
            temp0 = periodic_mass_temp_c(run_day, guess)
            return simulate_5r1c(
                theta_e,
                phi_int,
                phi_sol,
                ventilation_w_per_k=h_ve,
                temp_heat_set_c=heat_set_run,
                temp_cool_set_c=cool_set_run,
                phi_cool_max_w=cool_max,
                temp_mass_initial_c=temp0,
                **common,
            )

        # The kernel is a pure function of these inputs: variants of a sweep
        # that leave the zone's inputs alone (PV, storage, tariffs) reuse it.
        digest = hashlib.blake2b(digest_size=16)
        for arr in (theta_e, phi_int, phi_sol, h_ve, heat_set_run, cool_set_run, cool_max):
            digest.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
        digest.update(
            repr(
                (
                    heat_max,
                    step_h,
                    self.conductances,
                    p.heat_capacity_j_per_k,
                    p.effective_mass_area_m2,
                    p.internal_area_m2,
                )
            ).encode()
        )
        if multinode:
            for e in elements:
                digest.update(
                    repr(
                        (e.kind, e.area_m2, e.resistance_m2_k_per_w, e.heat_capacity_j_per_m2_k)
                        + (e.mass_position, rho_c * p.volume_m3, a_f)
                    ).encode()
                )
                digest.update(np.ascontiguousarray(e.outer_source_w, dtype=np.float64).tobytes())
            r = ctx.memo(
                ("hvac_zone_multinode", digest.hexdigest()), kernel_multinode, uses_weather=False
            )
        else:
            r = ctx.memo(("hvac_zone_5r1c", digest.hexdigest()), kernel, uses_weather=False)
        zone_heat_w = np.maximum(r.phi_hc_w, 0.0)
        zone_cool_w = np.maximum(-r.phi_hc_w, 0.0)
        air = coil_loads(
            ahu,
            theta_e,
            w_out,
            pressure,
            r.temp_air_c,
            zone_heat_w,
            zone_cool_w,
            free_max,
            ventilation,
            running,
            fan_min_w,
            latent_w,
            purge,
            infiltration_m3_per_h=p.volume_m3 * p.infiltration_air_changes_per_h,
            air_heat_capacity_j_per_m3_k=rho_c,
        )
        heating_kw = air["heating_coil_w"] / _W_PER_KW
        cooling_kw = (air["cooling_sensible_w"] + air["cooling_latent_w"]) / _W_PER_KW
        tol = p.unmet_tolerance_k
        heat_limit = heat_set if heat_on else np.full(n, -np.inf)
        cool_limit = cool_set if cool_on else np.full(n, np.inf)
        unmet_heat = (r.temp_air_c < heat_limit - tol).astype(np.float64)
        unmet_cool = (r.temp_air_c > cool_limit + tol).astype(np.float64)

        ports: dict[str, np.ndarray] = {}
        if heat_on:
            ports["heating"] = heating_kw
        if cool_on:
            ports["cooling"] = cooling_kw
        if p.electricity_bus is not None:
            ports["el"] = electric_w / _W_PER_KW
        if ahu is not None:
            ports["fans"] = air["fan_w"] / _W_PER_KW
        outputs = {
            "temp_air_c": r.temp_air_c,
            "temp_operative_c": 0.3 * r.temp_air_c + 0.7 * r.temp_surface_c,
            "temp_mass_c": r.temp_mass_c,
            "temp_mass_end_c": r.temp_mass_end_c,
            "temp_surface_c": r.temp_surface_c,
            "heating_kw": heating_kw,
            "cooling_kw": cooling_kw,
            "cooling_sensible_kw": air["cooling_sensible_w"] / _W_PER_KW,
            "cooling_latent_kw": air["cooling_latent_w"] / _W_PER_KW,
            "free_cooling_kw": air["free_cooling_w"] / _W_PER_KW,
            "heat_to_air_kw": r.phi_hc_w / _W_PER_KW,
            "heating_need_kw": np.maximum(r.phi_hc_need_w, 0.0) / _W_PER_KW,
            "cooling_need_kw": np.maximum(-r.phi_hc_need_w, 0.0) / _W_PER_KW,
            "unmet_heating_frac": unmet_heat,
            "unmet_cooling_frac": unmet_cool,
            "internal_gains_kw": phi_int / _W_PER_KW,
            "latent_gains_kw": latent_w / _W_PER_KW,
            "solar_gains_kw": solar_w / _W_PER_KW,
            "sky_radiation_loss_kw": np.full(n, sky_loss_w / _W_PER_KW),
            "ventilation_m3_per_h": ventilation,
            "ventilation_conductance_w_per_k": h_ve,
            "humidity_ratio_kg_per_kg": air["humidity_ratio"],
            "outdoor_air_latent_kw": air["outdoor_air_latent_w"] / _W_PER_KW,
            "infiltration_latent_kw": air["infiltration_latent_w"] / _W_PER_KW,
            "heating_set_c": heat_set,
            "cooling_set_c": cool_set,
        }
        if ahu is not None:
            outputs["supply_airflow_m3_per_h"] = air["supply_m3_per_h"]
            outputs["outdoor_airflow_m3_per_h"] = air["outdoor_m3_per_h"]
            outputs["supply_humidity_ratio_kg_per_kg"] = air["supply_humidity_ratio"]
            outputs["fan_power_kw"] = air["fan_w"] / _W_PER_KW
            outputs["night_purge_frac"] = purge.astype(np.float64)
        return Flows(ports=ports, outputs=outputs)

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        out = flows.outputs
        h, c = out["heating_kw"], out["cooling_kw"]
        unmet = np.maximum(out["unmet_heating_frac"], out["unmet_cooling_frac"])
        fans = flows.ports.get("fans")
        return {
            "heating_kwh": grid.energy_kwh(h),
            "cooling_kwh": grid.energy_kwh(c),
            "cooling_sensible_kwh": grid.energy_kwh(out["cooling_sensible_kw"]),
            "cooling_latent_kwh": grid.energy_kwh(out["cooling_latent_kw"]),
            "free_cooling_kwh": grid.energy_kwh(out["free_cooling_kw"]),
            "fan_electricity_kwh": 0.0 if fans is None else grid.energy_kwh(fans),
            "peak_heating_kw": float(h.max(initial=0.0)),
            "peak_cooling_kw": float(c.max(initial=0.0)),
            "unmet_h": float(np.sum(unmet) * grid.step_h),
            "unmet_heating_h": float(np.sum(out["unmet_heating_frac"]) * grid.step_h),
            "unmet_cooling_h": float(np.sum(out["unmet_cooling_frac"]) * grid.step_h),
            "temp_air_max_c": float(out["temp_air_c"].max()),
            "temp_air_min_c": float(out["temp_air_c"].min()),
        }
