"""Paths the tests share (importable: conftest modules are not, reliably)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
BASELINE = SCENARIOS / "baseline_2017.yaml"
# The seed article lives beside the repository, never inside it (DESIGN.md §1).
ARTICLE = REPO.parent / "shared" / "seeds" / "libya_2017_article.txt"
