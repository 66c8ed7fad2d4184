"""Goodness of fit and savings uncertainty: ASHRAE Guideline 14 statistics.

How well does a baseline (or a calibrated twin) reproduce the meter, and how
uncertain are the savings computed from it? The criteria and their sources
are data (``twin/data/mv_criteria.csv``): Guideline 14's calibration limits
(NMBE, CV(RMSE)) per data interval, the 50 % at 68 % savings-uncertainty
criterion, and the Annex B fractional savings uncertainty (FSU) with the
autocorrelation correction of Reddy and Claridge (2000).

References
----------
.. [1] ASHRAE Guideline 14-2014, Measurement of Energy, Demand, and Water
   Savings, sections 4.1.1 and 5.3.2.4, Annex B (Eq. B-22, B-28).
.. [2] T. A. Reddy and D. E. Claridge, "Uncertainty of 'measured' energy
   savings from statistical baseline models", HVAC&R Research 6(1), 2000.
.. [3] US DOE FEMP, M&V Guidelines: Measurement and Verification for
   Performance-Based Contracts, version 4.0, 2015.
.. [4] Y. Sun and J.-C. Baltazar, "Analysis and improvement on the
   estimation of building energy savings uncertainty", ASHRAE Transactions
   119(1), 2013 (the polynomial replacing 1.26 for daily and monthly data).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from scipy import stats as _st

__all__ = [
    "CONFIDENCE_LEVELS",
    "FSU_FORMS",
    "Criterion",
    "EffectiveDofError",
    "FitStatistics",
    "criteria",
    "criterion",
    "cvrmse",
    "effective_n",
    "fit_statistics",
    "fractional_savings_uncertainty",
    "lag1_autocorrelation",
    "nmbe",
    "savings_uncertainty_kwh",
    "t_two_sided",
]

CONFIDENCE_LEVELS = (0.68, 0.80, 0.90, 0.95)
"""Confidence levels at which every savings interval is reported."""


class EffectiveDofError(ValueError):
    """The ``effective_dof`` form has no degrees of freedom left (n' <= p)."""


FSU_FORMS = ("scaled", "effective_dof")
"""How the autocorrelation correction enters Eq. B-28 (see
:func:`savings_uncertainty_kwh`)."""


@dataclass(frozen=True)
class Criterion:
    """One row of ``mv_criteria.csv``: a limit with its source."""

    criterion: str
    interval: str
    limit: str
    unit: str
    source: str

    @property
    def value(self) -> float:
        return float(self.limit)


@cache
def criteria() -> tuple[Criterion, ...]:
    """Every M&V criterion the package uses, with its source."""
    text = resources.files("twin.data").joinpath("mv_criteria.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(Criterion(**row) for row in csv.DictReader(lines))


def criterion(name: str, interval: str = "any") -> Criterion:
    """The criterion ``name`` for data of ``interval`` (``monthly``, ``hourly``,
    ``daily`` or ``any``)."""
    for c in criteria():
        if c.criterion == name and c.interval == interval:
            return c
    known = sorted({(c.criterion, c.interval) for c in criteria()})
    msg = f"no M&V criterion {name!r} for interval {interval!r}; known: {known}"
    raise KeyError(msg)


def cvrmse(measured: np.ndarray, predicted: np.ndarray, n_params: int) -> float:
    """Coefficient of variation of the root-mean-square error [-].

    Notes
    -----
    Guideline 14 form with ``n - p`` degrees of freedom:
    :math:`CV = \\sqrt{\\sum (y_i - \\hat y_i)^2 / (n - p)} / \\bar y`.
    For a calibrated simulation, ``p = 1`` (the Guideline's convention).
    """
    y, yhat = np.asarray(measured, float), np.asarray(predicted, float)
    dof = y.size - n_params
    if dof <= 0:
        return float("nan")
    return float(np.sqrt(np.sum((y - yhat) ** 2) / dof) / np.mean(y))


def nmbe(measured: np.ndarray, predicted: np.ndarray, n_params: int) -> float:
    """Normalised mean bias error [-], positive when the model over-predicts.

    Notes
    -----
    :math:`NMBE = \\sum (\\hat y_i - y_i) / ((n - p) \\bar y)` (Guideline 14).
    """
    y, yhat = np.asarray(measured, float), np.asarray(predicted, float)
    dof = y.size - n_params
    if dof <= 0:
        return float("nan")
    return float(np.sum(yhat - y) / (dof * np.mean(y)))


def lag1_autocorrelation(residuals: np.ndarray) -> float:
    """Lag-1 autocorrelation coefficient of a residual series [-].

    Consecutive observations are taken in the order given; gaps (NaN) break
    pairs rather than joining the values either side.
    """
    r = np.asarray(residuals, float)
    a, b = r[:-1], r[1:]
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return 0.0
    centred = r[np.isfinite(r)] - np.nanmean(r)
    denom = float(np.sum(centred**2))
    if denom == 0.0:
        return 0.0
    m = np.nanmean(r)
    return float(np.sum((a[ok] - m) * (b[ok] - m)) / denom)


def effective_n(n: int, rho: float) -> float:
    """Number of independent observations, :math:`n' = n (1 - \\rho) / (1 + \\rho)`.

    Reddy and Claridge (2000); Guideline 14 Annex B. A negative or zero
    autocorrelation leaves ``n`` unchanged (the correction only ever widens
    an interval).
    """
    rho = min(max(rho, 0.0), 0.999)
    return n * (1.0 - rho) / (1.0 + rho)


def t_two_sided(confidence: float, dof: float) -> float:
    """Student-t value of a two-sided interval at ``confidence`` [-]."""
    return float(_st.t.ppf(1.0 - (1.0 - confidence) / 2.0, dof))


def savings_uncertainty_kwh(
    *,
    confidence: float,
    cv: float,
    adjusted_baseline_kwh: float,
    n: int,
    n_params: int,
    m: int,
    rho: float = 0.0,
    coefficient: float | None = None,
    form: str = "scaled",
) -> float:
    """Absolute uncertainty of avoided energy at ``confidence`` [kWh].

    Parameters
    ----------
    confidence : float
        Two-sided confidence level, e.g. 0.9 [-].
    cv : float
        CV(RMSE) of the baseline model [-].
    adjusted_baseline_kwh : float
        Baseline adjusted to the reporting period, summed over it [kWh].
    n : int
        Baseline observations used in the fit.
    n_params : int
        Model parameters (the t value has ``n - p`` degrees of freedom).
    m : int
        Reporting-period observations: the length of the period the savings
        are summed over (using ``n`` here, as one peer does, overstates the
        uncertainty when the reporting period is longer than the baseline).
    rho : float
        Lag-1 autocorrelation of the baseline residuals [-].
    coefficient : float, optional
        Empirical factor of Eq. B-28 (1.26 by default, from the criteria file;
        Sun and Baltazar (2013) replace it by a polynomial in the months of
        data for daily and monthly models).
    form : {"scaled", "effective_dof"}
        How the autocorrelation correction enters. ``scaled`` (default):
        the mean square error keeps ``n - p`` degrees of freedom and is
        scaled by :math:`n/n'`, the t value has ``n - p``. ``effective_dof``:
        the mean square error and the t value take :math:`n' - p` degrees of
        freedom (Reddy and Claridge 2000, the form of nmecr, kW Engineering).
        The two agree when :math:`\\rho = 0`.

    Notes
    -----
    Guideline 14 Annex B Eq. B-28 with the autocorrelation correction:

    .. math:: \\Delta E = c\\, t\\, CV\\, E_{adj}
              \\sqrt{\\frac{n}{n'} \\left(1 + \\frac{2}{n'}\\right) \\frac{1}{m}}

    with :math:`n' = n (1 - \\rho)/(1 + \\rho)`; the fractional form divides
    by the savings :math:`E_{save} = F E_{adj}`. In the ``effective_dof``
    form :math:`\\frac{n}{n'}` becomes :math:`\\frac{n - p}{n' - p}` and the
    t value has :math:`n' - p` degrees of freedom.
    """
    c = criterion("fsu_coefficient").value if coefficient is None else coefficient
    n_eff = effective_n(n, rho)
    if form == "scaled":
        t = t_two_sided(confidence, n - n_params)
        mse_factor = n / n_eff
    elif form == "effective_dof":
        if n_eff <= n_params:
            msg = (
                f"{n_eff:.1f} effective observations (rho = {rho:.3f}) for {n_params} "
                "parameters: no degrees of freedom left"
            )
            raise EffectiveDofError(msg)
        t = t_two_sided(confidence, n_eff - n_params)
        mse_factor = (n - n_params) / (n_eff - n_params)
    else:
        msg = f"unknown FSU form {form!r}; use one of {FSU_FORMS}"
        raise ValueError(msg)
    return float(c * t * cv * adjusted_baseline_kwh * np.sqrt(mse_factor * (1.0 + 2.0 / n_eff) / m))


def fractional_savings_uncertainty(
    *,
    confidence: float,
    cv: float,
    savings_frac: float,
    n: int,
    n_params: int,
    m: int,
    rho: float = 0.0,
    coefficient: float | None = None,
    form: str = "scaled",
) -> float:
    """Fractional savings uncertainty :math:`\\Delta E_{save} / E_{save}` [-].

    Guideline 14 Annex B Eq. B-28 (see :func:`savings_uncertainty_kwh`);
    ``savings_frac`` is Eq. B-22, :math:`F = (E_{adj} - E_{rep}) / E_{adj}`.
    Infinite when ``savings_frac`` is zero.
    """
    if savings_frac == 0.0:
        return float("inf")
    u = savings_uncertainty_kwh(
        confidence=confidence,
        cv=cv,
        adjusted_baseline_kwh=1.0,
        n=n,
        n_params=n_params,
        m=m,
        rho=rho,
        coefficient=coefficient,
        form=form,
    )
    return float(u / abs(savings_frac))


@dataclass(frozen=True)
class FitStatistics:
    """Goodness of fit of a model against meter data.

    Attributes
    ----------
    n : int
        Observations.
    n_params : int
        Parameters of the model.
    r2, adj_r2 : float
        Coefficient of determination and its adjusted form [-].
    cvrmse, nmbe : float
        Guideline 14 CV(RMSE) and NMBE [-].
    rmse : float
        Root-mean-square error with ``n - p`` degrees of freedom, in the
        unit of the data.
    rho : float
        Lag-1 autocorrelation of the residuals [-].
    mean : float
        Mean of the measured values.
    """

    n: int
    n_params: int
    r2: float
    adj_r2: float
    cvrmse: float
    nmbe: float
    rmse: float
    rho: float
    mean: float

    def as_dict(self) -> dict[str, float]:
        return {
            k: getattr(self, k)
            for k in ("n", "n_params", "r2", "adj_r2", "cvrmse", "nmbe", "rmse", "rho", "mean")
        }


def fit_statistics(
    measured: np.ndarray, predicted: np.ndarray, n_params: int, weights: np.ndarray | None = None
) -> FitStatistics:
    """R², adjusted R², CV(RMSE), NMBE, RMSE and lag-1 autocorrelation.

    Parameters
    ----------
    measured, predicted : array
        Values in one unit (e.g. [kWh] per observation).
    n_params : int
        Model parameters.
    weights : array, optional
        Observation weights for R² (weighted least squares, e.g. bill days).
    """
    y, yhat = np.asarray(measured, float), np.asarray(predicted, float)
    n = y.size
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    ybar_w = np.sum(w * y) / np.sum(w)
    ss_res = float(np.sum(w * (y - yhat) ** 2))
    ss_tot = float(np.sum(w * (y - ybar_w) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    dof = n - n_params
    adj = 1.0 - (1.0 - r2) * (n - 1) / dof if dof > 0 else float("nan")
    rmse = float(np.sqrt(np.sum((y - yhat) ** 2) / dof)) if dof > 0 else float("nan")
    return FitStatistics(
        n=n,
        n_params=n_params,
        r2=r2,
        adj_r2=adj,
        cvrmse=cvrmse(y, yhat, n_params),
        nmbe=nmbe(y, yhat, n_params),
        rmse=rmse,
        rho=lag1_autocorrelation(y - yhat),
        mean=float(np.mean(y)),
    )
