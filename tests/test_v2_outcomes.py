"""Model v2, outcomes (issue 10 part 5; docs/ODD.md §7.6): every end state is reached
in the shipped scenarios, no threshold sits on an ensemble's median (±10% moves no
end-state share by more than 10 points), and the continuous measures beside the class."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from paths import SCENARIOS
from scenario_factory import minimal_scenario

from libyasim import load_scenario
from libyasim.batch import Design, load_runs, run_batch
from libyasim.model import run
from libyasim.model.outcomes import END_STATES, THRESHOLDS, decide, stored_criteria, unity_index
from libyasim.scenario import ScenarioError, from_dict

#: replicates per shipped scenario: one run moves a share by 2.5 points, so the ±10%
#: test fails when five runs of a scenario sit on one side within 10% of a threshold
#: (with 20, one run was 5 points and three runs on a side failed it: the share's own
#: sampling error, about 10 points at 20 runs, was as large as the bound)
REPLICATES = 40


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> dict[str, tuple[dict[str, float], list[dict]]]:
    """Per shipped scenario: its thresholds and the stored criteria of its runs."""
    paths = sorted(SCENARIOS.glob("*.yaml"))
    out = tmp_path_factory.mktemp("shipped") / "batch"
    run_batch(paths, out, Design(replicates=REPLICATES, root_seed=10), workers=2, progress=False)
    runs = load_runs(out)
    assert (runs["status"] == "ok").all()
    result = {}
    for p in paths:
        sc = load_scenario(p)
        t = {k: float(getattr(sc.outcomes, k).value) for k in THRESHOLDS}
        rows = [stored_criteria(r) for r in runs[runs["scenario"] == sc.id].to_dict("records")]
        assert len(rows) == REPLICATES
        result[sc.id] = (t, rows)
    return result


def shares(rows: list[dict], t: dict[str, float]) -> Counter:
    return Counter(decide(c, t)[0] for c in rows)


#: end states that no shipped scenario reaches reliably yet, with the reason and the
#: scenario proposed for them (docs/ODD.md §7.6); none since lna_marches_on_tripoli
#: (takeover) and power_sharing_election (unified_election) were added
NEEDS_A_SCENARIO: dict[str, str] = {}


@pytest.mark.slow
def test_every_end_state_is_reached_somewhere_in_the_shipped_scenarios(shipped):
    reached = Counter()
    for t, rows in shipped.values():
        reached.update(shares(rows, t))
    missing = set(END_STATES) - set(reached) - set(NEEDS_A_SCENARIO)
    assert not missing, f"never reached: {missing}"


def test_a_faction_that_takes_the_capital_and_a_majority_takes_over():
    data = minimal_scenario()
    data["months"] = 24
    data["factions"][1]["strength"] = 9000  # blue, from the south, overwhelms red's capital
    data["relations"]["hostility"] = [{"between": ["red", "blue"], "level": 1.0}]
    data["parameters"] = {"engagement_rate": 1.0}
    data["events"] = []
    data["outcomes"] = {"window_months": 6}
    seen = 0
    for seed in range(4):
        s = run(from_dict(data), seed=seed).summary
        c = s["classification"]
        if c["capital_taken"]:
            seen += 1
            assert c["capital_holder"] == "blue" and s["end_state"] == "takeover"
    assert seen > 0


@pytest.mark.slow
def test_no_threshold_sits_on_an_ensemble_median(shipped):
    worst = []
    for sid, (t, rows) in shipped.items():
        base = shares(rows, t)
        for k in THRESHOLDS:
            for factor in (0.9, 1.1):
                moved = shares(rows, {**t, k: t[k] * factor})
                for state in END_STATES:
                    d = abs(moved[state] - base[state]) * 100 / len(rows)
                    worst.append((d, sid, k, factor, state))
    bad = [w for w in worst if w[0] > 10]  # no threshold or scenario is exempt (ODD §7.6)
    assert not bad, f"shares moved > 10 points: {sorted(bad, reverse=True)[:5]}"
    assert len(worst) == len(shipped) * len(THRESHOLDS) * 2 * len(END_STATES)


def test_unity_index_known_answers():
    label = np.array([0, 0, 2])
    assert unity_index(np.array([0.5, 0.5, 0.0]), label) == pytest.approx(1.0)  # one bloc
    assert unity_index(np.array([0.25, 0.25, 0.5]), label) == pytest.approx(0.5)  # even split
    assert unity_index(np.array([0.3, 0.0, 0.1]), np.array([0, 1, 2])) == pytest.approx(
        (0.09 + 0.01) / 0.16
    )  # uncontrolled population is left out
    assert unity_index(np.zeros(3), label) == 0.0


def test_ceasefire_months_and_the_unity_index_are_in_the_summary():
    cf = run(SCENARIOS / "ceasefire_only.yaml", seed=3, months=24).summary
    held = next(i for i in cf["interventions"] if i["type"] == "ceasefire")["months_held"]
    assert cf["ceasefire_months"] == held > 0
    base = run(SCENARIOS / "baseline_2017.yaml", seed=3, months=24).summary
    assert base["ceasefire_months"] == 0
    for s in (cf, base):
        assert 0.0 < s["unity_index"] <= 1.0
        assert s["largest_bloc_population"] == pytest.approx(
            s["classification"]["top_bloc_share"], abs=1e-4
        )


def test_the_capital_is_the_named_region_or_the_most_populous():
    s = run(SCENARIOS / "baseline_2017.yaml", seed=1, months=12).summary["classification"]
    assert s["capital"] == "tripoli"
    data = minimal_scenario()
    data["parameters"] = {"engagement_rate": 0.0}  # nobody takes anything
    r = run(from_dict(data), seed=0, months=3).summary["classification"]
    assert r["capital"] == "north"  # 1,000 inhabitants against 500
    assert r["capital_holder"] == "red" and r["capital_held"] and not r["capital_taken"]
    data["outcomes"] = {"capital": "south"}
    r = run(from_dict(data), seed=0, months=3).summary["classification"]
    assert r["capital"] == "south"
    data["outcomes"] = {"capital": "sooth"}
    with pytest.raises(ScenarioError, match=r"outcomes\.capital.*unknown region 'sooth'"):
        from_dict(data)


def test_a_rejected_election_is_never_a_takeover():
    sc = load_scenario(SCENARIOS / "early_elections.yaml")
    seen = 0
    for seed in range(6):
        s = run(sc, seed=seed).summary
        c = s["classification"]
        if c["election_held"] and not c["election_accepted"]:
            seen += 1
            by_force = (
                c["capital_held"]
                and c["capital_holder_population_share"]
                >= sc.outcomes.takeover_population_share.value
            )
            assert s["end_state"] != "takeover" or by_force
    assert seen > 0  # the test can fail


@pytest.mark.slow
def test_jihadist_resurgence_is_raised_in_daesh_resurgence_not_in_the_baseline(shipped):
    # jihadist recruitment (ungoverned space, grievance, foreign fighters) comes with
    # FORCES' model/forces.py; before it, jihadists can only shrink (issue 10)
    pytest.importorskip("libyasim.model.forces", reason="jihadist recruitment not on main yet")

    def flagged(sid: str) -> int:
        t, rows = shipped[sid]
        return sum("jihadist_resurgence" in decide(c, t)[1] for c in rows)

    assert flagged("daesh_resurgence") >= REPLICATES // 2
    assert flagged("baseline_2017") < flagged("daesh_resurgence")
