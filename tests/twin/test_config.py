"""Config loading, overrides, presets and the factor library."""

from __future__ import annotations

import pytest

import twin
from tests.conftest import REFERENCE_CONFIG, minimal_config
from twin.config import apply_override, config_hash
from twin.errors import ConfigError
from twin.factors import grid_factor


def test_reference_config_loads():
    config = twin.load_config(REFERENCE_CONFIG)
    assert config.plant.name == "reference_factory"
    assert config.grid_connection.emission_factor.ef_kg_per_kwh == 0.5827
    assert "426" in config.grid_connection.tariff.document


def test_override_by_index_and_by_name_agree():
    a = twin.load_config(REFERENCE_CONFIG, ["battery[0].capacity_kwh=2000"])
    b = twin.load_config(REFERENCE_CONFIG, ["battery.storage.capacity_kwh=2000"])
    assert a.battery[0].capacity_kwh == 2000.0
    assert config_hash(a) == config_hash(b)
    assert config_hash(a) != config_hash(twin.load_config(REFERENCE_CONFIG))


def test_override_values_are_toml():
    raw = apply_override(minimal_config(), "grid_connection.tariff.ratios={peak=2.0}")
    assert raw["grid_connection"]["tariff"]["ratios"] == {"peak": 2.0}
    raw = apply_override(raw, "weather.site=shanghai-cswd")
    assert raw["weather"]["site"] == "shanghai-cswd"


def test_override_into_a_missing_list_item_is_an_error():
    with pytest.raises(ConfigError, match=r"has 1 item\(s\), no \[3\]"):
        apply_override(minimal_config(), "base_load[3].demand_kw=1")


def test_override_without_equals_is_an_error():
    with pytest.raises(ConfigError, match="PATH=VALUE"):
        apply_override(minimal_config(), "plant.name")


def test_preset_and_explicit_tariff_hash_equal():
    a = twin.config_from_dict(minimal_config())
    explicit = twin.dump_config(a)
    b = twin.config_from_dict(explicit)
    assert config_hash(a) == config_hash(b)


def test_weather_override_to_a_file(tmp_path):
    config = twin.load_config(REFERENCE_CONFIG, weather=str(tmp_path / "x.epw"))
    assert config.weather.file.endswith("x.epw") and config.weather.site is None


@pytest.mark.parametrize(
    ("kwargs", "value"),
    [
        ({"province": "jiangsu", "year": 2023}, 0.5827),
        ({"province": "广东", "year": 2022}, 0.4403),
        ({"region": "east", "year": 2021}, 0.5992),
        ({"national": "national_average", "year": 2022}, 0.5366),
    ],
)
def test_grid_factors_from_the_mee_tables(kwargs, value):
    assert grid_factor(**kwargs).ef_kg_per_kwh == value


def test_southwest_2023_is_not_published():
    with pytest.raises(ValueError, match="available years: 2021, 2022"):
        grid_factor(region="southwest", year=2023)
