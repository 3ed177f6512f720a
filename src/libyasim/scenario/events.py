"""Typed interventions a scenario schedules (DESIGN.md §4.4).

Each class here is the *data* of one event type: its fields, defaults and
validation. What an event does to a running model lives in
``libyasim.model.events``, keyed by the same ``type`` name. The registry
:data:`EVENT_TYPES` maps each type name to its class.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .quantity import Evidence, NonNegative, Signed, StrictModel, Unit, q

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
    evidence: list[Evidence] = []


class Ceasefire(EventBase):
    """A ceasefire among ``parties`` from ``date``.

    Each month each party keeps or breaks it by comparing its expected gain
    from fighting with the peace dividend plus the penalty its sponsors
    (``enforcers``) impose on a violator (Fortna 2004, *Peace Time*; Walter 2002).
    """

    type: Literal["ceasefire"]
    parties: list[Ident] = Field(min_length=2)
    broker: Ident | None = None
    enforcers: list[Ident] = []
    peace_dividend: NonNegative = q(0.15, range=(0.05, 0.3), assumption="monthly value of calm relative to a party's stake; no estimate in the literature fits Libya, so a wide range")
    penalty: Unit = q(0.5, range=(0.2, 0.8), assumption="share of an enforcer's support cut from a violator")
    spoiler_sensitivity: NonNegative = q(0.5, range=(0.0, 1.0), assumption="how much a jihadist attack in a party's area raises its temptation to break")
    monitoring: Unit = q(0.5, range=(0.2, 0.9), assumption="probability that a violation is detected and attributed")


class ElectionPreconditions(StrictModel):
    max_monthly_fatalities: NonNegative = q(50, range=(20, 150), assumption="security threshold below which a vote can be organised")
    months: int = Field(default=3, ge=1, le=24)


class Election(EventBase):
    """A national election on ``date``, or as soon as its security preconditions hold.

    With ``asap: true`` the vote is held in the first month on or after
    ``date`` in which violence stayed below the preconditions for the given
    number of months; after ``deadline`` it is abandoned. Vote shares come
    from regional popularity, distorted by the coercion of whoever controls
    the region. Losers accept or reject by comparing their expected value of
    fighting with their share of power (Brancati & Snyder 2013; Flores & Nooruddin 2012).
    """

    type: Literal["election"]
    asap: bool = False
    preconditions: ElectionPreconditions = ElectionPreconditions()
    deadline: Month | None = None
    eligible: list[Ident] | None = None
    coercion: Unit = q(0.3, range=(0.1, 0.6), assumption="weight of the controlling faction's coercion on a region's vote")
    power_share: Unit = q(0.2, range=(0.0, 0.4), assumption="share of power a loser keeps under the post-election settlement")
    consolidation: Unit = q(0.6, range=(0.4, 0.8), assumption="strength share above which a winner can consolidate power (takeover by election)")

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
    legitimacy_boost: Unit = q(0.05, range=(0.01, 0.15), assumption="legitimacy gained from one high-profile summit")


class SupportChange(EventBase):
    """A sponsor changes course from ``date``: budget, interests, stance or channel."""

    type: Literal["support_change"]
    sponsor: Ident
    budget_scale: dict[Literal["military", "financial", "political"], NonNegative] = {}
    interests: dict[
        Literal["counter_terrorism", "migration", "anti_islamist", "un_legitimacy", "influence"], Unit
    ] = {}
    stance: dict[Ident, Signed] = {}
    via: list[Ident] | None = None
    consensus: Unit | None = None


class SponsorEntry(EventBase):
    """A new foreign actor enters with its own interests and budget (no code needed)."""

    type: Literal["sponsor_entry"]
    sponsor: Ident


class SponsorExit(EventBase):
    type: Literal["sponsor_exit"]
    sponsor: Ident


class Attack(EventBase):
    """A jihadist attack of a given size in a region (raises the threat index)."""

    type: Literal["attack"]
    faction: Ident
    region: Ident
    target: Ident | None = None
    fatalities: NonNegative = q(2)


class IccWarrant(EventBase):
    """An ICC arrest warrant on a faction's commander."""

    type: Literal["icc_warrant"]
    faction: Ident
    commander: str
    legitimacy_penalty: Unit = q(0.05, range=(0.0, 0.15), assumption="international legitimacy lost from a warrant on a commander")
    reputation_cost: NonNegative = q(0.5, range=(0.2, 1.0), assumption="extra cost, per unit of reputation sensitivity, of supporting the faction directly")


class ArmsEmbargo(EventBase):
    """Enforcement of the UN arms embargo on the military channel."""

    type: Literal["arms_embargo"]
    enforcement: Unit = q(0.7, range=(0.3, 0.95), assumption="share of direct military support stopped")
    leakage: Unit = q(0.5, range=(0.2, 0.8), assumption="share of indirect military support that still gets through")
    end: Month | None = None


Event = Annotated[
    Ceasefire | Election | Recognition | SupportChange | SponsorEntry | SponsorExit | Attack | IccWarrant | ArmsEmbargo,
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
