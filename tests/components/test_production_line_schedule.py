"""Shift calendars and the SimPy model of a line: SimPy-style scheduling tests
(env fixture, log list, a tiny process, one assertion), integer-second
boundaries, holidays and make-up workdays, night shifts, overtime."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import simpy
from twin.components.production_calendar import (
    CalendarKind,
    ShiftCalendarParams,
    ShiftWindows,
    expand_shifts,
    station_calendar,
)
from twin.components.production_sim import (
    N_STATES,
    StationSpec,
    StationState,
    mix_lots,
    order_lots,
    simulate_line,
)

from tests.components._production_helpers import (
    ALL_DAY,
    DAY_SHIFT,
    TZ,
    build,
    context,
    week_grid,
)
from twin.calendar import day_types
from twin.timegrid import TimeGrid

H = 3600
DAY = 24 * H


@pytest.fixture
def env():
    return simpy.Environment()


@pytest.fixture
def log():
    return []


def _windows(*pairs: tuple[int, int]) -> ShiftWindows:
    s = np.array([a for a, _ in pairs], dtype=np.int64)
    e = np.array([b for _, b in pairs], dtype=np.int64)
    return ShiftWindows(s, e, np.ones(len(pairs), bool), np.ones(len(pairs), bool))


def _spec(
    cal, cycle=(60.0,), changeover=(0,), buffer_lots=2, timeout=math.inf, mtbf_s=None, mttr_s=None
) -> StationSpec:
    return StationSpec(tuple(cycle), tuple(changeover), mtbf_s, mttr_s, buffer_lots, timeout, cal)


def _always(end_s: int):
    return station_calendar(
        _windows((0, end_s)),
        end_s,
        shutdown_at_shift_end=True,
        warmup_s=0,
        warmup_before_shift=True,
    )


def _segments(tl, state) -> list[tuple[int, int]]:
    keep = tl.state == state
    return list(zip(tl.start_s[keep].tolist(), tl.end_s[keep].tolist(), strict=True))


# -- the station process -------------------------------------------------------------
def test_a_lot_pauses_over_a_break_and_resumes():
    """Lots of 700 s from 0 in a window to 14 400 s, break to 16 200 s: the
    21st lot runs 400 s before the break and 300 s after it."""
    cal = station_calendar(
        _windows((0, 14_400), (16_200, 30_000)),
        DAY,
        shutdown_at_shift_end=False,
        warmup_s=0,
        warmup_before_shift=True,
    )
    run = simulate_line(
        [_spec(cal, cycle=(70.0,))], mix_lots([10], [10], [1.0]), DAY, [np.random.default_rng(0)]
    )
    assert _segments(run.timelines[0], StationState.IDLE)[0] == (14_400, 16_200)


def test_work_never_happens_outside_ready_time():
    cal = station_calendar(
        _windows((0, 14_400), (16_200, 30_000)),
        DAY,
        shutdown_at_shift_end=False,
        warmup_s=0,
        warmup_before_shift=True,
    )
    run = simulate_line(
        [_spec(cal, cycle=(70.0,))], mix_lots([10], [10], [1.0]), DAY, [np.random.default_rng(0)]
    )
    busy = run.timelines[0].duration_s(N_STATES)[StationState.BUSY]
    assert busy == 14_400 + 13_800


def test_blocked_station_with_no_buffer():
    """Station 1 (10 s) feeds station 2 (60 s) lot by lot with no buffer: it
    makes a second part and then waits for station 2 to take it at 70 s."""
    cal = _always(DAY)
    run = simulate_line(
        [_spec(cal, cycle=(10.0,), buffer_lots=0), _spec(cal)],
        mix_lots([1], [1], [1.0]),
        600,
        [np.random.default_rng(0)] * 2,
    )
    assert _segments(run.timelines[0], StationState.BUSY)[:2] == [(0, 20), (70, 80)]


def test_buffer_lets_the_upstream_station_run_ahead():
    cal = _always(DAY)
    run = simulate_line(
        [_spec(cal, cycle=(10.0,), buffer_lots=3), _spec(cal)],
        mix_lots([1], [1], [1.0]),
        600,
        [np.random.default_rng(0)] * 2,
    )
    assert _segments(run.timelines[0], StationState.BUSY)[0] == (0, 50)


def test_changeover_before_each_new_product():
    cal = _always(DAY)
    run = simulate_line(
        [_spec(cal, cycle=(60.0, 60.0), changeover=(600, 900))],
        mix_lots([10, 10], [10, 10], [0.5, 0.5]),
        4000,
        [np.random.default_rng(0)],
    )
    tl = run.timelines[0]
    got = list(zip(tl.start_s.tolist(), tl.state.tolist(), tl.tag.tolist(), strict=True))[:4]
    assert got == [
        (0, StationState.BUSY, 0),
        (600, StationState.CHANGEOVER, 1),
        (1500, StationState.BUSY, 1),
        (2100, StationState.CHANGEOVER, 0),
    ]


def test_idle_then_standby_while_waiting_for_an_order():
    cal = _always(DAY)
    run = simulate_line(
        [_spec(cal, timeout=900)],
        order_lots([(5000, 0, 10)], [10]),
        DAY,
        [np.random.default_rng(0)],
    )
    tl = run.timelines[0]
    got = list(zip(tl.start_s.tolist(), tl.end_s.tolist(), tl.state.tolist(), strict=True))[:4]
    assert got == [
        (0, 900, StationState.IDLE),
        (900, 5000, StationState.STANDBY),
        (5000, 5600, StationState.BUSY),
        (5600, 6500, StationState.IDLE),
    ]


def test_orders_are_worked_in_release_order():
    plan = list(order_lots([(7200, 1, 25), (0, 0, 10)], [10, 10]))
    assert plan == [(0, (0, 10)), (7200, (1, 10)), (7200, (1, 10)), (7200, (1, 5))]


def test_mix_releases_the_shares():
    plan = mix_lots([100, 50], [100, 50], [0.25, 0.75])
    units = np.zeros(2)
    for _ in range(400):
        _, (p, u) = next(plan)
        units[p] += u
    assert units[0] / units.sum() == pytest.approx(0.25, abs=0.01)


def test_mix_splits_batches_into_lots_with_a_rest():
    """Stride scheduling: the 10-unit batch goes first ((0 + 10) / 0.5 = 20
    against 50) and again (40 against 50), then the 25-unit batch as 10 + 10 + 5."""
    plan = mix_lots([25, 10], [10, 10], [0.5, 0.5])
    first = [next(plan) for _ in range(5)]
    assert first == [(0, (1, 10)), (0, (1, 10)), (0, (0, 10)), (0, (0, 10)), (0, (0, 5))]


def test_mix_splits_a_huge_batch_as_the_run_takes_it():
    """A batch of a million one-unit lots: its lots are not all built before the
    first is taken (that would hold about 100 MB)."""
    tracemalloc.start()
    try:
        plan = mix_lots([10**6], [1], [1.0])
        first = [next(plan) for _ in range(3)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first == [(0, (0, 1))] * 3
    assert peak < 1_000_000


def test_repair_outside_planned_time_is_not_planned_downtime():
    """A failure 600 s before the shift ends: the repair goes on after it."""
    cal = station_calendar(
        _windows((0, 3600)), DAY, shutdown_at_shift_end=True, warmup_s=0, warmup_before_shift=True
    )

    class FirstDraws:  # time to failure 3000 s of busy time, repair 1800 s
        def __init__(self):
            self.values = iter([3000.0, 1800.0, 1e9])

        def exponential(self, mean):
            return next(self.values)

    run = simulate_line(
        [_spec(cal, mtbf_s=3000.0, mttr_s=1800.0)], mix_lots([10], [10], [1.0]), DAY, [FirstDraws()]
    )
    tl = run.timelines[0]
    assert (_segments(tl, StationState.DOWN), _segments(tl, StationState.DOWN_OFF_SHIFT)) == (
        [(3000, 3600)],
        [(3600, 4800)],
    )


# -- the shift calendar ----------------------------------------------------------------
def _cal(**patterns) -> ShiftCalendarParams:
    return ShiftCalendarParams(**patterns)


def _window_list(windows: ShiftWindows, grid: TimeGrid) -> list[tuple[str, str]]:
    start = grid.start
    return [
        (
            (start + pd.Timedelta(seconds=int(a))).strftime("%m-%d %H:%M"),
            (start + pd.Timedelta(seconds=int(b))).strftime("%m-%d %H:%M"),
        )
        for a, b in zip(windows.start_s, windows.end_s, strict=True)
    ]


def test_breaks_split_a_shift():
    grid = week_grid(days=1)
    w = expand_shifts(_cal(workday=[DAY_SHIFT]), grid, day_types(grid))
    assert _window_list(w, grid) == [("03-03 08:00", "03-03 12:00"), ("03-03 12:30", "03-03 16:00")]


def test_abutting_shifts_merge_into_one_window():
    grid = week_grid(days=1)
    shifts = [{"start": "06:00", "end": "14:00"}, {"start": "14:00", "end": "22:00"}]
    w = expand_shifts(_cal(workday=shifts), grid, day_types(grid))
    assert _window_list(w, grid) == [("03-03 06:00", "03-03 22:00")]


def test_night_shift_belongs_to_the_day_it_starts():
    """Friday night runs into Saturday; Saturday (weekend) has no night shift."""
    grid = week_grid(start="2025-03-07", days=2)
    w = expand_shifts(_cal(workday=[{"start": "22:00", "end": "06:00"}]), grid, day_types(grid))
    assert _window_list(w, grid) == [("03-07 22:00", "03-08 06:00")]


def test_night_shift_is_clipped_at_the_end_of_the_year():
    grid = TimeGrid.for_year(2025)
    w = expand_shifts(_cal(workday=[{"start": "22:00", "end": "06:00"}]), grid, day_types(grid))
    assert int(w.end_s[-1]) == grid.end_s


def test_holidays_and_make_up_workdays():
    """2025: Sunday 28 September is a make-up workday (调休); 1-8 October are
    National Day holidays; Saturday 11 October is a make-up workday."""
    grid = TimeGrid(pd.Timestamp("2025-09-27", tz=TZ), pd.Timedelta("1h"), 16 * 24)
    w = expand_shifts(_cal(workday=[{"start": "08:00", "end": "16:00"}]), grid, day_types(grid))
    days = [a[:5] for a, _ in _window_list(w, grid)]
    assert days == ["09-28", "09-29", "09-30", "10-09", "10-10", "10-11"]


def test_weekday_limits_and_overtime_days():
    grid = week_grid()
    cal = _cal(
        weekend=[{"start": "08:00", "end": "12:00", "weekdays": ["sat"]}],
        overtime=[{"start": "13:00", "end": "17:00"}],
        overtime_days=["2025-03-09"],
    )
    w = expand_shifts(cal, grid, day_types(grid))
    assert _window_list(w, grid) == [("03-08 08:00", "03-08 12:00"), ("03-09 13:00", "03-09 17:00")]


def test_a_local_shift_start_on_a_daylight_saving_day():
    """Europe/Berlin springs forward on 30 March 2025: 08:00 is 7 h after midnight."""
    grid = TimeGrid(pd.Timestamp("2025-03-30", tz="Europe/Berlin"), pd.Timedelta("1h"), 23)
    w = expand_shifts(
        _cal(weekend=[{"start": "08:00", "end": "09:00"}]), grid, np.full(23, 1, dtype=np.int8)
    )
    assert (int(w.start_s[0]), int(w.end_s[0])) == (7 * H, 8 * H)


def test_station_calendar_kinds_around_a_shift():
    w = _windows((8 * H, 16 * H))
    cal = station_calendar(
        w,
        DAY,
        shutdown_at_shift_end=True,
        warmup_s=1800,
        warmup_before_shift=True,
        maintenance_start_s=np.array([10 * H]),
        maintenance_end_s=np.array([11 * H]),
    )
    got = list(zip(cal.start_s.tolist(), cal.state.tolist(), strict=True))
    assert got == [
        (0, CalendarKind.OFF),
        (7 * H + 1800, CalendarKind.WARMUP),
        (8 * H, CalendarKind.READY),
        (10 * H, CalendarKind.MAINTENANCE),
        (11 * H, CalendarKind.READY),
        (16 * H, CalendarKind.OFF),
    ]


def test_a_break_keeps_the_machine_awake():
    w = ShiftWindows(
        np.array([8 * H, 13 * H]),
        np.array([12 * H, 16 * H]),
        np.array([True, False]),
        np.array([False, True]),
    )
    cal = station_calendar(
        w, DAY, shutdown_at_shift_end=True, warmup_s=600, warmup_before_shift=False
    )
    got = list(zip(cal.start_s.tolist(), cal.state.tolist(), strict=True))
    assert got == [
        (0, CalendarKind.OFF),
        (8 * H, CalendarKind.WARMUP),
        (8 * H + 600, CalendarKind.READY),
        (12 * H, CalendarKind.AWAKE),
        (13 * H, CalendarKind.READY),
        (16 * H, CalendarKind.OFF),
    ]


# -- a whole line on the calendar -----------------------------------------------------
def test_the_timeline_covers_the_run_without_gaps():
    grid = week_grid("15min")
    line = build(shifts={"workday": [ALL_DAY]}, idle_to_standby_s=300)
    tl = line.simulate(context(grid)).run.timelines[0]
    assert (
        int(tl.start_s[0]),
        int(tl.end_s[-1]) >= grid.end_s,
        bool(np.all(tl.start_s[1:] == tl.end_s[:-1])),
    ) == (0, True, True)


def test_simulated_time_is_integer_seconds():
    tl = build().simulate(context(week_grid())).run.timelines[0]
    assert tl.start_s.dtype == np.int64 and tl.end_s.dtype == np.int64
