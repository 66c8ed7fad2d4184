"""Reading, patching and validating plant configs.

``load_config`` reads TOML, applies ``--set`` overrides, expands presets
and validates everything with pydantic. Every problem becomes one
:class:`twin.errors.ConfigError` whose lines read
``<file>: <field path>: expected <what>, got <value> (<fix>)``.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import pickle
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from twin.config.finite import nonfinite_problems
from twin.config.presets import expand_emission_factor, expand_tariff
from twin.config.schema import PlantConfig, SimulationConfig, plant_config_model
from twin.errors import ConfigError

__all__ = [
    "apply_override",
    "set_path",
    "config_from_dict",
    "config_hash",
    "construction_problems",
    "did_you_mean_key",
    "dump_config",
    "format_validation_error",
    "load_config",
    "is_readable_file",
    "read_toml_file",
]


def load_config(
    path: str | Path,
    overrides: Sequence[str] = (),
    *,
    weather: str | None = None,
    step: str | None = None,
) -> PlantConfig:
    """Read and validate a plant config file.

    Parameters
    ----------
    path : str or Path
        TOML file.
    overrides : sequence of str
        ``PATH=VALUE`` patches applied before validation, e.g.
        ``battery[0].capacity_kwh=2000`` or ``battery.storage.capacity_kwh=2000``
        (list items by index or by ``name``). VALUE is read as a TOML value
        (number, string, boolean, array); a bare word is a string.

    Returns
    -------
    PlantConfig

    Raises
    ------
    ConfigError
        Missing or unreadable file, TOML syntax, unknown key, bad value.
    """
    p = Path(path)
    label = str(path)
    raw = read_toml_file(
        p, label, missing="config file not found (check the path; configs/ holds runnable examples)"
    )
    for item in overrides:
        raw = apply_override(raw, item, label=label)
    if weather is not None:
        sources = ("site", "file", "synthetic")
        section = {k: v for k, v in dict(raw.get("weather", {})).items() if k not in sources}
        suffixes = {".epw", ".csv", ".gz", ".tm2", ".json", ".txt"}
        is_file = Path(weather).suffix.lower() in suffixes or Path(weather).exists()
        if is_file:
            section["file"] = str(Path(weather).resolve())
        else:
            section["site"] = weather
        raw["weather"] = section
    if step is not None:
        raw.setdefault("simulation", {})["step"] = step
    return config_from_dict(raw, source=label, base_dir=p.parent)


def is_readable_file(path: Path) -> bool:
    """``path.is_file()``, False for a name the system cannot look up (too
    long, a NUL byte) instead of an ``OSError``."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_toml_file(path: Path, label: str, *, missing: str = "file not found") -> dict[str, Any]:
    """Parse a TOML file; every way it can fail is a :class:`ConfigError` that
    starts with ``label`` (the file a user wrote).

    Raises
    ------
    ConfigError
        Missing or unreadable file, not UTF-8, not valid TOML.
    """
    if not is_readable_file(path):
        msg = f"{label}: {missing}"
        raise ConfigError(msg)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = (
            f"{label}: not UTF-8 text (byte {exc.start} is {exc.object[exc.start : exc.start + 1]!r}); "
            "save the file as UTF-8"
        )
        raise ConfigError(msg) from None
    except OSError as exc:
        msg = f"{label}: cannot read the file: {exc.strerror or exc}"
        raise ConfigError(msg) from None
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        msg = f"{label}: not valid TOML: {exc}"
        raise ConfigError(msg) from None


def config_from_dict(
    raw: Mapping[str, Any], *, source: str = "<config>", base_dir: str | Path = "."
) -> PlantConfig:
    """Validate a config given as a dict (for notebooks and experiments).

    Relative file paths in the config are resolved against ``base_dir``.
    """
    model = plant_config_model()
    if not isinstance(raw, Mapping):
        msg = f"{source}: (top level): expected a table of config sections, got {_short(raw)}"
        raise ConfigError(msg)
    first = nonfinite_problems(dict(raw))
    presets: list[tuple[str, str]] = []
    # a copy to expand presets in (plain data: a pickle round trip is 3x a deepcopy)
    data = _expand_presets(_copied(dict(raw)), source, presets)
    # a preset problem that a non-finite number under it explains is said once
    first += [(p, w) for p, w in presets if not any(q.startswith(p) for q, _ in first)]
    # the schema sees an unexpanded preset as written: its complaints there are noise
    skip = {p.removesuffix(".preset") for p, _ in presets}
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            _format_validation_error(exc, source, model, data=data, first=first, skip=skip)
        ) from None
    if first:
        raise ConfigError(_format_lines(first, source))
    problems = construction_problems(config)
    if problems:
        raise ConfigError(_format_lines(problems, source))
    config._source_path = source
    config._base_dir = str(Path(base_dir).resolve())
    return config


