"""The output folder of a batch: a manifest and Parquet parts, written atomically.

Layout (format 2; docs/data.md describes every column)::

    OUT/manifest.json        scenarios (resolved, hashed), root seed, design, versions, command
    OUT/points.parquet       the parameter points of the design (one row per point)
    OUT/runs/part-*.parquet  one row per run: ids, seed, parameters, status, error, end state,
                             flags_raised, param__<path>, fig__<figure>
    OUT/series/scenario=<id>/part-*.parquet
                             the monthly series, long: run_id, step, month, variable, actor, value
    OUT/events/scenario=<id>/part-*.parquet
                             the event logs: run_id, step, month, event_type, kind, ...
    OUT/runs.parquet         all runs in one file, written when the batch ends (a convenience copy)
    OUT/_index/<chunk>.json  what each chunk's runs part holds (run_id, status, attempt) and its
                             size: how the driver learns what is done without reading the parts

Each of ``runs``, ``series`` and ``events`` is a dataset folder holding only
Parquet, readable whole by pandas (``pd.read_parquet(OUT / "series")``),
``pyarrow.dataset`` (``partitioning="hive"``) and DuckDB
(``read_parquet('OUT/series/**/*.parquet', hive_partitioning = true)``):
``series`` and ``events`` are partitioned Hive-style by scenario (the
``scenario`` column is the folder name); every part of a table has the same
schema when the batch ends (:meth:`BatchStore.unify`); column names have no
dots (:mod:`.columns`); months are dates; each field carries its description
and unit as Parquet field metadata.

Every file is written to a temporary name, fsynced, then renamed, so a part is
either whole or absent. A chunk writes its series and events parts first and
its runs part last: the runs parts are the record of what is done. On opening
a folder, :meth:`BatchStore.repair` removes temporary files, series and events
parts whose runs part never landed (a crash in between), and rows superseded
by a later attempt (``--retry-failed``), so every run is present exactly once.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import functools
import hashlib
import io
import itertools
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .columns import with_field_metadata

MANIFEST = "manifest.json"
#: one small JSON file per chunk: its runs part's size and (run_id, status, attempt) rows
INDEX = "_index"
TABLES = ("runs", "series", "events")
#: 2: Hive partitions by scenario, SQL column names (fig__, param__, flags_raised), dates
FORMAT_VERSION = 2
#: tables partitioned Hive-style by scenario
PARTITIONED = ("series", "events")
PARTITION = "scenario"


class StoreError(RuntimeError):
    """The output folder is not a batch, or is damaged beyond repair."""


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = _tmp_name(path)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _options(table: pa.Table) -> dict[str, Any]:
    """How a table of this shape is written (:func:`_compression`,
    :func:`_dictionary`, :func:`_statistics`)."""
    return {
        "compression": _compression(table),
        "use_dictionary": _dictionary(table),
        "write_statistics": _statistics(table),
    }


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet file so that it is either whole or absent."""
    tmp = _tmp_name(path)
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, **_options(table))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


#: text columns of a runs table whose every value differs (no dictionary helps them)
_UNIQUE_TEXTS = frozenset({"run_id", "parameters", "traceback"})


def _dictionary(table: pa.Table) -> bool | list[str]:
    """The columns worth dictionary-encoding: the texts (and lists of texts), whose
    values repeat; not the numbers and dates (a long table's steps and months
    compress better, and sooner, as they are), and not a wide (runs) table's texts
    that differ from row to row (its run ids, parameters): for those the encoder's
    try is wasted."""
    wide = table.num_columns >= 50
    return [
        f.name for f in table.schema if _is_text(f.type) and not (wide and f.name in _UNIQUE_TEXTS)
    ] or False


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _is_text(t.value_type)
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _compression(table: pa.Table) -> str | dict[str, str]:
    """zstd; but the floats of a wide (runs) table, a few hundred short columns of a
    chunk's runs, take snappy: zstd's set-up per column is most of such a table's
    write, and snappy keeps them nearly as small."""
    if table.num_columns < 50:
        return "zstd"
    return {f.name: "snappy" if pa.types.is_floating(f.type) else "zstd" for f in table.schema}


