"""The typed annual summary of a run (what ``summary.json`` holds).

Every field is declared once with its unit and meaning; ``summary.json``
is this model's dump and the reports, experiments, sweeps and M&V read it.
The energy figures come from the run's balance (:mod:`twin.accounting.balance`)
and its declared series (:mod:`twin.accounting.kpi`), costs from the tariff,
emissions from the carbon ledger. Per-component indicators hang off
``components`` with unit-suffixed keys (:func:`twin.component.unit_of`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from twin.accounting.balance import BALANCE_COLUMNS
from twin.accounting.cost import CostBreakdown
from twin.accounting.intensity import INTENSITY_COLUMNS, intensity_records
from twin.accounting.kpi import PlantSeries, energy_kpis
from twin.component import Flows, Meaning, Role
from twin.timegrid import TimeGrid

__all__ = ["Summary", "build_summary", "summary_fields"]

_FUEL_CARRIERS = ("natural_gas",)


def _f(unit: str, description: str, default: Any = 0.0) -> Any:
    return Field(default=default, description=description, json_schema_extra={"unit": unit})


class Summary(BaseModel):
    """Annual figures of one run.

    Read a field as an attribute (``summary.grid_import_kwh``) or, as in the
    JSON file, by key (``summary["grid_import_kwh"]``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # -- electricity, from the balance and the declared series ------------------
    electricity_use_kwh: float = _f(
        "kWh", "final electricity use of loads and converters (USE ports)"
    )
    onsite_generation_kwh: float = _f(
        "kWh", "on-site electricity generation after curtailment, every source"
    )
    generation_by_source_kwh: dict[str, float] = _f(
        "kWh", "on-site generation by declared energy source (solar, natural_gas, ...)", default={}
    )
    renewable_generation_kwh: float = _f(
        "kWh", "on-site generation from sources declared renewable"
    )
    onsite_self_consumed_kwh: float = _f(
        "kWh",
        "on-site generation used on site: generation - the export attributed to it step by step",
    )
    renewable_self_consumed_kwh: float = _f(
        "kWh",
        "renewable on-site generation used on site (export attributed pro rata to generators)",
    )
    pv_ac_kwh: float = _f("kWh", "solar generation, AC, after curtailment")
    pv_curtailed_kwh: float = _f("kWh", "solar generation curtailed for lack of export capacity")
    curtailed_kwh: float = _f("kWh", "generation curtailed, every source")
    pv_self_consumed_kwh: float = _f(
        "kWh", "solar generation used on site (directly or through storage)"
    )
    pv_self_consumption_frac: float = _f("-", "self-consumed share of solar generation")
    grid_import_kwh: float = _f("kWh", "electricity imported from the grid (IMPORT ports)")
    grid_export_kwh: float = _f("kWh", "electricity exported to the grid (EXPORT ports)")
    peak_import_kw: float = _f("kW", "largest step-mean import")
    battery_charge_kwh: float = _f("kWh", "storage charge, AC side")
    battery_discharge_kwh: float = _f("kWh", "storage discharge, AC side")
    battery_loss_kwh: float = _f("kWh", "storage conversion and self-discharge losses")
    self_sufficiency_frac: float = _f("-", "1 - grid import / (use + storage losses)")
    renewable_share_frac: float = _f(
        "-",
        "with a [ledger]: market-based renewable share (on-site generation still carrying its "
        "attributes + instruments applied to grid import) / (use + storage losses); without one: "
        "on-site renewable self-consumed / (use + storage losses)",
    )
    unmet_kwh: float = _f("kWh", "electricity demand above the import limit")
    fuel_import_kwh: dict[str, float] = _f(
        "kWh",
        "fuel received at the plant's meters by fuel, LHV basis (IMPORT ports of fuel carriers)",
        default={},
    )
    unmet_by_bus: dict[str, float] = _f(
        "kWh (m3 for compressed air)", "demand no supplier served, per bus with any", default={}
    )
    # -- money ------------------------------------------------------------------
    energy_cost_cny: float = _f("CNY", "energy charge of grid imports")
    demand_cost_cny: float = _f("CNY", "maximum-demand basic charge")
    capacity_cost_cny: float = _f("CNY", "capacity basic charge")
    export_revenue_cny: float = _f("CNY", "revenue of exports")
    power_factor_adjustment_cny: float = _f(
        "CNY",
        "power-factor adjustment (力调电费, (83)水电财字第215号): a surcharge (> 0) or a rebate (< 0)",
    )
    total_cost_cny: float = _f(
        "CNY", "electricity: energy + basic charges + power-factor adjustment - export revenue"
    )
    fuel_cost_cny: float = _f("CNY", "bills of fuel and heat supplies (COST outputs of components)")
    # -- carbon, from the ledger's inventory -------------------------------------
    scope1_tco2: float = _f(
        "t CO2e",
        "direct emissions: fuel at the meter and fuel burned from own stock, manual fuels, "
        "process, refrigerant leakage",
    )
    scope2_location_tco2: float = _f(
        "t CO2e", "purchased electricity (import x grid factor) and heat, location-based"
    )
    scope2_market_tco2: float = _f(
        "t CO2e",
        "purchased electricity and heat, market-based (instruments at zero, the rest at the "
        "residual mix; never below zero)",
    )
    scope3_tco2: float = _f("t CO2e", "value-chain sources given in [ledger]")
    removals_tco2: float = _f("t CO2e", "removals within the value chain")
    offsets_tco2: float = _f("t CO2e", "retired credits applied to the residual (ISO 14068-1)")
    net_tco2: float = _f("t CO2e", "boundary emissions - removals - offsets applied (>= 0)")
    onsite_renewable_share_frac: float = _f(
        "-", "self-consumed on-site renewable generation / (use + storage losses)"
    )
    comprehensive_energy_tce: float = _f(
        "tce",
        "综合能耗, GB/T 2589-2020: energy taken from outside less electricity exported, electricity "
        "on the calorific-value basis (当量值, 0.1229 kgce/kWh)",
    )
    comprehensive_energy_equivalent_tce: float | None = _f(
        "tce",
        "综合能耗 with electricity on the equivalent-value basis (等价值, the year's published "
        "thermal-power supply coal rate given in [ledger]); null without it",
        default=None,
    )
    product_intensity: dict[str, dict[str, float]] = _f(
        "per key suffix",
        "per production line: units, final energy (direct, utilities, shared) per unit, "
        "comprehensive energy and scope 1 + 2 per unit, shared utilities allocated by the rule of "
        "twin.accounting.intensity",
        default={},
    )
    # -- structured parts ---------------------------------------------------------
    components: dict[str, dict[str, float]] = _f(
        "per key suffix", "per-component indicators, unit-suffixed keys", default={}
    )
    ledger: dict[str, Any] = _f("-", "the carbon ledger's choices and notes", default={})
    provenance: dict[str, Any] = _f(
        "-", "version, config hash, weather hash, seed, software", default={}
    )
    warnings: list[str] = _f("-", "doubtful input and unmet demand found by the run", default=[])
    notes: list[str] = _f(
        "-",
        "how a figure was obtained where it is an estimate or a bound (demand billed on a "
        "coarser step than the tariff's interval)",
        default=[],
    )

    # -- read as a mapping (what summary.json holds) --------------------------------
    def __getitem__(self, key: str) -> Any:
        if key not in type(self).model_fields:
            known = ", ".join(type(self).model_fields)
            msg = f"no summary field {key!r}; fields: {known}"
            raise KeyError(msg)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in type(self).model_fields else default

    def keys(self) -> Iterator[str]:
        return iter(type(self).model_fields)

    def __contains__(self, key: object) -> bool:
        return key in type(self).model_fields


def summary_fields() -> dict[str, tuple[str, str]]:
    """Field name -> (unit, description) of :class:`Summary` (docs, reports)."""
    return {
        name: (str((f.json_schema_extra or {}).get("unit", "")), f.description or "")
        for name, f in Summary.model_fields.items()
    }


def _fuel_cost_cny(plant: Any, flows: Mapping[str, Flows], grid: TimeGrid) -> float:
    total = 0.0
    for c in plant.components:
        if c is plant.slack:
            continue
        for out in c.outputs():
            if out.meaning is Meaning.COST:
                total += float(np.sum(flows[c.name].outputs[out.name]))
    return total


def _sum_by_source(gen: list[tuple]) -> dict[str, float]:
    """Generation [kWh] per source, sources sorted, as pandas' ``groupby(source).sum()``
    gives it: Kahan-compensated sums in row order, rows without a source left out."""
    sums: dict[str, tuple[float, float]] = {}
    for r in gen:
        source, amount = r[7], r[5]
        if source is None or (isinstance(source, float) and np.isnan(source)):
            continue
        if np.isnan(amount):
            continue
        total, comp = sums.get(source, (0.0, 0.0))
        y = amount - comp
        t = total + y
        comp = t - total - y
        if comp != comp:  # inf - inf
            comp = 0.0
        sums[source] = (t, comp)
    return {k: float(sums[k][0]) for k in sorted(sums)}


def build_summary(
    plant: Any,
    flows: Mapping[str, Flows],
    series: PlantSeries,
    cost: CostBreakdown,
    ledger: Any,
    balance: pd.DataFrame | list[tuple],
    *,
    provenance: Mapping[str, Any],
    run_warnings: list[str],
) -> Summary:
    """The summary of a run.

    Use, generation by source, import, export and fuel at the meters are sums
    of the balance's rows; self-consumption and shares use the per-step
    attribution of export (:func:`twin.accounting.kpi.energy_kpis`).
    """
    grid = plant.grid
    values: dict[str, Any] = energy_kpis(series, grid)
    rows = (
        list(balance[BALANCE_COLUMNS].itertuples(index=False, name=None))
        if isinstance(balance, pd.DataFrame)
        else balance
    )
    elec = [r for r in rows if r[0] == "electricity"]  # carrier

    def total(selected: list[tuple]) -> float:
        # what pandas' sum of the selected amounts gives: numpy's sum, NaN skipped
        return float(np.nansum(np.array([r[5] for r in selected], dtype=np.float64)))

    def of_kind(kind: Role) -> list[tuple]:
        return [r for r in elec if r[3] == kind.value]

    gen = of_kind(Role.GENERATION)
    values.update(
        electricity_use_kwh=total(of_kind(Role.USE)),
        onsite_generation_kwh=total(gen),
        generation_by_source_kwh=_sum_by_source(gen),
        renewable_generation_kwh=total([r for r in gen if r[8]]),
        grid_import_kwh=total(of_kind(Role.IMPORT)),
        grid_export_kwh=total(of_kind(Role.EXPORT)),
    )
    fuels: dict[str, float] = {}
    for c in plant.components:
        for p in c.ports():
            if p.role is Role.IMPORT and p.fuel and p.carrier.is_energy:
                fuels[p.fuel] = fuels.get(p.fuel, 0.0) + grid.energy_kwh(
                    flows[c.name].ports[p.name]
                )
    values.update(
        fuel_import_kwh=fuels,
        unmet_by_bus={str(r[1]): float(r[5]) for r in rows if r[3] == "unmet"},
        energy_cost_cny=cost.energy_cost_cny,
        demand_cost_cny=cost.demand_cost_cny,
        capacity_cost_cny=cost.capacity_cost_cny,
        export_revenue_cny=cost.export_revenue_cny,
        power_factor_adjustment_cny=cost.power_factor_adjustment_cny,
        total_cost_cny=cost.total_cost_cny,
        fuel_cost_cny=_fuel_cost_cny(plant, flows, grid),
    )
    values.update(ledger.summary_keys())
    neu = ledger.neutrality
    intensity = intensity_records(
        plant.components,
        flows,
        grid,
        plant_final_kwh=values["electricity_use_kwh"] + sum(fuels.values()),
        plant_tce=values["comprehensive_energy_tce"],
        plant_tco2e=neu.emissions_tco2
        - (values["scope3_tco2"] if ledger.config.boundary == "type_ii" else 0.0),
    )
    values["product_intensity"] = {
        str(r["line"]): {k: float(r[k]) for k in INTENSITY_COLUMNS if k != "line"}
        for r in intensity
    }
    kpis = {c.name: c.kpis(flows[c.name], grid) for c in plant.components}
    values.update(
        components={k: {n: float(x) for n, x in v.items()} for k, v in kpis.items() if v},
        ledger=ledger.describe(),
        provenance=dict(provenance),
        warnings=list(run_warnings),
        notes=list(cost.notes),
    )
    return Summary(**values)
