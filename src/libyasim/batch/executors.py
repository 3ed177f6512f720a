"""Where chunks run: in the driver (serial), local processes, or a Dask cluster.

Every executor has the same small interface, ``submit(chunk) -> future`` and
``wait(futures) -> (done, pending)``; the driver loop in
:mod:`libyasim.batch.engine` keeps a bounded number of chunks in flight.
The batch context (scenarios, points, runner) goes to each worker once.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import multiprocessing as mp
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from ..model.heap import freeze_for_good
from .design import RunSpec
from .lifecycle import watch_server
from .worker import BatchContext, run_chunk

EXECUTORS = ("process", "serial", "dask")


def default_workers() -> int:
    """The cores this process may use (CPU affinity and cgroup aware where Python knows it)."""
    if hasattr(os, "process_cpu_count"):
        n = os.process_cpu_count()
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:
        n = os.cpu_count()
    return max(1, n or 1)


class SerialExecutor:
    """Runs each chunk in the driver, when it is submitted."""

    workers = 1

    def __init__(self, ctx: BatchContext):
        self.ctx = ctx

    def submit(self, chunk: Sequence[RunSpec]) -> cf.Future:
        fut: cf.Future = cf.Future()
        fut.set_result(run_chunk(self.ctx, chunk))
        return fut

    @staticmethod
    def wait(futures: set) -> tuple[set, set]:
        return set(futures), set()

    def close(self, cancel: bool = False) -> None:
        pass

    def describe(self) -> str:
        return "serial (in this process)"


# -- local processes -------------------------------------------------------

_CTX: BatchContext | None = None


def _init_worker(ctx: BatchContext) -> None:
    global _CTX
    _CTX = ctx
    if ctx.driver_pid is not None:
        # an idle worker blocks on the pool's queue and would never see the driver die
        watch_server(ctx.driver_pid)
    # what the worker holds from now on (modules, the batch's scenarios) lives as
    # long as the worker: out of the collector's way, so that its full collections,
    # which a run's allocations trigger, scan only the run's own objects
    freeze_for_good()


def _run_in_worker(chunk: Sequence[RunSpec]):  # -> ChunkReport
    assert _CTX is not None, "worker not initialised"
    return run_chunk(_CTX, chunk)


#: what the fork server imports before forking any worker (see :mod:`.preload`),
#: so that a worker forks ready to run instead of importing the model and setting
#: up numba itself (~0.8 s CPU each)
PRELOAD = ["libyasim.batch.preload"]


def process_context() -> mp.context.BaseContext:
    """``forkserver`` on Linux (fast, no inherited threads or locks), ``spawn`` elsewhere."""
    if sys.platform.startswith("linux"):
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return mp.get_context("spawn")


def start_fork_server() -> None:
    """Start the fork server now, without waiting for it (Linux): it imports
    :data:`PRELOAD` while the driver plans the batch and writes its manifest,
    instead of after."""
    if sys.platform.startswith("linux"):
        from multiprocessing import forkserver

        process_context()
        forkserver.ensure_running()


class ProcessExecutor:
    """A pool of local worker processes (``concurrent.futures``)."""

    def __init__(self, ctx: BatchContext, workers: int):
        self.workers = workers
        ctx = dataclasses.replace(ctx, driver_pid=os.getpid())
        self.pool = cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=process_context(),
            initializer=_init_worker,
            initargs=(ctx,),
        )

    def submit(self, chunk: Sequence[RunSpec]) -> cf.Future:
        return self.pool.submit(_run_in_worker, list(chunk))

    @staticmethod
    def wait(futures: set) -> tuple[set, set]:
        done, pending = cf.wait(futures, timeout=1.0, return_when=cf.FIRST_COMPLETED)
        return set(done), set(pending)

    def close(self, cancel: bool = False) -> None:
        if cancel:
            # Ctrl-C or an error: stop now, the parts on disk are the record
            for p in list(getattr(self.pool, "_processes", {}).values()):
                p.terminate()
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)

    def describe(self) -> str:
        return f"{self.workers} local process(es)"


# -- Dask ------------------------------------------------------------------

#: glibc's default (dynamic) trim threshold is what we want in workers; Dask's
#: nanny sets a fixed MALLOC_TRIM_THRESHOLD_=65536, which makes allocation-heavy
#: code (pandas, many small numpy arrays) much slower. None unsets it.
DASK_WORKER_ENV_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def _run_dask(ctx: BatchContext, chunk: Sequence[RunSpec]):  # -> ChunkReport
    return run_chunk(ctx, chunk)


def _worker_malloc_setting() -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


class DaskExecutor:
    """A Dask cluster: an existing scheduler, or a local cluster on 127.0.0.1."""

    def __init__(
        self, ctx: BatchContext, workers: int, scheduler: str | None = None, dashboard: bool = True
    ):
        try:
            import dask
            import distributed  # noqa: F401 - imported before changing its config (dask/distributed#8143)
            from distributed import Client, LocalCluster
        except ImportError:
            from ..cli import UsageError

            raise UsageError("--executor dask needs Dask: pip install 'libyasim[dask]'") from None
        self.cluster = None
        with dask.config.set(DASK_WORKER_ENV_CONFIG):
            if scheduler:
                self.client = Client(scheduler, timeout="20s")
            else:
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0" if dashboard else None,
                    silence_logs=40,  # logging.ERROR
                )
                self.client = Client(self.cluster)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)
        self.dashboard = self.client.dashboard_link if dashboard else None
        trims = {v for v in self.client.run(_worker_malloc_setting).values() if v is not None}
        if trims:
            warnings.warn(
                "Dask workers run with "
                f"MALLOC_TRIM_THRESHOLD_={','.join(sorted(trims))}, which slows "
                "the model down; start them with "
                "DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON__MALLOC_TRIM_THRESHOLD_=None "
                "(see docs/batch.md)",
                RuntimeWarning,
                stacklevel=2,
            )
        self.ctx_future = self.client.scatter(ctx, broadcast=True, hash=False)

    def submit(self, chunk: Sequence[RunSpec]) -> Any:
        return self.client.submit(_run_dask, self.ctx_future, list(chunk), pure=False)

    @staticmethod
    def wait(futures: set) -> tuple[set, set]:
        from distributed import wait

        try:
            res = wait(list(futures), timeout=1.0, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set(), set(futures)
        return set(res.done), set(res.not_done)

    def close(self, cancel: bool = False) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()

    def describe(self) -> str:
        where = "local Dask cluster on 127.0.0.1" if self.cluster is not None else "Dask cluster"
        dash = f", dashboard {self.dashboard}" if self.dashboard else ""
        return f"{where}, {self.workers} worker(s){dash}"


def make_executor(
    kind: str, ctx: BatchContext, workers: int | None = None, scheduler: str | None = None
) -> Any:
    n = workers or default_workers()
    if kind == "serial":
        return SerialExecutor(ctx)
    if kind == "process":
        return ProcessExecutor(ctx, n)
    if kind == "dask":
        return DaskExecutor(ctx, n, scheduler=scheduler)
    raise ValueError(
        f"The 'executor' parameter must be one of {', '.join(EXECUTORS)}. Got {kind!r} instead."
    )
