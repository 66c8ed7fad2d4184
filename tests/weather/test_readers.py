"""Readers, bundle and site resolution of the weather package."""

import gzip
import hashlib
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest
from twin.weather import (
    CANONICAL_COLUMNS,
    WeatherError,
    list_sites,
    load_weather,
    read_epw,
    read_tmy3,
    site_path,
)
from twin.weather.sites import DATA_DIR

from twin import weather

# pvlib ships an NSRDB TMY3 sample (Sand Point, AK); used as a real TMY3 CSV.
PVLIB_TMY3_CSV = Path(pvlib.__file__).parent / "data" / "703165TY.csv"

SITES = list(list_sites()["site"])


def _epw_text(site):
    return gzip.decompress(site_path(site).read_bytes()).decode("utf-8")


def _epw_rows(text):
    """Data rows of an EPW text as lists of fields (header = 8 lines)."""
    return [line.split(",") for line in text.splitlines()[8:]]


def _write_epw(tmp_path, text, name="edited.epw"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _edit_rows(text, edits):
    """Apply {row index: {field index: value}} to the data rows of an EPW text."""
    lines = text.splitlines(keepends=True)
    for row, fields in edits.items():
        parts = lines[8 + row].rstrip("\r\n").split(",")
        ending = lines[8 + row][len(lines[8 + row].rstrip("\r\n")) :]
        for field, value in fields.items():
            parts[field] = value
        lines[8 + row] = ",".join(parts) + ending
    return "".join(lines)


# EPW field positions (0-based) in a data row.
F_HOUR, F_TEMP, F_RH, F_PRESSURE, F_GHI, F_DNI, F_DHI = 3, 6, 8, 9, 13, 14, 15


@pytest.mark.parametrize("site", ["shanghai-cswd", "suzhou-tmyx", "golden-tmy3"])
def test_bundled_file_shape_columns_tz(site):
    w = load_weather(site)
    frame = w.frame
    assert frame.shape == (8760, len(CANONICAL_COLUMNS))
    assert list(frame.columns) == list(CANONICAL_COLUMNS)
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.freqstr == "h"
    expected_offset = pd.Timedelta(hours=w.location.tz_offset_h)
    assert frame.index[0].utcoffset() == expected_offset
    assert frame.index[0] == pd.Timestamp("2025-01-01 00:00", tz=frame.index.tz)
    assert frame.index[-1] == pd.Timestamp("2025-12-31 23:00", tz=frame.index.tz)
    assert w.site == site
    assert "shift applied: 0 min" in w.label_rule


def test_location_and_kind_from_header():
    w = load_weather("golden-tmy3")
    assert w.location.station_id == "724666"
    assert w.location.tz_offset_h == -7.0
    np.testing.assert_allclose(
        [w.location.latitude_deg, w.location.longitude_deg, w.location.elevation_m],
        [39.74, -105.18, 1829.0],
    )
    assert w.data_kind == "TMY3"
    assert w.attribution == "NREL TMY3"
    assert load_weather("suzhou-tmyx").data_kind == "TMYx"
    assert load_weather("nanjing-cswd").data_kind == "CSWD"


@pytest.mark.parametrize("site", ["shanghai-cswd", "suzhou-tmyx"])
def test_rows_labelled_at_interval_start(site):
    # EPW hour h covers (h-1, h]: the row with hour field h must sit at h-1.
    rows = _epw_rows(_epw_text(site))
    frame = load_weather(site).frame
    for k in (0, 12, 4000, 8759):
        hour = int(rows[k][F_HOUR])
        assert frame.index[k].hour == hour - 1
        assert frame.index[k].month == int(rows[k][1])
        assert frame.index[k].day == int(rows[k][2])
        assert frame["ghi_w_per_m2"].iloc[k] == float(rows[k][F_GHI])
        assert frame["temp_air_c"].iloc[k] == float(rows[k][F_TEMP])


def test_pvlib_stamps_epw_hour_at_interval_start():
    # The label rule relies on this pvlib 0.16 behaviour (checked on every read too).
    data, _ = pvlib.iotools.read_epw(io.StringIO(_epw_text("xian-cswd")))
    np.testing.assert_array_equal(data.index.hour, data["hour"] - 1)


def test_units_converted_at_the_edge():
    rows = _epw_rows(_epw_text("suzhou-tmyx"))
    frame = load_weather("suzhou-tmyx").frame
    assert frame["relative_humidity_frac"].iloc[0] == pytest.approx(float(rows[0][F_RH]) / 100)
    assert frame["pressure_pa"].iloc[0] == pytest.approx(float(rows[0][F_PRESSURE]))
    assert frame["relative_humidity_frac"].between(0.0, 1.0).all()
    assert frame["albedo_frac"].between(0.0, 1.0).all()


def test_cswd_relative_humidity_fraction_and_supersaturation_reported():
    w = load_weather("shanghai-cswd")
    rh = w.frame["relative_humidity_frac"]
    assert rh.between(0.0, 1.10).all()
    assert rh.median() < 1.0
    codes = {i.code: i for i in w.issues}
    assert codes["relative_humidity_above_1"].severity == "info"
    assert codes["albedo_missing"].severity == "info"
    assert w.frame["albedo_frac"].isna().all()


def test_source_years_kept_per_month():
    # COMMENTS 1 of the Suzhou TMYx file lists the source year of each month.
    w = load_weather("suzhou-tmyx")
    assert w.source_years == (
        (1, 1983),
        (2, 1975),
        (3, 1979),
        (4, 1959),
        (5, 1990),
        (6, 1989),
        (7, 1985),
        (8, 1990),
        (9, 1958),
        (10, 1988),
        (11, 1999),
        (12, 1963),
    )
    assert {y for _, y in load_weather("xian-cswd").source_years} == {2005}
    assert set(w.frame.index.year) == {2025}


def test_sha256_same_for_gz_and_plain(tmp_path):
    gz = site_path("shanghai-cswd")
    raw = gzip.decompress(gz.read_bytes())
    plain = tmp_path / gz.name.removesuffix(".gz")
    plain.write_bytes(raw)
    from_gz = read_epw(gz)
    from_plain = read_epw(plain)
    assert from_gz.sha256 == from_plain.sha256 == hashlib.sha256(raw).hexdigest()
    pd.testing.assert_frame_equal(from_gz.frame, from_plain.frame)


def test_bundled_bytes_intact_and_hash_listed():
    sites = list_sites()
    for _, row in sites.iterrows():
        raw = gzip.decompress((DATA_DIR / row["file"]).read_bytes())
        assert raw.startswith(b"LOCATION,")
        assert hashlib.sha256(raw).hexdigest() == row["sha256"]


def test_read_tmy3_csv_shifts_to_interval_start():
    w = read_tmy3(PVLIB_TMY3_CSV)
    raw, _ = pvlib.iotools.read_tmy3(PVLIB_TMY3_CSV, map_variables=True)
    assert w.frame.shape == (8760, len(CANONICAL_COLUMNS))
    assert w.frame.index[0] == pd.Timestamp("2025-01-01 00:00", tz="UTC-09:00")
    # TMY3 01:00 (hour ending) is our 00:00 (hour starting).
    assert raw.index[0].hour == 1
    assert w.frame["ghi_w_per_m2"].iloc[7000] == raw["ghi"].iloc[7000]
    assert w.frame["pressure_pa"].iloc[0] == pytest.approx(raw["pressure"].iloc[0] * 100)
    assert w.frame["relative_humidity_frac"].between(0, 1).all()
    assert "-60 min" in w.label_rule
    assert w.data_kind == "TMY3"
    assert abs(w.timing_offset_min) < 8
    assert not w.issues_with("error")


def test_load_tmy3_csv_by_path():
    w = load_weather(PVLIB_TMY3_CSV)
    assert w.site is None and w.attribution is None
    assert w.location.station_id == "703165"


@pytest.mark.parametrize("site", SITES)
def test_every_bundled_site_loads_without_errors(site):
    w = load_weather(site)
    assert not w.issues_with("error")
    assert w.frame.drop(columns="albedo_frac").notna().all().all()
    assert np.isfinite(w.timing_offset_min)


def test_sites_table_matches_file_headers():
    sites = list_sites()
    assert sites["site"].is_unique
    assert sorted(sites["file"]) == sorted(p.name for p in DATA_DIR.glob("*.epw.gz"))
    assert set(sites["data_kind"]) == {"CSWD", "TMYx", "TMY3"}
    sources_md = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for _, row in sites.iterrows():
        header = gzip.decompress((DATA_DIR / row["file"]).read_bytes()).split(b"\n", 1)[0]
        fields = header.decode().strip().split(",")
        assert row["wmo"] == fields[5]
        np.testing.assert_allclose(
            [row["latitude_deg"], row["longitude_deg"], row["tz_offset_h"], row["elevation_m"]],
            [float(v) for v in fields[6:10]],
        )
        # The exact sentence SOURCES.md §2 prescribes for the data kind.
        assert f'cite "{row["attribution"]}"' in sources_md
        assert row["data_kind"] in row["file"]
        assert row["site"] == row["site"].lower()


def test_site_ids_case_insensitive_and_paths():
    assert site_path("Suzhou-TMYx") == site_path("suzhou-tmyx")
    w = load_weather("XIAN-CSWD")
    assert w.site == "xian-cswd"
    by_path = load_weather(site_path("xian-cswd"))
    assert by_path.site is None
    assert by_path.sha256 == w.sha256


def test_unknown_site_lists_bundled_sites():
    with pytest.raises(WeatherError, match="suzhou-tmyx") as info:
        load_weather("baoji")
    message = str(info.value)
    assert "'baoji'" in message and "xian-cswd" in message and "fix:" in message
    with pytest.raises(WeatherError, match="golden-tmy3"):
        site_path("nowhere")


def test_missing_file_names_path(tmp_path):
    missing = tmp_path / "nowhere" / "CHN_Test.epw"
    with pytest.raises(WeatherError, match="nowhere/CHN_Test.epw") as info:
        load_weather(missing)
    assert "no such file" in str(info.value)
    with pytest.raises(WeatherError, match="nowhere"):
        read_epw(missing)


def test_unknown_format_names_the_formats_tried(tmp_path):
    # the format comes from the content, so an unknown file lists every format tried
    path = tmp_path / "weather.parquet"
    path.write_bytes(b"PAR1 not weather")
    with pytest.raises(WeatherError, match=r"weather\.parquet: format: .*tried epw .*tmy2.*psm3"):
        load_weather(path)


def test_not_an_epw(tmp_path):
    path = _write_epw(tmp_path, "year,month\n2025,1\n")
    with pytest.raises(WeatherError, match="LOCATION"):
        read_epw(path)


def test_frames_are_independent_copies():
    first = load_weather("hefei-cswd")
    first.frame.iloc[0, 0] = -1.0
    second = load_weather("hefei-cswd")
    assert second.frame.iloc[0, 0] == 0.0


def test_sentinels_become_nan_and_short_gaps_are_filled(tmp_path):
    text = _epw_text("golden-tmy3")
    rows = _epw_rows(text)
    # 172 days in: 21 Jun; rows 4116.. are 12:00-13:00 local.
    noon = 171 * 24 + 12
    edits = {
        noon: {F_GHI: "9999", F_DNI: "9999", F_DHI: "9999"},
        noon + 1: {F_GHI: "9999"},
        2: {F_GHI: "9999", F_TEMP: "99.9"},  # night-time GHI, short temperature gap
        3: {F_TEMP: "99.9"},
        4: {F_RH: "999"},
    }
    w = read_epw(_write_epw(tmp_path, _edit_rows(text, edits)))
    frame = w.frame
    codes = {(i.code, i.column): i for i in w.issues}
    assert codes[("missing_in_file", "ghi_w_per_m2")].count == 3
    assert codes[("missing_in_file", "ghi_w_per_m2")].severity == "warning"
    assert codes[("missing_in_file", "temp_air_c")].count == 2
    assert codes[("gap_filled", "ghi_w_per_m2")].severity == "info"
    assert frame.notna().drop(columns="albedo_frac").all().all()
    assert frame["ghi_w_per_m2"].iloc[2] == 0.0  # night
    before, after = float(rows[noon - 1][F_GHI]), float(rows[noon + 2][F_GHI])
    np.testing.assert_allclose(
        frame["ghi_w_per_m2"].iloc[noon : noon + 2],
        [before + (after - before) / 3, before + 2 * (after - before) / 3],
    )
    t1, t4 = float(rows[1][F_TEMP]), float(rows[4][F_TEMP])
    np.testing.assert_allclose(
        frame["temp_air_c"].iloc[2:4], [t1 + (t4 - t1) / 3, t1 + 2 * (t4 - t1) / 3]
    )


def test_long_gap_is_unusable(tmp_path):
    text = _edit_rows(_epw_text("golden-tmy3"), {k: {F_TEMP: "99.9"} for k in range(100, 105)})
    path = _write_epw(tmp_path, text)
    with pytest.raises(WeatherError, match=r"temp_air_c: expected no NaN.*longest gap 5 h"):
        read_epw(path)
    w = read_epw(path, strict=False)
    (issue,) = [i for i in w.issues if i.severity == "error"]
    assert issue.code == "missing_values" and issue.count == 5


def test_missing_hour_in_file_is_an_error(tmp_path):
    lines = _epw_text("golden-tmy3").splitlines(keepends=True)
    del lines[8 + 500]
    path = _write_epw(tmp_path, "".join(lines))
    with pytest.raises(WeatherError, match="hour"):
        read_epw(path)
    codes = {i.code for i in read_epw(path, strict=False).issues_with("error")}
    assert {"missing_timestamps", "wrong_length"} <= codes


def test_leap_year_read_copies_feb_28():
    w = load_weather("beijing-cswd", year=2024)
    frame = w.frame
    assert len(frame) == 8784
    feb28 = frame.loc["2024-02-28"]
    feb29 = frame.loc["2024-02-29"]
    np.testing.assert_array_equal(feb28.to_numpy(), feb29.to_numpy())
    assert "leap_day_inserted" in {i.code for i in w.issues}
    base = load_weather("beijing-cswd").frame
    np.testing.assert_array_equal(
        frame.loc["2024-03-01"].to_numpy(), base.loc["2025-03-01"].to_numpy()
    )


def test_public_names():
    for name in weather.__all__:
        assert hasattr(weather, name)
    assert {
        "Weather",
        "Location",
        "WeatherIssue",
        "WeatherError",
        "load_weather",
        "read_epw",
        "read_tmy3",
        "list_sites",
        "site_path",
        "measure_timing_offset_min",
        "shift_irradiance",
        "to_year",
        "CANONICAL_COLUMNS",
    } <= set(weather.__all__)


def test_list_sites_is_a_fresh_copy_each_time():
    """The table is read once per process; what a caller changes in its copy
    does not reach the next caller."""
    first = list_sites()
    first.loc[0, "site"] = "changed"
    assert list_sites().loc[0, "site"] != "changed"
