"""Malformed configs: exit code 2, one clear message (file, field, expected,
found), no traceback. One test per defect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_CONFIG
from twin.cli import EXIT_USER_ERROR, main
from twin.config import load_config
from twin.errors import ConsistencyError
from twin.plant import Plant

BASE = """
[plant]
name = "bad"

[simulation]
year = 2025
step = "1h"

[weather]
site = "suzhou-tmyx"
correct_timing = true

[[base_load]]
name = "load"
demand_kw.weekday = [100, 100, 100, 100, 100, 100, 100, 100, 300, 300, 300, 300,
              300, 300, 300, 300, 300, 300, 100, 100, 100, 100, 100, 100]

[[battery]]
name = "storage"
capacity_kwh = 200.0
rated_power_kw = 100.0
soc_min_frac = 0.1
soc_max_frac = 0.9
dispatch = "tou_arbitrage"

[grid_connection]
name = "grid"
import_limit_kw = 1000.0

[grid_connection.tariff]
preset = "jiangsu"
floating_price_cny_per_kwh = 0.4

[grid_connection.emission_factor]
province = "jiangsu"
year = 2023
"""

# (id, old text, new text, fragments the message must contain)
CASES = [
    (
        "unknown_key",
        'name = "bad"',
        'name = "bad"\nnmae = "typo"',
        ["plant.nmae", "unknown key", "did you mean 'name'"],
    ),
    (
        "negative_capacity",
        "capacity_kwh = 200.0",
        "capacity_kwh = -200.0",
        ["battery[0].capacity_kwh", "expected > 0", "got -200"],
    ),
    (
        "wrong_type",
        "import_limit_kw = 1000.0",
        'import_limit_kw = "lots"',
        ["grid_connection.import_limit_kw", "expected", '"lots"'],
    ),
    (
        "missing_weather_file",
        'site = "suzhou-tmyx"',
        'file = "no_such_weather.epw"',
        ["weather.file", "no_such_weather.epw", "no such file"],
    ),
    (
        "unknown_site",
        'site = "suzhou-tmyx"',
        'site = "atlantis"',
        ["weather.site", "atlantis", "suzhou-tmyx"],
    ),
    (
        "hours_do_not_cover_day",
        'preset = "jiangsu"',
        'windows = [{months = [1,2,3,4,5,6,7,8,9,10,11,12], hours = ["flat", "flat"]}]',
        ["grid_connection.tariff.windows[0].hours", "at least 24", "got"],
    ),
    (
        "months_not_covered",
        'preset = "jiangsu"',
        'windows = [{months = [1,2,3], hours = ["flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat","flat"]}]',
        ["grid_connection.tariff", "do not cover months [4, 5, 6"],
    ),
    (
        "soc_window_inverted",
        "soc_min_frac = 0.1\nsoc_max_frac = 0.9",
        "soc_min_frac = 0.9\nsoc_max_frac = 0.1",
        ["battery[0]", "soc_min_frac", "soc_max_frac", "0.9"],
    ),
    (
        "unknown_preset",
        'preset = "jiangsu"',
        'preset = "jiangsuu"',
        ["grid_connection.tariff.preset", "jiangsuu", "known presets", "jiangsu"],
    ),
    (
        "unknown_province",
        'province = "jiangsu"',
        'province = "atlantis"',
        ["grid_connection.emission_factor", "atlantis", "known provinces"],
    ),
    (
        "factor_year_missing",
        "year = 2023\n",
        "year = 2019\n",
        ["grid_connection.emission_factor", "2019", "available years"],
    ),
    ("bad_step", 'step = "1h"', 'step = "7min"', ["simulation.step", "divides one hour", "7min"]),
    ("duplicate_names", 'name = "storage"', 'name = "load"', ["name 'load'", "unique"]),
    (
        "unknown_component_table",
        "[grid_connection]\n",
        '[[windmill]]\nname = "w"\n\n[grid_connection]\n',
        ["windmill", "unknown key", "valid keys here"],
    ),
    (
        "dispatch_literal",
        'dispatch = "tou_arbitrage"',
        'dispatch = "magic"',
        ["battery[0].dispatch", "expected", "magic"],
    ),
    ("toml_syntax", 'name = "bad"', 'name = "bad', ["not valid TOML"]),
    (
        "negative_price",
        "floating_price_cny_per_kwh = 0.4",
        "floating_price_cny_per_kwh = -0.4",
        ["grid_connection.tariff.floating_price_cny_per_kwh", ">= 0", "-0.4"],
    ),
    (
        "missing_required",
        "import_limit_kw = 1000.0\n",
        "",
        ["grid_connection.import_limit_kw", "missing"],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_config_exit_2_with_clear_message(tmp_path: Path, capsys, old, new, fragments):
    assert old in BASE
    path = tmp_path / "plant.toml"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert err.startswith("error: ")
    assert str(path) in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in message:\n{err}"
    assert "Traceback" not in err


def test_base_config_is_valid(tmp_path: Path, capsys):
    path = tmp_path / "plant.toml"
    path.write_text(BASE, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out


def test_missing_config_file(capsys):
    assert main(["run", "does/not/exist.toml"]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "does/not/exist.toml" in err and "not found" in err


def test_bad_override_path(capsys):
    from tests.conftest import REFERENCE_CONFIG

    code = main(["validate", str(REFERENCE_CONFIG), "--set", "battery.nosuch.capacity_kwh=1"])
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert "no item named 'nosuch'" in err and "storage" in err


def test_series_file_wrong_length(tmp_path: Path, capsys):
    (tmp_path / "load.csv").write_text("power_kw\n" + "1.0\n" * 100, encoding="utf-8")
    text = BASE.replace(
        "demand_kw.weekday = [100, 100, 100, 100, 100, 100, 100, 100, 300, 300, 300, 300,\n"
        "              300, 300, 300, 300, 300, 300, 100, 100, 100, 100, 100, 100]",
        'series = {file = "load.csv", column = "power_kw"}',
    )
    path = tmp_path / "plant.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "base_load[load].series" in err and "100 rows" in err and "8760" in err


def test_cli_process_exits_2_without_traceback(tmp_path: Path):
    path = tmp_path / "plant.toml"
    path.write_text(BASE.replace("capacity_kwh = 200.0", "capacity_kwh = -1.0"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "twin.cli", "run", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "battery[0].capacity_kwh" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_reference_to_a_missing_component(tmp_path, capsys):
    text = (
        BASE
        + """
