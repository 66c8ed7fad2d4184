"""What-if experiments: a base plant, named variants, and the money.

An experiment file (TOML, under ``experiments/``) names a base config and
variants. A variant is a list of measures from the measure library
(:mod:`twin.measures`, each with capex, O&M and lifetime) and/or dotted-path
patches (list items by component name). Every variant is simulated as a
whole plant — a package of measures is simulated, not summed, so
interactions between measures are real — and compared with the base: energy
per carrier, peak, cost, emissions, deltas, capex, payback, NPV, IRR and
abatement cost; with ``singles = true`` every measure is also simulated
alone, which gives the marginal abatement cost curve (MACC) data and the
interaction of each package with its parts.

Experiment file::

    [experiment]
    name = "pv_storage_sizing"
    base = "../configs/reference_factory.toml"
    singles = true

    [finance]
    discount_rate = 0.06
    price_escalation_frac_per_year = 0.02

    [[variant]]
    name = "pv_plus_1mw"
    measures = [{measure = "add_pv", name = "carport", rated_power_dc_kw = 1000}]

    [[variant]]
    name = "bigger_battery"
    patches = {"battery.storage.capacity_kwh" = 2000, "battery.storage.rated_power_kw" = 1000}
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from twin._atomic import atomic_files
from twin.config.finite import nonfinite_problems
from twin.config.loader import config_from_dict, format_validation_error, read_toml_file, set_path
from twin.errors import ConfigError, ConsistencyError
from twin.finance import abatement_cost_cny_per_tco2, measure_cashflows
from twin.measures import AppliedMeasure, MeasureError, apply_measure

__all__ = ["CompareResult", "Experiment", "compare", "load_experiment"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class ExperimentInfo(BaseModel):
    model_config = _FROZEN

    name: str = Field(min_length=1, description="Experiment name (output folder).")
    base: str = Field(description="Base plant config, relative to the experiment file.")
    description: str = Field(default="", description="Free text.")
    singles: bool = Field(
        default=False, description="Also simulate every measure alone (MACC data)."
    )
    workers: int | None = Field(
        default=None, ge=1, le=64, description="Processes (default: up to 2)."
    )


class FinanceConfig(BaseModel):
    model_config = _FROZEN

    discount_rate: float = Field(default=0.06, gt=-1.0, description="Discount rate [1/yr] (> -1).")
    price_escalation_frac_per_year: float = Field(
        default=0.0, gt=-1.0, description="Energy price escalation [1/yr]."
    )
    pv_degradation_frac_per_year: float = Field(
        default=0.005, ge=0.0, lt=1.0, description="PV output loss [1/yr]."
    )
    battery_fade_frac_per_year: float = Field(
        default=0.02, ge=0.0, lt=1.0, description="Battery capacity fade [1/yr]."
    )
    lifetime_years: int | None = Field(
        default=None, gt=0, le=60, description="Override of every measure's lifetime [yr]."
    )


class VariantConfig(BaseModel):
    model_config = _FROZEN

    name: str = Field(min_length=1, description="Variant name.")
    description: str = Field(default="", description="Free text.")
    measures: list[dict[str, Any]] = Field(
        default_factory=list, description="Measures from the library."
    )
    patches: dict[str, Any] = Field(default_factory=dict, description="Dotted path -> value.")


class ExperimentFile(BaseModel):
    model_config = _FROZEN

    experiment: ExperimentInfo
    finance: FinanceConfig = Field(default_factory=FinanceConfig)
    variant: list[VariantConfig] = Field(
        min_length=1, description="Variants compared with the base."
    )


@dataclass(frozen=True)
class Variant:
    """A variant ready to run: its config as data and its measures' money."""

    name: str
    raw: dict[str, Any]
    measures: tuple[AppliedMeasure, ...]
    kind: str  # "base", "variant" or "single"


@dataclass(frozen=True)
class Experiment:
    """A parsed experiment: the base, every variant, the finance inputs."""

    name: str
    source: str
    base_dir: str
    finance: FinanceConfig
    variants: tuple[Variant, ...]
    workers: int | None
    alone: frozenset[str] = frozenset()
    """Names of the variants that are one measure alone (MACC rows)."""


def _err(source: str, where: str, exc: Exception | str) -> ConfigError:
    return ConfigError(f"{source}: {where}: {exc}")


