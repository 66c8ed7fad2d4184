"""PV annual AC energy against NREL PySAM PVWatts v8 (the issue's acceptance test).

Requirement: annual AC energy within ±3 % of PVWatts v8 for the same system
on the same weather file, for at least four bundled Chinese sites and two
orientations. Peer: NREL PySAM ``Pvwattsv8`` (SAM Simulation Core), run on
the EPW file itself; ours reads the same file the way the engine does. The
files are the bundled ``weather/data/*.epw.gz`` (unpacked to a temporary
directory, since PySAM reads plain files).

Known differences (see the ``components.pv`` module docstring): PVWatts v8
uses a single-diode module model and a Sandia inverter where we use the
PVWatts linear model and curve, and PySAM times CSWD records (EPW minute
field 0) at the interval start where we use the midpoint. On the files as
they are, the measured differences are -2.9 % to +1.1 % (the largest for
east-facing arrays on CSWD files, from the timing alone); with the sun put at
the same instants on both sides they are 0.0 % to +1.3 %.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest

pytest.importorskip("PySAM.Pvwattsv8")

from twin.components.pv import PV, PVParams  # noqa: E402

from tests.validation._pysam_pvwatts import pvwatts_v8_ac_annual_kwh  # noqa: E402
from twin.component import RunContext, Site  # noqa: E402
from twin.timegrid import TimeGrid  # noqa: E402

BUNDLED_WEATHER_DIR = Path(__file__).resolve().parents[2] / "weather" / "data"

SITES = [
    "CHN_JS_Suzhou.583580_TMYx.epw",
    "CHN_Shanghai.Shanghai.583620_CSWD.epw",
    "CHN_Guangdong.Guangzhou.592870_CSWD.epw",
    "CHN_Beijing.Beijing.545110_CSWD.epw",
    "CHN_Sichuan.Chengdu.562940_CSWD.epw",
]

ORIENTATIONS = {
    "south_22deg_open_rack": {"tilt_deg": 22.0, "azimuth_deg": 180.0, "mounting": "open_rack"},
    "east_10deg_roof_mount": {"tilt_deg": 10.0, "azimuth_deg": 90.0, "mounting": "roof_mount"},
    "west_5deg_roof_mount": {"tilt_deg": 5.0, "azimuth_deg": 270.0, "mounting": "roof_mount"},
}

RATED_POWER_DC_KW = 100.0
DC_AC_RATIO = 1.2

TOLERANCE_FRAC = 0.03
"""The issue's acceptance band for annual AC energy against PVWatts v8."""

SAME_SUN_TOLERANCE_FRAC = 0.02
"""Band when both models see the sun at the same instants: what is left is
module and inverter physics (linear PVWatts DC vs PVWatts v8's single-diode
module, up to +1.3 % measured in diffuse climates)."""

YEAR = 2025

_EPW_TO_CANONICAL = {
    "ghi": "ghi_w_per_m2",
    "dni": "dni_w_per_m2",
    "dhi": "dhi_w_per_m2",
    "temp_air": "temp_air_c",
    "wind_speed": "wind_speed_m_per_s",
    "atmospheric_pressure": "pressure_pa",
}


def read_epw_canonical(path: Path) -> tuple[TimeGrid, Site, dict[str, np.ndarray]]:
    """Grid, site and canonical weather columns of an hourly EPW file.

    Mirrors the engine's reader (``weather.load_weather``), which this test
    does not import so that it runs before that package is ready:
    canonical unit-suffixed names, relative humidity % -> fraction, missing
    albedo (EPW 999) -> NaN, index = interval start (``read_epw`` stamps the
    record of hour h, the interval (h-1, h], at h-1). TMY files mix source
    years by month, so the rows are re-stamped to one year by position.
    """
    frame, meta = pvlib.iotools.read_epw(path)
    tz = dt.timezone(dt.timedelta(hours=float(meta["TZ"])))
    grid = TimeGrid.for_year(YEAR, "1h", tz=tz)
    assert len(frame) == grid.n_steps, f"{path.name}: expected {grid.n_steps} hourly records"
    weather = {new: frame[old].to_numpy(dtype=np.float64) for old, new in _EPW_TO_CANONICAL.items()}
    weather["relative_humidity_frac"] = (
        frame["relative_humidity"].to_numpy(dtype=np.float64) / 100.0
    )
    albedo = frame["albedo"].to_numpy(dtype=np.float64)
    weather["albedo_frac"] = np.where((albedo > 0.0) & (albedo < 1.0), albedo, np.nan)
    site = Site(
        name=str(meta["city"]),
        latitude_deg=float(meta["latitude"]),
        longitude_deg=float(meta["longitude"]),
        elevation_m=float(meta["altitude"]),
    )
    return grid, site, weather


