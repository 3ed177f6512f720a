"""Shared test fixtures. Keep this file small; put helpers in their own modules."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
BASELINE = SCENARIOS / "baseline_2017.yaml"
# The seed article lives beside the repository, never inside it (DESIGN.md §1).
ARTICLE = REPO.parent / "shared" / "seeds" / "libya_2017_article.txt"


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
