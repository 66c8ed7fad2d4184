"""Production line component: analytic checks on deterministic schedules,
KPIs, ports and wiring, seeds, bad input."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from numpy.testing import assert_allclose
from twin.components.production_line import ENERGY_STATES, ProductionLine

import twin
from tests.components._production_helpers import (
    ALL_DAY,
    PRESS_KW,
    build,
    context,
    line_params,
    week_grid,
)
from tests.conftest import BALANCE_TOL_KW, minimal_config
from twin.carriers import CHILLED_WATER, COMPRESSED_AIR, HEAT
from twin.component import (
    COMPONENT_REGISTRY,
    Component,
    ComponentParams,
    Direction,
    Flows,
    Port,
    Role,
    Stage,
)
from twin.errors import ConfigError, SuspiciousInputWarning

ENERGY_RTOL = 1e-9
"""Energies are sums of whole seconds times powers: float rounding only."""

# The test line over Monday 3 to Sunday 9 March 2025: five workdays with
# 30 min warm-up, 7.5 h busy, a 30-min break (idle) and 15.5 h off; two
# weekend days off.
WORKDAY_H = {"warmup": 0.5, "busy": 7.5, "idle": 0.5, "off": 15.5}
WEEK_KWH = 5 * sum(PRESS_KW[s] * h for s, h in WORKDAY_H.items()) + 2 * 24 * PRESS_KW["off"]
WEEK_UNITS = 5 * 7.5 * 3600 / 60


# -- analytic checks ---------------------------------------------------------
@pytest.mark.parametrize("step", ["1h", "15min", "1min"])
def test_energy_is_state_power_times_state_duration(step):
    grid = week_grid(step)
    flows = build().compute(context(grid))
    assert grid.energy_kwh(flows.ports["el"]) == pytest.approx(WEEK_KWH, rel=ENERGY_RTOL)


@pytest.mark.parametrize("step", ["1h", "15min", "1min"])
def test_output_is_available_time_over_cycle_time(step):
    grid = week_grid(step)
    flows = build().compute(context(grid))
    assert flows.outputs["units_produced"].sum() == pytest.approx(WEEK_UNITS, rel=ENERGY_RTOL)


def test_hourly_output_follows_the_shift_and_its_break():
    grid = week_grid()
    units = build().compute(context(grid)).outputs["units_produced"][:24]
    expected = np.zeros(24)
    expected[8:16] = 60.0
    expected[12] = 30.0
    assert_allclose(units, expected, atol=1e-9)


def test_energy_by_state_outputs_sum_to_the_port():
    grid = week_grid("15min")
    flows = build(idle_to_standby_s=600).compute(context(grid))
    total = sum(flows.outputs[f"{s}_kw"] for s in ENERGY_STATES)
    assert_allclose(total, flows.ports["el"], rtol=1e-12, atol=1e-12)


def test_standby_policy_during_breaks():
    """Idle 10 min then standby for the remaining 20 min of the break."""
    grid = week_grid()
    flows = build(idle_to_standby_s=600).compute(context(grid))
    saved = 5 * (0.5 * PRESS_KW["idle"] - (PRESS_KW["idle"] / 6 + PRESS_KW["standby"] / 3))
    assert grid.energy_kwh(flows.ports["el"]) == pytest.approx(WEEK_KWH - saved, rel=ENERGY_RTOL)


def test_left_on_between_shifts():
    """No shutdown, standby after 15 min: per workday 7.5 h busy, 0.5 h idle
    (15 min into the break, 15 min after the shift), 16 h standby; no warm-up;
    weekends on standby."""
    grid = week_grid()
    flows = build(shutdown_at_shift_end=False, idle_to_standby_s=900).compute(context(grid))
    day = 7.5 * PRESS_KW["busy"] + 0.5 * PRESS_KW["idle"] + 16 * PRESS_KW["standby"]
    expected = 5 * day + 2 * 24 * PRESS_KW["standby"]
    assert grid.energy_kwh(flows.ports["el"]) == pytest.approx(expected, rel=ENERGY_RTOL)


def test_warmup_inside_the_shift_costs_output():
    grid = week_grid()
    flows = build(warmup_before_shift=False).compute(context(grid))
    assert flows.outputs["units_produced"].sum() == pytest.approx(5 * 7.0 * 60, rel=ENERGY_RTOL)


@pytest.mark.parametrize(("shutdown", "state"), [(True, "off"), (False, "standby")])
def test_a_line_with_no_shifts_draws_only_off_or_standby_power(shutdown, state):
    grid = week_grid()
    line = build(shifts={}, shutdown_at_shift_end=shutdown, idle_to_standby_s=0)
    with pytest.warns(SuspiciousInputWarning, match="no shift falls in the run"):
        flows = line.compute(context(grid))
    assert_allclose(flows.ports["el"], PRESS_KW[state])


def test_a_serial_line_runs_at_its_bottleneck():
    """Cycles 30, 60 and 45 s, lots of 10, around the clock: after the first
    lot has filled the line, the last station finishes 60 units an hour."""
    stations = [
        {"name": n, "power_kw": dict(PRESS_KW), "buffer_capacity_lots": 5}
        for n in ("cut", "form", "pack")
    ]
    line = build(
        stations=stations,
        products=[{"name": "part", "cycle_time_s": [30.0, 60.0, 45.0], "batch_size": 10}],
        shifts={"workday": [ALL_DAY], "weekend": [ALL_DAY]},
    )
    units = line.compute(context(week_grid(days=3))).outputs["units_produced"]
    assert_allclose(units[1:], 60.0, atol=1e-9)


def test_heat_to_zone_is_the_share_of_electricity():
    raw = line_params()
    raw["stations"][0]["heat_to_zone_frac"] = 0.7
    flows = ProductionLine(ProductionLine.Params(**raw)).compute(context(week_grid()))
    assert_allclose(flows.outputs["heat_to_zone_kw"], 0.7 * flows.ports["el"])


def test_air_heat_and_cooling_follow_the_states():
    raw = line_params()
    raw["stations"][0].update(
        air_m3_per_min={"busy": 2.0, "idle": 0.5},
        process_heat_kw={"warmup": 40.0},
        process_cooling_kw={"busy": 12.0},
    )
    grid = week_grid()
    out = ProductionLine(ProductionLine.Params(**raw)).compute(context(grid)).outputs
    assert (
        float(out["air_demand_m3_per_min"].sum()) * grid.step_h,
        grid.energy_kwh(out["process_heat_kw"]),
        grid.energy_kwh(out["process_cooling_kw"]),
    ) == pytest.approx((5 * (7.5 * 2.0 + 0.5 * 0.5), 5 * 0.5 * 40.0, 5 * 7.5 * 12.0))


# -- KPIs ----------------------------------------------------------------------
def test_kpis_of_the_deterministic_week():
    grid = week_grid()
    line = build()
    k = line.kpis(line.compute(context(grid)), grid)
    non_productive = 5 * (0.5 * PRESS_KW["warmup"] + 0.5 * PRESS_KW["idle"])
    assert k == pytest.approx(
        {
            "units_produced": WEEK_UNITS,
            "energy_kwh": WEEK_KWH,
            "energy_per_unit_kwh": WEEK_KWH / WEEK_UNITS,
            "availability_frac": 1.0,
            "non_productive_energy_frac": non_productive / WEEK_KWH,
            "planned_production_h": 5 * 7.5,
            "downtime_h": 0.0,
        }
    )


def test_planned_maintenance_is_not_an_availability_loss():
    grid = week_grid()
    line = build(maintenance=[{"start": "2025-03-04T08:00", "duration_h": 4.0}])
    flows = line.compute(context(grid))
    k = line.kpis(flows, grid)
    assert (k["availability_frac"], k["planned_production_h"], k["units_produced"]) == (
        pytest.approx(1.0),
        pytest.approx(5 * 7.5 - 4.0),
        pytest.approx(WEEK_UNITS - 240.0),
    )


def test_maintenance_draws_the_down_power():
    grid = week_grid()
    flows = build(maintenance=[{"start": "2025-03-08T08:00", "duration_h": 2.0}]).compute(
        context(grid)
    )
    saturday_8h = 5 * 24 + 8
    assert_allclose(flows.outputs["down_kw"][saturday_8h : saturday_8h + 2], PRESS_KW["down"])


# -- randomness ------------------------------------------------------------------
def _failing_line() -> ProductionLine:
    raw = line_params(shifts={"workday": [ALL_DAY], "weekend": [ALL_DAY]})
    raw["stations"][0].update(mtbf_h=5.0, mttr_h=1.0)
    return ProductionLine(ProductionLine.Params(**raw))


def test_same_seed_gives_identical_results():
    grid = week_grid("15min")
    a = _failing_line().compute(context(grid, seed=11))
    b = _failing_line().compute(context(grid, seed=11))
    assert all(np.array_equal(a.outputs[k], b.outputs[k]) for k in a.outputs) and np.array_equal(
        a.ports["el"], b.ports["el"]
    )


def test_different_seeds_differ():
    grid = week_grid("15min")
    a = _failing_line().compute(context(grid, seed=11))
    b = _failing_line().compute(context(grid, seed=12))
    assert not np.array_equal(a.outputs["down_kw"], b.outputs["down_kw"])


def test_breakdowns_show_as_down_power_and_lost_output():
    grid = week_grid()
    line = _failing_line()
    k = line.kpis(line.compute(context(grid)), grid)
    assert 0.5 < k["availability_frac"] < 1.0 and k["downtime_h"] > 0


# -- ports ----------------------------------------------------------------------
def test_only_electricity_without_buses():
    assert [p.name for p in build().ports()] == ["el"]


def test_ports_with_buses():
    line = build(air_bus="air_7bar_g", heat_bus="heat_80c", cooling_bus="chw_7c")
    got = [(p.name, p.carrier, p.direction, p.bus, p.role) for p in line.ports()[1:]]
    assert got == [
        ("air", COMPRESSED_AIR, Direction.IN, "air_7bar_g", Role.USE),
        ("heat", HEAT, Direction.IN, "heat_80c", Role.USE),
        ("cooling", CHILLED_WATER, Direction.IN, "chw_7c", Role.USE),
    ]


def test_demands_move_from_outputs_to_ports_with_a_bus():
    raw = line_params(air_bus="air_7bar_g")
    raw["stations"][0]["air_m3_per_min"] = {"busy": 2.0}
    flows = ProductionLine(ProductionLine.Params(**raw)).compute(context(week_grid()))
    assert "air_demand_m3_per_min" not in flows.outputs and flows.ports["air"].max() == 2.0


@pytest.fixture(scope="module")
def suzhou_corrected():
    """The bundled Suzhou year with its timing correction (no warning), read once."""
    from twin import weather

    return weather.load_weather("suzhou-tmyx", year=2025, correct_timing=True)


class _FakeAirParams(ComponentParams):
    bus: str = "air"


class _FakeAirSupply(Component):
    """Test-only supplier: delivers exactly what the air bus asks for."""

    stage = Stage.COMPRESSED_AIR
    Params = _FakeAirParams

    def ports(self):
        return (Port("out", COMPRESSED_AIR, Direction.OUT, self.params.bus, Role.SUPPLY),)

    def compute(self, ctx):
        return Flows(ports={"out": ctx.net_demand(self.params.bus)})


@pytest.fixture
def fake_air_supply(monkeypatch):
    monkeypatch.setitem(COMPONENT_REGISTRY, "fake_air_supply", _FakeAirSupply)
    _FakeAirSupply.kind = "fake_air_supply"
    return "fake_air_supply"


def test_a_plant_serves_the_air_port(fake_air_supply, suzhou_corrected):
    raw = line_params(air_bus="air")
    raw["stations"][0]["air_m3_per_min"] = {"busy": 2.0, "idle": 0.4}
    cfg = minimal_config(production_line=[raw], fake_air_supply=[{"name": "compressors"}])
    res = twin.run(twin.config_from_dict(cfg), weather=suzhou_corrected)
    demand = res.flows["line"].ports["air"]
    assert demand.max() == 2.0 and np.abs(res.flows["compressors"].ports["out"] - demand).max() < (
        BALANCE_TOL_KW
    )


def test_line_electricity_counts_as_plant_use(suzhou_corrected):
    cfg = minimal_config(production_line=[line_params()])
    res = twin.run(twin.config_from_dict(cfg), weather=suzhou_corrected)
    line_kwh = res.plant.grid.energy_kwh(res.flows["line"].ports["el"])
    base_kwh = res.plant.grid.energy_kwh(res.flows["load"].ports["el"])
    assert res.summary["electricity_use_kwh"] == pytest.approx(line_kwh + base_kwh, rel=1e-9)


def test_kpis_reach_the_summary(suzhou_corrected):
    cfg = minimal_config(production_line=[line_params()])
    res = twin.run(twin.config_from_dict(cfg), weather=suzhou_corrected)
    assert res.summary["components"]["line"]["availability_frac"] == pytest.approx(1.0)


# -- bad input ---------------------------------------------------------------------
def _load(line: dict) -> None:
    twin.config_from_dict(minimal_config(production_line=[line]), source="plant.toml")


def test_overlapping_shifts_name_the_field():
    raw = line_params(
        shifts={"workday": [{"start": "06:00", "end": "14:30"}, {"start": "14:00", "end": "22:00"}]}
    )
    with pytest.raises(
        ConfigError,
        match=r"plant\.toml: production_line\[0\]\.shifts: "
        r"workday\[0\] \(06:00-14:30\) and workday\[1\]",
    ):
        _load(raw)


def test_night_shift_overlapping_the_next_morning_is_caught():
    raw = line_params(
        shifts={"workday": [{"start": "22:00", "end": "07:00"}, {"start": "06:00", "end": "14:00"}]}
    )
    with pytest.raises(ConfigError, match="overlap when worked on consecutive days"):
        _load(raw)


def test_product_without_cycle_time_names_the_field():
    raw = line_params(products=[{"name": "part", "batch_size": 10}])
    with pytest.raises(
        ConfigError,
        match=r"production_line\[0\]\.products\[0\]\.cycle_time_s: "
        "required field is missing",
    ):
        _load(raw)


def test_cycle_times_per_station_must_match_the_stations():
    raw = line_params(products=[{"name": "part", "cycle_time_s": [60.0, 30.0]}])
    with pytest.raises(
        ConfigError,
        match=r"products\[0\]\.cycle_time_s: expected one value or "
        r"one per station \(1\), got 2",
    ):
        _load(raw)


@pytest.mark.parametrize("mttr_h", [0.0, -1.0])
def test_mttr_must_be_positive(mttr_h):
    raw = line_params()
    raw["stations"][0].update(mtbf_h=50.0, mttr_h=mttr_h)
    with pytest.raises(ConfigError, match=r"stations\[0\]\.mttr_h: expected > 0"):
        _load(raw)


def test_mtbf_needs_mttr():
    raw = line_params()
    raw["stations"][0]["mtbf_h"] = 50.0
    with pytest.raises(ConfigError, match="mtbf_h and mttr_h: give both"):
        _load(raw)


def test_negative_buffer_names_the_field():
    raw = line_params()
    raw["stations"][0]["buffer_capacity_lots"] = -1
    with pytest.raises(
        ConfigError,
        match=r"stations\[0\]\.buffer_capacity_lots: expected >= 0, "
        "got -1",
    ):
        _load(raw)


def test_mix_shares_must_sum_to_one():
    raw = line_params(
        products=[
            {"name": "a", "cycle_time_s": 60, "mix_frac": 0.5},
            {"name": "b", "cycle_time_s": 60, "mix_frac": 0.3},
        ]
    )
    with pytest.raises(ConfigError, match=r"mix_frac: the shares must sum to 1, got 0\.8"):
        _load(raw)


def test_order_for_an_unknown_product():
    raw = line_params(orders=[{"product": "bolt", "quantity": 10, "release": "2025-03-03"}])
    with pytest.raises(ConfigError, match=r"orders\[0\]\.product: unknown product 'bolt'"):
        _load(raw)


def test_unknown_key_is_a_typo():
    raw = line_params()
    raw["stations"][0]["power_kw"]["bussy"] = 3.0
    with pytest.raises(ConfigError, match="unknown key; did you mean 'busy'"):
        _load(raw)


def test_shifts_overlapping_across_day_types_fail_at_run_time():
    """A Friday night shift (workday) into a Saturday morning shift (weekend)."""
    line = build(
        shifts={
            "workday": [{"start": "22:00", "end": "07:00"}],
            "weekend": [{"start": "06:00", "end": "12:00"}],
        }
    )
    with pytest.raises(
        ConfigError,
        match=r"production_line\[line\]\.shifts: the workday\[0\] shift "
        r"22:00-07:00 on 2025-03-07 overlaps the weekend\[0\]",
    ):
        line.compute(context(week_grid()))


def test_params_round_trip_through_json():
    params = ProductionLine.Params(**ProductionLine.example_params())
    again = ProductionLine.Params.model_validate(copy.deepcopy(params.model_dump(mode="json")))
    assert again == params
