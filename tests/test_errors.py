"""Every kind of scenario error names the right file, line and field, and says
what was expected and what was got (``file:line path: message``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scenario_factory import line_of, minimal_scenario, with_document, write_scenario

from libyasim.scenario import Problem, ScenarioError, load_scenario
from libyasim.scenario.loader import MAX_FILE_BYTES, MAX_NODES


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def problems_of(data: Any, name: str = "s.yaml") -> tuple[list[Problem], str]:
    """Write ``data``, load it, and return the problems and the file's text."""
    path = write_scenario(Path(name), data)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert str(exc.value).startswith(f"{len(exc.value.problems)} problem")
    return exc.value.problems, path.read_text()


def mutated(change: Callable[[dict], Any]) -> dict:
    data = minimal_scenario()
    change(data)
    return data


def setitem(path: tuple, value: Any) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


# (change, regex of the offending line, field path, message)
CASES = {
    "unknown key with did-you-mean": (
        setitem(("factions", 0, "strenght"), 10),
        r"strenght:",
        "factions[0].strenght",
        "unknown key 'strenght' (did you mean 'strength'?)",
    ),
    "unknown top-level key": (
        setitem(("sponsers",), []),
        r"^sponsers:",
        "sponsers",
        "unknown key 'sponsers' (did you mean 'sponsors'?)",
    ),
    "unknown key inside a number record": (
        setitem(("factions", 1, "strength", "rnage"), [1, 2]),
        r"rnage:",
        "factions[1].strength.rnage",
        "unknown key 'rnage' (did you mean 'range'?)",
    ),
    "unknown key inside an event": (
        setitem(("events", 0, "partys"), ["red"]),
        r"partys:",
        "events[0].partys",
        "unknown key 'partys' (did you mean 'parties'?)",
    ),
    "unknown key inside parameters": (
        setitem(("parameters",), {"concentration_cots": 0.3}),
        r"concentration_cots:",
        "parameters.concentration_cots",
        "unknown key 'concentration_cots' (did you mean 'concentration_cost'?)",
    ),
    "unknown enum key of a mapping": (
        setitem(("sponsors", 0, "budget", "militray"), 1),
        r"militray:",
        "sponsors[0].budget.militray",
        "unknown key 'militray' (did you mean 'military'?); "
        "expected one of 'military', 'financial', 'political' or 'direct'",
    ),
    "unknown literal key inside an event": (
        lambda d: d["events"].append(
            {
                "type": "support_change",
                "date": "2018-01",
                "sponsor": "far",
                "budget_scale": {"finacial": 2},
            }
        ),
        r"finacial:",
        "events[1].budget_scale.finacial",
        "unknown key 'finacial' (did you mean 'financial'?)",
    ),
    "wrong type for a number": (
        setitem(("factions", 0, "strength"), "lots"),
        r"strength: lots",
        "factions[0].strength",
        "must be a number, or a record {value: ...",
    ),
    "wrong type for a whole number": (
        setitem(("months",), 12.5),
        r"^months:",
        "months",
        "must be a whole number; got the number 12.5",
    ),
    "wrong type for a list": (
        setitem(("factions", 0, "positions"), "role"),
        r"positions: role",
        "factions[0].positions",
        "must be a mapping (key: value); got text 'role'",
    ),
    "a flag that is not true or false": (
        setitem(("regions", 0, "coastal"), "perhaps"),
        r"coastal: perhaps",
        "regions[0].coastal",
        "must be true or false; got text 'perhaps'",
    ),
    "true is not a number": (
        setitem(("factions", 0, "strength"), True),
        r"strength: true",
        "factions[0].strength",
        "got true (true/false)",
    ),
    "out of range": (
        setitem(("factions", 0, "strength"), -3),
        r"strength: -3",
        "factions[0].strength",
        "must be >= 0; got -3",
    ),
    "out of range above": (
        setitem(("factions", 0, "legitimacy"), 1.5),
        r"legitimacy: 1.5",
        "factions[0].legitimacy",
        "must be <= 1; got 1.5",
    ),
    "out of range in a plain field": (
        setitem(("regions", 0, "lat"), 50),
        r"lat: 50",
        "regions[0].lat",
        "must be <= 34.0; got 50",
    ),
    "range outside the field's bounds": (
        setitem(
            ("factions", 0, "popularity"), {"value": 0.5, "range": [0.2, 1.4], "assumption": "x"}
        ),
        r"popularity:",
        "factions[0].popularity",
        "must be <= 1; got 1.4",
    ),
    "value outside its own range": (
        setitem(("factions", 1, "strength", "value"), 9000),
        r"^\s+strength:\s*$",
        "factions[1].strength",
        "value 9000 lies outside its own range [1500, 2500]",
    ),
    "range the wrong way round": (
        setitem(("factions", 1, "strength", "range"), [2500, 1500]),
        r"^\s+strength:\s*$",
        "factions[1].strength",
        "range must be [low, high] with finite low <= high; got [2500, 1500]",
    ),
    "range with one number": (
        setitem(("factions", 1, "strength", "range"), [1500]),
        (r"^\s+range:", 1),
        "factions[1].strength.range",
        "must have exactly 2 items; got 1",
    ),
    "range with three numbers": (
        setitem(("factions", 1, "strength", "range"), [1, 2, 3]),
        (r"^\s+range:", 1),
        "factions[1].strength.range",
        "must have exactly 2 items; got 3",
    ),
    "hostility between one faction": (
        setitem(("relations", "hostility", 1, "between"), ["red"]),
        (r"- between:", 1),
        "relations.hostility[1].between",
        "must have exactly 2 items; got 1",
    ),
    "too few factions": (
        setitem(("factions",), [minimal_scenario()["factions"][0]]),
        r"^factions:",
        "factions",
        "must have at least 2 items; got 1",
    ),
    "missing required field": (
        lambda d: d["factions"][0].pop("kind"),
        r"- id: red",
        "factions[0].kind",
        "required but missing",
    ),
    "unknown region": (
        setitem(("factions", 0, "regional_popularity"), {"nrth": 0.4}),
        r"nrth:",
        "factions[0].regional_popularity.nrth",
        "unknown region 'nrth' (did you mean 'north'?)",
    ),
    "unknown faction": (
        setitem(("regions", 0, "controller"), "rde"),
        r"controller: rde",
        "regions[0].controller",
        "unknown faction 'rde' (did you mean 'red'?)",
    ),
    "unknown faction in a list": (
        setitem(("events", 0, "parties"), ["red", "bleu"]),
        r"- bleu",
        "events[0].parties[1]",
        "unknown faction 'bleu' (did you mean 'blue'?)",
    ),
    "unknown sponsor": (
        setitem(("events", 0, "broker"), "fra"),
        r"broker: fra",
        "events[0].broker",
        "unknown sponsor 'fra' (did you mean 'far'?)",
    ),
    "unknown issue": (
        setitem(("factions", 0, "positions"), {"rol": 0.4}),
        r"rol:",
        "factions[0].positions.rol",
        "unknown issue 'rol' (did you mean 'role'?)",
    ),
    "unknown actor in a support edge": (
        setitem(("relations", "support", 0, "from"), "fra"),
        r"from: fra",
        "relations.support[0].from",
        "unknown actor 'fra' (did you mean 'far'?)",
    ),
    "identifier with capitals": (
        setitem(("regions", 0, "garrison"), {"Red": 10}),
        r"Red:",
        "regions[0].garrison.Red",
        "must be a lower-case identifier (a letter, then letters, digits or _); got 'Red'",
    ),
    "duplicated id": (
        lambda d: d["factions"].append(
            {"id": "north", "name": "N", "kind": "militia", "strength": 1}
        ),
        (r"- id: north$", 1),
        "factions[3].id",
        "id 'north' is already used by regions[0]; ids must be unique",
    ),
    "bad locator syntax": (
        setitem(("factions", 0, "strength"), {"value": 1, "source": "seed-p3", "note": "n"}),
        r"source: seed-p3",
        "factions[0].strength.source",
        "must be a locator like 'seed:p3s1' (document:paragraph,sentence); got 'seed-p3'",
    ),
    "locator to an unregistered document": (
        setitem(("factions", 0, "strength"), {"value": 1, "source": "memo:p1s1", "note": "n"}),
        r"source: memo:p1s1",
        "factions[0].strength.source",
        "unknown document 'memo'",
    ),
    "locator to an unregistered sentence": (
        lambda d: (
            with_document(d)
            and d["factions"][2].update(strength={"value": 300, "source": "town:p1s2", "note": "n"})
        ),
        r"source: town:p1s2",
        "factions[2].strength.source",
        "locator 'town:p1s2' is not registered in documents.town.sentences "
        "(run 'libyasim sources stamp')",
    ),
    "source without a note": (
        setitem(("factions", 0, "evidence"), [{"source": "seed:p1s1"}]),
        r"- source: seed:p1s1",
        "factions[0].evidence[0]",
        "a 'source' needs a 'note' paraphrasing what it says",
    ),
    "bad month": (
        setitem(("start",), "2017-13"),
        r"^start:",
        "start",
        "must be a month \"YYYY-MM\"; got '2017-13'",
    ),
    "event date before the start": (
        setitem(("events", 0, "date"), "2016-01"),
        r"date: 2016-01",
        "events[0].date",
        "comes before the scenario starts (2017-08); got 2016-01",
    ),
    "unknown event type": (
        setitem(("events", 0, "type"), "ceasfire"),
        r"type: ceasfire",
        "events[0]",
        "unknown event type 'ceasfire' (did you mean 'ceasefire'?); "
        "expected one of 'ceasefire', 'election'",
    ),
    "event without a type": (
        lambda d: d["events"][0].pop("type"),
        r"- date: 2017-10",
        "events[0]",
        "needs a 'type' (ceasefire, election",
    ),
    "event that is not a mapping": (
        lambda d: d["events"].append("ceasefire"),
        r"- ceasefire$",
        "events[1]",
        "must be a mapping (key: value); got text 'ceasefire'",
    ),
    "field of a typed event out of range": (
        setitem(("events", 0, "penalty"), 2),
        r"penalty: 2",
        "events[0].penalty",
        "must be <= 1; got 2",
    ),
    "field of a typed event of the wrong type": (
        lambda d: d["events"].append({"type": "election", "date": "2018-01", "eligible": "red"}),
        r"eligible: red",
        "events[1].eligible",
        "must be a list; got text 'red'",
    ),
    "nested field of a typed event": (
        lambda d: d["events"].append(
            {"type": "election", "date": "2018-01", "preconditions": {"max_monthly_fatalities": -1}}
        ),
        r"max_monthly_fatalities: -1",
        "events[1].preconditions.max_monthly_fatalities",
        "must be >= 0; got -1",
    ),
    "jihadist party to a ceasefire": (
        setitem(("events", 0, "parties"), ["red", "black"]),
        (r"- black", 1),
        "events[0].parties[1]",
        "'black' may not sign a ceasefire",
    ),
    "bad sha256": (
        lambda d: with_document(d)["documents"]["town"].update(sha256="abc"),
        r"sha256: abc",
        "documents.town.sha256",
        "must be a sha256 digest (64 characters 0-9, a-f); got 'abc'",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_error_names_file_line_path_and_message(case):
    change, line_pattern, path, message = CASES[case]
    problems, text = problems_of(mutated(change))
    assert len(problems) == 1, "\n".join(map(str, problems))
    p = problems[0]
    assert p.file == "s.yaml"
    assert p.path == path
    assert message in p.message
    pattern, nth = line_pattern if isinstance(line_pattern, tuple) else (line_pattern, None)
    assert p.line == line_of(text, pattern, nth), (
        f"{p} (expected the line matching {line_pattern!r})"
    )
    assert str(p) == f"s.yaml:{p.line} {path}: {p.message}"


def test_no_error_mentions_pydantic_internals():
    for change, *_ in CASES.values():
        problems, _ = problems_of(mutated(change))
        for p in problems:
            for word in (
                "function-after",
                "Input should",
                "pydantic",
                "[key]",
                "CommentedSeq",
                "ceasefire.",
                ".1:",
            ):
                assert word not in str(p), str(p)


def test_multiple_problems_are_reported_together():
    def change(d: dict) -> None:
        d["months"] = 0
        d["factions"][0]["strength"] = -3
        d["factions"][1]["kind"] = "militai"
        d["regions"][0]["lat"] = "north"

    problems, text = problems_of(mutated(change))
    assert len(problems) == 4
    assert {(p.line, p.path) for p in problems} == {
        (line_of(text, r"^months:"), "months"),
        (line_of(text, r"strength: -3"), "factions[0].strength"),
        (line_of(text, r"kind: militai"), "factions[1].kind"),
        (line_of(text, r"lat: north"), "regions[0].lat"),
    }
    messages = [p.message for p in problems]
    assert "must be >= 1; got 0" in messages
    assert "must be >= 0; got -3" in messages
    assert any("got 'militai' (did you mean 'militia'?)" in m for m in messages)
    assert "must be a number; got text 'north'" in messages


def test_multiple_reference_problems_are_reported_together():
    def change(d: dict) -> None:
        d["regions"][0]["controller"] = "nobody"
        d["events"][0]["broker"] = "nobody"
        d["factions"][0]["positions"] = {"nothing": 0.3}

    problems, _ = problems_of(mutated(change))
    assert len(problems) == 3
    assert {p.path for p in problems} == {
        "regions[0].controller",
        "events[0].broker",
        "factions[0].positions.nothing",
    }


def test_problem_inside_a_parent_file_names_the_parent(tmp_path):
    bad = minimal_scenario()
    bad["factions"][0]["strength"] = -3
    parent = write_scenario(tmp_path / "parent.yaml", bad)
    write_scenario(tmp_path / "child.yaml", "extends: parent.yaml\ntitle: child\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario("child.yaml")
    (p,) = exc.value.problems
    assert (p.file, p.line, p.path) == (
        "parent.yaml",
        line_of(parent.read_text(), r"strength: -3"),
        "factions[0].strength",
    )


def test_problem_in_a_parent_and_a_child_each_name_their_file(tmp_path):
    bad = minimal_scenario()
    bad["regions"][0]["controller"] = "nobody"
    write_scenario(tmp_path / "parent.yaml", bad)
    child = write_scenario(
        tmp_path / "child.yaml", "extends: parent.yaml\nfactions:\n  - id: red\n    strength: -1\n"
    )
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    # one round: the child's field error and the parent's unknown reference together
    assert [(p.file, p.path) for p in exc.value.problems] == [
        ("child.yaml", "factions[0].strength"),
        ("parent.yaml", "regions[0].controller"),
    ]
    child.write_text(
        "extends: parent.yaml\nfactions:\n  - id: red\n    regional_popularity: {nowhere: 0.2}\n"
    )
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert {(p.file, p.line, p.path) for p in exc.value.problems} == {
        (
            "parent.yaml",
            line_of((tmp_path / "parent.yaml").read_text(), r"controller: nobody"),
            "regions[0].controller",
        ),
        ("child.yaml", 4, "factions[0].regional_popularity.nowhere"),
    }


# --------------------------------------------------------------------------- YAML-level problems


def test_bad_yaml_syntax_gives_the_line_of_the_error():
    problems, _ = problems_of("id: x\ntitle: [a, b\nmonths: 3\n")
    (p,) = problems
    assert p.line == 3
    assert p.message.startswith("not valid YAML: ")
    assert "expected ',' or ']'" in p.message


def test_tab_indentation_gives_its_line():
    (p,), _ = problems_of("id: x\n\ttitle: y\n")
    assert p.line == 2
    assert "not valid YAML" in p.message


def test_duplicate_key_is_an_error_with_its_line():
    (p,), _ = problems_of("id: a\ntitle: t\nid: b\n")
    assert p.line == 3
    assert 'duplicate key "id"' in p.message


@pytest.mark.parametrize(
    ("text", "got"),
    [
        ("- a\n- b\n", "got a list"),
        ("just some words\n", "got text"),  # never echoed: it may be any file
        ("42\n", "got a single value"),
        ("", "got an empty file"),
        ("# only a comment\n", "got an empty file"),
    ],
)
def test_top_level_must_be_a_mapping(text, got):
    (p,), _ = problems_of(text)
    assert p.line == 1
    assert p.message.startswith("a scenario must be a YAML mapping")
    assert p.message.endswith(got)


def test_keys_must_be_text():
    problems, _ = problems_of("id: a\n3: x\n")
    assert [str(p) for p in problems] == ["s.yaml:2 3: keys must be text; got the number 3"]


def test_unquoted_date_is_explained():
    data = minimal_scenario()
    text = (
        write_scenario(Path("t.yaml"), data)
        .read_text()
        .replace("start: 2017-08", "start: 2017-08-01")
    )
    (p,), _ = problems_of(text)
    assert (p.line, p.path) == (line_of(text, r"^start:"), "start")
    assert 'write months as "YYYY-MM"' in p.message


def test_too_large_file_is_refused_before_parsing():
    path = Path("big.yaml")
    path.write_text("description: '" + "x" * (MAX_FILE_BYTES + 10) + "'\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    (p,) = exc.value.problems
    assert p.file == "big.yaml"
    assert "larger than the limit of 1000 kB; refused" in p.message


def test_billion_laughs_is_refused():
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    (p,), _ = problems_of("\n".join(levels) + "\n")
    assert p.message == f"more than {MAX_NODES} values once aliases are expanded; refused"


def test_deep_nesting_is_refused():
    (p,), _ = problems_of("a: " + "[" * 3000 + "]" * 3000 + "\n")
    assert "nested too deeply" in p.message


def test_python_tags_execute_nothing_and_are_errors(tmp_path):
    marker = tmp_path / "pwned"
    text = (
        f"id: !!python/object/apply:os.system ['touch {marker}']\n"
        "title: !!python/name:os.system\n"
        "description: !!python/object:pathlib.Path {}\n"
    )
    problems, _ = problems_of(text)
    assert not marker.exists()
    tagged = [p for p in problems if "YAML tags are not allowed" in p.message]
    assert [(p.line, p.path) for p in tagged] == [(1, "id"), (2, "title"), (3, "description")]
    assert "'!!python/object/apply:os.system'" in tagged[0].message


def test_a_tag_on_the_whole_document_is_refused():
    (p,), _ = problems_of("--- !!python/object:os.system\nid: x\n")
    assert "YAML tags are not allowed" in p.message


def test_error_message_lists_every_problem_one_per_line():
    def change(d: dict) -> None:
        d["months"] = 0
        d["seed"] = -1

    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_scenario(Path("m.yaml"), mutated(change)))
    lines = str(exc.value).splitlines()
    assert lines[0] == "2 problems in scenario:"
    assert lines[1].startswith("  m.yaml:") and "months: must be >= 1; got 0" in lines[1]
    assert lines[2].startswith("  m.yaml:") and "seed: must be >= 0; got -1" in lines[2]
    assert isinstance(exc.value, ValueError)


def test_a_reused_yaml_anchor_is_a_located_problem_not_a_warning(tmp_path, recwarn):
    from libyasim.scenario import parse_scenario

    text = "id: x\ntitle: &t A\ndescription: &t B\n"
    with pytest.raises(ScenarioError, match="anchor"):
        parse_scenario(text, name="anchors.yaml", base_dir=tmp_path)
    assert not [w for w in recwarn if "anchor" in str(w.message)]
