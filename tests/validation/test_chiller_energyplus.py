"""Chiller model against the EnergyPlus Chiller:Electric:EIR curves.

Source of the coefficients: NREL/EnergyPlus ``datasets/Chillers.idf``
(commit 073d9a9098ab, CoolTools data 1991-2001), copied with its header
into ``tests/data/chiller_eir_curves_energyplus.csv``. The model form (P = Q_ref·CAPFT/COP_ref ·
EIRFT · EIRFPLR · FRAC, cycling below the minimum PLR, false loading below
the minimum unloading ratio) is EnergyPlus's ``ChillerElectricEIR.cc``.

What is checked:

- the coefficient sets bundled in :mod:`components.chiller` are the
  dataset's, number for number;
- at each chiller's reference point the curves equal 1 within the
  dataset's own normalisation (CAPFT within 0.7 %, EIRFT within 0.3 %,
  EIRFPLR(1) within 0.1 %), and the model's COP at the reference point is
  COP_ref within the same;
- at part load (PLR 0.25, 0.5, 0.75, 1.0, and below the minimum PLR) the
  model's power equals the EnergyPlus equations evaluated independently
  from the CSV, to rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from twin.components.chiller import CHILLER_CURVES, chiller_eir_power_kw

from tests.conftest import TESTS_DATA_DIR

EXACT_RTOL = 1e-12
"""Same equation, same coefficients: only float rounding may differ."""

REFERENCE_NORMALISATION_TOL = {"CAPFT": 0.007, "EIRFT": 0.003, "EIRFPLR_quadratic": 0.001}
"""How far from 1 the dataset's curves are at their own reference points
(the largest: York YK CAPFT 1.0062); a curve value outside these would mean
a coefficient was mistyped."""

NAMES = {
    "DOE-2 Centrifugal/5.50COP": "doe2_centrifugal",
    "DOE-2 Reciprocating/3.67COP": "doe2_reciprocating",
    "ElectricEIRChiller Trane RTWA 383kW/4.17COP/Valve": "trane_rtwa_screw",
    "ElectricEIRChiller York YK 5170kW/7.15COP/Vanes": "york_yk_centrifugal",
}


@pytest.fixture(scope="module")
def dataset() -> dict[str, dict]:
    table = pd.read_csv(TESTS_DATA_DIR / "chiller_eir_curves_energyplus.csv", comment="#")
    out: dict[str, dict] = {}
    for name, rows in table.groupby("chiller"):
        first = rows.iloc[0]
        entry = {
            "cop": float(first["ref_COP"]),
            "x": float(first["ref_lchwt_C"]),
            "y": float(first["ref_ecwt_C"]),
        }
        for _, row in rows.iterrows():
            cols = (
                ["c1", "c2", "c3"]
                if row["curve"].startswith("EIRFPLR")
                else [f"c{i}" for i in range(1, 7)]
            )
            entry[row["curve"]] = tuple(float(row[c]) for c in cols)
        out[NAMES[name]] = entry
    return out


def _biquadratic(c, x, y):
    return c[0] + c[1] * x + c[2] * x**2 + c[3] * y + c[4] * y**2 + c[5] * x * y


def _quadratic(c, plr):
    return c[0] + c[1] * plr + c[2] * plr**2


def test_all_dataset_chillers_are_bundled(dataset):
    assert set(dataset) == set(CHILLER_CURVES)


@pytest.mark.parametrize("name", sorted(NAMES.values()))
def test_bundled_coefficients_are_the_dataset(name, dataset):
    d, c = dataset[name], CHILLER_CURVES[name]
    assert c.capft == d["CAPFT"] and c.eirft == d["EIRFT"] and c.eirfplr == d["EIRFPLR_quadratic"]
    assert (c.cop_ref, c.lchwt_ref_c, c.ecwt_ref_c) == (d["cop"], d["x"], d["y"])


@pytest.mark.parametrize("name", sorted(NAMES.values()))
def test_curves_are_normalised_at_the_reference_point(name, dataset):
    d = dataset[name]
    values = {
        "CAPFT": _biquadratic(d["CAPFT"], d["x"], d["y"]),
        "EIRFT": _biquadratic(d["EIRFT"], d["x"], d["y"]),
        "EIRFPLR_quadratic": _quadratic(d["EIRFPLR_quadratic"], 1.0),
    }
    for curve, value in values.items():
        assert value == pytest.approx(1.0, abs=REFERENCE_NORMALISATION_TOL[curve]), curve
    # the model at the reference point, full load
    c = CHILLER_CURVES[name]
    q_avail = 1000.0 * values["CAPFT"]
    power, cooling, plr, _ = chiller_eir_power_kw(
        q_avail,
        d["x"],
        d["y"],
        rated_capacity_kw=1000.0,
        rated_cop=d["cop"],
        curves=c,
        min_plr_frac=0.0,
        min_unload_frac=0.0,
    )
    expected = q_avail / d["cop"] * values["EIRFT"] * values["EIRFPLR_quadratic"]
    assert float(power) == pytest.approx(expected, rel=EXACT_RTOL)
    cop = float(cooling) / float(power)
    assert cop == pytest.approx(d["cop"], rel=0.01)


@pytest.mark.parametrize("name", sorted(NAMES.values()))
@pytest.mark.parametrize("plr", [1.0, 0.75, 0.5, 0.25])
@pytest.mark.parametrize("x, y", [(6.67, 29.4), (5.5, 25.0), (7.5, 32.0)])
def test_part_load_power_is_energyplus(name, plr, x, y, dataset):
    d, c = dataset[name], CHILLER_CURVES[name]
    # inputs clamped to each curve's range, as EnergyPlus's curve manager does
    xc, yc = np.clip(x, *c.x_range_c), np.clip(y, *c.y_range_c)
    q_avail = 1000.0 * _biquadratic(d["CAPFT"], xc, yc)
    min_plr, min_unload = 0.1, 0.2
    frac = min(1.0, plr / min_plr)
    plr_eff = float(np.clip(max(plr, min_unload), *c.plr_range))
    expected = (
        q_avail
        / d["cop"]
        * _biquadratic(d["EIRFT"], xc, yc)
        * _quadratic(d["EIRFPLR_quadratic"], plr_eff)
        * frac
    )
    power, cooling, got_plr, _ = chiller_eir_power_kw(
        plr * q_avail,
        x,
        y,
        rated_capacity_kw=1000.0,
        rated_cop=d["cop"],
        curves=c,
        min_plr_frac=min_plr,
        min_unload_frac=min_unload,
    )
    assert float(power) == pytest.approx(expected, rel=EXACT_RTOL)
    assert float(cooling) == pytest.approx(plr * q_avail, rel=EXACT_RTOL)
    assert float(got_plr) == pytest.approx(plr, rel=EXACT_RTOL)


def test_cycling_below_the_minimum_part_load_ratio(dataset):
    d, c = dataset["doe2_centrifugal"], CHILLER_CURVES["doe2_centrifugal"]
    q_avail = 1000.0 * _biquadratic(d["CAPFT"], d["x"], d["y"])
    at_min_unload = (
        q_avail
        / d["cop"]
        * _biquadratic(d["EIRFT"], d["x"], d["y"])
        * _quadratic(d["EIRFPLR_quadratic"], 0.2)
    )
    for plr in (0.02, 0.05, 0.08):
        power, *_ = chiller_eir_power_kw(
            plr * q_avail, d["x"], d["y"], rated_capacity_kw=1000.0, rated_cop=d["cop"], curves=c
        )
        assert float(power) == pytest.approx(at_min_unload * plr / 0.1, rel=EXACT_RTOL)
