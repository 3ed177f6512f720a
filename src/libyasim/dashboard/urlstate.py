"""The view in the URL: page, scenario, seed and levers, so a link can be shared
and a reload lands on the same view.

``/evidence?scenario=baseline_2017.yaml&seed=7&sponsors.italy.stance.lna=0.5``:
the page is the path; ``scenario`` names a catalogue entry; ``seed`` the Run
page's seed; every other key with a dot is a lever (``{path: value}``, a number
or a ``YYYY-MM`` month). Uploaded files and variants live only in their browser
session, so a link naming one falls back to the first shipped scenario, with a
note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

#: keys that are not levers
SCENARIO_KEY = "scenario"
SEED_KEY = "seed"
LOCATOR_KEY = "locator"


@dataclass(frozen=True)
class UrlState:
    scenario: str | None = None
    seed: int | None = None
    levers: dict[str, Any] = field(default_factory=dict)
    locator: str | None = None  # an Evidence-page locator (seed:p3s1)
    problems: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.scenario is None and self.seed is None and not self.levers


def _value(text: str) -> Any:
    try:
        x = float(text)
    except ValueError:
        return text  # a month, checked with the scenario like any lever
    if not math.isfinite(x):
        raise ValueError(text)
    return x


def decode(search: str | None) -> UrlState:
    """Parse a query string (without the ``?``); never raises: what cannot be
    read is left out and named in ``problems``."""
    scenario = seed = locator = None
    levers: dict[str, Any] = {}
    problems: list[str] = []
    for key, text in parse_qsl(search or "", keep_blank_values=True):
        if key == SCENARIO_KEY:
            scenario = text or None
        elif key == SEED_KEY:
            try:
                seed = int(text)
                if seed < 0:
                    raise ValueError
            except ValueError:
                problems.append(f"seed={text!r} in the link is not a whole number >= 0")
                seed = None
        elif key == LOCATOR_KEY:
            locator = text or None
        elif "." in key:
            try:
                levers[key] = _value(text)
            except ValueError:
                problems.append(f"{key}={text!r} in the link is not a number")
        else:
            problems.append(f"{key!r} in the link is not understood")
    return UrlState(scenario, seed, levers, locator, tuple(problems))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def encode(state: UrlState) -> str:
    """The query string for ``state`` (stable order: scenario, seed, levers by path)."""
    pairs: list[tuple[str, str]] = []
    if state.scenario:
        pairs.append((SCENARIO_KEY, state.scenario))
    if state.seed is not None:
        pairs.append((SEED_KEY, str(state.seed)))
    pairs += [(k, _text(state.levers[k])) for k in sorted(state.levers)]
    if state.locator:
        pairs.append((LOCATOR_KEY, state.locator))
    return urlencode(pairs, safe=":")
