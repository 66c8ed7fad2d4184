"""The seed plants (configs/seeds/) and their experiments (experiments/seeds/)
run as they are: every config validates, runs a full year and produces its
ledger (inventory, neutrality statement), its totals tie (inventory rows to
the summary, monthly cost to the annual cost); every experiment loads with
all its variants validated, and runs.

Configs are inputs built from public facts; no test here asserts a plant's
published outcome."""

from __future__ import annotations

import math

import pytest

from tests.conftest import ROOT
from twin.config.loader import load_config
from twin.experiments import compare, load_experiment
from twin.run import run

SEED_CONFIGS = sorted((ROOT / "configs" / "seeds").glob("*.toml"))
SEED_EXPERIMENTS = sorted((ROOT / "experiments" / "seeds").glob("*.toml"))
# Four seed sites use CSWD files whose irradiance check flags a few hours of GHI
# above the extraterrestrial bound (a property of the bundled source data, shown
# to users as a warning); only that warning is allowed here.
CSWD_GHI_WARNING = pytest.mark.filterwarnings(
    r"ignore:.*_CSWD\.epw\.gz. ghi_w_per_m2. expected GHI:twin.errors.SuspiciousInputWarning"
)
TIE_TCO2 = 1e-6
"""Inventory rows against summary totals [t CO2e]: float sums only."""


def test_one_seed_plant_per_row_of_the_issue():
    names = {p.stem for p in SEED_CONFIGS}
    assert names == {
        "xian_switchgear",
        "chongqing_water_chillers",
        "wujiang_electronics",
        "yancheng_pv_modules",
        "baoji_car_plant",
        "wuhan_mobile_devices",
        "yibin_battery",
        "puyang_electrical_equipment",
    }
    assert {p.stem for p in SEED_EXPERIMENTS} == names


@CSWD_GHI_WARNING
@pytest.mark.parametrize("path", SEED_CONFIGS, ids=lambda p: p.stem)
def test_seed_config_runs_and_produces_its_ledger(path):
    config = load_config(path)
    assert config.ledger is not None, "every seed plant carries a [ledger]"
    results = run(config)
    s = results.summary
    assert s.electricity_use_kwh > 0
    assert s.unmet_kwh == 0.0
    tables = results.ledger.tables()
    assert {"inventory.csv", "neutrality.csv", "energy_consumption.csv"} <= set(tables)
    inv = tables["inventory.csv"]
    for scope, basis, total in (
        (1, "", s.scope1_tco2),
        (2, "location", s.scope2_location_tco2),
        (2, "market", s.scope2_market_tco2),
    ):
        rows = inv[(inv["scope"] == scope) & (inv["basis"].fillna("") == basis)]
        assert math.isclose(float(rows["tco2e"].sum()), total, abs_tol=TIE_TCO2)
    # every row is quantity x factor
    assert ((inv["quantity"] * inv["factor"] / 1000.0 - inv["tco2e"]).abs() < 1e-6).all()
    monthly = results.monthly
    assert math.isclose(float(monthly["total_cost_cny"].sum()), s.total_cost_cny, rel_tol=1e-9)
    assert 0.0 <= s.renewable_share_frac <= 1.0


@CSWD_GHI_WARNING
@pytest.mark.parametrize("path", SEED_EXPERIMENTS, ids=lambda p: p.stem)
def test_seed_experiment_runs(path):
    exp = load_experiment(path)  # every variant validated like a config
    assert len(exp.variants) >= 2
    table = compare(exp, workers=1).table
    assert len(table) == len(exp.variants)
    assert exp.variants[0].name == "base"
    assert table["total_cost_cny"].notna().all() if "total_cost_cny" in table else True
