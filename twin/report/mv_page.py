"""The page of an M&V case (``twin mv``): the verdict, baseline against
actual with the uncertainty band, cumulative avoided energy with its
interval, the Guideline 14 statistics against their thresholds, the models
tried and the one chosen, the non-routine adjustments register, normalised
savings, carbon, Option D when the case ran it, meter findings and
provenance.

Read from the case's folder: ``mv.json`` (:mod:`twin.mv.analysis`) and
``series.csv`` (one row per hour, day or bill of both periods).

The bands are the case's own uncertainty, recomputed from the figures in
``mv.json``:

- on each observation, the baseline ± t·RMSE (Student t at the case's
  confidence with n − p degrees of freedom; RMSE of the baseline fit per
  observation): where one observation would fall if the baseline model
  held, parameter uncertainty neglected;
- on cumulative avoided energy, ASHRAE Guideline 14-2014 Annex B Eq. B-28
  with the autocorrelation correction over the first m reporting
  observations (:func:`twin.mv.stats.savings_uncertainty_kwh`, the function
  ``twin mv`` uses), so the band ends at the interval ``mv.json`` states.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.report.folder import ReportError, folder_kind, older_format, read_json
from twin.report.html import Figure, Headline, chart, fmt, headlines, note, table, verdict
from twin.report.style import OKABE_ITO, PALETTE, figure, svg_of

__all__ = ["MV_HEADLINES", "MvFolder", "cumulative_band", "mv_figures", "mv_sections", "mv_title"]

MV_KEYS = (
    "name",
    "verdict",
    "granularity",
    "baseline_period",
    "reporting_period",
    "model",
    "selection",
    "baseline_statistics",
    "guideline_14",
    "savings",
    "adjustments",
    "meter",
    "warnings",
    "provenance",
)
"""Keys every ``mv.json`` this page understands carries."""

SAVINGS_KEYS = (
    "baseline_kwh",
    "actual_kwh",
    "adjustments_kwh",
    "savings_kwh",
    "savings_frac",
    "confidence",
    "fsu",
    "fsu_68",
    "intervals_kwh",
)
STAT_KEYS = ("n", "n_params", "r2", "adj_r2", "cvrmse", "nmbe", "rmse", "rho")
SERIES_COLUMNS = ("start", "period", "actual_kwh", "baseline_kwh", "adjustment_kwh", "savings_kwh")

MV_HEADLINES: tuple[Headline, ...] = (
    Headline("savings.savings_kwh", "Avoided energy", "MWh", 1e-3, 1),
    Headline("savings.savings_frac", "Savings (of adjusted baseline)", "%", 100.0, 2),
    Headline("savings.fsu", "Fractional savings uncertainty", "%", 100.0, 1),
    Headline("savings.fsu_68", "FSU at 68 % (Guideline 14: < 50 %)", "%", 100.0, 1),
    Headline("savings.baseline_kwh", "Adjusted baseline", "MWh", 1e-3, 1),
    Headline("savings.actual_kwh", "Metered, reporting period", "MWh", 1e-3, 1),
    Headline("savings.adjustments_kwh", "Non-routine adjustments", "MWh", 1e-3, 1),
    Headline("baseline_statistics.cvrmse", "Baseline CV(RMSE)", "%", 100.0, 1),
    Headline("baseline_statistics.nmbe", "Baseline NMBE", "%", 100.0, 2),
    Headline("baseline_statistics.adj_r2", "Baseline adjusted R²", "", 1.0, 3),
    Headline("normalised_savings.savings_kwh", "Normalised savings (typical year)", "MWh", 1e-3, 1),
    Headline("carbon.location_tco2", "Avoided CO2 (location-based)", "t CO2", 1.0, 1),
    Headline("carbon.market_tco2", "Avoided CO2 (market-based)", "t CO2", 1.0, 1),
)
"""Headline cards: dotted paths into ``mv.json``, label, unit, scale, decimals."""

_UNIT = {"hourly": "hour", "daily": "day", "monthly": "bill"}


def _flat(doc: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.update(_flat(v, f"{prefix}{k}."))
    else:
        out[prefix[:-1]] = doc
    return out


def mv_figures(doc: dict[str, Any]) -> dict[str, float]:
    """``mv.json`` flattened to dotted keys, numbers only (what the cards show)."""
    return {
        k: float(v)
        for k, v in _flat(doc).items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


@dataclass(frozen=True)
class MvFolder:
    """An M&V case's folder: ``mv.json`` and ``series.csv``, read and checked."""

    path: Path
    doc: dict[str, Any]
    series: pd.DataFrame

    @classmethod
    def read(cls, path: str | Path) -> MvFolder:
        path = Path(path)
        kind = folder_kind(path)
        if kind != "mv":
            msg = f"{path}: expected an M&V case's folder (mv.json), found a {kind} result"
            raise ReportError(msg)
        doc = read_json(path / "mv.json", "twin mv CASE --out DIR")
        if not isinstance(doc, dict):
            msg = f"{path / 'mv.json'}: expected a JSON object, found {type(doc).__name__}"
            raise ReportError(msg)
        version = (doc.get("provenance") or {}).get("version")
        missing = [k for k in MV_KEYS if k not in doc]
        missing += [f"savings.{k}" for k in SAVINGS_KEYS if k not in (doc.get("savings") or {})]
        missing += [
            f"baseline_statistics.{k}"
            for k in STAT_KEYS
            if k not in (doc.get("baseline_statistics") or {})
        ]
        if missing:
            raise older_format(path / "mv.json", missing, "twin mv CASE --out DIR", version)
        p = path / "series.csv"
        if not p.is_file():
            msg = f"{p}: missing; an M&V folder has mv.json and series.csv: re-run twin mv CASE --out {path}"
            raise ReportError(msg)
        try:
            series = pd.read_csv(p)
        except (OSError, ValueError) as exc:
            msg = f"{p}: cannot read the table ({exc}); re-run twin mv CASE --out {path}"
            raise ReportError(msg) from None
        gone = [c for c in SERIES_COLUMNS if c not in series.columns]
        if gone:
            raise older_format(p, gone, "twin mv CASE --out DIR", version)
        series["start"] = pd.to_datetime(series["start"])
        if "end" in series.columns:
            series["end"] = pd.to_datetime(series["end"])
        return cls(path, doc, series)

    @property
    def granularity(self) -> str:
        return str(self.doc["granularity"])

    @property
    def per(self) -> str:
        return _UNIT.get(self.granularity, "observation")

    @property
    def confidence(self) -> float:
        return float(self.doc["savings"]["confidence"])

    def interval(self, doc_key: str = "savings") -> tuple[float, float]:
        ints = self.doc[doc_key]["intervals_kwh"]
        c = self.confidence
        key = min(ints, key=lambda k: abs(float(k) - c))
        lo, hi = ints[key]
        return float(lo), float(hi)

    def temp_column(self) -> str | None:
        for c in ("temp_mean_c", "temp_c"):
            if c in self.series.columns and self.series[c].notna().any():
                return c
        return None


