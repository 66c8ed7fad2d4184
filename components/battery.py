"""Battery storage: how much energy a stationary battery shifts, and when.

The physical question is the state of charge (SOC) of a battery that
charges from and discharges to an AC bus through a power conversion system,
under a rule-based dispatch. The module has three layers:

- :func:`simulate_soc`, the stateful kernel: the only loop over steps. It
  turns a per-step request into feasible charge and discharge flows and the
  SOC, honouring power limits, the SOC window, conversion efficiencies and
  self-discharge.
- Vectorised dispatch rules that build the request before the kernel, in
  :mod:`components.battery_dispatch` (re-exported here):
  :func:`dispatch_self_consumption`, :func:`dispatch_peak_shaving`,
  :func:`dispatch_tou_arbitrage`, with :func:`plan_tou_windows` choosing the
  charge and discharge windows of one day's time-of-use (TOU) pattern,
  including two cycles per day (两充两放); the TOU controller that runs
  them day by day on a forecast is :mod:`components.battery_tou`.
- :class:`Battery`, the component: frozen :class:`BatteryParams`, three
  ports (``charge``, ``discharge``, ``auxiliary``) and ``compute``.

The dispatch rules are heuristics (what a C&I storage controller does with
fixed daily windows); ``dispatch = "lp"`` instead optimises with the rolling
linear programme of :mod:`twin.dispatch` (HiGHS) and feeds its schedule
through the same SOC kernel.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator
from twin.components.battery_ageing import calendar_capacity_frac, cycle_fade_frac
from twin.components.battery_dispatch import (
    dispatch_peak_shaving,
    dispatch_self_consumption,
    dispatch_tou_arbitrage,
    plan_tou_windows,
)
from twin.components.battery_tou import tou_flows

from twin.carriers import ELECTRICITY
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Meaning,
    Output,
    Port,
    Role,
    RunContext,
    Stage,
    output,
    register_component,
)
from twin.dispatch import LpStorage, lp_dispatch
from twin.errors import ConfigError
from twin.timegrid import TimeGrid

__all__ = [
    "Battery",
    "BatteryParams",
    "dispatch_peak_shaving",
    "dispatch_self_consumption",
    "dispatch_tou_arbitrage",
    "plan_tou_windows",
    "simulate_soc",
]

_HOURS_PER_DAY = 24.0
_MONTHS = 12
_EFFICIENCY_ONE_WAY_FRAC = 0.85**0.5
"""One-way efficiency whose square is the 85 % AC-AC round trip of NREL's
Annual Technology Baseline (utility-scale battery storage, 2020-2024 editions;
Cole, W., Frazier, A. W. (2020). Cost Projections for Utility-Scale Battery
Storage: 2020 Update. NREL/TP-6A20-75385)."""
_DAYS_PER_YEAR = 365.25


# ---------------------------------------------------------------------------
# Stateful kernel
# ---------------------------------------------------------------------------
def simulate_soc(
    request_kw: np.ndarray,
    *,
    capacity_kwh: float,
    soc_initial_kwh: float,
    soc_min_kwh: float,
    soc_max_kwh: float,
    charge_power_max_kw: float,
    discharge_power_max_kw: float,
    efficiency_charge_frac: float,
    efficiency_discharge_frac: float,
    self_discharge_frac_per_step: float,
    step_h: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Feasible charge and discharge flows and the state of charge.

    A bucket model of a battery seen from its AC terminals (the "simple"
    battery model of SAM and PyPSA's ``StorageUnit``): charging stores the AC
    energy times the charge efficiency, discharging removes the AC energy
    divided by the discharge efficiency, and self-discharge removes a fixed
    fraction of the stored energy each step. Each step first applies
    self-discharge, then the requested flow clipped to the power limits and
    to the SOC window. The battery never charges and discharges in the same
    step.

    Parameters
    ----------
    request_kw : array
        Requested AC flow per step: positive asks to discharge to the bus,
        negative asks to charge from it [kW].
    capacity_kwh : float
        Nameplate energy capacity [kWh].
    soc_initial_kwh : float
        Stored energy at the start of the first step, within
        ``[0, soc_max_kwh]`` (below ``soc_min_kwh`` after self-discharge)
        [kWh].
    soc_min_kwh, soc_max_kwh : float
        SOC window, ``0 <= soc_min_kwh <= soc_max_kwh <= capacity_kwh`` [kWh].
    charge_power_max_kw, discharge_power_max_kw : float
        AC power limits [kW].
    efficiency_charge_frac, efficiency_discharge_frac : float
        One-way conversion efficiencies, in (0, 1] [-].
    self_discharge_frac_per_step : float
        Fraction of the stored energy lost per step, in [0, 1) [-].
    step_h : float
        Step length [h].

    Returns
    -------
    charge_kw : array
        Mean AC charging power per step, >= 0 [kW].
    discharge_kw : array
        Mean AC discharging power per step, >= 0 [kW].
    soc_kwh : array
        Stored energy at the **end** of each step [kWh].

    Raises
    ------
    ValueError
        When a parameter is out of range or the request is not a finite
        1-D array.

    Notes
    -----
    With :math:`E_t` the stored energy at the end of step :math:`t`,
    :math:`\sigma` the self-discharge per step, :math:`\eta_c, \eta_d` the
    efficiencies and :math:`\Delta t` the step:

    .. math::

        E'_t = E_{t-1}(1 - \sigma)

        E_t = E'_t + \left(\eta_c P^{ch}_t - P^{dis}_t / \eta_d\right)\Delta t

    with :math:`P^{ch}_t \le \min(-r_t, P^{ch}_{max}, (E_{max} - E'_t) /
    (\eta_c \Delta t))` when :math:`r_t < 0` and :math:`P^{dis}_t \le
    \min(r_t, P^{dis}_{max}, \max(E'_t - E_{min}, 0)\eta_d / \Delta t)` when
    :math:`r_t > 0`. Self-discharge is a loss at every level: below
    :math:`E_{min}` the stored energy keeps decaying (no energy from nothing)
    and the battery sits below its floor, unable to discharge, until it is
    recharged.

    The loop runs over Python floats (``tolist``); a year of hourly steps
    (8760) takes about 2 ms on a current laptop core.

    References
    ----------
    .. [1] DiOrio, N., Dobos, A., Janzou, S. (2015). Economic Analysis Case
       Studies of Battery Energy Storage with SAM. NREL/TP-6A20-64987.
    .. [2] PyPSA documentation, "Storage Unit" (state of charge equation).

    Examples
    --------
    >>> ch, dis, soc = simulate_soc(
    ...     np.array([-100.0, 50.0]), capacity_kwh=200.0, soc_initial_kwh=145.0,
    ...     soc_min_kwh=10.0, soc_max_kwh=190.0, charge_power_max_kw=100.0,
    ...     discharge_power_max_kw=100.0, efficiency_charge_frac=0.9,
    ...     efficiency_discharge_frac=0.9, self_discharge_frac_per_step=0.0, step_h=1.0)
    >>> ch.tolist(), dis.tolist(), [round(x, 6) for x in soc.tolist()]
    ([50.0, 0.0], [0.0, 50.0], [190.0, 134.444444])
    """
    req = np.asarray(request_kw, dtype=np.float64)
    _check_kernel_inputs(
        req,
        capacity_kwh=capacity_kwh,
        soc_initial_kwh=soc_initial_kwh,
        soc_min_kwh=soc_min_kwh,
        soc_max_kwh=soc_max_kwh,
        charge_power_max_kw=charge_power_max_kw,
        discharge_power_max_kw=discharge_power_max_kw,
        efficiency_charge_frac=efficiency_charge_frac,
        efficiency_discharge_frac=efficiency_discharge_frac,
        self_discharge_frac_per_step=self_discharge_frac_per_step,
        step_h=step_h,
    )
    n = req.size
    charge = [0.0] * n
    discharge = [0.0] * n
    soc_end = [0.0] * n
    keep = 1.0 - float(self_discharge_frac_per_step)
    kwh_in_per_kw = float(efficiency_charge_frac) * float(step_h)  # stored per kW charged
    kwh_out_per_kw = float(step_h) / float(efficiency_discharge_frac)  # removed per kW out
    lo = float(soc_min_kwh)
    hi = float(soc_max_kwh)
    p_ch = float(charge_power_max_kw)
    p_dis = float(discharge_power_max_kw)
    soc = min(float(soc_initial_kwh), soc_max_kwh)
    # The only loop over steps: plain floats, no numpy scalars.
    for i, r in enumerate(req.tolist()):
        # self-discharge is a loss even below the floor: nothing tops it up
        s = soc * keep
        if r > 0.0:
            d = r if r < p_dis else p_dis
            room = (s - lo) / kwh_out_per_kw
            if d > room:
                d = room
            if d > 0.0:
                s -= d * kwh_out_per_kw
                if s < lo:
                    s = lo
                discharge[i] = d
        elif r < 0.0:
            c = -r if -r < p_ch else p_ch
            room = (hi - s) / kwh_in_per_kw
            if c > room:
                c = room
            if c > 0.0:
                s += c * kwh_in_per_kw
                if s > hi:
                    s = hi
                charge[i] = c
        soc_end[i] = s
        soc = s
    return np.array(charge), np.array(discharge), np.array(soc_end)


