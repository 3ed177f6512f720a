"""Which parameters decide the outcome: global sensitivity analysis and scenario discovery.

Works on a batch folder whose parameters were sampled (``libyasim batch
--sample lhs|sobol|morris N``) or swept (``--sweep``). The design is read
back from the manifest (method, parameter ranges, root seed) and the points
table, so the analysis sees exactly the points the runs used.

An **outcome** is what the indices explain:

- a key figure of the runs table, e.g. ``total_fatalities`` or
  ``factions.lna.population`` (the ``fig__`` column prefix is optional);
- an indicator: ``end_state=takeover``, ``flag=jihadist_resurgence``, or a
  threshold on a figure, ``total_fatalities>2000`` (also ``>=``, ``<``, ``<=``).

Replicate runs at the same parameter point are averaged first, so an
indicator becomes the probability of that outcome at the point, and the
indices explain the variance *across points* of that mean (replicate noise
remains in it; see docs/sensitivity.md).

Measures, by design:

- ``sobol`` (Saltelli's scheme, :func:`SALib.analyze.sobol.analyze`):
  first-order ``S1`` and total ``ST`` indices with bootstrap intervals
  (Sobol' 2001; Saltelli et al. 2010);
- ``morris`` (:func:`SALib.analyze.morris.analyze`): ``mu_star`` (mean
  absolute elementary effect, with a bootstrap interval), ``mu`` and
  ``sigma`` (Morris 1991; Campolongo et al. 2007);
- every design (also ``lhs`` and sweep grids): standardized rank regression
  coefficients ``SRRC`` with bootstrap intervals and the rank regression's
  ``R2`` (Saltelli et al. 2004, ch. 1; Iman & Conover 1979) — robust to
  monotone non-linearity, blind to non-monotone effects and interactions
  (a low ``R2`` says so).

**Scenario discovery** (Bryant & Lempert 2010): for an indicator outcome,
PRIM (Friedman & Fisher 1999) peels the parameter box, a few percent of the
points at a time, to the region where the outcome is most likely, and reports
the box with the highest density (probability of the outcome inside) among
those that still cover at least ``min_coverage`` of all the outcome's
occurrences. Peeling only, no pasting; one box.

Everything is pandas in, pandas or a matplotlib Figure out, for the CLI
(``libyasim sensitivity``), notebooks and the dashboard::

    from libyasim.analysis import sensitivity, sensitivity_plot, scenario_discovery
    table = sensitivity("out/morris", ["total_fatalities", "end_state=takeover"])
    sensitivity_plot(table).savefig("indices.png")
    scenario_discovery("out/morris", "end_state=takeover")
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
import pandas as pd

from ..batch.columns import FIG, FLAGS_COLUMN, fig_column, figure_name
from ..model.outcomes import FLAGS
from .summary import END_STATES, _flags

if TYPE_CHECKING:  # matplotlib is imported by the plots, when one is drawn
    from matplotlib.figure import Figure

#: the measures each design yields, the first one ranks the parameters
MEASURES = {
    "sobol": ("ST", "S1", "SRRC"),
    "morris": ("mu_star", "sigma", "mu", "SRRC"),
    "lhs": ("SRRC",),
    "grid": ("SRRC",),
}
#: the measures drawn by :func:`sensitivity_plot`, per design
PLOTTED = {
    "sobol": ("S1", "ST"),
    "morris": ("mu_star", "sigma"),
    "lhs": ("SRRC",),
    "grid": ("SRRC",),
}
#: columns of the table :func:`sensitivity` returns
COLUMNS = [
    "scenario",
    "cell",
    "outcome",
    "method",
    "parameter",
    "rank",
    "measure",
    "value",
    "lo",
    "hi",
    "r2",
    "n_points",
    "n_runs",
    "noise_share",
    "noise_floor",
]
#: figures analysed when no outcome is named (with every end state that varies)
DEFAULT_FIGURES = ("total_fatalities", "factions.lna.population", "factions.gna.population")
MORRIS_LEVELS = 4  # what libyasim.batch.design samples with (SALib's default)
#: the flags the model raises (DESIGN §4.5; libyasim.model.outcomes), known even if no run did
KNOWN_FLAGS = FLAGS  # the model's flags; others seen in a batch are listed too


class SensitivityError(ValueError):
    """A batch or an outcome that the analysis cannot use; the message says why."""


# --------------------------------------------------------------------------- outcomes

_THRESHOLD = re.compile(r"^(?P<name>[^<>=!]+?)\s*(?P<op>>=|<=|>|<)\s*(?P<value>\S+)$")
_INDICATOR = re.compile(r"^(?P<kind>end_state|flags?)\s*==?\s*(?P<value>\S+)$")


@dataclass(frozen=True)
class Outcome:
    """A parsed outcome: what to compute per run, and whether it is an indicator."""

    name: str  # canonical text, e.g. "end_state=takeover", "total_fatalities>2000"
    kind: str  # "figure", "end_state", "flag", "threshold"
    column: str | None = None  # the runs-table column of a figure (fig__*)
    value: str | None = None  # the end state or flag
    op: str | None = None
    threshold: float | None = None

    @property
    def binary(self) -> bool:
        return self.kind != "figure"

    def per_run(self, runs: pd.DataFrame) -> np.ndarray:
        """The outcome of every run of ``runs`` (floats; indicators are 0/1)."""
        if self.kind == "end_state":
            return (runs["end_state"].astype(object) == self.value).to_numpy(float)
        if self.kind == "flag":
            col = runs[FLAGS_COLUMN] if FLAGS_COLUMN in runs else pd.Series([None] * len(runs))
            return np.array([self.value in _flags(v) for v in col], float)
        x = pd.to_numeric(runs[self.column], errors="coerce").to_numpy(float)
        if self.kind == "figure":
            return x
        cmp = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}
        out = cmp[str(self.op)](x, float(self.threshold or 0.0)).astype(float)
        out[np.isnan(x)] = np.nan
        return out


def outcome_names(runs: pd.DataFrame) -> list[str]:
    """Every outcome name a runs table offers: its figures, end states and flags."""
    figs = [figure_name(c) for c in _figure_columns(runs)]
    states = list(END_STATES) + [
        s
        for s in dict.fromkeys(runs.get("end_state", pd.Series(dtype=object)).dropna())
        if s not in END_STATES
    ]
    seen = {f for v in runs.get(FLAGS_COLUMN, pd.Series(dtype=object)) for f in _flags(v)}
    flags = list(KNOWN_FLAGS) + sorted(seen - set(KNOWN_FLAGS))
    return figs + [f"end_state={s}" for s in states] + [f"flag={f}" for f in flags]


def parse_outcome(text: str, runs: pd.DataFrame) -> Outcome:
    """Read an outcome name against a runs table; unknown names get a did-you-mean."""
    spec = text.strip()
    names = outcome_names(runs)
    m = _INDICATOR.match(spec)
    if m:
        kind = "end_state" if m["kind"] == "end_state" else "flag"
        value = m["value"]
        known = [
            n.split("=", 1)[1]
            for n in names
            if n.startswith(f"{'end_state' if kind == 'end_state' else 'flag'}=")
        ]
        if value not in known:
            what = "end state" if kind == "end_state" else "flag"
            raise SensitivityError(_unknown(spec, names, f"{what} {value!r}"))
        return Outcome(f"{kind}={value}", kind, value=value)
    m = _THRESHOLD.match(spec)
    if m:
        column = _figure_column(m["name"].strip(), runs, names, spec)
        try:
            threshold = float(m["value"])
        except ValueError:
            raise SensitivityError(
                f"outcome {spec!r}: the threshold must be a number; got {m['value']!r}"
            ) from None
        name = f"{figure_name(column)}{m['op']}{m['value']}"
        return Outcome(name, "threshold", column=column, op=m["op"], threshold=threshold)
    column = _figure_column(spec, runs, names, spec)
    return Outcome(figure_name(column), "figure", column=column)


def _figure_columns(runs: pd.DataFrame) -> list[str]:
    return [
        c
        for c in runs.columns
        if c.startswith(FIG)
        and pd.api.types.is_numeric_dtype(runs[c])
        and not pd.api.types.is_bool_dtype(runs[c])
    ]


def _figure_column(name: str, runs: pd.DataFrame, names: list[str], spec: str) -> str:
    figs = _figure_columns(runs)
    for candidate in (name, fig_column(name)):
        if candidate in figs:
            return candidate
    if name in END_STATES:
        raise SensitivityError(
            f"unknown outcome {spec!r}: for the probability of an end state write end_state={name}"
        )
    raise SensitivityError(_unknown(spec, names, "outcome"))


def _unknown(spec: str, names: list[str], what: str) -> str:
    if "=" in spec:  # end_state=X, flag=X: compare the values, not the shared prefix
        prefix, value = spec.split("=", 1)
        prefix = "flag" if prefix.strip().startswith("flag") else "end_state"
        same = {n.split("=", 1)[1]: n for n in names if n.startswith(f"{prefix}=")}
        close = [same[v] for v in difflib.get_close_matches(value.strip(), list(same), 3, 0.6)]
    else:
        close = difflib.get_close_matches(spec, names, n=3, cutoff=0.6)
    if not close:
        key = spec.split("=")[-1].split(".")[-1]
        close = [n for n in names if key and key in n][:3]
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return (
        f"unknown {what} in {spec!r}{hint} (libyasim sensitivity DIR --list-outcomes lists "
        "them: key figures, end_state=STATE, flag=FLAG, or FIGURE>VALUE)"
    )


def default_outcomes(runs: pd.DataFrame) -> list[str]:
    """What to analyse when nothing is named: each end state whose share is neither
    0 nor 1, then the headline figures the batch has."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    out = []
    counts = ok["end_state"].value_counts() if len(ok) else pd.Series(dtype=int)
    for s in list(END_STATES) + [s for s in counts.index if s not in END_STATES]:
        if 0 < counts.get(s, 0) < len(ok):
            out.append(f"end_state={s}")
    figs = set(_figure_columns(runs))
    out += [f for f in DEFAULT_FIGURES if fig_column(f) in figs]
    return out


