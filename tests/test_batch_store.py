"""The batch machinery with a fake runner: storage, resume, repair, failures.

The real model is used in test_batch_run.py; here a tiny deterministic runner
(tests/batch_fakes.py) exercises the plumbing fast.
"""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from batch_fakes import fake_run, flaky_run
from scenario_factory import minimal_scenario

from libyasim.batch import (
    BatchError,
    BatchStore,
    Design,
    StoreError,
    load_events,
    load_runs,
    load_series,
    run_batch,
)
from libyasim.scenario import from_dict


@pytest.fixture
def scenarios():
    a = from_dict(minimal_scenario())
    d = minimal_scenario()
    d["id"] = "mini_b"
    d["factions"][0]["strength"] = 4000
    return [a, from_dict(d)]


def _stable(runs: pd.DataFrame) -> pd.DataFrame:
    drop = ["elapsed_s", "worker", "traceback"]
    return (
        runs.drop(columns=[c for c in drop if c in runs])
        .sort_values("run_index")
        .reset_index(drop=True)
    )


def _series(out) -> pd.DataFrame:
    s = load_series(out)
    return s.sort_values(["run_id", "variable", "actor", "step"]).reset_index(drop=True)


def test_layout_manifest_and_tables(tmp_path, scenarios):
    out = tmp_path / "b"
    res = run_batch(
        scenarios,
        out,
        Design(replicates=4, root_seed=1, months=6),
        executor="serial",
        runner=fake_run,
        progress=False,
        command=["libyasim", "batch"],
    )
    assert (res.total, res.ok, res.failed, res.ran) == (8, 8, 0, 8)
    m = json.loads((out / "manifest.json").read_text())
    assert m["root_seed"] == 1 and m["command"] == ["libyasim", "batch"]
    assert [s["id"] for s in m["scenarios"]] == ["mini", "mini_b"]
    assert m["scenarios"][0]["hash"] == scenarios[0].hash
    assert m["scenarios"][0]["resolved"]["id"] == "mini"
    assert {"libyasim", "mesa", "numpy"} <= set(m["versions"])
    assert m["counts"] == {"total": 8, "ok": 8, "failed": 0, "missing": 0}
    runs = load_runs(out)
    assert runs["run_id"].is_unique and len(runs) == 8
    # common random numbers: the same seeds for both scenarios
    assert runs.groupby(["point", "replicate"])["seed"].nunique().eq(1).all()
    assert set(runs.columns) >= {
        "run_id",
        "scenario",
        "seed",
        "status",
        "end_state",
        "flags_raised",
        "fig__fatalities_total",
        "fig__strength_share__red",
        "parameters",
    }
    # readable directly by pandas: the consolidated file and the part folders
    assert len(pd.read_parquet(out / "runs.parquet")) == 8
    series = pd.read_parquet(out / "series")
    assert set(series.columns) == {
        "run_id",
        "scenario",
        "step",
        "month",
        "variable",
        "actor",
        "value",
    }
    assert series.groupby("run_id")["step"].max().eq(6).all()
    assert len(load_series(out, variables=["strength"], scenarios=["mini"])) == 4 * 7 * 3
    assert len(load_events(out)) == 8


def test_results_do_not_depend_on_the_executor(tmp_path, scenarios):
    d = Design(replicates=5, root_seed=2, months=4)
    run_batch(scenarios, tmp_path / "s", d, executor="serial", runner=fake_run, progress=False)
    run_batch(
        scenarios,
        tmp_path / "p",
        d,
        executor="process",
        workers=2,
        runner=fake_run,
        progress=False,
        chunk_seconds=0.001,
    )
    pd.testing.assert_frame_equal(
        _stable(load_runs(tmp_path / "s")), _stable(load_runs(tmp_path / "p"))
    )
    pd.testing.assert_frame_equal(_series(tmp_path / "s"), _series(tmp_path / "p"))


def test_failures_are_recorded_and_retried(tmp_path, scenarios):
    out = tmp_path / "b"
    d = Design(replicates=12, root_seed=3, months=3)
    res = run_batch(scenarios, out, d, executor="serial", runner=flaky_run, progress=False)
    runs = load_runs(out)
    failed = runs[runs.status == "failed"]
    assert res.failed == len(failed) > 0 and res.ok == len(runs) - len(failed)
    assert failed["error"].str.startswith("RuntimeError: injected failure").all()
    assert failed["traceback"].str.contains("flaky_run").all()
    assert failed["end_state"].isna().all()
    # re-running without --retry-failed does nothing new
    again = run_batch(scenarios, out, d, executor="serial", runner=flaky_run, progress=False)
    assert again.ran == 0 and again.failed == res.failed
    # --retry-failed with a runner that now works
    fixed = run_batch(
        scenarios, out, d, executor="serial", runner=fake_run, progress=False, retry_failed=True
    )
    assert (fixed.ran, fixed.ok, fixed.failed) == (res.failed, 24, 0)
    runs = load_runs(out)
    assert runs["run_id"].is_unique and len(runs) == 24
    assert set(runs.loc[runs.run_id.isin(failed.run_id), "attempt"]) == {2}
    assert load_series(out)["run_id"].nunique() == 24
    ref = tmp_path / "ref"
    run_batch(scenarios, ref, d, executor="serial", runner=fake_run, progress=False)
    pd.testing.assert_frame_equal(
        _stable(load_runs(out)).drop(columns="attempt"),
        _stable(load_runs(ref)).drop(columns="attempt"),
    )
    pd.testing.assert_frame_equal(_series(out), _series(ref))


