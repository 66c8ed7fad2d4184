"""Shift calendars of production lines: when a line is meant to produce.

The physical question is the planned production time of a line on the
local calendar: which shifts are worked on workdays, weekends and public
holidays (day types come from the run, :attr:`twin.component.RunContext.day_type`,
built from the State Council holiday list with make-up workdays counted as
workdays), which breaks interrupt them, which dates get overtime shifts, and
what a machine does around them (warm-up before production, off or
standing by between shifts, planned maintenance).

Two layers:

- Config models (:class:`ShiftParams`, :class:`BreakParams`,
  :class:`ShiftCalendarParams`): shift patterns per day type, in local clock
  time, validated when the config is read (overlapping shifts, breaks
  outside their shift).
- Pure functions on the grid: :func:`expand_shifts` turns the patterns into
  production windows in integer seconds from the grid start (local time,
  so a zone with daylight saving is handled by localising every boundary);
  :func:`station_calendar` turns the windows into one machine's calendar:
  a partition of the run into :class:`CalendarKind` segments (off, awake,
  warm-up, ready, maintenance) that the discrete-event model of
  :mod:`components.production_sim` works within.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.component import DayType
from twin.errors import ConfigError
from twin.schedule import Timeline
from twin.timegrid import TimeGrid

__all__ = [
    "BreakParams",
    "CalendarKind",
    "ShiftCalendarParams",
    "ShiftParams",
    "ShiftWindows",
    "expand_shifts",
    "local_to_seconds",
    "station_calendar",
]

_DAY_S = 86_400
_FROZEN = ConfigDict(extra="forbid", frozen=True)
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names in the order of their numbers (Monday = 0)."""


class CalendarKind(IntEnum):
    """What a machine's calendar says about a stretch of time."""

    OFF = 0
    """Between shifts with the shutdown policy: switched off."""
    AWAKE = 1
    """Switched on but not in production time (a break; between shifts
    without the shutdown policy): idle, then standby after the timeout."""
    WARMUP = 2
    """Warming up after being off, before production can start."""
    READY = 3
    """Planned production time: the machine works when it has work."""
    MAINTENANCE = 4
    """A planned maintenance window."""


def _clock_s(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _fmt(t: dt.time) -> str:
    return t.strftime("%H:%M") if t.second == 0 else t.strftime("%H:%M:%S")


class BreakParams(BaseModel):
    """A break inside a shift (meal, hand-over): the line stops, machines stay on."""

    model_config = _FROZEN

    start: dt.time = Field(description="Local clock time the break starts (HH:MM).")
    end: dt.time = Field(description="Local clock time the break ends (HH:MM).")


class ShiftParams(BaseModel):
    """One shift: a stretch of local clock time with optional breaks.

    A shift whose end is not after its start ends on the next day (a night
    shift 22:00-06:00); equal start and end make a 24-hour shift.
    """

    model_config = _FROZEN

    start: dt.time = Field(description="Local clock time the shift starts (HH:MM).")
    end: dt.time = Field(
        description="Local clock time the shift ends (HH:MM); not after start: the next day."
    )
    breaks: list[BreakParams] = Field(
        default_factory=list, description="Breaks inside the shift; the line stops during them."
    )
    weekdays: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS),
        min_length=1,
        description="Weekdays (mon..sun) the shift is worked on, among the days of its pattern.",
    )

    @property
    def duration_s(self) -> int:
        """Shift length in local clock time [s] (0 < length <= 24 h)."""
        d = (_clock_s(self.end) - _clock_s(self.start)) % _DAY_S
        return d or _DAY_S

    def break_offsets_s(self) -> list[tuple[int, int]]:
        """Breaks as ``(start, end)`` seconds after the shift start, in order."""
        s0 = _clock_s(self.start)
        out = []
        for b in self.breaks:
            bs = (_clock_s(b.start) - s0) % _DAY_S
            be = bs + (_clock_s(b.end) - _clock_s(b.start)) % _DAY_S
            out.append((bs, be))
        return sorted(out)

    def label(self) -> str:
        return f"{_fmt(self.start)}-{_fmt(self.end)}"

    @model_validator(mode="after")
    def _breaks_inside(self) -> Self:
        dur = self.duration_s
        for bs, be in self.break_offsets_s():
            if be == bs:
                msg = "breaks: a break has zero length; give end after start"
                raise ValueError(msg)
            if be > dur:
                msg = (
                    f"breaks: the break {bs // 3600:02d}:{bs % 3600 // 60:02d} h after the start "
                    f"ends outside the shift {self.label()}; breaks must lie inside their shift"
                )
                raise ValueError(msg)
        offs = self.break_offsets_s()
        for (_, e1), (s2, _) in zip(offs, offs[1:], strict=False):
            if s2 < e1:
                msg = f"breaks: breaks overlap in the shift {self.label()}; give disjoint breaks"
                raise ValueError(msg)
        if len(set(self.weekdays)) != len(self.weekdays):
            msg = f"weekdays: a weekday is listed twice in {self.weekdays}"
            raise ValueError(msg)
        return self


