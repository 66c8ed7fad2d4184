"""The page of a comparison (``twin compare``): the variants side by side
with their deltas, cash flows, the marginal abatement cost curve (MACC) and
the interactions of packages with their measures.

Read from the comparison's folder: ``compare.json`` (variants and finance),
``macc.csv``, ``interactions.csv`` and ``cashflows.csv`` (absent in folders
written before it existed: the cash-flow chart is then left out).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.report.folder import ReportError, folder_kind
from twin.report.html import Figure, Headline, chart, headlines, note, table
from twin.report.style import PALETTE, figure, label, svg_of

__all__ = ["COMPARE_HEADLINES", "CompareFolder", "compare_sections"]

_VARIANT_KEYS = (
    "variant",
    "kind",
    "grid_import_kwh",
    "total_cost_cny",
    "emissions_tco2",
    "delta_cost_cny",
    "delta_emissions_tco2",
    "capex_cny",
)

COMPARE_HEADLINES: tuple[Headline, ...] = (
    Headline("grid_import_kwh", "Base: grid import", "MWh", 1e-3),
    Headline("peak_import_kw", "Base: peak import", "kW", 1.0, 0),
    Headline("total_cost_cny", "Base: electricity and fuel bills", "kCNY/yr", 1e-3),
    Headline("emissions_tco2", "Base: scope 1 + 2", "t CO2e/yr", 1.0),
)
"""Headline cards of a comparison: figures of its base plant (compare.json)."""


@dataclass(frozen=True)
class CompareFolder:
    """The files of a comparison's result folder, read once and checked."""

    path: Path
    doc: dict[str, Any]
    table: pd.DataFrame
    macc: pd.DataFrame | None
    interactions: pd.DataFrame | None
    cashflows: pd.DataFrame | None

    @property
    def name(self) -> str:
        return str(self.doc.get("experiment", self.path.name))

    @property
    def subtitle(self) -> str:
        fin = self.doc.get("finance", {})
        rate = fin.get("discount_rate")
        esc = fin.get("price_escalation_frac_per_year")
        bits = [f"source {Path(str(self.doc.get('source', ''))).name}"]
        if rate is not None:
            bits.append(f"discount rate {rate:.1%}/yr")
        if esc is not None:
            bits.append(f"energy price escalation {esc:.1%}/yr")
        return " · ".join(bits)

    @classmethod
    def read(cls, path: str | Path) -> CompareFolder:
        path = Path(path)
        if folder_kind(path) != "compare":
            msg = f"{path}: expected a comparison's folder (compare.json)"
            raise ReportError(msg)
        p = path / "compare.json"
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            msg = f"{p}: not readable JSON ({exc}); re-run twin compare EXPERIMENT --out {path}"
            raise ReportError(msg) from None
        records = doc.get("variants") if isinstance(doc, dict) else None
        if not records or not isinstance(records, list):
            msg = f"{p}: expected a 'variants' list, found none; re-run twin compare EXPERIMENT --out {path}"
            raise ReportError(msg)
        table = pd.DataFrame(records)
        missing = [k for k in _VARIANT_KEYS if k not in table.columns]
        if missing:
            msg = (
                f"{p}: a comparison of an older format: variants lack {', '.join(missing)}; "
                f"re-run twin compare EXPERIMENT --out {path}"
            )
            raise ReportError(msg)

        def optional(name: str) -> pd.DataFrame | None:
            f = path / name
            if not f.is_file():
                return None
            try:
                return pd.read_csv(f)
            except pd.errors.EmptyDataError:
                return pd.DataFrame()
            except (OSError, ValueError) as exc:
                msg = f"{f}: cannot read the table ({exc})"
                raise ReportError(msg) from None

        return cls(
            path,
            doc,
            table,
            optional("macc.csv"),
            optional("interactions.csv"),
            optional("cashflows.csv"),
        )

    @property
    def base(self) -> dict[str, Any]:
        rows = self.table[self.table["kind"] == "base"]
        row = rows.iloc[0] if len(rows) else self.table.iloc[0]
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def _variants(folder: CompareFolder) -> pd.DataFrame:
    return folder.table[folder.table["kind"] != "base"]


