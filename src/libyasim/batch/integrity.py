"""One writer per batch folder, and parts checked before they are trusted.

**The lock.** A batch holds an exclusive lock on its output folder from start
to end (:class:`BatchLock`): ``OUT/.lock``, locked with ``flock`` (released by
the kernel when the process dies, even by ``kill -9``) and holding the
writer's PID, host and command, so a second ``libyasim batch`` into the same
folder is refused with a message naming the first. A lock file left by a
writer on this host whose PID no longer runs is stale and taken over; one
left by another host is refused (its PID cannot be checked from here) with
the path to remove if that batch is gone.

**The parts.** Each chunk's runs part (the part that commits the chunk)
records in its Parquet metadata how many series and events rows the chunk
wrote (:func:`stamp_counts`); at the end of a batch the manifest records every
part with its rows (:func:`record_inventory`). :func:`damaged_parts` reads
every part's footer and compares the row counts with those records; a part
that fails is reported and moved with its chunk's other parts to
``OUT/_quarantine/`` (readers skip folders starting with ``_``), so its runs
count as not done and the next ``libyasim batch`` runs them again.
Everything goes through :class:`~libyasim.batch.store.BatchStore`'s own
listing (:meth:`~libyasim.batch.store.BatchStore.parts`) and manifest: no
path is assumed here beyond the lock and the quarantine folder.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import functools
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .store import TABLES, BatchStore, StoreError

LOCK_NAME = ".lock"
QUARANTINE = "_quarantine"
#: Parquet key-value metadata on a runs part: rows its chunk wrote per table
COUNTS_KEY = b"libyasim.chunk_rows"


class BatchLocked(StoreError):
    """Another writer holds the batch folder."""


class OutputError(StoreError):
    """The output folder cannot be made or written (a file, /proc, read-only, full)."""


def output_problem(out: Path, exc: OSError) -> OutputError:
    """A plain sentence for an operating-system error on the output folder."""
    reasons = {
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EEXIST: "a file of that name exists (not a folder)",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ENAMETOOLONG: "the name is too long",
    }
    why = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return OutputError(f"cannot write the batch folder {out}: {why}")


# --------------------------------------------------------------------------- the lock


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


@dataclass
class BatchLock:
    """The exclusive lock of one batch folder, held from :meth:`acquire` to :meth:`release`."""

    out: Path
    fd: int | None = None
    took_over: str | None = None  # a stale holder replaced, described
    created: list[Path] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.out / LOCK_NAME

    def _holder(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                info = json.loads(fh.read(4096) or "{}")
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def acquire(self) -> BatchLock:
        try:
            if self.out.exists() and not self.out.is_dir():
                raise OutputError(f"--out {self.out} is a file, not a folder")
            missing = [d for d in (self.out, *self.out.parents) if not d.exists()]
            self.out.mkdir(parents=True, exist_ok=True)
            self.created = missing  # removed again on release if still empty
            for _attempt in range(10):
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    raise BatchLocked(self._busy(self._holder())) from None
                # the file may have been removed by the holder between our open and flock
                try:
                    same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    self.fd = fd
                    break
                os.close(fd)
            else:  # pragma: no cover - ten races in a row
                raise BatchLocked(f"{self.out}: could not take the batch lock; try again")
            self._check_stale(self._holder())
            self._write_info()
        except OSError as exc:
            self.release()
            raise output_problem(self.out, exc) from None
        except BaseException:
            self.release()
            raise
        return self

    def _busy(self, info: dict[str, Any]) -> str:
        who = f"process {info.get('pid', '?')} on {info.get('host', '?')}"
        since = f" since {info['started']}" if info.get("started") else ""
        return (
            f"{self.out} is in use by another batch ({who}{since}); one writer per folder: "
            "wait for it to finish, or give another --out"
        )

    def _check_stale(self, info: dict[str, Any]) -> None:
        """We hold the flock; a record not marked released was left by a writer that died.

        On this host the kernel's lock is the authority (a record whose PID runs
        again belongs to a reused PID). A record from another host is refused: its
        PID cannot be checked from here, and some shared file systems do not pass
        locks between hosts.
        """
        pid, host = info.get("pid"), info.get("host")
        if not info or info.get("released"):
            return
        if host != socket.gethostname():
            raise BatchLocked(
                f"{self.out} is locked by process {pid} on host {host} (a shared file system?); "
                f"if that batch is no longer running, remove {self.path} and try again"
            )
        state = "still running but not holding the lock" if _alive(pid) else "no longer running"
        self.took_over = f"stale lock of process {pid} ({state}) taken over"

    def _write_info(self) -> None:
        if self.fd is None:  # pragma: no cover - only called once acquired
            return
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "command": sys.argv[:20],
        }
        blob = json.dumps(info).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, blob, 0)
        os.fsync(self.fd)

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, b'{"released": true}', 0)
        with contextlib.suppress(OSError):
            self.path.unlink()  # while still holding the flock: see acquire's inode check
        os.close(self.fd)
        self.fd = None
        for d in self.created:  # a batch refused before writing leaves no folder behind
            try:
                d.rmdir()
            except OSError:
                break

    def __enter__(self) -> BatchLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def one_writer[F: Callable[..., Any]](func: F) -> F:
    """Hold the lock of the folder ``out`` (the second argument) for the whole call."""

    @functools.wraps(func)
    def wrapper(scenarios: Any, out: str | Path, *args: Any, **kwargs: Any) -> Any:
        with BatchLock(Path(out)) as lock:
            if lock.took_over:
                print(f"libyasim batch: {out}: {lock.took_over}", file=sys.stderr)
            return func(scenarios, out, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def is_lock_file(path: Path) -> bool:
    return path.name == LOCK_NAME


# --------------------------------------------------------------------------- the parts


def _per_run(table: pa.Table | None) -> dict[str, int]:
    if table is None or not table.num_rows or "run_id" not in table.column_names:
        return {}
    counts = pc.value_counts(table.column("run_id"))
    return {
        str(v["values"]): int(v["counts"]) for v in counts.to_pylist() if v["values"] is not None
    }


def stamp_counts(runs: pa.Table, series: pa.Table | None, events: pa.Table | None) -> pa.Table:
    """The runs table of a chunk, with the series and events rows of each run in its
    metadata (per run, so a part filtered by :meth:`BatchStore.repair` stays checkable)."""
    counts = {"series": _per_run(series), "events": _per_run(events)}
    meta = dict(runs.schema.metadata or {})
    meta[COUNTS_KEY] = json.dumps(counts, separators=(",", ":")).encode()
    return runs.replace_schema_metadata(meta)


def _expected(store: BatchStore, path: Path, meta: dict[bytes, bytes]) -> dict[str, int] | None:
    """Rows the other tables should hold for the runs now in this runs part (its run
    ids from the chunk's index when it matches the part, else from the part)."""
    try:
        counts = json.loads(meta[COUNTS_KEY])
        run_ids = [rid for rid, _st, _att in store.part_rows(path)]
    except (KeyError, ValueError, TypeError, OSError, pa.ArrowException):
        return None
    return {
        table: sum(int(counts.get(table, {}).get(rid, 0)) for rid in run_ids)
        for table in ("series", "events")
    }


@dataclass(frozen=True)
class Damage:
    """A part that cannot be trusted, and why."""

    table: str
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.table} part {self.path.name}: {self.reason}"


