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


# --------------------------------------------------------------------- PRIM's peeling


def _peel_by_sorting(x, y, inside, alpha, restricted):
    """One PRIM step as it was written before the compiled walk: each parameter's box
    values sorted, every peel's box made and its mean taken (the test's oracle)."""
    import math

    d = x.shape[1]
    k = int(inside.sum())
    remove = max(1, math.ceil(alpha * k))
    best = None
    for j in range(d):
        order = np.sort(x[inside, j])
        free = d - int(restricted.sum()) + int(restricted[j]) - 1
        for side in ("hi", "lo"):
            if side == "lo":
                cut = order[remove - 1]
                keep = inside & (x[:, j] > cut) if cut < order[-1] else inside
            else:
                cut = order[-remove]
                keep = inside & (x[:, j] < cut) if cut > order[0] else inside
            m = int(keep.sum())
            key = (float(y[keep].mean()) if m else -1.0, free)
            if best is None or key > best[0]:
                best = (key, j, side, cut, keep)
    return best


@pytest.mark.parametrize("kind", ["binary", "probability", "levels"])
def test_compiled_peel_picks_the_peel_sorting_picks(kind):
    """Step after step of a peeling, on continuous parameters and on few levels (many
    ties), with a 0/1 outcome and with probabilities: the same peel, cut and box."""
    from libyasim.analysis.sensitivity import _best_peel

    rng = np.random.default_rng({"binary": 1, "probability": 2, "levels": 3}[kind])
    n, d = 900, 12
    x = rng.integers(0, 5, (n, d)).astype(float) if kind == "levels" else rng.random((n, d))
    signal = (x[:, 2] > x[:, 2].mean()) & (x[:, 7] < x[:, 7].mean())
    y = (signal | (rng.random(n) < 0.1)).astype(float)
    if kind == "probability":
        y = np.clip(0.7 * y + 0.3 * rng.random(n), 0, 1)
    srt = np.argsort(x, axis=0, kind="stable")
    inside = np.ones(n, bool)
    lo, hi = x.min(axis=0), x.max(axis=0)
    full_lo, full_hi = lo.copy(), hi.copy()
    steps = 0
    while inside.sum() > 0.1 * n:
        restricted = (lo > full_lo) | (hi < full_hi)
        k = int(inside.sum())
        remove = max(1, int(np.ceil(0.05 * k)))
        ref = _peel_by_sorting(x, y, inside, 0.05, restricted)
        # scored again as numpy's means, and (whole-number outcomes) by the walk's sums
        for exact in (False, True) if kind != "probability" else (False,):
            ours = _best_peel(x, y, srt, inside, remove, restricted, exact=exact)
            assert ours[:4] == ref[:4], f"step {steps}, exact={exact}"
            np.testing.assert_array_equal(ours[4], ref[4])
        if int(ref[4].sum()) >= k:
            break
        _, j, side, _cut, keep = ref
        if side == "lo":
            lo[j] = x[keep, j].min()
        else:
            hi[j] = x[keep, j].max()
        inside = keep
        steps += 1
    assert steps >= (5 if kind == "levels" else 10)  # ties at few levels peel more at once


def test_quasi_p_is_each_restriction_left_out_in_turn():
    from scipy.stats import binom

    from libyasim.analysis.sensitivity import _quasi_p

    rng = np.random.default_rng(5)
    x = rng.random((600, 5))
    y = ((x[:, 0] > 0.5) & (x[:, 3] < 0.6)).astype(float)
    full_lo, full_hi = np.zeros(5), np.ones(5)
    lo = np.array([0.5, 0.0, 0.1, 0.0, 0.0])
    hi = np.array([1.0, 1.0, 1.0, 0.6, 1.0])
    qp = _quasi_p(x, y, lo, hi, full_lo, full_hi)
    assert sorted(qp) == [0, 2, 3]
    inside = np.all((x >= lo) & (x <= hi), axis=1)
    for j, p in qp.items():
        others = np.arange(5) != j
        without = np.all((x[:, others] >= lo[others]) & (x[:, others] <= hi[others]), axis=1)
        expected = binom.sf(round(y[inside].sum()) - 1, inside.sum(), y[without].mean())
        assert p == pytest.approx(expected, rel=1e-12)
    assert qp[0] < 0.05 and qp[3] < 0.05 and qp[2] > 0.05  # the irrelevant restriction


def test_a_batch_gives_its_points_values_as_the_frame_lookup_did():
    import pandas as pd

    from libyasim.analysis.sensitivity import SampledBatch

    rng = np.random.default_rng(2)
    order = rng.permutation(30)  # a points table in any row order
    points = pd.DataFrame(
        {"point": order, "b": rng.random(30), "a": rng.integers(0, 5, 30), "s": 1.0}
    )
    batch = SampledBatch(
        folder=None,
        method="lhs",
        names=["a", "b"],
        bounds=[(0, 4), (0, 1)],
        points=points,
        sweeps=[],
        runs=pd.DataFrame(),
    )
    idx = np.array([3, 0, 29, 3, 17])
    expected = points.set_index("point").loc[idx, ["a", "b"]].to_numpy(float)
    np.testing.assert_array_equal(batch.values(idx), expected)
    assert batch.values(idx).dtype == np.float64
    assert batch.cells()[0][0] == "" and list(batch.cells()[0][1]) == list(range(30))
    assert batch.cells() is batch.cells()  # found once
    with pytest.raises(KeyError):
        batch.values(np.array([30]))
