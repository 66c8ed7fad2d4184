"""What a sweep file may say: its tables, fields and checks.

A sweep file (TOML, under ``experiments/``) names a base plant (a config, or
one variant of an experiment file), the parameters that vary (config paths
or measure arguments), the uncertain inputs drawn from named distributions,
the design that combines them, and the objectives and constraints of the
analysis. Every table forbids unknown keys; an error names the file and the
field path, lists the valid keys and suggests the closest one.

Sweep file::

    [sweep]
    name = "pv_battery_sweep"
    base = "../configs/pv_battery_site.toml"
    seed = 11

    [design]
    kind = "lhs"            # list, grid, oat, lhs, sobol, saltelli, monte_carlo
    n = 512

    [[parameter]]
    name = "pv_kwp"
    path = "pv.rooftop.arrays.south_roof.rated_power_dc_kw"
    links = {"pv.rooftop.inverter_rated_power_ac_kw" = 0.85}
    low = 100.0
    high = 2500.0
    capex_cny_per_unit = 3000.0

    [[uncertain]]
    name = "price"
    path = "grid_connection.tariff.floating_price_cny_per_kwh"
    distribution = "truncated_normal"
    mean = 0.42
    sd = 0.04
    low = 0.3
    high = 0.6

    [analysis]
    objectives = ["annual_cost_cny", "net_tco2"]
    constraints = ["peak_import_kw <= 1500"]
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CONSTRAINT_PATTERN",
    "AnalysisConfig",
    "DesignConfig",
    "Parameter",
    "SweepFile",
    "SweepFinance",
    "SweepInfo",
    "Uncertain",
    "did_you_mean",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"

CONSTRAINT_PATTERN = re.compile(
    r"^\s*(?P<field>[A-Za-z_][\w.\-]*)\s*(?P<op><=|>=|<|>|==)\s*(?P<value>[-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*$"
)
"""A constraint reads ``FIELD OP NUMBER`` (``peak_import_kw <= 1500``); nothing is evaluated."""


def did_you_mean(name: str, options: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class SweepInfo(BaseModel):
    """The ``[sweep]`` table: which plant, which seed, what else to keep."""

    model_config = _FROZEN

    name: str = Field(min_length=1, description="Sweep name (default output folder).")
    base: str = Field(
        description="Base plant config or experiment file, relative to the sweep file."
    )
    variant: str | None = Field(
        default=None,
        description="With an experiment file as base: the variant swept (default: its base).",
    )
    description: str = Field(default="", description="Free text.")
    seed: int = Field(
        default=0, ge=0, description="Seed of the design and of every Monte Carlo draw."
    )
    hourly: bool = Field(default=False, description="Also keep each scenario's hourly results.")
    workers: int | None = Field(
        default=None, ge=1, le=256, description="Processes (default: CPU count)."
    )


class DesignConfig(BaseModel):
    """The ``[design]`` table: how parameters and uncertain inputs combine."""

    model_config = _FROZEN

    kind: Literal["list", "grid", "oat", "lhs", "sobol", "saltelli", "monte_carlo"] = Field(
        description="list: explicit scenarios; grid: every combination of levels; oat: one at a "
        "time around the base values; lhs, sobol: n points over every dimension (scipy.stats.qmc); "
        "saltelli: the A, B, AB_i matrices of a Sobol-index estimate (n base samples); "
        "monte_carlo: n independent draws."
    )
    n: int | None = Field(
        default=None,
        ge=1,
        description="Points (lhs, sobol, monte_carlo) or base samples (saltelli).",
    )
    draws: int = Field(
        default=1,
        ge=1,
        description="Draws of the uncertain inputs per point of a list, grid or oat design "
        "(the same draws for every point: common random numbers).",
    )
    scramble: bool = Field(default=True, description="Scramble lhs and sobol points (seeded).")
    scenarios: list[dict[str, Any]] = Field(
        default_factory=list, description="kind = list: one table of parameter values per scenario."
    )

    @model_validator(mode="after")
    def _sizes(self) -> Self:
        if self.kind in ("lhs", "sobol", "saltelli", "monte_carlo") and self.n is None:
            msg = f"design kind {self.kind!r} needs n (the number of points)"
            raise ValueError(msg)
        if self.kind in ("sobol", "saltelli") and self.n is not None and self.n & (self.n - 1):
            lower = 1 << (self.n.bit_length() - 1)
            msg = (
                f"a {self.kind} design needs n a power of 2 (its balance properties), "
                f"got {self.n}; use {lower} or {lower * 2}"
            )
            raise ValueError(msg)
        if self.kind == "list" and not self.scenarios:
            msg = "design kind 'list' needs scenarios = [{...}, ...]"
            raise ValueError(msg)
        if self.kind != "list" and self.scenarios:
            msg = f"scenarios are only read with kind = 'list', not {self.kind!r}"
            raise ValueError(msg)
        return self


class _Target(BaseModel):
    """Where a varied value goes: a config path (and linked paths) or a measure argument."""

    model_config = _FROZEN

    name: str = Field(pattern=_NAME, description="Column name of the value in the results.")
    description: str = Field(default="", description="Free text.")
    path: str | None = Field(
        default=None,
        description="Dotted config path set to the value (list items by name); without it the "
        'value is a measure argument, referenced as "@name" in a [[measure]] table.',
    )
    links: dict[str, float] = Field(
        default_factory=dict, description="Further config paths set to value x factor."
    )
    alone: bool = Field(
        default=False,
        description="Write the key alone in its table (drops the table's other keys, e.g. the "
        "province and year of a preset emission factor).",
    )

    @model_validator(mode="after")
    def _links_need_path(self) -> Self:
        if self.links and self.path is None:
            msg = "links need a path"
            raise ValueError(msg)
        return self


class Parameter(_Target):
    """A ``[[parameter]]``: a design variable with levels or a range, and its cost."""

    values: list[Any] | None = Field(
        default=None, min_length=1, description="Levels (numbers, strings, booleans)."
    )
    low: float | None = Field(default=None, description="Lower end of a continuous range.")
    high: float | None = Field(default=None, description="Upper end of a continuous range.")
    step: float | None = Field(
        default=None, gt=0, description="Levels low, low + step, ... high (grid, oat)."
    )
    levels: int | None = Field(
        default=None, ge=2, description="Evenly spaced levels over low..high (grid, oat)."
    )
    integer: bool = Field(default=False, description="Round values to whole numbers.")
    base: Any = Field(
        default=None, description="Value in the oat centre and in list scenarios that omit it."
    )
    capex_cny_per_unit: float = Field(
        default=0.0, ge=0, description="Investment per unit of the value [CNY/unit]."
    )
    fixed_om_cny_per_unit_year: float = Field(
        default=0.0, ge=0, description="Fixed O&M per unit [CNY/(unit·yr)]."
    )
    lifetime_years: int = Field(
        default=20, gt=0, le=60, description="Economic lifetime of that investment [yr]."
    )

    @model_validator(mode="after")
    def _range(self) -> Self:
        ranged = self.low is not None or self.high is not None
        if (self.values is None) == (not ranged):
            msg = "give either values = [...] or low and high"
            raise ValueError(msg)
        if ranged:
            if self.low is None or self.high is None:
                msg = "a range needs both low and high"
                raise ValueError(msg)
            if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low >= self.high:
                msg = f"expected low < high, got low = {self.low}, high = {self.high}"
                raise ValueError(msg)
            if self.step is not None and self.levels is not None:
                msg = "give step or levels, not both"
                raise ValueError(msg)
        elif self.step is not None or self.levels is not None:
            msg = "step and levels apply to a low..high range, not to values"
            raise ValueError(msg)
        if (self.capex_cny_per_unit or self.fixed_om_cny_per_unit_year) and self.values is not None:
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values):
                msg = "a cost per unit needs numeric values"
                raise ValueError(msg)
        return self


_NEEDS = {
    "normal": ("mean", "sd"),
    "truncated_normal": ("mean", "sd", "low", "high"),
    "lognormal": ("mean", "sd"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "choice": ("values",),
}
"""The numbers each named distribution needs."""


class Uncertain(_Target):
    """An ``[[uncertain]]`` input drawn from a named distribution.

    ``normal`` (mean, sd), ``truncated_normal`` (mean, sd, low, high),
    ``lognormal`` (mean and sd of the value itself, > 0), ``uniform`` (low,
    high), ``triangular`` (low, mode, high) and ``choice`` (values, optional
    weights: e.g. the weather files of one station).
    """

    distribution: Literal[
        "normal", "truncated_normal", "lognormal", "uniform", "triangular", "choice"
    ]
    mean: float | None = Field(default=None, description="Mean of the value.")
    sd: float | None = Field(default=None, description="Standard deviation of the value (> 0).")
    low: float | None = Field(default=None, description="Lower bound.")
    high: float | None = Field(default=None, description="Upper bound.")
    mode: float | None = Field(default=None, description="Most likely value (triangular).")
    values: list[Any] | None = Field(default=None, min_length=1, description="Outcomes (choice).")
    weights: list[float] | None = Field(
        default=None, description="Relative weights of the outcomes (choice)."
    )

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        need = _NEEDS[self.distribution]
        given = {
            k
            for k in ("mean", "sd", "low", "high", "mode", "values", "weights")
            if getattr(self, k) is not None
        }
        missing = [k for k in need if k not in given]
        if missing:
            msg = f"distribution {self.distribution!r} needs {', '.join(need)}; missing {', '.join(missing)}"
            raise ValueError(msg)
        extra = sorted(
            given - set(need) - ({"weights"} if self.distribution == "choice" else set())
        )
        if extra:
            msg = (
                f"distribution {self.distribution!r} takes {', '.join(need)}; "
                f"{', '.join(extra)} would be ignored: remove it"
            )
            raise ValueError(msg)
        numbers = [getattr(self, k) for k in need if k != "values"]
        if not all(math.isfinite(v) for v in numbers):
            msg = "distribution parameters must be finite numbers"
            raise ValueError(msg)
        if self.sd is not None and self.sd <= 0:
            msg = f"expected sd > 0, got {self.sd}"
            raise ValueError(msg)
        if self.low is not None and self.high is not None and self.low >= self.high:
            msg = f"expected low < high, got low = {self.low}, high = {self.high}"
            raise ValueError(msg)
        if self.distribution == "truncated_normal" and not self.low < self.mean < self.high:
            msg = f"expected low < mean < high, got {self.low} < {self.mean} < {self.high}"
            raise ValueError(msg)
        if self.distribution == "triangular" and not self.low <= self.mode <= self.high:
            msg = f"expected low <= mode <= high, got {self.low} <= {self.mode} <= {self.high}"
            raise ValueError(msg)
        if self.distribution == "lognormal" and self.mean <= 0:
            msg = f"a lognormal value is positive: expected mean > 0, got {self.mean}"
            raise ValueError(msg)
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                msg = f"{len(self.weights)} weights for {len(self.values)} values"
                raise ValueError(msg)
            if min(self.weights) < 0 or sum(self.weights) <= 0:
                msg = "weights must be >= 0 with a positive sum"
                raise ValueError(msg)
        return self


class AnalysisConfig(BaseModel):
    """The ``[analysis]`` table: what ``twin sweep-report`` ranks and plots."""

    model_config = _FROZEN

    objectives: list[str] = Field(
        default_factory=lambda: ["annual_cost_cny", "net_tco2"],
        min_length=1,
        description="Result columns to minimise (the first two give the Pareto front).",
    )
    maximise: list[str] = Field(default_factory=list, description="Objectives maximised instead.")
    constraints: list[str] = Field(
        default_factory=list, description="Conditions 'FIELD OP NUMBER' a best scenario meets."
    )
    best: int = Field(default=10, ge=1, le=1000, description="Best scenarios listed per objective.")

    @model_validator(mode="after")
    def _spelling(self) -> Self:
        for text in self.constraints:
            if not CONSTRAINT_PATTERN.match(text):
                msg = (
                    f"constraint {text!r}: expected 'FIELD OP NUMBER' with OP one of "
                    f"<=, >=, <, >, ==, e.g. 'peak_import_kw <= 1500'"
                )
                raise ValueError(msg)
        stray = [m for m in self.maximise if m not in self.objectives]
        if stray:
            msg = f"maximise names {stray}, which are not objectives {self.objectives}"
            raise ValueError(msg)
        return self


class SweepFinance(BaseModel):
    """The ``[finance]`` table: how investment becomes a yearly cost."""

    model_config = _FROZEN

    discount_rate: float = Field(default=0.06, gt=-1.0, description="Discount rate [1/yr].")
    pv_degradation_frac_per_year: float = Field(
        default=0.005, ge=0.0, lt=1.0, description="For PV measures [1/yr]."
    )
    battery_fade_frac_per_year: float = Field(
        default=0.02, ge=0.0, lt=1.0, description="For battery measures [1/yr]."
    )


class SweepFile(BaseModel):
    """A whole sweep file."""

    model_config = _FROZEN

    sweep: SweepInfo
    design: DesignConfig
    parameter: list[Parameter] = Field(default_factory=list, description="Design variables.")
    uncertain: list[Uncertain] = Field(default_factory=list, description="Uncertain inputs.")
    measure: list[dict[str, Any]] = Field(
        default_factory=list,
        description='Measures applied in every scenario; an argument "@name" takes a value of '
        'the design, and apply = "@name" switches the measure with a boolean parameter.',
    )
    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    finance: SweepFinance = Field(default_factory=SweepFinance)

    @model_validator(mode="after")
    def _names(self) -> Self:
        names = [t.name for t in (*self.parameter, *self.uncertain)]
        if not names:
            msg = "a sweep needs at least one [[parameter]] or [[uncertain]] table"
            raise ValueError(msg)
        seen: set[str] = set()
        for n in names:
            if n in seen:
                msg = f"the name {n!r} is given twice; every parameter and uncertain input needs its own"
                raise ValueError(msg)
            seen.add(n)
        if self.design.kind in ("grid", "oat", "list") and not self.parameter:
            msg = f"a {self.design.kind} design needs [[parameter]] tables"
            raise ValueError(msg)
        return self
