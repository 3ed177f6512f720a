"""Mechanism direction tests: each lever moves the model the way the theory says."""

from __future__ import annotations

import numpy as np
from model_fixtures import baseline, edit, two_candidates

from libyasim.model import LibyaModel, run


def mean_flow(scenario, sponsor: str, faction: str, months: int = 6, seed: int = 1) -> float:
    m = LibyaModel(scenario, rng=seed, months=months)
    out = []
    while m.running:
        m.step()
        out.append(m.flows[m.sidx[sponsor], m.fidx[faction]].sum())
    return float(np.mean(out))


def test_counter_terrorism_weight_raises_support_to_the_faction_fighting_jihadists():
    low = mean_flow(two_candidates(ct=0.1), "far", "red")
    high = mean_flow(two_candidates(ct=0.9), "far", "red")
    assert high > low * 1.1


def test_france_counter_terrorism_weight_raises_its_support_to_the_lna():
    b = baseline()
    key = "sponsors.france.interests.counter_terrorism"
    low = mean_flow(b.with_values({key: {"value": 0.2}}), "france", "lna", months=12)
    high = mean_flow(b.with_values({key: {"value": 1.0}}), "france", "lna", months=12)
    assert high > low


ICC = [{"type": "icc_warrant", "date": "2017-08", "faction": "red", "commander": "a commander"}]


def test_icc_warrant_lowers_direct_support_to_that_faction():
    without = mean_flow(two_candidates(), "far", "red")
    with_warrant = mean_flow(two_candidates(events=ICC), "far", "red")
    assert with_warrant < 0.9 * without


def test_icc_cost_is_partly_hidden_when_support_is_routed_through_another_sponsor():
    def routed(data):
        data["sponsors"].append({"id": "proxy", "name": "Proxy", "budget": {}})
        data["relations"]["support"][0]["via"] = ["proxy"]

    direct_drop = mean_flow(two_candidates(), "far", "red") - mean_flow(
        two_candidates(events=ICC), "far", "red"
    )
    base_r, icc_r = edit(two_candidates(), routed), edit(two_candidates(events=ICC), routed)
    routed_drop = mean_flow(base_r, "far", "red") - mean_flow(icc_r, "far", "red")
    assert 0 < routed_drop < direct_drop


def test_icc_warrant_lowers_every_sponsors_utility_for_the_faction(baseline):
    def no_warrant(data):
        data["events"] = [e for e in data["events"] if e["type"] != "icc_warrant"]

    m0, m1 = LibyaModel(edit(baseline, no_warrant), rng=1), LibyaModel(baseline, rng=1)
    m0.step()
    m1.step()
    lna = m0.fidx["lna"]
    sens = m1.reputation_sensitivity > 0
    assert (m1.utility[sens, lna] < m0.utility[sens, lna]).all()


def test_removing_all_sponsors_of_one_side_weakens_it(baseline):
    side = ("gna", "misrata")

    def orphan(data):
        data["relations"]["support"] = [
            e
            for e in data["relations"]["support"]
            if not (e["to"] in side and e["from"] not in (*side, "lna", "hor"))
        ]
        for sp in data["sponsors"]:
            for k in list(sp.get("stance", {})):
                if k in side:
                    sp["stance"][k] = {"value": 0}

    full, alone = (
        run(baseline, seed=1, months=24).series,
        run(edit(baseline, orphan), seed=1, months=24).series,
    )
    for f in side:
        assert alone[f"strength.{f}"].iloc[-1] < full[f"strength.{f}"].iloc[-1]


def test_sponsor_exit_stops_its_support(baseline):
    def exit_uae(data):
        data["events"].append({"type": "sponsor_exit", "date": "2017-10", "sponsor": "uae"})

    s = run(edit(baseline, exit_uae), seed=1, months=6).series
    assert (s["support.uae.lna"].iloc[4:] == 0).all()
    assert s["support.uae.lna"].iloc[1] > 0


def test_jihadist_raids_raise_the_threat_index_and_counter_terrorism_weight():
    from libyasim.model.support import CT, utilities

    m = LibyaModel(two_candidates(), rng=2)
    m.threat = 0.0
    calm = utilities(m, np.zeros((m.S, m.F), dtype=bool))[0, m.fidx["red"]]
    m.threat = 1.0
    feared = utilities(m, np.zeros((m.S, m.F), dtype=bool))[0, m.fidx["red"]]
    assert feared > calm
    assert m.interests[0, CT] == 0.5  # the stored weight itself is unchanged
