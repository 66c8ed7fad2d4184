"""The simulation engine: one plant over its time grid.

The stages: weather and calendar onto the grid; the grid
supply publishes its tariff and emission signals; components compute in
stage order (loads, converters, generation, storage, slack), each seeing
the net demand the earlier ones left on every bus; generation that neither
storage nor export can take is curtailed; every bus is checked to balance
at every step. What the simulation produced (:class:`Simulation`) is then
accounted (cost, emissions, the balance, the summary) by :func:`twin.run.run`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import importlib.metadata
import logging
import pickle
import platform
import threading
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from twin import weather as wx
from twin._version import __version__
from twin.component import Component, Direction, Flows, Meaning, RunContext, Site, TariffSignals
from twin.config.schema import PlantConfig
from twin.errors import BalanceError, ConfigError, SuspiciousInputWarning
from twin.kernels import FINE_STEPS_PER_HOUR, enable_compiled_kernels
from twin.plant import Plant
from twin.timegrid import TimeGrid

__all__ = [
    "BALANCE_TOLERANCE_KW",
    "COMPONENT_MEMO_BYTES",
    "Simulation",
    "clear_component_memo",
    "component_memo_stats",
    "component_reuse",
    "load_plant_weather",
    "simulate",
    "weather_on_grid",
]

log = logging.getLogger(__name__)

BALANCE_TOLERANCE_KW = 1e-6
"""Largest residual a bus may show at any step [kW] (or [m³/min])."""


@dataclass(frozen=True, eq=False)
class Simulation:
    """What one simulation produced, before any accounting.

    Attributes
    ----------
    plant : Plant
    weather : weather.Weather
        The weather used (with its provenance).
    weather_columns : Mapping[str, numpy.ndarray]
        Canonical weather columns on the grid.
    signals : TariffSignals
        Per-step prices [CNY/kWh], TOU periods and grid factor [kg CO2/kWh].
    flows : Mapping[str, Flows]
        Component name -> final flows (after curtailment).
    unmet_by_bus, surplus_by_bus : Mapping[str, numpy.ndarray]
        Demand no supplier served and surplus nothing could take, per bus
        and step [carrier unit].
    warnings : tuple of str
        Doubtful input and unmet demand found by the run.
    provenance : dict
        Version, config hash, weather hash, seed, software.
    """

    plant: Plant
    weather: wx.Weather
    weather_columns: Mapping[str, np.ndarray]
    signals: TariffSignals
    flows: Mapping[str, Flows]
    unmet_by_bus: Mapping[str, np.ndarray]
    surplus_by_bus: Mapping[str, np.ndarray]
    warnings: tuple[str, ...]
    provenance: dict[str, Any]


def load_plant_weather(config: PlantConfig) -> wx.Weather:
    """Load the weather a config names (bundled site, file or synthetic year).

    Raises
    ------
    ConfigError
        Unknown site, missing or unusable file, bad monthly means; the
        message names the config file and field.
    """
    wc = config.weather
    field = next(k for k in ("site", "file", "synthetic") if getattr(wc, k) is not None)
    try:
        return wx.load_weather_source(
            site=wc.site,
            file=wc.file,
            synthetic=wc.synthetic.model_dump() if wc.synthetic is not None else None,
            csv=wc.csv.model_dump() if wc.csv is not None else None,
            base_dir=config.base_dir,
            correct_timing=wc.correct_timing,
            accept_timing_offset=wc.accept_timing_offset,
            relative_humidity_frac=wc.relative_humidity_frac,
            year=config.simulation.year,
            seed=config.simulation.seed,
            name=f"{config.plant.name} (synthetic)",
        )
    except wx.WeatherError as exc:
        source = config.source_path or "<config>"
        msg = f"{source}: weather.{field}: {exc}"
        raise ConfigError(msg) from None


def weather_on_grid(frame: pd.DataFrame, grid: TimeGrid) -> dict[str, np.ndarray]:
    """Canonical weather columns as arrays on the grid.

    The typical year is matched to the grid by UTC instant and treated as
    cyclic (a grid in another time zone wraps around the year's ends).
    Hourly means are held for every step within the hour, which keeps
    every hourly mean, and so every energy total, the same at any step.
    """
    index = frame.index
    n = len(index)
    start_utc = index[0].tz_convert("UTC")
    hours_utc = grid.hourly_index.tz_convert("UTC")
    pos = (((hours_utc - start_utc) // pd.Timedelta(hours=1)).to_numpy() % n).astype(np.int64)
    out: dict[str, np.ndarray] = {}
    k = grid.steps_per_hour
    for name in frame.columns:
        values = frame[name].to_numpy(dtype=np.float64)[pos]
        out[name] = np.repeat(values, k) if k > 1 else values
    return out


def _check_flows(component: Component, flows: Flows, n: int) -> Flows:
    """Check a component's flows against its declarations; returns them with
    the declared curtailment outputs (which the run fills) added as zeros.

    Raises
    ------
    BalanceError
        A missing, undeclared, misshapen, non-finite or negative port flow, or an output
        that is undeclared, missing or misshapen (a bug in the component).
    """
    where = f"{component.kind}[{component.name}]"
    extra = sorted(set(flows.ports) - {p.name for p in component.ports()})
    if extra:
        msg = f"{where}: port flows {extra} are not declared in {type(component).__name__}.ports()"
        raise BalanceError(msg)
    for port in component.ports():
        arr = flows.ports.get(port.name)
        here = f"{where} port {port.name!r}"
        if arr is None:
            msg = f"{here}: compute() returned no flow"
            raise BalanceError(msg)
        if arr.shape != (n,):
            msg = f"{here}: flow has shape {arr.shape}, expected ({n},)"
            raise BalanceError(msg)
        if not np.all(np.isfinite(arr)):
            msg = f"{here}: flow has NaN or infinite values"
            raise BalanceError(msg)
        if arr.min() < -BALANCE_TOLERANCE_KW:
            i = int(np.argmin(arr))
            msg = f"{here}: negative flow {arr[i]:.6g} at step {i}; flows are never signed"
            raise BalanceError(msg)
    declared = {o.name: o for o in component.outputs()}
    undeclared = sorted(set(flows.outputs) - set(declared))
    if undeclared:
        msg = f"{where}: outputs {undeclared} are not declared in {type(component).__name__}.outputs()"
        raise BalanceError(msg)
    outputs = dict(flows.outputs)
    for name, decl in declared.items():
        arr = outputs.get(name)
        if arr is None and decl.meaning is Meaning.CURTAILMENT:
            outputs[name] = np.zeros(n)
        elif arr is None:
            msg = f"{where}: declared output {name!r} was not returned by compute()"
            raise BalanceError(msg)
        elif np.shape(arr) != (n,):
            msg = f"{where}: output {name!r} has shape {np.shape(arr)}, expected ({n},)"
            raise BalanceError(msg)
    return flows if len(outputs) == len(flows.outputs) else Flows(flows.ports, outputs)


def _curtail(
    plant: Plant, ctx: RunContext, flows: dict[str, Flows], bus: str, surplus: np.ndarray
) -> np.ndarray:
    """Reduce curtailable generation on ``bus`` by ``surplus`` [kW], pro rata
    to each producer's output; returns what could not be curtailed."""
    producers = [
        (c, p)
        for c in plant.components
        if c.curtailable
        for p in c.ports()
        if p.bus == bus and p.direction is Direction.OUT
    ]
    if not producers:
        return surplus
    total = sum(flows[c.name].ports[p.name] for c, p in producers)
    share = np.divide(surplus, total, out=np.zeros_like(surplus), where=total > 0)
    share = np.minimum(share, 1.0)
    for c, p in producers:
        f = flows[c.name]
        out = f.ports[p.name]
        cut = out * share
        ports = dict(f.ports)
        ports[p.name] = out - cut
        outputs = dict(f.outputs)
        (name,) = c.outputs_meaning(Meaning.CURTAILMENT)
        outputs[name] = outputs[name] + cut
        flows[c.name] = Flows(ports=ports, outputs=outputs)
        ctx._net_demand[bus] += cut
    return np.maximum(surplus - total * share, 0.0)


def _bus_residuals(plant: Plant, flows: Mapping[str, Flows], n: int) -> dict[str, np.ndarray]:
    """Demand minus supply per bus, recomputed from the final flows."""
    residual = {bus: np.zeros(n) for bus in plant.buses}
    for c in plant.components:
        f = flows[c.name]
        for port in c.ports():
            if port.direction is Direction.IN:
                residual[port.bus] += f.ports[port.name]
            else:
                residual[port.bus] -= f.ports[port.name]
    return residual


def simulate(plant: Plant, *, weather: wx.Weather | None = None) -> Simulation:
    """Simulate a built plant over its time grid: weather and calendar on the
    grid, the supply's signals, every component in stage order, curtailment
    and the balance check of every bus at every step.

    Parameters
    ----------
    plant : Plant
    weather : weather.Weather, optional
        Weather to use instead of the one the config names.

    Returns
    -------
    Simulation

    Raises
    ------
    ConfigError
        Unusable weather, or a component rejecting what the user gave it.
    BalanceError
        A bus does not balance, or a component's flows break its
        declarations (a bug, not a user error).
    """
    config, grid = plant.config, plant.grid
    w = weather if weather is not None else load_plant_weather(config)
    run_warnings: list[str] = []
    for issue in w.issues:
        if issue.severity == "warning":
            run_warnings.append(issue.message)
            warnings.warn(issue.message, SuspiciousInputWarning, stacklevel=2)
    columns, weather_key = _weather_columns(w, grid)
    loc, wc = w.location, config.weather
    site = Site(
        name=loc.name,
        latitude_deg=wc.latitude_deg if wc.latitude_deg is not None else loc.latitude_deg,
        longitude_deg=wc.longitude_deg if wc.longitude_deg is not None else loc.longitude_deg,
        elevation_m=wc.elevation_m if wc.elevation_m is not None else loc.elevation_m,
    )
    days = config.calendar.day_types(grid)
    ctx = RunContext(
        grid,
        site,
        columns,
        days,
        None,
        np.random.SeedSequence(config.simulation.seed),
        plant.series,
    )
    ctx.weather_key = weather_key
    ctx.signals = plant.slack.signals(ctx)

    flows: dict[str, Flows] = {}
    n = grid.n_steps
    if grid.steps_per_hour >= FINE_STEPS_PER_HOUR:
        enable_compiled_kernels()  # the step loops cost more than numba's import
    source = config.source_path or "<config>"
    reuse = getattr(_REUSE, "on", False)
    digests = _RunDigests(ctx) if reuse else None
    days_key = _digest(days) if reuse else ""
    for component in plant.components:
        try:
            f = (
                _compute_reusing(component, ctx, digests, days_key)
                if digests is not None
                else component.compute(ctx)
            )
        except ConfigError as exc:
            # a component rejects what the user gave it: name the config file
            text = str(exc)
            if source != "<config>" and not text.startswith(source):
                msg = f"{source}: {text}"
                raise ConfigError(msg) from exc
            raise
        if digests is None:  # the memo holds checked flows
            f = _check_flows(component, f, n)
        flows[component.name] = f
        ctx._record(component.name, component.ports(), f)

    unmet, surplus = _close_buses(plant, ctx, flows, run_warnings)
    return Simulation(
        plant=plant,
        weather=w,
        weather_columns=columns,
        signals=ctx.signals,
        flows=flows,
        unmet_by_bus=unmet,
        surplus_by_bus=surplus,
        warnings=tuple(run_warnings),
        provenance=_provenance(plant, w),
    )


def _close_buses(
    plant: Plant, ctx: RunContext, flows: dict[str, Flows], run_warnings: list[str]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Curtail what no slack can take, check that every bus balances at every
    step, and return the unmet demand and the surplus nothing could take per
    bus (each warned about when non-zero).

    Raises
    ------
    BalanceError
        A bus whose residual is not explained by unmet demand or uncurtailable
        surplus (a bug).
    """
    grid = plant.grid
    n = grid.n_steps
    unmet = {bus: np.zeros(n) for bus in plant.buses}
    leftover = {bus: np.zeros(n) for bus in plant.buses}
    for slack in plant.slacks:
        out = flows[slack.name].outputs
        excess = sum((out[k] for k in slack.outputs_meaning(Meaning.EXCESS)), np.zeros(n))
        short = sum((out[k] for k in slack.outputs_meaning(Meaning.UNMET)), np.zeros(n))
        for bus in {p.bus for p in slack.ports()}:
            leftover[bus] = _curtail(plant, ctx, flows, bus, excess)
            unmet[bus] = short
    slack_buses = {p.bus for s in plant.slacks for p in s.ports()}
    residual = _bus_residuals(plant, flows, n)
    for bus, r in residual.items():
        unit = plant.buses[bus].carrier.flow_unit
        if bus not in slack_buses:
            # no slack here: what is not supplied is unmet, and it is reported
            unmet[bus] = np.maximum(r, 0.0)
        gap = r - unmet[bus] + leftover[bus]
        worst = float(np.max(np.abs(gap))) if gap.size else 0.0
        if worst > BALANCE_TOLERANCE_KW:
            i = int(np.argmax(np.abs(gap)))
            msg = (
                f"bus {bus!r} does not balance: residual {gap[i]:.6g} {unit} at step {i} "
                f"({grid.index[i]})"
            )
            raise BalanceError(msg)
        if float(np.max(unmet[bus], initial=0.0)) > 0.0:
            text = (
                f"bus {bus!r}: demand exceeds supply in {int(np.count_nonzero(unmet[bus]))} step(s), "
                f"largest gap {unmet[bus].max():.1f} {unit}; see the unmet column"
            )
            run_warnings.append(text)
            warnings.warn(text, SuspiciousInputWarning, stacklevel=3)
        if float(np.max(leftover[bus], initial=0.0)) > BALANCE_TOLERANCE_KW:
            text = f"bus {bus!r}: surplus above the export limit that no generator could curtail"
            run_warnings.append(text)
            warnings.warn(text, SuspiciousInputWarning, stacklevel=3)
    return unmet, leftover


_ON_GRID: dict[tuple[int, str], tuple[wx.Weather, dict[str, np.ndarray], str]] = {}
"""The last weathers put on a grid: (weather id, grid) -> (weather, columns, content key)."""
_ON_GRID_SIZE = 4


def _weather_columns(w: wx.Weather, grid: TimeGrid) -> tuple[dict[str, np.ndarray], str]:
    """The weather on the grid (read-only arrays) and its content key, once per
    weather object and grid: a sweep's scenarios share one weather per worker,
    and each scenario would otherwise re-index and re-hash the year."""
    key = (id(w), repr((grid.start, grid.step_s, grid.n_steps)))
    hit = _ON_GRID.get(key)
    if hit is not None and hit[0] is w:
        return dict(hit[1]), hit[2]
    frame = (
        w.frame
        if w.frame.index[0].year == grid.start.year
        else wx.to_year(w.frame, grid.start.year)
    )
    columns = weather_on_grid(frame, grid)
    for arr in columns.values():
        arr.flags.writeable = False
    content = _content_key(columns)
    if len(_ON_GRID) >= _ON_GRID_SIZE:
        _ON_GRID.pop(next(iter(_ON_GRID)))
    _ON_GRID[key] = (w, columns, content)  # holds w, so its id is not reused while cached
    return dict(columns), content


def _content_key(columns: Mapping[str, np.ndarray]) -> str:
    """Hash of the weather on the grid: the identity under which
    weather-derived results are shared across runs (:meth:`RunContext.memo`)."""
    h = hashlib.blake2b(digest_size=16)
    for name in sorted(columns):
        h.update(name.encode())
        h.update(np.ascontiguousarray(columns[name]).tobytes())
    return h.hexdigest()


@functools.cache
def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _provenance(plant: Plant, w: wx.Weather) -> dict[str, Any]:
    config = plant.config
    supply = plant.slack
    return {
        "package": "factory-twin",
        "version": _version("factory-twin") or __version__,
        "config_source": config.source_path,
        "config_hash": plant.config_hash,
        "seed": config.simulation.seed,
        "grid": plant.grid.describe(),
        "weather": {
            "source": w.source_path,
            "site": w.site,
            "sha256": w.sha256,
            "data_kind": w.data_kind,
            "attribution": w.attribution,
            "label_rule": w.label_rule,
            "timing_offset_min": None if np.isnan(w.timing_offset_min) else w.timing_offset_min,
            "timing_correction_min": w.timing_correction_min,
        },
        "tariff": supply.tariff_provenance(),
        "emission_factor_source": supply.emission_factor_source(),
        "inputs_sha256": dict(plant.input_hashes),
        "software": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "pvlib": _version("pvlib"),
            "pydantic": _version("pydantic"),
        },
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


# -- reuse of component results across runs (sweeps) --------------------------

COMPONENT_MEMO_BYTES = 256 * 2**20
"""Bound of the per-process memo of component results [bytes] (least recently
used dropped first)."""

_ENTRIES_PER_COMPONENT = 8
"""Results kept per component setting (its class, parameters, grid, weather,
calendar and seed), each under the inputs it read."""

_REUSE = threading.local()
"""``on`` per thread: Dask runs chunks on threads of one process."""
_COMPONENT_MEMO: OrderedDict[tuple, list[_Reusable]] = OrderedDict()
_MEMO_LOCK = threading.Lock()
_component_memo_bytes = 0


def clear_component_memo() -> None:
    """Forget every reused component result of this process (benchmarks, tests)."""
    global _component_memo_bytes
    with _MEMO_LOCK:
        _COMPONENT_MEMO.clear()
        _component_memo_bytes = 0


@contextlib.contextmanager
def component_reuse() -> Iterator[None]:
    """Within the block, a component whose parameters and inputs equal those of
    an earlier run in this process is not computed again: its flows (and the
    warnings it gave) are reused. Sweeps turn it on in their workers; a single
    run does not pay for the bookkeeping.

    What a component computes depends only on its parameters and what it reads
    from the run (:class:`twin.component.RunContext`): the grid, site, weather,
    day types and seed, which are in the key, and each signal field, net demands,
    upstream flows and input series, which are recorded as it reads them with
    a digest of their content. A later run reuses the result when every
    recorded input has the same digest (a content-addressed memo)."""
    before = getattr(_REUSE, "on", False)
    _REUSE.on = True
    try:
        yield
    finally:
        _REUSE.on = before


def component_memo_stats() -> dict[str, int]:
    """Hits, misses and bytes held by the component memo of this process."""
    return {**_MEMO_STATS, "bytes": _component_memo_bytes}


_MEMO_STATS = {"hits": 0, "misses": 0}


@dataclass(frozen=True)
class _Reusable:
    reads: tuple[tuple[Any, ...], ...]
    """(what, argument, digest) of every input read, in reading order."""
    flows: Flows
    warnings: tuple[warnings.WarningMessage, ...]
    nbytes: int


def _digest(*arrays: Any) -> str:
    h = hashlib.blake2b(digest_size=16)
    for arr in arrays:
        h.update(_array_digest(arr))
    return h.hexdigest()


_FROZEN_DIGESTS: dict[int, tuple[weakref.ref, bytes]] = {}
"""Digest of each live read-only array by ``id`` (with a weak reference that
tells a reused id from the same array): the memo's flows are read-only, so a
component reused from the memo is digested once, not in every run that reads it."""


def _array_digest(arr: Any) -> bytes:
    a = np.ascontiguousarray(arr)
    frozen = isinstance(arr, np.ndarray) and not arr.flags.writeable and arr.base is None
    if frozen:
        known = _FROZEN_DIGESTS.get(id(arr))
        if known is not None and known[0]() is arr:
            return known[1]
    h = hashlib.blake2b(digest_size=16)
    h.update(str(a.dtype).encode())
    h.update(a.tobytes())
    value = h.digest()
    if frozen:
        key = id(arr)
        _FROZEN_DIGESTS[key] = (
            weakref.ref(arr, lambda _, k=key: _FROZEN_DIGESTS.pop(k, None)),
            value,
        )
    return value


class _RunDigests:
    """Digests of what components may read in one run, each taken once."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._memo: dict[tuple, str] = {}

    def of(self, what: str, arg: Any) -> str:
        ctx = self.ctx
        key = (what, arg, len(ctx._flows)) if what == "net_demand" else (what, arg)
        value = self._memo.get(key)
        if value is None:
            if what == "signals":
                value = repr(ctx.signals is None)
            elif what == "signal":
                field = getattr(ctx.signals, arg)
                value = (
                    _digest(field)
                    if isinstance(field, np.ndarray)
                    else hashlib.blake2b(
                        pickle.dumps(field, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16
                    ).hexdigest()
                )
            elif what == "net_demand":
                value = _digest(ctx.net_demand(arg))
            elif what == "flows":
                f = ctx.flows(arg)
                value = _digest(*(f.ports[k] for k in sorted(f.ports))) + _digest(
                    *(f.outputs[k] for k in sorted(f.outputs))
                )
                value += repr((sorted(f.ports), sorted(f.outputs)))
            elif what == "input_series":
                value = _digest(ctx.input_series(*arg))
            else:  # pragma: no cover - every kind above
                msg = f"no digest rule for {what!r}"
                raise ValueError(msg)
            self._memo[key] = value
        return value


class _SignalsView:
    """The run's signals as one component sees them, recording each field it reads
    (a battery that reads the prices does not depend on the grid factor)."""

    def __init__(self, signals: TariffSignals, tracked: _Tracked) -> None:
        self._signals = signals
        self._tracked = tracked

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._signals, name)
        if not name.startswith("__"):
            self._tracked._read("signal", name)
        return value


class _Tracked:
    """The run context as one component sees it, recording what it reads."""

    def __init__(self, ctx: RunContext, digests: _RunDigests) -> None:
        self._ctx = ctx
        self._digests = digests
        self.reads: list[tuple[Any, ...]] = []
        self.grid = ctx.grid
        self.site = ctx.site
        self.weather = ctx.weather
        self.day_type = ctx.day_type
        self.cache = ctx.cache
        self.weather_key = ctx.weather_key

    def _read(self, what: str, arg: Any) -> None:
        self.reads.append((what, arg, self._digests.of(what, arg)))

    @property
    def signals(self) -> TariffSignals | None:
        self._read("signals", None)
        s = self._ctx.signals
        return None if s is None else _SignalsView(s, self)  # type: ignore[return-value]

    def net_demand(self, bus: str) -> np.ndarray:
        self._read("net_demand", bus)
        return self._ctx.net_demand(bus)

    def flows(self, component_name: str) -> Flows:
        self._read("flows", component_name)
        return self._ctx.flows(component_name)

    def input_series(self, component_name: str, field_path: str) -> np.ndarray:
        self._read("input_series", (component_name, field_path))
        return self._ctx.input_series(component_name, field_path)

    def memo(self, *args: Any, **kwargs: Any) -> Any:
        return self._ctx.memo(*args, **kwargs)

    def rng(self, component_name: str) -> np.random.Generator:
        return self._ctx.rng(component_name)  # the seed is in the key

    def __getattr__(self, name: str) -> Any:
        msg = f"{name!r}: the run context has no such member the reuse memo knows"
        raise AttributeError(msg)


def _setting(component: Component, ctx: RunContext, days_key: str) -> tuple | None:
    """What a component's result is keyed under besides its reads (None: not reusable)."""
    if ctx.weather_key is None:
        return None
    g, seq = ctx.grid, ctx._seed_sequence
    return (
        type(component).__module__,
        type(component).__qualname__,
        component.params.model_dump_json(),
        (g.start, g.step_s, g.n_steps),
        ctx.weather_key,
        ctx.site,
        days_key,
        repr(seq.entropy),
        seq.spawn_key,
    )


def _reemit(caught: tuple[warnings.WarningMessage, ...]) -> None:
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _owned_frozen(arr: Any) -> Any:
    if not isinstance(arr, np.ndarray):
        return arr
    if arr.base is not None:
        arr = arr.copy()
    arr.flags.writeable = False
    return arr


def _compute_reusing(
    component: Component, ctx: RunContext, digests: _RunDigests, days_key: str
) -> Flows:
    """``component.compute(ctx)`` checked by :func:`_check_flows`, or its
    earlier (checked) result on the same inputs."""
    global _component_memo_bytes
    n = ctx.grid.n_steps
    setting = _setting(component, ctx, days_key)
    if setting is None:
        return _check_flows(component, component.compute(ctx), n)
    with _MEMO_LOCK:
        entries = list(_COMPONENT_MEMO.get(setting, ()))
    for entry in entries:
        if all(digests.of(what, arg) == digest for what, arg, digest in entry.reads):
            with _MEMO_LOCK:
                if setting in _COMPONENT_MEMO:
                    _COMPONENT_MEMO.move_to_end(setting)
                _MEMO_STATS["hits"] += 1
            _reemit(entry.warnings)
            return entry.flows
    with _MEMO_LOCK:
        _MEMO_STATS["misses"] += 1
    tracked = _Tracked(ctx, digests)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        flows = component.compute(tracked)  # type: ignore[arg-type]
    _reemit(tuple(caught))
    flows = _check_flows(component, flows, n)
    # held read-only and owning their data, so that a run reusing them digests each once
    flows = Flows(
        {k: _owned_frozen(v) for k, v in flows.ports.items()},
        {k: _owned_frozen(v) for k, v in flows.outputs.items()},
    )
    size = sum(getattr(a, "nbytes", 0) for a in (*flows.ports.values(), *flows.outputs.values()))
    entry = _Reusable(tuple(tracked.reads), flows, tuple(caught), size)
    with _MEMO_LOCK:
        entries = [entry, *_COMPONENT_MEMO.pop(setting, ())]
        _component_memo_bytes += size
        for dropped in entries[_ENTRIES_PER_COMPONENT:]:
            _component_memo_bytes -= dropped.nbytes
        _COMPONENT_MEMO[setting] = entries[:_ENTRIES_PER_COMPONENT]
        while _component_memo_bytes > COMPONENT_MEMO_BYTES and _COMPONENT_MEMO:
            _, old = _COMPONENT_MEMO.popitem(last=False)
            _component_memo_bytes -= sum(e.nbytes for e in old)
    return flows
