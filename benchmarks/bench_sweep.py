"""Throughput of ``twin sweep``: scenarios per second, 2 workers against 1.

Runs the first scenarios of the two example sweeps through
:func:`twin.sweep.run_sweep` into temporary stores, as ``twin sweep`` does
(process pool start, per-worker warm-up, streaming to Parquet and SQLite
included), with two workers and with one, and prints the medians:

- ``experiments/pv_battery_sweep.toml`` (PV + battery + load, Latin hypercube);
- ``experiments/factory_sweep.toml`` (the reference factory with utility and
  production measures, Monte Carlo prices and grid factor).

Beside them, the time of one scenario inside a worker (the median of the
catalogue's ``seconds``) and one pvlib ModelChain year of the same PV system
on the same weather, in this process, and the load average of the machine
beside each rate. Last, a warm reference-factory run in a sweep worker (a
grid-factor change: every component reused, the run re-accounted) against
the ModelChain year. The targets: PV + battery >= 100 scenarios/s on 2 cores
(aim 200), factory >= 20/s, 2 workers >= 1.7 x 1, warm run <= 0.3 x a
ModelChain year.

Usage: ``python benchmarks/bench_sweep.py [--repeat N] [--pv N] [--factory N]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import build_modelchain, run_modelchain  # noqa: E402

from twin.config import load_config  # noqa: E402
from twin.plant import Plant  # noqa: E402
from twin.run import load_plant_weather, weather_on_grid  # noqa: E402
from twin.simulate import (  # noqa: E402
    clear_component_memo,
    component_memo_stats,
    component_reuse,
)
from twin.sweep import Store, load_sweep, run_sweep  # noqa: E402
from twin.sweep.scenario import _STATE, Plan, run_one, warm_up  # noqa: E402


def _subset(path: Path, n: int):
    sweep = load_sweep(path)
    scenarios = sweep.scenarios[:n]
    key = Plan.content_key(sweep.design_key, n)
    return dataclasses.replace(sweep, scenarios=scenarios, design_key=key)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (1 min) / {five:.1f} (5 min)"


def _throughput(sweep, workers: int, repeat: int) -> tuple[float, float, float, str]:
    """Median scenarios per second of the whole run, the median wall and CPU
    time of one scenario inside its worker [s], and the load beside them."""
    rates, inner, cpu = [], [], []
    for _ in range(repeat):
        clear_component_memo()  # no results left from the previous measurement
        _STATE.update(key=None, plan=None, weather={})  # workers warm up anew
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            run = run_sweep(sweep, Path(tmp) / "store", workers=workers)
            wall = time.perf_counter() - t0
            with Store.open(Path(tmp) / "store") as store:
                cat = store.catalogue()
        assert run.counts["done"] == len(sweep.scenarios), run.counts
        rates.append(len(sweep.scenarios) / wall)
        inner.append(float(cat["seconds"].median()))
        cpu.append(float(cat["cpu_seconds"].median()))
    return statistics.median(rates), statistics.median(inner), statistics.median(cpu), _load()


def _modelchain_s(repeat: int) -> float:
    config = load_config(ROOT / "configs" / "pv_battery_site.toml")
    plant = Plant.build(config)
    weather = load_plant_weather(config)
    cols = weather_on_grid(weather.frame, plant.grid)
    frame = pd.DataFrame(
        {
            "ghi": cols["ghi_w_per_m2"],
            "dni": cols["dni_w_per_m2"],
            "dhi": cols["dhi_w_per_m2"],
            "temp_air": cols["temp_air_c"],
            "wind_speed": cols["wind_speed_m_per_s"],
        },
        index=plant.grid.index,
    )
    loc = weather.location
    mc = build_modelchain(
        config.pv[0],
        loc.latitude_deg,
        loc.longitude_deg,
        loc.elevation_m,
        config.simulation.timezone,
    )
    run_modelchain(mc, frame)
    times = []
    for _ in range(max(repeat, 5)):
        t0 = time.process_time()  # CPU time: comparable with the workers' on a shared machine
        run_modelchain(mc, frame)
        times.append(time.process_time() - t0)
    return statistics.median(times)


def _warm_factory_s(repeat: int) -> tuple[float, float, dict[str, int]]:
    """CPU time of one reference-factory scenario in a warm sweep worker whose
    change touches nothing the components read (a grid-factor draw: every
    component's result is reused, the run re-accounts), and of the same
    scenario computed afresh (weather and solar memos warm) [s]."""
    sweep = load_sweep(ROOT / "experiments" / "factory_sweep.toml")
    plan = sweep.plan
    warm_up(plan, run_base=True)
    base = sweep.scenarios[0]
    times = []
    clear_component_memo()
    before = component_memo_stats()
    t0 = time.process_time()
    with component_reuse():
        run_one(plan, base)  # this scenario's own components into the memo
    cold = time.process_time() - t0
    with component_reuse():
        for i in range(max(repeat, 5)):
            ef = 0.56 + 0.01 * i
            scenario = dataclasses.replace(base, values={**base.values, "grid_ef": ef})
            t0 = time.process_time()
            out = run_one(plan, scenario)
            times.append(time.process_time() - t0)
            assert out["status"] == "done", out["error"]
    after = component_memo_stats()
    stats = {k: after[k] - before[k] for k in ("hits", "misses")}
    return statistics.median(times), cold, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pv", type=int, default=256, help="PV + battery scenarios per run")
    parser.add_argument("--factory", type=int, default=64, help="factory scenarios per run")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    t_mc = _modelchain_s(args.repeat)
    print(f"median of {args.repeat} runs each; {_load()} on {os.cpu_count()} cores")
    print("(a shared machine inflates wall times: read the ratios and the CPU times)")
    print(
        f"  pvlib ModelChain, one year of the site's PV on the same weather: "
        f"{t_mc * 1000:7.1f} ms CPU"
    )
    for label, path, n in (
        ("PV + battery", "pv_battery_sweep.toml", args.pv),
        ("reference factory", "factory_sweep.toml", args.factory),
    ):
        sweep = _subset(ROOT / "experiments" / path, n)
        one, inner1, cpu1, load1 = _throughput(sweep, 1, args.repeat)
        two, inner2, cpu2, load2 = _throughput(sweep, 2, args.repeat)
        print(f"  {label} ({n} scenarios of experiments/{path}, start-up and warm-up included):")
        print(f"    1 worker  {one:7.1f} scenarios/s   ({load1})")
        print(f"    2 workers {two:7.1f} scenarios/s   ({load2})")
        print(f"    2 workers / 1 worker: {two / one:4.2f} x")
        print(
            f"    one scenario in a worker: wall {inner1 * 1000:6.1f} ms (1 worker), "
            f"{inner2 * 1000:6.1f} ms (2 workers); CPU {cpu1 * 1000:6.1f} ms "
            f"= {cpu1 / t_mc:5.2f} x one ModelChain year"
        )
        print(f"    two free cores would run about {2.0 / cpu1:6.1f} scenarios/s (2 / CPU time)")
    warm, cold, stats = _warm_factory_s(args.repeat)
    print(
        "  reference factory, warm run in a sweep worker (a grid-factor change: "
        f"{stats['hits']} component results reused, {stats['misses']} computed):"
    )
    print(
        f"    {warm * 1000:6.1f} ms CPU = {warm / t_mc:4.2f} x one ModelChain year "
        f"(computed afresh: {cold * 1000:6.0f} ms)"
    )


if __name__ == "__main__":
    main()
