"""Moist air: what is the humidity ratio and the wet-bulb temperature of the outdoor air?

Chillers with cooling towers see the outdoor **wet-bulb** temperature (the
tower leaves its water a few kelvin above it), evaporative pre-coolers
bring air towards it, and air-source heat pumps frost their coils according
to the outdoor **humidity ratio**. The weather gives dry-bulb temperature,
relative humidity and station pressure; this module turns them into those
quantities with the psychrometric equations of the ASHRAE Handbook of
Fundamentals (2017, chapter 1), as implemented in PsychroLib.

All functions are pure, vectorised over numpy arrays (scalars broadcast),
and take pressures in [Pa] and temperatures in [°C].

References
----------
.. [1] ASHRAE Handbook - Fundamentals (SI), 2017, chapter 1
   "Psychrometrics": eq. 5 and 6 (saturation pressure over ice and over
   water, Hyland and Wexler 1983), eq. 20 and 22 (humidity ratio), eq. 33
   and 35 (humidity ratio from the wet-bulb temperature).
.. [2] D. Meyer, D. Thevenard, "PsychroLib: a library of psychrometric
   functions to calculate thermodynamic properties of air", Journal of Open
   Source Software 4(33), 1137 (2019), :doi:`10.21105/joss.01137`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DRY_AIR_HEAT_CAPACITY_J_PER_KG_K",
    "LATENT_HEAT_J_PER_KG",
    "STANDARD_PRESSURE_PA",
    "enthalpy_j_per_kg",
    "humidity_ratio_from_relative_humidity",
    "humidity_ratio_saturated",
    "pressure_from_elevation_pa",
    "saturation_pressure_pa",
    "wet_bulb_temp_c",
]

STANDARD_PRESSURE_PA = 101325.0
"""Standard atmosphere at sea level [Pa]."""

DRY_AIR_HEAT_CAPACITY_J_PER_KG_K = 1006.0
"""Specific heat of dry air c_pa (ASHRAE 2017, ch. 1, eq. 30: 1.006 kJ/(kg·K)) [J/(kg·K)]."""

LATENT_HEAT_J_PER_KG = 2_501_000.0
"""Enthalpy of vaporisation of water at 0 °C, h_g,0 (ASHRAE 2017, ch. 1, eq. 30: 2501 kJ/kg);
with ρ = 1.2 kg/m³ it gives the 3010 W/(L/s) latent factor of ch. 18, eq. 10 [J/kg]."""

_MOLAR_MASS_RATIO = 0.621945
"""Ratio of the molar masses of water vapour and dry air [-] (ASHRAE 2017, ch. 1, eq. 20)."""

_KELVIN = 273.15


def saturation_pressure_pa(temp_c: float | np.ndarray) -> np.ndarray:
    """Saturation vapour pressure of water, over ice below 0 °C.

    Parameters
    ----------
    temp_c : float or array
        Temperature, valid -100..200 [°C].

    Returns
    -------
    array
        Saturation pressure [Pa].

    Notes
    -----
    Hyland and Wexler (1983) as in ASHRAE Fundamentals 2017, ch. 1:

    .. math::

        \\ln p_{ws} = C_1/T + C_2 + C_3 T + C_4 T^2 + C_5 T^3 + C_6 T^4 + C_7 \\ln T
        \\quad (T < 273.15\\,K, \\text{over ice, eq. 5})

        \\ln p_{ws} = C_8/T + C_9 + C_{10} T + C_{11} T^2 + C_{12} T^3 + C_{13} \\ln T
        \\quad (\\text{over water, eq. 6})

    with T in kelvin.

    Examples
    --------
    >>> round(float(saturation_pressure_pa(20.0)), 1)
    2338.8
    """
    t = np.asarray(temp_c, dtype=np.float64) + _KELVIN
    ice = (
        -5.6745359e3 / t
        + 6.3925247
        - 9.6778430e-3 * t
        + 6.2215701e-7 * t**2
        + 2.0747825e-9 * t**3
        - 9.4840240e-13 * t**4
        + 4.1635019 * np.log(t)
    )
    water = (
        -5.8002206e3 / t
        + 1.3914993
        - 4.8640239e-2 * t
        + 4.1764768e-5 * t**2
        - 1.4452093e-8 * t**3
        + 6.5459673 * np.log(t)
    )
    return np.exp(np.where(t < _KELVIN, ice, water))


def humidity_ratio_saturated(
    temp_c: float | np.ndarray, pressure_pa: float | np.ndarray = STANDARD_PRESSURE_PA
) -> np.ndarray:
    """Humidity ratio of saturated air (ASHRAE 2017, ch. 1, eq. 23).

    Parameters
    ----------
    temp_c : float or array
        Temperature [°C].
    pressure_pa : float or array, default 101325
        Total (station) pressure [Pa].

    Returns
    -------
    array
        Humidity ratio [kg water / kg dry air].

    Examples
    --------
    >>> round(float(humidity_ratio_saturated(20.0)), 5)
    0.0147
    """
    pws = saturation_pressure_pa(temp_c)
    p = np.asarray(pressure_pa, dtype=np.float64)
    return _MOLAR_MASS_RATIO * pws / np.maximum(p - pws, 1.0)


def humidity_ratio_from_relative_humidity(
    temp_c: float | np.ndarray,
    relative_humidity_frac: float | np.ndarray,
    pressure_pa: float | np.ndarray = STANDARD_PRESSURE_PA,
) -> np.ndarray:
    """Humidity ratio from dry-bulb temperature and relative humidity.

    Parameters
    ----------
    temp_c : float or array
        Dry-bulb temperature [°C].
    relative_humidity_frac : float or array
        Relative humidity, clipped to 0..1 [-].
    pressure_pa : float or array, default 101325
        Station pressure [Pa].

    Returns
    -------
    array
        Humidity ratio [kg water / kg dry air].

    Notes
    -----
    .. math:: W = 0.621945\\, \\frac{\\phi p_{ws}}{p - \\phi p_{ws}}

    Examples
    --------
    >>> round(float(humidity_ratio_from_relative_humidity(20.0, 0.5)), 5)
    0.00726
    """
    rh = np.clip(np.asarray(relative_humidity_frac, dtype=np.float64), 0.0, 1.0)
    pw = rh * saturation_pressure_pa(temp_c)
    p = np.asarray(pressure_pa, dtype=np.float64)
    return _MOLAR_MASS_RATIO * pw / np.maximum(p - pw, 1.0)


def _humidity_ratio_at_wet_bulb(
    temp_c: np.ndarray, wet_bulb_c: np.ndarray, pressure_pa: np.ndarray
) -> np.ndarray:
    """Humidity ratio implied by a dry-bulb / wet-bulb pair (eq. 33 and 35)."""
    ws = humidity_ratio_saturated(wet_bulb_c, pressure_pa)
    above = ((2501.0 - 2.326 * wet_bulb_c) * ws - 1.006 * (temp_c - wet_bulb_c)) / (
        2501.0 + 1.86 * temp_c - 4.186 * wet_bulb_c
    )
    below = ((2830.0 - 0.24 * wet_bulb_c) * ws - 1.006 * (temp_c - wet_bulb_c)) / (
        2830.0 + 1.86 * temp_c - 2.1 * wet_bulb_c
    )
    return np.where(wet_bulb_c >= 0.0, above, below)


def wet_bulb_temp_c(
    temp_c: float | np.ndarray,
    relative_humidity_frac: float | np.ndarray,
    pressure_pa: float | np.ndarray = STANDARD_PRESSURE_PA,
) -> np.ndarray:
    """Thermodynamic wet-bulb temperature.

    Solves ASHRAE Fundamentals 2017 ch. 1 eq. 33 (eq. 35 below freezing)
    for the wet-bulb temperature by bisection between the dew point
    (approximated from below by -60 °C) and the dry-bulb temperature, to
    better than 0.001 K.

    Parameters
    ----------
    temp_c : float or array
        Dry-bulb temperature [°C].
    relative_humidity_frac : float or array
        Relative humidity, 0..1 [-].
    pressure_pa : float or array, default 101325
        Station pressure [Pa].

    Returns
    -------
    array
        Wet-bulb temperature, never above the dry-bulb [°C].

    Examples
    --------
    >>> round(float(wet_bulb_temp_c(30.0, 0.5)), 2)
    22.0
    """
    t = np.asarray(temp_c, dtype=np.float64)
    rh = np.asarray(relative_humidity_frac, dtype=np.float64)
    p = np.asarray(pressure_pa, dtype=np.float64)
    t, rh, p = np.broadcast_arrays(t, rh, p)
    w = humidity_ratio_from_relative_humidity(t, rh, p)
    lo = np.full(t.shape, -60.0)
    hi = t.copy()
    # W(t_wb) rises monotonically with t_wb: bisect on the sign of the residual
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        too_wet = _humidity_ratio_at_wet_bulb(t, mid, p) > w
        hi = np.where(too_wet, mid, hi)
        lo = np.where(too_wet, lo, mid)
    return np.minimum(0.5 * (lo + hi), t)


def pressure_from_elevation_pa(elevation_m: float) -> float:
    """Standard-atmosphere pressure at an elevation (ASHRAE 2017, ch. 1, eq. 3).

    Parameters
    ----------
    elevation_m : float
        Elevation above sea level [m].

    Returns
    -------
    float
        Pressure [Pa].

    Examples
    --------
    >>> round(pressure_from_elevation_pa(1829.0))
    81198
    """
    return float(STANDARD_PRESSURE_PA * (1.0 - 2.25577e-5 * elevation_m) ** 5.2559)


def enthalpy_j_per_kg(
    temp_c: float | np.ndarray, humidity_ratio_kg_per_kg: float | np.ndarray
) -> np.ndarray:
    """Specific enthalpy of moist air per kg of dry air (ASHRAE 2017, ch. 1, eq. 30).

    Parameters
    ----------
    temp_c : float or array
        Dry-bulb temperature [°C].
    humidity_ratio_kg_per_kg : float or array
        Humidity ratio [kg water / kg dry air].

    Returns
    -------
    array
        Enthalpy [J/kg dry air].

    Notes
    -----
    .. math:: h = 1.006\\,t + W(2501 + 1.86\\,t) \\quad [kJ/kg]

    Examples
    --------
    >>> round(float(enthalpy_j_per_kg(20.0, 0.0073)) / 1000.0, 2)
    38.65
    """
    t = np.asarray(temp_c, dtype=np.float64)
    w = np.asarray(humidity_ratio_kg_per_kg, dtype=np.float64)
    return DRY_AIR_HEAT_CAPACITY_J_PER_KG_K * t + w * (LATENT_HEAT_J_PER_KG + 1860.0 * t)
