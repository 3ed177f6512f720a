"""Benchmark: loading the shipped scenario set, with and without the parse cache.

    .venv/bin/python benchmarks/bench_loader.py [--repeat 3]

Prints the median wall time of loading every ``scenarios/*.yaml`` in a fresh
cache (each variant's parent is parsed once), with the cache off (every
``extends`` re-parses its parent, as before the cache), and again with a warm
cache; and the ratios. Also the time to validate ``Scenario.with_values`` on
the baseline (what every batch run pays). The YAML parse (ruamel, pure
Python) dominates; timings on a shared machine are noisy: compare ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from libyasim.scenario import load_scenario, loader

REPO = Path(__file__).resolve().parents[1]


def load_all(files: list[Path]) -> float:
    start = time.perf_counter()
    for f in files:
        load_scenario(f)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sorted((REPO / "scenarios").glob("*.yaml"))
    load_all(files[:1])  # imports and pydantic warm-up

    def median(setup_max: int, clear: bool) -> float:
        times = []
        for _ in range(args.repeat):
            loader._PARSED_MAX = setup_max
            if clear:
                loader._PARSED.clear()
            times.append(load_all(files))
        loader._PARSED_MAX = 64
        return statistics.median(times)

    off = median(0, True)
    cold = median(64, True)
    warm = median(64, False)
    base = load_scenario(REPO / "scenarios" / "baseline_2017.yaml")
    key, q = next(iter(base.quantities()))
    start = time.perf_counter()
    for _ in range(20):
        base.with_values({key: q.value})
    wv = (time.perf_counter() - start) / 20
    print(f"{len(files)} scenario files")
    print(f"  no cache   {off * 1000:8.0f} ms")
    print(f"  cold cache {cold * 1000:8.0f} ms   ratio no-cache/cold {off / cold:5.1f}x")
    print(f"  warm cache {warm * 1000:8.0f} ms   ratio no-cache/warm {off / warm:5.1f}x")
    print(f"  with_values on the baseline: {wv * 1000:.1f} ms")


if __name__ == "__main__":
    main()
