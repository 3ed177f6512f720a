"""Benchmark: a 48-month baseline run against an empty Mesa 3.5 model.

Both are measured side by side in one process: construction + 48 steps
(+ data collection for ours). The empty model has the same number of agents
(factions + sponsors), each with a no-op ``step`` called every step, and a
DataCollector with one reporter. Prints medians and the ratio (target ≤ 4).

    python benchmarks/bench_model.py [--repeats 7] [--months 48]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import mesa

from libyasim import load_scenario
from libyasim.model import LibyaModel, result_of

ROOT = Path(__file__).resolve().parents[1]


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


def time_it(fn, repeats: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--months", type=int, default=48)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline_2017.yaml"))
    args = ap.parse_args()
    scenario = load_scenario(args.scenario)
    n_agents = len(scenario.factions) + len(scenario.sponsors)

    def ours(collect_result: bool) -> None:
        m = LibyaModel(scenario, rng=1, months=args.months)
        for _ in range(args.months):
            m.step()
        if collect_result:
            result_of(m)

    def empty() -> None:
        m = EmptyModel(n_agents, rng=1)
        for _ in range(args.months):
            m.step()

    ours(True)  # warm-up (imports, caches)
    empty()
    t_model = time_it(lambda: ours(False), args.repeats)
    t_result = time_it(lambda: ours(True), args.repeats)
    t_empty = time_it(empty, args.repeats)
    # CPU time of this process: robust when other jobs share the machine
    c_model = time_it(lambda: ours(False), args.repeats, time.process_time)
    c_empty = time_it(empty, args.repeats, time.process_time)
    print(
        f"{scenario.id}: {len(scenario.factions)} factions, {len(scenario.sponsors)} sponsors, "
        f"{len(scenario.regions)} regions; {args.months} months; median of {args.repeats}"
    )
    print(f"  LibyaModel construct + steps + collect : {t_model * 1e3:8.2f} ms")
    print(f"  ... plus RunResult (DataFrames, summary): {t_result * 1e3:8.2f} ms")
    print(f"  empty Mesa model, {n_agents} agents          : {t_empty * 1e3:8.2f} ms")
    print(f"  ratio (model / empty)                  : {t_model / t_empty:8.1f}  (target <= 4)")
    print(f"  ratio with RunResult                   : {t_result / t_empty:8.1f}")
    print(
        f"  CPU time: model {c_model * 1e3:.2f} ms, empty {c_empty * 1e3:.2f} ms, "
        f"ratio {c_model / c_empty:.1f}"
    )


if __name__ == "__main__":
    main()
