"""The ``twin`` command line.

User errors (bad config, missing file, unknown site) print one message and
exit with status 2, without a traceback. Results are written atomically.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from twin.errors import ConfigError, ConsistencyError

if TYPE_CHECKING:
    from twin.accounting.ledger import Ledger
    from twin.pathway import Pathway

__all__ = ["main"]

EXIT_USER_ERROR = 2

_EXAMPLES = """examples:
  twin run configs/reference_factory.toml
  twin run configs/reference_factory.toml --step 15min --out out/ref_15min
  twin run configs/reference_factory.toml --set battery.storage.capacity_kwh=2000
  twin run configs/reference_factory.toml --weather shanghai-cswd
  twin validate configs/reference_factory.toml
  twin ledger configs/ledger_example.toml --out out/ledger_example
  twin compare experiments/pv_storage_sizing.toml --report
  twin report out/reference_factory
  twin fields grid_connection
  twin measures leak_repair
  twin sweep experiments/pv_battery_sweep.toml --out out/pv_battery_sweep
  twin sweep-report out/pv_battery_sweep
  twin report out/pv_battery_sweep
  twin run configs/reference_factory.toml --weather-years data/nsrdb_2017.csv data/nsrdb_2023.csv
  twin mv experiments/mv/audit_reference_factory/case.toml --out out/audit --report
  twin claim experiments/mv/claims_reference_factory.toml --out out/claims --report
  twin weather list
  twin weather compare shanghai-cswd shanghai-tmyx
