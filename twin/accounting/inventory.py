"""The GHG inventory of a run, one row per source (ISO 14064-1 / GB/T 32150).

Rows and where their activity data come from:

- scope 1, stationary combustion: every ``IMPORT`` port that declares the
  fuel it meters (the gas meter). The quantity is the component's declared
  ``FUEL`` output in Nm³/h (the metered volume) when it has one, otherwise
  the port's energy on an LHV basis. The factor comes from the ledger's
  factor set (Chinese practice, IPCC 2006, or the component's own
  ``EMISSIONS`` output). Fuel is counted once, at the meter: a converter
  that burns metered fuel and also declares emissions is not counted again.
  Fuel a component burns from its own stock (a declared ``FUEL`` output in
  kW, LHV, on a component with no meter: a diesel set's tank) is counted
  with the factor set's factor for that fuel; a component's own
  ``EMISSIONS`` on fuel no supply meters are counted as reported.
- scope 1, manual fuel entries (stationary or mobile), process emissions,
  refrigerant leakage (charge x annual leak rate x GWP-100, per system).
- scope 2, purchased electricity, both methods of the GHG Protocol Scope 2
  Guidance: location-based = grid import per step x grid factor per step;
  market-based = import covered by contractual instruments (green power
  contracts 绿电交易, GECs 绿证, PPAs) at zero, the uncovered remainder x
  the residual-mix factor (China: national average excluding market-traded
  non-fossil power). On-site generation is never purchased electricity.
- scope 2, purchased heat: components importing ``heat`` and metered entries.
- scope 3 (Type II boundary): activity x factor per entry.

Every row satisfies ``tco2e = quantity x factor / 1000`` (factor in kg per
unit); for time-varying factors the factor shown is the import-weighted
mean, so the identity still holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.accounting.emissions import scope2_location_tco2
from twin.accounting.kpi import PlantSeries
from twin.component import Component, Direction, Flows, Meaning, Port, Role, TariffSignals
from twin.config.ledger import ENERGY_UNITS_GJ, FactorSpec, Instrument, LedgerConfig
from twin.errors import ConfigError
from twin.factors import grid_factor
from twin.factors.fuels import fuel_factor, fuel_key, purchased_heat_factor, refrigerant_gwp
from twin.plant import Plant, read_series
from twin.timegrid import TimeGrid

__all__ = [
    "INVENTORY_COLUMNS",
    "ElectricityAccount",
    "Inventory",
    "InventoryRow",
    "build_inventory",
    "factor_per_step",
    "location_factor",
    "residual_factor",
]

INVENTORY_COLUMNS = [
    "scope",
    "category",
    "basis",
    "source",
    "activity",
    "quantity",
    "unit",
    "factor",
    "factor_unit",
    "factor_source",
    "tco2e",
]
"""Columns of ``inventory.csv``. ``basis`` is ``location`` or ``market`` for
scope 2 rows (each scope 2 source appears once per method) and empty
otherwise."""

_KIND_LABEL = {
    "green_power_contract": "green power contract (绿电交易)",
    "gec": "green electricity certificates (绿证)",
    "ppa": "power purchase agreement",
}
_GJ_PER_KWH = 0.0036
_TOL_KWH = 1e-6


@dataclass(frozen=True)
class InventoryRow:
    """One source of the inventory.

    Attributes
    ----------
    scope : int
        1, 2 or 3.
    category : str
        ISO 14064-1 / GHG Protocol category (stationary combustion, ...).
    basis : str
        ``location`` or ``market`` for scope 2, else ``""``.
    source : str
        Component or config entry the row comes from.
    activity : str
        What was measured or modelled.
    quantity : float
        Activity data [unit].
    unit : str
    factor : float
        Emission factor [factor_unit], kg CO2e per unit of activity.
    factor_unit : str
    factor_source : str
        Document, table and derivation of the factor.
    tco2e : float
        Emissions [t CO2e].
    """

    scope: int
    category: str
    basis: str
    source: str
    activity: str
    quantity: float
    unit: str
    factor: float
    factor_unit: str
    factor_source: str
    tco2e: float


@dataclass(frozen=True)
class ElectricityAccount:
    """Electricity and its renewable attributes over the run [kWh].

    Attributes
    ----------
    grid_import_kwh, need_kwh : float
        Purchased grid electricity; electricity use plus storage losses.
    generation_kwh, exported_kwh, self_consumed_kwh : float
        On-site renewable generation, its export, and the part used on site.
    gec_sold_kwh : float
        Certificates of the plant's own generation sold to others.
    instruments_kwh, instruments_applied_kwh, instruments_not_applied_kwh : float
        Instruments listed, applied to the grid import, and left over (cap).
    onsite_instruments_applied_kwh : float
        Applied instruments issued for the plant's own generation.
    onsite_claim_kwh : float
        Self-consumed renewable generation still carrying its attributes.
    location_ef_kg_per_kwh, residual_ef_kg_per_kwh : float
        Import-weighted grid and residual-mix factors [kg CO2/kWh].
    instruments_by_technology_kwh : dict of str to float
        Applied instruments by generating technology (``hydro``, ``wind``,
        ``solar_pv``, ...; ``unstated`` when an instrument names none).
    hourly_matched_kwh : float
        The part of instruments_applied_kwh matched hour by hour.
    renewable_kwh : float
        onsite_claim_kwh + instruments_applied_kwh.
    """

    grid_import_kwh: float
    need_kwh: float
    generation_kwh: float
    exported_kwh: float
    self_consumed_kwh: float
    gec_sold_kwh: float
    instruments_kwh: float
    instruments_applied_kwh: float
    instruments_not_applied_kwh: float
    onsite_instruments_applied_kwh: float
    onsite_claim_kwh: float
    location_ef_kg_per_kwh: float
    residual_ef_kg_per_kwh: float
    instruments_by_technology_kwh: dict[str, float] = field(default_factory=dict)
    hourly_matched_kwh: float = 0.0

    @property
    def renewable_kwh(self) -> float:
        return self.onsite_claim_kwh + self.instruments_applied_kwh

    @property
    def renewable_share_frac(self) -> float:
        """Market-based renewable share: (on-site claim + instruments) / need [-]."""
        return min(self.renewable_kwh / self.need_kwh, 1.0) if self.need_kwh > 0 else 0.0

    @property
    def onsite_renewable_share_frac(self) -> float:
        """Self-consumed on-site renewable generation / need [-] (attributes ignored)."""
        return self.self_consumed_kwh / self.need_kwh if self.need_kwh > 0 else 0.0


@dataclass(frozen=True)
class Inventory:
    """The rows of the inventory, with the electricity account behind scope 2."""

    rows: tuple[InventoryRow, ...]
    electricity: ElectricityAccount
    notes: tuple[str, ...] = field(default_factory=tuple)

    def total_tco2(self, scope: int, basis: str = "") -> float:
        """Sum of the rows of one scope (and scope 2 basis) [t CO2e]."""
        return float(sum(r.tco2e for r in self.rows if r.scope == scope and r.basis == basis))

    @property
    def scope1_tco2(self) -> float:
        return self.total_tco2(1)

    @property
    def scope2_location_tco2(self) -> float:
        return self.total_tco2(2, "location")

    @property
    def scope2_market_tco2(self) -> float:
        return self.total_tco2(2, "market")

    @property
    def scope3_tco2(self) -> float:
        return self.total_tco2(3)

    def frame(self) -> pd.DataFrame:
        """The rows as a table with :data:`INVENTORY_COLUMNS`."""
        records = [[getattr(r, c) for c in INVENTORY_COLUMNS] for r in self.rows]
        return pd.DataFrame(records, columns=INVENTORY_COLUMNS)


def factor_per_step(
    spec: FactorSpec, grid: TimeGrid, base_dir: str | Path, where: str
) -> np.ndarray:
    """A factor spec as an array on the grid [kg CO2/kWh].

    Raises
    ------
    ConfigError
        A series file that is missing or does not fit the grid.
    """
    if spec.ef_kg_per_kwh is not None:
        return np.full(grid.n_steps, spec.ef_kg_per_kwh)
    if spec.monthly_ef_kg_per_kwh is not None:
        return np.asarray(spec.monthly_ef_kg_per_kwh, dtype=np.float64)[grid.month - 1]
    values, _ = read_series(spec.series, grid, Path(base_dir), where)
    return values


def _weighted(kg: float, quantity: float, ef: np.ndarray) -> float:
    """Factor shown in a row: kg / quantity, or the plain mean when nothing flowed."""
    return kg / quantity if quantity > 0 else float(np.mean(ef)) if ef.size else 0.0


def _form(spec_or_ef: FactorSpec | np.ndarray) -> str:
    if isinstance(spec_or_ef, FactorSpec):
        if spec_or_ef.ef_kg_per_kwh is not None:
            return ""
        return (
            " (import-weighted mean of a monthly factor)"
            if spec_or_ef.monthly_ef_kg_per_kwh
            else (" (import-weighted mean of an hourly series)")
        )
    return "" if np.ptp(spec_or_ef) == 0 else " (import-weighted mean of a time-varying factor)"


# -- scope 1 ---------------------------------------------------------------------
def _fuel_imports(plant: Plant) -> list[tuple[Component, Port]]:
    """The fuel meters: ``IMPORT`` ports that declare the fuel they meter."""
    return [(c, p) for c in plant.components for p in c.ports() if p.role is Role.IMPORT and p.fuel]


def _declared(c: Component, f: Flows, meaning: Meaning) -> np.ndarray | None:
    """Sum of a component's outputs of one meaning, or None when it declares none."""
    names = [o.name for o in c.outputs() if o.meaning is meaning]
    return np.sum([f.outputs[n] for n in names], axis=0) if names else None


