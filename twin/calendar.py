"""Day types of the local calendar: workdays, weekends, public holidays.

Chinese public holidays and their make-up workdays (调休) come from
``twin/data/cn_public_holidays.csv`` (State Council General Office notices;
see the file's header). A make-up workday on a weekend counts as a workday.
"""

from __future__ import annotations

import csv
import datetime as dt
import warnings
from functools import cache
from importlib import resources

import numpy as np

from twin.component import DayType
from twin.errors import SuspiciousInputWarning
from twin.timegrid import TimeGrid

__all__ = ["cn_holidays", "day_types"]


@cache
def cn_holidays() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(holidays, make-up workdays) from the bundled Chinese list."""
    text = resources.files("twin.data").joinpath("cn_public_holidays.csv").read_text("utf-8")
    rows = csv.DictReader(ln for ln in text.splitlines() if ln and not ln.startswith("#"))
    off, work = set(), set()
    for row in rows:
        (off if row["kind"] == "holiday" else work).add(dt.date.fromisoformat(row["date"]))
    return frozenset(off), frozenset(work)


def day_types(
    grid: TimeGrid,
    *,
    holidays: str = "cn",
    extra_holidays: list[dt.date] | tuple[dt.date, ...] = (),
    extra_workdays: list[dt.date] | tuple[dt.date, ...] = (),
    weekend_days: list[int] | tuple[int, ...] = (5, 6),
) -> np.ndarray:
    """:class:`DayType` code of every step (int8).

    Parameters
    ----------
    grid : TimeGrid
    holidays : {"cn", "none"}
        Which public-holiday list to use.
    extra_holidays, extra_workdays : list of date
        Days added as holidays, or weekend days worked.
    weekend_days : list of int
        Weekday numbers of the weekend (Monday = 0).

    Warns
    -----
    SuspiciousInputWarning
        When ``holidays="cn"`` and the bundled list has no entry for a
        simulated year.
    """
    off: set[dt.date] = set(extra_holidays)
    work: set[dt.date] = set(extra_workdays)
    if holidays == "cn":
        cn_off, cn_work = cn_holidays()
        years = {int(str(d)[:4]) for d in (grid.local_date[0], grid.local_date[-1])}
        known = {d.year for d in cn_off}
        missing = sorted(years - known)
        if missing:
            warnings.warn(
                f"no Chinese public-holiday list for {missing} in twin/data/cn_public_holidays.csv "
                f"(it has {sorted(known)}); holidays there count as ordinary days. Add them with "
                "calendar.extra_holidays and calendar.extra_workdays",
                SuspiciousInputWarning,
                stacklevel=2,
            )
        off |= cn_off
        work |= cn_work
    days = grid.local_date
    first = days[0]
    n_days = int(grid.day_number[-1]) + 1
    day_dates = first + np.arange(n_days)
    weekday = (day_dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    per_day = np.where(np.isin(weekday, list(weekend_days)), DayType.WEEKEND, DayType.WORKDAY)
    as_day = day_dates.astype("datetime64[D]")
    per_day[np.isin(as_day, np.array(sorted(work), dtype="datetime64[D]"))] = DayType.WORKDAY
    per_day[np.isin(as_day, np.array(sorted(off), dtype="datetime64[D]"))] = DayType.HOLIDAY
    return per_day.astype(np.int8)[grid.day_number]
