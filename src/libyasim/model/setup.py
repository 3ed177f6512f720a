"""The model's state after set-up, kept once per scenario and copied into new models.

Setting a model up reads the validated scenario objects into arrays (regions,
factions, sponsors, relations, each mechanism module's ``init``, the first
bargaining round): about a millisecond of Python, the same for every run of
the same scenario. The second :class:`~libyasim.model.model.LibyaModel` built
on a :class:`~libyasim.scenario.Scenario` object records what its set-up made
(a :class:`ModelTemplate`, kept while the scenario object lives; the first only
marks the object, so a scenario made for one run pays nothing); later models of
the same object (the seeds of an ensemble, a batch's runs) copy it instead
(the loader's own check of a scenario file builds a model: the first model a
user builds of a loaded file is then already the second):

- every array is copied, as a view of one new buffer that holds them all (arrays
  that were views of one array keep their offsets and strides in it); the
  kernels' tables of addresses (:mod:`.args`) are then the buffer's address plus
  the template's offsets; numbers, strings, tuples and the scenario's own
  (frozen) objects are shared;
- lists, dicts and sets of plain data are copied (deeply where they nest), the
  arrays in them mapped to the new model's; the coefficients
  (:class:`~.jit.Coefficients`) are copied with the arrays they keep in step;
- the Mesa agents (factions, sponsors) are made anew, in the same order (so
  their ``unique_id`` are those of a fresh set-up), and the event log's tables
  of strings are copied.

Set-up draws no random number (a template is recorded only when the model's
generators are where they started), so a copied model is the model set-up would
make. Anything set-up leaves that is not plain data (an object of another class)
makes the scenario untemplated: every model then runs the full set-up.
``tests/test_model_setup.py`` checks a copied model against a set-up one,
attribute by attribute.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from mesa.agent import AgentSet
from pydantic import BaseModel

from .args import Layout, place
from .eventlog import EventLog
from .factions import Faction
from .jit import Coefficients
from .sponsors import Sponsor

if TYPE_CHECKING:
    from .model import LibyaModel

#: attributes set-up makes that are rebuilt for each model (agents, event log)
REBUILT = ("factions", "faction", "sponsors", "sponsor", "logbook")
_SHARED = (int, float, bool, str, bytes, type(None), np.generic, BaseModel, range, frozenset)

_SEEN = object()  # a scenario object set up once: the next set-up records
_TEMPLATES: dict[int, tuple[weakref.ref, Any]] = {}  # id -> (the object, template, None or _SEEN)


class NotPlainData(TypeError):
    """Set-up left an object the template cannot copy."""


def _immutable(x: Any) -> bool:
    if type(x) is tuple:
        return all(_immutable(v) for v in x)
    return isinstance(x, _SHARED)


def _plain(x: Any) -> bool:
    """Lists, dicts, sets and tuples of immutables and arrays, nested."""
    if isinstance(x, np.ndarray) or _immutable(x):
        return True
    if type(x) in (list, tuple, set):
        return all(_plain(v) for v in x)
    if type(x) is dict:
        return all(_immutable(k) and _plain(v) for k, v in x.items())
    return False


def _root(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _address(a: np.ndarray) -> int:
    return int(a.__array_interface__["data"][0])


class _Arrays:
    """The arrays of a template: each root buffer copied once, the arrays as views of it."""

    def __init__(self) -> None:
        self.roots: list[np.ndarray] = []  # copies of the roots (contiguous as the originals)
        self.views: list[tuple[int, int, tuple, tuple, np.dtype] | None] = []  # per slot
        self.slot_root: list[int] = []
        self._slot: dict[int, int] = {}  # id of a model's array -> slot
        self._root: dict[int, int] = {}  # id of a root -> its index in roots
        self.arrays: list[np.ndarray] = []  # the template's arrays (by slot)

    def add(self, a: np.ndarray) -> int:
        """The slot of a model's array (recorded on first sight)."""
        k = self._slot.get(id(a))
        if k is not None:
            return k
        root = _root(a)
        if root is not a and not (root.flags.c_contiguous or root.flags.f_contiguous):
            root = a  # (not seen in practice) a view of a strided buffer: copied alone
        r = self._root.get(id(root))
        if r is None:
            r = self._root[id(root)] = len(self.roots)
            self.roots.append(root.copy(order="K"))
            self._keep = getattr(self, "_keep", [])
            self._keep.append(root)  # ids stay unique while the template is built
        k = self._slot[id(a)] = len(self.views)
        copy_root = self.roots[r]
        if root is a:
            self.views.append(None)
            self.arrays.append(copy_root)
        else:
            offset = _address(a) - _address(root)
            view = (r, offset, a.shape, a.strides, a.dtype)
            self.views.append(view)
            self.arrays.append(
                np.ndarray(a.shape, a.dtype, buffer=copy_root, offset=offset, strides=a.strides)
            )
        self.slot_root.append(r)
        self._keep.append(a)
        return k

    def done(self) -> None:
        """Forget the model's arrays (their ids were only needed while recording), and lay
        the roots out in one buffer (:attr:`buffer`, each root at a multiple of 64 bytes):
        a model's copy is then one copy of the buffer and a view per slot
        (:attr:`specs`), and its arrays' addresses are the buffer's plus the slots'
        offsets (:attr:`rows`, for :class:`.args.Layout`)."""
        self._slot.clear()
        self._root.clear()
        self._keep = []
        at, pos = [], 0
        for r in self.roots:
            pos = -(-pos // 64) * 64
            at.append(pos)
            pos += r.nbytes
        self.buffer = np.zeros(max(pos, 1), dtype=np.uint8)
        for r, o in zip(self.roots, at, strict=True):
            np.ndarray(r.shape, r.dtype, self.buffer, o, r.strides)[...] = r
        # per slot: (shape, dtype, offset in the buffer, strides or None where C order's)
        self.specs: list[tuple[tuple, np.dtype, int, tuple | None]] = []
        self.rows = np.ones((len(self.views), 4), dtype=np.int64)  # offset, dimensions
        for k, v in enumerate(self.views):
            a = self.arrays[k]
            offset = at[self.slot_root[k]] + (0 if v is None else v[1])
            c_order = np.ndarray(a.shape, a.dtype, self.buffer, offset).strides == a.strides
            self.specs.append((a.shape, a.dtype, offset, None if c_order else a.strides))
            self.rows[k, 0] = offset if c_order and 1 <= a.ndim <= 3 else -1
            self.rows[k, 1 : 1 + min(a.ndim, 3)] = a.shape[:3]

    def copy(self) -> tuple[list[np.ndarray], np.ndarray]:
        """New arrays, one per slot (views of a new copy of :attr:`buffer`), and that
        buffer."""
        buffer = self.buffer.copy()
        nd = np.ndarray  # (positional, strides only where needed: several times faster)
        out = [
            nd(shape, dtype, buffer, offset)
            if strides is None
            else nd(shape, dtype, buffer, offset, strides)
            for shape, dtype, offset, strides in self.specs
        ]
        return out, buffer


class ModelTemplate:
    """What set-up left on one model (:data:`REBUILT` aside), to copy into another."""

    def __init__(self, m: LibyaModel, names: list[str]) -> None:
        self.arrays = _Arrays()
        # per attribute: (name, how, what); how: "array" (slot), "share" (the value),
        # "list"/"dict"/"set" (shallow copy of plain immutables), "coef" (Coefficients),
        # "deep" (a deep copy with the arrays mapped)
        self.items: list[tuple[str, str, Any]] = []
        self.deep = False
        memo: dict[int, Any] = {}
        seen: dict[int, str] = {}  # id of a container -> the first attribute holding it
        for name in names:
            if name in REBUILT:
                continue
            x = m.__dict__[name]
            if not isinstance(x, np.ndarray) and not _immutable(x):
                if id(x) in seen:  # two names for one list, dict or object
                    self.items.append((name, "alias", seen[id(x)]))
                    continue
                seen[id(x)] = name
            if isinstance(x, np.ndarray):
                self.items.append((name, "array", self.arrays.add(x)))
            elif _immutable(x):
                self.items.append((name, "share", x))
            elif type(x) in (list, set) and all(_immutable(v) for v in x):
                self.items.append((name, type(x).__name__, tuple(x)))
            elif type(x) is dict and all(_immutable(k) and _immutable(v) for k, v in x.items()):
                self.items.append((name, "dict", dict(x)))
            elif type(x) is dict and all(
                _immutable(k) and type(v) is list and all(_immutable(e) for e in v)
                for k, v in x.items()
            ):
                self.items.append((name, "dictlist", {k: tuple(v) for k, v in x.items()}))
            elif type(x) is Coefficients:
                arrays = {k: self.arrays.add(a) for k, a in x._arrays.items()}
                values = {k: v for k, v in vars(x).items()}
                self.items.append((name, "coef", (values, arrays)))
            elif _plain(x):
                self.items.append((name, "deep", None))
                self.deep = True
            else:
                raise NotPlainData(f"model.{name} is a {type(x).__name__}")
        if self.deep:  # the nested containers, their arrays replaced by the template's
            for a in _arrays_in([m.__dict__[n] for n, how, _ in self.items if how == "deep"]):
                memo[id(a)] = self.arrays.arrays[self.arrays.add(a)]
            self.items = [
                (n, how, copy.deepcopy(m.__dict__[n], memo) if how == "deep" else what)
                for n, how, what in self.items
            ]
        self.arrays.done()
        self.log = _LogTables(m.logbook)
        self.faction_ids = tuple(m.faction)  # the agents' ids (keys of m.faction, m.sponsor)
        self.sponsor_ids = tuple(m.sponsor)
        # restore's plan: the shared values at once, the arrays, then the rest in order
        self.shared = {n: what for n, how, what in self.items if how == "share"}
        self.array_items = [(n, what) for n, how, what in self.items if how == "array"]
        self.layout = Layout(dict(self.array_items), self.arrays.rows)
        self.rest = [it for it in self.items if it[1] not in ("share", "array")]

    def restore(self, m: LibyaModel) -> None:
        """Set ``m`` up as the model this template was recorded on."""
        new, buffer = self.arrays.copy()
        place(m, buffer, new, self.layout)  # its kernels' tables are made from the layout
        d = m.__dict__
        d.update(self.shared)
        for name, slot in self.array_items:
            d[name] = new[slot]
        memo: dict[int, Any] | None = None
        for name, how, what in self.rest:
            if how == "list":
                d[name] = list(what)
            elif how == "dict":
                d[name] = what.copy()
            elif how == "dictlist":
                d[name] = {k: list(v) for k, v in what.items()}
            elif how == "set":
                d[name] = set(what)
            elif how == "alias":
                d[name] = d[what]
            elif how == "coef":
                values, arrays = what
                p = Coefficients.__new__(Coefficients)
                vars(p).update(values)
                object.__setattr__(p, "_arrays", {k: new[s] for k, s in arrays.items()})
                d[name] = p
            else:
                if memo is None:
                    memo = {id(a): b for a, b in zip(self.arrays.arrays, new, strict=True)}
                d[name] = copy.deepcopy(what, memo)
        s = m.spec
        factions = [Faction(m, f, i) for i, f in enumerate(s.factions)]
        m.factions = AgentSet(factions, random=m.random)
        m.faction = dict(zip(self.faction_ids, factions, strict=True))
        sponsors = [Sponsor(m, x, i) for i, x in enumerate(s.sponsors)]
        m.sponsors = AgentSet(sponsors, random=m.random)
        m.sponsor = dict(zip(self.sponsor_ids, sponsors, strict=True))
        m.logbook = self.log.make(m)


def _arrays_in(x: Any) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    stack = [x]
    while stack:
        y = stack.pop()
        if isinstance(y, np.ndarray):
            out.append(y)
        elif type(y) in (list, tuple, set):
            stack.extend(y)
        elif type(y) is dict:
            stack.extend(y.values())
    return out


class _LogTables:
    """The event log's tables of strings and notes after set-up."""

    def __init__(self, log: EventLog) -> None:
        if log._pending or int(log.used[0]):
            raise NotPlainData("set-up wrote to the event log")
        self.strings = tuple(log.strings)
        self.code = dict(log._code)
        self.notes = tuple(log.notes)
        self.nargs = tuple(log.nargs)
        self.note_code = dict(log._note_code)
        self.capacity = len(log.codes)

    def make(self, m: LibyaModel) -> EventLog:
        return EventLog.restored(
            m, list(self.strings), self.code.copy(), list(self.notes), list(self.nargs),
            self.note_code.copy(), self.capacity,
        )  # fmt: skip


def template_of(spec: Any) -> ModelTemplate | None:
    """The template recorded for this scenario object, if any."""
    hit = _TEMPLATES.get(id(spec))
    if hit is not None and hit[0]() is spec and isinstance(hit[1], ModelTemplate):
        return hit[1]
    return None


def should_record(spec: Any) -> bool:
    """Is this the scenario object's second set-up (the one to record)? The first
    only marks the object as seen: a scenario made for one run (a sampled batch
    point) is set up once and never pays for a template."""
    key = id(spec)
    hit = _TEMPLATES.get(key)
    if hit is not None and hit[0]() is spec:
        return hit[1] is _SEEN
    _TEMPLATES[key] = (weakref.ref(spec, _forgetter(key)), _SEEN)
    return False


def _forgetter(key: int) -> Callable[[Any], None]:
    def forget(_: Any) -> None:
        _TEMPLATES.pop(key, None)

    return forget


def record(spec: Any, make: Callable[[], ModelTemplate] | None) -> None:
    """Record ``make()`` for this scenario object; None (no ``make``: set-up drew
    random numbers, or it left something that is not plain data) has the
    scenario's models all run the full set-up."""
    tpl: ModelTemplate | None = None
    if make is not None:
        try:
            tpl = make()
        except NotPlainData:
            tpl = None
    key = id(spec)
    _TEMPLATES[key] = (weakref.ref(spec, _forgetter(key)), tpl)


def forget(spec: Any) -> None:
    """Forget this scenario object's template (its next model runs the full set-up)."""
    _TEMPLATES.pop(id(spec), None)


def clear() -> None:
    """Forget every template (the next model of each scenario runs the full set-up)."""
    _TEMPLATES.clear()
