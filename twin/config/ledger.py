"""The ``[ledger]`` section of a plant config.

Every quantity carries its unit in its name; every number that is not in
the bundled factor tables comes with a ``*_source`` text. Field checks
(negative quantities, unknown refrigerants or fuels, certificate vintages
outside the reporting year when the rules require the same year,
certificates claimed twice) happen here, at config parse, so
``twin validate`` reports them with exit status 2. Checks that need the
simulated year (instruments exceeding the grid import, certificates of the
plant's own PV) happen when the ledger is computed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from twin.component import EmissionFactorSpec, SeriesRef
from twin.factors.fuels import FUELS, fuel_factor, fuel_key, refrigerant_gwp, refrigerant_key

__all__ = [
    "CECA_INDICATORS",
    "BaseYear",
    "CecaConfig",
    "FactorSpec",
    "FuelEntry",
    "Instrument",
    "LedgerConfig",
    "LedgerRules",
    "Offset",
    "OnsiteConfig",
    "PathwayConfig",
    "PathwayMeasure",
    "PathwayYear",
    "ProcessEntry",
    "PurchasedHeatEntry",
    "RefrigerantEntry",
    "Removal",
    "RubricRow",
    "Scope2Config",
    "Scope3Entry",
]

CECA_INDICATORS: dict[str, tuple[str, str]] = {
    "scope1_tco2": ("t CO2e", "direct emissions"),
    "scope2_location_tco2": ("t CO2e", "purchased electricity and heat, location-based"),
    "scope2_market_tco2": ("t CO2e", "purchased electricity and heat, market-based"),
    "scope3_tco2": ("t CO2e", "value-chain sources given in the config"),
    "emissions_tco2": ("t CO2e", "emissions in the boundary of the claim"),
    "reduction_frac": ("-", "reduction against the base year / base-year emissions"),
    "removals_tco2": ("t CO2e", "removals within the value chain"),
    "offsets_tco2": ("t CO2e", "credits applied to the residual"),
    "net_tco2": ("t CO2e", "net emissions after removals and offsets"),
    "renewable_share_frac": ("-", "renewable electricity share, market-based"),
    "onsite_renewable_share_frac": ("-", "self-consumed on-site generation / use"),
    "self_sufficiency_frac": ("-", "1 - grid import / use"),
    "offset_ratio_frac": ("-", "credits applied / emissions in the boundary"),
    "intensity_tco2e_per_unit": ("t CO2e/unit", "emissions per unit of product"),
    "intensity_tco2e_per_10k_cny": ("t CO2e/10k CNY", "emissions per 10,000 CNY of revenue"),
}
"""Indicators the twin computes, with unit and meaning; a rubric row must
name one of them."""


_FROZEN = ConfigDict(extra="forbid", frozen=True)
_NAME = Field(
    min_length=1, max_length=80, description="Name of the entry (appears in the inventory)."
)

KWH_PER_CERTIFICATE = 1000.0
"""1 green electricity certificate (绿证, GEC) = 1 MWh (发改能源〔2023〕1044号)."""


FactorSpec = EmissionFactorSpec
"""A ledger factor: the core's shared emission-factor model."""


class LedgerRules(BaseModel):
    """Rules the verifier or programme applies."""

    model_config = _FROZEN

    instrument_vintage: Literal["same_year", "any"] = Field(
        default="same_year",
        description="'same_year': certificates and contracts must be of the reporting year; 'any'.",
    )
    offset_vintage: Literal["same_year", "any"] = Field(
        default="any", description="Vintage rule for carbon credits: 'same_year' or 'any'."
    )
    over_claim: Literal["error", "cap"] = Field(
        default="error",
        description="Instruments above the grid import: 'error', or 'cap' (apply in listed order up "
        "to the import and record the excess as not applied).",
    )
    accepted_offset_standards: list[Literal["CCER", "VCS", "GS", "CDM", "other"]] | None = Field(
        default=None,
        description="Crediting programmes the claim accepts; credits of others are listed and not "
        "applied. Default: every programme (none excluded).",
    )
    offset_share_cap_frac: dict[Literal["CCER", "VCS", "GS", "CDM", "other"], float] = Field(
        default_factory=dict,
        description="Largest share of the emissions in the boundary that credits of one programme may "
        "cover, e.g. {CCER = 0.05} (the national ETS's 5 % offset cap). Default: no caps.",
    )

    @field_validator("offset_share_cap_frac")
    @classmethod
    def _caps(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not 0.0 <= x <= 1.0}
        if bad:
            msg = f"offset_share_cap_frac: expected shares in [0, 1], got {bad}"
            raise ValueError(msg)
        return v


