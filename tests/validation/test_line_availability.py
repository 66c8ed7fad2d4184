r"""Simulated availability of a machine against the renewal-theory value
MTBF / (MTBF + MTTR).

Source: a machine that alternates up times (mean MTBF) and repair times
(mean MTTR) is an alternating renewal process; its long-run availability is
:math:`A = \mu/(\mu + \nu)` with :math:`\mu` = MTBF, :math:`\nu` = MTTR,
for any distributions with those means (IEC 60050-192 "mean availability";
Barlow & Proschan, Statistical Theory of Reliability and Life Testing, 1975,
ch. 7). The line model counts the time to failure in busy time, so the test
machine works around the clock with work always waiting: its up time is its
busy time and the formula applies to the whole year.

Tolerance from the sample size: over a run of length :math:`T` the machine
goes through about :math:`N = T/(\mu + \nu)` up/repair cycles. The estimate
:math:`\hat A = U/(U + D)`, with :math:`U` and :math:`D` sums of :math:`N`
exponential up and repair times (variances :math:`N\mu^2` and
:math:`N\nu^2`), has by the delta method

.. math::

    \operatorname{Var}\hat A \approx \frac{2\mu^2\nu^2}{N(\mu + \nu)^4}.

The test allows four standard deviations (a false alarm about once in
16 000 seeds for a normal estimate; the seeds are fixed, so the test is
deterministic). For MTBF = 2 h and MTTR = 0.5 h over 8760 h: N = 3504,
sd = 0.0038, tolerance = 0.0153 around A = 0.8.
"""

from __future__ import annotations

import math

import pytest
from twin.components.production_line import ProductionLine

from tests.components._production_helpers import ALL_DAY, context, line_params
from twin.timegrid import TimeGrid

SIGMAS = 4.0
"""Allowed deviation in standard deviations of the estimate (see module docstring)."""


def availability_tolerance(mtbf_h: float, mttr_h: float, run_h: float) -> float:
    """SIGMAS standard deviations of the availability estimate over ``run_h``."""
    n_cycles = run_h / (mtbf_h + mttr_h)
    var = 2 * mtbf_h**2 * mttr_h**2 / (n_cycles * (mtbf_h + mttr_h) ** 4)
    return SIGMAS * math.sqrt(var)


def _machine(mtbf_h: float, mttr_h: float) -> ProductionLine:
    raw = line_params(
        shifts={"workday": [ALL_DAY], "weekend": [ALL_DAY], "holiday": [ALL_DAY]},
        products=[{"name": "part", "cycle_time_s": 60.0, "batch_size": 600}],
    )
    raw["stations"][0].update(mtbf_h=mtbf_h, mttr_h=mttr_h, warmup_s=0)
    return ProductionLine(ProductionLine.Params(**raw))


def test_tolerance_of_the_reference_case():
    assert availability_tolerance(2.0, 0.5, 8760.0) == pytest.approx(0.0153, abs=1e-4)


@pytest.mark.parametrize(("mtbf_h", "mttr_h"), [(2.0, 0.5), (10.0, 1.0), (40.0, 4.0)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_availability_matches_mtbf_over_mtbf_plus_mttr(mtbf_h, mttr_h, seed):
    grid = TimeGrid.for_year(2025)
    line = _machine(mtbf_h, mttr_h)
    kpis = line.kpis(line.compute(context(grid, seed=seed)), grid)
    expected = mtbf_h / (mtbf_h + mttr_h)
    tol = availability_tolerance(mtbf_h, mttr_h, grid.n_steps * grid.step_h)
    assert kpis["availability_frac"] == pytest.approx(expected, abs=tol)
