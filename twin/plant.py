"""The plant: components built from a validated config, checked, with their inputs.

:class:`Plant` is the composition root (like PyPSA's ``Network`` or oemof's
``EnergySystem``) but thin: it builds components from the registry,
resolves buses, reads the series files the config refers to, and runs the
consistency checks. It computes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import os
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from twin.carriers import Bus
from twin.checks import run_checks
from twin.component import Component, GridSupply, SeriesRef, Stage, get_component_class
from twin.config.finite import MAX_MAGNITUDE
from twin.config.loader import config_hash
from twin.config.schema import PlantConfig, component_tables
from twin.errors import ConfigError
from twin.timegrid import TimeGrid

__all__ = ["Plant"]


def _series_refs(model: Any, prefix: str = "") -> Iterator[tuple[str, SeriesRef]]:
    """(field path, SeriesRef) for every series reference inside a params model."""
    if isinstance(model, SeriesRef):
        yield prefix, model
        return
    if isinstance(model, BaseModel):
        for name in _ref_fields(type(model)):
            path = f"{prefix}.{name}" if prefix else name
            yield from _series_refs(getattr(model, name), path)
    elif isinstance(model, list | tuple):
        for i, item in enumerate(model):
            yield from _series_refs(item, f"{prefix}[{i}]")


@functools.cache
def _ref_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """Fields of a params model whose declared type can hold a series reference
    (the others are skipped when a plant is built)."""
    return tuple(
        name for name, f in cls.model_fields.items() if _may_hold_refs(f.annotation, frozenset())
    )


def _may_hold_refs(tp: Any, seen: frozenset[type]) -> bool:
    """Whether a value of type ``tp`` can contain a :class:`SeriesRef` (True
    where the type cannot be read: look rather than miss one)."""
    if tp is SeriesRef or tp is Any:
        return True
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return False
    if origin is typing.Annotated:
        return _may_hold_refs(typing.get_args(tp)[0], seen)
    if origin is not None:
        return any(_may_hold_refs(a, seen) for a in typing.get_args(tp) if a is not type(None))
    if isinstance(tp, type):
        if not issubclass(tp, BaseModel):
            return False
        if tp in seen:
            return False
        return any(_may_hold_refs(f.annotation, seen | {tp}) for f in tp.model_fields.values())
    return True


def read_series(
    ref: SeriesRef, grid: TimeGrid, base_dir: Path, where: str
) -> tuple[np.ndarray, str]:
    """Read a series file and align it to the grid.

    The file has one row per hour of the grid (held for every step of the
    hour) or one row per step. Returns the array and the file's SHA-256.

    Raises
    ------
    ConfigError
        Missing file or column, wrong length, non-numeric or missing values.
    """
    path = Path(ref.file)
    if not path.is_absolute():
        path = base_dir / path
    shown = str(path) if len(str(path)) <= 200 else str(path)[:197] + "..."
    try:
        found = path.is_file()
        raw = path.read_bytes() if found else b""
    except OSError as exc:
        msg = f"{where}.file: cannot read series file {shown!r}: {exc.strerror or exc}"
        raise ConfigError(msg) from None
    if not found:
        msg = (
            f"{where}.file: series file {shown!r} not found (paths are relative to the config file)"
        )
        raise ConfigError(msg)
    try:
        frame = pd.read_csv(path, comment="#")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        msg = f"{where}.file: cannot read {str(path)!r} as CSV: {exc}"
        raise ConfigError(msg) from None
    if ref.column not in frame.columns:
        msg = (
            f"{where}.column: no column {ref.column!r} in {str(path)!r}; "
            f"columns: {', '.join(map(str, frame.columns))}"
        )
        raise ConfigError(msg)
    values = pd.to_numeric(frame[ref.column], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        msg = (
            f"{where}: column {ref.column!r} of {str(path)!r} has {bad.size} missing or "
            f"non-numeric value(s), first at data row {bad[0] + 1}; fill them"
        )
        raise ConfigError(msg)
    year = TimeGrid.for_year(grid.start.year, step=grid.step, tz=str(grid.start.tz))
    if values.size in (year.n_hours, year.n_steps) and year.n_steps != grid.n_steps:
        values = values[: grid.n_hours if values.size == year.n_hours else grid.n_steps]
    if values.size == grid.n_hours:
        values = np.repeat(values, grid.steps_per_hour)
    elif values.size != grid.n_steps:
        horizon = "the simulated year" if year.n_steps == grid.n_steps else "the simulated days"
        msg = (
            f"{where}: {str(path)!r} column {ref.column!r} has {values.size} rows; expected "
            f"{grid.n_hours} (one per hour) or {grid.n_steps} (one per step) for {horizon}"
        )
        raise ConfigError(msg)
    scaled = values * ref.scale
    if (
        not np.all(np.isfinite(scaled))
        or float(np.max(np.abs(scaled), initial=0.0)) > MAX_MAGNITUDE
    ):
        msg = (
            f"{where}: column {ref.column!r} of {str(path)!r} times scale {ref.scale:g} reaches "
            f"{float(np.max(np.abs(scaled))):.3g}; expected finite values of magnitude at most "
            f"{MAX_MAGNITUDE:.0e} (check the column's unit and the scale)"
        )
        raise ConfigError(msg)
    return scaled, hashlib.sha256(raw).hexdigest()


_BYTES_PER_VALUE = 8 * 2
"""float64 values, held about twice over in a run (flows and working copies;
a 1-minute year of the reference factory peaks near 1.3 GB, this estimate
gives 1.6 GB) [bytes per series value]."""


def estimated_run_bytes(components: tuple[Component, ...], grid: TimeGrid) -> int:
    """Memory a run of these components on this grid needs, estimated from the
    number of series it holds [bytes]."""
    series = (
        sum(len(c.ports()) + len(c.outputs()) for c in components) + 40
    )  # weather, plant, signals
    return series * grid.n_steps * _BYTES_PER_VALUE


def _available_bytes() -> int | None:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _check_memory(components: tuple[Component, ...], grid: TimeGrid, source: str) -> None:
    need, free = estimated_run_bytes(components, grid), _available_bytes()
    if free is not None and need > free:
        where = f"{source}: " if source else ""
        msg = (
            f"{where}simulation.step: a run of {len(components)} components at {grid.step_s} s steps "
            f"({grid.n_steps:,} steps) needs about {need / 2**30:.1f} GiB, but {free / 2**30:.1f} GiB "
            "is free; use a longer step"
        )
        raise ConfigError(msg)


@dataclass(frozen=True)
class Plant:
    """A built, checked plant.

    Attributes
    ----------
    config : PlantConfig
        The validated config it was built from (never modified).
    grid : TimeGrid
        The run's time grid.
    components : tuple of Component
        In compute order (stage, then config order).
    buses : dict of str to Bus
        Every bus named by a port.
    slack : GridSupply
        The grid connection that closes the electricity bus; it publishes
        the tariff and emission signals through the :class:`GridSupply` interface.
    slacks : tuple of Component
        Every slack (one per bus at most): the grid connection, fuel supplies.
    series : dict
        (component name, field path) -> input series on the grid.
    input_hashes : dict
        Series file path -> SHA-256 (for provenance).
    """

    config: PlantConfig
    grid: TimeGrid
    components: tuple[Component, ...]
    buses: dict[str, Bus]
    slack: GridSupply
    slacks: tuple[Component, ...]
    series: dict[tuple[str, str], np.ndarray]
    input_hashes: dict[str, str]

    @classmethod
    def build(cls, config: PlantConfig, *, strict: bool = True) -> Plant:
        """Build components, resolve buses, read series, run the checks.

        Raises
        ------
        ConsistencyError
            Plant-level problems (strict mode).
        ConfigError
            Series files that are missing or do not fit the grid.
        """
        sim = config.simulation
        grid = sim.grid()
        built: list[tuple[int, int, Component]] = []
        order = 0
        for kind in component_tables():
            value = getattr(config, kind)
            if value is None:
                continue
            cls_ = get_component_class(kind)
            for params in value if isinstance(value, list) else [value]:
                built.append((int(cls_.stage), order, cls_(params)))
                order += 1
        components = tuple(c for _, _, c in sorted(built, key=lambda t: (t[0], t[1])))
        source = config.source_path or ""
        run_checks(components, strict=strict, source=source)
        _check_memory(components, grid, source)
        buses: dict[str, Bus] = {}
        for c in components:
            for port in c.ports():
                buses.setdefault(port.bus, Bus(port.bus, port.carrier))
        slacks = tuple(c for c in components if c.stage is Stage.SLACK)
        slack = next(c for c in slacks if isinstance(c, GridSupply))
        series: dict[tuple[str, str], np.ndarray] = {}
        hashes: dict[str, str] = {}
        base_dir = Path(config.base_dir)
        for c in components:
            for field_path, ref in _series_refs(c.params):
                where = (
                    f"{source}: {c.kind}[{c.name}].{field_path}"
                    if source
                    else f"{c.kind}[{c.name}].{field_path}"
                )
                values, digest = read_series(ref, grid, base_dir, where)
                series[(c.name, field_path)] = values
                hashes[ref.file] = digest
        return cls(config, grid, components, buses, slack, slacks, series, hashes)

    @cached_property
    def config_hash(self) -> str:
        """SHA-256 of the validated config (computed once per plant)."""
        return config_hash(self.config)

    def component(self, name: str) -> Component:
        """The component called ``name`` (for notebooks; the engine never looks up names)."""
        for c in self.components:
            if c.name == name:
                return c
        names = ", ".join(c.name for c in self.components)
        msg = f"no component named {name!r}; components: {names}"
        raise KeyError(msg)
