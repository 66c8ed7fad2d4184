"""The config reference, generated from the schema: every field of every
config table with its type, unit, default, bounds and description.

The fixed sections come from :mod:`twin.config.schema` (and the ledger's
from :mod:`twin.ledger.schema`), the component tables from each registered
component's ``Params`` model, so the reference cannot drift from what the
loader accepts. ``twin fields [TABLE]`` prints it;
``docs/config-reference.md`` is :func:`markdown` of it (a test keeps the two
equal).
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

__all__ = [
    "FieldDoc",
    "field_docs",
    "field_lines",
    "markdown",
    "model_field_docs",
    "table_names",
    "text",
]

_UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_kw_per_m3_per_min", "kW/(m³/min)"),
    ("_kwh_per_m3", "kWh/m³"),
    ("_m3_per_min", "m³/min"),
    ("_m3_per_h", "m³/h"),
    ("_cny_per_kwh", "CNY/kWh"),
    ("_cny_per_kw_month", "CNY/(kW·month)"),
    ("_cny_per_kva_month", "CNY/(kVA·month)"),
    ("_cny_per_kw", "CNY/kW"),
    ("_cny_per_kwh_cap", "CNY/kWh"),
    ("_cny_per_nm3", "CNY/Nm³"),
    ("_cny_per_gj", "CNY/GJ"),
    ("_cny_per_t", "CNY/t"),
    ("_cny_per_year", "CNY/yr"),
    ("_cny_per_kg", "CNY/kg"),
    ("_cny", "CNY"),
    ("_kg_per_kwh", "kg CO2e/kWh"),
    ("_kg_per_nm3", "kg CO2e/Nm³"),
    ("_kg_per_gj", "kg CO2e/GJ"),
    ("_kwh_per_nm3", "kWh/Nm³"),
    ("_w_per_m2_k", "W/(m²·K)"),
    ("_j_per_m2_k", "J/(m²·K)"),
    ("_w_per_m2", "W/m²"),
    ("_w_per_k", "W/K"),
    ("_w_per_m3_per_s", "W/(m³/s)"),
    ("_kwh", "kWh"),
    ("_kw", "kW"),
    ("_kva", "kVA"),
    ("_mwh", "MWh"),
    ("_tco2e", "t CO2e"),
    ("_tco2", "t CO2"),
    ("_nm3", "Nm³"),
    ("_m3", "m³"),
    ("_m2", "m²"),
    ("_bar_g", "bar(g)"),
    ("_bar_a", "bar(a)"),
    ("_temp_c", "°C"),
    ("_c", "°C"),
    ("_k", "K"),
    ("_deg", "°"),
    ("_m", "m"),
    ("_kg", "kg"),
    ("_t", "t"),
    ("_gj", "GJ"),
    ("_frac", "0..1"),
    ("_pu", "p.u."),
    ("_h", "h"),
    ("_min", "min"),
    ("_s", "s"),
    ("_years", "yr"),
    ("_per_year", "1/yr"),
    ("_per_h", "1/h"),
    ("_l", "L"),
)
_BRACKET = re.compile(r"\[([^\]]+)\]")


@dataclass(frozen=True)
class FieldDoc:
    """One config field: dotted path within its table, and its documentation."""

    table: str
    path: str
    type: str
    unit: str
    default: str
    bounds: str
    description: str
    required: bool


def _unit(name: str, description: str) -> str:
    found = _BRACKET.findall(description)
    if found:
        return found[-1]
    for suffix, unit in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    return ""


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (list, tuple, set, frozenset):
        inner = ", ".join(_type_name(a) for a in args if a is not Ellipsis)
        return f"list[{inner}]"
    if origin is dict:
        return f"dict[{', '.join(_type_name(a) for a in args)}]"
    if tp is type(None):
        return "none"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "table"
    if isinstance(tp, type):
        return {
            "str": "string",
            "float": "number",
            "int": "integer",
            "bool": "boolean",
            "date": "date",
            "time": "time",
        }.get(tp.__name__, tp.__name__)
    return str(tp).replace("typing.", "")


def _bounds(info: FieldInfo) -> str:
    lengths = {type(m): m for m in info.metadata if isinstance(m, MinLen | MaxLen)}
    if (
        MinLen in lengths
        and MaxLen in lengths
        and lengths[MinLen].min_length == lengths[MaxLen].max_length
    ):
        fixed = lengths[MinLen].min_length
        rest = [m for m in info.metadata if not isinstance(m, MinLen | MaxLen)]
        other = _bounds(FieldInfo(annotation=info.annotation, metadata=rest)) if rest else ""
        return ", ".join(p for p in (f"length {fixed}", other) if p)
    parts = []
    for m in info.metadata:
        if isinstance(m, Gt):
            parts.append(f"> {m.gt:g}" if isinstance(m.gt, float | int) else f"> {m.gt}")
        elif isinstance(m, Ge):
            parts.append(f"≥ {m.ge:g}" if isinstance(m.ge, float | int) else f"≥ {m.ge}")
        elif isinstance(m, Lt):
            parts.append(f"< {m.lt:g}" if isinstance(m.lt, float | int) else f"< {m.lt}")
        elif isinstance(m, Le):
            parts.append(f"≤ {m.le:g}" if isinstance(m.le, float | int) else f"≤ {m.le}")
        elif isinstance(m, MinLen):
            parts.append(f"length ≥ {m.min_length}")
        elif isinstance(m, MaxLen):
            parts.append(f"length ≤ {m.max_length}")
        elif getattr(m, "pattern", None):
            parts.append(f"matches {m.pattern}")
    return ", ".join(parts)


def _default(info: FieldInfo) -> tuple[str, bool]:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "required", True
    if info.default_factory is not None:
        try:
            value = info.default_factory()
        except TypeError:
            return "(computed)", False
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "(table defaults)", False
    if value is None:
        return "none", False
    if isinstance(value, bool):
        return str(value).lower(), False
    if isinstance(value, str):
        return f'"{value}"', False
    if isinstance(value, float):
        return f"{value:g}", False
    return str(value), False


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """Pydantic models inside an annotation (``X``, ``X | None``, ``list[X]``)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [m for a in typing.get_args(tp) for m in _models_in(a)]


