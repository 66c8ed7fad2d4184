"""Where ``twin.components`` and ``twin.weather`` come from.

The equipment models and the weather package live in the top-level folders
``components/`` and ``weather/`` of the source tree. Installed, they are the
subpackages ``twin.components`` and ``twin.weather`` (``package-dir`` in
``pyproject.toml``), so the project puts no generic top-level name such as
``weather`` on ``sys.path``, and a user's own ``weather.py`` or
``components.py`` in the working directory cannot shadow them. In a source
checkout (tests, benchmarks), this finder gives the two folders the same
names; it is inactive in an installed copy, where the folders sit inside
``twin/``.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_ROOT = _PACKAGE_DIR.parent
_SUBPACKAGES = ("components", "weather")


class _SourceTreeFinder(importlib.abc.MetaPathFinder):
    """Finds ``twin.components`` and ``twin.weather`` in the checkout's top-level folders."""

    def find_spec(self, fullname: str, path: object = None, target: object = None):  # noqa: ARG002
        prefix, _, name = fullname.partition(".")
        if prefix != "twin" or name not in _SUBPACKAGES:
            return None
        folder = _SOURCE_ROOT / name
        return importlib.util.spec_from_file_location(
            fullname, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )


def _install() -> None:
    in_checkout = all(
        not (_PACKAGE_DIR / name).exists() and (_SOURCE_ROOT / name / "__init__.py").is_file()
        for name in _SUBPACKAGES
    )
    if in_checkout and not any(isinstance(f, _SourceTreeFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _SourceTreeFinder())


_install()
