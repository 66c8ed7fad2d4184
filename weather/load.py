"""The one entry point a run uses: resolve a site or path and load its weather."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .core import Weather, WeatherError, format_message
from .formats import read_weather
from .readers import DEFAULT_YEAR
from .sites import DATA_DIR, _site_row, list_sites, site_path

__all__ = ["load_weather", "load_weather_source"]

#: File name endings taken as a path rather than a site id (the reader is
#: chosen from the file's content, not from these).
_PATH_SUFFIXES = (".epw", ".csv", ".tm2", ".tmy2", ".json", ".txt", ".gz")


def _looks_like_path(text: str) -> bool:
    return (
        any(ch in text for ch in ("/", "\\"))
        or text.lower().endswith(_PATH_SUFFIXES)
        or Path(text).is_file()
    )


@functools.lru_cache(maxsize=16)
def _load_cached(
    path: str,
    mtime_ns: int,
    size: int,
    year: int,
    strict: bool,
    correct_timing: bool,
    accept_timing_offset: bool,
    relative_humidity_frac: float | None,
    timing_acceptance: str | None,
) -> Weather:
    # mtime_ns and size are part of the key so an edited file is re-read.
    return read_weather(
        path,
        year=year,
        strict=strict,
        correct_timing=correct_timing,
        accept_timing_offset=accept_timing_offset,
        relative_humidity_frac=relative_humidity_frac,
        timing_acceptance=timing_acceptance,
    )


def _bundled_acceptance(path: Path) -> str | None:
    """The stated timing acceptance of a bundled file (by its place in the bundle)."""
    if path.parent != DATA_DIR.resolve():
        return None
    sites = list_sites()
    match = sites[sites["file"] == path.name]
    if match.empty or not match["timing_acceptance"].iloc[0]:
        return None
    site = str(match["site"].iloc[0])
    return f"bundled file {site} ({match['timing_acceptance'].iloc[0]})"


def load_weather(
    site_or_path: str | Path,
    *,
    correct_timing: bool = False,
    year: int = DEFAULT_YEAR,
    strict: bool = True,
    accept_timing_offset: bool = False,
    relative_humidity_frac: float | None = None,
) -> Weather:
    """Load, check and (optionally) timing-correct a weather year.

    Parameters
    ----------
    site_or_path : str or Path
        A bundled site id (see :func:`weather.list_sites`, case-insensitive,
        e.g. ``"suzhou-tmyx"``) or a path to a weather file in any format
        of :data:`weather.formats.FORMATS` except the generic CSV (chosen
        from the file's content, not its extension; plain or gzip).
    correct_timing : bool
        Shift the irradiance columns earlier by the measured timing offset
        rounded to the minute (:func:`weather.shift_irradiance`); recorded in
        ``timing_correction_min`` and as an ``"info"`` issue. Without it, an
        offset beyond ±20 min adds a ``"warning"`` issue that says how to opt
        in (``correct_timing = true`` in the config's ``[weather]`` table).
    year : int
        Nominal calendar year of the index (2025 by default).
    strict : bool
        Raise :class:`WeatherError` if any error-severity issue remains.
    accept_timing_offset : bool
        Accept a measured timing offset beyond
        :data:`weather.readers.TIMING_REFUSAL_MIN` (refused otherwise) and use
        the data as they are; a ``"timing_offset_accepted"`` warning records
        it. The four bundled CSWD files about an hour late are accepted with
        the reason stated in ``weather/data/sites.csv``.
    relative_humidity_frac : float, optional
        Stated constant humidity for a file that has none (PVGIS hourly series).

    Returns
    -------
    Weather
        A fresh copy of the frame on every call, so callers may not disturb
        each other; the parsed result is cached per (path, mtime, size,
        options).

    Raises
    ------
    WeatherError
        Unknown site (message lists the bundled ids), missing file (message
        names the path), unrecognised format (the message lists the
        formats tried), or unusable data.

    Examples
    --------
    >>> w = load_weather("suzhou-tmyx")
    >>> w.frame.shape, w.data_kind
    ((8760, 10), 'TMYx')
    """
    site = None
    text = str(site_or_path)
    if not isinstance(site_or_path, Path) and not _looks_like_path(text):
        row = _site_row(text)  # raises with the list of bundled ids
        site = str(row["site"])
        path = site_path(site)
    else:
        path = Path(site_or_path)
    if not path.is_file():
        msg = format_message(
            str(path),
            "path",
            "an existing weather file",
            "no such file",
            "check the path, or pass a bundled site id (weather.list_sites())",
        )
        raise WeatherError(msg)
    resolved = path.resolve()
    stat = resolved.stat()
    weather = _load_cached(
        str(resolved),
        stat.st_mtime_ns,
        stat.st_size,
        int(year),
        bool(strict),
        bool(correct_timing),
        bool(accept_timing_offset),
        None if relative_humidity_frac is None else float(relative_humidity_frac),
        _bundled_acceptance(resolved),
    )
    extra: dict[str, object] = {"frame": weather.frame.copy()}
    if site is not None:
        row = _site_row(site)
        extra.update(site=site, attribution=str(row["attribution"]))
        if weather.sha256 != row["sha256"]:
            msg = format_message(
                str(path),
                "sha256",
                f"{row['sha256']} (weather/data/sites.csv)",
                weather.sha256,
                "restore the bundled file from the repository",
            )
            raise WeatherError(msg)
    return dataclasses.replace(weather, **extra)


def load_weather_source(
    *,
    site: str | None = None,
    file: str | Path | None = None,
    synthetic: Mapping[str, Any] | None = None,
    csv: Mapping[str, Any] | None = None,
    base_dir: str | Path = ".",
    correct_timing: bool = False,
    accept_timing_offset: bool = False,
    relative_humidity_frac: float | None = None,
    year: int = DEFAULT_YEAR,
    seed: int = 0,
    name: str | None = None,
) -> Weather:
    """Load the weather of a config's ``[weather]`` table: a site, a file or a synthetic year.

    Parameters
    ----------
    site, file, synthetic
        Exactly one: a bundled site id, a file path (relative paths are
        relative to ``base_dir``), or the keyword arguments of
        :func:`weather.synthetic_year` (its ``seed`` key, if given and not
        None, overrides ``seed``).
    csv : mapping, optional
        With ``file``: the description of a generic CSV (the ``**csv``
        options of :func:`weather.read_weather`).
    base_dir : str or Path
        Folder that a relative ``file`` is relative to.
    correct_timing, accept_timing_offset, relative_humidity_frac, year
        As for :func:`load_weather` (``correct_timing`` does not apply to a
        synthetic year, which is generated on solar time).
    seed : int
        Seed of a synthetic year without its own.
    name : str, optional
        Name of a synthetic site.

    Returns
    -------
    Weather

    Raises
    ------
    WeatherError
        None or several sources given, or any error of the loader used.
    """
    given = [
        k for k, v in (("site", site), ("file", file), ("synthetic", synthetic)) if v is not None
    ]
    if len(given) != 1:
        msg = format_message(
            "[weather]",
            "site/file/synthetic",
            "exactly one source",
            ", ".join(given) or "none",
            "give a site id, a file or a synthetic table",
        )
        raise WeatherError(msg)
    if synthetic is not None:
        from .synthetic import synthetic_year

        spec = dict(synthetic)
        own_seed = spec.pop("seed", None)
        return synthetic_year(
            **spec, seed=seed if own_seed is None else int(own_seed), year=year, name=name
        )
    if site is not None:
        target: str | Path = site
    else:
        path = Path(file)
        target = path if path.is_absolute() else Path(base_dir) / path
        if csv is not None:
            return read_weather(
                target,
                format="csv",
                year=year,
                correct_timing=correct_timing,
                accept_timing_offset=accept_timing_offset,
                **dict(csv),
            )
    return load_weather(
        target,
        correct_timing=correct_timing,
        year=year,
        accept_timing_offset=accept_timing_offset,
        relative_humidity_frac=relative_humidity_frac,
    )
