"""The audit: which numbers of a scenario matter, which do not (issue 11).

For every ranged number of a scenario (:meth:`Scenario.uncertain`: parameters,
actor attributes, event fields; the ``outcomes:`` thresholds are left to
:func:`~libyasim.analysis.threshold_robustness`), :func:`run_audit`

1. runs the scenario at the centre (the file's values) and with that one
   number at the low and at the high end of its range, all on the same seeds
   (common random numbers), through the batch engine (parallel, resumable,
   with progress);
2. measures the paired effect ``high - low`` on each headline outcome
   (:mod:`libyasim.model.headline`) with a 95% confidence interval, and the
   replicate-noise floor of that outcome;
3. runs a Morris screen (SALib) over the same numbers, one seed shared by all
   points, for interactions and non-linearity (``mu_star``, ``sigma``).

**The noise floor.** Two runs with the same seed and the same numbers are
identical, so the noise of a paired comparison is not what a repeat of it
would show. The floor of an outcome is the standard error of an ensemble
mean of that outcome over the audit's seeds at the centre:
``floor = sd_centre / sqrt(n_seeds)`` (``sd_centre`` the between-seed standard
deviation). It is how much replicate noise alone moves a reported mean of
that many runs. An effect is **beyond noise** when its paired 95% interval
(Student's t over the per-seed differences) excludes zero *and* its size
exceeds the floor: the first says the effect is real, the second that it is
larger than what seeds alone change. A number is **inert** when no outcome
moves beyond noise; a **cited** number (its evidence a ``source:``) that is
inert is decorative evidence, unless the scenario **marks** it (``inert:`` on
the number, saying why it cannot act there): marked numbers are listed with
their reasons, and a marked number that does act is reported so that its mark
can be removed.

Results (in ``out``): ``effects.parquet`` (number × outcome), ``numbers.parquet``
(one row per number: inert, cited, outcomes moved), ``morris.parquet``,
``audit.md`` (the readable report), ``tornado.png``, ``audit.json`` (settings,
run counts, CPU time), and the two batch folders ``oat/`` and ``morris/``.
"""

from __future__ import annotations

import json
import math
import resource
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.stats import t as student_t

from ..model.headline import describe, headline_values
from ..scenario import Scenario, load_scenario
from .commands import DEFAULT_SEEDS, DEFAULT_TRAJECTORIES  # the command's defaults

#: number paths the audit leaves out (classification thresholds: see threshold_robustness)
EXCLUDED_PREFIXES = ("outcomes.",)
#: how many numbers the report names per outcome as dominant
TOP = 5


class AuditError(ValueError):
    """An audit that cannot be run or read (the message says why)."""


@dataclass(frozen=True)
class AuditNumber:
    """A ranged number of a scenario and the two ends the audit moves it to."""

    path: str
    value: float
    low: float
    high: float
    source: str | None  # the evidence locator, when the number is cited
    assumption: str | None
    whole: bool = False  # a count: moved and sampled as whole numbers
    marked: str | None = None  # the scenario's reason why it does not act (``inert:``)

    @property
    def cited(self) -> bool:
        return self.source is not None

    @property
    def group(self) -> str:
        return self.path.split(".", 1)[0]


def audit_numbers(scenario: Scenario, vary: Sequence[str] = ()) -> list[AuditNumber]:
    """Every ranged number of ``scenario`` the audit moves (whole-number fields at
    whole ends), in the scenario's order; ``vary``: only paths matching a glob."""
    import fnmatch

    from ..batch.design import conform, whole_paths

    whole = whole_paths(scenario)
    out = []
    for path, q in scenario.quantities():
        if q.range is None or path.startswith(EXCLUDED_PREFIXES):
            continue
        if vary and not any(fnmatch.fnmatchcase(path, g) for g in vary):
            continue
        lo, hi = (float(v) for v in conform(list(q.range), q.range, whole=path in whole))
        if hi > lo:
            out.append(
                AuditNumber(
                    path, float(q.value), lo, hi, q.source, q.assumption, path in whole, q.inert
                )
            )
    return out


