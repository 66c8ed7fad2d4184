"""The grid connection: the electricity slack, its tariff and its emission factor.

The grid connection closes the electricity bus at every step: it imports
what the plant still needs after on-site generation and storage, and
exports what is left over, each within its limit. It also publishes the
per-step price and emission signals that storage dispatch and accounting
use (:class:`twin.component.TariffSignals`).

Chinese industrial tariffs (两部制电价) have an energy part that floats by
time of use (峰谷分时电价, NDRC 发改价格〔2021〕1093号) and a basic charge
either on the month's maximum demand (CNY/kW-month) or on the contracted
transformer capacity (CNY/kVA-month). Provincial rules float only part of
the energy price (for example Jiangsu floats the purchase price, not the
transmission and distribution tariff or government funds), so the price per
step is

.. math:: p(t) = p_{fixed} + p_{float} \\cdot r_{period(t)}

with :math:`r` the period's ratio to the flat price.
"""

from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.carriers import ELECTRICITY
from twin.component import (
    BillingTerms,
    ComponentParams,
    Direction,
    EmissionFactorSpec,
    Flows,
    GridSupply,
    Meaning,
    Output,
    Port,
    Role,
    RunContext,
    TariffSignals,
    TouPeriod,
    register_component,
)
from twin.timegrid import TimeGrid

__all__ = [
    "EmissionFactorParams",
    "GridConnection",
    "GridConnectionParams",
    "TariffParams",
    "TouWindow",
    "tou_period_per_step",
]

PeriodName = Literal["deep_valley", "valley", "flat", "peak", "critical"]
_PERIOD_CODE: dict[str, TouPeriod] = {
    "deep_valley": TouPeriod.DEEP_VALLEY,
    "valley": TouPeriod.VALLEY,
    "flat": TouPeriod.FLAT,
    "peak": TouPeriod.PEAK,
    "critical": TouPeriod.CRITICAL,
}

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class TouWindow(BaseModel):
    """Time-of-use labels of every local hour for a set of months."""

    model_config = _FROZEN

    months: list[int] = Field(min_length=1, description="Months 1..12 this window applies to.")
    hours: list[PeriodName] = Field(
        min_length=24, max_length=24,
        description="Period of each local hour 0..23 (hour h = [h:00, h+1:00)).",
    )
    ratios: dict[PeriodName, float] | None = Field(
        default=None,
        description="Price ratio to flat per period for these months; "
        "overrides the tariff's ratios.",
    )

    @model_validator(mode="after")
    def _months_in_range(self) -> Self:
        bad = [m for m in self.months if not 1 <= m <= 12]
        if bad:
            msg = f"months must be 1..12, got {bad}"
            raise ValueError(msg)
        return self


