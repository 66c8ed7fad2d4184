"""Chiller plant: staging, part load, condenser side, free cooling,
pre-cooling, serving exactly the bus demand, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twin.components.chiller import (
    CHILLER_CURVES,
    Chiller,
    biquadratic,
    chiller_eir_power_kw,
    condenser_entering_temp_c,
    free_cooling_kw,
    stage_units,
)
from twin.components.demand_profile import DemandProfile

from twin.carriers import CHILLED_WATER
from twin.component import Direction, Flows, Port, Role, RunContext, Site
from twin.config import config_from_dict
from twin.errors import ConfigError
from twin.simulate import weather_on_grid
from twin.timegrid import TimeGrid

CENT = CHILLER_CURVES["doe2_centrifugal"]


def context(weather, days=7, start="2025-07-15", load_kw=None) -> RunContext:
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
    if load_kw is not None:
        demand = DemandProfile(
            DemandProfile.Params(
                name="load",
                carrier="chilled_water",
                bus="chilled_water",
                demand_kw={"weekday": list(load_kw)},
            )
        )
        ctx._record("load", demand.ports(), demand.compute(ctx))
    return ctx


def chiller(**changes) -> Chiller:
    return Chiller(Chiller.Params(**(Chiller.example_params() | changes)))


def test_part_load_cycles_below_min_plr_and_false_loads_below_min_unload():
    kw = dict(
        rated_capacity_kw=1000.0, rated_cop=5.5, curves=CENT, min_plr_frac=0.1, min_unload_frac=0.2
    )
    q_avail = 1000.0 * float(biquadratic(CENT.capft, 6.67, 29.4))
    p_unload, *_ = chiller_eir_power_kw(0.2 * q_avail, 6.67, 29.4, **kw)
    p_between, _, _, rej_between = chiller_eir_power_kw(0.15 * q_avail, 6.67, 29.4, **kw)
    p_low, *_ = chiller_eir_power_kw(0.05 * q_avail, 6.67, 29.4, **kw)
    # between min PLR and min unloading: false loading, power as at the unloading ratio
    assert float(p_between) == pytest.approx(float(p_unload))
    assert float(rej_between) == pytest.approx(float(p_between) + 0.2 * q_avail)
    # below min PLR the chiller cycles: power scales with PLR/PLR_min
    assert float(p_low) == pytest.approx(float(p_unload) * 0.05 / 0.1)
    p0, q0, *_ = chiller_eir_power_kw(0.0, 6.67, 29.4, **kw)
    assert float(p0) == 0.0 and float(q0) == 0.0


def test_warmer_condenser_water_costs_more_and_gives_less():
    p_cool, q_cool, *_ = chiller_eir_power_kw(
        800.0, 7.0, 24.0, rated_capacity_kw=1000.0, rated_cop=5.5, curves=CENT
    )
    p_warm, q_warm, *_ = chiller_eir_power_kw(
        800.0, 7.0, 34.0, rated_capacity_kw=1000.0, rated_cop=5.5, curves=CENT
    )
    assert float(p_warm) > 1.2 * float(p_cool)
    assert float(q_cool) == float(q_warm) == 800.0


def test_staging_runs_the_fewest_units():
    on, each = stage_units(np.array([0.0, 100.0, 1000.0, 1001.0, 2500.0]), np.full(5, 1000.0), 2)
    assert on.tolist() == [0.0, 1.0, 1.0, 2.0, 2.0]
    assert each.tolist() == [0.0, 100.0, 1000.0, 500.5, 1000.0]


def test_condenser_temperatures():
    tdb, twb = np.array([35.0, 10.0]), np.array([28.0, 5.0])
    wc = condenser_entering_temp_c(
        tdb, twb, "water_cooled", tower_approach_k=4.0, condenser_water_min_c=15.0
    )
    assert wc.tolist() == [32.0, 15.0]
    ac = condenser_entering_temp_c(tdb, twb, "air_cooled")
    evap = condenser_entering_temp_c(
        tdb, twb, "air_cooled", evaporative_precooling_effectiveness_frac=0.8
    )
    assert ac.tolist() == [35.0, 10.0]
    np.testing.assert_allclose(evap, [35.0 - 0.8 * 7.0, 10.0 - 0.8 * 5.0])


def test_free_cooling_share():
    fc = free_cooling_kw(np.full(4, 100.0), np.array([5.0, 7.0, 9.5, 13.0]), 7.0, 12.0, 1e9)
    np.testing.assert_allclose(fc, [100.0, 100.0, 50.0, 0.0])


def test_serves_the_bus_demand_exactly(suzhou_weather):
    load = [300.0] * 8 + [1500.0] * 10 + [2500.0] * 6
    ctx = context(suzhou_weather, load_kw=load)
    c = chiller(free_cooling=False)
    f = c.compute(ctx)
    demand = ctx.net_demand("chilled_water")
    ecwt = f.outputs["condenser_entering_temp_c"]
    capacity = 2 * 1000.0 * biquadratic(CENT.capft, 7.0, np.clip(ecwt, 24.0, 35.0))
    np.testing.assert_allclose(f.ports["cooling"], np.minimum(demand, capacity), rtol=1e-12)
    overloaded = demand > capacity
    assert overloaded.any() and np.all(f.outputs["units_on_count"][overloaded] == 2.0)
    np.testing.assert_allclose(f.outputs["unserved_kw"], demand - f.ports["cooling"], atol=1e-9)
    assert np.all(f.ports["el"] > 0)
    assert set(np.unique(f.outputs["units_on_count"])) <= {1.0, 2.0}
    # the plant's COP is that of a centrifugal chiller plus auxiliaries in Suzhou's July
    cop = f.ports["cooling"].sum() / f.ports["el"].sum()
    assert 3.0 < cop < 6.5


def test_zero_demand_zero_power(suzhou_weather):
    ctx = context(suzhou_weather)
    f = chiller().compute(ctx)
    assert f.ports["cooling"].max() == 0.0 and f.ports["el"].max() == 0.0


def test_free_cooling_in_winter_saves_electricity(suzhou_weather):
    ctx = context(suzhou_weather, days=28, start="2025-01-05", load_kw=[400.0] * 24)
    with_fc = chiller(free_cooling=True).compute(ctx)
    without = chiller(free_cooling=False).compute(ctx)
    assert with_fc.outputs["free_cooling_kw"].sum() > 0.3 * with_fc.ports["cooling"].sum()
    assert with_fc.ports["el"].sum() < 0.8 * without.ports["el"].sum()
    np.testing.assert_allclose(with_fc.ports["cooling"], without.ports["cooling"])


def test_evaporative_precooling_helps_an_air_cooled_chiller(suzhou_weather):
    ctx = context(suzhou_weather, load_kw=[600.0] * 24)
    dry = chiller(condenser="air_cooled", free_cooling=False).compute(ctx)
    wet = chiller(
        condenser="air_cooled", free_cooling=False, evaporative_precooling_effectiveness_frac=0.8
    ).compute(ctx)
    assert wet.outputs["compressor_power_kw"].sum() < dry.outputs["compressor_power_kw"].sum()


@settings(max_examples=25, deadline=None)
@given(load=st.lists(st.floats(0, 5000), min_size=24, max_size=24), units=st.integers(1, 4))
def test_never_more_than_demand_and_never_negative(load, units, suzhou_weather):
    ctx = context(suzhou_weather, days=1, load_kw=load)
    f = chiller(units=units).compute(ctx)
    demand = ctx.net_demand("chilled_water")
    assert np.all(f.ports["cooling"] >= 0) and np.all(f.ports["el"] >= 0)
    assert np.all(f.ports["cooling"] <= demand + 1e-9)
    assert np.all(f.outputs["unserved_kw"] >= 0)
    np.testing.assert_allclose(f.ports["cooling"] + f.outputs["unserved_kw"], demand, atol=1e-9)


def test_surplus_on_the_bus_is_not_served(suzhou_weather):
    ctx = context(suzhou_weather, days=1)
    supplier = Port("out", CHILLED_WATER, Direction.OUT, "chilled_water", Role.SUPPLY)
    ctx._record("other", (supplier,), Flows(ports={"out": np.full(ctx.grid.n_steps, 50.0)}))
    f = chiller().compute(ctx)
    assert f.ports["cooling"].max() == 0.0 and f.ports["el"].max() == 0.0


BASE = {
    "plant": {"name": "c"},
    "weather": {"site": "suzhou-tmyx"},
    "grid_connection": {
        "name": "grid",
        "import_limit_kw": 1000.0,
        "tariff": {"preset": "jiangsu", "floating_price_cny_per_kwh": 0.4},
        "emission_factor": {"ef_kg_per_kwh": 0.58},
    },
}


@pytest.mark.parametrize("cop", [0.0, -2.0])
def test_cop_must_be_positive(cop):
    with pytest.raises(
        ConfigError, match=rf"chiller\[0\]\.rated_cop: expected > 0(\.0)?, got {cop}"
    ):
        config_from_dict({**BASE, "chiller": [Chiller.example_params() | {"rated_cop": cop}]})


def test_custom_curves_need_all_coefficients_and_a_cop():
    with pytest.raises(ConfigError, match="curves = 'custom' needs capft_coefficients"):
        config_from_dict(
            {
                **BASE,
                "chiller": [
                    {
                        "name": "c",
                        "curves": "custom",
                        "rated_capacity_kw": 100.0,
                        "rated_cop": 5.0,
                        "capft_coefficients": list(CENT.capft),
                        "eirft_coefficients": list(CENT.eirft),
                    }
                ],
            }
        )
    with pytest.raises(ConfigError, match="rated_cop: required with custom curves"):
        config_from_dict(
            {
                **BASE,
                "chiller": [
                    {
                        "name": "c",
                        "curves": "custom",
                        "rated_capacity_kw": 100.0,
                        "capft_coefficients": list(CENT.capft),
                        "eirft_coefficients": list(CENT.eirft),
                        "eirfplr_coefficients": list(CENT.eirfplr),
                    }
                ],
            }
        )


def test_precooling_needs_an_air_cooled_condenser():
    with pytest.raises(ConfigError, match="applies to air-cooled condensers"):
        config_from_dict(
            {
                **BASE,
                "chiller": [
                    Chiller.example_params() | {"evaporative_precooling_effectiveness_frac": 0.7}
                ],
            }
        )


def test_custom_cubic_eirfplr_is_accepted_and_evaluated():
    """A custom EIRFPLR may be an EnergyPlus Curve:Cubic (four coefficients); five are refused."""
    cubic = [0.1, 0.5, 0.2, 0.2]
    chiller = {
        "name": "c",
        "curves": "custom",
        "rated_capacity_kw": 100.0,
        "rated_cop": 5.0,
        "capft_coefficients": list(CENT.capft),
        "eirft_coefficients": list(CENT.eirft),
        "eirfplr_coefficients": cubic,
    }
    cfg = config_from_dict({**BASE, "chiller": [chiller]})
    curves = cfg.chiller[0].curve_set
    assert curves.eirfplr == tuple(cubic)
    # at PLR 0.5 the cubic term counts: 0.1 + 0.25 + 0.05 + 0.025
    power, *_ = chiller_eir_power_kw(
        50.0 * float(biquadratic(CENT.capft, 6.67, 29.4)),
        6.67,
        29.4,
        rated_capacity_kw=100.0,
        rated_cop=5.0,
        curves=curves,
    )
    q_avail = 100.0 * float(biquadratic(CENT.capft, 6.67, 29.4))
    expected = q_avail / 5.0 * float(biquadratic(CENT.eirft, 6.67, 29.4)) * 0.425
    assert float(power) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ConfigError, match="eirfplr_coefficients"):
        config_from_dict(
            {**BASE, "chiller": [chiller | {"eirfplr_coefficients": [0.1, 0.5, 0.2, 0.2, 0.0]}]}
        )
