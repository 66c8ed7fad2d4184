"""Peer models built from our params, for timing and agreement checks.

``build_modelchain`` turns a :class:`components.pv.PVParams` into a pvlib
``ModelChain`` with the same model choices as the PV component: one pvlib
``Array`` per array on one ``PVSystem``, PVWatts DC, inverter and losses,
the same transposition, IAM, spectral and cell-temperature models and
parameters, and the sun by ``ephemeris`` at interval midpoints.

What ModelChain cannot express, and so differs from the component:

- ModelChain applies the IAM to beam only; the component also applies it to
  sky and ground diffuse at the Brandemuehl-Beckman angles (as SAM), so
  ModelChain gives more energy: +1.6 % on Shanghai CSWD with the default
  ``physical_ar`` model. With ``iam_model="no_loss"`` the two agree within
  0.1 % a year.
- ModelChain uses the weather's air temperature for refraction and no zenith
  clip before the air-mass modifier (SAM and the component clip at 86°), so
  hours with the sun within 4° of the horizon differ.
"""

from __future__ import annotations

import pandas as pd
from pvlib.location import Location
from pvlib.modelchain import ModelChain
from pvlib.pvsystem import Array, FixedMount, PVSystem
from twin.components.pv import (
    DESOTO_AIRMASS_COEFFICIENTS,
    IAM_MODELS,
    TEMPERATURE_MODEL_PARAMETERS,
    PVParams,
)

__all__ = ["build_modelchain", "run_modelchain"]

_LOSS_CATEGORIES = (
    "soiling",
    "shading",
    "snow",
    "mismatch",
    "wiring",
    "connections",
    "lid",
    "nameplate_rating",
    "age",
    "availability",
)


def build_modelchain(
    pv_params: PVParams | dict,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    tz: str,
) -> ModelChain:
    """A pvlib ModelChain configured like our PV component.

    Parameters
    ----------
    pv_params : PVParams or dict
        Parameters of the PV component (a dict is validated first).
    latitude_deg, longitude_deg : float
        Site [°], north and east positive.
    elevation_m : float
        Site elevation [m].
    tz : str
        Time zone name of the site (``"Asia/Shanghai"``).

    Returns
    -------
    pvlib.modelchain.ModelChain
    """
    p = pv_params if isinstance(pv_params, PVParams) else PVParams.model_validate(pv_params)
    iam_function, iam_kwargs = IAM_MODELS[p.iam_model]
    arrays = []
    for a in p.arrays:
        module_parameters = {
            "pdc0": a.rated_power_dc_kw * 1000.0,
            "gamma_pdc": a.gamma_pdc_per_c,
            **iam_kwargs,
            **DESOTO_AIRMASS_COEFFICIENTS,
        }
        arrays.append(
            Array(
                mount=FixedMount(surface_tilt=a.tilt_deg, surface_azimuth=a.azimuth_deg),
                albedo=p.albedo_frac,
                module_parameters=module_parameters,
                temperature_model_parameters=dict(
                    TEMPERATURE_MODEL_PARAMETERS[p.temperature_model][a.mounting]
                ),
                name=a.name,
            )
        )
    # pvwatts_losses combines categories; put the whole total in one of them
    losses_parameters = dict.fromkeys(_LOSS_CATEGORIES, 0.0)
    losses_parameters["availability"] = p.losses_frac * 100.0
    system = PVSystem(
        arrays=arrays,
        inverter_parameters={
            "pdc0": p.inverter_rated_power_ac_kw * 1000.0 / p.inverter_efficiency_nom_frac,
            "eta_inv_nom": p.inverter_efficiency_nom_frac,
        },
        losses_parameters=losses_parameters,
    )
    location = Location(latitude_deg, longitude_deg, tz=tz, altitude=elevation_m)
    return ModelChain(
        system,
        location,
        solar_position_method="ephemeris",
        airmass_model="kastenyoung1989",
        transposition_model=p.sky_diffuse_model,
        dc_model="pvwatts",
        ac_model="pvwatts",
        aoi_model=iam_function,
        spectral_model=p.spectral_model,
        temperature_model=p.temperature_model,
        losses_model="pvwatts",
        name=p.name,
    )


def run_modelchain(mc: ModelChain, weather_frame: pd.DataFrame) -> pd.Series:
    """Run ``mc`` on pvlib-named weather labelled at interval starts.

    Parameters
    ----------
    mc : pvlib.modelchain.ModelChain
        From :func:`build_modelchain`.
    weather_frame : pandas.DataFrame
        Columns ``ghi``, ``dni``, ``dhi``, ``temp_air``, ``wind_speed``
        (optionally ``albedo``) [W/m², °C, m/s]; tz-aware fixed-step index
        labelling interval starts, values are interval means.

    Returns
    -------
    pandas.Series
        AC power on the input index [kW].
    """
    step = weather_frame.index[1] - weather_frame.index[0]
    weather = weather_frame.copy()
    # ModelChain puts the sun at the index; move it to the interval midpoints
    weather.index = weather.index + step / 2
    mc.run_model(weather)
    ac_w = mc.results.ac
    return pd.Series(ac_w.to_numpy() / 1000.0, index=weather_frame.index, name="ac_kw")
