"""Weather-only quantities at the weather's own (hourly) resolution: the same
hourly numbers at any step, computed once per hour."""

from __future__ import annotations

import numpy as np
import pytest
from twin.components.chiller import wet_bulb_from_weather_c
from twin.components.hvac_solar import facade_irradiance
from twin.components.hvac_zone import Zone
from twin.components.pv import PV

from twin.calendar import day_types
from twin.component import RunContext, Site
from twin.run import weather_on_grid
from twin.timegrid import TimeGrid, hourly_if_held


def test_hourly_if_held_takes_nan_as_held_and_refuses_sub_hourly_data():
    held = np.array([1.0, 1.0, np.nan, np.nan])
    (hours,) = hourly_if_held(2, held)
    np.testing.assert_array_equal(hours, [1.0, np.nan])
    assert hourly_if_held(2, np.array([1.0, 2.0, 3.0, 3.0])) is None
    assert hourly_if_held(1, held) is None
    assert hourly_if_held(2, held, None)[1] is None


def _context(weather, step: str) -> RunContext:
    grid = TimeGrid.for_year(2025, step)
    loc = weather.location
    return RunContext(
        grid,
        Site(loc.name, loc.latitude_deg, loc.longitude_deg, loc.elevation_m),
        weather_on_grid(weather.frame, grid),
        day_types(grid),
        None,
        np.random.SeedSequence(1),
    )


@pytest.fixture(scope="module")
def contexts(suzhou_weather):
    return _context(suzhou_weather, "1h"), _context(suzhou_weather, "15min")


def test_pv_at_quarter_hours_repeats_the_hourly_result(contexts):
    hourly, quarter = contexts
    pv = PV(PV.Params(**PV.example_params()))
    a, b = pv.compute(hourly), pv.compute(quarter)
    np.testing.assert_array_equal(b.ports["ac"], np.repeat(a.ports["ac"], 4))
    for name, arr in a.outputs.items():
        np.testing.assert_array_equal(b.outputs[name], np.repeat(arr, 4))


def test_wet_bulb_and_facade_irradiance_repeat_the_hourly_values(contexts):
    hourly, quarter = contexts
    np.testing.assert_array_equal(
        wet_bulb_from_weather_c(quarter), np.repeat(wet_bulb_from_weather_c(hourly), 4)
    )
    a = facade_irradiance(hourly, 90.0, 180.0)
    b = facade_irradiance(quarter, 90.0, 180.0)
    np.testing.assert_array_equal(b.global_w_per_m2, np.repeat(a.global_w_per_m2, 4))
    np.testing.assert_array_equal(b.aoi_deg, np.repeat(a.aoi_deg, 4))


def test_zone_solar_gains_and_outdoor_humidity_repeat_the_hourly_values(contexts):
    """The zone's solar gains and outdoor humidity ratio depend on the weather
    alone: at quarter hours they are the hourly values repeated."""
    hourly, quarter = contexts
    zone = Zone(Zone.Params(**Zone.example_params()))
    (gains_h, sky_h), (gains_q, sky_q) = zone._solar_w(hourly), zone._solar_w(quarter)
    assert np.any(gains_h > 0.0)
    np.testing.assert_array_equal(gains_q, np.repeat(gains_h, 4))
    assert sky_q == sky_h
    w_h, _ = zone._outdoor_humidity(hourly)
    w_q, _ = zone._outdoor_humidity(quarter)
    np.testing.assert_array_equal(w_q, np.repeat(w_h, 4))
