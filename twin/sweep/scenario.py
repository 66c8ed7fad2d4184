"""One scenario: its config from the base and its values, its run, its row.

This is the worker side of a sweep. A :class:`Plan` holds what every
scenario shares (the base config as data, the parameter and uncertain-input
definitions, the measures, the finance inputs) and is shipped once per
worker; a scenario is then only its values. Each worker keeps, for the plan
it serves, the weather files it has read and the memo of the components
(solar geometry and transposition per orientation, production-line
simulations, zone kernels: :meth:`twin.component.RunContext.memo`), so a
scenario costs what it changes.

A scenario's config is the base patched through
:func:`twin.config.loader.set_path` (values at their paths, and at linked
paths times a factor) and through the measure library
(:func:`twin.measures.apply_measure`), validated like any config and run by
the one run entry point :func:`twin.run.run`. Its row holds the scenario id,
its values, the investment its parameters and measures carry and every
numeric summary field (nested tables flattened with dots).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import socket
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.config.loader import config_from_dict, set_path
from twin.finance import capital_recovery_factor
from twin.io_tables import write_parquet_file
from twin.kernels import enable_compiled_kernels
from twin.measures import AppliedMeasure, apply_measure
from twin.simulate import component_reuse
from twin.sweep.design import Scenario
from twin.sweep.schema import Parameter, Uncertain

__all__ = [
    "ENGINE_COLUMNS",
    "Plan",
    "flatten_summary",
    "run_chunk",
    "scenario_config",
    "served_plan",
    "warm_up",
]

ENGINE_COLUMNS = (
    "scenario_id",
    "index",
    "status",
    "error",
    "capex_cny",
    "fixed_om_cny_per_year",
    "annualised_capex_cny",
    "annual_cost_cny",
)
"""Columns every row has besides the values and the summary fields.

