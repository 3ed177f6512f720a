"""The dashboard's plain-Python layer: catalogue, uploads, evidence rows, variants."""

from __future__ import annotations

import pytest
from dashboard_scenarios import write_scenario_dir

from libyasim import load_scenario
from libyasim.dashboard.catalogue import MAX_UPLOAD_BYTES, load_shipped, read_upload
from libyasim.dashboard.edits import Edit, EditSet, parse_value, validate
from libyasim.dashboard.evidence import filter_rows, parameter_rows, source_view


@pytest.fixture
def sdir(tmp_path):
    return write_scenario_dir(tmp_path / "scenarios")


def test_catalogue_keeps_broken_files_with_their_problems(sdir):
    cat = load_shipped(sdir)
    assert cat.names() == ["mini.yaml", "mini_paris.yaml"]
    broken = cat.entries["broken.yaml"]
    assert not broken.ok
    assert any("months" in p for p in broken.problems)


@pytest.mark.parametrize(
    ("size", "data", "expected"),
    [
        (MAX_UPLOAD_BYTES + 1, None, "the limit is 1 MB"),
        (4, b"\xff\xfe\x00\x01", "not a text file"),
        (5, b"a: [1", "not valid YAML"),
        (9, b"- a\n- b\n", "must be a YAML mapping"),
        (30, b"extends: mini.yaml\nmonths: -3\n", "months: must be >= 1"),
        (30, b"extends: ../../etc/x.yaml\n", "may only name a shipped scenario"),
        (20, b"a: &a [*a]\n", ""),
    ],
)
def test_bad_uploads_give_the_validation_message(sdir, size, data, expected):
    entry = read_upload("bad.yaml", size, data, sdir)
    assert not entry.ok
    assert entry.problems
    assert expected in "\n".join(entry.problems)


def test_valid_upload_extending_a_shipped_scenario(sdir):
    entry = read_upload(
        "mine.yaml", 60, b"extends: mini.yaml\nid: mine\ntitle: Mine\nmonths: 8\n", sdir
    )
    assert entry.ok
    assert entry.scenario.months == 8
    assert entry.name == "upload: mine.yaml"


def test_evidence_rows_cover_every_parameter_and_filter_by_actor(sdir):
    s = load_scenario(sdir / "mini.yaml")
    rows = parameter_rows(s)
    assert [r.path for r in rows] == [p for p, _ in s.quantities()]
    cited = [r for r in rows if r.kind == "source"]
    assert [(r.path, r.source) for r in cited] == [("factions.red.strength", "town:p2s1")]
    far = filter_rows(rows, actor="far")
    assert far and all("far" in r.actors for r in far)
    assert any(r.path == "relations.support.far>red:military.weight" for r in far)
    # a ceasefire's coefficients concern its parties and broker
    assert any(r.path.startswith("events.cf1.") for r in filter_rows(rows, actor="blue"))
    assert filter_rows(rows, kind="source") == cited
    assert all("raid" in r.path for r in filter_rows(rows, text="raid_"))


def test_source_view_lists_paraphrases_by_locator_without_text(sdir):
    s = load_scenario(sdir / "mini.yaml")
    (doc,) = source_view(s)
    assert doc.id == "town"
    (entry,) = doc.entries
    assert entry.locator == "town:p2s1" and entry.registered
    assert entry.citations[0].path == "factions.red.strength"
    assert entry.citations[0].note == "the militia is said to guard the bridge"
    assert "bridge" not in repr(doc).replace(entry.citations[0].note, "")  # no source sentence


def test_variant_extends_its_parent_and_round_trips(sdir):
    parent = load_shipped(sdir).entries["mini.yaml"]
    edits = (
        EditSet()
        .set(Edit("factions.red.strength", 5000.0, "newer estimate"))
        .set(Edit("sponsors.far.interests.counter_terrorism", 0.9))
        .set(Edit("events.cf1.date", "2018-01"))
        .set(Edit("parameters.support_inertia", 0.5))
        .replace(removed_events=("vote",))
    )
    v = validate(parent, edits)
    assert v.ok, (v.problems, v.field_errors)
    assert v.text.splitlines()[1] == "extends: mini.yaml"
    s = v.scenario
    assert s.faction("red").strength.value == 5000
    # the edited number no longer claims the parent's source
    assert s.faction("red").strength.source is None
    assert s.faction("red").strength.assumption == "newer estimate"
    assert s.faction("red").strength.range == (2000, 5000)
    assert s.sponsor("far").interests["counter_terrorism"].value == 0.9
    assert [e.id for e in s.events] == ["cf1"] and s.events[0].date == "2018-01"
    assert s.parameters.support_inertia.value == 0.5
    # what a download gives loads from the folder like any shipped variant
    (sdir / v.filename).write_text(v.text, encoding="utf-8")
    assert load_scenario(sdir / v.filename).hash == s.hash


def test_each_bad_edit_is_reported_on_its_own_field(sdir):
    parent = load_shipped(sdir).entries["mini.yaml"]
    edits = (
        EditSet()
        .set(Edit("factions.red.strength", -5.0))
        .set(Edit("events.cf1.date", "2016-01"))
        .set(Edit("factions.blue.legitimacy", 0.4))
    )
    v = validate(parent, edits)
    assert not v.ok
    assert set(v.field_errors) == {"factions.red.strength", "events.cf1.date"}
    assert "must be >= 0" in v.field_errors["factions.red.strength"][0]
    assert "before the scenario starts" in v.field_errors["events.cf1.date"][0]


def test_added_event_is_validated(sdir):
    parent = load_shipped(sdir).entries["mini.yaml"]
    good = validate(
        parent,
        EditSet(added_events=("id: cf2\ntype: ceasefire\ndate: 2018-05\nparties: [red, blue]\n",)),
    )
    assert good.ok and [e.id for e in good.scenario.events] == ["cf1", "vote", "cf2"]
    bad = validate(
        parent, EditSet(added_events=("type: ceasefire\ndate: 2018-05\nparties: [red, nobody]\n",))
    )
    assert not bad.ok and "unknown faction 'nobody'" in "\n".join(bad.problems)
    junk = validate(parent, EditSet(added_events=("[1, 2",)))
    assert 0 in junk.event_errors


def test_variant_of_an_upload_is_standalone(sdir):
    up = read_upload("mine.yaml", 60, b"extends: mini.yaml\nid: mine\ntitle: Mine\n", sdir)
    v = validate(up, EditSet().set(Edit("factions.blue.strength", 1800.0)))
    assert v.ok
    assert "extends" not in v.text
    assert v.scenario.faction("blue").strength.value == 1800


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [("1,500", 3.0, 1500.0), ("7", 3, 7), ("2018-02", "2017-10", "2018-02")],
)
def test_parse_value(text, current, expected):
    assert parse_value(text, current) == expected


def test_parse_value_rejects_text_in_a_number():
    with pytest.raises(ValueError, match="must be a number"):
        parse_value("lots", 3.0)


def test_dashboard_command_defaults_to_localhost_and_checks_its_port(capsys):
    from libyasim.cli import build_parser, main
    from libyasim.dashboard.commands import solara_command

    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    cmd = solara_command(args.port, args.host)
    assert cmd[-7:] == [
        "libyasim.dashboard.app",
        "--host",
        "127.0.0.1",
        "--port",
        "8765",
        "--production",
        "--no-open",
    ]
    with pytest.raises(SystemExit) as exc:
        main(["dashboard", "--port", "70000"])
    assert exc.value.code == 2
    assert "--port must be in 1..65535" in capsys.readouterr().err
