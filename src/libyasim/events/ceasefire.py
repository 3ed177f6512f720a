"""``ceasefire``: parties stop attacking each other while keeping the peace pays
(Fearon 1995; Powell 2006; Fortna 2004)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from ..model.conflict import contest
from ..scenario.quantity import NonNegative, Positive, Unit, q
from ..scenario.types import Ident, Month, month_index
from .base import STRATEGIC, Behaviour, EventBase, holdings

if TYPE_CHECKING:
    from ..model.model import LibyaModel

#: causes of a break, as reported (``cause``)
GAIN = "expected gain from fighting"
SHIFT = "balance of power shifting against it (commitment problem)"
ATTACKED = "attacked a bound party"


class Ceasefire(EventBase):
    """A ceasefire among ``parties`` from ``date`` (to the end of ``end``, if given).

    It binds each signatory and, with ``allies_bound``, its declared allies
    (the scenario's alliance relations at signing): none of them may attack a
    faction on another party's side. A ``unilateral`` ceasefire is declared by
    the first party alone: only its side is bound, toward the other parties'
    sides. A bound faction tempted to attack decides whether to defect
    (Fearon 1995: the expected gain from fighting; Powell 2006: a balance of
    power shifting against it), against the value of keeping it (the peace
    dividend and the penalty its sponsors among the ``enforcers`` would impose
    on a detected violator: Fortna 2004; Walter 2002). Details: docs/ODD.md §7.5.1.
    """

    type: Literal["ceasefire"]
    parties: list[Ident] = Field(min_length=2)
    unilateral: bool = False
    allies_bound: bool = True
    end: Month | None = None
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
    shift_sensitivity: NonNegative = q(
        1.0,
        range=(0.0, 3.0),
        assumption=(
            "weight a party gives the war value it would lose by waiting while the balance of "
            "power shifts against it (1: all of it; Powell 2006: the declining side fights "
            "before the rising side can exploit its gain); no estimate for Libya, so a wide range"
        ),
    )
    shift_window: Positive = q(
        6,
        range=(3, 12),
        assumption="months over which a party judges the trend of the balance of power",
    )
    shift_horizon: Positive = q(
        12,
        range=(6, 36),
        assumption=(
            "months ahead over which a party projects that trend (the time it expects the shift "
            "to take): Powell 2006 puts the size of the anticipated shift, not its monthly pace, "
            "behind preventive war; a year by judgement, up to the three years a sponsor's "
            "build-up can take"
        ),
    )
    decision_noise: Positive = q(
        0.08,
        range=(0.03, 0.2),
        assumption=(
            "logit scale of a tempted party's decision to defect (McFadden 1974): considerations "
            "the model does not see blur the comparison of gain and value of keeping"
        ),
    )

    @model_validator(mode="after")
    def _distinct_parties(self) -> Ceasefire:
        twice = sorted({p for p in self.parties if self.parties.count(p) > 1})
        if twice:
            raise ValueError(f"parties must be different factions; {', '.join(twice)} named twice")
        if self.end is not None and month_index(self.end) < month_index(self.date):
            raise ValueError(f"end {self.end} is before the date {self.date}")
        return self


def war_gain(p_win: float, prize: float, stake: float, cost: float) -> float:
    """Expected gain from fighting over keeping the peace (Fearon 1995):
    win the rival's holdings with probability ``p_win``, lose one's own
    otherwise, and pay ``cost`` scaled by the chance of losing:
    ``p·prize − (1 − p)·stake − cost·(1 − p)``."""
    return p_win * prize - (1.0 - p_win) * stake - cost * (1.0 - p_win)


def fighting_power(
    m: LibyaModel, strength: np.ndarray | None = None, mult: np.ndarray | None = None
) -> np.ndarray:
    """Each faction's fighting power with its allies [F]: ``C_i = s_i·μ_i + Σ_k
    alliance_ik·s_k·μ_k`` over non-jihadist allies, μ the combat multiplier that
    sponsors' direct support gives (:func:`~libyasim.model.support.combat_multiplier`,
    the same that multiplies an offensive's massed force and its defence, §7.3):
    air strikes and drones shift the balance of power as fighters do. ``strength``
    and ``mult`` default to the model's current ones."""
    s = m.strength if strength is None else strength
    mu = getattr(m, "combat_mult", None) if mult is None else mult
    power = s * mu if mu is not None else np.array(s, dtype=float)
    allies = m.alliance * ~m.jihadist[None, :]
    return power + allies @ power


def logistic(x: float) -> float:
    """``1 / (1 + exp(−x))`` without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class CeasefireBehaviour(Behaviour):
    """A ceasefire among its parties' sides.

    ``binds(a, b)``: a (a party or, with ``allies_bound``, a declared ally of
    one) may not attack b (on another party's side); for a unilateral
    ceasefire only the declarer's side is bound. A bound faction that seeks
    battle asks ``defects(a, b)``: it compares

    - the temptation ``G_ab = h_ab·war_gain(P_ab, V_b, V_a, war_cost)
      + shift_sensitivity·h_ab·Δ_ab·(V_a + V_b + war_cost)``, with the coalitions'
      fighting power C (:func:`fighting_power`: fighters times the combat
      multiplier of sponsors' direct support, as in an offensive's contest),
      ``P_ab = C_aᵐ/(C_aᵐ + C_bᵐ)``, holdings V and the projected
      fall ``Δ_ab = min(P_ab(t), max(0, P_ab(t − w) − P_ab(t)))`` if the trend of
      the last ``w = shift_window`` months goes on: the war value a lets slip by
      waiting (Fearon 1995; Powell 2006);
    - with the value of keeping it ``K_a = peace_dividend·(1 + V_a + π_a) +
      monitoring·penalty·E_a``, π_a a's share of power under the forecast
      settlement (``model.power_share``, §7.4), E_a the share of a's support
      that comes from the enforcers (Fortna 2004; Walter 2002);

    and defects with probability ``σ((G_ab − K_ab)/decision_noise)``. A
    defection breaks the ceasefire for all, attributed to a (against b); it is
    detected with probability ``monitoring``, and then each enforcer cuts its
    allocation to the violator by ``penalty`` and lowers its stance toward it
    by ``penalty``. Raids by factions outside it never break it. An election
    loser that rejects the result also ends it (:class:`ElectionBehaviour`);
    ``end`` ends it on its date.
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
        self.side: list[int] = [-1] * model.F  # side (index of its party) of each bound faction
        self.in_force: list[int] = []  # model steps (months) at whose end it was in force
        self._decided: dict[tuple[int, int], bool] = {}
        self._decided_step = -1
        self._mult: dict[int, np.ndarray] = {}  # combat multipliers by step, from the signing
        self._pairs_made: tuple[tuple[int, ...], np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------ signing
    def apply(self) -> None:
        m, e = self.model, self.spec
        self.active = True
        side = self.side
        for k, p in enumerate(self.parties):
            side[p] = k
        if e.allies_bound:
            for k, p in enumerate(self.parties):
                for a in np.flatnonzero(m.alliance[p] > 0).tolist():
                    if side[a] < 0 and not m.jihadist[a]:
                        side[a] = k
        bound = {
            m.faction_ids[p]: [m.faction_ids[f] for f in range(m.F) if side[f] == k]
            for k, p in enumerate(self.parties)
        }
        m.log(
            STRATEGIC,
            "ceasefire_signed",
            None,
            ",".join(e.parties),
            e.broker,
            0.0,
            e.note
            or (f"unilateral, declared by {e.parties[0]}" if e.unilateral else "")
            + "; sides: "
            + "; ".join(f"{p}: {', '.join(v)}" for p, v in bound.items()),
        )
        self.effects = {
            "parties": list(e.parties),
            "unilateral": e.unilateral,
            "sides": bound,
            "end": e.end,
            "months_held": 0,
            "broken_by": None,
            "against": None,
            "broken": None,
            "preventive": None,
            "cause": None,
            "expired": None,
            "deaths_between_parties": 0.0,
            "calm_months": 0,
            "sanctioned_by": [],
        }
        if e.unilateral:
            self.effects["attacks_on_declarer"] = 0

        self._remember()

    # ------------------------------------------------------------ binding
    def binds(self, a: int, b: int) -> bool:
        if not self.active:
            return False
        sa, sb = self.side[a], self.side[b]
        if sa < 0 or sb < 0 or sa == sb:
            return False
        return sa == 0 or not self.spec.unilateral

    def may_bind(self) -> bool:
        return self.active

    def binding(self) -> np.ndarray:
        """:meth:`binds` for every pair, from the sides at once (read it, don't write it)."""
        F = self.model.F
        if not self.active:
            return np.zeros((F, F), dtype=bool)
        return self._pairs()[0]

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """``(bound, across)`` [F, F]: the pairs :meth:`binding` binds when in force, and
        the pairs of factions on different sides; made once per assignment of the sides,
        read-only."""
        key = tuple(self.side)
        hit = self._pairs_made
        if hit is None or hit[0] != key:
            side = np.array(self.side)
            sa, sb = side[:, None], side[None, :]
            across = (sa >= 0) & (sb >= 0) & (sa != sb)
            bound = across & (sa == 0) if self.spec.unilateral else across.copy()
            across.flags.writeable = bound.flags.writeable = False
            hit = self._pairs_made = (key, bound, across)
        return hit[1], hit[2]

    def _past_coalition(self) -> np.ndarray:
        """Fighting power ``shift_window`` months ago: the fighters recorded then (the
        series) times the combat multipliers of that month (recorded from the signing
        on; before it, those of the first month in force)."""
        m = self.model
        w = max(1, round(float(self.spec.shift_window.value)))
        rec = m.recorder
        n = len(rec.steps)
        if n == 0:
            return fighting_power(m)
        row = max(0, n - w)
        step = rec.steps[row]
        first = min(self._mult) if self._mult else None
        mult = self._mult.get(step, self._mult[first] if first is not None else m.combat_mult)
        return fighting_power(m, rec.table[row, : m.F], mult)

    def _remember(self) -> None:
        self._mult[self.model.steps] = np.array(self.model.combat_mult, dtype=float)

    def _stakes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, float]]:
        """What :meth:`temptation` reads of the model for every pair alike: the value of
        each faction's holdings, its fighting power now and ``shift_window`` months ago,
        and (filled as pairs are read) each attacker's value of keeping the ceasefire."""
        m = self.model
        value = holdings(m, float(self.spec.oil_in_prize.value))
        return value, fighting_power(m), self._past_coalition(), {}

    def temptation(
        self, a: int, b: int, stakes: tuple[Any, ...] | None = None
    ) -> tuple[float, float, float]:
        """``(G_ab, shift term of G_ab, K_a)``: a's temptation to attack b, the part of it
        due to a balance of power shifting against a, and the value a puts on keeping it.
        ``stakes``: :meth:`_stakes`, when the caller has them for this state of the model."""
        m, e = self.model, self.spec
        value, strength, past, kept = self._stakes() if stakes is None else stakes
        x = m.p.contest_exponent
        p_now = contest(strength[a], strength[b], x)
        p_past = contest(past[a], past[b], x)
        h, cost = float(m.hostility[a, b]), float(e.war_cost.value)
        w = max(1, round(float(e.shift_window.value)))
        ahead = float(e.shift_horizon.value) / w
        # the fall of the last w months projected over the horizon, bounded by what is left
        fall = min(p_now, ahead * max(0.0, p_past - p_now))
        shift = float(e.shift_sensitivity.value) * h * fall * (value[a] + value[b] + cost)
        gain = h * war_gain(p_now, value[b], value[a], cost)
        keep = kept.get(a)
        if keep is None:  # (a's alone: the same whoever b is)
            keep = kept[a] = self._keep(a, value)
        return float(gain + shift), float(shift), keep

    def _keep(self, a: int, value: np.ndarray) -> float:
        """``K_a``, the value ``a`` puts on keeping the ceasefire (:meth:`temptation`)."""
        m, e = self.model, self.spec
        received = m.flows[:, a].sum(axis=1)
        total = received.sum()
        enforced = received[self.enforcers].sum() / total if total > 0 else 0.0
        share = getattr(m, "power_share", None)  # what the forecast settlement gives a (§7.4)
        offered = float(share[a]) if share is not None and len(share) > a else 0.0
        keep = (
            float(e.peace_dividend.value) * (1.0 + value[a] + offered)
            + float(e.monitoring.value) * float(e.penalty.value) * enforced
        )
        return float(keep)

    def defection_probability(self, a: int, b: int) -> float:
        gain, _, keep = self.temptation(a, b)
        return logistic((gain - keep) / float(self.spec.decision_noise.value))

    def wants_to_defect(self, a: int, b: int) -> bool:
        """Does bound ``a`` defect to attack ``b`` this month? One draw per pair and month."""
        m = self.model
        if self._decided_step != m.steps:
            self._decided, self._decided_step = {}, m.steps
        key = (a, b)
        if key not in self._decided:
            self._decided[key] = bool(m.rng.random() < self.defection_probability(a, b))
        return self._decided[key]

    def _preventive(self) -> bool:
        """The declining side need not wait for a chance encounter (Powell 2006): at the
        end of each month in force, each bound faction a with fighters whose balance of
        power toward a hostile b on another side is falling breaks the ceasefire with the
        probability the shift adds to its defection, ``σ((G_ab − K_a)/noise) −
        σ((G_ab − shift_ab − K_a)/noise)`` (one draw per such pair, in faction order;
        none when nothing shifts). True if it was broken."""
        m = self.model
        noise = float(self.spec.decision_noise.value)
        stakes = None  # the same for every pair until someone strikes (then it returns)
        able = (m.strength > 0) & ~m.jihadist  # bound factions with fighters, in order
        for a, b in np.argwhere(self.binding() & (m.hostility > 0) & able[:, None]).tolist():
            stakes = self._stakes() if stakes is None else stakes
            gain, shift, keep = self.temptation(a, b, stakes)
            if shift <= 0:
                continue
            extra = logistic((gain - keep) / noise) - logistic((gain - shift - keep) / noise)
            if m.rng.random() < extra:
                self.defect(a, b, preventive=True)
                return True
        return False

    def defect(self, a: int, b: int, preventive: bool = False) -> None:
        """``a`` breaks the ceasefire by attacking ``b``: the attributed break."""
        gain, shift, keep = self.temptation(a, b)
        cause = SHIFT if preventive or (shift > 0 and shift >= gain - shift) else GAIN
        what = "strikes first at" if preventive else "attacks"
        self.effects["preventive"] = preventive
        self.end(
            a,
            cause,
            f"{what} {self.model.faction_ids[b]}: temptation {gain:.3f} (of which shifting "
            f"balance {shift:.3f}) against value of keeping it {keep:.3f}",
            victim=b,
        )

    # ------------------------------------------------------------ monthly
    def _deaths_between_sides(self) -> float:
        """Deaths this month in fighting between factions on different sides."""
        m, cross = self.model, self._pairs()[1]
        if self.spec.unilateral:  # the declarer is bound: any fighting across was forced on it
            self.effects["attacks_on_declarer"] += int((m.attacked & cross).sum())
        return float(np.triu(m.pair_deaths * cross, 1).sum())

    def update(self) -> None:
        if not self.active:
            return
        m = self.model
        attacked = getattr(m, "attacked", None)
        if attacked is not None:  # an attack ordered without asking to defect (an event)
            for a, b in np.argwhere(attacked).tolist():
                if self.binds(a, b):
                    self.defect(a, b)
                    return
        deaths = self._deaths_between_sides()
        self.effects["deaths_between_parties"] = round(
            self.effects["deaths_between_parties"] + deaths, 3
        )
        self.effects["calm_months"] += int(deaths == 0.0)
        self.months_held += 1
        self.in_force.append(m.steps)
        self._remember()
        self.effects["months_held"] = self.months_held
        if self._preventive():
            return
        end = self.spec.end
        if end is not None and month_index(m.current_month) >= month_index(end):
            self.active = False
            self.effects["expired"] = m.current_month
            m.log(
                STRATEGIC,
                "ceasefire_expired",
                None,
                ",".join(self.spec.parties),
                None,
                0.0,
                f"ended on its date after {self.months_held} months",
            )

    def end(self, violator: int, cause: str, note: str = "", victim: int | None = None) -> None:
        """``violator`` breaks the ceasefire (for all parties) this month."""
        if not self.active:
            return
        m = self.model
        self.active = False
        self.broken_by = m.faction_ids[violator]
        against = m.faction_ids[victim] if victim is not None else None
        self.effects.update(
            broken=m.current_month, broken_by=self.broken_by, against=against, cause=cause
        )
        m.log(
            STRATEGIC,
            "ceasefire_broken",
            None,
            self.broken_by,
            against,
            0.0,
            f"{cause}: {note}" if note else cause,
        )
        m.on_violation(violator, victim, None, self)

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
        kind = f"unilateral ({x['parties'][0]}); " if x["unilateral"] else ""
        calm = f"; {x['deaths_between_parties']:.0f} deaths between the sides while in force"
        if x["unilateral"] and x.get("attacks_on_declarer"):
            calm += f"; {x['attacks_on_declarer']} battles forced on the declarer"
        if x["broken_by"] is None:
            if x["expired"]:
                return (
                    f"{kind}held {x['months_held']} months, ended on its date {x['expired']}{calm}"
                )
            return f"{kind}held {x['months_held']} months (still in force at the end){calm}"
        whom = f" against {x['against']}" if x["against"] else ""
        out = (
            f"{kind}held {x['months_held']} months, broken by {x['broken_by']}{whom} in "
            f"{x['broken']} ({x['cause']}){calm}"
        )
        if x.get("detected") is False:
            out += "; the violation went undetected"
        elif x["sanctioned_by"]:
            out += f"; sanctioned by {', '.join(x['sanctioned_by'])}"
        return out


SCHEMA = Ceasefire
BEHAVIOUR = CeasefireBehaviour
