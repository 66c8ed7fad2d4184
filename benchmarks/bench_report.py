"""Time of ``twin report`` on the reference factory's result.

The issue's target: the reference factory's report in under 3 s after the
run, on an idle 2-core machine. Runs the reference factory once (``twin
run``, in a fresh process), then ``twin report`` on its folder in fresh
processes (imports included, as a user would run it), and prints for each
the median wall time and the median CPU time of the process (user +
system, from ``getrusage`` of the children: on a loaded machine the CPU
time is the figure to compare with the target, wall time grows with the
load). Then the in-process time of building the page with matplotlib
already imported (wall and CPU, ``time.process_time``), and the page's size.

Usage: ``python benchmarks/bench_report.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "reference_factory.toml"


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli(*args: str) -> tuple[float, float]:
    """Wall and CPU time [s] of one ``twin`` command in a fresh process."""
    cpu0 = _children_cpu_s()
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "twin.cli", *args], check=True, capture_output=True, cwd=ROOT
    )
    return time.perf_counter() - t0, _children_cpu_s() - cpu0


def _medians(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ref"
        run_wall, run_cpu = _medians(
            [_cli("run", str(CONFIG), "--out", str(out)) for _ in range(args.repeat)]
        )
        rep_wall, rep_cpu = _medians([_cli("report", str(out)) for _ in range(args.repeat)])
        from twin.report import build_report

        build_report(out)  # warm: imports, fonts
        inproc = []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            page = build_report(out)
            inproc.append((time.perf_counter() - t0, time.process_time() - c0))
        in_wall, in_cpu = _medians(inproc)
        size_mb = page.stat().st_size / 1e6
    print("median of", args.repeat, "                                  wall      CPU")
    print(f"twin run (reference factory, fresh process)     {run_wall:6.2f} s  {run_cpu:6.2f} s")
    print(f"twin report (fresh process, imports included)   {rep_wall:6.2f} s  {rep_cpu:6.2f} s")
    print(f"build_report in process (warm imports)          {in_wall:6.2f} s  {in_cpu:6.2f} s")
    print(
        f"report / run                                    {rep_wall / run_wall:6.2f}    {rep_cpu / run_cpu:6.2f}"
    )
    print(f"page size                                       {size_mb:6.2f} MB")


if __name__ == "__main__":
    main()
