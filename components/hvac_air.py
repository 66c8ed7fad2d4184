"""Air side of a zone: how much air do the fans move, what does free cooling give, how wet is it?

A zone's air-handling unit (AHU) mixes outdoor air with recirculated zone
air, passes it over a cooling coil (which dehumidifies it to a supply dew
point when it runs) or a heating coil, and blows it into the zone:

- **Supply airflow**: variable air volume (``vav``) follows the coil load,
  :math:`\\dot V = \\Phi / (\\rho c\\,|\\theta_{zone} - \\theta_{supply}|)`,
  between a minimum fraction of the design flow (and never below the
  outdoor-air minimum) and the design flow; constant volume runs at the
  design flow whenever the unit is on.
- **Fans**: design power = specific fan power x design flow (EN 16798-3);
  at part flow the ASHRAE 90.1 Appendix G VAV curve
  (:func:`components.fan.fan_part_load_power_frac`). All fan power ends as
  heat in the air stream (motor in the air stream): the share at the
  unit's minimum flow is a known internal gain of the zone; the rest, which
  follows the load, is added to the cooling coil's load (and subtracted
  from the heating coil's) in the steps where a coil runs.
- **Free cooling (air-side economiser)**: while the outdoor air is cooler
  (``dry_bulb``) or has less enthalpy (``enthalpy``) than the return air,
  the outdoor-air damper opens beyond the minimum; up to the design flow
  this gives :func:`economiser_capacity_w`, used before the chilled-water
  coil. **Night purge**: outside occupied hours, outdoor air below the
  purge set point (and above a low limit, so it does not cool the mass in
  winter) cools the zone down to the purge set point with the fans alone.
- **Moisture**: the zone humidity ratio from a quasi-steady moisture
  balance of each step (:func:`zone_moisture`): outdoor air and
  infiltration bring the outdoor humidity ratio, people and processes add
  latent gains, the cooling coil (when it runs) dries the supply air to the
  saturation humidity ratio at the supply dew point. The zone air's own
  moisture storage is neglected (its time constant, air volume over
  airflow, is below an hour for a ventilated zone).

Psychrometrics come from :mod:`components.hvac_psychrometrics` (ASHRAE
Fundamentals 2017, ch. 1).

References
----------
.. [1] ASHRAE Handbook - Fundamentals (SI), 2017, ch. 1 (psychrometrics)
   and ch. 18, eq. 9-10 (sensible and latent air loads) and Table 1
   (heat gain from occupants).
.. [2] ANSI/ASHRAE/IES Standard 90.1-2019, section 6.5.1 (economisers,
   differential dry-bulb and enthalpy controls) and Appendix G, Table
   G3.1.3.15 (VAV fan part-load curve).
.. [3] EN 16798-3:2017, section 9 (specific fan power).
"""

from __future__ import annotations

from typing import Literal, NamedTuple, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from twin.components.fan import VAV_FAN_CURVE_90_1, fan_part_load_power_frac
from twin.components.hvac_psychrometrics import (
    DRY_AIR_HEAT_CAPACITY_J_PER_KG_K,
    LATENT_HEAT_J_PER_KG,
    enthalpy_j_per_kg,
    humidity_ratio_saturated,
)

__all__ = [
    "AirHandler",
    "ZoneMoisture",
    "coil_loads",
    "economiser_capacity_w",
    "economiser_enabled",
    "fan_power_w",
    "supply_airflow_m3_per_h",
    "zone_moisture",
]

_S_PER_H = 3600.0


