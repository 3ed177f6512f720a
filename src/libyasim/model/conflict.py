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

from .args import b1, b2, f1, f2, i1, table
from .eventlog import ACTOR1, ACTOR2, ARGS, DEATHS, KIND, NOTE, REGION, STEP, TYPE
from .jit import kernel
from .numeric import model_stream, pairwise, poisson, uniform
from .offtable import ACTIVE, ATTACKER, DEFENDER, STATUS

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
    "threat_decay",
    "threat_per_death",
    "raid_rate",
    "raid_scale",
    "raid_fatalities",
    "return_memory",
    "grievance_memory",
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
    THREAT_DECAY,
    THREAT_PER_DEATH,
    RAID_RATE,
    RAID_SCALE,
    RAID_FATALITIES,
    RETURN_MEMORY,
    GRIEVANCE_MEMORY,
) = range(len(COEFFICIENTS))
#: the note of a battle's record, formatted from (fighters i, fighters j, losses i, losses j)
BATTLE_NOTE = "{0:.0f} vs {1:.0f} fighters; losses {2:.0f} and {3:.0f}"
#: the event log's codes the kernels write (``m.battle_log``), by position: a battle's
#: type, kind and note, the first region's code, then a raid's two types, its kind,
#: its victim when no faction's forces are hit, and its note
LOG_BATTLE, LOG_KIND, LOG_NOTE, LOG_REGION0 = range(4)
LOG_EXPLOSIONS, LOG_CIVILIAN_TYPE, LOG_RAID, LOG_CIVILIANS, LOG_RAID_NOTE = range(4, 9)
RAID_NOTE = "jihadist raid"
#: ``m.conflict_ctl`` (int64): the event log's codes (``m.battle_log`` is a view of
#: them: ``LOG_*``), the model's random stream (:func:`.numeric.stream`), the number of
#: hostile pairs, a request to Python (i, j, ri, rj), then the pairs (i, j) from
#: ``CTL_PAIRS`` on (2P), then the contact terms' indices (R·R, :func:`_contact`)
CTL_BITS, CTL_NPAIRS, CTL_I, CTL_J, CTL_RI, CTL_RJ, CTL_PAIRS = 9, 11, 12, 13, 14, 15, 16
#: the modes of :func:`_month`: the whole month, or the skirmishes only
MONTH, SKIRMISHES = 0, 1
#: ``m.conflict_work`` (float): the threat index at ``W_THREAT`` (the kernel's result),
#: then the blocks of :func:`_layout`
W_THREAT = 0

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
    """The first index whose normalised cumulative weight exceeds ``u``: with
    ``c_i = Σ_{k≤i} w_k/total``, the first i with ``c_i / c_last > u``."""
    n = weights.shape[0]
    last = 0.0
    for i in range(n):
        last += weights[i] / total
    acc = 0.0
    for i in range(n):
        acc += weights[i] / total
        if acc / last > u:
            return i
    return n


@kernel
def _contact(g: np.ndarray, adj: np.ndarray, i: int, j: int, heat: float,
             vals: np.ndarray, idx: np.ndarray) -> tuple[int, float, float]:  # fmt: skip
    """The contact between i's and j's forces: ``x[ri·R + rj] = g[i, ri]·g[j, rj]·adj[ri, rj]``
    (i's forces in ri can reach j's in rj), times ``heat`` across two regions (a front
    line; within one region the two sides are in close contact). Returns (n, total at
    ``heat``, total at full heat); its nonzero terms, unheated, in ``vals[:n]`` and their
    indices ``ri·R + rj`` in ``idx[:n]``, in row-major order (a zero term changes no sum
    and no draw, :func:`_pick_contact`)."""
    R = g.shape[1]
    tot = 0.0
    full = 0.0
    n = 0
    for a in range(R):
        ga = g[i, a]
        if ga == 0.0:
            continue
        for b in range(R):
            gb = g[j, b]
            w = adj[a, b]
            if gb == 0.0 or w == 0.0:
                continue
            x = ga * gb * w
            full += x
            if a != b:
                tot += x * heat
            else:
                tot += x
            vals[n] = x
            idx[n] = a * R + b
            n += 1
    return n, tot, full


