"""Measurement and verification: meters, baselines, savings and claim checks.

The modules follow the questions an auditor asks:

- :mod:`twin.mv.meters`: what did the meter record (import, units, time
  zone, gaps, duplicates, negative values, spikes)?
- :mod:`twin.mv.drivers`: what else explains it (temperature, degree days,
  production, custom drivers)?
- :mod:`twin.mv.changepoint`, :mod:`twin.mv.towt`: the baseline model
  (change-point 1P-5P on days or bills; TOWT on hours) and its choice;
- :mod:`twin.mv.stats`: Guideline 14 statistics and savings uncertainty;
- :mod:`twin.mv.option_c`, :mod:`twin.mv.option_d`: IPMVP options C
  (avoided energy, normalised savings) and D (calibrated twin);
- :mod:`twin.mv.carbon`: verified savings in t CO2;
- :mod:`twin.mv.case`, :mod:`twin.mv.analysis`: the case file and the run
  behind ``twin mv``;
- :mod:`twin.mv.claims`: stated figures against the twin under uncertainty
  (``twin claim``).
"""

from twin.mv.analysis import MvResult, analyse_case, run_case
from twin.mv.case import MvCase, load_case
from twin.mv.changepoint import (
    CHANGE_POINT_MODELS,
    ChangePointModel,
    fit_change_point,
    select_model,
)
from twin.mv.drivers import PeriodData, degree_days
from twin.mv.option_c import Savings, avoided_energy, normalised_savings
from twin.mv.stats import (
    fit_statistics,
    fractional_savings_uncertainty,
    savings_uncertainty_kwh,
)
from twin.mv.towt import TowtModel, fit_towt

__all__ = [
    "CHANGE_POINT_MODELS",
    "ChangePointModel",
    "MvCase",
    "MvResult",
    "PeriodData",
    "Savings",
    "TowtModel",
    "analyse_case",
    "avoided_energy",
    "degree_days",
    "fit_change_point",
    "fit_statistics",
    "fit_towt",
    "fractional_savings_uncertainty",
    "load_case",
    "normalised_savings",
    "run_case",
    "savings_uncertainty_kwh",
    "select_model",
]
