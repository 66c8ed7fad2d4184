"""Batch sweeps: designs over parameters and uncertain inputs, run into a durable store.

- :mod:`twin.sweep.schema`: the sweep file (TOML) and its checks;
- :mod:`twin.sweep.design`: lists, grids, one-at-a-time, Latin hypercube,
  Sobol', Saltelli and Monte Carlo designs;
- :mod:`twin.sweep.scenario`: one scenario's config, run and row (worker side);
- :mod:`twin.sweep.executors`: this process, a local pool, a Dask cluster;
- :mod:`twin.sweep.store`: Parquet rows and the SQLite catalogue, crash-safe;
- :mod:`twin.sweep.engine`: :func:`load_sweep` and :func:`run_sweep`;
- :mod:`twin.sweep.analysis`: Pareto front, sensitivity, best scenarios.
"""

from twin.sweep.engine import DESIGN_LIMIT, Sweep, SweepRun, load_sweep, run_sweep
from twin.sweep.store import Store

__all__ = ["DESIGN_LIMIT", "Store", "Sweep", "SweepRun", "load_sweep", "run_sweep"]
