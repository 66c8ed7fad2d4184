"""Time of a year of the two zone kernels on ASHRAE 140 Case 900, in the same process.

Prints the median wall time of ``simulate_multinode`` (EN ISO 52016-1 nodes) and of
``simulate_5r1c`` (ISO 13790) over one hourly year with the same weather and gains,
and their ratio. Run: python benchmarks/bench_zone_models.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import twin.components.hvac_multinode as hm  # noqa: E402
import twin.components.hvac_rc as hr  # noqa: E402
import twin.components.hvac_zone as hz  # noqa: E402

import twin  # noqa: E402

REPEATS = 5


def _timed(module, name: str):
    """A wrapper that records the kernel's calls, and the kernel itself."""
    calls = []
    original = getattr(module, name)

    def recording(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    return calls, original, recording


def main() -> None:
    medians = {}
    for label, module, name, config in (
        ("multi-node", hm, "simulate_multinode", "ashrae140_case900.toml"),
        ("5R1C", hr, "simulate_5r1c", "ashrae140_case900_5r1c.toml"),
    ):
        calls, original, recording = _timed(module, name)
        setattr(hz, name, recording)
        try:
            twin.run(twin.load_config(ROOT / "configs" / "validation" / config))
        finally:
            setattr(hz, name, original)
        args, kwargs = max(calls, key=lambda c: np.asarray(c[0][0]).size)
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            original(*args, **kwargs)
            times.append(time.perf_counter() - t0)
        medians[label] = statistics.median(times)
        print(f"{label:>10}: median {medians[label] * 1000:.1f} ms per hourly year")
    print(f"ratio multi-node / 5R1C: {medians['multi-node'] / medians['5R1C']:.1f}")


if __name__ == "__main__":
    main()
