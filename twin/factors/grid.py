"""Emission-factor library: Chinese grid factors and fuel combustion factors.

The numbers live in ``twin/data/*.csv``, copied from the project's reference
set with their source lines (the ``#`` header of each file names the
official document and where it was read). This module only looks them up.

Grid factors are location-based averages of MEE/NBS (公告2024年第12号 for
2021, 公告2024年第33号 for 2022, 公告2025年第47号 for 2023) in kg CO2/kWh.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "GridFactor",
    "grid_factor",
    "list_grid_factor_keys",
    "province_key",
]

_DATA = "twin.data"

# English (pinyin) names accepted for each province, mapped to the Chinese
# name used in cn_grid_ef_provincial.csv.
_PROVINCE_ALIASES: dict[str, str] = {
    "beijing": "北京",
    "tianjin": "天津",
    "hebei": "河北",
    "shanxi": "山西",
    "inner_mongolia": "内蒙古",
    "neimenggu": "内蒙古",
    "liaoning": "辽宁",
    "jilin": "吉林",
    "heilongjiang": "黑龙江",
    "shanghai": "上海",
    "jiangsu": "江苏",
    "zhejiang": "浙江",
    "anhui": "安徽",
    "fujian": "福建",
    "jiangxi": "江西",
    "shandong": "山东",
    "henan": "河南",
    "hubei": "湖北",
    "hunan": "湖南",
    "guangdong": "广东",
    "guangxi": "广西",
    "hainan": "海南",
    "chongqing": "重庆",
    "sichuan": "四川",
    "guizhou": "贵州",
    "yunnan": "云南",
    "shaanxi": "陕西",
    "gansu": "甘肃",
    "qinghai": "青海",
    "ningxia": "宁夏",
    "xinjiang": "新疆",
}

_REGION_ALIASES: dict[str, str] = {
    "north": "华北",
    "northeast": "东北",
    "east": "华东",
    "central": "华中",
    "northwest": "西北",
    "south": "南方",
    "southwest": "西南",
}

_DOCUMENTS = {
    2021: "MEE/NBS 公告2024年第12号",
    2022: "MEE/NBS 公告2024年第33号",
    2023: "MEE/NBS 公告2025年第47号",
}


@dataclass(frozen=True)
class GridFactor:
    """A grid emission factor with its source.

    Attributes
    ----------
    ef_kg_per_kwh : float
        Emission factor [kg CO2/kWh].
    scope : str
        ``province``, ``region`` or ``national``.
    key : str
        Province or region name (Chinese), or the national factor type.
    year : int
        Data year of the factor.
    source : str
        Document and table the number comes from.
    """

    ef_kg_per_kwh: float
    scope: str
    key: str
    year: int
    source: str


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def _provincial() -> dict[tuple[str, int], float]:
    out: dict[tuple[str, int], float] = {}
    for row in _read_csv("cn_grid_ef_provincial.csv"):
        for year in _DOCUMENTS:
            value = row.get(f"ef_{year}", "").strip()
            if value:
                out[(row["province"], year)] = float(value)
    return out


@cache
def _regional() -> dict[tuple[str, int], float]:
    out: dict[tuple[str, int], float] = {}
    for row in _read_csv("cn_grid_ef_regional.csv"):
        for year in _DOCUMENTS:
            value = row.get(f"ef_{year}", "").strip()
            if value:
                out[(row["region_cn"], year)] = float(value)
    return out


@cache
def _national() -> dict[tuple[str, int], float]:
    out: dict[tuple[str, int], float] = {}
    for row in _read_csv("cn_grid_ef_national.csv"):
        ftype = row["factor_type"].split(" ")[0]
        out[(ftype, int(row["data_year"]))] = float(row["value_kgco2_per_kwh"])
    return out


def province_key(name: str) -> str:
    """Chinese province name for ``name`` (Chinese or pinyin, any case).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the accepted names.
    """
    key = name.strip()
    if key in _PROVINCE_ALIASES.values():
        return key
    alias = key.lower().replace(" ", "_").replace("-", "_")
    if alias in _PROVINCE_ALIASES:
        return _PROVINCE_ALIASES[alias]
    known = ", ".join(sorted(_PROVINCE_ALIASES))
    msg = f"unknown province {name!r}; known provinces: {known}"
    raise ValueError(msg)


def _region_key(name: str) -> str:
    key = name.strip()
    if key in _REGION_ALIASES.values():
        return key
    alias = key.lower()
    if alias in _REGION_ALIASES:
        return _REGION_ALIASES[alias]
    msg = f"unknown grid region {name!r}; known regions: {', '.join(sorted(_REGION_ALIASES))}"
    raise ValueError(msg)


def grid_factor(
    *,
    year: int,
    province: str | None = None,
    region: str | None = None,
    national: str | None = None,
) -> GridFactor:
    """Look up a Chinese grid emission factor.

    Exactly one of ``province``, ``region`` or ``national`` is given.

    Parameters
    ----------
    year : int
        Data year (2021, 2022 or 2023).
    province : str, optional
        Province, Chinese (``江苏``) or pinyin (``jiangsu``).
    region : str, optional
        Regional grid (``east``/``华东``, ...).
    national : str, optional
        ``national_average`` (location-based), ``national_average_excl_market_nonfossil``
        or ``national_fossil_power``.

    Returns
    -------
    GridFactor

    Raises
    ------
    ValueError
        Unknown name or year; the message lists what exists.
    """
    given = [x for x in (province, region, national) if x is not None]
    if len(given) != 1:
        msg = "give exactly one of province, region or national"
        raise ValueError(msg)
    if province is not None:
        key, table, scope = province_key(province), _provincial(), "province"
        table_name = "附件 provincial table"
    elif region is not None:
        key, table, scope = _region_key(region), _regional(), "region"
        table_name = "附件 regional table"
    else:
        key, table, scope = str(national), _national(), "national"
        table_name = "national factors"
    if (key, year) not in table:
        years = sorted(y for (k, y) in table if k == key)
        if not years:
            keys = sorted({k for (k, _) in table})
            msg = f"no {scope} factor named {key!r}; available: {', '.join(keys)}"
        else:
            msg = (
                f"no {scope} factor for {key} in data year {year}; "
                f"available years: {', '.join(map(str, years))}"
            )
        raise ValueError(msg)
    source = f"{_DOCUMENTS.get(year, 'MEE/NBS')} ({table_name}, {scope} {key}, data year {year})"
    return GridFactor(table[(key, year)], scope, key, year, source)


def list_grid_factor_keys() -> dict[str, list[str]]:
    """Names accepted by :func:`grid_factor`, by scope."""
    return {
        "province": sorted(_PROVINCE_ALIASES),
        "region": sorted(_REGION_ALIASES),
        "national": sorted({k for (k, _) in _national()}),
    }
