"""Comprehensive energy consumption (综合能耗) in tonnes of standard coal, GB/T 2589-2020.

The energy the plant takes from outside its boundary in the year, each carrier
converted to standard coal (1 kgce = 29,307.6 kJ, GB/T 2589-2020 §3), less
the energy it delivers outside (exported electricity):

- grid electricity, on the calorific-value basis (当量值): 0.1229 kgce/kWh
  (GB/T 2589-2020 Appendix A, 3,600 kJ/kWh), and, when the ledger gives the
  reporting year's published standard-coal consumption of thermal power
  supply, also on the equivalent-value basis (等价值);
- fuels at the plant's meters and fuels entered in ``[ledger]``, from their
  energy on the net calorific basis (LHV) at 1 / 29,307.6 kgce per kJ
  (natural gas at 38,931 kJ/Nm³ gives 1.3283 kgce/Nm³; GB/T 2589-2020
  Appendix A lists 1.1000-1.3300 kgce/m³);
- purchased heat at 0.03412 kgce/MJ (1 / 29.3076, GB/T 2589-2020 Appendix A);
- exported electricity is deducted on the same basis as imports.

On-site renewable generation that the plant uses is not energy taken from
outside: it lowers the grid import and so the figure, and is listed as a
memo row on the calorific-value basis.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.config.ledger import ENERGY_UNITS_GJ, LedgerConfig

__all__ = [
    "ELECTRICITY_CALORIFIC_KGCE_PER_KWH",
    "ENERGY_USE_COLUMNS",
    "KJ_PER_KGCE",
    "EnergyUse",
    "comprehensive_energy",
]

KJ_PER_KGCE = 29_307.6
"""Calorific value of 1 kg of standard coal (GB/T 2589-2020 §3) [kJ/kgce]."""

ELECTRICITY_CALORIFIC_KGCE_PER_KWH = 0.1229
"""Electricity on the calorific-value basis (当量值), GB/T 2589-2020 Appendix A [kgce/kWh]."""

_KGCE_PER_KWH_LHV = 3600.0 / KJ_PER_KGCE
_KGCE_PER_GJ = 1e6 / KJ_PER_KGCE

ENERGY_USE_COLUMNS = ["energy", "quantity", "unit", "kgce_per_unit", "tce", "basis", "source"]
"""Columns of ``energy_consumption.csv``; ``basis`` is ``calorific`` (当量值),
``equivalent`` (等价值), ``both`` or ``memo`` (not summed)."""

_SOURCE = "GB/T 2589-2020 综合能耗计算通则, Appendix A"


@dataclass(frozen=True)
class EnergyUse:
    """Comprehensive energy consumption of the year.

    Attributes
    ----------
    calorific_tce : float
        On the calorific-value basis for electricity (当量值) [tce].
    equivalent_tce : float or None
        On the equivalent-value basis (等价值) [tce]; None without the year's factor.
    rows, totals : tuple of tuple
        One per energy, and the totals, as :data:`ENERGY_USE_COLUMNS`.
    frame : pandas.DataFrame
        ``rows`` then ``totals`` as a table.
    """

    calorific_tce: float
    equivalent_tce: float | None
    rows: tuple[tuple, ...]
    totals: tuple[tuple, ...]

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """One row per energy, then the totals (:data:`ENERGY_USE_COLUMNS`); built
        when first read (a sweep reads only the totals)."""
        return pd.concat(
            [
                pd.DataFrame(list(self.rows), columns=ENERGY_USE_COLUMNS),
                pd.DataFrame(list(self.totals), columns=ENERGY_USE_COLUMNS),
            ],
            ignore_index=True,
        )


def comprehensive_energy(
    grid_import_kwh: float,
    grid_export_kwh: float,
    fuel_import_kwh: dict[str, float],
    purchased_heat_gj: float,
    onsite_renewable_self_consumed_kwh: float,
    cfg: LedgerConfig,
) -> EnergyUse:
    """综合能耗 of a run (see the module docstring).

    Parameters
    ----------
    grid_import_kwh, grid_export_kwh : float
        Electricity bought and sold [kWh].
    fuel_import_kwh : dict
        Fuel at the plant's meters by fuel, LHV basis [kWh].
    purchased_heat_gj : float
        Heat bought [GJ].
    onsite_renewable_self_consumed_kwh : float
        Memo row [kWh].
    cfg : LedgerConfig
        Fuels entered by hand and the equivalent-value factor.
    """
    rows: list[tuple] = []
    eq = cfg.electricity_equivalent_kgce_per_kwh
    eq_source = cfg.electricity_equivalent_source

    def elec(name: str, kwh: float, sign: float) -> None:
        rows.append(
            (
                name,
                sign * kwh,
                "kWh",
                ELECTRICITY_CALORIFIC_KGCE_PER_KWH,
                sign * kwh * ELECTRICITY_CALORIFIC_KGCE_PER_KWH / 1000.0,
                "calorific",
                f"{_SOURCE} (当量值)",
            )
        )
        if eq is not None:
            rows.append(
                (
                    name,
                    sign * kwh,
                    "kWh",
                    eq,
                    sign * kwh * eq / 1000.0,
                    "equivalent",
                    f"{eq_source} (等价值)",
                )
            )

    elec("grid electricity", grid_import_kwh, 1.0)
    if grid_export_kwh > 0:
        elec("exported electricity (deducted)", grid_export_kwh, -1.0)
    for fuel, kwh in sorted(fuel_import_kwh.items()):
        rows.append(
            (
                f"{fuel.replace('_', ' ')} at the meter (LHV)",
                kwh,
                "kWh",
                _KGCE_PER_KWH_LHV,
                kwh * _KGCE_PER_KWH_LHV / 1000.0,
                "both",
                f"{_SOURCE}; 1 kgce = 29,307.6 kJ",
            )
        )
    for e in cfg.fuels:
        gj = e.energy_gj()
        if gj is None:
            rows.append(
                (
                    f"{e.name} ({e.fuel}): no calorific value",
                    e.quantity,
                    e.unit,
                    float("nan"),
                    float("nan"),
                    "memo",
                    "give the quantity in an energy unit or ncv_gj_per_unit",
                )
            )
            continue
        rows.append(
            (
                f"{e.name} ({e.fuel}, LHV)",
                gj,
                "GJ",
                _KGCE_PER_GJ,
                gj * _KGCE_PER_GJ / 1000.0,
                "both",
                f"{_SOURCE}; 1 kgce = 29,307.6 kJ",
            )
        )
    heat = purchased_heat_gj + sum(h.quantity * ENERGY_UNITS_GJ[h.unit] for h in cfg.purchased_heat)
    if heat > 0:
        rows.append(
            (
                "purchased heat",
                heat,
                "GJ",
                _KGCE_PER_GJ,
                heat * _KGCE_PER_GJ / 1000.0,
                "both",
                f"{_SOURCE}: heat 0.03412 kgce/MJ",
            )
        )
    if onsite_renewable_self_consumed_kwh > 0:
        rows.append(
            (
                "on-site renewable electricity used (memo, not taken from outside)",
                onsite_renewable_self_consumed_kwh,
                "kWh",
                ELECTRICITY_CALORIFIC_KGCE_PER_KWH,
                onsite_renewable_self_consumed_kwh * ELECTRICITY_CALORIFIC_KGCE_PER_KWH / 1000.0,
                "memo",
                f"{_SOURCE} (当量值)",
            )
        )
    # the sums pandas would take over the rows' tce column, in row order (numpy's sum)
    calorific = _tce_sum(rows, ("calorific", "both"))
    equivalent = _tce_sum(rows, ("equivalent", "both")) if eq is not None else None
    totals = [
        (
            "comprehensive energy consumption (当量值)",
            calorific,
            "tce",
            1000.0,
            calorific,
            "total",
            _SOURCE,
        )
    ]
    if equivalent is not None:
        totals.append(
            (
                "comprehensive energy consumption (等价值)",
                equivalent,
                "tce",
                1000.0,
                equivalent,
                "total",
                f"{_SOURCE}; {eq_source}",
            )
        )
    return EnergyUse(calorific, equivalent, tuple(rows), tuple(totals))


def _tce_sum(rows: list[tuple], bases: tuple[str, ...]) -> float:
    return float(np.nansum(np.array([r[4] for r in rows if r[5] in bases], dtype=np.float64)))
