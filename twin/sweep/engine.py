"""Reading a sweep file and running its scenarios into a store.

:func:`load_sweep` parses and checks a sweep file: its tables, the base
plant, every parameter and uncertain input at its extremes (so a path that
does not exist or a bound the config rejects fails before anything runs),
and builds the design. :func:`run_sweep` runs the design into a store
(:mod:`twin.sweep.store`) on this process, a local pool or a Dask cluster
(:mod:`twin.sweep.executors`); :func:`execute` is the loop both it and
``twin compare`` use.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from twin.accounting import summary_fields
from twin.config.loader import (
    _format_validation_error,
    config_from_dict,
    is_readable_file,
    read_toml_file,
)
from twin.errors import ConfigError
from twin.measures import MEASURES, MeasureError
from twin.sweep.design import Scenario, build_design, uncertain_quantiles
from twin.sweep.executors import connect_scheduler, dask_outcomes, local_outcomes
from twin.sweep.scenario import ENGINE_COLUMNS, Plan, scenario_config
from twin.sweep.schema import CONSTRAINT_PATTERN, Parameter, SweepFile, Uncertain, did_you_mean
from twin.sweep.store import Store

__all__ = [
    "DESIGN_LIMIT",
    "Sweep",
    "SweepRun",
    "SweepSizeError",
    "execute",
    "load_sweep",
    "run_sweep",
]

DESIGN_LIMIT = 2000
"""Largest design run without ``--yes`` (scenarios)."""

_PROBE_PROBS = (1e-6, 1.0 - 1e-6)
"""Quantiles at which an uncertain input's config is checked before the sweep:
a draw beyond them has odds below one in a million."""


class SweepSizeError(ConfigError):
    """A design larger than :data:`DESIGN_LIMIT` without ``--yes``."""


@dataclass(frozen=True)
class Sweep:
    """A parsed and checked sweep file.

    Attributes
    ----------
    name, source : str
    text : str
        The sweep file as read (copied into the store).
    doc : SweepFile
    plan : Plan
        What every scenario shares.
    scenarios : tuple of Scenario
        The design, in order.
    design_key : str
        SHA-256 of base, definitions and design: a store resumes only its own.
    """

    name: str
    source: str
    text: str
    doc: SweepFile
    plan: Plan
    scenarios: tuple[Scenario, ...]
    design_key: str


@dataclass(frozen=True)
class SweepRun:
    """What :func:`run_sweep` did: the store, how many scenarios ran now,
    how many the store holds by status, and the wall time [s]."""

    store: Path
    computed: int
    counts: dict[str, int]
    seconds: float


def _read_toml(path: Path, source: str, what: str) -> dict[str, Any]:
    return read_toml_file(path, f"{source}: {what} {path.name}", missing="not found")


def _base(doc: SweepFile, sweep_path: Path, source: str) -> tuple[dict[str, Any], str]:
    """The base plant as data and its folder: a config, or a variant of an experiment."""
    from twin.experiments import load_experiment

    base_path = (sweep_path.parent / doc.sweep.base).resolve()
    data = _read_toml(base_path, source, "sweep.base")
    if "experiment" not in data:
        if doc.sweep.variant is not None:
            msg = f"{source}: sweep.variant: the base {base_path.name} is a plant config, not an experiment"
            raise ConfigError(msg)
        config_from_dict(data, source=f"{source}: base {base_path.name}", base_dir=base_path.parent)
        return data, str(base_path.parent)
    exp = load_experiment(base_path)
    wanted = doc.sweep.variant or "base"
    names = [v.name for v in exp.variants]
    if wanted not in names:
        msg = (
            f"{source}: sweep.variant: no variant {wanted!r} in {base_path.name}"
            f"{did_you_mean(wanted, names)}; variants: {', '.join(names)}"
        )
        raise ConfigError(msg)
    return exp.variants[names.index(wanted)].raw, exp.base_dir


def _check_measures(doc: SweepFile, source: str) -> None:
    names = [t.name for t in (*doc.parameter, *doc.uncertain)]
    used: set[str] = set()
    for i, spec in enumerate(doc.measure):
        where = f"{source}: measure[{i}]"
        got = spec.get("measure")
        if not isinstance(got, str) or got not in MEASURES:
            msg = (
                f"{where}.measure: unknown measure {got!r}{did_you_mean(str(got), sorted(MEASURES))}; "
                f"the library has: {', '.join(sorted(MEASURES))}"
            )
            raise ConfigError(msg)
        for key, arg in spec.items():
            if isinstance(arg, str) and arg.startswith("@"):
                if arg[1:] not in names:
                    msg = (
                        f"{where}.{key}: {arg!r} names no parameter or uncertain input"
                        f"{did_you_mean(arg[1:], names)}; names: {', '.join(names)}"
                    )
                    raise ConfigError(msg)
                used.add(arg[1:])
    for kind, targets in (("parameter", doc.parameter), ("uncertain", doc.uncertain)):
        for i, t in enumerate(targets):
            if t.path is None and t.name not in used:
                msg = (
                    f"{source}: {kind}[{i}] ({t.name}): no path, and no [[measure]] takes "
                    f'"@{t.name}"; give path = "..." or use it as a measure argument'
                )
                raise ConfigError(msg)


_NESTED = ("components.", "generation_by_source_kwh.")
"""Prefixes of the flattened nested summary fields (their names depend on the plant)."""


def _reserved(doc: SweepFile, source: str) -> None:
    """Parameter names must not shadow result columns; objectives and
    constraints must name result columns (checked now, not after the sweep)."""
    taken = set(ENGINE_COLUMNS) | set(summary_fields())
    for t in (*doc.parameter, *doc.uncertain):
        if t.name in taken:
            msg = (
                f"{source}: {t.name!r} is a result column's name; name the parameter "
                f"otherwise (e.g. {t.name}_set)"
            )
            raise ConfigError(msg)
    known = sorted(taken | {t.name for t in (*doc.parameter, *doc.uncertain)})
    a = doc.analysis
    fields = [("analysis.objectives", o) for o in a.objectives]
    fields += [
        ("analysis.constraints", CONSTRAINT_PATTERN.match(c)["field"]) for c in a.constraints
    ]
    for where, name in fields:
        if name not in known and not name.startswith(_NESTED):
            msg = (
                f"{source}: {where}: {name!r} is no result column{did_you_mean(name, known)}; "
                f"columns: {', '.join(known)} and components.<name>.<indicator>"
            )
            raise ConfigError(msg)


def _centre(t: Parameter | Uncertain) -> Any:
    if isinstance(t, Parameter):
        if t.base is not None:
            return t.base
        if t.values is not None:
            return t.values[len(t.values) // 2]
        mid = (t.low + t.high) / 2.0
        return round(mid) if t.integer else mid
    return uncertain_quantiles(t, (0.5,))[0] if t.distribution != "choice" else t.values[0]


def _extremes(t: Parameter | Uncertain) -> list[Any]:
    if t.values is not None:
        return list(t.values)
    if isinstance(t, Parameter):
        return [round(t.low), round(t.high)] if t.integer else [t.low, t.high]
    return uncertain_quantiles(t, _PROBE_PROBS)


def _uses(spec: dict[str, Any], name: str) -> bool:
    return any(arg == f"@{name}" for arg in spec.values())


def _probe_one(plan: Plan, values: dict[str, Any], where: str, label: str) -> None:
    try:
        raw, _ = scenario_config(plan, Scenario("probe", -1, values))
        config_from_dict(raw, source=label, base_dir=plan.base_dir)
    except MeasureError as exc:
        msg = f"{label}: {exc}"
        raise ConfigError(msg) from None
    except ConfigError as exc:
        text = str(exc)
        if not text.startswith(where):
            text = f"{label}: {text}"
        raise ConfigError(text) from None


def _probe(plan: Plan, doc: SweepFile, source: str) -> None:
    """Apply every target alone at each of its levels or extremes (a measure
    argument with the other arguments at their centre) and validate the
    config; then everything at its centre. A wrong path or a bound the schema
    rejects is reported before anything runs, naming the sweep field."""
    targets = [*doc.parameter, *doc.uncertain]
    centre = {t.name: _centre(t) for t in targets}
    kinds = ["parameter"] * len(doc.parameter) + ["uncertain"] * len(doc.uncertain)
    positions = list(range(len(doc.parameter))) + list(range(len(doc.uncertain)))
    tables = sorted(plan.base_raw)
    for t, kind, i in zip(targets, kinds, positions, strict=True):
        where = f"{source}: {kind}[{i}] ({t.name})"
        for path in ([t.path] if t.path else []) + list(t.links):
            top = path.split(".", 1)[0].split("[", 1)[0]
            if top not in plan.base_raw:
                msg = (
                    f"{where}: path {path!r}: the base config has no {top!r} table"
                    f"{did_you_mean(top, tables)}; its tables: {', '.join(tables)}"
                )
                raise ConfigError(msg)
        values = _extremes(t)
        if t.links and not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values
        ):
            msg = f"{where}: links multiply the value, which must then be a number"
            raise ConfigError(msg)
        alone = replace(
            plan,
            targets=(t,) if t.path else (),
            measures=tuple(m for m in plan.measures if _uses(m, t.name)),
        )
        for value in values:
            _probe_one(alone, {**centre, t.name: value}, where, f"{where} = {value!r}")
    _probe_one(plan, centre, source, f"{source}: every parameter and uncertain input at its centre")


def load_sweep(path: str | Path) -> Sweep:
    """Parse and check a sweep file and build its design.

    Raises
    ------
    ConfigError
        Bad sweep file (the message names the file and field, lists the valid
        keys and suggests the closest), a base that is not a valid plant, a
        parameter path that does not exist, a value the config rejects, a
        distribution with bad bounds, a measure that cannot be applied.
    """
    p = Path(path)
    source = str(path)
    if not is_readable_file(p):
        msg = f"{source}: sweep file not found (experiments/ holds runnable examples)"
        raise ConfigError(msg)
    data = read_toml_file(p, source)
    text = p.read_bytes().decode("utf-8")
    try:
        doc = SweepFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, source, SweepFile, data=data)) from None
    _reserved(doc, source)
    _check_measures(doc, source)
    base_raw, base_dir = _base(doc, p, source)
    targets = (*doc.parameter, *doc.uncertain)
    finance = tuple(sorted(doc.finance.model_dump().items()))
    key = Plan.content_key(base_raw, base_dir, targets, doc.measure, finance)
    plan = Plan(key, source, base_raw, base_dir, targets, tuple(doc.measure), finance)
    _probe(plan, doc, source)
    scenarios = tuple(build_design(doc, source))
    design_key = Plan.content_key(key, [(s.values, s.tags) for s in scenarios])
    return Sweep(doc.sweep.name, source, text, doc, plan, scenarios, design_key)


COMPILE_MIN_SCENARIOS = 24
"""Scenarios per worker from which the workers compile the step loops
(:mod:`twin.kernels`): numba's import and the load of the compiled code cost
about 0.5 s a process, which the TOU battery's loop (about 20 ms a year in
Python) pays back after some 25 scenarios. A comparison of a few variants
runs them in Python."""


def _chunks(todo: Sequence[Scenario], workers: int) -> list[list[Scenario]]:
    """Tasks of a few scenarios: few enough per task that work spreads evenly
    and rows stream to disk, enough that task overhead stays small."""
    size = max(1, min(16, math.ceil(len(todo) / (max(workers, 1) * 8))))
    return [list(todo[i : i + size]) for i in range(0, len(todo), size)]


def execute(
    plan: Plan,
    scenarios: Sequence[Scenario],
    store: Store,
    *,
    workers: int = 1,
    client: Any = None,
    progress: bool = False,
    desc: str = "sweep",
) -> int:
    """Run the scenarios the store has not finished, streaming them into it.

    Returns
    -------
    int
        Scenarios run now.
    """
    pending = store.pending_ids()
    todo = [s for s in scenarios if s.scenario_id in pending]
    if len(todo) >= COMPILE_MIN_SCENARIOS * max(workers, 1):
        plan = replace(plan, compiled=True)
    chunks = _chunks(todo, workers)
    store.flush_rows = max(1, len(scenarios) // 20)
    bar = tqdm(
        total=len(scenarios),
        initial=len(scenarios) - len(todo),
        desc=desc,
        unit="scenario",
        disable=not progress,
        smoothing=0.05,
        leave=False,
    )
    outcomes = (
        dask_outcomes(client, plan, chunks)
        if client is not None
        else local_outcomes(plan, chunks, workers)
    )
    try:
        for batch in outcomes:
            store.add(batch)
            bar.update(len(batch))
    finally:
        outcomes.close()
        store.flush()
        bar.close()
    return len(todo)


def run_sweep(
    sweep: Sweep | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    yes: bool = False,
    progress: bool = False,
    connect_timeout_s: float = 10.0,
) -> SweepRun:
    """Run a sweep's design into the store ``out``.

    Parameters
    ----------
    sweep : Sweep or path
    out : path
        Store folder: new (or empty), or, with ``resume``, the store of an
        earlier run of the same sweep.
    workers : int, optional
        Local processes (default: the file's ``workers``, else the CPU count).
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a Dask scheduler; the scenarios run there.
    resume : bool
        Continue the store at ``out``: only unfinished scenarios run.
    yes : bool
        Run a design larger than :data:`DESIGN_LIMIT`.
    progress : bool
        Show a progress bar (rate, ETA) on stderr.
    connect_timeout_s : float
        How long to wait for the scheduler to answer [s].

    Raises
    ------
    SweepSizeError
        Too large a design without ``yes``.
    SchedulerError
        An unreachable scheduler.
    StoreError
        ``out`` is taken, or holds another design.
    """
    if workers is not None and workers < 1:
        msg = f"--workers: expected a whole number >= 1, got {workers}"
        raise ConfigError(msg)
    s = sweep if isinstance(sweep, Sweep) else load_sweep(sweep)
    n = len(s.scenarios)
    if n > DESIGN_LIMIT and not yes:
        msg = (
            f"{s.source}: the design has {n:,} scenarios, more than the {DESIGN_LIMIT:,} run "
            f"without confirmation; pass --yes to run them all, or shrink design.n or the levels"
        )
        raise SweepSizeError(msg)
    client = connect_scheduler(scheduler, connect_timeout_s) if scheduler else None
    try:
        t0 = time.perf_counter()
        out = Path(out)
        if resume and (out / "catalogue.sqlite").is_file():
            store = Store.open(out, design_key=s.design_key)
        else:
            store = Store.create(
                out,
                design_key=s.design_key,
                name=s.name,
                files={"sweep.toml": s.text},
                scenarios=s.scenarios,
                hourly=s.doc.sweep.hourly,
            )
        plan = s.plan
        if s.doc.sweep.hourly:
            plan = replace(plan, hourly_dir=str((out / "hourly").resolve()))
        n_workers = workers or s.doc.sweep.workers or os.cpu_count() or 1
        with store:
            computed = execute(
                plan,
                s.scenarios,
                store,
                workers=n_workers,
                client=client,
                progress=progress,
                desc=s.name,
            )
            counts = store.counts()
        return SweepRun(out, computed, counts, time.perf_counter() - t0)
    finally:
        if client is not None:
            client.close()
