"""``libyasim dashboard``: serve the Solara dashboard (binds 127.0.0.1 by default)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

APP = "libyasim.dashboard.app"


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
    p.set_defaults(func=run)


def solara_command(port: int, host: str) -> list[str]:
    exe = shutil.which("solara", path=str(Path(sys.executable).parent)) or shutil.which("solara")
    base = [exe] if exe else [sys.executable, "-m", "solara"]
    return [*base, "run", APP, "--host", host, "--port", str(port), "--production", "--no-open"]


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
    shown = "localhost" if args.host in ("127.0.0.1", "localhost") else args.host
    print(f"libyasim dashboard: http://{shown}:{args.port}/  (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.call(solara_command(args.port, args.host), env=env)
    except KeyboardInterrupt:
        return 130
