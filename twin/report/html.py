"""HTML pieces of a report page and the page template.

A page is one self-contained file: styles inline, charts as inline SVG, no
script, and a Content-Security-Policy that forbids every request (a chart
that tried to load anything would be blocked and logged).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from string import Template
from typing import Any

__all__ = [
    "Figure",
    "Headline",
    "chart",
    "headlines",
    "note",
    "page",
    "pre",
    "section",
    "table",
    "verdict",
]


@dataclass(frozen=True)
class Headline:
    """One headline figure: ``summary[key] * scale`` shown in ``unit``."""

    key: str
    label: str
    unit: str
    scale: float = 1.0
    decimals: int = 1


@dataclass(frozen=True)
class Figure:
    """A chart on a page: id (``data-chart``), title, inline SVG and a caption."""

    key: str
    title: str
    svg: str
    caption: str = ""


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def fmt(value: Any, decimals: int = 1) -> str:
    """Plain decimal with thousands separators; '–' for missing or NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return esc(value)
    return f"{round(value, decimals) + 0.0:,.{decimals}f}"  # + 0.0: no "-0.00"


def headlines(
    summary: dict[str, Any], rows: Sequence[Headline], alert: set[str] = frozenset()
) -> str:
    """The headline cards; each carries ``data-key`` and ``data-scale`` so a
    reader (or a test) can tie the shown number to ``summary.json``."""
    cards = []
    for h in rows:
        value = summary.get(h.key)
        if value is None:
            continue
        cls = "card alert" if h.key in alert else "card"
        cards.append(
            f'<div class="{cls}" data-key="{esc(h.key)}" data-scale="{h.scale!r}" '
            f'data-decimals="{h.decimals}"><div class="label">{esc(h.label)}</div>'
            f'<div><span class="value">{fmt(value * h.scale, h.decimals)}</span> '
            f'<span class="unit">{esc(h.unit)}</span></div></div>'
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def chart(fig: Figure) -> str:
    caption = f"<figcaption>{esc(fig.caption)}</figcaption>" if fig.caption else ""
    return (
        f'<figure class="chart" data-chart="{esc(fig.key)}" aria-label="{esc(fig.title)}">'
        f"{fig.svg}{caption}</figure>"
    )


def note(text: str, kind: str = "note") -> str:
    return f'<p class="{kind}">{esc(text)}</p>'


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Sequence[bool] | None = None,
    decimals: int = 1,
    cls: str = "",
) -> str:
    """A table; numbers right-aligned in plain decimal."""
    numeric = list(numeric) if numeric is not None else [False] * len(header)
    head = "".join(
        f'<th class="{"num" if n else ""}">{esc(h)}</th>'
        for h, n in zip(header, numeric, strict=True)
    )
    body = []
    for row in rows:
        cells = []
        for value, n in zip(row, numeric, strict=True):
            # a string in a numeric column is already formatted (significant digits)
            text = (
                fmt(value, decimals)
                if n and not isinstance(value, str)
                else esc("" if value is None else value)
            )
            cells.append(f'<td class="{"num" if n else ""}">{text}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="tablewrap"><table class="{cls}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def pre(text: str) -> str:
    """Preformatted text (a file as it was run), escaped."""
    return f"<pre>{esc(text)}</pre>"


def verdict(text: str, good: bool | None) -> str:
    """A verdict box: green when ``good``, orange when not, grey when open."""
    cls = "ok" if good else ("warnings" if good is False else "open")
    return (
        f'<div class="verdict {cls}" data-verdict="{esc(text)}"><strong>{esc(text)}</strong></div>'
    )


def section(anchor: str, title: str, *parts: str) -> str:
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{"".join(parts)}</section>'


def page(
    *,
    title: str,
    subtitle: str,
    kind: str,
    sections: Sequence[tuple[str, str, str]],
    generated: str,
) -> str:
    """The whole page from ``sections`` (anchor, title, html) and the
    bundled template (``twin/report/template.html``)."""
    template = Template(resources.files("twin.report").joinpath("template.html").read_text("utf-8"))
    nav = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t, _ in sections)
    body = "".join(section(a, t, h) for a, t, h in sections)
    return template.substitute(
        title=esc(title),
        subtitle=esc(subtitle),
        kind=esc(kind),
        nav=nav,
        body=body,
        generated=esc(generated),
    )
