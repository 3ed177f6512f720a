"""libyasim.experiment: one run as flat numbers, with event levers on a fast path."""

from __future__ import annotations

import pytest
from paths import SCENARIOS

from libyasim import ScenarioError, experiment, load_scenario
from libyasim.experiment import event_levers, outcome_names
from libyasim.model import run
from libyasim.model.outcomes import END_STATES
from libyasim.scenario import from_dict

PARIS = SCENARIOS / "paris_2017.yaml"


@pytest.fixture(scope="module")
def paris():
    return load_scenario(PARIS)


def test_outcomes_are_flat_numbers_named_for_sql(paris):
    out = experiment(paris, seed=2, months=6)
    assert all(isinstance(v, float) for v in out.values())
    assert all(k.isidentifier() and "." not in k for k in out)
    assert sum(out[f"end_state__{s}"] for s in END_STATES) == 1.0
    result = run(paris, seed=2, months=6)
    assert out[f"end_state__{result.end_state}"] == 1.0
    assert out["factions__lna__strength"] == result.summary["factions"]["lna"]["strength"]
    assert out["battle_deaths"] == result.summary["battle_deaths"]
    # the same names for every run of the scenario, whatever happened in it
    assert list(out) == outcome_names(paris) == list(experiment(PARIS, seed=9, months=2))


def test_same_seed_same_outcomes_and_path_equals_loaded(paris):
    assert experiment(paris, seed=4, months=6) == experiment(str(PARIS), seed=4, months=6)


def test_switching_an_event_off_is_the_scenario_without_it(paris):
    data = paris.resolved
    data["events"] = [e for e in data["events"] if e.get("id") != "paris_ceasefire"]
    without = from_dict(data)
    lever = {"events.paris_ceasefire.enabled": False}
    assert experiment(paris, seed=3, months=12, **lever) == experiment(without, seed=3, months=12)
    assert event_levers(paris, lever) == without
    assert event_levers(paris, lever).hash == without.hash
    kept = event_levers(paris, {"events.paris_ceasefire.enabled": True})
    assert kept == paris and kept.hash == paris.hash


def test_redating_an_event_equals_full_validation(paris):
    lever = {"events.paris_election.date": "2018-09"}
    fast = event_levers(paris, lever)
    full = paris.with_values(lever)
    assert fast == full and fast.hash == full.hash
    assert experiment(paris, seed=1, months=18, **lever) == experiment(full, seed=1, months=18)
    # by index too, and a date object
    import datetime as dt

    idx = [e.id for e in paris.events].index("paris_election")
    by_index = event_levers(paris, {f"events.{idx}.date": dt.date(2018, 9, 1)})
    assert by_index == full


def test_bad_event_levers_are_one_located_error_each(paris):
    with pytest.raises(ScenarioError) as err:
        event_levers(
            paris,
            {
                "events.nope.enabled": False,
                "events.paris_summit.enabled": "no",
                "events.paris_election.date": "2020-09",  # after its deadline
                "events.paris_ceasefire.date": 201809,
            },
        )
    text = str(err.value)
    assert len(err.value.problems) == 4
    assert "events.nope.enabled: no event 'nope'" in text
    assert "must be true or false" in text
    assert "deadline 2019-12 comes before date 2020-09" in text
    assert "must be a month YYYY-MM" in text


def test_numbers_and_levers_together(paris):
    out = experiment(
        paris,
        seed=5,
        months=6,
        **{"parameters.engagement_rate": 0.2, "events.paris_ceasefire.enabled": False},
    )
    spec = event_levers(
        paris.with_values({"parameters.engagement_rate": 0.2}),
        {"events.paris_ceasefire.enabled": False},
    )
    assert out == experiment(spec, seed=5, months=6)
