"""Small plants and sweep files for the sweep tests (written into tmp folders)."""

from __future__ import annotations

from pathlib import Path

LOAD_ONLY = """
[plant]
name = "load_only"

[simulation]
year = 2025
seed = 1

[weather]
site = "suzhou-tmyx"
correct_timing = true

[[base_load]]
name = "load"
demand_kw.weekday = [100, 100, 100, 100, 100, 100, 100, 100, 300, 300, 300, 300,
              300, 300, 300, 300, 300, 300, 100, 100, 100, 100, 100, 100]
demand_kw.weekend = [80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80,
              80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80]

[grid_connection]
name = "grid"
import_limit_kw = 2000.0
export_limit_kw = 500.0

[grid_connection.tariff]
preset = "jiangsu"
floating_price_cny_per_kwh = 0.4
fixed_price_cny_per_kwh = 0.2
demand_charge_cny_per_kw_month = 40.0
export_price_cny_per_kwh = 0.391

[grid_connection.emission_factor]
ef_kg_per_kwh = 0.5827
"""

PV_BATTERY = (
    LOAD_ONLY.replace('name = "load_only"', 'name = "pv_battery"')
    + """
[[pv]]
name = "roof"
inverter_rated_power_ac_kw = 170.0

[[pv.arrays]]
name = "south"
rated_power_dc_kw = 200.0
tilt_deg = 20.0
azimuth_deg = 180.0
mounting = "open_rack"

[[battery]]
name = "bess"
capacity_kwh = 400.0
rated_power_kw = 200.0
dispatch = "tou_arbitrage"
"""
)


def write_plant(folder: Path, text: str = PV_BATTERY, name: str = "plant.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def write_sweep(
    folder: Path,
    body: str,
    *,
    base: str = "plant.toml",
    plant: str = PV_BATTERY,
    name: str = "sweep.toml",
    seed: int = 7,
) -> Path:
    """A sweep file over ``base`` (written from ``plant`` when missing)."""
    if not (folder / base).exists():
        write_plant(folder, plant, base)
    path = folder / name
    path.write_text(
        f'[sweep]\nname = "t"\nbase = "{base}"\nseed = {seed}\n{body}', encoding="utf-8"
    )
    return path


PV_BATTERY_LHS = """
[design]
kind = "lhs"
n = {n}

[[parameter]]
name = "pv_kwp"
path = "pv.roof.arrays.south.rated_power_dc_kw"
links = {{"pv.roof.inverter_rated_power_ac_kw" = 0.85}}
low = 50.0
high = 400.0
capex_cny_per_unit = 3000.0

[[parameter]]
name = "battery_kwh"
path = "battery.bess.capacity_kwh"
low = 100.0
high = 800.0
capex_cny_per_unit = 800.0
lifetime_years = 12

[[uncertain]]
name = "price"
path = "grid_connection.tariff.floating_price_cny_per_kwh"
distribution = "truncated_normal"
mean = 0.4
sd = 0.04
low = 0.3
high = 0.5
"""

LOAD_GRID = """
[design]
kind = "grid"

[[parameter]]
name = "price"
path = "grid_connection.tariff.floating_price_cny_per_kwh"
low = 0.30
high = 0.50
levels = {levels}

[[parameter]]
name = "ef"
path = "grid_connection.emission_factor.ef_kg_per_kwh"
values = [0.55, 0.58, 0.61, 0.64]
"""
