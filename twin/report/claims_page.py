"""The page of a claims check (``twin claim``): each claim with the
distribution the twin gives for it, P10/P50/P90, where the claim falls in
that distribution, the verdict and its reason.

Read from ``claims.json`` (:func:`twin.mv.claims.write_claims`): one entry
per claim with its values (one per draw of the uncertain inputs, or for an
emission-factor claim one per published scope 2 factor) and the draws or
factors behind them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from twin.report.folder import ReportError, folder_kind, older_format, read_json
from twin.report.html import Figure, Headline, chart, esc, headlines, note, table, verdict
from twin.report.style import PALETTE, figure, label, svg_of

__all__ = ["CLAIM_KEYS", "ClaimsFolder", "claims_figures", "claims_sections", "claims_title"]

CLAIM_KEYS = (
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
"""Keys every claim of a ``claims.json`` this page understands carries."""

VERDICTS = ("supported", "inconclusive", "not supported")

_COMPARISON = {
    "at_least": "at least",
    "at_most": "at most",
    "about": "about",
}


def _scale(unit: str, values: list[float]) -> tuple[str, float]:
    big = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if unit == "kWh" and big > 1e5:
        return "MWh", 1e-3
    if unit == "CNY" and big > 1e5:
        return "kCNY", 1e-3
    if unit == "-":
        return "%", 100.0
    return unit, 1.0


def claims_figures(claims: list[dict[str, Any]]) -> dict[str, float]:
    """The figures of the cards: verdict counts, and per claim its claimed
    value and P10/P50/P90 (``<name>.claimed``, ``<name>.p50``, ...)."""
    counts = Counter(c["verdict"] for c in claims)
    out: dict[str, float] = {f"count.{v}": float(counts.get(v, 0)) for v in VERDICTS}
    out["count.claims"] = float(len(claims))
    for c in claims:
        for k in ("claimed", "p10", "p50", "p90", "claim_percentile"):
            out[f"{c['name']}.{k}"] = float(c[k])
    return out


@dataclass(frozen=True)
class ClaimsFolder:
    """A claims check's folder: ``claims.json``, read and checked."""

    path: Path
    claims: list[dict[str, Any]]

    @classmethod
    def read(cls, path: str | Path) -> ClaimsFolder:
        path = Path(path)
        kind = folder_kind(path)
        if kind != "claims":
            msg = f"{path}: expected a claims check's folder (claims.json), found a {kind} result"
            raise ReportError(msg)
        p = path / "claims.json"
        doc = read_json(p, "twin claim FILE --out DIR")
        if not isinstance(doc, list) or not doc or not all(isinstance(c, dict) for c in doc):
            msg = f"{p}: expected a list of claims, found {type(doc).__name__}; re-run twin claim FILE --out {path}"
            raise ReportError(msg)
        missing = sorted({k for c in doc for k in CLAIM_KEYS if k not in c})
        if missing:
            raise older_format(p, missing, "twin claim FILE --out DIR")
        return cls(path, doc)


def _good(v: str) -> bool | None:
    return True if v == "supported" else (False if v == "not supported" else None)


