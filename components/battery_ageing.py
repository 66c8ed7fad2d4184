"""Battery ageing: how much capacity a stationary Li-ion battery loses.

Capacity fade from calendar ageing and from cycling, in the form of NREL's
System Advisor Model (SAM, ``lib_battery_lifetime_calendar_cycle``): the
relative capacity is the smaller of the calendar and the cycle capacity.

- Calendar: :math:`q_{cal} = q_0 - k_{cal}\\sqrt{t}` with
  :math:`k_{cal} = a\\, e^{b(1/T - 1/296)}\\, e^{c(\\overline{SOC}/T - 1/296)}`,
  :math:`t` in days, :math:`T` in K, the SAM default Li-ion coefficients
  :data:`CALENDAR_Q0`, :data:`CALENDAR_A`, :data:`CALENDAR_B`,
  :data:`CALENDAR_C`; capped at 1.
- Cycling: SAM's default cycle table (capacity after a number of cycles of a
  given depth of discharge, :data:`CYCLE_TABLE`) read as a loss per cycle
  that is linear in the depth (Miner's rule: the losses of cycles of
  different depths add), with cycles counted as half cycles between the
  turning points of the state of charge (a simple stand-in for SAM's
  rainflow count).

These are the whole-model defaults of SAM, not LFP-specific fits; a
multi-year run carries the battery's age (``years_in_service``) and the
cycle fade so far (``cycle_fade_before_frac``) from one year to the next.

References
----------
.. [1] NREL System Advisor Model, ssc ``shared/lib_battery_lifetime_calendar_cycle.cpp``
   (``runLithiumIonModel``; calendar q0 = 1.02, a = 2.66e-3, b = -7280, c = 930)
   and the default cycle matrix of the PySAM battery model ([DOD %, cycles,
   capacity %] = [20, 5000, 80], [80, 1000, 80], [80, 2000, 60]).
.. [2] Smith, K., et al. (2017). Life prediction model for grid-connected
   Li-ion battery energy storage system. American Control Conference,
   doi:10.23919/ACC.2017.7963578.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CALENDAR_A",
    "CALENDAR_B",
    "CALENDAR_C",
    "CALENDAR_Q0",
    "CYCLE_TABLE",
    "calendar_capacity_frac",
    "cycle_depths_frac",
    "cycle_fade_frac",
]

CALENDAR_Q0 = 1.02
"""SAM calendar model: relative capacity at day 0 before the cap at 1 [-]."""
CALENDAR_A = 2.66e-3
"""SAM calendar model: rate [1/sqrt(day)]."""
CALENDAR_B = -7280.0
"""SAM calendar model: temperature coefficient [K]."""
CALENDAR_C = 930.0
"""SAM calendar model: state-of-charge coefficient [K]."""
CYCLE_TABLE = ((0.2, 5000.0, 0.20), (0.8, 1000.0, 0.20))
"""SAM default cycle matrix as (depth of discharge [-], cycles, capacity lost
[-]): 20 % deep cycles lose 20 % in 5,000 cycles, 80 % deep ones 20 % in
1,000 (and 40 % in 2,000: linear in the count, as used here)."""
_KELVIN = 273.15


def calendar_capacity_frac(days: float, temp_c: float, soc_mean_frac: float) -> float:
    r"""Relative capacity after calendar ageing (SAM's Li-ion model).

    Parameters
    ----------
    days : float
        Age [day].
    temp_c : float
        Cell temperature [°C].
    soc_mean_frac : float
        Mean state of charge over the period [-].

    Returns
    -------
    float
        Capacity as a share of nameplate, at most 1 [-].

    Examples
    --------
    >>> round(calendar_capacity_frac(10 * 365, 25.0, 0.5), 4)
    0.9806
    """
    t_k = temp_c + _KELVIN
    k_cal = (
        CALENDAR_A
        * np.exp(CALENDAR_B * (1.0 / t_k - 1.0 / 296.0))
        * np.exp(CALENDAR_C * (soc_mean_frac / t_k - 1.0 / 296.0))
    )
    return float(min(1.0, CALENDAR_Q0 - k_cal * np.sqrt(max(days, 0.0))))


def cycle_depths_frac(soc_frac: np.ndarray) -> np.ndarray:
    """Depths of the half cycles between turning points of the state of charge [-].

    Parameters
    ----------
    soc_frac : array
        State of charge over time, share of capacity [-].

    Returns
    -------
    array
        Depth of each half cycle (a full cycle counts as two halves) [-].
    """
    s = np.asarray(soc_frac, dtype=np.float64)
    if s.size < 2:
        return np.zeros(0)
    d = np.diff(s)
    moving = d != 0.0
    s, d = s[np.concatenate(([True], moving))], d[moving]
    if d.size == 0:
        return np.zeros(0)
    turn = np.flatnonzero(np.sign(d[1:]) != np.sign(d[:-1])) + 1
    points = s[np.concatenate(([0], turn, [s.size - 1]))]
    return np.abs(np.diff(points))


def cycle_fade_frac(soc_frac: np.ndarray, cycle_life_80pct_dod: float = 1000.0) -> float:
    """Capacity lost to cycling over a state-of-charge history [-].

    Each half cycle of depth :math:`D` costs half the loss of a full cycle
    of that depth, interpolated linearly in :math:`D` between the points of
    :data:`CYCLE_TABLE` (and extrapolated through zero depth below 20 %),
    both points scaled by ``1000 / cycle_life_80pct_dod``.

    Parameters
    ----------
    soc_frac : array
        State of charge over time, share of capacity [-].
    cycle_life_80pct_dod : float
        Cycles of 80 % depth to 80 % capacity: SAM's default 1,000 (a
        generic Li-ion table); LFP cell datasheets quote several thousand.

    Returns
    -------
    float
        Capacity lost, share of nameplate [-].

    Examples
    --------
    >>> soc = np.tile([0.1, 0.9], 500)  # 500 cycles of 80 % depth
    >>> round(cycle_fade_frac(soc), 3)
    0.1
    """
    (d1, n1, q1), (d2, n2, q2) = CYCLE_TABLE
    per_cycle = np.array([q1 / n1, q2 / n2]) * (n2 / cycle_life_80pct_dod)
    depths = cycle_depths_frac(soc_frac)
    loss = np.interp(depths, [0.0, d1, d2], [0.0, *per_cycle], right=None)
    beyond = depths > d2
    slope = (per_cycle[1] - per_cycle[0]) / (d2 - d1)
    loss = np.where(beyond, per_cycle[1] + slope * (depths - d2), loss)
    return float(0.5 * loss.sum())
