"""The page of one run: headline figures, flows, profiles, plant operating
points, emissions, the inventory and provenance.

Everything is read from the result folder (:class:`twin.report.folder.RunFolder`).
Times are local (the run's time zone, from its provenance); the hourly
frame labels each hour by its start, and its powers are hourly means, so a
sum over hours is energy in kWh.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from twin.report import charts
from twin.report.folder import RunFolder, unmet_energy
from twin.report.html import Figure, Headline, chart, esc, fmt, headlines, note, table
from twin.report.style import PALETTE, ROLE, cjk_font, figure, label, svg_of

__all__ = ["HEADLINES", "run_sections"]

HEADLINES: tuple[Headline, ...] = (
    Headline("electricity_use_kwh", "Electricity use", "MWh", 1e-3),
    Headline("grid_import_kwh", "Grid import", "MWh", 1e-3),
    Headline("peak_import_kw", "Peak import", "kW", 1.0, 0),
    Headline("pv_ac_kwh", "PV production (AC)", "MWh", 1e-3),
    Headline("grid_export_kwh", "Grid export", "MWh", 1e-3),
    Headline("self_sufficiency_frac", "Self-sufficiency", "%", 100.0),
    Headline("renewable_share_frac", "Renewable share", "%", 100.0),
    Headline("unmet_kwh", "Unmet electricity", "MWh", 1e-3, 3),
    Headline("total_cost_cny", "Electricity cost", "kCNY", 1e-3),
    Headline("fuel_cost_cny", "Fuel and heat bills", "kCNY", 1e-3),
    Headline("scope1_tco2", "Scope 1", "t CO2e", 1.0),
    Headline("scope2_location_tco2", "Scope 2 (location-based)", "t CO2e", 1.0),
    Headline("scope2_market_tco2", "Scope 2 (market-based)", "t CO2e", 1.0),
    Headline("net_tco2", "Net emissions", "t CO2e", 1.0),
)
"""The figures at the top of a run's page (key of summary.json, label, unit, scale)."""

TOU_NAMES = {0: "deep valley", 1: "valley", 2: "flat", 3: "peak", 4: "critical peak"}
_TOU_LABELS = {"deep_valley": "deep valley", "critical": "critical peak"}
TOU_SHADE = {
    "deep valley": (PALETTE[0], 0.22),
    "valley": (PALETTE[5], 0.22),
    "peak": (PALETTE[1], 0.22),
    "critical peak": (PALETTE[3], 0.28),
}
SEASONS = (
    ("Winter (Dec–Feb)", (12, 1, 2)),
    ("Spring (Mar–May)", (3, 4, 5)),
    ("Summer (Jun–Aug)", (6, 7, 8)),
    ("Autumn (Sep–Nov)", (9, 10, 11)),
)


def _tz_note(folder: RunFolder) -> str:
    return f"local time ({folder.tz})"


def _periods(h: pd.DataFrame) -> pd.Series:
    """TOU period names per hour (the file holds names or the integer codes of
    :class:`twin.component.TouPeriod`)."""
    col = h["tou_period"]
    if col.dtype.kind in "fiu":
        return col.round().astype("Int64").map(TOU_NAMES).astype("string")
    return col.astype("string").map(lambda v: _TOU_LABELS.get(v, v)).astype("string")


def _headline_section(folder: RunFolder) -> str:
    s = folder.summary
    unmet = unmet_energy(folder.hourly)
    alert = {"unmet_kwh"} if s.get("unmet_kwh", 0.0) > 0 else set()
    parts = [headlines(s, HEADLINES, alert)]
    problems = [
        f"{bus}: {fmt(v, 1)} {unit} of demand not supplied" for bus, v, unit in unmet if v > 1e-6
    ]
    zones = {n: c for n, c in s.get("components", {}).items() if "unmet_heating_h" in c}
    for name, c in zones.items():
        for mode in ("heating", "cooling"):
            hours = c.get(f"unmet_{mode}_h", 0.0) or 0.0
            if hours > 0:
                problems.append(f"zone {name}: {fmt(hours, 0)} h with unmet {mode}")
    if s.get("demand_cost_cny", 0.0) == 0 and s.get("capacity_cost_cny", 0.0) == 0:
        problems.append("no demand or capacity charge billed: the tariff's basic charge is zero")
    if s.get("grid_export_kwh", 0.0) > 0 and s.get("export_revenue_cny", 0.0) == 0:
        problems.append(
            f"{fmt(s['grid_export_kwh'] / 1e3, 1)} MWh exported without payment (export price zero)"
        )
    warnings = list(s.get("warnings", []))
    if problems or warnings:
        items = "".join(f"<li>{esc(t)}</li>" for t in problems + warnings)
        parts.append(
            f'<div class="warnings" id="warnings"><h3>Unmet demand and warnings</h3><ul>{items}</ul></div>'
        )
    else:
        parts.append(
            '<div class="ok" id="warnings">All demand met on every bus; the run gave no warnings.</div>'
        )
    rows = [(bus, v, unit) for bus, v, unit in unmet]
    parts.append("<h3>Unmet demand per bus</h3>")
    parts.append(table(["bus", "unmet over the year", "unit"], rows, numeric=[False, True, False]))
    return "".join(parts)


