"""The compiled month kernel (libyasim.model.jit): compiled and plain-Python runs agree.

The kernels are numba ``njit`` functions; ``NUMBA_DISABLE_JIT=1`` runs the same
source as Python (for debugging and coverage). Both must give the same runs:
identical event logs and arrays within 1e-12 of their scale. The Python side
runs in a subprocess, since numba reads the variable when it is imported.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from paths import REPO, SCENARIOS

from libyasim.model import jit

# scenarios that between them fire every kind of event the kernels meet: ceasefire and
# election, a sponsor leaving (allies compensate) and entering, an embargo, an ordered
# offensive with direct support, a jihadist resurgence
RUNS = [
    ("paris_2017", 3, 30),
    ("gulf_withdraws", 1, 24),
    ("turkey_enters", 2, 24),
    ("arms_embargo_enforced", 1, 24),
    ("lna_marches_on_tripoli", 1, 18),
    ("daesh_resurgence", 4, 24),
]

_PYTHON_SIDE = """
import pickle, sys
from libyasim.model import jit
assert jit.disabled(), "NUMBA_DISABLE_JIT did not reach numba"
runs = pickle.loads(bytes.fromhex(sys.argv[1]))
out = {f"{s}/{seed}": jit.fingerprint(path, seed, months) for s, path, seed, months in runs}
sys.stdout.buffer.write(pickle.dumps(out))
"""


def _python_fingerprints(runs: list[tuple[str, str, int, int]]) -> dict:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", _PYTHON_SIDE, pickle.dumps(runs).hex()],
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return pickle.loads(proc.stdout)


@pytest.mark.slow
def test_compiled_and_python_kernels_give_the_same_runs():
    runs = [(s, str(SCENARIOS / f"{s}.yaml"), seed, months) for s, seed, months in RUNS]
    python = _python_fingerprints(runs)
    for name, path, seed, months in runs:
        compiled = jit.fingerprint(path, seed, months)
        assert compiled["events"], f"{name}: a run without events tests little"
        assert jit.differences(compiled, python[f"{name}/{seed}"]) == [], name


def test_differences_reports_a_changed_event_or_array(baseline):
    a = jit.fingerprint(SCENARIOS / "baseline_2017.yaml", 1, 6)
    b = jit.fingerprint(SCENARIOS / "baseline_2017.yaml", 1, 6)
    assert jit.differences(a, b) == []
    assert jit.max_relative(a, b) == 0.0
    b["budget"] = b["budget"] * (1 + 1e-9)
    assert [d.split(":")[0] for d in jit.differences(a, b)] == ["budget"]
    b["budget"] = a["budget"]
    b["budget"][0, 0] += 1e-14 * np.abs(a["budget"]).max()  # within the tolerance
    assert jit.differences(a, b) == []
    b["events"] = [*a["events"][:-1], (*a["events"][-1][:-1], "another note")]
    last = len(a["events"]) - 1
    assert jit.differences(a, b)[0].startswith(f"event log differs at record {last}")


def test_kernels_write_into_the_models_arrays(baseline):
    """Agents, the DataCollector and any caller holding an array see the month's values:
    the kernels update the model's arrays in place."""
    from libyasim.model import LibyaModel

    m = LibyaModel(baseline, rng=3, months=4)
    names = ["allocation", "flows", "budget", "loyalty", "utility", "direct_support",
             "combat_mult", "escalation_drive", "legitimacy", "popularity", "positions",
             "settlement", "prevail", "capability", "power_share"]  # fmt: skip
    held = {n: getattr(m, n) for n in names}
    before = {n: a.copy() for n, a in held.items()}
    for _ in range(4):
        m.step()
    for n in names:
        assert getattr(m, n) is held[n], f"{n} was replaced, not updated"
    changed = [n for n in names if not np.array_equal(held[n], before[n])]
    assert {"allocation", "flows", "budget", "loyalty", "legitimacy", "popularity"} <= set(changed)


def test_coefficients_changed_on_the_model_reach_the_kernels_arrays():
    from libyasim.model.jit import Coefficients

    p = Coefficients(alpha=1.0, beta=2.0)
    a = p.array(("beta", "alpha"))
    assert a.tolist() == [2.0, 1.0] and p.array(("beta", "alpha")) is a
    p.alpha = 5.0
    assert p.alpha == 5.0 and a.tolist() == [2.0, 5.0]
    p.gamma = 3.0  # a name no array holds
    assert a.tolist() == [2.0, 5.0] and p.gamma == 3.0


