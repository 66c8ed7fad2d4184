"""The carbon ledger of one run: inventory, neutrality statement, readiness.

:func:`compute_ledger` runs after the accounting of every run (a plant
without a ``[ledger]`` section gets the defaults: fuel factors of its own
components, no instruments, the national residual mix of the latest data
year), so every run has an inventory and the summary keys below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from twin.accounting.ceca import Readiness, readiness
from twin.accounting.energy_use import EnergyUse, comprehensive_energy
from twin.accounting.inventory import Inventory, build_inventory
from twin.accounting.kpi import PlantSeries
from twin.accounting.neutrality import Neutrality, neutrality
from twin.component import Flows, Role, TariffSignals
from twin.config.ledger import LedgerConfig
from twin.plant import Plant

__all__ = ["Ledger", "compute_ledger", "ledger_config_of"]


def ledger_config_of(plant: Plant) -> tuple[LedgerConfig, bool]:
    """The plant's ledger section, or the defaults for a plant without one
    (then the components' own fuel factors keep scope 1 as they report it)."""
    cfg = plant.config.ledger
    if cfg is not None:
        return cfg, True
    return LedgerConfig(
        fuel_factors="component", reporting_year=plant.config.simulation.year
    ), False


@dataclass(frozen=True)
class Ledger:
    """The carbon ledger of a run.

    Attributes
    ----------
    config : LedgerConfig
        The ledger section used (defaults when the plant has none).
    configured : bool
        True when the plant config has a ``[ledger]`` section.
    inventory : Inventory
    neutrality : Neutrality
    readiness : Readiness
    energy : EnergyUse
        Comprehensive energy consumption (综合能耗, GB/T 2589-2020).
    """

    config: LedgerConfig
    configured: bool
    inventory: Inventory
    neutrality: Neutrality
    readiness: Readiness
    energy: EnergyUse

    @property
    def notes(self) -> tuple[str, ...]:
        return self.inventory.notes + self.neutrality.notes

    def summary_keys(self) -> dict[str, float | None]:
        """Flat numeric summary entries (units in :class:`twin.accounting.Summary`);
        ``renewable_share_frac`` (market-based) only when a ledger is configured."""
        inv, neu = self.inventory, self.neutrality
        out = {
            "scope1_tco2": inv.scope1_tco2,
            "scope2_location_tco2": inv.scope2_location_tco2,
            "scope2_market_tco2": inv.scope2_market_tco2,
            "scope3_tco2": inv.scope3_tco2,
            "removals_tco2": neu.removals_tco2,
            "offsets_tco2": neu.offsets_applied_tco2,
            "net_tco2": neu.net_tco2,
            "onsite_renewable_share_frac": inv.electricity.onsite_renewable_share_frac,
            "comprehensive_energy_tce": self.energy.calorific_tce,
            "comprehensive_energy_equivalent_tce": self.energy.equivalent_tce,
        }
        if self.configured:
            out["renewable_share_frac"] = inv.electricity.renewable_share_frac
        return out

    def describe(self) -> dict[str, Any]:
        """Non-numeric facts for ``summary["ledger"]``."""
        cfg = self.config
        return {
            "configured": self.configured,
            "reporting_year": cfg.reporting_year,
            "boundary": cfg.boundary,
            "scope2_basis": cfg.scope2_basis,
            "fuel_factors": cfg.fuel_factors,
            "gwp_set": cfg.gwp_set,
            "renewable_share_basis": "market" if self.configured else "onsite",
            "instruments_by_technology_kwh": dict(
                self.inventory.electricity.instruments_by_technology_kwh
            ),
            "instruments_hourly_matched_kwh": self.inventory.electricity.hourly_matched_kwh,
            "neutral": self.neutrality.neutral,
            "neutrality_status": self.neutrality.verdict,
            "ceca_rubric_available": self.readiness.standard_available,
            "notes": list(self.notes),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Files written beside the results: ``inventory.csv`` always, the
        neutrality statement and readiness when a ledger is configured."""
        out = {"inventory.csv": self.inventory.frame()}
        if self.configured:
            out["neutrality.csv"] = self.neutrality.frame()
            out["ceca_readiness.csv"] = self.readiness.frame()
            out["energy_consumption.csv"] = self.energy.frame
        return out


def _indicators(inv: Inventory, neu: Neutrality) -> dict[str, float]:
    elec = inv.electricity
    return {
        "scope1_tco2": inv.scope1_tco2,
        "scope2_location_tco2": inv.scope2_location_tco2,
        "scope2_market_tco2": inv.scope2_market_tco2,
        "scope3_tco2": inv.scope3_tco2,
        "emissions_tco2": neu.emissions_tco2,
        "reduction_frac": neu.reduction_frac,
        "removals_tco2": neu.removals_tco2,
        "offsets_tco2": neu.offsets_applied_tco2,
        "net_tco2": neu.net_tco2,
        "renewable_share_frac": elec.renewable_share_frac,
        "onsite_renewable_share_frac": elec.onsite_renewable_share_frac,
        "self_sufficiency_frac": 1.0 - elec.grid_import_kwh / elec.need_kwh
        if elec.need_kwh > 0
        else math.nan,
        "offset_ratio_frac": neu.offset_ratio_frac,
        "intensity_tco2e_per_unit": neu.intensity_tco2e_per_unit,
        "intensity_tco2e_per_10k_cny": neu.intensity_tco2e_per_10k_cny,
    }


def compute_ledger(
    plant: Plant,
    flows: Mapping[str, Flows],
    series: PlantSeries,
    signals: TariffSignals,
    *,
    config: LedgerConfig | None = None,
    location_ef: tuple[np.ndarray, str] | None = None,
    residual_ef: tuple[np.ndarray, str] | None = None,
) -> Ledger:
    """Inventory, neutrality statement and readiness of a run.

    Parameters
    ----------
    plant, flows, series, signals
        What the run produced.
    config : LedgerConfig, optional
        Ledger section to use instead of the plant's (pathways).
    location_ef, residual_ef : (array, str), optional
        Grid factors per step [kg CO2/kWh] with their source, replacing the
        configured ones (pathways).

    Raises
    ------
    ConfigError
        Over-claimed instruments, certificates counted twice, unusable series.
    """
    if config is None:
        cfg, configured = ledger_config_of(plant)
    else:
        cfg, configured = config, True
    inv = build_inventory(
        plant, flows, series, signals, cfg, location_ef=location_ef, residual_ef=residual_ef
    )
    neu = neutrality(inv, cfg)
    ready = readiness(_indicators(inv, neu), cfg.ceca.rubric, cfg.boundary)
    grid = plant.grid
    fuels: dict[str, float] = {}
    heat_gj = 0.0
    for c in plant.components:
        for p in c.ports():
            if p.role is not Role.IMPORT:
                continue
            kwh = grid.energy_kwh(flows[c.name].ports[p.name])
            if p.fuel:
                fuels[p.fuel] = fuels.get(p.fuel, 0.0) + kwh
            elif p.carrier.name == "heat":
                heat_gj += kwh * 0.0036
    elec = inv.electricity
    energy = comprehensive_energy(
        elec.grid_import_kwh,
        grid.energy_kwh(series.grid_export_kw),
        fuels,
        heat_gj,
        elec.self_consumed_kwh,
        cfg,
    )
    return Ledger(cfg, configured, inv, neu, ready, energy)
