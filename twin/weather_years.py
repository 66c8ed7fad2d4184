"""How much does the weather of one year change a plant's year? Runs over actual years.

A typical year gives one number; a claim such as "the array made at least
X two years running" needs the spread between years. This module loads the
weather a config names (bundled site, file or synthetic year), loads several
actual years of a site (a folder, a list of files, or a multi-year file split
into its calendar years), runs the plant once per year through
:func:`twin.run.run` and reports each year beside the typical year, with
P10/P50/P90 and the worst year.

Conventions: P-values are exceedance values, as in PV yield assessments
(P90 = the value reached or exceeded in 90 % of years = the 10th percentile
of the years; P10 = the 90th percentile); percentiles interpolate linearly
between the years (numpy's default), so with three years P90 and P10 lie
between the lowest two and the highest two years. "Worst" is the lowest PV
yield and the highest import, cost and emissions. Each year's weather is
re-stamped onto the config's simulation year (calendar, tariffs and
holidays stay those of the simulated year; only the weather changes).

Two sources of one site compared (:func:`compare_weather`): the 15–42 %
spread in annual irradiation between the CSWD and TMYx files of one station
is the largest uncertainty in a PV claim, so monthly global horizontal
irradiation and mean air temperature are shown side by side with the AC
yield of a 1 kWp reference array computed by the twin's own PV component
(:mod:`twin.components.pv`, the PVWatts v8 chain) on each: 1 kWp DC facing
the equator (azimuth 180° north of it, 0° south of it), tilted at the
site's latitude (rounded to a whole degree, at most 60°), roof mount,
inverter 1 kW AC (no clipping), PVWatts default losses; each source at the
coordinates of its own header.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import twin.components  # noqa: F401  (registers the bundled components)
from twin import weather as wx
from twin.component import COMPONENT_REGISTRY
from twin.config.loader import config_from_dict
from twin.config.schema import PlantConfig
from twin.errors import SuspiciousInputWarning
from twin.plant import Plant
from twin.run import run
from twin.simulate import load_plant_weather

__all__ = [
    "QUANTITIES",
    "WeatherComparison",
    "WeatherYearsResult",
    "compare_weather",
    "load_config_weather",
    "load_weather_years",
    "reference_pv_yield_kwh_per_kwp",
    "run_weather_years",
]

#: Summary keys reported per year -> True when higher is better.
QUANTITIES = {
    "pv_ac_kwh": True,
    "grid_import_kwh": False,
    "total_cost_cny": False,
    "scope2_location_tco2": False,
    "self_sufficiency_frac": True,
}


def load_config_weather(config: PlantConfig) -> wx.Weather:
    """The weather a config names (site, file or synthetic year); see
    :func:`twin.simulate.load_plant_weather`, which this is."""
    return load_plant_weather(config)


def _files(source: str | Path) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != ".md"
        )
        if not files:
            msg = wx.format_message(
                str(path),
                "folder",
                "weather files of actual years",
                "an empty folder",
                "put one file per year (or a multi-year file) in it",
            )
            raise wx.WeatherError(msg)
        return files
    return [path]


def load_weather_years(
    sources: str | Path | Sequence[str | Path],
    *,
    correct_timing: bool = False,
    accept_timing_offset: bool = False,
    csv: Mapping[str, Any] | None = None,
    relative_humidity_frac: float | None = None,
) -> list[wx.Weather]:
    """Load actual weather years of one site from folders, files or multi-year files.

    Parameters
    ----------
    sources : path or sequence of paths
        Files (one year or several years each) and/or folders of such files.
    correct_timing, accept_timing_offset, relative_humidity_frac
        As for :func:`weather.load_weather`.
    csv : mapping, optional
        Description of generic CSV files (the ``**csv`` options of
        :func:`weather.read_weather`; ``typical`` must stay False); then every
        file is read as such a CSV.

    Returns
    -------
    list of weather.Weather
        One per calendar year, sorted by year.

    Raises
    ------
    weather.WeatherError
        A typical year among them, an incomplete or duplicated year, fewer
        than two years, or years of different sites (more than 0.5° apart).
    """
    items = [sources] if isinstance(sources, (str, Path)) else list(sources)
    years: list[wx.Weather] = []
    for item in items:
        for path in _files(item):
            options = {**dict(csv), "format": "csv", "typical": False} if csv is not None else {}
            years += wx.read_weather_years(
                path,
                correct_timing=correct_timing,
                accept_timing_offset=accept_timing_offset,
                relative_humidity_frac=relative_humidity_frac,
                **options,
            )
    labels = [int(w.frame.index[0].year) for w in years]
    dup = sorted({y for y in labels if labels.count(y) > 1})
    if dup:
        where = [w.source_path for w in years if int(w.frame.index[0].year) == dup[0]]
        msg = wx.format_message(
            ", ".join(where),
            "year",
            "each calendar year once",
            f"{dup[0]} more than once",
            "drop the duplicate file",
        )
        raise wx.WeatherError(msg)
    if len(years) < 2:
        msg = wx.format_message(
            ", ".join(map(str, items)),
            "years",
            "at least two actual years",
            f"{len(years)}",
            "add the other years of the site",
        )
        raise wx.WeatherError(msg)
    first = years[0].location
    for w in years[1:]:
        d = max(
            abs(w.location.latitude_deg - first.latitude_deg),
            abs(w.location.longitude_deg - first.longitude_deg),
        )
        if d > 0.5:
            msg = wx.format_message(
                w.source_path,
                "location",
                f"the site of {years[0].source_path} ({first.latitude_deg:.2f}, "
                f"{first.longitude_deg:.2f}) within 0.5°",
                f"{w.location.latitude_deg:.2f}, {w.location.longitude_deg:.2f}",
                "use years of one site",
            )
            raise wx.WeatherError(msg)
    return sorted(years, key=lambda w: int(w.frame.index[0].year))


@dataclasses.dataclass(frozen=True)
class WeatherYearsResult:
    """The plant's year under each actual weather year and the typical year.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per weather year (``kind = "actual"``) and one for the
        typical year (``kind = "typical"``): ``year``, ``source``,
        ``data_kind``, ``ghi_kwh_per_m2`` [kWh/m²] and the
        :data:`QUANTITIES` [kWh, CNY, t CO2e, -].
    stats : pandas.DataFrame
        Per quantity: ``p90``, ``p50``, ``p10`` (exceedance values), ``mean``,
        ``min``, ``max``, ``worst`` (value), ``worst_year``, ``typical`` and
        ``typical_minus_p50``, over the actual years.
    """

    table: pd.DataFrame
    stats: pd.DataFrame

    @property
    def actual(self) -> pd.DataFrame:
        """The rows of the actual years."""
        return self.table[self.table["kind"] == "actual"]

    def years_running(
        self, quantity: str, *, at_least: float | None = None, at_most: float | None = None
    ) -> int:
        """Longest run of consecutive calendar years meeting a bound.

        For a claim "the array made at least X two years running":
        ``result.years_running("pv_ac_kwh", at_least=X) >= 2``.

        Parameters
        ----------
        quantity : str
            A key of :data:`QUANTITIES`.
        at_least, at_most : float, optional
            Bound(s) in the quantity's unit; exactly one is needed.

        Returns
        -------
        int
            Longest run of consecutive years (a gap in the years breaks it).
        """
        if quantity not in QUANTITIES or (at_least is None) == (at_most is None):
            msg = (
                f"years_running: expected a quantity among {', '.join(QUANTITIES)} and one of "
                f"at_least/at_most, got {quantity!r}, at_least={at_least}, at_most={at_most}"
            )
            raise ValueError(msg)
        rows = self.actual.sort_values("year")
        values = rows[quantity].to_numpy(dtype=np.float64)
        ok = values >= at_least if at_least is not None else values <= at_most
        best = run_len = 0
        previous = None
        for year, good in zip(rows["year"].to_numpy(), ok, strict=True):
            consecutive = previous is not None and year == previous + 1
            run_len = (run_len + 1 if consecutive else 1) if good else 0
            best = max(best, run_len)
            previous = year
        return best


def _row(kind: str, w: wx.Weather, summary: dict) -> dict:
    frame = w.frame
    row = {
        "kind": kind,
        "year": int(frame.index[0].year) if kind == "actual" else None,
        "source": w.source_path,
        "data_kind": w.data_kind,
        "ghi_kwh_per_m2": float(frame["ghi_w_per_m2"].sum()) / 1000.0,
    }
    for key in QUANTITIES:
        value = summary.get(key)
        row[key] = float(value) if value is not None else math.nan
    return row


def _stats(table: pd.DataFrame) -> pd.DataFrame:
    actual = table[table["kind"] == "actual"]
    typical = table[table["kind"] == "typical"]
    rows = []
    for key in ["ghi_kwh_per_m2", *QUANTITIES]:
        values = actual[key].to_numpy(dtype=np.float64)
        if not np.isfinite(values).any():
            continue
        higher_better = QUANTITIES.get(key, True)
        worst_pos = int(np.nanargmin(values) if higher_better else np.nanargmax(values))
        typ = float(typical[key].iloc[0]) if len(typical) else math.nan
        p50 = float(np.nanpercentile(values, 50))
        rows.append(
            {
                "quantity": key,
                "p90": float(np.nanpercentile(values, 10)),
                "p50": p50,
                "p10": float(np.nanpercentile(values, 90)),
                "mean": float(np.nanmean(values)),
                "min": float(np.nanmin(values)),
                "max": float(np.nanmax(values)),
                "worst": float(values[worst_pos]),
                "worst_year": int(actual["year"].iloc[worst_pos]),
                "typical": typ,
                "typical_minus_p50": typ - p50,
            }
        )
    return pd.DataFrame(rows)


def run_weather_years(
    config: PlantConfig,
    years: Sequence[wx.Weather],
    *,
    typical: wx.Weather | None = None,
) -> WeatherYearsResult:
    """Run a plant once per weather year and once on its typical year.

    Parameters
    ----------
    config : PlantConfig
        The plant (its own weather is the typical year unless ``typical``).
    years : sequence of weather.Weather
        Actual years (:func:`load_weather_years`).
    typical : weather.Weather, optional
        The reference year; default the config's weather.

    Returns
    -------
    WeatherYearsResult
    """
    reference = typical if typical is not None else load_config_weather(config)
    plant = Plant.build(config)
    rows = [_row("typical", reference, run(plant, weather=reference).summary)]
    for w in years:
        rows.append(_row("actual", w, run(plant, weather=w).summary))
    table = pd.DataFrame(rows)
    return WeatherYearsResult(table=table, stats=_stats(table))


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