def _pattern_overlaps(name: str, shifts: list[ShiftParams]) -> str | None:
    """The first overlap within one pattern (same day, or into the next day)."""
    for i, a in enumerate(shifts):
        a0 = _clock_s(a.start)
        a1 = a0 + a.duration_s
        days_a = {WEEKDAYS.index(w) for w in a.weekdays}
        for j, b in enumerate(shifts):
            b0 = _clock_s(b.start)
            b1 = b0 + b.duration_s
            days_b = {WEEKDAYS.index(w) for w in b.weekdays}
            same_day = i < j and days_a & days_b and a0 < b1 and b0 < a1
            next_day = a1 > _DAY_S and {(d + 1) % 7 for d in days_a} & days_b and b0 + _DAY_S < a1
            if same_day or next_day:
                when = "on the same day" if same_day else "when worked on consecutive days"
                return (
                    f"{name}[{i}] ({a.label()}) and {name}[{j}] ({b.label()}) overlap {when}; "
                    "shifts of a line must not overlap: move one or shorten it"
                )
    return None


class ShiftCalendarParams(BaseModel):
    """Shift patterns of a line per day type, and overtime.

    The pattern of a day follows its day type in the run's calendar
    (make-up workdays 调休 are workdays). Each shift may be limited to some
    weekdays (``weekdays = ["sat"]`` for a Saturday-only weekend shift).
    On ``overtime_days`` the ``overtime`` shifts are worked in addition.
    """

    model_config = _FROZEN

    workday: list[ShiftParams] = Field(default_factory=list, description="Shifts on workdays.")
    weekend: list[ShiftParams] = Field(default_factory=list, description="Shifts on weekend days.")
    holiday: list[ShiftParams] = Field(
        default_factory=list, description="Shifts on public holidays (usually none)."
    )
    overtime: list[ShiftParams] = Field(
        default_factory=list, description="Extra shifts worked on the overtime days."
    )
    overtime_days: list[dt.date] = Field(
        default_factory=list, description="Local dates with the overtime shifts (YYYY-MM-DD)."
    )

    @model_validator(mode="after")
    def _no_overlap(self) -> Self:
        for name in ("workday", "weekend", "holiday", "overtime"):
            problem = _pattern_overlaps(name, getattr(self, name))
            if problem:
                raise ValueError(problem)
        if self.overtime_days and not self.overtime:
            msg = "overtime_days are given but no overtime shifts; add overtime = [{start, end}]"
            raise ValueError(msg)
        return self


@dataclass(frozen=True)
class ShiftWindows:
    """Production windows of a line: shifts less breaks, in time order.

    Attributes
    ----------
    start_s, end_s : numpy.ndarray of int64
        Window bounds [s from the grid start]; disjoint, abutting windows merged.
    starts_shift : numpy.ndarray of bool
        The window opens a shift (rather than ending a break).
    ends_shift : numpy.ndarray of bool
        The window closes a shift (rather than starting a break).
    """

    start_s: np.ndarray
    end_s: np.ndarray
    starts_shift: np.ndarray
    ends_shift: np.ndarray

    @property
    def total_s(self) -> int:
        """Total production time [s]."""
        return int(np.sum(self.end_s - self.start_s))


def local_to_seconds(naive: np.ndarray, grid: TimeGrid) -> np.ndarray:
    """Local wall-clock instants as integer seconds from the grid start.

    Parameters
    ----------
    naive : numpy.ndarray of datetime64
        Local times without zone.
    grid : TimeGrid

    Returns
    -------
    numpy.ndarray of int64
        Seconds from ``grid.start``. A local time that does not exist (a
        daylight-saving gap) moves forward to the end of the gap; an
        ambiguous one takes its first occurrence.
    """
    values = np.asarray(naive, dtype="datetime64[s]")
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    idx = pd.DatetimeIndex(values).tz_localize(
        grid.tz, ambiguous=np.ones(values.size, dtype=bool), nonexistent="shift_forward"
    )
    epoch_s = idx.as_unit("s").asi8
    return epoch_s - int(grid.start.timestamp())