def load_experiment(path: str | Path) -> Experiment:
    """Parse and check an experiment file; every variant is validated like a config.

    Raises
    ------
    ConfigError
        Bad experiment file, unknown measure, bad measure parameter, patch
        to a path that does not exist, or a variant that is not a valid plant.
    """
    p = Path(path)
    source = str(path)
    data = read_toml_file(
        p, source, missing="experiment file not found (experiments/ holds runnable examples)"
    )
    problems = [f"{source}: {where}: {what}" for where, what in nonfinite_problems(data)]
    try:
        doc = ExperimentFile.model_validate(data)
    except ValidationError as exc:
        text = format_validation_error(exc, source, ExperimentFile, data=data)
        said = {line.split(": expected", 1)[0] for line in problems}
        problems += [
            line for line in text.splitlines() if line.split(": expected", 1)[0] not in said
        ]
        raise ConfigError("\n".join(problems)) from None
    base_path = (p.parent / doc.experiment.base).resolve()
    base_raw = read_toml_file(
        base_path,
        f"{source}: experiment.base",
        missing=f"base config {str(base_path)!r} not found (the path is relative to the experiment file)",
    )
    base_dir = str(base_path.parent)
    finance = doc.finance.model_dump()
    variants = [Variant("base", base_raw, (), "base")]
    problems += _problems(
        lambda: _validate(base_raw, f"{source}: base ({base_path.name})", base_dir)
    )
    if problems:
        raise ConfigError("\n".join(problems))
    singles: dict[str, tuple[dict[str, Any], AppliedMeasure]] = {}
    covered: set[str] = set()
    alone: set[str] = set()
    names = [v.name for v in doc.variant]
    for i, v in enumerate(doc.variant):
        where = f"{source}: variant[{i}] ({v.name})"
        if names.count(v.name) > 1 and names.index(v.name) < i:
            problems.append(
                f"{where}.name: {v.name!r} is used by another variant; names must be unique"
            )
        raw = base_raw
        applied: list[AppliedMeasure] = []
        failed = False
        for j, spec in enumerate(v.measures):
            try:
                raw, a = apply_measure(raw, spec, finance)
                single_raw, single = apply_measure(base_raw, spec, finance)
            except MeasureError as exc:
                problems.extend(f"{where}.measures[{j}]: {line}" for line in str(exc).splitlines())
                failed = True
                continue
            applied.append(a)
            singles.setdefault(_measure_key(single), (single_raw, single))
        for path, value in v.patches.items():
            try:
                raw = set_path(
                    raw, path, value, label=source, what=f"variant[{i}] ({v.name}).patches"
                )
            except ConfigError as exc:
                problems.append(str(exc))
                failed = True
        if failed:
            continue
        problems += _problems(
            lambda raw=raw, v=v: _validate(raw, f"{source}: variant {v.name!r}", base_dir)
        )
        variants.append(Variant(v.name, raw, tuple(applied), "variant"))
        if len(applied) == 1 and not v.patches:
            covered.add(_measure_key(applied[0]))  # this variant is the measure alone
            alone.add(v.name)
    if problems:
        if len(problems) > 20:
            problems = [*problems[:20], f"... and {len(problems) - 20} more"]
        raise ConfigError("\n".join(problems))
    if doc.experiment.singles:
        names = {v.name for v in variants}
        for key, (raw, single) in singles.items():
            if key in covered:
                continue
            name = _single_name(single, names)
            names.add(name)
            alone.add(name)
            variants.append(Variant(name, raw, (single,), "single"))
    return Experiment(
        doc.experiment.name,
        source,
        base_dir,
        doc.finance,
        tuple(variants),
        doc.experiment.workers,
        frozenset(alone),
    )


def _measure_key(a: AppliedMeasure) -> str:
    return f"{a.measure}:{json.dumps(a.params, sort_keys=True, default=str, ensure_ascii=False)}"


def _single_name(a: AppliedMeasure, taken: set[str]) -> str:
    hint = next(
        (
            str(a.params[k])
            for k in ("name", "line", "system", "zone", "load", "label")
            if a.params.get(k)
        ),
        "",
    )
    base = f"only {a.measure}" + (f" ({hint})" if hint else "")
    name, k = base, 2
    while name in taken:
        name, k = f"{base} #{k}", k + 1
    return name


