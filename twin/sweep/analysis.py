"""What a finished sweep says: Pareto front, sensitivity, best scenarios.

Everything here reads the store's rows (a DataFrame, one row per scenario)
and the sweep file's ``[analysis]`` table:

- :func:`pareto_front`: the scenarios no other scenario beats on both of
  two objectives (minimised unless listed under ``maximise``);
- :func:`best_scenarios`: per objective, the best scenarios among those
  meeting every constraint;
- :func:`oat_effects`: one-at-a-time swings of an ``oat`` design (each
  parameter over its levels, the others at their centre values);
- :func:`sobol_indices`: first-order and total Sobol' indices of a
  ``saltelli`` design, with the estimators of Saltelli et al. (2010, eq. (b)
  of table 2 for S_i) and Jansen (1999, for S_Ti), and bootstrap intervals;
- :func:`rank_correlations`: Spearman rank correlation of every numeric
  input with every objective (any design; a screening, not a variance
  decomposition).

SALib offers the same Saltelli design and estimators; they are a few lines
over numpy here, checked against the Ishigami function's analytical indices,
so the dependency did not earn its place.

References
----------
Saltelli, A. et al. (2010). Comput. Phys. Commun. 181, 259-270.
Jansen, M. J. W. (1999). Analyzing the variance of model outcomes. Comput. Phys. Commun. 117, 35-43.
Ishigami, T. & Homma, T. (1990). An importance quantification technique in uncertainty analysis
for computer models. Proc. ISUMA '90, 398-403.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from twin.errors import ConfigError
from twin.sweep.schema import CONSTRAINT_PATTERN, AnalysisConfig, did_you_mean

__all__ = [
    "SweepReport",
    "best_scenarios",
    "constraint_mask",
    "oat_effects",
    "pareto_front",
    "rank_correlations",
    "sobol_estimates",
    "sobol_indices",
]

_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "==": operator.eq}


def _need(frame: pd.DataFrame, column: str, what: str) -> None:
    if column not in frame.columns:
        options = [c for c in frame.columns if frame[c].dtype.kind == "f"]
        msg = (
            f"{what} {column!r}: no such result column{did_you_mean(column, options)}; "
            f"numeric columns include {', '.join(options[:12])}"
        )
        raise ConfigError(msg)


def pareto_front(
    frame: pd.DataFrame, x: str, y: str, *, maximise: Sequence[str] = ()
) -> pd.DataFrame:
    """Rows not dominated on ``(x, y)``: no other row is at least as good on
    both and better on one. Sorted by ``x``; rows with NaN are left out."""
    _need(frame, x, "objective")
    _need(frame, y, "objective")
    sx = -1.0 if x in maximise else 1.0
    sy = -1.0 if y in maximise else 1.0
    data = frame[np.isfinite(frame[x]) & np.isfinite(frame[y])]
    order = np.lexsort((sy * data[y].to_numpy(), sx * data[x].to_numpy()))
    keep = []
    best_y = np.inf
    ys = sy * data[y].to_numpy()
    for i in order:
        if ys[i] < best_y:
            keep.append(i)
            best_y = ys[i]
    return data.iloc[keep].reset_index(drop=True)


def constraint_mask(frame: pd.DataFrame, constraints: Sequence[str]) -> np.ndarray:
    """Rows meeting every ``FIELD OP NUMBER`` constraint (NaN meets none)."""
    mask = np.ones(len(frame), dtype=bool)
    for text in constraints:
        m = CONSTRAINT_PATTERN.match(text)
        if m is None:
            msg = f"constraint {text!r}: expected 'FIELD OP NUMBER'"
            raise ConfigError(msg)
        _need(frame, m["field"], f"constraint {text!r}: field")
        values = frame[m["field"]].to_numpy(dtype=float)
        mask &= _OPS[m["op"]](values, float(m["value"])) & np.isfinite(values)
    return mask


def best_scenarios(frame: pd.DataFrame, analysis: AnalysisConfig) -> pd.DataFrame:
    """Per objective, the ``analysis.best`` best scenarios meeting every constraint."""
    feasible = frame[constraint_mask(frame, analysis.constraints)]
    out = []
    for objective in analysis.objectives:
        _need(frame, objective, "objective")
        ranked = feasible.sort_values(
            objective,
            ascending=objective not in analysis.maximise,
            kind="stable",
            na_position="last",
        ).head(analysis.best)
        out.append(ranked.assign(objective=objective, rank=np.arange(1, len(ranked) + 1)))
    if not out:
        return pd.DataFrame()
    return pd.concat(out, ignore_index=True)


def oat_effects(
    frame: pd.DataFrame, parameters: Sequence[str], objectives: Sequence[str]
) -> pd.DataFrame:
    """Swing of each objective over each parameter's levels, the others at
    their centre (an ``oat`` design: its first point is the centre; with
    Monte Carlo draws, objective values are means over the draws)."""
    centre_values = frame.iloc[0][list(parameters)]
    rows = []
    for p in parameters:
        others = [q for q in parameters if q != p]
        at_centre = np.ones(len(frame), dtype=bool)
        for q in others:
            at_centre &= (frame[q] == centre_values[q]).to_numpy()
        sub = frame[at_centre]
        for objective in objectives:
            _need(frame, objective, "objective")
            means = sub.groupby(p, sort=True)[objective].mean()
            rows.append(
                {
                    "parameter": p,
                    "objective": objective,
                    "levels": len(means),
                    "low_level": means.index[0],
                    "high_level": means.index[-1],
                    "at_low": means.iloc[0],
                    "at_high": means.iloc[-1],
                    "min": means.min(),
                    "max": means.max(),
                    "swing": means.max() - means.min(),
                }
            )
    table = pd.DataFrame(rows)
    return table.sort_values(
        ["objective", "swing"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)


def sobol_estimates(
    f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total Sobol' indices from a Saltelli design.

    Parameters
    ----------
    f_a, f_b : array (n,)
        Model output on the rows of matrices A and B.
    f_ab : array (d, n)
        Output on AB_i (A with column i taken from B), one row per input.

    Returns
    -------
    s1, st : array (d,)
        S_i = mean(f_B (f_ABi - f_A)) / V (Saltelli et al. 2010) and
        S_Ti = mean((f_A - f_ABi)^2) / (2 V) (Jansen 1999), with V the
        variance of the outputs on A and B together.
    """
    var = np.var(np.concatenate([f_a, f_b]))
    if not var > 0:
        nan = np.full(f_ab.shape[0], np.nan)
        return nan, nan
    s1 = np.mean(f_b * (f_ab - f_a), axis=1) / var
    st = 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / var
    return s1, st


