"""Neutrality in ISO 14068-1 order, indicators, and T/CECA-G 0171 readiness
(no invented rubric)."""

from __future__ import annotations

import math
import warnings

import pytest

import twin
from tests.conftest import minimal_config
from twin.accounting.ceca import CECA_INDICATORS, bundled_rubric
from twin.accounting.ledger import compute_ledger
from twin.config.ledger import LedgerConfig
from twin.errors import SuspiciousInputWarning

IMPORT_KWH = 100.0 * 8760


@pytest.fixture(scope="module")
def run_100kw():
    raw = minimal_config()
    raw["base_load"] = [{"name": "load", "demand_kw": 100.0}]
    from twin import weather

    w = weather.load_weather("suzhou-tmyx", year=2025)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousInputWarning)
        return twin.run(twin.config_from_dict(raw), weather=w)


def _ledger(res, **data):
    cfg = LedgerConfig.model_validate({"reporting_year": 2025, **data})
    return compute_ledger(res.plant, res.flows, res.series, res.signals, config=cfg)


def test_statement_reads_reductions_then_removals_then_offsets(run_100kw):
    led = _ledger(
        run_100kw,
        base_year={"year": 2022, "scope1_tco2": 0.0, "scope2_tco2": 800.0},
        removals=[{"name": "trees", "quantity_tco2e": 20.0, "source": "test"}],
        offsets=[
            {"name": "ccer", "standard": "CCER", "vintage_year": 2024, "quantity_tco2e": 100.0}
        ],
    )
    steps = [r.step for r in led.neutrality.rows]
    order = ["0 emissions", "1 reductions", "2 removals", "3 offsets", "4 result"]
    firsts = [steps.index(s) for s in order]
    assert firsts == sorted(firsts)
    emissions = IMPORT_KWH * 0.6096 / 1000
    neu = led.neutrality
    assert neu.emissions_tco2 == pytest.approx(emissions)
    assert neu.reduction_tco2 == pytest.approx(800.0 - emissions)
    assert neu.reduction_frac == pytest.approx((800.0 - emissions) / 800.0)
    assert neu.residual_tco2 == pytest.approx(emissions - 20.0)
    assert neu.offsets_applied_tco2 == 100.0
    assert neu.net_tco2 == pytest.approx(emissions - 120.0)
    assert neu.offset_ratio_frac == pytest.approx(100.0 / emissions)


def test_offsets_beyond_the_residual_are_surplus_not_negative_net(run_100kw):
    led = _ledger(
        run_100kw,
        base_year={"year": 2022, "scope1_tco2": 0.0, "scope2_tco2": 800.0},
        offsets=[
            {"name": "vcs", "standard": "VCS", "vintage_year": 2025, "quantity_tco2e": 1000.0},
            {
                "name": "pending",
                "standard": "CCER",
                "vintage_year": 2025,
                "quantity_tco2e": 50.0,
                "retired": False,
            },
        ],
    )
    neu = led.neutrality
    assert neu.net_tco2 == 0.0
    assert neu.offsets_retired_tco2 == 1000.0  # the unretired credits do not count
    assert neu.offsets_surplus_tco2 == pytest.approx(1000.0 - neu.residual_tco2)
    assert led.summary_keys()["offsets_tco2"] == pytest.approx(neu.residual_tco2)
    status = next(r.note for r in neu.rows if r.item == "status")
    assert status.startswith("neutral for the boundary and year")
    assert neu.neutral


def test_offsets_without_reductions_are_not_called_neutral(run_100kw):
    led = _ledger(
        run_100kw,
        offsets=[
            {"name": "vcs", "standard": "VCS", "vintage_year": 2025, "quantity_tco2e": 1000.0}
        ],
    )
    status = next(r.note for r in led.neutrality.rows if r.item == "status")
    assert status.startswith("not neutral") and "no base year" in status
    assert not led.neutrality.neutral
    assert any("no base year" in n for n in led.notes)


