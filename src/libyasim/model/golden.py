"""Golden runs: a fixed-seed run of each shipped scenario, checked into tests/golden/.

The test suite compares a fresh run with the checked-in table (with a
tolerance). A golden changes only when someone regenerates it on purpose::

    python -m libyasim.model.golden            # rewrite tests/golden/*.csv
    python -m libyasim.model.golden --check    # compare only; exit 1 on drift
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: (scenario file, seed, months) of each golden run
GOLDEN_RUNS = [("scenarios/baseline_2017.yaml", 1, 24)]
RTOL, ATOL = 1e-6, 1e-6


def golden_name(scenario: str, seed: int, months: int) -> str:
    return f"{Path(scenario).stem}_seed{seed}_{months}m.csv"


def golden_table(scenario: str | Path, seed: int, months: int) -> pd.DataFrame:
    """The columns a golden keeps: strength, population share, legitimacy per faction;
    threat index and fatalities; one row per month."""
    from .runner import run

    s = run(scenario, seed=seed, months=months).series
    keep = ["step", "month"] + [
        c for c in s.columns if c.split(".")[0] in ("strength", "population", "legitimacy")
    ]
    keep += ["threat_index", "fatalities", "battle_deaths"]
    return s[keep]


def compare(fresh: pd.DataFrame, stored: pd.DataFrame) -> list[str]:
    """Differences beyond the tolerance, one line each (empty: they agree)."""
    problems = []
    if list(fresh.columns) != list(stored.columns):
        return [f"columns differ: {sorted(set(fresh.columns) ^ set(stored.columns))}"]
    if len(fresh) != len(stored):
        return [f"{len(fresh)} rows, golden has {len(stored)}"]
    for c in fresh.columns[2:]:
        a, b = fresh[c].to_numpy(float), stored[c].to_numpy(float)
        bad = ~np.isclose(a, b, rtol=RTOL, atol=ATOL)
        if bad.any():
            k = int(np.argmax(bad))
            problems.append(f"{c}: step {k} is {a[k]:.6g}, golden {b[k]:.6g}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m libyasim.model.golden",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--root", default=".", help="repository root (holds scenarios/ and tests/golden/)"
    )
    ap.add_argument("--check", action="store_true", help="compare only; do not write")
    args = ap.parse_args(argv)
    root = Path(args.root)
    failed = 0
    for scenario, seed, months in GOLDEN_RUNS:
        path = root / "tests" / "golden" / golden_name(scenario, seed, months)
        fresh = golden_table(root / scenario, seed, months)
        if args.check:
            problems = (
                compare(fresh, pd.read_csv(path)) if path.exists() else [f"{path} is missing"]
            )
            failed += bool(problems)
            print(f"{path}: " + ("ok" if not problems else "DRIFT\n  " + "\n  ".join(problems)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh.to_csv(path, index=False, float_format="%.10g")
            print(f"wrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
