"""The TOU controller (components/battery_tou.py): causal, feasible, and its helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from twin.components.battery import Battery, BatteryParams, simulate_soc
from twin.components.battery_dispatch import forecast_profile, shave_levels_kw
from twin.components.battery_tou import fill_level_kw, tou_flows, tou_request

from tests.components.test_battery import (
    JIANGSU_RATIOS,
    JIANGSU_SUMMER,
    day_codes,
    day_prices,
    make_ctx,
    make_grid,
)
from twin.component import TariffSignals

DAYS = 14


def _signals(grid, rate: float) -> TariffSignals:
    n = grid.n_steps
    return TariffSignals(
        period=day_codes(JIANGSU_SUMMER)[grid.hour].astype(np.int8),
        import_price_cny_per_kwh=day_prices(JIANGSU_SUMMER, JIANGSU_RATIOS)[grid.hour],
        export_price_cny_per_kwh=np.zeros(n),
        ef_kg_per_kwh=np.full(n, 0.58),
        demand_charge_cny_per_kw_month=rate,
    )


def _factory_load(grid, seed: int) -> np.ndarray:
    """A shift-pattern load with hour-to-hour noise and spikes [kW]."""
    rng = np.random.default_rng(seed)
    hour = grid.hour + grid.step_h * 0  # float hours of the step start
    base = np.where((hour >= 6) & (hour < 22), 3000.0, 1000.0)
    return base + rng.normal(0.0, 300.0, grid.n_steps) * (base > 2000.0)


def _bess(**kw) -> Battery:
    params = {
        "name": "bess",
        "capacity_kwh": 1000.0,
        "rated_power_kw": 500.0,
        "dispatch": "tou_arbitrage",
        "cycles_per_day": 2,
        **kw,
    }
    return Battery(BatteryParams(**params))


def _request(bess, grid, net, rate):
    ctx = make_ctx(grid, net, _signals(grid, rate))
    return tou_request(bess, ctx, net, np.full(grid.n_steps, np.inf))


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    cut=st.integers(1, DAYS * 24 - 1),
    rate=st.sampled_from([0.0, 40.0]),
    step=st.sampled_from(["1h", "15min"]),
)
def test_controller_is_causal(seed, cut, rate, step):
    """No peeking: changing the load from a step on leaves every earlier request as it was."""
    grid = make_grid(step=step, days=DAYS)
    k = cut * grid.steps_per_hour
    net = _factory_load(grid, seed)
    other = net.copy()
    other[k:] = _factory_load(grid, seed + 1)[k:] * 1.3
    bess = _bess()
    a = _request(bess, grid, net, rate)
    b = _request(bess, grid, other, rate)
    assert np.array_equal(a[:k], b[:k])
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("rate", [0.0, 40.0])
def test_request_is_feasible_as_it_stands(rate):
    """The loop applies the kernel's arithmetic: simulate_soc reproduces its request exactly."""
    grid = make_grid(days=DAYS)
    net = _factory_load(grid, 3)
    bess = _bess(self_discharge_frac_per_day=0.01)
    req = _request(bess, grid, net, rate)
    ch, dis, soc = simulate_soc(
        req,
        capacity_kwh=1000.0,
        soc_initial_kwh=bess.soc_initial_kwh,
        soc_min_kwh=50.0,
        soc_max_kwh=950.0,
        charge_power_max_kw=500.0,
        discharge_power_max_kw=500.0,
        efficiency_charge_frac=bess.params.efficiency_charge_frac,
        efficiency_discharge_frac=bess.params.efficiency_discharge_frac,
        self_discharge_frac_per_step=bess.self_discharge_frac_per_step(1.0),
        step_h=1.0,
    )
    assert np.array_equal(dis - ch, req)
    # and the flows the battery uses without running the kernel again are the kernel's
    ctx = make_ctx(grid, net, _signals(grid, rate))
    flows = tou_flows(bess, ctx, net, np.full(grid.n_steps, np.inf))
    for mine, kernel in zip(flows, (ch, dis, soc), strict=True):
        assert np.array_equal(mine, kernel)


