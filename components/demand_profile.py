"""Demand profiles: a demand on any bus given by profiles, not by physics.

Until production lines or zones provide them, the compressed-air demand of
a plant [m³/min], its hot-water or process-heat demand [kW], or any other
final demand, is described by 24-hour profiles for workdays, weekends and
public holidays (optionally scaled by month), or by an hourly CSV series
(a sub-meter's record). :mod:`components.base_load` is the electric case
with electricity as the default carrier and bus. The profile is the one
day-type form of :mod:`components.day_profile`; its field follows the
carrier: ``demand_m3_per_min`` for compressed air, ``demand_kw`` for energy
carriers.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.day_profile import DayProfile, ScheduledValue, schedule_on_grid

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

__all__ = ["DemandProfile", "DemandProfileParams"]

CarrierName = Literal["electricity", "natural_gas", "heat", "chilled_water", "compressed_air"]


class DemandProfileParams(ComponentParams):
    """Parameters of a demand profile."""

    carrier: CarrierName = Field(
        description="Carrier demanded: 'compressed_air' [m³/min] or an energy carrier [kW]."
    )
    bus: str = Field(description="Bus the demand draws from (e.g. 'air_7bar_g', 'hot_water').")
    demand_kw: ScheduledValue | None = Field(
        default=None,
        description="Demand of an energy carrier [kW]: a constant, or {weekday, weekend, holiday} "
        "with 24 hourly mean values each (weekend defaults to weekday, holiday to weekend).",
    )
    demand_m3_per_min: ScheduledValue | None = Field(
        default=None,
        description="Compressed air: free-air demand [m³/min], a constant or {weekday, weekend, holiday}.",
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
        mine, other = (
            ("demand_m3_per_min", "demand_kw") if air else ("demand_kw", "demand_m3_per_min")
        )
        unit = "m³/min" if air else "kW"
        if getattr(self, other) is not None:
            msg = f"{other}: carrier {self.carrier!r} is counted in {unit}; use {mine} instead"
            raise ValueError(msg)
        if (getattr(self, mine) is None) == (self.series is None):
            msg = f"give either {mine} (a constant or {{weekday, weekend, holiday}}) or series, not both"
            raise ValueError(msg)
        if min(self.monthly_factor) < 0:
            msg = f"monthly_factor: values must be >= 0, got {min(self.monthly_factor)}"
            raise ValueError(msg)
        return self

    @property
    def profile(self) -> float | DayProfile | None:
        """The demand profile in the carrier's unit (None with a series)."""
        return self.demand_m3_per_min if self.carrier == "compressed_air" else self.demand_kw


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
        if p.series is not None:
            values = ctx.input_series(self.name, "series")
            if values.min() < 0:
                msg = (
                    f"{self.kind}[{self.name}].series ({p.series.file}, column {p.series.column}): "
                    f"expected demand >= 0, found {values.min():.3f}; fix the file or the scale"
                )
                raise ConfigError(msg)
            return Flows(ports={self.port_name: values.astype(np.float64)})
        values = schedule_on_grid(p.profile, ctx, np.asarray(p.monthly_factor, dtype=np.float64))
        return Flows(ports={self.port_name: values})

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "air_demand",
            "carrier": "compressed_air",
            "bus": "air_7bar_g",
            "demand_m3_per_min": {
                "weekday": [4.0] * 6 + [20.0] * 16 + [4.0] * 2,
                "weekend": [4.0] * 24,
            },
        }