def _footer(path: Path) -> tuple[int | None, dict[bytes, bytes], str | None]:
    """Rows and key-value metadata from a part's footer, or the reason it cannot be read."""
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, {}, f"unreadable footer ({first[:120]})"
    return meta.num_rows, dict(meta.metadata or {}), None


def _inventory(store: BatchStore) -> dict[str, dict[str, int]]:
    try:
        parts = store.manifest().get("parts")
    except StoreError:
        return {}
    return parts if isinstance(parts, dict) else {}


def damaged_parts(store: BatchStore) -> list[Damage]:
    """Every part whose footer cannot be read or whose rows differ from the records."""
    damage: list[Damage] = []
    rows: dict[str, dict[str, int]] = {}  # chunk key -> table -> rows found on disk
    expected: dict[str, dict[str, int]] = {}  # chunk key -> table -> rows its runs part stamped
    where: dict[str, dict[str, Path]] = {}
    for table in TABLES:
        for path in store.parts(table):
            n, meta, bad = _footer(path)
            where.setdefault(path.stem, {})[table] = path
            if bad:
                damage.append(Damage(table, path, bad))
                continue
            rows.setdefault(path.stem, {}).setdefault(table, 0)
            rows[path.stem][table] += n or 0
            if table == "runs" and COUNTS_KEY in meta:
                stamped = _expected(store, path, meta)
                if stamped is None:
                    damage.append(Damage(table, path, "unreadable run ids or row records"))
                else:
                    expected[path.stem] = stamped
    bad_keys = {d.path.stem for d in damage}
    recorded = _inventory(store)
    for key, tables in where.items():
        if key in bad_keys:
            continue
        want = dict(expected.get(key, {}))
        inv = recorded.get(key, {})
        if isinstance(inv, dict) and inv.get("runs") == rows.get(key, {}).get("runs"):
            # the chunk as the manifest recorded it at the end of the last batch
            want = {**{t: int(v) for t, v in inv.items() if isinstance(v, int)}, **want}
        for table in TABLES:
            if table not in want:
                continue
            have = rows.get(key, {}).get(table, 0)
            if have != want[table]:
                path = tables.get(table) or next(iter(tables.values()))
                damage.append(
                    Damage(table, path, f"{have} rows where its chunk recorded {want[table]}")
                )
                break
    return damage


