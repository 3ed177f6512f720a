"""Reading a batch's runs table from its consolidated ``runs.parquet`` (one file) when
that file holds every run of the parts, and from the parts otherwise."""

from __future__ import annotations

import os

import pyarrow.parquet as pq
import pytest
from batch_fakes import fake_run
from scenario_factory import minimal_scenario

from libyasim.batch import BatchStore, Design, load_runs, run_batch
from libyasim.batch.store import read_tables
from libyasim.scenario import from_dict


@pytest.fixture
def batch(tmp_path):
    out = tmp_path / "b"
    design = Design(replicates=6, root_seed=2, months=3)
    run_batch([from_dict(minimal_scenario())], out, design, executor="serial",
              runner=fake_run, progress=False, chunk_seconds=1e-9)  # fmt: skip
    return BatchStore(out)


def _from_parts(store: BatchStore):
    return read_tables(store.parts("runs")).sort_by([("run_index", "ascending")])


def test_the_consolidated_file_is_read_and_equals_the_parts(batch, monkeypatch):
    assert len(batch.parts("runs")) > 1
    assert batch.consolidated() == batch.root / "runs.parquet"
    read = []
    monkeypatch.setattr("libyasim.batch.store.read_tables", lambda *a, **k: read.append(a))
    table = batch.runs()
    assert read == []  # no part was read
    monkeypatch.undo()
    assert table.equals(_from_parts(batch))
    assert table.schema.equals(_from_parts(batch).schema, check_metadata=True)


def test_skip_leaves_columns_out_either_way(batch):
    full = load_runs(batch.root)
    lean = load_runs(batch.root, skip=("parameters", "no_such_column"))
    assert "parameters" in full and "parameters" not in lean
    assert list(lean.columns) == [c for c in full.columns if c != "parameters"]
    (batch.root / "runs.parquet").unlink()
    assert list(load_runs(batch.root, skip=("parameters",)).columns) == list(lean.columns)


def test_a_part_newer_than_the_file_or_a_missing_part_means_the_parts(batch):
    path = batch.root / "runs.parquet"
    part = batch.parts("runs")[0]
    st = path.stat()
    os.utime(part, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # written after it
    assert batch.consolidated() is None
    assert batch.runs().num_rows == pq.read_metadata(path).num_rows == 6
    os.utime(part, ns=(st.st_atime_ns, st.st_mtime_ns - 1_000_000))
    assert batch.consolidated() == path
    part.unlink()  # a lost part: the file holds rows the parts no longer do
    assert batch.consolidated() is None
    assert batch.runs().num_rows < 6
    assert batch.consolidate() == path and pq.read_metadata(path).num_rows < 6
