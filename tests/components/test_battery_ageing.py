"""Capacity fade: SAM's cycle table and calendar model, carried over a multi-year run."""

from __future__ import annotations

import numpy as np
import pytest
from twin.components.battery_ageing import (
    calendar_capacity_frac,
    cycle_depths_frac,
    cycle_fade_frac,
)

import twin
from tests.conftest import REFERENCE_CONFIG


@pytest.mark.parametrize(
    ("depth", "cycles", "lost"), [(0.8, 1000, 0.2), (0.8, 2000, 0.4), (0.2, 5000, 0.2)]
)
def test_cycle_fade_reproduces_the_sam_default_cycle_table(depth, cycles, lost):
    """PySAM battery default matrix [DOD %, cycles, capacity %]: [80, 1000, 80],
    [80, 2000, 60], [20, 5000, 80], from a SOC history counted by turning points."""
    soc = np.tile([0.5 - depth / 2, 0.5 + depth / 2], cycles)
    soc = np.concatenate([soc, [soc[0]]])
    assert cycle_fade_frac(soc) == pytest.approx(lost, rel=1e-3)


def test_cycle_life_scales_the_fade():
    soc = np.tile([0.1, 0.9], 1000)
    assert cycle_fade_frac(soc, cycle_life_80pct_dod=4000.0) == pytest.approx(
        cycle_fade_frac(soc) / 4.0
    )


def test_half_cycles_between_turning_points():
    soc = np.array([0.5, 0.5, 0.9, 0.7, 0.7, 0.2, 0.4])
    np.testing.assert_allclose(cycle_depths_frac(soc), [0.4, 0.7, 0.2])


def test_calendar_capacity_falls_with_time_heat_and_charge():
    young = calendar_capacity_frac(365, 25.0, 0.5)
    assert young == 1.0  # SAM's q0 = 1.02 is capped at nameplate in the first years
    ten = calendar_capacity_frac(3650, 25.0, 0.5)
    assert ten < 1.0
    assert calendar_capacity_frac(3650, 35.0, 0.5) < ten
    assert calendar_capacity_frac(3650, 25.0, 0.9) < ten


def test_multi_year_run_carries_the_fade():
    """Year 2 starts from year 1's state of health and discharges less."""
    base = ["battery.storage.ageing=true", "battery.storage.cycle_life_80pct_dod=4000"]
    year1 = twin.run(twin.load_config(REFERENCE_CONFIG, base))
    k1 = year1.summary["components"]["storage"]
    assert k1["state_of_health_start_frac"] == 1.0
    assert 0.9 < k1["state_of_health_end_frac"] < 1.0
    year2 = twin.run(
        twin.load_config(
            REFERENCE_CONFIG,
            [
                *base,
                f"battery.storage.years_in_service={k1['age_end_h'] / 8766.0}",
                f"battery.storage.cycle_fade_before_frac={k1['cycle_fade_end_frac']}",
            ],
        )
    )
    k2 = year2.summary["components"]["storage"]
    assert k2["state_of_health_start_frac"] == pytest.approx(k1["state_of_health_end_frac"])
    assert k2["state_of_health_end_frac"] < k2["state_of_health_start_frac"]
    assert year2.summary["battery_discharge_kwh"] < year1.summary["battery_discharge_kwh"]
    assert (
        year2.flows["storage"].outputs["soc_kwh"].max()
        <= 950.0 * k2["state_of_health_start_frac"] + 1e-6
    )