def _deltas(folder: CompareFolder) -> Figure:
    v = _variants(folder).iloc[::-1]
    n = max(len(v), 1)
    fig, (ax1, ax2) = figure(10.0, 0.32 * n + 1.3, ncols=2, sharey=True, left_in=2.4, wspace=0.08)
    y = np.arange(len(v))
    names = [label(str(x)) for x in v["variant"]]
    cost = v["delta_cost_cny"].to_numpy(dtype=float) / 1e3
    em = v["delta_emissions_tco2"].to_numpy(dtype=float)
    ax1.barh(y, cost, color=[PALETTE[2] if c < 0 else PALETTE[3] for c in cost], height=0.6)
    ax2.barh(y, em, color=[PALETTE[2] if c < 0 else PALETTE[3] for c in em], height=0.6)
    ax1.set_yticks(y, names)
    for ax, unit, title in (
        (ax1, "kCNY/yr", "Δ annual energy cost"),
        (ax2, "t CO2e/yr", "Δ scope 1 + 2"),
    ):
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(f"change against the base [{unit}]")
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
    return Figure(
        "compare-deltas",
        "Variants against the base",
        svg_of(fig),
        "Each variant simulated as a whole plant; green: lower than the base. Cost: "
        "electricity and fuel bills [kCNY/yr]; emissions: scope 1 + scope 2 (market-based "
        "when the ledger uses it) [t CO2e/yr].",
    )


def _cashflows(folder: CompareFolder) -> Figure | None:
    cf = folder.cashflows
    if cf is None or cf.empty:
        return None
    fig, ax = figure(9.0, 3.4, right_in=2.4)
    for i, (name, g) in enumerate(cf.groupby("variant", sort=False)):
        ax.plot(
            g["year"],
            g["cumulative_present_value_cny"] / 1e3,
            color=PALETTE[i % len(PALETTE)],
            linewidth=1.4,
            marker="o",
            markersize=2.5,
            label=label(str(name)),
            linestyle="-" if i < len(PALETTE) else "--",
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("year of operation [yr]")
    ax.set_ylabel("cumulative present value [kCNY]")
    ax.set_title("Cash flows: cumulative discounted")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return Figure(
        "compare-cashflows",
        "Cumulative discounted cash flow",
        svg_of(fig),
        "Year 0: the investment; then each year's saving (escalated by the energy price, "
        "reduced by degradation) less fixed O&M, discounted at the experiment's rate. "
        "Where a line crosses zero the variant has paid back (discounted).",
    )


def _macc(folder: CompareFolder) -> Figure | None:
    m = folder.macc
    if m is None or m.empty:
        return None
    fig, ax = figure(9.0, 3.6, right_in=2.6)
    x = 0.0
    for i, r in enumerate(m.itertuples()):
        w = float(r.abated_tco2_per_year)
        h = float(r.abatement_cost_cny_per_tco2)
        ax.bar(
            x,
            h,
            width=w,
            align="edge",
            color=PALETTE[i % len(PALETTE)],
            edgecolor="white",
            label=f"{label(str(r.variant))}: {h:,.0f} CNY/t",
        )
        x += w
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlim(0, max(x, 1e-9) * 1.02)
    ax.set_xlabel("abatement, measures alone, cumulative [t CO2e/yr]")
    ax.set_ylabel("abatement cost [CNY/t CO2e]")
    ax.set_title("Marginal abatement cost curve")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5)
    ax.grid(axis="x", visible=False)
    return Figure(
        "compare-macc",
        "Marginal abatement cost curve",
        svg_of(fig),
        "Each measure simulated alone: width its annual abatement, height its annualised "
        "cost per tonne (negative: it saves money). Measures that abate nothing are left out.",
    )


def _interactions(folder: CompareFolder) -> Figure | None:
    it = folder.interactions
    if it is None or it.empty:
        return None
    fig, ax = figure(9.0, 0.6 * len(it) + 1.3, left_in=2.4, right_in=2.0)
    y = np.arange(len(it))
    ax.barh(
        y + 0.18,
        it["simulated_delta_cost_cny"] / 1e3,
        height=0.35,
        color=PALETTE[0],
        label="package simulated",
    )
    ax.barh(
        y - 0.18,
        it["sum_of_singles_delta_cost_cny"] / 1e3,
        height=0.35,
        color=PALETTE[1],
        label="sum of its measures alone",
    )
    ax.set_yticks(y, [label(str(p)) for p in it["package"]])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Δ annual energy cost [kCNY/yr]")
    ax.set_title("Interactions: package against the sum of its parts")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", visible=False)
    return Figure(
        "compare-interactions",
        "Interactions",
        svg_of(fig),
        "A package saves less than its measures alone when they work on the same energy "
        "(leak repair leaves less air for a VSD trim to save on).",
    )