[[demand_profile]]
name = "hot_water_use"
carrier = "heat"
bus = "hot_water"
demand_kw.weekday = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]

[[heat_recovery]]
name = "hr"
source = "compressor_rom"
heat_bus = "hot_water"
"""
    )
    path = tmp_path / "plant.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "heat_recovery[hr] refers to 'compressor_rom'" in err and "components:" in err


def test_runtime_rejection_is_a_user_error(tmp_path, capsys):
    # peak shaving with no target anywhere: the battery refuses at run time
    path = tmp_path / "plant.toml"
    path.write_text(
        BASE.replace('dispatch = "tou_arbitrage"', 'dispatch = "peak_shaving"'), encoding="utf-8"
    )
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "battery[storage]" in err and "demand_target_kw" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "override, expected",
    [
        (
            'pv.rooftop.bus="electricty"',
            ["bus 'electricty'", "nothing takes from it", "did you mean 'electricity'"],
        ),
        ('battery.storage.bus="batt"', ["bus 'batt'", "storage alone"]),
    ],
)
def test_validate_rejects_buses_that_would_fail_the_run(override, expected):
    config = str(REFERENCE_CONFIG)
    with pytest.raises(ConsistencyError) as info:
        Plant.build(load_config(config, [override]))
    for text in expected:
        assert text in str(info.value)
    assert main(["validate", config, "--set", override]) == 2


@pytest.mark.parametrize(
    "override, expected",
    [
        ('simulation.step="1s"', "at least 1min"),
        ("grid_connection.emission_factor.year=[2023]", "expected a data year as a whole number"),
        (
            "hvac_zone.hall.ventilation_m3_per_h=inf",
            "expected a finite number, got inf",
        ),
    ],
)
def test_inputs_that_once_crashed_are_config_errors(override, expected, capsys):
    assert main(["validate", str(REFERENCE_CONFIG), "--set", override]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert err.count("\n") == 1  # one problem, one line
