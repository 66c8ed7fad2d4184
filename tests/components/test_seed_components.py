"""Value and wiring tests of the nitrogen generator, evaporative cooler,
process heater and process oven (their checks against published references
are in tests/validation/test_seed_component_references.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from twin.components.evaporative_cooler import (
    EvaporativeCooler,
    evaporated_water_kg_per_kg,
    leaving_temp_c,
)
from twin.components.hvac_psychrometrics import enthalpy_j_per_kg
from twin.components.nitrogen_generator import (
    FAD_PER_NORMAL_M3,
    NitrogenGenerator,
    air_factor_min,
    interpolate_by_purity,
)
from twin.components.process_heater import ProcessHeater, induction_coil_efficiency
from twin.components.process_oven import ProcessOven, warmup_fractions

from twin.component import RunContext, Site
from twin.simulate import weather_on_grid
from twin.timegrid import TimeGrid


def _ctx(suzhou_weather, days: int = 7, step: str = "1h", start: str = "2025-07-07") -> RunContext:
    grid = TimeGrid(
        pd.Timestamp(start, tz="Asia/Shanghai"),
        pd.Timedelta(step),
        days * 24 * int(pd.Timedelta("1h") / pd.Timedelta(step)),
    )
    loc = suzhou_weather.location
    return RunContext(
        grid,
        Site(loc.name, loc.latitude_deg, loc.longitude_deg, loc.elevation_m),
        weather_on_grid(suzhou_weather.frame, grid),
        np.zeros(grid.n_steps, np.int8),
        None,
        np.random.SeedSequence(1),
    )


# -- nitrogen generator ---------------------------------------------------------------
def test_air_factor_interpolates_in_log_residual_oxygen():
    table = {0.99: 2.0, 0.999: 3.0, 0.9999: 4.0}
    assert interpolate_by_purity(table, 0.999) == pytest.approx(3.0)
    # 1 - y = 10^-2.5 lies half-way between 10^-2 and 10^-3 in log space
    assert interpolate_by_purity(table, 1 - 10**-2.5) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="no extrapolation"):
        interpolate_by_purity(table, 0.95)


def test_air_factor_below_the_oxygen_balance_is_refused():
    p = NitrogenGenerator.example_params()
    p["air_factor"] = {0.99: 1.2, 0.999: 3.0}  # 1.2 < 0.99 / 0.7905 = 1.252
    with pytest.raises(ValidationError, match="oxygen-balance minimum"):
        NitrogenGenerator.Params(**p)
    assert float(air_factor_min(0.99)) == pytest.approx(0.99 / 0.7905)


def test_psa_draws_free_air_from_its_bus(suzhou_weather):
    p = NitrogenGenerator.example_params() | {"demand_nm3_per_h": 100.0}
    gen = NitrogenGenerator(NitrogenGenerator.Params(**p))
    flows = gen.compute(_ctx(suzhou_weather, days=1))
    # 100 Nm³/h x 3.0 (table at 0.999) = 300 Nm³/h of air = 300 x 1.0874 / 60 m³/min FAD
    assert np.allclose(flows.ports["air"], 300.0 * FAD_PER_NORMAL_M3 / 60.0)
    assert FAD_PER_NORMAL_M3 == pytest.approx(1.0874, abs=1e-4)


def test_packaged_unit_draws_electricity_and_caps_at_its_rating(suzhou_weather):
    gen = NitrogenGenerator(
        NitrogenGenerator.Params(
            name="pack",
            technology="packaged",
            demand_nm3_per_h=50.0,
            purity_frac=0.999,
            specific_energy_kwh_per_nm3={0.999: 0.4},
            table_source="test",
            rated_flow_nm3_per_h=40.0,
        )
    )
    flows = gen.compute(_ctx(suzhou_weather, days=1))
    assert np.allclose(flows.ports["el"], 40.0 * 0.4)
    assert np.allclose(flows.outputs["nitrogen_unmet_nm3_per_h"], 10.0)


# -- evaporative cooler ----------------------------------------------------------------
def test_direct_cooling_is_isenthalpic():
    # the water evaporated restores the enthalpy lost by sensible cooling (constant h)
    t_in, t_out, w_in = 35.0, 24.0, 0.010
    w_out = w_in + float(evaporated_water_kg_per_kg(t_in, t_out, w_in))
    assert enthalpy_j_per_kg(t_out, w_out) == pytest.approx(enthalpy_j_per_kg(t_in, w_in), rel=1e-9)


def test_cooler_serves_its_bus_up_to_capacity_and_leaves_the_rest(suzhou_weather):
    ctx = _ctx(suzhou_weather, days=2)
    cooler = EvaporativeCooler(EvaporativeCooler.Params(**EvaporativeCooler.example_params()))
    from twin.components.base_load import BaseLoad  # a cooling demand on the bus

    demand = BaseLoad(
        BaseLoad.Params(name="hall", carrier="electricity", bus="hall_cooling", demand_kw=10_000.0)
    )
    ctx._record("hall", demand.ports(), demand.compute(ctx))
    flows = cooler.compute(ctx)
    cap = flows.outputs["cooling_capacity_kw"]
    assert np.allclose(flows.ports["cooling"], np.minimum(cap, 10_000.0))
    tdb = ctx.weather["temp_air_c"]
    twb = flows.outputs["temp_wet_bulb_c"]
    assert np.allclose(flows.outputs["temp_supply_c"], leaving_temp_c(tdb, twb, 0.85))
    running = flows.ports["cooling"] > 0
    assert np.allclose(flows.ports["el"][running], 15.0 + 1.1)
    assert np.all(flows.outputs["water_m3_per_h"][running] > 0)


def test_indirect_unit_takes_a_secondary_fan_and_direct_refuses_it():
    p = EvaporativeCooler.example_params() | {"secondary_fan_power_kw": 3.0}
    with pytest.raises(ValidationError, match="secondary_fan_power_kw is for indirect units"):
        EvaporativeCooler.Params(**p)
    EvaporativeCooler.Params(**(p | {"kind": "indirect", "effectiveness_frac": 0.6}))


# -- process heater ----------------------------------------------------------------------
def test_electric_heater_reports_the_gas_it_displaces(suzhou_weather):
    heater = ProcessHeater(ProcessHeater.Params(**ProcessHeater.example_params()))
    flows = heater.compute(_ctx(suzhou_weather, days=1))
    duty = flows.outputs["heat_useful_kw"]
    assert np.allclose(flows.ports["el"], duty / 0.7)
    assert np.allclose(flows.outputs["gas_displaced_kw"], duty / 0.3)


def test_gas_burner_draws_from_the_gas_bus_and_takes_no_replacement(suzhou_weather):
    p = {
        "name": "torch",
        "technology": "gas_burner",
        "heat_kw": 30.0,
        "efficiency": 0.15,
        "efficiency_source": "test",
    }
    heater = ProcessHeater(ProcessHeater.Params(**p))
    assert [port.name for port in heater.ports()] == ["gas"]
    assert np.allclose(heater.compute(_ctx(suzhou_weather, days=1)).ports["gas"], 200.0)
    with pytest.raises(ValidationError, match="for electric heaters"):
        ProcessHeater.Params(**(p | {"replaces_efficiency_lhv": 0.2, "replaces_source": "x"}))


def test_coil_efficiency_limits():
    # no coil loss when the coil conductor is perfect; a looser coil loses more
    assert induction_coil_efficiency(1.5, 0.0, 1e-6) == pytest.approx(1.0)
    assert induction_coil_efficiency(2.0, 1.7e-8, 1e-6) < induction_coil_efficiency(
        1.2, 1.7e-8, 1e-6
    )
    with pytest.raises(ValueError, match=">= 1"):
        induction_coil_efficiency(0.9, 1.7e-8, 1e-6)


# -- process oven ----------------------------------------------------------------------------
def test_warmup_is_laid_before_each_start_pro_rata():
    hot = np.array([0, 0, 0, 1, 1, 0, 0, 1], dtype=bool)
    frac = warmup_fractions(hot, 5400.0, 3600.0)  # 90 min
    assert frac.tolist() == [0.0, 0.5, 1.0, 0.0, 0.0, 0.5, 1.0, 0.0]
    # a warm-up never reaches back past the previous hot step
    assert warmup_fractions(np.array([1, 0, 1], dtype=bool), 7200.0, 3600.0).tolist() == [
        0.0,
        1.0,
        0.0,
    ]


@pytest.mark.parametrize("step", ["1h", "15min"])
def test_smart_start_saves_its_minutes_at_warmup_power_per_start(suzhou_weather, step):
    ctx = _ctx(suzhou_weather, days=7, step=step)
    base = ProcessOven.example_params()
    fixed = ProcessOven(ProcessOven.Params(**(base | {"smart_start_saved_min": 0.0})))
    smart = ProcessOven(ProcessOven.Params(**base))
    g = ctx.grid
    e_fixed = g.energy_kwh(fixed.compute(ctx).ports["gas"])
    f_smart = smart.compute(ctx)
    starts = smart.kpis(f_smart, g)["starts_count"]
    assert starts == 7.0  # one start a day (weekday profile on every day here)
    saved = e_fixed - g.energy_kwh(f_smart.ports["gas"])
    assert saved == pytest.approx(starts * 15.0 / 60.0 * 1500.0)
    assert g.energy_kwh(f_smart.outputs["warmup_avoided_kw"]) == pytest.approx(saved)
    assert np.allclose(f_smart.outputs["exhaust_heat_kw"], 0.25 * f_smart.ports["gas"])


def test_oven_checks_its_inputs():
    p = ProcessOven.example_params()
    with pytest.raises(ValidationError, match="cannot avoid more warm-up"):
        ProcessOven.Params(**(p | {"smart_start_saved_min": 90.0}))
    with pytest.raises(ValidationError, match="holding temperature cannot take more"):
        ProcessOven.Params(**(p | {"idle_power_kw": 2000.0}))
