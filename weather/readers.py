"""Read typical-year weather files into checked canonical frames.

Thin wrappers over :func:`pvlib.iotools.read_epw` and
:func:`pvlib.iotools.read_tmy3`: pvlib parses, this module maps columns to
canonical names and SI units (:mod:`weather.variables`), turns missing-value
codes into NaN, re-labels rows to interval starts in one nominal year, fills
short gaps by the documented policy (:mod:`weather.gaps`), runs the checks
(:mod:`weather.checks`) and measures the irradiance timing offset
(:mod:`weather.timing`). ``.gz`` files are decompressed in memory.

Label rules (verified against pvlib 0.16):

- EPW: hour *h* (1..24) covers clock hour (*h*−1, *h*] of local standard
  time. ``read_epw`` stamps it at *h*−1, the interval start, which is this
  package's rule: shift applied 0 min. This is checked on every read.
- TMY3 CSV: ``HH:MM`` is the end of the hour; ``read_tmy3`` stamps it at
  the end (24:00 becomes 00:00 of the next day): shift applied −60 min.

Non-irradiance fields (temperature, humidity, wind, pressure) are spot
values "at the time indicated" in both formats; they stay on their row and
are not shifted or averaged.
"""

from __future__ import annotations

import calendar
import datetime
import gzip
import hashlib
import io
import logging
import math
import warnings
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from pvlib import iotools

from .checks import (
    LOCATION_RANGES,
    check_irradiance,
    check_location,
    check_missing,
    check_ranges,
    check_timestamps,
    check_units,
    raise_for_errors,
)
from .core import Location, Weather, WeatherError, WeatherIssue, format_message
from .gaps import fill_gaps
from .restamp import to_year
from .timing import MIN_CLEAR_DAYS, measure_timing_offset_min, shift_irradiance
from .variables import (
    CANONICAL_COLUMNS,
    EPW_MISSING_CODES,
    EPW_UNIT_FACTORS,
    EPW_VARIABLE_MAP,
    TMY3_MISSING_CODE,
    TMY3_UNIT_FACTORS,
    TMY3_VARIABLE_MAP,
)

__all__ = [
    "DEFAULT_YEAR",
    "EPW_LABEL_RULE",
    "TIMING_CORRECTION_MAX_MIN",
    "TIMING_REFUSAL_MIN",
    "TIMING_WARNING_MIN",
    "TMY3_LABEL_RULE",
    "read_epw",
    "read_tmy3",
]

logger = logging.getLogger(__name__)

#: Nominal calendar year onto which typical years are stamped.
DEFAULT_YEAR = 2025

#: |timing offset| above which a warning issue suggests ``correct_timing`` [min].
TIMING_WARNING_MIN = 20.0

#: |timing offset| above which every reader refuses a file unless the user
#: accepts the offset by name (``accept_timing_offset``) or asks for the
#: correction [min] (issue "No input crashes the twin": data shifted by hours
#: must not be silently "corrected"). Half-hour labelling conventions (a
#: value centred on its end label, +30 min in most Chinese files) stay below
#: it; the four bundled CSWD files about an hour late are accepted with the
#: reason stated in ``weather/data/sites.csv`` (``timing_acceptance``).
TIMING_REFUSAL_MIN = 45.0

#: Largest |timing offset| ``correct_timing`` shifts [min]. A labelling
#: convention moves data by at most one interval (start, centre or end of an
#: hour: ±60 min), plus the ±15 min of a station's longitude within its
#: reference meridian; more is a wrong time zone, date or hour column, which a
#: shift would only hide (an 810-min "correction" of a −5 h header).
TIMING_CORRECTION_MAX_MIN = 90.0

EPW_LABEL_RULE = (
    "EPW hour h (1..24) covers clock hour (h-1, h] in local standard time; "
    "pvlib.iotools.read_epw stamps it at h-1 = interval start; shift applied: 0 min; "
    "irradiance = mean over the interval, other fields = spot values at h kept on the row"
)
TMY3_LABEL_RULE = (
    "TMY3 time HH:MM is the end of the hour it covers; pvlib.iotools.read_tmy3 stamps the "
    "interval end; shift applied: -60 min to interval start; irradiance = mean over the "
    "interval, other fields = spot values at HH:MM kept on the row"
)

