"""Solar gains of a zone: how much sunshine do its windows and walls let in?

Irradiance on each façade comes from pvlib's transposition
(``pvlib.irradiance.get_total_irradiance``: beam from DNI and the angle of
incidence, sky diffuse by a named model, Perez 1990 by default, and
ground-reflected diffuse) with the sun position computed once per run by
:mod:`components.pv` and shared through ``ctx.cache``. The results of a
façade orientation are cached too, so zones facing the same way share them.

Gains follow ISO 13790:2008 section 11.3:

- windows: Φ = F_sh·g(θ)·(1 - F_F)·A·I, with g(θ) the total solar energy
  transmittance at the angle of incidence θ (beam) or at the
  Brandemuehl-Beckman effective angle of isotropic diffuse light (sky and
  ground diffuse, Duffie and Beckman eq. 5.4.1-5.4.2), from the
  angular polynomials of :data:`GLAZING_ANGULAR_COEFFICIENTS`;
- opaque elements: Φ = α·R_se·U·A·I (the share of absorbed sunshine that
  reaches the inside, ISO 13790 11.3.4);
- every element loses thermal radiation to the sky, Φ_r = F_r·R_se·U·A·h_r·Δθ_er
  with F_r = (1 + cos β)/2 the view factor to the sky, h_r = 5ε and Δθ_er
  the mean difference between air and apparent sky temperature (ISO 13790
  11.3.5 and 11.4.6).

References
----------
.. [1] ISO 13790:2008, sections 11.3-11.4.
.. [2] lbl-srg/modelica-buildings, ``Buildings.ThermalZones.ISO13790.
   BaseClasses.GlazedElements`` and ``OpaqueElements`` (same equations;
   angular polynomials in ``Validation/BESTEST/Cases6xx/Case600.mo`` and
   ``Case670.mo``, updated to ANSI/ASHRAE 140-2020).
.. [3] J. A. Duffie, W. A. Beckman, Solar Engineering of Thermal Processes,
   4th ed., Wiley, 2013, eqs. 5.4.1-5.4.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pvlib
from twin.components.pv import _shared_solar_geometry, diffuse_incidence_angles_deg

from twin.component import RunContext
from twin.timegrid import hourly_if_held

__all__ = [
    "EXTERNAL_SURFACE_RESISTANCE_M2_K_PER_W",
    "GLAZING_ANGULAR_COEFFICIENTS",
    "FacadeIrradiance",
    "facade_irradiance",
    "glazing_angular_factor",
    "opaque_solar_gain_w",
    "sky_radiation_loss_w",
    "window_solar_gain_w",
]

EXTERNAL_SURFACE_RESISTANCE_M2_K_PER_W = 0.04
"""External surface resistance R_se (ISO 6946, as ISO 13790 11.3.4) [m²·K/W]."""

GLAZING_ANGULAR_COEFFICIENTS: Mapping[str, tuple[float, ...]] = {
    "double_clear": (1.0, -0.189, 0.644, -0.596),
    "single_clear": (0.998, 0.137, -0.745, 1.21, -0.668),
}
"""Glazing type -> coefficients a_k of g(θ)/g_n = Σ a_k θ^k with θ the angle
of incidence [rad]. Double clear glazing as ASHRAE 140-2020 Case 600, single
clear as Case 670, from lbl-srg/modelica-buildings
``ThermalZones/ISO13790/Validation/BESTEST/Cases6xx/Case600.mo`` (``coeFac``)
and ``Case670.mo``. Relative to normal incidence they give 0.82 (double) and
0.91 (single) at 60°."""


def glazing_angular_factor(
    aoi_deg: float | np.ndarray, glazing: str = "double_clear"
) -> np.ndarray:
    """Solar energy transmittance relative to normal incidence, g(θ)/g_n.

    Parameters
    ----------
    aoi_deg : float or array
        Angle of incidence [°].
    glazing : str, default "double_clear"
        Key of :data:`GLAZING_ANGULAR_COEFFICIENTS`.

    Returns
    -------
    array
        Factor in 0..1; 0 at and beyond 90° [-].

    Examples
    --------
    >>> round(float(glazing_angular_factor(60.0)), 3)
    0.824
    """
    theta = np.radians(np.clip(np.asarray(aoi_deg, dtype=np.float64), 0.0, 90.0))
    coefficients = GLAZING_ANGULAR_COEFFICIENTS[glazing]
    value = np.zeros_like(theta)
    for a in reversed(coefficients):
        value = value * theta + a
    return np.clip(value, 0.0, 1.0)


@dataclass(frozen=True)
class FacadeIrradiance:
    """Irradiance on one plane at every step [W/m²] and the beam's angle [°]."""

    beam_w_per_m2: np.ndarray
    sky_diffuse_w_per_m2: np.ndarray
    ground_diffuse_w_per_m2: np.ndarray
    aoi_deg: np.ndarray

    @property
    def global_w_per_m2(self) -> np.ndarray:
        """Total irradiance on the plane [W/m²]."""
        return self.beam_w_per_m2 + self.sky_diffuse_w_per_m2 + self.ground_diffuse_w_per_m2


