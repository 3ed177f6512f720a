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

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scenario.types import CHANNELS, INTERESTS
from . import work
from .args import b1, f1, f2, f3, i1, table
from .eventlog import append
from .jit import kernel

_sum, _max = np.add.reduce, np.maximum.reduce  # the ufunc reductions, without the method wrappers

if TYPE_CHECKING:
    from .model import LibyaModel

MIL, FIN, POL, DIRECT = 0, 1, 2, 3
REACT = [MIL, DIRECT]  # the channels whose budgets escalate
_REACT = (1.0, 0.0, 0.0, 1.0)  # the same, as a weight per channel (MIL, FIN, POL, DIRECT)
CT, MIGRATION, ANTI_ISLAMIST, UN, INFLUENCE = range(5)
NC, NK = len(CHANNELS), len(INTERESTS)  # channels, interests
_OFF = -1e9  # a non-candidate's score in the portfolio (never funded)


#: the scenario coefficients (``m.p``) the kernels read, in the order of the array
#: ``m.support_k`` (an array is cheaper to hand to a kernel than a named tuple); each
#: upper-case name below is the index of one
COEFFICIENTS = (
    "ct_results_share",
    "un_recognition_share",
    "power_share_weight",
    "icc_reputation_cost",
    "casualty_cost",
    "indirect_cost_discount",
    "threat_to_ct",
    "stance_weight",
    "loyalty_weight",
    "policy_noise",
    "reservation_utility",
    "support_inertia",
    "consensus_inertia_floor",
    "support_threshold",
    "richardson_reaction",
    "loss_response",
    "loss_memory",
    "ally_compensation",
    "escalation_fatigue",
    "loyalty_step",
    "ally_share",
    "direct_saturation",
    "direct_combat_gain",
    "red_line_deterrence",
    "embargo_evasion",
    "embargo_direct_reach",
    "rescue_trigger",
    "initial_loyalty",
)
(
    CT_RESULTS_SHARE,
    UN_RECOGNITION_SHARE,
    POWER_SHARE_WEIGHT,
    ICC_REPUTATION_COST,
    CASUALTY_COST,
    INDIRECT_COST_DISCOUNT,
    THREAT_TO_CT,
    STANCE_WEIGHT,
    LOYALTY_WEIGHT,
    POLICY_NOISE,
    RESERVATION_UTILITY,
    SUPPORT_INERTIA,
    CONSENSUS_INERTIA_FLOOR,
    SUPPORT_THRESHOLD,
    RICHARDSON_REACTION,
    LOSS_RESPONSE,
    LOSS_MEMORY,
    ALLY_COMPENSATION,
    ESCALATION_FATIGUE,
    LOYALTY_STEP,
    ALLY_SHARE,
    DIRECT_SATURATION,
    DIRECT_COMBAT_GAIN,
    RED_LINE_DETERRENCE,
    EMBARGO_EVASION,
    EMBARGO_DIRECT_REACH,
    RESCUE_TRIGGER,
    INITIAL_LOYALTY,
) = range(len(COEFFICIENTS))

#: columns of the red lines' table ``m.red_table[L, RL_REGIONS + R]`` (one row a line, in
#: the order drawn; integers stored as floats, exact): sponsor, client, credibility,
#: response, months, last step in force (inf: to the end), last step of the current
#: response, crossings so far, the event log's note code of its crossing record, then one
#: column per region (1.0 where the line runs)
(
    RL_SPONSOR,
    RL_CLIENT,
    RL_CREDIBILITY,
    RL_RESPONSE,
    RL_MONTHS,
    RL_UNTIL,
    RL_ACTING,
    RL_CROSSINGS,
    RL_NOTE,
    RL_REGIONS,
) = range(10)

#: columns of the interventions' table ``m.iv_table[n, 4]`` (rows ``< m.support_s[ST_N_IV]``
#: in use, in the order started): sponsor, client, direct support a month, last step
IV_SPONSOR, IV_CLIENT, IV_SIZE, IV_UNTIL = range(4)

#: the module's integer state ``m.support_s`` starts with this header (then come the
#: [S, F] rescues, the [S, F, S + 1] routes, the [S, F] routed edges, the [S] rescuers
#: and the [F] falling factions, :func:`_sparts`): the first month of flows seen, the
#: interventions in the table, an embargo in force, some sponsor rescues, factions lend
#: legitimacy, the stage of a month interrupted by a rescue (1: resume after the
#: entries), receive after allocating, and the event log's codes of a crossing's record
(
    ST_RIVAL_READY,
    ST_N_IV,
    ST_EMBARGO,
    ST_RESCUER,
    ST_LENDS,
    ST_STAGE,
    ST_RECEIVE,
    ST_LOG_TYPE,
    ST_LOG_CROSSED,
    ST_SPONSOR0,
    ST_REGION0,
    ST_HEAD,
) = range(12)


class RedLine:
    """A sponsor's commitment to defend ``regions`` for ``client`` (event ``red_line``):
    a view of row ``i`` of the model's red lines' table (``m.red_table``, :func:`add_red_line`)."""

    def __init__(self, m: LibyaModel, i: int) -> None:
        self.model, self.i = m, i

    def _get(self, col: int) -> float:
        return float(self.model.red_table[self.i, col])

    @property
    def sponsor(self) -> int:
        return int(self._get(RL_SPONSOR))

    @property
    def client(self) -> int:
        return int(self._get(RL_CLIENT))

    @property
    def regions(self) -> np.ndarray:
        """[R] bool: the regions the line covers."""
        return self.model.red_table[self.i, RL_REGIONS:] > 0

    @property
    def credibility(self) -> float:
        return self._get(RL_CREDIBILITY)

    @property
    def response(self) -> float:
        """Direct support per month the sponsor sends when the line is crossed."""
        return self._get(RL_RESPONSE)

    @property
    def months(self) -> int:
        """How long each response lasts."""
        return int(self._get(RL_MONTHS))

    @property
    def until(self) -> int | None:
        """Last model step in force (None: to the end)."""
        x = self._get(RL_UNTIL)
        return None if math.isinf(x) else int(x)

    @property
    def acting_until(self) -> int:
        """Last step of the current response."""
        return int(self._get(RL_ACTING))

    @property
    def crossings(self) -> int:
        return int(self._get(RL_CROSSINGS))


def add_red_line(m: LibyaModel, sponsor: int, client: int, regions: np.ndarray,
                 credibility: float, response: float, months: int,
                 until: int | None = None) -> RedLine:  # fmt: skip
    """Draw a red line (a new row of ``m.red_table``, see ``RL_*``); returns its view."""
    row = np.zeros((1, RL_REGIONS + m.R))
    row[0, RL_SPONSOR], row[0, RL_CLIENT] = sponsor, client
    row[0, RL_CREDIBILITY], row[0, RL_RESPONSE], row[0, RL_MONTHS] = credibility, response, months
    row[0, RL_UNTIL] = math.inf if until is None else until
    row[0, RL_ACTING] = -1
    note = f"{m.sponsor_ids[sponsor]} acts for {m.faction_ids[client]}"
    row[0, RL_NOTE] = m.logbook.note(note)
    row[0, RL_REGIONS:] = np.asarray(regions, dtype=bool)
    m.red_table = np.concatenate([m.red_table, row])
    line = RedLine(m, len(m.red_table) - 1)
    m.red_lines.append(line)
    return line