def sobol_indices(
    frame: pd.DataFrame, inputs: Sequence[str], objective: str, *, n_boot: int = 200, seed: int = 0
) -> pd.DataFrame:
    """Sobol' indices of ``objective`` from the rows of a saltelli design,
    with 95 % bootstrap intervals (resampling the base samples)."""
    _need(frame, objective, "objective")
    pivot = frame.pivot_table(index="design.sample", columns="design.block", values=objective)
    blocks = ["A", "B", *[f"AB:{name}" for name in inputs]]
    pivot = pivot.reindex(columns=blocks).dropna()
    f_a, f_b = pivot["A"].to_numpy(), pivot["B"].to_numpy()
    f_ab = np.vstack([pivot[f"AB:{name}"].to_numpy() for name in inputs])
    s1, st = sobol_estimates(f_a, f_b, f_ab)
    rng = np.random.default_rng(seed)
    n = len(f_a)
    boot1, boott = [], []
    for _ in range(n_boot if n > 1 else 0):
        k = rng.integers(0, n, n)
        b1, bt = sobol_estimates(f_a[k], f_b[k], f_ab[:, k])
        boot1.append(b1)
        boott.append(bt)
    lo1, hi1 = np.percentile(boot1, [2.5, 97.5], axis=0) if boot1 else (s1 * np.nan, s1 * np.nan)
    lot, hit = np.percentile(boott, [2.5, 97.5], axis=0) if boott else (st * np.nan, st * np.nan)
    return pd.DataFrame(
        {
            "input": list(inputs),
            "objective": objective,
            "samples": n,
            "s1": s1,
            "s1_low": lo1,
            "s1_high": hi1,
            "st": st,
            "st_low": lot,
            "st_high": hit,
        }
    )