def _combustion_row(
    c: Component, port: Port, f: Flows, grid: TimeGrid, factor_set: str, notes: list[str]
) -> InventoryRow:
    energy_kwh = grid.energy_kwh(f.ports[port.name])
    fuel = port.fuel
    volume = [o.name for o in c.outputs() if o.meaning is Meaning.FUEL and o.unit == "Nm³/h"]
    nm3 = float(sum(np.sum(f.outputs[n]) for n in volume)) * grid.step_h if volume else None
    where = f"{c.kind}[{c.name}]"
    activity = f"{fuel.replace('_', ' ')} imported by {where}"
    if factor_set == "component":
        co2 = _declared(c, f, Meaning.EMISSIONS)
        if co2 is not None:
            kg = float(np.sum(co2)) * grid.step_h
            qty, unit = (nm3, "Nm3") if nm3 is not None else (energy_kwh, "kWh")
            factor = kg / qty if qty > 0 else 0.0
            return InventoryRow(
                1,
                "stationary combustion",
                "",
                c.name,
                activity,
                qty,
                unit,
                factor,
                f"kg CO2/{unit}",
                f"{where}: the component's own factor (its emissions output)",
                kg / 1000.0,
            )
        notes.append(
            f"{where} declares no emissions output; its fuel is counted with the Chinese factors"
        )
        factor_set = "cn"
    return _fuel_row(c.name, activity, fuel, energy_kwh, nm3, factor_set, where)


