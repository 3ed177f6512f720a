"""Conflict (DESIGN.md §3 step 4): battles, control changes, jihadist raids.

- **Aimed fire** between conventional forces follows Lanchester's (1916)
  square law, ``dA/dt = −β·B``, ``dB/dt = −α·A``, which conserves
  ``α·A² − β·B²``.
- Against **insurgents** (jihadist factions) the Deitchman (1962) mixed law:
  insurgents G hidden among the population suffer area fire
  ``dG/dt = −b·G·B`` while they aim at the conventional force,
  ``dB/dt = −a·G``.
- Who prevails in a battle, and whether a region changes hands, follows a
  contest success function ``P(i) = s_iᵐ / (s_iᵐ + s_jᵐ)`` (Tullock 1980;
  Hirshleifer 1989).
- Jihadist factions raid; their victims raise Europe's threat index, which
  raises sponsors' counter-terrorism weight (:mod:`.support`).

Each battle, raid and control change is appended to ``model.event_log`` with
an ACLED-style event type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .jit import kernel

STRATEGIC = "Strategic developments"

if TYPE_CHECKING:
    from .model import LibyaModel


# Both laws are integrated with n classical Runge-Kutta (RK4) substeps on plain
# floats (a battle is two numbers: numpy's per-call overhead would dominate), the
# right-hand side written inline (a battle is the model's innermost loop, and
# function calls would cost more than the arithmetic). A substep that overshoots
# below zero ends the battle: that side is wiped out.


@kernel
def lanchester(
    a: float, b: float, alpha: float, beta: float, t: float, substeps: int = 10
) -> tuple[float, float]:
    """Aimed fire for time ``t``: ``dA/dt = −β·B``, ``dB/dt = −α·A`` (RK4)."""
    x, y = float(a), float(b)
    n = max(int(substeps), 1)
    h = t / n
    hh, h6 = 0.5 * h, h / 6.0
    na, nb = -alpha, -beta
    for _ in range(n):
        a1, b1 = nb * y, na * x
        a2, b2 = nb * (y + hh * b1), na * (x + hh * a1)
        a3, b3 = nb * (y + hh * b2), na * (x + hh * a2)
        a4, b4 = nb * (y + h * b3), na * (x + h * a3)
        x2 = x + h6 * (a1 + 2 * a2 + 2 * a3 + a4)
        y2 = y + h6 * (b1 + 2 * b2 + 2 * b3 + b4)
        if x2 < 0 or y2 < 0:  # one side is wiped out within this substep
            return max(x2, 0.0), max(y2, 0.0)
        x, y = x2, y2
    return x, y


@kernel
def deitchman(
    g: float, b: float, a_rate: float, b_rate: float, t: float, substeps: int = 10
) -> tuple[float, float]:
    """Insurgents G against a conventional force B: ``dG/dt = −b·G·B``, ``dB/dt = −a·G`` (RK4)."""
    x, y = float(g), float(b)
    n = max(int(substeps), 1)
    h = t / n
    hh, h6 = 0.5 * h, h / 6.0
    na, nb = -a_rate, -b_rate
    for _ in range(n):
        a1, b1 = nb * x * y, na * x
        xs, ys = x + hh * a1, y + hh * b1
        a2, b2 = nb * xs * ys, na * xs
        xs, ys = x + hh * a2, y + hh * b2
        a3, b3 = nb * xs * ys, na * xs
        xs, ys = x + h * a3, y + h * b3
        a4, b4 = nb * xs * ys, na * xs
        x2 = x + h6 * (a1 + 2 * a2 + 2 * a3 + a4)
        y2 = y + h6 * (b1 + 2 * b2 + 2 * b3 + b4)
        if x2 < 0 or y2 < 0:  # one side is wiped out within this substep
            return max(x2, 0.0), max(y2, 0.0)
        x, y = x2, y2
    return x, y


def contest(si: float, sj: float, m: float) -> float:
    """Probability that i prevails: ``s_iᵐ / (s_iᵐ + s_jᵐ)``; 0.5 when both are zero."""
    if si <= 0 and sj <= 0:
        return 0.5
    x, y = si**m, sj**m
    return float(x / (x + y))


def choose(rng: np.random.Generator, weights: np.ndarray, total: float | None = None) -> int:
    """Index drawn with probability ∝ ``weights`` (≥ 0, positive sum).

    The same draw as ``rng.choice(len(weights), p=weights / weights.sum())``
    (one uniform number against the normalised cumulative sum), without the
    validation overhead of ``Generator.choice``. ``total`` is
    ``np.add.reduce(weights)`` when the caller already has it.
    """
    w = np.asarray(weights, dtype=float)
    return int(_pick(w, np.add.reduce(w) if total is None else total, rng.random()))


@kernel
def _pick(weights: np.ndarray, total: float, u: float) -> int:
    """The first index whose normalised cumulative weight exceeds ``u``."""
    n = weights.shape[0]
    cdf = np.empty(n)
    acc = 0.0
    for i in range(n):
        acc += weights[i] / total
        cdf[i] = acc
    last = cdf[n - 1]
    for i in range(n):
        if cdf[i] / last > u:
            return i
    return n


@kernel
def _contact(
    g: np.ndarray, adj: np.ndarray, i: int, j: int, out: np.ndarray, heat: float = 1.0
) -> float:
    """out[ri·R + rj] = g[i, ri]·g[j, rj]·adj[ri, rj] (i's forces in ri can reach j's in
    rj), times ``heat`` across two regions (a front line; within one region the two
    sides are in close contact); returns the total."""
    R = g.shape[1]
    tot = 0.0
    for a in range(R):
        for b in range(R):
            x = g[i, a] * g[j, b] * adj[a, b]
            if a != b:
                x *= heat
            out[a * R + b] = x
            tot += x
    return tot


@kernel
def _contact_total(g: np.ndarray, adj: np.ndarray, i: int, j: int) -> float:
    """The sum of ``g[i, ri]·g[j, rj]·adj[ri, rj]`` (:func:`_contact` at full heat)."""
    R = g.shape[1]
    tot = 0.0
    for a in range(R):
        for b in range(R):
            tot += g[i, a] * g[j, b] * adj[a, b]
    return tot


def init(m: LibyaModel) -> None:
    """Arrays of this module: ``fought[F, F]``, the last step at which an offensive or
    siege between the two sides was pressed or their hostility rose (the start counts
    as one), and ``was_hostile[F, F]``, the hostility that rise is measured from."""
    m.fought = np.zeros((m.F, m.F))
    m.was_hostile = m.hostility.copy()


def heat_up(m: LibyaModel) -> None:
    """Mark as fought this month the pairs an active offensive or siege opposes, and
    the pairs whose hostility rose since last month."""
    now = float(m.steps)
    rose = m.hostility > m.was_hostile  # a new enmity opens a hot front
    if rose.any():
        m.fought[rose] = now
    m.was_hostile[:] = m.hostility
    for o in m.offensives:
        a, d = o.attacker, o.defender
        if o.status == "active" and d >= 0:
            m.fought[a, d] = m.fought[d, a] = now


def step(m: LibyaModel) -> None:
    """Skirmishes between hostile factions in contact, then raids; threat decays first.

    Outside offensives (:mod:`.forces`) fronts are quiet: each hostile pair in
    contact skirmishes with probability ``engagement_rate·h_ij·q_ij`` a month, for
    ``battle_intensity`` of a month, and no region changes hands. ``q_ij`` is the
    front's heat: ``stalemate_floor + (1 − stalemate_floor)·(1 − stalemate_decay)^n``,
    n the months since the last offensive or siege between i and j or since their
    hostility rose, for contact across two regions (1 within a region). A pair bound
    by a ceasefire fights only if the side that starts it defects
    (``model.ceasefire_defects``), tempted at the engagement rate whatever the heat: a
    truce is broken deliberately.
    """
    p = m.p
    m.threat *= 1.0 - p.threat_decay
    pairs = m.hostile_pairs()
    if pairs:
        heat_up(m)
        draws = m.rng.random(len(pairs)).tolist()
        strength = m.strength.tolist()  # strengths at the start of the month's fighting
        rate = p.engagement_rate
        floor, keep, now = p.stalemate_floor, 1.0 - p.stalemate_decay, m.steps
        fought = m.fought
        g, adj, R, rng = m.garrison, m.adj_f, m.R, m.rng
        contact = np.empty(R * R)
        for (i, j, level), u in zip(pairs, draws, strict=True):
            if u >= rate * level or strength[i] <= 0 or strength[j] <= 0:
                continue
            heat = floor + (1.0 - floor) * keep ** (now - fought.item(i, j))
            tot = _contact(g, adj, i, j, contact, heat)
            full = _contact_total(g, adj, i, j)
            hot = tot > 0 and u < rate * level * tot / full
            truce = bool(m.events) and (m.ceasefire_binds(i, j) or m.ceasefire_binds(j, i))
            if not hot:
                if not truce or full <= 0:
                    continue
                tot = _contact(g, adj, i, j, contact, 1.0)
            k = _pick(contact, tot, rng.random())
            ri, rj = k // R, k % R
            # the side with more fighters on the spot starts it
            a, b = g.item(i, ri), g.item(j, rj)
            if rng.random() * (a + b) >= a:
                i, j, ri, rj = j, i, rj, ri
            if truce and m.ceasefire_binds(i, j):
                # a truce is broken deliberately, whatever the front's heat
                if not m.ceasefire_defects(i, j):
                    continue
            elif not hot:
                continue
            battle(m, i, j, ri, rj)
    raids(m)
    m.sync_strength()
    mem = p.return_memory
    deaths = m.losses * p.fatality_share
    tot = np.add.reduce(deaths)
    m.death_share *= 1 - mem
    if tot > 0:
        m.death_share += mem * (deaths / tot)
    jtot = np.add.reduce(m.jihadist_losses_by)
    m.ct_return *= 1 - mem
    if jtot > 0:
        m.ct_return += mem * (m.jihadist_losses_by / jtot)
    from .forces import aggrieve

    aggrieve(m)


def battle(m: LibyaModel, i: int, j: int, ri: int, rj: int) -> None:
    """A skirmish started by i's forces in ``ri`` against j's in ``rj`` (same or
    adjacent): ``battle_intensity`` of a month of fire; no region changes hands."""
    fight(m, i, j, ri, rj, m.p.battle_intensity, 1.0)


def fight(
    m: LibyaModel, i: int, j: int, ri: int, rj: int, t: float, cover: float
) -> tuple[float, float]:
    """i's forces in ``ri`` attack j's in ``rj`` for ``t`` months; j fights from
    cover (factor ``cover`` ≥ 1 on its aimed fire, dividing the area fire it
    suffers). Both sides' fire is multiplied by sponsors' combat multipliers.
    Returns the losses (i, j); logs a battle; tallies deaths by pair and region."""
    p = m.p
    g = m.garrison
    a0, b0 = g.item(i, ri), g.item(j, rj)
    n = int(p.battle_substeps)
    ji, jj = m.jihadist_list[i], m.jihadist_list[j]
    # direct sponsor support (air strikes, drones, advisers) multiplies a side's fire
    mult = m.combat_mult
    mi, mj = mult.item(i), mult.item(j)
    if ji and not jj:
        a1, b1 = deitchman(a0, b0, p.insurgent_fire_rate * mi, p.area_fire_rate * mj, t, n)
    elif jj and not ji:  # insurgents defending in cover are harder to find
        b1, a1 = deitchman(
            b0, a0, p.insurgent_fire_rate * mj * cover, p.area_fire_rate * mi / cover, t, n
        )
    else:
        a1, b1 = lanchester(a0, b0, p.aimed_fire_rate * mi, p.aimed_fire_rate * mj * cover, t, n)
    la, lb = a0 - a1, b0 - b1
    g[i, ri] = a1
    g[j, rj] = b1
    m.losses[i] += la
    m.losses[j] += lb
    if jj:
        m.jihadist_losses_by[i] += lb
    if ji:
        m.jihadist_losses_by[j] += la
    combat = p.fatality_share * (la + lb)
    civilians = p.civilian_harm * combat
    deaths = combat + civilians
    m.fatalities += deaths
    m.battle_deaths += deaths
    m.battles += 1
    m.pair_deaths[i, j] += deaths
    m.pair_deaths[j, i] += deaths
    m.attacked[i, j] = True
    where = rj
    m.region_deaths[where] += deaths
    involved = m.involved
    involved[i, where] = True
    involved[j, where] = True
    m.log(
        "Battles",
        "battle",
        where,
        m.faction_ids[i],
        m.faction_ids[j],
        deaths,
        f"{a0:.0f} vs {b0:.0f} fighters; losses {la:.0f} and {lb:.0f}",
    )
    return la, lb


def take(m: LibyaModel, win: int, lose: int, from_region: int, region: int) -> None:
    """``win`` takes ``region``: ``occupation_share`` of its force at ``from_region``
    moves in; the loser's force there withdraws to the adjacent region it holds with
    the largest garrison (or stays on as a pocket if it holds none)."""
    p = m.p
    if from_region != region:
        moving = p.occupation_share * m.garrison[win, from_region]
        m.garrison[win, from_region] -= moving
        m.garrison[win, region] += moving
    if lose >= 0:
        remaining = m.garrison[lose, region]
        if remaining > 0:
            own = np.flatnonzero((m.control == lose) & m.adj[region])
            own = own[own != region]
            if len(own):
                dest = own[np.argmax(m.garrison[lose, own])]
                m.garrison[lose, dest] += remaining
                m.garrison[lose, region] = 0.0
    m.control[region] = win
    m.log(
        "Battles",
        "control_change",
        region,
        m.faction_ids[win],
        m.faction_ids[lose] if lose >= 0 else None,
        0.0,
        f"{m.faction_ids[win]} takes {m.region_ids[region]}",
    )


def raids(m: LibyaModel) -> None:
    """Jihadist raids: probability raid_rate·min(1, strength/raid_scale) per faction."""
    p = m.p
    strength = m.strength.tolist()
    for f in m.jihadist_ids:
        if strength[f] <= 0:
            continue
        prob = p.raid_rate * min(1.0, strength[f] / p.raid_scale)
        if m.rng.random() >= prob:
            continue
        reach = m.adj_f @ (m.garrison[f] > 0) > 0
        r = choose(m.rng, reach * m.population1)
        deaths = float(max(1, m.rng.poisson(p.raid_fatalities)))
        target = int(m.control[r])
        attack(m, f, r, deaths, target if target >= 0 and m.hostility[f, target] > 0 else None)


def attack(
    m: LibyaModel, f: int, r: int, deaths: float, target: int | None, note: str = ""
) -> None:
    """A jihadist attack killing ``deaths`` in region ``r``: forces of ``target`` if
    it has any there, civilians otherwise; raises Europe's threat index."""
    p = m.p
    if target is not None and m.garrison[target, r] > 0:
        lost = min(deaths, m.garrison[target, r])
        m.garrison[target, r] -= lost
        m.losses[target] += lost / max(p.fatality_share, 1e-9)
        etype, victim = "Explosions/Remote violence", m.faction_ids[target]
        m.pair_deaths[f, target] += deaths
        m.pair_deaths[target, f] += deaths
        m.attacked[f, target] = True
    else:
        etype, victim = "Violence against civilians", "civilians"
    m.fatalities += deaths
    m.region_deaths[r] += deaths
    m.involved[f, r] = True
    m.jihadist_attack_deaths[r] += deaths
    m.threat = min(1.0, m.threat + p.threat_per_death * deaths)
    m.log(etype, "raid", r, m.faction_ids[f], victim, deaths, note or "jihadist raid")
