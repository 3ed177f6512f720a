"""Fuzzing the two ways in: scenario content and command lines.

- 2,000 mutations of the *shipped* scenarios (test_fuzz.py mutates a minimal one):
  keys deleted, unknown keys, values of other types, negative, huge, NaN,
  duplicated records, random references, plus the hostile values of issue 15
  (>4,300-digit integers as text, lone surrogates, booleans and text for numbers).
  Each gives a Scenario whose hash and round trip work, or one ScenarioError with
  readable problems; never another exception.
- Random command lines over every command, with hostile values (devices, FIFOs,
  /proc, files for folders, huge and negative numbers, nested or alias-bombed
  --set values): each ends with a message and an exit status; never a traceback,
  never the internal-error status.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import BASELINE, SCENARIOS
from test_fuzz import check_outcome, mutate

from libyasim.cli import INTERNAL_ERROR, main
from libyasim.scenario import from_dict, load_scenario

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))

HOSTILE = st.sampled_from(
    [
        "\ud800",
        "9" * 5000,
        True,
        "12",
        "",
        "\x00",
        10**400,
        -(10**400),
        {"value": True},
        {"value": "3"},
        ["a", "a"],
        "../../etc/shadow",
    ]
)


@functools.cache
def shipped_data() -> tuple[bytes, ...]:
    """Each shipped scenario, resolved, pickled (a fast deep copy per example)."""
    return tuple(pickle.dumps(load_scenario(p).resolved) for p in SHIPPED)


def hostile_mutation(draw, data: dict) -> None:
    from test_fuzz import at, paths

    locations = paths(data)
    path = draw(st.sampled_from(locations))
    at(data, path[:-1])[path[-1]] = draw(HOSTILE)


@settings(
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_mutated_shipped_scenarios_never_escape(data):
    which = data.draw(st.sampled_from(SHIPPED), label="scenario")
    scenario = pickle.loads(shipped_data()[SHIPPED.index(which)])
    if data.draw(st.booleans()):
        hostile_mutation(data.draw, scenario)
    else:
        mutate(data.draw, scenario)
    s = check_outcome(lambda: from_dict(scenario))
    if s is not None:
        assert len(s.hash) == 64  # the hash (canonical UTF-8 JSON) works for every valid one


# --------------------------------------------------------------------------- command lines


@pytest.fixture(scope="module")
def hostile_paths(tmp_path_factory) -> list[str]:
    d = tmp_path_factory.mktemp("hostile")
    fifo = d / "pipe.yaml"
    os.mkfifo(fifo)
    (d / "loop_a.yaml").symlink_to(d / "loop_b.yaml")
    (d / "loop_b.yaml").symlink_to(d / "loop_a.yaml")
    (d / "afile").write_text("not a folder")
    (d / "folder").mkdir()
    (d / "deep.yaml").write_text("id: x\ntitle: [" * 1 + "[" * 5000 + "]" * 5000 + "]\n")
    (d / "ext.yaml").write_text('id: x\nextends: "' + "a" * 300 + '.yaml"\n')
    return [
        str(BASELINE),
        str(SHIPPED[-1]),
        "/dev/zero",
        "/dev/urandom",
        "/proc/self/status",
        "/proc",
        "/etc/shadow",
        str(fifo),
        str(d / "loop_a.yaml"),
        str(d / "afile"),
        str(d / "folder"),
        str(d / "deep.yaml"),
        str(d / "ext.yaml"),
        str(d / "missing.yaml"),
        "a" * 300,
        "\udcff.yaml",
    ]


VALUES = [
    "0",
    "-1",
    "1",
    "9" * 5000,
    "nan",
    "inf",
    "1e308",
    "x",
    "",
    "\udcff",
    "[" * 20000 + "]" * 20000,
    "- " * 5000 + "x",
    "{a: &a [1,1,1,1,1,1,1,1,1,1], b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], "
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], "
    "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]}",
]
SETS = ["parameters.raid_rate=", "months=", "factions.lna.strength=", "nothing.here=", "="]


@st.composite
def command_lines(draw, paths: list[str], out: str) -> list[str]:
    path = st.sampled_from(paths)
    value = st.sampled_from(VALUES)
    command = draw(
        st.sampled_from(["validate", "run", "batch", "report", "compare", "sensitivity", "sources"])
    )
    if command == "validate":
        return ["validate", *draw(st.lists(path, min_size=1, max_size=3))]
    if command == "run":
        return [
            "run",
            draw(path),
            *draw(st.sampled_from([[], ["--seed", draw(value)], ["--months", draw(value)]])),
            "--months",
            draw(st.sampled_from(["1", "0", "-5", "9" * 30])),
            "--no-plot",
            "--out",
            draw(st.sampled_from([out, *paths])),
        ]
    if command == "batch":
        extra = draw(
            st.lists(
                st.sampled_from(["--set", "--sweep", "--sample", "--vary", "--seed", "-n"]).flatmap(
                    lambda opt: st.tuples(
                        st.just(opt),
                        st.sampled_from(SETS).map(lambda s: s + draw(value))
                        if opt == "--set"
                        else st.sampled_from(
                            ["parameters.raid_rate=0:0.5:100000000", "months=1:3:2", "a=b"]
                        )
                        if opt == "--sweep"
                        else value,
                    )
                ),
                max_size=3,
            )
        )
        flat = [x for pair in extra for x in pair]
        if "--sample" in flat:  # --sample takes two values
            flat.insert(flat.index("--sample") + 1, draw(st.sampled_from(["lhs", "sobol", "x"])))
        return [
            "batch",
            draw(path),
            "--out",
            draw(st.sampled_from([out, *paths])),
            *flat,
            "-n",
            "1",
            "--months",
            "1",
            "--executor",
            "serial",
            "--no-report",
            "-q",
        ]
    if command == "sources":
        return ["sources", "check", draw(path), "--document", "seed=" + draw(path)]
    return [command, draw(st.sampled_from([out, *paths])), "--no-figures"]


@pytest.fixture(scope="module")
def cli_paths(tmp_path_factory, hostile_paths):
    out = tmp_path_factory.mktemp("out")
    return hostile_paths, str(out / "o"), out


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_command_lines_never_show_a_traceback(cli_paths, data):
    paths, out, cwd = cli_paths
    argv = data.draw(command_lines(paths, out))
    err, outbuf = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)  # `run` writes out/<id> by default
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(outbuf):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse and usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(here)
    assert code != INTERNAL_ERROR, f"{argv!r:.300}\n{err.getvalue()[-2000:]}"
    assert "Traceback" not in err.getvalue(), f"{argv!r:.300}"
    assert isinstance(code, int)
