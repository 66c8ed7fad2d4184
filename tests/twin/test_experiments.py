"""Experiments: measures, patches, the comparison table and its money."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_CONFIG, ROOT
from twin.errors import ConfigError
from twin.experiments import compare, load_experiment
from twin.finance import measure_cashflows
from twin.measures import MeasureError, apply_measure

SMALL_PLANT = """
[plant]
name = "small"

[weather]
site = "suzhou-tmyx"
correct_timing = true

[[base_load]]
name = "load"
demand_kw.weekday = [100, 100, 100, 100, 100, 100, 150, 150, 150, 150, 150, 150,
              150, 150, 150, 150, 150, 150, 150, 150, 100, 100, 100, 100]

[grid_connection]
name = "grid"
import_limit_kw = 2000.0
export_limit_kw = 2000.0

[grid_connection.tariff]
preset = "jiangsu"
floating_price_cny_per_kwh = 0.45
fixed_price_cny_per_kwh = 0.2
export_price_cny_per_kwh = 0.1

[grid_connection.emission_factor]
ef_kg_per_kwh = 0.58
"""


def _experiment(tmp_path: Path, body: str, base: str | None = None) -> Path:
    if base is None:
        (tmp_path / "plant.toml").write_text(SMALL_PLANT, encoding="utf-8")
        base = "plant.toml"
    path = tmp_path / "exp.toml"
    path.write_text(f'[experiment]\nname = "t"\nbase = "{base}"\n{body}', encoding="utf-8")
    return path


def test_package_interaction_is_simulated_not_summed(tmp_path):
    # PV alone exports its midday surplus at a low price; a battery alone finds no
    # surplus to store; together the battery stores the surplus: the package saves
    # more than the sum of its parts.
    path = _experiment(
        tmp_path,
        """
singles = true
[[variant]]
name = "pv_and_battery"
measures = [
  {measure = "add_pv", name = "pv", rated_power_dc_kw = 600.0, capex_cny_per_kw = 3000.0},
  {measure = "add_battery", name = "bess", capacity_kwh = 800.0, rated_power_kw = 300.0, dispatch = "self_consumption"},
]
""",
    )
    result = compare(path, workers=1)
    inter = result.interactions.iloc[0]
    assert inter["simulated_delta_cost_cny"] < inter["sum_of_singles_delta_cost_cny"] - 10_000.0
    assert inter["interaction_cost_cny"] < 0
    table = result.table.set_index("variant")
    # alone, the battery only discharges the energy it starts the year with (half of 800 kWh)
    assert table.loc["only add_battery (bess)", "delta_cost_cny"] == pytest.approx(0.0, abs=500.0)


def test_example_experiment_runs_and_money_adds_up():
    result = compare(ROOT / "experiments" / "pv_storage_sizing.toml")
    table = result.table.set_index("variant")
    assert table.index[0] == "base" and table.loc["base", "capex_cny"] == 0
    row = table.loc["carport_1mwp"]
    assert row["capex_cny"] == pytest.approx(3600.0 * 1000.0)
    assert row["delta_grid_import_kwh"] < 0
    saving = -row["delta_cost_cny"]
    om = 40.0 * 1000.0
    cf = measure_cashflows(
        capex_cny=row["capex_cny"],
        annual_savings_cny=saving,
        fixed_om_cny_per_year=om,
        lifetime_years=25,
        discount_rate=0.06,
        price_escalation_frac_per_year=0.01,
        degradation_frac_per_year=0.005,
    )
    assert row["npv_cny"] == pytest.approx(cf.npv_cny)
    assert row["simple_payback_years"] == pytest.approx(3.6e6 / (saving - om))
    assert list(result.macc["abatement_cost_cny_per_tco2"]) == sorted(
        result.macc["abatement_cost_cny_per_tco2"]
    )


def test_compare_writes_csv_and_json(tmp_path):
    path = _experiment(
        tmp_path,
        """
