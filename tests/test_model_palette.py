"""The shared faction palette: fixed, stable and distinct colours."""

from __future__ import annotations

from libyasim.model.palette import KNOWN, NOBODY, faction_colour, faction_colours


def test_known_factions_keep_their_colours_and_are_distinct():
    assert faction_colour("lna") == KNOWN["lna"]
    assert len(set(KNOWN.values())) == len(KNOWN)
    assert faction_colour(None) == NOBODY


def test_unknown_ids_get_stable_distinct_colours():
    ids = ["turkey_backed", "tebu", "tuareg", "zintan", "qatar_militia", "wagner"]
    first = faction_colours(["lna", *ids])
    assert first == faction_colours(["lna", *ids])  # stable across calls
    assert len(set(first.values())) == len(first)  # one figure never shows two alike
    assert not set(first[i] for i in ids) & set(KNOWN.values())
