"""libyasim: an agent-based scenario simulator of Libyan faction dynamics."""

from importlib.metadata import PackageNotFoundError, version

from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario

try:
    __version__ = version("libyasim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = ["Scenario", "ScenarioError", "__version__", "load_scenario", "parse_scenario"]
