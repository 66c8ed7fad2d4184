"""Contract suite over the component registry (PyPSA's component fixture):
every registered component builds from its example, declares ports with
known carriers, returns finite non-negative arrays on the grid, and
round-trips its params."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import twin.components  # noqa: F401  (registers)
from twin.components.base_load import BaseLoad
from twin.components.grid_connection import GridConnection

from twin.carriers import CARRIERS
from twin.component import COMPONENT_REGISTRY, Flows, Meaning, RunContext, Site
from twin.simulate import weather_on_grid
from twin.timegrid import TimeGrid

KINDS = sorted(COMPONENT_REGISTRY)


def _context(suzhou_weather, step: str = "1h", days: int = 3) -> RunContext:
    grid = TimeGrid(
        pd.Timestamp("2025-06-01", tz="Asia/Shanghai"),
        pd.Timedelta(step),
        days * 24 * int(pd.Timedelta("1h") / pd.Timedelta(step)),
    )
    loc = suzhou_weather.location
    site = Site(loc.name, loc.latitude_deg, loc.longitude_deg, loc.elevation_m)
    ctx = RunContext(
        grid,
        site,
        weather_on_grid(suzhou_weather.frame, grid),
        np.zeros(grid.n_steps, np.int8),
        None,
        np.random.SeedSequence(7),
    )
    ctx.signals = GridConnection(GridConnection.Params(**GridConnection.example_params())).signals(
        ctx
    )
    load = BaseLoad(BaseLoad.Params(**BaseLoad.example_params()))
    ctx._record("background", load.ports(), load.compute(ctx))
    return ctx


def test_registry_has_the_issue_components():
    assert {"pv", "battery", "grid_connection", "base_load"} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_example_builds_and_ports_are_sound(kind):
    cls = COMPONENT_REGISTRY[kind]
    comp = cls(cls.Params(**cls.example_params()))
    ports = comp.ports()
    assert ports, f"{kind} declares no ports"
    assert len({p.name for p in ports}) == len(ports)
    for port in ports:
        assert port.carrier is CARRIERS[port.carrier.name]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", ["1h", "15min"])
def test_compute_returns_finite_nonnegative_arrays(kind, step, suzhou_weather):
    cls = COMPONENT_REGISTRY[kind]
    comp = cls(cls.Params(**cls.example_params()))
    ctx = _context(suzhou_weather, step)
    flows = comp.compute(ctx)
    assert isinstance(flows, Flows)
    assert set(flows.ports) == {p.name for p in comp.ports()}
    for name, arr in [*flows.ports.items(), *flows.outputs.items()]:
        assert isinstance(arr, np.ndarray) and arr.dtype == np.float64, name
        assert arr.shape == (ctx.grid.n_steps,), name
        assert np.all(np.isfinite(arr)), name
    for name, arr in flows.ports.items():
        assert arr.min() >= 0.0, f"{kind}.{name} has a negative flow"


@pytest.mark.parametrize("kind", KINDS)
def test_params_round_trip(kind):
    cls = COMPONENT_REGISTRY[kind]
    params = cls.Params(**cls.example_params())
    again = cls.Params.model_validate(params.model_dump(mode="json"))
    assert again == params


@pytest.mark.parametrize("kind", KINDS)
def test_params_are_frozen(kind):
    cls = COMPONENT_REGISTRY[kind]
    params = cls.Params(**cls.example_params())
    with pytest.raises(ValueError, match="frozen"):
        params.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_is_described(kind):
    cls = COMPONENT_REGISTRY[kind]
    missing = [n for n, f in cls.Params.model_fields.items() if not f.description]
    assert not missing, f"{kind}: fields without a description: {missing}"


@pytest.mark.parametrize("kind", KINDS)
def test_outputs_are_declared_once_with_units(kind, suzhou_weather):
    cls = COMPONENT_REGISTRY[kind]
    comp = cls(cls.Params(**cls.example_params()))
    declared = {o.name: o for o in comp.outputs()}
    assert len(declared) == len(comp.outputs()), f"{kind} declares an output twice"
    flows = comp.compute(_context(suzhou_weather))
    filled_by_run = {n for n, o in declared.items() if o.meaning is Meaning.CURTAILMENT}
    assert set(flows.outputs) <= set(declared), f"{kind} returns undeclared outputs"
    assert set(declared) - filled_by_run <= set(flows.outputs), f"{kind} misses declared outputs"
    for o in declared.values():
        assert o.unit and o.aggregate in ("mean", "sum", "last", "first")
