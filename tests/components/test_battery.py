"""Tests of components.battery: the SOC kernel, the dispatch rules, the component."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose
from pydantic import ValidationError
from twin.components.battery import (
    Battery,
    BatteryParams,
    dispatch_peak_shaving,
    dispatch_tou_arbitrage,
    plan_tou_windows,
    simulate_soc,
)

from twin.carriers import ELECTRICITY
from twin.component import (
    Direction,
    Flows,
    Port,
    Role,
    RunContext,
    Site,
    Stage,
    TariffSignals,
    TouPeriod,
    get_component_class,
)
from twin.timegrid import TimeGrid

# Tolerances, in one place: SOC bounds are checked to round-off of a few
# additions per step; energy balances sum hundreds of steps.
SOC_TOL_KWH = 1e-9
BALANCE_TOL_KWH = 1e-6
# Equivalent full cycles per day: self-discharge (0.05 %/day) and the last
# partial step of a window keep the count a little below the whole number.
EFC_RTOL = 0.02

HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

SITE = Site("test", latitude_deg=31.23, longitude_deg=121.47, elevation_m=4.0)
LOAD_PORT = Port("load", ELECTRICITY, Direction.IN, "electricity", Role.USE)
PV_PORT = Port(
    "pv", ELECTRICITY, Direction.OUT, "electricity", Role.GENERATION, renewable=True, source="solar"
)

_CODE = {
    "deep_valley": TouPeriod.DEEP_VALLEY,
    "valley": TouPeriod.VALLEY,
    "flat": TouPeriod.FLAT,
    "peak": TouPeriod.PEAK,
    "critical": TouPeriod.CRITICAL,
}
# Hour labels from cn_tou_hour_map.csv (provincial TOU documents, twin/data/tou_*.csv).
JIANGSU_SUMMER = (
    ["valley"] * 6 + ["flat"] * 5 + ["valley"] * 2 + ["flat"] + ["peak"] * 8 + ["flat"] * 2
)
JIANGSU_SPRING = (
    ["flat"] * 2
    + ["valley"] * 4
    + ["flat"] * 4
    + ["valley"] * 4
    + ["flat"]
    + ["peak"] * 7
    + ["flat"] * 2
)
SHANGHAI_OTHER = (
    ["valley"] * 6
    + ["flat"] * 2
    + ["peak"] * 3
    + ["flat"] * 7
    + ["peak"] * 3
    + ["flat"]
    + ["valley"] * 2
)
SHANGHAI_JUL_AUG = (
    ["valley"] * 6
    + ["flat"] * 2
    + ["peak"] * 4
    + ["critical"] * 2
    + ["peak"]
    + ["flat"] * 3
    + ["peak"] * 3
    + ["flat"]
    + ["valley"] * 2
)
# Price ratios to flat (cn_tou_price_ratios.csv): Jiangsu two-part, Shanghai two-part.
JIANGSU_RATIOS = {"valley": 0.35, "flat": 1.0, "peak": 1.8}
SHANGHAI_OTHER_RATIOS = {"valley": 0.5, "flat": 1.0, "peak": 1.6}
SHANGHAI_SUMMER_RATIOS = {"valley": 0.4, "flat": 1.0, "peak": 1.8, "critical": 2.25}
FLAT_PRICE = 0.6  # [CNY/kWh]


def hour_mask(hours: list[int]) -> np.ndarray:
    """Boolean mask over the 24 hours of a day."""
    mask = np.zeros(24, dtype=bool)
    mask[hours] = True
    return mask


def day_codes(labels: list[str]) -> np.ndarray:
    return np.array([_CODE[x] for x in labels], dtype=np.int64)


def day_prices(labels: list[str], ratios: dict[str, float]) -> np.ndarray:
    return np.array([FLAT_PRICE * ratios[x] for x in labels])


def make_grid(start: str = "2025-07-01", step: str = "1h", days: int = 1) -> TimeGrid:
    td = pd.Timedelta(step)
    n = int(pd.Timedelta(days=days) / td)
    return TimeGrid(start=pd.Timestamp(start, tz="Asia/Shanghai"), step=td, n_steps=n)


def make_signals(
    grid: TimeGrid,
    labels: list[str] | None = None,
    ratios: dict[str, float] | None = None,
    target_kw: np.ndarray | None = None,
) -> TariffSignals:
    labels = labels if labels is not None else ["flat"] * 24
    ratios = ratios if ratios is not None else {"flat": 1.0}
    period = day_codes(labels)[grid.hour].astype(np.int8)
    price = day_prices(labels, ratios)[grid.hour]
    n = grid.n_steps
    return TariffSignals(
        period=period,
        import_price_cny_per_kwh=price,
        export_price_cny_per_kwh=np.zeros(n),
        ef_kg_per_kwh=np.full(n, 0.58),
        demand_target_kw=target_kw,
    )


def make_ctx(
    grid: TimeGrid, net_kw: np.ndarray, signals: TariffSignals | None = None
) -> RunContext:
    """A run context whose electricity bus carries ``net_kw`` (a fake load and PV)."""
    n = grid.n_steps
    ctx = RunContext(
        grid,
        SITE,
        weather={},
        day_type=np.zeros(n, np.int8),
        signals=signals,
        seed_sequence=np.random.SeedSequence(0),
    )
    net = np.broadcast_to(np.asarray(net_kw, dtype=np.float64), (n,))
    flows = Flows(ports={"load": np.maximum(net, 0.0), "pv": np.maximum(-net, 0.0)})
    ctx._record("fake_site", (LOAD_PORT, PV_PORT), flows)
    return ctx


def kernel_kwargs(**overrides: float) -> dict[str, float]:
    kw = {
        "capacity_kwh": 1000.0,
        "soc_initial_kwh": 500.0,
        "soc_min_kwh": 50.0,
        "soc_max_kwh": 950.0,
        "charge_power_max_kw": 500.0,
        "discharge_power_max_kw": 500.0,
        "efficiency_charge_frac": 1.0,
        "efficiency_discharge_frac": 1.0,
        "self_discharge_frac_per_step": 0.0,
        "step_h": 1.0,
    }
    kw.update(overrides)
    return kw


def battery(**overrides: object) -> Battery:
    params = {"name": "bess", "capacity_kwh": 1000.0, "rated_power_kw": 500.0, **overrides}
    return Battery(BatteryParams(**params))


def equivalent_cycles_per_day(bess: Battery, flows: Flows, grid: TimeGrid) -> np.ndarray:
    """Discharged energy per day over the usable energy delivered at the AC side [-]."""
    p = bess.params
    energy_kwh = flows.ports["discharge"] * grid.step_h
    per_day = np.bincount(grid.day_number, weights=energy_kwh)
    return per_day / (bess.usable_energy_kwh * p.efficiency_discharge_frac)


def hours_with(flow_kw: np.ndarray, grid: TimeGrid) -> set[int]:
    return set(np.unique(grid.hour[flow_kw > 1e-9]).tolist())


# ---------------------------------------------------------------------------
# Kernel value tests
# ---------------------------------------------------------------------------
def test_charge_limited_by_headroom():
    kw = kernel_kwargs(soc_initial_kwh=900.0, efficiency_charge_frac=0.9)
    charge, discharge, soc = simulate_soc(np.array([-500.0, -500.0]), **kw)
    assert_allclose(charge, [50.0 / 0.9, 0.0])
    assert_allclose(discharge, [0.0, 0.0])
    assert_allclose(soc, [950.0, 950.0])


def test_charge_and_discharge_limited_by_power():
    kw = kernel_kwargs(charge_power_max_kw=100.0, discharge_power_max_kw=200.0)
    charge, discharge, soc = simulate_soc(np.array([-400.0, 400.0]), **kw)
    assert_allclose(charge, [100.0, 0.0])
    assert_allclose(discharge, [0.0, 200.0])
    assert_allclose(soc, [600.0, 400.0])


def test_discharge_limited_by_available_energy():
    kw = kernel_kwargs(soc_initial_kwh=150.0, efficiency_discharge_frac=0.8)
    charge, discharge, soc = simulate_soc(np.array([500.0, 500.0]), **kw)
    # 100 kWh above the floor deliver 80 kWh at the AC side.
    assert_allclose(discharge, [80.0, 0.0])
    assert_allclose(charge, [0.0, 0.0])
    assert_allclose(soc, [50.0, 50.0])


def test_efficiencies_apply_on_the_right_side():
    kw = kernel_kwargs(efficiency_charge_frac=0.9, efficiency_discharge_frac=0.9)
    _, _, soc = simulate_soc(np.array([-100.0, 90.0]), **kw)
    # Charging stores P * eta_c; discharging removes P / eta_d.
    assert_allclose(soc, [590.0, 490.0])


def test_self_discharge_decays_below_the_floor_without_energy_from_nothing():
    # floor 50 kWh: the fourth step decays to 40.96, it is not topped up to 50
    kw = kernel_kwargs(soc_initial_kwh=100.0, self_discharge_frac_per_step=0.2)
    _, _, soc = simulate_soc(np.zeros(4), **kw)
    assert_allclose(soc, [80.0, 64.0, 51.2, 40.96])


def test_below_the_floor_no_discharge_until_recharged():
    kw = kernel_kwargs(soc_initial_kwh=40.0, self_discharge_frac_per_step=0.0)
    charge, discharge, soc = simulate_soc(np.array([100.0, -20.0, 100.0, 100.0]), **kw)
    # 40 kWh sits below the 50 kWh floor: no discharge; charging 20 kWh brings it
    # to 60, then only the 10 kWh above the floor can leave.
    assert_allclose(discharge, [0.0, 0.0, 10.0, 0.0])
    assert_allclose(charge, [0.0, 20.0, 0.0, 0.0])
    assert_allclose(soc, [40.0, 60.0, 50.0, 50.0])


def test_self_discharge_applies_before_the_flow():
    kw = kernel_kwargs(soc_initial_kwh=950.0, self_discharge_frac_per_step=0.01)
    charge, _, soc = simulate_soc(np.array([-500.0]), **kw)
    # 9.5 kWh lost first, then the headroom is refilled.
    assert_allclose(charge, [9.5])
    assert_allclose(soc, [950.0])


@pytest.mark.parametrize("step", ["15min", "1min"])
def test_sub_hourly_steps_scale(step):
    step_h = pd.Timedelta(step) / pd.Timedelta("1h")
    k = round(1 / step_h)
    kw = kernel_kwargs(efficiency_charge_frac=0.95, efficiency_discharge_frac=0.9)
    request = np.repeat([-300.0, 200.0], k)
    charge, discharge, soc = simulate_soc(request, **{**kw, "step_h": step_h})
    _, _, soc_hourly = simulate_soc(np.array([-300.0, 200.0]), **kw)
    assert_allclose(soc[[k - 1, 2 * k - 1]], soc_hourly, rtol=1e-12)
    assert_allclose(soc[0], 500.0 + 300.0 * 0.95 * step_h)
    assert_allclose(charge.sum() * step_h, 300.0)
    assert_allclose(discharge.sum() * step_h, 200.0)


def test_kernel_accepts_list_and_empty_request():
    charge, discharge, soc = simulate_soc([10.0], **kernel_kwargs())
    assert_allclose(soc, [490.0])
    charge, discharge, soc = simulate_soc(np.array([]), **kernel_kwargs())
    assert charge.shape == discharge.shape == soc.shape == (0,)


@pytest.mark.parametrize(
    ("request_kw", "overrides", "match"),
    [
        (np.array([np.nan]), {}, "finite"),
        (np.zeros((2, 2)), {}, "1-D"),
        (np.zeros(1), {"soc_min_kwh": 960.0}, "soc_min_kwh <= soc_max_kwh"),
        (np.zeros(1), {"soc_max_kwh": 1100.0}, "capacity_kwh"),
        (np.zeros(1), {"soc_initial_kwh": -1.0}, "soc_initial_kwh"),
        (np.zeros(1), {"soc_initial_kwh": 960.0}, "soc_initial_kwh"),
        (np.zeros(1), {"efficiency_charge_frac": 0.0}, "efficiency_charge_frac"),
        (np.zeros(1), {"self_discharge_frac_per_step": 1.0}, "self_discharge"),
        (np.zeros(1), {"step_h": 0.0}, "step_h"),
        (np.zeros(1), {"charge_power_max_kw": -1.0}, "power limits"),
        (np.zeros(1), {"capacity_kwh": np.inf}, "finite"),
    ],
)
def test_kernel_rejects_bad_input(request_kw, overrides, match):
    with pytest.raises(ValueError, match=match):
        simulate_soc(request_kw, **kernel_kwargs(**overrides))


@st.composite
def kernel_cases(draw):
    capacity = draw(st.floats(1.0, 5000.0))
    lo, hi = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2)))
    soc_min, soc_max = lo * capacity, hi * capacity
    soc_initial = soc_min + draw(st.floats(0.0, 1.0)) * (soc_max - soc_min)
    n = draw(st.integers(1, 200))
    request = draw(hnp.arrays(np.float64, n, elements=st.floats(-3000.0, 3000.0)))
    kw = {
        "capacity_kwh": capacity,
        "soc_initial_kwh": soc_initial,
        "soc_min_kwh": soc_min,
        "soc_max_kwh": soc_max,
        "charge_power_max_kw": draw(st.floats(0.0, 2000.0)),
        "discharge_power_max_kw": draw(st.floats(0.0, 2000.0)),
        "efficiency_charge_frac": draw(st.floats(0.5, 1.0)),
        "efficiency_discharge_frac": draw(st.floats(0.5, 1.0)),
        "self_discharge_frac_per_step": draw(st.sampled_from([0.0, 1e-6, 1e-3, 0.05])),
        "step_h": draw(st.sampled_from([1.0, 0.25, 1 / 60])),
    }
    return request, kw


@HYPOTHESIS
@given(kernel_cases())
def test_kernel_invariants(case):
    request, kw = case
    charge, discharge, soc = simulate_soc(request, **kw)
    lo, hi = kw["soc_min_kwh"], kw["soc_max_kwh"]
    # Below the floor only by self-discharge: never lower than the decay allows.
    keep = 1.0 - kw["self_discharge_frac_per_step"]
    soc_start = np.concatenate(([kw["soc_initial_kwh"]], soc[:-1]))
    assert np.all(soc >= np.minimum(lo, soc_start * keep) - SOC_TOL_KWH)
    assert np.all(soc <= hi + SOC_TOL_KWH)
    # The stored-energy balance closes: self-discharge is the only loss, >= 0.
    stored = (
        charge * kw["efficiency_charge_frac"] - discharge / kw["efficiency_discharge_frac"]
    ) * kw["step_h"]
    self_discharge = soc_start + stored - soc
    # exactly the decay of the stored energy: no kWh from nothing at the floor
    assert_allclose(
        self_discharge, soc_start * (1.0 - keep), rtol=0, atol=1e-9 * max(1.0, kw["capacity_kwh"])
    )
    assert np.all(charge >= 0.0)
    assert np.all(discharge >= 0.0)
    assert not np.any((charge > 0.0) & (discharge > 0.0))
    assert np.all(charge <= kw["charge_power_max_kw"] + 1e-9)
    assert np.all(discharge <= kw["discharge_power_max_kw"] + 1e-9)
    # Flows only in the requested direction, never beyond the request.
    assert np.all(charge <= np.maximum(-request, 0.0) + 1e-9)
    assert np.all(discharge <= np.maximum(request, 0.0) + 1e-9)
    # Energy balance, step by step and in total.
    eta_c, eta_d, dt = kw["efficiency_charge_frac"], kw["efficiency_discharge_frac"], kw["step_h"]
    soc_start = np.concatenate(([kw["soc_initial_kwh"]], soc[:-1]))
    self_discharge = kw["self_discharge_frac_per_step"] * soc_start  # also below the floor
    stored = (charge * eta_c - discharge / eta_d) * dt
    assert_allclose(soc, soc_start - self_discharge + stored, rtol=0, atol=BALANCE_TOL_KWH)
    delta = soc[-1] - kw["soc_initial_kwh"]
    assert_allclose(delta, stored.sum() - self_discharge.sum(), rtol=0, atol=BALANCE_TOL_KWH)


# ---------------------------------------------------------------------------
# Window planning (two charges and two discharges per day)
# ---------------------------------------------------------------------------
def plan(labels, ratios, *, cycles, duration_h=0.9 * 1000 * 0.94 / 500, rte=0.94**2):
    return plan_tou_windows(
        day_codes(labels),
        day_prices(labels, ratios),
        step_h=1.0,
        discharge_duration_h=duration_h,
        efficiency_roundtrip_frac=rte,
        cycles_per_day=cycles,
    )


def test_plan_jiangsu_summer_two_cycles():
    charge, discharge = plan(JIANGSU_SUMMER, JIANGSU_RATIOS, cycles=2)
    assert_np_equal(charge, hour_mask([0, 1, 2, 3, 4, 5, 11, 12]))
    # Cycle 1 discharges in the morning flat, cycle 2 in the afternoon peak.
    assert_np_equal(discharge, hour_mask([6, 7, 8, 9, 10, *range(14, 22)]))


def test_plan_jiangsu_summer_one_cycle():
    charge, discharge = plan(JIANGSU_SUMMER, JIANGSU_RATIOS, cycles=1)
    assert_np_equal(charge, hour_mask(list(range(6))))
    assert_np_equal(discharge, hour_mask(list(range(14, 22))))


def test_plan_jiangsu_spring_two_cycles():
    charge, discharge = plan(JIANGSU_SPRING, JIANGSU_RATIOS, cycles=2)
    assert_np_equal(charge, hour_mask([2, 3, 4, 5, 10, 11, 12, 13]))
    assert_np_equal(discharge, hour_mask([6, 7, 8, 9, *range(15, 22)]))


def test_plan_shanghai_second_charge_in_midday_flat():
    charge, discharge = plan(SHANGHAI_OTHER, SHANGHAI_OTHER_RATIOS, cycles=2)
    assert_np_equal(charge, hour_mask([22, 23, 0, 1, 2, 3, 4, 5, *range(11, 18)]))
    assert_np_equal(discharge, hour_mask([8, 9, 10, 18, 19, 20]))


def test_plan_shanghai_one_cycle_charges_at_night_only():
    charge, discharge = plan(SHANGHAI_OTHER, SHANGHAI_OTHER_RATIOS, cycles=1)
    assert_np_equal(charge, hour_mask([22, 23, 0, 1, 2, 3, 4, 5]))
    assert_np_equal(discharge, hour_mask([8, 9, 10, 18, 19, 20]))


def test_plan_shanghai_summer_critical_first():
    charge, discharge = plan(SHANGHAI_JUL_AUG, SHANGHAI_SUMMER_RATIOS, cycles=2)
    # Midday flat 15-18 lies between the 8-15 peak/critical block and the 18-21 peak.
    assert_np_equal(charge, hour_mask([22, 23, 0, 1, 2, 3, 4, 5, 15, 16, 17]))
    # Two critical hours cover a 1.7 h discharge; the evening peak serves cycle 2.
    assert_np_equal(discharge, hour_mask([12, 13, 18, 19, 20]))


def test_plan_adds_lower_tier_only_when_needed_and_profitable():
    # A 4 h battery: the 3 h morning peak is too short, so the morning flat is
    # added (1.0 x 0.88 > 0.5); the evening flat is not (1.0 x 0.88 < 1.0, the
    # price of the midday flat it was charged in).
    charge, discharge = plan(SHANGHAI_OTHER, SHANGHAI_OTHER_RATIOS, cycles=2, duration_h=3.8)
    assert_np_equal(discharge, hour_mask([6, 7, 8, 9, 10, 18, 19, 20]))
    assert charge[11:18].all()


def test_plan_skips_unprofitable_spread():
    labels = ["valley"] * 8 + ["flat"] * 16
    charge, discharge = plan(labels, {"valley": 0.95, "flat": 1.0}, cycles=2)
    assert not charge.any()
    assert not discharge.any()


def test_plan_single_period_day_has_no_windows():
    charge, discharge = plan(["flat"] * 24, {"flat": 1.0}, cycles=2)
    assert not charge.any()
    assert not discharge.any()


@HYPOTHESIS
@given(
    labels=st.lists(st.sampled_from(list(_CODE)), min_size=24, max_size=24),
    cycles=st.sampled_from([1, 2]),
    duration_h=st.floats(0.25, 8.0),
)
def test_plan_invariants(labels, cycles, duration_h):
    ratios = {"deep_valley": 0.2, "valley": 0.4, "flat": 1.0, "peak": 1.7, "critical": 2.1}
    charge, discharge = plan(labels, ratios, cycles=cycles, duration_h=duration_h)
    codes = day_codes(labels)
    assert not np.any(charge & discharge)
    if charge.any():
        assert discharge.any()
        # Discharge only in tiers above the cheapest charge tier.
        assert codes[discharge].min() > codes[charge].min()
    else:
        assert not discharge.any()


def assert_np_equal(actual: np.ndarray, expected: np.ndarray) -> None:
    np.testing.assert_array_equal(actual, expected)


# ---------------------------------------------------------------------------
# Dispatch rules on their own
# ---------------------------------------------------------------------------
def test_peak_shaving_rule_caps_charging_at_target():
    net = np.array([800.0, 400.0, -100.0, 590.0])
    request = dispatch_peak_shaving(
        net,
        np.full(4, 600.0),
        charge_power_max_kw=150.0,
        discharge_power_max_kw=500.0,
        grid_charging=True,
    )
    assert_allclose(request, [200.0, -150.0, -150.0, -10.0])
    request = dispatch_peak_shaving(
        net,
        np.full(4, 600.0),
        charge_power_max_kw=150.0,
        discharge_power_max_kw=500.0,
        grid_charging=False,
    )
    assert_allclose(request, [200.0, 0.0, -100.0, 0.0])


def test_tou_rule_absorbs_surplus_and_respects_windows():
    net = np.array([300.0, -50.0, 300.0, -50.0, 300.0])
    charge_w = np.array([True, True, False, False, False])
    discharge_w = np.array([False, False, True, True, False])
    request = dispatch_tou_arbitrage(
        net,
        charge_w,
        discharge_w,
        np.array([400.0, 400.0, 400.0, 400.0, np.inf]),
        charge_power_max_kw=500.0,
        discharge_power_max_kw=500.0,
        grid_charging=True,
        allow_export=False,
    )
    assert_allclose(request, [-100.0, -450.0, 300.0, -50.0, 0.0])


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------
def test_defaults_and_resolved_values():
    bess = battery()
    p = bess.params
    # NREL ATB round trip 85 % (Cole and Frazier 2020, NREL/TP-6A20-75385)
    assert_allclose(p.efficiency_charge_frac * p.efficiency_discharge_frac, 0.85, rtol=1e-12)
    assert_allclose(bess.soc_initial_kwh, 500.0)
    assert bess.charge_power_max_kw == bess.discharge_power_max_kw == 500.0
    assert_allclose(bess.usable_energy_kwh, 900.0)
    assert bess.grid_charging is False
    assert battery(dispatch="tou_arbitrage").grid_charging is True
    assert battery(dispatch="peak_shaving", grid_charging=False).grid_charging is False
    assert battery(charge_power_kw=250.0).charge_power_max_kw == 250.0


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"soc_min_frac": 0.9, "soc_max_frac": 0.1}, r"soc_min_frac.*soc_max_frac"),
        ({"soc_initial_frac": 0.99}, r"soc_initial_frac.*soc_min_frac, soc_max_frac"),
        ({"demand_target_kw": [500.0] * 11}, "12 monthly values"),
        ({"demand_target_kw": -1.0}, "greater than or equal"),
        ({"grid_charging": True}, "self_consumption"),
        ({"efficiency_charge_frac": 0.0}, "efficiency_charge_frac"),
        ({"capacity_kwh": 0.0}, "capacity_kwh"),
        ({"capacity_kwh": float("inf")}, "capacity_kwh"),
        ({"cycles_per_day": 3}, "cycles_per_day"),
        ({"dispatch": "greedy"}, "self_consumption"),
        ({"rated_power": 5.0}, "rated_power"),
    ],
)
def test_params_validation(overrides, match):
    with pytest.raises(ValidationError, match=match):
        BatteryParams(
            **{"name": "bess", "capacity_kwh": 1000.0, "rated_power_kw": 500.0, **overrides}
        )


def test_example_params_build_and_registry():
    assert get_component_class("battery") is Battery
    params = BatteryParams(**Battery.example_params())
    assert BatteryParams(**params.model_dump()) == params
    assert Battery.stage is Stage.STORAGE


def test_ports_and_roles():
    ports = {p.name: p for p in battery(bus="ac_400v").ports()}
    assert set(ports) == {"charge", "discharge", "auxiliary"}
    assert ports["charge"].direction is Direction.IN and ports["charge"].role is Role.CHARGE
    assert ports["discharge"].direction is Direction.OUT
    assert ports["discharge"].role is Role.DISCHARGE
    assert ports["auxiliary"].direction is Direction.IN and ports["auxiliary"].role is Role.USE
    assert all(p.carrier is ELECTRICITY and p.bus == "ac_400v" for p in ports.values())


# ---------------------------------------------------------------------------
# Component behaviour
# ---------------------------------------------------------------------------
def test_self_consumption_stores_surplus_and_covers_demand():
    grid = make_grid()
    net = np.where(grid.hour < 12, -200.0, 300.0)
    bess = battery(
        efficiency_charge_frac=1.0,
        efficiency_discharge_frac=1.0,
        self_discharge_frac_per_day=0.0,
        soc_initial_frac=0.05,
    )
    flows = bess.compute(make_ctx(grid, net))
    charge, discharge = flows.ports["charge"], flows.ports["discharge"]
    assert_allclose(charge[:4], 200.0)
    # 900 kWh of room fill in 4.5 h, then the surplus is left to the grid.
    assert_allclose(charge[4], 100.0)
    assert_allclose(charge[5:12], 0.0)
    assert_allclose(discharge[12:15], 300.0)
    assert_allclose(discharge[15], 0.0)
    assert_allclose(flows.outputs["soc_kwh"][-1], 50.0)
    assert_allclose(flows.outputs["soc_frac"], flows.outputs["soc_kwh"] / 1000.0)


@pytest.mark.parametrize("step", ["1h", "15min"])
def test_tou_jiangsu_summer_two_cycles_per_day(step):
    grid = make_grid(step=step, days=7)
    signals = make_signals(grid, JIANGSU_SUMMER, JIANGSU_RATIOS)
    bess = battery(dispatch="tou_arbitrage", cycles_per_day=2)
    flows = bess.compute(make_ctx(grid, np.full(grid.n_steps, 1000.0), signals))
    assert_allclose(equivalent_cycles_per_day(bess, flows, grid), 2.0, rtol=EFC_RTOL)
    assert hours_with(flows.ports["charge"], grid) <= {0, 1, 2, 3, 4, 5, 11, 12}
    assert hours_with(flows.ports["discharge"], grid) <= {6, 7, 8, 9, 10, *range(14, 22)}
    assert hours_with(flows.ports["discharge"], grid) & {6, 14}


def test_tou_jiangsu_summer_one_cycle_per_day():
    grid = make_grid(days=7)
    signals = make_signals(grid, JIANGSU_SUMMER, JIANGSU_RATIOS)
    bess = battery(dispatch="tou_arbitrage", cycles_per_day=1)
    flows = bess.compute(make_ctx(grid, np.full(grid.n_steps, 1000.0), signals))
    assert_allclose(equivalent_cycles_per_day(bess, flows, grid)[1:], 1.0, rtol=EFC_RTOL)
    assert hours_with(flows.ports["discharge"], grid) <= set(range(14, 22))


def test_tou_shanghai_second_charge_in_midday_flat():
    grid = make_grid(start="2025-10-01", days=5)
    signals = make_signals(grid, SHANGHAI_OTHER, SHANGHAI_OTHER_RATIOS)
    bess = battery(dispatch="tou_arbitrage", cycles_per_day=2)
    flows = bess.compute(make_ctx(grid, np.full(grid.n_steps, 1000.0), signals))
    charge_hours = hours_with(flows.ports["charge"], grid)
    assert charge_hours & set(range(11, 18))
    assert charge_hours <= {22, 23, 0, 1, 2, 3, 4, 5, *range(11, 18)}
    assert hours_with(flows.ports["discharge"], grid) <= {8, 9, 10, 18, 19, 20}
    assert_allclose(equivalent_cycles_per_day(bess, flows, grid)[1:], 2.0, rtol=EFC_RTOL)


def test_tou_without_export_discharges_at_most_net_demand():
    grid = make_grid(days=2)
    signals = make_signals(grid, JIANGSU_SUMMER, JIANGSU_RATIOS)
    net = np.full(grid.n_steps, 100.0)
    flows = battery(dispatch="tou_arbitrage").compute(make_ctx(grid, net, signals))
    assert flows.ports["discharge"].max() == pytest.approx(100.0)
    flows = battery(dispatch="tou_arbitrage", allow_export=True).compute(
        make_ctx(grid, net, signals)
    )
    assert flows.ports["discharge"].max() == pytest.approx(500.0)


def test_tou_grid_charging_capped_by_target():
    grid = make_grid(days=2)
    signals = make_signals(grid, JIANGSU_SUMMER, JIANGSU_RATIOS)
    net = np.full(grid.n_steps, 1000.0)
    flows = battery(dispatch="tou_arbitrage", demand_target_kw=1100.0).compute(
        make_ctx(grid, net, signals)
    )
    assert flows.ports["charge"].max() == pytest.approx(100.0)
    flows = battery(dispatch="tou_arbitrage", grid_charging=False).compute(
        make_ctx(grid, net, signals)
    )
    assert flows.ports["charge"].max() == 0.0


def test_peak_shaving_keeps_imports_below_target():
    grid = make_grid(step="15min", days=3)
    hour = grid.hour
    load = np.where(((hour >= 8) & (hour < 10)) | ((hour >= 14) & (hour < 16)), 700.0, 400.0)
    bess = battery(dispatch="peak_shaving", demand_target_kw=550.0)
    flows = bess.compute(make_ctx(grid, load, make_signals(grid)))
    imports = load + flows.ports["charge"] - flows.ports["discharge"]
    assert imports.max() <= 550.0 + 1e-9
    assert flows.ports["discharge"].max() == pytest.approx(150.0)
    assert flows.ports["charge"].max() == pytest.approx(150.0)


def test_peak_shaving_monthly_target_and_signal_target():
    grid = make_grid(start="2025-06-30", days=2)
    load = np.full(grid.n_steps, 700.0)
    target = [600.0] * 12
    target[6] = 500.0  # July
    flows = battery(
        dispatch="peak_shaving", demand_target_kw=target, capacity_kwh=10_000.0
    ).compute(make_ctx(grid, load))
    assert_allclose(flows.ports["discharge"][:2], 100.0)
    assert_allclose(flows.ports["discharge"][24:26], 200.0)
    signal_target = np.full(grid.n_steps, 650.0)
    flows = battery(dispatch="peak_shaving").compute(
        make_ctx(grid, load, make_signals(grid, target_kw=signal_target))
    )
    assert_allclose(flows.ports["discharge"][:2], 50.0)


def test_missing_target_or_signals_raise():
    grid = make_grid()
    with pytest.raises(ValueError, match="peak_shaving.*demand_target_kw"):
        battery(dispatch="peak_shaving").compute(make_ctx(grid, np.zeros(24)))
    with pytest.raises(ValueError, match="tou_arbitrage.*tariff signals"):
        battery(dispatch="tou_arbitrage").compute(make_ctx(grid, np.zeros(24)))


def test_auxiliary_port_and_covering_own_standby():
    grid = make_grid()
    bess = battery(
        auxiliary_power_kw=5.0, self_discharge_frac_per_day=0.0, efficiency_discharge_frac=1.0
    )
    flows = bess.compute(make_ctx(grid, np.zeros(grid.n_steps)))
    assert_allclose(flows.ports["auxiliary"], 5.0)
    # With nothing else on the bus, the battery serves its own standby load.
    assert_allclose(flows.ports["discharge"], 5.0)
    assert_allclose(flows.outputs["soc_kwh"][-1], 500.0 - 24 * 5.0)


@pytest.mark.parametrize("step", ["1h", "1min"])
def test_self_discharge_per_day_independent_of_step(step):
    grid = make_grid(step=step)
    bess = battery(self_discharge_frac_per_day=0.01)
    flows = bess.compute(make_ctx(grid, np.zeros(grid.n_steps)))
    assert_allclose(flows.outputs["soc_kwh"][-1], 500.0 * 0.99, rtol=1e-12)
    assert_allclose(flows.outputs["loss_kw"].sum() * grid.step_h, 5.0, rtol=1e-9)


# ---------------------------------------------------------------------------
# Component invariants (hypothesis)
# ---------------------------------------------------------------------------
_N_STEPS = 48


@st.composite
def component_cases(draw):
    lo, hi = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2, unique=True)))
    dispatch = draw(st.sampled_from(["self_consumption", "tou_arbitrage", "peak_shaving", "lp"]))
    target = draw(
        st.one_of(
            st.none(),
            st.floats(0.0, 1500.0),
            st.lists(st.floats(0.0, 1500.0), min_size=12, max_size=12),
        )
    )
    if dispatch == "peak_shaving" and target is None:
        target = 400.0
    params = {
        "name": "bess",
        "capacity_kwh": draw(st.floats(1.0, 3000.0)),
        "rated_power_kw": draw(st.floats(1.0, 1500.0)),
        "charge_power_kw": draw(st.one_of(st.none(), st.floats(1.0, 1500.0))),
        "efficiency_charge_frac": draw(st.floats(0.5, 1.0)),
        "efficiency_discharge_frac": draw(st.floats(0.5, 1.0)),
        "soc_min_frac": lo,
        "soc_max_frac": hi,
        "soc_initial_frac": lo + draw(st.floats(0.0, 1.0)) * (hi - lo),
        "self_discharge_frac_per_day": draw(st.sampled_from([0.0, 0.0005, 0.2])),
        "auxiliary_power_kw": draw(st.sampled_from([0.0, 3.0])),
        "dispatch": dispatch,
        "cycles_per_day": draw(st.sampled_from([1, 2])),
        "demand_target_kw": target,
        "allow_export": draw(st.booleans()),
    }
    if dispatch != "self_consumption":
        params["grid_charging"] = draw(st.booleans())
    net = draw(hnp.arrays(np.float64, _N_STEPS, elements=st.floats(-1500.0, 1500.0)))
    labels = draw(st.lists(st.sampled_from(list(_CODE)), min_size=24, max_size=24))
    step = draw(st.sampled_from(["1h", "15min"]))
    return params, net, labels, step


@HYPOTHESIS
@given(component_cases())
def test_component_invariants(case):
    params, net_hourly, labels, step = case
    grid = make_grid(start="2025-07-31", step=step, days=2)
    net = np.repeat(net_hourly, grid.steps_per_hour)
    ratios = {"deep_valley": 0.2, "valley": 0.4, "flat": 1.0, "peak": 1.7, "critical": 2.1}
    bess = Battery(BatteryParams(**params))
    flows = bess.compute(make_ctx(grid, net, make_signals(grid, labels, ratios)))
    p = bess.params
    charge, discharge = flows.ports["charge"], flows.ports["discharge"]
    aux = flows.ports["auxiliary"]
    soc = flows.outputs["soc_kwh"]
    dt = grid.step_h
    for arr in (charge, discharge, aux, soc, flows.outputs["loss_kw"]):
        assert arr.shape == (grid.n_steps,)
        assert np.all(arr >= 0.0)
    assert not np.any((charge > 0.0) & (discharge > 0.0))
    keep = 1.0 - bess.self_discharge_frac_per_step(dt)
    soc_start = np.concatenate(([bess.soc_initial_kwh], soc[:-1]))
    floor = np.minimum(p.soc_min_frac * p.capacity_kwh, soc_start * keep)
    assert np.all(soc >= floor - SOC_TOL_KWH)
    assert np.all(soc <= p.soc_max_frac * p.capacity_kwh + SOC_TOL_KWH)
    # Energy: what went in minus what came out is stored or lost.
    delta = soc[-1] - bess.soc_initial_kwh
    stored = np.sum(charge * p.efficiency_charge_frac - discharge / p.efficiency_discharge_frac)
    self_discharge = np.sum(flows.outputs["loss_kw"]) - np.sum(
        charge * (1 - p.efficiency_charge_frac) + discharge * (1 / p.efficiency_discharge_frac - 1)
    )
    assert self_discharge >= -BALANCE_TOL_KWH
    assert_allclose(delta, (stored - self_discharge) * dt, rtol=0, atol=BALANCE_TOL_KWH)
    assert_allclose(
        np.sum(charge - discharge) * dt,
        delta + np.sum(flows.outputs["loss_kw"]) * dt,
        rtol=0,
        atol=BALANCE_TOL_KWH,
    )
    # No export by the battery unless allowed.
    demand = net + aux
    if not p.allow_export:
        assert np.all(discharge <= np.maximum(demand, 0.0) + 1e-9)
    # Charging never lifts imports above the target (or above zero from surplus).
    target = bess._demand_target_kw(make_ctx(grid, net))
    if target is not None:
        charging = charge > 0.0
        limit = np.maximum(target, 0.0)
        assert np.all(demand[charging] + charge[charging] <= limit[charging] + 1e-9)
    if not bess.grid_charging:
        assert np.all(charge <= np.maximum(-demand, 0.0) + 1e-9)


def test_equal_price_blocks_prefer_the_longest_at_any_step():
    """Regression: the mean price of a 6 h block is 0.35000000000000003; the
    one-cycle plan must still charge in the 0-6 night valley, not 11-13."""
    jan = ["valley"] * 6 + ["flat"] * 5 + ["valley"] * 2 + ["flat"] + ["peak"] * 8 + ["flat"] * 2
    code = {"valley": 1, "flat": 2, "peak": 3}
    price = {"valley": 0.35, "flat": 1.0, "peak": 1.8}
    for k in (1, 4):
        period = np.repeat([code[x] for x in jan], k)
        prices = np.repeat([price[x] for x in jan], k)
        charge, _ = plan_tou_windows(
            period,
            prices,
            step_h=1 / k,
            discharge_duration_h=2.5,
            efficiency_roundtrip_frac=0.88,
            cycles_per_day=1,
        )
        assert np.flatnonzero(charge)[0] == 0 and charge.sum() == 6 * k
