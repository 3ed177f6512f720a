"""History matching in waves (Vernon, Goldstein & Bower 2010, *Bayesian
Analysis* 5: 619; Andrianakis et al. 2015, *PLoS Comput Biol* 11: e1003968).

For each point x of the mechanism-parameter space, ``R`` replicate runs give,
for each target t of each pattern, a mean ``m_t(x)`` and a variance
``V_ens,t(x)`` (the model's own stochastic spread). Its implausibility is

    I_t(x) = |m_t(x) - z_t| / sqrt(V_tol,t + V_md,t + V_ens,t(x))

with ``z_t`` the observed value, ``V_tol = (h/2)^2`` the observation
uncertainty (the tolerance half-width ``h`` read as two standard deviations)
and ``V_md = (d * |z|)^2`` a model-discrepancy term (``d`` =
``discrepancy``, 10% by default; ``h`` stands in for ``|z|`` when z = 0): the
model is a caricature and no parameter set should be asked to hit a target
closer than that. A pattern's implausibility is the largest of its
computable targets'. A point is **non-implausible** when the largest (``cut =
"max"``) or the second largest (``cut = "second"``, the default: one fitted
pattern may miss, as Vernon et al. allow when many outputs are matched at
once) fitted-pattern implausibility is at most ``cutoff`` = 3 (Pukelsheim's
three-sigma rule, which holds for any unimodal distribution at 95%).

Wave 1 draws a Latin hypercube over the ranges of the scenario's
``parameters.*`` (``Scenario.uncertain()``); each later wave draws a new Latin
hypercube inside the bounding box of the non-implausible points found so far,
widened by ``widen`` of each original range on each side (without an
emulator, the box is the refocused region). Runs go through the batch engine
(:func:`libyasim.batch.run_batch`): parallel, with a progress bar, and
resumable -- each wave is a batch folder, and running the same command again
finishes what is missing.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import json
from collections.abc import Callable, Sequence, Set
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..batch.columns import FIG, figure_name
from ..scenario import Scenario, load_scenario
from .emulator import fit_wave
from .patterns import PATTERNS, Pattern, RunView, Target, Use, evaluate
from .sample import write_sample

#: series variables the metrics read (the rest of a run's series is not loaded)
SERIES_VARIABLES = ("fatalities", "battle_deaths", "strength", "support", "population")


class CalibrationError(ValueError):
    """A calibration that cannot start or resume."""


@dataclass(frozen=True)
class Settings:
    """What a calibration does; see the module docstring."""

    waves: int = 3
    points: int = 40
    replicates: int = 3
    months: int | None = None
    cutoff: float = 3.0
    cut: str = "second"
    discrepancy: float = 0.1
    widen: float = 0.25
    seed: int = 0
    vary: tuple[str, ...] = ("parameters.*",)
    method: str = "emulator"
    candidates: int = 20000
    active: int = 8

    def __post_init__(self) -> None:
        for name in ("waves", "points", "replicates"):
            if getattr(self, name) < 1:
                raise CalibrationError(
                    f"The '{name}' parameter must be >= 1. Got {getattr(self, name)} instead."
                )
        if self.cut not in ("max", "second"):
            raise CalibrationError(f"The 'cut' parameter must be max or second. Got {self.cut!r}.")
        if not self.cutoff > 0:
            raise CalibrationError(f"The 'cutoff' parameter must be > 0. Got {self.cutoff}.")
        if not 0 <= self.discrepancy <= 1:
            raise CalibrationError(
                f"The 'discrepancy' parameter must be in [0, 1]. Got {self.discrepancy}."
            )
        if not 0 <= self.widen <= 1:
            raise CalibrationError(f"The 'widen' parameter must be in [0, 1]. Got {self.widen}.")
        if self.method not in ("emulator", "box"):
            raise CalibrationError(
                f"The 'method' parameter must be emulator or box. Got {self.method!r}."
            )
        for name in ("candidates", "active"):
            if getattr(self, name) < 1:
                raise CalibrationError(
                    f"The '{name}' parameter must be >= 1. Got {getattr(self, name)} instead."
                )


# --------------------------------------------------------------------------- the space


def parameter_space(
    scenario: Scenario, vary: Sequence[str] = ("parameters.*",)
) -> dict[str, tuple[float, float]]:
    """The mechanism parameters to calibrate: ``parameters.*`` with a range, matching ``vary``."""
    out = {
        p: (float(lo), float(hi))
        for p, (lo, hi) in scenario.uncertain().items()
        if p.startswith("parameters.") and hi > lo and any(fnmatch.fnmatchcase(p, g) for g in vary)
    }
    if not out:
        raise CalibrationError(
            f"scenario {scenario.id}: no mechanism parameter with a range matches {', '.join(vary)}"
        )
    return out


def integer_paths(scenario: Scenario, names: Sequence[str]) -> set[str]:
    """The paths among ``names`` the model reads as whole numbers (``Count`` fields)."""
    from ..batch.design import whole_paths

    return set(names) & whole_paths(scenario)


def lhs_in_box(
    box: dict[str, tuple[float, float]], n: int, seed: int, ints: Set[str] = frozenset()
) -> list[dict[str, float]]:
    """``n`` Latin-hypercube points inside ``box`` (scipy.stats.qmc), ints rounded."""
    from scipy.stats import qmc

    names = list(box)
    u = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(n)
    lo = np.array([box[k][0] for k in names])
    hi = np.array([box[k][1] for k in names])
    x = np.clip(qmc.scale(u, lo, hi) if np.all(hi > lo) else lo + u * (hi - lo), lo, hi)
    rows = []
    for row in x:
        rows.append(
            {
                k: (float(round(v)) if k in ints else float(f"{v:.12g}"))
                for k, v in zip(names, row, strict=True)
            }
        )
    return rows


def refocus(
    space: dict[str, tuple[float, float]], kept: Sequence[dict[str, float]], widen: float
) -> dict[str, tuple[float, float]]:
    """The bounding box of the non-implausible points, widened and clipped to ``space``."""
    box = {}
    for k, (lo, hi) in space.items():
        vals = [float(p[k]) for p in kept]
        pad = widen * (hi - lo)
        box[k] = (max(lo, min(vals) - pad), min(hi, max(vals) + pad))
    return box


# --------------------------------------------------------------------------- implausibility


def implausibility(
    values: np.ndarray, target: Target, discrepancy: float
) -> tuple[float, float, float]:
    """(mean, ensemble variance, implausibility) of one target at one point; NaNs if none."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return float("nan"), float("nan"), float("nan")
    mean = float(v.mean())
    var_ens = float(v.var(ddof=1)) if len(v) > 1 else 0.0
    var_tol = (target.tolerance / 2) ** 2
    scale = abs(target.value) if target.value != 0 else target.tolerance
    var_md = (discrepancy * scale) ** 2
    denom = np.sqrt(var_tol + var_md + var_ens)
    return mean, var_ens, float(abs(mean - target.value) / denom) if denom > 0 else float("inf")


