"""Batches of the real model: determinism across executors, kill -9 and resume, failures.

Short runs (6-12 months) and few replicates keep these quick; they still start
process pools and a Dask cluster, so they are marked slow.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from batch_fakes import failing_real_run

from libyasim import load_scenario
from libyasim.batch import Design, load_runs, load_series, run_batch

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: the installed entry point (next to this Python), as users run it
ENTRY = str(Path(sys.executable).with_name("libyasim"))
BASELINE = ROOT / "scenarios" / "baseline_2017.yaml"


@pytest.fixture(scope="module")
def scenarios():
    base = load_scenario(BASELINE)
    variant = base.with_values({"id": "baseline_raids", "parameters.raid_rate": 0.55})
    return [base, variant]


def stable_runs(out) -> pd.DataFrame:
    runs = load_runs(out)
    return (
        runs.drop(columns=["elapsed_s", "worker", "traceback", "attempt"])
        .sort_values("run_index")
        .reset_index(drop=True)
    )


def sorted_series(out) -> pd.DataFrame:
    return (
        load_series(out).sort_values(["run_id", "variable", "actor", "step"]).reset_index(drop=True)
    )


def test_workers_1_vs_2_vs_dask_give_identical_runs_and_series(tmp_path, scenarios):
    pytest.importorskip("distributed")
    design = Design(replicates=4, root_seed=11, months=6)
    run_batch(scenarios, tmp_path / "w1", design, executor="process", workers=1, progress=False)
    run_batch(
        scenarios,
        tmp_path / "w2",
        design,
        executor="process",
        workers=2,
        progress=False,
        chunk_seconds=0.01,
    )
    run_batch(
        scenarios,
        tmp_path / "dask",
        design,
        executor="dask",
        workers=2,
        progress=False,
        chunk_seconds=0.01,
    )
    ref = stable_runs(tmp_path / "w1")
    assert len(ref) == 8 and (ref["status"] == "ok").all()
    # common random numbers: both scenarios ran on the same seeds
    assert ref.groupby(["point", "replicate"])["seed"].nunique().eq(1).all()
    s1 = sorted_series(tmp_path / "w1")
    assert s1["run_id"].nunique() == 8
    for other in ("w2", "dask"):
        pd.testing.assert_frame_equal(ref, stable_runs(tmp_path / other))
        pd.testing.assert_frame_equal(s1, sorted_series(tmp_path / other))
    # and each run equals a single run of the model with its seed
    from libyasim.model import run

    row = ref.iloc[5]
    single = run(scenarios[1], seed=int(row["seed"]), months=6)
    assert single.end_state == row["end_state"]
    mine = s1[(s1.run_id == row["run_id"]) & (s1.variable == "strength") & (s1.actor == "lna")][
        "value"
    ]
    assert mine.tolist() == single.series["strength.lna"].tolist()


def test_dask_workers_do_not_get_the_slow_malloc_setting(scenarios, tmp_path):
    pytest.importorskip("distributed")
    from libyasim.batch.executors import DaskExecutor, _worker_malloc_setting
    from libyasim.batch.worker import BatchContext

    ctx = BatchContext(
        out=str(tmp_path), scenarios=scenarios[:1], points=[{}], sets={}, param_columns=[]
    )
    ex = DaskExecutor(ctx, workers=1)
    try:
        assert ex.dashboard and "127.0.0.1" in ex.dashboard
        assert set(ex.client.run(_worker_malloc_setting).values()) == {None}
        assert all(
            addr.startswith("tcp://127.0.0.1:") for addr in ex.client.scheduler_info()["workers"]
        )
    finally:
        ex.close()


def _cli(*args: str) -> list[str]:
    return [ENTRY, *args]


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the driver; wait for the workers it started to notice and stop."""
    import psutil

    children = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    _, alive = psutil.wait_procs(children, timeout=15)
    for p in alive:  # should not happen: orphaned workers stop by themselves
        p.kill()
    assert not alive, "orphaned workers kept running after the driver was killed"


def test_kill_9_mid_batch_then_resume_runs_everything_exactly_once(tmp_path):
    out = tmp_path / "b"
    args = _cli(
        "batch",
        str(BASELINE),
        "--out",
        str(out),
        "--replicates",
        "60",
        "--seed",
        "5",
        "--months",
        "12",
        "--workers",
        "2",
        "--chunk-seconds",
        "0.05",
        "--no-report",
        "--quiet",
    )
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        parts = list((out / "runs").glob("part-*.parquet")) if (out / "runs").is_dir() else []
        if len(parts) >= 3 or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the batch finished before it could be killed: make it longer"
    _kill_tree(proc)
    done_before = len(pd.read_parquet(out / "runs"))
    assert 0 < done_before < 60
    # the same command again finishes the batch
    res = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "resumed: 60 runs (60 ok, 0 failed)" in res.stderr
    runs = load_runs(out)
    assert len(runs) == 60 and runs["run_id"].is_unique
    series = load_series(out)
    assert not series.duplicated(["run_id", "variable", "actor", "step"]).any()
    # equal to an uninterrupted batch
    ref = tmp_path / "ref"
    run_batch(
        [BASELINE],
        ref,
        Design(replicates=60, root_seed=5, months=12),
        executor="serial",
        progress=False,
    )
    pd.testing.assert_frame_equal(stable_runs(out), stable_runs(ref))
    pd.testing.assert_frame_equal(sorted_series(out), sorted_series(ref))


def test_failing_runs_are_recorded_the_batch_completes_and_retry_fixes_them(tmp_path, scenarios):
    out = tmp_path / "b"
    design = Design(replicates=8, root_seed=21, months=6)
    res = run_batch(
        scenarios,
        out,
        design,
        executor="process",
        workers=2,
        runner=failing_real_run,
        progress=False,
    )
    runs = load_runs(out)
    failed = runs[runs.status == "failed"]
    assert res.failed == len(failed) > 0 and res.ok + res.failed == 16
    assert failed["error"].str.match(r"ValueError: injected failure \(seed \d+\)").all()
    assert (failed["seed"] % 4 == 0).all() and (
        runs.loc[runs.status == "ok", "seed"] % 4 != 0
    ).all()
    fixed = run_batch(
        scenarios, out, design, executor="process", workers=2, retry_failed=True, progress=False
    )
    assert (fixed.ran, fixed.ok, fixed.failed) == (res.failed, 16, 0)
    ref = tmp_path / "ref"
    run_batch(scenarios, ref, design, executor="serial", progress=False)
    pd.testing.assert_frame_equal(stable_runs(out), stable_runs(ref))
    pd.testing.assert_frame_equal(sorted_series(out), sorted_series(ref))
