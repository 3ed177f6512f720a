"""What a worker does with a chunk of runs: run each, record it, write the parts.

The worker writes its own Parquet parts (the driver never holds results) and
returns only a small :class:`ChunkReport`. A run that raises is recorded as
failed with its error and traceback; the chunk goes on.
"""

from __future__ import annotations

import functools
import json
import math
import os
import socket
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..model.result import EventTable, SeriesTable
from ..scenario import Scenario
from ..scenario.template import ScenarioTemplate
from .columns import FLAGS_COLUMN, fig_column, param_column, with_field_metadata
from .design import Points, RunSpec
from .store import BatchStore

#: ``runner(scenario, seed=..., months=...) -> RunResult``
Runner = Callable[..., Any]

#: summary keys that are not key figures (they have their own columns or are bulky)
_SUMMARY_SKIP = {
    "end_state",
    "flags",  # a column of its own: FLAGS_COLUMN
    "seed",
    "scenario_id",
    "scenario_title",
    "scenario_hash",
    "versions",
    "interventions",
    "start",
    "end",
    "months",
    "final_control",
}

RUN_COLUMNS = [
    "run_index",
    "run_id",
    "scenario",
    "scenario_hash",
    "point",
    "replicate",
    "seed",
    "attempt",
    "status",
    "error",
    "traceback",
    "end_state",
    FLAGS_COLUMN,
    "elapsed_s",
    "worker",
    "parameters",
]


def default_runner(scenario: Scenario, *, seed: int, months: int | None = None) -> Any:
    """The model's :func:`libyasim.model.run`."""
    from ..model import run

    return run(scenario, seed=seed, months=months)


#: scenarios of points a worker keeps (a point's replicates run one after another)
_KEPT_POINTS = 8
_NUMBER = {float, int}


def _next(items: list[Any], value: Any, start: int) -> int:
    """The position of ``value`` in ``items`` from ``start`` on (a C scan), or -1."""
    try:
        return items.index(value, start)
    except ValueError:
        return -1


@dataclass
class _Sampled:
    """A point the scenario's template made: its slot values and their texts (the
    texts its scenario's hash was made of), and whether its values are every number
    of the template as plain numbers (its ``parameters`` text and parameter columns
    then come from these)."""

    slots: np.ndarray
    texts: list[str]
    plain: bool
    #: (slot, text) of the values that are whole numbers (``json`` writes ``3``, not ``3.0``)
    ints: list[tuple[int, str]]


