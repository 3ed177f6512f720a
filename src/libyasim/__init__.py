"""libyasim: an agent-based scenario simulator of Libyan faction dynamics."""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .experiment import experiment
    from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario

    __version__: str

#: The public names, each imported from its module on first use: ``import libyasim``
#: stays cheap, so the command line can turn Ctrl-C during the heavy imports
#: (pydantic, numpy, Mesa) into a message instead of a traceback, and starts
#: without the model.
_LAZY = {
    "Scenario": ".scenario",
    "ScenarioError": ".scenario",
    "load_scenario": ".scenario",
    "parse_scenario": ".scenario",
    # the function, not its module: ``libyasim.experiment(scenario, seed=..., **levers)``
    "experiment": ".experiment",
}
#: submodules reached as attributes (``libyasim.ema.model(...)``)
_MODULES = {"ema"}
#: names that stay the function of the same name when the import system binds the
#: submodule to the package (``import libyasim.experiment`` anywhere)
_FUNCTIONS = {"experiment"}

__all__ = [
    "Scenario",
    "ScenarioError",
    "__version__",
    "experiment",
    "load_scenario",
    "parse_scenario",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libyasim")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = value = _version()
        return value
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_MODULES, "__version__"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
