"""Small, fast inputs for the report pages: a tiny sweep (a one-load plant
with rooftop PV) and a claims file on that plant."""

from __future__ import annotations

from pathlib import Path

from tests.twin.sweep._plants import LOAD_ONLY

PV_PLANT = (
    LOAD_ONLY.replace('name = "load_only"', 'name = "load_pv"')
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
"""
)

_PV_PARAMETER = """
[[parameter]]
name = "pv_kwp"
path = "pv.roof.arrays.south.rated_power_dc_kw"
links = {{"pv.roof.inverter_rated_power_ac_kw" = 0.85}}
low = 50.0
high = 400.0
capex_cny_per_unit = 9000.0{levels}
"""

_ANALYSIS = """
[analysis]
objectives = ["annual_cost_cny", "net_tco2"]
constraints = ["peak_import_kw <= 300"]
best = 2
"""


def write_tiny_sweep(folder: Path, kind: str = "saltelli") -> Path:
    """A sweep file over PV size and the grid price: ``saltelli`` (n = 2,
    8 scenarios: Sobol' indices) or ``oat`` (3 levels each, 5 scenarios).
    Expensive PV (9,000 CNY/kWp) makes cost and CO2 trade off."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plant.toml").write_text(PV_PLANT, encoding="utf-8")
    if kind == "saltelli":
        design = '[design]\nkind = "saltelli"\nn = 2\n'
        body = (
            _PV_PARAMETER.format(levels="")
            + """
[[uncertain]]
name = "price"
path = "grid_connection.tariff.floating_price_cny_per_kwh"
distribution = "uniform"
low = 0.3
high = 0.5
"""
        )
    elif kind == "oat":
        design = '[design]\nkind = "oat"\n'
        body = (
            _PV_PARAMETER.format(levels="\nlevels = 3")
            + """
[[parameter]]
name = "price"
path = "grid_connection.tariff.floating_price_cny_per_kwh"
low = 0.3
high = 0.5
levels = 3
"""
        )
    else:
        msg = f"kind: saltelli or oat, got {kind!r}"
        raise ValueError(msg)
    path = folder / f"tiny_{kind}.toml"
    path.write_text(
        f'[sweep]\nname = "tiny_{kind}"\nbase = "plant.toml"\nseed = 3\n'
        f'description = "PV size and grid price on a small workshop"\n\n{design}{body}{_ANALYSIS}',
        encoding="utf-8",
    )
    return path


def write_mini_claims(folder: Path) -> Path:
    """A claims file with one claim of each kind on the PV plant: its PV
    yield over two typical years and two loss levels (4 runs), a saving of
    a measure (2 more), and a scope 2 figure against the published factors."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plant.toml").write_text(PV_PLANT, encoding="utf-8")
    path = folder / "claims.toml"
    path.write_text(
        """
[[claim]]
name = "pv_yield"
kind = "quantity"
config = "plant.toml"
quantity = "pv_ac_kwh"
claimed = 240000.0
comparison = "at_least"
uncertain = { weather = ["suzhou-tmyx", "shanghai-cswd"], set = { "pv.roof.losses_frac" = { min = 0.10, max = 0.18 } }, draws = 1, seed = 7 }

[[claim]]
name = "led_saving"
kind = "saving"
config = "plant.toml"
measures = [{ measure = "led_lighting", load = "load", lighting_kw = 60.0, reduction_frac = 0.5 }]
quantity = "electricity_use_kwh"
claimed = 90000.0
comparison = "about"
tolerance_frac = 0.10
uncertain = { weather = ["suzhou-tmyx", "shanghai-cswd"] }

[[claim]]
name = "pv_scope2_reduction"
kind = "emission_factor"
claimed_tco2 = 139.9
energy_kwh = 240000.0
province = "jiangsu"
year = 2023
""",
        encoding="utf-8",
    )
    return path
