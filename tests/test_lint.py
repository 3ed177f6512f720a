"""The code stays clean under the project's own tooling (pyproject.toml).

ruff and mypy are dev dependencies installed by set-up, so these tests never
skip: a finding fails the suite and is printed in full. Neither tool writes
into the repository: ruff runs without its cache, mypy keeps its cache in the
system temporary directory (a warm run takes about a second, a cold one ~20 s).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from paths import REPO

LINTED = ["src", "tests", "benchmarks", "scripts"]
LINE_LENGTH = 100
# Files that pyproject.toml exempts from E501, and the only lines allowed past
# the limit there: one-line coefficient definitions (``name: Type = _p(...)``
# or ``= q(...)``), kept on one line so the tables read as tables.
_ONE_LINE_DEFINITION = re.compile(r"^    \w+: [\w |]+ = (_p|q)\(.*\)$")
E501_EXEMPT = {
    "src/libyasim/scenario/schema.py": _ONE_LINE_DEFINITION,
    "src/libyasim/scenario/parameters/*.py": _ONE_LINE_DEFINITION,
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_ruff_format_changes_nothing():
    proc = _run("ruff", "format", "--check", "--no-cache", *LINTED)
    assert proc.returncode == 0, (
        f"ruff format --check {' '.join(LINTED)}:\n{proc.stdout}{proc.stderr}"
    )


def test_ruff_finds_nothing():
    proc = _run("ruff", "check", "--no-cache", "--output-format", "concise", *LINTED)
    assert proc.returncode == 0, f"ruff check {' '.join(LINTED)}:\n{proc.stdout}{proc.stderr}"


def test_mypy_finds_nothing():
    # one cache per checkout: worktrees linted at the same time must not share one
    tree = hashlib.sha1(str(REPO).encode()).hexdigest()[:10]
    cache = Path(tempfile.gettempdir()) / f"libyasim-mypy-cache-{os.getuid()}-{tree}"
    proc = _run("mypy", "--cache-dir", str(cache))
    assert proc.returncode == 0, f"mypy (files from pyproject.toml):\n{proc.stdout}{proc.stderr}"


def test_long_lines_only_where_exempted_and_only_for_one_line_definitions():
    offending = []
    for pattern, allowed in E501_EXEMPT.items():
        for path in sorted(REPO.glob(pattern)):
            rel = path.relative_to(REPO)
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if len(line) > LINE_LENGTH and not allowed.match(line):
                    offending.append(f"{rel}:{n}: {len(line)} characters: {line.strip()[:60]}...")
    assert not offending, "wrap these lines (only coefficient definitions may be long):\n" + (
        "\n".join(offending)
    )


def test_the_exemptions_here_match_pyproject():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    ignores = config["tool"]["ruff"]["lint"].get("per-file-ignores", {})
    assert {path for path, rules in ignores.items() if "E501" in rules} == set(E501_EXEMPT)
