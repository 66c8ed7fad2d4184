"""Which format is this weather file, and how is it read? Every other source.

Readers for the sources engineers bring besides the bundled EPWs, each a thin
wrapper over :mod:`pvlib.iotools` (pvlib parses; this module maps columns to
canonical names and SI units, re-labels rows to interval starts and hands
the frame to the same fill, checks and timing measurement as
:mod:`weather.readers`):

========================  ===========================================  ==========================
format id                 source                                       time labels in the file
========================  ===========================================  ==========================
``epw``                   EnergyPlus EPW (also PVGIS's EPW export)     hour h = end of (h-1, h]
``tmy3``                  NREL TMY3 CSV                                HH:MM = end of the hour
``tmy2``                  NREL TMY2 fixed-width                        hour 1..24 = end
``pvgis_tmy_csv``         PVGIS TMY, CSV                               UTC, HH:00 = start
``pvgis_tmy_json``        PVGIS TMY, JSON                              UTC, HH:00 = start
``pvgis_hourly_csv``      PVGIS hourly series ("seriescalc"), CSV      UTC, HH:MM instantaneous
``pvgis_hourly_json``     PVGIS hourly series, JSON                    UTC, HH:MM instantaneous
``psm3``                  NREL NSRDB PSM3/PSM4 CSV (TMY or a year)     local standard, see below
``csv``                   any CSV, with a column map, units, labels    as stated by the user
========================  ===========================================  ==========================

The format is detected from the file's first lines (:func:`detect_format`),
not from its extension; a file no rule recognises is refused with the list
of formats tried. Typical years are re-stamped onto one nominal year;
series of actual years keep their calendar and are split into years
(:func:`read_weather_years`).

Time labels are moved to the package rule (interval start, values interval
means) as follows: end-labelled rows one step earlier; centre-labelled rows
half a step earlier; instantaneous samples (PVGIS series, NSRDB half-hourly)
are treated as the value at the labelled moment, so an hourly sample at
HH:MM is the mean of the hour centred on it (re-averaged onto whole hours
by overlap, like :func:`weather.shift_irradiance`) and sub-hourly samples
are averaged by the trapezoidal rule over each hour. Spot values
(temperature, humidity, wind, pressure) stay on the hour they fall in.

References
----------
.. [1] Marion, W. and Urban, K. (1995). User's Manual for TMY2s. NREL/TP-463-7668.
.. [2] Huld, T., Müller, R. and Gambardella, A. (2012). A new solar radiation
   database for estimating PV performance in Europe and Africa. Solar Energy
   86(6), 1803–1815. :doi:`10.1016/j.solener.2012.03.006` (PVGIS).
.. [3] Sengupta, M. et al. (2018). The National Solar Radiation Data Base
   (NSRDB). Renewable and Sustainable Energy Reviews 89, 51–60.
   :doi:`10.1016/j.rser.2018.03.003`
"""

from __future__ import annotations

import datetime
import io
import json
import math
import re
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd
from pvlib import iotools

from ._solar import cos_zenith, epoch_seconds
from .core import Location, Weather, WeatherError, WeatherIssue, format_message
from .readers import (
    DEFAULT_YEAR,
    _assemble,
    _read_epw,
    _read_text,
    _read_tmy3,
    _restamp,
    require_site,
)
from .variables import (
    CANONICAL_COLUMNS,
    IRRADIANCE_COLUMNS,
    NSRDB_UNIT_FACTORS,
    NSRDB_VARIABLE_MAP,
    PVGIS_UNIT_FACTORS,
    PVGIS_VARIABLE_MAP,
    TMY2_MISSING_CODE,
    TMY2_UNIT_FACTORS,
    TMY2_VARIABLE_MAP,
)

__all__ = [
    "FORMATS",
    "LABELS",
    "TYPICAL_KINDS",
    "UNITS",
    "detect_format",
    "read_weather",
    "read_weather_years",
]

#: Format id -> what the detector looks for (shown when nothing matches).
FORMATS = MappingProxyType(
    {
        "epw": "EPW: line 1 starts with 'LOCATION,'",
        "tmy3": "TMY3: 7-field station line, then 'Date (MM/DD/YYYY),Time (HH:MM),...'",
        "tmy2": "TMY2: fixed-width station line ' WBAN CITY ST TZ N lat W lon elev'",
        "pvgis_tmy_csv": "PVGIS TMY CSV: 'Latitude (decimal degrees):' and 'time(UTC),T2m,...'",
        "pvgis_tmy_json": "PVGIS TMY JSON: {'outputs': {'tmy_hourly': [...]}}",
        "pvgis_hourly_csv": "PVGIS hourly CSV: 'Latitude (decimal degrees):' and 'time,...'",
        "pvgis_hourly_json": "PVGIS hourly JSON: {'outputs': {'hourly': [...]}}",
        "psm3": "NSRDB PSM3/PSM4 CSV: 'Source,Location ID,...' then 'NSRDB,...'",
        "csv": "generic CSV: needs format='csv' with a column map (columns=...)",
    }
)

#: Allowed time labellings of a generic CSV.
LABELS = ("start", "centre", "end", "instant")

#: Data kinds that are typical years (not actual years).
TYPICAL_KINDS = frozenset({"CSWD", "TMYx", "TMY3", "TMY2", "PVGIS TMY", "NSRDB TMY", "synthetic"})

