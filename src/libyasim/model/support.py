"""Support exchange between sponsors and factions (DESIGN.md §3 steps 2-3).

Sponsors score factions by how each serves their interests (an
interest-weighted utility in the expected-utility tradition of Bueno de
Mesquita), discounted by the reputation and casualty costs of backing them.
Each channel's budget is a **hedged portfolio**: the target allocation
maximises ``Σ_f x_f·(U_f − U0) − (γ/2)·Σ_f x_f²`` (Markowitz 1952 with
independent client risks: a quadratic cost of concentration), an interior
allocation that costs move smoothly — the principal spreads its delegation
over several agents (Salehyan 2010; Berman & Lake 2019). Allocations move
toward the target with inertia that is lower where internal consensus is low.

The ``direct`` channel (air strikes, drones, advisers, mercenaries) multiplies
a client's fire instead of adding fighters. **Escalation is bounded**: only
the military and direct budgets react — to rival sponsors' added support to a
client's enemies (Richardson 1960), to a client's losses, and to an ally's
exit — each sponsor moving a share ``1 − exp(−drive)`` of the way to its
maximum effort, with fatigue pulling back to its base. Red lines deter
attacks and trigger direct support when crossed. Loyalty follows Axelrod &
Bennett's (1993) commitment rule. Factions turn support into fighters,
resources and legitimacy and return value (counter-terrorism results) that
sponsors score next month.

All arithmetic is on the model's arrays: ``allocation[S, F, C]`` (share of
channel C's budget), ``flows[S, F, C]`` (support delivered this month),
``budget[S, C]``, ``loyalty[F, S]``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

_sum, _max = np.add.reduce, np.maximum.reduce  # the ufunc reductions, without the method wrappers

if TYPE_CHECKING:
    from .model import LibyaModel

MIL, FIN, POL, DIRECT = 0, 1, 2, 3
REACT = [MIL, DIRECT]  # the channels whose budgets escalate
CT, MIGRATION, ANTI_ISLAMIST, UN, INFLUENCE = range(5)
_OFF = -1e9  # a non-candidate's score in the portfolio (never funded)


@dataclass
class RedLine:
    """A sponsor's commitment to defend ``regions`` for ``client`` (event ``red_line``)."""

    sponsor: int
    client: int
    regions: np.ndarray  # [R] bool
    credibility: float
    response: float  # direct support per month the sponsor sends when the line is crossed
    months: int  # how long it keeps it up
    until: int | None = None  # last model step in force (None: to the end)
    acting_until: int = -1  # last step of the current response
    crossings: int = 0


@dataclass
class Intervention:
    """Direct support a sponsor sends a client for a while, whatever its budget
    (event ``direct_intervention``, or a red line's response)."""

    sponsor: int
    client: int
    size: float
    until: int  # last model step


def init(m: LibyaModel) -> None:
    """The arrays this module owns besides the sponsors' own (created in the model).

    ``direct_support[F]``: direct-channel support each faction receives this
    month, after embargoes; ``combat_mult[F]``: its multiplier on fire
    (:func:`combat_multiplier`); ``red_lines`` and ``interventions`` in force;
    ``max_effort[S]`` (the ceiling of military + direct budget),
    ``rescues[S, F]``; and the references escalation compares against.
    """
    p = m.p
    spec = m.spec.sponsors
    m.direct_support = np.zeros(m.F)
    m.combat_mult = np.ones(m.F)
    lines: list[RedLine] = []
    m.red_lines = lines
    interventions: list[Intervention] = []
    m.interventions = interventions
    effort0 = m.budget0[:, REACT].sum(axis=1)
    m.max_effort = np.array(
        [
            float(x.max_effort.value) if x.max_effort is not None else p.escalation_headroom * e
            for x, e in zip(spec, effort0, strict=True)
        ]
    ).reshape(m.S)
    m.rescues = np.zeros((m.S, m.F), dtype=bool)
    for i, x in enumerate(spec):
        for f in x.rescues:
            m.rescues[i, m.fidx[f]] = True
    m.pop0 = m.population_controlled().copy()
    m.pop_ref = m.pop0.copy()  # the recent past a client's losses are measured against
    m.rival0 = None  # rival support in the first month (set by escalate)
    m.ally_gap = np.zeros(m.F)  # mil + direct commitment lost to exits [F]
    m.ally_gap_base = np.zeros(m.F)  # allies' commitment right after the exits
    m.ally_gap_ref = np.zeros(m.F)  # the commitment before the first exit
    m.escalation_drive = np.zeros(m.S)
    m.embargo = None  # (enforcement[S], leakage) while an arms embargo is in force
    m.budget *= m.active[:, None]  # an inactive sponsor's budget is held at zero until it enters


