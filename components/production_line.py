"""Production lines: the energy a line draws, from a discrete-event simulation.

The physical question is the electricity, compressed air, process heat and
process cooling a production line takes at every step, and the heat its
machines release into the hall, as they follow from what the machines do:
shifts and breaks, warm-up, orders and product mix with changeovers,
starvation and blocking between stations, breakdowns and repairs, planned
maintenance, machines left idling or sent to standby. Engineers test
scheduling strategies (a night shift in valley hours, staggered line
starts, a standby policy) by changing the config, not the code.

Three layers:

- the shift calendar (:mod:`components.production_calendar`) and the SimPy
  model of the line (:mod:`components.production_sim`), which give one
  state timeline per station in integer seconds from the grid start;
- :func:`twin.schedule.state_fractions` and :func:`station_flows`, which
  turn timelines into per-step state fractions (events inside a step count
  pro rata) and those into mean flows with the station's value per state
  (energy by state, in the manner of the machine-tool energy states of
  ISO 14955-1 and VDMA 34179: off, standby, warm-up, ready/idle,
  processing, plus changeover and down);
- :class:`ProductionLine`, the component: frozen :class:`ProductionLineParams`,
  an electricity port, optional air, heat and cooling ports, outputs and
  KPIs.

Definitions (KPIs, :meth:`ProductionLine.kpis`):

- planned production time: the time a station is scheduled to produce,
  i.e. its shifts less breaks, warm-up inside a shift and planned
  maintenance [h];
- availability = operating time / planned production time, where operating
  time = planned production time less breakdown time within it (technical
  availability, planned maintenance excluded, IEC 60050-192); averaged over
  the stations weighted by their planned time. Changeovers, starvation and
  blocking are not availability losses here: they show in the units
  produced and in the non-productive energy;
- non-productive energy share = energy drawn while idle, on standby or
  warming up / all energy of the line (off, changeover and down are
  reported separately as ``off_kw``, ``changeover_kw``, ``down_kw``);
- energy per unit = line electricity / units produced by the last station
  [kWh/unit].

References
----------
.. [1] ISO 14955-1:2017, Machine tools — Environmental evaluation of machine
   tools — Part 1: Design methodology for energy-efficient machine tools
   (machine states and their power).
.. [2] Gutowski, T., Dahmus, J., Thiriez, A. (2006). Electrical energy
   requirements for manufacturing processes. 13th CIRP International
   Conference on Life Cycle Engineering (the large share of constant,
   non-productive power of automated machines).
.. [3] IEC 60050-192:2015, International Electrotechnical Vocabulary —
   Dependability (availability, MTBF, MTTR).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import warnings
from dataclasses import dataclass
from typing import Annotated, Any, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from twin.components.production_calendar import (
    CalendarKind,
    ShiftCalendarParams,
    ShiftWindows,
    expand_shifts,
    local_to_seconds,
    station_calendar,
)
from twin.components.production_sim import (
    N_STATES,
    LineRun,
    StationSpec,
    StationState,
    mix_lots,
    order_lots,
    simulate_line,
)

from twin import diskcache
from twin.carriers import CHILLED_WATER, COMPRESSED_AIR, ELECTRICITY, HEAT
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
from twin.errors import SuspiciousInputWarning
from twin.schedule import Timeline, state_mean, step_mean_columns, step_means
from twin.timegrid import TimeGrid

__all__ = [
    "ENERGY_STATES",
    "LineSimulation",
    "MaintenanceParams",
    "OrderParams",
    "ProductParams",
    "ProductionLine",
    "ProductionLineParams",
    "StateValues",
    "StationParams",
    "simulate_production_line",
    "station_flows",
    "station_values",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)

ENERGY_STATES: tuple[str, ...] = ("off", "standby", "warmup", "idle", "busy", "changeover", "down")
"""States a station's values are given for, in :class:`StationState` code order;
``down`` also covers repairs outside production time and planned maintenance."""

_NON_PRODUCTIVE = ("idle", "standby", "warmup")
"""States whose energy counts as used while not producing."""

PositiveSeconds = Annotated[float, Field(gt=0)]
NonNegativeSeconds = Annotated[float, Field(ge=0)]


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------
class StateValues(BaseModel):
    """One quantity of a station in each of its states (unit: the table's name).

    States not given are 0.
    """

    model_config = _FROZEN

    off: float = Field(default=0.0, ge=0, description="Switched off (controls may still draw).")
    standby: float = Field(default=0.0, ge=0, description="Standby (energy-saving mode).")
    warmup: float = Field(default=0.0, ge=0, description="Warming up after being off.")
    idle: float = Field(
        default=0.0, ge=0, description="Ready and waiting: between lots, starved, blocked, breaks."
    )
    busy: float = Field(default=0.0, ge=0, description="Processing a lot.")
    changeover: float = Field(default=0.0, ge=0, description="Changing over to another product.")
    down: float = Field(
        default=0.0, ge=0, description="Broken down, under repair or in planned maintenance."
    )

    def by_state(self) -> np.ndarray:
        """Values in :class:`StationState` code order (length ``N_STATES``)."""
        v = [getattr(self, s) for s in ENERGY_STATES]
        return np.array([*v, self.down, self.down], dtype=np.float64)


def _zeros() -> StateValues:
    return StateValues()


class StationParams(BaseModel):
    """A station (a machine, or a group of machines working in lockstep) of a line."""

    model_config = _FROZEN

    name: str = Field(min_length=1, max_length=64, description="Station name, unique in the line.")
    power_kw: StateValues = Field(description="Mean electric power in each state [kW].")
    air_m3_per_min: StateValues = Field(
        default_factory=_zeros,
        description="Compressed-air demand in each state [m³/min free air delivery].",
    )
    process_heat_kw: StateValues = Field(
        default_factory=_zeros, description="Process-heat demand in each state [kW]."
    )
    process_cooling_kw: StateValues = Field(
        default_factory=_zeros, description="Process-cooling demand in each state [kW]."
    )
    heat_to_zone_frac: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Share of the station's electricity released as heat into the hall [-] "
        "(the rest leaves with coolant, exhaust or product).",
    )
    warmup_s: NonNegativeSeconds = Field(
        default=0.0, description="Warm-up time after being off, before it can produce [s]."
    )
    mtbf_h: float | None = Field(
        default=None,
        gt=0,
        description="Mean busy time between failures [h]; none: no breakdowns.",
    )
    mttr_h: float | None = Field(
        default=None, gt=0, description="Mean time to repair [h]; needed with mtbf_h."
    )
    buffer_capacity_lots: int = Field(
        default=2,
        ge=0,
        description="Places for transfer lots in the buffer after this station, before the "
        "next one (0: hand over directly); unused for the last station.",
    )

    @model_validator(mode="after")
    def _failures(self) -> Self:
        if (self.mtbf_h is None) != (self.mttr_h is None):
            msg = "mtbf_h and mttr_h: give both (random breakdowns) or neither"
            raise ValueError(msg)
        return self


class ProductParams(BaseModel):
    """A product the line makes."""

    model_config = _FROZEN

    name: str = Field(min_length=1, max_length=64, description="Product name, unique in the line.")
    cycle_time_s: PositiveSeconds | list[PositiveSeconds] = Field(
        description="Cycle time per unit [s]: one value for every station, or one per station."
    )
    changeover_s: NonNegativeSeconds | list[NonNegativeSeconds] = Field(
        default=0.0,
        description="Changeover time of a station into this product [s]: one value or one per "
        "station.",
    )
    batch_size: int = Field(
        default=1, ge=1, description="Units made in one batch before the mix moves on [units]."
    )
    transfer_lot_size: int | None = Field(
        default=None,
        ge=1,
        description="Units moved together between stations (pallet, bin, coil) [units]; "
        "default: the batch size.",
    )
    mix_frac: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of this product in the units made [-] (product-mix mode).",
    )

    @property
    def lot_units(self) -> int:
        """Transfer lot size [units]."""
        return self.transfer_lot_size or self.batch_size


class OrderParams(BaseModel):
    """An order of the order book: a quantity of a product, from a release time."""

    model_config = _FROZEN

    product: str = Field(description="Name of a product of the line.")
    quantity: int = Field(ge=1, description="Units ordered [units].")
    release: dt.datetime = Field(
        description="Local date and time from which the order may start (YYYY-MM-DDTHH:MM)."
    )


class MaintenanceParams(BaseModel):
    """A planned maintenance window."""

    model_config = _FROZEN

    start: dt.datetime = Field(description="Local date and time the window starts.")
    duration_h: float = Field(gt=0, description="Length of the window [h].")
    stations: list[str] = Field(
        default_factory=list, description="Stations in maintenance; empty: the whole line."
    )


class ProductionLineParams(ComponentParams):
    """Parameters of a production line."""

    stations: list[StationParams] = Field(
        min_length=1, description="Stations in flow order, each with its values per state."
    )
    products: list[ProductParams] = Field(min_length=1, description="Products the line makes.")
    orders: list[OrderParams] = Field(
        default_factory=list,
        description="Order book, worked in release order; empty: make the product mix "
        "(mix_frac) without end.",
    )
    shifts: ShiftCalendarParams = Field(description="Shift patterns per day type, overtime.")
    idle_to_standby_s: float | None = Field(
        default=None,
        ge=0,
        description="Idle time after which a station goes to standby [s]; none: it idles "
        "until the shift ends.",
    )
    shutdown_at_shift_end: bool = Field(
        default=True,
        description="Switch stations off between shifts (they warm up before the next); "
        "false: they stay on, idle then standby.",
    )
    warmup_before_shift: bool = Field(
        default=True,
        description="Warm up before the shift so production starts on time; false: warm-up "
        "takes the start of the shift.",
    )
    maintenance: list[MaintenanceParams] = Field(
        default_factory=list, description="Planned maintenance windows."
    )
    bus: str = Field(default="electricity", description="Electricity bus the line draws from.")
    air_bus: str | None = Field(
        default=None,
        description="Compressed-air bus; none: the air demand is reported as an output only.",
    )
    heat_bus: str | None = Field(
        default=None, description="Process-heat bus; none: reported as an output only."
    )
    cooling_bus: str | None = Field(
        default=None, description="Process-cooling (chilled water) bus; none: output only."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        n = len(self.stations)
        names = [s.name for s in self.stations]
        _unique("stations", names)
        _unique("products", [p.name for p in self.products])
        for i, prod in enumerate(self.products):
            for field in ("cycle_time_s", "changeover_s"):
                value = getattr(prod, field)
                if isinstance(value, list) and len(value) != n:
                    msg = (
                        f"products[{i}].{field}: expected one value or one per station ({n}), "
                        f"got {len(value)}"
                    )
                    raise ValueError(msg)
            # the event simulation times work in whole seconds: a unit that rounds to
            # 0 s never advances the clock (the run would never end)
            fastest = (
                min(prod.cycle_time_s) if isinstance(prod.cycle_time_s, list) else prod.cycle_time_s
            )
            if fastest < 0.5:
                msg = (
                    f"products[{i}].cycle_time_s: expected at least 0.5 s per unit (the line is "
                    f"simulated in whole seconds), got {fastest:g}; count the units in larger "
                    "packs (a case of 20) so one takes at least a second"
                )
                raise ValueError(msg)
        has_mix = [p.mix_frac is not None for p in self.products]
        if self.orders:
            if any(has_mix):
                msg = (
                    "orders and products[].mix_frac: give an order book or a product mix, not both"
                )
                raise ValueError(msg)
            known = {p.name for p in self.products}
            for i, order in enumerate(self.orders):
                if order.product not in known:
                    msg = (
                        f"orders[{i}].product: unknown product {order.product!r}; "
                        f"products: {', '.join(sorted(known))}"
                    )
                    raise ValueError(msg)
        elif any(has_mix) or len(self.products) > 1:  # a product mix (one product needs none)
            if not all(has_mix):
                msg = (
                    "products[].mix_frac: give every product a mix_frac (shares of the units "
                    "made, summing to 1), or give an order book (orders)"
                )
                raise ValueError(msg)
            total = sum(p.mix_frac for p in self.products)  # type: ignore[misc]
            if not math.isclose(total, 1.0, abs_tol=1e-6):
                msg = f"products[].mix_frac: the shares must sum to 1, got {total:.6g}"
                raise ValueError(msg)
        for i, window in enumerate(self.maintenance):
            unknown = sorted(set(window.stations) - set(names))
            if unknown:
                msg = (
                    f"maintenance[{i}].stations: unknown station(s) {unknown}; "
                    f"stations: {', '.join(names)}"
                )
                raise ValueError(msg)
        return self

    def per_station(self, value: float | list[float]) -> list[float]:
        """A per-product value broadcast to one value per station."""
        return list(value) if isinstance(value, list) else [float(value)] * len(self.stations)


def _unique(field: str, names: list[str]) -> None:
    seen = set()
    for i, name in enumerate(names):
        if name in seen:
            msg = f"{field}[{i}].name: {name!r} is used twice; names must be unique in a line"
            raise ValueError(msg)
        seen.add(name)


# ---------------------------------------------------------------------------
# Simulation and flows
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LineSimulation:
    """What the discrete-event part of a line produced.

    Attributes
    ----------
    windows : ShiftWindows
        The line's production windows on the grid.
    calendars : tuple of Timeline
        Each station's :class:`CalendarKind` partition of the run.
    run : LineRun
        Each station's :class:`StationState` timeline, event counts.
    """

    windows: ShiftWindows
    calendars: tuple[Timeline, ...]
    run: LineRun


def _local_naive(value: dt.datetime, grid: TimeGrid) -> np.datetime64:
    if value.tzinfo is not None:
        value = value.astimezone(grid.tz).replace(tzinfo=None)
    return np.datetime64(value.replace(microsecond=0), "s")


def _merge(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of intervals, sorted and disjoint."""
    if start.size == 0:
        return start, end
    order = np.argsort(start, kind="stable")
    s, e = start[order], end[order]
    reach = np.maximum.accumulate(e)
    new = np.concatenate([[True], s[1:] > reach[:-1]])
    group_end = np.maximum.reduceat(e, np.flatnonzero(new))
    return s[new], group_end


def simulate_production_line(
    params: ProductionLineParams,
    grid: TimeGrid,
    day_type: np.ndarray,
    rng: np.random.Generator,
    where: str = "production_line",
) -> LineSimulation:
    """Run a line's calendar and discrete-event model over a grid.

    Parameters
    ----------
    params : ProductionLineParams
    grid : TimeGrid
    day_type : numpy.ndarray
        :class:`twin.component.DayType` code per step (``ctx.day_type``).
    rng : numpy.random.Generator
        The line's generator (``ctx.rng(name)``); one child per station is
        spawned from it.
    where : str
        Field path for error messages.

    Returns
    -------
    LineSimulation

    Raises
    ------
    ConfigError
        Shifts of different day types overlap on the calendar.
    """
    windows = expand_shifts(params.shifts, grid, day_type, where=f"{where}.shifts")
    # planned maintenance per station, merged
    m_start = [
        local_to_seconds(np.array([_local_naive(m.start, grid)]), grid)[0]
        for m in params.maintenance
    ]
    m_end = [
        s + round(m.duration_h * 3600) for s, m in zip(m_start, params.maintenance, strict=True)
    ]
    timeout = math.inf if params.idle_to_standby_s is None else round(params.idle_to_standby_s)
    specs, calendars = [], []
    # stations with the same warm-up and maintenance share one calendar
    calendar_of: dict[tuple[int, bytes, bytes], Timeline] = {}
    for i, st in enumerate(params.stations):
        mine = [
            j for j, m in enumerate(params.maintenance) if not m.stations or st.name in m.stations
        ]
        ms, me = _merge(
            np.array([m_start[j] for j in mine], dtype=np.int64),
            np.array([m_end[j] for j in mine], dtype=np.int64),
        )
        key = (round(st.warmup_s), ms.tobytes(), me.tobytes())
        cal = calendar_of.get(key)
        if cal is None:
            cal = calendar_of[key] = station_calendar(
                windows,
                grid.end_s,
                shutdown_at_shift_end=params.shutdown_at_shift_end,
                warmup_s=key[0],
                warmup_before_shift=params.warmup_before_shift,
                maintenance_start_s=ms,
                maintenance_end_s=me,
            )
        calendars.append(cal)
        specs.append(
            StationSpec(
                cycle_s=tuple(params.per_station(p.cycle_time_s)[i] for p in params.products),
                changeover_s=tuple(
                    round(params.per_station(p.changeover_s)[i]) for p in params.products
                ),
                mtbf_s=None if st.mtbf_h is None else st.mtbf_h * 3600.0,
                mttr_s=None if st.mttr_h is None else st.mttr_h * 3600.0,
                buffer_lots=st.buffer_capacity_lots,
                idle_to_standby_s=timeout,
                calendar=cal,
            )
        )
    lot_units = [p.lot_units for p in params.products]
    if params.orders:
        index = {p.name: k for k, p in enumerate(params.products)}
        release = local_to_seconds(
            np.array([_local_naive(o.release, grid) for o in params.orders]), grid
        )
        plan = order_lots(
            [
                (int(r), index[o.product], o.quantity)
                for r, o in zip(release, params.orders, strict=True)
            ],
            lot_units,
        )
    else:
        shares = (
            [1.0]
            if len(params.products) == 1 and params.products[0].mix_frac is None
            else [float(p.mix_frac or 0.0) for p in params.products]
        )
        plan = mix_lots([p.batch_size for p in params.products], lot_units, shares)
    run = simulate_line(specs, plan, grid.end_s, rng.spawn(len(specs)))
    return LineSimulation(windows, tuple(calendars), run)


_QUANTITIES = ("power_kw", "air_m3_per_min", "process_heat_kw", "process_cooling_kw")


def station_values(station: StationParams) -> np.ndarray:
    """A station's values per :class:`StationState`, one column per flow.

    Returns
    -------
    numpy.ndarray
        Shape ``(N_STATES, 5)``: electric power [kW], air [m³/min], process
        heat [kW], process cooling [kW] and heat released into the hall
        (power times ``heat_to_zone_frac``) [kW].
    """
    table = np.column_stack([getattr(station, q).by_state() for q in _QUANTITIES])
    return np.column_stack([table, station.heat_to_zone_frac * table[:, 0]])


def station_flows(fractions: np.ndarray, station: StationParams) -> dict[str, np.ndarray]:
    r"""Mean flows of one station per step from its state fractions.

    Parameters
    ----------
    fractions : numpy.ndarray
        Shape ``(n_steps, N_STATES)``: fraction of each step in each
        :class:`StationState` (:func:`twin.schedule.state_fractions`) [-].
    station : StationParams

    Returns
    -------
    dict of str to array
        ``power_kw`` [kW], ``air_m3_per_min`` [m³/min], ``process_heat_kw``
        [kW], ``process_cooling_kw`` [kW] and ``heat_to_zone_kw`` [kW].

    Notes
    -----
    For each quantity :math:`q` with value :math:`q_s` in state :math:`s`
    and fraction :math:`f_{k,s}` of step :math:`k` spent in state
    :math:`s`, the mean over the step is :math:`\bar q_k = \sum_s f_{k,s}
    q_s`; energy per step is :math:`\bar P_k \Delta t`, so over a run the
    energy is the sum of state power times state duration. The heat
    released into the hall is :math:`\phi \bar P_k` with :math:`\phi`
    the station's ``heat_to_zone_frac``. :meth:`ProductionLine.compute`
    gets the same numbers for all stations at once with
    :func:`twin.schedule.step_means`.
    """
    table = station_values(station)
    names = (*_QUANTITIES, "heat_to_zone_kw")
    return {name: state_mean(fractions, table[:, j]) for j, name in enumerate(names)}


# ---------------------------------------------------------------------------
# The component
# ---------------------------------------------------------------------------
_STATE_OUTPUTS = tuple(f"{s}_kw" for s in ENERGY_STATES)
PLANNED_TIME_OUTPUT = "planned_time_frac"
"""Output holding the share of each step within planned production time [-]
(read by shift scheduling through this name, which the line owns)."""

_MODEL_MODULES = (
    "twin.components.production_line",
    "twin.components.production_sim",
    "twin.components.production_calendar",
    "twin.schedule",
    "twin.calendar",
)
"""The code a line's flows depend on: part of its disk-cache key."""


@register_component("production_line")
class ProductionLine(Component):
    """A production line: stations in series, driven by a discrete-event simulation.

    Ports: ``el`` (electricity, IN, role USE) always; ``air`` (compressed
    air [m³/min]), ``heat`` (process heat [kW]) and ``cooling`` (chilled
    water [kW]), IN with role USE, when ``air_bus``, ``heat_bus`` or
    ``cooling_bus`` is given.

    Outputs (per step): ``heat_to_zone_kw`` (electricity released as heat
    into the hall, for the zone model [kW]); ``units_produced`` (units
    finished by the last station in the step [units], pro rata);
    ``air_demand_m3_per_min`` [m³/min], ``process_heat_kw`` and
    ``process_cooling_kw`` [kW] when they have no bus; the electric power
    by state ``off_kw``, ``standby_kw``, ``warmup_kw``, ``idle_kw``,
    ``busy_kw``, ``changeover_kw``, ``down_kw`` (summing to ``el``) [kW];
    ``planned_time_frac`` and ``downtime_frac``, the station-mean share of
    the step that is planned production time and that is lost to
    breakdowns within it [-].
    """

    stage = Stage.LOAD
    Params = ProductionLineParams

    params: ProductionLineParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        ports = [Port("el", ELECTRICITY, Direction.IN, p.bus, Role.USE)]
        if p.air_bus is not None:
            ports.append(Port("air", COMPRESSED_AIR, Direction.IN, p.air_bus, Role.USE))
        if p.heat_bus is not None:
            ports.append(Port("heat", HEAT, Direction.IN, p.heat_bus, Role.USE))
        if p.cooling_bus is not None:
            ports.append(Port("cooling", CHILLED_WATER, Direction.IN, p.cooling_bus, Role.USE))
        return tuple(ports)

    def outputs(self) -> tuple[Output, ...]:
        p = self.params
        unserved = tuple(
            output(name, description="demand of the line with no bus to serve it")
            for name, bus in (
                ("air_demand_m3_per_min", p.air_bus),
                ("process_heat_kw", p.heat_bus),
                ("process_cooling_kw", p.cooling_bus),
            )
            if bus is None
        )
        return (
            output("heat_to_zone_kw", description="heat released into the hall"),
            output("units_produced", Meaning.PRODUCT),
            *unserved,
            *(
                output(name, description="electricity in this machine state")
                for name in _STATE_OUTPUTS
            ),
            output(
                PLANNED_TIME_OUTPUT, description="share of the step within planned production time"
            ),
            output("downtime_frac"),
        )

    def simulate(self, ctx: RunContext) -> LineSimulation:
        """The discrete-event part of :meth:`compute` (for notebooks and tests)."""
        return simulate_production_line(
            self.params,
            ctx.grid,
            ctx.day_type,
            ctx.rng(self.name),
            where=f"production_line[{self.name}]",
        )

    def compute(self, ctx: RunContext) -> Flows:
        # the flows depend only on the params, the grid, the day types and the
        # run's seed: a sweep whose variants leave the line alone reuses them,
        # in this process and (through the disk cache) in the next one
        key = ("production_line", self.name, self.params.model_dump_json())
        return ctx.memo(
            key,
            lambda: self._cached_compute(ctx),
            uses_weather=False,
            uses_calendar=True,
            uses_rng=True,
        )

    def _disk_key(self, ctx: RunContext) -> str:
        """What the flows depend on, as text: the params, the grid, the day
        types, the line's random stream and the code of the model."""
        grid = ctx.grid
        seq = ctx.rng(self.name).bit_generator.seed_seq
        days = hashlib.sha256(np.ascontiguousarray(ctx.day_type).tobytes()).hexdigest()
        code = diskcache.code_fingerprint(_MODEL_MODULES)
        return "|".join(
            [
                "production_line/1",
                code,
                self.params.model_dump_json(),
                grid.start.isoformat(),
                str(grid.tz),
                str(grid.step_s),
                str(grid.n_steps),
                days,
                repr(seq.entropy),
                repr(seq.spawn_key),
            ]
        )

    def _cached_compute(self, ctx: RunContext) -> Flows:
        key = self._disk_key(ctx) if diskcache.cache_enabled() else ""
        stored = diskcache.load_arrays(key) if key else None
        if stored is not None:
            return Flows(
                ports={k[5:]: v for k, v in stored.items() if k.startswith("port:")},
                outputs={k[4:]: v for k, v in stored.items() if k.startswith("out:")},
            )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            flows = self._compute(ctx)
        for w in caught:  # said again to the caller; a run that warns is not kept
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if key and not caught:
            diskcache.store_arrays(
                key,
                {
                    **{f"port:{k}": v for k, v in flows.ports.items()},
                    **{f"out:{k}": v for k, v in flows.outputs.items()},
                },
            )
        return flows

    def _compute(self, ctx: RunContext) -> Flows:
        p = self.params
        grid = ctx.grid
        sim = self.simulate(ctx)
        if sim.windows.start_s.size == 0:
            warnings.warn(
                f"production_line[{self.name}].shifts: no shift falls in the run "
                f"({grid.index[0].date()} to {grid.index[-1].date()}); the line draws only "
                "its off or standby power",
                SuspiciousInputWarning,
                stacklevel=2,
            )
        m = len(p.stations)
        n_out = len(ENERGY_STATES)
        # one value table per station: flows (5), power by energy state (7), downtime (1)
        by_state_cols = np.zeros((N_STATES, n_out))
        by_state_cols[np.arange(n_out), np.arange(n_out)] = 1.0
        by_state_cols[N_STATES - 2 :, ENERGY_STATES.index("down")] = 1.0
        down_col = np.zeros((N_STATES, 1))
        down_col[StationState.DOWN] = 1.0 / m
        starts, ends, values = [], [], []
        for st, tl in zip(p.stations, sim.run.timelines, strict=True):
            power = st.power_kw.by_state()[:, None]
            table = np.column_stack([station_values(st), by_state_cols * power, down_col])
            starts.append(tl.start_s)
            ends.append(tl.end_s)
            values.append(table[tl.state])
        means = step_mean_columns(
            np.concatenate(starts), np.concatenate(ends), np.concatenate(values), grid
        )
        ready = [cal.state == CalendarKind.READY for cal in sim.calendars]
        planned = step_means(
            np.concatenate([c.start_s[r] for c, r in zip(sim.calendars, ready, strict=True)]),
            np.concatenate([c.end_s[r] for c, r in zip(sim.calendars, ready, strict=True)]),
            np.full(sum(int(r.sum()) for r in ready), 1.0 / m),
            grid,
        )
        last = m - 1
        cycle_last = np.array([p.per_station(prod.cycle_time_s)[last] for prod in p.products])
        tl = sim.run.timelines[last]
        busy = tl.state == StationState.BUSY
        units = (
            step_means(tl.start_s[busy], tl.end_s[busy], 1.0 / cycle_last[tl.tag[busy]], grid)
            * grid.step_s
        )
        outputs: dict[str, np.ndarray] = {
            "heat_to_zone_kw": means[4],
            "units_produced": units,
        }
        ports = {"el": means[0]}
        for j, (port, bus, out) in enumerate(
            (
                ("air", p.air_bus, "air_demand_m3_per_min"),
                ("heat", p.heat_bus, "process_heat_kw"),
                ("cooling", p.cooling_bus, "process_cooling_kw"),
            )
        ):
            target = outputs if bus is None else ports
            target[out if bus is None else port] = means[1 + j]
        for j, name in enumerate(_STATE_OUTPUTS):
            outputs[name] = means[5 + j]
        outputs[PLANNED_TIME_OUTPUT] = planned
        outputs["downtime_frac"] = means[5 + n_out]
        return Flows(ports=ports, outputs=outputs)

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        """Annual indicators (definitions in the module docstring).

        Returns
        -------
        dict
            ``units_produced`` [units], ``energy_kwh`` [kWh],
            ``energy_per_unit_kwh`` [kWh/unit] (NaN without units),
            ``availability_frac`` [-] (NaN without planned time),
            ``non_productive_energy_frac`` [-], ``planned_production_h`` and
            ``downtime_h`` (station means) [h].
        """
        out = flows.outputs
        energy = grid.energy_kwh(flows.ports["el"])
        units = float(np.sum(out["units_produced"]))
        non_productive = sum(grid.energy_kwh(out[f"{s}_kw"]) for s in _NON_PRODUCTIVE)
        planned_h = float(np.sum(out["planned_time_frac"])) * grid.step_h
        down_h = float(np.sum(out["downtime_frac"])) * grid.step_h
        return {
            "units_produced": units,
            "energy_kwh": energy,
            "energy_per_unit_kwh": energy / units if units > 0 else math.nan,
            "availability_frac": 1.0 - down_h / planned_h if planned_h > 0 else math.nan,
            "non_productive_energy_frac": non_productive / energy if energy > 0 else 0.0,
            "planned_production_h": planned_h,
            "downtime_h": down_h,
        }

    @classmethod
    def example_params(cls) -> dict[str, Any]:
        return {
            "name": "machining",
            "stations": [
                {
                    "name": "turning",
                    "power_kw": {
                        "off": 0.5,
                        "standby": 3.0,
                        "warmup": 12.0,
                        "idle": 8.0,
                        "busy": 22.0,
                        "changeover": 6.0,
                        "down": 2.0,
                    },
                    "process_cooling_kw": {"busy": 6.0, "idle": 1.0},
                    "heat_to_zone_frac": 0.7,
                    "warmup_s": 900,
                    "mtbf_h": 40.0,
                    "mttr_h": 1.5,
                    "buffer_capacity_lots": 2,
                },
                {
                    "name": "milling",
                    "power_kw": {
                        "off": 0.5,
                        "standby": 4.0,
                        "warmup": 15.0,
                        "idle": 10.0,
                        "busy": 30.0,
                        "changeover": 8.0,
                        "down": 2.0,
                    },
                    "air_m3_per_min": {"busy": 0.4, "idle": 0.1},
                    "warmup_s": 900,
                    "mtbf_h": 60.0,
                    "mttr_h": 2.0,
                },
            ],
            "products": [
                {
                    "name": "shaft",
                    "cycle_time_s": [150, 180],
                    "changeover_s": 1800,
                    "batch_size": 120,
                    "transfer_lot_size": 20,
                    "mix_frac": 0.6,
                },
                {
                    "name": "flange",
                    "cycle_time_s": [90, 120],
                    "changeover_s": 1200,
                    "batch_size": 200,
                    "transfer_lot_size": 40,
                    "mix_frac": 0.4,
                },
            ],
            "shifts": {
                "workday": [
                    {
                        "start": "06:00",
                        "end": "14:00",
                        "breaks": [{"start": "10:00", "end": "10:30"}],
                    },
                    {
                        "start": "14:00",
                        "end": "22:00",
                        "breaks": [{"start": "18:00", "end": "18:30"}],
                    },
                ],
                "weekend": [{"start": "08:00", "end": "16:00", "weekdays": ["sat"]}],
            },
            "idle_to_standby_s": 1800,
            "shutdown_at_shift_end": True,
        }