def _simulated_chart(i: int, c: dict[str, Any]) -> Figure:
    values = [float(v) for v in c["values"]]
    unit, scale = _scale(c["unit"], [*values, c["claimed"]])
    v = np.array(values) * scale
    claimed = float(c["claimed"]) * scale
    p10, p50, p90 = (float(c[k]) * scale for k in ("p10", "p50", "p90"))
    detail = c.get("detail") or {}
    draws = detail.get("draws") or []
    weathers = [str(d.get("weather")) for d in draws] if len(draws) == len(v) else ["" for _ in v]
    sites = list(dict.fromkeys(weathers))
    fig, ax = figure(9.0, 2.3, left_in=0.5, right_in=2.6, bottom_in=0.6)
    ax.axvspan(p10, p90, color=PALETTE[5], alpha=0.35, linewidth=0, label="twin P10–P90")
    ax.axvline(p50, color=PALETTE[0], linewidth=1.6, label=f"twin P50 {p50:,.4g} {unit}")
    rng = np.random.default_rng(0)  # fixed jitter: the same page for the same result
    jitter = rng.uniform(-0.25, 0.25, v.size) if v.size > 1 else np.zeros(v.size)
    for k, site in enumerate(sites):
        m = np.array([w == site for w in weathers])
        ax.scatter(
            v[m],
            jitter[m],
            s=22,
            color=PALETTE[(k + 1) % len(PALETTE)],
            edgecolors="black",
            linewidths=0.4,
            zorder=3,
            label=f"draws, {label(site)}" if site and site != "None" else "draws",
        )
    comp = str(detail.get("comparison", ""))
    if comp == "about":
        tol = float(detail.get("tolerance_frac", 0.0) or 0.0)
        if tol:
            ax.axvspan(claimed * (1 - tol), claimed * (1 + tol), color=PALETTE[3], alpha=0.08)
    ax.axvline(
        claimed,
        color=PALETTE[3],
        linewidth=2.0,
        linestyle="--",
        label=f"claimed ({_COMPARISON.get(comp, comp) or 'value'}) {claimed:,.4g} {unit}",
    )
    span = max(v.max(), claimed, p90) - min(v.min(), claimed, p10)
    pad = span * 0.08 if span > 0 else max(abs(claimed) * 0.05, 1.0)
    ax.set_xlim(min(v.min(), claimed, p10) - pad, max(v.max(), claimed, p90) + pad)
    ax.set_ylim(-0.6, 0.6)
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    what = detail.get("quantity", c["name"])
    ax.set_xlabel(f"{'saving of ' if c['kind'] == 'saving' else ''}{label(str(what))} [{unit}]")
    ax.set_title(label(f"{c['name']}: {c['verdict']}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.05), fontsize=7)
    return Figure(
        f"claim-{i}",
        f"{c['name']}: distribution",
        svg_of(fig),
        f"Each point is one twin run (or pair of runs, for a saving) over the draws of the "
        f"uncertain inputs ({len(v)} value(s); vertical spread only separates the points). The "
        f"claim lies at the {float(c['claim_percentile']):.0%} point of the twin's distribution.",
    )


def _emission_chart(i: int, c: dict[str, Any]) -> Figure:
    factors = (c.get("detail") or {}).get("factors") or []
    rows = [f for f in factors if "tco2" in f]
    rows = sorted(rows, key=lambda f: float(f["tco2"]))
    fig, ax = figure(9.0, 0.26 * len(rows) + 1.2, left_in=4.6, right_in=0.4, bottom_in=0.55)
    y = np.arange(len(rows))
    colours = [
        (PALETTE[2] if f.get("matches") else PALETTE[0]) if f.get("scope2") else "#BBBBBB"
        for f in rows
    ]
    ax.barh(y, [float(f["tco2"]) for f in rows], height=0.6, color=colours)
    ax.set_yticks(
        y,
        [
            label(f"{f['factor']} {f['year']} ({float(f['ef_kg_per_kwh']):.4f} kg/kWh)")
            for f in rows
        ],
        fontsize=7,
    )
    ax.axvline(float(c["claimed"]), color=PALETTE[3], linewidth=2.0, linestyle="--")
    ax.annotate(
        f"claimed {float(c['claimed']):,.1f} t",
        (float(c["claimed"]), 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -2),
        textcoords="offset points",
        va="top",
        fontsize=8,
        color=PALETTE[3],
    )
    ax.set_xlabel("stated energy × published factor [t CO2]")
    ax.set_title(label(f"{c['name']}: {c['verdict']}"))
    ax.grid(axis="y", visible=False)
    return Figure(
        f"claim-{i}",
        f"{c['name']}: factors",
        svg_of(fig),
        "The stated energy times each published grid factor of the years around the claim. "
        "Blue: a scope 2 factor; green: a scope 2 factor the claimed tonnes match within the "
        "tolerance; grey: not a scope 2 factor (a displacement figure). P10/P50/P90 are over "
        "the scope 2 factors.",
    )


def _claim_section(i: int, c: dict[str, Any]) -> str:
    values = [float(v) for v in c["values"]]
    unit, scale = _scale(c["unit"], [*values, c["claimed"]])
    fig = _emission_chart(i, c) if c["kind"] == "emission_factor" else _simulated_chart(i, c)
    dec = 2 if unit == "%" else 1
    cards = headlines(
        claims_figures([c]),
        (
            Headline(f"{c['name']}.claimed", "Claimed", unit, scale, dec),
            Headline(f"{c['name']}.p10", "Twin P10", unit, scale, dec),
            Headline(f"{c['name']}.p50", "Twin P50", unit, scale, dec),
            Headline(f"{c['name']}.p90", "Twin P90", unit, scale, dec),
            Headline(
                f"{c['name']}.claim_percentile", "Claim's place in the distribution", "%", 100.0, 0
            ),
        ),
    )
    parts = [
        f'<h3 id="claim-{i}-title">{esc(c["name"])} <span class="unit">({esc(c["kind"])})</span></h3>',
        verdict(f"{c['name']}: {c['verdict']}", _good(str(c["verdict"]))),
        note(f"Reason: {c['reason']}"),
        cards,
        chart(fig),
    ]
    detail = c.get("detail") or {}
    if c["kind"] == "emission_factor":
        parts.append(
            note(
                f"Implied factor: {float(detail.get('implied_ef_kg_per_kwh', math.nan)):.4f} kg CO2/kWh "
                f"for {float(detail.get('energy_kwh', math.nan)):,.0f} kWh."
            )
        )
        parts.append(
            table(
                ["factor", "year", "kg CO2/kWh", "t CO2", "scope 2", "matches", "source"],
                [
                    [
                        f["factor"],
                        f["year"],
                        f"{float(f['ef_kg_per_kwh']):.4f}",
                        float(f.get("tco2", math.nan)),
                        "yes" if f.get("scope2") else "no",
                        "yes" if f.get("matches") else "",
                        f.get("source", ""),
                    ]
                    for f in detail.get("factors", [])
                ],
                numeric=[False, False, True, True, False, False, False],
                cls="wide",
            )
        )
    else:
        draws = detail.get("draws") or []
        if draws:
            names = sorted({k for d in draws for k in (d.get("set") or {})})
            parts.append(
                table(
                    ["draw", "weather", *names, f"value [{unit}]"],
                    [
                        [
                            n + 1,
                            d.get("weather") or "config's",
                            *[
                                f"{(d.get('set') or {}).get(k):.4g}"
                                if isinstance((d.get("set") or {}).get(k), int | float)
                                else str((d.get("set") or {}).get(k, ""))
                                for k in names
                            ],
                            f"{float(d['value']) * scale:,.4g}",
                        ]
                        for n, d in enumerate(draws)
                    ],
                    numeric=[True, False, *[True] * len(names), True],
                    decimals=0,
                    cls="wide",
                )
            )
        parts.append(
            note(
                f"Config: {detail.get('config', '')}; quantity {detail.get('quantity', '')}; "
                f"comparison {_COMPARISON.get(str(detail.get('comparison')), detail.get('comparison'))}."
            )
        )
    return f'<div class="claim" data-claim="{esc(c["name"])}">{"".join(parts)}</div>'


def claims_sections(folder: ClaimsFolder) -> list[tuple[str, str, str]]:
    """The sections (anchor, title, html) of a claims page."""
    claims = folder.claims
    figures = claims_figures(claims)
    cards = headlines(
        figures,
        (
            Headline("count.claims", "Claims checked", "", 1.0, 0),
            Headline("count.supported", "Supported", "", 1.0, 0),
            Headline("count.inconclusive", "Inconclusive", "", 1.0, 0),
            Headline("count.not supported", "Not supported", "", 1.0, 0),
        ),
        alert={"count.not supported"} if figures["count.not supported"] else set(),
    )
    overview = table(
        ["claim", "kind", "claimed", "unit", "P10", "P50", "P90", "claim at", "verdict", "reason"],
        [
            [
                c["name"],
                c["kind"],
                f"{float(c['claimed']):,.4g}",
                c["unit"],
                f"{float(c['p10']):,.4g}",
                f"{float(c['p50']):,.4g}",
                f"{float(c['p90']):,.4g}",
                f"{float(c['claim_percentile']):.0%}",
                c["verdict"],
                c["reason"],
            ]
            for c in claims
        ],
        numeric=[False, False, True, False, True, True, True, True, False, False],
        cls="wide",
    )
    body = "".join(_claim_section(i, c) for i, c in enumerate(claims))
    prov = note(
        f"Read from {folder.path.name}/claims.json. Each simulated value is a twin run of the "
        "claim's config with the draw's weather and values (the draws table); an emission-factor "
        "claim is checked against the published factors listed with their sources."
    )
    return [
        ("overview", "Verdicts", cards + overview),
        ("claims", "Each claim", body),
        ("provenance", "Provenance", prov),
    ]


def claims_title(folder: ClaimsFolder) -> tuple[str, str]:
    n = len(folder.claims)
    kinds = ", ".join(sorted({str(c["kind"]) for c in folder.claims}))
    return (
        f"{folder.path.name}: {n} claim{'s' if n != 1 else ''} checked against the twin",
        f"claim kinds {kinds} · P10/P50/P90 over the draws of the uncertain inputs",
    )
