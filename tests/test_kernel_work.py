"""Work arrays on a kernel's stack (:mod:`libyasim.model.work`): the arrays
``np.empty`` would make, without the heap."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from numba import njit
from paths import BASELINE

from libyasim import load_scenario
from libyasim.model import LibyaModel, work
from libyasim.model.jit import disabled


@njit
def _layouts() -> tuple:  # type: ignore[type-arg]
    """The shape and strides (bytes) of each kind of work array, made in a kernel."""
    a, b, c = work.f1(5), work.f2(3, 4), work.i1(6)
    d, e, f = work.b1(7), work.b2(2, 5), work.b3(2, 3, 4)
    return (
        (a.shape, a.strides),
        (b.shape, b.strides),
        (c.shape, c.strides),
        (d.shape, d.strides),
        (e.shape, e.strides),
        (f.shape, f.strides),
    )


_ASKED = (
    ((5,), np.float64),
    ((3, 4), np.float64),
    ((6,), np.int64),
    ((7,), np.bool_),
    ((2, 5), np.bool_),
    ((2, 3, 4), np.bool_),
)


@njit
def _filled(n: int, m: int, x: float) -> tuple[float, float, int, bool, float]:
    """Fill each kind of work array and read it back (sums), inside one kernel."""
    a = work.f1(n)
    b = work.f2(n, m)
    c = work.i1(n)
    d = work.b2(n, m)
    for i in range(n):
        a[i] = x + i
        c[i] = i * 3
        for j in range(m):
            b[i, j] = x * i - j
            d[i, j] = (i + j) % 2 == 0
    e = work.f1(0)  # an empty one is an array too
    return a.sum(), b[n - 1].sum(), c.sum(), d[n - 1, m - 1], e.sum()


@njit
def _one(x: float) -> float:
    a = work.f2(64, 64)  # 32 KB a call: called in a loop, the frame is given back
    a[63, 63] = x
    return a[63, 63]


@njit
def _many(n: int) -> float:
    t = 0.0
    for i in range(n):
        t += _one(float(i))
    return t


def test_work_arrays_have_the_shape_and_layout_asked_for() -> None:
    """C-contiguous, with the item size of their type (what ``np.empty`` makes)."""
    for (shape, strides), (asked, dtype) in zip(_layouts(), _ASKED, strict=True):
        like = np.empty(asked, dtype=dtype)
        assert tuple(shape) == like.shape
        assert tuple(strides) == like.strides


def test_work_arrays_hold_what_a_kernel_writes() -> None:
    n, m, x = 9, 4, 0.25
    a_sum, b_row, c_sum, d_last, e_sum = _filled(n, m, x)
    assert a_sum == sum(x + i for i in range(n))
    assert b_row == sum(x * (n - 1) - j for j in range(m))
    assert c_sum == 3 * sum(range(n))
    assert d_last == ((n - 1 + m - 1) % 2 == 0)
    assert e_sum == 0.0


def test_a_kernel_making_work_arrays_can_be_called_a_million_times() -> None:
    """32 KB of stack a call, a million calls: the stack would be 32 GB if a frame's
    work arrays were not given back when the kernel returns."""
    n = 1000 if disabled() else 1_000_000
    assert _many(n) == float(sum(range(n)))


@pytest.mark.skipif(disabled(), reason="no runtime allocations to count under NUMBA_DISABLE_JIT")
def test_a_steady_month_allocates_little_on_the_heap() -> None:
    """The work arrays replaced about 60 of a steady month's 80 runtime allocations:
    a regression (a kernel's work arrays back on the heap) shows here."""
    from numba.core.runtime import _nrt_python, rtsys

    m = LibyaModel(load_scenario(BASELINE), rng=1, months=48)
    for _ in range(12):
        m.step()
    on = _nrt_python.memsys_stats_enabled()
    _nrt_python.memsys_enable_stats()  # counted from here (off by default: they cost)
    try:
        before = rtsys.get_allocation_stats()
        for _ in range(12):
            m.step()
        after = rtsys.get_allocation_stats()
    finally:
        if not on:
            _nrt_python.memsys_disable_stats()
    assert (after.alloc - before.alloc) / 12 < 40


def _is_work_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "work"
    )


def _offences(fn: ast.FunctionDef, where: str) -> list[str]:
    """``work.*`` calls of ``fn`` inside one of its loops, or whose array it returns:
    each pass of a loop would reserve more stack, and a returned array would point
    into a frame that is gone."""
    bad: list[str] = []
    made: set[str] = set()
    todo: list[tuple[ast.AST, bool]] = [(fn, False)]
    while todo:
        node, in_loop = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef):
                continue  # its own function, checked on its own
            if _is_work_call(child) and in_loop:
                bad.append(f"{where}:{child.lineno} {fn.name}: in a loop")
            if isinstance(child, ast.Assign) and _is_work_call(child.value):
                made.update(t.id for t in child.targets if isinstance(t, ast.Name))
            if isinstance(child, ast.Return) and child.value is not None:
                out = child.value.elts if isinstance(child.value, ast.Tuple) else [child.value]
                names = {n.id for n in out if isinstance(n, ast.Name)}  # handed back as is
                if names & made:
                    bad.append(f"{where}:{child.lineno} {fn.name}: returned")
            todo.append((child, in_loop or isinstance(child, ast.For | ast.While)))
    return bad


def test_work_arrays_are_made_outside_loops_and_never_returned() -> None:
    from libyasim import model

    bad, calls = [], 0
    for path in sorted(Path(model.__file__).parent.glob("*.py")):
        text = path.read_text()
        if not re.search(r"^from \. import .*\bwork\b", text, re.MULTILINE):
            continue  # ``work`` there is something else (conflict's work array)
        tree = ast.parse(text, filename=str(path))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef):
                bad += _offences(fn, path.name)
        calls += sum(_is_work_call(n) for n in ast.walk(tree))
    assert bad == []
    assert calls > 60, "the kernels' work arrays are no longer made with work.*"
