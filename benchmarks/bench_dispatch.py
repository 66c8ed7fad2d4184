"""Wall time of the storage LP dispatch on the reference factory, against its predecessor.

Captures the net demand the battery of ``configs/reference_factory.toml``
sees in one annual run, then times, in one process, with medians over
``--repeat`` calls:

- ``twin.dispatch.lp_dispatch``: highspy models built once per run and
  updated per window, hot-started (issue 15);
- the predecessor (``benchmarks/lp_peer.py``): scipy ``linprog`` per window,
  matrices rebuilt each time (the peer, same LP);
- the rule-based TOU dispatch of the same battery (its whole ``compute``);

and prints the ratio and the objective (energy + demand cost) each LP
reaches, so that the speed-up is seen not to come from a different answer.

Usage: ``python benchmarks/bench_dispatch.py [--repeat N] [--step 1h]``.
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from lp_peer import lp_dispatch_linprog  # noqa: E402
from twin.components.battery import Battery  # noqa: E402

import twin  # noqa: E402
from twin.dispatch import lp_dispatch  # noqa: E402

CONFIG = ROOT / "configs" / "reference_factory.toml"


def _capture(step: str):
    """Net demand, signals, grid and battery of the reference run."""
    seen = {}
    original = Battery.compute

    def spy(self, ctx):
        seen.update(
            net=ctx.net_demand(self.params.bus).copy(),
            signals=ctx.signals,
            grid=ctx.grid,
            battery=self,
            ctx=ctx,
        )
        return original(self, ctx)

    Battery.compute = spy
    try:
        twin.run(twin.load_config(CONFIG, step=step))
    finally:
        Battery.compute = original
    return seen


def _median(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU (process) time [s] and the last result."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), out


def _cost(net, c, d, sig, grid, rate) -> float:
    g = np.maximum(net + c - d, 0.0)
    energy = float(np.sum(g * sig.import_price_cny_per_kwh) * grid.step_h)
    peaks = np.zeros(13)
    np.maximum.at(peaks, grid.month, g)
    return energy + rate * float(peaks.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--step", default="1h")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    seen = _capture(args.step)
    net, sig, grid, bess = seen["net"], seen["signals"], seen["grid"], seen["battery"]
    storage = bess.lp_storage(grid.step_h)
    kwargs = dict(
        step_h=grid.step_h,
        import_price_cny_per_kwh=sig.import_price_cny_per_kwh,
        export_price_cny_per_kwh=sig.export_price_cny_per_kwh,
        ef_kg_per_kwh=sig.ef_kg_per_kwh,
        month=grid.month,
        import_limit_kw=sig.import_limit_kw,
        export_limit_kw=sig.export_limit_kw,
        demand_charge_cny_per_kw_month=sig.demand_charge_cny_per_kw_month,
    )
    lp_dispatch(net, storage, **kwargs)  # warm-up (imports)
    t_new, u_new, (c_new, d_new) = _median(lambda: lp_dispatch(net, storage, **kwargs), args.repeat)
    t_old, u_old, (c_old, d_old) = _median(
        lambda: lp_dispatch_linprog(net, storage, **kwargs), args.repeat
    )
    t_rule, u_rule, _ = _median(lambda: bess.compute(seen["ctx"]), args.repeat)
    rate = sig.demand_charge_cny_per_kw_month
    print(
        f"storage dispatch, reference factory, step {args.step}, {grid.n_steps} steps, "
        f"median of {args.repeat} (machine shared: read the ratios)"
    )
    print("                                              wall          CPU")
    print(
        f"  LP, highspy, built once (twin.dispatch)   {t_new * 1e3:8.1f} ms  {u_new * 1e3:8.1f} ms"
    )
    print(
        f"  LP, linprog per window (predecessor)      {t_old * 1e3:8.1f} ms  {u_old * 1e3:8.1f} ms"
        f"   {t_old / t_new:5.1f} x / {u_old / u_new:5.1f} x slower"
    )
    print(
        f"  rule-based TOU (Battery.compute)          {t_rule * 1e3:8.1f} ms  "
        f"{u_rule * 1e3:8.1f} ms"
    )
    print(
        f"  energy + demand cost: twin {_cost(net, c_new, d_new, sig, grid, rate):,.0f} CNY, "
        f"predecessor {_cost(net, c_old, d_old, sig, grid, rate):,.0f} CNY"
    )


if __name__ == "__main__":
    main()