def quarantine(store: BatchStore, damage: list[Damage]) -> list[Path]:
    """Move each damaged part's chunk (every table's part with its key) to ``_quarantine``.

    The runs part goes first: without it the chunk's runs count as not done.
    """
    keys = {d.path.stem for d in damage}
    moved: list[Path] = []
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    for table in TABLES:  # runs first
        for path in store.parts(table):
            if path.stem not in keys:
                continue
            try:
                rel = path.relative_to(store.root)
            except ValueError:
                rel = Path(table) / path.name
            dest = store.root / QUARANTINE / stamp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, dest)
            moved.append(dest)
    return moved


def check_parts(store: BatchStore, *, move: bool = True) -> list[str]:
    """Find damaged parts and (``move``) quarantine them; one line each, for the user."""
    damage = damaged_parts(store)
    if not damage:
        return []
    lines = [f"damaged: {d}" for d in damage]
    if move:
        moved = quarantine(store, damage)
        lines.append(
            f"{len(moved)} part(s) of {len({d.path.stem for d in damage})} chunk(s) moved to "
            f"{store.root / QUARANTINE}; their runs will run again when the batch is resumed"
        )
    return lines


def record_inventory(store: BatchStore, **fields: Any) -> None:
    """Write every part's rows into the manifest (checked by :func:`damaged_parts`),
    with any other ``fields`` in the same write."""
    parts: dict[str, dict[str, int]] = {}
    for table in TABLES:
        for path in store.parts(table):
            n, _meta, bad = _footer(path)
            if bad is None and n is not None:
                parts.setdefault(path.stem, {}).setdefault(table, 0)
                parts[path.stem][table] += n
    store.update_manifest(parts=parts, **fields)


@contextlib.contextmanager
def checked_for_reading(folder: str | Path) -> Iterator[list[str]]:
    """Before a report reads a batch: quarantine damaged parts (if no batch is writing
    there: then only report them); yields the lines to show the user."""
    store = BatchStore(folder)
    store.manifest()  # a clear error if this is not a batch
    lock = BatchLock(Path(folder))
    try:
        lock.acquire()
    except (BatchLocked, OutputError) as exc:  # a batch is writing, or a read-only folder
        found = check_parts(store, move=False)
        if found:
            raise StoreError("\n".join([*found, f"cannot quarantine them now: {exc}"])) from None
        yield []
        return
    try:
        yield check_parts(store)
    finally:
        lock.release()


__all__ = [
    "BatchLock",
    "BatchLocked",
    "Damage",
    "OutputError",
    "check_parts",
    "checked_for_reading",
    "damaged_parts",
    "one_writer",
    "quarantine",
    "record_inventory",
    "stamp_counts",
]