@dataclass
class BatchContext:
    """Everything a worker needs, sent once per worker (not per task)."""

    out: str
    scenarios: list[Scenario]
    points: Points  # a list of dicts is taken too (made a Points)
    sets: dict[str, Any]
    param_columns: list[str]  # parameter paths with a column ``param__<path>`` in the runs table
    months: int | None = None
    runner: Runner | None = None
    #: local process pools: the driver's pid; an orphaned worker (driver killed) stops
    #: before its next run or commit, so a resumed batch never races it
    driver_pid: int | None = None
    _cache: dict[tuple[int, int], Scenario | Exception] = field(default_factory=dict, repr=False)
    _templates: dict[int, ScenarioTemplate | None] = field(default_factory=dict, repr=False)
    #: the points the templates made (of the points in ``_cache``)
    _sampled: dict[tuple[int, int], _Sampled] = field(default_factory=dict, repr=False)
    #: per scenario: its ``parameters`` text cut where the template's numbers go
    _heads: dict[int, list[str]] = field(default_factory=dict, repr=False)
    #: per scenario: the template slot of each parameter column (None: not all have one)
    _columns: dict[int, np.ndarray | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.points, Points):
            self.points = Points.from_rows(self.points)

    def template_for(self, si: int) -> ScenarioTemplate | None:
        """The scenario's template (the ``--set`` values applied) over every path the
        points vary that is a number with a range; built once per worker."""
        if si not in self._templates:
            try:
                base = self.scenarios[si]
                base = base.with_values(self.sets) if self.sets else base
                locs = base.quantity_locs()
                paths = self.points.paths()
                ranged = [p for p in paths if p in locs and base.has_range(p)]
                tpl = ScenarioTemplate(base, ranged) if ranged else None
            except Exception:  # the sets do not fit: every run says why (with_values below)
                tpl = None
            self._templates[si] = tpl
        return self._templates[si]

    def scenario_for(self, si: int, point: int) -> Scenario:
        """The scenario with the point's overrides (kept: replicates share it).

        Points inside the ranges of the scenario's numbers (what samplers draw) are
        made by the scenario's :class:`ScenarioTemplate`; anything else by
        :meth:`Scenario.with_values` (full validation, located errors)."""
        key = (si, point)
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) >= _KEPT_POINTS:
                self._cache.clear()
                self._sampled.clear()
            try:
                values: dict[str, Any] | None = None
                slots: np.ndarray | None = None
                numeric = self.points.numeric()
                if numeric and (tpl := self.template_for(si)) is not None:
                    # a sampled design (float64 and int64 columns): its row, no dict made
                    row = self.points.numeric_row(point)
                    slots = tpl.row_values(numeric[0], row)
                if slots is None:
                    values = self.points[point]
                    tpl = self.template_for(si) if values else None
                    slots = tpl.values(values) if tpl is not None else None
                if tpl is not None and slots is not None:
                    floats = slots.tolist()
                    texts = tpl.texts(floats, slots)
                    hit = tpl.made(floats, texts)
                    ints = []
                    if values is None:  # the numbers of the row
                        assert numeric is not None  # (the row made the slots)
                        names, at = numeric
                        plain = not self.sets and len(names) == len(texts)
                        if plain:  # the int64 columns' values as json writes them (3, not 3.0)
                            ints = [(tpl.slots[names[k]], repr(int(row[k]))) for k in at]
                    else:
                        kinds = list(map(type, values.values()))
                        plain = (
                            not self.sets and len(values) == len(texts) and set(kinds) <= _NUMBER
                        )  # fmt: skip
                        if plain and int in kinds:
                            paths, i = list(values), -1
                            while (i := _next(kinds, int, i + 1)) >= 0:
                                path = paths[i]
                                ints.append((tpl.slots[path], repr(values[path])))
                    self._sampled[key] = _Sampled(slots, texts, plain, ints)
                else:
                    assert values is not None  # (the row's path found no slots)
                    overrides = {**self.sets, **values}
                    hit = (
                        self.scenarios[si].with_values(overrides)
                        if overrides
                        else self.scenarios[si]
                    )
            except Exception as exc:  # an invalid point: its runs fail, the batch goes on
                hit = exc
            self._cache[key] = hit
        if isinstance(hit, Exception):
            raise hit
        return hit

    def parameters_text(self, si: int, point: int) -> str:
        """The ``parameters`` column of the point's runs: the ``--set`` values and the
        point's, as ``json.dumps(..., sort_keys=True, default=str)`` writes them.

        For a point the scenario's template made from plain numbers (a sampled point:
        every number of the template, no ``--set``), the same text is put together
        from the texts its scenario's hash was made of (the template's paths are
        sorted, as ``sort_keys`` sorts; ``json`` writes a float as its ``repr``)."""
        values = self.points[point]
        made = self._sampled.get((si, point))
        tpl = self._templates.get(si)
        if made is not None and made.plain and tpl is not None:
            heads = self._heads.get(si)
            if heads is None:  # '{"path": ', '', ', "path": ', '', ..., '}'
                heads = []
                for i, path in enumerate(tpl.paths):
                    heads += [("{" if i == 0 else ", ") + json.dumps(path) + ": ", ""]
                heads = self._heads[si] = [*heads, "}"]
            parts = heads.copy()
            parts[1::2] = made.texts
            for slot, text in made.ints:
                parts[2 * slot + 1] = text
            return "".join(parts)
        return json.dumps({**self.sets, **values}, sort_keys=True, default=str)

    def point_columns(self, si: int, point: int) -> np.ndarray:
        """The values of the varied parameters at a point (NaN where not a number)."""
        made = self._sampled.get((si, point))
        if made is not None and made.plain:
            if si not in self._columns:
                tpl = self._templates.get(si)
                slots = tpl.slots if tpl is not None else {}
                known = all(p in slots for p in self.param_columns)
                self._columns[si] = (
                    np.array([slots[p] for p in self.param_columns], dtype=np.intp)
                    if known
                    else None
                )
            idx = self._columns[si]
            if idx is not None:
                return made.slots[idx]
        return _point_columns(self, self.points[point])

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name in ("_cache", "_templates", "_sampled", "_heads", "_columns"):
            state[name] = {}
        return state


