"""Benchmark: a 48-month baseline run, its month cost, against the model before
v2 and an empty Mesa 3.5 model with the same agents.

Each measurement runs in a fresh worker process (``--worker``), the workers of
the trees compared taking turns (A B A B ...) so that the load of a shared
machine falls on all of them alike; every figure is CPU time of the worker
(median over rounds), ratios are taken round by round. Compared:

- this tree: construction (``LibyaModel(...)``), construction + ``--months``
  steps + data collection, and the month cost ``(run − construction) / months``
  (the compiled kernels are loaded from numba's cache before timing);
- the same in the model **before v2** (``--reference``: a source tree, by default
  commit ``ba5fc61`` extracted with ``git archive``; ``none`` to skip), on its own
  baseline scenario;
- the run and its ``RunResult`` (``result_of``: DataFrames, summary);
- the month kernel alone: the CPU time a month spends in the one-call month
  kernel (``libyasim.model.month._month_p``, its dispatch included), timed in
  separate runs (issue 12's "compiled month" target, <= 30 µs); the rest of a
  month is Mesa's step (its event list, the step's wrapper) and our Python
  around the call (events, the series' room, the kernel's tables);
- an empty Mesa model with the same number of agents (factions + sponsors),
  each with a no-op ``step`` called every step, and a DataCollector with one
  reporter (target: ours ≤ 4×).

    python benchmarks/bench_model.py [--rounds 5] [--repeats 15] [--months 48]

``--worker`` runs one measurement and prints it as JSON; ``--worker --runs N``
instead just runs N baseline runs (a command to time from outside, e.g.
``farm-bench --vs 'python bench_model.py --worker --runs 200' -- ...`` with two
PYTHONPATHs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRE_V2 = "ba5fc61"  # the last commit before model v2 (2026-11-28): 21.6 ms then


def _median_cpu(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def worker(scenario_path: str, months: int, repeats: int, runs: int) -> None:
    import mesa

    from libyasim import load_scenario
    from libyasim.model import LibyaModel, result_of

    scenario = load_scenario(scenario_path)

    def construct():
        return LibyaModel(scenario, rng=1, months=months)

    def ours() -> LibyaModel:
        m = construct()
        for _ in range(months):
            m.step()
        return m

    if runs:
        for _ in range(runs):
            ours()
        return

    n_agents = len(scenario.factions) + len(scenario.sponsors)

    class _Noop(mesa.Agent):
        def step(self) -> None:
            pass

    class EmptyModel(mesa.Model):
        def __init__(self, n: int, rng: int = 0) -> None:
            super().__init__(rng=rng)
            for _ in range(n):
                _Noop(self)
            self.datacollector = mesa.DataCollector(model_reporters={"n": lambda m: len(m.agents)})
            self.datacollector.collect(self)

        def step(self) -> None:
            self.agents.do("step")
            self.datacollector.collect(self)

    def empty() -> None:
        m = EmptyModel(n_agents, rng=1)
        for _ in range(months):
            m.step()

    def kernel() -> float | None:
        """CPU time a month in the one-call month kernel (``month._month_p``, its
        dispatch included): median over ``repeats`` runs, timed apart from the runs
        above (the timer wraps the kernel). None for a tree without it (pre-v2)."""
        try:
            from libyasim.model import month as month_module
        except ImportError:
            return None
        call = getattr(month_module, "_month_p", None)
        if call is None:
            return None
        spent = [0]

        def timed(*args):
            t0 = time.process_time_ns()
            call(*args)
            spent[0] += time.process_time_ns() - t0

        month_module._month_p = timed
        try:
            per_month = []
            for _ in range(repeats):
                spent[0] = 0
                ours()
                per_month.append(spent[0] / 1e9 / months)
        finally:
            month_module._month_p = call
        return statistics.median(per_month)

    for _ in range(2):  # warm-up: imports, numba's cache, Python's caches
        ours()
        empty()
    out = {
        "construct": _median_cpu(construct, repeats),
        "run": _median_cpu(ours, repeats),
        "result": _median_cpu(lambda: result_of(ours()), repeats),
        "empty": _median_cpu(empty, repeats),
        "kernel": kernel(),
        "agents": n_agents,
    }
    print(json.dumps(out))


def _reference(arg: str) -> Path | None:
    if arg == "none":
        return None
    if arg != "auto":
        return Path(arg)
    try:
        tar = subprocess.run(
            ["git", "-C", str(ROOT), "archive", PRE_V2, "src", "scenarios"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        print(f"(no git history with commit {PRE_V2}: the pre-v2 model is not measured)")
        return None
    where = Path(tempfile.mkdtemp(prefix="libyasim-pre-v2-"))
    with tarfile.open(fileobj=BytesIO(tar)) as t:
        t.extractall(where, filter="data")
    return where


def _measure(tree: Path, months: int, repeats: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    scenario = tree / "scenarios" / "baseline_2017.yaml"
    args = [__file__, "--worker", "--months", str(months), "--repeats", str(repeats)]
    proc = subprocess.run(
        [sys.executable, *args, "--scenario", str(scenario)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker for {tree} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=5, help="worker processes per tree")
    ap.add_argument("--repeats", type=int, default=15, help="timed runs per worker")
    ap.add_argument("--months", type=int, default=48)
    ap.add_argument("--reference", default="auto", help="pre-v2 source tree, auto or none")
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline_2017.yaml"))
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--runs", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.scenario, args.months, args.repeats, args.runs)
        return

    ref = _reference(args.reference)
    load0 = os.getloadavg()
    ours: list[dict] = []
    theirs: list[dict] = []
    for _ in range(args.rounds):
        ours.append(_measure(ROOT, args.months, args.repeats))
        if ref is not None:
            theirs.append(_measure(ref, args.months, args.repeats))
    load1 = os.getloadavg()

    def month(r: dict) -> float:
        return (r["run"] - r["construct"]) / args.months

    n, k = args.months, args.repeats
    print(
        f"baseline_2017, {n} months; CPU time, median over {args.rounds} worker processes "
        f"x {k} runs; load average {load0[0]:.1f} -> {load1[0]:.1f} "
        f"({os.cpu_count()} cores)"
    )
    label = "pre-v2" if args.reference == "auto" else "reference"
    print(f"{'':34s} {'this tree':>10s}" + (f" {label:>10s} {'ratio':>7s}" if theirs else ""))

    pair = list(zip(ours, theirs, strict=False)) if theirs else []
    # (label, the figure of one worker, its scale and unit, compared with the reference?,
    # a note after this tree's figure)
    kernel_note = "  (target <= 30; the rest of the month is Mesa's step and Python)"
    rows = [
        ("construction", lambda r: r["construct"], 1e3, "ms", True, ""),
        ("one month (run - construction)/n", month, 1e6, "us", True, ""),
        (
            "  ... of which the month kernel",
            lambda r: r.get("kernel"),
            1e6,
            "us",
            False,
            kernel_note,
        ),
        (f"construction + {n} months", lambda r: r["run"], 1e3, "ms", True, ""),
        ("  ... and its RunResult", lambda r: r["result"], 1e3, "ms", True, ""),
        (
            f"empty Mesa model, {ours[0]['agents']} agents",
            lambda r: r["empty"],
            1e3,
            "ms",
            False,
            "",
        ),
    ]
    for name, fig, scale, unit, compared, note in rows:
        if any(fig(r) is None for r in ours):
            continue
        line = f"  {name:32s} {statistics.median(fig(r) for r in ours) * scale:8.2f}{unit}"
        line += note
        if theirs and compared:
            line += f" {statistics.median(fig(r) for r in theirs) * scale:8.2f}{unit}"
            line += f" {statistics.median(fig(a) / fig(b) for a, b in pair):6.2f}x"
        print(line)
    ratio = statistics.median(r["run"] / r["empty"] for r in ours)
    line = f"  {'ratio run / empty Mesa model':32s} {ratio:8.1f}x  (target <= 4)"
    if theirs:
        line += f"   {label}: {statistics.median(r['run'] / r['empty'] for r in theirs):.1f}x"
    print(line)


if __name__ == "__main__":
    main()