@pytest.fixture(scope="module")
def epw_paths(tmp_path_factory) -> dict[str, Path]:
    """Plain EPW file of every site, for PySAM and for our reader."""
    unpacked = tmp_path_factory.mktemp("epw")
    paths = {}
    for name in SITES:
        bundled = BUNDLED_WEATHER_DIR / f"{name}.gz"
        if bundled.is_file():
            paths[name] = unpacked / name
            paths[name].write_bytes(gzip.decompress(bundled.read_bytes()))
        else:
            pytest.fail(f"weather file {name} is not bundled in {BUNDLED_WEATHER_DIR}")
    return paths


@pytest.fixture(scope="module")
def epw_data(epw_paths) -> dict[str, tuple[TimeGrid, Site, dict[str, np.ndarray]]]:
    """Canonical weather of every site, read once; arrays are read-only."""
    data = {name: read_epw_canonical(path) for name, path in epw_paths.items()}
    for _, _, weather in data.values():
        for arr in weather.values():
            arr.flags.writeable = False
    return data


def epw_minute(path: Path) -> int:
    """The EPW minute field of the first record (30 in TMYx, 0 in CSWD files)."""
    with path.open(encoding="latin-1") as f:
        for _ in range(8):
            f.readline()
        return int(f.readline().split(",")[4])


def annual_ac_energy_kwh(
    grid: TimeGrid, site: Site, weather: dict[str, np.ndarray], params: PVParams
) -> float:
    ctx = RunContext(
        grid=grid,
        site=site,
        weather=weather,
        day_type=np.zeros(grid.n_steps, np.int8),
        signals=None,
        seed_sequence=np.random.SeedSequence(0),
    )
    return grid.energy_kwh(PV(params).compute(ctx).ports["ac"])


def pv_params(orientation: dict) -> PVParams:
    # PySAM 7.1 ignores the EPW albedo field (0.2 on every step), so both
    # sides use a fixed 0.2; everything else is our default.
    return PVParams(
        name="pv",
        arrays=[{"name": "array", "rated_power_dc_kw": RATED_POWER_DC_KW, **orientation}],
        inverter_rated_power_ac_kw=RATED_POWER_DC_KW / DC_AC_RATIO,
        use_weather_albedo=False,
        albedo_frac=0.2,
    )


@functools.cache
def pvwatts_kwh(epw_path: Path, orientation_name: str) -> float:
    """PVWatts v8 annual AC energy of the test system, run once per case [kWh]."""
    orientation = ORIENTATIONS[orientation_name]
    params = pv_params(orientation)
    return pvwatts_v8_ac_annual_kwh(
        epw_path,
        system_capacity_kw=RATED_POWER_DC_KW,
        dc_ac_ratio=DC_AC_RATIO,
        tilt_deg=orientation["tilt_deg"],
        azimuth_deg=orientation["azimuth_deg"],
        mounting=orientation["mounting"],
        losses_frac=params.losses_frac,
        inverter_efficiency_nom_frac=params.inverter_efficiency_nom_frac,
        albedo_frac=params.albedo_frac,
    )


@pytest.mark.parametrize("orientation_name", list(ORIENTATIONS))
@pytest.mark.parametrize("site_file", SITES)
def test_annual_ac_energy_matches_pvwatts_v8(epw_paths, epw_data, site_file, orientation_name):
    ours_kwh = annual_ac_energy_kwh(*epw_data[site_file], pv_params(ORIENTATIONS[orientation_name]))
    peer_kwh = pvwatts_kwh(epw_paths[site_file], orientation_name)
    assert peer_kwh > 0.0
    rel_diff = ours_kwh / peer_kwh - 1.0
    assert abs(rel_diff) <= TOLERANCE_FRAC, (
        f"{site_file} {orientation_name}: ours {ours_kwh:.0f} kWh vs PVWatts v8 "
        f"{peer_kwh:.0f} kWh ({rel_diff:+.2%})"
    )


