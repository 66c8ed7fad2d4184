"""Meter data in: interval series and monthly bills, converted to kWh and checked.

What did the meter record, on which clock, and what is wrong with it? A CSV
or Parquet file with a timestamp column and a value column (and, for bills,
an end column) is read; units are converted to kWh at the edge; naive local
times are localised in the case's time zone (ambiguous and non-existent DST
times are reported, not guessed); duplicates, negative values and spikes
are found, reported and removed, and gaps are reported. Nothing is filled
here: the only fill rule is the CalTRACK 2.0 one applied when interval data
are summed to days or hours (:func:`to_periods`).

References
----------
CalTRACK 2.0 methods (openeemeter/caltrack ``docs/methods.rst``), sections
2.2.1 (data sufficiency), 2.2.2.1 (summing interval data to days) and
2.2.3.4-5 (off-cycle and over-long bills).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.config.loader import is_readable_file
from twin.errors import ConfigError
from twin.mv.stats import criterion

__all__ = [
    "KWH_PER_UNIT",
    "MeterData",
    "MeterIssue",
    "gas_lhv_kwh_per_m3",
    "read_meter",
    "read_table",
    "floor_local",
    "shift_local",
    "to_periods",
]

KWH_PER_UNIT = {
    "kwh": 1.0,
    "mwh": 1000.0,
    "gj": 1e6 / 3600.0,
    "mj": 1e3 / 3600.0,
    "therm": 105.5056e3 / 3600.0,
}
"""Energy units accepted by the meter reader and their size [kWh] (Nm³ of
natural gas is converted with its lower heating value; 1 therm = 105.5056 MJ,
the US therm of 100,000 Btu)."""


def gas_lhv_kwh_per_m3() -> float:
    """Net calorific value of natural gas [kWh/Nm³]: 389.31 GJ per 10⁴ Nm³
    (GB/T 2589, the project's Chinese fuel table) = 10.81 kWh/Nm³."""
    from twin.factors.fuels import fuel_factor

    ncv = fuel_factor("natural_gas", "cn").ncv_gj_per_unit
    return float(ncv) * 1e6 / 3600.0


@dataclass(frozen=True)
class MeterIssue:
    """Something found in the meter file: what, how many, where, and what was done."""

    kind: str
    count: int
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "count": self.count, "message": self.message}


@dataclass
class MeterData:
    """A meter file read and checked.

    Attributes
    ----------
    kind : str
        ``interval`` (15 min, hourly or daily readings) or ``bills``.
    energy_kwh : pandas.Series
        Interval data: energy per interval [kWh] on a tz-aware index of
        interval starts; removed values are NaN. Empty for bills.
    step : pandas.Timedelta or None
        Interval length (None for bills).
    bills : pandas.DataFrame
        Bills: ``start``, ``end`` (exclusive, tz-aware local midnight) and
        ``energy_kwh``. Empty for interval data.
    issues : list of MeterIssue
    source : str
        File path as given.
    sha256 : str
        Hash of the file's bytes.
    unit : str
        Unit of the file's values.
    """

    kind: str
    energy_kwh: pd.Series
    step: pd.Timedelta | None
    bills: pd.DataFrame
    source: str
    sha256: str
    unit: str
    issues: list[MeterIssue] = field(default_factory=list)

    @property
    def interval_name(self) -> str:
        if self.kind == "bills" or self.step is None:
            return "monthly"
        minutes = self.step / pd.Timedelta(minutes=1)
        return {15.0: "15min", 60.0: "hourly", 1440.0: "daily"}.get(minutes, f"{minutes:g}min")


