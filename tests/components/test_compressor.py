"""Compressor physics: part-load curves per control type, pressure scaling,
parameter validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from twin.components.compressor import (
    CONTROL_TYPES,
    CompressorParams,
    atmospheric_pressure_bar_a,
    compressor_power_kw,
    full_flow_capacity_frac,
    power_frac_load_unload,
    power_frac_modulation,
    power_frac_start_stop,
    power_frac_vsd,
    pressure_power_ratio,
)

C = np.linspace(0.0, 1.0, 201)


def _params(control: str = "load_unload", **kw) -> CompressorParams:
    base = dict(name="c1", control=control, rated_flow_m3_per_min=15.0, rated_power_kw=90.0)
    base.update(kw)  # may override control
    return CompressorParams(**base)


# -- curves -------------------------------------------------------------------
@pytest.mark.parametrize("storage_min", [0.02, 0.05, 0.1337, 0.67, 1.34])
def test_load_unload_bounds_and_monotone(storage_min):
    f = power_frac_load_unload(
        C, no_load_power_frac=0.25, storage_min=storage_min, max_power_frac=1.05
    )
    assert f[0] == pytest.approx(0.25)
    assert f[-1] == pytest.approx(1.0)
    assert np.all(np.diff(f[:-3]) >= -1e-9)  # rises until the full-flow taper
    assert f.min() >= 0.25 - 1e-12 and f.max() <= 1.05 + 1e-12


def test_no_storage_means_no_saving_from_unloading():
    """Without a receiver a load/unload machine short-cycles: it draws about
    loaded power at any flow (the limit of the cycle model)."""
    f = power_frac_load_unload(C[1:], no_load_power_frac=0.25, storage_min=0.0, max_power_frac=1.05)
    assert f.min() > 0.95


def test_more_storage_means_less_power_for_load_unload():
    small = power_frac_load_unload(0.5, no_load_power_frac=0.25, storage_min=0.1337)
    large = power_frac_load_unload(0.5, no_load_power_frac=0.25, storage_min=10 * 0.1337)
    assert large < small


def test_load_unload_with_unloading_is_modulation_above_turndown():
    f = power_frac_load_unload(
        np.array([0.5, 0.8]),
        no_load_power_frac=0.2,
        storage_min=0.13,
        max_power_frac=1.0,
        pressure_band_bar=0.0,
        unload_frac=0.4,
        modulation_power_frac=0.7,
    )
    np.testing.assert_allclose(f, [0.85, 0.94])


def test_modulation_without_unloading_is_linear():
    np.testing.assert_allclose(power_frac_modulation([0.0, 0.5, 1.0], 0.7), [0.7, 0.85, 1.0])
    np.testing.assert_allclose(power_frac_modulation(0.5, 0.6, 1.0, exponent=2), 0.7)


def test_vsd_default_line_and_turndown_knee():
    f = power_frac_vsd(np.array([0.0, 0.1, 0.2, 0.6, 1.0]), 0.06, 0.2)
    np.testing.assert_allclose(f, [0.06, 0.19, 0.32, 0.66, 1.0], atol=1e-12)


def test_start_stop_is_proportional_without_band():
    np.testing.assert_allclose(power_frac_start_stop(C), C)
    with_band = power_frac_start_stop(C, max_power_frac=1.05, pressure_band_bar=0.7)
    assert with_band[-1] == pytest.approx(1.0) and with_band[100] == pytest.approx(0.5 * 1.025)


def test_curves_accept_scalars_and_clip_out_of_range():
    assert np.ndim(power_frac_vsd(0.5)) == 0
    np.testing.assert_allclose(power_frac_modulation([-1.0, 2.0], 0.7), [0.7, 1.0])


def test_full_flow_capacity_frac():
    assert full_flow_capacity_frac(0.0) == 1.0
    assert full_flow_capacity_frac(10 / 14.503774) == pytest.approx(1 - 0.0075)


# -- pressure -----------------------------------------------------------------
def test_pressure_power_ratio_identity_and_direction():
    assert float(pressure_power_ratio(7.0, 7.0)) == pytest.approx(1.0)
    assert float(pressure_power_ratio(6.0, 7.0)) < 1.0 < float(pressure_power_ratio(8.0, 7.0))


def test_atmospheric_pressure():
    assert atmospheric_pressure_bar_a(0.0) == pytest.approx(1.01325)
    assert atmospheric_pressure_bar_a(2000.0) == pytest.approx(0.795, abs=0.002)


# -- one compressor -----------------------------------------------------------
@pytest.mark.parametrize("control", CONTROL_TYPES)
def test_compressor_power_zero_flow_is_off_and_full_flow_is_rated(control):
    p = _params(control)
    power = compressor_power_kw(p, np.array([0.0, 15.0]), receiver_volume_m3=2.0)
    assert power[0] == 0.0
    assert power[1] == pytest.approx(90.0)


def test_compressor_power_scales_with_load_pressure():
    p = _params("vsd")
    base = compressor_power_kw(p, 10.0, receiver_volume_m3=2.0)
    lower = compressor_power_kw(p, 10.0, receiver_volume_m3=2.0, load_pressure_bar_g=6.5)
    assert float(lower / base) == pytest.approx(float(pressure_power_ratio(6.5, 7.0)))


def test_default_max_power_uses_the_pressure_formula():
    p = _params(
        "load_unload", discharge_pressure_bar_g=100 / 14.503774, pressure_band_bar=10 / 14.503774
    )
    assert p.max_power(14.7 / 14.503774) == pytest.approx(90.0 * 90.1 / 85.4, rel=0.002)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("rated_flow_m3_per_min", 0.0, "greater than 0"),
        ("rated_flow_m3_per_min", -5.0, "greater than 0"),
        ("rated_power_kw", 0.0, "greater than 0"),
        ("no_load_power_kw", 95.0, "no-load power cannot exceed full-load power"),
        ("turndown_frac", 0.0, "greater than 0"),
        ("turndown_frac", 1.2, "less than or equal to 1"),
        ("max_power_kw", 80.0, "at least full-load power"),
        ("control", "blow_off", "load_unload"),
    ],
)
def test_bad_compressor_params(field, value, match):
    with pytest.raises(ValidationError, match=match):
        _params(**{"control": "load_unload", field: value})


def test_vsd_specific_checks():
    with pytest.raises(ValidationError, match="expected < 1"):
        _params("vsd", turndown_frac=1.0)
    with pytest.raises(ValidationError, match="only for control = 'vsd'"):
        _params("load_unload", vsd_turndown_power_kw=30.0)
    with pytest.raises(ValidationError, match="between no-load"):
        _params("vsd", no_load_power_kw=10.0, vsd_mid_power_kw=5.0)


@settings(max_examples=60, deadline=None)
@given(
    control=st.sampled_from(CONTROL_TYPES),
    flows=st.lists(st.floats(0.0, 15.0), min_size=1, max_size=30),
    receiver=st.floats(0.0, 20.0),
    pressure=st.floats(4.0, 10.0),
)
def test_power_is_finite_nonnegative_and_bounded(control, flows, receiver, pressure):
    p = _params(control, no_load_power_kw=20.0)
    power = compressor_power_kw(
        p, np.array(flows), receiver_volume_m3=receiver, load_pressure_bar_g=pressure
    )
    assert np.all(np.isfinite(power)) and power.min() >= 0.0
    scale = float(pressure_power_ratio(pressure, 7.0))
    assert power.max() <= p.max_power() * scale + 1e-9