def _validate(raw: dict[str, Any], source: str, base_dir: str) -> None:
    """Validate a variant's config as ``twin validate`` does: the schema,
    the components' own checks, the plant checks and its series files."""
    from twin.plant import Plant

    Plant.build(config_from_dict(raw, source=source, base_dir=base_dir))


def _problems(check: Any) -> list[str]:
    """The lines of the project's error ``check()`` raises (none if it passes)."""
    try:
        check()
    except (ConfigError, ConsistencyError) as exc:
        return str(exc).splitlines()
    return []


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    """A variant's stored row as its summary: fields the variant has (a NaN
    is a field another variant has), gas use summed over the fuel users."""
    s = {k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))}
    s["gas_use_kwh"] = sum(
        v for k, v in s.items() if k.startswith("components.") and k.endswith(".fuel_use_kwh")
    )
    s["gas_use_nm3"] = sum(
        v for k, v in s.items() if k.startswith("components.") and k.endswith(".fuel_use_nm3")
    )
    return s


def _run_variants(
    exp: Experiment, store_dir: Path, *, workers: int, resume: bool, progress: bool
) -> list[dict[str, Any]]:
    """Run every variant through the sweep engine into the store at
    ``store_dir`` (crash-safe; ``resume`` reuses what a killed run stored)."""
    from twin.sweep.design import Scenario
    from twin.sweep.engine import execute
    from twin.sweep.scenario import Plan
    from twin.sweep.store import Store

    scenarios = [
        Scenario(f"v{i:04d}", i, {"variant": v.name}, raw=v.raw) for i, v in enumerate(exp.variants)
    ]
    key = Plan.content_key(exp.source, exp.base_dir, [v.raw for v in exp.variants])
    plan = Plan(key, exp.source, exp.variants[0].raw, exp.base_dir)
    if resume and (store_dir / "catalogue.sqlite").is_file():
        store = Store.open(store_dir, design_key=key)
    else:
        if store_dir.exists() and (store_dir / "catalogue.sqlite").is_file():
            shutil.rmtree(store_dir)  # a finished earlier compare: start afresh
        store = Store.create(
            store_dir, design_key=key, name=exp.name, files={}, scenarios=scenarios
        )
    with store:
        execute(plan, scenarios, store, workers=workers, progress=progress, desc=exp.name)
        rows = store.frame().to_dict("records")
    failed = [r for r in rows if r["status"] != "done"]
    if failed:
        r = failed[0]
        msg = f"{exp.source}: variant {r['variant']!r}: {r['error']}"
        raise ConfigError(msg)
    return [_summary(r) for r in rows]