def read_table(path: Path, label: str, field_name: str, columns: dict[str, str]) -> pd.DataFrame:
    """Read a CSV or Parquet file and check it has ``columns`` (column name ->
    the case field that names it, for the message).

    Raises
    ------
    ConfigError
        Missing file, unknown format, unreadable content or a missing column;
        the message names the case file, the field and the columns found.
    """
    if not is_readable_file(path):
        msg = f"{label}: {field_name}: file {path} not found (paths are relative to the case file)"
        raise ConfigError(msg)
    suffix = (
        "".join(path.suffixes[-2:]).lower() if path.suffix.lower() == ".gz" else path.suffix.lower()
    )
    try:
        if suffix in (".csv", ".csv.gz", ".txt"):
            frame = pd.read_csv(path)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            msg = f"{label}: {field_name}: expected a .csv or .parquet file, got {path.name}"
            raise ConfigError(msg)
    except (ValueError, OSError) as exc:
        if isinstance(exc, ConfigError):
            raise
        msg = f"{label}: {field_name}: cannot read {path.name}: {exc}"
        raise ConfigError(msg) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = (
            f"{label}: {columns[missing[0]]}: column {missing[0]!r} not in {path.name}; columns there: "
            f"{', '.join(map(str, frame.columns))} (set the column name in the case file)"
        )
        raise ConfigError(msg)
    return frame


_EARLIEST = pd.Timestamp("1900-01-01")
_LATEST = pd.Timestamp("2200-01-01")
"""Range of meter timestamps read as dates; others are unreadable rows."""


def _parse_times(
    raw: pd.Series, tz: str, label: str, field_name: str, issues: list[MeterIssue]
) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):  # Parquet: already date-times
        return raw.dt.tz_convert(tz) if raw.dt.tz is not None else _localise(raw, tz, issues)
    text = raw.astype("string")
    parsed = None
    for kwargs in (
        {"format": "ISO8601"},
        {"format": "ISO8601", "utc": True},
        {"format": "mixed"},
        {"format": "mixed", "utc": True},
    ):
        try:  # ISO 8601 first (fast); mixed UTC offsets (a DST zone) are read as UTC
            parsed = pd.to_datetime(text, errors="coerce", **kwargs)
        except (ValueError, TypeError):
            continue
        if parsed.notna().sum() > 0 and parsed.dtype != object:
            break
    if parsed is not None:
        # a number read as a date lands centuries away: only years of meter data count
        naive = parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed
        parsed = parsed.where((naive >= _EARLIEST) & (naive < _LATEST))
    bad = int(parsed.isna().sum() - raw.isna().sum()) if parsed is not None else len(raw)
    if parsed is None or parsed.notna().sum() == 0:
        first = repr(raw.iloc[0]) if len(raw) else "none: the file has no rows"
        msg = (
            f"{label}: {field_name}: no value of column {raw.name!r} reads as a date-time "
            f"from {_EARLIEST.year} to {_LATEST.year - 1} (first value {first}; use ISO 8601, "
            "e.g. 2024-01-01 00:00)"
        )
        raise ConfigError(msg)
    if bad > 0:
        issues.append(
            MeterIssue(
                "unreadable_timestamp", bad, f"{bad} timestamp(s) not readable; rows dropped"
            )
        )
    if parsed.dt.tz is None:
        return _localise(parsed, tz, issues)
    return parsed.dt.tz_convert(tz)


def _localise(parsed: pd.Series, tz: str, issues: list[MeterIssue]) -> pd.Series:
    """Naive local times in ``tz``; ambiguous and non-existent DST times become
    NaT and are reported."""
    local = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    dst = int(local.isna().sum() - parsed.isna().sum())
    if dst > 0:
        issues.append(
            MeterIssue(
                "dst_ambiguous_time",
                dst,
                f"{dst} local time(s) ambiguous or non-existent at a DST change in {tz}; rows dropped "
                "(give timestamps with a UTC offset to keep them)",
            )
        )
    return local


def _to_kwh(values: pd.Series, unit: str, lhv_kwh_per_m3: float | None) -> pd.Series:
    key = unit.lower().replace("³", "3")
    if key in ("nm3", "m3"):
        lhv = lhv_kwh_per_m3 if lhv_kwh_per_m3 is not None else gas_lhv_kwh_per_m3()
        return values * lhv
    return values * KWH_PER_UNIT[key]


