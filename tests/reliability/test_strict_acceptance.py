"""Loose acceptance closed: duplicates, wrong types and out-of-run dates are located
problems, and every problem of a file (fields and references) comes in one error."""

from __future__ import annotations

import pytest
from scenario_factory import line_of, minimal_scenario, write_scenario

from libyasim.scenario import ScenarioError, load_scenario


def problems(tmp_path, data, name="s.yaml"):
    path = write_scenario(tmp_path / name, data)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return exc.value.problems, path.read_text()


@pytest.mark.parametrize(
    ("change", "path", "says"),
    [
        (lambda d: d.update(months=True), "months", "must be a number; got true"),
        (lambda d: d.update(seed=True), "seed", "must be a number; got true"),
        (lambda d: d.update(months="12"), "months", "must be a number, not text; got '12'"),
        (
            lambda d: d["factions"][0].update(strength={"value": True}),
            "factions[0].strength.value",
            "must be a number",
        ),
        (
            lambda d: d["regions"][0].update(coastal=1),
            "regions[0].coastal",
            "must be true or false",
        ),
    ],
)
def test_wrong_types_are_refused(tmp_path, change, path, says):
    data = minimal_scenario()
    change(data)
    (p,), _ = problems(tmp_path, data)
    assert p.path == path and says in p.message and p.line


def test_duplicate_records_are_refused_at_the_second(tmp_path):
    data = minimal_scenario()
    data["relations"]["support"].append(dict(data["relations"]["support"][0]))
    data["relations"]["hostility"].append({"between": ["blue", "red"], "level": 0.9})
    data["events"].append(dict(data["events"][0]))
    data["issues"].append(dict(data["issues"][0]))
    data["factions"].append(dict(data["factions"][1]))
    found, _ = problems(tmp_path, data)
    paths = {p.path for p in found}
    assert {
        "relations.support[1].to",
        "relations.hostility[2].between",
        "events[1]",
        "issues[1].id",
        "factions[3].id",
    } <= paths


def test_a_variant_naming_a_record_twice_is_refused(tmp_path):
    write_scenario(tmp_path / "base.yaml", minimal_scenario())
    text = (
        "extends: base.yaml\nfactions:\n  - id: red\n    strength: 10\n"
        "  - id: red\n    strength: 20\n"
    )
    (p,), _ = problems(tmp_path, text, "v.yaml")
    assert p.path == "factions[1]" and "given twice" in p.message


def test_events_after_the_run_and_an_embargo_ending_before_it_starts(tmp_path):
    data = minimal_scenario()  # 12 months from 2017-08: the last month is 2018-07
    data["events"].append(
        {"type": "attack", "date": "2018-08", "faction": "black", "region": "north"}
    )
    data["events"].append({"type": "arms_embargo", "date": "2017-12", "end": "2017-11"})
    found, text = problems(tmp_path, data)
    by_path = {p.path: p for p in found}
    assert "comes after the run ends" in by_path["events[1].date"].message
    assert by_path["events[1].date"].line == line_of(text, "date: 2018-08")
    assert "ends before it starts" in by_path["events[2].end"].message


def test_field_errors_and_unknown_references_come_in_one_error(tmp_path):
    data = minimal_scenario()
    data["factions"][0]["strength"] = -3
    data["regions"][1]["controller"] = "bleu"
    data["events"][0]["parties"] = ["red", "nobody"]
    found, _ = problems(tmp_path, data)
    assert {(p.path, p.message) for p in found} >= {
        ("factions[0].strength", "must be >= 0; got -3"),
        ("regions[1].controller", "unknown faction 'bleu' (did you mean 'blue'?)"),
        ("events[0].parties[1]", "unknown faction 'nobody'"),
    }


def test_a_record_with_errors_still_counts_as_existing(tmp_path):
    """Its id is known: naming it elsewhere is no second, false problem."""
    data = minimal_scenario()
    data["factions"][0]["strength"] = -3  # red is dropped from the reference check
    (p,), _ = problems(tmp_path, data)
    assert p.path == "factions[0].strength"
