"""Sponsor-side events in isolation (docs/events.md): sponsor_entry / sponsor_exit,
support_change, summit / recognition, arms_embargo, icc_warrant, attack."""

from __future__ import annotations

import pytest
from scenario_factory import minimal_scenario

from libyasim.model.model import LibyaModel
from libyasim.model.runner import run
from libyasim.scenario import ScenarioError, from_dict

MIL = 0


def with_events(*events: dict, **top) -> dict:
    data = minimal_scenario()
    data["events"] = list(events)
    data.update(top)
    return data


def newcomer(data: dict) -> dict:
    """Add sponsor 'near' (inactive at the start) backing blue, as a user would in YAML."""
    data["sponsors"].append(
        {
            "id": "near",
            "name": "Nearby Power",
            "active": False,
            "budget": {"military": 1.0, "financial": 1.0},
            "interests": {"influence": 0.8},
            "stance": {"blue": 0.6},
        }
    )
    data["relations"]["support"] += [
        {"from": "near", "to": "blue", "channel": "military"},
        {"from": "near", "to": "blue", "channel": "financial"},
    ]
    return data


def test_a_sponsor_that_enters_with_no_code_appears_in_the_flows():
    data = newcomer(with_events({"type": "sponsor_entry", "date": "2017-11", "sponsor": "near"}))
    r = run(from_dict(data), seed=1, months=6)
    flow = r.series.set_index("month")["support.near.blue"]
    # a row labelled M holds the flows of the month before M (the state at the start of M)
    assert (flow.loc[:"2017-11"] == 0).all()
    assert (flow.loc["2017-12":] > 0).all()
    entry = next(i for i in r.summary["interventions"] if i["type"] == "sponsor_entry")
    assert entry["result"] == "near enters, backing blue"
    # without the event it never gives anything
    quiet = run(from_dict(newcomer(with_events())), seed=1, months=6)
    assert (quiet.series["support.near.blue"] == 0).all()


def test_entry_of_an_already_active_sponsor_is_an_error():
    with pytest.raises(ScenarioError, match="active from the start"):
        from_dict(with_events({"type": "sponsor_entry", "date": "2017-11", "sponsor": "far"}))


def test_sponsor_exit_stops_its_support():
    r = run(
        from_dict(with_events({"type": "sponsor_exit", "date": "2017-10", "sponsor": "far"})),
        seed=1,
        months=5,
    )
    flow = r.series.set_index("month")["support.far.red"]
    assert flow.loc["2017-09"] > 0 and (flow.loc["2017-11":] == 0).all()


def test_support_change_budget_stance_and_channel():
    change = {
        "type": "support_change",
        "date": "2017-09",
        "sponsor": "far",
        "budget": {"financial": 2.0},
        "budget_scale": {"military": 0.5},
        "stance": {"blue": -0.5},
        "interests": {"migration": 0.9},
        "via": ["other"],
        "consensus": 0.4,
    }
    data = with_events(change)
    data["sponsors"].append({"id": "other", "name": "Other", "budget": {"political": 0.1}})
    m = LibyaModel(from_dict(data), rng=1, months=3)
    far, red, blue = m.sidx["far"], m.fidx["red"], m.fidx["blue"]
    mil0 = m.budget0[far, MIL]
    m.step()
    m.step()
    assert m.budget0[far, 1] == 2.0 and m.budget0[far, MIL] == pytest.approx(0.5 * mil0)
    assert m.stance[far, blue] == -0.5 and m.consensus[far] == 0.4
    assert m.via[(far, red)] == [m.sidx["other"]]  # now routed (indirect)
    assert m.indirect[far, red]
    back = with_events(
        change, {"type": "support_change", "date": "2017-10", "sponsor": "far", "via": []}
    )
    back["sponsors"].append({"id": "other", "name": "Other", "budget": {"political": 0.1}})
    m = LibyaModel(from_dict(back), rng=1, months=3)
    for _ in range(3):
        m.step()
    assert (far, red) not in m.via  # direct again
    rep = m.events[1].report()["result"]
    assert rep == "far changes course: support now direct"


