"""The component protocol: ports, flows, the run context and the registry.

A component is a small class with validated, frozen parameters (a pydantic
model), declared ports, and one method ``compute(ctx) -> Flows`` that turns
the run context (time grid, weather, tariff signals, the net demand left on
each bus by the components computed before it) into non-negative flows for
the whole grid at once. Components are found by their config ``type``
through :func:`register_component`; the plant never dispatches on names.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.carriers import Carrier
from twin.timegrid import TimeGrid

__all__ = [
    "COMPONENT_REGISTRY",
    "SHARED_MEMO_BYTES",
    "BillingTerms",
    "Component",
    "ComponentParams",
    "DayType",
    "Direction",
    "EmissionFactorSpec",
    "Flows",
    "GridSupply",
    "Meaning",
    "Output",
    "Port",
    "Role",
    "RunContext",
    "SeriesRef",
    "Site",
    "Stage",
    "TariffSignals",
    "TouPeriod",
    "unit_of",
    "get_component_class",
    "output",
    "register_component",
    "shared_memo_bytes",
]


class Direction(StrEnum):
    """Direction of a port relative to its bus."""

    IN = "in"
    """The component takes from the bus (consumption)."""
    OUT = "out"
    """The component delivers to the bus (production)."""


class Role(StrEnum):
    """What a port's flow means to accounting (cost, emissions, KPIs)."""

    USE = "use"
    """Final use of a carrier by a load or the input of a converter."""
    GENERATION = "generation"
    """On-site generation (PV)."""
    SUPPLY = "supply"
    """Output of a converter (compressor air, boiler heat)."""
    CHARGE = "charge"
    """Into storage."""
    DISCHARGE = "discharge"
    """Out of storage."""
    IMPORT = "import"
    """Bought from outside the plant boundary."""
    EXPORT = "export"
    """Sold or delivered outside the plant boundary."""


class Stage(IntEnum):
    """Order in which components compute (the flow of one run).

    Loads first, then the compressed-air system that serves them, then
    thermal zones (whose heating and cooling needs depend on the internal
    gains of lines and compressors), then heat recovery (which can serve
    process and space heating), HVAC plant (chillers, heat pumps, fans),
    combined heat and power (which then sees the whole heat demand),
    boilers as the last heat source, on-site generation, storage dispatch
    against what is left, and last the slacks (grid connection, fuel
    supplies) that close their buses.
    """

    LOAD = 10
    COMPRESSED_AIR = 20
    ZONE = 25
    HEAT_RECOVERY = 30
    HVAC = 40
    CHP = 42
    HEAT_SUPPLY = 45
    GENERATION = 50
    STORAGE = 60
    SLACK = 90


class DayType(IntEnum):
    """Calendar day type used by profiles and schedules."""

    WORKDAY = 0
    WEEKEND = 1
    HOLIDAY = 2


class TouPeriod(IntEnum):
    """Time-of-use period codes (China: 深谷, 低谷, 平, 高峰, 尖峰)."""

    DEEP_VALLEY = 0
    VALLEY = 1
    FLAT = 2
    PEAK = 3
    CRITICAL = 4


@dataclass(frozen=True)
class Port:
    """A connection of a component to a bus.

    Attributes
    ----------
    name : str
        Port name, unique within its component (``"ac"``, ``"charge"``).
    carrier : Carrier
        Carrier of the flow.
    direction : Direction
        ``IN`` takes from the bus, ``OUT`` delivers to it. Flows are never
        signed: a storage has a charge port and a discharge port.
    bus : str
        Name of the bus the port is attached to.
    role : Role
        Meaning of the flow for accounting.
    renewable : bool
        True for renewable generation (PV, wind, hydro), used for renewable
        shares and the carbon ledger's renewable attributes.
    source : str
        Energy source of on-site generation (``"solar"``, ``"natural_gas"``,
        ``"diesel"``): the summary reports generation by source. Required
        for ``GENERATION`` ports.
    fuel : str
        The fuel an ``IMPORT`` port of a fuel carrier meters
        (``"natural_gas"``): the carbon ledger counts scope 1 combustion
        there, once, with this fuel's factor.
    """

    name: str
    carrier: Carrier
    direction: Direction
    bus: str
    role: Role
    renewable: bool = False
    source: str = ""
    fuel: str = ""

    def __post_init__(self) -> None:
        if self.role is Role.GENERATION and not self.source:
            msg = f"port {self.name!r}: a GENERATION port names its energy source (source='solar', ...)"
            raise ValueError(msg)
        if self.renewable and self.role is not Role.GENERATION:
            msg = f"port {self.name!r}: only GENERATION ports carry the renewable attribute"
            raise ValueError(msg)