def _copied(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return pickle.loads(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):
        return copy.deepcopy(data)


def construction_problems(config: PlantConfig) -> list[tuple[str, str]]:
    """(field path, problem) for every component whose constructor rejects its
    validated parameters: the checks a component makes when it is built (a
    5R1C network, a curve) belong to validation, not to the run."""
    from twin.component import get_component_class
    from twin.config.schema import component_tables

    problems: list[tuple[str, str]] = []
    for kind in component_tables():
        value = getattr(config, kind, None)
        if value is None:
            continue
        cls = get_component_class(kind)
        items = value if isinstance(value, list) else [value]
        for i, params in enumerate(items):
            where = f"{kind}[{i}]" if isinstance(value, list) else kind
            try:
                cls(params)
            except (ValueError, ArithmeticError) as exc:
                problems.append((where, f"{params.name}: {exc}"))
    return problems


def dump_config(config: PlantConfig) -> dict[str, Any]:
    """The config as plain data (presets expanded); ``config_from_dict`` of
    it gives an equal config."""
    return config.model_dump(mode="json")


def config_hash(config: PlantConfig) -> str:
    """SHA-256 of the validated config's canonical JSON: equal configs hash
    equal whatever their formatting, comments or preset spelling."""
    text = json.dumps(dump_config(config), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- presets ---------------------------------------------------------------
def _expand_presets(
    data: dict[str, Any], source: str, problems: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """Expand tariff and emission-factor presets in place. A preset that
    cannot be expanded is left as written and its problem appended to
    ``problems`` (raised at once when ``problems`` is None)."""
    found: list[tuple[str, str]] = [] if problems is None else problems
    _expand_ledger(data, source, found)
    _expand_grid(data, found)
    if problems is None and found:
        raise ConfigError(_format_lines(found, source))
    return data


def _expand_grid(data: dict[str, Any], found: list[tuple[str, str]]) -> None:
    grid = data.get("grid_connection")
    if not isinstance(grid, dict):
        return
    tariff = grid.get("tariff")
    if isinstance(tariff, dict):
        try:
            grid["tariff"] = expand_tariff(tariff)
        except KeyError as exc:
            found.append(("grid_connection.tariff.preset", str(exc.args[0])))
    ef = grid.get("emission_factor")
    if isinstance(ef, dict):
        try:
            grid["emission_factor"] = expand_emission_factor(ef)
        except ValueError as exc:
            found.append(("grid_connection.emission_factor", str(exc)))


def _expand_ledger(data: dict[str, Any], source: str, found: list[tuple[str, str]]) -> None:
    """``ledger.reporting_year`` defaults to ``simulation.year`` (written into
    the config, so vintage checks see it); ``{province|region|national, year}``
    factors of ``ledger.scope2`` become explicit values with their source."""
    ledger = data.get("ledger")
    if not isinstance(ledger, dict):
        return
    sim = data.get("simulation")
    year = sim.get("year") if isinstance(sim, dict) else None
    if year is None:
        year = SimulationConfig.model_fields["year"].default
    if "reporting_year" not in ledger and isinstance(year, int):
        ledger["reporting_year"] = year
    scope2 = ledger.get("scope2")
    if not isinstance(scope2, dict):
        return
    for key in ("location_factor", "residual_factor"):
        spec = scope2.get(key)
        if isinstance(spec, dict):
            try:
                scope2[key] = expand_emission_factor(spec)
            except ValueError as exc:
                found.append((f"ledger.scope2.{key}", str(exc)))


# -- overrides -------------------------------------------------------------
def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in path.split("."):
        while "[" in chunk:
            head, _, rest = chunk.partition("[")
            index, _, chunk = rest.partition("]")
            if head:
                parts.append(head)
            if not index.isdigit():
                msg = f"bad index [{index}] (use a whole number or the item's name)"
                raise ValueError(msg)
            parts.append(int(index))
        if chunk:
            parts.append(chunk)
    return parts


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(raw: dict[str, Any], item: str, *, label: str = "<config>") -> dict[str, Any]:
    """Return a copy of ``raw`` with one ``PATH=VALUE`` patch applied.

    Raises
    ------
    ConfigError
        Malformed patch, or a path through a list item that does not exist.
    """
    if "=" not in item:
        msg = f"{label}: --set {item!r}: expected PATH=VALUE, e.g. battery[0].capacity_kwh=2000"
        raise ConfigError(msg)
    path, _, value = item.partition("=")
    return set_path(raw, path.strip(), _parse_value(value), label=label, what="--set")


def set_path(
    raw: dict[str, Any], path: str, value: Any, *, label: str = "<config>", what: str = "patch"
) -> dict[str, Any]:
    """Return a copy of ``raw`` with ``value`` at the dotted ``path``.

    List items are addressed by index (``battery[0]``) or by their ``name``
    (``battery.storage``); missing tables on the way are created (the schema
    then rejects keys that do not exist, with a suggestion).

    Raises
    ------
    ConfigError
        Malformed path, or a path through a list item that does not exist.
    """
    try:
        parts = _split_path(path)
    except ValueError as exc:
        msg = f"{label}: {what} {path}: {exc}"
        raise ConfigError(msg) from None
    if not parts:
        msg = f"{label}: {what} {path!r}: empty path"
        raise ConfigError(msg)
    out = copy.deepcopy(raw)
    node: Any = out
    walked: list[str] = []
    for key in parts[:-1]:
        node = _step_into(node, key, walked, label, path, what=what)
        walked.append(f"[{key}]" if isinstance(key, int) else key)
    last = parts[-1]
    if isinstance(node, list):
        index = (
            last if isinstance(last, int) else _index_by_name(node, last, walked, label, path, what)
        )
        if index >= len(node):
            msg = f"{label}: {what} {path}: {''.join(walked)} has {len(node)} item(s), no [{index}]"
            raise ConfigError(msg)
        node[index] = copy.deepcopy(value)
    elif isinstance(node, dict):
        node[str(last)] = copy.deepcopy(value)
    else:
        msg = f"{label}: {what} {path}: {'.'.join(walked)} is a value, not a table"
        raise ConfigError(msg)
    return out


def _index_by_name(
    items: list[Any], name: Any, walked: list[str], label: str, path: str, what: str = "--set"
) -> int:
    names = [it.get("name") for it in items if isinstance(it, dict)]
    if name in names:
        return names.index(name)
    where = ".".join(walked)
    msg = (
        f"{label}: {what} {path}: no item named {name!r} in {where}; "
        f"names there: {', '.join(map(str, names)) or '(none)'}"
    )
    raise ConfigError(msg)


def _step_into(
    node: Any, key: str | int, walked: list[str], label: str, path: str, *, what: str
) -> Any:
    if isinstance(node, list):
        index = (
            key if isinstance(key, int) else _index_by_name(node, key, walked, label, path, what)
        )
        if index >= len(node):
            msg = f"{label}: {what} {path}: {''.join(walked)} has {len(node)} item(s), no [{index}]"
            raise ConfigError(msg)
        return node[index]
    if isinstance(node, dict):
        if isinstance(key, int):
            msg = f"{label}: {what} {path}: {'.'.join(walked)} is a table, not a list"
            raise ConfigError(msg)
        return node.setdefault(key, {})
    msg = f"{label}: {what} {path}: {'.'.join(walked)} is a value, not a table"
    raise ConfigError(msg)


# -- error formatting ----------------------------------------------------
def _loc_to_path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return []
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out.extend(_models_in(arg))
    return out


def _model_at(root: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        candidates = _models_in(field.annotation)
        model = candidates[0] if candidates else None
    return model


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _format_one(err: Mapping[str, Any], source: str, root: type[BaseModel]) -> str:
    clean = tuple(err["loc"])  # union-member tags already dropped
    kind = err["type"]
    path = _loc_to_path(clean) or "(top level)"
    got = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden" and clean:
        parent = _model_at(root, clean[:-1])
        allowed = sorted(parent.model_fields) if parent else []
        close = did_you_mean_key(str(clean[-1]), allowed)
        hint = f"did you mean {close!r}? " if close else ""
        return f"{source}: {path}: unknown key; {hint}valid keys here: {', '.join(allowed)}"
    if kind == "missing":
        return f"{source}: {path}: required field is missing (add it)"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        op = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }[kind]
        bound = next(iter(ctx.values()), "?")
        return f"{source}: {path}: expected {op} {bound}, got {_short(got)}"
    if kind in {"too_short", "too_long"}:
        return f"{source}: {path}: {err['msg'].lower()}, got {_short(got)}"
    if kind == "value_error":
        reason = str(ctx.get("error", err["msg"]))
        return f"{source}: {path}: {reason}"
    if kind == "literal_error":
        return f"{source}: {path}: expected {ctx.get('expected')}, got {_short(got)}"
    msg = err["msg"][0].lower() + err["msg"][1:]
    return f"{source}: {path}: expected {msg.removeprefix('input should be ')}, got {_short(got)}"


def did_you_mean_key(name: str, allowed: Sequence[str]) -> str | None:
    """The allowed key closest to ``name``, compared without case (``Name`` and
    ``NAME`` find ``name``), or None."""
    lower = {a.lower(): a for a in allowed}
    if name.lower() in lower:
        return lower[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(lower), n=1)
    return lower[close[0]] if close else None


def _union_member(part: object) -> bool:
    return isinstance(part, str) and any(c in part for c in "[]()|-") and part not in ("-",)


def _split_loc(err: Mapping[str, Any], data: Any) -> tuple[tuple, int | None, int]:
    """(location without union-member tags, number of real parts before the
    first tag or None, real parts after the first tag).

    pydantic puts the member it tried into the location (``float``,
    ``DayProfile``, ``function-after[...]``). With the validated data at
    hand a part is a tag when the data has no such key there (a user's key
    such as ``"pro]"`` is data, not a tag); without it, tags are told by
    their brackets.
    """
    loc = tuple(err["loc"])
    real: list[Any] = []
    first_tag: int | None = None
    node = data
    for i, part in enumerate(loc):
        if data is None:
            is_tag = _union_member(part)
        elif isinstance(part, int):
            is_tag = False
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        elif isinstance(node, dict) and part in node:
            is_tag = False
            node = node[part]
        else:
            last_missing = i == len(loc) - 1 and err["type"] == "missing"
            is_tag = not last_missing and isinstance(part, str)
            if not is_tag:
                node = None
        if is_tag:
            if first_tag is None:
                first_tag = len(real)
            continue
        real.append(part)
    after = len(real) - first_tag if first_tag is not None else 0
    return tuple(real), first_tag, after


def _format_lines(problems: Sequence[tuple[str, str]], source: str) -> str:
    lines = list(
        dict.fromkeys(f"{source}: {path or '(top level)'}: {what}" for path, what in problems)
    )
    if len(lines) > 12:
        lines = [*lines[:12], f"... and {len(lines) - 12} more"]
    return "\n".join(lines)


def _format_validation_error(
    exc: ValidationError,
    source: str,
    root: type[BaseModel],
    *,
    data: Any = None,
    first: Sequence[tuple[str, str]] = (),
    skip: Iterable[str] = (),
) -> str:
    """One line per problem, naming the file and the field: ``first``
    (path, problem) pairs found before the schema (non-finite numbers), then
    the schema's own, skipping a schema error on a path already reported.

    ``data`` is what was validated; with it, union-member tags are told from
    the user's keys exactly.
    """
    lines: list[str] = [f"{source}: {path or '(top level)'}: {what}" for path, what in first]
    said = {path for path, _ in first} | set(skip)
    # a value that fits no member of a union (a number or a profile table) gives one error per
    # member; say it once, as what the field accepts, or, when the value reached into one
    # member's table, give only that member's errors
    by_field: dict[tuple, list[dict[str, Any]]] = {}
    for err in exc.errors(include_url=False):
        clean, cut, after = _split_loc(err, data)
        key = clean[:cut] if cut is not None else clean
        item = {**err, "loc": clean, "_tagged": cut is not None, "_after": after}
        by_field.setdefault((key, cut is not None), []).append(item)
    merged: list[dict[str, Any]] = []
    for (key, tagged), errs in by_field.items():
        deep = [e for e in errs if e["_after"] > 0]
        if tagged and deep:
            merged.extend(deep)
        elif (
            tagged
            and len(errs) > 1
            and not any(e["type"] in ("extra_forbidden", "missing") for e in errs)
        ):
            got = errs[0].get("input")
            accepted = " or ".join(
                dict.fromkeys(
                    "a finite number"
                    if e["type"] == "finite_number"
                    else "a table of 24-hour profiles"
                    if e["type"] in ("model_type", "dict_type")
                    else e["msg"].removeprefix("Input should be ")
                    for e in errs
                )
            )
            merged.append(
                {"loc": key, "type": "union", "msg": f"Input should be {accepted}", "input": got}
            )
        else:
            merged.extend(errs)
    for err in merged:
        clean = err["loc"]
        if any(_loc_to_path(clean[:k]) in said for k in range(1, len(clean) + 1)):
            continue
        line = _format_one(err, source, root)
        if line not in lines:
            lines.append(line)
    if len(lines) > 12:
        lines = [*lines[:12], f"... and {len(lines) - 12} more"]
    return "\n".join(lines)


format_validation_error = _format_validation_error
