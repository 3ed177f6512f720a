"""The scenario loader: round trips, defaults, ``extends``, dotted paths."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from scenario_factory import dump_yaml, line_of, minimal_scenario, write_scenario

from libyasim.scenario import (
    Quantity,
    Scenario,
    ScenarioError,
    from_dict,
    get_value,
    load_scenario,
    parse_scenario,
    set_value,
)
from libyasim.scenario.schema import Parameters


@pytest.fixture
def base(tmp_path, monkeypatch):
    """A valid scenario file ``base.yaml``; the working directory is ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    return write_scenario(tmp_path / "base.yaml", minimal_scenario())


def only_problem(exc: pytest.ExceptionInfo) -> object:
    problems = exc.value.problems
    assert len(problems) == 1, str(exc.value)
    return problems[0]


# --------------------------------------------------------------------------- round trips


def test_minimal_scenario_loads(base):
    s = load_scenario(base)
    assert isinstance(s, Scenario)
    assert s.id == "mini"
    assert [f.id for f in s.factions] == ["red", "blue", "black"]
    assert s.path == base
    assert s.end == "2018-08"


def test_resolved_round_trip_gives_equal_scenario_and_hash(base, tmp_path):
    s = load_scenario(base)
    again = load_scenario(write_scenario(tmp_path / "again.yaml", s.resolved))
    assert again.model_dump() == s.model_dump()
    assert again.hash == s.hash
    assert again.resolved == s.resolved


def test_round_trip_through_extends_matches_the_flattened_file(base, tmp_path):
    variant = write_scenario(tmp_path / "variant.yaml", "extends: base.yaml\nmonths: 24\n")
    s = load_scenario(variant)
    flat = load_scenario(write_scenario(tmp_path / "flat.yaml", s.resolved))
    assert "extends" not in s.resolved
    assert flat.model_dump() == s.model_dump()
    assert flat.hash == s.hash


def test_hash_changes_with_content_and_not_with_layout(base, tmp_path):
    s = load_scenario(base)
    text = base.read_text()
    reordered = write_scenario(
        tmp_path / "layout.yaml", "# a comment\n" + text.replace("\n", "\n\n")
    )
    assert load_scenario(reordered).hash == s.hash
    data = minimal_scenario()
    data["months"] = 13
    assert load_scenario(write_scenario(tmp_path / "other.yaml", data)).hash != s.hash


def test_from_dict_and_parse_scenario_agree_with_load(base):
    s = load_scenario(base)
    assert from_dict(minimal_scenario()).model_dump() == s.model_dump()
    assert parse_scenario(base.read_text(), base_dir=base.parent).model_dump() == s.model_dump()


def test_bare_numbers_and_records_both_load(base):
    s = load_scenario(base)
    red, blue = s.faction("red"), s.faction("blue")
    assert red.strength == Quantity(value=3000)
    assert red.strength.range is None and not red.strength.evidenced
    assert blue.strength.value == 2000
    assert blue.strength.range == (1500, 2500)
    assert blue.strength.assumed
    assert float(blue.strength) == 2000.0


def test_defaults_apply(base):
    s = load_scenario(base)
    red = s.faction("red")
    assert red.legitimacy.value == pytest.approx(0.3)
    assert red.evidence == []
    assert s.parameters == Parameters()
    assert s.parameters.concentration_cost.range == (1.0, 4.0)
    assert s.sponsor("far").kind == "state"
    assert s.sponsor("far").active is True
    cease = s.events[0]
    assert cease.penalty.value == pytest.approx(0.5)
    assert cease.penalty.assumption
    assert s.outcomes.window_months == 12  # a year, as UCDP counts battle deaths
    assert "parameters.concentration_cost" in s.uncertain()


def test_frozen_objects_refuse_assignment(base):
    s = load_scenario(base)
    with pytest.raises(ValidationError, match="frozen"):
        s.months = 99
    with pytest.raises(ValidationError, match="frozen"):
        s.faction("red").strength = Quantity(value=1)
    with pytest.raises(ValidationError, match="frozen"):
        s.faction("red").strength.value = 1.0
    with pytest.raises(ValidationError, match="frozen"):
        s.parameters.support_inertia = Quantity(value=0.5)


