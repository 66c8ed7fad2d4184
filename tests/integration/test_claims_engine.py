"""`twin claim` runs its draws through the sweep engine: each draw's value is
the quantity a plain twin run of that draw's config gives, the same with
worker processes as in one process, and a draw two claims share runs once."""

from __future__ import annotations

import copy

import pytest

from tests.twin._report_inputs import write_mini_claims
from twin.config.loader import config_from_dict
from twin.mv._files import read_toml, with_measure
from twin.mv.claims import _draws, _raw_for, check_claims, load_claims
from twin.run import run


def _plain_run(raw, weather, vals, base_dir, label, where, quantity):
    """The quantity of one draw by the run entry point, outside the engine."""
    raw = _raw_for(raw, weather, vals, base_dir, label, where)
    config = config_from_dict(raw, source=label, base_dir=base_dir)
    return float(run(config).summary.model_dump(mode="json")[quantity])


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return load_claims(write_mini_claims(tmp_path_factory.mktemp("claims_engine")))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_engine_draws_equal_plain_runs_and_workers_agree(mini):
    doc, label, base_dir = mini
    one, runs_one = check_claims(doc, label=label, base_dir=base_dir, workers=1)
    two, runs_two = check_claims(doc, label=label, base_dir=base_dir, workers=2)
    assert runs_one == runs_two == 6  # pv_yield: 2 weathers; led_saving: 2 x (base, variant)
    assert [r.as_dict() for r in one] == [r.as_dict() for r in two]

    for i, (c, r) in enumerate(zip(doc.claim, one, strict=True)):
        if c.kind == "emission_factor":
            continue
        base = read_toml(base_dir / c.config, label=label, where="", missing="")
        variant = (
            with_measure(copy.deepcopy(base), c.measures, c.patches, label=label, where="")
            if c.kind == "saving"
            else None
        )
        expected = []
        for weather, vals in _draws(c.uncertain):
            args = (weather, vals, base_dir, label, f"claim[{i}]", c.quantity)
            q = _plain_run(base, *args)
            expected.append(q if variant is None else q - _plain_run(variant, *args))
        assert all(v != 0.0 for v in expected)
        assert r.values == pytest.approx(expected, rel=1e-12, abs=1e-9)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_draw_two_claims_share_runs_once(tmp_path):
    path = write_mini_claims(tmp_path)
    text = path.read_text(encoding="utf-8")
    first = text.split("[[claim]]")[1]
    path.write_text(text + "\n[[claim]]" + first.replace('"pv_yield"', '"pv_yield_again"'))
    doc, label, base_dir = load_claims(path)
    results, runs = check_claims(doc, label=label, base_dir=base_dir)
    assert runs == 6
    by_name = {r.name: r for r in results}
    assert by_name["pv_yield_again"].values == by_name["pv_yield"].values
