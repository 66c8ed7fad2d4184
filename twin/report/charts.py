"""Chart builders shared by the pages: each takes data and returns an
inline SVG string, drawn in the report style (:mod:`twin.report.style`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from twin.report.style import PALETTE, figure, label, svg_of

__all__ = ["bus_sankey", "waterfall"]


def _band(
    ax, x0: float, x1: float, y0a: float, y0b: float, y1a: float, y1b: float, color: str
) -> None:
    """A smooth band from the interval (y0a, y0b) at x0 to (y1a, y1b) at x1."""
    t = np.linspace(0.0, 1.0, 40)
    s = 3 * t**2 - 2 * t**3  # smoothstep
    x = x0 + (x1 - x0) * t
    lo = y0a + (y1a - y0a) * s
    hi = y0b + (y1b - y0b) * s
    ax.fill_between(x, lo, hi, color=color, alpha=0.55, linewidth=0)


def bus_sankey(
    title: str,
    unit: str,
    inflows: Sequence[tuple[str, float]],
    outflows: Sequence[tuple[str, float]],
) -> str:
    """Flow diagram of one bus: what supplies it (left) and what takes from
    it (right), band widths proportional to annual amounts ``[unit]``.

    A bus balances, so the two sides sum to the same total; the diagram
    shows the bus as one node and does not pretend to know which supplier
    fed which consumer (that attribution is not defined by the balance).
    """
    inflows = [(n, v) for n, v in inflows if v > 0]
    outflows = [(n, v) for n, v in outflows if v > 0]
    total = max(sum(v for _, v in inflows), sum(v for _, v in outflows), 1e-12)
    n_rows = max(len(inflows), len(outflows), 2)
    fig, ax = figure(
        9.0, max(1.6, 0.3 * n_rows + 0.5), left_in=0.1, right_in=0.1, bottom_in=0.1, top_in=0.1
    )
    gap = 0.03 * total
    height = total + gap * (n_rows - 1)
    bus_lo, bus_hi = (height - total) / 2, (height + total) / 2

    def side(items: Sequence[tuple[str, float]], outward: bool) -> None:
        span = sum(v for _, v in items) + gap * (len(items) - 1)
        y, b = height / 2 + span / 2, bus_hi
        for i, (name, value) in enumerate(items):
            color = PALETTE[i % len(PALETTE)]
            if outward:
                _band(ax, 0.55, 1.0, b - value, b, y - value, y, color)
                x_text, align = 1.02, "left"
            else:
                _band(ax, 0.0, 0.45, y - value, y, b - value, b, color)
                x_text, align = -0.02, "right"
            ax.text(
                x_text,
                y - value / 2,
                f"{label(name)}  {value:,.0f} {unit} ({value / total:.0%})",
                ha=align,
                va="center",
                fontsize=8,
            )
            y -= value + gap
            b -= value

    side(inflows, outward=False)
    side(outflows, outward=True)
    ax.add_patch(_rect(0.45, bus_lo, 0.10, total))
    ax.text(
        0.5, bus_hi + gap / 2, label(title), ha="center", va="bottom", fontsize=8, fontweight="bold"
    )
    ax.set_xlim(-0.95, 1.95)
    ax.set_ylim(-gap, height + 2 * gap)
    ax.axis("off")
    return svg_of(fig)


def _rect(x: float, y: float, w: float, h: float):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, color="#404040")


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
