"""Zone heat balance: how warm is a zone and how much heating or cooling does it need?

The ISO 13790:2008 Annex C simple hourly method (the 5R1C network, kept in
ISO 52016-1's simplified method): three temperature nodes (air θ_air,
internal surfaces θ_s, mass θ_m) and one heat capacity C_m, coupled to the
outdoor air θ_e and the supply air θ_sup by five conductances:

================  =========================================  ===========
conductance       between                                    ISO symbol
================  =========================================  ===========
ventilation       supply air and air node                    H_ve
surface_air       air node and surface node                  H_tr,is
window            surface node and outdoor air               H_tr,w
mass_surface      surface node and mass node                 H_tr,ms
exterior_mass     mass node and outdoor air                  H_tr,em
================  =========================================  ===========

Heating and cooling act on the air node. The stateful part is
:func:`simulate_5r1c`, a small pure kernel: the only loop over steps, over
plain Python floats, with everything that does not depend on the state
computed beforehand with numpy. The constants are those of ISO 13790 as
implemented in RC_BuildingSimulator (tabulated in
``tests/data/iso13790_5r1c_constants.csv``).

Discretisation. ISO 13790 integrates the mass node with the Crank-Nicolson
rule over one hour, ``C_m/3600`` in [Wh/K]; here the step is data and the
same rule runs over Δt = 3600·``step_h`` seconds, with ``C_m/Δt`` [W/K] in
place of ``C_m/3600``. The air and surface nodes have no capacity and use
the step-mean mass temperature θ_m = (θ_m,t + θ_m,t-1)/2, so every node
balances exactly at every step (:func:`heat_balance_residual_w`).

Demand. ISO 13790 C.4.2 (step C.13) finds the heating or cooling power
that holds the set point from two evaluations of the network (no power and
10 W/m²) and linear interpolation. The network is linear in that power, so
the kernel computes the same interpolation in closed form: the free-running
air temperature θ_air,0 and the per-watt sensitivity ∂θ_air/∂Φ_HC; the
need is (θ_set - θ_air,0)/(∂θ_air/∂Φ_HC), then clipped to the emitter
capacities, and the zone floats where they do not suffice.

References
----------
.. [1] ISO 13790:2008, Energy performance of buildings - Calculation of
   energy use for space heating and cooling, Annex C and sections 7.2.2.2,
   9.3, 11.3-11.4 and 12.2-12.3.
.. [2] P. Jayathissa et al., RC_BuildingSimulator,
   github.com/architecture-building-systems/RC_BuildingSimulator,
   ``rc_simulator/building_physics.py`` (ISO 13790 C.1-C.13).
.. [3] lbl-srg/modelica-buildings, ``Buildings.ThermalZones.ISO13790`` and
   its data records ``Data.Light``, ``Data.Medium``, ``Data.Heavy``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from twin.kernels import run_loop

__all__ = [
    "AIR_HEAT_CAPACITY_J_PER_M3_K",
    "H_IS_W_PER_M2_K",
    "H_MS_W_PER_M2_K",
    "INTERNAL_AREA_PER_FLOOR_AREA",
    "MASS_CLASSES",
    "Conductances5R1C",
    "Zone5R1CResult",
    "conductances_5r1c",
    "gain_split_5r1c",
    "heat_balance_residual_w",
    "periodic_mass_temp_c",
    "simulate_5r1c",
    "steady_state_heat_flow_w",
    "time_constant_h",
]

H_IS_W_PER_M2_K = 3.45
"""Heat transfer coefficient between the air node and the surface node per
m² of internal surface, h_is (ISO 13790 7.2.2.2) [W/(m²·K)]."""

H_MS_W_PER_M2_K = 9.1
"""Heat transfer coefficient between the mass node and the surface node per
m² of effective mass area, h_ms (ISO 13790 12.2.2) [W/(m²·K)]."""

INTERNAL_AREA_PER_FLOOR_AREA = 4.5
"""Default ratio of internal surface area to floor area, Λ_at (ISO 13790
7.2.2.2) [-]."""

AIR_HEAT_CAPACITY_J_PER_M3_K = 1200.0
"""Volumetric heat capacity of air, ρ_a·c_a (ISO 13790 9.3.1) [J/(m³·K)]."""

MASS_CLASSES: Mapping[str, tuple[float, float]] = {
    "very_light": (80_000.0, 2.5),
    "light": (110_000.0, 2.5),
    "medium": (165_000.0, 2.5),
    "heavy": (260_000.0, 3.0),
    "very_heavy": (370_000.0, 3.5),
}
"""Thermal mass class -> (internal heat capacity C_m per m² floor area
[J/(m²·K)], effective mass area A_m per m² floor area [-]) of ISO 13790
Table 12. ``light``, ``medium`` and ``heavy`` as in Modelica Buildings'
``ThermalZones.ISO13790.Data`` records; ``medium`` and the A_m ratios as in
``iso13790_5r1c_constants.csv``; ``very_light`` and ``very_heavy`` are the
Table 12 values as commonly cited. Steel-frame halls with sandwich panels
and a slab on grade are ``light`` to ``medium``."""


@dataclass(frozen=True)
class Conductances5R1C:
    """The fixed conductances of a 5R1C zone [W/K].

    Attributes
    ----------
    window_w_per_k : float
        Transmission through glazing, H_tr,w [W/K].
    exterior_mass_w_per_k : float
        Opaque transmission between the mass node and the outdoor air,
        H_tr,em [W/K].
    mass_surface_w_per_k : float
        Between mass and surface nodes, H_tr,ms = h_ms·A_m [W/K].
    surface_air_w_per_k : float
        Between surface and air nodes, H_tr,is = h_is·A_t [W/K].
    """

    window_w_per_k: float
    exterior_mass_w_per_k: float
    mass_surface_w_per_k: float
    surface_air_w_per_k: float

    @property
    def opaque_w_per_k(self) -> float:
        """Opaque transmission H_tr,op = 1/(1/H_tr,em + 1/H_tr,ms) [W/K]."""
        em, ms = self.exterior_mass_w_per_k, self.mass_surface_w_per_k
        return em * ms / (em + ms)


def conductances_5r1c(
    opaque_w_per_k: float,
    window_w_per_k: float,
    mass_area_m2: float,
    internal_area_m2: float,
    surface_air_w_per_m2_k: float = H_IS_W_PER_M2_K,
) -> Conductances5R1C:
    """Split the envelope conductances onto the 5R1C network.

    Parameters
    ----------
    opaque_w_per_k : float
        Opaque transmission H_tr,op = Σ b·U·A of walls, roof and floor [W/K].
    window_w_per_k : float
        Glazing transmission H_tr,w = Σ U·A [W/K].
    mass_area_m2 : float
        Effective mass area A_m [m²].
    internal_area_m2 : float
        Area of all surfaces facing the zone A_t [m²].
    surface_air_w_per_m2_k : float, default 3.45
        Coupling between the surface and air nodes per m² of A_t, h_is
        (ISO 13790 7.2.2.2: 3.45) [W/(m²·K)].

    Returns
    -------
    Conductances5R1C

    Raises
    ------
    ValueError
        When H_tr,op >= H_tr,ms (the split has no positive H_tr,em): the
        envelope is implausibly leaky for its mass area.

    Notes
    -----
    ISO 13790 12.2.2: :math:`H_{tr,ms} = h_{ms} A_m`,
    :math:`H_{tr,em} = 1/(1/H_{tr,op} - 1/H_{tr,ms})`,
    :math:`H_{tr,is} = h_{is} A_t`.

    Examples
    --------
    >>> c = conductances_5r1c(100.0, 50.0, 250.0, 450.0)
    >>> round(c.exterior_mass_w_per_k, 3), round(c.opaque_w_per_k, 6)
    (104.598, 100.0)
    """
    ms = H_MS_W_PER_M2_K * mass_area_m2
    if opaque_w_per_k >= ms:
        msg = (
            f"opaque transmission H_tr,op = {opaque_w_per_k:.1f} W/K is not below "
            f"H_tr,ms = 9.1 W/(m²K) x A_m = {ms:.1f} W/K; expected H_tr,op < H_tr,ms "
            "(check the U-values and areas, or give a larger effective mass area)"
        )
        raise ValueError(msg)
    em = 1.0 / (1.0 / opaque_w_per_k - 1.0 / ms) if opaque_w_per_k > 0.0 else 0.0
    return Conductances5R1C(
        window_w_per_k=float(window_w_per_k),
        exterior_mass_w_per_k=float(em),
        mass_surface_w_per_k=float(ms),
        surface_air_w_per_k=float(surface_air_w_per_m2_k * internal_area_m2),
    )


def gain_split_5r1c(
    phi_int_w: float | np.ndarray,
    phi_sol_w: float | np.ndarray,
    window_w_per_k: float,
    mass_area_m2: float,
    internal_area_m2: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distribute internal and solar gains over the nodes (ISO 13790 C.1-C.3).

    Parameters
    ----------
    phi_int_w : float or array
        Internal heat gains [W].
    phi_sol_w : float or array
        Solar heat gains (net of thermal radiation to the sky) [W].
    window_w_per_k : float
        H_tr,w [W/K].
    mass_area_m2, internal_area_m2 : float
        A_m and A_t [m²].

    Returns
    -------
    phi_air_w : array
        To the air node, Φ_ia = 0.5 Φ_int [W].
    phi_surface_w : array
        To the surface node, Φ_st [W].
    phi_mass_w : array
        To the mass node, Φ_m [W].
    phi_glazing_w : array
        The share ISO 13790 assigns to the glazing surfaces, from where it
        leaves the zone at once: (H_tr,w / (9.1 A_t))(0.5 Φ_int + Φ_sol) [W].

    Notes
    -----
    .. math::

        \\Phi_{ia} = 0.5\\Phi_{int}, \\quad
        \\Phi_m = \\frac{A_m}{A_t}(0.5\\Phi_{int} + \\Phi_{sol}), \\quad
        \\Phi_{st} = \\left(1 - \\frac{A_m}{A_t}
            - \\frac{H_{tr,w}}{9.1 A_t}\\right)(0.5\\Phi_{int} + \\Phi_{sol})
    """
    phi_int, phi_sol = np.broadcast_arrays(
        np.asarray(phi_int_w, dtype=np.float64), np.asarray(phi_sol_w, dtype=np.float64)
    )
    radiant = 0.5 * phi_int + phi_sol
    f_m = mass_area_m2 / internal_area_m2
    f_w = window_w_per_k / (H_MS_W_PER_M2_K * internal_area_m2)
    return (
        0.5 * phi_int,
        (1.0 - f_m - f_w) * radiant,
        f_m * radiant,
        f_w * radiant,
    )


