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
from typing import TYPE_CHECKING

import numpy as np

from .jit import kernel

_sum, _max = np.add.reduce, np.maximum.reduce  # the ufunc reductions, without the method wrappers

if TYPE_CHECKING:
    from .model import LibyaModel

MIL, FIN, POL, DIRECT = 0, 1, 2, 3
REACT = [MIL, DIRECT]  # the channels whose budgets escalate
_REACT = (1.0, 0.0, 0.0, 1.0)  # the same, as a weight per channel (MIL, FIN, POL, DIRECT)
CT, MIGRATION, ANTI_ISLAMIST, UN, INFLUENCE = range(5)
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
    m.support_k = p.array(COEFFICIENTS)
    m.utility = np.zeros((m.S, m.F))
    m.indirect = m.no_route
    m.direct_support = np.zeros(m.F)
    m.combat_mult = np.ones(m.F)
    lines: list[RedLine] = []
    m.red_lines = lines  # views of the rows of red_table
    m.red_table = np.zeros((0, RL_REGIONS + m.R))
    m.deterrence = np.zeros((m.F, m.R))
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
    m.rescuer = bool(m.rescues.any())  # some sponsor rescues a client (fixed by the scenario)
    m.pop0 = m.population_controlled().copy()
    m.pop_ref = m.pop0.copy()  # the recent past a client's losses are measured against
    m.rival0 = np.zeros(m.S)  # rival support in the first month of flows (set by escalate)
    m.rival_ready = False
    m.ally_gap = np.zeros(m.F)  # mil + direct commitment lost to exits [F]
    m.ally_gap_base = np.zeros(m.F)  # allies' commitment right after the exits
    m.ally_gap_ref = np.zeros(m.F)  # the commitment before the first exit
    m.escalation_drive = np.zeros(m.S)
    m.effort = np.zeros(m.S)  # this month's military + direct effort (escalate's scratch)
    m.embargo = None  # (enforcement[S], leakage) while an arms embargo is in force
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
    r = np.zeros((m.S, m.F), dtype=bool)
    active = m.active.tolist()
    for (s, f), via in m.via.items():
        r[s, f] = all([active[v] for v in via])
    return r


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
    sc = np.empty((K, F))
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
    """Steps 2 and 3: :func:`allocate`, then :func:`receive` (in the common month, one
    kernel for both)."""
    if not _common_month(m, True):
        allocate(m)
        receive(m)


def _common_month(m: LibyaModel, then_receive: bool) -> bool:
    """:func:`allocate` (and, if ``then_receive``, :func:`receive`) in one kernel, in a
    month with no red line, intervention, embargo or rescuer; False (nothing done) in
    any other month."""
    if m.red_lines or m.interventions or m.embargo is not None or m.rescuer:
        return False
    indirect = routed(m) if m.via else m.no_route
    z = m.rng.standard_normal((m.S, m.F))
    react = m.steps > 1  # no month of flows to react to before the second
    first = react and not m.rival_ready
    m.rival_ready = m.rival_ready or react
    _month(m.support_k, react, first, m.budget0, m.max_effort, m.allocation, m.flows,
           m.hostility, m.rival0, m.control, m.pop_share, m.pop_ref, m.ally_gap,
           m.ally_gap_base, m.ally_gap_ref, m.active, m.budget, m.escalation_drive,
           m.effort, m.strength, m.jihadist, m.ct_return, m.coast_share, m.ideology,
           m.un_recognised, m.legitimacy, m.power_share, m.threat, m.interests, m.stance,
           m.loyalty, m.reputation_sensitivity, m.casualty_sensitivity, m.icc_load,
           m.death_share, bool(m.via), indirect, m.consensus, z, m.utility, m.edges,
           m.concentration, m.direct_support, m.combat_mult, then_receive, m.lends,
           m.faction_edges)  # fmt: skip
    m.indirect = indirect
    return True


