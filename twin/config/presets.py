"""Presets that expand into explicit config values before validation.

A preset is data (``twin/data/tou_windows.csv``, ``tou_ratios.csv``,
``tou_hot_days.csv``, the grid-factor tables): ``tariff.preset = "jiangsu"`` becomes the windows and
ratios of 苏发改价格发〔2025〕426号, and ``emission_factor = {province =
"jiangsu", year = 2023}`` becomes the factor with its source. After
expansion the config is explicit, so dumping and re-loading it gives the
same plant.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import Any

from twin.factors import grid_factor

__all__ = ["expand_emission_factor", "expand_tariff", "tou_presets"]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("twin.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(ln for ln in text.splitlines() if ln and not ln.startswith("#")))


@cache
def _windows() -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in _rows("tou_windows.csv"):
        entry: dict[str, Any] = {
            "months": [int(m) for m in row["months"].split()],
            "hours": [row[f"h{h:02d}"] for h in range(24)],
            "document": row["document"],
        }
        if row.get("day_types", "").strip():
            entry["day_types"] = row["day_types"].split()
        out.setdefault(row["preset"], []).append(entry)
    return out


@cache
def _hot_days() -> dict[str, dict[str, Any]]:
    return {
        row["preset"]: {
            "temp_air_min_c": float(row["temp_air_min_c"]),
            "consecutive_days": int(row["consecutive_days"]),
            "months": [int(m) for m in row["months"].split()],
            "hours": [int(h) for h in row["hours"].split()],
            "document": row["document"],
        }
        for row in _rows("tou_hot_days.csv")
    }


@cache
def _ratios() -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in _rows("tou_ratios.csv"):
        ratios = {
            k: float(row[k])
            for k in ("deep_valley", "valley", "flat", "peak", "critical")
            if row[k].strip()
        }
        out.setdefault(row["preset"], []).append(
            {
                "windows": row["windows"],
                "months": {int(m) for m in row["months"].split()},
                "ratios": ratios,
                "document": row["document"],
            }
        )
    return out


def tou_presets() -> dict[str, str]:
    """Known tariff presets -> the document they follow (windows-only presets
    included; those need ``ratios`` in the config)."""
    out = {name: rows[0]["document"] for name, rows in _ratios().items()}
    for name, wins in _windows().items():
        out.setdefault(name, f"{wins[0]['document']} (windows only: give ratios)")
    return dict(sorted(out.items()))


def expand_tariff(tariff: dict[str, Any]) -> dict[str, Any]:
    """Return ``tariff`` with ``preset`` expanded into windows and ratios.

    User-given ``ratios`` override the preset's; user-given ``windows``
    replace the preset's windows entirely.

    Raises
    ------
    KeyError
        Unknown preset; the message lists the known ones.
    """
    name = tariff.get("preset")
    if name is None:
        return tariff
    presets = tou_presets()
    if not isinstance(name, str) or name not in presets:
        import difflib

        close = difflib.get_close_matches(str(name).lower(), list(presets), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        msg = f"unknown tariff preset {name!r}; {hint}known presets: {', '.join(presets)}"
        raise KeyError(msg)
    out = dict(tariff)
    ratio_rows = _ratios().get(name)
    windows_name = ratio_rows[0]["windows"] if ratio_rows else name
    user_ratios = dict(tariff.get("ratios", {}))
    if not ratio_rows and "windows" not in tariff:
        used = sorted(
            {h for w in _windows()[name] for h in w["hours"]} - {"flat"} - set(user_ratios)
        )
        if used:
            doc = _windows()[name][0]["document"]
            msg = (
                f"preset {name!r} gives the time-of-use windows of {doc} but not its price "
                f"ratios, which the notices the project read do not state; give "
                f"tariff.ratios for {', '.join(used)} (ratio to the flat price, from {doc} or the "
                f"grid company's current 代理购电 price notice)"
            )
            raise KeyError(msg)
    if "windows" not in tariff:
        windows = []
        for w in _windows()[windows_name]:
            entry: dict[str, Any] = {"months": w["months"], "hours": w["hours"]}
            if "day_types" in w:
                entry["day_types"] = w["day_types"]
            for r in ratio_rows or []:
                if set(w["months"]) <= r["months"]:
                    entry["ratios"] = {**r["ratios"], **user_ratios}
                    break
            windows.append(entry)
        out["windows"] = windows
        hot = _hot_days().get(windows_name)
        if hot is not None and "hot_day_critical" not in tariff:
            out["hot_day_critical"] = dict(hot)
    out.setdefault(
        "document", ratio_rows[0]["document"] if ratio_rows else _windows()[name][0]["document"]
    )
    return out


def expand_emission_factor(ef: dict[str, Any]) -> dict[str, Any]:
    """Replace ``{province|region|national, year}`` by the factor and its source.

    Raises
    ------
    ValueError
        Unknown province/region/year (the message lists what exists) or a
        missing year.
    """
    keys = {"province", "region", "national"} & set(ef)
    if not keys:
        return ef
    if "year" not in ef:
        msg = f"{sorted(keys)[0]} needs year (data year of the factor: 2021, 2022 or 2023)"
        raise ValueError(msg)
    extra = set(ef) - keys - {"year", "source"}
    if extra:
        msg = (
            f"give either province/region/national with year, or an explicit factor; "
            f"found also {sorted(extra)}"
        )
        raise ValueError(msg)
    year = ef["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        msg = f"year: expected a data year as a whole number (2021, 2022 or 2023), got {year!r}"
        raise ValueError(msg)
    for key in keys:
        if not isinstance(ef[key], str):
            msg = f"{key}: expected a name as text, got {ef[key]!r}"
            raise ValueError(msg)
    factor = grid_factor(
        year=year,
        province=ef.get("province"),
        region=ef.get("region"),
        national=ef.get("national"),
    )
    return {"ef_kg_per_kwh": factor.ef_kg_per_kwh, "source": ef.get("source", factor.source)}
