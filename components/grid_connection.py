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
    "HotDayCritical",
    "GridConnection",
    "GridConnectionParams",
    "TariffParams",
    "TouWindow",
    "tou_period_per_step",
]

PeriodName = Literal["deep_valley", "valley", "flat", "peak", "critical"]
DayTypeName = Literal["workday", "weekend", "holiday"]
_DAY_CODE: dict[str, int] = {"workday": 0, "weekend": 1, "holiday": 2}  # twin.component.DayType
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
        min_length=24,
        max_length=24,
        description="Period of each local hour 0..23 (hour h = [h:00, h+1:00)).",
    )
    ratios: dict[PeriodName, float] | None = Field(
        default=None,
        description="Price ratio to flat per period for these months; "
        "overrides the tariff's ratios.",
    )
    day_types: list[DayTypeName] | None = Field(
        default=None,
        description=(
            "Day types this window applies to ('workday', 'weekend' = rest day, "
            "'holiday' = statutory holiday, from the run's calendar); None: every day."
        ),
    )

    @model_validator(mode="after")
    def _months_in_range(self) -> Self:
        bad = [m for m in self.months if not 1 <= m <= 12]
        if bad:
            msg = f"months must be 1..12, got {bad}"
            raise ValueError(msg)
        return self


class HotDayCritical(BaseModel):
    """Critical hours on hot days (高温天尖峰), outside the months that have them anyway."""

    model_config = _FROZEN

    temp_air_min_c: float = Field(
        default=35.0, description="Daily maximum air temperature that makes a day hot [°C]."
    )
    consecutive_days: int = Field(
        default=1,
        ge=1,
        le=10,
        description="Hot days in a row before the rule applies (from that day of the spell on).",
    )
    months: list[int] = Field(min_length=1, description="Months 1..12 the rule applies in.")
    hours: list[int] = Field(min_length=1, description="Local hours 0..23 that become critical.")
    document: str = Field(default="user-defined", description="Tariff document cited.")

    @model_validator(mode="after")
    def _ranges(self) -> Self:
        if any(not 1 <= m <= 12 for m in self.months) or any(not 0 <= h <= 23 for h in self.hours):
            msg = f"months must be 1..12 and hours 0..23, got {self.months} and {self.hours}"
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
        default=0.0,
        ge=0,
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
    hot_day_critical: HotDayCritical | None = Field(
        default=None,
        description=(
            "Critical hours on hot days (the site weather's daily maximum temperature), "
            "e.g. Guangdong outside July-September (粤发改价格〔2021〕331号)."
        ),
    )
    basic_charge: Literal["demand", "capacity"] | None = Field(
        default=None,
        description=(
            "Basic charge billed when both rates are given: 'demand' (按需量, the month's "
            "maximum demand x demand_charge_cny_per_kw_month) or 'capacity' (按容量, "
            "contracted_capacity_kva x capacity_charge_cny_per_kva_month); the user's "
            "choice under 发改办价格〔2016〕1583号. None: whichever rate is given."
        ),
    )
    demand_interval_min: float = Field(
        default=15.0,
        gt=0,
        le=60,
        description=(
            "Interval whose mean import is metered as demand [min]: 15 for Chinese "
            "maximum-demand meters (需量周期 15 min, DL/T 614 multifunction meters)."
        ),
    )
    demand_estimate: Literal["lower_bound", "variability"] = Field(
        default="lower_bound",
        description=(
            "At steps longer than demand_interval_min: 'lower_bound' bills the largest "
            "step mean (a lower bound of the metered demand, said so in the cost notes); "
            "'variability' adds an estimate of the sub-step peak from the import's "
            "step-to-step variability (twin.accounting.cost.estimate_interval_peak_kw)."
        ),
    )
    power_factor: float | list[float] | None = Field(
        default=None,
        description=(
            "Monthly mean power factor (cos phi from active and reactive energy), one "
            "value or 12 (January first) [-]; given, the power-factor adjustment "
            "(力调电费, 《功率因数调整电费办法》(83)水电财字第215号) is billed."
        ),
    )
    power_factor_standard: Literal[0.9, 0.85, 0.8] = Field(
        default=0.9,
        description=(
            "Standard of the adjustment table [-]: 0.90 for industrial users of 160 kVA and "
            "above, 0.85 for other users of 100 kVA and above, 0.80 for agriculture "
            "((83)水电财字第215号)."
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: dict[tuple[int, str], int] = {}
        for i, w in enumerate(self.windows):
            for m in w.months:
                for d in w.day_types or list(_DAY_CODE):
                    if (m, d) in seen:
                        msg = (
                            f"month {m} ({d}) appears in windows[{seen[m, d]}] and windows[{i}]; "
                            "give each month and day type once"
                        )
                        raise ValueError(msg)
                    seen[m, d] = i
        missing = sorted({m for m in range(1, 13) for d in _DAY_CODE if (m, d) not in seen})
        if missing:
            msg = (
                f"windows do not cover months {missing} for every day type; every month 1..12 "
                "needs hour labels for workdays, weekends and holidays"
            )
            raise ValueError(msg)
        if self.hot_day_critical is not None:
            months = self.hot_day_critical.months
            unpriced = [
                i
                for i, w in enumerate(self.windows)
                if set(w.months) & set(months)
                and "critical" not in {**self.ratios, **(w.ratios or {})}
            ]
            if unpriced:
                msg = (
                    f"hot_day_critical applies in months {months}, but windows{unpriced} have no "
                    "price ratio for 'critical'; add it to tariff.ratios"
                )
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
        both = (
            self.demand_charge_cny_per_kw_month > 0 and self.capacity_charge_cny_per_kva_month > 0
        )
        if both and self.basic_charge is None:
            msg = (
                "both demand_charge_cny_per_kw_month and capacity_charge_cny_per_kva_month are "
                "given, but a two-part tariff bills one basic charge; set basic_charge = "
                "'demand' or 'capacity'"
            )
            raise ValueError(msg)
        capacity = self.basic_charge == "capacity" or (
            self.basic_charge is None and self.capacity_charge_cny_per_kva_month > 0
        )
        if capacity and self.contracted_capacity_kva is None:
            msg = "billing on capacity needs contracted_capacity_kva (the contracted kVA)"
            raise ValueError(msg)
        pf = self.power_factor
        values = pf if isinstance(pf, list) else [] if pf is None else [pf]
        if isinstance(pf, list) and len(pf) != 12:
            msg = f"power_factor: expected one value or 12 monthly values, got {len(pf)}"
            raise ValueError(msg)
        bad = [v for v in values if not 0.0 < v <= 1.0]
        if bad:
            msg = f"power_factor: expected values in (0, 1], got {bad}"
            raise ValueError(msg)
        return self

    @property
    def billed_demand_rate_cny_per_kw_month(self) -> float:
        """Demand rate that is billed: 0 when the basic charge is on capacity."""
        return 0.0 if self.basic_charge == "capacity" else self.demand_charge_cny_per_kw_month


EmissionFactorParams = EmissionFactorSpec
"""The grid connection's emission factor (the core's shared factor model)."""


class GridConnectionParams(ComponentParams):
    """Parameters of the grid connection."""

    import_limit_kw: float = Field(
        gt=0, description="Maximum import (transformer or contract) [kW]."
    )
    export_limit_kw: float = Field(
        default=0.0,
        ge=0,
        description="Maximum export [kW]; 0 = no export, surplus PV is curtailed.",
    )
    demand_target_kw: float | list[float] | None = Field(
        default=None,
        description="Import level storage tries not to exceed: a constant or 12 monthly values [kW].",
    )
    tariff: TariffParams = Field(
        description="Electricity tariff (time of use, basic charge, export)."
    )
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


def _monthly_power_factor(pf: float | list[float] | None) -> np.ndarray | None:
    """Twelve monthly power factors from one value or twelve; None stays None."""
    if pf is None:
        return None
    return np.broadcast_to(np.asarray(pf, dtype=np.float64), (12,)).copy()


def tou_period_per_step(
    tariff: TariffParams,
    grid: TimeGrid,
    day_type: np.ndarray | None = None,
    temp_air_c: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Period code and price ratio of every step from the tariff's windows.

    Parameters
    ----------
    tariff : TariffParams
    grid : TimeGrid
        Periods follow the local month and hour of each interval start.
    day_type : numpy.ndarray, optional
        :class:`twin.component.DayType` code of each step; None: every step
        is a workday (only windows for workdays are used).
    temp_air_c : numpy.ndarray, optional
        Air temperature of each step [°C], for ``tariff.hot_day_critical``;
        required when the tariff has that rule.

    Returns
    -------
    period : numpy.ndarray
        :class:`TouPeriod` codes, int8.
    ratio : numpy.ndarray
        Ratio of the floating price to its flat value.
    """
    period_table = np.empty((3, 13, 24), dtype=np.int8)
    ratio_table = np.empty((3, 13, 24), dtype=np.float64)
    critical = np.full(13, np.nan)
    for w in tariff.windows:
        ratios = {"flat": 1.0, **tariff.ratios, **(w.ratios or {})}
        codes = [int(_PERIOD_CODE[h]) for h in w.hours]
        values = [ratios[h] for h in w.hours]
        for d in w.day_types or list(_DAY_CODE):
            for m in w.months:
                period_table[_DAY_CODE[d], m] = codes
                ratio_table[_DAY_CODE[d], m] = values
                critical[m] = ratios.get("critical", np.nan)
    days = np.zeros(grid.n_steps, dtype=np.int64) if day_type is None else day_type.astype(np.int64)
    period = period_table[days, grid.month, grid.hour]
    ratio = ratio_table[days, grid.month, grid.hour]
    rule = tariff.hot_day_critical
    if rule is not None:
        if temp_air_c is None:
            msg = "tariff.hot_day_critical needs the air temperature of the run's weather"
            raise ValueError(msg)
        hot = _hot_steps(np.asarray(temp_air_c, dtype=np.float64), grid, rule)
        hit = hot & np.isin(grid.month, rule.months) & np.isin(grid.hour, rule.hours)
        period = np.where(hit, np.int8(TouPeriod.CRITICAL), period).astype(np.int8)
        ratio = np.where(hit, critical[grid.month], ratio)
    return period, ratio


def _hot_steps(temp_air_c: np.ndarray, grid: TimeGrid, rule: HotDayCritical) -> np.ndarray:
    """Steps of days on which the hot-day rule applies."""
    day = grid.day_number
    first = int(day.min()) if day.size else 0
    idx = day - first
    daily_max = np.full(int(idx.max()) + 1 if day.size else 0, -np.inf)
    np.maximum.at(daily_max, idx, temp_air_c)
    hot_day = daily_max >= rule.temp_air_min_c
    run = np.zeros(hot_day.size, dtype=np.int64)
    count = 0
    for i, flag in enumerate(hot_day.tolist()):
        count = count + 1 if flag else 0
        run[i] = count
    return (run >= rule.consecutive_days)[idx]


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
            Output(
                "unmet_kw",
                "kW",
                meaning=Meaning.UNMET,
                carrier=ELECTRICITY,
                description="demand above the import limit",
            ),
            Output(
                "excess_kw",
                "kW",
                meaning=Meaning.EXCESS,
                carrier=ELECTRICITY,
                description="surplus above the export limit (the run curtails it from generation)",
            ),
        )

    def billing(self) -> BillingTerms:
        t = self.params.tariff
        # the basic charge chosen (basic_charge) is the only one billed
        capacity_rate = 0.0 if t.basic_charge == "demand" else t.capacity_charge_cny_per_kva_month
        return BillingTerms(
            demand_charge_cny_per_kw_month=t.billed_demand_rate_cny_per_kw_month,
            capacity_charge_cny_per_kva_month=capacity_rate,
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
        temp = ctx.weather.get("temp_air_c") if p.tariff.hot_day_critical is not None else None
        period, ratio = tou_period_per_step(p.tariff, grid, ctx.day_type, temp)
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
            demand_charge_cny_per_kw_month=p.tariff.billed_demand_rate_cny_per_kw_month,
            demand_interval_h=p.tariff.demand_interval_min / 60.0,
            demand_estimate=p.tariff.demand_estimate,
            power_factor=_monthly_power_factor(p.tariff.power_factor),
            power_factor_standard=float(p.tariff.power_factor_standard),
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
                "windows": [
                    {
                        "months": list(range(1, 13)),
                        "hours": ["valley"] * 8 + ["peak"] * 4 + ["flat"] * 12,
                    }
                ],
                "ratios": {"valley": 0.4, "flat": 1.0, "peak": 1.6},
                "floating_price_cny_per_kwh": 0.5,
                "fixed_price_cny_per_kwh": 0.2,
                "demand_charge_cny_per_kw_month": 30.0,
                "export_price_cny_per_kwh": 0.39,
            },
            "emission_factor": {"ef_kg_per_kwh": 0.58},
        }