def _check_kernel_inputs(req: np.ndarray, **kw: float) -> None:
    """Range checks of :func:`simulate_soc`: a ValueError for the first problem."""
    not_finite = [name for name, value in kw.items() if not np.isfinite(value)]
    lo, hi, cap = kw["soc_min_kwh"], kw["soc_max_kwh"], kw["capacity_kwh"]
    rules = (
        (req.ndim == 1, f"request_kw must be a 1-D array, got shape {req.shape}"),
        (bool(np.isfinite(req).all()), "request_kw must be finite (no NaN or inf)"),
        (not not_finite, f"{', '.join(not_finite)} must be finite"),
        (
            cap > 0 and kw["step_h"] > 0,
            f"capacity_kwh and step_h must be > 0, got {cap}, {kw['step_h']}",
        ),
        (
            0 <= lo <= hi <= cap,
            f"expected 0 <= soc_min_kwh <= soc_max_kwh <= capacity_kwh, got {lo}, {hi}, {cap}",
        ),
        (
            # a few ulps outside (frac x capacity rounding) count as inside; below
            # the floor is a state self-discharge can leave the battery in
            0.0 <= kw["soc_initial_kwh"] <= hi + 1e-9 * max(cap, 1.0),
            f"soc_initial_kwh must lie in [0, soc_max_kwh] = [0, {hi}], "
            f"got {kw['soc_initial_kwh']}",
        ),
        (
            kw["charge_power_max_kw"] >= 0 and kw["discharge_power_max_kw"] >= 0,
            f"power limits must be >= 0, got {kw['charge_power_max_kw']} (charge) and "
            f"{kw['discharge_power_max_kw']} (discharge)",
        ),
        (
            0 < kw["efficiency_charge_frac"] <= 1 and 0 < kw["efficiency_discharge_frac"] <= 1,
            f"efficiency_charge_frac and efficiency_discharge_frac must be in (0, 1], got "
            f"{kw['efficiency_charge_frac']} and {kw['efficiency_discharge_frac']}",
        ),
        (
            0 <= kw["self_discharge_frac_per_step"] < 1,
            f"self_discharge_frac_per_step must be in [0, 1), got "
            f"{kw['self_discharge_frac_per_step']}",
        ),
    )
    for ok, text in rules:
        if not ok:
            msg = f"simulate_soc: {text}"
            raise ValueError(msg)