class Meaning(StrEnum):
    """What an internal output (not a port flow) means to the plant.

    A closed set: accounting, the balance, the ledger and the reports read
    outputs by their meaning, never by their name.
    """

    STATE = "state"
    """Stored energy of a storage at the end of the step [kWh]."""
    LOSS = "loss"
    """Energy lost inside the component [kW] of its ``carrier`` (storage
    conversion and self-discharge losses count in the plant's electricity need)."""
    CURTAILMENT = "curtailment"
    """Generation the run curtailed because nothing could take it [kW]; filled by the run."""
    UNMET = "unmet"
    """Demand a slack could not serve (above its limit) [carrier unit]."""
    EXCESS = "excess"
    """Surplus a slack could not take (above its export limit) [carrier unit]."""
    FUEL = "fuel"
    """Fuel use with its ``fuel``: on a component with an ``IMPORT`` port, the
    metered volume of that import (``Nm3/h``); on any other component, fuel
    burned from its own stock outside every bus (a diesel tank) [kW LHV or
    Nm3/h], counted by the ledger as scope 1 combustion."""
    EMISSIONS = "emissions"
    """Direct CO2 of the component's own model [kg/h]."""
    PRODUCT = "product"
    """Units of product finished in the step (summed to the hour)."""
    COST = "cost"
    """Money per step [CNY] (summed to the hour)."""
    INFO = "info"
    """Anything else: temperatures, efficiencies, part-load ratios, internal powers."""


Aggregate = Literal["mean", "sum", "last", "first"]

_SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_kw_per_m3_per_min", "kW/(m³/min)"),
    ("_m3_per_min", "m³/min"),
    ("_nm3_per_h", "Nm³/h"),
    ("_m3_per_h", "m³/h"),
    ("_kg_per_h", "kg/h"),
    ("_w_per_m2", "W/m²"),
    ("_w_per_k", "W/K"),
    ("_cny_per_kwh", "CNY/kWh"),
    ("_kg_per_kwh", "kg CO2/kWh"),
    ("_kwh_per_unit", "kWh/unit"),
    ("_kg_per_kg", "kg/kg"),
    ("_kwh", "kWh"),
    ("_kw", "kW"),
    ("_mwh", "MWh"),
    ("_tco2", "t CO2e"),
    ("_nm3", "Nm³"),
    ("_m3", "m³"),
    ("_cny", "CNY"),
    ("_kg", "kg"),
    ("_t", "t"),
    ("_bar_g", "bar(g)"),
    ("_c", "°C"),
    ("_k", "K"),
    ("_h", "h"),
    ("_s", "s"),
    ("_frac", "-"),
    ("_pu", "-"),
    ("_count", "-"),
    ("_lhv", "-"),
    ("_cop", "-"),
)
"""Unit of a unit-suffixed name, longest suffix first."""

_UNITLESS_NAMES = frozenset(
    {"cop", "cop_plant", "scop", "efficiency_lhv", "units_produced", "tou_period"}
)


def unit_of(name: str) -> str | None:
    """Unit of a unit-suffixed quantity name (``power_kw`` -> ``kW``), or None
    when the name carries no known unit."""
    if name in _UNITLESS_NAMES or name.startswith("units_"):
        return "-"
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return None


@lru_cache(maxsize=4096)
def output(
    name: str,
    meaning: Meaning = Meaning.INFO,
    *,
    carrier: Carrier | None = None,
    fuel: str = "",
    description: str = "",
) -> Output:
    """An :class:`Output` whose unit and hourly aggregation follow from its
    unit-suffixed name: stored energy (``_kwh``) is the value at the end of
    the hour, money, mass and product units per step are summed, rates and
    powers averaged.

    Declarations are frozen and shared: equal arguments give the same object.

    Raises
    ------
    ValueError
        The name carries no known unit suffix (a bug in the component).
    """
    unit = unit_of(name)
    if unit is None:
        msg = f"output {name!r} has no unit suffix (power_kw, temp_c, _frac, ...)"
        raise ValueError(msg)
    if name.endswith("_kwh"):
        how: Aggregate = "last"
    elif name.endswith(("_cny", "_kg")) or name.startswith("units_"):
        how = "sum"
    else:
        how = "mean"
    return Output(name, unit, how, meaning, carrier, fuel, description)


