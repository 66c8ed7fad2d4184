"""The evaporative cooler's saturation-effectiveness relation against two
published peer outputs on the same inputs.

- NCL ``heat_swamp_cooleff`` (NCAR Command Language 6.4.0, after Buzan et
  al. 2015, Geosci. Model Dev. 8, 151-170, doi:10.5194/gmd-8-151-2015): its
  documented example, T = 30.25 °C and Twb = 25.5 °C, gives 26.45 °C for an
  80 % and 27.1625 °C for a 65 % efficient cooler.
- EnergyPlus unit test ``EvapCoolers_IndEvapCoolerOutletTemp``
  (NREL/EnergyPlus, tst/EnergyPlus/unit/EvaporativeCoolers.unit.cc): an
  indirect cooler in wet operation with primary air at 24 °C, secondary
  wet bulb 11 °C and wet-bulb effectiveness 0.75 leaves at 14.25 °C.

The definition itself is ASHRAE Handbook - HVAC Systems and Equipment,
ch. 41. No manufacturer's nitrogen air-factor table and no published
induction-coil efficiency table were available to the project, so the
nitrogen generator and the induction heater carry no validation case here
(their tables and efficiencies are inputs with a required source).
"""

from __future__ import annotations

import pytest
from twin.components.evaporative_cooler import leaving_temp_c

PEER_TOL_K = 1e-4
"""[K]: the peers print four decimals."""


@pytest.mark.parametrize(("effectiveness", "published_c"), [(0.80, 26.45), (0.65, 27.1625)])
def test_direct_cooler_matches_ncl_heat_swamp_cooleff(effectiveness, published_c):
    assert float(leaving_temp_c(30.25, 25.5, effectiveness)) == pytest.approx(
        published_c, abs=PEER_TOL_K
    )


def test_indirect_cooler_matches_energyplus_unit_test():
    assert float(leaving_temp_c(24.0, 11.0, 0.75)) == pytest.approx(14.25, abs=PEER_TOL_K)
