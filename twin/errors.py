"""Exceptions and warning categories of factory-twin.

Every exception subclasses the builtin that fits: bad
input is a ``ValueError``, a broken physical invariant during a run is a
``RuntimeError``. Messages are built first and passed as one argument.
"""

from __future__ import annotations

__all__ = [
    "BalanceError",
    "ConfigError",
    "ConsistencyError",
    "ExperimentalWarning",
    "SuspiciousInputWarning",
]


class ConfigError(ValueError):
    """A config file or config value is invalid.

    The message names the file, the field path, what was expected, what was
    found and how to fix it. The CLI prints it without a traceback and exits 2.
    """


class ConsistencyError(ValueError):
    """A plant is well-formed field by field but inconsistent as a whole
    (unknown bus, missing slack, duplicated name, ...)."""


class BalanceError(RuntimeError):
    """A carrier bus does not balance at some step: a bug, never user error."""


class SuspiciousInputWarning(UserWarning):
    """Legal but doubtful input (an oversized battery, a weather file with a
    timing offset, demand that exceeds supply)."""


class ExperimentalWarning(UserWarning):
    """A component from ``components.experimental`` that is not yet validated."""
