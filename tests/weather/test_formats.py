"""Readers of every format, on real sample files (pvlib's own test data).

Samples: pvlib installs ``12839.tm2`` (TMY2, Miami), ``723170TYA.CSV`` (TMY3,
Greensboro, February from the leap year 1996) and ``703165TY.csv``; the
PVGIS and NSRDB samples are copied from pvlib-python's ``tests/data`` into
``tests/data/weather`` (see its SOURCES.md). "What the file says" is pvlib's
own parse of the raw columns, in the file's units.
"""

import gzip
import io
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest
from twin.weather import WeatherError, detect_format, load_weather, read_weather, read_weather_years

from twin import weather

from ..conftest import TESTS_DATA_DIR

PVLIB_DATA = Path(pvlib.__file__).parent / "data"
TM2 = PVLIB_DATA / "12839.tm2"
TMY3_LEAP = PVLIB_DATA / "723170TYA.CSV"
SAMPLES = TESTS_DATA_DIR / "weather"
PVGIS_TMY = {
    "pvgis_tmy_csv": SAMPLES / "tmy_45.000_8.000_2005_2023.csv.gz",
    "pvgis_tmy_json": SAMPLES / "tmy_45.000_8.000_2005_2023.json.gz",
    "epw": SAMPLES / "tmy_45.000_8.000_2005_2023.epw.gz",
}
PVGIS_HOURLY_CSV = SAMPLES / "pvgis_hourly_Timeseries_45.000_8.000_SA_30deg_0deg_2016_2016.csv.gz"
PVGIS_HOURLY_JSON = (
    SAMPLES / "pvgis_hourly_Timeseries_45.000_8.000_SA2_10kWp_CIS_5_2a_2013_2014.json.gz"
)
PSM3_2017 = SAMPLES / "test_read_psm3.csv.gz"
PSM4_2023 = SAMPLES / "test_read_psm4.csv.gz"


def _text(path):
    raw = path.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (TM2, "tmy2"),
        (TMY3_LEAP, "tmy3"),
        (PVGIS_TMY["pvgis_tmy_csv"], "pvgis_tmy_csv"),
        (PVGIS_TMY["pvgis_tmy_json"], "pvgis_tmy_json"),
        (PVGIS_TMY["epw"], "epw"),
        (PVGIS_HOURLY_CSV, "pvgis_hourly_csv"),
        (PVGIS_HOURLY_JSON, "pvgis_hourly_json"),
        (PSM3_2017, "psm3"),
    ],
)
def test_format_detected_from_content(path, expected):
    assert detect_format(_text(path), str(path)) == expected


def test_unknown_format_lists_every_format_tried(tmp_path):
    path = tmp_path / "logger.csv"
    path.write_text("when,sun\n2024-01-01 00:00,0\n")
    with pytest.raises(WeatherError) as info:
        load_weather(path)
    text = str(info.value)
    assert "logger.csv: format:" in text
    for fmt in weather.FORMATS:
        assert fmt in text
    assert "format = 'csv'" in text


@pytest.fixture(scope="module")
def tmy2(tmp_path_factory):
    # read under a misleading name: the content, not the extension, picks the reader
    renamed = tmp_path_factory.mktemp("tm2") / "station.txt"
    shutil.copy(TM2, renamed)
    return load_weather(renamed)


def test_tmy2_columns_units_labels_and_sums(tmy2):
    # what the file says, read from its fixed columns (Marion and Urban 1995, table 2-2):
    # GHI [Wh/m²] in characters 18-21, dry bulb [0.1 °C] in 68-71 (1-based)
    lines = TM2.read_text(encoding="latin-1").splitlines()
    rows = lines[1:]
    w = tmy2
    f = w.frame
    assert w.data_kind == "TMY2"
    assert f.shape == (8760, len(weather.CANONICAL_COLUMNS))
    assert w.location.tz_offset_h == float(lines[0].split()[-8])
    np.testing.assert_allclose(w.location.latitude_deg, 25 + 48 / 60)
    # hour 1 (end of 00:00-01:00) is labelled 00:00, the interval start
    assert f.index[0] == pd.Timestamp("2025-01-01 00:00", tz="UTC-05:00")
    assert "shift applied: -60 min" in w.label_rule
    np.testing.assert_allclose(f["ghi_w_per_m2"].sum(), sum(int(r[17:21]) for r in rows))
    np.testing.assert_allclose(f["temp_air_c"].to_numpy(), [int(r[67:71]) / 10 for r in rows])
    assert f["relative_humidity_frac"].between(0.0, 1.0).all()
    assert f["pressure_pa"].between(95_000, 105_000).all()


