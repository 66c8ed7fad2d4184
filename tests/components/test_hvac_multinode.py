"""The EN ISO 52016-1 multi-node zone kernel (components/hvac_multinode.py)."""

from __future__ import annotations

import numpy as np
import pytest
from twin.components.hvac_multinode import (
    H_CE_W_PER_M2_K,
    H_CI_W_PER_M2_K,
    H_RE_W_PER_M2_K,
    NodeElement,
    _network,
    resistance_from_u_m2_k_per_w,
    simulate_multinode,
)
from twin.components.hvac_zone import Zone, ZoneParams

WALL_R = resistance_from_u_m2_k_per_w(0.4, "wall")


def wall(area: float, position: str = "inside", kappa: float = 150_000.0, source=0.0):
    return NodeElement("wall", area, WALL_R, kappa, position, source)


def test_steady_state_loss_of_walls_at_one_temperature():
    """Walls of one construction share their inner surface temperature, so they exchange no
    radiation: each loses A·ΔT/(R_c + 1/h_ci + 1/(h_ce + h_re)), plus H_ve·ΔT."""
    elements = [wall(30.0), wall(70.0, "distributed")]
    r = simulate_multinode(
        np.zeros(3000),
        0.0,
        0.0,
        elements=elements,
        floor_area_m2=40.0,
        air_capacity_j_per_k=1.2e5,
        step_h=1.0,
        ventilation_w_per_k=25.0,
        temp_heat_set_c=20.0,
    )
    per_k = 100.0 / (
        WALL_R + 1.0 / H_CI_W_PER_M2_K["wall"] + 1.0 / (H_CE_W_PER_M2_K + H_RE_W_PER_M2_K)
    )
    assert float(r.phi_hc_w[-1]) == pytest.approx(20.0 * (per_k + 25.0), rel=1e-9)
    assert float(r.temp_air_c[-1]) == pytest.approx(20.0, abs=1e-9)


def test_varying_ventilation_matches_a_direct_solve():
    """The Sherman-Morrison update for H_ve equals solving each step's network directly."""
    rng = np.random.default_rng(3)
    n = 200
    te = 5.0 + 10.0 * rng.random(n)
    hve = 10.0 + 40.0 * rng.random(n)
    gains = 500.0 * rng.random(n)
    elements = [
        wall(40.0, source=50.0 * rng.random(n)),
        wall(20.0, "outside"),
        NodeElement(
            "window", 6.0, resistance_from_u_m2_k_per_w(2.8, "window"), 0.0, "inside", -20.0
        ),
    ]
    r = simulate_multinode(
        te,
        gains,
        0.0,
        elements=elements,
        floor_area_m2=30.0,
        air_capacity_j_per_k=1e5,
        step_h=1.0,
        ventilation_w_per_k=hve,
        periodic_start=False,
        temp_initial_c=12.0,
    )
    a, cap, outer, inner, areas = _network(elements, 1e5 + 10_000.0 * 30.0)
    theta = np.full(a.shape[0], 12.0)
    for t in range(n):
        m = a + np.diag(cap / 3600.0)
        m[0, 0] += hve[t]
        b = cap / 3600.0 * theta
        b[0] += hve[t] * te[t] + 0.4 * gains[t]
        for e, k, i, w in zip(elements, outer, inner, areas / areas.sum(), strict=True):
            src = np.broadcast_to(np.asarray(e.outer_source_w, dtype=float), (n,))[t]
            b[k] += (H_CE_W_PER_M2_K + H_RE_W_PER_M2_K) * e.area_m2 * te[t] + src
            b[i] += w * 0.6 * gains[t]
        theta = np.linalg.solve(m, b)
        assert r.temp_air_c[t] == pytest.approx(theta[0], abs=1e-9)


def test_inner_mass_damps_the_air_more_than_outer_mass():
    """Mass inside the insulation holds the air temperature; outside it barely does."""
    te = np.where(np.arange(24 * 20) % 24 < 12, 30.0, 0.0)
    swings = {}
    for position in ("inside", "outside"):
        r = simulate_multinode(
            te,
            0.0,
            0.0,
            elements=[wall(100.0, position)],
            floor_area_m2=40.0,
            air_capacity_j_per_k=1.2e5,
            step_h=1.0,
        )
        last = r.temp_air_c[-24:]
        swings[position] = float(last.max() - last.min())
    assert swings["inside"] < 0.5 * swings["outside"]


def test_multinode_needs_each_elements_heat_capacity():
    base = Zone.example_params() | {"thermal_model": "iso52016_multinode"}
    with pytest.raises(ValueError, match=r"heat_capacity_j_per_m2_k: required with thermal_model"):
        ZoneParams(**base)
