"""Outcomes (DESIGN.md §4.5): the per-month series, the end-state class, the summary.

The series is recorded into a preallocated numpy table (one row per month,
step 0 the initial state) and turned into the ``RunResult.series`` DataFrame
once, at the end of a run; the model's Mesa ``DataCollector`` holds the
headline reporters for ``SolaraViz`` and ``mesa.batch_run``.

The end state is decided in two steps: :func:`criteria` measures, on the run,
every quantity the decision uses (stored in ``summary["classification"]``, and
by a batch as ``fig__classification__<name>`` columns); :func:`decide` is a pure
function of those criteria and the scenario's ``outcomes`` thresholds, so it
can be re-applied to stored runs with moved thresholds (``libyasim report``'s
threshold robustness) without running the model again.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from .args import f1, f2, f3, i1, table
from .eventlog import ACTOR1, ACTOR2, DEATHS, KIND, REGION, STEP, month_text, round3
from .jit import kernel
from .result import EventTable, SeriesTable

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
        columns, blocks = _layout(tuple(m.faction_ids), tuple(m.sponsor_ids), tuple(m.issue_ids))
        self.columns = list(columns)
        self.table = np.zeros((m.months + 1, len(columns)))
        self.steps: list[int] = []
        self._blocks = list(blocks)  # the column slices of each block of the row

    def room(self) -> int:
        """The next row of :attr:`table` (grown when stepped beyond the planned months)."""
        row = len(self.steps)
        if row >= len(self.table):
            self.table = np.vstack([self.table, np.zeros_like(self.table)])
        return row

    def record(self) -> None:
        m = self.m
        row = self.room()
        _record_p(table(m, _RECORD), self.table[row], m.I, m.threat, m.fatalities,
                  m.battle_deaths)  # fmt: skip
        self.steps.append(m.steps)

    def arrays(self) -> SeriesTable:
        """The rows recorded so far, as arrays (a copy)."""
        m = self.m
        n = len(self.steps)
        return SeriesTable(
            steps=np.array(self.steps, dtype=np.int64),
            months=[month_text(m.start_index + k) for k in self.steps],
            columns=self.columns,
            values=self.table[:n].copy(),
        )

    def frame(self) -> pd.DataFrame:
        return self.arrays().frame()


@functools.lru_cache(maxsize=64)
def _layout(
    f: tuple[str, ...], s: tuple[str, ...], issues: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[slice, ...]]:
    """The series columns of a model with these factions, sponsors and issues, and
    the column slices of the blocks of a row (made once per set of ids)."""
    cols: list[str] = []
    for var in ("strength", "territory", "population", "legitimacy", "popularity"):
        cols += [f"{var}.{x}" for x in f]
    cols += [f"support.{a}.{b}" for a in s for b in f]
    cols += [f"budget.{a}" for a in s]
    cols += [f"settlement.{i}" for i in issues]
    cols += ["threat_index", "fatalities", "battle_deaths"]
    F, S = len(f), len(s)
    o = np.cumsum([0, F, F, F, F, F, S * F, S, len(issues), 3]).tolist()
    return tuple(cols), tuple(slice(a, b) for a, b in pairwise(o))


#: :func:`_record`'s arrays (the model's, by attribute name) in the slots of its table
#: (:mod:`.args`), for :func:`_record_p`
_RECORD = (
    "strength", "control", "pop_share", "legitimacy", "popularity", "flows", "budget",
    "settlement",
)  # fmt: skip


@kernel
def _record_p(t: np.ndarray, r: np.ndarray, n_issues: int, threat: float, fatalities: float,
              battle_deaths: float) -> None:  # fmt: skip
    """:func:`_record` on the arrays of the table ``t`` (:data:`_RECORD`)."""
    _record(r, f1(t, 0), i1(t, 1), f1(t, 2), f1(t, 3), f2(t, 4), f3(t, 5), f2(t, 6), f1(t, 7),
            n_issues, threat, fatalities, battle_deaths)  # fmt: skip


@kernel
def _record(r: np.ndarray, strength: np.ndarray, control: np.ndarray, pop_share: np.ndarray,
            legitimacy: np.ndarray, popularity: np.ndarray, flows: np.ndarray, budget: np.ndarray,
            settlement: np.ndarray, n_issues: int, threat: float, fatalities: float,
            battle_deaths: float) -> None:  # fmt: skip
    """One row of the series table (the column blocks of :class:`SeriesRecorder`)."""
    S, F, C = flows.shape
    R = control.shape[0]
    for f in range(F):
        r[f] = strength[f]
        r[F + f] = 0.0
        r[2 * F + f] = 0.0
        r[3 * F + f] = legitimacy[f]
        t = 0.0
        for j in range(R):
            t += popularity[f, j] * pop_share[j]
        r[4 * F + f] = t
    for j in range(R):
        if control[j] >= 0:
            r[F + control[j]] += 1.0
            r[2 * F + control[j]] += pop_share[j]
    for f in range(F):
        r[F + f] = r[F + f] / R
    o = 5 * F
    for s in range(S):
        for f in range(F):
            t = 0.0
            for c in range(C):
                t += flows[s, f, c]
            r[o + s * F + f] = t
    o += S * F
    for s in range(S):
        t = 0.0
        for c in range(budget.shape[1]):
            t += budget[s, c]
        r[o + s] = t
    o += S
    for i in range(n_issues):
        r[o + i] = settlement[i]
    o += n_issues
    r[o], r[o + 1], r[o + 2] = threat, fatalities, battle_deaths


def event_table(m: LibyaModel) -> EventTable:
    """The model's event log as columns."""
    return EventTable(m.logbook.columns())


