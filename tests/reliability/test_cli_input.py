"""Command-line input under the same limits as files, designs sized before allocation,
and no traceback when Ctrl-C arrives while the command is still importing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import BASELINE

from libyasim.cli import main

ENTRY = str(Path(sys.executable).with_name("libyasim"))
ALIAS_BOMB = (
    "{a: &a [1,1,1,1,1,1,1,1,1,1], b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], "
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], "
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d], f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]}"
)


def batch_error(tmp_path, capsys, *args: str) -> str:
    out = tmp_path / "b"
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(BASELINE), "--out", str(out), "-n", "1", "--no-report", "-q", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not out.exists()  # refused before anything was written
    return err


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("[" * 20000 + "]" * 20000, "brackets nested 20000 deep"),
        ("- " * 20000 + "x", "nested too deeply"),
        (ALIAS_BOMB, "values once aliases are expanded"),
        ("9" * 5000, "more than 4300 digits"),
        ("\udcff", "lone surrogate"),
    ],
)
def test_set_values_have_a_files_limits(tmp_path, capsys, value, says):
    err = batch_error(tmp_path, capsys, "--set", f"parameters.raid_rate={value}")
    assert says in err


@pytest.mark.parametrize(
    "args",
    [
        ["--sweep", "parameters.raid_rate=0:0.5:100000000"],
        ["--sample", "lhs", "100000000"],
        ["--sweep", "parameters.raid_rate=0:0.5:2000", "--sweep", "months=1:12:1000"],
        ["--sample", "sobol", str(2**19)],  # N*(D+2) points with D parameters
    ],
)
def test_oversized_designs_are_refused_before_allocation(tmp_path, capsys, args):
    err = batch_error(tmp_path, capsys, *args)
    assert "more than the limit of 1,000,000" in err and "refused before allocating" in err


def test_vary_without_sample_is_refused(tmp_path, capsys):
    err = batch_error(tmp_path, capsys, "--vary", "parameters.*")
    assert "--vary chooses which parameters --sample varies" in err


def test_ctrl_c_during_the_imports_is_a_message(monkeypatch, capsys):
    import importlib

    def interrupted(name, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib, "import_module", interrupted)  # the command modules' import
    assert main(["validate", str(BASELINE)]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def _mapped(pid: int, name: str) -> bool:
    try:
        return name in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def test_ctrl_c_while_the_command_starts_gives_no_traceback():
    """SIGINT as soon as pydantic's compiled core is loaded: the heavy imports are under way."""
    proc = subprocess.Popen(
        [ENTRY, "validate", str(BASELINE)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if _mapped(proc.pid, "pydantic_core"):
            proc.send_signal(signal.SIGINT)
            break
        time.sleep(0.002)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode in (0, 130), err
    if proc.returncode == 130:
        assert err.strip().endswith("interrupted")
