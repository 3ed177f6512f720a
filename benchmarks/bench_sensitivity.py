"""Benchmark: where the time of ``libyasim sensitivity`` goes on a realistic design.

    .venv/bin/python benchmarks/bench_sensitivity.py [--parameters 315] [--n 64] [--boot 3]

A Sobol-sized design (N*(D+2) points of D parameters, drawn by SALib, as a
``--sample sobol N`` batch over every uncertain number of the baseline has)
with noisy outcomes; times, in CPU seconds, side by side:

- the SRRC bootstrap: the reference (each resample's rows ranked and fitted
  with ``lstsq``) and the vectorised version on the same ``--boot`` resamples
  (they agree), extrapolated to the default 200 resamples;
- the analytic SRRC interval used from 2,000 points on (``_RankDesign``: ranks
  and projection once per scenario, then each outcome): the first outcome and
  each further one;
- SALib's Sobol S1/ST with 200 resamples, and Morris mu* on a Morris design of
  ``--trajectories`` trajectories, per outcome;

and the whole analysis of ``--outcomes`` outcomes with each SRRC interval.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from libyasim.analysis.sensitivity import (
    _RankDesign,
    _resamples,
    _srrc_loop,
    _srrc_resampled,
)


def cpu(fn, *args):
    t = time.process_time()
    out = fn(*args)
    return out, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parameters", type=int, default=315, help="D")
    ap.add_argument("--n", type=int, default=64, help="Sobol N (a power of 2)")
    ap.add_argument("--boot", type=int, default=3, help="resamples timed side by side")
    ap.add_argument("--outcomes", type=int, default=10, help="outcomes analysed")
    ap.add_argument("--trajectories", type=int, default=20, help="Morris trajectories")
    args = ap.parse_args()
    d = args.parameters
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
    x = sobol_sample.sample(problem, args.n, calc_second_order=False, seed=1)
    rng = np.random.default_rng(2)
    ys = [
        x[:, k] * 3 + x[:, k + 1] ** 2 + np.sin(6 * x[:, k + 2]) + 0.5 * rng.normal(size=len(x))
        for k in range(args.outcomes)
    ]
    y = ys[0]
    print(f"load average {os.getloadavg()[0]:.1f}; CPU seconds")
    print(f"{len(x)} points x {d} parameters, {args.boot} resamples side by side")
    w = _resamples(np.random.default_rng(3), len(y), args.boot)
    ref, t_loop = cpu(_srrc_loop, x, y, w)
    new, t_vec = cpu(_srrc_resampled, x, y, w)
    diff = float(np.nanmax(np.abs(ref - new)))
    per_boot = min(t_loop, t_vec) / args.boot
    print(f"  bootstrap, loop (lstsq per resample)  {t_loop:8.2f} s")
    ratio = t_loop / t_vec
    print(f"  bootstrap, vectorised                 {t_vec:8.2f} s   loop/vectorised {ratio:5.2f}x")
    print(f"  largest difference in a coefficient: {diff:.2e}")
    print(f"  -> 200 resamples: about {per_boot * 200:.0f} s per outcome")
    design, t_design = cpu(_RankDesign, x)
    _, t_first = cpu(design.srrc, y, 0.95)
    _, t_more = cpu(lambda: [design.srrc(v, 0.95) for v in ys[1:]])
    t_more /= max(1, len(ys) - 1)
    t_analytic = t_design + t_first
    print(f"  analytic (HC3), first outcome         {t_analytic:8.2f} s   "
          f"bootstrap/analytic {per_boot * 200 / t_analytic:6.0f}x")  # fmt: skip
    print(f"  analytic (HC3), each further outcome  {t_more:8.3f} s")
    _, t_sobol = cpu(
        lambda: sobol_analyze.analyze(
            problem, y, calc_second_order=False, num_resamples=200, seed=5
        )
    )
    print(f"  SALib Sobol S1/ST, 200 resamples      {t_sobol:8.2f} s per outcome")
    xm = morris_sample.sample(problem, args.trajectories, num_levels=4, seed=1)
    ym = xm[:, 0] * 3 + xm[:, 1] ** 2 + 0.5 * rng.normal(size=len(xm))
    _, t_morris = cpu(
        lambda: morris_analyze.analyze(problem, xm, ym, num_resamples=200, num_levels=4, seed=5)
    )
    print(f"  SALib Morris mu*, {len(xm)} points      {t_morris:8.2f} s per outcome")
    k = args.outcomes
    boot_total = k * (per_boot * 200 + t_sobol)
    analytic_total = t_analytic + (k - 1) * t_more + k * t_sobol
    print(
        f"Sobol analysis of {k} outcomes: {analytic_total:.1f} s with the analytic SRRC "
        f"interval, about {boot_total:.0f} s with the bootstrap "
        f"({boot_total / analytic_total:.0f}x)"
    )


if __name__ == "__main__":
    main()