def test_resolved_is_a_copy(base):
    s = load_scenario(base)
    s.resolved["months"] = 99
    assert s.resolved["months"] == 12


def test_quantities_are_addressed_by_record_id(base):
    paths = dict(load_scenario(base).quantities())
    assert paths["factions.blue.strength"].value == 2000
    assert "relations.hostility.black~red.level" in paths
    assert "relations.support.far>red:military.weight" in paths


# --------------------------------------------------------------------------- extends


def test_variant_overrides_one_faction_by_id_and_inherits_the_rest(base, tmp_path):
    variant = write_scenario(
        tmp_path / "v.yaml",
        "extends: base.yaml\nid: v\nfactions:\n  - id: blue\n    strength: 2400\n",
    )
    s, b = load_scenario(variant), load_scenario(base)
    assert s.id == "v"
    # a bare number over an inherited record fixes the value: the variant's own choice
    assert s.faction("blue").strength == Quantity(value=2400)
    assert s.faction("blue").name == "Blue Council"
    assert [f.id for f in s.factions] == [f.id for f in b.factions]
    assert s.faction("red") == b.faction("red")
    assert s.regions == b.regions and s.events == b.events
    assert s.path == variant


def test_variant_can_change_one_field_of_a_number_record(base, tmp_path):
    variant = write_scenario(
        tmp_path / "v.yaml",
        dump_yaml(
            {
                "extends": "base.yaml",
                "factions": [
                    {"id": "blue", "strength": {"value": 1600}},
                    {
                        "id": "red",
                        "legitimacy": {"value": 0.4, "range": [0.3, 0.5], "assumption": "a"},
                    },
                ],
            }
        ),
    )
    s = load_scenario(variant)
    strength = s.faction("blue").strength
    assert strength.value == 1600
    assert strength.range == (1500, 2500)
    assert strength.assumption == "rough public estimates"
    assert s.faction("red").legitimacy.range == (0.3, 0.5)


def test_variant_value_outside_the_inherited_range_is_located_in_the_variant(base, tmp_path):
    text = "extends: base.yaml\nfactions:\n  - id: blue\n    strength:\n      value: 9000\n"
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_scenario(tmp_path / "v.yaml", text))
    p = only_problem(exc)
    assert (p.file, p.line, p.path) == ("v.yaml", 4, "factions[1].strength")
    assert "value 9000 lies outside its own range [1500, 2500]" in p.message


def test_variant_bare_number_replaces_a_bare_number(base, tmp_path):
    text = "extends: base.yaml\nfactions:\n  - id: red\n    strength: 10\n"
    assert load_scenario(write_scenario(tmp_path / "v.yaml", text)).faction(
        "red"
    ).strength == Quantity(value=10)


def test_variant_appends_new_records_and_merges_edges_by_identity(base, tmp_path):
    variant = write_scenario(
        tmp_path / "v.yaml",
        dump_yaml(
            {
                "extends": "base.yaml",
                "factions": [{"id": "green", "name": "Green", "kind": "militia", "strength": 10}],
                "relations": {
                    "hostility": [{"between": ["blue", "red"], "level": 0.9}],
                    "support": [{"from": "far", "to": "red", "channel": "military", "weight": 0.4}],
                },
            }
        ),
    )
    s = load_scenario(variant)
    assert [f.id for f in s.factions] == ["red", "blue", "black", "green"]
    levels = {tuple(sorted(h.between)): h.level.value for h in s.relations.hostility}
    assert levels == {("blue", "red"): 0.9, ("black", "red"): 1.0}
    assert [e.weight.value for e in s.relations.support] == [0.4]


