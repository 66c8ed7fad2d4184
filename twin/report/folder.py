"""Reading a result folder for a report, with clear errors for folders that
are not results or were written by an older format.

The report reads only the folder (never the config, which may have changed
since the run): ``summary.json``, ``hourly.parquet``, ``monthly.csv``,
``inventory.csv``, and ``balance.csv`` when the run wrote one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from twin.errors import ConfigError

__all__ = [
    "ReportError",
    "RunFolder",
    "folder_kind",
    "older_format",
    "read_json",
    "unmet_energy",
]

SUMMARY_KEYS = (
    "electricity_use_kwh",
    "pv_ac_kwh",
    "grid_import_kwh",
    "grid_export_kwh",
    "peak_import_kw",
    "total_cost_cny",
    "scope1_tco2",
    "scope2_location_tco2",
    "provenance",
)
"""Keys every run summary this report understands carries."""

HOURLY_COLUMNS = (
    "electricity_use_kw",
    "pv_ac_kw",
    "grid_import_kw",
    "grid_export_kw",
    "battery_charge_kw",
    "battery_discharge_kw",
    "battery_soc_kwh",
    "unmet_kw",
    "tou_period",
)
"""Plant-level hourly columns every run this report understands carries."""

BALANCE_COLUMNS = ("carrier", "bus", "component", "kind", "direction", "amount", "unit")


class ReportError(ConfigError):
    """A folder that cannot be reported: not a result, or an older format."""


def _rerun(path: Path) -> str:
    return (
        f"fix: re-run the command that wrote {path} with this version of factory-twin "
        "(twin run CONFIG --out DIR), then twin report DIR"
    )


RESULT_FILES = (
    ("compare.json", "compare", "twin compare"),
    ("mv.json", "mv", "twin mv"),
    ("claims.json", "claims", "twin claim --out DIR"),
    ("summary.json", "run", "twin run"),
)
"""The file that marks each kind of result folder, in the order they are
looked for, and the command that writes it."""


def folder_kind(path: str | Path) -> str:
    """``"run"``, ``"compare"``, ``"sweep"``, ``"mv"`` or ``"claims"``: what
    kind of result ``path`` holds.

    Raises
    ------
    ReportError
        ``path`` is not a folder, or holds none of the known result files.
    """
    path = Path(path)
    if not path.is_dir():
        what = "a file" if path.exists() else "missing"
        msg = (
            f"{path}: expected a result folder, found {what}; give the folder a run, compare, "
            "sweep, mv or claim wrote"
        )
        raise ReportError(msg)
    for fname, kind, _ in RESULT_FILES[:3]:
        if (path / fname).is_file():
            return kind
    if (path / "catalogue.sqlite").is_file():
        if not (path / "sweep.toml").is_file():
            msg = (
                f"{path}: a store of scenarios without its sweep file (twin compare keeps its "
                f"variants so): report the comparison folder above it, {path.parent}"
            )
            raise ReportError(msg)
        return "sweep"
    if (path / "summary.json").is_file():
        return "run"
    files = sorted(p.name for p in path.iterdir())[:8]
    wanted = ", ".join(f"{f} ({cmd})" for f, _, cmd in RESULT_FILES)
    msg = (
        f"{path}: not a result folder: expected {wanted} or catalogue.sqlite and sweep.toml "
        f"(twin sweep), found {files or 'an empty folder'}"
    )
    raise ReportError(msg)


def read_json(path: Path, command: str) -> Any:
    """The JSON document at ``path``, or a ReportError naming the fix."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = (
            f"{path}: not readable JSON ({exc}); re-run {command} with this version of factory-twin"
        )
        raise ReportError(msg) from None


def older_format(
    path: Path, missing: list[str], command: str, version: str | None = None
) -> ReportError:
    """The error for a result written by an older format of ``command``."""
    by = f" (written by factory-twin {version})" if version else ""
    msg = (
        f"{path}: a result of an older format{by}: missing {', '.join(missing)}; re-run "
        f"{command} with this version of factory-twin, then twin report {path.parent}"
    )
    return ReportError(msg)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        msg = f"{path}: cannot read the table ({exc}); {_rerun(path.parent)}"
        raise ReportError(msg) from None


