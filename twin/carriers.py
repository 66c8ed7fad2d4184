"""Energy carriers and buses.

A carrier says what flows (electricity, natural gas, heat, chilled water,
compressed air) and in which unit its flows are counted. A bus is one node
of one carrier at one level (``electricity``, ``heat_80c``, ``air_7bar_g``);
every bus balances at every step. Conversion between carriers is never
implicit: it is a named parameter of a converter component (``cop``,
``efficiency_lhv``, ``specific_power_kw_per_m3_per_min``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CARRIERS",
    "CHILLED_WATER",
    "COMPRESSED_AIR",
    "ELECTRICITY",
    "HEAT",
    "NATURAL_GAS",
    "Bus",
    "Carrier",
    "get_carrier",
]


@dataclass(frozen=True)
class Carrier:
    """One energy carrier.

    Attributes
    ----------
    name : str
        Identifier used in configs and results.
    flow_unit : str
        Unit of a port flow of this carrier (``"kW"`` or ``"m3/min"``).
    quantity : str
        Unit-suffixed results quantity for a flow (``"power_kw"``).
    description : str
        Basis of the flow (for example LHV for fuels).
    """

    name: str
    flow_unit: str
    quantity: str
    description: str

    @property
    def is_energy(self) -> bool:
        """True when flows are power in kW, so energy = flow x step_h [kWh]."""
        return self.flow_unit == "kW"


ELECTRICITY = Carrier("electricity", "kW", "power_kw", "AC active power")
NATURAL_GAS = Carrier(
    "natural_gas", "kW", "power_kw", "fuel power on lower heating value (LHV) basis"
)
HEAT = Carrier("heat", "kW", "power_kw", "thermal power at the bus supply temperature")
CHILLED_WATER = Carrier("chilled_water", "kW", "power_kw", "cooling power")
COMPRESSED_AIR = Carrier(
    "compressed_air",
    "m3/min",
    "flow_m3_per_min",
    "free air delivery per ISO 1217 (inlet conditions) at the bus pressure level",
)

CARRIERS: dict[str, Carrier] = {
    c.name: c for c in (ELECTRICITY, NATURAL_GAS, HEAT, CHILLED_WATER, COMPRESSED_AIR)
}


def get_carrier(name: str) -> Carrier:
    """Return the carrier called ``name``; the error lists the known ones."""
    try:
        return CARRIERS[name]
    except KeyError:
        msg = f"unknown carrier {name!r}; known carriers: {', '.join(sorted(CARRIERS))}"
        raise ValueError(msg) from None


@dataclass(frozen=True)
class Bus:
    """A balance node: one carrier at one level.

    Attributes
    ----------
    name : str
        Bus name as used in configs (``"electricity"``, ``"air_7bar_g"``).
    carrier : Carrier
        What flows through the bus.
    """

    name: str
    carrier: Carrier
