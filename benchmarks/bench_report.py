"""Wall time of ``twin report`` on the reference factory's result.

The issue's target: the reference factory's report in under 3 s after the
run. Runs the reference factory once (``twin run``, in a fresh process),
then ``twin report`` on its folder in fresh processes (imports included, as
a user would run it), and prints the medians of both and their ratio, plus
the in-process time of building the page (matplotlib already imported) and
the page's size.

Usage: ``python benchmarks/bench_report.py [--repeat N]``.
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
CONFIG = ROOT / "configs" / "reference_factory.toml"


def _cli(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "twin.cli", *args], check=True, capture_output=True, cwd=ROOT
    )
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ref"
        run_s = statistics.median(
            _cli("run", str(CONFIG), "--out", str(out)) for _ in range(args.repeat)
        )
        report_s = statistics.median(_cli("report", str(out)) for _ in range(args.repeat))
        from twin.report import build_report

        build_report(out)  # warm: imports, fonts
        inproc = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            page = build_report(out)
            inproc.append(time.perf_counter() - t0)
        size_mb = page.stat().st_size / 1e6
    print(f"twin run (reference factory, fresh process)     median {run_s:6.2f} s")
    print(f"twin report (fresh process, imports included)   median {report_s:6.2f} s")
    print(
        f"build_report in process (warm imports)          median {statistics.median(inproc):6.2f} s"
    )
    print(f"report / run                                           {report_s / run_s:6.2f}")
    print(f"page size                                              {size_mb:6.2f} MB")


if __name__ == "__main__":
    main()
