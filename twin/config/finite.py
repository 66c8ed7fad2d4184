"""Finite numbers everywhere: one check over the raw data of a config.

A NaN, an infinity or a number so large that sums of it overflow (1e308)
passes most field bounds (NaN compares false with every bound) and turns
totals into NaN or inf in the run. Every number in a config, a patch or a
measure is read through :func:`nonfinite_problems` before the schema, so the
rule holds for fields that have no bound of their own.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

__all__ = ["MAX_MAGNITUDE", "nonfinite_problems"]

MAX_MAGNITUDE = 1e12
"""Largest magnitude of a number in a config [unit of the field]: above any
plant quantity (1 TW, 1e12 kWh or CNY) and far below where a year of sums
overflows float64 (about 1e300)."""


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    else:
        yield path, value


def _all_plain(value: Any) -> bool:
    """No number in ``value`` needs a look (a quick pass that builds no paths)."""
    if isinstance(value, dict):
        return all(_all_plain(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_all_plain(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= MAX_MAGNITUDE
    return True


def nonfinite_problems(raw: Any, *, prefix: str = "") -> list[tuple[str, str]]:
    """(field path, problem) for every number in ``raw`` that is NaN, infinite
    or of magnitude above :data:`MAX_MAGNITUDE`.

    Integers are checked against the same bound, except seeds (any 64-bit
    whole number is a seed).
    """
    out: list[tuple[str, str]] = []
    if _all_plain(raw):
        return out
    for path, value in _walk(raw, prefix):
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if isinstance(value, int) and path.rsplit(".", 1)[-1] == "seed":
            continue
        if isinstance(value, float) and not math.isfinite(value):
            out.append((path, f"expected a finite number, got {value} (write the value itself)"))
        elif abs(value) > MAX_MAGNITUDE:
            out.append(
                (
                    path,
                    f"expected a number of magnitude at most {MAX_MAGNITUDE:.0e}, got {value:.3g} "
                    "(check the unit in the field's name)",
                )
            )
    return out