def test_fresh_processes_load_the_compiled_kernels_from_the_cache():
    """Batch workers start from numba's on-disk cache: a process that loads the kernels
    (rather than compiling them) runs the model too. (A recursive kernel, for one,
    compiled and ran but crashed every process that loaded it from the cache.)"""
    code = (
        "from libyasim.model import LibyaModel\n"
        "from libyasim.scenario import load_scenario\n"
        f"m = LibyaModel(load_scenario({str(SCENARIOS / 'paris_2017.yaml')!r}), rng=1, months=3)\n"
        "for _ in range(3): m.step()\n"
        "print(round(float(m.strength.sum()), 6))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("NUMBA_DISABLE_JIT", None)
    outs = []
    for _ in range(2):  # the first may compile and write the cache; the second loads it
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append(proc.stdout)
    assert outs[0] == outs[1]


def test_event_log_arrays_keep_order_and_format_notes_when_read(baseline):
    """Records logged from Python and rows appended by a kernel keep their order; a
    template note is formatted from the row's numbers when the log is read; the
    arrays grow past their first capacity."""
    from libyasim.model import LibyaModel
    from libyasim.model.eventlog import ACTOR1, KIND, append

    m = LibyaModel(baseline, rng=1, months=2)
    book = m.logbook
    n0 = len(book)
    m.log("Battles", "battle", 0, m.faction_ids[0], m.faction_ids[1], 2.34567,
          "{0:.0f} vs {1:.0f} fighters", (120.4, 80.6))  # fmt: skip
    book.reserve(400)  # writes the Python record first
    kind, battles, note = book.code("a_kernel_kind"), book.code("Battles"), book.note("{0:.1f}", 1)
    for k in range(300):
        append(book.codes, book.values, book.used, m.steps, battles, kind, book.region0 + 1,
               1, 0, float(k), note, k / 10, 0.0, 0.0, 0.0)  # fmt: skip
    m.log("Strategic developments", "after", None, None, None, 0.0, "plain {text}")
    recs = m.event_log
    assert len(recs) == len(book) == n0 + 302
    first = recs[n0]
    assert first["note"] == "120 vs 81 fighters" and first["fatalities"] == 2.346
    assert first["region"] == m.region_ids[0] and first["actor2"] == m.faction_ids[1]
    assert [r["note"] for r in recs[n0 + 1 : n0 + 4]] == ["0.0", "0.1", "0.2"]
    assert recs[n0 + 1]["actor1"] == m.faction_ids[1] and recs[n0 + 1]["kind"] == "a_kernel_kind"
    assert recs[-1]["note"] == "plain {text}" and recs[-1]["actor1"] is None
    codes, _ = book.rows()
    assert (codes[:, KIND] == kind).sum() == 300 and codes[n0 + 2, ACTOR1] == 1
    assert len(book.where("a_kernel_kind")) == 300 and len(book.where("nothing")) == 0
    frame = book.frame()
    assert frame["note"].tolist() == [r["note"] for r in recs]


def test_event_frame_built_from_the_arrays_equals_the_records(baseline):
    """RunResult.events, built column by column from the log's arrays, is the frame of
    the records (values and dtypes), with and without rows, formatted or not yet."""
    import pandas as pd

    from libyasim.model import LibyaModel, outcomes
    from libyasim.model.result import EVENT_COLUMNS, EventTable

    def of_records(m):
        df = pd.DataFrame(m.event_log, columns=EVENT_COLUMNS)
        return df.astype({"step": np.int64, "fatalities": float})

    empty = LibyaModel(baseline, rng=2, months=1)
    assert len(empty.logbook) == 0
    pd.testing.assert_frame_equal(empty.logbook.frame(), of_records(empty))
    m = LibyaModel(baseline, rng=2, months=12)
    for _ in range(6):
        m.step()
    m.event_log  # noqa: B018 (formats the first half's records)
    for _ in range(6):
        m.step()
    half = m.logbook.frame()  # half its notes formatted before, half now
    pd.testing.assert_frame_equal(half, of_records(m))
    m.logbook._records.clear()  # forget the formatted records: the columns format them
    frame = m.logbook.frame()
    assert len(frame) > len(m.logbook.where("battle")) > 0
    pd.testing.assert_frame_equal(frame, of_records(m))
    # the RunResult's EventTable from the arrays holds what it holds from the records
    ours, theirs = outcomes.event_table(m), EventTable.from_records(m.event_log)
    assert ours.columns.keys() == theirs.columns.keys()
    for c in EVENT_COLUMNS:
        assert list(ours[c]) == list(theirs[c]), c
    pd.testing.assert_frame_equal(ours.frame(), of_records(m))


def test_skirmish_kernel_leaves_the_generator_where_its_draws_end(baseline):
    """The skirmish kernel reads the model's Generator itself (numeric.uniform): one draw
    per hostile pair, then two per skirmish fought (no ceasefire here), and leaves it
    exactly where a draw-by-draw loop would."""
    from libyasim.model import LibyaModel, conflict

    m = LibyaModel(baseline, rng=5, months=24)
    fought = 0
    for _ in range(24):
        m.step()
        pairs = len(m.hostile_pairs())
        twin = np.random.default_rng()
        twin.bit_generator.state = m.rng.bit_generator.state
        before = len(m.logbook.where("battle"))
        conflict.heat_up(m)
        conflict.skirmishes(m)
        battles = len(m.logbook.where("battle")) - before
        fought += battles
        twin.random(pairs + 2 * battles)
        assert m.rng.bit_generator.state == twin.bit_generator.state
    assert fought > 0


def test_a_kernels_version_covers_the_model_modules_it_imports(tmp_path, monkeypatch):
    """The cache directory of a module's kernels is named by the hash of its source and
    of every model module it imports from, transitively (``from .x import`` and ``from .
    import x``): a kernel that calls another module's kernel is recompiled when that
    module changes, which numba's own cache (the caller's file only) would not notice."""
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    for path in jit._MODEL.glob("*.py"):
        (model_dir / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (model_dir / "caller.py").write_text(
        "from . import (\n    offtable,  # a table\n)\nfrom .eventlog import append\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(jit, "_MODEL", model_dir)
    monkeypatch.setattr(jit, "_hashes", {})

    def versions() -> dict[str, str]:
        jit._hashes.clear()
        return {m: jit.source_hash(m) for m in ("caller", "eventlog", "offtable", "regions")}

    before = versions()
    assert before == versions()  # a pure function of the sources
    # eventlog imports jit: a change to jit reaches eventlog and, through it, caller
    with open(model_dir / "jit.py", "a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    after = versions()
    assert after["eventlog"] != before["eventlog"] and after["caller"] != before["caller"]
    assert after["regions"] == before["regions"]  # it imports nothing that changed
    # a module imported with ``from . import``: offtable changes, caller follows
    with open(model_dir / "offtable.py", "a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    again = versions()
    assert again["offtable"] != after["offtable"] and again["caller"] != after["caller"]
    assert again["eventlog"] == after["eventlog"]
    assert jit.cache_dir("caller") == jit.CACHE_ROOT / f"kernels-caller-{again['caller']}"


def test_kernels_are_cached_under_the_cache_root(baseline):
    """Every compiled kernel keeps its code in its module's directory under
    ``jit.CACHE_ROOT`` (named by the module's current version), nowhere else."""
    if jit.disabled():
        pytest.skip("NUMBA_DISABLE_JIT: nothing is compiled")
    from numba.core.registry import CPUDispatcher

    from libyasim.model import LibyaModel, conflict, eventlog, forces, model, politics, support

    m = LibyaModel(baseline, rng=1, months=2)
    m.step()
    seen = 0
    for mod in (conflict, eventlog, forces, model, politics, support):
        short = mod.__name__.rsplit(".", 1)[-1]
        where = jit.cache_dir(short)
        for fn in vars(mod).values():
            if isinstance(fn, CPUDispatcher) and fn.__module__ == mod.__name__:
                path = fn._cache._cache_path  # numba's cache of this function
                assert path.startswith(str(where)), (fn.__name__, path)
                if fn.signatures:  # compiled or loaded in this process: its index is there
                    assert list(where.rglob(f"*.{fn.__name__}-*.nbi")), (fn.__name__, where)
                    seen += 1
    assert seen >= 10
    assert jit.CACHE_ROOT in jit.cache_dir("model").parents
