"""Benchmark: a 100-run ensemble of the baseline, compute only, side by side with the batch.

    .venv/bin/python benchmarks/bench_ensemble.py [--runs 100] [--months 48] [--repeats 3]

The same runs (``scenarios/baseline_2017.yaml``, seeds of ``libyasim batch
--seed 1``, each a whole :class:`~libyasim.model.result.RunResult`: series,
event log, summary), timed in three ways, interleaved (best of ``--repeats``):

- **1 process**: a loop over :func:`libyasim.model.run` in this process (CPU
  and wall time);
- **2 workers, compute only**: the same loop split over the batch's two
  worker processes (its fork server, preloaded and warmed up first), each
  returning only its runs' end states: the wall time of the runs themselves;
- **libyasim batch, 2 workers**: ``run_batch`` of the same runs end to end
  (pool start, runs, Parquet parts, consolidation).

Issue 12's target: the 100-run ensemble, compute only, in <= 0.5 s (read it
on 2 workers; the 1-process line says what one core does). The load average
is printed: on a shared machine compare the lines with each other.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline_2017.yaml"
TARGET = 0.5  # seconds, issue 12

_SCENARIO: list = []  # the scenario, loaded once per process


def _load() -> None:
    from libyasim import load_scenario

    _SCENARIO[:] = [load_scenario(SCENARIO)]


def _runs(seeds: list[int], months: int) -> list[str]:
    """Run each seed (in a worker); the end states."""
    from libyasim.model import run

    if not _SCENARIO:
        _load()
    return [run(_SCENARIO[0], seed=s, months=months).end_state for s in seeds]


def seeds_of(n: int) -> list[int]:
    from libyasim.batch import run_seed

    return [run_seed(1, 0, r) for r in range(n)]


def loop(n: int, months: int) -> tuple[float, float]:
    seeds = seeds_of(n)
    c, w = time.process_time(), time.perf_counter()
    _runs(seeds, months)
    return time.perf_counter() - w, time.process_time() - c


def pooled(pool: cf.Executor, workers: int, n: int, months: int) -> float:
    seeds = seeds_of(n)
    parts = [seeds[i::workers] for i in range(workers)]
    t = time.perf_counter()
    for fut in [pool.submit(_runs, p, months) for p in parts]:
        fut.result()
    return time.perf_counter() - t


def batch(n: int, months: int, workers: int, tmp: Path) -> float:
    from libyasim.batch import Design, run_batch

    out = tmp / "batch"
    t = time.perf_counter()
    run_batch(
        [SCENARIO],
        out,
        Design(replicates=n, root_seed=1, months=months),
        executor="process",
        workers=workers,
        progress=False,
    )
    dt = time.perf_counter() - t
    shutil.rmtree(out)
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--months", type=int, default=48)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="interleaved repeats (best kept)")
    args = ap.parse_args()
    from libyasim.batch.executors import process_context

    n, m, w = args.runs, args.months, args.workers
    _runs(seeds_of(2), m)  # this process warm (kernels loaded, scenario parsed)
    print(
        f"{SCENARIO.name}: {n} runs of {m} months, best of {args.repeats}; {os.cpu_count()} "
        f"cores, load average {os.getloadavg()[0]:.2f}"
    )
    best = {"loop_wall": 1e9, "loop_cpu": 1e9, "pool": 1e9, "batch": 1e9}
    with (
        tempfile.TemporaryDirectory() as d,
        cf.ProcessPoolExecutor(w, mp_context=process_context(), initializer=_load) as pool,
    ):
        for f in [pool.submit(_runs, seeds_of(1), m) for _ in range(2 * w)]:
            f.result()  # every worker started and warm
        for _ in range(args.repeats):
            wall, cpu = loop(n, m)
            best["loop_wall"] = min(best["loop_wall"], wall)
            best["loop_cpu"] = min(best["loop_cpu"], cpu)
            best["pool"] = min(best["pool"], pooled(pool, w, n, m))
            best["batch"] = min(best["batch"], batch(n, m, w, Path(d)))
    print(
        f"  1 process, compute only         {best['loop_wall']:7.3f} s wall "
        f"{best['loop_cpu']:7.3f} s CPU ({best['loop_cpu'] / n * 1e3:.2f} ms a run)\n"
        f"  {w} workers, compute only         {best['pool']:7.3f} s wall   "
        f"{best['pool'] / TARGET:.2f} x the {TARGET} s target (<= 1); "
        f"{best['loop_wall'] / best['pool']:.2f}x the 1-process loop\n"
        f"  libyasim batch, {w} workers       {best['batch']:7.3f} s wall   "
        f"(storage, pool start: {best['batch'] / best['pool']:.2f}x compute only)\n"
        f"load average at the end {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
