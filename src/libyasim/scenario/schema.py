"""The scenario schema: frozen, validated objects loaded from YAML (DESIGN.md §4).

Every coefficient of a mechanism is a field of :class:`Parameters` with a
default, a range and a one-line description; ``docs/ODD.md`` documents each
by name (a test keeps the two in step).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, model_validator

from ..events import Event
from .parameters import Parameters
from .quantity import (
    Evidence,
    NonNegative,
    Number,
    Positive,
    Quantity,
    Signed,
    StrictModel,
    Unit,
    q,
)
from .types import CHANNELS, INTERESTS, Channel, Ident, Interest, Month, month_index, month_name


class FactionKind(StrEnum):
    STATE = "state"
    ARMED_COALITION = "armed_coalition"
    MILITIA = "militia"
    POLITICAL_BODY = "political_body"
    JIHADIST = "jihadist"


class SponsorKind(StrEnum):
    STATE = "state"
    MULTILATERAL = "multilateral"
    COURT = "court"




class Document(StrictModel):
    """A registered source text. ``sentences`` maps each locator used to the
    sha256 of its sentence, so ``libyasim sources check`` can prove a locator
    still points at the sentence it was written for."""

    title: str
    date: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    sentences: dict[str, str] = Field(default_factory=dict)
    # for the full citation (the dashboard's Evidence page); optional
    author: str | None = None
    publisher: str | None = None
    url: str | None = None


class Region(StrictModel):
    id: Ident
    name: str
    population: NonNegative
    oil_value: Unit = q(0.0, assumption="schema default: no oil production or export terminals")
    coastal: bool = False
    lat: float = Field(ge=19.0, le=34.0)
    lon: float = Field(ge=9.0, le=26.0)
    controller: Ident | None = None
    garrison: dict[Ident, NonNegative] = Field(
        default_factory=dict,
        description="relative deployment weights: the share of a faction's fighters stationed "
        "here is its weight here divided by the sum of its weights over all regions",
    )
    neighbours: list[Ident] = Field(default_factory=list)
    rough_terrain: Unit = q(0.0, assumption="schema default: the controller's forces reach the whole region")
    urban_defence: NonNegative | None = Field(
        default=None,
        description="defender advantage beyond 1 (defence factor = 1 + urban_defence); "
        "when left out it is derived from population (parameters city_defence, city_population)",
    )
    evidence: list[Evidence] = Field(default_factory=list)


class Faction(StrictModel):
    id: Ident
    name: str
    leader: str | None = None
    kind: FactionKind
    strength: NonNegative
    resources: NonNegative = q(0.0, assumption="schema default: no reserves at the start")
    legitimacy: Unit = q(0.3, range=(0.1, 0.5), assumption="schema default: modest domestic and international standing")
    popularity: Unit = q(0.2, range=(0.05, 0.4), assumption="schema default: a minority following")
    regional_popularity: dict[Ident, Unit] = Field(default_factory=dict)
    ideology: Unit = q(0.5, range=(0.2, 0.8), assumption="schema default: neither secular nor Islamist")
    positions: dict[Ident, Unit] = Field(default_factory=dict)
    salience: dict[Ident, Unit] = Field(default_factory=dict)
    risk_attitude: Signed = q(0.0, range=(-0.5, 0.5), assumption="schema default: risk-neutral (R = 0, the KTAB default)")
    un_recognised: bool = False
    foreign_fighters: NonNegative = q(0.0, assumption="schema default: no fighters arrive from abroad")
    may_stand: bool | None = None
    may_sign: bool | None = None
    evidence: list[Evidence] = Field(default_factory=list)

    @property
    def is_jihadist(self) -> bool:
        return self.kind is FactionKind.JIHADIST

    @property
    def can_stand(self) -> bool:
        return (not self.is_jihadist) if self.may_stand is None else self.may_stand

    @property
    def can_sign(self) -> bool:
        return (not self.is_jihadist) if self.may_sign is None else self.may_sign


class Sponsor(StrictModel):
    id: Ident
    name: str
    kind: SponsorKind = SponsorKind.STATE
    active: bool = True
    budget: dict[Channel, NonNegative] = Field(default_factory=dict)
    interests: dict[Interest, Unit] = Field(default_factory=dict)
    stance: dict[Ident, Signed] = Field(default_factory=dict)
    casualty_sensitivity: Unit = q(0.3, range=(0.1, 0.6), assumption="schema default: a moderate aversion to its own and its clients' losses")
    reputation_sensitivity: Unit = q(0.3, range=(0.1, 0.6), assumption="schema default: moderate concern for being seen backing an accused faction")
    consensus: Unit = q(1.0, range=(0.7, 1.0), assumption="schema default: the government speaks with one voice unless evidence says otherwise")
    concentration_cost: Positive | None = None
    max_effort: NonNegative | None = None
    rescues: list[Ident] = Field(default_factory=list)
    positions: dict[Ident, Unit] = Field(default_factory=dict)
    salience: dict[Ident, Unit] = Field(default_factory=dict)
    risk_attitude: Signed = q(0.0, range=(-0.5, 0.5), assumption="schema default: risk-neutral (R = 0, the KTAB default)")
    evidence: list[Evidence] = Field(default_factory=list)


class SupportEdge(StrictModel):
    """Support from a sponsor (or a faction) to a faction through a channel,
    directly or routed through other sponsors (``via``)."""

    source: Ident = Field(alias="from")
    target: Ident = Field(alias="to")
    channel: Channel
    weight: Unit = q(1.0, assumption="schema default: the edge starts with the source's full channel budget, shared with its other edges on that channel")
    via: list[Ident] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class Hostility(StrictModel):
    between: tuple[Ident, Ident]
    level: Unit = q(1.0, assumption="schema default: full hostility or alliance")
    evidence: list[Evidence] = Field(default_factory=list)


class Alliance(StrictModel):
    between: tuple[Ident, Ident]
    level: Unit = q(1.0, assumption="schema default: full hostility or alliance")
    evidence: list[Evidence] = Field(default_factory=list)


class Relations(StrictModel):
    support: list[SupportEdge] = Field(default_factory=list)
    hostility: list[Hostility] = Field(default_factory=list)
    alliance: list[Alliance] = Field(default_factory=list)


class IssueAxis(StrictModel):
    id: Ident
    name: str
    low: str
    high: str
    evidence: list[Evidence] = Field(default_factory=list)


class Outcomes(StrictModel):
    """Thresholds that classify a run's end state (DESIGN §4.5; docs/ODD.md §7.6)."""

    window_months: int = Field(
        default=12,
        ge=1,
        le=60,
        description=(
            "months at the end of a run over which the end state is judged (12: a year, the "
            "period of UCDP's battle-death counts)"
        ),
    )
    capital: Ident | None = Field(
        default=None,
        description=(
            "region a military takeover must take and hold through the window (default: the "
            "most populous region)"
        ),
    )
    takeover_population_share: Unit = q(0.5, range=(0.5, 0.7), assumption="population share that, with the capital taken, makes a military takeover: a majority of the population (issue 10), more for a stricter reading")
    takeover_strength_share: Unit = q(0.67, range=(0.6, 0.75), assumption="share of all non-jihadist fighters an accepted election's winner must hold over the window for the election to count as a takeover: two thirds, a 2:1 superiority over every other armed faction combined")
    partition_min_share: Unit = q(0.2, range=(0.1, 0.3), assumption="population share each of two rival blocs must hold for a partition")
    war_fatalities: NonNegative = q(125.0, range=(100.0, 166.7), assumption="mean monthly battle deaths over the window from which the end state is renewed war: fighting at least at the scale of Libya's campaign years 2015 and 2016 (about 1,500 deaths a year each, PATTERNS.md V1: the Benghazi and Sirte campaigns), 1,500 a year /12; the range runs from 1,200 a year (just above UCDP's war line of 1,000, which sits on the model's ensemble medians) to 2,000 a year (between the campaign years and the 2014 war's 2,800). Placed where the shipped ensembles are thinnest, so that +-10% moves no end-state share by more than 10 points (docs/ODD.md 7.6)")
    frozen_front_deaths: NonNegative = q(25.0, range=(10.0, 50.0), assumption="deaths a year in battles between the two largest blocs below which their front counts as frozen (a partition): UCDP's threshold for an active armed conflict, 25 battle-related deaths a year")
    resurgence_ratio: Positive = q(1.5, range=(1.2, 3.0), assumption="ratio of jihadist strength at the end to the start that flags a resurgence")


