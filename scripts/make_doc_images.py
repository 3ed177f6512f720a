"""Regenerate the README's pictures in docs/img/.

    .venv/bin/python scripts/make_doc_images.py            # both pictures
    .venv/bin/python scripts/make_doc_images.py compare    # only the comparison plot
    .venv/bin/python scripts/make_doc_images.py dashboard  # only the dashboard screenshot

``compare``: a small ensemble of the Paris question (four scenarios, the same
seeds) drawn with :func:`libyasim.analysis.outcome_bars` — the plot
``libyasim report`` writes as ``outcomes.png``.

``dashboard``: starts ``libyasim dashboard`` on a free loopback port, opens
it in headless Chromium (``/usr/bin/chromium``, or ``$CHROMIUM_PATH``) with
Playwright, steps the Run page a few months and takes a screenshot; then stops
the server it started.

The batch goes to a temporary folder; only the PNGs are written into the
repository.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from libyasim.dashboard.headless import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
SCENARIOS = ["baseline_2017", "ceasefire_only", "early_elections", "paris_2017"]
REPLICATES = 40
MONTHS = 36


def comparison(path: Path) -> None:
    from libyasim.analysis import outcome_bars, outcome_table
    from libyasim.batch import Design, load_runs, run_batch

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "paris"
        run_batch(
            [ROOT / "scenarios" / f"{s}.yaml" for s in SCENARIOS],
            out,
            Design(replicates=REPLICATES, root_seed=2017, months=MONTHS),
            progress=False,
        )
        fig = outcome_bars(outcome_table(load_runs(out)))
    fig.suptitle(
        f"The Paris question: end states after {MONTHS} months, {REPLICATES} runs per scenario "
        "(same seeds)",
        fontsize=10,
    )
    fig.savefig(path, dpi=90)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1000} kB)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 90.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the dashboard did not answer at {url} within {seconds:.0f} s")


def dashboard(path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    exe = Path(sys.executable).with_name("libyasim")
    cmd = (
        [str(exe), "dashboard", "--port", str(port)]
        if exe.exists()
        else [sys.executable, "-m", "libyasim.cli", "dashboard", "--port", str(port)]
    )
    server = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )  # its own process group: we stop exactly it
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for(url)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            month = page.locator(".libyasim-month")
            expect(month).to_have_text("Month: 2017-08", timeout=60_000)
            step = page.get_by_role("button", name="Step", exact=True)
            for m in ("2017-09", "2017-10", "2017-11", "2017-12", "2018-01", "2018-02"):
                step.click()
                expect(month).to_have_text(f"Month: {m}", timeout=30_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(path))
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1000} kB)")


def main(argv: list[str]) -> int:
    IMG.mkdir(parents=True, exist_ok=True)
    which = set(argv) or {"compare", "dashboard"}
    unknown = which - {"compare", "dashboard"}
    if unknown:
        print(
            f"unknown picture(s): {', '.join(sorted(unknown))}; choose compare and/or dashboard",
            file=sys.stderr,
        )
        return 2
    if "compare" in which:
        comparison(IMG / "compare_paris.png")
    if "dashboard" in which:
        dashboard(IMG / "dashboard.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