def point_table(
    per_run: pd.DataFrame,
    patterns: Sequence[Pattern],
    settings: Settings,
    computable: set[str],
) -> pd.DataFrame:
    """One row per point: each computable target's mean and I, each pattern's I, the cut."""
    rows = []
    for point, g in per_run.groupby("point", sort=True):
        row: dict[str, Any] = {"point": int(point)}
        fitted: list[float] = []
        for p in patterns:
            worst = float("nan")
            for t in p.targets:
                if t.name not in computable:
                    continue
                mean, _var, imp = implausibility(g[t.name].to_numpy(), t, settings.discrepancy)
                row[f"mean.{t.name}"] = mean
                row[f"I.{t.name}"] = imp
                if not np.isnan(imp):
                    worst = imp if np.isnan(worst) else max(worst, imp)
            row[f"I.{p.id}"] = worst
            if p.use is Use.FIT and not np.isnan(worst):
                fitted.append(worst)
        fitted.sort(reverse=True)
        row["I_max"] = fitted[0] if fitted else float("nan")
        row["I_second"] = fitted[1] if len(fitted) > 1 else row["I_max"]
        key = row["I_max"] if settings.cut == "max" else row["I_second"]
        row["non_implausible"] = bool(fitted) and bool(key <= settings.cutoff)
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- emulated designs


