"""``libyasim validate`` and ``libyasim sources stamp|check``: exit codes, output, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scenario_factory import SAMPLE_DOCUMENT, minimal_scenario, with_document, write_scenario

from libyasim.cli import main
from libyasim.scenario import load_scenario


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def good(tmp_path):
    return write_scenario(tmp_path / "good.yaml", with_document(minimal_scenario()))


@pytest.fixture
def bad(tmp_path):
    data = minimal_scenario()
    data["factions"][0]["strength"] = -3
    data["factions"][1]["kind"] = "militai"
    return write_scenario(tmp_path / "bad.yaml", data)


# --------------------------------------------------------------------------- validate


def test_validate_good_file_exits_0_with_a_summary(good, capsys):
    assert main(["validate", "good.yaml"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("mini: A minimal test scenario\n")
    assert "2017-08 + 12 months, seed 7, hash " + load_scenario(good).hash[:12] in out
    assert "2 regions, 3 factions (red, blue, black)" in out
    assert "1 sponsors (far)" in out
    assert "events: 1 ceasefire" in out
    # red's strength cites the document; blue's strength and south's population are assumptions
    summary = load_scenario(good)
    evidenced = sum(1 for _, q in summary.quantities() if q.evidenced)
    assumed = sum(1 for _, q in summary.quantities() if q.assumed)
    assert evidenced == 1
    assert f"({evidenced} evidenced, {assumed} assumptions, " in out
    assert out.rstrip().endswith("1 of 1 scenario file(s) valid")


def test_validate_quiet_prints_one_line_per_file(good, capsys):
    assert main(["validate", "-q", "good.yaml", "good.yaml"]) == 0
    assert (
        capsys.readouterr().out == "good.yaml: ok\ngood.yaml: ok\n2 of 2 scenario file(s) valid\n"
    )


def test_validate_bad_file_exits_1_with_every_problem_on_stderr(bad, capsys):
    assert main(["validate", "bad.yaml"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "bad.yaml: INVALID"
    assert lines[1] == "2 problems in scenario:"
    assert any(
        line.startswith("  bad.yaml:") and "factions[0].strength: must be >= 0; got -3" in line
        for line in lines
    )
    assert any(
        "factions[1].kind: must be one of" in line and "(did you mean 'militia'?)" in line
        for line in lines
    )
    assert lines[-1] == "0 of 1 scenario file(s) valid"
    assert "Traceback" not in err


def test_validate_reports_good_and_bad_files_together(good, bad, capsys):
    assert main(["validate", "-q", "good.yaml", "bad.yaml"]) == 1
    out, err = capsys.readouterr()
    assert "good.yaml: ok" in out
    assert "bad.yaml: INVALID" in err
    assert err.rstrip().endswith("1 of 2 scenario file(s) valid")


def test_validate_without_files_exits_2_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: libyasim validate")
    assert "the following arguments are required: FILE" in err


def test_validate_missing_file_is_a_clear_error(capsys):
    assert main(["validate", "nothere.yaml"]) == 1
    err = capsys.readouterr().err
    assert "nothere.yaml: no such file" in err
    assert "Traceback" not in err


def test_validate_directory_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "scenarios").mkdir()
    assert main(["validate", "scenarios"]) == 1
    assert "scenarios: is a directory, not a scenario file" in capsys.readouterr().err


def test_validate_in_a_subprocess_prints_no_traceback(bad, tmp_path):
    broken = write_scenario(tmp_path / "broken.yaml", "id: x\ntitle: [unclosed\n")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"id: \xff\xfe\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "libyasim.cli",
            "validate",
            str(bad),
            str(broken),
            str(binary),
            str(tmp_path / "missing.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "bad.yaml:" in result.stderr and "must be >= 0; got -3" in result.stderr
    assert "broken.yaml:3: not valid YAML" in result.stderr
    assert "binary.yaml:1: not UTF-8 text" in result.stderr
    assert "missing.yaml: no such file" in result.stderr
    assert result.stderr.rstrip().endswith("0 of 4 scenario file(s) valid")


# --------------------------------------------------------------------------- sources


def unstamped(tmp_path, cite: str = "p2s1"):
    """A scenario citing ``town:<cite>`` whose document block is not stamped yet."""
    data = with_document(minimal_scenario(), cite="p2s1")
    data["documents"]["town"]["sha256"] = "0" * 64
    data["documents"]["town"]["sentences"] = {}
    data["factions"][1]["evidence"] = [
        {"source": f"town:{cite}", "note": "the council leader wants a seat"}
    ]
    return write_scenario(tmp_path / "cites.yaml", data)


def test_stamp_then_check_round_trips(tmp_path, capsys):
    (tmp_path / "town.txt").write_text(SAMPLE_DOCUMENT)
    path = unstamped(tmp_path, cite="p2s2")
    assert main(["sources", "stamp", "--document", "town=town.txt", "cites.yaml"]) == 0
    assert "cites.yaml: registered 2 locator(s) into 'town'" in capsys.readouterr().out
    s = load_scenario(path)  # now valid: every locator is registered
    assert set(s.documents["town"].sentences) == {"p2s1", "p2s2"}
    assert main(["sources", "check", "--document", "town=town.txt", "cites.yaml"]) == 0
    assert capsys.readouterr().out == "cites.yaml: 2 locator(s) into 'town' match their sentences\n"


def test_check_fails_naming_the_locator_whose_sentence_changed(tmp_path, capsys):
    doc = tmp_path / "town.txt"
    doc.write_text(SAMPLE_DOCUMENT)
    unstamped(tmp_path, cite="p2s2")
    assert main(["sources", "stamp", "--document", "town=town.txt", "cites.yaml"]) == 0
    capsys.readouterr()
    doc.write_text(
        SAMPLE_DOCUMENT.replace("wants a seat on the council", "wants the whole council")
    )
    assert main(["sources", "check", "--document", "town=town.txt", "cites.yaml"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert (
        "cites.yaml: town:p2s2: the sentence at this locator is not the one it was written for"
        in out
    )
    assert (
        "cites.yaml: town:-: the document's text has changed since it was registered "
        "(sha256 differs)" in out
    )
    assert not any("p2s1" in line for line in out)  # the unchanged sentence still matches


def test_check_fails_when_a_located_sentence_disappears(tmp_path, capsys):
    doc = tmp_path / "town.txt"
    doc.write_text(SAMPLE_DOCUMENT)
    unstamped(tmp_path, cite="p2s3")
    assert main(["sources", "stamp", "--document", "town=town.txt", "cites.yaml"]) == 0
    doc.write_text(SAMPLE_DOCUMENT.replace("\nFew expect elections soon.", ""))
    capsys.readouterr()
    assert main(["sources", "check", "--document", "town=town.txt", "cites.yaml"]) == 1
    assert "cites.yaml: town:p2s3: no such sentence in the document" in capsys.readouterr().out


def test_stamp_refuses_a_locator_the_document_does_not_have(tmp_path, capsys):
    (tmp_path / "town.txt").write_text(SAMPLE_DOCUMENT)
    unstamped(tmp_path, cite="p9s1")
    with pytest.raises(SystemExit) as exc:
        main(["sources", "stamp", "--document", "town=town.txt", "cites.yaml"])
    assert exc.value.code == 2
    assert "locators not in document 'town': p9s1" in capsys.readouterr().err


def test_sources_bad_arguments_are_usage_errors(tmp_path, capsys):
    unstamped(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["sources", "check", "--document", "town", "cites.yaml"])
    assert exc.value.code == 2
    assert "--document takes ID=PATH; got 'town'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["sources", "check", "--document", "town=nothere.txt", "cites.yaml"])
    assert exc.value.code == 2
    assert "cannot read document 'nothere.txt'" in capsys.readouterr().err


def test_stamp_on_a_missing_scenario_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "town.txt").write_text(SAMPLE_DOCUMENT)
    assert main(["sources", "stamp", "--document", "town=town.txt", "nothere.yaml"]) == 1
    assert "nothere.yaml: no such file" in capsys.readouterr().err