class Zone5R1CResult(NamedTuple):
    """Per-step result of :func:`simulate_5r1c` (arrays of the input length)."""

    temp_air_c: np.ndarray
    """Air temperature, step mean [°C]."""
    temp_surface_c: np.ndarray
    """Surface node ("star") temperature, step mean [°C]."""
    temp_mass_c: np.ndarray
    """Mass temperature, step mean (θ_m,t + θ_m,t-1)/2 [°C]."""
    temp_mass_end_c: np.ndarray
    """Mass temperature at the end of the step, θ_m,t [°C]."""
    phi_hc_w: np.ndarray
    """Heating (> 0) or cooling (< 0) delivered to the air node [W]."""
    phi_hc_need_w: np.ndarray
    """Heating (> 0) or cooling (< 0) that would hold the set point without
    capacity limits [W]."""


def simulate_5r1c(
    temp_out_c: np.ndarray,
    phi_int_w: float | np.ndarray,
    phi_sol_w: float | np.ndarray,
    *,
    conductances: Conductances5R1C,
    heat_capacity_j_per_k: float,
    mass_area_m2: float,
    internal_area_m2: float,
    step_h: float,
    ventilation_w_per_k: float | np.ndarray = 0.0,
    temp_supply_c: float | np.ndarray | None = None,
    temp_heat_set_c: float | np.ndarray = -np.inf,
    temp_cool_set_c: float | np.ndarray = np.inf,
    phi_heat_max_w: float | np.ndarray = np.inf,
    phi_cool_max_w: float | np.ndarray = np.inf,
    temp_mass_initial_c: float = 20.0,
) -> Zone5R1CResult:
    """Run the ISO 13790 5R1C zone over a series of steps.

    Parameters
    ----------
    temp_out_c : array
        Outdoor air temperature θ_e per step [°C].
    phi_int_w, phi_sol_w : float or array
        Internal gains Φ_int and solar gains Φ_sol per step [W].
    conductances : Conductances5R1C
        H_tr,w, H_tr,em, H_tr,ms, H_tr,is [W/K].
    heat_capacity_j_per_k : float
        Internal heat capacity C_m, > 0 [J/K].
    mass_area_m2, internal_area_m2 : float
        Effective mass area A_m and internal surface area A_t [m²].
    step_h : float
        Step length Δt [h].
    ventilation_w_per_k : float or array, default 0
        Ventilation and infiltration conductance H_ve per step [W/K].
    temp_supply_c : float or array, optional
        Supply (incoming) air temperature θ_sup; default the outdoor air [°C].
    temp_heat_set_c, temp_cool_set_c : float or array
        Heating and cooling set points of the air temperature per step;
        -inf / +inf switch heating / cooling off [°C].
    phi_heat_max_w, phi_cool_max_w : float or array
        Heating and cooling capacity limits (both >= 0; inf = ideal) [W].
    temp_mass_initial_c : float, default 20
        Mass temperature before the first step [°C].

    Returns
    -------
    Zone5R1CResult

    Notes
    -----
    With :math:`K = C_m/(3600\\,\\Delta t_h)` and the ISO 13790 Annex C
    quantities (:math:`H_1 = 1/(1/H_{ve} + 1/H_{tr,is})`,
    :math:`H_2 = H_1 + H_{tr,w}`, :math:`H_3 = 1/(1/H_2 + 1/H_{tr,ms})`):

    .. math::

        \\Phi_{m,tot} = \\Phi_m + H_{tr,em}\\theta_e + \\frac{H_3}{H_2}
            \\left(\\Phi_{st} + H_{tr,w}\\theta_e + H_1\\theta_{sup}
            + \\frac{H_{tr,is}}{H_{ve} + H_{tr,is}}\\Phi_{ia}\\right)

        \\theta_{m,t} = \\frac{\\theta_{m,t-1}(K - (H_3 + H_{tr,em})/2)
            + \\Phi_{m,tot}}{K + (H_3 + H_{tr,em})/2}

        \\theta_s = \\frac{H_{tr,ms}\\theta_m + \\Phi_{st} + H_{tr,w}\\theta_e
            + H_1\\theta_{sup} + \\frac{H_{tr,is}}{H_{ve} + H_{tr,is}}\\Phi_{ia}}
            {H_{tr,ms} + H_{tr,w} + H_1}, \\quad
        \\theta_{air} = \\frac{H_{tr,is}\\theta_s + H_{ve}\\theta_{sup}
            + \\Phi_{ia}}{H_{tr,is} + H_{ve}}

    (ISO's :math:`H_1(\\theta_{sup} + \\Phi_{ia}/H_{ve})` rewritten so that
    :math:`H_{ve} = 0` is allowed), with :math:`\\Phi_{ia} = 0.5\\Phi_{int}
    + \\Phi_{HC}`. The heating or cooling :math:`\\Phi_{HC}` follows ISO C.4.2
    (see the module docstring). The loop (:func:`_steps_5r1c`) runs over
    Python floats, a year of hourly steps in about 4 ms, or compiled where
    :func:`twin.kernels.kernel` hands out compiled loops.

    Examples
    --------
    Steady state, 10 K below the set point, no gains:

    >>> c = conductances_5r1c(100.0, 20.0, 125.0, 225.0)
    >>> r = simulate_5r1c(np.zeros(2000), 0.0, 0.0, conductances=c,
    ...     heat_capacity_j_per_k=8.25e6, mass_area_m2=125.0, internal_area_m2=225.0,
    ...     step_h=1.0, ventilation_w_per_k=30.0, temp_heat_set_c=10.0,
    ...     temp_mass_initial_c=10.0)
    >>> round(float(r.phi_hc_w[-1]), 3)
    1339.331
    """
    theta_e = np.asarray(temp_out_c, dtype=np.float64)
    n = theta_e.size
    if heat_capacity_j_per_k <= 0.0 or step_h <= 0.0:
        msg = (
            f"expected heat_capacity_j_per_k > 0 and step_h > 0, got "
            f"{heat_capacity_j_per_k} and {step_h}"
        )
        raise ValueError(msg)
    c = conductances
    h_w, h_em = c.window_w_per_k, c.exterior_mass_w_per_k
    h_ms, h_is = c.mass_surface_w_per_k, c.surface_air_w_per_k
    h_ve = np.broadcast_to(np.asarray(ventilation_w_per_k, dtype=np.float64), (n,))
    theta_sup = (
        theta_e
        if temp_supply_c is None
        else np.broadcast_to(np.asarray(temp_supply_c, dtype=np.float64), (n,))
    )
    phi_ia0, phi_st, phi_m, _ = gain_split_5r1c(
        np.broadcast_to(np.asarray(phi_int_w, dtype=np.float64), (n,)),
        np.broadcast_to(np.asarray(phi_sol_w, dtype=np.float64), (n,)),
        h_w,
        mass_area_m2,
        internal_area_m2,
    )
    # -- everything that does not depend on the state, vectorised ---------
    g = h_is / (h_ve + h_is)  # H_1 / H_ve, and dθ_air/dθ_s
    h1 = h_ve * g
    h2 = h1 + h_w
    h3 = h2 * h_ms / (h2 + h_ms)
    k = heat_capacity_j_per_k / (3600.0 * step_h)
    d_plus = k + 0.5 * (h3 + h_em)
    d_minus = k - 0.5 * (h3 + h_em)
    # mass-node source with Φ_HC = 0, and its sensitivity to Φ_HC
    m_tot0 = (
        phi_m + h_em * theta_e + h3 * (phi_st + h_w * theta_e + h1 * theta_sup + g * phi_ia0) / h2
    )
    m_per_w = h3 * g / h2 / d_plus
    s_sum = h_ms + h_w + h1
    s0 = (phi_st + h_w * theta_e + h1 * theta_sup + g * phi_ia0) / s_sum
    s_m = h_ms / s_sum
    s_per_w = g / s_sum
    a0 = (h_ve * theta_sup + phi_ia0) / (h_is + h_ve)
    a_per_w = 1.0 / (h_is + h_ve)
    # dθ_air/dΦ_HC at fixed θ_m,t-1 (ISO C.13's 10 W/m² probe, in closed form)
    da = g * (s_m * 0.5 * m_per_w + s_per_w) + a_per_w

    columns = (
        d_minus,
        m_tot0,
        1.0 / d_plus,
        a0,
        g,
        s0,
        np.broadcast_to(s_m, (n,)),
        da,
        m_per_w,
        np.broadcast_to(np.asarray(temp_heat_set_c, dtype=np.float64), (n,)),
        np.broadcast_to(np.asarray(temp_cool_set_c, dtype=np.float64), (n,)),
        np.broadcast_to(np.asarray(phi_heat_max_w, dtype=np.float64), (n,)),
        np.broadcast_to(np.asarray(phi_cool_max_w, dtype=np.float64), (n,)),
    )
    m_end_arr, phi_arr, need_arr = run_loop(
        _steps_5r1c, columns, (float(temp_mass_initial_c),), 3, n
    )
    m_start = np.concatenate(([float(temp_mass_initial_c)], m_end_arr[:-1]))
    theta_m = 0.5 * (m_start + m_end_arr)
    theta_s = s0 + s_m * theta_m + s_per_w * phi_arr
    theta_air = a0 + g * theta_s + a_per_w * phi_arr
    return Zone5R1CResult(theta_air, theta_s, theta_m, m_end_arr, phi_arr, need_arr)


