"""Battery storage: how much energy a stationary battery shifts, and when.

The physical question is the state of charge (SOC) of a battery that
charges from and discharges to an AC bus through a power conversion system,
under a rule-based dispatch. The module has three layers (STYLE.md 1.1):

- :func:`simulate_soc`, the stateful kernel: the only loop over steps. It
  turns a per-step request into feasible charge and discharge flows and the
  SOC, honouring power limits, the SOC window, conversion efficiencies and
  self-discharge.
- Vectorised dispatch rules that build the request before the kernel, in
  :mod:`components.battery_dispatch` (re-exported here):
  :func:`dispatch_self_consumption`, :func:`dispatch_peak_shaving`,
  :func:`dispatch_tou_arbitrage`, with :func:`plan_tou_windows` choosing the
  charge and discharge windows of one day's time-of-use (TOU) pattern,
  including two cycles per day (两充两放).
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
from twin.components.battery_dispatch import (
    dispatch_peak_shaving,
    dispatch_self_consumption,
    dispatch_tou_arbitrage,
    plan_tou_windows,
)

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
        ``[soc_min_kwh, soc_max_kwh]`` [kWh].
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

        E'_t = \max(E_{t-1}(1 - \sigma),\ E_{min})

        E_t = E'_t + \left(\eta_c P^{ch}_t - P^{dis}_t / \eta_d\right)\Delta t

    with :math:`P^{ch}_t \le \min(-r_t, P^{ch}_{max}, (E_{max} - E'_t) /
    (\eta_c \Delta t))` when :math:`r_t < 0` and :math:`P^{dis}_t \le
    \min(r_t, P^{dis}_{max}, (E'_t - E_{min})\eta_d / \Delta t)` when
    :math:`r_t > 0`. Self-discharge does not take the SOC below
    :math:`E_{min}`: the battery management system is assumed to hold the
    floor, and the tiny maintenance energy is neglected.

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
    soc = min(max(float(soc_initial_kwh), soc_min_kwh), soc_max_kwh)
    # The only loop over steps (STYLE.md): plain floats, no numpy scalars.
    for i, r in enumerate(req.tolist()):
        s = soc * keep
        if s < lo:
            s = lo
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
            # a few ulps outside (frac x capacity rounding) count as inside
            lo - 1e-9 * max(cap, 1.0) <= kw["soc_initial_kwh"] <= hi + 1e-9 * max(cap, 1.0),
            f"soc_initial_kwh must lie in [soc_min_kwh, soc_max_kwh] = [{lo}, {hi}], "
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
        default=0.94,
        description=(
            "One-way AC-to-stored efficiency when charging [-]. Default 0.94 (round trip "
            "0.94 x 0.94 = 0.88 AC-AC) is an assumption: no citable default was found "
            "(FACTS.md section 7: NREL ATB assumes 85 % for utility-scale Li-ion, C&I LFP "
            "cabinets are quoted at 85-90 %, one measured BESS dataset gives 86.3 %)."
        ),
        gt=0,
        le=1,
    )
    efficiency_discharge_frac: float = Field(
        default=0.94,
        description=(
            "One-way stored-to-AC efficiency when discharging [-]. Default 0.94 is an "
            "assumption (see efficiency_charge_frac; no citable default was found)."
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
            "drawn from the bus at every step through the 'auxiliary' port [kW]."
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
        default=0.0, ge=0.0, allow_inf_nan=False,
        description="Weight of emissions for lp_objective='weighted' [CNY/kg CO2].",
    )
    lp_horizon_h: float = Field(
        default=48.0, gt=0.0, le=24.0 * 14, allow_inf_nan=False,
        description="Planning window of dispatch='lp' [h].",
    )
    lp_commit_h: float = Field(
        default=24.0, gt=0.0, le=24.0 * 14, allow_inf_nan=False,
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
    - ``tou_arbitrage`` (:func:`dispatch_tou_arbitrage`): always absorb
      surplus; charge from the grid in the charge windows and discharge in
      the discharge windows of :func:`plan_tou_windows`, planned once per
      distinct day pattern (TOU periods and prices over one local day) and
      broadcast to every day with that pattern.
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
    def usable_energy_kwh(self) -> float:
        """Stored energy between the ends of the SOC window [kWh]."""
        p = self.params
        return (p.soc_max_frac - p.soc_min_frac) * p.capacity_kwh

    @property
    def soc_initial_kwh(self) -> float:
        """Stored energy at the start of the run [kWh]."""
        p = self.params
        frac = p.soc_initial_frac
        if frac is None:
            frac = 0.5 * (p.soc_min_frac + p.soc_max_frac)
        return frac * p.capacity_kwh

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
            output("loss_kw", Meaning.LOSS, carrier=ELECTRICITY,
                   description="conversion and self-discharge losses"),
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
            charge_window, discharge_window = self._tou_windows(ctx)
            # grid charging never lifts the import above the target, nor above
            # what the connection can carry
            cap_kw = np.full(n, np.inf) if target_kw is None else target_kw
            if ctx.signals is not None:
                cap_kw = np.minimum(cap_kw, ctx.signals.import_limit_kw)
            request_kw = dispatch_tou_arbitrage(
                net_kw,
                charge_window,
                discharge_window,
                cap_kw,
                charge_power_max_kw=p_ch,
                discharge_power_max_kw=p_dis,
                grid_charging=self.grid_charging,
                allow_export=p.allow_export,
            )

        soc_initial_kwh = self.soc_initial_kwh
        charge_kw, discharge_kw, soc_kwh = simulate_soc(
            request_kw,
            capacity_kwh=p.capacity_kwh,
            soc_initial_kwh=soc_initial_kwh,
            soc_min_kwh=p.soc_min_frac * p.capacity_kwh,
            soc_max_kwh=p.soc_max_frac * p.capacity_kwh,
            charge_power_max_kw=p_ch,
            discharge_power_max_kw=p_dis,
            efficiency_charge_frac=p.efficiency_charge_frac,
            efficiency_discharge_frac=p.efficiency_discharge_frac,
            self_discharge_frac_per_step=self.self_discharge_frac_per_step(step_h),
            step_h=step_h,
        )
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
                "soc_frac": soc_kwh / p.capacity_kwh,
                "loss_kw": loss_kw,
            },
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
        import_limit = sig.import_limit_kw if target is None else min(sig.import_limit_kw, float(np.max(target)))
        if import_limit < float(np.max(net_kw)):
            import_limit = sig.import_limit_kw  # a target below the load itself cannot bind the LP
        storage = LpStorage(
            capacity_kwh=p.capacity_kwh,
            soc_min_kwh=p.soc_min_frac * p.capacity_kwh,
            soc_max_kwh=p.soc_max_frac * p.capacity_kwh,
            soc_initial_kwh=self.soc_initial_kwh,
            charge_power_max_kw=self.charge_power_max_kw,
            discharge_power_max_kw=self.discharge_power_max_kw,
            efficiency_charge_frac=p.efficiency_charge_frac,
            efficiency_discharge_frac=p.efficiency_discharge_frac,
            self_discharge_frac_per_step=self.self_discharge_frac_per_step(step_h),
            grid_charging=self.grid_charging,
            allow_export=p.allow_export,
        )
        charge_kw, discharge_kw = lp_dispatch(
            net_kw, storage, step_h=step_h,
            import_price_cny_per_kwh=sig.import_price_cny_per_kwh,
            export_price_cny_per_kwh=sig.export_price_cny_per_kwh,
            ef_kg_per_kwh=sig.ef_kg_per_kwh, month=grid.month,
            import_limit_kw=import_limit, export_limit_kw=sig.export_limit_kw,
            demand_charge_cny_per_kw_month=sig.demand_charge_cny_per_kw_month,
            objective=p.lp_objective, carbon_price_cny_per_kg=p.carbon_price_cny_per_kg,
            horizon_steps=max(1, int(round(p.lp_horizon_h / step_h))),
            commit_steps=max(1, int(round(min(p.lp_commit_h, p.lp_horizon_h) / step_h))),
        )
        return discharge_kw - charge_kw

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

    def _tou_windows(self, ctx: RunContext) -> tuple[np.ndarray, np.ndarray]:
        """Charge and discharge windows on the grid, planned once per day pattern."""
        signals = ctx.signals
        if signals is None:
            msg = (
                f"battery {self.name!r}: dispatch='tou_arbitrage' needs tariff signals "
                "(TOU periods and prices), but the run has none"
            )
            raise ValueError(msg)
        n = ctx.grid.n_steps
        period = np.asarray(signals.period, dtype=np.int64)
        price = np.asarray(signals.import_price_cny_per_kwh, dtype=np.float64)
        if period.shape != (n,) or price.shape != (n,):
            msg = (
                f"battery {self.name!r}: tariff period and import price must have length {n}, "
                f"got shapes {period.shape} and {price.shape}"
            )
            raise ValueError(msg)
        p = self.params
        p_dis = self.discharge_power_max_kw
        duration_h = self.usable_energy_kwh * p.efficiency_discharge_frac / p_dis
        roundtrip = p.efficiency_charge_frac * p.efficiency_discharge_frac
        day_start = np.flatnonzero(np.diff(ctx.grid.day_number)) + 1
        bounds = zip([0, *day_start.tolist()], [*day_start.tolist(), n], strict=True)
        plans: dict[tuple[bytes, bytes], tuple[np.ndarray, np.ndarray]] = {}
        charge_parts: list[np.ndarray] = []
        discharge_parts: list[np.ndarray] = []
        for start, end in bounds:
            key = (period[start:end].tobytes(), price[start:end].tobytes())
            plan = plans.get(key)
            if plan is None:
                plan = plan_tou_windows(
                    period[start:end],
                    price[start:end],
                    step_h=ctx.grid.step_h,
                    discharge_duration_h=duration_h,
                    efficiency_roundtrip_frac=roundtrip,
                    cycles_per_day=p.cycles_per_day,
                )
                plans[key] = plan
            charge_parts.append(plan[0])
            discharge_parts.append(plan[1])
        return np.concatenate(charge_parts), np.concatenate(discharge_parts)


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