def _fuel_row(
    name: str,
    activity: str,
    fuel: str,
    energy_kwh: float,
    nm3: float | None,
    factor_set: str,
    where: str,
) -> InventoryRow:
    """A stationary-combustion row of fuel energy [kWh, LHV] (or metered volume [Nm³])."""
    try:
        ff = fuel_factor(fuel_key(fuel), factor_set)
    except ValueError as exc:
        msg = f"{where}: {exc}; or set ledger.fuel_factors = 'component' to use the component's own factor"
        raise ConfigError(msg) from None
    if factor_set == "cn" and nm3 is not None and ff.physical_unit == "Nm3":
        qty, unit, factor = nm3, "Nm3", float(ff.ef_kg_per_unit)
        activity += " (metered volume)"
        source = ff.source
    else:
        qty, unit, factor = energy_kwh * _GJ_PER_KWH, "GJ", ff.ef_kg_per_gj
        activity += " (energy on LHV basis)"
        source = ff.source + (" ; per GJ = EF / NCV" if factor_set == "cn" else "")
    return InventoryRow(
        1,
        "stationary combustion",
        "",
        name,
        activity,
        qty,
        unit,
        factor,
        f"kg CO2/{unit}",
        source,
        qty * factor / 1000.0,
    )


def _scope1_rows(
    plant: Plant, flows: Mapping[str, Flows], cfg: LedgerConfig, notes: list[str]
) -> list[InventoryRow]:
    grid = plant.grid
    rows: list[InventoryRow] = []
    imports = _fuel_imports(plant)
    metered_buses = {p.bus for _, p in imports}
    importers = {c.name for c, _ in imports}
    for c, port in imports:
        rows.append(_combustion_row(c, port, flows[c.name], grid, cfg.fuel_factors, notes))
    factor_set = "cn" if cfg.fuel_factors == "component" else cfg.fuel_factors
    for c in plant.components:
        if c.name in importers:
            continue
        f = flows[c.name]
        where = f"{c.kind}[{c.name}]"
        # fuel burned from the component's own stock, outside every bus (a diesel tank)
        for out in c.outputs():
            if out.meaning is not Meaning.FUEL or out.unit != "kW":
                continue
            kwh = grid.energy_kwh(f.outputs[out.name])
            rows.append(
                _fuel_row(
                    c.name,
                    f"{out.fuel.replace('_', ' ')} burned by {where}",
                    out.fuel,
                    kwh,
                    None,
                    factor_set,
                    where,
                )
            )
        co2 = _declared(c, f, Meaning.EMISSIONS)
        if co2 is None or any(o.meaning is Meaning.FUEL for o in c.outputs()):
            continue
        if any(p.direction is Direction.IN and p.bus in metered_buses for p in c.ports()):
            notes.append(
                f"{where} reports CO2 for fuel it draws from a metered supply; "
                "that fuel is counted once, at the supply"
            )
            continue
        t = float(np.sum(co2)) * grid.step_h / 1000.0
        rows.append(
            InventoryRow(
                1,
                "direct emissions (component model)",
                "",
                c.name,
                f"CO2 reported by {where}",
                t,
                "t CO2",
                1000.0,
                "kg CO2/t CO2",
                f"{c.kind} component model (its emissions output)",
                t,
            )
        )
    for e in cfg.fuels:
        factor, source = e.factor(cfg.fuel_factors)
        rows.append(
            InventoryRow(
                1,
                f"{e.category} combustion",
                "",
                e.name,
                f"{e.fuel.replace('_', ' ')} (metered or invoiced)",
                e.quantity,
                e.unit,
                factor,
                f"kg CO2/{e.unit}",
                source,
                e.quantity * factor / 1000.0,
            )
        )
    for p in cfg.process:
        rows.append(
            InventoryRow(
                1,
                "process emissions",
                "",
                p.name,
                "process activity",
                p.quantity,
                p.unit,
                p.ef_kg_per_unit,
                f"kg CO2e/{p.unit}",
                p.factor_source,
                p.quantity * p.ef_kg_per_unit / 1000.0,
            )
        )
    for r in cfg.refrigerants:
        if r.gwp is not None:
            gwp, source = r.gwp, str(r.gwp_source)
        else:
            g = refrigerant_gwp(r.refrigerant, cfg.gwp_set)
            gwp, source = g.gwp, g.source
        if r.leaked_kg is not None:
            activity = f"{r.refrigerant} lost (measured top-up)"
        else:
            activity = f"{r.refrigerant}: charge {r.charge_kg:g} kg x annual leak rate {r.annual_leak_rate_frac:g}"
        rows.append(
            InventoryRow(
                1,
                "fugitive: refrigerant leakage",
                "",
                r.name,
                activity,
                r.leaked,
                "kg",
                gwp,
                "kg CO2e/kg",
                source,
                r.leaked * gwp / 1000.0,
            )
        )
    return rows


