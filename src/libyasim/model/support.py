"""Support exchange between sponsors and factions (DESIGN.md §3 steps 2-3).

Sponsors score factions by how each serves their interests (an
interest-weighted utility in the expected-utility tradition of Bueno de
Mesquita), pick a target allocation by a softmax (logit choice), and move
toward it with inertia that is lower where the sponsor's internal consensus
is low. Budgets react to rival sponsors' spending by Richardson's (1960)
arms-race equation; loyalty follows Axelrod & Bennett's (1993) commitment
rule. Factions turn support into fighters, resources and legitimacy and
return value (counter-terrorism results) that sponsors score next month.

All arithmetic is on the model's arrays: ``allocation[S, F, C]`` (share of
channel C's budget), ``flows[S, F, C]`` (support delivered this month),
``budget[S, C]``, ``loyalty[F, S]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

_sum, _max = np.add.reduce, np.maximum.reduce  # the ufunc reductions, without the method wrappers

if TYPE_CHECKING:
    from .model import LibyaModel

MIL, FIN, POL, DIRECT = 0, 1, 2, 3
CT, MIGRATION, ANTI_ISLAMIST, UN, INFLUENCE = range(5)


def init(m: LibyaModel) -> None:
    """The arrays this module owns besides the sponsors' own (created in the model):
    ``direct_support[F]`` (direct-channel support each faction receives this month,
    after embargoes), ``combat_mult[F]`` (its multiplier on fire, from
    :func:`combat_multiplier`) and ``red_lines`` (the red lines in force)."""
    m.direct_support = np.zeros(m.F)
    m.combat_mult = np.ones(m.F)
    lines: list[RedLine] = []
    m.red_lines = lines


@dataclass
class RedLine:
    """A sponsor's commitment to defend ``regions`` for ``client`` (event ``red_line``)."""

    sponsor: int
    client: int
    regions: np.ndarray  # [R] bool
    credibility: float
    until: int | None = None  # last model step in force (None: to the end)


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
            and m.active[line.sponsor]
            and attacker != line.client
            and m.hostility[attacker, line.client] > 0
        ):
            cost += m.p.red_line_deterrence * line.credibility
    return cost


def scores(m: LibyaModel) -> np.ndarray:
    """score_k(f) in [0, 1] for each interest k and faction f: [K, F]."""
    s = np.empty((m.K, m.F))
    top = _max(m.strength[m.nonjihadist]) if m.any_nonjihadist else 0.0
    rel = np.minimum(m.strength / top, 1.0) if top > 0 else np.zeros(m.F)
    fights = np.minimum(1.0, m.hostility @ m.jihadist_f)
    w = m.p.ct_results_share
    s[CT] = (1.0 - w) * fights * rel + w * m.ct_return
    s[MIGRATION] = m.held(m.coast_share)
    s[ANTI_ISLAMIST] = 1.0 - m.ideology
    u = m.p.un_recognition_share
    s[UN] = u * m.un_recognised + (1.0 - u) * m.legitimacy
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


def utilities(m: LibyaModel, indirect: np.ndarray) -> np.ndarray:
    """U[s, f] = Σ_k w_sk score_k(f) + stance + loyalty − costs (+ policy noise)."""
    p = m.p
    w = m.interests.copy()
    ct = w[:, CT]
    ct += p.threat_to_ct * m.threat * (1.0 - ct)  # fear raises the CT weight
    u = w @ scores(m)
    u += p.stance_weight * m.stance + p.loyalty_weight * m.loyalty.T
    cost = np.multiply.outer(m.reputation_sensitivity * p.icc_reputation_cost, m.icc_load)
    cost += np.multiply.outer(m.casualty_sensitivity * p.casualty_cost, m.death_share)
    if m.via:
        cost *= 1.0 - p.indirect_cost_discount * indirect
    u -= cost
    noise = p.policy_noise * (1.0 - m.consensus)
    u += noise[:, None] * m.rng.standard_normal((m.S, m.F))
    return u


def candidates(m: LibyaModel) -> np.ndarray:
    """[S, F, C] which factions a sponsor may fund on each channel: a support
    edge on that channel, or a positive stance (never a jihadist it has no edge to)."""
    cand = m.edges > 0
    favoured = (m.stance > 0) & ~m.jihadist[None, :]
    cand |= favoured[:, :, None] & (m.budget0[:, None, :] > 0)
    return cand & m.active[:, None, None]


