"""A kernel's long-lived arrays as one argument: a table of their addresses.

Calling a compiled kernel from Python unboxes each array argument: numba reads
its type and wraps it in a reference-counted record, which the kernel then
counts up and down (atomically) wherever it hands the array on, and frees on
return. That costs about 0.2-0.3 µs an array, and the month's kernels take
about 140 of them: a third of the month. Most of those arrays live as long as
the model (its state, set up once and changed only in place), so a kernel takes
them as one int64 table instead (:class:`Table`, made once per model: each
row an array's address and up to three dimensions), and rebuilds each array
inside as a view of the same memory (``carray``: no unboxing, no counting).

A model copied from its scenario's set-up template (:mod:`.setup`) holds its
arrays as views of one buffer: its tables are the buffer's address plus the
template's offsets (:class:`Layout`, :func:`place`), and only an array rebound
since the copy is read on its own (about 3 µs a table instead of about 0.8 µs an
array). Any other model makes each table's rows in one kernel call over the
tuple of its arrays (:func:`_rows`: 2-5 µs a table).

Each kernel that does so has a twin taking the table (``_step_p`` for
``_step``), which calls the kernel with the views, by slot: :func:`f1`,
:func:`f2`, :func:`f3` (float64, 1-3 dimensions), :func:`i1`, :func:`i2`
(int64), :func:`b1`, :func:`b2` (bool). The module names the table's arrays (the
model's attribute names, in slot order) beside the twin. Arrays a month may
replace (tables that grow, the event log's buffers) are read again at each
call (:class:`Current`: the one-call month's, :func:`.month.run`), or stay
ordinary arguments (matrices made for the month); the one-call month takes the
modules' tables as one table of tables (:func:`table_of`), so that its call
unboxes four arrays instead of twenty-two.

The views are only as good as the table: the arrays must stay the model's
(never rebound), C-contiguous, and alive (the :class:`Table` holds them).
:meth:`Table.check` says whether the model still holds the same arrays;
``tests/test_kernel_args.py`` runs every shipped scenario checking it each
month. Under ``NUMBA_DISABLE_JIT=1`` the table is the tuple of arrays itself
and the slot functions index it, so the same code runs as Python.
"""

from __future__ import annotations

import operator
import weakref
from typing import Any

import numpy as np
from numba import carray, literal_unroll, types
from numba.extending import intrinsic

from .jit import disabled, kernel

#: columns of a table row: the array's address, then its dimensions (1 where it has fewer)
ADDRESS, D0, D1, D2 = range(4)
_DTYPES = (np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.bool_))
_CHECKED: set[int] = set()  # the ids of the names whose arrays were checked


class Layout:
    """Where a set-up template's arrays sit in its buffer (:mod:`.setup`): the slot of
    each attribute name, and each slot's row (its offset in the buffer, -1 where a
    view cannot stand for it, and its dimensions). A table of a model copied from the
    template is then, for the arrays it still holds, the buffer's address plus those
    rows (:meth:`proto`): no array is read one by one."""

    __slots__ = ("_protos", "rows", "slot_of")

    def __init__(self, slot_of: dict[str, int], rows: np.ndarray) -> None:
        self.slot_of = slot_of
        self.rows = rows
        self._protos: dict[int, tuple[tuple[str, ...], tuple[int, ...], np.ndarray, bool]] = {}

    def proto(self, names: tuple[str, ...]) -> tuple[tuple[int, ...], np.ndarray, bool]:
        """The slots of ``names`` (-1: not in the buffer), their table with offsets for
        addresses (rows of arrays not in the buffer: 0, 1, 1, 1), and whether every one
        is in the buffer."""
        hit = self._protos.get(id(names))
        if hit is None or hit[0] is not names:
            slots = tuple(self.slot_of.get(n, -1) for n in names)
            slots = tuple(-1 if k < 0 or self.rows[k, ADDRESS] < 0 else k for k in slots)
            rows = np.ones((len(names), 4), dtype=np.int64)
            for i, k in enumerate(slots):
                if k >= 0:
                    rows[i] = self.rows[k]
                else:
                    rows[i, ADDRESS] = 0
            hit = self._protos[id(names)] = (names, slots, rows, min(slots, default=-1) >= 0)
        return hit[1], hit[2], hit[3]


class _Placed:
    """A model's arrays as copied from a template: the buffer's address, the arrays
    by slot, the template's :class:`Layout`."""

    __slots__ = ("arrays", "base", "buffer", "layout")

    def __init__(self, buffer: np.ndarray, arrays: list[np.ndarray], layout: Layout) -> None:
        self.buffer, self.arrays, self.layout = buffer, arrays, layout
        self.base = int(buffer.__array_interface__["data"][0])


_PLACED = "placed"  # the key of an owner's _Placed among its tables


def place(owner: Any, buffer: np.ndarray, arrays: list[np.ndarray], layout: Layout) -> None:
    """Record that ``owner``'s arrays were copied from a template into ``buffer``
    (``arrays``: the copies, by the slots of ``layout``): its tables are then made
    from the layout, for the arrays it still holds."""
    _held(owner)[_PLACED] = _Placed(buffer, arrays, layout)


