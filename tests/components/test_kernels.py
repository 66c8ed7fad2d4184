"""The step loops numba compiles (twin.kernels) give the Python loops' results bit
for bit, and the battery's plan on hourly means does not depend on the step.

The TOU battery's loop is checked in ``test_battery_tou.py``; here the 5R1C
zone loop, and the sub-hourly shortcut of the battery's day-ahead levels.
"""

from __future__ import annotations

import numpy as np
import pytest
from twin.components.battery_dispatch import shave_levels_kw
from twin.components.hvac_rc import conductances_5r1c, simulate_5r1c

from twin.kernels import compiled_kernels, enable_compiled_kernels


def _zone(rng: np.random.Generator, n: int):
    c = conductances_5r1c(100.0, 20.0, 125.0, 225.0)
    hour = np.arange(n) % 24
    return simulate_5r1c(
        8.0
        + 18.0 * np.sin(np.arange(n) / n * 2 * np.pi)
        + 5.0 * np.sin(np.arange(n) / 24.0 * 2 * np.pi)
        + rng.normal(0.0, 1.0, n),
        rng.uniform(0.0, 3000.0, n),
        rng.uniform(0.0, 2000.0, n),
        conductances=c,
        heat_capacity_j_per_k=8.25e6,
        mass_area_m2=125.0,
        internal_area_m2=225.0,
        step_h=1.0,
        ventilation_w_per_k=rng.uniform(0.0, 60.0, n),
        temp_heat_set_c=np.where((hour >= 7) & (hour < 19), 20.0, -np.inf),
        temp_cool_set_c=26.0,
        phi_heat_max_w=4000.0,
        phi_cool_max_w=np.inf,
        temp_mass_initial_c=15.0,
    )


def test_compiled_5r1c_loop_equals_the_python_loop(compiled_loops):
    """Set points switched off at night, capacity limits hit, free floating: all equal."""
    compiled = _zone(np.random.default_rng(5), 24 * 60)
    assert compiled_kernels()
    enable_compiled_kernels(False)
    plain = _zone(np.random.default_rng(5), 24 * 60)
    for a, b in zip(compiled, plain, strict=True):
        assert np.array_equal(a, b)
    assert (plain.phi_hc_w == 4000.0).any() and (plain.phi_hc_w < 0.0).any()


@pytest.mark.parametrize("k", [4, 12, 60])
def test_shaving_levels_on_hourly_means_equal_those_on_the_steps(k):
    """The battery's day-ahead plan shaves hourly means held over k steps: the level
    found on one value an hour is the level found on every step (to rounding)."""
    rng = np.random.default_rng(k)
    hourly = rng.uniform(0.0, 3000.0, (30, 24))
    steps = np.repeat(hourly, k, axis=1)
    for energy, power in ((800.0, 500.0), (3000.0, 200.0), (20000.0, 5000.0)):
        a = shave_levels_kw(hourly, energy, power_max_kw=power, step_h=1.0)
        b = shave_levels_kw(steps, energy, power_max_kw=power, step_h=1.0 / k)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
