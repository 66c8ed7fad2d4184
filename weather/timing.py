"""Is the irradiance centred on the sun? Measuring and correcting timing offsets.

Typical-year files disagree on what an hourly row means. For an EPW the
value of hour *h* is the total over clock hour (*h*−1, *h*], so on a clear
day the GHI centroid, with each value placed at its interval midpoint,
falls on apparent solar noon. Many Chinese files are centred 30–80 min late
or 30 min early (``weather/data/SOURCES.md`` §3); such an offset shifts
plane-of-array transposition and the morning/afternoon asymmetry, not the
annual total.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
from pvlib import clearsky, solarposition

from ._solar import subhourly_cos_zenith
from .core import Location, WeatherError, format_message
from .variables import IRRADIANCE_COLUMNS

__all__ = [
    "CLEAR_DAY_FRACTION",
    "MIN_CLEAR_DAYS",
    "measure_timing_offset_min",
    "shift_irradiance",
]

#: A day counts as clear-ish when its GHI total exceeds this fraction of the
#: Haurwitz clear-sky total (SOURCES.md §3 uses 60 %).
CLEAR_DAY_FRACTION = 0.6

#: Fewer qualifying days than this and the offset is reported as NaN.
MIN_CLEAR_DAYS = 10


def _step_s(index: pd.DatetimeIndex, what: str) -> float:
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None or len(index) < 2:
        msg = format_message(
            "<frame>",
            "index",
            "a tz-aware DatetimeIndex of interval starts with >= 2 rows",
            f"{type(index).__name__} of {len(index)} rows",
            f"pass a weather frame to {what}",
        )
        raise WeatherError(msg)
    steps = np.diff(index.asi8)
    if (steps != steps[0]).any() or steps[0] <= 0:
        msg = format_message(
            "<frame>",
            "index",
            f"a regular, increasing time step for {what}",
            "irregular steps",
            "reindex to a complete regular series first (see check_timestamps)",
        )
        raise WeatherError(msg)
    return float(pd.Timedelta(int(steps[0]), unit=index.unit).total_seconds())


#: A time base whose UTC offset is this far from longitude / 15° is not a local
#: time (e.g. PVGIS's UTC at 120° E): days are then cut at the site's mean
#: solar midnight instead of the base's midnight [h].
SOLAR_DAY_TOLERANCE_H = 3.0


def _index_on_solar_days(index: pd.DatetimeIndex, longitude_deg: float) -> pd.DatetimeIndex:
    """The same instants in a fixed offset near local mean solar time, if the
    index's own offset is far from it (so a day's daylight is not split at
    the base's midnight); otherwise the index unchanged."""
    offset_h = index[0].utcoffset().total_seconds() / 3600.0 if len(index) else 0.0
    solar_h = longitude_deg / 15.0
    if abs(offset_h - solar_h) <= SOLAR_DAY_TOLERANCE_H:
        return index
    tz = datetime.timezone(datetime.timedelta(hours=round(solar_h)))
    return index.tz_convert(tz)