def read_meter(spec, *, base_dir: Path, label: str, field_name: str = "mv.meter") -> MeterData:
    """Read and check a meter file described by a :class:`twin.mv.case.MeterSpec`.

    Parameters
    ----------
    spec : MeterSpec
        File, columns, unit, time zone, timestamp label and spike threshold.
    base_dir : Path
        Folder the file path is relative to (the case file's).
    label : str
        Case file name for messages.

    Returns
    -------
    MeterData

    Raises
    ------
    ConfigError
        File or column problems, no readable values, or a single reading.
    """
    path = Path(spec.file) if Path(spec.file).is_absolute() else base_dir / spec.file
    cols = {spec.timestamp: f"{field_name}.timestamp", spec.value: f"{field_name}.value"}
    if spec.end:
        cols[spec.end] = f"{field_name}.end"
    frame = read_table(path, label, f"{field_name}.file", cols)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    issues: list[MeterIssue] = []
    start = _parse_times(
        frame[spec.timestamp], spec.timezone, label, f"{field_name}.timestamp", issues
    )
    values = pd.to_numeric(frame[spec.value], errors="coerce")
    nonnum = int(values.isna().sum() - frame[spec.value].isna().sum())
    if nonnum:
        issues.append(
            MeterIssue("non_numeric", nonnum, f"{nonnum} value(s) not numbers; set missing")
        )
    missing_vals = int(frame[spec.value].isna().sum())
    if missing_vals:
        issues.append(MeterIssue("missing_value", missing_vals, f"{missing_vals} empty value(s)"))
    kwh = _to_kwh(values.astype(float), spec.unit, spec.lhv_kwh_per_m3)
    neg = kwh < 0
    if neg.any():
        first = start[neg].iloc[0]
        issues.append(
            MeterIssue(
                "negative",
                int(neg.sum()),
                f"{int(neg.sum())} negative value(s) (first at {first}); set missing",
            )
        )
        kwh = kwh.where(~neg)
    if spec.end:
        end = _parse_times(frame[spec.end], spec.timezone, label, f"{field_name}.end", issues)
        return _bills(start, end, kwh, spec, path, sha, issues, label, field_name)
    ok = start.notna()
    series = pd.Series(kwh[ok].to_numpy(), index=pd.DatetimeIndex(start[ok]), name="energy_kwh")
    series = series.sort_index()
    if len(series) < 2:
        msg = f"{label}: {field_name}.file: {path.name} has {len(series)} readable row(s); need a series"
        raise ConfigError(msg)
    dup = series.index.duplicated(keep="first")
    if dup.any():
        differ = int((series.groupby(level=0).nunique() > 1).sum())
        issues.append(
            MeterIssue(
                "duplicate",
                int(dup.sum()),
                f"{int(dup.sum())} duplicated timestamp(s) ({differ} with different values); "
                "first kept",
            )
        )
        series = series[~dup]
    step = pd.Series(series.index[1:] - series.index[:-1]).median()
    if step >= pd.Timedelta(days=27):
        # monthly readings given by their start dates: each runs to the next
        ends = pd.Series(series.index[1:], index=series.index[:-1])
        issues.append(
            MeterIssue(
                "last_reading_open",
                1,
                "monthly readings without an end column: each bill ends at the next one's "
                "start; the last has no end and is dropped",
            )
        )
        return _bills(
            pd.Series(series.index[:-1]),
            pd.Series(ends.to_numpy()),
            pd.Series(series.to_numpy()[:-1]),
            spec,
            path,
            sha,
            issues,
            label,
            field_name,
        )
    if spec.timestamp_label == "end":
        series.index = shift_local(series.index, -step)
    # daily readings step by calendar days (23 or 25 h across a DST change)
    freq = "D" if step == pd.Timedelta(days=1) else step
    regular = pd.date_range(series.index[0], series.index[-1], freq=freq)
    off_grid = ~series.index.isin(regular)
    if off_grid.any():
        issues.append(
            MeterIssue(
                "off_grid",
                int(off_grid.sum()),
                f"{int(off_grid.sum())} reading(s) not on the {step} grid; dropped",
            )
        )
        series = series[~off_grid]
    gaps = pd.Series(~regular.isin(series.index), index=regular)
    series = series.reindex(regular)
    if gaps.any():
        runs = (gaps != gaps.shift()).cumsum()[gaps]
        longest = int(runs.value_counts().max())
        issues.append(
            MeterIssue(
                "gap",
                int(gaps.sum()),
                f"{int(gaps.sum())} missing interval(s) of {step} (longest run {longest}); "
                "not filled",
            )
        )
    _flag_spikes(series, step, spec.spike_z, spec.spikes == "remove", issues)
    return MeterData(
        "interval",
        series,
        step,
        pd.DataFrame(columns=["start", "end", "energy_kwh"]),
        str(path),
        sha,
        spec.unit,
        issues,
    )


