"""Known-answer tests of each mechanism (Lanchester, Deitchman, contest, KTAB)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from libyasim.model.conflict import contest, deitchman, lanchester
from libyasim.model.politics import condorcet, utilities, utility, utility_distance, victory


@pytest.mark.parametrize(
    ("a", "b", "alpha", "beta"),
    [(1000, 800, 0.05, 0.05), (500, 900, 0.08, 0.03), (2000, 2000, 0.02, 0.06)],
)
def test_lanchester_aimed_fire_keeps_square_law_invariant(a, b, alpha, beta):
    a1, b1 = lanchester(a, b, alpha, beta, t=5.0, substeps=50)
    before, after = alpha * a**2 - beta * b**2, alpha * a1**2 - beta * b1**2
    assert a1 < a and b1 < b
    assert after == pytest.approx(before, rel=1e-6, abs=1e-3 * alpha * a**2)


def test_lanchester_square_law_survivors():
    # a fight to the finish: the winner keeps sqrt(A² − (β/α)·B²)
    a, b, alpha, beta = 1000.0, 600.0, 0.05, 0.05
    a1, b1 = lanchester(a, b, alpha, beta, t=200.0, substeps=4000)
    assert b1 == pytest.approx(0.0, abs=1e-6)
    assert a1 == pytest.approx(np.sqrt(a**2 - beta / alpha * b**2), rel=1e-3)


def test_lanchester_discretisation_error_shrinks_with_substeps():
    exact = 0.05 * 1000**2 - 0.05 * 700**2
    err = [
        abs(0.05 * x**2 - 0.05 * y**2 - exact)
        for x, y in (lanchester(1000, 700, 0.05, 0.05, 10.0, n) for n in (1, 4, 16))
    ]
    assert err[0] > err[1] > err[2]


def test_deitchman_matches_its_invariant():
    # dG/dt = −b·G·B, dB/dt = −a·G  ⇒  dG/dB = b·B/a  ⇒  a·G − (b/2)·B² is constant
    g, bb, a_rate, b_rate = 700.0, 5000.0, 0.06, 2e-5
    g1, b1 = deitchman(g, bb, a_rate, b_rate, t=2.0, substeps=200)
    assert g1 < g and b1 < bb
    assert a_rate * g1 - b_rate / 2 * b1**2 == pytest.approx(
        a_rate * g - b_rate / 2 * bb**2, rel=1e-6
    )


def test_contest_is_even_at_equal_strength_and_monotone():
    for m in (1.0, 1.5, 3.0):
        assert contest(500, 500, m) == pytest.approx(0.5)
        ps = [contest(s, 1000, m) for s in (100, 500, 1000, 2000, 5000)]
        assert all(x < y for x, y in pairwise(ps))
    assert contest(0, 0, 1.5) == 0.5
    assert contest(300, 100, 1.0) == pytest.approx(0.75)


def test_ktab_worked_example_distance_and_utility():
    # i at (30, 20), j at (45, 65) on two 0–100 dimensions; i's saliences 24 and 48
    x, y, s = np.array([0.30, 0.20]), np.array([0.45, 0.65]), np.array([24.0, 48.0])
    d = utility_distance(x, y, s)
    assert d**2 == pytest.approx(0.1665, abs=5e-5)
    assert utility(d, 0.0) == pytest.approx(0.592, abs=5e-4)
    assert utility(d, 1.0) == pytest.approx(0.8335, abs=5e-4)


def test_vectorised_utilities_agree_with_the_scalar_form():
    rng = np.random.default_rng(3)
    pos, sal, risk = rng.random((5, 2)), rng.random((5, 2)), rng.uniform(-1, 1, 5)
    u = utilities(pos, sal, risk)
    for k in range(5):
        for i in range(5):
            assert u[k, i] == pytest.approx(
                utility(utility_distance(pos[k], pos[i], sal[k]), risk[k])
            )


def test_victory_probabilities_are_complementary_and_favour_the_strong_coalition():
    pos = np.array([[0.0], [1.0], [0.1]])
    sal = np.ones((3, 1))
    u = utilities(pos, sal, np.zeros(3))
    p = victory(u, cap=np.array([3.0, 1.0, 1.0]), sal=np.ones(3), n=2.0)
    assert np.allclose(p + p.T, 1.0)
    assert p[0, 1] > 0.9  # the big actor and its neighbour beat the loner
    dist = condorcet(p)
    assert dist.sum() == pytest.approx(1.0) and (dist >= 0).all()
    assert dist[1] < dist[0]