def events_frame(m: LibyaModel) -> pd.DataFrame:
    return m.logbook.frame()


def _as_table(series: pd.DataFrame | SeriesTable) -> SeriesTable:
    return series if isinstance(series, SeriesTable) else SeriesTable.from_frame(series)


@functools.lru_cache(maxsize=64)
def _window_columns(columns: tuple[str, ...], factions: tuple[str, ...]) -> np.ndarray:
    """The columns :func:`criteria` averages over the window: population then strength
    of each faction, then battle deaths (made once per set of columns)."""
    where = _index(columns)
    wanted = [f"population.{f}" for f in factions] + [f"strength.{f}" for f in factions]
    return np.array([where[c] for c in [*wanted, "battle_deaths"]], dtype=np.intp)


@functools.lru_cache(maxsize=64)
def _index(columns: tuple[str, ...]) -> dict[str, int]:
    """Each series column's position (made once per set of columns; don't change it)."""
    return {c: j for j, c in enumerate(columns)}


def _blocs(m: LibyaModel) -> np.ndarray:
    """Bloc label per faction: allies and faction-to-faction supporters join one bloc,
    labelled by its lowest faction index."""
    link = (m.alliance > 0) | (m.faction_edges.sum(axis=2) > 0)
    linked = (link | link.T).tolist()
    pairs = [(i, j) for i, row in enumerate(linked) for j, x in enumerate(row) if x]
    label = list(range(m.F))
    changed = True
    while changed:
        changed = False
        for i, j in pairs:
            lo = min(label[i], label[j])
            if label[i] != lo or label[j] != lo:
                label[i] = label[j] = lo
                changed = True
    return np.array(label, dtype=np.int64)


def _controller_by_step(m: LibyaModel, region: int) -> list[int]:
    """Controller of ``region`` at the end of each step 0..steps, from the start and the
    ``control_change`` rows of the event log (−1: nobody; the last change of a step
    wins), read from the log's codes."""
    spec = m.spec.regions[region].controller
    now = m.fidx[spec] if spec else -1
    book = m.logbook
    kinds = set(book.codes_of("control_change"))
    regions = set(book.codes_of(m.region_ids[region]))
    changes: dict[int, int] = {}
    if kinds and regions:
        names = [*book.strings, None]  # code −1 → None
        codes, _ = book.rows()
        rows = _one_of(codes[:, KIND], kinds) & _one_of(codes[:, REGION], regions)
        for step, actor in codes[rows][:, [STEP, ACTOR1]].tolist():  # in log order
            changes[step] = m.fidx.get(names[actor], -1)  # type: ignore[arg-type]
    out = []
    for step in range(int(m.steps) + 1):
        now = changes.get(step, now)
        out.append(now)
    return out


