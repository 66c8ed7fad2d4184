"""Bad [ledger] input: exit status 2, one clear message naming file, field,
what was expected and what was found, no traceback. Config errors are
found by `twin validate`; an over-claim needs the simulated import and is
found by `twin run` and `twin ledger`."""

from __future__ import annotations

import pytest

from twin.cli import EXIT_USER_ERROR, main

BASE = """
[plant]
name = "ledger_bad"

[weather]
site = "suzhou-tmyx"
correct_timing = true

[[base_load]]
name = "load"
demand_kw.weekday = [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
              100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100]

[grid_connection]
name = "grid"
import_limit_kw = 1000.0

[grid_connection.tariff]
preset = "jiangsu"
floating_price_cny_per_kwh = 0.4

[grid_connection.emission_factor]
province = "jiangsu"
year = 2023

[ledger]

[[ledger.instruments]]
name = "gec"
kind = "gec"
certificates = 300
vintage_year = 2025
registry_ids = ["A-1"]

[[ledger.fuels]]
name = "forklifts"
fuel = "diesel"
quantity = 1000.0
unit = "kg"

[[ledger.refrigerants]]
name = "chiller"
refrigerant = "R-134a"
charge_kg = 300.0
annual_leak_rate_frac = 0.05
"""

CASES = [
    (
        "negative_fuel",
        "quantity = 1000.0",
        "quantity = -1000.0",
        ["ledger.fuels[0].quantity", "expected >= 0", "got -1000"],
    ),
    (
        "negative_charge",
        "charge_kg = 300.0",
        "charge_kg = -3.0",
        ["ledger.refrigerants[0].charge_kg", "expected >= 0", "got -3"],
    ),
    (
        "negative_certificates",
        "certificates = 300",
        "certificates = -300",
        ["ledger.instruments[0].certificates", "expected >= 0"],
    ),
    (
        "vintage_outside_year",
        "vintage_year = 2025",
        "vintage_year = 2023",
        ["ledger:", "vintage_year 2023 is outside the reporting year 2025", "instrument_vintage"],
    ),
    (
        "unknown_refrigerant",
        'refrigerant = "R-134a"',
        'refrigerant = "R-9000"',
        ["ledger.refrigerants[0]", "unknown refrigerant 'R-9000'", "R-410A"],
    ),
    (
        "unsourced_refrigerant",
        'refrigerant = "R-134a"',
        'refrigerant = "R-290"',
        ["refrigerants[0] 'chiller'", "R-290 (propane) has no GWP-100", "gwp_source"],
    ),
    (
        "unknown_fuel",
        'fuel = "diesel"',
        'fuel = "whale_oil"',
        ["ledger.fuels[0].fuel", "unknown fuel 'whale_oil'", "natural_gas"],
    ),
    (
        "litres_without_density",
        'unit = "kg"',
        'unit = "L"',
        ["ledger.fuels[0]", "needs density_kg_per_l"],
    ),
    (
        "certificate_twice",
        'registry_ids = ["A-1"]',
        'registry_ids = ["A-1"]\n\n[[ledger.instruments]]\nname = "contract"\nkind = "green_power_contract"\n'
        'quantity_kwh = 1000\nvintage_year = 2025\nregistry_ids = ["A-1"]',
        ["ledger:", "['A-1'] appear more than once"],
    ),
    (
        "unknown_province",
        "[ledger]",
        '[ledger]\nscope2 = { residual_factor = { province = "atlantis", year = 2023 } }',
        ["ledger.scope2.residual_factor", "unknown province 'atlantis'", "jiangsu"],
    ),
    (
        "factor_year_missing",
        "[ledger]",
        '[ledger]\nscope2 = { location_factor = { province = "jiangsu", year = 2030 } }',
        ["ledger.scope2.location_factor", "available years: 2021, 2022, 2023"],
    ),
    (
        "unknown_ledger_key",
        "[ledger]",
        "[ledger]\nboundry = 'type_i'",
        ["ledger.boundry", "unknown key", "did you mean 'boundary'"],
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_validate_rejects(tmp_path, capsys, case, old, new, fragments):
    assert old in BASE, case
    path = tmp_path / f"{case}.toml"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    assert main(["validate", str(path)]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:"), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def test_base_is_valid(tmp_path, capsys):
    path = tmp_path / "ok.toml"
    path.write_text(BASE, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("command", ["run", "ledger"])
def test_over_claim_exits_2(tmp_path, capsys, command):
    path = tmp_path / "over.toml"
    path.write_text(BASE.replace("certificates = 300", "certificates = 900"), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert main([command, str(path), "--out", str(tmp_path / "out")]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "ledger.instruments: over-claim: 900,000 kWh of instruments against 876,000 kWh" in err
    assert "rules.over_claim = 'cap'" in err
    assert not (tmp_path / "out").exists()
