"""Ensembles for the Ensemble and Compare pages: in memory, cancellable, with progress.

The batch layer (:mod:`libyasim.batch`) writes resumable Parquet folders for
large ensembles; the dashboard needs a few hundred runs in memory, a progress
callback and a cancel button. It uses the same design and seeds as the batch
CLI (:class:`~libyasim.batch.Design` points, :func:`~libyasim.batch.run_seed`),
so a dashboard ensemble and ``libyasim batch`` with the same root seed run the
same (scenario, parameters, seed) triples; every scenario of a comparison runs
the same seeds and parameter points. Results go through
:mod:`libyasim.analysis` (Wilson intervals, Newcombe differences, fan charts).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..batch import Design, run_seed
from ..batch.columns import FLAGS_COLUMN
from ..scenario import Scenario

#: series variables kept for fan charts (the rest is dropped to keep memory small)
FAN_VARIABLES = ("strength", "territory", "population", "legitimacy")
CHUNK = 5  # runs per task sent to a worker process
SERIES_COLUMNS = ("run_id", "scenario", "step", "month", "variable", "actor", "value")


@dataclass(frozen=True)
class Job:
    """One ensemble request: scenarios (label -> scenario), runs each, root seed, sampling."""

    scenarios: tuple[tuple[str, Scenario], ...]
    n: int
    root_seed: int = 0
    sample: bool = True  # sample each uncertain parameter over its range (Latin hypercube)
    vary: tuple[str, ...] = ()
    job_id: int = 0

    def specs(self) -> list[tuple[str, int, int, dict[str, Any]]]:
        """(label, point, seed, overrides) per run; every scenario gets the same seeds."""
        scs = [s for _, s in self.scenarios]
        if self.sample:
            design = Design(
                replicates=1,
                root_seed=self.root_seed,
                sample="lhs",
                sample_n=self.n,
                vary=self.vary,
            )
            points = design.points(scs)
            return [
                (label, i, run_seed(self.root_seed, i, 0), pt)
                for label, _ in self.scenarios
                for i, pt in enumerate(points)
            ]
        return [
            (label, 0, run_seed(self.root_seed, 0, r), {})
            for label, _ in self.scenarios
            for r in range(self.n)
        ]


@dataclass
class Outcome:
    """What came back: one row per run, and the long series of the fan variables."""

    runs: pd.DataFrame
    series: pd.DataFrame
    elapsed: float
    cancelled: bool = False
    errors: list[str] = field(default_factory=list)


def _one(
    scenario: Scenario, label: str, point: int, seed: int, overrides: dict[str, Any]
) -> dict[str, Any]:
    """One run in a worker: a plain dict (cheap to send back)."""
    from ..model import run
    from ..scenario import ScenarioError

    try:
        try:
            res = run(scenario, seed=seed, overrides=overrides or None)
        except ScenarioError:
            if not overrides:
                raise
            res = run(scenario, seed=seed, overrides=widened(scenario, overrides))
    except Exception as exc:  # a failing run is a result, not a crash
        return {
            "scenario": label,
            "point": point,
            "replicate": 0,
            "seed": seed,
            "status": "failed",
            "error": f"{type(exc).__name__}: {exc}",
            "end_state": None,
            FLAGS_COLUMN: [],
            "series": None,
        }
    s = res.series
    keep = ["step", "month", *[c for c in s.columns if c.split(".", 1)[0] in FAN_VARIABLES]]
    return {
        "scenario": label,
        "point": point,
        "replicate": 0,
        "seed": seed,
        "status": "ok",
        "error": "",
        "end_state": res.end_state,
        FLAGS_COLUMN: res.flags,
        "series": s[keep],
    }


def widened(scenario: Scenario, overrides: dict[str, Any]) -> dict[str, Any]:
    """Overrides plus ``<path>.range`` entries widening each range to include its
    value: a Run-page lever may leave the evidence, and a range that differs in
    a worker (code changed under a running server) must not fail every run."""
    quantities = dict(scenario.quantities())
    out = dict(overrides)
    for path, value in overrides.items():
        q = quantities.get(path)
        if (
            q is not None
            and q.range is not None
            and isinstance(value, int | float)
            and not q.range[0] <= value <= q.range[1]
        ):
            out[f"{path}.range"] = [min(q.range[0], value), max(q.range[1], value)]
    return out


def _chunk(tasks: Sequence[tuple[Scenario, str, int, int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The runs of ``tasks``, the collector off what the process held before them
    (:func:`~libyasim.model.heap.settled`)."""
    from ..model.heap import settled

    with settled():
        return [_one(*t) for t in tasks]


_POOL: cf.ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def workers() -> int:
    env = os.environ.get("LIBYASIM_DASHBOARD_WORKERS")
    if env:
        return max(0, int(env))
    return max(1, min(4, (os.cpu_count() or 1)))