# -- scope 2 ---------------------------------------------------------------------
def location_factor(
    plant: Plant, signals: TariffSignals, cfg: LedgerConfig
) -> tuple[np.ndarray, str]:
    """Location-based grid factor per step [kg CO2/kWh] and its source:
    ``ledger.scope2.location_factor`` if given, else the grid connection's."""
    spec = cfg.scope2.location_factor
    if spec is not None:
        where = f"{plant.config.source_path or '<config>'}: ledger.scope2.location_factor.series"
        return factor_per_step(spec, plant.grid, plant.config.base_dir, where), spec.source + _form(
            spec
        )
    source = f"grid_connection.emission_factor: {plant.slack.emission_factor_source()}"
    return signals.ef_kg_per_kwh, source + _form(signals.ef_kg_per_kwh)


def residual_factor(plant: Plant, cfg: LedgerConfig) -> tuple[np.ndarray, str]:
    """Residual-mix factor per step [kg CO2/kWh] and its source:
    ``ledger.scope2.residual_factor`` if given, else the national average
    excluding market-traded non-fossil power of ``ledger.factor_year``."""
    spec = cfg.scope2.residual_factor
    if spec is not None:
        where = f"{plant.config.source_path or '<config>'}: ledger.scope2.residual_factor.series"
        return factor_per_step(spec, plant.grid, plant.config.base_dir, where), spec.source + _form(
            spec
        )
    gf = grid_factor(year=cfg.factor_year, national="national_average_excl_market_nonfossil")
    source = (
        f"{gf.source}: residual mix (national average excluding market-traded non-fossil power)"
    )
    return np.full(plant.grid.n_steps, gf.ef_kg_per_kwh), source


