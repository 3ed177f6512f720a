"""The model's event log, kept as arrays and turned into text once, at the end.

Every ACLED-style record (battle, raid, control change, ceasefire signed, ...)
is a row of two preallocated arrays: ``codes[n, 7]`` (step, event type, kind,
region, actor 1, actor 2, note: each a code into one table of strings, −1 for
none) and ``values[n, 5]`` (fatalities, then up to four numbers the note is
formatted with). A note is either a literal text or a format template applied
to the row's numbers (``"{0:.0f} vs {1:.0f} fighters"``), so the per-battle
text is built only when the log is read. Compiled kernels append rows
themselves (:func:`append`), after :meth:`EventLog.reserve` has made room;
Python code calls :meth:`LibyaModel.log <libyasim.model.model.LibyaModel.log>`
as before.

The table of strings starts with the faction ids (code ``f``), then the
sponsor ids (``F + s``), then the region ids (``F + S + r``): a kernel writes a
faction's or region's code without a look-up.

Reading the log as records (:meth:`EventLog.records`, the model's
``event_log``) gives the same list of dicts as ever (keys
:data:`~libyasim.model.result.EVENT_COLUMNS`, fatalities rounded to 3
decimals), formatted incrementally and cached. Reading it as columns
(:meth:`EventLog.columns`, what a run's ``EventTable`` holds) takes the texts
from the table of strings with numpy and formats each template note once
(records and columns share the formatted notes); the outcomes read the codes
themselves (:meth:`EventLog.codes_of`, :meth:`EventLog.fatalities`), never the
records.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from ..scenario.types import month_name
from .jit import kernel

if TYPE_CHECKING:
    import pandas as pd

    from .model import LibyaModel

#: columns of ``codes``
STEP, TYPE, KIND, REGION, ACTOR1, ACTOR2, NOTE = range(7)
#: columns of ``values``: the fatalities, then the note's numbers
DEATHS, ARGS = 0, 1
NARGS = 4
_PAD = (0.0,) * NARGS


@functools.lru_cache(maxsize=4096)
def month_text(index: int) -> str:
    """:func:`~libyasim.scenario.types.month_name`, remembered (a run names the same
    few dozen months in its series and its event log)."""
    return month_name(index)


#: a template used by fewer rows than this is formatted row by row
_BATCH = 8


@functools.lru_cache(maxsize=1024)
def printf_form(template: str, nargs: int) -> tuple[str, tuple[int, ...]] | None:
    """A note template whose fields are all whole numbers (``{i:.0f}``) as a ``%``
    template of ``%d`` fields giving the same text from the numbers rounded to whole
    numbers, and the number each field shows; None for any other template."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    out: list[str] = []
    order: list[int] = []
    for literal, field, spec, conversion in parsed:
        out.append(literal.replace("%", "%%"))
        if field is None:
            continue
        if conversion is not None or spec != ".0f" or not field.isdigit() or int(field) >= nargs:
            return None
        order.append(int(field))
        out.append("%d")
    return ("".join(out), tuple(order)) if order else None


def format_rows(template: str, args: np.ndarray) -> list[str]:
    """``template.format(*row)`` for each row of ``args`` (rows x numbers). A template
    of whole numbers used by many rows is applied as its :func:`printf_form` to the
    numbers rounded half to even (``np.rint``, as ``.0f`` rounds), which gives the same
    text, except for a number that is not finite, too large, or negative and rounded
    to 0 (``.0f`` shows ``-0``): such a row is formatted by ``str.format``."""
    form = printf_form(template, args.shape[1]) if len(args) >= _BATCH else None
    if form is None:
        return [template.format(*row) for row in args.tolist()]
    text, order = form
    x = args[:, order]
    r = np.rint(x)
    odd = (~(np.abs(x) < 2.0**62) | ((r == 0) & np.signbit(x))).any(axis=1)
    r[odd] = 0
    out = [text % tuple(row) for row in r.astype(np.int64).tolist()]
    for i in np.flatnonzero(odd).tolist():
        out[i] = template.format(*args[i].tolist())
    return out


