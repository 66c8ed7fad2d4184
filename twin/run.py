"""The one run entry point: simulate a plant, then account for it.

:func:`run` builds the plant (when given a config), simulates it
(:func:`twin.simulate.simulate`), and accounts for what the simulation
produced: the plant-level series and the balance from the declared ports and
outputs, the electricity cost, the carbon ledger, and the typed summary. The
CLI, experiments, sweeps, M&V, claims and the pathway all call it.
"""

from __future__ import annotations

from twin import weather as wx
from twin.accounting import build_summary, electricity_cost, plant_series
from twin.accounting.balance import balance_frame, balance_rows
from twin.accounting.cost import CostBreakdown
from twin.accounting.kpi import PlantSeries
from twin.accounting.ledger import Ledger, compute_ledger
from twin.accounting.summary import Summary
from twin.config.schema import PlantConfig
from twin.plant import Plant
from twin.results import Results
from twin.simulate import Simulation, load_plant_weather, simulate, weather_on_grid

__all__ = ["account", "load_plant_weather", "run", "summarise", "weather_on_grid"]


def run(target: PlantConfig | Plant, *, weather: wx.Weather | None = None) -> Results:
    """Simulate a plant over its time grid and account for it.

    Parameters
    ----------
    target : PlantConfig or Plant
        A validated config (built here) or a built plant.
    weather : weather.Weather, optional
        Weather to use instead of the one the config names.

    Returns
    -------
    Results

    Raises
    ------
    ConfigError, ConsistencyError
        Bad input found while building or running (exit status 2 in the CLI).
    BalanceError
        A bus does not balance (a bug, not a user error).
    """
    plant = target if isinstance(target, Plant) else Plant.build(target)
    return account(simulate(plant, weather=weather))


def account(sim: Simulation) -> Results:
    """Series, balance, cost, ledger and summary of a simulation."""
    series, cost, rows, ledger, summary = _account(sim)
    return Results(
        sim.plant,
        sim.flows,
        series,
        sim.signals,
        cost,
        summary,
        sim.weather_columns,
        sim.unmet_by_bus,
        ledger,
        balance_frame(rows),
    )


def summarise(sim: Simulation) -> Summary:
    """The summary of a simulation alone: the figures :func:`account` gives,
    by the same steps, without the tables a sweep does not keep."""
    return _account(sim)[-1]


def _account(sim: Simulation) -> tuple[PlantSeries, CostBreakdown, list[tuple], Ledger, Summary]:
    plant, flows, grid = sim.plant, sim.flows, sim.plant.grid
    n = grid.n_steps
    supply = plant.slack
    series = plant_series(plant.components, flows, sim.unmet_by_bus[supply.bus], n)
    terms = supply.billing()
    cost = electricity_cost(
        series.grid_import_kw,
        series.grid_export_kw,
        sim.signals,
        grid,
        demand_charge_cny_per_kw_month=terms.demand_charge_cny_per_kw_month,
        capacity_charge_cny_per_kva_month=terms.capacity_charge_cny_per_kva_month,
        contracted_capacity_kva=terms.contracted_capacity_kva,
    )
    rows = balance_rows(
        plant.components, flows, plant.buses, sim.unmet_by_bus, sim.surplus_by_bus, grid
    )
    # emissions come from the carbon ledger's inventory (defaults without a [ledger] section)
    ledger = compute_ledger(plant, flows, series, sim.signals)
    summary = build_summary(
        plant,
        flows,
        series,
        cost,
        ledger,
        rows,
        provenance=sim.provenance,
        run_warnings=list(sim.warnings),
    )
    return series, cost, rows, ledger, summary
