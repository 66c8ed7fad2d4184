"""IPMVP Option D: the twin calibrated to the baseline meter, with and without the measure.

Which values of the uncertain plant parameters make the twin reproduce the
baseline meter, and what does the calibrated twin then say the measure
saves? The named config parameters are fitted by bounded least squares
(``scipy.optimize.least_squares``, trust-region reflective) on the
normalised residuals of the baseline observations; the calibration is
judged against the Guideline 14 limits (NMBE and CV(RMSE), monthly and,
for hourly meters, hourly); savings are the calibrated twin over the
reporting period without the measure minus with it (IPMVP Option D), beside
the calibrated twin without the measure minus the meter.

Each year the periods touch is one twin run (the twin simulates calendar
years, on the weather its config names). Guideline 14 gives no formula for
the uncertainty of calibrated-simulation savings; none is invented here.

References
----------
.. [1] EVO, IPMVP Core Concepts (EVO 10000-1), Option D.
.. [2] ASHRAE Guideline 14-2014, section 5.3 (calibrated simulation).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from twin.config.loader import config_from_dict, set_path
from twin.errors import ConfigError
from twin.mv._files import read_toml, with_measure
from twin.mv.stats import criterion, cvrmse, nmbe

__all__ = ["run_option_d"]


def _obs_sums(hourly: pd.Series, start: pd.DatetimeIndex, end: pd.DatetimeIndex) -> np.ndarray:
    """Sum of an hourly series over each [start, end) [kWh]."""
    cum = np.concatenate([[0.0], np.cumsum(hourly.to_numpy(dtype=float))])
    idx = hourly.index
    i0 = idx.searchsorted(start)
    i1 = idx.searchsorted(end)
    return cum[i1] - cum[i0]


class _Twin:
    """Runs of one plant config per (parameters, year, measure), memoised."""

    def __init__(
        self, raw: dict[str, Any], spec, label: str, base_dir: Path, tz: str, case_dir: Path
    ) -> None:
        self.raw, self.spec, self.label, self.base_dir, self.tz = raw, spec, label, base_dir, tz
        self.case_dir = case_dir
        self.cache: dict[tuple, pd.Series] = {}
        self.runs = 0

    def _patched(self, x: np.ndarray, year: int, measure: bool) -> dict[str, Any]:
        raw = copy.deepcopy(self.raw)
        raw.setdefault("simulation", {})["year"] = year
        if year in self.spec.weather:  # the weather the meter saw that year
            target = self.spec.weather[year]
            section = {
                k: v for k, v in dict(raw.get("weather", {})).items() if k not in ("site", "file")
            }
            p = Path(target)
            if p.suffix.lower() in (".epw", ".gz", ".csv"):
                section["file"] = str(p if p.is_absolute() else (self.case_dir / p).resolve())
            else:
                section["site"] = target
            raw["weather"] = section
        for p, value in zip(self.spec.parameters, x, strict=True):
            raw = set_path(
                raw, p.path, float(value), label=self.label, what="mv.option_d.parameters"
            )
        if measure:
            raw = with_measure(
                raw, self.spec.measures, self.spec.patches, label=self.label, where="mv.option_d"
            )
        return raw

    def hourly(self, x: np.ndarray, year: int, measure: bool) -> pd.Series:
        key = (tuple(np.round(x, 12)), year, measure)
        if key not in self.cache:
            from twin.run import run

            raw = self._patched(x, year, measure)
            config = config_from_dict(
                raw, source=f"{self.label}: mv.option_d.config", base_dir=self.base_dir
            )
            results = run(config)
            self.runs += 1
            frame = results.hourly
            if self.spec.quantity not in frame.columns:
                known = ", ".join(c for c in frame.columns if c.endswith("_kw"))
                msg = (
                    f"{self.label}: mv.option_d.quantity: {self.spec.quantity!r} is not an hourly output of the "
                    f"twin; power outputs: {known}"
                )
                raise ConfigError(msg)
            s = frame[self.spec.quantity]
            self.cache[key] = pd.Series(s.to_numpy(dtype=float), index=s.index.tz_convert(self.tz))
        return self.cache[key]

    def obs(
        self, x: np.ndarray, start: pd.DatetimeIndex, end: pd.DatetimeIndex, measure: bool
    ) -> np.ndarray:
        years = sorted({t.year for t in start} | {(t - pd.Timedelta(seconds=1)).year for t in end})
        series = pd.concat([self.hourly(x, y, measure) for y in years]).sort_index()
        return _obs_sums(series, start, end)


def _checks(
    actual: np.ndarray, model: np.ndarray, start: pd.DatetimeIndex, hourly: bool
) -> list[dict[str, Any]]:
    out = []
    months = np.asarray(start.tz_localize(None).to_period("M"))
    frame = pd.DataFrame({"m": months, "a": actual, "p": model}).groupby("m").sum()
    sets = [("monthly", frame["a"].to_numpy(), frame["p"].to_numpy())]
    if hourly:
        sets.append(("hourly", actual, model))
    for interval, a, p in sets:
        for name, value in (
            ("cvrmse_max", abs(cvrmse(a, p, 1))),
            ("nmbe_abs_max", abs(nmbe(a, p, 1))),
        ):
            c = criterion(name, interval)
            out.append(
                {
                    "statistic": name.replace("_abs_max", "").replace("_max", ""),
                    "data": interval,
                    "n": int(a.size),
                    "value": value,
                    "limit": c.value,
                    "passes": bool(value <= c.value),
                    "source": c.source,
                }
            )
    return out


def run_option_d(
    mv,
    *,
    base_dir: Path,
    label: str,
    obs_start: pd.DatetimeIndex,
    obs_end: pd.DatetimeIndex,
    energy_kwh: np.ndarray,
    in_base: np.ndarray,
    in_rep: np.ndarray,
    tz: str,
    adjustments=None,
) -> dict[str, Any]:
    """Calibrate, check and compute Option D savings (see the module docstring).

    Parameters
    ----------
    adjustments : callable, optional
        ``(start, end) -> array``: the non-routine register's energy per
        reporting observation [kWh], added to the twin's baseline in the
        cross-check against the meter.

    Returns
    -------
    dict
        ``parameters`` (initial, calibrated, bounds), ``calibration``
        (Guideline 14 checks), ``savings_kwh`` and the sums behind it,
        ``runs`` (twin simulations made).
    """
    spec = mv.option_d
    path = Path(spec.config) if Path(spec.config).is_absolute() else base_dir / spec.config
    raw = read_toml(
        path, label=label, where="mv.option_d.config", missing=f"plant config {path} not found"
    )
    twin = _Twin(raw, spec, label, path.parent, tz, base_dir)
    ok = np.isfinite(energy_kwh)
    bs, be, ba = obs_start[in_base & ok], obs_end[in_base & ok], energy_kwh[in_base & ok]
    rs, re_, ra = obs_start[in_rep & ok], obs_end[in_rep & ok], energy_kwh[in_rep & ok]
    lo = np.array([p.min for p in spec.parameters])
    hi = np.array([p.max for p in spec.parameters])
    x0 = np.array(
        [p.initial if p.initial is not None else 0.5 * (p.min + p.max) for p in spec.parameters]
    )
    scale = float(np.mean(ba))

    def residuals(x: np.ndarray) -> np.ndarray:
        return (twin.obs(x, bs, be, False) - ba) / scale

    fit = least_squares(
        residuals,
        x0,
        bounds=(lo, hi),
        x_scale=hi - lo,
        diff_step=0.02,
        max_nfev=spec.max_evaluations,
    )
    hourly = mv.granularity == "hourly"
    model_base = twin.obs(fit.x, bs, be, False)
    without = twin.obs(fit.x, rs, re_, False)
    with_kwh = twin.obs(fit.x, rs, re_, True)
    checks = _checks(ba, model_base, bs, hourly)
    adj = adjustments(rs, re_) if adjustments is not None else np.zeros(len(rs))
    return {
        "parameters": [
            {
                "path": p.path,
                "initial": float(a),
                "calibrated": float(b),
                "min": p.min,
                "max": p.max,
            }
            for p, a, b in zip(spec.parameters, x0, fit.x, strict=True)
        ],
        "calibration": checks,
        "calibrated": all(c["passes"] for c in checks),
        "optimiser": {
            "method": "scipy least_squares (trf)",
            "status": int(fit.status),
            "message": fit.message,
            "evaluations": int(fit.nfev),
        },
        "reporting_without_measure_kwh": float(without.sum()),
        "reporting_with_measure_kwh": float(with_kwh.sum()),
        "savings_kwh": float(without.sum() - with_kwh.sum()),
        "metered_reporting_kwh": float(ra.sum()),
        "adjustments_kwh": float(adj.sum()),
        "avoided_vs_meter_kwh": float(without.sum() + adj.sum() - ra.sum()),
        "runs": twin.runs,
        "note": "Guideline 14 gives no uncertainty formula for calibrated-simulation savings; none is reported",
    }