@kernel
def _pick_contact(vals: np.ndarray, idx: np.ndarray, n: int, R: int, heat: float,
                  total: float, u: float) -> int:  # fmt: skip
    """:func:`_pick` over the contact at ``heat`` (:func:`_contact`'s terms): the index
    ``ri·R + rj`` drawn (R·R if none)."""
    last = 0.0
    for k in range(n):
        x = vals[k]
        c = idx[k]
        if c // R != c % R:
            x *= heat
        last += x / total
    acc = 0.0
    for k in range(n):
        x = vals[k]
        c = idx[k]
        if c // R != c % R:
            x *= heat
        acc += x / total
        if acc / last > u:
            return c
    return R * R


@kernel
def _layout(F: int, R: int) -> tuple[int, int, int, int, int, int, int, int]:
    """Offsets of ``m.conflict_work``'s blocks after ``W_THREAT``: contact terms (R·R),
    raid weights (R), deaths per faction (F), the hostile pairs' draws (P) and levels
    (P, P = F(F−1)/2), ``fought`` (F·F), ``was_hostile`` (F·F), and the end."""
    P = F * (F - 1) // 2
    vals = W_THREAT + 1
    raid = vals + R * R
    deaths = raid + R
    draws = deaths + F
    levels = draws + P
    fought = levels + P
    was = fought + F * F
    return vals, raid, deaths, draws, levels, fought, was, was + F * F


def init(m: LibyaModel) -> None:
    """Arrays of this module: ``fought[F, F]``, the last step at which an offensive or
    siege between the two sides was pressed or their hostility rose (the start counts
    as one), and ``was_hostile[F, F]``, the hostility that rise is measured from (both
    views of ``conflict_work``); ``conflict_k`` (the coefficients the kernels read);
    ``conflict_ctl`` and ``conflict_work`` (:func:`_month`'s integers and floats);
    ``battle_log`` (the event log's codes a kernel writes, ``LOG_*``)."""
    F, R = m.F, m.R
    m.conflict_k = m.p.array(COEFFICIENTS)
    book = m.logbook
    m.conflict_ctl = np.zeros(CTL_PAIRS + F * (F - 1) + R * R, dtype=np.int64)
    m.conflict_ctl[:CTL_BITS] = (
        book.code("Battles"), book.code("battle"), book.note(BATTLE_NOTE, 4), book.region0,
        book.code("Explosions/Remote violence"), book.code("Violence against civilians"),
        book.code("raid"), book.code("civilians"), book.note(RAID_NOTE),
    )  # fmt: skip
    m.battle_log = m.conflict_ctl[:CTL_BITS]
    *_, fought, was, end = _layout(F, R)
    m.conflict_work = np.zeros(end)
    m.fought = m.conflict_work[fought:was].reshape(F, F)
    m.was_hostile = m.conflict_work[was:end].reshape(F, F)
    m.was_hostile[:] = m.hostility
    m.conflict_rng = None  # the Generator whose stream conflict_ctl holds
    # the most records a month's kernel appends: a skirmish per pair, a raid per group
    m.conflict_rows = F * (F - 1) // 2 + int(m.jihadist.sum())


def heat_up(m: LibyaModel) -> None:
    """Mark as fought this month the pairs an active offensive or siege opposes, and
    the pairs whose hostility rose since last month (:func:`_heat_up`)."""
    _heat_up(m.hostility, m.was_hostile, m.fought, m.off_i, m.off_n, float(m.steps))


@kernel
def _heat_up(hostility: np.ndarray, was_hostile: np.ndarray, fought: np.ndarray,
             off_i: np.ndarray, off_n: np.ndarray, now: float) -> None:  # fmt: skip
    """:func:`heat_up` in place: ``fought = now`` where hostility rose since
    ``was_hostile`` (which then takes the present hostility) and for both sides of every
    active offensive with a defender."""
    F = hostility.shape[0]
    for i in range(F):
        for j in range(F):
            if hostility[i, j] > was_hostile[i, j]:
                fought[i, j] = now
            was_hostile[i, j] = hostility[i, j]
    for o in range(off_n[0]):
        a, d = off_i[o, ATTACKER], off_i[o, DEFENDER]
        if off_i[o, STATUS] == ACTIVE and d >= 0:
            fought[a, d] = now
            fought[d, a] = now


