"""Scenario files: schema, loader, provenance."""

from ..events import EVENT_TYPES
from .errors import Problem, ScenarioError
from .loader import from_dict, get_value, load_scenario, parse_scenario, set_value
from .quantity import Evidence, Quantity
from .schema import (
    CHANNELS,
    INTERESTS,
    Channel,
    Faction,
    FactionKind,
    Interest,
    Parameters,
    Region,
    Scenario,
    Sponsor,
)
from .types import month_index, month_name

__all__ = [
    "CHANNELS",
    "EVENT_TYPES",
    "INTERESTS",
    "Channel",
    "Evidence",
    "Faction",
    "FactionKind",
    "Interest",
    "Parameters",
    "Problem",
    "Quantity",
    "Region",
    "Scenario",
    "ScenarioError",
    "Sponsor",
    "from_dict",
    "get_value",
    "load_scenario",
    "month_index",
    "month_name",
    "parse_scenario",
    "set_value",
]