@dataclass(frozen=True)
class CompareResult:
    """Outcome of :func:`compare`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per variant (base first).
    macc : pandas.DataFrame
        Single measures sorted by abatement cost with cumulative abatement
        (empty without ``singles``).
    interactions : pandas.DataFrame
        Per package: simulated saving and emissions cut vs the sum of its
        measures simulated alone.
    cashflows : pandas.DataFrame
        Per variant and year: cash flow [CNY] (year 0 = −capex), its present
        value at the experiment's discount rate and the cumulative present
        value [CNY].
    """

    experiment: Experiment
    table: pd.DataFrame
    macc: pd.DataFrame
    interactions: pd.DataFrame
    cashflows: pd.DataFrame = field(default_factory=pd.DataFrame)

    def write(self, out_dir: str | Path) -> Path:
        """Write ``compare.csv``, ``macc.csv``, ``interactions.csv``,
        ``cashflows.csv`` and ``compare.json`` into ``out_dir`` as one set
        (:func:`twin._atomic.atomic_files`: after a kill the folder holds the
        previous set or the new one, never a mix), leaving the variants' store
        there intact. A table without rows is still a CSV with its header, so
        pandas reads every file."""
        out = Path(out_dir)
        names = ("compare.csv", "macc.csv", "interactions.csv", "cashflows.csv", "compare.json")
        with atomic_files(out, names, label="compare") as tmp:
            self.table.to_csv(tmp / "compare.csv", index=False, float_format="%.6g")
            self.macc.to_csv(tmp / "macc.csv", index=False, float_format="%.6g")
            self.interactions.to_csv(tmp / "interactions.csv", index=False, float_format="%.6g")
            self.cashflows.to_csv(tmp / "cashflows.csv", index=False, float_format="%.6g")
            records = json.loads(self.table.to_json(orient="records"))
            doc = {
                "experiment": self.experiment.name,
                "source": self.experiment.source,
                "finance": self.experiment.finance.model_dump(),
                "variants": records,
            }
            (tmp / "compare.json").write_text(
                json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        return out


_MACC_COLUMNS = (
    "variant",
    "measures",
    "abated_tco2_per_year",
    "abatement_cost_cny_per_tco2",
    "cumulative_abated_tco2_per_year",
    "capex_cny",
    "npv_cny",
)
_INTERACTION_COLUMNS = (
    "package",
    "measures",
    "simulated_delta_cost_cny",
    "sum_of_singles_delta_cost_cny",
    "interaction_cost_cny",
    "simulated_delta_emissions_tco2",
    "sum_of_singles_delta_emissions_tco2",
    "interaction_emissions_tco2",
)

_CARRIER_COLUMNS = (
    "electricity_use_kwh",
    "grid_import_kwh",
    "grid_export_kwh",
    "pv_ac_kwh",
    "gas_use_kwh",
    "gas_use_nm3",
    "peak_import_kw",
)


def compare(
    experiment: Experiment | str | Path,
    *,
    workers: int | None = None,
    progress: bool = False,
    store: str | Path | None = None,
    resume: bool = False,
) -> CompareResult:
    """Simulate the base and every variant and build the comparison.

    The variants run through the sweep engine (:mod:`twin.sweep`): one
    store format, the same progress bar and crash safety as ``twin sweep``.

    Parameters
    ----------
    experiment : Experiment or path
    workers : int, optional
        Processes to use (default: the file's ``workers``, else up to 2).
    progress : bool
        Show a progress bar (tqdm) on stderr.
    store : path, optional
        Folder of the variants' store (``twin compare`` uses
        ``<out>/scenarios``); default: a temporary folder.
    resume : bool
        Reuse the variants a killed run stored in ``store``.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    n_workers = workers or exp.workers or min(2, os.cpu_count() or 1)
    if store is None:
        with tempfile.TemporaryDirectory(prefix="twin-compare-") as tmp:
            summaries = _run_variants(
                exp, Path(tmp) / "scenarios", workers=n_workers, resume=False, progress=progress
            )
    else:
        summaries = _run_variants(
            exp, Path(store), workers=n_workers, resume=resume, progress=progress
        )
    fin = exp.finance
    base = summaries[0]

    def total_cost(s: dict[str, Any]) -> float:
        return s["total_cost_cny"] + s.get("fuel_cost_cny", 0.0)

    def emissions(s: dict[str, Any]) -> float:
        scope2 = s.get("scope2_market_tco2", s["scope2_location_tco2"])
        return s["scope1_tco2"] + scope2

    rows = []
    flows: list[dict[str, Any]] = []
    for v, s in zip(exp.variants, summaries, strict=True):
        row: dict[str, Any] = {
            "variant": v.name,
            "kind": v.kind,
            "measures": "; ".join(a.measure for a in v.measures),
            "measure_alone": v.name in exp.alone,
        }
        for key in _CARRIER_COLUMNS:
            row[key] = s.get(key, 0.0)
        row["total_cost_cny"] = total_cost(s)
        row["scope1_tco2"] = s["scope1_tco2"]
        row["scope2_location_tco2"] = s["scope2_location_tco2"]
        if "scope2_market_tco2" in s:
            row["scope2_market_tco2"] = s["scope2_market_tco2"]
        row["emissions_tco2"] = emissions(s)
        for key in ("grid_import_kwh", "gas_use_kwh", "peak_import_kw"):
            row[f"delta_{key}"] = row[key] - base.get(key, 0.0)
        saving = total_cost(base) - row["total_cost_cny"]
        abated = emissions(base) - row["emissions_tco2"]
        row["delta_cost_cny"] = -saving
        row["delta_emissions_tco2"] = -abated
        capex = sum(a.capex_cny for a in v.measures)
        om = sum(a.fixed_om_cny_per_year for a in v.measures)
        row["capex_cny"] = capex
        row["fixed_om_cny_per_year"] = om
        if v.kind == "base":
            rows.append(row)
            continue
        lifetime, degradation = _package_life(v.measures, fin)
        cf = measure_cashflows(
            capex_cny=capex,
            annual_savings_cny=saving,
            fixed_om_cny_per_year=om,
            lifetime_years=lifetime,
            discount_rate=fin.discount_rate,
            price_escalation_frac_per_year=fin.price_escalation_frac_per_year,
            degradation_frac_per_year=degradation,
        )
        cumulative = 0.0
        for year, value in enumerate(cf.cashflows_cny):
            present = float(value) / (1.0 + fin.discount_rate) ** year
            cumulative += present
            flows.append(
                {
                    "variant": v.name,
                    "year": year,
                    "cashflow_cny": float(value),
                    "present_value_cny": present,
                    "cumulative_present_value_cny": cumulative,
                }
            )
        row.update(
            lifetime_years=lifetime,
            simple_payback_years=cf.simple_payback_years,
            npv_cny=cf.npv_cny,
            irr_frac=cf.irr_frac if cf.irr_frac is not None else math.nan,
            abatement_cost_cny_per_tco2=abatement_cost_cny_per_tco2(cf.annualised_cost_cny, abated),
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    singles = table[table["measure_alone"]].copy()
    if not singles.empty:
        singles["abated_tco2_per_year"] = -singles["delta_emissions_tco2"]
        singles = singles[singles["abated_tco2_per_year"] > 0].sort_values(
            "abatement_cost_cny_per_tco2"
        )
        singles["cumulative_abated_tco2_per_year"] = singles["abated_tco2_per_year"].cumsum()
        macc = singles[list(_MACC_COLUMNS)]
    else:
        macc = pd.DataFrame(columns=_MACC_COLUMNS)
    interactions = _interactions(exp, table)
    cashflows = pd.DataFrame(
        flows,
        columns=[
            "variant",
            "year",
            "cashflow_cny",
            "present_value_cny",
            "cumulative_present_value_cny",
        ],
    )
    return CompareResult(exp, table, macc.reset_index(drop=True), interactions, cashflows)


def _package_life(measures: tuple[AppliedMeasure, ...], fin: FinanceConfig) -> tuple[int, float]:
    """Lifetime and yearly degradation of a package: capex-weighted means of
    its measures (equal weights when nothing costs anything); 15 years and
    no degradation for a variant made of patches only."""
    if not measures:
        return fin.lifetime_years or 15, 0.0
    weights = [a.capex_cny for a in measures]
    if sum(weights) <= 0:
        weights = [1.0] * len(measures)
    total = sum(weights)
    life = sum(w * a.lifetime_years for w, a in zip(weights, measures, strict=True)) / total
    fade = (
        sum(w * a.degradation_frac_per_year for w, a in zip(weights, measures, strict=True)) / total
    )
    return fin.lifetime_years or max(1, round(life)), fade


def _interactions(exp: Experiment, table: pd.DataFrame) -> pd.DataFrame:
    """Package saving vs the sum of its measures alone (needs ``singles``)."""
    by_single = {_measure_key(v.measures[0]): v.name for v in exp.variants if v.name in exp.alone}
    idx = table.set_index("variant")
    rows = []
    for v in exp.variants:
        if v.kind != "variant" or len(v.measures) < 2:
            continue
        parts = [by_single.get(_measure_key(a)) for a in v.measures]
        if None in parts:
            continue
        pkg = idx.loc[v.name]
        summed_cost = sum(idx.loc[p, "delta_cost_cny"] for p in parts)
        summed_em = sum(idx.loc[p, "delta_emissions_tco2"] for p in parts)
        rows.append(
            {
                "package": v.name,
                "measures": "; ".join(a.measure for a in v.measures),
                "simulated_delta_cost_cny": pkg["delta_cost_cny"],
                "sum_of_singles_delta_cost_cny": summed_cost,
                "interaction_cost_cny": pkg["delta_cost_cny"] - summed_cost,
                "simulated_delta_emissions_tco2": pkg["delta_emissions_tco2"],
                "sum_of_singles_delta_emissions_tco2": summed_em,
                "interaction_emissions_tco2": pkg["delta_emissions_tco2"] - summed_em,
            }
        )
    return pd.DataFrame(rows, columns=list(_INTERACTION_COLUMNS))
