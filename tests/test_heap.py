"""The collector kept off what a process held before a loop of runs (model.heap)."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from libyasim.model import heap


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref:
    """A reference cycle nobody holds once this returns; a weak reference to it."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def _still_frozen(frozen: int) -> bool:
    """What was frozen is still frozen (a few frozen objects may have been freed since:
    their count falls; a thaw makes it 0)."""
    return gc.get_freeze_count() > frozen // 2 > 0


@pytest.fixture(autouse=True)
def _thawed():
    """Every test starts and ends with nothing of its own frozen."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_heap_is_frozen_inside_and_thawed_after():
    held = [_Node() for _ in range(100)]
    with heap.settled():
        assert gc.get_freeze_count() >= len(held)
    assert gc.get_freeze_count() == 0


def test_garbage_made_before_the_loop_is_collected_after_it():
    gone = _cycle()  # garbage already, frozen by the loop with everything else
    with heap.settled():
        gc.collect()
        assert gone() is not None  # frozen: the collector leaves it
    gc.collect()
    assert gone() is None  # thawed: collected


def test_garbage_made_inside_the_loop_is_collected_inside_it():
    with heap.settled():
        gone = _cycle()
        gc.collect()
        assert gone() is None


def test_nested_and_overlapping_loops_thaw_once_the_last_ends():
    with heap.settled():
        frozen = gc.get_freeze_count()
        with heap.settled():
            pass
        assert _still_frozen(frozen)  # the inner loop did not thaw it
    assert gc.get_freeze_count() == 0

    inside, leave = threading.Event(), threading.Event()

    def other_loop() -> None:
        with heap.settled():
            inside.set()
            leave.wait(10)

    t = threading.Thread(target=other_loop)
    t.start()
    assert inside.wait(10)
    with heap.settled():
        pass
    assert gc.get_freeze_count() > 0  # the other thread's loop still runs
    leave.set()
    t.join(10)
    assert gc.get_freeze_count() == 0


def test_a_callers_own_freeze_is_left_as_it_is():
    gc.freeze()
    frozen = gc.get_freeze_count()
    with heap.settled():
        pass
    assert _still_frozen(frozen)


def test_after_freeze_for_good_loops_leave_the_heap_alone(monkeypatch):
    monkeypatch.setattr(heap, "_for_good", False)
    heap.freeze_for_good()
    assert heap._for_good
    frozen = gc.get_freeze_count()
    assert frozen > 0
    with heap.settled():
        pass
    assert _still_frozen(frozen)  # still frozen for good
