"""Self-contained HTML reports of results: ``twin report RESULT_DIR``.

One page per result folder, built from the files in it: a run's folder
(``summary.json``, ``hourly.parquet``, ...), a comparison's
(``compare.json``, ``macc.csv``, ``interactions.csv``, ``cashflows.csv``),
a sweep's store (``sweep.toml``, ``catalogue.sqlite``, ``results/``), an
M&V case's (``mv.json``, ``series.csv``) or a claims check's
(``claims.json``). The page is one file that opens offline: styles inline,
charts as inline SVG drawn by matplotlib, no script, and a
Content-Security-Policy that blocks every request.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from twin._atomic import atomic_file
from twin.report.folder import ReportError, RunFolder, folder_kind

__all__ = ["ReportError", "build_report", "render_report"]


def render_report(result_dir: str | Path) -> str:
    """The HTML page of the result in ``result_dir``.

    Raises
    ------
    ReportError
        ``result_dir`` is not a result folder, or holds an older format.
    """
    from twin import __version__
    from twin.report.html import page
    from twin.report.style import chart_style

    result_dir = Path(result_dir)
    kind = folder_kind(result_dir)
    stamp = (
        f"factory-twin {__version__} · page generated "
        f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} from {result_dir.name}/"
    )
    with chart_style():
        if kind == "compare":
            from twin.report.compare_page import CompareFolder, compare_sections

            folder = CompareFolder.read(result_dir)
            title = f"{folder.name}: comparison of {len(folder.table)} plants"
            return page(
                title=title,
                subtitle=folder.subtitle,
                kind="compare",
                sections=compare_sections(folder),
                generated=stamp,
            )
        if kind == "sweep":
            from twin.report.sweep_page import SweepFolder, sweep_sections, sweep_title

            sweep = SweepFolder.read(result_dir)
            title, subtitle = sweep_title(sweep)
            return page(
                title=title,
                subtitle=subtitle,
                kind="sweep",
                sections=sweep_sections(sweep),
                generated=stamp,
            )
        if kind == "mv":
            from twin.report.mv_page import MvFolder, mv_sections, mv_title

            mv = MvFolder.read(result_dir)
            title, subtitle = mv_title(mv)
            return page(
                title=title, subtitle=subtitle, kind="mv", sections=mv_sections(mv), generated=stamp
            )
        if kind == "claims":
            from twin.report.claims_page import ClaimsFolder, claims_sections, claims_title

            claims = ClaimsFolder.read(result_dir)
            title, subtitle = claims_title(claims)
            return page(
                title=title,
                subtitle=subtitle,
                kind="claims",
                sections=claims_sections(claims),
                generated=stamp,
            )
        from twin.report.run_page import run_sections

        run = RunFolder.read(result_dir)
        prov = run.provenance
        grid = prov.get("grid", {})
        name = Path(str(prov.get("config_source", result_dir.name))).stem
        subtitle = (
            f"Annual run {grid.get('start', '')[:4]} · {grid.get('n_steps', '')} steps of "
            f"{grid.get('step', '')} · times in {run.tz} · config {prov['config_hash'][:12]} · "
            f"weather {prov.get('weather', {}).get('site') or ''}"
        )
        return page(
            title=f"{name}: annual results",
            subtitle=subtitle,
            kind="run",
            sections=run_sections(run),
            generated=stamp,
        )


def build_report(result_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the page of ``result_dir`` to ``out`` (default
    ``result_dir/report.html``) atomically and return its path."""
    result_dir = Path(result_dir)
    text = render_report(result_dir)
    target = Path(out) if out is not None else result_dir / "report.html"
    with atomic_file(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
