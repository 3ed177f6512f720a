"""A batch folder as data: one schema per table, Hive partitions, dates, SQL-friendly
names, a data dictionary in the files and in docs/data.md; pandas, pyarrow.dataset
and DuckDB read every row and every column; an older layout is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from batch_fakes import electing_run
from paths import BASELINE, REPO
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
from libyasim.batch.columns import DICTIONARY, describe, dictionary_table
from libyasim.scenario import from_dict

TABLES = ("runs", "series", "events")


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    a = from_dict(minimal_scenario())
    d = minimal_scenario()
    d["id"] = "mini_b"
    out = tmp_path_factory.mktemp("data") / "b"
    run_batch(
        [a, from_dict(d)], out, Design(replicates=6, root_seed=1, months=4),
        executor="serial", runner=electing_run, progress=False, chunk_seconds=1e-9,
    )  # fmt: skip
    return out


def _schemas(out: Path, table: str) -> list[pa.Schema]:
    return [pq.read_schema(p) for p in BatchStore(out).parts(table)]


def test_every_part_of_a_table_has_one_schema(batch):
    for table in TABLES:
        schemas = _schemas(batch, table)
        assert len(schemas) > 1
        first = schemas[0]
        for s in schemas[1:]:
            assert s.names == first.names
            assert [f.type for f in s] == [f.type for f in first]
    runs = load_runs(batch)
    # only some runs held an election, and failed runs have no figures at all
    assert runs["fig__election__accepted"].notna().any()
    assert runs["fig__election__accepted"].isna().any()
    assert (runs["status"] == "failed").any()


def test_names_types_and_partitions(batch):
    for table in TABLES:
        for s in _schemas(batch, table):
            assert not [n for n in s.names if "." in n or n == "flags"], s.names
    assert {p.parent.name for p in BatchStore(batch).parts("series")} == {
        "scenario=mini",
        "scenario=mini_b",
    }
    series, events = (ds.dataset(batch / t, partitioning="hive").schema for t in TABLES[1:])
    for s in (series, events):
        assert s.field("month").type == pa.date32()
        assert s.field("step").type == pa.int32()
        assert s.field("run_id").type == pa.string()
    assert events.field("kind").type == series.field("variable").type == pa.string()
    month = load_series(batch)["month"]  # the fake runs' months start at 2017-01
    assert pd.api.types.is_datetime64_any_dtype(month) and month.min() == pd.Timestamp("2017-01-01")


def test_pandas_pyarrow_and_duckdb_read_every_row_and_column(batch):
    duckdb = pytest.importorskip("duckdb")
    runs = load_runs(batch)
    columns = set(runs.columns)
    n_series, n_events = len(load_series(batch)), len(load_events(batch))
    # pandas, whole folders
    assert set(pd.read_parquet(batch / "runs").columns) == columns
    assert len(pd.read_parquet(batch / "runs")) == len(runs) == 12
    assert len(pd.read_parquet(batch / "series")) == n_series > 0
    assert set(pd.read_parquet(batch / "events").columns) == set(load_events(batch).columns)
    # pyarrow.dataset, schema from any one part
    t = ds.dataset(batch / "runs").to_table()
    assert set(t.column_names) == columns and t.num_rows == 12
    assert ds.dataset(batch / "series", partitioning="hive").count_rows() == n_series
    ev = ds.dataset(batch / "events", partitioning="hive").to_table()
    assert ev.num_rows == n_events and "scenario" in ev.column_names
    # DuckDB, without union_by_name
    con = duckdb.connect()
    got = con.sql(f"select * from read_parquet('{batch}/runs/*.parquet')").df()
    assert set(got.columns) == columns and len(got) == 12
    elections = con.sql(
        f"select count(fig__election__accepted) from read_parquet('{batch}/runs/*.parquet')"
    ).fetchall()[0][0]
    assert elections == runs["fig__election__accepted"].notna().sum() > 0
    per = con.sql(
        f"select scenario, count(*) from read_parquet('{batch}/series/**/*.parquet', "
        "hive_partitioning = true) group by scenario order by scenario"
    ).fetchall()
    assert [s for s, _ in per] == ["mini", "mini_b"] and sum(c for _, c in per) == n_series
    months = con.sql(
        f"select min(month) from read_parquet('{batch}/events/**/*.parquet', "
        "hive_partitioning = true)"
    ).fetchall()[0][0]
    assert str(months) == "2017-09-01"  # the fake runs' one event


def test_every_column_is_described_in_the_files_and_in_docs(batch):
    for table in TABLES:
        for s in _schemas(batch, table):
            for f in s:
                found = describe(table, f.name)
                assert found is not None, f"{table}.{f.name} is not in the data dictionary"
                meta = f.metadata or {}
                assert meta.get(b"description") == found[0].encode(), f.name
                assert meta.get(b"unit") == found[1].encode(), f.name
    doc = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    for table in TABLES:
        assert dictionary_table(table) in doc, f"docs/data.md is out of step for {table}"
    assert {t for t, *_ in DICTIONARY} == set(TABLES)


def _old_layout(batch: Path, tmp_path: Path) -> Path:
    import shutil

    old = tmp_path / "old"
    shutil.copytree(batch, old)
    m = json.loads((old / "manifest.json").read_text())
    m["format_version"] = 1
    (old / "manifest.json").write_text(json.dumps(m))
    return old


def test_an_older_layout_is_refused_with_a_message(batch, tmp_path):
    old = _old_layout(batch, tmp_path)
    with pytest.raises(StoreError, match=r"older libyasim .data layout 1"):
        load_runs(old)
    with pytest.raises(StoreError, match="new --out folder"):
        load_series(old)
    a = from_dict(minimal_scenario())
    d = minimal_scenario()
    d["id"] = "mini_b"
    with pytest.raises(BatchError, match=r"cannot resume .*older libyasim"):
        run_batch(
            [a, from_dict(d)], old, Design(replicates=6, root_seed=1, months=4),
            executor="serial", runner=electing_run, progress=False, resume=True,
        )  # fmt: skip


def test_cli_resume_of_an_older_layout_is_one_message(tmp_path):
    out = tmp_path / "b"
    cli = [sys.executable, "-m", "libyasim.cli"]
    args = ["batch", str(BASELINE), "--out", str(out), "-n", "1", "--months", "1", "--no-report"]
    first = subprocess.run([*cli, *args], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    m = json.loads((out / "manifest.json").read_text())
    m["format_version"] = 1
    (out / "manifest.json").write_text(json.dumps(m))
    res = subprocess.run([*cli, *args, "--resume"], capture_output=True, text=True)
    assert res.returncode != 0
    assert "older libyasim" in res.stderr and "Traceback" not in res.stderr
