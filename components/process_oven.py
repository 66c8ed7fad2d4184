"""Process ovens (paint-shop dryers, curing and drying ovens): what do
warm-up, idle and production cost, and how much heat leaves with the
exhaust for recovery?

An oven is in one of four states in each part of a step: **off** (cold),
**warm-up** (burners at their warm-up input until the oven reaches
temperature), **idle** (hot and held, no product: breaks, gaps, weekends
kept hot) and **production** (hot with product at a throughput share
:math:`x`). Its energy input is a linear model of state, as used for
industrial ovens in energy audits (holding power plus a throughput share
of the production increment):

.. math:: P = \\begin{cases}
    P_{warm} & \\text{warm-up}\\\\
    P_{idle} + (P_{prod} - P_{idle})\\,x & \\text{hot}\\\\
    0 & \\text{off}
    \\end{cases}

The schedule gives, per hour by day type, the throughput share
(``production_frac``) and whether the oven is kept hot (``hot_frac``,
default: hot whenever there is production). Each start (a step hot after
a step not hot) is preceded by ``warmup_min`` of warm-up, laid into the
steps before the start pro rata (at hourly steps a 45 min warm-up is 0.75
of the step before). A **smart start** policy
(``smart_start_saved_min``) starts the burners later by that many minutes
per start (the oven's control predicts when it will reach temperature
instead of a fixed early start), so each start avoids that much warm-up
at :math:`P_{warm}`; output ``warmup_avoided_kw`` holds what it saves.

A share of the energy input leaves with the exhaust above a useful
temperature (``exhaust_heat_frac``, from a flue-gas measurement or the
burner's combustion data); output ``exhaust_heat_kw`` is the heat a
:mod:`components.heat_recovery` unit can take (``source = <oven>``,
``source_output = "exhaust_heat_kw"``), for example to the boiler return
water, where it displaces boiler gas.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.day_profile import ScheduledValue, schedule_on_grid

from twin.carriers import ELECTRICITY, NATURAL_GAS
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Output,
    Port,
    Role,
    RunContext,
    Stage,
    output,
    register_component,
)
from twin.timegrid import TimeGrid

__all__ = ["ProcessOven", "ProcessOvenParams", "warmup_fractions"]


def warmup_fractions(hot: np.ndarray, warmup_s: float, step_s: float) -> np.ndarray:
    """Share of each step spent warming up before the starts of ``hot``.

    Parameters
    ----------
    hot : array of bool
        True where the oven is hot (held or producing).
    warmup_s : float
        Warm-up time before each start [s].
    step_s : float
        Step length [s].

    Returns
    -------
    array
        Warm-up share of each step in [0, 1]; 0 on hot steps. A warm-up
        never reaches back past the previous hot step or the grid start.

    Examples
    --------
    >>> warmup_fractions(np.array([False, False, True, True]), 5400.0, 3600.0).tolist()
    [0.5, 1.0, 0.0, 0.0]
    """
    hot = np.asarray(hot, dtype=bool)
    out = np.zeros(hot.shape, dtype=np.float64)
    if warmup_s <= 0.0:
        return out
    prev = np.concatenate([[True], hot[:-1]])  # a run that starts hot has no warm-up in the grid
    for start in np.flatnonzero(hot & ~prev):
        remaining = warmup_s
        j = start - 1
        while remaining > 0.0 and j >= 0 and not hot[j]:
            out[j] = min(1.0, remaining / step_s)
            remaining -= step_s
            j -= 1
    return out


class ProcessOvenParams(ComponentParams):
    """Parameters of a process oven."""

    energy: Literal["natural_gas", "electricity"] = Field(
        default="natural_gas", description="What the oven burns or draws."
    )
    production_power_kw: float = Field(
        gt=0,
        allow_inf_nan=False,
        description="Energy input at full throughput [kW] (gas LHV or electricity).",
    )
    idle_power_kw: float = Field(
        ge=0, allow_inf_nan=False, description="Input to hold temperature with no product [kW]."
    )
    warmup_power_kw: float = Field(
        gt=0, allow_inf_nan=False, description="Input during warm-up (burners at full fire) [kW]."
    )
    warmup_min: float = Field(
        ge=0, le=600, description="Warm-up time before each start, from cold [min]."
    )
    smart_start_saved_min: float = Field(
        default=0.0,
        ge=0,
        le=600,
        description="Warm-up avoided per start by a smart-start policy [min] (0: fixed early start).",
    )
    production_frac: ScheduledValue = Field(
        description="Throughput share by hour, 0..1: a constant or {weekday, weekend, holiday} [-]."
    )
    hot_frac: ScheduledValue | None = Field(
        default=None,
        description="1 where the oven is kept hot, 0 where it is off; default: hot where "
        "production_frac > 0 [-].",
    )
    exhaust_heat_frac: float = Field(
        ge=0,
        lt=1,
        description="Share of the input leaving with the exhaust as recoverable heat [-].",
    )
    exhaust_heat_source: str = Field(
        min_length=3, description="Where exhaust_heat_frac comes from (flue-gas measurement, ...)."
    )
    gas_bus: str = Field(default="natural_gas", description="Gas bus (energy = natural_gas).")
    electricity_bus: str = Field(default="electricity", description="Electricity bus.")

    @model_validator(mode="after")
    def _checks(self) -> Self:
        if self.idle_power_kw > self.production_power_kw:
            msg = (
                f"idle_power_kw {self.idle_power_kw} exceeds production_power_kw "
                f"{self.production_power_kw}: holding temperature cannot take more than producing"
            )
            raise ValueError(msg)
        if self.smart_start_saved_min > self.warmup_min:
            msg = (
                f"smart_start_saved_min {self.smart_start_saved_min} exceeds warmup_min "
                f"{self.warmup_min}: a policy cannot avoid more warm-up than there is"
            )
            raise ValueError(msg)
        return self


@register_component("process_oven")
class ProcessOven(Component):
    """Process oven with warm-up, idle and production states (see the module docstring).

    Ports: ``gas`` (in from the gas bus, USE) or ``el`` (in, USE).
    """

    stage = Stage.LOAD
    Params = ProcessOvenParams

    params: ProcessOvenParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        if p.energy == "natural_gas":
            return (Port("gas", NATURAL_GAS, Direction.IN, p.gas_bus, Role.USE),)
        return (Port("el", ELECTRICITY, Direction.IN, p.electricity_bus, Role.USE),)

    def outputs(self) -> tuple[Output, ...]:
        return (
            output("warmup_frac", description="share of the step in warm-up"),
            output("idle_frac", description="share of the step hot without product"),
            output("production_frac", description="throughput share while hot"),
            output("exhaust_heat_kw", description="recoverable exhaust heat"),
            output("warmup_avoided_kw", description="warm-up input the smart start avoids"),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        prod = np.clip(schedule_on_grid(p.production_frac, ctx), 0.0, 1.0)
        if p.hot_frac is None:
            hot = prod > 0.0
        else:
            hot = (schedule_on_grid(p.hot_frac, ctx) > 0.5) | (prod > 0.0)
        step_s = ctx.grid.step_s
        fixed = warmup_fractions(hot, p.warmup_min * 60.0, step_s)
        warm = warmup_fractions(hot, (p.warmup_min - p.smart_start_saved_min) * 60.0, step_s)
        hot_f = hot.astype(np.float64)
        power = (
            hot_f * (p.idle_power_kw + (p.production_power_kw - p.idle_power_kw) * prod)
            + warm * p.warmup_power_kw
        )
        port = "gas" if p.energy == "natural_gas" else "el"
        return Flows(
            ports={port: power},
            outputs={
                "warmup_frac": warm,
                "idle_frac": hot_f * (prod <= 0.0),
                "production_frac": hot_f * prod,
                "exhaust_heat_kw": p.exhaust_heat_frac * power,
                "warmup_avoided_kw": (fixed - warm) * p.warmup_power_kw,
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        p = self.params
        o = flows.outputs
        port = "gas" if p.energy == "natural_gas" else "el"
        warm = o["warmup_frac"]
        hot = (o["idle_frac"] > 0) | (o["production_frac"] > 0)
        starts = int(np.count_nonzero(hot & ~np.concatenate([[True], hot[:-1]])))
        return {
            "energy_kwh": grid.energy_kwh(flows.ports[port]),
            "warmup_kwh": grid.energy_kwh(warm * p.warmup_power_kw),
            "idle_kwh": grid.energy_kwh(o["idle_frac"] * p.idle_power_kw),
            "starts_count": float(starts),
            "exhaust_heat_kwh": grid.energy_kwh(o["exhaust_heat_kw"]),
            "warmup_avoided_kwh": grid.energy_kwh(o["warmup_avoided_kw"]),
        }

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "paint_oven",
            "production_power_kw": 1200.0,
            "idle_power_kw": 450.0,
            "warmup_power_kw": 1500.0,
            "warmup_min": 60.0,
            "smart_start_saved_min": 15.0,
            "production_frac": {"weekday": [0.0] * 7 + [0.9] * 15 + [0.0] * 2},
            "exhaust_heat_frac": 0.25,
            "exhaust_heat_source": "illustrative",
        }