def _flow_label(row) -> str:
    """A component's name, with its port's role where that is not plain use or supply."""
    if row.kind in ("use", "supply") or row.component.startswith("("):
        return str(row.component)
    return f"{row.component} ({row.kind})"


def _sankey(folder: RunFolder) -> tuple[list[Figure], str]:
    bal = folder.balance
    if bal is None:
        return [], note(
            "Energy-flow diagrams need balance.csv, which this result folder does not have "
            "(it was written before runs wrote one); re-run to get them."
        )
    figs = []
    for (carrier, bus), g in bal.groupby(["carrier", "bus"], sort=False):
        unit = str(g["unit"].iloc[0]).replace("m3", "m³")
        # direction is the bus's view: "in" supplies the bus, "out" takes from it
        by = g.groupby(["component", "kind", "direction"], sort=False)["amount"].sum().reset_index()
        supply = [(_flow_label(r), float(r.amount)) for r in by.itertuples() if r.direction == "in"]
        demand = [
            (_flow_label(r), float(r.amount)) for r in by.itertuples() if r.direction == "out"
        ]
        supply.sort(key=lambda t: -t[1])
        demand.sort(key=lambda t: -t[1])
        if not any(v > 0 for _, v in supply + demand):
            continue
        figs.append(
            Figure(
                f"sankey-{bus}",
                f"{carrier}: {bus}",
                charts.bus_sankey(f"{bus} [{unit}]", unit, supply, demand),
                f"Annual flows into (left) and out of (right) bus {bus}"
                + (f" ({carrier})" if carrier != bus else "")
                + f" [{unit}], "
                "each labelled with the component and the role of its port; '(unmet)' is "
                "demand no supplier served.",
            )
        )
    return figs, note(
        "From balance.csv: every bus balances over the year, so both sides "
        "of a diagram sum to the same total."
    )


def _end_uses(folder: RunFolder) -> dict[str, np.ndarray]:
    """Hourly electricity per end use [kW]: each component's electric input
    port (``<component>.el.power_kw``, ``<component>.auxiliary.power_kw``);
    the difference to the plant's electricity use, if any, as 'not
    attributed'."""
    h = folder.hourly
    cols = [c for c in h.columns if c.endswith((".el.power_kw", ".auxiliary.power_kw"))]
    groups: dict[str, np.ndarray] = {}
    for c in cols:
        comp = c.split(".")[0]
        groups[comp] = groups.get(comp, 0.0) + h[c].to_numpy(dtype=float)
    rest = h["electricity_use_kw"].to_numpy(dtype=float) - sum(groups.values(), np.zeros(len(h)))
    if np.abs(rest).sum() > 1e-3 * max(h["electricity_use_kw"].sum(), 1.0):
        groups["not attributed"] = rest
    return groups


