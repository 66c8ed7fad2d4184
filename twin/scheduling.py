"""Shift start times chosen by mixed-integer programming, then simulated.

For one production line, :func:`optimise_shifts` chooses the start hours of
its workday shifts (the same every workday of a week) to minimise the cost
or the emissions of the line's electricity, subject to the output the line
must deliver by the end of the week (its due date). The chosen pattern is
written into the line's config and the whole plant is simulated again by
the discrete-event lines, so the optimiser's estimate and the simulated
result are reported side by side.

The MILP (``scipy.optimize.milp``, HiGHS): binary :math:`y_s` = a shift of
:math:`L` hours starts at local hour :math:`s` on every workday,

.. math::

    \\min \\sum_s c_s y_s \\quad \\text{s.t.} \\quad
    \\sum_s y_s \\le K, \\quad
    \\sum_{s:\\,h \\in [s, s+L)} y_s \\le 1 \\;\\; \\forall h, \\quad
    r\\,L_{eff}\\,D \\sum_s y_s \\ge Q

with :math:`c_s = \\sum_{d} \\sum_{h=s}^{s+L-1} (P_{on} - P_{off})\\,\\pi_{d,h}`
over the week's workdays :math:`d` (prices :math:`\\pi` [CNY/kWh] or
emission factors [kg/kWh] of the run's signals, crossing midnight into the
next day), :math:`K` the number of shifts allowed, :math:`D` the workdays
of the week, :math:`r` the line's output rate [units/h] and :math:`L_{eff}`
the shift's hours less breaks. :math:`P_{on}` and :math:`P_{off}` are the
line's mean power in and out of planned production, measured from a
simulation of the current schedule — the estimate's only model of the line.
"""

from __future__ import annotations

import copy
import datetime as dt
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from twin.component import DayType, Meaning
from twin.components.production_line import PLANNED_TIME_OUTPUT
from twin.config.loader import config_from_dict, dump_config
from twin.config.schema import PlantConfig
from twin.errors import ConfigError
from twin.results import Results

__all__ = ["ShiftPlan", "optimise_shifts", "solve_shift_starts"]


@dataclass(frozen=True)
class ShiftPlan:
    """Outcome of :func:`optimise_shifts`.

    Attributes
    ----------
    line : str
    week_start : datetime.date
        Monday of the week optimised.
    objective : str
        ``cost`` [CNY] or ``emissions`` [kg CO2].
    base_starts, chosen_starts : tuple of int
        Local start hours of the workday shifts, before and after.
    estimate_base, estimate_chosen : float
        The optimiser's objective for the line over the week, current and
        chosen pattern [CNY or kg].
    simulated_base, simulated_chosen : float
        The same quantity from the discrete-event simulations (the line's
        simulated power × the week's signal) [CNY or kg].
    week_output_base, week_output_chosen : float
        Units produced in the week (all shifts, weekend included), simulated.
    required_output : float
        Output the MILP had to deliver in the week [units].
    plant_cost_base_cny, plant_cost_chosen_cny : float
        Simulated annual plant energy cost (electricity + fuel) [CNY].
    config : dict
        The plant config with the chosen pattern (plain data).
    results : Results
        The simulation of the chosen pattern.
    """

    line: str
    week_start: dt.date
    objective: str
    base_starts: tuple[int, ...]
    chosen_starts: tuple[int, ...]
    estimate_base: float
    estimate_chosen: float
    simulated_base: float
    simulated_chosen: float
    week_output_base: float
    week_output_chosen: float
    required_output: float
    plant_cost_base_cny: float
    plant_cost_chosen_cny: float
    config: dict[str, Any]
    results: Results

    def report(self) -> str:
        """A short text table of estimate against simulation."""
        unit = "CNY" if self.objective == "cost" else "kg CO2"
        rows = [
            f"line {self.line}, week from {self.week_start}, objective {self.objective} [{unit}]",
            f"  workday shift starts: {list(self.base_starts)} -> {list(self.chosen_starts)}",
            f"  {'':20}{'current':>14}{'chosen':>14}{'change':>14}",
            f"  {'optimiser estimate':20}{self.estimate_base:>14,.0f}{self.estimate_chosen:>14,.0f}"
            f"{self.estimate_chosen - self.estimate_base:>+14,.0f}",
            f"  {'simulated (line)':20}{self.simulated_base:>14,.0f}{self.simulated_chosen:>14,.0f}"
            f"{self.simulated_chosen - self.simulated_base:>+14,.0f}",
            f"  {'units in the week':20}{self.week_output_base:>14,.0f}{self.week_output_chosen:>14,.0f}"
            f"   (required {self.required_output:,.0f})",
            f"  {'plant cost, year':20}{self.plant_cost_base_cny:>14,.0f}{self.plant_cost_chosen_cny:>14,.0f}"
            f"{self.plant_cost_chosen_cny - self.plant_cost_base_cny:>+14,.0f}  CNY",
        ]
        return "\n".join(rows)