[[variant]]
name = "led"
measures = [{measure = "led_lighting", load = "load", lighting_kw = 20.0, reduction_frac = 0.5}]
""",
    )
    out = compare(path, workers=1).write(tmp_path / "out")
    doc = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert [v["variant"] for v in doc["variants"]] == ["base", "led"]
    assert (out / "compare.csv").read_text(encoding="utf-8").startswith("variant,kind")


def test_patches_address_items_by_name(tmp_path):
    path = _experiment(
        tmp_path,
        """
[[variant]]
name = "bigger"
patches = {"battery.storage.capacity_kwh" = 2000.0}
""",
        base=str(REFERENCE_CONFIG),
    )
    exp = load_experiment(path)
    assert exp.variants[1].raw["battery"][0]["capacity_kwh"] == 2000.0


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (
            '[[variant]]\nname = "x"\nmeasures = [{measure = "warp_drive"}]\n',
            ["variant[0] (x).measures[0]", "unknown measure 'warp_drive'", "add_pv"],
        ),
        (
            '[[variant]]\nname = "x"\npatches = {"battery.nosuch.capacity_kwh" = 1.0}\n',
            ["variant[0] (x).patches", "no item named 'nosuch'", "storage"],
        ),
        (
            '[[variant]]\nname = "x"\npatches = {"battery.storage.capacty_kwh" = 1.0}\n',
            ["variant 'x'", "battery[0].capacty_kwh", "did you mean 'capacity_kwh'"],
        ),
        (
            '[finance]\ndiscount_rate = -1.0\n[[variant]]\nname = "x"\n',
            ["finance.discount_rate", "expected > -1"],
        ),
        (
            '[[variant]]\nname = "x"\nmeasures = [{measure = "resize_pv", name = "rooftop", scale = -2}]\n',
            ["resize_pv", "scale", "expected > 0"],
        ),
    ],
    ids=[
        "unknown_measure",
        "patch_missing_item",
        "patch_unknown_key",
        "discount_rate",
        "bad_measure_param",
    ],
)
def test_bad_experiments(tmp_path, body, fragments):
    path = _experiment(tmp_path, body, base=str(REFERENCE_CONFIG))
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


def test_measures_are_functions_from_plant_to_plant():
    import tomllib

    raw = tomllib.loads(REFERENCE_CONFIG.read_text(encoding="utf-8"))
    fin = {"pv_degradation_frac_per_year": 0.005}
    new, applied = apply_measure(
        raw, {"measure": "resize_pv", "name": "rooftop", "scale": 2.0}, fin
    )
    assert (
        new["pv"][0]["arrays"][0]["rated_power_dc_kw"]
        == 2 * raw["pv"][0]["arrays"][0]["rated_power_dc_kw"]
    )
    assert applied.capex_cny == pytest.approx(2000.0 * 3000.0)
    assert raw["pv"][0]["inverter_rated_power_ac_kw"] == 1700.0  # input untouched
    new, applied = apply_measure(
        raw, {"measure": "led_lighting", "zone": "office", "reduction_frac": 0.4}, fin
    )
    office = next(z for z in new["hvac_zone"] if z["name"] == "office")
    assert max(office["lighting_w_per_m2"]["weekday"]) == pytest.approx(8.0 * 0.6)
    assert applied.capex_cny == pytest.approx(8.0 * 2000.0 / 1000.0 * 0.4 * 6000.0)
    with pytest.raises(MeasureError, match="no base_load named 'nope'"):
        apply_measure(raw, {"measure": "led_lighting", "load": "nope", "lighting_kw": 1.0}, fin)
    assert math.isfinite(applied.capex_cny)


def test_cli_compare(tmp_path, capsys):
    from twin.cli import main

    path = _experiment(
        tmp_path,
        """
