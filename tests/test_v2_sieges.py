"""Invested sieges, allies that reinforce a threatened town, and insurgents that
rise from within a town (docs/ODD.md §7.3). Direction tests on common seeds:
each asks for a paired effect larger than twice the standard error of the
paired differences, with the coefficient moved across its documented range."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from libyasim.model import forces
from libyasim.model.model import LibyaModel
from libyasim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT / "scenarios" / "calibration" / "libya_2014.yaml"
SEEDS = range(1, 9)


def total(s: Scenario, seed: int, months: int, watch: Callable[[LibyaModel], float]) -> float:
    m = LibyaModel(s, rng=seed, months=months)
    out = 0.0
    for _ in range(months):
        m.step()
        out += watch(m)
    return out


def effect(
    s: Scenario,
    key: str,
    lo: float,
    hi: float,
    months: int,
    watch: Callable[[LibyaModel], float],
    seeds: range = SEEDS,
) -> tuple[float, float]:
    """Mean paired difference (hi − lo) of the summed watch and twice its standard error."""
    a = [total(s.with_values({key: lo}), k, months, watch) for k in seeds]
    b = [total(s.with_values({key: hi}), k, months, watch) for k in seeds]
    d = np.asarray(b) - np.asarray(a)
    return float(d.mean()), 2.0 * float(d.std(ddof=1)) / np.sqrt(len(d))


@pytest.fixture(scope="module")
def libya_2014() -> Scenario:
    return load_scenario(CALIBRATION)


def _besieging_benghazi(m: LibyaModel) -> float:
    t = m.ridx["benghazi"]
    lna = m.fidx["lna"]
    return float(
        any(o.status == "active" and o.attacker == lna and o.target == t for o in m.offensives)
    )


def test_encirclement_wears_down_the_besieged(libya_2014):
    def besieged(m: LibyaModel) -> float:
        return float(m.garrison[m.fidx["ansar_benghazi"], m.ridx["benghazi"]])

    d, noise = effect(libya_2014, "parameters.siege_attrition", 0.0, 0.08, 24, besieged)
    assert -d > noise, (d, noise)


def test_a_besieger_with_the_numbers_invests_the_town_instead_of_retreating(libya_2014):
    # siege_ratio 0.5: the LNA's force in Benghazi is enough to invest it; 2.0: it is not
    d, noise = effect(libya_2014, "parameters.siege_ratio", 0.5, 2.0, 30, _besieging_benghazi)
    assert -d > noise, (d, noise)


def test_a_patient_besieger_stays_longer(libya_2014):
    d, noise = effect(libya_2014, "parameters.siege_patience", 6.0, 48.0, 39, _besieging_benghazi)
    assert d > noise, (d, noise)


def test_sieges_last_months_not_weeks(libya_2014):
    """The LNA's Benghazi siege of 2014 is invested and lasts more than a year
    on every seed (PATTERNS.md T1: 38 months in the record)."""
    for seed in range(1, 5):
        assert total(libya_2014, seed, 39, _besieging_benghazi) >= 12


def test_a_siege_is_logged_from_its_investment_to_its_end(libya_2014):
    m = LibyaModel(libya_2014, rng=1, months=39)
    for _ in range(39):
        m.step()
    started = [e for e in m.event_log if e["kind"] == "siege_started"]
    assert started, "the LNA's Benghazi offensive settles into a siege"
    invested = [o for o in m.offensives if o.besieged_since >= 0]
    assert len(started) == len(invested)
    ended = [e for e in m.event_log if e["kind"] == "siege_ended"]
    assert len(ended) == sum(o.status != "active" for o in invested)


def test_allies_reinforce_a_capital_under_attack():
    s = load_scenario(ROOT / "scenarios" / "lna_marches_on_tripoli.yaml")

    def gna_holds_tripoli(m: LibyaModel) -> float:
        return float(m.control[m.ridx["tripoli"]] == m.fidx["gna"])

    d, noise = effect(
        s, "parameters.ally_cover", 0.0, 0.5, 24, gna_holds_tripoli, seeds=range(1, 13)
    )
    assert d > noise, (d, noise)


def test_insurgents_within_a_town_take_its_cover(libya_2014):
    m = LibyaModel(libya_2014.with_values({"parameters.insurgent_cover": 0.5}), rng=1, months=1)
    daesh, lna = m.fidx["daesh"], m.fidx["lna"]
    inside = np.zeros(m.R, dtype=bool)
    inside[m.ridx["sirte"]] = True
    att, dfd = forces.cover_split(m, daesh, inside)
    assert np.allclose(np.asarray(att) * dfd, m.defence)  # the cover is split, not created
    assert np.allclose(np.where(inside, m.defence**0.5, 1.0), att)
    assert forces.cover_split(m, lna, inside) == (1.0, m.defence)  # armies never take it


def test_insurgents_rising_within_a_town_hold_it_longer(libya_2014):
    """Daesh's Sirte (2015-16): with the town's cover on its side it takes and
    holds Sirte for more months (PATTERNS.md S5)."""

    def daesh_holds_sirte(m: LibyaModel) -> float:
        return float(m.control[m.ridx["sirte"]] == m.fidx["daesh"])

    d, noise = effect(libya_2014, "parameters.insurgent_cover", 0.0, 1.0, 39, daesh_holds_sirte)
    assert d > noise, (d, noise)


def test_defenders_fight_together_with_their_allies_in_the_town(libya_2014):
    """Both the defender and its ally in the besieged town lose fighters to the
    assault (Benghazi: the Shura Council and Libya Shield)."""
    m = LibyaModel(libya_2014, rng=1, months=2)
    t, shield = m.ridx["benghazi"], m.fidx["libya_shield"]
    before = m.garrison[shield, t]
    forces.defend_together(m, m.fidx["lna"], m.fidx["ansar_benghazi"], t, t, 0.7)
    assert m.garrison[shield, t] < before


def _benghazi_deaths(m: LibyaModel) -> float:
    return float(m.region_deaths[m.ridx["benghazi"]])


def test_the_fighting_of_a_siege_narrows_with_the_pocket(libya_2014):
    """One month of the LNA's Benghazi siege: the further it has advanced, the
    fewer fighters are engaged and the fewer die (pocket_front; PATTERNS.md V5)."""

    def month_of_siege(gained: float) -> float:
        m = LibyaModel(libya_2014, rng=1, months=3)
        m.step()
        lna, t = m.fidx["lna"], m.ridx["benghazi"]
        assert any(o.status == "active" and o.target == t for o in m.offensives)
        m.siege[lna, t] = gained
        m.region_deaths[:] = 0.0
        forces.press(m)
        return float(m.region_deaths[t])

    untouched, half, most = month_of_siege(0.0), month_of_siege(0.5), month_of_siege(0.9)
    assert untouched > half > most > 0.0


def test_benghazi_s_toll_falls_as_its_pocket_shrinks(libya_2014):
    """Over the whole Benghazi siege, a front that narrows with the defenders'
    pocket kills fewer (pocket_front 0 -> 1, common seeds). Without entrenchment:
    at the scenario's own values the dug-in Shura Council keeps the LNA's
    progress, and so the narrowing, small."""
    s = libya_2014.with_values({"parameters.entrenchment": 0.0})
    d, noise = effect(s, "parameters.pocket_front", 0.0, 1.0, 39, _benghazi_deaths)
    assert -d > noise, (d, noise)


def test_a_thin_garrison_leaves_most_of_a_town_unheld(libya_2014):
    m = LibyaModel(libya_2014, rng=1, months=1)
    t, holder = m.ridx["sirte"], int(m.control[m.ridx["sirte"]])
    need = m.p.governance_density * m.population[t] / 1000.0
    m.garrison[holder, t] = 0.2 * need
    assert forces.unheld(m, t) == pytest.approx(1.0 - 0.2 * (1.0 - m.rough[t]))
    m.garrison[holder, t] = 2.0 * need
    assert forces.unheld(m, t) == pytest.approx(m.rough[t])


def test_insurgents_take_an_ungoverned_town_from_within(libya_2014):
    """Daesh's Sirte (2015): where the holder's garrison is too thin to govern,
    insurgents rising within take districts without a fight and hold the town
    for more months (insurgent_seizure 0 -> 2; PATTERNS.md S5)."""

    def daesh_holds_sirte(m: LibyaModel) -> float:
        return float(m.control[m.ridx["sirte"]] == m.fidx["daesh"])

    d, noise = effect(
        libya_2014,
        "parameters.insurgent_seizure",
        0.0,
        2.0,
        39,
        daesh_holds_sirte,
        seeds=range(1, 13),
    )
    assert d > noise, (d, noise)


def _daesh_holds_sirte(m: LibyaModel) -> float:
    return float(m.control[m.ridx["sirte"]] == m.fidx["daesh"])


def test_a_dug_in_town_holds_out_longer(libya_2014):
    """Sirte 2016: Daesh had dug the town in for a year; Misrata's offensive
    clears it more slowly, so Daesh holds it for more months (entrenchment 0 -> 2)."""
    d, noise = effect(libya_2014, "parameters.entrenchment", 0.0, 2.0, 39, _daesh_holds_sirte)
    assert d > noise, (d, noise)


def test_entrenchment_grows_with_the_months_a_jihadist_group_holds_a_town(libya_2014):
    m = LibyaModel(libya_2014, rng=1, months=1)
    t, daesh, misrata = m.ridx["sirte"], m.fidx["daesh"], m.fidx["misrata"]
    m.control[t] = daesh
    m.months_held[t] = 0.0
    fresh = forces.dug_in(m, daesh, t)
    m.months_held[t] = m.p.entrenchment_months / 2
    half = forces.dug_in(m, daesh, t)
    m.months_held[t] = 10 * m.p.entrenchment_months
    full = forces.dug_in(m, daesh, t)
    assert fresh == 1.0 < half < full == pytest.approx(1.0 + m.p.entrenchment)
    m.control[t] = misrata  # armies do not dig in this way
    assert forces.dug_in(m, misrata, t) == 1.0


def test_insurgents_within_a_town_go_to_ground_rather_than_retreat(libya_2014):
    """Daesh's 2015 rising in Sirte with poor odds (no share of the town's cover,
    no districts taken without a fight, and a siege ratio no besieger outside
    could meet) settles into a siege from within instead of ending in retreat."""
    s = libya_2014.with_values(
        {
            "parameters.insurgent_cover": 0.0,
            "parameters.siege_ratio": 2.0,
            "parameters.insurgent_seizure": 0.0,
        }
    )
    for seed in (1, 4, 5):
        m = LibyaModel(s, rng=seed, months=16)
        for _ in range(16):
            m.step()
        rising = [
            o for o in m.offensives if o.attacker == m.fidx["daesh"] and o.target == m.ridx["sirte"]
        ]
        assert rising and all(o.status != "retreat" for o in rising)
        assert any(o.besieged_since >= 0 for o in rising)
