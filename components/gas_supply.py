"""The gas supply: the natural-gas slack, its meter, bill and CO2.

A gas supply closes a natural-gas bus at every step, like the grid
connection closes the electricity bus: it imports what the burners on the
bus (boilers, ovens) still need. Flows on the bus are fuel power on the
lower-heating-value basis [kW]; the meter counts normal cubic metres
through the LHV, the bill is per Nm³, and the direct (scope 1) CO2 is
counted here, once, from the metered fuel:

.. math:: V = P_{LHV} / H_i, \\qquad \\dot m_{CO_2} = V \\cdot EF

Defaults are China's natural-gas factors (各种能源折标准煤及碳排放参考系数 with GB/T 2589 calorific values,
``cn_fuel_combustion_factors.csv``): NCV 38,931 kJ/Nm³ (GB/T 2589) and
EF = NCV x 15.3 tC/TJ x 0.99 x 44/12 = 2.1622 kg CO2/Nm³.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from twin.carriers import NATURAL_GAS
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

__all__ = ["NG_EF_KG_PER_NM3", "NG_LHV_KWH_PER_NM3", "GasSupply", "GasSupplyParams"]

NG_LHV_KWH_PER_NM3 = 38931.0 / 3600.0
"""Net calorific value of natural gas, 38,931 kJ/Nm³ (GB/T 2589, via
cn_fuel_combustion_factors.csv) = 10.814 kWh/Nm³ [kWh/Nm³]."""

NG_EF_KG_PER_NM3 = 2.1622
"""CO2 emission factor of natural gas combustion: 38.931 GJ/10³Nm³ x 15.3
tC/TJ x 0.99 oxidation x 44/12 (cn_fuel_combustion_factors.csv) [kg CO2/Nm³]."""


class GasSupplyParams(ComponentParams):
    """Parameters of a gas supply."""

    fuel: Literal["natural_gas"] = Field(default="natural_gas", description="Fuel supplied.")
    price_cny_per_nm3: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="Gas price, all charges per normal cubic metre [CNY/Nm³].",
    )
    lhv_kwh_per_nm3: float = Field(
        default=NG_LHV_KWH_PER_NM3,
        gt=0,
        allow_inf_nan=False,
        description="Lower heating value: 38,931 kJ/Nm³ = 10.814 kWh/Nm³ (GB/T 2589, "
        "cn_fuel_combustion_factors.csv) [kWh/Nm³].",
    )
    ef_kg_per_nm3: float = Field(
        default=NG_EF_KG_PER_NM3,
        ge=0,
        allow_inf_nan=False,
        description="Combustion CO2 factor: 2.1622 kg CO2/Nm³ = NCV x 15.3 tC/TJ x 0.99 x 44/12 "
        "(cn_fuel_combustion_factors.csv; GB/T 32150 practice) [kg CO2/Nm³].",
    )
    max_flow_nm3_per_h: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Capacity of the connection [Nm³/h]; demand above it is unmet. Default unlimited.",
    )
    bus: str = Field(default="natural_gas", description="Natural-gas bus served.")


@register_component("gas_supply")
class GasSupply(Component):
    """Natural-gas import (port ``import``, out to the bus, role IMPORT).

    Outputs: ``fuel_nm3_per_h`` (metered gas), ``co2_kg_per_h`` (scope 1,
    counted here and nowhere else), ``cost_cny`` (bill per step) and
    ``unmet_kw`` (demand above ``max_flow_nm3_per_h``).
    """

    stage = Stage.SLACK
    Params = GasSupplyParams

    params: GasSupplyParams

    def ports(self) -> tuple[Port, ...]:
        return (
            Port(
                "import",
                NATURAL_GAS,
                Direction.OUT,
                self.params.bus,
                Role.IMPORT,
                fuel=self.params.fuel,
            ),
        )

    def outputs(self) -> tuple[Output, ...]:
        fuel = self.params.fuel
        return (
            output("fuel_nm3_per_h", Meaning.FUEL, fuel=fuel, description="metered gas volume"),
            output("co2_kg_per_h", Meaning.EMISSIONS, description="CO2 at the supply's own factor"),
            output("cost_cny", Meaning.COST, description="gas bill"),
            output(
                "unmet_kw",
                Meaning.UNMET,
                carrier=NATURAL_GAS,
                description="demand above the supply limit",
            ),
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        net = np.maximum(ctx.net_demand(p.bus), 0.0)
        limit_kw = (
            np.inf if p.max_flow_nm3_per_h is None else p.max_flow_nm3_per_h * p.lhv_kwh_per_nm3
        )
        imp = np.minimum(net, limit_kw)
        nm3_per_h = imp / p.lhv_kwh_per_nm3
        return Flows(
            ports={"import": imp},
            outputs={
                "fuel_nm3_per_h": nm3_per_h,
                "co2_kg_per_h": nm3_per_h * p.ef_kg_per_nm3,
                "cost_cny": nm3_per_h * ctx.grid.step_h * p.price_cny_per_nm3,
                "unmet_kw": np.maximum(net - limit_kw, 0.0),
            },
        )

    def kpis(self, flows: Flows, grid: TimeGrid) -> dict[str, float]:
        o = flows.outputs
        nm3 = float(o["fuel_nm3_per_h"].sum() * grid.step_h)
        return {
            "fuel_use_nm3": nm3,
            "fuel_use_kwh": float(flows.ports["import"].sum() * grid.step_h),
            "cost_cny": float(o["cost_cny"].sum()),
            "co2_t": float(o["co2_kg_per_h"].sum() * grid.step_h / 1000.0),
        }

    @classmethod
    def example_params(cls) -> dict:
        return {"name": "gas", "price_cny_per_nm3": 3.6}