class Scope2Config(BaseModel):
    """Factors of purchased electricity and heat."""

    model_config = _FROZEN

    location_factor: FactorSpec | None = Field(
        default=None,
        description="Location-based grid factor; default: grid_connection.emission_factor.",
    )
    residual_factor: FactorSpec | None = Field(
        default=None,
        description="Factor of grid electricity not covered by instruments (market-based); default: "
        "national average excluding market-traded non-fossil power of ledger.factor_year.",
    )
    heat_ef_kg_per_gj: float | None = Field(
        default=None,
        ge=0,
        description="Purchased heat factor [kg CO2/GJ]; default 110 (see source).",
    )
    heat_factor_source: str | None = Field(default=None, description="Source of heat_ef_kg_per_gj.")

    @model_validator(mode="after")
    def _heat_source(self) -> Self:
        if self.heat_ef_kg_per_gj is not None and not self.heat_factor_source:
            msg = "heat_ef_kg_per_gj needs heat_factor_source (the document the number comes from)"
            raise ValueError(msg)
        return self


class Instrument(BaseModel):
    """A contractual instrument for renewable electricity (market-based scope 2)."""

    model_config = _FROZEN

    name: str = _NAME
    kind: Literal["green_power_contract", "gec", "ppa"] = Field(
        description="绿电交易 green power contract, 绿证 GEC, or a PPA."
    )
    quantity_kwh: float | None = Field(default=None, ge=0, description="Electricity covered [kWh].")
    certificates: float | None = Field(
        default=None, ge=0, description="Number of GECs (1 GEC = 1 MWh) instead of quantity_kwh."
    )
    vintage_year: int = Field(ge=2000, le=2100, description="Year the electricity was generated.")
    origin: Literal["third_party", "onsite"] = Field(
        default="third_party",
        description="'onsite' for certificates issued for the plant's own generation.",
    )
    registry_ids: list[str] = Field(
        default_factory=list,
        description="Certificate serial numbers or contract ids (checked for reuse).",
    )
    source: str = Field(default="", description="Contract, registry or invoice reference.")
    technology: Literal["hydro", "wind", "solar_pv", "biomass", "other"] | None = Field(
        default=None,
        description="Generating technology behind the instrument (green power contracts by "
        "technology: 'hydro', 'wind', 'solar_pv'); the ledger reports renewable electricity by "
        "technology. Default: not stated.",
    )
    matching: Literal["annual", "hourly"] = Field(
        default="annual",
        description="'annual': the quantity covers grid import over the year; 'hourly': the "
        "contract's delivery covers import hour by hour, and delivery in an hour beyond that hour's "
        "import is not applied (time-matched, as in 24/7 matching).",
    )
    delivery: Literal["flat", "series"] | None = Field(
        default=None,
        description="Hourly matching: the contract's delivery shape, 'flat' (the quantity spread "
        "evenly over the hours of the year, a baseload block) or 'series' (delivery_series).",
    )
    delivery_series: SeriesRef | None = Field(
        default=None,
        description="Hourly delivery of the contract [kWh per hour = kW], e.g. the generator's "
        "settlement data; its total must equal the quantity (within 0.1 %).",
    )

    @model_validator(mode="after")
    def _one_quantity(self) -> Self:
        if (self.quantity_kwh is None) == (self.certificates is None):
            msg = "give exactly one of quantity_kwh or certificates (1 GEC = 1 MWh)"
            raise ValueError(msg)
        if self.matching == "hourly":
            if self.kind == "gec":
                msg = (
                    "matching = 'hourly': a GEC (绿证) carries no delivery hour; hourly matching is "
                    "for green power contracts and PPAs"
                )
                raise ValueError(msg)
            if self.delivery is None:
                msg = (
                    "matching = 'hourly' needs delivery = 'flat' or 'series' (the contract's shape)"
                )
                raise ValueError(msg)
            if (self.delivery == "series") != (self.delivery_series is not None):
                msg = "delivery = 'series' goes with delivery_series (and delivery_series with it)"
                raise ValueError(msg)
        elif self.delivery is not None or self.delivery_series is not None:
            msg = "delivery and delivery_series are for matching = 'hourly'"
            raise ValueError(msg)
        return self

    @property
    def kwh(self) -> float:
        """Electricity the instrument covers [kWh]."""
        if self.certificates is not None:
            return self.certificates * KWH_PER_CERTIFICATE
        return float(self.quantity_kwh or 0.0)


