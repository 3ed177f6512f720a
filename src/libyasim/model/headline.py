"""Headline outcomes: the few numbers per run that the audit and the mechanism
gate judge a run by (issue 11).

A small registry, in the EMA Workbench's vocabulary of named outcomes: each
:class:`Headline` has a name and a function of a run's ``summary`` (the dict
:func:`libyasim.model.run` returns in ``RunResult.summary``) giving a float,
or a ``{key: float}`` dict expanded to ``name.key`` (one value per faction,
per end state). A value is ``nan`` where the outcome does not apply to the
run (no ceasefire in the scenario, no unity measure in the summary).

To add an outcome (model v2: ``unity_index``, ...), write its function and
add one :class:`Headline` to :data:`HEADLINES`; the audit, the mechanism gate
and the runs tables (``fig.headline.<name>`` columns of an audit batch) pick
it up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .outcomes import END_STATES, FLAGS

Value = float | dict[str, float]


@dataclass(frozen=True)
class Headline:
    """A named outcome of a run: ``value(summary)`` → float or ``{key: float}``."""

    name: str
    description: str
    value: Callable[[Mapping[str, Any]], Value]


def _num(x: Any) -> float:
    if x is None or isinstance(x, bool | str):
        return float(x) if isinstance(x, bool) else math.nan
    return float(x)


def _population_shares(s: Mapping[str, Any]) -> dict[str, float]:
    return {f: _num(v.get("population")) for f, v in s.get("factions", {}).items()}


def _faction_field(key: str) -> Callable[[Mapping[str, Any]], dict[str, float]]:
    def value(s: Mapping[str, Any]) -> dict[str, float]:
        return {f: _num(v.get(key)) for f, v in s.get("factions", {}).items()}

    return value


def _settlement(s: Mapping[str, Any]) -> dict[str, float]:
    return {k: _num(v) for k, v in (s.get("settlement") or {}).items()}


def _end_states(s: Mapping[str, Any]) -> dict[str, float]:
    return {state: float(s.get("end_state") == state) for state in END_STATES}


def _flags(s: Mapping[str, Any]) -> dict[str, float]:
    raised = set(s.get("flags") or ())
    return {f: float(f in raised) for f in FLAGS}


def _ceasefire_months(s: Mapping[str, Any]) -> float:
    """Months the scenario's ceasefires held (summed; nan without a ceasefire)."""
    held = [
        _num(ev.get("months_held", 0))
        for ev in s.get("interventions", [])
        if ev.get("type") == "ceasefire"
    ]
    return float(sum(held)) if held else math.nan


def _classification(key: str) -> Callable[[Mapping[str, Any]], float]:
    def value(s: Mapping[str, Any]) -> float:
        return _num(s.get("classification", {}).get(key))

    return value


def _summary_key(key: str) -> Callable[[Mapping[str, Any]], float]:
    def value(s: Mapping[str, Any]) -> float:
        return _num(s.get(key))

    return value


#: the registry, in display order
HEADLINES: tuple[Headline, ...] = (
    Headline(
        "total_deaths", "deaths from all causes over the run", _summary_key("total_fatalities")
    ),
    Headline("battle_deaths", "deaths in battles over the run", _summary_key("battle_deaths")),
    Headline(
        "population_share",
        "share of the population each faction controls at the end (one outcome per faction)",
        _population_shares,
    ),
    Headline(
        "strength",
        "fighters each faction has at the end (one outcome per faction)",
        _faction_field("strength"),
    ),
    Headline(
        "legitimacy",
        "each faction's legitimacy at the end, 0-1 (one outcome per faction)",
        _faction_field("legitimacy"),
    ),
    Headline(
        "popularity",
        "each faction's population-weighted popularity at the end, 0-1",
        _faction_field("popularity"),
    ),
    Headline(
        "settlement",
        "the bargaining model's forecast settlement on each issue axis at the end, 0-1",
        _settlement,
    ),
    Headline(
        "end_state", "1 if the run ends in this end state, else 0 (one per end state)", _end_states
    ),
    Headline("flag", "1 if the run raises this flag, else 0", _flags),
    Headline("ceasefire_months", "months the scenario's ceasefires held", _ceasefire_months),
    Headline(
        "unity_index",
        "the summary's unity measure, when the model gives one",
        _summary_key("unity_index"),
    ),
    Headline(
        "jihadist_strength_ratio",
        "jihadist factions' strength at the end over that at the start",
        _classification("jihadist_strength_ratio"),
    ),
)

BY_NAME = {h.name: h for h in HEADLINES}


def headline_values(summary: Mapping[str, Any]) -> dict[str, float]:
    """Every headline outcome of one run, ``{name: value}`` (dicts expanded to
    ``name.key``; ``nan`` where it does not apply)."""
    out: dict[str, float] = {}
    for h in HEADLINES:
        v = h.value(summary)
        if isinstance(v, dict):
            out.update({f"{h.name}.{k}": float(x) for k, x in v.items()})
        else:
            out[h.name] = float(v)
    return out


def describe(outcome: str) -> str:
    """The description of an outcome name (``population_share.lna`` → its headline's)."""
    head, _, key = outcome.partition(".")
    h = BY_NAME.get(head)
    if h is None:
        return outcome
    return f"{h.description} ({key})" if key else h.description


__all__ = ["BY_NAME", "HEADLINES", "Headline", "describe", "headline_values"]
