"""Air-source heat pumps and AHU fans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from twin.components.demand_profile import DemandProfile
from twin.components.fan import Fan, fan_power_kw
from twin.components.heat_pump import (
    HEAT_PUMP_CURVES,
    HeatPump,
    cubic,
    defrost_multipliers,
    heat_pump_performance,
)
from twin.components.hvac_zone import Zone

from twin.component import RunContext, Site
from twin.config import config_from_dict
from twin.errors import ConfigError
from twin.simulate import weather_on_grid
from twin.timegrid import TimeGrid

CURVES = HEAT_PUMP_CURVES["energyplus_dx_heating"]


def context(weather, days=14, start="2025-01-10", heat_kw=None) -> RunContext:
    grid = TimeGrid(pd.Timestamp(start, tz="Asia/Shanghai"), pd.Timedelta("1h"), days * 24)
    loc = weather.location
    ctx = RunContext(
        grid,
        Site(loc.name, loc.latitude_deg, loc.longitude_deg, loc.elevation_m),
        weather_on_grid(weather.frame, grid),
        np.zeros(grid.n_steps, np.int8),
        None,
        np.random.SeedSequence(5),
    )
    if heat_kw is not None:
        demand = DemandProfile(
            DemandProfile.Params(
                name="load", carrier="heat", bus="hot_water", demand_kw={"weekday": list(heat_kw)}
            )
        )
        ctx._record("load", demand.ports(), demand.compute(ctx))
    return ctx


def test_energyplus_curves_are_normalised_at_8_33_c():
    # HPACHeatCapFT and HPACHeatEIRFT equal 1 at the 47 °F rating point (to 0.2 %)
    assert float(cubic(CURVES.capft, 8.33)) == pytest.approx(1.0, abs=2e-3)
    assert float(cubic(CURVES.eirft, 8.33)) == pytest.approx(1.0, abs=2e-3)


def test_capacity_and_cop_fall_with_outdoor_temperature():
    t = np.array([-15.0, -5.0, 2.0, 7.0, 12.0])
    cap, cop = heat_pump_performance(
        t, rated_heating_capacity_kw=100.0, rated_cop=3.5, curves=CURVES, rated_outdoor_temp_c=7.0
    )
    assert cap[3] == pytest.approx(100.0) and cop[3] == pytest.approx(3.5)
    assert np.all(np.diff(cap) > 0) and np.all(np.diff(cop) > 0)


def test_defrost_only_in_cold_humid_air():
    fq, fp, fdef = defrost_multipliers(
        np.array([-2.0, 2.0, 8.0]), np.array([0.9, 0.9, 0.9]), 101325.0
    )
    assert fq[2] == 1.0 and fp[2] == 1.0 and fdef[2] == 0.0
    assert np.all(fq[:2] < 0.875 + 1e-12) and np.all(fdef[:2] > 0)
    assert np.all(fq[:2] / fp[:2] < 1.0)  # defrost costs efficiency


def test_serves_the_heat_bus_and_leaves_the_rest(suzhou_weather):
    ctx = context(suzhou_weather, heat_kw=[150.0] * 8 + [500.0] * 16)
    hp = HeatPump(HeatPump.Params(**HeatPump.example_params()))
    f = hp.compute(ctx)
    demand = ctx.net_demand("hot_water")
    assert np.all(f.ports["heat"] <= demand + 1e-9)
    np.testing.assert_allclose(f.ports["heat"] + f.outputs["unserved_kw"], demand, atol=1e-9)
    assert np.all(f.ports["heat"] <= f.outputs["capacity_kw"] + 1e-9)
    running = f.ports["heat"] > 0
    cop = f.outputs["cop"][running]
    assert np.all((cop > 1.2) & (cop < 5.0))
    k = hp.kpis(f, ctx.grid)
    assert 1.8 < k["scop"] < 4.0


def test_cut_out_temperature_stops_the_compressor(suzhou_weather):
    ctx = context(suzhou_weather, heat_kw=[100.0] * 24)
    warm = float(np.max(ctx.weather["temp_air_c"])) + 1.0
    hp = HeatPump(
        HeatPump.Params(**(HeatPump.example_params() | {"min_outdoor_temp_c": min(warm, 10.0)}))
    )
    f = hp.compute(ctx)
    cold = ctx.weather["temp_air_c"] < min(warm, 10.0)
    assert np.all(f.ports["heat"][cold] == 0.0) and np.all(f.ports["el"][cold] == 0.0)


BASE = {
    "plant": {"name": "h"},
    "weather": {"site": "suzhou-tmyx"},
    "grid_connection": {
        "name": "grid",
        "import_limit_kw": 1000.0,
        "tariff": {"preset": "jiangsu", "floating_price_cny_per_kwh": 0.4},
        "emission_factor": {"ef_kg_per_kwh": 0.58},
    },
}


def test_heat_pump_cop_must_be_positive():
    with pytest.raises(ConfigError, match=r"heat_pump\[0\]\.rated_cop: expected > 0(\.0)?, got 0"):
        config_from_dict({**BASE, "heat_pump": [HeatPump.example_params() | {"rated_cop": 0.0}]})


# -- fans --------------------------------------------------------------------


def test_fan_power_is_sfp_times_airflow():
    assert float(fan_power_kw(3600.0, 1000.0)) == pytest.approx(1.0)


def test_fan_follows_its_zone(suzhou_weather):
    ctx = context(suzhou_weather, days=3)
    z = Zone(Zone.Params(**Zone.example_params()))
    ctx._record("office", z.ports(), z.compute(ctx))
    fan = Fan(Fan.Params(name="ahu", specific_fan_power_w_per_m3_per_s=1500.0, zone="office"))
    f = fan.compute(ctx)
    flow = ctx.flows("office").outputs["ventilation_m3_per_h"]
    np.testing.assert_allclose(f.ports["el"], 1500.0 * flow / 3600.0 / 1000.0)
    missing = Fan(Fan.Params(name="ahu", specific_fan_power_w_per_m3_per_s=1500.0, zone="hall"))
    with pytest.raises(ConfigError, match="fan\\[ahu\\].zone: no zone named 'hall'"):
        missing.compute(ctx)


def test_fan_needs_one_airflow_source():
    with pytest.raises(ConfigError, match="give exactly one of zone"):
        config_from_dict(
            {**BASE, "fan": [{"name": "f", "specific_fan_power_w_per_m3_per_s": 1000.0}]}
        )
