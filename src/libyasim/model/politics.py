"""Politics (DESIGN.md §3 step 5): spatial bargaining, popularity, legitimacy.

Bargaining follows the Senturk-Mesquita-Probabilistic family of models in
KTAB (Wise, Abdollahian et al., the KAPSARC Toolkit for Behavioral Analysis),
itself descending from Bueno de Mesquita's expected-utility model:

- utility of outcome x to actor k: ``u = (1 − d)(1 + R·d)``, with the
  salience-weighted distance ``d² = Σ_d (s_kd·Δ_d)² / Σ_d s_kd²`` (Δ on 0-1);
- coalition strength for i over j: ``C_ij = Σ_k c_k·s_k·max(0, u_k(x_i) − u_k(x_j))``;
- victory probability ``P_ij = C_ijⁿ / (C_ijⁿ + C_jiⁿ)``;
- a probabilistic Condorcet outcome: the stationary distribution of a Markov
  chain over the actors' positions in which the outcome moves from i to j with
  probability ``P_ji / (N − 1)``; the settlement forecast is its expectation;
- in the model, utilities are measured from each actor's *ideal* point (its
  starting position) while it *advocates* a position that it shifts only when
  the shift raises its expected utility ``Σ_i p_i·u_k(x_i)`` (Bueno de
  Mesquita 2002); capability is coercive power plus sponsor backing;
- the settlement feeds back through ``power_share[F]`` (each faction's share
  of power under the forecast settlement), read by elections, dialogues,
  ceasefires and sponsors; a unity government (:func:`form_unity`) and split
  institutions (:func:`split_institutions`) are formed here for the events.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike

from . import work
from .args import b1, b2, f1, f2, f3, i1, table
from .jit import kernel
from .support import POL

if TYPE_CHECKING:
    from .model import LibyaModel


TIE = 1e-9  #: coalition strengths below TIE × the largest are treated as zero

#: the scenario coefficients (``m.p``) the kernels read, in the order of the array
#: ``m.politics_k``; each upper-case name below is the index of one
COEFFICIENTS = (
    "bargaining_exponent",
    "position_step",
    "move_threshold",
    "review_shift",
    "sponsor_capability_weight",
    "backing_weight",
    "violence_scale",
    "security_weight",
    "oil_weight",
    "violence_weight",
    "popularity_swing",
    "popularity_relaxation",
    "un_recognition_share",
    "political_to_legitimacy",
    "recognition_weight",
    "legitimacy_relaxation",
)
(
    BARGAINING_EXPONENT,
    POSITION_STEP,
    MOVE_THRESHOLD,
    REVIEW_SHIFT,
    SPONSOR_CAPABILITY_WEIGHT,
    BACKING_WEIGHT,
    VIOLENCE_SCALE,
    SECURITY_WEIGHT,
    OIL_WEIGHT,
    VIOLENCE_WEIGHT,
    POPULARITY_SWING,
    POPULARITY_RELAXATION,
    UN_RECOGNITION_SHARE,
    POLITICAL_TO_LEGITIMACY,
    RECOGNITION_WEIGHT,
    LEGITIMACY_RELAXATION,
) = range(len(COEFFICIENTS))


def utility_distance(x: np.ndarray, y: np.ndarray, s: np.ndarray) -> float:
    """KTAB's salience-weighted distance d (positions and Δ on a 0-1 scale)."""
    s = np.asarray(s, dtype=float)
    den = float((s**2).sum())
    if den == 0:
        return 0.0
    return float(np.sqrt(((s * (np.asarray(y) - np.asarray(x))) ** 2).sum() / den))


@overload
def utility(d: float, risk: float) -> float: ...
@overload
def utility(d: np.ndarray, risk: np.ndarray | float) -> np.ndarray: ...
@overload
def utility(d: np.ndarray | float, risk: np.ndarray) -> np.ndarray: ...
def utility(d: np.ndarray | float, risk: np.ndarray | float) -> np.ndarray | float:
    """``u = (1 − d)(1 + R·d)``: R = 0 risk-neutral, +1 risk-averse, −1 risk-seeking."""
    return (1.0 - d) * (1.0 + risk * d)


