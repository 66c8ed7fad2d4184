"""Work shared between scenarios changes no result: each row of a sweep equals a
plain run of its scenario in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.twin.sweep._plants import write_sweep
from twin.simulate import clear_component_memo, component_memo_stats
from twin.sweep import Store, load_sweep, run_sweep
from twin.sweep.scenario import flatten_summary, scenario_config

ROOT = Path(__file__).resolve().parents[3]

GRID = """
[design]
kind = "grid"

[[parameter]]
name = "price"
path = "grid_connection.tariff.floating_price_cny_per_kwh"
values = [0.35, 0.45]

[[parameter]]
name = "ef"
path = "grid_connection.emission_factor.ef_kg_per_kwh"
values = [0.55, 0.62]
"""
"""Four scenarios: the load and the PV never change; the TOU battery reads the
prices, not the grid factor, so it is computed once per price and reused for
the other factor."""

PLAIN_RUN = """
import json, sys, warnings
warnings.simplefilter("ignore")
from twin.config.loader import config_from_dict
from twin.run import run
from twin.sweep.scenario import flatten_summary
raw, base_dir = json.load(sys.stdin)
summary = run(config_from_dict(raw, source="plain", base_dir=base_dir)).summary
print(json.dumps(flatten_summary(summary.model_dump())))
"""


def test_sweep_rows_equal_plain_runs_in_fresh_processes(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, GRID))
    clear_component_memo()
    before = component_memo_stats()["hits"]
    run_sweep(sweep, tmp_path / "out", workers=1)
    # load and PV in three scenarios, the battery in two
    assert component_memo_stats()["hits"] - before >= 8
    with Store.open(tmp_path / "out") as store:
        rows = store.frame().set_index("scenario_id")
    assert len(rows) == 4
    for scenario in sweep.scenarios:
        raw, _ = scenario_config(sweep.plan, scenario)
        done = subprocess.run(
            [sys.executable, "-c", PLAIN_RUN],
            input=json.dumps([raw, sweep.plan.base_dir]),
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        plain = json.loads(done.stdout)
        row = rows.loc[scenario.scenario_id]
        assert plain, "the plain run gave no summary"
        for name, value in plain.items():
            assert row[name] == value, (scenario.scenario_id, name, row[name], value)
    # every factor and price shows in the results
    assert len(set(zip(rows["scope2_location_tco2"], rows["total_cost_cny"], strict=True))) == 4


def test_flatten_summary_keeps_every_numeric_field():
    # a guard on the comparison above: nested tables are flattened, text is left out
    got = flatten_summary({"a": 1, "b": {"c": 2.5, "d": "x"}, "e": True, "provenance": {"x": 1}})
    assert got == {"a": 1.0, "b.c": 2.5}