def allocate(m: LibyaModel) -> None:
    """Step 2: target = softmax(U/τ) over candidates and the outside option (keeping
    the money, utility ``reservation_utility``); a ← (1−ρ)a + ρ·target; budgets react."""
    p = m.p
    indirect = routed(m) if m.via else m.no_route
    u = utilities(m, indirect)
    z = u / m.temperature[:, None]
    cand = m.cached("candidates", candidates, m.edges, m.stance, m.budget0, m.active)
    # softmax over candidates and the outside option, shifted by the largest exponent
    z0 = p.reservation_utility / m.temperature  # [S]
    z3 = np.where(cand, z[:, :, None], -np.inf)
    zmax = np.maximum(_max(z3, axis=1), z0[:, None])[:, None, :]  # [S, 1, C]
    z3 -= zmax
    e = np.exp(z3, out=z3)  # exp(-inf) = 0 off the candidates
    tot = _sum(e, axis=1, keepdims=True) + np.exp(z0[:, None, None] - zmax)
    e /= tot  # tot ≥ exp(0) for the largest term: never zero
    rho = (
        p.support_inertia
        * (p.consensus_inertia_floor + (1.0 - p.consensus_inertia_floor) * m.consensus)[
            :, None, None
        ]
    )
    alloc = (1.0 - rho) * m.allocation
    alloc += rho * e
    alloc *= m.active[:, None, None]
    m.allocation = alloc
    m.utility = u
    m.indirect = indirect
    flows = np.where(alloc >= p.support_threshold, alloc, 0.0)
    flows *= m.budget[:, None, :]
    if m.embargo is not None:
        enforcement, leakage = m.embargo
        evade = p.embargo_evasion
        direct = 1.0 - enforcement * (1.0 - evade)
        via = 1.0 - (1.0 - leakage) * (1.0 - evade)
        flows[:, :, MIL] *= np.where(indirect, via, direct)
    m.flows = flows
    m.direct_support = _sum(flows[:, :, DIRECT], axis=0)
    m.combat_mult = _combat_mult(m)
    richardson(m)


def richardson(m: LibyaModel) -> None:
    """budget ← budget + k·rival − a·(budget − budget0), clipped at 0 (Richardson 1960).

    ``rival[s, c]`` is the support other sponsors send on channel c to the
    enemies of the factions s backs, weighted by s's allocation and hostility.
    """
    p = m.p
    inflow = _sum(m.flows, axis=0)  # [F, C]
    others = inflow[None, :, :] - m.flows  # [S, F, C]: from everyone else
    enemy_support = np.matmul(m.hostility, others)  # [S, F, C]
    rival = _sum(m.allocation * enemy_support, axis=1)  # [S, C]
    b = m.budget + p.richardson_reaction * rival
    b -= p.richardson_fatigue * (m.budget - m.budget0)
    np.maximum(b, 0.0, out=b)
    b *= m.active[:, None]
    m.budget = b


def receive(m: LibyaModel) -> None:
    """Step 3: support becomes fighters, resources and legitimacy; loyalty; allies."""
    p = m.p
    got = _sum(m.flows, axis=0)  # [F, C]
    supported = np.logical_or.reduce(m.flows > 0, axis=2).T  # [F, S]
    m.loyalty += np.where(supported, p.loyalty_step, -p.loyalty_step)
    np.minimum(np.maximum(m.loyalty, 0.0, out=m.loyalty), 1.0, out=m.loyalty)
    # resources: income from sponsors and oil, spending on recruitment, allies
    oil = m.held(m.oil_share)
    spend = p.resource_spend * m.resources
    res = m.resources - spend
    res += p.financial_to_resources * got[:, FIN]
    res += p.oil_income * oil
    ally, scale = m.cached("allies", _allies, m.alliance, m.faction_edges)
    if scale is not None:
        transfer = ally * (scale * res)[:, None]
        res = res - _sum(transfer, axis=1) + _sum(transfer, axis=0)
    np.maximum(res, 0.0, out=res)
    m.resources = res
    # fighters: military support and recruitment, minus desertion
    recruits = (p.military_to_fighters * got[:, MIL] + p.recruitment_rate * spend) * headroom(m)
    g = m.garrison
    strength = m.strength
    has = (strength > 0)[:, None]
    dist = np.divide(g, strength[:, None], out=m.home.copy(), where=has)
    g *= 1.0 - p.attrition_rate
    g += recruits[:, None] * dist
    m.sync_strength()
    # legitimacy lent by faction allies (political support from sponsors acts in politics.step)
    if m.lends:
        lend = p.ally_share * m.faction_edges[:, :, POL]  # [F_from, F_to]
        gap = np.maximum(m.legitimacy[:, None] - m.legitimacy[None, :], 0.0)
        pull = _sum(lend * gap, axis=0)
        m.legitimacy = np.minimum(np.maximum(m.legitimacy + pull, 0.0), 1.0)


def _allies(m: LibyaModel) -> tuple[np.ndarray, np.ndarray | None]:
    """(ally[F_from, F_to], scale[F]) of the monthly resource transfers between allies;
    ``scale`` is None when no faction passes anything on."""
    fe = m.faction_edges
    ally = m.p.ally_share * (m.alliance + fe[:, :, MIL] + fe[:, :, FIN])
    tot = ally.sum(axis=1)
    if not (tot > 0).any():
        return ally, None
    scale = np.divide(np.minimum(tot, 1.0), tot, out=np.zeros(m.F), where=tot > 0)
    return ally, scale


def headroom(m: LibyaModel) -> np.ndarray:
    """1 − strength/ceiling (≥ 0): the mobilisation ceiling is mobilisation_ceiling ×
    supporters (population × popularity) of the regions a faction holds or garrisons."""
    present = m.own() | (m.garrison > 0)
    supporters = (present * m.popularity) @ m.population
    ceiling = m.p.mobilisation_ceiling * supporters
    room = np.divide(m.strength, ceiling, out=np.ones(m.F), where=ceiling > 0)
    np.subtract(1.0, room, out=room)
    return np.minimum(np.maximum(room, 0.0, out=room), 1.0, out=room)
