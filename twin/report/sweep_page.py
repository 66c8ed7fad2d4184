"""The page of a sweep (``twin sweep``): the Pareto front of its first two
objectives, the sensitivity its design allows (Sobol' indices of a
``saltelli`` design, one-at-a-time swings of an ``oat`` design, rank
correlations otherwise), the distribution of each objective, the best
scenarios under the constraints, every scenario, and provenance.

Read from the sweep's store (:mod:`twin.sweep.store`: ``sweep.toml``,
``catalogue.sqlite``, ``results/part-*.parquet``) and analysed with
:func:`twin.sweep.analysis.analyse`, the same analysis ``twin sweep-report``
prints, so the page and the printed tables agree.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.errors import ConfigError
from twin.report.folder import ReportError, folder_kind, older_format
from twin.report.html import Figure, Headline, chart, headlines, note, pre, table
from twin.report.quantities import display, unit_of
from twin.report.style import PALETTE, figure, label, svg_of

__all__ = ["SweepFolder", "sweep_figures", "sweep_headlines", "sweep_sections", "sweep_title"]

SCENARIO_ROWS = 500
"""Most scenarios listed in the page's scenario table (all are in the store)."""

_CATALOGUE_COLUMNS = ("scenario_id", "parameters", "status", "error", "seconds", "worker")


def _axis(name: str, values: Any = None) -> tuple[str, float]:
    """Axis label ``name [unit]`` and the scale of the values shown."""
    mag = None
    if values is not None:
        arr = np.asarray(values, dtype=float)
        arr = arr[np.isfinite(arr)]
        mag = float(np.max(np.abs(arr))) if arr.size else None
    unit, scale = display(name, mag)
    return (f"{name} [{unit}]" if unit else name), scale


