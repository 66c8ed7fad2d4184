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

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from twin.components.chiller import (
    CHILLER_CURVES,
    ChillerCurveSet,
    chiller_eir_power_kw,
    integrated_part_load_value,
)

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


# -- against EnergyPlus's own outputs: the integrated part-load value ---------------------

KBTU_PER_KWH_PER_COP = 3.412141633
"""EnergyPlus's IPLV conversion from W/W to Btu/(W·h) (``ConvFromSIToIP``)."""


@pytest.fixture(scope="module")
def iplv_cases() -> dict[str, dict]:
    """The EnergyPlus unit-test chillers of ``chiller_iplv_energyplus.csv`` as curve sets."""
    table = pd.read_csv(TESTS_DATA_DIR / "chiller_iplv_energyplus.csv", comment="#")
    out: dict[str, dict] = {}
    for case, rows in table.groupby("case"):
        curves = {r["curve"]: r for _, r in rows.iterrows()}
        first = rows.iloc[0]

        def coefficients(row, n):
            return tuple(float(row[f"c{i}"]) for i in range(1, n + 1) if pd.notna(row[f"c{i}"]))

        cap, eir, plr = curves["CAPFT"], curves["EIRFT"], curves["EIRFPLR"]
        curve_set = ChillerCurveSet(
            f"EnergyPlus unit test {case}",
            float(first["ref_cop"]),
            6.67,
            29.4,
            coefficients(cap, 6),
            coefficients(eir, 6),
            coefficients(plr, 4),
            (float(cap["x_min"]), float(cap["x_max"])),
            (float(cap["y_min"]), float(cap["y_max"])),
            (float(plr["x_min"]), float(plr["x_max"])),
            min_unload_frac=float(first["min_unload_frac"]),
            eirft_x_range_c=(float(eir["x_min"]), float(eir["x_max"])),
            eirft_y_range_c=(float(eir["y_min"]), float(eir["y_max"])),
        )
        out[case] = {"curves": curve_set, "row": first}
    return out


@pytest.mark.parametrize("case", ["air_cooled_screw", "water_cooled_flat"])
def test_iplv_matches_energyplus(case, iplv_cases):
    """Our chiller's COP at the four AHRI points, weighted, against EnergyPlus's IPLV.

    EnergyPlus reports the IPLV to two decimals, so agreement means within
    half a unit of that last digit (0.005 W/W, and 0.005 Btu/Wh in I-P)."""
    entry = iplv_cases[case]
    row = entry["row"]
    ours = integrated_part_load_value(
        entry["curves"],
        rated_capacity_kw=float(row["ref_capacity_w"]) / 1000.0,
        rated_cop=float(row["ref_cop"]),
        condenser=row["condenser"],
    )
    half_unit = 0.5 * 10.0 ** -int(row["iplv_si_decimals"])
    assert abs(ours - float(row["iplv_si"])) <= half_unit, (
        f"IPLV {ours:.4f} vs EnergyPlus {row['iplv_si']}"
    )
    if pd.notna(row["iplv_ip"]):
        ip = ours * KBTU_PER_KWH_PER_COP
        half_ip = 0.5 * 10.0 ** -int(row["iplv_ip_decimals"])
        assert abs(ip - float(row["iplv_ip"])) <= half_ip, (
            f"IPLV {ip:.4f} vs EnergyPlus {row['iplv_ip']}"
        )


def test_iplv_case_discriminates_curve_handling(iplv_cases):
    """The air-cooled case checks what the model does, not only the weights: clamping
    EIRFT to CAPFT's condenser range (23.89 °C) or dropping the cubic term of EIRFPLR
    each moves the IPLV out of EnergyPlus's rounding."""
    entry = iplv_cases["air_cooled_screw"]
    c = entry["curves"]
    kwargs = {"rated_capacity_kw": 216.0, "rated_cop": c.cop_ref, "condenser": "air_cooled"}
    one_range = replace(c, eirft_x_range_c=None, eirft_y_range_c=None)
    quadratic_only = replace(c, eirfplr=c.eirfplr[:3])
    for variant in (one_range, quadratic_only):
        assert abs(integrated_part_load_value(variant, **kwargs) - 3.87) > 0.005
