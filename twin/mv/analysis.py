"""One M&V case from meter to verdict: the orchestration behind ``twin mv``.

Read the meter and the drivers, form the baseline and reporting
observations, fit (or choose) the baseline model, compute the Guideline 14
statistics, avoided energy with its uncertainty (Option C), normalised
savings, non-routine adjustments, carbon, Option D when asked, and the
verdict on the claim; :meth:`MvResult.write` puts ``mv.json`` and the
baseline-vs-actual series in a folder atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin._atomic import atomic_dir
from twin._version import __version__
from twin.errors import ConfigError
from twin.mv.carbon import carbon_savings
from twin.mv.case import MvCase, MvSpec, Period, load_case
from twin.mv.changepoint import fit_change_point, select_model
from twin.mv.drivers import PeriodData, daily_mean, read_driver, read_temperature
from twin.mv.meters import MeterData, MeterIssue, read_meter, shift_local, to_periods
from twin.mv.option_c import Savings, avoided_energy, normalised_savings
from twin.mv.stats import EffectiveDofError, criterion, fit_statistics
from twin.mv.towt import fit_towt

__all__ = ["MvResult", "analyse_case", "run_case"]


@dataclass
class MvResult:
    """Everything ``twin mv`` reports.

    Attributes
    ----------
    report : dict
        The content of ``mv.json``.
    series : pandas.DataFrame
        One row per observation (hour, day or bill) of both periods:
        metered, baseline model, adjustment and savings [kWh].
    """

    report: dict[str, Any]
    series: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def write(self, out_dir: str | Path) -> Path:
        """Write ``mv.json`` and ``series.csv`` into ``out_dir`` atomically."""
        with atomic_dir(out_dir) as tmp:
            (tmp / "mv.json").write_text(
                json.dumps(_clean(self.report), indent=2, ensure_ascii=False, allow_nan=False),
                encoding="utf-8",
            )
            self.series.to_csv(tmp / "series.csv", index=False)
        return Path(out_dir)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date | pd.Timestamp):
        return value.isoformat()
    return value


def _ts(day: dt.date, tz: str) -> pd.Timestamp:
    return pd.Timestamp(day).tz_localize(tz)


def _in_period(
    start: pd.DatetimeIndex, end: pd.DatetimeIndex, period: Period, tz: str
) -> np.ndarray:
    return np.asarray((start >= _ts(period.start, tz)) & (end <= _ts(period.end, tz)))


def _overlap_days(
    start: pd.DatetimeIndex, end: pd.DatetimeIndex, a: dt.date, b: dt.date, tz: str
) -> np.ndarray:
    lo = np.maximum(start.as_unit("ns").asi8, _ts(a, tz).as_unit("ns").value)
    hi = np.minimum(end.as_unit("ns").asi8, _ts(b, tz).as_unit("ns").value)
    return np.maximum(hi - lo, 0) / 86400e9


@dataclass
class _Observations:
    """Observations of both periods before the split."""

    start: pd.DatetimeIndex
    end: pd.DatetimeIndex
    energy_kwh: np.ndarray


def _observations(
    mv: MvSpec, meter: MeterData, issues: list[MeterIssue], label: str
) -> _Observations:
    if mv.granularity == "monthly":
        if meter.kind == "bills":
            b = meter.bills
            return _Observations(
                pd.DatetimeIndex(b["start"]),
                pd.DatetimeIndex(b["end"]),
                b["energy_kwh"].to_numpy(float),
            )
        daily = to_periods(meter, "D", issues)
        months = (
            daily.index.to_period("M")
            if daily.index.tz is None
            else daily.index.tz_localize(None).to_period("M")
        )
        grouped = daily["energy_kwh"].groupby(np.asarray(months))
        count = grouped.count()
        full = [p for p in count.index if count[p] == p.days_in_month]
        if len(full) < len(count):
            issues.append(
                MeterIssue(
                    "incomplete_month",
                    len(count) - len(full),
                    f"{len(count) - len(full)} calendar month(s) without every day; dropped",
                )
            )
        tz = daily.index.tz
        start = pd.DatetimeIndex([p.start_time for p in full]).tz_localize(tz)
        end = pd.DatetimeIndex([(p + 1).start_time for p in full]).tz_localize(tz)
        return _Observations(start, end, grouped.sum()[full].to_numpy(float))
    if meter.kind == "bills":
        msg = (
            f"{label}: mv.granularity: the meter file holds bills (start and end dates); "
            f'they cannot be analysed {mv.granularity!r}; use granularity = "monthly"'
        )
        raise ConfigError(msg)
    freq = "D" if mv.granularity == "daily" else "h"
    if mv.granularity == "hourly" and meter.step > pd.Timedelta(hours=1):
        msg = f"{label}: mv.granularity: 'hourly' needs readings of an hour or shorter, got {meter.interval_name}"
        raise ConfigError(msg)
    per = to_periods(meter, freq, issues)
    start = pd.DatetimeIndex(per.index)
    end = shift_local(start, pd.Timedelta(days=1) if freq == "D" else pd.Timedelta(hours=1))
    return _Observations(start, end, per["energy_kwh"].to_numpy(float))


def _check_coverage(
    mv: MvSpec, which: str, period: Period, covered_days: float, label: str
) -> None:
    need = (
        mv.min_coverage_frac
        if mv.min_coverage_frac is not None
        else criterion("min_coverage", "daily").value
    )
    share = covered_days / period.days
    if share < need:
        msg = (
            f"{label}: mv.{which}: only {covered_days:.0f} of the period's {period.days} days "
            f"({share:.0%}) have meter, temperature and driver data; need {need:.0%} (CalTRACK 2.0 §2.2.1.2; "
            f"check the period's dates against the meter file, or set mv.min_coverage_frac)"
        )
        raise ConfigError(msg)


def _adjustment_per_obs(
    mv: MvSpec, start: pd.DatetimeIndex, end: pd.DatetimeIndex, tz: str
) -> np.ndarray:
    out = np.zeros(len(start))
    for a in mv.adjustment:
        if a.action != "adjust":
            continue
        days = (a.end - a.start).days
        out += a.energy_kwh * _overlap_days(start, end, a.start, a.end, tz) / days
    return out


def _excluded(mv: MvSpec, start: pd.DatetimeIndex, end: pd.DatetimeIndex, tz: str) -> np.ndarray:
    drop = np.zeros(len(start), bool)
    for a in mv.adjustment:
        if a.action == "exclude":
            drop |= _overlap_days(start, end, a.start, a.end, tz) > 0
    return drop


def _g14_checks(interval: str, cv: float, nmbe_value: float) -> list[dict[str, Any]]:
    key = "monthly" if interval == "monthly" else "hourly"
    out = []
    for name, value in (("cvrmse_max", abs(cv)), ("nmbe_abs_max", abs(nmbe_value))):
        c = criterion(name, key)
        out.append(
            {
                "statistic": name.replace("_abs_max", "").replace("_max", ""),
                "data": interval,
                "value": value,
                "limit": c.value,
                "criterion_interval": key,
                "passes": value <= c.value,
                "source": c.source,
            }
        )
    return out


def _monthly_stats(
    start: pd.DatetimeIndex, actual: np.ndarray, pred: np.ndarray
) -> tuple[float, float, int]:
    months = np.asarray(start.tz_localize(None).to_period("M"))
    frame = pd.DataFrame({"m": months, "a": actual, "p": pred}).groupby("m").sum()
    st = fit_statistics(frame["a"].to_numpy(), frame["p"].to_numpy(), 1)
    return st.cvrmse, st.nmbe, len(frame)


def _claim(mv: MvSpec, s: Savings) -> dict[str, Any] | None:
    if mv.claimed_kwh is None and mv.claimed_frac is None:
        return None
    claimed = mv.claimed_kwh if mv.claimed_kwh is not None else mv.claimed_frac * s.baseline_kwh
    lo, hi = s.interval()
    c = mv.confidence
    if not s.meets_guideline_14():
        verdict = "inconclusive"
        reason = (
            f"the savings uncertainty is {s.fsu_68:.0%} of the savings at 68 % confidence, above the 50 % "
            "Guideline 14 allows, so the meter cannot confirm or refute the claim"
        )
    elif claimed > hi:
        verdict = "not supported"
        reason = (
            f"the claimed {claimed:,.0f} kWh exceeds the upper end of the {c:.0%} savings interval "
            f"({lo:,.0f} to {hi:,.0f} kWh)"
        )
    elif claimed < lo:
        verdict = "supported"
        reason = f"the verified savings exceed the claimed {claimed:,.0f} kWh even at the lower end of the {c:.0%} interval"
    else:
        verdict = "supported"
        reason = f"the claimed {claimed:,.0f} kWh lies within the {c:.0%} savings interval ({lo:,.0f} to {hi:,.0f} kWh)"
    return {
        "claimed_kwh": claimed,
        "claimed_frac": claimed / s.baseline_kwh,
        "verdict": verdict,
        "reason": reason,
    }


def _savings_verdict(s: Savings) -> str:
    lo, _ = s.interval()
    if s.savings_kwh <= 0 or lo <= 0:
        return (
            f"no significant savings: the {s.confidence:.0%} interval of avoided energy "
            f"({lo:,.0f} to {s.interval()[1]:,.0f} kWh) includes zero"
        )
    if not s.meets_guideline_14():
        return (
            f"savings positive but too uncertain: FSU {s.fsu_68:.0%} at 68 % confidence, above the 50 % "
            "of Guideline 14"
        )
    return (
        f"savings verified: {s.savings_kwh:,.0f} kWh ({s.savings_frac:.1%}), {s.confidence:.0%} interval "
        f"{lo:,.0f} to {s.interval()[1]:,.0f} kWh, FSU {s.fsu:.1%}"
    )


def _normal_period_data(
    mv: MvSpec, base_dir: Path, label: str, tz: str, rep: PeriodData, base: PeriodData
) -> PeriodData:
    """Typical-year observations: the normal weather on the reporting year's days (or months)."""
    year = mv.reporting.start.year
    temp, _ = read_temperature(
        mv.normal, base_dir=base_dir, label=label, tz=tz, years=[year], field_name="mv.normal"
    )
    tdaily = daily_mean(temp)
    days = pd.date_range(
        _ts(dt.date(year, 1, 1), tz), _ts(dt.date(year + 1, 1, 1), tz), freq="D", inclusive="left"
    )
    drivers = {}
    for name in rep.drivers:
        by_md = {}
        for source in (base, rep):  # reporting values win where both exist
            for d, v in zip(source.day_index, source.drivers[name], strict=True):
                by_md[(d.month, d.day)] = v
        mean = float(np.mean(rep.drivers[name]))
        drivers[name] = pd.Series([by_md.get((d.month, d.day), mean) for d in days], index=days)
    if mv.granularity == "monthly":
        months = pd.date_range(days[0], periods=13, freq="MS")
        start, end = months[:-1], months[1:]
    else:
        start, end = days, shift_local(days, pd.Timedelta(days=1))
    th = temp if mv.degree_days == "hourly" else None
    return PeriodData.build(
        start, end, np.full(len(start), np.nan), tdaily, drivers, temp_hourly=th
    )


