"""The zone component: wiring of params to the kernel, solar gains, gains
from other components, unmet hours, bad input, step-length consistency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest
from twin.components.base_load import BaseLoad
from twin.components.hvac_psychrometrics import (
    humidity_ratio_from_relative_humidity,
    saturation_pressure_pa,
    wet_bulb_temp_c,
)
from twin.components.hvac_rc import steady_state_heat_flow_w
from twin.components.hvac_solar import (
    facade_irradiance,
    glazing_angular_factor,
    sky_radiation_loss_w,
    window_solar_gain_w,
)
from twin.components.hvac_zone import Zone

from twin.component import Direction, Role, RunContext, Site
from twin.config import config_from_dict
from twin.errors import ConfigError
from twin.simulate import weather_on_grid
from twin.timegrid import TimeGrid

ANNUAL_STEP_RTOL = 0.01
"""15-minute vs hourly annual heating and cooling (issue requirement for energies)."""


def context(weather, step="1h", start="2025-01-01", days=365, tz="Asia/Shanghai") -> RunContext:
    per_h = int(pd.Timedelta("1h") / pd.Timedelta(step))
    grid = TimeGrid(pd.Timestamp(start, tz=tz), pd.Timedelta(step), days * 24 * per_h)
    loc = weather.location
    site = Site(loc.name, loc.latitude_deg, loc.longitude_deg, loc.elevation_m)
    return RunContext(
        grid,
        site,
        weather_on_grid(weather.frame, grid),
        np.zeros(grid.n_steps, np.int8),
        None,
        np.random.SeedSequence(3),
    )


def zone(**changes) -> Zone:
    params = Zone.example_params() | changes
    return Zone(Zone.Params(**params))


# -- psychrometrics and solar helpers ------------------------------------------


def test_saturation_pressure_matches_ashrae_table():
    # ASHRAE Fundamentals 2017 ch. 1 table 3: 0 °C 0.6112 kPa, 20 °C 2.3392 kPa, -10 °C (ice) 0.2600 kPa
    np.testing.assert_allclose(
        saturation_pressure_pa([0.0, 20.0, -10.0]), [611.2, 2339.2, 260.0], rtol=2e-3
    )


def test_wet_bulb_is_consistent_with_the_humidity_ratio():
    twb = wet_bulb_temp_c(np.array([30.0, 35.0, 5.0]), np.array([0.5, 1.0, 0.3]))
    assert twb[1] == pytest.approx(35.0, abs=1e-3)
    assert 21.5 < twb[0] < 22.5  # psychrometric chart: 30 °C, 50 % -> about 22 °C
    assert twb[2] < 5.0
    w = humidity_ratio_from_relative_humidity(30.0, 0.5)
    assert 0.0130 < float(w) < 0.0135


def test_facade_irradiance_is_pvlib_transposition(suzhou_weather):
    ctx = context(suzhou_weather, days=10, start="2025-06-01")
    south = facade_irradiance(ctx, 90.0, 180.0)
    from twin.components.pv import _shared_solar_geometry

    sun = _shared_solar_geometry(ctx)
    w = ctx.weather
    ref = pvlib.irradiance.get_total_irradiance(
        90.0,
        180.0,
        sun.apparent_zenith_deg,
        sun.azimuth_deg,
        w["dni_w_per_m2"],
        w["ghi_w_per_m2"],
        w["dhi_w_per_m2"],
        dni_extra=sun.dni_extra_w_per_m2,
        airmass=sun.airmass_relative,
        albedo=0.2,
        model="perez",
    )
    expected = np.where(sun.sun_up, np.nan_to_num(np.asarray(ref["poa_global"])), 0.0)
    np.testing.assert_allclose(south.global_w_per_m2, np.maximum(expected, 0.0), atol=1e-6)
    assert facade_irradiance(ctx, 90.0, 180.0) is south  # cached per run


def test_window_gain_and_glazing_angles(suzhou_weather):
    assert glazing_angular_factor(0.0) == pytest.approx(1.0)
    assert glazing_angular_factor(90.0) == 0.0
    curve = glazing_angular_factor(np.linspace(0, 90, 91))
    assert np.all(curve <= 1.0) and np.all(np.diff(curve[40:]) < 0.0)
    ctx = context(suzhou_weather, days=3, start="2025-06-01")
    plane = facade_irradiance(ctx, 90.0, 180.0)
    gain = window_solar_gain_w(plane, 10.0, 0.6, frame_frac=0.2, shading_factor_frac=0.5)
    assert np.all(gain >= 0.0)
    assert np.all(gain <= 10.0 * 0.6 * 0.8 * 0.5 * plane.global_w_per_m2 + 1e-9)
    # the sky sees a roof fully, a wall half, a floor not at all
    assert sky_radiation_loss_w(10.0, 1.0, 0.0) == pytest.approx(
        2 * sky_radiation_loss_w(10.0, 1.0, 90.0)
    )
    assert sky_radiation_loss_w(10.0, 1.0, 180.0) == pytest.approx(0.0)


# -- the component ---------------------------------------------------------------


def test_ports_follow_the_buses():
    z = zone()
    ports = {p.name: p for p in z.ports()}
    assert ports["heating"].bus == "hot_water" and ports["heating"].direction is Direction.IN
    assert ports["cooling"].bus == "chilled_water" and ports["cooling"].role is Role.USE
    assert ports["el"].carrier.name == "electricity"
    bare = zone(heat_bus="none", electricity_bus="none")  # TOML has no null
    assert {p.name for p in bare.ports()} == {"cooling"}


def test_steady_winter_night_matches_the_analytic_heat_loss(suzhou_weather):
    # no sun, no gains, constant outdoor air: the zone reaches the network's steady state
    ctx = context(suzhou_weather, days=40)
    ctx.weather = {
        **ctx.weather,
        "temp_air_c": np.full(ctx.grid.n_steps, -2.0),
        "ghi_w_per_m2": np.zeros(ctx.grid.n_steps),
        "dni_w_per_m2": np.zeros(ctx.grid.n_steps),
        "dhi_w_per_m2": np.zeros(ctx.grid.n_steps),
    }
    z = zone(
        windows=[],
        ventilation_m3_per_h=0.0,
        lighting_w_per_m2=0.0,
        equipment_w_per_m2=0.0,
        people_w_per_m2=0.0,
        heating_set_unoccupied_c=None,
        cooling_set_unoccupied_c=None,
        heating_capacity_kw=None,
        sky_temp_difference_k=0.0,
    )
    f = z.compute(ctx)
    p = z.params
    h_ve = p.air_heat_capacity_j_per_m3_k / 3600.0 * p.volume_m3 * p.infiltration_air_changes_per_h
    expected_kw = steady_state_heat_flow_w(20.0, -2.0, z.conductances, h_ve) / 1000.0
    assert f.ports["heating"][-1] == pytest.approx(expected_kw, rel=1e-9)
    assert f.outputs["temp_air_c"][-1] == pytest.approx(20.0)


def test_gains_from_other_components(suzhou_weather):
    ctx = context(suzhou_weather, days=3, start="2025-07-01")
    machines = BaseLoad(BaseLoad.Params(name="machines", demand_kw=50.0))
    ctx._record("machines", machines.ports(), machines.compute(ctx))
    base = zone().compute(ctx)
    z = zone(gains_from=[{"component": "machines", "port": "el", "frac": 0.8}])
    warmer = z.compute(ctx)
    extra = warmer.outputs["internal_gains_kw"] - base.outputs["internal_gains_kw"]
    np.testing.assert_allclose(extra, 40.0)
    assert warmer.ports["cooling"].sum() > base.ports["cooling"].sum()


def test_missing_gain_source_or_output_is_a_clear_error(suzhou_weather):
    ctx = context(suzhou_weather, days=1)
    with pytest.raises(
        ConfigError, match=r"gains_from\[0\]\.component: no component named 'stamping'"
    ):
        zone(gains_from=["stamping"]).compute(ctx)
    machines = BaseLoad(BaseLoad.Params(name="machines", demand_kw=50.0))
    ctx._record("machines", machines.ports(), machines.compute(ctx))
    with pytest.raises(ConfigError, match="has no output 'heat_to_zone_kw'.*ports \\(el\\)"):
        zone(gains_from=["machines"]).compute(ctx)


def test_emitter_capacity_gives_unmet_hours(suzhou_weather):
    ctx = context(suzhou_weather, days=31, start="2025-01-01")
    small = zone(heating_capacity_kw=5.0)
    f = small.compute(ctx)
    k = small.kpis(f, ctx.grid)
    assert f.ports["heating"].max() <= 5.0 + 1e-9
    assert k["unmet_heating_h"] > 0
    unmet = f.outputs["unmet_heating_frac"] > 0
    assert np.all(f.outputs["temp_air_c"][unmet] < f.outputs["heating_set_c"][unmet] - 0.2)
    assert np.all(f.outputs["heating_need_kw"][unmet] > 5.0)
    ideal = zone(heating_capacity_kw=None)
    assert ideal.kpis(ideal.compute(ctx), ctx.grid)["unmet_heating_h"] == 0.0


def test_no_negative_loads_and_set_points_hold(suzhou_weather):
    ctx = context(suzhou_weather, days=365)
    z = zone(heating_capacity_kw=None, cooling_capacity_kw=None)
    f = z.compute(ctx)
    for name in ("heating", "cooling", "el"):
        assert f.ports[name].min() >= 0.0
    assert not np.any((f.ports["heating"] > 0) & (f.ports["cooling"] > 0))
    t = f.outputs["temp_air_c"]
    assert np.all(t >= f.outputs["heating_set_c"] - 1e-6)
    assert np.all(t <= f.outputs["cooling_set_c"] + 1e-6)


def test_heat_recovery_lowers_heating(suzhou_weather):
    ctx = context(suzhou_weather, days=59)
    without = zone(ventilation_heat_recovery_frac=0.0).compute(ctx).ports["heating"].sum()
    with_hr = zone(ventilation_heat_recovery_frac=0.7).compute(ctx).ports["heating"].sum()
    assert with_hr < 0.9 * without


def test_fifteen_minutes_and_hourly_agree_over_a_year(suzhou_weather):
    hourly = context(suzhou_weather, step="1h")
    quarter = context(suzhou_weather, step="15min")
    z = zone()
    kh = z.kpis(z.compute(hourly), hourly.grid)
    kq = z.kpis(z.compute(quarter), quarter.grid)
    assert kq["heating_kwh"] == pytest.approx(kh["heating_kwh"], rel=ANNUAL_STEP_RTOL)
    assert kq["cooling_kwh"] == pytest.approx(kh["cooling_kwh"], rel=ANNUAL_STEP_RTOL)


# -- bad input -------------------------------------------------------------------

BASE = {
    "plant": {"name": "z"},
    "weather": {"site": "suzhou-tmyx"},
    "grid_connection": {
        "name": "grid",
        "import_limit_kw": 1000.0,
        "tariff": {"preset": "jiangsu", "floating_price_cny_per_kwh": 0.4},
        "emission_factor": {"ef_kg_per_kwh": 0.58},
    },
}


def _config_with_zone(**changes):
    z = Zone.example_params() | changes
    return config_from_dict({**BASE, "hvac_zone": [z]})


def test_u_value_must_be_positive():
    opaque = Zone.example_params()["opaque"]
    bad = [dict(opaque[0], u_w_per_m2_k=0.0), *opaque[1:]]
    with pytest.raises(
        ConfigError, match=r"hvac_zone\[0\]\.opaque\[0\]\.u_w_per_m2_k: expected > 0(\.0)?, got 0"
    ):
        _config_with_zone(opaque=bad)
    window = dict(Zone.example_params()["windows"][0], u_w_per_m2_k=-1.0)
    with pytest.raises(
        ConfigError, match=r"windows\[0\]\.u_w_per_m2_k: expected > 0(\.0)?, got -1"
    ):
        _config_with_zone(windows=[window])


def test_heating_set_point_above_cooling_is_an_error():
    with pytest.raises(
        ConfigError,
        match=r"hvac_zone\[0\]: heating_set_c = 27.0 °C is above "
        r"cooling_set_c = 24.0 °C.*lower heating_set_c",
    ):
        _config_with_zone(heating_set_c=27.0, cooling_set_c=24.0)
    with pytest.raises(ConfigError, match="heating_set_unoccupied_c = 25.0 °C is above"):
        _config_with_zone(heating_set_unoccupied_c=25.0, cooling_set_unoccupied_c=22.0)


def test_duplicated_element_names_are_an_error():
    opaque = Zone.example_params()["opaque"]
    with pytest.raises(ConfigError, match="duplicated: roof"):
        _config_with_zone(opaque=[*opaque, dict(opaque[2])])
