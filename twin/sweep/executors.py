"""Where scenarios run: this process, a local process pool, or a Dask cluster.

Each executor takes the plan and chunks of scenarios and yields each chunk's
outcomes as it finishes, in whatever order the workers finish them; the
coordinator stores them (:mod:`twin.sweep.store`), so results never depend
on the number of workers or the finishing order.

- One worker: the chunks run in this process.
- A local pool (``concurrent.futures.ProcessPoolExecutor``): every worker
  gets the plan once through its initializer, which also runs the base plant
  so the weather, solar-geometry, line-simulation and zone-kernel memos are
  warm before its first scenario; on Linux a worker asks the kernel to kill
  it when its parent dies (``prctl(PR_SET_PDEATHSIG)``), so a killed sweep
  leaves no orphans.
- Dask (``dask.distributed``, an optional extra): ``--scheduler
  tcp://HOST:PORT``; the plan is scattered once to every worker, tasks are
  chunks, and each worker warms up on its first chunk.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from twin.errors import ConfigError
from twin.sweep.design import Scenario
from twin.sweep.scenario import Plan, run_chunk, served_plan, warm_up

__all__ = ["SchedulerError", "connect_scheduler", "dask_outcomes", "local_outcomes"]

_PR_SET_PDEATHSIG = 1


class SchedulerError(ConfigError):
    """A Dask scheduler that cannot be reached or used (a user error: exit 2)."""


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent exits."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _init_pool_worker(plan: Plan, parent_pid: int) -> None:
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    warm_up(plan, run_base=True)


def _pool_task(plan_key: str, chunk: list[Scenario]) -> list[dict[str, Any]]:
    plan = served_plan()
    if plan is None or plan.key != plan_key:
        msg = "worker has no plan (its initializer did not run)"
        raise RuntimeError(msg)
    return run_chunk(plan, chunk)


def local_outcomes(
    plan: Plan, chunks: list[list[Scenario]], workers: int
) -> Iterator[list[dict[str, Any]]]:
    """Outcomes per chunk from this process (``workers == 1``) or a process pool."""
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield run_chunk(plan, chunk)
        return
    methods = mp.get_all_start_methods()
    context = mp.get_context("fork" if "fork" in methods else "spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_pool_worker,
        initargs=(plan, os.getpid()),
    )
    try:
        pending = {pool.submit(_pool_task, plan.key, chunk) for chunk in chunks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def connect_scheduler(address: str, timeout_s: float = 10.0) -> Any:
    """A ``distributed.Client`` on the scheduler at ``address``.

    Raises
    ------
    SchedulerError
        dask.distributed is not installed, or nothing answers at ``address``.
    """
    try:
        from distributed import Client
    except ImportError:
        msg = (
            "--scheduler needs dask.distributed, an optional extra: "
            "pip install 'factory-twin[dask]'"
        )
        raise SchedulerError(msg) from None
    if "://" not in address:
        msg = f"--scheduler {address!r}: expected an address like tcp://HOST:PORT"
        raise SchedulerError(msg)
    try:
        return Client(address, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        msg = (
            f"--scheduler {address}: no Dask scheduler answered within {timeout_s:g} s ({exc}); "
            f"start one with `dask scheduler` and workers with `dask worker {address}`, "
            f"or drop --scheduler to use local processes"
        )
        raise SchedulerError(msg) from None


def _dask_task(chunk: list[Scenario], plan: Plan) -> list[dict[str, Any]]:
    return run_chunk(plan, chunk, run_base=True)


def dask_outcomes(
    client: Any, plan: Plan, chunks: list[list[Scenario]]
) -> Iterator[list[dict[str, Any]]]:
    """Outcomes per chunk from the Dask cluster behind ``client``."""
    from distributed import as_completed

    plan_future = client.scatter(plan, broadcast=True, hash=False)
    futures = [client.submit(_dask_task, chunk, plan_future, pure=False) for chunk in chunks]
    try:
        for future in as_completed(futures, loop=client.loop):
            yield future.result()
    finally:
        client.cancel(futures)
