"""Time of the M&V baselines: an hourly TOWT fit of one year, a daily change-point choice.

TOWT: one year (8,784 hours of 2024) of the audit case's hourly meter and temperature, fitted
by :func:`twin.mv.fit_towt` (hour-of-week indicators partialled out), beside the same least
squares solved the textbook way in the same process (``numpy.linalg.lstsq`` on the full
168 + 14 column design): the ratio and the largest difference in fitted values are printed.
Change points: :func:`twin.mv.select_model` (1P to 5P with a production regressor) on the
audit case's 366 baseline days, first call and repeated call (cached normal equations).

Usage: ``python benchmarks/bench_mv.py [--repeat N]``. Medians; the machine may be shared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AUDIT = ROOT / "experiments" / "mv" / "audit_reference_factory"
TZ = "Asia/Shanghai"


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    from twin.mv import PeriodData, fit_towt, select_model
    from twin.mv.changepoint import _SYSTEMS, _TERMS
    from twin.mv.drivers import daily_mean

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    meter = pd.read_parquet(AUDIT / "meter_hourly.parquet")
    temp = pd.read_parquet(AUDIT / "temperature_hourly.parquet")
    index = pd.DatetimeIndex(meter["start"]).tz_localize(TZ)
    year = index.year == 2024
    idx, y, t = index[year], meter["energy_kwh"].to_numpy()[year], temp["temp_c"].to_numpy()[year]

    model, _ = fit_towt(idx, y, t)
    X = model.design(idx, t)
    full = np.linalg.lstsq(X, y, rcond=None)[0]
    ours = _median(lambda: fit_towt(idx, y, t), repeat)
    peer = _median(lambda: np.linalg.lstsq(X, y, rcond=None), repeat)
    diff = float(np.max(np.abs(X @ full - X @ model.coefficients)))
    print(
        f"TOWT, one year hourly ({y.size} h, {X.shape[1]} columns): fit_towt median {ours * 1e3:.1f} ms; "
        f"numpy lstsq on the full design {peer * 1e3:.1f} ms (ratio {ours / peer:.2f}); "
        f"largest difference in fitted values {diff:.2e} kWh"
    )

    truth = pd.read_csv(AUDIT / "truth.csv", parse_dates=["date"]).set_index("date")
    truth.index = truth.index.tz_localize(TZ)
    t_hourly = pd.Series(
        temp["temp_c"].to_numpy(), index=pd.DatetimeIndex(temp["time"]).tz_localize(TZ)
    )
    days = truth.index[truth.index.year == 2024]
    data = PeriodData.build(
        days,
        days + pd.Timedelta(days=1),
        truth.loc[days, "twin_kwh"].to_numpy(),
        daily_mean(t_hourly),
        {"production_units": truth["units"]},
    )

    def cold():
        _SYSTEMS.clear()
        _TERMS.clear()
        select_model(data, ["production_units"])

    first = _median(cold, repeat)
    again = _median(lambda: select_model(data, ["production_units"]), repeat)
    print(
        f"change-point choice, 366 days, 6 model types: first call {first * 1e3:.1f} ms, repeated "
        f"(cached normal equations) {again * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