def _monthly_end_use(folder: RunFolder) -> Figure:
    h = folder.hourly
    groups = _end_uses(folder)
    month = h.index.month
    frame = pd.DataFrame(groups, index=h.index).groupby(month).sum() / 1e3  # MWh
    order = frame.sum().sort_values(ascending=False).index.tolist()
    top = order[:7]
    if len(order) > 7:
        frame["other"] = frame[order[7:]].sum(axis=1)
        top.append("other")
    fig, ax = figure(9.0, 3.6, right_in=2.6)
    bottom = np.zeros(len(frame))
    for i, name in enumerate(top):
        ax.bar(
            frame.index,
            frame[name],
            bottom=bottom,
            color=PALETTE[i % len(PALETTE)],
            label=label(name),
            width=0.75,
        )
        bottom += frame[name].to_numpy()
    gas_cols = [
        c
        for c in h.columns
        if c.endswith(".import.power_kw")
        and c.split(".")[0] in folder.summary.get("components", {})
        and "fuel_use_kwh" in folder.summary["components"][c.split(".")[0]]
    ]
    ax.set_xticks(
        range(1, 13),
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    )
    ax.set_xlabel("month")
    ax.set_ylabel("electricity [MWh]")
    ax.set_title("Monthly electricity by end use")
    ax.legend(loc="upper left", bbox_to_anchor=(1.12 if gas_cols else 1.0, 1.0))
    ax.grid(axis="x", visible=False)
    if gas_cols:
        gas = h[gas_cols].sum(axis=1).groupby(month).sum() / 1e3
        ax2 = ax.twinx()
        ax2.plot(
            gas.index,
            gas.to_numpy(),
            color=ROLE["gas"],
            marker="o",
            linewidth=1.2,
            linestyle="--",
            label="fuel (LHV)",
        )
        ax2.set_ylabel("fuel, LHV [MWh]", color=ROLE["gas"])
        ax2.spines["right"].set_visible(True)
        ax2.grid(False)
        ax2.set_ylim(bottom=0)
        ax2.legend(loc="lower left", bbox_to_anchor=(1.12, 0.0))
    caption = (
        "Electricity per component's electric input, summed by month [MWh]; "
        "the stack totals the plant's electricity use."
    )
    if gas_cols:
        caption += " Line: fuel taken at the gas meter(s), lower heating value [MWh]."
    return Figure("monthly-end-use", "Monthly electricity by end use", svg_of(fig), caption)


_MONTHLY = (
    ("grid_import_kwh", "import [MWh]", 1e-3),
    ("grid_export_kwh", "export [MWh]", 1e-3),
    ("peak_import_kw", "peak import [kW]", 1.0),
    ("energy_cost_cny", "energy charge [kCNY]", 1e-3),
    ("demand_cost_cny", "demand charge [kCNY]", 1e-3),
    ("capacity_cost_cny", "capacity charge [kCNY]", 1e-3),
    ("export_revenue_cny", "export revenue [kCNY]", 1e-3),
    ("total_cost_cny", "electricity bill [kCNY]", 1e-3),
)


def _monthly_table(folder: RunFolder) -> str:
    """monthly.csv as a table: grid exchange, peak and the bill by month."""
    m = folder.monthly
    if m is None or m.empty:
        return note("This result folder has no monthly.csv.")
    cols = [c for c in _MONTHLY if c[0] in m.columns]
    month = m["month"] if "month" in m.columns else pd.Series(range(1, len(m) + 1))
    rows = [
        [int(mo), *(float(r[c]) * scale for c, _, scale in cols)]
        for mo, (_, r) in zip(month, m.iterrows(), strict=True)
    ]
    rows.append(
        [
            "year",
            *(
                float(m[c].max() if c == "peak_import_kw" else m[c].sum()) * scale
                for c, _, scale in cols
            ),
        ]
    )
    return (
        "<h3>Grid exchange and bill by month</h3>"
        + table(["month", *(h for _, h, _ in cols)], rows, numeric=[False] + [True] * len(cols))
        + note("From monthly.csv; the year row sums the months (peak: the largest month).")
    )


def _load_duration(folder: RunFolder) -> Figure:
    h = folder.hourly
    imp = np.sort(h["grid_import_kw"].to_numpy(dtype=float))[::-1]
    use = np.sort(h["electricity_use_kw"].to_numpy(dtype=float))[::-1]
    hours = np.arange(1, imp.size + 1)
    fig, ax = figure(9.0, 3.2)
    ax.plot(hours, use, color=ROLE["use"], linewidth=1.0, label="electricity use")
    ax.plot(hours, imp, color=ROLE["import"], linewidth=1.6, label="grid import")
    peak = float(folder.summary["peak_import_kw"])
    ax.axhline(peak, color=ROLE["import"], linestyle=":", linewidth=0.9)
    ax.annotate(
        f"peak import {peak:,.0f} kW (step mean)",
        (imp.size * 0.3, peak),
        xytext=(0, 3),
        textcoords="offset points",
        fontsize=8,
    )
    ax.set_xlim(0, imp.size)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("hours of the year at or above [h]")
    ax.set_ylabel("hourly mean power [kW]")
    ax.set_title("Load-duration curve")
    ax.legend(loc="upper right")
    return Figure(
        "load-duration",
        "Load-duration curve of import",
        svg_of(fig),
        "Hourly means sorted from highest to lowest. The peak line is the largest "
        "step mean of the run (at sub-hourly steps it can exceed the hourly curve).",
    )


