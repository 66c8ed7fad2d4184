"""The M&V case file: what is metered, against what, over which periods.

A TOML file with one ``[mv]`` table (see the README walk-through). Every
field is validated before anything is read (pydantic, unknown keys are
errors); a problem gives one line naming the case file, the field path,
what was expected and what was found, as plant configs do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from twin.config.loader import _format_validation_error
from twin.errors import ConfigError
from twin.mv._files import read_toml

__all__ = [
    "AdjustmentSpec",
    "CarbonSpec",
    "DriverSpec",
    "MeterSpec",
    "MvCase",
    "MvSpec",
    "OptionDSpec",
    "Period",
    "TemperatureSpec",
    "load_case",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeterSpec(_Strict):
    """The meter file and how to read it."""

    file: str = Field(description="CSV or Parquet file, relative to the case file.")
    timestamp: str = Field(description="Column of interval starts (or bill start dates).")
    value: str = Field(description="Column of energy per interval or per bill.")
    end: str | None = Field(
        default=None, description="Column of bill end dates (exclusive): monthly bills."
    )
    unit: Literal["kWh", "MWh", "GJ", "MJ", "therm", "Nm3"] = Field(
        default="kWh", description="Unit of the values."
    )
    lhv_kwh_per_m3: float | None = Field(
        default=None, gt=0, description="Gas LHV for Nm3 [kWh/Nm³]."
    )
    timezone: str = Field(default="Asia/Shanghai", description="Zone of naive timestamps.")
    timestamp_label: Literal["start", "end"] = Field(
        default="start", description="Timestamps mark interval starts or ends."
    )
    spike_z: float = Field(
        default=8.0, ge=0, description="Robust z above which a value is a spike (0: off)."
    )
    spikes: Literal["report", "remove"] = Field(
        default="report", description="Keep reported spikes, or set them missing."
    )


class TemperatureSpec(_Strict):
    """Outdoor temperature: a weather file, or a column of a file."""

    weather: str | None = Field(
        default=None, description="Bundled site id or EPW path (a typical year)."
    )
    file: str | None = Field(default=None, description="CSV or Parquet file with temperatures.")
    timestamp: str | None = None
    value: str | None = None
    unit: Literal["degC", "degF"] = "degC"

    @model_validator(mode="after")
    def _one_source(self) -> TemperatureSpec:
        if (self.weather is None) == (self.file is None):
            msg = "give either weather = SITE_OR_EPW or file = ... with timestamp and value columns"
            raise ValueError(msg)
        if self.file is not None and (self.timestamp is None or self.value is None):
            msg = "a temperature file needs timestamp and value column names"
            raise ValueError(msg)
        return self


class DriverSpec(_Strict):
    """An independent variable besides temperature (production volume, ...)."""

    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", description="Name used in outputs, e.g. production_units."
    )
    file: str
    timestamp: str
    value: str
    aggregate: Literal["sum", "mean"] = Field(
        default="sum", description="How values combine per day."
    )


class Period(_Strict):
    """A period of whole local days, ``end`` exclusive."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            msg = f"expected end after start, got start {self.start} and end {self.end}"
            raise ValueError(msg)
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end and other.start < self.end


class AdjustmentSpec(_Strict):
    """A non-routine adjustment: an entry of the register (IPMVP Core Concepts §8.2)."""

    start: dt.date
    end: dt.date
    reason: str = Field(min_length=1, description="What changed (a line added, a shutdown, ...).")
    evidence: str = Field(min_length=1, description="Where it is documented.")
    approver: str = Field(min_length=1, description="Who accepted the adjustment.")
    action: Literal["adjust", "exclude"] = Field(
        default="adjust",
        description="adjust: add energy_kwh to the baseline; exclude: drop the days.",
    )
    energy_kwh: float = Field(
        default=0.0, description="Energy added to the adjusted baseline over the period [kWh]."
    )

    @model_validator(mode="after")
    def _ordered(self) -> AdjustmentSpec:
        if self.end <= self.start:
            msg = f"expected end after start, got start {self.start} and end {self.end}"
            raise ValueError(msg)
        if self.action == "adjust" and self.energy_kwh == 0.0:
            msg = "an 'adjust' entry needs a non-zero energy_kwh (or action = 'exclude')"
            raise ValueError(msg)
        return self


class CarbonSpec(_Strict):
    """Grid factors for converting verified electricity savings to CO2."""

    province: str = Field(description="Province of the meter (pinyin or Chinese).")
    year: int | None = Field(
        default=None, description="Factor data year (default: latest published)."
    )


class CalibrationParameter(_Strict):
    path: str = Field(description="Dotted config path, e.g. air_system.compressor_room.leak_frac.")
    min: float
    max: float
    initial: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> CalibrationParameter:
        if self.max <= self.min:
            msg = f"expected max > min, got min {self.min} and max {self.max}"
            raise ValueError(msg)
        if self.initial is not None and not self.min <= self.initial <= self.max:
            msg = f"initial {self.initial} outside [{self.min}, {self.max}]"
            raise ValueError(msg)
        return self