def _statistics(table: pa.Table) -> bool | list[str]:
    """The columns whose minimum and maximum are worth keeping: all of a wide table;
    of a long one (series, events), the numbers and dates and ``run_id`` (which runs
    a part holds), not the other texts: every part holds nearly all of their values,
    so they prune nothing, and finding a text's minimum and maximum over a chunk's
    ~600,000 series rows costs more than encoding the column."""
    if table.num_columns >= 50:
        return True
    return [
        f.name
        for f in table.schema
        if f.name == "run_id" or not (pa.types.is_string(f.type) or pa.types.is_dictionary(f.type))
    ]


def _equal(col: pa.ChunkedArray, value: str) -> pa.ChunkedArray:
    """Where a (dictionary-encoded) text column equals ``value``."""
    if pa.types.is_dictionary(col.type):
        col = col.cast(pa.string())
    return pc.equal(col, value)


def _plain_type(t: pa.DataType) -> pa.DataType:
    return t.value_type if pa.types.is_dictionary(t) else t


def as_declared(table: pa.Table, name: str) -> pa.Table:
    """A series or events table of a chunk as the files declare it: text columns as
    strings, each field with its description and unit (:mod:`.columns`).

    The chunk builds its text columns dictionary-encoded (codes into a small table of
    distinct texts: run ids, variables, actors repeat thousands of times); Parquet
    stores text columns dictionary-encoded anyway, so they are written as they are and
    the file's Arrow schema (``ARROW:schema``, which readers use to restore types)
    says ``string``: read back, they are plain text columns, as if written from
    strings, without a chunk ever holding its ~600,000 run ids as text. Should the
    Parquet writer not keep the schema it is given (:func:`_keeps_given_schema`), the
    columns are decoded first."""
    declared, serialized = _declared(name, tuple((f.name, f.type) for f in table.schema))
    nulls = any(  # Parquet writes no dictionary that holds a null: decoded first
        chunk.dictionary.null_count
        for col in table.columns
        if pa.types.is_dictionary(col.type)
        for chunk in col.chunks
    )
    if declared.types == table.schema.types or nulls or not _keeps_given_schema():
        return table.cast(declared)
    meta = dict(table.schema.metadata or {})
    meta[ARROW_SCHEMA] = serialized
    return table.replace_schema_metadata(meta)


@functools.lru_cache(maxsize=32)
def _declared(name: str, fields: tuple[tuple[str, pa.DataType], ...]) -> tuple[pa.Schema, bytes]:
    """The schema a table of these fields declares (:func:`as_declared`), and its
    ``ARROW:schema`` text; the same for every chunk of a batch."""
    declared = with_field_metadata(
        name, pa.schema([pa.field(n, _plain_type(t)) for n, t in fields])
    )
    return declared, base64.b64encode(declared.serialize().to_pybytes())


#: the Parquet key-value metadata key of the file's Arrow schema
ARROW_SCHEMA = b"ARROW:schema"


@functools.cache
def _keeps_given_schema() -> bool:
    """Whether the Parquet writer stores a table's own ``ARROW:schema`` metadata (so a
    dictionary-encoded text column reads back as the plain text column it declares);
    tried once per process on two rows."""
    plain = pa.schema([("t", pa.string())])
    codes = pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int32()), pa.array(["x"]))
    table = pa.table({"t": codes}).replace_schema_metadata(
        {ARROW_SCHEMA: base64.b64encode(plain.serialize().to_pybytes())}
    )
    buf = io.BytesIO()
    try:
        pq.write_table(table, buf)
        back = pq.read_table(io.BytesIO(buf.getvalue()))
    except (pa.ArrowException, OSError, ValueError):  # pragma: no cover - defensive
        return False
    return back.schema.types == plain.types and back.column(0).to_pylist() == ["x", "x"]


def read_tables(
    files: Iterable[Path], columns: list[str] | None = None, filters: Any = None
) -> pa.Table | None:
    """Concatenate Parquet files whose schemas may differ (missing columns become nulls)."""
    tables = []
    for f in files:
        t = pq.read_table(f, filters=filters) if filters is not None else pq.read_table(f)
        if columns is not None:
            t = t.select([c for c in columns if c in t.column_names])
        tables.append(t)
    if not tables:
        return None
    return pa.concat_tables(tables, promote_options="permissive")