def unit_cube(
    rows: Sequence[dict[str, float]], space: dict[str, tuple[float, float]]
) -> np.ndarray:
    """Points (``{path: value}``) as rows of the unit cube of ``space``."""
    lo = np.array([space[k][0] for k in space])
    hi = np.array([space[k][1] for k in space])
    x = np.array([[float(r[k]) for k in space] for r in rows], dtype=float).reshape(-1, len(space))
    return (x - lo) / (hi - lo)


#: share of the runs at the non-implausible points that must lie in a target's
#: tolerance band for the target to be matched
MATCH_SHARE = 0.5
#: extra candidate draws when the emulated region is too small for a wave
REDRAWS = 3
#: points an emulator is fitted on at most: the latest waves' (a Gaussian
#: process costs the cube of its points; the earlier waves' emulators keep
#: ruling out what they ruled out, as in Andrianakis et al. 2015)
TRAIN_POINTS = 320


def _recent_waves(designs: Sequence[Sequence[Any]]) -> list[int]:
    """The latest waves whose points add up to at most ``TRAIN_POINTS`` (at least one)."""
    out: list[int] = []
    total = 0
    for j in range(len(designs) - 1, -1, -1):
        if out and total + len(designs[j]) > TRAIN_POINTS:
            break
        out.insert(0, j)
        total += len(designs[j])
    return out


@dataclass
class Pick:
    """The next wave's design, chosen with the emulators."""

    rows: list[dict[str, float]]
    box: dict[str, tuple[float, float]]
    share: float  # estimated share of the whole space the emulators do not rule out
    accepted: int
    tried: int
    from_nroy: int


def nroy_design(
    emulators: Sequence[Any],
    space: dict[str, tuple[float, float]],
    box: dict[str, tuple[float, float]],
    settings: Settings,
    *,
    seed: int,
    ints: Set[str] = frozenset(),
) -> Pick:
    """``settings.points`` points of the region no wave's emulators rule out.

    ``settings.candidates`` Latin-hypercube candidates are drawn in ``box``
    (the bounding box of the last region, which holds it) and judged by every
    wave's emulators in turn (the cut of :class:`Settings`); the region's share
    of the whole space is the accepted share times the box's volume. When
    fewer are accepted than the wave needs, up to ``REDRAWS`` more sets of
    candidates are drawn in the bounding box of those accepted. The next wave
    takes a random subset of the accepted candidates; if there are still too
    few, the least implausible of the others fill the design (the wave table
    says how many) and the box does not shrink.
    """

    def judge(region: dict[str, tuple[float, float]], k: int) -> tuple[list, np.ndarray]:
        cand = lhs_in_box(region, settings.candidates, seed=seed + 7919 * k, ints=ints)
        u = unit_cube(cand, space)
        worst = np.zeros(len(u))
        for em in emulators:
            worst = np.maximum(worst, em.cut(u, settings.discrepancy, settings.cut))
        return cand, worst

    cand, worst = judge(box, 0)
    ok = worst <= settings.cutoff
    vol = float(np.prod([(box[p][1] - box[p][0]) / (space[p][1] - space[p][0]) for p in space]))
    share = vol * int(ok.sum()) / len(cand)
    accepted, tried = int(ok.sum()), len(cand)
    n = settings.points
    for k in range(1, REDRAWS + 1):  # a small region: look again inside its bounding box
        if not 0 < ok.sum() < n:
            break
        more, w = judge(refocus(space, [c for c, o in zip(cand, ok, strict=True) if o], 0.0), k)
        cand, worst = cand + more, np.concatenate([worst, w])
        ok = worst <= settings.cutoff
    rng = np.random.default_rng(seed)
    idx = np.flatnonzero(ok)
    if len(idx) >= n:
        chosen = np.sort(rng.choice(idx, size=n, replace=False))
        new_box = refocus(space, [cand[i] for i in idx], 0.0)
        from_nroy = n
    else:
        order = np.argsort(worst, kind="stable")
        chosen = np.concatenate([idx, order[~ok[order]][: n - len(idx)]])
        new_box = dict(box)
        from_nroy = len(idx)
    return Pick(
        rows=[cand[int(i)] for i in chosen],
        box=new_box,
        share=share,
        accepted=accepted,
        tried=tried,
        from_nroy=from_nroy,
    )


# --------------------------------------------------------------------------- runs -> metrics


