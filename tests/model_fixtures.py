"""Scenarios for the model tests: the minimal test scenario and small variants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenario_factory import minimal_scenario

from libyasim.scenario import Scenario, from_dict, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline_2017.yaml"


def mini(**changes: Any) -> Scenario:
    """The minimal scenario (red vs blue, black jihadists, sponsor 'far')."""
    data = minimal_scenario()
    data.update(changes)
    return from_dict(data)


def two_candidates(
    events: list[dict] | None = None, ct: float = 0.5, consensus: float = 1.0
) -> Scenario:
    """'far' may fund red (fights the jihadists) or blue (does not), both with equal stance."""
    data = minimal_scenario()
    data["sponsors"] = [
        {
            "id": "far",
            "name": "Faraway",
            "budget": {"military": 1.0, "financial": 1.0},
            "interests": {"counter_terrorism": ct, "un_legitimacy": 0.5},
            "stance": {"red": 0.3, "blue": 0.3},
            "consensus": consensus,
        }
    ]
    data["factions"][1]["strength"] = 3000
    data["relations"]["support"] = [
        {"from": "far", "to": "red", "channel": "military"},
        {"from": "far", "to": "blue", "channel": "military"},
    ]
    data["relations"]["hostility"] = [{"between": ["red", "black"]}]
    data["events"] = events or []
    return from_dict(data)


def baseline() -> Scenario:
    return load_scenario(BASELINE)


def edit(s: Scenario, fn) -> Scenario:
    """A scenario whose resolved data ``fn(data)`` changed in place."""
    data = s.resolved
    fn(data)
    return from_dict(data)
