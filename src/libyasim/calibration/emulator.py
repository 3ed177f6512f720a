"""Gaussian-process emulators of the calibration targets (Andrianakis et al. 2015).

A run of the model costs little, but the space of mechanism parameters has
about a hundred dimensions and its non-implausible part is a tiny share of
it: a Latin hypercube of a few hundred points rarely lands there. An
emulator -- a cheap statistical stand-in for the model, fitted to the runs
made so far -- predicts each target's mean and its uncertainty at any point,
so tens of thousands of candidate points can be judged for the cost of a
few hundred runs, and the next wave runs the model only where the emulators
do not rule it out.

For each fitted target, from the points already run (``R`` replicates each):

- **active inputs**: the ``q`` parameters that explain most of the point
  means, ranked by the impurity importance of an extremely randomised forest
  (scikit-learn's ``ExtraTreesRegressor``); the others are treated as noise,
  which the emulator's nugget absorbs (Vernon et al. 2010, section 3);
- **mean emulator**: a linear regression on the active inputs plus a
  Gaussian process on its residuals (Matern 5/2 with one length scale per
  active input, and a white-noise nugget), fitted by maximum likelihood
  (``GaussianProcessRegressor``). The nugget holds the noise of a mean of
  ``R`` runs (``V_s / R``) and the effect of the inactive parameters; the
  emulator variance ``V_em(x)`` is the process's predictive variance plus
  the part of the nugget the replicates' noise does not explain;
- **variance emulator**: the model is stochastic, so the single-run
  variance ``V_s(x)`` differs from point to point. A second Gaussian process
  (constant mean: a log variance from a few replicates is too noisy for a
  trend) is fitted to the log of the replicates' sample variance; with ``nu = R - 1``
  degrees of freedom, ``E[log s^2] = log V_s + digamma(nu/2) + log(2/nu)``,
  and that bias is removed before exponentiating.

The implausibility of a candidate x for target t is then

    I_t(x) = |E[f_t(x)] - z_t| / sqrt(V_em,t(x) + V_s,t(x) + V_md,t + V_tol,t)

with the same model-discrepancy and tolerance terms as for run points
(:func:`libyasim.calibration.history.implausibility`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .patterns import Pattern, Target, Use

#: share of a target's tolerance used as a floor for sample variances (log of zero)
VARIANCE_FLOOR = 1e-3


@dataclass
class _GP:
    """Linear trend on the active inputs plus a Gaussian process on the residuals."""

    active: np.ndarray
    coef: np.ndarray
    intercept: float
    scale: float
    gp: object | None  # sklearn GaussianProcessRegressor, None when the output is constant
    noise: float  # the fitted nugget, in standardised units

    def predict(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance (without the nugget) at the rows of ``u`` (unit cube)."""
        a = u[:, self.active]
        trend = a @ self.coef + self.intercept
        if self.gp is None:
            return trend, np.zeros(len(u))
        m, sd = self.gp.predict(a, return_std=True)  # type: ignore[attr-defined]
        var = np.clip(sd**2 - self.noise, 0.0, None)
        return trend + m * self.scale, var * self.scale**2


def _fit_gp(
    a: np.ndarray, y: np.ndarray, seed: int, active: np.ndarray, *, trend: bool = True
) -> _GP:
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
    from sklearn.linear_model import LinearRegression

    lin = LinearRegression(fit_intercept=True).fit(a if trend else np.zeros_like(a), y)
    resid = y - lin.predict(a if trend else np.zeros_like(a))
    scale = float(resid.std())
    if not np.isfinite(scale) or scale < 1e-12 * max(1.0, float(np.abs(y).max())):
        return _GP(active, lin.coef_, float(lin.intercept_), 1.0, None, 0.0)
    q = a.shape[1]
    kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
        length_scale=np.full(q, 0.5), length_scale_bounds=(0.05, 50.0), nu=2.5
    ) + WhiteKernel(0.1, (1e-6, 2.0))
    gp = GaussianProcessRegressor(
        kernel=kernel, normalize_y=False, n_restarts_optimizer=0, random_state=seed
    )
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(a, resid / scale)
    noise = float(gp.kernel_.k2.noise_level)  # type: ignore[attr-defined]
    return _GP(active, lin.coef_, float(lin.intercept_), scale, gp, noise)


def select_active(u: np.ndarray, y: np.ndarray, q: int, seed: int) -> np.ndarray:
    """The ``q`` inputs that explain most of ``y`` (extremely randomised trees)."""
    from sklearn.ensemble import ExtraTreesRegressor

    if u.shape[1] <= q:
        return np.arange(u.shape[1])
    forest = ExtraTreesRegressor(
        n_estimators=200, min_samples_leaf=3, max_features=0.3, random_state=seed, n_jobs=1
    ).fit(u, y)
    order = np.argsort(-forest.feature_importances_, kind="stable")
    return np.sort(order[:q])


