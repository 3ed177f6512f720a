"""Outcomes (DESIGN.md §4.5): the per-month series, the end-state class, the summary.

The series is recorded into a preallocated numpy table (one row per month,
step 0 the initial state) and turned into the ``RunResult.series`` DataFrame
once, at the end of a run; the model's Mesa ``DataCollector`` holds the
headline reporters for ``SolaraViz`` and ``mesa.batch_run``.
"""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..scenario.types import month_name
from .result import EVENT_COLUMNS

if TYPE_CHECKING:
    from .model import LibyaModel

#: every end state a run can be classified in, from settled to violent (display order)
END_STATES = ("unified_election", "takeover", "partition", "renewed_war", "status_quo")
#: flags a run can raise besides its end state
FLAGS = ("jihadist_resurgence",)


class SeriesRecorder:
    """Fills one row per step with every series variable of the RunResult contract."""

    def __init__(self, m: LibyaModel) -> None:
        self.m = m
        f, s = m.faction_ids, m.sponsor_ids
        cols: list[str] = []
        for var in ("strength", "territory", "population", "legitimacy", "popularity"):
            cols += [f"{var}.{x}" for x in f]
        cols += [f"support.{a}.{b}" for a in s for b in f]
        cols += [f"budget.{a}" for a in s]
        cols += [f"settlement.{i}" for i in m.issue_ids]
        cols += ["threat_index", "fatalities", "battle_deaths"]
        self.columns = cols
        self.table = np.zeros((m.months + 1, len(cols)))
        self.steps: list[int] = []
        F, S = m.F, m.S
        # column offsets of each block of the row
        o = np.cumsum([0, F, F, F, F, F, S * F, S, m.I, 3])
        self._blocks = [slice(int(a), int(b)) for a, b in pairwise(o)]

    def record(self) -> None:
        m = self.m
        row = len(self.steps)
        if row >= len(self.table):  # stepped beyond the planned months
            self.table = np.vstack([self.table, np.zeros_like(self.table)])
        r = self.table[row]
        b = self._blocks
        r[b[0]] = m.strength
        r[b[1]] = m.territory()
        r[b[2]] = m.population_controlled()
        r[b[3]] = m.legitimacy
        r[b[4]] = m.popularity @ m.pop_share
        np.add.reduce(m.flows, axis=2, out=r[b[5]].reshape(m.S, m.F))
        np.add.reduce(m.budget, axis=1, out=r[b[6]])
        r[b[7]] = m.settlement[: m.I]
        r[b[8]] = (m.threat, m.fatalities, m.battle_deaths)
        self.steps.append(m.steps)

    def frame(self) -> pd.DataFrame:
        m = self.m
        n = len(self.steps)
        df = pd.DataFrame(self.table[:n], columns=self.columns)
        df.insert(0, "month", [month_name(m.start_index + k) for k in self.steps])
        df.insert(0, "step", np.array(self.steps, dtype=np.int64))
        return df


def events_frame(m: LibyaModel) -> pd.DataFrame:
    df = pd.DataFrame(m.event_log, columns=EVENT_COLUMNS)
    df["step"] = df["step"].astype(np.int64)
    df["fatalities"] = df["fatalities"].astype(float)
    return df


def _blocs(m: LibyaModel) -> np.ndarray:
    """Bloc label per faction: allies and faction-to-faction supporters join one bloc."""
    link = (m.alliance > 0) | (m.faction_edges.sum(axis=2) > 0)
    link = link | link.T
    label = np.arange(m.F)
    changed = True
    while changed:
        changed = False
        for i, j in np.argwhere(link):
            lo = min(label[i], label[j])
            if label[i] != lo or label[j] != lo:
                label[i] = label[j] = lo
                changed = True
    return label


