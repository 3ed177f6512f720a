"""``election``: a national vote, its postponement, and the losers' choice to accept or fight."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import model_validator

from ..model import politics
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
    """A national election on ``date``, or as soon as its preconditions hold.

    A due vote can be postponed for security (with ``asap``: violence above
    the preconditions), legal (a constitutional or electoral-law challenge,
    monthly probability ``legal_delay``) or political reasons (a strong party
    that expects to lose vetoes it); after ``deadline`` it is *abandoned*.
    Only factions that may stand take part (jihadists never). Vote shares come
    from regional popularity, distorted by the coercion of whoever controls
    the region. Each armed loser accepts or rejects by comparing its expected
    value of fighting with what accepting gives it: a guaranteed share, its
    vote share and its power share under the bargaining settlement
    (Brancati & Snyder 2013; Flores & Nooruddin 2012). If all accept they
    form a unity government; if some reject, they set up rival institutions.
    Details: docs/ODD.md §7.5.
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
    settlement_weight: Unit = q(
        0.5,
        range=(0.0, 1.0),
        assumption=(
            "weight of a loser's power share under the bargaining settlement, against its vote "
            "share, in what it expects from accepting the result: power in Libya was negotiated "
            "as much as voted for (the 2015 agreement shared out posts), so an even split"
        ),
    )
    war_cost: NonNegative = q(
        0.1,
        range=(0.0, 0.3),
        assumption="cost of fighting the result, on the scale of power shares",
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
    legal_delay: Unit = q(
        0.1,
        range=(0.0, 0.3),
        assumption=(
            "monthly probability that a due vote is postponed for legal or constitutional reasons "
            "(no agreed constitutional basis or electoral law, court challenges); judgement from "
            "the record up to 2017, when talks kept setting dates and the 2014 vote was the last "
            "held (PATTERNS.md S4)"
        ),
    )
    veto_strength: Unit = q(
        0.35,
        range=(0.25, 0.5),
        assumption=(
            "share of all non-jihadist fighters a party's coalition needs to block a vote it "
            "expects to lose (judgement: a large minority of the armed forces)"
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


def accept_value(
    vote_share: float, power_share: float, settled: float = 0.0, weight: float = 0.0
) -> float:
    """A loser's share of power if it accepts:
    ``g + (1 − g)·((1 − σ)·vote + σ·π)`` with ``g`` the guaranteed ``power_share``,
    ``π`` its power share under the bargaining settlement (``settled``) and
    ``σ`` the ``settlement_weight``."""
    return power_share + (1.0 - power_share) * ((1.0 - weight) * vote_share + weight * settled)


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

    Due on its date; each month it is due (from then until it is held) it is
    postponed, in this order, for *security* (with ``asap``: the last
    ``preconditions.months`` months did not each stay at or under
    ``max_monthly_fatalities``), *legal* reasons (probability ``legal_delay``)
    or *political* ones (a veto, :meth:`veto`); abandoned after ``deadline``.
    A fixed-date vote is held in step 1 of its month if nothing postpones it,
    an ``asap`` vote (or a postponed one) at the end of the month (step 6).
    Candidates: ``eligible`` or every faction that may stand, never a jihadist
    one. Vote shares: :func:`vote_shares`; the winner has the largest share.
    Each loser with fighters compares fighting,
    ``fight_value(P(loser's coalition beats the winner's), war_cost)``, with
    accepting, ``accept_value(vote, power_share, π_loser, settlement_weight)``,
    and rejects with the logit probability :func:`reject_probability` (neither
    coalition counts the other side among its allies); an ally of the winner
    accepts; a loser without fighters follows its strongest armed ally among
    the losers (accepts otherwise). A rejection sets its hostility with the winner to 1 and ends any
    ceasefire binding it. If nobody rejects, the winner and all the losers form
    a unity government (:func:`~libyasim.model.politics.form_unity`: one
    command, UN recognition with ``transfers_recognition``) and the winner's
    base legitimacy rises by its vote share of the gap. Otherwise the winner and
    those who accept govern (recognised with ``transfers_recognition``, as the
    UN recognised the parliament elected in 2014) and the rejecting parties
    split the institutions (:func:`~libyasim.model.politics.split_institutions`).
    Whether the result becomes a takeover is for the outcome criteria
    (``model.election_result``).
    """

    types = ("election",)
    spec: Election

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        super().__init__(model, spec, index)
        self.pending = False
        self.tried: str | None = None  # the month of the last attempt to hold the vote
        self.result_: dict[str, Any] | None = None

    def apply(self) -> None:
        self.effects = {
            "held": None,
            "postponed_months": 0,
            "postponed_for": {"security": 0, "legal": 0, "political": 0},
            "abandoned": None,
        }
        self.pending = True
        if not self.spec.asap:  # a fixed date: held now unless a legal or political delay
            self.try_hold(security=False)

    def preconditions_hold(self) -> bool:
        m, pre = self.model, self.spec.preconditions
        n = max(1, round(float(pre.months.value)))
        recent = [*m.fatality_history, m.fatalities][-n:]  # this month is not yet in the history
        return len(recent) >= n and max(recent) <= float(pre.max_monthly_fatalities.value)

    def update(self) -> None:
        if self.pending and self.tried != self.model.current_month:
            self.try_hold(security=self.spec.asap)

    def veto(self) -> str | None:
        """The first armed candidate that blocks the vote, or None.

        A candidate other than the projected winner whose coalition holds at
        least ``veto_strength`` of all non-jihadist fighters vetoes when what it
        expects from accepting the projected result, ``A_i``, is worth less
        than its power share under the bargaining settlement today, ``π_i`` (the
        status quo): with probability :func:`reject_probability` ``(π_i, A_i, noise)``.
        """
        m, e = self.model, self.spec
        shares = self.vote_shares()
        if len(shares) < 2:
            return None
        winner = max(shares, key=lambda k: shares[k])
        strength = coalition_strength(m)
        fighters = float(np.where(m.jihadist, 0.0, m.strength).sum())
        if fighters <= 0:
            return None
        g, sw = float(e.power_share.value), float(e.settlement_weight.value)
        for x, v in shares.items():
            i = m.fidx[x]
            if (
                x == winner
                or m.strength[i] <= 0
                or strength[i] / fighters < float(e.veto_strength.value)
            ):
                continue
            status_quo = float(m.power_share[i])
            accept = accept_value(v, g, status_quo, sw)
            p = reject_probability(status_quo, accept, float(e.decision_noise.value))
            if p >= 1.0 or (p > 0.0 and m.rng.random() < p):
                return x
        return None

    def postpone(self, reason: str, note: str) -> None:
        """Postpone the vote for ``reason`` (security, legal, political); at the
        deadline, abandon it instead."""
        m, e = self.model, self.spec
        if e.deadline and month_index(m.current_month) >= month_index(e.deadline):
            self.pending = False
            self.effects["abandoned"] = m.current_month
            m.log(STRATEGIC, "election_abandoned", None, None, None, 0.0, f"{reason}: {note}")
            return
        self.effects["postponed_months"] += 1
        self.effects["postponed_for"][reason] += 1
        m.log(STRATEGIC, "election_postponed", None, None, None, 0.0, f"{reason}: {note}")

    def try_hold(self, security: bool) -> None:
        """Hold the vote this month unless something postpones it."""
        m, e = self.model, self.spec
        self.tried = m.current_month
        if security and not self.preconditions_hold():
            self.postpone("security", "security preconditions not met")
            return
        if m.rng.random() < float(e.legal_delay.value):
            self.postpone("legal", "legal or constitutional challenge")
            return
        blocker = self.veto()
        if blocker is not None:
            self.postpone("political", f"{blocker} expects to lose and blocks the vote")
            return
        self.pending = False
        self.hold()

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
        # neither side counts the other among its allies
        mine = strength[loser] - m.alliance[loser, winner] * m.strength[winner]
        theirs = strength[winner] - m.alliance[winner, loser] * m.strength[loser]
        p = contest(mine, theirs, m.p.contest_exponent)
        return (
            fight_value(p, float(e.war_cost.value)),
            accept_value(
                share,
                float(e.power_share.value),
                float(m.power_share[loser]),
                float(e.settlement_weight.value),
            ),
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
        choice: dict[str, bool] = {}  # loser -> rejects
        values = {}
        for loser, v in shares.items():
            i = m.fidx[loser]
            if loser == winner or m.strength[i] <= 0 or m.alliance[i, w] > 0:
                continue  # an unarmed loser or an ally of the winner: decided below
            fight, accept = self.decide(i, w, v)
            p_reject = reject_probability(fight, accept, float(e.decision_noise.value))
            values[loser] = {
                "fight": round(fight, 4),
                "accept": round(accept, 4),
                "p_reject": round(p_reject, 4),
            }
            choice[loser] = p_reject >= 1.0 or (p_reject > 0.0 and m.rng.random() < p_reject)
        for loser in shares:  # losers without fighters follow their strongest armed ally
            i = m.fidx[loser]
            if loser == winner or loser in choice:
                continue
            allies = [x for x in choice if m.alliance[i, m.fidx[x]] > 0]
            if allies and m.alliance[i, w] <= 0:  # allies of the winner accept
                lead = max(allies, key=lambda x: (m.alliance[i, m.fidx[x]], m.strength[m.fidx[x]]))
                choice[loser] = choice[lead]
            else:
                choice[loser] = False
        rejected = [x for x in shares if choice.get(x)]
        accepted = [x for x in shares if x != winner and not choice.get(x)]
        ended = []
        for loser in rejected:
            i = m.fidx[loser]
            m.hostility[i, w] = m.hostility[w, i] = 1.0
            for ev in m.events:
                if isinstance(ev, CeasefireBehaviour) and ev.active and i in ev.parties:
                    ev.end(i, "rejected the election result")
                    ended.append(ev.name)
        strength = coalition_strength(m)
        fighters = np.where(m.jihadist, 0.0, m.strength).sum()
        hold = float(min(1.0, strength[w] / fighters)) if fighters > 0 else 0.0
        if not rejected:
            m.legitimacy0[w] = min(
                1.0, m.legitimacy0[w] + shares[winner] * (1.0 - m.legitimacy0[w])
            )
        government = [w] + [m.fidx[x] for x in accepted]
        if rejected:  # the elected side governs alone; the rejecting side sets up rivals
            if e.transfers_recognition:
                politics.recognise(m, government)
            politics.split_institutions(m, [m.fidx[x] for x in rejected], government)
        elif len(government) >= 2:
            politics.form_unity(m, government, "election", recognised=e.transfers_recognition)
        elif e.transfers_recognition:
            politics.recognise(m, government)
        self.result_ = {
            "month": m.current_month,
            "winner": winner,
            "shares": {k: round(v, 4) for k, v in shares.items()},
            "accepted": not rejected,
            "accepted_by": accepted,
            "rejected_by": rejected,
            "government": [m.faction_ids[i] for i in government],
            "winner_vote_share": round(shares[winner], 4),
            "winner_force_share": round(hold, 4),
            "power_share": {k: round(float(m.power_share[m.fidx[k]]), 4) for k in shares},
            "postponed_months": self.effects["postponed_months"],
        }
        m.election_result = self.result_
        self.effects.update(
            held=m.current_month,
            winner=winner,
            accepted=not rejected,
            accepted_by=accepted,
            rejected_by=rejected,
            government=self.result_["government"],
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
            + ("accepted" if not rejected else f"rejected by {', '.join(rejected)}"),
        )

    def result(self) -> str:
        x = self.effects
        waited = x["postponed_months"]
        why = ", ".join(f"{k} {n}" for k, n in x["postponed_for"].items() if n)
        wait = f"postponed {waited} months ({why})" if waited else ""
        if x["abandoned"]:
            return f"{wait or 'never held'}, abandoned in {x['abandoned']}"
        if not x["held"]:
            return f"{wait or 'not held'} (not held by the end of the run)"
        out = f"held in {x['held']}"
        if waited:
            out += f" after {waited} months' postponement ({why})"
        out += f": winner {x['winner']} ({pct(x['shares'][x['winner']])})"
        if x["rejected_by"]:
            out += f", rejected by {', '.join(x['rejected_by'])} (institutions split)"
            if x["accepted_by"]:
                out += f", accepted by {', '.join(x['accepted_by'])}"
        else:
            out += ", accepted" + (f" by {', '.join(x['accepted_by'])}" if x["accepted_by"] else "")
            if len(x["government"]) >= 2:
                out += f"; unity government of {', '.join(x['government'])}"
        if x["ended_ceasefires"]:
            out += f"; ends {', '.join(x['ended_ceasefires'])}"
        return out


SCHEMA = Election
BEHAVIOUR = ElectionBehaviour
