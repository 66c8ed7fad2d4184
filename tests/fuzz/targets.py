"""Fuzzing targets: one per input kind, each a loader as the CLI calls it.

:func:`run_case` writes a mutated input to a folder, calls the loader and
returns ``"accepted"`` or ``"rejected"``. A rejection must be the project's
error type (:class:`twin.errors.ConfigError` or
:class:`twin.errors.ConsistencyError`) with a message that names the file
and carries no traceback text or raw pydantic wording; anything else is
raised as :class:`FuzzFailure` (or propagates), which the suite reports as
a bug. Kinds:

- ``config``: a runnable config under ``configs/`` mutated; ``twin validate``'s
  path (``load_config``, ``Plant.build``, the weather the config names);
- ``series``: a small plant whose load is a series file, the CSV mutated too;
- ``override``: ``--set PATH=VALUE`` patches on the reference factory;
- ``experiment``: an experiment of ``experiments/`` mutated (``load_experiment``);
- ``sweep``: a sweep file mutated (``load_sweep``, whose probes validate every level);
- ``meter``: the monthly bills of the M&V example mutated and read (one in
  twenty analysed whole);
- ``mv_case``: the M&V case file mutated (``load_case``);
- ``claim``: the claims file mutated (``load_claims``).
"""

from __future__ import annotations

import random
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fuzz.mutate import HOSTILE, mutate_text, mutate_tree, to_toml
from twin.errors import ConfigError, ConsistencyError, SuspiciousInputWarning

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
EXPERIMENTS = ROOT / "experiments"
MV = EXPERIMENTS / "mv"

PROJECT_ERRORS = (ConfigError, ConsistencyError)

RAW_WORDS = (
    "Extra inputs are not permitted",
    "Input should be",
    "Traceback",
    "validation error for",
    "pydantic",
    "For further information visit",
)
"""Wording of a raw library message, which a user never sees."""

KINDS = ("config", "series", "override", "experiment", "sweep", "meter", "mv_case", "claim")


class FuzzFailure(AssertionError):
    """A rejection that is not the project's, or whose message is poor."""


