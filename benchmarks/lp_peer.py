"""The storage LP as it was before issue 15, kept as the speed peer of bench_dispatch.

scipy ``linprog`` (HiGHS) per rolling window, with the sparse matrices
rebuilt for every window and hard terminal and floor constraints (so it can
be infeasible, see issue 15). Same variables and objective as
``twin.dispatch``; only the benchmark imports it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from twin.dispatch import LpStorage

_UNSERVED_PENALTY = 1e4


def lp_dispatch_linprog(
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

    Returns
    -------
    charge_kw, discharge_kw : array
        Mean AC power per step [kW]; pass them through the battery's SOC
        kernel to obtain the state of charge.
    """
    n = net_demand_kw.size
    per_day = int(round(24 / step_h))
    horizon = horizon_steps or 2 * per_day
    commit = commit_steps or per_day
    if commit > horizon:
        msg = f"commit_steps ({commit}) must not exceed horizon_steps ({horizon})"
        raise ValueError(msg)
    if objective == "cost":
        w_cost, w_co2 = 1.0, 0.0
    elif objective == "emissions":
        w_cost, w_co2 = 1e-6, 1.0
    elif objective == "weighted":
        w_cost, w_co2 = 1.0, float(carbon_price_cny_per_kg)
    else:
        msg = f"objective: expected cost, emissions or weighted, got {objective!r}"
        raise ValueError(msg)
    charge = np.zeros(n)
    discharge = np.zeros(n)
    soc = storage.soc_initial_kwh
    peak_so_far: dict[int, float] = {}
    start = 0
    while start < n:
        end = min(start + horizon, n)
        c, d, e, g = _solve_window(
            net_demand_kw[start:end],
            storage,
            soc,
            step_h,
            import_price_cny_per_kwh[start:end],
            export_price_cny_per_kwh[start:end],
            ef_kg_per_kwh[start:end],
            month[start:end],
            peak_so_far,
            import_limit_kw,
            export_limit_kw,
            demand_charge_cny_per_kw_month,
            w_cost,
            w_co2,
        )
        k = min(commit, end - start)
        charge[start : start + k] = c[:k]
        discharge[start : start + k] = d[:k]
        soc = float(e[k - 1])
        for m in np.unique(month[start : start + k]):
            mask = month[start : start + k] == m
            peak_so_far[int(m)] = max(peak_so_far.get(int(m), 0.0), float(g[:k][mask].max()))
        start += k
    return charge, discharge


def _solve_window(
    net: np.ndarray,
    st: LpStorage,
    soc0: float,
    step_h: float,
    p_imp: np.ndarray,
    p_exp: np.ndarray,
    ef: np.ndarray,
    month: np.ndarray,
    peak_so_far: dict[int, float],
    import_limit: float,
    export_limit: float,
    demand_rate: float,
    w_cost: float,
    w_co2: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    h = net.size
    months = [int(m) for m in np.unique(month)]
    n_p = len(months) if demand_rate > 0 else 0
    # variable blocks: c, d, g, x, s, u, e (each h), then one peak per month
    C, D, G, X, S, U, E = (k * h for k in range(7))
    n_var = 7 * h + n_p
    surplus = np.maximum(-net, 0.0)
    deficit = np.maximum(net, 0.0)

    cost = np.zeros(n_var)
    cost[G : G + h] = (w_cost * p_imp + w_co2 * ef) * step_h
    cost[X : X + h] = -w_cost * p_exp * step_h
    cost[U : U + h] = _UNSERVED_PENALTY * step_h
    cost[C : C + h] = 1e-9  # tie-break: no idle cycling
    if n_p:
        cost[7 * h :] = w_cost * demand_rate

    idx = np.arange(h)
    # balance: g - x + u - s - c + d = net
    rows_eq = [
        sparse.csr_matrix(
            (
                np.concatenate(
                    [np.ones(h), -np.ones(h), np.ones(h), -np.ones(h), -np.ones(h), np.ones(h)]
                ),
                (
                    np.tile(idx, 6),
                    np.concatenate([G + idx, X + idx, U + idx, S + idx, C + idx, D + idx]),
                ),
            ),
            shape=(h, n_var),
        )
    ]
    b_eq = [net]
    # storage: e_t - (1-σ) e_{t-1} - ηc Δt c_t + Δt/ηd d_t = (1-σ) e_0 [t=0]
    keep = 1.0 - st.self_discharge_frac_per_step
    data = [
        np.ones(h),
        -keep * np.ones(h - 1),
        -st.efficiency_charge_frac * step_h * np.ones(h),
        step_h / st.efficiency_discharge_frac * np.ones(h),
    ]
    rows = [idx, idx[1:], idx, idx]
    cols = [E + idx, E + idx[:-1], C + idx, D + idx]
    rows_eq.append(
        sparse.csr_matrix(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(h, n_var)
        )
    )
    rhs = np.zeros(h)
    rhs[0] = keep * soc0
    b_eq.append(rhs)
    a_eq = sparse.vstack(rows_eq, format="csr")

    rows_ub = []
    b_ub = []
    # end of window not below its start
    end_row = sparse.csr_matrix(([-1.0], ([0], [E + h - 1])), shape=(1, n_var))
    rows_ub.append(end_row)
    b_ub.append([-min(soc0, st.soc_max_kwh)])
    if n_p:
        for j, m in enumerate(months):
            sel = idx[month == m]
            a = sparse.csr_matrix(
                (
                    np.concatenate([np.ones(sel.size), -np.ones(sel.size)]),
                    (
                        np.concatenate([np.arange(sel.size)] * 2),
                        np.concatenate([G + sel, np.full(sel.size, 7 * h + j)]),
                    ),
                ),
                shape=(sel.size, n_var),
            )
            rows_ub.append(a)
            b_ub.append(np.zeros(sel.size))
    a_ub = sparse.vstack(rows_ub, format="csr")

    bounds = np.zeros((n_var, 2))
    bounds[:, 1] = np.inf
    bounds[C : C + h, 1] = (
        st.charge_power_max_kw if st.grid_charging else np.minimum(st.charge_power_max_kw, surplus)
    )
    bounds[D : D + h, 1] = (
        st.discharge_power_max_kw
        if st.allow_export
        else np.minimum(st.discharge_power_max_kw, deficit)
    )
    bounds[G : G + h, 1] = import_limit
    bounds[X : X + h, 1] = export_limit if st.allow_export else np.minimum(export_limit, surplus)
    bounds[S : S + h, 1] = surplus
    bounds[E : E + h, 0] = st.soc_min_kwh
    bounds[E : E + h, 1] = st.soc_max_kwh
    if n_p:
        bounds[7 * h :, 0] = [peak_so_far.get(m, 0.0) for m in months]
    # the start may lie outside the window after self-discharge: widen the first bound
    bounds[E, 0] = min(st.soc_min_kwh, keep * soc0)

    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.concatenate(b_ub),
        A_eq=a_eq,
        b_eq=np.concatenate(b_eq),
        bounds=bounds,
        method="highs",
    )
    if res.status != 0:
        msg = f"storage LP failed: {res.message}"
        raise RuntimeError(msg)
    v = res.x
    return (
        np.maximum(v[C : C + h], 0.0),
        np.maximum(v[D : D + h], 0.0),
        v[E : E + h],
        v[G : G + h],
    )
