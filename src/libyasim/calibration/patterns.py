"""The patterns of Libya's 2014-2017 war as code: one table, easy to adjust.

Pattern-oriented modelling (Grimm et al. 2005, *Science* 310: 987) fits a model
to several weak patterns at once. Each :class:`Pattern` of :data:`PATTERNS`
transcribes a row of ``PATTERNS.md`` (the shared calibration brief): an id, a
title, whether it is **fitted** (its implausibility cuts the parameter space)
or **held back** (only checked, out of sample), and one or more
:class:`Target` s. A target is a metric of one run -- computed from the run's
monthly series, its event log and its summary (:class:`RunView`) -- with an
observed value and a tolerance half-width: the tolerance band is
``[target - tolerance, target + tolerance]``.

A metric that the model cannot compute (it needs an event kind the model never
logs, such as ``siege_started`` before model v2) raises
:class:`NotComputable`; the target is then reported as "not computable", never
a crash. ``needs`` lists the event kinds a target needs: if no run of the whole
calibration logged any of them, the target is not computable.

All figures are rounded public figures (Libya Body Count annual reports, UN
and press); each target's ``source`` says where its number comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd


class NotComputable(Exception):
    """This metric cannot be computed from this model's outputs."""


class Use(StrEnum):
    FIT = "fit"  # cuts the parameter space
    CHECK = "check"  # held back: reported out of sample


@dataclass
class RunView:
    """What a metric sees of one run.

    ``series``: one row per month (``month`` column ``YYYY-MM``) and columns
    ``<variable>.<actor>`` as in :class:`libyasim.model.RunResult`, step 0
    (the initial state) excluded. ``events``: the run's event log.
    ``summary``: numeric key figures. ``initial_control``: region -> faction
    controlling it at the start (from the scenario). ``intervention_months``:
    (sponsor, client, ``YYYY-MM``) -> months, the length of each scheduled
    ``direct_intervention`` (the log records only its start).
    """

    series: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    initial_control: dict[str, str | None] = field(default_factory=dict)
    intervention_months: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ev = self.events
        n = len(ev)
        self._ev: dict[str, np.ndarray] = {
            c: (ev[c].to_numpy(dtype=object) if n and c in ev else np.empty(0, dtype=object))
            for c in ("month", "kind", "region", "actor1", "actor2", "note")
        }
        self._ev["month"] = self._ev["month"].astype(str).astype(object)
        self._ev["fatalities"] = (
            ev["fatalities"].to_numpy(dtype=float) if n else np.empty(0, dtype=float)
        )
        self._ev["step"] = ev["step"].to_numpy(dtype=int) if n else np.empty(0, dtype=int)
        self._kinds: dict[str, pd.DataFrame] = {}

    # -- helpers the metrics share ------------------------------------------
    def months(self) -> list[str]:
        return [str(m) for m in self.series["month"]]

    def deaths(
        self,
        year: int | None = None,
        region: str | None = None,
        months: tuple[str, str] | None = None,
    ) -> float:
        """Deaths logged in the event log (battles, raids, attacks), filtered."""
        month, fat = self._ev["month"], self._ev["fatalities"]
        if not len(month):
            return 0.0
        mask = np.ones(len(month), dtype=bool)
        if year is not None:
            mask &= (month >= f"{year}-01") & (month <= f"{year}-12")
        if months is not None:
            mask &= (month >= months[0]) & (month <= months[1])
        if region is not None:
            mask &= self._ev["region"] == region
        return float(fat[mask].sum())

    def monthly_deaths(self, year: int) -> pd.Series:
        """Deaths per month of ``year`` (every month of the run in that year, zeros kept)."""
        months = [m for m in self.months() if m.startswith(f"{year}-")]
        return pd.Series([self.deaths(months=(m, m)) for m in months], index=months, dtype=float)

    def kinds(self, kind: str) -> pd.DataFrame:
        """The run's events of one kind (cached)."""
        got = self._kinds.get(kind)
        if got is None:
            ev = self.events
            got = ev[self._ev["kind"] == kind] if len(ev) else ev
            self._kinds[kind] = got
        return got

    def changes(self, region: str | None = None) -> pd.DataFrame:
        out = self.kinds("control_change")
        return out if region is None or not len(out) else out[out["region"] == region]

    def controller_by_month(self, region: str) -> list[str | None]:
        """The region's controller at the end of each month of the run."""
        if region not in self.initial_control:
            raise NotComputable(f"the scenario has no region {region!r}")
        cur = self.initial_control[region]
        ch = self.changes(region)
        by_month: dict[str, str] = {}
        if len(ch):
            for month, who in zip(ch["month"].astype(str), ch["actor1"], strict=True):
                by_month[month] = str(who)  # the last change of a month wins
        out = []
        for m in self.months():
            cur = by_month.get(m, cur)
            out.append(cur)
        return out

    def column(self, name: str) -> np.ndarray:
        if name not in self.series.columns:
            raise NotComputable(f"the run has no series {name!r}")
        return self.series[name].to_numpy(dtype=float)


