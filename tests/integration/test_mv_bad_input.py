"""Bad M&V and claim input: one clear message naming the file and the field, exit status 2,
no traceback, nothing written."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT
from twin.cli import main

AUDIT = ROOT / "experiments" / "mv" / "audit_reference_factory"


@pytest.fixture
def case_dir(tmp_path):
    for name in (
        "meter_hourly.parquet",
        "temperature_hourly.parquet",
        "production_daily.csv",
        "bills.csv",
    ):
        shutil.copy(AUDIT / name, tmp_path / name)
    return tmp_path


def _write(folder, body: str):
    path = folder / "case.toml"
    path.write_text(body, encoding="utf-8")
    return path


BASE = """
[mv]
name = "bad"
meter = {{ file = "meter_hourly.parquet", timestamp = "start", value = "{value}" }}
temperature = {{ file = "temperature_hourly.parquet", timestamp = "time", value = "temp_c" }}
baseline = {{ start = "{b0}", end = "{b1}" }}
reporting = {{ start = "{r0}", end = "{r1}" }}
granularity = "daily"
{extra}
"""


def _case(
    folder,
    value="energy_kwh",
    b0="2024-01-01",
    b1="2025-01-01",
    r0="2025-02-01",
    r1="2026-02-01",
    extra="",
):
    return _write(folder, BASE.format(value=value, b0=b0, b1=b1, r0=r0, r1=r1, extra=extra))


def _fails(argv, capsys, *needles):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


def test_wrong_meter_column(case_dir, capsys):
    path = _case(case_dir, value="kwh")
    out = case_dir / "out"
    _fails(
        ["mv", str(path), "--out", str(out)],
        capsys,
        "case.toml",
        "mv.meter.value",
        "'kwh'",
        "energy_kwh",
    )
    assert not out.exists()


def test_overlapping_periods(case_dir, capsys):
    path = _case(case_dir, r0="2024-12-01", r1="2025-12-01")
    out = case_dir / "out"
    _fails(["mv", str(path), "--out", str(out)], capsys, "case.toml", "mv.reporting", "overlaps")
    assert not out.exists()


def test_period_with_too_little_data(case_dir, capsys):
    path = _case(case_dir, b0="2023-06-01", b1="2024-06-01", r0="2025-02-01", r1="2026-02-01")
    out = case_dir / "out"
    _fails(
        ["mv", str(path), "--out", str(out)], capsys, "case.toml", "mv.baseline", "days", "need 90%"
    )
    assert not out.exists()


def test_unknown_key_suggests(case_dir, capsys):
    path = _case(case_dir, extra="confidance = 0.9")
    _fails(["mv", str(path)], capsys, "mv.confidance", "did you mean 'confidence'")


def test_end_before_start(case_dir, capsys):
    path = _case(case_dir, b0="2025-01-01", b1="2024-01-01")
    _fails(["mv", str(path)], capsys, "mv.baseline", "expected end after start")


def test_missing_meter_file(case_dir, capsys):
    (case_dir / "meter_hourly.parquet").unlink()
    _fails(["mv", str(_case(case_dir))], capsys, "mv.meter.file", "not found")


def test_bills_cannot_be_daily(case_dir, capsys):
    path = _write(
        case_dir,
        """
[mv]
name = "bad"
meter = { file = "bills.csv", timestamp = "start", end = "end", value = "energy_mwh", unit = "MWh" }
baseline = { start = "2024-01-01", end = "2025-01-01" }
reporting = { start = "2025-02-01", end = "2026-02-01" }
granularity = "daily"
""",
    )
    _fails(["mv", str(path)], capsys, "mv.granularity", "monthly")


def test_claim_on_unknown_quantity(tmp_path, capsys):
    path = tmp_path / "claims.toml"
    config = (ROOT / "configs" / "reference_factory.toml").as_posix()
    path.write_text(
        f"""
[[claim]]
name = "nonsense"
kind = "quantity"
config = "{config}"
quantity = "pv_yield_gwh"
claimed = 1.0
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    err = _fails(
        ["claim", str(path), "--out", str(out)],
        capsys,
        "claims.toml",
        "claim[0].quantity",
        "'pv_yield_gwh'",
        "valid keys",
        "pv_ac_kwh",
    )
    assert "grid_import_kwh" in err
    assert not out.exists()


def test_claim_unknown_kind_and_province(tmp_path, capsys):
    path = tmp_path / "claims.toml"
    path.write_text(
        """
[[claim]]
name = "x"
kind = "emission_factor"
claimed_tco2 = 1.0
energy_kwh = 1000.0
province = "atlantis"
""",
        encoding="utf-8",
    )
    _fails(["claim", str(path)], capsys, "claim[0].province", "unknown province")