def audit_runner(scenario: Scenario, *, seed: int, months: int | None = None) -> Any:
    """The model's run with the headline outcomes added to the summary
    (``summary["headline"]``, so a batch stores ``fig__headline__<name>``); the
    series and event log are dropped (the audit does not need them)."""
    from ..model import run

    result = run(scenario, seed=seed, months=months)
    result.summary["headline"] = headline_values(result)
    # the worker's CPU time so far (per process, since its fork): the audit sums
    # each worker's last value to report its CPU cost honestly on a shared machine
    result.summary["worker_cpu_s"] = time.process_time()
    result.series = result.series[["step", "month"]].iloc[:0]
    result.events = result.events.iloc[:0]
    return result


@dataclass
class Audit:
    """What :func:`run_audit` found; :meth:`text` is the readable report."""

    scenario: str
    out: Path
    effects: pd.DataFrame
    numbers: pd.DataFrame
    morris: pd.DataFrame
    floors: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def inert(self) -> list[str]:
        return list(self.numbers.loc[self.numbers["inert"], "number"])

    @property
    def decorative(self) -> list[str]:
        """Cited numbers (``source:``) with no effect beyond noise that the scenario
        does not mark as not acting (``inert:``)."""
        n = self.numbers
        return list(n.loc[n["inert"] & n["cited"] & ~_is_marked(n), "number"])

    @property
    def marked(self) -> list[str]:
        """Numbers the scenario marks as not acting (``inert:``) that are indeed inert."""
        n = self.numbers
        return list(n.loc[n["inert"] & _is_marked(n), "number"])

    @property
    def marked_but_acting(self) -> list[str]:
        """Numbers the scenario marks as not acting that move an outcome beyond noise."""
        n = self.numbers
        return list(n.loc[~n["inert"] & _is_marked(n), "number"])

    def dominant(self, outcome: str, top: int = TOP) -> pd.DataFrame:
        """The numbers with the largest effect beyond noise on ``outcome``."""
        e = self.effects[(self.effects["outcome"] == outcome) & self.effects["beyond_noise"]]
        return e.reindex(e["effect"].abs().sort_values(ascending=False).index).head(top)

    def text(self) -> str:
        return format_audit(self)


def _is_marked(numbers: pd.DataFrame) -> pd.Series:
    if "marked" not in numbers:
        return pd.Series(False, index=numbers.index)
    return numbers["marked"].notna() & (numbers["marked"].astype(str) != "")


# --------------------------------------------------------------------------- running


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def workers_cpu_seconds(runs: pd.DataFrame) -> float:
    """CPU seconds the batch's workers spent, to their last run: the sum over
    workers of the largest ``worker_cpu_s`` an :func:`audit_runner` recorded."""
    from ..batch.columns import fig_column

    col = fig_column("worker_cpu_s")
    if col not in runs or "worker" not in runs:
        return float("nan")
    return float(runs.groupby("worker")[col].max().sum())


def morris_points(
    numbers: Sequence[AuditNumber], trajectories: int, seed: int, levels: int = 4
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """A Morris design over the numbers' ranges (SALib), made acceptable to the
    schema (:func:`~libyasim.batch.design.conform`); the drawn matrix and the points."""
    from SALib.sample import morris

    problem = {
        "num_vars": len(numbers),
        "names": [n.path for n in numbers],
        "bounds": [[n.low, n.high] for n in numbers],
    }
    from ..batch.design import conform

    x = morris.sample(problem, trajectories, num_levels=levels, seed=seed)
    columns = [
        conform(x[:, j], (n.low, n.high), whole=n.whole).tolist() for j, n in enumerate(numbers)
    ]
    names = [n.path for n in numbers]
    points = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return x, points


def run_audit(
    scenario: Scenario | str | Path,
    out: str | Path,
    *,
    seeds: int = DEFAULT_SEEDS,
    trajectories: int = DEFAULT_TRAJECTORIES,
    months: int | None = None,
    workers: int | None = None,
    vary: Sequence[str] = (),
    root_seed: int = 0,
    executor: str = "process",
    progress: bool = True,
    figures: bool = True,
) -> Audit:
    """Audit ``scenario`` into the folder ``out`` (resumable: run it again to
    finish an interrupted audit); see the module docstring."""
    from ..batch import Design, run_batch

    if seeds < 2:
        raise AuditError(f"The 'seeds' parameter must be >= 2. Got {seeds} instead.")
    if trajectories < 0:
        raise AuditError(f"The 'trajectories' parameter must be >= 0. Got {trajectories} instead.")
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    numbers = audit_numbers(sc, vary)
    if not numbers:
        what = f" matching {', '.join(vary)}" if vary else ""
        raise AuditError(f"{sc.id}: no number{what} has a range, so there is nothing to audit")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), _cpu_seconds()
    rows: list[dict[str, Any]] = [{}]
    for n in numbers:
        rows += [{n.path: _value(n.low)}, {n.path: _value(n.high)}]
    oat = Design(
        replicates=seeds, root_seed=root_seed, months=months, rows=tuple(rows), common_seeds=True
    )

    def batch(folder: str, design: Design) -> None:
        run_batch(
            [sc], out / folder, design, executor=executor, workers=workers,
            runner=audit_runner, progress=progress,
        )  # fmt: skip

    batch("oat", oat)
    x = None
    if trajectories:
        x, points = morris_points(numbers, trajectories, seed=int(root_seed % 2**32))
        design = Design(
            replicates=1, root_seed=root_seed, months=months, rows=tuple(points), common_seeds=True
        )
        batch("morris", design)
    from ..batch import load_runs

    worker_cpu = workers_cpu_seconds(load_runs(out / "oat"))
    if trajectories:
        worker_cpu += workers_cpu_seconds(load_runs(out / "morris"))
    settings = {
        "scenario": sc.id,
        "scenario_hash": sc.hash,
        "seeds": seeds,
        "trajectories": trajectories,
        "months": months or sc.months,
        "root_seed": root_seed,
        "vary": list(vary),
        "numbers": len(numbers),
        "runs": len(rows) * seeds + (0 if x is None else len(x)),
        "wall_s": round(time.perf_counter() - t0, 1),
        "cpu_s": round(_cpu_seconds() - c0 + worker_cpu, 1),
        "workers": workers,
    }
    audit = read_audit(out, sc, numbers, settings, x)
    audit.files += write_audit(audit, figures=figures)
    return audit


