"""Small, valid scenarios for tests: build in memory, write to ``tmp_path``.

``minimal_scenario()`` returns a fresh plain dict that validates; tests change
one thing and check what the loader says. ``write_scenario`` dumps a dict (or
text) as YAML to a file, so the loader sees real files and line numbers.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

# An invented source document (not the project's seed article) for locator tests.
SAMPLE_DOCUMENT = (
    "The river town holds a market every week. Traders come from the hills.\n"
    "\n"
    "The northern militia guards the bridge. Its leader wants a seat on the council!\n"
    "Few expect elections soon.\n"
)

_BASE: dict[str, Any] = {
    "id": "mini",
    "title": "A minimal test scenario",
    "start": "2017-08",
    "months": 12,
    "seed": 7,
    "regions": [
        {
            "id": "north",
            "name": "North",
            "population": 1000,
            "lat": 32.0,
            "lon": 13.0,
            "coastal": True,
            "neighbours": ["south"],
            "controller": "red",
        },
        {
            "id": "south",
            "name": "South",
            "population": {"value": 500, "range": [400, 600], "assumption": "a guess for tests"},
            "lat": 27.0,
            "lon": 14.0,
            "neighbours": ["north"],
            "controller": "blue",
        },
    ],
    "factions": [
        {
            "id": "red",
            "name": "Red Army",
            "kind": "armed_coalition",
            "strength": 3000,
            "positions": {"role": 0.8},
        },
        {
            "id": "blue",
            "name": "Blue Council",
            "kind": "state",
            "strength": {
                "value": 2000,
                "range": [1500, 2500],
                "assumption": "rough public estimates",
            },
            "un_recognised": True,
            "positions": {"role": 0.2},
        },
        {"id": "black", "name": "Black Flag", "kind": "jihadist", "strength": 300},
    ],
    "sponsors": [
        {
            "id": "far",
            "name": "Faraway",
            "budget": {"military": 1.0, "political": 0.5},
            "interests": {"counter_terrorism": 0.7},
            "stance": {"red": 0.5},
        },
    ],
    "relations": {
        "support": [{"from": "far", "to": "red", "channel": "military"}],
        "hostility": [{"between": ["red", "blue"], "level": 0.5}, {"between": ["red", "black"]}],
        "alliance": [],
    },
    "issues": [{"id": "role", "name": "Role of the general", "low": "none", "high": "sole ruler"}],
    "events": [
        {"type": "ceasefire", "date": "2017-10", "parties": ["red", "blue"], "broker": "far"},
    ],
}


def minimal_scenario() -> dict[str, Any]:
    """A fresh, valid scenario mapping (deep copy: mutate freely)."""
    return copy.deepcopy(_BASE)


def rescuer(active: bool) -> dict[str, Any]:
    """:func:`minimal_scenario` with a sponsor ``near`` (active or not) that rescues
    ``blue`` when it is about to fall (military and direct support edges to it)."""
    data = minimal_scenario()
    data["sponsors"].append(
        {
            "id": "near",
            "name": "Nearby Power",
            "active": active,
            "budget": {"military": 1.0, "direct": 1.0},
            "max_effort": 4.0,
            "interests": {"influence": 0.8},
            "stance": {"blue": 0.6},
            "rescues": ["blue"],
        }
    )
    data["relations"]["support"] += [
        {"from": "near", "to": "blue", "channel": "military"},
        {"from": "near", "to": "blue", "channel": "direct"},
    ]
    return data


def with_document(
    data: dict[str, Any], text: str = SAMPLE_DOCUMENT, doc: str = "town", cite: str = "p2s1"
) -> dict[str, Any]:
    """``data`` with ``text`` registered as document ``doc`` and one number citing ``doc:cite``."""
    from libyasim.scenario.provenance import sentence_hash, sentences, sha256_text

    found = sentences(text)
    data["documents"] = {
        doc: {
            "title": "An invented town",
            "date": "2017-01",
            "sha256": sha256_text(text),
            "sentences": {cite: sentence_hash(found[cite])},
        }
    }
    data["factions"][0]["strength"] = {
        "value": 3000,
        "range": [2000, 4000],
        "source": f"{doc}:{cite}",
        "note": "the militia is said to guard the bridge",
    }
    return data


def dump_yaml(data: Any) -> str:
    """YAML text for plain data, keys in insertion order (``id`` first)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def write_scenario(path: Path, data: Any) -> Path:
    """Write ``data`` (a mapping, or YAML text) to ``path`` and return it."""
    path.write_text(data if isinstance(data, str) else dump_yaml(data), encoding="utf-8")
    return path


def line_of(text: str, pattern: str, nth: int | None = None) -> int:
    """The 1-based number of the line of ``text`` matching the regex ``pattern``:
    the only one, or the ``nth`` (0-based) of several."""
    import re

    hits = [i for i, line in enumerate(text.splitlines(), 1) if re.search(pattern, line)]
    if nth is not None:
        return hits[nth]
    assert len(hits) == 1, f"{pattern!r} matches lines {hits}"
    return hits[0]
