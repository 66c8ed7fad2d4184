"""Equipment models, one module per kind.

Importing this package imports every module in it (not the
``experimental`` shelf), and each module's ``@register_component`` puts its
class in the registry: adding a component is one new module.
"""

import importlib
import pkgutil

__all__: list[str] = []

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.ispkg and not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
