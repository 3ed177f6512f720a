"""The documentation cannot drift from the code.

- every ```python block of the user guide runs (in a temporary folder, in order);
- every ```yaml block is a valid scenario, or valid YAML when marked ``# fragment``;
- every field of every scenario object and event type is described in the
  user guide, in the section about that object;
- every command's ``--help`` works, every option has help text, and every
  command and option is in docs/cli.md;
- relative links of the user guide, the CLI reference and the README lead to
  files that exist; the README's pictures exist and are modest PNGs.
"""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

import pytest

from libyasim.events.base import EventBase
from libyasim.events.election import ElectionPreconditions
from libyasim.scenario import EVENT_TYPES, parse_scenario, schema

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "user-guide.md"
CLI_DOC = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(path: Path, lang: str) -> list[tuple[int, str]]:
    """(line, code) of every fenced block of ``lang``."""
    text = path.read_text(encoding="utf-8")
    return [
        (text[: m.start()].count("\n") + 1, m.group(2))
        for m in FENCE.finditer(text)
        if m.group(1) == lang
    ]


def sections(path: Path) -> dict[str, str]:
    """Heading line -> its text, up to the next heading of the same or a higher level."""
    lines = path.read_text(encoding="utf-8").splitlines()
    fenced, heads = False, []
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^(#{1,6}) (.*)$", line)):
            heads.append((i, len(m.group(1)), m.group(2)))
    out = {}
    for k, (i, level, title) in enumerate(heads):
        end = next((j for j, lv, _ in heads[k + 1 :] if lv <= level), len(lines))
        out[title] = "\n".join(lines[i:end])
    return out


def section(path: Path, contains: str) -> str:
    found = [text for title, text in sections(path).items() if contains in title]
    assert found, f"{path.name}: no section whose heading contains {contains!r}"
    return found[0]


# ----------------------------------------------------------------------------- examples run


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """A working folder with the shipped scenarios, as in a checkout's root."""
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_guide_python_examples_run(in_tmp, capsys):
    examples = blocks(GUIDE, "python")
    assert len(examples) >= 5
    namespace: dict = {"__name__": "__guide__"}
    for line, code in examples:
        try:
            exec(compile(code, f"{GUIDE.name}:{line}", "exec"), namespace)
        except Exception as exc:  # the failing example, located
            pytest.fail(
                f"the python example at {GUIDE.name}:{line} fails: {type(exc).__name__}: {exc}"
            )
    printed = capsys.readouterr().out
    assert "End state" in printed and "baseline_2017" in printed
    assert (in_tmp / "out" / "guide" / "manifest.json").exists()  # the batch example wrote here


@pytest.mark.parametrize(
    "path",
    [GUIDE, CLI_DOC, ROOT / "docs" / "batch.md", ROOT / "docs" / "events.md"],
    ids=lambda p: p.name,
)
def test_yaml_examples_are_valid(path):
    if not path.exists():
        pytest.skip(f"{path.name} not written yet")
    from ruamel.yaml import YAML

    for line, text in blocks(path, "yaml"):
        if text.lstrip().startswith("# fragment"):
            YAML(typ="safe").load(io.StringIO(text))  # at least valid YAML
        elif path == GUIDE or re.search(r"^(id|extends):", text, re.M):
            try:
                parse_scenario(text, name=f"{path.name}:{line}", base_dir=ROOT / "scenarios")
            except Exception as exc:
                pytest.fail(f"the scenario example at {path.name}:{line} is invalid:\n{exc}")


# ----------------------------------------------------------------------------- every field


def names(model) -> set[str]:
    return {f.alias or n for n, f in model.model_fields.items()}


FIELD_SECTIONS = [
    (schema.Scenario, "Top level"),
    (schema.Document, "Numbers and evidence"),
    (schema.Quantity, "Numbers and evidence"),
    (schema.Evidence, "Numbers and evidence"),
    (schema.Region, "`regions`"),
    (schema.Faction, "`factions`"),
    (schema.Sponsor, "`sponsors`"),
    (schema.Relations, "`relations`"),
    (schema.SupportEdge, "`relations`"),
    (schema.Hostility, "`relations`"),
    (schema.Alliance, "`relations`"),
    (schema.IssueAxis, "`issues`"),
    (schema.Outcomes, "`outcomes`"),
    (EventBase, "`events`"),
    (ElectionPreconditions, "`election`"),
]
ENUM_SECTIONS = [
    (schema.FactionKind, "`factions`"),
    (schema.SponsorKind, "`sponsors`"),
    (schema.Channel, "`sponsors`"),
    (schema.Interest, "`sponsors`"),
    (schema.Channel, "`relations`"),
]


@pytest.mark.parametrize(
    ("model", "heading"), FIELD_SECTIONS, ids=lambda x: getattr(x, "__name__", x)
)
def test_every_schema_field_is_in_the_guide(model, heading):
    text = section(GUIDE, heading)
    missing = sorted(n for n in names(model) if f"`{n}`" not in text)
    assert not missing, (
        f"user guide section '{heading}' does not describe {model.__name__} fields {missing}"
    )


@pytest.mark.parametrize(
    ("enum", "heading"), ENUM_SECTIONS, ids=lambda x: getattr(x, "__name__", x)
)
def test_every_enum_value_is_in_the_guide(enum, heading):
    text = section(GUIDE, heading)
    missing = [e.value for e in enum if f"`{e.value}`" not in text]
    assert not missing, (
        f"user guide section '{heading}' does not list {enum.__name__} values {missing}"
    )


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_event_type_and_its_fields_are_in_the_guide(event_type):
    cls = EVENT_TYPES[event_type]
    heads = [t for t in sections(GUIDE) if t.startswith("####") or f"`{event_type}`" in t]
    titles = [t for t in heads if f"`{event_type}`" in t]
    assert titles, f"the user guide has no section for the event type '{event_type}'"
    text = sections(GUIDE)[titles[0]]
    own = names(cls) - names(EventBase) - {"type"}
    missing = sorted(n for n in own if f"`{n}`" not in text)
    assert not missing, (
        f"user guide section {titles[0]!r} does not describe {event_type} fields {missing}"
    )


def test_guide_links_the_model_and_event_docs():
    text = GUIDE.read_text(encoding="utf-8")
    for target in ("ODD.md", "events.md", "batch.md", "dashboard.md", "cli.md"):
        assert f"]({target}" in text, f"the user guide does not link {target}"


# ----------------------------------------------------------------------------- links


LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def _slug(title: str) -> str:
    s = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return s.replace(" ", "-")


@pytest.mark.parametrize("path", [GUIDE, CLI_DOC, README], ids=lambda p: p.name)
def test_relative_links_exist(path):
    text = path.read_text(encoding="utf-8")
    broken = [
        target
        for target, _ in LINK.findall(text)
        if "://" not in target and not (path.parent / target).exists()
    ]
    assert not broken, f"{path.name} links to missing files: {broken}"


def test_guide_contents_anchors_exist():
    text = GUIDE.read_text(encoding="utf-8")
    slugs = {_slug(t.lstrip("#").strip()) for t in sections(GUIDE)}
    anchors = re.findall(r"\]\(#([^)]+)\)", text)
    assert anchors
    assert not [a for a in anchors if a not in slugs]


# ----------------------------------------------------------------------------- the CLI


def _parsers() -> list[tuple[list[str], argparse.ArgumentParser]]:
    from libyasim.cli import build_parser

    out = []

    def walk(prefix, parser):
        out.append((prefix, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk([*prefix, name], sub)

    walk([], build_parser())
    return out


PARSERS = _parsers()


@pytest.mark.parametrize(
    "command", [p for p, _ in PARSERS], ids=lambda p: " ".join(p) or "libyasim"
)
def test_help_works(command, capsys):
    from libyasim.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: libyasim")
    assert "(default: None)" not in out, "a redundant '(default: None)' in the help text"


@pytest.mark.parametrize(
    ("command", "parser"), PARSERS, ids=lambda p: " ".join(p) if isinstance(p, list) else ""
)
def test_every_option_has_help(command, parser):
    undocumented = [
        a.option_strings or a.dest
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
        and not (a.help and a.help.strip() and a.help != argparse.SUPPRESS)
    ]
    assert not undocumented, (
        f"libyasim {' '.join(command)}: options without help text: {undocumented}"
    )


@pytest.mark.parametrize(
    ("command", "parser"),
    [(c, p) for c, p in PARSERS if c],
    ids=lambda p: " ".join(p) if isinstance(p, list) else "",
)
def test_every_command_and_option_is_in_the_cli_reference(command, parser):
    text = section(CLI_DOC, f"`libyasim {' '.join(command)}`")
    options = [
        max(a.option_strings, key=len)
        for a in parser._actions
        if a.option_strings and not isinstance(a, argparse._HelpAction)
    ]
    missing = [o for o in options if f"`{o}" not in text]
    assert not missing, (
        f"docs/cli.md, section 'libyasim {' '.join(command)}', misses options {missing}"
    )


# ----------------------------------------------------------------------------- README


def test_readme_keeps_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text


def test_readme_pictures_exist_and_are_modest():
    text = README.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert any("dashboard" in p for p in pictures), "the README shows no picture of the dashboard"
    assert any("compar" in p for p in pictures), "the README shows no comparison plot"
    for p in pictures:
        path = ROOT / p
        assert path.exists(), p
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{p} is not a PNG"
        assert path.stat().st_size < 600_000, (
            f"{p} is {path.stat().st_size // 1000} kB; keep pictures small"
        )
