"""The zone's air side: VAV fans, economiser, night purge, moisture and latent loads;
declared unserved demand; demand without a bus; chiller part-load limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twin.components.chiller import CHILLER_CURVES, Chiller, chiller_eir_power_kw
from twin.components.fan import VAV_FAN_CURVE_90_1, fan_part_load_power_frac
from twin.components.hvac_air import (
    AirHandler,
    economiser_capacity_w,
    economiser_enabled,
    fan_power_w,
    zone_moisture,
)
from twin.components.hvac_psychrometrics import (
    LATENT_HEAT_J_PER_KG,
    enthalpy_j_per_kg,
    humidity_ratio_from_relative_humidity,
    humidity_ratio_saturated,
)
from twin.components.hvac_zone import Zone
from twin.components.unserved_demand import UnservedDemand

from twin.carriers import CHILLED_WATER
from twin.checks import check_demand_without_bus, check_unserved_bus
from twin.component import Direction, Flows, Port, Role, RunContext, Site
from twin.config import config_from_dict
from twin.errors import ConsistencyError
from twin.simulate import weather_on_grid
from twin.timegrid import TimeGrid


def _year(weather) -> RunContext:
    grid = TimeGrid.for_year(2025, tz="Asia/Shanghai")
    loc = weather.location
    site = Site(loc.name, loc.latitude_deg, loc.longitude_deg, loc.elevation_m)
    return RunContext(
        grid,
        site,
        weather_on_grid(weather.frame, grid),
        np.zeros(grid.n_steps, np.int8),
        None,
        np.random.SeedSequence(5),
    )


@pytest.fixture(scope="module")
def year(suzhou_weather) -> RunContext:
    return _year(suzhou_weather)


AHU = {"design_airflow_m3_per_h": 40_000.0, "specific_fan_power_w_per_m3_per_s": 1500.0}


def _office(**changes) -> Zone:
    params = Zone.example_params() | {"people_latent_w_per_m2": 5.5} | changes
    return Zone(Zone.Params(**params))


# -- fans ----------------------------------------------------------------------


def test_vav_fan_curve_is_ashrae_90_1_appendix_g():
    assert VAV_FAN_CURVE_90_1 == (0.0013, 0.1470, 0.9506, -0.0998)
    x = np.linspace(0.05, 1.0, 20)
    f = fan_part_load_power_frac(x)
    assert np.all(np.diff(f) > 0.0) and np.all(f < x + 1e-12)  # always below the fan law's line
    assert float(fan_part_load_power_frac(0.0)) == 0.0


def test_constant_volume_draws_design_power_whenever_on():
    cv = AirHandler(control="constant_volume", **AHU)
    vav = AirHandler(**AHU)
    flow = np.array([0.0, 12_000.0, 40_000.0])
    design_w = 1500.0 * 40_000.0 / 3600.0
    np.testing.assert_allclose(fan_power_w(cv, flow), [0.0, design_w, design_w])
    assert fan_power_w(vav, flow)[1] < 0.2 * design_w


def test_fan_heat_enters_the_coil_and_the_fans_port(year):
    z = _office(air_handler=AHU)
    f = z.compute(year)
    out = f.outputs
    assert np.all(f.ports["fans"] == out["fan_power_kw"]) and f.ports["fans"].sum() > 0.0
    supply = out["supply_airflow_m3_per_h"]
    on = supply > 0.0
    assert np.all(supply[on] >= 0.3 * 40_000.0 - 1e-9) and np.all(supply <= 40_000.0 + 1e-9)
    # the coil carries the zone's mechanical cooling plus the load-following fan heat
    cooling = out["heat_to_air_kw"] < 0.0
    mech = -out["heat_to_air_kw"] - out["free_cooling_kw"]
    assert np.all(out["cooling_sensible_kw"][cooling] >= mech[cooling] - 1e-9)
    np.testing.assert_allclose(
        f.ports["cooling"], out["cooling_sensible_kw"] + out["cooling_latent_kw"]
    )


# -- economiser and night purge --------------------------------------------------


def test_economiser_switches():
    t_out = np.array([10.0, 24.0, 30.0])
    w_out = humidity_ratio_from_relative_humidity(t_out, np.array([0.5, 0.95, 0.3]))
    t_ret = np.full(3, 26.0)
    dry = economiser_enabled("dry_bulb", t_out, w_out, t_ret, 0.0105)
    assert dry.tolist() == [True, True, False]
    # 24 °C at 95 % has more enthalpy than 26 °C return air at W 0.0105
    assert enthalpy_j_per_kg(24.0, w_out[1]) > enthalpy_j_per_kg(26.0, 0.0105)
    # enthalpy: cooler and less enthalpy; 30 °C dry air has less enthalpy but is warmer
    assert enthalpy_j_per_kg(30.0, w_out[2]) < enthalpy_j_per_kg(26.0, 0.0105)
    assert economiser_enabled("enthalpy", t_out, w_out, t_ret, 0.0105).tolist() == [
        True,
        False,
        False,
    ]
    assert not economiser_enabled("none", t_out, w_out, t_ret, 0.0105).any()
    assert (
        economiser_capacity_w(
            np.array([27.0]), np.array([26.0]), 3600.0, np.zeros(1), 14.0, 1200.0
        )[0]
        == 0.0
    )


def test_economiser_takes_cooling_off_the_chillers_in_winter(year):
    base = _office(air_handler=AHU).compute(year).outputs
    econ = _office(air_handler={**AHU, "economiser": "dry_bulb"}).compute(year).outputs
    winter = np.isin(year.grid.month, (12, 1, 2))
    assert econ["free_cooling_kw"].sum() > 0.0
    assert (
        econ["cooling_sensible_kw"][winter].sum() < 0.2 * base["cooling_sensible_kw"][winter].sum()
    )
    assert econ["cooling_kw"].sum() < base["cooling_kw"].sum()


def test_night_purge_runs_only_unoccupied_and_saves_cooling(year):
    base = _office(air_handler=AHU).compute(year)
    purge = _office(air_handler={**AHU, "night_purge": True, "night_purge_set_c": 22.0}).compute(
        year
    )
    flag = purge.outputs["night_purge_frac"] > 0.0
    assert flag.any() and purge.outputs["free_cooling_kw"][flag].sum() > 0.0
    assert purge.ports["cooling"].sum() < base.ports["cooling"].sum()
    # the example office is occupied 08-18 on weekdays: no purge then
    occupied = _office().compute(year).outputs["cooling_set_c"] == 26.0
    assert not np.any(flag & occupied)


# -- moisture ------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    w_e=st.floats(0.002, 0.024),
    supply=st.floats(0.0, 50_000.0),
    x=st.floats(0.0, 1.0),
    direct=st.floats(0.0, 5_000.0),
    latent=st.floats(0.0, 20_000.0),
    coil=st.booleans(),
)
def test_moisture_balance_closes(w_e, supply, x, direct, latent, coil):
    """Water in with outdoor air and gains = water out with exhaust + condensate."""
    m = zone_moisture(
        np.array([w_e]),
        np.array([40.0]),
        np.array([latent]),
        supply_airflow_m3_per_h=np.array([supply]),
        outdoor_air_frac=np.array([x]),
        direct_outdoor_airflow_m3_per_h=np.array([direct]),
        infiltration_m3_per_h=1000.0,
        coil_on=np.array([coil]),
        supply_dew_point_c=12.0,
        pressure_pa=101325.0,
        air_heat_capacity_j_per_m3_k=1200.0,
    )
    brought = m.outdoor_air_latent_w + m.infiltration_latent_w + latent
    np.testing.assert_allclose(m.coil_latent_w, brought, rtol=1e-9, atol=1e-6)
    assert m.coil_latent_w[0] >= 0.0
    if not coil:
        assert m.coil_latent_w[0] == 0.0


def test_latent_load_in_summer_and_none_in_winter(year):
    out = _office(air_handler=AHU).compute(year).outputs
    month = year.grid.month
    summer = out["cooling_latent_kw"][np.isin(month, (6, 7, 8))].sum()
    winter = out["cooling_latent_kw"][np.isin(month, (12, 1, 2))].sum()
    assert summer > 0.2 * out["cooling_sensible_kw"][np.isin(month, (6, 7, 8))].sum()
    assert winter < 0.01 * summer
    w = out["humidity_ratio_kg_per_kg"]
    assert np.all(w > 0.0) and np.all(w < 0.03)
    # a running coil leaves the supply air at or below its dew point's humidity ratio
    coil_on = out["cooling_latent_kw"] > 0.0
    pressure = year.weather["pressure_pa"][coil_on]
    limit = humidity_ratio_saturated(12.0, pressure)
    assert np.all(out["supply_humidity_ratio_kg_per_kg"][coil_on] <= limit + 1e-12)
    assert LATENT_HEAT_J_PER_KG == 2_501_000.0


def test_fan_on_a_zone_with_an_air_handler_is_an_error(mini_config):
    zone = Zone.example_params() | {"air_handler": AHU, "name": "office"}
    ideal = [
        {"name": f"ideal_{b}", "carrier": c, "bus": b, "reason": "test"}
        for b, c in (("hot_water", "heat"), ("chilled_water", "chilled_water"))
    ]
    raw = mini_config | {
        "hvac_zone": [zone],
        "unserved_demand": ideal,
        "weather": {"site": "suzhou-tmyx", "correct_timing": True},
        "fan": [{"name": "f", "zone": "office", "specific_fan_power_w_per_m3_per_s": 1000.0}],
    }
    import twin
    from twin.errors import ConfigError

    with pytest.raises(ConfigError, match="already computes its supply fans"):
        twin.run(config_from_dict(raw, source="test"))


# -- nothing served by nothing -----------------------------------------------------


def _record(ctx: RunContext, bus: str, kw) -> None:
    port = Port("demand", CHILLED_WATER, Direction.IN, bus, Role.USE)
    ctx._record(f"demand_{bus}", (port,), Flows(ports={"demand": np.asarray(kw, dtype=np.float64)}))


def test_unserved_demand_takes_the_remainder_and_reports_it():
    grid = TimeGrid(pd.Timestamp("2025-06-02", tz="Asia/Shanghai"), pd.Timedelta("1h"), 3)
    ctx = RunContext(
        grid, Site("x", 31.3, 120.6, 5.0), {}, np.zeros(3, np.int8), None, np.random.SeedSequence(1)
    )
    _record(ctx, "oil", [10.0, 0.0, 5.0])
    u = UnservedDemand(
        UnservedDemand.Params(name="u", carrier="chilled_water", bus="oil", reason="test")
    )
    f = u.compute(ctx)
    np.testing.assert_allclose(f.ports["unserved"], [10.0, 0.0, 5.0])
    assert u.kpis(f, grid)["unserved_kwh"] == pytest.approx(15.0)
    assert [o.name for o in u.outputs()] == list(f.outputs)


def test_line_cooling_without_a_bus_fails_plant_validation(mini_config):
    from twin.plant import Plant

    line = {
        "name": "press",
        "shifts": {"workday": [{"start": "06:00", "end": "14:00"}]},
        "stations": [
            {"name": "p1", "power_kw": {"busy": 100.0}, "process_cooling_kw": {"busy": 20.0}}
        ],
        "products": [{"name": "a", "cycle_time_s": 60.0}],
    }
    raw = mini_config | {"production_line": [line]}
    with pytest.raises(ConsistencyError, match=r"production_line\[press\].*p1.*cooling_bus"):
        Plant.build(config_from_dict(raw, source="test"))
    # declared: the bus has an unserved_demand, and the plant builds
    line_bus = line | {"cooling_bus": "oil"}
    raw = mini_config | {
        "production_line": [line_bus],
        "unserved_demand": [
            {"name": "oil_unserved", "carrier": "chilled_water", "bus": "oil", "reason": "outside"}
        ],
    }
    plant = Plant.build(config_from_dict(raw, source="test"))
    assert not check_demand_without_bus(plant.components)
    assert not check_unserved_bus(plant.components)


# -- chillers take their dataset object's part-load limits --------------------------


@pytest.mark.parametrize(
    ("name", "low"), [("trane_rtwa_screw", 0.25), ("york_yk_centrifugal", 0.15)]
)
def test_chiller_cycles_below_its_dataset_minimum_plr(name, low):
    curves = CHILLER_CURVES[name]
    assert curves.min_plr_frac == low == curves.min_unload_frac
    kw = dict(
        rated_capacity_kw=1000.0,
        rated_cop=curves.cop_ref,
        curves=curves,
        min_plr_frac=curves.min_plr_frac,
        min_unload_frac=curves.min_unload_frac,
        max_plr_frac=curves.max_plr_frac,
    )
    x, y = curves.lchwt_ref_c, curves.ecwt_ref_c
    p_low = float(chiller_eir_power_kw(0.8 * low * 1000.0, x, y, **kw)[0])
    p_min = float(chiller_eir_power_kw(low * 1000.0, x, y, **kw)[0])
    assert p_low == pytest.approx(0.8 * p_min, rel=0.02)  # on 80 % of the time at PLR_min
    params = Chiller.Params(name="c", curves=name, rated_capacity_kw=1000.0)
    assert params.plr_min_frac == low and params.plr_max_frac == curves.max_plr_frac
