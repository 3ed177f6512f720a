"""Scenario.with_values: the fast path for sampled values equals full validation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import SCENARIOS

from libyasim.scenario import ScenarioError, load_scenario
from libyasim.scenario.loader import from_dict, set_value

PARIS = load_scenario(SCENARIOS / "paris_2017.yaml")
UNCERTAIN = PARIS.uncertain()
PATHS = sorted(UNCERTAIN)


def _validated_in_full(scenario, overrides):
    data = scenario.resolved
    for key, value in overrides.items():
        set_value(data, key, value)
    return from_dict(data)


@st.composite
def sampled_overrides(draw):
    keys = draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=25, unique=True))
    out = {}
    for key in keys:
        lo, hi = UNCERTAIN[key]
        out[key] = draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    return out


@settings(max_examples=60, deadline=None)
@given(sampled_overrides())
def test_fast_path_equals_full_validation(overrides):
    fast = PARIS._with_sampled_values(overrides)
    assert fast is not None
    full = _validated_in_full(PARIS, overrides)
    assert fast == full
    assert fast.hash == full.hash
    assert fast.resolved == full.resolved
    for key, value in overrides.items():
        assert dict(fast.quantities())[key].value == pytest.approx(value)


def test_sampling_leaves_the_original_untouched():
    key = "factions.lna.strength"
    before = PARIS.faction("lna").strength.value
    _lo, hi = UNCERTAIN[key]
    changed = PARIS.with_values({key: hi})
    assert changed.faction("lna").strength.value == hi
    assert PARIS.faction("lna").strength.value == before
    assert changed.faction("lna").strength.assumption == PARIS.faction("lna").strength.assumption
    assert changed.hash != PARIS.hash


def test_out_of_range_and_non_numbers_take_the_validating_path():
    key = "parameters.engagement_rate"
    _lo, hi = UNCERTAIN[key]
    assert PARIS._with_sampled_values({key: hi + 1.0}) is None
    with pytest.raises(ScenarioError, match="outside its own range"):
        PARIS.with_values({key: hi + 1.0})
    assert PARIS._with_sampled_values({"title": "x"}) is None
    assert PARIS.with_values({"title": "x"}).title == "x"
    assert PARIS._with_sampled_values({key: True}) is None