def _carpet(folder: RunFolder, column: str, title: str, key: str) -> Figure:
    h = folder.hourly
    s = h[column]
    day = (h.index.normalize() - h.index[0].normalize()).days
    grid = np.full((int(day.max()) + 1, 24), np.nan)
    grid[day, h.index.hour] = s.to_numpy(dtype=float)
    fig, ax = figure(9.0, 2.9, left_in=1.0)
    im = ax.imshow(
        grid.T,
        aspect="auto",
        origin="lower",
        interpolation="nearest",
        extent=(0, grid.shape[0], 0, 24),
        cmap="cividis",
        vmin=0,
    )
    ax.set_yticks([0, 6, 12, 18, 24])
    ax.set_ylabel(f"hour of day [h]\n{_tz_note(folder)}")
    starts = pd.date_range(h.index[0].normalize(), periods=12, freq="MS", tz=h.index.tz)
    ticks = [(d - h.index[0].normalize()).days for d in starts]
    ax.set_xticks(ticks, [d.strftime("%b") for d in starts])
    ax.set_xlabel("day of the year")
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax, pad=0.01)
    cb.set_label("hourly mean power [kW]")
    ax.set_title(title)
    return Figure(
        key,
        title,
        svg_of(fig),
        f"Each column one day, each row one hour ({_tz_note(folder)}); colour: hourly mean [kW].",
    )


def _runs(hours: list[int], names: list[str]) -> list[tuple[int, int, str]]:
    """Consecutive hours with the same name as (first hour, last hour, name)."""
    out: list[tuple[int, int, str]] = []
    for hour, name in zip(hours, names, strict=True):
        if out and out[-1][2] == name and out[-1][1] == hour - 1:
            out[-1] = (out[-1][0], hour, name)
        else:
            out.append((hour, hour, name))
    return out


def _profiles(folder: RunFolder) -> Figure:
    h = folder.hourly
    period = _periods(h)
    weekend = h.index.day_of_week >= 5
    soc = h["battery_soc_kwh"].to_numpy(dtype=float)
    has_battery = bool(np.nanmax(soc) > 0)
    cols = [
        "electricity_use_kw",
        "grid_import_kw",
        "pv_ac_kw",
        "battery_charge_kw",
        "battery_discharge_kw",
        "battery_soc_kwh",
    ]
    hour = h.index.hour
    days = (("weekdays", ~weekend), ("weekends", weekend))
    power: list[list[charts.Panel]] = [[], []]
    soc_panels: list[charts.Panel] = []
    ymax, ymin = 0.0, 0.0
    for season, months in SEASONS:
        in_season = np.isin(h.index.month, months)
        soc_lines = []
        for row, (day_label, mask) in enumerate(days):
            sel = in_season & mask
            mean = h.loc[sel, cols].groupby(hour[sel]).mean()
            hours = mean.index.to_numpy(dtype=float)
            # the period most common in each hour of these days
            common = pd.crosstab(hour[sel], period[sel].to_numpy()).idxmax(axis=1)
            names = [str(v) for v in common.to_numpy()]
            spans = [
                (start - 0.5, end + 0.5, *TOU_SHADE[name])
                for start, end, name in _runs([int(i) for i in common.index], names)
                if name in TOU_SHADE
            ]
            net = (mean["battery_discharge_kw"] - mean["battery_charge_kw"]).to_numpy()
            lines = [
                charts.Series(hours, mean["electricity_use_kw"].to_numpy(), ROLE["use"], 1.0),
                charts.Series(hours, mean["grid_import_kw"].to_numpy(), ROLE["import"], 1.6),
                charts.Series(hours, mean["pv_ac_kw"].to_numpy(), ROLE["pv"], 1.3),
                charts.Series(hours, net, ROLE["discharge"], 1.0, "5,2.2"),
            ]
            power[row].append(charts.Panel(f"{season}, {day_label}", lines, spans))
            ymax = max(ymax, float(mean[["electricity_use_kw", "grid_import_kw"]].max().max()))
            ymin = min(ymin, float(net.min()))
            soc_lines.append(
                charts.Series(
                    hours,
                    mean["battery_soc_kwh"].to_numpy(),
                    ROLE["soc"],
                    1.4,
                    None if row == 0 else "1.4,2.3",
                )
            )
        soc_panels.append(charts.Panel(f"{season}: battery SOC", soc_lines))
    ylim = (ymin * 1.1, ymax * 1.08)
    rows = [charts.PanelRow(p, ylim, "mean power [kW]") for p in power]
    if has_battery:
        rows.append(
            charts.PanelRow(soc_panels, (0.0, float(np.nanmax(soc)) * 1.05), "SOC [kWh]", 0.62)
        )
    keys = [
        charts.Key("electricity use", ROLE["use"]),
        charts.Key("grid import", ROLE["import"], 1.6),
        charts.Key("PV (AC)", ROLE["pv"]),
        charts.Key("battery discharge − charge", ROLE["discharge"], dash="5,2.2"),
    ]
    if has_battery:
        keys += [
            charts.Key("SOC, weekdays", ROLE["soc"], 1.4),
            charts.Key("SOC, weekends", ROLE["soc"], 1.4, dash="1.4,2.3"),
        ]
    present = set(period.dropna().unique())
    keys += [
        charts.Key(f"TOU {n}", c, patch=True, opacity=a)
        for n, (c, a) in TOU_SHADE.items()
        if n in present
    ]
    svg = charts.panel_grid(
        "Typical days by season",
        rows,
        xlim=(-0.5, 23.5),
        xticks=[0, 6, 12, 18, 23],
        xlabel=f"hour of day [h], {folder.tz}",
        keys=keys,
    )
    return Figure(
        "profiles",
        "Typical days by season",
        svg,
        "Mean of each hour over the season's weekdays (Mon–Fri) and weekend days "
        f"(Sat–Sun; public holidays count by their weekday), {_tz_note(folder)}. "
        "Shading: the time-of-use period most common in that hour (unshaded: flat). "
        "Bottom row: the battery's mean state of charge at the end of each hour [kWh].",
    )


