"""ANSI/ASHRAE Standard 140-2020 Cases 600 and 900 against the standard's acceptance ranges.

The configs ``configs/validation/ashrae140_case600.toml`` (ISO 13790 5R1C,
with the parameters of Modelica Buildings' ISO 13790 BESTEST models) and
``..._case900.toml`` (the EN ISO 52016-1 multi-node model with the
standard's layers) are run as they are, on the standard's own weather
(Denver International Airport TMY3, ``725650TYCST.epw`` as distributed
with NREL's BESTEST-GSR). The annual heating and sensible cooling loads
must lie inside the Std 140-2020 acceptance limits (RESULTS5-2A.xlsx of
the standard's supplemental files, as tabulated in lbl-srg/modelica-
buildings ``Buildings/ThermalZones/ISO13790/Validation/BESTEST/
UsersGuide.mo``; copied to ``tests/data/ashrae140_case600_supplement.csv``)
with no margin. Case 600 is also run on the multi-node model (the same
layers' data, given as overrides), and Case 900 on the 5R1C network
(``..._case900_5r1c.toml``), where it misses (strict xfail).

Measured (this code, hourly), heating / cooling in MWh:

- 5R1C: Case 600 4.72 / 5.16 (limits 3.75-4.98 / 5.00-6.83); Case 900
  2.18 / 2.02 (1.04-2.28 / 2.35-2.60: cooling outside, see the xfail).
- Multi-node: Case 600 4.78 / 5.56; Case 900 2.21 / 2.44.

Case 600 incident solar on the walls against the example programs of
Std 140-2020 Table B8-13: N 431, E 1057, S 1368, W 965 kWh/m², all inside
their ranges.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import twin
from tests.conftest import TESTS_DATA_DIR

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "validation"

CASE900_COOLING_XFAIL = (
    "5R1C network: Case 900 annual cooling 2.02 MWh is below the Std 140-2020 lower limit 2.35 MWh (limits "
    "2.35-2.60; the six example programs of Table B8-2 give 2.27-2.71). The gains are not the "
    "cause: the incident solar on every wall lies inside the example programs' range (test "
    "below), and the window's gain, 885 kWh per m² of glazing (SHGC-based), is consistent with "
    "their 804-826 kWh/m² transmitted (transmittance-based). The single-capacity network is: "
    "every 5R1C lever that raises the cooling raises the heating past its 2.28 MWh limit. "
    "Measured (heating / cooling, MWh): C_m = 150 kJ/(m²K) A_f 2.71 / 2.63; C_m = 200 kJ/(m²K) "
    "2.38 / 2.23; ISO's h_is 3.45 instead of 2.1 2.40 / 2.30; C_m and A_m from the layers by "
    "ISO 13790 12.3.1.2 (278 kJ/(m²K), A_m = 2.46 A_f) 2.11 / 1.95; 15-minute steps "
    "2.18 / 2.02. Only diffuse light taken at the normal-incidence g (as Modelica Buildings' "
    "GlazedElements does) reaches the band, 2.02 / 2.36, and that overstates the diffuse "
    "transmittance of double glazing (the hemispherical average of its angular curve is 0.87 of "
    "normal; this model uses 0.83). Modelica Buildings' own ISO 13790 zone misses the limit too "
    "(2.284 MWh, UsersGuide.mo). The multi-node model (EN ISO 52016-1) of "
    "ashrae140_case900.toml passes: 2.21 / 2.44 MWh."
)


@pytest.fixture(scope="module")
def limits() -> pd.DataFrame:
    table = pd.read_csv(TESTS_DATA_DIR / "ashrae140_case600_supplement.csv", comment="#")
    rows = table[table["source_set"] == "std140_2020_acceptance"]
    return rows.set_index(["case", "metric"])["value"]


CASE600_MULTINODE = [
    "hvac_zone[0].thermal_model=iso52016_multinode",
    # the standard's Case 600 layers (as in ashrae140_case900.toml's header): walls
    # plasterboard 0.012 | fibreglass 0.066 | siding 0.009, R_c 1.789, κ 14 534, mass on
    # both sides of the insulation; floor timber 0.025 | insulation 1.003, R_c 25.254,
    # κ 19 500, inside; roof as Case 900's. U = 1/(R_c + R_si + R_se), ISO 6946.
    *[
        override
        for i in range(4)
        for override in (
            f"hvac_zone[0].opaque[{i}].u_w_per_m2_k=0.5104",
            f"hvac_zone[0].opaque[{i}].heat_capacity_j_per_m2_k=14534.0",
            f"hvac_zone[0].opaque[{i}].mass_position=both_sides",
        )
    ],
    "hvac_zone[0].opaque[4].u_w_per_m2_k=0.3192",
    "hvac_zone[0].opaque[4].heat_capacity_j_per_m2_k=18170.0",
    "hvac_zone[0].opaque[4].mass_position=both_sides",
    "hvac_zone[0].opaque[5].u_w_per_m2_k=0.03927",
    "hvac_zone[0].opaque[5].heat_capacity_j_per_m2_k=19500.0",
    "hvac_zone[0].opaque[5].mass_position=inside",
]


@pytest.fixture(scope="module")
def loads() -> dict[str, dict[str, float]]:
    runs = {
        "600": ("ashrae140_case600.toml", (), "case600"),
        "900": ("ashrae140_case900.toml", (), "case900"),
        "900_5r1c": ("ashrae140_case900_5r1c.toml", (), "case900"),
        "600_multinode": ("ashrae140_case600.toml", CASE600_MULTINODE, "case600"),
    }
    out = {}
    for key, (file, overrides, zone) in runs.items():
        results = twin.run(twin.load_config(CONFIGS / file, overrides))
        out[key] = results.summary["components"][zone]
    return out


def _check(loads, limits, case: str, what: str, kpi: str) -> None:
    value = loads[case][kpi] / 1000.0
    lo = limits[(case[:3], f"annual_{what}_lower")]
    hi = limits[(case[:3], f"annual_{what}_upper")]
    assert lo <= value <= hi, f"Case {case} annual {what} {value:.3f} MWh outside {lo}-{hi} MWh"


def test_case600_heating_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "600", "heating", "heating_kwh")


def test_case600_cooling_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "600", "cooling", "cooling_sensible_kwh")


def test_case900_heating_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "900", "heating", "heating_kwh")


def test_case900_cooling_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "900", "cooling", "cooling_sensible_kwh")


def test_case900_5r1c_heating_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "900_5r1c", "heating", "heating_kwh")


@pytest.mark.xfail(strict=True, reason=CASE900_COOLING_XFAIL)
def test_case900_5r1c_cooling_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "900_5r1c", "cooling", "cooling_sensible_kwh")


def test_case600_multinode_heating_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "600_multinode", "heating", "heating_kwh")


def test_case600_multinode_cooling_within_the_acceptance_range(loads, limits):
    _check(loads, limits, "600_multinode", "cooling", "cooling_sensible_kwh")


def test_mass_lowers_both_loads_as_in_every_reference_program(loads):
    """Case 900 needs less heating and less cooling than Case 600 (all Std 140 programs),
    on each thermal model."""
    for heavy, light in (("900", "600_multinode"), ("900_5r1c", "600")):
        assert loads[heavy]["heating_kwh"] < 0.6 * loads[light]["heating_kwh"]
        assert loads[heavy]["cooling_sensible_kwh"] < 0.6 * loads[light]["cooling_sensible_kwh"]


def test_no_unmet_hours_with_the_ideal_plant(loads):
    for case in loads:
        assert loads[case]["unmet_h"] == 0.0


FACADES = {"north": 0.0, "east": 90.0, "south": 180.0, "west": 270.0}


def test_case600_incident_solar_within_the_example_programs(monkeypatch):
    """Solar on the walls, the first link of the gains, against Std 140-2020 Table B8-13.

    The annual incident solar radiation on each wall of Case 600 lies inside the
    range of the six example programs (BSIMAC, CSE, DeST, EnergyPlus, ESP-r,
    TRNSYS) with no margin. Measured: N 431, E 1057, S 1368, W 965 kWh/m²
    (ranges 399-477, 1017-1068, 1291-1387, 903-997). The horizontal, 1671 kWh/m²
    against 1663-1670, is the weather file's own global horizontal irradiance
    (1670 kWh/m² in the file) and is not a result of the model, so it is not
    asserted.
    """
    import twin.components.hvac_zone as hvac_zone

    seen = {}
    original = hvac_zone.facade_irradiance

    def recording(ctx, tilt, azimuth, **kwargs):
        result = original(ctx, tilt, azimuth, **kwargs)
        seen[(float(tilt), float(azimuth))] = result
        return result

    monkeypatch.setattr(hvac_zone, "facade_irradiance", recording)
    twin.run(twin.load_config(CONFIGS / "ashrae140_case600.toml"))
    table = pd.read_csv(TESTS_DATA_DIR / "ashrae140_case600_supplement.csv", comment="#")
    ref = table[table["source_set"] == "std140_2020_example_programs"].set_index("metric")["value"]
    for name, azimuth in FACADES.items():
        r = seen[(90.0, azimuth)]
        kwh = float(
            (r.beam_w_per_m2 + r.sky_diffuse_w_per_m2 + r.ground_diffuse_w_per_m2).sum() / 1000.0
        )
        lo, hi = ref[f"incident_{name}_min"], ref[f"incident_{name}_max"]
        assert lo <= kwh <= hi, f"{name}: {kwh:.0f} kWh/m² outside {lo}-{hi}"