@pytest.mark.parametrize("kind", ["summit", "recognition"])
def test_summit_lends_legitimacy_and_commitment(kind):
    ev = {
        "type": kind,
        "date": "2017-08",
        "sponsor": "far",
        "actors": ["blue"],
        "legitimacy_boost": 0.1,
        "stance_shift": 0.2,
    }
    base = LibyaModel(from_dict(with_events()), rng=1, months=2)
    m = LibyaModel(from_dict(with_events(ev)), rng=1, months=2)
    blue, far = m.fidx["blue"], m.sidx["far"]
    l0, b0 = float(m.legitimacy0[blue]), float(m.stance[far, blue])
    m.step()
    base.step()
    assert m.legitimacy0[blue] == pytest.approx(l0 + 0.1)
    assert m.stance[far, blue] == pytest.approx(b0 + 0.2)
    assert m.legitimacy[blue] > base.legitimacy[blue]


def embargo_flows(event: dict | None, routed: bool) -> tuple[float, float]:
    """Military flow far→red in month 1 with and without an embargo (same seed)."""

    def model(events):
        data = with_events(*events)
        if routed:
            data["sponsors"].append({"id": "other", "name": "Other", "budget": {"political": 0.1}})
            data["relations"]["support"][0]["via"] = ["other"]
        m = LibyaModel(from_dict(data), rng=5, months=2)
        m.step()
        return float(m.flows[m.sidx["far"], m.fidx["red"], MIL])

    return model([]), model([event] if event else [])


def test_enforced_embargo_cuts_direct_military_support():
    ev = {"type": "arms_embargo", "date": "2017-08", "enforcement": 0.9, "leakage": 0.3}
    free, cut = embargo_flows(ev, routed=False)
    assert free > 0 and cut == pytest.approx(0.1 * free)


def test_embargo_leaks_through_indirect_routes():
    ev = {"type": "arms_embargo", "date": "2017-08", "enforcement": 0.9, "leakage": 0.3}
    free, cut = embargo_flows(ev, routed=True)
    assert free > 0 and cut == pytest.approx(0.3 * free)


def test_embargo_is_lifted_after_its_end():
    ev = {"type": "arms_embargo", "date": "2017-08", "enforcement": 1.0, "end": "2017-09"}
    data = with_events(ev)
    data["sponsors"][0]["budget"] = {"military": 1.0}  # far gives red military support only
    r = run(from_dict(data), seed=1, months=4)
    flow = r.series.set_index("month")["support.far.red"]
    assert flow.loc["2017-09"] == 0 and flow.loc["2017-11"] > 0
    rep = r.summary["interventions"][0]
    assert rep["lifted"] == "2017-10" and "lifted 2017-10" in rep["result"]


def test_icc_warrant_penalises_legitimacy_and_direct_support():
    ev = {
        "type": "icc_warrant",
        "date": "2017-08",
        "faction": "red",
        "commander": "General X",
        "legitimacy_penalty": 0.1,
        "reputation_cost": 1.0,
    }
    m = LibyaModel(from_dict(with_events(ev)), rng=1, months=2)
    red = m.fidx["red"]
    l0 = float(m.legitimacy[red])
    m.step()
    assert m.legitimacy0[red] == pytest.approx(max(0.0, l0 - 0.1))
    assert m.icc_load[red] == 1.0
    assert "General X" in m.events[0].report()["result"]


def test_attack_raises_the_threat_index_and_kills():
    ev = {
        "type": "attack",
        "date": "2017-08",
        "faction": "black",
        "region": "north",
        "fatalities": 10,
    }
    data = with_events(ev, parameters={"raid_rate": 0.0})
    quiet = LibyaModel(from_dict(with_events(parameters={"raid_rate": 0.0})), rng=1, months=1)
    m = LibyaModel(from_dict(data), rng=1, months=1)
    m.step()
    quiet.step()
    assert m.threat > quiet.threat
    raid = [e for e in m.event_log if e["kind"] == "raid"]
    assert raid and raid[0]["fatalities"] == 10 and raid[0]["actor1"] == "black"