def _read(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


_SEED_CONFIGS = (
    "reference_factory.toml",
    "pv_battery_site.toml",
    "hvac_example.toml",
    "compressed_air_example.toml",
    "production_example.toml",
    "chp_example.toml",
    "ledger_example.toml",
    "synthetic_weather_example.toml",
)
_CACHE: dict[str, Any] = {}


def _seed(name: str, path: Path) -> Any:
    if name not in _CACHE:
        _CACHE[name] = _read(path)
    return _CACHE[name]


def _write(
    rng: random.Random, folder: Path, name: str, doc: Any, *, text_rate: float = 0.1
) -> Path:
    """Write ``doc`` as TOML; sometimes mutate the text too (truncated, not
    UTF-8, a broken line)."""
    path = folder / name
    text = to_toml(doc)
    if rng.random() < text_rate:
        path.write_bytes(mutate_text(rng, text))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _absolute(doc: Any, key_path: tuple[str, ...], base: Path) -> None:
    """Make a relative file reference in the seed absolute (the mutated file
    is written elsewhere)."""
    node = doc
    for key in key_path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return
    value = node.get(key_path[-1]) if isinstance(node, dict) else None
    if isinstance(value, str):
        node[key_path[-1]] = str((base / value).resolve())


# -- the loaders, as the CLI calls them --------------------------------------
def validate_config(path: Path, overrides: tuple[str, ...] = ()) -> Any:
    """``twin validate``: the config, the plant and the weather it names."""
    from twin.config import load_config
    from twin.plant import Plant
    from twin.simulate import load_plant_weather

    config = load_config(path, overrides)
    plant = Plant.build(config)
    _weather(config, load_plant_weather)
    return plant


def _weather(config: Any, load: Callable[[Any], Any]) -> Any:
    """The weather a config names, memoised on the weather table (the same
    table gives the same weather or the same error; a bundled site costs a
    site-list read per load)."""
    import json

    key = json.dumps(
        [config.weather.model_dump(mode="json"), config.base_dir, config.simulation.year]
    )
    memo = _CACHE.setdefault("weather", {})
    if key not in memo:
        if len(memo) > 64:
            memo.clear()
        try:
            memo[key] = load(config)
        except PROJECT_ERRORS as exc:
            memo[key] = exc
    if isinstance(memo[key], BaseException):
        raise memo[key]
    return memo[key]


def _config_case(rng: random.Random, folder: Path) -> tuple[Path, Callable[[], Any]]:
    name = rng.choice(_SEED_CONFIGS)
    doc = mutate_tree(rng, _seed(name, CONFIGS / name))
    path = _write(rng, folder, name, doc)
    return path, lambda: validate_config(path)


_SERIES_CONFIG = {
    "plant": {"name": "series"},
    "simulation": {"year": 2025, "step": "1h", "days": 3},
    "weather": {"site": "suzhou-tmyx"},
    "base_load": [{"name": "load", "series": {"file": "load.csv", "column": "kw", "scale": 1.0}}],
    "grid_connection": {
        "name": "grid",
        "import_limit_kw": 2000.0,
        "tariff": {
            "preset": "jiangsu",
            "floating_price_cny_per_kwh": 0.4,
            "fixed_price_cny_per_kwh": 0.2,
            "demand_charge_cny_per_kw_month": 40.0,
        },
        "emission_factor": {"ef_kg_per_kwh": 0.5827},
    },
}


def _series_text(rng: random.Random) -> str:
    rows = rng.choice((72, 72, 8760, 71, 1, 0))
    values = [f"{100.0 + (i % 24) * 5:.1f}" for i in range(rows)]
    for _ in range(rng.choice((0, 1, 2))):
        if values:
            i = rng.randrange(len(values))
            values[i] = rng.choice(("nan", "inf", "-inf", "1e308", "", "abc", "-5", "1e13", "0x10"))
    header = rng.choice(("kw", "kw", "kW", "power", "kw,extra"))
    return header + "\n" + "\n".join(values) + "\n"


def _series_case(rng: random.Random, folder: Path) -> tuple[Path, Callable[[], Any]]:
    doc = _SERIES_CONFIG if rng.random() < 0.5 else mutate_tree(rng, _SERIES_CONFIG, rounds=1)
    csv = _series_text(rng)
    (folder / "load.csv").write_bytes(
        mutate_text(rng, csv) if rng.random() < 0.2 else csv.encode("utf-8")
    )
    path = _write(rng, folder, "series.toml", doc, text_rate=0.0)
    return path, lambda: validate_config(path)


def _override_paths() -> list[str]:
    from tests.fuzz.mutate import _paths

    if "override_paths" not in _CACHE:
        doc = _seed("reference_factory.toml", CONFIGS / "reference_factory.toml")
        out = []
        for path in _paths(doc):
            if not path:
                continue
            text = ""
            node = doc
            for key in path:
                if isinstance(key, int):
                    item = node[key]
                    name = item.get("name") if isinstance(item, dict) else None
                    text += f".{name}" if name and text else f"[{key}]"
                else:
                    text += f".{key}" if text else key
                node = node[key]
            out.append(text)
        _CACHE["override_paths"] = out
    return _CACHE["override_paths"]


def _override_value(rng: random.Random) -> str:
    value = rng.choice(HOSTILE)
    return rng.choice(
        (to_toml({"v": value})[6:-1], str(value), "[1, 2", "{a = }", "'x", "", "=", "1e999")
    )


def _override_case(rng: random.Random, folder: Path) -> tuple[Path, Callable[[], Any]]:
    path = CONFIGS / "reference_factory.toml"
    items = []
    for _ in range(rng.choice((1, 1, 2))):
        target = rng.choice(_override_paths())
        if rng.random() < 0.2:
            target = target[: rng.randrange(len(target) + 1)] + rng.choice(
                ("[99]", ".x", "[", "]", "..")
            )
        items.append(f"{target}={_override_value(rng)}" if rng.random() < 0.95 else target)
    return path, lambda: validate_config(path, tuple(items))


_SEED_EXPERIMENTS = (
    "pv_storage_sizing.toml",
    "compressed_air_retrofit.toml",
    "retrofit_portfolio.toml",
    "valley_production.toml",
)


def _experiment_case(rng: random.Random, folder: Path) -> tuple[Path, Callable[[], Any]]:
    from twin.experiments import load_experiment

    name = rng.choice(_SEED_EXPERIMENTS)
    doc = mutate_tree(rng, _seed(name, EXPERIMENTS / name))
    _absolute(doc, ("experiment", "base"), EXPERIMENTS)
    path = _write(rng, folder, name, doc)
    return path, lambda: load_experiment(path)


_SEED_SWEEPS = ("pv_battery_sweep.toml",) * 4 + ("factory_sweep.toml",)
"""The factory sweep's probes validate the reference factory a dozen times: drawn less often."""


def _sweep_case(rng: random.Random, folder: Path) -> tuple[Path, Callable[[], Any]]:
    from twin.sweep import load_sweep

    name = rng.choice(_SEED_SWEEPS)
    doc = mutate_tree(rng, _seed(name, EXPERIMENTS / name))
    _absolute(doc, ("sweep", "base"), EXPERIMENTS)
    path = _write(rng, folder, name, doc)
    return path, lambda: load_sweep(path)


_BILLS_CASE = MV / "bills_reference_factory" / "case.toml"


def _bills_case_doc() -> dict[str, Any]:
    doc = _read(_BILLS_CASE)
    base = _BILLS_CASE.parent
    for key in ("meter", "temperature"):
        doc["mv"][key]["file"] = str((base / doc["mv"][key]["file"]).resolve())
    for d in doc["mv"].get("driver", []):
        d["file"] = str((base / d["file"]).resolve())
    return doc


def _meter_text(rng: random.Random) -> str:
    lines = (MV / "audit_reference_factory" / "bills.csv").read_text(encoding="utf-8").splitlines()
    for _ in range(rng.choice((1, 1, 2, 3))):
        i = rng.randrange(1, len(lines))
        cells = lines[i].split(",")
        j = rng.randrange(len(cells))
        op = rng.randrange(5)
        if op == 0:
            cells[j] = rng.choice(
                ("nan", "inf", "-1e308", "", "abc", "-100", "0", "1e13", "2024-13-01")
            )
        elif op == 1:
            del lines[i]
            continue
        elif op == 2:
            lines.insert(i, lines[i])
            continue
        elif op == 3:
            cells[j] = rng.choice(("2024-02-30", "2023-12-01", "2030-01-01", "24:00", "10pm"))
        else:
            cells = cells[: rng.randrange(len(cells) + 1)]
        lines[i] = ",".join(cells)
    if rng.random() < 0.05:
        lines = lines[:1]
    return "\n".join(lines) + "\n"


def _meter_case(rng: random.Random, folder: Path) -> tuple[Path, Callable[[], Any]]:
    from twin.mv.analysis import analyse_case
    from twin.mv.case import load_case
    from twin.mv.meters import read_meter

    if "bills_doc" not in _CACHE:
        _CACHE["bills_doc"] = _bills_case_doc()
    doc = _CACHE["bills_doc"]
    text = _meter_text(rng)
    bills = folder / "bills.csv"
    bills.write_bytes(mutate_text(rng, text) if rng.random() < 0.1 else text.encode("utf-8"))
    doc = {"mv": {**doc["mv"], "meter": {**doc["mv"]["meter"], "file": str(bills)}}}
    path = _write(rng, folder, "case.toml", doc, text_rate=0.0)

    def load() -> Any:
        case, label, base = load_case(path)
        meter = read_meter(case.mv.meter, base_dir=base, label=label)
        if rng.random() < 0.05:  # now and then the whole analysis, which reads it again
            analyse_case(case, label=label, base_dir=base)
        return meter

    return path, load


def _mv_case(rng: random.Random, folder: Path) -> tuple[Path, Callable[[], Any]]:
    from twin.mv.case import load_case

    if "audit_doc" not in _CACHE:
        _CACHE["audit_doc"] = _read(MV / "audit_reference_factory" / "case.toml")
    doc = mutate_tree(rng, _CACHE["audit_doc"])
    path = _write(rng, folder, "case.toml", doc)
    return path, lambda: load_case(path)


def _claim_case(rng: random.Random, folder: Path) -> tuple[Path, Callable[[], Any]]:
    from twin.mv.claims import load_claims

    doc = mutate_tree(rng, _seed("claims", MV / "claims_reference_factory.toml"))
    path = _write(rng, folder, "claims.toml", doc)
    return path, lambda: load_claims(path)


CASES: dict[str, Callable[[random.Random, Path], tuple[Path, Callable[[], Any]]]] = {
    "config": _config_case,
    "series": _series_case,
    "override": _override_case,
    "experiment": _experiment_case,
    "sweep": _sweep_case,
    "meter": _meter_case,
    "mv_case": _mv_case,
    "claim": _claim_case,
}


def check_message(exc: BaseException, label: str) -> None:
    """A rejection names the file and reads as the project's message."""
    text = str(exc)
    if label not in text and Path(label).name not in text:
        msg = f"the message does not name the file {label}: {text[:300]}"
        raise FuzzFailure(msg)
    for word in RAW_WORDS:
        if word in text:
            msg = f"raw library wording {word!r} in the message: {text[:300]}"
            raise FuzzFailure(msg)


def run_case(kind: str, rng: random.Random, folder: Path) -> str:
    """Build and load one mutated input of ``kind``; ``"accepted"`` or
    ``"rejected"`` (the project's error, a good message).

    Raises
    ------
    FuzzFailure
        A poor rejection message.
    Exception
        Anything that is not the project's error (a bug).
    """
    path, load = CASES[kind](rng, folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuspiciousInputWarning)
        try:
            load()
        except PROJECT_ERRORS as exc:
            check_message(exc, str(path))
            return "rejected"
    return "accepted"
