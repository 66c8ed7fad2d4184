"""The compressor room: how much electricity a compressed-air system needs.

The physical question is the electric power a set of compressors draws to
keep one pressure level (one air bus, e.g. ``air_7bar_g``) supplied, and
where that power ends up. The system serves the end-use demand left on its
bus (production lines, demand profiles) plus what it loses on the way:

- **leaks**, either as a share of compressor output or as equivalent
  orifices with choked flow that scales with absolute pressure and
  continues when production stops (:func:`orifice_leak_flow_m3_per_min`);
- **artificial demand**, the extra flow unregulated end uses draw because
  the system runs above the pressure they need (:func:`artificial_demand_m3_per_min`);
- **dryer purge** of desiccant dryers (:func:`dryer_flows`).

Compressors are loaded in priority order (:func:`allocate_cascade`, the
cascade of individual pressure bands) or by a central sequencer that keeps
base machines fully loaded and trims with one machine
(:func:`allocate_sequencer`); each machine's power follows its control
type's part-load curve (:mod:`components.compressor`) at the operating
pressure. The electricity becomes heat of compression (reported for
heat recovery) except the small energy the discharged air carries above
intake temperature (:func:`air_energy_kw`), so that at every step

.. math:: P_{el,compressors} = Q_{compression} + P_{air}.

Everything is vectorised over the year: sub-step cycling is inside the
part-load curves (receiver volume), so no loop over steps is needed.
Flows are free air delivery per ISO 1217 [m³/min]; when demand exceeds the
available capacity, every use gets its pro-rata share and the run reports
the bus's shortfall as unmet.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from twin.components.compressor import (
    STANDARD_STORAGE_M3_PER_M3_PER_MIN,
    CompressorParams,
    atmospheric_pressure_bar_a,
    compressor_power_kw,
)
from twin.components.day_profile import DayProfile, schedule_on_grid

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
    Stage,
    output,
    register_component,
)
from twin.timegrid import TimeGrid

__all__ = [
    "AirSystem",
    "AirSystemParams",
    "DryerParams",
    "LeakOrificeParams",
    "OperatingSchedule",
    "air_energy_kw",
    "allocate_cascade",
    "allocate_sequencer",
    "artificial_demand_m3_per_min",
    "dryer_flows",
    "orifice_leak_flow_m3_per_min",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_R_AIR_J_PER_KG_K = 287.05
_CP_AIR_KJ_PER_KG_K = 1.005
_KAPPA_AIR = 1.4
_INTAKE_TEMP_C = 20.0
"""Reference intake temperature of free air delivery (ISO 1217 reference
conditions: 20 °C, 1 bar(a)); used for densities [°C]."""
_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"


# ---------------------------------------------------------------------------
# Physics: leaks, artificial demand, dryers, heat
# ---------------------------------------------------------------------------
def orifice_leak_flow_m3_per_min(
    diameter_mm,
    pressure_bar_g,
    *,
    discharge_coefficient=0.61,
    atmospheric_pressure_bar_a=1.01325,
    air_temp_c=_INTAKE_TEMP_C,
):
    """Free-air flow through a leak modelled as a sharp-edged orifice.

    Parameters
    ----------
    diameter_mm : float or array
        Equivalent orifice diameter [mm].
    pressure_bar_g : float or array
        Line pressure upstream of the leak [bar(g)].
    discharge_coefficient : float
        Orifice discharge coefficient; 0.61 for a sharp-edged orifice, 1.0
        for the ideal nozzle of the classic leak tables [-].
    atmospheric_pressure_bar_a : float
        Ambient pressure, also the reference pressure of free air [bar(a)].
    air_temp_c : float
        Air temperature in the line and at intake [°C].

    Returns
    -------
    float or array
        Leak flow as free air (at ambient pressure and ``air_temp_c``) [m³/min].

    Notes
    -----
    Choked (sonic) isentropic flow of an ideal gas, valid above about
    0.9 bar(g) for air:

    .. math:: \\dot m = C_d A p_0 \\sqrt{\\frac{\\kappa}{R T_0}}
        \\left(\\frac{2}{\\kappa+1}\\right)^{\\frac{\\kappa+1}{2(\\kappa-1)}},
        \\qquad \\dot V_{FAD} = \\dot m / \\rho_{a}

    so the free-air flow is proportional to absolute pressure. With
    :math:`C_d = 1` this reproduces the classic table "Discharge of air
    through an orifice" (1/16 in at 100 psig: 6.49 cfm); the ifm / US DOE
    figures for sharp orifices (3.8, 15.4, 62 cfm for 1/16, 1/8, 1/4 in;
    compressed_air_rules.csv) correspond to :math:`C_d \\approx 0.6`. The
    MEASUR "orifice method" uses the same choked-flow relations.

    Examples
    --------
    >>> q = orifice_leak_flow_m3_per_min(25.4 / 16, 100 / 14.503774, discharge_coefficient=1.0,
    ...                                  atmospheric_pressure_bar_a=14.7 / 14.503774)
    >>> round(float(q) / 0.028316846592, 1)  # cfm
    6.5
    """
    d = np.asarray(diameter_mm, dtype=np.float64) / 1000.0
    area = np.pi * d**2 / 4.0
    t0 = air_temp_c + 273.15
    p0 = (np.asarray(pressure_bar_g, dtype=np.float64) + atmospheric_pressure_bar_a) * 1e5
    k = _KAPPA_AIR
    choke = (2.0 / (k + 1.0)) ** ((k + 1.0) / (2.0 * (k - 1.0)))
    mass_kg_per_s = (
        discharge_coefficient * area * p0 * np.sqrt(k / (_R_AIR_J_PER_KG_K * t0)) * choke
    )
    rho_free = atmospheric_pressure_bar_a * 1e5 / (_R_AIR_J_PER_KG_K * t0)
    return mass_kg_per_s / rho_free * 60.0


def artificial_demand_m3_per_min(
    demand_m3_per_min,
    unregulated_frac,
    pressure_bar_g,
    end_use_pressure_bar_g,
    atmospheric_pressure_bar_a=1.01325,
):
    """Extra flow drawn by unregulated end uses at a pressure above need.

    Parameters
    ----------
    demand_m3_per_min : float or array
        End-use demand at the pressure the end uses need [m³/min].
    unregulated_frac : float
        Share of that demand drawn without a pressure regulator [-].
    pressure_bar_g : float or array
        System pressure [bar(g)].
    end_use_pressure_bar_g : float
        Pressure the end uses need [bar(g)].
    atmospheric_pressure_bar_a : float
        [bar(a)].

    Returns
    -------
    float or array
        Artificial demand, >= 0 [m³/min].

    Notes
    -----
    Unregulated uses behave like orifices, so their free-air flow scales
    with absolute pressure (CAC definition of artificial demand):
    :math:`Q_{art} = u\\,Q\\,((p + p_a)/(p_{req} + p_a) - 1)`. The AMO
    engine's pressure-reduction measure (``Compressors.h``,
    ``ReduceSystemAirPressure``) applies the same ratio to 60 % of usage.
    """
    pa = atmospheric_pressure_bar_a
    ratio = (np.asarray(pressure_bar_g, dtype=np.float64) + pa) / (end_use_pressure_bar_g + pa)
    return (
        np.asarray(demand_m3_per_min, dtype=np.float64)
        * unregulated_frac
        * np.maximum(ratio - 1.0, 0.0)
    )


def air_energy_kw(flow_m3_per_min, temp_rise_k, atmospheric_pressure_bar_a=1.01325):
    """Energy the compressed air carries out of the compressor room.

    Parameters
    ----------
    flow_m3_per_min : float or array
        Delivered free air [m³/min].
    temp_rise_k : float
        Air temperature after the aftercooler above intake temperature [K].
    atmospheric_pressure_bar_a : float
        [bar(a)].

    Returns
    -------
    float or array
        :math:`\\dot m\\,c_p\\,\\Delta T` [kW].

    Notes
    -----
    Air is an ideal gas, so cooled compressed air at intake temperature has
    the intake enthalpy: essentially all electric input becomes heat at the
    compressor (oil cooler, aftercooler, motor, radiation). Only the
    aftercooler approach leaves with the air. 1 m³/min with a 10 K rise
    carries about 0.2 kW, roughly 3 % of a typical 6 kW/(m³/min).
    """
    rho = atmospheric_pressure_bar_a * 1e5 / (_R_AIR_J_PER_KG_K * (_INTAKE_TEMP_C + 273.15))
    return (
        np.asarray(flow_m3_per_min, dtype=np.float64)
        / 60.0
        * rho
        * _CP_AIR_KJ_PER_KG_K
        * temp_rise_k
    )


def dryer_flows(
    flow_m3_per_min,
    running,
    rated_flow_m3_per_min,
    rated_power_kw,
    purge_frac,
    cycling,
    purge_follows_flow,
):
    """Electric power and purge air of one dryer.

    Parameters
    ----------
    flow_m3_per_min : array
        Air through the dryer [m³/min].
    running : array of bool
        True where the compressed-air system runs.
    rated_flow_m3_per_min : float
        Dryer rating [m³/min].
    rated_power_kw : float
        Electric input at rated flow (refrigeration compressor, heater,
        blower) [kW].
    purge_frac : float
        Purge air / rated flow (desiccant dryers) [-].
    cycling : bool
        True: power follows the load, capped at rated power (cycling
        refrigerated dryer); False: rated power whenever the system runs.
    purge_follows_flow : bool
        True: purge in proportion to flow (dew-point demand control);
        False: fixed purge at rated flow whenever the system runs.

    Returns
    -------
    power_kw : array
        [kW].
    purge_m3_per_min : array
        [m³/min].

    Examples
    --------
    >>> pw, pg = dryer_flows(np.array([0.0, 5.0]), np.array([True, True]), 10.0, 2.0, 0.15,
    ...                      False, True)
    >>> pw.tolist(), pg.tolist()
    ([2.0, 2.0], [0.0, 0.75])
    """
    q = np.asarray(flow_m3_per_min, dtype=np.float64)
    on = np.asarray(running, dtype=np.float64)
    load = q / rated_flow_m3_per_min * on
    power = rated_power_kw * (np.minimum(load, 1.0) if cycling else on)
    purge = purge_frac * rated_flow_m3_per_min * (load if purge_follows_flow else on)
    return power, purge


# ---------------------------------------------------------------------------
# Sequencing
# ---------------------------------------------------------------------------
def allocate_cascade(demand_m3_per_min, capacities_m3_per_min) -> np.ndarray:
    """Flow per machine when machines load one after the other.

    Parameters
    ----------
    demand_m3_per_min : array
        Flow to deliver per step [m³/min].
    capacities_m3_per_min : sequence of float
        Rated flow per machine, in loading order [m³/min].

    Returns
    -------
    array, shape (n_machines, n_steps)
        Flow of each machine, :math:`q_k = \\min(C_k, \\max(D - \\sum_{j<k}C_j, 0))`;
        the last running machine trims [m³/min].

    Examples
    --------
    >>> allocate_cascade(np.array([5.0, 15.0, 30.0]), [10.0, 10.0]).tolist()
    [[5.0, 10.0, 10.0], [0.0, 5.0, 10.0]]
    """
    d = np.asarray(demand_m3_per_min, dtype=np.float64)
    caps = np.asarray(capacities_m3_per_min, dtype=np.float64)
    before = np.concatenate([[0.0], np.cumsum(caps)[:-1]])
    return np.clip(d[None, :] - before[:, None], 0.0, caps[:, None])


def allocate_sequencer(demand_m3_per_min, capacities_m3_per_min, trim_index: int) -> np.ndarray:
    """Flow per machine under a central sequencer: base machines fully
    loaded, one trim machine takes the variation.

    Parameters
    ----------
    demand_m3_per_min : array
        Flow to deliver per step [m³/min].
    capacities_m3_per_min : sequence of float
        Rated flow per machine, in priority order [m³/min].
    trim_index : int
        Position of the trim machine in ``capacities_m3_per_min``.

    Returns
    -------
    array, shape (n_machines, n_steps)
        [m³/min]. Base machines start in priority order while the demand
        left for the trim machine exceeds its capacity; each started base
        machine runs fully loaded unless it is the last and the demand
        would not even fill it; the trim machine takes the rest, up to its
        capacity.

    Examples
    --------
    >>> allocate_sequencer(np.array([5.0, 15.0, 25.0]), [10.0, 10.0, 8.0], 2).tolist()
    [[0.0, 10.0, 10.0], [0.0, 0.0, 10.0], [5.0, 5.0, 5.0]]
    """
    d = np.asarray(demand_m3_per_min, dtype=np.float64)
    caps = np.asarray(capacities_m3_per_min, dtype=np.float64)
    base = [k for k in range(caps.size) if k != trim_index]
    c_trim = caps[trim_index]
    out = np.zeros((caps.size, d.size))
    before = 0.0
    for k in base:
        needed = before < d - c_trim - 1e-12
        out[k] = np.where(needed, np.minimum(caps[k], np.maximum(d - before, 0.0)), 0.0)
        before += caps[k]
    out[trim_index] = np.clip(d - out.sum(axis=0), 0.0, c_trim)
    return out


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------
class LeakOrificeParams(BaseModel):
    """A group of identical leaks, each an equivalent sharp-edged orifice."""

    model_config = _FROZEN

    diameter_mm: float = Field(
        gt=0, le=50, allow_inf_nan=False, description="Equivalent orifice diameter [mm]."
    )
    count: int = Field(default=1, ge=1, description="Number of such leaks [-].")
    discharge_coefficient: float = Field(
        default=0.61,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="Discharge coefficient; 0.61 sharp-edged, 1.0 ideal nozzle [-].",
    )


class DryerParams(BaseModel):
    """An air dryer downstream of the compressors."""

    model_config = _FROZEN

    name: str = Field(description="Name of the dryer.", pattern=_NAME_PATTERN, max_length=64)
    type: Literal["refrigerated", "desiccant_heatless", "desiccant_heated", "desiccant_blower"] = (
        Field(
            description="Dryer type: 'refrigerated', or desiccant 'heatless', 'heated' or 'blower' purge.",
        )
    )
    rated_flow_m3_per_min: float = Field(
        gt=0, allow_inf_nan=False, description="Rated air flow [m³/min]."
    )
    rated_power_kw: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="Electric input at rated flow (refrigeration compressor, heater, blower) [kW].",
    )
    purge_frac: float = Field(
        default=0.0,
        ge=0,
        lt=0.5,
        allow_inf_nan=False,
        description="Purge air / rated flow of a desiccant dryer, from its datasheet [-].",
    )
    cycling: bool = Field(
        default=False, description="True when power follows the load (cycling refrigerated dryer)."
    )
    purge_control: Literal["fixed", "dew_point"] = Field(
        default="fixed",
        description="'fixed': purge at rated flow while running; 'dew_point': purge follows flow.",
    )

    @model_validator(mode="after")
    def _purge(self) -> Self:
        if self.type.startswith("desiccant") and self.purge_frac <= 0:
            msg = (
                f"purge_frac: expected > 0 for a {self.type} dryer, got {self.purge_frac}; "
                "give the purge share from the datasheet"
            )
            raise ValueError(msg)
        if self.type == "refrigerated" and self.purge_frac > 0:
            msg = f"purge_frac: a refrigerated dryer has no purge, got {self.purge_frac}; use 0"
            raise ValueError(msg)
        return self


class OperatingSchedule(DayProfile):
    """When the compressor room runs: 1 in the hours it runs, 0 in those it is off
    (outside them it is off and the system depressurises), in the day-type form
    of :mod:`components.day_profile`."""

    @model_validator(mode="after")
    def _on_off(self) -> Self:
        for name in ("weekday", "weekend", "holiday"):
            values = getattr(self, name)
            if values is not None and any(v not in (0.0, 1.0) for v in values):
                msg = f"{name}: expected 1 (runs) or 0 (off) for each hour, got {values}"
                raise ValueError(msg)
        return self


class AirSystemParams(ComponentParams):
    """Parameters of a compressed-air system (one pressure level)."""

    compressors: list[CompressorParams] = Field(
        min_length=1, description="The compressors of the room (see CompressorParams)."
    )
    pressure_set_bar_g: float = Field(
        default=7.0,
        gt=0,
        le=40,
        allow_inf_nan=False,
        description="System pressure set point: the load (cut-in) pressure of the trim machine "
        "[bar(g)]. Compressor power scales with it by the AMO pressure formula.",
    )
    sequencing: Literal["cascade", "sequencer"] = Field(
        default="cascade",
        description="'cascade': individual controllers with staggered pressure bands, machines "
        "load in priority order; 'sequencer': a central controller keeps base machines fully "
        "loaded at the set point and trims with one machine.",
    )
    cascade_step_bar: float = Field(
        default=0.35,
        ge=0,
        le=2,
        allow_inf_nan=False,
        description="'cascade': pressure step between the bands of consecutive machines; the "
        "system then runs higher by one step per idle machine below the trimming one [bar] "
        "(assumed ≈5 psi; take it from the controller settings).",
    )
    trim_compressor: str | None = Field(
        default=None,
        description="'sequencer': name of the trim machine; default the first 'vsd' machine "
        "in priority order, else the last machine.",
    )
    receiver_volume_m3: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="Receiver and piping volume the machines cycle against [m³]; default the "
        "'standard system' 1 US gal per cfm of total rated flow (compressed_air_rules.csv).",
    )
    atmospheric_pressure_bar_a: float | None = Field(
        default=None,
        gt=0.5,
        le=1.1,
        allow_inf_nan=False,
        description="Intake pressure [bar(a)]; default the standard atmosphere at the site's elevation.",
    )
    leak_frac: float = Field(
        default=0.0,
        ge=0,
        le=0.8,
        allow_inf_nan=False,
        description="Leaks as a share of compressor output [-] (20-30 % without a leak "
        "programme: compressed_air_rules.csv). Leak repair lowers it.",
    )
    leak_orifices: list[LeakOrificeParams] = Field(
        default_factory=list,
        description="Leaks as equivalent orifices: choked flow that scales with absolute "
        "pressure and continues while the system is pressurised, production or not.",
    )
    unregulated_frac: float = Field(
        default=0.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Share of end-use demand drawn without pressure regulators (source of "
        "artificial demand) [-].",
    )
    end_use_pressure_bar_g: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Pressure the end uses need [bar(g)]; artificial demand is zero at or "
        "below it; default the set point.",
    )
    dryers: list[DryerParams] = Field(
        default_factory=list, description="Dryers (flow split by rating)."
    )
    schedule: OperatingSchedule | None = Field(
        default=None,
        description="{weekday, weekend, holiday}: 1 in the hours the system runs, 0 when it is off; "
        "default always on. Outside them demand on the bus is unmet.",
    )
    discharge_temp_rise_k: float = Field(
        default=10.0,
        ge=0,
        le=60,
        allow_inf_nan=False,
        description="Compressed air after the aftercooler above intake temperature (approach) "
        "[K]; sets the energy the air carries away (typical datasheet value 10 K).",
    )
    electricity_bus: str = Field(
        default="electricity", description="Electricity bus the machines draw from."
    )
    air_bus: str = Field(default="air_7bar_g", description="Compressed-air bus served.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [c.name for c in self.compressors]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            msg = f"compressors: names must be unique, got {dupes} more than once"
            raise ValueError(msg)
        if not any(c.enabled for c in self.compressors):
            msg = "compressors: every compressor has enabled = false; enable at least one"
            raise ValueError(msg)
        if self.trim_compressor is not None and self.trim_compressor not in names:
            msg = f"trim_compressor: no compressor named {self.trim_compressor!r}; compressors: {', '.join(names)}"
            raise ValueError(msg)
        if (
            self.end_use_pressure_bar_g is not None
            and self.end_use_pressure_bar_g > self.pressure_set_bar_g
        ):
            msg = (
                f"end_use_pressure_bar_g: expected <= pressure_set_bar_g ({self.pressure_set_bar_g}), "
                f"got {self.end_use_pressure_bar_g}; the end uses would never get their pressure"
            )
            raise ValueError(msg)
        purge_share = sum(d.purge_frac for d in self.dryers if d.purge_control == "dew_point")
        if self.leak_frac + purge_share >= 0.95:
            msg = (
                f"leak_frac: leaks ({self.leak_frac}) and dew-point purge ({purge_share:.2f}) "
                "leave nothing for the end uses; expected a sum < 0.95"
            )
            raise ValueError(msg)
        return self


# ---------------------------------------------------------------------------
# The component
# ---------------------------------------------------------------------------
@register_component("air_system")
class AirSystem(Component):
    """A compressor room serving one compressed-air bus.

    Ports: ``el`` (electricity in, role USE) and ``air`` (compressed air out
    to the bus, role SUPPLY; what the bus asked for, up to capacity).
    Leaks, artificial demand and dryer purge are internal and reported as
    outputs; so are the power and flow of every compressor
    (``compressor_<name>_power_kw``, ``compressor_<name>_flow_m3_per_min``),
    the system pressure, the specific power and the heat balance
    (``heat_of_compression_kw`` + ``air_energy_kw`` = compressor power).
    At zero demand a running system still feeds its orifice leaks and fixed
    dryer purge and powers non-cycling dryers (its standby consumption).
    """

    stage = Stage.COMPRESSED_AIR
    Params = AirSystemParams

    params: AirSystemParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        return (
            Port("el", ELECTRICITY, Direction.IN, p.electricity_bus, Role.USE),
            Port("air", COMPRESSED_AIR, Direction.OUT, p.air_bus, Role.SUPPLY),
        )

    def outputs(self) -> tuple[Output, ...]:
        per_machine = tuple(
            output(f"compressor_{m.name}_{q}", description=f"compressor {m.name}")
            for m in self.params.compressors
            for q in ("power_kw", "flow_m3_per_min")
        )
        return (
            *per_machine,
            *(
                output(n)
                for n in (
                    "delivered_flow_m3_per_min",
                    "leak_flow_m3_per_min",
                    "artificial_demand_m3_per_min",
                    "purge_flow_m3_per_min",
                    "capacity_m3_per_min",
                    "pressure_bar_g",
                    "compressor_power_kw",
                    "dryer_power_kw",
                    "specific_power_kw_per_m3_per_min",
                    "system_specific_power_kw_per_m3_per_min",
                    "heat_of_compression_kw",
                    "air_energy_kw",
                )
            ),
        )

    def _machines(self) -> list[CompressorParams]:
        """Enabled machines in loading order (priority, then list order)."""
        enabled = [(c.priority, i, c) for i, c in enumerate(self.params.compressors) if c.enabled]
        return [c for _, _, c in sorted(enabled, key=lambda t: (t[0], t[1]))]

    def _trim_index(self, machines: list[CompressorParams]) -> int:
        p = self.params
        names = [m.name for m in machines]
        if p.trim_compressor is not None and p.trim_compressor in names:
            return names.index(p.trim_compressor)
        for k, m in enumerate(machines):
            if m.control == "vsd":
                return k
        return len(machines) - 1

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        grid = ctx.grid
        n = grid.n_steps
        pa = (
            p.atmospheric_pressure_bar_a
            if p.atmospheric_pressure_bar_a is not None
            else atmospheric_pressure_bar_a(ctx.site.elevation_m)
        )
        machines = self._machines()
        caps = [m.rated_flow_m3_per_min for m in machines]
        total_rated = float(sum(c.rated_flow_m3_per_min for c in p.compressors))
        receiver = (
            p.receiver_volume_m3
            if p.receiver_volume_m3 is not None
            else STANDARD_STORAGE_M3_PER_M3_PER_MIN * total_rated
        )
        on = (
            schedule_on_grid(p.schedule, ctx) > 0.5
            if p.schedule is not None
            else np.ones(n, dtype=bool)
        )
        onf = on.astype(np.float64)
        p_set = p.pressure_set_bar_g
        end_use = np.maximum(ctx.net_demand(p.air_bus), 0.0)

        # Requested compressor output Q: end use + artificial + orifice leaks + purge, with
        # leaks as a share and dew-point purge in proportion to Q.
        p_req = p.end_use_pressure_bar_g if p.end_use_pressure_bar_g is not None else p_set
        artificial = (
            artificial_demand_m3_per_min(end_use, p.unregulated_frac, p_set, p_req, pa) * onf
        )
        orifice = (
            sum(
                (
                    o.count
                    * orifice_leak_flow_m3_per_min(
                        o.diameter_mm,
                        p_set,
                        discharge_coefficient=o.discharge_coefficient,
                        atmospheric_pressure_bar_a=pa,
                    )
                    for o in p.leak_orifices
                ),
                0.0,
            )
            * onf
        )
        dryer_rated = sum(d.rated_flow_m3_per_min for d in p.dryers)
        fixed_purge = sum(
            d.purge_frac * d.rated_flow_m3_per_min for d in p.dryers if d.purge_control == "fixed"
        )
        dp_purge_frac = sum(
            d.purge_frac * d.rated_flow_m3_per_min / dryer_rated
            for d in p.dryers
            if d.purge_control == "dew_point"
        )
        base = end_use * onf + artificial + orifice + fixed_purge * onf
        requested = base / (1.0 - p.leak_frac - dp_purge_frac)
        capacity = float(sum(caps)) * onf
        served = np.minimum(requested, capacity)
        share = np.divide(served, requested, out=np.zeros(n), where=requested > 0)

        to_bus = end_use * onf * share
        artificial = artificial * share
        orifice = orifice * share
        share_leak = p.leak_frac * served
        leak = orifice + share_leak

        # Dryers: flow split by rating. Purge as requested above, scaled like every use when
        # capacity is short, so that served = to_bus + artificial + leak + purge exactly.
        dryer_power = np.zeros(n)
        purge = np.zeros(n)
        for d in p.dryers:
            through = served * d.rated_flow_m3_per_min / dryer_rated
            pw, pg = dryer_flows(
                through,
                on,
                d.rated_flow_m3_per_min,
                d.rated_power_kw,
                d.purge_frac,
                d.cycling,
                d.purge_control == "dew_point",
            )
            dryer_power += pw
            purge += pg * share if d.purge_control == "fixed" else pg

        # Allocation and power per machine
        if p.sequencing == "sequencer":
            trim = self._trim_index(machines)
            flows = allocate_sequencer(served, caps, trim)
            pressure = np.full(n, p_set)
        else:
            flows = allocate_cascade(served, caps)
            running = flows > 1e-9
            # index of the last running machine in loading order (the one trimming)
            last = np.where(
                running.any(axis=0),
                len(machines) - 1 - np.argmax(running[::-1], axis=0),
                len(machines) - 1,
            )
            pressure = p_set + (len(machines) - 1 - last) * p.cascade_step_bar
        outputs: dict[str, np.ndarray] = {}
        compressor_power = np.zeros(n)
        for k, m in enumerate(machines):
            power = compressor_power_kw(
                m,
                flows[k],
                receiver_volume_m3=receiver,
                load_pressure_bar_g=pressure,
                atmospheric_pressure_bar_a=pa,
            )
            compressor_power += power
            outputs[f"compressor_{m.name}_power_kw"] = power
            outputs[f"compressor_{m.name}_flow_m3_per_min"] = flows[k]
        for m in p.compressors:
            if not m.enabled:
                outputs[f"compressor_{m.name}_power_kw"] = np.zeros(n)
                outputs[f"compressor_{m.name}_flow_m3_per_min"] = np.zeros(n)

        air_kw = np.minimum(air_energy_kw(served, p.discharge_temp_rise_k, pa), compressor_power)
        electricity = compressor_power + dryer_power
        outputs.update(
            delivered_flow_m3_per_min=served,
            leak_flow_m3_per_min=leak,
            artificial_demand_m3_per_min=artificial,
            purge_flow_m3_per_min=purge,
            capacity_m3_per_min=capacity,
            pressure_bar_g=pressure * onf,
            compressor_power_kw=compressor_power,
            dryer_power_kw=dryer_power,
            specific_power_kw_per_m3_per_min=np.divide(
                compressor_power, served, out=np.zeros(n), where=served > 1e-9
            ),
            system_specific_power_kw_per_m3_per_min=np.divide(
                electricity, to_bus, out=np.zeros(n), where=to_bus > 1e-9
            ),
            heat_of_compression_kw=compressor_power - air_kw,
            air_energy_kw=air_kw,
        )
        return Flows(ports={"el": electricity, "air": to_bus}, outputs=outputs)

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        o = flows.outputs
        step_h = grid.step_h
        el_kwh = float(flows.ports["el"].sum() * step_h)
        delivered_m3 = float(o["delivered_flow_m3_per_min"].sum() * 60.0 * step_h)
        end_use_m3 = float(flows.ports["air"].sum() * 60.0 * step_h)
        leak_m3 = float(o["leak_flow_m3_per_min"].sum() * 60.0 * step_h)
        return {
            "electricity_kwh": el_kwh,
            "compressor_energy_kwh": float(o["compressor_power_kw"].sum() * step_h),
            "delivered_air_m3": delivered_m3,
            "end_use_air_m3": end_use_m3,
            "leak_air_m3": leak_m3,
            "leak_frac": leak_m3 / delivered_m3 if delivered_m3 > 0 else 0.0,
            "specific_energy_kwh_per_m3": el_kwh / end_use_m3 if end_use_m3 > 0 else 0.0,
            "heat_of_compression_kwh": float(o["heat_of_compression_kw"].sum() * step_h),
        }

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "compressor_room",
            "compressors": [
                {
                    "name": "lu_1",
                    "control": "load_unload",
                    "rated_flow_m3_per_min": 16.0,
                    "rated_power_kw": 90.0,
                    "no_load_power_kw": 25.0,
                },
                {
                    "name": "vsd_1",
                    "control": "vsd",
                    "rated_flow_m3_per_min": 11.0,
                    "rated_power_kw": 66.0,
                    "no_load_power_kw": 5.0,
                    "turndown_frac": 0.2,
                },
            ],
            "pressure_set_bar_g": 7.0,
            "receiver_volume_m3": 4.0,
            "leak_frac": 0.2,
            "leak_orifices": [{"diameter_mm": 1.5, "count": 10}],
            "dryers": [
                {
                    "name": "rd_1",
                    "type": "refrigerated",
                    "rated_flow_m3_per_min": 30.0,
                    "rated_power_kw": 5.5,
                }
            ],
        }
