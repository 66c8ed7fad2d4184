"""Financial functions against hand-computed cases."""

import math

import pytest

from twin.finance import (
    abatement_cost_cny_per_tco2,
    capital_recovery_factor,
    discounted_payback_years,
    irr,
    measure_cashflows,
    npv,
    simple_payback_years,
)


def test_npv_by_hand():
    # -1000 + 500/1.1 + 600/1.21 = -1000 + 454.545... + 495.867... = -49.586...
    assert npv(0.10, [-1000, 500, 600]) == pytest.approx(-49.58677686, rel=1e-9)


def test_irr_by_hand():
    # -1000 + 1100/(1+r) = 0  ->  r = 10 %
    assert irr([-1000, 1100]) == pytest.approx(0.10, abs=1e-10)
    # two years: -100 + 60/(1+r) + 60/(1+r)^2 = 0 -> r = 13.0662 %
    assert irr([-100, 60, 60]) == pytest.approx(0.130662, abs=1e-6)


def test_measure_that_never_pays_back():
    cf = measure_cashflows(
        capex_cny=1e6,
        annual_savings_cny=10_000,
        fixed_om_cny_per_year=20_000,
        lifetime_years=10,
        discount_rate=0.06,
    )
    assert cf.simple_payback_years == math.inf
    assert cf.discounted_payback_years == math.inf
    assert cf.irr_frac is None
    assert cf.npv_cny < -1e6


def test_paybacks_by_hand():
    assert simple_payback_years(1000, 250) == 4.0
    # discounted at 0: cumulative -1000, -750, -500, -250, 0 -> 4 years
    assert discounted_payback_years(0.0, [-1000, 250, 250, 250, 250, 250]) == pytest.approx(4.0)
    # interpolation inside year 3: -1000 + 400 + 400 = -200, +400 -> 2.5
    assert discounted_payback_years(0.0, [-1000, 400, 400, 400]) == pytest.approx(2.5)


def test_crf_and_annuity():
    # 8 %, 10 years: 0.149029...
    assert capital_recovery_factor(0.08, 10) == pytest.approx(0.1490294887, rel=1e-9)
    assert capital_recovery_factor(0.0, 4) == 0.25


def test_escalation_and_degradation():
    cf = measure_cashflows(
        capex_cny=100.0,
        annual_savings_cny=10.0,
        lifetime_years=3,
        discount_rate=0.0,
        price_escalation_frac_per_year=0.1,
        degradation_frac_per_year=0.5,
    )
    assert list(cf.cashflows_cny) == pytest.approx([-100.0, 10.0, 5.5, 3.025])


@pytest.mark.parametrize("bad", [-1.0, -2.0, float("nan")])
def test_discount_rate_at_or_below_minus_one_is_an_error(bad):
    with pytest.raises(ValueError, match="discount_rate: expected > -1"):
        npv(bad, [-1, 2])


def test_abatement_cost():
    assert abatement_cost_cny_per_tco2(-5000.0, 100.0) == -50.0
    assert math.isnan(abatement_cost_cny_per_tco2(1000.0, 0.0))
