"""Air compressors: electric power at part load, per control type.

The physical question is how much electric power a compressor draws when
it delivers less than its rated free air delivery (FAD, ISO 1217). The
answer depends on how the machine throttles its output:

- **load/unload**: the machine alternates between running fully loaded and
  running unloaded (inlet closed, sump blown down); the receiver volume sets
  how often it cycles, and the blowdown time how long an unload takes to
  reach no-load power (:func:`power_frac_load_unload`);
- **inlet modulation** without unloading (:func:`power_frac_modulation`);
- **inlet modulation** or **variable displacement with unloading**: it
  modulates down to its unload point (the turndown) and cycles below it
  (:func:`power_frac_load_unload` with ``unload_frac < 1``);
- **variable speed (VSD)**: linear from no-load power to the turndown
  point, then a quadratic through three points (:func:`power_frac_vsd`);
- **start/stop**: power in proportion to flow (:func:`power_frac_start_stop`).

These are the control models of the US DOE AIRMaster+/MEASUR engine,
``ORNL-AMO/AMO-Tools-Suite`` ``src/calculator/util/Compressors.cpp`` and
``include/calculator/util/Compressors.h`` (ORNL-AMO AMO-Tools-Suite test cases), re-derived here
in SI units with closed-form averages over the load/unload cycle instead
of the engine's polynomial fit of a sampled cycle curve (see
:func:`power_frac_load_unload`, Notes). ``tests/validation`` compares every
curve of ``compressor_part_load_amo.csv`` at 10-100 % capacity.

Power at a system pressure other than the rated one follows the AMO engine's
pressure-reduction formula (:func:`pressure_power_ratio`).

All fractions are relative to the machine's full-load power and rated flow
at its rated discharge pressure. Functions broadcast over scalars and arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AIR_POLYTROPIC_EXPONENT",
    "CAPACITY_LOSS_PER_BAR",
    "CONTROL_TYPES",
    "STANDARD_STORAGE_M3_PER_M3_PER_MIN",
    "CompressorParams",
    "ControlType",
    "atmospheric_pressure_bar_a",
    "compressor_power_kw",
    "full_flow_capacity_frac",
    "power_frac_load_unload",
    "power_frac_modulation",
    "power_frac_start_stop",
    "power_frac_vsd",
    "pressure_power_ratio",
]

ControlType = Literal[
    "load_unload", "modulation", "modulation_unload", "variable_displacement", "vsd", "start_stop"
]
CONTROL_TYPES: tuple[str, ...] = (
    "load_unload",
    "modulation",
    "modulation_unload",
    "variable_displacement",
    "vsd",
    "start_stop",
)

AIR_POLYTROPIC_EXPONENT = 0.395 / 1.395
"""Exponent c = (n-1)/n of the AMO engine's pressure-reduction formula
(``CompressedAirPressureReduction.cpp``, ORNL-AMO AMO-Tools-Suite) [-]."""

CAPACITY_LOSS_PER_BAR = 0.00075 * 14.503774
"""Loss of delivered flow per bar of discharge pressure above rating: the
AMO engine's inlet/pressure correction ``cap * (1 - 0.00075 * dP[psi])``
(``Compressors.h``, ``PressureInletCorrection``) [1/bar]."""

STANDARD_STORAGE_M3_PER_M3_PER_MIN = 3.785411784e-3 / 0.028316846592
"""Receiver volume of the 'standard system', 1 US gal per cfm of rated flow
(CAC / Manitoba Hydro notes, compressed_air_rules.csv), in m³ per m³/min
(= 0.1337 min) [min]."""

_STANDARD_ATMOSPHERE_BAR_A = 1.01325
_UNLOAD_START_POWER_FRAC = 0.92
"""Power right after the unload command, as a share of the power at the
unload pressure, for a lubricant-injected screw (AMO engine, ``lf_fl = 0.92``
hard-coded in ``Compressors.h``; compressed_air_rules.csv) [-]."""
_SHUTDOWN_TIME_S = 2.0
"""Inlet-valve closing time of a lubricant-injected screw (AMO ``t_sdt``) [s]."""
_RELOAD_TIME_S = 3.0
"""Time to reload from a fully blown-down sump (AMO ``t_reload``) [s]."""
_SETTLING_TOLERANCE = 0.02
"""Share of a transient left when it counts as finished (AMO ``a_tol``);
an exponential decay of time constant tau lasts tau * ln(1/0.02)."""
_VSD_ZERO_FLOW_INTERCEPT = 0.15
"""Default VSD power line above the turndown, P/P_fl = 0.15 + 0.85 C/C_fl:
the straight line through the AMO engine's VFD test machine (174.4 kW at
1009 acfm, 115 kW at 605 acfm, 55.8 kW at 202 acfm; ORNL-AMO AMO-Tools-Suite test cases) [-]."""

# Control-type defaults (fractions of rated power / rated flow).
_DEFAULT_NO_LOAD_FRAC: dict[str, float] = {
    "load_unload": 0.25,  # AMO doc: screw unloaded 25-35 % (compressed_air_rules.csv)
    "modulation_unload": 0.25,
    "variable_displacement": 0.25,
    "modulation": 0.70,  # AMO default noLoadPowerFM 0.7: fully throttled, zero flow
    "vsd": 11.2 / 174.4,  # AMO VFD test machine
    "start_stop": 0.0,
}
_DEFAULT_TURNDOWN: dict[str, float] = {
    "load_unload": 1.0,
    "modulation_unload": 0.4,  # AMO test 737 style (ORNL-AMO AMO-Tools-Suite test cases)
    "variable_displacement": 0.4,
    "modulation": 1.0,  # not used: never unloads
    "vsd": 202.0 / 1009.0,  # AMO VFD test machine, 20 % turndown
    "start_stop": 1.0,  # not used
}


# ---------------------------------------------------------------------------
# Pressure
# ---------------------------------------------------------------------------
def atmospheric_pressure_bar_a(elevation_m: float) -> float:
    """Standard-atmosphere pressure at an elevation.

    Parameters
    ----------
    elevation_m : float
        Height above sea level [m].

    Returns
    -------
    float
        Atmospheric pressure [bar(a)].

    Notes
    -----
    :math:`p = 1.01325\\,(1 - 2.25577\\times10^{-5} h)^{5.25588}` (ISO 2533
    standard atmosphere, troposphere).

    Examples
    --------
    >>> round(atmospheric_pressure_bar_a(0.0), 5), round(atmospheric_pressure_bar_a(1000.0), 4)
    (1.01325, 0.8987)
    """
    return float(_STANDARD_ATMOSPHERE_BAR_A * (1.0 - 2.25577e-5 * elevation_m) ** 5.25588)


def pressure_power_ratio(
    pressure_bar_g, reference_pressure_bar_g, atmospheric_pressure_bar_a=_STANDARD_ATMOSPHERE_BAR_A
):
    """Compressor power at one discharge pressure relative to another.

    Parameters
    ----------
    pressure_bar_g : float or array
        New discharge pressure [bar(g)].
    reference_pressure_bar_g : float or array
        Pressure at which the power is known [bar(g)].
    atmospheric_pressure_bar_a : float
        Intake pressure [bar(a)].

    Returns
    -------
    float or array
        :math:`P_2 / P_1` [-].

    Notes
    -----
    The AMO engine's formula (``CompressedAirPressureReduction.cpp``,
    ORNL-AMO AMO-Tools-Suite), the ratio of polytropic compression works:

    .. math:: \\frac{P_2}{P_1} = \\frac{(p_2/p_a)^c - 1}{(p_1/p_a)^c - 1},
        \\quad c = 0.395/1.395

    with absolute pressures :math:`p`. 110 -> 100 psig saves 5.15 %, about
    1 % per 2 psi (AMO-Tools-Desktop ``reduce_system_air_pressure.md``).

    Examples
    --------
    >>> round(float(pressure_power_ratio(6.0, 7.0)), 4)
    0.9164
    """
    pa = atmospheric_pressure_bar_a
    c = AIR_POLYTROPIC_EXPONENT
    num = ((np.asarray(pressure_bar_g, dtype=np.float64) + pa) / pa) ** c - 1.0
    den = ((np.asarray(reference_pressure_bar_g, dtype=np.float64) + pa) / pa) ** c - 1.0
    return num / den


def full_flow_capacity_frac(pressure_band_bar: float) -> float:
    """Share of rated flow a machine still delivers at the top of its band.

    Parameters
    ----------
    pressure_band_bar : float
        Unload pressure minus load pressure [bar].

    Returns
    -------
    float
        :math:`1 - k\\,\\Delta p` with the AMO engine's capacity correction
        :math:`k` = 0.00075 per psi (:data:`CAPACITY_LOSS_PER_BAR`) [-].

    Notes
    -----
    Demand above this flow keeps a fixed-speed machine loaded without ever
    reaching its unload pressure; the system pressure then settles where the
    delivered flow equals demand, and power falls linearly to full-load
    power at rated flow (used by the band-controlled curves below).
    """
    return float(max(1.0 - CAPACITY_LOSS_PER_BAR * pressure_band_bar, 0.5))


# ---------------------------------------------------------------------------
# Part-load curves (fractions of full-load power vs fraction of rated flow)
# ---------------------------------------------------------------------------
def _clip_load(load_frac) -> np.ndarray:
    return np.clip(np.asarray(load_frac, dtype=np.float64), 0.0, 1.0)


def _full_flow_taper(
    c: np.ndarray, curve: Callable[[np.ndarray], np.ndarray], c_top: float
) -> np.ndarray:
    """Curve below ``c_top``; above it, linear to 1.0 at full flow."""
    below = curve(np.minimum(c, c_top))
    if c_top >= 1.0:
        return below
    at_top = float(curve(np.array([c_top]))[0])
    ramp = at_top + (1.0 - at_top) * (c - c_top) / (1.0 - c_top)
    return np.where(c > c_top, ramp, below)


def power_frac_start_stop(load_frac, max_power_frac=1.0, pressure_band_bar=0.0):
    """Start/stop control: the machine runs fully loaded or stops.

    Parameters
    ----------
    load_frac : float or array
        Delivered flow / rated flow [-].
    max_power_frac : float
        Power at the top of the pressure band / full-load power [-].
    pressure_band_bar : float
        Stop pressure minus start pressure [bar].

    Returns
    -------
    array
        Power / full-load power [-].

    Notes
    -----
    AMO engine (``Compressors_StartStop``): power is proportional to flow at
    the mean of full-load and maximum-pressure power,
    :math:`P/P_{fl} = C/C_{fl}\\,(1 + P_{max}/P_{fl})/2`; near full flow the
    full-flow taper of :func:`full_flow_capacity_frac` applies.

    Examples
    --------
    >>> power_frac_start_stop(np.array([0.0, 0.5, 1.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    c = _clip_load(load_frac)
    mean = (1.0 + max_power_frac) / 2.0
    return _full_flow_taper(c, lambda x: x * mean, full_flow_capacity_frac(pressure_band_bar))


def power_frac_modulation(
    load_frac, zero_flow_power_frac=0.7, full_flow_power_frac=1.0, exponent=1
):
    """Inlet modulation (or variable displacement) without unloading.

    Parameters
    ----------
    load_frac : float or array
        Delivered flow / rated flow [-].
    zero_flow_power_frac : float
        Power with the inlet fully throttled at zero flow / full-load power
        (AMO default 0.7) [-].
    full_flow_power_frac : float
        Power at full flow / full-load power [-].
    exponent : {1, 2}
        1 for throttle (inlet) modulation, 2 for variable displacement.

    Returns
    -------
    array
        Power / full-load power [-].

    Notes
    -----
    AMO engine (``Compressors_ModulationWOUnload``):
    :math:`P = P_0 + (P_{full} - P_0)\\,(C/C_{fl})^{e}`.

    Examples
    --------
    >>> power_frac_modulation(np.array([0.0, 0.5, 1.0])).round(3).tolist()
    [0.7, 0.85, 1.0]
    """
    c = _clip_load(load_frac)
    return zero_flow_power_frac + (full_flow_power_frac - zero_flow_power_frac) * c**exponent


def power_frac_vsd(
    load_frac,
    no_load_power_frac=11.2 / 174.4,
    turndown_frac=202.0 / 1009.0,
    turndown_power_frac=None,
    mid_power_frac=None,
):
    """Variable-speed (VSD) compressor.

    Parameters
    ----------
    load_frac : float or array
        Delivered flow / rated flow [-].
    no_load_power_frac : float
        Power unloaded at minimum speed / full-load power [-].
    turndown_frac : float
        Flow at minimum speed / rated flow, in (0, 1) [-].
    turndown_power_frac : float, optional
        Power at the turndown flow / full-load power; default
        :math:`0.15 + 0.85\\,t` (the line through the AMO VFD test machine) [-].
    mid_power_frac : float, optional
        Power half way between turndown and full flow / full-load power;
        default on the same line [-].

    Returns
    -------
    array
        Power / full-load power [-].

    Notes
    -----
    AMO engine VFD model (ORNL-AMO AMO-Tools-Suite test cases): below the turndown the machine
    cycles at minimum speed, modelled as linear from no-load power at zero
    flow to the turndown point; above it a quadratic through the turndown,
    mid and full-load points. The pressure is held constant, so there is no
    pressure-band term.

    Examples
    --------
    >>> power_frac_vsd(np.array([0.0, 0.2, 0.6, 1.0]), 0.0642, 0.2, 0.32, 0.66).round(4).tolist()
    [0.0642, 0.32, 0.66, 1.0]
    """
    c = _clip_load(load_frac)
    t = float(turndown_frac)
    m = (1.0 + t) / 2.0
    f_t = (
        _VSD_ZERO_FLOW_INTERCEPT + (1 - _VSD_ZERO_FLOW_INTERCEPT) * t
        if turndown_power_frac is None
        else turndown_power_frac
    )
    f_m = (
        _VSD_ZERO_FLOW_INTERCEPT + (1 - _VSD_ZERO_FLOW_INTERCEPT) * m
        if mid_power_frac is None
        else mid_power_frac
    )
    if t >= 1.0:
        return no_load_power_frac + (1.0 - no_load_power_frac) * c
    # Lagrange quadratic through (t, f_t), (m, f_m), (1, 1)
    quad = (
        f_t * (c - m) * (c - 1.0) / ((t - m) * (t - 1.0))
        + f_m * (c - t) * (c - 1.0) / ((m - t) * (m - 1.0))
        + 1.0 * (c - t) * (c - m) / ((1.0 - t) * (1.0 - m))
    )
    low = no_load_power_frac + (f_t - no_load_power_frac) * c / t
    return np.where(c < t, low, quad)


def power_frac_load_unload(
    load_frac,
    *,
    no_load_power_frac: float,
    storage_min: float,
    max_power_frac: float = 1.0,
    pressure_band_bar: float = 0.7,
    atmospheric_pressure_bar_a: float = _STANDARD_ATMOSPHERE_BAR_A,
    blowdown_time_s: float = 40.0,
    unload_frac: float = 1.0,
    modulation_power_frac: float = 0.7,
    modulation_range_bar: float = 20.0 / 14.503774,
    modulation_exponent: int = 1,
    full_flow_band_bar: float | None = None,
):
    """Load/unload cycling, alone or below a modulation range.

    Parameters
    ----------
    load_frac : float or array
        Delivered flow / rated flow [-].
    no_load_power_frac : float
        Power fully unloaded (sump blown down) / full-load power [-].
    storage_min : float
        Effective receiver volume / rated flow [m³ per m³/min = min];
        1 gal/cfm = 0.1337 min.
    max_power_frac : float
        Power at full flow at the unload (maximum) pressure / full-load power [-].
    pressure_band_bar : float
        Unload (maximum full-flow) pressure minus load pressure [bar].
    atmospheric_pressure_bar_a : float
        Intake pressure [bar(a)].
    blowdown_time_s : float
        Time for the sump to blow down to no-load power [s].
    unload_frac : float
        Flow / rated flow at which the machine unloads: 1 for load/unload;
        the turndown for modulation or variable displacement with unloading [-].
    modulation_power_frac : float
        Power at zero flow fully modulated / power at maximum pressure (AMO
        ``noLoadPowerFM``); only with ``unload_frac < 1`` [-].
    modulation_range_bar : float
        Pressure rise over which the machine modulates from full flow to zero
        (AMO ``P_mod``) [bar].
    modulation_exponent : {1, 2}
        1 for inlet modulation, 2 for variable displacement.
    full_flow_band_bar : float, optional
        Pressure band that sets the full-flow taper
        (:func:`full_flow_capacity_frac`); default ``pressure_band_bar``.
        A modulating machine cycles with no load/unload band but still
        tapers to full-load power at rated flow [bar].

    Returns
    -------
    array
        Power / full-load power [-].

    Notes
    -----
    The AMO engine's load/unload cycle (``Compressors_LoadUnload::CurveFit``,
    ORNL-AMO AMO-Tools-Suite), re-derived with the receiver storage
    :math:`s = V/C_{fl}` [min], load fraction :math:`c`, atmospheric pressure
    :math:`p_a`, load pressure :math:`p_{fl}`, unload pressure
    :math:`p_{ul} = p_{fl} + \\Delta p + (1 - c_{ul})\\,p_{mod}`:

    1. *Drawdown* (no delivery) from :math:`p_{ul}` to :math:`p_{fl}`:
       :math:`t_{dd} = 60 s (p_{ul} - p_{fl}) / (c\\,p_a)`. During the first
       :math:`t_{bd} = \\min(t_{blowdown}, t_{dd})` power decays
       exponentially from :math:`0.92 P_{ul}` to no-load power with time
       constant :math:`t_{blowdown}/\\ln 50`; the rest runs at no-load power.
    2. *Reload* for :math:`t_{rl} = 3\\,\\mathrm{s}` times the share of the
       sump blowdown completed, at the mean of the power at the end of
       blowdown and full-load power.
    3. *Pump-up* at full flow from :math:`p_{fl}` (less the pressure lost
       during reload) to the band top :math:`p_{fl} + \\Delta p`:
       :math:`t_{pu} = 60 s (\\Delta p + \\delta p_{rl}) / (p_a (1 - c))`, at
       the mean of full-load and maximum-pressure power.
    4. With unloading below a modulation range (:math:`c_{ul} < 1`):
       *modulation* from full flow to :math:`c_{ul}` while the pressure rises
       by :math:`(1 - c_{ul}) p_{mod}`; the flow fraction relaxes as
       :math:`x(t) = c + (1-c) e^{-t/\\tau}`, :math:`\\tau = 60 s\\,p_{mod}/p_a`,
       for :math:`t_m = \\tau \\ln((1-c)/(c_{ul}-c))`, and the power
       :math:`P_{mm} + (P_{max}-P_{mm})\\,x^e` is averaged exactly.

    The cycle power is the energy over the cycle divided by its duration.
    At and above :math:`c_{ul}` the machine modulates steadily. Differences
    from the engine: exact cycle averages instead of a 4th-order polynomial
    fitted to 76 sampled points, the reload-time normalisation, and the
    full-flow taper (:func:`full_flow_capacity_frac`) in place of the
    engine's special case at exactly 100 %.

    References
    ----------
    .. [1] ORNL-AMO/AMO-Tools-Suite, ``src/calculator/util/Compressors.cpp``
       (commit 15208321994df88e18db1180d67e061406d85172), DOE MEASUR.

    Examples
    --------
    >>> f = power_frac_load_unload([0.0, 0.5, 1.0], no_load_power_frac=0.206,
    ...                            storage_min=0.1337, max_power_frac=1.055)
    >>> f.round(2).tolist()
    [0.21, 0.85, 1.0]
    """
    c = _clip_load(load_frac)
    pa = float(atmospheric_pressure_bar_a)
    s = max(float(storage_min), 1e-6)
    band = float(pressure_band_bar)
    c_ul = float(unload_frac)
    e = int(modulation_exponent)
    f_nl = float(no_load_power_frac)
    f_max = float(max_power_frac)
    f_mm = modulation_power_frac * f_max if c_ul < 1.0 else _UNLOAD_START_POWER_FRAC * f_max
    f_ul = f_mm + (f_max - f_mm) * c_ul**e if c_ul < 1.0 else f_max
    p_mod = float(modulation_range_bar)
    dp_unload = band + (1.0 - c_ul) * p_mod
    settle = np.log(1.0 / _SETTLING_TOLERANCE)
    tau_bd = float(blowdown_time_s) / settle
    tau_sd = _SHUTDOWN_TIME_S / settle

    def modulating(x: np.ndarray) -> np.ndarray:
        return f_mm + (f_max - f_mm) * x**e

    def cycling(x: np.ndarray) -> np.ndarray:
        xs = np.clip(x, 1e-9, min(c_ul, 1.0) - 1e-9)
        t_dd = 60.0 * s * dp_unload / (xs * pa)
        t_bd = np.minimum(float(blowdown_time_s), t_dd)
        f_start = f_mm + (f_ul - f_mm) * np.exp(-t_bd / tau_sd)
        decay = np.exp(-t_bd / tau_bd)
        e_bd = t_bd * f_nl + (f_start - f_nl) * tau_bd * (1.0 - decay)
        e_ol = (t_dd - t_bd) * f_nl
        f_end_bd = f_nl + (f_start - f_nl) * decay
        t_rl = _RELOAD_TIME_S * (1.0 - decay) / (1.0 - _SETTLING_TOLERANCE)
        e_rl = t_rl * (f_end_bd + 1.0) / 2.0
        dp_rl = pa * xs * t_rl / (60.0 * s)
        t_pu = 60.0 * s * (band + dp_rl) / (pa * (1.0 - xs))
        e_pu = t_pu * (1.0 + f_max) / 2.0
        if c_ul < 1.0:
            tau_m = 60.0 * s * p_mod / pa
            t_m = tau_m * np.log((1.0 - xs) / (c_ul - xs))
            if e == 1:
                integral = xs * t_m + tau_m * (1.0 - c_ul)
            else:
                g = (c_ul - xs) / (1.0 - xs)
                integral = (
                    xs**2 * t_m
                    + 2.0 * xs * tau_m * (1.0 - c_ul)
                    + (1.0 - xs) ** 2 * tau_m / 2.0 * (1.0 - g**2)
                )
            e_m = f_mm * t_m + (f_max - f_mm) * integral
        else:
            t_m = 0.0
            e_m = 0.0
        power = (e_bd + e_ol + e_rl + e_pu + e_m) / (t_dd + t_rl + t_pu + t_m)
        return np.where(x <= 0.0, f_nl, power)

    def curve(x: np.ndarray) -> np.ndarray:
        if c_ul < 1.0:
            return np.where(x >= c_ul, modulating(x), cycling(x))
        return cycling(x)

    taper_band = band if full_flow_band_bar is None else float(full_flow_band_bar)
    return _full_flow_taper(c, curve, full_flow_capacity_frac(taper_band))


# ---------------------------------------------------------------------------
# One compressor: parameters and the power it draws
# ---------------------------------------------------------------------------
class CompressorParams(BaseModel):
    """Nameplate and control data of one compressor (a row of the compressor room).

    Flows are free air delivery per ISO 1217 at the rated discharge
    pressure; powers are package electric input.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        description="Name of the compressor, unique within its air system.",
        pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$",
        max_length=64,
    )
    control: ControlType = Field(
        description="Capacity control: 'load_unload', 'modulation' (inlet modulation without "
        "unloading), 'modulation_unload' (inlet modulation, unloads at the turndown), "
        "'variable_displacement' (unloads at the turndown), 'vsd' or 'start_stop'.",
    )
    rated_flow_m3_per_min: float = Field(
        gt=0,
        allow_inf_nan=False,
        description="Free air delivery at full load and rated discharge pressure (ISO 1217) [m³/min].",
    )
    rated_power_kw: float = Field(
        gt=0,
        allow_inf_nan=False,
        description="Package electric input at full load and rated discharge pressure [kW].",
    )
    no_load_power_kw: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="Electric input unloaded (blown down), at minimum speed unloaded (vsd), or "
        "fully throttled at zero flow ('modulation') [kW]; default by control: 25 % of rated "
        "(AMO doc: screws 25-35 %), 70 % for 'modulation' (AMO noLoadPowerFM), 6.4 % for "
        "'vsd' (AMO VFD test machine), 0 for 'start_stop'.",
    )
    turndown_frac: float | None = Field(
        default=None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="Flow / rated flow below which the machine stops modulating and cycles: "
        "the unload point of 'modulation_unload' and 'variable_displacement' (default 0.4), "
        "the minimum-speed flow of 'vsd' (default 0.2); 'load_unload' unloads at 1.0 [-].",
    )
    discharge_pressure_bar_g: float = Field(
        default=7.0,
        gt=0,
        le=40,
        allow_inf_nan=False,
        description="Rated (full-load) discharge pressure of the datasheet [bar(g)].",
    )
    pressure_band_bar: float = Field(
        default=0.7,
        ge=0,
        le=5,
        allow_inf_nan=False,
        description="Unload minus load pressure (fixed-speed machines) [bar]; default 10 psi "
        "as the AMO test machine (100/110 psig).",
    )
    max_power_kw: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Electric input at full flow at the top of the pressure band [kW]; "
        "default from rated_power_kw by the AMO pressure formula.",
    )
    modulation_power_frac: float = Field(
        default=0.7,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="'modulation_unload'/'variable_displacement': power fully modulated at "
        "zero flow / power at the top of the band (AMO noLoadPowerFM, default 0.7) [-].",
    )
    modulation_range_bar: float = Field(
        default=20.0 / 14.503774,
        gt=0,
        le=5,
        allow_inf_nan=False,
        description="Pressure rise over which a modulating machine goes from full to zero "
        "flow (AMO P_mod, default 20 psi) [bar].",
    )
    blowdown_time_s: float = Field(
        default=40.0,
        gt=0,
        le=600,
        allow_inf_nan=False,
        description="Sump blowdown time after unloading (AMO test machine: 40 s) [s].",
    )
    vsd_turndown_power_kw: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="'vsd': electric input at the turndown flow [kW]; default on the line "
        "P = (0.15 + 0.85 C/C_rated) P_rated of the AMO VFD test machine.",
    )
    vsd_mid_power_kw: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="'vsd': electric input half way between turndown and rated flow [kW]; "
        "default on the same line.",
    )
    priority: int = Field(
        default=0,
        description="Loading order: lower loads first (ties keep the list order).",
    )
    enabled: bool = Field(default=True, description="False takes the machine out of service.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.no_load_power_kw is not None and self.no_load_power_kw > self.rated_power_kw:
            msg = (
                f"no_load_power_kw: expected <= rated_power_kw ({self.rated_power_kw}), got "
                f"{self.no_load_power_kw}; no-load power cannot exceed full-load power"
            )
            raise ValueError(msg)
        if self.max_power_kw is not None and self.max_power_kw < self.rated_power_kw:
            msg = (
                f"max_power_kw: expected >= rated_power_kw ({self.rated_power_kw}), got "
                f"{self.max_power_kw}; power at the top of the band is at least full-load power"
            )
            raise ValueError(msg)
        if self.control == "vsd" and self.turndown_frac is not None and self.turndown_frac >= 1.0:
            msg = "turndown_frac: expected < 1 for a 'vsd' compressor (minimum-speed flow), got 1.0"
            raise ValueError(msg)
        for field in ("vsd_turndown_power_kw", "vsd_mid_power_kw"):
            value = getattr(self, field)
            if value is not None and self.control != "vsd":
                msg = f"{field}: only for control = 'vsd', got control = {self.control!r}"
                raise ValueError(msg)
            if value is not None and not self.no_load_kw <= value <= self.rated_power_kw:
                msg = (
                    f"{field}: expected between no-load ({self.no_load_kw:g}) and rated power "
                    f"({self.rated_power_kw:g}) kW, got {value}"
                )
                raise ValueError(msg)
        return self

    @property
    def no_load_kw(self) -> float:
        """No-load power, the control type's default when not given [kW]."""
        if self.no_load_power_kw is not None:
            return self.no_load_power_kw
        return _DEFAULT_NO_LOAD_FRAC[self.control] * self.rated_power_kw

    @property
    def turndown(self) -> float:
        """Turndown flow fraction, the control type's default when not given [-]."""
        return (
            self.turndown_frac
            if self.turndown_frac is not None
            else _DEFAULT_TURNDOWN[self.control]
        )

    def max_power(self, atmospheric_pressure_bar_a: float = _STANDARD_ATMOSPHERE_BAR_A) -> float:
        """Power at full flow at the top of the pressure band [kW]."""
        if self.max_power_kw is not None:
            return self.max_power_kw
        p = self.discharge_pressure_bar_g
        ratio = pressure_power_ratio(p + self.pressure_band_bar, p, atmospheric_pressure_bar_a)
        return float(self.rated_power_kw * ratio)


def _curve_load_unload(c, p: CompressorParams, storage_min: float, pa: float):
    return power_frac_load_unload(
        c,
        no_load_power_frac=p.no_load_kw / p.rated_power_kw,
        storage_min=storage_min,
        max_power_frac=p.max_power(pa) / p.rated_power_kw,
        pressure_band_bar=p.pressure_band_bar,
        atmospheric_pressure_bar_a=pa,
        blowdown_time_s=p.blowdown_time_s,
    )


def _curve_modulation_unload(exponent: int):
    # A modulating machine that unloads below its turndown reloads at its
    # full-load pressure: the modulation range is its only pressure band, so
    # the cycle has no separate load/unload band. This is how the AMO engine
    # treats these controls; it reproduces both the engine's unit tests
    # (cases 737, 728) and the MEASUR curves in compressor_part_load_amo.csv
    # within 0.6 percentage points below the unload point.
    def curve(c, p: CompressorParams, storage_min: float, pa: float):
        return power_frac_load_unload(
            c,
            no_load_power_frac=p.no_load_kw / p.rated_power_kw,
            storage_min=storage_min,
            max_power_frac=p.max_power(pa) / p.rated_power_kw,
            pressure_band_bar=0.0,
            full_flow_band_bar=p.pressure_band_bar,
            atmospheric_pressure_bar_a=pa,
            blowdown_time_s=p.blowdown_time_s,
            unload_frac=p.turndown,
            modulation_power_frac=p.modulation_power_frac,
            modulation_range_bar=p.modulation_range_bar,
            modulation_exponent=exponent,
        )

    return curve


def _curve_modulation(c, p: CompressorParams, storage_min: float, pa: float):
    return power_frac_modulation(c, p.no_load_kw / p.rated_power_kw, 1.0, 1)


def _curve_vsd(c, p: CompressorParams, storage_min: float, pa: float):
    rated = p.rated_power_kw
    return power_frac_vsd(
        c,
        p.no_load_kw / rated,
        p.turndown,
        None if p.vsd_turndown_power_kw is None else p.vsd_turndown_power_kw / rated,
        None if p.vsd_mid_power_kw is None else p.vsd_mid_power_kw / rated,
    )


def _curve_start_stop(c, p: CompressorParams, storage_min: float, pa: float):
    return power_frac_start_stop(c, p.max_power(pa) / p.rated_power_kw, p.pressure_band_bar)


_PART_LOAD_CURVES: dict[str, Callable[..., np.ndarray]] = {
    "load_unload": _curve_load_unload,
    "modulation": _curve_modulation,
    "modulation_unload": _curve_modulation_unload(1),
    "variable_displacement": _curve_modulation_unload(2),
    "vsd": _curve_vsd,
    "start_stop": _curve_start_stop,
}
"""Control type -> part-load curve (a registry, not an if/elif chain)."""


def compressor_power_kw(
    params: CompressorParams,
    flow_m3_per_min,
    *,
    receiver_volume_m3: float,
    load_pressure_bar_g=None,
    atmospheric_pressure_bar_a: float = _STANDARD_ATMOSPHERE_BAR_A,
) -> np.ndarray:
    """Electric input of one compressor delivering a flow.

    Parameters
    ----------
    params : CompressorParams
    flow_m3_per_min : float or array
        Delivered free air, within ``[0, rated_flow_m3_per_min]``; zero means
        the machine is off [m³/min].
    receiver_volume_m3 : float
        Storage the machine cycles against (receiver and piping) [m³].
    load_pressure_bar_g : float or array, optional
        Operating load (cut-in) pressure; default the rated discharge
        pressure. Power scales by :func:`pressure_power_ratio` [bar(g)].
    atmospheric_pressure_bar_a : float
        Intake pressure [bar(a)].

    Returns
    -------
    array
        Mean electric input per step, 0 where the flow is 0 [kW].
    """
    q = np.asarray(flow_m3_per_min, dtype=np.float64)
    c = np.clip(q / params.rated_flow_m3_per_min, 0.0, 1.0)
    storage_min = receiver_volume_m3 / params.rated_flow_m3_per_min
    frac = _PART_LOAD_CURVES[params.control](c, params, storage_min, atmospheric_pressure_bar_a)
    if load_pressure_bar_g is None:
        scale = 1.0
    else:
        scale = pressure_power_ratio(
            load_pressure_bar_g, params.discharge_pressure_bar_g, atmospheric_pressure_bar_a
        )
    return np.where(q > 0.0, frac * params.rated_power_kw * scale, 0.0)
