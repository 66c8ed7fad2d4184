"""Independent variables of a baseline: outdoor temperature, production, custom drivers.

What explains the meter besides the measure? Outdoor temperature comes from
a weather file (a bundled typical year or an EPW, re-stamped on each
calendar year the periods touch) or from a CSV/Parquet column; gaps of up to
six hours are interpolated (CalTRACK 2.0 §2.2.4.1) and a day's mean needs
half of its hours. Production volume and any other driver come from a
column, summed (or averaged) per day. :class:`PeriodData` holds the
observations of one period (days or bills) with their daily temperatures
and drivers, from which degree days at any balance point are formed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from twin.errors import ConfigError
from twin.mv.meters import MeterIssue, _parse_times, floor_local, read_table
from twin.mv.stats import criterion

__all__ = ["PeriodData", "degree_days", "read_driver", "read_temperature"]


def _read_column(
    spec, *, base_dir: Path, label: str, tz: str, field_name: str
) -> tuple[pd.Series, Path]:
    """The ``spec.value`` column of ``spec.file`` on its ``spec.timestamp``
    times (tz-aware, sorted, duplicates dropped), and the file's path."""
    path = Path(spec.file) if Path(spec.file).is_absolute() else base_dir / spec.file
    columns = {spec.timestamp: f"{field_name}.timestamp", spec.value: f"{field_name}.value"}
    frame = read_table(path, label, f"{field_name}.file", columns)
    issues: list[MeterIssue] = []
    times = _parse_times(frame[spec.timestamp], tz, label, f"{field_name}.timestamp", issues)
    values = pd.to_numeric(frame[spec.value], errors="coerce").to_numpy(dtype=float)
    s = pd.Series(values, index=pd.DatetimeIndex(times)).loc[lambda x: x.index.notna()]
    return s[~s.index.duplicated()].sort_index(), path


def read_temperature(
    spec,
    *,
    base_dir: Path,
    label: str,
    tz: str,
    years: list[int],
    field_name: str = "mv.temperature",
) -> tuple[pd.Series, str]:
    """Hourly outdoor dry-bulb temperature [°C] on a tz-aware index.

    Parameters
    ----------
    spec : TemperatureSpec
        ``weather`` (bundled site or EPW path) or ``file`` with columns.
    years : list of int
        Calendar years a typical-year file is re-stamped onto.

    Returns
    -------
    (pandas.Series, str)
        Temperature and a description of its source (for provenance).
    """
    if spec.weather is not None:
        from twin import weather as wx

        target = spec.weather
        if Path(target).suffix.lower() in (".epw", ".gz", ".csv"):
            p = Path(target)
            target = str(p if p.is_absolute() else base_dir / p)
        parts = []
        try:
            w = wx.load_weather(target, year=years[0])
            for year in years:
                frame = w.frame if w.frame.index[0].year == year else wx.to_year(w.frame, year)
                parts.append(frame["temp_air_c"])
        except wx.WeatherError as exc:
            msg = f"{label}: {field_name}.weather: {exc}"
            raise ConfigError(msg) from None
        temp = pd.concat(parts).tz_convert(tz)
        return temp[
            ~temp.index.duplicated()
        ].sort_index(), f"weather {w.source_path} ({w.sha256[:12]})"
    values, path = _read_column(spec, base_dir=base_dir, label=label, tz=tz, field_name=field_name)
    s = (values - 32.0) * 5.0 / 9.0 if spec.unit == "degF" else values
    if s.notna().sum() == 0:
        msg = f"{label}: {field_name}.value: column {spec.value!r} of {path.name} has no numbers"
        raise ConfigError(msg)
    hourly = s.resample("h").mean()
    limit = int(criterion("temp_max_interp_h", "hourly").value)
    hourly = hourly.interpolate(limit=limit, limit_area="inside")
    return hourly, f"file {path}"


def daily_mean(hourly: pd.Series) -> pd.Series:
    """Mean of each local day, NaN when fewer than half of its hours exist
    (CalTRACK 2.0 §2.2.2.3)."""
    days = floor_local(hourly.index, "D")
    grouped = hourly.groupby(days)
    mean = grouped.mean()
    share = grouped.count() / 24.0
    return mean.where(share >= 1.0 - criterion("day_max_missing_frac", "daily").value)


def read_driver(
    spec, *, base_dir: Path, label: str, tz: str, field_name: str, freq: str = "D"
) -> pd.Series:
    """A driver column summed (``aggregate = "sum"``) or averaged per local
    day (``freq="D"``) or hour (``"h"``).

    Returns
    -------
    pandas.Series
        Values on a tz-aware index of local period starts.
    """
    s, _ = _read_column(spec, base_dir=base_dir, label=label, tz=tz, field_name=field_name)
    grouped = s.groupby(floor_local(s.index, freq))
    return grouped.sum(min_count=1) if spec.aggregate == "sum" else grouped.mean()


def degree_days(temp_c: np.ndarray, base_c: float, kind: str) -> np.ndarray:
    """Degree days per day of daily mean temperatures [K·d/d].

    ``kind="heating"``: :math:`\\max(T_b - T, 0)`; ``"cooling"``:
    :math:`\\max(T - T_b, 0)` (ASHRAE Handbook Fundamentals, ch. 14, the
    mean-temperature method used by change-point models).
    """
    t = np.asarray(temp_c, float)
    return np.maximum(base_c - t, 0.0) if kind == "heating" else np.maximum(t - base_c, 0.0)


