"""Weather that is refused or flagged, never silently fixed.

Each case edits one thing in a real bundled EPW (Suzhou TMYx) and checks
that the readers refuse it with a message naming the file, the field, what
was found and a fix; ``twin weather check`` lists every problem at once.
"""

import gzip

import pytest
from twin.weather import WeatherError, load_weather, site_path

from twin import weather
from twin.cli import main

TEXT = gzip.decompress(site_path("suzhou-tmyx").read_bytes()).decode("latin-1")
LINES = TEXT.splitlines(keepends=True)
HEADER, ROWS = LINES[:8], LINES[8:]

#: Fields of the EPW LOCATION line (EnergyPlus Auxiliary Programs, EPW format).
LATITUDE, LONGITUDE, TZ, ELEVATION = 6, 7, 8, 9


def _location(field: int, value: str) -> list[str]:
    parts = HEADER[0].rstrip("\r\n").split(",")
    parts[field] = value
    return [",".join(parts) + "\n", *HEADER[1:]]


def _write(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("".join(lines), encoding="latin-1")
    return path


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (ELEVATION, "99999", r"header elevation_m: expected a value in -500..9000, found 99999"),
        (LATITUDE, "999", r"header latitude_deg: expected a value in -90..90, found 999"),
        (LONGITUDE, "-120.6", r"header tz_offset_h: expected a UTC offset within 3.5 h"),
        (TZ, "-5.0", r"header tz_offset_h: expected a UTC offset within 3.5 h .* found -5 h"),
    ],
)
def test_header_outside_physical_ranges_or_solar_time_is_refused(tmp_path, field, value, expected):
    path = _write(tmp_path, "header.epw", _location(field, value) + ROWS)
    with pytest.raises(WeatherError, match=expected) as info:
        load_weather(path)
    assert str(path) in str(info.value) and "fix:" in str(info.value)


def test_minus_5_h_header_on_a_chinese_file_is_refused_not_corrected(tmp_path):
    # the issue's case: the timing correction used to move the data by 810 min
    path = _write(tmp_path, "tz.epw", _location(TZ, "-5.0") + ROWS)
    with pytest.raises(WeatherError, match="tz_offset_h") as info:
        load_weather(path, correct_timing=True)
    assert "moved" not in str(info.value)
    w = load_weather(path, correct_timing=True, strict=False)
    assert w.timing_correction_min == 0.0


def test_header_and_no_rows(tmp_path):
    path = _write(tmp_path, "norows.epw", HEADER)
    with pytest.raises(WeatherError, match=r"data rows: .*found a header and no data rows"):
        load_weather(path)


@pytest.mark.parametrize("kept", [1, 3, 7])
def test_truncated_header(tmp_path, kept):
    path = _write(tmp_path, "trunc.epw", HEADER[:kept])
    with pytest.raises(WeatherError, match=rf"header line {kept + 1}: expected the EPW record"):
        load_weather(path)


def test_non_numeric_location_field(tmp_path):
    path = _write(tmp_path, "lat.epw", _location(LATITUDE, "north") + ROWS)
    with pytest.raises(WeatherError, match=r"header LOCATION latitude: expected a number"):
        load_weather(path)


def test_all_zero_irradiance_is_refused(tmp_path):
    rows = []
    for r in ROWS:
        f = r.rstrip("\r\n").split(",")
        f[13] = f[14] = f[15] = "0"
        rows.append(",".join(f) + "\n")
    path = _write(tmp_path, "zero.epw", HEADER + rows)
    with pytest.raises(WeatherError, match=r"GHI zero or missing in all 8760 hours"):
        load_weather(path)


def test_weather_check_lists_header_and_data_problems_together(tmp_path, capsys):
    # an impossible elevation and a night-time GHI spike: both listed, exit 2
    rows = list(ROWS)
    f = rows[2].rstrip("\r\n").split(",")  # 1 January, 02:00-03:00
    f[13] = "400"
    rows[2] = ",".join(f) + "\n"
    f = rows[4000].rstrip("\r\n").split(",")
    f[6] = "85.0"  # dry bulb beyond the EPW limit of 70 °C
    rows[4000] = ",".join(f) + "\n"
    path = _write(tmp_path, "two.epw", _location(ELEVATION, "99999") + rows)
    assert main(["weather", "check", str(path)]) == 2
    out = capsys.readouterr()
    assert "header elevation_m" in out.out and "temp_air_c: expected values in -70..70" in out.out
    assert "error: 2 problem(s)" in out.err
    # the same file with a valid header: the night spike is found with its row
    path = _write(tmp_path, "night.epw", HEADER + rows)
    assert main(["weather", "check", str(path)]) == 2
    out = capsys.readouterr()
    assert "01-01 02:00 (data row 3)" in out.out and "below the horizon" in out.out
    with pytest.raises(WeatherError) as info:
        load_weather(path)
    assert str(info.value).startswith("2 problems make this weather unusable:\n")


def test_every_bundled_file_passes_or_is_accepted_with_a_reason():
    # every bundled file loads strictly (tests/weather/test_readers.py, one case per
    # site); those beyond the refusal bound do so only through their stated reason
    sites = weather.list_sites()
    bound = weather.readers.TIMING_REFUSAL_MIN
    late = sites["noted_timing_offset_min"].abs() > bound
    assert (sites["timing_acceptance"] != "").tolist() == late.tolist()
    assert sorted(sites.loc[late, "site"]) == [
        "hangzhou-cswd",
        "hongjia-cswd",
        "nanjing-cswd",
        "xian-cswd",
    ]
    for site, reason in zip(
        sites.loc[late, "site"], sites.loc[late, "timing_acceptance"], strict=True
    ):
        w = load_weather(site)
        (accepted,) = [i for i in w.issues if i.code == "timing_offset_accepted"]
        assert reason in accepted.message and abs(w.timing_offset_min) > bound
        corrected = load_weather(site, correct_timing=True)
        assert not any(i.code == "timing_offset_accepted" for i in corrected.issues)


def test_a_huge_value_in_a_scaled_tmy3_column_is_refused_not_a_warning(tmp_path):
    """1e308 mbar becomes an infinite pressure in Pa: refused as out of range, with
    no overflow warning on the way (found by the weather fuzz campaign)."""
    import warnings
    from pathlib import Path

    import pvlib

    src = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"
    lines = src.read_text(encoding="latin-1").splitlines(keepends=True)
    col = lines[1].split(",").index("Pressure (mbar)")
    fields = lines[102].split(",")
    fields[col] = "1e308"
    lines[102] = ",".join(fields)
    path = _write(tmp_path, "huge.csv", lines)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(WeatherError, match=r"huge\.csv: pressure_pa: expected values in"):
            load_weather(path)
