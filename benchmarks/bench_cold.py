"""One run from cold, against a pvlib ModelChain year and PySAM PVWatts v8.

Prints, in one run, medians (alternating the twin and its peers run by run,
so both see the same load) and ratios:

- whole process: ``python -m twin.cli run configs/reference_factory.toml``
  (disk cache off; hourly.parquet, hourly.csv and the rest written) against
  one process that imports pvlib and runs a ModelChain year of the same PV
  system on the same weather; the same with the disk cache warm (a second
  process of the same plant: the production lines read from disk);
- in process, cold: ``twin.run(plant, weather=...)`` with every memo and the
  disk cache off, against one ModelChain year in the same process; run
  again: the same plant a second time (the zone and solar kernels come from
  their memos, every component is computed); sweep reuse: one scenario as a
  sweep worker runs it (component reuse on, loops compiled), the same plant
  and a variant with another battery capacity (what a sweep pays per variant
  that leaves the slow parts alone); PySAM PVWatts v8 on the same EPW, one
  simulation per array;
- the production lines alone: the per-station SimPy model (kept in
  ``tests/components/_production_reference.py``) against the batch model,
  the whole line (calendars built, the same code in both) and the
  discrete-event model alone;
- a 1-minute year, whole process, cold, with its peak memory; the same
  year in process (a fresh process that has loaded its config, plant and
  weather: ``twin.run`` timed, numba's import and cached loops included);
  the ledger example's 10-year pathway at 1-minute steps (``twin ledger``)
  the same way as the whole-process year;
- peak memory (maximum resident set, the figure ``/usr/bin/time -v`` prints,
  read from ``resource.getrusage`` of a probe process's only child).

``--base DIR`` also runs the whole-process figures with another checkout of
the project (for example the main branch unpacked with ``git archive``), so
old and new are measured side by side. The machine may be shared: quote the
medians and the ratios, not single runs.

Usage: ``python benchmarks/bench_cold.py [--repeat N] [--base DIR]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = "configs/reference_factory.toml"

_MODELCHAIN_SCRIPT = textwrap.dedent(
    """
    import sys, warnings
    warnings.simplefilter("ignore")
    sys.path.insert(0, {root!r}); sys.path.insert(0, {root!r} + "/benchmarks")
    import pandas as pd
    from pvlib.iotools import read_epw
    import gzip, io
    from peers import build_modelchain, run_modelchain
    import tomllib
    raw = tomllib.loads(open({root!r} + "/{config}", encoding="utf-8").read())
    pv = raw["pv"][0] if isinstance(raw["pv"], list) else raw["pv"]
    text = gzip.decompress(open({epw!r}, "rb").read()).decode("latin-1")
    data, meta = read_epw(io.StringIO(text))
    data.index = data.index - pd.Timedelta(hours=1)  # labels at interval starts
    frame = data[["ghi", "dni", "dhi", "temp_air", "wind_speed"]]
    mc = build_modelchain(pv, meta["latitude"], meta["longitude"], meta["altitude"],
                          "Asia/Shanghai")
    run_modelchain(mc, frame)
    """
)


def _child(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one child process [s]."""
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _peak_mb(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Peak resident memory of ``cmd`` [MB]: ``ru_maxrss`` of the children of a
    fresh probe process that runs only ``cmd``."""
    probe = (
        "import resource, subprocess, sys; "
        f"subprocess.run({cmd!r}, cwd={str(cwd)!r}, check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
    ).stdout
    return int(out.strip().splitlines()[-1]) / 1024.0


def _env(cache_dir: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if cache_dir is None:
        env["FACTORY_TWIN_CACHE"] = "off"
    else:
        env["FACTORY_TWIN_CACHE"] = "on"
        env["FACTORY_TWIN_CACHE_DIR"] = cache_dir
    return env


def _median(values: list[float]) -> float:
    return statistics.median(values)


def whole_process(root: Path, repeat: int, out: Path, epw: str) -> dict[str, float]:
    """Medians [s] of the whole-process figures of checkout ``root``."""
    twin_cmd = [sys.executable, "-m", "twin.cli", "run", CONFIG, "--out", str(out / "ref")]
    mc_cmd = [
        sys.executable,
        "-c",
        _MODELCHAIN_SCRIPT.format(root=str(ROOT), config=CONFIG, epw=epw),
    ]
    cache = tempfile.mkdtemp(prefix="twin-cache-")
    subprocess.run(twin_cmd, cwd=root, env=_env(cache), check=True, stdout=subprocess.DEVNULL)
    t_cold, t_mc, t_disk = [], [], []
    for _ in range(repeat):
        t_cold.append(_child(twin_cmd, root, _env(None)))
        t_mc.append(_child(mc_cmd, ROOT, _env(None)))
        t_disk.append(_child(twin_cmd, root, _env(cache)))
    return {
        "run": _median(t_cold),
        "modelchain": _median(t_mc),
        "run_disk_cache": _median(t_disk),
        "peak_mb": _peak_mb(twin_cmd, root, _env(None)),
        "modelchain_peak_mb": _peak_mb(mc_cmd, ROOT, _env(None)),
    }


def _timed_peak(root: Path, args: list[str]) -> tuple[float, float]:
    """Wall time [s] and peak memory [MB] of ``python -m twin.cli ARGS``,
    whole process, cold (disk cache off)."""
    cmd = [sys.executable, "-m", "twin.cli", *args]
    t0 = time.perf_counter()
    peak = _peak_mb(cmd, root, _env(None))
    return time.perf_counter() - t0, peak


def minute_year(root: Path, out: Path) -> tuple[float, float]:
    """Wall time [s] and peak memory [MB] of one cold 1-minute year, whole process."""
    return _timed_peak(root, ["run", CONFIG, "--step", "1min", "--out", str(out / "ref_1min")])


_MINUTE_IN_PROCESS = textwrap.dedent(
    """
    import sys, time, warnings
    warnings.simplefilter("ignore")
    import twin
    from twin.run import load_plant_weather
    config = twin.load_config({config!r}, step="1min")
    plant = twin.Plant.build(config)
    weather = load_plant_weather(config)
    t0 = time.perf_counter()
    twin.run(plant, weather=weather)
    print(time.perf_counter() - t0)
    """
)


def minute_in_process(root: Path, repeat: int) -> tuple[float, float]:
    """Medians [s] of one cold 1-minute year in process (a fresh process each:
    config, plant and weather loaded first, then ``twin.run`` timed, numba's
    import and the loading of its cached loops included) and of ``import
    numba`` alone in a fresh process. One untimed run first fills numba's
    cache on disk, as the first 1-minute run of a checkout does."""
    script = [sys.executable, "-c", _MINUTE_IN_PROCESS.format(config=CONFIG)]
    numba = [
        sys.executable,
        "-c",
        "import time; t0 = time.perf_counter(); import numba; print(time.perf_counter() - t0)",
    ]

    def seconds(cmd: list[str]) -> float:
        out = subprocess.run(
            cmd, cwd=root, env=_env(None), check=True, capture_output=True, text=True
        ).stdout
        return float(out.strip().splitlines()[-1])

    seconds(script)
    runs, imports = [], []
    for _ in range(repeat):
        runs.append(seconds(script))
        imports.append(seconds(numba))
    return _median(runs), _median(imports)


def minute_pathway(root: Path, out: Path) -> tuple[float, float]:
    """Wall time [s] and peak memory [MB] of the ledger example's 10-year
    pathway at 1-minute steps (``twin ledger``), whole process, cold."""
    example = "configs/ledger_example.toml"
    return _timed_peak(
        root, ["ledger", example, "--step", "1min", "--out", str(out / "ledger_1min")]
    )


def in_process(repeat: int) -> dict[str, float]:
    """Medians [s] of the in-process figures of this checkout."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ["FACTORY_TWIN_CACHE"] = "off"
    import pandas as pd
    import twin.components.pv as pv_module
    from peers import build_modelchain, run_modelchain

    import twin
    import twin.component as twin_component
    from twin.run import load_plant_weather, weather_on_grid

    config = twin.load_config(ROOT / CONFIG)
    plant = twin.Plant.build(config)
    weather = load_plant_weather(config)
    grid = plant.grid
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
    loc = weather.location
    mc = build_modelchain(
        config.pv[0],
        loc.latitude_deg,
        loc.longitude_deg,
        loc.elevation_m,
        config.simulation.timezone,
    )
    twin.run(plant, weather=weather)
    run_modelchain(mc, frame)

    def clear() -> None:
        pv_module._solar_geometry.cache_clear()
        twin_component._SHARED_MEMO.clear()

    cold, warm, peer = [], [], []
    for _ in range(repeat):
        clear()
        t0 = time.perf_counter()
        twin.run(plant, weather=weather)
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        twin.run(plant, weather=weather)
        warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        run_modelchain(mc, frame)
        peer.append(time.perf_counter() - t0)
    result = {"cold": _median(cold), "warm": _median(warm), "modelchain": _median(peer)}
    result.update(_sweep_reuse(plant, weather, repeat))
    try:
        sys.path.insert(0, str(ROOT / "tests" / "validation"))
        from _pysam_pvwatts import pvwatts_v8_ac_annual_kwh

        epw = _plain_epw(weather.source_path)
        pv = config.pv[0]
        ratio = sum(a.rated_power_dc_kw for a in pv.arrays) / pv.inverter_rated_power_ac_kw

        def pysam() -> None:
            for a in pv.arrays:
                pvwatts_v8_ac_annual_kwh(
                    epw,
                    system_capacity_kw=a.rated_power_dc_kw,
                    dc_ac_ratio=ratio,
                    tilt_deg=a.tilt_deg,
                    azimuth_deg=a.azimuth_deg,
                    mounting=a.mounting,
                    losses_frac=pv.losses_frac,
                    inverter_efficiency_nom_frac=pv.inverter_efficiency_nom_frac,
                )

        times = []
        for _ in range(max(3, repeat // 2)):
            t0 = time.perf_counter()
            pysam()
            times.append(time.perf_counter() - t0)
        result["pysam"] = _median(times)
    except ImportError:
        pass
    result.update(_lines(repeat))
    return result


def _sweep_reuse(plant, weather, repeat: int) -> dict[str, float]:
    """Medians [s] of one scenario as a sweep worker runs it (component reuse
    on, the step loops compiled): the same plant again, and variants whose
    battery capacity differs (the battery, the grid connection and the
    accounting are computed again; the production lines, HVAC and PV are
    reused)."""
    import twin
    from twin.kernels import enable_compiled_kernels
    from twin.simulate import clear_component_memo, component_reuse

    enable_compiled_kernels()
    n = max(repeat, 5)
    variants = [
        twin.Plant.build(
            twin.load_config(ROOT / CONFIG, [f"battery.storage.capacity_kwh={1000 + 10 * i}"])
        )
        for i in range(n + 1)
    ]
    same, variant = [], []
    try:
        with component_reuse():
            clear_component_memo()
            twin.run(variants[0], weather=weather)  # compiles (or loads) the loops
            for i in range(n):
                t0 = time.perf_counter()
                twin.run(plant, weather=weather)
                same.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                twin.run(variants[i + 1], weather=weather)
                variant.append(time.perf_counter() - t0)
    finally:
        enable_compiled_kernels(False)
        clear_component_memo()
    return {"sweep_same": _median(same), "sweep_variant": _median(variant)}


def _lines(repeat: int) -> dict[str, float]:
    """Medians of the CPU time [s] of the three lines: the per-station SimPy
    form against the batch form (same inputs), each line's whole simulation
    (its calendars built, then the discrete-event model) and the
    discrete-event model alone (the time inside ``simulate_line``)."""
    import numpy as np
    import twin.components.production_line as pl
    from twin.components.production_sim import simulate_line

    import twin
    from tests.components._production_reference import simulate_line_per_station
    from twin.component import RunContext, Site

    config = twin.load_config(ROOT / CONFIG)
    plant = twin.Plant.build(config)
    grid = plant.grid
    days = config.calendar.day_types(grid)
    ctx = RunContext(
        grid,
        Site("ref", 31.3, 120.6, 5.0),
        {},
        days,
        None,
        np.random.SeedSequence(config.simulation.seed),
    )
    lines = [c for c in plant.components if isinstance(c, pl.ProductionLine)]
    inside = [0.0]

    def timed(fn):
        def run(*args):
            t0 = time.process_time()
            try:
                return fn(*args)
            finally:
                inside[0] += time.process_time() - t0

        return run

    new, old, new_des, old_des = [], [], [], []
    for _ in range(repeat):
        for fn, out, des in (
            (simulate_line, new, new_des),
            (simulate_line_per_station, old, old_des),
        ):
            pl.simulate_line = timed(fn)
            inside[0] = 0.0
            t0 = time.process_time()
            for c in lines:
                c.simulate(ctx)
            out.append(time.process_time() - t0)
            des.append(inside[0])
    pl.simulate_line = simulate_line
    return {
        "lines_batch": _median(new),
        "lines_per_station": _median(old),
        "des_batch": _median(new_des),
        "des_per_station": _median(old_des),
    }


def _plain_epw(source_path: str) -> str:
    import gzip

    out = Path(tempfile.gettempdir()) / Path(source_path).name.removesuffix(".gz")
    if not out.exists():
        out.write_bytes(gzip.decompress(Path(source_path).read_bytes()))
    return str(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--base",
        type=Path,
        default=None,
        help="another checkout, measured side by side (whole process)",
    )
    parser.add_argument("--no-minute", action="store_true", help="skip the 1-minute year")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    epw = str(ROOT / "weather" / "data" / "CHN_JS_Suzhou.583580_TMYx.epw.gz")
    out = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    load = os.getloadavg()[0]
    print(
        f"reference factory, medians of {args.repeat} alternating runs "
        f"(load average {load:.1f} on {os.cpu_count()} cores at the start)"
    )

    checkouts = [("this checkout", ROOT)] + ([("base", args.base.resolve())] if args.base else [])
    procs = {
        label: whole_process(root, args.repeat, out / label.replace(" ", "_"), epw)
        for label, root in checkouts
    }
    for label, r in procs.items():
        mc = r["modelchain"]
        print(
            f"  [{label}] whole process twin run (disk cache off) {r['run']:6.2f} s"
            f"  = {r['run'] / mc:5.2f} x one ModelChain process ({mc:.2f} s)"
        )
        print(
            f"  [{label}] whole process twin run (disk cache warm) {r['run_disk_cache']:5.2f} s"
            f"  = {r['run_disk_cache'] / mc:5.2f} x"
        )
        print(
            f"  [{label}] peak memory: twin run {r['peak_mb']:6.0f} MB, ModelChain process "
            f"{r['modelchain_peak_mb']:.0f} MB"
        )

    ip = in_process(args.repeat)
    mc = ip["modelchain"]
    print(
        f"  in process, cold (memos and disk cache off) {ip['cold'] * 1e3:7.1f} ms"
        f"  = {ip['cold'] / mc:5.2f} x one ModelChain year ({mc * 1e3:.1f} ms)"
    )
    print(
        f"  in process, run again (kernel memos only) {ip['warm'] * 1e3:7.1f} ms"
        f"  = {ip['warm'] / mc:5.2f} x"
    )
    print(
        f"  sweep reuse, the same plant again         {ip['sweep_same'] * 1e3:7.1f} ms"
        f"  = {ip['sweep_same'] / mc:5.2f} x"
    )
    print(
        f"  sweep reuse, a battery-capacity variant   {ip['sweep_variant'] * 1e3:7.1f} ms"
        f"  = {ip['sweep_variant'] / mc:5.2f} x"
    )
    if "pysam" in ip:
        print(
            f"  PySAM PVWatts v8, the same arrays          {ip['pysam'] * 1e3:7.1f} ms"
            f"  = {ip['pysam'] / mc:5.2f} x ModelChain; twin cold = "
            f"{ip['cold'] / ip['pysam']:.2f} x PySAM"
        )
    print(
        f"  production lines, CPU: per-station SimPy {ip['lines_per_station'] * 1e3:6.1f} ms,"
        f" batch {ip['lines_batch'] * 1e3:6.1f} ms"
        f" = {ip['lines_per_station'] / ip['lines_batch']:.2f} x cheaper"
    )
    print(
        f"    the discrete-event model alone: per-station {ip['des_per_station'] * 1e3:6.1f} ms,"
        f" batch {ip['des_batch'] * 1e3:6.1f} ms"
        f" = {ip['des_per_station'] / ip['des_batch']:.2f} x cheaper"
    )
    if not args.no_minute:
        for label, root in checkouts:
            # first: its untimed run fills numba's cache for the whole-process year
            run, numba = minute_in_process(root, max(3, args.repeat // 2))
            t, peak = minute_year(root, out / label.replace(" ", "_"))
            mc_proc = procs[label]["modelchain"]
            print(
                f"  [{label}] 1-minute year, whole process, cold: {t:6.2f} s"
                f" = {t / mc_proc:5.1f} x one ModelChain process (hourly), peak {peak:.0f} MB"
            )
            print(
                f"  [{label}] 1-minute year, in process, cold (after loading config, plant and"
                f" weather): {run:5.2f} s, of which numba's import about {numba:4.2f} s"
            )
            t, peak = minute_pathway(root, out / label.replace(" ", "_"))
            print(
                f"  [{label}] 10-year pathway at 1-minute steps (ledger example), whole process:"
                f" {t:6.2f} s, peak {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
