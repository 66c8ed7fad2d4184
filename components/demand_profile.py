"""Demand profiles: a demand on any bus given by profiles, not by physics.

Until production lines or zones provide them, the compressed-air demand of
a plant [m³/min], its hot-water or process-heat demand [kW], or any other
final demand, is described by 24-hour profiles for workdays, weekends and
public holidays (optionally scaled by month), or by an hourly CSV series
(a sub-meter's record). :mod:`components.base_load` is the electric case
with electricity as the default carrier and bus. The unit follows the carrier: ``*_m3_per_min`` fields for
compressed air, ``*_kw`` fields for energy carriers.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Self

import numpy as np
from pydantic import Field, model_validator

from twin.carriers import get_carrier
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

__all__ = ["DemandProfile", "DemandProfileParams", "profile_power_kw", "profile_values"]

CarrierName = Literal["electricity", "natural_gas", "heat", "chilled_water", "compressed_air"]
_KW_FIELDS = ("weekday_kw", "weekend_kw", "holiday_kw")
_AIR_FIELDS = ("weekday_m3_per_min", "weekend_m3_per_min", "holiday_m3_per_min")


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
        24 hourly values each (mean power [kW], or flow [m³/min]).
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


profile_power_kw = profile_values
"""The same lookup for power profiles [kW] (the name the electric loads use)."""


def _profile(description: str):
    return Field(default=None, min_length=24, max_length=24, description=description)


class DemandProfileParams(ComponentParams):
    """Parameters of a demand profile."""

    carrier: CarrierName = Field(
        description="Carrier demanded: 'compressed_air' [m³/min] or an energy carrier [kW]."
    )
    bus: str = Field(description="Bus the demand draws from (e.g. 'air_7bar_g', 'hot_water').")
    weekday_kw: list[float] | None = _profile(
        "Mean demand of each local hour 0..23 on workdays [kW]."
    )
    weekend_kw: list[float] | None = _profile(
        "Demand of each hour on weekends [kW]; default the workday profile."
    )
    holiday_kw: list[float] | None = _profile(
        "Demand of each hour on holidays [kW]; default the weekend profile."
    )
    weekday_m3_per_min: list[float] | None = _profile(
        "Compressed air: mean free-air demand of each local hour 0..23 on workdays [m³/min]."
    )
    weekend_m3_per_min: list[float] | None = _profile(
        "Compressed air: demand of each hour on weekends [m³/min]; default the workday profile."
    )
    holiday_m3_per_min: list[float] | None = _profile(
        "Compressed air: demand of each hour on holidays [m³/min]; default the weekend profile."
    )
    monthly_factor: list[float] = Field(
        default_factory=lambda: [1.0] * 12,
        min_length=12,
        max_length=12,
        description="Multiplier per month January..December [-].",
    )
    series: SeriesRef | None = Field(
        default=None,
        description="Hourly demand series in the carrier's unit ([kW] or [m³/min]) instead of profiles.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        air = self.carrier == "compressed_air"
        mine, other = (_AIR_FIELDS, _KW_FIELDS) if air else (_KW_FIELDS, _AIR_FIELDS)
        unit = "m³/min" if air else "kW"
        wrong = [f for f in other if getattr(self, f) is not None]
        if wrong:
            msg = (
                f"{wrong[0]}: carrier {self.carrier!r} is counted in {unit}; use "
                f"{', '.join(mine)} instead"
            )
            raise ValueError(msg)
        has_profile = getattr(self, mine[0]) is not None
        if has_profile == (self.series is not None):
            msg = f"give either {mine[0]} (with optional {mine[1]}, {mine[2]}) or series, not both"
            raise ValueError(msg)
        if self.series is None and not has_profile:
            msg = f"{mine[1]} and {mine[2]} need {mine[0]}"
            raise ValueError(msg)
        for name in (*mine, "monthly_factor"):
            values = getattr(self, name)
            if values is not None and min(values) < 0:
                msg = f"{name}: values must be >= 0, got {min(values)}"
                raise ValueError(msg)
        return self


@register_component("demand_profile")
class DemandProfile(Component):
    """A demand on any bus from profiles or a series (port ``demand``, role USE)."""

    stage = Stage.LOAD
    Params = DemandProfileParams
    port_name: ClassVar[str] = "demand"

    params: DemandProfileParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        return (Port(self.port_name, get_carrier(p.carrier), Direction.IN, p.bus, Role.USE),)

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        grid = ctx.grid
        if p.series is not None:
            values = ctx.input_series(self.name, "series")
            if values.min() < 0:
                msg = (
                    f"{self.kind}[{self.name}].series ({p.series.file}, column {p.series.column}): "
                    f"expected demand >= 0, found {values.min():.3f}; fix the file or the scale"
                )
                raise ConfigError(msg)
            return Flows(ports={self.port_name: values.astype(np.float64)})
        names = _AIR_FIELDS if p.carrier == "compressed_air" else _KW_FIELDS
        weekday = np.asarray(getattr(p, names[0]), dtype=np.float64)
        weekend_raw = getattr(p, names[1])
        holiday_raw = getattr(p, names[2])
        weekend = np.asarray(weekend_raw, dtype=np.float64) if weekend_raw else weekday
        holiday = np.asarray(holiday_raw, dtype=np.float64) if holiday_raw else weekend
        # the profile lookup is unit-agnostic: it indexes a (day type x hour) table
        values = profile_values(
            ctx.day_type,
            grid.hour,
            grid.month,
            weekday,
            weekend,
            holiday,
            np.asarray(p.monthly_factor, dtype=np.float64),
        )
        return Flows(ports={self.port_name: values})

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "air_demand",
            "carrier": "compressed_air",
            "bus": "air_7bar_g",
            "weekday_m3_per_min": [4.0] * 6 + [20.0] * 16 + [4.0] * 2,
            "weekend_m3_per_min": [4.0] * 24,
        }