def _t_half_width(folder: MvFolder) -> float:
    """t·RMSE: half-width of the per-observation band [kWh per observation]."""
    from twin.mv.stats import t_two_sided

    st = folder.doc["baseline_statistics"]
    return t_two_sided(folder.confidence, st["n"] - st["n_params"]) * float(st["rmse"])


def cumulative_band(folder: MvFolder) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative avoided energy over the reporting observations and its
    half-width at the case's confidence, Eq. B-28 over the first m
    observations [kWh]; returns ``(start, cumulative, half_width)``."""
    from twin.mv.stats import savings_uncertainty_kwh

    st = folder.doc["baseline_statistics"]
    # the form of Eq. B-28 the case used (mv.json before the option: "scaled")
    form = str(folder.doc["savings"].get("fsu_form", "scaled"))
    rep = folder.series[folder.series["period"] == "reporting"]
    adj_base = np.cumsum(
        rep["baseline_kwh"].to_numpy(float) + rep["adjustment_kwh"].to_numpy(float)
    )
    cum = np.cumsum(rep["savings_kwh"].to_numpy(float))
    half = np.array(
        [
            savings_uncertainty_kwh(
                confidence=folder.confidence,
                cv=float(st["cvrmse"]),
                adjusted_baseline_kwh=float(b),
                n=int(st["n"]),
                n_params=int(st["n_params"]),
                m=m,
                rho=float(st["rho"]),
                form=form,
            )
            for m, b in enumerate(adj_base, start=1)
        ]
    )
    return rep["start"].to_numpy(), cum, half


def _energy_unit(values: np.ndarray) -> tuple[str, float]:
    big = float(np.nanmax(np.abs(values))) if values.size else 0.0
    return ("MWh", 1e-3) if big > 1e5 else ("kWh", 1.0)


def _baseline_actual(folder: MvFolder) -> Figure:
    s = folder.series
    t = s["start"].to_numpy()
    base = s["baseline_kwh"].to_numpy(float) + s["adjustment_kwh"].to_numpy(float)
    actual = s["actual_kwh"].to_numpy(float)
    unit, scale = _energy_unit(np.concatenate([base, actual]))
    half = _t_half_width(folder)
    fig, ax = figure(10.0, 3.8, right_in=2.3)
    hourly = folder.granularity == "hourly"
    for period, colour in (("baseline", PALETTE[0]), ("reporting", PALETTE[0])):
        m = (s["period"] == period).to_numpy()
        ax.fill_between(
            t[m],
            (base[m] - half) * scale,
            (base[m] + half) * scale,
            color=PALETTE[5],
            alpha=0.35,
            linewidth=0,
            step="post" if not hourly else None,
            label=f"baseline ± t·RMSE ({folder.confidence:.0%})" if period == "baseline" else None,
        )
        ax.plot(
            t[m],
            base[m] * scale,
            color=colour,
            linewidth=0.8 if hourly else 1.2,
            drawstyle="default" if hourly else "steps-post",
            label="baseline model + adjustments" if period == "baseline" else None,
        )
        ax.plot(
            t[m],
            actual[m] * scale,
            color="black",
            linewidth=0.5 if hourly else 0.9,
            drawstyle="default" if hourly else "steps-post",
            label="metered" if period == "baseline" else None,
        )
    rep = s[s["period"] == "reporting"]
    if len(rep):
        ax.axvspan(rep["start"].min(), s["start"].max(), color=PALETTE[1], alpha=0.08, linewidth=0)
        ax.text(
            rep["start"].min(),
            1.0,
            " reporting period",
            transform=ax.get_xaxis_transform(),
            va="top",
            fontsize=8,
            color=OKABE_ITO["orange"],
        )
    ax.set_ylabel(f"energy per {folder.per} [{unit}]")
    ax.set_xlabel("start of observation [local date]")
    ax.set_title("Baseline against metered energy")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    adjusted = float(np.abs(s["adjustment_kwh"].to_numpy(float)).sum()) > 0
    return Figure(
        "mv-baseline-actual",
        "Baseline against actual",
        svg_of(fig),
        f"The baseline model (fitted on the baseline period, {folder.doc['model'].get('description', '')}) "
        f"run on each {folder.per}'s conditions"
        + (", plus the non-routine adjustments" if adjusted else "")
        + f", against the meter. Band: ± t·RMSE = ± {half:,.0f} kWh per {folder.per}, where one "
        f"observation falls at {folder.confidence:.0%} if the baseline held (parameter "
        "uncertainty neglected). Times are the meter's local time.",
    )


def _cumulative(folder: MvFolder) -> Figure | None:
    t, cum, half = cumulative_band(folder)
    if cum.size == 0:
        return None
    unit, scale = _energy_unit(np.concatenate([cum + half, cum - half]))
    fig, ax = figure(10.0, 3.4, right_in=2.5)
    ax.fill_between(
        t,
        (cum - half) * scale,
        (cum + half) * scale,
        color=PALETTE[5],
        alpha=0.4,
        linewidth=0,
        label=f"{folder.confidence:.0%} interval (Eq. B-28)",
    )
    ax.plot(t, cum * scale, color=PALETTE[0], linewidth=1.5, label="avoided energy, cumulative")
    claim = folder.doc.get("claim") or {}
    if claim.get("claimed_kwh") is not None:
        ax.axhline(
            float(claim["claimed_kwh"]) * scale,
            color=PALETTE[3],
            linestyle="--",
            linewidth=1.2,
            label=f"claimed {float(claim['claimed_kwh']) * scale:,.0f} {unit}",
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(f"avoided energy since the start [{unit}]")
    ax.set_xlabel("reporting period [local date]")
    ax.set_title("Avoided energy with its uncertainty")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    lo, hi = folder.interval()
    return Figure(
        "mv-cumulative-savings",
        "Cumulative avoided energy",
        svg_of(fig),
        "Adjusted baseline minus metered, summed from the first reporting observation "
        "(IPMVP Eq. 1a). The band is Guideline 14 Annex B Eq. B-28 with the autocorrelation "
        f"correction over the observations so far; at the end it is the case's interval, "
        f"{lo:,.0f} to {hi:,.0f} kWh.",
    )


def _scatter(folder: MvFolder) -> Figure | None:
    col = folder.temp_column()
    if col is None:
        return None
    s = folder.series
    days = s["days"].to_numpy(float) if "days" in s.columns else np.ones(len(s))
    per_day = folder.granularity == "monthly"
    y_actual = s["actual_kwh"].to_numpy(float) / (days if per_day else 1.0)
    y_model = s["baseline_kwh"].to_numpy(float) / (days if per_day else 1.0)
    unit, scale = _energy_unit(np.concatenate([y_actual, y_model]))
    per = "day" if per_day else folder.per
    fig, ax = figure(9.0, 3.6, right_in=2.4)
    for period, colour, marker in (("baseline", PALETTE[0], "o"), ("reporting", PALETTE[1], "s")):
        m = (s["period"] == period).to_numpy()
        ax.scatter(
            s.loc[m, col],
            y_actual[m] * scale,
            s=8 if folder.granularity != "hourly" else 2,
            color=colour,
            marker=marker,
            alpha=0.6,
            linewidths=0,
            label=f"metered, {period} period",
        )
    m = (s["period"] == "baseline").to_numpy()
    ax.scatter(
        s.loc[m, col],
        y_model[m] * scale,
        s=4 if folder.granularity != "hourly" else 1,
        color="black",
        marker=".",
        linewidths=0,
        label="baseline model",
    )
    ax.set_xlabel("mean outdoor temperature [°C]")
    ax.set_ylabel(f"energy per {per} [{unit}]")
    ax.set_title("Energy against outdoor temperature")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return Figure(
        "mv-temperature",
        "Energy against outdoor temperature",
        svg_of(fig),
        "Each observation's metered energy against its mean outdoor temperature; the black "
        "points are the baseline model on the baseline period (the model also uses the "
        "drivers, so its points do not lie on one line). A reporting period below the "
        "baseline cloud is the saving.",
    )


def _g14_chart(folder: MvFolder) -> Figure:
    checks = list(folder.doc["guideline_14"])
    fsu = folder.doc["savings"]
    rows = [
        (
            f"{c['statistic'].upper()} ({c['data']})",
            abs(float(c["value"])),
            float(c["limit"]),
            bool(c["passes"]),
        )
        for c in checks
    ]
    from twin.mv.stats import criterion

    fsu_limit = criterion("fsu_max_at_68").value
    rows.append(
        (
            "FSU at 68 %",
            abs(float(fsu["fsu_68"])),
            float(fsu_limit),
            abs(float(fsu["fsu_68"])) < fsu_limit,
        )
    )
    fig, ax = figure(9.0, 0.42 * len(rows) + 1.1, left_in=2.6, right_in=1.6)
    y = np.arange(len(rows))[::-1]
    values = np.array([r[1] for r in rows]) * 100
    limits = np.array([r[2] for r in rows]) * 100
    ax.barh(y, values, height=0.5, color=[PALETTE[2] if r[3] else PALETTE[3] for r in rows])
    ax.scatter(
        limits, y, marker="|", s=300, color="black", linewidths=2, label="threshold", zorder=3
    )
    for yi, v, r in zip(y, values, rows, strict=True):
        ax.annotate(
            f"{v:.1f} % {'pass' if r[3] else 'FAIL'}",
            (max(v, 0), yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_xlim(0, max(float(limits.max()), float(values.max())) * 1.3)
    ax.set_xlabel("statistic, absolute value [%]")
    ax.set_title("Guideline 14 statistics against their thresholds")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", visible=False)
    return Figure(
        "mv-guideline14",
        "Guideline 14 statistics",
        svg_of(fig),
        "Green: within the threshold; vermillion: beyond it (black tick). CV(RMSE) and NMBE of "
        "the baseline fit on the data's interval and on monthly sums; FSU: the fractional "
        "savings uncertainty at 68 % confidence, Guideline 14 §4.1.1 asks under 50 %.",
    )


def _verdict_section(folder: MvFolder) -> str:
    doc = folder.doc
    s = doc["savings"]
    good = bool(s.get("meets_guideline_14")) and float(s["savings_kwh"]) > 0
    parts = [verdict(doc["verdict"], good)]
    claim = doc.get("claim")
    if claim:
        v = str(claim["verdict"])
        parts.append(
            verdict(
                f"Claim of {fmt(float(claim['claimed_kwh']), 0)} kWh: {v}",
                True if v == "supported" else (False if v == "not supported" else None),
            )
        )
        parts.append(note(str(claim["reason"])))
    parts.append(headlines(mv_figures(doc), MV_HEADLINES))
    problems = list(doc.get("warnings") or []) + [
        i["message"] for i in (doc.get("meter") or {}).get("issues", [])
    ]
    if problems:
        items = "".join(f"<li>{fmt(p)}</li>" for p in problems)
        parts.append(
            f'<div class="warnings" id="warnings"><h3>Warnings and meter findings</h3><ul>{items}</ul></div>'
        )
    lo, hi = folder.interval()
    ints = s["intervals_kwh"]
    parts.append(
        table(
            ["confidence", "avoided energy, low [kWh]", "high [kWh]", "half-width [kWh]"],
            [
                [f"{float(k):.0%}", float(a), float(b), (float(b) - float(a)) / 2]
                for k, (a, b) in sorted(ints.items(), key=lambda kv: float(kv[0]))
            ],
            numeric=[False, True, True, True],
            decimals=0,
        )
        + note(
            f"{s['reporting_observations']} reporting and {s['baseline_observations']} baseline "
            f"observations ({folder.granularity}); headline interval at {folder.confidence:.0%}: "
            f"{lo:,.0f} to {hi:,.0f} kWh."
        )
    )
    return "".join(parts)


def _statistics(folder: MvFolder) -> str:
    checks = folder.doc["guideline_14"]
    st = folder.doc["baseline_statistics"]
    rows = [
        [
            c["statistic"].upper(),
            c["data"],
            f"{float(c['value']):.2%}",
            f"{float(c['limit']):.0%}",
            "pass" if c["passes"] else "FAIL",
            c.get("source", ""),
        ]
        for c in checks
    ]
    return (
        chart(_g14_chart(folder))
        + table(
            ["statistic", "data", "value", "threshold", "result", "source"],
            rows,
            numeric=[False, False, True, True, False, False],
        )
        + table(
            ["n", "parameters", "R²", "adjusted R²", "CV(RMSE)", "NMBE", "RMSE [kWh]", "lag-1 ρ"],
            [
                [
                    int(st["n"]),
                    int(st["n_params"]),
                    f"{float(st['r2']):.4f}",
                    f"{float(st['adj_r2']):.4f}",
                    f"{float(st['cvrmse']):.2%}",
                    f"{float(st['nmbe']):+.2%}",
                    float(st["rmse"]),
                    f"{float(st['rho']):.3f}",
                ]
            ],
            numeric=[True] * 8,
            decimals=0,
        )
    )


def _model(folder: MvFolder) -> str:
    m = folder.doc["model"]
    sel = folder.doc["selection"]
    coef = m.get("coefficients") or {}
    rows = []
    if isinstance(coef, dict):
        for k, v in coef.items():
            rows.append(
                [
                    k,
                    f"{float(v):,.6g}",
                    f"{float((m.get('std_errors') or {}).get(k, math.nan)):,.4g}",
                    f"{float((m.get('t_stats') or {}).get(k, math.nan)):,.2f}",
                    f"{float((m.get('p_values') or {}).get(k, math.nan)):.2g}",
                ]
            )
    parts = [
        note(f"Chosen: {m.get('description', m.get('kind', ''))}. {sel['reason']}."),
    ]
    cps = m.get("change_points_c") or {}
    if cps:
        parts.append(
            note("Change points: " + ", ".join(f"{k} {float(v):.1f} °C" for k, v in cps.items()))
        )
    if rows:
        parts.append(
            table(
                ["coefficient", "estimate", "std. error", "t", "p"],
                rows,
                numeric=[False, True, True, True, True],
            )
        )
    cands = sel.get("candidates") or []
    if cands:
        chosen = m.get("kind")
        parts.append("<h3>Models tried</h3>")
        parts.append(
            table(
                ["model", "qualified", "adjusted R²", "CV(RMSE)", "chosen", "why not"],
                [
                    [
                        c.get("description") or c.get("model"),
                        "yes" if c.get("qualified") else "no",
                        f"{float(c['adj_r2']):.4f}" if c.get("adj_r2") is not None else "–",
                        f"{float(c['cvrmse']):.2%}" if c.get("cvrmse") is not None else "–",
                        "◀ chosen" if c.get("model") == chosen else "",
                        "; ".join(c.get("reasons") or []),
                    ]
                    for c in cands
                ],
                numeric=[False, False, True, True, False, False],
                cls="wide",
            )
        )
    elif folder.granularity == "hourly":
        parts.append(
            note("Hourly data: one model form (TOWT) is fitted, none is chosen among others.")
        )
    return "".join(parts)


def _adjustments(folder: MvFolder) -> str:
    adj = folder.doc["adjustments"]
    if not adj:
        return note("No non-routine adjustments in the register.")
    return table(
        ["from", "to (excl.)", "action", "energy [kWh]", "reason", "evidence", "approved by"],
        [
            [
                a["start"],
                a["end"],
                a["action"],
                float(a.get("energy_kwh") or 0.0),
                a["reason"],
                a["evidence"],
                a["approver"],
            ]
            for a in adj
        ],
        numeric=[False, False, False, True, False, False, False],
        decimals=0,
        cls="wide",
    ) + note(
        "adjust: the energy is added to the adjusted baseline over those days, so the savings "
        "do not absorb it; exclude: the days are left out of both the fit and the savings."
    )


def _normalised_and_carbon(folder: MvFolder) -> str:
    doc = folder.doc
    parts = []
    ns = doc.get("normalised_savings")
    if ns:
        lo, hi = folder.interval("normalised_savings")
        parts.append(
            table(
                [
                    "",
                    "baseline model [kWh]",
                    "reporting model [kWh]",
                    "savings [kWh]",
                    "savings",
                    "FSU",
                    f"{folder.confidence:.0%} interval [kWh]",
                ],
                [
                    [
                        "typical year",
                        float(ns["baseline_kwh"]),
                        float(ns["actual_kwh"]),
                        float(ns["savings_kwh"]),
                        f"{float(ns['savings_frac']):.2%}",
                        f"{float(ns['fsu']):.1%}",
                        f"{lo:,.0f} to {hi:,.0f}",
                    ]
                ],
                numeric=[False, True, True, True, True, True, True],
                decimals=0,
            )
            + note(str(ns.get("conditions", "")))
        )
    else:
        parts.append(
            note("No normalised savings (the case names no typical year, or the model is TOWT).")
        )
    c = doc.get("carbon")
    if c:
        parts.append("<h3>Carbon</h3>")
        lo, hi = c.get("interval_tco2") or (math.nan, math.nan)
        parts.append(
            note(
                f"{float(c['location_tco2']):,.1f} t CO2 location-based"
                + (
                    f", {float(c['market_tco2']):,.1f} t market-based"
                    if c.get("market_tco2") is not None
                    else ""
                )
                + f"; interval {float(lo):,.1f} to {float(hi):,.1f} t. {c.get('note', '')}"
            )
        )
        parts.append(
            table(
                ["basis", "factor [kg CO2/kWh]", "source"],
                [
                    [f["basis"], f"{float(f['ef_kg_per_kwh']):.4f}", f["source"]]
                    for f in c.get("factors", [])
                ],
                numeric=[False, True, False],
                cls="wide",
            )
        )
    d = doc.get("option_d")
    if d:
        parts.append("<h3>Option D: calibrated simulation</h3>")
        parts.append(
            table(
                ["parameter", "calibrated value"],
                [[p["path"], f"{float(p['calibrated']):.6g}"] for p in d.get("parameters", [])],
                numeric=[False, True],
                cls="wide",
            )
        )
        parts.append(
            table(
                ["statistic", "data", "value", "threshold", "result"],
                [
                    [
                        c2["statistic"].upper(),
                        c2["data"],
                        f"{float(c2['value']):.2%}",
                        f"{float(c2['limit']):.0%}",
                        "pass" if c2["passes"] else "FAIL",
                    ]
                    for c2 in d.get("calibration", [])
                ],
                numeric=[False, False, True, True, False],
            )
        )
        parts.append(
            note(
                f"Calibrated: {'yes' if d.get('calibrated') else 'NO'}; savings "
                f"{float(d['savings_kwh']):,.0f} kWh; calibrated twin + adjustments − meter "
                f"{float(d['avoided_vs_meter_kwh']):,.0f} kWh ({d.get('runs')} twin runs)."
            )
        )
    return "".join(parts)


def _provenance(folder: MvFolder) -> str:
    doc = folder.doc
    p = doc["provenance"]
    meter = doc["meter"]
    rows = [
        ("case", p.get("case", "")),
        ("description", doc.get("description") or "–"),
        ("written by", f"{p.get('package', 'factory-twin')} {p.get('version', '')}"),
        ("written (UTC)", p.get("created_utc", "")),
        ("baseline period", " to ".join(map(str, doc["baseline_period"])) + " (end excluded)"),
        ("reporting period", " to ".join(map(str, doc["reporting_period"])) + " (end excluded)"),
        ("granularity", folder.granularity),
        ("meter", meter.get("source", "")),
        ("meter SHA-256", meter.get("sha256", "")),
        ("meter unit, interval", f"{meter.get('unit', '')}, {meter.get('interval', '')}"),
        ("temperature", doc.get("temperature_source") or "–"),
        ("confidence", f"{folder.confidence:.0%}"),
    ]
    return table(["field", "value"], rows, numeric=[False, False], cls="wide") + note(
        "Re-running the case file on a meter file with this SHA-256 gives the same figures."
    )


def mv_sections(folder: MvFolder) -> list[tuple[str, str, str]]:
    """The sections (anchor, title, html) of an M&V case's page."""
    cum = _cumulative(folder)
    scatter = _scatter(folder)
    return [
        ("verdict", "Verdict", _verdict_section(folder)),
        (
            "baseline",
            "Baseline against actual",
            chart(_baseline_actual(folder))
            + (chart(cum) if cum else "")
            + (chart(scatter) if scatter else note("No temperature in this case.")),
        ),
        ("statistics", "Guideline 14 statistics", _statistics(folder)),
        ("model", "Model selection", _model(folder)),
        ("adjustments", "Non-routine adjustments", _adjustments(folder)),
        ("normalised", "Normalised savings, carbon and Option D", _normalised_and_carbon(folder)),
        ("provenance", "Provenance", _provenance(folder)),
    ]


def mv_title(folder: MvFolder) -> tuple[str, str]:
    doc = folder.doc
    b, r = doc["baseline_period"], doc["reporting_period"]
    sub = (
        f"{folder.granularity} M&V · baseline {b[0]} to {b[1]} · reporting {r[0]} to {r[1]} · "
        f"model {doc['model'].get('description', '')} · local time of the meter"
    )
    return f"{doc['name']}: measurement and verification", sub
