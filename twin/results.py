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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin._atomic import atomic_dir
from twin.accounting.cost import CostBreakdown
from twin.accounting.emissions import electricity_emissions_kg
from twin.accounting.kpi import PlantSeries
from twin.accounting.ledger import Ledger
from twin.accounting.summary import Summary
from twin.component import Flows, TariffSignals, TouPeriod
from twin.io_tables import write_csv, write_parquet_file
from twin.plant import Plant
from twin.timegrid import TimeGrid

__all__ = ["Results"]


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
    summary : Summary
        Annual figures, each with its unit and meaning
        (:class:`twin.accounting.Summary`), with ``provenance`` and ``warnings``.
    weather_columns : Mapping[str, numpy.ndarray]
        Weather on the grid (for the hourly frame).
    unmet_by_bus : Mapping[str, numpy.ndarray]
        Demand no supplier could serve, per bus [carrier unit]; non-electric
        buses appear in the frames as ``<bus>.unmet_<quantity>``.
    ledger : twin.ledger.Ledger or None
        Inventory, neutrality statement and readiness of the run.
    balance : pandas.DataFrame
        Energy balance per carrier and bus, one row per component port
        (:data:`twin.accounting.BALANCE_COLUMNS`); what ``balance.csv`` holds.
    """

    plant: Plant
    flows: Mapping[str, Flows]
    series: PlantSeries
    signals: TariffSignals
    cost: CostBreakdown
    summary: Summary
    weather_columns: Mapping[str, np.ndarray] = field(default_factory=dict)
    unmet_by_bus: Mapping[str, np.ndarray] = field(default_factory=dict)
    ledger: Ledger | None = None
    balance: pd.DataFrame | None = None

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

    def _plant_columns(self) -> dict[str, tuple[np.ndarray, str]]:
        """Plant-level series with their hourly aggregation (declared here once)."""
        s, sig = self.series, self.signals
        cols: dict[str, tuple[np.ndarray, str]] = {
            "electricity_use_kw": (s.use_kw, "mean"),
            "onsite_generation_kw": (s.generation_kw, "mean"),
            "pv_ac_kw": (s.pv_ac_kw, "mean"),
            "pv_curtailed_kw": (s.pv_curtailed_kw, "mean"),
            "grid_import_kw": (s.grid_import_kw, "mean"),
            "grid_export_kw": (s.grid_export_kw, "mean"),
            "battery_charge_kw": (s.battery_charge_kw, "mean"),
            "battery_discharge_kw": (s.battery_discharge_kw, "mean"),
            "battery_soc_kwh": (s.battery_soc_kwh, "last"),
            "unmet_kw": (s.unmet_kw, "mean"),
            "price_import_cny_per_kwh": (sig.import_price_cny_per_kwh, "mean"),
            "ef_kg_per_kwh": (sig.ef_kg_per_kwh, "mean"),
            "energy_cost_cny": (self.cost.energy_cost_cny_per_step, "sum"),
            "export_revenue_cny": (self.cost.export_revenue_cny_per_step, "sum"),
            "scope2_location_kg": (
                electricity_emissions_kg(s.grid_import_kw, sig.ef_kg_per_kwh, self.grid),
                "sum",
            ),
        }
        electric = self.plant.slack.bus
        for bus, arr in self.unmet_by_bus.items():
            if bus != electric:
                cols[f"{bus}.unmet_{self.plant.buses[bus].carrier.quantity}"] = (arr, "mean")
        for name in ("temp_air_c", "ghi_w_per_m2"):
            if name in self.weather_columns:
                cols[name] = (self.weather_columns[name], "mean")
        return cols

    def _component_columns(self) -> dict[tuple[str, str, str], tuple[np.ndarray, str]]:
        """Every port flow and declared output, with its hourly aggregation."""
        cols: dict[tuple[str, str, str], tuple[np.ndarray, str]] = {}
        for c in self.plant.components:
            f = self.flows[c.name]
            for port in c.ports():
                cols[(c.name, port.name, port.carrier.quantity)] = (f.ports[port.name], "mean")
            for out in c.outputs():
                cols[(c.name, "-", out.name)] = (f.outputs[out.name], out.aggregate)
        return cols

    def _tou_names(self, codes: np.ndarray) -> pd.Categorical:
        names = [TouPeriod(k).name.lower() for k in TouPeriod]
        return pd.Categorical.from_codes(codes.astype(np.int8), categories=names)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Step-resolution frame, columns ``(component, port, quantity)``;
        plant-level series under component ``plant``; ``tou_period`` by name."""
        cols = {("plant", "-", k): v for k, (v, _) in self._plant_columns().items()}
        cols[("plant", "-", "tou_period")] = self._tou_names(self.signals.period)
        cols.update({k: v for k, (v, _) in self._component_columns().items()})
        frame = pd.DataFrame(cols, index=self.grid.index)
        frame.columns = pd.MultiIndex.from_tuples(
            frame.columns, names=["component", "port", "quantity"]
        )
        frame.index.name = "time"
        return frame

    @cached_property
    def hourly(self) -> pd.DataFrame:
        """Hourly wide frame with flat column names (what is written to disk):
        powers are hourly means, money and mass hourly sums, states the value
        at the end of the hour, ``tou_period`` the period's name at the hour's start."""
        grid = self.grid
        plant = self._plant_columns()
        out: dict[str, np.ndarray] = {}
        for name, (arr, how) in plant.items():
            out[name] = grid.to_hourly(arr, how)
        for (comp, port, quantity), (arr, how) in self._component_columns().items():
            label = f"{comp}.{quantity}" if port == "-" else f"{comp}.{port}.{quantity}"
            out[label] = grid.to_hourly(arr, how)
        names, values = list(out), list(out.values())
        if all(v.dtype == np.float64 for v in values):
            # one float block, filled column by column, instead of the frame
            # stacking separate arrays (most of the cost of building the frame)
            block = np.empty((len(values), len(grid.hourly_index)))
            for row, v in zip(block, values, strict=True):
                row[:] = v
            frame = pd.DataFrame(block.T, index=grid.hourly_index, columns=names, copy=False)
        else:
            frame = pd.DataFrame(out, index=grid.hourly_index)
        frame.insert(
            len(plant), "tou_period", self._tou_names(grid.to_hourly(self.signals.period, "first"))
        )
        frame.index.name = "time"
        return frame

    @property
    def inventory(self) -> pd.DataFrame:
        """The GHG inventory, one row per source (what goes to ``inventory.csv``)."""
        if self.ledger is None:
            msg = "these results carry no ledger"
            raise AttributeError(msg)
        return self.ledger.inventory.frame()

    def write(
        self, out_dir: str | Path, *, tables: Mapping[str, pd.DataFrame] | None = None
    ) -> Path:
        """Write ``hourly.parquet``, ``hourly.csv``, ``monthly.csv``,
        ``balance.csv``, ``summary.json``, ``inventory.csv`` and, with a ``[ledger]``
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
        with atomic_dir(out_dir) as tmp, ThreadPoolExecutor(1) as pool:
            hourly = self.hourly
            # Arrow writes the Parquet file mostly outside the GIL, beside the CSV
            parquet = pool.submit(write_parquet_file, hourly, tmp / "hourly.parquet")
            write_csv(hourly, tmp / "hourly.csv", decimals=6)
            write_csv(self.monthly, tmp / "monthly.csv", decimals=6)
            (tmp / "balance.csv").write_text(
                self.balance.to_csv(index=False, float_format="%.6f"), encoding="utf-8"
            )
            text = json.dumps(
                _finite_or_none(self.summary.model_dump()),
                indent=2,
                ensure_ascii=False,
                default=_json_default,
                allow_nan=False,
            )
            (tmp / "summary.json").write_text(text + "\n", encoding="utf-8")
            extra = dict(self.ledger.tables()) if self.ledger is not None else {}
            if self.summary.product_intensity:
                extra["product_intensity.csv"] = (
                    pd.DataFrame.from_dict(self.summary.product_intensity, orient="index")
                    .rename_axis("line")
                    .reset_index()
                )
            extra.update(tables or {})
            for name, frame in extra.items():
                frame.to_csv(tmp / name, index=False, float_format="%.12g")
            parquet.result()
        return Path(out_dir)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    msg = f"cannot write {type(value).__name__} to JSON"
    raise TypeError(msg)
