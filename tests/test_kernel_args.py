"""Kernels that take the model's long-lived arrays as one table of addresses
(:mod:`libyasim.model.args`): the views must stand for arrays the model still holds."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from libyasim import load_scenario
from libyasim.model import LibyaModel, args, conflict, forces, month, outcomes, politics, support
from libyasim.model.jit import disabled

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))
KERNELS = {
    "forces._step": forces._STEP,
    "forces._economy": forces._ECONOMY,
    "conflict._month": conflict._MONTH,
    "support._exchange": support._EXCHANGE,
    "politics.month": politics._MONTH,
    "month._reset": month.RESET,
    "outcomes._record": outcomes._RECORD,
}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_tables_hold_the_models_arrays_all_run(path: Path) -> None:
    """Every shipped scenario, to its end: after each month, each table's arrays are
    still the model's (none was rebound: a view would then read freed memory), and
    every kernel that takes a table made one."""
    m = LibyaModel(load_scenario(path), rng=3)
    while m.running:
        m.step()
        stale = {t.names: t.check(m) for t in args.tables(m) if t.check(m)}
        assert not stale, f"month {m.steps}: arrays rebound under a kernel's table: {stale}"
    made = {t.names for t in args.tables(m)}
    assert {forces._STEP, forces._ECONOMY, conflict._MONTH, politics._MONTH} <= made
    assert {month.RESET, outcomes._RECORD} <= made


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_table_names_are_contiguous_arrays_of_the_model(name: str) -> None:
    m = LibyaModel(load_scenario(SCENARIOS[0]), rng=1)
    t = args.Table(m, KERNELS[name])
    assert len(t.arrays) == len(KERNELS[name]) == len(set(KERNELS[name]))
    for n, a in zip(t.names, t.arrays, strict=True):
        assert a is getattr(m, n)
        assert a.flags.c_contiguous and a.dtype in (np.float64, np.int64, np.bool_)
    if not disabled():
        assert t.arg.shape == (len(t.names), 4)
        for row, a in zip(t.arg, t.arrays, strict=True):
            assert row[args.ADDRESS] == a.ctypes.data
            assert tuple(row[args.D0 : args.D0 + a.ndim]) == a.shape
            assert (row[args.D0 + a.ndim :] == 1).all()


@pytest.mark.skipif(disabled(), reason="kernels run as Python: a table is its arrays")
def test_tables_from_the_set_up_template_are_the_arrays_own() -> None:
    """A model copied from its scenario's set-up template (the third of one scenario
    object) makes its tables from the template's layout: each the table made array by
    array, also for an array rebound before the table was made."""
    spec = load_scenario(SCENARIOS[0])
    LibyaModel(spec, rng=1)
    LibyaModel(spec, rng=1)  # records the template
    m = LibyaModel(spec, rng=1)
    placed = args._TABLES[id(m)].get(args._PLACED)
    assert placed is not None, "the third model was not copied from the template"
    m.popularity = m.popularity.copy()  # rebound: not the template's copy any more
    for name, names in KERNELS.items():
        fast = args.Table(m, names, placed).arg
        slow = args.Table(m, names).arg
        np.testing.assert_array_equal(fast, slow, err_msg=name)
    slots, _, _ = placed.layout.proto(politics._MONTH)
    assert sum(k >= 0 for k in slots) > len(slots) // 2, "few arrays came from the layout"


def test_a_rebound_array_is_reported() -> None:
    m = LibyaModel(load_scenario(SCENARIOS[0]), rng=1)
    t = args.Table(m, politics._MONTH)
    assert t.check(m) == []
    m.popularity = m.popularity.copy()
    assert t.check(m) == ["popularity"]


class _Holder:
    pass


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 6))[:, ::2], np.zeros(3, dtype=np.float32), np.zeros((2, 2, 2, 2)), [1.0]],
    ids=["strided", "float32", "4-d", "list"],
)
def test_a_table_refuses_what_a_view_cannot_stand_for(bad: object) -> None:
    h = _Holder()
    h.x = bad  # type: ignore[attr-defined]
    names = ("x",)  # a new tuple: its arrays are checked
    with pytest.raises(TypeError, match="x: not a C-contiguous"):
        args.Table(h, names)


def test_the_table_call_is_the_direct_call() -> None:
    """politics' month through its table and called with the arrays themselves, on two
    copies of the same model: the same arrays after, to the bit."""
    m = LibyaModel(load_scenario(SCENARIOS[0]), rng=2, months=12)
    for _ in range(3):
        m.step()
    names = politics._MONTH
    a = {n: copy.deepcopy(getattr(m, n)) for n in names}
    b = {n: copy.deepcopy(getattr(m, n)) for n in names}
    holder = _Holder()
    holder.__dict__.update(a)
    moved_table = politics._month_p(args.Table(holder, names).arg, False)
    moved_direct = politics.month(*(b[n] for n in names), False)
    assert moved_table == moved_direct
    for n in names:
        np.testing.assert_array_equal(a[n], b[n], err_msg=n)
    assert any(not np.array_equal(a[n], getattr(m, n)) for n in names), "the month moved nothing"


def test_current_arrays_follow_what_the_owner_holds_now() -> None:
    """:func:`args.current` reads the owner's arrays at each call: an array replaced
    since the last call (a table that grew) has its row made again, the others keep
    theirs, and dotted paths reach the arrays of the owner's parts."""
    h = _Holder()
    h.a = np.arange(3.0)  # type: ignore[attr-defined]
    h.part = _Holder()  # type: ignore[attr-defined]
    h.part.b = np.zeros((2, 5), dtype=np.int64)  # type: ignore[attr-defined]
    names = ("a", "part.b")

    def views(t: object) -> tuple[np.ndarray, np.ndarray]:
        return args.f1(t, 0), args.i2(t, 1)

    a0, b0 = views(args.current(h, names))
    assert a0.tolist() == [0.0, 1.0, 2.0] and b0.shape == (2, 5)
    h.part.b = np.full((4, 5), 7, dtype=np.int64)  # type: ignore[attr-defined]
    a1, b1 = views(args.current(h, names))
    assert b1.shape == (4, 5) and int(b1.sum()) == 140
    h.a[1] = 9.0  # type: ignore[attr-defined]
    assert a1.tolist() == [0.0, 9.0, 2.0]  # still the same array, in place
    assert args.tables(h) == []  # never among the tables that must not be rebound
    h.part.b = np.zeros((4, 6))[:, ::2]  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=r"part\.b: not a C-contiguous"):
        args.current(h, names)