def test_tmy3_leap_year_february_loads():
    # pvlib's own sample: February from 1996 (a leap year); was "1 hour(s) missing"
    w = read_weather(TMY3_LEAP)
    assert w.frame.shape[0] == 8760
    assert dict(w.source_years)[2] == 1996
    stamps = pd.read_csv(TMY3_LEAP, skiprows=1, usecols=[0, 1, 4])
    row = stamps.index[(stamps.iloc[:, 0] == "02/28/1996") & (stamps.iloc[:, 1] == "24:00")][0]
    at = pd.Timestamp("2025-02-28 23:00", tz="UTC-05:00")
    assert w.frame.loc[at, "ghi_w_per_m2"] == stamps.iloc[row, 2]
    assert not [i for i in w.issues if i.code == "missing_timestamps"]


def test_pvgis_tmy_csv_json_epw_agree_with_the_file():
    frames = {fmt: read_weather(path, strict=False) for fmt, path in PVGIS_TMY.items()}
    csv = frames["pvgis_tmy_csv"]
    assert csv.data_kind == "PVGIS TMY" and frames["epw"].data_kind == "PVGIS TMY"
    # the file's months_selected table becomes the source years
    assert csv.source_years[:3] == ((1, 2018), (2, 2007), (3, 2009))
    assert frames["pvgis_tmy_json"].source_years == csv.source_years
    # UTC time base of the CSV/JSON: 00:00 UTC is the first interval
    assert csv.frame.index[0] == pd.Timestamp("2025-01-01", tz="UTC")
    raw, _ = pvlib.iotools.read_pvgis_tmy(
        io.StringIO(_text(PVGIS_TMY["pvgis_tmy_json"])), pvgis_format="json"
    )
    annual = raw["ghi"].sum()
    for w in frames.values():
        np.testing.assert_allclose(w.frame["ghi_w_per_m2"].sum(), annual, rtol=1e-9)
    np.testing.assert_allclose(
        csv.frame["relative_humidity_frac"].mean(), raw["relative_humidity"].mean() / 100.0
    )
    np.testing.assert_allclose(csv.frame["pressure_pa"].mean(), raw["pressure"].mean())


@pytest.mark.parametrize("path", [PVGIS_HOURLY_CSV, PVGIS_HOURLY_JSON])
def test_pvgis_hourly_on_a_tilted_plane_is_refused_with_a_fix(path):
    with pytest.raises(WeatherError, match=r"horizontal plane \(slope 0°\).*angle=0"):
        read_weather(path)


