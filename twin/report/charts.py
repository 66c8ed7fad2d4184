"""Chart builders shared by the pages: each takes data and returns an
inline SVG string, drawn in the report style (:mod:`twin.report.style`)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from twin.report.style import PALETTE, figure, svg_of

__all__ = [
    "Key",
    "Panel",
    "PanelRow",
    "Series",
    "bus_sankey",
    "nice_ticks",
    "panel_grid",
    "waterfall",
]


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def bus_sankey(
    title: str,
    unit: str,
    inflows: Sequence[tuple[str, float]],
    outflows: Sequence[tuple[str, float]],
) -> str:
    """Flow diagram of one bus as inline SVG: what supplies it (left) and what
    takes from it (right), band widths proportional to annual amounts
    ``[unit]``.

    A bus balances, so the two sides sum to the same total; the diagram
    shows the bus as one node and does not pretend to know which supplier
    fed which consumer (the balance does not define that attribution).
    Drawn directly as SVG paths (cubic Bézier bands), not through
    matplotlib: it is a handful of shapes, and the report has a time budget.
    The text is SVG text in the page's fonts.
    """
    inflows = [(n, v) for n, v in inflows if v > 0]
    outflows = [(n, v) for n, v in outflows if v > 0]
    total = max(sum(v for _, v in inflows), sum(v for _, v in outflows), 1e-12)
    width, min_slot, gap = 900.0, 15.0, 5.0
    bus_px = max(80.0, 22.0 * max(len(inflows), len(outflows)))
    scale = bus_px / total

    def span(items: Sequence[tuple[str, float]]) -> float:
        return sum(max(v * scale, min_slot) for _, v in items) + gap * max(len(items) - 1, 0)

    inner = max(bus_px, span(inflows), span(outflows))
    top = 30.0
    height = inner + top + 10.0
    x_left, x_bus0, x_bus1, x_right = 300.0, 430.0, 450.0, 580.0
    bus_top = top + (inner - bus_px) / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" font-size="12" '
        'font-family="DejaVu Sans, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif">',
        f"<title>{_esc(title)}</title>",
    ]

    def side(items: Sequence[tuple[str, float]], left: bool) -> None:
        y = top + (inner - span(items)) / 2  # slot top on the outer edge
        b = bus_top  # band top at the bus
        for i, (name, value) in enumerate(items):
            h = value * scale
            slot = max(h, min_slot)
            yo = y + (slot - h) / 2
            x0, x1, y0, y1 = (x_left, x_bus0, yo, b) if left else (x_right, x_bus1, yo, b)
            xm = (x0 + x1) / 2
            d = (
                f"M{x0:.1f},{y0:.2f} C{xm:.1f},{y0:.2f} {xm:.1f},{y1:.2f} {x1:.1f},{y1:.2f} "
                f"L{x1:.1f},{y1 + h:.2f} C{xm:.1f},{y1 + h:.2f} {xm:.1f},{y0 + h:.2f} "
                f"{x0:.1f},{y0 + h:.2f} Z"
            )
            color = PALETTE[i % len(PALETTE)]
            parts.append(
                f'<path d="{d}" fill="{color}" fill-opacity="0.6" stroke="{color}" '
                f'stroke-width="0.5"><title>{_esc(name)}: {value:,.0f} {_esc(unit)}</title></path>'
            )
            text = _esc(f"{name}  {value:,.0f} {unit} ({value / total:.0%})")
            ty = y + slot / 2
            if left:
                parts.append(
                    f'<text x="{x_left - 6:.1f}" y="{ty:.1f}" text-anchor="end" '
                    f'dominant-baseline="middle">{text}</text>'
                )
            else:
                parts.append(
                    f'<text x="{x_right + 6:.1f}" y="{ty:.1f}" '
                    f'dominant-baseline="middle">{text}</text>'
                )
            y += slot + gap
            b += h

    side(inflows, left=True)
    side(outflows, left=False)
    parts.append(
        f'<rect x="{x_bus0:.0f}" y="{bus_top:.2f}" width="{x_bus1 - x_bus0:.0f}" '
        f'height="{bus_px:.2f}" fill="#404040"/>'
    )
    parts.append(
        f'<text x="{(x_bus0 + x_bus1) / 2:.0f}" y="{bus_top - 8:.1f}" '
        f'text-anchor="middle" font-weight="bold">{_esc(title)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def waterfall(steps: Sequence[tuple[str, float, str]], unit: str, title: str) -> str:
    """Waterfall chart. ``steps`` are ``(label, value, kind)`` with kind
    ``"source"`` (an emission source added to the running total), ``"add"``
    (a change: up in vermillion, down in green) or ``"total"`` (a bar from
    zero showing the running total, which it also resets to ``value``)."""
    fig, ax = figure(9.0, 3.4, bottom_in=0.7)
    running = 0.0
    labels = []
    tops = []
    for i, (name, value, kind) in enumerate(steps):
        if kind == "total":
            bottom, height, color = 0.0, value, "#404040"
            running = value
        else:
            bottom, height = running, value
            color = PALETTE[0] if kind == "source" else (PALETTE[3] if value > 0 else PALETTE[2])
            running += value
        ax.bar(i, height, bottom=bottom, color=color, width=0.6)
        shown = value + 0.0 if abs(value) >= 0.05 else 0.0  # no "-0"
        text = f"{shown:,.0f}" if kind == "total" else f"{shown:+,.0f}" if shown else "0"
        top = max(bottom, bottom + height)
        tops.append(top)
        ax.annotate(
            text, (i, top), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8
        )
        labels.append(name)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylim(min(0.0, ax.get_ylim()[0]), max(tops + [1.0]) * 1.12)
    ax.set_ylabel(f"emissions [{unit}]")
    ax.set_title(title)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.grid(axis="x", visible=False)
    return svg_of(fig)


@dataclass(frozen=True)
class Series:
    """One line of a panel: ``x`` and ``y`` in data units, colour, width [px]
    and an SVG dash pattern (``None``: solid)."""

    x: Sequence[float]
    y: Sequence[float]
    color: str
    width: float = 1.0
    dash: str | None = None


@dataclass(frozen=True)
class Panel:
    """One small multiple: a title, its lines, shaded x spans
    ``(x0, x1, colour, opacity)`` and marked points ``(x, y, colour)``."""

    title: str
    series: Sequence[Series]
    spans: Sequence[tuple[float, float, str, float]] = ()
    dots: Sequence[tuple[float, float, str]] = ()


@dataclass(frozen=True)
class PanelRow:
    """A row of panels sharing a y range ``ylim``, its label (with unit) and
    its height relative to the other rows."""

    panels: Sequence[Panel]
    ylim: tuple[float, float]
    ylabel: str
    height: float = 1.0


@dataclass(frozen=True)
class Key:
    """A legend entry: a line (``patch=False``) or a filled square."""

    label: str
    color: str
    width: float = 1.0
    dash: str | None = None
    patch: bool = False
    opacity: float = 1.0


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """About ``target`` round tick values (1, 2, 2.5 or 5 × 10^k apart)
    inside ``[lo, hi]``, as matplotlib's default locator picks them."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return [lo]
    raw = span / max(target - 1, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [i * step + 0.0 for i in range(first, last + 1)]


def _tick_text(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    if step < 1 and round(step * 10**decimals) % 1:
        decimals += 1
    return f"{value + 0.0:,.{decimals}f}".replace("-", "−")


def _linear(d0: float, d1: float, p0: float, p1: float):
    """The map from data ``[d0, d1]`` to pixels ``[p0, p1]``."""
    k = (p1 - p0) / (d1 - d0) if d1 != d0 else 0.0
    return lambda v: p0 + (v - d0) * k


def panel_grid(
    title: str,
    rows: Sequence[PanelRow],
    *,
    xlim: tuple[float, float],
    xticks: Sequence[float],
    xlabel: str,
    keys: Sequence[Key],
    width_px: float = 1000.0,
    key_columns: int = 5,
) -> str:
    """Small multiples as inline SVG: rows of panels with a common x axis,
    each row one y range (tick labels on the first panel of the row), grid
    lines, shaded spans, and one legend under the grid.

    Drawn directly as SVG like :func:`bus_sankey`: a dozen panels through
    matplotlib cost more than a second of the report's time budget (each
    axes builds its own ticks, spines and text paths), and these panels
    hold a handful of lines each. Sizes follow the matplotlib charts of the
    page (100 px per inch, 9 pt tick labels); the text is SVG text in the
    page's fonts.
    """
    pt = 100.0 / 72.0  # px per point at the charts' 100 dpi
    left, right, top, gap_x, gap_y = 80.0, 30.0, 30.0, 0.1, 0.3
    n_cols = max(len(r.panels) for r in rows)
    key_rows = math.ceil(len(keys) / key_columns) if keys else 0
    bottom = 62.0 + 17.0 * key_rows
    unit_h, gap = 150.0, 150.0 * gap_y  # px of a row of height 1, px between rows
    grid_h = sum(unit_h * r.height for r in rows) + gap * (len(rows) - 1)
    height = top + grid_h + bottom
    grid_w = width_px - left - right
    pw = grid_w / (n_cols + gap_x * (n_cols - 1))
    x0, x1 = xlim
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width_px:.0f} {height:.0f}" '
        f'width="{width_px:.0f}" height="{height:.0f}" role="img" font-size="{9 * pt:.1f}" '
        'font-family="DejaVu Sans, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif">',
        f"<title>{_esc(title)}</title>",
        f'<rect width="{width_px:.0f}" height="{height:.0f}" fill="#fff"/>',
    ]
    y_top = top
    for r_i, row in enumerate(rows):
        ph = unit_h * row.height
        y_lo, y_hi = row.ylim
        yt = [v for v in nice_ticks(y_lo, y_hi) if y_lo <= v <= y_hi]
        step = yt[1] - yt[0] if len(yt) > 1 else 1.0
        last_row = r_i == len(rows) - 1
        sy = _linear(y_lo, y_hi, y_top + ph, y_top)
        for c_i, panel in enumerate(row.panels):
            px = left + c_i * pw * (1 + gap_x)
            sx = _linear(x0, x1, px, px + pw)
            clip = f"pg{r_i}-{c_i}"
            parts.append(
                f'<clipPath id="{clip}"><rect x="{px:.1f}" y="{y_top:.1f}" '
                f'width="{pw:.1f}" height="{ph:.1f}"/></clipPath>'
            )
            for a, b, color, alpha in panel.spans:
                xa, xb = sx(max(a, x0)), sx(min(b, x1))
                parts.append(
                    f'<rect x="{xa:.1f}" y="{y_top:.1f}" width="{xb - xa:.1f}" '
                    f'height="{ph:.1f}" fill="{color}" fill-opacity="{alpha}"/>'
                )
            grid = [f"M{sx(v):.1f},{y_top:.1f}V{y_top + ph:.1f}" for v in xticks]
            grid += [f"M{px:.1f},{sy(v):.1f}H{px + pw:.1f}" for v in yt]
            parts.append(f'<path d="{"".join(grid)}" stroke="#D9D9D9" stroke-width="0.8"/>')
            parts.append(f'<g clip-path="url(#{clip})" fill="none" stroke-linejoin="round">')
            for s in panel.series:
                pts = [
                    f"{sx(float(a)):.1f},{sy(float(b)):.1f}"
                    for a, b in zip(s.x, s.y, strict=True)
                    if math.isfinite(float(b))
                ]
                if not pts:
                    continue
                dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
                parts.append(
                    f'<polyline points="{" ".join(pts)}" stroke="{s.color}" '
                    f'stroke-width="{s.width * pt:.2f}"{dash}/>'
                )
            for a, b, color in panel.dots:
                parts.append(
                    f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="4.2" fill="{color}" '
                    f'stroke="{color}"/>'
                )
            parts.append("</g>")
            ticks = [f"M{sx(v):.1f},{y_top + ph:.1f}v4.9" for v in xticks]
            ticks += [f"M{px:.1f},{sy(v):.1f}h-4.9" for v in yt]
            parts.append(
                f'<path d="M{px:.1f},{y_top:.1f}V{y_top + ph:.1f}H{px + pw:.1f}'
                f'{"".join(ticks)}" fill="none" stroke="#000" stroke-width="1.1"/>'
            )
            if c_i == 0:
                for v in yt:
                    parts.append(
                        f'<text x="{px - 7:.1f}" y="{sy(v):.1f}" text-anchor="end" '
                        f'dominant-baseline="middle">{_tick_text(v, step)}</text>'
                    )
            if last_row:
                for v in xticks:
                    parts.append(
                        f'<text x="{sx(v):.1f}" y="{y_top + ph + 8:.1f}" text-anchor="middle" '
                        f'dominant-baseline="hanging">{_tick_text(v, 1.0)}</text>'
                    )
                parts.append(
                    f'<text x="{px + pw / 2:.1f}" y="{y_top + ph + 28:.1f}" '
                    f'text-anchor="middle" dominant-baseline="hanging">{_esc(xlabel)}</text>'
                )
            parts.append(
                f'<text x="{px:.1f}" y="{y_top - 5:.1f}" font-weight="bold" '
                f'font-size="{8.5 * pt:.1f}">{_esc(panel.title)}</text>'
            )
        yc = y_top + ph / 2
        parts.append(
            f'<text x="16" y="{yc:.1f}" text-anchor="middle" dominant-baseline="hanging" '
            f'transform="rotate(-90 16 {yc:.1f})">{_esc(row.ylabel)}</text>'
        )
        y_top += ph + gap
    # the legend: key_columns entries a row, centred under the grid
    col_w = min(grid_w / key_columns, 190.0)
    kx0 = left + (grid_w - col_w * min(len(keys), key_columns)) / 2
    ky0 = height - 17.0 * key_rows - 8.0
    for i, k in enumerate(keys):
        kx = kx0 + (i % key_columns) * col_w
        ky = ky0 + (i // key_columns) * 17.0
        if k.patch:
            parts.append(
                f'<rect x="{kx:.1f}" y="{ky - 5:.1f}" width="20" height="10" fill="{k.color}" '
                f'fill-opacity="{k.opacity}"/>'
            )
        else:
            dash = f' stroke-dasharray="{k.dash}"' if k.dash else ""
            parts.append(
                f'<path d="M{kx:.1f},{ky:.1f}h20" stroke="{k.color}" '
                f'stroke-width="{k.width * pt:.2f}"{dash}/>'
            )
        parts.append(
            f'<text x="{kx + 26:.1f}" y="{ky:.1f}" dominant-baseline="middle" '
            f'font-size="{7.5 * pt:.1f}">{_esc(k.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