def combat_multiplier(m: LibyaModel) -> np.ndarray:
    """[F] multiplier (≥ 1) on each faction's fire in the battles it fights this month:
    ``1 + direct_combat_gain·(1 − exp(−direct_support/direct_saturation))``, saturating
    in direct support (air strikes, drones, advisers, mercenaries). Computed once a
    month by :func:`allocate`; this returns the month's array (read, don't write)."""
    return m.combat_mult


def _combat_mult(m: LibyaModel) -> np.ndarray:
    p = m.p
    x = np.exp(-m.direct_support / p.direct_saturation)
    np.subtract(1.0, x, out=x)
    x *= p.direct_combat_gain
    x += 1.0
    return x


def deterrence_cost(m: LibyaModel, attacker: int, region: int) -> float:
    """Expected cost (≥ 0, in shares of national value, the scale of an offensive's
    gain) that sponsors' red lines add to ``attacker`` attacking ``region``: for each
    red line in force over the region whose sponsor is active and whose client
    ``attacker`` is hostile to, ``red_line_deterrence × credibility``."""
    if not m.red_lines:
        return 0.0
    cost = 0.0
    for line in m.red_lines:
        if (
            line.regions[region]
            and (line.until is None or m.steps <= line.until)
            and m.active[line.sponsor]
            and attacker != line.client
            and m.hostility[attacker, line.client] > 0
        ):
            cost += m.p.red_line_deterrence * line.credibility
    return cost


def scores(m: LibyaModel) -> np.ndarray:
    """score_k(f) in [0, 1] for each interest k and faction f: [K, F]."""
    p = m.p
    s = np.empty((m.K, m.F))
    top = _max(m.strength[m.nonjihadist]) if m.any_nonjihadist else 0.0
    rel = np.minimum(m.strength / top, 1.0) if top > 0 else np.zeros(m.F)
    fights = np.minimum(1.0, m.hostility @ m.jihadist_f)
    w = p.ct_results_share
    s[CT] = (1.0 - w) * fights * rel + w * m.ct_return
    s[MIGRATION] = m.held(m.coast_share)
    s[ANTI_ISLAMIST] = 1.0 - m.ideology
    u = p.un_recognition_share
    s[UN] = u * m.un_recognised + (1.0 - u) * m.legitimacy
    # influence: back who will have power (the settlement's power shares, POLITICS)
    # and who is strong
    share = getattr(m, "power_share", None)
    ps = p.power_share_weight
    if share is not None and ps > 0:
        top_share = float(_max(share))
        norm = share / top_share if top_share > 0 else np.zeros(m.F)
        s[INFLUENCE] = (1.0 - ps) * rel + ps * norm
    else:
        s[INFLUENCE] = rel
    s[:, m.jihadist] = 0.0
    return s


def routed(m: LibyaModel) -> np.ndarray:
    """[S, F] True where support is routed through intermediaries that are still active."""
    r = np.zeros((m.S, m.F), dtype=bool)
    active = m.active.tolist()
    for (s, f), via in m.via.items():
        r[s, f] = all([active[v] for v in via])
    return r


def costs(m: LibyaModel, indirect: np.ndarray) -> np.ndarray:
    """cost[s, f] ∈ [0, 1]: the share of the value of backing f that s loses to
    reputation (ICC warrants) and casualties, partly hidden when routed."""
    p = m.p
    cost = np.multiply.outer(m.reputation_sensitivity * p.icc_reputation_cost, m.icc_load)
    cost += np.multiply.outer(m.casualty_sensitivity * p.casualty_cost, m.death_share)
    if m.via:
        cost *= 1.0 - p.indirect_cost_discount * indirect
    return np.minimum(cost, 1.0, out=cost)


def utilities(m: LibyaModel, indirect: np.ndarray) -> np.ndarray:
    """U[s, f] = B·(1 − cost) for the positive part of the benefit
    B = Σ_k w_sk score_k(f) + stance + loyalty (+ policy noise)."""
    p = m.p
    w = m.interests.copy()
    ct = w[:, CT]
    ct += p.threat_to_ct * m.threat * (1.0 - ct)  # fear raises the CT weight
    u = w @ scores(m)
    u += p.stance_weight * m.stance + p.loyalty_weight * m.loyalty.T
    u -= np.maximum(u, 0.0) * costs(m, indirect)
    noise = p.policy_noise * (1.0 - m.consensus)
    u += noise[:, None] * m.rng.standard_normal((m.S, m.F))
    return u


