"""configs/compressed_air_example.toml end to end: it runs without a warning,
every bus and the compressor room's flow and heat balances close at every
step, the measures of the issue are config changes that move energy the
right way, and undersized or switched-off systems report unmet demand."""

from __future__ import annotations

import copy
import tomllib

import numpy as np
import pytest

import twin
from tests.conftest import ROOT, minimal_config
from twin.errors import ConfigError, SuspiciousInputWarning

EXAMPLE = ROOT / "configs" / "compressed_air_example.toml"

BALANCE_TOL = 1e-6
"""Per-step balance [kW] or [m³/min]: the run's own bus tolerance."""

HEAT_RECOVERY = {
    "name": "compressor_heat_to_hot_water",
    "source": "compressor_room",
    "recoverable_frac": 0.8,
    "supply_temp_c": 70.0,
    "sink_temp_c": 60.0,
    "heat_bus": "hot_water",
}


def _raw() -> dict:
    with EXAMPLE.open("rb") as fh:
        return tomllib.load(fh)


def _run(raw: dict) -> twin.Results:
    return twin.run(twin.config_from_dict(raw, source="test", base_dir=EXAMPLE.parent))


@pytest.fixture(scope="module")
def baseline() -> twin.Results:
    return twin.run(twin.load_config(EXAMPLE))


@pytest.fixture(scope="module")
def with_recovery() -> twin.Results:
    raw = _raw()
    raw["heat_recovery"] = [HEAT_RECOVERY]
    return _run(raw)


def _el(results: twin.Results) -> float:
    return results.summary["components"]["compressor_room"]["electricity_kwh"]


def test_example_runs_clean_and_serves_every_demand(baseline):
    assert baseline.summary["warnings"] == []
    f = baseline.flows
    np.testing.assert_allclose(
        f["compressor_room"].ports["air"], f["air_demand"].ports["demand"], atol=BALANCE_TOL
    )
    np.testing.assert_allclose(
        f["hot_water_boiler"].ports["heat"],
        f["process_hot_water"].ports["demand"],
        atol=BALANCE_TOL,
    )
    np.testing.assert_allclose(
        f["gas"].ports["import"], f["hot_water_boiler"].ports["gas"], atol=BALANCE_TOL
    )
    assert all(np.max(u, initial=0.0) == 0.0 for u in baseline.unmet_by_bus.values())


def test_air_system_flow_and_heat_balance_every_step(baseline):
    o = baseline.flows["compressor_room"].outputs
    air = baseline.flows["compressor_room"].ports["air"]
    parts = (
        air
        + o["leak_flow_m3_per_min"]
        + o["artificial_demand_m3_per_min"]
        + o["purge_flow_m3_per_min"]
    )
    np.testing.assert_allclose(o["delivered_flow_m3_per_min"], parts, atol=BALANCE_TOL)
    np.testing.assert_allclose(
        o["compressor_power_kw"], o["heat_of_compression_kw"] + o["air_energy_kw"], atol=BALANCE_TOL
    )
    assert np.all(o["delivered_flow_m3_per_min"] <= o["capacity_m3_per_min"] + BALANCE_TOL)
    leak = baseline.summary["components"]["compressor_room"]["leak_frac"]
    assert leak == pytest.approx(0.25)


def test_outputs_reach_the_hourly_frame(baseline):
    cols = set(baseline.hourly.columns)
    for name in (
        "compressor_room.compressor_lu_90_a_power_kw",
        "compressor_room.leak_flow_m3_per_min",
        "compressor_room.specific_power_kw_per_m3_per_min",
        "compressor_room.heat_of_compression_kw",
        "gas.co2_kg_per_h",
        "gas.fuel_nm3_per_h",
        "hot_water_boiler.fuel_nm3_per_h",
    ):
        assert name in cols, name


def test_scope1_and_fuel_cost_come_from_the_gas_meter_once(baseline):
    gas = baseline.summary["components"]["gas"]
    assert baseline.summary["scope1_tco2"] == pytest.approx(gas["co2_t"])
    assert gas["co2_t"] == pytest.approx(gas["fuel_use_nm3"] * 2.1622 / 1000.0)
    assert baseline.summary["fuel_cost_cny"] == pytest.approx(gas["cost_cny"])
    assert gas["cost_cny"] == pytest.approx(gas["fuel_use_nm3"] * 3.6)


def test_heat_recovery_closes_the_balance_and_displaces_gas(baseline, with_recovery):
    assert with_recovery.summary["warnings"] == []
    room = with_recovery.flows["compressor_room"].outputs
    hr = with_recovery.flows["compressor_heat_to_hot_water"].outputs
    # compressor electricity = heat recovered + heat rejected + energy in the air, every step
    np.testing.assert_allclose(
        room["compressor_power_kw"],
        hr["heat_recovered_kw"] + hr["heat_rejected_kw"] + room["air_energy_kw"],
        atol=BALANCE_TOL,
    )
    demand = with_recovery.flows["process_hot_water"].ports["demand"]
    assert np.all(hr["heat_recovered_kw"] <= demand + BALANCE_TOL)  # only where a sink exists
    boiler = with_recovery.flows["hot_water_boiler"].ports["heat"]
    np.testing.assert_allclose(boiler + hr["heat_recovered_kw"], demand, atol=BALANCE_TOL)
    saved_kwh = (
        baseline.summary["components"]["gas"]["fuel_use_kwh"]
        - with_recovery.summary["components"]["gas"]["fuel_use_kwh"]
    )
    recovered_kwh = with_recovery.summary["components"]["compressor_heat_to_hot_water"][
        "heat_recovered_kwh"
    ]
    assert saved_kwh == pytest.approx(recovered_kwh / 0.92, rel=1e-9)
    assert with_recovery.summary["scope1_tco2"] < baseline.summary["scope1_tco2"]
    assert _el(with_recovery) == pytest.approx(_el(baseline))


