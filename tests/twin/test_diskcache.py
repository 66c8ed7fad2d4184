"""The on-disk cache: round trip, off switch, size bound, concurrent
writers, damaged entries, and a production line's flows reused across
processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import numpy as np
import pytest

import twin.component as twin_component
from tests.components._production_helpers import build, context, week_grid
from twin import diskcache


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("FACTORY_TWIN_CACHE", "on")
    monkeypatch.setenv("FACTORY_TWIN_CACHE_DIR", str(root))
    monkeypatch.delenv("FACTORY_TWIN_CACHE_MAX_MB", raising=False)
    return root


def test_round_trip(cache):
    arrays = {"a": np.arange(5.0), "b": np.array([1, 2], dtype=np.int64)}
    diskcache.store_arrays("k", arrays)
    got = diskcache.load_arrays("k")
    assert list(got) == ["a", "b"]
    np.testing.assert_array_equal(got["a"], arrays["a"])
    assert got["b"].dtype == np.int64
    assert diskcache.load_arrays("other") is None


def test_off_switch_reads_and_writes_nothing(cache, monkeypatch):
    diskcache.store_arrays("k", {"a": np.ones(3)})
    monkeypatch.setenv("FACTORY_TWIN_CACHE", "off")
    assert diskcache.load_arrays("k") is None
    diskcache.store_arrays("k2", {"a": np.ones(3)})
    assert len(list(cache.glob("*/*.npz"))) == 1


def test_default_location_is_the_user_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("FACTORY_TWIN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if os.sys.platform.startswith("linux"):
        assert diskcache.cache_dir() == tmp_path / "factory-twin"
    assert diskcache.cache_dir().name == "factory-twin"


def test_size_bound_evicts_the_least_recently_used(cache, monkeypatch):
    one = {"a": np.zeros(12_500)}  # 100 kB
    diskcache.store_arrays("first", one)
    diskcache.store_arrays("second", one)
    past = time.time() - 100
    for p in cache.glob("*/*.npz"):
        os.utime(p, (past, past))
    assert diskcache.load_arrays("first") is not None  # used now: kept
    monkeypatch.setenv("FACTORY_TWIN_CACHE_MAX_MB", "0.25")
    diskcache.store_arrays("third", one)
    assert diskcache.load_arrays("second") is None
    assert diskcache.load_arrays("first") is not None
    assert diskcache.load_arrays("third") is not None
    assert sum(p.stat().st_size for p in cache.glob("*/*.npz")) <= 250_000


def test_a_damaged_entry_is_a_miss_and_is_removed(cache):
    diskcache.store_arrays("k", {"a": np.ones(3)})
    (path,) = cache.glob("*/*.npz")
    path.write_bytes(path.read_bytes()[:40])
    assert diskcache.load_arrays("k") is None
    assert not path.exists()


def _writer(args) -> int:
    root, key, n = args
    os.environ["FACTORY_TWIN_CACHE"] = "on"
    os.environ["FACTORY_TWIN_CACHE_DIR"] = root
    bad = 0
    value = np.arange(50_000, dtype=np.float64)
    for _ in range(n):
        diskcache.store_arrays(key, {"v": value})
        got = diskcache.load_arrays(key)
        if got is None or not np.array_equal(got["v"], value):
            bad += 1
    return bad


def test_concurrent_writers_never_leave_a_partial_entry(cache):
    ctx = multiprocessing.get_context("spawn" if os.name == "nt" else "fork")
    with ctx.Pool(4) as pool:
        bad = pool.map(_writer, [(str(cache), "shared", 25)] * 4)
    assert bad == [0, 0, 0, 0]
    assert len(list(cache.glob("*/*.npz"))) == 1
    assert not list(cache.glob("*/.tmp-*"))


def test_line_flows_are_reused_from_disk(cache):
    grid = week_grid()
    line = build(
        stations=[
            {
                "name": "press",
                "power_kw": {"busy": 50.0, "idle": 10.0},
                "mtbf_h": 5.0,
                "mttr_h": 0.5,
            }
        ]
    )
    first = line.compute(context(grid))
    assert len(list(cache.glob("*/*.npz"))) == 1
    twin_component._SHARED_MEMO.clear()  # a new process: only the disk remembers
    entries = list(cache.glob("*/*.npz"))
    before = entries[0].stat().st_mtime_ns
    time.sleep(0.01)
    again = line.compute(context(grid))
    assert entries[0].stat().st_mtime_ns > before  # read, not recomputed and written
    assert list(again.outputs) == list(first.outputs)
    for name, arr in first.outputs.items():
        np.testing.assert_array_equal(again.outputs[name], arr)
    np.testing.assert_array_equal(again.ports["el"], first.ports["el"])
    # another seed or other params: other entries
    twin_component._SHARED_MEMO.clear()
    line.compute(context(grid, seed=8))
    build(stations=[{"name": "press", "power_kw": {"busy": 51.0}}]).compute(context(grid))
    assert len(list(cache.glob("*/*.npz"))) == 3
