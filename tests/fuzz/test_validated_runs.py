"""What ``twin validate`` accepts runs (hypothesis): mutated configs that
validate are run on a shortened horizon (``simulation.days``) to the end,
with every bus balanced at every step, no non-finite value and every
battery's state of charge within its bounds.

The seeds are the runnable configs except the ledger example, whose
certificates are sized for a year of grid import: on a few days they
over-claim, which the ledger rightly refuses after the run.
"""

from __future__ import annotations

import math
import os
import random
import tempfile
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BALANCE_TOL_KW, SOC_TOL_KWH
from tests.fuzz.mutate import mutate_tree, to_toml
from tests.fuzz.targets import CONFIGS, PROJECT_ERRORS, _seed, validate_config
from twin.component import Direction
from twin.errors import SuspiciousInputWarning
from twin.run import run

SEEDS = (
    "reference_factory.toml",
    "pv_battery_site.toml",
    "hvac_example.toml",
    "compressed_air_example.toml",
    "production_example.toml",
    "chp_example.toml",
    "synthetic_weather_example.toml",
)
LONG = os.environ.get("FUZZ_PROFILE") == "long"
EXAMPLES = 300 if LONG else 8
TRIES = 40
"""Mutations tried per example until one validates (most do not)."""


def _accepted(rng: random.Random, folder: Path):
    """A mutated config that ``twin validate`` accepts, on 1 to 3 days."""
    for _ in range(TRIES):
        name = rng.choice(SEEDS)
        doc = mutate_tree(rng, _seed(name, CONFIGS / name), rounds=rng.choice((0, 1, 1, 2)))
        if isinstance(doc, dict) and isinstance(doc.get("simulation", {}), dict):
            doc.setdefault("simulation", {})["days"] = rng.choice((1, 2, 3))
        path = folder / name
        path.write_text(to_toml(doc), encoding="utf-8")
        try:
            return validate_config(path)
        except PROJECT_ERRORS:
            continue
    return None


def _check_run(plant) -> None:
    res = run(plant)
    n = res.grid.n_steps
    assert n == plant.config.simulation.days * 24 * res.grid.steps_per_hour
    for c in plant.components:
        f = res.flows[c.name]
        for name, arr in (*f.ports.items(), *f.outputs.items()):
            arr = np.asarray(arr, dtype=float)
            assert np.all(np.isfinite(arr)), f"{c.name}.{name} has non-finite values"
    for key, value in res.summary.model_dump().items():
        if isinstance(value, float):
            assert math.isfinite(value) or key.endswith("_years"), f"summary {key} = {value}"
    # every bus closes at every step: what is taken equals what is delivered
    # plus the unmet demand the run reports
    surplus_buses = {
        w.split("'")[1] for w in res.summary.warnings if "surplus above the export limit" in w
    }
    for bus in plant.buses:
        r = np.zeros(n)
        for c in plant.components:
            for p in c.ports():
                if p.bus == bus:
                    flow = res.flows[c.name].ports[p.name]
                    r += flow if p.direction is Direction.IN else -flow
        gap = r - res.unmet_by_bus.get(bus, np.zeros(n))
        assert gap.max(initial=0.0) <= BALANCE_TOL_KW, f"bus {bus}: demand not met or reported"
        if bus not in surplus_buses:
            assert gap.min(initial=0.0) >= -BALANCE_TOL_KW, f"bus {bus}: supply with no taker"
    for c in plant.components:
        if c.kind != "battery":
            continue
        soc = res.flows[c.name].outputs["soc_kwh"]
        cap = c.params.capacity_kwh
        assert soc.min() >= -SOC_TOL_KWH
        assert soc.max() <= c.params.soc_max_frac * cap + SOC_TOL_KWH


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.randoms(use_true_random=False))
def test_what_validate_accepts_runs(rng):
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousInputWarning)
        plant = _accepted(rng, Path(tmp))
        if plant is not None:
            _check_run(plant)