def _steps_5r1c(
    d_minus,
    m_tot0,
    inv_d_plus,
    a0,
    g,
    s0,
    s_m,
    da,
    m_per_w,
    heat_set,
    cool_set,
    heat_max,
    cool_max,
    m_prev,
    m_end,
    phi,
    need,
):
    """The only loop over steps of :func:`simulate_5r1c` (plain floats; compiled
    by numba for fine steps, :mod:`twin.kernels`): fills the mass temperature
    at the end of each step [°C], the heating (> 0) or cooling delivered and
    the need [W] from the state-free columns."""
    for i in range(len(d_minus)):
        m_free = (m_prev * d_minus[i] + m_tot0[i]) * inv_d_plus[i]
        air_free = a0[i] + g[i] * (s0[i] + s_m[i] * 0.5 * (m_free + m_prev))
        if air_free < heat_set[i]:
            want = (heat_set[i] - air_free) / da[i]
            p = want if want < heat_max[i] else heat_max[i]
        elif air_free > cool_set[i]:
            want = (cool_set[i] - air_free) / da[i]
            p = want if want > -cool_max[i] else -cool_max[i]
        else:
            want = 0.0
            p = 0.0
        m_new = m_free + m_per_w[i] * p
        m_end[i] = m_new
        phi[i] = p
        need[i] = want
        m_prev = m_new


