"""The dashboard stops as a whole on SIGTERM and SIGINT (no process left, the port
closed), warns when bound beyond loopback, hides Solara's diagnostics unless asked,
and answers a malformed tab-close beacon with 400, not 500."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from libyasim.dashboard.commands import stop_group

ENTRY = str(Path(sys.executable).with_name("libyasim"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str, method: str = "GET") -> int:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_dashboard_stops_whole_on_a_signal(sig):
    port = _free_port()
    proc = subprocess.Popen(
        [ENTRY, "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if _status(f"http://127.0.0.1:{port}/readyz") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.5)
        base = f"http://127.0.0.1:{port}"
        assert _status(f"{base}/resourcez?verbose") == 404  # diagnostics off by default
        assert _status(f"{base}/_solara/api/close/nokernel", "POST") == 400  # not 500
        family = [proc.pid, *(p.pid for p in psutil.Process(proc.pid).children(recursive=True))]
        assert len(family) >= 2  # libyasim and the Solara server
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig
    assert "Traceback" not in err
    _, alive = psutil.wait_procs([p for p in map(_proc, family) if p], timeout=5)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    assert not _port_open(port)


def _proc(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None


def test_stop_group_ends_workers_that_ignore_sigterm(tmp_path):
    """Like the server's pool workers: every member of the group ends, stubborn ones too."""
    script = tmp_path / "group.py"
    script.write_text(
        textwrap.dedent(
            """
            import signal, subprocess, sys, time
            stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            stubborn += "time.sleep(600)"
            kids = [subprocess.Popen([sys.executable, "-c", stubborn]) for _ in range(3)]
            print("ready", flush=True)
            time.sleep(600)
            """
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    kids = psutil.Process(proc.pid).children(recursive=True)
    assert len(kids) == 3
    stop_group(proc, timeout=2)
    assert proc.poll() is not None
    assert not [k for k in kids if k.is_running() and k.status() != psutil.STATUS_ZOMBIE]


def test_binding_beyond_loopback_warns(monkeypatch, capsys):
    import libyasim.dashboard.commands as commands

    class Done(Exception):
        pass

    def fake_popen(*_a, **_k):
        raise Done

    monkeypatch.setattr(commands.subprocess, "Popen", fake_popen)
    from libyasim.cli import build_parser

    args = build_parser().parse_args(["dashboard", "--host", "0.0.0.0", "--port", "8799"])
    with pytest.raises(Done):
        commands.run(args)
    assert "warning: --host 0.0.0.0 makes the dashboard reachable" in capsys.readouterr().err
    args = build_parser().parse_args(["dashboard", "--port", "8799"])
    with pytest.raises(Done):
        commands.run(args)
    assert "warning" not in capsys.readouterr().err
