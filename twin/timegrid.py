"""The time grid of a run: tz-aware start, fixed step, number of steps.

Every series of a run is a 1-D float64 array of length ``n_steps`` aligned to
one :class:`TimeGrid`. The index labels the **start** of each interval and a
value is the mean over that interval (power) or the total within it
(energy). The step is data (``step_h``); nothing assumes one hour.
Calendars (shifts, time-of-use periods) use local time; arithmetic on
instants uses UTC internally, so a zone with daylight saving still has
equal steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

__all__ = ["TimeGrid", "hourly_if_held", "parse_step"]

_SECONDS_PER_HOUR = 3600


def parse_step(step: str | pd.Timedelta | dt.timedelta) -> pd.Timedelta:
    """Parse a step such as ``"1h"``, ``"15min"`` or ``"1min"``.

    Raises
    ------
    ValueError
        When the step is not a positive whole number of seconds that divides
        one hour.
    """
    try:
        td = pd.Timedelta(step)
    except (ValueError, TypeError):
        msg = f"step: expected a duration such as '1h', '15min' or '1min', got {step!r}"
        raise ValueError(msg) from None
    seconds = td.total_seconds()
    if seconds <= 0 or seconds != int(seconds) or _SECONDS_PER_HOUR % int(seconds) != 0:
        msg = (
            f"step: expected a whole number of seconds that divides one hour "
            f"(1h, 30min, 15min, 5min, 1min, ...), got {step!r}"
        )
        raise ValueError(msg)
    return td


def _frozen(values: np.ndarray) -> np.ndarray:
    """``values`` made read-only: a grid's arrays are shared by every run on it."""
    values.flags.writeable = False
    return values