def periodic_mass_temp_c(
    run_day: Callable[[float], Zone5R1CResult],
    temp_guess_c: float,
    *,
    tolerance_k: float = 0.01,
    max_days: int = 25,
) -> float:
    """Mass temperature at the start of a run, by repeating its first day.

    EnergyPlus's warm-up: the first day is simulated again and again,
    starting each time from the mass temperature the previous repetition
    ended with, until it changes by less than ``tolerance_k`` (at most
    ``max_days`` repetitions; 25 is EnergyPlus's default maximum).

    Parameters
    ----------
    run_day : callable
        ``run_day(temp_mass_initial_c) -> Zone5R1CResult`` over the first day.
    temp_guess_c : float
        Starting guess [°C].
    tolerance_k : float, default 0.01
        Convergence threshold [K].
    max_days : int, default 25
        Most repetitions.

    Returns
    -------
    float
        Mass temperature to start the run with [°C].
    """
    temp = float(temp_guess_c)
    for _ in range(max_days):
        end = float(run_day(temp).temp_mass_end_c[-1])
        if abs(end - temp) < tolerance_k:
            return end
        temp = end
    return temp


def steady_state_heat_flow_w(
    temp_air_c: float,
    temp_out_c: float,
    conductances: Conductances5R1C,
    ventilation_w_per_k: float,
) -> float:
    """Analytic steady-state heat flow from the air node to the outdoor air.

    With constant temperatures and no gains, no heat enters the mass, the
    mass branch is H_tr,op in series, and the heat flow that holds the air
    at θ_air is

    .. math::

        \\Phi = \\left(H_{ve} + \\frac{1}{1/H_{tr,is}
            + 1/(H_{tr,w} + H_{tr,op})}\\right)(\\theta_{air} - \\theta_e)

    Parameters
    ----------
    temp_air_c, temp_out_c : float
        Air and outdoor temperature [°C].
    conductances : Conductances5R1C
        [W/K].
    ventilation_w_per_k : float
        H_ve [W/K].

    Returns
    -------
    float
        Heat loss (> 0 when the air is warmer) [W].

    Notes
    -----
    The air-to-surface coupling H_tr,is = 3.45 W/(m²K)·A_t is in series
    with the envelope, so the transmission loss is H_tr,is/(H_tr,is + H_tr)
    of the plain ΣUA·ΔT (ISO 13790 counts the internal surface resistance
    partly in H_tr,is).
    """
    c = conductances
    h_tr = c.window_w_per_k + c.opaque_w_per_k
    h_is = c.surface_air_w_per_k
    series = h_is * h_tr / (h_is + h_tr) if h_tr > 0.0 else 0.0
    return (ventilation_w_per_k + series) * (temp_air_c - temp_out_c)


