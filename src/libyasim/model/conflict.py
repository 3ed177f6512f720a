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

from .eventlog import ACTOR1, ACTOR2, ARGS, DEATHS, KIND, NOTE, REGION, STEP, TYPE
from .jit import kernel

STRATEGIC = "Strategic developments"

#: the scenario coefficients (``m.p``) the kernels read, in the order of the array
#: ``m.conflict_k``; each upper-case name below is the index of one
COEFFICIENTS = (
    "engagement_rate",
    "stalemate_floor",
    "stalemate_decay",
    "battle_intensity",
    "battle_substeps",
    "insurgent_fire_rate",
    "area_fire_rate",
    "aimed_fire_rate",
    "fatality_share",
    "civilian_harm",
)
(
    ENGAGEMENT_RATE,
    STALEMATE_FLOOR,
    STALEMATE_DECAY,
    BATTLE_INTENSITY,
    BATTLE_SUBSTEPS,
    INSURGENT_FIRE_RATE,
    AREA_FIRE_RATE,
    AIMED_FIRE_RATE,
    FATALITY_SHARE,
    CIVILIAN_HARM,
) = range(len(COEFFICIENTS))
#: the note of a battle's record, formatted from (fighters i, fighters j, losses i, losses j)
BATTLE_NOTE = "{0:.0f} vs {1:.0f} fighters; losses {2:.0f} and {3:.0f}"

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
    as one), and ``was_hostile[F, F]``, the hostility that rise is measured from;
    ``conflict_k`` (the coefficients the kernels read); ``battle_log`` (the event log's
    codes of a battle record: type, kind, note, first region)."""
    m.fought = np.zeros((m.F, m.F))
    m.was_hostile = m.hostility.copy()
    m.conflict_k = m.p.array(COEFFICIENTS)
    book = m.logbook
    m.battle_log = np.array(
        [book.code("Battles"), book.code("battle"), book.note(BATTLE_NOTE, 4), book.region0],
        dtype=np.int64,
    )
    m.contact = np.empty(m.R * m.R)  # the skirmish kernel's scratch
    m.raid_w = np.empty(m.R)  # the raids' scratch
    m.skirmish_out = np.zeros(5, dtype=np.int64)


def _pair_arrays(m: LibyaModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hostile pairs (:meth:`LibyaModel.hostile_pairs`) as arrays i, j, level."""
    pairs = m.hostile_pairs()
    return (
        np.array([p[0] for p in pairs], dtype=np.int64),
        np.array([p[1] for p in pairs], dtype=np.int64),
        np.array([p[2] for p in pairs], dtype=float),
    )


def heat_up(m: LibyaModel) -> None:
    """Mark as fought this month the pairs an active offensive or siege opposes, and
    the pairs whose hostility rose since last month."""
    now = float(m.steps)
    _new_enmities(m.hostility, m.was_hostile, m.fought, now)
    for o in m.offensives:
        a, d = o.attacker, o.defender
        if o.status == "active" and d >= 0:
            m.fought[a, d] = m.fought[d, a] = now