class AirHandler(BaseModel):
    """The air-handling unit that serves a zone (supply fans, coils, economiser)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    control: Literal["vav", "constant_volume"] = Field(
        default="vav",
        description="vav: supply airflow follows the coil load; constant_volume: the design "
        "flow whenever the unit runs.",
    )
    design_airflow_m3_per_h: float = Field(
        gt=0,
        allow_inf_nan=False,
        description="Design supply airflow of the unit (the fans' rating; for a cooled zone "
        "about the peak sensible load / (ρc (θ_set - θ_supply))) [m³/h].",
    )
    min_flow_frac: float = Field(
        default=0.3,
        ge=0,
        le=1.0,
        description="Least VAV airflow while the unit runs, share of the design flow (ASHRAE "
        "90.1 Appendix G baseline: 0.3) [-].",
    )
    specific_fan_power_w_per_m3_per_s: float = Field(
        gt=0,
        le=10_000.0,
        allow_inf_nan=False,
        description="Specific fan power at design flow, supply and return/extract fans "
        "together (EN 16798-3 SFP 3: 1250-2000) [W/(m³/s)].",
    )
    fan_curve: tuple[float, float, float, float] = Field(
        default=VAV_FAN_CURVE_90_1,
        description="Part-load fan power c1..c4 of c1 + c2 x + c3 x² + c4 x³ in the airflow "
        "fraction x (default ASHRAE 90.1 Appendix G Table G3.1.3.15) [-].",
    )
    supply_temp_cooling_c: float = Field(
        default=14.0,
        ge=4.0,
        le=25.0,
        description="Supply-air temperature leaving the cooling coil [°C].",
    )
    supply_dew_point_c: float = Field(
        default=12.0,
        ge=0.0,
        le=25.0,
        description="Dew point of the air leaving a running cooling coil (coil apparatus dew "
        "point; about 1-2 K below the supply temperature) [°C].",
    )
    supply_temp_heating_c: float = Field(
        default=35.0,
        ge=20.0,
        le=60.0,
        description="Supply-air temperature in heating [°C].",
    )
    heating: bool = Field(
        default=True,
        description="The unit also heats (a heating coil); false when radiators or unit heaters "
        "heat the zone and the unit only ventilates and cools.",
    )
    economiser: Literal["none", "dry_bulb", "enthalpy"] = Field(
        default="none",
        description="Air-side economiser: differential dry-bulb or differential enthalpy "
        "(ASHRAE 90.1 6.5.1.1), or none.",
    )
    night_purge: bool = Field(
        default=False,
        description="Outside occupied hours, cool the zone with outdoor air and the fans alone.",
    )
    night_purge_set_c: float = Field(
        default=20.0,
        ge=5.0,
        le=35.0,
        description="Zone air temperature the night purge cools down to [°C].",
    )
    night_purge_min_outdoor_c: float = Field(
        default=12.0,
        ge=-20.0,
        le=30.0,
        description="No purge with outdoor air below this (keeps it out of the heating "
        "season) [°C].",
    )
    electricity_bus: str = Field(default="electricity", description="Bus of the fans.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.supply_dew_point_c > self.supply_temp_cooling_c:
            msg = (
                f"supply_dew_point_c = {self.supply_dew_point_c} is above "
                f"supply_temp_cooling_c = {self.supply_temp_cooling_c}; the coil leaves air at "
                f"or below saturation: lower the dew point"
            )
            raise ValueError(msg)
        return self


def economiser_enabled(
    kind: str,
    temp_out_c: np.ndarray,
    humidity_ratio_out: np.ndarray,
    temp_return_c: np.ndarray,
    humidity_ratio_return: float | np.ndarray,
) -> np.ndarray:
    """Steps in which the economiser may open beyond the minimum outdoor air.

    The dry-bulb control opens while the outdoor air is cooler than the
    return air; the enthalpy control while it is cooler *and* has less
    enthalpy (differential enthalpy with a differential dry-bulb limit),
    which lowers the coil's total (sensible + latent) load.

    Parameters
    ----------
    kind : {"none", "dry_bulb", "enthalpy"}
        Control (ASHRAE 90.1 6.5.1.1.3: differential dry-bulb, differential
        enthalpy).
    temp_out_c, humidity_ratio_out : array
        Outdoor dry-bulb [°C] and humidity ratio [kg/kg].
    temp_return_c : array
        Return-air temperature (the cooling set point) [°C].
    humidity_ratio_return : float or array
        Return-air humidity ratio; a zone whose coil runs holds about the
        saturation humidity ratio at the coil's dew point [kg/kg].

    Returns
    -------
    array of bool
    """
    t_out = np.asarray(temp_out_c, dtype=np.float64)
    if kind == "none":
        return np.zeros(t_out.shape, dtype=bool)
    if kind == "dry_bulb":
        return t_out < temp_return_c
    h_return = enthalpy_j_per_kg(temp_return_c, humidity_ratio_return)
    cooler = t_out < temp_return_c
    return cooler & (enthalpy_j_per_kg(t_out, humidity_ratio_out) < h_return)


def economiser_capacity_w(
    temp_out_c: np.ndarray,
    temp_zone_c: np.ndarray,
    design_airflow_m3_per_h: float,
    outdoor_airflow_m3_per_h: np.ndarray,
    supply_temp_cooling_c: float,
    air_heat_capacity_j_per_m3_k: float,
) -> np.ndarray:
    """Cooling the economiser adds beyond the minimum outdoor air [W].

    With the whole design flow as outdoor air, mixed down to no colder than
    the supply temperature, the supply air cools the zone by
    :math:`\\rho c \\dot V_d (\\theta_z - \\max(\\theta_e, \\theta_{sup}))`;
    the minimum outdoor air :math:`\\dot V_{oa}`, already in the zone's
    ventilation conductance, gives :math:`\\rho c \\dot V_{oa}(\\theta_z -
    \\theta_e)` of it.

    Parameters
    ----------
    temp_out_c, temp_zone_c : array
        Outdoor air and zone (return) temperature [°C].
    design_airflow_m3_per_h : float
        Design supply airflow [m³/h].
    outdoor_airflow_m3_per_h : array
        Minimum outdoor airflow [m³/h].
    supply_temp_cooling_c : float
        Lowest supply temperature [°C].
    air_heat_capacity_j_per_m3_k : float
        ρ·c of air [J/(m³·K)].

    Returns
    -------
    array
        Extra cooling, >= 0 [W].

    Examples
    --------
    >>> float(economiser_capacity_w(np.array([10.0]), np.array([26.0]), 36000.0,
    ...     np.array([3600.0]), 14.0, 1200.0)[0])
    124800.0
    """
    rho_c = air_heat_capacity_j_per_m3_k / _S_PER_H
    full = (
        rho_c
        * design_airflow_m3_per_h
        * (temp_zone_c - np.maximum(temp_out_c, supply_temp_cooling_c))
    )
    minimum = rho_c * outdoor_airflow_m3_per_h * (temp_zone_c - temp_out_c)
    return np.maximum(full - np.maximum(minimum, 0.0), 0.0)


def supply_airflow_m3_per_h(
    handler: AirHandler,
    cooling_w: np.ndarray,
    heating_w: np.ndarray,
    temp_zone_c: np.ndarray,
    temp_supply_cooling_c: np.ndarray,
    outdoor_airflow_m3_per_h: np.ndarray,
    running: np.ndarray,
    air_heat_capacity_j_per_m3_k: float,
) -> np.ndarray:
    """Supply airflow of every step, between the unit's minimum and its design flow.

    Parameters
    ----------
    handler : AirHandler
    cooling_w, heating_w : array
        Sensible cooling and heating the supply air delivers [W].
    temp_zone_c : array
        Zone air temperature [°C].
    temp_supply_cooling_c : array
        Supply temperature in cooling (the coil's, or the outdoor air's in
        economiser-only steps) [°C].
    outdoor_airflow_m3_per_h : array
        Minimum outdoor airflow [m³/h].
    running : array of bool
        Steps in which the unit runs [-].
    air_heat_capacity_j_per_m3_k : float
        ρ·c [J/(m³·K)].

    Returns
    -------
    array
        Supply airflow [m³/h].
    """
    rho_c = air_heat_capacity_j_per_m3_k / _S_PER_H
    dt_cool = np.maximum(temp_zone_c - temp_supply_cooling_c, 1.0)
    need = cooling_w / (rho_c * dt_cool)
    if handler.heating:
        dt_heat = np.maximum(handler.supply_temp_heating_c - temp_zone_c, 1.0)
        need = np.maximum(need, heating_w / (rho_c * dt_heat))
    need = np.maximum(need, outdoor_airflow_m3_per_h)
    design = handler.design_airflow_m3_per_h
    if handler.control == "constant_volume":
        flow = np.where(running, design, 0.0)
    else:
        flow = np.where(running, np.clip(need, handler.min_flow_frac * design, design), 0.0)
    return flow


def fan_power_w(handler: AirHandler, flow_m3_per_h: np.ndarray) -> np.ndarray:
    """Electric power of the unit's fans [W].

    Design power SFP x design flow (EN 16798-3); at part flow of a VAV unit
    the 90.1 Appendix G curve; a constant-volume unit draws the design power
    whenever it runs.

    Examples
    --------
    >>> ahu = AirHandler(design_airflow_m3_per_h=36000.0, specific_fan_power_w_per_m3_per_s=1500.0)
    >>> [round(float(x)) for x in fan_power_w(ahu, np.array([0.0, 18000.0, 36000.0]))]
    [0, 4500, 14986]
    """
    design = handler.design_airflow_m3_per_h
    design_w = handler.specific_fan_power_w_per_m3_per_s * design / _S_PER_H
    flow = np.asarray(flow_m3_per_h, dtype=np.float64)
    if handler.control == "constant_volume":
        return np.where(flow > 0.0, design_w, 0.0)
    return design_w * fan_part_load_power_frac(flow / design, handler.fan_curve)


class ZoneMoisture(NamedTuple):
    """Per-step result of :func:`zone_moisture`."""

    humidity_ratio: np.ndarray
    """Zone air humidity ratio [kg/kg]."""
    supply_humidity_ratio: np.ndarray
    """Supply air humidity ratio (the zone's where no air is supplied) [kg/kg]."""
    coil_latent_w: np.ndarray
    """Latent load of the cooling coil, the condensate's latent heat [W]."""
    outdoor_air_latent_w: np.ndarray
    """Latent load the outdoor air brings, m_oa (W_e - W_z) h_fg (negative: it dries) [W]."""
    infiltration_latent_w: np.ndarray
    """Latent load of infiltration, m_inf (W_e - W_z) h_fg [W]."""


def zone_moisture(
    humidity_ratio_out: np.ndarray,
    temp_zone_c: np.ndarray,
    latent_gains_w: np.ndarray,
    *,
    supply_airflow_m3_per_h: np.ndarray,
    outdoor_air_frac: np.ndarray,
    direct_outdoor_airflow_m3_per_h: np.ndarray,
    infiltration_m3_per_h: float | np.ndarray,
    coil_on: np.ndarray,
    supply_dew_point_c: float,
    pressure_pa: float | np.ndarray,
    air_heat_capacity_j_per_m3_k: float,
) -> ZoneMoisture:
    """Quasi-steady moisture balance of a zone in every step.

    Parameters
    ----------
    humidity_ratio_out : array
        Outdoor humidity ratio W_e [kg/kg].
    temp_zone_c : array
        Zone air temperature (caps W_z at saturation) [°C].
    latent_gains_w : array
        Latent internal gains (people, processes) [W].
    supply_airflow_m3_per_h : array
        Airflow through the unit's coil [m³/h].
    outdoor_air_frac : array
        Share of outdoor air in the supply [-].
    direct_outdoor_airflow_m3_per_h : array
        Outdoor air that enters the zone without passing the coil [m³/h].
    infiltration_m3_per_h : float or array
        Infiltration [m³/h].
    coil_on : array of bool
        Steps in which the cooling coil runs (and dehumidifies).
    supply_dew_point_c : float
        Dew point of the air leaving a running coil [°C].
    pressure_pa : float or array
        Station pressure [Pa].
    air_heat_capacity_j_per_m3_k : float
        ρ·c of air; ρ = ρc / c_pa [J/(m³·K)].

    Returns
    -------
    ZoneMoisture

    Notes
    -----
    With mass flows of dry air :math:`m_s` (supply), :math:`x` its outdoor
    share, :math:`m_d` (outdoor air straight in plus infiltration) and the
    moisture gain :math:`G = \\Phi_{lat}/h_{fg}`, a dry coil gives
    :math:`W_z = ((m_d + x m_s) W_e + G)/(m_d + x m_s)`; a running coil that
    would leave air wetter than :math:`W_c = W_{sat}(\\theta_{dp})` supplies
    :math:`W_c` and :math:`W_z = (m_d W_e + m_s W_c + G)/(m_d + m_s)`. The
    coil's latent load is :math:`m_s (W_{mix} - W_{sup}) h_{fg}` with
    :math:`W_{mix} = x W_e + (1 - x) W_z`.
    """
    rho = air_heat_capacity_j_per_m3_k / DRY_AIR_HEAT_CAPACITY_J_PER_KG_K
    m_s = rho * np.asarray(supply_airflow_m3_per_h, dtype=np.float64) / _S_PER_H
    x = np.clip(np.asarray(outdoor_air_frac, dtype=np.float64), 0.0, 1.0)
    m_oa = x * m_s
    m_inf = rho * np.asarray(infiltration_m3_per_h, dtype=np.float64) / _S_PER_H
    m_d = rho * np.asarray(direct_outdoor_airflow_m3_per_h, dtype=np.float64) / _S_PER_H + m_inf
    g = np.maximum(np.asarray(latent_gains_w, dtype=np.float64), 0.0) / LATENT_HEAT_J_PER_KG
    w_e = np.asarray(humidity_ratio_out, dtype=np.float64)
    w_sat = humidity_ratio_saturated(temp_zone_c, pressure_pa)

    fresh = np.maximum(m_d + m_oa, 1e-9)
    w_dry = np.minimum(w_e + g / fresh, w_sat)
    w_coil = humidity_ratio_saturated(supply_dew_point_c, pressure_pa)
    mix_dry = x * w_e + (1.0 - x) * w_dry
    wet = coil_on & (mix_dry > w_coil) & (m_s > 0.0)
    w_wet = np.minimum((m_d * w_e + m_s * w_coil + g) / np.maximum(m_d + m_s, 1e-9), w_sat)
    w_z = np.where(wet, w_wet, w_dry)
    w_mix = x * w_e + (1.0 - x) * w_z
    w_sup = np.where(wet, np.minimum(w_coil, w_mix), np.where(m_s > 0.0, w_mix, w_z))
    coil_latent = m_s * np.maximum(w_mix - w_sup, 0.0) * LATENT_HEAT_J_PER_KG
    return ZoneMoisture(
        humidity_ratio=w_z,
        supply_humidity_ratio=w_sup,
        coil_latent_w=coil_latent,
        outdoor_air_latent_w=(m_oa + m_d - m_inf) * (w_e - w_z) * LATENT_HEAT_J_PER_KG,
        infiltration_latent_w=m_inf * (w_e - w_z) * LATENT_HEAT_J_PER_KG,
    )


_FAN_COIL = AirHandler(design_airflow_m3_per_h=1.0, specific_fan_power_w_per_m3_per_s=1.0)
"""Coil temperatures of a zone without an air handler (fan coils): the
AirHandler defaults, supply 14 °C, dew point 12 °C; its fans are not counted."""


def coil_loads(
    ahu: AirHandler | None,
    theta_e: np.ndarray,
    w_out: np.ndarray | None,
    pressure: np.ndarray,
    temp_air_c: np.ndarray,
    zone_heat_w: np.ndarray,
    zone_cool_w: np.ndarray,
    free_max_w: np.ndarray,
    ventilation: np.ndarray,
    running: np.ndarray,
    fan_min_w: np.ndarray,
    latent_w: np.ndarray,
    purge: np.ndarray,
    *,
    infiltration_m3_per_h: float,
    air_heat_capacity_j_per_m3_k: float,
) -> dict[str, np.ndarray]:
    """Coil loads, fans and moisture of a zone from its heat balance (vectorised).

    Parameters
    ----------
    ahu : AirHandler or None
        The zone's air handler; None: fan coils (recirculated air over the
        coil at the :class:`AirHandler` default temperatures, fans counted
        elsewhere) with the outdoor air entering directly.
    theta_e, w_out, pressure : array
        Outdoor temperature [°C], humidity ratio [kg/kg] (None: no moisture
        balance, latent loads 0) and station pressure [Pa].
    temp_air_c : array
        Zone air temperature from the 5R1C kernel [°C].
    zone_heat_w, zone_cool_w : array
        Heating and cooling the kernel delivered to the air node [W].
    free_max_w : array
        Economiser or night-purge capacity the kernel could use [W].
    ventilation : array
        Minimum outdoor airflow [m³/h].
    running : array of bool
        Steps the unit runs by schedule.
    fan_min_w : array
        Fan power at the unit's least flow, already a zone gain [W].
    latent_w : array
        Latent internal gains [W].
    purge : array of bool
        Night-purge steps (the coil stays off).
    infiltration_m3_per_h : float
        Infiltration airflow [m³/h].
    air_heat_capacity_j_per_m3_k : float
        ρ·c [J/(m³·K)].

    Returns
    -------
    dict of arrays
        ``heating_coil_w``, ``cooling_sensible_w`` (mechanical, with the
        load-following fan heat), ``cooling_latent_w``, ``free_cooling_w``,
        ``fan_w``, ``supply_m3_per_h``, ``outdoor_m3_per_h``,
        ``humidity_ratio``, ``supply_humidity_ratio``,
        ``outdoor_air_latent_w``, ``infiltration_latent_w`` [W, m³/h, kg/kg].
    """
    n = theta_e.size
    rho_c = air_heat_capacity_j_per_m3_k
    coil = ahu if ahu is not None else _FAN_COIL
    infiltration = infiltration_m3_per_h
    free_w = np.minimum(zone_cool_w, free_max_w)
    mech_w = zone_cool_w - free_w
    if ahu is not None:
        econ_only = (mech_w <= 0.0) & (free_w > 0.0) & (theta_e > ahu.supply_temp_cooling_c)
        t_supply = np.where(econ_only, theta_e, ahu.supply_temp_cooling_c)
        on = running | (zone_cool_w > 0.0) | ((zone_heat_w > 0.0) & ahu.heating)
        supply = supply_airflow_m3_per_h(
            ahu, zone_cool_w, zone_heat_w, temp_air_c, t_supply, ventilation, on, rho_c
        )
        fan_w = fan_power_w(ahu, supply)
        # fan heat above the least flow's (already a zone gain) goes to the running coil
        extra_w = np.maximum(fan_w - fan_min_w, 0.0)
        cooling = zone_cool_w > 0.0
        load_w = np.where(cooling, zone_cool_w + extra_w, 0.0)
        free_w = np.minimum(load_w, free_max_w)
        # a night purge never starts the coil: fan heat beyond the purge's
        # capacity only trims the purge (the coil is off, nothing condenses)
        mech_w = np.where(purge, 0.0, load_w - free_w)
        heating_coil_w = np.maximum(zone_heat_w - extra_w, 0.0)
        # outdoor-air share: the minimum, more while the economiser cools
        dz = temp_air_c - theta_e
        mix = np.where(
            theta_e >= ahu.supply_temp_cooling_c,
            1.0,
            (temp_air_c - ahu.supply_temp_cooling_c) / np.where(np.abs(dz) > 1e-6, dz, 1e-6),
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            least = np.where(supply > 0.0, ventilation / supply, 0.0)
        oa_frac = np.clip(np.where(free_w > 0.0, np.maximum(mix, least), least), 0.0, 1.0)
        direct = np.zeros(n)
    else:
        # fan coils: recirculated air over the coil; the outdoor air enters directly
        dt = np.maximum(temp_air_c - coil.supply_temp_cooling_c, 1.0)
        supply = mech_w / (rho_c / 3600.0 * dt)
        fan_w = np.zeros(n)
        heating_coil_w = zone_heat_w
        oa_frac = np.zeros(n)
        direct = ventilation
    sensible_w = mech_w
    if w_out is None:
        zeros = np.zeros(n)
        moist = (zeros, zeros, zeros, zeros, zeros)
    else:
        moist = zone_moisture(
            w_out,
            temp_air_c,
            latent_w,
            supply_airflow_m3_per_h=supply,
            outdoor_air_frac=oa_frac,
            direct_outdoor_airflow_m3_per_h=direct,
            infiltration_m3_per_h=infiltration,
            coil_on=mech_w > 0.0,
            supply_dew_point_c=coil.supply_dew_point_c,
            pressure_pa=pressure,
            air_heat_capacity_j_per_m3_k=rho_c,
        )
    return {
        "heating_coil_w": heating_coil_w,
        "cooling_sensible_w": sensible_w,
        "cooling_latent_w": moist[2],
        "free_cooling_w": free_w,
        "fan_w": fan_w,
        "supply_m3_per_h": supply,
        "outdoor_m3_per_h": oa_frac * supply,
        "humidity_ratio": moist[0],
        "supply_humidity_ratio": moist[1],
        "outdoor_air_latent_w": moist[3],
        "infiltration_latent_w": moist[4],
    }
