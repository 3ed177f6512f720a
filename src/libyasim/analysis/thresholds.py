"""Threshold robustness: how end-state shares move when a classification threshold moves.

The end state of a run is decided from criteria measured on the run (mean
battle deaths over the window, the top faction's shares, the blocs, the
election) and the thresholds of the scenario's ``outcomes:`` block
(:func:`libyasim.model.outcomes.decide`). A batch stores each run's criteria
(``fig__classification__<name>`` columns), so the decision can be re-applied with
each threshold moved down and up by a relative step (10% by default) without
running the model again::

    from libyasim.analysis import threshold_robustness, threshold_plot
    table = threshold_robustness("out/ens")          # or a runs DataFrame
    threshold_plot(table).savefig("thresholds.png")

A large change means the share of that end state hangs on where the line is
drawn rather than on the model. ``window_months`` is not covered: it changes
the criteria themselves, so moving it needs new runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..batch.columns import fig_column
from ..model.outcomes import CRITERIA, END_STATES, FLAGS, THRESHOLDS, decide, stored_criteria

#: columns of :func:`threshold_robustness`
COLUMNS = [
    "scenario",
    "threshold",
    "value",
    "move",
    "moved_value",
    "outcome",
    "kind",
    "n",
    "p",
    "p_moved",
    "change",
]


def scenario_thresholds(batch: str | Path) -> dict[str, dict[str, float]]:
    """The ``outcomes`` thresholds of each scenario of a batch folder (from its manifest)."""
    from ..batch.store import BatchStore
    from ..scenario import from_dict

    out: dict[str, dict[str, float]] = {}
    for entry in BatchStore(Path(batch)).manifest().get("scenarios", []):
        resolved = entry.get("resolved")
        if resolved is None:
            continue
        sc = from_dict(resolved, name=str(entry.get("id")))
        out[sc.id] = {k: float(getattr(sc.outcomes, k).value) for k in THRESHOLDS}
    return out


def _run_thresholds(row: Mapping[str, Any], base: Mapping[str, float]) -> dict[str, float]:
    """The thresholds a run was classified with: its scenario's, overridden by any
    ``outcomes.<name>`` the design set, swept or sampled for the run."""
    t = dict(base)
    text = row.get("parameters")
    if isinstance(text, str) and "outcomes." in text:
        for k, v in json.loads(text).items():
            name = k.removeprefix("outcomes.")
            if k.startswith("outcomes.") and name in t and isinstance(v, int | float):
                t[name] = float(v)
    return t


def threshold_robustness(
    runs: pd.DataFrame | str | Path,
    thresholds: Mapping[str, Mapping[str, float]] | None = None,
    step: float = 0.10,
) -> pd.DataFrame:
    """End-state (and flag) shares when each threshold moves by ``-step`` and ``+step``.

    ``runs``: a batch folder or its runs table (:func:`libyasim.batch.load_runs`).
    ``thresholds``: ``{scenario: {threshold: value}}``; read from the folder's
    manifest when ``runs`` is a folder. Each run keeps the thresholds it was
    classified with (a design may have set or sampled ``outcomes.*``); each
    threshold in :data:`~libyasim.model.outcomes.THRESHOLDS` is multiplied by
    ``1 - step`` and ``1 + step`` in turn, the others held, and the decision is
    re-applied to every successful run's stored criteria.

    One row per scenario, threshold, move (``-10%``, ``+10%``) and outcome:
    ``value`` (the scenario's threshold), ``moved_value``, ``n`` (runs),
    ``p`` (share with the thresholds as run), ``p_moved`` and ``change`` (in
    shares, ``p_moved - p``). Empty when the runs hold no stored criteria (a
    batch made before they were stored).
    """
    if not 0 < step < 1:
        raise ValueError(f"The 'step' parameter must be in (0, 1). Got {step} instead.")
    if not isinstance(runs, pd.DataFrame):
        from ..batch.store import load_runs

        folder = Path(runs)
        runs = load_runs(folder)
        thresholds = thresholds if thresholds is not None else scenario_thresholds(folder)
    if thresholds is None:
        raise ValueError("threshold_robustness: give the scenarios' thresholds with a runs table")
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    needed = [fig_column(f"classification.{k}") for k in CRITERIA]
    if ok.empty or any(c not in ok for c in needed):
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    moves = ((f"-{step:.0%}", 1.0 - step), (f"+{step:.0%}", 1.0 + step))
    for sc, sub in ok.groupby("scenario", sort=False):
        if sc not in thresholds:
            continue
        base = {k: float(thresholds[sc][k]) for k in THRESHOLDS}
        records = sub.to_dict("records")
        crit = [stored_criteria(r) for r in records]
        own = [_run_thresholds(r, base) for r in records]
        nominal = _shares([decide(c, t) for c, t in zip(crit, own, strict=True)])
        moved: dict[tuple[str, str, float], dict[str, float]] = {}
        for name in THRESHOLDS:
            for label, factor in moves:
                moved[name, label, factor] = _shares(
                    [
                        decide(c, {**t, name: t[name] * factor})
                        for c, t in zip(crit, own, strict=True)
                    ]
                )
        shown = _outcomes(nominal, *moved.values())
        for (name, label, factor), shares in moved.items():
            for outcome, kind in shown:
                p, q = nominal.get(outcome, 0.0), shares.get(outcome, 0.0)
                rows.append(
                    (sc, name, base[name], label, base[name] * factor, outcome, kind,
                     len(records), p, q, q - p)
                )  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _shares(decisions: Sequence[tuple[str, list[str]]]) -> dict[str, float]:
    n = len(decisions)
    out: dict[str, float] = {}
    for state, flags in decisions:
        out[state] = out.get(state, 0.0) + 1.0 / n
        for f in flags:
            out[f] = out.get(f, 0.0) + 1.0 / n
    return out


def _outcomes(*shares: Mapping[str, float]) -> list[tuple[str, str]]:
    """Every end state, and the flags any of ``shares`` raised, in display order."""
    seen = {k for s in shares for k in s}
    out = [(s, "end_state") for s in END_STATES]
    out += [(s, "end_state") for s in sorted(seen) if s not in END_STATES and s not in FLAGS]
    out += [(f, "flag") for f in FLAGS if f in seen]
    return out


def format_threshold_robustness(table: pd.DataFrame, min_change: float = 0.0) -> str:
    """Plain text: per scenario, one line per threshold, the change of each
    outcome's share (percentage points) at ``-step`` / ``+step``; outcomes that
    never change (by more than ``min_change``) are left out."""
    if table.empty:
        return (
            "threshold robustness: no stored criteria in these runs (made by an older "
            "libyasim); run the batch again to get it"
        )
    moves = list(dict.fromkeys(table["move"]))
    lines = [
        "threshold robustness: change of each end-state share (percentage points) when one "
        f"outcomes threshold moves {' / '.join(moves)}, the runs' criteria unchanged:"
    ]
    for sc, sub in table.groupby("scenario", sort=False):
        moving = sub.groupby("outcome", sort=False)["change"].apply(lambda c: c.abs().max())
        shown = [o for o in dict.fromkeys(sub["outcome"]) if moving[o] > min_change]
        lines.append(f"  {sc} ({int(sub['n'].iloc[0])} runs)")
        if not shown:
            lines.append(f"    no share moves for any threshold ({' / '.join(moves)})")
            continue
        head = f"    {'threshold':<27}{'value':>8}"
        width = max(16, *(len(o) + 2 for o in shown))
        lines.append(head + "".join(f"{o:>{width}}" for o in shown))
        for name, rows in sub.groupby("threshold", sort=False):
            cells = []
            for o in shown:
                r = rows[rows["outcome"] == o].set_index("move")["change"]
                cells.append(" / ".join(_points(r.get(m, 0.0)) for m in moves))
            value = float(rows["value"].iloc[0])
            lines.append(f"    {name:<27}{value:>8.3g}" + "".join(f"{c:>{width}}" for c in cells))
        base = sub.drop_duplicates("outcome").set_index("outcome")["p"]
        lines.append(
            f"    {'(share as run)':<35}"
            + "".join(f"{100 * base[o]:>{width - 1}.0f}%" for o in shown)
        )
    return "\n".join(lines)


def _points(change: float) -> str:
    x = round(100 * change)
    return f"{x:+d}" if x else "0"


def threshold_plot(table: pd.DataFrame, max_scenarios: int = 8) -> Figure:
    """One panel per scenario (rows) and threshold (columns): horizontal bars of the
    change in each outcome's share (percentage points) at each move."""
    scs = list(dict.fromkeys(table["scenario"]))[:max_scenarios] if not table.empty else []
    names = [t for t in THRESHOLDS if (table["threshold"] == t).any()] if scs else []
    fig = Figure(
        figsize=(2.6 * max(1, len(names)) + 1.6, 0.6 + 2.0 * max(1, len(scs))),
        layout="constrained",
    )
    if not scs:
        ax = fig.subplots()
        ax.text(0.5, 0.5, "no stored criteria", ha="center", va="center")
        ax.set_axis_off()
        return fig
    axes = fig.subplots(len(scs), len(names), sharex=True, sharey=True, squeeze=False)
    outcomes = list(dict.fromkeys(table["outcome"]))
    moves = list(dict.fromkeys(table["move"]))
    colors = {m: c for m, c in zip(moves, ("#1f77b4", "#d62728"), strict=False)}
    y = np.arange(len(outcomes))
    h = 0.8 / max(1, len(moves))
    for i, sc in enumerate(scs):
        for j, name in enumerate(names):
            ax = axes[i][j]
            sub = table[(table["scenario"] == sc) & (table["threshold"] == name)]
            for k, m in enumerate(moves):
                d = sub[sub["move"] == m].set_index("outcome").reindex(outcomes)["change"]
                ax.barh(y + (k - (len(moves) - 1) / 2) * h, 100 * d.fillna(0.0).to_numpy(),
                        height=h, color=colors.get(m), label=f"threshold {m}")  # fmt: skip
            ax.axvline(0, color="0.3", lw=0.8)
            if i == 0:
                ax.set_title(name.replace("_", " "), fontsize=9)
            if j == 0:
                ax.set_yticks(y, [o.replace("_", " ") for o in outcomes], fontsize=8)
                ax.set_ylabel(str(sc), fontsize=9)
            if i == len(scs) - 1:
                ax.set_xlabel("change in share (points)", fontsize=8)
    axes[0][0].invert_yaxis()
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.suptitle("end-state shares when one classification threshold moves", fontsize=10)
    return fig


__all__ = [
    "COLUMNS",
    "format_threshold_robustness",
    "scenario_thresholds",
    "threshold_plot",
    "threshold_robustness",
]
