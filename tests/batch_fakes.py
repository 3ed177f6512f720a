"""Test-only runners for the batch machinery (storage, resume, failures).

Importable by worker processes (pytest puts tests/ on sys.path, and spawn and
forkserver children inherit it). The real model is used by the determinism,
CLI and kill tests; these fakes exercise the plumbing quickly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from libyasim.model.result import EVENT_COLUMNS, RunResult


def fake_run(scenario, *, seed: int, months: int | None = None) -> RunResult:
    """A tiny deterministic stand-in for libyasim.model.run."""
    rng = np.random.default_rng(seed)
    n = (months or scenario.months) + 1
    cols = {"step": np.arange(n), "month": [f"2017-{(i % 12) + 1:02d}" for i in range(n)]}
    for f in scenario.factions:
        cols[f"strength.{f.id}"] = f.strength.value * np.cumprod(1 + rng.normal(0, 0.05, n))
        cols[f"territory.{f.id}"] = rng.uniform(0, 1, n)
    cols["threat_index"] = rng.uniform(0, 1, n)
    series = pd.DataFrame(cols)
    events = pd.DataFrame(
        [[1, "2017-09", "Battles", "battle", "north", "red", "blue", 3, ""]], columns=EVENT_COLUMNS
    )
    end = ["partition", "renewed_war", "takeover"][int(rng.integers(3))]
    summary = {
        "end_state": end,
        "flags": ["jihadist_resurgence"] if rng.uniform() < 0.3 else [],
        "fatalities_total": float(rng.uniform(0, 1000)),
        "seed": seed,
        "strength_share": {f.id: float(rng.uniform()) for f in scenario.factions},
    }
    return RunResult(scenario.id, scenario.hash, seed, series, events, summary)


def flaky_run(scenario, *, seed: int, months: int | None = None) -> RunResult:
    """Raises for about a third of the seeds (deterministically)."""
    if seed % 3 == 0:
        raise RuntimeError(f"injected failure for seed {seed}")
    return fake_run(scenario, seed=seed, months=months)


def failing_real_run(scenario, *, seed: int, months: int | None = None) -> RunResult:
    """The real model, except that it raises for about a quarter of the seeds."""
    from libyasim.model import run

    if seed % 4 == 0:
        raise ValueError(f"injected failure (seed {seed})")
    return run(scenario, seed=seed, months=months)


def electing_run(scenario, *, seed: int, months: int | None = None) -> RunResult:
    """Like :func:`flaky_run`, and about half the runs hold an election, whose figures
    (and so runs-table columns) only those runs have."""
    result = flaky_run(scenario, seed=seed, months=months)
    if seed % 2 == 0:
        result.summary["election"] = {
            "accepted": bool(seed % 4 == 0),
            "shares": {f.id: 1.0 / len(scenario.factions) for f in scenario.factions},
        }
    return result
