"""Plant-level electricity series and energy KPIs.

Series are summed over ports by their accounting role (never by component
name or kind), so a new component kind is counted correctly as soon as it
declares its ports.

Definitions (all energies over the run) [kWh]:

- electricity use = sum of ``USE`` ports on electricity buses (loads,
  converter inputs, storage auxiliaries);
- PV self-consumed = PV AC production − export (storage never exports here,
  so every exported kWh is PV);
- self-sufficiency = 1 − grid import / (use + storage losses), the share of
  the plant's electricity need met on site;
- renewable share (on-site) = PV self-consumed / (use + storage losses);
  grid electricity counts as non-renewable here. With a ``[ledger]``
  section the summary's ``renewable_share_frac`` becomes the market-based
  share of the carbon ledger (on-site generation still carrying its
  attributes + green power contracts, certificates and PPAs), and this one
  stays as ``onsite_renewable_share_frac``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from twin.component import Component, Flows, Role
from twin.timegrid import TimeGrid

__all__ = ["PlantSeries", "energy_kpis", "plant_series"]


@dataclass(frozen=True)
class PlantSeries:
    """Plant-level electricity series on the grid [kW], SOC [kWh]."""

    use_kw: np.ndarray
    pv_ac_kw: np.ndarray
    pv_curtailed_kw: np.ndarray
    grid_import_kw: np.ndarray
    grid_export_kw: np.ndarray
    battery_charge_kw: np.ndarray
    battery_discharge_kw: np.ndarray
    battery_soc_kwh: np.ndarray
    battery_loss_kw: np.ndarray
    unmet_kw: np.ndarray


def plant_series(
    components: tuple[Component, ...], flows: Mapping[str, Flows], unmet_kw: np.ndarray, n: int
) -> PlantSeries:
    """Sum port flows on electricity buses by role."""
    sums = {role: np.zeros(n) for role in Role}
    renewable = np.zeros(n)
    soc = np.zeros(n)
    loss = np.zeros(n)
    curtailed = np.zeros(n)
    for c in components:
        f = flows[c.name]
        has_storage = False
        for port in c.ports():
            if port.carrier.name != "electricity":
                continue
            arr = f.ports[port.name]
            sums[port.role] += arr
            if port.role is Role.GENERATION and port.renewable:
                renewable += arr
            has_storage |= port.role is Role.CHARGE
        if has_storage:
            soc += f.outputs.get("soc_kwh", 0.0)
            loss += f.outputs.get("loss_kw", 0.0)
        if "curtailed_kw" in f.outputs:
            curtailed += f.outputs["curtailed_kw"]
    return PlantSeries(
        use_kw=sums[Role.USE],
        pv_ac_kw=renewable,
        pv_curtailed_kw=curtailed,
        grid_import_kw=sums[Role.IMPORT],
        grid_export_kw=sums[Role.EXPORT],
        battery_charge_kw=sums[Role.CHARGE],
        battery_discharge_kw=sums[Role.DISCHARGE],
        battery_soc_kwh=soc,
        battery_loss_kw=loss,
        unmet_kw=unmet_kw,
    )


def energy_kpis(s: PlantSeries, grid: TimeGrid) -> dict[str, float]:
    """Annual energy KPIs (see module docstring for definitions)."""
    e = grid.energy_kwh
    use = e(s.use_kw)
    pv = e(s.pv_ac_kw)
    exp = e(s.grid_export_kw)
    imp = e(s.grid_import_kw)
    charge = e(s.battery_charge_kw)
    discharge = e(s.battery_discharge_kw)
    storage_loss = e(s.battery_loss_kw)
    need = use + storage_loss
    self_consumed = pv - exp
    return {
        "electricity_use_kwh": use,
        "pv_ac_kwh": pv,
        "pv_curtailed_kwh": e(s.pv_curtailed_kw),
        "pv_self_consumed_kwh": self_consumed,
        "pv_self_consumption_frac": self_consumed / pv if pv > 0 else 0.0,
        "grid_import_kwh": imp,
        "grid_export_kwh": exp,
        "peak_import_kw": float(np.max(s.grid_import_kw)) if s.grid_import_kw.size else 0.0,
        "battery_charge_kwh": charge,
        "battery_discharge_kwh": discharge,
        "battery_loss_kwh": storage_loss,
        "self_sufficiency_frac": 1.0 - imp / need if need > 0 else 0.0,
        "renewable_share_frac": self_consumed / need if need > 0 else 0.0,
        "unmet_kwh": e(s.unmet_kw),
    }
