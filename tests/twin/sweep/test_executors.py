"""Results do not depend on where, on how many workers, or in which order scenarios run."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.twin.sweep._plants import PV_BATTERY_LHS, write_sweep
from twin.sweep import Store, load_sweep, run_sweep
from twin.sweep.engine import execute


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An 8-scenario PV + battery LHS sweep run in this process, one worker."""
    folder = tmp_path_factory.mktemp("sweep")
    sweep = load_sweep(write_sweep(folder, PV_BATTERY_LHS.format(n=8)))
    run_sweep(sweep, folder / "one", workers=1)
    with Store.open(folder / "one") as store:
        frame = store.frame()
    assert (frame["status"] == "done").all()
    return sweep, frame, folder


def test_two_workers_give_the_same_rows_as_one(reference):
    sweep, frame, folder = reference
    run_sweep(sweep, folder / "two", workers=2)
    with Store.open(folder / "two") as store:
        two = store.frame()
        workers = set(store.catalogue()["worker"])
    assert len(workers) == 2  # both pool workers took scenarios
    pd.testing.assert_frame_equal(two, frame, check_exact=True)


def test_finishing_order_does_not_matter(reference, tmp_path):
    sweep, frame, _ = reference
    store = Store.create(
        tmp_path / "rev",
        design_key=sweep.design_key,
        name=sweep.name,
        files={"sweep.toml": sweep.text},
        scenarios=sweep.scenarios,
    )
    with store:
        store.flush_rows = 1
        execute(sweep.plan, sweep.scenarios[::-1], store, workers=1)  # last first
        assert store.catalogue()["part"].iloc[-1] == "part-000001.parquet"
        pd.testing.assert_frame_equal(store.frame(), frame, check_exact=True)


def test_dask_local_cluster_gives_bit_identical_rows(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    sweep, frame, _ = reference
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        run = run_sweep(sweep, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert run.computed == len(frame)
    with Store.open(tmp_path / "dask") as store:
        pd.testing.assert_frame_equal(store.frame(), frame, check_exact=True)