def candidates(m: LibyaModel) -> np.ndarray:
    """[S, F, C] which factions a sponsor may fund on each channel: a support
    edge on that channel, or a positive stance (never a jihadist it has no edge
    to; on the military and direct channels, only a faction with fighters)."""
    cand = m.edges > 0
    favoured = (m.stance > 0) & ~m.jihadist[None, :]
    stance_cand = favoured[:, :, None] & (m.budget0[:, None, :] > 0)
    stance_cand[:, :, REACT] &= (m.strength > 0)[None, :, None]
    cand |= stance_cand
    return cand & m.active[:, None, None]


def portfolio(y: np.ndarray, axis: int = -1) -> np.ndarray:
    """Each row of ``y`` along ``axis`` (the candidates' (U − U0)/γ, non-candidates
    very negative) projected on ``{x ≥ 0, Σ x ≤ 1}``: the maximiser of
    ``Σ x·γy − (γ/2)·Σ x²``. ``x = max(0, y − λ)`` with, the scores sorted in
    decreasing order, ``λ = max(0, max_k (Σ_{i≤k} y_(i) − 1)/k)``: λ = 0 when the
    positive scores sum to at most 1 (the rest of the budget is held back), else
    the shares sum to 1 (Euclidean projection on the simplex; Held et al. 1974;
    Condat 2016)."""
    axis %= y.ndim
    cs = np.sort(y, axis=axis)
    cs = np.flip(cs, axis=axis)
    np.cumsum(cs, axis=axis, out=cs)
    cs -= 1.0
    cs *= _inverse_ranks(y.shape[axis], y.ndim, axis)
    lam = _max(cs, axis=axis, keepdims=True)
    np.maximum(lam, 0.0, out=lam)
    x = np.subtract(y, lam, out=cs)
    return np.maximum(x, 0.0, out=x)


@functools.cache
def _inverse_ranks(n: int, ndim: int, axis: int) -> np.ndarray:
    """1/k for k = 1..n, shaped to broadcast along ``axis`` of an ``ndim`` array."""
    shape = [1] * ndim
    shape[axis] = n
    return (1.0 / np.arange(1, n + 1)).reshape(shape)


def _rho(m: LibyaModel) -> np.ndarray:
    p = m.p
    floor = p.consensus_inertia_floor
    return (p.support_inertia * (floor + (1.0 - floor) * m.consensus))[:, None, None]


def allocate(m: LibyaModel) -> None:
    """Step 2: budgets react (:func:`escalate`); target = the hedged portfolio over
    candidates (the outside option, keeping the money, has utility
    ``reservation_utility``); a ← (1−ρ)a + ρ·target; flows; red-line responses and
    interventions; embargo."""
    p = m.p
    escalate(m)  # this month's budgets, from last month's flows and losses
    indirect = routed(m) if m.via else m.no_route
    u = utilities(m, indirect)
    cand = m.cached(
        "candidates", candidates, m.edges, m.stance, m.budget0, m.active, m.strength > 0
    )
    y = (u - p.reservation_utility) / m.concentration[:, None]  # [S, F]
    target = portfolio(np.where(cand, y[:, :, None], _OFF), axis=1)  # [S, F, C]
    rho = m.cached("rho", _rho, m.consensus)
    alloc = (1.0 - rho) * m.allocation
    alloc += rho * target
    alloc *= m.active[:, None, None]
    m.allocation = alloc
    m.utility = u
    m.indirect = indirect
    flows = np.where(alloc >= p.support_threshold, alloc, 0.0)
    flows *= m.budget[:, None, :]
    if m.red_lines:
        red_lines(m)
    if m.interventions:
        now = m.steps
        for iv in m.interventions:
            if now <= iv.until:
                flows[iv.sponsor, iv.client, DIRECT] += iv.size
    if m.embargo is not None:
        enforcement, leakage = m.embargo  # [S], scalar
        evade = 1.0 - p.embargo_evasion
        direct = 1.0 - enforcement * evade
        via = 1.0 - (1.0 - leakage) * evade
        flows[:, :, MIL] *= np.where(indirect, via, direct[:, None])
        flows[:, :, DIRECT] *= (1.0 - p.embargo_direct_reach * enforcement * evade)[:, None]
    m.flows = flows
    m.direct_support = _sum(flows[:, :, DIRECT], axis=0)
    m.combat_mult = _combat_mult(m)


