"""Model v2, forces and fronts (issue 10 part 1; docs/ODD.md §7.3): the war
economy (upkeep, ceilings, jihadist recruitment), redeployment, offensives and
sieges, and the direction of the `offensive` and `blockade` events. Each
direction test runs paired replicates on common seeds and asks for an effect
larger than twice the standard error of the paired differences."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from model_fixtures import baseline, edit
from scenario_factory import minimal_scenario

from libyasim.model import forces
from libyasim.model.model import LibyaModel
from libyasim.scenario import Scenario, from_dict, load_scenario
from libyasim.scenario.errors import ScenarioWarning

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(1, 9)


def run(s: Scenario, seed: int, months: int, watch: Callable[[LibyaModel], float]) -> list[float]:
    m = LibyaModel(s, rng=seed, months=months)
    out = []
    for _ in range(months):
        m.step()
        out.append(watch(m))
    return out


def paired(a: list[float], b: list[float]) -> tuple[float, float]:
    """Mean of the paired differences b − a and twice its standard error."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return float(d.mean()), 2.0 * float(d.std(ddof=1)) / np.sqrt(len(d))


def with_event(s: Scenario, event: dict) -> Scenario:
    return edit(s, lambda d: d["events"].append(event))


def assert_above_noise(effect: float, noise: float) -> None:
    assert effect > noise, f"effect {effect:.3g} not above replicate noise {noise:.3g}"


@pytest.fixture(scope="module")
def base() -> Scenario:
    return baseline()


# ---------------------------------------------------------------- offensives


DERNA_OFFENSIVE = {
    "type": "offensive",
    "date": "2017-09",
    "attacker": "lna",
    "target": "derna",
    "share": 0.5,
    "months": 6,
}


def test_offensive_event_takes_the_target_and_kills_while_it_runs(base):
    ordered = with_event(base, DERNA_OFFENSIVE)
    months = 8

    def watch(m: LibyaModel) -> float:
        return m.battle_deaths

    def taken(s: Scenario, seed: int) -> float:
        m = LibyaModel(s, rng=seed, months=months)
        for _ in range(months):
            m.step()
        return float(
            sum(e["kind"] == "control_change" and e["region"] == "derna" for e in m.event_log)
        )

    deaths0 = [sum(run(base, k, 6, watch)[1:6]) for k in SEEDS]
    deaths1 = [sum(run(ordered, k, 6, watch)[1:6]) for k in SEEDS]
    assert_above_noise(*paired(deaths0, deaths1))
    changes0 = [taken(base, k) for k in SEEDS]
    changes1 = [taken(ordered, k) for k in SEEDS]
    assert_above_noise(*paired(changes0, changes1))


def test_offensive_report_and_log():
    s = with_event(baseline(), DERNA_OFFENSIVE)
    m = LibyaModel(s, rng=2, months=8)
    for _ in range(8):
        m.step()
    ev = next(e for e in m.events if e.type == "offensive")
    rep = ev.report()
    assert rep["launched"] and rep["attacker"] == "lna" and rep["target"] == "derna"
    assert rep["status"] in {"success", "stalemate", "retreat", "active"}
    kinds = [e["kind"] for e in m.event_log]
    assert "offensive_launched" in kinds
    o = m.offensives[0]
    assert o.cause == "scheduled" and o.massed > 0
    # a siege is logged only when the assault settles into one (and then also its end)
    assert ("siege_started" in kinds) == (o.besieged_since >= 0)
    if o.besieged_since >= 0 and o.status != "active":
        assert "siege_ended" in kinds
    if rep["status"] == "success":
        assert m.control[m.ridx["derna"]] == m.fidx["lna"]
        assert "offensive_ended" in kinds


@pytest.mark.parametrize("defects", [False, True])
def test_a_ceasefire_halts_an_offensive_unless_the_attacker_defects(defects):
    """The month's kernel stops where a ceasefire binds an attacker not to attack its
    defender, asks Python (``ceasefire_defects``) and resumes: kept, the offensive ends
    in a stalemate halted by the ceasefire; broken, it is pressed a month more."""
    m = LibyaModel(with_event(baseline(), DERNA_OFFENSIVE), rng=2, months=12)
    lna, derna = m.fidx["lna"], m.ridx["derna"]
    while not any(o.status == "active" and o.target == derna for o in m.offensives):
        m.step()
    o = next(o for o in m.offensives if o.status == "active" and o.target == derna)
    d, elapsed = o.defender, o.elapsed
    bind = np.zeros((m.F, m.F), dtype=bool)
    bind[lna, d] = True
    asked: list[tuple[int, int]] = []
    m.ceasefire_matrix = lambda: bind  # type: ignore[method-assign]
    m.ceasefire_defects = lambda a, b: asked.append((a, b)) or defects  # type: ignore[method-assign]
    forces.step(m)
    assert asked == [(lna, d)]
    assert o.elapsed == elapsed + (1 if defects else 0)
    if not defects:
        assert (o.status, o.note) == ("stalemate", "halted by a ceasefire")
        ended = [e for e in m.event_log if e["kind"] == "offensive_ended" and e["step"] == m.steps]
        assert ended[-1]["note"] == "stalemate: halted by a ceasefire"