def _hour(text: Any) -> float:
    hh, mm = (int(x) for x in str(text).split(":")[:2])
    return hh + mm / 60.0


def _run(raw: dict[str, Any], config: PlantConfig) -> Results:
    import twin

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return twin.run(
            config_from_dict(
                raw, source=config.source_path or "<schedule>", base_dir=config.base_dir
            )
        )


def _week_mask(res: Results, week_start: dt.date) -> np.ndarray:
    days = res.grid.local_date
    start = np.datetime64(week_start)
    return (days >= start) & (days < start + np.timedelta64(7, "D"))


def optimise_shifts(
    config: PlantConfig,
    line: str,
    *,
    week_start: dt.date | None = None,
    objective: Literal["cost", "emissions"] = "cost",
    shift_hours: float | None = None,
    max_shifts: int | None = None,
    required_output: float | None = None,
    allowed_start_hours: list[int] | None = None,
) -> ShiftPlan:
    """Choose a line's workday shift starts by MILP and simulate the result.

    Parameters
    ----------
    config : PlantConfig
    line : str
        Name of a ``production_line``.
    week_start : date, optional
        Monday of the week optimised; default the first Monday of July.
    objective : {"cost", "emissions"}
    shift_hours : float, optional
        Shift length [h]; default the line's first workday shift.
    max_shifts : int, optional
        Workday shifts allowed; default the line's current number.
    required_output : float, optional
        Units due from the week's workday shifts by the end of the week;
        default what the current number of shifts delivers at the line's
        mean rate.
    allowed_start_hours : list of int, optional
        Local hours a shift may start; default every hour.

    Raises
    ------
    ConfigError
        Unknown line, a line with no workday shift, or no feasible pattern.
    """
    raw = dump_config(config)
    lines = raw.get("production_line") or []
    match = [x for x in lines if x.get("name") == line]
    if not match:
        names = ", ".join(x.get("name", "?") for x in lines) or "(none)"
        msg = f"schedule: no production_line named {line!r}; lines: {names}"
        raise ConfigError(msg)
    spec = match[0]
    workday = spec.get("shifts", {}).get("workday") or []
    if not workday:
        msg = f"schedule: production_line {line!r} has no workday shift to move"
        raise ConfigError(msg)
    first = workday[0]
    length = shift_hours or ((_hour(first["end"]) - _hour(first["start"])) % 24 or 24.0)
    break_h = sum((_hour(b["end"]) - _hour(b["start"])) % 24 for b in first.get("breaks", []))
    n_shifts = max_shifts or len(workday)
    year = config.simulation.year
    if week_start is None:
        july = dt.date(year, 7, 1)
        week_start = july + dt.timedelta(days=(7 - july.weekday()) % 7)

    base = _run(raw, config)
    grid = base.grid
    flows = base.flows[line]
    power = flows.ports["el"]
    planned = flows.outputs[PLANNED_TIME_OUTPUT]
    (product,) = base.plant.component(line).outputs_meaning(Meaning.PRODUCT)
    units = flows.outputs[product]
    on = planned > 0.5
    p_on = float(np.mean(power[on])) if on.any() else 0.0
    p_off = float(np.mean(power[~on])) if (~on).any() else 0.0
    planned_h = float(planned.sum()) * grid.step_h
    week = _week_mask(base, week_start)
    signal = (
        base.signals.import_price_cny_per_kwh if objective == "cost" else base.signals.ef_kg_per_kwh
    )
    week_units_base = float(units[week].sum())

    # hourly signal from the week's Monday on, eight days (a shift may run past
    # midnight); the typical year wraps around at its end
    hourly = grid.to_hourly(signal, "mean")
    first_hour = int(np.flatnonzero(week)[0]) // grid.steps_per_hour
    sig_h = np.concatenate([hourly, hourly[: 8 * 24]])[first_hour : first_hour + 8 * 24]
    per_step = config.calendar.day_types(grid)
    day_kind = per_step[week][:: 24 * grid.steps_per_hour]
    workdays = [d for d in range(7) if day_kind[d] == DayType.WORKDAY]
    hours = (
        np.arange(24)
        if allowed_start_hours is None
        else np.asarray(sorted(set(allowed_start_hours)))
    )
    n_len = int(round(length))
    cost = np.zeros(hours.size)
    for j, s in enumerate(hours):
        for d in workdays:
            start = d * 24 + int(s)
            cost[j] += float(np.sum(sig_h[start : start + n_len])) * (p_on - p_off)
    base_starts = tuple(int(_hour(x["start"])) for x in workday)
    # ties (a flat signal) keep the current starts: a tiny cost for moving
    tie = 1e-9 * (np.abs(cost).max() + 1.0)
    cost = cost + np.where(np.isin(hours, base_starts), 0.0, tie)
    rate = float(units.sum()) / planned_h if planned_h > 0 else 0.0
    per_shift_units = rate * (length - break_h) * len(workdays)
    # by default the chosen pattern must deliver what the current one does, in
    # the optimiser's own model of the line (rate x shift hours less breaks)
    q = per_shift_units * len(workday) if required_output is None else float(required_output)
    chosen = solve_shift_starts(cost, hours, n_len, n_shifts, per_shift_units, q)
    if chosen is None:
        msg = (
            f"schedule: no workday pattern of at most {n_shifts} shift(s) of {length:g} h on "
            f"line {line!r} delivers {q:,.0f} units in the week"
        )
        raise ConfigError(msg)

    def estimate(starts: tuple[int, ...]) -> float:
        total = 0.0
        for d in workdays:
            on_hours = np.zeros(8 * 24, dtype=bool)
            for s in starts:
                on_hours[d * 24 + s : d * 24 + s + n_len] = True
            total += float(np.sum(sig_h[on_hours]) * (p_on - p_off))
        return total + p_off * float(np.sum(sig_h[: 7 * 24]))

    new_raw = copy.deepcopy(raw)
    new_line = next(x for x in new_raw["production_line"] if x.get("name") == line)
    template_breaks = first.get("breaks", [])
    new_shifts = []
    for s in chosen:
        shift: dict[str, Any] = {"start": f"{s:02d}:00", "end": f"{(s + n_len) % 24:02d}:00"}
        if template_breaks:
            offset = (_hour(template_breaks[0]["start"]) - _hour(first["start"])) % 24
            dur = (_hour(template_breaks[0]["end"]) - _hour(template_breaks[0]["start"])) % 24
            b0 = (s + offset) % 24
            shift["breaks"] = [{"start": _clock(b0), "end": _clock((b0 + dur) % 24)}]
        new_shifts.append(shift)
    new_line["shifts"]["workday"] = new_shifts
    chosen_res = _run(new_raw, config)

    def simulated(r: Results) -> float:
        mask = _week_mask(r, week_start)
        return float(np.sum(r.flows[line].ports["el"][mask] * signal[mask]) * grid.step_h)

    def plant_cost(r: Results) -> float:
        return r.summary["total_cost_cny"] + r.summary.get("fuel_cost_cny", 0.0)

    return ShiftPlan(
        line=line,
        week_start=week_start,
        objective=objective,
        base_starts=base_starts,
        chosen_starts=chosen,
        estimate_base=estimate(base_starts),
        estimate_chosen=estimate(chosen),
        simulated_base=simulated(base),
        simulated_chosen=simulated(chosen_res),
        week_output_base=week_units_base,
        week_output_chosen=float(
            chosen_res.flows[line].outputs[product][_week_mask(chosen_res, week_start)].sum()
        ),
        required_output=q,
        plant_cost_base_cny=plant_cost(base),
        plant_cost_chosen_cny=plant_cost(chosen_res),
        config=new_raw,
        results=chosen_res,
    )


