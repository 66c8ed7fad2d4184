"""Mutations of input files for the fuzzing suite.

A case starts from a file that runs as it is (a config under ``configs/``,
an experiment, a sweep, an M&V case, a claims file, a meter CSV) and applies
one to three mutations chosen by a :class:`random.Random`: a value replaced
by a hostile one (NaN, infinity, 1e308, a wrong type, a string such as
``"10pm"``), a key deleted, misspelt or added, a table turned into a list,
a value moved to another place, a list emptied or an item duplicated. Text
mutations (truncation, bytes that are not UTF-8, a broken line) act on the
written file. The random source comes from hypothesis (``st.randoms``) in the
suite, or from a seed in the long campaign, so both run the same code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import random
from typing import Any

HOSTILE: tuple[Any, ...] = (
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    1e-308,
    5e-324,
    0,
    0.0,
    -1,
    -0.5,
    1e12,
    1e13,
    2**62,
    -(2**62),
    True,
    False,
    "",
    "x",
    "10pm",
    "25:00",
    "1s",
    "0h",
    "-1h",
    "electricty",
    "nan",
    "电",
    "a" * 300,
    [],
    [1],
    [[]],
    [math.nan],
    [2023],
    {},
    {"a": 1},
    {"weekday": [1.0] * 24},
    dt.date(2025, 2, 28),
)
"""Values that have broken a loader or a run before, or are close to one that did."""


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _get(node: Any, path: tuple) -> Any:
    for key in path:
        node = node[key]
    return node


def _set(node: Any, path: tuple, value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


def _typo(rng: random.Random, text: str) -> str:
    if not text:
        return "x"
    i = rng.randrange(len(text))
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + rng.choice("aeiouxz_") + text[i:]
    if kind == 2:
        return text.upper()
    return text[:i] + text[i + 1 : i + 2] + text[i : i + 1] + text[i + 2 :]


def _numeric_variant(rng: random.Random, value: float) -> Any:
    factor = rng.choice((0.0, -1.0, 1e-9, 1e-3, 10.0, 1e3, 1e6, 1e9, 1e15))
    out = value * factor
    return int(out) if isinstance(value, int) and abs(out) < 2**62 else out


def mutate_tree(rng: random.Random, raw: Any, *, rounds: int | None = None) -> Any:
    """A mutated deep copy of ``raw`` (a TOML document as data)."""
    doc = copy.deepcopy(raw)
    for _ in range(rounds if rounds is not None else rng.choice((1, 1, 2, 3))):
        paths = _paths(doc)
        path = rng.choice(paths)
        op = rng.randrange(10)
        if not path:
            if isinstance(doc, dict):
                doc[_typo(rng, rng.choice([*doc, "plant"]))] = rng.choice(HOSTILE)
            continue
        parent = _get(doc, path[:-1])
        value = parent[path[-1]]
        if op <= 2:
            _set(doc, path, copy.deepcopy(rng.choice(HOSTILE)))
        elif op == 3 and isinstance(value, int | float) and not isinstance(value, bool):
            _set(doc, path, _numeric_variant(rng, value))
        elif op == 4:
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
        elif op == 5 and isinstance(parent, dict):
            parent[_typo(rng, str(path[-1]))] = parent.pop(path[-1])
        elif op == 6:
            _set(doc, path, [copy.deepcopy(value)])
        elif op == 7:
            other = _get(doc, rng.choice(paths)) if paths else None
            _set(doc, path, copy.deepcopy(other))
        elif op == 8 and isinstance(value, list):
            if value and rng.random() < 0.5:
                value.append(copy.deepcopy(rng.choice(value)))
            else:
                value.clear()
        elif op == 9 and isinstance(value, str):
            _set(doc, path, _typo(rng, value))
        else:
            _set(doc, path, copy.deepcopy(rng.choice(HOSTILE)))
    return doc


# -- TOML text -------------------------------------------------------------
def _key(k: Any) -> str:
    return json.dumps(str(k), ensure_ascii=True)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(max(min(v, 2**63 - 1), -(2**63)))
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=True)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    return json.dumps(str(v))


def to_toml(doc: Any) -> str:
    """TOML text of ``doc``: every top-level key as ``key = value`` with
    inline tables and arrays (a document that is not a table becomes one
    key, which the loaders reject)."""
    if not isinstance(doc, dict):
        return f"value = {_value(doc)}\n"
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in doc.items())


def mutate_text(rng: random.Random, text: str) -> bytes:
    """Bytes of a mutated file: truncated, with bytes that are not UTF-8,
    with a broken or duplicated line, or with a BOM."""
    data = text.encode("utf-8")
    op = rng.randrange(6)
    if op == 0:
        return data[: rng.randrange(len(data) + 1)]
    if op == 1:
        i = rng.randrange(len(data) + 1)
        return data[:i] + bytes([rng.choice((0xFF, 0xC3, 0x80, 0xFE, 0x00))]) + data[i:]
    if op == 2:
        return text.encode("utf-16")
    lines = text.splitlines(keepends=True)
    if not lines:
        return data
    i = rng.randrange(len(lines))
    if op == 3:
        lines[i] = lines[i][: max(len(lines[i]) // 2, 1)] + "\n"
    elif op == 4:
        lines.insert(i, lines[i])
    else:
        return b"\xef\xbb\xbf" + data
    return "".join(lines).encode("utf-8")