def test_demand_charge_holds_the_month_peak():
    """A spike of 400 kW at 19 h every day, in a plateau of 3000 kW (2000 kW
    over the 11-13 valley): with a demand charge the controller keeps the
    energy for it and July's import never exceeds the plateau (the run starts
    on 28 June: the days without history, which hold the current value as
    their forecast, set June's peak); without one it still cycles twice a
    day."""
    grid = make_grid(start="2025-06-28", days=DAYS)
    hour = grid.hour
    net = np.select(
        [(hour >= 11) & (hour < 13), (hour >= 6) & (hour < 22)], [2000.0, 3000.0], 1000.0
    ) + np.where(hour == 19, 400.0, 0.0)
    bess = _bess()
    held = _request(bess, grid, net, 40.0)
    july = grid.month == 7
    assert (net - held)[july].max() <= 3000.0 + 1e-6
    assert (net - held)[~july].max() < 3400.0
    assert np.abs(held).sum() > 0.0
    free = _request(bess, grid, net, 0.0)
    cycles = free.clip(0.0).sum() / (DAYS * bess.usable_energy_kwh * 0.85**0.5)
    assert cycles == pytest.approx(2.0, rel=0.05)


def test_forecast_profile_uses_earlier_days_only():
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0], [7.0, 0.0]])
    f, fh, has, phi = forecast_profile(x, days=2)
    assert has.tolist() == [False, True, True, True]
    assert_allclose(f[1:], [[1.0, 2.0], [2.0, 4.0], [4.0, 5.0]])
    assert_allclose(fh[1:], [[1.0, 2.0], [3.0, 6.0], [5.0, 6.0]])
    assert_allclose(f[0], 0.0) and phi[0] == 1.0  # no history: the current value held
    # each row's forecast ignores its own and later rows
    y = x.copy()
    y[2:] = 100.0
    f2, fh2, _, phi2 = forecast_profile(y, days=2)
    assert_allclose(f2[:3], f[:3]) and assert_allclose(fh2[:3], fh[:3])
    assert_allclose(phi2[:3], phi[:3])
    assert np.all((phi >= 0.0) & (phi <= 1.0))


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.floats(-500.0, 3000.0), min_size=1, max_size=12),
    st.floats(0.0, 5000.0),
    st.floats(1.0, 800.0),
    st.sampled_from([1.0, 0.25]),
)
def test_shave_level_delivers_the_energy(values, energy, power, step_h):
    """The level's delivered energy is the energy given (or all the row can take)."""
    x = np.array([values])
    level = float(shave_levels_kw(x, energy, power_max_kw=power, step_h=step_h)[0])
    assert level >= 0.0
    delivered = float(np.clip(x - level, 0.0, power).sum()) * step_h
    most = float(np.clip(x, 0.0, power).sum()) * step_h
    assert delivered == pytest.approx(min(energy, most), rel=1e-9, abs=1e-6)
    if energy < most:
        # the lowest such level: a little lower delivers more than the energy
        lower = float(np.clip(x - (level - 1e-3), 0.0, power).sum()) * step_h
        assert lower > energy - 1e-6
    # the controller's plain-float version delivers the same (where the power limit
    # makes the delivery flat, any level on the flat part is one)
    other = fill_level_kw(np.array(values, dtype=float), energy, power, step_h)
    assert float(np.clip(x - other, 0.0, power).sum()) * step_h == pytest.approx(
        delivered, rel=1e-9, abs=1e-6
    )


@pytest.mark.parametrize(
    ("rate", "step", "kw"),
    [
        (0.0, "1h", {}),
        (40.0, "1h", {"self_discharge_frac_per_day": 0.01}),
        (40.0, "15min", {"allow_export": True}),
        (40.0, "1h", {"grid_charging": False}),
    ],
)
def test_compiled_loop_equals_the_python_loop(compiled_loops, rate, step, kw):
    """The loop numba compiles for sweeps gives the Python loop's flows bit for bit
    (surplus hours, a demand charge, self-discharge, export and no grid charging)."""
    from twin.kernels import compiled_kernels, enable_compiled_kernels

    grid = make_grid(step=step, days=DAYS)
    net = _factory_load(grid, 11) - np.where((grid.hour >= 11) & (grid.hour < 14), 3600.0, 0.0)
    bess = _bess(**kw)
    ctx = make_ctx(grid, net, _signals(grid, rate))
    cap = np.full(grid.n_steps, 4000.0)
    compiled = tou_flows(bess, ctx, net, cap)
    assert compiled_kernels()
    enable_compiled_kernels(False)
    plain = tou_flows(bess, ctx, net, cap)
    for a, b in zip(compiled, plain, strict=True):
        assert a.dtype == b.dtype == np.float64
        assert np.array_equal(a, b)
    assert plain[0].sum() > 0.0 and plain[1].sum() > 0.0
