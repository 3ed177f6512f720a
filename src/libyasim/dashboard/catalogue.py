"""The scenarios a dashboard session can pick from: shipped files and uploads.

Plain Python, no Solara: the pages call these functions and the tests call
them directly. A scenario that fails to load is kept as an entry with its
problems, so the picker can say why it is unavailable instead of crashing.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..scenario import Problem, Scenario, ScenarioError, parse_scenario
from ..scenario.loader import MAX_FILE_BYTES, load_scenario

#: environment variable naming the folder of shipped scenarios
SCENARIO_DIR_ENV = "LIBYASIM_SCENARIOS"

#: an upload larger than this is refused before it is read
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
LIMIT_MB = f"{MAX_UPLOAD_BYTES / 1e6:.0f}"


def scenario_dir() -> Path:
    """Where the shipped scenarios are: ``$LIBYASIM_SCENARIOS``, else the
    repository's ``scenarios/`` (source checkout), else ``./scenarios``."""
    env = os.environ.get(SCENARIO_DIR_ENV)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3] / "scenarios"
    if repo.is_dir():
        return repo
    return Path.cwd() / "scenarios"


@dataclass(frozen=True)
class Entry:
    """One scenario in the picker: loaded, or the reason it could not be."""

    name: str  # unique label in this session ("baseline_2017.yaml", "upload: my.yaml")
    origin: str  # "shipped", "upload" or "edit"
    scenario: Scenario | None = None
    problems: tuple[str, ...] = ()
    path: Path | None = None  # the file, for shipped scenarios
    text: str | None = None  # the YAML text, for uploads and edits
    parent: str | None = None  # for edits: the entry it was derived from
    edits: Any = None  # for edits: the EditSet that made it from its parent

    @property
    def ok(self) -> bool:
        return self.scenario is not None

    @property
    def label(self) -> str:
        if self.scenario is None:
            return f"{self.name} (invalid)"
        return f"{self.name} — {self.scenario.title}"


@dataclass
class Catalogue:
    """Ordered entries by name."""

    entries: dict[str, Entry] = field(default_factory=dict)

    def names(self, only_ok: bool = True) -> list[str]:
        return [n for n, e in self.entries.items() if e.ok or not only_ok]

    def with_entry(self, entry: Entry) -> Catalogue:
        """A new catalogue with ``entry`` added or replaced (reactive values need new objects)."""
        return Catalogue({**self.entries, entry.name: entry})

    def get(self, name: str | None) -> Entry | None:
        return self.entries.get(name) if name else None


def problem_lines(exc: ScenarioError) -> tuple[str, ...]:
    return tuple(str(p) for p in exc.problems)


def _line_paths(text: str) -> dict[int, list[str]]:
    """Line number (1-based) -> the paths that start on it, in the file's own
    numbering (``events[1].date`` is the second event *of this file*)."""
    from ruamel.yaml import YAML

    try:
        root = YAML(typ="rt", pure=True).load(text)
    except Exception:  # unreadable YAML: its own message says where
        return {}
    out: dict[int, list[str]] = {}

    def visit(node: object, path: str) -> None:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and lc is not None:
            for k, val in node.items():
                sub = f"{path}.{k}" if path else str(k)
                with contextlib.suppress(Exception):
                    out.setdefault(lc.key(k)[0] + 1, []).append(sub)
                visit(val, sub)
        elif isinstance(node, list) and lc is not None:
            for i, val in enumerate(node):
                sub = f"{path}[{i}]"
                with contextlib.suppress(Exception):
                    out.setdefault(lc.item(i)[0] + 1, []).append(sub)
                visit(val, sub)

    visit(root, "")
    return out


def in_own_terms(
    problems: list[Problem], text: str, filename: str, fake: str, directory: Path
) -> tuple[str, ...]:
    """Problems as the user sees their file: its own name (not the server's path)
    and, for lines of their file, paths in its own numbering (not counting the
    events of the scenario it extends); a parent's problems name the parent."""
    lines = _line_paths(text)
    out = []

    def same(a: str, b: str) -> bool:
        with contextlib.suppress(OSError):
            return Path(a).resolve() == Path(b).resolve()
        return a == b

    for p in problems:
        if same(p.file, fake):
            path = p.path
            # the path of the same field on that line of the user's file
            shape = re.sub(r"\[\d+\]", "[]", p.path)
            path = next(
                (c for c in lines.get(p.line or -1, []) if re.sub(r"\[\d+\]", "[]", c) == shape),
                p.path,
            )
            out.append(str(Problem(filename, p.line, path, p.message)))
        else:
            shown = Path(p.file).name if same(str(Path(p.file).parent), str(directory)) else p.file
            out.append(str(Problem(shown, p.line, p.path, p.message)))
    return tuple(out)