class OnsiteConfig(BaseModel):
    """Attributes of the plant's own renewable generation."""

    model_config = _FROZEN

    gec_sold_certificates: float = Field(
        default=0.0,
        ge=0,
        description="GECs of the plant's own PV sold to others (1 GEC = 1 MWh); that PV can no "
        "longer be claimed as renewable.",
    )


ENERGY_UNITS_GJ = {"kWh": 0.0036, "MWh": 3.6, "MJ": 0.001, "GJ": 1.0, "TJ": 1000.0}
"""GJ per unit of the energy units accepted for fuel and heat quantities."""
_MASS_UNITS_KG = {"kg": 1.0, "t": 1000.0}


class FuelEntry(BaseModel):
    """Fuel burned on site, from meters or invoices (not modelled as a component)."""

    model_config = _FROZEN

    name: str = _NAME
    fuel: str = Field(description="Fuel name (natural_gas, diesel, gasoline, lpg, raw_coal ...).")
    quantity: float = Field(ge=0, description="Amount burned in the reporting year [unit].")
    unit: Literal["kg", "t", "L", "Nm3", "kWh", "MWh", "MJ", "GJ", "TJ"] = Field(
        description="Unit of quantity: mass, litres (with density), Nm³ (normal cubic metres, gases) "
        "or energy on a net calorific (LHV) basis."
    )
    category: Literal["stationary", "mobile"] = Field(
        default="stationary", description="Stationary combustion or mobile (forklifts, vehicles)."
    )
    density_kg_per_l: float | None = Field(
        default=None,
        gt=0,
        description="Density for a quantity in litres [kg/L] (no default is bundled).",
    )
    ncv_gj_per_unit: float | None = Field(
        default=None,
        gt=0,
        description="NCV per kg or Nm³ replacing the table's [GJ/kg] or [GJ/Nm³].",
    )
    ef_kg_per_unit: float | None = Field(
        default=None,
        ge=0,
        description="Factor per unit of `unit` replacing the factor set [kg CO2/unit].",
    )
    factor_source: str | None = Field(default=None, description="Source of ef_kg_per_unit.")

    @field_validator("fuel")
    @classmethod
    def _known_fuel(cls, v: str) -> str:
        return fuel_key(v)

    @model_validator(mode="after")
    def _units(self) -> Self:
        info = FUELS[self.fuel]
        if self.ef_kg_per_unit is not None:
            if not self.factor_source:
                msg = "ef_kg_per_unit needs factor_source (the document the number comes from)"
                raise ValueError(msg)
            return self
        if self.unit == "L":
            if not info.liquid:
                msg = f"unit 'L' is for liquid fuels; {self.fuel} is not one (use {info.physical_unit})"
                raise ValueError(msg)
            if self.density_kg_per_l is None:
                msg = (
                    f"{self.fuel} in litres needs density_kg_per_l (from the supplier's delivery note; "
                    "no sourced default is bundled), or give the quantity in kg"
                )
                raise ValueError(msg)
        if self.unit == "Nm3" and info.physical_unit != "Nm3":
            msg = f"unit 'Nm3' is for gases billed by volume; give {self.fuel} in kg, t or an energy unit"
            raise ValueError(msg)
        if self.unit in _MASS_UNITS_KG and info.physical_unit != "kg":
            msg = f"{self.fuel} is billed in {info.physical_unit}; give it in {info.physical_unit} or an energy unit"
            raise ValueError(msg)
        return self

    def factor(self, factor_set: str) -> tuple[float, str]:
        """Emission factor per unit of ``unit`` [kg CO2/unit] and its source.

        ``factor_set`` is the ledger's (``component`` means the Chinese set
        for manual entries, which no component describes).

        Raises
        ------
        ValueError
            Fuel not in the set, or an IPCC-only fuel given by mass with no NCV.
        """
        if self.ef_kg_per_unit is not None:
            return self.ef_kg_per_unit, str(self.factor_source)
        chosen = "cn" if factor_set == "component" else factor_set
        ff = fuel_factor(self.fuel, chosen, ncv_gj_per_unit=self.ncv_gj_per_unit)
        if self.unit in ENERGY_UNITS_GJ:
            return ff.ef_kg_per_gj * ENERGY_UNITS_GJ[self.unit], f"{ff.source}; per GJ on LHV basis"
        if ff.ef_kg_per_unit is None:
            msg = (
                f"{self.fuel} has no NCV in the bundled tables: give the quantity in an energy unit "
                "(GJ, kWh ...) or ncv_gj_per_unit"
            )
            raise ValueError(msg)
        if self.unit == "L":
            density = float(self.density_kg_per_l or 0.0)
            return ff.ef_kg_per_unit * density, f"{ff.source}; density {density:g} kg/L (config)"
        return ff.ef_kg_per_unit * _MASS_UNITS_KG.get(self.unit, 1.0), ff.source

    def energy_gj(self) -> float | None:
        """The fuel's energy on a net calorific (LHV) basis [GJ], or None when
        no calorific value is known for a physical quantity."""
        if self.unit in ENERGY_UNITS_GJ:
            return self.quantity * ENERGY_UNITS_GJ[self.unit]
        try:
            ncv = self.ncv_gj_per_unit or fuel_factor(self.fuel, "cn").ncv_gj_per_unit
        except ValueError:
            ncv = None
        if ncv is None:
            return None
        if self.unit == "L":
            return self.quantity * float(self.density_kg_per_l or 0.0) * ncv
        return self.quantity * _MASS_UNITS_KG.get(self.unit, 1.0) * ncv


