"""A multi-year pathway: measures switched on by year, factor and price
trajectories, and what is left to offset each year.

For every reporting year from ``start_year`` to ``end_year``:

1. the measures with ``from_year <= year`` are applied to the config:
   measures from the measure library, then dotted-path patches, as in an
   experiment variant (:func:`twin.measures.apply_changes`);
2. the plant is simulated; identical plants (same config apart from the
   ledger) are simulated once and reused;
3. the ledger is computed for that year with the year's grid factors:
   an explicit value from ``[[ledger.pathway.years]]``, or the run's factor
   scaled by ``(1 + change)^(year - start_year)``;
4. the residual to be offset (emissions in the boundary minus removals) is
   priced at the year's credit price, and the electricity and fuel bills
   are scaled by the year's price factors.

The simulated weather and calendar are the config's typical year; the
pathway years are reporting years. Instruments of the ledger are taken as
recurring purchases of each year (their vintage check applies to the
config's own reporting year only); credits retired in the config are not
carried into the pathway, which reports the offsets needed instead.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin import weather as wx
from twin.accounting.inventory import location_factor, residual_factor
from twin.accounting.ledger import compute_ledger
from twin.config.loader import config_from_dict, dump_config
from twin.config.schema import PlantConfig
from twin.errors import ConfigError, ConsistencyError
from twin.measures import apply_changes
from twin.results import Results
from twin.run import load_plant_weather, run

__all__ = ["PATHWAY_COLUMNS", "Pathway", "run_pathway"]

PATHWAY_COLUMNS = [
    "year",
    "measures",
    "plant_variant",
    "grid_import_kwh",
    "location_ef_kg_per_kwh",
    "residual_ef_kg_per_kwh",
    "scope1_tco2",
    "scope2_location_tco2",
    "scope2_market_tco2",
    "scope3_tco2",
    "emissions_tco2",
    "reduction_frac",
    "removals_tco2",
    "residual_tco2",
    "offsets_needed_tco2",
    "offset_price_cny_per_t",
    "offset_cost_cny",
    "electricity_cost_cny",
    "fuel_cost_cny",
    "renewable_share_frac",
]
"""Columns of ``pathway.csv`` (units in the names; ``reduction_frac`` is
against the ledger's base year)."""


@dataclass(frozen=True)
class Pathway:
    """A computed pathway.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per year, :data:`PATHWAY_COLUMNS`.
    simulations : int
        Distinct plants simulated.
    elapsed_s : float
        Wall time [s].
    """

    frame: pd.DataFrame
    simulations: int
    elapsed_s: float


def _plant_key(config: PlantConfig) -> str:
    data = {k: v for k, v in dump_config(config).items() if k != "ledger"}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _trend(explicit: float | None, base: float, rate: float, years: int) -> float:
    return explicit if explicit is not None else base * (1.0 + rate) ** years


def validate_pathway(config: PlantConfig) -> None:
    """Check every year's plant of a pathway as ``twin validate`` checks a
    config: the measures and patches apply, and the patched config validates
    and builds. ``twin ledger`` would otherwise find a bad patch only in the
    year it starts.

    Raises
    ------
    ConfigError
        Every year whose measures do not apply or whose plant is invalid,
        one line per problem.
    """
    from twin.plant import Plant

    source = config.source_path or "<config>"
    pw = config.ledger.pathway if config.ledger is not None else None
    if pw is None:
        return
    raw = dump_config(config)
    problems: list[str] = []
    said: set[str] = set()
    seen: set[tuple[str, ...]] = set()
    for year in range(pw.start_year, pw.end_year + 1):
        active = tuple(m.name for m in pw.measures if m.from_year <= year)
        if not active or active in seen:
            continue
        seen.add(active)
        try:
            patched = raw
            for m in (m for m in pw.measures if m.from_year <= year):
                patched, _ = apply_changes(
                    patched,
                    m.measures,
                    m.patches,
                    {},
                    where=f"{source}: ledger.pathway.measures[{m.name}]",
                )
            label = f"{source} (pathway {year}: {', '.join(active)})"
            Plant.build(config_from_dict(patched, source=label, base_dir=config.base_dir))
        except (ConfigError, ConsistencyError) as exc:
            for line in str(exc).splitlines():
                what = line.split("): ", 1)[-1]
                if what not in said:  # a problem is said once, in the first year it appears
                    said.add(what)
                    problems.append(line)
    if problems:
        raise ConfigError("\n".join(problems))


def run_pathway(
    config: PlantConfig, *, weather: wx.Weather | None = None, results: Results | None = None
) -> Pathway:
    """Compute the pathway of a config with a ``[ledger.pathway]`` table.

    Parameters
    ----------
    config : PlantConfig
    weather : weather.Weather, optional
        Weather for every run (default: the config's, loaded once).
    results : Results, optional
        A run of ``config`` itself, reused for the years without measures.

    Raises
    ------
    ConfigError
        No pathway configured, a measure patch that does not apply or
        validate, or a ledger error in some year (the message names it).
    """
    t0 = time.perf_counter()
    source = config.source_path or "<config>"
    ledger = config.ledger
    if ledger is None or ledger.pathway is None:
        msg = f"{source}: ledger.pathway: no pathway configured; add a [ledger.pathway] table"
        raise ConfigError(msg)
    pw = ledger.pathway
    explicit = {y.year: y for y in pw.years}
    raw = dump_config(config)
    # Years stream: only the plant of the current year is held (measures only
    # accumulate, so a plant once left is not met again; if it were, it would
    # be simulated again), and the previous one is let go before the next run.
    current: tuple[str, Results] | None = None
    if results is not None and results.plant.config is config:
        current = (_plant_key(config), results)
    plants = {current[0]} if current is not None else set()
    res = led = None
    weathers: dict[str, wx.Weather] = {}
    rows: list[dict[str, object]] = []
    for year in range(pw.start_year, pw.end_year + 1):
        active = [m for m in pw.measures if m.from_year <= year]
        patched = raw
        for m in active:
            patched, _ = apply_changes(
                patched,
                m.measures,
                m.patches,
                {},
                where=f"{source}: ledger.pathway.measures[{m.name}]",
            )
        label = f"{source} (pathway {year})"
        cfg_y = (
            config_from_dict(patched, source=label, base_dir=config.base_dir) if active else config
        )
        key = _plant_key(cfg_y)
        if current is None or current[0] != key:
            current = res = led = None
            w = weather
            if w is None:
                wkey = json.dumps(cfg_y.weather.model_dump(mode="json"), sort_keys=True)
                if wkey not in weathers:
                    weathers[wkey] = load_plant_weather(cfg_y)
                w = weathers[wkey]
            current = (key, run(cfg_y, weather=w))
            plants.add(key)
        res = current[1]
        led_cfg = cfg_y.ledger.model_copy(update={"reporting_year": year})
        n = year - pw.start_year
        given = explicit.get(year)
        base_loc, loc_src = location_factor(res.plant, res.signals, led_cfg)
        base_res, res_src = residual_factor(res.plant, led_cfg)
        g = pw.grid_ef_change_frac_per_year
        r = (
            pw.residual_ef_change_frac_per_year
            if pw.residual_ef_change_frac_per_year is not None
            else g
        )
        if given is not None and given.grid_ef_kg_per_kwh is not None:
            loc = (np.full_like(base_loc, given.grid_ef_kg_per_kwh), f"pathway {year}: given value")
        else:
            loc = (base_loc * (1.0 + g) ** n, f"{loc_src} x (1 {g:+g})^{n} (pathway trajectory)")
        if given is not None and given.residual_ef_kg_per_kwh is not None:
            resid = (
                np.full_like(base_res, given.residual_ef_kg_per_kwh),
                f"pathway {year}: given value",
            )
        else:
            resid = (base_res * (1.0 + r) ** n, f"{res_src} x (1 {r:+g})^{n} (pathway trajectory)")
        try:
            led = compute_ledger(
                res.plant,
                res.flows,
                res.series,
                res.signals,
                config=led_cfg,
                location_ef=loc,
                residual_ef=resid,
            )
        except ConfigError as exc:
            msg = f"pathway year {year}: {exc}"
            raise ConfigError(msg) from None
        inv, neu = led.inventory, led.neutrality
        imp = inv.electricity.grid_import_kwh
        price = _trend(
            given.offset_price_cny_per_t if given else None,
            pw.offset_price_cny_per_t,
            pw.offset_price_change_frac_per_year,
            n,
        )
        e_factor = _trend(
            given.electricity_price_factor if given else None,
            1.0,
            pw.electricity_price_change_frac_per_year,
            n,
        )
        f_factor = _trend(
            given.fuel_price_factor if given else None, 1.0, pw.fuel_price_change_frac_per_year, n
        )
        rows.append(
            {
                "year": year,
                "measures": " + ".join(m.name for m in active),
                "plant_variant": key[:12],
                "grid_import_kwh": imp,
                "location_ef_kg_per_kwh": inv.electricity.location_ef_kg_per_kwh,
                "residual_ef_kg_per_kwh": inv.electricity.residual_ef_kg_per_kwh,
                "scope1_tco2": inv.scope1_tco2,
                "scope2_location_tco2": inv.scope2_location_tco2,
                "scope2_market_tco2": inv.scope2_market_tco2,
                "scope3_tco2": inv.scope3_tco2,
                "emissions_tco2": neu.emissions_tco2,
                "reduction_frac": neu.reduction_frac,
                "removals_tco2": neu.removals_tco2,
                "residual_tco2": neu.residual_tco2,
                "offsets_needed_tco2": neu.residual_tco2,
                "offset_price_cny_per_t": price,
                "offset_cost_cny": neu.residual_tco2 * price,
                "electricity_cost_cny": res.summary["total_cost_cny"] * e_factor,
                "fuel_cost_cny": res.summary["fuel_cost_cny"] * f_factor,
                "renewable_share_frac": inv.electricity.renewable_share_frac,
            }
        )
    frame = pd.DataFrame(rows, columns=PATHWAY_COLUMNS)
    return Pathway(frame, len(plants), time.perf_counter() - t0)
