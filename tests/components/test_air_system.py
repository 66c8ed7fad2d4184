"""The compressor room: sequencing, leaks, artificial demand, dryers, the
flow and heat balances per step, and bad input."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from twin.components.air_system import (
    AirSystem,
    AirSystemParams,
    allocate_cascade,
    allocate_sequencer,
    artificial_demand_m3_per_min,
    dryer_flows,
    orifice_leak_flow_m3_per_min,
)
from twin.components.demand_profile import DemandProfile

from twin.component import DayType, RunContext, Site
from twin.timegrid import TimeGrid

FLOW_TOL = 1e-9
"""Flow and heat balances [m³/min] / [kW]: float64 rounding of a few sums."""


def _ctx(air_demand_m3_per_min, *, day_type=None, elevation_m=0.0, start_hour=0) -> RunContext:
    demand = np.asarray(air_demand_m3_per_min, dtype=np.float64)
    grid = TimeGrid(
        pd.Timestamp("2025-06-02", tz="Asia/Shanghai") + pd.Timedelta(hours=start_hour),
        pd.Timedelta("1h"),
        demand.size,
    )
    days = np.zeros(grid.n_steps, np.int8) if day_type is None else np.asarray(day_type, np.int8)
    ctx = RunContext(
        grid, Site("x", 31.3, 120.6, elevation_m), {}, days, None, np.random.SeedSequence(1)
    )
    load = DemandProfile(
        DemandProfile.Params(
            name="air_use",
            carrier="compressed_air",
            bus="air_7bar_g",
            demand_m3_per_min=0.0,
        )
    )
    from twin.component import Flows

    ctx._record("air_use", load.ports(), Flows(ports={"demand": demand}))
    return ctx


def _room(**changes) -> AirSystem:
    raw = {
        "name": "room",
        "compressors": [
            {
                "name": "lu_a",
                "control": "load_unload",
                "rated_flow_m3_per_min": 15.0,
                "rated_power_kw": 90.0,
                "no_load_power_kw": 25.0,
                "priority": 1,
            },
            {
                "name": "lu_b",
                "control": "load_unload",
                "rated_flow_m3_per_min": 15.0,
                "rated_power_kw": 90.0,
                "no_load_power_kw": 25.0,
                "priority": 2,
            },
            {
                "name": "vsd",
                "control": "vsd",
                "rated_flow_m3_per_min": 12.0,
                "rated_power_kw": 72.0,
                "no_load_power_kw": 5.0,
                "priority": 3,
            },
        ],
        "receiver_volume_m3": 6.0,
        "atmospheric_pressure_bar_a": 1.01325,
    }
    raw.update(copy.deepcopy(changes))
    return AirSystem(AirSystemParams(**raw))


DEMAND = np.array([0.0, 2.0, 8.0, 14.0, 20.0, 27.0, 33.0, 38.0])


def _check_balances(room: AirSystem, flows) -> None:
    o = flows.outputs
    served = o["delivered_flow_m3_per_min"]
    parts = (
        flows.ports["air"]
        + o["leak_flow_m3_per_min"]
        + o["artificial_demand_m3_per_min"]
        + o["purge_flow_m3_per_min"]
    )
    np.testing.assert_allclose(served, parts, atol=FLOW_TOL)
    machines = sum(o[f"compressor_{c.name}_flow_m3_per_min"] for c in room.params.compressors)
    np.testing.assert_allclose(machines, served, atol=FLOW_TOL)
    np.testing.assert_allclose(
        o["compressor_power_kw"], o["heat_of_compression_kw"] + o["air_energy_kw"], atol=FLOW_TOL
    )
    np.testing.assert_allclose(
        flows.ports["el"], o["compressor_power_kw"] + o["dryer_power_kw"], atol=FLOW_TOL
    )
    assert np.all(served <= o["capacity_m3_per_min"] + FLOW_TOL)
    for name, arr in [*flows.ports.items(), *o.items()]:
        assert np.all(np.isfinite(arr)) and arr.min() >= -FLOW_TOL, name


# -- sequencing kernels -------------------------------------------------------
def test_cascade_fills_in_order():
    out = allocate_cascade(np.array([0.0, 10.0, 25.0, 50.0]), [15.0, 15.0, 12.0])
    np.testing.assert_allclose(out, [[0, 10, 15, 15], [0, 0, 10, 15], [0, 0, 0, 12]])


def test_sequencer_keeps_base_full_and_trims():
    out = allocate_sequencer(
        np.array([5.0, 14.0, 20.0, 33.0, 45.0]), [15.0, 15.0, 12.0], trim_index=2
    )
    # at 14 the base machine alone covers the demand (93 % loaded) and the trim rests
    np.testing.assert_allclose(out[2], [5.0, 0.0, 5.0, 3.0, 12.0])
    np.testing.assert_allclose(out[0], [0.0, 14.0, 15.0, 15.0, 15.0])
    np.testing.assert_allclose(out[1], [0.0, 0.0, 0.0, 15.0, 15.0])


@settings(max_examples=80, deadline=None)
@given(
    demand=st.lists(st.floats(0.0, 80.0), min_size=1, max_size=20),
    caps=st.lists(st.floats(1.0, 30.0), min_size=1, max_size=4),
    trim=st.integers(0, 3),
)
def test_allocation_invariants(demand, caps, trim):
    d = np.array(demand)
    total = sum(caps)
    for out in (allocate_cascade(d, caps), allocate_sequencer(d, caps, min(trim, len(caps) - 1))):
        assert out.min() >= 0.0
        assert np.all(out <= np.array(caps)[:, None] + 1e-12)
        np.testing.assert_allclose(out.sum(axis=0), np.minimum(d, total), atol=1e-9)


# -- losses -------------------------------------------------------------------
def test_artificial_demand_scales_with_absolute_pressure():
    q = artificial_demand_m3_per_min(10.0, 0.5, 7.0, 6.0)
    assert float(q) == pytest.approx(0.5 * 10.0 * (8.01325 / 7.01325 - 1.0))
    assert float(artificial_demand_m3_per_min(10.0, 0.5, 6.0, 6.0)) == 0.0


def test_orifice_flow_scales_with_area_and_absolute_pressure():
    q1 = orifice_leak_flow_m3_per_min(2.0, 7.0)
    assert float(orifice_leak_flow_m3_per_min(4.0, 7.0)) == pytest.approx(4 * float(q1))
    assert float(orifice_leak_flow_m3_per_min(2.0, 6.0) / q1) == pytest.approx(7.01325 / 8.01325)


def test_dryer_flows_modes():
    on = np.array([True, True, False])
    q = np.array([0.0, 10.0, 0.0])
    pw, pg = dryer_flows(q, on, 20.0, 4.0, 0.15, cycling=True, purge_follows_flow=False)
    assert pw.tolist() == [0.0, 2.0, 0.0] and pg.tolist() == [3.0, 3.0, 0.0]
    pw, pg = dryer_flows(q, on, 20.0, 4.0, 0.15, cycling=False, purge_follows_flow=True)
    assert pw.tolist() == [4.0, 4.0, 0.0] and pg.tolist() == [0.0, 1.5, 0.0]


# -- the component ------------------------------------------------------------
def test_balances_and_leak_share():
    room = _room(leak_frac=0.25, unregulated_frac=0.3, end_use_pressure_bar_g=6.0)
    flows = room.compute(_ctx(DEMAND))
    _check_balances(room, flows)
    o = flows.outputs
    served = o["delivered_flow_m3_per_min"]
    np.testing.assert_allclose(o["leak_flow_m3_per_min"], 0.25 * served, atol=FLOW_TOL)
    within = DEMAND / 0.75 * 1.05 < 42.0  # demand plus leaks and artificial demand fit
    np.testing.assert_allclose(flows.ports["air"][within], DEMAND[within], atol=FLOW_TOL)
    assert np.all(flows.ports["air"][~within] < DEMAND[~within])


def test_zero_demand_zero_power_without_orifices():
    room = _room(leak_frac=0.25)
    flows = room.compute(_ctx(np.zeros(6)))
    assert (
        flows.ports["el"].max() == 0.0 and flows.outputs["delivered_flow_m3_per_min"].max() == 0.0
    )


def test_orifice_leaks_go_on_when_production_stops_and_stop_when_system_is_off():
    room = _room(
        leak_orifices=[{"diameter_mm": 3.0, "count": 20}],
        schedule={"weekday": [1.0] * 4 + [0.0] * 20},
    )
    flows = room.compute(_ctx(np.zeros(6)))
    leak = flows.outputs["leak_flow_m3_per_min"]
    expected = 20 * float(orifice_leak_flow_m3_per_min(3.0, 7.0))
    np.testing.assert_allclose(leak[:4], expected)
    assert leak[4:].max() == 0.0 and flows.ports["el"][4:].max() == 0.0
    assert flows.ports["el"][:4].min() > 0.0
    _check_balances(room, flows)


def test_schedule_off_leaves_demand_unserved():
    room = _room(schedule={"weekday": [1.0] * 2 + [0.0] * 22})
    flows = room.compute(_ctx(np.full(4, 10.0)))
    np.testing.assert_allclose(flows.ports["air"], [10.0, 10.0, 0.0, 0.0])


def test_demand_above_capacity_is_capped_pro_rata():
    room = _room(leak_frac=0.2)
    flows = room.compute(_ctx(np.array([50.0])))
    o = flows.outputs
    assert o["delivered_flow_m3_per_min"][0] == pytest.approx(42.0)
    assert flows.ports["air"][0] == pytest.approx(42.0 * 0.8)
    _check_balances(room, flows)


def test_pressure_reduction_saves_power_leaks_and_artificial_demand():
    kw = dict(
        leak_orifices=[{"diameter_mm": 3.0, "count": 20}],
        unregulated_frac=0.4,
        end_use_pressure_bar_g=6.0,
        sequencing="sequencer",
    )
    high = _room(pressure_set_bar_g=7.0, **kw).compute(_ctx(DEMAND))
    low = _room(pressure_set_bar_g=6.5, **kw).compute(_ctx(DEMAND))
    for name in ("leak_flow_m3_per_min", "artificial_demand_m3_per_min"):
        assert low.outputs[name][1:].sum() < high.outputs[name][1:].sum()
    assert low.ports["el"].sum() < high.ports["el"].sum()


def test_power_only_effect_of_pressure_matches_the_formula():
    """Same flows (no leaks, no artificial demand): power falls by the AMO ratio."""
    from twin.components.compressor import pressure_power_ratio

    one = [{"name": "v", "control": "vsd", "rated_flow_m3_per_min": 40.0, "rated_power_kw": 240.0}]
    high = _room(compressors=one, pressure_set_bar_g=7.0).compute(_ctx(DEMAND))
    low = _room(compressors=one, pressure_set_bar_g=6.5).compute(_ctx(DEMAND))
    ratio = low.outputs["compressor_power_kw"][1:] / high.outputs["compressor_power_kw"][1:]
    np.testing.assert_allclose(ratio, float(pressure_power_ratio(6.5, 7.0)))


def test_sequencer_with_vsd_trim_beats_the_cascade():
    d = np.tile(DEMAND, 3)
    cascade = _room(sequencing="cascade").compute(_ctx(d))
    seq = _room(sequencing="sequencer").compute(_ctx(d))
    assert seq.ports["el"].sum() < cascade.ports["el"].sum()
    # the sequencer trims with the VSD: the fixed-speed machines run full or not at all
    for name in ("lu_a", "lu_b"):
        q = seq.outputs[f"compressor_{name}_flow_m3_per_min"]
        assert np.all((q < 1e-9) | (q > 15.0 - 1e-9) | (d < 15.0))


def test_cascade_pressure_rises_when_lower_machines_idle():
    flows = _room(cascade_step_bar=0.3).compute(_ctx(np.array([5.0, 20.0, 35.0])))
    np.testing.assert_allclose(flows.outputs["pressure_bar_g"], [7.6, 7.3, 7.0])


def test_disabled_compressor_reports_zeros_and_takes_no_load():
    room = _room(
        compressors=[
            {
                "name": "a",
                "control": "load_unload",
                "rated_flow_m3_per_min": 15.0,
                "rated_power_kw": 90.0,
            },
            {
                "name": "b",
                "control": "vsd",
                "rated_flow_m3_per_min": 12.0,
                "rated_power_kw": 72.0,
                "enabled": False,
            },
        ]
    )
    flows = room.compute(_ctx(np.array([5.0, 20.0])))
    assert flows.outputs["compressor_b_power_kw"].max() == 0.0
    assert flows.outputs["capacity_m3_per_min"].max() == 15.0
    assert flows.ports["air"][1] == pytest.approx(15.0)


def test_desiccant_purge_is_served_and_reported():
    room = _room(
        dryers=[
            {
                "name": "dd",
                "type": "desiccant_heatless",
                "rated_flow_m3_per_min": 40.0,
                "rated_power_kw": 0.5,
                "purge_frac": 0.15,
            }
        ]
    )
    flows = room.compute(_ctx(np.array([0.0, 10.0])))
    np.testing.assert_allclose(flows.outputs["purge_flow_m3_per_min"], [6.0, 6.0])
    _check_balances(room, flows)


def test_elevation_sets_atmospheric_pressure():
    low = _room(atmospheric_pressure_bar_a=None).compute(_ctx(DEMAND))
    high = _room(atmospheric_pressure_bar_a=None).compute(_ctx(DEMAND, elevation_m=2000.0))
    assert not np.allclose(low.outputs["compressor_power_kw"], high.outputs["compressor_power_kw"])


def test_holiday_and_weekend_schedules():
    room = _room(schedule={"weekday": [1.0] + [0.0] * 23, "weekend": [0.0, 1.0] + [0.0] * 22})
    days = [DayType.WORKDAY, DayType.WORKDAY, DayType.WEEKEND, DayType.HOLIDAY]
    flows = room.compute(_ctx(np.full(4, 5.0), day_type=days))
    # hours 0..3: workday h0 on, workday h1 off, weekend h2 off, holiday h3 off (weekend hours)
    np.testing.assert_allclose(flows.ports["air"], [5.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"receiver_volume_m3": -1.0}, "greater than or equal to 0"),
        ({"leak_frac": 0.9}, "less than or equal to 0.8"),
        ({"trim_compressor": "nope"}, "no compressor named 'nope'"),
        ({"end_use_pressure_bar_g": 8.0}, "never get their pressure"),
        ({"compressors": []}, "at least 1 item"),
        (
            {
                "compressors": [
                    {
                        "name": "a",
                        "control": "vsd",
                        "rated_flow_m3_per_min": 5.0,
                        "rated_power_kw": 30.0,
                    }
                ]
                * 2
            },
            "names must be unique",
        ),
        (
            {
                "dryers": [
                    {
                        "name": "d",
                        "type": "desiccant_heated",
                        "rated_flow_m3_per_min": 5.0,
                        "rated_power_kw": 3.0,
                    }
                ]
            },
            "purge share from the datasheet",
        ),
        ({"schedule": {"weekday": [0.5] * 24}}, "expected 1 \\(runs\\) or 0"),
    ],
)
def test_bad_air_system_params(changes, match):
    with pytest.raises(ValidationError, match=match):
        _room(**changes)


@settings(max_examples=40, deadline=None)
@given(
    demand=st.lists(st.floats(0.0, 60.0), min_size=1, max_size=24),
    leak_frac=st.floats(0.0, 0.5),
    orifices=st.integers(0, 30),
    unregulated=st.floats(0.0, 1.0),
    sequencing=st.sampled_from(["cascade", "sequencer"]),
    pressure=st.floats(5.0, 9.0),
    receiver=st.floats(0.0, 15.0),
)
def test_air_system_invariants(
    demand, leak_frac, orifices, unregulated, sequencing, pressure, receiver
):
    room = _room(
        leak_frac=leak_frac,
        unregulated_frac=unregulated,
        sequencing=sequencing,
        pressure_set_bar_g=pressure,
        receiver_volume_m3=receiver,
        end_use_pressure_bar_g=min(pressure, 5.0),
        leak_orifices=[{"diameter_mm": 2.0, "count": orifices}] if orifices else [],
        dryers=[
            {
                "name": "d",
                "type": "desiccant_blower",
                "rated_flow_m3_per_min": 45.0,
                "rated_power_kw": 3.0,
                "purge_frac": 0.03,
                "purge_control": "dew_point",
            }
        ],
    )
    d = np.array(demand)
    flows = room.compute(_ctx(d))
    _check_balances(room, flows)
    assert np.all(flows.ports["air"] <= d + FLOW_TOL)