@dataclass(frozen=True)
class TimeGrid:
    """A fixed-step time grid.

    Parameters
    ----------
    start : pandas.Timestamp
        Start of the first interval, tz-aware.
    step : pandas.Timedelta
        Interval length; divides one hour.
    n_steps : int
        Number of intervals.

    Examples
    --------
    >>> grid = TimeGrid.for_year(2025, step="15min")
    >>> grid.n_steps, grid.step_h
    (35040, 0.25)
    """

    start: pd.Timestamp
    step: pd.Timedelta
    n_steps: int

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            msg = f"TimeGrid.start must be tz-aware, got naive {self.start}"
            raise ValueError(msg)
        object.__setattr__(self, "step", parse_step(self.step))
        if self.n_steps <= 0:
            msg = f"TimeGrid.n_steps must be > 0, got {self.n_steps}"
            raise ValueError(msg)
        if self.n_steps % self.steps_per_hour != 0:
            msg = (
                f"TimeGrid must cover whole hours: n_steps={self.n_steps} is not a "
                f"multiple of {self.steps_per_hour} steps per hour"
            )
            raise ValueError(msg)

    @classmethod
    def for_year(
        cls, year: int, step: str | pd.Timedelta = "1h", tz: str = "Asia/Shanghai"
    ) -> TimeGrid:
        """The grid of one calendar year in local time ``tz``."""
        start = pd.Timestamp(year=year, month=1, day=1, tz=tz)
        end = pd.Timestamp(year=year + 1, month=1, day=1, tz=tz)
        td = parse_step(step)
        n = int((end - start) / td)
        return cls(start=start, step=td, n_steps=n)

    # -- sizes -----------------------------------------------------------
    @property
    def step_s(self) -> int:
        """Step length [s]."""
        return int(self.step.total_seconds())

    @property
    def step_h(self) -> float:
        """Step length [h]."""
        return self.step_s / _SECONDS_PER_HOUR

    @property
    def steps_per_hour(self) -> int:
        """Number of steps in one hour."""
        return _SECONDS_PER_HOUR // self.step_s

    @property
    def n_hours(self) -> int:
        """Number of whole hours covered."""
        return self.n_steps // self.steps_per_hour

    @property
    def tz(self) -> dt.tzinfo:
        """Time zone of the local calendar."""
        return self.start.tzinfo

    # -- indexes -------------------------------------------------------
    @cached_property
    def index(self) -> pd.DatetimeIndex:
        """Interval starts in local time (tz-aware)."""
        start_utc = self.start.tz_convert("UTC")
        idx = pd.date_range(start_utc, periods=self.n_steps, freq=self.step)
        return idx.tz_convert(self.tz)

    @cached_property
    def hourly_index(self) -> pd.DatetimeIndex:
        """Starts of the hours covered, local time."""
        return self.index[:: self.steps_per_hour]

    @cached_property
    def midpoints(self) -> pd.DatetimeIndex:
        """Interval midpoints in local time: where to evaluate the sun for
        interval-mean irradiance."""
        return self.index + self.step / 2

    @cached_property
    def seconds(self) -> np.ndarray:
        """Interval starts as integer seconds from the grid start (int64)."""
        return _frozen(np.arange(self.n_steps, dtype=np.int64) * self.step_s)

    @property
    def end_s(self) -> int:
        """End of the grid as seconds from its start."""
        return self.n_steps * self.step_s

    # -- local calendar fields (cached int arrays on the grid) ----------
    @cached_property
    def month(self) -> np.ndarray:
        """Local month 1..12 of each interval start."""
        return _frozen(self.index.month.to_numpy(dtype=np.int64))

    @cached_property
    def hour(self) -> np.ndarray:
        """Local hour 0..23 of each interval start."""
        return _frozen(self.index.hour.to_numpy(dtype=np.int64))

    @cached_property
    def weekday(self) -> np.ndarray:
        """Local weekday of each interval start, Monday = 0."""
        return _frozen(self.index.day_of_week.to_numpy(dtype=np.int64))

    @cached_property
    def local_date(self) -> np.ndarray:
        """Local calendar date of each interval start (numpy datetime64[D])."""
        naive = self.index.tz_localize(None)
        return _frozen(naive.to_numpy().astype("datetime64[D]"))

    @cached_property
    def day_number(self) -> np.ndarray:
        """Index of the local day, 0 for the first day of the grid."""
        d = self.local_date
        return _frozen((d - d[0]).astype(np.int64))

    # -- aggregation -----------------------------------------------------
    def to_hourly(self, values: np.ndarray, how: str = "mean") -> np.ndarray:
        """Aggregate a step series to hours.

        Parameters
        ----------
        values : array
            Series on this grid (length ``n_steps``).
        how : {"mean", "sum", "first", "last", "max"}
            ``mean`` for power [kW] (hourly mean power), ``sum`` for energy
            per step [kWh], ``first`` for labels that hold over the hour
            (tariff period), ``last`` for states at interval end (state of
            charge), ``max`` for peaks.

        Returns
        -------
        array
            Length ``n_hours``.
        """
        arr = np.asarray(values, dtype=np.float64)
        if arr.shape != (self.n_steps,):
            msg = f"to_hourly: expected an array of length {self.n_steps}, got shape {arr.shape}"
            raise ValueError(msg)
        k = self.steps_per_hour
        if k == 1:
            return arr.copy()
        blocks = arr.reshape(self.n_hours, k)
        if how == "mean":
            return blocks.mean(axis=1)
        if how == "sum":
            return blocks.sum(axis=1)
        if how == "first":
            return blocks[:, 0].copy()
        if how == "last":
            return blocks[:, -1].copy()
        if how == "max":
            return blocks.max(axis=1)
        msg = f"to_hourly: how must be one of mean, sum, first, last, max; got {how!r}"
        raise ValueError(msg)

    def energy_kwh(self, power_kw: np.ndarray) -> float:
        """Total energy of a mean-power series: sum(power x step_h) [kWh]."""
        return float(np.sum(power_kw) * self.step_h)

    def describe(self) -> dict[str, object]:
        """A JSON-ready description for provenance."""
        return {
            "start": self.start.isoformat(),
            "step": f"{self.step_s}s",
            "n_steps": self.n_steps,
            "tz": str(self.tz),
        }


def hourly_if_held(steps_per_hour: int, *arrays: np.ndarray | None) -> tuple | None:
    """The hourly values of series held constant within every hour, or None.

    Weather comes hourly and is held over the steps of each hour
    (:func:`twin.run.weather_on_grid`), so a quantity that depends on the
    weather alone (wet-bulb temperature, the sun's position, PV output) is
    computed once per hour and repeated (``np.repeat(x, steps_per_hour)``)
    rather than once per step: the same hourly numbers at any step length,
    and 60 times less work at 1-minute steps.

    Parameters
    ----------
    steps_per_hour : int
        ``grid.steps_per_hour``.
    *arrays : array or None
        Series on the grid; None passes through.

    Returns
    -------
    tuple of array or None
        Every array's first value of each hour (None for a None), or None
        when ``steps_per_hour`` is 1 (nothing to gain) or some array changes
        within an hour (sub-hourly data: compute per step).

    Examples
    --------
    >>> hourly_if_held(2, np.array([1.0, 1.0, 3.0, 3.0]))
    (array([1., 3.]),)
    >>> hourly_if_held(2, np.array([1.0, 2.0, 3.0, 3.0])) is None
    True
    """
    k = int(steps_per_hour)
    if k <= 1:
        return None
    out = []
    for arr in arrays:
        if arr is None:
            out.append(None)
            continue
        blocks = np.asarray(arr).reshape(-1, k)
        first = blocks[:, 0]
        same = blocks == first[:, None]
        if not same.all() and not (same | (np.isnan(blocks) & np.isnan(first[:, None]))).all():
            return None
        out.append(first.copy())
    return tuple(out)