def classify(m: LibyaModel, series: pd.DataFrame) -> tuple[str, list[str], dict[str, Any]]:
    """End state from the Outcomes thresholds over the last ``window_months``."""
    o = m.o
    w = series.tail(min(o.window_months, len(series) - 1) or 1)
    pop = np.array([w[f"population.{f}"].mean() for f in m.faction_ids])
    strength = np.array([w[f"strength.{f}"].mean() for f in m.faction_ids])
    ns = np.where(m.jihadist, 0.0, strength)
    share = ns / ns.sum() if ns.sum() > 0 else ns
    war = float(w["battle_deaths"].mean()) if len(series) > 1 else 0.0
    top = int(np.argmax(np.where(m.jihadist, -1, pop)))
    why: dict[str, Any] = {
        "window_months": len(w),
        "mean_battle_deaths": round(war, 2),
        "top_faction": m.faction_ids[top],
        "top_population_share": round(float(pop[top]), 4),
        "top_strength_share": round(float(share[top]), 4),
    }
    election = m.election_result
    # blocs: population held by each bloc of non-jihadist factions
    label = _blocs(m)
    bloc_pop: dict[int, float] = {}
    for i in range(m.F):
        if not m.jihadist[i]:
            bloc_pop[label[i]] = bloc_pop.get(label[i], 0.0) + pop[i]
    ranked = sorted(bloc_pop.items(), key=lambda kv: -kv[1])
    rival = False
    if len(ranked) >= 2:
        a = [i for i in range(m.F) if label[i] == ranked[0][0]]
        b = [i for i in range(m.F) if label[i] == ranked[1][0]]
        rival = bool(m.hostility[np.ix_(a, b)].max() > 0) and ranked[1][1] >= float(
            o.partition_min_share.value
        )
        why["blocs"] = [[m.faction_ids[i] for i in a], [m.faction_ids[i] for i in b]]
        why["bloc_population_shares"] = [round(ranked[0][1], 4), round(ranked[1][1], 4)]
    if (
        pop[top] >= float(o.takeover_population_share.value)
        and share[top] >= float(o.takeover_strength_share.value)
    ) or (election is not None and election.get("consolidated")):
        state = "takeover"
    elif war >= float(o.war_fatalities.value):
        state = "renewed_war"
    elif election is not None and election.get("accepted"):
        state = "unified_election"
    elif rival and ranked[0][1] >= float(o.partition_min_share.value):
        state = "partition"
    else:
        state = "status_quo"
    flags = []
    j0 = float(m.strength0[m.jihadist].sum())
    j1 = float(m.strength[m.jihadist].sum())
    why["jihadist_strength"] = [round(j0, 1), round(j1, 1)]
    if j0 > 0 and j1 / j0 >= float(o.resurgence_ratio.value):
        flags.append(FLAGS[0])
    return state, flags, why


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    out = []
    for pkg in ("libyasim", "mesa", "numpy"):
        try:
            out.append((pkg, version(pkg)))
        except PackageNotFoundError:
            out.append((pkg, "unknown"))
    return tuple(out)


def versions() -> dict[str, str]:
    """Versions of libyasim, Mesa and numpy (looked up once per process)."""
    return dict(_versions())


def summary(m: LibyaModel, series: pd.DataFrame, events: pd.DataFrame) -> dict[str, Any]:
    state, flags, why = classify(m, series)
    last = series.iloc[-1]
    battles = events[events["kind"] == "battle"] if len(events) else events
    return {
        "scenario_id": m.spec.id,
        "scenario_title": m.spec.title,
        "scenario_hash": m.spec.hash,
        "seed": m.seed,
        "start": m.spec.start,
        "end": m.month,
        "months": int(m.steps),
        "end_state": state,
        "flags": flags,
        "classification": why,
        "election": m.election_result,
        "interventions": [ev.report() for ev in m.events],
        "factions": {
            f: {
                "strength": round(float(last[f"strength.{f}"]), 1),
                "strength_start": round(float(m.strength0[i]), 1),
                "territory": round(float(last[f"territory.{f}"]), 4),
                "population": round(float(last[f"population.{f}"]), 4),
                "legitimacy": round(float(last[f"legitimacy.{f}"]), 4),
                "popularity": round(float(last[f"popularity.{f}"]), 4),
            }
            for i, f in enumerate(m.faction_ids)
        },
        "settlement": {k: round(float(last[f"settlement.{k}"]), 4) for k in m.issue_ids},
        "total_fatalities": round(float(series["fatalities"].iloc[1:].sum()), 1),
        "battle_deaths": round(float(series["battle_deaths"].iloc[1:].sum()), 1),
        "months_of_fighting": int((series["battle_deaths"].iloc[1:] > 0).sum()),
        "battles": len(battles),
        "control_changes": int((events["kind"] == "control_change").sum()) if len(events) else 0,
        "threat_index": round(float(last["threat_index"]), 4),
        "versions": versions(),
    }
