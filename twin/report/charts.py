"""Chart builders shared by the pages: each takes data and returns an
inline SVG string, drawn in the report style (:mod:`twin.report.style`)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from twin.report.style import PALETTE, figure, svg_of

__all__ = ["bus_sankey", "waterfall"]


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
