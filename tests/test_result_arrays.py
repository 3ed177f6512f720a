"""A run's result is built from the event log's codes and rows, never from its records:
each shortcut gives what the records-based definition gives (the controller of the
capital by step, the deaths between two blocs, the blocs), the notes and rounded
fatalities are the texts and numbers ``str.format`` and ``round`` make, and the dump
check of ``python -m libyasim.model.runner`` tells identical runs from different ones."""

from __future__ import annotations

import math
import pickle
from types import SimpleNamespace

import numpy as np
import pytest
from paths import SCENARIOS

from libyasim.model import LibyaModel
from libyasim.model import outcomes as O
from libyasim.model.eventlog import printf_form, round3, round3_array
from libyasim.model.runner import fields, result_of, same
from libyasim.scenario import load_scenario


def _run(name: str, seed: int, months: int | None = None) -> LibyaModel:
    m = LibyaModel(load_scenario(SCENARIOS / f"{name}.yaml"), rng=seed, months=months)
    while m.running:
        m.step()
    return m


@pytest.fixture(scope="module")
def runs() -> list[LibyaModel]:
    """Runs with many control changes and battles (and one with an election)."""
    return [_run("lna_marches_on_tripoli", 1), _run("baseline_2017", 3),
            _run("early_elections", 2, months=30)]  # fmt: skip


def _controller_from_records(m: LibyaModel, region: int) -> list[int]:
    spec = m.spec.regions[region].controller
    now = m.fidx[spec] if spec else -1
    changes = {}
    for rec in m.event_log:
        if rec["kind"] == "control_change" and rec["region"] == m.region_ids[region]:
            changes[int(rec["step"])] = m.fidx.get(rec["actor1"], -1)
    out = []
    for step in range(int(m.steps) + 1):
        now = changes.get(step, now)
        out.append(now)
    return out


def test_the_controller_by_step_is_the_one_the_records_show(runs):
    changed = 0
    for m in runs:
        for region in range(m.R):
            ours = O._controller_by_step(m, region)
            assert ours == _controller_from_records(m, region), (m.spec.id, region)
            changed += len(set(ours)) > 1
    assert changed > 0  # some region changed hands


def test_the_deaths_between_blocs_are_the_records_battle_deaths(runs):
    for m in runs:
        a, b = set(m.faction_ids[::2]), set(m.faction_ids[1::2])
        for first in (0, int(m.steps) // 2, int(m.steps)):
            expected = 0.0
            for rec in m.event_log:
                x, y = rec["actor1"], rec["actor2"]
                between = (x in a and y in b) or (x in b and y in a)
                if rec["kind"] == "battle" and rec["step"] >= first and between:
                    expected += float(rec["fatalities"])
            assert O._deaths_between(m, a, b, first) == expected
    assert any(O._deaths_between(m, set(m.faction_ids), set(m.faction_ids), 0) > 0 for m in runs)


def test_blocs_join_allies_and_supporters_under_their_lowest_index():
    F = 6
    alliance = np.zeros((F, F))
    edges = np.zeros((F, F, 2))
    alliance[4, 2] = 1.0  # 2 and 4 allied
    edges[2, 0, 1] = 3.0  # 2 supports 0
    edges[5, 3, 0] = 0.5  # 5 supports 3
    m = SimpleNamespace(F=F, alliance=alliance, faction_edges=edges)
    assert O._blocs(m).tolist() == [0, 1, 0, 3, 0, 3]
    alone = SimpleNamespace(F=3, alliance=np.zeros((3, 3)), faction_edges=np.zeros((3, 3, 1)))
    assert O._blocs(alone).tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "template",
    ["{0:.0f} vs {1:.0f} fighters; losses {2:.0f} and {3:.0f}",
     "stalemate: after {0:.0f} months, progress {1:.2f}", "100% of {0:.1f}", "{0:.3f}"],
)  # fmt: skip
def test_a_fixed_point_template_formats_as_its_percent_form(template):
    k = template.count("{")
    form = printf_form(template, k)
    assert form is not None
    rng = np.random.default_rng(7)
    special = [0.5, 1.5, 2.5, -0.5, -0.0, 0.0, -0.4, 1e300, math.nan, math.inf, -math.inf]
    numbers = [*(rng.standard_normal(200) * 10.0 ** rng.integers(-3, 12, 200)).tolist(), *special]
    for i in range(0, len(numbers) - k, k):
        args = numbers[i : i + k]
        assert form % tuple(args) == template.format(*args)


