"""What each scheduled event does to a running model (DESIGN.md §4.4).

The *data* of each event type is in :mod:`libyasim.scenario.events`; here
each ``type`` maps to a behaviour class in :data:`BEHAVIOURS`. A behaviour
``fire()``s in the month of its date (step 1 of the month), may ``update()``
every later month (step 6), may say whether it ``binds`` two factions (a
ceasefire), may react to a ceasefire violation, and ``report()``s what it did
for the run summary's ``interventions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..scenario.events import month_index
from ..scenario.schema import CHANNELS, INTERESTS
from .conflict import attack, contest

if TYPE_CHECKING:
    from ..scenario.events import EventBase
    from .model import LibyaModel

STRATEGIC = "Strategic developments"


class Behaviour:
    """Base class: an event's effect on the model. Subclasses set ``types``."""

    types: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        self.model = model
        self.spec = spec
        self.index = index
        self.fired = False
        self.effects: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self.spec.id or f"{self.spec.type}_{self.index}"  # type: ignore[attr-defined]

    def fire(self) -> None:
        self.fired = True
        self.apply()

    def apply(self) -> None:
        """What happens on the event's date."""

    def update(self) -> None:
        """What happens every later month (step 6)."""

    def binds(self, a: int, b: int) -> bool:
        return False

    def violated(self, violator: int, victim: int | None, region: int | None, source: Any) -> None:
        """A ceasefire was violated somewhere (any behaviour may react)."""

    def report(self) -> dict[str, Any]:
        return {
            "id": self.name,
            "type": self.spec.type,
            "date": self.spec.date,  # type: ignore[attr-defined]
            "fired": self.fired,
            **self.effects,
        }

    # helpers
    def f(self, ident: str) -> int:
        return self.model.fidx[ident]

    def s(self, ident: str) -> int:
        return self.model.sidx[ident]


class AttackBehaviour(Behaviour):
    """A jihadist attack of a given size: deaths, threat index, event log."""

    types = ("attack",)

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


class IccWarrantBehaviour(Behaviour):
    """An ICC warrant on a faction's commander: legitimacy penalty and a
    reputation cost to any sponsor that supports the faction directly."""

    types = ("icc_warrant",)

    def apply(self) -> None:
        m, e = self.model, self.spec
        f = self.f(e.faction)
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
        self.effects = {"faction": e.faction, "legitimacy_after": round(float(m.legitimacy[f]), 4)}


class SupportChangeBehaviour(Behaviour):
    """A sponsor changes its budget, interests, stance, routing or consensus."""

    types = ("support_change",)

    def apply(self) -> None:
        m, e = self.model, self.spec
        s = self.s(e.sponsor)
        for ch, scale in e.budget_scale.items():
            c = CHANNELS.index(ch)  # type: ignore[arg-type]
            m.budget[s, c] *= float(scale.value)
            m.budget0[s, c] *= float(scale.value)
        for k, w in e.interests.items():
            m.interests[s, INTERESTS.index(k)] = float(w.value)  # type: ignore[arg-type]
        for f, v in e.stance.items():
            m.stance[s, self.f(f)] = float(v.value)
        if e.via is not None:
            for f in np.flatnonzero(m.edges[s].sum(axis=1) > 0):
                if e.via:
                    m.via[(s, int(f))] = [self.s(v) for v in e.via]
                else:
                    m.via.pop((s, int(f)), None)
        if e.consensus is not None:
            m.consensus[s] = float(e.consensus.value)
        m.log(STRATEGIC, "support_change", None, e.sponsor, None, 0.0, e.note or "")
        self.effects = {
            "sponsor": e.sponsor,
            "budget_after": {
                str(c): round(float(x), 4) for c, x in zip(CHANNELS, m.budget[s], strict=True)
            },
        }


