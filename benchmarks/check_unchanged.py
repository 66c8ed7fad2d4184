"""Are a config's hourly results the same as another checkout's?

Runs ``python -m twin.cli run CONFIG`` in this checkout and in ``--base``
(for example the main branch unpacked with ``git archive main | tar -x -C
DIR``), both with the disk cache off, and compares ``hourly.parquet``
column by column: every value equal within ``--rtol`` relative (default
1e-9; NaN equals NaN), the same columns in the same order, the same index.
``hourly.csv`` is compared at its stated precision (6 decimals): within
0.5e-6 absolute of the base's Parquet value (plus the binary rounding of the
value read back). Exits 1 on a difference.

Usage: ``python benchmarks/check_unchanged.py --base DIR [--config C] [--step 1h]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def _run(root: Path, config: str, step: str, out: Path) -> Path:
    env = dict(os.environ, FACTORY_TWIN_CACHE="off")
    subprocess.run(
        [sys.executable, "-m", "twin.cli", "run", config, "--step", step, "--out", str(out)],
        cwd=root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--config", default="configs/reference_factory.toml")
    parser.add_argument("--step", default="1h")
    parser.add_argument("--rtol", type=float, default=1e-9)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="check-unchanged-"))
    new = _run(ROOT, args.config, args.step, tmp / "new")
    old = _run(args.base.resolve(), args.config, args.step, tmp / "old")
    a = pd.read_parquet(new / "hourly.parquet")
    b = pd.read_parquet(old / "hourly.parquet")
    problems = []
    if list(a.columns) != list(b.columns):
        problems.append(f"columns differ: {sorted(set(a.columns) ^ set(b.columns))}")
    if not a.index.equals(b.index):
        problems.append("index differs")
    worst, where = 0.0, ""
    for col in [c for c in a.columns if c in b.columns]:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype.kind not in "fiu":
            if not np.array_equal(x, y):
                problems.append(f"{col}: values differ")
            continue
        x, y = x.astype(np.float64), y.astype(np.float64)
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        rel = np.where(same, 0.0, np.abs(x - y) / np.maximum(np.abs(y), 1e-300))
        if rel.max(initial=0.0) > worst:
            worst, where = float(rel.max()), col
    if worst > args.rtol:
        problems.append(f"largest relative difference {worst:.3g} in {where} > {args.rtol:g}")
    csv = pd.read_csv(new / "hourly.csv", index_col=0)
    num = b.select_dtypes("number")
    base_values = num.to_numpy()
    err = np.abs(csv[num.columns].to_numpy() - base_values)
    csv_err = float(np.nanmax(err, initial=0.0))
    # half the last decimal, plus the binary rounding of the value read back
    allowed = 0.5e-6 + 4 * np.spacing(np.abs(np.nan_to_num(base_values)))
    if np.any(err > allowed):
        problems.append(f"hourly.csv differs from the base by {csv_err:.3g} (> 0.5e-6)")
    print(
        f"{args.config} at {args.step}: {len(a.columns)} columns x {len(a)} hours; largest "
        f"relative difference {worst:.3g}{f' ({where})' if where else ''}; hourly.csv within "
        f"{csv_err:.3g} of the base's values"
    )
    for p in problems:
        print(f"  DIFFERENT: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