@dataclass
class TargetEmulator:
    """Emulators of one target's mean and single-run variance."""

    target: Target
    mean: _GP
    log_var: _GP | None
    var_const: float
    bias: float  # E[log s^2] - log V_s for the replicate count used
    var_max: float  # the largest replicate variance seen: predictions are clipped to it
    inactive_var: float  # the nugget beyond the replicates' noise: the inactive inputs
    n_points: int
    active_names: list[str] = field(default_factory=list)

    def predict(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(expected mean, emulator variance, single-run variance) at the rows of ``u``."""
        m, v_em = self.mean.predict(u)
        v_em = v_em + self.inactive_var
        if self.log_var is None:
            v_s = np.full(len(u), self.var_const)
        else:
            lv, _ = self.log_var.predict(u)
            v_s = np.clip(np.exp(np.clip(lv - self.bias, -50, 50)), 0.0, self.var_max)
        return m, v_em, v_s

    def implausibility(self, u: np.ndarray, discrepancy: float) -> np.ndarray:
        t = self.target
        m, v_em, v_s = self.predict(u)
        scale = abs(t.value) if t.value != 0 else t.tolerance
        denom = np.sqrt(v_em + v_s + (discrepancy * scale) ** 2 + (t.tolerance / 2) ** 2)
        return np.abs(m - t.value) / denom


def _log_chi2_bias(nu: float) -> float:
    from scipy.special import digamma

    return float(digamma(nu / 2) + np.log(2 / nu))


def fit_target(
    u: np.ndarray,
    runs: pd.DataFrame,
    target: Target,
    *,
    active: int,
    seed: int,
    names: Sequence[str] = (),
) -> TargetEmulator | None:
    """Fit the emulators of ``target`` from per-run values.

    ``u``: points x parameters in the unit cube (row i is point i);
    ``runs``: one row per run with columns ``row`` (index into ``u``) and the
    target's name. None if fewer than 5 points have a value.
    """
    vals = runs[["row", target.name]].dropna()
    if vals.empty:
        return None
    g = vals.groupby("row")[target.name]
    stats = pd.DataFrame({"mean": g.mean(), "var": g.var(ddof=1), "n": g.count()})
    if len(stats) < 5:
        return None
    rows = stats.index.to_numpy(dtype=int)
    x = u[rows]
    y = stats["mean"].to_numpy(dtype=float)
    act = select_active(x, y, active, seed)
    mean = _fit_gp(x[:, act], y, seed, act)
    floor = (VARIANCE_FLOOR * target.tolerance) ** 2
    rep = stats[stats["n"] >= 2]
    nu = float(np.median(rep["n"]) - 1) if len(rep) else 1.0
    bias = _log_chi2_bias(nu)
    var_const = float(rep["var"].mean()) if len(rep) else 0.0
    log_var = None
    if len(rep) >= 5 and rep["var"].std() > 0:
        lv = np.log(rep["var"].to_numpy(dtype=float) + floor)
        xr = u[rep.index.to_numpy(dtype=int)]
        log_var = _fit_gp(xr[:, act], lv, seed + 1, act, trend=False)
    nugget = mean.noise * mean.scale**2 if mean.gp is not None else 0.0
    return TargetEmulator(
        target=target,
        mean=mean,
        log_var=log_var,
        var_const=var_const,
        bias=bias,
        var_max=float(rep["var"].max()) if len(rep) else 0.0,
        inactive_var=max(nugget - var_const / (nu + 1), 0.0),
        n_points=len(stats),
        active_names=[names[i] for i in act] if len(names) else [],
    )


@dataclass
class WaveEmulator:
    """The emulators fitted after one wave: one per computable fitted target."""

    targets: dict[str, TargetEmulator]
    patterns: tuple[Pattern, ...]

    def pattern_implausibility(self, u: np.ndarray, discrepancy: float) -> pd.DataFrame:
        """Candidates x fitted patterns: each pattern's largest target implausibility."""
        cols = {}
        for p in self.patterns:
            imps = [
                self.targets[t.name].implausibility(u, discrepancy)
                for t in p.targets
                if t.name in self.targets
            ]
            if imps:
                cols[p.id] = np.max(np.vstack(imps), axis=0)
        return pd.DataFrame(cols)

    def cut(self, u: np.ndarray, discrepancy: float, how: str) -> np.ndarray:
        """The implausibility each candidate is judged by (largest or second largest)."""
        imp = self.pattern_implausibility(u, discrepancy).to_numpy()
        if not imp.size:
            return np.zeros(len(u))
        s = -np.sort(-imp, axis=1)
        return s[:, 0] if how == "max" or s.shape[1] < 2 else s[:, 1]

    def check(self, u: np.ndarray, runs: pd.DataFrame) -> tuple[int, int]:
        """Validation on points the emulators did not see: (within 3 sd, judged).

        A point-target pair is within when the replicates' mean lies within
        three standard deviations of the prediction, the deviation combining
        the emulator variance and the single-run variance over the replicates.
        """
        ok = total = 0
        for name, em in self.targets.items():
            vals = runs[["row", name]].dropna()
            if vals.empty:
                continue
            g = vals.groupby("row")[name]
            rows = g.mean().index.to_numpy(dtype=int)
            m, v_em, v_s = em.predict(u[rows])
            n = g.count().to_numpy(dtype=float)
            sd = np.sqrt(v_em + v_s / n)
            err = np.abs(g.mean().to_numpy(dtype=float) - m)
            ok += int(np.sum(err <= 3 * sd + 1e-12))
            total += len(rows)
        return ok, total


def fit_wave(
    u: np.ndarray,
    runs: pd.DataFrame,
    patterns: Sequence[Pattern],
    computable: set[str],
    *,
    active: int,
    seed: int,
    names: Sequence[str] = (),
) -> WaveEmulator:
    """Emulators of every computable target of the fitted patterns (one BLAS thread:
    the machine's cores belong to the model runs)."""
    from threadpoolctl import threadpool_limits

    fitted = tuple(p for p in patterns if p.use is Use.FIT)
    ems: dict[str, TargetEmulator] = {}
    for i, p in enumerate(fitted):
        for j, t in enumerate(p.targets):
            if t.name not in computable or t.name not in runs:
                continue
            with threadpool_limits(1):
                em = fit_target(u, runs, t, active=active, seed=seed + 31 * i + j, names=names)
            if em is not None:
                ems[t.name] = em
    return WaveEmulator(ems, fitted)


__all__ = ["TargetEmulator", "WaveEmulator", "fit_target", "fit_wave", "select_active"]
