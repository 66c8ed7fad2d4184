"""Base loads: electricity demand described by profiles, not by physics.

For loads not (yet) modelled in detail — lighting, offices, utilities,
miscellaneous plug loads — a base load gives hourly power profiles for
workdays, weekends and public holidays (optionally scaled by month), or an
hourly series from a CSV file (for example a sub-meter's record).
Within an hour the profile value is held for every step, so an hourly mean
power is reproduced exactly at any step length.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from pydantic import Field, model_validator

from twin.carriers import ELECTRICITY
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Port,
    Role,
    RunContext,
    SeriesRef,
    Stage,
    register_component,
)
from twin.errors import ConfigError

__all__ = ["BaseLoad", "BaseLoadParams", "profile_power_kw"]


def _profile_field(description: str):
    return Field(default=None, min_length=24, max_length=24, description=description)


class BaseLoadParams(ComponentParams):
    """Parameters of a base load."""

    weekday_kw: list[float] | None = _profile_field(
        "Mean power of each local hour 0..23 on workdays [kW]."
    )
    weekend_kw: list[float] | None = _profile_field(
        "Mean power of each hour on weekends [kW]; default: the workday profile."
    )
    holiday_kw: list[float] | None = _profile_field(
        "Mean power of each hour on public holidays [kW]; default: the weekend profile."
    )
    monthly_factor: list[float] = Field(
        default_factory=lambda: [1.0] * 12, min_length=12, max_length=12,
        description="Multiplier per month January..December (seasonal variation) [-].",
    )
    series: SeriesRef | None = Field(
        default=None, description="Hourly power series [kW] instead of the profiles."
    )
    bus: str = Field(default="electricity", description="Electricity bus the load draws from.")

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        has_profile = self.weekday_kw is not None
        if has_profile == (self.series is not None):
            msg = "give either weekday_kw (with optional weekend_kw, holiday_kw) or series, not both"
            raise ValueError(msg)
        if self.series is None and (self.weekend_kw or self.holiday_kw) and not has_profile:
            msg = "weekend_kw and holiday_kw need weekday_kw"
            raise ValueError(msg)
        for name in ("weekday_kw", "weekend_kw", "holiday_kw", "monthly_factor"):
            values = getattr(self, name)
            if values is not None and min(values) < 0:
                msg = f"{name}: values must be >= 0, got {min(values)}"
                raise ValueError(msg)
        return self


def profile_power_kw(
    day_type: np.ndarray,
    hour: np.ndarray,
    month: np.ndarray,
    weekday_kw: np.ndarray,
    weekend_kw: np.ndarray,
    holiday_kw: np.ndarray,
    monthly_factor: np.ndarray,
) -> np.ndarray:
    """Power of a day-type/hour profile at every step.

    Parameters
    ----------
    day_type : array of int
        :class:`twin.component.DayType` code per step.
    hour, month : array of int
        Local hour 0..23 and month 1..12 per step.
    weekday_kw, weekend_kw, holiday_kw : array
        24 hourly values each [kW].
    monthly_factor : array
        12 multipliers [-].

    Returns
    -------
    array
        Mean power per step [kW].
    """
    # rows follow the DayType codes WORKDAY=0, WEEKEND=1, HOLIDAY=2
    table = np.stack([weekday_kw, weekend_kw, holiday_kw])
    return table[day_type, hour] * monthly_factor[month - 1]


@register_component("base_load")
class BaseLoad(Component):
    """An electric load given by profiles or a series (port ``el``, role USE)."""

    stage = Stage.LOAD
    Params = BaseLoadParams

    params: BaseLoadParams

    def ports(self) -> tuple[Port, ...]:
        return (Port("el", ELECTRICITY, Direction.IN, self.params.bus, Role.USE),)

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        grid = ctx.grid
        if p.series is not None:
            power = ctx.input_series(self.name, "series")
            if power.min() < 0:
                msg = (
                    f"base_load[{self.name}].series ({p.series.file}, column {p.series.column}): "
                    f"expected power >= 0 kW, found {power.min():.3f}; fix the file or the scale"
                )
                raise ConfigError(msg)
        else:
            weekday = np.asarray(p.weekday_kw, dtype=np.float64)
            weekend = np.asarray(p.weekend_kw, dtype=np.float64) if p.weekend_kw else weekday
            holiday = np.asarray(p.holiday_kw, dtype=np.float64) if p.holiday_kw else weekend
            power = profile_power_kw(
                ctx.day_type, grid.hour, grid.month, weekday, weekend, holiday,
                np.asarray(p.monthly_factor, dtype=np.float64),
            )
        return Flows(ports={"el": power})

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "offices",
            "weekday_kw": [20.0] * 8 + [60.0] * 10 + [20.0] * 6,
            "weekend_kw": [20.0] * 24,
        }
