"""A model copied from its scenario's template (libyasim.model.setup) is the model
set-up makes: every attribute equal, its own arrays, the same sharing between
attributes, the same agents; and its runs are the same runs."""

from __future__ import annotations

import numpy as np
import pytest
from paths import SCENARIOS

from libyasim.model import LibyaModel, forces, jit, setup
from libyasim.model.jit import Coefficients
from libyasim.scenario import load_scenario
from libyasim.scenario.template import ScenarioTemplate

# every shipped scenario, and the calibration scenario (sieges from the start)
SCENARIO_NAMES = [p.stem for p in sorted(SCENARIOS.glob("*.yaml"))] + ["calibration/libya_2014"]


def _shape_of_sharing(m: LibyaModel, names: list[str]) -> list[tuple[str, str]]:
    """Pairs of attributes holding the same object or arrays over the same memory."""
    out = []
    d = m.__dict__
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            x, y = d[a], d[b]
            if isinstance(x, (int, float, bool, str, type(None))):
                continue
            same = x is y or (
                isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and np.shares_memory(x, y)
            )
            if same:
                out.append((a, b))
    return out


def _assert_same(a: object, b: object, where: str) -> None:
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype and a.shape == b.shape and a.strides == b.strides, where
        assert a.flags.c_contiguous == b.flags.c_contiguous, where
        assert a.flags.writeable == b.flags.writeable, where
        assert np.array_equal(a, b, equal_nan=True), where
    elif isinstance(a, Coefficients):
        assert isinstance(b, Coefficients) and vars(a) == vars(b), where
        assert a._arrays.keys() == b._arrays.keys(), where
        for k in a._arrays:
            _assert_same(a._arrays[k], b._arrays[k], f"{where}._arrays[{k}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{where}[{k}]")
    elif isinstance(a, dict):
        assert type(b) is dict and a.keys() == b.keys(), where
        for k in a:
            _assert_same(a[k], b[k], f"{where}[{k!r}]")
    else:
        assert type(a) is type(b), where
        if not hasattr(a, "model"):  # agents, events, the log: compared below
            assert a == b, where


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_a_copied_model_is_the_model_set_up_makes(name):
    spec = load_scenario(SCENARIOS / f"{name}.yaml")  # (the loader's check made a model)
    setup.forget(spec)
    LibyaModel(spec, rng=7)  # marks the object
    assert setup.template_of(spec) is None
    first = LibyaModel(spec, rng=7)  # set-up; records the template
    assert setup.template_of(spec) is not None, "set-up left something the template cannot copy"
    copied = LibyaModel(spec, rng=7)
    assert first.__dict__.keys() == copied.__dict__.keys()
    mesa_own = set(LibyaModel.__mro__[1](rng=1).__dict__)
    names = [k for k in first.__dict__ if k not in mesa_own]
    for k in names:
        a, b = first.__dict__[k], copied.__dict__[k]
        if k in ("recorder", "datacollector", "events", "logbook", "factions", "sponsors"):
            continue
        if k in ("faction", "sponsor"):
            assert list(a) == list(b)
            continue
        _assert_same(a, b, k)
        if isinstance(a, (np.ndarray, list, dict, set)):
            assert a is not b and not (isinstance(a, np.ndarray) and np.shares_memory(a, b)), k
    assert _shape_of_sharing(first, names) == _shape_of_sharing(copied, names)
    # an array the coefficients keep in step is the same attribute's array in the copy
    for key, arr in first.p._arrays.items():
        held = [k for k in names if first.__dict__[k] is arr]
        assert all(copied.__dict__[k] is copied.p._arrays[key] for k in held), key
    # agents anew, the same ids and order; the log's tables equal and its own
    assert [(a.unique_id, a.id, a.index) for a in first.agents] == [
        (a.unique_id, a.id, a.index) for a in copied.agents
    ]
    assert all(a.model is copied for a in copied.agents)
    assert copied.logbook.model is copied and copied.logbook.strings == first.logbook.strings
    assert copied.logbook.strings is not first.logbook.strings
    assert copied.logbook.notes == first.logbook.notes and len(copied.logbook) == 0


def _fingerprint(spec, seed: int, months: int) -> dict:
    m = LibyaModel(spec, rng=seed, months=months)
    while m.running:
        m.step()
    out = {"events": [tuple(r.values()) for r in m.event_log]}
    out["series"] = m.recorder.table[: len(m.recorder.steps)].copy()
    for name in jit.STATE:
        out[name] = np.array(getattr(m, name), dtype=float)
    return out