def rank_correlations(
    frame: pd.DataFrame, inputs: Sequence[str], objectives: Sequence[str]
) -> pd.DataFrame:
    """Spearman rank correlation of each numeric input with each objective."""
    rows = []
    for name in inputs:
        x = (
            pd.to_numeric(frame[name], errors="coerce")
            if frame[name].dtype.kind in "fiub"
            else None
        )
        if x is None or x.nunique() < 2:
            continue
        for objective in objectives:
            _need(frame, objective, "objective")
            ok = np.isfinite(x.to_numpy(dtype=float)) & np.isfinite(
                frame[objective].to_numpy(dtype=float)
            )
            rho = (
                stats.spearmanr(x[ok], frame.loc[ok, objective]).statistic
                if ok.sum() > 2
                else np.nan
            )
            rows.append({"input": name, "objective": objective, "spearman_rho": float(rho)})
    return pd.DataFrame(rows, columns=["input", "objective", "spearman_rho"])


@dataclass(frozen=True)
class SweepReport:
    """The analysis of one store: the tables ``twin sweep-report`` prints and writes."""

    name: str
    counts: dict[str, int]
    objectives: tuple[str, ...]
    pareto: pd.DataFrame
    best: pd.DataFrame
    sensitivity: pd.DataFrame
    sensitivity_method: str
    failed: pd.DataFrame

    def write(self, out_dir: str | Path) -> Path:
        """Write ``pareto.csv``, ``best.csv``, ``sensitivity.csv`` and
        ``failed.csv`` atomically into ``out_dir``."""
        from twin._atomic import atomic_dir

        with atomic_dir(out_dir) as tmp:
            for fname, table in (
                ("pareto.csv", self.pareto),
                ("best.csv", self.best),
                ("sensitivity.csv", self.sensitivity),
                ("failed.csv", self.failed),
            ):
                table.to_csv(tmp / fname, index=False, float_format="%.10g")
        return Path(out_dir)


def analyse(store_dir: str | Path) -> SweepReport:
    """Analyse the store at ``store_dir`` with its sweep file's ``[analysis]``.

    Raises
    ------
    ConfigError
        No store there, or an objective or constraint naming no result column.
    """
    import tomllib

    from twin.sweep.schema import SweepFile
    from twin.sweep.store import Store

    path = Path(store_dir)
    if (path / "catalogue.sqlite").is_file() and not (path / "sweep.toml").is_file():
        msg = (
            f"{path}: a store without its sweep file (twin compare keeps its variants so; "
            f"their comparison is compare.csv beside it)"
        )
        raise ConfigError(msg)
    with Store.open(path, writable=False) as store:
        frame = store.frame()
        counts = store.counts()
        catalogue = store.catalogue()
    doc = SweepFile.model_validate(tomllib.loads((path / "sweep.toml").read_text(encoding="utf-8")))
    a = doc.analysis
    done = frame[frame["status"] == "done"].reset_index(drop=True) if "status" in frame else frame
    failed = catalogue[catalogue["status"] == "failed"][["scenario_id", "parameters", "error"]]
    params = [p.name for p in doc.parameter]
    inputs = [*params, *(q.name for q in doc.uncertain)]
    if done.empty:
        empty = pd.DataFrame()
        return SweepReport(
            doc.sweep.name,
            counts,
            tuple(a.objectives),
            empty,
            empty,
            empty,
            "none",
            failed.reset_index(drop=True),
        )
    x, y = (a.objectives * 2)[:2]
    pareto = (
        pareto_front(done, x, y, maximise=a.maximise) if len(a.objectives) > 1 else done.iloc[:0]
    )
    best = best_scenarios(done, a)
    kind = doc.design.kind
    if kind == "saltelli":
        sens = pd.concat(
            [sobol_indices(done, inputs, o, seed=doc.sweep.seed) for o in a.objectives],
            ignore_index=True,
        )
        method = "Sobol' indices (Saltelli 2010 first order, Jansen 1999 total), 95 % bootstrap"
    elif kind == "oat":
        sens = oat_effects(done, params, a.objectives)
        method = "one at a time: swing of each objective over each parameter's levels"
    else:
        sens = rank_correlations(done, inputs, a.objectives)
        method = "Spearman rank correlation (screening)"
    keep = ["scenario_id", *inputs, *dict.fromkeys(a.objectives)]
    cons = [CONSTRAINT_PATTERN.match(c)["field"] for c in a.constraints]
    keep += [c for c in cons if c not in keep]
    pareto = pareto[[c for c in keep if c in pareto.columns]]
    best = (
        best[["objective", "rank", *[c for c in keep if c in best.columns]]]
        if not best.empty
        else best
    )
    return SweepReport(
        doc.sweep.name,
        counts,
        tuple(a.objectives),
        pareto,
        best,
        sens,
        method,
        failed.reset_index(drop=True),
    )
