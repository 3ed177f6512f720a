"""``libyasim batch``, ``report`` and ``compare`` through the installed entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from libyasim.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: the installed entry point (next to this Python), as users run it
ENTRY = str(Path(sys.executable).with_name("libyasim"))
BASELINE = ROOT / "scenarios" / "baseline_2017.yaml"


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([ENTRY, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def two_scenarios(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("scen")
    variant = d / "raids.yaml"
    variant.write_text(
        f"extends: {BASELINE}\nid: baseline_raids\ntitle: more raids\n"
        "parameters:\n  raid_rate: 0.55\n",
        encoding="utf-8",
    )
    return [BASELINE, variant]


@pytest.mark.slow
def test_batch_report_compare_end_to_end(tmp_path, two_scenarios):
    out = tmp_path / "b"
    command = [
        "batch",
        *map(str, two_scenarios),
        *("--out", str(out), "-n", "6", "--seed", "3", "--months", "8", "-j", "2"),
        *("--sweep", "parameters.engagement_rate=0.2:0.4:2"),
    ]
    res = cli(*command)
    assert res.returncode == 0, res.stderr
    assert "batch: 24 runs (24 ok, 0 failed)" in res.stderr
    assert "[batch] 24/24 runs" in res.stderr  # not a terminal: log lines, not a bar
    assert "Wilson" in res.stdout and "baseline_raids" in res.stdout
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["param__parameters__engagement_rate"].unique()) == [0.2, 0.4]
    for name in (
        "outcomes.csv",
        "key_figures.csv",
        "outcomes.png",
        "fan_strength.png",
        "fan_territory.png",
    ):
        assert (out / "report" / name).stat().st_size > 0
    table = pd.read_csv(out / "report" / "outcomes.csv")
    ends = table[table.kind == "end_state"]
    assert ends.groupby("scenario")["count"].sum().eq(12).all()
    assert ((ends.lo <= ends.p) & (ends.p <= ends.hi)).all()

    rep = cli("report", str(out), "--out", str(tmp_path / "r"), "--no-figures")
    assert rep.returncode == 0, rep.stderr
    assert (tmp_path / "r" / "outcomes.csv").exists() and not (
        tmp_path / "r" / "outcomes.png"
    ).exists()

    cmp_ = cli("compare", str(out), "--out", str(tmp_path / "c"))
    assert cmp_.returncode == 0, cmp_.stderr
    assert "baseline_raids vs baseline_2017" in cmp_.stdout and "paired runs" in cmp_.stdout
    assert (tmp_path / "c" / "compare_outcomes.csv").exists()

    # the same command again: nothing to do, same answer
    again = cli(*command, "--no-report")
    assert again.returncode == 0 and "resumed: 24 runs (24 ok, 0 failed); 0 run now" in again.stderr


@pytest.mark.slow
def test_changed_scenario_file_refuses_to_resume(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text(f"extends: {BASELINE}\nid: mine\ntitle: mine\n", encoding="utf-8")
    out = tmp_path / "b"
    args = [
        "batch",
        str(scen),
        "--out",
        str(out),
        "-n",
        "2",
        "--months",
        "3",
        "--executor",
        "serial",
        "--no-report",
        "--quiet",
    ]
    assert cli(*args).returncode == 0
    scen.write_text(
        f"extends: {BASELINE}\nid: mine\ntitle: mine\nparameters:\n  raid_rate: 0.4\n",
        encoding="utf-8",
    )
    res = cli(*args)
    assert res.returncode == 2
    assert "refusing to resume" in res.stderr and "scenario mine changed (hash" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replicates", "0"], "argument --replicates/-n: must be >= 1"),
        (["--replicates", "many"], "must be a whole number"),
        (["--seed", "-3"], "argument --seed: must be in [0, 2**63)"),
        (["--sweep", "parameters.raid_rate=0.1:0.5"], "LO:HI:N"),
        (["--set", "parameters.raid_rate"], "--set takes PATH=VALUE"),
        (["--set", "parameters.raid_rat=0.2"], "raid_rat"),
        (["--set", "parameters.raid_rate=7"], "raid_rate"),
        (["--sample", "sobol", "6"], "power of two"),
        (["--sample", "halton", "8"], "must be one of lhs, sobol, morris"),
        (["--sample", "lhs", "x"], "whole N"),
        (["--executor", "serial", "--workers", "2"], "--workers must be 1"),
        (
            ["--executor", "serial", "--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler needs --executor dask",
        ),
        (["--executor", "threads"], "invalid choice: 'threads'"),
    ],
)
def test_bad_input_gets_a_clear_message_and_exit_2(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(BASELINE), "--out", str(tmp_path / "b"), "--months", "2", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "b").exists()  # nothing started


def test_report_and_compare_on_a_folder_that_is_not_a_batch(tmp_path, capsys):
    for cmd in ("report", "compare"):
        with pytest.raises(SystemExit) as exc:
            main([cmd, str(tmp_path)])
        assert exc.value.code == 2
        assert "is not a batch folder" in capsys.readouterr().err


def test_help_shows_every_flag_with_its_default(capsys):
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    text = capsys.readouterr().out
    for flag in (
        "--replicates",
        "--seed",
        "--out",
        "--workers",
        "--executor",
        "--scheduler",
        "--resume",
        "--retry-failed",
        "--set",
        "--sweep",
        "--sample",
        "--months",
    ):
        assert flag in text
    assert "(default: 10)" in text and "(default: process)" in text