def _peak_days(folder: RunFolder, n: int = 3) -> Figure:
    h = folder.hourly
    daily_max = h["grid_import_kw"].groupby(h.index.normalize()).max().sort_values(ascending=False)
    days = daily_max.index[:n]
    panels = []
    lo, hi = 0.0, 0.0
    for day in days:
        sub = h[h.index.normalize() == day]
        hrs = sub.index.hour.to_numpy(dtype=float)
        imp = sub["grid_import_kw"].to_numpy(dtype=float)
        net = (sub["battery_discharge_kw"] - sub["battery_charge_kw"]).to_numpy(dtype=float)
        lines = [
            charts.Series(hrs, sub["electricity_use_kw"].to_numpy(dtype=float), ROLE["use"], 1.0),
            charts.Series(hrs, imp, ROLE["import"], 1.6),
            charts.Series(hrs, sub["pv_ac_kw"].to_numpy(dtype=float), ROLE["pv"], 1.2),
            charts.Series(hrs, net, ROLE["discharge"], 1.0, "5,2.2"),
        ]
        i = int(np.argmax(imp))
        panels.append(
            charts.Panel(
                f"{day:%a %Y-%m-%d}: {imp.max():,.0f} kW",
                lines,
                dots=[(hrs[i], imp[i], ROLE["import"])],
            )
        )
        values = np.concatenate([s.y for s in lines])
        lo, hi = min(lo, float(np.nanmin(values))), max(hi, float(np.nanmax(values)))
    pad = 0.05 * (hi - lo or 1.0)
    keys = [
        charts.Key("electricity use", ROLE["use"]),
        charts.Key("grid import", ROLE["import"], 1.6),
        charts.Key("PV (AC)", ROLE["pv"], 1.2),
        charts.Key("battery discharge − charge", ROLE["discharge"], dash="5,2.2"),
    ]
    svg = charts.panel_grid(
        "Peak-demand days",
        [charts.PanelRow(panels, (lo - pad, hi + pad), "hourly mean power [kW]")],
        xlim=(-0.5, 23.5),
        xticks=[0, 6, 12, 18, 23],
        xlabel=f"hour of day [h], {folder.tz}",
        keys=keys,
        key_columns=4,
    )
    return Figure(
        "peak-days",
        "Peak-demand days",
        svg,
        f"The {len(days)} days with the highest hourly import; dot: the peak hour.",
    )


def _prefixes(h: pd.DataFrame, *suffixes: str) -> list[str]:
    """Components whose hourly columns include every one of ``suffixes``."""
    # component names carry no dot (the config's name pattern)
    names = {c.split(".")[0] for c in h.columns if c.endswith("." + suffixes[0])}
    return sorted(n for n in names if all(f"{n}.{s}" in h.columns for s in suffixes))


