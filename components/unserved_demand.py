"""Declared unserved demand: heat, cooling or air that the plant knowingly does not supply.

A demand on a bus with no supplier is an error at plant validation
(:func:`twin.checks.check_unserved_bus`). Where the user means it (a
validation case with ideal heating and cooling, as ASHRAE 140's ideal
plant; a process load whose plant is outside the model boundary), an
``unserved_demand`` on that bus takes whatever the components computed
before it left on the bus, so the bus balances, and reports it: its kpi
``unserved_kwh`` (or ``unserved_m3`` for compressed air) lands in the
summary under the component's name, and its port shows in the hourly frame.

It computes after every converter and heat supply (stage STORAGE), so it
takes only what nothing else could serve; it never serves electricity (the
grid connection closes that bus).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field, field_validator

from twin.carriers import get_carrier
from twin.component import (
    Component,
    ComponentParams,
    Direction,
    Flows,
    Meaning,
    Output,
    Port,
    Role,
    RunContext,
    Stage,
    output,
    register_component,
)
from twin.timegrid import TimeGrid

__all__ = ["UnservedDemand", "UnservedDemandParams"]

_CARRIERS = ("heat", "chilled_water", "compressed_air", "natural_gas")


class UnservedDemandParams(ComponentParams):
    """Parameters of a declared unserved demand."""

    carrier: str = Field(description="Carrier of the bus: " + ", ".join(_CARRIERS) + ".")
    bus: str = Field(description="Bus whose remaining demand is declared unserved.")
    reason: str = Field(
        min_length=1,
        description="Why the demand is left unserved (shown in the summary's provenance of the "
        "component and in reports).",
    )

    @field_validator("carrier")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in _CARRIERS:
            msg = (
                f"expected one of {', '.join(_CARRIERS)}, got {value!r} (electricity is closed "
                "by the grid connection)"
            )
            raise ValueError(msg)
        return value


@register_component("unserved_demand")
class UnservedDemand(Component):
    """What is left on a bus, declared unserved (port ``unserved``, OUT, Role.SUPPLY).

    Outputs: ``unserved_<quantity>`` (the same as the port) per step.
    """

    stage = Stage.STORAGE
    Params = UnservedDemandParams

    params: UnservedDemandParams

    def ports(self) -> tuple[Port, ...]:
        carrier = get_carrier(self.params.carrier)
        return (Port("unserved", carrier, Direction.OUT, self.params.bus, Role.SUPPLY),)

    def outputs(self) -> tuple[Output, ...]:
        carrier = get_carrier(self.params.carrier)
        return (
            output(
                f"unserved_{carrier.quantity}",
                Meaning.UNMET,
                carrier=carrier,
                description="Demand left on the bus, declared unserved",
            ),
        )

    @classmethod
    def example_params(cls) -> dict[str, Any]:
        return {
            "name": "ideal_heating",
            "carrier": "heat",
            "bus": "hot_water",
            "reason": "ideal heating of a validation case",
        }

    def compute(self, ctx: RunContext) -> Flows:
        left = np.maximum(ctx.net_demand(self.params.bus), 0.0)
        quantity = get_carrier(self.params.carrier).quantity
        return Flows(ports={"unserved": left}, outputs={f"unserved_{quantity}": left.copy()})

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        carrier = get_carrier(self.params.carrier)
        total = float(np.sum(flows.ports["unserved"]) * grid.step_h)
        if carrier.name == "compressed_air":
            # m³/min over step_h hours -> m³
            return {"unserved_m3": total * 60.0, "peak_unserved_m3_per_min": _peak(flows)}
        return {"unserved_kwh": total, "peak_unserved_kw": _peak(flows)}


def _peak(flows: Flows) -> float:
    return float(np.max(flows.ports["unserved"], initial=0.0))
