"""The durable store of a sweep: Parquet rows and an SQLite catalogue.

A store is a folder::

    DIR/
      sweep.toml           the sweep file as run (what ``twin sweep-report`` reads)
      catalogue.sqlite     one row per scenario: id, parameters, config hash,
                           status (pending, done, failed), error, wall and CPU
                           seconds, worker, warnings, the part file holding its row
      results/part-*.parquet
                           one row per finished scenario (scenario_id, its
                           values, every summary field)
      hourly/<id>.parquet  each scenario's hourly results (only with hourly = true)

Crash safety, in the order of a flush: the rows go to a temporary file, are
fsynced and renamed to a new part (atomic on POSIX); then one SQLite
transaction marks their scenarios finished and names the part. A kill
before the rename leaves a temporary file, a kill between the rename and
the commit leaves a part no scenario names: opening the store deletes both,
and their scenarios, still pending, run again. So ``--resume`` recomputes
nothing that finished, loses nothing and stores nothing twice. The store
itself is created in a temporary folder and renamed into place, so a sweep
rejected before its first scenario leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from twin._atomic import atomic_dir
from twin._version import __version__
from twin.errors import ConfigError
from twin.sweep.design import Scenario

__all__ = ["Store", "StoreError"]

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scenarios (
    scenario_id TEXT PRIMARY KEY,
    idx INTEGER NOT NULL UNIQUE,
    parameters TEXT NOT NULL,
    config_hash TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    error TEXT,
    seconds REAL,
    cpu_seconds REAL,
    worker TEXT,
    warnings TEXT,
    part TEXT,
    finished_utc TEXT
);
"""

FLUSH_ROWS = 64
"""Most rows buffered before a part file is written (fewer in a small sweep:
at most a twentieth of it, so a kill loses little of any sweep)."""

FLUSH_SECONDS = 2.0
"""Longest a finished scenario waits in memory before it is written [s]."""


