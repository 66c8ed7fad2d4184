"""The production example end to end: three lines as discrete-event models in
a ~20 GWh plant that keeps the reference factory's load shape."""

from __future__ import annotations

import numpy as np
import pytest

import twin
from tests.conftest import ROOT
from twin.calendar import day_types
from twin.component import DayType

EXAMPLE_CONFIG = ROOT / "configs" / "production_example.toml"
LINES = ("stamping", "machining", "assembly")

# The reference factory's production base load that the lines and the smaller
# production_other base load replace (configs/reference_factory.toml, [[base_load]]
# "production", at commit 9e38bfd), mean power per local hour [kW]. Kept here so
# this test does not move when other parts of the reference change.
REFERENCE_PRODUCTION_KW = {
    DayType.WORKDAY: [900] * 6
    + [2600]
    + [3000] * 4
    + [2300]
    + [3000] * 5
    + [2300]
    + [3000] * 4
    + [900] * 2,
    DayType.WEEKEND: [600] * 8 + [1500] * 12 + [600] * 4,
    DayType.HOLIDAY: [450] * 24,
}
PRODUCTION = ("production_other", *LINES)

DAY_ENERGY_RTOL = 0.10
"""Energy of a mean day of each type may differ from the reference production
profile's by 10 %: that profile is a guess, the lines vary with breakdowns,
changeovers and the product mix."""

SHAPE_MIN_CORRELATION = 0.97
"""The mean 24-hour profiles must correlate this well with the reference's; the
lines add a warm-up ramp before the first shift that the guessed profile lacks."""


@pytest.fixture(scope="module")
def example():
    return twin.run(twin.load_config(EXAMPLE_CONFIG))


def _production_profiles(res) -> dict[DayType, np.ndarray]:
    """Mean power per local hour of the lines and production_other, per day type [kW]."""
    days = day_types(res.plant.grid)
    kw = sum(res.flows[name].ports["el"] for name in PRODUCTION)
    return {d: kw[days == d].reshape(-1, 24).mean(axis=0) for d in DayType}


def test_is_a_20_gwh_plant(example):
    assert 18e6 < example.summary["electricity_use_kwh"] < 22e6


def test_lines_carry_most_of_production(example):
    grid = example.plant.grid
    lines_kwh = sum(grid.energy_kwh(example.flows[n].ports["el"]) for n in LINES)
    production_kwh = sum(grid.energy_kwh(example.flows[n].ports["el"]) for n in PRODUCTION)
    assert 0.5 < lines_kwh / production_kwh < 0.7


def test_keeps_the_reference_load_shape(example):
    ours = _production_profiles(example)
    for d in DayType:
        ref = np.array(REFERENCE_PRODUCTION_KW[d], dtype=float)
        assert ours[d].sum() == pytest.approx(ref.sum(), rel=DAY_ENERGY_RTOL), d.name
        if d is not DayType.HOLIDAY:  # holidays are flat: no shape to correlate
            assert np.corrcoef(ours[d], ref)[0, 1] > SHAPE_MIN_CORRELATION, d.name


def test_line_kpis_in_the_summary(example):
    for name in LINES:
        k = example.summary["components"][name]
        assert k["units_produced"] > 0 and k["energy_per_unit_kwh"] > 0, name
        assert 0.9 < k["availability_frac"] < 1.0, name
        assert 0.0 < k["non_productive_energy_frac"] < 0.5, name


def test_machining_left_on_wastes_more_than_the_lines_switched_off(example):
    k = example.summary["components"]
    assert k["machining"]["non_productive_energy_frac"] > max(
        k["stamping"]["non_productive_energy_frac"], k["assembly"]["non_productive_energy_frac"]
    )


def test_line_outputs_reach_the_hourly_results(example):
    cols = example.hourly.columns
    for name in LINES:
        for q in (
            "el.power_kw",
            "air.flow_m3_per_min",
            "heat_to_zone_kw",
            "units_produced",
            "busy_kw",
        ):
            assert f"{name}.{q}" in cols, (name, q)
        # process cooling on the line's cooling bus where it has one, else an output
        assert f"{name}.cooling.power_kw" in cols or f"{name}.process_cooling_kw" in cols, name


def test_compressor_room_serves_the_lines_air(example):
    """The air bus closes: the compressor room's end-use air is the lines' air
    plus the other consumers' profile."""
    grid = example.plant.grid
    lines_m3 = sum(float(example.flows[n].ports["air"].sum()) for n in LINES) * grid.step_h * 60
    other_m3 = float(example.flows["air_demand_other"].ports["demand"].sum()) * grid.step_h * 60
    served = example.summary["components"]["compressor_room"]["end_use_air_m3"]
    assert served == pytest.approx(lines_m3 + other_m3, rel=1e-6)


def test_boiler_serves_the_washer(example):
    washer = example.flows["machining"].ports["heat"]
    assert washer.max() > 0 and not np.any(example.unmet_by_bus["hot_water"] > 0)


def test_no_production_on_public_holidays(example):
    days = day_types(example.plant.grid)
    for name in LINES:
        units = example.flows[name].outputs["units_produced"]
        assert units[days == DayType.HOLIDAY].sum() == 0.0, name


def test_line_energy_does_not_depend_on_the_step(example):
    """The simulation runs in seconds; the step only changes how it is averaged."""
    fine = twin.Plant.build(twin.load_config(EXAMPLE_CONFIG, step="15min"))
    from twin.component import RunContext, Site

    grid = fine.grid
    ctx = RunContext(
        grid,
        Site("x", 31.3, 120.6, 5.0),
        {},
        day_types(grid),
        None,
        np.random.SeedSequence(fine.config.simulation.seed),
    )
    for name in LINES:
        el = fine.component(name).compute(ctx).ports["el"]
        hourly = example.plant.grid.energy_kwh(example.flows[name].ports["el"])
        assert grid.energy_kwh(el) == pytest.approx(hourly, rel=1e-9), name