@dataclass
class ChunkReport:
    """What the driver learns from a chunk: counts only."""

    n: int
    ok: int
    failed: int
    elapsed: float  # seconds of model time, summed over runs
    end_states: Counter = field(default_factory=Counter)
    part: str = ""


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    kind = type(value)
    if kind is float or kind is bool:  # the common cases first
        out[prefix] = value
    elif kind is dict:
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif kind is int:
        out[prefix] = float(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, bool):
        out[prefix] = value
    elif isinstance(value, int | float | np.integer | np.floating):
        out[prefix] = float(value)


def key_figures(summary: dict[str, Any]) -> dict[str, Any]:
    """The numeric key figures of a run summary, nested keys joined with dots."""
    out: dict[str, Any] = {}
    for k, v in summary.items():
        if k not in _SUMMARY_SKIP:
            _flatten(str(k), v, out)
    return out


class _Strings:
    """Text values of a chunk's column as codes into a small table of distinct texts
    (run ids, variables, actors repeat thousands of times): one Arrow string column
    at the end, built by a C++ take, not a Python object per row."""

    def __init__(self) -> None:
        self.codes: dict[str | None, int] = {}

    def code(self, text: str | None) -> int:
        c = self.codes.get(text)
        if c is None:
            c = self.codes[text] = len(self.codes)
        return c

    def column(self, idx: np.ndarray) -> pa.DictionaryArray:
        """The texts of codes ``idx``, dictionary-encoded (written as the plain text
        column they are: :func:`~.store.as_declared`)."""
        dictionary = pa.array(list(self.codes), type=pa.string())
        indices = pa.array(idx.astype(np.int32, copy=False), type=pa.int32())
        return pa.DictionaryArray.from_arrays(indices, dictionary, safe=False)  # codes < len


