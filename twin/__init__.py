"""factory-twin: a digital twin of factory energy systems.

Describe a plant in a TOML config, run it against a typical weather year
and a tariff, and get hourly electricity, cost and CO2 for a year::

    import twin
    config = twin.load_config("configs/reference_factory.toml")
    results = twin.run(config)
    results.summary["grid_import_kwh"]
    results.hourly["pv_ac_kw"]
"""

import twin._source_tree  # noqa: F401, I001  (first: twin.components and twin.weather in a checkout)
import sys
import types

from twin._version import __version__
from twin.errors import BalanceError, ConfigError, ConsistencyError, SuspiciousInputWarning

# The rest is imported on first use (PEP 562): ``twin --help`` or ``twin
# validate`` need not pay for pandas, pvlib and scipy.
_LAZY = {
    "CARRIERS": "twin.carriers",
    "Bus": "twin.carriers",
    "Carrier": "twin.carriers",
    "Component": "twin.component",
    "ComponentParams": "twin.component",
    "Flows": "twin.component",
    "Port": "twin.component",
    "RunContext": "twin.component",
    "register_component": "twin.component",
    "PlantConfig": "twin.config",
    "config_from_dict": "twin.config",
    "dump_config": "twin.config",
    "load_config": "twin.config",
    "Plant": "twin.plant",
    "Results": "twin.results",
    "run": "twin.run",
    "TimeGrid": "twin.timegrid",
}


def __getattr__(name: str):
    import importlib

    module = _LAZY.get(name)
    if module is None:  # a subpackage or module (twin.weather, twin.components, ...)
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            msg = f"module 'twin' has no attribute {name!r}"
            raise AttributeError(msg) from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """Keeps ``twin.run`` the function: importing the submodule ``twin.run``
    would otherwise set the package attribute to the module."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "CARRIERS",
    "BalanceError",
    "Bus",
    "Carrier",
    "Component",
    "ComponentParams",
    "ConfigError",
    "ConsistencyError",
    "Flows",
    "Plant",
    "PlantConfig",
    "Port",
    "Results",
    "RunContext",
    "SuspiciousInputWarning",
    "TimeGrid",
    "__version__",
    "config_from_dict",
    "dump_config",
    "load_config",
    "register_component",
    "run",
]