def analyse_case(case: MvCase, *, label: str, base_dir: Path) -> MvResult:
    """Run one case (see the module docstring)."""
    mv = case.mv
    issues: list[MeterIssue] = []
    warnings: list[str] = []
    meter = read_meter(mv.meter, base_dir=base_dir, label=label)
    issues.extend(meter.issues)
    tz = mv.meter.timezone
    years = list(
        range(
            min(mv.baseline.start.year, mv.reporting.start.year),
            max(mv.baseline.end.year, mv.reporting.end.year) + 1,
        )
    )
    obs = _observations(mv, meter, issues, label)
    hourly = mv.granularity == "hourly"
    if mv.temperature is not None:
        temp_h, temp_source = read_temperature(
            mv.temperature, base_dir=base_dir, label=label, tz=tz, years=years
        )
    else:
        temp_h, temp_source = None, None
    drivers = {
        d.name: read_driver(
            d,
            base_dir=base_dir,
            label=label,
            tz=tz,
            field_name=f"mv.driver[{i}]",
            freq="h" if hourly else "D",
        )
        for i, d in enumerate(mv.driver)
    }
    excluded = _excluded(mv, obs.start, obs.end, tz)
    in_base = _in_period(obs.start, obs.end, mv.baseline, tz) & ~excluded
    in_rep = _in_period(obs.start, obs.end, mv.reporting, tz) & ~excluded
    if excluded.any():
        warnings.append(
            f"{int(excluded.sum())} observation(s) excluded by the non-routine register"
        )
    try:
        if hourly:
            result = _analyse_hourly(
                mv, obs, in_base, in_rep, temp_h, drivers, tz, label, issues, warnings
            )
        else:
            result = _analyse_periods(
                mv, obs, in_base, in_rep, temp_h, drivers, tz, label, base_dir, issues, warnings
            )
    except EffectiveDofError as exc:
        msg = f'{label}: mv.fsu_form: {exc} in the "effective_dof" form; use fsu_form = "scaled"'
        raise ConfigError(msg) from None
    report, series, savings = result
    report["claim"] = _claim(mv, savings)
    report["verdict"] = _savings_verdict(savings)
    if mv.carbon is not None:
        carrier = "natural_gas" if mv.meter.unit == "Nm3" else "electricity"
        try:
            report["carbon"] = carbon_savings(
                savings.savings_kwh,
                savings.interval(),
                carrier=carrier,
                province=mv.carbon.province,
                year=mv.carbon.year,
                reporting_year=mv.reporting.start.year,
            ).as_dict()
        except ValueError as exc:
            msg = f"{label}: mv.carbon: {exc}"
            raise ConfigError(msg) from None
    if mv.option_d is not None:
        from twin.mv.option_d import run_option_d

        report["option_d"] = run_option_d(
            mv,
            base_dir=base_dir,
            label=label,
            obs_start=obs.start,
            obs_end=obs.end,
            energy_kwh=obs.energy_kwh,
            in_base=in_base,
            in_rep=in_rep,
            tz=tz,
            adjustments=lambda start, end: _adjustment_per_obs(mv, start, end, tz),
        )
    report.update(
        {
            "name": mv.name,
            "description": mv.description,
            "granularity": mv.granularity,
            "baseline_period": [mv.baseline.start, mv.baseline.end],
            "reporting_period": [mv.reporting.start, mv.reporting.end],
            "meter": {
                "source": meter.source,
                "sha256": meter.sha256,
                "unit": meter.unit,
                "interval": meter.interval_name,
                "issues": [i.as_dict() for i in issues],
            },
            "temperature_source": temp_source,
            "adjustments": [a.model_dump(mode="json") for a in mv.adjustment],
            "warnings": warnings,
            "provenance": {
                "package": "factory-twin",
                "version": __version__,
                "case": label,
                "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        }
    )
    order = [
        "name",
        "description",
        "verdict",
        "claim",
        "granularity",
        "baseline_period",
        "reporting_period",
        "model",
        "selection",
        "baseline_statistics",
        "guideline_14",
        "savings",
        "normalised_savings",
        "adjustments",
        "carbon",
        "option_d",
        "meter",
        "temperature_source",
        "warnings",
        "provenance",
    ]
    report = {k: report[k] for k in order if k in report} | {
        k: v for k, v in report.items() if k not in order
    }
    return MvResult(report, series, warnings)


def _analyse_periods(
    mv, obs, in_base, in_rep, temp_h, drivers, tz, label, base_dir, issues, warnings
):
    if temp_h is not None:
        tdaily = daily_mean(temp_h)
    else:  # no temperature: a constant column keeps the degree-day machinery uniform
        days = pd.date_range(obs.start.min(), obs.end.max(), freq="D", inclusive="left")
        tdaily = pd.Series(0.0, index=days)
    what = "bill" if mv.granularity == "monthly" else "day"
    th = temp_h if (temp_h is not None and mv.degree_days == "hourly") else None
    base = PeriodData.build(
        obs.start[in_base],
        obs.end[in_base],
        obs.energy_kwh[in_base],
        tdaily,
        drivers,
        issues,
        what,
        temp_hourly=th,
    )
    rep = PeriodData.build(
        obs.start[in_rep],
        obs.end[in_rep],
        obs.energy_kwh[in_rep],
        tdaily,
        drivers,
        issues,
        what,
        temp_hourly=th,
    )
    _check_coverage(mv, "baseline", mv.baseline, float(base.days.sum()), label)
    _check_coverage(mv, "reporting", mv.reporting, float(rep.days.sum()), label)
    names = list(drivers)
    if mv.model == "auto":
        kinds = ("1p", "2p", "3ph", "3pc", "4p", "5p") if temp_h is not None else ("1p",)
        chosen, cands, why = select_model(base, names, kinds, mv.balance_points_c)
    else:
        chosen = fit_change_point(base, mv.model, names, mv.balance_points_c)
        cands, why = [chosen], f"{mv.model.upper()} named in the case file"
        if chosen.model is None:
            msg = f"{label}: mv.model: {mv.model!r} cannot be fitted: {'; '.join(chosen.reasons)}"
            raise ConfigError(msg)
        if not chosen.qualified:
            warnings.append(
                f"the chosen {mv.model.upper()} would not qualify: {'; '.join(chosen.reasons)}"
            )
    if chosen.kind == "1p" and not names:
        warnings.append(
            "intercept-only baseline: no temperature model qualified and no driver was given"
        )
    model, st = chosen.model, chosen.stats
    for d in names:
        if abs(model.t_stats[d]) < 2.0:
            warnings.append(
                f"driver {d!r} not significant in the baseline (|t| = {abs(model.t_stats[d]):.2f})"
            )
    pred_base = model.predict_kwh(base)
    pred_rep = model.predict_kwh(rep)
    adj = _adjustment_per_obs(mv, rep.start, rep.end, tz)
    savings = avoided_energy(
        predicted_kwh=pred_rep,
        actual_kwh=rep.energy_kwh,
        adjustments_kwh=adj,
        cv=st.cvrmse,
        n=base.n,
        n_params=model.n_params,
        rho=st.rho,
        confidence=mv.confidence,
        form=mv.fsu_form,
    )
    interval = "monthly" if mv.granularity == "monthly" else "daily"
    checks = _g14_checks(interval, st.cvrmse, st.nmbe)
    if interval == "daily":
        mcv, mnmbe, nm = _monthly_stats(base.start, base.energy_kwh, pred_base)
        checks += [dict(c, data=f"monthly sums ({nm})") for c in _g14_checks("monthly", mcv, mnmbe)]
    report: dict[str, Any] = {
        "model": model.as_dict() | {"description": model.describe(), "drivers": names},
        "selection": {"reason": why, "candidates": [c.as_dict() for c in cands]},
        "baseline_statistics": st.as_dict(),
        "guideline_14": checks,
        "savings": savings.as_dict()
        | {"reporting_observations": rep.n, "baseline_observations": base.n},
    }
    if mv.normal is not None:
        norm = _normal_period_data(mv, base_dir, label, tz, rep, base)
        # the reporting model sees the reporting period without its non-routine energy
        rep_fit = fit_change_point(
            dataclasses.replace(rep, energy_kwh=rep.energy_kwh - adj),
            chosen.kind,
            names,
            mv.balance_points_c,
        )
        if rep_fit.model is None:
            warnings.append(
                "normalised savings not computed: the reporting-period model cannot be fitted"
            )
        else:
            ns = normalised_savings(
                baseline_norm_kwh=model.predict_kwh(norm),
                reporting_norm_kwh=rep_fit.model.predict_kwh(norm),
                baseline_fit=(st.cvrmse, base.n, model.n_params, st.rho),
                reporting_fit=(
                    rep_fit.stats.cvrmse,
                    rep.n,
                    rep_fit.model.n_params,
                    rep_fit.stats.rho,
                ),
                confidence=mv.confidence,
                form=mv.fsu_form,
            )
            report["normalised_savings"] = ns.as_dict() | {
                "reporting_model": rep_fit.model.as_dict(),
                "typical_year_observations": norm.n,
                "conditions": "typical-year temperature; drivers of the reporting period by calendar day",
            }
    series = pd.concat(
        [
            _series_frame("baseline", base, pred_base, np.zeros(base.n)),
            _series_frame("reporting", rep, pred_rep, adj),
        ],
        ignore_index=True,
    )
    return report, series, savings


def _series_frame(period: str, data: PeriodData, pred: np.ndarray, adj: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "start": data.start.tz_localize(None),
            "end": data.end.tz_localize(None),
            "period": period,
            "days": data.days,
            "temp_mean_c": data.temp_mean_c(),
            "actual_kwh": data.energy_kwh,
            "baseline_kwh": pred,
            "adjustment_kwh": adj,
            "savings_kwh": pred + adj - data.energy_kwh if period == "reporting" else np.nan,
        }
    )
    for name, values in data.drivers.items():
        frame[name] = data.per_day(values) * data.days
    return frame


def _analyse_hourly(mv, obs, in_base, in_rep, temp_h, drivers, tz, label, issues, warnings):
    if temp_h is None:
        msg = f"{label}: mv.temperature: TOWT needs a temperature source"
        raise ConfigError(msg)
    frame = pd.DataFrame({"energy_kwh": obs.energy_kwh}, index=obs.start)
    frame["temp_c"] = temp_h.reindex(obs.start).to_numpy()
    for name, s in drivers.items():
        frame[name] = s.reindex(obs.start).to_numpy()
    complete = frame.notna().all(axis=1).to_numpy()
    if (~complete).any():
        issues.append(
            MeterIssue(
                "missing_driver",
                int((~complete).sum()),
                f"{int((~complete).sum())} hour(s) without temperature or driver data; dropped",
            )
        )
    b, r = in_base & complete, in_rep & complete
    _check_coverage(mv, "baseline", mv.baseline, b.sum() / 24.0, label)
    _check_coverage(mv, "reporting", mv.reporting, r.sum() / 24.0, label)
    names = list(drivers)
    fb, fr = frame[b], frame[r]
    model, st = fit_towt(
        fb.index,
        fb["energy_kwh"].to_numpy(),
        fb["temp_c"].to_numpy(),
        {n: fb[n].to_numpy() for n in names},
    )
    pred_b = model.predict_kwh(
        fb.index, fb["temp_c"].to_numpy(), {n: fb[n].to_numpy() for n in names}
    )
    pred_r = model.predict_kwh(
        fr.index, fr["temp_c"].to_numpy(), {n: fr[n].to_numpy() for n in names}
    )
    end_r = shift_local(fr.index, pd.Timedelta(hours=1))
    adj = _adjustment_per_obs(mv, fr.index, end_r, tz)
    savings = avoided_energy(
        predicted_kwh=pred_r,
        actual_kwh=fr["energy_kwh"].to_numpy(),
        adjustments_kwh=adj,
        cv=st.cvrmse,
        n=int(b.sum()),
        n_params=model.n_params,
        rho=st.rho,
        confidence=mv.confidence,
        form=mv.fsu_form,
    )
    checks = _g14_checks("hourly", st.cvrmse, st.nmbe)
    mcv, mnmbe, nm = _monthly_stats(fb.index, fb["energy_kwh"].to_numpy(), pred_b)
    checks += [dict(c, data=f"monthly sums ({nm})") for c in _g14_checks("monthly", mcv, mnmbe)]
    if mv.normal is not None:
        warnings.append(
            "normalised savings are computed for change-point models only, not for TOWT"
        )
    report = {
        "model": model.as_dict() | {"description": "TOWT (time of week and temperature)"},
        "selection": {
            "reason": "hourly data: TOWT (CalTRACK 2.0 hourly method, one model for the baseline)",
            "candidates": [],
        },
        "baseline_statistics": st.as_dict(),
        "guideline_14": checks,
        "savings": savings.as_dict()
        | {"reporting_observations": int(r.sum()), "baseline_observations": int(b.sum())},
    }
    parts = []
    for period, f, pred, a in (
        ("baseline", fb, pred_b, np.zeros(len(fb))),
        ("reporting", fr, pred_r, adj),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "start": f.index.tz_localize(None),
                    "period": period,
                    "temp_c": f["temp_c"].to_numpy(),
                    "actual_kwh": f["energy_kwh"].to_numpy(),
                    "baseline_kwh": pred,
                    "adjustment_kwh": a,
                    "savings_kwh": pred + a - f["energy_kwh"].to_numpy()
                    if period == "reporting"
                    else np.nan,
                }
            )
        )
    return report, pd.concat(parts, ignore_index=True), savings


def run_case(path: str | Path) -> MvResult:
    """Load and analyse a case file (what ``twin mv CASE`` does before writing)."""
    case, label, base_dir = load_case(path)
    return analyse_case(case, label=label, base_dir=base_dir)