def _walk(
    table: str, model: type[BaseModel], prefix: str, out: list[FieldDoc], seen: tuple
) -> None:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        default, required = _default(info)
        description = " ".join((info.description or "").split())
        out.append(
            FieldDoc(
                table,
                path,
                _type_name(info.annotation),
                _unit(name, description),
                default,
                _bounds(info),
                description,
                required,
            )
        )
        for sub in _models_in(info.annotation):
            if sub in seen:  # a recursive model: document it once
                continue
            many = typing.get_origin(info.annotation) is list or any(
                typing.get_origin(a) is list for a in typing.get_args(info.annotation)
            )
            _walk(table, sub, f"{path}[]." if many else f"{path}.", out, (*seen, sub))


def _tables() -> dict[str, tuple[type[BaseModel], bool]]:
    """Config table name -> (model, is an array of tables)."""
    from twin.config.schema import plant_config_model

    model = plant_config_model()
    out: dict[str, tuple[type[BaseModel], bool]] = {}
    for name, info in model.model_fields.items():
        models = _models_in(info.annotation)
        if models:
            out[name] = (models[0], typing.get_origin(info.annotation) is list)
    return out


def table_names() -> list[str]:
    """Every config table, fixed sections first, then component kinds A–Z."""
    return list(_tables())


def field_docs(table: str | None = None) -> list[FieldDoc]:
    """The fields of one config table (``"pv"``, ``"grid_connection"``,
    ``"simulation"``) or, with None, of all.

    Raises
    ------
    twin.errors.ConfigError
        Unknown table (the message lists the known ones).
    """
    from twin.errors import ConfigError

    tables = _tables()
    if table is not None and table not in tables:
        msg = f"unknown config table {table!r}; the tables are: {', '.join(tables)}"
        raise ConfigError(msg)
    out: list[FieldDoc] = []
    for name, (model, _) in tables.items():
        if table is None or name == table:
            _walk(name, model, "", out, (model,))
    return out


def _heading(table: str, many: bool) -> str:
    return f"[[{table}]]" if many else f"[{table}]"


def text(table: str | None = None) -> str:
    """Plain-text listing for the terminal (``twin fields``)."""
    tables = _tables()
    lines: list[str] = []
    for name in tables if table is None else [table]:
        model, many = tables[name] if name in tables else (None, False)
        docs = field_docs(name)
        doc = " ".join((model.__doc__ or "").split()) if model is not None else ""
        lines.append(f"{_heading(name, many)}  {doc}".rstrip())
        lines.extend(_field_lines(docs))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ") or " "


def markdown() -> str:
    """``docs/config-reference.md``: every table's fields as Markdown tables."""
    tables = _tables()
    lines = [
        "# Config reference",
        "",
        "Generated from the config schema by `twin fields --markdown > docs/config-reference.md`;",
        "do not edit by hand (a test fails when this file and the schema disagree).",
        "Each table lists its fields with type, unit, default, bounds and description;",
        "`a[].b` is field `b` of each item of the list `a`. Units follow the name",
        "suffixes of the README's units table; `0..1` is a fraction.",
        "",
        "Tables: " + ", ".join(f"[`{n}`](#{n.replace('_', '-')})" for n in tables),
        "",
    ]
    for name, (model, many) in tables.items():
        lines.append(f"## {name}")
        lines.append("")
        doc = " ".join((model.__doc__ or "").split())
        lines.append(f"`{_heading(name, many)}`" + (f": {doc}" if doc else ""))
        lines.append("")
        lines.append("| field | type | unit | default | bounds | description |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for f in field_docs(name):
            lines.append(
                "| "
                + " | ".join(
                    _md_cell(v)
                    for v in (f"`{f.path}`", f.type, f.unit, f.default, f.bounds, f.description)
                )
                + " |"
            )
        lines.append("")
    return "\n".join(lines)


def _field_lines(docs: list[FieldDoc], indent: str = "  ") -> list[str]:
    lines = []
    for f in docs:
        bits = [f.type]
        if f.unit:
            bits.append(f"[{f.unit}]")
        bits.append(f"default {f.default}")
        if f.bounds:
            bits.append(f.bounds)
        lines.append(f"{indent}{f.path}: {'; '.join(bits)}")
        if f.description:
            lines.append(f"{indent}    {f.description}")
    return lines


def model_field_docs(name: str, model: type[BaseModel]) -> list[FieldDoc]:
    """The fields of any pydantic model (a measure's arguments), documented as
    a config table named ``name``."""
    out: list[FieldDoc] = []
    _walk(name, model, "", out, (model,))
    return out


def field_lines(docs: list[FieldDoc], indent: str = "  ") -> list[str]:
    """Terminal lines of ``docs`` (what ``twin fields`` prints per field)."""
    return _field_lines(docs, indent)