def step(m: LibyaModel) -> None:
    """Skirmishes between hostile factions in contact, then raids; threat decays first;
    then the casualty memories and grievance (all in one kernel, :func:`_month`).

    Outside offensives (:mod:`.forces`) fronts are quiet: each hostile pair in
    contact skirmishes with probability ``engagement_rate·h_ij·q_ij`` a month, for
    ``battle_intensity`` of a month, and no region changes hands. ``q_ij`` is the
    front's heat: ``stalemate_floor + (1 − stalemate_floor)·(1 − stalemate_decay)^n``,
    n the months since the last offensive or siege between i and j or since their
    hostility rose, for contact across two regions (1 within a region). A pair bound
    by a ceasefire fights only if the side that starts it defects
    (``model.ceasefire_defects``), tempted at the engagement rate whatever the heat: a
    truce is broken deliberately.

    After the fighting, with λ = ``return_memory``: ``death_share ← (1 − λ)·death_share
    + λ·D_f/ΣD`` (D_f = ``fatality_share``·losses of f this month, when ΣD > 0) and
    ``ct_return ← (1 − λ)·ct_return + λ·J_f/ΣJ`` (J_f the jihadist losses f inflicted);
    grievance: ``grievance ← (1 − γ)·grievance + γ·min(1, D_r/(grievance_deaths·pop_r/10⁵))``,
    D_r this month's deaths in r, γ = ``grievance_memory``.
    """
    _run(m, MONTH)


def skirmishes(m: LibyaModel) -> None:
    """The month's skirmishes alone (:func:`step` without the threat's decay, the fronts'
    heat update, the raids and the memories)."""
    _run(m, SKIRMISHES)


def _run(m: LibyaModel, mode: int) -> None:
    """Run the month's kernel (:func:`_month`); where it stops because a ceasefire binds
    the side that would start a skirmish, ask Python (:meth:`LibyaModel.ceasefire_defects`:
    the events draw and react), fight if it defects, and resume at the next pair.

    The random numbers are the model's Generator's own, read inside the kernel
    (:func:`.numeric.uniform`), in the order of a pair-by-pair loop: one per hostile
    pair first, then two for each pair that comes to blows (where, and who starts);
    then per jihadist faction with forces one (does it raid), and for a raid one
    (where) and a Poisson draw (deaths)."""
    work, book = m.conflict_work, m.logbook
    follow_stream(m)
    start, threat = -1, m.threat
    while True:
        book.reserve(m.conflict_rows)
        stop = _month_p(table(m, _MONTH), m.steps, mode, start, threat, m.off_i,
                        m.ceasefire_matrix(), book.codes, book.values, book.used)  # fmt: skip
        m.threat = work.item(W_THREAT)
        if stop < 0:
            return
        answer(m)
        start, threat = stop + 1, m.threat


def follow_stream(m: LibyaModel) -> None:
    """The kernel's random stream (``conflict_ctl``) is the model's Generator's, also
    after ``m.rng`` was replaced."""
    if m.conflict_rng is not m.rng:
        m.conflict_ctl[CTL_BITS : CTL_BITS + 2] = model_stream(m)[:2]
        m.conflict_rng = m.rng


def answer(m: LibyaModel) -> None:
    """Answer the ceasefire's question :func:`_month` stopped at: if the bound side that
    would start the skirmish (``conflict_ctl[CTL_I:CTL_RJ + 1]``) defects, it is fought
    (a truce is broken deliberately)."""
    i, j, ri, rj = m.conflict_ctl[CTL_I : CTL_RJ + 1].tolist()
    if m.ceasefire_defects(i, j):
        battle(m, i, j, ri, rj)


#: :func:`_month`'s arrays that live as long as the model (its attributes of these
#: names), in the slots of its table (:mod:`.args`), for :func:`_month_p`; the offensives'
#: table and the log's buffers grow, the ceasefire matrix is the month's: arguments
_MONTH = (
    "conflict_k", "conflict_ctl", "conflict_work", "hostility", "off_n", "strength",
    "garrison", "adj_f", "combat_mult", "jihadist", "losses", "jihadist_losses_by",
    "pair_deaths", "attacked", "region_deaths", "involved", "tally", "population1", "control",
    "jihadist_attack_deaths", "death_share", "ct_return", "grievance", "grievance_scale",
)  # fmt: skip


@kernel
def _month_p(t: np.ndarray, step: int, mode: int, start: int, threat: float, off_i: np.ndarray,
            bind: np.ndarray, codes: np.ndarray, values: np.ndarray,
            used: np.ndarray) -> int:  # fmt: skip
    """:func:`_month` on the arrays of the table ``t`` (:data:`_MONTH`)."""
    return _month(f1(t, 0), i1(t, 1), f1(t, 2), step, mode, start, threat, f2(t, 3), off_i,
                  i1(t, 4), bind, f1(t, 5), f2(t, 6), f2(t, 7), f1(t, 8), b1(t, 9), f1(t, 10),
                  f1(t, 11), f2(t, 12), b2(t, 13), f1(t, 14), b2(t, 15), f1(t, 16), codes, values,
                  used, f1(t, 17), i1(t, 18), f1(t, 19), f1(t, 20), f1(t, 21), f1(t, 22),
                  f1(t, 23))  # fmt: skip