def _heat_rows(plant: Plant, flows: Mapping[str, Flows], cfg: LedgerConfig) -> list[InventoryRow]:
    if cfg.scope2.heat_ef_kg_per_gj is not None:
        ef, source = cfg.scope2.heat_ef_kg_per_gj, str(cfg.scope2.heat_factor_source)
    else:
        ef, source = purchased_heat_factor()
    items: list[tuple[str, str, float]] = []
    for c in plant.components:
        for p in c.ports():
            if p.role is Role.IMPORT and p.carrier.name == "heat":
                gj = plant.grid.energy_kwh(flows[c.name].ports[p.name]) * _GJ_PER_KWH
                items.append((c.name, f"heat imported by {c.kind}[{c.name}]", gj))
    items += [
        (h.name, "heat or steam received (metered)", h.quantity * ENERGY_UNITS_GJ[h.unit])
        for h in cfg.purchased_heat
    ]
    return [
        InventoryRow(
            2,
            "purchased heat",
            basis,
            name,
            activity,
            gj,
            "GJ",
            ef,
            "kg CO2/GJ",
            source,
            gj * ef / 1000.0,
        )
        for name, activity, gj in items
        for basis in ("location", "market")
    ]


def _delivery_kw(inst: Instrument, plant: Plant, where: str) -> np.ndarray:
    """Hourly delivery of an hourly-matched contract on the grid [kW].

    Raises
    ------
    ConfigError
        A delivery series that does not fit the grid or whose total differs
        from the instrument's quantity by more than 0.1 %.
    """
    grid = plant.grid
    if inst.delivery == "flat":
        return np.full(grid.n_steps, inst.kwh / (grid.n_steps * grid.step_h))
    assert inst.delivery_series is not None  # checked at parse
    values, _ = read_series(
        inst.delivery_series, grid, Path(plant.config.base_dir), f"{where}.delivery_series"
    )
    values = np.asarray(values, dtype=np.float64)
    if np.any(values < 0):
        msg = f"{where}.delivery_series: delivery must be >= 0 kWh in every hour"
        raise ConfigError(msg)
    total = grid.energy_kwh(values)
    if abs(total - inst.kwh) > 1e-3 * max(inst.kwh, 1.0):
        msg = (
            f"{where}.delivery_series: the series totals {total:,.0f} kWh but the instrument states "
            f"{inst.kwh:,.0f} kWh; give the contract's quantity or scale the series (scale = ...)"
        )
        raise ConfigError(msg)
    return values


