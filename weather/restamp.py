"""Which calendar year does a typical year pretend to be? Re-stamping.

Typical-year files mix source years (one per month); to join them with a
run's time grid the rows are re-stamped onto one calendar year by keeping
month, day and wall-clock time. Leap years get a 29 February copied from
28 February; a 29 February is dropped when the target year has none.
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from .core import WeatherError, format_message

__all__ = ["to_year"]


def _fixed_offset(index: pd.DatetimeIndex, source: str) -> None:
    if index.tz is None:
        msg = format_message(
            source,
            "index",
            "tz-aware timestamps",
            "naive timestamps",
            "tz_localize the index with the file's UTC offset first",
        )
        raise WeatherError(msg)
    offsets = index.tz_localize(None).asi8 - index.tz_convert("UTC").tz_localize(None).asi8
    if offsets.size and (offsets != offsets[0]).any():
        msg = format_message(
            source,
            "index",
            "a fixed UTC offset (local standard time, as in typical-year files)",
            f"time zone {index.tz} with daylight saving",
            "tz_convert to the standard-time offset (e.g. 'UTC+08:00') before re-stamping",
        )
        raise WeatherError(msg)


def to_year(weather_frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Re-stamp an hourly typical-year frame onto calendar year ``year``.

    Each row keeps its month, day and wall-clock time (in the index's fixed
    UTC offset) and gets the new year. If ``year`` is a leap year and the
    frame has no 29 February, 29 February is inserted as a copy of 28
    February; if ``year`` is not a leap year, rows on 29 February are
    dropped. The time zone is preserved.

    Parameters
    ----------
    weather_frame : pandas.DataFrame
        Frame on a tz-aware DatetimeIndex with a fixed UTC offset.
    year : int
        Target calendar year.

    Returns
    -------
    pandas.DataFrame
        A new frame, sorted by time, with a ``freq="h"`` index when the
        result is a regular hourly series.

    Raises
    ------
    WeatherError
        If the index is naive or observes daylight saving time.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.date_range("2005-01-01", periods=8760, freq="h", tz="UTC+08:00")
    >>> df = pd.DataFrame({"temp_air_c": 1.0}, index=idx)
    >>> len(to_year(df, 2024)), str(to_year(df, 2024).index.tz)
    (8784, 'UTC+08:00')
    """
    index = weather_frame.index
    if not isinstance(index, pd.DatetimeIndex):
        msg = format_message(
            "<frame>",
            "index",
            "a pandas DatetimeIndex",
            type(index).__name__,
            "index the frame by interval-start timestamps",
        )
        raise WeatherError(msg)
    _fixed_offset(index, "<frame>")
    year = int(year)
    wall = index.tz_localize(None)
    feb29 = np.asarray((wall.month == 2) & (wall.day == 29))
    frame = weather_frame
    if feb29.any() and not calendar.isleap(year):
        keep = ~feb29
        frame, wall = frame.iloc[keep], wall[keep]
    # Same month, day and wall-clock time in the target year.
    dates = pd.to_datetime(pd.DataFrame({"year": year, "month": wall.month, "day": wall.day}))
    new_wall = pd.DatetimeIndex(dates).as_unit(wall.unit) + (wall - wall.normalize())
    new_index = new_wall.tz_localize(index.tz)
    out = frame.set_axis(new_index, axis=0)

    if calendar.isleap(year):
        new_wall_idx = out.index.tz_localize(None)
        has_feb29 = ((new_wall_idx.month == 2) & (new_wall_idx.day == 29)).any()
        if not has_feb29:
            feb28 = (new_wall_idx.month == 2) & (new_wall_idx.day == 28)
            copy = out.iloc[np.asarray(feb28)]
            copy = copy.set_axis(copy.index + pd.Timedelta(days=1), axis=0)
            out = pd.concat([out, copy])
    out = out.sort_index(kind="stable")
    regular = pd.date_range(out.index[0], periods=len(out), freq="h") if len(out) else None
    if regular is not None and out.index.equals(regular):
        out = out.set_axis(regular, axis=0)
    return out