def pool() -> cf.ProcessPoolExecutor | None:
    """One worker pool per server process (compute only: no session state lives there).

    ``LIBYASIM_DASHBOARD_WORKERS=0`` runs ensembles in the calling thread.
    """
    global _POOL
    n = workers()
    if n == 0:
        return None
    with _POOL_LOCK:
        if _POOL is None:
            from ..batch.executors import process_context
            from ..batch.lifecycle import watch_server

            _POOL = cf.ProcessPoolExecutor(
                max_workers=n,
                mp_context=process_context(),
                initializer=watch_server,  # workers end with the server, however it ends
                initargs=(os.getpid(),),
            )
            atexit.register(_POOL.shutdown, wait=False, cancel_futures=True)
        return _POOL


def warm_up() -> None:
    """Start the worker processes ahead of the first ensemble (imports take a second)."""
    p = pool()
    if p is not None:
        for f in [p.submit(_chunk, []) for _ in range(workers())]:
            f.result()


def run_job(
    job: Job,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    partial: Callable[[Callable[[], Outcome]], None] | None = None,
) -> Outcome:
    """Every run of ``job``; ``progress(done, total)`` per chunk; stops on ``cancel``.

    ``partial(make)``, called before each ``progress``, hands over a function that
    builds the runs table of the runs done so far (no series: cheap), so a page can
    show the probabilities as runs finish; it is only called if it is wanted."""
    t0 = time.monotonic()
    lookup = dict(job.scenarios)
    tasks = [(lookup[label], label, point, seed, pt) for label, point, seed, pt in job.specs()]
    total = len(tasks)
    rows: list[dict[str, Any]] = []
    cancelled = False
    chunks = [tasks[i : i + CHUNK] for i in range(0, total, CHUNK)]
    ex = pool()
    if progress:
        progress(0, total)
    if ex is None:
        for ch in chunks:
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            rows.extend(_chunk(ch))
            _report(rows, job, t0, total, progress, partial)
    else:
        futures = [ex.submit(_chunk, ch) for ch in chunks]
        try:
            for fut in cf.as_completed(futures):
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    break
                rows.extend(fut.result())
                _report(rows, job, t0, total, progress, partial)
        finally:
            for f in futures:
                f.cancel()
        if cancel is not None and cancel.is_set() and len(rows) < total:
            cancelled = True
    return collect(rows, job, time.monotonic() - t0, cancelled)


def _report(
    rows: list[dict[str, Any]],
    job: Job,
    t0: float,
    total: int,
    progress: Callable[[int, int], None] | None,
    partial: Callable[[Callable[[], Outcome]], None] | None,
) -> None:
    if partial is not None:
        done = list(rows)
        partial(lambda: collect(done, job, time.monotonic() - t0, False, series=False))
    if progress:
        progress(len(rows), total)


def collect(
    rows: list[dict[str, Any]], job: Job, elapsed: float, cancelled: bool, series: bool = True
) -> Outcome:
    """Rows from workers -> the runs table and long series :mod:`libyasim.analysis` reads
    (``series=False``: the runs table only, for probabilities while runs come in)."""
    order = {label: i for i, (label, _) in enumerate(job.scenarios)}
    rows = sorted(rows, key=lambda r: (order[r["scenario"]], r["point"], r["seed"]))
    runs = pd.DataFrame(
        [{k: v for k, v in r.items() if k != "series"} for r in rows],
        columns=[
            "scenario",
            "point",
            "replicate",
            "seed",
            "status",
            "error",
            "end_state",
            FLAGS_COLUMN,
        ],
    )
    runs.insert(0, "run_id", [f"{r['scenario']}:{r['point']}:{i}" for i, r in enumerate(rows)])
    cols: dict[str, list[np.ndarray]] = {k: [] for k in SERIES_COLUMNS}
    for run_id, r in zip(runs["run_id"], rows if series else [], strict=False):
        s = r["series"]
        if s is None:
            continue
        value_cols = [c for c in s.columns if c not in ("step", "month")]
        n, k = len(s), len(value_cols)
        var, _, actor = (
            zip(*(str(c).partition(".") for c in value_cols), strict=True) if k else ((), (), ())
        )
        cols["run_id"].append(np.full(n * k, run_id, dtype=object))
        cols["scenario"].append(np.full(n * k, r["scenario"], dtype=object))
        cols["step"].append(np.tile(s["step"].to_numpy(), k))
        cols["month"].append(np.tile(s["month"].astype(str).to_numpy(dtype=object), k))
        cols["variable"].append(np.repeat(np.array(var, dtype=object), n))
        cols["actor"].append(np.repeat(np.array(actor, dtype=object), n))
        cols["value"].append(s[value_cols].to_numpy(dtype=float).T.reshape(-1))
    # one DataFrame from whole columns: concatenating a frame per run is slow
    long = pd.DataFrame(
        {k: (np.concatenate(v) if v else np.array([], dtype=object)) for k, v in cols.items()},
        columns=list(SERIES_COLUMNS),
    )
    errors = sorted({r["error"] for r in rows if r["status"] == "failed"})
    return Outcome(runs, long, elapsed, cancelled, errors)
