"""The LP storage dispatch: optimal on small cases, never worse than the rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import twin
from tests.conftest import REFERENCE_CONFIG
from twin.dispatch import LpStorage, lp_dispatch


def _cost(net, c, d, price, eta_c, eta_d, soc0, cap_lo, cap_hi, step_h=1.0):
    soc = soc0
    total = 0.0
    for t in range(net.size):
        soc = soc + eta_c * c[t] * step_h - d[t] * step_h / eta_d
        if soc < cap_lo - 1e-9 or soc > cap_hi + 1e-9:
            return np.inf
        g = net[t] + c[t] - d[t]
        if g < -1e-9:
            return np.inf  # no export in this case
        total += price[t] * g * step_h
    if soc < soc0 - 1e-9:
        return np.inf  # the LP keeps the end of its window at or above its start
    return total


@pytest.mark.parametrize("eta", [1.0, 0.9])
def test_lp_matches_brute_force_on_a_small_case(eta):
    net = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    price = np.array([0.3, 1.0, 0.3, 1.2, 0.5, 0.9])
    st = LpStorage(capacity_kwh=100.0, soc_min_kwh=0.0, soc_max_kwh=100.0, soc_initial_kwh=0.0,
                   charge_power_max_kw=100.0, discharge_power_max_kw=100.0 * eta * eta,
                   efficiency_charge_frac=eta, efficiency_discharge_frac=eta,
                   self_discharge_frac_per_step=0.0)
    c, d = lp_dispatch(net, st, step_h=1.0, import_price_cny_per_kwh=price,
                       export_price_cny_per_kwh=np.zeros(6), ef_kg_per_kwh=np.zeros(6),
                       month=np.ones(6, int), horizon_steps=6, commit_steps=6)
    lp = _cost(net, c, d, price, eta, eta, 0.0, 0.0, 100.0)
    # full charge or full discharge (of the energy one charge stores) per step
    levels = [(100.0, 0.0), (0.0, 0.0), (0.0, 100.0 * eta * eta)]
    best = min(
        _cost(net, np.array([a[0] for a in combo]), np.array([a[1] for a in combo]), price, eta, eta, 0.0, 0.0, 100.0)
        for combo in itertools.product(levels, repeat=6)
    )
    assert lp == pytest.approx(best, rel=1e-7)
    assert lp < float(np.sum(net * price))


def test_demand_charge_is_shaved_when_it_pays():
    net = np.array([100.0, 100.0, 300.0, 100.0])
    st = LpStorage(200.0, 0.0, 200.0, 100.0, 200.0, 200.0, 1.0, 1.0, 0.0)
    c, d = lp_dispatch(net, st, step_h=1.0, import_price_cny_per_kwh=np.full(4, 0.5),
                       export_price_cny_per_kwh=np.zeros(4), ef_kg_per_kwh=np.zeros(4),
                       month=np.ones(4, int), demand_charge_cny_per_kw_month=40.0,
                       horizon_steps=4, commit_steps=4)
    g = net + c - d
    assert g.max() == pytest.approx(150.0, abs=1e-6)  # flat: 600 kWh over 4 h


def test_rolling_horizon_limits():
    with pytest.raises(ValueError, match="commit_steps"):
        lp_dispatch(np.zeros(10), LpStorage(1, 0, 1, 0, 1, 1, 1, 1, 0), step_h=1.0,
                    import_price_cny_per_kwh=np.zeros(10), export_price_cny_per_kwh=np.zeros(10),
                    ef_kg_per_kwh=np.zeros(10), month=np.ones(10, int), horizon_steps=4, commit_steps=5)


@pytest.fixture(scope="module")
def rule_and_lp():
    rule = twin.run(twin.load_config(REFERENCE_CONFIG))
    lp = twin.run(twin.load_config(REFERENCE_CONFIG, ["battery.storage.dispatch=lp"]))
    lp_co2 = twin.run(twin.load_config(
        REFERENCE_CONFIG, ["battery.storage.dispatch=lp", "battery.storage.lp_objective=emissions"]))
    return rule, lp, lp_co2


def test_lp_is_never_worse_than_the_rules_on_cost(rule_and_lp):
    rule, lp, _ = rule_and_lp
    assert lp.summary["total_cost_cny"] <= rule.summary["total_cost_cny"]


def test_emission_objective_is_never_worse_on_emissions(rule_and_lp):
    rule, _, lp_co2 = rule_and_lp
    assert lp_co2.summary["scope2_location_tco2"] <= rule.summary["scope2_location_tco2"] + 1e-6
