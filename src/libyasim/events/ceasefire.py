"""``ceasefire``: parties stop fighting each other while keeping the peace pays
(Fearon 1995; Fortna 2004)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from ..model.conflict import contest
from ..scenario.quantity import NonNegative, Positive, Unit, q
from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase, coalition_strength, holdings

if TYPE_CHECKING:
    from ..model.model import LibyaModel


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


def war_gain(p_win: float, prize: float, stake: float, cost: float) -> float:
    """Expected gain from fighting over keeping the peace (Fearon 1995):
    win the rival's holdings with probability ``p_win``, lose one's own
    otherwise, and pay ``cost`` scaled by the chance of losing:
    ``p·prize − (1 − p)·stake − cost·(1 − p)``."""
    return p_win * prize - (1.0 - p_win) * stake - cost * (1.0 - p_win)


class CeasefireBehaviour(Behaviour):
    """A ceasefire among its parties.

    While it is kept, no battle is fought between two of its parties
    (``binds``). At the end of every month each party i compares

    - its expected gain from fighting (Fearon 1995), summed over the other
      parties j it is hostile to, with coalition strengths C and holdings V:
      ``G_i = Σ_j h_ij·war_gain(P_ij, V_j, V_i, war_cost)``,
      ``P_ij = C_iᵐ/(C_iᵐ + C_jᵐ)``, plus the spoiler temptation
      ``spoiler_sensitivity·min(1, jihadist attack deaths in i's regions / spoiler_deaths)``
      (Stedman 1997);
    - with what keeping it is worth: ``K_i = peace_dividend·(1 + V_i) +
      monitoring·penalty·(share of i's support that comes from enforcers)``
      (Fortna 2004; Walter 2002).

    The first party (in the order ``parties`` lists them) with ``G_i > K_i``
    breaks it for all. The violation is detected with probability ``monitoring``; if so each
    enforcer cuts its allocation to the violator by ``penalty`` and lowers its
    stance toward it by ``penalty``. An election loser that rejects the result
    also ends it (:class:`ElectionBehaviour`).
    """

    types = ("ceasefire",)
    spec: Ceasefire

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        super().__init__(model, spec, index)
        e = self.spec
        self.parties = [model.fidx[p] for p in e.parties if model.spec.faction(p).can_sign]
        self.enforcers = [model.sidx[s] for s in e.enforcers]
        self.active = False
        self.broken_by: str | None = None
        self.months_held = 0

    def apply(self) -> None:
        self.active = True
        m = self.model
        m.log(
            STRATEGIC,
            "ceasefire_signed",
            None,
            ",".join(self.spec.parties),
            self.spec.broker,
            0.0,
            self.spec.note or "",
        )
        self.effects = {
            "parties": list(self.spec.parties),
            "months_held": 0,
            "broken_by": None,
            "broken": None,
            "cause": None,
            "sanctioned_by": [],
        }

    def binds(self, a: int, b: int) -> bool:
        return self.active and a in self.parties and b in self.parties

    def temptation(self, i: int) -> tuple[float, float]:
        """(expected gain from fighting G_i, value of keeping the ceasefire K_i) for party i."""
        m, e = self.model, self.spec
        value = holdings(m, float(e.oil_in_prize.value))
        strength = coalition_strength(m)
        cost = float(e.war_cost.value)
        gain = 0.0
        for j in self.parties:
            if j != i and m.hostility[i, j] > 0:
                pw = contest(strength[i], strength[j], m.p.contest_exponent)
                gain += m.hostility[i, j] * war_gain(pw, value[j], value[i], cost)
        own = m.control == i
        gain += float(e.spoiler_sensitivity.value) * min(
            1.0, m.jihadist_attack_deaths[own].sum() / float(e.spoiler_deaths.value)
        )
        received = m.flows[:, i].sum(axis=1)
        total = received.sum()
        enforced = received[self.enforcers].sum() / total if total > 0 else 0.0
        keep = (
            float(e.peace_dividend.value) * (1.0 + value[i])
            + float(e.monitoring.value) * float(e.penalty.value) * enforced
        )
        return float(gain), float(keep)

    def update(self) -> None:
        if not self.active:
            return
        for i in self.parties:
            gain, keep = self.temptation(i)
            if gain > keep:
                self.end(
                    i,
                    "expected gain from fighting",
                    f"expected gain {gain:.3f} > value of keeping it {keep:.3f}",
                )
                return
        self.months_held += 1
        self.effects["months_held"] = self.months_held

    def end(self, violator: int, cause: str, note: str = "") -> None:
        """``violator`` breaks the ceasefire (for all parties) this month."""
        if not self.active:
            return
        m = self.model
        self.active = False
        self.broken_by = m.faction_ids[violator]
        self.effects.update(broken=m.current_month, broken_by=self.broken_by, cause=cause)
        m.log(
            STRATEGIC,
            "ceasefire_broken",
            None,
            self.broken_by,
            None,
            0.0,
            f"{cause}: {note}" if note else cause,
        )
        m.on_violation(violator, None, None, self)

    def violated(self, violator: int, victim: int | None, region: int | None, source: Any) -> None:
        if source is not self:
            return
        m, pen = self.model, float(self.spec.penalty.value)
        if m.rng.random() >= float(self.spec.monitoring.value):
            self.effects["detected"] = False
            return
        self.effects["detected"] = True
        punished = []
        for s in self.enforcers:
            if m.active[s]:
                m.allocation[s, violator] *= 1.0 - pen
                m.stance[s, violator] = max(-1.0, m.stance[s, violator] - pen)
                punished.append(m.sponsor_ids[s])
        self.effects["sanctioned_by"] = punished

    def result(self) -> str:
        x = self.effects
        if x["broken_by"] is None:
            return f"held {x['months_held']} months (still in force at the end)"
        out = (
            f"held {x['months_held']} months, broken by {x['broken_by']} in {x['broken']} "
            f"({x['cause']})"
        )
        if x.get("detected") is False:
            out += "; the violation went undetected"
        elif x["sanctioned_by"]:
            out += f"; sanctioned by {', '.join(x['sanctioned_by'])}"
        return out



SCHEMA = Ceasefire
BEHAVIOUR = CeasefireBehaviour
