"""Electric chillers: how much electricity does a chiller plant take to serve a cooling load?

The model is EnergyPlus's ``Chiller:Electric:EIR`` (the DOE-2.1 chiller
model). For one chiller with reference capacity Q_ref and reference COP
COP_ref, at leaving chilled-water temperature x and entering condenser
temperature y [°C]:

- available capacity  Q_avail = Q_ref · CAPFT(x, y)
- part-load ratio     PLR = Q_load / Q_avail
- electric power      P = Q_avail / COP_ref · EIRFT(x, y) · EIRFPLR(PLR') · FRAC

with CAPFT and EIRFT biquadratic and EIRFPLR quadratic curves, whose inputs
are clamped to the curves' ranges as EnergyPlus's curve manager does. Below
the minimum part-load ratio the chiller cycles on and off,
FRAC = min(1, PLR / PLR_min); below the minimum unloading ratio it false-
loads (hot-gas bypass), PLR' = max(PLR, PLR_unload) (EnergyPlus Engineering
Reference, "Electric Chiller Model Based on Condenser Entering
Temperature"; ``ChillerElectricEIR.cc``). The condenser rejects P + Q_load
+ the false load.

Several identical chillers are staged by load: the fewest that can carry
the load run, sharing it equally. Condenser side, simply: a water-cooled
chiller sees the tower's water at wet-bulb + approach (never below a
minimum the tower fans hold), an air-cooled one the outdoor dry-bulb or,
with evaporative pre-cooling of its condenser air, T_db - ε (T_db - T_wb)
(EnergyPlus ``EvaporativelyCooled`` condensers). Pumps and heat-rejection
fans take a fixed kW per kW of cooling or of heat rejected. Free cooling
(water-side economiser): when the tower (or dry cooler) water is cold
enough it cools the chilled-water return through a heat exchanger, fully
below the supply temperature and partly (pre-cooling the return) up to the
return temperature; the chillers take the rest.

The coefficient sets in :data:`CHILLER_CURVES` are those of EnergyPlus's
``datasets/Chillers.idf`` (CoolTools data 1991-2001), tabulated
in ``tests/data/chiller_eir_curves_energyplus.csv``.

References
----------
.. [1] U.S. DOE, EnergyPlus Engineering Reference, "Chillers - Electric
   Chiller Model Based on Condenser Entering Temperature"
   (Chiller:Electric:EIR); source ``src/EnergyPlus/ChillerElectricEIR.cc``
   (github.com/NREL/EnergyPlus).
.. [2] NREL/EnergyPlus, ``datasets/Chillers.idf`` (commit 073d9a9098ab).
.. [3] M. Hydeman, K. Gillespie, "Tools and techniques to calibrate
   electric chiller component models", ASHRAE Transactions 108(1), 2002.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.hvac_psychrometrics import pressure_from_elevation_pa, wet_bulb_temp_c

from twin.carriers import CHILLED_WATER, ELECTRICITY
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Output,
    Port,
    Role,
    RunContext,
    Stage,
    output,
    register_component,
)
from twin.timegrid import TimeGrid, hourly_if_held

__all__ = [
    "CHILLER_CURVES",
    "IPLV_ENTERING_CONDENSER_C",
    "IPLV_WEIGHTS",
    "Chiller",
    "ChillerCurveSet",
    "ChillerParams",
    "biquadratic",
    "chiller_eir_power_kw",
    "condenser_entering_temp_c",
    "free_cooling_kw",
    "integrated_part_load_value",
    "quadratic",
    "stage_units",
    "wet_bulb_from_weather_c",
]


@dataclass(frozen=True)
class ChillerCurveSet:
    """One Chiller:Electric:EIR performance curve set.

    Attributes
    ----------
    description : str
    cop_ref : float
        Reference COP [-].
    lchwt_ref_c, ecwt_ref_c : float
        Reference leaving chilled-water and entering condenser temperature [°C].
    capft, eirft : tuple of 6 floats
        Biquadratic coefficients c1..c6 of f = c1 + c2 x + c3 x² + c4 y + c5 y² + c6 x y.
    eirfplr : tuple of 3 or 4 floats
        Coefficients of f = c1 + c2 PLR + c3 PLR² (+ c4 PLR³): an EnergyPlus
        ``Curve:Quadratic`` or ``Curve:Cubic``.
    x_range_c, y_range_c : tuple of 2 floats
        Validity (and clamping) range of x and y of CAPFT, and of EIRFT
        unless given separately [°C].
    plr_range : tuple of 2 floats
        Validity (and clamping) range of the PLR of EIRFPLR [-].
    min_plr_frac, max_plr_frac, min_unload_frac : float
        Minimum and maximum part-load ratio and minimum unloading ratio of
        the dataset's ``Chiller:Electric:EIR`` object [-].
    eirft_x_range_c, eirft_y_range_c : tuple of 2 floats, optional
        EIRFT's own clamping ranges of x and y where they differ from
        CAPFT's (EnergyPlus clamps each curve to its own limits) [°C].
    """

    description: str
    cop_ref: float
    lchwt_ref_c: float
    ecwt_ref_c: float
    capft: tuple[float, float, float, float, float, float]
    eirft: tuple[float, float, float, float, float, float]
    eirfplr: tuple[float, ...]
    x_range_c: tuple[float, float]
    y_range_c: tuple[float, float]
    plr_range: tuple[float, float] = (0.0, 1.0)
    min_plr_frac: float = 0.1
    max_plr_frac: float = 1.0
    min_unload_frac: float = 0.2
    eirft_x_range_c: tuple[float, float] | None = None
    eirft_y_range_c: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if len(self.eirfplr) not in (3, 4):
            msg = (
                f"chiller curve set {self.description!r}: EIRFPLR has {len(self.eirfplr)} "
                "coefficients; expected 3 (quadratic) or 4 (cubic)"
            )
            raise ValueError(msg)


CHILLER_CURVES: Mapping[str, ChillerCurveSet] = {
    "doe2_centrifugal": ChillerCurveSet(
        "DOE-2 Centrifugal/5.50COP: generic centrifugal (DOE-2.1E HERM/OPEN-CENT)",
        5.5,
        6.67,
        29.4,
        (0.257896, 0.0389016, -0.00021708, 0.0468684, -0.00094284, -0.00034344),
        (0.933884, -0.058212, 0.00450036, 0.00243, 0.000486, -0.001215),
        (0.222903, 0.313387, 0.46371),
        (5.0, 10.0),
        (24.0, 35.0),
    ),
    "doe2_reciprocating": ChillerCurveSet(
        "DOE-2 Reciprocating/3.67COP: generic reciprocating (DOE-2.1E REC)",
        3.67,
        6.67,
        29.4,
        (0.507883, 0.145228, -0.00625644, -0.0011178, -0.0001296, -0.00028188),
        (1.03076, -0.103536, 0.00710208, 0.0093186, 0.00031752, -0.00104328),
        (0.088065, 1.137742, -0.225806),
        (5.0, 10.0),
        (24.0, 35.0),
    ),
    "trane_rtwa_screw": ChillerCurveSet(
        "ElectricEIRChiller Trane RTWA 383kW/4.17COP/Valve: water-cooled screw, slide valve",
        4.17,
        6.67,
        29.44,
        (0.9830684, 0.03676199, 5.307995e-05, -0.004828624, -4.755963e-05, -0.0002377982),
        (0.6228513, -0.008700783, 0.0009719796, 0.005184584, 0.0004951699, -0.000963237),
        (0.03295553, 0.9114398, 0.05565265),
        (4.44, 8.89),
        (23.89, 35.0),
        (0.25, 1.01),
        min_plr_frac=0.25,
        max_plr_frac=1.01,
        min_unload_frac=0.25,
    ),
    "york_yk_centrifugal": ChillerCurveSet(
        "ElectricEIRChiller York YK 5170kW/7.15COP/Vanes: water-cooled centrifugal, inlet vanes",
        7.15,
        6.67,
        26.11,
        (0.1675697, -0.1191228, -0.004328384, 0.1355905, -0.005171251, 0.0103984),
        (0.5894383, -0.0292653, -0.001900238, 0.02849479, -0.0005105015, 0.001702334),
        (0.2497273, 0.1011288, 0.6499847),
        (4.44, 8.89),
        (15.56, 29.44),
        (0.15, 1.08),
        min_plr_frac=0.15,
        max_plr_frac=1.08,
        min_unload_frac=0.15,
    ),
}
"""Curve set name -> :class:`ChillerCurveSet`, from EnergyPlus
``datasets/Chillers.idf`` via ``chiller_eir_curves_energyplus.csv``. The
minimum / maximum part-load and minimum unloading ratios are those of each
dataset object (DOE-2 sets 0.1 / 1.0 / 0.2, Trane RTWA 0.25 / 1.01 / 0.25,
York YK 0.15 / 1.08 / 0.15), as reproduced in Modelica Buildings'
``Buildings.Fluid.Chillers.Data.ElectricEIR`` records."""


# -- pure physics --------------------------------------------------------------


def biquadratic(coefficients, x, y) -> np.ndarray:
    """EnergyPlus ``Curve:Biquadratic``: c1 + c2 x + c3 x² + c4 y + c5 y² + c6 x y.

    Examples
    --------
    >>> round(float(biquadratic(CHILLER_CURVES["doe2_centrifugal"].capft, 6.67, 29.4)), 6)
    1.003342
    """
    c1, c2, c3, c4, c5, c6 = coefficients
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return c1 + c2 * x + c3 * x * x + c4 * y + c5 * y * y + c6 * x * y


def quadratic(coefficients, x) -> np.ndarray:
    """EnergyPlus ``Curve:Quadratic`` c1 + c2 x + c3 x², or ``Curve:Cubic``
    c1 + c2 x + c3 x² + c4 x³ when four coefficients are given."""
    x = np.asarray(x, dtype=np.float64)
    value = np.zeros_like(x)
    for c in reversed(tuple(coefficients)):
        value = value * x + c
    return value


def chiller_eir_power_kw(
    load_kw: float | np.ndarray,
    lchwt_c: float | np.ndarray,
    ecwt_c: float | np.ndarray,
    *,
    rated_capacity_kw: float,
    rated_cop: float,
    curves: ChillerCurveSet,
    min_plr_frac: float = 0.1,
    min_unload_frac: float = 0.2,
    max_plr_frac: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Electric power of one chiller by the EnergyPlus Chiller:Electric:EIR model.

    Parameters
    ----------
    load_kw : float or array
        Cooling asked of this chiller, >= 0 [kW].
    lchwt_c : float or array
        Leaving chilled-water temperature x [°C].
    ecwt_c : float or array
        Entering condenser water (or air) temperature y [°C].
    rated_capacity_kw : float
        Reference capacity Q_ref [kW].
    rated_cop : float
        Reference COP, > 0 [-].
    curves : ChillerCurveSet
        CAPFT, EIRFT, EIRFPLR and their ranges.
    min_plr_frac, min_unload_frac, max_plr_frac : float
        Minimum part-load ratio (cycling below), minimum unloading ratio
        (false loading below) and maximum part-load ratio (EnergyPlus
        defaults 0.1, 0.2 and 1.0) [-].

    Returns
    -------
    power_kw : array
        Compressor electric power [kW].
    cooling_kw : array
        Cooling delivered, min(load, Q_avail · PLR_max) [kW].
    plr : array
        Part-load ratio before false loading [-].
    heat_rejected_kw : array
        Condenser heat, P + cooling + false load [kW].

    Notes
    -----
    .. math::

        Q_{avail} = Q_{ref}\\,CAPFT(x, y), \\quad PLR = \\min(Q/Q_{avail}, PLR_{max})

        FRAC = \\min(1, PLR/PLR_{min}), \\quad PLR' = \\max(PLR, PLR_{unload})

        P = \\frac{Q_{avail}}{COP_{ref}}\\,EIRFT(x, y)\\,EIRFPLR(PLR')\\,FRAC

    with x, y and PLR' clamped to each curve's range.

    Examples
    --------
    At the reference point and full load, P = Q_ref·CAPFT/COP_ref·EIRFT·EIRFPLR(1):

    >>> p, q, plr, rej = chiller_eir_power_kw(
    ...     1000.0, 6.67, 29.4, rated_capacity_kw=1000.0, rated_cop=5.5,
    ...     curves=CHILLER_CURVES["doe2_centrifugal"])
    >>> round(float(p), 2), round(float(q), 2)
    (181.51, 1000.0)
    """
    c = curves
    lchwt = np.asarray(lchwt_c, dtype=np.float64)
    ecwt = np.asarray(ecwt_c, dtype=np.float64)
    x = np.clip(lchwt, *c.x_range_c)
    y = np.clip(ecwt, *c.y_range_c)
    xe = x if c.eirft_x_range_c is None else np.clip(lchwt, *c.eirft_x_range_c)
    ye = y if c.eirft_y_range_c is None else np.clip(ecwt, *c.eirft_y_range_c)
    load = np.maximum(np.asarray(load_kw, dtype=np.float64), 0.0)
    available = rated_capacity_kw * np.maximum(biquadratic(c.capft, x, y), 0.0)
    plr = np.minimum(
        np.divide(load, available, out=np.zeros_like(load * available), where=available > 0.0),
        max_plr_frac,
    )
    cooling = np.minimum(load, available * max_plr_frac)
    frac = np.minimum(1.0, plr / min_plr_frac) if min_plr_frac > 0.0 else np.ones_like(plr)
    plr_eff = np.where(available > 0.0, np.maximum(plr, min_unload_frac), 0.0)
    eirfplr = np.maximum(quadratic(c.eirfplr, np.clip(plr_eff, *c.plr_range)), 0.0)
    eirft = np.maximum(biquadratic(c.eirft, xe, ye), 0.0)
    on = cooling > 0.0
    power = np.where(on, available / rated_cop * eirft * eirfplr * frac, 0.0)
    false_load = np.where(on, np.maximum(available * plr_eff * frac - cooling, 0.0), 0.0)
    return power, cooling, plr, power + cooling + false_load


