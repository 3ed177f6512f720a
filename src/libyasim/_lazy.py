"""Public names imported from their modules on first use (PEP 562), for packages
whose eager imports would be slow (scipy, matplotlib) or circular."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_names(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: the name ``n`` is imported from the
    submodule ``where[n]`` (relative, e.g. ``".schema"``) when first used, then kept
    in the package's namespace; other names raise ``AttributeError``."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        sys.modules[package].__dict__[name] = value
        return value

    return __getattr__