def run_views(
    folder: str | Path, scenario: Scenario, variables: Sequence[str] | None = SERIES_VARIABLES
):  # -> Iterator[tuple[run_id, point, replicate, RunView]]
    """Each ok run of a batch folder as a :class:`RunView`."""
    from ..batch import load_events, load_runs, load_series

    runs = load_runs(folder)
    runs = runs[runs["status"] == "ok"]
    series = load_series(folder, variables=variables)
    series = series[series["step"] > 0]
    series["month"] = series["month"].dt.strftime("%Y-%m")  # the model's YYYY-MM months
    series = series.assign(col=series["variable"].astype(str) + "." + series["actor"].astype(str))
    wide_all = series.pivot_table(
        index=["run_id", "month"], columns="col", values="value", aggfunc="first"
    )
    by_run_series = {
        str(rid): g.droplevel("run_id").reset_index()
        for rid, g in wide_all.groupby(level="run_id", sort=False)
    }
    events = load_events(folder)
    if len(events):  # plain Python strings: comparisons on Arrow-backed columns are slow here
        events["month"] = events["month"].dt.strftime("%Y-%m")  # the model's YYYY-MM months
        text = [c for c in events.columns if not pd.api.types.is_numeric_dtype(events[c])]
        events = events.astype({c: object for c in text})
    by_run_events = dict(iter(events.groupby("run_id"))) if len(events) else {}
    control = {r.id: r.controller for r in scenario.regions}
    durations = intervention_months(scenario)
    empty = pd.DataFrame(
        columns=["step", "month", "kind", "region", "actor1", "actor2", "fatalities", "note"]
    )
    for rec in runs.to_dict("records"):
        wide = by_run_series.get(rec["run_id"])
        if wide is None:
            continue
        wide.columns.name = None
        figs = {figure_name(k): v for k, v in rec.items() if str(k).startswith(FIG)}
        yield (
            rec["run_id"],
            int(rec["point"]),
            int(rec["replicate"]),
            RunView(
                series=wide,
                events=by_run_events.get(rec["run_id"], empty),
                summary=figs,
                initial_control=control,
                intervention_months=durations,
            ),
        )


def intervention_months(scenario: Scenario) -> dict[tuple[str, str, str], int]:
    """(sponsor, client, ``YYYY-MM``) -> months of each scheduled direct intervention."""
    return {
        (str(e.sponsor), str(e.client), str(e.date)[:7]): int(e.months)
        for e in scenario.events
        if getattr(e, "type", None) == "direct_intervention"
    }


def evaluate_folder(
    folder: str | Path,
    scenario: Scenario,
    patterns: Sequence[Pattern],
    variables: Sequence[str] | None = SERIES_VARIABLES,
) -> tuple[pd.DataFrame, set[str]]:
    """Per-run target values of a batch folder, and the event kinds its runs logged."""
    from ..batch import load_events

    rows = []
    for run_id, point, rep, view in run_views(folder, scenario, variables):
        rows.append(
            {"run_id": run_id, "point": point, "replicate": rep, **evaluate(view, patterns)}
        )
    ev = load_events(folder)
    kinds = set(ev["kind"].astype(str).unique()) if len(ev) else set()
    return pd.DataFrame(rows), kinds


def computable_targets(
    per_run: pd.DataFrame, patterns: Sequence[Pattern], kinds: set[str]
) -> set[str]:
    out = set()
    for p in patterns:
        for t in p.targets:
            if t.needs and not (set(t.needs) & kinds):
                continue
            if t.name in per_run and per_run[t.name].notna().any():
                out.add(t.name)
    return out


# --------------------------------------------------------------------------- the waves


@dataclass
class Calibration:
    """What a calibration found (also written to ``OUT/calibration.json``)."""

    out: Path
    settings: Settings
    space: dict[str, tuple[float, float]]
    waves: list[dict[str, Any]] = field(default_factory=list)
    patterns: list[dict[str, Any]] = field(default_factory=list)
    sample_path: Path | None = None
    n_non_implausible: int = 0
    ensemble: str = ""

    def table(self) -> str:
        return report_text(self)


def _identity(scenario: Scenario, settings: Settings, patterns: Sequence[Pattern]) -> dict:
    return {
        "scenario": {"id": scenario.id, "hash": scenario.hash},
        "settings": {**asdict(settings), "vary": list(settings.vary)},
        "patterns": [
            {
                "id": p.id,
                "use": str(p.use),
                "targets": [[t.name, t.value, t.tolerance, list(t.needs)] for t in p.targets],
            }
            for p in patterns
        ],
    }


