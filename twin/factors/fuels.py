"""Emission factors of the carbon ledger: fuels, purchased heat, refrigerant GWPs.

The numbers live in ``twin/data/*.csv`` with their sources in each file's
``#`` header; this module only reads and combines them. Grid electricity
factors are in :mod:`twin.factors`.

- Fuel combustion, Chinese practice (``cn``): EF per physical unit from
  ``cn_fuel_combustion_factors.csv`` (NCV of GB/T 2589, carbon content and
  oxidation rate as in Chinese GHG accounting),
  EF = NCV × CC × OF × 44/12.
- Fuel combustion, IPCC 2006 defaults (``ipcc2006``): kg CO2/TJ on a net
  calorific basis from ``ipcc2006_stationary_co2_ef.csv`` (Vol. 2 Ch. 2
  Table 2.2, oxidation factor 1). IPCC default NCVs were not found in a
  citable file, so a physical quantity is turned into energy with the
  Chinese NCV of the same fuel (or an NCV the config gives).
- Purchased heat: ``cn_purchased_heat_factor.csv`` (kg CO2/GJ).
- Refrigerants: GWP-100 of pure gases from ``gwp100_ipcc.csv`` (IPCC AR6
  Table 7.SM.7, AR5 Table 8.A.1) and blends as the mass-weighted sum of
  their ASHRAE 34 components (``refrigerant_blends_ashrae34.csv``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "FUELS",
    "KNOWN_UNSOURCED_REFRIGERANTS",
    "FuelFactor",
    "FuelInfo",
    "Gwp",
    "fuel_factor",
    "fuel_key",
    "purchased_heat_factor",
    "refrigerant_gwp",
    "refrigerant_key",
    "refrigerant_names",
]

_DATA = "twin.data"


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    return list(
        csv.DictReader(ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))
    )


# -- fuels -----------------------------------------------------------------
@dataclass(frozen=True)
class FuelInfo:
    """How a fuel is named in the two factor tables.

    Attributes
    ----------
    key : str
        Config name (``natural_gas``, ``diesel``).
    physical_unit : str
        ``Nm3`` for gases, ``kg`` for liquids and solids.
    cn_row : str or None
        Row of ``cn_fuel_combustion_factors.csv``.
    ipcc_row : str or None
        Row of ``ipcc2006_stationary_co2_ef.csv``.
    liquid : bool
        True when a volume in litres is a valid quantity (with a density).
    """

    key: str
    physical_unit: str
    cn_row: str | None
    ipcc_row: str | None
    liquid: bool = False


FUELS: dict[str, FuelInfo] = {
    f.key: f
    for f in (
        FuelInfo("natural_gas", "Nm3", "天然气 natural gas", "Natural_Gas"),
        FuelInfo("diesel", "kg", "柴油 diesel", "Diesel_Oil (Gas/Diesel oil)", liquid=True),
        FuelInfo("gasoline", "kg", "汽油 gasoline", "Motor_Gasoline", liquid=True),
        FuelInfo("fuel_oil", "kg", "燃料油 fuel oil", "Residual_Fuel_Oil", liquid=True),
        FuelInfo("kerosene", "kg", "煤油 kerosene", "Other_Kerosene", liquid=True),
        FuelInfo("crude_oil", "kg", "原油 crude oil", "Crude_Oil", liquid=True),
        FuelInfo("lpg", "kg", "液化石油气 LPG", "Liquefied_Petroleum_Gases", liquid=True),
        FuelInfo("refinery_dry_gas", "kg", "炼厂干气 refinery dry gas", "Refinery_Gas"),
        FuelInfo("raw_coal", "kg", "原煤 raw coal", None),
        FuelInfo("coke", "kg", "焦炭 coke", "Coke_Oven_Coke"),
        FuelInfo("anthracite", "kg", None, "Anthracite"),
        FuelInfo("other_bituminous_coal", "kg", None, "Other_Bituminous_Coal"),
        FuelInfo("sub_bituminous_coal", "kg", None, "Sub_Bituminous_Coal"),
        FuelInfo("lignite", "kg", None, "Lignite"),
        FuelInfo("petroleum_coke", "kg", None, "Petroleum_Coke"),
        FuelInfo("coke_oven_gas", "GJ", None, "Coke_Oven_Gas"),
        FuelInfo("blast_furnace_gas", "GJ", None, "Blast_Furnace_Gas"),
    )
}
"""Fuels the ledger knows, by config name. Gases billed in Nm³ are
``natural_gas``; the IPCC-only fuels need an energy quantity or an NCV."""

_FUEL_ALIASES = {
    "ng": "natural_gas",
    "gas": "natural_gas",
    "天然气": "natural_gas",
    "柴油": "diesel",
    "汽油": "gasoline",
    "液化石油气": "lpg",
    "原煤": "raw_coal",
    "coal": "raw_coal",
    "焦炭": "coke",
    "燃料油": "fuel_oil",
}


def fuel_key(name: str) -> str:
    """Config name of a fuel (``Natural gas``, ``natural-gas``, ``天然气`` -> ``natural_gas``).

    Raises
    ------
    ValueError
        Unknown fuel; the message lists the known ones.
    """
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = _FUEL_ALIASES.get(key, key)
    if key not in FUELS:
        msg = f"unknown fuel {name!r}; known fuels: {', '.join(FUELS)}"
        raise ValueError(msg)
    return key


@dataclass(frozen=True)
class FuelFactor:
    """A combustion factor with its source.

    Attributes
    ----------
    ef_kg_per_gj : float
        CO2 per unit of energy on a net calorific basis [kg CO2/GJ].
    ncv_gj_per_unit : float or None
        Net calorific value per physical unit [GJ/Nm³] or [GJ/kg]; None
        when no NCV is known for the fuel.
    ef_kg_per_unit : float or None
        CO2 per physical unit [kg CO2/Nm³] or [kg CO2/kg] (the Chinese table
        gives it directly; for IPCC it is EF x NCV).
    physical_unit : str
        ``Nm3`` or ``kg``.
    source : str
        Table, row and derivation of the numbers.
    """

    ef_kg_per_gj: float
    ncv_gj_per_unit: float | None
    ef_kg_per_unit: float | None
    physical_unit: str
    source: str


@cache
def _cn_table() -> dict[str, dict[str, str]]:
    return {row["fuel"]: row for row in _rows("cn_fuel_combustion_factors.csv")}


@cache
def _ipcc_table() -> dict[str, float]:
    return {
        row["fuel"]: float(row["co2_kg_per_TJ"]) for row in _rows("ipcc2006_stationary_co2_ef.csv")
    }


def _cn_ncv_gj(info: FuelInfo) -> float | None:
    if info.cn_row is None:
        return None
    row = _cn_table()[info.cn_row]
    return float(row["ncv"]) * 1e-6  # kJ/unit -> GJ/unit


def fuel_factor(fuel: str, factor_set: str, *, ncv_gj_per_unit: float | None = None) -> FuelFactor:
    """Combustion factor of a fuel from a factor set.

    Parameters
    ----------
    fuel : str
        Fuel name (see :data:`FUELS`).
    factor_set : {"cn", "ipcc2006"}
        Chinese practice or IPCC 2006 defaults.
    ncv_gj_per_unit : float, optional
        NCV replacing the table's (for example from a fuel analysis)
        [GJ/Nm³] or [GJ/kg].

    Returns
    -------
    FuelFactor

    Raises
    ------
    ValueError
        Unknown fuel or set, or a fuel the chosen set does not cover.

    Notes
    -----
    Chinese set: EF per unit as tabulated; per GJ it is EF / NCV. IPCC set:
    EF per GJ = table value / 1000; per unit it is EF x NCV, with the
    Chinese NCV (GB/T 2589) unless ``ncv_gj_per_unit`` is given, because the
    IPCC default NCVs (IPCC 2006 Vol. 2 Ch. 1 Table 1.2) were not found in a
    citable copy.
    """
    info = FUELS[fuel_key(fuel)]
    if factor_set == "cn":
        if info.cn_row is None:
            with_cn = [k for k, f in FUELS.items() if f.cn_row]
            msg = (
                f"fuel {info.key!r} has no row in the Chinese factor table; "
                f"use fuel_factors = 'ipcc2006' or one of: {', '.join(with_cn)}"
            )
            raise ValueError(msg)
        row = _cn_table()[info.cn_row]
        ef_unit = float(row["ef_value"])
        table_ncv = float(row["ncv"]) * 1e-6
        ncv = ncv_gj_per_unit or table_ncv
        source = (
            f"CN {row['fuel']}: {row['ef_value']} {row['ef_unit']} = NCV {row['ncv']} "
            f"{row['ncv_unit']} x {row['carbon_content_tC_per_TJ']} tC/TJ x oxidation "
            f"{row['oxidation_rate']} x 44/12 (各种能源折标准煤及碳排放参考系数, NCV of GB/T 2589; "
            "twin/data/cn_fuel_combustion_factors.csv)"
        )
        if ncv_gj_per_unit is not None:
            ef_unit = ef_unit / table_ncv * ncv_gj_per_unit
            source += f"; rescaled to the given NCV {ncv_gj_per_unit:g} GJ/{info.physical_unit}"
        return FuelFactor(ef_unit / ncv, ncv, ef_unit, info.physical_unit, source)
    if factor_set == "ipcc2006":
        if info.ipcc_row is None:
            with_ipcc = [k for k, f in FUELS.items() if f.ipcc_row]
            msg = (
                f"fuel {info.key!r} has no row in the IPCC 2006 table; "
                f"use fuel_factors = 'cn' or one of: {', '.join(with_ipcc)}"
            )
            raise ValueError(msg)
        ef_gj = _ipcc_table()[info.ipcc_row] / 1000.0
        ncv = ncv_gj_per_unit if ncv_gj_per_unit is not None else _cn_ncv_gj(info)
        source = (
            f"IPCC 2006 Vol.2 Ch.2 Table 2.2 {info.ipcc_row}: {_ipcc_table()[info.ipcc_row]:,.0f} "
            "kg CO2/TJ (NCV basis, oxidation 1; via iClimate/ghgpy)"
        )
        if ncv is not None and info.physical_unit != "GJ":
            origin = "given" if ncv_gj_per_unit is not None else "CN table (GB/T 2589)"
            source += f"; NCV {ncv * 1e6:,.0f} kJ/{info.physical_unit} ({origin})"
        ef_unit = ef_gj * ncv if ncv is not None else None
        return FuelFactor(ef_gj, ncv, ef_unit, info.physical_unit, source)
    msg = f"unknown fuel factor set {factor_set!r}; use 'cn' or 'ipcc2006'"
    raise ValueError(msg)


# -- purchased heat -----------------------------------------------------------
def purchased_heat_factor() -> tuple[float, str]:
    """Default CO2 factor of purchased heat [kg CO2/GJ] and its source note."""
    row = _rows("cn_purchased_heat_factor.csv")[0]
    source = (
        f"purchased heat {float(row['ef_kg_per_gj']) / 1000:g} t CO2/GJ: NDRC 24-industry "
        f"guideline default as {row['status']} (twin/data/cn_purchased_heat_factor.csv)"
    )
    return float(row["ef_kg_per_gj"]), source


# -- refrigerants ------------------------------------------------------------------
KNOWN_UNSOURCED_REFRIGERANTS = {"R-717": "ammonia", "R-290": "propane", "R-600a": "isobutane"}
"""Common refrigerants without a GWP-100 in the bundled tables: a config
using them gives ``gwp`` and ``gwp_source``."""

_GWP_SETS = {"ar6": "gwp100_ar6", "ar5": "gwp100_ar5"}
_GWP_SOURCES = {
    "ar6": "IPCC AR6 WGI Table 7.SM.7 GWP-100 (via chrisroadmap/ar6)",
    "ar5": "IPCC AR5 WGI Table 8.A.1 GWP-100 (GHG Protocol list, via openclimatedata/globalwarmingpotentials)",
}


@cache
def _pure() -> dict[str, dict[str, str]]:
    return {row["designation"]: row for row in _rows("gwp100_ipcc.csv")}


@cache
def _blends() -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for row in _rows("refrigerant_blends_ashrae34.csv"):
        out.setdefault(row["blend"], []).append((row["component"], float(row["mass_pct"])))
    return out


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).upper()


@cache
def _aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for designation, row in _pure().items():
        out[_norm(designation)] = designation
        out[_norm(row["species"])] = designation
    for blend in _blends():
        out[_norm(blend)] = blend
    for designation, species in KNOWN_UNSOURCED_REFRIGERANTS.items():
        out[_norm(designation)] = designation
        out[_norm(species)] = designation
    out[_norm("CO2")] = "R-744"
    out[_norm("NH3")] = "R-717"
    return out


def refrigerant_names() -> list[str]:
    """ASHRAE designations with a GWP in the bundled tables."""
    return sorted([*_pure(), *_blends()])


def refrigerant_key(name: str) -> str:
    """ASHRAE designation for ``name`` (``R134a``, ``HFC-134a``, ``r-410a`` ...).

    Raises
    ------
    ValueError
        Unknown refrigerant; the message lists the known ones.
    """
    key = _aliases().get(_norm(name))
    if key is None:
        msg = f"unknown refrigerant {name!r}; known refrigerants: {', '.join(refrigerant_names())}"
        raise ValueError(msg)
    return key


@dataclass(frozen=True)
class Gwp:
    """A GWP-100 with its derivation.

    Attributes
    ----------
    gwp : float
        kg CO2e per kg of refrigerant [-].
    source : str
        Table and, for blends, the composition used.
    """

    gwp: float
    source: str


def refrigerant_gwp(name: str, gwp_set: str = "ar6") -> Gwp:
    """GWP-100 of a refrigerant (pure gas or ASHRAE 34 blend).

    Parameters
    ----------
    name : str
        Refrigerant (``R-134a``, ``R-410A``, ``HFO-1234yf`` ...).
    gwp_set : {"ar6", "ar5"}
        IPCC assessment report of the values.

    Returns
    -------
    Gwp

    Raises
    ------
    ValueError
        Unknown refrigerant, one without a sourced value, or a blend with
        a component missing from the chosen set.

    Notes
    -----
    Blend: :math:`GWP = \\sum_i w_i\\,GWP_i` with mass fractions
    :math:`w_i` of ASHRAE 34 (Regulation (EC) No 842/2006 Annex I Part 2).

    Examples
    --------
    >>> refrigerant_gwp("R-410A", "ar5").gwp
    1923.5
    """
    if gwp_set not in _GWP_SETS:
        msg = f"unknown gwp_set {gwp_set!r}; use one of {', '.join(_GWP_SETS)}"
        raise ValueError(msg)
    key = refrigerant_key(name)
    column = _GWP_SETS[gwp_set]
    if key in KNOWN_UNSOURCED_REFRIGERANTS:
        msg = (
            f"refrigerant {key} ({KNOWN_UNSOURCED_REFRIGERANTS[key]}) has no GWP-100 in the bundled "
            "IPCC tables; give gwp and gwp_source for it in the config"
        )
        raise ValueError(msg)
    if key in _pure():
        value = _pure()[key][column].strip()
        if not value:
            msg = (
                f"refrigerant {key} has no {gwp_set.upper()} GWP-100 in the bundled table; "
                f"use gwp_set = 'ar6' or give gwp and gwp_source"
            )
            raise ValueError(msg)
        row = _pure()[key]
        return Gwp(float(value), f"{row['species']}: {value} ({_GWP_SOURCES[gwp_set]})")
    total = 0.0
    parts = []
    for component, pct in _blends()[key]:
        part = refrigerant_gwp(component, gwp_set)
        total += pct / 100.0 * part.gwp
        parts.append(f"{pct:g}% {component} ({part.gwp:g})")
    source = (
        f"{key} = {' + '.join(parts)} (ASHRAE 34-2019 mass fractions via openscm-units; "
        f"{_GWP_SOURCES[gwp_set]}; weighted sum per Reg. (EC) 842/2006 Annex I)"
    )
    return Gwp(round(total, 6), source)
