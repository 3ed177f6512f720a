"""Ceasefire (docs/events.md, docs/ODD.md §7.5): binding, the decision to break,
spoilers, sanctions by enforcers, the report."""

from __future__ import annotations

import pytest
from model_fixtures import ROOT, mini
from scenario_factory import minimal_scenario

from libyasim.events.ceasefire import CeasefireBehaviour, war_gain
from libyasim.model.model import LibyaModel
from libyasim.model.runner import run
from libyasim.scenario import ScenarioError, from_dict, load_scenario

PAIR = frozenset({"red", "blue"})


def fighting(**ceasefire) -> dict:
    """red and blue at full hostility, always engaging; a ceasefire from the start."""
    data = minimal_scenario()
    data["relations"]["hostility"] = [
        {"between": ["red", "blue"], "level": 1.0},
        {"between": ["red", "black"]},
    ]
    data["parameters"] = {"engagement_rate": 1.0}
    data["events"] = [
        {"type": "ceasefire", "date": "2017-08", "parties": ["red", "blue"], **ceasefire}
    ]
    return data


def pair_battles(events, upto_step: int | None = None) -> int:
    b = events[events["kind"] == "battle"]
    if upto_step is not None:
        b = b[b["step"] <= upto_step]
    return int((b[["actor1", "actor2"]].apply(frozenset, axis=1) == PAIR).sum()) if len(b) else 0


def cease(m: LibyaModel) -> CeasefireBehaviour:
    return next(e for e in m.events if isinstance(e, CeasefireBehaviour))


def test_war_gain_known_answer():
    # p·prize − (1 − p)·stake − cost·(1 − p) = 0.32 − 0.1 − 0.02
    assert war_gain(0.8, 0.4, 0.5, 0.1) == pytest.approx(0.2)
    assert war_gain(0.5, 0.3, 0.3, 0.0) == pytest.approx(0.0)


def test_no_battles_between_parties_while_kept():
    held = from_dict(fighting(peace_dividend=5.0, spoiler_sensitivity=0.0))
    free = from_dict({**fighting(), "events": []})
    for seed in range(3):
        r = run(held, seed=seed, months=8)
        cf = next(i for i in r.summary["interventions"] if i["type"] == "ceasefire")
        assert cf["broken_by"] is None and cf["months_held"] == 8
        assert pair_battles(r.events) == 0
        assert pair_battles(run(free, seed=seed, months=8).events) > 0  # the test can fail


@pytest.mark.parametrize("seed", range(4))
def test_paris_parties_never_fight_before_the_break(seed):
    r = run(ROOT / "scenarios" / "paris_2017.yaml", seed=seed, months=24)
    cf = next(i for i in r.summary["interventions"] if i["id"] == "paris_ceasefire")
    b = r.events[r.events["kind"] == "battle"]
    if cf["broken"]:
        b = b[b["month"] <= cf["broken"]]  # battles resume the month after the break
    pairs = [frozenset(x) for x in zip(b["actor1"], b["actor2"], strict=True)]
    assert frozenset({"lna", "gna"}) not in pairs


def test_party_whose_gain_rises_above_the_threshold_breaks_it():
    s = from_dict(fighting(peace_dividend=0.1, spoiler_sensitivity=0.0, monitoring=0.0))
    m = LibyaModel(s, rng=2, months=12)
    red, blue = m.fidx["red"], m.fidx["blue"]
    for _ in range(3):
        m.step()
    cf = cease(m)
    gain, keep = cf.temptation(red)
    assert cf.active and gain <= keep, "red should keep the ceasefire while the sides are close"
    m.garrison[red] *= 30.0  # red becomes overwhelmingly stronger
    m.sync_strength()
    gain, keep = cf.temptation(red)
    assert gain > keep
    assert cf.temptation(blue)[0] < cf.temptation(blue)[1]  # blue, now hopeless, would keep it
    m.step()
    assert not cf.active and cf.broken_by == "red"
    rep = cf.report()
    assert rep["broken"] == m.current_month and rep["months_held"] == 3
    assert "broken by red" in rep["result"] and "expected gain" in rep["result"]
    m.step()  # the month after the break the parties may fight again
    assert not m.ceasefire_binds(red, blue)