def calibrate(
    scenario: Scenario | str | Path,
    out: str | Path,
    settings: Settings = Settings(),
    *,
    patterns: Sequence[Pattern] = PATTERNS,
    executor: str = "process",
    workers: int | None = None,
    runner: Callable[..., Any] | None = None,
    progress: bool = True,
    series_variables: Sequence[str] | None = SERIES_VARIABLES,
    sample_to: str | Path | None = None,
    log: Callable[[str], None] | None = None,
) -> Calibration:
    """History matching of ``scenario``'s mechanism parameters; see the module docstring.

    Writes into ``out``: ``wave_NN/`` (batch folders), ``wave_NN_points.parquet``,
    ``calibration.json`` and ``report.md``, and the non-implausible sample
    ``nroy.parquet`` (+ ``nroy.json``), also copied to ``sample_to`` if given.
    Running it again with the same arguments resumes.
    """
    from ..batch import Design, run_batch
    from ..batch.engine import versions

    say = log or (lambda _msg: None)
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ident = _identity(sc, settings, patterns)
    ident_path = out / "identity.json"
    if ident_path.exists():
        old = json.loads(ident_path.read_text(encoding="utf-8"))
        if old != json.loads(json.dumps(ident)):
            raise CalibrationError(
                f"refusing to resume {out}: it holds a calibration with another scenario, "
                "settings or pattern table; use another --out folder"
            )
    else:
        ident_path.write_text(json.dumps(ident, indent=2) + "\n", encoding="utf-8")

    space = parameter_space(sc, settings.vary)
    ints = integer_paths(sc, list(space))
    names = list(space)
    box = dict(space)
    per_wave: list[pd.DataFrame] = []
    designs: list[list[dict[str, float]]] = []
    kinds: set[str] = set()
    emulators: list[Any] = []
    result = Calibration(out=out, settings=settings, space=space)
    rows = lhs_in_box(box, settings.points, seed=settings.seed * 1000, ints=ints)
    source = "Latin hypercube over the whole space"
    for k in range(settings.waves):
        design_file = out / f"wave_{k:02d}_points.parquet"
        write_sample(design_file, rows, {"wave": k, "box": {p: list(v) for p, v in box.items()}})
        say(
            f"wave {k + 1}/{settings.waves}: {len(rows)} points x {settings.replicates} "
            f"replicates ({source})"
        )
        res = run_batch(
            [sc],
            out / f"wave_{k:02d}",
            Design(
                replicates=settings.replicates,
                root_seed=settings.seed + k,
                rows_from=str(design_file.resolve()),
                months=settings.months,
            ),
            executor=executor,
            workers=workers,
            runner=runner,
            progress=progress,
        )
        per_run, got = evaluate_folder(out / f"wave_{k:02d}", sc, patterns, series_variables)
        per_run["wave"] = k
        per_wave.append(per_run)
        designs.append(rows)
        kinds |= got
        everything = pd.concat(per_wave, ignore_index=True)
        computable = computable_targets(everything, patterns, kinds)
        table = point_table(per_run, patterns, settings, computable)
        kept = [rows[int(i)] for i in table.loc[table["non_implausible"], "point"]]
        wave: dict[str, Any] = {
            "wave": k + 1,
            "points": len(rows),
            "design": source,
            "runs_ok": res.ok,
            "runs_failed": res.failed,
            "non_implausible": len(kept),
            "box_volume_share": float(
                np.prod([(box[p][1] - box[p][0]) / (space[p][1] - space[p][0]) for p in space])
            ),
            "median_I_max": float(table["I_max"].median()) if len(table) else float("nan"),
        }
        if emulators:  # the last emulators, judged on points they did not see
            u_new = unit_cube(rows, space)
            ok, total = emulators[-1].check(u_new, per_run.rename(columns={"point": "row"}))
            wave["emulator_check"] = [ok, total]
        result.waves.append(wave)
        say(
            f"wave {k + 1}: {len(kept)} of {len(rows)} points non-implausible "
            f"(median max implausibility {wave['median_I_max']:.2f})"
        )
        if settings.method == "box":
            if not kept or k + 1 == settings.waves:
                break
            box = refocus(space, kept, settings.widen)
            rows = lhs_in_box(box, settings.points, seed=settings.seed * 1000 + k + 1, ints=ints)
            source = "Latin hypercube in the box around the non-implausible points"
            continue
        # emulator: fit on the latest runs (those of the current region; earlier
        # waves' emulators still rule out the rest), then pick the next wave
        # inside the region that no wave's emulators rule out
        recent = _recent_waves(designs)
        u_all = np.vstack([unit_cube(designs[j], space) for j in recent])
        offsets = np.cumsum([0] + [len(designs[j]) for j in recent[:-1]])
        runs_all = pd.concat(
            [
                per_wave[j].assign(row=per_wave[j]["point"].astype(int) + int(o))
                for j, o in zip(recent, offsets, strict=True)
            ],
            ignore_index=True,
        )
        say(f"wave {k + 1}: fitting emulators on {len(u_all)} points")
        em = fit_wave(
            u_all,
            runs_all,
            patterns,
            computable,
            active=settings.active,
            seed=settings.seed * 1000 + k,
            names=names,
        )
        emulators.append(em)
        wave["emulated"] = {
            t: {"points": e.n_points, "active": e.active_names[:4]} for t, e in em.targets.items()
        }
        pick = nroy_design(
            emulators, space, box, settings, seed=settings.seed * 1000 + k + 1, ints=ints
        )
        wave["emulated_nroy_share"] = pick.share
        say(
            f"wave {k + 1}: the emulators keep {pick.share:.2g} of the space "
            f"({pick.accepted} of {pick.tried} candidates)"
        )
        if k + 1 == settings.waves:
            break
        box, rows = pick.box, pick.rows
        source = f"{pick.from_nroy} from the emulated non-implausible region" + (
            f", {len(rows) - pick.from_nroy} least implausible candidates"
            if pick.from_nroy < len(rows)
            else ""
        )

    # final: every wave judged with the final set of computable targets
    everything = pd.concat(per_wave, ignore_index=True)
    computable = computable_targets(everything, patterns, kinds)
    nroy_rows: list[dict[str, Any]] = []
    nroy_runs = []
    for k, (per_run, rows) in enumerate(zip(per_wave, designs, strict=True)):
        table = point_table(per_run, patterns, settings, computable)
        ok = table.loc[table["non_implausible"], "point"].astype(int).tolist()
        nroy_rows += [{**rows[i], "wave": k + 1, "point": i} for i in ok]
        nroy_runs.append(per_run[per_run["point"].isin(ok)])
    result.n_non_implausible = len(nroy_rows)
    if nroy_rows:
        ensemble = pd.concat(nroy_runs, ignore_index=True)
        result.ensemble = (
            f"runs at the {len(nroy_rows)} non-implausible points ({len(ensemble)} runs)"
        )
    else:
        ensemble = per_wave[-1]
        result.ensemble = (
            f"no non-implausible point: every run of the last wave ({len(ensemble)} runs)"
        )
    result.patterns = match_patterns(ensemble, patterns, computable)
    header = {
        "format": "libyasim-calibration-sample",
        "format_version": 1,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "scenario": {"id": sc.id, "hash": sc.hash, "path": str(sc.path) if sc.path else None},
        "method": "history matching (Vernon et al. 2010; Andrianakis et al. 2015)",
        "settings": {**asdict(settings), "vary": list(settings.vary)},
        "fitted": [p.id for p in patterns if p.use is Use.FIT],
        "held_back": [p.id for p in patterns if p.use is Use.CHECK],
        "space": {p: list(v) for p, v in space.items()},
        "versions": versions(),
    }
    result.sample_path = write_sample(out / "nroy.parquet", nroy_rows, header)
    if sample_to is not None:
        write_sample(sample_to, nroy_rows, header)
    (out / "calibration.json").write_text(
        json.dumps(
            {
                **header,
                "waves": result.waves,
                "patterns": result.patterns,
                "ensemble": result.ensemble,
            },
            indent=2,
            default=str,
        )
        + "\n",
        encoding="utf-8",
    )
    (out / "report.md").write_text(report_text(result), encoding="utf-8")
    return result


