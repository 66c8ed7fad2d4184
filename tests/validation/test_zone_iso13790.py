"""The 5R1C network against a published implementation of ISO 13790 Annex C.

Reference: P. Jayathissa et al., RC_BuildingSimulator (ETH Zurich, Architecture
and Building Systems), ``rc_simulator/tests/testRCmodel.py`` at
github.com/architecture-building-systems/RC_BuildingSimulator: one hourly step
of its reference office (7 m x 4.9 m x 3.1 m, 13.5 m² of window at U 1.1,
15.19 m² of facade with U 0.2 walls, 165 kJ/(m²K), A_m = 2.5 A_f, 1.5 ach
ventilation and 0.5 ach infiltration, ventilation heat recovery 0 or 0.6,
heating below 20 °C and cooling above 26 °C with ±12 W/m² of plant, air
conditioning as the emitter) from a given mass temperature, outdoor
temperature and gains, with the mass temperature (step mean) and the heating
or cooling demand that its authors publish for each case, to 0.01.

The peer takes the opaque conductance U·A as H_tr,em itself (no split against
H_tr,ms), and so does this test: the network and the ISO C.4 demand algorithm
are what is compared. Every case agrees to the published two decimals.
"""

from __future__ import annotations

import numpy as np
import pytest
from twin.components.hvac_rc import Conductances5R1C, simulate_5r1c

FLOOR_M2 = 7.0 * 4.9
VOLUME_M3 = FLOOR_M2 * 3.1
INTERNAL_AREA_M2 = 2 * FLOOR_M2 + 2 * 7.0 * 3.1 + 2 * 4.9 * 3.1
MASS_AREA_M2 = 2.5 * FLOOR_M2
ACH_VENT, ACH_INFL = 1.5, 0.5

CASES = [
    # name, heat recovery, t_out, t_m_prev, internal W, solar W -> t_m (mean), demand W
    ("free_running", 0.0, 10.0, 22.0, 10.0, 2000.0, 22.33, 0.0),
    ("cooling", 0.0, 25.0, 24.0, 10.0, 4000.0, 25.15, -264.75),
    ("heating", 0.0, 10.0, 20.0, 10.0, 2000.0, 20.46, 328.09),
    ("max_cooling", 0.0, 30.0, 25.0, 10.0, 5000.0, 26.49, -411.6),
    ("max_heating", 0.0, 5.0, 19.0, 10.0, 2000.0, 19.39, 411.6),
    ("free_running_hr066", 0.66, 10.0, 22.0, 10.0, 2000.0, 22.44, 0.0),
    ("cooling_hr06", 0.6, 25.0, 24.0, 10.0, 4000.0, 25.15, -296.65),
    ("heating_hr06", 0.6, 10.0, 20.0, 10.0, 2000.0, 20.46, 9.1),
    ("max_cooling_hr06", 0.6, 30.0, 25.0, 10.0, 5000.0, 26.48, -411.6),
    ("max_heating_hr06", 0.6, 5.0, 19.0, 10.0, 2000.0, 19.51, 411.6),
]


@pytest.mark.parametrize(
    ("case", "recovery", "t_out", "t_m_prev", "internal_w", "solar_w", "t_m", "demand_w"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_one_step_matches_rc_buildingsimulator(
    case, recovery, t_out, t_m_prev, internal_w, solar_w, t_m, demand_w
):
    conductances = Conductances5R1C(
        window_w_per_k=1.1 * 13.5,
        exterior_mass_w_per_k=0.2 * (15.19 - 13.5),
        mass_surface_w_per_k=9.1 * MASS_AREA_M2,
        surface_air_w_per_k=3.45 * INTERNAL_AREA_M2,
    )
    # ISO 13790 9.3: b_ve = 1 - (ventilation share) x heat-recovery efficiency
    b_ve = 1.0 - ACH_VENT / (ACH_VENT + ACH_INFL) * recovery
    h_ve = 1200.0 * b_ve * VOLUME_M3 * (ACH_VENT + ACH_INFL) / 3600.0
    r = simulate_5r1c(
        np.array([t_out]),
        internal_w,
        solar_w,
        conductances=conductances,
        heat_capacity_j_per_k=165_000.0 * FLOOR_M2,
        mass_area_m2=MASS_AREA_M2,
        internal_area_m2=INTERNAL_AREA_M2,
        step_h=1.0,
        ventilation_w_per_k=h_ve,
        temp_heat_set_c=20.0,
        temp_cool_set_c=26.0,
        phi_heat_max_w=12.0 * FLOOR_M2,
        phi_cool_max_w=12.0 * FLOOR_M2,
        temp_mass_initial_c=t_m_prev,
    )
    assert round(float(r.temp_mass_c[0]), 2) == pytest.approx(t_m, abs=1e-9), case
    assert round(float(r.phi_hc_w[0]), 2) == pytest.approx(demand_w, abs=1e-9), case
