"""Wall time of ``twin compare`` on the reference factory with ten variants.

Runs ``experiments/retrofit_portfolio.toml`` (base + ten variants, one of them
with the LP battery dispatch) in fresh processes, as a user would, with two
workers and with one, and prints the medians. The issue's target: under
10 s on 2 cores.

Usage: ``python benchmarks/bench_compare.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "retrofit_portfolio.toml"


def _time(workers: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "twin.cli",
                    "compare",
                    str(EXPERIMENT),
                    "--out",
                    out,
                    "--workers",
                    str(workers),
                ],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    two = _time(2, args.repeat)
    one = _time(1, args.repeat)
    print(
        f"twin compare {EXPERIMENT.relative_to(ROOT)} (11 plants), whole command incl. imports,"
        f" median of {args.repeat}:"
    )
    print(f"  2 workers  {two:6.2f} s")
    print(f"  1 worker   {one:6.2f} s   (speed-up {one / two:.2f} x)")


if __name__ == "__main__":
    main()