@pytest.mark.parametrize(
    "override",
    [
        "air_system[0].leak_frac=0.10",  # leak repair
        "air_system[0].pressure_set_bar_g=6.5",  # pressure reduction
        "air_system[0].sequencing=sequencer",  # sequencer
    ],
)
def test_measures_as_overrides_save_electricity(baseline, override):
    variant = twin.run(twin.load_config(EXAMPLE, [override]))
    assert variant.summary["warnings"] == []
    assert _el(variant) < _el(baseline)


def test_vsd_trim_measure_saves_electricity():
    """Before: three fixed-speed load/unload machines; after: one replaced by the VSD trim."""
    raw = _raw()
    before = copy.deepcopy(raw)
    before["air_system"][0]["compressors"][2] = {
        "name": "lu_75",
        "control": "load_unload",
        "rated_flow_m3_per_min": 12.5,
        "rated_power_kw": 76.0,
        "no_load_power_kw": 20.0,
        "priority": 3,
    }
    assert _el(_run(raw)) < _el(_run(before))


def test_compressors_off_outside_shifts_reports_unmet_demand():
    raw = _raw()
    raw["air_system"][0]["schedule"] = {
        "weekday": [0.0] * 6 + [1.0] * 16 + [0.0] * 2,
        "weekend": [0.0] * 8 + [1.0] * 12 + [0.0] * 4,
        "holiday": [0.0] * 24,
    }
    with pytest.warns(SuspiciousInputWarning, match="'air_7bar_g': demand exceeds supply"):
        results = _run(raw)
    unmet = results.hourly["air_7bar_g.unmet_flow_m3_per_min"]
    assert unmet.max() == pytest.approx(3.0)  # the night-time demand of the profile
    assert unmet.iloc[12] == pytest.approx(2.0)  # 1 January (holiday) 12:00: system off
    room = results.flows["compressor_room"]
    hours = results.grid.hour
    workday = results.flows["air_demand"].ports["demand"] > 2.5  # rough: workday profile
    assert room.ports["el"][(hours < 6) & workday].max() == 0.0


def test_undersized_compressor_room_warns_and_reports_a_column():
    raw = minimal_config(
        weather={"site": "suzhou-tmyx", "correct_timing": True},
        demand_profile=[
            {
                "name": "air",
                "carrier": "compressed_air",
                "bus": "air_7bar_g",
                "demand_m3_per_min": {"weekday": [5.0] * 8 + [30.0] * 10 + [5.0] * 6},
            }
        ],
        air_system=[
            {
                "name": "room",
                "leak_frac": 0.2,
                "compressors": [
                    {
                        "name": "c1",
                        "control": "load_unload",
                        "rated_flow_m3_per_min": 20.0,
                        "rated_power_kw": 120.0,
                    }
                ],
            }
        ],
    )
    with pytest.warns(SuspiciousInputWarning, match="air_7bar_g"):
        results = twin.run(twin.config_from_dict(raw))
    column = results.hourly["air_7bar_g.unmet_flow_m3_per_min"]
    assert column.max() == pytest.approx(30.0 - 20.0 * 0.8)
    assert any("air_7bar_g" in w for w in results.summary["warnings"])


@pytest.mark.parametrize(
    ("path", "value", "fragments"),
    [
        (
            "compressors[0].rated_flow_m3_per_min",
            0.0,
            ["air_system[0].compressors[0].rated_flow_m3_per_min", "expected > 0"],
        ),
        (
            "compressors[0].rated_power_kw",
            -5.0,
            ["air_system[0].compressors[0].rated_power_kw", "expected > 0"],
        ),
        (
            "compressors[0].no_load_power_kw",
            150.0,
            ["air_system[0].compressors[0]", "cannot exceed full-load"],
        ),
        (
            "compressors[2].turndown_frac",
            1.5,
            ["air_system[0].compressors[2].turndown_frac", "expected <= 1"],
        ),
        (
            "compressors[2].turndown_frac",
            0.0,
            ["air_system[0].compressors[2].turndown_frac", "expected > 0"],
        ),
        ("receiver_volume_m3", -2.0, ["air_system[0].receiver_volume_m3", "expected >= 0"]),
    ],
)
def test_bad_input_gives_clear_config_errors(path, value, fragments):
    raw = _raw()
    node = raw["air_system"][0]
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[last] = value
    with pytest.raises(ConfigError) as err:
        twin.config_from_dict(raw, source="example.toml")
    text = str(err.value)
    for fragment in fragments:
        assert fragment in text, text