def _one_of(column: np.ndarray, codes: set[int]) -> np.ndarray:
    """Where ``column`` holds one of ``codes`` (a few: usually one; ``np.isin`` costs
    several times as much on columns this short)."""
    out = np.zeros(len(column), dtype=bool)
    for c in codes:
        out |= column == c
    return out


def _deaths_between(m: LibyaModel, a: set[str], b: set[str], first: int) -> float:
    """Deaths in the battles between factions of ``a`` and of ``b`` from step ``first``
    on, as the event records show them (rounded to 3 decimals), added up in log order."""
    book = m.logbook
    battle = set(book.codes_of("battle"))
    between = 0.0
    if battle:
        names = [*book.strings, None]  # code −1 → None
        codes, values = book.rows()
        rows = np.flatnonzero(_one_of(codes[:, KIND], battle) & (codes[:, STEP] >= first))
        actors = codes[rows][:, [ACTOR1, ACTOR2]].tolist()
        for (i, j), d in zip(actors, values[rows, DEATHS].tolist(), strict=True):  # log order
            x, y = names[i], names[j]
            if (x in a and y in b) or (x in b and y in a):
                between += round3(d)
    return between


def capital_region(m: LibyaModel) -> int:
    """The region a military takeover must hold: ``outcomes.capital``, else the most
    populous region."""
    cap = m.o.capital
    return m.region_ids.index(cap) if cap else int(np.argmax(m.population))


def bloc_labels(m: LibyaModel) -> np.ndarray:
    """:func:`_blocs`, with the members of a unity government (if one formed) in one bloc."""
    label = _blocs(m)
    unity = getattr(m, "unity", None)
    if unity is not None and np.any(unity):
        members = np.flatnonzero(unity)
        merged = np.isin(label, label[members])
        label[merged] = label[members].min()
    return label


def unity_index(pop: np.ndarray, label: np.ndarray) -> float:
    """Herfindahl concentration of the controlled population among blocs (jihadist
    factions are blocs of their own): ``Σ_b s_b² / (Σ_b s_b)²``; 1 when one bloc holds
    all of it, 1/k for k equal blocs, 0 when nobody controls anyone."""
    shares = np.bincount(label, weights=pop, minlength=len(label))
    tot = shares.sum()
    return float((shares**2).sum() / tot**2) if tot > 0 else 0.0


#: the thresholds of :class:`~libyasim.scenario.schema.Outcomes` that :func:`decide`
#: compares the criteria with (``window_months`` and ``capital`` are not among them:
#: they shape the criteria themselves, so moving them needs new runs)
THRESHOLDS = (
    "takeover_population_share",
    "takeover_strength_share",
    "war_fatalities",
    "partition_min_share",
    "frozen_front_deaths",
    "resurgence_ratio",
)

#: the criteria :func:`decide` reads, each a number or a bool (stored in
#: ``summary["classification"]`` and as ``fig__classification__<name>`` columns of a
#: batch's runs table); ``classification`` also holds descriptive extras
#: (``top_faction``, ``capital_holder``, ``election_winner``, ``blocs``) that the
#: decision does not use
CRITERIA = (
    "window_months",
    "mean_battle_deaths",
    "top_population_share",
    "top_strength_share",
    "capital_held",
    "capital_taken",
    "capital_holder_population_share",
    "top_bloc_share",
    "second_bloc_share",
    "blocs_hostile",
    "deaths_between_blocs_per_year",
    "election_held",
    "election_accepted",
    "election_winner_strength_share",
    "jihadist_strength_start",
    "jihadist_strength_end",
    "jihadist_strength_ratio",
)