def _attribute_budget(
    cfg: LedgerConfig, series: PlantSeries, grid: TimeGrid, applied: Mapping[str, float], where: str
) -> tuple[float, float, float, float, float, float]:
    """Renewable attributes of on-site generation: each kWh generated carries
    one; certificates sold and own certificates applied to imports come off
    first, the rest covers the self-consumed generation."""
    generation = grid.energy_kwh(series.renewable_kw)
    exported = grid.energy_kwh(series.exported_renewable_kw)
    self_consumed = max(generation - exported, 0.0)
    sold = cfg.onsite.gec_sold_certificates * 1000.0
    onsite_applied = sum(applied[i.name] for i in cfg.instruments if i.origin == "onsite")
    has_onsite = any(i.origin == "onsite" for i in cfg.instruments)
    if (has_onsite or sold > 0) and generation <= 0:
        msg = (
            f"{where}: certificates of the plant's own generation are listed (origin = 'onsite' or "
            "onsite.gec_sold_certificates) but the plant has no renewable generation"
        )
        raise ConfigError(msg)
    if sold + onsite_applied > generation + _TOL_KWH:
        msg = (
            f"{where}: double counting: certificates of the plant's own generation, {sold:,.0f} kWh sold "
            f"+ {onsite_applied:,.0f} kWh applied to grid import, exceed the {generation:,.0f} kWh it "
            "generated; each kWh carries one certificate. Reduce onsite.gec_sold_certificates or the "
            "instruments with origin = 'onsite'"
        )
        raise ConfigError(msg)
    claim = max(0.0, min(self_consumed, generation - sold - onsite_applied))
    return generation, exported, self_consumed, sold, onsite_applied, claim


