"""Typed interventions a scenario schedules (DESIGN.md §4.4).

Each class here is the *data* of one event type: its fields, defaults and
validation. What an event does to a running model lives in
``libyasim.model.events``, keyed by the same ``type`` name. The registry
:data:`EVENT_TYPES` maps each type name to its class.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .quantity import Evidence, NonNegative, Positive, Signed, StrictModel, Unit, q

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def month_index(month: str) -> int:
    """Months since year 0 for a ``YYYY-MM`` string (for date arithmetic)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_name(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class EventBase(StrictModel):
    id: Ident | None = None
    date: Month
    note: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Ceasefire(EventBase):
    """A ceasefire among ``parties`` from ``date``.

    Each month each party keeps or breaks it by comparing its expected gain
    from fighting — the bargaining model of war (Fearon 1995): win probability
    from the contest function times the prize, minus what it stands to lose and
    the cost of fighting, plus the temptation jihadist spoilers' attacks create
    (Stedman 1997) — with the peace dividend plus the penalty its sponsors
    (``enforcers``) impose on a detected violator (Fortna 2004, *Peace Time*;
    Walter 2002). Details: docs/ODD.md §7.5.
    """

    type: Literal["ceasefire"]
    parties: list[Ident] = Field(min_length=2)
    broker: Ident | None = None
    enforcers: list[Ident] = Field(default_factory=list)
    peace_dividend: NonNegative = q(
        0.15,
        range=(0.05, 0.3),
        assumption=(
            "monthly value of calm relative to a party's stake (aid, oil revenue, popularity); no "
            "estimate in the literature fits Libya, so a wide range"
        ),
    )
    penalty: Unit = q(
        0.5,
        range=(0.2, 0.8),
        assumption=(
            "share of an enforcer's support cut from a detected violator (and the fall of its "
            "stance toward it)"
        ),
    )
    monitoring: Unit = q(
        0.5,
        range=(0.2, 0.9),
        assumption=(
            "probability that a violation is detected and attributed, so that enforcers punish it"
        ),
    )
    war_cost: NonNegative = q(
        0.05,
        range=(0.0, 0.15),
        assumption=(
            "cost of renewed fighting to a party, as a share of the prize, times its chance of "
            "losing (the stronger enemy hurts more)"
        ),
    )
    oil_in_prize: Unit = q(
        0.3,
        range=(0.0, 0.6),
        assumption=(
            "weight of oil revenue, against population, in the value of what a faction holds"
        ),
    )
    spoiler_sensitivity: NonNegative = q(
        0.5,
        range=(0.0, 1.0),
        assumption=(
            "how much a month of jihadist attacks in a party's regions raises its temptation to "
            "break"
        ),
    )
    spoiler_deaths: Positive = q(
        20,
        range=(5, 60),
        assumption=(
            "deaths from jihadist attacks in a party's regions in one month at which the spoiler "
            "effect is full"
        ),
    )

    @model_validator(mode="after")
    def _distinct_parties(self) -> Ceasefire:
        twice = sorted({p for p in self.parties if self.parties.count(p) > 1})
        if twice:
            raise ValueError(f"parties must be different factions; {', '.join(twice)} named twice")
        return self


class ElectionPreconditions(StrictModel):
    """Security conditions for an ``asap`` election: at most
    ``max_monthly_fatalities`` deaths in each of the last ``months`` months."""

    max_monthly_fatalities: NonNegative = q(
        50, range=(20, 150), assumption="security threshold below which a vote can be organised"
    )
    months: NonNegative = q(
        3,
        range=(1, 12),
        assumption=(
            "months of relative calm needed to register voters and campaign (rounded to whole "
            "months)"
        ),
    )

    @model_validator(mode="after")
    def _months_in_range(self) -> ElectionPreconditions:
        for x in (self.months.value, *(self.months.range or ())):
            if not 1 <= x <= 24:
                raise ValueError(f"months must be between 1 and 24; got {x:g}")
        return self


class Election(EventBase):
    """A national election on ``date``, or as soon as its security preconditions hold.

    With ``asap: true`` the vote is held in the first month on or after
    ``date`` in which violence stayed below the preconditions for the given
    number of months (it is *postponed* meanwhile); after ``deadline`` it is
    *abandoned*. Only factions that may stand take part (jihadists never).
    Vote shares come from regional popularity, distorted by the coercion of
    whoever controls the region. Each armed loser accepts or rejects by
    comparing its expected value of fighting with its share of power
    (Brancati & Snyder 2013; Flores & Nooruddin 2012); a rejection ends any
    ceasefire binding the loser. A winner whose coalition already holds
    ``consolidation`` of the fighters consolidates power: the "takeover by
    election" path. Details: docs/ODD.md §7.5.
    """

    type: Literal["election"]
    asap: bool = False
    preconditions: ElectionPreconditions = ElectionPreconditions()
    deadline: Month | None = None
    eligible: list[Ident] | None = None
    coercion: Unit = q(
        0.3,
        range=(0.1, 0.6),
        assumption=(
            "share of a region's vote that the controlling faction's coercion delivers to it"
        ),
    )
    power_share: Unit = q(
        0.1,
        range=(0.0, 0.3),
        assumption=(
            "share of power guaranteed to losers beyond their vote share under the post-election "
            "settlement; guarantees were thin in Libya, where the losers of the 2014 vote rejected "
            "it (public record)"
        ),
    )
    war_cost: NonNegative = q(
        0.1,
        range=(0.0, 0.3),
        assumption="cost of fighting the result, on the scale of power shares",
    )
    consolidation: Unit = q(
        0.5,
        range=(0.4, 0.65),
        assumption=(
            "share of non-jihadist fighters the winner's coalition must hold to consolidate power "
            "(takeover by election): 'most of the force' read as a majority; the range spans a "
            "strong plurality to a clear majority"
        ),
    )
    decision_noise: NonNegative = q(
        0.05,
        range=(0.0, 0.15),
        assumption=(
            "scale of the unobserved considerations in a loser's choice: it rejects with "
            "probability 1 / (1 + exp(-(fight - accept) / noise)), a logit choice; 0 makes the "
            "rule deterministic"
        ),
    )
    reconciliation: Unit = q(
        0.5,
        range=(0.2, 0.9),
        assumption=(
            "share of the hostility between the winner and a loser that accepts removed by the "
            "settlement"
        ),
    )
    transfers_recognition: bool = True

    @model_validator(mode="after")
    def _deadline_after_date(self) -> Election:
        if self.deadline is not None and month_index(self.deadline) < month_index(self.date):
            raise ValueError(f"deadline {self.deadline} comes before date {self.date}")
        return self


class Recognition(EventBase):
    """A sponsor lends legitimacy to actors: a summit, a visit, a recognition."""

    type: Literal["summit", "recognition"]
    sponsor: Ident
    actors: list[Ident] = Field(min_length=1)
    legitimacy_boost: Unit = q(
        0.05, range=(0.01, 0.15), assumption="legitimacy gained from one high-profile summit"
    )
    stance_shift: Unit = q(
        0.0,
        range=(0.0, 0.3),
        assumption=(
            "rise of the sponsor's own stance toward the factions it receives (a commitment it "
            "makes by hosting them); none unless stated"
        ),
    )


class SupportChange(EventBase):
    """A sponsor changes course from ``date``: budget, interests, stance or channel.

    ``budget_scale`` multiplies a channel's budget, ``budget`` sets it (for a
    channel that was zero); ``interests`` and ``stance`` set weights;
    ``via: [egypt]`` routes all the sponsor's support through other sponsors,
    ``via: []`` makes it direct; ``consensus`` sets internal agreement.
    """

    type: Literal["support_change"]
    sponsor: Ident
    budget: dict[Literal["military", "financial", "political"], NonNegative] = Field(
        default_factory=dict
    )
    budget_scale: dict[Literal["military", "financial", "political"], NonNegative] = Field(
        default_factory=dict
    )
    interests: dict[
        Literal["counter_terrorism", "migration", "anti_islamist", "un_legitimacy", "influence"],
        Unit,
    ] = Field(default_factory=dict)
    stance: dict[Ident, Signed] = Field(default_factory=dict)
    via: list[Ident] | None = None
    consensus: Unit | None = None


class SponsorEntry(EventBase):
    """A new foreign actor enters with its own interests and budget (no code needed).

    The sponsor is defined under ``sponsors:`` with ``active: false`` (its
    budget, interests, stance) and its support edges under ``relations``;
    from ``date`` it allocates support like every other sponsor.
    """

    type: Literal["sponsor_entry"]
    sponsor: Ident


class SponsorExit(EventBase):
    """A sponsor leaves: its support stops; support routed through it becomes direct."""

    type: Literal["sponsor_exit"]
    sponsor: Ident


class Attack(EventBase):
    """A jihadist attack of a given size in a region (raises the threat index)."""

    type: Literal["attack"]
    faction: Ident
    region: Ident
    target: Ident | None = None
    fatalities: NonNegative = q(
        2,
        range=(1, 10),
        assumption="a small attack like the checkpoint killing near Ajdabiya (seed:p1s2)",
    )


class IccWarrant(EventBase):
    """An ICC arrest warrant on a faction's commander."""

    type: Literal["icc_warrant"]
    faction: Ident
    commander: str
    legitimacy_penalty: Unit = q(
        0.05,
        range=(0.0, 0.15),
        assumption="international legitimacy lost from a warrant on a commander",
    )
    reputation_cost: NonNegative = q(
        0.5,
        range=(0.2, 1.0),
        assumption=(
            "extra cost, per unit of reputation sensitivity, of supporting the faction directly"
        ),
    )


class ArmsEmbargo(EventBase):
    """Enforcement of the UN arms embargo on the military channel until ``end``.

    Direct military support passes at ``1 − enforcement``; support routed
    through other sponsors (``via``) passes at ``leakage``.
    """

    type: Literal["arms_embargo"]
    enforcement: Unit = q(
        0.7, range=(0.3, 0.95), assumption="share of direct military support stopped"
    )
    leakage: Unit = q(
        0.5,
        range=(0.2, 0.8),
        assumption="share of indirect military support that still gets through",
    )
    end: Month | None = None


Event = Annotated[
    Ceasefire
    | Election
    | Recognition
    | SupportChange
    | SponsorEntry
    | SponsorExit
    | Attack
    | IccWarrant
    | ArmsEmbargo,
    Field(discriminator="type"),
]

EVENT_TYPES: dict[str, type[EventBase]] = {
    "ceasefire": Ceasefire,
    "election": Election,
    "summit": Recognition,
    "recognition": Recognition,
    "support_change": SupportChange,
    "sponsor_entry": SponsorEntry,
    "sponsor_exit": SponsorExit,
    "attack": Attack,
    "icc_warrant": IccWarrant,
    "arms_embargo": ArmsEmbargo,
}
