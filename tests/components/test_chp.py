"""Gas CHP: part-load physics, and the example plant's balance, renewable
share, scope 1 and boiler gas."""

from __future__ import annotations

import numpy as np
import pytest
from twin.components.chp import ENERGYPLUS_ENGINE_CURVE, chp_fuel_kw, chp_part_load_for_heat

from tests.conftest import ROOT
from twin.accounting import balance_closure
from twin.config import load_config
from twin.run import run

CHP_EXAMPLE = ROOT / "configs" / "chp_example.toml"
CN_NG_KG_PER_NM3 = 2.1622
"""Chinese natural-gas factor: NCV 38,931 kJ/Nm³ (GB/T 2589) x 15.3 tC/TJ x 0.99 x 44/12."""


def test_fuel_at_rated_load_is_rating_over_efficiency():
    assert chp_fuel_kw(1.0, 600.0, 0.40) == pytest.approx(1500.0)
    assert chp_fuel_kw(0.0, 600.0, 0.40) == 0.0


def test_part_load_electric_efficiency_follows_the_energyplus_curve():
    a, b, c = ENERGYPLUS_ENGINE_CURVE
    plr = np.array([0.25, 0.5, 0.75])
    eta = plr * 600.0 / chp_fuel_kw(plr, 600.0, 0.40)
    np.testing.assert_allclose(eta, 0.40 * (a + b * plr + c * plr**2) / (a + b + c), rtol=1e-12)


def test_part_load_for_heat_inverts_the_heat_output():
    plr = np.linspace(0.05, 1.0, 40)
    heat = 0.45 * chp_fuel_kw(plr, 600.0, 0.40)
    np.testing.assert_allclose(chp_part_load_for_heat(heat, 600.0, 0.40, 0.45), plr, rtol=1e-9)
    assert chp_part_load_for_heat(np.array([1e6]), 600.0, 0.40, 0.45)[0] == 1.0


@pytest.fixture(scope="module")
def example():
    return run(load_config(CHP_EXAMPLE))


def test_example_balance_closes_per_carrier(example):
    closure = balance_closure(example.balance)
    assert set(closure["carrier"]) == {"electricity", "natural_gas", "heat"}
    assert (closure["closure_frac"] <= 1e-6).all()


def test_chp_electricity_is_generation_but_not_renewable(example):
    s = example.summary
    chp_kwh = s.components["gas_engine"]["electricity_kwh"]
    assert chp_kwh > 1e6
    assert s.generation_by_source_kwh["natural_gas"] == pytest.approx(chp_kwh, rel=1e-12)
    assert s.renewable_generation_kwh == pytest.approx(s.pv_ac_kwh, rel=1e-12)
    assert (
        s.onsite_renewable_share_frac
        <= s.renewable_self_consumed_kwh / s.electricity_use_kwh + 1e-12
    )


def test_chp_gas_is_scope1_at_the_meter_with_the_chinese_factor(example):
    inv = example.inventory
    rows = inv[inv["scope"] == 1]
    assert list(rows["source"]) == ["gas"]  # once, at the meter: the CHP itself adds no row
    row = rows.iloc[0]
    assert row["factor"] == pytest.approx(CN_NG_KG_PER_NM3, rel=1e-4)
    assert "GB/T 2589" in row["factor_source"]
    gas_kwh = example.summary.fuel_import_kwh["natural_gas"]
    assert row["quantity"] == pytest.approx(gas_kwh / (38931.0 / 3600.0), rel=1e-9)


def test_chp_heat_displaces_boiler_gas(example):
    without = run(load_config(CHP_EXAMPLE, ["chp[0].rated_power_el_kw=0.001"]))
    boiler_with = example.summary.components["backup_boiler"]["gas_kwh"]
    boiler_without = without.summary.components["backup_boiler"]["gas_kwh"]
    chp_heat = example.summary.components["gas_engine"]["heat_kwh"]
    tiny_heat = without.summary.components["gas_engine"]["heat_kwh"]
    assert chp_heat > 1e6 > 1e3 > tiny_heat
    assert boiler_without - boiler_with == pytest.approx((chp_heat - tiny_heat) / 0.92, rel=1e-9)