@kernel
def _month(k: np.ndarray, ctl: np.ndarray, work: np.ndarray, step: int, mode: int,
           start: int, threat: float, hostility: np.ndarray, off_i: np.ndarray,
           off_n: np.ndarray, bind: np.ndarray, strength: np.ndarray, g: np.ndarray,
           adj: np.ndarray, mult: np.ndarray, jihadist: np.ndarray, losses: np.ndarray,
           jihadist_losses_by: np.ndarray, pair_deaths: np.ndarray, attacked: np.ndarray,
           region_deaths: np.ndarray, involved: np.ndarray, tally: np.ndarray,
           codes: np.ndarray, values: np.ndarray, used: np.ndarray, population1: np.ndarray,
           control: np.ndarray, jihadist_attack_deaths: np.ndarray, death_share: np.ndarray,
           ct_return: np.ndarray, grievance: np.ndarray,
           grievance_scale: np.ndarray) -> int:  # fmt: skip
    """:func:`step` on the model's arrays, in place (room in the event log made
    beforehand): ``ctl``, ``work`` this module's arrays (``m.conflict_ctl``,
    ``m.conflict_work``), ``step`` the model's, ``mode`` :data:`MONTH` or
    :data:`SKIRMISHES`, ``threat`` the threat index (the new one is left in
    ``work[W_THREAT]``), ``bind`` the ceasefires' matrix. ``start`` −1 runs the month
    from its start; it returns −1 when done, or the pair q at which the side that would
    start a skirmish is bound by a ceasefire (its decision is Python's; ``ctl[CTL_I:
    CTL_RJ + 1]`` = i, j, ri, rj): call again with ``start`` = q + 1 (and the threat
    index as Python left it) to go on."""
    F, R = g.shape
    _, _, o_deaths, o_draws, o_levels, o_fought, o_was, end = _layout(F, R)
    fought = work[o_fought:o_was].reshape((F, F))
    month = mode == MONTH
    bits = ctl[CTL_BITS : CTL_BITS + 2]
    work[W_THREAT] = threat
    if start < 0:  # the month's start
        if month:
            work[W_THREAT] = threat * (1.0 - k[THREAT_DECAY])
        # the hostile pairs i < j, row by row, and their draws
        n = 0
        for i in range(F):
            for j in range(i + 1, F):
                if hostility[i, j] > 0:
                    ctl[CTL_PAIRS + 2 * n] = i
                    ctl[CTL_PAIRS + 2 * n + 1] = j
                    work[o_levels + n] = hostility[i, j]
                    n += 1
        ctl[CTL_NPAIRS] = n
        if n > 0 and month:
            _heat_up(hostility, work[o_was:end].reshape((F, F)), fought, off_i, off_n,
                     float(step))  # fmt: skip
        for q in range(n):
            work[o_draws + q] = uniform(bits)
        start = 0
    stop = _skirmish_loop(k, ctl, work, bits, start, float(step), fought, strength, g, adj,
                          bind, mult, jihadist, losses, jihadist_losses_by, pair_deaths,
                          attacked, region_deaths, involved, tally, codes, values, used,
                          step)  # fmt: skip
    if stop >= 0 or not month:
        return stop
    _raids(k, ctl, work, bits, strength, g, adj, jihadist, population1, control, hostility,
           losses, pair_deaths, attacked, region_deaths, involved, jihadist_attack_deaths,
           tally, codes, values, used, step)  # fmt: skip
    # garrisons clipped at 0, strength their sum (LibyaModel.sync_strength)
    for f in range(F):
        for r in range(R):
            if g[f, r] < 0.0:
                g[f, r] = 0.0
        strength[f] = 0.0 + pairwise(g[f], 0, R)
    # the casualty memories
    mem = k[RETURN_MEMORY]
    for f in range(F):
        work[o_deaths + f] = losses[f] * k[FATALITY_SHARE]
    tot = pairwise(work, o_deaths, F)
    for f in range(F):
        death_share[f] *= 1 - mem
    if tot > 0:
        for f in range(F):
            death_share[f] += mem * (work[o_deaths + f] / tot)
    jtot = pairwise(jihadist_losses_by, 0, F)
    for f in range(F):
        ct_return[f] *= 1 - mem
    if jtot > 0:
        for f in range(F):
            ct_return[f] += mem * (jihadist_losses_by[f] / jtot)
    # grievance
    gm = k[GRIEVANCE_MEMORY]
    for r in range(R):
        grievance[r] *= 1.0 - gm
    for r in range(R):
        grievance[r] += gm * min(1.0, region_deaths[r] / grievance_scale[r])
    return -1


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


