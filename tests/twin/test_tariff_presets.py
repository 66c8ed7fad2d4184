"""Tariff presets completed from their provincial documents, or rejected by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from twin.components.grid_connection import TariffParams, tou_period_per_step

import twin
from tests.conftest import REFERENCE_CONFIG
from twin.calendar import day_types
from twin.component import TouPeriod
from twin.config.presets import expand_tariff
from twin.errors import ConfigError
from twin.timegrid import TimeGrid

GRID = TimeGrid.for_year(2025)


def _tariff(preset: str, **extra) -> TariffParams:
    return TariffParams(
        **expand_tariff({"preset": preset, "floating_price_cny_per_kwh": 0.4, **extra})
    )


def _at(period, ratio, stamp: str):
    i = int(np.flatnonzero(GRID.index == pd.Timestamp(stamp, tz="Asia/Shanghai"))[0])
    return TouPeriod(int(period[i])), float(ratio[i])


def test_sichuan_critical_hours_in_july_and_august():
    """川发改价格〔2025〕185号: large industry, Jul-Aug 13-14 and 21-23 at peak x 1.2."""
    temp = np.full(GRID.n_steps, 25.0)
    period, ratio = tou_period_per_step(_tariff("sichuan"), GRID, temp_air_c=temp)
    for stamp in ("2025-07-15 13:00", "2025-08-20 21:00", "2025-08-20 22:00"):
        assert _at(period, ratio, stamp) == (TouPeriod.CRITICAL, pytest.approx(1.92))
    assert _at(period, ratio, "2025-07-15 14:00") == (TouPeriod.PEAK, pytest.approx(1.6))
    assert _at(period, ratio, "2025-09-10 13:00") == (TouPeriod.PEAK, pytest.approx(1.6))


def test_sichuan_critical_after_three_hot_days_outside_july_and_august():
    temp = np.full(GRID.n_steps, 25.0)
    june = (GRID.month == 6) & np.isin(GRID.index.day, [10, 11, 12])
    temp[june & (GRID.hour == 15)] = 36.0  # 10-12 June reach 36 C
    period, ratio = tou_period_per_step(_tariff("sichuan"), GRID, temp_air_c=temp)
    assert _at(period, ratio, "2025-06-11 21:00")[0] == TouPeriod.PEAK  # second hot day
    assert _at(period, ratio, "2025-06-12 21:00") == (TouPeriod.CRITICAL, pytest.approx(1.92))
    assert _at(period, ratio, "2025-06-13 21:00")[0] == TouPeriod.PEAK  # cool again


def test_guangdong_hot_day_critical_outside_july_to_september():
    """粤发改价格〔2021〕331号: critical 11-12 and 15-17 on days reaching 35 C."""
    temp = np.full(GRID.n_steps, 30.0)
    temp[(GRID.month == 5) & (GRID.index.day == 20) & (GRID.hour == 14)] = 35.2
    period, ratio = tou_period_per_step(_tariff("guangdong"), GRID, temp_air_c=temp)
    for stamp in ("2025-05-20 11:00", "2025-05-20 15:00", "2025-05-20 16:00"):
        assert _at(period, ratio, stamp) == (TouPeriod.CRITICAL, pytest.approx(2.125))
    assert _at(period, ratio, "2025-05-21 11:00") == (TouPeriod.PEAK, pytest.approx(1.7))
    assert _at(period, ratio, "2025-07-01 11:00")[0] == TouPeriod.CRITICAL


def test_shanghai_large_industry_deep_valley_on_rest_days_and_holidays():
    """沪发改价管〔2024〕28号: deep valley 0-6 and 22-24 at flat x 0.2 on statutory
    holidays and on rest days of Feb-Jun and Sep-Nov."""
    days = day_types(GRID, holidays="cn")
    period, ratio = tou_period_per_step(_tariff("shanghai-large-industry"), GRID, days)
    assert _at(period, ratio, "2025-04-12 03:00") == (TouPeriod.DEEP_VALLEY, pytest.approx(0.2))
    assert _at(period, ratio, "2025-04-12 23:00") == (TouPeriod.DEEP_VALLEY, pytest.approx(0.2))
    assert _at(period, ratio, "2025-04-14 03:00") == (TouPeriod.VALLEY, pytest.approx(0.5))
    assert _at(period, ratio, "2025-01-01 03:00") == (TouPeriod.DEEP_VALLEY, pytest.approx(0.2))
    assert _at(period, ratio, "2025-07-12 03:00") == (TouPeriod.VALLEY, pytest.approx(0.4))
    # the two-part preset of the other user classes has no deep valley
    two_part, _ = tou_period_per_step(_tariff("shanghai-two-part"), GRID, days)
    assert TouPeriod.DEEP_VALLEY not in set(two_part.tolist())


@pytest.mark.parametrize(
    ("preset", "document", "periods"),
    [
        ("zhejiang", "浙发改价格〔2024〕21号", "critical, peak, valley"),
        ("chongqing", "渝发改规范〔2021〕14号", "critical, peak, valley"),
        ("hubei", "鄂发改价管〔2024〕77号", "critical, peak, valley"),
    ],
)
def test_windows_only_presets_are_rejected_naming_ratios_and_source(preset, document, periods):
    with pytest.raises(ConfigError) as err:
        twin.load_config(REFERENCE_CONFIG, [f"grid_connection.tariff.preset={preset}"])
    text = str(err.value)
    assert f"tariff.ratios for {periods}" in text and document in text


def test_windows_only_preset_with_ratios_loads():
    cfg = twin.load_config(
        REFERENCE_CONFIG,
        [
            "grid_connection.tariff.preset=zhejiang",
            "grid_connection.tariff.ratios={valley = 0.4, peak = 1.6, critical = 2.0}",
        ],
    )
    assert cfg.grid_connection.tariff.ratios["critical"] == 2.0


def test_hot_day_preset_runs_on_the_site_weather():
    # Suzhou's typical year has no 35 C day outside July-September: the rule at 32 C
    res = twin.run(
        twin.load_config(
            REFERENCE_CONFIG,
            [
                "grid_connection.tariff.preset=guangdong",
                "grid_connection.tariff.hot_day_critical={temp_air_min_c = 32.0, months = [5, 6, 10], "
                "hours = [11, 15, 16], document = '粤发改价格〔2021〕331号'}",
            ],
        )
    )
    grid = res.plant.grid
    temp = res.weather_columns["temp_air_c"]
    day = grid.day_number - grid.day_number.min()
    daily_max = np.full(day.max() + 1, -np.inf)
    np.maximum.at(daily_max, day, temp)
    outside = np.isin(grid.month, [5, 6, 10])
    hot_days = np.unique(day[outside & (daily_max[day] >= 32.0)])
    assert hot_days.size > 0
    critical = outside & (res.signals.period == TouPeriod.CRITICAL)
    # three critical hours (11-12, 15-17) on each hot day of the site's weather
    assert np.count_nonzero(critical) == 3 * hot_days.size * grid.steps_per_hour