def _fingerprint(schema: pa.Schema) -> str:
    """A short digest of a schema's column names and types (not its metadata), the same
    for a table and the Parquet file it was written to (which names a list's values
    ``element``, whatever the table called them)."""
    text = json.dumps([[f.name, _type_name(f.type)] for f in schema])
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"{'large_' if pa.types.is_large_list(t) else ''}list<{_type_name(t.value_type)}>"
    return str(t)


def _order(runs: pa.Table) -> list[int] | None:
    """``[first, last]`` run_index of a runs table whose run_index increases down the
    table, else None."""
    if "run_index" not in runs.column_names or not runs.num_rows:
        return None
    col = runs.column("run_index")
    if col.null_count:
        return None
    idx = col.to_numpy()
    if len(idx) > 1 and not bool(np.all(idx[1:] > idx[:-1])):
        return None
    return [int(idx[0]), int(idx[-1])]


#: a row group of ``runs.parquet`` (:meth:`BatchStore.consolidate`) gathers parts up to
#: this many rows (pyarrow's own default) or this many bytes in memory, whichever comes
#: first: a reader meets one row group for most batches, as a file written whole gives
#: (each more costs a pandas reader ~15 ms over a sampled batch's 400 columns), and
#: consolidating holds at most about a row group, not the whole table
ROW_GROUP_ROWS = 1 << 20
ROW_GROUP_BYTES = 512 << 20


def _write_row_group(writer: pq.ParquetWriter, tables: list[pa.Table]) -> None:
    table = pa.concat_tables(tables)
    writer.write_table(table, row_group_size=table.num_rows)


@contextlib.contextmanager
def _allocator() -> Iterator[None]:
    """pyarrow's default memory pool set, for the duration, to jemalloc (or the system's
    allocator where pyarrow has no jemalloc): with mimalloc, pyarrow's usual default,
    consolidating 20,160 runs in 144 parts spent 5.3 s in the kernel clearing pages it
    had handed back (sys time; 0.3-1.1 s with either of the others), 5.2-5.4 s in all
    against 2.1-3.0 s. Buffers keep the pool they came from, so restoring is safe."""
    before = pa.default_memory_pool()
    try:
        pool = pa.jemalloc_memory_pool()
    except (NotImplementedError, AttributeError, pa.ArrowException):  # pragma: no cover
        pool = pa.system_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


class _Unordered(Exception):
    """A runs part's rows do not follow the ones before it (consolidate sorts instead)."""


def _read_parts(paths: Sequence[Path]) -> Iterator[pa.Table]:
    """Each part read whole, in the order given, a few ahead in threads (the Parquet
    reader releases the GIL; a part of a wide table is mostly per-column work)."""
    workers = max(1, min(4, os.cpu_count() or 1))

    def read(path: Path) -> pa.Table:
        return pq.ParquetFile(path).read(use_threads=False)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        ahead: collections.deque[Future[pa.Table]] = collections.deque()
        todo = iter(paths)
        try:
            for path in itertools.islice(todo, 2 * workers):
                ahead.append(pool.submit(read, path))
            while ahead:
                table = ahead.popleft().result()
                nxt = next(todo, None)
                if nxt is not None:
                    ahead.append(pool.submit(read, nxt))
                yield table
        finally:
            for fut in ahead:
                fut.cancel()