Metric = Callable[[RunView], float]


@dataclass(frozen=True)
class Target:
    """One measurable part of a pattern: ``metric(run)`` against ``value ± tolerance``."""

    name: str
    metric: Metric
    value: float
    tolerance: float
    source: str
    needs: tuple[str, ...] = ()  # event kinds the metric needs the model to log

    @property
    def band(self) -> tuple[float, float]:
        return (self.value - self.tolerance, self.value + self.tolerance)


@dataclass(frozen=True)
class Pattern:
    id: str
    title: str
    use: Use
    targets: tuple[Target, ...]


# --------------------------------------------------------------------------- metrics


def _deaths(year: int, region: str | None = None, months: tuple[str, str] | None = None) -> Metric:
    return lambda run: run.deaths(year=year, region=region, months=months)


def _share(year: int, region: str) -> Metric:
    def metric(run: RunView) -> float:
        total = run.deaths(year=year)
        return run.deaths(year=year, region=region) / total if total > 0 else 0.0

    return metric


def _top_months_share(year: int, k: int) -> Metric:
    def metric(run: RunView) -> float:
        m = run.monthly_deaths(year)
        total = float(m.sum())
        return float(m.nlargest(k).sum()) / total if total > 0 else 0.0

    return metric


def _lull_ratio(run: RunView) -> float:
    """Mean monthly deaths Dec 2014 - Feb 2015 over the mean of the fighting months before."""
    lull = run.deaths(months=("2014-12", "2015-02")) / 3
    before = [m for m in run.months() if m < "2014-12"]
    if not before:
        raise NotComputable("the run starts after November 2014")
    ref = run.deaths(months=(before[0], before[-1])) / len(before)
    return lull / ref if ref > 0 else 1.0


def _months_until_held(region: str, faction: str) -> Metric:
    """Months from the start until ``faction`` holds ``region`` for the rest of the run
    (the run's length if it never does)."""

    def metric(run: RunView) -> float:
        ctl = run.controller_by_month(region)
        n = len(ctl)
        for i in range(n):
            if all(c == faction for c in ctl[i:]):
                return float(i)
        return float(n)

    return metric


def _share_of_months_not_held(region: str, faction: str, since: str) -> Metric:
    def metric(run: RunView) -> float:
        ctl = run.controller_by_month(region)
        window = [c for m, c in zip(run.months(), ctl, strict=True) if m >= since]
        if not window:
            raise NotComputable(f"the run ends before {since}")
        return sum(c != faction for c in window) / len(window)

    return metric


def _months_held(region: str, faction: str) -> Metric:
    return lambda run: float(sum(c == faction for c in run.controller_by_month(region)))


def _changes_per_year(run: RunView) -> float:
    return len(run.changes()) / (len(run.months()) / 12)


