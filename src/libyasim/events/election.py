"""``election``: a national vote, its postponement, and the losers' choice to accept or fight."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import model_validator

from ..model.conflict import contest
from ..scenario.quantity import Count, NonNegative, StrictModel, Unit, q
from ..scenario.types import Ident, Month, month_index
from .base import STRATEGIC, Behaviour, EventBase, coalition_strength, pct
from .ceasefire import CeasefireBehaviour

if TYPE_CHECKING:
    from ..model.model import LibyaModel


class ElectionPreconditions(StrictModel):
    """Security conditions for an ``asap`` election: at most
    ``max_monthly_fatalities`` deaths in each of the last ``months`` months."""

    max_monthly_fatalities: NonNegative = q(
        50, range=(20, 150), assumption="security threshold below which a vote can be organised"
    )
    months: Count = q(
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


def fight_value(p_win: float, cost: float) -> float:
    """A loser's expected value of fighting an election result: ``P(win) − cost``."""
    return p_win - cost


def reject_probability(fight: float, accept: float, noise: float) -> float:
    """Logit choice between fighting and accepting (McFadden 1974): ``1 / (1 +
    exp(−(fight − accept)/noise))``; with ``noise = 0`` reject iff fight > accept."""
    if noise <= 0:
        return 1.0 if fight > accept else 0.0
    return float(1.0 / (1.0 + np.exp(-(fight - accept) / noise)))


def accept_value(vote_share: float, power_share: float) -> float:
    """A loser's share of power if it accepts: ``power_share + (1 − power_share)·vote``."""
    return power_share + (1.0 - power_share) * vote_share


def vote_shares(
    popularity: np.ndarray,
    control: np.ndarray,
    candidates: np.ndarray,
    pop_share: np.ndarray,
    coercion: float,
) -> np.ndarray:
    """National vote shares of ``candidates`` (faction indices) [E].

    In each region r the vote splits in proportion to the candidates'
    popularity there (equally if none is popular); a candidate that controls
    r then takes a further ``coercion`` share of it:
    ``v_er = (1 − c)·pop_er / Σ pop + c·[e controls r]``. National shares
    weight regions by population; over the candidates they sum to 1.
    """
    pop = popularity[candidates]  # [E, R]
    tot = pop.sum(axis=0)
    share = np.divide(pop, tot, out=np.full_like(pop, 1.0 / len(candidates)), where=tot > 0)
    for r in range(share.shape[1]):
        c = np.flatnonzero(candidates == control[r])
        if len(c):
            share[:, r] *= 1.0 - coercion
            share[c[0], r] += coercion
    return share @ pop_share