class ProcessEntry(BaseModel):
    """Process emissions (not combustion), e.g. carbonate decomposition."""

    model_config = _FROZEN

    name: str = _NAME
    quantity: float = Field(ge=0, description="Activity in the reporting year [unit].")
    unit: str = Field(
        min_length=1, description="Unit of quantity (t of product, t of carbonate ...)."
    )
    ef_kg_per_unit: float = Field(ge=0, description="kg CO2e per unit of activity.")
    factor_source: str = Field(min_length=1, description="Document the factor comes from.")


class RefrigerantEntry(BaseModel):
    """Refrigerant leakage of one system: charge x annual leak rate x GWP, or a
    measured top-up."""

    model_config = _FROZEN

    name: str = _NAME
    refrigerant: str = Field(description="ASHRAE designation (R-134a, R-410A, R-32 ...).")
    charge_kg: float | None = Field(default=None, ge=0, description="Refrigerant charge [kg].")
    annual_leak_rate_frac: float | None = Field(
        default=None, ge=0, le=1, description="Share of the charge lost per year [-]."
    )
    leaked_kg: float | None = Field(
        default=None,
        ge=0,
        description="Measured loss in the year (top-ups) [kg], instead of charge x rate.",
    )
    gwp: float | None = Field(default=None, ge=0, description="GWP-100 replacing the table's [-].")
    gwp_source: str | None = Field(default=None, description="Source of gwp.")

    @model_validator(mode="after")
    def _form(self) -> Self:
        by_rate = self.charge_kg is not None and self.annual_leak_rate_frac is not None
        partial = (self.charge_kg is None) != (self.annual_leak_rate_frac is None)
        if partial or by_rate == (self.leaked_kg is not None):
            msg = "give charge_kg with annual_leak_rate_frac, or leaked_kg"
            raise ValueError(msg)
        if self.gwp is not None:
            if not self.gwp_source:
                msg = "gwp needs gwp_source (the table the value comes from)"
                raise ValueError(msg)
        else:
            refrigerant_key(self.refrigerant)
        return self

    @property
    def leaked(self) -> float:
        """Refrigerant lost in the year [kg]."""
        if self.leaked_kg is not None:
            return self.leaked_kg
        return float(self.charge_kg or 0.0) * float(self.annual_leak_rate_frac or 0.0)