def test_resume_after_a_partial_batch_and_crash_debris(tmp_path, scenarios):
    d = Design(replicates=6, root_seed=4, months=3)
    ref = tmp_path / "ref"
    run_batch(scenarios, ref, d, executor="serial", runner=fake_run, progress=False)
    out = tmp_path / "b"
    run_batch(
        scenarios, out, d, executor="serial", runner=fake_run, progress=False, chunk_seconds=1e-9
    )
    store = BatchStore(out)
    parts = store.parts("runs")
    assert len(parts) > 3
    # simulate a crash: two chunks lost their runs part (series/events orphaned), a temp file left
    for p in parts[:2]:
        p.unlink()
    (out / "runs" / ".part-x.parquet.tmp-1-abc").write_bytes(b"half a file")
    (out / "runs.parquet").unlink()
    lost = 12 - sum(pq.read_metadata(p).num_rows for p in parts[2:])
    res = run_batch(scenarios, out, d, executor="serial", runner=fake_run, progress=False)
    assert res.resumed and res.ran == lost and res.ok == 12
    assert not list((out / "runs").glob(".*tmp*"))
    assert {p.stem for p in store.parts("series")} <= {p.stem for p in store.parts("runs")}
    pd.testing.assert_frame_equal(_stable(load_runs(out)), _stable(load_runs(ref)))
    pd.testing.assert_frame_equal(_series(out), _series(ref))


def test_duplicate_rows_are_repaired(tmp_path, scenarios):
    out = tmp_path / "b"
    d = Design(replicates=3, root_seed=5, months=2)
    run_batch(scenarios[:1], out, d, executor="serial", runner=fake_run, progress=False)
    store = BatchStore(out)
    part = store.parts("runs")[0]
    for t in ("runs", "series", "events"):  # a chunk written twice (an orphaned worker)
        for src in store.files(t, part.stem):  # one per scenario partition
            src.with_name("part-zzz-dup.parquet").write_bytes(src.read_bytes())
    assert len(pd.read_parquet(out / "runs")) > 3
    store.repair()
    runs = load_runs(out)
    assert runs["run_id"].is_unique and len(runs) == 3
    assert load_series(out).groupby("run_id").size().nunique() == 1


def test_changed_scenario_or_design_refuses_to_resume(tmp_path, scenarios):
    out = tmp_path / "b"
    d = Design(replicates=2, root_seed=6, months=2)
    run_batch(scenarios, out, d, executor="serial", runner=fake_run, progress=False)
    changed = scenarios[0].with_values({"factions.red.strength": 3500})
    with pytest.raises(BatchError, match=r"scenario mini changed \(hash"):
        run_batch(
            [changed, scenarios[1]], out, d, executor="serial", runner=fake_run, progress=False
        )
    with pytest.raises(BatchError, match="design replicates: 2 -> 3"):
        run_batch(
            scenarios,
            out,
            Design(replicates=3, root_seed=6, months=2),
            executor="serial",
            runner=fake_run,
            progress=False,
        )
    with pytest.raises(BatchError, match="design root_seed"):
        run_batch(
            scenarios,
            out,
            Design(replicates=2, root_seed=7, months=2),
            executor="serial",
            runner=fake_run,
            progress=False,
        )
    with pytest.raises(BatchError, match="scenario mini_b was in the batch"):
        run_batch(scenarios[:1], out, d, executor="serial", runner=fake_run, progress=False)


def test_folders_that_are_not_batches(tmp_path, scenarios):
    d = Design(replicates=1, months=2)
    with pytest.raises(BatchError, match="nothing to resume"):
        run_batch(scenarios, tmp_path / "none", d, executor="serial", runner=fake_run, resume=True)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(BatchError, match="not empty"):
        run_batch(scenarios, busy, d, executor="serial", runner=fake_run)
    with pytest.raises(StoreError, match="not a batch folder"):
        load_runs(busy)


