"""Scenario differences: how an intervention shifts outcome probabilities and key figures.

A batch runs every scenario with the same seeds (common random numbers), so
run ``(point, replicate)`` of scenario A and of scenario B share their random
draws and can be paired. Outcome differences get Newcombe's interval (built
for independent samples, hence conservative under the positive correlation
common random numbers create) and the share of paired runs whose end state
changed; key figures get the distribution of paired differences.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..batch.columns import figure_name
from .intervals import newcombe
from .summary import PERCENTILES, describe, figure_columns, outcome_table


def _baseline(runs: pd.DataFrame, baseline: str | None) -> str:
    order = list(dict.fromkeys(runs["scenario"]))
    if not order:
        raise ValueError("no runs to compare")
    if baseline is None:
        return order[0]
    if baseline not in order:
        raise ValueError(
            f"The 'baseline' parameter must be one of {', '.join(order)}. Got {baseline!r} instead."
        )
    return baseline


def compare_outcomes(
    runs: pd.DataFrame, baseline: str | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """For each scenario against ``baseline`` (default: the first): outcome probability differences.

    Columns: ``scenario, baseline, outcome, kind, p_baseline, p, diff, lo, hi,
    paired, changed``: ``diff = p - p_baseline`` with Newcombe's interval;
    ``paired`` the number of (point, replicate) pairs that ran in both, and
    ``changed`` the share of those whose end state differs.
    """
    base = _baseline(runs, baseline)
    table = outcome_table(runs, confidence)
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    b = table[table["scenario"] == base].set_index(["outcome", "kind"])
    b_runs = ok[ok["scenario"] == base].set_index(["point", "replicate"])["end_state"]
    rows = []
    for sc in dict.fromkeys(runs["scenario"]):
        if sc == base:
            continue
        t = table[table["scenario"] == sc].set_index(["outcome", "kind"])
        s_runs = ok[ok["scenario"] == sc].set_index(["point", "replicate"])["end_state"]
        joined = pd.concat([b_runs.rename("a"), s_runs.rename("b")], axis=1, join="inner")
        paired = len(joined)
        changed = float((joined["a"] != joined["b"]).mean()) if paired else np.nan
        for key in t.index.union(b.index, sort=False):
            k2, n2 = (int(t.loc[key, "count"]), int(t.loc[key, "n"])) if key in t.index else (0, 0)
            k1, n1 = (int(b.loc[key, "count"]), int(b.loc[key, "n"])) if key in b.index else (0, 0)
            lo, hi = newcombe(k1, n1, k2, n2, confidence)
            p1 = k1 / n1 if n1 else np.nan
            p2 = k2 / n2 if n2 else np.nan
            rows.append(
                (sc, base, key[0], key[1], p1, p2, p2 - p1, float(lo), float(hi), paired, changed)
            )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "baseline",
            "outcome",
            "kind",
            "p_baseline",
            "p",
            "diff",
            "lo",
            "hi",
            "paired",
            "changed",
        ],
    )


def compare_figures(
    runs: pd.DataFrame,
    baseline: str | None = None,
    percentiles: Sequence[float] = PERCENTILES,
    figures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Paired differences (scenario − baseline, same point and replicate) of key figures.

    Columns: ``scenario, baseline, figure, n`` (pairs), ``mean`` and
    percentiles of the paired differences.
    """
    base = _baseline(runs, baseline)
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    cols = list(figures) if figures is not None else figure_columns(runs)
    b = ok[ok["scenario"] == base].set_index(["point", "replicate"])
    rows = []
    for sc in dict.fromkeys(runs["scenario"]):
        if sc == base:
            continue
        s = ok[ok["scenario"] == sc].set_index(["point", "replicate"])
        common = b.index.intersection(s.index)
        for c in cols:
            if c not in s or c not in b:
                continue
            d = (
                (
                    pd.to_numeric(s.loc[common, c], errors="coerce")
                    - pd.to_numeric(b.loc[common, c], errors="coerce")
                )
                .dropna()
                .to_numpy()
            )
            figure = figure_name(c)
            rows.append(
                {"scenario": sc, "baseline": base, "figure": figure, **describe(d, percentiles)}
            )
    return pd.DataFrame(
        rows,
        columns=["scenario", "baseline", "figure", "n", "mean", *[f"p{p:g}" for p in percentiles]],
    )


def format_comparison(table: pd.DataFrame, digits: int = 1) -> str:
    """Plain text: per scenario, the outcomes whose probability differs from the baseline."""
    if table.empty:
        return "(one scenario only: nothing to compare)"
    lines = []
    for sc, sub in table.groupby("scenario", sort=False):
        base = sub["baseline"].iloc[0]
        changed = sub["changed"].iloc[0]
        lines.append(
            f"{sc} vs {base}  ({int(sub['paired'].iloc[0])} paired runs, end state changed in "
            f"{100 * changed:.{digits}f}% of pairs)"
        )
        for r in sub.itertuples():
            if r.p_baseline == 0 and r.p == 0:
                continue
            sig = "*" if (r.lo > 0 or r.hi < 0) else " "
            lines.append(
                f"  {r.outcome:<22} {100 * r.p_baseline:6.{digits}f}% -> {100 * r.p:6.{digits}f}%  "
                f"diff {100 * r.diff:+6.{digits}f} pts "
                f"[{100 * r.lo:+.{digits}f}, {100 * r.hi:+.{digits}f}]{sig}"
            )
    lines.append(
        "* the 95% interval of the difference excludes 0 "
        "(Newcombe; conservative with common random numbers)"
    )
    return "\n".join(lines)
