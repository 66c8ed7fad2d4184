"""Weather for factory-twin: bundled typical years, readers, checks, timing.

Load a bundled site or a file and get a checked hourly frame in canonical
columns and SI units, labelled at interval start::

    >>> from twin import weather
    >>> w = weather.load_weather("shanghai-cswd")
    >>> list(w.frame.columns) == list(weather.CANONICAL_COLUMNS)
    True

This package imports nothing from ``twin`` or ``components``.
"""

from .checks import (
    check_irradiance,
    check_location,
    check_missing,
    check_ranges,
    check_timestamps,
    check_units,
)
from .core import Location, Weather, WeatherError, WeatherIssue, format_message
from .formats import FORMATS, detect_format, read_weather, read_weather_years
from .load import load_weather, load_weather_source
from .readers import read_epw, read_tmy3
from .restamp import to_year
from .sites import list_sites, site_path
from .synthetic import synthetic_year
from .timing import measure_timing_offset_min, shift_irradiance
from .variables import CANONICAL_COLUMNS

__all__ = [
    "CANONICAL_COLUMNS",
    "FORMATS",
    "Location",
    "Weather",
    "WeatherError",
    "WeatherIssue",
    "check_irradiance",
    "check_location",
    "check_missing",
    "check_ranges",
    "check_timestamps",
    "check_units",
    "detect_format",
    "format_message",
    "list_sites",
    "load_weather",
    "load_weather_source",
    "measure_timing_offset_min",
    "read_epw",
    "read_tmy3",
    "read_weather",
    "read_weather_years",
    "shift_irradiance",
    "site_path",
    "synthetic_year",
    "to_year",
]