@dataclass(frozen=True)
class SweepFolder:
    """A sweep's store, read once: the analysis, the rows and the catalogue."""

    path: Path
    doc: Any  # twin.sweep.schema.SweepFile
    text: str
    analysis: Any  # twin.sweep.analysis.SweepReport
    rows: pd.DataFrame
    catalogue: pd.DataFrame
    meta: dict[str, str]

    @classmethod
    def read(cls, path: str | Path) -> SweepFolder:
        """Read and analyse the store at ``path``.

        Raises
        ------
        ReportError
            Not a store, a catalogue of an older format, a sweep file this
            version cannot read, or an objective naming no stored column.
        """
        import tomllib

        from pydantic import ValidationError

        from twin.sweep.analysis import analyse
        from twin.sweep.schema import SweepFile
        from twin.sweep.store import Store

        path = Path(path)
        kind = folder_kind(path)
        if kind != "sweep":
            msg = f"{path}: expected a sweep's store (catalogue.sqlite, sweep.toml), found a {kind} result"
            raise ReportError(msg)
        db = path / "catalogue.sqlite"
        try:
            con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
            try:
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
                cols = (
                    {r[1] for r in con.execute("PRAGMA table_info(scenarios)")}
                    if "scenarios" in tables
                    else set()
                )
                meta = dict(con.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
            finally:
                con.close()
        except sqlite3.Error as exc:
            msg = f"{db}: not a readable SQLite catalogue ({exc}); re-run twin sweep"
            raise ReportError(msg) from None
        missing = [c for c in _CATALOGUE_COLUMNS if c not in cols]
        if missing or not meta:
            raise older_format(db, missing or ["the meta table"], "twin sweep", meta.get("version"))
        text = (path / "sweep.toml").read_text(encoding="utf-8")
        try:
            doc = SweepFile.model_validate(tomllib.loads(text))
        except (ValidationError, tomllib.TOMLDecodeError) as exc:
            first = str(exc).splitlines()[:3]
            msg = (
                f"{path / 'sweep.toml'}: a sweep file this version cannot read (an older format?): "
                f"{' '.join(first)}; re-run twin sweep with this version of factory-twin"
            )
            raise ReportError(msg) from None
        try:
            analysis = analyse(path)
        except ReportError:
            raise
        except ConfigError as exc:
            msg = f"{path}: {exc}"
            raise ReportError(msg) from None
        with Store.open(path, writable=False) as store:
            rows = store.frame()
            catalogue = store.catalogue()
        return cls(path, doc, text, analysis, rows, catalogue, meta)

    @property
    def done(self) -> pd.DataFrame:
        r = self.rows
        return r[r["status"] == "done"].reset_index(drop=True) if "status" in r else r

    @property
    def inputs(self) -> list[str]:
        return [p.name for p in self.doc.parameter] + [u.name for u in self.doc.uncertain]

    @property
    def objectives(self) -> list[str]:
        return list(self.doc.analysis.objectives)

    def input_unit(self, name: str) -> str:
        """The unit of an input: from its config path's field name."""
        for t in [*self.doc.parameter, *self.doc.uncertain]:
            if t.name == name:
                return unit_of(t.path) if t.path else unit_of(name)
        return unit_of(name)

    def feasible(self) -> np.ndarray:
        from twin.sweep.analysis import constraint_mask

        return constraint_mask(self.done, self.doc.analysis.constraints)


def sweep_figures(folder: SweepFolder) -> dict[str, float]:
    """The figures of the headline cards (scenario counts, the best feasible
    value of each objective), keyed as the cards' ``data-key``."""
    a = folder.analysis
    out: dict[str, float] = {
        "scenarios": float(len(folder.catalogue)),
        "done": float(a.counts.get("done", 0)),
        "failed": float(a.counts.get("failed", 0)),
        "pending": float(a.counts.get("pending", 0)),
    }
    if folder.done.empty:
        return out
    out["feasible"] = float(folder.feasible().sum())
    if len(folder.objectives) > 1:
        out["pareto"] = float(len(a.pareto))
    best = a.best
    for objective in folder.objectives:
        rows = best[(best["objective"] == objective) & (best["rank"] == 1)] if len(best) else best
        if len(rows) and math.isfinite(float(rows.iloc[0][objective])):
            out[f"best.{objective}"] = float(rows.iloc[0][objective])
    return out


def sweep_headlines(folder: SweepFolder) -> tuple[Headline, ...]:
    figures = sweep_figures(folder)
    cards = [
        Headline("scenarios", "Scenarios in the design", "", 1.0, 0),
        Headline("done", "Done", "", 1.0, 0),
        Headline("failed", "Failed", "", 1.0, 0),
        Headline("pending", "Pending", "", 1.0, 0),
        Headline("feasible", "Meeting every constraint", "", 1.0, 0),
        Headline("pareto", "On the Pareto front", "", 1.0, 0),
    ]
    for objective in folder.objectives:
        key = f"best.{objective}"
        if key in figures:
            unit, scale = display(objective, figures[key])
            best = "highest" if objective in folder.doc.analysis.maximise else "lowest"
            cards.append(Headline(key, f"{objective}: {best} feasible", unit, scale, 1))
    return tuple(cards)


def _pareto(folder: SweepFolder) -> Figure | None:
    objectives = folder.objectives
    done = folder.done
    if len(objectives) < 2 or done.empty:
        return None
    x, y = objectives[:2]
    xl, xs = _axis(x, done[x])
    yl, ys = _axis(y, done[y])
    ok = folder.feasible()
    fig, ax = figure(9.0, 4.2, right_in=2.6)
    ax.scatter(
        done.loc[~ok, x] * xs,
        done.loc[~ok, y] * ys,
        s=14,
        marker="x",
        color="#7F7F7F",
        linewidths=0.8,
        label=f"breaks a constraint ({int((~ok).sum())})",
    )
    ax.scatter(
        done.loc[ok, x] * xs,
        done.loc[ok, y] * ys,
        s=14,
        color=PALETTE[0],
        alpha=0.7,
        linewidths=0,
        label=f"meets every constraint ({int(ok.sum())})",
    )
    front = folder.analysis.pareto
    maxi = folder.doc.analysis.maximise
    if len(front):
        ax.plot(
            front[x] * xs,
            front[y] * ys,
            color=PALETTE[3],
            marker="o",
            markersize=5,
            linewidth=1.4,
            # both minimised: the front's attainment boundary is a staircase
            drawstyle="steps-post" if not set(objectives[:2]) & set(maxi) else "default",
            label=f"Pareto front ({len(front)})",
        )
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    ax.set_title(f"Pareto front: {y} against {x}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    sense = ", ".join(f"{o} {'maximised' if o in maxi else 'minimised'}" for o in (x, y))
    return Figure(
        "sweep-pareto",
        "Pareto front",
        svg_of(fig),
        f"Every finished scenario ({sense}). The front joins the scenarios no other scenario "
        "beats on both objectives, among all scenarios (constraints are not applied to the "
        "front; the best-scenario table applies them).",
    )


def _sensitivity(folder: SweepFolder) -> Figure | None:
    sens = folder.analysis.sensitivity
    if sens is None or sens.empty:
        return None
    kind = folder.doc.design.kind
    objectives = [o for o in folder.objectives if o in set(sens["objective"])]
    n = len(objectives)
    key_col = "parameter" if kind == "oat" else "input"
    names = list(dict.fromkeys(sens[key_col]))
    height = 0.34 * len(names) * (2 if kind == "saltelli" else 1) + 1.4
    fig, axes = figure(
        10.0, max(height, 2.2), ncols=n, sharey=True, left_in=1.8, wspace=0.12, squeeze=False
    )
    y = np.arange(len(names))[::-1]
    for ax, objective in zip(axes[0], objectives, strict=True):
        sub = sens[sens["objective"] == objective].set_index(key_col).reindex(names)
        if kind == "saltelli":
            for off, col, colour, what in (
                (0.18, "s1", PALETTE[0], "first order S₁"),
                (-0.18, "st", PALETTE[1], "total S_T"),
            ):
                v = sub[col].to_numpy(dtype=float)
                err = np.vstack(
                    [
                        np.clip(v - sub[f"{col}_low"].to_numpy(dtype=float), 0, None),
                        np.clip(sub[f"{col}_high"].to_numpy(dtype=float) - v, 0, None),
                    ]
                )
                ax.barh(y + off, v, height=0.34, color=colour, label=what)
                ax.errorbar(v, y + off, xerr=err, fmt="none", ecolor="black", elinewidth=0.7)
            lo = min(-0.05, float(np.nanmin(sub[["s1", "st"]].to_numpy(dtype=float))))
            hi = max(1.05, float(np.nanmax(sub[["s1", "st"]].to_numpy(dtype=float))))
            ax.set_xlim(max(lo, -0.5), min(hi, 1.5))
            ax.set_xlabel("Sobol' index [–] (share of variance)")
        elif kind == "oat":
            xl, xs = _axis(objective, sub[["min", "max"]].to_numpy())
            lo = sub["min"].to_numpy(dtype=float) * xs
            hi = sub["max"].to_numpy(dtype=float) * xs
            ax.barh(y, hi - lo, left=lo, height=0.5, color=PALETTE[0])
            centre = float(folder.done.iloc[0][objective]) * xs
            ax.axvline(centre, color="black", linewidth=0.8)
            ax.set_xlabel(xl)
        else:
            v = sub["spearman_rho"].to_numpy(dtype=float)
            ax.barh(y, v, height=0.5, color=[PALETTE[0] if r >= 0 else PALETTE[3] for r in v])
            ax.axvline(0, color="black", linewidth=0.8)
            ax.set_xlim(-1.05, 1.05)
            ax.set_xlabel("Spearman rank correlation ρ [–]")
        ax.set_title(label(objective))
        ax.grid(axis="y", visible=False)
    axes[0][0].set_yticks(
        y, [label(f"{v} [{folder.input_unit(v)}]" if folder.input_unit(v) else v) for v in names]
    )
    if kind == "saltelli":
        axes[0][-1].legend(loc="lower right")
    captions = {
        "saltelli": "Sobol' indices from the Saltelli design: first order (the share of the "
        "objective's variance the input explains alone) and total (with its interactions), "
        "with 95 % bootstrap intervals over the base samples. Few base samples give wide "
        "intervals; indices outside 0–1 are estimation noise, and the axis stops at −0.5 and "
        "1.5 (the table has every figure).",
        "oat": "One at a time: each bar spans the objective over the parameter's levels with "
        "every other parameter at its centre (black line: the centre scenario).",
    }
    caption = captions.get(
        kind,
        "Spearman rank correlation of each input with each objective over all finished "
        "scenarios: a screening of direction and strength, not a variance decomposition.",
    )
    return Figure("sweep-sensitivity", "Sensitivity", svg_of(fig), caption)


def _distributions(folder: SweepFolder) -> Figure | None:
    done = folder.done
    objectives = [o for o in folder.objectives if o in done.columns]
    if done.empty or not objectives:
        return None
    ok = folder.feasible()
    n = len(objectives)
    fig, axes = figure(10.0, 3.0, ncols=n, wspace=0.25, left_in=0.7, squeeze=False)
    for ax, objective in zip(axes[0], objectives, strict=True):
        values = done[objective].to_numpy(dtype=float)
        finite = np.isfinite(values)
        xl, xs = _axis(objective, values)
        v = values[finite] * xs
        bins = int(np.clip(np.sqrt(v.size) * 2, 5, 40))
        edges = np.histogram_bin_edges(v, bins=bins)
        if edges[0] == edges[-1]:
            edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
        ax.hist(v, bins=edges, color="#BBBBBB", label="all finished")
        ax.hist(values[finite & ok] * xs, bins=edges, color=PALETTE[0], label="meets constraints")
        for q, style in ((10, ":"), (50, "-"), (90, ":")):
            ax.axvline(np.percentile(v, q), color="black", linestyle=style, linewidth=0.9)
        ax.set_xlabel(xl)
        ax.set_ylabel("scenarios [count]")
        ax.set_title(label(objective))
    axes[0][0].legend(loc="upper right", fontsize=7)
    return Figure(
        "sweep-distributions",
        "Distribution of each objective",
        svg_of(fig),
        "Histogram of each objective over the finished scenarios (grey: all; blue: those "
        "meeting every constraint). Black lines: P10, P50 (solid) and P90 of all. For an "
        "lhs, sobol or monte_carlo design this is the objective's distribution over the "
        "inputs' ranges; for a grid or oat design it only counts the design's points.",
    )


def _fmt_cell(name: str, value: Any, scale: float) -> Any:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = float(value) * scale + 0.0
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    return value


def _frame_table(frame: pd.DataFrame, columns: list[str], units_from: pd.DataFrame) -> str:
    header, scales, numeric = [], [], []
    for c in columns:
        col = units_from[c] if c in units_from else None
        is_num = col is not None and col.dtype.kind in "fiu"
        if is_num:
            hl, s = _axis(c, col)
        else:
            hl, s = c, 1.0
        header.append(hl)
        scales.append(s)
        numeric.append(bool(is_num))
    rows = [
        [_fmt_cell(c, r[c], s) for c, s in zip(columns, scales, strict=True)]
        for r in frame[columns].to_dict("records")
    ]
    return table(header, rows, numeric=numeric, cls="wide")


def _best(folder: SweepFolder) -> str:
    best = folder.analysis.best
    cons = folder.doc.analysis.constraints
    text = (
        note("Constraints: " + "; ".join(cons) + ".")
        if cons
        else note("No constraints: every scenario counts.")
    )
    if best is None or best.empty:
        return text + note("No finished scenario meets every constraint.")
    columns = [c for c in best.columns]
    return text + _frame_table(best, columns, folder.done)


def _scenarios(folder: SweepFolder) -> str:
    cat = folder.catalogue
    done = folder.done
    inputs = folder.inputs
    objectives = folder.objectives
    from twin.sweep.schema import CONSTRAINT_PATTERN

    cons = [CONSTRAINT_PATTERN.match(c)["field"] for c in folder.doc.analysis.constraints]
    keep = ["scenario_id", *inputs, *dict.fromkeys([*objectives, *cons])]
    keep = [c for c in keep if c in done.columns]
    merged = cat[["scenario_id", "status", "seconds", "error"]].merge(
        done[keep], on="scenario_id", how="left"
    )
    if "design.block" in done.columns:
        merged = merged.merge(done[["scenario_id", "design.block"]], on="scenario_id", how="left")
    params = cat["parameters"].map(json.loads)
    for name in inputs:  # pending and failed scenarios: their values from the catalogue
        if name not in merged.columns:
            merged[name] = params.map(lambda p, n=name: p.get(n))
        else:
            merged[name] = merged[name].where(
                merged[name].notna(), params.map(lambda p, n=name: p.get(n))
            )
    merged["error"] = merged["error"].fillna("").map(lambda e: e.splitlines()[0][:160] if e else "")
    columns = [
        "scenario_id",
        *[c for c in ("design.block",) if c in merged.columns],
        *inputs,
        *[c for c in keep if c not in ("scenario_id", *inputs)],
        "status",
        "seconds",
        "error",
    ]
    shown = merged.head(SCENARIO_ROWS)
    units = done.copy()
    for name in inputs:
        if name not in units.columns:
            units[name] = np.nan
    out = _frame_table(shown, columns, units.assign(seconds=merged["seconds"]))
    if len(merged) > SCENARIO_ROWS:
        out += note(
            f"The first {SCENARIO_ROWS} of {len(merged)} scenarios in design order; every "
            f"row is in the store ({folder.path.name}/results/*.parquet) and in twin "
            "sweep-report's tables."
        )
    return out


def _provenance(folder: SweepFolder) -> str:
    from twin import __version__

    s, d = folder.doc.sweep, folder.doc.design
    cat = folder.catalogue
    seconds = pd.to_numeric(cat["seconds"], errors="coerce")
    workers = cat["worker"].dropna().nunique()
    rows = [
        ("sweep", s.name),
        ("description", s.description or "–"),
        ("base plant", s.base),
        ("design", f"{d.kind}" + (f", n = {d.n}" if d.n is not None else "")),
        ("seed", s.seed),
        ("scenarios", len(cat)),
        ("store created (UTC)", folder.meta.get("created_utc", "–")),
        ("written by factory-twin", folder.meta.get("version", "– (not recorded by this store)")),
        ("report by factory-twin", __version__),
        ("design key", folder.meta.get("design_key", "–")),
        ("scenario run time, sum [s]", f"{float(seconds.sum()):,.1f}"),
        ("workers", workers),
        ("sensitivity", folder.analysis.sensitivity_method),
    ]
    return (
        table(["field", "value"], rows, numeric=[False, False], cls="wide")
        + note(
            "Each scenario's config hash is in the store's catalogue; re-running the sweep "
            "file below on the same base plant and weather gives the same rows."
        )
        + "<h3>Sweep file as run</h3>"
        + pre(folder.text)
    )


def _figs(*figs: Figure | None) -> str:
    return "".join(chart(f) for f in figs if f is not None)


def sweep_sections(folder: SweepFolder) -> list[tuple[str, str, str]]:
    """The sections (anchor, title, html) of a sweep's page."""
    figures = sweep_figures(folder)
    counts = folder.analysis.counts
    head = headlines(
        figures, sweep_headlines(folder), alert={"failed"} if counts["failed"] else set()
    )
    if counts.get("pending"):
        head += note(
            f"{counts['pending']} scenario(s) not run yet: resume the sweep (twin sweep FILE --out "
            f"{folder.path.name} --resume) for the whole design.",
            "warnings",
        )
    if folder.done.empty:
        return [
            ("headline", "Headline figures", head + note("No scenario has finished.", "warnings")),
            ("scenarios", "Scenarios", _scenarios(folder)),
            ("provenance", "Provenance", _provenance(folder)),
        ]
    pareto = _pareto(folder)
    sens = _sensitivity(folder)
    sens_table = ""
    s = folder.analysis.sensitivity
    if s is not None and not s.empty:
        sens_table = _frame_table(s, list(s.columns), s)
    failed = folder.analysis.failed
    failed_html = (
        table(
            ["scenario", "parameters", "error"],
            [
                [r.scenario_id, r.parameters, (r.error or "").splitlines()[0][:300]]
                for r in failed.itertuples()
            ],
            numeric=[False, False, False],
            cls="wide",
        )
        if failed is not None and not failed.empty
        else note("No scenario failed.")
    )
    return [
        ("headline", "Headline figures", head),
        (
            "pareto",
            "Pareto front",
            chart(pareto) if pareto else note("One objective: no front (name two in [analysis])."),
        ),
        (
            "sensitivity",
            "Sensitivity",
            (chart(sens) if sens else note("No sensitivity: no numeric input varies."))
            + note(f"Method: {folder.analysis.sensitivity_method}.")
            + sens_table,
        ),
        ("distributions", "Distribution of each objective", _figs(_distributions(folder))),
        ("best", "Best scenarios under the constraints", _best(folder)),
        ("scenarios", "Scenarios", _scenarios(folder)),
        ("failed", "Failed scenarios", failed_html),
        ("provenance", "Provenance", _provenance(folder)),
    ]


def sweep_title(folder: SweepFolder) -> tuple[str, str]:
    s, d = folder.doc.sweep, folder.doc.design
    sub = (
        f"{d.kind} design of {len(folder.catalogue)} scenarios over "
        f"{', '.join(folder.inputs)} · base {Path(s.base).name} · objectives "
        f"{', '.join(folder.objectives)}"
    )
    return f"{s.name}: sweep", sub + (f" · {s.description}" if s.description else "")
