"""Headline outcomes: the few numbers per run that the audit and the mechanism
gate judge a run by (issue 11).

A small registry, in the EMA Workbench's vocabulary of named outcomes: each
:class:`Headline` has a name and a function of a run (:class:`RunView`: the
``summary`` :func:`libyasim.model.run` returns in ``RunResult.summary`` and,
when the run is at hand, its event log) giving a float, or a ``{key: float}``
dict expanded to ``name.key`` (one value per faction, per region, per end
state). A value is ``nan`` where the outcome does not apply to the run (no
ceasefire in the scenario, no unity measure in the summary, no event log
when only a summary is given).

To add an outcome (model v2: ``unity_index``, ...), write its function and
add one :class:`Headline` to :data:`HEADLINES`; the audit, the mechanism gate
and the runs tables (``fig.headline.<name>`` columns of an audit batch) pick
it up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .outcomes import END_STATES, FLAGS

Value = float | dict[str, float]


@dataclass(frozen=True)
class RunView:
    """What a headline reads of one run: its summary and, when known, its event
    log, as columns (``RunResult.event_table`` or the ``RunResult.events``
    DataFrame: ``step, kind, region, actor1, actor2, fatalities``)."""

    summary: Mapping[str, Any]
    events: Any = None

    @classmethod
    def of(cls, run: Any) -> RunView:
        """A view of a ``RunResult`` (summary and event log, read as arrays: no
        DataFrame is built) or of a bare summary."""
        if isinstance(run, RunView):
            return run
        if isinstance(run, Mapping):
            return cls(run)
        table = getattr(run, "event_table", None)
        return cls(run.summary, table if table is not None else run.events)

    def column(self, name: str) -> np.ndarray:
        """One column of the event log as an array (``kind``, ``fatalities``, ...)."""
        assert self.events is not None
        col = self.events[name]
        if name == "fatalities":
            return np.asarray(col, dtype=float)
        if name == "step":
            return np.asarray(col, dtype=np.int64)
        return np.asarray(col, dtype=object)


@dataclass(frozen=True)
class Headline:
    """A named outcome of a run: ``value(view)`` → float or ``{key: float}``."""

    name: str
    description: str
    value: Callable[[RunView], Value]


def _num(x: Any) -> float:
    if x is None or isinstance(x, bool | str):
        return float(x) if isinstance(x, bool) else math.nan
    return float(x)


def _population_shares(v: RunView) -> dict[str, float]:
    return {f: _num(x.get("population")) for f, x in v.summary.get("factions", {}).items()}


def _faction_field(key: str) -> Callable[[RunView], dict[str, float]]:
    def value(v: RunView) -> dict[str, float]:
        return {f: _num(x.get(key)) for f, x in v.summary.get("factions", {}).items()}

    return value


def _settlement(v: RunView) -> dict[str, float]:
    return {k: _num(x) for k, x in (v.summary.get("settlement") or {}).items()}


def _end_states(v: RunView) -> dict[str, float]:
    return {state: float(v.summary.get("end_state") == state) for state in END_STATES}


def _flags(v: RunView) -> dict[str, float]:
    raised = set(v.summary.get("flags") or ())
    return {f: float(f in raised) for f in FLAGS}


def _ceasefire_months(v: RunView) -> float:
    """Months the scenario's ceasefires held (summed; nan without a ceasefire)."""
    held = [
        _num(ev.get("months_held", 0))
        for ev in v.summary.get("interventions", [])
        if ev.get("type") == "ceasefire"
    ]
    return float(sum(held)) if held else math.nan


def _classification(key: str) -> Callable[[RunView], float]:
    def value(v: RunView) -> float:
        return _num(v.summary.get("classification", {}).get(key))

    return value


def _summary_key(key: str) -> Callable[[RunView], float]:
    def value(v: RunView) -> float:
        return _num(v.summary.get(key))

    return value


def _vote_shares(v: RunView) -> dict[str, float]:
    """Each faction's national vote share at the scenario's election (nan for a
    faction that did not stand, or when no election was held)."""
    shares = (v.summary.get("election") or {}).get("shares") or {}
    return {f: _num(shares.get(f)) for f in v.summary.get("factions", {})}


def _regions(v: RunView) -> list[str]:
    return list(v.summary.get("final_control") or {})


def _raid_deaths(v: RunView) -> float:
    """Deaths in jihadist raids and scheduled attacks (the log's ``raid`` rows)."""
    if v.events is None:
        return math.nan
    return float(v.column("fatalities")[v.column("kind") == "raid"].sum())