def _changes_of(region: str) -> Metric:
    return lambda run: float(len(run.changes(region)))


def _durations(run: RunView, start_kind: str, end_kind: str, only: str | None = None) -> list[int]:
    """Months from each start event to the next end event of the same attacker
    (``actor1``) in the same region; with ``only``, just those whose end note says so
    (``offensive_ended`` notes start with success, stalemate or retreat)."""
    starts = run.kinds(start_kind)
    ends = run.kinds(end_kind)
    steps: list[int] = []
    if not len(starts) or not len(ends):
        return steps
    e_key = list(zip(ends["region"].astype(str), ends["actor1"].astype(str), strict=True))
    e_step = ends["step"].to_numpy(dtype=int)
    e_note = ends["note"].astype(str).to_numpy()
    for region, actor, step in zip(
        starts["region"].astype(str), starts["actor1"].astype(str), starts["step"], strict=True
    ):
        for i, key in enumerate(e_key):
            if key == (region, actor) and e_step[i] >= step:
                if only is None or only in e_note[i]:
                    steps.append(int(e_step[i]) - int(step))
                break
    return steps


def _median_duration(start_kind: str, end_kind: str, only: str | None = None) -> Metric:
    def metric(run: RunView) -> float:
        d = _durations(run, start_kind, end_kind, only)
        if not d:
            raise NotComputable(f"no completed {start_kind} -> {end_kind} in this run")
        return float(np.median(d))

    return metric


def _sponsored_winner_share(run: RunView) -> float:
    """Share of control changes won by a faction that received foreign support that month."""
    ch = run.changes()
    if not len(ch):
        raise NotComputable("no control change in this run")
    support = {
        c: run.series[c].to_numpy(dtype=float)
        for c in run.series.columns
        if str(c).startswith("support.")
    }
    if not support:
        raise NotComputable("the run has no support series")
    row = {m: i for i, m in enumerate(run.months())}
    won = 0
    for month, who in zip(ch["month"].astype(str), ch["actor1"], strict=True):
        i = row.get(month)
        got = sum(v[i] for c, v in support.items() if i is not None and c.endswith(f".{who}"))
        won += got > 0
    return won / len(ch)


def _direct_windows(run: RunView) -> list[tuple[int, int, str, str, Any]]:
    """(first step, last step, sponsor, client, region) of each direct intervention
    the run logged: from its start until its end or six months after its start,
    whichever is later (the log records the start; the length comes from the
    scenario's event, ``RunView.intervention_months``)."""
    di = run.kinds("direct_intervention")
    if not len(di):
        return []
    out = []
    for a, b, m, step, region in zip(
        di["actor1"], di["actor2"], di["month"], di["step"], di["region"], strict=True
    ):
        n = run.intervention_months.get((str(a), str(b), str(m)[:7]), 0)
        out.append((int(step), int(step) + max(n, 6), str(a), str(b), region))
    return out


def _directly_supported(
    windows: list[tuple[int, int, str, str, Any]], step: int, region: str, who: str
) -> bool:
    """A sponsor was intervening directly for ``who`` at ``step``, in ``region`` or
    country-wide (an intervention logged without a region)."""
    return any(
        lo <= step <= hi and who in (a, b) and (pd.isna(r) or r == region)
        for lo, hi, a, b, r in windows
    )