def match_patterns(
    ensemble: pd.DataFrame, patterns: Sequence[Pattern], computable: set[str]
) -> list[dict[str, Any]]:
    """Each pattern matched / unmatched / not computable, with each target's 5-95% band.

    A target is **matched** when at least ``MATCH_SHARE`` (half) of the runs
    lie in its tolerance band: the ensemble lies within tolerance. A 5-95%
    band that merely overlaps the tolerance band is not enough (``overlaps``
    records it; ``holds_record`` whether the 5-95% band holds the observed
    value). A pattern is matched when all its computable targets are.
    """
    out = []
    for p in patterns:
        targets = []
        for t in p.targets:
            rec: dict[str, Any] = {
                "name": t.name,
                "target": t.value,
                "band": list(t.band),
                "source": t.source,
            }
            vals = ensemble[t.name].dropna().to_numpy() if t.name in ensemble else np.array([])
            if t.name not in computable or not len(vals):
                rec["status"] = "not computable"
                rec["why"] = (
                    f"the model logged no {' / '.join(t.needs)} events"
                    if t.needs
                    else "the metric could not be computed on these runs"
                )
            else:
                lo, hi = np.percentile(vals, [5, 95])
                med = float(np.median(vals))
                a, b = t.band
                rec["ensemble_5_95"] = [float(lo), float(hi)]
                rec["ensemble_median"] = med
                rec["share_within"] = float(np.mean((vals >= a) & (vals <= b)))
                rec["overlaps"] = bool(lo <= b and hi >= a)
                rec["holds_record"] = bool(lo <= t.value <= hi)
                rec["status"] = "matched" if rec["share_within"] >= MATCH_SHARE else "unmatched"
            targets.append(rec)
        states = {r["status"] for r in targets}
        if states == {"not computable"}:
            status = "not computable"
        elif "unmatched" in states:
            status = "unmatched"
        else:
            status = "matched" + (" (partly computable)" if "not computable" in states else "")
        out.append(
            {"id": p.id, "title": p.title, "use": str(p.use), "status": status, "targets": targets}
        )
    return out


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}"


