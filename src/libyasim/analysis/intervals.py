"""Confidence intervals for proportions estimated from ensembles.

- :func:`wilson` — the Wilson score interval for a binomial proportion
  (Wilson 1927; recommended over the Wald interval by Brown, Cai and DasGupta
  2001, *Statistical Science* 16:101-133): good coverage for small ``n`` and
  for proportions near 0 or 1, which is where rare outcomes live.
- :func:`newcombe` — the interval for a difference of two independent
  proportions built from the two Wilson intervals (Newcombe 1998, *Statistics
  in Medicine* 17:873-890, method 10). With common random numbers the two
  samples are positively correlated, so this interval is conservative.

Arrays in, arrays out (SALib's style): every argument may be a scalar or a
numpy array.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"The 'confidence' parameter must be in (0, 1). Got {confidence} instead.")
    return float(norm.ppf(0.5 + confidence / 2))


def wilson(k, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval ``(lo, hi)`` for ``k`` successes in ``n`` trials.

    >>> lo, hi = wilson(0, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.0, 0.2775)
    >>> lo, hi = wilson(5, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.2366, 0.7634)
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("wilson: need 0 <= k <= n")
    z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / n, np.nan)
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        # exact at the edges (rounding would leave 1e-17 above 0 for k = 0)
        lo = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        hi = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
        lo = np.where(n > 0, lo, np.nan)
        hi = np.where(n > 0, hi, np.nan)
    return lo, hi


def newcombe(k1, n1, k2, n2, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for ``p2 - p1`` from two Wilson intervals (Newcombe's hybrid score).

    >>> lo, hi = newcombe(56, 70, 48, 80)  # Newcombe 1998, example (a): p1-p2 = 0.2
    >>> round(float(-hi), 4), round(float(-lo), 4)
    (0.0524, 0.3339)
    """
    k1, n1, k2, n2 = (np.asarray(v, dtype=float) for v in (k1, n1, k2, n2))
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = k1 / n1, k2 / n2
        d = p2 - p1
        lo = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        hi = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return lo, hi
