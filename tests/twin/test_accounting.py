"""Cost and emissions against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from twin.components.grid_connection import TariffParams, tou_period_per_step

from twin.accounting import electricity_cost, scope2_location_tco2
from twin.component import TariffSignals, TouPeriod
from twin.config.presets import expand_tariff
from twin.timegrid import TimeGrid


def _two_month_grid() -> TimeGrid:
    # 31 days of January + 28 of February, hourly
    return TimeGrid(pd.Timestamp("2025-01-01", tz="Asia/Shanghai"), pd.Timedelta("1h"), 59 * 24)


def test_energy_and_demand_charge_by_hand():
    grid = _two_month_grid()
    n = grid.n_steps
    imp = np.full(n, 100.0)
    imp[5] = 400.0  # January peak
    imp[31 * 24 + 10] = 250.0  # February peak
    price = np.full(n, 0.5)
    signals = TariffSignals(np.zeros(n, np.int8), price, np.full(n, 0.3), np.full(n, 0.6))
    exp = np.zeros(n)
    exp[100] = 10.0
    cost = electricity_cost(imp, exp, signals, grid, demand_charge_cny_per_kw_month=40.0)
    energy = (100.0 * (n - 2) + 400.0 + 250.0) * 0.5
    assert cost.energy_cost_cny == pytest.approx(energy)
    assert cost.demand_cost_cny == pytest.approx(40.0 * (400.0 + 250.0))
    assert cost.export_revenue_cny == pytest.approx(3.0)
    assert cost.total_cost_cny == pytest.approx(energy + 26000.0 - 3.0)
    assert list(cost.monthly.index) == [1, 2]
    assert cost.monthly.loc[2, "peak_import_kw"] == 250.0


def test_capacity_charge_per_month():
    grid = _two_month_grid()
    n = grid.n_steps
    signals = TariffSignals(np.zeros(n, np.int8), np.zeros(n), np.zeros(n), np.zeros(n))
    cost = electricity_cost(
        np.zeros(n),
        np.zeros(n),
        signals,
        grid,
        capacity_charge_cny_per_kva_month=25.0,
        contracted_capacity_kva=1000.0,
    )
    assert cost.capacity_cost_cny == pytest.approx(2 * 25.0 * 1000.0)


def test_step_length_does_not_change_energy_cost():
    hourly = _two_month_grid()
    quarter = TimeGrid(hourly.start, pd.Timedelta("15min"), hourly.n_steps * 4)
    p_h = np.random.default_rng(3).uniform(0, 500, hourly.n_steps)
    price_h = np.random.default_rng(4).uniform(0.2, 1.2, hourly.n_steps)
    sig_h = TariffSignals(np.zeros(hourly.n_steps, np.int8), price_h, price_h * 0, price_h * 0)
    sig_q = TariffSignals(
        np.zeros(quarter.n_steps, np.int8),
        np.repeat(price_h, 4),
        np.zeros(quarter.n_steps),
        np.zeros(quarter.n_steps),
    )
    a = electricity_cost(p_h, p_h * 0, sig_h, hourly)
    b = electricity_cost(np.repeat(p_h, 4), np.zeros(quarter.n_steps), sig_q, quarter)
    assert a.energy_cost_cny == pytest.approx(b.energy_cost_cny, rel=1e-12)


def test_scope2_by_hand():
    grid = _two_month_grid()
    n = grid.n_steps
    assert scope2_location_tco2(np.full(n, 1000.0), np.full(n, 0.5827), grid) == pytest.approx(
        1000.0 * n * 0.5827 / 1000.0
    )


def test_jiangsu_preset_periods_and_prices():
    tariff = TariffParams(
        **expand_tariff(
            {"preset": "jiangsu", "floating_price_cny_per_kwh": 0.4, "fixed_price_cny_per_kwh": 0.2}
        )
    )
    grid = TimeGrid.for_year(2025)
    period, ratio = tou_period_per_step(tariff, grid)
    july = grid.month == 7
    hours = grid.hour
    # 苏发改价格发〔2025〕426号, summer: valley 0-6 and 11-13, peak 14-22
    assert set(period[july & (hours < 6)]) == {TouPeriod.VALLEY}
    assert set(period[july & (hours >= 11) & (hours < 13)]) == {TouPeriod.VALLEY}
    assert set(period[july & (hours >= 14) & (hours < 22)]) == {TouPeriod.PEAK}
    assert set(ratio[july & (hours == 15)]) == {1.8}
    assert set(ratio[july & (hours == 3)]) == {0.35}
    # spring: peak 15-22, valley 10-14
    april = grid.month == 4
    assert set(period[april & (hours == 14)]) == {TouPeriod.FLAT}
    assert set(period[april & (hours == 12)]) == {TouPeriod.VALLEY}
