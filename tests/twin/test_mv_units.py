"""Unit tests of twin.mv: meter checks, change-point fits and choice, uncertainty invariants,
adjustments, Option D calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import minimal_config
from twin.errors import ConfigError
from twin.mv import PeriodData, fit_change_point, select_model
from twin.mv.case import MeterSpec, MvSpec
from twin.mv.meters import read_meter, to_periods
from twin.mv.stats import effective_n, fractional_savings_uncertainty

TZ = "Asia/Shanghai"


def _meter(tmp_path, frame: pd.DataFrame, **spec) -> object:
    path = tmp_path / "meter.csv"
    frame.to_csv(path, index=False)
    fields = {"file": "meter.csv", "timestamp": "t", "value": "v"} | spec
    return read_meter(MeterSpec(**fields), base_dir=tmp_path, label="case.toml")


def _hourly(n=24 * 60, value=10.0):
    t = pd.date_range("2024-01-01", periods=n, freq="h")
    return pd.DataFrame({"t": t.strftime("%Y-%m-%d %H:%M"), "v": np.full(n, value)})


def test_units_converted_at_the_edge(tmp_path):
    frame = _hourly(48, 1.0)
    assert _meter(tmp_path, frame, unit="MWh").energy_kwh.iloc[0] == pytest.approx(1000.0)
    assert _meter(tmp_path, frame, unit="GJ").energy_kwh.iloc[0] == pytest.approx(
        277.7778, rel=1e-6
    )
    assert _meter(tmp_path, frame, unit="Nm3", lhv_kwh_per_m3=10.0).energy_kwh.iloc[
        0
    ] == pytest.approx(10.0)
    gas = _meter(tmp_path, frame, unit="Nm3").energy_kwh.iloc[0]
    assert gas == pytest.approx(389.31e3 / 1e4 / 3.6, rel=1e-6)  # GB/T 2589: 389.31 GJ per 10⁴ Nm³


def test_duplicates_negatives_gaps_and_spikes_reported(tmp_path):
    frame = _hourly()
    frame.loc[5, "v"] = -3.0
    frame.loc[100, "v"] = 500.0
    frame = pd.concat([frame, frame.iloc[[10]]]).drop(index=[200, 201, 202]).reset_index(drop=True)
    m = _meter(tmp_path, frame)
    kinds = {i.kind: i.count for i in m.issues}
    assert (
        kinds["negative"] == 1
        and kinds["duplicate"] == 1
        and kinds["gap"] == 3
        and kinds["spike"] == 1
    )
    assert np.isnan(m.energy_kwh.iloc[5])
    assert m.energy_kwh.iloc[100] == 500.0  # reported, kept by default
    removed = _meter(tmp_path, frame, spikes="remove")
    assert np.isnan(removed.energy_kwh.iloc[100])


def test_day_sums_follow_the_caltrack_fill_rule(tmp_path):
    frame = _hourly(24 * 3)
    frame = frame.drop(index=list(range(24, 24 + 6)) + list(range(48, 48 + 14))).reset_index(
        drop=True
    )
    m = _meter(tmp_path, frame)
    issues = []
    days = to_periods(m, "D", issues)
    # day 2: 6 of 24 hours missing -> filled (mean x 24); day 3: 14 missing (> 50 %) -> dropped
    assert list(days.index.day) == [1, 2]
    assert days["energy_kwh"].iloc[1] == pytest.approx(240.0)
    assert {i.kind for i in issues} == {"incomplete_period", "filled_period"}


def test_dst_ambiguous_local_times_reported(tmp_path):
    t = pd.date_range("2024-10-27 00:00", periods=6, freq="h")  # 02:00 occurs twice in Berlin
    frame = pd.DataFrame({"t": list(t.strftime("%Y-%m-%d %H:%M")) * 10, "v": 1.0})
    m = _meter(tmp_path, frame, timezone="Europe/Berlin")
    assert "dst_ambiguous_time" in {i.kind for i in m.issues}


def test_offsets_in_timestamps_are_kept(tmp_path):
    t = pd.date_range("2024-06-01", periods=48, freq="h", tz=TZ)
    frame = pd.DataFrame({"t": [x.isoformat() for x in t.tz_convert("UTC")], "v": 1.0})
    m = _meter(tmp_path, frame)
    assert m.energy_kwh.index[0] == t[0]


def test_end_labelled_readings_shift_back(tmp_path):
    m = _meter(tmp_path, _hourly(48), timestamp_label="end")
    assert m.energy_kwh.index[0] == pd.Timestamp("2023-12-31 23:00", tz=TZ)


def test_overlapping_bills_are_an_error(tmp_path):
    frame = pd.DataFrame(
        {"t": ["2024-01-01", "2024-01-25"], "e": ["2024-02-01", "2024-03-01"], "v": [1.0, 2.0]}
    )
    with pytest.raises(ConfigError, match="bills overlap"):
        _meter(tmp_path, frame, end="e")


def _daily(temps: np.ndarray, energy: np.ndarray, drivers=None) -> PeriodData:
    start = pd.date_range("2024-01-01", periods=temps.size, freq="D", tz=TZ)
    return PeriodData.build(
        start,
        start + pd.Timedelta(days=1),
        energy,
        pd.Series(temps, index=start),
        {k: pd.Series(v, index=start) for k, v in (drivers or {}).items()},
    )


TEMPS = 15.0 + 12.0 * np.sin(np.linspace(0.0, 2.0 * np.pi, 365, endpoint=False) - 1.8)


@settings(max_examples=15, deadline=None)
@given(cp=st.floats(12.0, 22.0), slope=st.floats(5.0, 200.0), base=st.floats(500.0, 5000.0))
def test_3pc_recovers_an_exact_model(cp, slope, base):
    cp = round(cp * 2) / 2  # on the search grid
    energy = base + slope * np.maximum(TEMPS - cp, 0.0)
    cand = fit_change_point(_daily(TEMPS, energy), "3pc")
    assert cand.model.change_points_c["cooling_c"] == pytest.approx(cp)
    assert cand.model.coefficients["cooling_slope_kwh_per_day_k"] == pytest.approx(slope, rel=1e-6)
    assert cand.model.coefficients["intercept_kwh_per_day"] == pytest.approx(base, rel=1e-6)


def test_selection_picks_3pc_and_explains(rng):
    energy = 1000.0 + 50.0 * np.maximum(TEMPS - 18.0, 0.0) + rng.normal(0.0, 20.0, TEMPS.size)
    chosen, cands, why = select_model(_daily(TEMPS, energy))
    assert chosen.kind == "3pc"
    assert "adjusted R²" in why
    heating = next(c for c in cands if c.kind == "3ph")
    assert not heating.qualified and heating.reasons


def test_selection_says_when_no_temperature_model_qualifies(rng):
    units = rng.uniform(0.0, 100.0, TEMPS.size)
    energy = 500.0 + 3.0 * units + rng.normal(0.0, 5.0, TEMPS.size)
    chosen, _, why = select_model(_daily(TEMPS, energy, {"units": units}), ["units"])
    assert chosen.kind == "1p"
    assert "no temperature model qualified" in why
    assert chosen.model.coefficients["units"] == pytest.approx(3.0, rel=0.01)


def test_fsu_uses_the_reporting_length_and_widens_with_autocorrelation():
    kw = {"confidence": 0.9, "cv": 0.1, "savings_frac": 0.1, "n": 365, "n_params": 3}
    one = fractional_savings_uncertainty(m=365, **kw)
    two = fractional_savings_uncertainty(m=730, **kw)
    assert two == pytest.approx(one / np.sqrt(2.0))  # savings over a longer period are surer
    assert fractional_savings_uncertainty(m=365, rho=0.5, **kw) > one
    assert fractional_savings_uncertainty(m=365, rho=-0.3, **kw) == one
    assert effective_n(365, 0.0) == 365


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(24, 9000),
    p=st.integers(1, 20),
    rho=st.floats(0.0, 0.9),
    cv=st.floats(0.01, 0.5),
    conf=st.sampled_from([0.68, 0.8, 0.9, 0.95]),
)
def test_effective_dof_form_is_never_narrower_and_equal_without_autocorrelation(
    n, p, rho, cv, conf
):
    """(n - p)/(n' - p) >= n/n' because n' <= n, and t grows as its degrees of freedom fall."""
    kw = {"confidence": conf, "cv": cv, "savings_frac": 0.1, "n": n, "n_params": p, "m": n}
    if n * (1 - rho) / (1 + rho) <= p + 1:
        return
    scaled = fractional_savings_uncertainty(rho=rho, **kw)
    eff = fractional_savings_uncertainty(rho=rho, form="effective_dof", **kw)
    assert eff >= scaled * (1 - 1e-12)
    assert fractional_savings_uncertainty(rho=0.0, form="effective_dof", **kw) == pytest.approx(
        fractional_savings_uncertainty(rho=0.0, **kw), rel=1e-12
    )


def test_effective_dof_without_degrees_of_freedom_is_a_case_error(tmp_path, capsys):
    """A baseline whose residuals drift smoothly (an integrated random walk) leaves n' below p: the case says so."""
    from twin.cli import main

    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    rng = np.random.default_rng(3)
    temp = 15 + 10 * np.sin(2 * np.pi * (days.day_of_year.to_numpy() - 100) / 365)
    load = 5000 + 40 * temp + np.cumsum(np.cumsum(rng.normal(0, 0.05, days.size)))  # drift
    pd.DataFrame({"d": days.strftime("%Y-%m-%d"), "kwh": load}).to_csv(tmp_path / "m.csv")
    hours = pd.date_range("2024-01-01", "2026-01-01", freq="h", inclusive="left")
    pd.DataFrame({"t": hours.strftime("%Y-%m-%d %H:%M"), "c": np.repeat(temp, 24)}).to_csv(
        tmp_path / "t.csv"
    )
    case = tmp_path / "case.toml"
    case.write_text(
        """
[mv]
name = "walk"
meter = { file = "m.csv", timestamp = "d", value = "kwh" }
temperature = { file = "t.csv", timestamp = "t", value = "c" }
baseline = { start = "2024-01-01", end = "2025-01-01" }
reporting = { start = "2025-01-01", end = "2026-01-01" }
model = "2p"
fsu_form = "effective_dof"
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["mv", str(case), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "case.toml: mv.fsu_form" in err and "no degrees of freedom" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_adjustments_spread_over_their_days():
    from twin.mv.analysis import _adjustment_per_obs

    mv = MvSpec.model_validate(
        {
            "name": "x",
            "meter": {"file": "m.csv", "timestamp": "t", "value": "v"},
            "baseline": {"start": "2024-01-01", "end": "2025-01-01"},
            "reporting": {"start": "2025-01-01", "end": "2026-01-01"},
            "adjustment": [
                {
                    "start": "2025-03-01",
                    "end": "2025-03-11",
                    "reason": "r",
                    "evidence": "e",
                    "approver": "a",
                    "energy_kwh": 1000.0,
                }
            ],
        }
    )
    start = pd.date_range("2025-02-25", periods=20, freq="D", tz=TZ)
    adj = _adjustment_per_obs(mv, start, start + pd.Timedelta(days=1), TZ)
    assert adj.sum() == pytest.approx(1000.0)
    assert adj[3] == 0.0 and adj[4] == pytest.approx(100.0) and adj[14] == 0.0


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_option_d_recovers_a_known_parameter(tmp_path):
    """Meter data made by the twin with PV losses of 0.20; calibration from 0.05 finds them, and
    the Option D saving of a PV extension equals the twin's own difference."""
    from twin.config import config_from_dict
    from twin.config.loader import set_path
    from twin.mv.analysis import analyse_case
    from twin.mv.case import MvCase
    from twin.run import run

    raw = minimal_config(
        pv=[
            {
                "name": "roof",
                "inverter_rated_power_ac_kw": 250.0,
                "losses_frac": 0.20,
                "arrays": [
                    {
                        "name": "a",
                        "rated_power_dc_kw": 300.0,
                        "tilt_deg": 20.0,
                        "azimuth_deg": 180.0,
                        "mounting": "open_rack",
                    }
                ],
            }
        ]
    )
    rows = []
    for year, dc in ((2024, 300.0), (2025, 450.0)):
        r = dict(raw, simulation=dict(raw["simulation"], year=year))
        r = set_path(r, "pv[0].arrays[0].rated_power_dc_kw", dc)
        h = run(config_from_dict(r)).hourly["grid_import_kw"]
        rows.append(pd.DataFrame({"t": h.index.tz_localize(None), "v": h.to_numpy()}))
    pd.concat(rows).to_csv(tmp_path / "meter.csv", index=False)
    (tmp_path / "plant.toml").write_text(
        "\n".join(f"{k} = {_toml(v)}" for k, v in raw.items()), encoding="utf-8"
    )
    case = MvCase.model_validate(
        {
            "mv": {
                "name": "option_d",
                "meter": {"file": "meter.csv", "timestamp": "t", "value": "v"},
                "baseline": {"start": "2024-01-01", "end": "2025-01-01"},
                "reporting": {"start": "2025-01-01", "end": "2026-01-01"},
                "granularity": "daily",
                "option_d": {
                    "config": "plant.toml",
                    "quantity": "grid_import_kw",
                    "parameters": [
                        {"path": "pv[0].losses_frac", "min": 0.0, "max": 0.4, "initial": 0.05}
                    ],
                    "patches": {"pv[0].arrays[0].rated_power_dc_kw": 450.0},
                    "max_evaluations": 12,
                },
            }
        }
    )
    d = analyse_case(case, label="case.toml", base_dir=tmp_path).report["option_d"]
    assert d["parameters"][0]["calibrated"] == pytest.approx(0.20, abs=0.005)
    assert d["calibrated"]
    assert d["savings_kwh"] > 0
    assert d["avoided_vs_meter_kwh"] == pytest.approx(d["savings_kwh"], rel=0.02)


def _toml(value) -> str:
    """A plain value as TOML (inline tables and arrays; enough for a test config)."""
    import json

    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


def test_chosen_balance_point_is_used_and_not_counted(rng):
    energy = 1000.0 + 50.0 * np.maximum(TEMPS - 18.0, 0.0) + rng.normal(0.0, 20.0, TEMPS.size)
    cand = fit_change_point(_daily(TEMPS, energy), "3pc", fixed={"cooling_c": 16.0})
    assert cand.model.change_points_c == {"cooling_c": 16.0}
    assert cand.model.n_params == 2
    searched = fit_change_point(_daily(TEMPS, energy), "3pc")
    assert searched.model.n_params == 3
    assert searched.stats.rmse < cand.stats.rmse


def test_fifteen_minute_readings_sum_to_hours_and_days(tmp_path):
    t = pd.date_range("2024-03-01", periods=96 * 3, freq="15min")
    frame = pd.DataFrame({"t": t.strftime("%Y-%m-%d %H:%M"), "v": 0.25})
    m = _meter(tmp_path, frame)
    assert m.interval_name == "15min"
    issues = []
    hours = to_periods(m, "h", issues)
    days = to_periods(m, "D", issues)
    assert len(hours) == 72 and hours["energy_kwh"].iloc[0] == pytest.approx(1.0)
    assert len(days) == 3 and days["energy_kwh"].sum() == pytest.approx(72.0)
