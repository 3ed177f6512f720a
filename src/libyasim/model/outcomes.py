"""Outcomes (DESIGN.md §4.5): the per-month series, the end-state class, the summary.

The series is recorded into a preallocated numpy table (one row per month,
step 0 the initial state) and turned into the ``RunResult.series`` DataFrame
once, at the end of a run; the model's Mesa ``DataCollector`` holds the
headline reporters for ``SolaraViz`` and ``mesa.batch_run``.

The end state is decided in two steps: :func:`criteria` measures, on the run,
every quantity the decision uses (stored in ``summary["classification"]``, and
by a batch as ``fig.classification.<name>`` columns); :func:`decide` is a pure
function of those criteria and the scenario's ``outcomes`` thresholds, so it
can be re-applied to stored runs with moved thresholds (``libyasim report``'s
threshold robustness) without running the model again.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..scenario.types import month_name
from .result import EVENT_COLUMNS

if TYPE_CHECKING:
    from ..scenario.schema import Outcomes
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


#: the thresholds of :class:`~libyasim.scenario.schema.Outcomes` that :func:`decide`
#: compares the criteria with (``window_months`` is not among them: it shapes the
#: criteria themselves, so moving it needs new runs)
THRESHOLDS = (
    "takeover_population_share",
    "takeover_strength_share",
    "war_fatalities",
    "partition_min_share",
    "resurgence_ratio",
)

#: the criteria :func:`decide` reads, each a number or a bool (stored in
#: ``summary["classification"]`` and as ``fig.classification.<name>`` columns of a
#: batch's runs table); ``classification`` also holds descriptive extras
#: (``top_faction``, ``blocs``) that the decision does not use
CRITERIA = (
    "window_months",
    "mean_battle_deaths",
    "top_population_share",
    "top_strength_share",
    "top_bloc_share",
    "second_bloc_share",
    "blocs_hostile",
    "election_held",
    "election_accepted",
    "election_consolidated",
    "jihadist_strength_start",
    "jihadist_strength_end",
    "jihadist_strength_ratio",
)


def criteria(m: LibyaModel, series: pd.DataFrame) -> dict[str, Any]:
    """Every continuous quantity the end-state decision uses, measured on a run.

    Means over the last ``outcomes.window_months`` months of ``series``:
    ``mean_battle_deaths`` (monthly battle deaths), and for the non-jihadist
    faction holding most population (``top_faction``) its
    ``top_population_share`` and ``top_strength_share`` (of all non-jihadist
    fighters). Blocs (allies and faction-to-faction supporters join one bloc):
    the population share of the largest (``top_bloc_share``) and second
    (``second_bloc_share``, 0 without a second bloc) and whether any of their
    factions are hostile (``blocs_hostile``). The election, if one was held:
    ``election_held``, ``election_accepted``, ``election_consolidated``.
    Jihadist factions' total strength at the start and the end, and their
    ratio (0 when there were none at the start).

    Values are unrounded, so :func:`decide` gives the same answer on stored
    criteria as on the live run. Model v2 may measure these differently; the
    names are the contract with :func:`decide`.
    """
    o = m.o
    w = series.tail(min(o.window_months, len(series) - 1) or 1)
    pop = np.array([w[f"population.{f}"].mean() for f in m.faction_ids])
    strength = np.array([w[f"strength.{f}"].mean() for f in m.faction_ids])
    ns = np.where(m.jihadist, 0.0, strength)
    share = ns / ns.sum() if ns.sum() > 0 else ns
    war = float(w["battle_deaths"].mean()) if len(series) > 1 else 0.0
    top = int(np.argmax(np.where(m.jihadist, -1, pop)))
    # blocs: population held by each bloc of non-jihadist factions
    label = _blocs(m)
    bloc_pop: dict[int, float] = {}
    for i in range(m.F):
        if not m.jihadist[i]:
            bloc_pop[label[i]] = bloc_pop.get(label[i], 0.0) + pop[i]
    ranked = sorted(bloc_pop.items(), key=lambda kv: -kv[1])
    blocs: list[list[str]] = []
    hostile = False
    if len(ranked) >= 2:
        a = [i for i in range(m.F) if label[i] == ranked[0][0]]
        b = [i for i in range(m.F) if label[i] == ranked[1][0]]
        hostile = bool(m.hostility[np.ix_(a, b)].max() > 0)
        blocs = [[m.faction_ids[i] for i in a], [m.faction_ids[i] for i in b]]
    election = m.election_result
    j0 = float(m.strength0[m.jihadist].sum())
    j1 = float(m.strength[m.jihadist].sum())
    return {
        "window_months": len(w),
        "mean_battle_deaths": war,
        "top_faction": m.faction_ids[top],
        "top_population_share": float(pop[top]),
        "top_strength_share": float(share[top]),
        "top_bloc_share": float(ranked[0][1]) if ranked else 0.0,
        "second_bloc_share": float(ranked[1][1]) if len(ranked) >= 2 else 0.0,
        "blocs_hostile": hostile,
        "blocs": blocs,
        "election_held": election is not None,
        "election_accepted": bool(election is not None and election.get("accepted")),
        "election_consolidated": bool(election is not None and election.get("consolidated")),
        "jihadist_strength_start": j0,
        "jihadist_strength_end": j1,
        "jihadist_strength_ratio": j1 / j0 if j0 > 0 else 0.0,
    }


def threshold_values(thresholds: Outcomes | Mapping[str, float]) -> dict[str, float]:
    """The :data:`THRESHOLDS` as plain floats, from an ``Outcomes`` block or a mapping."""
    if isinstance(thresholds, Mapping):
        return {k: float(thresholds[k]) for k in THRESHOLDS}
    return {k: float(getattr(thresholds, k).value) for k in THRESHOLDS}


def decide(
    criteria: Mapping[str, Any], thresholds: Outcomes | Mapping[str, float]
) -> tuple[str, list[str]]:
    """The end state and flags of a run from its :func:`criteria` (DESIGN §4.5).

    Pure: no model needed, so it can be re-applied to stored runs with other
    ``thresholds`` (an ``Outcomes`` block, or a mapping of each name in
    :data:`THRESHOLDS` to a number). The first rule that applies wins:
    ``takeover``, ``renewed_war``, ``unified_election``, ``partition``, else
    ``status_quo``; ``jihadist_resurgence`` is a flag.
    """
    t = threshold_values(thresholds)
    c = criteria
    pms = t["partition_min_share"]
    if (
        c["top_population_share"] >= t["takeover_population_share"]
        and c["top_strength_share"] >= t["takeover_strength_share"]
    ) or bool(c["election_consolidated"]):
        state = "takeover"
    elif c["mean_battle_deaths"] >= t["war_fatalities"]:
        state = "renewed_war"
    elif bool(c["election_accepted"]):
        state = "unified_election"
    elif bool(c["blocs_hostile"]) and c["second_bloc_share"] >= pms and c["top_bloc_share"] >= pms:
        state = "partition"
    else:
        state = "status_quo"
    flags = []
    j0, j1 = c["jihadist_strength_start"], c["jihadist_strength_end"]
    if j0 > 0 and j1 / j0 >= t["resurgence_ratio"]:
        flags.append(FLAGS[0])
    return state, flags


def stored_criteria(row: Mapping[str, Any]) -> dict[str, Any]:
    """The :data:`CRITERIA` of one stored run: from a batch runs-table row (columns
    ``fig.classification.<name>``) or a summary's ``classification`` dict."""
    out: dict[str, Any] = {}
    for k in CRITERIA:
        v = row.get(f"fig.classification.{k}", row.get(k))
        if v is None:
            raise KeyError(f"the stored run has no criterion {k!r} (stored by an older libyasim?)")
        out[k] = v
    return out


def classify(m: LibyaModel, series: pd.DataFrame) -> tuple[str, list[str], dict[str, Any]]:
    """End state, flags and the :func:`criteria` they were decided on."""
    why = criteria(m, series)
    state, flags = decide(why, m.o)
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