# ---------------------------------------------------------------------------
# Parameters and component
# ---------------------------------------------------------------------------
_NonNegativeKw = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class BatteryParams(ComponentParams):
    """Parameters of a stationary battery (C&I lithium iron phosphate by default).

    Powers are AC at the battery's terminals; energies are stored (DC) energy.
    """

    capacity_kwh: float = Field(
        description="Nameplate energy capacity (stored energy at a state of charge of 1) [kWh].",
        gt=0,
        allow_inf_nan=False,
    )
    rated_power_kw: float = Field(
        description="Rated AC power of the power conversion system, charge and discharge [kW].",
        gt=0,
        allow_inf_nan=False,
    )
    charge_power_kw: float | None = Field(
        default=None,
        description="AC charge power limit [kW]; None uses rated_power_kw.",
        gt=0,
        allow_inf_nan=False,
    )
    discharge_power_kw: float | None = Field(
        default=None,
        description="AC discharge power limit [kW]; None uses rated_power_kw.",
        gt=0,
        allow_inf_nan=False,
    )
    efficiency_charge_frac: float = Field(
        default=_EFFICIENCY_ONE_WAY_FRAC,
        description=(
            "One-way AC-to-stored efficiency when charging [-]. Default sqrt(0.85) = 0.922: "
            "the 85 % AC-AC round-trip efficiency of NREL's Annual Technology Baseline for "
            "Li-ion battery storage (ATB 2020-2024, after Cole and Frazier 2020, "
            "NREL/TP-6A20-75385), split equally between charge and discharge."
        ),
        gt=0,
        le=1,
    )
    efficiency_discharge_frac: float = Field(
        default=_EFFICIENCY_ONE_WAY_FRAC,
        description=(
            "One-way stored-to-AC efficiency when discharging [-]. Default sqrt(0.85) "
            "(NREL ATB round trip 85 %, see efficiency_charge_frac)."
        ),
        gt=0,
        le=1,
    )
    soc_min_frac: float = Field(
        default=0.05,
        description="Lower end of the allowed state-of-charge window, share of capacity [-].",
        ge=0,
        le=1,
    )
    soc_max_frac: float = Field(
        default=0.95,
        description="Upper end of the allowed state-of-charge window, share of capacity [-].",
        ge=0,
        le=1,
    )
    soc_initial_frac: float | None = Field(
        default=None,
        description=(
            "State of charge at the start of the run, share of capacity [-]; must lie in "
            "[soc_min_frac, soc_max_frac]; None starts mid-window."
        ),
        ge=0,
        le=1,
    )
    self_discharge_frac_per_day: float = Field(
        default=0.0005,
        description=(
            "Share of the stored energy lost per day at rest [-]. Default 0.0005 "
            "(about 1.5 % per month) is an assumption for LFP, not a cited value."
        ),
        ge=0,
        lt=1,
    )
    auxiliary_power_kw: float = Field(
        default=0.0,
        description=(
            "Standby consumption of battery management, thermal management and control, "
            "drawn from the bus at every step through the 'auxiliary' port [kW]. Default 0: "
            "the NREL ATB round-trip efficiency of the default efficiencies is an AC-AC "
            "figure that carries these losses; give the cabinet's standby power here (and "
            "raise the efficiencies to the PCS and cell values) where it is metered apart."
        ),
        ge=0,
        allow_inf_nan=False,
    )
    dispatch: Literal["self_consumption", "tou_arbitrage", "peak_shaving", "lp"] = Field(
        default="self_consumption",
        description=(
            "Dispatch rule: 'self_consumption' stores surplus and covers net demand; "
            "'tou_arbitrage' charges in low-price and discharges in high-price TOU windows; "
            "'peak_shaving' keeps imports at or below demand_target_kw; "
            "'lp' optimises by linear programming over a rolling horizon (twin.dispatch)."
        ),
    )
    lp_objective: Literal["cost", "emissions", "weighted"] = Field(
        default="cost",
        description="Objective of dispatch='lp': energy and demand cost, grid emissions, "
        "or cost plus carbon_price_cny_per_kg times emissions.",
    )
    carbon_price_cny_per_kg: float = Field(
        default=0.0,
        ge=0.0,
        allow_inf_nan=False,
        description="Weight of emissions for lp_objective='weighted' [CNY/kg CO2].",
    )
    lp_horizon_h: float = Field(
        default=48.0,
        gt=0.0,
        le=24.0 * 14,
        allow_inf_nan=False,
        description="Planning window of dispatch='lp' [h].",
    )
    lp_commit_h: float = Field(
        default=24.0,
        gt=0.0,
        le=24.0 * 14,
        allow_inf_nan=False,
        description="Part of each planning window that is committed before re-planning [h].",
    )
    cycles_per_day: Literal[1, 2] = Field(
        default=1,
        description=(
            "Planned cycles per day for 'tou_arbitrage': 1, or 2 (两充两放: a second charge "
            "in a midday valley or flat between two peaks)."
        ),
    )
    demand_target_kw: _NonNegativeKw | list[_NonNegativeKw] | None = Field(
        default=None,
        description=(
            "Import level not to exceed [kW]: one value, or 12 monthly values (January "
            "first). Peak shaving discharges above it; in every mode grid charging is capped "
            "so that imports stay at or below it. None uses the tariff's demand target, if any."
        ),
    )
    grid_charging: bool | None = Field(
        default=None,
        description=(
            "Whether the battery may charge from the grid. None: True for 'tou_arbitrage' "
            "and 'peak_shaving', False for 'self_consumption' (which charges from surplus only)."
        ),
    )
    allow_export: bool = Field(
        default=False,
        description=(
            "Whether discharge may exceed the bus's net demand (export through the grid "
            "connection); only 'tou_arbitrage' uses it."
        ),
    )
    bus: str = Field(default="electricity", description="Electricity bus the battery connects to.")
    ageing: bool = Field(
        default=False,
        description=(
            "Whether capacity fades with age and cycling (components.battery_ageing: SAM's "
            "calendar and cycle models); the run uses the capacity at its start and reports "
            "the state of health at its end."
        ),
    )
    years_in_service: float = Field(
        default=0.0,
        ge=0.0,
        le=40.0,
        allow_inf_nan=False,
        description="Calendar age at the start of the run, for ageing [yr].",
    )
    cycle_fade_before_frac: float = Field(
        default=0.0,
        ge=0.0,
        lt=1.0,
        description="Capacity lost to cycling before the run (earlier years), for ageing [-].",
    )
    cycle_life_80pct_dod: float = Field(
        default=1000.0,
        gt=0.0,
        allow_inf_nan=False,
        description=(
            "Cycles of 80 % depth of discharge to 80 % capacity, for ageing [-]. Default "
            "1,000: SAM's default Li-ion cycle table (not an LFP fit; LFP cell datasheets "
            "quote several thousand: give the offered cells' figure)."
        ),
    )
    cell_temp_c: float = Field(
        default=25.0,
        ge=-20.0,
        le=60.0,
        description="Cell temperature for calendar ageing (a conditioned container) [°C].",
    )

    @field_validator("demand_target_kw")
    @classmethod
    def _twelve_months(cls, value: float | list[float] | None) -> float | list[float] | None:
        if isinstance(value, list) and len(value) != _MONTHS:
            msg = f"expected one value or 12 monthly values, got a list of {len(value)}"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _check_window(self) -> BatteryParams:
        if not self.soc_min_frac < self.soc_max_frac:
            msg = (
                f"soc_min_frac ({self.soc_min_frac}) must be below soc_max_frac "
                f"({self.soc_max_frac})"
            )
            raise ValueError(msg)
        if self.soc_initial_frac is not None and not (
            self.soc_min_frac <= self.soc_initial_frac <= self.soc_max_frac
        ):
            msg = (
                f"soc_initial_frac ({self.soc_initial_frac}) must lie within "
                f"[soc_min_frac, soc_max_frac] = [{self.soc_min_frac}, {self.soc_max_frac}]"
            )
            raise ValueError(msg)
        if self.dispatch == "self_consumption" and self.grid_charging:
            msg = (
                "grid_charging=True has no effect with dispatch='self_consumption', which "
                "charges from surplus only; use dispatch='tou_arbitrage' or 'peak_shaving'"
            )
            raise ValueError(msg)
        return self


