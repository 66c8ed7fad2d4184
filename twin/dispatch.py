"""Optimal storage dispatch by linear programming (HiGHS through highspy).

The battery's rule-based dispatch lives in ``components/battery_dispatch.py``;
this module is the optimising variant it calls when ``dispatch = "lp"``. It
is part of the small core that components may import (like
``twin.schedule``).

Over a rolling horizon (default: plan 48 h, commit the first 24 h, repeat),
the LP chooses charge :math:`c_t`, discharge :math:`d_t`, grid import
:math:`g_t`, export :math:`x_t`, curtailment :math:`s_t`, unserved load
:math:`u_t` and stored energy :math:`e_t` to minimise

.. math::

    \\sum_t \\big[w_c (p_t g_t - q_t x_t) + w_e f_t g_t + M_u u_t\\big]\\Delta t
    + w_c\\, r_D \\sum_m \\max(0, P_m - \\hat P_m) + M_e v

subject to the bus balance :math:`g_t - x_t + u_t = n_t + s_t + c_t - d_t`
(:math:`n_t` the net demand of loads and generation), the storage balance
:math:`e_t = (1 - \\sigma) e_{t-1} + \\eta_c c_t \\Delta t - d_t \\Delta t / \\eta_d`,
power limits, import and export limits, no export from the battery unless
allowed, and no grid charging unless allowed. :math:`P_m \\ge g_t` is the
month's peak import within the window and :math:`\\hat P_m` the peak already
set earlier in the month, so the demand charge :math:`r_D` [CNY/kW-month] is
paid only for a new monthly peak. Objectives: ``cost`` (:math:`w_c = 1`,
:math:`w_e` = 0), ``emissions`` (:math:`w_e = 1` kg, cost as a 1e-6
tie-break) or ``weighted`` (:math:`w_c = 1`, :math:`w_e` = carbon price
[CNY/kg]).

**Always feasible.** Every constraint that the data can make impossible is
soft or follows the physics:

- load above the import limit is unserved (:math:`u_t`, penalty
  :data:`UNSERVED_PENALTY`), surplus above the export limit is curtailed;
- the stored energy at the end of a window should not be below its start
  (no end-of-horizon draining); the shortfall :math:`v` costs
  :data:`TERMINAL_PENALTY` per kWh, so it is used only where the start
  cannot be restored (self-discharge without grid charging or surplus);
- the SOC floor is :math:`\\min(E_{min}, (1-\\sigma)^{t+1} e_0)`: a battery that
  starts a window below its floor may stay there, decaying by
  self-discharge, until it is recharged (as in
  :func:`components.battery.simulate_soc`).

So for any finite net demand and any storage with valid parameters, the
do-nothing schedule is feasible and the LP has an optimum.

**Built once per run.** The LP of a window has the same matrix for every
window of the same length; only bounds, row bounds and costs change. The
model of each window length (the full horizon, and the last, shorter
window) is built once and updated in place, and HiGHS starts each solve
from the previous basis (hot start).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from highspy import _core as _highs  # the solver core; the public wrapper prints a banner

__all__ = ["TERMINAL_PENALTY", "UNSERVED_PENALTY", "LpStorage", "lp_dispatch"]

UNSERVED_PENALTY = 1e4
"""Cost of unserved load in the LP [objective units per kWh]: far above any
price, so the LP serves load whenever it physically can."""

TERMINAL_PENALTY = 1e3
"""Cost of each kWh the stored energy ends a planning window below its start
[objective units per kWh]: above any energy price plus demand charge per kWh
a battery can shift, below :data:`UNSERVED_PENALTY` (serving load comes
first)."""

_INF = _highs.kHighsInf
_N_BLOCKS = 7  # c, d, g, x, s, u, e
_C, _D, _G, _X, _S, _U, _E = range(_N_BLOCKS)


@dataclass(frozen=True)
class LpStorage:
    """Storage data the LP needs (units as named)."""

    capacity_kwh: float
    soc_min_kwh: float
    soc_max_kwh: float
    soc_initial_kwh: float
    charge_power_max_kw: float
    discharge_power_max_kw: float
    efficiency_charge_frac: float
    efficiency_discharge_frac: float
    self_discharge_frac_per_step: float
    grid_charging: bool = True
    allow_export: bool = False


def lp_dispatch(
    net_demand_kw: np.ndarray,
    storage: LpStorage,
    *,
    step_h: float,
    import_price_cny_per_kwh: np.ndarray,
    export_price_cny_per_kwh: np.ndarray,
    ef_kg_per_kwh: np.ndarray,
    month: np.ndarray,
    import_limit_kw: float = np.inf,
    export_limit_kw: float = np.inf,
    demand_charge_cny_per_kw_month: float = 0.0,
    objective: Literal["cost", "emissions", "weighted"] = "cost",
    carbon_price_cny_per_kg: float = 0.0,
    horizon_steps: int | None = None,
    commit_steps: int | None = None,
    charge_import_cap_kw: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Charge and discharge power per step [kW] chosen by the rolling LP.

    Parameters
    ----------
    net_demand_kw : array
        Load minus generation on the bus before storage [kW] (negative = surplus).
    storage : LpStorage
    step_h : float
        Step length [h].
    import_price_cny_per_kwh, export_price_cny_per_kwh, ef_kg_per_kwh : array
        Per-step prices [CNY/kWh] and grid emission factor [kg CO2/kWh].
    month : array of int
        Month of each step (for the demand charge).
    import_limit_kw, export_limit_kw : float
        Grid limits [kW].
    demand_charge_cny_per_kw_month : float
        Rate on a new monthly import peak [CNY/kW-month].
    objective : {"cost", "emissions", "weighted"}
    carbon_price_cny_per_kg : float
        Weight of emissions for ``weighted`` [CNY/kg CO2].
    horizon_steps, commit_steps : int, optional
        Planning window and committed part; default 48 h and 24 h.
    charge_import_cap_kw : array, optional
        Import level that grid charging may not lift the import above
        (a demand target); ``inf`` where none [kW]. A bound on the charge
        power, so it never makes the LP infeasible.

    Returns
    -------
    charge_kw, discharge_kw : array
        Mean AC power per step [kW]; pass them through the battery's SOC
        kernel to obtain the state of charge.

    Raises
    ------
    ValueError
        Inconsistent horizon, unknown objective, or non-finite inputs.
    RuntimeError
        HiGHS reports no optimum (a bug: the LP is feasible by construction).
    """
    net = np.asarray(net_demand_kw, dtype=np.float64)
    n = net.size
    per_day = max(1, int(round(24 / step_h)))
    horizon = horizon_steps or 2 * per_day
    commit = commit_steps or per_day
    if commit > horizon:
        msg = f"commit_steps ({commit}) must not exceed horizon_steps ({horizon})"
        raise ValueError(msg)
    weights = {
        "cost": (1.0, 0.0),
        "emissions": (1e-6, 1.0),
        "weighted": (1.0, float(carbon_price_cny_per_kg)),
    }
    if objective not in weights:
        msg = f"objective: expected cost, emissions or weighted, got {objective!r}"
        raise ValueError(msg)
    w_cost, w_co2 = weights[objective]
    inputs = (net, import_price_cny_per_kwh, export_price_cny_per_kwh, ef_kg_per_kwh)
    if not all(np.isfinite(np.asarray(a, dtype=np.float64)).all() for a in inputs):
        msg = "lp_dispatch: net demand, prices and emission factors must be finite"
        raise ValueError(msg)
    energy_price = w_cost * np.asarray(import_price_cny_per_kwh, np.float64) + w_co2 * np.asarray(
        ef_kg_per_kwh, np.float64
    )
    export_price = w_cost * np.asarray(export_price_cny_per_kwh, np.float64)
    month = np.asarray(month, dtype=np.int64)
    demand_rate = w_cost * float(demand_charge_cny_per_kw_month)
    charge_cap = (
        np.full(n, np.inf)
        if charge_import_cap_kw is None
        else np.asarray(charge_import_cap_kw, dtype=np.float64)
    )

    models: dict[tuple[int, bool], _WindowLp] = {}
    charge = np.zeros(n)
    discharge = np.zeros(n)
    soc = float(storage.soc_initial_kwh)
    peak_so_far: dict[int, float] = {}
    start = 0
    while start < n:
        end = min(start + horizon, n)
        h = end - start
        key = (h, bool(demand_rate > 0 and month[start] != month[end - 1]))
        model = models.get(key)
        if model is None:
            model = models[key] = _WindowLp(
                h, key[1], storage, step_h, import_limit_kw, export_limit_kw
            )
        c, d, e, g = model.solve(
            net[start:end],
            soc,
            energy_price[start:end],
            export_price[start:end],
            month[start:end],
            peak_so_far,
            demand_rate,
            charge_cap[start:end],
        )
        k = min(commit, h)
        charge[start : start + k] = c[:k]
        discharge[start : start + k] = d[:k]
        soc = float(e[k - 1])
        for m in np.unique(month[start : start + k]).tolist():
            mask = month[start : start + k] == m
            peak_so_far[m] = max(peak_so_far.get(m, 0.0), float(g[:k][mask].max()))
        start += k
    return charge, discharge