def test_chain_of_three_resolves(base, tmp_path):
    write_scenario(tmp_path / "mid.yaml", "extends: base.yaml\nid: mid\nmonths: 24\n")
    top = write_scenario(
        tmp_path / "top.yaml",
        "extends: mid.yaml\nid: top\nfactions:\n  - id: red\n    strength: 5\n",
    )
    s = load_scenario(top)
    assert (s.id, s.months, s.faction("red").strength.value) == ("top", 24, 5)
    assert s.title == "A minimal test scenario"


def test_extends_resolves_relative_to_the_file(base, tmp_path):
    sub = tmp_path / "variants"
    sub.mkdir()
    variant = write_scenario(sub / "v.yaml", "extends: ../base.yaml\nmonths: 3\n")
    assert load_scenario(variant).months == 3


def test_remove_drops_an_inherited_record(base, tmp_path):
    variant = write_scenario(
        tmp_path / "v.yaml",
        dump_yaml(
            {
                "extends": "base.yaml",
                "factions": [{"id": "black", "remove": True}],
                "relations": {"hostility": [{"between": ["black", "red"], "remove": True}]},
            }
        ),
    )
    s = load_scenario(variant)
    assert [f.id for f in s.factions] == ["red", "blue"]
    assert len(s.relations.hostility) == 1


