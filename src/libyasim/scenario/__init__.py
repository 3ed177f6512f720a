"""Scenario files: schema, loader, provenance.

The public names are imported from their modules on first use (PEP 562): the
scenario schema needs the event types and the event modules need this
package's quantities and identifiers, so importing the loader here eagerly
would make ``from libyasim.model import LibyaModel`` (or ``import
libyasim.events``) as a program's first import fail on the circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names
from .types import month_index, month_name

if TYPE_CHECKING:
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

_LAZY = {
    "EVENT_TYPES": "..events",
    "Problem": ".errors",
    "ScenarioError": ".errors",
    "from_dict": ".loader",
    "get_value": ".loader",
    "load_scenario": ".loader",
    "parse_scenario": ".loader",
    "set_value": ".loader",
    "Evidence": ".quantity",
    "Quantity": ".quantity",
    "CHANNELS": ".schema",
    "INTERESTS": ".schema",
    "Channel": ".schema",
    "Faction": ".schema",
    "FactionKind": ".schema",
    "Interest": ".schema",
    "Parameters": ".schema",
    "Region": ".schema",
    "Scenario": ".schema",
    "Sponsor": ".schema",
}


__getattr__ = lazy_names(__name__, _LAZY)

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
