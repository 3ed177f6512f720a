"""Property: whatever a scenario file contains, loading it gives a valid
:class:`Scenario` or one :class:`ScenarioError` — never another exception.

A valid scenario is mutated at random (keys deleted, unknown keys inserted,
values replaced by other types, negative, huge, NaN or infinite numbers, empty
lists, duplicated records, random references) and fed to the loader both as
data and as YAML text; random text is fed to the YAML reader too.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_factory import dump_yaml, minimal_scenario, with_document

from libyasim.scenario import Scenario, ScenarioError, from_dict, parse_scenario

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

SAFE_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=12
)

leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | SAFE_TEXT
)
json_values = st.recursive(
    leaves,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(SAFE_TEXT, kids, max_size=3),
    max_leaves=8,
)
NAMES = [
    "red",
    "blue",
    "black",
    "north",
    "south",
    "far",
    "role",
    "rde",
    "nrth",
    "Red",
    "",
    "town",
    "x" * 70,
]


def paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every location below ``obj`` (keys and indices)."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append((*prefix, k))
            out.extend(paths(v, (*prefix, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.append((*prefix, i))
            out.extend(paths(v, (*prefix, i)))
    return out


def at(obj: Any, path: tuple) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def mutate(draw: Any, data: dict) -> dict:
    """Apply one to four random mutations to ``data`` in place."""
    for _ in range(draw(st.integers(1, 4))):
        locations = paths(data)
        path = draw(st.sampled_from(locations))
        parent, key = at(data, path[:-1]), path[-1]
        value = parent[key]
        op = draw(
            st.sampled_from(
                [
                    "delete",
                    "unknown_key",
                    "replace",
                    "negative",
                    "huge",
                    "nonfinite",
                    "empty_list",
                    "duplicate",
                    "reference",
                ]
            )
        )
        if op == "delete":
            del parent[key]
        elif op == "unknown_key":
            target = (
                value if isinstance(value, dict) else parent if isinstance(parent, dict) else data
            )
            target[draw(SAFE_TEXT)] = draw(json_values)
        elif op == "replace":
            parent[key] = draw(json_values)
        elif op == "negative":
            parent[key] = (
                -abs(value) - 1
                if isinstance(value, (int, float))
                else draw(st.integers(-(10**6), -1))
            )
        elif op == "huge":
            parent[key] = draw(st.sampled_from([10**30, -(10**30), 1e308, 2**63, 2**64]))
        elif op == "nonfinite":
            parent[key] = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
        elif op == "empty_list":
            parent[key] = []
        elif op == "duplicate":
            lists = [p for p in locations if isinstance(at(data, p), list) and at(data, p)]
            if lists:
                items = at(data, draw(st.sampled_from(lists)))
                items.append(copy.deepcopy(draw(st.sampled_from(items))))
        elif op == "reference":
            parent[key] = draw(st.sampled_from(NAMES) | SAFE_TEXT)
    return data


def check_outcome(load: Any) -> Scenario | None:
    """Run ``load()``: a Scenario, or a ScenarioError with readable problems; nothing else."""
    try:
        s = load()
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError must list at least one problem"
        for p in exc.problems:
            assert p.message
            assert "Input should" not in p.message and "function-after" not in p.message, str(p)
        return None
    assert isinstance(s, Scenario)
    return s


def base_data() -> dict:
    return with_document(minimal_scenario())


@FUZZ
@given(st.data())
def test_mutated_data_gives_a_scenario_or_a_scenario_error(data):
    scenario = mutate(data.draw, base_data())
    s = check_outcome(lambda: from_dict(scenario))
    if s is not None:  # a valid result round-trips to the same content
        again = from_dict(s.resolved)
        assert again.hash == s.hash
        assert again.model_dump() == s.model_dump()
        list(s.quantities())


@settings(FUZZ, max_examples=100)  # YAML parsing is the slow part
@given(st.data())
def test_mutated_yaml_gives_a_scenario_or_a_scenario_error(tmp_path_factory, data):
    scenario = mutate(data.draw, base_data())
    text = dump_yaml(scenario)
    base = tmp_path_factory.getbasetemp()
    check_outcome(lambda: parse_scenario(text, name="fuzz.yaml", base_dir=base))


@FUZZ
@given(st.data())
def test_random_overrides_give_a_scenario_or_a_scenario_error(data):
    s = from_dict(base_data())
    locations = [p for p in paths(s.resolved) if all(isinstance(x, str) for x in p)]
    key = data.draw(
        st.sampled_from([".".join(p) for p in locations])
        | st.sampled_from(
            [
                "factions.red.strength",
                "factions.blue.strength.range",
                "parameters.concentration_cost",
                "relations.hostility.blue~red.level",
                "events.0.penalty",
                "sponsors.far.budget.financial",
            ]
        )
        | SAFE_TEXT
    )
    value = data.draw(json_values)
    check_outcome(lambda: s.with_values({key: value}))


YAML_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
YAML_PIECES = st.sampled_from(
    [
        "id: x\n",
        "title: t\n",
        "start: 2017-08\n",
        "months: 3\n",
        "- ",
        ": ",
        "[",
        "]",
        "{",
        "}",
        "&a ",
        "*a ",
        "!!python/object:os.system ",
        "---\n",
        "\t",
        "  ",
        "\n",
        "'",
        '"',
        "#",
        "|\n",
        ">\n",
        "extends: x.yaml\n",
        "regions:\n",
        "? ",
        "%YAML 1.1\n",
    ]
)


@FUZZ
@given(st.lists(YAML_PIECES | st.text(YAML_ALPHABET, max_size=8), max_size=30).map("".join))
def test_random_yaml_text_gives_a_scenario_or_a_scenario_error(tmp_path_factory, text):
    check_outcome(
        lambda: parse_scenario(text, name="random.yaml", base_dir=tmp_path_factory.getbasetemp())
    )


@FUZZ
@given(st.text(max_size=200))
def test_random_text_gives_a_scenario_error(tmp_path_factory, text):
    check_outcome(
        lambda: parse_scenario(text, name="random.yaml", base_dir=tmp_path_factory.getbasetemp())
    )


@FUZZ
@given(json_values)
def test_random_data_as_a_whole_scenario_gives_a_scenario_error(value):
    check_outcome(lambda: from_dict(value))