IPLV_WEIGHTS: tuple[float, float, float, float] = (0.01, 0.42, 0.45, 0.12)
"""Weights of the COP at 100, 75, 50 and 25 % load in the integrated part-load
value, IPLV = 0.01 A + 0.42 B + 0.45 C + 0.12 D (AHRI 550/590 and its SI
edition AHRI 551/591, section 5.4) [-]."""

IPLV_ENTERING_CONDENSER_C: Mapping[str, tuple[float, float, float, float]] = {
    "water_cooled": (30.0, 24.5, 19.0, 19.0),
    "air_cooled": (35.0, 27.0, 19.0, 13.0),
}
"""Entering condenser water (water-cooled) or air (air-cooled) temperature at
100, 75, 50 and 25 % load for the IPLV (AHRI 551/591 SI part-load conditions,
as EnergyPlus ``StandardRatings::CalcChillerIPLV`` uses them) [°C]."""


def integrated_part_load_value(
    curves: ChillerCurveSet,
    *,
    rated_capacity_kw: float,
    rated_cop: float,
    condenser: Literal["water_cooled", "air_cooled"] = "water_cooled",
    min_unload_frac: float | None = None,
    lchwt_c: float = 6.67,
) -> float:
    """Integrated part-load value of one chiller by AHRI 550/590 [W/W].

    Parameters
    ----------
    curves : ChillerCurveSet
        The chiller's curves.
    rated_capacity_kw : float
        Reference capacity Q_ref, the 100 % load [kW].
    rated_cop : float
        Reference COP [-].
    condenser : {"water_cooled", "air_cooled"}
        Which part-load condenser temperatures apply
        (:data:`IPLV_ENTERING_CONDENSER_C`).
    min_unload_frac : float, optional
        Minimum unloading ratio; default the curve set's [-].
    lchwt_c : float, default 6.67
        Leaving chilled-water temperature (44 °F) [°C].

    Returns
    -------
    float
        IPLV = Σ w_i COP_i with :data:`IPLV_WEIGHTS` [W/W].

    Notes
    -----
    At each point the load is the share of Q_ref and the chiller runs as in
    :func:`chiller_eir_power_kw` at that condenser temperature (PLR = load /
    Q_avail). Where the PLR falls below the minimum unloading ratio the
    chiller is rated at that ratio with AHRI's cycling degradation,
    COP = 1/(C_D · EIR), C_D = 1.13 - 0.13 LF, LF = load/(PLR_unload · Q_avail).

    Examples
    --------
    >>> round(integrated_part_load_value(CHILLER_CURVES["doe2_centrifugal"],
    ...     rated_capacity_kw=1000.0, rated_cop=5.5), 2)
    6.08
    """
    unload = curves.min_unload_frac if min_unload_frac is None else min_unload_frac
    temps = IPLV_ENTERING_CONDENSER_C[condenser]
    iplv = 0.0
    for weight, share, ecwt in zip(IPLV_WEIGHTS, (1.0, 0.75, 0.5, 0.25), temps, strict=True):
        load = share * rated_capacity_kw
        kwargs = {
            "rated_capacity_kw": rated_capacity_kw,
            "rated_cop": rated_cop,
            "curves": curves,
            "min_plr_frac": 0.0,
            "min_unload_frac": 0.0,
            "max_plr_frac": max(curves.max_plr_frac, 1.0),
        }
        power, cooling, plr, _ = chiller_eir_power_kw(load, lchwt_c, ecwt, **kwargs)
        if float(plr) >= unload:
            cop = float(cooling) / float(power)
        else:
            available = float(cooling) / float(plr)
            rated_at = unload * available
            power_unload, *_ = chiller_eir_power_kw(rated_at, lchwt_c, ecwt, **kwargs)
            eir = float(power_unload) / rated_at
            load_factor = load / rated_at
            cop = 1.0 / ((1.13 - 0.13 * load_factor) * eir)
        iplv += weight * cop
    return iplv


