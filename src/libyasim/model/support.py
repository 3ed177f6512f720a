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

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import LibyaModel

MIL, FIN, POL = 0, 1, 2
CT, MIGRATION, ANTI_ISLAMIST, UN, INFLUENCE = range(5)


def scores(m: LibyaModel) -> np.ndarray:
    """score_k(f) in [0, 1] for each interest k and faction f: [K, F]."""
    s = np.empty((m.K, m.F))
    top = m.strength[~m.jihadist].max() if (~m.jihadist).any() else 0.0
    rel = m.strength / top if top > 0 else np.zeros(m.F)
    fights = np.minimum(1.0, m.hostility @ m.jihadist.astype(float))
    s[CT] = 0.5 * fights * np.minimum(rel, 1.0) + 0.5 * m.ct_return
    own = (m.control[None, :] == np.arange(m.F)[:, None]).astype(float)  # [F, R]
    s[MIGRATION] = own @ m.coast_share
    s[ANTI_ISLAMIST] = 1.0 - m.ideology
    s[UN] = 0.5 * m.un_recognised + 0.5 * m.legitimacy
    s[INFLUENCE] = np.minimum(rel, 1.0)
    s[:, m.jihadist] = 0.0
    return s


def routed(m: LibyaModel) -> np.ndarray:
    """[S, F] True where support is routed through intermediaries that are still active."""
    r = np.zeros((m.S, m.F), dtype=bool)
    for (s, f), via in m.via.items():
        r[s, f] = all(m.active[v] for v in via)
    return r


def utilities(m: LibyaModel, indirect: np.ndarray) -> np.ndarray:
    """U[s, f] = Σ_k w_sk score_k(f) + stance + loyalty − costs (+ policy noise)."""
    p = m.p
    w = m.interests.copy()
    w[:, CT] = w[:, CT] + p.threat_to_ct * m.threat * (1.0 - w[:, CT])  # fear raises the CT weight
    u = w @ scores(m)
    u += p.stance_weight * m.stance + p.loyalty_weight * m.loyalty.T
    cost = (
        m.reputation_sensitivity[:, None] * p.icc_reputation_cost * m.icc_load[None, :]
        + m.casualty_sensitivity[:, None] * p.casualty_cost * m.death_share[None, :]
    )
    u -= cost * (1.0 - p.indirect_cost_discount * indirect)
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
    indirect = routed(m)
    u = utilities(m, indirect)
    z = u / m.temperature[:, None]
    cand = candidates(m)
    z3 = np.where(cand, z[:, :, None], -np.inf)
    z0 = p.reservation_utility / m.temperature[:, None, None]  # the outside option
    zmax = np.maximum(z3.max(axis=1, keepdims=True), z0)
    e = np.where(cand, np.exp(z3 - zmax), 0.0)
    tot = e.sum(axis=1, keepdims=True) + np.exp(z0 - zmax)
    target = np.divide(e, tot, out=np.zeros_like(e), where=tot > 0)
    rho = p.support_inertia * (
        p.consensus_inertia_floor + (1.0 - p.consensus_inertia_floor) * m.consensus
    )
    m.allocation = (1.0 - rho[:, None, None]) * m.allocation + rho[:, None, None] * target
    m.allocation *= m.active[:, None, None]
    m.utility = u
    m.indirect = indirect
    delivered = np.where(m.allocation >= p.support_threshold, m.allocation, 0.0)
    flows = delivered * m.budget[:, None, :]
    if m.embargo is not None:
        enforcement, leakage = m.embargo
        evade = p.embargo_evasion
        direct = 1.0 - enforcement * (1.0 - evade)
        via = 1.0 - (1.0 - leakage) * (1.0 - evade)
        flows[:, :, MIL] *= np.where(indirect, via, direct)
    m.flows = flows
    richardson(m)


def richardson(m: LibyaModel) -> None:
    """budget ← budget + k·rival − a·(budget − budget0), clipped at 0 (Richardson 1960).

    ``rival[s, c]`` is the support other sponsors send on channel c to the
    enemies of the factions s backs, weighted by s's allocation and hostility.
    """
    p = m.p
    inflow = m.flows.sum(axis=0)  # [F, C]
    others = inflow[None, :, :] - m.flows  # [S, F, C]: from everyone else
    enemy_support = np.einsum("fj,sjc->sfc", m.hostility, others)
    rival = (m.allocation * enemy_support).sum(axis=1)  # [S, C]
    m.budget = (
        m.budget + p.richardson_reaction * rival - p.richardson_fatigue * (m.budget - m.budget0)
    )
    np.maximum(m.budget, 0.0, out=m.budget)
    m.budget *= m.active[:, None]


def receive(m: LibyaModel) -> None:
    """Step 3: support becomes fighters, resources and legitimacy; loyalty; allies."""
    p = m.p
    got = m.flows.sum(axis=0)  # [F, C]
    supported = m.flows.sum(axis=2) > 0  # [S, F]
    m.loyalty += np.where(supported.T, p.loyalty_step, -p.loyalty_step)
    np.clip(m.loyalty, 0.0, 1.0, out=m.loyalty)
    # resources: income from sponsors and oil, spending on recruitment, allies
    own = (m.control[None, :] == np.arange(m.F)[:, None]).astype(float)
    oil = own @ m.oil_share
    spend = p.resource_spend * m.resources
    m.resources = m.resources - spend + p.financial_to_resources * got[:, FIN] + p.oil_income * oil
    ally = p.ally_share * (
        m.alliance + m.faction_edges[:, :, MIL] + m.faction_edges[:, :, FIN]
    )  # [F_from, F_to]
    out_share = np.minimum(ally.sum(axis=1), 1.0)
    scale = np.divide(out_share, ally.sum(axis=1), out=np.zeros(m.F), where=ally.sum(axis=1) > 0)
    transfer = ally * (scale * m.resources)[:, None]
    m.resources = m.resources - transfer.sum(axis=1) + transfer.sum(axis=0)
    np.maximum(m.resources, 0.0, out=m.resources)
    # fighters: military support and recruitment, minus desertion
    recruits = (p.military_to_fighters * got[:, MIL] + p.recruitment_rate * spend) * headroom(m)
    dist = np.divide(
        m.garrison, m.strength[:, None], out=m.home.copy(), where=m.strength[:, None] > 0
    )
    m.garrison = m.garrison * (1.0 - p.attrition_rate) + recruits[:, None] * dist
    m.sync_strength()
    # legitimacy lent by faction allies (political support from sponsors acts in politics.step)
    lend = p.ally_share * m.faction_edges[:, :, POL]  # [F_from, F_to]
    pull = (lend * (m.legitimacy[:, None] - m.legitimacy[None, :]).clip(min=0)).sum(axis=0)
    m.legitimacy = np.clip(m.legitimacy + pull, 0.0, 1.0)


def headroom(m: LibyaModel) -> np.ndarray:
    """1 − strength/ceiling (≥ 0): the mobilisation ceiling is mobilisation_ceiling ×
    supporters (population × popularity) of the regions a faction holds or garrisons."""
    present = (m.control[None, :] == np.arange(m.F)[:, None]) | (m.garrison > 0)
    supporters = (present * m.popularity * m.population[None, :]).sum(axis=1)
    ceiling = m.p.mobilisation_ceiling * supporters
    room = np.divide(m.strength, ceiling, out=np.ones(m.F), where=ceiling > 0)
    return np.clip(1.0 - room, 0.0, 1.0)