class PurchasedHeatEntry(BaseModel):
    """Heat or steam bought from outside and metered (not a modelled component)."""

    model_config = _FROZEN

    name: str = _NAME
    quantity: float = Field(ge=0, description="Heat received in the reporting year [unit].")
    unit: Literal["kWh", "MWh", "MJ", "GJ", "TJ"] = Field(description="Unit of quantity.")


class Scope3Entry(BaseModel):
    """A value-chain source (Type II boundary): purchased materials, transport ..."""

    model_config = _FROZEN

    name: str = _NAME
    category: str = Field(
        min_length=1,
        description="GHG Protocol scope 3 / ISO 14064-1 category, e.g. 'purchased goods'.",
    )
    quantity: float = Field(ge=0, description="Activity [unit].")
    unit: str = Field(min_length=1, description="Unit of quantity (t, t·km ...).")
    ef_kg_per_unit: float = Field(ge=0, description="kg CO2e per unit of activity.")
    factor_source: str = Field(min_length=1, description="Database or document of the factor.")


class BaseYear(BaseModel):
    """Emissions of the base period for reductions (ISO 14068-1 step 1)."""

    model_config = _FROZEN

    year: int = Field(ge=1990, le=2100, description="Base year.")
    scope1_tco2: float = Field(ge=0, description="Scope 1 of the base year [t CO2e].")
    scope2_tco2: float = Field(
        ge=0, description="Scope 2 of the base year, on the basis of ledger.scope2_basis [t CO2e]."
    )
    scope3_tco2: float = Field(default=0.0, ge=0, description="Scope 3 of the base year [t CO2e].")
    source: str = Field(default="", description="Report the base-year inventory comes from.")


class Removal(BaseModel):
    """A removal enhancement within the value chain (ISO 14068-1 step 2);
    credits from outside it are offsets."""

    model_config = _FROZEN

    name: str = _NAME
    quantity_tco2e: float = Field(ge=0, description="CO2e removed in the reporting year [t].")
    source: str = Field(min_length=1, description="Method or verification report.")


class Offset(BaseModel):
    """Carbon credits retired for the reporting year (ISO 14068-1 step 3)."""

    model_config = _FROZEN

    name: str = _NAME
    standard: Literal["CCER", "VCS", "GS", "CDM", "other"] = Field(
        description="Crediting programme."
    )
    vintage_year: int = Field(
        ge=2000, le=2100, description="Year the reductions or removals happened."
    )
    quantity_tco2e: float = Field(ge=0, description="Credits [t CO2e] (1 credit = 1 t CO2e).")
    serials: list[str] = Field(
        default_factory=list, description="Registry serial numbers (checked for reuse)."
    )
    retired: bool = Field(
        default=True,
        description="Retired (cancelled) on the registry; unretired credits do not count.",
    )
    price_cny_per_t: float | None = Field(
        default=None, ge=0, description="Price paid [CNY/t CO2e]."
    )


