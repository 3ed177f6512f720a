"""The dashboard's speed as a user meets it, measured in a real headless browser.

Not a test: run it by hand,

    .venv/bin/python benchmarks/bench_dashboard.py [--runs 100] [--steps 10]

It starts `solara run libyasim.dashboard.app` on a free port, drives it in Debian's
headless Chromium (as the browser tests do) and prints a Markdown table, each
figure beside its target and their ratio (below 1 meets the target for times,
above 1 for the Play rate), with the machine's cores and load average, which
matter on a shared machine:

- first load: from opening the Run page in a new session (the server already
  running) to every chart drawn in the browser;
- Step: from the click to every chart drawing the new month;
- Play: months shown per second while playing;
- ensemble: from clicking *Run ensemble* (N runs of the baseline, worker pool
  warmed by a small ensemble first, as an analyst's first click does once per
  server) to the first probabilities, to the probabilities of all N runs, and to
  its charts drawn.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from libyasim.dashboard.headless import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "first load (s)": 3.0,
    "Step (s)": 0.3,
    "Play (months/s)": 3.0,
    "ensemble: first probabilities (s)": 5.0,
    "ensemble: all probabilities (s)": 5.0,
    "ensemble: figures (s)": 8.0,
}

#: resolves when every chart carries a data-stamp starting with the given month
WAIT_CHARTS = """([month, before]) => new Promise(resolve => {
  const t0 = performance.now();
  const done = () => {
    const charts = [...document.querySelectorAll('.libyasim-chart')];
    const stamp = (c) => c.getAttribute('data-stamp') || '';
    return charts.length > 0 && charts.every(c => stamp(c).startsWith(month));
  };
  if (before) { before(); }
  const tick = () => done() ? resolve(performance.now() - t0) : requestAnimationFrame(tick);
  tick();
})"""

#: true when every chart carries a data-stamp starting with the given month
ALL_DRAWN = """(month) => {
  const charts = [...document.querySelectorAll('.libyasim-chart')];
  const stamp = (c) => c.getAttribute('data-stamp') || '';
  return charts.length > 0 && charts.every(c => stamp(c).startsWith(month));
}"""


def note(*a: object) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(*a, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def next_month(month: str) -> str:
    y, m = (int(x) for x in month.split("-"))
    return f"{y + m // 12}-{m % 12 + 1:02d}"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--play-seconds", type=float, default=6.0)
    ap.add_argument("--chromium", default=CHROMIUM)
    args = ap.parse_args()
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    exe = Path(sys.executable).parent / "solara"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    server = subprocess.Popen(
        [
            str(exe),
            "run",
            "libyasim.dashboard.app",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--production",
            "--no-open",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    got: dict[str, float] = {}
    loads: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)

            def fresh_page():
                return browser.new_context(viewport={"width": 1440, "height": 900}).new_page()

            # the server's own first page (imports, shipped scenarios): not counted
            page = fresh_page()
            for _ in range(120):
                try:
                    page.goto(url)
                    break
                except Exception:
                    time.sleep(0.5)
            expect(page.locator(".libyasim-month")).to_be_visible(timeout=120_000)
            page.evaluate(WAIT_CHARTS, ["2017-08", None])
            page.context.close()
            note("server warm")

            for _ in range(3):
                page = fresh_page()
                t0 = time.perf_counter()
                page.goto(url)
                expect(page.locator(".libyasim-month")).to_be_visible(timeout=60_000)
                page.evaluate(WAIT_CHARTS, ["2017-08", None])
                loads.append(time.perf_counter() - t0)
                page.context.close()
            got["first load (s)"] = statistics.median(loads)
            note("first loads", loads)

            page = fresh_page()
            page.goto(url)
            expect(page.locator(".libyasim-month")).to_be_visible(timeout=60_000)
            page.evaluate(WAIT_CHARTS, ["2017-08", None])
            month, steps = "2017-08", []
            step = page.get_by_role("button", name="Step", exact=True)
            for _ in range(args.steps):
                month = next_month(month)
                t0 = time.perf_counter()
                step.click()
                page.wait_for_function(ALL_DRAWN, arg=month, polling="raf", timeout=60_000)
                steps.append(time.perf_counter() - t0)
            got["Step (s)"] = statistics.median(steps)
            note("steps", steps)

            def shown() -> str:
                return page.locator(".libyasim-month").inner_text().removeprefix("Month: ")

            def index(m: str) -> int:
                y, mm = (int(x) for x in m.split("-"))
                return 12 * y + mm

            first = shown()
            page.get_by_role("button", name="Play", exact=True).click()
            deadline = time.perf_counter() + 60
            while shown() == first and time.perf_counter() < deadline:
                time.sleep(0.02)
            t0, m0 = time.perf_counter(), shown()
            time.sleep(args.play_seconds)
            m1, t1 = shown(), time.perf_counter()
            page.get_by_role("button", name="Pause", exact=True).click()
            got["Play (months/s)"] = (index(m1) - index(m0)) / (t1 - t0)
            note("play", m0, m1, t1 - t0)
            page.context.close()

            page = fresh_page()
            page.goto(f"{url}/ensemble")
            runs = page.get_by_label("Runs per scenario")
            expect(runs).to_be_visible(timeout=60_000)
            for i, n in enumerate([5, args.runs]):
                runs.fill(str(n))
                runs.press("Enter")
                page.get_by_label("Root seed").fill(str(100 + i))
                page.get_by_label("Root seed").press("Enter")
                page.wait_for_timeout(300)
                t0 = time.perf_counter()
                page.get_by_role("button", name="Run ensemble").click()
                expect(page.get_by_text(f"(root seed {100 + i},")).to_be_visible(timeout=600_000)
                expect(page.locator(".libyasim-probability").first).to_be_visible(timeout=600_000)
                t_first = time.perf_counter() - t0
                expect(page.get_by_text(re.compile(rf"^{n} runs in"))).to_be_visible(
                    timeout=600_000
                )
                t_all = time.perf_counter() - t0
                expect(page.locator("[data-name=fan] svg")).to_be_visible(timeout=600_000)
                expect(page.locator("[data-name=outcomes] svg")).to_be_visible(timeout=600_000)
                page.wait_for_function(
                    "document.querySelector('[data-name=fan]').getAttribute('data-stamp')"
                )
                t_fig = time.perf_counter() - t0
                note("ensemble", n, t_first, t_all, t_fig)
            got["ensemble: first probabilities (s)"] = t_first
            got["ensemble: all probabilities (s)"] = t_all
            got["ensemble: figures (s)"] = t_fig
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    load = os.getloadavg()
    print(f"{args.runs}-run ensemble of baseline_2017, {args.steps} steps, 1440×900 viewport")
    print("| measure | measured | target | ratio |")
    print("|---|---|---|---|")
    for k, target in TARGETS.items():
        v = got[k]
        print(f"| {k} | {v:.2f} | {target:g} | {v / target:.2f} |")
    print(
        f"\ncores {os.cpu_count()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"(1/5/15 min); first loads {', '.join(f'{x:.2f}' for x in loads)} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
