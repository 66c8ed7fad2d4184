import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.timegrid import TimeGrid, parse_step


@pytest.mark.parametrize(
    ("step", "n"), [("1h", 8760), ("30min", 17520), ("15min", 35040), ("1min", 525600)]
)
def test_year_sizes(step, n):
    grid = TimeGrid.for_year(2025, step=step)
    assert grid.n_steps == n
    assert grid.n_hours == 8760
    assert grid.step_h == pytest.approx(pd.Timedelta(step).total_seconds() / 3600)


def test_leap_year_has_8784_hours():
    assert TimeGrid.for_year(2024).n_hours == 8784


@pytest.mark.parametrize("bad", ["0min", "7min", "2h", "-1h", "soon"])
def test_bad_steps_are_rejected(bad):
    with pytest.raises(ValueError, match="step"):
        parse_step(bad)


def test_index_labels_interval_start_in_local_time():
    grid = TimeGrid.for_year(2025, step="15min")
    assert grid.index[0] == pd.Timestamp("2025-01-01 00:00", tz="Asia/Shanghai")
    assert grid.index[-1] == pd.Timestamp("2025-12-31 23:45", tz="Asia/Shanghai")
    assert grid.midpoints[0] == pd.Timestamp("2025-01-01 00:07:30", tz="Asia/Shanghai")


def test_calendar_fields_at_year_boundary():
    grid = TimeGrid.for_year(2025, step="15min")
    assert grid.month[0] == 1 and grid.month[-1] == 12
    assert grid.hour[-1] == 23
    assert grid.day_number[-1] == 364
    assert grid.weekday[0] == 2  # 2025-01-01 was a Wednesday


def test_dst_zone_keeps_equal_steps():
    grid = TimeGrid.for_year(2025, step="1h", tz="Europe/Berlin")
    steps = np.diff(grid.index.tz_convert("UTC").asi8)
    assert np.all(steps == steps[0])
    assert grid.n_steps == 8760


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["1h", "30min", "15min", "5min"]), st.integers(0, 2**32 - 1))
def test_hourly_aggregation_conserves_energy(step, seed):
    grid = TimeGrid(pd.Timestamp("2025-03-01", tz="Asia/Shanghai"), pd.Timedelta(step), 96 * 4)
    n = grid.n_hours * grid.steps_per_hour
    grid = TimeGrid(grid.start, grid.step, n)
    power = np.random.default_rng(seed).uniform(0, 1000, n)
    hourly_mean = grid.to_hourly(power, "mean")
    np.testing.assert_allclose(hourly_mean.sum() * 1.0, grid.energy_kwh(power), rtol=1e-12)
    np.testing.assert_allclose(grid.to_hourly(power * grid.step_h, "sum"), hourly_mean, rtol=1e-12)


def test_to_hourly_rejects_wrong_length():
    grid = TimeGrid.for_year(2025)
    with pytest.raises(ValueError, match="length 8760"):
        grid.to_hourly(np.zeros(10))