def criteria(m: LibyaModel, series: pd.DataFrame | SeriesTable) -> dict[str, Any]:
    """Every quantity the end-state decision uses, measured on a run (docs/ODD.md §7.6).

    Over the last ``outcomes.window_months`` months of ``series`` (means):
    ``mean_battle_deaths`` (monthly battle deaths); for the non-jihadist faction
    holding most population (``top_faction``) its ``top_population_share`` and
    ``top_strength_share`` (of all non-jihadist fighters). The capital
    (``outcomes.capital``, else the most populous region): ``capital_held`` if
    one non-jihadist faction (``capital_holder``) controlled it at the end of
    every month of the window, whether it took it (another faction, or nobody,
    held it at the start: ``capital_taken``) and its population share over the
    window. Blocs (allies,
    faction-to-faction supporters and a unity government's members join one
    bloc): the population share of the largest (``top_bloc_share``) and second
    (``second_bloc_share``, 0 without a second bloc), whether any of their
    factions are hostile (``blocs_hostile``) and the deaths in battles between
    them in the window, per year (``deaths_between_blocs_per_year``). The
    election, if one was held: ``election_held``, ``election_accepted`` and the
    winner's share of non-jihadist fighters over the window
    (``election_winner_strength_share``). Jihadist factions' total strength at
    the start and the end, and their ratio (0 when there were none at the start).

    Values are unrounded, so :func:`decide` gives the same answer on stored
    criteria as on the live run.
    """
    o = m.o
    table = _as_table(series)
    n = len(table) - 1  # months run
    k = min(min(o.window_months, n) or 1, len(table))
    # the window's means of the columns the decision reads, in one numpy pass
    read = _window_columns(tuple(table.columns), tuple(m.faction_ids))
    means = np.add.reduce(table.values[-k:, read], axis=0) / k  # what .mean(axis=0) does
    pop, strength = means[: m.F], means[m.F : 2 * m.F]
    ns = np.where(m.jihadist, 0.0, strength)
    total = ns.sum()
    share = ns / total if total > 0 else ns
    war = float(means[-1]) if n > 0 else 0.0
    top = int(np.argmax(np.where(m.jihadist, -1, pop)))
    # the capital, held through the window by one non-jihadist faction?
    cap = capital_region(m)
    ctl = _controller_by_step(m, cap)
    held_by = set(ctl[-k:]) if n > 0 else {ctl[0]}
    holder = held_by.pop() if len(held_by) == 1 else -1
    if holder >= 0 and m.jihadist[holder]:
        holder = -1
    # blocs: population held by each bloc of non-jihadist factions
    label = bloc_labels(m)
    labels, jihadist, pops = label.tolist(), m.jihadist.tolist(), pop.tolist()
    bloc_pop: dict[int, float] = {}
    for i in range(m.F):
        if not jihadist[i]:
            bloc_pop[labels[i]] = bloc_pop.get(labels[i], 0.0) + pops[i]
    ranked = sorted(bloc_pop.items(), key=lambda kv: -kv[1])
    blocs: list[list[str]] = []
    hostile = False
    between = 0.0
    if len(ranked) >= 2:
        a = [i for i in range(m.F) if labels[i] == ranked[0][0]]
        b = [i for i in range(m.F) if labels[i] == ranked[1][0]]
        hostile = bool(m.hostility[a][:, b].max() > 0)
        blocs = [[m.faction_ids[i] for i in a], [m.faction_ids[i] for i in b]]
        between = _deaths_between(m, set(blocs[0]), set(blocs[1]), int(m.steps) - k + 1)
    election = m.election_result
    winner = m.fidx.get(election.get("winner", ""), -1) if election else -1
    j0 = float(m.strength0[m.jihadist].sum())
    j1 = float(m.strength[m.jihadist].sum())
    return {
        "window_months": k,
        "mean_battle_deaths": war,
        "top_faction": m.faction_ids[top],
        "top_population_share": float(pop[top]),
        "top_strength_share": float(share[top]),
        "capital": m.region_ids[cap],
        "capital_holder": m.faction_ids[holder] if holder >= 0 else None,
        "capital_held": holder >= 0,
        "capital_taken": holder >= 0 and ctl[0] != holder,
        "capital_holder_population_share": float(pop[holder]) if holder >= 0 else 0.0,
        "top_bloc_share": float(ranked[0][1]) if ranked else 0.0,
        "second_bloc_share": float(ranked[1][1]) if len(ranked) >= 2 else 0.0,
        "blocs_hostile": hostile,
        "deaths_between_blocs_per_year": between * 12.0 / k,
        "blocs": blocs,
        "election_held": election is not None and bool(election.get("held", True)),
        "election_accepted": bool(election is not None and election.get("accepted")),
        "election_winner": election.get("winner") if election else None,
        "election_winner_strength_share": float(share[winner]) if winner >= 0 else 0.0,
        "jihadist_strength_start": j0,
        "jihadist_strength_end": j1,
        "jihadist_strength_ratio": j1 / j0 if j0 > 0 else 0.0,
        "unity_index": unity_index(np.maximum(pop, 0.0), label),
    }