@kernel
def _skirmish_loop(k: np.ndarray, ctl: np.ndarray, work: np.ndarray, bits: np.ndarray,
                   start: int, now: float, fought: np.ndarray, strength: np.ndarray,
                   g: np.ndarray, adj: np.ndarray, bind: np.ndarray, mult: np.ndarray,
                   jihadist: np.ndarray, losses: np.ndarray, jihadist_losses_by: np.ndarray,
                   pair_deaths: np.ndarray, attacked: np.ndarray, region_deaths: np.ndarray,
                   involved: np.ndarray, tally: np.ndarray, codes: np.ndarray,
                   values: np.ndarray, used: np.ndarray, step: int) -> int:  # fmt: skip
    """The skirmish loop of :func:`step` from pair ``start`` (the pairs in ``ctl``, their
    levels and draws in ``work``): returns −1 when done, or the pair at which the side
    that starts a skirmish is bound by a ceasefire (``ctl[CTL_I:CTL_RJ + 1]`` = i, j, ri, rj)."""
    F, R = g.shape
    o_vals, o_raid, _, o_draws, o_levels, _, _, _ = _layout(F, R)
    vals = work[o_vals:o_raid]
    idx = ctl[CTL_PAIRS + F * (F - 1) : CTL_PAIRS + F * (F - 1) + R * R]
    rate = k[ENGAGEMENT_RATE]
    floor = k[STALEMATE_FLOOR]
    keep = 1.0 - k[STALEMATE_DECAY]
    log = ctl[:CTL_BITS]
    for q in range(start, ctl[CTL_NPAIRS]):
        i, j = ctl[CTL_PAIRS + 2 * q], ctl[CTL_PAIRS + 2 * q + 1]
        lv, u = work[o_levels + q], work[o_draws + q]
        if u >= rate * lv or strength[i] <= 0 or strength[j] <= 0:
            continue
        heat = floor + (1.0 - floor) * keep ** (now - fought[i, j])
        n, tot, full = _contact(g, adj, i, j, heat, vals, idx)
        hot = tot > 0 and u < rate * lv * tot / full
        truce = bind[i, j] or bind[j, i]
        if not hot:
            if not truce or full <= 0:
                continue
            heat, tot = 1.0, full  # a truce is broken at full heat
        kk = _pick_contact(vals, idx, n, R, heat, tot, uniform(bits))
        ri, rj = kk // R, kk % R
        # the side with more fighters on the spot starts it
        a, b = g[i, ri], g[j, rj]
        if uniform(bits) * (a + b) >= a:
            i, j, ri, rj = j, i, rj, ri
        if truce and bind[i, j]:  # a truce is broken deliberately, whatever the heat
            ctl[CTL_I], ctl[CTL_J], ctl[CTL_RI], ctl[CTL_RJ] = i, j, ri, rj
            return q
        if not hot:
            continue
        _fight(k, i, j, ri, rj, k[BATTLE_INTENSITY], 1.0, g, mult, jihadist, losses,
               jihadist_losses_by, pair_deaths, attacked, region_deaths, involved, tally,
               codes, values, used, step, log)  # fmt: skip
    return -1


def take(m: LibyaModel, win: int, lose: int, from_region: int, region: int) -> None:
    """``win`` takes ``region``: ``occupation_share`` of its force at ``from_region``
    moves in; the loser's force there withdraws to the adjacent region it holds with
    the largest garrison (or stays on as a pocket if it holds none). Logged. (The
    kernel, ``forces._take``, lives with the offensives that call it.)"""
    from .forces import take as take_region

    take_region(m, win, lose, from_region, region)