[[variant]]
name = "led"
measures = [{measure = "led_lighting", load = "load", lighting_kw = 20.0}]
""",
    )
    assert main(["compare", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "led" in out and "payback yr" in out
    assert (tmp_path / "out" / "compare.csv").is_file()


def test_cli_compare_bad_experiment_exits_2(tmp_path, capsys):
    from twin.cli import main

    path = _experiment(tmp_path, '[[variant]]\nname = "x"\nmeasures = [{measure = "nope"}]\n')
    assert main(["compare", str(path)]) == 2
    assert "unknown measure 'nope'" in capsys.readouterr().err


def test_heat_recovery_after_leak_repair_is_worth_less_than_alone():
    """Leak repair cuts compressor power, so less heat of compression is left to
    recover: the simulated package saves less than the sum of its measures."""
    result = compare(ROOT / "experiments" / "compressed_air_retrofit.toml")
    inter = result.interactions.set_index("package").loc["leak_repair_then_heat_recovery"]
    assert inter["simulated_delta_cost_cny"] > inter["sum_of_singles_delta_cost_cny"] + 1000.0
    table = result.table.set_index("variant")
    # the heat recovered displaces boiler gas
    assert table.loc["heat_recovery", "gas_use_nm3"] < 0.7 * table.loc["base", "gas_use_nm3"]
    assert set(result.macc["variant"]) >= {"leak_repair_10pct", "heat_recovery", "vsd_trim"}


def test_every_library_measure_has_a_test_plant_change():
    import tomllib

    from twin.measures import MEASURES

    raw = tomllib.loads(REFERENCE_CONFIG.read_text(encoding="utf-8"))
    specs = {
        "add_pv": {"name": "x", "rated_power_dc_kw": 100.0},
        "resize_pv": {"name": "rooftop", "scale": 1.2},
        "add_battery": {"capacity_kwh": 100.0, "rated_power_kw": 50.0},
        "led_lighting": {"zone": "office"},
        "patch": {"set": {"battery.storage.capacity_kwh": 1500.0}},
        "vsd_trim_compressor": {
            "system": "compressor_room",
            "rated_flow_m3_per_min": 15.0,
            "rated_power_kw": 90.0,
        },
        "leak_repair": {"system": "compressor_room", "leak_frac": 0.1},
        "pressure_reduction": {"system": "compressor_room", "pressure_set_bar_g": 6.5},
        "compressor_heat_recovery": {"system": "compressor_room"},
        "compressors_off_weekends": {"system": "compressor_room"},
        "chiller_replacement": {"name": "chillers", "rated_cop": 6.0},
        "setpoint_change": {"zone": "hall", "cooling_set_c": 29.0},
        "idle_to_standby": {"line": "machining", "idle_to_standby_s": 300},
        "move_shift": {"line": "stamping", "shift": 1, "start": "22:00"},
        "stagger_line_starts": {"lines": ["stamping", "assembly"], "offset_min": 30},
        "basic_charge_basis": {
            "basis": "capacity",
            "capacity_charge_cny_per_kva_month": 25.0,
            "contracted_capacity_kva": 5000.0,
        },
    }
    assert set(specs) == set(MEASURES), "a measure of the library has no case here"
    for name, params in specs.items():
        new, applied = apply_measure(raw, {"measure": name, **params}, {})
        assert new != raw, name
        assert applied.capex_cny >= 0 and applied.lifetime_years > 0
        import twin

        twin.config_from_dict(new, base_dir=str(REFERENCE_CONFIG.parent))  # still a valid plant


def test_move_shift_moves_breaks_and_wraps_midnight():
    import tomllib

    raw = tomllib.loads(REFERENCE_CONFIG.read_text(encoding="utf-8"))
    new, _ = apply_measure(
        raw, {"measure": "move_shift", "line": "stamping", "shift": 1, "start": "22:00"}, {}
    )
    stamping = next(line for line in new["production_line"] if line["name"] == "stamping")
    shift = stamping["shifts"]["workday"][1]
    assert (shift["start"], shift["end"]) == ("22:00", "06:00")
    assert (shift["breaks"][0]["start"], shift["breaks"][0]["end"]) == ("01:00", "01:30")