@pytest.mark.parametrize(
    "template",
    ["{1:.0f} then {0:.0f}", "{0:.0f} and {0:.0f}", "{0} fighters", "{0:>5.1f}", "{0!r:.1f}",
     "{:.0f}", "{0:.1e}", "unclosed {0"],
)  # fmt: skip
def test_other_templates_have_no_percent_form(template):
    assert printf_form(template, 2 if "1" in template else 1) is None


def test_round3_is_round_to_three_decimals():
    rng = np.random.default_rng(3)
    special = [2.0005, 0.0625, -0.0, 1e20, math.inf, -math.inf]
    xs = [*(rng.random(3000) * 10.0 ** rng.integers(-4, 9, 3000)).tolist(),
          *[float(k) for k in range(-5, 50)], *special]  # fmt: skip
    for x in xs:
        assert round3(x) == round(x, 3) and math.copysign(1, round3(x)) == math.copysign(1, x)
    assert math.isnan(round3(math.nan))


def test_round3_array_is_round_to_three_decimals_to_the_bit():
    """numpy's rounding where it is sure, Python's ``round`` elsewhere: the same doubles
    (signs of zero included) on numbers of every size, on half-way points and next to
    them, and on the specials."""
    rng = np.random.default_rng(4)
    k = rng.integers(-(10**6), 10**6, 20000)
    half = (k + 0.5) / 1000.0
    xs = np.concatenate([
        rng.random(40000) * 10.0 ** rng.integers(-6, 14, 40000) * rng.choice([-1, 1], 40000),
        half, np.nextafter(half, np.inf), np.nextafter(half, -np.inf),
        [2.0005, 0.0625, -0.0625, -0.0, -0.0004, 1e300, 5e-324, math.inf, -math.inf, math.nan],
    ])  # fmt: skip
    got = round3_array(xs)
    want = np.array([round(float(x), 3) for x in xs])
    assert got.dtype == np.float64 and got.shape == xs.shape
    np.testing.assert_array_equal(got, want)
    assert (np.signbit(got) == np.signbit(want)).all()


def test_records_and_columns_agree_as_the_log_grows(baseline):
    """The rows made lists once are made again when the log grows; records read
    between steps and columns read at the end hold the same notes and numbers."""
    m = LibyaModel(baseline, rng=6, months=24)
    for _ in range(8):
        m.step()
    early = len(m.event_log)
    while m.running:
        m.step()
    assert len(m.event_log) > early
    cols = m.logbook.columns()
    recs = m.event_log
    for c in ("step", "month", "kind", "region", "actor1", "actor2", "note", "fatalities"):
        assert list(cols[c]) == [r[c] for r in recs], c


def test_the_dump_check_finds_any_difference(baseline):
    m = LibyaModel(baseline, rng=2, months=6)
    while m.running:
        m.step()
    a = fields(result_of(m))
    b = pickle.loads(pickle.dumps(a))
    assert same(a, b) == []
    assert same({"x": math.nan}, {"x": math.nan}) == []
    assert same({"x": 1.0}, {"x": 1}) != []  # a type
    assert same({"x": 0.1 + 0.2}, {"x": 0.3}) != []  # one bit
    assert same({"x": 1, "y": 2}, {"y": 2, "x": 1}) != []  # the order of keys
    b["series_table"][3][-1, 0] += 1e-9
    assert same(a, b) != []
    b = pickle.loads(pickle.dumps(a))
    b["event_table"]["note"][0] += " "
    assert same(a, b) != []