@dataclass
class Intervention:
    """Direct support a sponsor sends a client for a while, whatever its budget
    (event ``direct_intervention``, or a red line's response)."""

    sponsor: int
    client: int
    size: float
    until: int  # last model step


def interventions(m: LibyaModel) -> list[Intervention]:
    """The interventions started so far (the rows of ``m.iv_table`` in use, in order)."""
    rows = m.iv_table[: int(m.support_s[ST_N_IV])].tolist()
    return [Intervention(int(s), int(f), size, int(until)) for s, f, size, until in rows]


def intervene(m: LibyaModel, iv: Intervention) -> None:
    """Start an intervention (event ``direct_intervention``): a new row of ``m.iv_table``."""
    n = int(m.support_s[ST_N_IV])
    _room(m, 1)
    m.iv_table[n] = (iv.sponsor, iv.client, iv.size, iv.until)
    m.support_s[ST_N_IV] = n + 1


def _room(m: LibyaModel, extra: int) -> None:
    """Room in ``m.iv_table`` for ``extra`` more interventions."""
    n, cap = int(m.support_s[ST_N_IV]), m.iv_table.shape[0]
    if n + extra > cap:
        table = np.zeros((max(2 * cap, n + extra), 4))
        table[:n] = m.iv_table[:n]
        m.iv_table = table


@kernel
def _xparts(x: np.ndarray, S: int, F: int) -> tuple:
    """The views of the module's float state ``m.support_x``, in this order: [S]
    max_effort, rival0, escalation_drive, effort, reputation_sensitivity,
    casualty_sensitivity, consensus, concentration; [F] pop_ref, pop0, pop (held
    now), ally_gap, ally_gap_base, ally_gap_ref, direct_support, combat_mult;
    embargo [S + 1] (enforcement per sponsor, then leakage); [S, F] utility, the
    month's standard normal draws, stance; loyalty [F, S]; interests [S, K]; [S, C]
    budget0, budget; [S, F, C] edges, allocation, flows. The sponsors' arrays (created
    by the model) are moved here by :func:`init`."""
    a = 0
    max_effort = x[a : a + S]
    a += S
    rival0 = x[a : a + S]
    a += S
    drive = x[a : a + S]
    a += S
    effort = x[a : a + S]
    a += S
    reputation = x[a : a + S]
    a += S
    casualty = x[a : a + S]
    a += S
    consensus = x[a : a + S]
    a += S
    concentration = x[a : a + S]
    a += S
    pop_ref = x[a : a + F]
    a += F
    pop0 = x[a : a + F]
    a += F
    pop = x[a : a + F]
    a += F
    gap = x[a : a + F]
    a += F
    gap_base = x[a : a + F]
    a += F
    gap_ref = x[a : a + F]
    a += F
    direct = x[a : a + F]
    a += F
    mult = x[a : a + F]
    a += F
    embargo = x[a : a + (S + 1)]
    a += S + 1
    u = x[a : a + (S * F)]
    a += S * F
    z = x[a : a + (S * F)]
    a += S * F
    stance = x[a : a + (S * F)]
    a += S * F
    loyalty = x[a : a + (F * S)]
    a += F * S
    interests = x[a : a + (S * NK)]
    a += S * NK
    budget0 = x[a : a + (S * NC)]
    a += S * NC
    budget = x[a : a + (S * NC)]
    a += S * NC
    edges = x[a : a + (S * F * NC)]
    a += S * F * NC
    allocation = x[a : a + (S * F * NC)]
    a += S * F * NC
    flows = x[a : a + (S * F * NC)]
    a += S * F * NC
    return (max_effort, rival0, drive, effort, reputation, casualty, consensus, concentration,
            pop_ref, pop0, pop, gap, gap_base, gap_ref, direct, mult, embargo,
            u.reshape((S, F)), z.reshape((S, F)), stance.reshape((S, F)),
            loyalty.reshape((F, S)), interests.reshape((S, NK)), budget0.reshape((S, NC)),
            budget.reshape((S, NC)), edges.reshape((S, F, NC)), allocation.reshape((S, F, NC)),
            flows.reshape((S, F, NC)))  # fmt: skip


def _xsize(S: int, F: int) -> int:
    """The length of ``m.support_x`` (:func:`_xparts`)."""
    return 9 * S + 8 * F + 1 + 4 * S * F + S * NK + 2 * S * NC + 3 * S * F * NC


@kernel
def _sparts(st: np.ndarray, S: int, F: int) -> tuple:
    """The views of the module's integer state ``m.support_s`` after its header
    (``ST_*``): rescues [S, F] (1: s rescues f), route [S, F, S + 1] (``[s, f, v]``: v
    an intermediary of s's support to f; ``[s, f, S]``: the edge is routed), indirect
    [S, F] (routed through intermediaries all active, this month), rescuing [S] and
    falling [F] (this month)."""
    a = ST_HEAD
    rescues = st[a : a + S * F].reshape((S, F))
    a += S * F
    route = st[a : a + S * F * (S + 1)].reshape((S, F, S + 1))
    a += S * F * (S + 1)
    indirect = st[a : a + S * F].reshape((S, F))
    a += S * F
    rescuing = st[a : a + S]
    falling = st[a + S : a + S + F]
    return rescues, route, indirect, rescuing, falling


#: the sponsors' arrays the model creates and :func:`init` moves into ``m.support_x``
SPONSOR_ARRAYS = (
    "reputation_sensitivity", "casualty_sensitivity", "consensus", "concentration", "stance",
    "loyalty", "interests", "budget0", "budget", "edges", "allocation", "flows",
)  # fmt: skip


def _python(fn: Any) -> Any:
    """A kernel's Python function: numpy views made by it have the state array as their
    base (the model's set-up template keeps such views views of one buffer)."""
    return getattr(fn, "py_func", fn)


def _bind(m: LibyaModel) -> None:
    """The module's arrays, and the sponsors' (:data:`SPONSOR_ARRAYS`, their values
    kept), as views of its two state arrays (see :func:`_xparts`, :func:`_sparts`): a
    kernel takes two arrays instead of thirty."""
    x = _python(_xparts)(m.support_x, m.S, m.F)
    (m.max_effort, m.rival0, m.escalation_drive, m.effort) = x[:4]
    for name, view in zip(SPONSOR_ARRAYS[:4], x[4:8], strict=True):
        view[:] = getattr(m, name)
        setattr(m, name, view)
    (m.pop_ref, m.pop0, m.pop_now, m.ally_gap, m.ally_gap_base, m.ally_gap_ref,
     m.direct_support, m.combat_mult, m.embargo_k, m.utility, m.support_z) = x[8:19]  # fmt: skip
    for name, view in zip(SPONSOR_ARRAYS[4:], x[19:], strict=True):
        view[...] = getattr(m, name)
        setattr(m, name, view)
    views = _python(_sparts)(m.support_s, m.S, m.F)
    m.rescues, m.route, m.indirect, m.rescuing, m.falling = views