def test_invalid_point_fails_its_runs_not_the_batch(tmp_path, scenarios):
    # a sampled value the schema refuses (strength below zero) fails those runs only
    from libyasim.batch import plan_batch

    d = Design(replicates=2, months=2)
    plan = plan_batch(scenarios[:1], d)
    from libyasim.batch.design import Points, iter_runs

    plan.points = Points.from_rows([{"factions.red.strength": -5}])
    from libyasim.batch.worker import BatchContext, run_chunk

    out = tmp_path / "b"
    BatchStore(out).create(plan.manifest(None, fake_run), plan.points_table())
    ctx = BatchContext(
        out=str(out),
        scenarios=plan.scenarios,
        points=plan.points,
        sets={},
        param_columns=[],
        months=2,
        runner=fake_run,
    )
    rep = run_chunk(ctx, list(iter_runs(["mini"], 1, 2, 0)))
    assert (rep.ok, rep.failed) == (0, 2)
    assert load_runs(out)["error"].str.contains("ScenarioError").all()


def test_the_driver_learns_what_is_done_from_the_index_not_the_parts(
    tmp_path, scenarios, monkeypatch
):
    out = tmp_path / "b"
    design = Design(replicates=3, root_seed=1, months=4)
    run_batch(scenarios, out, design, executor="serial", runner=fake_run, progress=False)
    store = BatchStore(out)
    parts = store.parts("runs")
    assert {p.stem for p in parts} == {p.stem for p in (out / "_index").glob("*.json")}
    expected = store.statuses()
    assert len(expected) == 6

    def no_reading(*args, **kwargs):
        raise AssertionError("a runs part was read")

    with monkeypatch.context() as m:
        m.setattr(pq, "read_table", no_reading)
        assert store.statuses() == expected
    res = run_batch(scenarios, out, design, executor="serial", runner=fake_run, progress=False)
    assert res.ran == 0 and res.ok == 6


def test_a_stale_or_broken_index_is_rebuilt_from_its_part(tmp_path, scenarios):
    out = tmp_path / "b"
    design = Design(replicates=2, root_seed=1, months=4)
    run_batch(scenarios, out, design, executor="serial", runner=fake_run, progress=False)
    store = BatchStore(out)
    expected = store.statuses()
    first, second = sorted((out / "_index").glob("*.json"))[:2]
    data = json.loads(first.read_text())
    data["size"] += 1
    data["rows"] = [["made-up", "ok", 1]]
    first.write_text(json.dumps(data))  # names another size: ignored
    second.write_text("{not json")
    assert store.statuses() == expected
    assert json.loads(first.read_text())["size"] != data["size"]  # rebuilt
    (out / "_index" / "part-gone.json").write_text("{}")
    store.repair()
    assert not (out / "_index" / "part-gone.json").exists()
    assert store.statuses() == expected


def _headline_only(scenario, *, seed: int, months: int | None = None):
    """A runner whose series has no <variable>.<actor> column (only step and month)."""
    result = fake_run(scenario, seed=seed, months=months)
    result.series = result.series[["step", "month"]]
    return result


def test_a_run_without_series_columns_is_stored(tmp_path, scenarios):
    out = tmp_path / "b"
    res = run_batch(
        scenarios[:1],
        out,
        Design(replicates=3, root_seed=1, months=4),
        executor="serial",
        runner=_headline_only,
        progress=False,
    )
    assert res.ok == 3 and res.failed == 0
    assert load_series(out).empty
    assert len(load_events(out)) == 3


def test_dictionary_encoded_texts_are_stored_as_the_text_columns_they_declare(tmp_path):
    """A chunk's series texts are built dictionary-encoded; the part holds plain text
    columns with their descriptions, equal to the part written from strings."""
    import numpy as np
    import pyarrow as pa

    from libyasim.batch.store import _keeps_given_schema, as_declared, atomic_write_table

    codes = pa.DictionaryArray.from_arrays(
        pa.array([1, 1, 0, None], pa.int32()), pa.array(["lna", "gna"])
    )
    coded = pa.table({"run_id": codes, "step": np.arange(4, dtype=np.int32), "value": [1.0] * 4})
    plain = coded.cast(
        pa.schema([("run_id", pa.string()), ("step", pa.int32()), ("value", pa.float64())])
    )
    atomic_write_table(tmp_path / "coded.parquet", as_declared(coded, "series"))
    atomic_write_table(tmp_path / "plain.parquet", as_declared(plain, "series"))
    a, b = pq.read_table(tmp_path / "coded.parquet"), pq.read_table(tmp_path / "plain.parquet")
    assert _keeps_given_schema()  # this pyarrow writes the coded columns as they are
    assert a.schema.field("run_id").type == pa.string()
    assert a.column("run_id").to_pylist() == ["gna", "gna", "lna", None]
    assert a.equals(b) and a.schema.equals(b.schema, check_metadata=True)
    assert b"description" in a.schema.field("run_id").metadata


