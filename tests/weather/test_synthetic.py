"""Synthetic year: monthly means reproduced, seeded, and its hourly clearness distribution.

References for the distribution checks (outside the generator):

- an actual year of the same site: NSRDB PSM v3 2017 at location 401182
  (40.53° N, 108.54° W, 2168 m; satellite-derived irradiance), with the
  second actual year NSRDB PSM v4 2023 of the same location giving the
  year-to-year spread the synthetic year is held to;
- the CSWD and TMYx typical years of one station (Shanghai Baoshan 583620,
  Nanjing 582380): each is a typical year assembled from 12 actual months
  (CSWD: 1971–2003 station records; TMYx: ISD/ERA5 1956–2025), so its
  hourly clearness distribution is that of real months, not of a model; the
  two published years differ from each other, which bounds how close a
  synthetic year needs to be.

The statistic is the two-sample Kolmogorov–Smirnov distance between the
hourly clearness indices (GHI over interval-mean extraterrestrial horizontal
irradiance) of hours with more than 200 W/m² outside the atmosphere.
"""

import numpy as np
import pytest
from scipy import stats
from twin.weather import WeatherError, read_weather, synthetic_year
from twin.weather._solar import extraterrestrial_horizontal_mean

from twin import weather

from ..conftest import TESTS_DATA_DIR

PSM3_2017 = TESTS_DATA_DIR / "weather" / "test_read_psm3.csv.gz"
PSM4_2023 = TESTS_DATA_DIR / "weather" / "test_read_psm4.csv.gz"

#: The issue's bound on reproducing the monthly inputs (GHI, RH relative).
MONTHLY_TOLERANCE_FRAC = 0.02
#: Monthly mean temperature, absolute [K] (2 % of a °C value is meaningless near 0 °C).
MONTHLY_TEMP_TOLERANCE_K = 0.1


def _climate_table(w):
    """Monthly means of a weather year in the generator's input form."""
    f = w.frame
    month = f.index.month
    day = f["temp_air_c"].resample("D")
    daily_range = day.max() - day.min()
    return {
        "monthly_ghi_kwh_per_m2": (f["ghi_w_per_m2"].groupby(month).sum() / 1000).to_numpy(),
        "monthly_temp_c": f["temp_air_c"].groupby(month).mean().to_numpy(),
        "monthly_temp_range_c": daily_range.groupby(daily_range.index.month).mean().to_numpy(),
        "monthly_relative_humidity_frac": (
            f["relative_humidity_frac"].clip(upper=1.0).groupby(month).mean().to_numpy()
        ),
    }


def _synthetic_like(w, seed=0, **extra):
    loc = w.location
    return synthetic_year(
        latitude_deg=loc.latitude_deg,
        longitude_deg=loc.longitude_deg,
        elevation_m=loc.elevation_m,
        tz_offset_h=loc.tz_offset_h,
        seed=seed,
        year=int(w.frame.index[0].year),
        **{**_climate_table(w), **extra},
    )


def _clearness(w, location):
    extra = extraterrestrial_horizontal_mean(
        w.frame.index, location.latitude_deg, location.longitude_deg
    )
    day = extra > 200.0
    return w.frame["ghi_w_per_m2"].to_numpy()[day] / extra[day]


@pytest.fixture(scope="module")
def nsrdb_2017():
    return read_weather(PSM3_2017)


@pytest.fixture(scope="module")
def shanghai_tmyx():
    return weather.load_weather("shanghai-tmyx", correct_timing=True)


@pytest.mark.parametrize("fixture", ["nsrdb_2017", "shanghai_tmyx"])
def test_monthly_means_reproduce_the_inputs(fixture, request):
    w = request.getfixturevalue(fixture)
    table = _climate_table(w)
    s = _synthetic_like(w, seed=3)
    f = s.frame
    month = f.index.month
    ghi = (f["ghi_w_per_m2"].groupby(month).sum() / 1000).to_numpy()
    rh = f["relative_humidity_frac"].groupby(month).mean().to_numpy()
    temp = f["temp_air_c"].groupby(month).mean().to_numpy()
    np.testing.assert_allclose(ghi, table["monthly_ghi_kwh_per_m2"], rtol=MONTHLY_TOLERANCE_FRAC)
    np.testing.assert_allclose(
        rh, table["monthly_relative_humidity_frac"], rtol=MONTHLY_TOLERANCE_FRAC
    )
    np.testing.assert_allclose(temp, table["monthly_temp_c"], atol=MONTHLY_TEMP_TOLERANCE_K)
    day = f["temp_air_c"].resample("D")
    np.testing.assert_allclose(
        (day.max() - day.min()).groupby(day.max().index.month).mean().to_numpy(),
        table["monthly_temp_range_c"],
        rtol=MONTHLY_TOLERANCE_FRAC,
    )