def _viewable(name: str, a: Any) -> None:
    """Raise ``TypeError`` unless a view of a table row can stand for ``a``."""
    if (
        not isinstance(a, np.ndarray)
        or not a.flags.c_contiguous
        or a.dtype not in _DTYPES
        or not 1 <= a.ndim <= 3
    ):
        raise TypeError(f"{name}: not a C-contiguous float64/int64/bool array of 1-3 dimensions")


class Table:
    """The arrays ``names`` of ``owner`` as one kernel argument (:attr:`arg`): an int64
    ``[n, 4]`` table of addresses and shapes, or, when kernels run as Python, the
    tuple of the arrays. Raises ``TypeError`` for an array a view cannot stand for
    (not C-contiguous, or not float64/int64/bool, or more than three dimensions).
    ``placed``: where the owner's arrays were copied from a template (:func:`place`)."""

    __slots__ = ("arg", "arrays", "names")

    def __init__(self, owner: Any, names: tuple[str, ...], placed: _Placed | None = None):
        self.names = names
        self.arrays = tuple(getattr(owner, n) for n in names) if len(names) < 2 else (
            operator.attrgetter(*names)(owner)
        )  # fmt: skip
        if id(names) not in _CHECKED:  # what arrays these are is the code's: checked once
            for name, a in zip(names, self.arrays, strict=True):
                _viewable(name, a)
            _CHECKED.add(id(names))
        if disabled():
            self.arg: Any = self.arrays
            return
        if placed is None:
            self.arg = np.ones((len(names), 4), dtype=np.int64)
            _rows(self.arg, self.arrays)
            return
        slots, rows, full = placed.layout.proto(names)
        self.arg = rows.copy()
        self.arg[:, ADDRESS] += placed.base
        copies = placed.arrays
        if full and all(map(operator.is_, map(copies.__getitem__, slots), self.arrays)):
            return  # all still the template's copies (checked in C, object by object)
        for i, (a, k) in enumerate(zip(self.arrays, slots, strict=True)):
            if k < 0 or a is not copies[k]:  # not the template's, or rebound since
                self.arg[i, D0:] = 1
                _row(self.arg, i, a)

    def check(self, owner: Any) -> list[str]:
        """The names of the arrays ``owner`` no longer holds (rebound since the table
        was made): a view of them would read memory that is no longer the model's."""
        pairs = zip(self.names, self.arrays, strict=True)
        return [n for n, a in pairs if getattr(owner, n) is not a]


class Current:
    """The arrays at the attribute paths ``names`` of an owner (dotted:
    ``"logbook.codes"``) that it may replace between calls (tables that grow, the
    event log's buffers) as one kernel argument, read again at each call
    (:meth:`arg`): the paths are read in C (``attrgetter``) and compared with the
    arrays of the last call object by object (``operator.is_``); only an array
    replaced since then has its row made again. About 0.7 µs for a dozen arrays,
    where unboxing them as arguments takes about 2 µs (each also a runtime record
    made and freed). Kept with the owner's tables (:func:`current`), never among
    them (:func:`tables` checks arrays that must not be replaced)."""

    __slots__ = ("_arrays", "_get", "_python", "_table", "names")

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        get = operator.attrgetter(*names)
        self._get = get if len(names) > 1 else (lambda owner: (get(owner),))
        self._arrays: tuple[Any, ...] = (None,) * len(names)  # none read yet
        self._table = np.ones((len(names), 4), dtype=np.int64)
        self._python = disabled()

    def arg(self, owner: Any) -> Any:
        """The table of the owner's arrays now (their tuple when kernels run as Python)."""
        now = self._get(owner)
        if all(map(operator.is_, now, self._arrays)):
            return self._table if not self._python else now
        first = self._arrays[0] is None
        for i, (name, a, b) in enumerate(zip(self.names, now, self._arrays, strict=True)):
            if a is not b:
                _viewable(name, a)
                if not self._python and not first:
                    self._table[i, D0:] = 1
                    _row(self._table, i, a)
        if first and not self._python:
            _rows(self._table, now)  # every row in one call
        self._arrays = now  # held: the addresses stay valid until the next call
        return self._table if not self._python else now


def current(owner: Any, names: tuple[str, ...]) -> Any:
    """``owner``'s :class:`Current` arrays ``names``, made on first use and kept while
    the owner lives; its table (:meth:`Current.arg`) as it stands now."""
    held = _TABLES.get(id(owner)) or _held(owner)
    key = ("current", id(names))
    c = held.get(key)
    if c is None or c.names is not names:
        c = held[key] = Current(names)
    return c.arg(owner)


#: each owner's tables by the id of their names, by the id of the owner (kept beside the
#: model, not in it, so that the set-up template, which copies the model's attributes,
#: never copies one; an owner's entry leaves with it, before its id can be reused)
_TABLES: dict[int, dict[Any, Any]] = {}


