"""Inputs the issue names, each once: a clear error naming the file and the
field, exit 2, no traceback; and the shortened horizon ``simulation.days``."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import REFERENCE_CONFIG, minimal_config
from twin.cli import EXIT_USER_ERROR, main
from twin.config import config_from_dict, load_config
from twin.errors import ConfigError
from twin.experiments import load_experiment
from twin.plant import Plant


def _experiment(tmp_path, body: str) -> str:
    path = tmp_path / "exp.toml"
    path.write_text(
        f'[experiment]\nname = "e"\nbase = "{REFERENCE_CONFIG.as_posix()}"\n{body}',
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (
            '[[variant]]\nname = "x"\nmeasures = [{measure = ["leak_repair"]}]\n',
            ["variant[0] (x).measures[0]", "unknown measure ['leak_repair']"],
        ),
        (
            '[[variant]]\nname = "x"\nmeasures = [{measure = "Leak_Repair"}]\n',
            ["did you mean 'leak_repair'?"],
        ),
        (
            '[[variant]]\nname = "x"\nmeasures = [{measure = "move_shift", line = "machining", start = "10pm"}]\n',
            ["measures[0]", "start: expected a time of day HH:MM", "'10pm'"],
        ),
        (
            '[[variant]]\nname = "x"\npatches = {"grid_connection.emission_factor.year" = inf}\n',
            ["variant[0].patches", "emission_factor.year: expected a finite number"],
        ),
        (
            '[[variant]]\nname = "x"\nfoo = 1\n[[variant]]\nname = "y"\nmeasures = [{measure = "nope"}]\n',
            [
                "variant[0].foo: unknown key",
                "valid keys here: description, measures, name, patches",
            ],
        ),
        (
            '[[Variant]]\nname = "x"\n',
            ["Variant: unknown key; did you mean 'variant'?"],
        ),
    ],
    ids=["measure_list", "measure_case", "shift_10pm", "ef_year_inf", "extra_key", "case_key"],
)
def test_experiment_errors_read_like_config_errors(tmp_path, capsys, body, fragments):
    path = _experiment(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    text = str(info.value)
    for fragment in fragments:
        assert fragment in text, text
    assert "Extra inputs are not permitted" not in text and "Input should be" not in text
    assert all(line.startswith(path) for line in text.splitlines()), text
    assert main(["compare", path]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("error: ")


def test_experiment_reports_every_problem_at_once(tmp_path):
    path = _experiment(
        tmp_path,
        '[[variant]]\nname = "a"\nmeasures = [{measure = "nope"}]\n'
        '[[variant]]\nname = "b"\npatches = {"battery.storage.capacity_kwh" = -5}\n'
        '[[variant]]\nname = "c"\nmeasures = [{measure = "move_shift", line = "machining", start = "25:00"}]\n',
    )
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    text = str(info.value)
    assert "variant[0] (a)" in text and "variant 'b'" in text and "variant[2] (c)" in text, text


@pytest.mark.parametrize("content", [b"\xff\xfe[experiment]\n", b"[experiment\nname = 1\n"])
def test_experiment_not_utf8_or_not_toml(tmp_path, capsys, content):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    assert main(["compare", str(path)]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err
    assert "UTF-8" in err or "TOML" in err


def test_every_problem_of_a_config_is_one_line(capsys):
    code = main(
        [
            "validate",
            str(REFERENCE_CONFIG),
            "--set",
            "base_load[0].demand_kw=nan",
            "--set",
            "grid_connection.emission_factor.year=inf",
            "--set",
            "grid_connection.tariff.preset=jiangsuu",
            "--set",
            "hvac_zone.hall.mass_area_m2=100",
        ]
    )
    assert code == EXIT_USER_ERROR
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4, lines
    assert all(line.startswith(f"error: {REFERENCE_CONFIG}: ") for line in lines)
    text = "\n".join(lines)
    assert "did you mean 'jiangsu'?" in text
    # the 5R1C network check is validation's, not a constructor's ValueError in the run
    assert "hvac_zone[0]" in text and "H_tr,op" in text


@pytest.mark.parametrize("value", ["1e308", "nan", "-inf"], ids=["huge", "nan", "minus_inf"])
def test_non_finite_profile_entry_is_rejected(value):
    with pytest.raises(ConfigError, match=r"base_load\[0\]\.demand_kw\.weekday\[3\]"):
        load_config(REFERENCE_CONFIG, [f"base_load[0].demand_kw.weekday[3]={value}"])


def test_days_shortens_the_grid_and_series_files(tmp_path):
    hours = np.arange(8760, dtype=float) % 24 + 100.0
    (tmp_path / "load.csv").write_text("kw\n" + "\n".join(map(str, hours)), encoding="utf-8")
    raw = minimal_config(simulation={"year": 2025, "step": "15min", "days": 3})
    raw["base_load"] = [{"name": "load", "series": {"file": "load.csv", "column": "kw"}}]
    plant = Plant.build(config_from_dict(raw, source="p.toml", base_dir=tmp_path))
    assert plant.grid.n_steps == 3 * 24 * 4
    series = plant.series[("load", "series")]
    np.testing.assert_array_equal(series, np.repeat(hours[:72], 4))


@pytest.mark.parametrize(("days", "expected"), [(0, "expected >= 1"), (366, "at most 365")])
def test_days_out_of_range(days, expected):
    raw = minimal_config(simulation={"year": 2025, "days": days})
    with pytest.raises(ConfigError, match=expected):
        config_from_dict(raw, source="p.toml")
