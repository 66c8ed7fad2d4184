"""The energy balance of a run, per carrier and bus, from declared ports only.

One row per component port with its energy over the run, plus a row for
demand no supplier could serve and for surplus nothing could take, so every
bus closes: the sum of what flows ``in`` to a bus equals the sum of what flows
``out`` of it. The annual figures of the summary (use, on-site generation by
source, import, export) are sums of these rows; a new generator, fuel or
supply counts correctly as soon as its ports are declared.

Amounts are energies [kWh] for carriers whose flows are powers [kW], and
volumes of free air [m³] for compressed air (flows in [m³/min]).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from twin.component import Component, Direction, Flows
from twin.timegrid import TimeGrid

__all__ = [
    "BALANCE_COLUMNS",
    "amount_of",
    "balance_closure",
    "balance_frame",
    "balance_rows",
    "build_balance",
]

BALANCE_COLUMNS = [
    "carrier",
    "bus",
    "component",
    "kind",
    "direction",
    "amount",
    "unit",
    "source",
    "renewable",
]
"""Columns of ``balance.csv``. ``kind`` is the port's role (``use``,
``generation``, ``supply``, ``charge``, ``discharge``, ``import``,
``export``) or ``unmet`` / ``surplus`` for the closing rows; ``direction``
is relative to the bus (``in`` to the bus, ``out`` of it); ``source`` is the
energy source of on-site generation or the fuel a meter imports, and
``renewable`` the generation's attribute."""

_CLOSING_TOLERANCE = 1e-6
"""Unmet or surplus flows at or below this are rounding, not a closing row [carrier unit]."""

UNMET = "(unmet)"
"""Component name of the closing row for demand no supplier served."""
SURPLUS = "(surplus)"
"""Component name of the closing row for surplus nothing could take."""


def amount_of(flow: np.ndarray, flow_unit: str, grid: TimeGrid) -> tuple[float, str]:
    """Total of a per-step flow over the run: [kWh] for [kW], [m³] for [m³/min]."""
    if flow_unit == "kW":
        return grid.energy_kwh(flow), "kWh"
    if flow_unit == "m3/min":
        return float(np.sum(flow)) * grid.step_h * 60.0, "m3"
    msg = f"no amount rule for flows in {flow_unit!r}"
    raise ValueError(msg)


def build_balance(
    components: tuple[Component, ...],
    flows: Mapping[str, Flows],
    buses: Mapping[str, object],
    unmet_by_bus: Mapping[str, np.ndarray],
    surplus_by_bus: Mapping[str, np.ndarray],
    grid: TimeGrid,
) -> pd.DataFrame:
    """The balance table (columns :data:`BALANCE_COLUMNS`), buses in order of first use.

    Parameters
    ----------
    components : tuple of Component
    flows : mapping
        Component name -> final flows.
    buses : mapping
        Bus name -> :class:`twin.carriers.Bus`.
    unmet_by_bus, surplus_by_bus : mapping
        Per-step demand not served and surplus not taken, per bus [carrier unit].
    grid : TimeGrid
    """
    rows = balance_rows(components, flows, buses, unmet_by_bus, surplus_by_bus, grid)
    return balance_frame(rows)


def balance_frame(rows: list[tuple]) -> pd.DataFrame:
    """The balance table of :func:`balance_rows`."""
    frame = pd.DataFrame(rows, columns=BALANCE_COLUMNS)
    return frame.astype({"amount": "float64", "renewable": "bool"})


def balance_rows(
    components: tuple[Component, ...],
    flows: Mapping[str, Flows],
    buses: Mapping[str, object],
    unmet_by_bus: Mapping[str, np.ndarray],
    surplus_by_bus: Mapping[str, np.ndarray],
    grid: TimeGrid,
) -> list[tuple]:
    """The rows of :func:`build_balance`, as tuples in :data:`BALANCE_COLUMNS` order."""
    rows: list[tuple] = []
    for c in components:
        f = flows[c.name]
        for port in c.ports():
            amount, unit = amount_of(f.ports[port.name], port.carrier.flow_unit, grid)
            direction = "in" if port.direction is Direction.OUT else "out"
            rows.append(
                (
                    port.carrier.name,
                    port.bus,
                    c.name,
                    port.role.value,
                    direction,
                    amount,
                    unit,
                    port.source or port.fuel,
                    port.renewable,
                )
            )
    for name, bus in buses.items():
        carrier = bus.carrier
        for label, kind, direction, per_bus in (
            (UNMET, "unmet", "in", unmet_by_bus),
            (SURPLUS, "surplus", "out", surplus_by_bus),
        ):
            arr = per_bus.get(name)
            if arr is None or not np.any(arr > _CLOSING_TOLERANCE):
                continue
            amount, unit = amount_of(arr, carrier.flow_unit, grid)
            rows.append((carrier.name, name, label, kind, direction, amount, unit, "", False))
    return rows


def balance_closure(balance: pd.DataFrame) -> pd.DataFrame:
    """Per bus: total in, total out and the relative closure
    ``|in - out| / max(in, out)`` (0 for an idle bus)."""
    signed = balance.assign(
        in_amount=np.where(balance["direction"] == "in", balance["amount"], 0.0),
        out_amount=np.where(balance["direction"] == "out", balance["amount"], 0.0),
    )
    per_bus = signed.groupby(["carrier", "bus", "unit"], sort=False)[
        ["in_amount", "out_amount"]
    ].sum()
    scale = np.maximum(per_bus["in_amount"], per_bus["out_amount"])
    gap = (per_bus["in_amount"] - per_bus["out_amount"]).abs()
    per_bus["closure_frac"] = np.divide(gap, scale, out=np.zeros(len(gap)), where=scale > 0)
    return per_bus.reset_index()
