"""The ledger end to end: `twin ledger` on the example config, the files it
writes, the summary keys, the pathway; `twin run` without a ledger still
writes an inventory."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import twin
from tests.conftest import REFERENCE_CONFIG, ROOT
from twin.accounting.inventory import INVENTORY_COLUMNS
from twin.cli import main
from twin.pathway import PATHWAY_COLUMNS, run_pathway

EXAMPLE = ROOT / "configs" / "ledger_example.toml"
LEDGER_KEYS = [
    "scope1_tco2",
    "scope2_location_tco2",
    "scope2_market_tco2",
    "scope3_tco2",
    "removals_tco2",
    "offsets_tco2",
    "net_tco2",
    "renewable_share_frac",
    "onsite_renewable_share_frac",
]


@pytest.fixture(scope="module")
def ledger_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("ledger") / "example"
    assert main(["ledger", str(EXAMPLE), "--out", str(out)]) == 0
    return out


def test_cli_prints_the_inventory(capsys):
    assert main(["ledger", str(EXAMPLE), "--no-pathway"]) == 0
    out = capsys.readouterr().out
    assert "carbon inventory, reporting year 2025" in out
    for text in (
        "stationary combustion",
        "mobile combustion",
        "fugitive: refrigerant leakage",
        "purchased electricity",
        "purchased heat",
        "factor sources:",
        "公告2025年第47号",
        "standard text not available",
        "neutrality (ISO 14068-1 order",
    ):
        assert text in out, text
    assert "pathway" not in out.split("neutrality")[1].split("T/CECA")[0]


def test_files_written(ledger_out):
    names = {p.name for p in ledger_out.iterdir()}
    assert {
        "summary.json",
        "hourly.parquet",
        "inventory.csv",
        "neutrality.csv",
        "ceca_readiness.csv",
        "pathway.csv",
    } <= names
    inventory = pd.read_csv(ledger_out / "inventory.csv")
    assert list(inventory.columns) == INVENTORY_COLUMNS
    assert inventory.factor_source.notna().all()
    summary = json.loads((ledger_out / "summary.json").read_text(encoding="utf-8"))
    for key in LEDGER_KEYS:
        assert isinstance(summary[key], float), key
    assert summary["ledger"]["configured"] is True
    scope1 = inventory[inventory.scope == 1].tco2e.sum()
    market = inventory[(inventory.scope == 2) & (inventory.basis == "market")].tco2e.sum()
    assert summary["scope1_tco2"] == pytest.approx(scope1, abs=1e-6)
    assert summary["scope2_market_tco2"] == pytest.approx(market, abs=1e-6)
    assert summary["net_tco2"] == pytest.approx(scope1 + market - summary["offsets_tco2"], abs=1e-6)


def test_example_by_hand(ledger_out):
    inv = pd.read_csv(ledger_out / "inventory.csv", keep_default_na=False)
    rows = {(r.source, r.basis): r for r in inv.itertuples(index=False)}
    assert rows[("canteen_gas", "")].tco2e == pytest.approx(180000 * 2.1622 / 1000, abs=1e-6)
    assert rows[("forklifts", "")].tco2e == pytest.approx(20000 * 3.0959 / 1000, abs=1e-6)
    assert rows[("process_chiller", "")].tco2e == pytest.approx(600 * 0.05 * 1530 / 1000, abs=1e-6)
    assert rows[("office_vrf", "")].tco2e == pytest.approx(120 * 0.10 * 2255.5 / 1000, abs=1e-6)
    assert rows[("park_steam", "market")].tco2e == pytest.approx(3000 * 0.110, abs=1e-6)
    grid = rows[("grid", "market")]
    assert grid.quantity == pytest.approx(rows[("grid", "location")].quantity - 8_000_000, abs=1e-3)
    assert grid.factor == pytest.approx(0.6096)


def test_pathway_table(ledger_out):
    path = pd.read_csv(ledger_out / "pathway.csv")
    assert list(path.columns) == PATHWAY_COLUMNS
    assert list(path.year) == list(range(2025, 2035))
    assert (path.offsets_needed_tco2 >= 0).all()
    assert path.offset_cost_cny.tolist() == pytest.approx(
        (path.residual_tco2 * path.offset_price_cny_per_t).tolist()
    )
    assert path.offset_price_cny_per_t.iloc[-1] == pytest.approx(80.0 * 1.05**9)
    # the grid factor follows the trajectory (-2 %/year from the 2025 value)
    assert path.location_ef_kg_per_kwh.iloc[3] == pytest.approx(0.5827 * 0.98**3)
    # measures switch on by year; identical plants share one simulation
    assert pd.isna(path.measures.iloc[1])
    assert path.measures.iloc[2] == "pv_phase_2"
    assert path.plant_variant.nunique() == 3
    assert path.emissions_tco2.iloc[-1] < path.emissions_tco2.iloc[0]
    # the 2025 row is the single run's ledger
    summary = json.loads((ledger_out / "summary.json").read_text(encoding="utf-8"))
    assert path.scope2_market_tco2.iloc[0] == pytest.approx(
        summary["scope2_market_tco2"], rel=1e-12
    )


def test_pathway_simulates_each_distinct_plant_once():
    pathway = run_pathway(twin.load_config(EXAMPLE))
    assert pathway.simulations == 3
    assert len(pathway.frame) == 10


def test_pathway_holds_one_plant_year_at_a_time(monkeypatch):
    """Years stream: when the next plant is simulated, the previous plant's
    results are no longer held (a 10-year pathway at 1-minute steps would
    otherwise hold every variant's flows)."""
    import gc
    import weakref

    import twin.pathway as pathway_module

    made: list[weakref.ref] = []
    alive_at_start: list[int] = []
    real_run = pathway_module.run

    def run(config, **kwargs):
        gc.collect()
        alive_at_start.append(sum(r() is not None for r in made))
        results = real_run(config, **kwargs)
        made.append(weakref.ref(results))
        return results

    monkeypatch.setattr(pathway_module, "run", run)
    pathway = run_pathway(twin.load_config(EXAMPLE))
    assert pathway.simulations == len(made) == 3
    assert alive_at_start == [0, 0, 0]


def test_run_without_a_ledger_writes_an_inventory(tmp_path, capsys):
    out = tmp_path / "ref"
    no_ledger = REFERENCE_CONFIG.parent / "compressed_air_example.toml"
    assert main(["run", str(no_ledger), "--out", str(out)]) == 0
    capsys.readouterr()
    inventory = pd.read_csv(out / "inventory.csv")
    assert set(inventory.basis.dropna()) == {"location", "market"}  # scope 1 rows have no basis
    assert not (out / "neutrality.csv").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["renewable_share_frac"] == summary["onsite_renewable_share_frac"]
    assert summary["scope2_market_tco2"] == pytest.approx(
        summary["grid_import_kwh"] * 0.6096 / 1000
    )