def set_routes(m: LibyaModel) -> None:
    """``m.route`` from ``m.via`` (routed edges: (s, f) → intermediaries), at set-up and
    whenever an event changes the routing."""
    m.route[:] = 0
    for (s, f), via in m.via.items():
        m.route[s, f, m.S] = 1
        for v in via:
            m.route[s, f, v] = 1


def set_embargo(m: LibyaModel, enforcement: np.ndarray | None, leakage: float = 0.0) -> None:
    """An arms embargo in force (``enforcement[S]`` per sponsor, ``leakage`` of routed
    support), or lifted (None)."""
    if enforcement is None:
        m.embargo = None
        m.support_s[ST_EMBARGO] = 0
        return
    m.embargo = (enforcement, leakage)
    m.embargo_k[: m.S] = enforcement
    m.embargo_k[m.S] = leakage
    m.support_s[ST_EMBARGO] = 1


def init(m: LibyaModel) -> None:
    """The arrays this module owns besides the sponsors' own (created in the model).

    ``direct_support[F]``: direct-channel support each faction receives this
    month, after embargoes; ``combat_mult[F]``: its multiplier on fire
    (:func:`combat_multiplier`); ``red_lines`` and ``interventions`` (tables
    ``red_table``, ``iv_table``); ``max_effort[S]`` (the ceiling of military +
    direct budget), ``rescues[S, F]``; and the references escalation compares
    against: all views of two arrays, ``support_x`` (floats) and ``support_s``
    (integers), so that the month is one kernel call with few arguments
    (:func:`_exchange`). Write into them in place (``m.ally_gap[:] = ...``).
    """
    p = m.p
    spec = m.spec.sponsors
    S, F = m.S, m.F
    m.support_k = p.array(COEFFICIENTS)
    m.support_x = np.zeros(_xsize(S, F))
    m.support_s = np.zeros(ST_HEAD + S * F * (S + 3) + S + F, dtype=np.int64)
    _bind(m)
    m.combat_mult[:] = 1.0
    lines: list[RedLine] = []
    m.red_lines = lines  # views of the rows of red_table
    m.red_table = np.zeros((0, RL_REGIONS + m.R))
    m.deterrence = np.zeros((m.F, m.R))
    m.iv_table = np.zeros((4, 4))  # the interventions (:func:`interventions`, :func:`intervene`)
    effort0 = m.budget0[:, REACT].sum(axis=1)
    m.max_effort[:] = [
        float(x.max_effort.value) if x.max_effort is not None else p.escalation_headroom * e
        for x, e in zip(spec, effort0, strict=True)
    ]
    for i, x in enumerate(spec):
        for f in x.rescues:
            m.rescues[i, m.fidx[f]] = 1
    m.rescuer = bool(m.rescues.any())  # some sponsor rescues a client (fixed by the scenario)
    m.pop0[:] = m.population_controlled()
    m.pop_ref[:] = m.pop0  # the recent past a client's losses are measured against
    set_routes(m)
    set_embargo(m, None)
    book = m.logbook
    st = m.support_s
    st[ST_RESCUER], st[ST_LENDS], st[ST_RECEIVE] = m.rescuer, m.lends, 1
    st[ST_LOG_TYPE] = book.code("Strategic developments")
    st[ST_LOG_CROSSED] = book.code("red_line_crossed")
    st[ST_SPONSOR0], st[ST_REGION0] = book.sponsor0, book.region0
    m.budget *= m.active[:, None]  # an inactive sponsor's budget is held at zero until it enters


def combat_multiplier(m: LibyaModel) -> np.ndarray:
    """[F] multiplier (≥ 1) on each faction's fire in the battles it fights this month:
    ``1 + direct_combat_gain·(1 − exp(−direct_support/direct_saturation))``, saturating
    in direct support (air strikes, drones, advisers, mercenaries). Computed once a
    month by :func:`allocate`; this returns the month's array (read, don't write)."""
    return m.combat_mult


@kernel
def _direct(k: np.ndarray, flows: np.ndarray, direct: np.ndarray, mult: np.ndarray) -> None:
    """direct[F] = Σ_s flows[s, f, DIRECT]; mult[F] = the combat multiplier (in place)."""
    S, F, _ = flows.shape
    for f in range(F):
        d = 0.0
        for s in range(S):
            d += flows[s, f, DIRECT]
        direct[f] = d
        mult[f] = (1.0 - math.exp(-d / k[DIRECT_SATURATION])) * k[DIRECT_COMBAT_GAIN] + 1.0


def deterrence_cost(m: LibyaModel, attacker: int, region: int) -> float:
    """Expected cost (≥ 0, in shares of national value, the scale of an offensive's
    gain) that sponsors' red lines add to ``attacker`` attacking ``region``: for each
    red line in force over the region whose sponsor is active and whose client
    ``attacker`` is hostile to, ``red_line_deterrence × credibility``."""
    if not m.red_lines:
        return 0.0
    cost = 0.0
    red, k = m.red_table, m.support_k
    for line in range(red.shape[0]):
        client = int(red[line, RL_CLIENT])
        if (
            red[line, RL_REGIONS + region] > 0
            and m.steps <= red[line, RL_UNTIL]
            and m.active[int(red[line, RL_SPONSOR])]
            and attacker != client
            and m.hostility[attacker, client] > 0
        ):
            cost += k[RED_LINE_DETERRENCE] * red[line, RL_CREDIBILITY]
    return float(cost)


def deterrence_matrix(m: LibyaModel, out: np.ndarray | None = None) -> np.ndarray:
    """[F, R] :func:`deterrence_cost` for every attacker and region this month (zeros
    without red lines), into ``out`` if given (else into ``m.deterrence``, the same
    array each call: read it before the next call)."""
    out = m.deterrence if out is None else out
    _deterrence(m.support_k, m.red_table, m.steps, m.active, m.hostility, out)
    return out


@kernel
def _deterrence(k: np.ndarray, red: np.ndarray, step: int, active: np.ndarray,
                hostility: np.ndarray, out: np.ndarray) -> None:  # fmt: skip
    """:func:`deterrence_matrix` into ``out[F, R]``: the lines in the order drawn, each
    adding ``red_line_deterrence × credibility`` where it applies."""
    F, R = out.shape
    out[:, :] = 0.0
    for line in range(red.shape[0]):
        if step > red[line, RL_UNTIL] or not active[int(red[line, RL_SPONSOR])]:
            continue
        client = int(red[line, RL_CLIENT])
        cost = k[RED_LINE_DETERRENCE] * red[line, RL_CREDIBILITY]
        for a in range(F):
            if a == client or not hostility[a, client] > 0:
                continue
            for r in range(R):
                if red[line, RL_REGIONS + r] > 0:
                    out[a, r] += cost