def red_lines(m: LibyaModel) -> None:
    """A red line is crossed when a faction hostile to its client controls a region
    it covers: its sponsor (if active) sends ``response`` direct support for ``months``."""
    now = m.steps
    for line in m.red_lines:
        if line.until is not None and now > line.until:
            continue
        if now <= line.acting_until or not m.active[line.sponsor]:
            continue
        holders = m.control[line.regions]
        holders = holders[holders >= 0]
        if not (m.hostility[holders, line.client] > 0).any():
            continue
        line.acting_until = now + line.months - 1
        line.crossings += 1
        m.interventions.append(
            Intervention(line.sponsor, line.client, line.response, line.acting_until)
        )
        m.log(
            "Strategic developments",
            "red_line_crossed",
            int(np.flatnonzero(line.regions)[0]),
            m.sponsor_ids[line.sponsor],
            m.faction_ids[line.client],
            0.0,
            f"{m.sponsor_ids[line.sponsor]} acts for {m.faction_ids[line.client]}",
        )


def _base(m: LibyaModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """From the reference budgets: ``b0[S, C, 1]`` (the base military and direct
    budgets, 0 on the other channels), ``e0[S]`` their sum, ``inv[S]`` = 1/e0 (0
    where e0 = 0), ``emax[S]`` the ceiling, ``react[C]`` the reacting channels (float)."""
    react = np.zeros(m.C)
    react[REACT] = 1.0
    b0 = m.budget0 * react
    e0 = _sum(b0, axis=1)
    inv = np.divide(1.0, e0, out=np.zeros(m.S), where=e0 > 0)
    return b0[:, :, None], e0, inv, np.maximum(m.max_effort, e0), react


def _weights(m: LibyaModel, base: tuple | None = None) -> np.ndarray:
    """w[S, F]: the share of each sponsor's base military + direct budget it
    currently directs to each faction."""
    b0, _, inv, _, _ = base or m.cached("react_base", _base, m.budget0, m.max_effort)
    w = np.matmul(m.allocation, b0)[:, :, 0]
    w *= inv[:, None]
    return w


def _rival(m: LibyaModel, w: np.ndarray, react: np.ndarray) -> np.ndarray:
    """[S] military + direct support other sponsors send to the enemies of s's clients
    (enemies s does not itself back), weighted by s's allocation."""
    inflow = m.flows @ react  # [S, F]
    others = _sum(inflow, axis=0) - inflow  # [S, F] from everyone else
    others *= w <= 0  # support to a faction s itself backs is no rival's (a hedger's other side)
    enemy = others @ m.hostility.T  # [S, F]: Σ_j hostility_fj·others_sj
    enemy *= w
    return _sum(enemy, axis=1)


def _committed(m: LibyaModel, w: np.ndarray) -> np.ndarray:
    """[F] military + direct budget that active sponsors commit to each faction."""
    react = m.cached("react_base", _base, m.budget0, m.max_effort)[4]
    effort = (m.budget @ react) * m.active
    return effort @ w


def escalate(m: LibyaModel) -> None:
    """Bounded escalation of the military and direct budgets (political and financial
    budgets never react): ``E ← E + (1 − exp(−drive))·(E_max − E) − fatigue·(E − E0)``,
    with ``drive = richardson_reaction·max(0, rival − rival in the first month)
    + loss_response·Σ_f w_f·lost_f + ally_compensation·Σ_f w_f·shortfall_f``
    (``lost_f``: the share of the population f held in the recent past, a memory
    of weight ``loss_memory``, that it no longer holds);
    a sponsor whose rescued faction is falling goes to its maximum (or enters).
    The new effort is split over the two channels in the proportions of the base."""
    p = m.p
    if m.steps <= 1:  # no month of flows to react to yet
        return
    base = m.cached("react_base", _base, m.budget0, m.max_effort)
    _, e0, inv, emax, react = base
    w = _weights(m, base)
    rival = _rival(m, w, react)
    if m.rival0 is None:  # the first month of flows: the observed equilibrium
        m.rival0 = rival.copy()
    rival -= m.rival0
    drive = np.maximum(rival, 0.0, out=rival)
    drive *= p.richardson_reaction
    pop = m.population_controlled()
    ref = m.pop_ref
    recent = np.divide(ref - pop, ref, out=np.zeros(m.F), where=ref > 0)
    np.maximum(recent, 0.0, out=recent)
    drive += w @ recent * p.loss_response
    ref += p.loss_memory * (pop - ref)
    if m.ally_gap.any():
        filled = _committed(m, w) - m.ally_gap_base
        short = np.maximum(m.ally_gap - filled, 0.0)
        np.divide(short, m.ally_gap_ref, out=short, where=m.ally_gap_ref > 0)
        drive += p.ally_compensation * (w @ short)
    m.escalation_drive = drive
    e = m.budget @ react
    # E + (1 − exp(−drive))·(Emax − E) − fatigue·(E − E0): never below 0 (E, E0 ≤ Emax),
    # but fatigue from below E0 could overshoot Emax, hence the clip
    new = np.exp(-drive)
    new *= e - emax
    new += emax
    new -= p.escalation_fatigue * (e - e0)
    np.minimum(new, emax, out=new)
    if m.rescues.any():
        lost = 1.0 - np.divide(pop, m.pop0, out=np.ones(m.F), where=m.pop0 > 0)
        falling = lost >= p.rescue_trigger
        rescuing = (m.rescues & falling[None, :]).any(axis=1)
        for s in np.flatnonzero(rescuing & ~m.active):
            enter(
                m,
                int(s),
                note="enters to rescue "
                + ", ".join(m.faction_ids[f] for f in np.flatnonzero(m.rescues[s] & falling)),
            )
        new[rescuing] = emax[rescuing]  # all in
    # military and direct budgets scale with the effort (× E/E0); financial and
    # political ones never react; inactive sponsors hold nothing
    new *= inv
    new -= 1.0
    scale = np.multiply.outer(new, react)
    scale += m.active[:, None]
    scale *= m.active[:, None]
    m.budget = np.multiply(m.budget0, scale, out=scale)


def enter(m: LibyaModel, s: int, note: str = "") -> list[str]:
    """Sponsor ``s`` (inactive) enters: from now on it allocates its budget like every
    other sponsor, starting from its support edges. Returns the factions it backs."""
    m.active[s] = True
    m.budget[s] = m.budget0[s]  # an inactive sponsor's budget was held at zero
    edges = m.edges[s]
    tot = edges.sum(axis=0, keepdims=True)
    m.allocation[s] = np.divide(edges, tot, out=np.zeros_like(edges), where=tot > 0)
    weight = edges.max(axis=1)
    m.loyalty[:, s] = np.maximum(m.loyalty[:, s], m.p.initial_loyalty * weight)
    m.log("Strategic developments", "sponsor_entry", None, m.sponsor_ids[s], None, 0.0, note)
    return [m.faction_ids[f] for f in np.flatnonzero(edges.sum(axis=1) > 0)]


def leave(m: LibyaModel, s: int, note: str = "") -> None:
    """Sponsor ``s`` leaves: its allocation, flows and interventions stop; its allies
    see the military and direct commitment it leaves behind (``ally_gap``) and
    compensate (:func:`escalate`); support routed through it becomes direct."""
    w = _weights(m)
    before = _committed(m, w)
    effort = float(m.budget[s, REACT].sum()) if m.active[s] else 0.0
    m.active[s] = False
    m.allocation[s] = 0.0
    m.flows[s] = 0.0
    m.budget[s] = 0.0
    m.interventions = [iv for iv in m.interventions if iv.sponsor != s]
    gap = effort * w[s]
    if gap.any():
        if not m.ally_gap.any():
            m.ally_gap_ref = before
        m.ally_gap += gap
        m.ally_gap_base = _committed(m, w)
    m.log("Strategic developments", "sponsor_exit", None, m.sponsor_ids[s], None, 0.0, note)


def receive(m: LibyaModel) -> None:
    """Step 3: loyalty; legitimacy lent by allies (money, fighters: :func:`.forces.economy`)."""
    p = m.p
    supported = np.logical_or.reduce(m.flows > 0, axis=2).T  # [F, S]
    m.loyalty += np.where(supported, p.loyalty_step, -p.loyalty_step)
    np.minimum(np.maximum(m.loyalty, 0.0, out=m.loyalty), 1.0, out=m.loyalty)
    # legitimacy lent by faction allies (political support from sponsors acts in politics.step)
    if m.lends:
        lend = p.ally_share * m.faction_edges[:, :, POL]  # [F_from, F_to]
        gap = np.maximum(m.legitimacy[:, None] - m.legitimacy[None, :], 0.0)
        pull = _sum(lend * gap, axis=0)
        m.legitimacy = np.minimum(np.maximum(m.legitimacy + pull, 0.0), 1.0)