_SHIPPED_CACHE: dict[tuple, Catalogue] = {}


def load_shipped(directory: Path | None = None) -> Catalogue:
    """Every ``*.yaml`` in the scenario folder, loaded (or with its problems).

    Loading is cached per process while no file changes (name, size, mtime):
    entries and scenarios are frozen, so sessions can share them; each
    session's own catalogue starts from a copy.
    """
    directory = directory or scenario_dir()
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    key = (
        str(directory.resolve()),
        tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files),
    )
    if key not in _SHIPPED_CACHE:
        _SHIPPED_CACHE.clear()
        _SHIPPED_CACHE[key] = _load_shipped(directory)
    return Catalogue(dict(_SHIPPED_CACHE[key].entries))


def _load_shipped(directory: Path) -> Catalogue:
    entries: dict[str, Entry] = {}
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            entries[path.name] = Entry(path.name, "shipped", problems=problem_lines(exc), path=path)
        else:
            entries[path.name] = Entry(path.name, "shipped", scenario=scenario, path=path)
    return Catalogue(entries)


def read_upload(
    name: str, size: int | None, data: bytes | None, directory: Path | None = None
) -> Entry:
    """Validate an uploaded file. Never raises: problems go into the entry.

    Too large (checked on ``size`` before anything is read), not UTF-8 text,
    not YAML, or not a valid scenario each give the message a user can act on.
    ``extends`` may name a shipped scenario only.
    """
    label = f"upload: {Path(name).name or 'scenario.yaml'}"
    if size is not None and size > MAX_UPLOAD_BYTES:
        return Entry(
            label,
            "upload",
            problems=(f"{name}: file is {size / 1e6:.1f} MB; the limit is {LIMIT_MB} MB",),
        )
    if data is None:
        return Entry(label, "upload", problems=(f"{name}: the file could not be read",))
    if len(data) > MAX_UPLOAD_BYTES:
        return Entry(
            label,
            "upload",
            problems=(f"{name}: file is {len(data) / 1e6:.1f} MB; the limit is {LIMIT_MB} MB",),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Entry(
            label,
            "upload",
            problems=(
                f"{name}: not a text file (not UTF-8 at byte {exc.start}); "
                "a scenario is a YAML text file",
            ),
        )
    return parse_text(label, text, "upload", directory, filename=name)


def parse_text(
    label: str,
    text: str,
    origin: str,
    directory: Path | None = None,
    filename: str | None = None,
    parent: str | None = None,
) -> Entry:
    """Validate scenario YAML text into an entry (``extends`` resolves among shipped files)."""
    directory = directory or scenario_dir()
    name = Path(filename or label).name
    try:
        scenario = parse_scenario(text, name=name, base_dir=directory)
    except ScenarioError as exc:
        problems = in_own_terms(exc.problems, text, name, str(directory / name), directory)
        return Entry(label, origin, problems=problems, text=text, parent=parent)
    except RecursionError:  # pathological nesting the YAML reader cannot walk
        return Entry(
            label,
            origin,
            problems=(f"{filename or label}: nested too deeply; refused",),
            text=text,
            parent=parent,
        )
    except Exception as exc:  # a bug in the loader: still a message on the page, never nothing
        return Entry(
            label,
            origin,
            problems=(f"{filename or label}: could not be read ({type(exc).__name__})",),
            text=text,
            parent=parent,
        )
    return Entry(label, origin, scenario=scenario, text=text, parent=parent)


__all__ = [
    "MAX_UPLOAD_BYTES",
    "SCENARIO_DIR_ENV",
    "Catalogue",
    "Entry",
    "Problem",
    "load_shipped",
    "parse_text",
    "read_upload",
    "scenario_dir",
]