@pytest.mark.parametrize("orientation_name", list(ORIENTATIONS))
@pytest.mark.parametrize("site_file", SITES)
def test_physics_matches_pvwatts_v8_with_the_same_sun(
    epw_paths, epw_data, site_file, orientation_name
):
    # PySAM evaluates the sun at the EPW minute of each record; shifting our
    # grid by (minute - 30) min puts our interval midpoints on those instants.
    grid, site, weather = epw_data[site_file]
    shift = pd.Timedelta(minutes=epw_minute(epw_paths[site_file]) - 30)
    shifted = TimeGrid(grid.start + shift, grid.step, grid.n_steps)
    ours_kwh = annual_ac_energy_kwh(
        shifted, site, weather, pv_params(ORIENTATIONS[orientation_name])
    )
    peer_kwh = pvwatts_kwh(epw_paths[site_file], orientation_name)
    rel_diff = ours_kwh / peer_kwh - 1.0
    assert abs(rel_diff) <= SAME_SUN_TOLERANCE_FRAC, (
        f"{site_file} {orientation_name} (sun shifted {shift}): ours {ours_kwh:.0f} kWh vs "
        f"PVWatts v8 {peer_kwh:.0f} kWh ({rel_diff:+.2%})"
    )


# -- with the irradiance-timing correction the reference configs switch on -----------

TIMING_SITES = {
    "xian-cswd": "CHN_Shaanxi.Xian.570360_CSWD.epw",
    "chongqing-tmyx": "CHN_CQ_Chongqing.575160_TMYx.epw",
    "suzhou-tmyx": "CHN_JS_Suzhou.583580_TMYx.epw",
}
"""Xi'an (CSWD, offset +78 min), Chongqing (TMYx, -33 min), Suzhou (TMYx, +29 min)."""


def _corrected_epw(source: Path, frame: pd.DataFrame, target: Path) -> Path:
    """The EPW file with its GHI, DNI and DHI fields (13-15) replaced by the
    timing-corrected irradiance, record by record (the reader keeps the
    file's row order), so that PVWatts v8 reads the same corrected weather."""
    lines = source.read_text(encoding="latin-1").splitlines()
    cols = ("ghi_w_per_m2", "dni_w_per_m2", "dhi_w_per_m2")
    values = np.column_stack([frame[c].to_numpy(dtype=np.float64) for c in cols])
    out = lines[:8]
    for i, line in enumerate(lines[8 : 8 + len(values)]):
        fields = line.split(",")
        fields[13:16] = [f"{v:.0f}" for v in values[i]]
        out.append(",".join(fields))
    target.write_text("\n".join(out + lines[8 + len(values) :]) + "\n", encoding="latin-1")
    return target


@pytest.mark.parametrize("site_id", list(TIMING_SITES))
def test_timing_corrected_weather_matches_pvwatts_v8_on_the_same_correction(site_id, tmp_path):
    """Both models on the timing-corrected year: the correction moves the yield
    (+5.7 % at Xi'an), and PVWatts v8 given the same corrected irradiance agrees
    with ours within the issue's 3 % (measured: Xi'an +0.3 %, Chongqing +0.6 %,
    Suzhou +0.2 %). Against PVWatts on the uncorrected file ours would differ by
    the correction itself, which is the point of making it."""
    from twin import weather

    w = weather.load_weather(site_id, correct_timing=True)
    name = TIMING_SITES[site_id]
    plain = tmp_path / name
    plain.write_bytes(gzip.decompress((BUNDLED_WEATHER_DIR / f"{name}.gz").read_bytes()))
    corrected = _corrected_epw(plain, w.frame, tmp_path / f"corrected_{name}")
    grid, site, raw = read_epw_canonical(corrected)
    frame = w.frame
    weather_cols = {c: frame[c].to_numpy(dtype=np.float64) for c in frame.columns}
    weather_cols["albedo_frac"] = raw["albedo_frac"]
    params = pv_params(ORIENTATIONS["south_22deg_open_rack"])
    ours_kwh = annual_ac_energy_kwh(grid, site, weather_cols, params)
    uncorrected_kwh = annual_ac_energy_kwh(*read_epw_canonical(plain), params)
    peer_kwh = pvwatts_kwh(corrected, "south_22deg_open_rack")
    rel_diff = ours_kwh / peer_kwh - 1.0
    if site_id == "xian-cswd":  # the 78-min shift moves the yield (measured +5.7 %)
        assert ours_kwh / uncorrected_kwh - 1.0 > 0.03
    assert abs(rel_diff) <= TOLERANCE_FRAC, (
        f"{site_id} timing-corrected ({w.timing_correction_min:+.0f} min): ours "
        f"{ours_kwh:.0f} kWh vs PVWatts v8 {peer_kwh:.0f} kWh ({rel_diff:+.2%})"
    )
