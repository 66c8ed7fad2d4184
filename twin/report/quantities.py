"""Units of result columns read from their names, for axis labels and tables.

Every quantity of the project carries its unit as a suffix of its name
(``grid_import_kwh``, ``peak_import_kw``, ``floating_price_cny_per_kwh``;
the naming rule of the config reference). A sweep's or a claim's columns
are such names, so the report can label an axis without a table of its own:
:func:`unit_of` turns the suffix into the unit, and :func:`display` picks
the scale a reader wants (MWh for annual kWh, kCNY for annual CNY, % for a
fraction).
"""

from __future__ import annotations

import math

__all__ = ["display", "unit_of"]

_TOKENS: dict[str, str] = {
    "kwh": "kWh",
    "mwh": "MWh",
    "kw": "kW",
    "kwp": "kWp",
    "kva": "kVA",
    "cny": "CNY",
    "tco2": "t CO2e",
    "tco2e": "t CO2e",
    "kg": "kg",
    "t": "t",
    "tce": "tce",
    "m3": "m³",
    "nm3": "Nm³",
    "min": "min",
    "h": "h",
    "s": "s",
    "c": "°C",
    "k": "K",
    "year": "yr",
    "years": "yr",
    "yr": "yr",
    "month": "month",
    "day": "day",
    "unit": "unit",
    "m2": "m²",
    "frac": "–",
    "pu": "p.u.",
    "cop": "–",
}
"""Unit suffix tokens (lower case, as in the names) and how they print."""

_SCALED: dict[str, tuple[str, float]] = {
    "kWh": ("MWh", 1e-3),
    "CNY": ("kCNY", 1e-3),
    "kg": ("t", 1e-3),
    "m³": ("thousand m³", 1e-3),
    "Nm³": ("thousand Nm³", 1e-3),
}
"""Units shown in thousands once values pass :data:`_SCALE_ABOVE`."""

_SCALE_ABOVE = 1e5


def unit_of(name: str) -> str:
    """The unit a column name's suffix states, or ``""`` when it states none.

    ``annual_cost_cny`` → ``CNY``; ``floating_price_cny_per_kwh`` →
    ``CNY/kWh``; ``battery.storage.capacity_kwh`` → ``kWh`` (the last dotted
    part counts); ``self_sufficiency_frac`` → ``–``; ``price`` → ``""``.
    """
    leaf = name.rsplit(".", 1)[-1].lower()
    parts = leaf.split("_per_")
    head = parts[0].rsplit("_", 1)
    if len(head) < 2 or head[1] not in _TOKENS:
        return ""
    units = [_TOKENS[head[1]]]
    for denominator in parts[1:]:
        words = denominator.split("_")
        # "cny_per_kw_month": per kW and month; stop at a word that is no unit
        den = [_TOKENS[w] for w in words if w in _TOKENS]
        if not den or len(den) != len(words):
            return ""
        units.append("·".join(den))
    return "/".join(units)


def display(name: str, magnitude: float | None = None) -> tuple[str, float]:
    """``(unit, scale)`` to show the values of ``name`` in: fractions as %,
    and kWh, CNY, kg and m³ in thousands (MWh, kCNY, t) when ``magnitude``
    (the largest absolute value shown) exceeds 100,000."""
    unit = unit_of(name)
    if unit == "–" and name.lower().endswith("_frac"):
        return "%", 100.0
    if unit in _SCALED and magnitude is not None and math.isfinite(magnitude):
        if abs(magnitude) > _SCALE_ABOVE:
            return _SCALED[unit]
    return unit, 1.0