class RecognitionBehaviour(Behaviour):
    """A summit or recognition: the sponsor lends legitimacy to the actors."""

    types = ("summit", "recognition")

    def apply(self) -> None:
        m, e = self.model, self.spec
        boost = float(e.legitimacy_boost.value)
        got = []
        for a in e.actors:
            if a in m.fidx:
                f = m.fidx[a]
                m.legitimacy[f] = min(1.0, m.legitimacy[f] + boost)
                m.legitimacy0[f] = min(1.0, m.legitimacy0[f] + boost)
                got.append(a)
        m.log(STRATEGIC, self.spec.type, None, e.sponsor, ",".join(e.actors), 0.0, e.note or "")
        self.effects = {"sponsor": e.sponsor, "boosted": got, "legitimacy_boost": boost}


class SponsorEntryBehaviour(Behaviour):
    types = ("sponsor_entry",)

    def apply(self) -> None:
        m = self.model
        m.active[self.s(self.spec.sponsor)] = True
        m.log(STRATEGIC, "sponsor_entry", None, self.spec.sponsor, None)
        self.effects = {"sponsor": self.spec.sponsor}


class SponsorExitBehaviour(Behaviour):
    types = ("sponsor_exit",)

    def apply(self) -> None:
        m = self.model
        s = self.s(self.spec.sponsor)
        m.active[s] = False
        m.allocation[s] = 0.0
        m.flows[s] = 0.0
        m.log(STRATEGIC, "sponsor_exit", None, self.spec.sponsor, None)
        self.effects = {"sponsor": self.spec.sponsor}


class ArmsEmbargoBehaviour(Behaviour):
    """Enforcement of the arms embargo on the military channel until ``end``."""

    types = ("arms_embargo",)

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


class CeasefireBehaviour(Behaviour):
    """A ceasefire among its parties (first version; deepened in issue 4).

    Each month every party keeps it or breaks it: it breaks when its expected
    gain from fighting exceeds the peace dividend plus the expected penalty
    (detection probability × penalty × the support its enforcers give it)
    (Fortna 2004; Walter 2002).
    """

    types = ("ceasefire",)

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        super().__init__(model, spec, index)
        self.parties = [model.fidx[p] for p in spec.parties if model.spec.faction(p).can_sign]  # type: ignore[attr-defined]
        self.enforcers = [model.sidx[s] for s in spec.enforcers]  # type: ignore[attr-defined]
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
        }

    def binds(self, a: int, b: int) -> bool:
        return self.active and a in self.parties and b in self.parties

    def temptation(self, i: int) -> tuple[float, float]:
        """(expected gain from fighting, dividend + expected penalty) for party i."""
        m, e = self.model, self.spec
        pop = m.population_controlled()
        gain = 0.0
        for j in self.parties:
            if j != i and m.hostility[i, j] > 0:
                pw = contest(m.strength[i], m.strength[j], m.p.contest_exponent)
                gain += m.hostility[i, j] * (2 * pw - 1) * pop[j]
        own = m.control == i
        gain += float(e.spoiler_sensitivity.value) * min(
            1.0, m.jihadist_attack_deaths[own].sum() / m.p.violence_scale
        )
        received = m.flows[:, i].sum(axis=1)
        total = received.sum()
        enforced = received[self.enforcers].sum() / total if total > 0 else 0.0
        keep = (
            float(e.peace_dividend.value) * (1.0 + pop[i])
            + float(e.monitoring.value) * float(e.penalty.value) * enforced
        )
        return gain, keep

    def update(self) -> None:
        if not self.active:
            return
        m = self.model
        for i in self.parties:
            gain, keep = self.temptation(i)
            if gain > keep:
                self.active = False
                self.broken_by = m.faction_ids[i]
                self.effects.update(broken=m.current_month, broken_by=self.broken_by)
                m.log(
                    STRATEGIC,
                    "ceasefire_broken",
                    None,
                    self.broken_by,
                    None,
                    0.0,
                    f"expected gain {gain:.3f} > dividend and penalty {keep:.3f}",
                )
                m.on_violation(i, None, None, self)
                return
        self.months_held += 1
        self.effects["months_held"] = self.months_held

    def violated(self, violator: int, victim: int | None, region: int | None, source: Any) -> None:
        if source is not self:
            return
        m, pen = self.model, float(self.spec.penalty.value)
        for s in self.enforcers:
            m.allocation[s, violator] *= 1.0 - pen