#: Header data-type token -> data kind ("ECMWF/ERA" is what PVGIS writes in its EPW export).
_DATA_KINDS = {"CSWD": "CSWD", "TMYX": "TMYx", "TMY3": "TMY3", "ECMWF/ERA": "PVGIS TMY"}


def _read_text(path: str | Path) -> tuple[str, str, str]:
    """Return (text, sha256 of the uncompressed bytes, display path)."""
    p = Path(path)
    shown = str(p)
    if not p.is_file():
        msg = format_message(
            shown,
            "path",
            "an existing weather file",
            "no such file",
            "check the path, or pass a bundled site id (weather.list_sites())",
        )
        raise WeatherError(msg)
    raw = p.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            msg = format_message(
                shown,
                "gzip stream",
                "a complete gzip file",
                f"a corrupt stream ({exc})",
                "re-create it with `gzip -9 -n file.epw`",
            )
            raise WeatherError(msg) from exc
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Older EPW/TMY3 files carry Latin-1 station names.
        text = raw.decode("latin-1")
    return text, digest, shown


def _to_canonical(
    data: pd.DataFrame,
    variable_map: Mapping[str, str],
    factors: Mapping[str, float],
    is_missing: Callable[[str, np.ndarray], np.ndarray],
    source: str,
) -> tuple[pd.DataFrame, list[WeatherIssue]]:
    """Rename, replace missing codes by NaN, convert units; float64 columns."""
    issues: list[WeatherIssue] = []
    columns: dict[str, np.ndarray] = {}
    for src_col, col in variable_map.items():
        if src_col not in data.columns:
            values = np.full(len(data), np.nan)
            coded = np.zeros(len(data), dtype=bool)
        else:
            values = pd.to_numeric(data[src_col], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
            coded = is_missing(col, values)
        n_coded = int(coded.sum())
        with np.errstate(over="ignore"):  # 1e308 in a scaled column: inf, refused by the checks
            values = np.where(coded, np.nan, values) * factors.get(col, 1.0)
        columns[col] = values
        if n_coded == 0:
            continue
        if col == "albedo_frac":
            continue  # reported once by check_missing as "albedo_missing" (info)
        msg = (
            f"{source}: {col}: {n_coded} value(s) carry the source's missing-value code; "
            "set to NaN and filled where the gap-fill policy allows"
        )
        issues.append(WeatherIssue("missing_in_file", "warning", msg, n_coded, col))
    frame = pd.DataFrame(columns, index=data.index)
    return frame[list(CANONICAL_COLUMNS)], issues


def _require_time_zone(location: Location, source: str) -> None:
    """Refuse a header whose UTC offset cannot stamp the rows (with every other
    header problem): nothing can be checked on a time base that does not exist."""
    lo, hi = LOCATION_RANGES["tz_offset_h"]
    if not (np.isfinite(location.tz_offset_h) and lo <= location.tz_offset_h <= hi):
        raise_for_errors(check_location(location, source=source))


def require_site(location: Location, source: str) -> Location:
    """Refuse a location outside the physical ranges before any solar geometry
    is computed from it (every header problem is listed); return it."""
    out_of_range = [
        i for i in check_location(location, source=source) if i.code == "location_out_of_range"
    ]
    raise_for_errors(out_of_range)
    return location


def _restamp(
    frame: pd.DataFrame,
    src_year: np.ndarray,
    month: np.ndarray,
    day: np.ndarray,
    hour: np.ndarray,
    minute: np.ndarray,
    tz_offset_h: float,
    year: int,
    source: str,
) -> tuple[pd.DataFrame, tuple[tuple[int, int], ...], list[WeatherIssue]]:
    """Stamp rows at interval start in nominal ``year``; record source years."""
    issues: list[WeatherIssue] = []
    feb29 = (month == 2) & (day == 29)
    if feb29.any() and not calendar.isleap(year):
        keep = ~feb29
        msg = (
            f"{source}: rows: dropped {int(feb29.sum())} row(s) of 29 February because the "
            f"nominal year {year} has none; pass a leap year (e.g. year=2024) to keep them"
        )
        issues.append(WeatherIssue("leap_day_dropped", "warning", msg, int(feb29.sum())))
        frame = frame.iloc[keep]
        src_year, month, day, hour, minute = (a[keep] for a in (src_year, month, day, hour, minute))
    insert_leap_day = calendar.isleap(year) and not feb29.any()
    # Stamp a non-leap placeholder year first when 29 Feb must be inserted.
    stamp_year = year - 1 if insert_leap_day else year
    tz = datetime.timezone(datetime.timedelta(hours=tz_offset_h))
    stamps = pd.to_datetime(
        pd.DataFrame(
            {"year": stamp_year, "month": month, "day": day, "hour": hour, "minute": minute}
        ),
        errors="coerce",
    )
    if stamps.isna().any():
        bad = int(stamps.isna().sum())
        msg = format_message(
            source,
            "month/day/hour",
            "valid calendar dates and hours 1..24",
            f"{bad} invalid row(s)",
            "repair the date columns of the file",
        )
        raise WeatherError(msg)
    out = frame.set_axis(pd.DatetimeIndex(stamps).tz_localize(tz), axis=0)
    if insert_leap_day:
        out = to_year(out, year)
        msg = (
            f"{source}: rows: inserted 29 February as a copy of 28 February for the leap "
            f"nominal year {year}"
        )
        issues.append(WeatherIssue("leap_day_inserted", "info", msg, 24))
    else:
        regular = pd.date_range(out.index[0], periods=len(out), freq="h")
        if out.index.equals(regular):
            out = out.set_axis(regular, axis=0)
    years = pd.Series(src_year).groupby(month).agg(lambda s: int(s.mode().iloc[0]))
    source_years = tuple((int(m), int(y)) for m, y in years.items())
    return out, source_years, issues


def _data_kind(data_type: str) -> str:
    key = data_type.strip().upper()
    for token, kind in _DATA_KINDS.items():
        if token in key:
            return kind
    return data_type.strip() or "unknown"


def _timing_slack_h(offset_min: float) -> int:
    """Hours either side within which a row's irradiance may belong, given the
    timing offset left in the data [h] (at least 1)."""
    if not np.isfinite(offset_min):
        return 1
    return max(1, math.ceil(abs(offset_min) / 60.0))


def _assemble(
    frame: pd.DataFrame,
    *,
    location: Location,
    source: str,
    sha256: str,
    data_kind: str,
    label_rule: str,
    source_years: tuple[tuple[int, int], ...],
    issues: list[WeatherIssue],
    strict: bool,
    correct_timing: bool,
    accept_timing_offset: bool = False,
    acceptance_reason: str | None = None,
    utc_time_base: bool = False,
) -> Weather:
    """Fill, check, measure timing, optionally correct it; build the Weather.

    Every check runs and every finding is kept (``twin weather check`` lists
    them all); with ``strict`` the errors are raised together at the end.
    Checks that need the site (units, timing, irradiance against the sun)
    are skipped when the header's location is itself an error.

    Timing policy (issue "No input crashes the twin": data shifted by hours
    must never be silently "corrected"):

    - |offset| <= :data:`TIMING_WARNING_MIN`: nothing to say;
    - up to :data:`TIMING_REFUSAL_MIN`: a warning suggesting ``correct_timing``;
    - beyond it: an error, unless the user accepts the offset by name
      (``accept_timing_offset``, or a bundled file's stated
      ``acceptance_reason``; a warning then records it) or asks for the
      correction;
    - ``correct_timing`` shifts at most :data:`TIMING_CORRECTION_MAX_MIN`;
      a larger offset is a wrong time zone or date, not a labelling
      convention, and is an error.
    """
    location_issues = check_location(location, source=source, utc_time_base=utc_time_base)
    located = not location_issues
    issues = list(issues) + location_issues
    if len(frame) == 0:
        msg = format_message(
            source,
            "data rows",
            "8760 or 8784 hourly rows after the header",
            "no data rows",
            "the file is cut short: download or export it again",
        )
        issues.append(WeatherIssue("no_data_rows", "error", msg))
        raise_for_errors(issues)
    frame, fill_issues = fill_gaps(frame, location, source=source) if located else (frame, [])
    issues = issues + fill_issues
    base_issues = (
        check_timestamps(frame, source=source)
        + check_missing(frame, source=source)
        + check_ranges(frame, source=source)
    )
    if located and not any(i.severity == "error" for i in base_issues):
        base_issues += check_units(frame, location, source=source)
    issues += base_issues
    usable = located and not any(i.severity == "error" for i in base_issues)
    raw = frame
    offset_min = measure_timing_offset_min(frame, location) if usable else float("nan")
    correction_min = 0.0
    residual_min = offset_min  # NaN once the offset is refused
    accepted = accept_timing_offset or acceptance_reason is not None
    if not np.isfinite(offset_min):
        if usable:
            msg = (
                f"{source}: ghi_w_per_m2: timing offset not measurable (fewer than "
                f"{MIN_CLEAR_DAYS} clear-ish days); no timing correction possible"
            )
            issues.append(WeatherIssue("timing_not_measurable", "warning", msg, 0, "ghi_w_per_m2"))
    elif correct_timing and abs(offset_min) > TIMING_CORRECTION_MAX_MIN:
        msg = format_message(
            source,
            "ghi_w_per_m2",
            f"a timing offset of at most ±{TIMING_CORRECTION_MAX_MIN:g} min to correct",
            f"GHI centred {offset_min:+.0f} min from solar noon: a wrong time zone, date or "
            "hour column, not a labelling convention",
            "correct the header's time zone or the file's time stamps; correct_timing does not "
            "shift data by hours",
        )
        issues.append(
            WeatherIssue("timing_offset_not_correctable", "error", msg, 0, "ghi_w_per_m2")
        )
        residual_min = float("nan")
    elif correct_timing:
        correction_min = float(round(offset_min))
        frame = shift_irradiance(frame, correction_min)
        msg = (
            f"{source}: ghi_w_per_m2, dni_w_per_m2, dhi_w_per_m2: moved {correction_min:+.0f} min "
            f"earlier to centre GHI on solar noon (measured offset {offset_min:+.1f} min)"
        )
        issues.append(WeatherIssue("timing_corrected", "info", msg, len(frame), "ghi_w_per_m2"))
    elif abs(offset_min) > TIMING_REFUSAL_MIN and accepted:
        why = acceptance_reason or "accepted by `accept_timing_offset = true`"
        msg = (
            f"{source}: ghi_w_per_m2: GHI centred {offset_min:+.0f} min from solar noon, beyond "
            f"±{TIMING_REFUSAL_MIN:g} min; used as it is: {why}; set correct_timing = true to "
            "centre it instead"
        )
        issues.append(WeatherIssue("timing_offset_accepted", "warning", msg, 0, "ghi_w_per_m2"))
    elif abs(offset_min) > TIMING_REFUSAL_MIN:
        msg = format_message(
            source,
            "ghi_w_per_m2",
            f"GHI centred on solar noon within ±{TIMING_REFUSAL_MIN:g} min",
            f"centroid {offset_min:+.0f} min from solar noon: the time stamps, time zone or "
            "labelling (start/centre/end) of the file are likely wrong",
            "check the labelling and time zone; if the offset is real, accept it with "
            "`accept_timing_offset = true` in [weather], or shift it with `correct_timing = true`",
        )
        issues.append(WeatherIssue("timing_offset_refused", "error", msg, 0, "ghi_w_per_m2"))
        residual_min = float("nan")
    elif abs(offset_min) > TIMING_WARNING_MIN:
        msg = format_message(
            source,
            "ghi_w_per_m2",
            f"GHI centred on solar noon within ±{TIMING_WARNING_MIN:g} min",
            f"centroid {offset_min:+.0f} min from solar noon "
            f"({'late' if offset_min > 0 else 'early'})",
            "opt in to the correction with `correct_timing = true` in the config's [weather] "
            "table (load_weather(..., correct_timing=True)), or use another file",
        )
        issues.append(WeatherIssue("timing_offset", "warning", msg, 0, "ghi_w_per_m2"))
    if located:
        # The file's own values are judged (before any correction of ours), with
        # the slack of the timing offset the user accepted or asked to correct;
        # the hour-by-hour warning describes the frame that is used.
        slack = _timing_slack_h(offset_min if np.isfinite(residual_min) else float("nan"))
        found = check_irradiance(raw, location, source=source, timing_slack_h=slack)
        if frame is not raw:
            used = check_irradiance(frame, location, source=source, timing_slack_h=slack)
            found = [i for i in found if i.severity == "error"] + [
                i for i in used if i.severity != "error"
            ]
        issues += found
    if strict:
        raise_for_errors(issues)
    for issue in issues:
        logger.debug("%s [%s] %s", issue.code, issue.severity, issue.message)
    return Weather(
        frame=frame,
        location=location,
        source_path=source,
        sha256=sha256,
        data_kind=data_kind,
        label_rule=label_rule,
        source_years=source_years,
        timing_offset_min=float(offset_min),
        timing_correction_min=correction_min,
        issues=tuple(issues),
    )


#: The eight EPW header records, in order (EnergyPlus Auxiliary Programs,
#: "Weather Converter Program", EPW file format).
EPW_HEADER_RECORDS = (
    "LOCATION",
    "DESIGN CONDITIONS",
    "TYPICAL/EXTREME PERIODS",
    "GROUND TEMPERATURES",
    "HOLIDAYS/DAYLIGHT SAVINGS",
    "COMMENTS 1",
    "COMMENTS 2",
    "DATA PERIODS",
)


def _check_epw_header(text: str, source: str) -> None:
    """Refuse a truncated or reordered EPW header, naming the first bad line."""
    lines = text.splitlines()[: len(EPW_HEADER_RECORDS)]
    for number, record in enumerate(EPW_HEADER_RECORDS, start=1):
        found = lines[number - 1].split(",", 1)[0].strip() if number <= len(lines) else None
        # the first word is the record's name (PVGIS writes "HOLIDAYS/DAYLIGHT SAVING")
        if found is None or found.upper().split(" ")[0] != record.split(" ")[0]:
            shown = "end of file" if found is None else repr(found[:40])
            msg = format_message(
                source,
                f"header line {number}",
                f"the EPW record {record!r} (8 header records: {', '.join(EPW_HEADER_RECORDS)})",
                shown,
                "the header is truncated or edited: download or export the EPW again",
            )
            raise WeatherError(msg)
    fields = lines[0].split(",")
    if len(fields) < 10:
        msg = format_message(
            source,
            "header line 1 (LOCATION)",
            "10 fields: city, state, country, source, WMO, latitude, longitude, time zone, "
            "elevation",
            f"{len(fields)} field(s)",
            "repair the LOCATION line",
        )
        raise WeatherError(msg)
    for i, name in ((6, "latitude"), (7, "longitude"), (8, "time zone"), (9, "elevation")):
        try:
            float(fields[i])
        except ValueError:
            msg = format_message(
                source,
                f"header LOCATION {name}",
                "a number",
                repr(fields[i].strip()[:40]),
                "repair the LOCATION line",
            )
            raise WeatherError(msg) from None


def _epw_location(meta: Mapping[str, object]) -> Location:
    return Location(
        name=", ".join(
            str(s).strip()
            for s in (meta["city"], meta["state-prov"], meta["country"])
            if str(s).strip()
        ),
        station_id=str(meta["WMO_code"]).strip(),
        latitude_deg=float(meta["latitude"]),
        longitude_deg=float(meta["longitude"]),
        elevation_m=float(meta["altitude"]),
        tz_offset_h=float(meta["TZ"]),
    )


def _read_epw(
    path: str | Path,
    *,
    year: int,
    strict: bool,
    correct_timing: bool,
    accept_timing_offset: bool = False,
    acceptance_reason: str | None = None,
) -> Weather:
    text, digest, source = _read_text(path)
    if not text.startswith("LOCATION"):
        msg = format_message(
            source,
            "line 1",
            "an EPW header starting with 'LOCATION,'",
            repr(text[:40]),
            "pass an EPW file here, or a TMY3 .csv to read_tmy3",
        )
        raise WeatherError(msg)
    _check_epw_header(text, source)
    try:
        with warnings.catch_warnings():
            # a mutilated column makes pandas guess mixed types; every value is
            # coerced to a number (or NaN, then reported) in _to_canonical
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            data, meta = iotools.read_epw(io.StringIO(text))
        location = _epw_location(meta)
    except (
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        OverflowError,
        pd.errors.ParserError,
    ) as exc:
        msg = format_message(
            source,
            "data rows",
            "8 header lines and 35 comma-separated fields per row",
            f"a file pvlib cannot parse ({type(exc).__name__}: {exc})",
            "repair or re-export the EPW file",
        )
        raise WeatherError(msg) from exc
    if len(data) == 0:
        msg = format_message(
            source,
            "data rows",
            "8760 or 8784 hourly rows after the 8 header lines",
            "a header and no data rows",
            "the file is cut short: download or export it again",
        )
        raise WeatherError(msg)
    epw_hour = data["hour"].to_numpy()
    if not np.array_equal(np.asarray(data.index.hour), epw_hour - 1):
        # Guard: the label rule below relies on pvlib stamping hour h at h-1.
        msg = format_message(
            source,
            "index",
            "pvlib.iotools.read_epw stamping EPW hour h at h-1",
            "a different stamping (pvlib changed?)",
            "update weather.readers.EPW_LABEL_RULE",
        )
        raise WeatherError(msg)

    def is_missing(col: str, values: np.ndarray) -> np.ndarray:
        return values >= EPW_MISSING_CODES[col]

    _require_time_zone(location, source)
    frame, issues = _to_canonical(data, EPW_VARIABLE_MAP, EPW_UNIT_FACTORS, is_missing, source)
    frame, source_years, stamp_issues = _restamp(
        frame,
        src_year=data["year"].to_numpy(),
        month=data["month"].to_numpy(),
        day=data["day"].to_numpy(),
        hour=epw_hour - 1,
        minute=np.zeros(len(data), dtype=np.int64),
        tz_offset_h=location.tz_offset_h,
        year=year,
        source=source,
    )
    return _assemble(
        frame,
        location=location,
        source=source,
        sha256=digest,
        data_kind=_data_kind(meta.get("data_type", "")),
        label_rule=EPW_LABEL_RULE,
        source_years=source_years,
        issues=issues + stamp_issues,
        strict=strict,
        correct_timing=correct_timing,
        accept_timing_offset=accept_timing_offset,
        acceptance_reason=acceptance_reason,
    )


def _tmy3_interval_starts(text: str, n_rows: int, source: str) -> pd.DatetimeIndex:
    """Interval starts from a TMY3 file's own ``MM/DD/YYYY`` and ``HH:MM`` columns.

    ``pvlib.iotools.read_tmy3`` (0.16) turns 24:00 of 28 February into
    1 March even when that month comes from a leap year (pvlib's own sample
    ``723170TYA.CSV`` takes February from 1996), which leaves a hole at
    28 February 23:00. The start of hour ``HH`` (1..24) is ``HH - 1`` on the
    stated date, so no day roll-over is needed.
    """
    stamps = pd.read_csv(
        io.StringIO(text),
        skiprows=1,
        usecols=[0, 1],
        header=0,
        names=["date", "time"],
        dtype=str,
    )
    dates = pd.to_datetime(stamps["date"], format="%m/%d/%Y", errors="coerce")
    hhmm = stamps["time"].astype(str).str.split(":", expand=True)
    nothing = pd.Series(np.nan, index=stamps.index)
    hours = pd.to_numeric(hhmm[0], errors="coerce") if 0 in hhmm.columns else nothing
    minutes = pd.to_numeric(hhmm[1], errors="coerce") if 1 in hhmm.columns else nothing
    start = dates + pd.to_timedelta(hours - 1, unit="h") + pd.to_timedelta(minutes, unit="min")
    if len(start) != n_rows or start.isna().any():
        msg = format_message(
            source,
            "Date (MM/DD/YYYY), Time (HH:MM)",
            "a date and an hour 01:00..24:00 on every row",
            f"{int(start.isna().sum())} unreadable row(s)",
            "repair the date and time columns",
        )
        raise WeatherError(msg)
    return pd.DatetimeIndex(start)


def _read_tmy3(
    path: str | Path,
    *,
    year: int,
    strict: bool,
    correct_timing: bool,
    accept_timing_offset: bool = False,
    acceptance_reason: str | None = None,
) -> Weather:
    text, digest, source = _read_text(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)  # as for the EPW
            data, meta = iotools.read_tmy3(io.StringIO(text), map_variables=True)
        location = Location(
            name=", ".join(str(meta[k]).strip().strip('"') for k in ("Name", "State")),
            station_id=str(meta["USAF"]),
            latitude_deg=float(meta["latitude"]),
            longitude_deg=float(meta["longitude"]),
            elevation_m=float(meta["altitude"]),
            tz_offset_h=float(meta["TZ"]),
        )
    except (
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        OverflowError,
        pd.errors.ParserError,
    ) as exc:
        msg = format_message(
            source,
            "file",
            "a TMY3 CSV (station header line, column header line, 8760 rows)",
            f"a file pvlib cannot parse ({type(exc).__name__}: {exc})",
            "check that this is an NSRDB TMY3 .csv",
        )
        raise WeatherError(msg) from exc
    if len(data) == 0:
        msg = format_message(
            source,
            "data rows",
            "8760 or 8784 hourly rows after the two header lines",
            "a header and no data rows",
            "the file is cut short: download it again",
        )
        raise WeatherError(msg)

    def is_missing(col: str, values: np.ndarray) -> np.ndarray:
        return values <= TMY3_MISSING_CODE

    _require_time_zone(location, source)
    frame, issues = _to_canonical(data, TMY3_VARIABLE_MAP, TMY3_UNIT_FACTORS, is_missing, source)
    start = _tmy3_interval_starts(text, len(data), source)
    frame, source_years, stamp_issues = _restamp(
        frame,
        src_year=np.asarray(start.year),
        month=np.asarray(start.month),
        day=np.asarray(start.day),
        hour=np.asarray(start.hour),
        minute=np.asarray(start.minute),
        tz_offset_h=location.tz_offset_h,
        year=year,
        source=source,
    )
    return _assemble(
        frame,
        location=location,
        source=source,
        sha256=digest,
        data_kind="TMY3",
        label_rule=TMY3_LABEL_RULE,
        source_years=source_years,
        issues=issues + stamp_issues,
        strict=strict,
        correct_timing=correct_timing,
        accept_timing_offset=accept_timing_offset,
        acceptance_reason=acceptance_reason,
    )


def read_epw(path: str | Path, *, year: int = DEFAULT_YEAR, strict: bool = True) -> Weather:
    """Read an EPW file (plain or ``.gz``) into a checked :class:`Weather`.

    Parameters
    ----------
    path : str or Path
        EPW file; gzip-compressed files are recognised by their magic bytes.
    year : int
        Nominal calendar year for the index (typical years mix source
        years; those are kept in ``Weather.source_years``).
    strict : bool
        Raise :class:`WeatherError` if any error-severity issue remains
        (after the gap-fill policy); with ``False`` they are returned in
        ``Weather.issues`` instead.

    Returns
    -------
    Weather
        Canonical hourly frame labelled at interval start (see
        ``Weather.label_rule``), location, hash, issues and timing offset.
        The irradiance timing is not corrected here; use
        :func:`weather.load_weather` with ``correct_timing=True``.

    Raises
    ------
    WeatherError
        Missing or unparsable file, or (with ``strict``) unusable data.

    References
    ----------
    .. [1] EnergyPlus Auxiliary Programs, chapter "Weather Converter
       Program", EPW data dictionary.
    """
    return _read_epw(path, year=year, strict=strict, correct_timing=False)


def read_tmy3(path: str | Path, *, year: int = DEFAULT_YEAR, strict: bool = True) -> Weather:
    """Read an NSRDB TMY3 CSV file (plain or ``.gz``) into a checked :class:`Weather`.

    Rows are re-labelled from interval end (TMY3) to interval start,
    pressure converted from mbar to Pa and RH from % to a fraction; −9900
    marks missing values.

    Parameters
    ----------
    path : str or Path
        TMY3 ``.csv`` file.
    year : int
        Nominal calendar year for the index.
    strict : bool
        Raise :class:`WeatherError` if any error-severity issue remains.

    Returns
    -------
    Weather

    Raises
    ------
    WeatherError
        Missing or unparsable file, or (with ``strict``) unusable data.

    References
    ----------
    .. [1] Wilcox, S. and Marion, W. (2008). Users Manual for TMY3 Data
       Sets. NREL/TP-581-43156. :doi:`10.2172/928611`
    """
    return _read_tmy3(path, year=year, strict=strict, correct_timing=False)