def _electricity_rows(
    plant: Plant,
    series: PlantSeries,
    signals: TariffSignals,
    cfg: LedgerConfig,
    location_ef: tuple[np.ndarray, str] | None,
    residual_ef: tuple[np.ndarray, str] | None,
    notes: list[str],
) -> tuple[list[InventoryRow], ElectricityAccount]:
    grid = plant.grid
    where = f"{plant.config.source_path or '<config>'}: ledger"
    imp = series.grid_import_kw
    import_kwh = grid.energy_kwh(imp)
    grid_name = plant.slack.name

    loc_ef, loc_source = location_ef or location_factor(plant, signals, cfg)
    loc_t = scope2_location_tco2(imp, loc_ef, grid)
    loc_factor = _weighted(loc_t * 1000.0, import_kwh, loc_ef)
    rows = [
        InventoryRow(
            2,
            "purchased electricity",
            "location",
            grid_name,
            "grid import",
            import_kwh,
            "kWh",
            loc_factor,
            "kg CO2/kWh",
            loc_source,
            loc_t,
        )
    ]

    # market-based: hourly-matched contracts first, each hour's delivery up to that hour's
    # import; then annual instruments on what is left of the year's import. Over-claim of
    # annual instruments is an error unless capped; hourly delivery beyond an hour's import
    # is simply not matched (noted).
    total = sum(i.kwh for i in cfg.instruments)
    uncovered_kw = np.maximum(np.asarray(imp, dtype=np.float64), 0.0).copy()
    applied: dict[str, float] = {}
    for i, inst in enumerate(cfg.instruments):
        if inst.matching != "hourly":
            continue
        delivery = _delivery_kw(inst, plant, f"{where}.instruments[{i}]")
        take_kw = np.minimum(delivery, uncovered_kw)
        uncovered_kw -= take_kw
        applied[inst.name] = grid.energy_kwh(take_kw)
    hourly_kwh = sum(applied.values())
    annual_total = sum(i.kwh for i in cfg.instruments if i.matching == "annual")
    if hourly_kwh + annual_total > import_kwh + _TOL_KWH and cfg.rules.over_claim == "error":
        split = (
            f" ({hourly_kwh:,.0f} kWh hourly-matched + {annual_total:,.0f} kWh annual)"
            if hourly_kwh > 0
            else ""
        )
        msg = (
            f"{where}.instruments: over-claim: {hourly_kwh + annual_total:,.0f} kWh of instruments "
            f"against {import_kwh:,.0f} kWh of grid import in the run{split} (excess "
            f"{hourly_kwh + annual_total - import_kwh:,.0f} kWh); instruments cover purchased "
            "grid electricity only, never on-site generation. Reduce them, or set "
            "ledger.rules.over_claim = 'cap' to apply them up to the import and record the rest as not applied"
        )
        raise ConfigError(msg)
    remaining = grid.energy_kwh(uncovered_kw)
    annual_kwh = 0.0
    for inst in cfg.instruments:
        if inst.matching == "annual":
            take = min(inst.kwh, max(remaining - annual_kwh, 0.0))
            applied[inst.name] = take
            annual_kwh += take
    if remaining > 0:
        # annual instruments carry no hour: they cover the uncovered import pro rata
        uncovered_kw *= max(1.0 - annual_kwh / remaining, 0.0)
    for inst in cfg.instruments:
        take = applied[inst.name]
        activity = f"grid import covered by {_KIND_LABEL[inst.kind]}, vintage {inst.vintage_year}"
        if inst.technology is not None:
            activity += f", {inst.technology}"
        if inst.matching == "hourly":
            activity += f", hourly-matched ({inst.delivery} delivery)"
        if inst.origin == "onsite":
            activity += ", issued for the plant's own generation"
        if take < inst.kwh - _TOL_KWH:
            why = (
                "delivered in hours without enough import (hourly matching)"
                if inst.matching == "hourly"
                else "over-claim capped"
            )
            activity += f"; {inst.kwh - take:,.0f} of {inst.kwh:,.0f} kWh not applied ({why})"
            notes.append(
                f"instrument {inst.name!r}: {inst.kwh - take:,.0f} kWh not applied ({why})"
                if inst.matching == "hourly"
                else f"instrument {inst.name!r}: {inst.kwh - take:,.0f} kWh not applied (rules.over_claim = 'cap')"
            )
        ids = f"; ids {', '.join(inst.registry_ids)}" if inst.registry_ids else ""
        rows.append(
            InventoryRow(
                2,
                "purchased electricity",
                "market",
                inst.name,
                activity,
                take,
                "kWh",
                0.0,
                "kg CO2/kWh",
                f"contractual instrument conveying the renewable attribute (zero emission), GHG Protocol "
                f"Scope 2 Guidance market-based method; {inst.source or 'no reference given'}{ids}",
                0.0,
            )
        )
    applied_kwh = sum(applied.values())
    uncovered = grid.energy_kwh(uncovered_kw)
    res_ef, res_source = residual_ef or residual_factor(plant, cfg)
    market_t = scope2_location_tco2(uncovered_kw, res_ef, grid)
    # import-weighted residual factor (shown for on-site rows and the account) and the
    # factor weighted on the uncovered import itself (the row's identity tco2e = kWh x factor)
    res_factor = _weighted(scope2_location_tco2(imp, res_ef, grid) * 1000.0, import_kwh, res_ef)
    uncovered_factor = _weighted(market_t * 1000.0, uncovered, res_ef)
    rows.append(
        InventoryRow(
            2,
            "purchased electricity",
            "market",
            grid_name,
            "grid import not covered by instruments",
            uncovered,
            "kWh",
            uncovered_factor,
            "kg CO2/kWh",
            res_source,
            market_t,
        )
    )

    generation, exported, self_consumed, sold, onsite_applied, claim = _attribute_budget(
        cfg, series, grid, applied, where
    )
    stripped = max(self_consumed - claim, 0.0)
    if stripped > _TOL_KWH:
        # GHG Protocol Scope 2 Guidance (market-based method) and 发改能源〔2023〕1044号: on-site
        # generation whose certificates went to others (or to cover grid import) is consumed
        # without its attribute, so it carries the residual mix like uncovered grid electricity
        rows.append(
            InventoryRow(
                2,
                "purchased electricity",
                "market",
                "onsite_generation",
                "self-consumed on-site generation whose certificates are sold or applied to grid import "
                "(consumed without its renewable attribute)",
                stripped,
                "kWh",
                res_factor,
                "kg CO2/kWh",
                f"{res_source}; residual mix for generation whose attributes went elsewhere (GHG Protocol "
                "Scope 2 Guidance, market-based method)",
                stripped * res_factor / 1000.0,
            )
        )
        notes.append(
            f"{stripped:,.0f} kWh of self-consumed on-site generation are not renewable for the claim: "
            "their certificates are sold or applied to grid import; market-based scope 2 counts them "
            "at the residual mix"
        )
    by_tech: dict[str, float] = {}
    for inst in cfg.instruments:
        key = inst.technology or "unstated"
        by_tech[key] = by_tech.get(key, 0.0) + applied[inst.name]
    account = ElectricityAccount(
        grid_import_kwh=import_kwh,
        need_kwh=grid.energy_kwh(series.use_kw) + grid.energy_kwh(series.battery_loss_kw),
        generation_kwh=generation,
        exported_kwh=exported,
        self_consumed_kwh=self_consumed,
        gec_sold_kwh=sold,
        instruments_kwh=total,
        instruments_applied_kwh=applied_kwh,
        instruments_not_applied_kwh=max(total - applied_kwh, 0.0),
        onsite_instruments_applied_kwh=onsite_applied,
        onsite_claim_kwh=claim,
        location_ef_kg_per_kwh=loc_factor,
        residual_ef_kg_per_kwh=res_factor,
        instruments_by_technology_kwh=by_tech,
        hourly_matched_kwh=hourly_kwh,
    )
    return rows, account


