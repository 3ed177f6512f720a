"""libyasim: an agent-based scenario simulator of Libyan faction dynamics."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .experiment import experiment
    from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario

    __version__: str


def _run_as_command() -> bool:
    """Whether this process is the ``libyasim`` command (or ``python -m libyasim...``)."""
    return bool(sys.argv) and Path(sys.argv[0]).name in ("libyasim", "-m")


# scenario first: the events package imports scenario.types, whose package imports
# the events package back; entered through scenario, the cycle resolves.
if _run_as_command():
    # Ctrl-C while the command starts: a message, not a traceback. The signal is held
    # until the imports are done, since a KeyboardInterrupt raised inside a compiled
    # extension's initialisation surfaces as that extension's own error (pyo3's
    # PanicException from pydantic_core), not as KeyboardInterrupt.
    import signal

    _interrupted: list[int] = []
    _previous = signal.signal(signal.SIGINT, lambda signum, frame: _interrupted.append(signum))
    try:
        from . import scenario as _scenario
    finally:
        signal.signal(signal.SIGINT, _previous)
    if _interrupted:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130)
else:
    from . import scenario as _scenario  # noqa: F401

#: The public names, each imported from its module on first use (the model,
#: the experiment API and the EMA adapter stay out of ``import libyasim``).
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
