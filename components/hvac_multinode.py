"""Multi-node zone heat balance: the EN ISO 52016-1 hourly method's nodes for each element.

The alternative to the single-capacity 5R1C network (:mod:`components.hvac_rc`)
for zones whose mass matters: every opaque element has five nodes (outer
surface, three inner, inner surface), every window two, and the air one
(EN ISO 52016-1:2017, 6.5.6-6.5.7):

- conduction: between the nodes of an element of thermal resistance R_c
  (surface to surface), the conductances 6/R_c, 3/R_c, 3/R_c, 6/R_c per m²;
  a window's two nodes 1/R_c;
- mass: the element's areal heat capacity κ_m [J/(m²·K)] on its nodes by
  where the mass sits (the standard's classes: ``inside`` I, ``outside`` E,
  ``both_sides`` IE, ``distributed`` D, ``middle`` M);
- outer surface: convection and radiation to the outdoor air,
  h_ce + h_re = 20 + 4.14 W/(m²·K), the absorbed sunshine α·I, and the extra
  thermal radiation to the sky F_sky·h_re·Δθ_er;
- inner surface: convection to the air, h_ci = 2.5 (walls), 5.0 (ceilings,
  heat flowing up), 0.7 (floors, heat flowing down) W/(m²·K), and long-wave
  exchange with the area-weighted mean temperature of all inner surfaces,
  h_ri = 5.13 W/(m²·K);
- air node: the air and furniture, ρc·V + 10 kJ/(m²·K) · A_f, and the
  ventilation conductance H_ve;
- gains: 40 % of internal gains and 10 % of solar gains through windows to
  the air, the rest spread over the inner surfaces by area.

Elements face the outdoor air (floors too: the standard's ground model,
ISO 13370's virtual layer, is not implemented; the 5R1C's b_tr < 1 is
refused for this model).

Each step is integrated implicitly (backward Euler). Heating and cooling act
on the air node and the set points on the air temperature, as ASHRAE 140
specifies and the 5R1C kernel does (EN ISO 52016-1 itself controls the
operative temperature): the free-running air temperature and
the response to 1 W give the need in closed form, then clipped to the
capacities. The network matrix is inverted once; only H_ve changes from step
to step, and only on the air node's diagonal, so the Sherman-Morrison formula
gives each step's solution from the one inverse.

The U-values a zone is configured with include the surface resistances; the
resistance between the surfaces is R_c = 1/U - R_si - R_se with ISO 6946's
R_si = 0.13 (walls), 0.10 (roofs), 0.17 (floors) and R_se = 0.04 m²·K/W.

References
----------
.. [1] EN ISO 52016-1:2017, Energy performance of buildings - Energy needs
   for heating and cooling, internal temperatures and sensible and latent
   heat loads - Part 1: Calculation procedures, 6.5.6-6.5.7 and Annex B
   (Tables B.11-B.17: h_ci, h_ri, h_ce, h_re, κ_int, f_int,c, f_sol,c; the
   mass classes I, E, IE, D, M).
.. [2] ISO 6946:2017, Building components - Thermal resistance and thermal
   transmittance, Table 7 (surface resistances).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from twin.components.hvac_rc import Zone5R1CResult

__all__ = [
    "H_CE_W_PER_M2_K",
    "H_CI_W_PER_M2_K",
    "H_RE_W_PER_M2_K",
    "H_RI_W_PER_M2_K",
    "MASS_POSITION_SPLIT",
    "MassPosition",
    "NodeElement",
    "resistance_from_u_m2_k_per_w",
    "simulate_multinode",
]

MassPosition = Literal["inside", "outside", "both_sides", "distributed", "middle"]

MASS_POSITION_SPLIT: Mapping[str, tuple[float, float, float, float, float]] = {
    "inside": (0.0, 0.0, 0.0, 0.0, 1.0),
    "outside": (1.0, 0.0, 0.0, 0.0, 0.0),
    "both_sides": (0.5, 0.0, 0.0, 0.0, 0.5),
    "distributed": (0.125, 0.25, 0.25, 0.25, 0.125),
    "middle": (0.0, 0.0, 1.0, 0.0, 0.0),
}
"""Share of an element's κ_m on its five nodes, outer surface first
(EN ISO 52016-1 classes I, E, IE, D and M) [-]."""

H_CI_W_PER_M2_K: Mapping[str, float] = {"wall": 2.5, "roof": 5.0, "floor": 0.7, "window": 2.5}
"""Inner convective coefficient by element: horizontal heat flow (walls,
windows), upward (ceilings under a roof), downward (floors) (EN ISO 52016-1
Table B.11) [W/(m²·K)]."""

H_RI_W_PER_M2_K = 5.13
"""Inner long-wave radiative coefficient (EN ISO 52016-1 Table B.11) [W/(m²·K)]."""

H_CE_W_PER_M2_K = 20.0
"""Outer convective coefficient (EN ISO 52016-1 Table B.11) [W/(m²·K)]."""

H_RE_W_PER_M2_K = 4.14
"""Outer long-wave radiative coefficient (EN ISO 52016-1 Table B.11) [W/(m²·K)]."""

INTERNAL_HEAT_CAPACITY_J_PER_M2_K = 10_000.0
"""Heat capacity of the air node's furniture and contents per m² floor, κ_int
(EN ISO 52016-1 Table B.17) [J/(m²·K)]."""

INTERNAL_GAINS_CONVECTIVE_FRAC = 0.4
"""Convective share of internal gains, f_int,c (EN ISO 52016-1 Table B.17) [-]."""

SOLAR_GAINS_CONVECTIVE_FRAC = 0.1
"""Share of the solar gain through windows given to the air, f_sol,c
(EN ISO 52016-1 Table B.17) [-]."""

_R_SI_M2_K_PER_W = {"wall": 0.13, "roof": 0.10, "floor": 0.17, "window": 0.13}
_R_SE_M2_K_PER_W = 0.04


def resistance_from_u_m2_k_per_w(u_w_per_m2_k: float, kind: str) -> float:
    """Surface-to-surface resistance R_c = 1/U - R_si - R_se (ISO 6946 Table 7) [m²·K/W].

    Raises
    ------
    ValueError
        When U is so high that R_c would not be positive.

    Examples
    --------
    >>> round(resistance_from_u_m2_k_per_w(0.5, "wall"), 3)
    1.83
    """
    r = 1.0 / u_w_per_m2_k - _R_SI_M2_K_PER_W[kind] - _R_SE_M2_K_PER_W
    if r <= 0.0:
        msg = (
            f"U = {u_w_per_m2_k} W/(m²K) of a {kind} leaves no resistance between its surfaces "
            f"(R_si + R_se = {_R_SI_M2_K_PER_W[kind] + _R_SE_M2_K_PER_W} m²K/W); expected "
            f"U < {1.0 / (_R_SI_M2_K_PER_W[kind] + _R_SE_M2_K_PER_W):.2f}"
        )
        raise ValueError(msg)
    return r


@dataclass(frozen=True)
class NodeElement:
    """One element of the multi-node network.

    Attributes
    ----------
    kind : {"wall", "roof", "floor", "window"}
    area_m2 : float
    resistance_m2_k_per_w : float
        R_c between its surfaces [m²·K/W].
    heat_capacity_j_per_m2_k : float
        κ_m, 0 for windows [J/(m²·K)].
    mass_position : MassPosition
        Where the mass sits (:data:`MASS_POSITION_SPLIT`).
    outer_source_w : array or float
        Heat into the outer surface besides the outdoor air: absorbed sun
        minus the extra radiation to the sky [W].
    """

    kind: str
    area_m2: float
    resistance_m2_k_per_w: float
    heat_capacity_j_per_m2_k: float
    mass_position: MassPosition
    outer_source_w: np.ndarray | float

    @property
    def nodes(self) -> int:
        """Number of nodes: 2 for a window, 5 otherwise."""
        return 2 if self.kind == "window" else 5


def _network(elements: Sequence[NodeElement], air_capacity_j_per_k: float):
    """Conductance matrix without H_ve [W/K], capacities [J/K], and the node indices."""
    n_nodes = 1 + sum(e.nodes for e in elements)
    a = np.zeros((n_nodes, n_nodes))
    cap = np.zeros(n_nodes)
    cap[0] = air_capacity_j_per_k

    def link(i: int, j: int, h: float) -> None:
        a[i, i] += h
        a[j, j] += h
        a[i, j] -= h
        a[j, i] -= h

    outer, inner = [], []
    k = 1
    for e in elements:
        r = e.resistance_m2_k_per_w
        if e.nodes == 5:
            for p, h in enumerate((6.0 / r, 3.0 / r, 3.0 / r, 6.0 / r)):
                link(k + p, k + p + 1, h * e.area_m2)
            for p, share in enumerate(MASS_POSITION_SPLIT[e.mass_position]):
                cap[k + p] = share * e.heat_capacity_j_per_m2_k * e.area_m2
        else:
            link(k, k + 1, e.area_m2 / r)
        last = k + e.nodes - 1
        a[k, k] += (H_CE_W_PER_M2_K + H_RE_W_PER_M2_K) * e.area_m2
        link(last, 0, H_CI_W_PER_M2_K[e.kind] * e.area_m2)
        outer.append(k)
        inner.append(last)
        k += e.nodes
    areas = np.array([e.area_m2 for e in elements])
    total = areas.sum()
    for i, ai in zip(inner, areas, strict=True):
        a[i, i] += H_RI_W_PER_M2_K * ai
        for j, aj in zip(inner, areas, strict=True):
            a[i, j] -= H_RI_W_PER_M2_K * ai * aj / total
    return a, cap, outer, inner, areas


def simulate_multinode(
    temp_out_c: np.ndarray,
    phi_int_w: float | np.ndarray,
    phi_sol_w: float | np.ndarray,
    *,
    elements: Sequence[NodeElement],
    floor_area_m2: float,
    air_capacity_j_per_k: float,
    step_h: float,
    ventilation_w_per_k: float | np.ndarray = 0.0,
    temp_heat_set_c: float | np.ndarray = -np.inf,
    temp_cool_set_c: float | np.ndarray = np.inf,
    phi_heat_max_w: float | np.ndarray = np.inf,
    phi_cool_max_w: float | np.ndarray = np.inf,
    temp_initial_c: float = 20.0,
    periodic_start: bool = True,
) -> Zone5R1CResult:
    """Run the multi-node zone over a series of steps.

    Parameters
    ----------
    temp_out_c : array
        Outdoor air temperature per step [°C].
    phi_int_w : float or array
        Internal gains [W].
    phi_sol_w : float or array
        Solar gains through the windows [W].
    elements : sequence of NodeElement
        Walls, roofs, floors and windows; at least one.
    floor_area_m2 : float
        A_f for the furniture capacity [m²].
    air_capacity_j_per_k : float
        ρc·V of the zone air [J/K].
    step_h : float
        Step length [h].
    ventilation_w_per_k : float or array
        H_ve per step, the supply at the outdoor temperature [W/K].
    temp_heat_set_c, temp_cool_set_c : float or array
        Air set points; ±inf switch heating or cooling off [°C].
    phi_heat_max_w, phi_cool_max_w : float or array
        Capacities, >= 0 (inf = ideal) [W].
    temp_initial_c : float, default 20
        Every node's temperature before the first step, or before the
        first day's repetitions [°C].
    periodic_start : bool, default True
        Start from the periodic state of the first day (the first day run
        again and again until it repeats itself), as the 5R1C zone does.

    Returns
    -------
    Zone5R1CResult
        As the 5R1C kernel's: ``temp_surface_c`` is the area-weighted mean of
        the inner surfaces, ``temp_mass_c`` and ``temp_mass_end_c`` the
        capacity-weighted mean of the elements' nodes.

    Examples
    --------
    Steady state, one wall of U = 0.5 W/(m²K), 10 K below the set point: alone
    in the zone its inner surface exchanges no radiation with others, so the
    loss is A·ΔT/(R_c + 1/h_ci + 1/(h_ce + h_re)) = 1000/(1.83 + 0.4 + 0.0414):

    >>> from twin.components.hvac_multinode import NodeElement, resistance_from_u_m2_k_per_w
    >>> wall = NodeElement("wall", 100.0, resistance_from_u_m2_k_per_w(0.5, "wall"),
    ...     100_000.0, "inside", 0.0)
    >>> r = simulate_multinode(np.zeros(2000), 0.0, 0.0, elements=[wall], floor_area_m2=50.0,
    ...     air_capacity_j_per_k=1.8e5, step_h=1.0, temp_heat_set_c=10.0)
    >>> round(float(r.phi_hc_w[-1]), 1)
    440.3
    """
    theta_e = np.asarray(temp_out_c, dtype=np.float64)
    n = theta_e.size
    if step_h <= 0.0 or not elements:
        msg = f"expected step_h > 0 and at least one element, got {step_h} and {len(elements)}"
        raise ValueError(msg)
    cap_air = air_capacity_j_per_k + INTERNAL_HEAT_CAPACITY_J_PER_M2_K * floor_area_m2
    a, cap, outer, inner, areas = _network(elements, cap_air)
    h_ve = np.broadcast_to(np.asarray(ventilation_w_per_k, dtype=np.float64), (n,))
    h0 = float(h_ve[0]) if n else 0.0
    dt = 3600.0 * step_h
    m0 = a + np.diag(cap / dt)
    m0[0, 0] += h0
    m0_inv = np.linalg.inv(m0)
    s0 = m0_inv[:, 0].copy()

    # sources that do not depend on the state [W], one row per step
    phi_int = np.broadcast_to(np.asarray(phi_int_w, dtype=np.float64), (n,))
    phi_sol = np.broadcast_to(np.asarray(phi_sol_w, dtype=np.float64), (n,))
    src = np.zeros((n, a.shape[0]))
    src[:, 0] = (
        h_ve * theta_e
        + INTERNAL_GAINS_CONVECTIVE_FRAC * phi_int
        + SOLAR_GAINS_CONVECTIVE_FRAC * phi_sol
    )
    radiant = (1.0 - INTERNAL_GAINS_CONVECTIVE_FRAC) * phi_int + (
        1.0 - SOLAR_GAINS_CONVECTIVE_FRAC
    ) * phi_sol
    weights = areas / areas.sum()
    for e, k, i, w in zip(elements, outer, inner, weights, strict=True):
        src[:, k] += (H_CE_W_PER_M2_K + H_RE_W_PER_M2_K) * e.area_m2 * theta_e + np.broadcast_to(
            np.asarray(e.outer_source_w, dtype=np.float64), (n,)
        )
        src[:, i] += w * radiant
    y_src = src @ m0_inv.T  # M0^-1 applied to each step's sources
    d = h_ve - h0
    denom = 1.0 + d * s0[0]
    heat_set = np.broadcast_to(np.asarray(temp_heat_set_c, dtype=np.float64), (n,)).tolist()
    cool_set = np.broadcast_to(np.asarray(temp_cool_set_c, dtype=np.float64), (n,)).tolist()
    heat_max = np.broadcast_to(np.asarray(phi_heat_max_w, dtype=np.float64), (n,)).tolist()
    cool_max = np.broadcast_to(np.asarray(phi_cool_max_w, dtype=np.float64), (n,)).tolist()
    k_cap = m0_inv * (cap / dt)  # M0^-1 diag(C/Δt): the state's part of each step

    states = np.empty((n, a.shape[0]))
    phi = [0.0] * n
    need = [0.0] * n

    def advance(theta: np.ndarray, t: int) -> tuple[np.ndarray, float, float]:
        y = k_cap @ theta + y_src[t]
        dt_ = d[t]
        if dt_ != 0.0:
            y = y - (dt_ * y[0] / denom[t]) * s0
            s = s0 / denom[t]
        else:
            s = s0
        air = y[0]
        if air < heat_set[t]:
            want = (heat_set[t] - air) / s[0]
            p = min(want, heat_max[t])
        elif air > cool_set[t]:
            want = (cool_set[t] - air) / s[0]
            p = max(want, -cool_max[t])
        else:
            want = p = 0.0
        return y + p * s, p, want

    theta = np.full(a.shape[0], float(temp_initial_c))
    # start from the periodic state of the first day: repeat it until no node
    # moves by more than 0.01 K from one repetition to the next (at most 60)
    first_day = min(n, max(1, int(round(24.0 / step_h))))
    for _ in range(60 if periodic_start else 0):
        before = theta.copy()
        for t in range(first_day):
            theta, _, _ = advance(theta, t)
        if np.max(np.abs(theta - before)) < 0.01:
            break
    start = theta.copy()
    for t in range(n):
        theta, phi[t], need[t] = advance(theta, t)
        states[t] = theta

    mass = cap[1:] > 0.0
    weights_mass = cap[1:][mass] / cap[1:][mass].sum() if mass.any() else None
    element_nodes = states[:, 1:]
    if weights_mass is not None:
        mass_end = element_nodes[:, mass] @ weights_mass
    else:
        mass_end = element_nodes.mean(axis=1)
    start_nodes = start[1:]
    start_mass = (
        float(start_nodes[mass] @ weights_mass) if weights_mass is not None else start_nodes.mean()
    )
    mass_start = np.concatenate(([start_mass], mass_end[:-1]))
    surface = states[:, inner] @ weights
    return Zone5R1CResult(
        states[:, 0].copy(),
        surface,
        0.5 * (mass_start + mass_end),
        mass_end,
        np.asarray(phi),
        np.asarray(need),
    )