def facade_irradiance(
    ctx: RunContext,
    tilt_deg: float,
    azimuth_deg: float,
    *,
    sky_diffuse_model: str = "perez",
    albedo_frac: float = 0.2,
) -> FacadeIrradiance:
    """Irradiance on a plane from the run's weather, memoised (``RunContext.memo``).

    Parameters
    ----------
    ctx : RunContext
        Weather (``ghi_w_per_m2``, ``dni_w_per_m2``, ``dhi_w_per_m2``), site
        and grid; the solar position is shared with the PV component.
    tilt_deg : float
        Tilt from horizontal: 90 for a wall, 0 for a flat roof [°].
    azimuth_deg : float
        Direction the plane faces, clockwise from north (180 = south) [°].
    sky_diffuse_model : str, default "perez"
        ``model`` of ``pvlib.irradiance.get_total_irradiance``.
    albedo_frac : float, default 0.2
        Ground reflectance [-].

    Returns
    -------
    FacadeIrradiance
        Read-only arrays; nothing while the sun is below the horizon.
    """
    key = ("facade_irradiance", *_plane_key(tilt_deg, azimuth_deg, sky_diffuse_model, albedo_frac))

    def compute() -> FacadeIrradiance:
        h = facade_irradiance_hourly(
            ctx, tilt_deg, azimuth_deg, sky_diffuse_model=sky_diffuse_model, albedo_frac=albedo_frac
        )
        if h is None:
            sun = _shared_solar_geometry(ctx)
            return _on_plane(
                sun, *_irradiance(ctx), tilt_deg, azimuth_deg, sky_diffuse_model, albedo_frac
            )
        k = ctx.grid.steps_per_hour
        return FacadeIrradiance(**{name: np.repeat(v, k) for name, v in vars(h).items()})

    return ctx.memo(key, compute)


def facade_irradiance_hourly(
    ctx: RunContext,
    tilt_deg: float,
    azimuth_deg: float,
    *,
    sky_diffuse_model: str = "perez",
    albedo_frac: float = 0.2,
) -> FacadeIrradiance | None:
    """:func:`facade_irradiance` once per hour, when the run's steps are shorter
    than an hour and the weather is held over each hour; None otherwise.

    :func:`facade_irradiance` is these values repeated over the steps of each
    hour (``np.repeat(v, grid.steps_per_hour)``), so what depends on them
    alone can be computed per hour and repeated, with the same numbers.
    Memoised like it; read-only arrays [W/m², °].
    """
    key = (
        "facade_irradiance_hourly",
        *_plane_key(tilt_deg, azimuth_deg, sky_diffuse_model, albedo_frac),
    )

    def compute() -> FacadeIrradiance | None:
        hourly = hourly_if_held(ctx.grid.steps_per_hour, *_irradiance(ctx))
        if hourly is None:
            return None
        sun = _shared_solar_geometry(ctx, hourly=True)
        return _on_plane(sun, *hourly, tilt_deg, azimuth_deg, sky_diffuse_model, albedo_frac)

    return ctx.memo(key, compute)