def solve_shift_starts(
    cost: np.ndarray,
    hours: np.ndarray,
    length_h: int,
    max_shifts: int,
    units_per_shift: float,
    required_units: float,
) -> tuple[int, ...] | None:
    """The MILP of the module docstring: start hours minimising ``cost``.

    Parameters
    ----------
    cost : array
        Cost of a shift starting at each candidate hour [CNY or kg].
    hours : array of int
        Candidate local start hours.
    length_h : int
        Shift length [h]; shifts may not overlap on the 24 h clock.
    max_shifts : int
    units_per_shift : float
        Output of one shift over the week [units].
    required_units : float
        Output due in the week [units].

    Returns
    -------
    tuple of int or None
        Chosen start hours, or None when no pattern is feasible.
    """
    cover = np.zeros((24, hours.size))
    for j, s in enumerate(hours):
        for h in range(length_h):
            cover[(int(s) + h) % 24, j] = 1.0
    constraints = [
        LinearConstraint(np.ones((1, hours.size)), 0, max_shifts),
        LinearConstraint(cover, 0, 1),
        LinearConstraint(
            np.full((1, hours.size), units_per_shift), required_units * (1 - 1e-9), np.inf
        ),
    ]
    res = milp(cost, constraints=constraints, integrality=np.ones(hours.size), bounds=Bounds(0, 1))
    if res.status != 0:
        return None
    return tuple(int(h) for h in hours[np.flatnonzero(res.x > 0.5)])


def _clock(hours: float) -> str:
    minutes = int(round(hours * 60)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
