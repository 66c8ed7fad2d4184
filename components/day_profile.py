"""Hour-of-day profiles by day type: the one form every profiled input takes.

A field that takes a profile (a demand, a base load, a recoverable heat, a
zone's occupancy, lighting or ventilation, a fan's airflow) accepts either a
constant number or a table with 24 values for workdays and, optionally,
weekends and public holidays (weekends default to the workday profile,
holidays to the weekend one); the unit is the field's own, in its name::

    demand_kw = { weekday = [...24 values...], weekend = [...], holiday = [...] }
    ventilation_m3_per_h = 12000.0

Within an hour the value is held for every step, so an hourly mean is
reproduced exactly at any step length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.component import RunContext

__all__ = [
    "DayProfile",
    "ScheduledValue",
    "profile_values",
    "schedule_on_grid",
    "series_or_schedule",
]

_HOURS = 24
_MONTHS = 12


class DayProfile(BaseModel):
    """A value for each local hour 0..23 on workdays, weekends and holidays."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weekday: list[float] = Field(
        min_length=_HOURS,
        max_length=_HOURS,
        description="Value of each local hour 0..23 on workdays (unit of the field it belongs to).",
    )
    weekend: list[float] | None = Field(
        default=None,
        min_length=_HOURS,
        max_length=_HOURS,
        description="Value of each local hour on weekends; default: the workday profile.",
    )
    holiday: list[float] | None = Field(
        default=None,
        min_length=_HOURS,
        max_length=_HOURS,
        description="Value of each local hour on public holidays; default: the weekend profile.",
    )

    @model_validator(mode="after")
    def _non_negative(self) -> Self:
        for name in ("weekday", "weekend", "holiday"):
            values = getattr(self, name)
            if values is None:
                continue
            if not all(np.isfinite(values)) or min(values) < 0.0:
                msg = f"{name}: expected 24 finite values >= 0, got {values}"
                raise ValueError(msg)
        return self


def profile_values(
    day_type: np.ndarray,
    hour: np.ndarray,
    month: np.ndarray,
    weekday: np.ndarray,
    weekend: np.ndarray,
    holiday: np.ndarray,
    monthly_factor: np.ndarray,
) -> np.ndarray:
    """Value of a day-type/hour profile at every step, in the profile's unit.

    Parameters
    ----------
    day_type : array of int
        :class:`twin.component.DayType` code per step.
    hour, month : array of int
        Local hour 0..23 and month 1..12 per step.
    weekday, weekend, holiday : array
        24 hourly values each.
    monthly_factor : array
        12 multipliers [-].

    Returns
    -------
    array
        Mean value per step, in the unit of the profiles.
    """
    # rows follow the DayType codes WORKDAY=0, WEEKEND=1, HOLIDAY=2
    table = np.stack([weekday, weekend, holiday])
    return table[day_type, hour] * monthly_factor[month - 1]


ScheduledValue = Annotated[float, Field(ge=0, allow_inf_nan=False)] | DayProfile
"""A constant (>= 0) or a :class:`DayProfile`."""


def schedule_on_grid(
    value: float | DayProfile, ctx: RunContext, monthly_factor: np.ndarray | None = None
) -> np.ndarray:
    """The value of a constant or profile at every step of the run.

    Parameters
    ----------
    value : float or DayProfile
        Constant or profile.
    ctx : RunContext
        Provides the grid's local hours and the day types.
    monthly_factor : array, optional
        12 multipliers January..December [-].

    Returns
    -------
    array
        One value per step (float64).
    """
    n = ctx.grid.n_steps
    months = (
        np.ones(_MONTHS) if monthly_factor is None else np.asarray(monthly_factor, dtype=np.float64)
    )
    if not isinstance(value, DayProfile):
        return np.full(n, float(value)) * months[ctx.grid.month - 1]
    weekday = np.asarray(value.weekday, dtype=np.float64)
    weekend = np.asarray(value.weekend, dtype=np.float64) if value.weekend else weekday
    holiday = np.asarray(value.holiday, dtype=np.float64) if value.holiday else weekend
    grid = ctx.grid
    return profile_values(
        ctx.day_type, grid.hour, grid.month, weekday, weekend, holiday, months
    ).astype(np.float64)


def series_or_schedule(
    ctx: RunContext,
    component: str,
    has_series: bool,
    value: float | DayProfile | None,
    monthly_factor: Sequence[float],
) -> np.ndarray:
    """A component's input at every step: its ``series`` file when it has one,
    else its constant or day profile; either times the monthly factor.

    Parameters
    ----------
    ctx : RunContext
    component : str
        The component's name (its series is read as ``ctx.input_series(component, "series")``).
    has_series : bool
        Whether the component gives a ``series``.
    value : float or DayProfile
        The constant or profile used without a series.
    monthly_factor : sequence of 12 float
        Multipliers January..December [-].

    Returns
    -------
    array
        One value per step (float64), in the unit of the input.
    """
    months = np.asarray(monthly_factor, dtype=np.float64)
    if has_series:
        return ctx.input_series(component, "series") * months[ctx.grid.month - 1]
    return schedule_on_grid(value, ctx, months)