def threshold_values(thresholds: Outcomes | Mapping[str, float]) -> dict[str, float]:
    """The :data:`THRESHOLDS` as plain floats, from an ``Outcomes`` block or a mapping."""
    if isinstance(thresholds, Mapping):
        return {k: float(thresholds[k]) for k in THRESHOLDS}
    return {k: float(getattr(thresholds, k).value) for k in THRESHOLDS}


def decide(
    criteria: Mapping[str, Any], thresholds: Outcomes | Mapping[str, float]
) -> tuple[str, list[str]]:
    """The end state and flags of a run from its :func:`criteria` (docs/ODD.md §7.6).

    Pure: no model needed, so it can be re-applied to stored runs with other
    ``thresholds`` (an ``Outcomes`` block, or a mapping of each name in
    :data:`THRESHOLDS` to a number). The first rule that applies wins:

    1. ``takeover``: an accepted election whose winner then holds at least
       ``takeover_strength_share`` of the non-jihadist fighters over the window;
       or a faction that took the capital (it did not hold it at the start)
       held it through the window with at least ``takeover_population_share``
       of the population;
    2. ``renewed_war``: battle deaths average ≥ ``war_fatalities`` a month;
    3. ``unified_election``: an election was held and accepted;
    4. ``partition``: the two largest blocs are hostile, each holds ≥
       ``partition_min_share`` of the population, and the deaths in battles
       between them stay under ``frozen_front_deaths`` a year (a frozen front);
    5. ``status_quo``: none of these — divided, contested, below war level.

    ``jihadist_resurgence`` is a flag: jihadist strength ends ≥
    ``resurgence_ratio`` × its start.
    """
    t = threshold_values(thresholds)
    c = criteria
    pms, tps = t["partition_min_share"], t["takeover_population_share"]
    by_election = (
        bool(c["election_accepted"])
        and c["election_winner_strength_share"] >= t["takeover_strength_share"]
    )
    by_force = (
        bool(c["capital_held"])
        and bool(c["capital_taken"])
        and c["capital_holder_population_share"] >= tps
    )
    if by_election or by_force:
        state = "takeover"
    elif c["mean_battle_deaths"] >= t["war_fatalities"]:
        state = "renewed_war"
    elif bool(c["election_accepted"]):
        state = "unified_election"
    elif (
        bool(c["blocs_hostile"])
        and c["second_bloc_share"] >= pms
        and c["top_bloc_share"] >= pms
        and c["deaths_between_blocs_per_year"] < t["frozen_front_deaths"]
    ):
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
    ``fig__classification__<name>``) or a summary's ``classification`` dict."""
    out: dict[str, Any] = {}
    for k in CRITERIA:
        v = row.get(f"fig__classification__{k}", row.get(k))
        if v is None:
            raise KeyError(f"the stored run has no criterion {k!r} (stored by an older libyasim?)")
        out[k] = v
    return out


