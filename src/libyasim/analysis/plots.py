"""Figures of an ensemble: fan charts and outcome bars.

Built on :class:`matplotlib.figure.Figure` (no pyplot, no global state), so
the CLI, the dashboard and notebooks can all call them; save with
``fig.savefig(path)`` or show in a notebook.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .summary import fan_quantiles

#: readable labels for the series variables
VARIABLE_LABELS = {
    "strength": "fighters",
    "territory": "share of regions held",
    "population": "share of population controlled",
    "legitimacy": "legitimacy (0-1)",
    "popularity": "popularity (0-1)",
}


def _colors(n: int) -> list:
    from matplotlib import colormaps

    # distinct colours for every scenario: tab10, tab20, then an even spread
    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    return [colormaps["turbo"](x) for x in np.linspace(0.05, 0.95, n)]


def _outcome_rows(t: pd.DataFrame, outcomes: list, scs: list, kind: str | None) -> Figure:
    """One panel per outcome, one row per scenario: probability and its interval."""
    fig = Figure(
        figsize=(2.2 + 2.6 * max(1, len(outcomes)), 1.0 + 0.32 * len(scs)), layout="constrained"
    )
    axes = fig.subplots(1, max(1, len(outcomes)), sharey=True, squeeze=False)[0]
    y = np.arange(len(scs))[::-1]
    for ax, outcome in zip(axes, outcomes, strict=False):
        d = t[t["outcome"] == outcome].set_index("scenario").reindex(scs)
        p = d["p"].to_numpy(dtype=float)
        lo, hi = d["lo"].to_numpy(dtype=float), d["hi"].to_numpy(dtype=float)
        ax.hlines(y, lo, hi, color="#555", linewidth=1.4)
        ax.plot(p, y, "o", color="#1f4e79", markersize=5)
        ax.set_xlim(0, 1)
        ax.set_title(str(outcome).replace("_", " "), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel("probability")
    runs = t.groupby("scenario")["n"].max().reindex(scs).fillna(0).astype(int)
    axes[0].set_yticks(y, [f"{sc} (n={k})" for sc, k in zip(scs, runs, strict=True)])
    fig.suptitle(
        ("end states" if kind == "end_state" else "outcomes")
        + " per scenario: probability with its 95% Wilson interval",
        fontsize=11,
    )
    return fig


def fan_chart(
    series: pd.DataFrame,
    variable: str,
    actors: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
    ncols: int = 3,
) -> Figure:
    """One panel per actor: the median of ``variable`` over runs, with 50% and 90% bands.

    ``series`` is the long series of a batch (:func:`libyasim.batch.load_series`);
    each scenario is one colour, so scenarios overlay for comparison.
    """
    q = fan_quantiles(series, variable)
    if scenarios is not None:
        q = q[q["scenario"].isin(scenarios)]
    seen = series.loc[series["variable"] == variable, "actor"]
    all_actors = list(dict.fromkeys(seen)) if actors is None else list(actors)
    scs = list(dict.fromkeys(q["scenario"]))
    n = max(1, len(all_actors))
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(4.2 * ncols, 2.8 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    colors = dict(zip(scs, _colors(len(scs)), strict=True))
    for ax, actor in zip(axes.flat, all_actors, strict=False):
        for sc in scs:
            d = q[(q["scenario"] == sc) & (q["actor"] == actor)]
            if d.empty:
                continue
            x = d["step"].to_numpy()
            c = colors[sc]
            ax.fill_between(x, d["q5"], d["q95"], color=c, alpha=0.15, linewidth=0)
            ax.fill_between(x, d["q25"], d["q75"], color=c, alpha=0.35, linewidth=0)
            ax.plot(x, d["q50"], color=c, linewidth=1.6, label=sc)
        ax.set_title(actor or variable, fontsize=10)
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    for ax in axes.flat[len(all_actors) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("months from start")
    label = VARIABLE_LABELS.get(variable, variable)
    runs = int(q["n"].max()) if len(q) else 0
    fig.suptitle(
        f"{variable}: {label} — median, 50% and 90% bands over up to {runs} runs per scenario",
        fontsize=11,
    )
    if scs:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        if handles:
            fig.legend(
                handles, labels, loc="outside lower center", ncols=min(len(scs), 4), fontsize=9
            )
    return fig


#: above this many scenarios, outcome_bars draws one row per scenario (bars would repeat colours)
MAX_GROUPED_SCENARIOS = 5


def outcome_bars(table: pd.DataFrame, kind: str | None = "end_state") -> Figure:
    """Probability of each outcome per scenario, with 95% Wilson intervals.

    Grouped bars for a few scenarios; for more than
    :data:`MAX_GROUPED_SCENARIOS`, one panel per outcome with one row per
    scenario (a dot and its interval), which stays readable for a dozen.
    ``table`` comes from :func:`libyasim.analysis.outcome_table`.
    """
    t = table if kind is None else table[table["kind"] == kind]
    outcomes = [o for o in dict.fromkeys(t["outcome"]) if (t[t["outcome"] == o]["count"] > 0).any()]
    outcomes = outcomes or list(dict.fromkeys(t["outcome"]))
    scs = list(dict.fromkeys(t["scenario"]))
    if len(scs) > MAX_GROUPED_SCENARIOS:
        return _outcome_rows(t, outcomes, scs, kind)
    fig = Figure(
        figsize=(max(5.0, 1.4 * len(outcomes) * max(1, len(scs)) ** 0.5 + 2), 3.8),
        layout="constrained",
    )
    ax = fig.subplots()
    width = 0.8 / max(1, len(scs))
    x = np.arange(len(outcomes))
    for i, (sc, c) in enumerate(zip(scs, _colors(len(scs)), strict=True)):
        d = t[t["scenario"] == sc].set_index("outcome").reindex(outcomes)
        p = d["p"].to_numpy(dtype=float)
        err = np.vstack([p - d["lo"].to_numpy(dtype=float), d["hi"].to_numpy(dtype=float) - p])
        n = int(d["n"].max()) if d["n"].notna().any() else 0
        ax.bar(
            x + (i - (len(scs) - 1) / 2) * width,
            p,
            width,
            yerr=err,
            capsize=3,
            color=c,
            label=f"{sc} (n={n})",
        )
    ax.set_xticks(x, [o.replace("_", " ") for o in outcomes], rotation=0)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        "end states per scenario (bars: 95% Wilson intervals)"
        if kind == "end_state"
        else "outcomes per scenario (bars: 95% Wilson intervals)",
        fontsize=11,
    )
    ax.legend(fontsize=9)
    return fig
