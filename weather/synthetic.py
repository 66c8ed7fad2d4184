"""What weather does a place with no file have? A synthetic year from monthly means.

From a climate table (monthly global horizontal irradiation, mean air
temperature and its mean daily range, mean relative humidity) this module
builds an hourly year with published methods, seeded:

1. **Daily clearness** by the Markov transition matrices of Aguiar,
   Collares-Pereira and Conde (1988) [1]_: the matrix of the month's
   clearness class drives a chain of daily clearness indices; a month is
   drawn again until its mean is within :data:`MONTH_KT_TOLERANCE` of the
   target, then the days are scaled so the month's irradiation equals the
   input exactly.
2. **Hourly global irradiance**: the mean daily profile of Collares-Pereira
   and Rabl (1979) [2]_ (ratio r_t of hourly to daily global irradiation),
   with the hour-to-hour fluctuation of the TAG model of Aguiar and
   Collares-Pereira (1992) [3]_ (a first-order autoregressive Gaussian
   process in the hourly clearness index, with their standard deviation,
   lag-one correlation and clear-sky bound), rescaled so each day keeps its
   daily irradiation.
3. **Diffuse**: the daily diffuse fraction of Collares-Pereira and Rabl
   (1979) [2]_ and the hourly split of Liu and Jordan (1960) [4]_ (ratio r_d),
   capped at the hour's global; DNI closes the balance
   ``DNI = (GHI − DHI) / cos θz``.
4. **Temperature**: daily means interpolated between mid-month values and
   corrected so each month's mean equals the input; the diurnal shape is the
   ASHRAE fraction-of-daily-range profile [5]_ in apparent solar time,
   scaled by the month's mean daily range.
5. **Humidity**: one dew point per month, found so the month's mean relative
   humidity equals the input (Magnus form [6]_); RH follows the diurnal
   temperature swing (constant vapour pressure within a month).

The result is marked ``data_kind = "synthetic"`` (provenance and reports)
and carries the seed in its hash. What it cannot give: the day-to-day
weather fronts of temperature (no random daily temperature anomalies) and
any correlation between cloudy days and cool days; use it where no
measured or typical year exists, not in place of one.

References
----------
.. [1] Aguiar, R. J., Collares-Pereira, M. and Conde, J. P. (1988). Simple
   procedure for generating sequences of daily radiation values using a
   library of Markov transition matrices. Solar Energy 40(3), 269–279.
   :doi:`10.1016/0038-092X(88)90049-7`
.. [2] Collares-Pereira, M. and Rabl, A. (1979). The average distribution of
   solar radiation — correlations between diffuse and hemispherical and
   between daily and hourly insolation values. Solar Energy 22(2), 155–164.
   :doi:`10.1016/0038-092X(79)90100-2`
.. [3] Aguiar, R. and Collares-Pereira, M. (1992). TAG: a time-dependent,
   autoregressive, Gaussian model for generating synthetic hourly
   radiation. Solar Energy 49(3), 167–174. :doi:`10.1016/0038-092X(92)90068-L`
.. [4] Liu, B. Y. H. and Jordan, R. C. (1960). The interrelationship and
   characteristic distribution of direct, diffuse and total solar
   radiation. Solar Energy 4(3), 1–19. :doi:`10.1016/0038-092X(60)90062-1`
.. [5] ASHRAE (2009). Handbook — Fundamentals, chapter 14, table 6
   (fraction of daily temperature range).
.. [6] Alduchov, O. A. and Eskridge, R. E. (1996). Improved Magnus form
   approximation of saturation vapor pressure. Journal of Applied
   Meteorology 35(4), 601–609.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
from pvlib import atmosphere

from . import _mtm
from ._solar import (
    epoch_seconds,
    extraterrestrial_horizontal_mean,
    hour_angle_declination,
    subhourly_cos_zenith,
)
from .core import Location, Weather, WeatherError, WeatherIssue, format_message
from .readers import DEFAULT_YEAR, _assemble
from .variables import CANONICAL_COLUMNS

__all__ = [
    "ASHRAE_RANGE_FRACTION",
    "MONTH_KT_TOLERANCE",
    "daily_clearness_markov",
    "diffuse_fraction_daily_cpr",
    "hourly_ratio_global_cpr",
    "hourly_ratio_diffuse_lj",
    "synthetic_year",
]

#: A month's drawn daily clearness sequence is accepted when its mean is
#: within this of the target (then scaled exactly) [-]; Aguiar et al. (1988)
#: likewise redraw sequences whose mean strays from the month's.
MONTH_KT_TOLERANCE = 0.01

#: Draws per month before the closest sequence is kept.
MAX_DRAWS_PER_MONTH = 200

#: Fraction of the daily temperature range below the daily maximum at hours
#: 1..24 (ASHRAE 2009 Fundamentals ch. 14, table 6): T = Tmax − f · range.
ASHRAE_RANGE_FRACTION = np.array(
    [0.88, 0.92, 0.95, 0.98, 1.00, 0.98, 0.91, 0.74, 0.55, 0.38, 0.23, 0.13,
     0.05, 0.00, 0.00, 0.06, 0.14, 0.24, 0.39, 0.50, 0.59, 0.68, 0.75, 0.82]
)  # fmt: skip

#: Magnus coefficients over water (Alduchov and Eskridge 1996) [-], [°C].
_MAGNUS_A, _MAGNUS_B = 17.625, 243.04

#: Wind speed used when the climate table gives none [m/s] (stated in the issues).
DEFAULT_WIND_SPEED_M_PER_S = 1.0


def _class_of(kt_month: float) -> int:
    return int(np.searchsorted(_mtm.CLASS_UPPER_BOUNDS, kt_month, side="left"))


def daily_clearness_markov(
    kt_month: float, n_days: int, rng: np.random.Generator, kt_start: float | None = None
) -> np.ndarray:
    """One month of daily clearness indices from the Aguiar et al. (1988) matrices.

    Parameters
    ----------
    kt_month : float
        Target monthly-mean clearness index [-].
    n_days : int
        Days in the month.
    rng : numpy.random.Generator
        Random source.
    kt_start : float, optional
        Yesterday's clearness index (the chain continues across months);
        default the state holding ``kt_month``.

    Returns
    -------
    array
        Daily clearness indices [-], within the class's [Kt_min, Kt_max].

    Notes
    -----
    The class *k* is the one whose interval holds ``kt_month``; its ten
    states split [Kt_min, Kt_max] evenly; tomorrow's state is drawn from row
    *i* of matrix *k*, and the value uniformly within that state (Aguiar et
    al. 1988, section 3).
    """
    k = _class_of(kt_month)
    lo, hi = _mtm.KT_MIN[k], _mtm.KT_MAX[k]
    width = (hi - lo) / 10.0
    cum = np.cumsum(_mtm.MATRICES[k], axis=1)
    state = int(np.clip((kt_start if kt_start is not None else kt_month) - lo, 0, hi - lo) // width)
    state = min(state, 9)
    draws = rng.random((n_days, 2))
    out = np.empty(n_days)
    for d in range(n_days):
        state = min(int(np.searchsorted(cum[state], draws[d, 0], side="right")), 9)
        out[d] = lo + (state + draws[d, 1]) * width
    return out


def hourly_ratio_global_cpr(hour_angle_rad: np.ndarray, sunset_angle_rad: np.ndarray) -> np.ndarray:
    """Collares-Pereira–Rabl ratio r_t of hourly to daily global irradiation [1/h].

    .. math:: r_t = \\frac{\\pi}{24} (a + b\\cos\\omega)
              \\frac{\\cos\\omega - \\cos\\omega_s}{\\sin\\omega_s - \\omega_s\\cos\\omega_s},
              a = 0.409 + 0.5016\\sin(\\omega_s - 60°),
              b = 0.6609 - 0.4767\\sin(\\omega_s - 60°)

    zero outside the daylight hours. ``hour_angle_rad`` ω and
    ``sunset_angle_rad`` ω_s broadcast [rad].
    """
    a = 0.409 + 0.5016 * np.sin(sunset_angle_rad - np.radians(60.0))
    b = 0.6609 - 0.4767 * np.sin(sunset_angle_rad - np.radians(60.0))
    return (a + b * np.cos(hour_angle_rad)) * hourly_ratio_diffuse_lj(
        hour_angle_rad, sunset_angle_rad
    )


def hourly_ratio_diffuse_lj(hour_angle_rad: np.ndarray, sunset_angle_rad: np.ndarray) -> np.ndarray:
    """Liu–Jordan ratio r_d of hourly to daily diffuse irradiation [1/h].

    .. math:: r_d = \\frac{\\pi}{24}
              \\frac{\\cos\\omega - \\cos\\omega_s}{\\sin\\omega_s - \\omega_s\\cos\\omega_s}

    zero outside the daylight hours.
    """
    denom = np.sin(sunset_angle_rad) - sunset_angle_rad * np.cos(sunset_angle_rad)
    value = (np.pi / 24.0) * (np.cos(hour_angle_rad) - np.cos(sunset_angle_rad))
    return np.where(denom > 1e-9, np.maximum(value, 0.0) / np.maximum(denom, 1e-9), 0.0)


def diffuse_fraction_daily_cpr(kt_day: np.ndarray) -> np.ndarray:
    """Daily diffuse fraction H_d/H of Collares-Pereira and Rabl (1979) [-].

    0.99 for K_T ≤ 0.17; 1.188 − 2.272 K_T + 9.473 K_T² − 21.865 K_T³ +
    14.648 K_T⁴ up to 0.75; −0.54 K_T + 0.632 up to 0.80; 0.2 above.
    """
    kt = np.asarray(kt_day, dtype=np.float64)
    poly = 1.188 - 2.272 * kt + 9.473 * kt**2 - 21.865 * kt**3 + 14.648 * kt**4
    return np.select(
        [kt <= 0.17, kt < 0.75, kt < 0.80], [0.99, poly, -0.54 * kt + 0.632], default=0.2
    )


def _tag_fluctuation(
    kt_mean_h: np.ndarray,
    kt_day: np.ndarray,
    sin_alpha: np.ndarray,
    hour_from_noon_h: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Hourly clearness with TAG fluctuations, shape (days, 24) [-].

    y_h = φ y_{h−1} + sqrt(1 − φ²) ε, ε ~ N(0, 1); kt = kt_mean + σ y,
    σ = A exp(B (1 − sin α)), A = 0.14 exp(−20 (K_t − 0.35)²),
    B = 3 (K_t − 0.45)² + 16 K_t⁵, φ = 0.38 + 0.06 cos(7.4 K_t − 2.5);
    bounded by 0 and the clear-sky index 0.88 cos(π h / 30) with h the
    hours from solar noon (Aguiar and Collares-Pereira 1992).
    """
    kt_d = kt_day[:, None]
    phi = 0.38 + 0.06 * np.cos(7.4 * kt_d - 2.5)
    amp = 0.14 * np.exp(-20.0 * (kt_d - 0.35) ** 2)
    expo = 3.0 * (kt_d - 0.45) ** 2 + 16.0 * kt_d**5
    sigma = amp * np.exp(expo * (1.0 - np.clip(sin_alpha, 0.0, 1.0)))
    eps = rng.standard_normal(kt_mean_h.shape)
    y = np.empty_like(kt_mean_h)
    y[:, 0] = eps[:, 0]
    innov = np.sqrt(1.0 - phi[:, 0] ** 2)
    for h in range(1, kt_mean_h.shape[1]):
        y[:, h] = phi[:, 0] * y[:, h - 1] + innov * eps[:, h]
    kcs = 0.88 * np.cos(np.pi * np.clip(hour_from_noon_h, -15.0, 15.0) / 30.0)
    return np.clip(kt_mean_h + sigma * y, 0.0, kcs), kcs


