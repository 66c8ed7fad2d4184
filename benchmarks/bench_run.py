"""Wall time of an annual run of the reference factory, against peers.

Prints medians over repeated runs in one process, after imports:

- twin, warm: ``twin.run(plant, weather=...)`` with the config parsed, the
  plant built and the weather file read once (what a sweep pays per
  variant); the solar geometry is memoised across runs;
- twin, cold: the same with every cross-run memo (solar position, façade
  irradiance, wet-bulb temperature) cleared before each run;
- twin, from the file: ``load_config`` + ``Plant.build`` + ``run`` (the
  weather file read is cached by the weather package);
- pvlib ModelChain for the same PV system on the same weather (peer);
- NREL PySAM PVWatts v8, one simulation per array, on the same EPW (peer,
  if installed).

Usage: ``python benchmarks/bench_run.py [--repeat N] [--step 1h]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import twin.components.pv as pv_module  # noqa: E402
from peers import build_modelchain, run_modelchain  # noqa: E402

import twin  # noqa: E402
import twin.component as twin_component  # noqa: E402
from twin.simulate import load_plant_weather, weather_on_grid  # noqa: E402

CONFIG = ROOT / "configs" / "reference_factory.toml"


def _median_s(fn, repeat: int, setup=None) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--step", default="1h")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    config = twin.load_config(CONFIG, step=args.step)
    plant = twin.Plant.build(config)
    weather = load_plant_weather(config)
    twin.run(plant, weather=weather)  # warm-up: imports, first-call caches

    rows: list[tuple[str, float]] = []
    t_warm, res = _median_s(lambda: twin.run(plant, weather=weather), args.repeat)
    rows.append(("twin: reference factory, warm", t_warm))

    def clear_memos() -> None:
        pv_module._solar_geometry.cache_clear()
        twin_component._SHARED_MEMO.clear()

    t_cold, _ = _median_s(lambda: twin.run(plant, weather=weather), args.repeat, setup=clear_memos)
    rows.append(("twin: reference factory, memos cold", t_cold))
    t_file, _ = _median_s(
        lambda: twin.run(twin.Plant.build(twin.load_config(CONFIG, step=args.step))), args.repeat
    )
    rows.append(("twin: from the config file (weather read cached)", t_file))

    pv_params = config.pv[0]
    grid = plant.grid
    loc = weather.location
    cols = weather_on_grid(weather.frame, grid)
    frame = pd.DataFrame(
        {
            "ghi": cols["ghi_w_per_m2"],
            "dni": cols["dni_w_per_m2"],
            "dhi": cols["dhi_w_per_m2"],
            "temp_air": cols["temp_air_c"],
            "wind_speed": cols["wind_speed_m_per_s"],
        },
        index=grid.index,
    )
    mc = build_modelchain(
        pv_params, loc.latitude_deg, loc.longitude_deg, loc.elevation_m, config.simulation.timezone
    )
    t_mc, ac_mc = _median_s(lambda: run_modelchain(mc, frame), args.repeat)
    rows.append(("pvlib ModelChain: the same PV system only", t_mc))

    try:
        sys.path.insert(0, str(ROOT / "tests" / "validation"))
        from _pysam_pvwatts import pvwatts_v8_ac_annual_kwh

        def pysam_all() -> float:
            return sum(
                pvwatts_v8_ac_annual_kwh(
                    weather.source_path
                    if not weather.source_path.endswith(".gz")
                    else _plain_epw(weather),
                    system_capacity_kw=a.rated_power_dc_kw,
                    dc_ac_ratio=sum(x.rated_power_dc_kw for x in pv_params.arrays)
                    / pv_params.inverter_rated_power_ac_kw,
                    tilt_deg=a.tilt_deg,
                    azimuth_deg=a.azimuth_deg,
                    mounting=a.mounting,
                    losses_frac=pv_params.losses_frac,
                    inverter_efficiency_nom_frac=pv_params.inverter_efficiency_nom_frac,
                )
                for a in pv_params.arrays
            )

        t_sam, _ = _median_s(pysam_all, max(3, args.repeat // 4))
        rows.append(("NREL PySAM PVWatts v8: the same arrays", t_sam))
    except ImportError:
        pass

    clear_memos()
    per_component = _component_times(plant, weather)

    print(f"annual run at step {args.step}, {grid.n_steps} steps, median of {args.repeat} runs")
    width = max(len(r[0]) for r in rows)
    for label, t in rows:
        print(f"  {label:<{width}}  {t * 1000:8.1f} ms   {t / t_mc:5.2f} x ModelChain")
    twin_pv = res.summary["pv_ac_kwh"] + res.summary["pv_curtailed_kwh"]
    mc_pv = float(ac_mc.sum()) * grid.step_h
    print("  cold run by component (compute only):")
    for label, t in per_component:
        print(f"    {label:<36} {t * 1000:8.1f} ms")
    print(
        f"  PV AC energy: twin {twin_pv / 1e3:,.1f} MWh, ModelChain {mc_pv / 1e3:,.1f} MWh "
        f"({(twin_pv / mc_pv - 1) * 100:+.1f} %)"
    )


def _component_times(plant, weather) -> list[tuple[str, float]]:
    """Compute time of each component in one run with every memo cleared."""
    import numpy as np

    from twin.calendar import day_types
    from twin.component import RunContext, Site

    grid = plant.grid
    loc = weather.location
    ctx = RunContext(
        grid,
        Site(loc.name, loc.latitude_deg, loc.longitude_deg, loc.elevation_m),
        weather_on_grid(weather.frame, grid),
        day_types(grid),
        None,
        np.random.SeedSequence(plant.config.simulation.seed),
        plant.series,
    )
    ctx.signals = plant.slack.signals(ctx)
    out = []
    for c in plant.components:
        t0 = time.perf_counter()
        flows = c.compute(ctx)
        out.append((f"{c.kind} {c.name}", time.perf_counter() - t0))
        ctx._record(c.name, c.ports(), flows)
    return out


def _plain_epw(weather) -> str:
    """PySAM reads a plain EPW: decompress the bundled file once to a temp path."""
    import gzip
    import tempfile

    out = Path(tempfile.gettempdir()) / Path(weather.source_path).name.removesuffix(".gz")
    if not out.exists():
        out.write_bytes(gzip.decompress(Path(weather.source_path).read_bytes()))
    return str(out)


if __name__ == "__main__":
    main()
