"""Hour-of-day profiles by day type for HVAC inputs (occupancy, lighting,
ventilation airflow, fan airflow).

A field that takes a profile accepts either a constant number or a table
with 24 values for workdays and, optionally, weekends and public holidays
(weekends default to the workday profile, holidays to the weekend one), in
the manner of :mod:`components.demand_profile`. Within an hour the value is held
for every step.
"""

from __future__ import annotations

from typing import Annotated, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from twin.components.demand_profile import profile_power_kw

from twin.component import RunContext

__all__ = ["DayProfile", "ScheduledValue", "schedule_on_grid"]

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


ScheduledValue = Annotated[float, Field(ge=0, allow_inf_nan=False)] | DayProfile
"""A constant (>= 0) or a :class:`DayProfile`."""


def schedule_on_grid(value: float | DayProfile, ctx: RunContext) -> np.ndarray:
    """The value of a constant or profile at every step of the run.

    Parameters
    ----------
    value : float or DayProfile
        Constant or profile.
    ctx : RunContext
        Provides the grid's local hours and the day types.

    Returns
    -------
    array
        One value per step (float64).
    """
    n = ctx.grid.n_steps
    if not isinstance(value, DayProfile):
        return np.full(n, float(value))
    weekday = np.asarray(value.weekday, dtype=np.float64)
    weekend = np.asarray(value.weekend, dtype=np.float64) if value.weekend else weekday
    holiday = np.asarray(value.holiday, dtype=np.float64) if value.holiday else weekend
    grid = ctx.grid
    return profile_power_kw(
        ctx.day_type, grid.hour, grid.month, weekday, weekend, holiday, np.ones(_MONTHS)
    ).astype(np.float64)