def _days(grid: TimeGrid, day_type: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(local date, weekday Monday = 0, day type) of every day of the grid."""
    day_number = grid.day_number
    first = np.flatnonzero(np.diff(day_number, prepend=-1) != 0)
    dates = grid.local_date[first]
    weekday = (dates.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday
    return dates, weekday, np.asarray(day_type)[first].astype(np.int64)


_PATTERN_DAY_TYPE = {
    "workday": DayType.WORKDAY,
    "weekend": DayType.WEEKEND,
    "holiday": DayType.HOLIDAY,
}


def expand_shifts(
    calendar: ShiftCalendarParams, grid: TimeGrid, day_type: np.ndarray, where: str = "shifts"
) -> ShiftWindows:
    """Production windows of a shift calendar on a grid.

    Parameters
    ----------
    calendar : ShiftCalendarParams
    grid : TimeGrid
    day_type : numpy.ndarray
        :class:`twin.component.DayType` code of every step (``ctx.day_type``).
    where : str
        Field path used in error messages.

    Returns
    -------
    ShiftWindows
        Shifts less breaks, clipped to the grid. Shifts that start on the
        day before the grid (a night shift into 1 January) are not carried
        in: the run starts between shifts.

    Raises
    ------
    ConfigError
        When shifts of different patterns overlap on the calendar (a Friday
        night shift into a Saturday morning shift), naming both and the date.
    """
    dates, weekday, dtype = _days(grid, day_type)
    overtime = np.isin(dates, np.array(calendar.overtime_days, dtype="datetime64[D]"))
    starts, ends, opens, closes, owners = [], [], [], [], []
    patterns = ("workday", "weekend", "holiday", "overtime")
    for pattern in patterns:
        for i, shift in enumerate(getattr(calendar, pattern)):
            allowed = np.isin(weekday, [WEEKDAYS.index(w) for w in shift.weekdays])
            if pattern == "overtime":
                mask = overtime & allowed
            else:
                mask = (dtype == _PATTERN_DAY_TYPE[pattern]) & allowed
            if not mask.any():
                continue
            day0 = dates[mask].astype("datetime64[s]") + np.timedelta64(_clock_s(shift.start), "s")
            cuts = [0]
            for bs, be in shift.break_offsets_s():
                cuts += [bs, be]
            cuts.append(shift.duration_s)
            pieces = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=True) if b > a]
            for j, (a, b) in enumerate(pieces):
                starts.append(local_to_seconds(day0 + np.timedelta64(a, "s"), grid))
                ends.append(local_to_seconds(day0 + np.timedelta64(b, "s"), grid))
                opens.append(np.full(day0.size, j == 0))
                closes.append(np.full(day0.size, j == len(pieces) - 1))
                # who made the window: pattern, shift and day (for error messages)
                owners.append(
                    np.column_stack(
                        [
                            np.full(day0.size, patterns.index(pattern)),
                            np.full(day0.size, i),
                            np.flatnonzero(mask),
                        ]
                    )
                )
    if not starts:
        empty = np.zeros(0, dtype=np.int64)
        return ShiftWindows(empty, empty, empty.astype(bool), empty.astype(bool))
    ws, we = np.concatenate(starts), np.concatenate(ends)
    op, cl, own = np.concatenate(opens), np.concatenate(closes), np.concatenate(owners)
    order = np.lexsort((we, ws))
    ws, we, op, cl, own = ws[order], we[order], op[order], cl[order], own[order]
    clash = np.flatnonzero(ws[1:] < we[:-1])
    if clash.size:
        i = int(clash[0])
        first = _owner_label(calendar, patterns, dates, own[i])
        second = _owner_label(calendar, patterns, dates, own[i + 1])
        msg = (
            f"{where}: the {first} overlaps the {second}; shifts of a line must not overlap "
            "(move or shorten one, or limit it to some weekdays)"
        )
        raise ConfigError(msg)
    # merge abutting windows (a shift ending where the next begins)
    first = np.concatenate([[True], ws[1:] != we[:-1]])
    last = np.concatenate([first[1:], [True]])
    ws, op = ws[first], op[first]
    we, cl = we[last], cl[last]
    ws, we = np.clip(ws, 0, grid.end_s), np.clip(we, 0, grid.end_s)
    keep = we > ws
    return ShiftWindows(ws[keep], we[keep], op[keep], cl[keep])


def _owner_label(
    calendar: ShiftCalendarParams, patterns: tuple[str, ...], dates: np.ndarray, owner: np.ndarray
) -> str:
    pattern = patterns[int(owner[0])]
    shift = getattr(calendar, pattern)[int(owner[1])]
    return f"{pattern}[{int(owner[1])}] shift {shift.label()} on {dates[int(owner[2])]}"


def _paint(tl: Timeline, start_s: np.ndarray, end_s: np.ndarray, kind: int) -> Timeline:
    """A partition with ``kind`` painted over the intervals ``[start_s, end_s)``
    (sorted, disjoint); equal neighbours merged."""
    lo, hi = int(tl.start_s[0]), int(tl.end_s[-1])
    ps, pe = np.clip(start_s, lo, hi), np.clip(end_s, lo, hi)
    bounds = np.unique(np.concatenate([tl.start_s, [hi], ps, pe]))
    a = bounds[:-1]
    kinds = tl.state[np.searchsorted(tl.start_s, a, side="right") - 1]
    j = np.searchsorted(ps, a, side="right") - 1
    covered = (j >= 0) & (a < pe[np.maximum(j, 0)]) if ps.size else np.zeros(a.size, dtype=bool)
    kinds = np.where(covered, kind, kinds)
    new = np.concatenate([[True], kinds[1:] != kinds[:-1]])
    starts = a[new]
    ends = np.concatenate([starts[1:], [hi]])
    return Timeline(starts, ends, kinds[new], np.full(starts.size, -1))


def station_calendar(
    windows: ShiftWindows,
    end_s: int,
    *,
    shutdown_at_shift_end: bool,
    warmup_s: int,
    warmup_before_shift: bool,
    maintenance_start_s: np.ndarray | None = None,
    maintenance_end_s: np.ndarray | None = None,
) -> Timeline:
    """One machine's calendar: a partition of ``[0, end_s)`` into :class:`CalendarKind`.

    Parameters
    ----------
    windows : ShiftWindows
        The line's production windows.
    end_s : int
        End of the grid [s].
    shutdown_at_shift_end : bool
        True: the machine is switched off between shifts (from the run start
        to the first shift too) and warms up before the next one. False: it
        stays on (idle, then standby) and needs no warm-up.
    warmup_s : int
        Warm-up time after being off [s].
    warmup_before_shift : bool
        True: warm-up ends when the shift starts (a timer or the early
        shift switches the machine on), so production starts on time. False:
        warm-up takes the first ``warmup_s`` of the shift.
    maintenance_start_s, maintenance_end_s : numpy.ndarray, optional
        Planned maintenance windows of this machine [s], sorted, disjoint.

    Returns
    -------
    Timeline
        Segments covering ``[0, end_s)`` with ``state`` = :class:`CalendarKind`.
    """
    ws, we = windows.start_s, windows.end_s
    n = ws.size
    prev_end = np.concatenate([[0], we[:-1]]).astype(np.int64)[:n]
    after_shift = np.concatenate([[True], windows.ends_shift[:-1]])[:n].astype(bool)
    off_gap = np.full(n, shutdown_at_shift_end) & after_shift
    gap_kind = np.where(off_gap, CalendarKind.OFF, CalendarKind.AWAKE)
    warm = off_gap & (warmup_s > 0)
    pre = warm & warmup_before_shift
    inner = warm & (not warmup_before_shift)
    pre_start = np.where(pre, np.maximum(ws - warmup_s, prev_end), ws)
    ready_start = np.where(inner, np.minimum(ws + warmup_s, we), ws)
    starts = np.stack([prev_end, pre_start, ws, ready_start], axis=1)
    ends = np.stack([pre_start, ws, ready_start, we], axis=1)
    kinds = np.stack(
        [
            gap_kind,
            np.full(n, CalendarKind.WARMUP),
            np.full(n, CalendarKind.WARMUP),
            np.full(n, CalendarKind.READY),
        ],
        axis=1,
    )
    last_end = int(we[-1]) if n else 0
    closing = bool(windows.ends_shift[-1]) if n else True
    tail_kind = CalendarKind.OFF if (shutdown_at_shift_end and closing) else CalendarKind.AWAKE
    s = np.concatenate([starts.ravel(), [last_end]])
    e = np.concatenate([ends.ravel(), [end_s]])
    k = np.concatenate([kinds.ravel(), [tail_kind]])
    keep = e > s
    tl = Timeline(s[keep], e[keep], k[keep], np.full(int(keep.sum()), -1))
    if maintenance_start_s is not None and np.asarray(maintenance_start_s).size:
        tl = _paint(
            tl,
            np.asarray(maintenance_start_s),
            np.asarray(maintenance_end_s),
            CalendarKind.MAINTENANCE,
        )
    else:
        tl = _paint(tl, np.zeros(0, np.int64), np.zeros(0, np.int64), CalendarKind.MAINTENANCE)
    return tl