def _air(folder: RunFolder) -> Figure | None:
    h = folder.hourly
    systems = _prefixes(
        h, "delivered_flow_m3_per_min", "capacity_m3_per_min", "specific_power_kw_per_m3_per_min"
    )
    if not systems:
        return None
    fig, ax = figure(9.0, 3.4)
    for i, name in enumerate(systems):
        flow = h[f"{name}.delivered_flow_m3_per_min"].to_numpy(dtype=float)
        cap = h[f"{name}.capacity_m3_per_min"].to_numpy(dtype=float)
        sp = h[f"{name}.specific_power_kw_per_m3_per_min"].to_numpy(dtype=float)
        ok = (flow > 1e-6) & (cap > 0) & np.isfinite(sp)
        ax.scatter(
            flow[ok] / cap[ok],
            sp[ok],
            s=5,
            alpha=0.35,
            color=PALETTE[i % len(PALETTE)],
            label=label(name),
            rasterized=True,
            linewidths=0,
        )
        sec = folder.summary.get("components", {}).get(name, {}).get("specific_energy_kwh_per_m3")
        if sec:
            ax.axhline(sec * 60.0, color=PALETTE[i % len(PALETTE)], linestyle=":", linewidth=1.0)
            ax.annotate(
                f"{label(name)} annual {sec * 60:.2f} kW/(m³/min)",
                (0.02, sec * 60.0),
                xytext=(0, 3),
                textcoords="offset points",
                fontsize=8,
            )
    ax.set_xlim(0, 1.05)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("load: delivered flow / online capacity [-]")
    ax.set_ylabel("specific power [kW/(m³/min)]")
    ax.set_title("Compressed air: specific power against load")
    ax.legend(loc="upper right", markerscale=3)
    return Figure(
        "air-operating-points",
        "Compressed-air operating points",
        svg_of(fig),
        "One dot per hour with air delivered: compressor power per free-air delivery "
        "(ISO 1217) against the share of online capacity. Dotted: the year's mean.",
    )


def _chillers(folder: RunFolder) -> Figure | None:
    h = folder.hourly
    plants = _prefixes(h, "cooling.power_kw", "el.power_kw", "part_load_frac")
    if not plants:
        return None
    wet = None
    fig, ax = figure(9.0, 3.4)
    for i, name in enumerate(plants):
        q = h[f"{name}.cooling.power_kw"].to_numpy(dtype=float)
        p = h[f"{name}.el.power_kw"].to_numpy(dtype=float)
        plr = h[f"{name}.part_load_frac"].to_numpy(dtype=float)
        ok = (q > 1e-6) & (p > 1e-6)
        cop = np.divide(q, p, out=np.full_like(q, np.nan), where=p > 0)
        color_col = f"{name}.wet_bulb_temp_c"
        if color_col in h.columns and len(plants) == 1:
            wet = ax.scatter(
                plr[ok],
                cop[ok],
                s=5,
                c=h[color_col].to_numpy(dtype=float)[ok],
                cmap="cividis",
                rasterized=True,
                linewidths=0,
                label=label(name),
            )
        else:
            ax.scatter(
                plr[ok],
                cop[ok],
                s=5,
                alpha=0.4,
                color=PALETTE[i % len(PALETTE)],
                rasterized=True,
                linewidths=0,
                label=label(name),
            )
    if wet is not None:
        cb = fig.colorbar(wet, ax=ax, pad=0.01)
        cb.set_label("outdoor wet-bulb temperature [°C]")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("part-load ratio of the units on [-]")
    ax.set_ylabel("plant COP, cooling / electricity [-]")
    ax.set_title("Chiller plant: COP against load")
    ax.legend(loc="lower right", markerscale=3)
    return Figure(
        "chiller-operating-points",
        "Chiller-plant operating points",
        svg_of(fig),
        "One dot per hour with cooling: chilled-water cooling over the plant's electricity "
        "(compressors, pumps, tower fans) against the part-load ratio.",
    )