def _held(owner: Any) -> dict[Any, Any]:
    key = id(owner)
    held = _TABLES.get(key)
    if held is None:
        held = _TABLES[key] = {}
        weakref.finalize(owner, _TABLES.pop, key, None)
    return held


def table(owner: Any, names: tuple[str, ...]) -> Any:
    """The kernel argument of ``owner``'s arrays ``names`` (:attr:`Table.arg`), made on
    first use and kept while the owner lives."""
    held = _TABLES.get(id(owner)) or _held(owner)
    t = held.get(id(names))
    if t is None:
        t = held[id(names)] = Table(owner, names, held.get(_PLACED))
    return t.arg


def table_set(owner: Any, groups: tuple[tuple[str, ...], ...]) -> tuple[Any, ...]:
    """``tuple(table(owner, names) for names in groups)``, kept as one tuple."""
    held = _TABLES.get(id(owner)) or _held(owner)
    out = held.get(id(groups))
    if out is None:
        out = held[id(groups)] = tuple(table(owner, names) for names in groups)
    return out


def table_of(owner: Any, groups: tuple[tuple[str, ...], ...]) -> Any:
    """The tables of :func:`table_set` as one table (row ``i``: the table of
    ``groups[i]``, an int64 array read with :func:`i2`), made once: a kernel that takes
    several tables then takes one argument (the tuple of the tables when kernels
    run as Python)."""
    held = _TABLES.get(id(owner)) or _held(owner)
    key = ("of", id(groups))
    out = held.get(key)
    if out is None:
        tabs = table_set(owner, groups)  # held with the owner: the addresses stay valid
        if disabled():
            out = tabs
        else:
            out = np.ones((len(tabs), 4), dtype=np.int64)
            _rows(out, tabs)
        held[key] = out
    return out


def tables(owner: Any) -> list[Table]:
    """The tables made for ``owner`` (for :meth:`Table.check`)."""
    return [t for t in _TABLES.get(id(owner), {}).values() if isinstance(t, Table)]


if disabled():  # the table is the tuple of arrays

    def f1(t: Any, i: int) -> Any:
        return t[i]

    f2 = f3 = i1 = i2 = b1 = b2 = f1

else:

    @kernel
    def _row(t: np.ndarray, i: int, a: np.ndarray) -> None:
        """Row ``i`` of a table: ``a``'s address and shape (compiled: numpy's
        ``__array_interface__`` takes several times as long)."""
        t[i, ADDRESS] = a.ctypes.data
        for d in range(a.ndim):
            t[i, D0 + d] = a.shape[d]

    @kernel
    def _rows(t: np.ndarray, arrays: tuple[np.ndarray, ...]) -> None:
        """Every row of a table (:func:`_row`) in one call: ``t`` as made by
        ``np.ones((len(arrays), 4), np.int64)`` (compiled once for each tuple of
        array types: a table's arrays are always of the same types)."""
        i = 0
        for a in literal_unroll(arrays):
            t[i, ADDRESS] = a.ctypes.data
            for d in range(a.ndim):
                t[i, D0 + d] = a.shape[d]
            i += 1  # noqa: SIM113 (literal_unroll takes no enumerate)

    def _pointer_of(typingctx: Any, address: Any) -> Any:
        """The ``void*`` at an integer address."""
        if not isinstance(address, types.Integer):
            return None

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.inttoptr(args[0], context.get_value_type(types.voidptr))

        return types.voidptr(address), codegen

    _pointer: Any = intrinsic(_pointer_of)

    @kernel
    def f1(t: Any, i: int) -> Any:
        return carray(_pointer(t[i, ADDRESS]), (t[i, D0],), np.float64)

    @kernel
    def f2(t: Any, i: int) -> Any:
        return carray(_pointer(t[i, ADDRESS]), (t[i, D0], t[i, D1]), np.float64)

    @kernel
    def f3(t: Any, i: int) -> Any:
        return carray(_pointer(t[i, ADDRESS]), (t[i, D0], t[i, D1], t[i, D2]), np.float64)

    @kernel
    def i1(t: Any, i: int) -> Any:
        return carray(_pointer(t[i, ADDRESS]), (t[i, D0],), np.int64)

    @kernel
    def i2(t: Any, i: int) -> Any:
        return carray(_pointer(t[i, ADDRESS]), (t[i, D0], t[i, D1]), np.int64)

    @kernel
    def b1(t: Any, i: int) -> Any:
        return carray(_pointer(t[i, ADDRESS]), (t[i, D0],), np.bool_)

    @kernel
    def b2(t: Any, i: int) -> Any:
        return carray(_pointer(t[i, ADDRESS]), (t[i, D0], t[i, D1]), np.bool_)


__all__ = [
    "Current",
    "Layout",
    "Table",
    "b1",
    "b2",
    "current",
    "f1",
    "f2",
    "f3",
    "i1",
    "i2",
    "place",
    "table",
    "table_of",
    "table_set",
    "tables",
]
