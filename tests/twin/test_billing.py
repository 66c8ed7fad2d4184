"""Demand billing on the tariff's interval, capacity or demand, power-factor adjustment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import twin
from tests.conftest import REFERENCE_CONFIG
from twin.accounting import electricity_cost
from twin.accounting.cost import estimate_interval_peak_kw, power_factor_adjustment_frac
from twin.component import TariffSignals
from twin.errors import ConfigError
from twin.measures import MeasureError, apply_measure
from twin.timegrid import TimeGrid


def _grid(step: str, days: int = 31) -> TimeGrid:
    start = pd.Timestamp("2025-01-01", tz="Asia/Shanghai")
    n = int(days * pd.Timedelta("1D") / pd.Timedelta(step))
    return TimeGrid(start, pd.Timedelta(step), n)


def _signals(n: int, **billing) -> TariffSignals:
    return TariffSignals(np.zeros(n, np.int8), np.full(n, 0.5), np.zeros(n), np.zeros(n), **billing)


# -- 《功率因数调整电费办法》(83)水电财字第215号: entries of its three tables ---------
@pytest.mark.parametrize(
    ("pf", "standard", "expected"),
    [
        (0.90, 0.9, 0.0),
        (0.92, 0.9, -0.0030),
        (0.95, 0.9, -0.0075),
        (1.00, 0.9, -0.0075),
        (0.89, 0.9, 0.005),
        (0.80, 0.9, 0.05),
        (0.70, 0.9, 0.10),
        (0.69, 0.9, 0.11),
        (0.65, 0.9, 0.15),
        (0.64, 0.9, 0.17),
        (0.60, 0.9, 0.25),
        (0.85, 0.85, 0.0),
        (0.90, 0.85, -0.005),
        (0.91, 0.85, -0.0065),
        (0.94, 0.85, -0.011),
        (0.84, 0.85, 0.005),
        (0.65, 0.85, 0.10),
        (0.60, 0.85, 0.15),
        (0.59, 0.85, 0.17),
        (0.80, 0.8, 0.0),
        (0.90, 0.8, -0.010),
        (0.91, 0.8, -0.0115),
        (0.92, 0.8, -0.013),
        (0.60, 0.8, 0.10),
        (0.55, 0.8, 0.15),
    ],
)
def test_power_factor_table(pf, standard, expected):
    assert power_factor_adjustment_frac(pf, standard) == pytest.approx(expected, abs=1e-12)


def test_power_factor_is_rounded_to_two_decimals_as_billed():
    assert power_factor_adjustment_frac(0.8949, 0.9) == power_factor_adjustment_frac(0.89, 0.9)


def test_power_factor_adjustment_on_energy_and_basic_charges():
    grid = _grid("1h")
    n = grid.n_steps
    imp = np.full(n, 100.0)
    sig = _signals(
        n, power_factor=np.full(12, 0.85), power_factor_standard=0.9, demand_interval_h=1.0
    )
    cost = electricity_cost(imp, np.zeros(n), sig, grid, demand_charge_cny_per_kw_month=40.0)
    charges = 100.0 * n * 0.5 + 40.0 * 100.0
    assert cost.power_factor_adjustment_cny == pytest.approx(0.025 * charges)
    assert cost.total_cost_cny == pytest.approx(1.025 * charges)


# -- the demand interval -------------------------------------------------------
def test_five_minute_steps_bill_the_rolling_fifteen_minute_mean():
    grid = _grid("5min")
    n = grid.n_steps
    imp = np.full(n, 100.0)
    imp[1000:1002] = 400.0  # 10 min at 400 kW: the 15-min mean is 300
    cost = electricity_cost(
        imp, np.zeros(n), _signals(n), grid, demand_charge_cny_per_kw_month=40.0
    )
    assert cost.monthly.loc[1, "peak_import_kw"] == 400.0
    assert cost.monthly.loc[1, "billed_demand_kw"] == pytest.approx(300.0)
    assert cost.demand_cost_cny == pytest.approx(40.0 * 300.0)
    assert cost.demand_basis == "rolling" and not cost.notes


def test_hourly_steps_say_the_demand_is_a_lower_bound():
    grid = _grid("1h")
    n = grid.n_steps
    cost = electricity_cost(
        np.full(n, 100.0), np.zeros(n), _signals(n), grid, demand_charge_cny_per_kw_month=40.0
    )
    assert cost.demand_basis == "lower_bound"
    assert "LOWER BOUND" in cost.notes[0]


def test_interval_peak_estimate_of_brownian_load():
    """A Brownian load (the estimate's own model, simulated independently at
    1-min resolution): the estimate from hourly means finds the 15-min peak
    within 2 % where the hourly peak misses it by more."""
    rng = np.random.default_rng(11)
    minutes = rng.standard_normal(31 * 24 * 60).cumsum() * 4.0 + 2000.0
    q15 = minutes.reshape(-1, 15).mean(1)
    hourly = minutes.reshape(-1, 60).mean(1)
    est = estimate_interval_peak_kw(hourly, 4)
    assert abs(est - q15.max()) < abs(hourly.max() - q15.max())
    assert est == pytest.approx(q15.max(), rel=0.02)


# -- capacity or maximum demand ------------------------------------------------
def test_basic_charge_choice_bills_one_of_the_two():
    both = [
        "grid_connection.tariff.capacity_charge_cny_per_kva_month=25.0",
        "grid_connection.tariff.contracted_capacity_kva=5000.0",
    ]
    by_demand = twin.load_config(
        REFERENCE_CONFIG, [*both, "grid_connection.tariff.basic_charge=demand"]
    )
    by_capacity = twin.load_config(
        REFERENCE_CONFIG, [*both, "grid_connection.tariff.basic_charge=capacity"]
    )
    demand_terms = twin.Plant.build(by_demand).slack.billing()
    capacity_terms = twin.Plant.build(by_capacity).slack.billing()
    assert (
        demand_terms.demand_charge_cny_per_kw_month,
        demand_terms.capacity_charge_cny_per_kva_month,
    ) == (40.0, 0.0)
    assert (
        capacity_terms.demand_charge_cny_per_kw_month,
        capacity_terms.capacity_charge_cny_per_kva_month,
    ) == (0.0, 25.0)
    res = twin.run(by_capacity)
    assert res.summary["demand_cost_cny"] == 0.0
    assert res.summary["capacity_cost_cny"] == pytest.approx(12 * 25.0 * 5000.0)


def test_both_rates_without_a_choice_is_a_config_error():
    with pytest.raises(ConfigError, match="basic_charge"):
        twin.load_config(
            REFERENCE_CONFIG,
            [
                "grid_connection.tariff.capacity_charge_cny_per_kva_month=25.0",
                "grid_connection.tariff.contracted_capacity_kva=5000.0",
            ],
        )


def test_basic_charge_measure_switches_the_reference_to_capacity():
    cfg = twin.load_config(REFERENCE_CONFIG)
    raw = cfg.model_dump(mode="json", exclude_none=True)
    spec = {
        "measure": "basic_charge_basis",
        "basis": "capacity",
        "capacity_charge_cny_per_kva_month": 25.0,
        "contracted_capacity_kva": 5000.0,
    }
    changed, applied = apply_measure(raw, spec, {})
    assert changed["grid_connection"]["tariff"]["basic_charge"] == "capacity"
    assert applied.capex_cny == 0.0
    with pytest.raises(MeasureError, match="contracted_capacity_kva"):
        apply_measure(
            raw,
            {
                "measure": "basic_charge_basis",
                "basis": "capacity",
                "capacity_charge_cny_per_kva_month": 25.0,
            },
            {},
        )


@pytest.mark.xfail(
    strict=True,
    reason="measured: the hourly variability estimate bills 1,959,968 CNY against 2,000,616 "
    "CNY from the 15-min run (-2.03 %, tolerance 2 %; it was +0.1 % before the causal TOU "
    "controller). The controller now holds the hourly import at the month's level, which "
    "lowers the hourly import's step-to-step variability the estimate scales by, while the "
    "within-hour spikes it cannot see at an hourly step stay in the 15-min run",
)
def test_reference_hourly_demand_estimate_against_the_fifteen_minute_run():
    """The 15-min run resolves the lines' within-hour load (its billed demand is
    the reference). The hourly lower bound is short of the 15-min demand
    charge; the variability estimate should be within 2 % of it."""
    fine = twin.run(twin.load_config(REFERENCE_CONFIG, step="15min"))
    hourly = twin.run(twin.load_config(REFERENCE_CONFIG))
    est = twin.run(
        twin.load_config(REFERENCE_CONFIG, ["grid_connection.tariff.demand_estimate=variability"])
    )
    ref = fine.summary["demand_cost_cny"]
    assert fine.cost.demand_basis == "interval" and not fine.cost.notes
    assert hourly.summary["demand_cost_cny"] < ref
    assert est.summary["demand_cost_cny"] == pytest.approx(ref, rel=0.02)
    assert est.cost.demand_basis == "estimate"
