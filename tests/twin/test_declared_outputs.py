"""Every output declared once: a new kind of equipment is one module, and the
balance, summary, KPIs and ledger count it from its declarations alone."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap

import numpy as np
import pytest

from tests.conftest import REFERENCE_CONFIG, minimal_config
from twin.accounting import balance_closure, summary_fields
from twin.carriers import ELECTRICITY
from twin.component import (
    COMPONENT_REGISTRY,
    SHARED_MEMO_BYTES,
    Component,
    ComponentParams,
    Direction,
    Flows,
    Meaning,
    Output,
    Port,
    Role,
    RunContext,
    Stage,
    output,
    register_component,
    shared_memo_bytes,
    unit_of,
)
from twin.config import config_from_dict, load_config
from twin.errors import BalanceError
from twin.run import run

WEATHER = {"site": "suzhou-tmyx", "correct_timing": True}
CLOSURE_TOL = 1e-6
"""Relative closure of a bus's annual balance: the issue's figure."""

TOY_MODULE = '''
"""A toy diesel generating set, written as a user would: one module."""
import numpy as np
from pydantic import Field

from twin.carriers import ELECTRICITY
from twin.component import (
    Component, ComponentParams, Direction, Flows, Meaning, Port, Role, RunContext, Stage,
    output, register_component,
)


class ToyGensetParams(ComponentParams):
    rated_power_kw: float = Field(gt=0, description="Rated output [kW].")
    efficiency_lhv: float = Field(default=0.35, gt=0, le=0.6, description="Fuel to electricity [-].")


@register_component("toy_genset")
class ToyGenset(Component):
    stage = Stage.GENERATION
    Params = ToyGensetParams

    def ports(self):
        return (Port("el", ELECTRICITY, Direction.OUT, "electricity", Role.GENERATION,
                     renewable=False, source="diesel"),)

    def outputs(self):
        return (output("fuel_kw", Meaning.FUEL, fuel="diesel"),)

    def compute(self, ctx: RunContext) -> Flows:
        el = np.minimum(np.maximum(ctx.net_demand("electricity"), 0.0), self.params.rated_power_kw)
        return Flows(ports={"el": el}, outputs={"fuel_kw": el / self.params.efficiency_lhv})

    @classmethod
    def example_params(cls):
        return {"name": "genset", "rated_power_kw": 100.0}
'''


@pytest.fixture(scope="module")
def toy_genset(tmp_path_factory):
    """The toy generator, imported from a temporary package outside the project."""
    pkg = tmp_path_factory.mktemp("userpkg") / "toy_equipment"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "genset.py").write_text(textwrap.dedent(TOY_MODULE))
    spec = importlib.util.spec_from_file_location("toy_equipment.genset", pkg / "genset.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["toy_equipment.genset"] = module
    spec.loader.exec_module(module)
    yield module
    COMPONENT_REGISTRY.pop("toy_genset", None)
    sys.modules.pop("toy_equipment.genset", None)


def _pv_plant(**extra):
    pv = [
        {
            "name": "roof",
            "inverter_rated_power_ac_kw": 130.0,
            "arrays": [
                {
                    "name": "a",
                    "rated_power_dc_kw": 150.0,
                    "tilt_deg": 20.0,
                    "azimuth_deg": 180.0,
                    "mounting": "open_rack",
                }
            ],
        }
    ]
    return minimal_config(pv=pv, ledger={"fuel_factors": "cn"}, weather=WEATHER, **extra)


def _closes(balance) -> None:
    closure = balance_closure(balance)
    assert (closure["closure_frac"] <= CLOSURE_TOL).all(), closure


def test_a_new_generator_is_one_module_and_counts_correctly(toy_genset):
    base = run(config_from_dict(_pv_plant()))
    res = run(config_from_dict(_pv_plant(toy_genset=[{"name": "genset", "rated_power_kw": 100.0}])))
    s = res.summary
    _closes(res.balance)
    gen_kwh = res.plant.grid.energy_kwh(res.flows["genset"].ports["el"])
    assert gen_kwh > 100_000.0
    # the electricity balance of the summary closes with the new source in it
    supply = s.grid_import_kwh + s.onsite_generation_kwh + s.battery_discharge_kwh
    demand = s.electricity_use_kwh + s.grid_export_kwh + s.battery_charge_kwh
    assert supply == pytest.approx(demand, rel=CLOSURE_TOL)
    assert s.generation_by_source_kwh["diesel"] == pytest.approx(gen_kwh, rel=1e-12)
    assert s.pv_ac_kwh == pytest.approx(base.summary.pv_ac_kwh, rel=1e-12)
    # not renewable: the renewable figures are the PV's alone, as without the set
    assert s.renewable_generation_kwh == pytest.approx(
        base.summary.renewable_generation_kwh, rel=1e-12
    )
    assert s.onsite_renewable_share_frac == pytest.approx(
        base.summary.onsite_renewable_share_frac, rel=1e-9
    )
    assert 0.0 <= s.renewable_share_frac <= 1.0
    # its fuel in scope 1, with the Chinese diesel factor per GJ
    inv = res.inventory
    row = inv[(inv["scope"] == 1) & (inv["source"] == "genset")]
    assert len(row) == 1
    fuel_gj = gen_kwh / 0.35 * 0.0036
    assert row["quantity"].iloc[0] == pytest.approx(fuel_gj, rel=1e-9)
    assert row["tco2e"].iloc[0] == pytest.approx(fuel_gj * 72.5851 / 1000.0, rel=1e-4)
    assert s.scope1_tco2 == pytest.approx(row["tco2e"].iloc[0], rel=1e-12)


def test_balance_and_summary_of_the_reference_factory():
    res = run(load_config(REFERENCE_CONFIG))
    b, s = res.balance, res.summary
    _closes(b)
    elec = b[b["carrier"] == "electricity"]
    assert s.electricity_use_kwh == pytest.approx(
        elec.loc[elec["kind"] == "use", "amount"].sum(), rel=1e-12
    )
    assert s.grid_import_kwh == pytest.approx(
        res.plant.grid.energy_kwh(res.series.grid_import_kw), rel=1e-12
    )
    assert set(b["direction"]) == {"in", "out"}
    assert set(b.loc[b["carrier"] == "compressed_air", "unit"]) == {"m3"}
    # every per-component indicator carries a unit in its name
    for comp, kpis in s.components.items():
        for key in kpis:
            assert unit_of(key) is not None, f"{comp}.{key} has no unit suffix"


def test_every_summary_field_has_a_unit_and_a_description():
    fields = summary_fields()
    assert {"grid_import_kwh", "generation_by_source_kwh", "scope1_tco2"} <= set(fields)
    for name, (unit, description) in fields.items():
        assert unit and description, name


def test_summary_json_follows_the_model(tmp_path):
    res = run(config_from_dict(minimal_config(weather=WEATHER)))
    res.write(tmp_path / "out")
    written = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert set(written) == set(summary_fields())
    assert written["grid_import_kwh"] == pytest.approx(res.summary["grid_import_kwh"])
    assert (tmp_path / "out" / "balance.csv").is_file()


class _SloppyParams(ComponentParams):
    pass


class _Sloppy(Component):
    """Returns an output it never declared."""

    stage = Stage.LOAD
    Params = _SloppyParams

    def ports(self) -> tuple[Port, ...]:
        return (Port("el", ELECTRICITY, Direction.IN, "electricity", Role.USE),)

    def outputs(self) -> tuple[Output, ...]:
        return (output("temp_c"),)

    def compute(self, ctx: RunContext) -> Flows:
        n = ctx.grid.n_steps
        return Flows({"el": np.ones(n)}, {"temp_c": np.zeros(n), "secret_kw": np.zeros(n)})


class _HiddenPort(_Sloppy):
    """Returns a port flow it never declared (it would escape every balance)."""

    def compute(self, ctx: RunContext) -> Flows:
        n = ctx.grid.n_steps
        return Flows({"el": np.ones(n), "fan_el": np.ones(n)}, {"temp_c": np.zeros(n)})


class _Broken(_Sloppy):
    """Fails inside its own physics: a bug, never a config error."""

    def compute(self, ctx: RunContext) -> Flows:
        msg = "division by a negative area inside the model"
        raise ValueError(msg)


@pytest.mark.parametrize(
    "cls, error, match",
    [
        (_Sloppy, BalanceError, "not declared"),
        (_HiddenPort, BalanceError, "not declared in _HiddenPort.ports"),
        (_Broken, ValueError, "inside the model"),
    ],
)
def test_component_bugs_are_bugs(cls, error, match):
    kind = f"test{cls.__name__.lower()}"
    register_component(kind)(cls)
    try:
        raw = minimal_config(weather=WEATHER, **{kind: [{"name": "thing"}]})
        with pytest.raises(error, match=match) as info:
            run(config_from_dict(raw))
        assert type(info.value).__name__ != "ConfigError"
    finally:
        COMPONENT_REGISTRY.pop(kind, None)


def test_declarations_need_their_attributes():
    with pytest.raises(ValueError, match="source"):
        Port("x", ELECTRICITY, Direction.OUT, "electricity", Role.GENERATION)
    with pytest.raises(ValueError, match="fuel"):
        output("fuel_kw", Meaning.FUEL)
    with pytest.raises(ValueError, match="unit suffix"):
        output("mystery")


def test_shared_memo_stays_within_its_bound():
    from twin import component as core

    grid_like = type("G", (), {})
    ctx = RunContext.__new__(RunContext)
    ctx.cache, ctx.weather_key = {}, None
    ctx.grid = grid_like()
    ctx.grid.start, ctx.grid.step_s, ctx.grid.n_steps = 0, 60, 525_600
    for i in range(40):  # 40 x 4.2 MB, well past the bound
        ctx.cache = {}
        ctx.memo(("block", i), lambda: np.zeros(525_600), uses_weather=False)
        assert shared_memo_bytes() <= SHARED_MEMO_BYTES
    assert shared_memo_bytes() > SHARED_MEMO_BYTES // 2
    core._SHARED_MEMO.clear()
    core._shared_memo_bytes = 0


def test_one_set_of_totals_in_summary_ledger_monthly_and_hourly():
    res = run(load_config(REFERENCE_CONFIG))
    s, hourly, monthly = res.summary, res.hourly, res.monthly
    elec = res.ledger.inventory.electricity
    for key in ("grid_import_kwh", "grid_export_kwh"):
        assert monthly[key].sum() == pytest.approx(s[key], rel=1e-9)
    assert hourly["grid_import_kw"].sum() == pytest.approx(
        s.grid_import_kwh, rel=1e-9
    )  # hourly means x 1 h
    assert elec.grid_import_kwh == pytest.approx(s.grid_import_kwh, rel=1e-12)
    # energy charge and export revenue are gross in every file
    for key in ("energy_cost_cny", "export_revenue_cny"):
        assert hourly[key].sum() == pytest.approx(s[key], rel=1e-9)
        assert monthly[key].sum() == pytest.approx(s[key], rel=1e-9)
    # the ledger's electricity need is the summary's use plus storage losses, named so
    assert elec.need_kwh == pytest.approx(s.electricity_use_kwh + s.battery_loss_kwh, rel=1e-12)