def scores(m: LibyaModel) -> np.ndarray:
    """score_k(f) in [0, 1] for each interest k and faction f: [K, F]."""
    out = np.empty((m.K, m.F))
    share = getattr(m, "power_share", None)
    _scores(m.support_k, m.strength, m.jihadist, m.hostility, m.ct_return, m.control,
            m.coast_share, m.ideology, m.un_recognised, m.legitimacy,
            m.strength if share is None else share, share is not None, out)  # fmt: skip
    return out


@kernel
def _scores(
    k: np.ndarray,
    strength: np.ndarray,
    jihadist: np.ndarray,
    hostility: np.ndarray,
    ct_return: np.ndarray,
    control: np.ndarray,
    coast_share: np.ndarray,
    ideology: np.ndarray,
    un_recognised: np.ndarray,
    legitimacy: np.ndarray,
    share: np.ndarray,
    has_share: bool,
    out: np.ndarray,
) -> None:
    """:func:`scores` into ``out[K, F]``. Counter-terrorism: fights jihadists (hostility
    to them, capped at 1) × relative strength, and results returned; migration: share
    of the coast's population held; anti-Islamist: 1 − ideology; UN: recognition and
    legitimacy; influence: relative strength and (POLITICS) power share. Jihadists 0."""
    F = strength.shape[0]
    top = 0.0
    for f in range(F):
        if not jihadist[f] and strength[f] > top:
            top = strength[f]
    w, u, ps = k[CT_RESULTS_SHARE], k[UN_RECOGNITION_SHARE], k[POWER_SHARE_WEIGHT]
    use_share = has_share and ps > 0
    top_share = -math.inf
    if use_share:
        for f in range(F):
            top_share = max(top_share, share[f])
    out[MIGRATION, :] = 0.0
    for r in range(control.shape[0]):
        if control[r] >= 0:
            out[MIGRATION, control[r]] += coast_share[r]
    for f in range(F):
        rel = min(strength[f] / top, 1.0) if top > 0 else 0.0
        fights = 0.0
        for j in range(F):
            if jihadist[j]:
                fights += hostility[f, j]
        fights = min(1.0, fights)
        out[CT, f] = (1.0 - w) * fights * rel + w * ct_return[f]
        out[ANTI_ISLAMIST, f] = 1.0 - ideology[f]
        out[UN, f] = u * un_recognised[f] + (1.0 - u) * legitimacy[f]
        if use_share:
            norm = share[f] / top_share if top_share > 0 else 0.0
            out[INFLUENCE, f] = (1.0 - ps) * rel + ps * norm
        else:
            out[INFLUENCE, f] = rel
        if jihadist[f]:
            out[:, f] = 0.0


def routed(m: LibyaModel) -> np.ndarray:
    """[S, F] True where support is routed through intermediaries that are still active."""
    out = np.zeros((m.S, m.F), dtype=np.int64)
    _route(m.route, m.active, out)
    return out > 0


@kernel
def _route(route: np.ndarray, active: np.ndarray, indirect: np.ndarray) -> bool:
    """:func:`routed` into ``indirect[S, F]`` (1 where routed) from ``route[S, F, S + 1]``;
    True if any edge is routed at all (active intermediaries or not)."""
    S, F = indirect.shape
    routes = False
    for s in range(S):
        for f in range(F):
            ok = 0
            if route[s, f, S]:
                routes = True
                ok = 1
                for v in range(S):
                    if route[s, f, v] and not active[v]:
                        ok = 0
            indirect[s, f] = ok
    return routes


