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
decimals), formatted incrementally and cached.
"""

from __future__ import annotations

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
        log._pending, log._records = [], []
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
            codes = self.codes[len(out) : n].tolist()
            values = self.values[len(out) : n].tolist()
            for c, v in zip(codes, values, strict=True):
                out.append(
                    {
                        "step": c[STEP],
                        "month": month_name(start + max(c[STEP] - 1, 0)),
                        "event_type": strings[c[TYPE]],
                        "kind": strings[c[KIND]],
                        "region": strings[c[REGION]],
                        "actor1": strings[c[ACTOR1]],
                        "actor2": strings[c[ACTOR2]],
                        "fatalities": round(v[DEATHS], 3),
                        "note": self._text(c[NOTE], v),
                    }
                )
        return out

    def _text(self, note: int, v: list[float]) -> str:
        k = self.nargs[note]
        return self.notes[note].format(*v[ARGS : ARGS + k]) if k else self.notes[note]

    def columns(self) -> dict[str, Any]:
        """The log as columns (:data:`~libyasim.model.result.EVENT_COLUMNS`): ``step``
        int64, ``fatalities`` float64 (rounded to 3 decimals), the others lists of
        texts (None where missing), as :class:`~libyasim.model.result.EventTable` holds
        them; built from the arrays, the notes formatted once."""
        codes, values = self.rows()
        strings = np.array([*self.strings, None], dtype=object)  # code −1 → None
        steps = codes[:, STEP]
        uniq, back = np.unique(steps, return_inverse=True)
        start = self.model.start_index
        months = np.array([month_name(start + max(int(s) - 1, 0)) for s in uniq], dtype=object)
        done = self._records  # notes already formatted, then the rest
        notes = [r["note"] for r in done[: len(codes)]]
        notes += [
            self._text(int(c), v) for c, v in zip(codes[len(notes) :, NOTE].tolist(),
                                                  values[len(notes) :].tolist(), strict=True)
        ]  # fmt: skip
        return {
            "step": steps.astype(np.int64),
            "month": months[back].tolist(),
            "event_type": strings[codes[:, TYPE]].tolist(),
            "kind": strings[codes[:, KIND]].tolist(),
            "region": strings[codes[:, REGION]].tolist(),
            "actor1": strings[codes[:, ACTOR1]].tolist(),
            "actor2": strings[codes[:, ACTOR2]].tolist(),
            "fatalities": np.array([round(x, 3) for x in values[:, DEATHS].tolist()], dtype=float),
            "note": notes,
        }

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