def stage_units(
    load_kw: np.ndarray, unit_capacity_kw: np.ndarray, units: int
) -> tuple[np.ndarray, np.ndarray]:
    """Number of identical units running and the load of each.

    The fewest units that can carry the load run and share it equally
    (lead/lag staging with equal loading).

    Parameters
    ----------
    load_kw : array
        Total load, >= 0 [kW].
    unit_capacity_kw : array
        Capacity of one unit per step [kW].
    units : int
        Units installed.

    Returns
    -------
    units_on : array
        Units running (float counts) [-].
    load_per_unit_kw : array
        Load of each running unit (the total load is capped at the
        capacity of all units) [kW].

    Examples
    --------
    >>> on, each = stage_units(np.array([0.0, 500.0, 1500.0, 9000.0]), np.full(4, 1000.0), 3)
    >>> on.tolist(), each.tolist()
    ([0.0, 1.0, 2.0, 3.0], [0.0, 500.0, 750.0, 1000.0])
    """
    load = np.maximum(np.asarray(load_kw, dtype=np.float64), 0.0)
    cap = np.maximum(np.asarray(unit_capacity_kw, dtype=np.float64), 0.0)
    needed = np.ceil(np.divide(load, cap, out=np.zeros_like(load), where=cap > 0.0) - 1e-9)
    units_on = np.where((load > 0.0) & (cap > 0.0), np.clip(needed, 1.0, float(units)), 0.0)
    served = np.minimum(load, units * cap)
    each = np.divide(served, units_on, out=np.zeros_like(served), where=units_on > 0.0)
    return units_on, each


