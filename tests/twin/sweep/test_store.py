"""The durable store: a killed sweep resumes with every scenario exactly once."""

from __future__ import annotations

import dataclasses
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
from tests.twin.sweep._plants import LOAD_GRID, LOAD_ONLY, write_sweep
from twin.sweep import Store, load_sweep, run_sweep
from twin.sweep.store import StoreError


def _done(db: Path) -> int:
    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(db, timeout=0.1) as con:
            return con.execute(
                "SELECT COUNT(*) FROM scenarios WHERE status != 'pending'"
            ).fetchone()[0]
    except sqlite3.OperationalError:  # locked by the writer for a moment
        return 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; kill -9 semantics")
def test_kill_9_then_resume_runs_every_scenario_once_with_the_same_results(tmp_path):
    sweep = write_sweep(tmp_path, LOAD_GRID.format(levels=10), plant=LOAD_ONLY)  # 40 scenarios
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twin.cli",
            "sweep",
            str(sweep),
            "--out",
            str(out),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while _done(out / "catalogue.sqlite") < 6:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the sweep stored nothing within 60 s"
        time.sleep(0.02)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert workers, "expected a process pool"
    t0 = time.monotonic()
    while any(_alive(w) for w in workers) and time.monotonic() - t0 < 6:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "pool workers outlived their killed parent"

    with Store.open(out) as store:
        before = store.counts()
    assert 0 < before["done"] < 40, before

    resumed = run_sweep(sweep, out, workers=1, resume=True)
    assert resumed.computed == 40 - before["done"]  # nothing finished is recomputed
    with Store.open(out) as store:
        frame = store.frame()
        catalogue = store.catalogue()
    assert len(frame) == 40 and frame["scenario_id"].is_unique
    assert (catalogue["status"] == "done").all()
    assert set(catalogue["part"]) == {p.name for p in (out / "results").glob("part-*.parquet")}

    whole = run_sweep(sweep, tmp_path / "whole", workers=2)
    assert whole.computed == 40
    with Store.open(tmp_path / "whole") as store:
        reference = store.frame()
    pd.testing.assert_frame_equal(frame, reference, check_exact=True)


def test_a_half_written_part_is_discarded_and_its_scenarios_rerun(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, LOAD_GRID.format(levels=2), plant=LOAD_ONLY))
    out = tmp_path / "out"
    run_sweep(sweep, out, workers=1)
    with Store.open(out) as store:
        reference = store.frame()
    parts = sorted(p.name for p in (out / "results").iterdir())
    assert len(parts) > 1
    # a kill between the last part's rename and the catalogue's commit: the part is
    # on disk but no scenario names it; and a temporary file of the next part
    con = sqlite3.connect(out / "catalogue.sqlite")
    with con:
        lost = con.execute(
            "UPDATE scenarios SET status = 'pending', part = NULL, config_hash = NULL "
            "WHERE part = ?",
            (parts[-1],),
        ).rowcount
    con.close()
    (out / "results" / ".part-999999.parquet.tmp").write_bytes(b"\x00")
    # a reader (a report of a sweep still running) deletes nothing and counts the
    # orphan part's scenarios not at all
    with Store.open(out, writable=False) as store:
        seen = store.frame()
    assert len(seen) == len(reference) - lost
    assert (out / "results" / parts[-1]).is_file()
    assert (out / "results" / ".part-999999.parquet.tmp").is_file()
    again = run_sweep(sweep, out, workers=1, resume=True)
    assert again.computed == lost
    with Store.open(out) as store:
        pd.testing.assert_frame_equal(store.frame(), reference, check_exact=True)
        assert store.counts() == {"pending": 0, "done": 8, "failed": 0}
    names = sorted(p.name for p in (out / "results").iterdir())
    # the orphan and the temporary file are gone; the lost rows are in a new part
    assert parts[-1] not in names and len(names) == len(parts)
    assert not any(n.startswith(".") for n in names)


def test_failing_scenario_is_recorded_and_the_sweep_goes_on(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, LOAD_GRID.format(levels=2), plant=LOAD_ONLY))
    # poison one scenario with a value the schema rejects (load_sweep would refuse it
    # in a file; here it stands for a scenario that fails inside its worker)
    bad = sweep.scenarios[1]
    poisoned = type(bad)(bad.scenario_id, bad.index, {**bad.values, "price": -1.0}, bad.tags)
    sweep = dataclasses.replace(
        sweep, scenarios=(sweep.scenarios[0], poisoned, *sweep.scenarios[2:])
    )
    run = run_sweep(sweep, tmp_path / "out", workers=1)
    assert run.counts == {"pending": 0, "done": 7, "failed": 1}
    with Store.open(tmp_path / "out") as store:
        cat = store.catalogue().set_index("scenario_id")
        frame = store.frame().set_index("scenario_id")
    assert "floating_price_cny_per_kwh" in cat.loc[bad.scenario_id, "error"]
    assert frame.loc[bad.scenario_id, "status"] == "failed"
    assert frame.loc[bad.scenario_id, "error"] == cat.loc[bad.scenario_id, "error"]
    assert (frame.drop(index=bad.scenario_id)["status"] == "done").all()


def test_an_existing_store_is_not_overwritten_and_resume_checks_the_design(tmp_path):
    path = write_sweep(tmp_path, LOAD_GRID.format(levels=2), plant=LOAD_ONLY)
    out = tmp_path / "out"
    run_sweep(path, out, workers=1)
    with pytest.raises(StoreError, match="--resume"):
        run_sweep(path, out, workers=1)
    other = write_sweep(tmp_path, LOAD_GRID.format(levels=3), name="other.toml")
    with pytest.raises(StoreError, match="another design"):
        run_sweep(other, out, workers=1, resume=True)


def test_hourly_results_per_scenario_when_asked(tmp_path):
    path = write_sweep(tmp_path, LOAD_GRID.format(levels=2), plant=LOAD_ONLY)
    path.write_text(path.read_text().replace("seed = 7\n", "seed = 7\nhourly = true\n"))
    run_sweep(path, tmp_path / "out", workers=1)
    files = sorted(p.name for p in (tmp_path / "out" / "hourly").iterdir())
    assert files == [f"s{i:06d}.parquet" for i in range(8)]
    hourly = pd.read_parquet(tmp_path / "out" / "hourly" / "s000000.parquet")
    assert len(hourly) == 8760 and "grid_import_kw" in hourly.columns
