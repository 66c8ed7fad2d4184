"""Data-holding types of the weather package: a site, a finding, a weather year.

These classes hold what does not change once a file has been read. They carry no physics; readers in :mod:`weather.readers` build them
and the ``check_*`` functions in :mod:`weather.checks` produce the
:class:`WeatherIssue` records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "SEVERITIES",
    "Location",
    "Weather",
    "WeatherError",
    "WeatherIssue",
    "format_message",
]

#: Allowed values of :attr:`WeatherIssue.severity`, most severe first.
SEVERITIES = ("error", "warning", "info")


class WeatherError(ValueError):
    """A weather file or frame cannot be used as it is.

    Raised with one message that names the file, the field or column, what
    was expected, what was found and how to fix it.
    """


def format_message(source: str, field_name: str, expected: str, found: str, fix: str) -> str:
    """Build the one-line message used by :class:`WeatherError` and issues.

    Parameters
    ----------
    source : str
        File path (or ``"<frame>"`` for an in-memory frame).
    field_name : str
        Column, header field or argument the finding is about.
    expected : str
        What a usable file has there.
    found : str
        What this file has there.
    fix : str
        What the user can do about it.

    Returns
    -------
    str
        ``"<source>: <field>: expected <expected>, found <found>; fix: <fix>"``.

    Examples
    --------
    >>> format_message("a.epw", "ghi_w_per_m2", "no NaN", "3 NaN", "fill them")
    'a.epw: ghi_w_per_m2: expected no NaN, found 3 NaN; fix: fill them'
    """
    return f"{source}: {field_name}: expected {expected}, found {found}; fix: {fix}"


@dataclass(frozen=True)
class Location:
    """A weather station as described by its file header.

    Parameters
    ----------
    name : str
        Station name as written in the header (city, region, country).
    station_id : str
        WMO or USAF station number as written in the header.
    latitude_deg : float
        Latitude, north positive [°].
    longitude_deg : float
        Longitude, east positive [°].
    elevation_m : float
        Station elevation above sea level [m].
    tz_offset_h : float
        Offset of local standard time from UTC, east positive [h].
    """

    name: str
    station_id: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float
    tz_offset_h: float


@dataclass(frozen=True)
class WeatherIssue:
    """One finding about a weather frame.

    Parameters
    ----------
    code : str
        Stable machine-readable identifier, e.g. ``"missing_timestamps"``.
    severity : {"error", "warning", "info"}
        ``"error"``: the weather cannot be used as it is; ``"warning"``:
        usable but doubtful (or values were changed by the fill policy);
        ``"info"``: something was done that the user should be able to see.
    message : str
        One line naming file, column, expected, found and fix.
    count : int
        Number of affected rows (or values); 0 where a count makes no sense.
    column : str or None
        Canonical column concerned, if any.
    """

    code: str
    severity: str
    message: str
    count: int = 0
    column: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            msg = (
                f"WeatherIssue {self.code!r}: severity: expected one of {SEVERITIES}, "
                f"found {self.severity!r}; fix: use one of those"
            )
            raise ValueError(msg)


@dataclass(frozen=True, eq=False)
class Weather:
    """A checked typical weather year in canonical columns and SI units.

    Parameters
    ----------
    frame : pandas.DataFrame
        Hourly data, float64 columns from
        :data:`weather.variables.CANONICAL_COLUMNS`, on a tz-aware
        DatetimeIndex with the file's fixed UTC offset. Each label is the
        **start** of its hourly interval; irradiance values are interval
        means [W/m²]. Treat it as read-only: the dataclass is frozen but a
        DataFrame is not (copy before changing it).
    location : Location
        Station metadata from the file header.
    source_path : str
        Path of the file read.
    sha256 : str
        SHA-256 of the file's weather text (for ``.gz`` files, of the
        decompressed bytes), so a bundled file and its original hash alike.
    data_kind : str
        ``"CSWD"``, ``"TMYx"``, ``"TMY3"`` or the header's data type.
    label_rule : str
        How the source stamps its rows and the shift that was applied to
        reach interval-start labels.
    source_years : tuple of (int, int)
        ``(month, source year)`` per month before restamping to one
        nominal year.
    timing_offset_min : float
        Measured GHI centroid minus apparent solar noon, median over
        clear-ish days, positive = data late [min]; NaN if not measurable.
    timing_correction_min : float
        Shift applied to the irradiance columns (data moved earlier by this
        many minutes) [min]; 0.0 unless a correction was asked for.
    issues : tuple of WeatherIssue
        Everything the readers and checks found or did.
    attribution : str or None
        Attribution sentence required by the data provider (bundled files).
    site : str or None
        Bundled site id, if the file came from the bundle.
    """

    frame: pd.DataFrame
    location: Location
    source_path: str
    sha256: str
    data_kind: str
    label_rule: str
    source_years: tuple[tuple[int, int], ...]
    timing_offset_min: float
    timing_correction_min: float = 0.0
    issues: tuple[WeatherIssue, ...] = field(default=())
    attribution: str | None = None
    site: str | None = None

    def issues_with(self, severity: str) -> tuple[WeatherIssue, ...]:
        """Return the issues of one severity (``"error"``, ``"warning"``, ``"info"``)."""
        return tuple(i for i in self.issues if i.severity == severity)