def allocate(m: LibyaModel) -> None:
    """Step 2: budgets react (:func:`escalate`); target = the hedged portfolio over
    candidates (the outside option, keeping the money, has utility
    ``reservation_utility``); a ← (1−ρ)a + ρ·target, ρ = support_inertia·(floor +
    (1 − floor)·consensus); flows; red-line responses and interventions; embargo."""
    p = m.p
    if _common_month(m, False):
        return
    escalate(m)  # this month's budgets, from last month's flows and losses
    indirect = routed(m) if m.via else m.no_route
    utilities(m, indirect, m.utility)
    m.indirect = indirect
    flows = m.flows
    _allocate(m.support_k, m.utility, m.edges, m.stance, m.jihadist, m.budget0, m.strength,
              m.concentration, m.consensus, m.active, m.allocation, m.budget, flows)  # fmt: skip
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
    _direct(m.support_k, flows, m.direct_support, m.combat_mult)


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
    threshold (in place)."""
    S, F, C = allocation.shape
    cand = np.empty((S, F, C), dtype=np.bool_)
    _candidates(edges, stance, jihadist, budget0, strength, active, cand)
    y, x, buf = np.empty(F), np.empty(F), np.empty(F)
    floor = k[CONSENSUS_INERTIA_FLOOR]
    for s in range(S):
        rho = k[SUPPORT_INERTIA] * (floor + (1.0 - floor) * consensus[s])
        act = 1.0 if active[s] else 0.0
        for c in range(C):
            for f in range(F):
                y[f] = (
                    (u[s, f] - k[RESERVATION_UTILITY]) / concentration[s] if cand[s, f, c] else _OFF
                )
            _project(y, x, buf)
            for f in range(F):
                a = ((1.0 - rho) * allocation[s, f, c] + rho * x[f]) * act
                allocation[s, f, c] = a
                flows[s, f, c] = (a if a >= k[SUPPORT_THRESHOLD] else 0.0) * budget[s, c]


@kernel
def _month(
    k: np.ndarray,
    react: bool,
    first: bool,
    budget0: np.ndarray,
    max_effort: np.ndarray,
    allocation: np.ndarray,
    flows: np.ndarray,
    hostility: np.ndarray,
    rival0: np.ndarray,
    control: np.ndarray,
    pop_share: np.ndarray,
    pop_ref: np.ndarray,
    ally_gap: np.ndarray,
    ally_gap_base: np.ndarray,
    ally_gap_ref: np.ndarray,
    active: np.ndarray,
    budget: np.ndarray,
    drive: np.ndarray,
    effort: np.ndarray,
    strength: np.ndarray,
    jihadist: np.ndarray,
    ct_return: np.ndarray,
    coast_share: np.ndarray,
    ideology: np.ndarray,
    un_recognised: np.ndarray,
    legitimacy: np.ndarray,
    share: np.ndarray,
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
    edges: np.ndarray,
    concentration: np.ndarray,
    direct: np.ndarray,
    mult: np.ndarray,
    then_receive: bool,
    lends: bool,
    faction_edges: np.ndarray,
) -> None:
    """:func:`allocate` in a month with no red line, intervention, embargo or
    rescuer: :func:`escalate` (from the second month), :func:`utilities`, the
    allocation and flows, the combat multipliers (then, if ``then_receive``,
    :func:`receive`): the same kernels in the same order as the general path."""
    if react:
        pop = np.empty(strength.shape[0])
        any_gap = False
        for f in range(ally_gap.shape[0]):
            any_gap = any_gap or ally_gap[f] != 0.0
        _escalate(k, first, budget0, max_effort, allocation, flows, hostility, rival0, control,
                  pop_share, pop, pop_ref, any_gap, ally_gap, ally_gap_base, ally_gap_ref,
                  active, budget, drive, effort)  # fmt: skip
        _rescale(budget0, max_effort, effort, active, budget)
    _utilities(k, strength, jihadist, hostility, ct_return, control, coast_share, ideology,
               un_recognised, legitimacy, share, True, threat, interests, stance, loyalty,
               reputation, casualty, icc_load, death_share, routes, indirect, consensus, z,
               u)  # fmt: skip
    _allocate(k, u, edges, stance, jihadist, budget0, strength, concentration, consensus,
              active, allocation, budget, flows)  # fmt: skip
    _direct(k, flows, direct, mult)
    if then_receive:
        _receive(k, flows, loyalty, lends, faction_edges, legitimacy)


def red_lines(m: LibyaModel) -> None:
    """A red line is crossed when a faction hostile to its client controls a region
    it covers: its sponsor (if active) sends ``response`` direct support for ``months``."""
    now = m.steps
    red = m.red_table
    for i in range(red.shape[0]):
        if now > red[i, RL_UNTIL]:
            continue
        sponsor, client = int(red[i, RL_SPONSOR]), int(red[i, RL_CLIENT])
        if now <= red[i, RL_ACTING] or not m.active[sponsor]:
            continue
        regions = red[i, RL_REGIONS:] > 0
        holders = m.control[regions]
        holders = holders[holders >= 0]
        if not (m.hostility[holders, client] > 0).any():
            continue
        red[i, RL_ACTING] = now + red[i, RL_MONTHS] - 1
        red[i, RL_CROSSINGS] += 1
        m.interventions.append(
            Intervention(sponsor, client, float(red[i, RL_RESPONSE]), int(red[i, RL_ACTING]))
        )
        m.log(
            "Strategic developments",
            "red_line_crossed",
            int(np.flatnonzero(regions)[0]),
            m.sponsor_ids[sponsor],
            m.faction_ids[client],
            0.0,
            f"{m.sponsor_ids[sponsor]} acts for {m.faction_ids[client]}",
        )


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
    pop = np.empty(m.F)
    first = not m.rival_ready  # the first month of flows: the observed equilibrium
    m.rival_ready = True
    new = m.effort
    _escalate(m.support_k, first, m.budget0, m.max_effort, m.allocation, m.flows, m.hostility,
              m.rival0, m.control, m.pop_share, pop, m.pop_ref, bool(m.ally_gap.any()),
              m.ally_gap, m.ally_gap_base, m.ally_gap_ref, m.active, m.budget,
              m.escalation_drive, new)  # fmt: skip
    if m.rescuer:
        lost = 1.0 - np.divide(pop, m.pop0, out=np.ones(m.F), where=m.pop0 > 0)
        falling = lost >= m.p.rescue_trigger
        rescuing = (m.rescues & falling[None, :]).any(axis=1)
        for s in np.flatnonzero(rescuing & ~m.active):
            enter(
                m,
                int(s),
                note="enters to rescue "
                + ", ".join(m.faction_ids[f] for f in np.flatnonzero(m.rescues[s] & falling)),
            )
        e0, inv, emax = np.empty(m.S), np.empty(m.S), np.empty(m.S)
        _base(m.budget0, m.max_effort, e0, inv, emax)
        new[rescuing] = emax[rescuing]  # all in
    _rescale(m.budget0, m.max_effort, new, m.active, m.budget)


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
    e0, inv, emax = np.empty(S), np.empty(S), np.empty(S)
    _base(budget0, max_effort, e0, inv, emax)
    w = np.empty((S, F))
    _weights_into(allocation, budget0, inv, w)
    # rival support: what other sponsors send to the enemies of s's clients
    inflow = np.empty((S, F))
    for s in range(S):
        for f in range(F):
            t = 0.0
            for c in range(C):
                t += flows[s, f, c] * _REACT[c]
            inflow[s, f] = t
    total = np.zeros(F)
    for s in range(S):
        for f in range(F):
            total[f] += inflow[s, f]
    others = np.empty(F)
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
    recent = np.empty(F)
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
        committed = np.empty(F)
        _committed_into(budget, active, w, committed)
        short = np.empty(F)
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
    e0, inv, emax = np.empty(S), np.empty(S), np.empty(S)
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
    m.interventions = [iv for iv in m.interventions if iv.sponsor != s]
    gap = effort * w[s]
    if gap.any():
        if not m.ally_gap.any():
            m.ally_gap_ref = before
        m.ally_gap += gap
        m.ally_gap_base = _committed(m, w)
    m.log("Strategic developments", "sponsor_exit", None, m.sponsor_ids[s], None, 0.0, note)


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
        pull = np.zeros(F)
        for i in range(F):
            for j in range(F):
                lend = k[ALLY_SHARE] * faction_edges[i, j, POL]
                pull[j] += lend * max(legitimacy[i] - legitimacy[j], 0.0)
        for j in range(F):
            legitimacy[j] = min(max(legitimacy[j] + pull[j], 0.0), 1.0)
