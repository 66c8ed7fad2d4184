"""Emission and conversion factors with their sources, as published tables.

- :mod:`twin.factors.grid`: Chinese grid emission factors (national, regional,
  provincial; MEE/NBS announcements);
- :mod:`twin.factors.fuels`: fuel combustion factors (Chinese practice with
  GB/T 2589 calorific values, IPCC 2006 defaults), purchased heat and
  refrigerant GWPs.

Data only: the config, the plant and the accounting read these tables; this
package imports nothing else of the project.
"""

from twin.factors.grid import GridFactor, grid_factor, list_grid_factor_keys, province_key

__all__ = ["GridFactor", "grid_factor", "list_grid_factor_keys", "province_key"]