def floor_local(index: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """Start of the local day (``"D"``) or hour (``"h"``) of each time; hours
    are floored in UTC so repeated hours at a DST change stay distinct."""
    if freq == "h" and index.tz is not None:
        return index.tz_convert("UTC").floor("h").tz_convert(index.tz)
    return index.floor(freq, ambiguous=False, nonexistent="shift_forward")


def shift_local(index: pd.DatetimeIndex, delta: pd.Timedelta) -> pd.DatetimeIndex:
    """Shift by whole days on the local calendar (a day is 23 or 25 h at a DST
    change), by absolute time otherwise."""
    if delta % pd.Timedelta(days=1) == pd.Timedelta(0) and index.tz is not None:
        return (index.tz_localize(None) + delta).tz_localize(
            index.tz, ambiguous="NaT", nonexistent="shift_forward"
        )
    return index + delta


def _flag_spikes(
    series: pd.Series, step: pd.Timedelta, z_max: float, remove: bool, issues: list[MeterIssue]
) -> None:
    """Report upward spikes, and with ``remove`` set them to NaN in place:
    values more than ``z_max`` robust standard deviations (1.4826 x MAD)
    above the median of the same slot of the week (hour of week for
    sub-daily data, day of week for daily)."""
    if z_max <= 0 or series.notna().sum() < 50:
        return
    idx = series.index
    slot = idx.day_of_week * 24 + idx.hour if step < pd.Timedelta(days=1) else idx.day_of_week
    slot = np.asarray(slot)
    med = series.groupby(slot).transform("median")
    mad = (series - med).abs().groupby(slot).transform("median")
    scale = 1.4826 * mad.where(mad > 0, series.abs().median() * 0.01 + 1e-12)
    z = (series - med) / scale
    spikes = z > z_max
    if spikes.any():
        where = ", ".join(str(t) for t in series.index[spikes][:3])
        issues.append(
            MeterIssue(
                "spike",
                int(spikes.sum()),
                f"{int(spikes.sum())} spike(s) above {z_max:g} robust standard deviations "
                f"of their slot of the week (e.g. {where}); "
                + ("set missing" if remove else 'kept (spikes = "remove" drops them)'),
            )
        )
        if remove:
            series[spikes] = np.nan


def _bills(start, end, kwh, spec, path, sha, issues, label, field_name) -> MeterData:
    frame = pd.DataFrame(
        {"start": start.to_numpy(), "end": end.to_numpy(), "energy_kwh": kwh.to_numpy()}
    )
    frame = frame.dropna(subset=["start", "end"]).sort_values("start").reset_index(drop=True)
    frame["start"] = pd.DatetimeIndex(frame["start"]).normalize()
    frame["end"] = pd.DatetimeIndex(frame["end"]).normalize()
    bad = frame["end"] <= frame["start"]
    if bad.any():
        msg = (
            f"{label}: {field_name}.end: bill ending {frame['end'][bad].iloc[0].date()} does not end "
            f"after its start {frame['start'][bad].iloc[0].date()}"
        )
        raise ConfigError(msg)
    overlap = frame["start"].iloc[1:].to_numpy() < frame["end"].iloc[:-1].to_numpy()
    if overlap.any():
        i = int(np.argmax(overlap))
        msg = (
            f"{label}: {field_name}: bills overlap ({frame['start'][i].date()}-{frame['end'][i].date()} and "
            f"{frame['start'][i + 1].date()}-{frame['end'][i + 1].date()}); each day belongs to one bill"
        )
        raise ConfigError(msg)
    days = (frame["end"] - frame["start"]) / pd.Timedelta(days=1)
    lo, hi = (
        criterion("bill_min_days", "monthly").value,
        criterion("bill_max_days", "monthly").value,
    )
    odd = (days < lo) | (days > hi)
    if odd.any():
        issues.append(
            MeterIssue(
                "bill_length",
                int(odd.sum()),
                f"{int(odd.sum())} bill(s) shorter than {lo:g} or longer than {hi:g} days "
                "(CalTRACK 2.2.3.4-5); dropped",
            )
        )
        frame = frame[~odd].reset_index(drop=True)
    if frame["energy_kwh"].isna().any():
        frame = frame.dropna(subset=["energy_kwh"]).reset_index(drop=True)
    return MeterData(
        "bills",
        pd.Series(dtype=float, name="energy_kwh"),
        None,
        frame,
        str(path),
        sha,
        spec.unit,
        issues,
    )


def to_periods(meter: MeterData, freq: str, issues: list[MeterIssue]) -> pd.DataFrame:
    """Interval data summed to days (``freq="D"``) or hours (``"h"``).

    A period counts when no more than half of its intervals are missing
    (CalTRACK 2.0 §2.2.2.1); its missing intervals then take the mean of the
    present ones, so the sum is the present mean x the intervals per period.
    Periods with more missing are dropped and reported.

    Returns
    -------
    pandas.DataFrame
        Index: period starts (tz-aware); columns ``energy_kwh`` and
        ``filled_frac`` (share of the period's intervals filled).
    """
    step = meter.step
    per = pd.Timedelta(days=1) if freq == "D" else pd.Timedelta(hours=1)
    if step is None or step > per:
        msg = f"cannot sum {meter.interval_name} readings to {'days' if freq == 'D' else 'hours'}"
        raise ConfigError(msg)
    s = meter.energy_kwh
    expected = int(round(per / step))
    keys = floor_local(s.index, freq)
    grouped = s.groupby(keys)
    present = grouped.count()
    total = grouped.size()
    mean = grouped.mean()
    # slots on the regular grid in each period: 23 or 25 hours on a DST day;
    # fewer at the file's ends, where the period is partial and dropped
    frac_missing = 1.0 - present / total
    limit = criterion("day_max_missing_frac", "daily").value
    keep = (frac_missing <= limit) & (total >= expected - int(round(pd.Timedelta(hours=1) / step)))
    dropped = int((~keep).sum())
    if dropped:
        issues.append(
            MeterIssue(
                "incomplete_period",
                dropped,
                f"{dropped} {'day' if freq == 'D' else 'hour'}(s) with more than "
                f"{limit:.0%} of readings missing (or partial at the file's ends); dropped",
            )
        )
    filled = int(((frac_missing > 0) & keep).sum())
    if filled:
        issues.append(
            MeterIssue(
                "filled_period",
                filled,
                f"{filled} {'day' if freq == 'D' else 'hour'}(s) with some readings missing "
                "summed as present mean x intervals (CalTRACK 2.2.2.1)",
            )
        )
    out = pd.DataFrame({"energy_kwh": (mean * total)[keep], "filled_frac": frac_missing[keep]})
    out.index.name = "start"
    return out
