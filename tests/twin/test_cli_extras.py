"""Small CLI features: --version, twin fields and the generated config
reference, twin measures, unmet energy and zero-priced tariff parts in the
printed summary, the group-readable output folders, a ledger written before
a closed pipe, and no citation of a file outside the project."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.twin.test_report import write_mini_experiment
from twin._atomic import atomic_dir, atomic_file
from twin.cli import main
from twin.config import fields
from twin.errors import SuspiciousInputWarning
from twin.measures import MEASURES


def test_version(capsys):
    from twin import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"factory-twin {__version__}"


def test_config_reference_is_current():
    """docs/config-reference.md is `twin fields --markdown`; regenerate it with
    `python -m twin.cli fields --markdown > docs/config-reference.md`."""
    text = (ROOT / "docs" / "config-reference.md").read_text(encoding="utf-8")
    assert text == fields.markdown(), "docs/config-reference.md is out of date: regenerate it"


def test_fields_cover_every_table_and_field():
    from twin.config.schema import plant_config_model

    model = plant_config_model()
    assert set(fields.table_names()) == {
        n
        for n, f in model.model_fields.items()
        if "BaseModel" in str(type(f.annotation)) or n in fields.table_names()
    }
    docs = {(d.table, d.path): d for d in fields.field_docs()}
    # every field of a component's Params, and nested tables with their own fields
    from twin.component import COMPONENT_REGISTRY

    for kind, cls in COMPONENT_REGISTRY.items():
        for name in cls.Params.model_fields:
            assert (kind, name) in docs, (kind, name)
    cap = docs[("battery", "capacity_kwh")]
    assert cap.unit == "kWh" and cap.default == "required" and cap.bounds == "> 0"
    exp = docs[("grid_connection", "tariff.export_price_cny_per_kwh")]
    assert exp.default == "0" and exp.unit == "CNY/kWh"
    assert ("pv", "arrays[].tilt_deg") in docs
    assert docs[("simulation", "step")].default == '"1h"'


def test_fields_cli(capsys):
    assert main(["fields", "grid_connection"]) == 0
    out = capsys.readouterr().out
    assert "tariff.demand_charge_cny_per_kw_month: number; [CNY/kW-month]; default 0; ≥ 0" in out
    assert main(["fields", "no_such_table"]) == 2
    err = capsys.readouterr().err
    assert "unknown config table 'no_such_table'" in err and "battery" in err


def test_measures_cli_lists_every_argument(capsys):
    assert main(["measures"]) == 0
    out = capsys.readouterr().out
    for name, (model, _, summary) in MEASURES.items():
        assert f"{name}: {summary}" in out
        for arg in model.model_fields:
            assert f"  {arg}: " in out, (name, arg)
    assert main(["measures", "nope"]) == 2
    assert "the measure library has" in capsys.readouterr().err


def test_summary_calls_out_unmet_energy_and_zero_prices(tmp_path, capsys):
    write_mini_experiment(tmp_path)
    args = [
        "run",
        str(tmp_path / "mini.toml"),
        "--out",
        str(tmp_path / "o"),
        "--set",
        "grid_connection.import_limit_kw=150",
        "--set",
        "grid_connection.tariff.export_price_cny_per_kwh=0",
        "--set",
        "grid_connection.tariff.demand_charge_cny_per_kw_month=0",
    ]
    with warnings.catch_warnings():
        # the unmet demand warns (once per memoised run): expected here
        warnings.simplefilter("ignore", SuspiciousInputWarning)
        assert main(args) == 0
    out = capsys.readouterr().out
    assert "UNMET: electricity:" in out and "<- demand above the import limit" in out
    assert "priced at zero in the tariff: demand and capacity charges, export price" in out


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_output_folders_honour_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        with atomic_dir(tmp_path / "d") as tmp:
            (tmp / "x").write_text("1")
        with atomic_file(tmp_path / "f.html") as tmp:
            tmp.write_text("1")
    finally:
        os.umask(old)
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o777 & ~umask
    assert (tmp_path / "f.html").stat().st_mode & 0o777 == 0o666 & ~umask


class _ClosedPipe:
    """A stdout whose reader has gone (``| head`` after its lines)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_ledger_out_written_when_the_reader_closes(tmp_path, monkeypatch):
    """`twin ledger --out D | head` writes D even when the pipe closes first."""
    from twin.cli import _cmd_ledger, _parser

    write_mini_experiment(tmp_path)
    out = tmp_path / "ledger_out"
    args = _parser().parse_args(["ledger", str(tmp_path / "mini.toml"), "--out", str(out)])
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    with pytest.raises(BrokenPipeError):  # main() turns this into exit 0
        _cmd_ledger(args)
    assert (out / "summary.json").is_file() and (out / "inventory.csv").is_file()


_OUTSIDE = ("FACTS.md", "DESIGN.md", "STYLE.md", "/work/", "shared/reference")


@pytest.mark.parametrize("path", ["README.md", "docs/config-reference.md"])
def test_docs_cite_no_file_outside_the_project(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert [s for s in _OUTSIDE if s in text] == []


def test_outputs_cite_no_file_outside_the_project(reference_result_dir):
    for p in Path(reference_result_dir).iterdir():
        if p.suffix in (".csv", ".json", ".html") and p.name != "hourly.csv":
            text = p.read_text(encoding="utf-8")
            found = [s for s in _OUTSIDE[:3] + ("shared/",) if s in text]
            assert found == [], p.name


def test_readme_lists_the_files_a_run_writes(reference_result_dir):
    """The Quickstart's file list is what `twin run --report` writes."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = readme[readme.index("## Quickstart") : readme.index("pip install '.[test]'")]
    listed = set(re.findall(r"`([a-z_]+\.(?:csv|json|parquet|html))`", quickstart))
    written = {p.name for p in Path(reference_result_dir).iterdir()}
    assert listed == written


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_result_tables_honour_the_umask(tmp_path, umask):
    """hourly.csv, monthly.csv and hourly.parquet get the mode of any new
    file (they used to be private: 0600 from mkstemp)."""
    import pandas as pd

    from twin.io_tables import write_csv, write_parquet

    frame = pd.DataFrame({"power_kw": [1.5, 2.0]})
    old = os.umask(umask)
    try:
        write_csv(frame, tmp_path / "t.csv", index=False)
        write_parquet(frame, tmp_path / "t.parquet")
    finally:
        os.umask(old)
    for name in ("t.csv", "t.parquet"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask
