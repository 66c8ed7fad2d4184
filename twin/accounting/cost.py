"""Electricity cost under a Chinese two-part time-of-use tariff.

Energy charge: imported energy per step times the step's price. Basic
charge (基本电费): either the month's maximum demand times the demand rate
(按需量), or the contracted capacity times the capacity rate (按容量), per
month of the run; the user's choice between the two (发改办价格〔2016〕1583号)
is the tariff's ``basic_charge``. Power-factor adjustment (力调电费): the
month's energy and basic charges times the adjustment of
《功率因数调整电费办法》((83)水电财字第215号) for the month's power factor.
Export revenue: exported energy times the export price.

**Maximum demand** is the largest mean import over the tariff's demand
interval (15 min in China). At steps shorter than the interval it is the
largest rolling mean over the interval (a sliding-window meter); at the
interval it is the largest step; at longer steps (an hourly run) the largest
step mean is a **lower bound** of the metered demand, and the cost says so in
its notes, unless the tariff asks for the estimate of
:func:`estimate_interval_peak_kw`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.component import TariffSignals
from twin.timegrid import TimeGrid

__all__ = [
    "CostBreakdown",
    "INTERVAL_PEAK_UPLIFT",
    "electricity_cost",
    "estimate_interval_peak_kw",
    "power_factor_adjustment_frac",
]

_PF_TABLE: dict[float, tuple[tuple[float, ...], tuple[float, ...], float]] = {
    # standard: (power factor breakpoints, adjustment at each [-], the lowest breakpoint)
    0.9: ((0.65, 0.70, 0.90, 0.95, 1.00), (0.15, 0.10, 0.0, -0.0075, -0.0075), 0.65),
    0.85: ((0.60, 0.65, 0.85, 0.90, 0.94, 1.00), (0.15, 0.10, 0.0, -0.005, -0.011, -0.011), 0.60),
    0.8: ((0.55, 0.60, 0.80, 0.90, 0.92, 1.00), (0.15, 0.10, 0.0, -0.010, -0.013, -0.013), 0.55),
}
"""Adjustment tables of 《功率因数调整电费办法》((83)水电财字第215号) as
breakpoints of a piecewise-linear function of the power factor (rounded to
0.01): for the 0.90 standard, -0.15 % per 0.01 above 0.90 down to -0.75 %
from 0.95; +0.5 % per 0.01 below 0.90 to +10 % at 0.70; +1 % per 0.01 to
+15 % at 0.65; +2 % per 0.01 below. The 0.85 and 0.80 standards: -0.1 % per
0.01 above the standard to 0.90, then -0.15 % per 0.01 (to -1.1 % from 0.94,
-1.3 % from 0.92); below the standard the same +0.5/+1/+2 % steps, starting
at the standard (+10 % at 0.65 and 0.60, +15 % at 0.60 and 0.55)."""

INTERVAL_PEAK_UPLIFT: dict[int, float] = {2: 0.283, 3: 0.411, 4: 0.489, 6: 0.581, 12: 0.700}
"""Expected excess of the largest of ``k`` sub-interval means over the step
mean, in standard deviations of the step-to-step difference of step means,
for a load that moves as Brownian motion within the step (by Monte Carlo,
1e5 steps of 240 sub-steps; k = step / demand interval)."""

_MAD_TO_SD = 1.4826
"""Median absolute deviation to standard deviation of a normal variable."""


@dataclass(frozen=True)
class CostBreakdown:
    """Annual and monthly electricity cost.

    Attributes
    ----------
    energy_cost_cny, demand_cost_cny, capacity_cost_cny, export_revenue_cny : float
        Annual sums [CNY].
    power_factor_adjustment_cny : float
        Annual power-factor adjustment [CNY] (positive: a surcharge).
    total_cost_cny : float
        energy + demand + capacity + power-factor adjustment − export revenue [CNY].
    by_month : mapping of str to numpy.ndarray
        The monthly columns, 12 values each (January first).
    months : numpy.ndarray
        The months the run covers (1..12).
    monthly : pandas.DataFrame
        One row per month the run covers (index 1..12): ``grid_import_kwh``, ``grid_export_kwh``,
        ``peak_import_kw`` (largest step mean), ``billed_demand_kw`` (the demand
        the charge uses), ``energy_cost_cny``, ``demand_cost_cny``,
        ``capacity_cost_cny``, ``power_factor_adjustment_cny``,
        ``export_revenue_cny``, ``total_cost_cny``.
    energy_cost_cny_per_step, export_revenue_cny_per_step : numpy.ndarray
        Energy charge of the imports and revenue of the exports in each step
        [CNY]; their sums are ``energy_cost_cny`` and ``export_revenue_cny``.
    demand_basis : str
        How the billed demand was found (``interval``, ``rolling``,
        ``lower_bound`` or ``estimate``).
    notes : tuple of str
        What a reader must know about the figures (a lower bound, an estimate).
    """

    energy_cost_cny: float
    demand_cost_cny: float
    capacity_cost_cny: float
    export_revenue_cny: float
    total_cost_cny: float
    by_month: Mapping[str, np.ndarray]
    months: np.ndarray
    energy_cost_cny_per_step: np.ndarray
    export_revenue_cny_per_step: np.ndarray
    power_factor_adjustment_cny: float = 0.0
    demand_basis: str = "interval"
    notes: tuple[str, ...] = ()

    @functools.cached_property
    def monthly(self) -> pd.DataFrame:
        """``by_month`` as a table of the months the run covers (built when first
        read: a sweep keeps only the annual sums)."""
        frame = pd.DataFrame(dict(self.by_month), index=pd.RangeIndex(1, 13, name="month"))
        return frame.loc[self.months]


def power_factor_adjustment_frac(power_factor: float, standard: float = 0.9) -> float:
    """Share of the month's electricity charges added (+) or remitted (−).

    Parameters
    ----------
    power_factor : float
        Month's mean power factor, in (0, 1] [-]; rounded to 0.01 as billed.
    standard : {0.9, 0.85, 0.8}
        Standard power factor of the user's class [-].

    Returns
    -------
    float
        Adjustment as a share of the energy and basic charges [-].

    References
    ----------
    .. [1] 水利电力部、国家物价局《功率因数调整电费办法》((83)水电财字第215号), 1983,
       with its 以0.90/0.85/0.80为标准值的功率因数调整电费表.

    Examples
    --------
    >>> power_factor_adjustment_frac(0.85), power_factor_adjustment_frac(0.97)
    (0.025, -0.0075)
    """
    if standard not in _PF_TABLE:
        msg = f"power factor standard: expected 0.9, 0.85 or 0.8, got {standard}"
        raise ValueError(msg)
    if not 0.0 < power_factor <= 1.0:
        msg = f"power factor: expected a value in (0, 1], got {power_factor}"
        raise ValueError(msg)
    x, y, lowest = _PF_TABLE[standard]
    pf = round(float(power_factor), 2)
    if pf < lowest:
        return round(y[0] + 2.0 * (lowest - pf), 6)
    return round(float(np.interp(pf, x, y)), 6)


def estimate_interval_peak_kw(import_kw: np.ndarray, steps_per_interval_ratio: int) -> float:
    r"""Metered-interval peak estimated from step means (a coarse run).

    The billed demand is the largest mean over a shorter interval than the
    step, which the step means cannot show. The estimate adds to the largest
    step mean :math:`\hat P` the expected excess of the largest sub-interval
    mean over its step mean for a load that moves as Brownian motion within
    the step, scaled by the load's variability:

    .. math:: P_{est} = \hat P + c_k\, \sigma_\Delta

    with :math:`\sigma_\Delta` a robust standard deviation (1.4826 times the
    median absolute deviation) of the differences of consecutive step means
    (robust, so that shift starts and ends do not count as variability) and
    :math:`c_k` from :data:`INTERVAL_PEAK_UPLIFT` for ``k`` intervals per step.

    Parameters
    ----------
    import_kw : array
        Step means of the import over the billing month [kW].
    steps_per_interval_ratio : int
        Demand intervals per step, ``k`` (4 for an hourly run and 15-min
        metering).

    Returns
    -------
    float
        Estimated billed demand [kW].

    Raises
    ------
    ValueError
        A ratio without a tabulated uplift.
    """
    if steps_per_interval_ratio not in INTERVAL_PEAK_UPLIFT:
        known = ", ".join(str(k) for k in INTERVAL_PEAK_UPLIFT)
        msg = (
            f"no interval-peak uplift for {steps_per_interval_ratio} demand intervals per step "
            f"(tabulated: {known}); run at the demand interval or use demand_estimate = "
            "'lower_bound'"
        )
        raise ValueError(msg)
    x = np.asarray(import_kw, dtype=np.float64)
    if x.size < 2:
        return float(x.max(initial=0.0))
    d = np.diff(x)
    sigma = _MAD_TO_SD * float(np.median(np.abs(d - np.median(d))))
    return float(x.max()) + INTERVAL_PEAK_UPLIFT[steps_per_interval_ratio] * sigma


def _billed_demand(
    import_kw: np.ndarray, month: np.ndarray, grid: TimeGrid, signals: TariffSignals
) -> tuple[np.ndarray, np.ndarray, str, tuple[str, ...]]:
    """Largest step mean and billed demand per month (index 0..11) [kW]."""
    idx = month - 1
    step_peak = np.zeros(12)
    np.maximum.at(step_peak, idx, import_kw)
    ratio = grid.step_h / signals.demand_interval_h
    if abs(ratio - 1.0) < 1e-9:
        return step_peak, step_peak.copy(), "interval", ()
    if ratio < 1.0:
        k = int(round(1.0 / ratio))
        if abs(k * grid.step_h - signals.demand_interval_h) > 1e-9:
            msg = (
                f"the demand interval ({signals.demand_interval_h * 60:g} min) is not a whole "
                f"number of steps ({grid.step_h * 60:g} min)"
            )
            raise ValueError(msg)
        # a sliding-window meter: the mean of the k steps that end at each step
        csum = np.concatenate(([0.0], np.cumsum(import_kw)))
        rolling = np.full(import_kw.size, -np.inf)
        rolling[k - 1 :] = (csum[k:] - csum[:-k]) / k
        billed = np.full(12, 0.0)
        np.maximum.at(billed, idx, np.maximum(rolling, 0.0))
        return step_peak, billed, "rolling", ()
    k = int(round(ratio))
    interval_min = signals.demand_interval_h * 60
    if signals.demand_estimate == "variability":
        billed = step_peak.copy()
        for m in np.unique(month):
            billed[m - 1] = estimate_interval_peak_kw(import_kw[month == m], k)
        note = (
            f"maximum demand: estimated {interval_min:g}-min peak from {grid.step_h * 60:g}-min "
            "means and the import's variability (twin.accounting.cost.estimate_interval_peak_kw)"
        )
        return step_peak, billed, "estimate", (note,)
    note = (
        f"maximum demand is billed on {interval_min:g}-min means; the {grid.step_h * 60:g}-min "
        "step means give a LOWER BOUND of the demand and of the demand charge (run at the "
        "demand interval, or set tariff.demand_estimate = 'variability')"
    )
    return step_peak, step_peak.copy(), "lower_bound", (note,)


def electricity_cost(
    import_kw: np.ndarray,
    export_kw: np.ndarray,
    signals: TariffSignals,
    grid: TimeGrid,
    *,
    demand_charge_cny_per_kw_month: float = 0.0,
    capacity_charge_cny_per_kva_month: float = 0.0,
    contracted_capacity_kva: float | None = None,
) -> CostBreakdown:
    """Cost of a run's grid exchange.

    Parameters
    ----------
    import_kw, export_kw : array
        Mean import and export per step [kW].
    signals : TariffSignals
        Per-step import and export prices [CNY/kWh], the demand interval and
        estimate, and the monthly power factor.
    grid : TimeGrid
    demand_charge_cny_per_kw_month : float
        Rate on the month's maximum demand [CNY/kW-month] (0 when the tariff
        bills capacity: :meth:`GridConnection.billing`).
    capacity_charge_cny_per_kva_month : float
        Rate on contracted capacity [CNY/kVA-month] (0 when the tariff bills
        demand).
    contracted_capacity_kva : float, optional
        Contracted capacity [kVA].
    """
    step_h = grid.step_h
    import_kwh = import_kw * step_h
    export_kwh = export_kw * step_h
    energy_cost = import_kwh * signals.import_price_cny_per_kwh
    revenue = export_kwh * signals.export_price_cny_per_kwh
    month = grid.month
    idx = month - 1
    present = np.bincount(idx, minlength=12) > 0
    months = np.flatnonzero(present) + 1  # np.unique(month), without sorting the year
    by_month = {
        "grid_import_kwh": np.bincount(idx, import_kwh, 12),
        "grid_export_kwh": np.bincount(idx, export_kwh, 12),
        "energy_cost_cny": np.bincount(idx, energy_cost, 12),
        "export_revenue_cny": np.bincount(idx, revenue, 12),
    }
    peak, billed, basis, notes = _billed_demand(
        np.asarray(import_kw, np.float64), month, grid, signals
    )
    by_month["peak_import_kw"] = peak
    by_month["billed_demand_kw"] = billed
    by_month["demand_cost_cny"] = np.where(present, billed * demand_charge_cny_per_kw_month, 0.0)
    capacity = (contracted_capacity_kva or 0.0) * capacity_charge_cny_per_kva_month
    by_month["capacity_cost_cny"] = np.where(present, capacity, 0.0)
    charges = (
        by_month["energy_cost_cny"] + by_month["demand_cost_cny"] + by_month["capacity_cost_cny"]
    )
    if signals.power_factor is None:
        adjust = np.zeros(12)
    else:
        frac = np.array(
            [
                power_factor_adjustment_frac(float(pf), signals.power_factor_standard)
                for pf in signals.power_factor
            ]
        )
        adjust = np.where(present, charges * frac, 0.0)
    by_month["power_factor_adjustment_cny"] = adjust
    by_month["total_cost_cny"] = charges + adjust - by_month["export_revenue_cny"]

    def year(name: str) -> float:  # the sum pandas takes over the covered months
        return float(np.nansum(by_month[name][present]))

    return CostBreakdown(
        energy_cost_cny=year("energy_cost_cny"),
        demand_cost_cny=year("demand_cost_cny"),
        capacity_cost_cny=year("capacity_cost_cny"),
        export_revenue_cny=year("export_revenue_cny"),
        total_cost_cny=year("total_cost_cny"),
        by_month=by_month,
        months=months,
        energy_cost_cny_per_step=energy_cost,
        export_revenue_cny_per_step=revenue,
        power_factor_adjustment_cny=year("power_factor_adjustment_cny"),
        demand_basis=basis,
        notes=notes,
    )
