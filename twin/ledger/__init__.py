"""The carbon ledger behind a zero-carbon factory claim.

- :mod:`twin.ledger.factors`: fuel, purchased-heat and refrigerant factors
  (grid factors are in :mod:`twin.factors`);
- :mod:`twin.ledger.schema`: the ``[ledger]`` config section;
- :mod:`twin.ledger.inventory`: the ISO 14064-1 / GB/T 32150 inventory,
  one row per source, scope 2 location- and market-based;
- :mod:`twin.ledger.neutrality`: the ISO 14068-1 statement (reductions,
  removals, offsets) and indicators;
- :mod:`twin.ledger.ceca`: T/CECA-G 0171-2022 readiness;
- :mod:`twin.ledger.pathway`: a multi-year pathway.

The schema is imported eagerly (the plant config needs it); the rest is
loaded on first use, because it builds on the plant and the run.
"""

from typing import Any

from twin.ledger.schema import LedgerConfig

__all__ = ["Ledger", "LedgerConfig", "compute_ledger", "run_pathway"]

_LAZY = {
    "Ledger": "twin.ledger.compute",
    "compute_ledger": "twin.ledger.compute",
    "run_pathway": "twin.ledger.pathway",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'twin.ledger' has no attribute {name!r}"
    raise AttributeError(msg)
