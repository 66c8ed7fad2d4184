"""Timelines and per-step state fractions (twin.schedule): value tests at exact
step boundaries and across day, month and year ends, at 1 h, 15 min and
1 min steps; SimPy-style recorder tests; invariants with hypothesis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from twin.schedule import Timeline, TimelineRecorder, state_fractions, state_mean, step_means
from twin.timegrid import TimeGrid

FRACTION_TOL = 1e-12
"""State fractions are whole seconds over the step length: exact up to one division."""

TZ = "Asia/Shanghai"


def _grid(start: str, step: str, n: int) -> TimeGrid:
    return TimeGrid(pd.Timestamp(start, tz=TZ), pd.Timedelta(step), n)


def _s(grid: TimeGrid, local: str) -> int:
    """Seconds from the grid start of a local time."""
    return int((pd.Timestamp(local, tz=TZ) - grid.start).total_seconds())


# -- SimPy-style: env fixture, log list, a tiny process, one assertion -------
@pytest.fixture
def env():
    return simpy.Environment()


@pytest.fixture
def log():
    return []


def test_recorder_in_a_tiny_process(env, log):
    rec = TimelineRecorder()

    def machine(env):
        rec.add(env.now, env.now + 600, 1)  # warm-up
        yield env.timeout(600)
        rec.add(env.now, env.now + 3000, 2)  # busy
        yield env.timeout(3000)
        log.append(env.now)

    env.process(machine(env))
    env.run()
    tl = rec.timeline()
    assert (tl.start_s.tolist(), tl.end_s.tolist(), tl.state.tolist(), log) == (
        [0, 600],
        [600, 3600],
        [1, 2],
        [3600],
    )


def test_recorder_merges_a_continuing_segment(env):
    rec = TimelineRecorder()

    def machine(env):
        for _ in range(3):  # three lots back to back: one busy segment
            rec.add(env.now, env.now + 100, 4, tag=0)
            yield env.timeout(100)

    env.process(machine(env))
    env.run()
    assert rec.timeline().end_s.tolist() == [300]


def test_recorder_keeps_lots_of_different_products_apart(env):
    rec = TimelineRecorder()

    def machine(env):
        for product in (0, 1):
            rec.add(env.now, env.now + 100, 4, tag=product)
            yield env.timeout(100)

    env.process(machine(env))
    env.run()
    assert rec.timeline().tag.tolist() == [0, 1]


def test_recorder_rejects_segments_out_of_order():
    rec = TimelineRecorder()
    rec.add(0, 100, 0)
    with pytest.raises(ValueError, match="starts before the previous one ends"):
        rec.add(50, 200, 1)


def test_recorder_ignores_empty_segments():
    rec = TimelineRecorder()
    rec.add(10, 10, 3)
    assert len(rec.timeline()) == 0


# -- Timeline validation -------------------------------------------------------
def test_timeline_rejects_overlap():
    with pytest.raises(ValueError, match="starts before segment 0 ends"):
        Timeline.from_segments([(0, 100, 0), (50, 200, 1)])


def test_timeline_rejects_reversed_segment():
    with pytest.raises(ValueError, match="ends before it starts"):
        Timeline.from_segments([(100, 50, 0)])


def test_timeline_rejects_unequal_lengths():
    with pytest.raises(ValueError, match="equal lengths"):
        Timeline(np.array([0]), np.array([1, 2]), np.array([0]), np.array([-1]))


def test_state_code_must_be_below_n_states():
    grid = _grid("2025-01-01", "1h", 1)
    with pytest.raises(ValueError, match="state code 3 is not below n_states=3"):
        state_fractions(Timeline.from_segments([(0, 3600, 3)]), grid, 3)


# -- values at boundaries ----------------------------------------------------------
def test_segment_ending_on_a_boundary_leaves_the_next_step_alone():
    grid = _grid("2025-03-03", "1h", 3)
    fr = state_fractions(Timeline.from_segments([(0, 3600, 1)]), grid, 2)
    assert_array_equal(fr, [[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])


def test_segment_starting_on_a_boundary_fills_its_step():
    grid = _grid("2025-03-03", "1h", 3)
    fr = state_fractions(Timeline.from_segments([(3600, 7200, 1)]), grid, 2)
    assert_array_equal(fr[:, 1], [0.0, 1.0, 0.0])


def test_events_inside_a_step_count_pro_rata():
    grid = _grid("2025-03-03", "1h", 2)
    tl = Timeline.from_segments([(0, 900, 0), (900, 1000, 2), (1000, 5400, 1), (5400, 7200, 0)])
    assert_allclose(
        state_fractions(tl, grid, 3),
        [[900 / 3600, 2600 / 3600, 100 / 3600], [0.5, 0.5, 0.0]],
        atol=FRACTION_TOL,
    )


def test_one_second_segment_at_the_last_second():
    grid = _grid("2025-03-03", "1h", 2)
    fr = state_fractions(Timeline.from_segments([(7199, 7200, 1)]), grid, 2)
    assert_allclose(fr[:, 1], [0.0, 1 / 3600], atol=FRACTION_TOL)


@pytest.mark.parametrize(
    ("start", "boundary"),
    [
        ("2025-06-30 20:00", "2025-07-01 00:00"),  # day and month end
        ("2025-01-31 20:00", "2025-02-01 00:00"),  # month end
        ("2025-02-28 20:00", "2025-03-01 00:00"),  # end of February, not a leap year
        ("2025-12-31 20:00", "2026-01-01 00:00"),  # year end
    ],
)
@pytest.mark.parametrize("step", ["1h", "15min", "1min"])
def test_segment_across_a_calendar_boundary(start, boundary, step):
    """A segment from 30 min before to 15 min after midnight: each side of the
    boundary gets exactly its share, whatever the step."""
    n = 8 * int(pd.Timedelta("1h") / pd.Timedelta(step))
    grid = _grid(start, step, n)
    b = _s(grid, boundary)
    fr = state_fractions(Timeline.from_segments([(b - 1800, b + 900, 1)]), grid, 2)
    k = b // grid.step_s  # first step after the boundary
    before = fr[:k, 1].sum() * grid.step_s
    after = fr[k:, 1].sum() * grid.step_s
    assert (round(before), round(after)) == (1800, 900)


def test_fraction_values_across_year_end_at_15min():
    grid = _grid("2025-12-31 23:00", "15min", 8)
    b = _s(grid, "2026-01-01 00:00")
    fr = state_fractions(Timeline.from_segments([(b - 600, b + 60, 1)]), grid, 2)
    assert_allclose(fr[:, 1], [0, 0, 0, 2 / 3, 1 / 15, 0, 0, 0], atol=FRACTION_TOL)


def test_fraction_values_at_1min():
    grid = _grid("2025-05-31 23:59", "1min", 60)  # over midnight into June
    fr = state_fractions(Timeline.from_segments([(7, 67, 1), (67, 3600, 0)]), grid, 2)
    assert_allclose(fr[:3, 1], [53 / 60, 7 / 60, 0.0], atol=FRACTION_TOL)


def test_segments_outside_the_grid_are_ignored():
    grid = _grid("2025-03-03", "1h", 2)
    tl = Timeline.from_segments([(-3600, 1800, 1), (1800, 9000, 0)])
    assert_allclose(state_fractions(tl, grid, 2), [[0.5, 0.5], [1.0, 0.0]], atol=FRACTION_TOL)


def test_state_mean_is_the_power_table_weighted_by_fractions():
    fr = np.array([[0.25, 0.75], [1.0, 0.0]])
    assert_allclose(state_mean(fr, np.array([8.0, 100.0])), [77.0, 8.0])


def test_state_mean_rejects_a_table_of_the_wrong_length():
    with pytest.raises(ValueError, match="one value per state"):
        state_mean(np.zeros((2, 3)), np.array([1.0, 2.0]))


def test_step_means_adds_overlapping_segments():
    grid = _grid("2025-03-03", "1h", 2)
    out = step_means(
        np.array([0, 0]), np.array([5400, 3600]), np.array([[10.0, 1.0], [5.0, 0.0]]), grid
    )
    assert_allclose(out, [[15.0, 1.0], [5.0, 0.5]])


def test_step_means_on_a_fine_grid_equals_the_overlap_of_each_step():
    """Sparse segments on a 1-minute grid (most steps empty, heads, tails and
    whole steps, overlaps): each step's mean is the overlap summed step by
    step, and each column comes out contiguous."""
    grid = _grid("2025-03-03", "1min", 600)
    start = np.array([30, 30, 7_200, 7_245, 20_000, 35_990])
    end = np.array([90, 4_000, 7_260, 9_000, 20_010, 36_000])
    values = np.array([[2.0, 1.0], [0.5, 3.0], [7.0, 0.0], [1.25, 4.0], [9.0, 9.0], [3.0, 1.0]])
    out = step_means(start, end, values, grid)
    expected = np.zeros((600, 2))
    for k in range(600):
        lo, hi = 60 * k, 60 * (k + 1)
        for a, e, v in zip(start, end, values, strict=True):
            expected[k] += v * max(0, min(e, hi) - max(a, lo)) / 60.0
    assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert all(out[:, j].flags.c_contiguous for j in range(2))


# -- invariants --------------------------------------------------------------------
@st.composite
def partitions(draw):
    """A grid and a timeline partitioning it into random segments."""
    step = draw(st.sampled_from(["1h", "15min", "1min"]))
    grid = _grid("2025-12-31 22:00", step, 4 * int(pd.Timedelta("1h") / pd.Timedelta(step)))
    cuts = draw(st.lists(st.integers(1, grid.end_s - 1), max_size=40, unique=True))
    bounds = np.array([0, *sorted(cuts), grid.end_s])
    states = draw(st.lists(st.integers(0, 4), min_size=len(bounds) - 1, max_size=len(bounds) - 1))
    tl = Timeline(bounds[:-1], bounds[1:], np.array(states), np.full(len(states), -1))
    return grid, tl


@settings(max_examples=60, deadline=None)
@given(partitions())
def test_fractions_of_a_partition_sum_to_one(case):
    grid, tl = case
    assert_allclose(state_fractions(tl, grid, 5).sum(axis=1), 1.0, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(partitions(), st.lists(st.floats(0, 5000), min_size=5, max_size=5))
def test_energy_is_state_power_times_state_duration(case, power_kw):
    grid, tl = case
    power = np.array(power_kw)
    per_step_kw = state_mean(state_fractions(tl, grid, 5), power)
    expected_kwh = float(tl.duration_s(5) @ power) / 3600
    assert grid.energy_kwh(per_step_kw) == pytest.approx(expected_kwh, rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(partitions(), st.lists(st.floats(0, 5000), min_size=5, max_size=5))
def test_step_means_equals_fractions_times_table(case, power_kw):
    grid, tl = case
    power = np.array(power_kw)
    fused = step_means(tl.start_s, tl.end_s, power[tl.state], grid)
    assert_allclose(fused, state_mean(state_fractions(tl, grid, 5), power), rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(partitions(), st.lists(st.sampled_from([0.0, 0.1, 0.3, 7.7, 560.0]), min_size=5, max_size=5))
def test_step_means_is_zero_where_nothing_draws(case, power_kw):
    grid, tl = case
    power = np.array(power_kw)
    fused = step_means(tl.start_s, tl.end_s, power[tl.state], grid)
    drawing = state_fractions(tl, grid, 5) @ (power > 0) > 0
    assert fused.min() >= 0.0 and np.all(fused[~drawing] == 0.0)


def test_step_means_has_no_round_off_over_a_year():
    """Ten thousand segments alternating 0.3 kW and nothing over a year of
    1-minute steps: the steps with nothing are exactly 0, never -1e-13."""
    grid = TimeGrid.for_year(2025, step="1min")
    bounds = np.linspace(0, grid.end_s, 10_001).astype(np.int64)
    values = np.tile([0.3, 0.0], 5_000)
    out = step_means(bounds[:-1], bounds[1:], values, grid)
    tl = Timeline(bounds[:-1], bounds[1:], (values > 0).astype(np.int64), np.full(10_000, -1))
    nothing = state_fractions(tl, grid, 2)[:, 1] == 0.0
    assert out.min() == 0.0 and np.all(out[nothing] == 0.0)
