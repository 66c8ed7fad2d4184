"""T/CECA-G 0171-2022 《零碳工厂评价规范》 readiness.

What is known of the standard (from a secondary description,
nanjing038148.11467.com/m/news/7514665.asp, 2024): a zero-carbon factory first
reduces its emissions as far as possible within the boundary over a year,
then clears the rest by removals and carbon credits; grades run from three
to six stars. Its star criteria, indicator weights and scoring rules were
NOT FOUND, and the exact Type I / Type II boundaries were not read from the
text. This module therefore does not score: it lists the indicators the
twin computes and evaluates only the criteria a rubric table gives, each
citing its clause. The bundled rubric (``twin/data/ceca_g0171_rubric.csv``)
is empty; a plant config may add rows under ``[[ledger.ceca.rubric]]``.

Boundaries as used here are this project's definition: Type I =
scope 1 + 2, Type II = scope 1 + 2 + value chain (scope 3). A secondary
source describes Type I as renewable electricity + offsetting and Type II
as renewable electricity + removal; the output says so.
"""

from __future__ import annotations

import csv
import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from twin.config.ledger import CECA_INDICATORS

__all__ = ["READINESS_COLUMNS", "Readiness", "bundled_rubric", "readiness"]

READINESS_COLUMNS = ["section", "item", "value", "unit", "note"]
_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
_NAN = float("nan")


@cache
def bundled_rubric() -> tuple[dict[str, str], ...]:
    """Rows of ``twin/data/ceca_g0171_rubric.csv`` (empty: the criteria were not found)."""
    text = (
        resources.files("twin.data").joinpath("ceca_g0171_rubric.csv").read_text(encoding="utf-8")
    )
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(csv.DictReader(lines))


@dataclass(frozen=True)
class Readiness:
    """Indicators and rubric results.

    Attributes
    ----------
    standard_available : bool
        False when no rubric row exists (the standard's text was not available).
    levels_met : tuple of str
        Levels whose every criterion is met (empty without a rubric).
    rows : tuple of tuple
        (section, item, value, unit, note) lines.
    """

    standard_available: bool
    levels_met: tuple[str, ...]
    rows: tuple[tuple[str, str, float, str, str], ...]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=READINESS_COLUMNS)


def readiness(indicators: Mapping[str, float], rubric: list, boundary: str) -> Readiness:
    """Evaluate the rubric (bundled rows + config rows) on the indicators.

    Parameters
    ----------
    indicators : mapping
        Values of :data:`CECA_INDICATORS` (NaN where not computable).
    rubric : list of RubricRow
        Rows from the config.
    boundary : {"type_i", "type_ii"}
    """
    criteria = [
        (r["indicator"], r["op"], float(r["threshold"]), r["level"], r["source"])
        for r in bundled_rubric()
    ] + [(r.indicator, r.op, r.threshold, r.level, r.source) for r in rubric]
    rows: list[tuple[str, str, float, str, str]] = []
    if criteria:
        rows.append(
            (
                "standard",
                "T/CECA-G 0171-2022",
                _NAN,
                "",
                f"{len(criteria)} criteria from the rubric table, each citing its source",
            )
        )
    else:
        rows.append(
            (
                "standard",
                "T/CECA-G 0171-2022",
                _NAN,
                "",
                "standard text not available: star criteria, indicator weights and scoring were NOT "
                "FOUND (no copy of the standard's text was available); no star level is assessed. Add [[ledger.ceca.rubric]] rows "
                "citing the standard's clauses to evaluate them",
            )
        )
    rows.append(
        (
            "boundary",
            "Type II" if boundary == "type_ii" else "Type I",
            _NAN,
            "",
            "Type I = scope 1 + 2, Type II = + value chain (project definition); a secondary source "
            "describes Type I as renewable electricity + offsetting and Type II as renewable "
            "electricity + removal; the standard's boundary text was not read",
        )
    )
    for name, (unit, meaning) in CECA_INDICATORS.items():
        rows.append(("indicator", name, float(indicators.get(name, _NAN)), unit, meaning))
    by_level: dict[str, list[bool]] = {}
    for indicator, op, threshold, level, source in criteria:
        value = float(indicators.get(indicator, _NAN))
        ok = not math.isnan(value) and bool(_OPS[op](value, threshold))
        by_level.setdefault(level, []).append(ok)
        state = "met" if ok else ("not computable" if math.isnan(value) else "not met")
        rows.append(
            (
                "criterion",
                f"{level}: {indicator} {op} {threshold:g}",
                value,
                CECA_INDICATORS.get(indicator, ("", ""))[0],
                f"{state}; source: {source}",
            )
        )
    met = tuple(level for level, oks in by_level.items() if all(oks))
    for level, oks in by_level.items():
        rows.append(
            ("level", level, float(sum(oks)), "criteria met", f"{sum(oks)} of {len(oks)} met")
        )
    return Readiness(bool(criteria), met, tuple(rows))
