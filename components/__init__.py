"""Equipment models, one module per kind; importing this package registers them."""

from components import base_load, battery, grid_connection, pv  # noqa: F401

__all__: list[str] = []