def test_remove_of_a_record_that_is_not_inherited_is_an_error(base, tmp_path):
    text = "extends: base.yaml\nfactions:\n  - id: blck\n    remove: true\n"
    variant = write_scenario(tmp_path / "v.yaml", text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(variant)
    p = only_problem(exc)
    assert (p.file, p.line, p.path) == ("v.yaml", 4, "factions[0].remove")
    assert "no inherited record 'blck' to remove (did you mean 'black'?)" in p.message


def test_remove_without_extends_is_explained(base, tmp_path):
    data = minimal_scenario()
    data["factions"][2]["remove"] = True
    with pytest.raises(
        ScenarioError, match="'remove: true' drops a record inherited through 'extends'"
    ):
        load_scenario(write_scenario(tmp_path / "x.yaml", data))


@pytest.mark.parametrize(
    "files",
    [
        {"a.yaml": "extends: b.yaml\n", "b.yaml": "id: b\nextends: a.yaml\n"},
        {"a.yaml": "id: a\ntitle: t\nextends: a.yaml\n"},
    ],
)
def test_extends_cycle_is_an_error_naming_the_cycle(tmp_path, monkeypatch, files):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        write_scenario(tmp_path / name, text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario("a.yaml")
    p = only_problem(exc)
    assert p.path == "extends"
    assert p.message.startswith("extends cycle: a.yaml -> ")
    assert p.message.endswith("-> a.yaml")
    # the file and line of the `extends` that closes the cycle
    closing = list(files)[-1]
    assert p.file == closing
    assert p.line == line_of(files[closing], r"^extends:")
    assert str(p).startswith(f"{closing}:{p.line} extends: extends cycle")


def test_missing_parent_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_scenario(tmp_path / "v.yaml", "id: v\nextends: nothere.yaml\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario("v.yaml")
    p = only_problem(exc)
    assert (p.file, p.line, p.path) == ("v.yaml", 2, "extends")
    assert "no such file 'nothere.yaml'" in p.message


def test_extends_must_name_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_scenario(tmp_path / "v.yaml", "id: v\nextends: [a, b]\n")
    with pytest.raises(ScenarioError, match=r"v.yaml:2 extends: must be a file name; got a list"):
        load_scenario("v.yaml")


def test_parse_scenario_restricts_extends_to_its_directory(base, tmp_path):
    inner = tmp_path / "shipped"
    inner.mkdir()
    with pytest.raises(ScenarioError, match="may only name a shipped scenario"):
        parse_scenario("extends: ../base.yaml\n", base_dir=inner)
    assert parse_scenario("extends: base.yaml\nmonths: 3\n", base_dir=tmp_path).months == 3


# ------------------------------------------------------------------ files that are not scenarios


def test_directory_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scen").mkdir()
    with pytest.raises(ScenarioError) as exc:
        load_scenario("scen")
    assert str(only_problem(exc)) == "scen: is a directory, not a scenario file"


def test_missing_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as exc:
        load_scenario("nothere.yaml")
    assert str(only_problem(exc)) == "nothere.yaml: no such file"


def test_non_utf8_file_is_refused_with_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "latin.yaml").write_bytes("id: mini\ntitle: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario("latin.yaml")
    p = only_problem(exc)
    assert (p.file, p.line) == ("latin.yaml", 2)
    assert "not UTF-8 text (byte 0xe9" in p.message
    assert "save the file as UTF-8" in p.message


def test_utf8_with_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + dump_yaml(minimal_scenario()).encode("utf-8"))
    assert load_scenario(path).id == "mini"


# --------------------------------------------------------------------------- dotted paths


def test_with_values_changes_one_number_and_keeps_the_rest(base):
    s = load_scenario(base)
    s2 = s.with_values({"factions.red.strength": 30000})
    assert s2.faction("red").strength.value == 30000
    assert s.faction("red").strength.value == 3000  # the original is untouched
    assert s2.faction("blue") == s.faction("blue")
    assert s2.hash != s.hash
    assert s2.path == s.path


def test_with_values_keeps_a_records_range_and_evidence(base):
    s2 = load_scenario(base).with_values({"factions.blue.strength": 2200})
    strength = s2.faction("blue").strength
    assert (strength.value, strength.range, strength.assumption) == (
        2200,
        (1500, 2500),
        "rough public estimates",
    )


def test_with_values_outside_the_range_is_an_error_not_a_silent_widening(base):
    s = load_scenario(base)
    with pytest.raises(ScenarioError) as exc:
        s.with_values({"factions.blue.strength": 30000})
    p = only_problem(exc)
    assert p.path == "factions[1].strength"
    assert "value 30000 lies outside its own range [1500, 2500]" in p.message
    # widening the range explicitly, in the same call, is allowed (in either order)
    for overrides in (
        {"factions.blue.strength": 30000, "factions.blue.strength.range": [1500, 40000]},
        {"factions.blue.strength.range": [1500, 40000], "factions.blue.strength": 30000},
    ):
        strength = s.with_values(overrides).faction("blue").strength
        assert (strength.value, strength.range) == (30000, (1500, 40000))


def test_with_values_on_a_field_absent_from_the_file_starts_from_its_default(base):
    s = load_scenario(base)
    s2 = s.with_values({"parameters.concentration_cost": 3.0, "events.0.penalty": 0.6})
    temp = s2.parameters.concentration_cost
    assert temp.value == pytest.approx(3.0)
    assert temp.range == s.parameters.concentration_cost.range
    assert temp.assumption == s.parameters.concentration_cost.assumption
    assert s2.events[0].penalty.range == (0.2, 0.8)
    assert "parameters.concentration_cost" in s2.uncertain()
    assert s2.faction("red").legitimacy.value == s.faction("red").legitimacy.value


def test_with_values_adds_absent_map_entries_and_plain_fields(base):
    s2 = load_scenario(base).with_values(
        {
            "sponsors.far.budget.financial": 2.0,
            "factions.red.regional_popularity.north": 0.7,
            "seed": 11,
            "regions.south.coastal": True,
        }
    )
    assert s2.sponsor("far").budget["financial"].value == 2.0
    assert s2.faction("red").regional_popularity["north"].value == 0.7
    assert s2.seed == 11
    assert s2.region("south").coastal is True


def test_with_values_gives_a_bare_number_a_range(base):
    s2 = load_scenario(base).with_values({"factions.red.strength.range": [1000, 5000]})
    assert s2.faction("red").strength.range == (1000, 5000)
    assert s2.faction("red").strength.value == 3000


def test_with_values_finds_relations_by_identity(base):
    s = load_scenario(base)
    for key in ("relations.hostility.red~blue.level", "relations.hostility.blue~red.level"):
        assert s.with_values({key: 0.25}).relations.hostility[0].level.value == 0.25
    for key in ("relations.support.far>red:military.weight", "relations.support.far>red.weight"):
        assert s.with_values({key: 0.5}).relations.support[0].weight.value == 0.5


def test_with_values_accepts_numpy_numbers(base):
    s2 = load_scenario(base).with_values(
        {
            "factions.red.strength": np.int64(4000),
            "factions.blue.strength.range": np.array([1000.0, 3000.0]),
            "seed": np.int64(3),
        }
    )
    assert s2.faction("red").strength.value == 4000
    assert s2.faction("blue").strength.range == (1000, 3000)
    assert s2.seed == 3
    assert len(s2.hash) == 64


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("factions.rde.strength", "no item 'rde' in 'factions.rde.strength' (did you mean 'red'?)"),
        (
            "factions.red.strenght",
            "no field 'strenght' in 'factions.red.strenght' (did you mean 'strength'?)",
        ),
        ("parameters.concentration_cots", "(did you mean 'concentration_cost'?)"),
        ("months.value.x", "goes below a plain value"),
        ("", "empty path"),
    ],
)
def test_with_values_names_a_bad_path(base, key, message):
    with pytest.raises(ScenarioError) as exc:
        load_scenario(base).with_values({key: 1})
    p = only_problem(exc)
    assert p.path == key
    assert message in p.message


