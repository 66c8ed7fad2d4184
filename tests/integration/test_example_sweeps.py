"""The example sweeps load, are as large as promised, and their scenarios run."""

from __future__ import annotations

import dataclasses

from tests.conftest import ROOT
from twin.sweep import Store, load_sweep, run_sweep


def _first(sweep, n):
    return dataclasses.replace(
        sweep, scenarios=sweep.scenarios[:n], design_key=f"{sweep.design_key}:{n}"
    )


def test_pv_battery_sweep(tmp_path):
    sweep = load_sweep(ROOT / "experiments" / "pv_battery_sweep.toml")
    assert sweep.doc.design.kind == "lhs" and len(sweep.scenarios) >= 500
    assert {"pv_kwp", "battery_kwh", "battery_kw"} <= set(sweep.scenarios[0].values)
    run = run_sweep(_first(sweep, 3), tmp_path / "pv", workers=1)
    assert run.counts["done"] == 3
    with Store.open(tmp_path / "pv") as store:
        frame = store.frame()
    # the investment is the parameters' unit costs times their values
    expected = frame["pv_kwp"] * 3000.0 + frame["battery_kwh"] * 800.0 + frame["battery_kw"] * 300.0
    assert (abs(frame["capex_cny"] - expected) < 1e-6 * expected).all()
    assert (frame["pv_ac_kwh"] > 0).all() and (
        frame["annual_cost_cny"] > frame["total_cost_cny"]
    ).all()


def test_factory_sweep(tmp_path):
    sweep = load_sweep(ROOT / "experiments" / "factory_sweep.toml")
    assert len(sweep.scenarios) >= 100 and {m["measure"] for m in sweep.doc.measure} >= {
        "leak_repair",
        "idle_to_standby",
        "setpoint_change",
    }
    assert {q.name for q in sweep.doc.uncertain} == {"purchase_price", "grid_ef"}
    run = run_sweep(_first(sweep, 1), tmp_path / "f", workers=1)
    assert run.counts["done"] == 1