def test_a_sampled_points_parameters_text_is_json_of_its_values():
    """The parameters text put together from a templated point's numbers is
    ``json.dumps(..., sort_keys=True)`` of the point (whole numbers too), and the
    scenario made with those numbers' texts has full validation's hash."""
    from paths import SCENARIOS

    from libyasim import load_scenario
    from libyasim.batch.engine import plan_batch
    from libyasim.batch.worker import BatchContext

    sc = load_scenario(SCENARIOS / "baseline_2017.yaml")
    plan = plan_batch([sc], Design(replicates=1, sample="lhs", sample_n=4))
    ctx = BatchContext(
        out=".",
        scenarios=plan.scenarios,
        points=plan.points,
        sets={},
        param_columns=plan.param_paths,
    )
    assert any(type(v) is int for v in plan.points[0].values())  # a whole-number field
    for p, values in enumerate(plan.points):
        made = ctx.scenario_for(0, p)
        assert (0, p) in ctx._sampled  # the template made it, with its numbers' texts
        assert ctx.parameters_text(0, p) == json.dumps(values, sort_keys=True, default=str)
    assert made.hash == sc.with_values(plan.points[-1]).hash
    ctx.sets = {"parameters.raid_rate": 0.2}  # with --set: json.dumps, as ever
    assert ctx.parameters_text(0, 0) == json.dumps(
        {**ctx.sets, **plan.points[0]}, sort_keys=True, default=str
    )


@pytest.mark.parametrize("sample", ["sobol", "morris", "lhs"])
def test_a_sampled_points_row_makes_what_its_dict_makes(sample):
    """A sampled design's points read as rows of its columns (no dict) make the same
    scenarios (hash, values), parameters texts and parameter columns as the same
    points read as dicts; a point outside a range still fails with full
    validation's error."""
    import numpy as np
    from paths import SCENARIOS

    from libyasim import load_scenario
    from libyasim.batch.design import Points
    from libyasim.batch.engine import plan_batch
    from libyasim.batch.worker import BatchContext

    sc = load_scenario(SCENARIOS / "baseline_2017.yaml")
    plan = plan_batch([sc], Design(replicates=1, sample=sample, sample_n=4))
    rows = list(plan.points)
    assert plan.points.numeric() is not None  # columns: read as rows
    assert Points.from_rows(rows).numeric() is None  # dicts: read as dicts

    def context(points):
        return BatchContext(
            out=".", scenarios=plan.scenarios, points=points, sets={},
            param_columns=plan.param_paths,
        )  # fmt: skip

    by_row, by_dict = context(plan.points), context(rows)
    for p in range(len(rows)):
        a, b = by_row.scenario_for(0, p), by_dict.scenario_for(0, p)
        assert a.hash == b.hash and a.resolved == b.resolved
        assert by_row.parameters_text(0, p) == by_dict.parameters_text(0, p)
        np.testing.assert_array_equal(by_row.point_columns(0, p), by_dict.point_columns(0, p))
    path = plan.param_paths[0]
    outside = Points.from_rows([{**rows[0], path: 1e9}])
    bad = context(Points(list(outside[0]), [np.array([v]) for v in outside[0].values()], 1))
    with pytest.raises(Exception, match=path.split(".")[-1]):
        bad.scenario_for(0, 0)


def test_a_chunks_runs_table_holds_each_runs_own_figures():
    """Runs with the same figures, then fewer, then others: each figure's column holds
    every run's value in order and a null where a run has no such figure."""
    import numpy as np

    from libyasim.batch.worker import RUN_COLUMNS, _RunRows

    rows = _RunRows(["parameters.x"])
    figures = [
        {"a": 1.0, "b.c": 2.0},
        {"a": 3.0, "b.c": 4.0},
        {"a": 5.0},
        {"a": 6.0, "d": True},
        {"a": 7.0, "d": False},
        {"b.c": 8.0, "a": 9.0},
    ]
    for i, figs in enumerate(figures):
        row = dict.fromkeys(RUN_COLUMNS)
        row.update(run_index=i, run_id=f"r{i}", point=i, replicate=0, seed=i, attempt=1)
        rows.add(row, np.array([float(i)]), figs)
    table = rows.table()
    assert table.column("run_id").to_pylist() == [f"r{i}" for i in range(6)]
    assert table.column("param__parameters__x").to_pylist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    for name, column in (("a", "fig__a"), ("b.c", "fig__b__c"), ("d", "fig__d")):
        assert table.column(column).to_pylist() == [f.get(name) for f in figures]
