"""The sweep, M&V and claims pages: their charts, that the figures shown are
the result's (read independently of the page code: the store's rows, the
JSON files), the bands that end on the stated interval, the kinds ``twin
report`` detects and the folders it refuses (the browser test is
test_report_browser.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT
from tests.twin._report_inputs import write_tiny_sweep
from tests.twin.test_report import _cards, _charts, _external_references
from twin.cli import main
from twin.report.folder import folder_kind
from twin.report.quantities import display, unit_of

SWEEP_CHARTS = ("sweep-pareto", "sweep-sensitivity", "sweep-distributions")
MV_CHARTS = ("mv-baseline-actual", "mv-cumulative-savings", "mv-temperature", "mv-guideline14")
CLAIMS_CHARTS = ("claim-0", "claim-1", "claim-2")


def _html(folder) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


def _rows(store) -> pd.DataFrame:
    parts = sorted((store / "results").glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def front_size(rows: pd.DataFrame, x: str = "annual_cost_cny", y: str = "net_tco2") -> int:
    """Rows no other row beats on both objectives (both minimised), by brute force."""
    a, b = rows[x].to_numpy(), rows[y].to_numpy()
    return sum(
        not any(
            (a[j] <= a[i] and b[j] <= b[i]) and (a[j] < a[i] or b[j] < b[i]) for j in range(len(a))
        )
        for i in range(len(a))
    )


def sweep_expected(store) -> dict[str, float]:
    """The sweep's headline figures straight from the store's files: counts
    from the catalogue, best feasible values from the Parquet rows."""
    con = sqlite3.connect(store / "catalogue.sqlite")
    status = dict(con.execute("SELECT status, COUNT(*) FROM scenarios GROUP BY status"))
    total = con.execute("SELECT COUNT(*) FROM scenarios").fetchone()[0]
    con.close()
    rows = _rows(store)
    rows = rows[rows["status"] == "done"]
    ok = rows[rows["peak_import_kw"] <= 300]  # the tiny sweep's one constraint
    return {
        "scenarios": total,
        "done": status.get("done", 0),
        "failed": status.get("failed", 0),
        "pending": status.get("pending", 0),
        "feasible": len(ok),
        "pareto": front_size(rows),
        "best.annual_cost_cny": ok["annual_cost_cny"].min(),
        "best.net_tco2": ok["net_tco2"].min(),
    }


def _flat(doc, prefix=""):
    out = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.update(_flat(v, f"{prefix}{k}."))
    else:
        out[prefix[:-1]] = doc
    return out


def claims_expected(folder) -> dict[str, float]:
    claims = json.loads((folder / "claims.json").read_text(encoding="utf-8"))
    out = {"count.claims": len(claims)}
    for v in ("supported", "inconclusive", "not supported"):
        out[f"count.{v}"] = sum(c["verdict"] == v for c in claims)
    for c in claims:
        for k in ("claimed", "p10", "p50", "p90", "claim_percentile"):
            out[f"{c['name']}.{k}"] = c[k]
    return out


def _check_cards(html: str, expected: dict) -> None:
    scales = dict(
        (k, (float(s), int(d)))
        for k, s, d in __import__("re").findall(
            r'data-key="([^"]+)" data-scale="([^"]+)" data-decimals="(\d+)"', html
        )
    )
    shown = _cards(html)
    assert shown
    for key, value in shown.items():
        scale, decimals = scales[key]
        assert value == pytest.approx(round(expected[key] * scale, decimals), abs=1e-9), key


def test_sweep_page(sweep_dir):
    html = _html(sweep_dir)
    assert set(SWEEP_CHARTS) <= set(_charts(html))
    assert _external_references(html) == [] and "<script" not in html
    expected = sweep_expected(sweep_dir)
    _check_cards(html, expected)
    assert {"scenarios", "done", "feasible", "best.annual_cost_cny", "best.net_tco2"} <= set(
        _cards(html)
    )
    # every scenario is in the table, and the sweep file as it was run
    for sid in _rows(sweep_dir)["scenario_id"]:
        assert f">{sid}<" in html
    assert "Sobol&#x27; indices" in html or "Sobol' indices" in html
    assert "kind = &quot;saltelli&quot;" in html
    # the axis of the PV parameter carries the unit of its config field
    assert "pv_kwp [kW]" in html


def test_oat_sweep_page_and_pareto(tmp_path):
    path = write_tiny_sweep(tmp_path, "oat")
    out = tmp_path / "store"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    assert main(["report", str(out)]) == 0
    html = _html(out)
    assert set(SWEEP_CHARTS) <= set(_charts(html))
    assert "one at a time" in html
    expected = sweep_expected(out)
    assert expected["pareto"] >= 2  # expensive PV: cost and CO2 trade off
    _check_cards(html, expected)


def test_mv_page(mv_dir):
    html = _html(mv_dir)
    assert set(MV_CHARTS) <= set(_charts(html))
    assert _external_references(html) == [] and "<script" not in html
    doc = json.loads((mv_dir / "mv.json").read_text(encoding="utf-8"))
    flat = {k: v for k, v in _flat(doc).items() if isinstance(v, int | float)}
    _check_cards(html, flat)
    assert {"savings.savings_kwh", "savings.fsu", "baseline_statistics.cvrmse"} <= set(_cards(html))
    assert doc["verdict"] in html
    assert doc["claim"]["reason"] in html
    for a in doc["adjustments"]:  # the register, every entry with its evidence
        assert a["reason"] in html and a["evidence"] in html
    for c in doc["selection"]["candidates"]:  # every model tried
        assert c["description"] in html
    assert doc["meter"]["sha256"] in html


def test_mv_cumulative_band_ends_on_the_stated_interval(mv_dir):
    """The cumulative band is Eq. B-28 over the first m reporting days; at
    the last day it is the interval mv.json states. In between it scales as
    E_adj(m) / sqrt(m) (Eq. B-28 with n, p and rho fixed)."""
    from twin.report.mv_page import MvFolder, cumulative_band

    folder = MvFolder.read(mv_dir)
    _, cum, half = cumulative_band(folder)
    doc = folder.doc
    lo, hi = doc["savings"]["intervals_kwh"]["0.90"]
    assert cum[-1] == pytest.approx(doc["savings"]["savings_kwh"], rel=1e-9)
    assert cum[-1] - half[-1] == pytest.approx(lo, rel=1e-9)
    assert cum[-1] + half[-1] == pytest.approx(hi, rel=1e-9)
    rep = folder.series[folder.series["period"] == "reporting"]
    e_adj = np.cumsum(rep["baseline_kwh"] + rep["adjustment_kwh"]).to_numpy()
    m = np.arange(1, len(e_adj) + 1)
    np.testing.assert_allclose(half / half[-1], e_adj / e_adj[-1] * np.sqrt(m[-1] / m), rtol=1e-9)


def test_mv_band_follows_the_cases_fsu_form(tmp_path):
    """With fsu_form = "effective_dof" the band is that form's, and still
    ends on the interval mv.json states."""
    from twin.report.mv_page import MvFolder, cumulative_band

    audit = ROOT / "experiments" / "mv" / "audit_reference_factory"
    case = tmp_path / "case.toml"
    text = (audit / "case.toml").read_text(encoding="utf-8")
    for name in ("meter_hourly.parquet", "temperature_hourly.parquet", "production_daily.csv"):
        text = text.replace(f'"{name}"', json.dumps(str(audit / name)))
    case.write_text(
        text.replace('granularity = "daily"', 'granularity = "daily"\nfsu_form = "effective_dof"'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["mv", str(case), "--out", str(out), "--report"]) == 0
    folder = MvFolder.read(out)
    assert folder.doc["savings"]["fsu_form"] == "effective_dof"
    _, cum, half = cumulative_band(folder)
    lo, hi = folder.doc["savings"]["intervals_kwh"]["0.90"]
    assert cum[-1] - half[-1] == pytest.approx(lo, rel=1e-9)
    assert cum[-1] + half[-1] == pytest.approx(hi, rel=1e-9)


def test_mv_page_of_monthly_bills(tmp_path):
    case = ROOT / "experiments" / "mv" / "bills_reference_factory" / "case.toml"
    out = tmp_path / "bills"
    assert main(["mv", str(case), "--out", str(out), "--report"]) == 0
    html = _html(out)
    assert set(MV_CHARTS) <= set(_charts(html))
    assert "energy per bill" in html or "per bill" in html
    doc = json.loads((out / "mv.json").read_text(encoding="utf-8"))
    _check_cards(html, {k: v for k, v in _flat(doc).items() if isinstance(v, int | float)})


def test_claims_page(claims_dir):
    html = _html(claims_dir)
    assert set(CLAIMS_CHARTS) <= set(_charts(html))
    assert _external_references(html) == [] and "<script" not in html
    _check_cards(html, claims_expected(claims_dir))
    claims = json.loads((claims_dir / "claims.json").read_text(encoding="utf-8"))
    for c in claims:
        assert f'data-claim="{c["name"]}"' in html
        assert c["reason"].replace("'", "&#x27;") in html
    assert {c["verdict"] for c in claims} == {"supported", "inconclusive", "not supported"}
    # the emission-factor claim lists each factor with its source
    factors = claims[2]["detail"]["factors"]
    assert all(f["source"] in html for f in factors)


def test_report_detects_each_kind(reference_result_dir, compare_dir, sweep_dir, mv_dir, claims_dir):
    assert folder_kind(reference_result_dir) == "run"
    assert folder_kind(compare_dir) == "compare"
    assert folder_kind(sweep_dir) == "sweep"
    assert folder_kind(mv_dir) == "mv"
    assert folder_kind(claims_dir) == "claims"
    for folder, kind in (
        (reference_result_dir, "run"),
        (compare_dir, "compare"),
        (sweep_dir, "sweep"),
        (mv_dir, "mv"),
        (claims_dir, "claims"),
    ):
        assert f'<body data-kind="{kind}">' in _html(folder)


def _copy(src, dst):
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("report.html"))
    return dst


@pytest.mark.parametrize(
    ("which", "setup", "message"),
    [
        ("mv", "old_mv", "older format"),
        ("mv", "no_series", "series.csv: missing"),
        ("mv", "old_series", "missing baseline_kwh"),
        ("claims", "old_claims", "older format"),
        ("claims", "not_a_list", "expected a list of claims"),
        ("sweep", "old_catalogue", "older format"),
        ("sweep", "bad_sweep_file", "a sweep file this version cannot read"),
        ("compare_store", "store_only", "a store of scenarios without its sweep file"),
        ("file", "file", "expected a result folder, found a file"),
    ],
)
def test_bad_result_folders_exit_2(
    mv_dir, claims_dir, sweep_dir, compare_dir, tmp_path, capsys, which, setup, message
):
    if which == "mv":
        folder = _copy(mv_dir, tmp_path / "r")
        if setup == "old_mv":
            doc = json.loads((folder / "mv.json").read_text(encoding="utf-8"))
            del doc["guideline_14"]
            (folder / "mv.json").write_text(json.dumps(doc), encoding="utf-8")
        elif setup == "no_series":
            (folder / "series.csv").unlink()
        else:
            s = pd.read_csv(folder / "series.csv").drop(columns=["baseline_kwh"])
            s.to_csv(folder / "series.csv", index=False)
    elif which == "claims":
        folder = _copy(claims_dir, tmp_path / "r")
        claims = json.loads((folder / "claims.json").read_text(encoding="utf-8"))
        doc = (
            {"claims": claims}
            if setup == "not_a_list"
            else [{k: v for k, v in c.items() if k != "claim_percentile"} for c in claims]
        )
        (folder / "claims.json").write_text(json.dumps(doc), encoding="utf-8")
    elif which == "sweep":
        folder = _copy(sweep_dir, tmp_path / "r")
        if setup == "old_catalogue":
            con = sqlite3.connect(folder / "catalogue.sqlite")
            con.execute("ALTER TABLE scenarios DROP COLUMN worker")
            con.commit()
            con.close()
        else:
            text = (folder / "sweep.toml").read_text(encoding="utf-8")
            (folder / "sweep.toml").write_text(text.replace("[design]", "[plan]"), encoding="utf-8")
    elif which == "compare_store":
        folder = compare_dir / "scenarios"
    else:
        folder = tmp_path / "x.html"
        folder.write_text("<html>", encoding="utf-8")
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if folder.is_dir():
        assert not (folder / "report.html").exists()


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("annual_cost_cny", "CNY"),
        ("grid_connection.tariff.floating_price_cny_per_kwh", "CNY/kWh"),
        ("battery.storage.capacity_kwh", "kWh"),
        ("demand_charge_cny_per_kw_month", "CNY/kW·month"),
        ("self_sufficiency_frac", "–"),
        ("net_tco2", "t CO2e"),
        ("price", ""),
        ("design.sample", ""),
        ("abatement_cost_cny_per_tco2", "CNY/t CO2e"),
    ],
)
def test_units_from_names(name, unit):
    assert unit_of(name) == unit


def test_display_scales():
    assert display("annual_cost_cny", 2.5e6) == ("kCNY", 1e-3)
    assert display("annual_cost_cny", 5e4) == ("CNY", 1.0)
    assert display("pv_ac_kwh", 2.4e6) == ("MWh", 1e-3)
    assert display("renewable_share_frac", 0.3) == ("%", 100.0)


def test_mv_page_of_hourly_towt(tmp_path):
    """The audit case's meter on hourly observations (TOWT, no drivers): the
    per-hour series draws, and the page stays well under the size limit."""
    audit = ROOT / "experiments" / "mv" / "audit_reference_factory"
    text = (audit / "case.toml").read_text(encoding="utf-8")
    text = text.replace('granularity = "daily"', 'granularity = "hourly"')
    text = text.replace('"meter_hourly.parquet"', json.dumps(str(audit / "meter_hourly.parquet")))
    text = text.replace(
        '"temperature_hourly.parquet"', json.dumps(str(audit / "temperature_hourly.parquet"))
    )
    text = text.replace('normal = { weather = "suzhou-tmyx" }\n', "")
    start, end = text.index("[[mv.driver]]"), text.index("# Non-routine")
    (tmp_path / "case.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    out = tmp_path / "hourly"
    assert main(["mv", str(tmp_path / "case.toml"), "--out", str(out), "--report"]) == 0
    html = _html(out)
    assert set(MV_CHARTS) <= set(_charts(html))
    assert "energy per hour" in html and "TOWT" in html
    assert (out / "report.html").stat().st_size < 10_000_000
    doc = json.loads((out / "mv.json").read_text(encoding="utf-8"))
    _check_cards(html, {k: v for k, v in _flat(doc).items() if isinstance(v, int | float)})


def test_claim_report_without_out_writes_the_default_folder(tmp_path, monkeypatch):
    """--report needs a folder: without --out it is out/<file name>. An
    emission-factor claim needs no twin run, so this is quick."""
    (tmp_path / "scope2.toml").write_text(
        '[[claim]]\nname = "scope2"\nkind = "emission_factor"\nclaimed_tco2 = 582.7\n'
        'energy_kwh = 1.0e6\nprovince = "jiangsu"\nyear = 2023\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["claim", "scope2.toml", "--report"]) == 0
    html = (tmp_path / "out" / "scope2" / "report.html").read_text(encoding="utf-8")
    assert "claim-0" in _charts(html)
    assert 'data-verdict="scope2: supported"' in html
