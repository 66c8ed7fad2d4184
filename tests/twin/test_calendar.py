import datetime as dt

import numpy as np
import pytest

from twin.calendar import cn_holidays, day_types
from twin.component import DayType
from twin.errors import SuspiciousInputWarning
from twin.timegrid import TimeGrid


def _day(grid, types, date):
    i = int(np.flatnonzero(grid.local_date == np.datetime64(date))[0])
    return DayType(types[i])


def test_2025_counts_match_the_state_council_arrangement():
    grid = TimeGrid.for_year(2025)
    types = day_types(grid)
    per_day = types[::24]
    # 261 weekdays - 13 statutory holiday weekdays = 248 workdays (incl. 5 make-up Saturdays/Sundays)
    assert np.count_nonzero(per_day == DayType.WORKDAY) == 248


def test_holiday_and_makeup_workday():
    grid = TimeGrid.for_year(2025, step="15min")
    types = day_types(grid)
    assert _day(grid, types, "2025-01-29") is DayType.HOLIDAY  # Spring Festival
    assert _day(grid, types, "2025-01-26") is DayType.WORKDAY  # a Sunday worked (调休)
    assert _day(grid, types, "2025-03-08") is DayType.WEEKEND


def test_extra_days_and_no_list():
    grid = TimeGrid.for_year(2025)
    types = day_types(grid, holidays="none", extra_holidays=[dt.date(2025, 3, 3)])
    assert _day(grid, types, "2025-03-03") is DayType.HOLIDAY
    assert _day(grid, types, "2025-01-29") is DayType.WORKDAY


def test_missing_year_warns():
    grid = TimeGrid.for_year(2031)
    with pytest.warns(SuspiciousInputWarning, match="2031"):
        day_types(grid)


def test_bundled_makeup_days_are_weekends():
    _, work = cn_holidays()
    assert all(d.weekday() >= 5 for d in work)
