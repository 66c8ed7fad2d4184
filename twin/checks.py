"""Plant consistency checks, run before any physics.

Each ``check_*`` function looks at one thing and returns a list of problems
(strings). :func:`run_checks` raises :class:`ConsistencyError` with all of
them in strict mode, or warns with :class:`SuspiciousInputWarning`
otherwise (PyPSA's ``consistency_check(strict=...)``). Field-level checks
happened earlier, at config parse.
"""

from __future__ import annotations

import difflib
import warnings
from collections import defaultdict
from collections.abc import Sequence

from twin.component import Component, Direction, Role, Stage
from twin.errors import ConsistencyError, SuspiciousInputWarning

__all__ = [
    "check_carrier_mismatch",
    "check_references",
    "check_slack",
    "check_unique_names",
    "check_unserved_bus",
    "check_untaken_bus",
    "run_checks",
]


def check_unique_names(components: Sequence[Component]) -> list[str]:
    """Every component name is unique across all tables."""
    seen: dict[str, str] = {}
    problems = []
    for c in components:
        if c.name in seen:
            problems.append(
                f"name {c.name!r} is used by a {seen[c.name]} and a {c.kind}; names must be unique"
            )
        seen[c.name] = c.kind
    return problems


def check_carrier_mismatch(components: Sequence[Component]) -> list[str]:
    """All ports on one bus carry the same carrier."""
    carrier_of: dict[str, tuple[str, str]] = {}
    problems = []
    for c in components:
        for port in c.ports():
            first = carrier_of.setdefault(port.bus, (port.carrier.name, f"{c.name}.{port.name}"))
            if first[0] != port.carrier.name:
                problems.append(
                    f"bus {port.bus!r}: {c.name}.{port.name} carries {port.carrier.name} but "
                    f"{first[1]} carries {first[0]}; use separate buses per carrier"
                )
    return problems


def check_slack(components: Sequence[Component]) -> list[str]:
    """One grid connection closes the electricity bus; at most one slack
    (grid connection, gas supply, ...) per bus."""
    problems = []
    by_bus: dict[str, list[str]] = defaultdict(list)
    electric = False
    for c in components:
        if c.stage is not Stage.SLACK:
            continue
        buses = {p.bus for p in c.ports()}
        electric |= any(p.carrier.name == "electricity" for p in c.ports())
        for bus in buses:
            by_bus[bus].append(c.name)
    if not electric:
        problems.append("the plant has no grid_connection; add a [grid_connection] table")
    for bus, names in by_bus.items():
        if len(names) > 1:
            problems.append(
                f"bus {bus!r} has {len(names)} slacks ({', '.join(names)}); give exactly one"
            )
    return problems


def check_unserved_bus(components: Sequence[Component]) -> list[str]:
    """Every bus that something takes from also has something that delivers to it."""
    takers: dict[str, list[str]] = defaultdict(list)
    givers: dict[str, list[str]] = defaultdict(list)
    for c in components:
        for port in c.ports():
            (takers if port.direction is Direction.IN else givers)[port.bus].append(c.name)
    return [
        f"bus {bus!r} is used by {', '.join(names)} but nothing supplies it; "
        "add a supplying component or fix the bus name"
        for bus, names in takers.items()
        if bus not in givers
    ]


def _did_you_mean(bus: str, others: Sequence[str]) -> str:
    close = difflib.get_close_matches(bus, others, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_untaken_bus(components: Sequence[Component]) -> list[str]:
    """Every bus that something delivers to has something else that takes from
    it (a misspelt bus name otherwise leaves generation with nowhere to go),
    and no storage sits alone on a bus (a battery on its own bus does nothing)."""
    takers: dict[str, set[str]] = defaultdict(set)
    givers: dict[str, set[str]] = defaultdict(set)
    storage_only: dict[str, bool] = defaultdict(lambda: True)
    for c in components:
        for port in c.ports():
            (takers if port.direction is Direction.IN else givers)[port.bus].add(c.name)
            if port.role not in (Role.CHARGE, Role.DISCHARGE, Role.USE):
                storage_only[port.bus] = False
    buses = sorted(set(takers) | set(givers))
    problems = []
    for bus in buses:
        users = takers[bus] | givers[bus]
        others = [b for b in buses if b != bus]
        if len(users) == 1 and storage_only[bus]:
            (only,) = users
            problems.append(
                f"bus {bus!r} is used by {only} alone, so nothing flows through it{_did_you_mean(bus, others)}"
            )
        elif not takers[bus]:
            problems.append(
                f"bus {bus!r} is supplied by {', '.join(sorted(givers[bus]))} but nothing takes from it"
                f"{_did_you_mean(bus, others)}"
            )
    return problems


def check_references(components: Sequence[Component]) -> list[str]:
    """Components a component reads (``references()``) exist and compute
    before it (``components`` in compute order)."""
    position = {c.name: i for i, c in enumerate(components)}
    problems = []
    for i, c in enumerate(components):
        for name in c.references():
            if name not in position:
                names = ", ".join(sorted(position))
                problems.append(
                    f"{c.kind}[{c.name}] refers to {name!r}, which is not a component of the "
                    f"plant; components: {names}"
                )
            elif position[name] >= i:
                other = components[position[name]]
                problems.append(
                    f"{c.kind}[{c.name}] reads {other.kind}[{name}], which computes after it "
                    f"(stage {other.stage.name} vs {c.stage.name}); it cannot use its flows"
                )
    return problems


_CHECKS = (
    check_unique_names, check_slack, check_carrier_mismatch, check_unserved_bus, check_untaken_bus,
    check_references,
)


def run_checks(components: Sequence[Component], *, strict: bool = True, source: str = "") -> None:
    """Run every plant check.

    Raises
    ------
    ConsistencyError
        In strict mode, listing every problem found.
    """
    problems = [p for check in _CHECKS for p in check(components)]
    if not problems:
        return
    prefix = f"{source}: " if source else ""
    text = "\n".join(prefix + p for p in problems)
    if strict:
        raise ConsistencyError(text)
    warnings.warn(text, SuspiciousInputWarning, stacklevel=2)