def _irradiance(ctx: RunContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GHI, DNI and DHI of the run's weather, negatives set to 0 [W/m²]."""
    return tuple(
        np.maximum(np.asarray(ctx.weather[c], dtype=np.float64), 0.0)
        for c in ("ghi_w_per_m2", "dni_w_per_m2", "dhi_w_per_m2")
    )


def _plane_key(tilt_deg: float, azimuth_deg: float, model: str, albedo_frac: float) -> tuple:
    """What a plane's irradiance memo is keyed by, besides its name."""
    return (float(tilt_deg), float(azimuth_deg), model, float(albedo_frac))


def _on_plane(
    sun,
    ghi: np.ndarray,
    dni: np.ndarray,
    dhi: np.ndarray,
    tilt_deg: float,
    azimuth_deg: float,
    sky_diffuse_model: str,
    albedo_frac: float,
) -> FacadeIrradiance:
    """Irradiance on the plane from the sun's position and GHI, DNI, DHI on the
    same steps (pvlib's transposition and angle of incidence)."""
    poa = pvlib.irradiance.get_total_irradiance(
        tilt_deg,
        azimuth_deg,
        sun.apparent_zenith_deg,
        sun.azimuth_deg,
        dni,
        ghi,
        dhi,
        dni_extra=sun.dni_extra_w_per_m2,
        airmass=sun.airmass_relative,
        albedo=albedo_frac,
        model=sky_diffuse_model,
    )
    aoi = np.asarray(
        pvlib.irradiance.aoi(tilt_deg, azimuth_deg, sun.apparent_zenith_deg, sun.azimuth_deg),
        dtype=np.float64,
    )

    def clean(name: str) -> np.ndarray:
        arr = np.nan_to_num(np.asarray(poa[name], dtype=np.float64))
        return np.where(sun.sun_up, np.maximum(arr, 0.0), 0.0)

    return FacadeIrradiance(
        beam_w_per_m2=clean("poa_direct"),
        sky_diffuse_w_per_m2=clean("poa_sky_diffuse"),
        ground_diffuse_w_per_m2=clean("poa_ground_diffuse"),
        aoi_deg=np.nan_to_num(aoi, nan=90.0),
    )


def window_solar_gain_w(
    irradiance: FacadeIrradiance,
    area_m2: float,
    g_value_frac: float,
    *,
    tilt_deg: float = 90.0,
    frame_frac: float = 0.0,
    shading_factor_frac: float = 1.0,
    glazing: str = "double_clear",
) -> np.ndarray:
    """Solar heat gain through a window (ISO 13790 11.3.3).

    Parameters
    ----------
    irradiance : FacadeIrradiance
        Irradiance on the window plane [W/m²].
    area_m2 : float
        Window area including the frame [m²].
    g_value_frac : float
        Total solar energy transmittance (SHGC) at normal incidence [-].
    tilt_deg : float, default 90
        Tilt of the window [°].
    frame_frac : float, default 0
        Frame share of the area, F_F [-].
    shading_factor_frac : float, default 1
        Remaining share after external shading and shading devices, F_sh [-].
    glazing : str, default "double_clear"
        Angular behaviour (:data:`GLAZING_ANGULAR_COEFFICIENTS`).

    Returns
    -------
    array
        Heat gain to the zone, >= 0 [W].

    Notes
    -----
    .. math:: \\Phi = F_{sh}(1 - F_F) A g_n [I_b f(\\theta)
        + I_{sky} f(\\theta_{sky}) + I_{gnd} f(\\theta_{gnd})]
    """
    sky_deg, ground_deg = diffuse_incidence_angles_deg(tilt_deg)
    transmitted = (
        irradiance.beam_w_per_m2 * glazing_angular_factor(irradiance.aoi_deg, glazing)
        + irradiance.sky_diffuse_w_per_m2 * glazing_angular_factor(sky_deg, glazing)
        + irradiance.ground_diffuse_w_per_m2 * glazing_angular_factor(ground_deg, glazing)
    )
    return shading_factor_frac * (1.0 - frame_frac) * area_m2 * g_value_frac * transmitted


def opaque_solar_gain_w(
    irradiance: FacadeIrradiance, area_m2: float, u_w_per_m2_k: float, solar_absorptance_frac: float
) -> np.ndarray:
    """Solar heat gain through an opaque element (ISO 13790 11.3.4).

    Parameters
    ----------
    irradiance : FacadeIrradiance
        Irradiance on the element [W/m²].
    area_m2 : float
        Area [m²].
    u_w_per_m2_k : float
        Thermal transmittance [W/(m²·K)].
    solar_absorptance_frac : float
        Solar absorptance of the outer surface, α [-].

    Returns
    -------
    array
        Heat gain to the zone, >= 0 [W].

    Notes
    -----
    .. math:: \\Phi = \\alpha R_{se} U A I_{sol}
    """
    factor = (
        solar_absorptance_frac * EXTERNAL_SURFACE_RESISTANCE_M2_K_PER_W * u_w_per_m2_k * area_m2
    )
    return factor * irradiance.global_w_per_m2


def sky_radiation_loss_w(
    area_m2: float,
    u_w_per_m2_k: float,
    tilt_deg: float,
    *,
    emissivity_frac: float = 0.9,
    sky_temp_difference_k: float = 11.0,
) -> float:
    """Extra heat loss of an element by thermal radiation to the sky (ISO 13790 11.3.5).

    Parameters
    ----------
    area_m2 : float
        Area [m²].
    u_w_per_m2_k : float
        Thermal transmittance [W/(m²·K)].
    tilt_deg : float
        Tilt from horizontal; 180 faces the ground and sees no sky [°].
    emissivity_frac : float, default 0.9
        Thermal emissivity of the outer surface [-].
    sky_temp_difference_k : float, default 11
        Mean difference between outdoor air and apparent sky temperature;
        ISO 13790 11.4.6 gives 11 K for intermediate zones (9 K sub-polar,
        13 K tropical) [K].

    Returns
    -------
    float
        Constant loss, >= 0 [W].

    Notes
    -----
    .. math:: \\Phi_r = F_r R_{se} U A h_r \\Delta\\theta_{er}, \\quad
        F_r = (1 + \\cos\\beta)/2, \\quad h_r = 5\\varepsilon

    Examples
    --------
    >>> round(sky_radiation_loss_w(48.0, 0.33, 0.0), 2)
    31.36
    """
    view = 0.5 * (1.0 + np.cos(np.radians(tilt_deg)))
    h_r = 5.0 * emissivity_frac
    loss = view * EXTERNAL_SURFACE_RESISTANCE_M2_K_PER_W * u_w_per_m2_k * area_m2 * h_r
    return float(max(loss * sky_temp_difference_k, 0.0))
