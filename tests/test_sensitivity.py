"""Sensitivity analysis and scenario discovery (libyasim.analysis.sensitivity).

Known answers go through the same code path as a real batch: a batch folder
(manifest, points table, runs part) whose outcome column is a test function of
the sampled parameters, drawn with SALib exactly as ``libyasim batch
--sample`` draws them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from matplotlib.figure import Figure

from libyasim.analysis import (
    SensitivityError,
    prim,
    scenario_discovery,
    sensitivity,
    sensitivity_plot,
)
from libyasim.analysis.sensitivity import load_sampled, outcome_names, parse_outcome
from libyasim.batch.columns import param_column
from libyasim.batch.store import BatchStore, StoreError, atomic_write_table
from libyasim.cli import main

ROOT = Path(__file__).resolve().parents[1]
ENTRY = str(Path(sys.executable).with_name("libyasim"))
BASELINE = ROOT / "scenarios" / "baseline_2017.yaml"
PI = np.pi
ISHIGAMI_RANGES = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}
#: analytic indices of Ishigami (a=7, b=0.1): Ishigami & Homma 1990; Saltelli et al. 2008
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def ishigami(x: np.ndarray) -> float:
    from SALib.test_functions import Ishigami

    return float(Ishigami.evaluate(np.asarray(x, float)[None])[0])


def make_batch(
    folder: Path,
    method: str | None,
    n: int,
    ranges: dict[str, tuple[float, float]],
    fn: Callable[[np.ndarray], float],
    *,
    replicates: int = 1,
    seed: int = 0,
    noise: Callable[[int], float] | None = None,
    end_state: Callable[[float], str] | None = None,
    sweep: tuple[str, list[float]] | None = None,
    status: Callable[[int, int], str] | None = None,
) -> np.ndarray:
    """A batch folder as ``libyasim batch`` writes it, with ``fig__y = fn(x) + noise(r)``.

    ``method`` None with ``sweep``: a grid over the sweep only (``ranges`` unused).
    """
    from SALib.sample import latin, morris, sobol

    names = list(ranges)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(ranges[k]) for k in names]}
    s = seed % 2**32
    if method == "sobol":
        x = sobol.sample(problem, n, calc_second_order=False, seed=s)
    elif method == "morris":
        x = morris.sample(problem, n, seed=s)
    elif method == "lhs":
        x = latin.sample(problem, n, seed=s)
    else:
        x = np.empty((1, 0))
        names = []
    grid = sweep[1] if sweep else [None]
    pts: list[dict] = []
    for g in grid:  # grid-major, sample rows in order (as Design.points lays them out)
        for row in x:
            p = dict(zip(names, row, strict=True))
            if sweep:
                p[sweep[0]] = g
            pts.append(p)
    design = {
        "replicates": replicates,
        "root_seed": seed,
        "sets": {},
        "sweeps": [{"path": sweep[0], "lo": min(grid), "hi": max(grid), "n": len(grid)}]
        if sweep
        else [],
        "sample": method,
        "sample_n": n if method else 0,
        "vary": [],
        "months": None,
    }
    manifest = {
        "format": "libyasim-batch",
        "identity": {
            "scenarios": [{"id": "fake", "hash": "0"}],
            "design": design,
            "n_runs": len(pts) * replicates,
        },
        "n_points": len(pts),
        "sampled_ranges": {k: list(v) for k, v in ranges.items()} if method else {},
    }
    cols = sorted({k for p in pts for k in p})
    table = pa.table({"point": list(range(len(pts))), **{c: [p[c] for p in pts] for c in cols}})
    store = BatchStore(folder)
    store.create(manifest, table)
    rows = []
    for i, p in enumerate(pts):
        xv = np.array([p[c] for c in names + ([sweep[0]] if sweep else [])], float)
        for r in range(replicates):
            y = fn(xv) + (noise(r) if noise else 0.0)
            st = status(i, r) if status else "ok"
            rows.append(
                {
                    "run_index": len(rows),
                    "run_id": f"fake.p{i:05d}.r{r:05d}",
                    "scenario": "fake",
                    "point": i,
                    "replicate": r,
                    "status": st,
                    "end_state": (end_state(y) if end_state else "partition")
                    if st == "ok"
                    else None,
                    "flags_raised": [],
                    **{param_column(c): p[c] for c in cols},
                    "fig__y": float(y) if st == "ok" else None,
                }
            )
    atomic_write_table(store.table_dir("runs") / "part-0.parquet", pa.Table.from_pylist(rows))
    return x


def _measure(table: pd.DataFrame, measure: str, outcome: str | None = None) -> pd.Series:
    t = table[table["measure"] == measure]
    if outcome is not None:
        t = t[t["outcome"] == outcome]
    return t.set_index("parameter")


# ----------------------------------------------------------------------------- known answers


@pytest.fixture(scope="module")
def ishigami_sobol(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ishigami") / "b"
    make_batch(folder, "sobol", 1024, ISHIGAMI_RANGES, ishigami)
    return folder


def test_sobol_indices_of_ishigami_match_the_analytic_values(ishigami_sobol):
    table = sensitivity(ishigami_sobol, "y")
    s1, st = _measure(table, "S1"), _measure(table, "ST")
    for i, name in enumerate(("x1", "x2", "x3")):
        assert s1.loc[name, "value"] == pytest.approx(ISHIGAMI_S1[i], abs=0.05), name
        assert st.loc[name, "value"] == pytest.approx(ISHIGAMI_ST[i], abs=0.04), name
        # the bootstrap interval is honest about the estimate: it holds the analytic value
        assert s1.loc[name, "lo"] - 0.01 <= ISHIGAMI_S1[i] <= s1.loc[name, "hi"] + 0.01
        assert st.loc[name, "lo"] - 0.01 <= ISHIGAMI_ST[i] <= st.loc[name, "hi"] + 0.01
    # ranked by ST: x1, x2, x3
    assert list(st.sort_values("rank").index) == ["x1", "x2", "x3"]
    assert set(table["n_points"]) == {1024 * 5} and set(table["method"]) == {"sobol"}


def test_rank_regression_sees_what_ishigami_hides(ishigami_sobol):
    """x2 and x3 act through sin² and x3⁴·sin(x1): symmetric, so no monotone trend;
    the SRRC finds only x1, and a low R² warns that the rest is non-monotone."""
    table = sensitivity(ishigami_sobol, "y")
    srrc = _measure(table, "SRRC")
    assert srrc.loc["x1", "value"] > 0.3
    assert abs(srrc.loc["x2", "value"]) < 0.05 and abs(srrc.loc["x3", "value"]) < 0.05
    assert srrc["r2"].iloc[0] < 0.3


def test_replicates_are_averaged_per_point(tmp_path):
    """Replicate noise of +1/-1 averages out exactly: the indices equal the noise-free ones."""
    clean, noisy = tmp_path / "clean", tmp_path / "noisy"
    make_batch(clean, "sobol", 64, ISHIGAMI_RANGES, ishigami)
    make_batch(noisy, "sobol", 64, ISHIGAMI_RANGES, ishigami, replicates=2,
               noise=lambda r: 1.0 if r == 0 else -1.0)  # fmt: skip
    a, b = sensitivity(clean, "y"), sensitivity(noisy, "y")
    assert set(b["n_runs"]) == {2 * 64 * 5} and set(b["n_points"]) == {64 * 5}
    np.testing.assert_allclose(a["value"], b["value"], atol=1e-9)


def test_morris_ranks_the_influential_parameters_first(tmp_path):
    ranges = {f"x{i}": (0.0, 1.0) for i in range(1, 6)}

    def f(x):  # x1 strong and linear, x2 quadratic, x5 tiny, x3 and x4 inert
        return 10 * x[0] + 5 * x[1] ** 2 + 0.05 * x[4]

    make_batch(tmp_path / "m", "morris", 20, ranges, f)
    table = sensitivity(tmp_path / "m", "y")
    ms = _measure(table, "mu_star").sort_values("rank")
    assert list(ms.index[:3]) == ["x1", "x2", "x5"]
    # an elementary effect is the change across the range: 10 for x1 (linear), about 5 for x2
    assert ms.loc["x1", "value"] == pytest.approx(10, rel=1e-6)
    assert ms.loc["x1", "value"] > ms.loc["x2", "value"] > 1
    assert ms.loc["x3", "value"] == 0 and ms.loc["x4", "value"] == 0
    # linear: no spread of effects; quadratic: some
    sigma = _measure(table, "sigma")
    assert sigma.loc["x1", "value"] == pytest.approx(0, abs=1e-9)
    assert sigma.loc["x2", "value"] > 0.1


def test_replicate_noise_is_measured_and_gives_a_morris_floor(tmp_path):
    """Pure replicate noise (sd 1, 4 runs per point) on an inert parameter: its mu* sits
    near the noise floor, a real effect far above it, and the noise share is reported."""
    rng = np.random.default_rng(5)
    make_batch(tmp_path / "n", "morris", 40, {"real": (0, 1), "inert": (0, 1)},
               lambda x: 5 * x[0], replicates=4, noise=lambda r: rng.normal())  # fmt: skip
    table = sensitivity(tmp_path / "n", "y")
    ms = _measure(table, "mu_star")
    floor = ms["noise_floor"].iloc[0]
    # sqrt(2/pi) * sqrt(2 * 1/4) / (2/3): the mean |difference of two noisy means| / delta
    assert floor == pytest.approx(np.sqrt(2 / np.pi) * np.sqrt(0.5) * 1.5, rel=0.15)
    assert ms.loc["inert", "value"] == pytest.approx(floor, rel=0.35)
    assert ms.loc["real", "value"] > 4 * floor
    # the point means vary with 'real' (variance 25/12) far more than the noise (1/4)
    assert table["noise_share"].iloc[0] == pytest.approx(0.25 / (25 / 12 + 0.25), abs=0.06)


def test_morris_leaves_out_trajectories_with_a_failed_point(tmp_path):
    ranges = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    make_batch(tmp_path / "m", "morris", 6, ranges, lambda x: 3 * x[0] + x[1],
               status=lambda i, r: "failed" if i == 4 else "ok")  # fmt: skip
    notes: list[str] = []
    table = sensitivity(tmp_path / "m", "y", notes=notes)
    assert _measure(table, "mu_star").loc["a", "value"] == pytest.approx(3)
    assert any("1 Morris trajectories left out" in n for n in notes)
    assert set(table["n_points"]) == {6 * 3 - 1}


def test_lhs_rank_regression_signs_and_fit(tmp_path):
    ranges = {"up": (0.0, 1.0), "down": (0.0, 1.0), "inert": (0.0, 1.0)}
    make_batch(tmp_path / "l", "lhs", 200, ranges, lambda x: np.exp(2 * x[0]) - 4 * x[1])
    table = sensitivity(tmp_path / "l", "y")
    srrc = _measure(table, "SRRC")
    assert srrc.loc["up", "value"] > 0.7 and srrc.loc["up", "rank"] == 1
    assert srrc.loc["down", "value"] < -0.3 and srrc.loc["down", "hi"] < 0
    assert srrc.loc["inert", "lo"] < 0 < srrc.loc["inert", "hi"]
    assert srrc["r2"].iloc[0] > 0.9
    assert set(table["method"]) == {"lhs"} and set(table["measure"]) == {"SRRC"}


def test_same_input_same_table(ishigami_sobol):
    a = sensitivity(ishigami_sobol, ["y", "y>5"])
    b = sensitivity(ishigami_sobol, ["y", "y>5"])
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns[:5]) == ["scenario", "cell", "outcome", "method", "parameter"]


def test_sweep_cells_are_analysed_separately(tmp_path):
    ranges = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    make_batch(tmp_path / "s", "lhs", 40, ranges, lambda x: x[0] * x[2] + x[1] * (1 - x[2]),
               sweep=("k", [0.0, 1.0]))  # fmt: skip
    table = sensitivity(tmp_path / "s", "y")
    assert sorted(set(table["cell"])) == ["k=0", "k=1"]
    top = table[table["rank"] == 1].groupby("cell")["parameter"].first()
    assert top["k=0"] == "b" and top["k=1"] == "a"


def test_a_sweep_only_batch_gets_rank_measures(tmp_path):
    make_batch(
        tmp_path / "g", None, 0, {}, lambda x: 2 * x[0], sweep=("k", [0.0, 0.5, 1.0, 1.5, 2.0])
    )
    table = sensitivity(tmp_path / "g", "y")
    assert set(table["method"]) == {"grid"}
    assert _measure(table, "SRRC").loc["k", "value"] == pytest.approx(1)


# ----------------------------------------------------------------------------- scenario discovery


def test_prim_finds_the_box_where_the_outcome_lives():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (1000, 3))
    y = ((x[:, 0] > 0.7) & (x[:, 1] < 0.3)).astype(float)
    res = prim(x, y, ["a", "b", "c"], [(0, 1)] * 3, min_coverage=0.8)
    lim = res.limits().set_index("parameter")
    assert set(lim.index) == {"a", "b"}
    assert lim.loc["a", "lo"] == pytest.approx(0.7, abs=0.05)
    assert lim.loc["b", "hi"] == pytest.approx(0.3, abs=0.05)
    assert (lim["qp"] < 1e-6).all()  # both restrictions matter
    assert res.stats["density"] > 0.9 and res.stats["coverage"] >= 0.8


def test_prim_drops_restrictions_that_chance_made():
    """Peeling trims inert parameters too; the box keeps only significant restrictions."""
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, (300, 4))
    y = ((x[:, 0] < 0.4) ^ (rng.uniform(size=300) < 0.15)).astype(float)  # 15% flipped
    res = prim(x, y, ["a", "b", "c", "d"], [(0, 1)] * 4)
    assert list(res.limits()["parameter"]) == ["a"]
    assert res.pruned  # the chosen step had trimmed some of b, c, d


def test_scenario_discovery_on_a_batch_end_state(tmp_path):
    ranges = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}
    make_batch(
        tmp_path / "d",
        "lhs",
        500,
        ranges,
        lambda x: float(x[0] > 0.6 and x[1] < 0.5),
        end_state=lambda y: "takeover" if y > 0.5 else "partition",
    )
    boxes = scenario_discovery(tmp_path / "d", "end_state=takeover").set_index("parameter")
    assert set(boxes.index) == {"a", "b"}
    assert boxes.loc["a", "lo"] == pytest.approx(0.6, abs=0.05)
    assert boxes.loc["b", "hi"] == pytest.approx(0.5, abs=0.05)
    assert boxes["density"].iloc[0] > 0.8 > 0.3 > boxes["base_rate"].iloc[0]
    # and the indices of the same indicator: a and b matter, c does not
    srrc = _measure(sensitivity(tmp_path / "d", "end_state=takeover"), "SRRC")
    assert srrc.loc["a", "value"] > 0.2 and srrc.loc["b", "value"] < -0.2
    assert abs(srrc.loc["c", "value"]) < 0.1


# ----------------------------------------------------------------------------- outcomes and errors


@pytest.fixture(scope="module")
def small_lhs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small") / "b"
    make_batch(folder, "lhs", 30, {"a": (0.0, 1.0), "b": (0.0, 1.0)}, lambda x: x[0] - x[1],
               end_state=lambda y: "takeover" if y > 0 else "partition")  # fmt: skip
    return folder


def test_outcome_names_and_parsing(small_lhs):
    runs = load_sampled(small_lhs).runs
    names = outcome_names(runs)
    assert "y" in names and "end_state=takeover" in names and "end_state=renewed_war" in names
    assert parse_outcome("fig__y", runs).name == "y"
    oc = parse_outcome("y >= 0.5", runs)
    assert (oc.kind, oc.op, oc.threshold, oc.binary) == ("threshold", ">=", 0.5, True)
    assert parse_outcome("end_state==takeover", runs).name == "end_state=takeover"
    assert parse_outcome("flag=jihadist_resurgence", runs).kind == "flag"  # never raised: p = 0


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("yy", "did you mean y?"),
        ("end_state=takeovr", "did you mean end_state=takeover?"),
        ("flag=jihadist_resurgance", "unknown flag.*did you mean flag=jihadist_resurgence?"),
        ("takeover", "write end_state=takeover"),
        ("y>lots", "the threshold must be a number"),
    ],
)
def test_unknown_outcome_gets_a_did_you_mean(small_lhs, outcome, expected):
    with pytest.raises(SensitivityError, match=expected):
        sensitivity(small_lhs, outcome)


def test_a_batch_that_was_not_sampled_is_refused(tmp_path):
    make_batch(tmp_path / "plain", None, 0, {}, lambda x: 1.0)
    with pytest.raises(SensitivityError, match=r"not sampled.*--sample"):
        sensitivity(tmp_path / "plain", "y")


def test_a_folder_that_is_not_a_batch_is_refused(tmp_path):
    with pytest.raises(StoreError, match="not a batch folder"):
        sensitivity(tmp_path, "y")


def test_too_few_points_is_refused(tmp_path):
    make_batch(tmp_path / "few", "lhs", 4, {"a": (0, 1), "b": (0, 1), "c": (0, 1)}, sum)
    with pytest.raises(SensitivityError, match=r"too few points.*D\+3 = 6"):
        sensitivity(tmp_path / "few", "y")


def test_morris_with_one_trajectory_is_refused(tmp_path):
    make_batch(tmp_path / "one", "morris", 1, {"a": (0, 1), "b": (0, 1)}, sum)
    with pytest.raises(SensitivityError, match="at least 2 complete trajectories"):
        sensitivity(tmp_path / "one", "y")


def test_sobol_with_a_missing_point_is_refused(tmp_path):
    make_batch(tmp_path / "gap", "sobol", 8, {"a": (0, 1), "b": (0, 1)}, sum,
               status=lambda i, r: "failed" if i == 3 else "ok")  # fmt: skip
    with pytest.raises(SensitivityError, match=r"1 of 32 Sobol points have no successful run"):
        sensitivity(tmp_path / "gap", "y")


def test_discovery_needs_an_indicator(small_lhs):
    with pytest.raises(SensitivityError, match=r"indicator.*try y>VALUE"):
        scenario_discovery(small_lhs, "y")


def test_a_constant_outcome_gives_empty_indices_and_a_note(small_lhs):
    notes: list[str] = []
    table = sensitivity(small_lhs, "end_state=renewed_war", notes=notes)
    assert table["value"].isna().all()
    assert any("does not vary" in n for n in notes)


def test_plot_has_a_panel_per_outcome(ishigami_sobol):
    fig = sensitivity_plot(sensitivity(ishigami_sobol, ["y", "y>5"]))
    assert isinstance(fig, Figure)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2


def test_cli_errors_are_one_line(small_lhs, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sensitivity", str(small_lhs), "--outcome", "yy"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "libyasim sensitivity: error: unknown outcome" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["sensitivity", str(tmp_path / "nothing")])
    assert "not a batch folder" in capsys.readouterr().err


def test_cli_lists_outcomes(small_lhs, capsys):
    assert main(["sensitivity", str(small_lhs), "--list-outcomes"]) == 0
    assert "end_state=takeover" in capsys.readouterr().out.splitlines()


# ----------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_end_to_end_on_a_small_morris_batch_of_the_baseline(tmp_path):
    out = tmp_path / "m"
    run = subprocess.run(
        [ENTRY, "batch", str(BASELINE), "--sample", "morris", "4",
         "--vary", "parameters.engagement_rate", "--vary", "parameters.aimed_fire_rate",
         "--months", "6", "--replicates", "2", "--out", str(out), "-j", "2", "--no-report"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    res = subprocess.run(
        [ENTRY, "sensitivity", str(out), "--outcome", "total_fatalities",
         "--outcome", "end_state=partition", "--out", str(tmp_path / "s")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    text = res.stdout
    assert "baseline_2017 - total_fatalities" in text and "mu_star" in text
    assert "parameters.engagement_rate" in text and "24 runs" in text
    table = pd.read_csv(tmp_path / "s" / "sensitivity.csv")
    assert set(table["parameter"]) == {"parameters.engagement_rate", "parameters.aimed_fire_rate"}
    assert set(table["outcome"]) == {"total_fatalities", "end_state=partition"}
    assert {"mu_star", "sigma", "mu", "SRRC"} <= set(table["measure"])
    for name in ("sensitivity_total_fatalities.png", "sensitivity_end_state_partition.png"):
        assert (tmp_path / "s" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # more fighting, more deaths: the engagement rate ranks first for fatalities
    fat = table[(table["outcome"] == "total_fatalities") & (table["rank"] == 1)]
    assert set(fat["parameter"]) == {"parameters.engagement_rate"}
    m = json.loads((out / "manifest.json").read_text())
    assert m["identity"]["design"]["sample"] == "morris"