def _value(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


# --------------------------------------------------------------------------- analysis


def _headline_matrix(
    runs: pd.DataFrame, n_points: int, n_reps: int
) -> tuple[list[str], np.ndarray]:
    """Outcome names and an array (points, replicates, outcomes) of headline values
    (nan for failed or missing runs)."""
    from ..batch.columns import fig_column, figure_name

    prefix = fig_column("headline.")
    cols = [c for c in runs.columns if c.startswith(prefix)]
    names = [figure_name(c).removeprefix("headline.") for c in cols]
    y = np.full((n_points, n_reps, len(cols)), np.nan)
    ok = runs[runs["status"] == "ok"]
    if len(ok) and cols:
        p = ok["point"].to_numpy(int)
        r = ok["replicate"].to_numpy(int)
        y[p, r] = ok[cols].to_numpy(dtype=float, na_value=np.nan)
    return names, y


def _applicable(y: np.ndarray) -> np.ndarray:
    """Outcomes (last axis) that are defined and not constant over all runs."""
    flat = y.reshape(-1, y.shape[-1])
    defined = ~np.all(np.isnan(flat), axis=0)
    filled = np.where(np.isnan(flat), flat[0], flat)  # nan where the whole column is
    spread = np.zeros(flat.shape[1])
    spread[defined] = np.nanmax(filled[:, defined], axis=0) - np.nanmin(filled[:, defined], axis=0)
    return defined & (spread > 0)


def paired_effects(
    y: np.ndarray, numbers: Sequence[AuditNumber], outcomes: Sequence[str], confidence: float = 0.95
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Effects ``high - low`` per number and outcome from ``y`` (points: centre, then
    low and high of each number; replicates; outcomes), and the floors per outcome.

    Effect: the mean over seeds of the paired difference; interval: Student's t
    with n-1 degrees of freedom on the per-seed differences; floor: the centre's
    between-seed standard deviation over sqrt(number of seeds)."""
    with warnings.catch_warnings():  # all-nan outcomes (no ceasefire...) give nan, quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        return _paired_effects(y, numbers, outcomes, confidence)


def _paired_effects(
    y: np.ndarray, numbers: Sequence[AuditNumber], outcomes: Sequence[str], confidence: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    centre = y[0]
    n_c = np.sum(~np.isnan(centre), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_c = np.nanstd(centre, axis=0, ddof=1)
        floor = sd_c / np.sqrt(n_c)
        mean_c = np.nanmean(centre, axis=0)
    floors = pd.DataFrame(
        {"outcome": list(outcomes), "centre": mean_c, "sd": sd_c, "floor": floor, "n": n_c}
    )
    lo, hi = y[1::2], y[2::2]  # (numbers, replicates, outcomes)
    d = hi - lo
    n = np.sum(~np.isnan(d), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        effect = np.nanmean(d, axis=1)
        sd = np.nanstd(d, axis=1, ddof=1)
        tcrit = student_t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(sd > 0, tcrit * sd / np.sqrt(n), 0.0)
        low_mean = np.nanmean(lo, axis=1) - mean_c
        high_mean = np.nanmean(hi, axis=1) - mean_c
    k, m = effect.shape
    beyond = (np.abs(effect) > half) & (np.abs(effect) > np.nan_to_num(floor)[None, :]) & (n >= 2)
    frame = pd.DataFrame(
        {
            "number": np.repeat([x.path for x in numbers], m),
            "group": np.repeat([x.group for x in numbers], m),
            "cited": np.repeat([x.cited for x in numbers], m),
            "low": np.repeat([x.low for x in numbers], m),
            "high": np.repeat([x.high for x in numbers], m),
            "outcome": np.tile(list(outcomes), k),
            "effect": effect.ravel(),
            "ci_lo": (effect - half).ravel(),
            "ci_hi": (effect + half).ravel(),
            "floor": np.tile(floor, k),
            "at_low": low_mean.ravel(),
            "at_high": high_mean.ravel(),
            "n": n.ravel(),
            "beyond_noise": beyond.ravel(),
        }
    )
    return frame, floors


def morris_indices(
    x: np.ndarray, y: np.ndarray, numbers: Sequence[AuditNumber], outcomes: Sequence[str]
) -> pd.DataFrame:
    """SALib's Morris mu*, sigma (and mu, mu* confidence) per number and outcome;
    outcomes with a failed run are left out."""
    from SALib.analyze import morris

    problem = {
        "num_vars": len(numbers),
        "names": [n.path for n in numbers],
        "bounds": [[n.low, n.high] for n in numbers],
    }
    frames = []
    for j, name in enumerate(outcomes):
        col = y[:, j]
        if np.isnan(col).any():
            continue
        si = morris.analyze(problem, x, col, num_levels=4, seed=0)
        frames.append(
            pd.DataFrame(
                {
                    "number": problem["names"],
                    "outcome": name,
                    "mu_star": np.asarray(si["mu_star"], dtype=float),
                    "mu_star_conf": np.asarray(si["mu_star_conf"], dtype=float),
                    "sigma": np.asarray(si["sigma"], dtype=float),
                    "mu": np.asarray(si["mu"], dtype=float),
                }
            )
        )
    cols = ["number", "outcome", "mu_star", "mu_star_conf", "sigma", "mu"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def read_audit(
    out: str | Path,
    scenario: Scenario | None = None,
    numbers: Sequence[AuditNumber] | None = None,
    settings: dict[str, Any] | None = None,
    x: np.ndarray | None = None,
) -> Audit:
    """The audit of a folder :func:`run_audit` wrote (its batches analysed again)."""
    from ..batch import load_runs
    from ..batch.store import BatchStore

    out = Path(out)
    if settings is None:
        path = out / "audit.json"
        if not path.is_file():
            raise AuditError(f"{out}: no audit.json (not an audit folder)")
        settings = json.loads(path.read_text(encoding="utf-8"))
    if scenario is None:
        from ..scenario import from_dict

        entry = BatchStore(out / "oat").manifest()["scenarios"][0]
        scenario = from_dict(entry["resolved"], name=str(entry["id"]))
    if numbers is None:
        numbers = audit_numbers(scenario, settings.get("vary", ()))
    numbers = list(numbers)
    seeds = int(settings["seeds"])
    runs = load_runs(out / "oat")
    names, y = _headline_matrix(runs, 1 + 2 * len(numbers), seeds)
    keep = _applicable(y)
    outcomes = [n for n, k in zip(names, keep, strict=True) if k]
    effects, floors = paired_effects(y[:, :, keep], numbers, outcomes)
    morris = pd.DataFrame(columns=["number", "outcome", "mu_star", "mu_star_conf", "sigma", "mu"])
    if int(settings.get("trajectories", 0)) and (out / "morris").is_dir():
        if x is None:
            x, _ = morris_points(
                numbers, int(settings["trajectories"]), seed=int(settings["root_seed"]) % 2**32
            )
        mruns = load_runs(out / "morris")
        mnames, my = _headline_matrix(mruns, len(x), 1)
        pick = [mnames.index(o) for o in outcomes if o in mnames]
        morris = morris_indices(x, my[:, 0, pick], numbers, [mnames[i] for i in pick])
    by = effects.groupby("number", sort=False)
    moved = by.apply(lambda g: ", ".join(g.loc[g["beyond_noise"], "outcome"]), include_groups=False)
    table = pd.DataFrame(
        {
            "number": [n.path for n in numbers],
            "group": [n.group for n in numbers],
            "value": [n.value for n in numbers],
            "low": [n.low for n in numbers],
            "high": [n.high for n in numbers],
            "cited": [n.cited for n in numbers],
            "source": [n.source for n in numbers],
            "marked": [n.marked for n in numbers],
        }
    )
    table["outcomes_moved"] = table["number"].map(moved).fillna("")
    table["inert"] = table["outcomes_moved"] == ""
    if not morris.empty:
        top = morris.groupby("number")["mu_star"].max()
        table["morris_max_mu_star_scaled"] = table["number"].map(_scaled_mu_star(morris, floors))
        table["morris_max_mu_star"] = table["number"].map(top)
    return Audit(scenario.id, out, effects, table, morris, floors, dict(settings))


def _scaled_mu_star(morris: pd.DataFrame, floors: pd.DataFrame) -> pd.Series:
    """Each number's largest mu* over outcomes, in units of that outcome's centre sd."""
    sd = floors.set_index("outcome")["sd"]
    scaled = morris["mu_star"] / morris["outcome"].map(sd).replace(0, np.nan)
    return scaled.groupby(morris["number"]).max()


# --------------------------------------------------------------------------- output


def write_audit(audit: Audit, figures: bool = True) -> list[Path]:
    out = audit.out
    files = []
    for name, table in (
        ("effects.parquet", audit.effects),
        ("numbers.parquet", audit.numbers),
        ("morris.parquet", audit.morris),
        ("floors.parquet", audit.floors),
    ):
        table.to_parquet(out / name, index=False)
        files.append(out / name)
    (out / "audit.json").write_text(json.dumps(audit.settings, indent=2) + "\n", encoding="utf-8")
    files.append(out / "audit.json")
    if figures and not audit.effects.empty:
        fig = tornado_plot(audit)
        fig.savefig(out / "tornado.png", dpi=110)
        files.append(out / "tornado.png")
    audit.files = [*files, out / "audit.md"]
    (out / "audit.md").write_text(format_audit(audit) + "\n", encoding="utf-8")
    return audit.files


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    a = abs(x)
    return f"{x:,.0f}" if a >= 100 else f"{x:.3g}"


def _ci(r: Any) -> str:
    return f"{_fmt(r.effect)} [{_fmt(r.ci_lo)}, {_fmt(r.ci_hi)}]"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _grouped(paths: Sequence[str], limit: int = 400) -> list[str]:
    by: dict[str, list[str]] = {}
    for p in paths:
        by.setdefault(p.split(".", 1)[0], []).append(p)
    lines = []
    for g, ps in by.items():
        shown = ", ".join(f"`{p}`" for p in ps[:limit])
        more = f" and {len(ps) - limit} more" if len(ps) > limit else ""
        lines.append(f"- **{g}** ({len(ps)}): {shown}{more}")
    return lines


def format_audit(audit: Audit) -> str:
    """The audit as Markdown: settings, floors, dominant numbers per outcome,
    inert numbers, decorative evidence, the Morris screen."""
    s = audit.settings
    n = audit.numbers
    lines = [
        f"# Audit of `{audit.scenario}`",
        "",
        f"{s.get('numbers', len(n))} ranged numbers, each run at the low and high end of its "
        f"range on {s.get('seeds')} common seeds over {s.get('months')} months; Morris screen of "
        f"{s.get('trajectories')} trajectories; {s.get('runs')} runs in {s.get('wall_s')} s "
        f"({s.get('cpu_s')} s of CPU).",
        "",
        f"**{int(n['inert'].sum())} of {len(n)} numbers are inert** (no effect beyond noise on "
        f"any headline outcome); **{len(audit.decorative)} of {int(n['cited'].sum())} cited "
        "numbers are inert** without a mark (their evidence is decorative); "
        f"{len(audit.marked)} numbers are marked as not acting in this scenario and are inert"
        + (f", {len(audit.marked_but_acting)} marked ones act" if audit.marked_but_acting else "")
        + ".",
        "",
        "An effect is beyond noise when its paired 95% interval excludes 0 and its size "
        "exceeds the outcome's floor (the standard error of an ensemble mean over the audit's "
        "seeds at the centre).",
        "",
        "## Headline outcomes at the centre",
        "",
        "| outcome | mean | sd | floor | numbers beyond noise |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    e = audit.effects
    count = e[e["beyond_noise"]].groupby("outcome").size()
    for r in audit.floors.itertuples():
        lines.append(
            f"| `{r.outcome}` | {_fmt(r.centre)} | {_fmt(r.sd)} | {_fmt(r.floor)} | "
            f"{int(count.get(r.outcome, 0))} |"
        )
    lines += [
        "",
        f"## The numbers that dominate each outcome (top {TOP}, effect high - low [95% CI])",
        "",
    ]
    for o in audit.floors["outcome"]:
        top = audit.dominant(o)
        if top.empty:
            lines.append(f"- `{o}`: no number moves it beyond noise")
            continue
        cells = "; ".join(f"`{r.number}` {_ci(r)}" for r in top.itertuples())
        lines.append(f"- `{o}` ({describe(o)}): {cells}")
    lines += ["", f"## Inert numbers ({len(audit.inert)})", ""]
    lines += _grouped(audit.inert) or ["none"]
    lines += [
        "",
        f"## Cited numbers that are inert: decorative evidence ({len(audit.decorative)})",
        "",
    ]
    cited = n[n["inert"] & n["cited"] & ~_is_marked(n)]
    lines += [f"- `{r.number}` (`{r.source}`)" for r in cited.itertuples()] or ["none"]
    marked = n[_is_marked(n)]
    if not marked.empty:
        lines += [
            "",
            f"## Numbers marked as not acting in this scenario ({len(marked)})",
            "",
            "The scenario says why each cannot act (`inert:` on the number); the verdict is "
            "this audit's.",
            "",
        ]
        for r in marked.itertuples():
            verdict = (
                "inert, as marked"
                if r.inert
                else f"**acts** (moves {r.outcomes_moved}): the mark should go"
            )
            src = f" (`{r.source}`)" if r.cited else ""
            lines.append(f"- `{r.number}`{src}: {verdict}. {_sentence(str(r.marked))}")
    if not audit.morris.empty:
        lines += [
            "",
            "## Morris screen (mu*: mean |elementary effect|; sigma >> mu*: interactions or "
            "non-linearity)",
            "",
        ]
        for o, sub in audit.morris.groupby("outcome", sort=False):
            top = sub.sort_values("mu_star", ascending=False).head(TOP)
            cells = "; ".join(
                f"`{r.number}` {_fmt(r.mu_star)} (sigma {_fmt(r.sigma)})" for r in top.itertuples()
            )
            lines.append(f"- `{o}`: {cells}")
        if "morris_max_mu_star" in n:
            silent = n[n["inert"] & (n["morris_max_mu_star"].fillna(0) > 0)]
            lines += [
                "",
                f"{len(silent)} numbers inert one at a time have a non-zero Morris effect "
                "(moved together with others).",
            ]
    return "\n".join(lines)


def tornado_plot(audit: Audit, outcomes: Sequence[str] | None = None, top: int = 12) -> Figure:
    """Tornado panels: per outcome, the numbers with the largest effects, bars from
    the centre's mean to the mean at the low (blue) and high (red) end; grey band:
    the noise floor; black whiskers: the 95% interval of high - low."""
    e = audit.effects
    if outcomes is None:
        moved = e[e["beyond_noise"]].groupby("outcome").size()
        outcomes = [o for o in audit.floors["outcome"] if moved.get(o, 0) > 0][:6]
    outcomes = list(outcomes) or list(audit.floors["outcome"][:1])
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig = Figure(figsize=(5.2 * cols, 0.6 + 0.28 * top * rows + 0.6 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    floor = audit.floors.set_index("outcome")["floor"]
    for ax, o in zip(axes, outcomes, strict=False):
        sub = e[e["outcome"] == o]
        sub = sub.reindex(sub["effect"].abs().sort_values(ascending=False).index).head(top)
        y = np.arange(len(sub))[::-1]
        ax.barh(y, sub["at_low"], color="#1f77b4", height=0.7, label="at low end")
        ax.barh(y, sub["at_high"], color="#d62728", height=0.7, alpha=0.8, label="at high end")
        ax.errorbar(
            sub["effect"], y, xerr=[sub["effect"] - sub["ci_lo"], sub["ci_hi"] - sub["effect"]],
            fmt="o", color="black", ms=3, lw=1, label="high - low, 95% CI",
        )  # fmt: skip
        f = float(floor.get(o, 0.0))
        if f > 0:
            ax.axvspan(-f, f, color="0.85", zorder=0, label="noise floor")
        ax.axvline(0, color="0.3", lw=0.8)
        labels = [
            ("* " if not b else "") + _short(p)
            for p, b in zip(sub["number"], sub["beyond_noise"], strict=True)
        ]
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_title(o, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes[len(outcomes) :]:
        ax.set_axis_off()
    axes[0].legend(fontsize=6, loc="lower right")
    fig.suptitle(
        f"audit of {audit.scenario}: change from the centre at each end of a number's range "
        "(* within noise)",
        fontsize=10,
    )
    return fig


def _short(path: str, width: int = 42) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1) :]


__all__ = [
    "Audit",
    "AuditError",
    "AuditNumber",
    "audit_numbers",
    "audit_runner",
    "format_audit",
    "morris_indices",
    "morris_points",
    "paired_effects",
    "read_audit",
    "run_audit",
    "tornado_plot",
]


# --------------------------------------------------------------------------- mechanism gate


def without_event(scenario: Scenario, event: str) -> Scenario:
    """``scenario`` without the event whose id is ``event`` (a mechanism gate's low end
    for an event lever)."""
    events = [e for e in scenario.events if e.id != event]
    if len(events) == len(scenario.events):
        raise AuditError(f"{scenario.id}: no event {event!r}")
    return scenario.model_copy(update={"events": events})


def mechanism_effects(
    mechanisms: Sequence[Any],
    scenarios_dir: str | Path,
    seeds: int | None = None,
    months: int | str | None = "each",
) -> pd.DataFrame:
    """Each mechanism's lever at its two ends on common seeds (seeds 0..n-1),
    serially: its paired effect on its declared outcome, the interval, the floor
    and whether it is beyond noise (the audit's rule). One row per mechanism.

    A mechanism's ``seeds`` and ``months`` (None: the scenario's length) apply
    unless ``seeds`` / ``months`` are given here. A lever ``events.<id>`` is the
    event itself: the scenario without it at the low end, as it is at the high end."""
    from ..model import run

    def plan(m: Any) -> tuple[int, int | None]:
        n_seeds = int(m.seeds if seeds is None else seeds)
        return n_seeds, (m.months if isinstance(months, str) else months)

    rows = []
    groups: dict[tuple[str, int | None], list[Any]] = {}
    for m in mechanisms:
        groups.setdefault((m.scenario, plan(m)[1]), []).append(m)
    for (name, n_months), group in groups.items():
        sc = load_scenario(Path(scenarios_dir) / f"{name}.yaml")
        numbers = {n.path: n for n in audit_numbers(sc)}
        n_seeds = max(plan(m)[0] for m in group)

        def values(s: Scenario, n: int, n_months: int | None = n_months) -> list[dict[str, float]]:
            return [headline_values(run(s, seed=k, months=n_months)) for k in range(n)]

        centre = values(sc, n_seeds)
        for m in group:
            k = plan(m)[0]
            if m.toggles_event:
                event = m.lever.split(".", 1)[1]
                n = AuditNumber(m.lever, 1.0, 0.0, 1.0, None, "the event itself")
                lo, hi = values(without_event(sc, event), k), centre[:k]
            else:
                found = numbers.get(m.lever)
                if found is None:
                    raise AuditError(
                        f"mechanism {m.name}: {m.lever} is not a ranged number of {name}"
                    )
                n = found
                lo = values(sc.with_values({m.lever: _value(n.low)}), k)
                hi = values(sc.with_values({m.lever: _value(n.high)}), k)
            y = np.array(
                [[[v.get(m.outcome, np.nan)] for v in runs] for runs in (centre[:k], lo, hi)]
            )
            effects, _ = paired_effects(y, [n], [m.outcome])
            rows.append({"mechanism": m.name, "seeds": k, "months": n_months or sc.months,
                         **effects.iloc[0].to_dict()})  # fmt: skip
    return pd.DataFrame(rows)
