"""Summaries of an ensemble: outcome probabilities with intervals, key figures.

Functions take the runs table (:func:`libyasim.batch.load_runs`, one row per
run) or the long series (:func:`libyasim.batch.load_series`) as pandas
DataFrames and return tidy DataFrames, so the CLI, the dashboard and
notebooks share them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..batch.columns import FIG, FLAGS_COLUMN, figure_name
from ..model.outcomes import END_STATES  # the end states of DESIGN §4.5, in display order
from .intervals import wilson

PERCENTILES = (5, 25, 50, 75, 95)


def _ok(runs: pd.DataFrame) -> pd.DataFrame:
    if "status" in runs:
        return runs[runs["status"] == "ok"]
    return runs


def _scenario_order(runs: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(runs["scenario"]))


def _flags(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(v) for v in value]


def outcome_table(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Probability of each end state and flag per scenario, with Wilson intervals.

    Columns: ``scenario, outcome, kind`` (``end_state`` or ``flag``), ``count,
    n`` (successful runs of the scenario), ``p, lo, hi``. Every known end
    state appears for every scenario (with count 0), flags those that occur.
    """
    ok = _ok(runs)
    rows = []
    flag_names = sorted(
        {f for v in ok.get(FLAGS_COLUMN, pd.Series(dtype=object)) for f in _flags(v)}
    )
    seen_states = list(dict.fromkeys(ok["end_state"].dropna())) if len(ok) else []
    states = list(END_STATES) + [s for s in seen_states if s not in END_STATES]
    for sc in _scenario_order(runs):
        sub = ok[ok["scenario"] == sc]
        n = len(sub)
        counts = sub["end_state"].value_counts()
        for st in states:
            rows.append((sc, st, "end_state", int(counts.get(st, 0)), n))
        fl = [f for v in sub.get(FLAGS_COLUMN, pd.Series(dtype=object)) for f in _flags(v)]
        for f in flag_names:
            rows.append((sc, f, "flag", fl.count(f), n))
    table = pd.DataFrame(rows, columns=["scenario", "outcome", "kind", "count", "n"])
    with np.errstate(invalid="ignore", divide="ignore"):
        table["p"] = np.where(
            table["n"] > 0, table["count"] / table["n"].where(table["n"] > 0, 1), np.nan
        )
    lo, hi = wilson(table["count"].to_numpy(), table["n"].to_numpy(), confidence)
    table["lo"], table["hi"] = lo, hi
    return table


def figure_columns(runs: pd.DataFrame) -> list[str]:
    """The numeric key-figure columns (``fig__*``) of a runs table."""
    return [
        c
        for c in runs.columns
        if c.startswith(FIG)
        and pd.api.types.is_numeric_dtype(runs[c])
        and not pd.api.types.is_bool_dtype(runs[c])
    ]


def describe(values: np.ndarray, percentiles: Sequence[float] = PERCENTILES) -> dict[str, float]:
    """``n``, ``mean`` and the percentiles (``p5``, ``p50``, ...) of some values."""
    n = len(values)
    qs = np.percentile(values, percentiles) if n else [np.nan] * len(percentiles)
    return {
        "n": n,
        "mean": float(values.mean()) if n else np.nan,
        **{f"p{p:g}": float(q) for p, q in zip(percentiles, qs, strict=True)},
    }


def key_figures(
    runs: pd.DataFrame,
    percentiles: Sequence[float] = PERCENTILES,
    figures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Key figures per scenario: n, mean and percentiles (columns ``p5``, ``p50``, ...)."""
    ok = _ok(runs)
    cols = list(figures) if figures is not None else figure_columns(runs)
    rows = []
    for sc in _scenario_order(runs):
        sub = ok[ok["scenario"] == sc]
        for c in cols:
            v = (
                pd.to_numeric(sub[c], errors="coerce").dropna().to_numpy()
                if c in sub
                else np.array([])
            )
            rows.append({"scenario": sc, "figure": figure_name(c), **describe(v, percentiles)})
    return pd.DataFrame(
        rows, columns=["scenario", "figure", "n", "mean", *[f"p{p:g}" for p in percentiles]]
    )


def failures(runs: pd.DataFrame) -> pd.DataFrame:
    """Failed runs per scenario and error message (first line)."""
    if "status" not in runs:
        return pd.DataFrame(columns=["scenario", "error", "runs"])
    bad = runs[runs["status"] == "failed"]
    if bad.empty:
        return pd.DataFrame(columns=["scenario", "error", "runs"])
    err = bad["error"].fillna("").str.split("\n").str[0]
    return (
        bad.assign(error=err)
        .groupby(["scenario", "error"], sort=False)
        .size()
        .rename("runs")
        .reset_index()
    )


def fan_quantiles(
    series: pd.DataFrame, variable: str, quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95)
) -> pd.DataFrame:
    """Per scenario, actor and step: quantiles of ``variable`` over runs (for fan charts).

    Columns: ``scenario, actor, step, month, n`` and ``q5, q25, q50, q75, q95``.
    """
    sub = series[series["variable"] == variable]
    if sub.empty:
        return pd.DataFrame(
            columns=[
                "scenario",
                "actor",
                "step",
                "month",
                "n",
                *[f"q{round(q * 100):d}" for q in quantiles],
            ]
        )
    g = sub.groupby(["scenario", "actor", "step"], sort=False)["value"]
    q = g.quantile(list(quantiles)).unstack()
    q.columns = [f"q{round(c * 100):d}" for c in q.columns]
    out = q.reset_index()
    out.insert(3, "n", g.size().to_numpy())
    months = sub.drop_duplicates(["scenario", "step"])[["scenario", "step", "month"]]
    out = out.merge(months, on=["scenario", "step"], how="left")
    cols = ["scenario", "actor", "step", "month", "n", *[f"q{round(x * 100):d}" for x in quantiles]]
    return (
        out[cols].sort_values(["scenario", "actor", "step"], kind="stable").reset_index(drop=True)
    )


def format_outcomes(table: pd.DataFrame, digits: int = 1, confidence: float = 0.95) -> str:
    """A plain-text table: one line per scenario, ``p% [lo–hi]`` per outcome."""
    if table.empty:
        return "(no runs)"
    outcomes = list(dict.fromkeys(table["outcome"]))
    shown = [o for o in outcomes if (table[table["outcome"] == o]["count"] > 0).any()] or outcomes
    width = max(12, *(len(s) for s in table["scenario"]))
    head = f"{'scenario':<{width}} {'n':>6}  " + "  ".join(f"{o:>22}" for o in shown)
    lines = [head, "-" * len(head)]
    for sc, sub in table.groupby("scenario", sort=False):
        by = sub.set_index("outcome")
        cells = []
        for o in shown:
            if o not in by.index:
                cells.append(f"{'-':>22}")
                continue
            r = by.loc[o]
            cell = f"{100 * r.p:>6.{digits}f}% [{100 * r.lo:4.{digits}f}-{100 * r.hi:4.{digits}f}]"
            cells.append(cell.rjust(22))
        lines.append(f"{sc:<{width}} {int(sub['n'].iloc[0]):>6}  " + "  ".join(cells))
    lines.append(
        f"end-state probabilities in % with {100 * confidence:g}% Wilson intervals; "
        "flags are not exclusive"
    )
    return "\n".join(lines)
