"""Green-power contracts by technology with hourly or annual matching: the
market-based inventory against hand-computed cases, the renewable share, the
breakdown by technology, and the input checks."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import twin
from tests.conftest import minimal_config
from twin.errors import ConfigError, SuspiciousInputWarning

HOURS_2025 = 8760
RESIDUAL_2023 = 0.6096  # national average excluding market-traded non-fossil power, 2023
KG_TOL_T = 1e-6
"""[t CO2e]: sums exact up to float rounding."""


def _flat_plant(**ledger: Any) -> dict[str, Any]:
    raw = minimal_config(ledger={"reporting_year": 2025, **ledger})
    raw["base_load"][0]["demand_kw"] = 100.0
    return raw


def _run(raw: dict[str, Any], weather, base_dir=None) -> twin.Results:
    config = (
        twin.config_from_dict(raw, base_dir=base_dir) if base_dir else twin.config_from_dict(raw)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousInputWarning)
        return twin.run(config, weather=weather)


def _contract(name: str, kwh: float, **kw: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "green_power_contract",
        "quantity_kwh": kwh,
        "vintage_year": 2025,
        **kw,
    }


def test_flat_hourly_contract_below_the_load_is_matched_in_full(suzhou_weather):
    # 50 kW flat against a constant 100 kW import: every hour matched
    raw = _flat_plant(
        instruments=[
            _contract(
                "hydro", 50.0 * HOURS_2025, technology="hydro", matching="hourly", delivery="flat"
            )
        ]
    )
    res = _run(raw, suzhou_weather)
    acc = res.ledger.inventory.electricity
    assert math.isclose(acc.instruments_applied_kwh, 50.0 * HOURS_2025, rel_tol=1e-12)
    assert math.isclose(acc.hourly_matched_kwh, 50.0 * HOURS_2025, rel_tol=1e-12)
    expected_t = 50.0 * HOURS_2025 * RESIDUAL_2023 / 1000.0
    assert abs(res.summary.scope2_market_tco2 - expected_t) < KG_TOL_T
    assert math.isclose(res.summary.renewable_share_frac, 0.5, rel_tol=1e-12)
    assert res.ledger.describe()["instruments_by_technology_kwh"] == {
        "hydro": pytest.approx(50.0 * HOURS_2025)
    }


def test_hourly_delivery_above_the_hour_import_is_not_matched(suzhou_weather):
    # 150 kW flat against 100 kW: 50 kW of every hour finds no import; not an over-claim
    raw = _flat_plant(
        instruments=[_contract("big", 150.0 * HOURS_2025, matching="hourly", delivery="flat")]
    )
    res = _run(raw, suzhou_weather)
    acc = res.ledger.inventory.electricity
    assert math.isclose(acc.instruments_applied_kwh, 100.0 * HOURS_2025, rel_tol=1e-12)
    assert abs(res.summary.scope2_market_tco2) < KG_TOL_T
    assert any(
        "not applied (delivered in hours without enough import" in n for n in res.ledger.notes
    )
    assert res.ledger.describe()["instruments_by_technology_kwh"] == {
        "unstated": pytest.approx(100.0 * HOURS_2025)
    }


def test_hourly_matching_takes_the_hour_by_hour_minimum(suzhou_weather):
    # the minimal plant's load is 100 kW at night and 300 kW by day on workdays:
    # a 200 kW flat block is matched as min(200, import) in every hour, less than
    # the same quantity matched over the year (capped at the import)
    qty = 200.0 * HOURS_2025
    hourly = _run(
        minimal_config(
            ledger={
                "reporting_year": 2025,
                "instruments": [_contract("c", qty, matching="hourly", delivery="flat")],
            }
        ),
        suzhou_weather,
    )
    imp = hourly.frame[("grid", "import", "power_kw")].to_numpy()  # 1 h steps
    expected = float(np.minimum(imp, 200.0).sum())
    acc = hourly.ledger.inventory.electricity
    assert math.isclose(acc.instruments_applied_kwh, expected, rel_tol=1e-12)
    uncovered = float(np.maximum(imp - 200.0, 0.0).sum())
    assert abs(hourly.summary.scope2_market_tco2 - uncovered * RESIDUAL_2023 / 1000.0) < KG_TOL_T

    annual = _run(
        minimal_config(
            ledger={
                "reporting_year": 2025,
                "rules": {"over_claim": "cap"},
                "instruments": [_contract("c", qty)],
            }
        ),
        suzhou_weather,
    )
    assert annual.ledger.inventory.electricity.instruments_applied_kwh == pytest.approx(imp.sum())
    assert annual.summary.scope2_market_tco2 < hourly.summary.scope2_market_tco2


def test_hourly_first_then_annual_by_technology(suzhou_weather):
    raw = _flat_plant(
        instruments=[
            _contract("wind", 20.0 * HOURS_2025, technology="wind"),
            _contract(
                "hydro", 30.0 * HOURS_2025, technology="hydro", matching="hourly", delivery="flat"
            ),
        ]
    )
    res = _run(raw, suzhou_weather)
    by_tech = res.ledger.describe()["instruments_by_technology_kwh"]
    assert by_tech == {
        "wind": pytest.approx(20.0 * HOURS_2025),
        "hydro": pytest.approx(30.0 * HOURS_2025),
    }
    assert math.isclose(res.summary.renewable_share_frac, 0.5, rel_tol=1e-12)
    inv = res.ledger.inventory.frame()
    market = inv[(inv["scope"] == 2) & (inv["basis"] == "market")]
    assert abs(float(market["tco2e"].sum()) - res.summary.scope2_market_tco2) < KG_TOL_T
    assert "hydro, hourly-matched (flat delivery)" in " ".join(market["activity"])


def test_delivery_series_is_matched_and_must_total_the_quantity(suzhou_weather, tmp_path):
    # a PV-farm shape: 300 kW from 10:00 to 15:00 every day
    hours = pd.date_range("2025-01-01", periods=HOURS_2025, freq="h")
    delivery = np.where((hours.hour >= 10) & (hours.hour < 15), 300.0, 0.0)
    pd.DataFrame({"kwh": delivery}).to_csv(tmp_path / "pv_farm.csv", index=False)
    total = float(delivery.sum())
    series = {"file": "pv_farm.csv", "column": "kwh"}
    raw = _flat_plant(
        instruments=[
            _contract(
                "pv_farm",
                total,
                technology="solar_pv",
                matching="hourly",
                delivery="series",
                delivery_series=series,
            )
        ]
    )
    res = _run(raw, suzhou_weather, base_dir=tmp_path)
    # 100 kW import in every hour: 100 of the 300 kW are matched in delivery hours
    acc = res.ledger.inventory.electricity
    assert math.isclose(acc.instruments_applied_kwh, total / 3.0, rel_tol=1e-12)

    raw["ledger"]["instruments"][0]["quantity_kwh"] = total * 1.01
    with pytest.raises(ConfigError, match="delivery_series: the series totals"):
        _run(raw, suzhou_weather, base_dir=tmp_path)


@pytest.mark.parametrize(
    ("instrument", "message"),
    [
        (
            {
                "name": "g",
                "kind": "gec",
                "certificates": 10,
                "vintage_year": 2025,
                "matching": "hourly",
                "delivery": "flat",
            },
            "a GEC .* carries no delivery hour",
        ),
        (_contract("c", 1000.0, matching="hourly"), "needs delivery = 'flat' or 'series'"),
        (_contract("c", 1000.0, delivery="flat"), "are for matching = 'hourly'"),
        (
            _contract("c", 1000.0, matching="hourly", delivery="series"),
            "delivery = 'series' goes with delivery_series",
        ),
        (_contract("c", 1000.0, technology="nuclear"), "technology"),
    ],
)
def test_bad_contracts_are_refused_at_parse(instrument, message):
    with pytest.raises(ConfigError, match=message):
        twin.config_from_dict(_flat_plant(instruments=[instrument]))