class BatchStore:
    """A batch's output folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    # -- paths ----------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def parts(self, table: str) -> list[Path]:
        """Every part of ``table`` (in its partition folders too), sorted."""
        d = self.table_dir(table)
        if not d.is_dir():
            return []
        return sorted(
            p
            for p in d.rglob("part-*.parquet")
            if not any(x.startswith(("_", ".")) for x in p.relative_to(d).parts[:-1])
        )

    def partition_dir(self, table: str, scenario: str) -> Path:
        return self.table_dir(table) / f"{PARTITION}={scenario}"

    def check_format(self) -> None:
        """Refuse a folder written in another data layout, with what to do."""
        version = self.manifest().get("format_version", 1)
        if version != FORMAT_VERSION:
            raise StoreError(
                f"{self.root} was written by an older libyasim (data layout {version}; this "
                f"version reads and writes layout {FORMAT_VERSION}: Hive partitions by scenario, "
                "column names without dots, months as dates). Run the batch again into a new "
                "--out folder (or with the libyasim version that wrote it)"
            )

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    # -- manifest -------------------------------------------------------------
    def create(self, manifest: dict[str, Any], points_table: pa.Table) -> None:
        manifest = {**manifest, "format_version": FORMAT_VERSION}
        self.root.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            self.table_dir(t).mkdir(exist_ok=True)
        atomic_write_table(self.root / "points.parquet", points_table)
        blob = json.dumps(manifest, indent=1, sort_keys=False, default=str).encode()
        atomic_write_bytes(self.manifest_path, blob)  # last: its presence means "a batch"

    def manifest(self) -> dict[str, Any]:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StoreError(f"{self.root} is not a batch folder (no {MANIFEST})") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"{self.manifest_path}: unreadable manifest ({exc})") from None

    def update_manifest(self, **fields: Any) -> None:
        m = self.manifest()
        m.update(fields)
        atomic_write_bytes(self.manifest_path, json.dumps(m, indent=1, default=str).encode())

    # -- writing a chunk (called in workers) ----------------------------------
    def write_chunk(self, runs: pa.Table, series: pa.Table | None, events: pa.Table | None) -> str:
        """Write one chunk's parts; the runs part last (it commits the chunk)."""
        from .integrity import stamp_counts  # the rows each table gets, checked on resume

        runs = stamp_counts(runs, series, events)
        key = f"part-{runs.column('run_id')[0].as_py().replace('/', '_')}-{uuid.uuid4().hex[:10]}"
        for name, table in (("series", series), ("events", events)):
            if table is None or not table.num_rows:
                continue
            col = table.column(PARTITION)
            rest = as_declared(table.drop_columns([PARTITION]), name)
            scenarios = pc.unique(col).to_pylist()
            for sc in scenarios:
                part = rest if len(scenarios) == 1 else rest.filter(_equal(col, sc))
                folder = self.partition_dir(name, str(sc))
                folder.mkdir(parents=True, exist_ok=True)
                atomic_write_table(folder / f"{key}.parquet", part)
        path = self.table_dir("runs") / f"{key}.parquet"
        atomic_write_table(path, runs)
        self._write_index(path, runs)
        return key

    # -- the index: what is done, without reading the (wide) runs parts -------------
    def _index_path(self, part: Path) -> Path:
        return self.root / INDEX / f"{part.stem}.json"

    def _write_index(
        self, part: Path, runs: pa.Table, schema: pa.Schema | None = None
    ) -> list[tuple[str, str, int]]:
        """Record a runs part's rows in ``_index/<key>.json`` with the part's size, its
        columns' fingerprint (:func:`_fingerprint`: which parts share a schema, for
        :meth:`unify`) and its first and last ``run_index`` when these increase down
        the part (where it goes in ``runs.parquet``, for :meth:`consolidate`).

        A convenience, not a commit: written after the part, renamed into place
        but not fsynced; an index that is missing, unreadable or names another size
        (the part was rewritten) is ignored and rebuilt from the part. ``runs`` may
        hold only some columns when ``schema`` gives the part's."""
        rows = list(
            zip(
                runs.column("run_id").to_pylist(),
                runs.column("status").to_pylist(),
                runs.column("attempt").to_pylist(),
                strict=True,
            )
        )
        try:
            blob = json.dumps(
                {
                    "size": part.stat().st_size,
                    "rows": rows,
                    "schema": _fingerprint(schema or runs.schema),
                    "order": _order(runs),
                }
            ).encode()
            path = self._index_path(part)
            path.parent.mkdir(exist_ok=True)
            tmp = _tmp_name(path)
            tmp.write_bytes(blob)
            os.replace(tmp, path)
        except OSError:  # a read-only folder (report): the parts are the record
            pass
        return rows

    def _index(self, part: Path) -> dict[str, Any] | None:
        """The index of a runs part when it matches the part (same size), else None."""
        try:
            size = part.stat().st_size
            data = json.loads(self._index_path(part).read_bytes())
            if isinstance(data, dict) and data.get("size") == size:
                return data
        except (OSError, ValueError):
            pass
        return None

    def part_rows(self, part: Path) -> list[tuple[str, str, int]]:
        """``(run_id, status, attempt)`` of every row of a runs part: from its index
        when that matches the part, else read from the part (and indexed)."""
        data = self._index(part)
        if data is not None:
            try:
                return [(str(r), str(st), int(a)) for r, st, a in data["rows"]]
            except (ValueError, TypeError, KeyError):
                pass
        return self._reindex(part)

    def _reindex(self, part: Path) -> list[tuple[str, str, int]]:
        """Index a runs part from the part itself (its schema and four columns)."""
        pf = pq.ParquetFile(part)
        cols = ["run_id", "status", "attempt", "run_index"]
        table = pf.read(columns=[c for c in cols if c in pf.schema_arrow.names])
        return self._write_index(part, table, pf.schema_arrow)

    # -- recovery -------------------------------------------------------------
    def repair(self) -> dict[str, int]:
        """Make the folder consistent after a crash or a retry; returns what was removed."""
        removed = {"temporary": 0, "orphan_parts": 0, "superseded_rows": 0}
        for t in TABLES:
            d = self.table_dir(t)
            if d.is_dir():
                for tmp in d.glob(".*.tmp-*"):
                    tmp.unlink(missing_ok=True)
                    removed["temporary"] += 1
        for tmp in self.root.glob(".*.tmp-*"):
            tmp.unlink(missing_ok=True)
            removed["temporary"] += 1
        committed = {p.stem for p in self.parts("runs")}
        index = self.root / INDEX
        if index.is_dir():
            for f in index.iterdir():
                if f.name.startswith(".") or f.stem not in committed:
                    f.unlink(missing_ok=True)
        for t in ("series", "events"):
            for p in self.parts(t):
                if p.stem not in committed:
                    p.unlink()
                    removed["orphan_parts"] += 1
        removed["superseded_rows"] = self._drop_superseded()
        return removed

    def _drop_superseded(self) -> int:
        """Keep, for each run id, only its latest attempt (in all three tables)."""
        latest: dict[str, tuple[int, str]] = {}
        rows: list[tuple[str, int, str]] = []
        for p in self.parts("runs"):
            for rid, _st, att in self.part_rows(p):
                rows.append((rid, att, p.stem))
                best = latest.get(rid)
                if best is None or (att, p.stem) > best:
                    latest[rid] = (att, p.stem)
        stale: dict[str, set[str]] = {}
        for rid, att, part in rows:
            if latest[rid] != (att, part):
                stale.setdefault(part, set()).add(rid)
        dropped = 0
        for part, rids in stale.items():
            for t in ("series", "events", "runs"):  # the runs part (the commit) last
                for path in self.files(t, part):
                    table = pq.read_table(path, partitioning=None)
                    mask = pc.invert(pc.is_in(table.column("run_id"), pa.array(sorted(rids))))
                    kept = table.filter(mask)
                    if t == "runs":
                        dropped += table.num_rows - kept.num_rows
                    if kept.num_rows == 0:
                        path.unlink()
                    else:
                        atomic_write_table(path, kept)
                        if t == "runs":
                            self._write_index(path, kept)
        return dropped

    def files(self, table: str, key: str) -> list[Path]:
        """The parts of ``table`` written by the chunk ``key`` (one per partition)."""
        return [p for p in self.parts(table) if p.stem == key]

    def _part_index(self, part: Path) -> dict[str, Any]:
        """The index of a runs part, rebuilt from the part when it is missing, stale or
        older than the fields :meth:`_write_index` writes."""
        data = self._index(part)
        if data is None or "schema" not in data or "order" not in data:
            self._reindex(part)
            data = self._index(part) or {}  # (a read-only folder: none, or the old one)
        return data

    def unify(self) -> int:
        """Give every runs part the same schema (columns some parts lack, such as an
        election's figures, null-filled, in one order); returns the parts rewritten.
        Series and events parts are written with fixed schemas.

        One schema is read per distinct set of columns (the parts' index files say
        which parts share one), not one per part."""
        parts = self.parts("runs")
        if not parts:
            return 0
        known: dict[str, pa.Schema] = {}
        schemas = []
        for p in parts:
            key = self._part_index(p).get("schema")
            sch = known.get(key) if isinstance(key, str) else None
            if sch is None:
                sch = pq.read_schema(p)
                if isinstance(key, str):
                    known[key] = sch
            schemas.append(sch)
        names: list[str] = []
        types: dict[str, pa.DataType] = {}
        for sch in {id(sch): sch for sch in schemas}.values():  # each distinct one, in order
            for f in sch:
                if f.name not in types:
                    names.append(f.name)
                    types[f.name] = f.type
                elif pa.types.is_null(types[f.name]):
                    types[f.name] = f.type
        target = with_field_metadata("runs", pa.schema([(n, types[n]) for n in names]))
        target_types = [types[n] for n in names]
        fits: dict[int, bool] = {}  # by schema read (parts share them)
        rewritten = 0
        for path, sch in zip(parts, schemas, strict=True):
            fit = fits.get(id(sch))
            if fit is None:
                fit = fits[id(sch)] = sch.names == names and sch.types == target_types
            if fit:
                continue
            t = pq.read_table(path, partitioning=None)
            cols = [
                t.column(n).cast(types[n])
                if n in t.column_names
                else pa.nulls(t.num_rows, types[n])
                for n in names
            ]
            out = pa.Table.from_arrays(cols, schema=target.with_metadata(t.schema.metadata))
            atomic_write_table(path, out)
            self._write_index(path, out)
            rewritten += 1
        return rewritten

    # -- reading --------------------------------------------------------------
    def statuses(self) -> dict[str, tuple[str, int]]:
        """``run_id -> (status, attempt)`` for every run on disk, from the chunks'
        index files (``_index/``; a runs part is read only when its index is missing
        or does not match it)."""
        out: dict[str, tuple[str, int]] = {}
        for p in self.parts("runs"):
            for rid, st, att in self.part_rows(p):
                prev = out.get(rid)
                if prev is None or att > prev[1]:
                    out[rid] = (st, att)
        return out

    def runs(self, skip: Sequence[str] = ()) -> pa.Table | None:
        """The runs table (all parts, schemas unified), sorted by run order, without the
        columns ``skip`` (``parameters``, the text of every run's values, is most of a
        sampled batch's bytes): read from ``runs.parquet`` when that is current
        (:meth:`consolidated`; one file instead of a part per chunk, each as wide as
        the batch's parameters and figures)."""
        self.check_format()
        path = self.consolidated()
        if path is not None:
            try:
                names = pq.read_schema(path).names
                return pq.read_table(path, columns=[c for c in names if c not in skip])
            except (OSError, pa.ArrowException):  # damaged: the parts hold the same rows
                pass
        t = read_tables(self.parts("runs"))
        if t is None:
            return None
        if skip:
            t = t.drop_columns([c for c in skip if c in t.column_names])
        return t.sort_by([("run_index", "ascending")])

    def consolidated(self) -> Path | None:
        """``runs.parquet`` if it holds every run of the parts: newer than every runs part
        and with as many rows (what :meth:`consolidate` wrote last), else ``None``."""
        path = self.root / "runs.parquet"
        parts = self.parts("runs")
        try:
            done = path.stat().st_mtime_ns
            if parts and all(p.stat().st_mtime_ns < done for p in parts):
                rows = sum(len(self.part_rows(p)) for p in parts)
                if pq.ParquetFile(path).metadata.num_rows == rows:
                    return path
        except (OSError, pa.ArrowException):
            pass
        return None

    def consolidate(self) -> Path | None:
        """Write ``runs.parquet``: every run in one file, sorted by ``run_index``, for
        direct readers (unless the one there is current: :meth:`consolidated`).

        Each chunk's part holds an increasing stretch of ``run_index`` (its index file
        says which), so when the parts share one schema and their stretches do not
        overlap, the file is the parts one after the other: streamed, in row groups
        of up to :data:`ROW_GROUP_BYTES`, without sorting or holding the whole table.
        Otherwise (parts of differing columns, a retry's part whose runs fall among
        others') the parts are read whole and sorted. Either way the rows, their order
        and the schema (with the first part's metadata) are the same."""
        path = self.consolidated()
        if path is not None:
            return path
        parts = self.parts("runs")
        if not parts:
            return None
        path = self.root / "runs.parquet"
        with _allocator():
            if not self._stream_runs(path, parts):
                t = read_tables(parts)
                if t is None:
                    return None
                atomic_write_table(path, t.sort_by([("run_index", "ascending")]))
        return path

    def _stream_runs(self, path: Path, parts: list[Path]) -> bool:
        """Write the parts one after the other into ``path`` (atomically), if their
        ``run_index`` stretches follow each other; False (nothing written) if not."""
        index = [self._part_index(p) for p in parts]
        orders: list[tuple[int, int]] = []
        for data in index:
            order = data.get("order")
            if not (isinstance(order, list) and len(order) == 2):
                return False
            orders.append((int(order[0]), int(order[1])))
        if len({data.get("schema") for data in index}) != 1:
            return False
        ranked = sorted(zip(orders, parts, strict=True), key=lambda x: x[0])
        if any(a[1] >= b[0] for (a, _), (b, _) in itertools.pairwise(ranked)):
            return False
        schema = pq.read_schema(parts[0])  # the first part's metadata, as concat_tables keeps
        empty = schema.empty_table()
        tmp = _tmp_name(path)
        try:
            with (
                open(tmp, "wb") as fh,
                pq.ParquetWriter(fh, schema, **_options(empty)) as writer,
            ):
                gathered: list[pa.Table] = []
                rows = size = 0  # of the gathered tables
                last = -1
                for table in _read_parts([p for _, p in ranked]):
                    order = _order(table)
                    if not table.schema.equals(schema) or order is None or order[0] <= last:
                        raise _Unordered
                    last = order[1]
                    n, nbytes = table.num_rows, table.get_total_buffer_size()
                    if gathered and (rows + n > ROW_GROUP_ROWS or size + nbytes > ROW_GROUP_BYTES):
                        _write_row_group(writer, gathered)
                        gathered, rows, size = [], 0, 0
                    gathered.append(table)
                    rows += n
                    size += nbytes
                if gathered:
                    _write_row_group(writer, gathered)
                writer.close()
                fh.flush()
                os.fsync(fh.fileno())
        except _Unordered:
            tmp.unlink(missing_ok=True)
            return False
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        return True


