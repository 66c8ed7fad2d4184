"""IPMVP Option C: savings from the whole-facility (or sub-) meter and a baseline model.

How much energy did the measure avoid in the reporting period, and how much
would it save in a typical year? Avoided energy is the baseline model run
on the reporting period's conditions, plus non-routine adjustments, minus
the metered energy (IPMVP Core Concepts, Eq. 1a); its uncertainty is
Guideline 14 Annex B Eq. B-28 with the autocorrelation correction, summed
over the reporting period's observations (not the baseline's). Normalised
savings evaluate a baseline model and a reporting-period model of the same
form on one set of typical conditions and difference them (IPMVP Eq. 1c;
Guideline 14 Annex B normalised form), their uncertainties combined in
quadrature.

References
----------
.. [1] EVO, IPMVP Core Concepts (EVO 10000-1), options C and section 8.
.. [2] ASHRAE Guideline 14-2014, Annex B, Eq. B-22 and B-28.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.mv.stats import CONFIDENCE_LEVELS, criterion, savings_uncertainty_kwh

__all__ = ["Savings", "avoided_energy", "normalised_savings"]


@dataclass(frozen=True)
class Savings:
    """Savings with their uncertainty.

    Attributes
    ----------
    baseline_kwh : float
        Adjusted baseline over the period [kWh] (model + adjustments), or
        for normalised savings the baseline model on typical conditions.
    actual_kwh : float
        Metered energy of the reporting period [kWh] (normalised: the
        reporting model on typical conditions).
    adjustments_kwh : float
        Non-routine adjustments included in ``baseline_kwh`` [kWh].
    savings_kwh : float
        ``baseline_kwh - actual_kwh`` [kWh].
    savings_frac : float
        Savings over the adjusted baseline (Eq. B-22) [-].
    uncertainty_kwh : dict of float to float
        Half-width of the two-sided interval at each confidence [kWh].
    confidence : float
        The case's confidence level.
    form : str
        Form of Eq. B-28 the uncertainty was computed with (see
        :func:`twin.mv.stats.savings_uncertainty_kwh`).
    """

    baseline_kwh: float
    actual_kwh: float
    adjustments_kwh: float
    savings_kwh: float
    savings_frac: float
    uncertainty_kwh: dict[float, float]
    confidence: float
    form: str = "scaled"

    @property
    def fsu(self) -> float:
        """Fractional savings uncertainty at the case's confidence [-]."""
        return (
            abs(self.uncertainty_kwh[self.confidence] / self.savings_kwh)
            if self.savings_kwh
            else float("inf")
        )

    @property
    def fsu_68(self) -> float:
        return (
            abs(self.uncertainty_kwh[0.68] / self.savings_kwh) if self.savings_kwh else float("inf")
        )

    def interval(self, confidence: float | None = None) -> tuple[float, float]:
        c = self.confidence if confidence is None else confidence
        u = self.uncertainty_kwh[c]
        return self.savings_kwh - u, self.savings_kwh + u

    def meets_guideline_14(self) -> bool:
        """Savings uncertainty below 50 % at 68 % confidence (Guideline 14 §4.1.1)."""
        return self.savings_kwh > 0 and self.fsu_68 < criterion("fsu_max_at_68").value

    def as_dict(self) -> dict[str, object]:
        return {
            "baseline_kwh": self.baseline_kwh,
            "actual_kwh": self.actual_kwh,
            "adjustments_kwh": self.adjustments_kwh,
            "savings_kwh": self.savings_kwh,
            "savings_frac": self.savings_frac,
            "confidence": self.confidence,
            "fsu": self.fsu,
            "fsu_68": self.fsu_68,
            "intervals_kwh": {
                f"{c:.2f}": list(self.interval(c)) for c in sorted(self.uncertainty_kwh)
            },
            "meets_guideline_14": self.meets_guideline_14(),
            "fsu_form": self.form,
        }


def _levels(confidence: float) -> list[float]:
    return sorted({*CONFIDENCE_LEVELS, confidence})


def avoided_energy(
    *,
    predicted_kwh: np.ndarray,
    actual_kwh: np.ndarray,
    adjustments_kwh: np.ndarray,
    cv: float,
    n: int,
    n_params: int,
    rho: float,
    confidence: float,
    form: str = "scaled",
) -> Savings:
    """Avoided energy of the reporting period with its uncertainty.

    Parameters
    ----------
    predicted_kwh : array
        Baseline model on each reporting observation [kWh].
    actual_kwh : array
        Metered energy of each reporting observation [kWh].
    adjustments_kwh : array
        Non-routine adjustment of each reporting observation [kWh].
    cv : float
        Baseline CV(RMSE) [-].
    n, n_params : int
        Baseline observations and model parameters.
    rho : float
        Lag-1 autocorrelation of the baseline residuals [-].
    confidence : float
        Level of the headline interval (others: 68/80/90/95 %).
    form : str
        Form of Eq. B-28 (``scaled`` or ``effective_dof``).
    """
    base = float(np.sum(predicted_kwh) + np.sum(adjustments_kwh))
    actual = float(np.sum(actual_kwh))
    m = int(np.size(actual_kwh))
    unc = {
        c: savings_uncertainty_kwh(
            confidence=c,
            cv=cv,
            adjusted_baseline_kwh=base,
            n=n,
            n_params=n_params,
            m=m,
            rho=rho,
            form=form,
        )
        for c in _levels(confidence)
    }
    saved = base - actual
    return Savings(
        base,
        actual,
        float(np.sum(adjustments_kwh)),
        saved,
        saved / base if base else float("nan"),
        unc,
        confidence,
        form,
    )


def normalised_savings(
    *,
    baseline_norm_kwh: np.ndarray,
    reporting_norm_kwh: np.ndarray,
    baseline_fit: tuple[float, int, int, float],
    reporting_fit: tuple[float, int, int, float],
    confidence: float,
    form: str = "scaled",
) -> Savings:
    """Normalised savings: both models on one set of typical conditions.

    Parameters
    ----------
    baseline_norm_kwh, reporting_norm_kwh : array
        The two models on each typical-period observation [kWh].
    baseline_fit, reporting_fit : tuple
        ``(cv, n, n_params, rho)`` of each model.

    Notes
    -----
    Each model's uncertainty is Eq. B-28 in its normalised form,
    :math:`c\\, t\\, E_{norm} CV \\sqrt{(n/n')(1 + 2/n') / n_{norm}}`, and the
    two are combined as :math:`\\sqrt{U_b^2 + U_r^2}` (Guideline 14 Annex B).
    """
    eb, er = float(np.sum(baseline_norm_kwh)), float(np.sum(reporting_norm_kwh))
    m = int(np.size(baseline_norm_kwh))
    unc = {}
    for c in _levels(confidence):
        ub = savings_uncertainty_kwh(
            confidence=c,
            cv=baseline_fit[0],
            adjusted_baseline_kwh=eb,
            n=baseline_fit[1],
            n_params=baseline_fit[2],
            m=m,
            rho=baseline_fit[3],
            form=form,
        )
        ur = savings_uncertainty_kwh(
            confidence=c,
            cv=reporting_fit[0],
            adjusted_baseline_kwh=er,
            n=reporting_fit[1],
            n_params=reporting_fit[2],
            m=m,
            rho=reporting_fit[3],
            form=form,
        )
        unc[c] = float(np.hypot(ub, ur))
    saved = eb - er
    return Savings(eb, er, 0.0, saved, saved / eb if eb else float("nan"), unc, confidence, form)