class ElectionBehaviour(Behaviour):
    """A national election (first version; deepened in issue 4).

    Held on its date, or with ``asap`` in the first month whose last
    ``preconditions.months`` months each stayed under the fatality threshold;
    abandoned after ``deadline``. Vote shares come from regional popularity,
    tilted toward each region's controller by ``coercion``; each loser with
    forces accepts if its vote share plus the power share it keeps is at least
    its chance of winning a fight against the winner (Brancati & Snyder 2013).
    """

    types = ("election",)

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        super().__init__(model, spec, index)
        self.pending = False
        self.result: dict[str, Any] | None = None

    def apply(self) -> None:
        self.effects = {"held": None, "abandoned": None}
        if self.spec.asap:  # type: ignore[attr-defined]
            self.pending = True  # checked at the end of this month (step 6)
        else:
            self.hold()

    def update(self) -> None:
        if not self.pending:
            return
        m, e = self.model, self.spec
        pre = e.preconditions  # type: ignore[attr-defined]
        recent = [*m.fatality_history, m.fatalities][
            -pre.months :
        ]  # this month is not yet in the history
        if len(recent) >= pre.months and max(recent) <= float(pre.max_monthly_fatalities.value):
            self.pending = False
            self.hold()
        elif e.deadline and month_index(m.current_month) >= month_index(e.deadline):  # type: ignore[attr-defined]
            self.pending = False
            self.effects["abandoned"] = m.current_month
            m.log(STRATEGIC, "election_abandoned", None, None, None, 0.0, "preconditions never met")

    def vote_shares(self) -> dict[str, float]:
        m, e = self.model, self.spec
        ids = (
            e.eligible if e.eligible is not None else [f.id for f in m.spec.factions if f.can_stand]
        )  # type: ignore[attr-defined]
        idx = np.array([m.fidx[x] for x in ids])
        pop = m.popularity[idx]  # [E, R]
        tot = pop.sum(axis=0)
        share = np.divide(pop, tot, out=np.full_like(pop, 1.0 / len(idx)), where=tot > 0)
        coercion = float(e.coercion.value)  # type: ignore[attr-defined]
        for r in range(m.R):
            c = np.flatnonzero(idx == m.control[r])
            if len(c):
                share[:, r] *= 1.0 - coercion
                share[c[0], r] += coercion
        national = share @ m.pop_share
        return {x: float(v) for x, v in zip(ids, national, strict=True)}

    def hold(self) -> None:
        m, e = self.model, self.spec
        shares = self.vote_shares()
        winner = max(shares, key=lambda k: shares[k])
        w = m.fidx[winner]
        rejected = []
        for loser, v in shares.items():
            i = m.fidx[loser]
            if loser == winner or m.strength[i] <= 0:
                continue
            fight = contest(m.strength[i], m.strength[w], m.p.contest_exponent)
            if v + float(e.power_share.value) < fight:  # type: ignore[attr-defined]
                rejected.append(loser)
                m.hostility[i, w] = m.hostility[w, i] = max(m.hostility[i, w], 1.0)
        consolidated = bool(
            m.strength_share[w] >= float(e.consolidation.value) if not m.jihadist.all() else False
        )  # type: ignore[attr-defined]
        if not rejected:
            m.legitimacy0[w] = min(
                1.0, m.legitimacy0[w] + shares[winner] * (1.0 - m.legitimacy0[w])
            )
        self.result = {
            "month": m.current_month,
            "winner": winner,
            "shares": {k: round(v, 4) for k, v in shares.items()},
            "accepted": not rejected,
            "rejected_by": rejected,
            "consolidated": consolidated,
        }
        m.election_result = self.result
        self.effects.update(
            held=m.current_month,
            winner=winner,
            accepted=not rejected,
            rejected_by=rejected,
            consolidated=consolidated,
            shares=self.result["shares"],
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
