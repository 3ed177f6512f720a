"""``dialogue``: a UN-led dialogue offers a power-sharing deal; those who accept
form a unity government without a vote (the Skhirat pattern, PATTERNS.md S3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from ..model import politics
from ..model.conflict import contest
from ..scenario.quantity import NonNegative, Unit, q
from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase, coalition_strength
from .election import reject_probability

if TYPE_CHECKING:
    pass


class Dialogue(EventBase):
    """A dialogue among ``parties`` on ``date``, brokered by ``broker``.

    Each party is offered a share of power in a unity government (``offer``,
    by default its power share under the bargaining settlement, renormalised
    over the parties) and accepts if that beats its expected value of fighting
    the others; those who accept form a unity government without a vote, those
    who refuse stay out (the Libyan Political Agreement signed at Skhirat in
    December 2015 formed the GNA that way; the House of Representatives never
    endorsed it). Details: docs/ODD.md §7.5.
    """

    type: Literal["dialogue"]
    parties: list[Ident] = Field(min_length=2)
    broker: Ident | None = None
    offer: dict[Ident, Unit] = Field(default_factory=dict)
    guarantee: Unit = q(
        0.0,
        range=(0.0, 0.2),
        assumption=(
            "share of power the broker's guarantees add to every party's offer (third-party "
            "guarantees make power-sharing credible, Walter 2002); none unless stated"
        ),
    )
    war_cost: NonNegative = q(
        0.1,
        range=(0.0, 0.3),
        assumption="cost of fighting on instead of joining, on the scale of power shares",
    )
    decision_noise: NonNegative = q(
        0.05,
        range=(0.0, 0.15),
        assumption=(
            "scale of the unobserved considerations in a party's choice (logit); 0 makes the "
            "rule deterministic"
        ),
    )
    recognised: bool = True

    @model_validator(mode="after")
    def _offer_to_parties(self) -> Dialogue:
        twice = sorted({p for p in self.parties if self.parties.count(p) > 1})
        if twice:
            raise ValueError(f"parties must be different factions; {', '.join(twice)} named twice")
        stray = sorted(set(self.offer) - set(self.parties))
        if stray:
            raise ValueError(f"offer names factions that are not parties: {', '.join(stray)}")
        total = sum(float(v.value) for v in self.offer.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"the offers share out more than all power (sum {total:g} > 1)")
        return self


def offered_shares(
    parties: list[int], power_share: np.ndarray, offer: dict[int, float], guarantee: float
) -> dict[int, float]:
    """Each party's offered share: its ``offer`` if stated, else its settlement power
    share renormalised over the parties (over what the stated offers leave), plus
    ``guarantee``, capped at 1."""
    rest = [i for i in parties if i not in offer]
    left = max(0.0, 1.0 - sum(offer.values()))
    tot = float(sum(power_share[i] for i in rest))
    out = {}
    for i in parties:
        if i in offer:
            base = offer[i]
        elif tot > 0:
            base = left * float(power_share[i]) / tot
        else:
            base = left / len(rest)
        out[i] = min(1.0, base + guarantee)
    return out


class DialogueBehaviour(Behaviour):
    """A dialogue: at its date each party i (with fighters, or following its
    strongest armed ally among the parties if it has none) compares the share
    it is offered, ``A_i`` (:func:`offered_shares`), with its value of fighting
    on, ``F_i = P(C_i, C_−i) − war_cost``, where ``C_−i`` is the coalition
    strength of the parties hostile to i (0 if none), and refuses with the
    logit probability :func:`~.election.reject_probability` ``(F_i, A_i, noise)``.
    If at least two accept they form a unity government
    (:func:`~libyasim.model.politics.form_unity`, ``how="dialogue"``; UN
    recognition with ``recognised``); refusers stay out (and keep their
    hostilities, which the government now shares).
    """

    types = ("dialogue",)
    spec: Dialogue

    def apply(self) -> None:
        m, e = self.model, self.spec
        parties = [m.fidx[x] for x in e.parties if not m.jihadist[m.fidx[x]]]
        offer = {m.fidx[k]: float(v.value) for k, v in e.offer.items()}
        shares = offered_shares(parties, m.power_share, offer, float(e.guarantee.value))
        strength = coalition_strength(m)
        cost, noise = float(e.war_cost.value), float(e.decision_noise.value)
        refuses: dict[int, bool] = {}
        decisions: dict[str, dict[str, Any]] = {}
        for i in parties:
            if m.strength[i] <= 0:
                continue
            foes = [j for j in parties if j != i and m.hostility[i, j] > 0]
            rival = float(sum(strength[j] for j in foes))
            fight = contest(strength[i], rival, m.p.contest_exponent) - cost if foes else -cost
            p = reject_probability(fight, shares[i], noise)
            refuses[i] = p >= 1.0 or (p > 0.0 and m.rng.random() < p)
            decisions[m.faction_ids[i]] = {
                "offer": round(shares[i], 4),
                "fight": round(fight, 4),
                "p_refuse": round(p, 4),
            }
        for i in parties:  # parties without fighters follow their strongest armed ally
            if i in refuses:
                continue
            allies = [j for j in refuses if m.alliance[i, j] > 0]
            lead = max(allies, key=lambda j: (m.alliance[i, j], m.strength[j])) if allies else None
            refuses[i] = refuses[lead] if lead is not None else False
            decisions[m.faction_ids[i]] = {
                "offer": round(shares[i], 4),
                "follows": (m.faction_ids[lead] if lead is not None else None),
            }
        accept = [i for i in parties if not refuses[i]]
        refuse = [i for i in parties if refuses[i]]
        formed = len(accept) >= 2
        if formed:
            politics.form_unity(
                m, accept, "dialogue", recognised=e.recognised, note=f"broker {e.broker or '-'}"
            )
        ids = m.faction_ids
        m.log(
            STRATEGIC,
            "dialogue",
            None,
            ",".join(ids[i] for i in accept),
            ",".join(ids[i] for i in refuse),
            0.0,
            (f"unity government formed; broker {e.broker}" if formed else "no agreement")
            if e.broker
            else ("unity government formed" if formed else "no agreement"),
        )
        self.effects = {
            "broker": e.broker,
            "accepted_by": [ids[i] for i in accept],
            "refused_by": [ids[i] for i in refuse],
            "unity_government": formed,
            "decisions": decisions,
        }

    def result(self) -> str:
        x = self.effects
        if not x["unity_government"]:
            return "no agreement" + (
                f": refused by {', '.join(x['refused_by'])}" if x["refused_by"] else ""
            )
        out = f"unity government of {', '.join(x['accepted_by'])}"
        if x["refused_by"]:
            out += f"; {', '.join(x['refused_by'])} stayed out"
        return out


SCHEMA = Dialogue
BEHAVIOUR = DialogueBehaviour
