"""Designs: the structure each promises, seeded, with draws from the named distributions."""

from __future__ import annotations

import numpy as np
import pytest

from twin.sweep.design import build_design
from twin.sweep.schema import SweepFile


def _doc(
    design: dict, parameters: list[dict], uncertain: list[dict] | None = None, seed: int = 5
) -> SweepFile:
    return SweepFile.model_validate(
        {
            "sweep": {"name": "t", "base": "plant.toml", "seed": seed},
            "design": design,
            "parameter": parameters,
            "uncertain": uncertain or [],
        }
    )


PV = {"name": "pv_kwp", "path": "a.b", "low": 0.0, "high": 1000.0}
BAT = {"name": "bat_kwh", "path": "a.c", "low": 100.0, "high": 500.0}


def test_latin_hypercube_puts_one_point_in_every_stratum_of_every_parameter():
    n = 64
    scenarios = build_design(_doc({"kind": "lhs", "n": n}, [PV, BAT]), "t")
    assert len(scenarios) == n and [s.scenario_id for s in scenarios[:2]] == ["s000000", "s000001"]
    for p in (PV, BAT):
        v = np.array([s.values[p["name"]] for s in scenarios])
        strata = np.floor((v - p["low"]) / (p["high"] - p["low"]) * n).astype(int)
        assert sorted(strata) == list(range(n))  # McKay et al. (1979): one sample per interval


def test_designs_are_reproducible_from_the_seed():
    for kind in ("lhs", "sobol", "monte_carlo"):
        a = build_design(_doc({"kind": kind, "n": 16}, [PV, BAT], seed=1), "t")
        b = build_design(_doc({"kind": kind, "n": 16}, [PV, BAT], seed=1), "t")
        c = build_design(_doc({"kind": kind, "n": 16}, [PV, BAT], seed=2), "t")
        assert [s.values for s in a] == [s.values for s in b]
        assert [s.values for s in a] != [s.values for s in c]


def test_grid_oat_and_levels():
    grid = build_design(_doc({"kind": "grid"}, [{**PV, "step": 250.0}, {**BAT, "levels": 3}]), "t")
    assert len(grid) == 5 * 3
    assert sorted({s.values["pv_kwp"] for s in grid}) == [0.0, 250.0, 500.0, 750.0, 1000.0]
    assert sorted({s.values["bat_kwh"] for s in grid}) == [100.0, 300.0, 500.0]
    oat = build_design(
        _doc({"kind": "oat"}, [{**PV, "step": 250.0}, {**BAT, "levels": 3, "base": 100.0}]), "t"
    )
    assert oat[0].values == {"pv_kwp": 500.0, "bat_kwh": 100.0}
    assert len(oat) == 1 + 4 + 2
    assert all(
        sum(s.values[k] != oat[0].values[k] for k in ("pv_kwp", "bat_kwh")) == 1 for s in oat[1:]
    )


def test_levels_are_picked_evenly_by_a_continuous_design():
    scenarios = build_design(
        _doc({"kind": "lhs", "n": 30}, [{"name": "x", "path": "a", "values": ["u", "v", "w"]}]), "t"
    )
    values = [s.values["x"] for s in scenarios]
    assert {v: values.count(v) for v in "uvw"} == {"u": 10, "v": 10, "w": 10}


def test_saltelli_blocks():
    scenarios = build_design(_doc({"kind": "saltelli", "n": 8}, [PV, BAT]), "t")
    assert len(scenarios) == 8 * (2 + 2)
    by = {(s.tags["block"], s.tags["sample"]): s.values for s in scenarios}
    for j in range(8):
        a, b, ab = by[("A", j)], by[("B", j)], by[("AB:pv_kwp", j)]
        assert ab == {"pv_kwp": b["pv_kwp"], "bat_kwh": a["bat_kwh"]}


def test_grid_crossed_with_common_monte_carlo_draws():
    price = {"name": "price", "path": "p", "distribution": "uniform", "low": 0.3, "high": 0.5}
    scenarios = build_design(
        _doc({"kind": "grid", "draws": 4}, [{**PV, "levels": 3}], [price]), "t"
    )
    assert len(scenarios) == 12
    draws = [
        [s.values["price"] for s in scenarios if s.values["pv_kwp"] == v]
        for v in (0.0, 500.0, 1000.0)
    ]
    assert draws[0] == draws[1] == draws[2] and len(set(draws[0])) == 4
    assert [s.tags["draw"] for s in scenarios[:4]] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "spec, check",
    [
        (
            {
                "distribution": "truncated_normal",
                "mean": 0.42,
                "sd": 0.05,
                "low": 0.35,
                "high": 0.5,
            },
            lambda x: x.min() >= 0.35 and x.max() <= 0.5,
        ),
        (
            {"distribution": "lognormal", "mean": 2.0, "sd": 0.5},
            # the parameters are the mean and sd of the value itself
            lambda x: abs(x.mean() - 2.0) < 0.02 and abs(x.std() - 0.5) < 0.02 and x.min() > 0,
        ),
        (
            {"distribution": "triangular", "low": 1.0, "mode": 2.0, "high": 4.0},
            # mean of a triangular distribution: (a + b + c) / 3
            lambda x: x.min() >= 1.0 and x.max() <= 4.0 and abs(x.mean() - 7.0 / 3.0) < 0.02,
        ),
        (
            {"distribution": "normal", "mean": 10.0, "sd": 2.0},
            lambda x: abs(x.mean() - 10.0) < 0.05 and abs(x.std() - 2.0) < 0.05,
        ),
    ],
)
def test_monte_carlo_draws_follow_the_named_distribution(spec, check):
    q = {"name": "q", "path": "p", **spec}
    scenarios = build_design(_doc({"kind": "lhs", "n": 4000}, [], [q]), "t")
    x = np.array([s.values["q"] for s in scenarios])
    assert check(x)


def test_choice_follows_its_weights():
    q = {
        "name": "w",
        "path": "weather.site",
        "distribution": "choice",
        "values": ["nanjing-cswd", "nanjing-tmyx"],
        "weights": [3.0, 1.0],
    }
    scenarios = build_design(_doc({"kind": "lhs", "n": 400}, [], [q]), "t")
    values = [s.values["w"] for s in scenarios]
    assert values.count("nanjing-cswd") == 300  # LHS strata: exactly the weights' shares
