"""A content-addressed cache of arrays on disk, shared by processes.

A result that depends only on what its key names (a production line's
flows depend on the line's params, the grid, the day types, the run's seed
and the code) can be kept between processes: the next ``twin run`` of the
same plant, a sweep's workers, a notebook restarted. This module stores
named float arrays under the SHA-256 of such a key:

- **Where**: ``$FACTORY_TWIN_CACHE_DIR`` if set, else the user cache folder
  (``$XDG_CACHE_HOME/factory-twin``, ``~/.cache/factory-twin`` on Linux,
  ``~/Library/Caches/factory-twin`` on macOS, ``%LOCALAPPDATA%\\factory-twin``
  on Windows).
- **Off switch**: ``FACTORY_TWIN_CACHE=off`` (or ``0``, ``false``, ``no``)
  reads and writes nothing.
- **Size bound**: ``FACTORY_TWIN_CACHE_MAX_MB`` (default 512); after a
  write, the least recently used entries are removed until the folder is
  under the bound.
- **Concurrent writers**: an entry is written to a temporary file in the
  cache folder and renamed into place (``os.replace``, atomic on one file
  system), so a reader sees a whole entry or none; two processes writing
  the same key write the same content and the last rename wins.
- **No pickle**: entries are ``.npz`` files of plain float and integer
  arrays read with ``allow_pickle=False``; an unreadable entry is a miss and
  is removed.

The key should name the code too (:func:`code_fingerprint`), so a changed
model never reads results of the old one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

__all__ = [
    "cache_dir",
    "cache_enabled",
    "code_fingerprint",
    "load_arrays",
    "max_bytes",
    "store_arrays",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_MB = 512.0
"""Default size bound of the cache folder [MB]."""

_OFF = {"0", "off", "false", "no"}


def cache_enabled() -> bool:
    """False when ``FACTORY_TWIN_CACHE`` is ``off``, ``0``, ``false`` or ``no``."""
    return os.environ.get("FACTORY_TWIN_CACHE", "on").strip().lower() not in _OFF


def cache_dir() -> Path:
    """The cache folder (not created here)."""
    env = os.environ.get("FACTORY_TWIN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "factory-twin"


def max_bytes() -> int:
    """The size bound [bytes] from ``FACTORY_TWIN_CACHE_MAX_MB``."""
    raw = os.environ.get("FACTORY_TWIN_CACHE_MAX_MB")
    try:
        mb = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        log.warning("FACTORY_TWIN_CACHE_MAX_MB=%r is not a number; using %s", raw, DEFAULT_MAX_MB)
        mb = DEFAULT_MAX_MB
    return max(0, int(mb * 1e6))


_FINGERPRINTS: dict[tuple[str, ...], str] = {}


def code_fingerprint(modules: Iterable[str]) -> str:
    """SHA-256 of the source files of ``modules`` (dotted names), with the
    package and numpy versions; computed once per process."""
    names = tuple(modules)
    if names not in _FINGERPRINTS:
        from twin._version import __version__

        h = hashlib.sha256(f"{__version__}|numpy {np.__version__}".encode())
        for name in names:
            module = sys.modules.get(name)
            if module is None:
                module = __import__(name, fromlist=["_"])
            h.update(name.encode())
            h.update(Path(module.__file__).read_bytes())
        _FINGERPRINTS[names] = h.hexdigest()
    return _FINGERPRINTS[names]


def _path(key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return cache_dir() / digest[:2] / f"{digest}.npz"


def load_arrays(key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``key``, or None (a miss, or the cache is off)."""
    if not cache_enabled():
        return None
    path = _path(key)
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        log.warning("cache entry %s is unreadable (%s); removing it", path, exc)
        path.unlink(missing_ok=True)
        return None
    try:
        os.utime(path)  # recently used: evicted last
    except OSError:
        pass
    return arrays


def store_arrays(key: str, arrays: Mapping[str, np.ndarray]) -> None:
    """Store ``arrays`` under ``key`` (atomic; then trim the folder to its
    bound). Failures to write are logged, never raised: the cache is an
    optimisation."""
    if not cache_enabled():
        return
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **{k: np.asarray(v) for k, v in arrays.items()})
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("could not write cache entry %s (%s)", path, exc)
        return
    _trim(cache_dir(), max_bytes())


def _trim(root: Path, limit: int) -> None:
    """Remove the least recently used entries until ``root`` holds at most
    ``limit`` bytes (temporary files of other writers are left alone)."""
    entries = []
    total = 0
    for p in root.glob("*/*.npz"):
        if p.name.startswith(".tmp-"):
            continue
        try:
            st = p.stat()
        except OSError:  # removed by another process meanwhile
            continue
        entries.append((st.st_mtime, st.st_size, p))
        total += st.st_size
    if total <= limit:
        return
    entries.sort()
    for _, size, p in entries:
        if total <= limit:
            break
        try:
            p.unlink()
        except OSError:
            continue
        total -= size
