"""Change-point baselines on daily or monthly data, and the choice between them.

How does energy per day depend on outdoor temperature (and production)?
The ASHRAE inverse models: 1P (mean), 2P (linear), 3P heating and cooling
(one balance point, one slope), 4P (one change point, a slope either side)
and 5P (heating and cooling balance points with a dead band), fitted by
(weighted) least squares with a grid search over the change points (0.5 °C,
then 0.05 °C around the best). Each
observation's degree days are the mean over its days of the daily degree
days, so bills of any length are fitted on the same footing as days
(CalTRACK 2.0 §3.2-3.4: weighted by days for billing data). Production
volume and custom drivers enter as extra regressors (per day).

The choice (:func:`select_model`) says what it tried and why it chose: a
candidate qualifies when every temperature slope has the physical sign and a
t-statistic of at least 2, and enough observations lie on each side of its
change points; among those the highest adjusted R² wins, a simpler model
when within 0.002. A mean-only model is chosen only when no temperature
model qualifies, and then it says so.

References
----------
.. [1] J. K. Kissock, J. S. Haberl, D. E. Claridge, "Inverse Modeling
   Toolkit: numerical algorithms", ASHRAE Transactions 109(2), 2003
   (ASHRAE RP-1050).
.. [2] ASHRAE Guideline 14-2014, Annex D (regression models).
.. [3] CalTRACK 2.0 methods, sections 3.2-3.4.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from twin.mv.drivers import PeriodData
from twin.mv.stats import FitStatistics, fit_statistics

__all__ = [
    "CHANGE_POINT_MODELS",
    "Candidate",
    "ChangePointModel",
    "fit_change_point",
    "select_model",
]

CHANGE_POINT_MODELS = ("1p", "2p", "3ph", "3pc", "4p", "5p")
"""Model types, in order of increasing complexity."""

T_MIN = 2.0
"""Smallest |t| of a temperature slope for a candidate to qualify (about
95 % two-sided for the sample sizes of M&V; ASHRAE RP-1050 practice)."""

ADJ_R2_TIE = 0.002
"""Adjusted-R² margin within which the simpler qualifying model is chosen."""

GRID_STEP_C = 0.5
"""Change-point search step [°C] (CalTRACK asks for at most 3 °F = 1.7 °C)."""

REFINE_STEP_C = 0.05
"""Step of the second search, within one grid step either side of the best
grid point [°C] (the IMT practice of a coarse then a fine search)."""


@dataclass
class ChangePointModel:
    """A fitted change-point model.

    Attributes
    ----------
    kind : str
        One of :data:`CHANGE_POINT_MODELS`.
    coefficients : dict of str to float
        ``intercept_kwh_per_day``; ``heating_slope_kwh_per_day_k``,
        ``cooling_slope_kwh_per_day_k`` (3P/5P; 4P: below and above the
        change point), ``slope_kwh_per_day_k`` (2P); one per driver
        (``<name>`` in kWh per driver unit).
    change_points_c : dict of str to float
        ``heating_c``, ``cooling_c`` or ``change_point_c`` [°C].
    std_errors, t_stats, p_values : dict of str to float
    drivers : list of str
    n_params : int
        Regression coefficients plus change points (the ASHRAE count:
        a 3P model has three).
    """

    kind: str
    coefficients: dict[str, float]
    change_points_c: dict[str, float]
    std_errors: dict[str, float]
    t_stats: dict[str, float]
    p_values: dict[str, float]
    drivers: list[str]
    n_params: int

    def predict_kwh(self, data: PeriodData) -> np.ndarray:
        """Energy per observation of ``data`` [kWh]."""
        X, names = _design(self.kind, self.change_points_c, data, self.drivers)
        beta = np.array([self.coefficients[n] for n in names])
        return (X @ beta) * data.days

    def describe(self) -> str:
        cps = ", ".join(f"{k} {v:.1f} °C" for k, v in self.change_points_c.items())
        return f"{self.kind.upper()}" + (f" ({cps})" if cps else "")

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "coefficients": self.coefficients,
            "change_points_c": self.change_points_c,
            "std_errors": self.std_errors,
            "t_stats": self.t_stats,
            "p_values": self.p_values,
            "n_params": self.n_params,
        }


def _temperature_terms(
    kind: str, cps: dict[str, float], data: PeriodData
) -> tuple[list[np.ndarray], list[str]]:
    t = data.temp_c
    if kind == "1p":
        return [], []
    if kind == "2p":
        return [data.per_day(t)], ["slope_kwh_per_day_k"]
    dd = data.degree_days
    if kind == "3ph":
        return [data.per_day(dd(cps["heating_c"], "heating"))], ["heating_slope_kwh_per_day_k"]
    if kind == "3pc":
        return [data.per_day(dd(cps["cooling_c"], "cooling"))], ["cooling_slope_kwh_per_day_k"]
    if kind == "4p":
        cp = cps["change_point_c"]
        return (
            [data.per_day(dd(cp, "heating")), data.per_day(dd(cp, "cooling"))],
            ["heating_slope_kwh_per_day_k", "cooling_slope_kwh_per_day_k"],
        )
    return (
        [
            data.per_day(dd(cps["heating_c"], "heating")),
            data.per_day(dd(cps["cooling_c"], "cooling")),
        ],
        ["heating_slope_kwh_per_day_k", "cooling_slope_kwh_per_day_k"],
    )


def _design(
    kind: str, cps: dict[str, float], data: PeriodData, drivers: list[str]
) -> tuple[np.ndarray, list[str]]:
    cols, names = _temperature_terms(kind, cps, data)
    cols = [np.ones(data.n), *cols, *[data.per_day(data.drivers[d]) for d in drivers]]
    return np.column_stack(cols), ["intercept_kwh_per_day", *names, *drivers]


_TERMS: dict[tuple, tuple] = {}
"""Degree-day columns of recent fits for every grid value, keyed by the
data's temperature arrays (repeated fits on the same days with other
energy values, e.g. noise draws, reuse them)."""


def _terms(data: PeriodData, values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    key = (id(data.averaging), id(data.temp_c), id(data.temp_hourly_c), tuple(values))
    hit = _TERMS.get(key)
    if hit is None:
        heat = np.array([data.per_day(data.degree_days(v, "heating")) for v in values])
        cool = np.array([data.per_day(data.degree_days(v, "cooling")) for v in values])
        # the arrays whose ids make the key are kept alive with the entry
        hit = (heat, cool, (data.averaging, data.temp_c, data.temp_hourly_c))
        if len(_TERMS) >= 16:
            _TERMS.pop(next(iter(_TERMS)))
        _TERMS[key] = hit
    return hit[0], hit[1]


_SYSTEMS: dict[tuple, tuple] = {}
"""Normal-equation matrices (inverted) of recent change-point searches; they
depend on temperature, drivers and weights only, so a search on the same days
with other energy values (noise draws, a reporting-period refit) reuses them."""


def _systems(kind, options, data, F, w):
    """Degree-day terms per option, the inverse normal matrices and which
    options are well conditioned."""
    values = sorted({v for cps in options for v in cps.values()})
    pos = {v: i for i, v in enumerate(values)}
    heat, cool = _terms(data, values)
    # each temperature term: (grid matrix, index of the grid value per option)
    if kind == "3ph":
        T = [(heat, np.array([pos[o["heating_c"]] for o in options]))]
    elif kind == "3pc":
        T = [(cool, np.array([pos[o["cooling_c"]] for o in options]))]
    elif kind == "4p":
        idx = np.array([pos[o["change_point_c"]] for o in options])
        T = [(heat, idx), (cool, idx)]
    else:
        T = [
            (heat, np.array([pos[o["heating_c"]] for o in options])),
            (cool, np.array([pos[o["cooling_c"]] for o in options])),
        ]
    m, f, t = len(options), F.shape[1], len(T)
    Fw = F * w[:, None]
    gram = np.empty((m, f + t, f + t))
    gram[:, :f, :f] = F.T @ Fw
    for i, (Gi, ii) in enumerate(T):
        cross = (Gi @ Fw)[ii]  # (m, f)
        gram[:, f + i, :f] = cross
        gram[:, :f, f + i] = cross
        for j, (Gj, jj) in enumerate(T):
            gram[:, f + i, f + j] = ((Gi * w) @ Gj.T)[ii, jj]
    eig = np.linalg.eigvalsh(gram)
    ok = eig[:, 0] > 1e-10 * np.maximum(eig[:, -1], 1e-300)
    inverse = np.zeros_like(gram)
    if ok.any():
        inverse[ok] = np.linalg.inv(gram[ok])
    return T, inverse, ok


def _best_option(kind, options, data, drivers, y, w):
    """The change points of least weighted SSE.

    Every option is solved at once through its normal equations, assembled
    from blocks: fixed columns F (intercept, drivers) and the degree-day
    columns of each grid value, so no per-option design is built; the
    winner is re-solved by ``lstsq``.
    """
    sw = np.sqrt(w)
    F = np.column_stack([np.ones(data.n), *[data.per_day(data.drivers[d]) for d in drivers]])
    if kind in ("1p", "2p"):
        X, names = _design(kind, options[0], data, drivers)
        b, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
        r = (y - X @ b) * sw
        return float(r @ r), options[0], b, X, names
    key = (
        kind,
        tuple(drivers),
        id(data.averaging),
        id(data.temp_c),
        id(data.temp_hourly_c),
        tuple(id(data.drivers[d]) for d in drivers),
        w.tobytes(),
        len(options),
        tuple(options[0].values()),
        tuple(options[-1].values()),
    )
    hit = _SYSTEMS.get(key)
    if hit is None:
        hit = _systems(kind, options, data, F, w) + (
            (data.averaging, data.temp_c, data.temp_hourly_c, data.drivers),
        )
        if len(_SYSTEMS) >= 16:
            _SYSTEMS.pop(next(iter(_SYSTEMS)))
        _SYSTEMS[key] = hit
    T, inverse, ok, _ = hit
    if not ok.any():
        return None
    wy = w * y
    m = len(options)
    rhs = np.concatenate(
        [np.broadcast_to(F.T @ wy, (m, F.shape[1])), *[(Gi @ wy)[ii][:, None] for Gi, ii in T]],
        axis=1,
    )
    beta = np.einsum("oij,oj->oi", inverse, rhs)
    sse = float(w @ (y * y)) - np.einsum("oi,oi->o", beta, rhs)
    sse[~ok] = np.inf
    i = int(np.argmin(sse))
    X, names = _design(kind, options[i], data, drivers)
    b, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
    r = (y - X @ b) * sw
    return float(r @ r), options[i], b, X, names


@dataclass
class Candidate:
    """One model tried by :func:`select_model`: its fit, and whether and why
    it qualified."""

    kind: str
    model: ChangePointModel | None
    stats: FitStatistics | None
    qualified: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.kind,
            "qualified": self.qualified,
            "reasons": self.reasons,
            "description": self.model.describe() if self.model else None,
            "adj_r2": self.stats.adj_r2 if self.stats else None,
            "cvrmse": self.stats.cvrmse if self.stats else None,
            "t_stats": self.model.t_stats if self.model else None,
        }


def _grid(data: PeriodData) -> np.ndarray:
    t = data.temp_c
    lo, hi = np.nanpercentile(t, 5), np.nanpercentile(t, 95)
    return np.arange(np.floor(lo / GRID_STEP_C) * GRID_STEP_C, hi + 1e-9, GRID_STEP_C)


def _refined_options(
    cps: dict[str, float], fixed: dict[str, float], grid: np.ndarray
) -> list[dict[str, float]]:
    """Change points on a 0.05 °C grid within one grid step of ``cps``, the
    chosen (fixed) ones kept, inside the searched range."""
    searched = [k for k in cps if k not in fixed]
    if not searched or grid.size == 0:
        return []
    k = int(round(GRID_STEP_C / REFINE_STEP_C))
    steps = np.arange(-k, k + 1) * REFINE_STEP_C
    lo, hi = float(grid[0]), float(grid[-1])
    axes = {
        key: (
            [cps[key]]
            if key not in searched
            else [round(float(v), 2) for v in cps[key] + steps if lo - 1e-9 <= v <= hi + 1e-9]
        )
        for key in cps
    }
    keys = list(axes)
    options = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*axes.values())]
    return [o for o in options if o.get("cooling_c", np.inf) > o.get("heating_c", -np.inf)]


def fit_change_point(
    data: PeriodData,
    kind: str,
    drivers: list[str] | None = None,
    fixed: dict[str, float] | None = None,
) -> Candidate:
    """Fit one change-point model type by least squares over a change-point grid.

    Parameters
    ----------
    data : PeriodData
        Baseline observations (days or bills).
    kind : str
        ``1p``, ``2p``, ``3ph``, ``3pc``, ``4p`` or ``5p``.
    drivers : list of str, optional
        Names of ``data.drivers`` to add as regressors (per day).
    fixed : dict of str to float, optional
        Balance points chosen rather than searched (``heating_c``,
        ``cooling_c``, ``change_point_c``) [°C]; they are not counted as
        fitted parameters.

    Returns
    -------
    Candidate
        With ``qualified`` and the reasons it did not qualify, if any.
    """
    drivers = list(drivers or [])
    fixed = dict(fixed or {})
    y = data.energy_kwh / data.days
    w = data.days
    grid = _grid(data)
    if kind in ("1p", "2p"):
        options: list[dict[str, float]] = [{}]
    elif kind == "3ph":
        options = [{"heating_c": float(c)} for c in grid]
    elif kind == "3pc":
        options = [{"cooling_c": float(c)} for c in grid]
    elif kind == "4p":
        options = [{"change_point_c": float(c)} for c in grid]
    else:
        options = [
            {"heating_c": float(a), "cooling_c": float(b)} for a in grid for b in grid if b > a
        ]
    if fixed:  # chosen balance points replace the searched ones
        unique = dict.fromkeys(tuple((k, fixed.get(k, v)) for k, v in o.items()) for o in options)
        options = [dict(t) for t in unique]
        options = [o for o in options if o.get("cooling_c", np.inf) > o.get("heating_c", -np.inf)]
        if not options:
            return Candidate(
                kind,
                None,
                None,
                False,
                ["the chosen balance points leave no heating below cooling"],
            )
    best = _best_option(kind, options, data, drivers, y, w)
    if best is None:
        return Candidate(kind, None, None, False, ["no change point gives a full-rank design"])
    fine = _refined_options(best[1], fixed, grid)
    if fine:
        better = _best_option(kind, fine, data, drivers, y, w)
        if better is not None and better[0] < best[0]:
            best = better
    sse, cps, beta, X, names = best
    n, k = X.shape
    n_params = k + len([c for c in cps if c not in fixed])
    dof = n - n_params
    if dof <= 0:
        return Candidate(kind, None, None, False, [f"{n} observations for {n_params} parameters"])
    from scipy import stats as st

    sigma2 = sse / dof
    cov = sigma2 * np.linalg.inv((X * w[:, None]).T @ X)
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    tstat = np.divide(beta, se, out=np.full_like(beta, np.inf), where=se > 0)
    pval = 2.0 * st.t.sf(np.abs(tstat), dof)
    model = ChangePointModel(
        kind=kind,
        coefficients=dict(zip(names, map(float, beta), strict=True)),
        change_points_c=cps,
        std_errors=dict(zip(names, map(float, se), strict=True)),
        t_stats=dict(zip(names, map(float, tstat), strict=True)),
        p_values=dict(zip(names, map(float, pval), strict=True)),
        drivers=drivers,
        n_params=n_params,
    )
    pred = model.predict_kwh(data)
    fstats = fit_statistics(data.energy_kwh, pred, n_params, weights=None)
    reasons = _disqualify(model, data, X, names)
    return Candidate(kind, model, fstats, not reasons, reasons)


def _disqualify(
    model: ChangePointModel, data: PeriodData, X: np.ndarray, names: list[str]
) -> list[str]:
    reasons: list[str] = []
    c, t = model.coefficients, model.t_stats
    sloped = [n for n in names if "slope" in n]
    for name in sloped:
        sign_ok = c[name] > 0 or model.kind in ("2p", "4p")
        if not sign_ok:
            reasons.append(
                f"{name} {c[name]:.4g} has the wrong sign (energy must rise away from the balance point)"
            )
        if abs(t[name]) < T_MIN:
            reasons.append(f"{name} not significant (|t| = {abs(t[name]):.2f} < {T_MIN:g})")
    if (
        model.kind == "4p"
        and c["heating_slope_kwh_per_day_k"] <= 0
        and c["cooling_slope_kwh_per_day_k"] <= 0
    ):
        reasons.append("4P with no side rising away from the change point")
    minimum = max(2, int(np.ceil(0.1 * data.n)))
    for j, name in enumerate(names):
        if "slope" in name and model.kind not in ("2p",):
            nonzero = int(np.count_nonzero(X[:, j] > 1e-9))
            if nonzero < minimum:
                reasons.append(
                    f"only {nonzero} observation(s) beyond the change point for {name} "
                    f"(need {minimum}, 10 % of the data)"
                )
    return reasons


def select_model(
    data: PeriodData,
    drivers: list[str] | None = None,
    kinds: tuple[str, ...] = CHANGE_POINT_MODELS,
    fixed: dict[str, float] | None = None,
) -> tuple[Candidate, list[Candidate], str]:
    """Fit every model type and choose one.

    Returns
    -------
    (Candidate, list of Candidate, str)
        The chosen candidate, all candidates in the order tried, and the
        reason for the choice in one sentence.
    """
    cands = [fit_change_point(data, k, drivers, fixed) for k in kinds]
    temp_models = [c for c in cands if c.kind != "1p" and c.qualified]
    if temp_models:
        best = max(temp_models, key=lambda c: c.stats.adj_r2)
        simpler = [
            c
            for c in temp_models
            if c.stats.adj_r2 >= best.stats.adj_r2 - ADJ_R2_TIE
            and c.model.n_params < best.model.n_params
        ]
        chosen = min(simpler, key=lambda c: c.model.n_params) if simpler else best
        why = (
            f"{chosen.kind.upper()} has the highest adjusted R² ({chosen.stats.adj_r2:.4f}) of the "
            f"{len(temp_models)} qualifying temperature model(s)"
        )
        if chosen is not best:
            why += (
                f"; chosen over {best.kind.upper()} ({best.stats.adj_r2:.4f}) as simpler within "
                f"{ADJ_R2_TIE}"
            )
        return chosen, cands, why
    mean_model = next(c for c in cands if c.kind == "1p")
    drivers_txt = f" plus {', '.join(drivers)}" if drivers else ""
    why = (
        "no temperature model qualified (see each candidate's reasons): the baseline is the mean"
        f"{drivers_txt}, i.e. energy found independent of outdoor temperature"
    )
    return mean_model, cands, why
