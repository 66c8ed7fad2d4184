"""The plant config schema.

Fixed sections (``plant``, ``simulation``, ``weather``, ``calendar`` and the
optional ``ledger``, whose model lives in :mod:`twin.config.ledger`) are
declared here; one table per registered component kind is added from the
component registry (``[[pv]]``, ``[[battery]]``, ``[grid_connection]`` ...),
so adding a component adds its config table with no edit here. Field names
carry their units as in the code (README, "Units and conventions").
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from functools import cache, lru_cache
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    create_model,
    field_validator,
    model_validator,
)

from twin.calendar import day_types
from twin.component import COMPONENT_REGISTRY
from twin.config.ledger import LedgerConfig
from twin.timegrid import TimeGrid, parse_step

__all__ = [
    "CalendarConfig",
    "CsvWeatherConfig",
    "PlantConfig",
    "PlantInfo",
    "SimulationConfig",
    "SyntheticWeatherConfig",
    "WeatherConfig",
    "plant_config_model",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class PlantInfo(BaseModel):
    """Who and where the plant is."""

    model_config = _FROZEN

    name: str = Field(min_length=1, description="Plant name, used for the output folder.")
    description: str = Field(default="", description="Free text.")
    province: str | None = Field(default=None, description="Province (for factor defaults).")


MIN_STEP_S = 60
"""Shortest step of a run [s]."""


class SimulationConfig(BaseModel):
    """The time grid and the random seed of a run."""

    model_config = _FROZEN

    year: int = Field(default=2025, ge=1950, le=2100, description="Calendar year simulated.")
    step: str = Field(default="1h", description="Step length: 1h, 30min, 15min, 5min or 1min.")
    timezone: str = Field(
        default="Asia/Shanghai", description="IANA time zone of the local calendar."
    )
    seed: int = Field(
        default=0, ge=0, le=2**63 - 1, description="Seed of every random draw in the run."
    )
    days: int | None = Field(
        default=None,
        ge=1,
        le=366,
        description="Simulate only the first DAYS days of the year from 1 January (a "
        "shortened horizon for quick checks; default the whole year). Annual figures then "
        "cover those days only.",
    )

    @field_validator("step")
    @classmethod
    def _step(cls, v: str) -> str:
        if parse_step(v).total_seconds() < MIN_STEP_S:
            msg = (
                f"expected a step of at least 1min, got {v!r}: a year at that step holds "
                f"{int(365 * 86400 / parse_step(v).total_seconds()):,} values per series; the "
                "physics here (hourly weather, 15-minute demand billing) needs no finer step"
            )
            raise ValueError(msg)
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            msg = f"unknown time zone {v[:60]!r}; use an IANA name such as 'Asia/Shanghai'"
            raise ValueError(msg) from None
        return v

    @model_validator(mode="after")
    def _days_in_year(self) -> Self:
        in_year = 366 if calendar.isleap(self.year) else 365
        if self.days is not None and self.days > in_year:
            msg = (
                f"days: expected at most {in_year} (the days of {self.year}), got {self.days}; "
                "leave it out to simulate the whole year"
            )
            raise ValueError(msg)
        return self

    def grid(self) -> TimeGrid:
        """The run's time grid: the year, or its first ``days`` days, at ``step``.

        Equal settings give the same (frozen) grid object, so its derived
        arrays (local dates, months, day numbers) are computed once per
        process, not once per run of a sweep.
        """
        return _grid(self.year, str(self.step), self.timezone, self.days)


@lru_cache(maxsize=32)
def _grid(year: int, step: str, timezone: str, days: int | None) -> TimeGrid:
    whole = TimeGrid.for_year(year, step=step, tz=timezone)
    if days is None:
        return whole
    end = whole.start + pd.Timedelta(days=days)
    n = int((end - whole.start) / whole.step)
    return TimeGrid(start=whole.start, step=whole.step, n_steps=n)


class SyntheticWeatherConfig(BaseModel):
    """A synthetic year from monthly climate means (``weather.synthetic_year``)."""

    model_config = _FROZEN

    latitude_deg: float = Field(ge=-90, le=90, description="Site latitude, north positive [°].")
    longitude_deg: float = Field(ge=-180, le=180, description="Site longitude, east positive [°].")
    elevation_m: float = Field(default=0.0, ge=-500, le=9000, description="Site elevation [m].")
    tz_offset_h: float = Field(
        default=8.0, ge=-12, le=14, description="UTC offset of local standard time [h]."
    )
    monthly_ghi_kwh_per_m2: list[float] = Field(
        min_length=12,
        max_length=12,
        description="Global horizontal irradiation of each month, Jan..Dec [kWh/m²].",
    )
    monthly_temp_c: list[float] = Field(
        min_length=12, max_length=12, description="Mean air temperature of each month [°C]."
    )
    monthly_temp_range_c: list[float] = Field(
        min_length=12,
        max_length=12,
        description="Mean daily range, mean daily max − mean daily min, of each month [K].",
    )
    monthly_relative_humidity_frac: list[float] = Field(
        min_length=12, max_length=12, description="Mean relative humidity of each month, 0..1."
    )
    monthly_wind_speed_m_per_s: list[float] | None = Field(
        default=None,
        min_length=12,
        max_length=12,
        description="Mean wind speed of each month [m/s] (default 1 m/s).",
    )
    seed: int | None = Field(
        default=None, ge=0, description="Seed of the generator (default: simulation.seed)."
    )


class CsvWeatherConfig(BaseModel):
    """How to read a generic CSV given as ``file`` (``weather.read_weather(format="csv")``)."""

    model_config = _FROZEN

    columns: dict[str, str] = Field(
        description='Canonical column -> CSV header, e.g. {ghi_w_per_m2 = "GHI", '
        'temp_air_c = "T"}; ghi_w_per_m2 and temp_air_c are required.'
    )
    units: dict[str, str] = Field(
        default_factory=dict,
        description="Canonical column -> unit of the CSV column (W/m2, Wh/m2, kJ/m2, MJ/m2, "
        "C, K, F, %, frac, m/s, km/h, Pa, hPa, mbar, kPa); default the canonical unit.",
    )
    label: Literal["start", "centre", "end", "instant"] = Field(
        description="Where in its interval each row is stamped (instant = a sample at that moment)."
    )
    time_column: str = Field(description="CSV header of the date-time column.")
    time_format: str | None = Field(default=None, description="strftime format of the times.")
    tz_offset_h: float = Field(ge=-12, le=14, description="UTC offset of naive times [h].")
    latitude_deg: float = Field(ge=-90, le=90, description="Site latitude [°].")
    longitude_deg: float = Field(ge=-180, le=180, description="Site longitude [°].")
    elevation_m: float = Field(default=0.0, ge=-500, le=9000, description="Site elevation [m].")
    typical: bool = Field(
        default=False, description="The file is a typical year (else one or more actual years)."
    )


class WeatherConfig(BaseModel):
    """Which weather drives the run: a bundled site, a file, or a synthetic year."""

    model_config = _FROZEN

    site: str | None = Field(
        default=None, description="A bundled site id (see `twin weather list`)."
    )
    file: str | None = Field(
        default=None,
        description="Path of a weather file (relative to the config file): EPW, TMY3, TMY2, "
        "PVGIS TMY or hourly (CSV/JSON/EPW), NSRDB PSM3; the format is read from the content.",
    )
    synthetic: SyntheticWeatherConfig | None = Field(
        default=None, description="A synthetic year from monthly means (weather/synthetic.py)."
    )
    csv: CsvWeatherConfig | None = Field(
        default=None,
        description="Description of a generic CSV given as file (columns, units, labels, site).",
    )
    correct_timing: bool = Field(
        default=False,
        description="Shift irradiance by the measured offset between its clear-day centre "
        "and solar noon (recorded in provenance).",
    )
    accept_timing_offset: bool = Field(
        default=False,
        description="Accept a measured irradiance timing offset beyond 45 min (GHI centre "
        "minus solar noon) and use the data as they are; refused otherwise. Recorded as a "
        "warning; correct_timing = true shifts it instead (at most 90 min).",
    )
    relative_humidity_frac: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Stated constant relative humidity for a file that has none (PVGIS hourly "
        "series), 0..1; drives HVAC latent loads, not PV.",
    )
    latitude_deg: float | None = Field(default=None, ge=-90, le=90, description="Override [°].")
    longitude_deg: float | None = Field(default=None, ge=-180, le=180, description="Override [°].")
    elevation_m: float | None = Field(default=None, ge=-500, le=9000, description="Override [m].")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [k for k in ("site", "file", "synthetic") if getattr(self, k) is not None]
        if len(given) != 1:
            msg = (
                "give exactly one of site (a bundled site id), file (a path) or synthetic "
                f"(monthly means); found {', '.join(given) or 'none'}"
            )
            raise ValueError(msg)
        if self.csv is not None and self.file is None:
            msg = 'csv describes a file: give file = "path.csv" with it'
            raise ValueError(msg)
        return self


class CalendarConfig(BaseModel):
    """Day types: weekends, public holidays, make-up workdays."""

    model_config = _FROZEN

    holidays: Literal["cn", "none"] = Field(
        default="cn",
        description="Public-holiday list: 'cn' (bundled State Council list) or 'none'.",
    )
    extra_holidays: list[dt.date] = Field(default_factory=list, description="Further days off.")
    extra_workdays: list[dt.date] = Field(
        default_factory=list, description="Weekend days worked (调休上班) not in the bundled list."
    )
    weekend_days: list[int] = Field(
        default_factory=lambda: [5, 6], description="Weekday numbers of the weekend (Monday = 0)."
    )

    @field_validator("weekend_days")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in v):
            msg = f"weekend_days must be 0..6 (Monday = 0), got {v}"
            raise ValueError(msg)
        return v

    def day_types(self, grid: TimeGrid) -> np.ndarray:
        """:class:`twin.component.DayType` code of every step of ``grid`` (int8)."""
        return day_types(
            grid,
            holidays=self.holidays,
            extra_holidays=self.extra_holidays,
            extra_workdays=self.extra_workdays,
            weekend_days=self.weekend_days,
        )


class PlantConfig(BaseModel):
    """Base of the full plant config; component tables are added per registry."""

    model_config = _FROZEN

    plant: PlantInfo
    simulation: SimulationConfig = Field(default_factory=SimulationConfig)
    weather: WeatherConfig
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    ledger: LedgerConfig | None = Field(
        default=None,
        description="Carbon ledger: inventory, neutrality, T/CECA-G 0171 readiness, pathway "
        "(twin/ledger/schema.py).",
    )

    _source_path: str | None = PrivateAttr(default=None)
    _base_dir: str = PrivateAttr(default=".")

    @property
    def source_path(self) -> str | None:
        """Path of the file the config was read from (None when built in code)."""
        return self._source_path

    @property
    def base_dir(self) -> str:
        """Directory that relative paths in the config are relative to."""
        return self._base_dir


def component_tables() -> list[str]:
    """Config table names of the registered component kinds, sorted."""
    return sorted(COMPONENT_REGISTRY)


@cache
def _model_for(kinds: tuple[str, ...]) -> type[PlantConfig]:
    fields: dict[str, Any] = {}
    for kind in kinds:
        cls = COMPONENT_REGISTRY[kind]
        if cls.single:
            fields[kind] = (cls.Params | None, None)
        else:
            fields[kind] = (list[cls.Params], Field(default_factory=list))
    return create_model("PlantConfigModel", __base__=PlantConfig, **fields)


def plant_config_model() -> type[PlantConfig]:
    """The full config model for the components registered now."""
    import twin.components  # noqa: F401  (registers the bundled components)

    return _model_for(tuple(component_tables()))
