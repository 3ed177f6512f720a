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


def test_analytic_srrc_interval_agrees_with_the_bootstrap_on_a_large_design():
    from libyasim.analysis.sensitivity import _RankDesign

    rng = np.random.default_rng(1)
    n, d = 2000, 12
    x = rng.random((n, d))
    x[:, 5] = 0.25  # never varies: NaN in both
    # non-linear, heteroscedastic (x3 scales the noise), one inert parameter (x4)
    y = 3 * x[:, 0] + x[:, 1] ** 2 + np.sin(6 * x[:, 2]) + (0.2 + x[:, 3]) * rng.normal(size=n)
    beta, lo, hi, r2 = _RankDesign(x).srrc(y, 0.95)
    b_beta, b_lo, b_hi, b_r2 = _srrc(x, y, 400, 0.95, np.random.default_rng(0))
    assert np.isnan(beta[5]) and np.isnan(lo[5]) and np.isnan(b_beta[5])
    keep = np.arange(d) != 5
    np.testing.assert_allclose(beta[keep], b_beta[keep], atol=1e-12)
    assert r2 == pytest.approx(b_r2, abs=1e-12)
    width, b_width = (hi - lo)[keep], (b_hi - b_lo)[keep]
    assert np.all(np.abs(width / b_width - 1) < 0.25)  # the bootstrap's own noise is ~5%
    mid, b_mid = ((hi + lo) / 2)[keep], ((b_hi + b_lo) / 2)[keep]
    assert np.all(np.abs(mid - b_mid) < 0.25 * b_width)
    assert lo[0] > 0.5 and lo[4] < 0 < hi[4]


def test_analytic_srrc_of_a_constant_outcome_is_nan():
    from libyasim.analysis.sensitivity import _RankDesign

    x = np.random.default_rng(0).random((50, 3))
    beta, lo, _hi, r2 = _RankDesign(x).srrc(np.ones(50), 0.95)
    assert np.isnan(beta).all() and np.isnan(lo).all() and np.isnan(r2)
