"""configs/hvac_example.toml end to end (under the suite's warnings-as-errors):
zones held within their set points, plant serving both water buses, the
energy balance of every zone at every step, electricity and gas per HVAC
component, and each measure of the issue as a config change."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from twin.components.hvac_rc import gain_split_5r1c

import twin
from tests.conftest import ROOT
from twin.config import config_from_dict

CONFIG = ROOT / "configs" / "hvac_example.toml"
ZONES = ("hall", "office")

UNMET_HOURS_MAX = 0.01 * 8760
"""'Unmet hours stay low': at most 1 % of the year per zone and mode (ASHRAE
90.1 G3.1.2.3 allows 300 occupied hours; the example has none)."""

ZONE_BALANCE_TOL_W = 1e-3
"""Per-step zone balance reconstructed from hourly-mean outputs in kW: float
rounding of terms up to a few MW."""


def _raw() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def _run(raw: dict) -> twin.Results:
    return twin.run(config_from_dict(raw, source=str(CONFIG), base_dir=CONFIG.parent))


def _item(raw: dict, table: str, name: str) -> dict:
    return next(t for t in raw[table] if t["name"] == name)


@pytest.fixture(scope="module")
def base() -> twin.Results:
    return twin.run(twin.load_config(CONFIG))


def test_runs_without_warnings_and_unmet_hours_are_low(base):
    assert base.summary["warnings"] == []
    comps = base.summary["components"]
    for zone in ZONES:
        assert comps[zone]["unmet_heating_h"] <= UNMET_HOURS_MAX
        assert comps[zone]["unmet_cooling_h"] <= UNMET_HOURS_MAX
        assert comps[zone]["cooling_kwh"] > 0 and comps[zone]["heating_kwh"] > 0
    for bus in ("chilled_water", "hot_water", "natural_gas"):
        assert float(np.max(base.unmet_by_bus[bus])) == 0.0


def test_outputs_per_step_and_per_component(base):
    hourly = base.hourly
    for zone in ZONES:
        for col in ("heating.power_kw", "cooling.power_kw", "temp_air_c", "unmet_heating_frac",
                    "unmet_cooling_frac"):
            key = f"{zone}.{col}"
            assert key in hourly.columns, key
    assert "chillers.el.power_kw" in hourly.columns and "gas_boiler.gas.power_kw" in hourly.columns
    comps = base.summary["components"]
    assert comps["chillers"]["electricity_kwh"] > 0 and comps["ashp"]["electricity_kwh"] > 0
    assert comps["ahu_hall"]["electricity_kwh"] > 0 and comps["gas_boiler"]["gas_kwh"] >= 0
    # the zones' cooling plus the lines' process cooling is what the chillers deliver
    frame = base.frame
    cooling = sum(frame[(z, "cooling", "power_kw")] for z in ZONES) + frame[
        ("process_cooling", "demand", "power_kw")]
    np.testing.assert_allclose(frame[("chillers", "cooling", "power_kw")], cooling, atol=1e-9)
    assert 2.5 < comps["chillers"]["cop_plant"] < 6.0


def test_energy_balance_of_every_zone_at_every_step(base):
    frame = base.frame
    temp_out = base.weather_columns["temp_air_c"]
    step_h = base.grid.step_h
    for name in ZONES:
        zone = base.plant.component(name)
        p, c = zone.params, zone.conductances
        out = base.flows[name].outputs
        gains_int = out["internal_gains_kw"] * 1000.0
        gains_sol = (out["solar_gains_kw"] - out["sky_radiation_loss_kw"]) * 1000.0
        hc = (frame[(name, "heating", "power_kw")] - frame[(name, "cooling", "power_kw")]).to_numpy() * 1000.0
        _, _, _, glazing = gain_split_5r1c(gains_int, gains_sol, c.window_w_per_k,
                                           p.effective_mass_area_m2, p.internal_area_m2)
        m_end, m_mean = out["temp_mass_end_c"], out["temp_mass_c"]
        m_start = 2.0 * m_mean - m_end
        np.testing.assert_allclose(m_start[1:], m_end[:-1], atol=1e-9)  # the state carries over
        stored = p.heat_capacity_j_per_k * (m_end - m_start) / (3600.0 * step_h)
        losses = (
            out["ventilation_conductance_w_per_k"] * (out["temp_air_c"] - temp_out)
            + c.window_w_per_k * (out["temp_surface_c"] - temp_out)
            + c.exterior_mass_w_per_k * (m_mean - temp_out)
        )
        residual = hc + gains_int + gains_sol - glazing - losses - stored
        assert np.max(np.abs(residual)) < ZONE_BALANCE_TOL_W * max(1.0, np.max(np.abs(hc)) / 1e3)
        assert frame[(name, "heating", "power_kw")].min() >= 0.0
        assert frame[(name, "cooling", "power_kw")].min() >= 0.0


# -- measures as config changes -------------------------------------------------


def test_measure_set_points(base):
    raw = _raw()
    _item(raw, "hvac_zone", "hall")["cooling_set_c"] = 29.0
    _item(raw, "hvac_zone", "office")["cooling_set_c"] = 27.0
    after = _run(raw).summary["components"]
    before = base.summary["components"]
    assert after["hall"]["cooling_kwh"] < 0.97 * before["hall"]["cooling_kwh"]
    assert after["office"]["cooling_kwh"] < 0.95 * before["office"]["cooling_kwh"]
    assert after["chillers"]["electricity_kwh"] < before["chillers"]["electricity_kwh"]


def test_measure_chiller_replacement(base):
    raw = _raw()
    _item(raw, "chiller", "chillers")["rated_cop"] = 5.8
    after = _run(raw).summary["components"]["chillers"]
    before = base.summary["components"]["chillers"]
    assert after["cooling_kwh"] == pytest.approx(before["cooling_kwh"])
    assert after["electricity_kwh"] < 0.85 * before["electricity_kwh"]


def test_measure_free_cooling(base):
    raw = _raw()
    _item(raw, "chiller", "chillers")["free_cooling"] = True
    after = _run(raw).summary["components"]["chillers"]
    assert after["free_cooling_kwh"] > 0.02 * after["cooling_kwh"]  # Suzhou: winter only
    assert after["electricity_kwh"] < base.summary["components"]["chillers"]["electricity_kwh"]


def test_measure_evaporative_precooling():
    raw = _raw()
    chiller = _item(raw, "chiller", "chillers")
    chiller.update(condenser="air_cooled", heat_rejection_fan_kw_per_kw=0.03)
    dry = _run(raw).summary["components"]["chillers"]["electricity_kwh"]
    chiller["evaporative_precooling_effectiveness_frac"] = 0.7
    wet = _run(raw).summary["components"]["chillers"]["electricity_kwh"]
    # the curves clamp the condenser temperature at 23.9 °C: only hot hours gain
    assert wet < 0.99 * dry


def test_measure_ventilation_heat_recovery(base):
    raw = _raw()
    for zone in ZONES:
        _item(raw, "hvac_zone", zone)["ventilation_heat_recovery_frac"] = 0.7
    after = _run(raw).summary["components"]
    heating_before = sum(base.summary["components"][z]["heating_kwh"] for z in ZONES)
    assert sum(after[z]["heating_kwh"] for z in ZONES) < 0.8 * heating_before
    assert after["ashp"]["electricity_kwh"] < base.summary["components"]["ashp"]["electricity_kwh"]


def test_measure_heat_from_compressors(base):
    raw = _raw()
    air = tomllib.loads((ROOT / "configs" / "compressed_air_example.toml").read_text(encoding="utf-8"))
    raw["base_load"] = [b for b in raw["base_load"] if b["name"] != "compressed_air"]
    raw["air_system"] = air["air_system"]
    raw["demand_profile"] = [*raw["demand_profile"],
                             *[d for d in air["demand_profile"] if d["carrier"] == "compressed_air"]]
    without = _run(raw).summary["components"]
    raw["heat_recovery"] = [{"name": "compressor_heat", "source": "compressor_room",
                             "recoverable_frac": 0.8, "heat_bus": "hot_water"}]
    with_hr = _run(raw).summary["components"]
    assert with_hr["compressor_heat"]["heat_recovered_kwh"] > 0
    supplied_before = without["ashp"]["heat_kwh"] + without["gas_boiler"]["heat_kwh"]
    supplied_after = with_hr["ashp"]["heat_kwh"] + with_hr["gas_boiler"]["heat_kwh"]
    assert supplied_after < 0.7 * supplied_before
    assert with_hr["ashp"]["electricity_kwh"] < without["ashp"]["electricity_kwh"]
