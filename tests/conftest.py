"""Shared test fixtures. Keep this file small; put helpers in their own modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import ARTICLE, BASELINE


@pytest.fixture(scope="session")
def baseline():
    """The shipped baseline scenario, loaded once per session (it is frozen)."""
    from libyasim.scenario import load_scenario

    return load_scenario(BASELINE)


@pytest.fixture(scope="session")
def article_path() -> Path:
    """Path of the seed article; skips the test when it is not available."""
    if not ARTICLE.is_file():
        pytest.skip(f"seed article not found at {ARTICLE}")
    return ARTICLE
