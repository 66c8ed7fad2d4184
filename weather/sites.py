"""Which typical years ship with factory-twin, and where are they?

The bundle lives in ``weather/data/``: gzip-compressed EPW files (bytes
unchanged inside the gzip), ``SOURCES.md`` (provenance, licences, quality
notes) and ``sites.csv`` (one row per file; columns documented in
:func:`list_sites`).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from .core import WeatherError, format_message

__all__ = ["DATA_DIR", "SITES_CSV", "list_sites", "site_path"]

#: Folder of the bundled weather files.
DATA_DIR = Path(__file__).resolve().parent / "data"

#: Table of bundled sites.
SITES_CSV = DATA_DIR / "sites.csv"

_STR_COLUMNS = (
    "site",
    "file",
    "city",
    "province",
    "province_zh",
    "wmo",
    "data_kind",
    "period",
    "attribution",
    "sha256",
    "timing_acceptance",
)


def list_sites() -> pd.DataFrame:
    """Return the table of bundled sites (a fresh copy on every call).

    Returns
    -------
    pandas.DataFrame
        One row per bundled file, indexed 0..n-1, with columns ``site``
        (unique lowercase id such as ``"suzhou-tmyx"``), ``file`` (name in
        ``weather/data``), ``city``, ``province``, ``province_zh``, ``wmo``,
        ``latitude_deg`` [°], ``longitude_deg`` [°], ``elevation_m`` [m],
        ``tz_offset_h`` [h] (all from the file header), ``data_kind``
        (CSWD/TMYx/TMY3), ``period`` (years of record the typical year was
        chosen from: the TMYx/TMY3 header's period, CSWD's 1971–2003 station
        records), ``attribution`` (the sentence SOURCES.md prescribes),
        ``noted_timing_offset_min`` [min] (GHI centroid minus solar noon,
        measured as in SOURCES.md §3), ``sha256`` of the uncompressed EPW
        and ``timing_acceptance``: for a file whose offset is beyond
        :data:`weather.readers.TIMING_REFUSAL_MIN`, the stated reason it is
        accepted as published (empty otherwise).

    Examples
    --------
    >>> "suzhou-tmyx" in set(list_sites()["site"])
    True
    """
    return _sites_table().copy()


@functools.cache
def _sites_table() -> pd.DataFrame:
    """``sites.csv`` as read once per process (the bundled table does not change)."""
    sites = pd.read_csv(SITES_CSV, dtype={c: "str" for c in _STR_COLUMNS}, encoding="utf-8")
    sites["timing_acceptance"] = sites["timing_acceptance"].fillna("")
    return sites


def _site_row(site: str) -> pd.Series:
    sites = list_sites()
    match = sites[sites["site"] == str(site).strip().lower()]
    if match.empty:
        msg = format_message(
            "weather/data/sites.csv",
            "site",
            f"one of {', '.join(sites['site'])}",
            repr(site),
            "pick a bundled site id (weather.list_sites()) or pass a file path",
        )
        raise WeatherError(msg)
    return match.iloc[0]


def site_path(site: str) -> Path:
    """Path of a bundled site's weather file.

    Parameters
    ----------
    site : str
        Site id from :func:`list_sites`, case-insensitive.

    Returns
    -------
    pathlib.Path
        The ``.epw.gz`` file inside ``weather/data``.

    Raises
    ------
    WeatherError
        Unknown site (the message lists the bundled ids).
    """
    return DATA_DIR / str(_site_row(site)["file"])
