"""Python's garbage collector kept off what a process held before a loop of runs.

A process that has imported the model holds about 200,000 objects the cyclic
collector tracks (Mesa, numba, pandas, pyarrow, pydantic, the scenarios). A
model is a cycle of references (the model and its agents), so it is freed by
the collector, not by reference counting: its objects outlive the young
generations and the oldest generation grows until a full collection, which
also visits every object of the imports. In a loop of baseline runs that is
one collection of about 100 ms every 400 to 1,500 runs: 2-9% of the loop's
time (measured with ``gc.callbacks``).

:func:`settled` freezes what the process holds when a loop starts
(``gc.freeze``: the collector no longer visits those objects) and unfreezes it
when the loop ends, so that full collections during the loop visit the loop's
own objects only. Nothing is lost: garbage among the frozen objects is
collected after the loop. It does nothing where the heap is frozen already: a
batch worker, or any process forked from the batch's fork server, freezes what
it imported once and for all (:func:`freeze_for_good`), and a caller's own
freeze (more objects frozen than when this module was imported: the
interpreter freezes a few hundred of its own at start) is left as it is.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # loops inside settled() now (threads of a dashboard may overlap)
_ours = False  # the freeze in force is this module's (to be undone by the last loop)
_for_good = False  # freeze_for_good() was called in this process (or its parent)
_AT_START = gc.get_freeze_count()  # the objects frozen before anything of ours ran


@contextmanager
def settled() -> Iterator[None]:
    """Run the body with what the process holds now frozen (see the module docstring)."""
    global _depth, _ours
    with _lock:
        if _depth == 0:
            _ours = not _for_good and gc.get_freeze_count() <= _AT_START
            if _ours:
                gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _ours:
                gc.unfreeze()
                _ours = False


def freeze_for_good() -> None:
    """In a process of ours that forks workers or is one (the batch's fork server, a
    batch worker): collect once, then freeze what the process holds for its whole
    life; forked children share those pages instead of copying them when the
    collector would touch them. :func:`settled` then has nothing to do."""
    global _for_good
    gc.collect()
    gc.freeze()
    _for_good = True


__all__ = ["freeze_for_good", "settled"]