def _as12(values: Sequence[float] | None, name: str, lo: float, hi: float) -> np.ndarray:
    arr = np.asarray(values if values is not None else [], dtype=np.float64)
    if arr.shape != (12,) or not np.all(np.isfinite(arr)) or (arr < lo).any() or (arr > hi).any():
        msg = format_message(
            "[weather.synthetic]",
            name,
            f"12 monthly values (January..December) in {lo:g}..{hi:g}",
            repr([round(float(x), 3) for x in np.atleast_1d(arr)]),
            "give one value per month from the climate table",
        )
        raise WeatherError(msg)
    return arr


def _rh_from(temp_c: np.ndarray, dew_c: np.ndarray) -> np.ndarray:
    a, b = _MAGNUS_A, _MAGNUS_B
    return np.exp(a * dew_c / (b + dew_c) - a * temp_c / (b + temp_c))


def synthetic_year(
    *,
    latitude_deg: float,
    longitude_deg: float,
    monthly_ghi_kwh_per_m2: Sequence[float],
    monthly_temp_c: Sequence[float],
    monthly_temp_range_c: Sequence[float],
    monthly_relative_humidity_frac: Sequence[float],
    elevation_m: float = 0.0,
    tz_offset_h: float = 8.0,
    monthly_wind_speed_m_per_s: Sequence[float] | None = None,
    seed: int = 0,
    year: int = DEFAULT_YEAR,
    name: str | None = None,
    strict: bool = True,
) -> Weather:
    """Generate a synthetic hourly year from monthly climate means (see module docstring).

    Parameters
    ----------
    latitude_deg, longitude_deg : float
        Site, north and east positive [°].
    monthly_ghi_kwh_per_m2 : sequence of 12 float
        Global horizontal irradiation of each month (total, not per day) [kWh/m²].
    monthly_temp_c : sequence of 12 float
        Mean air temperature of each month [°C].
    monthly_temp_range_c : sequence of 12 float
        Mean daily range (mean daily maximum − mean daily minimum) [K].
    monthly_relative_humidity_frac : sequence of 12 float
        Mean relative humidity, 0..1 [-].
    elevation_m : float
        Site elevation [m] (station pressure from the standard atmosphere).
    tz_offset_h : float
        UTC offset of local standard time [h] (China: 8).
    monthly_wind_speed_m_per_s : sequence of 12 float, optional
        Mean wind speed [m/s]; default :data:`DEFAULT_WIND_SPEED_M_PER_S`.
    seed : int
        Seed of every random draw (in the hash and the attribution).
    year : int
        Calendar year of the index.
    name : str, optional
        Site name for messages and provenance.
    strict : bool
        Raise :class:`WeatherError` if a check finds an error.

    Returns
    -------
    Weather
        ``data_kind = "synthetic"``; ``sha256`` hashes the inputs and seed.

    Raises
    ------
    WeatherError
        Inputs of the wrong length or range, or a monthly irradiation that no
        climate has (the clearness index outside 0.05..0.80, e.g. MJ/m² given
        as kWh/m²).
    """
    ghi_m = _as12(monthly_ghi_kwh_per_m2, "monthly_ghi_kwh_per_m2", 0.0, 2000.0)
    temp_m = _as12(monthly_temp_c, "monthly_temp_c", -60.0, 50.0)
    range_m = _as12(monthly_temp_range_c, "monthly_temp_range_c", 0.0, 40.0)
    rh_m = _as12(monthly_relative_humidity_frac, "monthly_relative_humidity_frac", 0.01, 1.0)
    wind_given = monthly_wind_speed_m_per_s is not None
    wind_m = (
        _as12(monthly_wind_speed_m_per_s, "monthly_wind_speed_m_per_s", 0.0, 60.0)
        if wind_given
        else np.full(12, DEFAULT_WIND_SPEED_M_PER_S)
    )
    spec = {
        "latitude_deg": float(latitude_deg),
        "longitude_deg": float(longitude_deg),
        "elevation_m": float(elevation_m),
        "tz_offset_h": float(tz_offset_h),
        "monthly_ghi_kwh_per_m2": ghi_m.tolist(),
        "monthly_temp_c": temp_m.tolist(),
        "monthly_temp_range_c": range_m.tolist(),
        "monthly_relative_humidity_frac": rh_m.tolist(),
        "monthly_wind_speed_m_per_s": wind_m.tolist(),
        "seed": int(seed),
        "year": int(year),
        "method": "aguiar1988-mtm+cpr1979+tag1992+lj1960+ashrae-range",
    }
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    label = name or f"synthetic {latitude_deg:.3f}, {longitude_deg:.3f}"
    source = f"synthetic:{label}"
    location = Location(
        label,
        "synthetic",
        float(latitude_deg),
        float(longitude_deg),
        float(elevation_m),
        float(tz_offset_h),
    )
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))

    tz = datetime.timezone(datetime.timedelta(hours=float(tz_offset_h)))
    n_hours = 8784 if calendar.isleap(int(year)) else 8760
    index = pd.date_range(pd.Timestamp(int(year), 1, 1), periods=n_hours, freq="h").tz_localize(tz)
    n_days = n_hours // 24
    month_of_day = np.asarray(index.month[::24]) - 1

    # sun: interval-mean extraterrestrial irradiance, hour angles at 10-min sub-points
    extra_h = extraterrestrial_horizontal_mean(index, latitude_deg, longitude_deg)
    cos_z, _ = subhourly_cos_zenith(index, latitude_deg, longitude_deg)
    t_sub = (
        epoch_seconds(index)[:, None] + (np.arange(cos_z.shape[1]) + 0.5) * 3600.0 / cos_z.shape[1]
    )
    omega, decl = hour_angle_declination(t_sub, longitude_deg)
    lat = np.radians(latitude_deg)
    omega_s = np.arccos(np.clip(-np.tan(lat) * np.tan(decl), -1.0, 1.0))
    r_t = hourly_ratio_global_cpr(omega, omega_s).mean(axis=1).reshape(n_days, 24)
    r_d = hourly_ratio_diffuse_lj(omega, omega_s).mean(axis=1).reshape(n_days, 24)
    extra = extra_h.reshape(n_days, 24)
    h0_day = extra.sum(axis=1)  # [Wh/m²]
    r_t = r_t / np.maximum(r_t.sum(axis=1, keepdims=True), 1e-12)
    r_d = r_d / np.maximum(r_d.sum(axis=1, keepdims=True), 1e-12)

    # 1. daily clearness by month (Markov chain across the year)
    h0_month = np.bincount(month_of_day, weights=h0_day, minlength=12)
    kt_target = ghi_m * 1000.0 / h0_month
    if (kt_target < 0.05).any() or (kt_target > 0.80).any():
        bad = int(np.flatnonzero((kt_target < 0.05) | (kt_target > 0.80))[0])
        msg = format_message(
            source,
            f"monthly_ghi_kwh_per_m2[{bad}]",
            "a monthly clearness index (irradiation / extraterrestrial) in 0.05..0.80",
            f"{kt_target[bad]:.2f} from {ghi_m[bad]:g} kWh/m² against {h0_month[bad] / 1000:.0f} "
            "kWh/m² outside the atmosphere",
            "give the month's total in kWh/m² (MJ/m² ÷ 3.6; a daily mean × days of the month)",
        )
        raise WeatherError(msg)
    kt_day = np.empty(n_days)
    previous = None
    for m in range(12):
        days = np.flatnonzero(month_of_day == m)
        weights = h0_day[days]
        best, best_err = None, np.inf
        for _ in range(MAX_DRAWS_PER_MONTH):
            draw = daily_clearness_markov(kt_target[m], days.size, rng, previous)
            err = abs(float(np.average(draw, weights=weights)) - kt_target[m])
            if err < best_err:
                best, best_err = draw, err
            if err <= MONTH_KT_TOLERANCE:
                break
        best = best * kt_target[m] / np.average(best, weights=weights)
        kt_day[days] = best
        previous = float(best[-1])
    h_day = kt_day * h0_day  # [Wh/m²]

    # 2. hourly global: CPR mean profile + TAG fluctuation, each day rescaled to its total
    sin_alpha = np.clip(cos_z, 0.0, None).mean(axis=1).reshape(n_days, 24)
    omega_mid, _ = hour_angle_declination(epoch_seconds(index) + 1800.0, longitude_deg)
    hour_from_noon = (np.degrees(omega_mid) / 15.0).reshape(n_days, 24)
    sun = extra > 0.0
    kt_mean = np.where(sun, r_t * h_day[:, None] / np.where(sun, extra, 1.0), 0.0)
    kt_h, kcs = _tag_fluctuation(kt_mean, kt_day, sin_alpha, hour_from_noon, rng)
    ghi = np.where(sun, kt_h * extra, 0.0)
    cap = np.where(sun, np.maximum(kcs, 0.0) * extra, 0.0)
    for _ in range(8):
        total = ghi.sum(axis=1, keepdims=True)
        ghi = np.minimum(
            np.where(total > 0, ghi * h_day[:, None] / np.maximum(total, 1e-9), 0), cap
        )

    # 3. diffuse and direct
    dhi = np.minimum(r_d * (diffuse_fraction_daily_cpr(kt_day) * h_day)[:, None], ghi)
    cosz_h = np.clip(cos_z, 0.0, None).mean(axis=1).reshape(n_days, 24)
    beam = ghi - dhi
    low = cosz_h < 0.05
    dhi = np.where(low, ghi, dhi)
    dni = np.where(low, 0.0, beam / np.maximum(cosz_h, 0.05))

    # 4. temperature: mean-preserving daily means + ASHRAE diurnal profile in solar time
    day_of_year = np.arange(n_days)
    mid = np.array([np.flatnonzero(month_of_day == m).mean() for m in range(12)])
    t_day = np.interp(day_of_year, mid, temp_m, period=n_days)
    for _ in range(3):
        t_day += (
            temp_m
            - np.bincount(month_of_day, weights=t_day, minlength=12)
            / np.bincount(month_of_day, minlength=12)
        )[month_of_day]
    solar_hour = np.mod(hour_from_noon + 12.0, 24.0)  # midpoint of each hour, solar time
    table_h = np.arange(1, 25, dtype=np.float64)
    frac = np.interp(solar_hour, table_h, ASHRAE_RANGE_FRACTION, period=24.0)
    # the hours sample the profile off its extremes: stretch so each day spans the full range
    low, high = frac.min(axis=1, keepdims=True), frac.max(axis=1, keepdims=True)
    frac = (frac - low) / (high - low)
    temp = t_day[:, None] + range_m[month_of_day][:, None] * (
        frac.mean(axis=1, keepdims=True) - frac
    )

    # 5. humidity: one dew point per month matching the month's mean RH
    month_h = np.repeat(month_of_day, 24)
    temp_flat = temp.ravel()
    lo = np.full(12, -60.0)
    hi = temp_m + 10.0
    for _ in range(50):
        dew = 0.5 * (lo + hi)
        rh = np.minimum(_rh_from(temp_flat, dew[month_h]), 1.0)
        mean_rh = np.bincount(month_h, weights=rh, minlength=12) / np.bincount(
            month_h, minlength=12
        )
        too_wet = mean_rh > rh_m
        hi = np.where(too_wet, dew, hi)
        lo = np.where(too_wet, lo, dew)
    rh = np.minimum(_rh_from(temp_flat, (0.5 * (lo + hi))[month_h]), 1.0)
    gamma = np.log(rh) + _MAGNUS_A * temp_flat / (_MAGNUS_B + temp_flat)
    dew_flat = _MAGNUS_B * gamma / (_MAGNUS_A - gamma)

    frame = pd.DataFrame(
        {
            "ghi_w_per_m2": ghi.ravel(),
            "dni_w_per_m2": dni.ravel(),
            "dhi_w_per_m2": dhi.ravel(),
            "temp_air_c": temp_flat,
            "temp_dew_c": dew_flat,
            "relative_humidity_frac": rh,
            "wind_speed_m_per_s": wind_m[month_h],
            "wind_direction_deg": 0.0,
            "pressure_pa": float(atmosphere.alt2pres(float(elevation_m))),
            "albedo_frac": np.nan,
        },
        index=index,
    )[list(CANONICAL_COLUMNS)]
    issues = [
        WeatherIssue(
            "synthetic",
            "info",
            f"{source}: all columns: synthetic year (seed {int(seed)}) from monthly means; "
            "not measured weather",
            n_hours,
        ),
        WeatherIssue(
            "derived_column",
            "info",
            f"{source}: wind_direction_deg: not generated; set to 0° (no model uses it)",
            n_hours,
            "wind_direction_deg",
        ),
    ]
    if not wind_given:
        issues.append(
            WeatherIssue(
                "derived_column",
                "info",
                f"{source}: wind_speed_m_per_s: no monthly wind given; "
                f"{DEFAULT_WIND_SPEED_M_PER_S:g} m/s (still air for module temperature models)",
                n_hours,
                "wind_speed_m_per_s",
            )
        )
    weather = _assemble(
        frame,
        location=location,
        source=source,
        sha256=digest,
        data_kind="synthetic",
        label_rule="synthetic: generated as hourly interval means labelled at interval start "
        "(apparent solar time from longitude and the equation of time); shift applied: 0 min",
        source_years=tuple((m, int(year)) for m in range(1, 13)),
        issues=issues,
        strict=strict,
        correct_timing=False,
    )
    attribution = (
        f"Synthetic year, seed {int(seed)}: daily clearness by the Markov matrices of Aguiar, "
        "Collares-Pereira and Conde (1988); hourly by Collares-Pereira and Rabl (1979) with TAG "
        "fluctuations (Aguiar and Collares-Pereira 1992); diffuse by Collares-Pereira and Rabl "
        "(1979) and Liu and Jordan (1960)"
    )
    import dataclasses

    return dataclasses.replace(weather, attribution=attribution)
