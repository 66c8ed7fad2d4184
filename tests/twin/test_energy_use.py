"""综合能耗 (GB/T 2589-2020) of the reference factory, checked by hand."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE_CONFIG
from twin.config import load_config
from twin.run import run


def test_comprehensive_energy_of_the_reference_factory_by_hand():
    res = run(load_config(REFERENCE_CONFIG))
    s = res.summary
    grid = res.plant.grid
    imp = grid.energy_kwh(res.flows["grid"].ports["import"])
    exp = grid.energy_kwh(res.flows["grid"].ports["export"])
    gas_nm3 = float(res.flows["gas"].outputs["fuel_nm3_per_h"].sum()) * grid.step_h
    # GB/T 2589-2020 Appendix A: electricity 0.1229 kgce/kWh (当量值); natural gas at its NCV,
    # 38,931 kJ/Nm3, over 29,307.6 kJ/kgce = 1.3283 kgce/Nm3
    by_hand = (imp - exp) * 0.1229 / 1000 + gas_nm3 * 38931 / 29307.6 / 1000
    assert s.comprehensive_energy_tce == pytest.approx(by_hand, rel=1e-9)
    assert 2000 < s.comprehensive_energy_tce < 2400  # about 17 GWh at 0.1229 plus 1.8 GWh of gas
    assert s.comprehensive_energy_equivalent_tce is None  # no 等价值 factor given


def test_equivalent_basis_needs_its_source():
    from twin.config.ledger import LedgerConfig

    with pytest.raises(ValueError, match="electricity_equivalent_source"):
        LedgerConfig.model_validate({"electricity_equivalent_kgce_per_kwh": 0.30})
    cfg = LedgerConfig.model_validate(
        {
            "electricity_equivalent_kgce_per_kwh": 0.30,
            "electricity_equivalent_source": "a test value",
        }
    )
    from twin.accounting.energy_use import comprehensive_energy

    e = comprehensive_energy(1000.0, 0.0, {}, 0.0, 0.0, cfg)
    assert e.calorific_tce == pytest.approx(0.1229)
    assert e.equivalent_tce == pytest.approx(0.30)


def test_product_intensity_includes_shared_utilities_by_the_stated_rule():
    res = run(load_config(REFERENCE_CONFIG))
    s, grid, f = res.summary, res.plant.grid, res.flows
    table = s.product_intensity
    assert set(table) == {"stamping", "machining", "assembly"}
    final = s.electricity_use_kwh + s.fuel_import_kwh["natural_gas"]
    assert sum(r["total_kwh"] for r in table.values()) == pytest.approx(final, rel=1e-9)
    assert sum(r["energy_tce"] for r in table.values()) == pytest.approx(
        s.comprehensive_energy_tce, rel=1e-9
    )
    assert sum(r["emissions_tco2"] for r in table.values()) == pytest.approx(
        s.scope1_tco2 + s.scope2_market_tco2, rel=1e-9
    )
    # assembly draws air only: its utilities are its share of the air bus times the compressor room's
    # electricity (the air system's only input)
    air_use = sum(float(f[n].ports["air"].sum()) for n in ("stamping", "machining", "assembly"))
    air_use += float(f["air_demand_other"].ports["demand"].sum())
    share = float(f["assembly"].ports["air"].sum()) / air_use
    room_kwh = grid.energy_kwh(f["compressor_room"].ports["el"])
    chilled = float(f["assembly"].ports["cooling"].sum())
    assert chilled == 0.0
    assert table["assembly"]["utilities_kwh"] == pytest.approx(share * room_kwh, rel=1e-9)
    # a unit costs more than the line's own machines
    for name, row in table.items():
        assert row["kwh_per_unit"] > s.components[name]["energy_per_unit_kwh"]
