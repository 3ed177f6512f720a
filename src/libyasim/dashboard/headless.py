"""Headless Chromium for the browser tests, the README's screenshot and the
dashboard benchmark: Debian's binary (never a downloaded browser) and the flags
that keep it quiet on a closed network."""

from __future__ import annotations

import os

#: Debian's chromium, or ``$CHROMIUM_PATH``
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",  # runs as root in containers
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no refused-connection noise on a closed network
    "--disable-component-update",
    "--disable-sync",
]