def _campaign_victories(run: RunView) -> list[tuple[int, str, str]]:
    """(step, region, winner) of each change of control that an offensive of the
    winner on that region brought about: the change falls while the offensive is
    under way (launched at or before it, not ended before it). Changes from
    skirmishes, defections or realignments are left out."""
    ch = run.changes()
    starts = run.kinds("offensive_launched")
    if not len(ch) or not len(starts):
        return []
    ends = run.kinds("offensive_ended")
    e_key = list(zip(ends["region"].astype(str), ends["actor1"].astype(str), strict=True))
    e_step = ends["step"].to_numpy(dtype=int)
    spans: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for region, actor, step in zip(
        starts["region"].astype(str), starts["actor1"].astype(str), starts["step"], strict=True
    ):
        later = [int(e_step[i]) for i, k in enumerate(e_key) if k == (region, actor)]
        later = [x for x in later if x >= int(step)]
        spans.setdefault((region, actor), []).append(
            (int(step), float(min(later)) if later else float("inf"))
        )
    out = []
    for step, region, who in zip(
        ch["step"], ch["region"].astype(str), ch["actor1"].astype(str), strict=True
    ):
        if any(lo <= int(step) <= hi for lo, hi in spans.get((region, who), [])):
            out.append((int(step), region, who))
    return out


def _direct_support_campaign_share(run: RunView) -> float:
    """Among the changes of control won by an offensive (:func:`_campaign_victories`:
    a siege or campaign that ends with the town changing hands), the share won by a
    faction a sponsor was intervening for directly -- air strikes, drones, advisers
    (a ``direct_intervention`` naming it, in that region or country-wide, over the
    window of :func:`_direct_windows`)."""
    won = _campaign_victories(run)
    if not won:
        raise NotComputable("no offensive ended with a change of control in this run")
    windows = _direct_windows(run)
    return sum(_directly_supported(windows, *w) for w in won) / len(won)


def _hedge_share(sponsors: Sequence[str]) -> Metric:
    """Mean over ``sponsors`` and months of the share of support going to the top client."""

    def metric(run: RunView) -> float:
        shares = []
        for s in sponsors:
            cols = [c for c in run.series.columns if str(c).startswith(f"support.{s}.")]
            if not cols:
                continue
            x = run.series[cols].to_numpy(dtype=float)
            tot = x.sum(axis=1)
            ok = tot > 0
            if ok.any():
                shares.append(float((x[ok].max(axis=1) / tot[ok]).mean()))
        if not shares:
            raise NotComputable(f"none of {', '.join(sponsors)} gave support in this run")
        return float(np.mean(shares))

    return metric


def _unity_without_vote(run: RunView) -> float:
    """Unity governments formed with no election held in the 12 months before."""
    unity = run.kinds("unity_government")
    held = run.kinds("election_held")
    n = 0
    for step in unity["step"]:
        n += not ((held["step"] <= step) & (held["step"] > step - 12)).any()
    return float(n)


def _count(kind: str) -> Metric:
    return lambda run: float(len(run.kinds(kind)))


def _elections_rejected(run: RunView) -> float:
    held = run.kinds("election_held")
    return float(held["note"].astype(str).str.contains("rejected").sum()) if len(held) else 0.0


def _peak(column: str) -> Metric:
    return lambda run: float(np.nanmax(run.column(column)))


# --------------------------------------------------------------------------- the table

