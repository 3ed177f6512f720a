"""Reading a batch's runs table from its consolidated ``runs.parquet`` (one file) when
that file holds every run of the parts, and from the parts otherwise; writing that
file by streaming the parts in run order (or, when their runs interleave, by sorting
them), with the same rows, order and schema either way."""

from __future__ import annotations

import itertools
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from batch_fakes import electing_run, fake_run, flaky_run
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


# -- consolidate streams the parts in run order when their stretches follow each other --


def _scenarios():
    a = minimal_scenario()
    b = minimal_scenario()
    b["id"] = "mini_b"
    b["factions"][0]["strength"] = 4000
    # mini_b first: its runs come first, its parts (part-mini_b...) sort after mini's on disk
    return [from_dict(b), from_dict(a)]


def _run(out, runner=fake_run, replicates=6, chunk_seconds=1e-9, **kw):
    design = Design(replicates=replicates, root_seed=7, months=3)
    return run_batch(_scenarios(), out, design, executor="serial", runner=runner,
                     progress=False, chunk_seconds=chunk_seconds, **kw)  # fmt: skip


def _stretches(store: BatchStore) -> list[tuple[int, int]]:
    """(first, last) run_index of each runs part, in run order."""
    out = []
    for p in store.parts("runs"):
        idx = pq.read_table(p, columns=["run_index"]).column(0).to_pylist()
        out.append((min(idx), max(idx)))
    return sorted(out)


def _same_as_sorted_parts(store: BatchStore) -> None:
    """runs.parquet holds what the parts, concatenated and sorted, hold: same rows, order,
    schema and schema metadata."""
    written = pq.read_table(store.root / "runs.parquet")
    expected = _from_parts(store)
    assert written.num_rows == expected.num_rows > 0
    assert written.schema.equals(expected.schema, check_metadata=True)
    assert written.equals(expected)


def _consolidate_again(store: BatchStore, monkeypatch, *, sorts: bool) -> None:
    """Write runs.parquet anew; ``sorts``: whether the parts had to be read whole and sorted."""
    (store.root / "runs.parquet").unlink()
    calls = []
    real = read_tables
    monkeypatch.setattr(
        "libyasim.batch.store.read_tables", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    assert store.consolidate() == store.root / "runs.parquet"
    monkeypatch.undo()
    assert bool(calls) == sorts
    assert not list(store.root.glob(".*tmp*"))
    _same_as_sorted_parts(store)


def test_parts_out_of_order_on_disk_are_streamed_in_run_order(tmp_path, monkeypatch):
    pool = pa.default_memory_pool().backend_name
    _run(tmp_path / "b")
    assert pa.default_memory_pool().backend_name == pool  # consolidate's allocator undone
    store = BatchStore(tmp_path / "b")
    parts = store.parts("runs")
    assert len(parts) > 3
    firsts = [pq.read_table(p, columns=["run_index"]).column(0)[0].as_py() for p in parts]
    assert firsts != sorted(firsts)  # the files' order is not the runs' order
    _same_as_sorted_parts(store)  # as the batch wrote it
    _consolidate_again(store, monkeypatch, sorts=False)


def test_parts_of_differing_columns_are_streamed_once_unified(tmp_path, monkeypatch):
    _run(tmp_path / "b", runner=electing_run)  # some runs have election figures, some fail
    store = BatchStore(tmp_path / "b")
    runs = pq.read_table(store.root / "runs.parquet")
    assert "fig__election__accepted" in runs.column_names
    assert runs.column("fig__election__accepted").null_count > 0
    _consolidate_again(store, monkeypatch, sorts=False)


def test_a_retried_failed_run_falls_among_others_and_is_sorted(tmp_path, monkeypatch):
    out = tmp_path / "b"
    first = _run(out, runner=flaky_run, replicates=12)
    assert first.failed > 2
    # the retry's chunks hold several failed runs each: their stretches span others' runs
    fixed = _run(out, runner=fake_run, replicates=12, retry_failed=True, chunk_seconds=60)
    assert (fixed.ran, fixed.failed) == (first.failed, 0)
    store = BatchStore(out)
    stretches = _stretches(store)
    assert any(a[1] >= b[0] for a, b in itertools.pairwise(stretches))
    runs = pq.read_table(out / "runs.parquet")
    assert runs.column("run_index").to_pylist() == list(range(24))
    assert 2 in runs.column("attempt").to_pylist()
    _same_as_sorted_parts(store)
    _consolidate_again(store, monkeypatch, sorts=True)  # the retry's part overlaps others


def test_a_part_whose_rows_belie_its_index_is_sorted(tmp_path, monkeypatch):
    _run(tmp_path / "b")
    store = BatchStore(tmp_path / "b")
    parts = store.parts("runs")
    index = store._index_path(parts[0])
    data = json.loads(index.read_bytes())
    data["order"] = [1000, 1001]  # says it comes last; its rows say otherwise
    index.write_text(json.dumps(data))
    _consolidate_again(store, monkeypatch, sorts=True)


def test_an_index_from_an_older_version_is_rebuilt(tmp_path, monkeypatch):
    _run(tmp_path / "b")
    store = BatchStore(tmp_path / "b")
    for part in store.parts("runs"):
        index = store._index_path(part)
        data = json.loads(index.read_bytes())
        index.write_text(json.dumps({"size": data["size"], "rows": data["rows"]}))
    _consolidate_again(store, monkeypatch, sorts=False)
    assert all(
        "order" in json.loads(store._index_path(p).read_bytes()) for p in store.parts("runs")
    )


def test_several_row_groups_hold_the_same_rows(tmp_path, monkeypatch):
    _run(tmp_path / "b", replicates=10)
    store = BatchStore(tmp_path / "b")
    part = pq.read_table(store.parts("runs")[0])
    monkeypatch.setattr("libyasim.batch.store.ROW_GROUP_BYTES", 3 * part.nbytes)
    (store.root / "runs.parquet").unlink()
    store.consolidate()
    assert pq.ParquetFile(store.root / "runs.parquet").metadata.num_row_groups > 1
    _same_as_sorted_parts(store)


def test_a_consolidation_cut_short_leaves_the_previous_file(tmp_path, monkeypatch):
    _run(tmp_path / "b")
    store = BatchStore(tmp_path / "b")
    path = store.root / "runs.parquet"
    before = path.read_bytes()
    part = store.parts("runs")[0]
    st = path.stat()
    os.utime(part, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # the file is stale

    def cut(paths):
        yield pq.read_table(paths[0])
        raise KeyboardInterrupt

    monkeypatch.setattr("libyasim.batch.store._read_parts", cut)
    with pytest.raises(KeyboardInterrupt):
        store.consolidate()
    assert path.read_bytes() == before
    assert not list(store.root.glob(".*tmp*"))


def test_unify_reads_one_schema_per_set_of_columns(tmp_path, monkeypatch):
    _run(tmp_path / "b", runner=electing_run)
    store = BatchStore(tmp_path / "b")
    parts = store.parts("runs")
    real = pq.read_schema
    read = []
    monkeypatch.setattr(pq, "read_schema", lambda p, *a, **k: read.append(p) or real(p, *a, **k))
    assert store.unify() == 0  # the batch unified them already
    assert 1 <= len(read) < len(parts)
