"""One chart style for every page: palette, fonts, figure size, SVG output.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, *Color Universal
Design*; also Wong 2011, *Nature Methods* 8:441), distinguishable under the
common forms of colour-vision deficiency. Sequential maps are ``cividis``
(Nuñez, Anderton & Renslow 2018, *PLOS ONE* 13:e0199239), designed to read
the same with deuteranopia. Text in a figure with a Chinese string is drawn
as paths (other figures use SVG text, see :func:`svg_of`), so a Chinese
name renders wherever the page is opened once it rendered here: that needs
a font with CJK glyphs on this machine (WenQuanYi Micro Hei,
Noto Sans CJK, Source Han Sans, ...); without one, CJK characters in chart
labels are replaced by their code points and the page says so.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "cjk_font",
    "chart_style",
    "figure",
    "label",
    "svg_of",
]

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""The eight Okabe–Ito colours (hex sRGB)."""

PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
    "#7F7F7F",
)
"""Order in which series take colours; grey (``#7F7F7F``) is the eighth, for 'other'."""

ROLE: dict[str, str] = {
    "import": OKABE_ITO["blue"],
    "export": OKABE_ITO["sky_blue"],
    "pv": OKABE_ITO["orange"],
    "use": OKABE_ITO["black"],
    "charge": OKABE_ITO["bluish_green"],
    "discharge": OKABE_ITO["reddish_purple"],
    "soc": OKABE_ITO["bluish_green"],
    "gas": OKABE_ITO["black"],
    "outdoor": "#7F7F7F",
}
"""Fixed colours of the plant-level series, the same on every chart."""

_CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "AR PL UMing CN",
)
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@cache
def cjk_font() -> str | None:
    """Family name of an installed font with Chinese glyphs, or None.

    Looks in matplotlib's font list first, then asks fontconfig
    (``fc-list :lang=zh``) for files matplotlib has not indexed yet.
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in names:
            return family
    if shutil.which("fc-list") is None:
        return None
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in listing.splitlines():
        path = line.split(":")[0].strip()
        if not path.endswith((".ttf", ".otf", ".ttc")):
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
        return font_manager.FontProperties(fname=path).get_name()
    return None


def label(text: str) -> str:
    """``text`` as it can be drawn: unchanged when a CJK font exists, else
    with each CJK character written as its code point (``U+82CF``)."""
    if cjk_font() is not None or not _CJK.search(text):
        return text
    return _CJK.sub(lambda m: f"U+{ord(m.group()):04X}", text)


def _rc() -> dict:
    from cycler import cycler

    families = ["DejaVu Sans"]
    cjk = cjk_font()
    if cjk is not None:
        families.append(cjk)
    return {
        "font.family": families,
        "font.size": 9.0,
        "axes.titlesize": 10.0,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        # a fixed title height: automatic placement measures every axis of
        # the figure (twin axes included) and costs more than the drawing
        "axes.titley": 1.01,
        "axes.titlepad": 3.0,
        "axes.labelsize": 9.0,
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#D9D9D9",
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "legend.fontsize": 8.0,
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "image.cmap": "cividis",
        "svg.fonttype": "path",
        "svg.hashsalt": "factory-twin",  # stable ids: the same result gives the same page
        "axes.formatter.use_locale": False,
        "axes.formatter.limits": (-5, 7),
    }


@contextmanager
def chart_style() -> Iterator[None]:
    """matplotlib's rc set to the report style inside the block (Agg backend)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    # a CJK fallback family without a bold face makes findfont log for every
    # bold title; the fallback to its regular face is what we want
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with plt.rc_context(_rc()):
            yield
    finally:
        log.setLevel(level)


def figure(
    width_in: float = 9.0,
    height_in: float = 3.4,
    *,
    left_in: float = 0.8,
    right_in: float = 0.3,
    bottom_in: float = 0.55,
    top_in: float = 0.35,
    wspace: float = 0.08,
    hspace: float = 0.35,
    **kwargs,
):
    """A new figure and axes in the report style (call inside :func:`chart_style`).

    Margins are fixed in inches rather than found by a layout engine: the
    constrained layout costs more than the drawing on these charts, and the
    report has a time budget (the reference factory's page in under 3 s).
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(figsize=(width_in, height_in), **kwargs)
    fig.subplots_adjust(
        left=left_in / width_in,
        right=1 - right_in / width_in,
        bottom=bottom_in / height_in,
        top=1 - top_in / height_in,
        wspace=wspace,
        hspace=hspace,
    )
    return fig, axes


_NOT_AS_TEXT = re.compile(r"[^\n\x20-\u024f\u0370-\u03ff\u2000-\u22ff]")
"""A character outside what SVG text can show in any sans-serif font:
Latin, Greek (μ), punctuation, super- and subscripts, letter-like symbols,
arrows and mathematical operators (−, ≤) are fine."""

_FAMILY = re.compile(r"(font-family: [^;\"]+)")


def _svg(fig, fonttype: str) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": fonttype}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.find("<svg") :]


def svg_of(fig) -> str:
    """The figure as an inline ``<svg>`` element (XML prolog and DOCTYPE
    removed), then closed.

    Text is SVG text in the page's fonts (the font families of the chart
    style, then the viewer's sans-serif) when the figure's text has no
    character matched by :data:`_NOT_AS_TEXT`; a figure with one (a Chinese
    component name) is drawn again with all its text as paths, so it reads
    the same on a machine without a CJK font. Text as paths costs about a
    millisecond a string, a fifth of the page's drawing time. (The SVG
    markup itself is ASCII, so any such character is in the text.)
    """
    import matplotlib.pyplot as plt

    svg = _svg(fig, "none")
    if _NOT_AS_TEXT.search(svg):
        svg = _svg(fig, "path")
    else:
        svg = _FAMILY.sub(r"\1, sans-serif", svg)
    plt.close(fig)
    return svg
