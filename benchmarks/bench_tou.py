"""Cost of the rule-based TOU controller per plant-year, against the SOC kernel.

Captures the context the battery of ``configs/reference_factory.toml`` sees
in one annual run, then times in one process, medians over ``--repeat``
calls:

- ``components.battery_tou.tou_request``: the controller (forecasts, held
  level and its loop over steps), the figure issue 11's sweeps budget
  (<= 10 ms per plant-year);
- ``components.battery.simulate_soc`` over the same year: the irreducible
  loop over steps (the peer);
- ``Battery.compute`` as a whole (the controller applies the kernel's arithmetic, so
  the kernel does not run again; losses).

Usage: ``python benchmarks/bench_tou.py [--repeat N] [--step 1h]``.
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

from twin.components.battery import Battery  # noqa: E402
from twin.components.battery_tou import tou_request  # noqa: E402

import twin  # noqa: E402

CONFIG = ROOT / "configs" / "reference_factory.toml"


def _capture(step: str) -> dict:
    seen: dict = {}
    original = Battery.compute

    def spy(self, ctx):
        seen.update(battery=self, ctx=ctx, net=ctx.net_demand(self.params.bus).copy())
        return original(self, ctx)

    Battery.compute = spy
    try:
        twin.run(twin.load_config(CONFIG, step=step))
    finally:
        Battery.compute = original
    return seen


def _median_ms(fn, repeat: int) -> tuple[float, float]:
    """Median wall and process-CPU time of ``fn()`` [ms]."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1e3, statistics.median(cpu) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--step", default="1h")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    seen = _capture(args.step)
    bess, ctx = seen["battery"], seen["ctx"]
    grid = ctx.grid
    net = seen["net"] + bess.params.auxiliary_power_kw
    cap = np.full(grid.n_steps, np.inf)
    target = bess._demand_target_kw(ctx)
    if target is not None:
        cap = target
    cap = np.minimum(cap, ctx.signals.import_limit_kw)
    years = grid.n_steps * grid.step_h / 8760.0
    request = tou_request(bess, ctx, net, cap)
    t_ctl, u_ctl = _median_ms(lambda: tou_request(bess, ctx, net, cap), args.repeat)
    t_ker, u_ker = _median_ms(
        lambda: bess._kernel(request, bess.soc_initial_kwh, grid.step_h), args.repeat
    )
    t_all, u_all = _median_ms(lambda: bess.compute(ctx), args.repeat)
    print(
        f"TOU controller, reference factory, step {args.step}, {grid.n_steps} steps "
        f"({years:.2f} years), median of {args.repeat}; the machine may be shared: "
        "read the ratio to the kernel"
    )
    print("                                            wall / year    CPU / year")
    print(
        f"  controller (tou_request)                  {t_ctl / years:7.2f} ms   "
        f"{u_ctl / years:7.2f} ms   {t_ctl / t_ker:4.2f} x the kernel (wall), "
        f"{u_ctl / u_ker:4.2f} x (CPU)"
    )
    print(
        f"  SOC kernel (simulate_soc), the peer       {t_ker / years:7.2f} ms   {u_ker / years:7.2f} ms"
    )
    print(
        f"  Battery.compute (controller and losses)   {t_all / years:7.2f} ms   {u_all / years:7.2f} ms"
    )


if __name__ == "__main__":
    main()
