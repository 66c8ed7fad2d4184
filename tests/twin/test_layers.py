"""Dependencies run one way: no module of ``twin`` imports a layer above its own.

Layers, bottom to top: the core types, data tables, components and weather;
the config; the plant; the simulation; accounting (balance, cost, emissions,
the ledger, the summary); results and the run entry point; experiments
(compare, pathway, schedule optimisation, sweeps, M&V); the edges (CLI,
reports, the package's re-exports). Every import counts, also one inside a
function.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "twin._",
        "twin.errors",
        "twin.carriers",
        "twin.timegrid",
        "twin.component",
        "twin.factors",
        "twin.data",
        "twin.calendar",
        "twin.schedule",
        "twin.dispatch",
        "twin.components",
        "twin.weather",
        "twin.diskcache",
        "twin.io_tables",
        "twin.kernels",
    ),
    ("twin.config",),
    ("twin.plant", "twin.checks"),
    ("twin.simulate",),
    ("twin.accounting",),
    ("twin.results",),
    ("twin.run",),
    (
        "twin.measures",
        "twin.finance",
        "twin.experiments",
        "twin.pathway",
        "twin.scheduling",
        "twin.sweep",
        "twin.mv",
        "twin.weather_years",
    ),
    ("twin.cli", "twin.report", "twin"),
)
FOLDERS = {
    "twin": ROOT / "twin",
    "twin.components": ROOT / "components",
    "twin.weather": ROOT / "weather",
}


def _layer(module: str) -> int:
    best, level = -1, None
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            hit = (
                module == prefix
                or module.startswith(prefix + ".")
                or (prefix.endswith("_") and module.startswith(prefix))
            )
            if hit and len(prefix) > best:
                best, level = len(prefix), i
    assert level is not None, f"module {module} is in no layer: add it to LAYERS"
    return level


def _modules():
    for package, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            yield ".".join([package, *parts]), path


def _imports(name: str, path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield target
            for a in node.names:  # "from twin import weather" names a module too
                yield f"{target}.{a.name}"


def test_no_module_imports_a_layer_above_its_own():
    wrong = []
    for name, path in _modules():
        own = _layer(name)
        for target in _imports(name, path):
            if target != "twin" and not target.startswith("twin."):
                continue
            if (
                target.startswith("twin.")
                and target.rpartition(".")[0]
                and target not in {m for m, _ in _modules()}
                and target.rpartition(".")[0] in {m for m, _ in _modules()}
            ):
                target = target.rpartition(".")[0]  # an attribute imported from a module
            if target == "twin" or _layer(target) <= own:
                continue
            wrong.append(f"{name} (layer {own}) imports {target} (layer {_layer(target)})")
    assert not wrong, "\n".join(wrong)


def test_weather_imports_nothing_else_of_ours():
    for name, path in _modules():
        if name == "twin.weather" or name.startswith("twin.weather."):  # not twin.weather_years
            for target in _imports(name, path):
                inside = target == "twin.weather" or target.startswith("twin.weather.")
                assert not target.startswith("twin.") or inside, (name, target)
