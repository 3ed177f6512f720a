"""Benchmark: a Sobol sensitivity analysis end to end, as a user runs it.

    .venv/bin/python benchmarks/bench_sobol.py [--n 64] [--parameters D] [--workers 2]

Runs, one after the other, in fresh processes:

1. ``libyasim batch scenarios/baseline_2017.yaml --sample sobol N --replicates 1
   --workers W`` (every uncertain number of the baseline, or the first ``D`` of
   them in path order, each passed as ``--vary PATH``): N*(D+2) runs, stored;
2. ``libyasim sensitivity OUT --no-figures``: Sobol S1/ST with intervals, SRRC
   and the PRIM boxes of the default outcomes;

and prints each step's wall time, the runs per second, the time the workers
spent in runs (the runs table's ``elapsed_s``, summed) and the analysis' CPU
time, and the two steps side by side (the analysis should take no longer than
the simulation) against the issue-12 target
(simulate + analyse <= 3 minutes on 2 cores for 315 numbers at N = 64, i.e.
20,288 runs). The load average is printed before and after: on a shared
machine, compare the ratios, and run it on an idle machine for the figures.
Try a small ``--n`` (8: 1/8 of the runs) first.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline_2017.yaml"
#: the issue-12 target for 20,288 runs (315 numbers, N = 64), seconds
TARGET = 180.0


def cli() -> list[str]:
    """The ``libyasim`` command of this interpreter's environment."""
    exe = Path(sys.executable).with_name("libyasim")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "libyasim.cli"]


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd``; its wall time and the CPU time of it and its children (s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode:
        sys.exit(f"failed ({res.returncode}): {' '.join(cmd[:4])} ...\n{res.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=64, help="Sobol N (a power of 2)")
    ap.add_argument(
        "--parameters", type=int, default=0, help="vary only the first D uncertain numbers"
    )
    ap.add_argument("--workers", type=int, default=2, help="batch worker processes")
    ap.add_argument("--keep", type=Path, help="keep the batch in this (new) folder")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    import pyarrow.parquet as pq

    from libyasim import load_scenario

    uncertain = sorted(load_scenario(SCENARIO).uncertain())
    d = args.parameters or len(uncertain)
    vary = [] if d >= len(uncertain) else [a for p in uncertain[:d] for a in ("--vary", p)]
    d = min(d, len(uncertain))
    runs = args.n * (d + 2)
    tmp = Path(tempfile.mkdtemp(prefix="bench_sobol_"))
    out = args.keep or tmp / "sobol"
    print(
        f"{SCENARIO.name}: Sobol N={args.n} over {d} of its {len(uncertain)} uncertain numbers "
        f"(<= {runs:,} runs), {args.workers} workers, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    try:
        batch = [*cli(), "batch", str(SCENARIO), "--sample", "sobol", str(args.n), *vary]
        batch += ["--replicates", "1", "--workers", str(args.workers), "--seed", "1"]
        batch += ["--out", str(out), "--quiet", "--no-report"]
        sim_wall, _driver = timed(batch)
        elapsed = pq.read_table(out / "runs.parquet", columns=["elapsed_s"])[0].to_numpy()
        in_runs = float(elapsed.sum())
        # the runs the batch made: numbers whose range is a single value are not sampled
        runs = len(elapsed)
        print(
            f"  simulate  {runs:,} runs {sim_wall:8.1f} s wall   {runs / sim_wall:7.1f} runs/s   "
            f"{in_runs:8.1f} s in runs ({in_runs / runs * 1e3:.2f} ms a run, in the workers)"
        )
        ana_wall, ana_cpu = timed([*cli(), "sensitivity", str(out), "--no-figures"])
        print(f"  analyse   {ana_wall:8.1f} s wall {ana_cpu:8.1f} s CPU")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = sim_wall + ana_wall
    scaled = total * 20288 / runs
    print(
        f"  analyse / simulate (wall)  {ana_wall / sim_wall:6.2f}   (target <= 1)\n"
        f"  simulate + analyse         {total:6.1f} s; scaled to 20,288 runs "
        f"{scaled:6.1f} s = {scaled / TARGET:.2f} x the 3-minute target (<= 1)\n"
        f"load average at the end {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