def report_text(result: Calibration) -> str:
    """A readable report: waves, then patterns (fitted, then held back) with bands."""
    lines = [
        "# Calibration report",
        "",
        f"Ensemble judged: {result.ensemble}.",
        "",
        "| wave | points | design | runs ok | failed | non-implausible | median I_max "
        "| emulated NROY share | emulator check |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for w in result.waves:
        share = w.get("emulated_nroy_share")
        check = w.get("emulator_check")
        lines.append(
            f"| {w['wave']} | {w['points']} | {w.get('design', '')} | {w['runs_ok']} | "
            f"{w['runs_failed']} | {w['non_implausible']} | {w['median_I_max']:.2f} | "
            + (f"{share:.2g}" if share is not None else "-")
            + " | "
            + (f"{check[0]}/{check[1]} within 3 sd" if check else "-")
            + " |"
        )
    for use, title in (("fit", "Fitted patterns"), ("check", "Held-back patterns (out of sample)")):
        group = [p for p in result.patterns if p["use"] == use]
        n = sum(p["status"].startswith("matched") for p in group)
        lines += [
            "",
            f"## {title}: {n} of {len(group)} matched",
            "",
            "| pattern | target | tolerance band | median | ensemble 5-95% | runs within "
            "| status |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for p in group:
            for i, t in enumerate(p["targets"]):
                head = f"{p['id']} ({p['status']})" if i == 0 else ""
                band = f"{_fmt(t['band'][0])} - {_fmt(t['band'][1])}"
                if "ensemble_5_95" in t:
                    ens = f"{_fmt(t['ensemble_5_95'][0])} - {_fmt(t['ensemble_5_95'][1])}"
                    med = _fmt(t["ensemble_median"])
                    within = f"{100 * t['share_within']:.0f}%"
                else:
                    ens = med = within = "-"
                status = t["status"] + (f": {t['why']}" if "why" in t else "")
                lines.append(
                    f"| {head} | {t['name']} | {band} | {med} | {ens} | {within} | {status} |"
                )
    return "\n".join(lines) + "\n"


__all__ = [
    "SERIES_VARIABLES",
    "Calibration",
    "CalibrationError",
    "Settings",
    "calibrate",
    "implausibility",
    "lhs_in_box",
    "match_patterns",
    "nroy_design",
    "parameter_space",
    "point_table",
    "refocus",
    "report_text",
    "unit_cube",
]
