"""Boiler, gas supply, heat recovery and demand profiles: value and wiring
tests (the contract suite covers the generic ones)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from twin.components.boiler import Boiler, boiler_efficiency, boiler_fuel_kw
from twin.components.demand_profile import DemandProfile
from twin.components.gas_supply import NG_EF_KG_PER_NM3, NG_LHV_KWH_PER_NM3, GasSupply
from twin.components.heat_recovery import HeatRecovery, recover_heat

from tests.conftest import TESTS_DATA_DIR
from twin.carriers import HEAT, NATURAL_GAS
from twin.component import DayType, Direction, Flows, Port, Role, RunContext, Site
from twin.errors import ConfigError
from twin.timegrid import TimeGrid

TOL = 1e-9
"""Energy balances [kW]: float64 rounding."""


def _ctx(n: int = 24, day_type=None) -> RunContext:
    grid = TimeGrid(pd.Timestamp("2025-06-02", tz="Asia/Shanghai"), pd.Timedelta("1h"), n)
    days = np.zeros(n, np.int8) if day_type is None else np.asarray(day_type, np.int8)
    return RunContext(grid, Site("x", 31.3, 120.6, 5.0), {}, days, None, np.random.SeedSequence(1))


def _demand(ctx: RunContext, bus: str, kw, carrier=HEAT) -> None:
    port = Port("demand", carrier, Direction.IN, bus, Role.USE)
    ctx._record(f"demand_{bus}", (port,), Flows(ports={"demand": np.asarray(kw, dtype=np.float64)}))


# -- fuel factors ---------------------------------------------------------------
def test_gas_defaults_match_the_china_factor_table():
    table = pd.read_csv(TESTS_DATA_DIR / "cn_fuel_combustion_factors.csv", comment="#")
    ng = table[table["fuel"].str.contains("natural gas")].iloc[0]
    assert NG_LHV_KWH_PER_NM3 == pytest.approx(ng["ncv"] / 3600.0)
    assert NG_EF_KG_PER_NM3 == pytest.approx(ng["ef_value"])
    recomputed = ng["ncv"] / 1e6 * ng["carbon_content_tC_per_TJ"] * ng["oxidation_rate"] * 44 / 12
    assert recomputed == pytest.approx(NG_EF_KG_PER_NM3, abs=5e-5)


# -- boiler -------------------------------------------------------------------
def test_boiler_fuel_and_part_load_curve():
    np.testing.assert_allclose(boiler_fuel_kw([0.0, 460.0], 500.0, 0.92), [0.0, 500.0])
    eta = boiler_efficiency([0.25, 1.0], 0.9, (0.9, 0.2, -0.1))
    np.testing.assert_allclose(eta, [0.9 * (0.9 + 0.05 - 0.00625), 0.9])


def test_boiler_serves_net_demand_up_to_rating_and_reports_no_co2():
    ctx = _ctx(4)
    _demand(ctx, "hot_water", [0.0, 100.0, 500.0, 900.0])
    boiler = Boiler(
        Boiler.Params(
            name="b",
            rated_heat_kw=600.0,
            efficiency_lhv=0.9,
            efficiency_curve="constant",
            standby_loss_frac=0.0,
        )
    )
    f = boiler.compute(ctx)
    np.testing.assert_allclose(f.ports["heat"], [0.0, 100.0, 500.0, 600.0])
    np.testing.assert_allclose(f.ports["gas"], f.ports["heat"] / 0.9)
    np.testing.assert_allclose(f.outputs["fuel_nm3_per_h"], f.ports["gas"] / NG_LHV_KWH_PER_NM3)
    np.testing.assert_allclose(f.ports["gas"], f.ports["heat"] + f.outputs["loss_kw"], atol=TOL)
    assert "co2_kg_per_h" not in f.outputs


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"rated_heat_kw": 0.0}, "greater than 0"),
        ({"efficiency_lhv": 0.0}, "greater than 0"),
        ({"efficiency_lhv": 1.2}, "less than or equal to 1.1"),
        ({"part_load_curve": [0.1, -0.5, 0.0]}, "check efficiency_lhv and the curve"),
    ],
)
def test_bad_boiler_params(changes, match):
    raw = {"name": "b", "rated_heat_kw": 600.0, "efficiency_lhv": 0.9, **changes}
    with pytest.raises(ValidationError, match=match):
        Boiler.Params(**raw)


def test_boiler_loses_efficiency_at_low_load_by_its_curve_and_cycling():
    """Non-condensing (EnergyPlus HVACTemplate curve): 0.92 at full load, the
    curve's 0.98 x 0.92 at the 0.2 turndown, and below it cycling with a 1 %
    standby loss: 0.77 at 4 % load, so no boiler keeps its rated efficiency there."""
    ctx = _ctx(3)
    _demand(ctx, "hot_water", [500.0, 100.0, 20.0])
    f = Boiler(Boiler.Params(name="b", rated_heat_kw=500.0, efficiency_lhv=0.92)).compute(ctx)
    eta = f.outputs["efficiency_lhv"]
    assert eta[0] == pytest.approx(0.92, abs=1e-12)
    assert eta[1] == pytest.approx(0.92 * (0.97 + 0.0633 * 0.2 - 0.0333 * 0.04), rel=1e-12)
    fired = 20.0 / (0.92 * (0.97 + 0.0633 * 0.2 - 0.0333 * 0.04))
    assert f.ports["gas"][2] == pytest.approx(fired + 0.01 * 500.0 * (1.0 - 0.04 / 0.2))
    assert eta[2] < 0.78


def test_condensing_boiler_gains_with_cold_return_water():
    ctx = _ctx(2)
    _demand(ctx, "hot_water", [250.0, 250.0])
    cold = Boiler(
        Boiler.Params(
            name="b",
            rated_heat_kw=500.0,
            efficiency_lhv=0.97,
            efficiency_curve="condensing",
            return_temp_c=35.0,
        )
    ).compute(ctx)
    warm = Boiler(
        Boiler.Params(
            name="b",
            rated_heat_kw=500.0,
            efficiency_lhv=0.97,
            efficiency_curve="condensing",
            return_temp_c=70.0,
        )
    ).compute(ctx)
    assert cold.outputs["efficiency_lhv"][0] > warm.outputs["efficiency_lhv"][0] + 0.03


# -- gas supply ---------------------------------------------------------------
def test_gas_supply_meters_bills_and_counts_co2_once():
    ctx = _ctx(3)
    _demand(ctx, "natural_gas", [0.0, NG_LHV_KWH_PER_NM3 * 10.0, 200.0], carrier=NATURAL_GAS)
    gas = GasSupply(GasSupply.Params(name="gas", price_cny_per_nm3=3.5))
    f = gas.compute(ctx)
    assert f.outputs["fuel_nm3_per_h"][1] == pytest.approx(10.0)
    assert f.outputs["co2_kg_per_h"][1] == pytest.approx(10.0 * 2.1622)
    assert f.outputs["cost_cny"][1] == pytest.approx(35.0)
    k = gas.kpis(f, ctx.grid)
    assert k["fuel_use_kwh"] == pytest.approx(f.ports["import"].sum())
    assert k["co2_t"] == pytest.approx(f.outputs["co2_kg_per_h"].sum() / 1000.0)
    assert set(k) == {"fuel_use_nm3", "fuel_use_kwh", "cost_cny", "co2_t"}


def test_gas_supply_limit_reports_unmet():
    ctx = _ctx(2)
    _demand(ctx, "natural_gas", [50.0, 500.0], carrier=NATURAL_GAS)
    f = GasSupply(
        GasSupply.Params(name="g", price_cny_per_nm3=3.5, max_flow_nm3_per_h=20.0)
    ).compute(ctx)
    cap = 20.0 * NG_LHV_KWH_PER_NM3
    np.testing.assert_allclose(f.ports["import"], [50.0, cap])
    np.testing.assert_allclose(f.outputs["unmet_kw"], [0.0, 500.0 - cap])


# -- heat recovery ------------------------------------------------------------
def test_recover_heat_only_where_a_sink_exists():
    available, recovered, rejected = recover_heat(
        [100.0, 100.0, 100.0], [200.0, 30.0, -5.0], 0.8, 70.0
    )
    np.testing.assert_allclose(available, [70.0, 70.0, 70.0])
    np.testing.assert_allclose(recovered, [70.0, 30.0, 0.0])
    np.testing.assert_allclose(rejected, [30.0, 70.0, 100.0])


def test_heat_recovery_reads_its_source_component():
    ctx = _ctx(3)
    src = Port("el", HEAT, Direction.OUT, "unused_bus", Role.SUPPLY)
    ctx._record(
        "room",
        (src,),
        Flows(
            ports={"el": np.zeros(3)},
            outputs={"heat_of_compression_kw": np.array([0.0, 80.0, 80.0])},
        ),
    )
    _demand(ctx, "hot_water", [50.0, 50.0, 10.0])
    hr = HeatRecovery(HeatRecovery.Params(name="hr", source="room"))
    f = hr.compute(ctx)
    np.testing.assert_allclose(f.ports["heat"], [0.0, 50.0, 10.0])
    np.testing.assert_allclose(f.outputs["heat_rejected_kw"] + f.ports["heat"], [0.0, 80.0, 80.0])
    np.testing.assert_allclose(f.outputs["heat_unused_kw"], [0.0, 14.0, 54.0])


def test_heat_recovery_serves_extra_buses_in_order():
    ctx = _ctx(2)
    _demand(ctx, "hot_water", [30.0, 100.0])
    _demand(ctx, "heat_lt", [40.0, 40.0])
    hr = HeatRecovery(
        HeatRecovery.Params(
            name="hr", heat_kw=100.0, recoverable_frac=0.6, extra_heat_buses=["heat_lt"]
        )
    )
    assert [p.name for p in hr.ports()] == ["heat", "heat_heat_lt"]
    f = hr.compute(ctx)
    np.testing.assert_allclose(f.ports["heat"], [30.0, 60.0])
    np.testing.assert_allclose(f.ports["heat_heat_lt"], [30.0, 0.0])
    np.testing.assert_allclose(f.outputs["heat_recovered_kw"], [60.0, 60.0])
    np.testing.assert_allclose(f.outputs["heat_rejected_kw"], [40.0, 40.0])
    np.testing.assert_allclose(f.outputs["heat_unused_kw"], [0.0, 0.0])


def test_heat_recovery_unknown_source_or_output():
    ctx = _ctx(2)
    with pytest.raises(ConfigError, match="no component 'room'"):
        HeatRecovery(HeatRecovery.Params(name="hr", source="room")).compute(ctx)
    ctx._record("room", (), Flows(ports={}, outputs={"x_kw": np.zeros(2)}))
    with pytest.raises(ConfigError, match="its outputs: x_kw"):
        HeatRecovery(HeatRecovery.Params(name="hr", source="room")).compute(ctx)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({}, "exactly one heat source"),
        ({"source": "a", "heat_kw": 1.0}, "exactly one heat source"),
        ({"source": "a", "recoverable_frac": 0.0}, "greater than 0"),
        ({"source": "a", "supply_temp_c": 70.0, "sink_temp_c": 68.0}, "cannot serve the sink"),
    ],
)
def test_bad_heat_recovery_params(changes, match):
    with pytest.raises(ValidationError, match=match):
        HeatRecovery.Params(name="hr", **changes)


# -- demand profile -----------------------------------------------------------
def test_demand_profile_air_by_day_type():
    ctx = _ctx(3, day_type=[DayType.WORKDAY, DayType.WEEKEND, DayType.HOLIDAY])
    dp = DemandProfile(
        DemandProfile.Params(
            name="air",
            carrier="compressed_air",
            bus="air_7bar_g",
            demand_m3_per_min={
                "weekday": [10.0] * 24,
                "weekend": [5.0] * 24,
                "holiday": [1.0] * 24,
            },
        )
    )
    np.testing.assert_allclose(dp.compute(ctx).ports["demand"], [10.0, 5.0, 1.0])
    assert dp.ports()[0].carrier.name == "compressed_air" and dp.ports()[0].bus == "air_7bar_g"


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"carrier": "compressed_air", "demand_kw": 1.0}, "counted in m³/min"),
        ({"carrier": "heat", "demand_m3_per_min": 1.0}, "counted in kW"),
        ({"carrier": "heat"}, "give either demand_kw"),
        ({"carrier": "heat", "demand_kw": {"weekday": [-1.0] * 24}}, "24 finite values >= 0"),
        ({"carrier": "steam", "demand_kw": 1.0}, "compressed_air"),
    ],
)
def test_bad_demand_profile(changes, match):
    with pytest.raises(ValidationError, match=match):
        DemandProfile.Params(name="d", bus="b", **changes)