@kernel
def _new_enmities(hostility: np.ndarray, was_hostile: np.ndarray, fought: np.ndarray,
                  now: float) -> None:  # fmt: skip
    """A new enmity opens a hot front: ``fought = now`` where hostility rose since
    ``was_hostile``, which then takes the present hostility (in place)."""
    F = hostility.shape[0]
    for i in range(F):
        for j in range(F):
            if hostility[i, j] > was_hostile[i, j]:
                fought[i, j] = now
            was_hostile[i, j] = hostility[i, j]


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
    pairs = m.cached("hostile_arrays", _pair_arrays, m.hostility)
    if len(pairs[0]):
        heat_up(m)
        skirmishes(m, pairs)
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
    Returns the losses (i, j); logs a battle; tallies deaths by pair and region
    (:func:`_fight`)."""
    book = m.logbook
    book.reserve(1)
    return _fight(m.conflict_k, i, j, ri, rj, t, cover, m.garrison, m.combat_mult, m.jihadist,
                  m.losses, m.jihadist_losses_by, m.pair_deaths, m.attacked, m.region_deaths,
                  m.involved, m.tally, book.codes, book.values, book.used, m.steps,
                  m.battle_log)  # fmt: skip


@kernel
def _fight(k: np.ndarray, i: int, j: int, ri: int, rj: int, t: float, cover: float,
           g: np.ndarray, mult: np.ndarray, jihadist: np.ndarray, losses: np.ndarray,
           jihadist_losses_by: np.ndarray, pair_deaths: np.ndarray, attacked: np.ndarray,
           region_deaths: np.ndarray, involved: np.ndarray, tally: np.ndarray,
           codes: np.ndarray, values: np.ndarray, used: np.ndarray, step: int,
           log: np.ndarray) -> tuple[float, float]:  # fmt: skip
    """:func:`fight` on the model's arrays (in place), its record appended to the event
    log's arrays (room made beforehand)."""
    a0, b0 = g[i, ri], g[j, rj]
    n = int(k[BATTLE_SUBSTEPS])
    ji, jj = jihadist[i], jihadist[j]
    # direct sponsor support (air strikes, drones, advisers) multiplies a side's fire
    mi, mj = mult[i], mult[j]
    if ji and not jj:
        a1, b1 = deitchman(a0, b0, k[INSURGENT_FIRE_RATE] * mi, k[AREA_FIRE_RATE] * mj, t, n)
    elif jj and not ji:  # insurgents defending in cover are harder to find
        b1, a1 = deitchman(
            b0, a0, k[INSURGENT_FIRE_RATE] * mj * cover, k[AREA_FIRE_RATE] * mi / cover, t, n
        )
    else:
        aimed = k[AIMED_FIRE_RATE]
        a1, b1 = lanchester(a0, b0, aimed * mi, aimed * mj * cover, t, n)
    la, lb = a0 - a1, b0 - b1
    g[i, ri] = a1
    g[j, rj] = b1
    losses[i] += la
    losses[j] += lb
    if jj:
        jihadist_losses_by[i] += lb
    if ji:
        jihadist_losses_by[j] += la
    combat = k[FATALITY_SHARE] * (la + lb)
    civilians = k[CIVILIAN_HARM] * combat
    deaths = combat + civilians
    tally[0] += deaths  # fatalities
    tally[1] += deaths  # battle deaths
    tally[2] += 1.0  # battles
    pair_deaths[i, j] += deaths
    pair_deaths[j, i] += deaths
    attacked[i, j] = True
    where = rj
    region_deaths[where] += deaths
    involved[i, where] = True
    involved[j, where] = True
    # the record: Battles / battle, in rj, i against j (a faction's code is its index)
    r = used[0]
    codes[r, STEP] = step
    codes[r, TYPE] = log[0]
    codes[r, KIND] = log[1]
    codes[r, REGION] = log[3] + where
    codes[r, ACTOR1] = i
    codes[r, ACTOR2] = j
    codes[r, NOTE] = log[2]
    values[r, DEATHS] = deaths
    values[r, ARGS] = a0
    values[r, ARGS + 1] = b0
    values[r, ARGS + 2] = la
    values[r, ARGS + 3] = lb
    used[0] = r + 1
    return la, lb


