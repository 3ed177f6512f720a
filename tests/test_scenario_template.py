"""ScenarioTemplate (the sampled batch's scenarios): the same scenario, hash, resolved
data and model run as full validation of the same values, on every shipped scenario,
at random points and at the ends of every range."""

from __future__ import annotations

import functools
import pickle
import warnings

import numpy as np
import pytest
from paths import SCENARIOS

from libyasim import load_scenario
from libyasim.model import run
from libyasim.scenario import from_dict, set_value
from libyasim.scenario.errors import ScenarioWarning
from libyasim.scenario.template import ScenarioTemplate

SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))


@functools.cache
def template(name: str) -> ScenarioTemplate:
    sc = load_scenario(SCENARIOS / name)
    return ScenarioTemplate(sc, sorted(sc.uncertain()))


def validated(scenario, paths, values):
    """The scenario with ``values`` applied and validated in full (from plain data)."""
    data = scenario.resolved
    for path, value in zip(paths, values, strict=True):
        set_value(data, path, float(value))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        return from_dict(data, name=scenario.id)


def points(t: ScenarioTemplate, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    inside = t.low + rng.random(len(t.low)) * (t.high - t.low)
    return [t.low.copy(), t.high.copy(), inside]


@pytest.mark.parametrize("name", SHIPPED)
def test_template_equals_full_validation_on_every_shipped_scenario(name):
    t = template(name)
    assert len(t.paths) > 10
    for i, values in enumerate(points(t, seed=len(name))):
        fast = t.scenario(values)
        full = validated(t.base, t.paths, values)
        assert fast == full, (name, i)
        assert fast.hash == full.hash, (name, i)
        assert fast.resolved == full.resolved, (name, i)
        got = dict(fast.quantities())
        for path, v in zip(t.paths, values, strict=True):
            assert got[path].value == v


@pytest.mark.parametrize("name", ["baseline_2017.yaml", "paris_2017.yaml", "turkey_enters.yaml"])
def test_a_templated_scenario_runs_like_the_validated_one(name):
    t = template(name)
    values = points(t, seed=7)[2]
    fast = run(t.scenario(values), seed=3, months=12)
    full = run(validated(t.base, t.paths, values), seed=3, months=12)
    assert fast.summary == full.summary
    assert fast.series.equals(full.series)
    assert fast.events.equals(full.events)


def test_the_base_scenario_is_never_changed():
    t = template("baseline_2017.yaml")
    before = (t.base.hash, t.base.resolved)
    s = t.scenario(t.high)
    assert s.hash != before[0]
    assert (t.base.hash, t.base.resolved) == before
    assert dict(t.base.quantities())[t.paths[0]].value == t.base_values[0]


def test_points_outside_a_range_or_without_a_slot_are_not_for_the_template():
    t = template("baseline_2017.yaml")
    path = t.paths[0]
    assert t.values({path: float(t.high[0])}) is not None
    assert t.values({path: float(t.high[0]) + 1.0}) is None
    assert t.values({path: float("nan")}) is None
    assert t.values({path: True}) is None
    assert t.values({"title": "x"}) is None
    with pytest.raises(ValueError, match="outside its range"):
        t.scenario(t.high + 1.0)


def test_a_point_sets_only_its_own_slots():
    t = template("baseline_2017.yaml")
    values = t.values({t.paths[3]: float(t.low[3])})
    assert values is not None
    expected = t.base_values.copy()
    expected[3] = t.low[3]
    assert np.array_equal(values, expected)


def test_a_path_that_is_not_a_ranged_number_is_refused():
    sc = template("baseline_2017.yaml").base
    with pytest.raises(ValueError, match="not a number with a range"):
        ScenarioTemplate(sc, ["title"])


def test_a_templated_scenario_pickles_with_its_content():
    t = template("paris_2017.yaml")
    s = t.scenario(points(t, seed=1)[2])
    back = pickle.loads(pickle.dumps(s))
    assert back == s
    assert back.hash == s.hash
    assert back.resolved == s.resolved


def test_points_of_one_design_give_the_slots_of_the_slow_path_in_any_order():
    t = ScenarioTemplate(template("baseline_2017.yaml").base, template("baseline_2017.yaml").paths)
    rng = np.random.default_rng(5)
    paths = t.paths[::-1]  # the points' order is not the slots' order
    for _ in range(3):  # the first point learns the order, the others take the fast path
        v = t.low + rng.random(len(t.low)) * (t.high - t.low)
        point = {p: float(v[t.slots[p]]) for p in paths}
        assert np.array_equal(t.values(point), v)
    bad = dict(point)
    bad[paths[0]] = True  # same paths and order, but a bool: not for the template
    assert t.values(bad) is None
    bad[paths[0]] = float(t.high[t.slots[paths[0]]]) + 1.0
    assert t.values(bad) is None
    some = {paths[1]: float(t.low[t.slots[paths[1]]])}  # another set of paths
    expected = t.base_values.copy()
    expected[t.slots[paths[1]]] = t.low[t.slots[paths[1]]]
    assert np.array_equal(t.values(some), expected)
    assert np.array_equal(t.values(point), v)


def test_points_that_share_values_each_get_their_own_scenario():
    """A Sobol design's points repeat values (a point is the one before it with one
    value changed) and a Morris design's lie on a grid: the records and texts the
    template keeps for recent values make each point's scenario all the same."""
    t = template("baseline_2017.yaml")
    a, b = points(t, seed=11)[2], points(t, seed=12)[2]
    design = [a]
    for i in (0, 5, len(a) - 1):
        x = a.copy()
        x[i] = b[i]
        design.append(x)
    design += [b, a]
    for values in design:
        fast = t.scenario(values)
        full = validated(t.base, t.paths, values)
        assert fast == full
        assert fast.hash == full.hash
        got = dict(fast.quantities())
        assert [got[p].value for p in t.paths] == values.tolist()


def test_zero_and_minus_zero_are_different_values():
    """0.0 and -0.0 are one key of a dictionary but two numbers in the scenario's JSON
    (and its hash): neither is taken for the other."""
    t = template("baseline_2017.yaml")
    slot = next(i for i in range(len(t.paths)) if t.low[i] == 0.0)
    texts = {}
    for zero in (0.0, -0.0, 0.0, -0.0):
        values = t.base_values.copy()
        values[slot] = zero
        fast = t.scenario(values)
        full = validated(t.base, t.paths, values)
        assert fast.hash == full.hash
        assert fast.resolved == full.resolved
        assert str(dict(fast.quantities())[t.paths[slot]].value) == str(zero)
        texts[str(zero)] = fast.hash
    assert len(texts) == 2


def test_texts_of_a_point_given_as_an_array_are_its_values_texts():
    """texts(values, array) looks up only the values whose bits changed since the last
    such call: the texts are those of the values themselves, whatever came before
    (one value changed, many, 0.0 and -0.0, a point of another length)."""
    t = template("baseline_2017.yaml")
    rng = np.random.default_rng(3)
    base = t.base_values.copy()
    points = [base.copy()]
    for k in range(40):
        x = points[-1].copy()
        changed = rng.choice(len(x), size=1 if k % 3 else len(x) // 2, replace=False)
        x[changed] = t.low[changed] + rng.random(len(changed)) * (t.high - t.low)[changed]
        if k % 7 == 0:
            x[changed[0]] = -0.0 if x[changed[0]] == 0.0 else 0.0
        points.append(x)
    for x in [*points, base[:3].copy(), *points[:3]]:
        floats = x.tolist()
        assert t.texts(floats, x) == [repr(v) for v in floats]


def test_texts_of_arrays_from_several_threads_are_each_their_own():
    """Threads sharing a template (a Dask worker's) each get their own values' texts."""
    import sys
    import threading

    t = template("baseline_2017.yaml")
    rng = np.random.default_rng(5)
    a = t.base_values.copy()
    b = a.copy()
    b[:3] = t.low[:3] + rng.random(3) * (t.high - t.low)[:3]
    wrong: list[int] = []

    def loop(x: np.ndarray) -> None:
        floats = x.tolist()
        expected = [repr(v) for v in floats]
        for _ in range(3000):  # (a version keeping bits and texts apart failed here)
            if t.texts(floats, x) != expected:
                wrong.append(1)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=loop, args=(x,)) for x in (a, b, a, b)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
    assert not wrong
