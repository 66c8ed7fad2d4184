"""Each check finds a defect planted in an otherwise clean frame."""

import gzip
import io

import numpy as np
import pandas as pd
import pvlib
import pytest
from twin.weather import (
    WeatherError,
    check_irradiance,
    check_missing,
    check_ranges,
    check_timestamps,
    load_weather,
    site_path,
)
from twin.weather._solar import (
    cos_zenith,
    epoch_seconds,
    extraterrestrial_horizontal_mean,
    subhourly_cos_zenith,
)
from twin.weather.checks import check_all
from twin.weather.core import Location
from twin.weather.gaps import fill_gaps

SOURCE = "planted.epw"


@pytest.fixture(scope="module")
def golden():
    # NREL's Golden TMY3 passes every check (asserted below): the clean base.
    return load_weather("golden-tmy3")


@pytest.fixture
def clean(golden):
    return golden.frame.copy()


@pytest.fixture
def location(golden):
    return golden.location


def codes(issues):
    return {(i.code, i.severity) for i in issues}


def test_clean_frame_has_no_issues(clean, location):
    assert check_all(clean, location, source=SOURCE) == []


def test_missing_hour(clean):
    issues = check_timestamps(clean.drop(clean.index[100]), source=SOURCE)
    assert codes(issues) == {("missing_timestamps", "error"), ("wrong_length", "error")}
    missing = next(i for i in issues if i.code == "missing_timestamps")
    assert missing.count == 1
    assert str(clean.index[100]) in missing.message


def test_duplicate_hour(clean):
    frame = pd.concat([clean.iloc[:101], clean.iloc[100:]])
    issues = check_timestamps(frame, source=SOURCE)
    assert codes(issues) == {("duplicate_timestamps", "error"), ("wrong_length", "error")}
    assert "1 duplicated" in issues[0].message


def test_non_monotonic(clean):
    order = np.arange(len(clean))
    order[[10, 11]] = order[[11, 10]]
    issues = check_timestamps(clean.iloc[order], source=SOURCE)
    assert codes(issues) == {("timestamps_not_monotonic", "error")}


def test_naive_and_non_datetime_index(clean):
    assert ("timestamps_not_tz_aware", "error") in codes(
        check_timestamps(clean.tz_localize(None), source=SOURCE)
    )
    assert codes(check_timestamps(clean.reset_index(drop=True))) == {
        ("index_not_datetime", "error")
    }


def test_off_grid_timestamps(clean):
    shift = pd.to_timedelta(np.where(np.arange(len(clean)) == 5, 30, 0), unit="min")
    frame = clean.set_axis(clean.index + shift)
    assert ("off_grid_timestamps", "error") in codes(check_timestamps(frame))


def test_wrong_length(clean):
    issues = check_timestamps(clean.iloc[:8000], source=SOURCE)
    assert codes(issues) == {("wrong_length", "error")}
    assert "8760 or 8784" in issues[0].message


def test_nan(clean):
    clean.iloc[50:52, clean.columns.get_loc("temp_air_c")] = np.nan
    (issue,) = check_missing(clean, source=SOURCE)
    assert (issue.code, issue.severity, issue.count, issue.column) == (
        "missing_values",
        "error",
        2,
        "temp_air_c",
    )
    assert "longest gap 2 h" in issue.message


def test_sentinel_9999(clean):
    clean.iloc[4000, clean.columns.get_loc("ghi_w_per_m2")] = 9999.0
    clean.iloc[10, clean.columns.get_loc("relative_humidity_frac")] = 9.99  # 999 %
    issues = check_missing(clean, source=SOURCE)
    assert {(i.code, i.column) for i in issues} == {
        ("sentinel_values", "ghi_w_per_m2"),
        ("sentinel_values", "relative_humidity_frac"),
    }


def test_missing_albedo_is_info_only(clean):
    assert codes(check_missing(clean.assign(albedo_frac=np.nan))) == {("albedo_missing", "info")}
    assert codes(check_missing(clean.drop(columns="albedo_frac"))) == {("missing_column", "info")}
    assert codes(check_missing(clean.drop(columns="ghi_w_per_m2"))) == {("missing_column", "error")}


def test_negative_ghi(clean, location):
    clean.iloc[4000, clean.columns.get_loc("ghi_w_per_m2")] = -3.0
    issues = check_irradiance(clean, location, source=SOURCE)
    assert ("negative_irradiance", "error") in codes(issues)


def test_dhi_above_ghi(clean, location):
    row = clean.index.get_loc(pd.Timestamp("2025-06-21 12:00", tz=clean.index.tz))
    ghi = clean["ghi_w_per_m2"].iloc[row]
    clean.iloc[row, clean.columns.get_loc("dhi_w_per_m2")] = ghi + 50.0
    (issue,) = check_irradiance(clean, location, source=SOURCE)
    # one hour: scattered, a warning that names the row
    assert (issue.code, issue.severity) == ("dhi_above_ghi", "warning")
    assert f"06-21 12:00 (data row {row + 1})" in issue.message
    # within the BSRN diffuse-ratio limit (1.05 GHI at a high sun): not reported
    clean.iloc[row, clean.columns.get_loc("dhi_w_per_m2")] = ghi * 1.04
    assert check_irradiance(clean, location) == []


