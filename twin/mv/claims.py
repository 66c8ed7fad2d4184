"""Claim checks without meters: a stated figure against what the twin says under uncertainty.

Is "the 3 MWp array makes 3.9 GWh a year", "the retrofit saves 12 %" or "PV
avoids 2,000 t CO2" supported? A claims file holds ``[[claim]]`` tables of
three kinds:

- ``quantity``: a summary quantity of a plant (``results.summary[key]``),
  simulated over the named uncertain inputs (weather files of the station,
  parameter ranges or choices), compared ``at_least``, ``at_most`` or
  ``about`` the claim;
- ``saving``: a measure's saving in a summary quantity (base minus variant,
  each draw paired on the same inputs), absolute or as a fraction;
- ``emission_factor``: tonnes of CO2 for a stated energy, against every
  published Chinese grid factor that applies to a scope 2 figure
  (provincial, regional, national average, the national factor excluding
  market-traded non-fossil power, the carbon-market reporting factor) for
  the years around the claim; a figure that matches only the national
  fossil-power factor is a displacement figure and reported as such.

Each claim gets a verdict (supported, not supported, inconclusive), the
simulated distribution (P10/P50/P90), where the claim falls in it, and the
reason in one sentence.
"""

from __future__ import annotations

import copy
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from twin._atomic import atomic_dir
from twin.config.loader import _format_validation_error, config_from_dict, set_path
from twin.errors import ConfigError
from twin.factors import grid_factor, province_key
from twin.mv._files import read_toml, with_measure
from twin.mv.carbon import FACTOR_YEARS, latest_factor_year
from twin.sweep.scenario import ENGINE_COLUMNS

__all__ = ["ClaimResult", "ClaimsFile", "check_claims", "load_claims", "write_claims"]

