"""Shared builders for the production-line tests (not a test module)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
from twin.components.production_line import ProductionLine

from twin.calendar import day_types
from twin.component import RunContext, Site
from twin.timegrid import TimeGrid

TZ = "Asia/Shanghai"

PRESS_KW = {
    "off": 1.0,
    "standby": 5.0,
    "warmup": 20.0,
    "idle": 10.0,
    "busy": 50.0,
    "changeover": 15.0,
    "down": 2.0,
}
"""Power per state of the test station [kW]: distinct values so every state shows."""

DAY_SHIFT = {"start": "08:00", "end": "16:00", "breaks": [{"start": "12:00", "end": "12:30"}]}
ALL_DAY = {"start": "00:00", "end": "00:00"}


def week_grid(step: str = "1h", start: str = "2025-03-03", days: int = 7) -> TimeGrid:
    """From Monday 3 March 2025 (no holidays that week)."""
    per_hour = int(pd.Timedelta("1h") / pd.Timedelta(step))
    return TimeGrid(pd.Timestamp(start, tz=TZ), pd.Timedelta(step), days * 24 * per_hour)


def context(grid: TimeGrid, seed: int = 7) -> RunContext:
    return RunContext(
        grid,
        Site("test", 31.3, 120.6, 5.0),
        {},
        day_types(grid),
        None,
        np.random.SeedSequence(seed),
    )


def line_params(**overrides: Any) -> dict[str, Any]:
    """One deterministic station, one product (60 s cycle, lots of 10), a day
    shift 08:00-16:00 with a 30-minute break on workdays, 30 min warm-up before
    the shift, switched off between shifts, never to standby."""
    raw: dict[str, Any] = {
        "name": "line",
        "stations": [{"name": "press", "power_kw": dict(PRESS_KW), "warmup_s": 1800}],
        "products": [
            {"name": "part", "cycle_time_s": 60.0, "batch_size": 100, "transfer_lot_size": 10}
        ],
        "shifts": {"workday": [copy.deepcopy(DAY_SHIFT)]},
        "shutdown_at_shift_end": True,
        "warmup_before_shift": True,
    }
    raw.update(copy.deepcopy(overrides))
    return raw


def build(**overrides: Any) -> ProductionLine:
    return ProductionLine(ProductionLine.Params(**line_params(**overrides)))
