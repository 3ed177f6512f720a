"""The output folder of a batch: a manifest and Parquet parts, written atomically.

Layout::

    OUT/manifest.json        scenarios (resolved, hashed), root seed, design, versions, command
    OUT/points.parquet       the parameter points of the design (one row per point)
    OUT/runs/part-*.parquet  one row per run: ids, seed, parameters, status, error, end state,
                             figures
    OUT/series/part-*.parquet  the monthly series, long: run_id, scenario, step, month, variable,
                               actor, value
    OUT/events/part-*.parquet  the event logs: run_id, scenario, then RunResult.events' columns
    OUT/runs.parquet         all runs in one file, written when the batch ends (a convenience copy)

Every file is written to a temporary name, fsynced, then renamed, so a part is
either whole or absent. A chunk writes its series and events parts first and
its runs part last: the runs parts are the record of what is done. On opening
a folder, :meth:`BatchStore.repair` removes temporary files, series and events
parts whose runs part never landed (a crash in between), and rows superseded
by a later attempt (``--retry-failed``), so every run is present exactly once.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
TABLES = ("runs", "series", "events")
FORMAT_VERSION = 1


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


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet file so that it is either whole or absent."""
    tmp = _tmp_name(path)
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


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
        d = self.table_dir(table)
        if not d.is_dir():
            return []
        return sorted(p for p in d.glob("part-*.parquet"))

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    # -- manifest -------------------------------------------------------------
    def create(self, manifest: dict[str, Any], points_table: pa.Table) -> None:
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
        if series is not None and series.num_rows:
            atomic_write_table(self.table_dir("series") / f"{key}.parquet", series)
        if events is not None and events.num_rows:
            atomic_write_table(self.table_dir("events") / f"{key}.parquet", events)
        atomic_write_table(self.table_dir("runs") / f"{key}.parquet", runs)
        return key

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
            t = pq.read_table(p, columns=["run_id", "attempt"])
            for rid, att in zip(
                t.column("run_id").to_pylist(), t.column("attempt").to_pylist(), strict=True
            ):
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
            for t in TABLES:
                path = self.table_dir(t) / f"{part}.parquet"
                if not path.exists():
                    continue
                table = pq.read_table(path)
                mask = pc.invert(pc.is_in(table.column("run_id"), pa.array(sorted(rids))))
                kept = table.filter(mask)
                if t == "runs":
                    dropped += table.num_rows - kept.num_rows
                if kept.num_rows == 0 and t == "runs":
                    # remove the dependants first: a runs part is what commits them
                    for dep in ("series", "events"):
                        (self.table_dir(dep) / f"{part}.parquet").unlink(missing_ok=True)
                    path.unlink()
                    break
                if kept.num_rows == 0:
                    path.unlink()
                else:
                    atomic_write_table(path, kept)
        return dropped

    # -- reading --------------------------------------------------------------
    def statuses(self) -> dict[str, tuple[str, int]]:
        """``run_id -> (status, attempt)`` for every run on disk (small columns only)."""
        out: dict[str, tuple[str, int]] = {}
        for p in self.parts("runs"):
            t = pq.read_table(p, columns=["run_id", "status", "attempt"])
            for rid, st, att in zip(
                *(t.column(c).to_pylist() for c in ("run_id", "status", "attempt")), strict=True
            ):
                prev = out.get(rid)
                if prev is None or att > prev[1]:
                    out[rid] = (st, att)
        return out

    def runs(self) -> pa.Table | None:
        """The runs table (all parts, schemas unified), sorted by run order."""
        t = read_tables(self.parts("runs"))
        if t is None:
            return None
        return t.sort_by([("run_index", "ascending")])

    def consolidate(self) -> Path | None:
        """Write ``runs.parquet``: every run in one file, for direct readers."""
        t = self.runs()
        if t is None:
            return None
        path = self.root / "runs.parquet"
        atomic_write_table(path, t)
        return path


def load_runs(folder: str | Path):  # -> pandas.DataFrame
    """The runs table of a batch folder as a pandas DataFrame (one row per run)."""
    store = BatchStore(folder)
    store.manifest()  # a clear error if this is not a batch
    t = store.runs()
    import pandas as pd

    if t is None:
        return pd.DataFrame(columns=["run_id", "scenario", "status", "end_state"])
    return t.to_pandas()


def load_series(
    folder: str | Path,
    variables: Iterable[str] | None = None,
    scenarios: Iterable[str] | None = None,
):  # -> pandas.DataFrame
    """The long monthly series of a batch, optionally only some variables/scenarios."""
    store = BatchStore(folder)
    store.manifest()
    filt = None
    if variables is not None:
        filt = pc.field("variable").isin(list(variables))
    if scenarios is not None:
        f2 = pc.field("scenario").isin(list(scenarios))
        filt = f2 if filt is None else (filt & f2)
    import pyarrow.dataset as ds

    parts = store.parts("series")
    if not parts:
        import pandas as pd

        return pd.DataFrame(
            columns=["run_id", "scenario", "step", "month", "variable", "actor", "value"]
        )
    dataset = ds.dataset([str(p) for p in parts], format="parquet")
    return dataset.to_table(filter=filt).to_pandas()


def load_events(folder: str | Path):  # -> pandas.DataFrame
    """Every event of every run of a batch."""
    store = BatchStore(folder)
    store.manifest()
    t = read_tables(store.parts("events"))
    import pandas as pd

    return pd.DataFrame() if t is None else t.to_pandas()
