"""Plant-level electricity series and energy KPIs, from declarations only.

Series are summed over ports by their role and over internal outputs by
their declared meaning (never by component name, kind or output name), so
a new kind of equipment is counted correctly as soon as it declares its
ports and outputs (:meth:`twin.component.Component.outputs`).

Definitions (all energies over the run) [kWh]:

- electricity use = ``USE`` ports on electricity buses (loads, converter
  inputs, storage auxiliaries);
- on-site generation = ``GENERATION`` ports on electricity buses, by their
  declared energy ``source``; renewable generation = those declared
  ``renewable``;
- export is attributed to on-site generation step by step, pro rata to each
  generator's output in that step (what exceeds the step's generation came
  out of storage); generation self-consumed = generation - its exported share;
- electricity need = use + storage losses (``LOSS`` outputs on electricity);
- self-sufficiency = 1 - grid import / need;
- renewable share (on-site) = renewable generation self-consumed / need:
  grid electricity and non-renewable on-site generation (a gas CHP, a diesel
  set) count as non-renewable. With a ``[ledger]`` section the summary's
  ``renewable_share_frac`` becomes the market-based share of the carbon
  ledger, and this one stays as ``onsite_renewable_share_frac``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from twin.component import Component, Flows, Meaning, Role
from twin.timegrid import TimeGrid

__all__ = ["PlantSeries", "energy_kpis", "plant_series"]

_ELECTRICITY = "electricity"


@dataclass(frozen=True)
class PlantSeries:
    """Plant-level electricity series on the grid [kW], stored energy [kWh].

    Attributes
    ----------
    use_kw : array
        Final electricity use [kW].
    generation_by_source_kw : dict of str to array
        On-site generation after curtailment, by energy source [kW].
    renewable_kw : array
        Renewable on-site generation after curtailment [kW].
    exported_generation_by_source_kw : dict of str to array
        The share of export attributed to each source [kW].
    exported_renewable_kw : array
        The share of export attributed to renewable generation [kW].
    curtailed_by_source_kw : dict of str to array
        Generation curtailed by the run, by source [kW].
    grid_import_kw, grid_export_kw : array
        Exchange with the grid [kW].
    battery_charge_kw, battery_discharge_kw : array
        Storage charge and discharge, AC side [kW].
    battery_soc_kwh : array
        Energy stored at the end of each step [kWh].
    battery_loss_kw : array
        Storage losses [kW].
    unmet_kw : array
        Electricity demand no supply could serve [kW].
    """

    use_kw: np.ndarray
    generation_by_source_kw: dict[str, np.ndarray]
    renewable_kw: np.ndarray
    exported_generation_by_source_kw: dict[str, np.ndarray]
    exported_renewable_kw: np.ndarray
    curtailed_by_source_kw: dict[str, np.ndarray]
    grid_import_kw: np.ndarray
    grid_export_kw: np.ndarray
    battery_charge_kw: np.ndarray
    battery_discharge_kw: np.ndarray
    battery_soc_kwh: np.ndarray
    battery_loss_kw: np.ndarray
    unmet_kw: np.ndarray
    sources_renewable: dict[str, bool] = field(default_factory=dict)

    @property
    def generation_kw(self) -> np.ndarray:
        """All on-site generation [kW]."""
        return sum(self.generation_by_source_kw.values(), np.zeros_like(self.use_kw))

    @property
    def pv_ac_kw(self) -> np.ndarray:
        """Solar generation after curtailment [kW]."""
        return self.generation_by_source_kw.get("solar", np.zeros_like(self.use_kw))

    @property
    def pv_curtailed_kw(self) -> np.ndarray:
        """Solar generation curtailed [kW]."""
        return self.curtailed_by_source_kw.get("solar", np.zeros_like(self.use_kw))


def plant_series(
    components: tuple[Component, ...], flows: Mapping[str, Flows], unmet_kw: np.ndarray, n: int
) -> PlantSeries:
    """Sum electricity port flows by role and outputs by meaning."""
    sums = {role: np.zeros(n) for role in Role}
    by_source: dict[str, np.ndarray] = {}
    curtailed: dict[str, np.ndarray] = {}
    renewable_of: dict[str, bool] = {}
    renewable = np.zeros(n)
    soc = np.zeros(n)
    loss = np.zeros(n)
    for c in components:
        f = flows[c.name]
        ports = [p for p in c.ports() if p.carrier.name == _ELECTRICITY]
        sources = [p.source for p in ports if p.role is Role.GENERATION]
        for port in ports:
            arr = f.ports[port.name]
            sums[port.role] += arr
            if port.role is Role.GENERATION:
                by_source[port.source] = by_source.get(port.source, np.zeros(n)) + arr
                renewable_of[port.source] = renewable_of.get(port.source, False) or port.renewable
                if port.renewable:
                    renewable += arr
        has_storage = any(p.role is Role.CHARGE for p in ports)
        for out in c.outputs():
            arr = f.outputs[out.name]
            if out.meaning is Meaning.STATE and has_storage:
                soc += arr
            elif (
                out.meaning is Meaning.LOSS
                and out.carrier is not None
                and out.carrier.name == _ELECTRICITY
            ):
                loss += arr
            elif out.meaning is Meaning.CURTAILMENT and sources:
                # a generator's curtailment is of its first generation port's source
                curtailed[sources[0]] = curtailed.get(sources[0], np.zeros(n)) + arr
    generation = sum(by_source.values(), np.zeros(n))
    exported_generation = np.minimum(sums[Role.EXPORT], generation)
    share = np.divide(exported_generation, generation, out=np.zeros(n), where=generation > 0)
    return PlantSeries(
        use_kw=sums[Role.USE],
        generation_by_source_kw=by_source,
        renewable_kw=renewable,
        exported_generation_by_source_kw={s: arr * share for s, arr in by_source.items()},
        exported_renewable_kw=renewable * share,
        curtailed_by_source_kw=curtailed,
        grid_import_kw=sums[Role.IMPORT],
        grid_export_kw=sums[Role.EXPORT],
        battery_charge_kw=sums[Role.CHARGE],
        battery_discharge_kw=sums[Role.DISCHARGE],
        battery_soc_kwh=soc,
        battery_loss_kw=loss,
        unmet_kw=unmet_kw,
        sources_renewable=renewable_of,
    )


def energy_kpis(s: PlantSeries, grid: TimeGrid) -> dict[str, object]:
    """Annual energy KPIs (see the module docstring for the definitions)."""
    e = grid.energy_kwh
    use = e(s.use_kw)
    imp = e(s.grid_import_kw)
    exp = e(s.grid_export_kw)
    storage_loss = e(s.battery_loss_kw)
    need = use + storage_loss
    by_source = {src: e(arr) for src, arr in sorted(s.generation_by_source_kw.items())}
    generation = sum(by_source.values(), 0.0)
    renewable = e(s.renewable_kw)
    renewable_self = renewable - e(s.exported_renewable_kw)
    pv = by_source.get("solar", 0.0)
    pv_self = pv - e(s.exported_generation_by_source_kw.get("solar", np.zeros(grid.n_steps)))
    generation_self = generation - e(np.minimum(s.grid_export_kw, s.generation_kw))
    return {
        "electricity_use_kwh": use,
        "onsite_generation_kwh": generation,
        "generation_by_source_kwh": by_source,
        "renewable_generation_kwh": renewable,
        "onsite_self_consumed_kwh": generation_self,
        "renewable_self_consumed_kwh": renewable_self,
        "pv_ac_kwh": pv,
        "pv_curtailed_kwh": e(s.pv_curtailed_kw),
        "curtailed_kwh": sum((e(a) for a in s.curtailed_by_source_kw.values()), 0.0),
        "pv_self_consumed_kwh": pv_self,
        "pv_self_consumption_frac": pv_self / pv if pv > 0 else 0.0,
        "grid_import_kwh": imp,
        "grid_export_kwh": exp,
        "peak_import_kw": float(np.max(s.grid_import_kw)) if s.grid_import_kw.size else 0.0,
        "battery_charge_kwh": e(s.battery_charge_kw),
        "battery_discharge_kwh": e(s.battery_discharge_kw),
        "battery_loss_kwh": storage_loss,
        "self_sufficiency_frac": 1.0 - imp / need if need > 0 else 0.0,
        "renewable_share_frac": renewable_self / need if need > 0 else 0.0,
        "unmet_kwh": e(s.unmet_kw),
    }
