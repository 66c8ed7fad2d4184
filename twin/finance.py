"""Investment appraisal of measures: NPV, IRR, payback, annualised cost.

Conventions: yearly cash flows, ``cashflows[0]`` at the start (the
investment, negative), ``cashflows[y]`` at the end of year ``y``. Rates are
fractions per year (``0.06``), never percentages. Formulas follow standard
engineering-economics texts (e.g. Newnan, Eschenbach & Lavelle,
*Engineering Economic Analysis*): NPV = Σ CF_y / (1 + r)^y; IRR is the r
with NPV(r) = 0; the capital recovery factor CRF = r (1+r)^n / ((1+r)^n − 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

__all__ = [
    "MeasureCashflow",
    "abatement_cost_cny_per_tco2",
    "capital_recovery_factor",
    "discounted_payback_years",
    "irr",
    "measure_cashflows",
    "npv",
    "simple_payback_years",
]


def _check_rate(rate: float) -> None:
    if not rate > -1.0 or not math.isfinite(rate):
        msg = f"discount_rate: expected > -1 (a fraction per year, e.g. 0.06), got {rate}"
        raise ValueError(msg)


def npv(rate: float, cashflows: Sequence[float] | np.ndarray) -> float:
    """Net present value [CNY] of yearly cash flows at ``rate`` [1/yr].

    .. math:: NPV = \\sum_{y=0}^{n} CF_y / (1 + r)^y

    Raises
    ------
    ValueError
        ``rate <= -1``.
    """
    _check_rate(rate)
    cf = np.asarray(cashflows, dtype=np.float64)
    years = np.arange(cf.size)
    return float(np.sum(cf / (1.0 + rate) ** years))


def irr(cashflows: Sequence[float] | np.ndarray) -> float | None:
    """Internal rate of return [1/yr], or None when NPV never changes sign
    on (−0.99, 10) (a measure that never pays back has no IRR).

    For conventional flows (one sign change) the root is unique; it is found
    with Brent's method between −99 % and 1000 % a year.
    """
    cf = np.asarray(cashflows, dtype=np.float64)
    lo, hi = -0.99, 10.0
    f_lo, f_hi = npv(lo, cf), npv(hi, cf)
    if not np.isfinite(f_lo) or not np.isfinite(f_hi) or f_lo * f_hi > 0:
        return None
    return float(brentq(lambda r: npv(r, cf), lo, hi, xtol=1e-12, maxiter=500))


def simple_payback_years(capex_cny: float, annual_net_savings_cny: float) -> float:
    """Capex over first-year net savings [yr]; ``inf`` when savings ≤ 0."""
    if annual_net_savings_cny <= 0:
        return math.inf
    return capex_cny / annual_net_savings_cny


def discounted_payback_years(rate: float, cashflows: Sequence[float] | np.ndarray) -> float:
    """First time the cumulative discounted cash flow reaches zero [yr],
    interpolated within the year; ``inf`` if it never does."""
    _check_rate(rate)
    cf = np.asarray(cashflows, dtype=np.float64)
    disc = cf / (1.0 + rate) ** np.arange(cf.size)
    cum = np.cumsum(disc)
    if cum[0] >= 0:
        return 0.0
    idx = np.flatnonzero(cum >= 0)
    if idx.size == 0:
        return math.inf
    y = int(idx[0])
    return float(y - 1 + (-cum[y - 1]) / disc[y])


def capital_recovery_factor(rate: float, lifetime_years: int) -> float:
    """CRF [1/yr]: the annuity that repays one unit over ``lifetime_years``."""
    _check_rate(rate)
    if lifetime_years <= 0:
        msg = f"lifetime_years: expected > 0, got {lifetime_years}"
        raise ValueError(msg)
    if rate == 0:
        return 1.0 / lifetime_years
    g = (1.0 + rate) ** lifetime_years
    return rate * g / (g - 1.0)


@dataclass(frozen=True)
class MeasureCashflow:
    """Cash flows and indicators of one measure or package [CNY].

    Attributes
    ----------
    cashflows_cny : numpy.ndarray
        Year 0 (−capex) to year ``lifetime``.
    npv_cny, irr_frac, simple_payback_years, discounted_payback_years : float
        ``irr_frac`` is None when there is no IRR.
    annualised_cost_cny : float
        capex·CRF + fixed O&M − first-year savings [CNY/yr] (negative = earns).
    """

    cashflows_cny: np.ndarray
    npv_cny: float
    irr_frac: float | None
    simple_payback_years: float
    discounted_payback_years: float
    annualised_cost_cny: float


def measure_cashflows(
    *,
    capex_cny: float,
    annual_savings_cny: float,
    fixed_om_cny_per_year: float = 0.0,
    lifetime_years: int = 20,
    discount_rate: float = 0.06,
    price_escalation_frac_per_year: float = 0.0,
    degradation_frac_per_year: float = 0.0,
) -> MeasureCashflow:
    """Yearly cash flows of a measure and its indicators.

    Year-``y`` savings are the first-year savings escalated by the energy
    price and reduced by the measure's output degradation (PV module
    degradation, battery capacity fade):

    .. math:: S_y = S_1 (1 + e)^{y-1} (1 - d)^{y-1}, \\quad CF_y = S_y - OM

    Parameters
    ----------
    capex_cny : float
        Investment at year 0 [CNY].
    annual_savings_cny : float
        First-year cost saving [CNY/yr] (energy cost difference from simulation).
    fixed_om_cny_per_year : float
        Fixed operation and maintenance [CNY/yr].
    lifetime_years : int
    discount_rate : float
        Real or nominal, consistent with escalation [1/yr]; must be > −1.
    price_escalation_frac_per_year : float
    degradation_frac_per_year : float
    """
    _check_rate(discount_rate)
    if lifetime_years <= 0:
        msg = f"lifetime_years: expected > 0, got {lifetime_years}"
        raise ValueError(msg)
    years = np.arange(1, lifetime_years + 1)
    factor = (1 + price_escalation_frac_per_year) ** (years - 1) * (
        1 - degradation_frac_per_year
    ) ** (years - 1)
    flows = np.concatenate([[-capex_cny], annual_savings_cny * factor - fixed_om_cny_per_year])
    first_net = annual_savings_cny - fixed_om_cny_per_year
    return MeasureCashflow(
        cashflows_cny=flows,
        npv_cny=npv(discount_rate, flows),
        irr_frac=irr(flows) if capex_cny > 0 else None,
        simple_payback_years=simple_payback_years(capex_cny, first_net),
        discounted_payback_years=discounted_payback_years(discount_rate, flows),
        annualised_cost_cny=capex_cny * capital_recovery_factor(discount_rate, lifetime_years)
        + fixed_om_cny_per_year
        - annual_savings_cny,
    )


def abatement_cost_cny_per_tco2(annualised_cost_cny: float, abated_tco2_per_year: float) -> float:
    """Marginal abatement cost [CNY/tCO2]: annualised cost over annual
    abatement (negative = saves money); NaN when nothing is abated."""
    if abated_tco2_per_year <= 0:
        return math.nan
    return annualised_cost_cny / abated_tco2_per_year
