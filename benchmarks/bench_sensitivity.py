"""Benchmark: the SRRC bootstrap of ``libyasim sensitivity``, loop vs vectorised.

    .venv/bin/python benchmarks/bench_sensitivity.py [--parameters 315] [--n 64] [--boot 20]

A Sobol-sized design (N*(D+2) points of D parameters, drawn by SALib, as a
``--sample sobol N`` batch over every uncertain number of the baseline has)
with a noisy outcome; times, in CPU seconds, the reference (each bootstrap
resample's rows ranked and fitted with ``lstsq``, as before) and the
vectorised version (ranks from one sort per column, weighted normal equations)
on the same resamples, checks that they agree, and prints the ratio. Then the
vectorised SRRC with the default 200 resamples, and SALib's Sobol analysis
with its 200 resamples, for the whole picture of one outcome's analysis.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from libyasim.analysis.sensitivity import _resamples, _srrc, _srrc_loop, _srrc_resampled


def cpu(fn, *args):
    t = time.process_time()
    out = fn(*args)
    return out, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parameters", type=int, default=315, help="D")
    ap.add_argument("--n", type=int, default=64, help="Sobol N (a power of 2)")
    ap.add_argument("--boot", type=int, default=20, help="resamples timed side by side")
    args = ap.parse_args()
    d = args.parameters
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
    x = sobol_sample.sample(problem, args.n, calc_second_order=False, seed=1)
    rng = np.random.default_rng(2)
    y = x[:, 0] * 3 + x[:, 1] ** 2 + np.sin(6 * x[:, 2]) + 0.5 * rng.normal(size=len(x))
    print(f"{len(x)} points x {d} parameters, {args.boot} resamples side by side (CPU s)")
    w = _resamples(np.random.default_rng(3), len(y), args.boot)
    ref, t_loop = cpu(_srrc_loop, x, y, w)
    new, t_vec = cpu(_srrc_resampled, x, y, w)
    diff = float(np.nanmax(np.abs(ref - new)))
    print(f"  loop (lstsq per resample)  {t_loop:8.2f} s")
    print(
        f"  vectorised                 {t_vec:8.2f} s"
        f"   ratio loop/vectorised {t_loop / t_vec:5.1f}x"
    )
    print(f"  largest difference in a coefficient: {diff:.2e}")
    _, t_full = cpu(_srrc, x, y, 200, 0.95, np.random.default_rng(4))
    print(f"  vectorised SRRC, 200 resamples: {t_full:.2f} s "
          f"(the loop would take about {t_loop / args.boot * 200:.0f} s)")  # fmt: skip
    _, t_sobol = cpu(
        lambda: sobol_analyze.analyze(
            problem, y, calc_second_order=False, num_resamples=200, seed=5
        )
    )
    print(f"  SALib Sobol S1/ST with 200 resamples: {t_sobol:.2f} s")


if __name__ == "__main__":
    main()
