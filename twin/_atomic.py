"""Atomic outputs that survive a kill: write into a temporary sibling, then rename.

A result is either absent, the previous one, or complete, even after
``kill -9``:

- :func:`atomic_dir` writes a whole folder beside the target and renames it
  into place (the previous folder is moved aside first and removed after);
- :func:`atomic_file` does the same for one file;
- :func:`atomic_files` writes several files that belong together into a
  staging folder inside the target folder, marks the set complete, then
  renames them one by one; a kill during the renames is finished by the
  next writer (roll forward), a kill before the mark discards the set.

Temporary names carry the writer's process id (``.<name>.tmp-<pid>-<random>``,
``.<name>.old-<pid>``). Every writer first removes what a dead writer left
behind for the same target (:func:`clean_stale`), so a killed run leaves at
most one temporary sibling, and only until the next run writes there. If a
kill fell between moving the previous folder aside and renaming the new one
in, the previous folder is put back.

A temporary folder from ``tempfile.mkdtemp`` is private (0700); before it
takes the target's place it gets the mode an ordinary ``mkdir`` would give
(0777 minus the process umask: 0755 under umask 022, 0775 under 002), so a
result folder is readable by the group like any other folder.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_dir", "atomic_file", "atomic_files", "clean_stale"]

_COMPLETE = ".complete"
"""Marker file of a staging folder whose files are all written."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _stale(parent: Path, name: str) -> Iterator[tuple[Path, str]]:
    """Siblings of ``parent / name`` left by dead writers, with their kind
    (``"tmp"``, ``"old"``, or ``"legacy"`` for the random-only names of
    ``tempfile`` used before the process id was in the name)."""
    pattern = re.compile(
        rf"^\.{re.escape(name)}\.(?:(?P<kind>tmp|old)-(?P<pid>\d+)(?:-.*)?|(?P<legacy>[a-z0-9_]{{8}}))$"
    )
    try:
        entries = list(parent.iterdir())
    except FileNotFoundError:
        return
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None:
            continue
        if m["legacy"]:
            yield entry, "legacy"
        elif not _alive(int(m["pid"])):
            yield entry, m["kind"]


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clean_stale(target: str | Path) -> list[Path]:
    """Remove what killed writers left beside ``target``; restore a previous
    result a kill left moved aside.

    Parameters
    ----------
    target : str or Path
        The result folder or file a writer is about to replace.

    Returns
    -------
    list of Path
        The leftovers removed (a restored folder is not among them).
    """
    target = Path(target)
    removed: list[Path] = []
    for path, kind in sorted(_stale(target.parent, target.name)):
        if kind == "old" and not target.exists():
            os.replace(path, target)  # the kill fell between the two renames
            continue
        _remove(path)
        removed.append(path)
    return removed


@contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces
    ``target`` (an existing one is removed), on failure it is deleted, so a
    crash never leaves a half-written result, and a kill leaves a hidden
    sibling that the next writer of ``target`` removes."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        yield tmp
        tmp.chmod(0o777 & ~_umask())
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            _remove(old)
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            _remove(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Yield a temporary file path beside ``target``; on success it replaces
    ``target`` with the mode of a newly created file (0666 minus the umask),
    on failure it is deleted."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _finish_set(staging: Path, folder: Path) -> None:
    """Rename a complete staging folder's files into ``folder``, then drop it."""
    for path in sorted(staging.iterdir()):
        if path.name != _COMPLETE:
            os.replace(path, folder / path.name)
    shutil.rmtree(staging, ignore_errors=True)


def _recover_sets(folder: Path, label: str) -> None:
    for staging, kind in _stale(folder, label):
        if kind == "tmp" and (staging / _COMPLETE).is_file():
            _finish_set(staging, folder)  # roll forward: the set was complete
        else:
            _remove(staging)


@contextmanager
def atomic_files(folder: str | Path, names: Sequence[str], *, label: str) -> Iterator[Path]:
    """Write the files ``names`` into ``folder`` as one set.

    Yields a staging folder (``folder/.<label>.tmp-<pid>-*``) where the
    caller writes every file of ``names``. On success the set is marked
    complete and the files are renamed into ``folder`` in the order given
    (put the file that says "finished" last). A kill before the mark leaves
    the previous set untouched; a kill during the renames is completed by the
    next :func:`atomic_files` on the same folder and label.

    Raises
    ------
    FileNotFoundError
        A file of ``names`` was not written (a bug of the caller).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _recover_sets(folder, label)
    staging = Path(tempfile.mkdtemp(prefix=f".{label}.tmp-{os.getpid()}-", dir=folder))
    try:
        yield staging
        mode = 0o666 & ~_umask()
        for name in names:
            (staging / name).chmod(mode)
        marker = staging / _COMPLETE
        marker.write_bytes(b"")
        fd = os.open(staging, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        for name in names:
            os.replace(staging / name, folder / name)
        shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
