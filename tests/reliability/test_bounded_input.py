"""Bounded input: every path the loader reads is a regular file, read under a byte
cap counted while reading and a wall-clock cap; names that cannot name a file, symbolic
link loops, huge integers and lone surrogates are located problems, never tracebacks;
a file that is not a scenario is never echoed back (docs/reliability.md)."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from scenario_factory import minimal_scenario, write_scenario

from libyasim.scenario import ScenarioError, load_scenario, parse_scenario
from libyasim.scenario.loader import MAX_FILE_BYTES


def only(exc: pytest.ExceptionInfo) -> str:
    (p,) = exc.value.problems
    return str(p)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_before_reading(device):
    with pytest.raises(ScenarioError) as exc:
        load_scenario(device)
    assert "not a regular file" in only(exc)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_extends_naming_a_device_is_refused(tmp_path, device):
    child = write_scenario(tmp_path / "c.yaml", f"id: c\nextends: {device}\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert "extends" in only(exc) and "refused" in only(exc)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    outcome: list[object] = []

    def load() -> None:
        try:
            load_scenario(fifo)
        except ScenarioError as exc:
            outcome.append(exc)

    t = threading.Thread(target=load, daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():  # unblock the reader so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("loading a FIFO blocked")
    assert "not a regular file" in str(outcome[0])


def test_extends_naming_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    child = write_scenario(tmp_path / "c.yaml", "id: c\nextends: pipe.yaml\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert "not a regular file" in only(exc)


def test_the_byte_cap_is_counted_while_reading(tmp_path, monkeypatch):
    """st_size is not trusted: a file that reports 0 bytes and holds more is still capped."""
    big = tmp_path / "big.yaml"
    big.write_text("id: x\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 10))
    real_fstat = os.fstat

    class Lying:
        def __init__(self, st):
            self._st = st

        def __getattr__(self, name):
            return 0 if name == "st_size" else getattr(self._st, name)

    monkeypatch.setattr(os, "fstat", lambda fd: Lying(real_fstat(fd)))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(big)
    assert "larger than the limit" in only(exc)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("a\\0b.yaml", "NUL"),
        ("a" * 300 + ".yaml", "longer than 255 bytes"),
        ("/etc/shadow", "must name a scenario file"),
        ("/etc/passwd", "must name a scenario file"),
    ],
)
def test_extends_names_that_cannot_be_read_are_located(tmp_path, name, says):
    child = write_scenario(tmp_path / "c.yaml", f'id: c\nextends: "{name}"\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert exc.value.problems[0].line == 2
    assert says in only(exc)
    assert "root:" not in str(exc.value)  # never the content of the named file


def test_a_symlink_loop_is_located(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    child = write_scenario(tmp_path / "c.yaml", "id: c\nextends: a.yaml\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert "loop of symbolic links" in only(exc)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tmp_path / "a.yaml")
    assert "loop of symbolic links" in only(exc)


def test_a_file_that_is_not_a_scenario_is_never_echoed(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("root: $6$hashhashhash\nadmin: hunter2\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(secret)
    assert "not a scenario file" in only(exc)
    assert "hunter2" not in str(exc.value) and "$6$" not in str(exc.value)
    secret.write_text("root:$6$hashhashhash:19000:0:99999:7:::\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(secret)
    assert "hashhash" not in str(exc.value)
    child = write_scenario(tmp_path / "c.yaml", "id: c\nextends: secret.yaml\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert "hashhash" not in str(exc.value)


def test_an_integer_over_the_digit_limit_is_refused(tmp_path):
    digits = sys.get_int_max_str_digits() + 1
    path = write_scenario(tmp_path / "s.yaml", f"id: s\nmonths: {'9' * digits}\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert f"more than {sys.get_int_max_str_digits()} digits" in only(exc)


def test_a_lone_surrogate_is_refused_at_load(tmp_path):
    data = minimal_scenario()
    path = write_scenario(tmp_path / "s.yaml", data)
    text = path.read_text() + 'description: "\\ud800"\n'
    path.write_text(text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    (p,) = exc.value.problems
    assert p.path == "description" and "lone surrogate" in p.message
    with pytest.raises(ScenarioError, match="lone surrogate"):
        parse_scenario(text, base_dir=tmp_path)