def measure_timing_offset_min(
    frame: pd.DataFrame,
    location: Location,
    *,
    clear_day_fraction: float = CLEAR_DAY_FRACTION,
    min_days: int = MIN_CLEAR_DAYS,
) -> float:
    """Median offset of the daily GHI centroid from apparent solar noon.

    For each complete local day whose GHI total exceeds ``clear_day_fraction``
    of the Haurwitz clear-sky total, the GHI-weighted centroid time is
    computed with every hourly value placed at its interval midpoint (label
    + 30 min), and apparent solar noon (sun transit, NREL SPA via
    :func:`pvlib.solarposition.sun_rise_set_transit_spa`) is subtracted.

    Parameters
    ----------
    frame : pandas.DataFrame
        Hourly weather frame with ``ghi_w_per_m2`` [W/m²], tz-aware index of
        interval starts.
    location : Location
        Site (latitude and longitude are used).
    clear_day_fraction : float
        Threshold on daily GHI / clear-sky GHI [-].
    min_days : int
        Minimum number of qualifying days.

    Returns
    -------
    float
        Median of (centroid − solar noon) over qualifying days, positive =
        data late [min]; NaN if fewer than ``min_days`` days qualify.

    Raises
    ------
    WeatherError
        If the index is not tz-aware and regular hourly.

    Notes
    -----
    Centroid of day *d*: :math:`t_c = \\sum_i G_i (t_i + 30) / \\sum_i G_i`,
    with :math:`G_i` the hourly GHI and :math:`t_i` the label in minutes
    after local midnight. Clear-sky GHI is the Haurwitz model [1]_
    averaged over six points per hour.

    References
    ----------
    .. [1] Haurwitz, B. (1945). Insolation in relation to cloudiness and
       cloud density. Journal of Meteorology 2, 154–166.
    .. [2] Reda, I. and Andreas, A. (2004). Solar position algorithm for solar
       radiation applications. Solar Energy 76(5), 577–589.
    """
    index = frame.index
    step_s = _step_s(index, "measure_timing_offset_min")
    index = _index_on_solar_days(index, location.longitude_deg)
    if step_s != 3600.0:
        msg = format_message(
            "<frame>",
            "index",
            "an hourly step",
            f"a step of {step_s:g} s",
            "resample to hourly interval means first",
        )
        raise WeatherError(msg)
    ghi = frame["ghi_w_per_m2"].to_numpy(dtype=np.float64, na_value=np.nan)

    cos_z, _ = subhourly_cos_zenith(index, location.latitude_deg, location.longitude_deg)
    zenith_deg = np.degrees(np.arccos(np.clip(cos_z, -1.0, 1.0)))
    clear = clearsky.haurwitz(pd.Series(zenith_deg.ravel()))["ghi"].to_numpy()
    clear_w_per_m2 = clear.reshape(cos_z.shape).mean(axis=1)

    wall_s = index.tz_localize(None).as_unit("s").asi8
    day = wall_s // 86400
    mid_min = (wall_s % 86400) / 60.0 + 30.0
    days, inverse, counts = np.unique(day, return_inverse=True, return_counts=True)
    n_days = days.size
    ghi_day = np.bincount(inverse, weights=np.nan_to_num(ghi, nan=0.0), minlength=n_days)
    moment_day = np.bincount(inverse, weights=np.nan_to_num(ghi * mid_min), minlength=n_days)
    clear_day = np.bincount(inverse, weights=clear_w_per_m2, minlength=n_days)
    has_nan = np.bincount(inverse, weights=np.isnan(ghi).astype(float), minlength=n_days) > 0
    ok = (counts == 24) & ~has_nan & (clear_day > 0) & (ghi_day > clear_day_fraction * clear_day)
    if ok.sum() < min_days:
        return float("nan")

    midnights = pd.DatetimeIndex(days[ok].astype("datetime64[D]")).tz_localize(index.tz)
    transit = solarposition.sun_rise_set_transit_spa(
        midnights, location.latitude_deg, location.longitude_deg
    )["transit"]
    noon_min = (pd.DatetimeIndex(transit) - midnights).total_seconds().to_numpy() / 60.0
    centroid_min = moment_day[ok] / ghi_day[ok]
    return float(np.nanmedian(centroid_min - noon_min))


def shift_irradiance(frame: pd.DataFrame, minutes: float) -> pd.DataFrame:
    """Move the irradiance columns earlier in time by ``minutes``.

    Each interval mean is treated as constant power over its interval; the
    series is displaced by ``minutes`` and re-averaged over the original
    intervals, i.e. linear interpolation between neighbouring intervals
    weighted by their overlap. The series wraps around the end of the frame
    (a typical year is cyclic), so the total is conserved exactly and daily
    totals up to the night-time values crossing midnight; the centroid moves
    by exactly ``minutes``. Values are convex combinations of the inputs, so
    non-negative input stays non-negative and DHI ≤ GHI is preserved.

    Parameters
    ----------
    frame : pandas.DataFrame
        Weather frame on a regular tz-aware index of interval starts.
    minutes : float
        Shift, positive = move data earlier (correct data that is late) [min].

    Returns
    -------
    pandas.DataFrame
        A new frame; ``ghi_w_per_m2``, ``dni_w_per_m2``, ``dhi_w_per_m2``
        shifted (those present), other columns unchanged.

    Raises
    ------
    WeatherError
        If ``minutes`` is not finite or the index is not regular.

    Notes
    -----
    With step :math:`\\Delta t` and :math:`s = m/\\Delta t = k + f`
    (:math:`k` integer, :math:`0 \\le f < 1`):
    :math:`G'_i = (1 - f)\\,G_{i+k} + f\\,G_{i+k+1}` (indices modulo *n*).

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.date_range("2025-06-01", periods=4, freq="h", tz="UTC+08:00")
    >>> df = pd.DataFrame({"ghi_w_per_m2": [0.0, 100.0, 300.0, 0.0]}, index=idx)
    >>> shift_irradiance(df, 30)["ghi_w_per_m2"].tolist()
    [50.0, 200.0, 150.0, 0.0]
    """
    if not np.isfinite(minutes):
        msg = format_message(
            "<frame>",
            "minutes",
            "a finite shift in minutes",
            repr(minutes),
            "pass the measured offset (weather.timing_offset_min) only when it is not NaN",
        )
        raise WeatherError(msg)
    step_s = _step_s(frame.index, "shift_irradiance")
    shift_steps = float(minutes) * 60.0 / step_s
    k = int(np.floor(shift_steps))
    f = shift_steps - k
    out = frame.copy()
    for col in IRRADIANCE_COLUMNS:
        if col not in frame.columns:
            continue
        values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        shifted = (1.0 - f) * np.roll(values, -k) + f * np.roll(values, -(k + 1))
        out[col] = shifted
    return out
