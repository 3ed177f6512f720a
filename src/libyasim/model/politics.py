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
- actors drift toward the positions of the coalitions that beat them.
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
    """Actors (factions then sponsors), positions, saliences and risk attitudes."""
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
    m.has_position = m.salience > 0
    m.positioned = m.has_position.any(axis=1)
    m._bargain_key, m._bargain_static = b"", ()
    m.settlement = np.full(d, 0.5)
    m.prevail = np.zeros(n)
    m.pop_drivers = np.zeros((m.F, m.R))
    m.recognition0 = None
    if m.I:
        bargain(m)


def capabilities(m: LibyaModel) -> np.ndarray:
    """Factions: strength share × legitimacy; sponsors: share of all support given."""
    fc = m.strength_share * m.legitimacy
    ft = np.add.reduce(fc)
    if ft > 0:
        fc /= ft
    given = np.add.reduce(m.flows, axis=(1, 2)) * m.active
    gt = np.add.reduce(given)
    if gt > 0:
        given /= gt
    return np.concatenate([fc, m.p.sponsor_capability_weight * given])


def _static(m: LibyaModel, idx: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per live-actor set: saliences, mean salience, weights s²/Σs², risk, has-position mask."""
    sal = m.salience[idx]
    den = (sal**2).sum(axis=1)
    w = np.divide(sal**2, den[:, None], out=np.zeros_like(sal), where=den[:, None] > 0)
    return sal.mean(axis=1), w, m.risk[idx], m.has_position[idx]


def bargain(m: LibyaModel) -> None:
    """One bargaining round: settlement forecast, prevail probabilities, drift."""
    cap = capabilities(m)
    live = (cap > 0) & m.positioned
    m.prevail = np.zeros(len(cap))
    idx = np.flatnonzero(live)
    if len(idx) < 2:
        return
    key = idx.tobytes() + m.salience.tobytes() + m.risk.tobytes()
    if m._bargain_key != key:
        m._bargain_key, m._bargain_static = key, _static(m, idx)
    mean_sal, w, risk, has = m._bargain_static
    pos = m.positions[idx]
    cap = cap[idx]
    pij = victory(_utilities(pos, w, risk), cap, mean_sal, m.p.bargaining_exponent)
    prob = condorcet(pij)
    m.prevail[idx] = prob
    wt = prob[:, None] * has
    tot = np.add.reduce(wt, axis=0)
    wt *= pos
    # issues nobody positioned on keep their last forecast
    m.settlement = np.divide(
        np.add.reduce(wt, axis=0), tot, out=m.settlement.copy(), where=tot > 0
    )
    # drift toward the coalitions that beat each actor
    beat = pij - 0.5
    np.maximum(beat, 0.0, out=beat)
    beat *= cap[:, None]  # [j, k]: j beats k
    wsum = np.add.reduce(beat, axis=0)
    target = np.divide(beat.T @ pos, wsum[:, None], out=pos.copy(), where=wsum[:, None] > 0)
    target -= pos
    target *= m.p.position_drift * has
    target += pos
    m.positions[idx] = np.minimum(np.maximum(target, 0.0, out=target), 1.0, out=target)


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
    ``max_rounds``).

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
