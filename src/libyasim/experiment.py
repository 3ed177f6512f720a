"""One experiment as flat numbers: the function exploratory-modelling tools call.

``experiment(scenario, seed=..., **{"dotted.path": value})`` runs the
scenario with the given overrides and returns a flat ``{name: float}`` of its
outcomes, named for SQL and EMA Workbench (:mod:`libyasim.batch.columns`):

- ``end_state__<state>`` — 1.0 for the run's end state, 0.0 for the others;
- ``flag__<flag>`` — 1.0 if the flag was raised (``jihadist_resurgence``);
- every key figure of the run summary, dots as ``__``:
  ``total_fatalities``, ``battle_deaths``, ``months_of_fighting``,
  ``battles``, ``control_changes``, ``threat_index``,
  ``settlement__<issue>``, ``factions__<faction>__strength`` (and
  ``strength_start``, ``territory``, ``population``, ``legitimacy``,
  ``popularity``), ``classification__<criterion>`` (booleans as 0/1).

The names are the same for every run of a scenario (use :func:`outcome_names`).

Overrides are scenario paths (docs/user-guide.md §3.12). Two kinds of event
lever take a fast path that re-validates only the event they touch, not the
whole scenario:

- ``events.<id>.enabled`` — ``False`` removes the event from the run;
- ``events.<id>.date`` — moves it to another month (``"2018-09"``).

(``<id>`` may also be the event's index in ``events``.) Numbers inside their
parameter's range take :meth:`Scenario.with_values`'s fast path; anything
else is validated in full.

>>> from libyasim import experiment                                  # doctest: +SKIP
>>> out = experiment("scenarios/paris_2017.yaml", seed=3, months=24,
...                  **{"events.paris_ceasefire.enabled": False,
...                     "parameters.engagement_rate": 0.3})          # doctest: +SKIP
>>> out["end_state__renewed_war"], out["factions__lna__strength"]   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from .scenario import Problem, Scenario, ScenarioError, load_scenario

__all__ = ["event_levers", "experiment", "outcome_names", "outcomes_of"]

_EVENT_LEVER = re.compile(r"^events\.(?P<event>[^.]+)\.(?P<field>enabled|date)$")


def experiment(
    scenario: Scenario | str | Path,
    seed: int | None = None,
    months: int | None = None,
    **overrides: Any,
) -> dict[str, float]:
    """Run ``scenario`` once with ``overrides``; its outcomes as ``{name: float}``.

    ``seed`` defaults to the scenario's ``seed``; ``months`` to its length.
    """
    from .model import run

    spec = _scenario(scenario)
    levers = {k: v for k, v in overrides.items() if _EVENT_LEVER.match(k)}
    values = {k: _plain(v) for k, v in overrides.items() if k not in levers}
    if values:
        spec = spec.with_values(values)
    if levers:
        spec = event_levers(spec, levers)
    result = run(spec, seed=spec.seed if seed is None else int(seed), months=months)
    return outcomes_of(result.summary)


def outcomes_of(summary: dict[str, Any]) -> dict[str, float]:
    """The flat outcomes of a run summary (see the module docstring)."""
    from .batch.columns import SEP, column_name
    from .batch.worker import key_figures
    from .model.outcomes import END_STATES, FLAGS

    out = {f"end_state{SEP}{s}": float(summary["end_state"] == s) for s in END_STATES}
    out.update({f"flag{SEP}{f}": float(f in summary["flags"]) for f in FLAGS})
    for key, value in key_figures(summary).items():
        if not key.startswith("election."):  # present only when an election was held
            out[column_name(key)] = float(value)
    return out


def outcome_names(scenario: Scenario | str | Path) -> list[str]:
    """The names :func:`experiment` returns for ``scenario`` (a one-month run)."""
    return list(experiment(scenario, seed=0, months=1))


def event_levers(scenario: Scenario, levers: dict[str, Any]) -> Scenario:
    """``scenario`` with events switched off (``events.<id>.enabled``) or re-dated
    (``events.<id>.date``), re-validating only the events that change."""
    events = list(scenario.events)
    data = scenario._resolved
    raw = list(data.get("events", [])) if data is not None else None
    drop: set[int] = set()
    problems: list[Problem] = []
    where = str(scenario.path or scenario.id)
    for key, value in levers.items():
        m = _EVENT_LEVER.match(key)
        if m is None:
            raise KeyError(f"{key!r} is not an event lever (events.<id>.enabled or .date)")
        i = _event_index(events, m["event"])
        if i is None:
            known = ", ".join(e.id or str(j) for j, e in enumerate(events)) or "none"
            problems.append(Problem(where, None, key, f"no event {m['event']!r} (events: {known})"))
            continue
        if m["field"] == "enabled":
            if not isinstance(value, bool | np.bool_):
                problems.append(Problem(where, None, key, f"must be true or false; got {value!r}"))
            elif not value:
                drop.add(i)
            continue
        month = _month(value)
        if month is None:
            problems.append(Problem(where, None, key, f"must be a month YYYY-MM; got {value!r}"))
            continue
        ev = events[i]
        try:
            events[i] = type(ev).model_validate({**dict(ev), "date": month})
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(where, None, key, str(err["msg"])))
            continue
        if raw is not None:
            raw[i] = {**raw[i], "date": month}
    if problems:
        raise ScenarioError(problems)
    keep = [j for j in range(len(events)) if j not in drop]
    new: Any = scenario.model_copy(update={"events": [events[j] for j in keep]})
    resolved = None if raw is None or data is None else {**data, "events": [raw[j] for j in keep]}
    new._attach(resolved, scenario.path)
    new._quantity_locs = None  # event indices may have moved
    return new


def _event_index(events: list[Any], ident: str) -> int | None:
    for j, e in enumerate(events):
        if e.id == ident:
            return j
    if ident.isdigit() and int(ident) < len(events):
        return int(ident)
    return None


def _month(value: Any) -> str | None:
    """A ``YYYY-MM`` text (checked by the event's own validation) from text or a date."""
    if isinstance(value, dt.date | np.datetime64):
        return str(np.datetime64(value, "M"))
    return value if isinstance(value, str) else None


def _plain(value: Any) -> Any:
    """numpy scalars (what samplers give) as Python numbers."""
    return value.item() if isinstance(value, np.generic) else value


@functools.lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int) -> Scenario:
    return load_scenario(path)


def _scenario(scenario: Scenario | str | Path) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    path = Path(scenario).resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return load_scenario(scenario)  # its own located error
    return _load(str(path), mtime)
