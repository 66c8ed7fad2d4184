"""Runs over actual weather years, the synthetic config, weather compare and the CLI."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin import weather
from twin.cli import main
from twin.config import load_config
from twin.errors import ConfigError
from twin.run import run
from twin.weather_years import (
    compare_weather,
    load_config_weather,
    load_weather_years,
    run_weather_years,
)

from ..conftest import ROOT, TESTS_DATA_DIR

SAMPLES = TESTS_DATA_DIR / "weather"
YEARS = [SAMPLES / "test_read_psm3.csv.gz", SAMPLES / "test_read_psm4.csv.gz"]
EXAMPLE = ROOT / "configs" / "synthetic_weather_example.toml"


@pytest.fixture(scope="module")
def years():
    return load_weather_years(YEARS)


@pytest.fixture(scope="module")
def example():
    return load_config(EXAMPLE)


def test_folder_and_list_give_the_same_years(tmp_path, years):
    for path in YEARS:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "README.md").write_text("notes are skipped")
    from_folder = load_weather_years(tmp_path)
    assert [int(w.frame.index[0].year) for w in from_folder] == [2017, 2023]
    assert [w.sha256 for w in from_folder] == [w.sha256 for w in years]


def test_years_refused_when_not_actual_or_repeated(tmp_path):
    with pytest.raises(weather.WeatherError, match="typical year"):
        load_weather_years([YEARS[0], SAMPLES / "tmy_45.000_8.000_2005_2023.csv.gz"])
    with pytest.raises(weather.WeatherError, match="2017 more than once"):
        load_weather_years([YEARS[0], YEARS[0]])
    with pytest.raises(weather.WeatherError, match="at least two actual years"):
        load_weather_years([YEARS[0]])


def test_spread_beside_the_typical_year(example, years):
    result = run_weather_years(example, years)
    table = result.table
    assert list(table["kind"]) == ["typical", "actual", "actual"]
    assert table["data_kind"].iloc[0] == "synthetic"
    actual = result.actual
    stats = result.stats.set_index("quantity")
    pv = actual["pv_ac_kwh"].to_numpy()
    row = stats.loc["pv_ac_kwh"]
    # exceedance convention: P90 is the 10th percentile, P10 the 90th
    np.testing.assert_allclose(row["p90"], np.percentile(pv, 10))
    np.testing.assert_allclose(row["p10"], np.percentile(pv, 90))
    np.testing.assert_allclose(row["p50"], pv.mean())  # two years: the median is the mean
    assert row["worst_year"] == int(actual["year"].iloc[int(np.argmin(pv))])
    cost = stats.loc["total_cost_cny"]
    assert cost["worst"] == actual["total_cost_cny"].max()
    np.testing.assert_allclose(row["typical"], table["pv_ac_kwh"].iloc[0])
    # more sun, more PV: the year order of GHI and PV agree
    assert np.argsort(actual["ghi_kwh_per_m2"].to_numpy()).tolist() == np.argsort(pv).tolist()
    # a claim check: "at least X two years running" (2017 and 2023 are not consecutive)
    assert result.years_running("pv_ac_kwh", at_least=pv.min()) == 1
    assert result.years_running("pv_ac_kwh", at_least=pv.max() + 1) == 0


def test_synthetic_config_runs_and_is_marked(example):
    w = load_config_weather(example)
    assert w.data_kind == "synthetic"
    assert w.frame.index[0].year == example.simulation.year
    # the one run entry point loads it too, and says so in provenance
    summary = run(example).summary
    assert summary["provenance"]["weather"]["data_kind"] == "synthetic"
    assert summary["provenance"]["weather"]["sha256"] == w.sha256
    raw_bad = EXAMPLE.read_text(encoding="utf-8").replace(
        "monthly_temp_c = [-0.4, 2.2,", "monthly_temp_c = [2.2,"
    )
    bad = EXAMPLE.parent / "_bad_synthetic.toml"
    try:
        bad.write_text(raw_bad, encoding="utf-8")
        with pytest.raises(ConfigError, match=r"weather\.synthetic\.monthly_temp_c"):
            load_config(bad)
    finally:
        bad.unlink()


def test_weather_compare_shows_the_source_spread():
    a = weather.load_weather("shanghai-cswd")
    b = weather.load_weather("shanghai-tmyx")
    cmp = compare_weather(a, b)
    year = cmp.monthly.loc["year"]
    np.testing.assert_allclose(year["ghi_a_kwh_per_m2"], a.frame["ghi_w_per_m2"].sum() / 1000)
    np.testing.assert_allclose(
        cmp.monthly.loc[1:12, "pv_a_kwh_per_kwp"].sum(), year["pv_a_kwh_per_kwp"], rtol=1e-6
    )
    # SOURCES.md: TMYx +15 % GHI over CSWD at Shanghai; the PV yield spread is larger still
    assert year["ghi_b_over_a_frac"] == pytest.approx(0.148, abs=0.005)
    assert cmp.pv_b_over_a_frac > year["ghi_b_over_a_frac"]
    assert cmp.distance_deg < 0.05


def test_cli_weather_years_compare_and_list(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["run", str(EXAMPLE), "--out", str(out), "--weather-years", *map(str, YEARS)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "weather years (2: 2017, 2023)" in text and "P90" in text
    assert "SYNTHETIC year" in text
    table = pd.read_csv(out / "weather_years.csv")
    assert list(table["kind"]) == ["typical", "actual", "actual"]
    assert (out / "weather_years_stats.csv").is_file()
    assert main(["weather", "compare", "shanghai-cswd", "shanghai-tmyx"]) == 0
    assert "PV yield of B relative to A" in capsys.readouterr().out
    assert main(["weather", "list"]) == 0
    listing = capsys.readouterr().out
    assert "period" in listing and "1971-2003" in listing and "timing_offset_min" in listing


def test_cli_bad_weather_exits_2(tmp_path, capsys):
    junk = tmp_path / "junk.json"
    junk.write_text('{"not": "weather"}')
    assert main(["weather", "check", str(junk)]) == 2
    err = capsys.readouterr().err
    assert "junk.json: format:" in err and "Traceback" not in err
    args = ["run", str(EXAMPLE), "--out", str(tmp_path / "o"), "--weather-years", str(junk)]
    assert main(args) == 2
    assert Path(tmp_path / "o").exists() is False


def test_cli_weather_check_lists_every_problem(tmp_path, capsys):
    import gzip

    text = gzip.decompress(weather.site_path("shanghai-cswd").read_bytes()).decode()
    lines = text.splitlines(keepends=True)
    for k, field, value in ((8 + 4000, 13, "-50"), (8 + 100, 6, "85.0")):
        parts = lines[k].split(",")
        parts[field] = value  # GHI negative; dry bulb beyond the EPW limit of 70 °C
        lines[k] = ",".join(parts)
    path = tmp_path / "two_problems.epw"
    path.write_text("".join(lines))
    assert main(["weather", "check", str(path)]) == 2
    out = capsys.readouterr()
    assert "ghi_w_per_m2: expected irradiance >= 0" in out.out
    assert "temp_air_c: expected values in -70..70" in out.out
    assert "2 problem(s)" in out.err


def test_config_reads_a_described_csv(tmp_path):
    # a logger's CSV of two actual NSRDB years; the config's [weather.csv] describes it
    import io

    import pvlib

    rows = []
    for path in YEARS:
        raw, _ = pvlib.iotools.read_nsrdb_psm4(io.StringIO(_gunzip(path)))
        rows.append(
            pd.DataFrame(
                {
                    "time": raw.index.strftime("%Y-%m-%d %H:%M"),
                    "ghi": raw["ghi"],
                    "t": raw["temp_air"],
                    "rh": raw["relative_humidity"],
                }
            )
        )
    csv_path = tmp_path / "logger.csv"
    pd.concat(rows).to_csv(csv_path, index=False)
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("[weather.synthetic]")
    end = text.index("[grid_connection]")
    weather_table = (
        '[weather]\nfile = "logger.csv"\n\n[weather.csv]\n'
        'columns = { ghi_w_per_m2 = "ghi", temp_air_c = "t", relative_humidity_frac = "rh" }\n'
        'units = { relative_humidity_frac = "%" }\nlabel = "instant"\ntime_column = "time"\n'
        "tz_offset_h = -7.0\nlatitude_deg = 40.53\nlongitude_deg = -108.54\n"
        "elevation_m = 2168.0\n\n"
    )
    config_path = tmp_path / "logger.toml"
    config_path.write_text(text[:start] + weather_table + text[end:], encoding="utf-8")
    config = load_config(config_path)
    # one file of two years cannot be one run's weather; the message says what to do
    with pytest.raises(
        ConfigError, match=r"logger\.toml: weather\.file: .*2 years .*weather-years"
    ):
        load_config_weather(config)
    years = load_weather_years(csv_path, csv=config.weather.csv.model_dump())
    assert [int(w.frame.index[0].year) for w in years] == [2017, 2023]
    assert years[0].data_kind == "CSV series"
    assert any(i.code == "derived_column" and i.column == "dhi_w_per_m2" for i in years[0].issues)


def _gunzip(path):
    import gzip

    return gzip.decompress(path.read_bytes()).decode()