def test_a_spoiler_attack_can_provoke_a_break():
    attackless = fighting(peace_dividend=0.25, spoiler_sensitivity=1.0, spoiler_deaths=10)
    attacked = fighting(peace_dividend=0.25, spoiler_sensitivity=1.0, spoiler_deaths=10)
    attacked["events"].append(
        {
            "type": "attack",
            "date": "2017-10",
            "faction": "black",
            "region": "north",
            "target": "red",
            "fatalities": 30,
        }
    )
    attackless["parameters"]["raid_rate"] = attacked["parameters"]["raid_rate"] = 0.0
    calm = run(from_dict(attackless), seed=1, months=5).summary["interventions"][0]
    assert calm["broken_by"] is None
    hit = next(
        i
        for i in run(from_dict(attacked), seed=1, months=5).summary["interventions"]
        if i["type"] == "ceasefire"
    )
    assert hit["broken_by"] == "red" and hit["broken"] == "2017-10"


def broken_by_force(monitoring: float) -> LibyaModel:
    """red (funded by the enforcer 'far') becomes overwhelming in month 2 and breaks."""
    # no dividend and a mild penalty, so that an overwhelming red still breaks
    s = from_dict(
        fighting(
            enforcers=["far"],
            penalty=0.2,
            monitoring=monitoring,
            peace_dividend=0.0,
            oil_in_prize=0.0,
            spoiler_sensitivity=0.0,
        )
    )
    m = LibyaModel(s, rng=3, months=6)
    m.step()
    m.garrison[m.fidx["red"]] *= 30.0
    m.sync_strength()
    m.step()
    return m


def test_enforcers_sanction_a_detected_violator():
    seen, unseen = broken_by_force(1.0), broken_by_force(0.0)  # same seed, same draws
    red, far = seen.fidx["red"], seen.sidx["far"]
    assert cease(seen).broken_by == cease(unseen).broken_by == "red"
    assert seen.stance[far, red] == pytest.approx(unseen.stance[far, red] - 0.2)
    assert seen.allocation[far, red] == pytest.approx(0.8 * unseen.allocation[far, red])
    assert cease(seen).effects["sanctioned_by"] == ["far"]
    assert "sanctioned by far" in cease(seen).result()
    assert "undetected" in cease(unseen).result()


def test_enforcers_make_keeping_worth_more():
    base = fighting(spoiler_sensitivity=0.0, monitoring=1.0, penalty=0.8)
    enforced = fighting(spoiler_sensitivity=0.0, monitoring=1.0, penalty=0.8, enforcers=["far"])
    a = LibyaModel(from_dict(base), rng=1, months=3)
    b = LibyaModel(from_dict(enforced), rng=1, months=3)
    a.step()
    b.step()
    red = a.fidx["red"]
    assert cease(b).temptation(red)[1] > cease(a).temptation(red)[1]  # far funds red


def test_non_signatories_are_not_bound():
    s = mini()
    m = LibyaModel(s, rng=1, months=4)
    for _ in range(3):
        m.step()
    assert not m.ceasefire_binds(m.fidx["red"], m.fidx["black"])


def test_ceasefire_summary_line():
    r = run(load_scenario(ROOT / "scenarios" / "ceasefire_only.yaml"), seed=1, months=6)
    cf = next(i for i in r.summary["interventions"] if i["type"] == "ceasefire")
    assert cf["result"].startswith("held ")
    from libyasim.model.report import format_summary

    assert cf["result"] in format_summary(r)


def test_a_party_named_twice_is_an_error():
    data = minimal_scenario()
    data["events"][0]["parties"] = ["red", "red"]
    with pytest.raises(
        ScenarioError, match=r"events\[0\]: parties must be different.*red named twice"
    ):
        from_dict(data)


def test_a_jihadist_may_not_sign():
    data = minimal_scenario()
    data["events"][0]["parties"] = ["red", "black"]
    with pytest.raises(ScenarioError, match=r"events\[0\]\.parties\[1\].*'black' may not sign"):
        from_dict(data)
