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

from typing import TYPE_CHECKING

import numpy as np

from .support import POL

if TYPE_CHECKING:
    from .model import LibyaModel


def utility_distance(x: np.ndarray, y: np.ndarray, s: np.ndarray) -> float:
    """KTAB's salience-weighted distance d (positions and Δ on a 0-1 scale)."""
    s = np.asarray(s, dtype=float)
    den = float((s**2).sum())
    if den == 0:
        return 0.0
    return float(np.sqrt(((s * (np.asarray(y) - np.asarray(x))) ** 2).sum() / den))


def utility(d: np.ndarray | float, risk: np.ndarray | float) -> np.ndarray | float:
    """``u = (1 − d)(1 + R·d)``: R = 0 risk-neutral, +1 risk-averse, −1 risk-seeking."""
    return (1.0 - d) * (1.0 + risk * d)


def utilities(pos: np.ndarray, sal: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """U[k, i] = u_k(x_i) for every actor k and candidate position x_i (vectorised)."""
    diff = pos[None, :, :] - pos[:, None, :]  # [k, i, d]
    den = (sal**2).sum(axis=1)  # [k]
    num = ((sal[:, None, :] * diff) ** 2).sum(axis=2)  # [k, i]
    d = np.sqrt(np.divide(num, den[:, None], out=np.zeros_like(num), where=den[:, None] > 0))
    return utility(d, risk[:, None])


def victory(u: np.ndarray, cap: np.ndarray, sal: np.ndarray, n: float) -> np.ndarray:
    """P[i, j]: probability that the coalition for x_i beats the one for x_j."""
    weight = cap * sal  # c_k · s_k
    gain = u[:, :, None] - u[:, None, :]  # [k, i, j]
    c = np.einsum("k,kij->ij", weight, np.maximum(gain, 0.0))
    cn, ctn = c**n, c.T**n
    tot = cn + ctn
    return np.divide(cn, tot, out=np.full_like(c, 0.5), where=tot > 0)


def condorcet(pij: np.ndarray) -> np.ndarray:
    """Stationary distribution of the Markov chain i → j with probability P_ji/(N−1)."""
    n = len(pij)
    if n == 1:
        return np.ones(1)
    t = pij.T / (n - 1)
    np.fill_diagonal(t, 0.0)
    np.fill_diagonal(t, 1.0 - t.sum(axis=1))
    a = np.vstack([t.T - np.eye(n), np.ones(n)])
    b = np.zeros(n + 1)
    b[-1] = 1.0
    p, *_ = np.linalg.lstsq(a, b, rcond=None)
    p = np.maximum(p, 0.0)
    return p / p.sum()


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
                m.salience[k, j] = float(a.salience[issue].value) if issue in a.salience else 0.5
    m.has_position = m.salience > 0
    m.settlement = np.full(d, 0.5)
    m.prevail = np.zeros(n)
    m.pop_drivers = np.zeros((m.F, m.R))
    m.recognition0 = None
    if m.I:
        bargain(m)


def capabilities(m: LibyaModel) -> np.ndarray:
    """Factions: strength share × legitimacy; sponsors: share of all support given."""
    fc = m.strength_share * m.legitimacy
    fc = fc / fc.sum() if fc.sum() > 0 else fc
    given = m.flows.sum(axis=(1, 2)) * m.active
    sc = given / given.sum() if given.sum() > 0 else given
    return np.concatenate([fc, m.p.sponsor_capability_weight * sc])


def bargain(m: LibyaModel) -> None:
    """One bargaining round: settlement forecast, prevail probabilities, drift."""
    cap = capabilities(m)
    sal = m.salience.mean(axis=1)
    live = (cap > 0) & m.has_position.any(axis=1)
    m.prevail = np.zeros(len(cap))
    if live.sum() < 2:
        return
    idx = np.flatnonzero(live)
    pos, s, r = m.positions[idx], m.salience[idx], m.risk[idx]
    u = utilities(pos, s, r)
    pij = victory(u, cap[idx], sal[idx], m.p.bargaining_exponent)
    prob = condorcet(pij)
    m.prevail[idx] = prob
    has = m.has_position[idx]
    w = prob[:, None] * has
    tot = w.sum(axis=0)
    m.settlement = np.where(
        tot > 0, (w * pos).sum(axis=0) / np.where(tot > 0, tot, 1.0), m.settlement
    )
    # drift toward the coalitions that beat each actor
    beat = np.maximum(pij - 0.5, 0.0) * cap[idx][:, None]  # [j, k]: j beats k
    wsum = beat.sum(axis=0)
    target = np.divide(beat.T @ pos, wsum[:, None], out=pos.copy(), where=wsum[:, None] > 0)
    moved = pos + m.p.position_drift * (target - pos) * has
    m.positions[idx] = np.clip(moved, 0.0, 1.0)


def step(m: LibyaModel) -> None:
    """Step 5: bargaining, then popularity and legitimacy move toward their drivers."""
    p = m.p
    if m.I:
        bargain(m)
    own = m.control[None, :] == np.arange(m.F)[:, None]  # [F, R]
    secure = own & (m.region_deaths[None, :] == 0)
    violence = np.minimum(1.0, m.region_deaths / p.violence_scale)[None, :] * m.involved
    oil = (own * m.oil_share[None, :]).sum(axis=1)
    drive = p.security_weight * secure + p.oil_weight * oil[:, None] - p.violence_weight * violence
    m.pop_drivers = drive
    target = np.clip(m.popularity0 + p.popularity_swing * np.tanh(drive), 0.0, 1.0)
    m.popularity += p.popularity_relaxation * (target - m.popularity)
    # legitimacy: recognition (UN, sponsors' political support) around its base level
    pol = m.flows[:, :, POL].sum(axis=0)
    recognition = 0.5 * m.un_recognised + 0.5 * (1.0 - np.exp(-p.political_to_legitimacy * pol))
    if m.recognition0 is None:  # the first month's recognition is the baseline
        m.recognition0 = recognition.copy()
    target_l = np.clip(
        m.legitimacy0 + p.recognition_weight * (recognition - m.recognition0), 0.0, 1.0
    )
    m.legitimacy = np.clip(
        m.legitimacy + p.legitimacy_relaxation * (target_l - m.legitimacy), 0.0, 1.0
    )