# -- scope 3 ---------------------------------------------------------------------
def _scope3_rows(cfg: LedgerConfig) -> list[InventoryRow]:
    return [
        InventoryRow(
            3,
            e.category,
            "",
            e.name,
            e.category,
            e.quantity,
            e.unit,
            e.ef_kg_per_unit,
            f"kg CO2e/{e.unit}",
            e.factor_source,
            e.quantity * e.ef_kg_per_unit / 1000.0,
        )
        for e in cfg.scope3
    ]


def build_inventory(
    plant: Plant,
    flows: Mapping[str, Flows],
    series: PlantSeries,
    signals: TariffSignals,
    cfg: LedgerConfig,
    *,
    location_ef: tuple[np.ndarray, str] | None = None,
    residual_ef: tuple[np.ndarray, str] | None = None,
) -> Inventory:
    """The inventory of a run.

    Parameters
    ----------
    plant, flows, series, signals
        What the run produced.
    cfg : LedgerConfig
        The ledger section (or the defaults of a plant without one).
    location_ef, residual_ef : (array, str), optional
        Factors per step [kg CO2/kWh] with their source, replacing the
        config's (used by pathways).

    Returns
    -------
    Inventory

    Raises
    ------
    ConfigError
        Instruments above the grid import (unless capped), certificates of
        on-site generation counted twice, series files that do not fit.
    """
    notes: list[str] = []
    rows = _scope1_rows(plant, flows, cfg, notes)
    elec_rows, account = _electricity_rows(
        plant, series, signals, cfg, location_ef, residual_ef, notes
    )
    rows += elec_rows
    rows += _heat_rows(plant, flows, cfg)
    rows += _scope3_rows(cfg)
    for c in plant.components:
        for p in c.ports():
            if (
                p.role is Role.IMPORT
                and not p.fuel
                and p.carrier.name not in ("electricity", "heat")
            ):
                notes.append(
                    f"{c.kind}[{c.name}] imports {p.carrier.name}: no factor for it; not inventoried"
                )
    return Inventory(tuple(rows), account, tuple(notes))
