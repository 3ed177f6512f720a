"""Browser tests: pytest-playwright drives Debian's headless Chromium (never `playwright install`).

Screenshots go to ``$LIBYASIM_ARTEFACTS/screens`` if set, else a pytest temporary folder
(never the repository).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from playwright.sync_api import expect

from libyasim.dashboard.headless import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1500, "height": 1000}}


@pytest.fixture(scope="session")
def screens(tmp_path_factory) -> Path:
    root = os.environ.get("LIBYASIM_ARTEFACTS")
    path = Path(root) / "screens" if root else tmp_path_factory.mktemp("screens")
    path.mkdir(parents=True, exist_ok=True)
    return path


# the machine is shared: an assertion waits up to 15 s for the page (5 s by default)
expect.set_options(timeout=15_000)


def pytest_configure(config):
    """A free port for the test server (solara's fixed default collides when several
    test runs share the machine); ``PORT=...`` or ``--solara-port`` still choose."""
    if "PORT" in os.environ or not hasattr(config.option, "solara_port"):
        return
    if any(a.startswith("--solara-port") for a in config.invocation_params.args):
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        config.option.solara_port = s.getsockname()[1]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "page_session" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