def round3(x: np.ndarray) -> np.ndarray:
    """``round(v, 3)`` of each number, as Python's correctly rounded ``round`` gives it
    (not numpy's ``round``, which scales first), so that a column equals its records.

    ``rint(1000 v) / 1000`` is that number whenever ``1000 v``, as computed, is not
    within a few units in the last place of a tie (``k + 0.5``): then the rounding
    error of the product cannot move it across the tie, ``rint`` finds the same whole
    number as the exact decimal rounding, and the division gives the double nearest
    to it, as ``round`` does. The other numbers (near a tie, not finite, too large)
    are rounded by ``round`` one by one."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):  # inf and NaN are rounded by round below
        p = x * 1000.0
        out = np.rint(p) / 1000.0
        tie = np.abs(p - np.floor(p) - 0.5)  # exact for |p| < 2**52
        risky = np.flatnonzero(~(np.abs(p) < 2.0**52) | (tie <= 4.0 * np.spacing(np.abs(p))))
    if len(risky):
        out[risky] = [round(v, 3) for v in x[risky].tolist()]
    return out


@functools.lru_cache(maxsize=256)
def month_texts(start: int, last: int) -> np.ndarray:
    """The month of each step 0..``last`` of the event log (step ``s`` happened in month
    ``start + max(s − 1, 0)``), as an object array (shared: don't change it)."""
    return np.array([month_text(start + max(s - 1, 0)) for s in range(last + 1)], dtype=object)


class EventLog(Sequence[dict[str, Any]]):
    """The event log of one model: arrays of codes and numbers, read as records."""

    def __init__(self, m: LibyaModel, capacity: int = 256) -> None:
        self.model = m
        self.strings: list[str] = [*m.faction_ids, *m.sponsor_ids, *m.region_ids]
        self.sponsor0 = m.F
        self.region0 = m.F + m.S
        self._code: dict[str, int] = {}
        for k, s in enumerate(self.strings):
            self._code.setdefault(s, k)
        self.notes: list[str] = []  # a literal text or a format template
        self.nargs: list[int] = []  # numbers a template takes (0: literal)
        self._note_code: dict[tuple[str, int], int] = {}
        self.codes = np.empty((capacity, 7), dtype=np.int64)
        self.values = np.empty((capacity, 1 + NARGS))
        self.used = np.zeros(1, dtype=np.int64)  # rows written (a kernel may add to it)
        self._pending: list[tuple[Any, ...]] = []  # rows logged from Python, not yet written
        self._records: list[dict[str, Any]] = []
        self._texts: list[str] = []  # the notes of the first rows, formatted

    @classmethod
    def restored(
        cls,
        m: LibyaModel,
        strings: list[str],
        code: dict[str, int],
        notes: list[str],
        nargs: list[int],
        note_code: dict[tuple[str, int], int],
        capacity: int,
    ) -> EventLog:
        """An empty log of ``m`` with these tables of strings and notes (a copy of
        another model's, made by :mod:`.setup`)."""
        log = cls.__new__(cls)
        log.model = m
        log.strings, log._code = strings, code
        log.sponsor0, log.region0 = m.F, m.F + m.S
        log.notes, log.nargs, log._note_code = notes, nargs, note_code
        log.codes = np.empty((capacity, 7), dtype=np.int64)
        log.values = np.empty((capacity, 1 + NARGS))
        log.used = np.zeros(1, dtype=np.int64)
        log._pending, log._records, log._texts = [], [], []
        return log

    # ------------------------------------------------------------ codes
    def code(self, s: str | None) -> int:
        """The code of a string (added to the table if new); −1 for None."""
        if s is None:
            return -1
        c = self._code.get(s)
        if c is None:
            c = self._code[s] = len(self.strings)
            self.strings.append(s)
        return c

    def note(self, text: str, nargs: int = 0) -> int:
        """The code of a note: a literal ``text``, or (``nargs`` > 0) a format template
        applied to the row's first ``nargs`` numbers when the log is read."""
        key = (text, nargs)
        c = self._note_code.get(key)
        if c is None:
            if nargs > NARGS:
                raise ValueError(f"a note takes at most {NARGS} numbers, not {nargs}")
            c = self._note_code[key] = len(self.notes)
            self.notes.append(text)
            self.nargs.append(nargs)
        return c

    # ------------------------------------------------------------ writing
    def add(
        self,
        event_type: str,
        kind: str,
        region: int | str | None,
        actor1: str | None,
        actor2: str | None,
        fatalities: float,
        note: str,
        args: tuple[float, ...] = (),
    ) -> None:
        """One record at the model's current step (see :meth:`LibyaModel.log`)."""
        if region is None:
            rc = -1
        elif isinstance(region, (int, np.integer)):
            rc = self.region0 + int(region)
        else:
            rc = self.code(region)
        code = self.code
        self._pending.append(
            (
                self.model.steps,
                code(event_type),
                code(kind),
                rc,
                code(actor1),
                code(actor2),
                self.note(note, len(args)),
                float(fatalities),
                args,
            )
        )

    def flush(self) -> None:
        """Write the records logged from Python into the arrays."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        self.reserve(len(rows), flush=False)
        n = int(self.used[0])
        codes, values = self.codes, self.values
        for k, (step, t, kd, r, a1, a2, nc, deaths, args) in enumerate(rows):
            codes[n + k] = (step, t, kd, r, a1, a2, nc)
            values[n + k] = (deaths, *args, *_PAD[len(args) :])
        self.used[0] = n + len(rows)

    def reserve(self, extra: int, flush: bool = True) -> None:
        """Room for ``extra`` more rows (call it before a kernel that appends; it
        first writes the records logged from Python, to keep the log in order)."""
        if flush:
            self.flush()
        n = int(self.used[0])
        cap = len(self.codes)
        if n + extra <= cap:
            return
        while cap < n + extra:
            cap *= 2
        codes, values = np.empty((cap, 7), dtype=np.int64), np.empty((cap, 1 + NARGS))
        codes[:n], values[:n] = self.codes[:n], self.values[:n]
        self.codes, self.values = codes, values

    # ------------------------------------------------------------ reading
    def __len__(self) -> int:
        return int(self.used[0]) + len(self._pending)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self.records()[i]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (EventLog, list)):
            return self.records() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """``(codes[n, 7], values[n, 5])``: views of the written rows."""
        self.flush()
        n = int(self.used[0])
        return self.codes[:n], self.values[:n]

    def records(self) -> list[dict[str, Any]]:
        """The log as ACLED-style dicts (formatted once per record, then cached).
        The list is the log's own: read it, don't change it."""
        self.flush()
        n = int(self.used[0])
        out = self._records
        if len(out) < n:
            start = self.model.start_index
            strings = [*self.strings, None]  # code −1 → None
            texts = self._notes(n)
            codes = self.codes[len(out) : n].tolist()
            values = self.values[len(out) : n].tolist()
            for c, v, note in zip(codes, values, texts[len(out) : n], strict=True):
                out.append(
                    {
                        "step": c[STEP],
                        "month": month_text(start + max(c[STEP] - 1, 0)),
                        "event_type": strings[c[TYPE]],
                        "kind": strings[c[KIND]],
                        "region": strings[c[REGION]],
                        "actor1": strings[c[ACTOR1]],
                        "actor2": strings[c[ACTOR2]],
                        "fatalities": round(v[DEATHS], 3),
                        "note": note,
                    }
                )
        return out

    def _notes(self, n: int) -> list[str]:
        """The notes of the first ``n`` written rows as texts (the log's own list,
        formatted once: a literal note is its text, a template is applied to the
        row's numbers)."""
        done = self._texts
        if len(done) < n:
            lo = len(done)
            notes = self.codes[lo:n, NOTE]
            codes = notes.tolist()
            texts = [self.notes[c] for c in codes]  # a literal, or a template to apply
            nargs = self.nargs
            uses = np.bincount(notes, minlength=len(self.notes)).tolist()
            many = {c for c, u in enumerate(uses) if u >= _BATCH and nargs[c]
                    and printf_form(self.notes[c], nargs[c])}  # fmt: skip
            args = self.values[lo:n, ARGS:]
            for c in many:  # a template of many rows: all its rows at once
                rows = np.flatnonzero(notes == c)
                made = format_rows(self.notes[c], args[rows, : nargs[c]])
                for i, text in zip(rows.tolist(), made, strict=True):
                    texts[i] = text
            single = [i for i, c in enumerate(codes) if nargs[c] and c not in many]
            if single:
                for i, v in zip(single, args[single].tolist(), strict=True):
                    texts[i] = texts[i].format(*v[: nargs[codes[i]]])
            done.extend(texts)
        return done

    def columns(self) -> dict[str, Any]:
        """The log as columns (:data:`~libyasim.model.result.EVENT_COLUMNS`): ``step``
        int64, ``fatalities`` float64 (rounded to 3 decimals), the others lists of
        texts (None where missing), as :class:`~libyasim.model.result.EventTable` holds
        them; built from the arrays with numpy, the notes formatted once."""
        codes, _ = self.rows()
        n = len(codes)
        strings = np.array([*self.strings, None], dtype=object)  # code −1 → None
        steps = codes[:, STEP].astype(np.int64)
        start = self.model.start_index
        last = int(steps.max()) if n else 0
        months = month_texts(start, last)
        event_type, kind, region, actor1, actor2 = strings[codes[:, TYPE : ACTOR2 + 1].T].tolist()
        return {
            "step": steps,
            "month": months[steps].tolist(),
            "event_type": event_type,
            "kind": kind,
            "region": region,
            "actor1": actor1,
            "actor2": actor2,
            "fatalities": self.fatalities(),
            "note": self._notes(n)[:n],
        }

    def fatalities(self) -> np.ndarray:
        """The fatalities of the written rows, rounded to 3 decimals as the records
        and columns show them (a new array)."""
        _, values = self.rows()
        return round3(values[:, DEATHS])

    def codes_of(self, text: str) -> list[int]:
        """Every code whose string is ``text`` (usually one; none if it never occurs):
        a column of codes holds ``text`` where it is one of these."""
        first = self._code.get(text)
        if first is None:
            return []
        if self.strings.count(text) == 1:
            return [first]
        return [c for c, s in enumerate(self.strings) if s == text]  # an id used twice

    def frame(self) -> pd.DataFrame:
        """The log as the ``RunResult.events`` DataFrame (columns :data:`EVENT_COLUMNS`)."""
        import pandas as pd

        from .result import EVENT_COLUMNS

        if not int(self.used[0]) + len(self._pending):  # the columns of an empty frame
            df = pd.DataFrame([], columns=EVENT_COLUMNS)
            return df.astype({"step": np.int64, "fatalities": float})
        columns = self.columns()
        return pd.DataFrame({c: columns[c] for c in EVENT_COLUMNS})

    def where(self, kind: str) -> np.ndarray:
        """Indices of the records of one ``kind`` (in log order)."""
        codes, _ = self.rows()
        c = self._code.get(kind)
        if c is None:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(codes[:, KIND] == c)

    def name(self, code: int) -> str | None:
        """The string of a code (None for −1)."""
        return None if code < 0 else self.strings[code]


@kernel
def append(
    codes: np.ndarray,
    values: np.ndarray,
    used: np.ndarray,
    step: int,
    etype: int,
    kind: int,
    region: int,
    actor1: int,
    actor2: int,
    deaths: float,
    note: int,
    a0: float,
    a1: float,
    a2: float,
    a3: float,
) -> None:
    """One row from a kernel (room made beforehand by :meth:`EventLog.reserve`)."""
    n = used[0]
    codes[n, STEP] = step
    codes[n, TYPE] = etype
    codes[n, KIND] = kind
    codes[n, REGION] = region
    codes[n, ACTOR1] = actor1
    codes[n, ACTOR2] = actor2
    codes[n, NOTE] = note
    values[n, DEATHS] = deaths
    values[n, ARGS] = a0
    values[n, ARGS + 1] = a1
    values[n, ARGS + 2] = a2
    values[n, ARGS + 3] = a3
    used[0] = n + 1