def condenser_entering_temp_c(
    temp_air_c: np.ndarray,
    temp_wet_bulb_c: np.ndarray,
    condenser: str,
    *,
    tower_approach_k: float = 4.0,
    condenser_water_min_c: float = 15.0,
    evaporative_precooling_effectiveness_frac: float = 0.0,
) -> np.ndarray:
    """Temperature entering the condenser [°C].

    Parameters
    ----------
    temp_air_c, temp_wet_bulb_c : array
        Outdoor dry-bulb and wet-bulb temperature [°C].
    condenser : {"water_cooled", "air_cooled"}
        Condenser type.
    tower_approach_k : float, default 4
        Cooling tower approach: leaving water above the wet-bulb [K].
    condenser_water_min_c : float, default 15
        Lowest condenser water temperature the tower fan control allows [°C].
    evaporative_precooling_effectiveness_frac : float, default 0
        Air-cooled only: effectiveness ε of evaporative pads before the
        condenser [-].

    Returns
    -------
    array
        Water-cooled: max(T_wb + approach, minimum); air-cooled:
        T_db - ε (T_db - T_wb) [°C].
    """
    tdb = np.asarray(temp_air_c, dtype=np.float64)
    twb = np.asarray(temp_wet_bulb_c, dtype=np.float64)
    if condenser == "water_cooled":
        return np.maximum(twb + tower_approach_k, condenser_water_min_c)
    return tdb - evaporative_precooling_effectiveness_frac * (tdb - twb)


