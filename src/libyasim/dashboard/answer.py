"""The answer on screen: each page's question and one-line answer, the end-state
glossary, why a run ended where it did, and the timeline of its key events.

Why a run ended as it did is read from :func:`libyasim.model.outcomes.criteria`
(measured on the run) and :func:`~libyasim.model.outcomes.decide` (the end state
itself, never re-derived here): :func:`explain` lists decide's rules in its
order, each with the numbers it compared, and marks those that hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import solara

from ..model.outcomes import END_STATES, decide, threshold_values

#: end-state names as a reader says them
LABELS = {s: s.replace("_", " ") for s in END_STATES}


def glossary(thresholds: Any = None) -> dict[str, str]:
    """What each end state means, with the scenario's thresholds when given
    (``Outcomes`` block or mapping; docs/ODD.md §7.6 gives the rules)."""
    t = threshold_values(thresholds) if thresholds is not None else None

    def pct(k: str) -> str:
        return f"{100 * t[k]:.0f}%" if t else "a set share"

    def num(k: str) -> str:
        return f"{t[k]:,.0f}" if t else "a set number of"

    return {
        "unified_election": (
            "Unified election: an election was held and its result accepted, and no "
            f"winner holds {pct('takeover_strength_share')} of the fighters."
        ),
        "takeover": (
            "Takeover: one faction rules, by an accepted election whose winner holds "
            f"{pct('takeover_strength_share')} of the fighters, or by taking the capital and "
            f"holding it to the end with {pct('takeover_population_share')} of the population."
        ),
        "renewed_war": (
            f"Renewed war: battle deaths average {num('war_fatalities')} or more a month "
            "over the final window."
        ),
        "partition": (
            f"Partition: two hostile blocs each hold {pct('partition_min_share')} or more of the "
            f"population and the front between them is frozen (under {num('frozen_front_deaths')} "
            "battle deaths a year)."
        ),
        "status_quo": (
            "Status quo: none of the above — the country stays divided and contested, "
            "below the level of war."
        ),
    }


@dataclass(frozen=True)
class Rule:
    state: str
    holds: bool
    text: str


def explain(criteria: Mapping[str, Any], thresholds: Any) -> tuple[str, list[Rule]]:
    """The end state (from :func:`decide`) and decide's rules in order, each with the
    numbers it compared and whether it holds; the first that holds is the end state."""
    state, _flags = decide(criteria, thresholds)
    t = threshold_values(thresholds)
    c = criteria
    winner = c.get("election_winner") or "the winner"
    by_election = bool(c["election_accepted"]) and (
        c["election_winner_strength_share"] >= t["takeover_strength_share"]
    )
    held = "accepted" if c["election_accepted"] else "not accepted"
    vote = held if c["election_held"] else "not held"
    by_force = (
        bool(c["capital_held"])
        and bool(c["capital_taken"])
        and c["capital_holder_population_share"] >= t["takeover_population_share"]
    )
    holder = c.get("capital_holder") or "no single faction"
    capital = c.get("capital", "the capital")
    rules = [
        Rule(
            "takeover",
            by_election or by_force,
            (
                f"election {vote}"
                + (
                    f", {winner} holds {100 * c['election_winner_strength_share']:.0f}% of the "
                    f"fighters (takeover needs {100 * t['takeover_strength_share']:.0f}%)"
                    if c["election_held"]
                    else ""
                )
                + f"; {capital} held through the window by {holder}"
                + (
                    f" ({'taken' if c['capital_taken'] else 'held from the start'}, "
                    f"{100 * c['capital_holder_population_share']:.0f}% of the population; "
                    f"needs taken and {100 * t['takeover_population_share']:.0f}%)"
                    if c["capital_held"]
                    else ""
                )
            ),
        ),
        Rule(
            "renewed_war",
            c["mean_battle_deaths"] >= t["war_fatalities"],
            f"battle deaths {c['mean_battle_deaths']:,.0f} a month over the last "
            f"{c['window_months']} months (war from {t['war_fatalities']:,.0f})",
        ),
        Rule(
            "unified_election",
            bool(c["election_accepted"]),
            "an election held and accepted"
            if c["election_accepted"]
            else (
                "the election's result was rejected" if c["election_held"] else "no election held"
            ),
        ),
        Rule(
            "partition",
            bool(c["blocs_hostile"])
            and c["second_bloc_share"] >= t["partition_min_share"]
            and c["top_bloc_share"] >= t["partition_min_share"]
            and c["deaths_between_blocs_per_year"] < t["frozen_front_deaths"],
            f"blocs {'hostile' if c['blocs_hostile'] else 'not hostile'}, holding "
            f"{100 * c['top_bloc_share']:.0f}% and {100 * c['second_bloc_share']:.0f}% of the "
            f"population (each needs {100 * t['partition_min_share']:.0f}%), "
            f"{c['deaths_between_blocs_per_year']:,.0f} deaths a year between them "
            f"(frozen under {t['frozen_front_deaths']:,.0f})",
        ),
        Rule("status_quo", True, "none of the rules above holds"),
    ]
    return state, rules


# -------------------------------------------------------------- the timeline

#: event kinds on the timeline, by row (other kinds stay in the full event table)
TIMELINE_KINDS = {
    "Ceasefires and talks": (
        "ceasefire_signed",
        "ceasefire_broken",
        "ceasefire_expired",
        "summit",
        "dialogue",
        "unity_government",
        "institutions_split",
    ),
    "Elections": ("election_held", "election_postponed", "election_abandoned"),
    "Offensives and control": ("offensive_launched", "offensive_ended", "control_change"),
    "Sponsors and outsiders": (
        "sponsor_entry",
        "sponsor_exit",
        "support_change",
        "direct_intervention",
        "arms_embargo",
        "arms_embargo_lifted",
        "sponsor_enforcement",
        "red_line",
        "red_line_crossed",
        "realignment",
        "blockade",
        "blockade_lifted",
        "icc_warrant",
        "recognition",
    ),
}
ROW_OF = {k: row for row, kinds in TIMELINE_KINDS.items() for k in kinds}
#: shapes on the timeline: a start (triangle), an end or failure (cross), else a circle
SHAPES = {
    "ceasefire_signed": "triangle-up",
    "offensive_launched": "triangle-up",
    "sponsor_entry": "triangle-up",
    "ceasefire_broken": "cross",
    "ceasefire_expired": "cross",
    "election_postponed": "cross",
    "election_abandoned": "cross",
    "sponsor_exit": "cross",
    "offensive_ended": "square",
}


def describe(rec: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One event record in words: 'ceasefire signed — Libyan National Army, ... (note)'."""

    def who(x: Any) -> str:
        return ", ".join(names.get(a, a) for a in str(x).split(",") if a) if x else ""

    parts = [str(rec["kind"]).replace("_", " ")]
    actors = " vs ".join(p for p in (who(rec.get("actor1")), who(rec.get("actor2"))) if p)
    if actors:
        parts.append(actors)
    if rec.get("region"):
        parts.append("in " + names.get(str(rec["region"]), str(rec["region"])))
    text = " — ".join(parts[:2]) + (" " + parts[2] if len(parts) > 2 else "")
    note = str(rec.get("note") or "").strip("; ")
    return text + (f" ({note})" if note else "")