def test_pvgis_hourly_horizontal_series(tmp_path, psm3_2017):
    # PVGIS's hourly layout (slope 0, no components: G(i) = GHI, instantaneous at HH:10 UTC)
    # filled with a real year: NSRDB 2017 of location 401182, hourly, moved to HH:10 UTC
    # the UTC year 2017: its first 7 h are local 31 Dec 17:00-24:00 (night), wrapped round
    f = psm3_2017.frame
    utc = pd.date_range("2017-01-01 00:10", periods=8760, freq="h", tz="UTC")
    cols = [
        np.roll(f[c].to_numpy(), 7) for c in ("ghi_w_per_m2", "temp_air_c", "wind_speed_m_per_s")
    ]
    body = "\n".join(
        f"{t:%Y%m%d:%H%M},{g:.2f},0.0,{ta:.2f},{ws:.2f},0.0"
        for t, g, ta, ws in zip(utc, *cols, strict=True)
    )
    header = (
        "Latitude (decimal degrees):\t40.530\nLongitude (decimal degrees):\t-108.540\n"
        "Elevation (m):\t2168\nRadiation database:\tPVGIS-SARAH3\n\n\nSlope: 0 deg. \n"
        "Azimuth: 0 deg. \ntime,G(i),H_sun,T2m,WS10m,Int\n"
    )
    path = tmp_path / "Timeseries_40.530_-108.540_SA3_0deg_0deg_2017_2017.csv"
    path.write_text(header + body + "\n")
    assert detect_format(path.read_text(), str(path)) == "pvgis_hourly_csv"
    with pytest.raises(
        WeatherError, match=r"relative_humidity_frac: expected humidity in the file"
    ):
        read_weather(path)
    years = read_weather_years(path, relative_humidity_frac=0.5)
    (w,) = years
    # the annual energy of the samples is kept by the re-averaging onto whole hours
    np.testing.assert_allclose(w.frame["ghi_w_per_m2"].sum(), np.round(cols[0], 2).sum(), rtol=1e-9)
    # the hourly means were stamped as samples at HH:10, 20 min before their centre, so the
    # reader places them 20 min early; measured on solar days (the UTC base is 7 h from
    # local time), the offset shows it
    assert -30.0 < w.timing_offset_min < -10.0
    assert w.data_kind == "PVGIS series" and w.frame.index[0] == pd.Timestamp(
        "2017-01-01", tz="UTC"
    )
    assert any(i.code == "stated_constant" for i in w.issues)
    assert any(i.code == "derived_column" and i.column == "dhi_w_per_m2" for i in w.issues)
    assert w.frame["relative_humidity_frac"].eq(0.5).all()


@pytest.fixture(scope="module")
def psm3_2017():
    return read_weather(PSM3_2017)


def test_psm3_half_hourly_to_hourly_interval_means(psm3_2017):
    w = psm3_2017
    raw, meta = pvlib.iotools.read_nsrdb_psm4(io.StringIO(_text(PSM3_2017)))
    assert w.data_kind == "NSRDB series"
    assert w.frame.shape[0] == 8760
    assert w.frame.index[0] == pd.Timestamp("2017-01-01 00:00", tz="UTC-07:00")
    assert w.location.tz_offset_h == meta["Time Zone"] == -7
    # trapezoid of instantaneous half-hourly samples: the annual energy is the file's
    np.testing.assert_allclose(w.frame["ghi_w_per_m2"].sum(), raw["ghi"].sum() / 2.0, rtol=1e-9)
    np.testing.assert_allclose(w.frame["pressure_pa"].iloc[0], raw["pressure"].iloc[0] * 100.0)
    assert "instantaneous" in w.label_rule


def _csv_from_tmy3(tmp_path, *, label="end", ghi_factor=1.0, name="logger.csv"):
    """Greensboro TMY3 written as a plain CSV, stamped at the given label."""
    data, _ = pvlib.iotools.read_tmy3(TMY3_LEAP, map_variables=True)
    stamps = pd.read_csv(TMY3_LEAP, skiprows=1, usecols=[0, 1])
    hours = stamps.iloc[:, 1].str.slice(0, 2).astype(int)
    start = pd.to_datetime(stamps.iloc[:, 0], format="%m/%d/%Y") + pd.to_timedelta(hours - 1, "h")
    shift = {"start": 0, "centre": 30, "end": 60}[label]
    frame = pd.DataFrame(
        {
            "time": (start + pd.Timedelta(minutes=shift)).dt.strftime("%Y-%m-%d %H:%M"),
            "GHI": data["ghi"].to_numpy() * ghi_factor,
            "DNI": data["dni"].to_numpy(),
            "DHI": data["dhi"].to_numpy(),
            "T": data["temp_air"].to_numpy(),
            "RH": data["relative_humidity"].to_numpy(),
            "WS": data["wind_speed"].to_numpy(),
        }
    )
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _csv_options(**extra):
    options = {
        "format": "csv",
        "columns": {
            "ghi_w_per_m2": "GHI",
            "dni_w_per_m2": "DNI",
            "dhi_w_per_m2": "DHI",
            "temp_air_c": "T",
            "relative_humidity_frac": "RH",
            "wind_speed_m_per_s": "WS",
        },
        "units": {"relative_humidity_frac": "%"},
        "label": "end",
        "time_column": "time",
        "tz_offset_h": -5.0,
        "latitude_deg": 36.1,
        "longitude_deg": -79.95,
        "elevation_m": 273.0,
        "typical": True,
    }
    options.update(extra)
    return options