_TABLE = (
    ("variant", "variant", None, 0),
    ("measures", "measures", None, 0),
    ("grid_import_kwh", "import [MWh]", 1e-3, 0),
    ("peak_import_kw", "peak [kW]", 1.0, 0),
    ("total_cost_cny", "cost [kCNY/yr]", 1e-3, 0),
    ("delta_cost_cny", "Δcost [kCNY/yr]", 1e-3, 0),
    ("emissions_tco2", "scope 1+2 [t]", 1.0, 0),
    ("delta_emissions_tco2", "Δ [t/yr]", 1.0, 0),
    ("capex_cny", "capex [kCNY]", 1e-3, 0),
    ("simple_payback_years", "payback [yr]", 1.0, 1),
    ("npv_cny", "NPV [kCNY]", 1e-3, 0),
    ("irr_frac", "IRR [%]", 100.0, 1),
    ("abatement_cost_cny_per_tco2", "abatement [CNY/t]", 1.0, 0),
)


def _variant_table(folder: CompareFolder) -> str:
    cols = [c for c in _TABLE if c[0] in folder.table.columns]
    rows = []
    for rec in folder.table.to_dict("records"):
        row = []
        for key, _, scale, decimals in cols:
            v = rec.get(key)
            if scale is None:
                row.append("" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            elif v is None or (isinstance(v, float) and math.isnan(v)):
                row.append("–")
            elif isinstance(v, float) and math.isinf(v):
                row.append("never")
            else:
                row.append(f"{float(v) * scale + 0.0:,.{decimals}f}")
        rows.append(row)
    return table(
        [h for _, h, _, _ in cols], rows, numeric=[s is not None for _, _, s, _ in cols], cls="wide"
    )


def compare_sections(folder: CompareFolder) -> list[tuple[str, str, str]]:
    """The sections (anchor, title, html) of a comparison's page."""
    cash, macc, inter = _cashflows(folder), _macc(folder), _interactions(folder)
    money = [
        chart(cash)
        if cash
        else note(
            "No cashflows.csv in this folder (written by an "
            "older version): re-run twin compare for the chart."
        )
    ]
    macc_html = (
        chart(macc)
        if macc
        else note(
            "No MACC: the experiment did not simulate its measures alone (singles = true) or none abates."
        )
    )
    inter_html = (
        chart(inter)
        if inter
        else note("No package made of measures that were also simulated alone.")
    )
    if folder.interactions is not None and not folder.interactions.empty:
        it = folder.interactions
        inter_html += table(
            [
                "package",
                "simulated Δcost [kCNY/yr]",
                "sum of singles [kCNY/yr]",
                "interaction [kCNY/yr]",
                "simulated Δ [t/yr]",
                "sum of singles [t/yr]",
                "interaction [t/yr]",
            ],
            [
                [
                    r.package,
                    r.simulated_delta_cost_cny / 1e3,
                    r.sum_of_singles_delta_cost_cny / 1e3,
                    r.interaction_cost_cny / 1e3,
                    r.simulated_delta_emissions_tco2,
                    r.sum_of_singles_delta_emissions_tco2,
                    r.interaction_emissions_tco2,
                ]
                for r in it.itertuples()
            ],
            numeric=[False] + [True] * 6,
        )
    return [
        ("headline", "The base plant", headlines(folder.base, COMPARE_HEADLINES)),
        (
            "variants",
            "Variants side by side",
            chart(_deltas(folder))
            + _variant_table(folder)
            + note(
                "Costs of measures are inputs (placeholders for quotations unless the experiment "
                "gives its own); NPV and IRR over each package's capex-weighted lifetime."
            ),
        ),
        ("cashflows", "Cash flows", "".join(money)),
        ("macc", "Marginal abatement cost", macc_html),
        ("interactions", "Interactions", inter_html),
    ]