def test_defender_advantage_makes_cities_hold_longer(base):
    def months_to_fall(s: Scenario, seed: int) -> float:
        m = LibyaModel(s, rng=seed, months=12)
        derna, lna = m.ridx["derna"], m.fidx["lna"]
        for k in range(12):
            m.step()
            if m.control[derna] == lna:
                return k + 1.0
        return 13.0

    def defence(level: float) -> Scenario:
        def fn(d: dict) -> None:
            next(r for r in d["regions"] if r["id"] == "derna")["urban_defence"] = level
            d["events"].append({**DERNA_OFFENSIVE, "months": 12})

        return edit(base, fn)

    open_town = [months_to_fall(defence(0.0), k) for k in SEEDS]
    city = [months_to_fall(defence(2.0), k) for k in SEEDS]
    assert_above_noise(*paired(open_town, city))


def test_fronts_are_quiet_between_offensives(base):
    """Without offensives, skirmishes only: far fewer deaths and no region changes hands."""
    quiet = edit(base, lambda d: d["parameters"].update(offensive_rate=0.05))
    for s in (quiet,):
        m = LibyaModel(s, rng=3, months=24)
        for _ in range(24):
            m.step()
        launched = {(o.started, o.target) for o in m.offensives}
        changes = [e for e in m.event_log if e["kind"] == "control_change"]
        assert len(changes) <= len(launched)  # every change of control comes from an offensive
    deaths = np.array(run(base, 3, 24, lambda m: m.battle_deaths))
    assert (deaths < 10).sum() >= 3  # lulls
    assert deaths.max() > 5 * np.median(deaths)  # bursts


def test_siege_progress_accumulates_and_decays():
    s = with_event(baseline(), {**DERNA_OFFENSIVE, "months": 1, "share": 0.2})
    m = LibyaModel(s, rng=4, months=6)
    m.p.siege_ratio = 1e9  # never enough to invest Derna: the offensive ends after its month
    lna, derna = m.fidx["lna"], m.ridx["derna"]
    m.step()
    m.step()  # the offensive is launched and pressed in its month (September)
    first = m.siege[lna, derna]
    assert first > 0
    m.step()
    assert m.siege[lna, derna] <= first  # no offensive presses it any more: it decays


# ---------------------------------------------------------------- attribution


def test_pair_deaths_and_attacked_record_who_fought_whom(base):
    m = LibyaModel(base, rng=5, months=6)
    for _ in range(6):
        m.step()
        assert np.allclose(m.pair_deaths, m.pair_deaths.T)
        assert (np.diag(m.pair_deaths) == 0).all()
        battle = m.battle_deaths
        # battle deaths are the pair deaths of battles (raids add to pair deaths too)
        assert m.pair_deaths.sum() / 2 >= battle - 1e-6
        assert (m.attacked[m.pair_deaths > 0] | m.attacked.T[m.pair_deaths > 0]).all()


# ---------------------------------------------------------------- economy


def test_upkeep_without_money_shrinks_forces(base):
    def broke(cost: float) -> Scenario:
        def fn(d: dict) -> None:
            d["parameters"].update(upkeep_cost=cost, tax_income=0.5)
            for f in d["factions"]:
                if f["id"] == "misrata":
                    f["resources"] = 0

        return edit(base, fn)

    def misrata(m: LibyaModel) -> float:
        return m.strength[m.fidx["misrata"]]

    cheap = [run(broke(0.01), k, 12, misrata)[-1] for k in SEEDS]
    dear = [run(broke(0.06), k, 12, misrata)[-1] for k in SEEDS]
    assert_above_noise(*paired(dear, cheap))


def test_blockade_cuts_the_controllers_resources(base):
    blockade = {
        "type": "blockade",
        "date": "2017-08",
        "by": "libya_shield",
        "regions": ["oil_crescent"],
        "months": 12,
    }
    blocked = with_event(base, blockade)

    def lna_resources(m: LibyaModel) -> float:
        return m.resources[m.fidx["lna"]]

    open_ = [run(base, k, 6, lna_resources)[-1] for k in SEEDS]
    shut = [run(blocked, k, 6, lna_resources)[-1] for k in SEEDS]
    assert_above_noise(*paired(shut, open_))
    m = LibyaModel(blocked, rng=1, months=14)
    for _ in range(14):
        m.step()
    ev = next(e for e in m.events if e.type == "blockade")
    assert ev.report()["lifted"] == "2018-08" and not m.blockades.any()


