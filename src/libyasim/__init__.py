"""libyasim: an agent-based scenario simulator of Libyan faction dynamics."""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

# the function, not its module: ``libyasim.experiment(scenario, seed=..., **levers)``
from .experiment import experiment
from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario

try:
    __version__ = version("libyasim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Scenario",
    "ScenarioError",
    "__version__",
    "experiment",
    "load_scenario",
    "parse_scenario",
]


def __getattr__(name: str) -> Any:  # imported on first use: the CLI starts without the model
    if name == "ema":
        import importlib

        return importlib.import_module(".ema", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