def utilities(pos: np.ndarray, sal: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """U[k, i] = u_k(x_i) for every actor k and candidate position x_i (vectorised)."""
    den = (sal**2).sum(axis=1)  # [k]
    w = np.divide(sal**2, den[:, None], out=np.zeros_like(sal), where=den[:, None] > 0)
    return _utilities(pos, w, risk)


def _utilities(pos: np.ndarray, w: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """:func:`utilities` with the normalised squared saliences ``w = s²/Σs²`` given."""
    if pos.shape[1] == 1:  # one issue: the weighted sum has a single term, d² = Δ²·w
        x = pos[:, 0]
        d = x[None, :] - x[:, None]  # [k, i]
        d *= d
        d *= w
        np.sqrt(d, out=d)
    else:
        diff = pos[None, :, :] - pos[:, None, :]  # [k, i, d]
        diff *= diff
        d = np.sqrt(np.matmul(diff, w[:, :, None])[:, :, 0])
    return utility(d, risk[:, None])


def victory(u: np.ndarray, cap: np.ndarray, sal: np.ndarray, n: float) -> np.ndarray:
    """P[i, j]: probability that the coalition for x_i beats the one for x_j."""
    gain = u[:, :, None] - u[:, None, :]  # [k, i, j]
    np.maximum(gain, 0.0, out=gain)
    k = len(u)
    c = ((cap * sal) @ gain.reshape(k, -1)).reshape(k, k)  # Σ_k c_k·s_k·max(0, u_k(x_i) − u_k(x_j))
    # coalitions that differ only by rounding (actors whose positions have converged)
    # are ties: without this, P_ij would jump between 0 and 1 on noise of order 1e-16
    np.putmask(c, c <= TIE * np.maximum.reduce(c, axis=None), 0.0)
    cn = c**n
    tot = cn + cn.T
    return np.divide(cn, tot, out=np.full((k, k), 0.5), where=tot > 0)


def condorcet(pij: np.ndarray) -> np.ndarray:
    """Stationary distribution of the Markov chain i → j with probability P_ji/(N−1).

    Solves ``πT = π`` with ``Σπ = 1`` (one balance equation, which the others
    imply, replaced by the normalisation; LU with partial pivoting); least squares
    (minimum norm) if that system is singular.
    """
    out = np.empty(len(pij))
    _condorcet(np.ascontiguousarray(pij, dtype=float), out)
    return out


@kernel
def _condorcet(pij: np.ndarray, out: np.ndarray) -> None:
    """:func:`condorcet` of ``pij[N, N]`` into ``out[N]``."""
    n = pij.shape[0]
    _condorcet_in(pij, out, work.f2(n, n), work.f1(n))


@kernel
def _condorcet_in(pij: np.ndarray, out: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """:func:`_condorcet` with its work space given (``a[N, N]``, ``b[N]``: overwritten)."""
    n = pij.shape[0]
    if n == 1:
        out[0] = 1.0
        return
    # a = Tᵀ − I with T_ij = P_ji/(N − 1): a_ij = P_ij/(N − 1) off the diagonal, the
    # diagonal −Σ_i a_ij; its last row replaced by the normalisation Σπ = 1
    _generator(pij, a)
    if not _stationary(a, b, out):  # singular: several closed classes; the minimum-norm answer
        ls = np.empty((n + 1, n))
        _generator(pij, ls)
        ls[n, :] = 1.0
        rhs = np.zeros(n + 1)
        rhs[n] = 1.0
        b[:] = np.linalg.lstsq(ls, rhs, rcond=_RCOND * (n + 1))[0]
        _normalised(b, out)


@kernel
def _stationary(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> bool:
    """The stationary distribution into ``out`` from the generator ``a`` (rows
    0..N−1 of :func:`_generator`; overwritten, as is ``b[N]``): its last row replaced
    by the normalisation Σπ = 1 and solved (:func:`_solve`); False, and ``out``
    untouched, if that system is singular."""
    n = a.shape[0]
    a[n - 1, :] = 1.0
    b[:] = 0.0
    b[n - 1] = 1.0
    if not _solve(a, b):
        return False
    _normalised(b, out)
    return True


@kernel
def _normalised(b: np.ndarray, out: np.ndarray) -> None:
    """``out``: ``b`` with its negative entries set to 0, divided by its sum."""
    n = b.shape[0]
    tot = 0.0
    for i in range(n):
        out[i] = max(b[i], 0.0)
        tot += out[i]
    for i in range(n):
        out[i] = out[i] / tot


_RCOND = float(np.finfo(np.float64).eps)


@kernel
def _generator(pij: np.ndarray, out: np.ndarray) -> None:
    """Rows 0..N−1 of ``out``: ``Tᵀ − I`` with ``T_ij = P_ji/(N − 1)`` (``a_ij =
    P_ij/(N − 1)`` off the diagonal, the diagonal minus its column's sum)."""
    n = pij.shape[0]
    for i in range(n):
        for j in range(n):
            out[i, j] = pij[i, j] / (n - 1) if i != j else 0.0
    for j in range(n):
        t = 0.0
        for i in range(n):
            t += out[i, j]
        out[j, j] = -t


@kernel
def _solve(a: np.ndarray, b: np.ndarray) -> bool:
    """Solve ``a x = b`` in place (``b`` becomes x; ``a`` is overwritten) by LU with
    partial pivoting; False (and nothing solved) on an exactly zero pivot."""
    n = a.shape[0]
    for k in range(n):
        p = k
        big = abs(a[k, k])
        for i in range(k + 1, n):
            if abs(a[i, k]) > big:
                p, big = i, abs(a[i, k])
        if big == 0.0:
            return False
        if p != k:
            for j in range(n):
                a[k, j], a[p, j] = a[p, j], a[k, j]
            b[k], b[p] = b[p], b[k]
        inv = 1.0 / a[k, k]
        for i in range(k + 1, n):
            f = a[i, k] * inv
            if f != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= f * a[k, j]
                b[i] -= f * b[k]
    for i in range(n - 1, -1, -1):
        t = b[i]
        for j in range(i + 1, n):
            t -= a[i, j] * b[j]
        b[i] = t / a[i, i]
    return True


def init(m: LibyaModel) -> None:
    """Actors (factions then sponsors), ideal points, saliences, risk attitudes;
    the unity-government state; the first forecast (before any move)."""
    actors = list(m.spec.factions) + list(m.spec.sponsors)
    m.actor_ids = [a.id for a in actors]
    m.actor_index = {a: i for i, a in enumerate(m.actor_ids)}
    d = max(m.I, 1)
    # one buffer holds the state the month's kernel reads and writes (:func:`month`);
    # the model's arrays below are views of it
    m.politics_state = np.zeros(_layout(m.F, m.S, m.R, d, m.I)[-1])
    m.politics_state[_D] = d
    m.politics_state[_I] = m.I
    (m.positions, m.ideal, m.salience, m.risk, positioned, m.review, m.capability, m.prevail,
     m.settlement, m._faction_w, m.power_share, m.pop_drivers,
     m.recognition0) = _views(m)  # fmt: skip
    m.positions[:] = 0.5
    m.risk[:] = [float(a.risk_attitude.value) for a in actors]
    if m.I:  # an actor's position on an issue (else 0.5) and its salience (else 0)
        default = float(m.p.default_salience)
        pos, sal = [], []
        for a in actors:
            own, weight = a.positions, a.salience
            for issue in m.issue_ids:
                q = own.get(issue)
                if q is None:
                    pos.append(0.5)
                    sal.append(0.0)
                else:
                    pos.append(float(q.value))
                    w = weight.get(issue)
                    sal.append(default if w is None else float(w.value))
        m.positions[:, : m.I] = np.array(pos).reshape(len(actors), m.I)
        m.salience[:, : m.I] = np.array(sal).reshape(len(actors), m.I)
    m.ideal[:] = m.positions  # what each actor wants; ``positions`` is what it advocates
    sal = m.salience[: m.F, : m.I]
    den = (sal**2).sum(axis=1)
    np.divide(sal**2, den[:, None], out=m._faction_w, where=den[:, None] > 0)
    m.has_position = m.salience > 0
    # jihadist groups reject the state and are party to no settlement: not at the table
    at_table = np.concatenate((m.nonjihadist, np.ones(m.S, dtype=bool)))
    m.positioned = m.has_position.any(axis=1) & at_table
    positioned[:] = m.positioned
    m.settlement[:] = 0.5
    m.position_moves = 0
    m.politics_k = m.p.array(COEFFICIENTS)
    # the review rule's state (bargain), ``m.review``: [someone moved at the last review,
    # shares recorded, then the capability shares at the last review]
    m.unity = np.zeros(m.F, dtype=bool)
    m.unity_formed = None
    m.institutions_split = None
    m.armed_loser_ids = []
    if m.I:
        bargain(m, move=False)
    else:
        power_shares(m)


_D, _I, _BASELINE = 0, 1, 2  #: the state's head: issue columns, issues, recognition recorded
_HEAD = 3


@kernel
def _layout(F: int, S: int, R: int, d: int, ni: int) -> tuple[int, ...]:
    """Offsets in the politics state (``m.politics_state``) of the parts :func:`_parts`
    returns, then its length."""
    n = F + S
    o1 = _HEAD + n * d  # positions
    o2 = o1 + n * d  # ideal
    o3 = o2 + n * d  # salience
    o4 = o3 + n  # risk
    o5 = o4 + n  # positioned
    o6 = o5 + 2 + n  # review
    o7 = o6 + n  # capability
    o8 = o7 + n  # prevail
    o9 = o8 + d  # settlement
    o10 = o9 + F * ni  # the factions' weights
    o11 = o10 + F  # power_share
    o12 = o11 + F * R  # popularity's drivers
    return (_HEAD, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, o12, o12 + F)


@kernel
def _parts(state: np.ndarray, F: int, S: int, R: int) -> tuple:  # type: ignore[type-arg]
    """Views of the politics state: positions [A, D], ideal [A, D], salience [A, D], risk
    [A], positioned [A] (1.0 at the table), review [2 + A], capability [A], prevail [A],
    settlement [D], the factions' weights s²/Σs² [F, I], power_share [F], popularity's
    drivers [F, R], the first month's recognition [F] (A = F + S actors, D = max(I, 1))."""
    n, d, ni = F + S, int(state[_D]), int(state[_I])
    o = _layout(F, S, R, d, ni)
    return (
        state[o[0] : o[1]].reshape((n, d)),
        state[o[1] : o[2]].reshape((n, d)),
        state[o[2] : o[3]].reshape((n, d)),
        state[o[3] : o[4]],
        state[o[4] : o[5]],
        state[o[5] : o[6]],
        state[o[6] : o[7]],
        state[o[7] : o[8]],
        state[o[8] : o[9]],
        state[o[9] : o[10]].reshape((F, ni)),
        state[o[10] : o[11]],
        state[o[11] : o[12]].reshape((F, R)),
        state[o[12] : o[13]],
    )


def _views(m: LibyaModel) -> tuple:  # type: ignore[type-arg]
    """:func:`_parts` of ``m.politics_state`` as numpy views (a kernel's would not
    record the buffer as their base)."""
    parts = getattr(_parts, "py_func", _parts)  # the Python function (jit disabled: itself)
    return parts(m.politics_state, m.F, m.S, m.R)  # type: ignore[no-any-return]


def _positioned(m: LibyaModel) -> np.ndarray:
    """The politics state's part ``positioned`` (:func:`_parts`' fifth) as a view."""
    o = _layout(m.F, m.S, m.R, max(m.I, 1), m.I)
    return m.politics_state[o[4] : o[5]]


def capabilities(m: LibyaModel) -> np.ndarray:
    """Bargaining capability of every actor [factions, then sponsors].

    Factions: coercive power plus sponsor backing,
    ``c_f = C_f / Σ_g s_g + backing_weight·B_f / Σ_g B_g``, with ``C_f`` the
    coalition strength (own fighters plus allies' weighted by alliance level)
    and ``B_f`` the support the faction receives this month. Sponsors:
    ``sponsor_capability_weight`` × their share of all support given. Before
    the first month (no flows yet) the support is what the initial allocations
    would deliver (allocation × budget), so the forecast does not jump at month 1.
    """
    out = np.empty(m.F + m.S)
    _capabilities(m.politics_k, m.steps == 0, m.flows, m.allocation, m.budget, m.strength,
                  m.alliance, m.jihadist, m.active, out)  # fmt: skip
    return out


@kernel
def _capabilities(k: np.ndarray, first: bool, flows: np.ndarray, allocation: np.ndarray,
                  budget: np.ndarray, strength: np.ndarray, alliance: np.ndarray,
                  jihadist: np.ndarray, active: np.ndarray, out: np.ndarray) -> None:  # fmt: skip
    S, F, C = flows.shape
    given = work.f2(S, F)  # [S, F] support given this month (all channels)
    given[:, :] = 0.0
    planned = first
    if planned:  # before the first month: what the initial allocations would deliver
        for s in range(S):
            for f in range(F):
                for c in range(C):
                    if flows[s, f, c] != 0:
                        planned = False
    for s in range(S):
        if not active[s]:
            continue
        for f in range(F):
            t = 0.0
            for c in range(C):
                t += allocation[s, f, c] * budget[s, c] if planned else flows[s, f, c]
            given[s, f] = t
    tot = 0.0
    for f in range(F):
        tot += strength[f]
    gt = 0.0
    for s in range(S):
        t = 0.0
        for f in range(F):
            t += given[s, f]
        out[F + s] = t
        gt += t
    for s in range(S):
        out[F + s] = out[F + s] * (k[SPONSOR_CAPABILITY_WEIGHT] / gt) if gt > 0 else 0.0
    for f in range(F):
        if tot <= 0:
            out[f] = 0.0
            continue
        coalition = 0.0
        for g in range(F):
            if not jihadist[g]:
                coalition += alliance[f, g] * strength[g]
        coalition = (coalition + strength[f]) / tot
        if gt > 0:
            backing = 0.0
            for s in range(S):
                backing += given[s, f]
            coalition += (k[BACKING_WEIGHT] / gt) * backing
        out[f] = coalition


def _static(m: LibyaModel, idx: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per live-actor set: mean salience, weights s²/Σs², risk, has-position mask, ideals."""
    sal = m.salience[idx]
    den = (sal**2).sum(axis=1)
    w = np.divide(sal**2, den[:, None], out=np.zeros_like(sal), where=den[:, None] > 0)
    return sal.mean(axis=1), w, m.risk[idx], m.has_position[idx], m.ideal[idx]


def ideal_utilities(
    ideal: np.ndarray, pos: np.ndarray, w: np.ndarray, risk: np.ndarray
) -> np.ndarray:
    """U[k, i] = u_k(x_i): actor k's utility of candidate position x_i, measured
    from k's ideal point (its starting position), ``w`` = s²/Σs²."""
    out = np.empty((len(ideal), len(pos)))
    _ideal_utilities(ideal, pos, w, risk, out)
    return out


@kernel
def _ideal_utilities(ideal: np.ndarray, pos: np.ndarray, w: np.ndarray, risk: np.ndarray,
                     out: np.ndarray) -> None:  # fmt: skip
    n, d = ideal.shape
    for k in range(n):
        for i in range(pos.shape[0]):
            if d == 1:  # one issue: d = |x_i − ideal_k|·√w_k
                x = abs(pos[i, 0] - ideal[k, 0]) * math.sqrt(w[k, 0])
            else:
                t = 0.0
                for j in range(d):
                    e = pos[i, j] - ideal[k, j]
                    t += e * e * w[k, j]
                x = math.sqrt(t)
            out[k, i] = (1.0 - x) * (1.0 + risk[k] * x)


def _coalitions(u: np.ndarray, wc: np.ndarray) -> np.ndarray:
    """C[i, j] = Σ_k wc_k·max(0, u_k(x_i) − u_k(x_j)) (wc = capability × mean salience)."""
    out = np.empty((u.shape[1], u.shape[1]))
    _coalitions_into(u, wc, out)
    return out


@kernel
def _coalitions_into(u: np.ndarray, wc: np.ndarray, out: np.ndarray) -> None:
    n, m = u.shape
    out[:, :] = 0.0
    for i in range(m):
        row = out[i]
        for k in range(n):  # each C_ij summed over k in order; the j loop vectorises
            uki = u[k, i]
            w = wc[k]
            uk = u[k]
            for j in range(m):
                row[j] += w * max(uki - uk[j], 0.0)


def _victory_of(c: np.ndarray, n: float) -> np.ndarray:
    """P from coalition strengths C ([N, N], overwritten), ties below TIE × the
    largest set to zero (as in :func:`victory`)."""
    _victory_into(c, n)
    return c


@kernel
def _largest(c: np.ndarray) -> float:
    """The largest entry of the square matrix ``c``."""
    m = c.shape[0]
    top = -math.inf
    for i in range(m):
        for j in range(m):
            top = max(top, c[i, j])
    return top


@kernel
def _pair_shares(c: np.ndarray) -> None:
    """c_ij, c_ji -> their shares of c_ij + c_ji, in place (0.5 each where both are 0)."""
    m = c.shape[0]
    for i in range(m):
        for j in range(i, m):
            a, b = c[i, j], c[j, i]
            tot = a + b
            c[i, j] = a / tot if tot > 0 else 0.5
            c[j, i] = b / tot if tot > 0 else 0.5


@kernel
def _victory_into(c: np.ndarray, n: float) -> None:
    """P_ij = C_ijⁿ/(C_ijⁿ + C_jiⁿ) in place of C (0.5 where both are 0), after setting
    to 0 every C below TIE × the largest (coalitions that differ by rounding are ties)."""
    _victory_rep(c, n, np.arange(c.shape[0]))


@kernel
def _same_positions(pos: np.ndarray, rep: np.ndarray) -> None:
    """``rep[i]``: the first actor whose position is ``pos[i]`` exactly. Actors at one
    position have the same utilities, so the same rows and columns of C and of Cⁿ: a
    power is computed once per pair of positions and copied to the other pairs (the
    same numbers, bit for bit)."""
    n, d = pos.shape
    for i in range(n):
        rep[i] = i
        for h in range(i):
            if rep[h] == h:
                same = True
                for j in range(d):
                    if pos[h, j] != pos[i, j]:
                        same = False
                if same:
                    rep[i] = h
                    break


@kernel
def _victory_rep(c: np.ndarray, n: float, rep: np.ndarray) -> None:
    """:func:`_victory_into` with ``rep`` from :func:`_same_positions`."""
    m = c.shape[0]
    top = _largest(c)
    zero = 0.0**n
    for i in range(m):
        ri = rep[i]
        for j in range(m):
            x = c[i, j]
            rj = rep[j]
            if x <= TIE * top:
                c[i, j] = zero
            elif ri != i or rj != j:  # done earlier in this row or an earlier one
                c[i, j] = c[ri, rj]
            else:
                c[i, j] = x**n
    _pair_shares(c)


@kernel
def _victory_pow(c: np.ndarray, cpow: np.ndarray, n: float, fresh: np.ndarray,
                 rep: np.ndarray, out: np.ndarray) -> None:  # fmt: skip
    """:func:`_victory_into` of ``c`` into ``out``, with ``cpow`` = Cⁿ known for every
    entry whose row and column are not ``fresh`` (read, not recomputed: the same
    numbers, bit for bit); fresh entries' powers are computed (once per pair of
    positions, ``rep`` from :func:`_same_positions`) and stored in ``cpow``."""
    m = c.shape[0]
    top = _largest(c)
    zero = 0.0**n
    for i in range(m):
        ri = rep[i]
        for j in range(m):
            x = c[i, j]
            if fresh[i] or fresh[j]:
                rj = rep[j]
                cpow[i, j] = cpow[ri, rj] if ri != i or rj != j else x**n
            out[i, j] = zero if x <= TIE * top else cpow[i, j]
    _pair_shares(out)


@kernel
def _victory_trial(c: np.ndarray, cpow: np.ndarray, k: int, row: np.ndarray, col: np.ndarray,
                   top: float, n: float, rep: np.ndarray, out: np.ndarray) -> None:  # fmt: skip
    """:func:`_victory_into` into ``out`` of the matrix C' that is ``c`` with row ``k``
    replaced by ``row``, column ``k`` by ``col`` and C'_kk = 0 (``top``: its largest
    entry); the unchanged entries' powers are read from ``cpow`` = Cⁿ, not
    recomputed, and the new ones computed once per position (``rep`` from
    :func:`_same_positions` before k moved): the same numbers, bit for bit."""
    m = c.shape[0]
    zero = 0.0**n
    tie = TIE * top
    for i in range(m):
        if i == k:
            for j in range(m):
                x = row[j] if j != k else 0.0
                rj = rep[j]
                if x <= tie:
                    out[i, j] = zero
                elif rj != j and rj != k:  # C'_kj = C'_k,rep(j), done earlier in the row
                    out[i, j] = out[i, rj]
                else:
                    out[i, j] = x**n
            continue
        x = col[i]
        ri = rep[i]
        for j in range(m):
            if j == k:
                if x <= tie:
                    out[i, j] = zero
                elif ri != i and ri != k:  # C'_ik = C'_rep(i),k, done in an earlier row
                    out[i, j] = out[ri, j]
                else:
                    out[i, j] = x**n
            else:
                out[i, j] = zero if c[i, j] <= tie else cpow[i, j]
    _pair_shares(out)


@kernel
def _base_generator(c: np.ndarray, cpow: np.ndarray, tie: float, n: float,
                    out: np.ndarray) -> None:  # fmt: skip
    """:func:`_generator`'s entries off the diagonal (0 on it) of the victory matrix of
    ``c`` (``cpow`` = Cⁿ) with the tie threshold ``tie``: what a trial's generator
    has outside its actor's row and column when its threshold ties the same entries
    there (:func:`_trial_generator`)."""
    m = c.shape[0]
    zero = 0.0**n
    for i in range(m):
        for j in range(m):
            out[i, j] = zero if c[i, j] <= tie else cpow[i, j]
    _pair_shares(out)
    _generator(out, out)  # (in place: each entry read before it is written)
    for i in range(m):
        out[i, i] = 0.0


@kernel
def _trial_powers(x: np.ndarray, k: int, tie: float, n: float, rep: np.ndarray,
                  out: np.ndarray) -> None:  # fmt: skip
    """A trial's row or column k of C' to the power n, into ``out``, as
    :func:`_victory_trial` computes it (``x``: its entries, C'_kk = 0; 0ⁿ at or
    below ``tie``; an actor at the position of an earlier one, ``rep`` from
    :func:`_same_positions`, takes that one's power)."""
    zero = 0.0**n
    for j in range(x.shape[0]):
        v = x[j] if j != k else 0.0
        rj = rep[j]
        if v <= tie:
            out[j] = zero
        elif rj != j and rj != k:
            out[j] = out[rj]
        else:
            out[j] = v**n


@kernel
def _trial_generator(base: np.ndarray, k: int, row: np.ndarray, col: np.ndarray, tie: float,
                     n: float, rep: np.ndarray, out: np.ndarray) -> None:  # fmt: skip
    """Into ``out``: ``_generator(P')`` for the victory matrix P' of :func:`_victory_trial`
    (C with row ``k`` replaced by ``row``, column ``k`` by ``col``, tie threshold
    ``tie``), given ``base`` from :func:`_base_generator` with a threshold that ties
    the same entries outside row and column k. Outside them P' and so the generator
    are ``base``'s (the same operations on the same numbers); row and column k are
    computed as :func:`_victory_trial` and :func:`_pair_shares` compute them, and the
    diagonal as :func:`_generator` sums it: the same numbers, bit for bit, with
    2(N−1) divisions where the whole matrix takes N² + N(N+1)/2."""
    m = base.shape[0]
    pr = work.f1(m)  # P'_kj before the pair shares: C'_kjⁿ
    pc = work.f1(m)  # P'_ik before the pair shares: C'_ikⁿ
    _trial_powers(row, k, tie, n, rep, pr)
    _trial_powers(col, k, tie, n, rep, pc)
    out[:, :] = base
    for j in range(m):
        if j == k:
            out[k, k] = 0.0
            continue
        a, b = pr[j], pc[j]  # the pair (k, j): C'_kjⁿ and C'_jkⁿ
        tot = a + b
        out[k, j] = (a / tot if tot > 0 else 0.5) / (m - 1)
        out[j, k] = (b / tot if tot > 0 else 0.5) / (m - 1)
    d = work.f1(m)
    d[:] = 0.0
    for i in range(m):  # each column summed over i in order; the j loop vectorises
        for j in range(m):
            d[j] += out[i, j]
    for j in range(m):
        out[j, j] = -d[j]


@kernel
def _outside(c: np.ndarray, k: int, tie: float) -> tuple[float, float, float]:
    """Of the entries of ``c`` outside row and column ``k``: the largest (the
    diagonal's included), and, off the diagonal, the largest of those tied at the
    threshold ``tie`` (≤ tie; −inf if none) and the least of the others (+inf if
    none). A threshold t ties the same entries there as ``tie`` iff below ≤ t < above."""
    n = c.shape[0]
    rest = -math.inf
    below = -math.inf
    above = math.inf
    for i in range(n):
        if i != k:
            for j in range(n):
                if j != k:
                    x = c[i, j]
                    rest = max(rest, x)
                    if i != j:
                        if x <= tie:
                            below = max(below, x)
                        else:
                            above = min(above, x)
    return rest, below, above


@kernel
def _trial_prevail(c: np.ndarray, cpow: np.ndarray, base: np.ndarray, below: float, above: float,
                   k: int, row: np.ndarray, col: np.ndarray, top: float, n: float,
                   rep: np.ndarray, out: np.ndarray, cb: np.ndarray, wa: np.ndarray,
                   wb: np.ndarray) -> None:  # fmt: skip
    """The Condorcet distribution of a trial (:func:`_victory_trial`'s matrix, then
    :func:`_condorcet_in`) into ``out``: from ``base`` (:func:`_base_generator`) when
    the trial's tie threshold ties the same entries outside row and column k as
    base's (``below``, ``above`` from :func:`_outside`) and the system is regular;
    otherwise the whole matrix is built. The same numbers either way, bit for bit
    (``cb``, ``wa``, ``wb``: work space)."""
    tie = TIE * top
    if below <= tie < above:
        _trial_generator(base, k, row, col, tie, n, rep, wa)
        if _stationary(wa, wb, out):
            return
    _victory_trial(c, cpow, k, row, col, top, n, rep, cb)
    _condorcet_in(cb, out, wa, wb)


def _moves(
    m: LibyaModel, u: np.ndarray, wc: np.ndarray, c: np.ndarray, prob: np.ndarray, st: tuple
) -> np.ndarray | None:
    """Positions after one round of expected-utility-improving moves, or None if nobody
    moves (:func:`_moves_into`; counts the movers in ``m.position_moves``)."""
    _, w, risk, has, ideal = st
    new = m.positions[m._live].copy()
    p = m.p
    cpow, same = np.empty_like(c), np.empty(len(c), dtype=np.int64)
    _same_positions(new, same)
    _victory_pow(c, cpow, p.bargaining_exponent, np.ones(len(c), dtype=bool), same,
                 np.empty_like(c))  # fmt: skip
    movers = _moves_into(u, wc, c, cpow, same, prob, w, risk, has, ideal,
                         p.position_step, p.bargaining_exponent, p.move_threshold,
                         new)  # fmt: skip
    if movers == 0:
        return None
    m.position_moves += movers
    return new


@kernel
def _moves_into(u: np.ndarray, wc: np.ndarray, c: np.ndarray, cpow: np.ndarray,
                rep: np.ndarray, prob: np.ndarray, w: np.ndarray, risk: np.ndarray, has: np.ndarray,
                ideal: np.ndarray, step: float, exponent: float, threshold: float,
                pos: np.ndarray) -> int:  # fmt: skip
    """One round of expected-utility-improving moves on the advocated positions ``pos``
    (in place); returns the number of actors that moved (``cpow`` = Cⁿ, ``rep``: from
    :func:`_same_positions`).

    Each actor k tries moving its advocated position by ``±position_step`` on
    each issue it cares about; for each trial the victory matrix and the
    Condorcet distribution p' are recomputed with k's new position (only row
    and column k of C change) and k's expected utility ``EU_k = Σ_i p'_i·u_k(x_i)``
    (utilities from its ideal) compared with the present one. k takes the best
    trial if it gains more than ``move_threshold`` (Bueno de Mesquita 2002:
    actors shift positions only when that improves their expected utility).
    """
    n, d = pos.shape
    now = work.f1(n)  # EU_k now
    for k in range(n):
        t = 0.0
        for i in range(n):
            t += u[k, i] * prob[i]
        now[k] = t
    trial = work.f1(d)
    v = work.f1(n)  # every actor's utility of the trial position
    row = work.f1(n)  # C'[k, i]
    col = work.f1(n)  # C'[i, k]
    cb = work.f2(n, n)
    pb = work.f1(n)
    wa = work.f2(n, n)  # the Condorcet solver's work space
    wb = work.f1(n)
    best_pos = work.f2(n, d)
    moved = work.b1(n)
    moved[:] = False
    # the generator outside a trial's row and column, under the round's tie threshold
    # (a trial whose threshold ties other entries there builds its own)
    base = work.f2(n, n)
    tie0 = TIE * _largest(c)
    _base_generator(c, cpow, tie0, exponent, base)
    for k in range(n):
        best = -math.inf
        rest, below, above = _outside(c, k, tie0)
        for j in range(d):
            if not has[k, j]:
                continue
            for sign in (1.0, -1.0):
                trial[:] = pos[k]
                trial[j] = min(max(trial[j] + sign * step, 0.0), 1.0)
                for r in range(n):
                    t = 0.0
                    for q in range(d):
                        e = trial[q] - ideal[r, q]
                        t += e * e * w[r, q]
                    x = math.sqrt(t)
                    v[r] = (1.0 - x) * (1.0 + risk[r] * x)
                # C'[k, i] = Σ_r wc_r·max(0, v_r − u_ri); C'[i, k] = Σ_r wc_r·max(0, u_ri − v_r)
                row[:] = 0.0
                col[:] = 0.0
                for r in range(n):  # each summed over r in order; the i loop vectorises
                    vr = v[r]
                    wr = wc[r]
                    ur = u[r]
                    for i in range(n):
                        row[i] += wr * max(vr - ur[i], 0.0)
                        col[i] += wr * max(ur[i] - vr, 0.0)
                top = max(rest, 0.0)  # C'_kk = 0
                for i in range(n):
                    if i != k:
                        top = max(top, row[i])
                        top = max(top, col[i])
                _trial_prevail(c, cpow, base, below, above, k, row, col, top, exponent, rep,
                               pb, cb, wa, wb)  # fmt: skip
                gain = 0.0  # EU_k(trial) − EU_k(now), k's own position replaced by the trial
                for i in range(n):
                    gain += pb[i] * (v[k] if i == k else u[k, i])
                gain -= now[k]
                if gain > best:
                    best = gain
                    best_pos[k] = trial
        if best > threshold:
            moved[k] = True
    count = 0
    for k in range(n):
        if moved[k]:
            pos[k] = best_pos[k]
            count += 1
    return count


def bargain(m: LibyaModel, move: bool = True) -> None:
    """One bargaining round (:func:`_bargain`): expected-utility moves, forecast,
    prevail, power shares."""
    moves = _bargain(m.politics_k, move, m.steps == 0, m.flows, m.allocation, m.budget,
                     m.strength, m.alliance, m.jihadist, m.active, _positioned(m), m.salience,
                     m.risk, m.ideal, m.positions, m.review, m.capability, m.prevail,
                     m.settlement)  # fmt: skip
    m.position_moves += moves
    _power_shares(m.F, m.I, m.capability, m.settlement, m.ideal, m._faction_w, m.risk,
                  m.jihadist, m.power_share)  # fmt: skip


@kernel
def _bargain(k: np.ndarray, move: bool, first: bool, flows: np.ndarray, allocation: np.ndarray,
             budget: np.ndarray, strength: np.ndarray, alliance: np.ndarray,
             jihadist: np.ndarray, active: np.ndarray, positioned: np.ndarray,
             salience: np.ndarray, risk: np.ndarray, ideal: np.ndarray, positions: np.ndarray,
             review: np.ndarray, cap: np.ndarray, prevail: np.ndarray,
             settlement: np.ndarray) -> int:  # fmt: skip
    """:func:`capabilities` into ``cap``; among the live actors (capability > 0, a
    position, not jihadist): utilities from ideal points, coalitions, victory
    probabilities, the Condorcet distribution (``prevail``); if ``move`` and actors
    review their positions — in the first month, after a month in which someone
    moved, or when the capability shares have shifted by more than ``review_shift``
    (L1) since the last review (state in ``review``) — one round of moves (``positions`` in place,
    then the forecast again); the settlement (issues nobody positioned on keep their
    last value). Returns the number of actors that moved."""
    _capabilities(k, first, flows, allocation, budget, strength, alliance, jihadist, active, cap)
    na = cap.shape[0]
    prevail[:] = 0.0
    n = 0
    for a in range(na):
        if cap[a] > 0 and positioned[a]:
            n += 1
    if n < 2:
        return 0
    idx = work.i1(n)
    n = 0
    for a in range(na):
        if cap[a] > 0 and positioned[a]:
            idx[n] = a
            n += 1
    d = positions.shape[1]
    w = work.f2(n, d)  # s²/Σs²
    w[:, :] = 0.0
    wc = work.f1(n)  # capability × mean salience
    has = work.b2(n, d)
    rk = work.f1(n)
    ide = work.f2(n, d)
    pos = work.f2(n, d)
    for i in range(n):
        a = idx[i]
        den = 0.0
        mean = 0.0
        for j in range(d):
            den += salience[a, j] ** 2
            mean += salience[a, j]
        for j in range(d):
            if den > 0:
                w[i, j] = salience[a, j] ** 2 / den
            has[i, j] = salience[a, j] > 0
            ide[i, j] = ideal[a, j]
            pos[i, j] = positions[a, j]
        wc[i] = cap[a] * (mean / d)
        rk[i] = risk[a]
    exponent = k[BARGAINING_EXPONENT]
    u = work.f2(n, n)
    c = work.f2(n, n)
    pij = work.f2(n, n)
    prob = work.f1(n)
    _ideal_utilities(ide, pos, w, rk, u)
    _coalitions_into(u, wc, c)
    rep = work.i1(n)  # actors at one position share their powers of C
    _same_positions(pos, rep)
    review_now = False
    if move:
        tot = 0.0
        for a in range(na):
            tot += cap[a]
        shift = 0.0
        for a in range(na):
            share = cap[a] / tot if tot > 0 else cap[a]
            shift += abs(share - review[2 + a])
        review_now = review[0] > 0 or review[1] == 0 or shift > k[REVIEW_SHIFT]
        if review_now:
            review[1] = 1.0
            for a in range(na):
                review[2 + a] = cap[a] / tot if tot > 0 else cap[a]
    moved = 0
    if review_now:  # every Cⁿ is needed by the trials
        cpow = work.f2(n, n)
        fresh = work.b1(n)
        fresh[:] = True
        _victory_pow(c, cpow, exponent, fresh, rep, pij)
        _condorcet(pij, prob)
        old = work.f2(n, d)
        old[:, :] = pos
        moved = _moves_into(u, wc, c, cpow, rep, prob, w, rk, has, ide, k[POSITION_STEP], exponent,
                            k[MOVE_THRESHOLD], pos)  # fmt: skip
        review[0] = 1.0 if moved > 0 else 0.0
        if moved > 0:
            for i in range(n):
                positions[idx[i]] = pos[i]
                fresh[i] = False
                for j in range(d):
                    if pos[i, j] != old[i, j]:
                        fresh[i] = True
            _ideal_utilities(ide, pos, w, rk, u)
            _coalitions_into(u, wc, c)
            _same_positions(pos, rep)
            _victory_pow(c, cpow, exponent, fresh, rep, pij)  # unmoved pairs' C is unchanged
            _condorcet(pij, prob)
    else:
        pij[:, :] = c
        _victory_rep(pij, exponent, rep)
        _condorcet(pij, prob)
    for i in range(n):
        prevail[idx[i]] = prob[i]
    for j in range(d):
        tot = 0.0
        num = 0.0
        for i in range(n):
            if has[i, j]:
                tot += prob[i]
                num += prob[i] * pos[i, j]
        if tot > 0:
            settlement[j] = num / tot
    return moved


def power_shares(m: LibyaModel) -> None:
    """``power_share[F]``: each faction's share of power under the forecast settlement.

    ``π_f = c_f·u_f(x*) / Σ_g c_g·u_g(x*)`` over non-jihadist factions, with
    ``c_f`` the bargaining capability and ``u_f(x*)`` the faction's utility of
    the forecast settlement x* measured from its ideal point (1 at its ideal,
    0 at the far end of the axis; a faction without positions values any
    settlement at 1). Power is shared in proportion to what a faction can
    bring to bear and how much the settlement gives it; jihadist groups get
    none. Σπ = 1 unless no faction has capability (then all 0).
    """
    _power_shares(m.F, m.I, m.capability, m.settlement, m.ideal, m._faction_w, m.risk,
                  m.jihadist, m.power_share)  # fmt: skip


@kernel
def _power_shares(nf: int, ni: int, cap: np.ndarray, settlement: np.ndarray, ideal: np.ndarray,
                  w: np.ndarray, risk: np.ndarray, jihadist: np.ndarray,
                  out: np.ndarray) -> None:  # fmt: skip
    tot = 0.0
    for f in range(nf):
        val = 1.0
        if ni:
            t = 0.0
            for j in range(ni):
                e = settlement[j] - ideal[f, j]
                t += e * e * w[f, j]
            x = math.sqrt(t)
            val = (1.0 - x) * (1.0 + risk[f] * x)
        out[f] = 0.0 if jihadist[f] else cap[f] * max(val, 0.0)
        tot += out[f]
    for f in range(nf):
        out[f] = out[f] / tot if tot > 0 else 0.0


def step(m: LibyaModel) -> None:
    """Step 5: bargaining, then popularity and legitimacy move toward their drivers.

    Popularity: ``target = popularity0 + popularity_swing·tanh(drive)``, ``drive =
    security_weight·[held and no deaths] + oil_weight·(oil share held) −
    violence_weight·min(1, deaths/violence_scale)·[involved]``, relaxed at
    ``popularity_relaxation``. Legitimacy: around its base level, moved by
    ``recognition_weight`` × the change of recognition (UN, sponsors' political
    support) since the first month, relaxed at ``legitimacy_relaxation``."""
    m.position_moves += _month_p(table(m, _MONTH), m.steps == 0)


#: :func:`month`'s arrays (the model's, by attribute name) in the slots of its table
#: (:mod:`.args`), for :func:`_month_p`
_MONTH = (
    "politics_k", "politics_state", "flows", "allocation", "budget", "strength", "alliance",
    "jihadist", "active", "control", "region_deaths", "involved", "oil_share", "popularity0",
    "popularity", "un_recognised", "legitimacy0", "legitimacy",
)  # fmt: skip


@kernel
def _month_p(t: np.ndarray, start: bool) -> int:
    """:func:`month` on the arrays of the table ``t`` (:data:`_MONTH`)."""
    return month(f1(t, 0), f1(t, 1), f3(t, 2), f3(t, 3), f2(t, 4), f1(t, 5), f2(t, 6),
                 b1(t, 7), b1(t, 8), i1(t, 9), f1(t, 10), b2(t, 11), f1(t, 12), f2(t, 13),
                 f2(t, 14), f1(t, 15), f1(t, 16), f1(t, 17), start)  # fmt: skip


@kernel
def month(k: np.ndarray, state: np.ndarray, flows: np.ndarray, allocation: np.ndarray,
          budget: np.ndarray, strength: np.ndarray, alliance: np.ndarray, jihadist: np.ndarray,
          active: np.ndarray, control: np.ndarray, region_deaths: np.ndarray,
          involved: np.ndarray, oil_share: np.ndarray, popularity0: np.ndarray,
          popularity: np.ndarray, un_recognised: np.ndarray, legitimacy0: np.ndarray,
          legitimacy: np.ndarray, start: bool) -> int:  # fmt: skip
    """:func:`step` in one kernel (``k`` = ``m.politics_k``, ``state`` =
    ``m.politics_state``, the rest the model's arrays of the same names; ``start``:
    ``m.steps == 0``): :func:`bargain` (if there are issues), the power shares, then
    :func:`_opinion`. Returns the number of actors that moved."""
    F, S, R = strength.shape[0], flows.shape[0], control.shape[0]
    (positions, ideal, salience, risk, positioned, review, cap, prevail, settlement, faction_w,
     power_share, drivers, recognition0) = _parts(state, F, S, R)  # fmt: skip
    moves = 0
    if state[_I] > 0:
        moves = _bargain(k, True, start, flows, allocation, budget, strength, alliance,
                         jihadist, active, positioned, salience, risk, ideal, positions,
                         review, cap, prevail, settlement)  # fmt: skip
        _power_shares(F, settlement.shape[0], cap, settlement, ideal, faction_w, risk,
                      jihadist, power_share)  # fmt: skip
    first = state[_BASELINE] == 0.0  # the first month's recognition is the baseline
    state[_BASELINE] = 1.0
    _opinion(k, first, control, region_deaths, involved, oil_share, popularity0, popularity,
             drivers, flows, un_recognised, recognition0, legitimacy0, legitimacy)  # fmt: skip
    return moves


@kernel
def _opinion(k: np.ndarray, first: bool, control: np.ndarray, region_deaths: np.ndarray,
             involved: np.ndarray, oil_share: np.ndarray, popularity0: np.ndarray,
             popularity: np.ndarray, drivers: np.ndarray, flows: np.ndarray,
             un_recognised: np.ndarray, recognition0: np.ndarray, legitimacy0: np.ndarray,
             legitimacy: np.ndarray) -> None:  # fmt: skip
    F, R = popularity.shape
    oil = work.f1(F)
    oil[:] = 0.0
    for r in range(R):
        if control[r] >= 0:
            oil[control[r]] += oil_share[r]
    for f in range(F):
        # most of a faction's regions share one or two drives: tanh of each computed once
        d0 = d1 = math.nan
        t0 = t1 = 0.0
        for r in range(R):
            secure = 1.0 if control[r] == f and region_deaths[r] == 0.0 else 0.0
            violence = min(1.0, region_deaths[r] / k[VIOLENCE_SCALE]) if involved[f, r] else 0.0
            drive = k[SECURITY_WEIGHT] * secure + k[OIL_WEIGHT] * oil[f]
            drive = drive - k[VIOLENCE_WEIGHT] * violence
            drivers[f, r] = drive
            if drive == d0:
                th = t0
            elif drive == d1:
                th = t1
            else:
                th = math.tanh(drive)
                d1, t1 = d0, t0
                d0, t0 = drive, th
            target = th * k[POPULARITY_SWING] + popularity0[f, r]
            target = min(max(target, 0.0), 1.0)
            popularity[f, r] += k[POPULARITY_RELAXATION] * (target - popularity[f, r])
    S = flows.shape[0]
    u = k[UN_RECOGNITION_SHARE]
    for f in range(F):
        pol = 0.0
        for s in range(S):
            pol += flows[s, f, POL]
        recognition = u * un_recognised[f] + (1.0 - u) * (
            1.0 - math.exp(-k[POLITICAL_TO_LEGITIMACY] * pol)
        )
        if first:
            recognition0[f] = recognition
        target = legitimacy0[f] + k[RECOGNITION_WEIGHT] * (recognition - recognition0[f])
        target = min(max(target, 0.0), 1.0)
        x = legitimacy[f] + k[LEGITIMACY_RELAXATION] * (target - legitimacy[f])
        legitimacy[f] = min(max(x, 0.0), 1.0)


class Forecast(NamedTuple):
    """What :func:`forecast` returns (positions and settlement on the input's scale)."""

    settlement: np.ndarray  #: [issues] the expected outcome after the last round
    prevail: np.ndarray  #: [actors] probability that each actor's position prevails
    positions: np.ndarray  #: [actors, issues] positions after the last round
    rounds: int  #: bargaining rounds run
    converged: bool  #: positions moved less than ``tol`` in the last round


def forecast(
    positions: ArrayLike,
    capability: ArrayLike,
    salience: ArrayLike,
    risk: ArrayLike | None = None,
    exponent: float = 2.0,
    drift: float = 0.1,
    *,
    scale: tuple[float, float] = (0.0, 1.0),
    max_rounds: int = 1000,
    tol: float = 1e-9,
) -> Forecast:
    """The bargaining forecast for any set of actors: arrays in, arrays out.

    The rounds of :func:`bargain` without a model: each round computes the
    utilities (:func:`utilities`), the victory probabilities of every pair of
    positions (:func:`victory`, exponent ``exponent``), the probabilistic
    Condorcet distribution over the positions (:func:`condorcet`) and its
    expectation (the settlement), then moves each actor ``drift`` of the way
    toward the capability-weighted positions of the coalitions that beat it;
    it stops when no position moves more than ``tol`` (or after
    ``max_rounds``). (The model itself moves positions differently — by
    expected-utility trials from fixed ideal points, :func:`bargain` — but its
    first forecast, before any move, is this function's first round.)

    ``positions``: [actors] or [actors, issues] on the scale ``scale`` (e.g.
    ``(0, 10)``); ``capability``: [actors]; ``salience``: same shape as
    ``positions``, any non-negative scale (0 = no position on that issue);
    ``risk``: [actors] attitudes in [−1, 1] (default 0, risk-neutral).

    >>> forecast([7, 4, 10], [0.2, 0.3, 0.5], [0.5, 0.8, 0.6], scale=(0, 10))  # doctest: +SKIP
    """
    lo, hi = (float(x) for x in scale)
    if not hi > lo:
        raise ValueError(f"The 'scale' parameter must be (low, high) with low < high. Got {scale}.")
    pos = np.asarray(positions, dtype=float)
    one_issue = pos.ndim == 1
    pos = (pos.reshape(len(pos), -1) - lo) / (hi - lo)
    sal = np.asarray(salience, dtype=float).reshape(pos.shape)
    cap = np.asarray(capability, dtype=float).reshape(len(pos))
    r = np.zeros(len(pos)) if risk is None else np.asarray(risk, dtype=float).reshape(len(pos))
    for name, x in (("capability", cap), ("salience", sal)):
        if (x < 0).any() or not np.isfinite(x).all():
            raise ValueError(f"The '{name}' parameter must be finite and >= 0.")
    if not ((pos >= 0) & (pos <= 1)).all():
        raise ValueError(f"The 'positions' parameter must lie within scale {scale}.")
    has = sal > 0
    mean_sal = sal.mean(axis=1)
    settlement = np.full(pos.shape[1], 0.5)
    prob = np.zeros(len(pos))
    converged, rounds = False, 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - the count is returned
        pij = victory(utilities(pos, sal, r), cap, mean_sal, exponent)
        prob = condorcet(pij)
        wt = prob[:, None] * has
        tot = wt.sum(axis=0)
        settlement = np.divide((wt * pos).sum(axis=0), tot, out=settlement, where=tot > 0)
        beat = np.maximum(pij - 0.5, 0.0) * cap[:, None]  # [j, k]: j beats k
        wsum = beat.sum(axis=0)
        target = np.divide(beat.T @ pos, wsum[:, None], out=pos.copy(), where=wsum[:, None] > 0)
        new = np.clip(pos + drift * (target - pos) * has, 0.0, 1.0)
        moved = float(np.abs(new - pos).max())
        pos = new
        if moved < tol:
            converged = True
            break
    out_pos = lo + (hi - lo) * pos
    out_set = lo + (hi - lo) * settlement
    return Forecast(
        out_set[0:1] if one_issue else out_set,
        prob,
        out_pos[:, 0] if one_issue else out_pos,
        rounds,
        converged,
    )


# ---------------------------------------------------------------- unity government

UN_INTEREST = 3  #: column of the un_legitimacy interest (support.UN)


def recognise(m: LibyaModel, members: list[int]) -> list[str]:
    """UN recognition moves to ``members``; sponsors' stances follow it.

    ``un_recognised`` becomes 1 for the members and 0 for every other faction;
    each sponsor's stance toward a faction changes by
    ``recognition_stance × w_un × Δrecognition`` (clipped to [−1, 1]), so a
    sponsor that cares for UN legitimacy re-targets the recognised government
    (its candidates and utilities follow the stance, §7.1). Returns the
    factions that lost recognition.
    """
    old = m.un_recognised.copy()
    m.un_recognised[:] = 0.0
    m.un_recognised[members] = 1.0
    delta = m.un_recognised - old
    if delta.any():
        shift = m.p.recognition_stance * np.multiply.outer(m.interests[:, UN_INTEREST], delta)
        np.clip(m.stance + shift, -1.0, 1.0, out=m.stance)
    return [m.faction_ids[i] for i in np.flatnonzero(delta < 0)]


def form_unity(
    m: LibyaModel, members: list[int], how: str, recognised: bool = True, note: str = ""
) -> None:
    """A unity government of ``members`` (faction indices) forms (``how``: "election"
    or "dialogue"). Consequences (docs/ODD.md §7.4):

    - hostility among members → 0 and alliance among them → 1: their forces
      are under one command (coalition strengths pool them in every decision
      that reads alliances: elections, ceasefires, bargaining, battles); each
      keeps its own enemies, and alliances between a member and an outsider
      hostile to another member end;
    - with ``recognised``, UN recognition moves to the government and sponsors'
      stances follow (:func:`recognise`);
    - every active ceasefire that binds a member extends to all members.
    """
    mem = sorted({int(i) for i in members if not m.jihadist[i]})
    if len(mem) < 2:
        return
    ix = np.ix_(mem, mem)
    m.hostility[ix] = 0.0
    m.alliance[ix] = 1.0
    m.alliance[mem, mem] = 0.0
    out = np.setdiff1d(np.arange(m.F), mem)
    if len(out):  # alliances with outsiders hostile to another member end
        foe = (m.hostility[np.ix_(mem, out)] > 0).any(axis=0)  # [outsiders]
        ends = np.ix_(mem, out[foe])
        m.alliance[ends] = 0.0
        m.alliance[np.ix_(out[foe], mem)] = 0.0
    lost = recognise(m, mem) if recognised else []
    extended = []
    for ev in m.events:
        side: list[int] | None = getattr(ev, "side", None)  # side of each bound faction
        live = getattr(ev, "type", "") == "ceasefire" and getattr(ev, "active", False)
        bound = [side[i] for i in mem if side[i] >= 0] if live and side is not None else []
        if bound and side is not None:
            new = [i for i in mem if side[i] < 0 and m.spec.factions[i].can_sign]
            for i in new:
                side[i] = bound[0]  # the government's unbound members join a member's side
            if new:
                extended.append(ev.name)
    m.unity[:] = False
    m.unity[mem] = True
    ids = [m.faction_ids[i] for i in mem]
    m.unity_formed = {
        "month": m.current_month,
        "how": how,
        "members": ids,
        "recognised": bool(recognised),
        "recognition_lost_by": lost,
        "ceasefires_extended": extended,
    }
    m.log(
        "Strategic developments",
        "unity_government",
        None,
        ",".join(ids),
        None,
        0.0,
        f"formed by {how}" + (f"; {note}" if note else ""),
    )


def split_institutions(m: LibyaModel, rejecting: list[int], government: list[int]) -> None:
    """Rejecting factions set up rival institutions against ``government``.

    Hostility between each rejecting faction and each government member rises
    to at least ``split_hostility``; alliances between them end; both camps'
    base legitimacy falls by ``split_legitimacy_cost`` (rival claims to the
    same authority); the rejecting factions leave any unity government.
    """
    rej = sorted({int(i) for i in rejecting})
    gov = sorted({int(i) for i in government} - set(rej))
    if not rej:
        return
    if gov:
        ix = np.ix_(rej, gov)
        h = np.maximum(m.hostility[ix], m.p.split_hostility)
        m.hostility[ix] = h
        m.hostility[np.ix_(gov, rej)] = h.T
        m.alliance[ix] = 0.0
        m.alliance[np.ix_(gov, rej)] = 0.0
    both = rej + gov
    m.legitimacy0[both] = np.maximum(m.legitimacy0[both] - m.p.split_legitimacy_cost, 0.0)
    m.unity[rej] = False
    m.institutions_split = {
        "month": m.current_month,
        "rejecting": [m.faction_ids[i] for i in rej],
        "government": [m.faction_ids[i] for i in gov],
    }
    m.log(
        "Strategic developments",
        "institutions_split",
        None,
        ",".join(m.faction_ids[i] for i in rej),
        ",".join(m.faction_ids[i] for i in gov),
        0.0,
        "rival claims to legitimacy",
    )
