"""Scheduled interventions (DESIGN.md §4.4): one module per event type.

Each module holds the event's *data* (a frozen pydantic class: fields,
defaults with ranges and assumptions, validation) and its *behaviour* in a
running model (a :class:`~.base.Behaviour` subclass), so one file tells what an
intervention is and what it does. :data:`MODULES` is the one table that
registers them; :data:`EVENT_TYPES` (type name → data class),
:data:`BEHAVIOURS` (type name → behaviour class) and the :data:`Event` union the
scenario schema validates against are derived from it. docs/events.md has a
user's page per type and docs/ODD.md §7.5 the equations.
"""

from __future__ import annotations

import functools
import operator
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, get_args

from pydantic import Field

from ..scenario.types import month_index
from . import (
    arms_embargo,
    attack,
    blockade,
    ceasefire,
    dialogue,
    direct_intervention,
    election,
    icc_warrant,
    offensive,
    realignment,
    recognition,
    red_line,
    sponsor_entry,
    sponsor_exit,
    support_change,
)
from .base import Behaviour, EventBase

if TYPE_CHECKING:
    from ..model.model import LibyaModel

#: every event module: each defines ``SCHEMA`` (data class) and ``BEHAVIOUR``
MODULES: tuple[ModuleType, ...] = (
    ceasefire,
    election,
    dialogue,
    recognition,
    realignment,
    support_change,
    sponsor_entry,
    sponsor_exit,
    attack,
    icc_warrant,
    arms_embargo,
    direct_intervention,
    red_line,
    offensive,
    blockade,
)


def _type_names(schema: type[EventBase]) -> tuple[str, ...]:
    return get_args(schema.model_fields["type"].annotation)


EVENT_TYPES: dict[str, type[EventBase]] = {
    t: mod.SCHEMA for mod in MODULES for t in _type_names(mod.SCHEMA)
}
"""Event ``type`` → its data class."""

BEHAVIOURS: dict[str, type[Behaviour]] = {
    t: mod.BEHAVIOUR for mod in MODULES for t in _type_names(mod.SCHEMA)
}
"""Event ``type`` → its behaviour class (same keys as :data:`EVENT_TYPES`)."""

Event: Any = Annotated[
    functools.reduce(operator.or_, [mod.SCHEMA for mod in MODULES]),
    Field(discriminator="type"),
]
"""Any event: the union of the data classes, told apart by ``type``."""


def build_events(model: LibyaModel) -> list[Behaviour]:
    """One behaviour per scheduled event, in date order (stable for equal dates)."""
    events = model.spec.events
    order = sorted(range(len(events)), key=lambda i: month_index(events[i].date))
    return [BEHAVIOURS[events[i].type](model, events[i], i) for i in order]


__all__ = [
    "BEHAVIOURS",
    "EVENT_TYPES",
    "MODULES",
    "Behaviour",
    "Event",
    "EventBase",
    "build_events",
]