@dataclass(frozen=True)
class Output:
    """Declaration of one internal output series of a component.

    Attributes
    ----------
    name : str
        Unit-suffixed key in :attr:`Flows.outputs` (``soc_kwh``, ``temp_cell_c``).
    unit : str
        Unit of the values (``"kWh"``, ``"°C"``, ``"-"``, ``"Nm3/h"``).
    aggregate : {"mean", "sum", "last", "first"}
        How step values become hourly values: mean for rates and powers,
        sum for per-step amounts (money, mass, units), last for states at the
        end of the hour.
    meaning : Meaning
        What the output means to the plant.
    carrier : Carrier or None
        The carrier of an energy output (losses, unmet, curtailment).
    fuel : str
        The fuel of a ``FUEL`` output (``"natural_gas"``, ``"diesel"``).
    description : str
        One line for docs and reports.
    """

    name: str
    unit: str
    aggregate: Aggregate = "mean"
    meaning: Meaning = Meaning.INFO
    carrier: Carrier | None = None
    fuel: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if self.meaning is Meaning.FUEL and not self.fuel:
            msg = f"output {self.name!r}: a FUEL output names its fuel"
            raise ValueError(msg)
        if self.meaning in (Meaning.LOSS, Meaning.UNMET, Meaning.EXCESS, Meaning.CURTAILMENT) and (
            self.carrier is None
        ):
            msg = f"output {self.name!r}: a {self.meaning.value} output names its carrier"
            raise ValueError(msg)


@dataclass(frozen=True)
class Flows:
    """What a component computed for the whole grid.

    Attributes
    ----------
    ports : Mapping[str, numpy.ndarray]
        Port name -> non-negative mean flow per step, in the carrier's unit
        ([kW] or [m³/min]).
    outputs : Mapping[str, numpy.ndarray]
        Further unit-suffixed series (``soc_kwh``, ``temp_cell_c``,
        ``curtailed_kw``) reported in results but not part of any balance.
    """

    ports: Mapping[str, np.ndarray]
    outputs: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Site:
    """Where the plant is: from the weather file unless the config overrides.

    Attributes
    ----------
    name : str
    latitude_deg : float
        Latitude, north positive [°].
    longitude_deg : float
        Longitude, east positive [°].
    elevation_m : float
        Elevation above sea level [m].
    """

    name: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float


@dataclass(frozen=True)
class TariffSignals:
    """Per-step price and emission signals published by the grid connection.

    Attributes
    ----------
    period : numpy.ndarray
        :class:`TouPeriod` code of each step (int8).
    import_price_cny_per_kwh : numpy.ndarray
        Energy price of imported electricity [CNY/kWh].
    export_price_cny_per_kwh : numpy.ndarray
        Price paid for exported electricity [CNY/kWh].
    ef_kg_per_kwh : numpy.ndarray
        Location-based grid emission factor [kg CO2/kWh].
    demand_target_kw : numpy.ndarray or None
        Import level the plant tries not to exceed (peak shaving) [kW].
    import_limit_kw, export_limit_kw : float
        Limits of the connection [kW] (for optimising dispatch).
    demand_charge_cny_per_kw_month : float
        Rate on the month's maximum import [CNY/kW-month]; 0 when the basic
        charge is billed on capacity.
    demand_interval_h : float
        Interval over which maximum demand is metered [h] (0.25 in China).
    demand_estimate : str
        At steps longer than the interval: ``"lower_bound"`` (bill the step
        mean, a lower bound) or ``"variability"`` (estimate the interval peak).
    power_factor : numpy.ndarray or None
        Monthly mean power factor (12 values, January first) [-]; None: no
        power-factor adjustment.
    power_factor_standard : float
        Standard power factor of the adjustment table (0.90, 0.85 or 0.80) [-].
    """

    period: np.ndarray
    import_price_cny_per_kwh: np.ndarray
    export_price_cny_per_kwh: np.ndarray
    ef_kg_per_kwh: np.ndarray
    demand_target_kw: np.ndarray | None = None
    import_limit_kw: float = float("inf")
    export_limit_kw: float = float("inf")
    demand_charge_cny_per_kw_month: float = 0.0
    demand_interval_h: float = 0.25
    demand_estimate: str = "lower_bound"
    power_factor: np.ndarray | None = None
    power_factor_standard: float = 0.9


T = TypeVar("T")

