"""How different are two weather sources of one site? Months side by side and PV yield.

The 15–42 % spread in annual irradiation between the CSWD and TMYx files of
one station is the largest uncertainty in a PV claim; this module makes it
visible: monthly global horizontal irradiation and mean air temperature of
two sources side by side, and the AC yield of a 1 kWp reference array
computed by the twin's own PV component (:mod:`components.pv`, the PVWatts
v8 chain) on each.

Reference array: 1 kWp DC facing the equator (azimuth 180° north of the
equator, 0° south of it), tilted at the site's latitude (rounded to a whole
degree, at most 60°), roof mount, inverter 1 kW AC (no clipping), PVWatts
default losses; each source is run at the coordinates of its own header.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

import components  # noqa: F401  (registers the bundled components)
import weather as wx
from twin.component import COMPONENT_REGISTRY
from twin.config.loader import config_from_dict
from twin.errors import SuspiciousInputWarning
from twin.run import run

__all__ = ["WeatherComparison", "compare_weather", "reference_pv_yield_kwh_per_kwp"]


def reference_pv_yield_kwh_per_kwp(w: wx.Weather) -> tuple[float, np.ndarray]:
    """AC yield of the 1 kWp reference array (module docstring) on a weather year.

    Parameters
    ----------
    w : weather.Weather

    Returns
    -------
    annual_kwh_per_kwp : float
        Annual AC energy per kWp DC [kWh/kWp].
    monthly_kwh_per_kwp : array of 12
        Monthly AC energy per kWp DC [kWh/kWp].
    """
    lat = w.location.latitude_deg
    tilt = float(min(round(abs(lat)), 60))
    raw = {
        "plant": {"name": "reference-1kwp"},
        "simulation": {"year": int(w.frame.index[0].year)},
        "weather": {"site": "shanghai-cswd"},  # replaced by ``w`` below
        "grid_connection": {
            **COMPONENT_REGISTRY["grid_connection"].example_params(),
            "export_limit_kw": 10.0,
        },
        "pv": [
            {
                "name": "reference",
                "arrays": [
                    {
                        "name": "array",
                        "rated_power_dc_kw": 1.0,
                        "tilt_deg": tilt,
                        "azimuth_deg": 180.0 if lat >= 0 else 0.0,
                        "mounting": "roof_mount",
                    }
                ],
                "inverter_rated_power_ac_kw": 1.0,
            }
        ],
    }
    config = config_from_dict(raw, source="<reference array>")
    with warnings.catch_warnings():
        # the weather's own issues are reported once by the caller, not per run
        warnings.simplefilter("ignore", SuspiciousInputWarning)
        results = run(config, weather=w)
    hourly = results.hourly
    if "pv_ac_kw" in hourly.columns:
        pv = hourly["pv_ac_kw"]  # hourly mean power [kW] = energy per hour [kWh]
        monthly = pv.groupby(pv.index.month).sum().reindex(range(1, 13)).to_numpy()
    else:
        monthly = np.full(12, np.nan)
    return float(results.summary["pv_ac_kwh"]), monthly


@dataclasses.dataclass(frozen=True)
class WeatherComparison:
    """Two weather sources side by side.

    Parameters
    ----------
    a, b : weather.Weather
        The two sources.
    monthly : pandas.DataFrame
        Index month 1..12 and "year"; columns ``ghi_a_kwh_per_m2``,
        ``ghi_b_kwh_per_m2`` [kWh/m²], ``ghi_b_over_a_frac`` [-],
        ``temp_a_c``, ``temp_b_c`` [°C], ``pv_a_kwh_per_kwp``,
        ``pv_b_kwh_per_kwp`` [kWh/kWp].
    distance_deg : float
        Largest of the latitude and longitude differences of the headers [°].
    """

    a: wx.Weather
    b: wx.Weather
    monthly: pd.DataFrame
    distance_deg: float

    @property
    def pv_b_over_a_frac(self) -> float:
        """Annual PV yield of B relative to A, minus 1 [-]."""
        year = self.monthly.loc["year"]
        return float(year["pv_b_kwh_per_kwp"] / year["pv_a_kwh_per_kwp"] - 1.0)


def compare_weather(a: wx.Weather, b: wx.Weather) -> WeatherComparison:
    """Monthly irradiation, temperature and reference PV yield of two sources.

    Parameters
    ----------
    a, b : weather.Weather

    Returns
    -------
    WeatherComparison
    """
    rows = {}
    for tag, w in (("a", a), ("b", b)):
        f = w.frame
        month = f.index.month
        ghi = f["ghi_w_per_m2"].groupby(month).sum() / 1000.0
        temp = f["temp_air_c"].groupby(month).mean()
        annual, pv_month = reference_pv_yield_kwh_per_kwp(w)
        rows[f"ghi_{tag}_kwh_per_m2"] = [*ghi.reindex(range(1, 13)).to_numpy(), ghi.sum()]
        rows[f"temp_{tag}_c"] = [
            *temp.reindex(range(1, 13)).to_numpy(),
            float(f["temp_air_c"].mean()),
        ]
        rows[f"pv_{tag}_kwh_per_kwp"] = [*pv_month, annual]
    table = pd.DataFrame(rows, index=pd.Index([*range(1, 13), "year"], name="month"))
    table.insert(2, "ghi_b_over_a_frac", table["ghi_b_kwh_per_m2"] / table["ghi_a_kwh_per_m2"] - 1)
    la, lb = a.location, b.location
    distance = max(abs(la.latitude_deg - lb.latitude_deg), abs(la.longitude_deg - lb.longitude_deg))
    return WeatherComparison(a=a, b=b, monthly=table, distance_deg=float(distance))
