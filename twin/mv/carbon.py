"""Verified savings as CO2: which factor, which basis.

What is a verified kWh saving worth in tonnes of CO2? Electricity savings
take the grid factors already in the project (:mod:`twin.factors`):
location-based with the provincial average of the chosen data year, and
market-based with the national factor excluding market-traded non-fossil
power (the residual-mix-style factor the ledger uses), both MEE/NBS
publications. Natural-gas savings take the Chinese combustion factor of the
ledger's fuel table. The latest published year is used unless the case
names one, and the choice is stated.
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.factors import grid_factor

__all__ = ["CarbonSavings", "FACTOR_YEARS", "carbon_savings", "latest_factor_year"]

FACTOR_YEARS = (2021, 2022, 2023)
"""Data years of the MEE/NBS grid factors in ``twin/data``."""


def latest_factor_year(year: int) -> int:
    """The latest published data year not after ``year`` (or the earliest)."""
    older = [y for y in FACTOR_YEARS if y <= year]
    return max(older) if older else min(FACTOR_YEARS)


@dataclass(frozen=True)
class CarbonSavings:
    """Savings in CO2 with the factors used.

    Attributes
    ----------
    location_tco2, market_tco2 : float
        Central estimate [t CO2] (market is None for gas).
    interval_tco2 : tuple of float
        Location-based (or gas) interval at the case's confidence [t CO2].
    factors : list of dict
        ``basis``, ``ef_kg_per_kwh`` (or per kWh of gas LHV), ``source``.
    note : str
    """

    location_tco2: float
    market_tco2: float | None
    interval_tco2: tuple[float, float]
    factors: list[dict[str, object]]
    note: str

    def as_dict(self) -> dict[str, object]:
        return {
            "location_tco2": self.location_tco2,
            "market_tco2": self.market_tco2,
            "interval_tco2": list(self.interval_tco2),
            "factors": self.factors,
            "note": self.note,
        }


def carbon_savings(
    savings_kwh: float,
    interval_kwh: tuple[float, float],
    *,
    carrier: str,
    province: str,
    year: int | None,
    reporting_year: int,
) -> CarbonSavings:
    """Convert verified savings [kWh] to t CO2.

    Parameters
    ----------
    carrier : {"electricity", "natural_gas"}
    province : str
        For the location-based grid factor.
    year : int or None
        Factor data year; None picks the latest not after ``reporting_year``.

    Raises
    ------
    ValueError
        Unknown province or year (the message lists what exists).
    """
    if carrier == "natural_gas":
        from twin.factors.fuels import fuel_factor

        ff = fuel_factor("natural_gas", "cn")
        ef = ff.ef_kg_per_gj * 0.0036  # kg/GJ -> kg per kWh (LHV)
        t = savings_kwh * ef / 1000.0
        return CarbonSavings(
            t,
            None,
            (interval_kwh[0] * ef / 1000.0, interval_kwh[1] * ef / 1000.0),
            [{"basis": "combustion", "ef_kg_per_kwh": ef, "source": ff.source}],
            "natural gas saved, scope 1 combustion factor on the LHV basis",
        )
    chosen = year if year is not None else latest_factor_year(reporting_year)
    loc = grid_factor(year=chosen, province=province)
    mkt = grid_factor(year=chosen, national="national_average_excl_market_nonfossil")
    note = f"factor data year {chosen}" + (
        "" if year is not None else f" (latest published not after {reporting_year})"
    )
    return CarbonSavings(
        savings_kwh * loc.ef_kg_per_kwh / 1000.0,
        savings_kwh * mkt.ef_kg_per_kwh / 1000.0,
        (
            interval_kwh[0] * loc.ef_kg_per_kwh / 1000.0,
            interval_kwh[1] * loc.ef_kg_per_kwh / 1000.0,
        ),
        [
            {"basis": "location", "ef_kg_per_kwh": loc.ef_kg_per_kwh, "source": loc.source},
            {"basis": "market", "ef_kg_per_kwh": mkt.ef_kg_per_kwh, "source": mkt.source},
        ],
        note,
    )
