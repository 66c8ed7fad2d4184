"""twin compare runs its variants through the sweep engine and store."""

from __future__ import annotations

import pandas as pd

from tests.twin.sweep._plants import LOAD_ONLY, write_plant
from twin.cli import main
from twin.sweep import Store

EXPERIMENT = """
[experiment]
name = "two_variants"
base = "plant.toml"

[[variant]]
name = "led"
measures = [{measure = "led_lighting", load = "load", reduction_frac = 0.5, lighting_kw = 40.0}]

[[variant]]
name = "cheaper"
patches = {"grid_connection.tariff.floating_price_cny_per_kwh" = 0.35}
"""


def test_compare_stores_its_variants_and_resumes(tmp_path, capsys):
    write_plant(tmp_path, LOAD_ONLY)
    exp = tmp_path / "exp.toml"
    exp.write_text(EXPERIMENT, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", str(exp), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    table = pd.read_csv(out / "compare.csv").set_index("variant")
    assert list(table.index) == ["base", "led", "cheaper"]
    assert table.loc["led", "delta_cost_cny"] < 0 and table.loc["cheaper", "delta_cost_cny"] < 0
    # no package: interactions.csv is an empty table with its header, not a 1-byte file
    inter = pd.read_csv(out / "interactions.csv")
    assert inter.empty and "interaction_cost_cny" in inter.columns
    assert list(pd.read_csv(out / "macc.csv")["variant"]) == ["led"]  # a measure alone
    with Store.open(out / "scenarios") as store:
        cat = store.catalogue()
        assert list(cat["status"]) == ["done"] * 3
        first = store.frame()
    assert main(["compare", str(exp), "--out", str(out), "--workers", "1", "--resume"]) == 0
    with Store.open(out / "scenarios") as store:
        pd.testing.assert_frame_equal(store.catalogue(), cat)  # nothing ran again
        pd.testing.assert_frame_equal(store.frame(), first)
    again = pd.read_csv(out / "compare.csv").set_index("variant")
    pd.testing.assert_frame_equal(again, table)