LBC = "Libya Body Count annual reports (via Marsad, Jan 2016, and MEMO/MINA, Jan 2017)"

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "V1",
        "violent deaths per year, whole country",
        Use.FIT,
        (
            Target(
                "deaths_2014_may_dec",
                _deaths(2014),
                2400,
                960,
                f"{LBC}: 2,825 in 2014, about 85% of it after Dignity began in mid-May "
                "(assumption); ±40%",
            ),
            Target("deaths_2015", _deaths(2015), 1520, 610, f"{LBC}: 1,523 in 2015; ±40%"),
            Target("deaths_2016", _deaths(2016), 1520, 610, f"{LBC}: 1,523 in 2016; ±40%"),
        ),
    ),
    Pattern(
        "V2",
        "deaths concentrate where a campaign is under way",
        Use.FIT,
        (
            Target(
                "sirte_share_2016",
                _share(2016, "sirte"),
                0.45,
                0.15,
                f"{LBC}: Sirte 693 of 1,523 deaths in 2016",
            ),
            Target(
                "benghazi_share_2015",
                _share(2015, "benghazi"),
                0.32,
                0.12,
                f"{LBC}: Benghazi 491 of 1,523 deaths in 2015",
            ),
        ),
    ),
    Pattern(
        "V3",
        "violence comes in bursts, not a steady drip",
        Use.CHECK,
        (
            Target(
                "top4_month_share_2015",
                _top_months_share(2015, 4),
                0.55,
                0.15,
                f"{LBC}: most of 2015's deaths fell in July-October (a uniform year gives 0.33)",
            ),
            Target(
                "lull_ratio_dec14_feb15",
                _lull_ratio,
                0.5,
                0.3,
                "ACLED and LBC: a lull on all fronts from December 2014 to February 2015 "
                "(ratio of its monthly deaths to May-November 2014's; judgement)",
            ),
        ),
    ),
    Pattern(
        "V4",
        "a besieged city can stay quiet for long",
        Use.CHECK,
        (
            Target(
                "derna_deaths_2015", _deaths(2015, "derna"), 145, 58, f"{LBC}: 145 in 2015; ±40%"
            ),
            Target(
                "derna_deaths_2016",
                _deaths(2016, "derna"),
                55,
                45,
                f"{LBC}: Derna fell to double figures in 2016 (10-99)",
            ),
        ),
    ),
    Pattern(
        "V5",
        "Benghazi's own toll falls as one side wins",
        Use.FIT,
        (
            Target(
                "benghazi_deaths_2014_may_dec",
                _deaths(2014, "benghazi"),
                1300,
                520,
                f"{LBC}: 1,471 in 2014, most after mid-May (assumption); ±40%",
            ),
            Target(
                "benghazi_deaths_2015", _deaths(2015, "benghazi"), 490, 196, f"{LBC}: 491; ±40%"
            ),
            Target(
                "benghazi_deaths_2016", _deaths(2016, "benghazi"), 310, 124, f"{LBC}: 307; ±40%"
            ),
        ),
    ),
    Pattern(
        "T1",
        "urban sieges last months to years",
        Use.CHECK,
        (
            Target(
                "benghazi_months_until_lna_holds",
                _months_until_held("benghazi", "lna"),
                38,
                6,
                "press: the LNA declared Benghazi taken in July 2017, 38 months after May 2014",
            ),
            Target(
                "derna_share_of_months_not_lna_2016_on",
                _share_of_months_not_held("derna", "lna", "2016-01"),
                1.0,
                0.25,
                "Wikipedia (Derna campaign) and LBC: Derna besieged, not taken by mid-2017",
            ),
            Target(
                "median_siege_months",
                _median_duration("siege_started", "siege_ended"),
                15,
                12,
                "press: Sirte about 7 months (2016), Benghazi about 38; judgement for the median",
                needs=("siege_started", "siege_ended"),
            ),
        ),
    ),
    Pattern(
        "T2",
        "control of a major region changes rarely",
        Use.FIT,
        (
            Target(
                "control_changes_per_year",
                _changes_per_year,
                3.5,
                2.0,
                "press: about 11 changes of the 14 regions in May 2014 - July 2017 (Tripoli, "
                "Sirte twice, the oil crescent three times, Ajdabiya, Derna, Jufra, Benghazi...)",
            ),
        ),
    ),
    Pattern(
        "T3",
        "offensives are concentrated and short when they succeed",
        Use.CHECK,
        (
            Target(
                "oil_crescent_changes",
                _changes_of("oil_crescent"),
                3,
                2,
                "Reuters (Sept 2016, March 2017): LNA in Sept 2016; BDB on 3 March 2017; LNA "
                "again on 14 March 2017",
            ),
            Target(
                "median_successful_offensive_months",
                _median_duration("offensive_launched", "offensive_ended", only="success"),
                1,
                1.5,
                "press: the oil crescent fell in days (Sept 2016) and was retaken in two weeks "
                "(March 2017)",
                needs=("offensive_launched", "offensive_ended"),
            ),
        ),
    ),
    Pattern(
        "T4",
        "capitals change hands only in a major war",
        Use.FIT,
        (
            Target(
                "tripoli_changes",
                _changes_of("tripoli"),
                1,
                0.5,
                "Wikipedia (Battle of Tripoli Airport): once, 13 July - 23 August 2014",
            ),
        ),
    ),
    Pattern(
        "S1",
        "foreign air power decides sieges",
        Use.CHECK,
        (
            Target(
                "sponsored_winner_share",
                _sponsored_winner_share,
                0.8,
                0.2,
                "UN Panel of Experts, press: Egyptian and Emirati strikes for the LNA, US strikes "
                "at Sirte; the winners of 2014-2017's control changes had foreign backing",
            ),
            Target(
                "direct_support_campaign_share",
                _direct_support_campaign_share,
                0.6,
                0.3,
                "press: of about 8 campaigns of May 2014 - July 2017 that changed a region's "
                "hands, about 5 were won under foreign air strikes (Sirte 2016 with 495 US "
                "strikes, Long War Journal; the oil crescent in Sept 2016 and March 2017 and "
                "Benghazi in 2017 with Emirati and Egyptian support; Jufra in June 2017 after "
                "Egyptian strikes), 3 without (Dawn's Tripoli 2014, Daesh's Sirte 2015, the "
                "BDB's raid on the oil crescent in March 2017)",
                needs=("direct_intervention", "offensive_launched"),
            ),
        ),
    ),
    Pattern(
        "S2",
        "sponsors hedge",
        Use.FIT,
        (
            Target(
                "france_italy_top_client_share",
                _hedge_share(("france", "italy")),
                0.7,
                0.2,
                "press and FACTS.md: France and Italy dealt with both Tripoli and the east",
            ),
        ),
    ),
    Pattern(
        "S3",
        "a unity government can form without an election",
        Use.CHECK,
        (
            Target(
                "unity_without_vote",
                _unity_without_vote,
                1,
                0.5,
                "UN: the GNA came from the Skhirat agreement (Dec 2015), not a vote",
                needs=("unity_government",),
            ),
        ),
    ),
    Pattern(
        "S4",
        "elections are promised more often than held",
        Use.CHECK,
        (
            Target(
                "elections_held",
                _count("election_held"),
                1,
                0.5,
                "press: the June 2014 vote was the last national election by mid-2017",
            ),
            Target(
                "elections_rejected",
                _elections_rejected,
                1,
                0.5,
                "press: the losers of the 2014 vote rejected the new parliament (Libya Dawn)",
            ),
        ),
    ),
    Pattern(
        "S5",
        "jihadist groups rise where the state is absent",
        Use.FIT,
        (
            Target(
                "daesh_peak_strength",
                _peak("strength.daesh"),
                4000,
                2500,
                "Stars and Stripes (Dec 2016): about 4,000 in mid-2016, from about 800 in Derna "
                "in late 2014 (press); UN estimates were lower",
            ),
            Target(
                "daesh_months_holding_sirte",
                _months_held("sirte", "daesh"),
                20,
                8,
                "press: Daesh held Sirte from early/mid 2015 to December 2016",
            ),
        ),
    ),
)


def pattern(pid: str) -> Pattern:
    for p in PATTERNS:
        if p.id == pid:
            return p
    raise KeyError(f"no pattern {pid!r}; known: {', '.join(p.id for p in PATTERNS)}")


def evaluate(run: RunView, patterns: Sequence[Pattern] = PATTERNS) -> dict[str, float]:
    """``{target name: value}`` for one run; NaN where the metric is not computable."""
    out: dict[str, float] = {}
    for p in patterns:
        for t in p.targets:
            try:
                out[t.name] = float(t.metric(run))
            except NotComputable:
                out[t.name] = float("nan")
    return out


__all__ = [
    "PATTERNS",
    "NotComputable",
    "Pattern",
    "RunView",
    "Target",
    "Use",
    "evaluate",
    "pattern",
]