class ElectionBehaviour(Behaviour):
    """A national election.

    Held on its date, or with ``asap`` at the end of the first month (from its
    date) whose last ``preconditions.months`` months each stayed at or under
    ``max_monthly_fatalities`` — postponed until then, abandoned after
    ``deadline``. Candidates: ``eligible`` or every faction that may stand,
    never a jihadist one. Vote shares: :func:`vote_shares`. The winner has the
    largest share. Each loser with fighters compares fighting,
    ``fight_value(P(loser's coalition beats the winner's), war_cost)``, with
    accepting, ``accept_value(vote share, power_share)``, and rejects if
    rejects with the logit probability :func:`reject_probability` (with
    ``decision_noise`` 0: iff fighting is worth more; Brancati & Snyder 2013;
    Flores & Nooruddin 2012): hostility with the winner goes to 1 and any
    ceasefire binding it ends.
    A loser that accepts reconciles: its hostility with the winner falls by
    ``reconciliation``. If all accept, the winner's legitimacy base rises by
    its share of the remaining gap and (``transfers_recognition``) it becomes
    the internationally recognised government. If the winner's coalition holds
    at least ``consolidation`` of all non-jihadist fighters it consolidates
    power: the takeover-by-election path (end state ``takeover``).
    """

    types = ("election",)
    spec: Election

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        super().__init__(model, spec, index)
        self.pending = False
        self.result_: dict[str, Any] | None = None

    def apply(self) -> None:
        self.effects = {"held": None, "postponed_months": 0, "abandoned": None}
        if self.spec.asap:
            self.pending = True  # checked at the end of this month (step 6)
        else:
            self.hold()

    def preconditions_hold(self) -> bool:
        m, pre = self.model, self.spec.preconditions
        n = max(1, round(float(pre.months.value)))
        recent = [*m.fatality_history, m.fatalities][-n:]  # this month is not yet in the history
        return len(recent) >= n and max(recent) <= float(pre.max_monthly_fatalities.value)

    def update(self) -> None:
        if not self.pending:
            return
        m, e = self.model, self.spec
        if self.preconditions_hold():
            self.pending = False
            self.hold()
            return
        if e.deadline and month_index(m.current_month) >= month_index(e.deadline):
            self.pending = False
            self.effects["abandoned"] = m.current_month
            m.log(
                STRATEGIC,
                "election_abandoned",
                None,
                None,
                None,
                0.0,
                "security preconditions never met",
            )
            return
        if self.effects["postponed_months"] == 0:
            m.log(
                STRATEGIC,
                "election_postponed",
                None,
                None,
                None,
                0.0,
                "security preconditions not met",
            )
        self.effects["postponed_months"] += 1

    def candidates(self) -> list[str]:
        m, e = self.model, self.spec
        named = e.eligible if e.eligible is not None else m.faction_ids
        return [x for x in named if m.spec.faction(x).can_stand]

    def vote_shares(self) -> dict[str, float]:
        m = self.model
        ids = self.candidates()
        if not ids:
            return {}
        idx = np.array([m.fidx[x] for x in ids])
        national = vote_shares(
            m.popularity, m.control, idx, m.pop_share, float(self.spec.coercion.value)
        )
        return {x: float(v) for x, v in zip(ids, national, strict=True)}

    def decide(self, loser: int, winner: int, share: float) -> tuple[float, float]:
        """(value of fighting, value of accepting) for ``loser`` against ``winner``."""
        m, e = self.model, self.spec
        strength = coalition_strength(m)
        p = contest(strength[loser], strength[winner], m.p.contest_exponent)
        return (
            fight_value(p, float(e.war_cost.value)),
            accept_value(share, float(e.power_share.value)),
        )

    def hold(self) -> None:
        m, e = self.model, self.spec
        shares = self.vote_shares()
        if not shares:
            self.effects["abandoned"] = m.current_month
            m.log(STRATEGIC, "election_abandoned", None, None, None, 0.0, "no eligible candidates")
            return
        winner = max(shares, key=lambda k: shares[k])
        w = m.fidx[winner]
        rejected, accepted, values = [], [], {}
        for loser, v in shares.items():
            i = m.fidx[loser]
            if loser == winner or m.strength[i] <= 0:
                continue
            fight, accept = self.decide(i, w, v)
            p_reject = reject_probability(fight, accept, float(e.decision_noise.value))
            values[loser] = {
                "fight": round(fight, 4),
                "accept": round(accept, 4),
                "p_reject": round(p_reject, 4),
            }
            if p_reject >= 1.0 or (p_reject > 0.0 and m.rng.random() < p_reject):
                rejected.append(loser)
                m.hostility[i, w] = m.hostility[w, i] = 1.0
            else:
                accepted.append(loser)
                if m.hostility[i, w] > 0:
                    m.hostility[i, w] = m.hostility[w, i] = m.hostility[i, w] * (
                        1.0 - float(e.reconciliation.value)
                    )
        ended = []
        for loser in rejected:
            for ev in m.events:
                if isinstance(ev, CeasefireBehaviour) and ev.active and m.fidx[loser] in ev.parties:
                    ev.end(m.fidx[loser], "rejected the election result")
                    ended.append(ev.name)
        strength = coalition_strength(m)
        fighters = np.where(m.jihadist, 0.0, m.strength).sum()
        hold = float(min(1.0, strength[w] / fighters)) if fighters > 0 else 0.0
        consolidated = hold >= float(e.consolidation.value)
        if not rejected:
            m.legitimacy0[w] = min(
                1.0, m.legitimacy0[w] + shares[winner] * (1.0 - m.legitimacy0[w])
            )
            if e.transfers_recognition:
                m.un_recognised[:] = 0.0
                m.un_recognised[w] = 1.0
        self.result_ = {
            "month": m.current_month,
            "winner": winner,
            "shares": {k: round(v, 4) for k, v in shares.items()},
            "accepted": not rejected,
            "accepted_by": accepted,
            "rejected_by": rejected,
            "consolidated": bool(consolidated),
            "winner_force_share": round(hold, 4),
        }
        m.election_result = self.result_
        self.effects.update(
            held=m.current_month,
            winner=winner,
            accepted=not rejected,
            accepted_by=accepted,
            rejected_by=rejected,
            consolidated=bool(consolidated),
            winner_force_share=round(hold, 4),
            ended_ceasefires=ended,
            shares=self.result_["shares"],
            decisions=values,
        )
        m.log(
            STRATEGIC,
            "election_held",
            None,
            winner,
            None,
            0.0,
            f"winner {winner} with {shares[winner]:.0%}; "
            + ("accepted" if not rejected else f"rejected by {', '.join(rejected)}")
            + ("; the winner consolidates power" if consolidated else ""),
        )

    def result(self) -> str:
        x = self.effects
        waited = x["postponed_months"]
        if x["abandoned"]:
            return f"postponed {waited} months, abandoned in {x['abandoned']}"
        if not x["held"]:
            return f"postponed {waited} months (not held by the end of the run)"
        out = f"held in {x['held']}" + (f" after {waited} months' postponement" if waited else "")
        out += f": winner {x['winner']} ({pct(x['shares'][x['winner']])})"
        if x["rejected_by"]:
            out += f", rejected by {', '.join(x['rejected_by'])}"
            if x["accepted_by"]:
                out += f", accepted by {', '.join(x['accepted_by'])}"
        else:
            out += ", accepted" + (f" by {', '.join(x['accepted_by'])}" if x["accepted_by"] else "")
        if x["ended_ceasefires"]:
            out += f"; ends {', '.join(x['ended_ceasefires'])}"
        if x["consolidated"]:
            out += f"; {x['winner']} consolidates power (takeover by election)"
        return out



SCHEMA = Election
BEHAVIOUR = ElectionBehaviour