class RubricRow(BaseModel):
    """One criterion of a star-level rubric, with the clause it comes from."""

    model_config = _FROZEN

    indicator: str = Field(description="An indicator the twin computes (see `twin ledger`).")
    op: Literal[">=", ">", "<=", "<", "=="] = Field(description="Comparison with the threshold.")
    threshold: float = Field(description="Threshold in the indicator's unit.")
    level: str = Field(min_length=1, description="Star level or grade the criterion belongs to.")
    source: str = Field(
        min_length=1, description="Clause of the standard (no rule without a source)."
    )

    @field_validator("indicator")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in CECA_INDICATORS:
            msg = f"unknown indicator {v!r}; the twin computes: {', '.join(CECA_INDICATORS)}"
            raise ValueError(msg)
        return v


class CecaConfig(BaseModel):
    """T/CECA-G 0171-2022 readiness: the rubric is empty unless given."""

    model_config = _FROZEN

    rubric: list[RubricRow] = Field(
        default_factory=list,
        description="Star-level criteria from the standard's text; empty: none assessed.",
    )


class PathwayYear(BaseModel):
    """Explicit values for one pathway year (override the trajectory rules)."""

    model_config = _FROZEN

    year: int = Field(ge=2000, le=2100, description="Reporting year.")
    grid_ef_kg_per_kwh: float | None = Field(
        default=None, ge=0, description="Location-based factor [kg CO2/kWh]."
    )
    residual_ef_kg_per_kwh: float | None = Field(
        default=None, ge=0, description="Residual-mix factor [kg CO2/kWh]."
    )
    electricity_price_factor: float | None = Field(
        default=None, ge=0, description="Multiplier on the electricity bill [-]."
    )
    fuel_price_factor: float | None = Field(
        default=None, ge=0, description="Multiplier on fuel bills [-]."
    )
    offset_price_cny_per_t: float | None = Field(
        default=None, ge=0, description="Credit price [CNY/t CO2e]."
    )


class PathwayMeasure(BaseModel):
    """A retrofit or purchase switched on from a year: measures from the
    measure library and dotted-path patches, exactly as in an experiment's
    ``[[variant]]``."""

    model_config = _FROZEN

    name: str = _NAME
    from_year: int = Field(ge=2000, le=2100, description="First year the measure is in place.")
    measures: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Measures from the measure library (`twin measures`), e.g. "
        "{measure = 'resize_pv', pv = 'rooftop', factor = 1.5}.",
    )
    patches: dict[str, Any] = Field(
        default_factory=dict,
        description="Dotted path -> value (list items by index or name), e.g. "
        "{'pv.rooftop.inverter_rated_power_ac_kw' = 2400}.",
    )
    note: str = Field(default="", description="What the measure is.")

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.measures and not self.patches:
            msg = "give measures (from the measure library) or patches, or both"
            raise ValueError(msg)
        for path in self.patches:
            if path.strip().startswith("ledger.pathway"):
                msg = f"patch {path!r}: a measure cannot change the pathway itself"
                raise ValueError(msg)
        return self


