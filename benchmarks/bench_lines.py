"""Speed of the production lines: a simulated year of the example plant's three lines.

Prints, per step length, the median wall time over repeated runs of

- the discrete-event part only (shift calendar + SimPy model of every line),
- the whole ``compute`` of the three lines (simulation, state fractions on
  the grid, flows by state),

with the SimPy events waited on per second and the time per simulated
year, as wall time and as CPU time of this process (on a shared machine the
CPU time is the steadier figure). The lines are those of ``configs/production_example.toml`` (stamping,
machining, assembly with breakdowns and product mix); the issue's budget is
0.5 s for the year. Timing lives here, never in tests.

Usage: ``python benchmarks/bench_lines.py [--repeat N] [--steps 1h 15min 1min]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twin.components.production_line import ProductionLine  # noqa: E402

import twin  # noqa: E402
import twin.component as twin_component  # noqa: E402
from twin.component import RunContext, Site  # noqa: E402

CONFIG = ROOT / "configs" / "production_example.toml"


def _median_s(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall time and median CPU time of this process [s], and the result.

    The cross-run memo is cleared before every call: this times the work, not
    a cache hit (a sweep whose variants leave the lines alone pays it once).
    """
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        twin_component._SHARED_MEMO.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--steps", nargs="+", default=["1h", "15min", "1min"])
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    for step in args.steps:
        config = twin.load_config(CONFIG, step=step)
        plant = twin.Plant.build(config)
        grid = plant.grid
        days = config.calendar.day_types(grid)
        ctx = RunContext(
            grid,
            Site("bench", 31.3, 120.6, 5.0),
            {},
            days,
            None,
            np.random.SeedSequence(config.simulation.seed),
        )
        lines = [c for c in plant.components if isinstance(c, ProductionLine)]
        years = grid.n_steps * grid.step_h / 8760.0

        t_sim, c_sim, sims = _median_s(
            lambda ctx=ctx, lines=lines: [c.simulate(ctx) for c in lines], args.repeat
        )
        t_all, c_all, _ = _median_s(
            lambda lines=lines, grid=grid, days=days, config=config: [
                c.compute(
                    RunContext(
                        grid,
                        Site("bench", 31.3, 120.6, 5.0),
                        {},
                        days,
                        None,
                        np.random.SeedSequence(config.simulation.seed),
                    )
                )
                for c in lines
            ],
            args.repeat,
        )
        events = sum(s.run.n_events for s in sims)
        failures = sum(s.run.n_failures for s in sims)
        stations = sum(len(c.params.stations) for c in lines)
        print(
            f"step {step}: {len(lines)} lines, {stations} stations, {grid.n_steps} steps, "
            f"median of {args.repeat} (wall / CPU of this process)"
        )
        print(
            f"  discrete-event model   {t_sim * 1000:7.1f} / {c_sim * 1000:7.1f} ms   "
            f"{events:,} events ({events / t_sim:,.0f} events/s wall), {failures} breakdowns"
        )
        print(
            f"  compute (sim + flows)  {t_all * 1000:7.1f} / {c_all * 1000:7.1f} ms   "
            f"= {t_all / years * 1000:.1f} ms per simulated year (wall); budget 500 ms"
        )


if __name__ == "__main__":
    main()
