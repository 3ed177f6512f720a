"""Progress: a tqdm bar on a terminal, a log line every ~30 s otherwise (cluster logs)."""

from __future__ import annotations

import sys
import time
from typing import IO


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class Progress:
    """Counts runs as chunks finish; shows rate, ETA and failures."""

    def __init__(
        self,
        total: int,
        done_before: int = 0,
        stream: IO[str] | None = None,
        interval: float = 30.0,
        bar: bool | None = None,
        enabled: bool = True,
    ):
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.interval = interval
        self.enabled = enabled
        self.t0 = time.monotonic()
        self.last_log = self.t0
        use_bar = self.stream.isatty() if bar is None else bar
        self.bar = None
        if enabled and use_bar:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                unit="run",
                file=self.stream,
                dynamic_ncols=True,
                smoothing=0.1,
                desc="runs",
            )
            self.bar.set_postfix(failed=0)
        elif enabled:
            self.stream.write(
                f"[batch] {total} run(s) to do"
                + (f" ({done_before} already done)" if done_before else "")
                + "\n"
            )
            self.stream.flush()

    def update(self, n: int, failed: int) -> None:
        self.done += n
        self.failed += failed
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(n)
            if failed:
                self.bar.set_postfix(failed=self.failed)
            return
        now = time.monotonic()
        if now - self.last_log >= self.interval:
            self.last_log = now
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        elapsed = time.monotonic() - self.t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta_s = _duration(eta) if eta == eta else "?"
        return (
            f"[batch] {self.done}/{self.total} runs ({pct:.1f}%), {rate:.2f} runs/s, "
            f"elapsed {_duration(elapsed)}, ETA {eta_s}, {self.failed} failed"
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