``annual_cost_cny`` = ``total_cost_cny`` + ``fuel_cost_cny`` + capex x CRF
(per investment, at its lifetime and the sweep's discount rate) + fixed
O&M [CNY/yr]: the yearly cost of owning and running the scenario's plant.
"""

_SKIPPED_SUMMARY = ("provenance", "ledger", "warnings")
"""Summary entries that are not results (provenance, ledger settings, messages)."""


@dataclass(frozen=True)
class Plan:
    """What every scenario of a sweep shares (picklable, shipped once per worker).

    Attributes
    ----------
    key : str
        SHA-256 of the plan's content: workers keep their caches per key.
    source : str
        The sweep or experiment file (for messages).
    base_raw : dict
        The base plant config as data.
    base_dir : str
        Folder that relative paths in the base config are read from.
    targets : tuple
        Parameter and uncertain-input definitions, in design order.
    measures : tuple of dict
        Measure specs applied in every scenario (arguments may be ``"@name"``).
    finance : dict
        Discount rate and the measures' degradation defaults.
    hourly_dir : str, optional
        Folder for each scenario's hourly Parquet file (off by default).
    compiled : bool
        Workers run the components' step loops compiled by numba
        (:mod:`twin.kernels`): set when a worker has enough scenarios to
        pay for numba's import. The results are the same either way.
    """

    key: str
    source: str
    base_raw: dict[str, Any]
    base_dir: str
    targets: tuple[Parameter | Uncertain, ...] = ()
    measures: tuple[dict[str, Any], ...] = ()
    finance: tuple[tuple[str, float], ...] = ()
    hourly_dir: str | None = None
    compiled: bool = False

    @staticmethod
    def content_key(*parts: Any) -> str:
        text = json.dumps(parts, sort_keys=True, default=_jsonable, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)


def _set(raw: dict[str, Any], path: str, value: Any, what: str, source: str) -> dict[str, Any]:
    """``set_path`` on the top-level table the path starts in only (the rest is
    shared, not copied: a factory config is large)."""
    top = path.split(".", 1)[0].split("[", 1)[0]
    patched = set_path({top: raw[top]} if top in raw else {}, path, value, label=source, what=what)
    return {**raw, top: patched[top]}


def _substitute(spec: dict[str, Any], values: dict[str, Any]) -> dict[str, Any] | None:
    """A measure spec with ``"@name"`` arguments replaced by the scenario's
    values; None when its ``apply`` switch is off."""
    out = {}
    for key, arg in spec.items():
        if isinstance(arg, str) and arg.startswith("@"):
            arg = values[arg[1:]]
        out[key] = arg
    if "apply" in out:
        if not out.pop("apply"):
            return None
    return out


def scenario_config(plan: Plan, scenario: Scenario) -> tuple[dict[str, Any], list[AppliedMeasure]]:
    """The scenario's config as data, and the measures applied to it.

    Raises
    ------
    ConfigError, MeasureError
        A path that cannot be set, a measure that cannot be applied.
    """
    if scenario.raw is not None:
        return scenario.raw, []
    raw = plan.base_raw
    where = f"{plan.source}: {scenario.scenario_id}"
    for t in plan.targets:
        if t.path is None:
            continue
        value = scenario.values[t.name]
        what = f"{type(t).__name__.lower()} {t.name!r}: path"
        if t.alone:
            parent, _, key = t.path.rpartition(".")
            raw = _set(raw, parent, {key: value}, what, where)
        else:
            raw = _set(raw, t.path, value, what, where)
        for path, factor in t.links.items():
            raw = _set(raw, path, value * factor, f"{what} link", where)
    applied = []
    finance = dict(plan.finance)
    owned = False
    for spec in plan.measures:
        concrete = _substitute(spec, scenario.values)
        if concrete is None:
            continue
        if not owned:  # one copy for all the measures (a pickle round trip: 3x a deepcopy)
            raw, owned = pickle.loads(pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL)), True
        raw, a = apply_measure(raw, concrete, finance, copy_config=False)
        applied.append(a)
    return raw, applied


def flatten_summary(summary: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Every numeric summary field, nested tables flattened with dots
    (``components.hall.cooling_kwh``); booleans, text and provenance left out."""
    out: dict[str, float] = {}
    for key, value in summary.items():
        if not prefix and key in _SKIPPED_SUMMARY:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten_summary(value, f"{name}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = float(value)
    return out


def _money(plan: Plan, scenario: Scenario, applied: list[AppliedMeasure]) -> dict[str, float]:
    rate = dict(plan.finance).get("discount_rate", 0.06)
    items = [(a.capex_cny, a.fixed_om_cny_per_year, a.lifetime_years) for a in applied]
    for t in plan.targets:
        if isinstance(t, Parameter) and (t.capex_cny_per_unit or t.fixed_om_cny_per_unit_year):
            v = float(scenario.values[t.name])
            items.append(
                (v * t.capex_cny_per_unit, v * t.fixed_om_cny_per_unit_year, t.lifetime_years)
            )
    capex = sum(c for c, _, _ in items)
    om = sum(o for _, o, _ in items)
    annualised = sum(c * capital_recovery_factor(rate, life) for c, _, life in items if c)
    return {"capex_cny": capex, "fixed_om_cny_per_year": om, "annualised_capex_cny": annualised}


# -- per-worker state ----------------------------------------------------------
_STATE: dict[str, Any] = {"key": None, "plan": None, "weather": {}}
_LOCK = threading.Lock()


def _weather_for(config: Any) -> Any:
    """The weather a config names, read once per worker and plan."""
    from twin.run import load_plant_weather

    wc = config.weather
    key = (wc.site, wc.file, wc.correct_timing, config.simulation.year, config.base_dir)
    cache = _STATE["weather"]
    if key not in cache:
        cache[key] = load_plant_weather(config)
    return cache[key]


def warm_up(plan: Plan, *, run_base: bool) -> None:
    """Make this process serve ``plan``: forget another plan's weather, and
    with ``run_base`` run the base plant once, which fills the weather,
    solar-geometry, line-simulation and zone-kernel memos (and compiles or
    loads the step loops of a ``compiled`` plan) before the first scenario
    arrives."""
    with _LOCK:
        if plan.compiled:
            enable_compiled_kernels()
        if _STATE["key"] == plan.key:
            return
        _STATE.update(key=plan.key, plan=plan, weather={})
        if run_base:
            from twin.run import run

            config = config_from_dict(
                plan.base_raw, source=f"{plan.source}: base", base_dir=plan.base_dir
            )
            with warnings.catch_warnings(), component_reuse():
                warnings.simplefilter("ignore")
                run(config, weather=_weather_for(config))


def served_plan() -> Plan | None:
    """The plan this process was warmed up for (pool workers get it once, at start)."""
    return _STATE["plan"]


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_one(plan: Plan, scenario: Scenario) -> dict[str, Any]:
    """Run one scenario; never raises for the scenario's own faults: a
    failure is an outcome with its error message."""
    from twin.plant import Plant
    from twin.run import account, summarise
    from twin.simulate import simulate

    t0, c0 = time.perf_counter(), time.process_time()
    row: dict[str, Any] = {
        "scenario_id": scenario.scenario_id,
        "index": scenario.index,
        **{f"design.{k}": v for k, v in scenario.tags.items()},
        **scenario.values,
    }
    outcome = {"scenario_id": scenario.scenario_id, "config_hash": None, "warnings": []}
    try:
        raw, applied = scenario_config(plan, scenario)
        config = config_from_dict(
            raw, source=f"{plan.source}: {scenario.scenario_id}", base_dir=plan.base_dir
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sim = simulate(Plant.build(config), weather=_weather_for(config))
            # the store keeps the summary row: tables only when hourly files are asked for
            results = account(sim) if plan.hourly_dir is not None else None
            summary = results.summary if results is not None else summarise(sim)
        money = _money(plan, scenario, applied)
        fields = flatten_summary(
            summary.model_dump() if hasattr(summary, "model_dump") else dict(summary)
        )
        money["annual_cost_cny"] = (
            fields.get("total_cost_cny", 0.0)
            + fields.get("fuel_cost_cny", 0.0)
            + money["annualised_capex_cny"]
            + money["fixed_om_cny_per_year"]
        )
        row.update(status="done", error="", **money, **fields)
        outcome["config_hash"] = summary["provenance"]["config_hash"]
        outcome["warnings"] = sorted({str(w.message) for w in caught})
        if results is not None:
            target = Path(plan.hourly_dir) / f"{scenario.scenario_id}.parquet"
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            write_parquet_file(results.hourly, tmp)
            os.replace(tmp, target)
    except Exception as exc:  # a failing scenario is recorded, and the sweep goes on
        text = str(exc) or type(exc).__name__
        row.update(status="failed", error=text)
    outcome.update(
        row=row,
        status=row["status"],
        error=row["error"],
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
        worker=_worker_name(),
    )
    return outcome


def run_chunk(plan: Plan, chunk: list[Scenario], *, run_base: bool = False) -> list[dict[str, Any]]:
    """Run scenarios one after the other in this process (pool task, Dask task
    or the coordinator itself)."""
    warm_up(plan, run_base=run_base)
    with component_reuse():
        return [run_one(plan, s) for s in chunk]