def utilities(m: LibyaModel, indirect: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """U[s, f] = B·(1 − cost) for the positive part of the benefit
    B = Σ_k w_sk score_k(f) + stance + loyalty (+ policy noise, drawn here), the cost
    ∈ [0, 1] the share of the value of backing f that s loses to reputation (ICC
    warrants) and casualties, partly hidden when routed (``indirect[S, F]``)."""
    u = np.empty((m.S, m.F)) if out is None else out
    share = getattr(m, "power_share", None)
    _utilities(m.support_k, m.strength, m.jihadist, m.hostility, m.ct_return, m.control,
               m.coast_share, m.ideology, m.un_recognised, m.legitimacy,
               m.strength if share is None else share, share is not None, m.threat,
               m.interests, m.stance, m.loyalty, m.reputation_sensitivity,
               m.casualty_sensitivity, m.icc_load, m.death_share, bool(m.via), indirect,
               m.consensus, m.rng.standard_normal((m.S, m.F)), u)  # fmt: skip
    return u


@kernel
def _utilities(
    k: np.ndarray,
    strength: np.ndarray,
    jihadist: np.ndarray,
    hostility: np.ndarray,
    ct_return: np.ndarray,
    control: np.ndarray,
    coast_share: np.ndarray,
    ideology: np.ndarray,
    un_recognised: np.ndarray,
    legitimacy: np.ndarray,
    share: np.ndarray,
    has_share: bool,
    threat: float,
    interests: np.ndarray,
    stance: np.ndarray,
    loyalty: np.ndarray,
    reputation: np.ndarray,
    casualty: np.ndarray,
    icc_load: np.ndarray,
    death_share: np.ndarray,
    routes: bool,
    indirect: np.ndarray,
    consensus: np.ndarray,
    z: np.ndarray,
    u: np.ndarray,
) -> None:
    """:func:`utilities` into ``u[S, F]``; ``z[S, F]`` standard normal draws. The
    counter-terrorism weight rises with the threat; costs (:func:`costs`) take a share
    of the positive benefit; noise ∝ 1 − consensus."""
    S, K = interests.shape
    F = strength.shape[0]
    sc = work.f2(K, F)
    _scores(k, strength, jihadist, hostility, ct_return, control, coast_share, ideology,
            un_recognised, legitimacy, share, has_share, sc)  # fmt: skip
    fear = k[THREAT_TO_CT] * threat
    for s in range(S):
        noise = k[POLICY_NOISE] * (1.0 - consensus[s])
        rep = reputation[s] * k[ICC_REPUTATION_COST]
        cas = casualty[s] * k[CASUALTY_COST]
        for f in range(F):
            b = 0.0
            for q in range(K):
                w = interests[s, q]
                if q == CT:
                    w = w + fear * (1.0 - w)
                b += w * sc[q, f]
            b = b + (k[STANCE_WEIGHT] * stance[s, f] + k[LOYALTY_WEIGHT] * loyalty[f, s])
            cost = rep * icc_load[f] + cas * death_share[f]
            if routes:
                cost = cost * (1.0 - k[INDIRECT_COST_DISCOUNT] * (1.0 if indirect[s, f] else 0.0))
            cost = min(cost, 1.0)
            b = b - max(b, 0.0) * cost
            u[s, f] = b + noise * z[s, f]


def candidates(m: LibyaModel) -> np.ndarray:
    """[S, F, C] which factions a sponsor may fund on each channel: a support
    edge on that channel, or a positive stance (never a jihadist it has no edge
    to; on the military and direct channels, only a faction with fighters)."""
    out = np.empty((m.S, m.F, m.C), dtype=bool)
    _candidates(m.edges, m.stance, m.jihadist, m.budget0, m.strength, m.active, out)
    return out


@kernel
def _candidates(edges: np.ndarray, stance: np.ndarray, jihadist: np.ndarray,
                budget0: np.ndarray, strength: np.ndarray, active: np.ndarray,
                out: np.ndarray) -> None:  # fmt: skip
    S, F, C = edges.shape
    for s in range(S):
        for f in range(F):
            favoured = stance[s, f] > 0 and not jihadist[f]
            for c in range(C):
                by_stance = favoured and budget0[s, c] > 0
                if _REACT[c] > 0:
                    by_stance = by_stance and strength[f] > 0
                out[s, f, c] = active[s] and (edges[s, f, c] > 0 or by_stance)


def portfolio(y: np.ndarray, axis: int = -1) -> np.ndarray:
    """Each row of ``y`` along ``axis`` (the candidates' (U − U0)/γ, non-candidates
    very negative) projected on ``{x ≥ 0, Σ x ≤ 1}``: the maximiser of
    ``Σ x·γy − (γ/2)·Σ x²``. ``x = max(0, y − λ)`` with, the scores sorted in
    decreasing order, ``λ = max(0, max_k (Σ_{i≤k} y_(i) − 1)/k)``: λ = 0 when the
    positive scores sum to at most 1 (the rest of the budget is held back), else
    the shares sum to 1 (Euclidean projection on the simplex; Held et al. 1974;
    Condat 2016)."""
    rows = np.ascontiguousarray(np.moveaxis(np.asarray(y, dtype=float), axis, -1))
    flat = rows.reshape(-1, rows.shape[-1])
    out = np.empty_like(flat)
    buf = np.empty(flat.shape[1])
    for i in range(len(flat)):
        _project(flat[i], out[i], buf)
    return np.moveaxis(out.reshape(rows.shape), -1, axis)


@kernel
def _project(y: np.ndarray, x: np.ndarray, buf: np.ndarray) -> None:
    """One row of :func:`portfolio`: ``x = max(0, y − λ)``; ``buf`` scratch of y's length.
    Scores at or below ``_OFF`` (non-candidates) are left out of λ: they come last in
    the decreasing order and lower every partial sum, so they never set it."""
    n = 0
    for i in range(y.shape[0]):  # insertion sort, decreasing, of the candidates' scores
        v = y[i]
        if v <= _OFF:
            continue
        j = n
        while j > 0 and buf[j - 1] < v:
            buf[j] = buf[j - 1]
            j -= 1
        buf[j] = v
        n += 1
    lam = 0.0
    cs = 0.0
    for i in range(n):  # the cumulative sums of the i + 1 largest
        cs += buf[i]
        lam = max(lam, (cs - 1.0) * (1.0 / (i + 1)))
    for i in range(y.shape[0]):
        x[i] = max(y[i] - lam, 0.0)


def exchange(m: LibyaModel) -> None:
    """Steps 2 and 3: :func:`allocate`, then :func:`receive`, in one kernel call
    (:func:`_exchange`)."""
    _month(m)


def allocate(m: LibyaModel) -> None:
    """Step 2: budgets react (:func:`escalate`); target = the hedged portfolio over
    candidates (the outside option, keeping the money, has utility
    ``reservation_utility``); a ← (1−ρ)a + ρ·target, ρ = support_inertia·(floor +
    (1 − floor)·consensus); flows; red-line responses and interventions; embargo."""
    m.support_s[ST_RECEIVE] = 0
    try:
        _month(m)
    finally:
        m.support_s[ST_RECEIVE] = 1


def _month(m: LibyaModel) -> None:
    """One call of :func:`_exchange` (two when a sponsor enters to rescue a client:
    Python logs its entry, :func:`enter`, between them)."""
    m.rng.standard_normal(out=m.support_z)  # the policy noise's draws
    while True:
        book = m.logbook
        if m.red_lines:  # a crossing appends a record and an intervention
            book.reserve(len(m.red_lines))
            _room(m, len(m.red_lines))
        if not _exchange_p(table(m, _EXCHANGE), m.red_table, m.iv_table, m.steps, m.threat,
                           book.codes, book.values, book.used):  # fmt: skip
            return
        _rescue(m)


def _rescue(m: LibyaModel) -> None:
    """The sponsors that must rescue a falling client and are not active enter."""
    falling = m.falling > 0
    for s in np.flatnonzero((m.rescuing > 0) & ~m.active):
        enter(
            m,
            int(s),
            note="enters to rescue "
            + ", ".join(m.faction_ids[f] for f in np.flatnonzero((m.rescues[s] > 0) & falling)),
        )


#: :func:`_exchange`'s arrays that live as long as the model (its attributes of these
#: names), in the slots of its table (:mod:`.args`), for :func:`_exchange_p`; the red
#: lines' and interventions' tables grow, and the log's buffers: arguments of their own
_EXCHANGE = (
    "support_k", "support_s", "support_x", "active", "strength", "jihadist", "hostility",
    "ct_return", "control", "coast_share", "pop_share", "ideology", "un_recognised",
    "legitimacy", "power_share", "icc_load", "death_share", "faction_edges",
)  # fmt: skip


@kernel
def _exchange_p(t: np.ndarray, red_table: np.ndarray, iv_table: np.ndarray, step: int,
               threat: float, codes: np.ndarray, values: np.ndarray,
               used: np.ndarray) -> bool:  # fmt: skip
    """:func:`_exchange` on the arrays of the table ``t`` (:data:`_EXCHANGE`)."""
    return _exchange(f1(t, 0), i1(t, 1), f1(t, 2), red_table, iv_table, step, threat, b1(t, 3),
                     f1(t, 4), b1(t, 5), f2(t, 6), f1(t, 7), i1(t, 8), f1(t, 9), f1(t, 10),
                     f1(t, 11), f1(t, 12), f1(t, 13), f1(t, 14), f1(t, 15), f1(t, 16), f3(t, 17),
                     codes, values, used)  # fmt: skip


@kernel
def _exchange(
    k: np.ndarray,
    st: np.ndarray,
    x: np.ndarray,
    red: np.ndarray,
    iv: np.ndarray,
    step: int,
    threat: float,
    active: np.ndarray,
    strength: np.ndarray,
    jihadist: np.ndarray,
    hostility: np.ndarray,
    ct_return: np.ndarray,
    control: np.ndarray,
    coast_share: np.ndarray,
    pop_share: np.ndarray,
    ideology: np.ndarray,
    un_recognised: np.ndarray,
    legitimacy: np.ndarray,
    share: np.ndarray,
    icc_load: np.ndarray,
    death_share: np.ndarray,
    faction_edges: np.ndarray,
    codes: np.ndarray,
    values: np.ndarray,
    used: np.ndarray,
) -> bool:
    """The month of this module (:func:`exchange`, or :func:`allocate` when
    ``st[ST_RECEIVE]`` is 0), in place: :func:`escalate` (from the second month),
    :func:`utilities` (the month's standard normal draws are in ``x``, drawn by the
    caller into ``m.support_z``), the allocation and flows,
    :func:`red_lines` (a crossing's record appended to the event log's arrays ``codes``,
    ``values``, ``used``: room made beforehand), interventions, embargo, the combat
    multipliers, then :func:`receive`. Returns True, having done only the escalation,
    when a sponsor that is not active must enter to rescue a client (``rescuing``):
    Python makes it enter and calls again (``st[ST_STAGE]`` = 1 resumes)."""
    S, F = active.shape[0], strength.shape[0]
    (max_effort, rival0, drive, effort, reputation, casualty, consensus, concentration,
     pop_ref, pop0, pop, gap, gap_base, gap_ref, direct, mult, embargo, u, z, stance, loyalty,
     interests, budget0, budget, edges, allocation, flows) = _xparts(x, S, F)  # fmt: skip
    rescues, route, indirect, rescuing, falling = _sparts(st, S, F)
    stage = st[ST_STAGE]
    st[ST_STAGE] = 0
    react = step > 1  # no month of flows to react to before the second
    rescuer = st[ST_RESCUER] != 0
    if react and stage == 0:
        first = st[ST_RIVAL_READY] == 0  # the first month of flows: the observed equilibrium
        st[ST_RIVAL_READY] = 1
        if _react(k, first, rescuer, budget0, max_effort, allocation, flows, hostility, rival0,
                  control, pop_share, pop, pop_ref, pop0, gap, gap_base, gap_ref, active,
                  budget, drive, effort, rescues, rescuing, falling):  # fmt: skip
            st[ST_STAGE] = 1
            return True
    if react:
        _finish(rescuer, rescuing, budget0, max_effort, effort, active, budget)
    routes = _route(route, active, indirect)
    _utilities(k, strength, jihadist, hostility, ct_return, control, coast_share, ideology,
               un_recognised, legitimacy, share, True, threat, interests, stance, loyalty,
               reputation, casualty, icc_load, death_share, routes, indirect, consensus, z,
               u)  # fmt: skip
    _allocate(k, u, edges, stance, jihadist, budget0, strength, concentration, consensus,
              active, allocation, budget, flows)  # fmt: skip
    _cross(st, red, iv, step, control, hostility, active, codes, values, used)
    _intervene(st, iv, step, flows)
    if st[ST_EMBARGO]:
        _embargo(k, embargo, indirect, flows)
    _direct(k, flows, direct, mult)
    if st[ST_RECEIVE]:
        _receive(k, flows, loyalty, st[ST_LENDS] != 0, faction_edges, legitimacy)
    return False


@kernel
def _intervene(st: np.ndarray, iv: np.ndarray, step: int, flows: np.ndarray) -> None:
    """Interventions in force add their direct support to the flows (in the order started)."""
    for i in range(st[ST_N_IV]):
        if step <= iv[i, IV_UNTIL]:
            flows[int(iv[i, IV_SPONSOR]), int(iv[i, IV_CLIENT]), DIRECT] += iv[i, IV_SIZE]


@kernel
def _embargo(k: np.ndarray, embargo: np.ndarray, indirect: np.ndarray, flows: np.ndarray) -> None:
    """An arms embargo in force: military support passes at ``1 − enforcement_s·(1 −
    evasion)``, routed at ``1 − (1 − leakage)·(1 − evasion)``; the direct channel at
    ``1 − embargo_direct_reach·enforcement_s·(1 − evasion)`` (``embargo[S + 1]``:
    enforcement per sponsor, then leakage)."""
    S, F = indirect.shape
    evade = 1.0 - k[EMBARGO_EVASION]
    via = 1.0 - (1.0 - embargo[S]) * evade
    for s in range(S):
        direct = 1.0 - embargo[s] * evade
        cut = 1.0 - k[EMBARGO_DIRECT_REACH] * embargo[s] * evade
        for f in range(F):
            flows[s, f, MIL] *= via if indirect[s, f] else direct
            flows[s, f, DIRECT] *= cut


@kernel
def _allocate(
    k: np.ndarray,
    u: np.ndarray,
    edges: np.ndarray,
    stance: np.ndarray,
    jihadist: np.ndarray,
    budget0: np.ndarray,
    strength: np.ndarray,
    concentration: np.ndarray,
    consensus: np.ndarray,
    active: np.ndarray,
    allocation: np.ndarray,
    budget: np.ndarray,
    flows: np.ndarray,
) -> None:
    """Targets (:func:`portfolio` of ``(U − U0)/γ`` over each channel's candidates),
    allocation moved toward them with inertia (in place), flows above the support
    threshold (in place). A sponsor's scores are sorted once for all its channels (each
    channel's candidates, in that order, are its sorted scores: :func:`_project`'s λ)."""
    S, F, C = allocation.shape
    cand = work.b3(S, F, C)
    _candidates(edges, stance, jihadist, budget0, strength, active, cand)
    y = work.f1(F)
    order = work.i1(F)
    floor = k[CONSENSUS_INERTIA_FLOOR]
    for s in range(S):
        rho = k[SUPPORT_INERTIA] * (floor + (1.0 - floor) * consensus[s])
        act = 1.0 if active[s] else 0.0
        for f in range(F):  # insertion sort of the scores, decreasing
            v = (u[s, f] - k[RESERVATION_UTILITY]) / concentration[s]
            y[f] = v
            j = f
            while j > 0 and y[order[j - 1]] < v:
                order[j] = order[j - 1]
                j -= 1
            order[j] = f
        for c in range(C):
            lam = 0.0
            cs = 0.0
            n = 0
            for q in range(F):  # λ from the cumulative sums of the n + 1 largest candidates
                f = order[q]
                if cand[s, f, c] and y[f] > _OFF:
                    cs += y[f]
                    lam = max(lam, (cs - 1.0) * (1.0 / (n + 1)))
                    n += 1
            for f in range(F):
                x = max((y[f] if cand[s, f, c] else _OFF) - lam, 0.0)
                a = ((1.0 - rho) * allocation[s, f, c] + rho * x) * act
                allocation[s, f, c] = a
                flows[s, f, c] = (a if a >= k[SUPPORT_THRESHOLD] else 0.0) * budget[s, c]


def red_lines(m: LibyaModel) -> None:
    """A red line is crossed when a faction hostile to its client controls a region
    it covers: its sponsor (if active) sends ``response`` direct support for ``months``."""
    book = m.logbook
    book.reserve(len(m.red_lines))
    _room(m, len(m.red_lines))
    _cross(m.support_s, m.red_table, m.iv_table, m.steps, m.control, m.hostility, m.active,
           book.codes, book.values, book.used)  # fmt: skip


@kernel
def _cross(st: np.ndarray, red: np.ndarray, iv: np.ndarray, step: int, control: np.ndarray,
           hostility: np.ndarray, active: np.ndarray, codes: np.ndarray, values: np.ndarray,
           used: np.ndarray) -> None:  # fmt: skip
    """:func:`red_lines` on the tables: a crossed line starts an intervention (a row of
    ``iv``, room made beforehand) and appends its record to the event log's arrays."""
    R = control.shape[0]
    for i in range(red.shape[0]):
        if step > red[i, RL_UNTIL]:
            continue
        sponsor, client = int(red[i, RL_SPONSOR]), int(red[i, RL_CLIENT])
        if step <= red[i, RL_ACTING] or not active[sponsor]:
            continue
        crossed = False
        first = -1
        for r in range(R):
            if red[i, RL_REGIONS + r] > 0:
                if first < 0:
                    first = r
                h = control[r]
                if h >= 0 and hostility[h, client] > 0:
                    crossed = True
        if not crossed:
            continue
        red[i, RL_ACTING] = step + red[i, RL_MONTHS] - 1
        red[i, RL_CROSSINGS] += 1
        n = st[ST_N_IV]
        iv[n, IV_SPONSOR], iv[n, IV_CLIENT] = sponsor, client
        iv[n, IV_SIZE], iv[n, IV_UNTIL] = red[i, RL_RESPONSE], red[i, RL_ACTING]
        st[ST_N_IV] = n + 1
        append(codes, values, used, step, st[ST_LOG_TYPE], st[ST_LOG_CROSSED],
               st[ST_REGION0] + first, st[ST_SPONSOR0] + sponsor, client, 0.0,
               int(red[i, RL_NOTE]), 0.0, 0.0, 0.0, 0.0)  # fmt: skip


@kernel
def _base(budget0: np.ndarray, max_effort: np.ndarray, e0: np.ndarray, inv: np.ndarray,
          emax: np.ndarray) -> None:  # fmt: skip
    """From the reference budgets, per sponsor: ``e0`` the base military + direct
    budget, ``inv`` = 1/e0 (0 where e0 = 0), ``emax`` the ceiling (≥ e0)."""
    for s in range(budget0.shape[0]):
        t = 0.0
        for c in range(budget0.shape[1]):
            t += budget0[s, c] * _REACT[c]
        e0[s] = t
        inv[s] = 1.0 / t if t > 0 else 0.0
        emax[s] = max(max_effort[s], t)


@kernel
def _weights_into(allocation: np.ndarray, budget0: np.ndarray, inv: np.ndarray,
                  w: np.ndarray) -> None:  # fmt: skip
    """w[S, F]: the share of each sponsor's base military + direct budget it
    currently directs to each faction."""
    S, F, C = allocation.shape
    for s in range(S):
        for f in range(F):
            t = 0.0
            for c in range(C):
                t += allocation[s, f, c] * (budget0[s, c] * _REACT[c])
            w[s, f] = t * inv[s]


@kernel
def _committed_into(budget: np.ndarray, active: np.ndarray, w: np.ndarray,
                    out: np.ndarray) -> None:  # fmt: skip
    """out[F]: military + direct budget that active sponsors commit to each faction."""
    S, F = w.shape
    out[:] = 0.0
    for s in range(S):
        if not active[s]:
            continue
        effort = 0.0
        for c in range(budget.shape[1]):
            effort += budget[s, c] * _REACT[c]
        for f in range(F):
            out[f] += effort * w[s, f]


def _weights(m: LibyaModel) -> np.ndarray:
    e0, inv, emax = np.empty(m.S), np.empty(m.S), np.empty(m.S)
    _base(m.budget0, m.max_effort, e0, inv, emax)
    w = np.empty((m.S, m.F))
    _weights_into(m.allocation, m.budget0, inv, w)
    return w


def _committed(m: LibyaModel, w: np.ndarray) -> np.ndarray:
    out = np.empty(m.F)
    _committed_into(m.budget, m.active, w, out)
    return out


def escalate(m: LibyaModel) -> None:
    """Bounded escalation of the military and direct budgets (political and financial
    budgets never react): ``E ← E + (1 − exp(−drive))·(E_max − E) − fatigue·(E − E0)``,
    with ``drive = richardson_reaction·max(0, rival − rival in the first month)
    + loss_response·Σ_f w_f·lost_f + ally_compensation·Σ_f w_f·shortfall_f``
    (``rival``: military + direct support other sponsors send to the enemies of s's
    clients, enemies s does not itself back, weighted by s's allocation; ``lost_f``:
    the share of the population f held in the recent past, a memory of weight
    ``loss_memory``, that it no longer holds);
    a sponsor whose rescued faction is falling goes to its maximum (or enters).
    The new effort is split over the two channels in the proportions of the base."""
    if m.steps <= 1:  # no month of flows to react to yet
        return
    st = m.support_s
    first = st[ST_RIVAL_READY] == 0  # the first month of flows: the observed equilibrium
    st[ST_RIVAL_READY] = 1
    rescuer = st[ST_RESCUER] != 0
    if _react(m.support_k, first, rescuer, m.budget0, m.max_effort, m.allocation, m.flows,
              m.hostility, m.rival0, m.control, m.pop_share, m.pop_now, m.pop_ref, m.pop0,
              m.ally_gap, m.ally_gap_base, m.ally_gap_ref, m.active, m.budget,
              m.escalation_drive, m.effort, m.rescues, m.rescuing, m.falling):  # fmt: skip
        _rescue(m)
    _finish(rescuer, m.rescuing, m.budget0, m.max_effort, m.effort, m.active, m.budget)


@kernel
def _react(
    k: np.ndarray,
    first: bool,
    rescuer: bool,
    budget0: np.ndarray,
    max_effort: np.ndarray,
    allocation: np.ndarray,
    flows: np.ndarray,
    hostility: np.ndarray,
    rival0: np.ndarray,
    control: np.ndarray,
    pop_share: np.ndarray,
    pop: np.ndarray,
    pop_ref: np.ndarray,
    pop0: np.ndarray,
    gap: np.ndarray,
    gap_base: np.ndarray,
    gap_ref: np.ndarray,
    active: np.ndarray,
    budget: np.ndarray,
    drive: np.ndarray,
    effort: np.ndarray,
    rescues: np.ndarray,
    rescuing: np.ndarray,
    falling: np.ndarray,
) -> bool:
    """:func:`escalate` up to the rescues: :func:`_escalate`, then (``rescuer``) the
    factions falling (``lost ≥ rescue_trigger``) and the sponsors rescuing them; True if
    one of those is not active (it must enter before :func:`_finish`)."""
    any_gap = False
    for f in range(gap.shape[0]):
        any_gap = any_gap or gap[f] != 0.0
    _escalate(k, first, budget0, max_effort, allocation, flows, hostility, rival0, control,
              pop_share, pop, pop_ref, any_gap, gap, gap_base, gap_ref, active, budget, drive,
              effort)  # fmt: skip
    need = False
    if rescuer:
        for f in range(pop.shape[0]):
            lost = 1.0 - (pop[f] / pop0[f] if pop0[f] > 0 else 1.0)
            falling[f] = 1 if lost >= k[RESCUE_TRIGGER] else 0
        for s in range(rescues.shape[0]):
            r = 0
            for f in range(pop.shape[0]):
                if rescues[s, f] and falling[f]:
                    r = 1
            rescuing[s] = r
            if r and not active[s]:
                need = True
    return need


@kernel
def _finish(rescuer: bool, rescuing: np.ndarray, budget0: np.ndarray, max_effort: np.ndarray,
            effort: np.ndarray, active: np.ndarray, budget: np.ndarray) -> None:  # fmt: skip
    """:func:`escalate` after the rescuers entered: a rescuing sponsor goes all in (its
    ceiling), then the budgets follow the effort (:func:`_rescale`)."""
    if rescuer:
        S = budget0.shape[0]
        e0, inv, emax = work.f1(S), work.f1(S), work.f1(S)
        _base(budget0, max_effort, e0, inv, emax)
        for s in range(S):
            if rescuing[s]:
                effort[s] = emax[s]
    _rescale(budget0, max_effort, effort, active, budget)


@kernel
def _escalate(
    k: np.ndarray,
    first: bool,
    budget0: np.ndarray,
    max_effort: np.ndarray,
    allocation: np.ndarray,
    flows: np.ndarray,
    hostility: np.ndarray,
    rival0: np.ndarray,
    control: np.ndarray,
    pop_share: np.ndarray,
    pop: np.ndarray,
    pop_ref: np.ndarray,
    any_gap: bool,
    ally_gap: np.ndarray,
    ally_gap_base: np.ndarray,
    ally_gap_ref: np.ndarray,
    active: np.ndarray,
    budget: np.ndarray,
    drive: np.ndarray,
    new: np.ndarray,
) -> None:
    """:func:`escalate`'s arithmetic: ``drive[S]`` and the new effort ``new[S]`` (in
    place), ``pop[F]`` (population held now), ``pop_ref`` and (first month) ``rival0``
    updated in place."""
    S, F, C = allocation.shape
    e0, inv, emax = work.f1(S), work.f1(S), work.f1(S)
    _base(budget0, max_effort, e0, inv, emax)
    w = work.f2(S, F)
    _weights_into(allocation, budget0, inv, w)
    # rival support: what other sponsors send to the enemies of s's clients
    inflow = work.f2(S, F)
    for s in range(S):
        for f in range(F):
            t = 0.0
            for c in range(C):
                t += flows[s, f, c] * _REACT[c]
            inflow[s, f] = t
    total = work.f1(F)
    total[:] = 0.0
    for s in range(S):
        for f in range(F):
            total[f] += inflow[s, f]
    others = work.f1(F)
    for s in range(S):
        for f in range(F):  # support to a faction s itself backs is no rival's
            others[f] = total[f] - inflow[s, f] if w[s, f] <= 0 else 0.0
        rival = 0.0
        for f in range(F):
            enemy = 0.0
            for j in range(F):
                enemy += others[j] * hostility[f, j]
            rival += enemy * w[s, f]
        if first:
            rival0[s] = rival
        drive[s] = max(rival - rival0[s], 0.0) * k[RICHARDSON_REACTION]
    # losses: the share of the recently held population lost
    pop[:] = 0.0
    for r in range(control.shape[0]):
        if control[r] >= 0:
            pop[control[r]] += pop_share[r]
    recent = work.f1(F)
    for f in range(F):
        ref = pop_ref[f]
        recent[f] = max((ref - pop[f]) / ref, 0.0) if ref > 0 else 0.0
        pop_ref[f] = ref + k[LOSS_MEMORY] * (pop[f] - ref)
    for s in range(S):
        t = 0.0
        for f in range(F):
            t += w[s, f] * recent[f]
        drive[s] += t * k[LOSS_RESPONSE]
    # allies' exits: the commitment they left behind, not yet filled
    if any_gap:
        committed = work.f1(F)
        _committed_into(budget, active, w, committed)
        short = work.f1(F)
        for f in range(F):
            short[f] = max(ally_gap[f] - (committed[f] - ally_gap_base[f]), 0.0)
            if ally_gap_ref[f] > 0:
                short[f] = short[f] / ally_gap_ref[f]
        for s in range(S):
            t = 0.0
            for f in range(F):
                t += w[s, f] * short[f]
            drive[s] += k[ALLY_COMPENSATION] * t
    # E + (1 − exp(−drive))·(Emax − E) − fatigue·(E − E0): never below 0 (E, E0 ≤ Emax),
    # but fatigue from below E0 could overshoot Emax, hence the clip
    for s in range(S):
        e = 0.0
        for c in range(C):
            e += budget[s, c] * _REACT[c]
        x = math.exp(-drive[s]) * (e - emax[s]) + emax[s] - k[ESCALATION_FATIGUE] * (e - e0[s])
        new[s] = min(x, emax[s])


@kernel
def _rescale(budget0: np.ndarray, max_effort: np.ndarray, new: np.ndarray, active: np.ndarray,
             budget: np.ndarray) -> None:  # fmt: skip
    """Military and direct budgets scale with the effort (× E/E0); financial and
    political ones never react; inactive sponsors hold nothing (in place)."""
    S, C = budget0.shape
    e0, inv, emax = work.f1(S), work.f1(S), work.f1(S)
    _base(budget0, max_effort, e0, inv, emax)
    for s in range(S):
        act = 1.0 if active[s] else 0.0
        x = new[s] * inv[s] - 1.0
        for c in range(C):
            budget[s, c] = budget0[s, c] * ((x * _REACT[c] + act) * act)


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
    _drop(m.support_s, m.iv_table, s)
    gap = effort * w[s]
    if gap.any():
        if not m.ally_gap.any():
            m.ally_gap_ref[:] = before
        m.ally_gap += gap
        m.ally_gap_base[:] = _committed(m, w)
    m.log("Strategic developments", "sponsor_exit", None, m.sponsor_ids[s], None, 0.0, note)


@kernel
def _drop(st: np.ndarray, iv: np.ndarray, s: int) -> None:
    """Sponsor ``s``'s interventions leave the table (the others keep their order)."""
    n = 0
    for i in range(st[ST_N_IV]):
        if int(iv[i, IV_SPONSOR]) != s:
            iv[n, :] = iv[i, :]
            n += 1
    st[ST_N_IV] = n


def receive(m: LibyaModel) -> None:
    """Step 3: loyalty (``± loyalty_step`` a month, as a sponsor's support flows or not,
    in [0, 1]); legitimacy lent by allies (``ally_share`` × political support edge ×
    the gap to a more legitimate ally); money and fighters: :func:`.forces.economy`."""
    _receive(m.support_k, m.flows, m.loyalty, m.lends, m.faction_edges, m.legitimacy)


@kernel
def _receive(k: np.ndarray, flows: np.ndarray, loyalty: np.ndarray, lends: bool,
             faction_edges: np.ndarray, legitimacy: np.ndarray) -> None:  # fmt: skip
    S, F, C = flows.shape
    for f in range(F):
        for s in range(S):
            supported = False
            for c in range(C):
                if flows[s, f, c] > 0:
                    supported = True
            x = loyalty[f, s] + (k[LOYALTY_STEP] if supported else -k[LOYALTY_STEP])
            loyalty[f, s] = min(max(x, 0.0), 1.0)
    if lends:  # political support from sponsors acts in politics.step
        pull = work.f1(F)
        pull[:] = 0.0
        for i in range(F):
            for j in range(F):
                lend = k[ALLY_SHARE] * faction_edges[i, j, POL]
                pull[j] += lend * max(legitimacy[i] - legitimacy[j], 0.0)
        for j in range(F):
            legitimacy[j] = min(max(legitimacy[j] + pull[j], 0.0), 1.0)