def test_seeded_and_marked_synthetic(shanghai_tmyx):
    a = _synthetic_like(shanghai_tmyx, seed=11)
    b = _synthetic_like(shanghai_tmyx, seed=11)
    c = _synthetic_like(shanghai_tmyx, seed=12)
    assert a.frame.equals(b.frame) and a.sha256 == b.sha256
    assert not a.frame["ghi_w_per_m2"].equals(c.frame["ghi_w_per_m2"])
    assert a.sha256 != c.sha256
    assert a.data_kind == "synthetic"
    assert "seed 11" in a.attribution and "Aguiar" in a.attribution
    assert any(i.code == "synthetic" for i in a.issues)
    # physically consistent: DHI <= GHI, no irradiance at night, DNI closes the balance
    f = a.frame
    assert (f["dhi_w_per_m2"] <= f["ghi_w_per_m2"] + 1e-9).all()
    assert abs(a.timing_offset_min) < 10.0


def test_clearness_distribution_closer_than_the_other_typical_year(shanghai_tmyx):
    # Reference: the station's two published typical years (CSWD, TMYx) differ by a KS
    # distance the synthetic year (from TMYx monthly means) must stay well inside.
    loc = shanghai_tmyx.location
    cswd = weather.load_weather("shanghai-cswd", correct_timing=True)
    target = _clearness(shanghai_tmyx, loc)
    between_sources = stats.ks_2samp(target, _clearness(cswd, loc)).statistic
    synthetic = stats.ks_2samp(target, _clearness(_synthetic_like(shanghai_tmyx), loc)).statistic
    assert synthetic < between_sources
    assert synthetic < 0.5 * between_sources  # measured: 0.05 against 0.15


@pytest.mark.xfail(
    strict=True,
    reason="measured KS 0.13-0.14 (seeds 0-4) against 0.077 between the site's two actual years: "
    "at this clear 2168 m site the hourly clearness of clear hours reaches 0.80 (90th "
    "percentile) while the TAG clear-sky bound 0.88 cos(πh/30) and the CPR daily profile keep "
    "the synthetic hours at 0.77, and overcast hours are too few (10th percentile 0.35 vs 0.26)",
)
def test_clearness_distribution_within_the_spread_of_actual_years(nsrdb_2017):
    loc = nsrdb_2017.location
    actual = _clearness(nsrdb_2017, loc)
    other_year = stats.ks_2samp(actual, _clearness(read_weather(PSM4_2023), loc)).statistic
    synthetic = stats.ks_2samp(actual, _clearness(_synthetic_like(nsrdb_2017), loc)).statistic
    assert synthetic <= other_year


def test_bad_monthly_inputs_refused(shanghai_tmyx):
    table = _climate_table(shanghai_tmyx)
    loc = shanghai_tmyx.location
    base = {"latitude_deg": loc.latitude_deg, "longitude_deg": loc.longitude_deg, **table}
    with pytest.raises(WeatherError, match=r"monthly_temp_c: expected 12 monthly values"):
        synthetic_year(**{**base, "monthly_temp_c": table["monthly_temp_c"][:11]})
    # MJ/m² typed where kWh/m² is expected: 3.6 times, a clearness no climate has
    with pytest.raises(WeatherError, match=r"monthly_ghi_kwh_per_m2\[\d+\]: .*MJ/m² ÷ 3.6"):
        synthetic_year(**{**base, "monthly_ghi_kwh_per_m2": table["monthly_ghi_kwh_per_m2"] * 3.6})


def test_markov_chain_respects_its_class_range():
    rng = np.random.default_rng(0)
    days = weather.synthetic.daily_clearness_markov(0.52, 3000, rng)
    # class 0.50 < Kt_m <= 0.55 spans 0.053..0.856 (Aguiar et al. 1988)
    assert days.min() >= 0.053 and days.max() <= 0.856
    assert abs(days.mean() - 0.52) < 0.05


def test_hourly_ratios_integrate_to_one():
    # Collares-Pereira-Rabl and Liu-Jordan ratios over a day sum to ~1 (their definition)
    omega_s = np.radians(np.array([70.0, 90.0, 110.0]))[:, None]
    omega = np.radians(np.linspace(-180, 180, 24 * 60, endpoint=False))[None, :]
    dt_h = 24.0 / omega.shape[1]
    for ratio in (
        weather.synthetic.hourly_ratio_global_cpr,
        weather.synthetic.hourly_ratio_diffuse_lj,
    ):
        np.testing.assert_allclose((ratio(omega, omega_s) * dt_h).sum(axis=1), 1.0, rtol=0.02)