def free_cooling_kw(
    load_kw: np.ndarray,
    source_temp_c: np.ndarray,
    supply_temp_c: float,
    return_temp_c: float,
    capacity_kw: float,
) -> np.ndarray:
    """Cooling a water-side economiser provides before the chillers.

    Parameters
    ----------
    load_kw : array
        Chilled-water load [kW].
    source_temp_c : array
        Water temperature the heat exchanger receives from the tower or dry
        cooler, including its approach [°C].
    supply_temp_c, return_temp_c : float
        Chilled-water supply and return temperature [°C].
    capacity_kw : float
        Largest heat the heat exchanger and tower can move [kW].

    Returns
    -------
    array
        Free cooling, 0..min(load, capacity) [kW].

    Notes
    -----
    The economiser cools the return water from its temperature down to the
    source temperature: the share of the load it covers is
    clip((T_return - T_source)/(T_return - T_supply), 0, 1).
    """
    load = np.maximum(np.asarray(load_kw, dtype=np.float64), 0.0)
    share = np.clip(
        (return_temp_c - np.asarray(source_temp_c, dtype=np.float64))
        / (return_temp_c - supply_temp_c),
        0.0,
        1.0,
    )
    return np.minimum(load * share, capacity_kw)


def wet_bulb_from_weather_c(ctx: RunContext) -> np.ndarray:
    """Outdoor wet-bulb temperature from the run's weather [°C] (memoised, see ``RunContext.memo``).

    Uses ``temp_air_c``, ``relative_humidity_frac`` and ``pressure_pa``
    where valid, else the standard-atmosphere pressure at the site's
    elevation. Solved once per hour when the weather is held over the hour
    (:func:`twin.timegrid.hourly_if_held`), once per step otherwise.
    """

    def compute() -> np.ndarray:
        w = ctx.weather
        tdb = np.asarray(w["temp_air_c"], dtype=np.float64)
        rh = np.asarray(w.get("relative_humidity_frac", np.full(tdb.shape, 0.6)), dtype=np.float64)
        rh = np.where(np.isfinite(rh), rh, 0.6)
        default_p = pressure_from_elevation_pa(ctx.site.elevation_m)
        p = np.asarray(w.get("pressure_pa", np.full(tdb.shape, default_p)), dtype=np.float64)
        p = np.where(np.isfinite(p) & (p > 50_000.0), p, default_p)
        k = ctx.grid.steps_per_hour
        hourly = hourly_if_held(k, tdb, rh, p)
        if hourly is not None:  # weather held over the hour: solve once per hour
            return np.repeat(wet_bulb_temp_c(*hourly), k)
        return wet_bulb_temp_c(tdb, rh, p)

    return ctx.memo(("wet_bulb_temp_c",), compute)


