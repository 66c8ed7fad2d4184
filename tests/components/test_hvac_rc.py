"""The ISO 13790 5R1C kernel on its own: steady state, time constant, energy
balance per step, no negative loads, step-length consistency, the C.13
demand rule and the capacity limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twin.components.hvac_rc import (
    H_IS_W_PER_M2_K,
    H_MS_W_PER_M2_K,
    INTERNAL_AREA_PER_FLOOR_AREA,
    MASS_CLASSES,
    conductances_5r1c,
    gain_split_5r1c,
    heat_balance_residual_w,
    periodic_mass_temp_c,
    simulate_5r1c,
    steady_state_heat_flow_w,
    time_constant_h,
)

from tests.conftest import TESTS_DATA_DIR

BALANCE_TOL_W = 1e-6
"""Per-step energy balance [W]: float64 rounding of sums of terms up to ~1e6 W."""

STEADY_RTOL = 1e-9
"""Steady state after many time constants: the decay term is below 1e-12."""

TAU_RTOL = 0.005
"""Time constant fitted from a 6-minute-step decay: Crank-Nicolson's error
at Δt/τ = 0.01 is far below 0.1 %; 0.5 % leaves room for the fit."""

A_F = 100.0
A_M = 2.5 * A_F
A_T = 4.5 * A_F
C_M = 165_000.0 * A_F
COND = conductances_5r1c(60.0, 25.0, A_M, A_T)


def _run(n, temp_out, phi_int=0.0, phi_sol=0.0, step_h=1.0, **kw):
    return simulate_5r1c(
        np.broadcast_to(np.asarray(temp_out, dtype=np.float64), (n,)).copy(),
        phi_int,
        phi_sol,
        conductances=COND,
        heat_capacity_j_per_k=C_M,
        mass_area_m2=A_M,
        internal_area_m2=A_T,
        step_h=step_h,
        **kw,
    )


def test_constants_match_the_reference_table():
    table = pd.read_csv(TESTS_DATA_DIR / "iso13790_5r1c_constants.csv", comment="#")
    values = dict(zip(table["symbol"], table["value"], strict=True))
    assert values["h_is"].startswith(str(H_IS_W_PER_M2_K))
    assert values["h_ms"].startswith(str(H_MS_W_PER_M2_K))
    assert values["A_t"] == f"{INTERNAL_AREA_PER_FLOOR_AREA}*A_f"
    assert values["C_m/A_f"].startswith(str(int(MASS_CLASSES["medium"][0])))
    assert values["A_m"].startswith(f"{MASS_CLASSES['medium'][1]}*A_f")


def test_steady_state_heat_loss_is_the_analytic_one():
    # constant 0 °C outside, held at 20 °C: the network's analytic heat loss
    h_ve = 40.0
    r = _run(3000, 0.0, ventilation_w_per_k=h_ve, temp_heat_set_c=20.0, temp_mass_initial_c=0.0)
    expected = steady_state_heat_flow_w(20.0, 0.0, COND, h_ve)
    np.testing.assert_allclose(r.phi_hc_w[-1], expected, rtol=STEADY_RTOL)
    np.testing.assert_allclose(r.temp_air_c[-1], 20.0, rtol=STEADY_RTOL)
    # with a very strong air-surface coupling it tends to the plain (ΣUA + H_ve)·ΔT
    ua = COND.window_w_per_k + COND.opaque_w_per_k
    stiff = conductances_5r1c(COND.opaque_w_per_k, COND.window_w_per_k, A_M, A_T * 1e6)
    np.testing.assert_allclose(
        steady_state_heat_flow_w(20.0, 0.0, stiff, h_ve), (ua + h_ve) * 20.0, rtol=1e-5
    )


def test_free_floating_response_has_time_constant_c_over_h():
    h_ve = 30.0
    step_h = 0.1
    n = int(10 * time_constant_h(C_M, COND, h_ve) / step_h)
    r = _run(n, 10.0, step_h=step_h, ventilation_w_per_k=h_ve, temp_mass_initial_c=20.0)
    t_h = (np.arange(n) + 1) * step_h
    excess = r.temp_mass_end_c - 10.0
    keep = excess > 1e-6
    slope = np.polyfit(t_h[keep], np.log(excess[keep]), 1)[0]
    tau = time_constant_h(C_M, COND, h_ve)
    h = COND.exterior_mass_w_per_k + (
        (
            H := h_ve * COND.surface_air_w_per_k / (h_ve + COND.surface_air_w_per_k)
            + COND.window_w_per_k
        )
        * COND.mass_surface_w_per_k
        / (H + COND.mass_surface_w_per_k)
    )
    assert tau == pytest.approx(C_M / h / 3600.0)
    assert -1.0 / slope == pytest.approx(tau, rel=TAU_RTOL)


def test_energy_balance_at_every_step_with_real_looking_inputs(rng):
    n = 24 * 60
    hours = np.arange(n)
    temp_out = 5.0 + 10.0 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 2, n)
    phi_int = 2000.0 * (hours % 24 > 8) + 300.0
    phi_sol = np.maximum(0.0, 4000.0 * np.sin(2 * np.pi * (hours - 6) / 24)) - 150.0
    h_ve = 20.0 + 60.0 * (hours % 24 > 8)
    kw = dict(
        ventilation_w_per_k=h_ve,
        temp_heat_set_c=np.where(hours % 24 > 7, 20.0, 16.0),
        temp_cool_set_c=26.0,
        phi_heat_max_w=6000.0,
        phi_cool_max_w=3000.0,
        temp_mass_initial_c=15.0,
    )
    r = _run(n, temp_out, phi_int, phi_sol, **kw)
    res = heat_balance_residual_w(
        r,
        temp_out,
        phi_int,
        phi_sol,
        conductances=COND,
        heat_capacity_j_per_k=C_M,
        mass_area_m2=A_M,
        internal_area_m2=A_T,
        step_h=1.0,
        ventilation_w_per_k=h_ve,
        temp_mass_initial_c=15.0,
    )
    assert np.max(np.abs(res)) < BALANCE_TOL_W


@settings(max_examples=40, deadline=None)
@given(
    temp_out=st.lists(st.floats(-30, 45), min_size=5, max_size=60),
    phi_int=st.floats(0, 20_000),
    phi_sol=st.floats(-500, 20_000),
    h_ve=st.floats(0, 500),
    heat_set=st.floats(5, 24),
    band=st.floats(0, 10),
    heat_max=st.floats(0, 20_000),
    cool_max=st.floats(0, 20_000),
    step_h=st.sampled_from([1.0, 0.5, 0.25]),
)
def test_invariants_balance_bounds_and_no_negative_loads(
    temp_out, phi_int, phi_sol, h_ve, heat_set, band, heat_max, cool_max, step_h
):
    n = len(temp_out)
    kw = dict(
        ventilation_w_per_k=h_ve,
        temp_heat_set_c=heat_set,
        temp_cool_set_c=heat_set + band,
        phi_heat_max_w=heat_max,
        phi_cool_max_w=cool_max,
        temp_mass_initial_c=18.0,
    )
    r = _run(n, np.asarray(temp_out), phi_int, phi_sol, step_h=step_h, **kw)
    heating = np.maximum(r.phi_hc_w, 0.0)
    cooling = np.maximum(-r.phi_hc_w, 0.0)
    assert np.all(heating <= heat_max + 1e-9) and np.all(cooling <= cool_max + 1e-9)
    # heating only below the heating set point, cooling only above the cooling one
    assert np.all((heating == 0.0) | (r.temp_air_c <= heat_set + 1e-6))
    assert np.all((cooling == 0.0) | (r.temp_air_c >= heat_set + band - 1e-6))
    # within capacity the set points hold; the need is never smaller than what is delivered
    assert np.all(np.abs(r.phi_hc_need_w) >= np.abs(r.phi_hc_w) - 1e-9)
    held = np.abs(r.phi_hc_need_w - r.phi_hc_w) < 1e-9
    at_limit = (np.abs(heating - heat_max) < 1e-9) | (np.abs(cooling - cool_max) < 1e-9)
    assert np.all(held | at_limit)
    inside = held & (r.phi_hc_w != 0.0)
    assert np.all(
        (r.temp_air_c[inside] > heat_set - 1e-6) & (r.temp_air_c[inside] < heat_set + band + 1e-6)
    )
    res = heat_balance_residual_w(
        r,
        np.asarray(temp_out),
        phi_int,
        phi_sol,
        conductances=COND,
        heat_capacity_j_per_k=C_M,
        mass_area_m2=A_M,
        internal_area_m2=A_T,
        step_h=step_h,
        ventilation_w_per_k=h_ve,
        temp_mass_initial_c=18.0,
    )
    assert np.max(np.abs(res)) < 1e-5 * (1.0 + phi_int + abs(phi_sol) + heat_max + cool_max)


def _literal_iso_c13(theta_e, phi_int, phi_sol, h_ve, set_h, set_c, a_f, m_prev):
    """ISO 13790 C.4.2 step by step as written: evaluate with 0 and 10 W/m²,
    interpolate (a direct transcription for comparison)."""
    common = dict(
        conductances=COND,
        heat_capacity_j_per_k=C_M,
        mass_area_m2=A_M,
        internal_area_m2=A_T,
        step_h=1.0,
        ventilation_w_per_k=h_ve,
        temp_mass_initial_c=m_prev,
    )
    r0 = simulate_5r1c(np.array([theta_e]), phi_int, phi_sol, **common)  # no heating, no cooling
    theta0 = float(r0.temp_air_c[0])
    if set_h <= theta0 <= set_c:
        return 0.0
    # exactly 10 W/m² of heating: a set point far above and a capacity of 10 A_f
    r10 = simulate_5r1c(
        np.array([theta_e]),
        phi_int,
        phi_sol,
        temp_heat_set_c=1e6,
        phi_heat_max_w=10.0 * a_f,
        **common,
    )
    theta10 = float(r10.temp_air_c[0])
    target = set_h if theta0 < set_h else set_c
    return 10.0 * a_f * (target - theta0) / (theta10 - theta0)


@pytest.mark.parametrize(
    "theta_e, phi_sol, m_prev", [(-5.0, 0.0, 15.0), (32.0, 8000.0, 27.0), (12.0, 1000.0, 21.0)]
)
def test_closed_form_demand_equals_iso_c13_interpolation(theta_e, phi_sol, m_prev):
    kw = dict(
        ventilation_w_per_k=35.0,
        temp_heat_set_c=20.0,
        temp_cool_set_c=26.0,
        temp_mass_initial_c=m_prev,
    )
    r = _run(1, theta_e, 800.0, phi_sol, **kw)
    expected = _literal_iso_c13(theta_e, 800.0, phi_sol, 35.0, 20.0, 26.0, A_F, m_prev)
    assert r.phi_hc_w[0] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_fifteen_minute_steps_agree_with_hourly():
    hours = 24 * 20
    temp_h = 3.0 + 8.0 * np.sin(2 * np.pi * np.arange(hours) / 24)
    gains_h = 1500.0 * (np.arange(hours) % 24 > 8) + np.maximum(
        0.0, 5000.0 * np.sin(2 * np.pi * (np.arange(hours) - 6) / 24)
    )
    kw = dict(
        ventilation_w_per_k=40.0,
        temp_heat_set_c=20.0,
        temp_cool_set_c=24.0,
        temp_mass_initial_c=18.0,
    )
    hourly = _run(hours, temp_h, gains_h, 0.0, step_h=1.0, **kw)
    quarter = _run(hours * 4, np.repeat(temp_h, 4), np.repeat(gains_h, 4), 0.0, step_h=0.25, **kw)
    heat_h = np.maximum(hourly.phi_hc_w, 0).sum()
    heat_q = np.maximum(quarter.phi_hc_w, 0).sum() / 4
    cool_h = np.maximum(-hourly.phi_hc_w, 0).sum()
    cool_q = np.maximum(-quarter.phi_hc_w, 0).sum() / 4
    assert heat_q == pytest.approx(heat_h, rel=0.01)
    assert cool_q == pytest.approx(cool_h, rel=0.01)
    np.testing.assert_allclose(quarter.temp_mass_end_c[3::4], hourly.temp_mass_end_c, atol=0.1)


def test_capacity_limit_lets_the_zone_float():
    r = _run(
        500,
        -10.0,
        ventilation_w_per_k=50.0,
        temp_heat_set_c=20.0,
        phi_heat_max_w=1000.0,
        temp_mass_initial_c=0.0,
    )
    assert np.all(r.phi_hc_w <= 1000.0 + 1e-9)
    assert r.phi_hc_w[-1] == pytest.approx(1000.0)
    assert r.temp_air_c[-1] < 20.0 - 1.0
    assert r.phi_hc_need_w[-1] > 1000.0


def test_gain_split_keeps_iso_shares():
    ia, st_, m, glazing = gain_split_5r1c(1000.0, 2000.0, 25.0, A_M, A_T)
    assert ia == pytest.approx(500.0)
    assert m == pytest.approx(A_M / A_T * 2500.0)
    assert glazing == pytest.approx(25.0 / (9.1 * A_T) * 2500.0)
    assert ia + st_ + m + glazing == pytest.approx(3000.0)


def test_warm_up_reaches_the_periodic_state():
    n = 24
    temp = 5.0 + 5.0 * np.sin(2 * np.pi * np.arange(n) / 24)

    def day(t0):
        return _run(
            n,
            temp,
            500.0,
            0.0,
            ventilation_w_per_k=30.0,
            temp_heat_set_c=18.0,
            temp_mass_initial_c=t0,
        )

    t0 = periodic_mass_temp_c(day, 0.0, max_days=200)
    assert day(t0).temp_mass_end_c[-1] == pytest.approx(t0, abs=0.02)


def test_leaky_envelope_is_rejected():
    with pytest.raises(ValueError, match="H_tr,op"):
        conductances_5r1c(5000.0, 10.0, 100.0, 450.0)
