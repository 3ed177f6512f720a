"""The driver: plan a batch, resume it, keep chunks in flight, count what comes back.

The driver holds no results: workers write Parquet parts, the driver keeps
counts. What is done is read from the parts on disk, so a batch killed at any
moment (Ctrl-C, ``kill -9``, a lost node) finishes by running the same
command again, with no run lost and none duplicated.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import platform
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..scenario import Scenario, ScenarioError, load_scenario
from .columns import param_column
from .design import Design, DesignError, Points, RunSpec, iter_runs, n_runs, points_hash
from .executors import make_executor, start_fork_server
from .integrity import check_parts, is_lock_file, one_writer, output_problem, record_inventory
from .progress import Progress
from .store import FORMAT_VERSION, BatchStore, StoreError
from .worker import BatchContext, Runner

#: seconds of model time per chunk: big enough that per-task overhead is small,
#: small enough that an interrupted batch loses little and the tail balances
CHUNK_SECONDS = 3.0
MAX_CHUNK = 1000
#: seconds of model time below which the last chunks of a batch are not split further
MIN_CHUNK_SECONDS = 0.2


class BatchError(RuntimeError):
    """A batch that cannot start or resume (changed scenario or design, bad folder)."""


class BatchInterrupted(RuntimeError):
    """Ctrl-C: what is on disk is safe; run the same command again to finish."""

    def __init__(self, out: Path, done: int, total: int):
        super().__init__(
            f"interrupted: {done} of {total} runs are saved in {out}; run the same "
            "command again (or add --resume) to finish the batch"
        )
        self.out, self.done, self.total = out, done, total


@dataclass
class BatchResult:
    """What a batch did (counts only; the results are in ``out``)."""

    out: Path
    total: int
    ok: int
    failed: int
    ran: int  # runs done by this call
    resumed: bool
    elapsed: float
    executor: str
    end_states: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.ran / self.elapsed if self.elapsed > 0 else 0.0


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("libyasim", "mesa", "numpy", "pandas", "pyarrow", "SALib"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "?"
    return out


@dataclass
class Plan:
    """A batch, planned: scenarios, points, identity."""

    scenarios: list[Scenario]
    design: Design
    points: Points
    param_paths: list[str]

    @property
    def total(self) -> int:
        return n_runs(len(self.scenarios), len(self.points), self.design.replicates)

    def identity(self) -> dict[str, Any]:
        """What must not change for a folder to be resumed."""
        return {
            "scenarios": [{"id": s.id, "hash": s.hash} for s in self.scenarios],
            "design": self.design.to_dict(),
            "points_hash": self.points.hash(),
            "n_runs": self.total,
        }

    def manifest(self, command: Sequence[str] | None, runner: Runner | None) -> dict[str, Any]:
        return {
            "format": "libyasim-batch",
            "format_version": FORMAT_VERSION,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "command": list(command) if command is not None else None,
            "identity": self.identity(),
            "root_seed": self.design.root_seed,
            "seeds": "numpy.random.SeedSequence(root_seed, spawn_key=(point, replicate)), "
            "63-bit integer from generate_state(2, uint32); the same for every scenario"
            + ("; point 0's for every point (common_seeds)" if self.design.common_seeds else ""),
            "run_id": "<scenario>.p<point:05d>.r<replicate:05d>",
            "n_points": len(self.points),
            "parameter_columns": [param_column(p) for p in self.param_paths],
            "sampled_ranges": {
                k: list(v) for k, v in self.design.sampled_ranges(self.scenarios).items()
            },
            "runner": _name(runner),
            "versions": versions(),
            "scenarios": [
                {
                    "id": s.id,
                    "hash": s.hash,
                    "path": str(s.path) if s.path else None,
                    "resolved": s.resolved,
                }
                for s in self.scenarios
            ],
        }

    def points_table(self) -> pa.Table:
        return self.points.table()


def _name(runner: Runner | None) -> str:
    if runner is None:
        return "libyasim.model.run"
    return f"{getattr(runner, '__module__', '?')}.{getattr(runner, '__qualname__', repr(runner))}"


def plan_batch(scenarios: Sequence[Scenario | str | Path], design: Design) -> Plan:
    """Load scenarios, build the points, check the overrides; errors are clear, early."""
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if not loaded:
        raise DesignError("no scenario given")
    ids = [s.id for s in loaded]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise DesignError(
            f"scenario id(s) given more than once: {', '.join(dup)} (each scenario of a "
            "batch needs its own id)"
        )
    points = design.points(loaded)
    # check every override path and value once, before any run starts
    checks: list[dict[str, Any]] = [dict(design.sets)]
    for sw in design.sweeps:
        checks += [{**design.sets, sw.path: v} for v in sw.values()]
    checks.append({**design.sets, **points[0]})
    for s in loaded:
        for overrides in checks:
            if overrides:
                try:
                    s.with_values(overrides)
                except ScenarioError as exc:
                    raise DesignError(
                        f"scenario {s.id}: the design's overrides do not fit:\n{exc}"
                    ) from None
    paths = list(design.sets) + [sw.path for sw in design.sweeps]
    paths += [p for p in design.sampled_ranges(loaded) if p not in paths]
    numeric = [
        p
        for p in paths
        if p not in design.sets
        or (isinstance(design.sets[p], int | float) and not isinstance(design.sets[p], bool))
    ]
    return Plan(loaded, design, points, numeric)


def _differences(
    old: dict[str, Any], new: dict[str, Any], points: Points | None = None
) -> list[str]:
    """What differs between a folder's batch identity and this one's (none: resume).
    ``points``: this batch's points, to match a folder whose points were hashed as
    JSON (:func:`points_hash`, libyasim before columnar points) when the hash differs."""
    out = []
    old_sc = {s["id"]: s["hash"] for s in old.get("scenarios", [])}
    new_sc = {s["id"]: s["hash"] for s in new["scenarios"]}
    for sid in sorted(set(old_sc) | set(new_sc)):
        if sid not in new_sc:
            out.append(f"scenario {sid} was in the batch and is not now")
        elif sid not in old_sc:
            out.append(f"scenario {sid} is new")
        elif old_sc[sid] != new_sc[sid]:
            out.append(f"scenario {sid} changed (hash {old_sc[sid][:12]} -> {new_sc[sid][:12]})")
    if [s["id"] for s in old.get("scenarios", [])] != [
        s["id"] for s in new["scenarios"]
    ] and not out:
        out.append("the scenarios are in a different order")
    od, nd = old.get("design", {}), new["design"]
    for key in sorted(set(od) | set(nd)):
        if od.get(key) != nd.get(key):
            out.append(f"design {key}: {od.get(key)!r} -> {nd.get(key)!r}")
    if (
        not out
        and old.get("points_hash") != new["points_hash"]
        and (points is None or old.get("points_hash") != points_hash(list(points)))
    ):
        out.append("the parameter points differ (the scenarios' ranges changed)")
    return out


@one_writer  # one writer per folder, for the whole batch (batch/integrity.py)
def run_batch(
    scenarios: Sequence[Scenario | str | Path],
    out: str | Path,
    design: Design,
    *,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool | None = None,
    retry_failed: bool = False,
    runner: Runner | None = None,
    progress: bool = True,
    progress_interval: float = 30.0,
    chunk_seconds: float = CHUNK_SECONDS,
    command: Sequence[str] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> BatchResult:
    """Run (or finish) a batch into the folder ``out``; see the module docstring.

    ``resume``: None (default) resumes when ``out`` holds this same batch and
    starts one when it is empty or absent; True requires a batch to resume.
    A folder holding a different batch (scenario or design changed) is
    refused with :class:`BatchError` naming the differences.
    ``runner(scenario, seed=, months=)`` replaces :func:`libyasim.model.run`
    (it must be picklable for process and Dask executors).
    """
    out = Path(out)
    if executor == "process":
        start_fork_server()  # its imports overlap with the planning below
    plan = plan_batch(scenarios, design)
    store = BatchStore(out)
    resumed = False
    if store.exists():
        try:
            old = store.manifest()["identity"]
            store.check_format()  # an older data layout: a message, not a mixed folder
        except (StoreError, KeyError) as exc:
            raise BatchError(f"{out}: cannot resume ({exc})") from None
        diffs = _differences(old, plan.identity(), plan.points)
        if diffs:
            raise BatchError(
                f"refusing to resume {out}: the batch there differs from this one:\n  "
                + "\n  ".join(diffs)
                + "\nuse another --out folder for a new batch"
            )
        resumed = True
        for line in check_parts(store):  # damaged parts: reported, quarantined, run again
            print(f"libyasim batch: {out}: {line}", file=sys.stderr)
        store.repair()
    else:
        if resume:
            raise BatchError(f"nothing to resume: {out} holds no batch (no manifest.json)")
        if out.exists() and any(not is_lock_file(p) for p in out.iterdir()):
            raise BatchError(
                f"{out} exists and is not empty; give a new or empty folder for a new batch"
            )
        try:
            store.create(plan.manifest(command, runner), plan.points_table())
        except OSError as exc:
            raise output_problem(out, exc) from None

    statuses = store.statuses()
    todo_count = 0
    for st, _att in statuses.values():
        if st == "failed" and retry_failed:
            todo_count += 1
    todo_count += plan.total - len(statuses)

    def todo() -> Iterator[RunSpec]:
        ids = [s.id for s in plan.scenarios]
        for spec in iter_runs(
            ids, len(plan.points), design.replicates, design.root_seed, design.common_seeds
        ):
            prev = statuses.get(spec.run_id)
            if prev is None:
                yield spec
            elif prev[0] == "failed" and retry_failed:
                yield RunSpec(**{**spec.__dict__, "attempt": prev[1] + 1})

    ctx = BatchContext(
        out=str(out),
        scenarios=plan.scenarios,
        points=plan.points,
        sets=dict(design.sets),
        param_columns=plan.param_paths,
        months=design.months,
        runner=runner,
    )
    t0 = time.monotonic()
    ran = 0
    end_states: dict[tuple[str, str], int] = {}
    kind = executor
    if todo_count:
        ex = make_executor(executor, ctx, workers=workers, scheduler=scheduler)
        kind = ex.describe()
        if on_start:
            on_start(kind)
        bar = Progress(
            todo_count, done_before=len(statuses), interval=progress_interval, enabled=progress
        )
        try:
            ran = _drive(ex, todo(), todo_count, bar, chunk_seconds, end_states)
        except KeyboardInterrupt:
            ex.close(cancel=True)
            bar.close()
            done = sum(1 for st, _ in store.statuses().values() if st == "ok")
            raise BatchInterrupted(out, done, plan.total) from None
        except BaseException:
            ex.close(cancel=True)
            bar.close()
            raise
        ex.close()
        bar.close()
    store.repair()  # drop failed attempts a retry superseded, and any duplicate an orphan wrote
    final = store.statuses()
    ok = sum(1 for st, _ in final.values() if st == "ok")
    failed = sum(1 for st, _ in final.values() if st == "failed")
    store.unify()  # one schema for every runs part (before the inventory records them)
    store.consolidate()
    record_inventory(  # one write of the manifest (it holds the resolved scenarios)
        store,
        updated=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        counts={
            "total": plan.total,
            "ok": ok,
            "failed": failed,
            "missing": plan.total - ok - failed,
        },
    )
    return BatchResult(
        out=out,
        total=plan.total,
        ok=ok,
        failed=failed,
        ran=ran,
        resumed=resumed,
        elapsed=time.monotonic() - t0,
        executor=kind,
        end_states=end_states,
    )


def _drive(
    ex: Any,
    specs: Iterator[RunSpec],
    todo_count: int,
    bar: Progress,
    chunk_seconds: float,
    end_states: dict[tuple[str, str], int],
) -> int:
    """Keep up to 2 chunks per worker in flight; size chunks to ~chunk_seconds of work.

    Towards the end chunks shrink to a share of what is left (every worker busy to
    the end), but not below :data:`MIN_CHUNK_SECONDS` of work (a chunk's parts cost
    ~10 ms to write, whatever its size)."""
    max_inflight = max(2, 2 * ex.workers)
    per_run: float | None = None  # seconds, a running estimate from the workers' reports
    submitted = done = 0
    inflight: set = set()
    while True:
        while len(inflight) < max_inflight:
            size = 1  # until a report gives the time of a run
            if per_run is not None:
                left = todo_count - submitted
                wanted = round(chunk_seconds / max(per_run, 1e-6))
                share = -(-left // (2 * ex.workers))  # ceil
                least = round(MIN_CHUNK_SECONDS / max(per_run, 1e-6))
                size = max(1, min(MAX_CHUNK, wanted, max(share, least)))
            chunk = list(itertools.islice(specs, size))
            if not chunk:
                break
            submitted += len(chunk)
            inflight.add(ex.submit(chunk))
        if not inflight:
            return done
        finished, inflight = ex.wait(inflight)
        for fut in finished:
            rep = fut.result()
            done += rep.n
            if rep.n:
                est = rep.elapsed / rep.n
                per_run = est if per_run is None else 0.7 * per_run + 0.3 * est
            for key, n in rep.end_states.items():
                end_states[key] = end_states.get(key, 0) + n
            bar.update(rep.n, rep.failed)


def describe_folder(out: str | Path) -> str:
    """One line about a batch folder: counts from disk."""
    store = BatchStore(out)
    m = store.manifest()
    st = store.statuses()
    total = m.get("identity", {}).get("n_runs", len(st))
    ok = sum(1 for s, _ in st.values() if s == "ok")
    failed = sum(1 for s, _ in st.values() if s == "failed")
    return f"{out}: {ok} ok, {failed} failed, {total - ok - failed} not run, of {total}"


__all__ = [
    "BatchError",
    "BatchInterrupted",
    "BatchResult",
    "Plan",
    "describe_folder",
    "plan_batch",
    "run_batch",
    "versions",
]
