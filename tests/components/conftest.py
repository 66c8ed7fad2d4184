"""Fixtures shared by the component tests."""

from __future__ import annotations

import pytest

from twin.kernels import enable_compiled_kernels


@pytest.fixture
def compiled_loops():
    """The compiled step loops (twin.kernels) on for one test; skipped without numba."""
    if not enable_compiled_kernels():
        pytest.skip("numba cannot be imported here")
    yield
    enable_compiled_kernels(False)