PROVINCE_REGION = {
    "北京": "华北",
    "天津": "华北",
    "河北": "华北",
    "山西": "华北",
    "内蒙古": "华北",
    "山东": "华北",
    "辽宁": "东北",
    "吉林": "东北",
    "黑龙江": "东北",
    "上海": "华东",
    "江苏": "华东",
    "浙江": "华东",
    "安徽": "华东",
    "福建": "华东",
    "河南": "华中",
    "湖北": "华中",
    "湖南": "华中",
    "江西": "华中",
    "陕西": "西北",
    "甘肃": "西北",
    "青海": "西北",
    "宁夏": "西北",
    "新疆": "西北",
    "四川": "西南",
    "重庆": "西南",
    "广东": "南方",
    "广西": "南方",
    "云南": "南方",
    "贵州": "南方",
    "海南": "南方",
}
"""Regional grid of each province, as listed in the header of
``cn_grid_ef_regional.csv`` (membership inferred there, consistent with the
2022 regional values; not read from the MEE/NBS document itself)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.max < self.min:
            msg = f"expected max >= min, got min {self.min} and max {self.max}"
            raise ValueError(msg)
        return self


class Uncertain(_Strict):
    """Uncertain inputs: weather files, and config values drawn from a range
    (uniform) or a list (equally likely)."""

    weather: list[str] = Field(
        default_factory=list, description="Bundled sites or EPW files of the station."
    )
    set: dict[str, Range | list[Any]] = Field(
        default_factory=dict, description="Config path -> range or choices."
    )
    draws: int = Field(
        default=1, ge=1, le=200, description="Draws of the set values per weather file."
    )
    seed: int = 1


class _Simulated(_Strict):
    name: str = Field(min_length=1)
    config: str = Field(description="Plant config, relative to the claims file.")
    comparison: Literal["at_least", "at_most", "about"] = "at_least"
    tolerance_frac: float = Field(
        default=0.05, ge=0.0, lt=1.0, description="Band of an 'about' claim [-]."
    )
    uncertain: Uncertain = Field(default_factory=Uncertain)


class QuantityClaim(_Simulated):
    kind: Literal["quantity"]
    quantity: str = Field(description="Key of the run summary, e.g. pv_ac_kwh.")
    claimed: float


class SavingClaim(_Simulated):
    kind: Literal["saving"]
    quantity: str = "electricity_use_kwh"
    measures: list[dict[str, Any]] = Field(default_factory=list)
    patches: dict[str, Any] = Field(default_factory=dict)
    claimed: float | None = Field(default=None, description="Saving in the quantity's unit.")
    claimed_frac: float | None = Field(
        default=None, description="Saving as a fraction of the base."
    )

    @model_validator(mode="after")
    def _one(self) -> SavingClaim:
        if (self.claimed is None) == (self.claimed_frac is None):
            msg = "give claimed (in the quantity's unit) or claimed_frac, one of them"
            raise ValueError(msg)
        if not self.measures and not self.patches:
            msg = "give the measure as measures = [...] or patches = {...}"
            raise ValueError(msg)
        return self


class EmissionClaim(_Strict):
    kind: Literal["emission_factor"]
    name: str = Field(min_length=1)
    claimed_tco2: float = Field(gt=0)
    energy_kwh: float = Field(gt=0, description="Electricity the claim is about [kWh].")
    province: str
    year: int | None = Field(
        default=None, description="Year of the claim; factors of the years around it."
    )
    tolerance_frac: float = Field(
        default=0.02, ge=0.0, lt=0.5, description="Match tolerance on the factor [-]."
    )


Claim = Annotated[QuantityClaim | SavingClaim | EmissionClaim, Field(discriminator="kind")]


class ClaimsFile(_Strict):
    claim: list[Claim] = Field(min_length=1)


def load_claims(path: str | Path) -> tuple[ClaimsFile, str, Path]:
    """Read and validate a claims file.

    Raises
    ------
    ConfigError
        Missing file, bad TOML, unknown key or bad value (file and field named).
    """
    p = Path(path)
    label = str(path)
    raw = read_toml(
        p, label=label, where="", missing="claims file not found (experiments/mv/ holds an example)"
    )
    try:
        doc = ClaimsFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, label, ClaimsFile, data=raw)) from None
    for i, c in enumerate(doc.claim):
        if isinstance(c, EmissionClaim):
            try:
                key = province_key(c.province)
            except ValueError as exc:
                msg = f"{label}: claim[{i}].province: {exc}"
                raise ConfigError(msg) from None
            if key not in PROVINCE_REGION:
                msg = f"{label}: claim[{i}].province: no regional grid known for {key}"
                raise ConfigError(msg)
    return doc, label, p.parent


@dataclass
class ClaimResult:
    """The verdict on one claim."""

    name: str
    kind: str
    verdict: str
    reason: str
    claimed: float
    unit: str
    p10: float
    p50: float
    p90: float
    claim_percentile: float
    values: list[float]
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in (
                "name",
                "kind",
                "verdict",
                "reason",
                "claimed",
                "unit",
                "p10",
                "p50",
                "p90",
                "claim_percentile",
                "values",
                "detail",
            )
        }


def _percentile_of(values: np.ndarray, x: float) -> float:
    """Share of the distribution at or below ``x`` (mid-rank for ties) [-]."""
    v = np.asarray(values, float)
    return float((np.sum(v < x) + 0.5 * np.sum(v == x)) / v.size)


def _compare(
    values: np.ndarray, claimed: float, comparison: str, tol: float, what: str, unit: str
) -> tuple[str, str, float, float, float]:
    p10, p50, p90 = (float(np.percentile(values, q)) for q in (10, 50, 90))
    band = f"P10-P90 {p10:,.4g} to {p90:,.4g} {unit}"
    if comparison == "at_least":
        if p10 >= claimed:
            return (
                "supported",
                f"the twin gives at least the claimed {what} in 90 % of draws ({band})",
                p10,
                p50,
                p90,
            )
        if p90 < claimed:
            return (
                "not supported",
                f"the claimed {what} exceeds the twin's P90 ({band})",
                p10,
                p50,
                p90,
            )
        return (
            "inconclusive",
            f"the claimed {what} lies inside the twin's spread ({band})",
            p10,
            p50,
            p90,
        )
    if comparison == "at_most":
        if p90 <= claimed:
            return (
                "supported",
                f"the twin stays at or below the claimed {what} in 90 % of draws ({band})",
                p10,
                p50,
                p90,
            )
        if p10 > claimed:
            return (
                "not supported",
                f"the twin's P10 exceeds the claimed {what} ({band})",
                p10,
                p50,
                p90,
            )
        return (
            "inconclusive",
            f"the claimed {what} lies inside the twin's spread ({band})",
            p10,
            p50,
            p90,
        )
    lo, hi = (
        p10 * (1 - tol) if p10 > 0 else p10 * (1 + tol),
        p90 * (1 + tol) if p90 > 0 else p90 * (1 - tol),
    )
    if lo <= claimed <= hi:
        return (
            "supported",
            f"the claimed {what} lies within the twin's {band} (±{tol:.0%})",
            p10,
            p50,
            p90,
        )
    return (
        "not supported",
        f"the claimed {what} lies outside the twin's {band} widened by {tol:.0%}",
        p10,
        p50,
        p90,
    )


class _Runner:
    """Twin runs of the claims' draws, through the sweep engine.

    Each simulated claim's draws (and a saving's variants) become scenarios of
    a :class:`twin.sweep.scenario.Plan` on the claim's base config, run by
    :func:`twin.sweep.engine.execute` into a store in a scratch folder (the
    engine's progress bar, worker processes and crash-safe rows), and each
    scenario's stored summary row gives the claim its quantity. Runs are
    memoised across claims on (config, folder): a draw two claims share runs
    once.
    """

    def __init__(self, label: str, *, workers: int = 1, progress: bool = False) -> None:
        self.label = label
        self.workers = workers
        self.progress = progress
        self.cache: dict[str, dict[str, Any]] = {}
        self.runs = 0

    @staticmethod
    def key(raw: dict[str, Any], base_dir: Path) -> str:
        return json.dumps(raw, sort_keys=True, default=str) + str(base_dir)

    def run_all(
        self,
        base_raw: dict[str, Any],
        raws: list[tuple[dict[str, Any], str]],
        base_dir: Path,
        name: str,
    ) -> None:
        """Run the configs of ``raws`` (config as data, where it comes from)
        not run yet; each is validated first, so a bad value fails with the
        claim named before any twin run."""
        import tempfile

        from twin.sweep.design import Scenario
        from twin.sweep.engine import execute
        from twin.sweep.scenario import Plan
        from twin.sweep.store import Store

        todo: dict[str, tuple[dict[str, Any], str]] = {}
        for raw, where in raws:
            k = self.key(raw, base_dir)
            if k not in self.cache and k not in todo:
                config_from_dict(raw, source=f"{self.label}: {where}", base_dir=base_dir)
                todo[k] = (raw, where)
        if not todo:
            return
        keys = list(todo)
        scenarios = [
            Scenario(f"d{i:04d}", i, {"draw": i}, raw=todo[k][0]) for i, k in enumerate(keys)
        ]
        plan_key = Plan.content_key(self.label, str(base_dir), keys)
        plan = Plan(plan_key, self.label, base_raw, str(base_dir))
        with tempfile.TemporaryDirectory(prefix="twin-claim-") as scratch:
            store_dir = Path(scratch) / "store"
            store = Store.create(
                store_dir, design_key=plan_key, name=name, files={}, scenarios=scenarios
            )
            with store:
                execute(
                    plan,
                    scenarios,
                    store,
                    workers=self.workers,
                    progress=self.progress,
                    desc=name,
                )
                rows = store.frame().to_dict("records")
                notes = store.catalogue()["warnings"].tolist()
        for row, note in zip(rows, notes, strict=True):
            k = keys[int(row["index"])]
            if row["status"] != "done":
                msg = f"{self.label}: {todo[k][1]}: {row['error']}"
                raise ConfigError(msg)
            for text in json.loads(note) if isinstance(note, str) and note else []:
                warnings.warn(text, stacklevel=2)
            # the stored row: summary fields flattened with dots (NaN: a field of another draw)
            self.cache[k] = {
                c: v
                for c, v in row.items()
                if not (isinstance(v, float) and np.isnan(v)) and c not in ("draw",)
            }
        self.runs += len(keys)

    def summary(self, raw: dict[str, Any], base_dir: Path) -> dict[str, Any]:
        return self.cache[self.key(raw, base_dir)]


def _draws(u: Uncertain) -> list[tuple[str | None, dict[str, Any]]]:
    rng = np.random.default_rng(u.seed)
    weathers: list[str | None] = list(u.weather) or [None]
    out = []
    for w in weathers:
        for _ in range(u.draws if u.set else 1):
            values = {}
            for path, spec in u.set.items():
                if isinstance(spec, Range):
                    values[path] = float(rng.uniform(spec.min, spec.max))
                else:
                    values[path] = spec[int(rng.integers(len(spec)))]
            out.append((w, values))
    return out


def _raw_for(
    base_raw: dict[str, Any],
    weather: str | None,
    values: dict[str, Any],
    base_dir: Path,
    label: str,
    where: str,
) -> dict[str, Any]:
    raw = copy.deepcopy(base_raw)
    if weather is not None:
        section = {
            k: v for k, v in dict(raw.get("weather", {})).items() if k not in ("site", "file")
        }
        p = Path(weather)
        if p.suffix.lower() in (".epw", ".gz", ".csv"):
            section["file"] = str(p if p.is_absolute() else (base_dir / p).resolve())
        else:
            section["site"] = weather
        raw["weather"] = section
    for path, value in values.items():
        raw = set_path(raw, path, value, label=label, what=f"{where}.uncertain.set")
    return raw


def _quantity(row: dict[str, Any], key: str, label: str, where: str) -> float:
    """The quantity ``key`` (``components.<name>.<key>`` for nested ones) of a
    scenario's summary row."""
    node = row.get(key)
    if not isinstance(node, int | float) or isinstance(node, bool):
        valid = sorted(
            k
            for k, v in row.items()
            if "." not in k
            and k not in ENGINE_COLUMNS
            and isinstance(v, int | float)
            and not isinstance(v, bool)
        )
        msg = (
            f"{label}: {where}.quantity: {key!r} is not a quantity of the run summary; valid keys: "
            f"{', '.join(valid)} (component values as components.<name>.<key>)"
        )
        raise ConfigError(msg)
    return float(node)


def _precheck_quantity(key: str, label: str, where: str) -> None:
    """Reject a quantity the run summary cannot have before any twin run: the
    key's first part must be a numeric summary field, or a table of them
    (``components.<name>.<key>``, ``generation_by_source_kwh.<source>``)."""
    import typing

    from twin.accounting import Summary

    fields = Summary.model_fields
    head, _, rest = key.partition(".")
    field = fields.get(head)
    if field is not None:
        ann = field.annotation
        numeric = ann in (float, int) or set(typing.get_args(ann)) <= {float, int, type(None)}
        if (rest and typing.get_origin(ann) is dict) or (not rest and numeric and ann is not None):
            return
    valid = sorted(k for k, f in fields.items() if f.annotation in (float, int))
    msg = (
        f"{label}: {where}.quantity: {key!r} is not a quantity of the run summary; valid keys: "
        f"{', '.join(valid)} (component values as components.<name>.<key>)"
    )
    raise ConfigError(msg)


def _unit(key: str) -> str:
    for suffix, unit in (
        ("_kwh", "kWh"),
        ("_kw", "kW"),
        ("_tco2", "t CO2"),
        ("_cny", "CNY"),
        ("_frac", "-"),
        ("_nm3", "Nm³"),
    ):
        if key.endswith(suffix):
            return unit
    return ""


def _read_config(path: str, base_dir: Path, label: str, where: str) -> tuple[dict[str, Any], Path]:
    p = Path(path) if Path(path).is_absolute() else base_dir / path
    return read_toml(
        p, label=label, where=f"{where}.config", missing=f"plant config {p} not found"
    ), p.parent


def _check_simulated(
    c: QuantityClaim | SavingClaim, where: str, runner: _Runner, base_dir: Path, label: str
) -> ClaimResult:
    _precheck_quantity(c.quantity, label, where)
    base_raw, cfg_dir = _read_config(c.config, base_dir, label, where)
    variant_raw = None
    if isinstance(c, SavingClaim):
        variant_raw = with_measure(
            copy.deepcopy(base_raw), c.measures, c.patches, label=label, where=where
        )
    draws = [
        (
            weather,
            vals,
            _raw_for(base_raw, weather, vals, base_dir, label, where),
            None
            if variant_raw is None
            else _raw_for(variant_raw, weather, vals, base_dir, label, where),
        )
        for weather, vals in _draws(c.uncertain)
    ]
    runner.run_all(
        base_raw,
        [(r, where) for _, _, b, v in draws for r in (b, v) if r is not None],
        cfg_dir,
        c.name,
    )
    values, draws_out = [], []
    for weather, vals, b_raw, v_raw in draws:
        base_q = _quantity(runner.summary(b_raw, cfg_dir), c.quantity, label, where)
        if v_raw is None:
            q = base_q
        else:
            var_q = _quantity(runner.summary(v_raw, cfg_dir), c.quantity, label, where)
            q = base_q - var_q
            if c.claimed_frac is not None:
                q = q / base_q
        values.append(q)
        draws_out.append({"weather": weather, "set": vals, "value": q})
    arr = np.array(values)
    if isinstance(c, SavingClaim):
        claimed = c.claimed if c.claimed is not None else c.claimed_frac
        unit = _unit(c.quantity) if c.claimed is not None else "-"
        what = f"saving of {claimed:,.4g} {unit}"
    else:
        claimed, unit = c.claimed, _unit(c.quantity)
        what = f"{c.quantity} of {claimed:,.4g} {unit}"
    verdict, reason, p10, p50, p90 = _compare(
        arr, claimed, c.comparison, c.tolerance_frac, what, unit
    )
    return ClaimResult(
        c.name,
        c.kind,
        verdict,
        reason,
        float(claimed),
        unit,
        p10,
        p50,
        p90,
        _percentile_of(arr, claimed),
        arr.tolist(),
        {
            "quantity": c.quantity,
            "comparison": c.comparison,
            "draws": draws_out,
            "config": c.config,
        },
    )


def _factor_table(c: EmissionClaim) -> list[dict[str, Any]]:
    key = province_key(c.province)
    if c.year is None:
        years = list(FACTOR_YEARS)
    else:  # the years around the claim, or the latest published before it
        years = [y for y in FACTOR_YEARS if abs(y - c.year) <= 1] or [latest_factor_year(c.year)]
    rows = []

    def add(label: str, scope2: bool, **kw: Any) -> None:
        try:
            f = grid_factor(**kw)
        except ValueError:
            return  # not published for that year (e.g. the south-west grid in 2023)
        rows.append(
            {
                "factor": label,
                "scope2": scope2,
                "year": f.year,
                "ef_kg_per_kwh": f.ef_kg_per_kwh,
                "source": f.source,
            }
        )

    for y in years:
        add(f"provincial average {key}", True, year=y, province=key)
        add(f"regional grid {PROVINCE_REGION[key]}", True, year=y, region=PROVINCE_REGION[key])
        add("national average (location-based)", True, year=y, national="national_average")
        add(
            "national excl. market non-fossil (market-based residual)",
            True,
            year=y,
            national="national_average_excl_market_nonfossil",
        )
        add(
            "national fossil power (displacement, not scope 2)",
            False,
            year=y,
            national="national_fossil_power",
        )
    add(
        "national grid factor for carbon-market reporting",
        True,
        year=2022,
        national="ETS_national_grid_average_for_power_sector_reporting",
    )
    return rows


def _check_emission(c: EmissionClaim) -> ClaimResult:
    implied = c.claimed_tco2 * 1000.0 / c.energy_kwh
    rows = _factor_table(c)
    for r in rows:
        r["tco2"] = c.energy_kwh * r["ef_kg_per_kwh"] / 1000.0
        r["matches"] = abs(implied - r["ef_kg_per_kwh"]) <= c.tolerance_frac * r["ef_kg_per_kwh"]
    scope2 = np.array([r["tco2"] for r in rows if r["scope2"]])

    def closeness(r: dict[str, Any]) -> float:
        return abs(r["ef_kg_per_kwh"] - implied)

    hit2 = sorted((r for r in rows if r["matches"] and r["scope2"]), key=closeness)
    hit_disp = sorted((r for r in rows if r["matches"] and not r["scope2"]), key=closeness)
    if hit2:
        names = [f"{r['factor']} {r['year']} ({r['ef_kg_per_kwh']:.4f} kg/kWh)" for r in hit2]
        also = (
            f" (within {c.tolerance_frac:.0%} also of: {'; '.join(names[1:])})" if names[1:] else ""
        )
        verdict, reason = "supported", f"the figure is the stated energy times the {names[0]}{also}"
    elif hit_disp:
        r = hit_disp[0]
        verdict = "not supported"
        reason = (
            f"the figure matches only the {r['factor']} of {r['year']} ({r['ef_kg_per_kwh']:.4f} kg/kWh): "
            "a displacement figure, not a scope 2 reduction"
        )
    else:
        nearest = min(rows, key=lambda r: abs(r["ef_kg_per_kwh"] - implied))
        verdict = "not supported"
        reason = (
            f"the implied factor {implied:.4f} kg/kWh matches no published factor within "
            f"{c.tolerance_frac:.0%}; nearest: {nearest['factor']} {nearest['year']} "
            f"({nearest['ef_kg_per_kwh']:.4f})"
        )
    p10, p50, p90 = (float(np.percentile(scope2, q)) for q in (10, 50, 90))
    return ClaimResult(
        c.name,
        c.kind,
        verdict,
        reason,
        c.claimed_tco2,
        "t CO2",
        p10,
        p50,
        p90,
        _percentile_of(scope2, c.claimed_tco2),
        scope2.tolist(),
        {"implied_ef_kg_per_kwh": implied, "energy_kwh": c.energy_kwh, "factors": rows},
    )


def check_claims(
    doc: ClaimsFile, *, label: str, base_dir: Path, workers: int = 1, progress: bool = False
) -> tuple[list[ClaimResult], int]:
    """Check every claim; returns the results and the number of twin runs made.

    ``workers`` processes run each claim's draws (the sweep engine's local
    pool); ``progress`` shows its progress bar.
    """
    runner = _Runner(label, workers=workers, progress=progress)
    out = []
    for i, c in enumerate(doc.claim):
        where = f"claim[{i}]"
        out.append(
            _check_emission(c)
            if isinstance(c, EmissionClaim)
            else _check_simulated(c, where, runner, base_dir, label)
        )
    return out, runner.runs


def write_claims(results: list[ClaimResult], out_dir: str | Path) -> Path:
    """``claims.json`` (everything) and ``claims.csv`` (one row per claim), atomically."""
    table = pd.DataFrame(
        [{k: v for k, v in r.as_dict().items() if k not in ("values", "detail")} for r in results]
    )
    with atomic_dir(out_dir) as tmp:
        (tmp / "claims.json").write_text(
            json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False, default=str),
            encoding="utf-8",
        )
        table.to_csv(tmp / "claims.csv", index=False)
    return Path(out_dir)
