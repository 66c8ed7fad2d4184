"""Shared fixtures.

Tolerances used across the suite are named here with their reason.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# The on-disk cache of results (twin.diskcache) stays off in the suite, so no
# test reads what an earlier run left in the user's cache folder; its own
# tests switch it on in a temporary folder.
os.environ["FACTORY_TWIN_CACHE"] = "off"

# CI runs hypothesis derandomized, so a green main stays green; locally every
# run explores new examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
TESTS_DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_CONFIG = ROOT / "configs" / "reference_factory.toml"

BALANCE_TOL_KW = 1e-6
"""Bus balance per step [kW]: the issue's figure; flows are float64 sums."""

SOC_TOL_KWH = 1e-9
"""State-of-charge bound check [kWh]: float rounding only."""


def minimal_config(**sections: Any) -> dict[str, Any]:
    """A small valid plant (one base load, grid) as a dict; ``sections``
    replace or add top-level tables."""
    raw: dict[str, Any] = {
        "plant": {"name": "mini"},
        "simulation": {"year": 2025, "step": "1h", "seed": 1},
        "weather": {"site": "suzhou-tmyx"},
        "base_load": [
            {
                "name": "load",
                "demand_kw": {
                    "weekday": [100.0] * 8 + [300.0] * 10 + [100.0] * 6,
                    "weekend": [80.0] * 24,
                },
            }
        ],
        "grid_connection": {
            "name": "grid",
            "import_limit_kw": 2000.0,
            "export_limit_kw": 500.0,
            "tariff": {
                "preset": "jiangsu",
                "floating_price_cny_per_kwh": 0.4,
                "fixed_price_cny_per_kwh": 0.2,
                "demand_charge_cny_per_kw_month": 40.0,
                "export_price_cny_per_kwh": 0.391,
            },
            "emission_factor": {"ef_kg_per_kwh": 0.5827},
        },
    }
    raw.update(copy.deepcopy(sections))
    return raw


@pytest.fixture
def mini_config() -> dict[str, Any]:
    return minimal_config()


@pytest.fixture(scope="session")
def suzhou_weather():
    """The bundled Suzhou TMYx year (read-only; session scope)."""
    from twin import weather

    return weather.load_weather("suzhou-tmyx", year=2025)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def reference_result_dir(tmp_path_factory) -> Path:
    """One run of the reference factory through ``twin run --report``,
    shared by the session (read-only: copy before changing files in it)."""
    from twin.cli import main

    out = tmp_path_factory.mktemp("reference") / "reference_factory"
    assert main(["run", str(REFERENCE_CONFIG), "--out", str(out), "--report"]) == 0
    return out


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory) -> Path:
    """A small comparison (tests/twin/test_report.py: two measures alone and
    together on a one-load plant) through ``twin compare --report``."""
    from tests.twin.test_report import write_mini_experiment
    from twin.cli import main

    root = tmp_path_factory.mktemp("compare")
    exp = write_mini_experiment(root)
    out = root / "out"
    assert main(["compare", str(exp), "--out", str(out), "--workers", "1", "--report"]) == 0
    return out


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory) -> Path:
    """A tiny saltelli sweep (8 scenarios of a one-load PV plant,
    tests/twin/_report_inputs.py) through ``twin sweep --report``."""
    from tests.twin._report_inputs import write_tiny_sweep
    from twin.cli import main

    root = tmp_path_factory.mktemp("sweep")
    path = write_tiny_sweep(root, "saltelli")
    out = root / "store"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--report"]) == 0
    return out


@pytest.fixture(scope="session")
def mv_dir(tmp_path_factory) -> Path:
    """The bundled audit case (experiments/mv/audit_reference_factory, daily
    Option C) through ``twin mv --report``."""
    from twin.cli import main

    out = tmp_path_factory.mktemp("mv") / "audit"
    case = ROOT / "experiments" / "mv" / "audit_reference_factory" / "case.toml"
    assert main(["mv", str(case), "--out", str(out), "--report"]) == 0
    return out


@pytest.fixture(scope="session")
def claims_dir(tmp_path_factory) -> Path:
    """One claim of each kind on a small PV plant
    (tests/twin/_report_inputs.py) through ``twin claim --report``."""
    import warnings

    from tests.twin._report_inputs import write_mini_claims
    from twin.cli import main

    root = tmp_path_factory.mktemp("claims")
    path = write_mini_claims(root)
    out = root / "out"
    with warnings.catch_warnings():
        # the Shanghai CSWD file's irradiance check (a timing offset its warning states)
        warnings.filterwarnings("ignore", message=".*ghi_w_per_m2: expected GHI")
        assert main(["claim", str(path), "--out", str(out), "--report"]) == 0
    return out
