"""The ``twin`` command line.

User errors (bad config, missing file, unknown site) print one message and
exit with status 2, without a traceback. Results are written atomically.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

from twin.errors import ConfigError, ConsistencyError

__all__ = ["main"]

EXIT_USER_ERROR = 2

_EXAMPLES = """examples:
  twin run configs/reference_factory.toml
  twin run configs/reference_factory.toml --step 15min --out out/ref_15min
  twin run configs/reference_factory.toml --set battery.storage.capacity_kwh=2000
  twin run configs/reference_factory.toml --weather shanghai-cswd
  twin validate configs/reference_factory.toml
  twin weather list
"""

_SUMMARY_ROWS = (
    ("electricity_use_kwh", "Electricity use", "MWh", 1e-3),
    ("pv_ac_kwh", "PV production (AC)", "MWh", 1e-3),
    ("pv_self_consumed_kwh", "PV self-consumed", "MWh", 1e-3),
    ("pv_curtailed_kwh", "PV curtailed", "MWh", 1e-3),
    ("grid_import_kwh", "Grid import", "MWh", 1e-3),
    ("grid_export_kwh", "Grid export", "MWh", 1e-3),
    ("peak_import_kw", "Peak import", "kW", 1.0),
    ("battery_discharge_kwh", "Battery discharge", "MWh", 1e-3),
    ("battery_loss_kwh", "Battery losses", "MWh", 1e-3),
    ("self_sufficiency_frac", "Self-sufficiency", "%", 100.0),
    ("renewable_share_frac", "Renewable share (location-based)", "%", 100.0),
    ("energy_cost_cny", "Energy charge", "kCNY", 1e-3),
    ("demand_cost_cny", "Demand charge", "kCNY", 1e-3),
    ("capacity_cost_cny", "Capacity charge", "kCNY", 1e-3),
    ("export_revenue_cny", "Export revenue", "kCNY", 1e-3),
    ("total_cost_cny", "Total electricity cost", "kCNY", 1e-3),
    ("scope1_tco2", "Scope 1", "t CO2", 1.0),
    ("scope2_location_tco2", "Scope 2 (location-based)", "t CO2", 1.0),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twin",
        description="factory-twin: hourly energy, cost and CO2 of a factory for a year.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("config", help="plant config (TOML)")
        p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                       help="change a config value, e.g. battery[0].capacity_kwh=2000 "
                            "(list items by index or name); repeatable")
        p.add_argument("--weather", metavar="SITE_OR_FILE",
                       help="bundled site id or EPW/TMY3 file replacing the config's weather")
        p.add_argument("--step", metavar="STEP", help="step length, e.g. 1h, 15min, 1min")

    p_run = sub.add_parser(
        "run", help="simulate a plant for a year and write its results",
        description="Simulate a plant for a year; print the annual summary and write "
                    "hourly.parquet, hourly.csv, monthly.csv and summary.json.",
        epilog="example:\n  twin run configs/reference_factory.toml --out out/ref",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_run)
    p_run.add_argument("--out", metavar="DIR", help="output folder (default: out/<config name>)")

    p_val = sub.add_parser(
        "validate", help="check a config without running it",
        description="Validate a config: fields, presets, plant consistency and input files.",
        epilog="example:\n  twin validate configs/reference_factory.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_val)

    p_w = sub.add_parser(
        "weather", help="bundled weather files",
        epilog="examples:\n  twin weather list\n  twin weather check suzhou-tmyx",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    wsub = p_w.add_subparsers(dest="weather_command", metavar="ACTION")
    wsub.add_parser("list", help="list the bundled typical-year weather files",
                    epilog="example:\n  twin weather list",
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    p_check = wsub.add_parser("check", help="read a weather file and report what the checks find",
                              epilog="example:\n  twin weather check shanghai-cswd",
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p_check.add_argument("source", help="bundled site id or file path")
    return parser


def _print_summary(name: str, summary: dict, elapsed_s: float, out: Path | None) -> None:
    width = max(len(label) for _, label, _, _ in _SUMMARY_ROWS)
    print(f"{name}: annual summary")
    for key, label, unit, scale in _SUMMARY_ROWS:
        value = summary.get(key)
        if value is None:
            continue
        print(f"  {label:<{width}}  {value * scale:>14,.1f} {unit}")
    for text in summary.get("warnings", []):
        print(f"  warning: {text}")
    prov = summary["provenance"]
    print(f"  config {prov['config_hash'][:12]}  weather {prov['weather']['sha256'][:12]}  "
          f"seed {prov['seed']}  ({elapsed_s * 1000:.0f} ms)")
    if out is not None:
        print(f"results written to {out}/")


def _cmd_run(args: argparse.Namespace, validate_only: bool) -> int:
    from twin.config import load_config
    from twin.plant import Plant
    from twin.run import load_plant_weather, run

    config = load_config(args.config, args.overrides, weather=args.weather, step=args.step)
    plant = Plant.build(config)
    weather = load_plant_weather(config)
    if validate_only:
        print(f"{args.config}: valid ({len(plant.components)} components, "
              f"{plant.grid.n_steps} steps of {plant.grid.step_s} s, weather {weather.source_path})")
        for issue in weather.issues:
            if issue.severity != "info":
                print(f"  {issue.severity}: {issue.message}")
        return 0
    t0 = time.perf_counter()
    results = run(plant, weather=weather)
    elapsed = time.perf_counter() - t0
    out = Path(args.out) if args.out else Path("out") / Path(args.config).stem
    results.write(out)
    _print_summary(config.plant.name, results.summary, elapsed, out)
    return 0


def _cmd_weather(args: argparse.Namespace) -> int:
    import weather as wx

    if args.weather_command == "check":
        w = wx.load_weather(args.source)
        loc = w.location
        print(f"{w.source_path}\n  {loc.name} ({loc.station_id}) {loc.latitude_deg:.3f}°, "
              f"{loc.longitude_deg:.3f}°, {loc.elevation_m:.0f} m, UTC{loc.tz_offset_h:+g}")
        print(f"  data kind {w.data_kind}; irradiance centre - solar noon: "
              f"{w.timing_offset_min:+.0f} min")
        for issue in w.issues:
            print(f"  {issue.severity}: {issue.message}")
        return 0
    sites = wx.list_sites()
    cols = ["site", "city", "province", "data_kind", "latitude_deg", "longitude_deg",
            "noted_timing_offset_min"]
    print(sites[cols].to_string(index=False))
    print("\nAttribution: see weather/data/SOURCES.md (CSWD: China Meteorological Administration "
          "& Tsinghua University; TMYx: Climate.OneBuilding.Org; TMY3: NREL).")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``twin`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.command is None or (args.command == "weather" and args.weather_command is None):
        parser.print_help()
        return EXIT_USER_ERROR

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {message}", file=sys.stderr)

    warnings.showwarning = show
    import weather as wx

    try:
        if args.command == "weather":
            return _cmd_weather(args)
        return _cmd_run(args, validate_only=args.command == "validate")
    except (ConfigError, ConsistencyError, wx.WeatherError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
