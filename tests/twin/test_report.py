"""``twin report``: the pages' contents, bad folders, the balance Sankey and
a comparison's page (the browser test is test_report_browser.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import minimal_config
from twin.cli import main
from twin.report import build_report
from twin.report.compare_page import COMPARE_HEADLINES
from twin.report.folder import RunFolder
from twin.report.run_page import HEADLINES, _sankey
from twin.report.style import chart_style

RUN_CHARTS = (
    "sankey-electricity",
    "sankey-natural_gas",
    "sankey-air_7bar_g",
    "monthly-end-use",
    "load-duration",
    "carpet-import",
    "carpet-pv",
    "profiles",
    "peak-days",
    "air-operating-points",
    "chiller-operating-points",
    "zones",
    "emissions-waterfall",
)
"""Charts the reference factory's page must have (it has PV, air, chillers and zones)."""

COMPARE_CHARTS = ("compare-deltas", "compare-cashflows", "compare-macc", "compare-interactions")

MAX_PAGE_BYTES = 10_000_000
"""Issue requirement: under 10 MB for an hourly year."""


def _charts(html: str) -> list[str]:
    return re.findall(r'<figure class="chart" data-chart="([^"]+)"', html)


def _cards(html: str) -> dict[str, float]:
    cards = re.findall(
        r'data-key="([^"]+)" data-scale="[^"]+" data-decimals="\d+">'
        r'<div class="label">[^<]*</div><div><span class="value">([^<]+)</span>',
        html,
    )
    return {k: float(v.replace(",", "")) for k, v in cards}


def _external_references(html: str) -> list[str]:
    """Every src/href/url() that is neither an in-page anchor nor a data: URI."""
    refs = re.findall(r'(?:src|href)="([^"]*)"', html) + re.findall(r"url\(([^)]*)\)", html)
    return [r for r in refs if not r.startswith(("#", "data:"))]


def test_run_page_has_every_chart_and_the_summary(reference_result_dir):
    page = reference_result_dir / "report.html"
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < MAX_PAGE_BYTES
    assert set(RUN_CHARTS) <= set(_charts(html))
    assert _external_references(html) == []
    assert "<script" not in html
    summary = json.loads((reference_result_dir / "summary.json").read_text(encoding="utf-8"))
    shown = _cards(html)
    for h in HEADLINES:
        if h.key in summary:
            assert shown[h.key] == pytest.approx(
                round(summary[h.key] * h.scale, h.decimals), abs=1e-9
            )
    assert 'id="warnings"' in html
    # the inventory's factor sources are on the page
    inventory = pd.read_csv(reference_result_dir / "inventory.csv")
    for source in inventory["source"]:
        assert f">{source}<" in html
    assert summary["provenance"]["config_hash"] in html


def _copy_result(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for name in ("summary.json", "hourly.parquet", "monthly.csv", "inventory.csv"):
        shutil.copy(src / name, dst / name)
    return dst


def test_sankey_per_bus_from_balance(reference_result_dir):
    balance = pd.read_csv(reference_result_dir / "balance.csv")
    html = (reference_result_dir / "report.html").read_text(encoding="utf-8")
    charts = set(_charts(html))
    for bus in balance.loc[balance["amount"] > 0, "bus"].unique():
        assert f"sankey-{bus}" in charts, bus


def test_no_balance_no_sankey_and_a_note(reference_result_dir, tmp_path):
    folder = _copy_result(reference_result_dir, tmp_path / "older")
    run = RunFolder.read(folder)
    with chart_style():
        figs, text = _sankey(run)
    assert figs == [] and "balance.csv" in text


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "expected a result folder, found missing"),
        ("empty", "not a result folder: expected compare.json"),
        ("old_summary", "older format"),
        ("old_hourly", "missing columns grid_import_kw"),
        ("bad_json", "not readable JSON"),
    ],
)
def test_bad_folders_exit_2(reference_result_dir, tmp_path, capsys, setup, message):
    folder = tmp_path / "r"
    if setup == "empty":
        folder.mkdir()
    elif setup != "missing":
        _copy_result(reference_result_dir, folder)
    if setup == "old_summary":
        s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        del s["grid_import_kwh"]
        (folder / "summary.json").write_text(json.dumps(s), encoding="utf-8")
    elif setup == "old_hourly":
        h = pd.read_parquet(folder / "hourly.parquet").drop(columns=["grid_import_kw"])
        h.to_parquet(folder / "hourly.parquet")
    elif setup == "bad_json":
        (folder / "summary.json").write_text("{not json", encoding="utf-8")
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (folder / "report.html").exists()