def _text1(v: Any) -> str | None:
    """One text value, missing values (NaN, None) as None."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return str(v)


class _Months:
    """``YYYY-MM`` texts as dates (days since 1970-01-01 of the month's first day, as
    Arrow's ``date32`` holds them), each text converted once."""

    def __init__(self) -> None:
        self.seen: dict[Any, int] = {}

    def __call__(self, months: Any) -> np.ndarray:
        texts = months.tolist() if hasattr(months, "tolist") else list(months)
        try:
            return np.fromiter(map(self.seen.__getitem__, texts), np.int32, len(texts))
        except KeyError:
            days = month_dates(texts).astype(np.int64)
            self.seen.update(zip(texts, days.tolist(), strict=True))
            return days.astype(np.int32)


def _dates(days: np.ndarray) -> pa.Array:
    """Days since 1970-01-01 (int32) as an Arrow ``date32`` array, without a copy."""
    return pa.array(days, type=pa.int32()).view(pa.date32())


class _Layout:
    """The rows of a run's series of one shape (its columns and months), the same for
    every run of that shape: each row's variable and actor codes, step and month."""

    __slots__ = ("actor", "month", "size", "step", "variable")

    def __init__(self, rows: _SeriesRows, columns: Sequence[str], steps: np.ndarray, months: Any):
        pairs = [c.partition(".")[::2] for c in columns]
        n = len(steps)
        self.variable = np.repeat(np.array([rows.variable.code(v) for v, _a in pairs], np.int32), n)
        self.actor = np.repeat(np.array([rows.actor.code(a) for _v, a in pairs], np.int32), n)
        self.step = np.tile(steps.astype(np.int32), len(pairs))
        self.month = np.tile(rows._months(months), len(pairs))
        self.size = n * len(pairs)


class _SeriesRows:
    """A chunk's monthly series, long (run, month, variable, actor, value), as arrays:
    per run its codes, its shape (:class:`_Layout`) and its values."""

    def __init__(self) -> None:
        self.run_id, self.scenario = _Strings(), _Strings()
        self.variable, self.actor = _Strings(), _Strings()
        self.runs: list[tuple[int, int, _Layout]] = []  # run and scenario codes, shape
        self.value: list[np.ndarray] = []
        self._layouts: dict[tuple[Any, ...], _Layout] = {}
        self._months = _Months()

    def prepare(self, run_id: str, scenario: str, series: SeriesTable) -> tuple[Any, ...]:
        """``<variable>.<actor>`` columns of a run's series → long rows (kept by
        :meth:`commit`: a run that fails half-way leaves nothing behind)."""
        steps = np.asarray(series.steps)
        key = (tuple(series.columns), steps.tobytes(), tuple(series.months))
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._layouts[key] = _Layout(self, series.columns, steps, series.months)
        values = np.asarray(series.values, dtype=float).T.reshape(-1)
        if len(values) != layout.size:
            raise ValueError(f"the series has {len(values)} values, not {layout.size}")
        return (self.run_id.code(run_id), self.scenario.code(scenario), layout), values

    def commit(self, rows: tuple[Any, ...]) -> None:
        run, values = rows
        self.runs.append(run)
        self.value.append(values)

    def table(self) -> pa.Table | None:
        """The chunk's series, each column a chunked array of the runs' rows: a run's
        shape columns are its :class:`_Layout`'s arrays (shared by every run of that
        shape), its values its own array; nothing is copied into chunk-sized arrays
        (whose fresh memory costs more in page faults than the copy itself)."""
        if not self.value:
            return None
        texts = {
            name: pa.array(list(strings.codes), type=pa.string())
            for name, strings in (
                ("run_id", self.run_id),
                ("scenario", self.scenario),
                ("variable", self.variable),
                ("actor", self.actor),
            )
        }
        coded: dict[tuple[str, int], pa.Array] = {}  # (column, id of a layout's array)

        def codes(name: str, idx: np.ndarray) -> pa.Array:
            indices = pa.array(idx, type=pa.int32())
            return pa.DictionaryArray.from_arrays(indices, texts[name], safe=False)

        def shape(name: str, layout: _Layout) -> pa.Array:
            """A column of a layout (kept alive by ``self.runs``: its id stays its own)."""
            idx = getattr(layout, name)
            hit = coded.get((name, id(idx)))
            if hit is None:
                if name == "step":
                    hit = pa.array(idx, type=pa.int32())
                elif name == "month":
                    hit = _dates(idx)
                else:
                    hit = codes(name, idx)
                coded[(name, id(idx))] = hit
            return hit

        cols: dict[str, list[pa.Array]] = {f.name: [] for f in SERIES_SCHEMA}
        for (run, scenario, layout), values in zip(self.runs, self.value, strict=True):
            cols["run_id"].append(codes("run_id", np.full(layout.size, run, np.int32)))
            cols["scenario"].append(codes("scenario", np.full(layout.size, scenario, np.int32)))
            for name in ("step", "month", "variable", "actor"):
                cols[name].append(shape(name, layout))
            cols["value"].append(pa.array(values, type=pa.float64()))
        return pa.Table.from_arrays(
            [pa.chunked_array(cols[f.name], type=f.type) for f in SERIES_SCHEMA],
            schema=SERIES_SCHEMA,
        )


def _text_array(col: Sequence[Any]) -> pa.Array:
    """A text column of a chunk's event logs as an Arrow string array, missing values
    (None, NaN) null, anything else as its text."""
    try:
        return pa.array(col, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return pa.array([_text1(v) for v in col], type=pa.string())


class _EventRows:
    """A chunk's event logs, as arrays (the texts kept as lists and made one Arrow
    column each at the end)."""

    TEXT = ("event_type", "kind", "region", "actor1", "actor2", "note")

    def __init__(self) -> None:
        self.run_id, self.scenario = _Strings(), _Strings()
        self.runs: list[tuple[int, int, int]] = []  # run and scenario codes, events
        self.text: dict[str, list[Any]] = {c: [] for c in self.TEXT}
        self.numbers: dict[str, list[np.ndarray]] = {c: [] for c in ("step", "month", "fatalities")}
        self._months = _Months()

    def prepare(self, run_id: str, scenario: str, events: EventTable) -> dict[str, Any]:
        n = len(events)
        out: dict[str, Any] = {
            "run": (self.run_id.code(run_id), self.scenario.code(scenario), n),
            "step": np.asarray(events["step"], dtype=np.int32),
            "month": self._months(events["month"]),
            "fatalities": np.asarray(events["fatalities"], dtype=float),
        }
        for c in self.TEXT:
            out[c] = events[c]
            if len(out[c]) != n:
                raise ValueError(f"the event log's column {c} has {len(out[c])} rows, not {n}")
        return out

    def commit(self, rows: dict[str, Any]) -> None:
        self.runs.append(rows["run"])
        for c, parts in self.numbers.items():
            parts.append(rows[c])
        for c, texts in self.text.items():
            texts.extend(rows[c])

    def table(self) -> pa.Table | None:
        if not self.runs:
            return None
        runs, scenarios, sizes = (np.array(c, np.int32) for c in zip(*self.runs, strict=True))
        cols: dict[str, Any] = {
            "run_id": self.run_id.column(np.repeat(runs, sizes)),
            "scenario": self.scenario.column(np.repeat(scenarios, sizes)),
        }
        for c, texts in self.text.items():
            cols[c] = _text_array(texts)
        for c, parts in self.numbers.items():
            cols[c] = np.concatenate(parts)
        cols["month"] = _dates(cols["month"])
        return pa.table({f.name: cols[f.name] for f in EVENTS_SCHEMA}, schema=EVENTS_SCHEMA)


#: the series and events tables as a chunk hands them to the store, which moves
#: ``scenario`` into the Hive partition (``series/scenario=<id>/``); the texts that
#: repeat are dictionary-encoded, written as plain text (:func:`~.store.as_declared`)
_CODED = pa.dictionary(pa.int32(), pa.string())
SERIES_SCHEMA = pa.schema(
    [
        ("run_id", _CODED),
        ("scenario", _CODED),
        ("step", pa.int32()),
        ("month", pa.date32()),
        ("variable", _CODED),
        ("actor", _CODED),
        ("value", pa.float64()),
    ]
)
EVENTS_SCHEMA = pa.schema(
    [
        ("run_id", _CODED),
        ("scenario", _CODED),
        ("step", pa.int32()),
        ("month", pa.date32()),
        ("event_type", pa.string()),
        ("kind", pa.string()),
        ("region", pa.string()),
        ("actor1", pa.string()),
        ("actor2", pa.string()),
        ("fatalities", pa.float64()),
        ("note", pa.string()),
    ]
)


def month_dates(months: Any) -> np.ndarray:
    """``YYYY-MM`` texts as numpy dates (the first day of each month)."""
    return np.asarray(months, dtype=str).astype("datetime64[M]").astype("datetime64[D]")


def _orphaned(ctx: BatchContext) -> bool:
    if ctx.driver_pid is None or ctx.driver_pid == os.getpid():
        return False
    try:
        os.kill(ctx.driver_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # pragma: no cover - alive, owned by someone else
        return False
    return False


def _stop_if_orphaned(ctx: BatchContext) -> None:
    if _orphaned(ctx):
        os._exit(3)  # the driver is gone: write nothing more; the resumed batch redoes this chunk


class _RunRows:
    """A chunk's runs table, column by column: the fixed columns as lists, the varied
    parameters as one float array per point, the key figures as lists (``None``
    where a run has no such figure)."""

    def __init__(self, param_columns: list[str]) -> None:
        self.fixed: dict[str, list[Any]] = {c: [] for c in RUN_COLUMNS}
        self.param_names = [param_column(p) for p in param_columns]
        self.params: list[np.ndarray] = []
        self.figs: dict[str, list[Any]] = {}
        self._fig_names: dict[str, str] = {}
        self.n = 0
        #: the figures of the last run, in order, and their columns
        self._last: tuple[tuple[str, ...], list[list[Any]]] = ((), [])

    def add(self, row: dict[str, Any], params: np.ndarray, figures: dict[str, Any]) -> None:
        for c, col in self.fixed.items():
            col.append(row[c])
        self.params.append(params)
        keys = tuple(figures)
        if keys == self._last[0] and len(keys) == len(self.figs):  # the same figures, all
            for col, v in zip(self._last[1], figures.values(), strict=True):
                col.append(v)
            self.n += 1
            return
        names = self._fig_names
        for k, v in figures.items():
            name = names.get(k)
            if name is None:
                name = names[k] = fig_column(k)
            values = self.figs.get(name)
            if values is None:
                values = self.figs[name] = [None] * self.n
            values.append(v)
        self.n += 1
        for col in self.figs.values():
            if len(col) < self.n:
                col.append(None)
        self._last = (keys, [self.figs[names[k]] for k in keys])

    def table(self) -> pa.Table:
        arrays: list[pa.Array] = [
            pa.array(self.fixed[c], type=RUN_TYPES[c], from_pandas=True) for c in RUN_COLUMNS
        ]
        fields = [pa.field(c, RUN_TYPES[c]) for c in RUN_COLUMNS]
        if self.param_names:
            matrix = np.vstack(self.params)
            for j, name in enumerate(self.param_names):
                arrays.append(pa.array(matrix[:, j], type=pa.float64(), from_pandas=True))
                fields.append(pa.field(name, pa.float64()))
        for name, values in self.figs.items():
            sample = next(v for v in values if v is not None)
            typ = (
                pa.bool_()
                if isinstance(sample, bool)
                else pa.string()
                if isinstance(sample, str)
                else pa.float64()
            )
            arrays.append(pa.array(values, type=typ, from_pandas=True))
            fields.append(pa.field(name, typ))
        schema = _runs_schema(tuple((f.name, f.type) for f in fields))
        return pa.Table.from_arrays(arrays, schema=schema)


@functools.lru_cache(maxsize=32)
def _runs_schema(fields: tuple[tuple[str, pa.DataType], ...]) -> pa.Schema:
    """The runs table's schema, each field with its description and unit (the same
    for every chunk of a batch)."""
    return with_field_metadata("runs", pa.schema([pa.field(n, t) for n, t in fields]))


def _point_columns(ctx: BatchContext, point: dict[str, Any]) -> np.ndarray:
    """The values of the varied parameters at a point (NaN where not a number)."""
    values = [point.get(path, ctx.sets.get(path)) for path in ctx.param_columns]
    if set(map(type, values)) <= {float, int}:  # plain numbers (a sampled point): at once
        return np.array(values, dtype=float).reshape(len(values))
    out = np.full(len(values), np.nan)
    for j, v in enumerate(values):
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[j] = v
    return out


def run_chunk(ctx: BatchContext, chunk: Sequence[RunSpec]) -> ChunkReport:
    """Run every spec of ``chunk`` and write its parts; never raises for a failing run.

    Arrow allocates the chunk's tables from the system allocator (:func:`_arrow_pool`);
    the collector leaves alone what the process held before the chunk
    (:func:`~libyasim.model.heap.settled`)."""
    from ..model.heap import settled

    pool = pa.default_memory_pool()
    pa.set_memory_pool(_arrow_pool())
    try:
        with settled():
            return _run_chunk(ctx, chunk)
    finally:
        pa.set_memory_pool(pool)


def _arrow_pool() -> pa.MemoryPool:
    """The memory pool a chunk's Arrow tables come from: the system allocator (glibc).

    A chunk's tables are tens of MB, built and freed once per chunk; pyarrow's default
    pool (mimalloc) hands such blocks back to the kernel when they are freed, so every
    chunk pays page faults on fresh memory again: ~6 ms of system time per run of a
    sampled batch, more than all the batch's own work. glibc keeps them for the next chunk."""
    return pa.system_memory_pool()


def _run_chunk(ctx: BatchContext, chunk: Sequence[RunSpec]) -> ChunkReport:
    runner = ctx.runner or default_runner
    worker = f"{socket.gethostname()}:{os.getpid()}"
    runs = _RunRows(ctx.param_columns)
    series_rows, event_rows = _SeriesRows(), _EventRows()
    report = ChunkReport(n=len(chunk), ok=0, failed=0, elapsed=0.0)
    by_point: dict[int, tuple[str, np.ndarray]] = {}  # replicates share their point's columns
    for spec in chunk:
        _stop_if_orphaned(ctx)
        row: dict[str, Any] = {
            "run_index": spec.index,
            "run_id": spec.run_id,
            "scenario": spec.scenario_id,
            "scenario_hash": ctx.scenarios[spec.scenario].hash,
            "point": spec.point,
            "replicate": spec.replicate,
            "seed": spec.seed,
            "attempt": spec.attempt,
            "status": "ok",
            "error": None,
            "traceback": None,
            "end_state": None,
            FLAGS_COLUMN: None,
            "worker": worker,
            "parameters": None,
        }
        figures: dict[str, Any] = {}
        t0 = time.perf_counter()
        try:
            scenario = ctx.scenario_for(spec.scenario, spec.point)
            result = runner(scenario, seed=spec.seed, months=ctx.months)
            summary = result.summary
            row["end_state"] = str(summary.get("end_state"))
            row[FLAGS_COLUMN] = [str(f) for f in summary.get("flags", [])]
            figures = key_figures(summary)
            long = series_rows.prepare(spec.run_id, spec.scenario_id, result.series_table)
            ev = result.event_table
            logged = event_rows.prepare(spec.run_id, spec.scenario_id, ev) if len(ev) else None
            series_rows.commit(long)
            if logged is not None:
                event_rows.commit(logged)
            report.ok += 1
            report.end_states[(spec.scenario_id, row["end_state"])] += 1
        except Exception as exc:
            row["status"] = "failed"
            row["error"] = f"{type(exc).__name__}: {exc}"
            row["traceback"] = traceback.format_exc(limit=20)
            report.failed += 1
            figures = {}
        cached = by_point.get(spec.point)
        if cached is None:  # after the point's scenario: its numbers' texts make this text
            text = ctx.parameters_text(spec.scenario, spec.point)
            cached = by_point[spec.point] = (text, ctx.point_columns(spec.scenario, spec.point))
        row["parameters"] = cached[0]
        row["elapsed_s"] = time.perf_counter() - t0
        report.elapsed += row["elapsed_s"]
        runs.add(row, cached[1], figures)
    table = runs.table()
    series, events = series_rows.table(), event_rows.table()
    _stop_if_orphaned(ctx)
    report.part = BatchStore(ctx.out).write_chunk(table, series, events)
    return report


#: the type of each of :data:`RUN_COLUMNS`
RUN_TYPES: dict[str, pa.DataType] = {
    "run_index": pa.int64(),
    "run_id": pa.string(),
    "scenario": pa.string(),
    "scenario_hash": pa.string(),
    "point": pa.int64(),
    "replicate": pa.int64(),
    "seed": pa.int64(),
    "attempt": pa.int64(),
    "status": pa.string(),
    "error": pa.string(),
    "traceback": pa.string(),
    "end_state": pa.string(),
    FLAGS_COLUMN: pa.list_(pa.string()),
    "elapsed_s": pa.float64(),
    "worker": pa.string(),
    "parameters": pa.string(),
}
