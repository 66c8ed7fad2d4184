"""The long fuzzing campaign, outside pytest: counts per input kind.

    python -m tests.fuzz.campaign --n 10000 --kind config --seed 0

Runs ``n`` mutated inputs of each kind (seeded, so a finding reproduces with
its case number), tallies accepted and rejected inputs and groups every
uncaught exception by type and the innermost frame of the project's code.
Exits 1 when any input ended in an uncaught exception. The pytest profile
``FUZZ_PROFILE=long`` runs the same cases through hypothesis instead.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from tests.fuzz.targets import KINDS, ROOT, run_case


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if str(ROOT) in f.filename and "/tests/" not in f.filename]
    f = (ours or frames)[-1]
    return f"{Path(f.filename).relative_to(ROOT) if str(ROOT) in f.filename else f.filename}:{f.lineno} {f.name}"


def campaign(kind: str, n: int, seed: int, progress: int = 0) -> dict:
    counts: Counter[str] = Counter()
    crashes: dict[str, dict] = {}
    t0 = time.perf_counter()
    for i in range(n):
        rng = random.Random(f"{seed}:{kind}:{i}")
        with tempfile.TemporaryDirectory() as tmp:
            try:
                counts[run_case(kind, rng, Path(tmp))] += 1
            except Exception as exc:  # noqa: BLE001 (the campaign tallies every bug)
                counts["crash"] += 1
                key = f"{type(exc).__name__} at {_where(exc)}"
                entry = crashes.setdefault(
                    key, {"count": 0, "first_case": i, "message": str(exc)[:300]}
                )
                entry["count"] += 1
        if progress and (i + 1) % progress == 0:
            print(
                f"  {kind}: {i + 1} cases, {time.perf_counter() - t0:.0f} s: "
                + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("accepted", "rejected", "crash")),
                flush=True,
            )
    return {
        "kind": kind,
        "cases": n,
        "seed": seed,
        "seconds": round(time.perf_counter() - t0, 1),
        **{k: counts.get(k, 0) for k in ("accepted", "rejected", "crash")},
        "crash_kinds": crashes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="cases per kind")
    parser.add_argument("--kind", action="append", choices=KINDS, help="default: every kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the tallies here")
    parser.add_argument("--progress", type=int, default=0, help="print the tallies every N cases")
    args = parser.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore")
    results = []
    for kind in args.kind or KINDS:
        r = campaign(kind, args.n, args.seed, args.progress)
        results.append(r)
        print(
            f"{kind}: {r['cases']} cases in {r['seconds']} s: accepted {r['accepted']}, "
            f"rejected {r['rejected']}, uncaught {r['crash']}",
            flush=True,
        )
        for key, e in r["crash_kinds"].items():
            print(
                f"    {e['count']:>5} x {key} (case {e['first_case']}): {e['message'][:160]}",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 1 if any(r["crash"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