def _zones(folder: RunFolder) -> Figure | None:
    h = folder.hourly
    zones = _prefixes(h, "temp_air_c", "heating_set_c", "cooling_set_c")
    if not zones:
        return None
    fig, (ax, ax2) = figure(10.0, 4.0, ncols=2, width_ratios=[2.2, 1], wspace=0.3, bottom_in=0.95)
    day = h.index.normalize()
    if "temp_air_c" in h.columns:
        out = h["temp_air_c"].groupby(day).mean()
        ax.plot(
            out.index,
            out.to_numpy(),
            color=ROLE["outdoor"],
            linewidth=0.8,
            label="outdoor (daily mean)",
        )
    months = np.arange(1, 13)
    width = 0.8 / max(len(zones), 1)
    for i, name in enumerate(zones):
        t = h[f"{name}.temp_air_c"].groupby(day)
        color = PALETTE[i % len(PALETTE)]
        ax.fill_between(
            t.min().index,
            t.min().to_numpy(),
            t.max().to_numpy(),
            color=color,
            alpha=0.3,
            linewidth=0,
            label=f"{label(name)} (daily min–max)",
        )
        heat = f"{name}.unmet_heating_frac"
        cool = f"{name}.unmet_cooling_frac"
        hours = np.zeros(12)
        for col in (heat, cool):
            if col in h.columns:
                hours += (
                    h[col].groupby(h.index.month).sum().reindex(months, fill_value=0).to_numpy()
                )
        ax2.bar(
            months + (i - (len(zones) - 1) / 2) * width,
            hours,
            width=width,
            color=color,
            label=label(name),
        )
    ax.set_ylabel("air temperature [°C]")
    ax.set_xlabel(f"date ({folder.tz})")
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.MonthLocator(tz=h.index.tz))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b", tz=h.index.tz))
    ax.set_title("Zone air temperatures")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=7.5, ncols=3)
    ax2.set_xticks([1, 4, 7, 10], ["Jan", "Apr", "Jul", "Oct"])
    ax2.set_xlabel("month")
    ax2.set_ylabel("unmet hours (heating + cooling) [h]")
    ax2.set_title("Unmet hours")
    ax2.set_ylim(0, max(1.0, ax2.get_ylim()[1]))
    if ax2.get_ylim()[1] <= 1.0 and not any(p.get_height() > 0 for p in ax2.patches):
        ax2.text(6.5, 0.5, "no unmet hours", ha="center", va="center", color="#5c5c5c")
    ax2.grid(axis="x", visible=False)
    return Figure(
        "zones",
        "Zone temperatures and unmet hours",
        svg_of(fig),
        "Left: each zone's daily range of air temperature and the outdoor daily mean [°C]. "
        "Right: hours per month in which heating or cooling could not hold the set point "
        "(ISO 13790 emitter limits), summed over the fraction of each hour [h].",
    )


def _instrument_split(
    folder: RunFolder, location_tco2: float, market_tco2: float
) -> tuple[float, float]:
    """Market-based minus location-based scope 2, split in two [t CO2e]: the
    instruments (kWh they cover × the year's mean location-based factor of
    grid import, taken off) and the residual mix (the rest of the
    difference). From inventory.csv's scope-2 electricity rows; without
    them everything is put on the residual mix."""
    inv = folder.inventory
    diff = market_tco2 - location_tco2
    if inv is None or not {"scope", "category", "basis", "source", "quantity", "tco2e"} <= set(
        inv.columns
    ):
        return 0.0, diff
    el = inv[(inv["scope"].astype(str) == "2") & (inv["category"] == "purchased electricity")]
    loc = el[el["basis"] == "location"]
    market = el[el["basis"] == "market"]
    imported = float(loc["quantity"].sum())
    if imported <= 0:
        return 0.0, diff
    mean_ef_t_per_kwh = float(loc["tco2e"].sum()) / imported
    covered = float(market.loc[market["tco2e"] == 0, "quantity"].sum())
    instruments = -covered * mean_ef_t_per_kwh
    return instruments, diff - instruments


def _emissions(folder: RunFolder) -> Figure:
    s = folder.summary
    s1 = s["scope1_tco2"]
    loc = s["scope2_location_tco2"]
    market = s.get("scope2_market_tco2", loc)
    instruments, residual = _instrument_split(folder, loc, market)
    steps: list[tuple[str, float, str]] = [
        ("scope 1", s1, "source"),
        ("scope 2\nlocation-based", loc, "source"),
        ("scope 1 + 2\nlocation", s1 + loc, "total"),
        ("instruments", instruments, "add"),
        ("residual mix", residual, "add"),
        ("scope 1 + 2\nmarket", s1 + market, "total"),
    ]
    boundary = (s.get("ledger") or {}).get("boundary", "type_i")
    if boundary == "type_ii" and s.get("scope3_tco2"):
        steps.append(("scope 3", s["scope3_tco2"], "source"))
    steps += [
        ("removals", -(s.get("removals_tco2") or 0.0), "add"),
        ("offsets", -(s.get("offsets_tco2") or 0.0), "add"),
        ("net", s.get("net_tco2", s1 + market), "total"),
    ]
    return Figure(
        "emissions-waterfall",
        "Emissions waterfall",
        charts.waterfall(steps, "t CO2e", "From scope 1 and 2 to net emissions"),
        "Scope 2 market-based takes the grid import that instruments cover (green power, "
        "certificates, PPAs) at zero, shown here as that import at the year's mean location-based "
        "factor taken off, and the rest at the residual mix, shown as its difference to the "
        "location-based factor; scope 3 counts only in a Type II boundary; removals and offsets "
        "as the ledger applied them (ISO 14068-1 order) [t CO2e].",
    )