def test_copied_models_run_as_set_up_models_do():
    shared = load_scenario(SCENARIOS / "paris_2017.yaml")  # a ceasefire and an election
    for seed in (3, 4):
        setup.forget(shared)
        LibyaModel(shared, rng=seed)  # marks the object
        fresh = _fingerprint(shared, seed, 24)  # set-up (and the template recorded)
        assert setup.template_of(shared) is not None
        copied = _fingerprint(shared, seed, 24)
        assert copied["events"] and jit.differences(fresh, copied) == []


def test_a_run_does_not_change_the_template():
    spec = load_scenario(SCENARIOS / "baseline_2017.yaml")
    a = LibyaModel(spec, rng=1, months=12)
    while a.running:
        a.step()
    a.p.engagement_rate = 0.123  # an event may change a coefficient
    other = load_scenario(SCENARIOS / "baseline_2017.yaml")
    setup.forget(other)  # (its next model only marks it: set up)
    b, c = LibyaModel(spec, rng=2), LibyaModel(other, rng=2)  # a copy, a set-up
    assert b.p.engagement_rate == c.p.engagement_rate != 0.123
    for k in ("garrison", "control", "budget", "hostility", "positions", "forces_k"):
        assert np.array_equal(getattr(b, k), getattr(c, k)), k


def test_a_set_up_that_draws_random_numbers_is_not_templated(monkeypatch):
    from libyasim.model import politics

    spec = load_scenario(SCENARIOS / "baseline_2017.yaml")
    setup.forget(spec)
    init = politics.init

    def drawing(m):
        init(m)
        m.rng.random()

    monkeypatch.setattr(politics, "init", drawing)
    LibyaModel(spec, rng=1)
    LibyaModel(spec, rng=1)
    assert not setup.should_record(spec) and setup.template_of(spec) is None
    LibyaModel(spec, rng=1)  # the full set-up again, no error


def test_a_scenario_object_set_up_once_keeps_no_template():
    spec = load_scenario(SCENARIOS / "baseline_2017.yaml")
    setup.forget(spec)
    LibyaModel(spec, rng=1)
    assert setup.template_of(spec) is None
    LibyaModel(spec, rng=1)
    assert setup.template_of(spec) is not None


def _same_models(a: LibyaModel, b: LibyaModel) -> None:
    """Every attribute set-up leaves equal (the agents by id and order; the log, events,
    recorder and the uninitialised scratch of notes to fix aside)."""
    assert a.__dict__.keys() == b.__dict__.keys()
    mesa_own = set(LibyaModel.__mro__[1](rng=1).__dict__)
    skip = {"recorder", "datacollector", "events", "logbook", "factions", "sponsors", "faction",
            "sponsor", "spec", "off_fix"}  # fmt: skip
    for k in a.__dict__:
        if k not in mesa_own and k not in skip:
            _assert_same(a.__dict__[k], b.__dict__[k], k)
    assert list(a.faction) == list(b.faction) and list(a.sponsor) == list(b.sponsor)
    assert a.logbook.strings == b.logbook.strings and a.logbook.notes == b.logbook.notes


def test_shortest_paths_are_those_of_each_region_graph():
    line = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=bool)
    triangle = np.ones((3, 3), dtype=bool)
    apart = np.eye(3, dtype=bool)
    assert forces.hops(line)[0, 2] == 2 and forces.hops(triangle)[0, 2] == 1
    assert np.isinf(forces.hops(apart)[0, 2]) and forces.hops(apart)[1, 1] == 0
    mine = forces.hops(line)
    mine[0, 2] = 9  # a caller's own copy
    assert forces.hops(line)[0, 2] == 2


def test_a_set_up_does_not_depend_on_the_scenarios_set_up_before():
    names = ["baseline_2017", "calibration/libya_2014", "paris_2017"]
    specs = {n: load_scenario(SCENARIOS / f"{n}.yaml") for n in names}
    first = {}
    for n in names:  # each set up with nothing kept from another scenario
        setup.clear()
        forces._PATHS.clear()
        first[n] = LibyaModel(specs[n], rng=2)
    for n in reversed(names):
        setup.forget(specs[n])
        _same_models(LibyaModel(specs[n], rng=2), first[n])


def test_a_sampled_point_is_set_up_from_its_own_numbers():
    base = load_scenario(SCENARIOS / "baseline_2017.yaml")
    t = ScenarioTemplate(base, sorted(base.uncertain()))
    rng = np.random.default_rng(11)
    mixed = np.where(rng.random(len(t.low)) < 0.5, t.low, t.high)
    for values in (t.low, t.high, mixed):  # the ends of every range
        point = t.scenario(values)
        full = base.with_values(dict(zip(t.paths, values.tolist(), strict=True)))
        a, b = LibyaModel(point, rng=5), LibyaModel(full, rng=5)
        _same_models(a, b)
        assert a.p.hop_loss == values[t.slots["parameters.hop_loss"]]