def time_constant_h(
    heat_capacity_j_per_k: float, conductances: Conductances5R1C, ventilation_w_per_k: float
) -> float:
    """Time constant of the free-floating zone, C_m / H [h].

    The air and surface nodes have no capacity, so the free-floating
    network is first order: the mass relaxes to its equilibrium through
    H = H_tr,em + H_3 with H_3 the series of H_tr,ms and (H_tr,w + H_1).

    Parameters
    ----------
    heat_capacity_j_per_k : float
        C_m [J/K].
    conductances : Conductances5R1C
        [W/K].
    ventilation_w_per_k : float
        H_ve [W/K].

    Returns
    -------
    float
        τ = C_m / (3600 H) [h].
    """
    c = conductances
    h_is, h_ve = c.surface_air_w_per_k, ventilation_w_per_k
    h1 = h_ve * h_is / (h_ve + h_is) if h_ve > 0.0 else 0.0
    h2 = h1 + c.window_w_per_k
    h3 = h2 * c.mass_surface_w_per_k / (h2 + c.mass_surface_w_per_k)
    return heat_capacity_j_per_k / (3600.0 * (c.exterior_mass_w_per_k + h3))


def heat_balance_residual_w(
    result: Zone5R1CResult,
    temp_out_c: np.ndarray,
    phi_int_w: float | np.ndarray,
    phi_sol_w: float | np.ndarray,
    *,
    conductances: Conductances5R1C,
    heat_capacity_j_per_k: float,
    mass_area_m2: float,
    internal_area_m2: float,
    step_h: float,
    ventilation_w_per_k: float | np.ndarray = 0.0,
    temp_supply_c: float | np.ndarray | None = None,
    temp_mass_initial_c: float = 20.0,
) -> np.ndarray:
    """Energy balance of the zone at every step: gains minus losses minus storage.

    .. math::

        \\Phi_{HC} + \\Phi_{int} + \\Phi_{sol} - \\Phi_{glazing}
        - H_{ve}(\\theta_{air} - \\theta_{sup}) - H_{tr,w}(\\theta_s - \\theta_e)
        - H_{tr,em}(\\theta_m - \\theta_e) - C_m\\frac{\\theta_{m,t}
        - \\theta_{m,t-1}}{\\Delta t}

    with Φ_glazing the share of gains ISO 13790 puts on the glazing
    (:func:`gain_split_5r1c`). Zero to rounding for a correct run.

    Returns
    -------
    array
        Residual per step [W].
    """
    c = conductances
    theta_e = np.asarray(temp_out_c, dtype=np.float64)
    theta_sup = theta_e if temp_supply_c is None else np.asarray(temp_supply_c, dtype=np.float64)
    _, _, _, phi_glazing = gain_split_5r1c(
        phi_int_w, phi_sol_w, c.window_w_per_k, mass_area_m2, internal_area_m2
    )
    m_end = result.temp_mass_end_c
    m_start = np.concatenate(([temp_mass_initial_c], m_end[:-1]))
    stored = heat_capacity_j_per_k * (m_end - m_start) / (3600.0 * step_h)
    gains = result.phi_hc_w + np.asarray(phi_int_w) + np.asarray(phi_sol_w) - phi_glazing
    losses = (
        np.asarray(ventilation_w_per_k) * (result.temp_air_c - theta_sup)
        + c.window_w_per_k * (result.temp_surface_c - theta_e)
        + c.exterior_mass_w_per_k * (result.temp_mass_c - theta_e)
    )
    return gains - losses - stored