def _toml(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def write_mini_experiment(tmp_path: Path) -> Path:
    """A small plant (one load, grid) and an experiment with two measures,
    each alone and together: enough for every chart of a comparison."""
    raw = minimal_config()
    raw["weather"]["correct_timing"] = True  # the Suzhou file's +29 min offset, measured
    lines = []
    for key, value in raw.items():
        if isinstance(value, list):
            for item in value:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {_toml(v)}" for k, v in item.items()]
        else:
            lines.append(f"[{key}]")
            lines += [f"{k} = {_toml(v)}" for k, v in value.items()]
    (tmp_path / "mini.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tomllib.loads((tmp_path / "mini.toml").read_text(encoding="utf-8"))
    pv = '{measure = "add_pv", name = "roof", rated_power_dc_kw = 300.0}'
    led = '{measure = "led_lighting", load = "load", lighting_kw = 60.0, reduction_frac = 0.5}'
    (tmp_path / "exp.toml").write_text(
        f"""
[experiment]
name = "mini_exp"
base = "mini.toml"
singles = true

[[variant]]
name = "pv_and_led"
measures = [{pv}, {led}]
""",
        encoding="utf-8",
    )
    return tmp_path / "exp.toml"


def test_compare_page(compare_dir):
    html = (compare_dir / "report.html").read_text(encoding="utf-8")
    assert set(COMPARE_CHARTS) <= set(_charts(html))
    assert _external_references(html) == []
    doc = json.loads((compare_dir / "compare.json").read_text(encoding="utf-8"))
    base = doc["variants"][0]
    shown = _cards(html)
    for h in COMPARE_HEADLINES:
        assert shown[h.key] == pytest.approx(round(base[h.key] * h.scale, h.decimals), abs=1e-9)
    cash = pd.read_csv(compare_dir / "cashflows.csv")
    assert set(cash["variant"]) == {v["variant"] for v in doc["variants"] if v["kind"] != "base"}
    # year 0 is the investment
    first = cash[cash["year"] == 0].set_index("variant")["cashflow_cny"]
    capex = {v["variant"]: v["capex_cny"] for v in doc["variants"]}
    for name, value in first.items():
        assert value == pytest.approx(-capex[name])


def test_report_out_option(compare_dir, tmp_path):
    target = tmp_path / "sub" / "page.html"
    assert build_report(compare_dir, target) == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_chinese_names_draw_without_missing_glyphs():
    """A CJK name in a chart draws with a CJK font when the machine has one,
    else as code points; either way matplotlib reports no missing glyph
    (which would be a warning, an error in this suite)."""
    from twin.report.style import cjk_font, figure, label, svg_of

    name = "苏州冲压线"
    with chart_style():
        fig, ax = figure(4.0, 2.0)
        ax.plot([0, 1], [0, 1], label=label(name))
        ax.set_title(label(f"{name} [kW]"))
        ax.legend()
        svg = svg_of(fig)
    assert svg.startswith("<svg")
    if cjk_font() is None:
        assert label(name) == "U+82CFU+5DDEU+51B2U+538BU+7EBF"
    else:
        assert label(name) == name


def test_chart_text_is_svg_text_unless_a_string_is_chinese():
    """Latin chart text stays SVG text (cheap, in the page's fonts, with a
    generic fallback); a figure with a Chinese string draws all its text as
    paths, so the page needs no CJK font where it is opened."""
    from twin.report.style import cjk_font, figure, label, svg_of

    with chart_style():
        fig, ax = figure(4.0, 2.0)
        ax.plot([0, 1], [0, 1], label="compressor [m³/min]")
        ax.set_title("Zone −5 °C")
        ax.legend()
        latin = svg_of(fig)
        fig, ax = figure(4.0, 2.0)
        ax.plot([0, 1], [0, 1], label=label("苏州冲压线"))
        ax.legend()
        chinese = svg_of(fig)
    assert ">Zone −5 °C</text>" in latin
    assert "sans-serif" in latin
    if cjk_font() is None:  # the name is written as code points, plain text
        assert ">U+82CFU+5DDE" in chinese
    else:
        assert "<text" not in chinese
        assert "<!-- 苏州冲压线 -->" in chinese  # matplotlib's comment on the glyph paths


def test_report_command_imports_no_weather_stack(reference_result_dir, tmp_path):
    """``twin report`` reads no weather: it must not pay for importing the
    weather package, pvlib and scipy (about 0.7 s CPU of the page's budget)."""
    code = (
        "import sys; from twin.cli import main; "
        f"assert main(['report', {str(reference_result_dir)!r}, '--out', "
        f"{str(tmp_path / 'page.html')!r}]) == 0; "
        "print(sorted(m for m in ('pvlib', 'scipy', 'twin.weather') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "page.html").stat().st_size > 0


def test_waterfall_splits_instruments_from_the_residual_mix():
    """6,000 MWh of green power out of 10,000 MWh imported at 0.5827 kg/kWh
    (location) and 0.6096 kg/kWh residual mix: instruments take off
    6,000 MWh x 0.5827 = 3,496.2 t, the residual mix adds
    4,000 MWh x (0.6096 - 0.5827) = 107.6 t."""
    from types import SimpleNamespace

    from twin.report.run_page import _instrument_split

    inv = pd.DataFrame(
        [
            (2, "purchased electricity", "location", "grid", 10_000_000.0, 5827.0),
            (2, "purchased electricity", "market", "green_power", 6_000_000.0, 0.0),
            (2, "purchased electricity", "market", "grid", 4_000_000.0, 2438.4),
        ],
        columns=["scope", "category", "basis", "source", "quantity", "tco2e"],
    )
    instruments, residual = _instrument_split(SimpleNamespace(inventory=inv), 5827.0, 2438.4)
    assert instruments == pytest.approx(-3496.2)
    assert residual == pytest.approx(107.6)


def test_run_page_of_a_plant_without_pv_battery_or_hvac(tmp_path):
    """One base load and the grid: the charts that need PV, a battery, air,
    chillers or zones are left out with a note, the rest are drawn."""
    write_mini_experiment(tmp_path)
    out = tmp_path / "mini_out"
    assert main(["run", str(tmp_path / "mini.toml"), "--out", str(out), "--report"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    charts = set(_charts(html))
    assert {
        "monthly-end-use",
        "load-duration",
        "carpet-import",
        "profiles",
        "peak-days",
        "emissions-waterfall",
        "sankey-electricity",
    } <= charts
    assert not charts & {"carpet-pv", "air-operating-points", "chiller-operating-points", "zones"}
    for text in (
        "No PV in this plant.",
        "No compressed-air system",
        "No chiller plant",
        "No thermal zones",
    ):
        assert text in html