SHARED_MEMO_BYTES = 100 * 2**20
"""Bound of the memo shared across runs (sweeps reuse site, weather, grid and
unchanged line simulations) [bytes]: the arrays it holds are counted, and the
least recently used entries are dropped beyond it; an entry larger than the
bound is not kept."""

_SHARED_MEMO: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
_shared_memo_bytes = 0


def _nbytes(value: Any, seen: set[int] | None = None) -> int:
    """Bytes held by the arrays inside ``value`` (each array counted once)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, tuple | list):
        return sum(_nbytes(v, seen) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes(v, seen) for v in value.values())
    if hasattr(value, "__dict__"):
        return sum(_nbytes(v, seen) for v in vars(value).values())
    return 0


def _memo_store(key: tuple[Any, ...], value: Any) -> None:
    global _shared_memo_bytes
    size = _nbytes(value)
    if size > SHARED_MEMO_BYTES:
        return
    _SHARED_MEMO[key] = (value, size)
    _shared_memo_bytes += size
    while _shared_memo_bytes > SHARED_MEMO_BYTES:
        _, (_, dropped) = _SHARED_MEMO.popitem(last=False)
        _shared_memo_bytes -= dropped


def shared_memo_bytes() -> int:
    """Bytes the memo shared across runs holds now (at most :data:`SHARED_MEMO_BYTES`)."""
    return _shared_memo_bytes


def _freeze(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, tuple | list):
        for item in value:
            _freeze(item)
    elif hasattr(value, "__dict__"):
        for item in vars(value).values():
            _freeze(item)
    return value


class RunContext:
    """Everything a component may read while it computes.

    The run creates one context, then calls components in stage order. After
    each component, its port flows are added to the running net demand of
    the buses, so a later component (a battery, the grid connection) sees
    what is left to serve. Components read; only the run writes.

    Attributes
    ----------
    grid : TimeGrid
    site : Site
    weather : Mapping[str, numpy.ndarray]
        Canonical weather columns on the grid (``ghi_w_per_m2``, ``temp_air_c``, ...).
    day_type : numpy.ndarray
        :class:`DayType` code of each step (int8).
    signals : TariffSignals or None
        Tariff and emission signals; None before the grid connection is known.
    """

    def __init__(
        self,
        grid: TimeGrid,
        site: Site,
        weather: Mapping[str, np.ndarray],
        day_type: np.ndarray,
        signals: TariffSignals | None,
        seed_sequence: np.random.SeedSequence,
        series: Mapping[tuple[str, str], np.ndarray] | None = None,
    ) -> None:
        self.grid = grid
        self.site = site
        self.weather = weather
        self.day_type = day_type
        self.signals = signals
        self._seed_sequence = seed_sequence
        self._series = dict(series or {})
        self._net_demand: dict[str, np.ndarray] = {}
        self._flows: dict[str, Flows] = {}
        self.cache: dict[Any, Any] = {}
        """Per-run memo for intermediate results shared by components
        (for example solar position), keyed by a tuple that names them."""
        self.weather_key: str | None = None
        """Identity of the weather content (file hash and applied timing
        correction), set by the run; lets :meth:`memo` share weather-derived
        results across runs."""

    def memo(
        self,
        key: tuple[Any, ...],
        compute: Callable[[], T],
        *,
        uses_weather: bool = True,
        uses_calendar: bool = False,
        uses_rng: bool = False,
    ) -> T:
        """Value of ``compute()`` for ``key``, computed once per run and
        shared with later runs on the same grid (a sweep's variants).

        The shared key always holds the grid and ``key``; with
        ``uses_weather`` also the weather content (:attr:`weather_key`) and
        the site, with ``uses_calendar`` the day types, with ``uses_rng``
        the run's seed. A result may depend on nothing else. Arrays in the
        value are made read-only.
        """
        if key in self.cache:
            return self.cache[key]
        shared = None
        if self.weather_key is not None or not uses_weather:
            g = self.grid
            shared = (g.start, g.step_s, g.n_steps, key)
            if uses_weather:
                shared += (self.weather_key, self.site)
            if uses_calendar:
                shared += (hash(self.day_type.tobytes()),)
            if uses_rng:
                seq = self._seed_sequence
                shared += (repr(seq.entropy), seq.spawn_key)
            if shared in _SHARED_MEMO:
                _SHARED_MEMO.move_to_end(shared)
                value = _SHARED_MEMO[shared][0]
                self.cache[key] = value
                return value
        value = _freeze(compute())
        self.cache[key] = value
        if shared is not None:
            _memo_store(shared, value)
        return value

    def rng(self, component_name: str) -> np.random.Generator:
        """A generator for one component, spawned from the run's seed.

        The stream depends only on the run seed and the component name, so
        adding a component does not change another component's draws.
        """
        key = [ord(c) for c in component_name]
        child = np.random.SeedSequence(
            entropy=self._seed_sequence.entropy, spawn_key=(*self._seed_sequence.spawn_key, *key)
        )
        return np.random.default_rng(child)

    def net_demand(self, bus: str) -> np.ndarray:
        """Net demand left on ``bus`` by the components computed so far:
        consumption minus production [carrier unit]; negative is a surplus.
        Returns a copy."""
        arr = self._net_demand.get(bus)
        if arr is None:
            return np.zeros(self.grid.n_steps)
        return arr.copy()

    def input_series(self, component_name: str, field_path: str) -> np.ndarray:
        """The series a component's config field refers to (a
        :class:`SeriesRef`), read and aligned to the grid by the plant build."""
        try:
            return self._series[(component_name, field_path)]
        except KeyError:
            msg = f"no input series for {component_name}.{field_path} (was the plant built?)"
            raise KeyError(msg) from None

    def flows(self, component_name: str) -> Flows:
        """Flows of an already computed component (upstream flows)."""
        return self._flows[component_name]

    # -- written by the run only ----------------------------------------
    def _record(self, name: str, ports: tuple[Port, ...], flows: Flows) -> None:
        self._flows[name] = flows
        for port in ports:
            arr = flows.ports[port.name]
            net = self._net_demand.setdefault(port.bus, np.zeros(self.grid.n_steps))
            if port.direction is Direction.IN:
                net += arr
            else:
                net -= arr


class ComponentParams(BaseModel):
    """Base of every component's parameter model.

    Subclasses declare each parameter once with a unit-suffixed name, a
    description and bounds (``Field(description=..., gt=0)``). Params are
    frozen after parsing and never overwritten by results.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(
        description="Unique name of the component in the plant (letters, digits, _ and -).",
        pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$",
        max_length=64,
    )