#: Unit string -> (canonical column family, factor, kind); ``kind`` says how
#: to convert: "scale" multiplies; "per_step" divides an energy per step by
#: the step length; "offset" for temperatures.
UNITS = MappingProxyType(
    {
        # irradiance: mean power per area, or energy per area over the step
        "W/m2": ("irradiance", 1.0, "scale"),
        "kW/m2": ("irradiance", 1000.0, "scale"),
        "Wh/m2": ("irradiance", 3600.0, "per_step"),
        "kWh/m2": ("irradiance", 3.6e6, "per_step"),
        "J/m2": ("irradiance", 1.0, "per_step"),
        "kJ/m2": ("irradiance", 1000.0, "per_step"),
        "MJ/m2": ("irradiance", 1.0e6, "per_step"),
        # temperature
        "C": ("temperature", 0.0, "offset"),
        "K": ("temperature", -273.15, "offset"),
        "F": ("temperature", float("nan"), "fahrenheit"),
        # fraction
        "%": ("fraction", 0.01, "scale"),
        "frac": ("fraction", 1.0, "scale"),
        # wind
        "m/s": ("speed", 1.0, "scale"),
        "km/h": ("speed", 1.0 / 3.6, "scale"),
        # direction
        "deg": ("angle", 1.0, "scale"),
        # pressure
        "Pa": ("pressure", 1.0, "scale"),
        "hPa": ("pressure", 100.0, "scale"),
        "mbar": ("pressure", 100.0, "scale"),
        "kPa": ("pressure", 1000.0, "scale"),
    }
)

_FAMILY = {
    "ghi_w_per_m2": "irradiance",
    "dni_w_per_m2": "irradiance",
    "dhi_w_per_m2": "irradiance",
    "temp_air_c": "temperature",
    "temp_dew_c": "temperature",
    "relative_humidity_frac": "fraction",
    "wind_speed_m_per_s": "speed",
    "wind_direction_deg": "angle",
    "pressure_pa": "pressure",
    "albedo_frac": "fraction",
}
_DEFAULT_UNIT = {
    "irradiance": "W/m2",
    "temperature": "C",
    "fraction": "frac",
    "speed": "m/s",
    "angle": "deg",
    "pressure": "Pa",
}

_TMY2_LINE1 = re.compile(r"^\s*\d{5}\s+\S.{0,30}\s[A-Z]{2}\s+-?\d+\s+[NS]\s*\d+\s+\d+\s+[EW]\s*\d+")


class _Series(NamedTuple):
    """A parsed file before re-stamping: canonical columns, interval starts."""

    frame: pd.DataFrame
    location: Location
    data_kind: str
    label_rule: str
    typical: bool
    issues: list[WeatherIssue]


def detect_format(text: str, source: str = "<text>") -> str:
    """Tell the weather format of a file from its first lines.

    Parameters
    ----------
    text : str
        The file's text (decompressed).
    source : str
        File name used in messages.

    Returns
    -------
    str
        A key of :data:`FORMATS` other than ``"csv"`` (a generic CSV is
        never guessed: its columns, units and labels must be stated).

    Raises
    ------
    WeatherError
        No rule matches; the message lists every format tried.

    Examples
    --------
    >>> detect_format("LOCATION,Xian,Shaanxi,CHN,CSWD,570360,34.30,108.93,8.0,397.5\\n")
    'epw'
    """
    head = text.lstrip("\ufeff")[:4000]
    lines = head.splitlines()
    first = lines[0] if lines else ""
    if first.startswith("LOCATION,"):
        return "epw"
    if head.lstrip().startswith("{"):
        try:
            outputs = json.loads(text).get("outputs", {})
        except (json.JSONDecodeError, AttributeError):
            outputs = {}
        if "tmy_hourly" in outputs:
            return "pvgis_tmy_json"
        if "hourly" in outputs:
            return "pvgis_hourly_json"
    if first.startswith("Latitude (decimal degrees):"):
        for line in lines:
            if line.startswith("time(UTC),"):
                return "pvgis_tmy_csv"
            if line.startswith("time,"):
                return "pvgis_hourly_csv"
    if first.startswith("Source,Location ID") and len(lines) > 1 and lines[1].startswith("NSRDB"):
        return "psm3"
    if len(lines) > 1 and lines[1].startswith("Date (MM/DD/YYYY),Time (HH:MM)"):
        return "tmy3"
    if _TMY2_LINE1.match(first) and len(lines) > 1 and re.match(r"^\s?\d{9}", lines[1]):
        return "tmy2"
    tried = "; ".join(f"{k} ({v})" for k, v in FORMATS.items())
    msg = format_message(
        source,
        "format",
        "a weather format recognised from the file's first lines",
        f"none matched (line 1: {first[:60]!r}); tried {tried}",
        "for another CSV give format = 'csv' with columns, units, label and the site "
        "(read_weather(path, format='csv', columns={...}, ...))",
    )
    raise WeatherError(msg)