class Scenario(StrictModel):
    """A whole scenario: situation, interventions and outcome thresholds."""

    id: Ident
    title: str
    description: str = ""
    start: Month
    months: int = Field(ge=1, le=600)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    documents: dict[Ident, Document] = Field(default_factory=dict)
    regions: list[Region] = Field(min_length=1)
    factions: list[Faction] = Field(min_length=2)
    sponsors: list[Sponsor] = Field(default_factory=list)
    relations: Relations = Relations()
    issues: list[IssueAxis] = Field(default_factory=list)
    parameters: Parameters = Parameters()
    events: list[Event] = Field(default_factory=list)
    outcomes: Outcomes = Outcomes()
    parameters_from: str | None = Field(
        default=None,
        min_length=1,
        description="a calibrated parameter sample (libyasim calibrate), relative to this file: "
        "sampled ensembles draw parameters.* from its rows instead of the uniform ranges",
    )

    _resolved: dict | None = PrivateAttr(default=None)
    _origin: Path | None = PrivateAttr(default=None)
    _quantity_locs: dict[str, tuple] | None = PrivateAttr(default=None)
    _hash: str | None = PrivateAttr(default=None)
    #: builds the resolved data on first use (scenarios made by a ScenarioTemplate)
    _pending: Any = PrivateAttr(default=None)

    def _attach(self, data: dict, origin: Path | None) -> None:
        self._resolved = data
        self._origin = origin
        self._hash = None
        self._pending = None

    def __eq__(self, other: object) -> bool:
        """Equal content is an equal scenario, whichever file it came from."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]  # mutable containers inside
    # one value, not a sequence of (field, value) pairs: mesa.batch_run sweeps
    # any iterable it is given, so a bare scenario must not be one
    __iter__ = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _unique_ids(self) -> Scenario:
        seen: dict[str, str] = {}
        for group in ("regions", "factions", "sponsors", "issues"):
            for item in getattr(self, group):
                if item.id in seen:
                    raise ValueError(f"id {item.id!r} is used twice ({seen[item.id]} and {group})")
                seen[item.id] = group
        return self

    # -- lookups -----------------------------------------------------------
    def faction(self, ident: str) -> Faction:
        return next(f for f in self.factions if f.id == ident)

    def sponsor(self, ident: str) -> Sponsor:
        return next(s for s in self.sponsors if s.id == ident)

    def region(self, ident: str) -> Region:
        return next(r for r in self.regions if r.id == ident)

    @property
    def actor_ids(self) -> list[str]:
        return [f.id for f in self.factions] + [s.id for s in self.sponsors]

    @property
    def end(self) -> str:
        return month_name(month_index(self.start) + self.months)

    # -- provenance of the object itself ----------------------------------
    @property
    def resolved(self) -> dict:
        """The scenario as plain data, ``extends`` resolved (a copy)."""
        return copy.deepcopy(self._resolved_data())

    def _resolved_data(self) -> dict:
        """The cached resolved data itself (not a copy: never change it)."""
        if self._resolved is None:
            if self._pending is not None:
                self._resolved, self._pending = self._pending(), None
            else:
                self._resolved = self.model_dump(
                    mode="json", by_alias=True, exclude_defaults=True
                )
        return self._resolved

    @property
    def hash(self) -> str:
        """sha256 of the resolved scenario (canonical JSON)."""
        from .loader import content_hash

        if self._hash is None:
            self._hash = content_hash(self._resolved_data())
        return self._hash

    @property
    def path(self) -> Path | None:
        """The file this scenario was loaded from, if any."""
        return self._origin

    def with_values(self, overrides: dict[str, Any]) -> Scenario:
        """A new, re-validated scenario with ``{dotted.path: value}`` changed.

        >>> s2 = s.with_values({"factions.lna.strength": 30000})  # doctest: +SKIP

        Numbers inside a parameter's validated ``range`` (what ensembles
        sample) take a fast path that replaces just those records; anything
        else is applied to the resolved data and validated in full.
        """
        fast = self._with_sampled_values(overrides)
        if fast is not None:
            return fast
        from .errors import Problem, ScenarioError
        from .loader import from_dict, set_value

        data = self.resolved
        problems = []
        for key, value in overrides.items():
            try:
                set_value(data, key, value)
            except KeyError as exc:
                problems.append(Problem(self.id, None, key, str(exc.args[0])))
        if problems:
            raise ScenarioError(problems)
        new = from_dict(data, name=str(self._origin or self.id))
        new._origin = self._origin
        return new

    def quantity_locs(self) -> dict[str, tuple]:
        """``{dotted path: location}`` of every number record (cached)."""
        if self._quantity_locs is None:
            from .walk import walk

            self._quantity_locs = {
                path: loc for loc, path, v in walk(self) if isinstance(v, Quantity)
            }
        return self._quantity_locs

    def has_range(self, path: str) -> bool:
        """Whether the number at ``path`` has an uncertainty ``range``."""
        loc = self.quantity_locs().get(path)
        return loc is not None and _at(self, loc).range is not None

    def _with_sampled_values(self, overrides: dict[str, Any]) -> Scenario | None:
        # A value inside a record's range is valid wherever the record is: the
        # range was checked against the field's bounds, and no check relates
        # one number to another. So only the records change, not the rest.
        # (Sampled batches use a ScenarioTemplate: scenario/template.py.)
        locs = self.quantity_locs()
        changes = []
        for key, value in overrides.items():
            loc = locs.get(key)
            if loc is None or isinstance(value, bool) or not isinstance(value, int | float):
                return None
            current = _at(self, loc)
            value = float(value)
            if current.range is None or not current.range[0] <= value <= current.range[1]:
                return None
            changes.append((key, loc, current.model_copy(update={"value": value})))
        from .loader import set_value

        data = self.resolved
        for key, _loc, record in changes:
            set_value(data, key, record.value)
        new: Any = _replaced(self, {loc: record for _key, loc, record in changes})
        new._attach(data, self._origin)
        new._quantity_locs = locs
        return new

    def quantities(self) -> Iterator[tuple[str, Quantity]]:
        """Every numeric parameter with its dotted path (``factions.lna.strength``)."""
        from .walk import quantities

        return quantities(self)

    def uncertain(self) -> dict[str, tuple[float, float]]:
        """Parameters with a ``range``: what ensembles and sensitivity analysis sample."""
        return {path: q.range for path, q in self.quantities() if q.range is not None}


def _field_name(model: BaseModel, alias: str) -> str:
    for name, info in type(model).model_fields.items():
        if (info.alias or name) == alias:
            return name
    raise KeyError(alias)


def _at(obj: Any, loc: tuple) -> Any:
    for part in loc:
        obj = getattr(obj, _field_name(obj, part)) if isinstance(obj, BaseModel) else obj[part]
    return obj


def _replaced(obj: Any, changes: dict[tuple, Any]) -> Any:
    """A copy of ``obj`` with the value at each ``loc`` of ``changes`` replaced
    (no re-validation; every container on the way is copied once)."""
    if () in changes:
        return changes[()]
    by_head: dict[Any, dict[tuple, Any]] = {}
    for loc, new in changes.items():
        by_head.setdefault(loc[0], {})[loc[1:]] = new
    if isinstance(obj, BaseModel):
        update = {}
        for head, sub in by_head.items():
            name = _field_name(obj, head)
            update[name] = _replaced(getattr(obj, name), sub)
        return obj.model_copy(update=update)
    if isinstance(obj, list | tuple):
        items = list(obj)
        for head, sub in by_head.items():
            items[head] = _replaced(items[head], sub)
        return type(obj)(items)
    out = dict(obj)
    for head, sub in by_head.items():
        key = next(k for k in obj if k == head)  # enum keys compare equal to their text
        out[key] = _replaced(obj[key], sub)
    return out


__all__ = [
    "CHANNELS",
    "INTERESTS",
    "Alliance",
    "Channel",
    "Document",
    "Evidence",
    "Faction",
    "FactionKind",
    "Hostility",
    "Interest",
    "IssueAxis",
    "Month",
    "Number",
    "Outcomes",
    "Parameters",
    "Quantity",
    "Region",
    "Relations",
    "Scenario",
    "Sponsor",
    "SponsorKind",
    "SupportEdge",
]