class TariffParams(BaseModel):
    """An electricity tariff: time-of-use energy price, basic charge, export price."""

    model_config = _FROZEN

    preset: str | None = Field(
        default=None, description="Name of the preset the windows came from (informational)."
    )
    document: str = Field(default="user-defined", description="Tariff document cited.")
    windows: list[TouWindow] = Field(
        min_length=1, description="Hour labels by month; together they cover months 1..12 once."
    )
    ratios: dict[PeriodName, float] = Field(
        default_factory=lambda: {"flat": 1.0},
        description="Price ratio to flat per period (flat = 1.0).",
    )
    floating_price_cny_per_kwh: float = Field(
        ge=0, description="Flat-period price of the part of the energy price that floats [CNY/kWh]."
    )
    fixed_price_cny_per_kwh: float = Field(
        default=0.0, ge=0,
        description="Part of the energy price that does not float (T&D, funds, surcharges) [CNY/kWh].",
    )
    demand_charge_cny_per_kw_month: float = Field(
        default=0.0, ge=0, description="Basic charge on the month's maximum import [CNY/kW-month]."
    )
    capacity_charge_cny_per_kva_month: float = Field(
        default=0.0, ge=0, description="Basic charge on contracted capacity [CNY/kVA-month]."
    )
    contracted_capacity_kva: float | None = Field(
        default=None, gt=0, description="Contracted transformer capacity [kVA]."
    )
    export_price_cny_per_kwh: float = Field(
        default=0.0, ge=0, description="Price paid for exported electricity [CNY/kWh]."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: dict[int, int] = {}
        for i, w in enumerate(self.windows):
            for m in w.months:
                if m in seen:
                    msg = f"month {m} appears in windows[{seen[m]}] and windows[{i}]; give each month once"
                    raise ValueError(msg)
                seen[m] = i
        missing = sorted(set(range(1, 13)) - set(seen))
        if missing:
            msg = f"windows do not cover months {missing}; every month 1..12 needs hour labels"
            raise ValueError(msg)
        for i, w in enumerate(self.windows):
            ratios = {**self.ratios, **(w.ratios or {})}
            ratios.setdefault("flat", 1.0)
            unpriced = sorted(set(w.hours) - set(ratios))
            if unpriced:
                msg = (
                    f"windows[{i}] uses period(s) {unpriced} with no price ratio; "
                    f"add them to tariff.ratios"
                )
                raise ValueError(msg)
            bad = {k: v for k, v in ratios.items() if v < 0}
            if bad:
                msg = f"price ratios must be >= 0, got {bad}"
                raise ValueError(msg)
        if self.demand_charge_cny_per_kw_month > 0 and self.capacity_charge_cny_per_kva_month > 0:
            msg = (
                "give either demand_charge_cny_per_kw_month or capacity_charge_cny_per_kva_month, "
                "not both (a two-part tariff bills one basic charge)"
            )
            raise ValueError(msg)
        if self.capacity_charge_cny_per_kva_month > 0 and self.contracted_capacity_kva is None:
            msg = "capacity_charge_cny_per_kva_month needs contracted_capacity_kva"
            raise ValueError(msg)
        return self


EmissionFactorParams = EmissionFactorSpec
"""The grid connection's emission factor (the core's shared factor model)."""


class GridConnectionParams(ComponentParams):
    """Parameters of the grid connection."""

    import_limit_kw: float = Field(gt=0, description="Maximum import (transformer or contract) [kW].")
    export_limit_kw: float = Field(
        default=0.0, ge=0, description="Maximum export [kW]; 0 = no export, surplus PV is curtailed."
    )
    demand_target_kw: float | list[float] | None = Field(
        default=None,
        description="Import level storage tries not to exceed: a constant or 12 monthly values [kW].",
    )
    tariff: TariffParams = Field(description="Electricity tariff (time of use, basic charge, export).")
    emission_factor: EmissionFactorParams = Field(
        description="Location-based grid emission factor (constant, monthly or hourly)."
    )
    bus: str = Field(default="electricity", description="Electricity bus served.")

    @model_validator(mode="after")
    def _target(self) -> Self:
        t = self.demand_target_kw
        if isinstance(t, list) and (len(t) != 12 or min(t) <= 0):
            msg = "demand_target_kw: expected one value > 0 or 12 monthly values > 0"
            raise ValueError(msg)
        if isinstance(t, float | int) and t <= 0:
            msg = f"demand_target_kw: expected > 0, got {t}"
            raise ValueError(msg)
        return self


def tou_period_per_step(tariff: TariffParams, grid: TimeGrid) -> tuple[np.ndarray, np.ndarray]:
    """Period code and price ratio of every step from the tariff's windows.

    Parameters
    ----------
    tariff : TariffParams
    grid : TimeGrid
        Periods follow the local month and hour of each interval start.

    Returns
    -------
    period : numpy.ndarray
        :class:`TouPeriod` codes, int8.
    ratio : numpy.ndarray
        Ratio of the floating price to its flat value.
    """
    period_table = np.empty((13, 24), dtype=np.int8)
    ratio_table = np.empty((13, 24), dtype=np.float64)
    for w in tariff.windows:
        ratios = {"flat": 1.0, **tariff.ratios, **(w.ratios or {})}
        codes = [int(_PERIOD_CODE[h]) for h in w.hours]
        values = [ratios[h] for h in w.hours]
        for m in w.months:
            period_table[m] = codes
            ratio_table[m] = values
    return period_table[grid.month, grid.hour], ratio_table[grid.month, grid.hour]


@register_component("grid_connection")
class GridConnection(GridSupply):
    """Utility connection: imports and exports electricity within limits.

    Ports: ``import`` (out to the bus, role IMPORT) and ``export`` (in from the
    bus, role EXPORT). Outputs: ``unmet_kw`` (demand above the import limit)
    and ``excess_kw`` (surplus above the export limit, which the run then
    curtails from generation).
    """

    Params = GridConnectionParams

    params: GridConnectionParams

    @property
    def bus(self) -> str:
        return self.params.bus

    def ports(self) -> tuple[Port, ...]:
        bus = self.params.bus
        return (
            Port("import", ELECTRICITY, Direction.OUT, bus, Role.IMPORT),
            Port("export", ELECTRICITY, Direction.IN, bus, Role.EXPORT),
        )

    def outputs(self) -> tuple[Output, ...]:
        return (
            Output("unmet_kw", "kW", meaning=Meaning.UNMET, carrier=ELECTRICITY,
                   description="demand above the import limit"),
            Output("excess_kw", "kW", meaning=Meaning.EXCESS, carrier=ELECTRICITY,
                   description="surplus above the export limit (the run curtails it from generation)"),
        )

    def billing(self) -> BillingTerms:
        t = self.params.tariff
        return BillingTerms(
            demand_charge_cny_per_kw_month=t.demand_charge_cny_per_kw_month,
            capacity_charge_cny_per_kva_month=t.capacity_charge_cny_per_kva_month,
            contracted_capacity_kva=t.contracted_capacity_kva,
        )

    def emission_factor_source(self) -> str:
        return self.params.emission_factor.source

    def tariff_provenance(self) -> dict[str, Any]:
        return {"preset": self.params.tariff.preset, "document": self.params.tariff.document}

    def signals(self, ctx: RunContext) -> TariffSignals:
        """Per-step tariff and emission signals for the run."""
        p = self.params
        grid = ctx.grid
        period, ratio = tou_period_per_step(p.tariff, grid)
        price = p.tariff.fixed_price_cny_per_kwh + p.tariff.floating_price_cny_per_kwh * ratio
        export_price = np.full(grid.n_steps, p.tariff.export_price_cny_per_kwh)
        ef = p.emission_factor
        if ef.ef_kg_per_kwh is not None:
            ef_arr = np.full(grid.n_steps, ef.ef_kg_per_kwh)
        elif ef.monthly_ef_kg_per_kwh is not None:
            ef_arr = np.asarray(ef.monthly_ef_kg_per_kwh, dtype=np.float64)[grid.month - 1]
        else:
            ef_arr = ctx.input_series(self.name, "emission_factor.series")
        target = p.demand_target_kw
        if target is None:
            target_arr = None
        elif isinstance(target, list):
            target_arr = np.asarray(target, dtype=np.float64)[grid.month - 1]
        else:
            target_arr = np.full(grid.n_steps, float(target))
        return TariffSignals(
            period=period,
            import_price_cny_per_kwh=price,
            export_price_cny_per_kwh=export_price,
            ef_kg_per_kwh=ef_arr,
            demand_target_kw=target_arr,
            import_limit_kw=p.import_limit_kw,
            export_limit_kw=p.export_limit_kw,
            demand_charge_cny_per_kw_month=p.tariff.demand_charge_cny_per_kw_month,
        )

    def compute(self, ctx: RunContext) -> Flows:
        p = self.params
        net = ctx.net_demand(p.bus)
        imp = np.clip(net, 0.0, p.import_limit_kw)
        exp = np.clip(-net, 0.0, p.export_limit_kw)
        unmet = np.maximum(net - p.import_limit_kw, 0.0)
        excess = np.maximum(-net - p.export_limit_kw, 0.0)
        return Flows(
            ports={"import": imp, "export": exp},
            outputs={"unmet_kw": unmet, "excess_kw": excess},
        )

    @classmethod
    def example_params(cls) -> dict:
        return {
            "name": "grid",
            "import_limit_kw": 1000.0,
            "export_limit_kw": 200.0,
            "tariff": {
                "windows": [{"months": list(range(1, 13)), "hours": ["valley"] * 8 + ["peak"] * 4
                             + ["flat"] * 12}],
                "ratios": {"valley": 0.4, "flat": 1.0, "peak": 1.6},
                "floating_price_cny_per_kwh": 0.5,
                "fixed_price_cny_per_kwh": 0.2,
                "demand_charge_cny_per_kw_month": 30.0,
                "export_price_cny_per_kwh": 0.39,
            },
            "emission_factor": {"ef_kg_per_kwh": 0.58},
        }