class Component:
    """Base class of all components.

    Subclasses set the class attributes, implement :meth:`ports` and
    :meth:`compute`, and register with :func:`register_component`.

    Attributes
    ----------
    kind : str
        Config ``type`` and config table name (``pv``, ``battery``).
    stage : Stage
        When the component computes in a run.
    Params : type[ComponentParams]
        The pydantic parameter model.
    single : bool
        True when a plant has at most one (the config table is then a single
        table, not an array of tables).
    curtailable : bool
        True when the run may curtail the component's generation (PV) when
        neither storage nor export can take it.
    """

    kind: ClassVar[str] = ""
    stage: ClassVar[Stage] = Stage.LOAD
    Params: ClassVar[type[ComponentParams]] = ComponentParams
    single: ClassVar[bool] = False
    curtailable: ClassVar[bool] = False

    def __init__(self, params: ComponentParams) -> None:
        self.params = params
        self.name = params.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    def ports(self) -> tuple[Port, ...]:
        """The component's ports (buses resolved from its params)."""
        raise NotImplementedError

    def outputs(self) -> tuple[Output, ...]:
        """Every internal output :meth:`compute` returns in ``Flows.outputs``,
        declared once with its unit, hourly aggregation and meaning. The run
        rejects an undeclared or missing output (a bug in the component)."""
        return ()

    def outputs_meaning(self, meaning: Meaning) -> tuple[str, ...]:
        """Names of the declared outputs with one meaning."""
        return tuple(o.name for o in self.outputs() if o.meaning is meaning)

    def compute(self, ctx: RunContext) -> Flows:
        """Flows for every step of ``ctx.grid``."""
        raise NotImplementedError

    def references(self) -> tuple[str, ...]:
        """Names of the components whose flows this one reads (``ctx.flows``);
        the plant checks at build that they exist and compute earlier."""
        return ()

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        """Annual indicators of this component from its final flows
        (unit-suffixed keys, e.g. ``energy_per_unit_kwh``). They appear in
        ``summary["components"][name]``. A fuel or heat supply reports its
        bill as ``cost_cny``."""
        return {}

    @classmethod
    def example_params(cls) -> dict[str, Any]:
        """A small valid parameter set (used by docs and the contract tests)."""
        raise NotImplementedError


