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
from twin._version import __version__
from twin.carriers import CARRIERS, Bus, Carrier
from twin.component import Component, ComponentParams, Flows, Port, RunContext, register_component
from twin.config import PlantConfig, config_from_dict, dump_config, load_config
from twin.errors import BalanceError, ConfigError, ConsistencyError, SuspiciousInputWarning
from twin.plant import Plant
from twin.results import Results
from twin.run import run
from twin.timegrid import TimeGrid

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