"""

_SUMMARY_ROWS = (
    ("electricity_use_kwh", "Electricity use", "MWh", 1e-3),
    ("onsite_generation_kwh", "On-site generation", "MWh", 1e-3),
    ("pv_ac_kwh", "PV production (AC)", "MWh", 1e-3),
    ("pv_self_consumed_kwh", "PV self-consumed", "MWh", 1e-3),
    ("pv_curtailed_kwh", "PV curtailed", "MWh", 1e-3),
    ("grid_import_kwh", "Grid import", "MWh", 1e-3),
    ("grid_export_kwh", "Grid export", "MWh", 1e-3),
    ("peak_import_kw", "Peak import", "kW", 1.0),
    ("battery_discharge_kwh", "Battery discharge", "MWh", 1e-3),
    ("battery_loss_kwh", "Battery losses", "MWh", 1e-3),
    ("self_sufficiency_frac", "Self-sufficiency", "%", 100.0),
    ("renewable_share_frac", "Renewable share", "%", 100.0),
    ("energy_cost_cny", "Energy charge", "kCNY", 1e-3),
    ("demand_cost_cny", "Demand charge", "kCNY", 1e-3),
    ("capacity_cost_cny", "Capacity charge", "kCNY", 1e-3),
    ("export_revenue_cny", "Export revenue", "kCNY", 1e-3),
    ("total_cost_cny", "Total electricity cost", "kCNY", 1e-3),
    ("fuel_cost_cny", "Fuel and heat bills", "kCNY", 1e-3),
    ("scope1_tco2", "Scope 1", "t CO2e", 1.0),
    ("scope2_location_tco2", "Scope 2 (location-based)", "t CO2e", 1.0),
    ("scope2_market_tco2", "Scope 2 (market-based)", "t CO2e", 1.0),
    ("scope3_tco2", "Scope 3", "t CO2e", 1.0),
    ("removals_tco2", "Removals", "t CO2e", 1.0),
    ("offsets_tco2", "Offsets applied", "t CO2e", 1.0),
    ("net_tco2", "Net emissions", "t CO2e", 1.0),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twin",
        description="factory-twin: hourly energy, cost and CO2 of a factory for a year.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    parser.add_argument("--version", action="version", version=f"factory-twin {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("config", help="plant config (TOML)")
        p.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="PATH=VALUE",
            help="change a config value, e.g. battery[0].capacity_kwh=2000 "
            "(list items by index or name); repeatable",
        )
        p.add_argument(
            "--weather",
            metavar="SITE_OR_FILE",
            help="bundled site id or EPW/TMY3 file replacing the config's weather",
        )
        p.add_argument("--step", metavar="STEP", help="step length, e.g. 1h, 15min, 1min")

    p_run = sub.add_parser(
        "run",
        help="simulate a plant for a year and write its results",
        description="Simulate a plant for a year; print the annual summary and write "
        "hourly.parquet, hourly.csv, monthly.csv, balance.csv, summary.json, "
        "inventory.csv and, "
        "with a [ledger] section, neutrality.csv and ceca_readiness.csv; with "
        "--report also report.html.",
        epilog="example:\n  twin run configs/reference_factory.toml --out out/ref",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_run)
    p_run.add_argument("--out", metavar="DIR", help="output folder (default: out/<config name>)")
    p_run.add_argument("--report", action="store_true", help="also write report.html (twin report)")
    p_run.add_argument(
        "--weather-years",
        nargs="+",
        metavar="DIR_OR_FILE",
        help="also run each actual weather year in these files or folders (a "
        "multi-year file is split into its years); prints P90/P50/P10 and "
        "the worst year beside the typical year and writes weather_years.csv",
    )

    p_val = sub.add_parser(
        "validate",
        help="check a config without running it",
        description="Validate a config: fields, presets, plant consistency and input files.",
        epilog="example:\n  twin validate configs/reference_factory.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_val)

    p_led = sub.add_parser(
        "ledger",
        help="simulate a plant and print its carbon inventory",
        description="Simulate a plant for a year and print its GHG inventory (one row per source, "
        "with factor and factor source), the ISO 14068-1 neutrality statement, "
        "T/CECA-G 0171-2022 readiness and, with [ledger.pathway], the multi-year pathway. "
        "With --out, write the results, inventory.csv, neutrality.csv, "
        "ceca_readiness.csv and pathway.csv.",
        epilog="examples:\n  twin ledger configs/ledger_example.toml\n"
        "  twin ledger configs/reference_factory.toml --out out/ref_ledger",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_led)
    p_led.add_argument("--out", metavar="DIR", help="also write the results and ledger tables here")
    p_led.add_argument("--no-pathway", action="store_true", help="skip the multi-year pathway")

    p_cmp = sub.add_parser(
        "compare",
        help="simulate an experiment's variants and compare them with the base",
        description="Simulate the base plant and every variant of an experiment (measures and "
        "patches; packages simulated, not summed) and print and write one row per "
        "variant: energy per carrier, peak, cost, scope 1 and 2, deltas, capex, "
        "payback, NPV, IRR and abatement cost; macc.csv and interactions.csv too.",
        epilog="example:\n  twin compare experiments/pv_storage_sizing.toml --out out/pv_storage",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_cmp.add_argument("experiment", help="experiment file (TOML)")
    p_cmp.add_argument(
        "--out", metavar="DIR", help="output folder (default: out/<experiment name>)"
    )
    p_cmp.add_argument("--workers", type=int, metavar="N", help="processes (default: up to 2)")
    p_cmp.add_argument("--report", action="store_true", help="also write report.html (twin report)")

    p_rep = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a result folder",
        description="Write one self-contained HTML page (opens offline: styles and charts inline, "
        "no script, no request) of a result folder: a run's (twin run), a comparison's "
        "(twin compare), a sweep's store (twin sweep), an M&V case's (twin mv) or a claims "
        "check's (twin claim --out). The kind is read from the folder's files.",
        epilog="examples:\n  twin report out/reference_factory\n"
        "  twin report out/pv_storage_sizing --out pv_storage.html\n"
        "  twin report out/pv_battery_sweep\n  twin report out/audit",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_rep.add_argument(
        "result",
        metavar="RESULT_DIR",
        help="folder written by twin run, compare, sweep, mv or claim --out",
    )
    p_rep.add_argument(
        "--out", metavar="FILE", help="page to write (default: RESULT_DIR/report.html)"
    )

    p_fld = sub.add_parser(
        "fields",
        help="list the fields of a config table (type, unit, default, bounds)",
        description="Print every field of a config table, or of all tables, from the schema: "
        "type, unit, default, bounds and description.",
        epilog="examples:\n  twin fields\n  twin fields battery\n"
        "  twin fields --markdown > docs/config-reference.md",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_fld.add_argument(
        "table", nargs="?", metavar="TABLE", help="config table, e.g. pv, battery, simulation"
    )
    p_fld.add_argument(
        "--markdown",
        action="store_true",
        help="print the whole reference as Markdown (docs/config-reference.md)",
    )

    p_mes = sub.add_parser(
        "measures",
        help="list the measure library with each measure's arguments",
        description="Print every measure of the library (or one) with its arguments: type, unit, "
        "default, bounds and description.",
        epilog="examples:\n  twin measures\n  twin measures vsd_trim_compressor",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_mes.add_argument("measure", nargs="?", metavar="NAME", help="one measure")

    p_cmp.add_argument(
        "--resume",
        action="store_true",
        help="continue a killed compare: reuse the variants stored in DIR/scenarios",
    )

    p_sw = sub.add_parser(
        "sweep",
        help="run a sweep's design (grid, LHS, Sobol, Monte Carlo) into a durable store",
        description="Run every scenario of a sweep file on local processes or a Dask cluster; "
        "each finished scenario is written to DIR (Parquet rows under results/, an "
        "SQLite catalogue with status, error, seconds and worker), so a killed sweep "
        "resumes with --resume. Designs above 2,000 scenarios need --yes.",
        epilog="examples:\n  twin sweep experiments/pv_battery_sweep.toml --out out/pv_battery_sweep\n"
        "  twin sweep experiments/pv_battery_sweep.toml --out out/pv_battery_sweep --resume\n"
        "  twin sweep experiments/factory_sweep.toml --out out/fs --scheduler tcp://10.0.0.5:8786",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_sw.add_argument("sweep", help="sweep file (TOML)")
    p_sw.add_argument("--out", metavar="DIR", help="store folder (default: out/<sweep name>)")
    p_sw.add_argument(
        "--workers", type=int, metavar="N", help="local processes (default: CPU count)"
    )
    p_sw.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler tcp://HOST:PORT (pip install 'factory-twin[dask]')",
    )
    p_sw.add_argument("--resume", action="store_true", help="continue the store in DIR")
    p_sw.add_argument("--yes", action="store_true", help="run a design above the size limit")
    p_sw.add_argument(
        "--report", action="store_true", help="also write DIR/report.html (twin report)"
    )

    p_swr = sub.add_parser(
        "sweep-report",
        help="Pareto front, sensitivity and best scenarios of a sweep store",
        description="Read a sweep store and print and write (DIR/report/) the Pareto front of the "
        "first two objectives, the best scenarios under the constraints, and the "
        "sensitivity the design allows (Sobol' indices, one-at-a-time swings or rank "
        "correlations).",
        epilog="example:\n  twin sweep-report out/pv_battery_sweep",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_swr.add_argument("store", metavar="DIR", help="store folder written by twin sweep")

    p_sch = sub.add_parser(
        "schedule",
        help="choose a line's shift start times by MILP and simulate them",
        description="Choose the start hours of a production line's workday shifts (the same every "
        "workday) that minimise the cost or emissions of its electricity in a week, "
        "subject to the output it must deliver; then simulate the plant with them and "
        "report the optimiser's estimate beside the simulated result.",
        epilog="example:\n  twin schedule configs/reference_factory.toml --line stamping",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_sch)
    p_sch.add_argument("--line", required=True, help="production line to reschedule")
    p_sch.add_argument("--objective", choices=["cost", "emissions"], default="cost")
    p_sch.add_argument(
        "--week", metavar="YYYY-MM-DD", help="Monday of the week (default: first in July)"
    )
    p_sch.add_argument("--max-shifts", type=int, metavar="N", help="workday shifts allowed")
    p_sch.add_argument("--out", metavar="DIR", help="write the results of the chosen schedule here")

    p_mv = sub.add_parser(
        "mv",
        help="measurement and verification of savings from meter data (IPMVP options C and D)",
        description="Read a case file (meter, temperature, drivers, baseline and reporting periods, model, "
        "adjustments, claim), fit or choose the baseline, and report the ASHRAE Guideline 14 "
        "statistics, avoided energy with its intervals and FSU, normalised savings, carbon and the "
        "verdict; write mv.json and series.csv (baseline vs actual per hour, day or bill).",
        epilog="example:\n  twin mv experiments/mv/audit_reference_factory/case.toml --out out/audit --report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_mv.add_argument("case", help="M&V case file (TOML)")
    p_mv.add_argument("--out", metavar="DIR", help="output folder (default: out/<case name>)")
    p_mv.add_argument(
        "--report", action="store_true", help="also write DIR/report.html (twin report)"
    )

    p_claim = sub.add_parser(
        "claim",
        help="check stated figures against the twin under uncertainty",
        description="Check each [[claim]] of a claims file (a summary quantity of a plant, a measure's saving, "
        "or tonnes of CO2 for a stated energy) against the twin's distribution or the published "
        "grid factors; print the verdict, P10/P50/P90 and the reason for each.",
        epilog="example:\n  twin claim experiments/mv/claims_reference_factory.toml --out out/claims",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_claim.add_argument("file", help="claims file (TOML)")
    p_claim.add_argument("--out", metavar="DIR", help="also write claims.json and claims.csv here")
    p_claim.add_argument(
        "--report",
        action="store_true",
        help="also write report.html beside claims.json (in --out, default out/<file name>)",
    )
    p_claim.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes running each claim's draws (default 1)",
    )

    p_w = sub.add_parser(
        "weather",
        help="bundled weather files",
        epilog="examples:\n  twin weather list\n  twin weather check suzhou-tmyx",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    wsub = p_w.add_subparsers(dest="weather_command", metavar="ACTION")
    wsub.add_parser(
        "list",
        help="list the bundled typical-year weather files",
        epilog="example:\n  twin weather list",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_check = wsub.add_parser(
        "check",
        help="read a weather file and list every problem the checks find (exit 2 on errors)",
        epilog="examples:\n  twin weather check shanghai-cswd\n"
        "  twin weather check site.epw --correct-timing",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_check.add_argument("source", help="bundled site id or file path")
    p_check.add_argument(
        "--correct-timing",
        action="store_true",
        help="check as a run with correct_timing = true would use it",
    )
    p_check.add_argument(
        "--accept-timing-offset",
        action="store_true",
        help="check as a run with accept_timing_offset = true would use it",
    )
    p_wcmp = wsub.add_parser(
        "compare",
        help="two weather sources side by side, with the PV yield each gives",
        description="Monthly global horizontal irradiation and mean air temperature of two "
        "weather sources, and the AC yield of a 1 kWp reference array (the twin's PV "
        "component, PVWatts v8 chain; tilt = latitude, facing the equator) on each.",
        epilog="example:\n  twin weather compare shanghai-cswd shanghai-tmyx",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_wcmp.add_argument("a", help="bundled site id or file path")
    p_wcmp.add_argument("b", help="bundled site id or file path")
    p_wcmp.add_argument(
        "--correct-timing",
        action="store_true",
        help="shift each source's irradiance by its measured timing offset",
    )
    return parser


def _version() -> str:
    from twin._version import __version__

    return __version__


_ZERO_PRICED = (
    ("demand_charge_cny_per_kw_month", "demand charge"),
    ("capacity_charge_cny_per_kva_month", "capacity charge"),
    ("fixed_price_cny_per_kwh", "fixed part of the energy price"),
    ("export_price_cny_per_kwh", "export price"),
)


def _zero_priced(config) -> list[str]:
    """Tariff parts the config leaves at their zero default (or sets to zero)."""
    grid = getattr(config, "grid_connection", None)
    if grid is None:
        return []
    tariff = grid.tariff
    parts = [label for field, label in _ZERO_PRICED if getattr(tariff, field, None) == 0]
    if "demand charge" in parts and "capacity charge" in parts:
        parts.remove("capacity charge")
        parts[parts.index("demand charge")] = "demand and capacity charges"
    elif "demand charge" in parts or "capacity charge" in parts:
        # a two-part tariff bills one basic charge, not both
        parts = [p for p in parts if p not in ("demand charge", "capacity charge")]
    return parts


def _unmet_lines(summary: dict, hourly) -> list[str]:
    """Demand not supplied, per bus, from the summary and the hourly frame."""
    from twin.report.folder import unmet_energy

    lines = []
    for bus, amount, unit in unmet_energy(hourly):
        if amount > 1e-6:
            lines.append(f"{bus}: {amount:,.1f} {unit} of demand not supplied")
    for name, comp in summary.get("components", {}).items():
        for mode in ("heating", "cooling"):
            hours = comp.get(f"unmet_{mode}_h") or 0.0
            if hours > 0:
                lines.append(f"zone {name}: {hours:,.0f} h with unmet {mode}")
    return lines


def _print_summary(
    name: str,
    summary: dict,
    elapsed_s: float,
    out: Path | None,
    *,
    zero_priced: Sequence[str] = (),
    unmet: Sequence[str] = (),
) -> None:
    width = max(len(label) for _, label, _, _ in _SUMMARY_ROWS)
    print(f"{name}: annual summary")
    for key, label, unit, scale in _SUMMARY_ROWS:
        value = summary.get(key)
        if value is None:
            continue
        print(f"  {label:<{width}}  {value * scale:>14,.1f} {unit}")
        if key == "electricity_use_kwh":
            unmet_kwh = summary.get("unmet_kwh", 0.0) or 0.0
            flag = "  <- demand above the import limit" if unmet_kwh > 0 else ""
            print(f"  {'Unmet electricity':<{width}}  {unmet_kwh * 1e-3:>14,.1f} MWh{flag}")
    for text in unmet:
        print(f"  UNMET: {text}")
    if zero_priced:
        print(
            f"  note: priced at zero in the tariff: {', '.join(zero_priced)}; "
            "set them in [grid_connection.tariff] from your bill (twin fields grid_connection)"
        )
    for text in summary.get("warnings", []):
        print(f"  warning: {text}")
    for text in summary.get("notes", []):
        print(f"  note: {text}")
    prov = summary["provenance"]
    kind = prov["weather"].get("data_kind")
    print(
        f"  config {prov['config_hash'][:12]}  weather {prov['weather']['sha256'][:12]} "
        f"({kind})  seed {prov['seed']}  ({elapsed_s * 1000:.0f} ms)"
    )
    if kind == "synthetic":
        print("  weather: SYNTHETIC year from monthly means (not measured weather)")
    if out is not None:
        print(f"results written to {out}/")


def _cmd_run(args: argparse.Namespace, validate_only: bool) -> int:
    from twin.config import load_config
    from twin.plant import Plant
    from twin.run import run
    from twin.weather_years import load_config_weather

    config = load_config(args.config, args.overrides, weather=args.weather, step=args.step)
    plant = Plant.build(config)
    weather = load_config_weather(config)
    if validate_only:
        if config.ledger is not None and config.ledger.pathway is not None:
            from twin.pathway import validate_pathway

            validate_pathway(config)
        print(
            f"{args.config}: valid ({len(plant.components)} components, "
            f"{plant.grid.n_steps} steps of {plant.grid.step_s} s, weather {weather.source_path})"
        )
        for issue in weather.issues:
            if issue.severity != "info":
                print(f"  {issue.severity}: {issue.message}")
        return 0
    t0 = time.perf_counter()
    results = run(plant, weather=weather)
    elapsed = time.perf_counter() - t0
    out = Path(args.out) if args.out else Path("out") / Path(args.config).stem
    tables = None
    spread = None
    if getattr(args, "weather_years", None):
        from twin.weather_years import load_weather_years, run_weather_years

        wc = config.weather
        years = load_weather_years(
            args.weather_years,
            correct_timing=wc.correct_timing,
            accept_timing_offset=wc.accept_timing_offset,
            csv=wc.csv.model_dump() if wc.csv is not None else None,
            relative_humidity_frac=wc.relative_humidity_frac,
        )
        spread = run_weather_years(config, years, typical=weather)
        tables = {"weather_years.csv": spread.table, "weather_years_stats.csv": spread.stats}
    results.write(out, tables=tables)
    report = _report(out) if args.report else None
    _print_summary(
        config.plant.name,
        results.summary,
        elapsed,
        out,
        zero_priced=_zero_priced(config),
        unmet=_unmet_lines(results.summary, results.hourly),
    )
    if spread is not None:
        _print_weather_years(spread)
    if report is not None:
        print(f"report written to {report}")
    return 0


def _report(result_dir: Path, out: str | None = None) -> Path:
    from twin.report import build_report

    return build_report(result_dir, out)


def _cmd_report(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    path = _report(Path(args.result), args.out)
    print(
        f"report written to {path} ({path.stat().st_size / 1e6:.1f} MB, "
        f"{time.perf_counter() - t0:.1f} s)"
    )
    return 0


def _cmd_fields(args: argparse.Namespace) -> int:
    from twin.config import fields

    if args.markdown:
        sys.stdout.write(fields.markdown())
        return 0
    sys.stdout.write(fields.text(args.table))
    return 0


def _cmd_measures(args: argparse.Namespace) -> int:
    """The measure library with every argument (type, unit, default, bounds)."""
    from twin.config.fields import field_lines, model_field_docs
    from twin.measures import MEASURES

    if args.measure is not None and args.measure not in MEASURES:
        msg = f"unknown measure {args.measure!r}; the measure library has: {', '.join(sorted(MEASURES))}"
        raise ConfigError(msg)
    lines: list[str] = []
    for key in sorted(MEASURES) if args.measure is None else [args.measure]:
        model, _, summary = MEASURES[key]
        lines.append(f"{key}: {summary}")
        lines.extend(field_lines(model_field_docs(key, model)))
        lines.append("")
    lines.append('use in an experiment: measures = [{measure = "NAME", ARGUMENT = VALUE, ...}]')
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


_SPREAD_ROWS = (
    ("ghi_kwh_per_m2", "GHI", "kWh/m²", 1.0),
    ("pv_ac_kwh", "PV production (AC)", "MWh", 1e-3),
    ("grid_import_kwh", "Grid import", "MWh", 1e-3),
    ("total_cost_cny", "Electricity cost", "kCNY", 1e-3),
    ("scope2_location_tco2", "Scope 2 (location)", "t CO2e", 1.0),
    ("self_sufficiency_frac", "Self-sufficiency", "%", 100.0),
)


def _print_weather_years(spread) -> None:
    actual = spread.actual
    years = ", ".join(str(int(y)) for y in actual["year"])
    print(
        f"\nweather years ({len(actual)}: {years}) beside the typical year "
        "(P90 = reached in 90 % of years)"
    )
    head = (
        f"  {'':<20}{'unit':<8}{'typical':>12}{'P90':>12}{'P50':>12}{'P10':>12}"
        f"{'worst':>12}  worst year"
    )
    print(head)
    stats = spread.stats.set_index("quantity")
    for key, label, unit, scale in _SPREAD_ROWS:
        if key not in stats.index:
            continue
        r = stats.loc[key]
        cells = "".join(
            f"{r[c] * scale:>12,.1f}" for c in ("typical", "p90", "p50", "p10", "worst")
        )
        print(f"  {label:<20}{unit:<8}{cells}  {int(r['worst_year'])}")
    for row in actual.itertuples():
        print(f"  {int(row.year)}: {row.data_kind}, {row.source}")


def _fmt(value: float, unit: str = "") -> str:
    if value != value:  # NaN: not computable or a text line
        return "-"
    if unit in ("-", "frac"):
        return f"{value * 100:.1f} %"
    return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.1f}"


def _print_ledger(name: str, ledger: Ledger, pathway: Pathway | None) -> None:
    cfg = ledger.config
    inv = ledger.inventory
    state = "" if ledger.configured else " (no [ledger] section: defaults)"
    print(f"{name}: carbon inventory, reporting year {cfg.reporting_year}{state}")
    boundary = "Type II (scope 1 + 2 + 3)" if cfg.boundary == "type_ii" else "Type I (scope 1 + 2)"
    print(
        f"  boundary {boundary}, claim on scope 2 {cfg.scope2_basis}-based, "
        f"fuel factors {cfg.fuel_factors}, GWP-100 {cfg.gwp_set.upper()}"
    )
    sources: list[str] = []
    header = (
        f"  {'scope':<6}{'category':<31}{'basis':<9}{'source':<18}{'quantity':>16} {'unit':<6}"
        f"{'factor':>12} {'factor unit':<15}{'t CO2e':>13}  ref"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in inv.rows:
        if r.factor_source not in sources:
            sources.append(r.factor_source)
        ref = sources.index(r.factor_source) + 1
        print(
            f"  {r.scope:<6}{r.category[:30]:<31}{r.basis:<9}{r.source[:17]:<18}{r.quantity:>16,.1f} "
            f"{r.unit:<6}{r.factor:>12.6g} {r.factor_unit:<15}{r.tco2e:>13,.3f}  [{ref}]"
        )
    print("  " + "-" * (len(header) - 2))
    print(
        f"  scope 1 {inv.scope1_tco2:,.3f} t; scope 2 location-based {inv.scope2_location_tco2:,.3f} t, "
        f"market-based {inv.scope2_market_tco2:,.3f} t; scope 3 {inv.scope3_tco2:,.3f} t CO2e"
    )
    print("  factor sources:")
    for i, text in enumerate(sources, 1):
        print(f"  [{i}] {text}")
    print("\nneutrality (ISO 14068-1 order: reductions, removals, offsets)")
    for r in ledger.neutrality.rows:
        if r.step == "notes":
            continue
        value = (
            ""
            if r.value != r.value
            else f"{_fmt(r.value, r.unit)} {'' if r.unit == '-' else r.unit}"
        )
        note = f"  ({r.note})" if r.note else ""
        print(f"  {r.step:<13}{r.item:<55}{value:>22}{note}")
    print("\nT/CECA-G 0171-2022 readiness")
    for section, item, value, unit, note in ledger.readiness.rows:
        if section == "indicator":
            print(f"  indicator    {item:<32}{_fmt(value, unit):>20} {'' if unit == '-' else unit}")
        else:
            shown = "" if value != value else f" {_fmt(value, unit)}"
            print(f"  {section:<13}{item}{shown}: {note}")
    if ledger.notes:
        print("\nnotes")
        for text in ledger.notes:
            print(f"  - {text}")
    if pathway is not None:
        f = pathway.frame
        print(
            f"\npathway {int(f.year.iloc[0])}-{int(f.year.iloc[-1])} ({pathway.simulations} distinct "
            f"plant(s) simulated, {pathway.elapsed_s:.2f} s)"
        )
        print(
            f"  {'year':<6}{'emissions t':>14}{'residual t':>14}{'offset CNY/t':>14}{'offset cost CNY':>17}"
            f"{'renewable':>11}  measures"
        )
        for row in f.itertuples():
            print(
                f"  {row.year:<6}{row.emissions_tco2:>14,.1f}{row.residual_tco2:>14,.1f}"
                f"{row.offset_price_cny_per_t:>14,.1f}{row.offset_cost_cny:>17,.0f}"
                f"{row.renewable_share_frac * 100:>10.1f}%  {row.measures or '-'}"
            )


def _cmd_ledger(args: argparse.Namespace) -> int:
    from twin.config import load_config
    from twin.pathway import run_pathway
    from twin.run import run
    from twin.weather_years import load_config_weather

    config = load_config(args.config, args.overrides, weather=args.weather, step=args.step)
    weather = load_config_weather(config)
    results = run(config, weather=weather)
    pathway = None
    if not args.no_pathway and config.ledger is not None and config.ledger.pathway is not None:
        pathway = run_pathway(config, weather=weather, results=results)
    out = None
    if args.out:  # written before printing: a reader that stops early (| head) cannot skip it
        tables = {"pathway.csv": pathway.frame} if pathway is not None else None
        out = results.write(args.out, tables=tables)
    _print_ledger(config.plant.name, results.ledger, pathway)
    if out is not None:
        print(f"results written to {out}/")
    return 0


_COMPARE_COLUMNS = (
    ("variant", "variant", "{}"),
    ("grid_import_kwh", "import MWh", "{:,.0f}"),
    ("gas_use_nm3", "gas kNm³", "{:,.1f}"),
    ("peak_import_kw", "peak kW", "{:,.0f}"),
    ("total_cost_cny", "cost kCNY", "{:,.0f}"),
    ("delta_cost_cny", "Δcost kCNY", "{:+,.0f}"),
    ("emissions_tco2", "tCO2", "{:,.0f}"),
    ("delta_emissions_tco2", "ΔtCO2", "{:+,.0f}"),
    ("capex_cny", "capex kCNY", "{:,.0f}"),
    ("simple_payback_years", "payback yr", "{:.1f}"),
    ("npv_cny", "NPV kCNY", "{:,.0f}"),
    ("irr_frac", "IRR %", "{:.1f}"),
    ("abatement_cost_cny_per_tco2", "CNY/tCO2", "{:,.0f}"),
)
_COMPARE_SCALE = {
    "grid_import_kwh": 1e-3,
    "gas_use_nm3": 1e-3,
    "total_cost_cny": 1e-3,
    "delta_cost_cny": 1e-3,
    "capex_cny": 1e-3,
    "npv_cny": 1e-3,
    "irr_frac": 100.0,
}


def _cmd_compare(args: argparse.Namespace) -> int:
    import math

    from twin.experiments import compare, load_experiment

    t0 = time.perf_counter()
    experiment = load_experiment(args.experiment)
    out = Path(args.out) if args.out else Path("out") / experiment.name
    result = compare(
        experiment,
        workers=args.workers,
        progress=sys.stderr.isatty(),
        store=out / "scenarios",
        resume=args.resume,
    )
    elapsed = time.perf_counter() - t0
    result.write(out)
    report = _report(out) if args.report else None
    rows = []
    for record in result.table.to_dict("records"):
        cells = []
        for key, _, fmt in _COMPARE_COLUMNS:
            value = record.get(key)
            if isinstance(value, float) and not math.isfinite(value):
                cells.append("-" if math.isnan(value) else "never")
                continue
            if isinstance(value, float):
                value = value * _COMPARE_SCALE.get(key, 1.0) + 0.0  # no "-0"
            cells.append(fmt.format(value) if value is not None else "-")
        rows.append(cells)
    headers = [h for _, h, _ in _COMPARE_COLUMNS]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(f"{experiment.name}: {len(result.table)} plants simulated in {elapsed:.1f} s")
    print(
        "  "
        + "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    for r in rows:
        print(
            "  "
            + "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    print(
        f"results written to {out}/ (compare.csv, compare.json, macc.csv, interactions.csv, "
        "cashflows.csv; the variants' store in scenarios/)"
    )
    if report is not None:
        print(f"report written to {report}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from twin.sweep import load_sweep, run_sweep

    sweep = load_sweep(args.sweep)
    out = Path(args.out) if args.out else Path("out") / sweep.name
    run = run_sweep(
        sweep,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        yes=args.yes,
        progress=sys.stderr.isatty(),
    )
    c = run.counts
    rate = run.computed / run.seconds if run.seconds > 0 else float("nan")
    print(
        f"{sweep.name}: {len(sweep.scenarios)} scenarios ({sweep.doc.design.kind}); ran {run.computed} "
        f"now in {run.seconds:.1f} s ({rate:.1f}/s); done {c['done']}, failed {c['failed']}, "
        f"pending {c['pending']}"
    )
    if c["failed"]:
        from twin.sweep import Store

        with Store.open(out, writable=False) as store:
            failed = store.catalogue().query("status == 'failed'")
        first = failed.iloc[0]
        print(f"  first failure, {first['scenario_id']}: {first['error'].splitlines()[0]}")
    print(f"store {out}/ (results/*.parquet, catalogue.sqlite); next: twin sweep-report {out}")
    if args.report:
        print(f"report written to {_report(out)}")
    return 0


def _cmd_sweep_report(args: argparse.Namespace) -> int:
    import pandas as pd

    from twin.sweep.analysis import analyse

    report = analyse(args.store)
    c = report.counts
    print(f"{report.name}: done {c['done']}, failed {c['failed']}, pending {c['pending']}")
    with pd.option_context(
        "display.width", 160, "display.max_columns", 12, "display.float_format", "{:,.4g}".format
    ):
        if not report.pareto.empty:
            print(
                f"\nPareto front of {' vs '.join(report.objectives[:2])} "
                f"({len(report.pareto)} scenarios)"
            )
            print(report.pareto.head(20).to_string(index=False))
        if not report.best.empty:
            print("\nbest scenarios under the constraints")
            print(report.best.to_string(index=False))
        if not report.sensitivity.empty:
            print(f"\nsensitivity: {report.sensitivity_method}")
            print(report.sensitivity.to_string(index=False))
        if not report.failed.empty:
            print(f"\nfailed scenarios ({len(report.failed)})")
            print(report.failed.head(10).to_string(index=False))
    out = report.write(Path(args.store) / "report")
    print(f"\nreport written to {out}/ (pareto.csv, best.csv, sensitivity.csv, failed.csv)")
    return 0


def _cmd_schedule(args: argparse.Namespace) -> int:
    import datetime as dt

    from twin.config import load_config
    from twin.scheduling import optimise_shifts

    config = load_config(args.config, args.overrides, weather=args.weather, step=args.step)
    try:
        week = dt.date.fromisoformat(args.week) if args.week else None
    except ValueError:
        msg = f"--week: expected a date YYYY-MM-DD, got {args.week!r}"
        raise ConfigError(msg) from None
    plan = optimise_shifts(
        config, args.line, week_start=week, objective=args.objective, max_shifts=args.max_shifts
    )
    print(plan.report())
    if args.out:
        import pandas as pd

        table = pd.DataFrame(
            [
                {
                    "line": plan.line,
                    "week_start": str(plan.week_start),
                    "objective": plan.objective,
                    "base_starts": " ".join(map(str, plan.base_starts)),
                    "chosen_starts": " ".join(map(str, plan.chosen_starts)),
                    "estimate_base": plan.estimate_base,
                    "estimate_chosen": plan.estimate_chosen,
                    "simulated_base": plan.simulated_base,
                    "simulated_chosen": plan.simulated_chosen,
                    "required_output": plan.required_output,
                    "week_output_base": plan.week_output_base,
                    "week_output_chosen": plan.week_output_chosen,
                }
            ]
        )
        out = plan.results.write(args.out, tables={"schedule.csv": table})
        print(f"results of the chosen schedule written to {out}/")
    return 0


def _cmd_mv(args: argparse.Namespace) -> int:
    from twin.mv.analysis import analyse_case
    from twin.mv.case import load_case

    t0 = time.perf_counter()
    case, label, base_dir = load_case(args.case)
    result = analyse_case(case, label=label, base_dir=base_dir)
    out = Path(args.out) if args.out else Path("out") / case.mv.name
    result.write(out)
    r = result.report
    s = r["savings"]
    print(
        f"{r['name']}: {r['granularity']} M&V, model {r['model']['description']} "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    print(f"  selection: {r['selection']['reason']}")
    st = r["baseline_statistics"]
    print(
        f"  baseline: n {st['n']}, R² {st['r2']:.3f}, adj. R² {st['adj_r2']:.3f}, CV(RMSE) {st['cvrmse']:.1%}, "
        f"NMBE {st['nmbe']:+.2%}, lag-1 autocorrelation {st['rho']:.2f}"
    )
    for c in r["guideline_14"]:
        print(
            f"  Guideline 14 {c['statistic']} ({c['data']}): {c['value']:.1%} vs {c['limit']:.0%} "
            f"{'pass' if c['passes'] else 'FAIL'}"
        )
    print(
        f"  adjusted baseline {s['baseline_kwh']:,.0f} kWh (adjustments {s['adjustments_kwh']:,.0f}), "
        f"metered {s['actual_kwh']:,.0f} kWh"
    )
    print(
        f"  avoided energy {s['savings_kwh']:,.0f} kWh ({s['savings_frac']:.1%}); FSU {s['fsu']:.1%} at "
        f"{s['confidence']:.0%}, {s['fsu_68']:.1%} at 68 %"
    )
    for level, (lo, hi) in s["intervals_kwh"].items():
        print(f"    {float(level):.0%} interval {lo:,.0f} to {hi:,.0f} kWh")
    if "normalised_savings" in r:
        n = r["normalised_savings"]
        print(
            f"  normalised savings (typical year) {n['savings_kwh']:,.0f} kWh ({n['savings_frac']:.1%}), "
            f"FSU {n['fsu']:.1%}"
        )
    if "carbon" in r:
        c = r["carbon"]
        market = f", market-based {c['market_tco2']:,.1f} t" if c["market_tco2"] is not None else ""
        print(f"  carbon: {c['location_tco2']:,.1f} t CO2 location-based{market} ({c['note']})")
    if "option_d" in r:
        d = r["option_d"]
        params = ", ".join(f"{p['path']} = {p['calibrated']:.4g}" for p in d["parameters"])
        print(
            f"  option D: {params}; calibrated {'yes' if d['calibrated'] else 'NO'}; savings "
            f"{d['savings_kwh']:,.0f} kWh; calibrated twin + adjustments - meter "
            f"{d['avoided_vs_meter_kwh']:,.0f} kWh ({d['runs']} twin runs)"
        )
        for c in d["calibration"]:
            print(
                f"    calibration {c['statistic']} ({c['data']}): {c['value']:.1%} vs {c['limit']:.0%} "
                f"{'pass' if c['passes'] else 'FAIL'}"
            )
    for a in r["adjustments"]:
        print(
            f"  adjustment {a['start']}..{a['end']} {a['action']} {a['energy_kwh']:,.0f} kWh: {a['reason']} "
            f"(evidence {a['evidence']}; approved by {a['approver']})"
        )
    for i in r["meter"]["issues"]:
        print(f"  meter: {i['message']}")
    for w in r["warnings"]:
        print(f"  warning: {w}")
    print(f"  verdict: {r['verdict']}")
    if r["claim"]:
        print(
            f"  claim {r['claim']['claimed_kwh']:,.0f} kWh: {r['claim']['verdict']} ({r['claim']['reason']})"
        )
    print(f"results written to {out}/ (mv.json, series.csv)")
    if args.report:
        print(f"report written to {_report(out)}")
    return 0


def _cmd_claim(args: argparse.Namespace) -> int:
    from twin.mv.claims import check_claims, load_claims, write_claims

    t0 = time.perf_counter()
    doc, label, base_dir = load_claims(args.file)
    if args.workers < 1:
        print(f"twin claim: --workers: expected 1 or more, got {args.workers}", file=sys.stderr)
        return 2
    results, runs = check_claims(
        doc,
        label=label,
        base_dir=base_dir,
        workers=args.workers,
        progress=sys.stderr.isatty(),
    )
    print(
        f"{label}: {len(results)} claim(s), {runs} twin run(s) in {time.perf_counter() - t0:.1f} s"
    )
    for r in results:
        print(f"  {r.name} [{r.kind}]: {r.verdict.upper()}")
        print(
            f"    claimed {r.claimed:,.4g} {r.unit}; P10 {r.p10:,.4g}, P50 {r.p50:,.4g}, P90 {r.p90:,.4g}; "
            f"claim at the {r.claim_percentile:.0%} point of {len(r.values)} value(s)"
        )
        print(f"    {r.reason}")
    out_dir = args.out or (Path("out") / Path(args.file).stem if args.report else None)
    if out_dir:
        out = write_claims(results, out_dir)
        print(f"results written to {out}/ (claims.json, claims.csv)")
        if args.report:
            print(f"report written to {_report(out)}")
    return 0


def _cmd_weather(args: argparse.Namespace) -> int:
    from twin import weather as wx

    if args.weather_command == "compare":
        return _cmd_weather_compare(args)
    if args.weather_command == "check":
        # strict=False: list every finding, then exit 2 if any is an error
        w = wx.load_weather(
            args.source,
            strict=False,
            correct_timing=args.correct_timing,
            accept_timing_offset=args.accept_timing_offset,
        )
        loc = w.location
        print(
            f"{w.source_path}\n  {loc.name} ({loc.station_id}) {loc.latitude_deg:.3f}°, "
            f"{loc.longitude_deg:.3f}°, {loc.elevation_m:.0f} m, UTC{loc.tz_offset_h:+g}"
        )
        print(
            f"  data kind {w.data_kind}; irradiance centre - solar noon: "
            f"{w.timing_offset_min:+.0f} min"
        )
        print(f"  time labels: {w.label_rule}")
        for issue in w.issues:
            print(f"  {issue.severity}: {issue.message}")
        n_errors = len(w.issues_with("error"))
        if n_errors:
            print(f"error: {n_errors} problem(s) make this weather unusable", file=sys.stderr)
            return EXIT_USER_ERROR
        return 0
    sites = wx.list_sites()
    cols = [
        "site",
        "city",
        "province",
        "data_kind",
        "period",
        "latitude_deg",
        "longitude_deg",
        "noted_timing_offset_min",
    ]
    table = sites[cols].rename(
        columns={"data_kind": "source", "noted_timing_offset_min": "timing_offset_min"}
    )
    print(table.to_string(index=False))
    print(
        "\nsource: CSWD = China Standard Weather Data, TMYx = Climate.OneBuilding.Org typical "
        "year, TMY3 = NREL; period: years of record; timing_offset_min: measured GHI centre "
        "minus solar noon (+ = late; beyond ±20 min consider correct_timing)"
    )
    print(
        "\nAttribution: see weather/data/SOURCES.md (CSWD: China Meteorological Administration "
        "& Tsinghua University; TMYx: Climate.OneBuilding.Org; TMY3: NREL)."
    )
    return 0


def _cmd_weather_compare(args: argparse.Namespace) -> int:
    from twin import weather as wx
    from twin.weather_years import compare_weather

    a = wx.load_weather(args.a, correct_timing=args.correct_timing)
    b = wx.load_weather(args.b, correct_timing=args.correct_timing)
    cmp = compare_weather(a, b)
    for tag, w in (("A", a), ("B", b)):
        loc = w.location
        print(
            f"{tag}: {w.source_path}\n   {loc.name} {loc.latitude_deg:.3f}°, "
            f"{loc.longitude_deg:.3f}°, {loc.elevation_m:.0f} m; {w.data_kind}; timing offset "
            f"{w.timing_offset_min:+.0f} min, correction {w.timing_correction_min:+.0f} min"
        )
    if cmp.distance_deg > 0.5:
        print(f"warning: the two headers are {cmp.distance_deg:.2f}° apart: different sites?")
    m = cmp.monthly
    print(
        f"\n  {'month':<6}{'GHI A':>9}{'GHI B':>9}{'B/A-1':>8}{'T A':>7}{'T B':>7}"
        f"{'PV A':>8}{'PV B':>8}"
    )
    print(
        f"  {'':<6}{'kWh/m²':>9}{'kWh/m²':>9}{'%':>8}{'°C':>7}{'°C':>7}{'kWh/kWp':>8}{'kWh/kWp':>8}"
    )
    for month, r in m.iterrows():
        print(
            f"  {month!s:<6}{r.ghi_a_kwh_per_m2:>9.1f}{r.ghi_b_kwh_per_m2:>9.1f}"
            f"{r.ghi_b_over_a_frac * 100:>+8.1f}{r.temp_a_c:>7.1f}{r.temp_b_c:>7.1f}"
            f"{r.pv_a_kwh_per_kwp:>8.1f}{r.pv_b_kwh_per_kwp:>8.1f}"
        )
    print(
        f"\n  PV yield of B relative to A: {cmp.pv_b_over_a_frac * 100:+.1f} % "
        "(1 kWp reference array, tilt = latitude, facing the equator)"
    )
    return 0


def _is_weather_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a :class:`twin.weather.WeatherError`, without
    importing the weather package (pvlib and scipy, about a second) for a
    command that never reads weather: a WeatherError can only have been
    raised if its module is loaded."""
    core = sys.modules.get("twin.weather.core")
    return core is not None and isinstance(exc, core.WeatherError)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``twin`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None or (args.command == "weather" and args.weather_command is None):
        parser.print_help()
        return EXIT_USER_ERROR

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {message}", file=sys.stderr)

    warnings.showwarning = show
    try:
        if args.command == "weather":
            return _cmd_weather(args)
        if args.command == "ledger":
            return _cmd_ledger(args)
        if args.command == "compare":
            return _cmd_compare(args)
        if args.command == "schedule":
            return _cmd_schedule(args)
        if args.command == "report":
            return _cmd_report(args)
        if args.command == "fields":
            return _cmd_fields(args)
        if args.command == "measures":
            return _cmd_measures(args)
        if args.command == "sweep":
            return _cmd_sweep(args)
        if args.command == "sweep-report":
            return _cmd_sweep_report(args)
        if args.command == "mv":
            return _cmd_mv(args)
        if args.command == "claim":
            return _cmd_claim(args)
        return _cmd_run(args, validate_only=args.command == "validate")
    except ValueError as exc:  # ConfigError, ConsistencyError and WeatherError are ValueErrors
        if not isinstance(exc, ConfigError | ConsistencyError) and not _is_weather_error(exc):
            raise
        # one message per problem: every line of the error is one problem
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader (| head) went away: not an error of ours
        sys.stdout = open(os.devnull, "w")
        return 0


def console_main() -> int:
    """Entry point of the ``twin`` console script and of ``python -m twin.cli``.

    Runs :func:`main` with the youngest garbage-collector generation
    collected every 10,000 allocations instead of 700 (imports and the
    production lines' events allocate many short-lived objects that are
    freed by reference counting anyway), then freezes every object still
    alive (:func:`gc.freeze`) so that the interpreter's exit does not trace
    them again in its last collections. Together about 0.2 s of a
    ``twin run`` of the reference factory. Everything is written and closed
    by then; the process ends. Callers that go on running call :func:`main`.
    """
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(10_000, older, oldest)
    code = main()
    sys.stdout.flush()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console_main())
