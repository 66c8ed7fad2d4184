"""Fuzzing of weather files (hypothesis): no weather file crashes the twin.

Each example is a bundled or shipped weather file mutated by
:mod:`tests.weather.fuzz_weather` (EPW, TMY3, a described CSV) and read as
``twin run`` and ``twin weather check`` read it. It must be accepted as a
usable year, or rejected with :class:`~twin.weather.WeatherError` naming the
file.

Profiles: the quick one runs in CI (derandomized there, like the rest of the
suite); ``FUZZ_PROFILE=long`` runs 10,000 examples per kind
(``python -m tests.weather.fuzz_weather --n 10000`` runs the same cases
outside pytest and tallies them).
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.weather.fuzz_weather import KINDS, run_case

LONG = os.environ.get("FUZZ_PROFILE") == "long"

QUICK_EXAMPLES = 8
"""Examples per kind in CI: a weather read costs 0.3-0.7 s (8760 rows parsed,
filled, checked, timed), so 24 cases fit the suite's budget (about 15 s)."""

LONG_EXAMPLES = 10_000
"""Examples per kind of the long profile (the issue's floor)."""


@pytest.mark.parametrize("kind", KINDS)
def test_no_weather_file_crashes(kind):
    @settings(
        max_examples=LONG_EXAMPLES if LONG else QUICK_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.randoms(use_true_random=False))
    def check(rng: random.Random) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            assert run_case(kind, rng, Path(tmp)) in ("accepted", "rejected")

    check()
