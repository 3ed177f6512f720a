"""Elections (docs/events.md, docs/ODD.md §7.5): vote shares, preconditions,
postponement and abandonment, accepting or rejecting, takeover by election."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_factory import minimal_scenario

from libyasim.events.election import (
    CeasefireBehaviour,
    ElectionBehaviour,
    accept_value,
    fight_value,
    reject_probability,
    vote_shares,
)
from libyasim.model.model import LibyaModel
from libyasim.model.runner import run
from libyasim.scenario import ScenarioError, from_dict


def scenario(election: dict, *, red_pop=0.2, blue_pop=0.6, red=3000, blue=2000, extra=()) -> dict:
    """An election in a two-region scenario; no legal delays and no vetoes unless the
    test asks for them (those are tested on their own below)."""
    election = {"legal_delay": 0.0, "veto_strength": 1.0, **election}
    data = minimal_scenario()
    data["factions"][0].update(strength=red, popularity=red_pop)
    data["factions"][1].update(strength=blue, popularity=blue_pop)
    data["factions"][2]["popularity"] = 0.9  # popular, but a jihadist group never stands
    data["events"] = [{"type": "election", "date": "2017-09", **election}, *extra]
    return data


def election_of(m: LibyaModel) -> ElectionBehaviour:
    return next(e for e in m.events if isinstance(e, ElectionBehaviour))


def report(r, kind="election"):
    return next(i for i in r.summary["interventions"] if i["type"] == kind)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5),
    st.integers(1, 6),
    st.floats(0.0, 1.0),
    st.data(),
)
def test_vote_shares_sum_to_one(n_factions, n_regions, coercion, data):
    pop = np.array(
        data.draw(
            st.lists(
                st.lists(st.floats(0, 1), min_size=n_regions, max_size=n_regions),
                min_size=n_factions,
                max_size=n_factions,
            )
        )
    )
    control = np.array(
        data.draw(st.lists(st.integers(-1, n_factions - 1), min_size=n_regions, max_size=n_regions))
    )
    weights = np.array(
        data.draw(st.lists(st.floats(0.01, 1), min_size=n_regions, max_size=n_regions))
    )
    candidates = np.arange(n_factions)[: max(1, n_factions - 1)]  # the last one may not stand
    v = vote_shares(pop, control, candidates, weights / weights.sum(), coercion)
    assert v.shape == (len(candidates),)
    assert v.sum() == pytest.approx(1.0) and (v >= -1e-12).all()


def test_coercion_delivers_the_controllers_region():
    pop = np.array([[0.1, 0.1], [0.9, 0.9]])
    control = np.array([0, 1])
    free = vote_shares(pop, control, np.array([0, 1]), np.array([0.5, 0.5]), 0.0)
    forced = vote_shares(pop, control, np.array([0, 1]), np.array([0.5, 0.5]), 1.0)
    assert free == pytest.approx([0.1, 0.9]) and forced == pytest.approx([0.5, 0.5])


def test_eligible_parties_share_the_vote_and_jihadists_get_none():
    r = run(from_dict(scenario({})), seed=1, months=3)
    shares = report(r)["shares"]
    assert set(shares) == {"red", "blue"}  # 'black' is popular but a jihadist group
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)


def test_a_jihadist_may_not_be_named_eligible():
    with pytest.raises(ScenarioError, match=r"events\[0\]\.eligible\[1\].*'black' may not stand"):
        from_dict(scenario({"eligible": ["red", "black"]}))


def test_preconditions_never_met_postponed_then_abandoned():
    attacks = [
        {
            "type": "attack",
            "date": f"{y}-{mo:02d}",
            "faction": "black",
            "region": "south",
            "fatalities": 5,
        }
        for y, mo in [(2017, 9), (2017, 10), (2017, 11), (2017, 12), (2018, 1), (2018, 2)]
    ]
    data = scenario(
        {
            "asap": True,
            "deadline": "2018-01",
            "preconditions": {"max_monthly_fatalities": 1, "months": 2},
        },
        extra=attacks,
    )
    r = run(from_dict(data), seed=1, months=8)
    el = report(r)
    assert el["held"] is None and el["abandoned"] == "2018-01"
    assert el["postponed_months"] == 4  # 2017-09 .. 2017-12
    assert "abandoned in 2018-01" in el["result"]
    kinds = list(r.events["kind"])
    assert "election_held" not in kinds
    assert kinds.index("election_postponed") < kinds.index("election_abandoned")
    assert r.summary["election"] is None


def test_preconditions_met_after_a_postponement_the_vote_is_held():
    data = scenario(
        {
            "asap": True,
            "deadline": "2019-01",
            "preconditions": {"max_monthly_fatalities": 1e6, "months": 3},
        }
    )
    el = report(run(from_dict(data), seed=1, months=8))
    # needs three months of history: 2017-08 (step 1) .. 2017-10
    assert el["held"] == "2017-10" and el["postponed_months"] == 1
    assert "after 1 months' postponement" in el["result"]


def test_accept_and_fight_values_known_answers():
    assert accept_value(0.3, 0.1) == pytest.approx(0.37)
    assert accept_value(0.3, 1.0) == pytest.approx(1.0)
    # with the settlement: g + (1 - g)((1 - w) vote + w power share)
    assert accept_value(0.3, 0.1, 0.5, 0.5) == pytest.approx(0.1 + 0.9 * 0.4)
    assert fight_value(0.8, 0.1) == pytest.approx(0.7)
    assert reject_probability(0.4, 0.3, 0.0) == 1.0 and reject_probability(0.3, 0.4, 0.0) == 0.0
    assert reject_probability(0.35, 0.35, 0.05) == pytest.approx(0.5)
    assert reject_probability(0.4, 0.3, 0.05) == pytest.approx(1 / (1 + np.exp(-2)))


def test_noisy_rejection_follows_its_probability():
    """With decision noise, a loser just short of preferring war rejects sometimes."""
    data = scenario(
        {"coercion": 0.0, "power_share": 0.0, "war_cost": 0.0, "decision_noise": 0.3},
        red=2600,
        blue=2000,
        red_pop=0.3,
        blue_pop=0.5,
    )
    outcomes = [report(run(from_dict(data), seed=k, months=3))["rejected_by"] for k in range(30)]
    rejected = sum(o == ["red"] for o in outcomes)
    assert 0 < rejected < 30


def rejecting(power_share: float) -> LibyaModel:
    """blue wins the vote; red is far stronger; a red–blue ceasefire is in force."""
    data = scenario(
        {
            "coercion": 0.0,
            "power_share": power_share,
            "war_cost": 0.0,
            "decision_noise": 0.0,
        },
        red=9000,
        blue=1000,
        extra=[
            {
                "type": "ceasefire",
                "date": "2017-08",
                "parties": ["red", "blue"],
                "peace_dividend": 5.0,
            }
        ],
    )
    m = LibyaModel(from_dict(data), rng=1, months=4)
    for _ in range(2):
        m.step()
    return m


def test_loser_whose_war_value_exceeds_its_share_rejects():
    m = rejecting(power_share=0.0)
    el, cf = election_of(m), next(e for e in m.events if isinstance(e, CeasefireBehaviour))
    x = el.effects
    assert x["winner"] == "blue" and x["rejected_by"] == ["red"] and not x["accepted"]
    assert x["decisions"]["red"]["fight"] > x["decisions"]["red"]["accept"]
    red, blue = m.fidx["red"], m.fidx["blue"]
    assert m.hostility[red, blue] == 1.0
    # the rejection ends the ceasefire binding the loser
    assert (
        not cf.active
        and cf.broken_by == "red"
        and cf.effects["cause"] == "rejected the election result"
    )
    assert "rejected by red" in el.result() and "ends ceasefire_1" in el.result()


def test_loser_with_a_large_enough_share_accepts():
    m = rejecting(power_share=1.0)  # a full share of power beats any war
    x = election_of(m).effects
    assert x["accepted"] and x["accepted_by"] == ["red"]
    cf = next(e for e in m.events if isinstance(e, CeasefireBehaviour))
    assert cf.active
    # accepted: a unity government — no hostility, one command, recognition to it
    red, blue = m.fidx["red"], m.fidx["blue"]
    assert m.hostility[red, blue] == 0.0 and m.alliance[red, blue] == 1.0
    assert m.unity[[red, blue]].all() and m.unity_formed["how"] == "election"
    assert m.un_recognised[blue] == 1.0 and m.un_recognised[red] == 1.0
    assert "unity government of" in election_of(m).result()


def test_rejected_election_splits_institutions_and_forms_no_unity_government():
    m = rejecting(power_share=0.0)
    assert not m.unity.any() and m.unity_formed is None
    assert m.institutions_split["rejecting"] == ["red"]
    assert "institutions_split" in [e["kind"] for e in m.event_log]


def test_takeover_by_election_needs_an_accepted_vote_and_a_dominant_winner():
    # red is popular, controls the larger region and holds most of the force; blue accepts
    data = scenario(
        {"power_share": 1.0, "decision_noise": 0.0}, red_pop=0.7, blue_pop=0.2, red=6000, blue=1000
    )
    r = run(from_dict(data), seed=1, months=4)
    el = report(r)
    assert el["winner"] == "red" and el["accepted"]
    assert r.summary["election"]["winner_force_share"] > 0.6
    assert r.end_state == "takeover"
    # the same accepted vote, when the winner does not dominate the armed forces, is no takeover
    data["outcomes"] = {"takeover_strength_share": 0.99}
    assert run(from_dict(data), seed=1, months=4).end_state != "takeover"
    # the same winner, rejected by the loser: no takeover by election
    data = scenario(
        {"power_share": 0.0, "decision_noise": 0.0, "war_cost": 0.0},
        red_pop=0.7,
        blue_pop=0.2,
        red=6000,
        blue=5000,
    )
    r = run(from_dict(data), seed=1, months=4)
    assert report(r)["rejected_by"] == ["blue"]
    assert r.end_state != "takeover" or r.summary["classification"]["top_population_share"] >= 0.7


def test_fixed_date_ignores_preconditions():
    data = scenario({"asap": False, "preconditions": {"max_monthly_fatalities": 0, "months": 12}})
    el = report(run(from_dict(data), seed=1, months=3))
    assert el["held"] == "2017-09" and el["postponed_months"] == 0


def test_deadline_before_date_is_an_error():
    with pytest.raises(ScenarioError, match="deadline 2017-08 comes before date 2017-09"):
        from_dict(scenario({"asap": True, "deadline": "2017-08"}))