@kernel
def _raids(k: np.ndarray, ctl: np.ndarray, work: np.ndarray, bits: np.ndarray,
           strength: np.ndarray, g: np.ndarray, adj: np.ndarray, jihadist: np.ndarray,
           population1: np.ndarray, control: np.ndarray, hostility: np.ndarray,
           losses: np.ndarray, pair_deaths: np.ndarray, attacked: np.ndarray,
           region_deaths: np.ndarray, involved: np.ndarray, jihadist_attack_deaths: np.ndarray,
           tally: np.ndarray, codes: np.ndarray, values: np.ndarray, used: np.ndarray,
           step: int) -> None:  # fmt: skip
    """Jihadist raids (:func:`step`): each jihadist faction f with forces raids with
    probability ``raid_rate·min(1, strength_f/raid_scale)``, in a region r drawn ∝
    population + 1 among those where it has forces or next to one, killing
    ``max(1, Poisson(raid_fatalities))``: the controller's forces there if hostile to f
    (:func:`_attack`), else civilians."""
    F, R = g.shape
    _, o_raid, o_deaths, _, _, _, _, _ = _layout(F, R)
    w = work[o_raid:o_deaths]
    log = ctl[:CTL_BITS]
    for f in range(F):
        if not jihadist[f] or strength[f] <= 0:
            continue
        prob = k[RAID_RATE] * min(1.0, strength[f] / k[RAID_SCALE])
        if uniform(bits) >= prob:
            continue
        # population + 1 of the regions where f has fighters or next to one
        for r in range(R):
            near = False
            for c in range(R):
                if adj[r, c] != 0 and g[f, c] > 0:
                    near = True
                    break
            w[r] = population1[r] if near else 0.0
        r = _pick(w, pairwise(w, 0, R), uniform(bits))
        deaths = float(max(1, poisson(bits, k[RAID_FATALITIES])))
        target = control[r]
        if target < 0 or not hostility[f, target] > 0:
            target = -1
        _attack(k, work, f, r, deaths, target, log[LOG_RAID_NOTE], g, losses, pair_deaths,
                attacked, region_deaths, involved, jihadist_attack_deaths, tally, codes,
                values, used, step, log)  # fmt: skip


def attack(
    m: LibyaModel, f: int, r: int, deaths: float, target: int | None, note: str = ""
) -> None:
    """A jihadist attack killing ``deaths`` in region ``r``: forces of ``target`` if
    it has any there, civilians otherwise; raises Europe's threat index (:func:`_attack`)."""
    book, work = m.logbook, m.conflict_work
    book.reserve(1)
    work[W_THREAT] = m.threat
    _attack(m.conflict_k, work, f, r, float(deaths), -1 if target is None else target,
            book.note(note or RAID_NOTE), m.garrison, m.losses, m.pair_deaths, m.attacked,
            m.region_deaths, m.involved, m.jihadist_attack_deaths, m.tally, book.codes,
            book.values, book.used, m.steps, m.battle_log)  # fmt: skip
    m.threat = float(work[W_THREAT])


@kernel
def _attack(k: np.ndarray, work: np.ndarray, f: int, r: int, deaths: float, target: int,
            note: int, g: np.ndarray, losses: np.ndarray, pair_deaths: np.ndarray,
            attacked: np.ndarray, region_deaths: np.ndarray, involved: np.ndarray,
            jihadist_attack_deaths: np.ndarray, tally: np.ndarray, codes: np.ndarray,
            values: np.ndarray, used: np.ndarray, step: int, log: np.ndarray) -> None:  # fmt: skip
    """:func:`attack` on the model's arrays (``target`` −1: none; the threat index in
    ``work[W_THREAT]``), its record appended to the event log (room made beforehand)."""
    if target >= 0 and g[target, r] > 0:
        lost = min(deaths, g[target, r])
        g[target, r] -= lost
        losses[target] += lost / max(k[FATALITY_SHARE], 1e-9)
        etype, victim = log[LOG_EXPLOSIONS], target
        pair_deaths[f, target] += deaths
        pair_deaths[target, f] += deaths
        attacked[f, target] = True
    else:
        etype, victim = log[LOG_CIVILIAN_TYPE], log[LOG_CIVILIANS]
    tally[0] += deaths
    region_deaths[r] += deaths
    involved[f, r] = True
    jihadist_attack_deaths[r] += deaths
    work[W_THREAT] = min(1.0, work[W_THREAT] + k[THREAT_PER_DEATH] * deaths)
    n = used[0]
    codes[n, STEP] = step
    codes[n, TYPE] = etype
    codes[n, KIND] = log[LOG_RAID]
    codes[n, REGION] = log[LOG_REGION0] + r
    codes[n, ACTOR1] = f
    codes[n, ACTOR2] = victim
    codes[n, NOTE] = note
    values[n, DEATHS] = deaths
    values[n, ARGS] = 0.0
    values[n, ARGS + 1] = 0.0
    values[n, ARGS + 2] = 0.0
    values[n, ARGS + 3] = 0.0
    used[0] = n + 1
