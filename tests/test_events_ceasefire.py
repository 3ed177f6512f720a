"""Ceasefire (docs/events.md, docs/ODD.md §7.5.1): binding, the decision to break,
sanctions by enforcers, the report. Direction tests of model v2: test_v2_ceasefire.py."""

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
    held = from_dict(fighting(peace_dividend=5.0))
    free = from_dict({**fighting(), "events": []})
    for seed in range(3):
        r = run(held, seed=seed, months=8)
        cf = next(i for i in r.summary["interventions"] if i["type"] == "ceasefire")
        assert cf["broken_by"] is None and cf["months_held"] == 8
        assert pair_battles(r.events) == 0
        assert pair_battles(run(free, seed=seed, months=8).events) > 0  # the test can fail


@pytest.mark.parametrize("seed", range(4))
def test_paris_sides_never_fight_before_the_break(seed):
    r = run(ROOT / "scenarios" / "paris_2017.yaml", seed=seed, months=24)
    cf = next(i for i in r.summary["interventions"] if i["id"] == "paris_ceasefire")
    sides = {f: k for k, (_, members) in enumerate(cf["sides"].items()) for f in members}
    assert sides["lna"] != sides["gna"] and sides["hor"] == sides["lna"]  # allies bound
    b = r.events[r.events["kind"] == "battle"]
    across = b[
        [
            sides.get(x, -1) >= 0 and sides.get(y, -2) >= 0 and sides[x] != sides[y]
            for x, y in zip(b["actor1"], b["actor2"], strict=True)
        ]
    ]
    if cf["broken"] is None:
        assert across.empty
    else:
        assert (across["month"] >= cf["broken"]).all()
    # a defection is a battle: the violator attacks that month (a preventive break, at the
    # end of a month, is followed by fighting from the next month on)
    if cf["against"] is not None and not cf["preventive"]:
        first = across[across["month"] == cf["broken"]]
        assert {cf["broken_by"], cf["against"]} in [
            {x, y} for x, y in zip(first["actor1"], first["actor2"], strict=True)
        ]


def test_party_whose_gain_rises_breaks_it_and_the_break_is_attributed():
    # a small dividend: keeping it is also worth red's share of power under the settlement
    s = from_dict(fighting(peace_dividend=0.08, monitoring=0.0))
    m = LibyaModel(s, rng=2, months=12)
    red, blue = m.fidx["red"], m.fidx["blue"]
    for _ in range(3):
        m.step()
    cf = cease(m)
    assert cf.active and cf.defection_probability(red, blue) < 0.5, "close sides keep it"
    m.garrison[red] *= 30.0  # red becomes overwhelmingly stronger
    m.sync_strength()
    gain, _, keep = cf.temptation(red, blue)
    assert gain > keep and cf.defection_probability(red, blue) > 0.5
    assert cf.defection_probability(blue, red) < 0.1  # blue, now hopeless, would keep it
    while cf.active and m.steps < 10:
        m.step()
    assert not cf.active and cf.broken_by == "red"
    rep = cf.report()
    assert rep["against"] == "blue" and rep["months_held"] >= 3
    assert "broken by red against blue" in rep["result"] and "expected gain" in rep["result"]
    assert not m.ceasefire_binds(red, blue) and not m.ceasefire_binds(blue, red)


def broken_by_force(monitoring: float) -> tuple[LibyaModel, dict]:
    """red (funded by the enforcer 'far') becomes overwhelming in month 2 and breaks;
    also returns far's allocation to and stance toward red just before the sanction."""
    # no dividend and a mild penalty, so that an overwhelming red still breaks
    s = from_dict(
        fighting(
            enforcers=["far"],
            penalty=0.2,
            monitoring=monitoring,
            peace_dividend=0.0,
            oil_in_prize=0.0,
        )
    )
    m = LibyaModel(s, rng=3, months=12)
    cf, red, far = cease(m), m.fidx["red"], m.sidx["far"]
    before: dict = {}
    react = cf.violated

    def spy(*args) -> None:
        before.update(allocation=m.allocation[far, red].copy(), stance=m.stance[far, red])
        react(*args)

    cf.violated = spy  # type: ignore[method-assign]
    m.step()
    m.garrison[red] *= 30.0
    m.sync_strength()
    while cf.active and m.steps < 10:
        m.step()
    return m, before


def test_enforcers_sanction_a_detected_violator():
    (seen, was), (unseen, was_unseen) = broken_by_force(1.0), broken_by_force(0.0)
    red, far = seen.fidx["red"], seen.sidx["far"]
    assert cease(seen).broken_by == cease(unseen).broken_by == "red"
    assert seen.stance[far, red] == pytest.approx(was["stance"] - 0.2)
    assert seen.allocation[far, red] == pytest.approx(0.8 * was["allocation"])
    assert unseen.stance[far, red] == pytest.approx(was_unseen["stance"])
    assert unseen.allocation[far, red] == pytest.approx(was_unseen["allocation"])
    assert cease(seen).effects["sanctioned_by"] == ["far"]
    assert "sanctioned by far" in cease(seen).result()
    assert "undetected" in cease(unseen).result()


def test_enforcers_make_keeping_worth_more():
    base = fighting(monitoring=1.0, penalty=0.8)
    enforced = fighting(monitoring=1.0, penalty=0.8, enforcers=["far"])
    a = LibyaModel(from_dict(base), rng=1, months=3)
    b = LibyaModel(from_dict(enforced), rng=1, months=3)
    a.step()
    b.step()
    red, blue = a.fidx["red"], a.fidx["blue"]
    assert cease(b).temptation(red, blue)[2] > cease(a).temptation(red, blue)[2]  # far funds red
    assert cease(b).defection_probability(red, blue) < cease(a).defection_probability(red, blue)


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