def skirmishes(m: LibyaModel, pairs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    """The month's skirmishes (:func:`step`), pair by pair in one kernel
    (:func:`_skirmishes`), which stops only where a ceasefire binds the side that
    starts one: that side's decision to defect is Python's (:meth:`LibyaModel.ceasefire_defects`).

    The random numbers are the model's Generator's, in the order of the pair-by-pair
    loop: one per pair first, then two for each pair that comes to blows (where,
    and who starts). The kernel is handed a block of the stream long enough for any
    month, and the Generator is then moved back to where the kernel stopped reading
    (``PCG64.advance`` by minus the unread count; advancing also drops a buffered
    32-bit half-draw, which the model never leaves). ``pairs``: the hostile pairs as
    arrays (i, j, level)."""
    pi, pj, level = pairs
    n = len(pi)
    rng = m.rng
    bits = rng.bit_generator
    draws = rng.random(n)
    book, out = m.logbook, m.skirmish_out
    q = 0
    while q < n:
        bind = m.ceasefire_matrix()
        book.reserve(n - q)
        extra = rng.random(2 * (n - q))
        stop = _skirmishes(m.conflict_k, pi, pj, level, draws, extra, q, float(m.steps),
                           m.fought, m.strength, m.garrison, m.adj_f, bind,
                           m.contact, m.combat_mult, m.jihadist, m.losses,
                           m.jihadist_losses_by, m.pair_deaths, m.attacked, m.region_deaths,
                           m.involved, m.tally, book.codes, book.values, book.used, m.steps,
                           m.battle_log, out)  # fmt: skip
        bits.advance(int(out[0]) - len(extra))  # type: ignore[attr-defined]
        if stop < 0:
            return
        i, j, ri, rj = (int(x) for x in out[1:5])
        if m.ceasefire_defects(i, j):  # a truce is broken deliberately
            battle(m, i, j, ri, rj)
        q = stop + 1


@kernel
def _skirmishes(k: np.ndarray, pi: np.ndarray, pj: np.ndarray, level: np.ndarray,
                draws: np.ndarray, extra: np.ndarray, start: int, now: float,
                fought: np.ndarray, strength: np.ndarray, g: np.ndarray, adj: np.ndarray,
                bind: np.ndarray, contact: np.ndarray, mult: np.ndarray, jihadist: np.ndarray,
                losses: np.ndarray, jihadist_losses_by: np.ndarray, pair_deaths: np.ndarray,
                attacked: np.ndarray, region_deaths: np.ndarray, involved: np.ndarray,
                tally: np.ndarray, codes: np.ndarray, values: np.ndarray, used: np.ndarray,
                step: int, log: np.ndarray, out: np.ndarray) -> int:  # fmt: skip
    """The skirmish loop of :func:`step` from pair ``start``: ``draws[q]`` the pair's
    draw, ``extra`` the further uniforms in stream order. Returns −1 when done, or the
    pair at which the side that starts a skirmish is bound by a ceasefire (its
    decision is Python's); ``out`` = [uniforms of ``extra`` read, i, j, ri, rj]."""
    R = g.shape[1]
    rate = k[ENGAGEMENT_RATE]
    floor = k[STALEMATE_FLOOR]
    keep = 1.0 - k[STALEMATE_DECAY]
    d = 0
    for q in range(start, pi.shape[0]):
        i, j, lv, u = pi[q], pj[q], level[q], draws[q]
        if u >= rate * lv or strength[i] <= 0 or strength[j] <= 0:
            continue
        heat = floor + (1.0 - floor) * keep ** (now - fought[i, j])
        tot = _contact(g, adj, i, j, contact, heat)
        full = _contact_total(g, adj, i, j)
        hot = tot > 0 and u < rate * lv * tot / full
        truce = bind[i, j] or bind[j, i]
        if not hot:
            if not truce or full <= 0:
                continue
            tot = _contact(g, adj, i, j, contact, 1.0)
        kk = _pick(contact, tot, extra[d])
        d += 1
        ri, rj = kk // R, kk % R
        # the side with more fighters on the spot starts it
        a, b = g[i, ri], g[j, rj]
        if extra[d] * (a + b) >= a:
            i, j, ri, rj = j, i, rj, ri
        d += 1
        if truce and bind[i, j]:  # a truce is broken deliberately, whatever the heat
            out[0], out[1], out[2], out[3], out[4] = d, i, j, ri, rj
            return q
        if not hot:
            continue
        _fight(k, i, j, ri, rj, k[BATTLE_INTENSITY], 1.0, g, mult, jihadist, losses,
               jihadist_losses_by, pair_deaths, attacked, region_deaths, involved, tally,
               codes, values, used, step, log)  # fmt: skip
    out[0] = d
    return -1


def take(m: LibyaModel, win: int, lose: int, from_region: int, region: int) -> None:
    """``win`` takes ``region``: ``occupation_share`` of its force at ``from_region``
    moves in; the loser's force there withdraws to the adjacent region it holds with
    the largest garrison (or stays on as a pocket if it holds none). Logged. (The
    kernel, ``forces._take``, lives with the offensives that call it.)"""
    from .forces import take as take_region

    take_region(m, win, lose, from_region, region)


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
        w = _reach(m.adj, m.garrison, f, m.population1, m.raid_w)  # [R] population + 1 in reach
        r = int(_pick(w, np.add.reduce(w), m.rng.random()))
        deaths = float(max(1, m.rng.poisson(p.raid_fatalities)))
        target = int(m.control[r])
        attack(m, f, r, deaths, target if target >= 0 and m.hostility[f, target] > 0 else None)


@kernel
def _reach(adj: np.ndarray, g: np.ndarray, f: int, population1: np.ndarray,
           out: np.ndarray) -> np.ndarray:  # fmt: skip
    """out[r] = population1[r] where f has fighters in r or next to it, else 0 (returns out)."""
    R = g.shape[1]
    for r in range(R):
        near = False
        for c in range(R):
            if adj[r, c] and g[f, c] > 0:
                near = True
        out[r] = population1[r] if near else 0.0
    return out


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
