"""Analysis of a store: Pareto front, constraints, best scenarios, the report command."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.twin.sweep._plants import LOAD_GRID, LOAD_ONLY, write_sweep
from twin.cli import main
from twin.errors import ConfigError
from twin.sweep.analysis import best_scenarios, constraint_mask, oat_effects, pareto_front
from twin.sweep.schema import AnalysisConfig

POINTS = pd.DataFrame(
    {
        "scenario_id": list("abcdefg"),
        "cost": [1.0, 2.0, 3.0, 2.5, 4.0, 1.5, float("nan")],
        "co2": [5.0, 3.0, 1.0, 3.5, 1.0, 6.0, 0.0],
        "peak": [10.0, 20.0, 30.0, 20.0, 10.0, 10.0, 10.0],
    }
)


def test_pareto_front_keeps_the_non_dominated_points():
    front = pareto_front(POINTS, "cost", "co2")
    # d is dominated by b, e by c, f by a; g has no cost
    assert list(front["scenario_id"]) == ["a", "b", "c"]
    flipped = pareto_front(POINTS, "cost", "co2", maximise=["co2"])
    assert list(flipped["scenario_id"]) == ["a", "f"]


def test_constraints_and_best():
    assert list(constraint_mask(POINTS, ["peak <= 20", "co2 > 1"])) == [
        True,
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    best = best_scenarios(
        POINTS, AnalysisConfig(objectives=["cost", "co2"], constraints=["peak < 30"], best=2)
    )
    assert list(best["scenario_id"]) == ["a", "f", "g", "e"]
    with pytest.raises(ConfigError, match="did you mean 'peak'"):
        constraint_mask(POINTS, ["peek <= 3"])


def test_oat_swing():
    frame = pd.DataFrame(
        {"x": [1, 0, 2, 1, 1], "y": [5, 5, 5, 4, 6], "f": [10.0, 8.0, 13.0, 9.0, 12.0]}
    )
    table = oat_effects(frame, ["x", "y"], ["f"]).set_index("parameter")
    assert table.loc["x", "swing"] == 5.0 and table.loc["y", "swing"] == 3.0


def test_sweep_report_prints_and_writes(tmp_path, capsys):
    body = (
        LOAD_GRID.format(levels=2)
        + '\n[analysis]\nobjectives = ["total_cost_cny", "scope2_location_tco2"]\nconstraints = ["peak_import_kw <= 1000"]\nbest = 2\n'
    )
    path = write_sweep(tmp_path, body, plant=LOAD_ONLY)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    assert main(["sweep-report", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Pareto front of total_cost_cny vs scope2_location_tco2" in text
    pareto = pd.read_csv(out / "report" / "pareto.csv")
    # cheapest price with the lowest factor dominates every other grid point
    assert len(pareto) == 1 and pareto.loc[0, "price"] == 0.3 and pareto.loc[0, "ef"] == 0.55
    sens = pd.read_csv(out / "report" / "sensitivity.csv").set_index(["input", "objective"])
    assert sens.loc[("price", "total_cost_cny"), "spearman_rho"] > 0.4
    assert sens.loc[("price", "scope2_location_tco2"), "spearman_rho"] == pytest.approx(
        0.0, abs=1e-9
    )
    assert len(pd.read_csv(out / "report" / "best.csv")) == 4
    assert pd.read_csv(out / "report" / "failed.csv").empty
    assert main(["sweep-report", str(tmp_path / "nothing")]) == 2