def test_with_values_revalidates(base):
    with pytest.raises(ScenarioError, match=r"factions\[0\]\.strength: must be >= 0; got -5"):
        load_scenario(base).with_values({"factions.red.strength": -5})


def test_load_scenario_overrides_point_errors_at_the_override(base):
    assert load_scenario(base, {"months": 6}).months == 6
    with pytest.raises(ScenarioError) as exc:
        load_scenario(base, {"factions.red.strength": -5})
    p = only_problem(exc)
    assert p.file == "base.yaml (override factions.red.strength)"
    assert p.line is None
    assert p.message == "must be >= 0; got -5"


def test_get_value_reads_values_and_defaults():
    data = minimal_scenario()
    assert get_value(data, "factions.red.strength") == 3000
    assert get_value(data, "factions.blue.strength") == 2000
    assert get_value(data, "factions.blue.strength.range") == [1500, 2500]
    assert get_value(data, "parameters.concentration_cost") == pytest.approx(2.0)
    assert get_value(data, "factions.red.legitimacy") == pytest.approx(0.3)
    assert get_value(data, "relations.hostility.blue~red.level") == 0.5
    with pytest.raises(KeyError, match="did you mean 'red'"):
        get_value(data, "factions.rde.strength")


def test_set_value_returns_the_location_it_changed():
    data = minimal_scenario()
    assert set_value(data, "factions.blue.strength", 1800) == ("factions", 1, "strength")
    assert data["factions"][1]["strength"]["value"] == 1800
    assert set_value(data, "relations.hostility.blue~red.level", 1.0) == (
        "relations",
        "hostility",
        0,
        "level",
    )


def test_from_dict_accepts_numpy_numbers_and_tuples():
    data = minimal_scenario()
    data["months"] = np.int64(6)
    data["factions"][1]["strength"]["range"] = (np.float64(1000), 3000)
    s = from_dict(data)
    assert s.months == 6
    assert s.faction("blue").strength.range == (1000, 3000)
    assert len(s.hash) == 64
    assert from_dict(s.resolved).hash == s.hash


def test_from_dict_refuses_a_non_mapping():
    with pytest.raises(ScenarioError, match="a scenario must be a mapping; got a list"):
        from_dict([1, 2])  # type: ignore[arg-type]


def test_parse_cache_returns_independent_copies_and_sees_edits(base):
    from libyasim.scenario.loader import read_yaml

    text = base.read_text()
    first, _ = read_yaml(text, "base.yaml")
    first["factions"][0]["strength"] = -1
    second, node = read_yaml(text, "base.yaml")
    assert second["factions"][0]["strength"] == 3000
    assert node.kids["factions"].kids[0].kids["strength"].line == line_of(text, r"strength: 3000")
    base.write_text(text.replace("strength: 3000", "strength: 3100"))
    assert load_scenario(base).faction("red").strength.value == 3100
