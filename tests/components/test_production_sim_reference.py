"""The line model's fast form against its direct SimPy form.

:func:`components.production_sim.simulate_line` (one SimPy event per batch,
the departure recursion for the lots) and
:func:`tests.components._production_reference.simulate_line_per_station`
(one SimPy process per station, a store per buffer) are the same model: on
the same inputs they must give the same timelines, segment for segment, and
the same breakdowns. Random lines (hypothesis) cover starved, blocked and
broken stations, buffers of zero and more lots, changeovers, orders released
late, breaks and maintenance; the reference factory's three lines cover the
shipped configuration.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twin.components.production_calendar import ShiftWindows, station_calendar
from twin.components.production_line import ProductionLine
from twin.components.production_sim import StationSpec, mix_lots, order_lots, simulate_line

from tests.components._production_reference import _Buffer, simulate_line_per_station
from tests.conftest import REFERENCE_CONFIG
from twin.component import RunContext, Site

H = 3600
DAY = 24 * H


@pytest.fixture
def env():
    return simpy.Environment()


@pytest.fixture
def log():
    return []


# -- the reference's buffer, SimPy style ---------------------------------------------
def test_buffer_of_zero_hands_over_only_to_a_waiting_taker(env, log):
    buf = _Buffer(env, 0)

    def upstream(env):
        if not buf.offer((0, 1)):
            yield buf.wait_put((0, 1))
        log.append(("handed over", env.now))

    def downstream(env):
        yield env.timeout(30)
        lot = buf.take()
        log.append(("took", env.now, lot))

    env.process(upstream(env))
    env.process(downstream(env))
    env.run()
    assert log == [("took", 30, (0, 1)), ("handed over", 30)]


def test_buffer_wakes_a_starved_taker(env, log):
    buf = _Buffer(env, 2)

    def downstream(env):
        lot = yield buf.wait_get()
        log.append((env.now, lot))

    def upstream(env):
        yield env.timeout(45)
        buf.offer((1, 10))

    env.process(downstream(env))
    env.process(upstream(env))
    env.run()
    assert log == [(45, (1, 10))]


# -- the two forms agree -----------------------------------------------------------
def _assert_same(fast, reference) -> None:
    assert len(fast.timelines) == len(reference.timelines)
    for i, (a, b) in enumerate(zip(fast.timelines, reference.timelines, strict=True)):
        for field in ("start_s", "end_s", "state", "tag"):
            np.testing.assert_array_equal(
                getattr(a, field), getattr(b, field), err_msg=f"station {i}: {field}"
            )
    assert fast.n_failures == reference.n_failures


@st.composite
def _lines(draw):
    n_days = draw(st.integers(1, 3))
    end_s = n_days * DAY
    windows = []
    for d in range(n_days):
        start = d * DAY + draw(st.integers(0, 8)) * H
        length = draw(st.integers(1, 16)) * H
        brk = draw(st.integers(0, 2)) * 1800
        if brk and length > 2 * H:
            mid = start + length // 2
            windows += [(start, mid), (mid + brk, start + length)]
        else:
            windows.append((start, start + length))
    windows = [(a, min(b, end_s)) for a, b in windows if a < end_s]
    ws = ShiftWindows(
        np.array([a for a, _ in windows], dtype=np.int64),
        np.array([b for _, b in windows], dtype=np.int64),
        np.ones(len(windows), bool),
        np.ones(len(windows), bool),
    )
    n_products = draw(st.integers(1, 3))
    n_stations = draw(st.integers(1, 4))
    shutdown = draw(st.booleans())
    timeout = draw(st.sampled_from([math.inf, 0, 600, 1800]))
    specs = []
    for _ in range(n_stations):
        m_start = draw(st.integers(0, end_s - H))
        maint = draw(st.booleans())
        cal = station_calendar(
            ws,
            end_s,
            shutdown_at_shift_end=shutdown,
            warmup_s=draw(st.sampled_from([0, 900])),
            warmup_before_shift=draw(st.booleans()),
            maintenance_start_s=np.array([m_start] if maint else [], dtype=np.int64),
            maintenance_end_s=np.array([m_start + H] if maint else [], dtype=np.int64),
        )
        fails = draw(st.booleans())
        specs.append(
            StationSpec(
                cycle_s=tuple(draw(st.floats(1.0, 300.0)) for _ in range(n_products)),
                changeover_s=tuple(
                    draw(st.sampled_from([0, 300, 1800])) for _ in range(n_products)
                ),
                mtbf_s=draw(st.floats(1800.0, 20 * H)) if fails else None,
                mttr_s=draw(st.floats(300.0, 3 * H)) if fails else None,
                buffer_lots=draw(st.integers(0, 3)),
                idle_to_standby_s=timeout,
                calendar=cal,
            )
        )
    lot_units = [draw(st.integers(1, 40)) for _ in range(n_products)]
    if draw(st.booleans()):
        orders = [
            (
                draw(st.integers(-H, end_s + H)),
                draw(st.integers(0, n_products - 1)),
                draw(st.integers(1, 200)),
            )
            for _ in range(draw(st.integers(0, 12)))
        ]
        plan = ("orders", orders, lot_units)
    else:
        batch = [draw(st.integers(1, 120)) for _ in range(n_products)]
        mix = [draw(st.floats(0.05, 1.0)) for _ in range(n_products)]
        plan = ("mix", batch, lot_units, mix)
    return specs, plan, end_s, draw(st.integers(0, 2**32 - 1))


def _plan(plan):
    if plan[0] == "orders":
        return order_lots(plan[1], plan[2])
    return mix_lots(plan[1], plan[2], plan[3])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lines())
def test_random_lines_give_the_reference_timelines(line):
    specs, plan, end_s, seed = line
    rngs = [np.random.default_rng([seed, i]) for i in range(len(specs))]
    rngs_ref = [np.random.default_rng([seed, i]) for i in range(len(specs))]
    _assert_same(
        simulate_line(specs, _plan(plan), end_s, rngs),
        simulate_line_per_station(specs, _plan(plan), end_s, rngs_ref),
    )


def test_a_station_stuck_at_the_end_blocks_the_line():
    """A lot that cannot finish before the last ready time stays in the
    station; upstream fills the buffer and waits to the end of the run."""
    ws = ShiftWindows(np.array([0]), np.array([4000]), np.array([True]), np.array([True]))
    cal = station_calendar(
        ws, DAY, shutdown_at_shift_end=True, warmup_s=0, warmup_before_shift=True
    )
    specs = [
        StationSpec((10.0,), (0,), None, None, 2, math.inf, cal),
        StationSpec((300.0,), (0,), None, None, 0, math.inf, cal),
    ]
    runs = [
        fn(specs, mix_lots([10], [5], [1.0]), DAY, [np.random.default_rng(1)] * 2)
        for fn in (simulate_line, simulate_line_per_station)
    ]
    _assert_same(*runs)


def test_reference_factory_lines_give_the_reference_timelines(monkeypatch):
    import twin.components.production_line as pl

    import twin

    config = twin.load_config(REFERENCE_CONFIG)
    plant = twin.Plant.build(config)
    grid = plant.grid
    days = config.calendar.day_types(grid)
    ctx = RunContext(
        grid,
        Site("ref", 31.3, 120.6, 5.0),
        {},
        days,
        None,
        np.random.SeedSequence(config.simulation.seed),
    )
    lines = [c for c in plant.components if isinstance(c, ProductionLine)]
    assert len(lines) == 3
    fast = [c.simulate(ctx).run for c in lines]
    monkeypatch.setattr(pl, "simulate_line", simulate_line_per_station)
    reference = [c.simulate(ctx).run for c in lines]
    for a, b in zip(fast, reference, strict=True):
        _assert_same(a, b)
    assert sum(r.n_events for r in fast) * 4 < sum(r.n_events for r in reference)