@pytest.mark.parametrize("label", ["start", "centre", "end"])
def test_generic_csv_labels_reach_the_tmy3_reader(tmp_path, label):
    tmy3 = read_weather(TMY3_LEAP).frame
    path = _csv_from_tmy3(tmp_path, label=label)
    w = read_weather(path, **_csv_options(label=label))
    for col in ("ghi_w_per_m2", "temp_air_c", "relative_humidity_frac"):
        np.testing.assert_allclose(w.frame[col].to_numpy(), tmy3[col].to_numpy(), atol=1e-9)
    assert f"labelled at the interval {label}" in w.label_rule
    # pressure was not in the CSV: standard atmosphere at the stated elevation, said so
    assert any(i.code == "derived_column" and i.column == "pressure_pa" for i in w.issues)


def test_generic_csv_energy_units_converted(tmp_path):
    tmy3 = read_weather(TMY3_LEAP).frame
    path = _csv_from_tmy3(tmp_path, ghi_factor=3.6)  # hourly kJ/m²
    w = read_weather(
        path, **_csv_options(units={"relative_humidity_frac": "%", "ghi_w_per_m2": "kJ/m2"})
    )
    np.testing.assert_allclose(
        w.frame["ghi_w_per_m2"].to_numpy(), tmy3["ghi_w_per_m2"].to_numpy(), atol=1e-9
    )


def test_kj_per_m2_given_as_w_per_m2_caught_by_physics(tmp_path):
    path = _csv_from_tmy3(tmp_path, ghi_factor=3.6)
    with pytest.raises(WeatherError, match=r"logger\.csv: ghi_w_per_m2: .*clearness.*kJ/m²"):
        read_weather(path, **_csv_options())


def test_mixed_time_labelling_refused(tmp_path):
    path = _csv_from_tmy3(tmp_path)
    frame = pd.read_csv(path)
    frame.loc[4000:, "time"] = (
        pd.to_datetime(frame.loc[4000:, "time"]) - pd.Timedelta(minutes=30)
    ).dt.strftime("%Y-%m-%d %H:%M")
    frame.to_csv(path, index=False)
    with pytest.raises(WeatherError, match=r"time: expected one labelling .* mixed labels at :00"):
        read_weather(path, **_csv_options())


def test_numeric_time_column_refused(tmp_path):
    """Numbers in the time column (here 1e308 on every row) are not read as
    nanoseconds since 1970 (found by the weather fuzz campaign)."""
    path = _csv_from_tmy3(tmp_path)
    frame = pd.read_csv(path)
    frame["time"] = 1e308
    frame.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            WeatherError, match=r"logger\.csv: time: expected date-times written as text"
        ):
            read_weather(path, **_csv_options())


def test_repeated_time_stamps_refused(tmp_path):
    """Every row stamped alike: a median step of 0 s is refused before any
    per-step unit is converted (found by the weather fuzz campaign)."""
    path = _csv_from_tmy3(tmp_path)
    frame = pd.read_csv(path)
    frame["time"] = frame["time"].iloc[0]
    frame.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(WeatherError, match=r"time: expected date-times that increase"):
            read_weather(
                path,
                **_csv_options(units={"relative_humidity_frac": "%", "ghi_w_per_m2": "kJ/m2"}),
            )


def test_generic_csv_needs_its_description(tmp_path):
    path = _csv_from_tmy3(tmp_path)
    with pytest.raises(WeatherError, match=r"label, time_column, tz_offset_h"):
        read_weather(
            path,
            format="csv",
            columns={"ghi_w_per_m2": "GHI", "temp_air_c": "T"},
            latitude_deg=36.1,
            longitude_deg=-79.95,
        )
    with pytest.raises(WeatherError, match=r"units.ghi_w_per_m2: expected one of W/m2"):
        read_weather(path, **_csv_options(units={"ghi_w_per_m2": "lux"}))


