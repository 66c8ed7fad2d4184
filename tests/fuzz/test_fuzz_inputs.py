"""Fuzzing of every input a user writes (hypothesis): no input crashes the twin.

Each example is a runnable file of ``configs/`` or ``experiments/`` mutated
(:mod:`tests.fuzz.mutate`) and loaded as the CLI loads it
(:mod:`tests.fuzz.targets`). It must be accepted, or rejected with the
project's error and a message that names the file and reads as ours.

Profiles: the quick one runs in CI (derandomized there, like the rest of the
suite); ``FUZZ_PROFILE=long`` runs 10,000 examples per kind
(``python -m tests.fuzz.campaign`` runs the same cases outside pytest and
tallies them).
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import KINDS, run_case

LONG = os.environ.get("FUZZ_PROFILE") == "long"

QUICK_EXAMPLES = {
    "config": 100,
    "series": 100,
    "override": 60,
    "experiment": 25,
    "sweep": 20,
    "meter": 40,
    "mv_case": 100,
    "claim": 100,
}
"""Examples per kind in CI: 545 cases, sized to the suite's time budget (the
slow kinds validate a whole plant per variant or sweep level)."""

LONG_EXAMPLES = 10_000
"""Examples per kind of the long profile (the issue's floor)."""


@pytest.mark.parametrize("kind", KINDS)
def test_no_input_crashes(kind):
    n = LONG_EXAMPLES if LONG else QUICK_EXAMPLES[kind]

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(st.randoms(use_true_random=False))
    def check(rng: random.Random) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            assert run_case(kind, rng, Path(tmp)) in ("accepted", "rejected")

    check()
