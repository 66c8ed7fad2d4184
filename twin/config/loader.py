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
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from twin.config.presets import expand_emission_factor, expand_tariff
from twin.config.schema import PlantConfig, SimulationConfig, plant_config_model
from twin.errors import ConfigError

__all__ = [
    "apply_override",
    "set_path",
    "config_from_dict",
    "config_hash",
    "dump_config",
    "load_config",
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
    if not p.is_file():
        msg = f"{label}: config file not found (check the path; configs/ holds runnable examples)"
        raise ConfigError(msg)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        msg = f"{label}: not valid TOML: {exc}"
        raise ConfigError(msg) from None
    except UnicodeDecodeError:
        msg = f"{label}: not UTF-8 text; save the config as UTF-8"
        raise ConfigError(msg) from None
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


def config_from_dict(
    raw: Mapping[str, Any], *, source: str = "<config>", base_dir: str | Path = "."
) -> PlantConfig:
    """Validate a config given as a dict (for notebooks and experiments).

    Relative file paths in the config are resolved against ``base_dir``.
    """
    data = _expand_presets(copy.deepcopy(dict(raw)), source)
    model = plant_config_model()
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, source, model)) from None
    config._source_path = source
    config._base_dir = str(Path(base_dir).resolve())
    return config


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
def _expand_presets(data: dict[str, Any], source: str) -> dict[str, Any]:
    _expand_ledger(data, source)
    grid = data.get("grid_connection")
    if not isinstance(grid, dict):
        return data
    tariff = grid.get("tariff")
    if isinstance(tariff, dict):
        try:
            grid["tariff"] = expand_tariff(tariff)
        except KeyError as exc:
            msg = f"{source}: grid_connection.tariff.preset: {exc.args[0]}"
            raise ConfigError(msg) from None
    ef = grid.get("emission_factor")
    if isinstance(ef, dict):
        try:
            grid["emission_factor"] = expand_emission_factor(ef)
        except ValueError as exc:
            msg = f"{source}: grid_connection.emission_factor: {exc}"
            raise ConfigError(msg) from None
    return data


def _expand_ledger(data: dict[str, Any], source: str) -> None:
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
                msg = f"{source}: ledger.scope2.{key}: {exc}"
                raise ConfigError(msg) from None


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
        msg = f"--set {item!r}: expected PATH=VALUE, e.g. battery[0].capacity_kwh=2000"
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
        msg = f"{what} {path}: {exc}"
        raise ConfigError(msg) from None
    if not parts:
        msg = f"{what} {path!r}: empty path"
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
    loc = tuple(err["loc"])
    kind = err["type"]
    # drop the union-member tags pydantic adds ("float", "list[float]", ...)
    clean = tuple(p for p in loc if isinstance(p, int) or not any(c in str(p) for c in "[]()|"))
    path = _loc_to_path(clean) or "(top level)"
    got = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = _model_at(root, clean[:-1])
        allowed = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(clean[-1]), allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
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


def _union_member(part: object) -> bool:
    return isinstance(part, str) and any(c in part for c in "[]()|-") and part not in ("-",)


def _format_validation_error(exc: ValidationError, source: str, root: type[BaseModel]) -> str:
    lines: list[str] = []
    errors = exc.errors(include_url=False)
    # a value that fits no member of a union (a number or a profile table) gives one error per
    # member; say it once, as what the field accepts
    by_field: dict[tuple, list[Mapping[str, Any]]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        cut = next((i for i, part in enumerate(loc) if _union_member(part)), None)
        key = loc[:cut] if cut is not None else loc
        by_field.setdefault(key, []).append(err)
    merged: list[Mapping[str, Any]] = []
    for key, errs in by_field.items():
        members = [e for e in errs if any(_union_member(p) for p in e["loc"])]
        if (
            len(members) > 1
            and len(members) == len(errs)
            and all(len(e["loc"]) == len(key) + 1 for e in errs)
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
        line = _format_one(err, source, root)
        if line not in lines:
            lines.append(line)
    if len(lines) > 12:
        lines = [*lines[:12], f"... and {len(lines) - 12} more"]
    return "\n".join(lines)
