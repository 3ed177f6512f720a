"""The SRRC bootstrap, vectorised (issue 12 part 3): equal to ranking and fitting
each resample's rows, on designs with ties (Morris levels) and without."""

from __future__ import annotations

import numpy as np
import pytest

from libyasim.analysis.sensitivity import _resamples, _srrc, _srrc_loop, _srrc_resampled


@pytest.mark.parametrize("ties", [False, True])
def test_vectorised_bootstrap_equals_the_loop(ties):
    rng = np.random.default_rng(7)
    n, d = 400, 9
    x = rng.integers(0, 4, (n, d)).astype(float) if ties else rng.random((n, d))
    x[:, 4] = 0.5  # a column that never varies: NaN coefficients in both
    y = x @ np.linspace(-1, 1, d) + 0.3 * rng.normal(size=n)
    y[:40] = y[0]  # ties in the outcome
    w = _resamples(np.random.default_rng(3), n, 25)
    assert (w.sum(axis=1) == n).all()
    loop, fast = _srrc_loop(x, y, w), _srrc_resampled(x, y, w)
    assert np.isnan(loop[:, 4]).all() and np.isnan(fast[:, 4]).all()
    np.testing.assert_allclose(fast, loop, rtol=1e-9, atol=1e-12)


def test_resamples_draw_the_same_points_as_one_call_per_resample():
    n, b = 37, 5
    rng = np.random.default_rng(11)
    expected = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(b)])
    np.testing.assert_array_equal(_resamples(np.random.default_rng(11), n, b), expected)


def test_srrc_known_answer_monotone_outcome():
    # y rises with x0 only: the SRRC of x0 is near 1, its interval excludes 0
    rng = np.random.default_rng(2)
    x = rng.random((300, 3))
    beta, lo, hi, r2 = _srrc(x, np.exp(3 * x[:, 0]), 50, 0.95, np.random.default_rng(0))
    assert beta[0] == pytest.approx(1.0, abs=0.01) and lo[0] > 0.9
    assert abs(beta[1]) < 0.05 and lo[1] < 0 < hi[1]
    assert r2 == pytest.approx(1.0, abs=0.01)