@dataclass(frozen=True)
class RunFolder:
    """The files of one run's result folder, read once and checked."""

    path: Path
    summary: dict[str, Any]
    hourly: pd.DataFrame

    @classmethod
    def read(cls, path: str | Path) -> RunFolder:
        """Read and check ``summary.json`` and ``hourly.parquet``.

        Raises
        ------
        ReportError
            Missing or unreadable files, or a summary or hourly table
            without the keys and columns of the current format.
        """
        path = Path(path)
        kind = folder_kind(path)
        if kind != "run":
            msg = f"{path}: expected a run's result folder (summary.json), found a {kind} result"
            raise ReportError(msg)
        try:
            summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            msg = f"{path / 'summary.json'}: not readable JSON ({exc}); {_rerun(path)}"
            raise ReportError(msg) from None
        if not isinstance(summary, dict):
            msg = f"{path / 'summary.json'}: expected a JSON object, found {type(summary).__name__}"
            raise ReportError(msg)
        missing = [k for k in SUMMARY_KEYS if k not in summary]
        version = (summary.get("provenance") or {}).get("version", "an unknown version")
        if missing:
            msg = (
                f"{path / 'summary.json'}: a result of an older format (written by "
                f"factory-twin {version}): missing {', '.join(missing)}; {_rerun(path)}"
            )
            raise ReportError(msg)
        hourly_path = path / "hourly.parquet"
        if not hourly_path.is_file():
            msg = f"{hourly_path}: missing; a run's folder has hourly.parquet. {_rerun(path)}"
            raise ReportError(msg)
        try:
            hourly = pd.read_parquet(hourly_path)
        except (OSError, ValueError) as exc:
            msg = f"{hourly_path}: not a readable Parquet file ({exc}); {_rerun(path)}"
            raise ReportError(msg) from None
        missing = [c for c in HOURLY_COLUMNS if c not in hourly.columns]
        if missing:
            msg = (
                f"{hourly_path}: a result of an older format (written by factory-twin "
                f"{version}): missing columns {', '.join(missing)}; {_rerun(path)}"
            )
            raise ReportError(msg)
        if not isinstance(hourly.index, pd.DatetimeIndex) or hourly.index.tz is None:
            msg = (
                f"{hourly_path}: expected a time-zone-aware time index, found "
                f"{type(hourly.index).__name__}; {_rerun(path)}"
            )
            raise ReportError(msg)
        tz = summary["provenance"].get("grid", {}).get("tz")
        if tz:
            hourly = hourly.tz_convert(tz)
        return cls(path, summary, hourly)

    @property
    def provenance(self) -> dict[str, Any]:
        return self.summary["provenance"]

    @property
    def tz(self) -> str:
        return str(self.hourly.index.tz)

    @cached_property
    def monthly(self) -> pd.DataFrame | None:
        p = self.path / "monthly.csv"
        return _read_csv(p) if p.is_file() else None

    @cached_property
    def inventory(self) -> pd.DataFrame | None:
        p = self.path / "inventory.csv"
        return _read_csv(p) if p.is_file() else None

    @cached_property
    def balance(self) -> pd.DataFrame | None:
        """``balance.csv`` (carrier, bus, component, kind, direction, amount,
        unit, ...: one row per component port, ``direction`` relative to the
        bus), or None in a folder written before runs wrote it."""
        p = self.path / "balance.csv"
        if not p.is_file():
            return None
        frame = _read_csv(p)
        missing = [c for c in BALANCE_COLUMNS if c not in frame.columns]
        if missing:
            msg = f"{p}: missing columns {', '.join(missing)}; {_rerun(self.path)}"
            raise ReportError(msg)
        return frame


_UNMET = re.compile(r"^(?P<bus>[^.]+)\.unmet_(?P<quantity>power_kw|flow_m3_per_min)$")


def unmet_energy(hourly: pd.DataFrame) -> list[tuple[str, float, str]]:
    """Annual unmet demand per bus: ``(bus, amount, unit)`` from the hourly
    ``unmet_kw`` (electricity) and ``<bus>.unmet_<quantity>`` columns. Hourly
    values are means, so a sum over hours is kWh, or, for air flows in
    m³/min, × 60 min/h gives m³ of free air."""
    out = [("electricity", float(hourly["unmet_kw"].sum()), "kWh")]
    for col in hourly.columns:
        m = _UNMET.match(col)
        if m is None:
            continue
        total = float(hourly[col].sum())
        if m.group("quantity") == "power_kw":
            out.append((m.group("bus"), total, "kWh"))
        else:
            out.append((m.group("bus"), total * 60.0, "m³ (free air)"))
    return out
