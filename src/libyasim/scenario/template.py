"""A scenario with slots: the fast way to make the many scenarios of a sampled batch.

A sampled batch runs one scenario at thousands of parameter points, each
changing the same few hundred numbers. :meth:`Scenario.with_values` handles
any change (re-validating what it must) at ~10 ms a point; a
:class:`ScenarioTemplate` is built once per scenario and set of dotted paths,
validated once, and then makes each point's scenario in well under a
millisecond:

- every path is a slot of an array (:attr:`ScenarioTemplate.slots`), read from
  the scenario's number records (``Quantity``) once; a point is an array of
  values (:meth:`ScenarioTemplate.values`);
- a value inside its record's ``range`` is valid wherever the record is (the
  range itself was checked against the field's bounds when the scenario was
  validated, and no check relates one number to another), so a point is
  checked with two array comparisons, and only the records on the paths are
  replaced (every container on the way is copied once; the rest is shared
  with the base scenario, which is never changed);
- the scenario's hash (sha256 of its canonical JSON) comes from the base's JSON
  text cut at the slots, with the point's numbers put in; its resolved data
  (the plain-data copy) is built only when something asks for it;
- a sampled design's points share most of their values (a Sobol point is the
  point before it with one value changed; Morris points lie on a grid), so the
  records and number texts made for recent values are taken again: such a
  point's scenario costs a fifth of one whose every number is new.

The result is the scenario full validation gives for the same values
(``tests/test_scenario_template.py`` checks it on every shipped scenario,
with the range ends included). A value outside its range, a path that is not
a number with a range, or a non-number is not for the template:
:meth:`ScenarioTemplate.values` returns ``None`` and the caller uses
``with_values``, which gives the located error.
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from .quantity import Quantity
from .schema import Scenario, _at, _field_name

_SLOT = "\x00slot{}\x00"
_SLOT_JSON = re.compile(r'"\\u0000slot(\d+)\\u0000"')
#: records kept per slot for the values of recent points (a Sobol design's points
#: share all but one value with a point before them; a Morris design's lie on a grid)
_LEAF_MEMO = 8
#: number texts kept (the same values come back in a Sobol or Morris design)
_TEXT_MEMO = 1 << 15


@dataclass(frozen=True)
class _Pending:
    """The resolved data of a templated scenario, built on first use (picklable):
    the base's data with each of ``paths`` set to its value in ``values``."""

    base: dict
    paths: Sequence[str]
    values: Sequence[float]

    def __call__(self) -> dict:
        import copy

        from .loader import set_value

        data = copy.deepcopy(self.base)
        for path, value in zip(self.paths, self.values, strict=True):
            set_value(data, path, value)
        return data


class _Node:
    """One container on the way to some slots: how to copy it with new records."""

    __slots__ = ("children", "kind", "slot")

    def __init__(self) -> None:
        self.children: dict[Any, _Node] = {}  # attribute name / index / key -> node
        self.kind = ""  # "model", "seq", "map" or "leaf"
        self.slot = -1


def _build_tree(scenario: Scenario, locs: Sequence[tuple]) -> _Node:
    root = _Node()
    for slot, loc in enumerate(locs):
        node, obj = root, scenario
        for part in loc:
            if isinstance(obj, BaseModel):
                node.kind = "model"
                key: Any = _field_name(obj, part)
                obj = getattr(obj, key)
            elif isinstance(obj, list | tuple):
                node.kind = "seq"
                key = part
                obj = obj[part]
            else:
                node.kind = "map"
                key = next(k for k in obj if k == part)  # enum keys compare equal to text
                obj = obj[key]
            node = node.children.setdefault(key, _Node())
        node.kind, node.slot = "leaf", slot
    return root


_setattr = object.__setattr__
_new = object.__new__