def test_swapped_dhi_and_ghi_are_an_error(clean, location):
    swapped = clean.assign(ghi_w_per_m2=clean["dhi_w_per_m2"], dhi_w_per_m2=clean["ghi_w_per_m2"])
    issues = [
        i for i in check_irradiance(swapped, location, source=SOURCE) if i.severity == "error"
    ]
    assert [i.code for i in issues] == ["dhi_above_ghi"]
    assert "column order and mapping" in issues[0].message


def test_ghi_above_extraterrestrial(clean, location):
    noon = clean.index.get_loc(pd.Timestamp("2025-12-21 12:00", tz=clean.index.tz))
    night = clean.index.get_loc(pd.Timestamp("2025-12-21 22:00", tz=clean.index.tz))
    clean.iloc[noon, clean.columns.get_loc("ghi_w_per_m2")] = 1200.0
    clean.iloc[night, clean.columns.get_loc("ghi_w_per_m2")] = 50.0
    issues = {i.code: i for i in check_irradiance(clean, location, source=SOURCE)}
    assert set(issues) == {
        "ghi_above_extraterrestrial",
        "ghi_above_extraterrestrial_window",
        "irradiance_at_night",
    }
    assert (
        issues["ghi_above_extraterrestrial"].severity,
        issues["ghi_above_extraterrestrial"].count,
    ) == ("warning", 2)
    # the noon value is impossible at any time within 1 h; the night one is dark for 3 h
    window = issues["ghi_above_extraterrestrial_window"]
    assert (window.severity, window.count) == ("error", 1)
    assert f"12-21 12:00 (data row {noon + 1})" in window.message
    dark = issues["irradiance_at_night"]
    assert (dark.severity, dark.count) == ("error", 1)
    assert f"12-21 22:00 (data row {night + 1})" in dark.message and "fix:" in dark.message


def test_a_wider_timing_slack_allows_a_later_value(clean, location):
    # 50 W/m² two hours after the last lit hour: dark within 1 h, lit within 2 h
    day = clean.loc["2025-06-21"]
    lit = day.index[day["ghi_w_per_m2"].to_numpy() > 0][-1]
    late = clean.index.get_loc(lit) + 2
    clean.iloc[late, clean.columns.get_loc("ghi_w_per_m2")] = 20.0 + 30.0
    codes_1h = {i.code for i in check_irradiance(clean, location)}
    codes_2h = {i.code for i in check_irradiance(clean, location, timing_slack_h=2)}
    assert "irradiance_at_night" in codes_1h and "irradiance_at_night" not in codes_2h


def test_all_zero_irradiance_is_refused(clean, location):
    zero = clean.assign(ghi_w_per_m2=0.0, dni_w_per_m2=0.0, dhi_w_per_m2=0.0)
    (issue,) = check_irradiance(zero, location, source=SOURCE)
    assert (issue.code, issue.severity) == ("no_irradiance", "error")
    assert "8760 hours" in issue.message


def test_extraterrestrial_matches_nrel_etr_column():
    # The EPW "etr" field of NREL's Golden TMY3 is the extraterrestrial
    # horizontal irradiation of the hour ending at the label [Wh/m²]: an
    # independent reference for the interval-mean computed here.
    text = gzip.decompress(site_path("golden-tmy3").read_bytes()).decode("utf-8")
    data, meta = pvlib.iotools.read_epw(io.StringIO(text), coerce_year=2025)
    ours = extraterrestrial_horizontal_mean(data.index, meta["latitude"], meta["longitude"])
    np.testing.assert_allclose(ours, data["etr"].to_numpy(float), atol=15.0)


def test_cos_zenith_matches_spa():
    times = pd.date_range("2025-01-01 00:07", periods=300, freq="29h", tz="UTC+08:00")
    spa = pvlib.solarposition.spa_python(times, 31.3, 120.6)
    ours = np.degrees(np.arccos(cos_zenith(epoch_seconds(times), 31.3, 120.6)))
    # Spencer (1971) declination and equation of time (within 0.7 min) vs NREL
    # SPA, geometric zenith (no refraction): 0.4° is the documented accuracy.
    np.testing.assert_allclose(ours, spa["zenith"].to_numpy(), atol=0.4)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("temp_air_c", 65.0, ("implausible_values", "warning")),
        ("temp_air_c", 80.0, ("out_of_range", "error")),
        ("temp_dew_c", -65.0, ("implausible_values", "warning")),
        ("relative_humidity_frac", 1.05, ("relative_humidity_above_1", "info")),
        ("relative_humidity_frac", 1.5, ("out_of_range", "error")),
        ("relative_humidity_frac", -0.1, ("out_of_range", "error")),
        ("wind_speed_m_per_s", 70.0, ("implausible_values", "warning")),
        ("wind_speed_m_per_s", -1.0, ("out_of_range", "error")),
        ("pressure_pa", 45_000.0, ("implausible_values", "warning")),
        ("pressure_pa", 1_013.0, ("out_of_range", "error")),  # hPa left unconverted
        ("albedo_frac", 1.2, ("out_of_range", "error")),
    ],
)
def test_ranges(clean, column, value, expected):
    clean.iloc[7, clean.columns.get_loc(column)] = value
    issues = check_ranges(clean, source=SOURCE)
    assert codes(issues) == {expected}
    assert issues[0].column == column