def key_events(log: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The timeline's rows: every ceasefire, election, offensive, control change and
    sponsor move of the run (the whole log, not the last few events)."""
    from .figures import TIMELINE_COLORS, month_date

    out = []
    for rec in log:
        row = ROW_OF.get(str(rec["kind"]))
        if row is None:
            continue
        out.append(
            {
                "month": rec["month"],
                "date": month_date(str(rec["month"])),
                "row": row,
                "kind": rec["kind"],
                "shape": SHAPES.get(str(rec["kind"]), "circle"),
                "colour": TIMELINE_COLORS[row],
                "what": describe(rec, names),
            }
        )
    return out


#: kinds marked on the time series (the turning points, not every offensive's end)
MARKED = {
    "ceasefire_signed",
    "ceasefire_broken",
    "ceasefire_expired",
    "election_held",
    "election_postponed",
    "election_abandoned",
    "unity_government",
    "institutions_split",
    "offensive_launched",
    "control_change",
    "sponsor_entry",
    "sponsor_exit",
    "direct_intervention",
    "support_change",
    "realignment",
    "red_line_crossed",
}


def markers(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One rule per month with a turning point; its tooltip lists them all."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    for r in timeline:
        if r["kind"] in MARKED:
            by_month.setdefault(r["month"], []).append(r)
    return [
        {
            "month": m,
            "date": rows[0]["date"],
            "colour": rows[0]["colour"],
            "what": "; ".join(r["what"] for r in rows[:4])
            + (f"; +{len(rows) - 4} more" if len(rows) > 4 else ""),
        }
        for m, rows in by_month.items()
    ]


# ------------------------------------------------------------------ components


@solara.component
def QuestionHeader(question: str, answer: str, detail: str = ""):
    """A page's question and its answer in one line (with its interval)."""
    with solara.Column(gap="2px", classes=["libyasim-qa"], style={"margin": "4px 0 8px 0"}):
        solara.Text(
            question,
            classes=["libyasim-question"],
            style={"font-size": "1.25em", "font-weight": "bold", "display": "block"},
        )
        solara.Text(
            answer,
            classes=["libyasim-answer"],
            style={"font-size": "1.05em", "display": "block", "color": "#1a3d6d"},
        )
        if detail:
            solara.Text(detail, style={"font-size": "0.85em", "color": "#555", "display": "block"})


@solara.component
def EndStateLabel(state: str, text: str, prefix: str = "", suffix: str = ""):
    """An end-state name whose definition shows on hover (the glossary)."""
    return Hover(f"{prefix}{LABELS.get(state, state)}{suffix}", text, ["libyasim-end-state"])


@solara.component
def Hover(label: str, title: str, classes: list[str] | None = None, block: bool = False):
    """Text with a definition shown on hover (the element's ``title``), dotted underline."""
    import ipyvuetify as v

    return v.Html.element(
        tag="div" if block else "span",
        children=[label],
        attributes={"title": title},
        class_=" ".join(classes or []),
        style_="cursor: help; text-decoration: underline dotted; text-underline-offset: 3px;",
    )


@solara.component
def Glossary(thresholds: Any = None):
    """The end states defined, as a short list (also shown on hover wherever one is named)."""
    g = glossary(thresholds)
    with (
        solara.Details("What the end states mean", expand=False),
        solara.Column(gap="2px", classes=["libyasim-glossary"]),
    ):
        for s in END_STATES:
            solara.Text(g[s], style={"display": "block", "font-size": "0.9em"})
