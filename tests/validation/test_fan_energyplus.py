"""The VAV fan against EnergyPlus ``Fan:VariableVolume``.

Reference: NREL/EnergyPlus ``tst/EnergyPlus/unit/Fans.unit.cc``, test
``Fans_VariableVolume_EMSPressureRiseResetTest`` (commit 038a2d936d18): a
variable-volume fan of 1.0 m³/s at standard air density 1.0 kg/m³, pressure
rise 300 Pa, total efficiency 1.0, fan power coefficients 0.06990146,
1.39500612, -3.35487336, 2.89232315, 0, run at full flow; EnergyPlus's
``totalPower`` is PLF(1) · ṁ · Δp / (η · ρ) = 300.71 W ("expects 300 W" in the
test's comment, which rounds PLF(1) = 1.00236 to 1). That unit test checks only
the design point; the part-flow shape is the 90.1 Appendix G curve, whose
coefficients are checked against the standard's table in the component tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from twin.components.hvac_air import AirHandler, fan_power_w

ENERGYPLUS_FAN = {
    "flow_m3_per_s": 1.0,
    "pressure_rise_pa": 300.0,
    "total_efficiency_frac": 1.0,
    "coefficients": (0.06990146, 1.39500612, -3.35487336, 2.89232315),
    "coefficient_5": 0.0,
}


def test_vav_fan_at_design_flow_matches_energyplus():
    f = ENERGYPLUS_FAN
    assert (
        f["coefficient_5"] == 0.0
    )  # our curve is the cubic; EnergyPlus's c5 x^4 term is zero here
    c = f["coefficients"]
    plf_full = c[0] + c[1] + c[2] + c[3]
    energyplus_w = (
        plf_full * f["flow_m3_per_s"] * f["pressure_rise_pa"] / f["total_efficiency_frac"]
    )
    ahu = AirHandler(
        design_airflow_m3_per_h=f["flow_m3_per_s"] * 3600.0,
        # specific fan power of a fan = pressure rise / total efficiency (EN 16798-3 9.2)
        specific_fan_power_w_per_m3_per_s=f["pressure_rise_pa"] / f["total_efficiency_frac"],
        fan_curve=c,
    )
    ours = float(fan_power_w(ahu, np.array([3600.0]))[0])
    assert ours == pytest.approx(energyplus_w, rel=1e-9)
    assert ours == pytest.approx(300.71, abs=0.005)
