"""Neutrality accounting in the order of ISO 14068-1:2023.

ISO 14068-1 sets a hierarchy: greenhouse-gas reductions (against a base
period) and removal enhancements within the value chain come before
offsetting, and credits are never netted before (1) and (2) are reported
(ISO 14068-1:2023 as summarised by standards.globalspec.com/std/14630239
and AENOR). The table this module builds reads top to bottom in that
order:

0. emissions in the boundary (Type I: scope 1 + 2; Type II: + scope 3),
   scope 2 on the configured basis (market-based by default);
1. reductions against the base year;
2. removals within the value chain; the residual to be offset
   = max(emissions - removals, 0);
3. offsets (credits retired for the year): applied = min(retired, residual),
   the rest is surplus; net = residual - applied (never negative).

Indicators (definitions of this twin; T/CECA-G 0171-2022 definitions were
not available):

- renewable share (market-based) = (self-consumed on-site generation still
  carrying its attributes + instruments applied to grid import) /
  (electricity use + storage losses);
- offset ratio = offsets applied / emissions in the boundary;
- intensity per unit of product = emissions / production_units [t CO2e/unit];
- intensity per revenue = emissions / (revenue_cny / 10,000) [t CO2e per
  10,000 CNY (万元)].

PAS 2060 was withdrawn on 2025-11-30 and replaced by BS ISO 14068-1
(BSI; en.wikipedia.org/wiki/BSI_PAS_2060); its notes are kept for claims made under it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from twin.accounting.inventory import Inventory
from twin.config.ledger import LedgerConfig

__all__ = ["NEUTRALITY_COLUMNS", "Neutrality", "NeutralityRow", "neutrality"]

NEUTRALITY_COLUMNS = ["step", "item", "value", "unit", "note"]
_NAN = float("nan")


@dataclass(frozen=True)
class NeutralityRow:
    """One line of the neutrality statement (``value`` NaN for text lines)."""

    step: str
    item: str
    value: float
    unit: str
    note: str


@dataclass(frozen=True)
class Neutrality:
    """The neutrality statement and its key figures [t CO2e] and shares [-].

    Attributes
    ----------
    emissions_tco2 : float
        Emissions in the boundary.
    reduction_tco2, reduction_frac : float
        Against the base year (NaN without one).
    removals_tco2, residual_tco2 : float
        Removals within the value chain; what is left to offset.
    offsets_retired_tco2, offsets_applied_tco2, offsets_surplus_tco2 : float
        Credits retired, applied to the residual, and beyond it.
    net_tco2 : float
        Residual minus applied offsets (>= 0).
    offset_ratio_frac, renewable_share_frac : float
    intensity_tco2e_per_unit, intensity_tco2e_per_10k_cny : float
        NaN when production or revenue is not given.
    neutral : bool
        True only for a neutrality claim ISO 14068-1 supports: a base year with
        emissions not above it, and the residual covered.
    verdict : str
        The status in one sentence (also the statement's last row).
    rows : tuple of NeutralityRow
    notes : tuple of str
    """

    emissions_tco2: float
    reduction_tco2: float
    reduction_frac: float
    removals_tco2: float
    residual_tco2: float
    offsets_retired_tco2: float
    offsets_applied_tco2: float
    offsets_surplus_tco2: float
    net_tco2: float
    neutral: bool
    verdict: str
    offset_ratio_frac: float
    renewable_share_frac: float
    intensity_tco2e_per_unit: float
    intensity_tco2e_per_10k_cny: float
    rows: tuple[NeutralityRow, ...]
    notes: tuple[str, ...]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [[getattr(r, c) for c in NEUTRALITY_COLUMNS] for r in self.rows],
            columns=NEUTRALITY_COLUMNS,
        )


def neutrality(inventory: Inventory, cfg: LedgerConfig) -> Neutrality:
    """The neutrality statement of an inventory (see module docstring)."""
    rows: list[NeutralityRow] = []
    notes: list[str] = []
    type_ii = cfg.boundary == "type_ii"
    s1 = inventory.scope1_tco2
    s2 = (
        inventory.scope2_market_tco2
        if cfg.scope2_basis == "market"
        else inventory.scope2_location_tco2
    )
    s3 = inventory.scope3_tco2 if type_ii else 0.0
    emissions = s1 + s2 + s3
    boundary = "Type II (scope 1 + 2 + 3)" if type_ii else "Type I (scope 1 + 2)"

    def add(step: str, item: str, value: float, unit: str = "t CO2e", note: str = "") -> None:
        rows.append(NeutralityRow(step, item, value, unit, note))

    add("0 emissions", "scope 1", s1)
    add(
        "0 emissions",
        f"scope 2 ({cfg.scope2_basis}-based)",
        s2,
        note="basis of the claim; the other method is in inventory.csv",
    )
    if type_ii:
        add("0 emissions", "scope 3", s3)
    elif inventory.scope3_tco2 > 0:
        notes.append(
            "scope 3 sources are inventoried but lie outside the Type I boundary of the claim"
        )
    add("0 emissions", f"emissions in the boundary, {boundary}", emissions)

    # 1. reductions against the base year
    b = cfg.base_year
    if b is None:
        reduction = reduction_frac = _NAN
        add("1 reductions", "base year", _NAN, "", "not given: reductions are not reported")
        notes.append(
            "no base year: ISO 14068-1 asks for reductions against a base period before offsets, and "
            "PAS 2060:2014 allowed offset-only neutrality in the first application period only; "
            "add [ledger.base_year]"
        )
    else:
        base = b.scope1_tco2 + b.scope2_tco2 + (b.scope3_tco2 if type_ii else 0.0)
        reduction = base - emissions
        reduction_frac = reduction / base if base > 0 else _NAN
        add("1 reductions", f"base year {b.year} emissions in the boundary", base, note=b.source)
        add(
            "1 reductions",
            f"reduction {b.year} -> {cfg.reporting_year}",
            reduction,
            note="positive = lower than the base year",
        )
        add("1 reductions", "reduction share of the base year", reduction_frac, "-")
        if reduction < 0:
            notes.append(f"emissions are {-reduction:,.1f} t CO2e above the base year {b.year}")

    # 2. removals within the value chain
    removals = sum((r.quantity_tco2e for r in cfg.removals), 0.0)
    for r in cfg.removals:
        add("2 removals", r.name, r.quantity_tco2e, note=r.source)
    add("2 removals", "removals within the value chain", removals)
    residual = max(emissions - removals, 0.0)
    add("2 removals", "residual emissions to be offset", residual)

    # 3. offsets: accepted programmes and share caps first, then up to the residual
    retired = 0.0
    cost = 0.0
    usable: list[tuple[str, str, float]] = []
    accepted = cfg.rules.accepted_offset_standards
    for o in cfg.offsets:
        serials = f"; serials {', '.join(o.serials)}" if o.serials else ""
        status = "retired" if o.retired else "NOT retired: not counted"
        add(
            "3 offsets",
            f"{o.name} ({o.standard}, vintage {o.vintage_year})",
            o.quantity_tco2e,
            note=f"{status}{serials}",
        )
        if not o.retired:
            notes.append(f"offset {o.name!r} is not retired and is not counted")
            continue
        retired += o.quantity_tco2e
        cost += o.quantity_tco2e * (o.price_cny_per_t or 0.0)
        if accepted is not None and o.standard not in accepted:
            notes.append(
                f"offset {o.name!r}: {o.standard} is not among the programmes the claim accepts"
            )
            continue
        usable.append((o.name, o.standard, o.quantity_tco2e))
    by_standard: dict[str, float] = {}
    for _, standard, q in usable:
        by_standard[standard] = by_standard.get(standard, 0.0) + q
    eligible = 0.0
    for standard, q in by_standard.items():
        cap = cfg.rules.offset_share_cap_frac.get(standard)
        if cap is not None and q > cap * emissions:
            add(
                "3 offsets",
                f"{standard} credits above the {cap:.0%} share cap (not applied)",
                q - cap * emissions,
                note="rules.offset_share_cap_frac",
            )
            q = cap * emissions
        eligible += q
    applied = min(eligible, residual)
    surplus = retired - applied
    net = residual - applied
    add("3 offsets", "credits retired", retired)
    add("3 offsets", "credits applied to the residual", applied)
    if surplus > 0:
        add("3 offsets", "credits retired but not applied (surplus, excluded or capped)", surplus)
    if any(o.price_cny_per_t is not None for o in cfg.offsets):
        add("3 offsets", "cost of retired credits", cost, "CNY")
    add("4 result", "net emissions after offsets", net)
    first = cfg.claim_period == "first"
    rising = b is not None and reduction < 0
    if net > 1e-9:
        verdict = f"not neutral: {net:,.1f} t CO2e still to offset"
    elif b is None and not first:
        verdict = (
            "not neutral: offsets cover the residual, but no base year is given, so reductions "
            "cannot be shown (ISO 14068-1: reductions first)"
        )
    elif rising and not first:
        verdict = (
            f"not neutral — reductions first: emissions are {-reduction:,.1f} t CO2e above the base "
            f"year {b.year}; ISO 14068-1 requires reductions before offsets, and an offset-only claim "
            "after the first period is not a neutrality claim"
        )
    elif first:
        verdict = (
            "first period: a carbon neutrality commitment with offsets covering the residual and a "
            f"reduction plan ({cfg.reduction_plan}); not a neutrality claim until reductions are shown"
        )
    else:
        verdict = (
            "neutral for the boundary and year: reductions against the base year, then offsets"
        )
    neutral = verdict.startswith("neutral for")
    add("4 result", "status", _NAN, "", verdict)

    # indicators
    elec = inventory.electricity
    offset_ratio = applied / emissions if emissions > 0 else 0.0
    per_unit = emissions / cfg.production_units if cfg.production_units else _NAN
    per_10k = emissions / (cfg.revenue_cny / 1e4) if cfg.revenue_cny else _NAN
    add(
        "indicators",
        "renewable electricity share (market-based)",
        elec.renewable_share_frac,
        "-",
        f"({elec.onsite_claim_kwh:,.0f} kWh on-site + {elec.instruments_applied_kwh:,.0f} kWh instruments) "
        f"/ {elec.need_kwh:,.0f} kWh electricity need (use + storage losses)",
    )
    add(
        "indicators",
        "offset ratio",
        offset_ratio,
        "-",
        "credits applied / emissions in the boundary",
    )
    add(
        "indicators",
        f"intensity per {cfg.production_unit}",
        per_unit,
        f"t CO2e/{cfg.production_unit}",
        "" if cfg.production_units else "give ledger.production_units",
    )
    add(
        "indicators",
        "intensity per revenue",
        per_10k,
        "t CO2e/10k CNY",
        "" if cfg.revenue_cny else "give ledger.revenue_cny",
    )
    notes.append(
        "order of ISO 14068-1:2023: reductions, then removals within the value chain, then offsets; "
        "PAS 2060 was withdrawn on 2025-11-30 and replaced by BS ISO 14068-1"
    )
    for text in notes:
        add("notes", "note", _NAN, "", text)
    return Neutrality(
        emissions_tco2=emissions,
        reduction_tco2=reduction,
        reduction_frac=reduction_frac,
        removals_tco2=removals,
        residual_tco2=residual,
        offsets_retired_tco2=retired,
        offsets_applied_tco2=applied,
        offsets_surplus_tco2=surplus,
        net_tco2=net,
        neutral=neutral,
        verdict=verdict,
        offset_ratio_frac=offset_ratio,
        renewable_share_frac=elec.renewable_share_frac,
        intensity_tco2e_per_unit=per_unit,
        intensity_tco2e_per_10k_cny=per_10k,
        rows=tuple(rows),
        notes=tuple(notes),
    )
