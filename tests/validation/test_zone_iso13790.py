"""The zone model against analytic solutions of its network (ISO 13790 Annex C).

With the example's production hall (configs/hvac_example.toml) under
constant outdoor air, no sun and no gains:

- the heating that holds 18 °C equals the analytic steady-state heat loss
  of the 5R1C network, (H_ve + 1/(1/H_tr,is + 1/(H_tr,w + H_tr,op)))·ΔT,
  and lies within 6 % below the textbook (ΣUA + H_ve)·ΔT (the air-to-
  surface coupling h_is·A_t in series);
- after a step in outdoor temperature, the free-floating mass temperature
  relaxes exponentially with the time constant C_m/H, H = H_tr,em + H_3.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest
from twin.components.hvac_rc import steady_state_heat_flow_w, time_constant_h
from twin.components.hvac_zone import Zone

from tests.conftest import ROOT
from twin.component import RunContext, Site
from twin.timegrid import TimeGrid

STEADY_RTOL = 1e-6
"""After 60 days (> 20 time constants) the transient is below 1e-8 of ΔT."""

UA_GAP_MAX = 0.06
"""The series air-to-surface coupling H_tr,is = 3.45 W/(m²K) × 28,600 m²
lowers the hall's transmission loss (ΣUA = 11.9 kW/K) by H_tr/(H_tr +
H_tr,is) = 10.8 %, and its total loss with infiltration (12 kW/K) by 5.4 %."""

TAU_RTOL = 0.01
"""Hourly Crank-Nicolson at Δt/τ ≈ 0.03: its exponential-fit error is far
below 1 %."""


def _hall_params(**changes) -> dict:
    raw = tomllib.loads((ROOT / "configs" / "hvac_example.toml").read_text(encoding="utf-8"))
    hall = next(z for z in raw["hvac_zone"] if z["name"] == "hall")
    hall = {k: v for k, v in hall.items() if k != "gains_from"}
    hall.update(ventilation_m3_per_h=0.0, lighting_w_per_m2=0.0, people_w_per_m2=0.0,
                heating_set_unoccupied_c=None, cooling_set_unoccupied_c=None,
                heating_capacity_kw=None, cooling_capacity_kw=None, sky_temp_difference_k=0.0,
                electricity_bus=None)
    hall.update(changes)
    return hall


def _dark_context(temp_out_c: np.ndarray) -> RunContext:
    n = temp_out_c.size
    grid = TimeGrid(pd.Timestamp("2025-01-01", tz="Asia/Shanghai"), pd.Timedelta("1h"), n)
    zeros = np.zeros(n)
    weather = {"temp_air_c": temp_out_c, "ghi_w_per_m2": zeros, "dni_w_per_m2": zeros,
               "dhi_w_per_m2": zeros, "relative_humidity_frac": zeros + 0.7,
               "wind_speed_m_per_s": zeros}
    return RunContext(grid, Site("suzhou", 31.27, 120.62, 19.0), weather,
                      np.zeros(n, np.int8), None, np.random.SeedSequence(0))


def test_steady_state_heat_loss_of_the_hall():
    zone = Zone(Zone.Params(**_hall_params(heating_set_c=18.0, cooling_set_c=40.0)))
    ctx = _dark_context(np.full(60 * 24, -3.0))
    heating_kw = zone.compute(ctx).ports["heating"]
    p = zone.params
    h_ve = p.air_heat_capacity_j_per_m3_k / 3600.0 * p.volume_m3 * p.infiltration_air_changes_per_h
    analytic_kw = steady_state_heat_flow_w(18.0, -3.0, zone.conductances, h_ve) / 1000.0
    assert heating_kw[-1] == pytest.approx(analytic_kw, rel=STEADY_RTOL)
    textbook_kw = (p.opaque_w_per_k + p.window_w_per_k + h_ve) * 21.0 / 1000.0
    assert 0.0 < 1.0 - heating_kw[-1] / textbook_kw < UA_GAP_MAX


def test_free_floating_time_constant_of_the_hall():
    zone = Zone(Zone.Params(**_hall_params(heat_bus=None, cooling_bus=None)))
    hours = 40 * 24
    temp_out = np.where(np.arange(hours) < 24, 20.0, 0.0)  # warm first day, then a step
    out = zone.compute(_dark_context(temp_out)).outputs
    p = zone.params
    h_ve = p.air_heat_capacity_j_per_m3_k / 3600.0 * p.volume_m3 * p.infiltration_air_changes_per_h
    tau = time_constant_h(p.heat_capacity_j_per_k, zone.conductances, h_ve)
    m = out["temp_mass_end_c"][24:]
    t = np.arange(1, m.size + 1, dtype=np.float64)
    keep = (m > 1e-3) & (t < 5 * tau)
    slope = np.polyfit(t[keep], np.log(m[keep]), 1)[0]
    assert -1.0 / slope == pytest.approx(tau, rel=TAU_RTOL)
    assert 10.0 < tau < 100.0  # a concrete-slab hall with 0.3 ach: about a day (27.7 h)
