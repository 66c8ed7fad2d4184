"""Crash safety of `twin run` and `twin compare`: a kill -9 loses nothing finished.

After a kill at any moment the output folder holds nothing, the previous
result or the complete new one; whatever a killed writer left beside it is
removed by the next run; the worker processes die with their parent; a
resumed compare finishes the work without redoing what was stored; every
file written is readable by pandas. The plants are the sweep tests' small
ones (a year of one load and a grid connection: about a second a run).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT
from tests.twin.sweep._plants import LOAD_ONLY, write_plant
from twin._atomic import atomic_dir, atomic_file, atomic_files, clean_stale
from twin.cli import main
from twin.sweep import Store

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc; kill -9 semantics"
)

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(proc.stdout)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _read_all(folder: Path) -> None:
    """Every file written must be readable by the tool that reads it."""
    for path in folder.iterdir():
        if path.suffix == ".csv":
            frame = pd.read_csv(path)
            assert len(frame.columns), f"{path.name} has no columns"
        elif path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


# --- the atomic writers after a simulated kill ---------------------------------------


def test_a_dead_writers_temporary_folder_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "out"
    dead = _dead_pid()
    (tmp_path / f".out.tmp-{dead}-abc123").mkdir()
    (tmp_path / f".out.tmp-{dead}-abc123" / "hourly.csv").write_text("half")
    (tmp_path / ".out.k2j4_x9q").mkdir()  # the random-only name of the old writer
    (tmp_path / ".outer.tmp-1-x").mkdir()  # another target's: left alone
    live = tmp_path / f".out.tmp-{os.getpid()}-live"  # a live writer's: left alone
    live.mkdir()
    with atomic_dir(target) as tmp:
        (tmp / "a.csv").write_text("x\n1\n")
    assert _hidden(tmp_path) == sorted([".outer.tmp-1-x", live.name])
    assert (target / "a.csv").read_text() == "x\n1\n"


def test_a_previous_result_moved_aside_by_a_killed_writer_is_put_back(tmp_path):
    target = tmp_path / "out"
    dead = _dead_pid()
    old = tmp_path / f".out.old-{dead}"
    old.mkdir()
    (old / "summary.json").write_text("{}")
    (tmp_path / f".out.tmp-{dead}-new").mkdir()  # the new one, never renamed in
    assert clean_stale(target) == [tmp_path / f".out.tmp-{dead}-new"]
    assert (target / "summary.json").read_text() == "{}" and _hidden(tmp_path) == []


def test_a_dead_writers_temporary_file_is_removed(tmp_path):
    target = tmp_path / "report.html"
    (tmp_path / f".report.html.tmp-{_dead_pid()}-q1").write_text("<ht")
    with atomic_file(target) as tmp:
        tmp.write_text("<html></html>")
    assert _hidden(tmp_path) == [] and target.read_text() == "<html></html>"


def test_a_set_of_files_is_the_previous_one_or_the_new_one(tmp_path):
    names = ("a.csv", "b.csv")
    with atomic_files(tmp_path, names, label="set") as tmp:
        for n in names:
            (tmp / n).write_text("v\n1\n")
    dead = _dead_pid()
    # killed before the set was complete: discarded, the previous set stays
    half = tmp_path / f".set.tmp-{dead}-half"
    half.mkdir()
    (half / "a.csv").write_text("v\n2\n")
    # killed during the renames of a complete set: finished by the next writer
    done = tmp_path / f".other.tmp-{dead}-done"
    done.mkdir()
    (done / "b.csv").write_text("v\n3\n")
    (done / ".complete").write_bytes(b"")
    with atomic_files(tmp_path, ("c.csv",), label="other") as tmp:
        (tmp / "c.csv").write_text("v\n4\n")
    assert (tmp_path / "b.csv").read_text() == "v\n3\n"  # rolled forward
    assert half.exists()  # another label's set: not this writer's business
    with atomic_files(tmp_path, names, label="set") as tmp:
        for n in names:
            (tmp / n).write_text("v\n5\n")
    assert _hidden(tmp_path) == []
    assert [(tmp_path / n).read_text() for n in names] == ["v\n5\n", "v\n5\n"]


# --- kill -9 of twin run --------------------------------------------------------------


def _start_run(plant: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "twin.cli", "run", str(plant), "--out", str(out)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_when(proc: subprocess.Popen, ready, timeout_s: float = 90.0) -> bool:
    """SIGKILL ``proc`` as soon as ``ready()``; False if it finished first."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the moment never came"
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return True