def load_runs(folder: str | Path, skip: Sequence[str] = ()):  # -> pandas.DataFrame
    """The runs table of a batch folder as a pandas DataFrame (one row per run),
    without the columns ``skip``."""
    store = BatchStore(folder)
    store.check_format()  # a clear error if this is not a batch (of this layout)
    t = store.runs(skip)
    import pandas as pd

    if t is None:
        return pd.DataFrame(columns=["run_id", "scenario", "status", "end_state"])
    return t.to_pandas()


def _dataset(store: BatchStore, table: str) -> Any:
    """A partitioned table of the batch as a ``pyarrow.dataset`` (``scenario`` a string)."""
    import pyarrow.dataset as ds

    parts = store.parts(table)
    if not parts:
        return None
    return ds.dataset(
        [str(p) for p in parts],
        format="parquet",
        partitioning=ds.partitioning(pa.schema([(PARTITION, pa.string())]), flavor="hive"),
        partition_base_dir=str(store.table_dir(table)),
    )


def _frame(table: pa.Table):  # -> pandas.DataFrame
    """A table as pandas with months as datetimes (first day of the month)."""
    return table.to_pandas(date_as_object=False)


def load_series(
    folder: str | Path,
    variables: Iterable[str] | None = None,
    scenarios: Iterable[str] | None = None,
):  # -> pandas.DataFrame
    """The long monthly series of a batch, optionally only some variables/scenarios."""
    store = BatchStore(folder)
    store.check_format()
    filt = None
    if variables is not None:
        filt = pc.field("variable").isin(list(variables))
    if scenarios is not None:
        f2 = pc.field(PARTITION).isin(list(scenarios))
        filt = f2 if filt is None else (filt & f2)
    dataset = _dataset(store, "series")
    if dataset is None:
        import pandas as pd

        return pd.DataFrame(
            columns=["run_id", "scenario", "step", "month", "variable", "actor", "value"]
        )
    t = dataset.to_table(filter=filt)
    return _frame(_scenario_second(t))


def _scenario_second(t: pa.Table) -> pa.Table:
    """``run_id, scenario, ...``: the partition column next to the run, as before."""
    names = [n for n in t.column_names if n != PARTITION]
    return t.select([names[0], PARTITION, *names[1:]])


def load_events(folder: str | Path):  # -> pandas.DataFrame
    """Every event of every run of a batch."""
    store = BatchStore(folder)
    store.check_format()
    dataset = _dataset(store, "events")
    import pandas as pd

    if dataset is None:
        return pd.DataFrame()
    return _frame(_scenario_second(dataset.to_table()))