def test_foreign_fighters_and_ungoverned_space_grow_jihadists(base):
    def daesh(m: LibyaModel) -> float:
        return m.strength[m.fidx["daesh"]]

    def ff(d: dict) -> None:
        next(f for f in d["factions"] if f["id"] == "daesh")["foreign_fighters"] = 80

    without = [run(base, k, 18, daesh)[-1] for k in SEEDS]
    with_ff = [run(edit(base, ff), k, 18, daesh)[-1] for k in SEEDS]
    assert_above_noise(*paired(without, with_ff))

    def rough(d: dict) -> None:
        for r in d["regions"]:
            if r["id"] in {"sirte", "jufra", "fezzan", "ajdabiya"}:
                r["rough_terrain"] = 0.9

    governed = edit(base, lambda d: [r.update(rough_terrain=0.0) for r in d["regions"]])
    wild = edit(base, rough)
    a = [run(governed, k, 18, daesh)[-1] for k in SEEDS]
    b = [run(wild, k, 18, daesh)[-1] for k in SEEDS]
    assert_above_noise(*paired(a, b))


def test_ungoverned_space_follows_the_controllers_presence(base):
    m = LibyaModel(base, rng=1, months=1)
    derna = m.ridx["derna"]
    assert m.ungoverned[derna] == 1.0  # held by a jihadist group
    fez = m.ridx["fezzan"]
    before = forces.ungoverned(m)[fez]
    m.garrison[m.control[fez], fez] *= 0.1
    assert forces.ungoverned(m)[fez] > before


def test_jihadist_resurgence_happens_in_daesh_resurgence():
    s = load_scenario(ROOT / "scenarios" / "daesh_resurgence.yaml")
    flags = 0
    for seed in range(1, 5):
        m = LibyaModel(s, rng=seed)
        for _ in range(m.months):
            m.step()
        j0, j1 = m.strength0[m.jihadist].sum(), m.strength[m.jihadist].sum()
        flags += j1 / j0 >= float(m.o.resurgence_ratio.value)
    assert flags >= 3


# ---------------------------------------------------------------- ceilings


def test_loader_warns_when_a_faction_starts_above_its_ceiling():
    data = minimal_scenario()
    data["factions"][0]["strength"] = 10**6
    with pytest.warns(ScenarioWarning, match=r"factions\[0\]\.strength: red starts with"):
        from_dict(data)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_scenarios_start_within_their_ceilings(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        s = load_scenario(path)
    for fid, strength, cap in forces.start_ceilings(s):
        assert strength <= cap, fid


def test_redeployment_moves_forces_toward_a_threat_and_loses_some_on_the_way(base):
    m = LibyaModel(base, rng=1, months=2)
    lna, oil = m.fidx["lna"], m.ridx["oil_crescent"]
    misrata, sirte = m.fidx["misrata"], m.ridx["sirte"]
    m.garrison[misrata, sirte] += 20000  # a threat next to the oil crescent
    m.sync_strength()
    before_total, before_oil = m.strength[lna], m.garrison[lna, oil]
    forces.redeploy(m)
    assert m.garrison[lna, oil] > before_oil
    assert m.strength[lna] < before_total  # hop_loss on the road


# ---------------------------------------------------------------- fronts (V2)


def _skirmishes(m: LibyaModel, months: int) -> float:
    """Skirmishes over ``months`` calls of conflict.step alone (no offensive moves,
    the clock stands still)."""
    from libyasim.model import conflict

    start = len(m.event_log)
    for _ in range(months):
        conflict.step(m)
    return float(sum(e["kind"] == "battle" for e in m.event_log[start:]))


def test_a_stalemated_front_goes_quiet_and_an_offensive_renews_it(base):
    """Two sides that have fought no offensive for long skirmish less across a front
    line (stalemate_decay, stalemate_floor) than two that just did."""
    hot, cold = [], []
    for seed in SEEDS:
        for fought, out in ((None, hot), (-1000.0, cold)):
            m = LibyaModel(base, rng=seed, months=24)
            m.fought[:] = m.steps if fought is None else fought
            out.append(_skirmishes(m, 24))
    effect, noise = paired(cold, hot)
    assert_above_noise(effect, noise)
    # the heat is a parameter: no decay, no stalemate
    m = LibyaModel(base, rng=1, months=24, **{"parameters.stalemate_decay": 0.05})
    m.fought[:] = -1000.0
    assert _skirmishes(m, 24) >= min(cold)


def test_a_new_enmity_opens_a_hot_front(base):
    """A pair whose hostility rises (a realignment, a rejected election) counts as
    having just fought: its front starts hot, whatever the months before."""
    from libyasim.model import conflict

    m = LibyaModel(base, rng=1, months=24)
    for _ in range(6):
        m.step()
    calm = np.argwhere(m.hostility == 0)
    a, b = next((int(i), int(j)) for i, j in calm if i != j)
    assert m.fought[a, b] < m.steps
    m.hostility[a, b] = m.hostility[b, a] = 1.0
    conflict.heat_up(m)
    assert m.fought[a, b] == m.fought[b, a] == m.steps
    m.hostility[a, b] = m.hostility[b, a] = 0.5  # a fall does not
    m.fought[a, b] = m.fought[b, a] = 0.0
    conflict.heat_up(m)
    assert m.fought[a, b] == 0.0
