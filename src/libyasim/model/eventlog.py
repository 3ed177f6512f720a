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
(:meth:`EventLog.columns`, what a run's ``EventTable`` holds) builds no dicts;
records and columns share the rows made Python lists once
(:meth:`EventLog.listed`) and the notes formatted once (a template of
fixed-point fields through its ``%`` form, :func:`printf_form`). The outcomes
read the codes themselves (:meth:`EventLog.codes_of`), never the records.
"""

from __future__ import annotations

import functools
import re
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


_FIXED = re.compile(r"\.\d+f")


@functools.lru_cache(maxsize=1024)
def printf_form(template: str, nargs: int) -> str | None:
    """A note template taking its ``nargs`` numbers in order, each once, as fixed-point
    fields (``{0:.0f} vs {1:.1f}``), as the ``%`` template giving the same text
    (``%.0f vs %.1f``: both format a float the same way, ``%`` a little faster); None
    for any other template."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    out: list[str] = []
    fields = 0
    for literal, field, spec, conversion in parsed:
        out.append(literal.replace("%", "%%"))
        if field is None:
            continue
        if conversion is not None or field != str(fields) or not _FIXED.fullmatch(spec or ""):
            return None
        out.append(f"%{spec}")
        fields += 1
    return "".join(out) if fields == nargs else None


def round3(x: float) -> float:
    """``round(x, 3)``, at once for a whole number (most fatalities)."""
    return x if x.is_integer() else round(x, 3)


def round3_array(x: np.ndarray) -> np.ndarray:
    """:func:`round3` of each number of ``x`` (a new float64 array), Python's ``round``
    to the bit (the double nearest the decimal rounded half to even), at numpy's speed
    where that is sure: for ``y = x·1000`` (rounded once), ``k = rint(y)`` is the
    exact product's rounding unless ``y`` lies within a unit in its last place of a
    half-way point, and ``k/1000`` is then the double nearest the decimal (a quotient
    of exact integers, rounded once); the numbers near a half-way point (and NaN) go
    through ``round`` itself."""
    out = np.array(x, dtype=float)
    where = np.flatnonzero(out != np.trunc(out))  # whole numbers (and ±inf) stay
    if not len(where):
        return out
    v = out[where]
    y = v * 1000.0
    k = np.rint(y)
    sure = (np.abs(np.abs(y - k) - 0.5) > np.spacing(np.abs(y))) & (np.abs(y) < 2.0**52)
    out[where[sure]] = k[sure] / 1000.0
    for i in where[~sure].tolist():
        out[i] = round(float(out[i]), 3)
    return out


@functools.lru_cache(maxsize=256)
def month_texts(start: int, last: int) -> tuple[str, ...]:
    """The month of each step 0..``last`` of the event log (step ``s`` happened in month
    ``start + max(s − 1, 0)``)."""
    return tuple(month_text(start + max(s - 1, 0)) for s in range(last + 1))


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
        self._listed: tuple[list[list[int]], list[list[float]]] | None = None

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
        log._pending, log._records, log._texts, log._listed = [], [], [], None
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

    def listed(self) -> tuple[list[list[int]], list[list[float]]]:
        """The written rows as Python lists (codes, values), made once per length of
        the log and shared by its readers (read them, don't change them)."""
        self.flush()
        n = int(self.used[0])
        if self._listed is None or len(self._listed[0]) != n:
            self._listed = (self.codes[:n].tolist(), self.values[:n].tolist())
        return self._listed

    def records(self) -> list[dict[str, Any]]:
        """The log as ACLED-style dicts (formatted once per record, then cached).
        The list is the log's own: read it, don't change it."""
        codes, values = self.listed()
        n = len(codes)
        out = self._records
        if len(out) < n:
            start = self.model.start_index
            strings = [*self.strings, None]  # code −1 → None
            texts = self._notes(n)
            lo = len(out)
            for c, v, note in zip(codes[lo:], values[lo:], texts[lo:n], strict=True):
                out.append(
                    {
                        "step": c[STEP],
                        "month": month_text(start + max(c[STEP] - 1, 0)),
                        "event_type": strings[c[TYPE]],
                        "kind": strings[c[KIND]],
                        "region": strings[c[REGION]],
                        "actor1": strings[c[ACTOR1]],
                        "actor2": strings[c[ACTOR2]],
                        "fatalities": round3(v[DEATHS]),
                        "note": note,
                    }
                )
        return out

    def _notes(self, n: int) -> list[str]:
        """The notes of the first ``n`` written rows as texts (the log's own list,
        formatted once: a literal note is its text, a template is applied to the
        row's numbers, through its :func:`printf_form` where it has one)."""
        done = self._texts
        if len(done) < n:
            self.flush()
            lo = len(done)
            # the rows' notes and numbers only (not every column of the rows as lists)
            which = self.codes[lo:n, NOTE].tolist()
            numbers = self.values[lo:n, ARGS:].tolist()
            notes, nargs = self.notes, self.nargs
            forms = [printf_form(t, k) if k else None for t, k in zip(notes, nargs, strict=True)]
            for note, v in zip(which, numbers, strict=True):
                k = nargs[note]
                if not k:
                    done.append(notes[note])
                elif (form := forms[note]) is not None:
                    done.append(form % tuple(v[:k]))
                else:
                    done.append(notes[note].format(*v[:k]))
        return done

    def columns(self) -> dict[str, Any]:
        """The log as columns (:data:`~libyasim.model.result.EVENT_COLUMNS`): ``step``
        int64, ``fatalities`` float64 (rounded to 3 decimals), the others lists of
        texts (None where missing), as :class:`~libyasim.model.result.EventTable` holds
        them; each text column one take of the log's strings by the rows' codes, the notes
        formatted once."""
        self.flush()
        n = int(self.used[0])
        codes, deaths = self.codes[:n], self.values[:n, DEATHS]
        names = np.array([*self.strings, None], dtype=object)  # code −1 → None
        step = codes[:, STEP].astype(np.int64)
        months = month_texts(self.model.start_index, int(step.max()) if n else 0)
        fatalities = round3_array(deaths)  # round(x, 3) of each, at numpy's speed
        return {
            "step": step,
            "month": np.array(months, dtype=object)[step].tolist(),
            "event_type": names[codes[:, TYPE]].tolist(),
            "kind": names[codes[:, KIND]].tolist(),
            "region": names[codes[:, REGION]].tolist(),
            "actor1": names[codes[:, ACTOR1]].tolist(),
            "actor2": names[codes[:, ACTOR2]].tolist(),
            "fatalities": fatalities,
            "note": self._notes(n)[:n],
        }

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
