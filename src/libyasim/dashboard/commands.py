"""``libyasim dashboard``: serve the Solara dashboard (binds 127.0.0.1 by default).

The Solara server runs in its own process group; SIGTERM or SIGINT (Ctrl-C) to
``libyasim dashboard`` stops the whole group (server and ensemble workers) and
waits until none is left, so the port is free when the command returns.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .server import DIAGNOSTICS_ENV, SERVER_ENV

APP = "libyasim.dashboard.app"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: seconds the server group has to stop after SIGTERM before it is killed
STOP_SECONDS = 10.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dashboard",
        help="start the dashboard in the browser (Solara)",
        description="Serve the libyasim dashboard. It binds to 127.0.0.1 unless "
        "--host says otherwise: only this machine can reach it.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--port", type=int, default=8765, help="TCP port")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (0.0.0.0 exposes the dashboard to your network)",
    )
    p.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        help="folder of scenario files to offer (default: the shipped scenarios/)",
    )
    p.add_argument(
        "--diagnostics",
        action="store_true",
        help="serve Solara's /resourcez diagnostics (host load and sessions; off by default)",
    )
    p.set_defaults(func=run)


def solara_command(port: int, host: str) -> list[str]:
    exe = shutil.which("solara", path=str(Path(sys.executable).parent)) or shutil.which("solara")
    base = [exe] if exe else [sys.executable, "-m", "solara"]
    return [*base, "run", APP, "--host", host, "--port", str(port), "--production", "--no-open"]


class _Stop(Exception):
    def __init__(self, signum: int):
        self.signum = signum


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a member we may not signal: still there
        return True
    return True


def stop_group(proc: subprocess.Popen, timeout: float = STOP_SECONDS) -> None:
    """SIGTERM the server's process group, wait for every member, SIGKILL what remains."""
    pgid = proc.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None and not _group_alive(pgid):
                return
            time.sleep(0.05)
    proc.wait()


def run(args: argparse.Namespace) -> int:
    from ..cli import UsageError

    try:
        import solara  # noqa: F401
    except ImportError:
        raise UsageError("the dashboard needs the 'ui' extra: pip install 'libyasim[ui]'") from None
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be in 1..65535; got {args.port}")
    env = dict(os.environ)
    if args.scenarios is not None:
        if not args.scenarios.is_dir():
            raise UsageError(f"--scenarios {args.scenarios}: no such folder")
        env["LIBYASIM_SCENARIOS"] = str(args.scenarios.resolve())
    env[DIAGNOSTICS_ENV] = "1" if args.diagnostics else "0"
    env.update(SERVER_ENV)  # no call home
    if args.host not in LOOPBACK:
        print(
            f"libyasim dashboard: warning: --host {args.host} makes the dashboard reachable "
            "from other machines; it has no login, and anyone who reaches the port can run "
            "ensembles and upload scenarios",
            file=sys.stderr,
            flush=True,
        )
    shown = "localhost" if args.host in LOOPBACK else args.host
    print(f"libyasim dashboard: http://{shown}:{args.port}/  (Ctrl-C stops it)", flush=True)

    def on_signal(signum: int, _frame: object) -> None:
        raise _Stop(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    proc: subprocess.Popen | None = None
    try:
        # its own process group: a signal to us reaches the server and its workers
        # through stop_group, and none is left behind under PID 1
        proc = subprocess.Popen(
            solara_command(args.port, args.host), env=env, start_new_session=True
        )
        code = proc.wait()
        if _group_alive(proc.pid):  # the server ended by itself: its workers end with it
            stop_group(proc)
        return code
    except (_Stop, KeyboardInterrupt) as exc:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if proc is not None:
            stop_group(proc)
        print("libyasim dashboard: stopped", file=sys.stderr)
        return 128 + (exc.signum if isinstance(exc, _Stop) else signal.SIGINT)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
