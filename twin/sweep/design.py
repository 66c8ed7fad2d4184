"""Which scenarios a sweep runs: designs over parameters and uncertain inputs.

Every dimension (a ``[[parameter]]`` or an ``[[uncertain]]`` input) maps a
point ``u`` of the unit interval to a value: a continuous range linearly, a
list of levels by equal slices, a named distribution by its inverse CDF
(scipy.stats). A design is a set of points of the unit cube:

- ``lhs`` and ``sobol``: scipy.stats.qmc Latin hypercube (McKay, Beckman &
  Conover 1979) and scrambled Sobol' sequences (Sobol' 1967; Owen 1998),
  seeded, over every dimension, uncertain inputs included;
- ``saltelli``: the matrices A, B and AB_i (A with column i from B) of the
  Sobol'-index estimators of Saltelli et al. (2010), built from one Sobol'
  sequence of twice the dimension: n (d + 2) scenarios;
- ``monte_carlo``: n independent draws of a seeded numpy Generator;
- ``list``, ``grid`` (every combination of the levels) and ``oat`` (each
  parameter over its levels, the others at their base values): explicit
  points, crossed with ``draws`` Monte Carlo draws of the uncertain inputs
  (the same draws for every point, so points compare under common random
  numbers).

References
----------
McKay, M. D., Beckman, R. J. & Conover, W. J. (1979). Technometrics 21(2), 239-245.
Owen, A. B. (1998). Scrambling Sobol' and Niederreiter-Xing points. J. Complexity 14, 466-489.
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index. Comput. Phys. Commun. 181, 259-270.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import qmc

from twin.errors import ConfigError
from twin.sweep.schema import Parameter, SweepFile, Uncertain, did_you_mean

__all__ = ["Scenario", "build_design", "parameter_levels", "to_values"]

_U_EDGE = 2.0**-53
"""Unit-interval points are kept inside (0, 1) by this margin: an inverse CDF
of an unbounded distribution is infinite at 0 and 1."""


@dataclass(frozen=True)
class Scenario:
    """One scenario of a sweep.

    Attributes
    ----------
    scenario_id : str
        Stable identifier (``s000042``), the key of the store.
    index : int
        Position in the design (rows are sorted by it).
    values : dict
        Parameter and uncertain-input name -> value.
    tags : dict
        Design bookkeeping (``block`` and ``sample`` of a saltelli design,
        ``draw`` of crossed Monte Carlo draws).
    raw : dict, optional
        A complete config as data (explicit variants of ``twin compare``);
        the values are then labels only.
    """

    scenario_id: str
    index: int
    values: dict[str, Any]
    tags: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


MAX_SCENARIOS = 1_000_000
"""Most scenarios a design may have (the store's catalogue and a design's
memory are sized for it; ``--yes`` is still needed above the engine's
``DESIGN_LIMIT``)."""


def _design_size(doc: SweepFile, source: str) -> int:
    """Scenarios the design will have, counted before it is built."""
    design = doc.design
    draws = design.draws if doc.uncertain else 1
    d = len(doc.parameter) + len(doc.uncertain)
    if design.kind == "grid":
        return math.prod(len(parameter_levels(p, source)) for p in doc.parameter) * draws
    if design.kind == "oat":
        return (1 + sum(len(parameter_levels(p, source)) for p in doc.parameter)) * draws
    if design.kind == "list":
        return max(len(design.scenarios), 1) * draws
    n = design.n or 0
    return n * (d + 2) if design.kind == "saltelli" else n


def parameter_levels(p: Parameter, source: str) -> list[Any]:
    """The levels of a parameter for grid and oat designs.

    Raises
    ------
    ConfigError
        A continuous range without ``step`` or ``levels``.
    """
    if p.values is not None:
        return [_plain(v) for v in p.values]
    if p.step is not None:
        n = int(math.floor((p.high - p.low) / p.step + 1e-9)) + 1
        if n > MAX_SCENARIOS:
            msg = (
                f"{source}: parameter {p.name!r}.step: {p.step:g} over {p.low:g}..{p.high:g} gives "
                f"{n:,} levels; expected at most {MAX_SCENARIOS:,} scenarios in a design (use a "
                "larger step, or levels = N)"
            )
            raise ConfigError(msg)
        levels = [p.low + k * p.step for k in range(n)]
    elif p.levels is not None:
        if p.levels > MAX_SCENARIOS:
            msg = (
                f"{source}: parameter {p.name!r}.levels: expected at most {MAX_SCENARIOS:,}, "
                f"got {p.levels:,}"
            )
            raise ConfigError(msg)
        levels = list(np.linspace(p.low, p.high, p.levels))
    else:
        msg = (
            f"{source}: parameter {p.name!r}: a grid or oat design needs levels of a range: "
            f"add step = ... or levels = N (or give values = [...])"
        )
        raise ConfigError(msg)
    return [_round(p, float(v)) for v in levels]


def _round(p: Parameter, value: float) -> Any:
    return int(round(value)) if p.integer else value


def _parameter_column(p: Parameter, u: np.ndarray) -> list[Any]:
    if p.values is not None:
        k = len(p.values)
        idx = np.minimum((u * k).astype(np.int64), k - 1)
        return [_plain(p.values[i]) for i in idx]
    return [_round(p, float(v)) for v in p.low + u * (p.high - p.low)]


def _frozen(q: Uncertain) -> Any:
    """The scipy.stats frozen distribution of a continuous uncertain input."""
    if q.distribution == "normal":
        return stats.norm(loc=q.mean, scale=q.sd)
    if q.distribution == "truncated_normal":
        return stats.truncnorm(
            (q.low - q.mean) / q.sd, (q.high - q.mean) / q.sd, loc=q.mean, scale=q.sd
        )
    if q.distribution == "lognormal":
        # mean and sd of the value itself -> sigma and median of its logarithm
        s2 = math.log1p((q.sd / q.mean) ** 2)
        return stats.lognorm(s=math.sqrt(s2), scale=q.mean * math.exp(-s2 / 2.0))
    if q.distribution == "uniform":
        return stats.uniform(loc=q.low, scale=q.high - q.low)
    if q.distribution == "triangular":
        return stats.triang((q.mode - q.low) / (q.high - q.low), loc=q.low, scale=q.high - q.low)
    msg = f"no continuous distribution {q.distribution!r}"
    raise ValueError(msg)


def _uncertain_column(q: Uncertain, u: np.ndarray) -> list[Any]:
    u = np.clip(u, _U_EDGE, 1.0 - _U_EDGE)
    if q.distribution == "choice":
        w = np.asarray(q.weights if q.weights is not None else [1.0] * len(q.values), dtype=float)
        cum = np.cumsum(w) / w.sum()
        idx = np.minimum(np.searchsorted(cum, u, side="right"), len(q.values) - 1)
        return [_plain(q.values[i]) for i in idx]
    return [float(v) for v in _frozen(q).ppf(u)]


def uncertain_quantiles(q: Uncertain, probs: tuple[float, ...]) -> list[Any]:
    """Values of an uncertain input at the given probabilities (its checked extremes)."""
    return _uncertain_column(q, np.asarray(probs, dtype=float))


def to_values(doc: SweepFile, u: np.ndarray) -> list[dict[str, Any]]:
    """Map points of the unit cube (rows; columns = parameters, then uncertain
    inputs, in file order) to scenario values."""
    dims: list[Parameter | Uncertain] = [*doc.parameter, *doc.uncertain]
    cols = {}
    for j, dim in enumerate(dims):
        column = u[:, j]
        cols[dim.name] = (
            _parameter_column(dim, column)
            if isinstance(dim, Parameter)
            else _uncertain_column(dim, column)
        )
    return [{d.name: cols[d.name][i] for d in dims} for i in range(u.shape[0])]


def _points(doc: SweepFile, source: str) -> list[dict[str, Any]]:
    """Values of the explicit points (list, grid, oat) before crossing with draws."""
    kind = doc.design.kind
    params = doc.parameter
    if kind == "grid":
        levels = [parameter_levels(p, source) for p in params]
        return [
            dict(zip([p.name for p in params], combo, strict=True))
            for combo in itertools.product(*levels)
        ]
    if kind == "oat":
        levels = {p.name: parameter_levels(p, source) for p in params}
        centre = {
            p.name: p.base if p.base is not None else levels[p.name][len(levels[p.name]) // 2]
            for p in params
        }
        points = [dict(centre)]
        for p in params:
            for level in levels[p.name]:
                if level != centre[p.name]:
                    points.append({**centre, p.name: level})
        return points
    names = [p.name for p in params]
    points = []
    for k, scenario in enumerate(doc.design.scenarios):
        unknown = [n for n in scenario if n not in names]
        if unknown:
            msg = (
                f"{source}: design.scenarios[{k}]: unknown parameter {unknown[0]!r}"
                f"{did_you_mean(unknown[0], names)}; parameters: {', '.join(names)}"
            )
            raise ConfigError(msg)
        point = {}
        for p in params:
            if p.name in scenario:
                point[p.name] = scenario[p.name]
            elif p.base is not None:
                point[p.name] = p.base
            else:
                msg = (
                    f"{source}: design.scenarios[{k}]: no value for parameter {p.name!r}, "
                    f"which has no base = ...; give one of them"
                )
                raise ConfigError(msg)
        points.append(point)
    return points


def build_design(doc: SweepFile, source: str) -> list[Scenario]:
    """The scenarios of a sweep file, in design order (deterministic in the seed).

    Raises
    ------
    ConfigError
        A design that cannot be built from the parameters given.
    """
    size = _design_size(doc, source)
    if size > MAX_SCENARIOS:
        msg = (
            f"{source}: design: {doc.design.kind} gives {size:,} scenarios; expected at most "
            f"{MAX_SCENARIOS:,} (fewer points, levels or draws)"
        )
        raise ConfigError(msg)
    design, seed = doc.design, doc.sweep.seed
    d = len(doc.parameter) + len(doc.uncertain)
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if design.kind in ("list", "grid", "oat"):
        points = _points(doc, source)
        if doc.uncertain:
            rng = np.random.default_rng(seed)
            draws = to_values(_only_uncertain(doc), rng.random((design.draws, len(doc.uncertain))))
            for point in points:
                for k, draw in enumerate(draws):
                    rows.append(({**point, **draw}, {"draw": k} if design.draws > 1 else {}))
        else:
            if design.draws > 1:
                msg = f"{source}: design.draws: {design.draws} draws need [[uncertain]] inputs to draw"
                raise ConfigError(msg)
            rows = [(p, {}) for p in points]
    elif design.kind == "lhs":
        u = qmc.LatinHypercube(
            d=d, scramble=design.scramble, rng=np.random.default_rng(seed)
        ).random(design.n)
        rows = [(v, {}) for v in to_values(doc, u)]
    elif design.kind == "sobol":
        m = design.n.bit_length() - 1
        u = qmc.Sobol(d=d, scramble=design.scramble, rng=np.random.default_rng(seed)).random_base2(
            m
        )
        rows = [(v, {}) for v in to_values(doc, u)]
    elif design.kind == "monte_carlo":
        u = np.random.default_rng(seed).random((design.n, d))
        rows = [(v, {}) for v in to_values(doc, u)]
    else:  # saltelli
        m = design.n.bit_length() - 1
        base = qmc.Sobol(d=2 * d, scramble=True, rng=np.random.default_rng(seed)).random_base2(m)
        a, b = base[:, :d], base[:, d:]
        blocks = [("A", a), ("B", b)]
        names = [x.name for x in (*doc.parameter, *doc.uncertain)]
        for i, name in enumerate(names):
            ab = a.copy()
            ab[:, i] = b[:, i]
            blocks.append((f"AB:{name}", ab))
        for block, u in blocks:
            rows += [(v, {"block": block, "sample": j}) for j, v in enumerate(to_values(doc, u))]
    return [Scenario(f"s{i:06d}", i, values, tags) for i, (values, tags) in enumerate(rows)]


def _only_uncertain(doc: SweepFile) -> SweepFile:
    return doc.model_copy(update={"parameter": []})
