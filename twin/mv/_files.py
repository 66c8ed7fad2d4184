"""Reading the TOML files of M&V (case, claims, plant configs) and applying a
measure to a plant config, with messages that name the file and the field."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from twin.config.loader import is_readable_file, set_path
from twin.errors import ConfigError

__all__ = ["read_toml", "with_measure"]

FINANCE_DEFAULTS = {"pv_degradation_frac_per_year": 0.005, "battery_fade_frac_per_year": 0.02}
"""Experiment-wide defaults the measure library asks for (as in experiments)."""


def read_toml(path: Path, *, label: str, where: str, missing: str) -> dict[str, Any]:
    """Parse a TOML file.

    Parameters
    ----------
    label : str
        The file the message is about (the case or claims file).
    where : str
        Field naming ``path`` (empty for the file itself).
    missing : str
        Text for a missing file, e.g. ``"plant config ... not found"``.

    Raises
    ------
    ConfigError
        Missing file, not UTF-8, or not valid TOML.
    """
    prefix = f"{label}: {where}: " if where else f"{label}: "
    if not is_readable_file(path):
        msg = prefix + missing
        raise ConfigError(msg)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        msg = f"{prefix}{path.name} is not valid TOML: {exc}"
        raise ConfigError(msg) from None
    except UnicodeDecodeError:
        msg = f"{prefix}{path.name} is not UTF-8 text; save it as UTF-8"
        raise ConfigError(msg) from None


def with_measure(
    raw: dict[str, Any],
    measures: list[dict[str, Any]],
    patches: dict[str, Any],
    *,
    label: str,
    where: str,
) -> dict[str, Any]:
    """The plant config ``raw`` with the measure applied: library measures
    (:func:`twin.measures.apply_measure`) then dotted-path patches.

    Raises
    ------
    ConfigError
        Unknown measure, bad measure parameter or patch path (field named).
    """
    from twin.measures import MeasureError, apply_measure

    for i, m in enumerate(measures):
        try:
            raw, _ = apply_measure(raw, m, FINANCE_DEFAULTS)
        except MeasureError as exc:
            msg = f"{label}: {where}.measures[{i}]: {exc}"
            raise ConfigError(msg) from None
    for path, value in patches.items():
        raw = set_path(raw, path, value, label=label, what=f"{where}.patches")
    return raw
