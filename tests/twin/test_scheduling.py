"""Shift start times by MILP: optimal in its own model, then simulated."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import twin
from tests.conftest import REFERENCE_CONFIG
from twin.errors import ConfigError
from twin.scheduling import optimise_shifts, solve_shift_starts


@pytest.fixture(scope="module")
def plan():
    return optimise_shifts(twin.load_config(REFERENCE_CONFIG), "stamping")


@pytest.mark.parametrize("seed", range(5))
def test_milp_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    hours = np.arange(24)
    cost = rng.uniform(0.0, 100.0, 24)
    length, per_shift, required = 8, 1000.0, 1500.0  # two shifts needed
    chosen = solve_shift_starts(cost, hours, length, 3, per_shift, required)
    feasible = [
        combo
        for k in (2, 3)
        for combo in itertools.combinations(range(24), k)
        if all(
            (b - a) % 24 >= length and (a - b) % 24 >= length
            for a, b in itertools.combinations(combo, 2)
        )
    ]
    best = min(feasible, key=lambda combo: cost[list(combo)].sum())
    assert cost[list(chosen)].sum() == pytest.approx(cost[list(best)].sum())


def test_milp_infeasible_returns_none():
    assert solve_shift_starts(np.ones(24), np.arange(24), 8, 1, 100.0, 150.0) is None


def test_cost_objective_moves_work_to_cheaper_hours_and_simulation_agrees(plan):
    assert plan.chosen_starts != plan.base_starts
    assert plan.estimate_chosen < plan.estimate_base
    # the discrete-event simulation confirms the direction of the saving
    assert plan.simulated_chosen < plan.simulated_base
    # and the optimiser's line model is within 25 % of the simulated saving
    est = plan.estimate_base - plan.estimate_chosen
    sim = plan.simulated_base - plan.simulated_chosen
    assert sim == pytest.approx(est, rel=0.25)
    assert plan.plant_cost_chosen_cny < plan.plant_cost_base_cny


def test_flat_emission_factor_keeps_the_current_shifts():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = optimise_shifts(
            twin.load_config(REFERENCE_CONFIG), "stamping", objective="emissions"
        )
    assert flat.chosen_starts == flat.base_starts


def test_unknown_line_and_infeasible_output():
    config = twin.load_config(REFERENCE_CONFIG)
    with pytest.raises(ConfigError, match="no production_line named 'nope'; lines: stamping"):
        optimise_shifts(config, "nope")
    with pytest.raises(ConfigError, match="delivers"):
        optimise_shifts(config, "stamping", max_shifts=1, required_output=1e9)


def test_cli_schedule(tmp_path, capsys):
    from twin.cli import main

    assert (
        main(
            ["schedule", str(REFERENCE_CONFIG), "--line", "assembly", "--out", str(tmp_path / "s")]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "optimiser estimate" in out and "simulated (line)" in out
    assert (tmp_path / "s" / "schedule.csv").is_file()
