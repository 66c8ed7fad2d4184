"""Results of a run: step frame, hourly frame, summary and provenance.

One :class:`Results` per run. The step-resolution frame has a named column
MultiIndex ``(component, port, quantity)``; the hourly frame is flat and
wide (plant-level columns first, then ``component.port.quantity``), which
is what goes to disk as ``hourly.parquet`` and ``hourly.csv``. Hourly
values are means of power [kW], sums of money [CNY] and mass [kg], and
end-of-hour values of states such as stored energy [kWh]. The carbon
ledger of the run (:mod:`twin.ledger`) goes to ``inventory.csv`` and, with a
``[ledger]`` section, ``neutrality.csv`` and ``ceca_readiness.csv``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin._atomic import atomic_dir
from twin.accounting.cost import CostBreakdown
from twin.accounting.kpi import PlantSeries
from twin.component import Flows, TariffSignals
from twin.io_tables import write_csv
from twin.ledger.compute import LEDGER_SUMMARY_KEYS, Ledger
from twin.plant import Plant
from twin.timegrid import TimeGrid

__all__ = ["SUMMARY_UNITS", "Results"]

SUMMARY_UNITS: dict[str, str] = {
    "electricity_use_kwh": "kWh, final electricity use of loads and converters",
    "pv_ac_kwh": "kWh, PV AC production after curtailment",
    "pv_curtailed_kwh": "kWh, PV curtailed for lack of export capacity",
    "pv_self_consumed_kwh": "kWh, PV used on site (directly or through storage)",
    "pv_self_consumption_frac": "-, self-consumed share of PV production",
    "grid_import_kwh": "kWh",
    "grid_export_kwh": "kWh",
    "peak_import_kw": "kW, largest step-mean import",
    "battery_charge_kwh": "kWh, AC side",
    "battery_discharge_kwh": "kWh, AC side",
    "battery_loss_kwh": "kWh, conversion and self-discharge losses",
    "self_sufficiency_frac": "-, 1 - import / (use + storage losses)",
    "renewable_share_frac": "-, with a [ledger]: market-based renewable share (on-site generation "
                            "still carrying its attributes + instruments applied to grid import) / "
                            "(use + storage losses); without one: on-site renewable self-consumed / "
                            "(use + storage losses)",
    "unmet_kwh": "kWh, demand above the import limit",
    "energy_cost_cny": "CNY, energy charge of imports",
    "demand_cost_cny": "CNY, maximum-demand basic charge",
    "capacity_cost_cny": "CNY, capacity basic charge",
    "export_revenue_cny": "CNY",
    "total_cost_cny": "CNY, energy + basic charges - export revenue",
    "fuel_cost_cny": "CNY, bills of fuel and heat supplies (gas, purchased heat)",
    **LEDGER_SUMMARY_KEYS,
}


def _how(quantity: str) -> str:
    """Hourly aggregation rule from a unit-suffixed name: states at the end
    of the hour, labels at its start, per-step amounts (money, mass, counts
    such as ``units_produced``) summed, rates and powers averaged."""
    if quantity.endswith("_kwh"):
        return "last"
    if quantity == "tou_period":
        return "first"
    if quantity.endswith(("_cny", "_kg")) or quantity.startswith("units_"):
        return "sum"
    return "mean"


def _finite_or_none(value: Any) -> Any:
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    return value


@dataclass(frozen=True, eq=False)
class Results:
    """What a run produced.

    Attributes
    ----------
    plant : Plant
        The plant that was run (with its config).
    flows : Mapping[str, Flows]
        Component name -> its final flows on the grid.
    series : PlantSeries
        Plant-level electricity series [kW], SOC [kWh].
    signals : TariffSignals
        Per-step prices [CNY/kWh] and emission factors [kg CO2/kWh].
    cost : CostBreakdown
        Annual and monthly cost [CNY].
    summary : dict
        Annual figures (keys and units in :data:`SUMMARY_UNITS`), plus
        ``provenance`` and ``warnings``.
    weather_columns : Mapping[str, numpy.ndarray]
        Weather on the grid (for the hourly frame).
    unmet_by_bus : Mapping[str, numpy.ndarray]
        Demand no supplier could serve, per bus [carrier unit]; non-electric
        buses appear in the frames as ``<bus>.unmet_<quantity>``.
    ledger : twin.ledger.Ledger or None
        Inventory, neutrality statement and readiness of the run.
    """

    plant: Plant
    flows: Mapping[str, Flows]
    series: PlantSeries
    signals: TariffSignals
    cost: CostBreakdown
    summary: dict[str, Any]
    weather_columns: Mapping[str, np.ndarray] = field(default_factory=dict)
    unmet_by_bus: Mapping[str, np.ndarray] = field(default_factory=dict)
    ledger: Ledger | None = None

    @property
    def grid(self) -> TimeGrid:
        return self.plant.grid

    @property
    def provenance(self) -> dict[str, Any]:
        """Package version, config hash, weather hash, seed, ... of the run."""
        return self.summary["provenance"]

    @property
    def monthly(self) -> pd.DataFrame:
        """Monthly grid exchange, peak and cost (index: month 1..12)."""
        return self.cost.monthly

    def _plant_columns(self) -> dict[str, np.ndarray]:
        s, sig = self.series, self.signals
        step_h = self.grid.step_h
        cols = {
            "electricity_use_kw": s.use_kw,
            "pv_ac_kw": s.pv_ac_kw,
            "pv_curtailed_kw": s.pv_curtailed_kw,
            "grid_import_kw": s.grid_import_kw,
            "grid_export_kw": s.grid_export_kw,
            "battery_charge_kw": s.battery_charge_kw,
            "battery_discharge_kw": s.battery_discharge_kw,
            "battery_soc_kwh": s.battery_soc_kwh,
            "unmet_kw": s.unmet_kw,
            "price_import_cny_per_kwh": sig.import_price_cny_per_kwh,
            "tou_period": sig.period.astype(np.float64),
            "ef_kg_per_kwh": sig.ef_kg_per_kwh,
            "energy_cost_cny": self.cost.cost_cny_per_step,
            "scope2_location_kg": s.grid_import_kw * sig.ef_kg_per_kwh * step_h,
        }
        electric = self.plant.slack.params.bus
        for bus, arr in self.unmet_by_bus.items():
            if bus != electric:
                cols[f"{bus}.unmet_{self.plant.buses[bus].carrier.quantity}"] = arr
        for name in ("temp_air_c", "ghi_w_per_m2"):
            if name in self.weather_columns:
                cols[name] = self.weather_columns[name]
        return cols

    def _component_columns(self) -> dict[tuple[str, str, str], np.ndarray]:
        cols: dict[tuple[str, str, str], np.ndarray] = {}
        for c in self.plant.components:
            f = self.flows[c.name]
            for port in c.ports():
                cols[(c.name, port.name, port.carrier.quantity)] = f.ports[port.name]
            for name, arr in f.outputs.items():
                cols[(c.name, "-", name)] = arr
        return cols

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Step-resolution frame, columns ``(component, port, quantity)``;
        plant-level series under component ``plant``."""
        cols = {("plant", "-", k): v for k, v in self._plant_columns().items()}
        cols.update(self._component_columns())
        frame = pd.DataFrame(cols, index=self.grid.index)
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["component", "port", "quantity"])
        frame.index.name = "time"
        return frame

    @cached_property
    def hourly(self) -> pd.DataFrame:
        """Hourly wide frame with flat column names (what is written to disk)."""
        grid = self.grid
        out: dict[str, np.ndarray] = {}
        for name, arr in self._plant_columns().items():
            out[name] = grid.to_hourly(arr, _how(name))
        for (comp, port, quantity), arr in self._component_columns().items():
            label = f"{comp}.{quantity}" if port == "-" else f"{comp}.{port}.{quantity}"
            out[label] = grid.to_hourly(arr, _how(quantity))
        frame = pd.DataFrame(out, index=grid.hourly_index)
        frame.index.name = "time"
        return frame

    @property
    def inventory(self) -> pd.DataFrame:
        """The GHG inventory, one row per source (what goes to ``inventory.csv``)."""
        if self.ledger is None:
            msg = "these results carry no ledger"
            raise AttributeError(msg)
        return self.ledger.inventory.frame()

    def write(self, out_dir: str | Path, *, tables: Mapping[str, pd.DataFrame] | None = None) -> Path:
        """Write ``hourly.parquet``, ``hourly.csv``, ``monthly.csv``,
        ``summary.json``, ``inventory.csv`` and, with a ``[ledger]``
        section, ``neutrality.csv`` and ``ceca_readiness.csv`` into
        ``out_dir`` atomically: everything is written to a temporary folder
        beside it, which then replaces ``out_dir``, so a crash never leaves
        a half-written result.

        Parameters
        ----------
        out_dir : str or Path
        tables : mapping of file name to DataFrame, optional
            Further tables written in the same folder (``pathway.csv``).

        Returns
        -------
        Path
            ``out_dir``.
        """
        with atomic_dir(out_dir) as tmp:
            hourly = self.hourly
            hourly.to_parquet(tmp / "hourly.parquet", engine="pyarrow")
            write_csv(hourly, tmp / "hourly.csv", decimals=6)
            write_csv(self.monthly, tmp / "monthly.csv", decimals=6)
            text = json.dumps(_finite_or_none(self.summary), indent=2, ensure_ascii=False,
                              default=_json_default, allow_nan=False)
            (tmp / "summary.json").write_text(text + "\n", encoding="utf-8")
            extra = dict(self.ledger.tables()) if self.ledger is not None else {}
            extra.update(tables or {})
            for name, frame in extra.items():
                frame.to_csv(tmp / name, index=False, float_format="%.12g")
        return Path(out_dir)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    msg = f"cannot write {type(value).__name__} to JSON"
    raise TypeError(msg)