def _canonical(
    data: pd.DataFrame,
    variable_map: Mapping[str, str],
    factors: Mapping[str, float],
    source: str,
    missing_at_or_above: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, list[WeatherIssue]]:
    """Rename and convert to canonical float64 columns; absent ones NaN."""
    issues: list[WeatherIssue] = []
    out: dict[str, np.ndarray] = {}
    for src, col in variable_map.items():
        if src not in data.columns:
            continue
        values = pd.to_numeric(data[src], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        if missing_at_or_above and col in missing_at_or_above:
            coded = values >= missing_at_or_above[col]
            if coded.any():
                msg = (
                    f"{source}: {col}: {int(coded.sum())} value(s) carry the source's "
                    "missing-value code; set to NaN and filled where the gap-fill policy allows"
                )
                issues.append(
                    WeatherIssue("missing_in_file", "warning", msg, int(coded.sum()), col)
                )
                values = np.where(coded, np.nan, values)
        out[col] = values * factors.get(col, 1.0)
    frame = pd.DataFrame(out, index=data.index)
    for col in CANONICAL_COLUMNS:
        if col not in frame.columns:
            frame[col] = np.nan
    return frame[list(CANONICAL_COLUMNS)], issues


def _fixed_tz(offset_h: float, source: str = "<frame>") -> datetime.timezone:
    """The fixed-offset zone of a UTC offset [h]; a WeatherError outside −12..+14 h."""
    value = float(offset_h)
    if not (math.isfinite(value) and -12.0 <= value <= 14.0):
        msg = format_message(
            source,
            "tz_offset_h",
            "a UTC offset in -12..14 h (local standard time)",
            repr(offset_h),
            "state the offset of the file's time stamps (e.g. tz_offset_h = 8 for China)",
        )
        raise WeatherError(msg)
    return datetime.timezone(datetime.timedelta(hours=value))


def _complete_humidity(frame: pd.DataFrame, source: str) -> list[WeatherIssue]:
    """Fill dew point from RH or RH from dew point (Magnus form, Alduchov and Eskridge 1996)."""
    issues: list[WeatherIssue] = []
    t = frame["temp_air_c"].to_numpy(dtype=np.float64)
    rh = frame["relative_humidity_frac"].to_numpy(dtype=np.float64)
    td = frame["temp_dew_c"].to_numpy(dtype=np.float64)
    a, b = 17.625, 243.04  # Alduchov and Eskridge (1996), J. Appl. Meteor. 35, 601-609
    if np.isnan(td).all() and np.isfinite(rh).any():
        # a temperature that is not a temperature (1e308, -243 °C) gives a non-finite
        # dew point: left NaN here, reported by the range and missing-value checks
        with np.errstate(all="ignore"):
            gamma = np.log(np.clip(rh, 1e-6, None)) + a * t / (b + t)
            dew = b * gamma / (a - gamma)
        frame["temp_dew_c"] = np.where(np.isfinite(dew), dew, np.nan)
        msg = f"{source}: temp_dew_c: not in the file; computed from temperature and RH (Magnus)"
        issues.append(WeatherIssue("derived_column", "info", msg, len(frame), "temp_dew_c"))
    elif np.isnan(rh).all() and np.isfinite(td).any():
        with np.errstate(all="ignore"):
            rh_from_dew = np.exp(a * td / (b + td) - a * t / (b + t))
        frame["relative_humidity_frac"] = np.where(np.isfinite(rh_from_dew), rh_from_dew, np.nan)
        msg = (
            f"{source}: relative_humidity_frac: not in the file; computed from temperature and "
            "dew point (Magnus)"
        )
        issues.append(
            WeatherIssue("derived_column", "info", msg, len(frame), "relative_humidity_frac")
        )
    return issues


def _regrid_hourly(
    frame: pd.DataFrame, label: str, source: str
) -> tuple[pd.DataFrame, str, list[WeatherIssue]]:
    """Move any labelling to hourly interval means labelled at interval start."""
    issues: list[WeatherIssue] = []
    index = frame.index
    if len(index) < 2:
        msg = format_message(source, "rows", "at least a year of rows", f"{len(index)}", "")
        raise WeatherError(msg)
    steps = np.diff(index.as_unit("s").asi8).astype(np.float64)
    step_s = float(np.median(steps))
    if not step_s > 0.0:
        msg = format_message(
            source,
            "time",
            "increasing time stamps, one per step",
            f"a median step of {step_s:g} s (duplicated or unordered stamps)",
            "sort the file by time and drop the repeated rows",
        )
        raise WeatherError(msg)
    minutes = np.asarray(
        (index.minute * 60 + index.second) % step_s
        if step_s < 3600
        else index.minute * 60 + index.second
    )
    if np.unique(minutes).size > 1:
        values, counts = np.unique(minutes // 60, return_counts=True)
        shown = ", ".join(f":{int(v):02d} ({c} rows)" for v, c in zip(values, counts, strict=True))
        msg = format_message(
            source,
            "time",
            "one labelling for every row (all stamps at the same minute of the step)",
            f"mixed labels at {shown}",
            "re-export the file with one convention (e.g. all at interval start), or split it",
        )
        raise WeatherError(msg)
    if step_s > 3600.0 or 3600.0 % step_s:
        msg = format_message(
            source,
            "time",
            "hourly or sub-hourly rows whose step divides an hour",
            f"a step of {step_s:g} s",
            "resample the file to hourly means first",
        )
        raise WeatherError(msg)
    irr = [c for c in IRRADIANCE_COLUMNS if c in frame.columns]
    if step_s == 3600.0:
        shift_s = {"start": 0.0, "centre": 1800.0, "end": 3600.0, "instant": 1800.0}[label]
        start = index - pd.Timedelta(seconds=shift_s)
        frac = float((start[0].minute * 60 + start[0].second) / 3600.0)
        floor = start.floor("h")
        if frac >= 0.5:
            # interval i covers [H_i + f, H_i + 1 + f), mostly hour H_i + 1, which gets f of
            # it and (1 - f) of interval i + 1 (labels stay in the hour holding most of i)
            out = frame.set_axis(floor + pd.Timedelta(hours=1), axis=0)
            weights = (frac, 1.0 - frac, -1)
        else:
            # mostly hour H_i, which gets (1 - f) of interval i and f of interval i - 1
            out = frame.set_axis(floor, axis=0)
            weights = (1.0 - frac, frac, 1)
        if frac > 0.0:
            for col in irr:
                v = frame[col].to_numpy(dtype=np.float64)
                out[col] = weights[0] * v + weights[1] * np.roll(v, weights[2])
            note = f"re-averaged onto whole hours by overlap ({frac * 60:.0f} min offset)"
        else:
            note = "no re-averaging needed"
        rule = (
            f"hourly rows labelled at the interval {label}; moved {shift_s / 60:.0f} min "
            f"earlier to interval start, irradiance {note}; other fields kept on their hour"
        )
        return out, rule, issues
    # sub-hourly: average onto hours
    if label == "instant":
        # trapezoid over each hour of samples at H, H+dt, ..., H+1 h
        k = int(round(3600.0 / step_s))
        if (index[0].minute * 60 + index[0].second) % 3600:
            msg = format_message(
                source,
                "time",
                "the first sample on a whole hour",
                str(index[0]),
                "start the file on a whole hour",
            )
            raise WeatherError(msg)
        n_hours = len(frame) // k
        out_idx = index[: n_hours * k : k]
        out = pd.DataFrame(index=out_idx)
        w = np.full(k + 1, 1.0)
        w[0] = w[-1] = 0.5
        w /= k
        for col in frame.columns:
            v = frame[col].to_numpy(dtype=np.float64)[: n_hours * k]
            nxt = np.roll(v.reshape(n_hours, k)[:, 0], -1)[:, None]
            block = np.concatenate([v.reshape(n_hours, k), nxt], axis=1)
            out[col] = block @ w if col in irr else v.reshape(n_hours, k)[:, 0]
        rule = (
            f"instantaneous samples every {step_s / 60:g} min; irradiance hourly means by the "
            "trapezoidal rule over each hour, labelled at interval start; other fields the "
            "sample on the hour"
        )
        return out, rule, issues
    shift_s = {"start": 0.0, "centre": step_s / 2, "end": step_s}[label]
    start = index - pd.Timedelta(seconds=shift_s)
    if (start[0].minute * 60 + start[0].second) % step_s:
        msg = format_message(
            source,
            "time",
            "interval starts on the step grid",
            str(start[0]),
            "state the labelling of the file (start, centre, end or instant)",
        )
        raise WeatherError(msg)
    out = frame.set_axis(start, axis=0).resample("h").mean()
    rule = (
        f"{step_s / 60:g}-min rows labelled at the interval {label}; hourly means of the "
        "intervals starting in each hour, labelled at interval start"
    )
    return out, rule, issues


def _series_tmy2(text: str, source: str) -> _Series:
    # pvlib.iotools.read_tmy2 opens a file name; hand it a temporary copy of the text
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "weather.tm2"
        copy.write_text(text, encoding="latin-1")
        data, meta = iotools.read_tmy2(str(copy))
    year = data["year"].to_numpy(dtype=np.int64)
    year = np.where(year < 100, 1900 + year, year)
    # TMY2 hour 1..24 ends the hour it covers (Marion and Urban 1995, table 3-1)
    start = pd.to_datetime(
        pd.DataFrame(
            {
                "year": year,
                "month": data["month"].astype(int),
                "day": data["day"].astype(int),
            }
        )
    ) + pd.to_timedelta(data["hour"].to_numpy(dtype=np.int64) - 1, unit="h")
    tz = float(meta["TZ"])
    data = data.set_axis(pd.DatetimeIndex(start).tz_localize(_fixed_tz(tz, source)), axis=0)
    frame, issues = _canonical(
        data,
        TMY2_VARIABLE_MAP,
        TMY2_UNIT_FACTORS,
        source,
        missing_at_or_above={c: TMY2_MISSING_CODE for c in IRRADIANCE_COLUMNS},
    )
    location = Location(
        name=", ".join(str(meta[k]).strip() for k in ("City", "State")),
        station_id=str(meta["WBAN"]).strip(),
        latitude_deg=float(meta["latitude"]),
        longitude_deg=float(meta["longitude"]),
        elevation_m=float(meta["altitude"]),
        tz_offset_h=tz,
    )
    require_site(location, source)
    rule = (
        "TMY2 hour h (1..24) ends the hour it covers in local standard time; stamped at h-1 "
        "= interval start; shift applied: -60 min; irradiance = interval mean [Wh/m² per h = "
        "W/m²], other fields spot values at h kept on the row"
    )
    return _Series(frame, location, "TMY2", rule, True, issues)


def _series_pvgis(text: str, fmt: str, source: str) -> _Series:
    typical = fmt.startswith("pvgis_tmy")
    # pvlib's PVGIS TMY CSV parser reads bytes; the others read text
    buffer = io.BytesIO(text.encode("utf-8")) if fmt == "pvgis_tmy_csv" else io.StringIO(text)
    pvgis_format = "json" if fmt.endswith("json") else "csv"
    if typical:
        data, meta = iotools.read_pvgis_tmy(buffer, pvgis_format=pvgis_format, map_variables=True)
        inputs = meta.get("inputs", {})
        loc = inputs.get("location", inputs)
    else:
        data, meta = iotools.read_pvgis_hourly(
            buffer, pvgis_format=pvgis_format, map_variables=True
        )
        inputs = meta.get("inputs", meta)
        loc = inputs.get("location", inputs)
        if "ghi" not in data.columns:
            data = _pvgis_horizontal(data, meta, source)
    lat = float(loc.get("latitude", np.nan))
    lon = float(loc.get("longitude", np.nan))
    elev = float(loc.get("elevation", np.nan))
    frame, issues = _canonical(data, PVGIS_VARIABLE_MAP, PVGIS_UNIT_FACTORS, source)
    frame = frame.set_axis(pd.DatetimeIndex(data.index).tz_convert("UTC"), axis=0)
    issues += _complete_humidity(frame, source)
    location = require_site(
        Location(f"PVGIS {lat:.3f}, {lon:.3f}", "-", lat, lon, elev, 0.0), source
    )
    if typical:
        offset = loc.get("irradiance_time_offset", loc.get("irradiance time offset"))
        rule = (
            "PVGIS TMY rows stamped HH:00 UTC, taken as interval start (PVGIS states an "
            f"irradiance time offset of {offset} h, kept: see timing_offset_min); shift "
            "applied: 0 min; index kept in UTC"
        )
        return _Series(frame, location, "PVGIS TMY", rule, True, issues)
    frame, rule, more = _regrid_hourly(frame, "instant", source)
    more += _decompose(frame, location, source)
    more += _fill_absent(frame, location, source)
    rule = (
        "PVGIS hourly series, instantaneous values at HH:MM UTC (satellite slot time): "
        + rule
        + "; index kept in UTC"
    )
    return _Series(frame, location, "PVGIS series", rule, False, issues + more)


def _pvgis_horizontal(data: pd.DataFrame, meta: dict, source: str) -> pd.DataFrame:
    """GHI/DHI of a PVGIS series computed on a horizontal plane (slope 0)."""
    inputs = meta.get("inputs", meta)
    if "mounting_system" in inputs:  # JSON: {"fixed": {"slope": {"value": 30, ...}}}
        found = re.search(
            r'"slope": \{"value": "?(-?\d[\d.]*)', json.dumps(inputs["mounting_system"])
        )
    else:  # CSV header line "Slope: 30 deg."
        found = re.match(r"\s*([-\d.]+)", str(inputs.get("Slope", "")))
    slope_deg = float(found.group(1)) if found else float("nan")
    components = {"poa_direct", "poa_sky_diffuse"} <= set(data.columns)
    if not slope_deg == 0.0 or not (components or "poa_global" in data.columns):
        msg = format_message(
            source,
            "mounting_system.slope",
            "a PVGIS hourly series on a horizontal plane (slope 0°): G(i), or Gb(i) and Gd(i) "
            "with components",
            f"slope {slope_deg:g}°, columns {', '.join(map(str, data.columns))}",
            "download the series again with angle=0 (radiation on the horizontal plane), "
            "best with components=1; a tilted plane's irradiance cannot give GHI",
        )
        raise WeatherError(msg)
    out = data.copy()
    if not components:
        out["ghi"] = data["poa_global"]  # on a horizontal plane G(i) is GHI; split later
        return out
    out["ghi"] = data["poa_direct"] + data["poa_sky_diffuse"]
    out["dhi"] = data["poa_sky_diffuse"]
    if "solar_elevation" in data.columns:
        sin_h = np.sin(np.radians(data["solar_elevation"].to_numpy(dtype=np.float64)))
        out["dni"] = np.where(sin_h > 0.01, data["poa_direct"] / np.maximum(sin_h, 0.01), 0.0)
    return out


def _series_psm3(text: str, source: str) -> _Series:
    data, meta = iotools.read_nsrdb_psm4(io.StringIO(text), map_variables=True)
    tz = float(meta.get("Time Zone", 0.0))
    index = pd.DatetimeIndex(data.index).tz_convert(_fixed_tz(tz, source))
    data = data.set_axis(index, axis=0)
    frame, issues = _canonical(data, NSRDB_VARIABLE_MAP, NSRDB_UNIT_FACTORS, source)
    issues += _complete_humidity(frame, source)
    years = np.unique(np.asarray(index.year))
    typical = "tmy" in text[:2000].lower() or (
        len(years) > 1 and len(index) <= 8784 and (index.month == 1).sum() < 31 * 24 * 2
    )
    frame, rule, more = _regrid_hourly(frame, "instant", source)
    location = Location(
        name=", ".join(str(meta.get(k, "-")) for k in ("City", "State", "Country")),
        station_id=str(meta.get("Location ID", "-")),
        latitude_deg=float(meta["latitude"]),
        longitude_deg=float(meta["longitude"]),
        elevation_m=float(meta["altitude"]),
        tz_offset_h=tz,
    )
    require_site(location, source)
    version = meta.get("Version", "")
    rule = (
        f"NSRDB PSM ({version}) values are instantaneous satellite retrievals at the stamped "
        f"local standard time (UTC{tz:+g}): " + rule
    )
    kind = "NSRDB TMY" if typical else "NSRDB series"
    return _Series(frame, location, kind, rule, typical, issues + more)


def _series_csv(
    text: str,
    source: str,
    *,
    columns: Mapping[str, str] | None,
    units: Mapping[str, str] | None,
    label: str | None,
    time_column: str | None,
    time_format: str | None,
    tz_offset_h: float | None,
    latitude_deg: float | None,
    longitude_deg: float | None,
    elevation_m: float | None,
    typical: bool,
) -> _Series:
    needed = {
        "columns": columns,
        "label": label,
        "time_column": time_column,
        "tz_offset_h": tz_offset_h,
        "latitude_deg": latitude_deg,
        "longitude_deg": longitude_deg,
    }
    absent = [k for k, v in needed.items() if v is None]
    if absent:
        msg = format_message(
            source,
            ", ".join(absent),
            "a generic CSV described by columns (canonical name -> CSV column), units, label "
            f"({'/'.join(LABELS)}), time_column, tz_offset_h, latitude_deg and longitude_deg",
            "no value for " + ", ".join(absent),
            "give them to read_weather(..., format='csv') or in the config's [weather.csv] table "
            "beside [weather] file",
        )
        raise WeatherError(msg)
    if label not in LABELS:
        msg = format_message(
            source,
            "label",
            f"one of {', '.join(LABELS)}",
            repr(label),
            "say where in its interval each row is stamped",
        )
        raise WeatherError(msg)
    unknown = sorted(set(columns) - set(CANONICAL_COLUMNS))
    if unknown:
        msg = format_message(
            source,
            "columns",
            f"keys among {', '.join(CANONICAL_COLUMNS)}",
            ", ".join(unknown),
            "use the canonical column names as keys",
        )
        raise WeatherError(msg)
    if "ghi_w_per_m2" not in columns or "temp_air_c" not in columns:
        msg = format_message(
            source,
            "columns",
            "at least ghi_w_per_m2 and temp_air_c",
            ", ".join(columns),
            "map the GHI and air-temperature columns",
        )
        raise WeatherError(msg)
    try:
        first = next((ln for ln in text.splitlines() if ln.strip() and ln[0] != "#"), "")
        sep = max((",", ";", "\t"), key=first.count)  # the header's delimiter
        data = pd.read_csv(io.StringIO(text), sep=sep, comment="#")
    except (ValueError, pd.errors.ParserError) as exc:
        msg = format_message(
            source, "file", "a delimited text file", f"unparsable ({exc})", "export the data as CSV"
        )
        raise WeatherError(msg) from exc
    missing = [c for c in [time_column, *columns.values()] if c not in data.columns]
    if missing:
        msg = format_message(
            source,
            "columns",
            f"CSV columns {', '.join(missing)}",
            "header " + ", ".join(map(str, data.columns)),
            "fix the column map (canonical name -> CSV header)",
        )
        raise WeatherError(msg)
    if pd.api.types.is_numeric_dtype(data[time_column]):
        # numbers would be read as nanoseconds since 1970 (and inf, NaN or 1e308 overflow)
        msg = format_message(
            source,
            time_column,
            "date-times written as text",
            f"numbers (first {data[time_column].iloc[0]!r})" if len(data) else "an empty column",
            "write the time column as date-times (e.g. 2025-01-01 00:00)",
        )
        raise WeatherError(msg)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        stamps = pd.to_datetime(data[time_column], format=time_format, errors="coerce")
    if any("infer format" in str(w.message) for w in caught):
        # pandas found no format to read the whole column by and fell back to
        # guessing each row on its own: rows could be read by different rules
        msg = format_message(
            source,
            time_column,
            "date-times in one format",
            f"no format that reads the column (first {data[time_column].iloc[0]!r})",
            "give time_format (e.g. '%Y-%m-%d %H:%M')",
        )
        raise WeatherError(msg)
    if stamps.isna().any():
        bad = int(stamps.isna().sum())
        msg = format_message(
            source,
            time_column,
            "a date-time on every row",
            f"{bad} unreadable, first {data[time_column][stamps.isna()].iloc[0]!r}",
            "give time_format (e.g. '%Y-%m-%d %H:%M')",
        )
        raise WeatherError(msg)
    index = pd.DatetimeIndex(stamps)
    tz = _fixed_tz(tz_offset_h, source)
    index = index.tz_convert(tz) if index.tz is not None else index.tz_localize(tz)
    steps = np.diff(index.as_unit("s").asi8)
    step_s = float(np.median(steps)) if steps.size else 3600.0
    if step_s <= 0.0:
        msg = format_message(
            source,
            time_column,
            "date-times that increase by one step a row",
            f"a median step of {step_s:g} s (rows repeated or out of order)",
            "sort the rows by time and remove repeated ones",
        )
        raise WeatherError(msg)
    units = dict(units or {})
    out: dict[str, np.ndarray] = {}
    for col, src in columns.items():
        unit = units.pop(col, _DEFAULT_UNIT[_FAMILY[col]])
        if unit not in UNITS or UNITS[unit][0] != _FAMILY[col]:
            allowed = [u for u, (fam, _, _) in UNITS.items() if fam == _FAMILY[col]]
            msg = format_message(
                source,
                f"units.{col}",
                f"one of {', '.join(allowed)}",
                repr(unit),
                "state the unit the CSV column is in",
            )
            raise WeatherError(msg)
        _, factor, kind = UNITS[unit]
        v = pd.to_numeric(data[src], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if kind == "scale":
            v = v * factor
        elif kind == "per_step":
            v = v * factor / step_s
        elif kind == "offset":
            v = v + factor
        else:
            v = (v - 32.0) / 1.8
        out[col] = v
    if units:
        msg = format_message(
            source,
            "units",
            "units only for mapped columns",
            ", ".join(units),
            "map those columns or drop their units",
        )
        raise WeatherError(msg)
    frame = pd.DataFrame(out, index=index)
    for col in CANONICAL_COLUMNS:
        if col not in frame.columns:
            frame[col] = np.nan
    frame = frame[list(CANONICAL_COLUMNS)]
    issues: list[WeatherIssue] = []
    frame, rule, more = _regrid_hourly(frame, label, source)
    issues += more
    issues += _complete_humidity(frame, source)
    location = require_site(
        Location(
            name=Path(source).stem,
            station_id="-",
            latitude_deg=float(latitude_deg),
            longitude_deg=float(longitude_deg),
            elevation_m=float(elevation_m if elevation_m is not None else 0.0),
            tz_offset_h=float(tz_offset_h),
        ),
        source,
    )
    issues += _decompose(frame, location, source)
    issues += _fill_absent(frame, location, source)
    return _Series(
        frame,
        location,
        "CSV typical year" if typical else "CSV series",
        "CSV: " + rule,
        typical,
        issues,
    )


def _decompose(frame: pd.DataFrame, location: Location, source: str) -> list[WeatherIssue]:
    """DNI and DHI from GHI by Erbs et al. (1982) where the file has none."""
    from pvlib import irradiance

    mid_s = epoch_seconds(frame.index) + 1800.0
    cosz = cos_zenith(mid_s, location.latitude_deg, location.longitude_deg)
    ghi = frame["ghi_w_per_m2"].to_numpy(dtype=np.float64)
    if np.isfinite(frame["dhi_w_per_m2"].to_numpy(dtype=np.float64)).any():
        if not np.isnan(frame["dni_w_per_m2"].to_numpy(dtype=np.float64)).all():
            return []
        beam = np.maximum(ghi - frame["dhi_w_per_m2"].to_numpy(dtype=np.float64), 0.0)
        frame["dni_w_per_m2"] = np.where(cosz > 0.065, beam / np.maximum(cosz, 0.065), 0.0)
        msg = f"{source}: dni_w_per_m2: not in the file; (GHI - DHI) / cos θz"
        return [WeatherIssue("derived_column", "info", msg, len(frame), "dni_w_per_m2")]
    zenith_deg = np.degrees(np.arccos(np.clip(cosz, -1.0, 1.0)))
    doy = np.asarray((frame.index + pd.Timedelta(minutes=30)).day_of_year, dtype=np.float64)
    parts = irradiance.erbs(ghi, zenith_deg, doy)
    frame["dhi_w_per_m2"] = np.minimum(np.asarray(parts["dhi"]), ghi)
    frame["dni_w_per_m2"] = np.asarray(parts["dni"])
    msg = (
        f"{source}: dni_w_per_m2, dhi_w_per_m2: not in the file; split from GHI by the Erbs, "
        "Klein and Duffie (1982) correlation (pvlib.irradiance.erbs)"
    )
    return [WeatherIssue("derived_column", "info", msg, len(frame), "dhi_w_per_m2")]


#: Stated values for fields a generic CSV may lack (each reported as "info").
_ABSENT_DEFAULTS = MappingProxyType(
    {
        "wind_speed_m_per_s": (1.0, "1 m/s, the still-air value of module temperature models"),
        "wind_direction_deg": (0.0, "0° (not used by the models)"),
    }
)


def _fill_absent(frame: pd.DataFrame, location: Location, source: str) -> list[WeatherIssue]:
    """Pressure from elevation (ISO 2533 standard atmosphere); stated defaults for wind."""
    from pvlib import atmosphere

    issues: list[WeatherIssue] = []
    if np.isnan(frame["pressure_pa"].to_numpy(dtype=np.float64)).all():
        frame["pressure_pa"] = float(atmosphere.alt2pres(location.elevation_m))
        msg = (
            f"{source}: pressure_pa: not in the file; standard-atmosphere pressure at "
            f"{location.elevation_m:g} m (pvlib.atmosphere.alt2pres)"
        )
        issues.append(WeatherIssue("derived_column", "info", msg, len(frame), "pressure_pa"))
    for col, (value, why) in _ABSENT_DEFAULTS.items():
        if np.isnan(frame[col].to_numpy(dtype=np.float64)).all():
            frame[col] = value
            msg = f"{source}: {col}: not in the file; set to {why}"
            issues.append(WeatherIssue("derived_column", "info", msg, len(frame), col))
    return issues


def _stamp_typical(
    series: _Series, year: int, source: str
) -> tuple[pd.DataFrame, tuple[tuple[int, int], ...], list[WeatherIssue]]:
    """Re-stamp a typical year's rows onto ``year`` by wall-clock month/day/hour."""
    frame = series.frame.sort_index()
    wall = frame.index.tz_localize(None)
    out, source_years, issues = _restamp(
        frame,
        src_year=np.asarray(wall.year),
        month=np.asarray(wall.month),
        day=np.asarray(wall.day),
        hour=np.asarray(wall.hour),
        minute=np.asarray(wall.minute),
        tz_offset_h=series.location.tz_offset_h,
        year=year,
        source=source,
    )
    out = out.sort_index()
    regular = pd.date_range(out.index[0], periods=len(out), freq="h")
    if out.index.equals(regular):
        out = out.set_axis(regular, axis=0)
    return out, source_years, issues


def _parse(
    path: str | Path, fmt: str | None, csv_options: Mapping[str, object]
) -> tuple[str, str, str, _Series | None]:
    """Read text, detect the format; return (format, sha256, source, series or None for EPW/TMY3)."""
    text, digest, source = _read_text(path)
    if fmt is None:
        fmt = detect_format(text, source)
    elif fmt not in FORMATS:
        msg = format_message(
            source,
            "format",
            f"one of {', '.join(FORMATS)}",
            repr(fmt),
            "leave it out to detect the format from the file",
        )
        raise WeatherError(msg)
    if fmt in ("epw", "tmy3"):
        return fmt, digest, source, None
    try:
        if fmt == "tmy2":
            series = _series_tmy2(text, source)
        elif fmt.startswith("pvgis"):
            series = _series_pvgis(text, fmt, source)
        elif fmt == "psm3":
            series = _series_psm3(text, source)
        else:
            series = _series_csv(text, source, **csv_options)  # type: ignore[arg-type]
    except WeatherError:
        raise
    except (
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        OverflowError,
        json.JSONDecodeError,
        pd.errors.ParserError,
    ) as exc:
        msg = format_message(
            source,
            "file",
            f"a readable {fmt} file ({FORMATS[fmt]})",
            f"a file pvlib cannot parse ({type(exc).__name__}: {exc})",
            "re-download or re-export the file",
        )
        raise WeatherError(msg) from exc
    return fmt, digest, source, series


def _stated_humidity(series: _Series, rh_frac: float | None, source: str) -> None:
    """Fill a file's absent humidity with the user's stated constant, or refuse."""
    frame = series.frame
    rh = frame["relative_humidity_frac"].to_numpy(dtype=np.float64)
    if not np.isnan(rh).all():
        return
    if rh_frac is None or not 0.0 < float(rh_frac) <= 1.0:
        msg = format_message(
            source,
            "relative_humidity_frac",
            "humidity in the file (RH or dew point), or a stated constant in 0..1",
            f"none in the file ({series.data_kind}), stated {rh_frac!r}",
            "state one with relative_humidity_frac = 0.7 (read_weather argument, or "
            "[weather] relative_humidity_frac): it drives HVAC latent loads and cooling towers, "
            "not PV; or use a source with humidity (PVGIS TMY, NSRDB)",
        )
        raise WeatherError(msg)
    frame["relative_humidity_frac"] = float(rh_frac)
    series.issues.extend(_complete_humidity(frame, source))
    msg = (
        f"{source}: relative_humidity_frac: not in the file; the stated constant "
        f"{float(rh_frac):g} is used (HVAC latent loads and cooling towers follow it; PV does not)"
    )
    series.issues.append(
        WeatherIssue("stated_constant", "warning", msg, len(frame), "relative_humidity_frac")
    )


def _csv_options(options: Mapping[str, object]) -> dict[str, object]:
    keys = (
        "columns",
        "units",
        "label",
        "time_column",
        "time_format",
        "tz_offset_h",
        "latitude_deg",
        "longitude_deg",
        "elevation_m",
        "typical",
    )
    out: dict[str, object] = dict.fromkeys(keys)
    out["typical"] = False
    for key, value in options.items():
        if key not in out:
            msg = format_message(
                "<call>", key, f"one of {', '.join(keys)}", repr(key), "check the option name"
            )
            raise WeatherError(msg)
        out[key] = value
    return out


def read_weather(
    path: str | Path,
    *,
    format: str | None = None,  # noqa: A002  (the user's word)
    year: int = DEFAULT_YEAR,
    strict: bool = True,
    correct_timing: bool = False,
    accept_timing_offset: bool = False,
    relative_humidity_frac: float | None = None,
    timing_acceptance: str | None = None,
    **csv: object,
) -> Weather:
    """Read one weather year from any supported file (format detected from content).

    Parameters
    ----------
    path : str or Path
        Weather file, plain or gzip-compressed.
    format : str, optional
        A key of :data:`FORMATS`; detected from the first lines when omitted
        (a generic CSV must be named, with its description in ``csv``).
    year : int
        Nominal calendar year onto which a typical year is stamped; a
        one-year series keeps its own year.
    strict : bool
        Raise :class:`WeatherError` if any error-severity issue remains.
    correct_timing : bool
        Shift the irradiance by the measured timing offset.
    accept_timing_offset : bool
        Accept a measured offset beyond :data:`weather.readers.TIMING_REFUSAL_MIN`
        (refused otherwise); the data are used as they are and a
        ``"timing_offset_accepted"`` warning records it.
    timing_acceptance : str, optional
        A stated reason to accept such an offset (the bundled files' reasons
        in ``weather/data/sites.csv``); it is quoted in the warning.
    relative_humidity_frac : float, optional
        Constant relative humidity for a file that has none (PVGIS hourly
        series; a CSV without RH or dew point), 0..1; reported as a
        ``"warning"``. Without it such a file is refused.
    **csv
        For ``format="csv"``: ``columns`` (canonical name -> CSV column),
        ``units`` (canonical name -> a key of :data:`UNITS`; default the
        canonical unit), ``label`` (one of :data:`LABELS`), ``time_column``,
        ``time_format``, ``tz_offset_h`` [h], ``latitude_deg`` [°],
        ``longitude_deg`` [°], ``elevation_m`` [m], ``typical`` (bool).

    Returns
    -------
    Weather

    Raises
    ------
    WeatherError
        Unknown format (the formats tried are listed), unparsable file,
        several years in the file (use :func:`read_weather_years`), or
        unusable data.
    """
    years = _read(
        path,
        format,
        year,
        strict,
        correct_timing,
        accept_timing_offset,
        csv,
        rh_frac=relative_humidity_frac,
        acceptance_reason=timing_acceptance,
    )
    if len(years) != 1:
        msg = format_message(
            str(path),
            "rows",
            "one year of hourly data",
            f"{len(years)} years ({', '.join(str(w.frame.index[0].year) for w in years)})",
            "use weather.read_weather_years (or --weather-years) for several years",
        )
        raise WeatherError(msg)
    return years[0]


def read_weather_years(
    path: str | Path,
    *,
    format: str | None = None,  # noqa: A002
    strict: bool = True,
    correct_timing: bool = False,
    accept_timing_offset: bool = False,
    relative_humidity_frac: float | None = None,
    **csv: object,
) -> list[Weather]:
    """Read every calendar year of an actual-year series (multi-year files are split).

    Each year is cut on the file's own calendar (UTC for PVGIS, local
    standard time otherwise) and must be complete (8760 or 8784 hours).
    Parameters are those of :func:`read_weather` (no ``year``: each year keeps its own).

    Returns
    -------
    list of Weather
        One per year, in time order, each on its own calendar year.

    Raises
    ------
    WeatherError
        A typical year was given (no actual years in it), an incomplete year,
        or any error of :func:`read_weather`.
    """
    years = _read(
        path,
        format,
        DEFAULT_YEAR,
        strict,
        correct_timing,
        accept_timing_offset,
        csv,
        keep_years=True,
        rh_frac=relative_humidity_frac,
    )
    typical = [w for w in years if w.data_kind in TYPICAL_KINDS]
    if typical:
        msg = format_message(
            str(path),
            "data kind",
            "actual (calendar) years",
            f"a typical year ({typical[0].data_kind}) whose months come from different years",
            "pass files of actual years (PVGIS hourly series, NSRDB years, measured CSV)",
        )
        raise WeatherError(msg)
    return years


def _read(
    path: str | Path,
    fmt: str | None,
    year: int,
    strict: bool,
    correct_timing: bool,
    accept: bool,
    csv: Mapping[str, object],
    keep_years: bool = False,
    rh_frac: float | None = None,
    acceptance_reason: str | None = None,
) -> list[Weather]:
    fmt, digest, source, series = _parse(path, fmt, _csv_options(csv))
    if series is None:
        reader = _read_epw if fmt == "epw" else _read_tmy3
        options = {
            "strict": strict,
            "correct_timing": correct_timing,
            "accept_timing_offset": accept,
            "acceptance_reason": acceptance_reason,
        }
        weather = reader(path, year=year, **options)
        own = {y for _, y in weather.source_years}
        if keep_years and len(own) == 1 and weather.data_kind not in TYPICAL_KINDS:
            # an actual-year EPW keeps its own calendar year
            weather = reader(path, year=own.pop(), **options)
        return [weather]
    _stated_humidity(series, rh_frac, source)
    common = {
        "location": series.location,
        "source": source,
        "sha256": digest,
        "data_kind": series.data_kind,
        "label_rule": series.label_rule,
        "strict": strict,
        "correct_timing": correct_timing,
        "accept_timing_offset": accept,
        "acceptance_reason": acceptance_reason,
        "utc_time_base": series.data_kind.startswith("PVGIS"),
    }
    if series.typical:
        frame, source_years, stamp_issues = _stamp_typical(series, year, source)
        return [
            _assemble(
                frame, source_years=source_years, issues=series.issues + stamp_issues, **common
            )
        ]
    out: list[Weather] = []
    frame = series.frame
    cal_years = np.asarray(frame.index.year)
    for y in np.unique(cal_years):
        part = frame.iloc[cal_years == y]
        expected = 8784 if pd.Timestamp(int(y), 1, 1).is_leap_year else 8760
        if len(part) != expected:
            first, last = part.index[0], part.index[-1]
            msg = format_message(
                source,
                f"year {int(y)}",
                f"{expected} hourly rows (a complete calendar year)",
                f"{len(part)} rows from {first} to {last}",
                "use complete calendar years (in the file's own time base: UTC for PVGIS)",
            )
            if len(np.unique(cal_years)) > 1 and len(part) < 48:
                continue  # a few hours spilling over a year end (e.g. a local-time export)
            raise WeatherError(msg)
        regular = pd.date_range(part.index[0], periods=len(part), freq="h")
        if part.index.equals(regular):
            part = part.set_axis(regular, axis=0)
        months = tuple((m, int(y)) for m in range(1, 13))
        out.append(_assemble(part, source_years=months, issues=list(series.issues), **common))
    return out