def _inventory(folder: RunFolder) -> str:
    inv = folder.inventory
    if inv is None:
        return note("This result folder has no inventory.csv.")
    cols = [
        c
        for c in (
            "scope",
            "category",
            "basis",
            "source",
            "quantity",
            "unit",
            "factor",
            "factor_unit",
            "tco2e",
            "factor_source",
        )
        if c in inv.columns
    ]
    numeric = [c in ("quantity", "factor", "tco2e") for c in cols]
    rows = []
    for rec in inv[cols].itertuples(index=False):
        row = []
        for c, v in zip(cols, rec, strict=True):
            if c == "factor" and isinstance(v, float) and math.isfinite(v):
                row.append(f"{v:,.6g}")  # shown with its significant digits
            elif isinstance(v, float) and not math.isfinite(v):
                row.append("" if c not in ("quantity", "factor", "tco2e") else v)
            else:
                row.append(v)
        rows.append(row)
    head = ["emissions [t CO2e]" if c == "tco2e" else c.replace("_", " ") for c in cols]
    # factors keep their significant digits; other numbers one decimal
    html_rows = table(head, rows, numeric=numeric, decimals=1, cls="wide")
    return html_rows + note(
        "One row per source (ISO 14064-1 / GB/T 32150); each factor with the document it comes from."
    )


def _provenance(folder: RunFolder) -> str:
    p = folder.provenance
    flat: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            if not value:
                flat.append((prefix, "–"))
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            flat.append((prefix, value))

    walk("", p)
    return table(["field", "value"], flat, numeric=[False, False], cls="wide") + note(
        f"Result folder: {folder.path.name}. Re-running the config of this hash with the same "
        "weather file (SHA-256 above) and seed gives the same results."
    )


def _figs(*figs: Figure | None) -> str:
    return "".join(chart(f) for f in figs if f is not None)


def run_sections(folder: RunFolder) -> list[tuple[str, str, str]]:
    """The sections (anchor, title, html) of a run's page."""
    h = folder.hourly
    sankeys, sankey_note = _sankey(folder)
    has_pv = bool(h["pv_ac_kw"].max() > 0)
    air, chill, zones = _air(folder), _chillers(folder), _zones(folder)
    plant_parts = [_figs(air, chill, zones)]
    if air is None:
        plant_parts.append(note("No compressed-air system in this plant."))
    if chill is None:
        plant_parts.append(note("No chiller plant in this plant."))
    if zones is None:
        plant_parts.append(note("No thermal zones in this plant."))
    font = cjk_font()
    font_note = (
        f"Chart text in {font} (CJK glyphs available)."
        if font
        else "No font with Chinese glyphs on the machine that drew this page: Chinese characters "
        "in chart labels are written as code points (U+XXXX); tables show them as text."
    )
    sections = [
        ("headline", "Headline figures", _headline_section(folder)),
        ("flows", "Energy flows", "".join(chart(f) for f in sankeys) + sankey_note),
        ("monthly", "Monthly energy", chart(_monthly_end_use(folder)) + _monthly_table(folder)),
        (
            "load",
            "Import: duration and calendar",
            _figs(
                _load_duration(folder),
                _carpet(folder, "grid_import_kw", "Grid import by day and hour", "carpet-import"),
                _carpet(folder, "pv_ac_kw", "PV production (AC) by day and hour", "carpet-pv")
                if has_pv
                else None,
            )
            + ("" if has_pv else note("No PV in this plant.")),
        ),
        ("profiles", "Typical days and peaks", _figs(_profiles(folder), _peak_days(folder))),
        ("plant", "Plant operating points", "".join(plant_parts)),
        ("emissions", "Emissions", chart(_emissions(folder))),
        ("inventory", "GHG inventory", _inventory(folder)),
        ("provenance", "Provenance", _provenance(folder) + note(font_note)),
    ]
    return sections
