"""The end-state decision split in two: criteria measured on a run, and a pure
``decide`` that can be re-applied to stored criteria (DESIGN §4.5)."""

from __future__ import annotations

import pytest
from paths import SCENARIOS

from libyasim import load_scenario
from libyasim.batch import Design, load_runs, run_batch
from libyasim.model import run
from libyasim.model.outcomes import CRITERIA, THRESHOLDS, decide, stored_criteria

#: thresholds of the default Outcomes block, as plain numbers
T = {
    "takeover_population_share": 0.5,
    "takeover_strength_share": 0.67,
    "war_fatalities": 83.3,
    "partition_min_share": 0.2,
    "frozen_front_deaths": 25.0,
    "resurgence_ratio": 1.5,
}
#: criteria of a quiet run that is none of the end states: two hostile blocs still
#: fighting below war level, the capital held by the faction that held it at the start
QUIET = {
    "window_months": 12,
    "mean_battle_deaths": 10.0,
    "top_population_share": 0.45,
    "top_strength_share": 0.5,
    "capital_held": True,
    "capital_taken": False,
    "capital_holder_population_share": 0.4,
    "top_bloc_share": 0.5,
    "second_bloc_share": 0.4,
    "blocs_hostile": True,
    "deaths_between_blocs_per_year": 120.0,
    "election_held": False,
    "election_accepted": False,
    "election_winner_strength_share": 0.0,
    "jihadist_strength_start": 1000.0,
    "jihadist_strength_end": 1000.0,
    "jihadist_strength_ratio": 1.0,
}


def with_(**kw):
    return {**QUIET, **kw}


def test_quiet_run_is_status_quo():
    assert decide(QUIET, T) == ("status_quo", [])


ELECTED = {"election_held": True, "election_accepted": True}


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        # a military takeover: the capital taken, and a majority of the population
        ({"capital_taken": True, "capital_holder_population_share": 0.5}, "takeover"),
        ({"capital_taken": True, "capital_holder_population_share": 0.49}, "status_quo"),
        # ... not by the faction that held the capital at the start, however large
        ({"capital_holder_population_share": 0.9}, "status_quo"),
        (
            {"capital_taken": True, "capital_held": False, "capital_holder_population_share": 0.6},
            "status_quo",
        ),
        # a takeover by election: accepted, and the winner then dominates the forces
        ({**ELECTED, "election_winner_strength_share": 0.67}, "takeover"),
        ({**ELECTED, "election_winner_strength_share": 0.66}, "unified_election"),
        # a rejected election is no takeover, however strong the winner
        ({"election_held": True, "election_winner_strength_share": 0.9}, "status_quo"),
        ({"mean_battle_deaths": 83.3}, "renewed_war"),
        ({"mean_battle_deaths": 83.2}, "status_quo"),
        ({"deaths_between_blocs_per_year": 24.9}, "partition"),
        ({"deaths_between_blocs_per_year": 25.0}, "status_quo"),
        ({"deaths_between_blocs_per_year": 0.0, "blocs_hostile": False}, "status_quo"),
        ({"deaths_between_blocs_per_year": 0.0, "second_bloc_share": 0.19}, "status_quo"),
        # the order of the rules: takeover before war before election before partition
        (
            {
                "mean_battle_deaths": 200.0,
                "capital_taken": True,
                "capital_holder_population_share": 0.7,
            },
            "takeover",
        ),
        ({**ELECTED, "mean_battle_deaths": 200.0}, "renewed_war"),
        ({**ELECTED, "deaths_between_blocs_per_year": 0.0}, "unified_election"),
    ],
)
def test_each_rule_and_their_order(changes, state):
    assert decide(with_(**changes), T)[0] == state


def test_resurgence_flag_needs_jihadists_at_the_start():
    assert decide(with_(jihadist_strength_end=1500.0), T)[1] == ["jihadist_resurgence"]
    assert decide(with_(jihadist_strength_end=1499.0), T)[1] == []
    assert decide(with_(jihadist_strength_start=0.0, jihadist_strength_end=50.0), T)[1] == []


def test_moving_a_threshold_moves_the_decision():
    c = with_(mean_battle_deaths=80.0)
    assert decide(c, T)[0] == "status_quo"
    assert decide(c, {**T, "war_fatalities": 76.5})[0] == "renewed_war"
    c = with_(capital_taken=True, capital_holder_population_share=0.47)
    assert decide(c, T)[0] == "status_quo"
    assert decide(c, {**T, "takeover_population_share": 0.45})[0] == "takeover"


def test_decide_on_the_live_criteria_reproduces_every_run():
    for name in ("baseline_2017", "paris_2017", "early_elections"):
        sc = load_scenario(SCENARIOS / f"{name}.yaml")
        for seed in range(3):
            s = run(sc, seed=seed, months=30).summary
            c = s["classification"]
            assert set(CRITERIA) <= set(c)
            assert decide(c, sc.outcomes) == (s["end_state"], s["flags"])


def test_stored_criteria_in_a_batch_decide_every_run_again(tmp_path):
    sc = load_scenario(SCENARIOS / "paris_2017.yaml")
    run_batch([sc], tmp_path / "b", Design(replicates=6, root_seed=3, months=20), progress=False)
    runs = load_runs(tmp_path / "b")
    assert {f"fig__classification__{k}" for k in CRITERIA} <= set(runs.columns)
    thresholds = {k: float(getattr(sc.outcomes, k).value) for k in THRESHOLDS}
    for row in runs.to_dict("records"):
        state, flags = decide(stored_criteria(row), thresholds)
        assert state == row["end_state"]
        assert flags == list(row["flags_raised"])