class _WindowLp:
    """The LP of one planning window of ``h`` steps, built once, updated per window.

    Columns: seven blocks of ``h`` (c, d, g, x, s, u, e), two monthly peaks
    (the window's first month and the second, used when ``two_months``),
    and the terminal shortfall ``v``. Rows: bus balance (h), storage
    balance (h), peak rows (h, or 2h with ``two_months``: one per peak
    column, the inactive one with an infinite upper bound) and the terminal
    row. A run needs at most four such models (full and last window, within
    one month or across a boundary).
    """

    def __init__(
        self,
        h: int,
        two_months: bool,
        st: LpStorage,
        step_h: float,
        import_limit_kw: float,
        export_limit_kw: float,
    ) -> None:
        self.h = h
        self.st = st
        self.step_h = step_h
        self.keep = 1.0 - st.self_discharge_frac_per_step
        self.import_limit = min(float(import_limit_kw), _INF)
        self.export_limit = min(float(export_limit_kw), _INF)
        n_var = _N_BLOCKS * h + 3
        self.p_a, self.p_b, self.v = _N_BLOCKS * h, _N_BLOCKS * h + 1, _N_BLOCKS * h + 2
        idx = np.arange(h)
        col = {b: b * h + idx for b in range(_N_BLOCKS)}
        self.col = col
        # bus balance: g - x + u - s - c + d = net
        bal_cols = np.stack([col[_G], col[_X], col[_U], col[_S], col[_C], col[_D]], axis=1)
        bal_vals = np.tile([1.0, -1.0, 1.0, -1.0, -1.0, 1.0], (h, 1))
        # storage: e_t - keep e_{t-1} - eta_c dt c_t + dt/eta_d d_t = keep e_0 [t = 0]
        sto_rows: list[tuple[np.ndarray, np.ndarray]] = []
        for t in range(h):
            cols = [col[_E][t], col[_C][t], col[_D][t]]
            vals = [1.0, -st.efficiency_charge_frac * step_h, step_h / st.efficiency_discharge_frac]
            if t > 0:
                cols.append(col[_E][t - 1])
                vals.append(-self.keep)
            sto_rows.append((np.array(cols), np.array(vals)))
        rows: list[tuple[np.ndarray, np.ndarray]] = [(bal_cols[t], bal_vals[t]) for t in range(h)]
        rows += sto_rows
        rows += [(np.array([col[_G][t], self.p_a]), np.array([1.0, -1.0])) for t in range(h)]
        if two_months:
            rows += [(np.array([col[_G][t], self.p_b]), np.array([1.0, -1.0])) for t in range(h)]
        rows.append((np.array([col[_E][h - 1], self.v]), np.array([1.0, 1.0])))
        n_peak = 2 if two_months else 1
        self.row_bal = idx
        self.row_sto = h + idx
        self.row_pa = 2 * h + idx
        self.row_pb = 3 * h + idx if two_months else None
        self.row_term = (2 + n_peak) * h
        n_row = self.row_term + 1

        hs = _highs._Highs()
        hs.setOptionValue("output_flag", False)
        hs.setOptionValue("presolve", "off")  # small LPs; the hot start needs no presolve
        lower = np.zeros(n_var)
        upper = np.full(n_var, _INF)
        cost = np.zeros(n_var)
        cost[col[_U]] = UNSERVED_PENALTY * step_h
        cost[col[_C]] = 1e-9  # tie-break: no idle cycling
        cost[self.v] = TERMINAL_PENALTY
        upper[col[_G]] = self.import_limit
        hs.addCols(
            n_var,
            cost,
            lower,
            upper,
            0,
            np.array([], np.int32),
            np.array([], np.int32),
            np.array([], np.float64),
        )
        starts = np.cumsum([0] + [r[0].size for r in rows[:-1]]).astype(np.int32)
        index = np.concatenate([r[0] for r in rows]).astype(np.int32)
        value = np.concatenate([r[1] for r in rows]).astype(np.float64)
        hs.addRows(
            n_row, np.full(n_row, -_INF), np.full(n_row, _INF), index.size, starts, index, value
        )
        self.hs = hs
        self.all_cols = np.arange(n_var, dtype=np.int32)
        self.lower = lower
        self.upper = upper
        self.cost = cost
        self.all_rows = np.arange(n_row, dtype=np.int32)
        self.row_lo = np.full(n_row, -_INF)
        self.row_hi = np.full(n_row, _INF)
        self.decay = self.keep ** (idx + 1.0)

    def solve(
        self,
        net: np.ndarray,
        soc0: float,
        energy_price: np.ndarray,
        export_price: np.ndarray,
        month: np.ndarray,
        peak_so_far: dict[int, float],
        demand_rate: float,
        charge_cap: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        h, st, col, step_h = self.h, self.st, self.col, self.step_h
        surplus = np.maximum(-net, 0.0)
        deficit = np.maximum(net, 0.0)
        lo, hi, cost = self.lower, self.upper, self.cost
        grid_room = np.maximum(np.minimum(charge_cap, _INF) - net, surplus)
        hi[col[_C]] = np.minimum(st.charge_power_max_kw, grid_room if st.grid_charging else surplus)
        hi[col[_D]] = (
            st.discharge_power_max_kw
            if st.allow_export
            else np.minimum(st.discharge_power_max_kw, deficit)
        )
        hi[col[_X]] = (
            self.export_limit if st.allow_export else np.minimum(self.export_limit, surplus)
        )
        hi[col[_S]] = surplus
        # the floor, or the self-discharge path from a start below it
        lo[col[_E]] = np.minimum(st.soc_min_kwh, soc0 * self.decay)
        hi[col[_E]] = np.maximum(st.soc_max_kwh, lo[col[_E]])
        cost[col[_G]] = energy_price * step_h
        cost[col[_X]] = -export_price * step_h
        first = int(month[0])
        in_a = month == first
        second = int(month[~in_a][0]) if not in_a.all() else None
        rate = demand_rate if demand_rate > 0 else 0.0
        cost[self.p_a] = rate
        cost[self.p_b] = rate if second is not None else 0.0
        lo[self.p_a] = peak_so_far.get(first, 0.0) if rate else 0.0
        lo[self.p_b] = peak_so_far.get(second, 0.0) if (rate and second is not None) else 0.0
        row_lo, row_hi = self.row_lo, self.row_hi
        row_lo[self.row_bal] = net
        row_hi[self.row_bal] = net
        rhs = np.zeros(h)
        rhs[0] = self.keep * soc0
        row_lo[self.row_sto] = rhs
        row_hi[self.row_sto] = rhs
        active_a = bool(rate) & in_a
        active_b = bool(rate) & ~in_a
        row_hi[self.row_pa] = np.where(active_a, 0.0, _INF)
        if self.row_pb is not None:
            row_hi[self.row_pb] = np.where(active_b, 0.0, _INF)
        row_lo[self.row_term] = min(soc0, st.soc_max_kwh)
        hs = self.hs
        hs.changeColsBounds(self.all_cols.size, self.all_cols, lo, hi)
        hs.changeColsCost(self.all_cols.size, self.all_cols, cost)
        hs.changeRowsBounds(self.all_rows.size, self.all_rows, row_lo, row_hi)
        hs.run()
        status = hs.getModelStatus()
        if status != _highs.HighsModelStatus.kOptimal:
            msg = f"storage LP failed: {hs.modelStatusToString(status)} (a bug: the LP is always feasible)"
            raise RuntimeError(msg)
        x = np.asarray(hs.getSolution().col_value)
        return (np.maximum(x[col[_C]], 0.0), np.maximum(x[col[_D]], 0.0), x[col[_E]], x[col[_G]])
