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

from typing import TYPE_CHECKING, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg.lapack import dgesv

from .support import POL

if TYPE_CHECKING:
    from .model import LibyaModel


TIE = 1e-9  #: coalition strengths below TIE × the largest are treated as zero


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
    imply, replaced by the normalisation); least squares if that system is singular.
    """
    n = len(pij)
    if n == 1:
        return np.ones(1)
    t = pij.T / (n - 1)
    di = np.diag_indices(n)
    t[di] = 0.0
    a = t.T.copy()  # a = Tᵀ − I, whose diagonal is −(row sums of the off-diagonal T)
    a[di] = -np.add.reduce(t, axis=1)
    b = np.zeros(n)
    a[-1] = 1.0
    b[-1] = 1.0
    _, _, p, info = dgesv(a, b)
    if info != 0:  # singular: several closed classes; the least-squares (minimum-norm) answer
        a = np.vstack([t.T, np.ones(n)])
        a[di] = -t.sum(axis=1)
        b = np.zeros(n + 1)
        b[-1] = 1.0
        p, *_ = np.linalg.lstsq(a, b, rcond=None)
    p = np.maximum(p, 0.0)
    return p / np.add.reduce(p)


def init(m: LibyaModel) -> None:
    """Actors (factions then sponsors), ideal points, saliences, risk attitudes;
    the unity-government state; the first forecast (before any move)."""
    actors = list(m.spec.factions) + list(m.spec.sponsors)
    m.actor_ids = [a.id for a in actors]
    m.actor_index = {a: i for i, a in enumerate(m.actor_ids)}
    n, d = len(actors), max(m.I, 1)
    m.positions = np.full((n, d), 0.5)
    m.salience = np.zeros((n, d))
    m.risk = np.array([float(a.risk_attitude.value) for a in actors])
    for k, a in enumerate(actors):
        for j, issue in enumerate(m.issue_ids):
            if issue in a.positions:
                m.positions[k, j] = float(a.positions[issue].value)
                if issue in a.salience:
                    m.salience[k, j] = float(a.salience[issue].value)
                else:
                    m.salience[k, j] = m.p.default_salience
    m.ideal = m.positions.copy()  # what each actor wants; ``positions`` is what it advocates
    sal = m.salience[: m.F, : m.I]
    den = (sal**2).sum(axis=1)
    m._faction_w = np.divide(sal**2, den[:, None], out=np.zeros_like(sal), where=den[:, None] > 0)
    m.has_position = m.salience > 0
    # jihadist groups reject the state and are party to no settlement: not at the table
    m.positioned = m.has_position.any(axis=1) & np.r_[~m.jihadist, np.ones(m.S, dtype=bool)]
    m._bargain_key, m._bargain_static = b"", ()
    m.settlement = np.full(d, 0.5)
    m.prevail = np.zeros(n)
    m.capability = np.zeros(n)
    m.power_share = np.zeros(m.F)
    m.position_moves = 0
    m._review_share, m._moved = None, False
    m.pop_drivers = np.zeros((m.F, m.R))
    m.recognition0 = None
    m.unity = np.zeros(m.F, dtype=bool)
    m.unity_formed = None
    m.institutions_split = None
    m.armed_loser_ids = []
    if m.I:
        bargain(m, move=False)
    else:
        power_shares(m)


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
    flows = m.flows
    if m.steps == 0 and not flows.any():
        flows = m.allocation * m.budget[:, None, :]
    strength = m.strength
    coalition = (m.alliance * m.nonjihadist) @ strength
    coalition += strength
    tot = np.add.reduce(strength)
    if tot > 0:
        coalition /= tot
    given = np.add.reduce(flows, axis=2)  # [S, F]
    given *= m.active[:, None]
    gt = np.add.reduce(np.add.reduce(given))
    out = np.empty(m.F + m.S)
    if gt > 0:
        np.add.reduce(given, axis=1, out=out[m.F :])
        out[m.F :] *= m.p.sponsor_capability_weight / gt
        coalition += (m.p.backing_weight / gt) * np.add.reduce(given, axis=0)
    else:
        out[m.F :] = 0.0
    out[: m.F] = coalition if tot > 0 else 0.0
    return out


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
    if pos.shape[1] == 1:  # one issue: d = |x_i − ideal_k|·√w_k
        d = pos[:, 0] - ideal[:, 0:1]  # [k, i]
        np.abs(d, out=d)
        d *= np.sqrt(w)
    else:
        diff = pos[None, :, :] - ideal[:, None, :]  # [k, i, d]
        diff *= diff
        d = np.sqrt(np.matmul(diff, w[:, :, None])[:, :, 0])
    return utility(d, risk[:, None])


def _coalitions(u: np.ndarray, wc: np.ndarray) -> np.ndarray:
    """C[i, j] = Σ_k wc_k·max(0, u_k(x_i) − u_k(x_j)) (wc = capability × mean salience)."""
    gain = u[:, :, None] - u[:, None, :]
    np.maximum(gain, 0.0, out=gain)
    k = len(u)
    return (wc @ gain.reshape(k, -1)).reshape(k, k)


def _victory_of(c: np.ndarray, n: float) -> np.ndarray:
    """P from coalition strengths C ([..., N, N], overwritten), ties below TIE × the
    largest set to zero (as in :func:`victory`)."""
    if c.ndim == 2:
        np.putmask(c, c <= TIE * np.maximum.reduce(c, axis=None), 0.0)
    else:
        top = np.maximum.reduce(np.maximum.reduce(c, axis=-1), axis=-1)
        np.putmask(c, c <= TIE * top[..., None, None], 0.0)
    cn = np.power(c, n, out=c)
    tot = cn + np.swapaxes(cn, -1, -2)
    return np.divide(cn, tot, out=np.full_like(cn, 0.5), where=tot > 0)


def _condorcet_batch(pij: np.ndarray) -> np.ndarray:
    """:func:`condorcet` for a stack of victory matrices [B, N, N] → [B, N]."""
    b, n, _ = pij.shape
    a = pij / (n - 1)  # a = Tᵀ off the diagonal
    di = np.arange(n)
    a[:, di, di] = 0.0
    a[:, di, di] = -np.add.reduce(a, axis=1)
    a[:, -1, :] = 1.0
    rhs = np.zeros((b, n, 1))
    rhs[:, -1, 0] = 1.0
    try:
        p = np.linalg.solve(a, rhs)[:, :, 0]
    except np.linalg.LinAlgError:  # some stack is singular: solve each one on its own
        return np.array([condorcet(x) for x in pij])
    p = np.maximum(p, 0.0)
    return p / np.add.reduce(p, axis=1, keepdims=True)


def _moves(
    m: LibyaModel, u: np.ndarray, wc: np.ndarray, c: np.ndarray, prob: np.ndarray, st: tuple
) -> np.ndarray | None:
    """Positions after one round of expected-utility-improving moves, or None if nobody moves.

    Each actor k tries moving its advocated position by ``±position_step`` on
    each issue it cares about; for each trial the victory matrix and the
    Condorcet distribution p' are recomputed with k's new position (only row
    and column k of C change) and k's expected utility ``EU_k = Σ_i p'_i·u_k(x_i)``
    (utilities from its ideal) compared with the present one. k takes the best
    trial if it gains more than ``move_threshold`` (Bueno de Mesquita 2002:
    actors shift positions only when that improves their expected utility).
    """
    _, w, risk, has, ideal = st
    idx_pos = m.positions[m._live]
    step = m.p.position_step
    ks, ds = np.nonzero(has)  # ordered by actor: each actor's trials are contiguous
    if len(ks) == 0:
        return None
    kk = np.repeat(ks, 2)
    nb = len(kk)
    bi = np.arange(nb)
    trial = idx_pos[kk]  # [B, d]
    trial[bi, np.repeat(ds, 2)] += np.where(bi % 2 == 0, step, -step)
    np.clip(trial, 0.0, 1.0, out=trial)
    # v[b, r] = u_r(trial_b): every actor's utility of the trial position
    diff = trial[:, None, :] - ideal[None, :, :]  # [B, r, d]
    diff *= diff
    v = utility(np.sqrt(np.add.reduce(diff * w, axis=2)), risk)  # [B, r]
    # C'[b, k, j] = Σ_r wc_r·max(0, v_br − u_rj); C'[b, i, k] = Σ_r wc_r·max(0, u_ri − v_br)
    up = v[:, :, None] - u  # [B, r, j]
    cb = np.repeat(c[None, :, :], nb, axis=0)
    cb[bi, kk, :] = wc @ np.maximum(up, 0.0)
    cb[bi, :, kk] = wc @ np.maximum(-up, 0.0)
    cb[bi, kk, kk] = 0.0
    pb = _condorcet_batch(_victory_of(cb, m.p.bargaining_exponent))  # [B, n]
    uk = u[kk]  # [B, n]: k's utility of each position, its own replaced by the trial's
    uk[bi, kk] = v[bi, kk]
    gain = np.add.reduce(pb * uk, axis=1) - (u @ prob)[kk]  # EU_k(trial) − EU_k(now)
    starts = np.flatnonzero(np.r_[True, kk[1:] != kk[:-1]])
    best = np.maximum.reduceat(gain, starts)  # per actor that has trials
    movers = np.flatnonzero(best > m.p.move_threshold)
    if len(movers) == 0:
        return None
    new = idx_pos.copy()
    for a in movers:
        lo = starts[a]
        b = lo + int(np.argmax(gain[lo : lo + (starts[a + 1] if a + 1 < len(starts) else nb) - lo]))
        new[kk[b]] = trial[b]
    m.position_moves += len(movers)
    return new


def _review(m: LibyaModel, cap: np.ndarray) -> bool:
    """Whether actors review their positions this month: in the first month, after
    a month in which someone moved, or when the balance of capability has shifted
    by more than ``review_shift`` (L1 distance between capability shares) since
    the last review. Records the shares at each review."""
    tot = np.add.reduce(cap)
    share = cap / tot if tot > 0 else cap
    last = m._review_share
    shift = np.add.reduce(np.abs(share - last)) if last is not None else np.inf
    if not m._moved and shift <= m.p.review_shift:
        return False
    m._review_share = share
    return True


def bargain(m: LibyaModel, move: bool = True) -> None:
    """One bargaining round: expected-utility moves, forecast, prevail, power shares."""
    cap = capabilities(m)
    m.capability = cap
    live = (cap > 0) & m.positioned
    m.prevail = np.zeros(len(cap))
    idx = np.flatnonzero(live)
    if len(idx) < 2:
        power_shares(m)
        return
    key = idx.tobytes()  # saliences and risk attitudes do not change during a run
    if m._bargain_key != key:
        m._bargain_key, m._bargain_static = key, _static(m, idx)
    st = m._bargain_static
    mean_sal, w, risk, has, ideal = st
    m._live = idx
    wc = cap[idx] * mean_sal
    n = m.p.bargaining_exponent
    u = ideal_utilities(ideal, m.positions[idx], w, risk)
    c = _coalitions(u, wc)
    prob = condorcet(_victory_of(c.copy(), n))
    if move and _review(m, cap):
        new = _moves(m, u, wc, c, prob, st)
        m._moved = new is not None
        if new is not None:
            m.positions[idx] = new
            u = ideal_utilities(ideal, new, w, risk)
            c = _coalitions(u, wc)
            prob = condorcet(_victory_of(c, n))
    m.prevail[idx] = prob
    pos = m.positions[idx]
    wt = prob[:, None] * has
    tot = np.add.reduce(wt, axis=0)
    wt *= pos
    # issues nobody positioned on keep their last forecast
    m.settlement = np.divide(
        np.add.reduce(wt, axis=0), tot, out=m.settlement.copy(), where=tot > 0
    )
    power_shares(m)


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
    f = m.F
    cap = m.capability[:f] if len(m.capability) else np.zeros(f)
    if m.I:
        w = m._faction_w
        diff = m.settlement[: m.I] - m.ideal[:f, : m.I]
        diff *= diff
        diff *= w
        val = utility(np.sqrt(np.add.reduce(diff, axis=1)), m.risk[:f])
    else:
        val = np.ones(f)
    np.maximum(val, 0.0, out=val)
    wt = cap * val
    wt *= m.nonjihadist
    tot = np.add.reduce(wt)
    m.power_share = wt / tot if tot > 0 else np.zeros(f)


def step(m: LibyaModel) -> None:
    """Step 5: bargaining, then popularity and legitimacy move toward their drivers."""
    p = m.p
    if m.I:
        bargain(m)
    own = m.own()  # [F, R]
    secure = own & (m.region_deaths == 0.0)
    violence = np.minimum(1.0, m.region_deaths / p.violence_scale) * m.involved
    oil = m.held(m.oil_share)
    drive = p.security_weight * secure
    drive += (p.oil_weight * oil)[:, None]
    drive -= p.violence_weight * violence
    m.pop_drivers = drive
    target = np.tanh(drive)
    target *= p.popularity_swing
    target += m.popularity0
    np.minimum(np.maximum(target, 0.0, out=target), 1.0, out=target)
    m.popularity += p.popularity_relaxation * (target - m.popularity)
    # legitimacy: recognition (UN, sponsors' political support) around its base level
    pol = np.add.reduce(m.flows[:, :, POL], axis=0)
    u = p.un_recognition_share
    recognition = u * m.un_recognised + (1.0 - u) * (1.0 - np.exp(-p.political_to_legitimacy * pol))
    if m.recognition0 is None:  # the first month's recognition is the baseline
        m.recognition0 = recognition.copy()
    target_l = m.legitimacy0 + p.recognition_weight * (recognition - m.recognition0)
    np.minimum(np.maximum(target_l, 0.0, out=target_l), 1.0, out=target_l)
    legit = m.legitimacy + p.legitimacy_relaxation * (target_l - m.legitimacy)
    m.legitimacy = np.minimum(np.maximum(legit, 0.0, out=legit), 1.0, out=legit)


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
