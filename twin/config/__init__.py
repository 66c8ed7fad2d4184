"""Plant configuration: schema, loading, presets and error formatting."""

from twin.config.loader import (
    apply_override,
    config_from_dict,
    config_hash,
    dump_config,
    load_config,
    set_path,
)
from twin.config.schema import (
    CalendarConfig,
    PlantConfig,
    PlantInfo,
    SimulationConfig,
    WeatherConfig,
    plant_config_model,
)

__all__ = [
    "CalendarConfig",
    "PlantConfig",
    "PlantInfo",
    "SimulationConfig",
    "WeatherConfig",
    "apply_override",
    "config_from_dict",
    "config_hash",
    "dump_config",
    "load_config",
    "plant_config_model",
    "set_path",
]