def _region_deaths(v: RunView) -> dict[str, float]:
    """Deaths from all causes in each region over the run."""
    regions = _regions(v)
    if v.events is None:
        return dict.fromkeys(regions, math.nan)
    where, deaths = v.column("region"), v.column("fatalities")
    return {r: float(deaths[where == r].sum()) for r in regions}


def _holder(x: Any) -> str | None:
    return x if isinstance(x, str) and x else None


def _held_months(v: RunView) -> dict[str, float]:
    """Months each region stays with the faction that held it at the start (the
    loser of its first logged ``control_change``, else its holder at the end;
    a region nobody held counts the months it stays unheld): the months, out
    of the run's, at whose end it is still, or again, in those hands."""
    regions = _regions(v)
    months = int(_num(v.summary.get("months")))
    if v.events is None:
        return dict.fromkeys(regions, math.nan)
    change = np.flatnonzero(v.column("kind") == "control_change")
    order = change[np.argsort(v.column("step")[change], kind="stable")]
    steps = v.column("step")[order]
    where = v.column("region")[order]
    winners, losers = v.column("actor1")[order], v.column("actor2")[order]
    out = {}
    for r in regions:
        mine = np.flatnonzero(where == r)
        if not len(mine):
            out[r] = float(months)
            continue
        first = holder = _holder(losers[mine[0]])
        held = last = 0
        for i in mine:
            # months last+1 .. step-1 end with `holder`; from month `step` the winner holds
            held += (int(steps[i]) - 1 - last) * (holder == first)
            holder, last = _holder(winners[i]), int(steps[i]) - 1
        out[r] = float(held + (months - last) * (holder == first))
    return out


#: the registry, in display order
HEADLINES: tuple[Headline, ...] = (
    Headline(
        "total_deaths", "deaths from all causes over the run", _summary_key("total_fatalities")
    ),
    Headline("battle_deaths", "deaths in battles over the run", _summary_key("battle_deaths")),
    Headline(
        "population_share",
        "share of the population each faction controls at the end (one outcome per faction)",
        _population_shares,
    ),
    Headline(
        "strength",
        "fighters each faction has at the end (one outcome per faction)",
        _faction_field("strength"),
    ),
    Headline(
        "legitimacy",
        "each faction's legitimacy at the end, 0-1 (one outcome per faction)",
        _faction_field("legitimacy"),
    ),
    Headline(
        "popularity",
        "each faction's population-weighted popularity at the end, 0-1",
        _faction_field("popularity"),
    ),
    Headline(
        "settlement",
        "the bargaining model's forecast settlement on each issue axis at the end, 0-1",
        _settlement,
    ),
    Headline(
        "end_state", "1 if the run ends in this end state, else 0 (one per end state)", _end_states
    ),
    Headline("flag", "1 if the run raises this flag, else 0", _flags),
    Headline("ceasefire_months", "months the scenario's ceasefires held", _ceasefire_months),
    Headline(
        "unity_index",
        "the summary's unity measure, when the model gives one",
        _summary_key("unity_index"),
    ),
    Headline(
        "jihadist_strength_ratio",
        "jihadist factions' strength at the end over that at the start",
        _classification("jihadist_strength_ratio"),
    ),
    Headline(
        "vote_share",
        "each faction's national vote share at the scenario's election (nan if it did not "
        "stand or no vote was held)",
        _vote_shares,
    ),
    Headline(
        "raid_deaths",
        "deaths in jihadist raids and scheduled attacks over the run (needs the event log)",
        _raid_deaths,
    ),
    Headline(
        "region_deaths",
        "deaths from all causes in each region over the run (needs the event log)",
        _region_deaths,
    ),
    Headline(
        "held_months",
        "months each region stays with the faction holding it at the start (needs the event log)",
        _held_months,
    ),
)

BY_NAME = {h.name: h for h in HEADLINES}


def headline_values(run: Any) -> dict[str, float]:
    """Every headline outcome of one run, ``{name: value}`` (dicts expanded to
    ``name.key``; ``nan`` where it does not apply). ``run``: a ``RunResult`` (or
    a :class:`RunView`), or a bare summary (the outcomes that read the event log
    are then ``nan``)."""
    view = RunView.of(run)
    out: dict[str, float] = {}
    for h in HEADLINES:
        v = h.value(view)
        if isinstance(v, dict):
            out.update({f"{h.name}.{k}": float(x) for k, x in v.items()})
        else:
            out[h.name] = float(v)
    return out


def describe(outcome: str) -> str:
    """The description of an outcome name (``population_share.lna`` → its headline's)."""
    head, _, key = outcome.partition(".")
    h = BY_NAME.get(head)
    if h is None:
        return outcome
    return f"{h.description} ({key})" if key else h.description


__all__ = ["BY_NAME", "HEADLINES", "Headline", "RunView", "describe", "headline_values"]