class StoreError(ConfigError):
    """A store folder that cannot be created or resumed as asked (exit 2)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Store:
    """An open sweep store (see the module docstring for its layout).

    Use :meth:`create` or :meth:`open`; rows are buffered by :meth:`add` and
    written by :meth:`flush` (also every :data:`FLUSH_ROWS` rows or
    :data:`FLUSH_SECONDS` seconds).
    """

    def __init__(self, path: Path):
        self.path = path
        self.results_dir = path / "results"
        self._db = sqlite3.connect(path / "catalogue.sqlite", isolation_level=None)
        self._db.execute("PRAGMA synchronous = FULL")
        self._buffer: list[dict[str, Any]] = []
        self.flush_rows = FLUSH_ROWS
        self._last_flush = time.monotonic()
        self._parts = self._next_part_number()

    # -- creation -----------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        design_key: str,
        name: str,
        files: dict[str, str],
        scenarios: Iterable[Scenario],
        hourly: bool = False,
    ) -> Store:
        """Create a new store with every scenario pending.

        Raises
        ------
        StoreError
            ``path`` exists and is not an empty folder.
        """
        target = Path(path)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            if (target / "catalogue.sqlite").is_file():
                msg = (
                    f"{target}: holds a sweep already; pass --resume to continue it, "
                    f"or choose another --out"
                )
            else:
                msg = f"{target}: exists and is not an empty folder; choose another --out"
            raise StoreError(msg)
        with atomic_dir(target) as tmp:
            (tmp / "results").mkdir()
            if hourly:
                (tmp / "hourly").mkdir()
            for fname, text in files.items():
                (tmp / fname).write_text(text, encoding="utf-8")
            db = sqlite3.connect(tmp / "catalogue.sqlite")
            with db:
                db.executescript(_SCHEMA)
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [
                        ("design_key", design_key),
                        ("name", name),
                        ("created_utc", _now()),
                        ("version", __version__),
                    ],
                )
                db.executemany(
                    "INSERT INTO scenarios (scenario_id, idx, parameters) VALUES (?, ?, ?)",
                    (
                        (
                            s.scenario_id,
                            s.index,
                            json.dumps({**s.values, **s.tags}, ensure_ascii=False),
                        )
                        for s in scenarios
                    ),
                )
            db.close()
        return cls(target)

    @classmethod
    def open(
        cls, path: str | Path, *, design_key: str | None = None, writable: bool = True
    ) -> Store:
        """Open an existing store, deleting what a killed sweep left half-written.

        Parameters
        ----------
        design_key : str, optional
            When given, the store must hold this design (resume).
        writable : bool
            False for readers (reports, analysis): nothing is deleted, so a
            sweep still running into the store keeps its part being written.

        Raises
        ------
        StoreError
            No store at ``path``, or one of another design.
        """
        target = Path(path)
        if not (target / "catalogue.sqlite").is_file():
            msg = (
                f"{target}: no sweep store here (catalogue.sqlite missing); run `twin sweep` first"
            )
            raise StoreError(msg)
        store = cls(target)
        if design_key is not None and store.meta("design_key") != design_key:
            store.close()
            msg = (
                f"{target}: holds another design (its parameters, base or seed differ from the "
                f"sweep file's); resume only the same sweep, or choose another --out"
            )
            raise StoreError(msg)
        if writable:
            store._clean()
        return store

    def _named_parts(self) -> set[str]:
        rows = self._db.execute("SELECT DISTINCT part FROM scenarios WHERE part IS NOT NULL")
        return {r[0] for r in rows}

    def _clean(self) -> None:
        named = self._named_parts()
        for f in self.results_dir.iterdir():
            if f.name.startswith(".") or (f.suffix == ".parquet" and f.name not in named):
                f.unlink()

    def _next_part_number(self) -> int:
        numbers = [
            int(f.stem.split("-")[1])
            for f in self.results_dir.glob("part-*.parquet")
            if f.stem.split("-")[1].isdigit()
        ]
        return max(numbers, default=0)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries --------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def pending_ids(self) -> set[str]:
        """Scenarios not yet finished (neither done nor failed)."""
        return {
            r[0]
            for r in self._db.execute("SELECT scenario_id FROM scenarios WHERE status = 'pending'")
        }

    def counts(self) -> dict[str, int]:
        out = {"pending": 0, "done": 0, "failed": 0}
        out.update(dict(self._db.execute("SELECT status, COUNT(*) FROM scenarios GROUP BY status")))
        return out

    def catalogue(self) -> pd.DataFrame:
        """The catalogue, one row per scenario in design order."""
        frame = pd.read_sql_query(
            "SELECT scenario_id, idx AS 'index', parameters, config_hash, status, error, seconds, "
            "cpu_seconds, "
            "worker, warnings, part, finished_utc FROM scenarios ORDER BY idx",
            self._db,
        )
        return frame

    def frame(self) -> pd.DataFrame:
        """Every stored row, sorted by design order (one per finished scenario).

        Only parts the catalogue names are read: a part a killed sweep wrote but
        never recorded is recomputed on resume, so reading it would count its
        scenarios twice."""
        named = self._named_parts()
        parts = sorted(p for p in self.results_dir.glob("part-*.parquet") if p.name in named)
        if not parts:
            return pd.DataFrame(columns=["scenario_id", "index", "status", "error"])
        frames = [pq.read_table(p).to_pandas() for p in parts]
        frame = pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]
        return frame.sort_values("index", kind="stable").reset_index(drop=True)

    # -- writing --------------------------------------------------------------
    def add(self, outcomes: Iterable[dict[str, Any]]) -> None:
        """Buffer finished scenarios; write a part when the buffer is full or old."""
        self._buffer.extend(outcomes)
        if (
            len(self._buffer) >= min(self.flush_rows, FLUSH_ROWS)
            or time.monotonic() - self._last_flush >= FLUSH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        """Write buffered rows as one part file, then mark them finished."""
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        self._parts += 1
        name = f"part-{self._parts:06d}.parquet"
        frame = pd.DataFrame([_columns(o["row"]) for o in batch])  # the union of the rows' keys
        table = pa.Table.from_pandas(frame, preserve_index=False)
        tmp = self.results_dir / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.results_dir / name)
        _fsync_dir(self.results_dir)
        now = _now()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "UPDATE scenarios SET status = ?, error = ?, config_hash = ?, seconds = ?, cpu_seconds = ?, "
                "worker = ?, "
                "warnings = ?, part = ?, finished_utc = ? WHERE scenario_id = ? AND status = 'pending'",
                (
                    (
                        o["status"],
                        o["error"] or None,
                        o["config_hash"],
                        o["seconds"],
                        o["cpu_seconds"],
                        o["worker"],
                        json.dumps(o["warnings"], ensure_ascii=False) if o["warnings"] else None,
                        name,
                        now,
                        o["scenario_id"],
                    )
                    for o in batch
                ),
            )


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    """Numbers as float64 (a stable schema across parts); text as text."""
    out = {}
    for key, value in row.items():
        if isinstance(value, bool) or key in ("index",):
            out[key] = value
        elif isinstance(value, int | float):
            out[key] = float(value)
        else:
            out[key] = value
    return out