def test_strict_raises_one_line_message(clean, location):
    clean.iloc[3, clean.columns.get_loc("ghi_w_per_m2")] = -5.0
    with pytest.raises(WeatherError) as info:
        check_irradiance(clean, location, source=SOURCE, strict=True)
    message = str(info.value)
    assert message.startswith(f"{SOURCE}: ghi_w_per_m2: expected irradiance >= 0")
    assert "found 1 negative" in message and "fix:" in message
    assert len(info.value.args) == 1
    assert isinstance(info.value, ValueError)


def test_strict_ignores_warnings(clean, location):
    row = clean.index.get_loc(pd.Timestamp("2025-06-21 12:00", tz=clean.index.tz))
    clean.iloc[row, clean.columns.get_loc("dhi_w_per_m2")] = 1500.0
    assert check_irradiance(clean, location, strict=True)  # warning returned, no raise


# --- gap-fill policy -------------------------------------------------------


def test_fill_daytime_irradiance_gap_up_to_2_h(clean, location):
    row = clean.index.get_loc(pd.Timestamp("2025-06-21 11:00", tz=clean.index.tz))
    col = clean.columns.get_loc("ghi_w_per_m2")
    before, after = clean.iloc[row - 1, col], clean.iloc[row + 2, col]
    gappy = clean.copy()
    gappy.iloc[row : row + 2, col] = np.nan
    filled, issues = fill_gaps(gappy, location, source=SOURCE)
    np.testing.assert_allclose(
        filled.iloc[row : row + 2, col],
        [before + (after - before) / 3, before + 2 * (after - before) / 3],
    )
    assert codes(issues) == {("gap_filled", "info")}
    assert gappy.iloc[row, col] != gappy.iloc[row, col]  # input untouched (NaN)
    gappy.iloc[row : row + 3, col] = np.nan  # 3 h by day: too long
    filled, _ = fill_gaps(gappy, location)
    assert filled.iloc[row : row + 3, col].isna().all()


def test_fill_night_irradiance_with_zero_any_length(clean, location):
    col = clean.columns.get_loc("dni_w_per_m2")
    clean.iloc[0:5, col] = np.nan  # 00:00-05:00 on 1 Jan: night
    filled, issues = fill_gaps(clean, location)
    assert (filled.iloc[0:5, col] == 0.0).all()
    assert "5 night hour(s) set to 0" in issues[0].message


def test_fill_temperature_up_to_3_h_only(clean, location):
    col = clean.columns.get_loc("temp_air_c")
    clean.iloc[100:103, col] = np.nan
    clean.iloc[200:204, col] = np.nan
    filled, _ = fill_gaps(clean, location)
    assert filled.iloc[100:103, col].notna().all()
    assert filled.iloc[200:204, col].isna().all()


def test_fill_wraps_around_the_year(clean, location):
    col = clean.columns.get_loc("temp_air_c")
    clean.iloc[[-1, 0], col] = np.nan
    last, first = clean.iloc[-2, col], clean.iloc[1, col]
    filled, _ = fill_gaps(clean, location)
    np.testing.assert_allclose(
        filled.iloc[[-1, 0], col], [last + (first - last) / 3, last + 2 * (first - last) / 3]
    )


def test_fill_wind_direction_through_north():
    index = pd.date_range("2025-01-01", periods=8760, freq="h", tz="UTC+08:00")
    direction = np.full(8760, 350.0)
    direction[11:] = 10.0
    direction[10] = np.nan
    frame = pd.DataFrame({"wind_direction_deg": direction}, index=index)
    loc = Location("x", "0", 31.0, 120.0, 0.0, 8.0)
    filled, _ = fill_gaps(frame, loc)
    angle = np.radians(filled["wind_direction_deg"].iloc[10])
    assert np.cos(angle) == pytest.approx(1.0)  # north, not the linear mean 180°


def test_the_sun_grid_of_an_index_is_computed_once_and_kept_read_only():
    """The checks, the timing measure and the gap filler ask for the same
    sub-hourly sun grid; the second request returns the first result, and a
    different site or index gets its own."""
    index = pd.date_range("2025-06-01", periods=48, freq="h", tz="Asia/Shanghai")
    first, doy = subhourly_cos_zenith(index, 31.3, 120.6)
    again, _ = subhourly_cos_zenith(index.copy(), 31.3, 120.6)
    assert again is first
    assert not first.flags.writeable and not doy.flags.writeable
    other, _ = subhourly_cos_zenith(index, -33.9, 151.2)
    shifted, _ = subhourly_cos_zenith(index + pd.Timedelta(hours=1), 31.3, 120.6)
    assert not np.array_equal(other, first)
    np.testing.assert_array_equal(shifted[:-1], first[1:])