class OptionDSpec(_Strict):
    """IPMVP Option D: calibrate twin parameters to the baseline meter."""

    config: str = Field(
        description="Plant config of the metered facility (relative to the case file)."
    )
    parameters: list[CalibrationParameter] = Field(min_length=1)
    measures: list[dict[str, Any]] = Field(
        default_factory=list, description="The measure, as in experiments."
    )
    patches: dict[str, Any] = Field(
        default_factory=dict, description="The measure as dotted-path patches."
    )
    quantity: str = Field(
        default="electricity_use_kw", description="Hourly twin output matching the meter [kW]."
    )
    weather: dict[int, str] = Field(
        default_factory=dict,
        description="Weather of each simulated year (site or EPW); default: the config's.",
    )
    max_evaluations: int = Field(default=40, ge=2, le=500)

    @model_validator(mode="after")
    def _has_measure(self) -> OptionDSpec:
        if not self.measures and not self.patches:
            msg = "give the measure as measures = [...] or patches = {...}"
            raise ValueError(msg)
        return self


class MvSpec(_Strict):
    """The ``[mv]`` table."""

    name: str = Field(min_length=1)
    description: str = ""
    meter: MeterSpec
    temperature: TemperatureSpec | None = None
    baseline: Period
    reporting: Period
    granularity: Literal["hourly", "daily", "monthly"] = "daily"
    model: Literal["auto", "1p", "2p", "3ph", "3pc", "4p", "5p", "towt"] = "auto"
    degree_days: Literal["daily_mean", "hourly"] = Field(
        default="daily_mean",
        description="Degree days from the daily mean temperature, or as the mean of hourly degree-hours.",
    )
    balance_points_c: dict[Literal["heating_c", "cooling_c", "change_point_c"], float] = Field(
        default_factory=dict, description="Balance points chosen instead of searched [°C]."
    )
    confidence: float = Field(default=0.9, gt=0.5, lt=1.0)
    fsu_form: Literal["scaled", "effective_dof"] = Field(
        default="scaled",
        description=(
            "Guideline 14 Eq. B-28 with the autocorrelation correction as n/n' scaling of the "
            "mean square error (scaled), or with n' - p degrees of freedom in the mean square "
            "error and t (effective_dof, Reddy and Claridge 2000, nmecr)."
        ),
    )
    claimed_kwh: float | None = None
    claimed_frac: float | None = Field(default=None, gt=-1.0, lt=1.0)
    min_coverage_frac: float | None = Field(
        default=None,
        gt=0.0,
        le=1.0,
        description="Share of the period's days with data (default 0.9).",
    )
    driver: list[DriverSpec] = Field(default_factory=list)
    adjustment: list[AdjustmentSpec] = Field(default_factory=list)
    normal: TemperatureSpec | None = Field(
        default=None, description="Typical-year weather for normalised savings."
    )
    carbon: CarbonSpec | None = None
    option_d: OptionDSpec | None = None


class MvCase(_Strict):
    """A whole case file."""

    mv: MvSpec


def load_case(path: str | Path) -> tuple[MvCase, str, Path]:
    """Read and validate a case file.

    Returns
    -------
    (MvCase, str, Path)
        The case, its label for messages and its folder.

    Raises
    ------
    ConfigError
        Missing file, bad TOML, unknown key, bad value, overlapping periods.
    """
    p = Path(path)
    label = str(path)
    raw = read_toml(
        p,
        label=label,
        where="",
        missing="case file not found (experiments/mv/ holds runnable examples)",
    )
    try:
        case = MvCase.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, label, MvCase, data=raw)) from None
    mv = case.mv
    if mv.baseline.overlaps(mv.reporting):
        msg = (
            f"{label}: mv.reporting: the reporting period {mv.reporting.start}..{mv.reporting.end} overlaps "
            f"the baseline {mv.baseline.start}..{mv.baseline.end}; the periods must not share a day "
            "(leave the installation period out of both)"
        )
        raise ConfigError(msg)
    if mv.model == "towt" and mv.granularity != "hourly":
        msg = f"{label}: mv.model: 'towt' needs granularity = \"hourly\", got {mv.granularity!r}"
        raise ConfigError(msg)
    if mv.granularity == "hourly" and mv.model not in ("towt", "auto"):
        msg = f'{label}: mv.model: hourly data take model = "towt" (or "auto"), got {mv.model!r}'
        raise ConfigError(msg)
    if mv.claimed_kwh is not None and mv.claimed_frac is not None:
        msg = f"{label}: mv.claimed_frac: give claimed_kwh or claimed_frac, not both"
        raise ConfigError(msg)
    if mv.carbon is not None:
        from twin.factors import province_key

        try:
            province_key(mv.carbon.province)
        except ValueError as exc:
            msg = f"{label}: mv.carbon.province: {exc}"
            raise ConfigError(msg) from None
    if mv.temperature is None and mv.model not in ("auto", "1p"):
        msg = f"{label}: mv.temperature: model {mv.model!r} needs a temperature source"
        raise ConfigError(msg)
    return case, label, p.parent
