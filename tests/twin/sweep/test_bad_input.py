"""Bad sweep input: clear errors naming file and field, exit 2, nothing written."""

from __future__ import annotations

import socket

import pytest

from tests.twin.sweep._plants import LOAD_GRID, LOAD_ONLY, PV_BATTERY_LHS, write_sweep
from twin.cli import main
from twin.errors import ConfigError
from twin.sweep import DESIGN_LIMIT, load_sweep, run_sweep
from twin.sweep.engine import SweepSizeError
from twin.sweep.executors import SchedulerError


def _load_error(tmp_path, body: str, **kw) -> str:
    path = write_sweep(tmp_path, body, **kw)
    with pytest.raises(ConfigError) as info:
        load_sweep(path)
    text = str(info.value)
    assert text.startswith(str(path))
    return text


def test_a_path_into_a_missing_table_names_the_parameter_and_the_tables(tmp_path):
    body = PV_BATTERY_LHS.format(n=4).replace(
        'path = "battery.bess.capacity_kwh"', 'path = "batteries.bess.capacity_kwh"'
    )
    text = _load_error(tmp_path, body)
    assert "parameter[1] (battery_kwh)" in text and "did you mean 'battery'" in text


def test_a_misspelt_key_at_the_end_of_a_path_gets_a_suggestion(tmp_path):
    body = PV_BATTERY_LHS.format(n=4).replace(
        'path = "battery.bess.capacity_kwh"', 'path = "battery.bess.capacity_kw"'
    )
    text = _load_error(tmp_path, body)
    assert "parameter[1] (battery_kwh)" in text
    assert "battery[0].capacity_kw: unknown key; did you mean 'capacity_kwh'?" in text


def test_a_list_item_that_does_not_exist_lists_the_names(tmp_path):
    body = PV_BATTERY_LHS.format(n=4).replace(
        'path = "battery.bess.capacity_kwh"', 'path = "battery.bes.capacity_kwh"'
    )
    assert "no item named 'bes'" in _load_error(tmp_path, body)


def test_a_value_the_config_rejects_names_the_value(tmp_path):
    body = PV_BATTERY_LHS.format(n=4).replace(
        "low = 100.0\nhigh = 800.0", "low = -100.0\nhigh = 800.0"
    )
    text = _load_error(tmp_path, body)
    assert "parameter[1] (battery_kwh) = -100.0" in text and "capacity_kwh" in text


@pytest.mark.parametrize(
    "dist, expected",
    [
        (
            'distribution = "truncated_normal"\nmean = 0.6\nsd = 0.04\nlow = 0.3\nhigh = 0.5',
            "expected low < mean < high",
        ),
        ('distribution = "uniform"\nlow = 0.5\nhigh = 0.3', "expected low < high"),
        ('distribution = "normal"\nmean = 0.4\nsd = -0.1', "expected sd > 0"),
        ('distribution = "triangular"\nlow = 0.3\nmode = 0.7\nhigh = 0.5', "low <= mode <= high"),
        ('distribution = "lognormal"\nmean = 0.4', "missing sd"),
        ('distribution = "normal"\nmean = 0.4\nsd = 0.1\nhigh = 0.5', "high would be ignored"),
        ('distribution = "choice"\nvalues = [1, 2]\nweights = [1.0]', "1 weights for 2 values"),
    ],
)
def test_bad_distribution_bounds(tmp_path, dist, expected):
    body = PV_BATTERY_LHS.format(n=4)
    body = body[: body.index('distribution = "truncated_normal"')] + dist + "\n"
    text = _load_error(tmp_path, body)
    assert "uncertain[0]" in text and expected in text


def test_an_unbounded_distribution_that_reaches_invalid_values_is_caught(tmp_path):
    # a normal price of mean 0.4 and sd 0.1 goes negative at its 1e-6 quantile
    body = PV_BATTERY_LHS.format(n=4)
    body = body[: body.index('distribution = "truncated_normal"')] + (
        'distribution = "normal"\nmean = 0.4\nsd = 0.1\n'
    )
    text = _load_error(tmp_path, body)
    assert "uncertain[0] (price) = -0.07" in text and "floating_price_cny_per_kwh" in text


def test_unknown_keys_list_the_valid_ones_with_a_suggestion(tmp_path):
    text = _load_error(tmp_path, PV_BATTERY_LHS.format(n=4).replace("kind = ", "knd = "))
    assert "design.knd: unknown key; did you mean 'kind'?" in text and "valid keys here:" in text


def test_a_measure_argument_naming_no_parameter(tmp_path):
    body = (
        LOAD_GRID.format(levels=2)
        + '\n[[measure]]\nmeasure = "led_lighting"\nload = "load"\nreduction_frac = "@reducton"\n'
    )
    text = _load_error(tmp_path, body, plant=LOAD_ONLY)
    assert "measure[0].reduction_frac" in text and "'@reducton'" in text


def test_sobol_needs_a_power_of_two(tmp_path):
    text = _load_error(tmp_path, PV_BATTERY_LHS.format(n=100).replace('"lhs"', '"sobol"'))
    assert "use 64 or 128" in text


def test_too_large_a_design_needs_yes_and_writes_nothing(tmp_path, capsys):
    levels = DESIGN_LIMIT // 4 + 1  # x 4 emission factors
    path = write_sweep(tmp_path, LOAD_GRID.format(levels=levels), plant=LOAD_ONLY)
    out = tmp_path / "out"
    with pytest.raises(SweepSizeError, match="pass --yes"):
        run_sweep(path, out)
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("error: ") and "Traceback" not in err and f"{4 * levels:,} scenarios" in err
    )
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["plant.toml", "sweep.toml"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_a_clear_error_and_writes_nothing(tmp_path, capsys):
    pytest.importorskip("distributed")
    path = write_sweep(tmp_path, LOAD_GRID.format(levels=2), plant=LOAD_ONLY)
    out = tmp_path / "out"
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(SchedulerError, match="no Dask scheduler answered"):
        run_sweep(path, out, scheduler=address, connect_timeout_s=1.0)
    assert not out.exists()
    assert main(["sweep", str(path), "--out", str(out), "--scheduler", "127.0.0.1:1"]) == 2
    assert "expected an address like tcp://HOST:PORT" in capsys.readouterr().err
    assert not out.exists()


def test_an_objective_naming_no_result_column(tmp_path):
    body = LOAD_GRID.format(levels=2) + '\n[analysis]\nobjectives = ["total_cost_cn"]\n'
    text = _load_error(tmp_path, body, plant=LOAD_ONLY)
    assert (
        "analysis.objectives: 'total_cost_cn' is no result column (did you mean 'total_cost_cny'?)"
        in text
    )


def test_the_help_states_the_design_limit(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    assert f"Designs above {DESIGN_LIMIT:,} scenarios need --yes" in capsys.readouterr().out


def test_workers_must_be_positive(tmp_path, capsys):
    path = write_sweep(tmp_path, LOAD_GRID.format(levels=2), plant=LOAD_ONLY)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "0"]) == 2
    assert "--workers: expected a whole number >= 1, got 0" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