def test_wrong_time_zone_refused_unless_accepted(tmp_path):
    # a time zone 2 h west of the true one: the sun appears ~2 h late
    path = _csv_from_tmy3(tmp_path, label="start")
    options = _csv_options(label="start", tz_offset_h=-7.0)
    with pytest.raises(
        WeatherError,
        match=r"within ±45 min, found centroid \+1\d\d min.*accept_timing_offset = true",
    ):
        read_weather(path, **options)
    w = read_weather(path, accept_timing_offset=True, **options)
    assert w.timing_offset_min > 100
    (accepted,) = [i for i in w.issues if i.code == "timing_offset_accepted"]
    assert accepted.severity == "warning" and "accept_timing_offset = true" in accepted.message


def test_multi_year_file_split_into_its_years(tmp_path):
    # two real NSRDB years of one site in one CSV
    parts = []
    for path in (PSM3_2017, PSM4_2023):
        raw, _ = pvlib.iotools.read_nsrdb_psm4(io.StringIO(_text(path)))
        parts.append(
            pd.DataFrame(
                {
                    "time": raw.index.strftime("%Y-%m-%d %H:%M"),
                    "ghi": raw["ghi"],
                    "dni": raw["dni"],
                    "dhi": raw["dhi"],
                    "t": raw["temp_air"],
                    "rh": raw["relative_humidity"],
                }
            )
        )
    path = tmp_path / "two_years.csv"
    pd.concat(parts).to_csv(path, index=False)
    years = read_weather_years(
        path,
        format="csv",
        label="instant",
        time_column="time",
        tz_offset_h=-7.0,
        latitude_deg=40.53,
        longitude_deg=-108.54,
        elevation_m=2168.0,
        columns={
            "ghi_w_per_m2": "ghi",
            "dni_w_per_m2": "dni",
            "dhi_w_per_m2": "dhi",
            "temp_air_c": "t",
            "relative_humidity_frac": "rh",
        },
        units={"relative_humidity_frac": "%"},
    )
    assert [int(w.frame.index[0].year) for w in years] == [2017, 2023]
    assert all(len(w.frame) == 8760 for w in years)
    direct = read_weather(PSM3_2017)
    np.testing.assert_allclose(
        years[0].frame["ghi_w_per_m2"].sum(), direct.frame["ghi_w_per_m2"].sum(), rtol=1e-9
    )
    with pytest.raises(WeatherError, match="2 years .*read_weather_years"):
        read_weather(
            path,
            format="csv",
            label="instant",
            time_column="time",
            tz_offset_h=-7.0,
            latitude_deg=40.53,
            longitude_deg=-108.54,
            columns={"ghi_w_per_m2": "ghi", "temp_air_c": "t", "relative_humidity_frac": "rh"},
            units={"relative_humidity_frac": "%"},
        )


def test_typical_year_is_not_an_actual_year():
    with pytest.raises(WeatherError, match=r"expected actual \(calendar\) years, found a typical"):
        read_weather_years(PVGIS_TMY["pvgis_tmy_csv"])


def test_header_elevation_out_of_range_refused(tmp_path):
    text = gzip.decompress(weather.site_path("shanghai-cswd").read_bytes()).decode()
    first, rest = text.split("\n", 1)
    fields = first.split(",")
    fields[-1] = "99999"
    path = tmp_path / "high.epw"
    path.write_text(",".join(fields) + "\n" + rest)
    with pytest.raises(WeatherError, match=r"high\.epw: header elevation_m: expected a value in"):
        load_weather(path)


def test_time_column_without_one_format_refused(tmp_path):
    # a first stamp pandas cannot infer a format from makes it guess row by row
    # (found by the weather fuzz campaign): refused, never read by mixed rules
    path = _csv_from_tmy3(tmp_path)
    frame = pd.read_csv(path)
    frame.loc[0, "time"] = "1st of January, midnight"
    frame.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(WeatherError, match=r"logger\.csv: time: expected date-times in one"):
            read_weather(path, **_csv_options())