@dataclass
class PeriodData:
    """Observations of one period: days (daily data) or bills (monthly data).

    Attributes
    ----------
    start, end : pandas.DatetimeIndex
        Observation starts and (exclusive) ends, local midnights.
    energy_kwh : array
        Metered energy per observation [kWh] (NaN for a prediction-only set).
    days : array
        Days per observation [d].
    day_index : pandas.DatetimeIndex
        The distinct days the observations cover.
    temp_c : array
        Daily mean outdoor temperature on ``day_index`` [°C].
    drivers : dict of str to array
        Daily driver values on ``day_index`` (per day).
    averaging : scipy.sparse.csr_matrix
        (observations x days) matrix whose rows average over each
        observation's days: a per-day quantity of an observation is
        ``averaging @ daily``.
    temp_hourly_c : array or None
        (days x 25) hourly temperatures of each day, NaN-padded (23 or 25
        hours at a DST change) [°C]; given, degree days are the mean of the
        day's degree-hours instead of taken from the daily mean.
    """

    start: pd.DatetimeIndex
    end: pd.DatetimeIndex
    energy_kwh: np.ndarray
    days: np.ndarray
    day_index: pd.DatetimeIndex
    temp_c: np.ndarray
    drivers: dict[str, np.ndarray]
    averaging: sparse.csr_matrix
    temp_hourly_c: np.ndarray | None = None

    def degree_days(self, base_c: float, kind: str) -> np.ndarray:
        """Daily heating or cooling degree days on ``day_index`` [K·d/d]:
        from the day's mean temperature, or the mean of its degree-hours
        when hourly temperatures were given."""
        if self.temp_hourly_c is None:
            return degree_days(self.temp_c, base_c, kind)
        return np.nanmean(degree_days(self.temp_hourly_c, base_c, kind), axis=1)

    @property
    def n(self) -> int:
        return int(self.energy_kwh.size)

    def per_day(self, daily: np.ndarray) -> np.ndarray:
        """Mean over each observation's days of a daily series."""
        return np.asarray(self.averaging @ daily).ravel()

    def temp_mean_c(self) -> np.ndarray:
        return self.per_day(self.temp_c)

    @classmethod
    def build(
        cls,
        start: pd.DatetimeIndex,
        end: pd.DatetimeIndex,
        energy_kwh: np.ndarray,
        temp_daily: pd.Series,
        drivers_daily: dict[str, pd.Series],
        issues: list[MeterIssue] | None = None,
        what: str = "observation",
        temp_hourly: pd.Series | None = None,
    ) -> PeriodData:
        """Observations with their days; those with a day lacking temperature
        or a driver value are dropped (and reported in ``issues``)."""
        start, end = pd.DatetimeIndex(start), pd.DatetimeIndex(end)
        n_days = np.rint(((end - start) / pd.Timedelta(days=1)).to_numpy(dtype=float)).astype(int)
        table = pd.DataFrame({"temp_c": temp_daily})
        for name, s in drivers_daily.items():
            table[name] = s
        complete = table.dropna()
        # local calendar days as integers (days since 1970-01-01 on the wall clock)
        epoch = np.datetime64("1970-01-01", "D")

        def ordinal(index: pd.DatetimeIndex) -> np.ndarray:
            local = index.tz_localize(None) if index.tz is not None else index
            return (local.to_numpy().astype("datetime64[D]") - epoch).astype(np.int64)

        first = ordinal(start)
        k = np.maximum(n_days, 0)
        obs_of_day = np.repeat(np.arange(len(start)), k)
        day_ord = np.repeat(first, k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
        have = np.isin(day_ord, ordinal(pd.DatetimeIndex(complete.index)))
        bad = np.bincount(obs_of_day[~have], minlength=len(start)) > 0
        keep = (n_days > 0) & ~bad
        if issues is not None and (~keep).any():
            issues.append(
                MeterIssue(
                    "missing_driver",
                    int((~keep).sum()),
                    f"{int((~keep).sum())} {what}(s) without temperature or driver data "
                    "for every day; dropped",
                )
            )
        sel = keep[obs_of_day]
        uniq, col = np.unique(day_ord[sel], return_inverse=True)
        row = np.cumsum(keep) - 1
        rows = row[obs_of_day[sel]]
        vals = 1.0 / n_days[obs_of_day[sel]]
        avg = sparse.csr_matrix((vals, (rows, col)), shape=(int(keep.sum()), len(uniq)))
        tz = start.tz
        day_index = pd.DatetimeIndex((epoch + uniq).astype("datetime64[ns]"))
        day_index = day_index.tz_localize(tz) if tz is not None else day_index
        sub = complete.reindex(day_index)
        hourly = None
        if temp_hourly is not None:
            day = floor_local(temp_hourly.index, "D")
            pos_in_day = temp_hourly.groupby(day).cumcount().to_numpy()
            row = pd.Series(np.arange(len(day_index)), index=day_index).reindex(day).to_numpy()
            ok = ~np.isnan(row) & (pos_in_day < 25)
            hourly = np.full((len(day_index), 25), np.nan)
            hourly[row[ok].astype(int), pos_in_day[ok]] = temp_hourly.to_numpy(dtype=float)[ok]
        return cls(
            start=start[keep],
            end=end[keep],
            energy_kwh=np.asarray(energy_kwh, float)[keep],
            days=n_days[keep].astype(float),
            day_index=day_index,
            temp_c=sub["temp_c"].to_numpy(dtype=float),
            drivers={name: sub[name].to_numpy(dtype=float) for name in drivers_daily},
            averaging=avg,
            temp_hourly_c=hourly,
        )
