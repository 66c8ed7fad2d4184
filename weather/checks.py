"""Is this weather frame usable? Pure ``check_*`` functions over canonical frames.

Each check takes a frame in canonical columns (see
:data:`weather.variables.CANONICAL_COLUMNS`) and returns a list of
:class:`~weather.core.WeatherIssue`; nothing is changed. With
``strict=True`` a check raises :class:`~weather.core.WeatherError` listing
its error-severity findings instead (the PyPSA ``consistency_check(strict=)``
pattern).

Severity rules used throughout:

- ``"error"``: the weather cannot drive a simulation as it is (wrong or
  broken timestamps, NaN, sentinels, negative irradiance, values outside the
  physically possible limits of the EPW data dictionary, DHI above GHI, GHI
  above any extraterrestrial value within the timing slack, irradiance at
  night, no irradiance at all, a header outside physical ranges or off the
  site's solar time).
- ``"warning"``: usable but doubtful (values outside the plausible ranges
  below, GHI above the hour's own extraterrestrial irradiance).
- ``"info"``: worth knowing (no albedo in the file, supersaturated RH
  readings up to 110 % that the EPW dictionary allows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

from ._solar import extraterrestrial_horizontal_mean
from .core import Location, WeatherError, WeatherIssue, format_message
from .variables import CANONICAL_COLUMNS, IRRADIANCE_COLUMNS, MISSING_CODES

__all__ = [
    "DHI_ABOVE_GHI_ERROR_SHARE",
    "DHI_ABOVE_GHI_TOLERANCE_W_PER_M2",
    "DIFFUSE_RATIO_LIMITS",
    "GHI_ABOVE_EXTRATERRESTRIAL_TOLERANCE_W_PER_M2",
    "HOURS_PER_YEAR",
    "PLAUSIBLE_RANGES",
    "POSSIBLE_RANGES",
    "ANNUAL_CLEARNESS_RANGE",
    "LOCATION_RANGES",
    "check_all",
    "check_irradiance",
    "check_location",
    "check_units",
    "check_missing",
    "check_ranges",
    "check_timestamps",
    "raise_for_errors",
]

#: Accepted numbers of hourly rows: a common and a leap year.
HOURS_PER_YEAR = (8760, 8784)

#: DHI may exceed GHI by this much before it is reported [W/m²]. Files store
#: whole Wh/m² per hour and GHI and DHI are rounded (often measured or
#: modelled) separately, so a few W/m² of excess is noise, not a defect.
DHI_ABOVE_GHI_TOLERANCE_W_PER_M2 = 5.0

#: Diffuse-ratio limits DHI/GHI for a sun above / below 15° elevation (solar
#: zenith < / >= 75°), from the BSRN recommended quality-control tests (Long,
#: C. N. and Dutton, E. G. (2010), BSRN Global Network recommended QC tests,
#: V2.0, the "diffuse ratio" comparison test).
DIFFUSE_RATIO_LIMITS = (1.05, 1.10)

#: Share of hours with GHI > 50 W/m² failing the diffuse-ratio test beyond which
#: DHI above GHI is an error rather than a warning. Published typical years
#: with modelled components carry scattered failures (NREL's TMY2 for Miami,
#: WBAN 12839, the one pvlib ships: 65 hours, 1.5 %); swapped or mis-mapped
#: columns fail in most daylight hours (about 85 % for GHI and DHI swapped).
DHI_ABOVE_GHI_ERROR_SHARE = 0.05

#: Solar constant used to turn extraterrestrial horizontal irradiance into an
#: approximate cos θz for the diffuse-ratio test [W/m²] (Gueymard 2004).
SOLAR_CONSTANT_W_PER_M2 = 1361.0
_COS_75_DEG = float(np.cos(np.radians(75.0)))

#: GHI may exceed the interval-mean extraterrestrial horizontal irradiance by
#: this much before it is reported [W/m²]. Hourly means cannot resolve the
#: sunrise and sunset hours exactly: integer rounding, the ~0.4° accuracy of
#: the sun position used here, and a fractional-hour timing correction
#: (:func:`weather.shift_irradiance` spreads up to ~23 W/m² into those hours
#: for the bundled TMYx files) all land there. NREL's Golden TMY3 stays below
#: the extraterrestrial value in every hour; larger excesses are data defects
#: or uncorrected timing offsets.
GHI_ABOVE_EXTRATERRESTRIAL_TOLERANCE_W_PER_M2 = 25.0

#: Plausible ranges (inclusive); values outside give a warning. Temperatures
#: −60..60 °C, RH 0..1, wind 0..60 m/s, station pressure 50..110 kPa (sea
#: level to ~5.5 km).
PLAUSIBLE_RANGES = MappingProxyType(
    {
        "temp_air_c": (-60.0, 60.0),
        "temp_dew_c": (-60.0, 60.0),
        "relative_humidity_frac": (0.0, 1.0),
        "wind_speed_m_per_s": (0.0, 60.0),
        "wind_direction_deg": (0.0, 360.0),
        "pressure_pa": (50_000.0, 110_000.0),
        "albedo_frac": (0.0, 1.0),
    }
)

#: Physically possible limits (inclusive) after the EPW data dictionary
#: (temperatures −70..70 °C, RH 0..110 %, station pressure 31..120 kPa,
#: direction 0..360°); wind and albedo bounded by definition. Values outside
#: are errors.
POSSIBLE_RANGES = MappingProxyType(
    {
        "temp_air_c": (-70.0, 70.0),
        "temp_dew_c": (-70.0, 70.0),
        "relative_humidity_frac": (0.0, 1.10),
        "wind_speed_m_per_s": (0.0, np.inf),
        "wind_direction_deg": (0.0, 360.0),
        "pressure_pa": (31_000.0, 120_000.0),
        "albedo_frac": (0.0, 1.0),
    }
)


def raise_for_errors(issues: Iterable[WeatherIssue]) -> None:
    """Raise :class:`WeatherError` listing every error-severity issue, if any.

    Parameters
    ----------
    issues : iterable of WeatherIssue

    Raises
    ------
    WeatherError
        With every error's message, one per line (a single error is one line).
    """
    errors = [i for i in issues if i.severity == "error"]
    if len(errors) == 1:
        raise WeatherError(errors[0].message)
    if errors:
        lines = "\n".join(f"  {i.message}" for i in errors)
        msg = f"{len(errors)} problems make this weather unusable:\n{lines}"
        raise WeatherError(msg)


def _finish(issues: list[WeatherIssue], strict: bool) -> list[WeatherIssue]:
    if strict:
        raise_for_errors(issues)
    return issues


def _first_label(index: pd.Index, mask: np.ndarray) -> str:
    positions = np.flatnonzero(mask)
    return str(index[positions[0]]) if positions.size else "-"


def check_timestamps(
    frame: pd.DataFrame, *, source: str = "<frame>", strict: bool = False
) -> list[WeatherIssue]:
    """Check that the index is a tz-aware, hourly, gap-free year.

    Finds: a non-datetime or naive index, duplicated timestamps,
    non-monotonic order, timestamps missing from (or off) the hourly grid
    between the first and last label, and a length other than 8760 or 8784
    rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Weather frame with a DatetimeIndex of interval starts.
    source : str
        File name used in messages.
    strict : bool
        Raise :class:`WeatherError` listing the errors instead of returning them.

    Returns
    -------
    list of WeatherIssue
        All findings (all of severity ``"error"``).
    """
    issues: list[WeatherIssue] = []
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex):
        msg = format_message(
            source,
            "index",
            "a pandas DatetimeIndex",
            type(index).__name__,
            "index the frame by interval-start timestamps",
        )
        return _finish([WeatherIssue("index_not_datetime", "error", msg, len(index))], strict)
    if index.tz is None:
        msg = format_message(
            source,
            "index",
            "tz-aware timestamps (local standard time with a fixed UTC offset)",
            "naive timestamps",
            "tz_localize the index with the file's UTC offset",
        )
        issues.append(WeatherIssue("timestamps_not_tz_aware", "error", msg, len(index)))

    dup = np.asarray(index.duplicated())
    if dup.any():
        msg = format_message(
            source,
            "index",
            "unique timestamps",
            f"{int(dup.sum())} duplicated, first at {_first_label(index, dup)}",
            "drop the duplicated rows or repair the file's date columns",
        )
        issues.append(WeatherIssue("duplicate_timestamps", "error", msg, int(dup.sum())))

    steps = np.diff(index.asi8)
    backwards = steps < 0
    if backwards.any():
        mask = np.concatenate([[False], backwards])
        msg = format_message(
            source,
            "index",
            "increasing timestamps",
            f"{int(backwards.sum())} step(s) back in time, first at {_first_label(index, mask)}",
            "sort the frame by time (frame.sort_index()) after checking why it is out of order",
        )
        issues.append(WeatherIssue("timestamps_not_monotonic", "error", msg, int(backwards.sum())))

    if len(index) > 0:
        unique = index.unique().sort_values()
        grid = pd.date_range(unique[0], unique[-1], freq="h")
        missing = grid.difference(unique)
        off_grid = unique.difference(grid)
        if len(missing):
            msg = format_message(
                source,
                "index",
                "one row per hour",
                f"{len(missing)} hour(s) missing, first {missing[0]}",
                "add the missing hours (reindex and fill) or use a complete file",
            )
            issues.append(WeatherIssue("missing_timestamps", "error", msg, len(missing)))
        if len(off_grid):
            msg = format_message(
                source,
                "index",
                f"timestamps on the hour grid starting {unique[0]}",
                f"{len(off_grid)} off-grid timestamp(s), first {off_grid[0]}",
                "resample to hourly interval means labelled at interval start",
            )
            issues.append(WeatherIssue("off_grid_timestamps", "error", msg, len(off_grid)))

    if len(index) not in HOURS_PER_YEAR:
        msg = format_message(
            source,
            "rows",
            f"{HOURS_PER_YEAR[0]} or {HOURS_PER_YEAR[1]} hourly rows",
            f"{len(index)} rows",
            "use a complete typical or calendar year of hourly data",
        )
        issues.append(WeatherIssue("wrong_length", "error", msg, abs(len(index) - 8760)))
    return _finish(issues, strict)


def _longest_nan_run(values: np.ndarray) -> int:
    isnan = np.concatenate([[False], np.isnan(values), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(isnan))
    return int((edges[1::2] - edges[0::2]).max()) if edges.size else 0


def check_missing(
    frame: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    source: str = "<frame>",
    strict: bool = False,
) -> list[WeatherIssue]:
    """Check for absent columns, NaN and missing-value codes (sentinels).

    Sentinels are the EPW missing codes (9999 for irradiance, 99.9 for
    temperatures, 999 % for RH, 999 for wind, 999999 Pa for pressure, 999 for
    albedo; a value at or above the code is missing) and the TMY3 code −9900,
    both expressed in canonical units (:data:`weather.variables.MISSING_CODES`).
    A missing or NaN albedo is only ``"info"``: many files have none.

    Parameters
    ----------
    frame : pandas.DataFrame
        Weather frame in canonical columns.
    columns : sequence of str, optional
        Columns to check; default all canonical columns.
    source : str
        File name used in messages.
    strict : bool
        Raise :class:`WeatherError` listing the errors instead of returning them.

    Returns
    -------
    list of WeatherIssue
    """
    issues: list[WeatherIssue] = []
    for col in columns if columns is not None else CANONICAL_COLUMNS:
        optional = col == "albedo_frac"
        if col not in frame.columns:
            msg = format_message(
                source,
                col,
                "a canonical weather column",
                "no such column",
                "map the source column with weather.variables.VARIABLE_MAP"
                + (" (albedo is optional: the PV model then uses its own)" if optional else ""),
            )
            issues.append(
                WeatherIssue(
                    "missing_column", "info" if optional else "error", msg, len(frame), col
                )
            )
            continue
        values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        low, high = MISSING_CODES.get(col, (-np.inf, np.inf))
        sentinel = (values <= low) | (values >= high)
        if sentinel.any():
            msg = format_message(
                source,
                col,
                f"no missing-value codes (<= {low:g} or >= {high:g})",
                f"{int(sentinel.sum())} coded value(s), first at "
                f"{_first_label(frame.index, sentinel)}",
                "replace the codes by NaN and fill short gaps (the readers do this on load)",
            )
            issues.append(WeatherIssue("sentinel_values", "error", msg, int(sentinel.sum()), col))
        nan = np.isnan(values)
        if nan.any():
            n_nan = int(nan.sum())
            if optional:
                msg = (
                    f"{source}: {col}: no albedo in {n_nan} of {len(values)} rows; "
                    "left as NaN; give the PV model an albedo of its own"
                )
                issues.append(WeatherIssue("albedo_missing", "info", msg, n_nan, col))
                continue
            msg = format_message(
                source,
                col,
                "no NaN (gaps up to the fill limit are filled on read)",
                f"{n_nan} NaN, longest gap {_longest_nan_run(values)} h, first at "
                f"{_first_label(frame.index, nan)}",
                "repair the file or fill the gap from a nearby station or another year",
            )
            issues.append(WeatherIssue("missing_values", "error", msg, n_nan, col))
    return _finish(issues, strict)


def _rows(index: pd.Index, mask: np.ndarray, limit: int = 3) -> str:
    """The first ``limit`` flagged rows as local timestamps and data-row numbers."""
    positions = np.flatnonzero(mask)
    shown = ", ".join(
        f"{pd.Timestamp(index[p]).strftime('%m-%d %H:%M')} (data row {p + 1})"
        for p in positions[:limit]
    )
    more = f" and {positions.size - limit} more" if positions.size > limit else ""
    return shown + more


def _window_max(values: np.ndarray, half_width: int) -> np.ndarray:
    """Largest value within ``half_width`` steps either side (edges wrap: a typical
    year is a cycle)."""
    out = values.copy()
    for k in range(1, half_width + 1):
        out = np.maximum(out, np.maximum(np.roll(values, k), np.roll(values, -k)))
    return out


def check_irradiance(
    frame: pd.DataFrame,
    location: Location,
    *,
    source: str = "<frame>",
    strict: bool = False,
    timing_slack_h: int = 1,
) -> list[WeatherIssue]:
    """Check irradiance for sign, DHI ≤ GHI, GHI ≤ extraterrestrial and darkness at night.

    The extraterrestrial horizontal irradiance is averaged over each hourly
    interval (index = interval start) from cos θz at six 10-min centres and
    E0 from :func:`pvlib.irradiance.get_extra_radiation` (Spencer 1971).

    Errors (the file cannot be used as it is):

    - ``negative_irradiance``: any value below 0.
    - ``dhi_above_ghi``: DHI above GHI beyond the BSRN diffuse-ratio limits
      (:data:`DIFFUSE_RATIO_LIMITS`, at least
      :data:`DHI_ABOVE_GHI_TOLERANCE_W_PER_M2`) in more than
      :data:`DHI_ABOVE_GHI_ERROR_SHARE` of the hours with GHI > 50 W/m²
      (swapped or mis-mapped columns); fewer such hours are a warning that
      lists them.
    - ``ghi_above_extraterrestrial_window``: GHI above the largest
      extraterrestrial value of its hour and the ``timing_slack_h`` hours
      either side, plus :data:`GHI_ABOVE_EXTRATERRESTRIAL_TOLERANCE_W_PER_M2`.
      No timing offset within the slack can explain it: the value, the unit
      or the coordinates are wrong.
    - ``irradiance_at_night``: GHI or DNI above that tolerance while the sun
      is below the horizon for the whole hour and the ``timing_slack_h`` hours
      either side.
    - ``no_irradiance``: GHI is zero (or missing) in every hour.

    Warning: ``ghi_above_extraterrestrial``, GHI above the hour's own
    extraterrestrial value plus the tolerance (usually a timing offset of
    less than the slack; see :func:`weather.measure_timing_offset_min`).

    Parameters
    ----------
    frame : pandas.DataFrame
        Hourly weather frame with the irradiance columns [W/m²].
    location : Location
        Site (latitude and longitude are used).
    source : str
        File name used in messages.
    strict : bool
        Raise :class:`WeatherError` if any finding is an error.
    timing_slack_h : int
        Hours either side of a row within which its irradiance may belong
        (1 by default: any timing offset the readers accept without being
        asked, up to :data:`weather.readers.TIMING_REFUSAL_MIN`; an accepted
        larger offset widens it) [h].

    Returns
    -------
    list of WeatherIssue

    References
    ----------
    .. [1] Duffie, J. A. and Beckman, W. A. (2013). Solar Engineering of
       Thermal Processes, 4th ed., section 1.10.
    """
    issues: list[WeatherIssue] = []
    present = [c for c in IRRADIANCE_COLUMNS if c in frame.columns]
    values = {c: frame[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in present}
    for col in present:
        negative = values[col] < 0.0
        if negative.any():
            msg = format_message(
                source,
                col,
                "irradiance >= 0 W/m²",
                f"{int(negative.sum())} negative value(s), min {np.nanmin(values[col]):g} W/m², "
                f"at {_rows(frame.index, negative)}",
                "check the sign and unit of the source; clip small night-time offsets "
                "with np.maximum(x, 0) before use",
            )
            issues.append(
                WeatherIssue("negative_irradiance", "error", msg, int(negative.sum()), col)
            )

    ghi = values.get("ghi_w_per_m2")
    if ghi is not None and len(ghi) and not (np.nan_to_num(ghi) > 0.0).any():
        msg = format_message(
            source,
            "ghi_w_per_m2",
            "daylight irradiance (GHI > 0 in some hours)",
            f"GHI zero or missing in all {len(ghi)} hours",
            "the irradiance columns are empty or mis-mapped: use a file with measured or "
            "modelled irradiance",
        )
        issues.append(WeatherIssue("no_irradiance", "error", msg, len(ghi), "ghi_w_per_m2"))
        return _finish(issues, strict)

    if ghi is not None and "dhi_w_per_m2" in values:
        dhi = values["dhi_w_per_m2"]
        if isinstance(frame.index, pd.DatetimeIndex) and frame.index.tz:
            extra = extraterrestrial_horizontal_mean(
                frame.index, location.latitude_deg, location.longitude_deg
            )
            low_sun = extra < _COS_75_DEG * SOLAR_CONSTANT_W_PER_M2
        else:
            low_sun = np.ones(len(dhi), dtype=bool)
        ratio = np.where(low_sun, DIFFUSE_RATIO_LIMITS[1], DIFFUSE_RATIO_LIMITS[0])
        limit = np.maximum(ghi + DHI_ABOVE_GHI_TOLERANCE_W_PER_M2, ratio * ghi)
        excess = dhi > limit
        if excess.any():
            tested = int((ghi > 50.0).sum()) or len(ghi)
            share = float(excess.sum()) / tested
            severity = "error" if share > DHI_ABOVE_GHI_ERROR_SHARE else "warning"
            msg = format_message(
                source,
                "dhi_w_per_m2",
                f"DHI <= GHI (BSRN diffuse-ratio limits {DIFFUSE_RATIO_LIMITS[0]:g}/"
                f"{DIFFUSE_RATIO_LIMITS[1]:g} above/below 15° sun, at least "
                f"+{DHI_ABOVE_GHI_TOLERANCE_W_PER_M2:g} W/m²)",
                f"{int(excess.sum())} hour(s) with DHI above GHI ({share:.1%} of hours with "
                f"GHI > 50 W/m²; an error beyond {DHI_ABOVE_GHI_ERROR_SHARE:.0%}), max excess "
                f"{np.nanmax(dhi[excess] - ghi[excess]):.0f} W/m², at "
                f"{_rows(frame.index, excess)}",
                "check the column order and mapping of the source (GHI, DNI, DHI); where the "
                "excess is a modelled component's error, set DHI = min(DHI, GHI) in those rows",
            )
            issues.append(
                WeatherIssue("dhi_above_ghi", severity, msg, int(excess.sum()), "dhi_w_per_m2")
            )

    if ghi is not None and isinstance(frame.index, pd.DatetimeIndex) and frame.index.tz:
        tol = GHI_ABOVE_EXTRATERRESTRIAL_TOLERANCE_W_PER_M2
        extra = extraterrestrial_horizontal_mean(
            frame.index, location.latitude_deg, location.longitude_deg
        )
        slack = max(1, int(timing_slack_h))
        window = _window_max(extra, slack)
        dark = window <= 0.0
        night_cols = [c for c in ("ghi_w_per_m2", "dni_w_per_m2") if c in values]
        for col in night_cols:
            lit = dark & (values[col] > tol)
            if lit.any():
                msg = format_message(
                    source,
                    col,
                    f"<= {tol:g} W/m² while the sun is below the horizon for the hour and "
                    f"{slack} h either side",
                    f"{int(lit.sum())} night hour(s), max {np.nanmax(values[col][lit]):.0f} W/m², "
                    f"at {_rows(frame.index, lit)}",
                    "check the time zone and the sign of the longitude in the header, and the "
                    "date/hour columns; night irradiance is a time-stamp or data error",
                )
                issues.append(
                    WeatherIssue("irradiance_at_night", "error", msg, int(lit.sum()), col)
                )
        impossible = ~dark & (ghi > window + tol)
        if impossible.any():
            msg = format_message(
                source,
                "ghi_w_per_m2",
                f"GHI <= the largest interval-mean extraterrestrial horizontal irradiance "
                f"within {slack} h + {tol:g} W/m²",
                f"{int(impossible.sum())} hour(s) above it, max excess "
                f"{np.nanmax(ghi[impossible] - window[impossible]):.0f} W/m², at "
                f"{_rows(frame.index, impossible)}",
                "no timing offset explains this: check the irradiance unit (Wh/m² per hour, "
                "not kJ/m²), the column mapping and the header's latitude",
            )
            issues.append(
                WeatherIssue(
                    "ghi_above_extraterrestrial_window",
                    "error",
                    msg,
                    int(impossible.sum()),
                    "ghi_w_per_m2",
                )
            )
        above = ghi > extra + tol
        if above.any():
            msg = format_message(
                source,
                "ghi_w_per_m2",
                f"GHI <= interval-mean extraterrestrial horizontal irradiance + {tol:g} W/m²",
                f"{int(above.sum())} hour(s) above it, max excess "
                f"{np.nanmax(ghi[above] - extra[above]):.0f} W/m², first at "
                f"{_first_label(frame.index, above)}",
                "usually a timing offset in the source: compare timing_offset_min and opt in to "
                "correct_timing; otherwise check the coordinates and time zone",
            )
            issues.append(
                WeatherIssue(
                    "ghi_above_extraterrestrial", "warning", msg, int(above.sum()), "ghi_w_per_m2"
                )
            )
    return _finish(issues, strict)


def check_ranges(
    frame: pd.DataFrame, *, source: str = "<frame>", strict: bool = False
) -> list[WeatherIssue]:
    """Check meteorological values against plausible and possible ranges.

    Outside :data:`POSSIBLE_RANGES` (EPW data-dictionary limits) is an
    error; outside :data:`PLAUSIBLE_RANGES` (temperature −60..60 °C, RH 0..1,
    wind 0..60 m/s, pressure 50..110 kPa) a warning, except relative humidity
    in (1, 1.10], the supersaturated sensor readings the EPW dictionary
    allows, which is ``"info"`` and kept as is. NaN is ignored here (see
    :func:`check_missing`).

    Parameters
    ----------
    frame : pandas.DataFrame
        Weather frame in canonical columns.
    source : str
        File name used in messages.
    strict : bool
        Raise :class:`WeatherError` listing the errors instead of returning them.

    Returns
    -------
    list of WeatherIssue
    """
    issues: list[WeatherIssue] = []
    for col, (lo, hi) in PLAUSIBLE_RANGES.items():
        if col not in frame.columns:
            continue
        values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        unit = CANONICAL_COLUMNS[col]
        p_lo, p_hi = POSSIBLE_RANGES[col]
        impossible = (values < p_lo) | (values > p_hi)
        implausible = ((values < lo) | (values > hi)) & ~impossible
        if impossible.any():
            msg = format_message(
                source,
                col,
                f"values in {p_lo:g}..{p_hi:g} {unit}",
                f"{int(impossible.sum())} outside, range {np.nanmin(values):g}.."
                f"{np.nanmax(values):g}, first at {_first_label(frame.index, impossible)}",
                "check the unit conversion and the source's missing-value codes",
            )
            issues.append(WeatherIssue("out_of_range", "error", msg, int(impossible.sum()), col))
        if not implausible.any():
            continue
        if col == "relative_humidity_frac" and np.nanmax(values[implausible]) <= p_hi:
            n = int(implausible.sum())
            msg = (
                f"{source}: {col}: {n} reading(s) above 1 (max {np.nanmax(values):.2f}), "
                "supersaturated sensor values the EPW dictionary allows up to 1.10; kept as is; "
                "clip with np.minimum(rh, 1.0) where a model needs <= 1"
            )
            issues.append(WeatherIssue("relative_humidity_above_1", "info", msg, n, col))
            continue
        msg = format_message(
            source,
            col,
            f"plausible values in {lo:g}..{hi:g} {unit}",
            f"{int(implausible.sum())} outside, range {np.nanmin(values):g}.."
            f"{np.nanmax(values):g}, first at {_first_label(frame.index, implausible)}",
            "check the station and the unit of the source",
        )
        issues.append(
            WeatherIssue("implausible_values", "warning", msg, int(implausible.sum()), col)
        )
    return _finish(issues, strict)


def check_all(
    frame: pd.DataFrame,
    location: Location,
    *,
    source: str = "<frame>",
    strict: bool = False,
) -> list[WeatherIssue]:
    """Run every check in order: timestamps, missing, ranges, irradiance.

    Returns
    -------
    list of WeatherIssue
        The concatenated findings.

    Raises
    ------
    WeatherError
        If ``strict`` and any finding is an error (after all checks ran).
    """
    issues = (
        check_timestamps(frame, source=source)
        + check_missing(frame, source=source)
        + check_ranges(frame, source=source)
        + check_irradiance(frame, location, source=source)
    )
    return _finish(issues, strict)


#: Possible header ranges of a station (inclusive): latitude and longitude by
#: definition; elevation from the Dead Sea shore (−430 m) to the highest
#: permanently inhabited places (~5,100 m) with margin; UTC offsets in use
#: (−12..+14 h).
LOCATION_RANGES = MappingProxyType(
    {
        "latitude_deg": (-90.0, 90.0),
        "longitude_deg": (-180.0, 180.0),
        "elevation_m": (-500.0, 9000.0),
        "tz_offset_h": (-12.0, 14.0),
    }
)

#: Largest difference between a header's UTC offset and the offset of the
#: site's mean solar time (longitude / 15°) that is accepted [h]. China keeps
#: UTC+8 from 73° E to 135° E (solar offsets +4.9..+9.0 h), so 3.5 h covers
#: every real station; more means a wrong sign or a wrong time zone.
TZ_SOLAR_TOLERANCE_H = 3.5

#: Range of the annual clearness index (annual GHI over annual
#: extraterrestrial horizontal irradiation) found on Earth: ~0.25 under the
#: most persistent cloud to ~0.75 in the clearest deserts (Duffie and Beckman
#: 2013, §2.9). A file outside it has the wrong irradiance unit: hourly
#: kJ/m² read as W/m² gives 3.6 times the true value, kW/m² a thousandth.
ANNUAL_CLEARNESS_RANGE = (0.15, 0.85)


def check_location(
    location: Location, *, source: str = "<frame>", utc_time_base: bool = False
) -> list[WeatherIssue]:
    """Check a header's latitude, longitude, elevation and UTC offset.

    Values outside :data:`LOCATION_RANGES` are errors (issue "No input
    crashes the twin": an elevation of 99,999 m must not reach a model); a
    UTC offset more than :data:`TZ_SOLAR_TOLERANCE_H` from longitude / 15 is
    an error too (a wrong sign or zone shifts the sun by hours).

    Parameters
    ----------
    location : Location
        Station metadata from a file header (or given by the user).
    source : str
        File name used in messages.
    utc_time_base : bool
        The file is stamped in UTC (PVGIS): its offset 0 is not a local time
        zone, so it is not compared with the longitude.

    Returns
    -------
    list of WeatherIssue
        ``location_out_of_range`` and ``tz_inconsistent_with_longitude`` errors.
    """
    issues: list[WeatherIssue] = []
    for name, (lo, hi) in LOCATION_RANGES.items():
        value = float(getattr(location, name))
        if not (np.isfinite(value) and lo <= value <= hi):
            msg = format_message(
                source,
                f"header {name}",
                f"a value in {lo:g}..{hi:g}",
                repr(value),
                "correct the file header (or give the value in the config's [weather] table)",
            )
            issues.append(WeatherIssue("location_out_of_range", "error", msg))
    if not issues and not utc_time_base:
        solar_h = location.longitude_deg / 15.0
        if abs(location.tz_offset_h - solar_h) > TZ_SOLAR_TOLERANCE_H:
            msg = format_message(
                source,
                "header tz_offset_h",
                f"a UTC offset within {TZ_SOLAR_TOLERANCE_H:g} h of longitude/15 = "
                f"{solar_h:+.1f} h",
                f"{location.tz_offset_h:+g} h",
                "check the sign of the longitude and the time zone of the header",
            )
            issues.append(WeatherIssue("tz_inconsistent_with_longitude", "error", msg))
    return issues


def check_units(
    frame: pd.DataFrame, location: Location, *, source: str = "<frame>"
) -> list[WeatherIssue]:
    """Catch a wrong unit by its physics: irradiation, temperature, humidity.

    - GHI: the annual clearness index (sum of GHI over the sum of the
      interval-mean extraterrestrial horizontal irradiance) must lie in
      :data:`ANNUAL_CLEARNESS_RANGE`; hourly kJ/m² given as W/m² reads 3.6
      times too high, Wh/m² per 10 min 6 times too low, kW/m² 1000 times.
    - Air temperature: an annual mean above 60 °C is kelvin (or °F).
    - Relative humidity: a median below 0.02 is a fraction divided by 100
      twice; above 1.5 a percentage taken as a fraction.

    Parameters
    ----------
    frame : pandas.DataFrame
        Hourly frame in canonical columns on a tz-aware index of interval starts.
    location : Location
        Site (latitude and longitude are used).
    source : str
        File name used in messages.

    Returns
    -------
    list of WeatherIssue
        ``wrong_unit`` errors, one per column.

    References
    ----------
    .. [1] Duffie, J. A. and Beckman, W. A. (2013). Solar Engineering of
       Thermal Processes, 4th ed., §1.10 and §2.9.
    """
    issues: list[WeatherIssue] = []
    if "ghi_w_per_m2" in frame.columns and isinstance(frame.index, pd.DatetimeIndex):
        ghi = frame["ghi_w_per_m2"].to_numpy(dtype=np.float64, na_value=np.nan)
        extra = extraterrestrial_horizontal_mean(
            frame.index, location.latitude_deg, location.longitude_deg
        )
        ok = np.isfinite(ghi)
        total_extra = float(extra[ok].sum())
        if total_extra > 0.0 and ok.sum() > 0.5 * len(ghi):
            kt = float(ghi[ok].sum()) / total_extra
            lo, hi = ANNUAL_CLEARNESS_RANGE
            if not lo <= kt <= hi:
                if kt > hi:
                    hint = (
                        f"{kt / 0.5:.1f} times a typical value: hourly kJ/m² read as W/m² gives "
                        "3.6 times; convert kJ/m² per hour to W/m² by dividing by 3.6"
                    )
                else:
                    hint = (
                        "far below any climate: kW/m² or MJ/m² read as W/m², or energy per "
                        "sub-hourly step read as a mean power"
                    )
                msg = format_message(
                    source,
                    "ghi_w_per_m2",
                    f"an annual clearness index (GHI / extraterrestrial) in {lo:g}..{hi:g}",
                    f"{kt:.2f} ({hint})",
                    "state the file's irradiance unit (units = {...} for a CSV) or convert it",
                )
                issues.append(WeatherIssue("wrong_unit", "error", msg, len(ghi), "ghi_w_per_m2"))
    if "temp_air_c" in frame.columns:
        mean_c = float(np.nanmean(frame["temp_air_c"].to_numpy(dtype=np.float64, na_value=np.nan)))
        if mean_c > 60.0:
            msg = format_message(
                source,
                "temp_air_c",
                "an annual mean air temperature below 60 °C",
                f"{mean_c:.1f} (kelvin or °F read as °C?)",
                "state the temperature unit (K or F) or convert it to °C",
            )
            issues.append(WeatherIssue("wrong_unit", "error", msg, len(frame), "temp_air_c"))
    if "relative_humidity_frac" in frame.columns:
        rh = frame["relative_humidity_frac"].to_numpy(dtype=np.float64, na_value=np.nan)
        median = float(np.nanmedian(rh)) if np.isfinite(rh).any() else float("nan")
        if np.isfinite(median) and (median < 0.02 or median > 1.5):
            msg = format_message(
                source,
                "relative_humidity_frac",
                "a median relative humidity of 0.02..1.5 (fraction)",
                f"{median:g} ({'a percentage read as a fraction' if median > 1.5 else 'a fraction divided by 100'})",
                "state the humidity unit ('%' or 'frac')",
            )
            issues.append(
                WeatherIssue("wrong_unit", "error", msg, len(frame), "relative_humidity_frac")
            )
    return issues
