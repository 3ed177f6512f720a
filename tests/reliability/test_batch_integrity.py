"""One writer per batch folder; damaged parts detected, quarantined and run again;
an output folder that cannot be written is a message, not a traceback."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_fakes import fake_run
from paths import BASELINE
from scenario_factory import minimal_scenario

from libyasim.batch import BatchStore, Design, load_runs, load_series, run_batch
from libyasim.batch.integrity import QUARANTINE, BatchLock, BatchLocked, damaged_parts
from libyasim.cli import main
from libyasim.scenario import from_dict

ENTRY = str(Path(sys.executable).with_name("libyasim"))
DESIGN = Design(replicates=6, root_seed=3, months=4)


@pytest.fixture(scope="module")
def scenario():
    return from_dict(minimal_scenario())


def batch(scenario, out, **kw):
    opts = {"executor": "serial", "runner": fake_run, "progress": False, "chunk_seconds": 1e-6}
    return run_batch([scenario], out, kw.pop("design", DESIGN), **{**opts, **kw})


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(tmp_path, scenario):
    out = tmp_path / "b"
    busy = f"in use by another batch \\(process {os.getpid()}"
    with BatchLock(out), pytest.raises(BatchLocked, match=busy):
        batch(scenario, out)
    res = batch(scenario, out)  # released: the batch runs
    assert (res.ok, res.total) == (6, 6)
    assert not (out / ".lock").exists()


def test_two_batch_commands_into_one_folder_one_is_refused(tmp_path):
    out = tmp_path / "b"
    common = ["--out", str(out), "--months", "6", "--workers", "1", "--no-report", "--quiet"]
    first = subprocess.Popen(
        [ENTRY, "batch", str(BASELINE), "--replicates", "40", "--seed", "7", *common],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / ".lock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, "the first batch ended before the second started"
        second = subprocess.run(
            [ENTRY, "batch", str(BASELINE), "--replicates", "40", "--seed", "8", *common],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert first.poll() is None, "the first batch must still be running"
        assert second.returncode == 2
        assert "in use by another batch" in second.stderr and "Traceback" not in second.stderr
    finally:
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    runs = load_runs(out)
    assert len(runs) == 40 and runs["run_id"].is_unique
    assert json.loads((out / "manifest.json").read_text())["root_seed"] == 7


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_stale_lock_of_a_dead_writer_is_taken_over(tmp_path, scenario, capsys):
    out = tmp_path / "b"
    out.mkdir()
    pid = _dead_pid()
    (out / ".lock").write_text(json.dumps({"pid": pid, "host": socket.gethostname()}))
    res = batch(scenario, out)
    assert res.ok == 6
    assert f"stale lock of process {pid} (no longer running) taken over" in capsys.readouterr().err


def test_a_lock_left_by_another_host_is_refused(tmp_path, scenario):
    out = tmp_path / "b"
    out.mkdir()
    (out / ".lock").write_text(json.dumps({"pid": 1234, "host": "elsewhere.example"}))
    with pytest.raises(BatchLocked, match=r"on host elsewhere\.example"):
        batch(scenario, out)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("table", ["runs", "series", "events"])
def test_a_truncated_part_is_quarantined_and_its_runs_run_again(tmp_path, scenario, table, capsys):
    out = tmp_path / "b"
    batch(scenario, out)
    store = BatchStore(out)
    victim = store.parts(table)[0]
    _truncate(victim)
    assert [d.path for d in damaged_parts(store)] == [victim]
    res = batch(scenario, out)  # resume
    err = capsys.readouterr().err
    assert f"damaged: {table} part {victim.name}" in err
    assert res.ran >= 1 and (res.ok, res.total) == (6, 6)
    assert list((out / QUARANTINE).rglob(victim.name))
    runs = load_runs(out)
    assert len(runs) == 6 and runs["run_id"].is_unique
    series = load_series(out)
    assert set(series["run_id"]) == set(runs["run_id"])
    assert not series.duplicated(["run_id", "variable", "actor", "step"]).any()
    assert damaged_parts(store) == []


def test_a_part_with_missing_rows_is_detected(tmp_path, scenario):
    """A whole Parquet file with fewer rows than its chunk recorded (not only truncation)."""
    import pyarrow.parquet as pq

    out = tmp_path / "b"
    batch(scenario, out)
    store = BatchStore(out)
    part = store.parts("series")[0]
    table = pq.read_table(part)
    pq.write_table(table.slice(0, table.num_rows - 1), part)
    (found,) = damaged_parts(store)
    assert found.path == part and "rows where its chunk recorded" in found.reason


def test_report_on_a_damaged_batch_quarantines_and_warns(tmp_path, scenario, capsys):
    out = tmp_path / "b"
    batch(scenario, out)
    _truncate(BatchStore(out).parts("series")[0])
    code = main(["report", str(out), "--no-figures"])
    err = capsys.readouterr().err
    assert code == 0
    assert "damaged: series part" in err and "moved to" in err


@pytest.mark.parametrize("kind", ["file", "proc"])
def test_out_naming_a_file_or_proc_is_a_message(tmp_path, kind, capsys):
    target = tmp_path / "afile" if kind == "file" else Path("/proc/libyasim-out")
    if kind == "file":
        target.write_text("x")
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(BASELINE), "--out", str(target), "-n", "1", "--no-report", "-q"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "cannot write the batch folder" in err or "is a file, not a folder" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_disk_is_a_message(tmp_path, monkeypatch, capsys, code):
    import libyasim.batch.store as store_module

    def fail(*_a, **_k):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(store_module, "atomic_write_table", fail)
    args = ["batch", str(BASELINE), "--out", str(tmp_path / "b"), "-n", "1", "--months", "2"]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--executor", "serial", "--no-report", "-q"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert ("disk is full" if code == errno.ENOSPC else "read-only") in err
