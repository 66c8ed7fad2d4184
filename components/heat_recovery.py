"""Waste-heat recovery: heat of compression or process exhaust put to use.

The physical question is how much waste heat reaches a heat sink in each
step. A recovery unit takes a share of the heat a source releases (the heat
of compression of an air system, a line's exhaust heat, or a profile) and
delivers it to a heat bus, but only as far as the bus still needs heat in
that step: recovered heat cannot be stored here, and what finds no sink is
rejected to ambient as before. Whatever it delivers lowers the net demand
the boilers computed after it must serve, so it displaces their fuel.

.. math:: Q_{avail} = \\min(f_{rec}\\,Q_{source}, Q_{max}),\\qquad
    Q_{rec} = \\min(Q_{avail}, D_{bus}),\\qquad Q_{rej} = Q_{source} - Q_{rec}

For an air-system source the balance closes with the air system's outputs
at every step: compressor electricity = ``heat_recovered_kw`` +
``heat_rejected_kw`` + the air system's ``air_energy_kw``.

Recoverable share: 50-90 % of the heat of compression, about 80 % for
packaged air-cooled screws (compressed_air_rules.csv: blog.exair.com,
itac-docs). Typical water temperatures from oil-injected screws are
70-90 °C; the supply temperature must exceed the sink's by an approach.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from pydantic import Field, model_validator
from twin.components.day_profile import ScheduledValue, schedule_on_grid

from twin.carriers import HEAT
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Output,
    Port,
    Role,
    RunContext,
    SeriesRef,
    Stage,
    output,
    register_component,
)
from twin.errors import ConfigError
from twin.timegrid import TimeGrid

__all__ = ["HeatRecovery", "HeatRecoveryParams", "recover_heat"]


def recover_heat(source_heat_kw, sink_demand_kw, recoverable_frac, max_heat_kw=np.inf):
    """Heat recovered where a sink exists in the same step.

    Parameters
    ----------
    source_heat_kw : float or array
        Heat released by the source [kW].
    sink_demand_kw : float or array
        Heat the sink still needs [kW]; negative values count as zero.
    recoverable_frac : float
        Share of the source heat the exchanger can capture [-].
    max_heat_kw : float
        Exchanger rating [kW].

    Returns
    -------
    available_kw, recovered_kw, rejected_kw : array
        Capturable heat, heat delivered to the sink, and heat rejected to
        ambient (source minus recovered) [kW].

    Examples
    --------
    >>> a, r, j = recover_heat(np.array([100.0, 100.0]), np.array([50.0, 0.0]), 0.8)
    >>> a.tolist(), r.tolist(), j.tolist()
    ([80.0, 80.0], [50.0, 0.0], [50.0, 100.0])
    """
    q = np.maximum(np.asarray(source_heat_kw, dtype=np.float64), 0.0)
    available = np.minimum(recoverable_frac * q, max_heat_kw)
    recovered = np.minimum(available, np.maximum(np.asarray(sink_demand_kw, dtype=np.float64), 0.0))
    return available, recovered, q - recovered


class HeatRecoveryParams(ComponentParams):
    """Parameters of a waste-heat recovery unit."""

    source: str | None = Field(
        default=None,
        description="Name of the component whose output is the waste heat (an air_system, a "
        "production line); it must compute before heat recovery.",
    )
    source_output: str = Field(
        default="heat_of_compression_kw",
        description="Output of the source that holds the waste heat [kW] (an air_system's "
        "'heat_of_compression_kw', a line's exhaust output).",
    )
    heat_kw: ScheduledValue | None = Field(
        default=None,
        description="Instead of a source: exhaust heat [kW], a constant or {weekday, weekend, holiday} "
        "with 24 hourly values each.",
    )
    series: SeriesRef | None = Field(
        default=None, description="Instead of a source: hourly exhaust heat series [kW]."
    )
    recoverable_frac: float = Field(
        default=0.8,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="Share of the source heat the exchanger captures; ~0.8 for packaged "
        "screws, 0.5-0.9 (compressed_air_rules.csv) [-].",
    )
    max_heat_kw: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Exchanger rating [kW]; default unlimited.",
    )
    supply_temp_c: float = Field(
        default=70.0,
        gt=0,
        le=150,
        allow_inf_nan=False,
        description="Temperature at which the heat is delivered [°C].",
    )
    sink_temp_c: float | None = Field(
        default=None,
        gt=0,
        le=150,
        allow_inf_nan=False,
        description="Temperature the sink needs [°C]; must be at least approach_k below supply_temp_c.",
    )
    approach_k: float = Field(
        default=5.0,
        ge=0,
        le=30,
        allow_inf_nan=False,
        description="Minimum temperature difference across the exchanger [K].",
    )
    heat_bus: str = Field(default="hot_water", description="Heat bus supplied first (the sink).")
    extra_heat_buses: list[str] = Field(
        default_factory=list,
        description="Further heat buses served in this order with the heat the first sink "
        "could not take (e.g. space heating after process hot water). Use this rather than a "
        "second recovery unit on the same source, which would count the source heat twice.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [n for n in ("source", "heat_kw", "series") if getattr(self, n) is not None]
        if len(given) != 1:
            msg = (
                "give exactly one heat source: source (a component name), heat_kw (a "
                f"profile) or series; got {given or 'none'}"
            )
            raise ValueError(msg)
        buses = [self.heat_bus, *self.extra_heat_buses]
        if len(set(buses)) != len(buses):
            msg = f"extra_heat_buses: each bus once, got {buses}"
            raise ValueError(msg)
        if self.sink_temp_c is not None and self.sink_temp_c > self.supply_temp_c - self.approach_k:
            msg = (
                f"sink_temp_c: expected <= supply_temp_c - approach_k "
                f"({self.supply_temp_c - self.approach_k:g} °C), got {self.sink_temp_c}; "
                "heat at this level cannot serve the sink"
            )
            raise ValueError(msg)
        return self


@register_component("heat_recovery")
class HeatRecovery(Component):
    """Waste-heat recovery to heat buses (port ``heat`` to ``heat_bus``, then
    ``heat_<bus>`` per extra bus; out, role SUPPLY).

    Outputs: ``heat_source_kw``, ``heat_available_kw``, ``heat_recovered_kw``,
    ``heat_unused_kw`` (capturable but no sink) and ``heat_rejected_kw``
    (source heat not recovered).
    """

    stage = Stage.HEAT_RECOVERY
    Params = HeatRecoveryParams

    params: HeatRecoveryParams

    def ports(self) -> tuple[Port, ...]:
        p = self.params
        return (
            Port("heat", HEAT, Direction.OUT, p.heat_bus, Role.SUPPLY),
            *(
                Port(f"heat_{bus}", HEAT, Direction.OUT, bus, Role.SUPPLY)
                for bus in p.extra_heat_buses
            ),
        )

    def outputs(self) -> tuple[Output, ...]:
        return tuple(
            output(n)
            for n in (
                "heat_source_kw",
                "heat_available_kw",
                "heat_recovered_kw",
                "heat_unused_kw",
                "heat_rejected_kw",
            )
        )

    def references(self) -> tuple[str, ...]:
        return () if self.params.source is None else (self.params.source,)

    def _source_heat_kw(self, ctx: RunContext) -> np.ndarray:
        p = self.params
        if p.series is not None:
            return ctx.input_series(self.name, "series")
        if p.heat_kw is not None:
            return schedule_on_grid(p.heat_kw, ctx)
        try:
            outputs = ctx.flows(p.source).outputs
        except KeyError:
            msg = (
                f"heat_recovery[{self.name}].source: no component {p.source!r} computed before "
                "heat recovery; name an air_system or production line of the plant"
            )
            raise ConfigError(msg) from None
        if p.source_output not in outputs:
            msg = (
                f"heat_recovery[{self.name}].source_output: {p.source!r} has no output "
                f"{p.source_output!r}; its outputs: {', '.join(sorted(outputs)) or '(none)'}"
            )
            raise ConfigError(msg)
        return np.asarray(outputs[p.source_output], dtype=np.float64)

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        source = self._source_heat_kw(ctx)
        available, recovered, _ = recover_heat(
            source,
            ctx.net_demand(p.heat_bus),
            p.recoverable_frac,
            np.inf if p.max_heat_kw is None else p.max_heat_kw,
        )
        ports = {"heat": recovered}
        left = available - recovered
        for bus in p.extra_heat_buses:
            to_bus = np.minimum(left, np.maximum(ctx.net_demand(bus), 0.0))
            ports[f"heat_{bus}"] = to_bus
            left = left - to_bus
            recovered = recovered + to_bus
        rejected = np.maximum(source, 0.0) - recovered
        return Flows(
            ports=ports,
            outputs={
                "heat_source_kw": np.maximum(source, 0.0),
                "heat_available_kw": available,
                "heat_recovered_kw": recovered,
                "heat_unused_kw": available - recovered,
                "heat_rejected_kw": rejected,
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        o = flows.outputs
        source = float(o["heat_source_kw"].sum() * grid.step_h)
        recovered = float(o["heat_recovered_kw"].sum() * grid.step_h)
        return {
            "heat_source_kwh": source,
            "heat_recovered_kwh": recovered,
            "recovered_frac": recovered / source if source > 0 else 0.0,
        }

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "oven_exhaust_preheat",
            "heat_kw": {"weekday": [0.0] * 8 + [120.0] * 10 + [0.0] * 6},
            "recoverable_frac": 0.5,
            "supply_temp_c": 90.0,
            "sink_temp_c": 60.0,
        }