class _Code:
    """The source of one function that copies a scenario with new slot values,
    written out once per template: the walk of :func:`_build_tree`'s tree unrolled
    into straight-line statements (a container is copied once, with each of its
    changed children put in; everything else is shared with the base), so that a
    point's copy runs no loop, no recursion and no closure calls. The base's
    objects the code refers to are its globals (``k0``, ``k1``, ...)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.consts: dict[str, Any] = {"_new": _new, "_sa": _setattr}
        self._n = 0
        self.indent = 0

    def add(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def const(self, value: Any) -> str:
        name = f"k{len(self.consts)}"
        self.consts[name] = value
        return name

    def var(self) -> str:
        self._n += 1
        return f"x{self._n}"

    def emit(self, obj: Any, node: _Node, top: bool = True) -> str:
        """Statements that build the copy of ``obj``; returns the variable holding it.
        A container below the top one that the last point made with the same changed
        children (the same objects) is taken again; the top one (the scenario) is new
        each time."""
        out = self.var()
        add = self.add
        if node.kind == "leaf":
            # the record with ``value`` replaced: its fields, extra and private data are
            # the base record's (scenario objects are frozen), as pydantic's copy does;
            # a record made for this value before (a recent point) is taken again
            memo: dict[float, BaseModel] = {}
            memo_name = self.const(memo)
            add(f"a = v[{node.slot}]")
            add(f"{out} = {self.const(memo.get)}(a)")
            add(f"if {out} is None:")
            self.indent += 1
            add(f"d = {self.const(obj.__dict__)}.copy()")
            add("d['value'] = a")
            self._pydantic(out, obj, obj.__pydantic_fields_set__ | {"value"})
            add("if a:  # not 0.0: -0.0 is the same key, another value")
            add(f"    if len({memo_name}) >= {_LEAF_MEMO}:")
            add(f"        {memo_name}.clear()")
            add(f"    {memo_name}[a] = {out}")
            self.indent -= 1
            return out
        children = [
            (k, self.emit(getattr(obj, k) if node.kind == "model" else obj[k], n, top=False))
            for k, n in node.children.items()
        ]
        if not top:  # the container made last time, if its changed children are the same
            made = [None] * (len(children) + 1)  # the children, then the container
            last = self.const(made)
            same = " and ".join(f"{last}[{i}] is {x}" for i, (_k, x) in enumerate(children))
            add(f"if {same}:")
            add(f"    {out} = {last}[{len(children)}]")
            add("else:")
            self.indent += 1
        if node.kind == "model":  # ``obj.model_copy(update=...)``, without its generic steps
            add(f"d = {self.const(obj.__dict__)}.copy()")
            for k, x in children:
                add(f"d[{k!r}] = {x}")
            self._pydantic(out, obj, obj.__pydantic_fields_set__ | {k for k, _x in children})
        elif node.kind == "seq":
            add(f"d = list({self.const(obj)})")
            for k, x in children:
                add(f"d[{int(k)}] = {x}")
            add(f"{out} = {self.const(type(obj))}(d)")
        else:
            add(f"d = dict({self.const(obj)})")
            for k, x in children:
                add(f"d[{self.const(k)}] = {x}")
            add(f"{out} = d")
        if not top:
            add(f"{last}[:] = ({', '.join(x for _k, x in children)}, {out})")
            self.indent -= 1
        return out

    def _pydantic(self, out: str, obj: BaseModel, fields: set[str]) -> None:
        add = self.add
        add(f"{out} = _new({self.const(type(obj))})")
        add(f"_sa({out}, '__dict__', d)")
        add(f"_sa({out}, '__pydantic_fields_set__', {self.const(fields)})")
        for slot in ("__pydantic_extra__", "__pydantic_private__"):
            held = getattr(obj, slot)
            add(f"_sa({out}, '{slot}', {'None' if held is None else f'dict({self.const(held)})'})")


def _compile(obj: Any, node: _Node) -> Callable[[list[float]], Any]:
    """A function of the slot values that copies ``obj`` with each slot's record
    replaced (see :class:`_Code`)."""
    code = _Code()
    result = code.emit(obj, node)
    body = "\n    ".join([*code.lines, f"return {result}"])
    namespace = dict(code.consts)
    exec(f"def copy(v):\n    {body}\n", namespace)  # our own generated code
    return namespace["copy"]  # type: ignore[no-any-return]


class ScenarioTemplate:
    """``base`` with each of ``paths`` (numbers with a ``range``) as an array slot.

    >>> t = ScenarioTemplate(scenario, ["parameters.engagement_rate"])  # doctest: +SKIP
    >>> s = t.scenario(t.values({"parameters.engagement_rate": 0.3}))  # doctest: +SKIP

    Raises ``ValueError`` naming a path that is not a number with a range.
    """

    def __init__(self, base: Scenario, paths: Sequence[str]):
        self.base = base
        self.paths = list(dict.fromkeys(paths))
        self.slots = {p: i for i, p in enumerate(self.paths)}
        self._keys_seen: tuple[str, ...] | None = None  # the paths of the last point, in order
        self._slots_seen = np.zeros(0, dtype=np.intp)
        #: row_values' last paths and their slots (None: a path without one); one pair,
        #: read and replaced whole (a Dask worker's threads may share the template)
        self._row: tuple[tuple[str, ...], np.ndarray | None] | None = None
        #: the values (their bits) and texts of the last call of texts() given an array,
        #: one pair, read and replaced whole (the texts always those of the bits)
        self._last: tuple[np.ndarray, tuple[str, ...]] | None = None
        all_locs = base.quantity_locs()
        locs: list[tuple] = []
        ranges: list[tuple[float, float]] = []
        records: list[Quantity] = []
        for p in self.paths:
            loc = all_locs.get(p)
            record = None if loc is None else _at(base, loc)
            if loc is None or record is None or record.range is None:
                raise ValueError(f"{p}: not a number with a range in scenario {base.id}")
            locs.append(loc)
            records.append(record)
            ranges.append(record.range)
        #: each slot's lowest and highest value (the record's range) and its value in ``base``
        self.low = np.array([lo for lo, _hi in ranges], dtype=float)
        self.high = np.array([hi for _lo, hi in ranges], dtype=float)
        self.base_values = np.array([r.value for r in records], dtype=float)
        self._copy = _compile(base, _build_tree(base, locs))
        # the canonical JSON of the base, cut where each slot's number goes
        from .loader import canonical_json, set_value

        data = base.resolved
        for i, p in enumerate(self.paths):
            set_value(data, p, _SLOT.format(i))
        pieces = _SLOT_JSON.split(canonical_json(data))
        self._order = np.array([int(i) for i in pieces[1::2]], dtype=np.intp)
        self._parts: list[str] = pieces.copy()
        #: the texts of a point's values, in the order the JSON holds them
        order = self._order.tolist()
        self._in_order: Callable[[Sequence[str]], Sequence[str]] = (
            operator.itemgetter(*order) if len(order) > 1 else lambda t: [t[order[0]]]
        )
        self._text_memo: dict[float, str] = {}
        #: what every point's scenario gets from the base: its private attributes and
        #: (for its resolved data, when asked for) the base's resolved data
        self._private = {
            "_resolved": None,
            "_origin": base._origin,
            "_quantity_locs": base._quantity_locs,
        }
        self._base_data = base._resolved_data()
        if sorted(self._order.tolist()) != list(
            range(len(self.paths))
        ):  # pragma: no cover - defensive
            raise ValueError(f"scenario {base.id}: a slot is missing from the scenario's data")

    def values(self, point: Mapping[str, Any]) -> np.ndarray | None:
        """The slot array of ``{path: value}`` (slots it leaves out keep the base's
        value), or ``None`` when the point is not for the template: a path without a
        slot, a value that is not a number, or one outside its record's range."""
        keys = tuple(point)
        if keys == self._keys_seen and set(map(type, point.values())) <= {float, int}:
            # the common case (a sampled design: every point sets the same paths, in
            # the same order, to plain numbers): one array operation
            out = self.base_values.copy()
            out[self._slots_seen] = list(point.values())
        else:
            slow = self._values(point)
            if slow is None:
                return None
            out = slow
            if all(type(v) in (float, int) for v in point.values()):
                self._keys_seen = keys
                self._slots_seen = np.array([self.slots[k] for k in keys], dtype=np.intp)
        return self._in_range(out)

    def row_values(self, names: tuple[str, ...], row: np.ndarray) -> np.ndarray | None:
        """:meth:`values` of a point given as a float64 ``row`` of the paths ``names``
        (a sampled design's columns: :meth:`~libyasim.batch.design.Points.numeric_row`),
        without a dict: None where a path has no slot or a value lies outside its
        record's range."""
        known = self._row
        if known is None or known[0] != names:
            found = [self.slots.get(p) for p in names]
            known = self._row = (
                names, None if None in found else np.array(found, dtype=np.intp)
            )  # fmt: skip
        slots = known[1]
        if slots is None:
            return None
        out = self.base_values.copy()
        out[slots] = row
        return self._in_range(out)

    def _in_range(self, out: np.ndarray) -> np.ndarray | None:
        """``out`` if every slot lies within its record's range, else None."""
        if not (np.all(out >= self.low) and np.all(out <= self.high)):
            return None  # NaN fails both
        return out

    def _values(self, point: Mapping[str, Any]) -> np.ndarray | None:
        out = self.base_values.copy()
        for path, v in point.items():
            slot = self.slots.get(path)
            if slot is None or isinstance(v, bool) or not isinstance(v, int | float | np.number):
                return None
            out[slot] = v
        return out

    def texts(self, values: Sequence[float], array: np.ndarray | None = None) -> list[str]:
        """Each of ``values`` (plain floats) as the scenario's canonical JSON and
        ``json.dumps`` write it (its ``repr``). Printing a float costs ~1 µs, most of
        a point's scenario; the texts of recent values are kept, and a sampled
        design's points share most of their values (Sobol, Morris). ``array``: the
        same values as a float64 array (slot order), if the caller has it: only the
        values whose bits differ from the last such call's are then looked up (a
        Sobol point differs from the one before it in one or a few values)."""
        if array is not None:
            bits = array.view(np.int64).copy()
            last = self._last  # one snapshot: its texts are those of its bits
            if last is not None and len(last[0]) == len(bits):
                changed = np.flatnonzero(bits != last[0])
                if len(changed) <= len(bits) // 4:
                    kept = list(last[1])
                    if len(changed):
                        new = self.texts([values[i] for i in changed.tolist()])
                        for i, t in zip(changed.tolist(), new, strict=True):
                            kept[i] = t
                    self._last = (bits, tuple(kept))
                    return kept
            made = self.texts(values)
            self._last = (bits, tuple(made))
            return made
        memo = self._text_memo
        out = list(map(memo.get, values))
        if None in out:
            if len(memo) >= _TEXT_MEMO:
                memo.clear()
            for i, (x, text) in enumerate(zip(values, out, strict=True)):
                if text is None:
                    text = out[i] = repr(x)
                    if x:  # not 0.0: -0.0 is the same key, another text
                        memo[x] = text
        return out  # type: ignore[return-value]

    def scenario(self, values: np.ndarray, texts: Sequence[str] | None = None) -> Scenario:
        """The scenario with each slot's record set to ``values[slot]`` (checked
        against the ranges: ``ValueError`` for a value outside). ``texts``, if the
        caller has them: :meth:`texts` of the values, in slot order (what the
        scenario's canonical JSON holds; the hash is made of them)."""
        values = np.asarray(values, dtype=float)
        if values.shape != self.base_values.shape:
            raise ValueError(f"expected {len(self.paths)} values, got shape {values.shape}")
        bad = ~((values >= self.low) & (values <= self.high))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{self.paths[i]}: {values[i]:g} lies outside its range "
                f"[{self.low[i]:g}, {self.high[i]:g}]"
            )
        floats = values.tolist()
        return self.made(floats, self.texts(floats) if texts is None else texts)

    def made(self, floats: list[float], texts: Sequence[str]) -> Scenario:
        """:meth:`scenario` of values already checked (:meth:`values` gave them), as
        plain floats in slot order, and their :meth:`texts`."""
        new: Scenario = self._copy(floats)
        parts = self._parts.copy()  # the JSON cut at the slots, every other piece a number
        parts[1::2] = self._in_order(texts)
        # the private attributes, set as pydantic's ``__setattr__`` would (without its checks)
        private = new.__pydantic_private__
        assert private is not None
        private.update(self._private)
        private["_hash"] = hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()
        private["_pending"] = _Pending(self._base_data, self.paths, floats)
        return new


__all__ = ["ScenarioTemplate"]
