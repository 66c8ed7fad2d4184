"""Generate the audit case's meter data from the reference factory.

Run once from the repository root (``python experiments/mv/audit_reference_factory/make_data.py``);
the files it writes are committed, so the case runs without it. What it does:

- simulates ``configs/reference_factory.toml`` for 2024 (baseline, no measure, weather
  suzhou-tmyx), and for 2025 and 2026 with the retrofit package installed in January 2025
  (weather shanghai-cswd and nanjing-tmyx, standing in for other years' weather) and without it
  (the counterfactual, which makes the injected saving known);
- multiplies each day of the metered series by a seeded AR(1) factor (standard deviation
  ``NOISE_SIGMA_FRAC`` of the day's energy, lag-1 correlation ``NOISE_RHO``): the day-to-day
  variation a whole-factory meter shows beyond what production volume and weather explain
  (order changes, maintenance, occupancy). The same factor applies to every hour of a day, so
  the daily sums carry exactly the daily noise and a test can redraw it on ``truth.csv``
  cheaply, without simulating the plant again;
- writes ``meter_hourly.parquet`` (hourly kWh), ``temperature_hourly.parquet`` (the weather the
  twin used, °C), ``production_daily.csv`` (units produced by the three lines per day),
  ``bills.csv`` (calendar-month bills in MWh: 12 before, 12 after) and ``truth.csv`` (daily
  noiseless energy with and without the measure, the noise factor drawn and the non-routine
  load);
- adds a non-routine load (``NONROUTINE``) to the meter in September 2025, which the case's
  register adjusts for.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CONFIG = ROOT / "configs" / "reference_factory.toml"
SEED = 20250101
NOISE_SIGMA_FRAC = 0.03
NOISE_RHO = 0.6
YEARS = {2024: "suzhou-tmyx", 2025: "shanghai-cswd", 2026: "nanjing-tmyx"}
INSTALLED = pd.Timestamp("2025-01-01")
MEASURES = [
    {"measure": "leak_repair", "system": "compressor_room", "leak_frac": 0.10},
    {"measure": "pressure_reduction", "system": "compressor_room", "pressure_set_bar_g": 6.5},
    {"measure": "chiller_replacement", "name": "chillers", "rated_cop": 5.8},
    {"measure": "idle_to_standby", "line": "machining", "idle_to_standby_s": 300},
]
LINES = ("stamping", "machining", "assembly")
NONROUTINE = ("2025-09-01", "2025-10-01", 300.0)
"""A non-routine event in the reporting period: a rented test rig drawing 300 kW around the
clock for September 2025, added to the meter (216,000 kWh) and entered in the case's register."""


def ar1_factors(
    n: int, rng: np.random.Generator, sigma: float = NOISE_SIGMA_FRAC, rho: float = NOISE_RHO
) -> np.ndarray:
    """``n`` multiplicative daily factors ``1 + e_t``, ``e_t = rho e_(t-1) + u_t`` with a
    stationary standard deviation ``sigma`` [-]."""
    u = rng.normal(0.0, sigma * np.sqrt(1.0 - rho**2), n)
    e = np.empty(n)
    e[0] = rng.normal(0.0, sigma)
    for t in range(1, n):
        e[t] = rho * e[t - 1] + u[t]
    return 1.0 + e


def _simulate(year: int, site: str, measures: list[dict]) -> pd.DataFrame:
    import tomllib

    from twin.config.loader import config_from_dict
    from twin.measures import apply_measure
    from twin.run import run

    raw = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    raw["simulation"]["year"] = year
    raw["weather"] = {
        k: v for k, v in raw.get("weather", {}).items() if k not in ("site", "file")
    } | {"site": site}
    for m in measures:
        raw, _ = apply_measure(
            raw, m, {"pv_degradation_frac_per_year": 0.005, "battery_fade_frac_per_year": 0.02}
        )
    h = run(config_from_dict(raw, source=str(CONFIG), base_dir=CONFIG.parent)).hourly
    return pd.DataFrame(
        {
            "energy_kwh": h["electricity_use_kw"].to_numpy(),  # hourly mean kW = kWh in the hour
            "units": sum(h[f"{line}.units_produced"].to_numpy() for line in LINES),
            "temp_c": h["temp_air_c"].to_numpy(),
        },
        index=h.index,
    )


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with_m, without = [], []
    for year, site in YEARS.items():
        without.append(_simulate(year, site, []))
        with_m.append(_simulate(year, site, MEASURES) if year >= INSTALLED.year else without[-1])
    base = pd.concat(without)
    metered = pd.concat(with_m)
    days = base.index.floor("D")
    daily = pd.DataFrame(
        {
            "counterfactual_kwh": base["energy_kwh"].groupby(days).sum(),
            "twin_kwh": metered["energy_kwh"].groupby(days).sum(),
            "units": metered["units"].groupby(days).sum(),
        }
    )
    rng = np.random.default_rng(SEED)
    daily["noise_factor"] = ar1_factors(len(daily), rng)
    factor = daily["noise_factor"].reindex(days).to_numpy()
    local = metered.index.tz_localize(None)
    rig = np.where(
        (local >= pd.Timestamp(NONROUTINE[0])) & (local < pd.Timestamp(NONROUTINE[1])),
        NONROUTINE[2],
        0.0,
    )
    daily["nonroutine_kwh"] = pd.Series(rig, index=days).groupby(level=0).sum()
    meter = pd.DataFrame(
        {"start": local, "energy_kwh": np.round(metered["energy_kwh"].to_numpy() * factor + rig, 1)}
    )
    meter.to_parquet(HERE / "meter_hourly.parquet", index=False)
    pd.DataFrame(
        {"time": metered.index.tz_localize(None), "temp_c": metered["temp_c"].round(2).to_numpy()}
    ).to_parquet(HERE / "temperature_hourly.parquet", index=False)
    local_days = daily.index.tz_localize(None)
    pd.DataFrame({"date": local_days.date, "units": daily["units"].round(1).to_numpy()}).to_csv(
        HERE / "production_daily.csv", index=False
    )
    truth = daily.copy()
    truth.index = local_days.date
    truth.index.name = "date"
    truth.round(4).to_csv(HERE / "truth.csv")
    metered_daily = meter.groupby(meter["start"].dt.floor("D"))["energy_kwh"].sum()
    months = pd.period_range("2024-01", "2026-12", freq="M")
    bills = []
    for p in months:
        if p == pd.Period("2025-01", "M"):
            continue  # installation month: no bill used
        if pd.Period("2025-02", "M") <= p <= pd.Period("2026-01", "M") or p.year == 2024:
            sel = (metered_daily.index >= p.start_time) & (metered_daily.index < (p + 1).start_time)
            bills.append(
                {
                    "start": p.start_time.date(),
                    "end": (p + 1).start_time.date(),
                    "energy_mwh": round(float(metered_daily[sel].sum()) / 1000.0, 3),
                }
            )
    pd.DataFrame(bills).to_csv(HERE / "bills.csv", index=False)
    rep = (truth.index >= pd.Timestamp("2025-02-01").date()) & (
        truth.index < pd.Timestamp("2026-02-01").date()
    )
    saving = float((truth["counterfactual_kwh"] - truth["twin_kwh"])[rep].sum())
    share = saving / truth["counterfactual_kwh"][rep].sum()
    text = f"injected saving over the reporting period 2025-02-01..2026-02-01: {saving:,.0f} kWh ({share:.2%})"
    print(text)  # noqa: T201


if __name__ == "__main__":
    main()