@register_component("battery")
class Battery(Component):
    """A stationary battery on an electricity bus.

    Ports: ``charge`` (IN, takes from the bus), ``discharge`` (OUT, delivers
    to it) and ``auxiliary`` (IN, standby consumption). Outputs: ``soc_kwh``
    (stored energy at the end of each step), ``soc_frac`` (the same as a
    share of capacity) and ``loss_kw`` (conversion and self-discharge losses
    as mean power).

    The battery computes at :attr:`Stage.STORAGE`: it sees the bus's net
    demand after loads and generation (plus its own auxiliary consumption,
    which it may cover), builds a request with the rule of
    ``params.dispatch`` and runs :func:`simulate_soc`. The rules are
    heuristics (an LP dispatch is a later, separate step):

    - ``self_consumption`` (:func:`dispatch_self_consumption`): charge from
      surplus (net demand < 0), discharge to cover net demand (> 0); never
      charges from the grid.
    - ``tou_arbitrage`` (:func:`components.battery_tou.tou_request`): a
      causal controller on a day-ahead same-day-type profile forecast:
      charge in the valley windows of :func:`plan_tou_windows` (planned once
      per day pattern), discharge in the peak windows above a held monthly
      demand level, keeping the energy the forecast needs for later steps.
    - ``peak_shaving`` (:func:`dispatch_peak_shaving`): discharge the excess
      of net demand over the target, recharge below it.

    In every mode, where a target exists (``demand_target_kw`` in the params,
    12 monthly values broadcast by local month, else the tariff signals'
    target) grid charging keeps ``net + charge <= target``; without
    ``allow_export`` discharge never exceeds the net demand.
    """

    stage = Stage.STORAGE
    Params = BatteryParams

    params: BatteryParams

    # -- resolved parameters ----------------------------------------------
    @property
    def charge_power_max_kw(self) -> float:
        """AC charge power limit [kW]."""
        p = self.params
        return p.charge_power_kw if p.charge_power_kw is not None else p.rated_power_kw

    @property
    def discharge_power_max_kw(self) -> float:
        """AC discharge power limit [kW]."""
        p = self.params
        return p.discharge_power_kw if p.discharge_power_kw is not None else p.rated_power_kw

    @property
    def state_of_health_frac(self) -> float:
        """Capacity at the start of the run as a share of nameplate [-] (1 without ageing)."""
        p = self.params
        if not p.ageing:
            return 1.0
        calendar = calendar_capacity_frac(
            p.years_in_service * _DAYS_PER_YEAR, p.cell_temp_c, self._soc_mid_frac
        )
        return min(calendar, 1.0 - p.cycle_fade_before_frac)

    @property
    def capacity_kwh(self) -> float:
        """Capacity the run uses: nameplate times the state of health [kWh]."""
        return self.params.capacity_kwh * self.state_of_health_frac

    @property
    def _soc_mid_frac(self) -> float:
        p = self.params
        return 0.5 * (p.soc_min_frac + p.soc_max_frac)

    @property
    def usable_energy_kwh(self) -> float:
        """Stored energy between the ends of the SOC window [kWh]."""
        p = self.params
        return (p.soc_max_frac - p.soc_min_frac) * self.capacity_kwh

    @property
    def soc_initial_kwh(self) -> float:
        """Stored energy at the start of the run [kWh]."""
        p = self.params
        frac = p.soc_initial_frac
        if frac is None:
            frac = 0.5 * (p.soc_min_frac + p.soc_max_frac)
        return frac * self.capacity_kwh

    @property
    def grid_charging(self) -> bool:
        """Whether the battery may charge from the grid (default by dispatch rule)."""
        p = self.params
        if p.grid_charging is not None:
            return p.grid_charging
        return p.dispatch != "self_consumption"

    def self_discharge_frac_per_step(self, step_h: float) -> float:
        """Self-discharge per step from the daily value, compounded [-]."""
        daily = self.params.self_discharge_frac_per_day
        return 1.0 - (1.0 - daily) ** (step_h / _HOURS_PER_DAY)

    # -- protocol ---------------------------------------------------------
    def ports(self) -> tuple[Port, ...]:
        bus = self.params.bus
        return (
            Port("charge", ELECTRICITY, Direction.IN, bus, Role.CHARGE),
            Port("discharge", ELECTRICITY, Direction.OUT, bus, Role.DISCHARGE),
            Port("auxiliary", ELECTRICITY, Direction.IN, bus, Role.USE),
        )

    def outputs(self) -> tuple[Output, ...]:
        return (
            output("soc_kwh", Meaning.STATE, description="stored energy at the end of the step"),
            output("soc_frac", description="stored energy / capacity"),
            output(
                "loss_kw",
                Meaning.LOSS,
                carrier=ELECTRICITY,
                description="conversion and self-discharge losses",
            ),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        grid = ctx.grid
        n = grid.n_steps
        step_h = grid.step_h
        auxiliary_kw = np.full(n, p.auxiliary_power_kw)
        net_kw = ctx.net_demand(p.bus) + auxiliary_kw
        target_kw = self._demand_target_kw(ctx)
        p_ch = self.charge_power_max_kw
        p_dis = self.discharge_power_max_kw

        if p.dispatch == "self_consumption":
            request_kw = dispatch_self_consumption(net_kw)
        elif p.dispatch == "peak_shaving":
            if target_kw is None:
                msg = (
                    f"battery[{self.name}].demand_target_kw: dispatch='peak_shaving' needs "
                    "demand_target_kw, in the battery's params or in grid_connection.demand_target_kw"
                )
                raise ConfigError(msg)
            request_kw = dispatch_peak_shaving(
                net_kw,
                target_kw,
                charge_power_max_kw=p_ch,
                discharge_power_max_kw=p_dis,
                grid_charging=self.grid_charging,
            )
        elif p.dispatch == "lp":
            request_kw = self._lp_request(ctx, net_kw)
        else:
            # grid charging never lifts the import above the target, nor above
            # what the connection can carry
            cap_kw = np.full(n, np.inf) if target_kw is None else target_kw
            if ctx.signals is not None:
                cap_kw = np.minimum(cap_kw, ctx.signals.import_limit_kw)
            request_kw = None  # the controller runs the kernel's arithmetic itself

        soc_initial_kwh = self.soc_initial_kwh
        if request_kw is None:
            charge_kw, discharge_kw, soc_kwh = tou_flows(self, ctx, net_kw, cap_kw)
        else:
            charge_kw, discharge_kw, soc_kwh = self._kernel(request_kw, soc_initial_kwh, step_h)
        loss_kw = _loss_kw(
            charge_kw,
            discharge_kw,
            soc_kwh,
            soc_initial_kwh=soc_initial_kwh,
            efficiency_charge_frac=p.efficiency_charge_frac,
            efficiency_discharge_frac=p.efficiency_discharge_frac,
            step_h=step_h,
        )
        return Flows(
            ports={"charge": charge_kw, "discharge": discharge_kw, "auxiliary": auxiliary_kw},
            outputs={
                "soc_kwh": soc_kwh,
                "soc_frac": soc_kwh / self.capacity_kwh,
                "loss_kw": loss_kw,
            },
        )

    def lp_storage(self, step_h: float) -> LpStorage:
        """This battery as the storage of :func:`twin.dispatch.lp_dispatch` at a step of ``step_h`` [h]."""
        p = self.params
        return LpStorage(
            capacity_kwh=self.capacity_kwh,
            soc_min_kwh=p.soc_min_frac * self.capacity_kwh,
            soc_max_kwh=p.soc_max_frac * self.capacity_kwh,
            soc_initial_kwh=self.soc_initial_kwh,
            charge_power_max_kw=self.charge_power_max_kw,
            discharge_power_max_kw=self.discharge_power_max_kw,
            efficiency_charge_frac=p.efficiency_charge_frac,
            efficiency_discharge_frac=p.efficiency_discharge_frac,
            self_discharge_frac_per_step=self.self_discharge_frac_per_step(step_h),
            grid_charging=self.grid_charging,
            allow_export=p.allow_export,
        )

    def _lp_request(self, ctx: RunContext, net_kw: np.ndarray) -> np.ndarray:
        """Request from the rolling LP of :func:`twin.dispatch.lp_dispatch`."""
        p = self.params
        sig = ctx.signals
        if sig is None:
            msg = f"battery {self.name!r}: dispatch='lp' needs tariff signals (a grid_connection)"
            raise ValueError(msg)
        grid = ctx.grid
        step_h = grid.step_h
        target = self._demand_target_kw(ctx)
        storage = self.lp_storage(step_h)
        charge_kw, discharge_kw = lp_dispatch(
            net_kw,
            storage,
            step_h=step_h,
            import_price_cny_per_kwh=sig.import_price_cny_per_kwh,
            export_price_cny_per_kwh=sig.export_price_cny_per_kwh,
            ef_kg_per_kwh=sig.ef_kg_per_kwh,
            month=grid.month,
            import_limit_kw=sig.import_limit_kw,
            export_limit_kw=sig.export_limit_kw,
            demand_charge_cny_per_kw_month=sig.demand_charge_cny_per_kw_month,
            objective=p.lp_objective,
            carbon_price_cny_per_kg=p.carbon_price_cny_per_kg,
            horizon_steps=max(1, int(round(p.lp_horizon_h / step_h))),
            commit_steps=max(1, int(round(min(p.lp_commit_h, p.lp_horizon_h) / step_h))),
            charge_import_cap_kw=target,
        )
        return discharge_kw - charge_kw

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        """Throughput and, with ageing, the state of health at both ends of the run.

        ``state_of_health_end_frac`` (with ``cycle_fade_end_frac`` and
        ``age_end_h``) is what the next year of a multi-year run starts
        from: pass them as ``cycle_fade_before_frac`` and ``years_in_service``
        (``age_end_h`` / 8766 h).
        """
        p = self.params
        discharge_kwh = float(flows.ports["discharge"].sum()) * grid.step_h
        out = {
            "equivalent_full_cycles_count": discharge_kwh
            / (self.usable_energy_kwh * p.efficiency_discharge_frac),
        }
        if p.ageing:
            soc = np.asarray(flows.outputs["soc_frac"]) * self.state_of_health_frac
            years = grid.n_steps * grid.step_h / (_HOURS_PER_DAY * _DAYS_PER_YEAR)
            cycle = p.cycle_fade_before_frac + cycle_fade_frac(soc, p.cycle_life_80pct_dod)
            calendar = calendar_capacity_frac(
                (p.years_in_service + years) * _DAYS_PER_YEAR, p.cell_temp_c, float(soc.mean())
            )
            out.update(
                state_of_health_start_frac=self.state_of_health_frac,
                state_of_health_end_frac=min(calendar, 1.0 - cycle),
                cycle_fade_end_frac=cycle,
                calendar_capacity_end_frac=calendar,
                age_end_h=(p.years_in_service + years) * _DAYS_PER_YEAR * _HOURS_PER_DAY,
            )
        return out

    @classmethod
    def example_params(cls) -> dict[str, Any]:
        # self_consumption runs without tariff signals or a demand target.
        return {
            "name": "battery",
            "capacity_kwh": 200.0,
            "rated_power_kw": 100.0,
            "dispatch": "self_consumption",
        }

    # -- helpers ----------------------------------------------------------
    def _demand_target_kw(self, ctx: RunContext) -> np.ndarray | None:
        """Per-step import target [kW], ``inf`` where none; None when no target."""
        n = ctx.grid.n_steps
        target = self.params.demand_target_kw
        if isinstance(target, list):
            return np.asarray(target, dtype=np.float64)[ctx.grid.month - 1]
        if target is not None:
            return np.full(n, float(target))
        signals = ctx.signals
        if signals is None or signals.demand_target_kw is None:
            return None
        arr = np.asarray(signals.demand_target_kw, dtype=np.float64)
        if arr.shape != (n,):
            msg = (
                f"battery {self.name!r}: tariff demand_target_kw must have length {n}, "
                f"got shape {arr.shape}"
            )
            raise ValueError(msg)
        # NaN in the tariff's target means "no target at this step".
        return np.where(np.isnan(arr), np.inf, arr)

    def _kernel(
        self, request_kw: np.ndarray, soc_initial_kwh: float, step_h: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`simulate_soc` with this battery's parameters."""
        p = self.params
        cap = self.capacity_kwh
        return simulate_soc(
            request_kw,
            capacity_kwh=cap,
            soc_initial_kwh=soc_initial_kwh,
            soc_min_kwh=p.soc_min_frac * cap,
            soc_max_kwh=p.soc_max_frac * cap,
            charge_power_max_kw=self.charge_power_max_kw,
            discharge_power_max_kw=self.discharge_power_max_kw,
            efficiency_charge_frac=p.efficiency_charge_frac,
            efficiency_discharge_frac=p.efficiency_discharge_frac,
            self_discharge_frac_per_step=self.self_discharge_frac_per_step(step_h),
            step_h=step_h,
        )


def _loss_kw(
    charge_kw: np.ndarray,
    discharge_kw: np.ndarray,
    soc_kwh: np.ndarray,
    *,
    soc_initial_kwh: float,
    efficiency_charge_frac: float,
    efficiency_discharge_frac: float,
    step_h: float,
) -> np.ndarray:
    """Conversion plus self-discharge losses as mean power per step [kW].

    Self-discharge is what the stored-energy balance leaves unexplained:
    ``E_{t-1} + (eta_c P_ch - P_dis / eta_d) dt - E_t``.
    """
    soc_start = np.concatenate(([soc_initial_kwh], soc_kwh[:-1]))
    stored_kw = charge_kw * efficiency_charge_frac - discharge_kw / efficiency_discharge_frac
    self_discharge_kwh = np.maximum(soc_start + stored_kw * step_h - soc_kwh, 0.0)
    conversion_kw = charge_kw * (1.0 - efficiency_charge_frac) + discharge_kw * (
        1.0 / efficiency_discharge_frac - 1.0
    )
    return conversion_kw + self_discharge_kwh / step_h