# -- parameters ----------------------------------------------------------------

CurveName = Literal[
    "doe2_centrifugal", "doe2_reciprocating", "trane_rtwa_screw", "york_yk_centrifugal"
]


class ChillerParams(ComponentParams):
    """Parameters of a chiller plant of identical, staged electric chillers."""

    curves: CurveName | Literal["custom"] = Field(
        default="doe2_centrifugal",
        description="EnergyPlus Chillers.idf curve set, or 'custom' with the three coefficient "
        "lists and rated_cop.",
    )
    capft_coefficients: list[float] | None = Field(
        default=None,
        min_length=6,
        max_length=6,
        description="Custom CAPFT biquadratic c1..c6 (x: leaving chilled water, y: entering "
        "condenser temperature, °C).",
    )
    eirft_coefficients: list[float] | None = Field(
        default=None, min_length=6, max_length=6, description="Custom EIRFT biquadratic c1..c6."
    )
    eirfplr_coefficients: list[float] | None = Field(
        default=None,
        min_length=3,
        max_length=4,
        description="Custom EIRFPLR: quadratic c1..c3 or cubic c1..c4 in the part-load ratio "
        "(EnergyPlus Curve:Quadratic / Curve:Cubic).",
    )
    curve_lchwt_range_c: list[float] = Field(
        default_factory=lambda: [4.0, 12.0],
        min_length=2,
        max_length=2,
        description="Custom curves: clamping range of the leaving chilled-water temperature [°C].",
    )
    curve_ecwt_range_c: list[float] = Field(
        default_factory=lambda: [12.0, 40.0],
        min_length=2,
        max_length=2,
        description="Custom curves: clamping range of the entering condenser temperature [°C].",
    )
    rated_capacity_kw: float = Field(
        gt=0,
        allow_inf_nan=False,
        le=50_000.0,
        description="Reference cooling capacity of one chiller Q_ref [kW].",
    )
    rated_cop: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        le=15.0,
        description="Reference COP at the curves' reference conditions; default the curve "
        "set's (e.g. 5.5) [-].",
    )
    units: int = Field(default=1, ge=1, le=20, description="Identical chillers, staged by load.")
    leaving_chilled_water_temp_c: float = Field(
        default=7.0, ge=0, le=20.0, description="Chilled-water supply set point [°C]."
    )
    chilled_water_return_temp_c: float = Field(
        default=12.0,
        ge=1.0,
        le=30.0,
        description="Chilled-water return temperature at design (free cooling) [°C].",
    )
    condenser: Literal["water_cooled", "air_cooled"] = Field(
        default="water_cooled", description="Condenser with cooling tower, or air-cooled."
    )
    tower_approach_k: float = Field(
        default=4.0,
        ge=0.5,
        le=15.0,
        description="Cooling tower leaving water above the outdoor wet-bulb (typ. 3-6) [K].",
    )
    condenser_water_min_c: float = Field(
        default=15.0,
        ge=0,
        le=35.0,
        description="Lowest condenser water temperature the tower allows [°C].",
    )
    evaporative_precooling_effectiveness_frac: float = Field(
        default=0.0,
        ge=0,
        le=1.0,
        description="Air-cooled only: effectiveness of evaporative pre-cooling of the "
        "condenser air, T = T_db - ε (T_db - T_wb) [-].",
    )
    free_cooling: bool = Field(
        default=False,
        description="Water-side economiser: the tower (or a dry cooler) cools the chilled-water "
        "return through a heat exchanger when cold enough.",
    )
    free_cooling_approach_k: float = Field(
        default=2.0,
        ge=0,
        le=10.0,
        description="Heat exchanger approach of the free cooling [K].",
    )
    min_plr_frac: float | None = Field(
        default=None,
        ge=0,
        le=1.0,
        description="Minimum part-load ratio; below it the chiller cycles; none: the curve "
        "set's (EnergyPlus dataset object; 0.1 for custom curves) [-].",
    )
    min_unload_frac: float | None = Field(
        default=None,
        ge=0,
        le=1.0,
        description="Minimum unloading ratio; below it the chiller false-loads; none: the curve "
        "set's (0.2 for custom curves) [-].",
    )
    max_plr_frac: float | None = Field(
        default=None,
        gt=0,
        le=1.2,
        description="Maximum part-load ratio (capacity above the curve's Q_avail); none: the "
        "curve set's (1.0 for custom curves) [-].",
    )
    chilled_water_pump_kw_per_kw: float = Field(
        default=0.015,
        ge=0,
        le=0.2,
        description="Chilled-water pumps per kW of cooling delivered (typ. 0.01-0.02) [kW/kW].",
    )
    condenser_pump_kw_per_kw: float = Field(
        default=0.015,
        ge=0,
        le=0.2,
        description="Water-cooled: condenser pumps per kW of heat rejected (typ. 0.01-0.02) "
        "[kW/kW].",
    )
    heat_rejection_fan_kw_per_kw: float = Field(
        default=0.01,
        ge=0,
        le=0.2,
        description="Cooling tower or air-cooled condenser fans per kW of heat rejected "
        "(towers typ. 0.005-0.015, air-cooled condensers more) [kW/kW].",
    )
    bus: str = Field(default="chilled_water", description="CHILLED_WATER bus the chillers serve.")
    electricity_bus: str = Field(default="electricity", description="Electricity bus.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        custom = [self.capft_coefficients, self.eirft_coefficients, self.eirfplr_coefficients]
        if self.curves == "custom":
            if any(c is None for c in custom):
                msg = (
                    "curves = 'custom' needs capft_coefficients, eirft_coefficients and "
                    "eirfplr_coefficients, all required; give them or name a curve set"
                )
                raise ValueError(msg)
            if self.rated_cop is None:
                msg = "rated_cop: required with custom curves (expected > 0)"
                raise ValueError(msg)
        elif any(c is not None for c in custom):
            msg = f"give either curves = {self.curves!r} or the coefficient lists, not both"
            raise ValueError(msg)
        if self.evaporative_precooling_effectiveness_frac > 0.0 and self.condenser != "air_cooled":
            msg = (
                "evaporative_precooling_effectiveness_frac applies to air-cooled condensers; "
                "set condenser = 'air_cooled' or remove it"
            )
            raise ValueError(msg)
        if self.chilled_water_return_temp_c <= self.leaving_chilled_water_temp_c:
            msg = (
                f"chilled_water_return_temp_c = {self.chilled_water_return_temp_c} must be above "
                f"leaving_chilled_water_temp_c = {self.leaving_chilled_water_temp_c}"
            )
            raise ValueError(msg)
        if self.unload_frac < self.plr_min_frac:
            msg = (
                f"min_unload_frac = {self.unload_frac} is below min_plr_frac = "
                f"{self.plr_min_frac}; expected min_plr_frac <= min_unload_frac"
            )
            raise ValueError(msg)
        return self

    @property
    def plr_min_frac(self) -> float:
        """Minimum part-load ratio in use [-]."""
        return self.curve_set.min_plr_frac if self.min_plr_frac is None else self.min_plr_frac

    @property
    def unload_frac(self) -> float:
        """Minimum unloading ratio in use [-]."""
        return (
            self.curve_set.min_unload_frac if self.min_unload_frac is None else self.min_unload_frac
        )

    @property
    def plr_max_frac(self) -> float:
        """Maximum part-load ratio in use [-]."""
        return self.curve_set.max_plr_frac if self.max_plr_frac is None else self.max_plr_frac

    @property
    def curve_set(self) -> ChillerCurveSet:
        """The curves in use."""
        if self.curves != "custom":
            return CHILLER_CURVES[self.curves]
        return ChillerCurveSet(
            "custom",
            float(self.rated_cop),
            self.leaving_chilled_water_temp_c,
            29.4,
            tuple(self.capft_coefficients),
            tuple(self.eirft_coefficients),
            tuple(self.eirfplr_coefficients),
            tuple(self.curve_lchwt_range_c),
            tuple(self.curve_ecwt_range_c),
        )

    @property
    def cop(self) -> float:
        """Reference COP in use [-]."""
        return self.curve_set.cop_ref if self.rated_cop is None else self.rated_cop


@register_component("chiller")
class Chiller(Component):
    """Identical electric chillers (EnergyPlus Chiller:Electric:EIR), staged by load.

    Serves what is left of the chilled-water bus's demand, never more.
    Ports: ``cooling`` (CHILLED_WATER out, Role.SUPPLY) and ``el``
    (electricity in, Role.USE: compressors, pumps, fans). Outputs:
    ``compressor_power_kw``, ``pump_power_kw``, ``fan_power_kw``,
    ``free_cooling_kw``, ``heat_rejected_kw``, ``units_on_count``,
    ``part_load_frac``, ``condenser_entering_temp_c``,
    ``wet_bulb_temp_c``, ``unserved_kw`` (demand above the plant's
    capacity, left on the bus).
    """

    stage = Stage.HVAC
    Params = ChillerParams

    params: ChillerParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        return (
            Port("cooling", CHILLED_WATER, Direction.OUT, p.bus, Role.SUPPLY),
            Port("el", ELECTRICITY, Direction.IN, p.electricity_bus, Role.USE),
        )

    def outputs(self) -> tuple[Output, ...]:
        return tuple(
            output(n)
            for n in (
                "compressor_power_kw",
                "pump_power_kw",
                "fan_power_kw",
                "free_cooling_kw",
                "heat_rejected_kw",
                "units_on_count",
                "part_load_frac",
                "condenser_entering_temp_c",
                "wet_bulb_temp_c",
                "unserved_kw",
            )
        )

    @classmethod
    def example_params(cls) -> dict[str, Any]:
        return {
            "name": "chillers",
            "curves": "doe2_centrifugal",
            "rated_capacity_kw": 1000.0,
            "units": 2,
            "free_cooling": True,
        }

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        curves = p.curve_set
        demand = np.maximum(ctx.net_demand(p.bus), 0.0)
        tdb = np.asarray(ctx.weather["temp_air_c"], dtype=np.float64)
        twb = wet_bulb_from_weather_c(ctx)
        ecwt = condenser_entering_temp_c(
            tdb,
            twb,
            p.condenser,
            tower_approach_k=p.tower_approach_k,
            condenser_water_min_c=p.condenser_water_min_c,
            evaporative_precooling_effectiveness_frac=p.evaporative_precooling_effectiveness_frac,
        )
        lchwt = p.leaving_chilled_water_temp_c
        if p.free_cooling:
            source = twb + p.tower_approach_k if p.condenser == "water_cooled" else tdb
            free = free_cooling_kw(
                demand,
                source + p.free_cooling_approach_k,
                lchwt,
                p.chilled_water_return_temp_c,
                p.units * p.rated_capacity_kw,
            )
        else:
            free = np.zeros_like(demand)
        load = demand - free
        x = np.clip(lchwt, *curves.x_range_c)
        y = np.clip(ecwt, *curves.y_range_c)
        unit_cap = p.rated_capacity_kw * np.maximum(biquadratic(curves.capft, x, y), 0.0)
        unit_cap = unit_cap * p.plr_max_frac
        units_on, each = stage_units(load, unit_cap, p.units)
        power, _, plr, rejected = chiller_eir_power_kw(
            each,
            lchwt,
            ecwt,
            rated_capacity_kw=p.rated_capacity_kw,
            rated_cop=p.cop,
            curves=curves,
            min_plr_frac=p.plr_min_frac,
            min_unload_frac=p.unload_frac,
            max_plr_frac=p.plr_max_frac,
        )
        compressor = units_on * power
        heat_rejected = units_on * rejected + free
        # exactly the demand whenever the plant can carry it (no rounding left on the bus)
        capacity = p.units * unit_cap
        delivered = np.where(load <= capacity, demand, free + capacity)
        pumps = p.chilled_water_pump_kw_per_kw * delivered
        if p.condenser == "water_cooled":
            pumps = pumps + p.condenser_pump_kw_per_kw * heat_rejected
        fans = p.heat_rejection_fan_kw_per_kw * heat_rejected
        return Flows(
            ports={"cooling": delivered, "el": compressor + pumps + fans},
            outputs={
                "compressor_power_kw": compressor,
                "pump_power_kw": pumps,
                "fan_power_kw": fans,
                "free_cooling_kw": free,
                "heat_rejected_kw": heat_rejected,
                "units_on_count": units_on,
                "part_load_frac": np.where(units_on > 0.0, plr, 0.0),
                "condenser_entering_temp_c": ecwt,
                "wet_bulb_temp_c": np.asarray(twb, dtype=np.float64).copy(),
                "unserved_kw": np.maximum(demand - delivered, 0.0),
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        cooling = grid.energy_kwh(flows.ports["cooling"])
        el = grid.energy_kwh(flows.ports["el"])
        return {
            "cooling_kwh": cooling,
            "electricity_kwh": el,
            "free_cooling_kwh": grid.energy_kwh(flows.outputs["free_cooling_kw"]),
            "cop_plant": cooling / el if el > 0 else 0.0,
            "peak_cooling_kw": float(flows.ports["cooling"].max(initial=0.0)),
        }
