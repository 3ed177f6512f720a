"""Background ensembles for one session: started by a page, run in a thread
owned by the session (so they survive switching pages), cancellable."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import solara

from .ensemble import Job, Outcome, run_job

_IDS = itertools.count(1)


@dataclass(frozen=True)
class JobState:
    job: Job | None = None
    status: str = "idle"  # idle, running, done, cancelled, failed
    done: int = 0
    total: int = 0
    outcome: Outcome | None = None
    partial: Outcome | None = None  # the runs done so far (runs table only), while running
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)

    @property
    def running(self) -> bool:
        return self.status == "running"


def start(target: solara.Reactive[Any], job: Job) -> None:
    """Ask the session's runner to run ``job`` (cancelling any job still running)."""
    cur = target.value
    if isinstance(cur, JobState) and cur.running:
        cur.cancel.set()
    job = replace(job, job_id=next(_IDS))
    target.set(JobState(job=job, status="running", total=job.n * len(job.scenarios)))


def cancel(target: solara.Reactive[Any]) -> None:
    cur = target.value
    if isinstance(cur, JobState) and cur.running:
        cur.cancel.set()


#: seconds between progress-bar updates of a running ensemble
PROGRESS_INTERVAL = 0.3


@solara.component
def JobRunner(target: solara.Reactive[Any]):
    """Runs the running job of ``target`` in a thread; updates progress and result."""
    state = target.value
    job_id = (
        state.job.job_id if isinstance(state, JobState) and state.running and state.job else None
    )

    def work(stop: threading.Event) -> None:
        st = target.value
        if (
            job_id is None
            or not isinstance(st, JobState)
            or st.job is None
            or st.job.job_id != job_id
        ):
            return
        flag = st.cancel

        last = [0.0]
        so_far: list[Any] = [None]

        def partial(make: Any) -> None:
            so_far[0] = make

        def progress(done: int, total: int) -> None:
            # a few updates a second: each one re-renders the page
            now = time.monotonic()
            if done < total and now - last[0] < PROGRESS_INTERVAL:
                return
            last[0] = now
            cur = target.value
            if isinstance(cur, JobState) and cur.job is not None and cur.job.job_id == job_id:
                make = so_far[0]
                # the probabilities of the runs done so far stream onto the page
                target.set(
                    replace(cur, done=done, total=total, partial=make() if make else cur.partial)
                )

        relay = threading.Event()

        def watch() -> None:  # either cancel source stops the job
            while not relay.is_set():
                if flag.wait(0.1) or stop.is_set():
                    relay.set()

        threading.Thread(target=watch, daemon=True).start()
        try:
            outcome = run_job(st.job, progress, relay, partial)
            status = "cancelled" if outcome.cancelled else "done"
            error = ""
        except Exception as exc:  # shown on the page; the server keeps serving
            outcome, status, error = None, "failed", f"{type(exc).__name__}: {exc}"
        finally:
            relay.set()
        cur = target.value
        if isinstance(cur, JobState) and cur.job is not None and cur.job.job_id == job_id:
            target.set(
                replace(
                    cur,
                    status=status,
                    outcome=outcome,
                    partial=None,
                    error=error,
                    done=len(outcome.runs) if outcome is not None else cur.done,
                )
            )

    solara.use_thread(work, dependencies=[job_id], intrusive_cancel=False)
