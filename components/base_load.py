"""Base loads: electricity demand described by profiles, not by physics.

For loads not (yet) modelled in detail — lighting, offices, utilities,
miscellaneous plug loads, whole departments — a base load gives hourly
power profiles for workdays, weekends and public holidays (optionally
scaled by month), or an hourly series from a CSV file (for example a
sub-meter's record). It is a :class:`components.demand_profile.DemandProfile`
whose carrier and bus default to electricity and whose port is ``el``.
Within an hour the profile value is held for every step, so an hourly mean
power is reproduced exactly at any step length.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from twin.components.demand_profile import DemandProfile, DemandProfileParams

from twin.component import register_component

__all__ = ["BaseLoad", "BaseLoadParams"]


class BaseLoadParams(DemandProfileParams):
    """Parameters of a base load (an electric demand profile)."""

    carrier: Literal["electricity"] = Field(
        default="electricity", description="Carrier demanded: electricity [kW]."
    )
    bus: str = Field(default="electricity", description="Electricity bus the load draws from.")


@register_component("base_load")
class BaseLoad(DemandProfile):
    """An electric load given by profiles or a series (port ``el``, role USE)."""

    Params = BaseLoadParams
    port_name = "el"

    params: BaseLoadParams

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "offices",
            "demand_kw": {"weekday": [20.0] * 8 + [60.0] * 10 + [20.0] * 6, "weekend": [20.0] * 24},
        }