class PathwayConfig(BaseModel):
    """Years, trajectories and measures of a multi-year pathway."""

    model_config = _FROZEN

    start_year: int = Field(ge=2000, le=2100, description="First reporting year.")
    end_year: int = Field(ge=2000, le=2100, description="Last reporting year.")
    grid_ef_change_frac_per_year: float = Field(
        default=0.0, ge=-1, le=1, description="Yearly change of the location-based factor [-/year]."
    )
    residual_ef_change_frac_per_year: float | None = Field(
        default=None,
        ge=-1,
        le=1,
        description="Yearly change of the residual factor; default: as the grid.",
    )
    electricity_price_change_frac_per_year: float = Field(
        default=0.0, ge=-1, le=1, description="[-/year]."
    )
    fuel_price_change_frac_per_year: float = Field(
        default=0.0, ge=-1, le=1, description="[-/year]."
    )
    offset_price_cny_per_t: float = Field(
        ge=0, description="Credit price in start_year [CNY/t CO2e]."
    )
    offset_price_change_frac_per_year: float = Field(
        default=0.0, ge=-1, le=1, description="[-/year]."
    )
    years: list[PathwayYear] = Field(default_factory=list, description="Explicit values by year.")
    measures: list[PathwayMeasure] = Field(default_factory=list, description="Measures by year.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.end_year < self.start_year:
            msg = f"end_year {self.end_year} is before start_year {self.start_year}"
            raise ValueError(msg)
        if self.end_year - self.start_year > 60:
            msg = "a pathway spans at most 61 years"
            raise ValueError(msg)
        seen = [y.year for y in self.years]
        dup = sorted(y for y, n in Counter(seen).items() if n > 1)
        outside = sorted(y for y in seen if not self.start_year <= y <= self.end_year)
        if dup or outside:
            msg = f"years: duplicated {dup} / outside start_year..end_year {outside}"
            raise ValueError(msg)
        _unique([m.name for m in self.measures], "measures")
        return self


def _unique(names: list[str], where: str) -> None:
    dup = sorted(n for n, k in Counter(names).items() if k > 1)
    if dup:
        msg = f"{where}: names must be unique, repeated: {dup}"
        raise ValueError(msg)


class LedgerConfig(BaseModel):
    """The carbon ledger of a plant: inventory (ISO 14064-1 / GB/T 32150),
    neutrality (ISO 14068-1 order), T/CECA-G 0171-2022 readiness, pathway."""

    model_config = _FROZEN

    reporting_year: int | None = Field(
        default=None, ge=2000, le=2100, description="Year reported; default: simulation.year."
    )
    boundary: Literal["type_i", "type_ii"] = Field(
        default="type_i", description="'type_i': scope 1 + 2; 'type_ii': scope 1 + 2 + 3."
    )
    scope2_basis: Literal["market", "location"] = Field(
        default="market", description="Scope 2 method used for the neutrality claim."
    )
    fuel_factors: Literal["cn", "ipcc2006", "component"] = Field(
        default="cn",
        description="Combustion factors: 'cn' (Chinese practice), 'ipcc2006', or 'component' (each "
        "fuel supply's own factor).",
    )
    gwp_set: Literal["ar6", "ar5"] = Field(default="ar6", description="IPCC GWP-100 values.")
    factor_year: int = Field(
        default=2023,
        ge=2021,
        le=2023,
        description="Data year of the default residual-mix factor (MEE/NBS 2021-2023).",
    )
    production_units: float | None = Field(
        default=None, gt=0, description="Output in the year [production_unit]."
    )
    production_unit: str = Field(
        default="unit", min_length=1, description="Unit of production_units."
    )
    revenue_cny: float | None = Field(default=None, gt=0, description="Revenue in the year [CNY].")
    rules: LedgerRules = Field(default_factory=LedgerRules, description="Programme rules.")
    scope2: Scope2Config = Field(
        default_factory=Scope2Config, description="Electricity and heat factors."
    )
    onsite: OnsiteConfig = Field(
        default_factory=OnsiteConfig, description="Own generation attributes."
    )
    instruments: list[Instrument] = Field(
        default_factory=list, description="Renewable electricity instruments."
    )
    fuels: list[FuelEntry] = Field(
        default_factory=list, description="Fuels not modelled as components."
    )
    process: list[ProcessEntry] = Field(default_factory=list, description="Process emissions.")
    refrigerants: list[RefrigerantEntry] = Field(
        default_factory=list, description="Refrigerant systems."
    )
    purchased_heat: list[PurchasedHeatEntry] = Field(
        default_factory=list, description="Metered heat purchases."
    )
    scope3: list[Scope3Entry] = Field(
        default_factory=list, description="Value-chain sources (Type II)."
    )
    base_year: BaseYear | None = Field(default=None, description="Base period for reductions.")
    claim_period: Literal["first", "subsequent"] = Field(
        default="subsequent",
        description="'first': the first period of a neutrality claim, where offsets may cover "
        "emissions not yet reduced, as a commitment with a reduction plan (PAS 2060:2014; ISO 14068-1 "
        "commitment); 'subsequent': reductions against the base year must come first.",
    )
    reduction_plan: str = Field(
        default="",
        description="The carbon management plan behind a first-period commitment: document, targets "
        "and timescale.",
    )
    electricity_equivalent_kgce_per_kwh: float | None = Field(
        default=None,
        gt=0.2,
        lt=0.45,
        description="Electricity on the equivalent-value basis (等价值) for 综合能耗: the reporting year's "
        "published average standard-coal consumption of thermal power supply [kgce/kWh], with its "
        "source in electricity_equivalent_source. Without it only the calorific-value basis "
        "(当量值, 0.1229 kgce/kWh, GB/T 2589-2020) is reported.",
    )
    electricity_equivalent_source: str = Field(
        default="", description="Publication of electricity_equivalent_kgce_per_kwh."
    )
    removals: list[Removal] = Field(
        default_factory=list, description="Removals within the value chain."
    )
    offsets: list[Offset] = Field(default_factory=list, description="Credits retired for the year.")
    ceca: CecaConfig = Field(default_factory=CecaConfig, description="T/CECA-G 0171-2022 rubric.")
    pathway: PathwayConfig | None = Field(default=None, description="Multi-year pathway.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for where in (
            "instruments",
            "fuels",
            "process",
            "refrigerants",
            "purchased_heat",
            "scope3",
            "removals",
            "offsets",
        ):
            _unique([e.name for e in getattr(self, where)], where)
        ids = [i for inst in self.instruments for i in inst.registry_ids]
        reused = sorted(i for i, n in Counter(ids).items() if n > 1)
        if reused:
            msg = (
                f"instruments: certificate or contract id(s) {reused} appear more than once; "
                "a certificate is claimed once (a green power contract's certificates are not "
                "listed again as a GEC purchase)"
            )
            raise ValueError(msg)
        serials = [s for o in self.offsets for s in o.serials]
        reused = sorted(s for s, n in Counter(serials).items() if n > 1)
        if reused:
            msg = f"offsets: serial(s) {reused} appear more than once; a credit is retired once"
            raise ValueError(msg)
        if (
            self.electricity_equivalent_kgce_per_kwh is not None
            and not self.electricity_equivalent_source
        ):
            msg = (
                "electricity_equivalent_source: give the publication of "
                "electricity_equivalent_kgce_per_kwh (a number without a source is not reported)"
            )
            raise ValueError(msg)
        if self.claim_period == "first" and not self.reduction_plan:
            msg = (
                "reduction_plan: a first-period neutrality commitment needs its carbon management "
                "plan (document, targets, timescale)"
            )
            raise ValueError(msg)
        year = self.reporting_year
        if year is not None and self.rules.instrument_vintage == "same_year":
            for i, inst in enumerate(self.instruments):
                if inst.vintage_year != year:
                    msg = (
                        f"instruments[{i}] {inst.name!r}: vintage_year {inst.vintage_year} is outside the "
                        f"reporting year {year} and rules.instrument_vintage = 'same_year'; use instruments "
                        f"of {year} or set rules.instrument_vintage = 'any' if the programme allows it"
                    )
                    raise ValueError(msg)
        if year is not None and self.rules.offset_vintage == "same_year":
            for i, off in enumerate(self.offsets):
                if off.vintage_year != year:
                    msg = (
                        f"offsets[{i}] {off.name!r}: vintage_year {off.vintage_year} is outside the "
                        f"reporting year {year} and rules.offset_vintage = 'same_year'"
                    )
                    raise ValueError(msg)
        for i, e in enumerate(self.fuels):
            try:
                e.factor(self.fuel_factors)
            except ValueError as exc:
                msg = f"fuels[{i}] {e.name!r}: {exc}"
                raise ValueError(msg) from None
        for i, r in enumerate(self.refrigerants):
            if r.gwp is None:
                try:
                    refrigerant_gwp(r.refrigerant, self.gwp_set)
                except ValueError as exc:
                    msg = f"refrigerants[{i}] {r.name!r}: {exc}"
                    raise ValueError(msg) from None
        if self.base_year is not None and year is not None and self.base_year.year > year:
            msg = f"base_year.year {self.base_year.year} is after the reporting year {year}"
            raise ValueError(msg)
        return self