def classify(
    m: LibyaModel, series: pd.DataFrame | SeriesTable
) -> tuple[str, list[str], dict[str, Any]]:
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


def ceasefire_months(m: LibyaModel) -> int:
    """Months at whose end at least one ceasefire was in force."""
    steps: set[int] = set()
    for ev in m.events:
        steps.update(getattr(ev, "in_force", ()))
    return len(steps)


#: the series variables :func:`summary` reports per faction at the end (besides the
#: strength at the start)
_FACTION_FIGURES = ("strength", "territory", "population", "legitimacy", "popularity")


class _At(NamedTuple):
    """Where :func:`summary` reads the series: each faction's id and its strength,
    territory, population, legitimacy and popularity columns; each issue's id and its
    settlement column; the threat index, fatalities and battle deaths columns."""

    factions: tuple[tuple[Any, ...], ...]  # (faction id, 5 columns)
    settlement: tuple[tuple[str, int], ...]  # (issue id, column)
    threat_index: int
    fatalities: int
    battle_deaths: int


@functools.lru_cache(maxsize=64)
def _summary_columns(
    columns: tuple[str, ...], factions: tuple[str, ...], issues: tuple[str, ...]
) -> _At:
    where = _index(columns)
    return _At(
        factions=tuple((f, *(where[f"{v}.{f}"] for v in _FACTION_FIGURES)) for f in factions),
        settlement=tuple((k, where[f"settlement.{k}"]) for k in issues),
        threat_index=where["threat_index"],
        fatalities=where["fatalities"],
        battle_deaths=where["battle_deaths"],
    )


def _nansum(x: np.ndarray) -> float:
    """``float(np.nansum(x))``, without its cost when nothing is NaN (the same sum)."""
    a = np.ascontiguousarray(x)  # nansum sums a contiguous copy
    total = float(a.sum())
    return float(np.nansum(a)) if total != total else total


def summary(
    m: LibyaModel,
    series: pd.DataFrame | SeriesTable,
    events: pd.DataFrame | EventTable,
) -> dict[str, Any]:
    table = _as_table(series)
    state, flags, why = classify(m, table)
    unity = why.pop("unity_index")
    # numpy from here: one row and three columns of the arrays
    at = _summary_columns(tuple(table.columns), tuple(m.faction_ids), tuple(m.issue_ids))
    last = table.values[-1].tolist()
    start = m.strength0.tolist()
    fatalities = _nansum(table.values[1:, at.fatalities])
    battle_deaths = table.values[1:, at.battle_deaths]
    kinds = events["kind"]
    if not isinstance(kinds, list):  # a DataFrame's column
        kinds = np.asarray(kinds, dtype=object).tolist()
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
                "strength": round(last[st], 1),
                "strength_start": round(start[i], 1),
                "territory": round(last[te], 4),
                "population": round(last[po], 4),
                "legitimacy": round(last[le], 4),
                "popularity": round(last[pp], 4),
            }
            for i, (f, st, te, po, le, pp) in enumerate(at.factions)
        },
        "settlement": {k: round(last[j], 4) for k, j in at.settlement},
        "total_fatalities": round(fatalities, 1),
        "battle_deaths": round(_nansum(battle_deaths), 1),
        "months_of_fighting": int((battle_deaths > 0).sum()),
        "battles": kinds.count("battle"),
        "control_changes": kinds.count("control_change"),
        "threat_index": round(last[at.threat_index], 4),
        "ceasefire_months": ceasefire_months(m),
        "unity_index": round(unity, 4),
        "largest_bloc_population": round(float(why["top_bloc_share"]), 4),
        "versions": versions(),
    }