# --------------------------------------------------------------------------- the design


@dataclass
class SampledBatch:
    """A batch folder's design, read back: method, parameters, points, runs."""

    folder: Path
    method: str  # sobol, morris, lhs, grid
    names: list[str]  # the analysed parameters, in the sample's column order
    bounds: list[tuple[float, float]]
    points: pd.DataFrame  # point -> parameter values (and swept values)
    sweeps: list[str]  # swept paths that split the sample into cells (empty for grid)
    runs: pd.DataFrame
    root_seed: int = 0
    sample_n: int = 0
    #: the analysed parameters' values, points x names, in point order (made once)
    _matrix: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)
    _cells: list[tuple[str, np.ndarray]] | None = field(default=None, repr=False, compare=False)

    def values(self, idx: np.ndarray) -> np.ndarray:
        """The analysed parameters' values at the points ``idx`` (points x names):
        rows of one matrix made on the first call, not a frame lookup per outcome."""
        if self._matrix is None:
            pts = self.points.sort_values("point")
            x = np.ascontiguousarray(pts[self.names].to_numpy(float))  # rows gathered fast
            x.flags.writeable = False  # shared by every outcome's cell
            self._matrix = (pts["point"].to_numpy(), x)
        order, x = self._matrix
        if len(idx) == len(order) and np.array_equal(idx, order):
            return x  # the whole sample (no sweeps): the matrix itself
        rows = np.searchsorted(order, idx)
        if len(rows) and (rows.max() >= len(order) or np.any(order[rows] != idx)):
            raise KeyError("a point the points table does not hold")
        return x[rows]

    @property
    def problem(self) -> dict[str, Any]:
        return {
            "num_vars": len(self.names),
            "names": list(self.names),
            "bounds": [list(b) for b in self.bounds],
        }

    def cells(self) -> list[tuple[str, np.ndarray]]:
        """``(label, point indices)`` of each block of the sample: one per sweep
        combination (points are laid out grid-major, sample rows in order)."""
        if self._cells is None:
            self._cells = self._find_cells()
        return self._cells

    def _find_cells(self) -> list[tuple[str, np.ndarray]]:
        pts = self.points.sort_values("point")
        if not self.sweeps:
            return [("", pts["point"].to_numpy())]
        out = []
        for key, sub in pts.groupby(self.sweeps, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{p}={_fmt(v)}" for p, v in zip(self.sweeps, key, strict=True))
            out.append((label, sub["point"].to_numpy()))
        return out


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def load_sampled(batch_dir: str | Path) -> SampledBatch:
    """Read a batch folder's design and runs; a clear error if it was not sampled."""
    from ..batch.store import BatchStore, load_runs

    folder = Path(batch_dir)
    manifest = BatchStore(folder).manifest()
    design = manifest.get("identity", {}).get("design", {})
    method = design.get("sample")
    sweeps = [s["path"] for s in design.get("sweeps", [])]
    points_path = folder / "points.parquet"
    if not points_path.is_file():
        raise SensitivityError(f"{folder}: no points.parquet (not a complete batch folder)")
    points = pd.read_parquet(points_path)
    if method:
        ranges = manifest.get("sampled_ranges") or {}
        names = list(ranges)
        bounds = [(float(ranges[n][0]), float(ranges[n][1])) for n in names]
    elif sweeps:
        method = "grid"
        names = [p for p in sweeps if points[p].nunique() > 1]
        bounds = [(float(points[p].min()), float(points[p].max())) for p in names]
        sweeps = []
    else:
        raise SensitivityError(
            f"{folder}: this batch was not sampled, so there is nothing to attribute the outcome "
            "to; run one with --sample (e.g. libyasim batch SCENARIO --sample morris 10 "
            "--vary 'parameters.*' --out DIR) or with --sweep"
        )
    if not names:
        raise SensitivityError(f"{folder}: the design varies no parameter")
    missing = [n for n in names if n not in points]
    if missing:
        raise SensitivityError(f"{folder}: points.parquet lacks the sampled {missing}")
    runs = load_runs(folder, skip=("parameters",))  # the points hold the values
    return SampledBatch(
        folder,
        method,
        names,
        bounds,
        points,
        sweeps,
        runs,
        root_seed=int(design.get("root_seed", 0)),
        sample_n=int(design.get("sample_n", 0)),
    )


def _morris_inputs(batch: SampledBatch, x_points: np.ndarray) -> np.ndarray:
    """The Morris sample as SALib drew it (integer parameters were rounded for the
    runs, which can hide a step); falls back to the points table if it differs."""
    from SALib.sample import morris

    try:
        drawn = morris.sample(batch.problem, batch.sample_n, seed=int(batch.root_seed % 2**32))
    except Exception:  # pragma: no cover - a design SALib cannot redraw
        return x_points
    if drawn.shape != x_points.shape:
        return x_points
    whole = np.all(x_points == np.round(x_points), axis=0)
    same = np.isclose(drawn, x_points, rtol=1e-9, atol=1e-12)
    rounded = np.abs(drawn - x_points) <= 0.5 + 1e-9
    if np.all(np.where(whole, rounded, same)):
        return drawn
    return x_points


# --------------------------------------------------------------------------- measures


def _srrc_fit(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, float]:
    """SRRC of one sample: least squares of the standardized ranks of ``ys`` on
    those of ``xs`` (columns that do not vary get NaN), and the fit's R²."""
    from scipy.stats import rankdata

    xr = rankdata(xs, axis=0)
    yr = rankdata(ys)
    sx, sy = xr.std(axis=0), yr.std()
    d = xs.shape[1]
    if sy == 0:
        return np.full(d, np.nan), np.nan
    ok = sx > 0
    xz = (xr[:, ok] - xr[:, ok].mean(axis=0)) / sx[ok]
    yz = (yr - yr.mean()) / sy
    beta = np.full(d, np.nan)
    coef, *_ = np.linalg.lstsq(xz, yz, rcond=None)
    beta[ok] = coef
    resid = yz - xz @ coef
    return beta, float(1 - resid.var() / yz.var())


def _resamples(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray:
    """Bootstrap multiplicities (n_boot × n): how often each point is drawn in each
    resample (the draws of ``rng.integers(0, n, n)``, one call per resample)."""
    idx = np.stack([rng.integers(0, n, n) for _ in range(n_boot)])
    offset = (np.arange(n_boot) * n)[:, None]
    return np.bincount((idx + offset).ravel(), minlength=n_boot * n).reshape(n_boot, n)


class _RankPlan:
    """Each column's sort order and tie groups, computed once, so that the average
    ranks of any resample (given as multiplicities) are cumulative sums, not sorts.
    Held transposed (one row per column of ``x``) so that every pass is contiguous."""

    def __init__(self, x: np.ndarray) -> None:
        xt = np.ascontiguousarray(x.T)
        n = xt.shape[1]
        self.order = np.argsort(xt, axis=1, kind="stable")
        xs = np.take_along_axis(xt, self.order, axis=1)
        new = np.ones(xs.shape, bool)
        new[:, 1:] = xs[:, 1:] != xs[:, :-1]
        pos = np.arange(n)[None, :]
        # first and one-past-last sorted position of each element's tie group
        self.start = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
        last = np.ones(xs.shape, bool)
        last[:, :-1] = new[:, 1:]
        ends = np.where(last, pos + 1, n)[:, ::-1]
        self.end = np.ascontiguousarray(np.minimum.accumulate(ends, axis=1)[:, ::-1])

    def ranks(self, w: np.ndarray) -> np.ndarray:
        """Average ranks (1-based, ties averaged), one row per column of ``x``, of
        every point within the resample that draws point i ``w[i]`` times (as
        scipy's ``rankdata`` of the resampled rows)."""
        c = np.zeros((self.order.shape[0], self.order.shape[1] + 1))
        np.cumsum(w[self.order], axis=1, out=c[:, 1:])
        before = np.take_along_axis(c, self.start, axis=1)
        through = np.take_along_axis(c, self.end, axis=1)
        through -= before
        through += 1
        through *= 0.5
        through += before
        out = np.empty_like(through)
        np.put_along_axis(out, self.order, through, axis=1)
        return out


def _srrc_resampled(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """SRRC of every bootstrap resample (one row per row of ``weights``): the
    resample's ranks from the :class:`_RankPlan` cumulative sums, and its least
    squares as weighted normal equations over the points it drew (equal to
    ranking and fitting the resampled rows, to rounding)."""
    from scipy.linalg import LinAlgError, solve
    from scipy.linalg.blas import dsyrk

    d = x.shape[1]
    px, py = _RankPlan(x), _RankPlan(y[:, None])
    out = np.full((len(weights), d), np.nan)
    for b, w in enumerate(weights):
        total = float(w.sum())
        drawn = w > 0
        wd = w[drawn].astype(float)
        yr = py.ranks(w)[0, drawn]
        ym = wd @ yr / total
        sy = math.sqrt(wd @ (yr - ym) ** 2 / total)
        if sy == 0:
            continue
        xr = px.ranks(w)[:, drawn]  # one row per parameter
        xr -= (xr @ wd / total)[:, None]  # centred in place
        root = np.sqrt(wd)
        xr *= root  # columns weighted by sqrt(w): X'WX = (sqrt(w) X)'(sqrt(w) X)
        sx = np.sqrt(np.einsum("ij,ij->i", xr, xr) / total)
        ok = sx > 0
        xz = xr[ok] / sx[ok, None] if not ok.all() else xr / sx[:, None]
        yz = (yr - ym) / sy * root
        gram = dsyrk(1.0, xz)  # upper triangle of xz xz'
        try:
            coef = solve(gram, xz @ yz, assume_a="pos", check_finite=False)
        except LinAlgError:  # collinear ranks: the minimum-norm solution
            coef = np.linalg.lstsq(xz.T, yz, rcond=None)[0]
        out[b, ok] = coef
    return out


def _srrc_loop(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The reference: rank and fit each resample's rows (kept for the tests and
    benchmarks/bench_sensitivity.py, which check :func:`_srrc_resampled` against it)."""
    out = np.full((len(weights), x.shape[1]), np.nan)
    for b, w in enumerate(weights):
        idx = np.repeat(np.arange(len(y)), w)
        out[b] = _srrc_fit(x[idx], y[idx])[0]
    return out


def _srrc(
    x: np.ndarray, y: np.ndarray, n_boot: int, confidence: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standardized rank regression coefficients, bootstrap interval, and R² of the fit."""
    beta, r2 = _srrc_fit(x, y)
    boots = _srrc_resampled(x, y, _resamples(rng, len(y), n_boot))
    a = (1 - confidence) / 2
    with np.errstate(all="ignore"):
        lo = (
            np.nanquantile(boots, a, axis=0)
            if np.isfinite(boots).any()
            else np.full_like(beta, np.nan)
        )
        hi = (
            np.nanquantile(boots, 1 - a, axis=0)
            if np.isfinite(boots).any()
            else np.full_like(beta, np.nan)
        )
    return beta, lo, hi, r2


#: from this many points on, the SRRC interval is analytic (:class:`_RankDesign`):
#: the bootstrap's cost grows as points x parameters² x resamples (a Sobol design of
#: 315 numbers at N = 64, 20,288 points: about a second per resample), while the
#: two intervals agree to a few percent of their width there (tested)
SRRC_ANALYTIC_POINTS = 2000


class _RankDesign:
    """The parameters' side of a rank regression, shared by every outcome of a cell.

    Ranks, standardization, the projection ``A = (X'X)⁻¹X'`` and the leverages
    are computed once; an outcome's SRRC is then ``A @ y`` and its interval the
    normal interval of the heteroscedasticity-consistent standard error HC3
    (MacKinnon & White 1985; Long & Ervin 2000): ``Var(b_j) = Σ_i A_ji² e_i² /
    (1 − h_i)²``, with ``e`` the residuals and ``h`` the leverages."""

    def __init__(self, x: np.ndarray) -> None:
        from scipy.linalg import LinAlgError, solve
        from scipy.stats import rankdata

        xr = rankdata(x, axis=0)
        sx = xr.std(axis=0)
        self.d = x.shape[1]
        self.ok = sx > 0
        xz = (xr[:, self.ok] - xr[:, self.ok].mean(axis=0)) / sx[self.ok]
        try:
            a = solve(xz.T @ xz, xz.T, assume_a="pos", check_finite=False)
        except LinAlgError:  # collinear ranks: the minimum-norm solution, as lstsq
            a = np.linalg.pinv(xz)
        self.xz, self.a = xz, a
        self.a2 = a**2  # the HC3 variances' weights, shared by every outcome
        self.h = np.einsum("ij,ji->i", xz, a)

    def srrc(
        self, y: np.ndarray, confidence: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        from scipy.stats import norm, rankdata

        nan = np.full(self.d, np.nan)
        yr = rankdata(y)
        sy = yr.std()
        if sy == 0:
            return nan, nan, nan, np.nan
        yz = (yr - yr.mean()) / sy
        coef = self.a @ yz
        resid = yz - self.xz @ coef
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = resid**2 / np.maximum(1 - self.h, 1e-12) ** 2
        se = np.sqrt(self.a2 @ scaled)
        z = float(norm.ppf(0.5 + confidence / 2))
        beta, lo, hi = nan.copy(), nan.copy(), nan.copy()
        beta[self.ok], lo[self.ok], hi[self.ok] = coef, coef - z * se, coef + z * se
        return beta, lo, hi, float(1 - resid.var() / yz.var())


@dataclass
class _Cell:
    """One block of analysis: a scenario (and sweep cell) and an outcome."""

    scenario: str
    cell: str
    outcome: Outcome
    x: np.ndarray  # points × parameters (values the runs used)
    y: np.ndarray  # mean outcome per point (NaN: no successful run)
    n_runs: int
    noise_var: float = np.nan  # replicate noise in a point's mean (NaN with 1 replicate)
    notes: list[str] = field(default_factory=list)


def _per_point(batch: SampledBatch, outcome: Outcome) -> dict[tuple[str, str], _Cell]:
    runs = batch.runs
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    values = outcome.per_run(ok) if len(ok) else np.array([])
    frame = pd.DataFrame(
        {"scenario": ok["scenario"].to_numpy(), "point": ok["point"].to_numpy(), "y": values}
    )
    means = frame.groupby(["scenario", "point"])["y"].agg(["mean", "count", "var"])
    scenarios = list(dict.fromkeys(runs["scenario"])) if len(runs) else []
    out = {}
    for sc in scenarios:
        for label, idx in batch.cells():
            x = batch.values(idx)
            key = pd.MultiIndex.from_arrays([[sc] * len(idx), idx])
            m = means.reindex(key)
            y = m["mean"].to_numpy(float)
            count = m["count"].to_numpy(float)
            n_runs = int(np.nansum(count))
            # the variance of a point's mean that replicate noise alone gives: s²/n
            rep = (count >= 2) & np.isfinite(m["var"].to_numpy(float))
            noise = (
                float(np.mean(m["var"].to_numpy(float)[rep] / count[rep])) if rep.any() else np.nan
            )
            out[(sc, label)] = _Cell(sc, label, outcome, x, y, n_runs, noise_var=noise)
    return out


def _rows(
    cell: _Cell, method: str, names: list[str], measures: dict[str, tuple], r2: float
) -> list[dict]:
    primary = MEASURES[method][0]
    score = measures[primary][0]
    order = np.argsort(-np.nan_to_num(np.abs(score), nan=-np.inf), kind="stable")
    rank = np.empty(len(names), int)
    rank[order] = np.arange(1, len(names) + 1)
    good = np.isfinite(cell.y)
    n_points = int(good.sum())
    spread = float(np.var(cell.y[good], ddof=1)) if n_points > 1 else np.nan
    share = min(1.0, cell.noise_var / spread) if spread > 0 else np.nan
    # Morris: the mean |elementary effect| an inert parameter gets from replicate noise
    # alone: the difference of two independent point means over the step delta
    delta = MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1))
    floor = math.sqrt(2 / math.pi) * math.sqrt(2 * cell.noise_var) / delta
    rows = []
    for name_i in order:
        for m in MEASURES[method]:
            v, lo, hi = measures[m]
            rows.append(
                {
                    "scenario": cell.scenario,
                    "cell": cell.cell,
                    "outcome": cell.outcome.name,
                    "method": method,
                    "parameter": names[name_i],
                    "rank": int(rank[name_i]),
                    "measure": m,
                    "value": float(v[name_i]),
                    "lo": float(lo[name_i]),
                    "hi": float(hi[name_i]),
                    "r2": r2 if m == "SRRC" else np.nan,
                    "n_points": n_points,
                    "n_runs": cell.n_runs,
                    "noise_share": share,
                    "noise_floor": floor if m == "mu_star" else share if m == "ST" else np.nan,
                }
            )
    return rows


def _analyse(
    cell: _Cell,
    batch: SampledBatch,
    confidence: float,
    n_boot: int,
    seed: int,
    designs: dict[tuple, _RankDesign] | None = None,
) -> list[dict]:
    method, names, d = batch.method, batch.names, len(batch.names)
    rng = np.random.default_rng(seed)
    salib_seed = int(rng.integers(1, 2**31))  # SALib's sobol ignores a seed of 0
    y, x = cell.y, cell.x
    good = np.isfinite(y)
    nan = np.full(d, np.nan)
    measures: dict[str, tuple] = {}
    where = f"{cell.scenario}{f' [{cell.cell}]' if cell.cell else ''}, {cell.outcome.name}"
    if method == "sobol":
        if len(y) % (d + 2):
            raise SensitivityError(
                f"{where}: a Sobol design has N*(D+2) = N*{d + 2} points; this block has "
                f"{len(y)} (the batch folder does not match its manifest)"
            )
        if not good.all():
            raise SensitivityError(
                f"{where}: {int((~good).sum())} of {len(y)} Sobol points have no successful "
                "run; Sobol indices need every point (finish the batch: re-run it, or add "
                "--retry-failed)"
            )
        if np.ptp(y) == 0:
            measures.update({"S1": (nan, nan, nan), "ST": (nan, nan, nan)})
        else:
            from SALib.analyze import sobol

            si = sobol.analyze(
                batch.problem,
                y,
                calc_second_order=False,
                conf_level=confidence,
                num_resamples=n_boot,
                seed=salib_seed,
            )
            for k in ("S1", "ST"):
                v, c = np.asarray(si[k], float), np.asarray(si[f"{k}_conf"], float)
                measures[k] = (v, v - c, v + c)
    elif method == "morris":
        size = d + 1
        if len(y) % size:
            raise SensitivityError(
                f"{where}: a Morris design has trajectories of D+1 = {size} points; this block "
                f"has {len(y)} points (the batch folder does not match its manifest)"
            )
        xs = _morris_inputs(batch, x) if not batch.sweeps else x
        keep = np.isfinite(y.reshape(-1, size)).all(axis=1)
        if keep.sum() < 2:
            raise SensitivityError(
                f"{where}: Morris needs at least 2 complete trajectories (of {size} points "
                f"each) with a successful run at every point; found {int(keep.sum())} of "
                f"{len(keep)}. Sample more (--sample morris N with N >= 2) or finish the batch"
            )
        rows_kept = np.repeat(keep, size)
        if np.ptp(y[rows_kept]) == 0:
            for k in ("mu_star", "sigma", "mu"):
                measures[k] = (np.zeros(d), np.zeros(d), np.zeros(d))
        else:
            from SALib.analyze import morris

            si = morris.analyze(
                batch.problem,
                np.ascontiguousarray(xs[rows_kept], float),
                np.ascontiguousarray(y[rows_kept], float),
                num_resamples=n_boot,
                conf_level=confidence,
                num_levels=MORRIS_LEVELS,
                seed=salib_seed,
            )
            ms, c = np.asarray(si["mu_star"], float), np.asarray(si["mu_star_conf"], float)
            measures["mu_star"] = (ms, np.maximum(ms - c, 0), ms + c)
            for k in ("sigma", "mu"):
                v = np.asarray(si[k], float)
                measures[k] = (v, nan, nan)
        if not keep.all():
            cell.notes.append(
                f"{where}: {int((~keep).sum())} Morris trajectories left out (a point without "
                "a successful run)"
            )
    n_good = int(good.sum())
    if n_good < d + 3:
        raise SensitivityError(
            f"{where}: too few points for the rank regression: {n_good} with a successful run, "
            f"{d} parameters; it needs at least D+3 = {d + 3} (sample more points)"
        )
    if np.ptp(y[good]) == 0:
        measures["SRRC"] = (nan, nan, nan)
        r2 = np.nan
        cell.notes.append(
            f"{where}: the outcome does not vary across points (all {y[good][0]:.4g})"
        )
    elif n_good >= SRRC_ANALYTIC_POINTS:
        # one design per scenario, cell and set of points, shared by the outcomes
        key = (cell.scenario, cell.cell, np.packbits(good).tobytes())
        designs = {} if designs is None else designs
        if key not in designs:
            designs.clear()  # one at a time: a design holds points x parameters floats
            designs[key] = _RankDesign(x[good])
        beta, lo, hi, r2 = designs[key].srrc(y[good], confidence)
        measures["SRRC"] = (beta, lo, hi)
    else:
        beta, lo, hi, r2 = _srrc(x[good], y[good], n_boot, confidence, rng)
        measures["SRRC"] = (beta, lo, hi)
    return _rows(cell, method, names, measures, r2)


def sensitivity(
    batch_dir: str | Path | SampledBatch,
    outcome: str | Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
    n_boot: int = 200,
    seed: int = 0,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Sensitivity indices of one or more outcomes, per scenario (and sweep cell).

    Returns a tidy table (:data:`COLUMNS`): one row per scenario, outcome,
    parameter and measure, with ``value`` and its ``confidence`` interval
    ``lo``-``hi``; ``rank`` orders the parameters by the design's first
    measure (``ST`` for sobol, ``mu_star`` for morris, ``|SRRC|`` otherwise);
    ``r2`` is the rank regression's fit on the SRRC rows. ``n_points`` points
    with a successful run, ``n_runs`` runs averaged into them. With
    replicates, ``noise_share`` is the share of the variance across points
    that replicate noise alone explains (the within-point variance over the
    number of runs, against the variance of the point means), and on
    ``mu_star`` rows ``noise_floor`` is the mu* a parameter with no effect
    would get from that noise alone (on ``ST`` rows: the noise share, which
    every ST absorbs). ``outcome``
    None analyses :func:`default_outcomes`. Bootstraps draw from
    ``numpy.random.default_rng(seed)`` (and SALib's ``seed``): same input,
    same table. Messages about left-out points go to ``notes`` if given.
    """
    if not 0 < confidence < 1:
        raise SensitivityError(
            f"The 'confidence' parameter must be in (0, 1). Got {confidence} instead."
        )
    if n_boot < 10:
        raise SensitivityError(f"The 'n_boot' parameter must be >= 10. Got {n_boot} instead.")
    batch = batch_dir if isinstance(batch_dir, SampledBatch) else load_sampled(batch_dir)
    ok = (batch.runs["status"] == "ok").sum() if "status" in batch.runs else len(batch.runs)
    if not ok:
        raise SensitivityError(f"{batch.folder}: no successful run to analyse")
    specs = [outcome] if isinstance(outcome, str) else list(outcome or default_outcomes(batch.runs))
    if not specs:
        raise SensitivityError(f"{batch.folder}: no outcome to analyse; name one with --outcome")
    parsed = [parse_outcome(s, batch.runs) for s in specs]
    rows: list[dict] = []
    cells = [_per_point(batch, oc) for oc in parsed]
    designs: dict[tuple, _RankDesign] = {}
    for key in cells[0] if cells else ():  # scenario and cell first: their outcomes share
        for per_outcome in cells:
            cell = per_outcome[key]
            rows += _analyse(cell, batch, confidence, n_boot, seed, designs)
            if notes is not None:
                notes += cell.notes
    # rows in the order of before: by outcome, then scenario and cell
    order = {o.name: i for i, o in enumerate(parsed)}
    rows.sort(key=lambda r: order[r["outcome"]])
    return pd.DataFrame(rows, columns=COLUMNS)


# --------------------------------------------------------------------------- scenario discovery


@dataclass
class PrimResult:
    """The peeling trajectory and the chosen box of a PRIM run."""

    trajectory: pd.DataFrame  # step, coverage, density, mass, n, and each parameter's lo/hi
    box: int  # the chosen step of the trajectory
    names: list[str]
    bounds: list[tuple[float, float]]
    lo: np.ndarray  # the final box (the chosen step, without the restrictions pruned)
    hi: np.ndarray
    stats: dict[str, float]  # coverage, density, mass, n of the final box
    qp: dict[str, float]  # quasi-p-value of each restriction kept
    pruned: list[str]  # restrictions of the chosen step that were dropped

    def limits(self) -> pd.DataFrame:
        """The box: one row per parameter it restricts (lo, hi, the full range, qp)."""
        rows = []
        for j, (n, (flo, fhi)) in enumerate(zip(self.names, self.bounds, strict=True)):
            lo, hi = self.lo[j], self.hi[j]
            if lo > flo or hi < fhi:
                rows.append(
                    {"parameter": n, "lo": lo, "hi": hi, "range_lo": flo, "range_hi": fhi,
                     "qp": self.qp.get(n, np.nan)}
                )  # fmt: skip
        return pd.DataFrame(rows, columns=["parameter", "lo", "hi", "range_lo", "range_hi", "qp"])


@numba.njit(cache=True)
def _nth_inside(
    x: np.ndarray, srt: np.ndarray, inside: np.ndarray, j: int, nth: int, top: bool
) -> tuple[int, float]:  # fmt: skip
    """Walking parameter ``j``'s points from its lowest (``top``: its highest): the
    first point of the box met, and the value of the ``nth`` (-1 and 0 for an empty box)."""
    n = srt.shape[0]
    first, seen = -1, 0
    for a in range(n):
        i = srt[n - 1 - a, j] if top else srt[a, j]
        if inside[i]:
            if first < 0:
                first = i
            seen += 1
            if seen == nth:
                return first, x[i, j]
    return first, 0.0


@numba.njit(cache=True)
def _beyond(
    x: np.ndarray, y: np.ndarray, srt: np.ndarray, inside: np.ndarray, j: int, cut: float,
    top: bool,
) -> tuple[int, float]:  # fmt: skip
    """How many points of the box lie at or below ``cut`` on parameter ``j`` (``top``: at
    or above), and their sum of ``y``, added from that end inward."""
    n = srt.shape[0]
    c, s = 0, 0.0
    for a in range(n):
        i = srt[n - 1 - a, j] if top else srt[a, j]
        v = x[i, j]
        if (v < cut) if top else (v > cut):
            break
        if inside[i]:
            c += 1
            s += y[i]
    return c, s


@numba.njit(cache=True)
def _peel_means(
    x: np.ndarray, y: np.ndarray, srt: np.ndarray, inside: np.ndarray, remove: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Every peel of one PRIM step at once: for each parameter j and side (0: the
    upper end, 1: the lower), the cut (the ``remove``-th point of the box from that
    end), whether it removes anything (a cut at the box's other end removes none),
    and the mean of ``y`` over the box without the points at or beyond the cut
    (-1 for an empty box). ``srt``: each column's points in increasing order.
    Walking the sorted points from each end visits about ``remove``/(share of points
    in the box) points, instead of sorting the box's values of every parameter.
    The means are sums over the box less sums over the peel: equal to numpy's for
    0/1 outcomes, within rounding otherwise (:func:`_best_peel` decides exactly)."""
    n, d = x.shape
    k = 0
    total = 0.0
    for i in range(n):
        if inside[i]:
            k += 1
            total += y[i]
    means = np.full((d, 2), -1.0)
    cuts = np.zeros((d, 2))
    peels = np.zeros((d, 2), dtype=np.bool_)
    for j in range(d):
        # the box's lowest and highest values, and the cut from each end
        first, lo_cut = _nth_inside(x, srt, inside, j, remove, False)
        last, hi_cut = _nth_inside(x, srt, inside, j, remove, True)
        if first < 0:
            continue
        box_min, box_max = x[first, j], x[last, j]
        cuts[j, 0], cuts[j, 1] = hi_cut, lo_cut
        for side in range(2):  # the upper end, then the lower
            top = side == 0
            cut = hi_cut if top else lo_cut
            if (cut > box_min) if top else (cut < box_max):
                peels[j, side] = True
                c, s = _beyond(x, y, srt, inside, j, cut, top)
                m = k - c
                means[j, side] = (total - s) / m if m > 0 else -1.0
            else:
                means[j, side] = total / k
    return means, cuts, peels


def _best_peel(
    x: np.ndarray, y: np.ndarray, srt: np.ndarray, inside: np.ndarray, remove: int,
    restricted: np.ndarray, exact: bool = False,
) -> tuple | None:  # fmt: skip
    """The peel of one PRIM step that raises the box's mean most, as ``((mean, free),
    j, side, cut, keep)``; on a tie, one of a parameter already restricted (a simpler
    box: ``free``, the parameters left unrestricted, is higher), then the first
    parameter, upper end first: EMA Workbench's order (its PRIM and this one peel the
    same boxes). A peel removes every point tied with its cut; one that would remove
    them all removes none (and, chosen, ends the peeling).

    :func:`_peel_means` scores every peel. With ``exact`` (``y`` whole numbers, so its
    sums are exact and the scores are numpy's means to the bit) the scores decide;
    otherwise the peels within rounding of the best score are scored again as numpy's
    mean of the box, in the order above."""
    d = x.shape[1]
    means, cuts, peels = _peel_means(x, y, srt, inside, remove)
    top = float(means.max())
    near = means >= top - 1e-9 * max(1.0, abs(top))
    n_restricted = int(restricted.sum())
    best = None
    for j in range(d):
        if not near[j].any():
            continue
        free = d - n_restricted + int(restricted[j]) - 1
        for s, side in ((0, "hi"), (1, "lo")):
            if not near[j, s]:
                continue
            cut = float(cuts[j, s])
            keep = None
            if exact:
                key = (float(means[j, s]), free)
            else:
                keep = _peeled(x, inside, j, side, cut, bool(peels[j, s]))
                m = int(keep.sum())
                key = (float(y[keep].mean()) if m else -1.0, free)
            if best is None or key > best[0]:
                best = (key, j, side, cut, keep)
    if best is not None and best[4] is None:
        key, j, side, cut, _ = best
        peeled = _peeled(x, inside, j, side, cut, bool(peels[j, int(side == "lo")]))
        best = (key, j, side, cut, peeled)
    return best


def _peeled(
    x: np.ndarray, inside: np.ndarray, j: int, side: str, cut: float, peels: bool
) -> np.ndarray:  # fmt: skip
    """The box after a peel: the points of ``inside`` short of ``cut`` on that side."""
    if not peels:
        return inside
    return inside & (x[:, j] > cut) if side == "lo" else inside & (x[:, j] < cut)


def prim(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]] | None = None,
    *,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    max_qp: float = 0.05,
) -> PrimResult:
    """PRIM peeling (Friedman & Fisher 1999) of the box where ``y`` (0/1, or a
    probability per point) is high.

    Each step removes, from one end of one parameter, the ``alpha`` share of
    the points in the box whose removal raises the box's mean most; it stops
    when the box would hold less than ``min_mass`` of the points. The chosen
    box has the highest density among those covering at least
    ``min_coverage`` of the total of ``y`` (the first such box on a tie).
    Then restrictions that do not matter are dropped, the least significant
    first, while its quasi-p-value (:func:`_quasi_p`) is above ``max_qp``:
    peeling also trims parameters by chance, and a box should name only the
    parameters that make the outcome more likely.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    names = list(names)
    bounds = list(bounds) if bounds is not None else [(float(c.min()), float(c.max())) for c in x.T]
    n = x.shape[0]
    total = y.sum()
    lo = np.array([b[0] for b in bounds], float)
    hi = np.array([b[1] for b in bounds], float)
    full_lo, full_hi = lo.copy(), hi.copy()
    inside = np.ones(n, bool)
    rows = []

    def record(step: int) -> None:
        k = inside.sum()
        row = {
            "step": step,
            "coverage": float(y[inside].sum() / total) if total > 0 else np.nan,
            "density": float(y[inside].mean()) if k else np.nan,
            "mass": float(k / n),
            "n": int(k),
        }
        for j, nm in enumerate(names):
            row[f"{nm}:lo"], row[f"{nm}:hi"] = float(lo[j]), float(hi[j])
        rows.append(row)

    record(0)
    step = 0
    srt = np.argsort(x, axis=0)  # each parameter's points in order, once (ties in any order)
    counts = bool(np.all(y == np.round(y)))  # sums of whole numbers: the means are exact
    while True:
        k = int(inside.sum())
        remove = max(1, math.ceil(alpha * k))
        restricted = (lo > full_lo) | (hi < full_hi)
        best = _best_peel(x, y, srt, inside, remove, restricted, exact=counts)
        # stop when the best peel would leave less than min_mass of the points,
        # removes nothing, or leaves a box without the outcome (EMA's rule too)
        if best is None:
            break
        m = int(best[4].sum())
        if m / n < min_mass or m >= k or best[0][0] <= 0:
            break
        _, j, side, _cut, keep = best
        if side == "lo":
            lo[j] = float(np.min(x[keep, j]))
        else:
            hi[j] = float(np.max(x[keep, j]))
        inside = keep
        step += 1
        record(step)
    traj = pd.DataFrame(rows)
    eligible = traj[traj["coverage"] >= min_coverage - 1e-12]
    chosen = 0 if eligible.empty or total <= 0 else int(eligible["density"].idxmax())
    r = traj.iloc[chosen]
    lo = np.array([r[f"{nm}:lo"] for nm in names], float)
    hi = np.array([r[f"{nm}:hi"] for nm in names], float)
    pruned: list[str] = []
    while True:  # drop the restriction that matters least while it is not significant
        qp = _quasi_p(x, y, lo, hi, full_lo, full_hi)
        weakest = max(qp, key=lambda j: qp[j], default=None)
        if weakest is None or qp[weakest] <= max_qp:
            break
        lo[weakest], hi[weakest] = full_lo[weakest], full_hi[weakest]
        pruned.append(names[weakest])
    inside = np.all((x >= lo) & (x <= hi), axis=1)
    stats = {
        "coverage": float(y[inside].sum() / total) if total > 0 else np.nan,
        "density": float(y[inside].mean()) if inside.any() else np.nan,
        "mass": float(inside.mean()),
        "n": int(inside.sum()),
    }
    return PrimResult(
        traj, chosen, names, bounds, lo, hi, stats, {names[j]: p for j, p in qp.items()}, pruned
    )


def _quasi_p(
    x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, full_lo: np.ndarray,
    full_hi: np.ndarray,
) -> dict[int, float]:  # fmt: skip
    """Per restricted parameter j: the one-sided binomial probability of the box's
    share of the outcome if the outcome were as frequent as in the box without
    restriction j (Bryant & Lempert 2010's quasi-p-value; y summed as counts)."""
    from scipy.stats import binom

    within = (x >= lo) & (x <= hi)  # [points, parameters]: inside each restriction
    outside = x.shape[1] - within.sum(axis=1)  # how many restrictions each point breaks
    inside = outside == 0
    n_box, hits = int(inside.sum()), round(float(y[inside].sum()))
    alone = outside == 1  # points that break one restriction: inside without it
    out = {}
    for j in range(x.shape[1]):
        if lo[j] <= full_lo[j] and hi[j] >= full_hi[j]:
            continue
        without = inside | (alone & ~within[:, j])
        p0 = float(y[without].mean())
        out[j] = float(binom.sf(hits - 1, n_box, p0))
    return out


def scenario_discovery(
    batch_dir: str | Path | SampledBatch,
    outcome: str,
    *,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
) -> pd.DataFrame:
    """The PRIM box where an indicator outcome is most likely, per scenario (and cell).

    Returns one row per restricted parameter: ``scenario, cell, outcome,
    parameter, lo, hi, range_lo, range_hi``, the restriction's quasi-p-value
    ``qp`` (small: the restriction matters; computed over points, treating
    the summed probabilities as counts), and the box's ``coverage`` (share
    of all occurrences inside), ``density`` (probability inside), ``mass``
    (share of points inside) and ``base_rate`` (probability over all points).
    A box that restricts nothing gets one row with an empty ``parameter``;
    a scenario where the outcome never (or always) happens gets no row.
    """
    batch = batch_dir if isinstance(batch_dir, SampledBatch) else load_sampled(batch_dir)
    oc = parse_outcome(outcome, batch.runs)
    if not oc.binary:
        raise SensitivityError(
            f"scenario discovery needs an indicator outcome (end_state=STATE, flag=FLAG or "
            f"FIGURE>VALUE); got the figure {oc.name!r} (try {oc.name}>VALUE)"
        )
    cols = [
        "scenario",
        "cell",
        "outcome",
        "parameter",
        "lo",
        "hi",
        "range_lo",
        "range_hi",
        "qp",
        "coverage",
        "density",
        "mass",
        "base_rate",
        "n_points",
    ]
    rows = []
    for cell in _per_point(batch, oc).values():
        good = np.isfinite(cell.y)
        if good.any() and np.ptp(cell.y[good]) == 0:
            continue  # never (or always) happens: no region to find
        if good.sum() < 10:
            raise SensitivityError(
                f"{cell.scenario}, {oc.name}: scenario discovery needs at least 10 points with a "
                f"successful run; found {int(good.sum())}"
            )
        res = prim(
            cell.x[good],
            cell.y[good],
            batch.names,
            batch.bounds,
            alpha=alpha,
            min_mass=min_mass,
            min_coverage=min_coverage,
        )
        stats = {
            "coverage": res.stats["coverage"],
            "density": res.stats["density"],
            "mass": res.stats["mass"],
            "base_rate": float(cell.y[good].mean()),
            "n_points": int(good.sum()),
        }
        lim = res.limits()
        base = {"scenario": cell.scenario, "cell": cell.cell, "outcome": oc.name}
        if lim.empty:
            rows.append(
                {
                    **base,
                    "parameter": "",
                    "lo": np.nan,
                    "hi": np.nan,
                    "range_lo": np.nan,
                    "range_hi": np.nan,
                    **stats,
                }
            )
        for lr in lim.to_dict("records"):
            rows.append({**base, **lr, **stats})
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- text and figures

MEASURE_LABELS = {
    "S1": "first-order Sobol index S1",
    "ST": "total Sobol index ST",
    "mu_star": "Morris mu* (mean |elementary effect|)",
    "sigma": "Morris sigma",
    "mu": "Morris mu",
    "SRRC": "standardized rank regression coefficient",
}


def _num(v: float, signed: bool = False) -> str:
    """Indices with 3 decimals; large effects (Morris, in the outcome's units) with 4 digits."""
    if not np.isfinite(v):
        return "-"
    s = "+" if signed else ""
    a = abs(v)
    if a >= 1e5:
        return f"{v:{s}.3e}"
    return f"{v:{s}.4g}" if a >= 10 else f"{v:{s}.3f}"


def _ci(lo: float, hi: float, signed: bool = False) -> str:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    return f"[{_num(lo, signed)}, {_num(hi, signed)}]"


def format_sensitivity(table: pd.DataFrame, confidence: float = 0.95) -> str:
    """A ranked plain-text table per scenario and outcome."""
    if table.empty:
        return "(nothing to show)"
    out: list[str] = []
    pw = max(12, *(len(p) for p in table["parameter"]))
    for (sc, cell, oc), sub in table.groupby(["scenario", "cell", "outcome"], sort=False):
        method = sub["method"].iloc[0]
        measures = list(dict.fromkeys(sub["measure"]))
        wide = {m: sub[sub["measure"] == m].set_index("parameter") for m in measures}
        where = f"{sc}{f' [{cell}]' if cell else ''}"
        n_points, n_runs = int(sub["n_points"].iloc[0]), int(sub["n_runs"].iloc[0])
        kind = "probability" if any(c in oc for c in "=<>") else "mean"
        out.append(
            f"{where} - {oc} ({kind} over replicates at {n_points} points, {n_runs} runs; {method})"
        )
        cells_head = []
        for m in measures:
            wide_m = m in ("S1", "ST", "mu_star", "SRRC")
            cells_head.append(f"{m:>30} " if wide_m else f"{m:>10}")
        out.append(f"  {'rank':>4}  {'parameter':<{pw}}" + "".join(cells_head))
        params = list(dict.fromkeys(sub.sort_values("rank", kind="stable")["parameter"]))
        for p in params:
            line = f"  {int(wide[measures[0]].loc[p, 'rank']):>4}  {p:<{pw}}"
            for m in measures:
                r = wide[m].loc[p]
                signed = m in ("SRRC", "mu")
                if m in ("S1", "ST", "mu_star", "SRRC"):
                    txt = f"{_num(r['value'], signed)} {_ci(r['lo'], r['hi'], signed)}"
                    noisy = m in ("mu_star", "ST") and r["value"] < r["noise_floor"]
                    line += f"{txt:>30}" + ("~" if noisy else " ")
                else:
                    line += f"{_num(r['value'], signed):>10}"
            out.append(line)
        r2 = sub.loc[sub["measure"] == "SRRC", "r2"]
        if len(r2) and np.isfinite(r2.iloc[0]):
            low = {
                "sobol": " (low: non-monotone effects or interactions; read S1 and ST)",
                "morris": " (low: non-monotone effects or interactions; read mu* and sigma)",
            }.get(
                method,
                " (low: non-monotone effects or interactions, which SRRC misses; "
                "sample with sobol or morris)",
            )
            out.append(
                f"  rank regression R2 = {r2.iloc[0]:.2f}" + (low if r2.iloc[0] < 0.5 else "")
            )
        share = sub["noise_share"].iloc[0]
        if np.isfinite(share):
            reps = n_runs / max(n_points, 1)
            line = (
                f"  replicate noise: {100 * share:.0f}% of the variance across points "
                f"({reps:.3g} runs per point)"
            )
            if share > 0.2:
                line += "; the indices are blurred by it: add replicates"
            out.append(line)
            for m in ("mu_star", "ST"):
                floor = sub.loc[sub["measure"] == m, "noise_floor"]
                if len(floor) and np.isfinite(floor.iloc[0]):
                    out.append(
                        f"  ~ {m.replace('_star', '*')} below {_num(floor.iloc[0])} is what a "
                        "parameter with no effect gets from replicate noise alone"
                    )
        out.append("")
    srrc = table[table["measure"] == "SRRC"] if "measure" in table else table
    analytic = bool(len(srrc)) and bool((srrc["n_points"] >= SRRC_ANALYTIC_POINTS).any())
    kind = (
        f"bootstrap (SRRC with {SRRC_ANALYTIC_POINTS:,} points or more: analytic, HC3)"
        if analytic
        else "bootstrap"
    )
    out.append(
        f"intervals: {100 * confidence:g}% {kind}; parameters ranked by "
        "ST (sobol), mu* (morris) or |SRRC| (lhs, grid); see docs/sensitivity.md"
    )
    return "\n".join(out)


def format_discovery(boxes: pd.DataFrame) -> str:
    """Plain text: where each indicator outcome is most likely."""
    if boxes.empty:
        return ""
    out = ["scenario discovery (PRIM box where the outcome is most likely):"]
    for (sc, cell, oc), sub in boxes.groupby(["scenario", "cell", "outcome"], sort=False):
        r = sub.iloc[0]
        where = f"{sc}{f' [{cell}]' if cell else ''}"
        out.append(
            f"  {where} - {oc}: p = {r['density']:.2f} inside the box vs {r['base_rate']:.2f} "
            f"overall; the box holds {100 * r['mass']:.0f}% of the points and "
            f"{100 * r['coverage']:.0f}% of the outcome"
        )
        restricted = sub[sub["parameter"] != ""]
        if restricted.empty:
            out.append("      (no box beats the whole range: no parameter region stands out)")
        for b in restricted.itertuples():
            out.append(
                f"      {b.parameter:<36} in [{_num(b.lo)}, {_num(b.hi)}]"
                f"   (range {_num(b.range_lo)}-{_num(b.range_hi)}; qp {b.qp:.1g})"
            )
    return "\n".join(out)


AXIS_LABELS = {
    "sobol": "share of the outcome's variance; whiskers: bootstrap CI",
    "morris": "elementary effect, outcome units; whiskers: bootstrap CI",
    "lhs": "SRRC (-1 to 1); whiskers: bootstrap CI",
    "grid": "SRRC (-1 to 1); whiskers: bootstrap CI",
}


def sensitivity_plot(table: pd.DataFrame, outcome: str | None = None, ncols: int = 2) -> Figure:
    """Bar chart of the indices with their interval whiskers: one panel per
    scenario (and cell) and outcome; parameters ranked top-down.

    Sobol: S1 and ST side by side; Morris: mu* (with whiskers) and sigma;
    otherwise the signed SRRC. ``outcome`` restricts to one outcome.
    """
    if outcome is not None:
        table = table[table["outcome"] == outcome]
    groups = list(table.groupby(["scenario", "cell", "outcome"], sort=False)) if len(table) else []
    n = max(1, len(groups))
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    d = table["parameter"].nunique() if len(table) else 1
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5 * ncols, (0.45 * d + 1.4) * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    for ax, ((sc, cell, oc), sub) in zip(axes.flat, groups, strict=False):
        method = sub["method"].iloc[0]
        shown = [m for m in PLOTTED[method] if (sub["measure"] == m).any()]
        params = list(dict.fromkeys(sub.sort_values("rank", kind="stable")["parameter"]))
        ypos = np.arange(len(params))
        h = 0.8 / max(1, len(shown))
        for k, m in enumerate(shown):
            w = sub[sub["measure"] == m].set_index("parameter").reindex(params)
            v = w["value"].to_numpy(float)
            err = np.vstack([v - w["lo"].to_numpy(float), w["hi"].to_numpy(float) - v])
            has = np.isfinite(err).all(axis=0)
            err = np.where(np.isfinite(err), np.maximum(err, 0), 0)
            pos = ypos - 0.4 + h * (k + 0.5)
            ax.barh(
                pos,
                np.nan_to_num(v),
                height=h * 0.9,
                color=cmap(k),
                label=m,
                xerr=err if has.any() else None,
                capsize=3,
                error_kw={"linewidth": 1},
            )
        floor = sub.loc[sub["measure"].isin(["mu_star", "ST"]), ["measure", "noise_floor"]]
        if len(floor) and np.isfinite(floor["noise_floor"].iloc[0]):
            ax.axvline(floor["noise_floor"].iloc[0], color="0.35", linestyle="--", linewidth=1,
                       label=f"{floor['measure'].iloc[0]} from replicate noise alone")  # fmt: skip
        ax.set_yticks(ypos, [p.removeprefix("parameters.") for p in params], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        npts = int(sub["n_points"].iloc[0])
        where = f"{sc}{f' [{cell}]' if cell else ''}"
        ax.set_title(f"{oc}\n{where}, {method}, {npts} points", fontsize=9)
        ax.set_xlabel(AXIS_LABELS[method], fontsize=8)
    for ax in axes.flat[len(groups) :]:
        ax.set_visible(False)
    if not groups:
        axes.flat[0].text(0.5, 0.5, "no indices", ha="center", va="center")
    return fig


def discovery_plot(
    batch_dir: str | Path | SampledBatch, outcome: str, boxes: pd.DataFrame | None = None
) -> Figure:
    """Scatter of the points over the box's two most restricted parameters (or the
    first two), coloured by the outcome's probability, with the PRIM box drawn."""
    from matplotlib.patches import Rectangle

    batch = batch_dir if isinstance(batch_dir, SampledBatch) else load_sampled(batch_dir)
    oc = parse_outcome(outcome, batch.runs)
    if boxes is None:
        boxes = scenario_discovery(batch, outcome)
    cells = list(_per_point(batch, oc).values())
    from matplotlib.figure import Figure

    fig = Figure(
        figsize=(5.0 * min(2, len(cells)), 4.2 * math.ceil(len(cells) / 2)), layout="constrained"
    )
    axes = fig.subplots(math.ceil(len(cells) / 2), min(2, len(cells)), squeeze=False)
    for ax, cell in zip(axes.flat, cells, strict=False):
        sub = boxes[(boxes["scenario"] == cell.scenario) & (boxes["cell"] == cell.cell)]
        restricted = [p for p in sub["parameter"] if p]
        pick = (restricted + [n for n in batch.names if n not in restricted])[:2]
        good = np.isfinite(cell.y)
        j0 = batch.names.index(pick[0])
        xs = cell.x[good, j0]
        if len(pick) > 1:
            j1 = batch.names.index(pick[1])
            ys = cell.x[good, j1]
        else:
            ys = cell.y[good]
        sc = ax.scatter(
            xs, ys, c=cell.y[good], cmap="viridis", vmin=0, vmax=1, s=18, edgecolors="none"
        )
        box = sub.set_index("parameter") if len(restricted) else None
        if box is not None and len(pick) > 1:
            (x0, x1), (y0, y1) = (
                (box.loc[p, "lo"], box.loc[p, "hi"]) if p in box.index else batch.bounds[j]
                for p, j in ((pick[0], j0), (pick[1], j1))
            )
            ax.add_patch(
                Rectangle(
                    (x0, y0),
                    x1 - x0,
                    y1 - y0,
                    fill=False,
                    edgecolor="red",
                    linewidth=1.6,
                    label="PRIM box",
                )
            )
            ax.legend(fontsize=8, loc="upper right")
        ax.set_xlabel(pick[0].removeprefix("parameters."), fontsize=8)
        ax.set_ylabel(pick[1].removeprefix("parameters.") if len(pick) > 1 else oc.name, fontsize=8)
        where = f"{cell.scenario}{f' [{cell.cell}]' if cell.cell else ''}"
        ax.set_title(f"{oc.name}: {where}", fontsize=9)
        fig.colorbar(sc, ax=ax, label=f"P({oc.name}) at the point", shrink=0.8)
    for ax in axes.flat[len(cells) :]:
        ax.set_visible(False)
    return fig


# --------------------------------------------------------------------------- the command's work


@dataclass
class SensitivityReport:
    """What :func:`write_sensitivity` produced."""

    folder: Path
    indices: pd.DataFrame
    boxes: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    confidence: float = 0.95

    def text(self) -> str:
        lines = [format_sensitivity(self.indices, self.confidence)]
        disc = format_discovery(self.boxes)
        if disc:
            lines += ["", disc]
        if self.notes:
            lines += ["", "notes:", *(f"  {n}" for n in self.notes)]
        if self.files:
            lines += ["", f"written to {self.folder}: " + ", ".join(p.name for p in self.files)]
        return "\n".join(lines)


def _slug(name: str) -> str:
    s = name.replace(">=", "_ge_").replace("<=", "_le_").replace(">", "_gt_").replace("<", "_lt_")
    return re.sub(r"[^\w.-]+", "_", s).strip("_")


def write_sensitivity(
    batch_dir: str | Path,
    outcomes: Sequence[str] | None = None,
    out: str | Path | None = None,
    *,
    figures: bool = True,
    confidence: float = 0.95,
    min_coverage: float = 0.5,
) -> SensitivityReport:
    """Indices (and scenario discovery for indicator outcomes) of a batch, written
    to ``out`` (default ``BATCH/sensitivity``): ``sensitivity.csv``,
    ``discovery.csv``, one PNG of indices per outcome and one PRIM scatter per
    indicator outcome."""
    batch = load_sampled(batch_dir)
    specs = list(outcomes) if outcomes else default_outcomes(batch.runs)
    notes: list[str] = []
    indices = sensitivity(batch, specs, confidence=confidence, notes=notes)
    parsed = [parse_outcome(s, batch.runs) for s in specs]
    boxes = []
    for oc in parsed:
        if not oc.binary:
            continue
        try:
            found = scenario_discovery(batch, oc.name, min_coverage=min_coverage)
        except SensitivityError as exc:
            notes.append(f"no scenario discovery: {exc}")
            continue
        if found.empty:
            notes.append(f"no scenario discovery for {oc.name}: it never varies across points")
        boxes.append(found)
    boxes = [b for b in boxes if not b.empty]
    box_table = pd.concat(boxes, ignore_index=True) if boxes else pd.DataFrame()
    folder = Path(out) if out is not None else batch.folder / "sensitivity"
    folder.mkdir(parents=True, exist_ok=True)
    rep = SensitivityReport(folder, indices, box_table, notes, confidence=confidence)
    indices.to_csv(folder / "sensitivity.csv", index=False)
    rep.files.append(folder / "sensitivity.csv")
    if not box_table.empty:
        box_table.to_csv(folder / "discovery.csv", index=False)
        rep.files.append(folder / "discovery.csv")
    if figures:
        for oc in parsed:
            fig = sensitivity_plot(indices, oc.name)
            path = folder / f"sensitivity_{_slug(oc.name)}.png"
            fig.savefig(path, dpi=110)
            rep.files.append(path)
            if oc.binary and not box_table.empty and (box_table["outcome"] == oc.name).any():
                fig = discovery_plot(batch, oc.name, box_table[box_table["outcome"] == oc.name])
                path = folder / f"discovery_{_slug(oc.name)}.png"
                fig.savefig(path, dpi=110)
                rep.files.append(path)
    return rep


__all__ = [
    "COLUMNS",
    "Outcome",
    "PrimResult",
    "SampledBatch",
    "SensitivityError",
    "SensitivityReport",
    "default_outcomes",
    "discovery_plot",
    "format_discovery",
    "format_sensitivity",
    "load_sampled",
    "outcome_names",
    "parse_outcome",
    "prim",
    "scenario_discovery",
    "sensitivity",
    "sensitivity_plot",
    "write_sensitivity",
]