def test_rising_emissions_covered_by_offsets_are_not_neutral(run_100kw):
    emissions = IMPORT_KWH * 0.6096 / 1000
    base = emissions / 1.29  # 29 % above the base year, as the audit found
    offsets = [
        {"name": "vcs", "standard": "VCS", "vintage_year": 2025, "quantity_tco2e": 2 * emissions}
    ]
    led = _ledger(
        run_100kw,
        base_year={"year": 2022, "scope1_tco2": 0.0, "scope2_tco2": base},
        offsets=offsets,
    )
    neu = led.neutrality
    assert neu.net_tco2 == 0.0 and not neu.neutral
    assert neu.verdict.startswith("not neutral — reductions first")
    # the first period only: a commitment with a plan, still not a neutrality claim
    first = _ledger(
        run_100kw,
        base_year={"year": 2022, "scope1_tco2": 0.0, "scope2_tco2": base},
        offsets=offsets,
        claim_period="first",
        reduction_plan="CMP 2025-2030, -30 % by 2030",
    )
    assert not first.neutrality.neutral
    assert first.neutrality.verdict.startswith("first period: a carbon neutrality commitment")
    with pytest.raises(ValueError, match="reduction_plan"):
        _ledger(run_100kw, claim_period="first")


def test_offset_programmes_and_share_caps(run_100kw):
    emissions = IMPORT_KWH * 0.6096 / 1000
    offsets = [
        {"name": "ccer", "standard": "CCER", "vintage_year": 2025, "quantity_tco2e": emissions},
        {"name": "gs", "standard": "GS", "vintage_year": 2025, "quantity_tco2e": 10.0},
    ]
    by_year = {"year": 2022, "scope1_tco2": 0.0, "scope2_tco2": 2 * emissions}
    capped = _ledger(
        run_100kw,
        base_year=by_year,
        offsets=offsets,
        rules={"offset_share_cap_frac": {"CCER": 0.05}, "accepted_offset_standards": ["CCER"]},
    )
    neu = capped.neutrality
    assert neu.offsets_retired_tco2 == pytest.approx(emissions + 10.0)
    assert neu.offsets_applied_tco2 == pytest.approx(
        0.05 * emissions
    )  # GS excluded, CCER capped at 5 %
    assert neu.net_tco2 == pytest.approx(0.95 * emissions)
    assert not neu.neutral


def test_intensities(run_100kw):
    neu = _ledger(run_100kw, production_units=1000.0, revenue_cny=2e6).neutrality
    assert neu.intensity_tco2e_per_unit == pytest.approx(neu.emissions_tco2 / 1000.0)
    assert neu.intensity_tco2e_per_10k_cny == pytest.approx(neu.emissions_tco2 / 200.0)
    assert math.isnan(_ledger(run_100kw).neutrality.intensity_tco2e_per_unit)


def test_type_ii_adds_scope3(run_100kw):
    scope3 = [
        {
            "name": "steel",
            "category": "purchased goods",
            "quantity": 10.0,
            "unit": "t",
            "ef_kg_per_unit": 2000.0,
            "factor_source": "test",
        }
    ]
    type_i = _ledger(run_100kw, scope3=scope3).neutrality.emissions_tco2
    type_ii = _ledger(run_100kw, scope3=scope3, boundary="type_ii").neutrality.emissions_tco2
    assert type_ii == pytest.approx(type_i + 20.0)


def test_rubric_is_empty_and_says_the_standard_was_not_available(run_100kw):
    assert bundled_rubric() == ()
    ready = _ledger(run_100kw).readiness
    assert not ready.standard_available and ready.levels_met == ()
    frame = ready.frame()
    assert "standard text not available" in frame.note.iloc[0]
    assert set(frame[frame.section == "indicator"].item) == set(CECA_INDICATORS)
    assert not (frame.section == "criterion").any()


def test_rubric_rows_from_the_config_are_evaluated_with_their_source(run_100kw):
    rubric = [
        {
            "indicator": "renewable_share_frac",
            "op": ">=",
            "threshold": 0.5,
            "level": "L1",
            "source": "clause x.y (test)",
        },
        {
            "indicator": "scope2_market_tco2",
            "op": "<",
            "threshold": 1e6,
            "level": "L2",
            "source": "test",
        },
    ]
    ready = _ledger(run_100kw, ceca={"rubric": rubric}).readiness
    assert ready.standard_available and ready.levels_met == ("L2",)
    notes = list(ready.frame().note)
    assert any(n.startswith("not met; source: clause x.y") for n in notes)


def test_rubric_indicator_must_be_one_the_twin_computes():
    with pytest.raises(ValueError, match="unknown indicator 'stars'"):
        LedgerConfig.model_validate(
            {
                "ceca": {
                    "rubric": [
                        {
                            "indicator": "stars",
                            "op": ">=",
                            "threshold": 3,
                            "level": "x",
                            "source": "y",
                        }
                    ]
                }
            }
        )