@dataclass(frozen=True)
class BillingTerms:
    """The basic (capacity or demand) charges of an electricity supply.

    Attributes
    ----------
    demand_charge_cny_per_kw_month : float
        Rate on the month's maximum import [CNY/kW-month].
    capacity_charge_cny_per_kva_month : float
        Rate on the contracted transformer capacity [CNY/kVA-month].
    contracted_capacity_kva : float
        Contracted capacity [kVA].
    """

    demand_charge_cny_per_kw_month: float = 0.0
    capacity_charge_cny_per_kva_month: float = 0.0
    contracted_capacity_kva: float | None = None


class GridSupply(Component):
    """The interface of the plant's electricity supply (the utility connection).

    The run uses exactly this interface, never the supply's params: the
    supply publishes per-step tariff and emission signals before anything
    computes, states its billing terms for the cost, and describes its
    tariff and emission factor for provenance and the carbon ledger.
    """

    stage = Stage.SLACK
    single = True

    @property
    def bus(self) -> str:
        """The electricity bus the supply closes."""
        raise NotImplementedError

    def signals(self, ctx: RunContext) -> TariffSignals:
        """Per-step prices [CNY/kWh], TOU periods and grid factor [kg CO2/kWh]."""
        raise NotImplementedError

    def billing(self) -> BillingTerms:
        """Basic charges (demand, capacity) of the tariff."""
        return BillingTerms()

    def emission_factor_source(self) -> str:
        """Where the location-based grid factor comes from."""
        return "user-defined"

    def tariff_provenance(self) -> dict[str, Any]:
        """What the tariff is (preset, document) for provenance."""
        return {}


COMPONENT_REGISTRY: dict[str, type[Component]] = {}


def register_component(kind: str) -> Callable[[type[Component]], type[Component]]:
    """Class decorator: make a component available as config ``type = kind``."""

    def decorate(cls: type[Component]) -> type[Component]:
        if kind in COMPONENT_REGISTRY and COMPONENT_REGISTRY[kind] is not cls:
            msg = f"component kind {kind!r} is registered twice"
            raise ValueError(msg)
        cls.kind = kind
        COMPONENT_REGISTRY[kind] = cls
        return cls

    return decorate


def get_component_class(kind: str) -> type[Component]:
    """The registered class for ``kind``; the error lists registered kinds."""
    try:
        return COMPONENT_REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(COMPONENT_REGISTRY)) or "(none)"
        msg = f"unknown component type {kind!r}; registered types: {known}"
        raise ValueError(msg) from None


class SeriesRef(BaseModel):
    """A reference to a column of a CSV file, given where a config field
    accepts a series instead of a number.

    The file has one row per hour of the simulated year (8760 or 8784 rows)
    or one row per step. Relative paths are relative to the config file. The
    plant build reads it once, checks its length and hands it to the
    component through :meth:`RunContext.input_series`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(description="Path of the CSV file (relative to the config file).")
    column: str = Field(description="Name of the column to use.")
    scale: float = Field(default=1.0, description="Factor applied to every value.")


class EmissionFactorSpec(BaseModel):
    """An emission factor of electricity as configs give it: a constant,
    twelve monthly values, or an hourly series [kg CO2/kWh], with its source.

    Shared by the grid connection (location-based factor) and the carbon
    ledger (location and residual-mix factors). ``{province|region|national,
    year}`` in a config is expanded into the constant and its source when the
    config is loaded (``twin.config.presets``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ef_kg_per_kwh: float | None = Field(
        default=None, ge=0, description="Constant factor [kg CO2/kWh]."
    )
    monthly_ef_kg_per_kwh: list[float] | None = Field(
        default=None, min_length=12, max_length=12, description="January..December [kg CO2/kWh]."
    )
    series: SeriesRef | None = Field(default=None, description="Hourly factor [kg CO2/kWh].")
    source: str = Field(default="user-defined", description="Where the factor comes from.")

    @model_validator(mode="after")
    def _one_form(self) -> EmissionFactorSpec:
        given = [
            n
            for n in ("ef_kg_per_kwh", "monthly_ef_kg_per_kwh", "series")
            if getattr(self, n) is not None
        ]
        if len(given) != 1:
            msg = (
                "give exactly one of ef_kg_per_kwh, monthly_ef_kg_per_kwh or series "
                f"(or province/region/national with year); got {given or 'none'}"
            )
            raise ValueError(msg)
        if self.monthly_ef_kg_per_kwh is not None and min(self.monthly_ef_kg_per_kwh) < 0:
            msg = "monthly_ef_kg_per_kwh values must be >= 0"
            raise ValueError(msg)
        return self