@linux_only
@pytest.mark.parametrize(
    ("moment", "previous"), [("start", True), ("writing", True), ("writing", False)]
)
def test_kill_9_of_run_leaves_nothing_the_previous_or_the_complete_result(
    tmp_path, moment, previous
):
    plant = write_plant(tmp_path, LOAD_ONLY)
    out = tmp_path / "out"
    before = None
    if previous:
        assert main(["run", str(plant), "--out", str(out)]) == 0
        before = (out / "summary.json").read_text()
        monthly = (out / "monthly.csv").read_text()
    proc = _start_run(plant, out)
    if moment == "start":
        time.sleep(0.3)  # importing, reading the config: nothing written yet
        ready = lambda: True  # noqa: E731
    else:
        ready = lambda: any(p.name.startswith(".out.tmp-") for p in tmp_path.iterdir())  # noqa: E731
    killed = _kill_when(proc, ready)
    proc.stderr.close()
    if out.exists():
        _read_all(out)
        complete = (out / "summary.json").is_file() and (out / "hourly.parquet").is_file()
        assert complete, sorted(p.name for p in out.iterdir())
        if previous and killed and moment == "start":
            assert (out / "summary.json").read_text() == before
    else:
        assert not previous, "the previous result was lost"
    # what the killed run left beside the output goes with the next run
    assert main(["run", str(plant), "--out", str(out)]) == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    _read_all(out)
    if before is not None:
        assert (out / "monthly.csv").read_text() == monthly  # the same plant, the same result


# --- kill -9 of twin compare ----------------------------------------------------------

VARIANTS = 5
EXPERIMENT = """
[experiment]
name = "prices"
base = "plant.toml"
""" + "".join(
    f"""
[[variant]]
name = "price_{i}"
patches = {{"grid_connection.tariff.floating_price_cny_per_kwh" = {0.30 + 0.01 * i:.2f}}}
"""
    for i in range(VARIANTS)
)


def _done(db: Path) -> int:
    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(db, timeout=0.1) as con:
            return con.execute("SELECT COUNT(*) FROM scenarios WHERE status = 'done'").fetchone()[0]
    except sqlite3.OperationalError:  # locked by the writer for a moment
        return 0


@linux_only
def test_kill_9_of_compare_keeps_finished_variants_kills_workers_and_resumes(tmp_path, capsys):
    write_plant(tmp_path, LOAD_ONLY)
    exp = tmp_path / "exp.toml"
    exp.write_text(EXPERIMENT, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twin.cli",
            "compare",
            str(exp),
            "--out",
            str(out),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: list[int] = []

    def ready() -> bool:
        workers[:] = _children(proc.pid) or workers
        return _done(out / "scenarios" / "catalogue.sqlite") >= 2

    assert _kill_when(proc, ready), proc.stderr.read().decode()
    proc.stderr.close()
    assert workers, "expected a process pool"
    t0 = time.monotonic()
    while any(_alive(w) for w in workers) and time.monotonic() - t0 < 6:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "compare's workers outlived their killed parent"
    # the results of a killed compare: absent (it never got there), never partial
    assert not (out / "compare.csv").exists()
    with Store.open(out / "scenarios") as store:
        stored = store.frame()
    finished = stored[stored["status"] == "done"]
    assert 2 <= len(finished) < VARIANTS + 1

    assert main(["compare", str(exp), "--out", str(out), "--workers", "1", "--resume"]) == 0
    capsys.readouterr()
    with Store.open(out / "scenarios") as store:
        resumed = store.frame()
        assert store.counts() == {"pending": 0, "done": VARIANTS + 1, "failed": 0}
    # what was stored before the kill is kept as it was, not computed again
    kept = resumed.set_index("scenario_id").loc[finished["scenario_id"]]
    pd.testing.assert_frame_equal(
        kept.reset_index(), finished.reset_index(drop=True), check_exact=True
    )
    assert _hidden(out) == [] and _hidden(tmp_path) == []
    _read_all(out)
    table = pd.read_csv(out / "compare.csv")
    assert list(table["variant"]) == ["base", *(f"price_{i}" for i in range(VARIANTS))]

    # and the same figures as a compare never interrupted
    whole = tmp_path / "whole"
    assert main(["compare", str(exp), "--out", str(whole), "--workers", "1"]) == 0
    capsys.readouterr()
    pd.testing.assert_frame_equal(table, pd.read_csv(whole / "compare.csv"), check_exact=True)
