"""What each scheduled event does to a running model (DESIGN.md §4.4).

The *data* of each event type is in :mod:`libyasim.scenario.events`; here
each ``type`` maps to a behaviour class in :data:`BEHAVIOURS`. A behaviour
``fire()``s in the month of its date (step 1 of the month), may ``update()``
every later month (step 6, the month it fired included), may say whether it
``binds`` two factions (a ceasefire), may react to a ceasefire violation, and
``report()``s what it did for the run summary's ``interventions``: the fields
of its outcome and a one-line ``result`` in words.

The decision rules are small pure functions (:func:`war_gain`,
:func:`fight_value`, :func:`accept_value`, :func:`reject_probability`,
:func:`vote_shares`) so that each
can be checked against a hand calculation; docs/ODD.md §7.5 gives the
equations and docs/events.md a user's page per event type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..scenario.events import month_index
from ..scenario.schema import CHANNELS, INTERESTS
from .conflict import attack, contest

if TYPE_CHECKING:
    from ..scenario.events import (
        ArmsEmbargo,
        Attack,
        Ceasefire,
        Election,
        EventBase,
        IccWarrant,
        Recognition,
        SponsorEntry,
        SponsorExit,
        SupportChange,
    )
    from .model import LibyaModel

STRATEGIC = "Strategic developments"
MIL = CHANNELS.index("military")


# ---------------------------------------------------------------- decision rules
def coalition_strength(m: LibyaModel) -> np.ndarray:
    """Each faction's fighters plus its allies' weighted by alliance level [F]
    (allies fight alongside: Misrata's brigades count for the GNA)."""
    allies = m.alliance * ~m.jihadist[None, :]
    return m.strength + allies @ m.strength


def holdings(m: LibyaModel, oil_weight: float) -> np.ndarray:
    """Value of what each faction holds: ``(1 − w)·population share + w·oil share`` [F]."""
    own = (m.control[None, :] == np.arange(m.F)[:, None]).astype(float)
    return (1.0 - oil_weight) * (own @ m.pop_share) + oil_weight * (own @ m.oil_share)


def war_gain(p_win: float, prize: float, stake: float, cost: float) -> float:
    """Expected gain from fighting over keeping the peace (Fearon 1995):
    win the rival's holdings with probability ``p_win``, lose one's own
    otherwise, and pay ``cost`` scaled by the chance of losing:
    ``p·prize − (1 − p)·stake − cost·(1 − p)``."""
    return p_win * prize - (1.0 - p_win) * stake - cost * (1.0 - p_win)


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


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# ---------------------------------------------------------------- behaviours
class Behaviour:
    """Base class: an event's effect on the model. Subclasses set ``types``."""

    types: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        self.model = model
        self.spec = spec
        self.type: str = getattr(spec, "type", "")
        self.index = index
        self.fired = False
        self.effects: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self.spec.id or f"{self.type}_{self.index}"

    def fire(self) -> None:
        self.fired = True
        self.apply()

    def apply(self) -> None:
        """What happens on the event's date."""

    def update(self) -> None:
        """What happens at the end of every month from the event's date (step 6)."""

    def binds(self, a: int, b: int) -> bool:
        return False

    def violated(self, violator: int, victim: int | None, region: int | None, source: Any) -> None:
        """A ceasefire was violated somewhere (any behaviour may react)."""

    def result(self) -> str:
        """What the event did, in words, for the run summary."""
        return ""

    def report(self) -> dict[str, Any]:
        return {
            "id": self.name,
            "type": self.type,
            "date": self.spec.date,
            "fired": self.fired,
            **self.effects,
            "result": self.result() if self.fired else "not reached in this run",
        }

    # helpers
    def f(self, ident: str) -> int:
        return self.model.fidx[ident]

    def s(self, ident: str) -> int:
        return self.model.sidx[ident]


class AttackBehaviour(Behaviour):
    """A jihadist attack of a given size: deaths, threat index, event log; in a
    party's region it also tempts a ceasefire party to break (a spoiler)."""

    types = ("attack",)
    spec: Attack

    def apply(self) -> None:
        m, e = self.model, self.spec
        target = self.f(e.target) if e.target else None
        deaths = float(e.fatalities.value)
        attack(
            m,
            self.f(e.faction),
            m.ridx[e.region],
            deaths,
            target,
            note=e.note or "scheduled attack",
        )
        self.effects = {"fatalities": deaths, "threat_after": round(m.threat, 4)}

    def result(self) -> str:
        e = self.spec
        return (
            f"{e.faction} attack in {e.region}: {self.effects['fatalities']:g} killed; "
            f"threat index {self.effects['threat_after']:.2f}"
        )


class IccWarrantBehaviour(Behaviour):
    """An ICC warrant on a faction's commander: legitimacy penalty and a
    reputation cost to any sponsor that supports the faction directly."""

    types = ("icc_warrant",)
    spec: IccWarrant

    def apply(self) -> None:
        m, e = self.model, self.spec
        f = self.f(e.faction)
        before = float(m.legitimacy[f])
        pen = float(e.legitimacy_penalty.value)
        m.legitimacy[f] = max(0.0, m.legitimacy[f] - pen)
        m.legitimacy0[f] = max(0.0, m.legitimacy0[f] - pen)
        m.icc_load[f] += float(e.reputation_cost.value)
        m.log(
            STRATEGIC,
            "icc_warrant",
            None,
            "icc" if "icc" in m.sidx else None,
            e.faction,
            0.0,
            f"warrant for {e.commander}",
        )
        self.effects = {
            "faction": e.faction,
            "legitimacy_before": round(before, 4),
            "legitimacy_after": round(float(m.legitimacy[f]), 4),
        }

    def result(self) -> str:
        x = self.effects
        return (
            f"warrant for {self.spec.commander}: {x['faction']} legitimacy "
            f"{x['legitimacy_before']:.2f} → {x['legitimacy_after']:.2f}; direct support costlier"
        )


class SupportChangeBehaviour(Behaviour):
    """A sponsor changes its budget, interests, stance, routing or consensus."""

    types = ("support_change",)
    spec: SupportChange

    def apply(self) -> None:
        m, e = self.model, self.spec
        s = self.s(e.sponsor)
        before = m.budget[s].copy()
        for ch, value in e.budget.items():
            c = CHANNELS.index(ch)
            m.budget[s, c] = m.budget0[s, c] = float(value.value)
        for ch, scale in e.budget_scale.items():
            c = CHANNELS.index(ch)
            m.budget[s, c] *= float(scale.value)
            m.budget0[s, c] *= float(scale.value)
        for k, w in e.interests.items():
            m.interests[s, INTERESTS.index(k)] = float(w.value)
        for f, v in e.stance.items():
            m.stance[s, self.f(f)] = float(v.value)
        if e.via is not None:
            # every faction the sponsor supports or may support
            reach = (m.edges[s].sum(axis=1) > 0) | (m.stance[s] > 0)
            for g in np.flatnonzero(reach):
                if e.via:
                    m.via[(s, int(g))] = [self.s(v) for v in e.via]
                else:
                    m.via.pop((s, int(g)), None)
        if e.consensus is not None:
            m.consensus[s] = float(e.consensus.value)
        m.log(STRATEGIC, "support_change", None, e.sponsor, None, 0.0, e.note or "")
        self.effects = {
            "sponsor": e.sponsor,
            "budget_before": {
                str(c): round(float(x), 4) for c, x in zip(CHANNELS, before, strict=True)
            },
            "budget_after": {
                str(c): round(float(x), 4) for c, x in zip(CHANNELS, m.budget[s], strict=True)
            },
        }

    def result(self) -> str:
        e, x = self.spec, self.effects
        parts = [
            f"{c} budget {x['budget_before'][c]:.2f} → {x['budget_after'][c]:.2f}"
            for c in CHANNELS
            if x["budget_before"][c] != x["budget_after"][c]
        ]
        parts += [f"stance to {f} {v.value:+.2f}" for f, v in e.stance.items()]
        parts += [f"{k} weight {v.value:.2f}" for k, v in e.interests.items()]
        if e.via is not None:
            parts.append(
                f"support routed via {', '.join(e.via)}" if e.via else "support now direct"
            )
        if e.consensus is not None:
            parts.append(f"consensus {e.consensus.value:.2f}")
        return f"{e.sponsor} changes course: " + ("; ".join(parts) or "no change")


class RecognitionBehaviour(Behaviour):
    """A summit or recognition: the sponsor lends legitimacy to the actors
    (and, with ``stance_shift``, commits itself to them)."""

    types = ("summit", "recognition")
    spec: Recognition

    def apply(self) -> None:
        m, e = self.model, self.spec
        boost = float(e.legitimacy_boost.value)
        shift = float(e.stance_shift.value)
        s = self.s(e.sponsor)
        got = []
        for a in e.actors:
            if a in m.fidx:
                f = m.fidx[a]
                m.legitimacy[f] = min(1.0, m.legitimacy[f] + boost)
                m.legitimacy0[f] = min(1.0, m.legitimacy0[f] + boost)
                m.stance[s, f] = min(1.0, m.stance[s, f] + shift)
                got.append(a)
        m.log(STRATEGIC, self.spec.type, None, e.sponsor, ",".join(e.actors), 0.0, e.note or "")
        self.effects = {"sponsor": e.sponsor, "boosted": got, "legitimacy_boost": boost}

    def result(self) -> str:
        x = self.effects
        who = ", ".join(x["boosted"]) or "no faction"
        return f"{x['sponsor']} lends legitimacy to {who} (+{x['legitimacy_boost']:.2f})"


class SponsorEntryBehaviour(Behaviour):
    """A sponsor defined with ``active: false`` enters: from now on it allocates
    its budget like every other sponsor, starting from its support edges."""

    types = ("sponsor_entry",)
    spec: SponsorEntry

    def apply(self) -> None:
        m = self.model
        s = self.s(self.spec.sponsor)
        m.active[s] = True
        m.budget[s] = m.budget0[s]  # an inactive sponsor's budget was held at zero
        edges = m.edges[s]
        tot = edges.sum(axis=0, keepdims=True)
        m.allocation[s] = np.divide(edges, tot, out=np.zeros_like(edges), where=tot > 0)
        weight = edges.max(axis=1)
        m.loyalty[:, s] = np.maximum(m.loyalty[:, s], m.p.initial_loyalty * weight)
        m.log(STRATEGIC, "sponsor_entry", None, self.spec.sponsor, None, 0.0, self.spec.note or "")
        targets = [m.faction_ids[f] for f in np.flatnonzero(edges.sum(axis=1) > 0)]
        self.effects = {"sponsor": self.spec.sponsor, "backs": targets}

    def result(self) -> str:
        x = self.effects
        return f"{x['sponsor']} enters" + (
            f", backing {', '.join(x['backs'])}" if x["backs"] else ""
        )


class SponsorExitBehaviour(Behaviour):
    """A sponsor leaves: its allocation and flows stop; support other sponsors
    routed through it becomes direct (``support.routed``)."""

    types = ("sponsor_exit",)
    spec: SponsorExit

    def apply(self) -> None:
        m = self.model
        s = self.s(self.spec.sponsor)
        m.active[s] = False
        m.allocation[s] = 0.0
        m.flows[s] = 0.0
        m.log(STRATEGIC, "sponsor_exit", None, self.spec.sponsor, None, 0.0, self.spec.note or "")
        self.effects = {"sponsor": self.spec.sponsor}

    def result(self) -> str:
        return f"{self.spec.sponsor} leaves; its support stops"


class ArmsEmbargoBehaviour(Behaviour):
    """Enforcement of the arms embargo on the military channel until ``end``:
    direct military support passes at ``1 − enforcement``, support routed
    through other sponsors at ``leakage`` (docs/ODD.md §7.1)."""

    types = ("arms_embargo",)
    spec: ArmsEmbargo

    def apply(self) -> None:
        e = self.spec
        self.model.embargo = (float(e.enforcement.value), float(e.leakage.value))
        self.model.log(
            STRATEGIC, "arms_embargo", None, None, None, 0.0, e.note or "embargo enforced"
        )
        self.effects = {
            "enforcement": float(e.enforcement.value),
            "leakage": float(e.leakage.value),
            "lifted": None,
        }

    def update(self) -> None:
        e, m = self.spec, self.model
        if (
            e.end
            and self.effects.get("lifted") is None
            and month_index(m.month) > month_index(e.end)
        ):
            m.embargo = None
            self.effects["lifted"] = m.month  # the first month without it
            m.log(STRATEGIC, "arms_embargo_lifted", None, None, None, 0.0, "")

    def result(self) -> str:
        x = self.effects
        return (
            f"embargo stops {_pct(x['enforcement'])} of direct military support, "
            f"{_pct(1 - x['leakage'])} of routed support; "
            + (f"lifted {x['lifted']}" if x["lifted"] else "in force to the end")
        )


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
        out += f": winner {x['winner']} ({_pct(x['shares'][x['winner']])})"
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


BEHAVIOURS: dict[str, type[Behaviour]] = {
    t: cls
    for cls in (
        AttackBehaviour,
        IccWarrantBehaviour,
        SupportChangeBehaviour,
        RecognitionBehaviour,
        SponsorEntryBehaviour,
        SponsorExitBehaviour,
        ArmsEmbargoBehaviour,
        CeasefireBehaviour,
        ElectionBehaviour,
    )
    for t in cls.types
}
"""Event ``type`` → behaviour class (same keys as ``libyasim.scenario.events.EVENT_TYPES``)."""


def build_events(model: LibyaModel) -> list[Behaviour]:
    """One behaviour per scheduled event, in date order (stable for equal dates)."""
    order = sorted(
        range(len(model.spec.events)), key=lambda i: month_index(model.spec.events[i].date)
    )
    return [BEHAVIOURS[model.spec.events[i].type](model, model.spec.events[i], i) for i in order]
