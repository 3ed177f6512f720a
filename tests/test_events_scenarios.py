"""The shipped scenario set (scenarios/*.yaml): each runs and validates, the run
summary names every intervention and its result, paris_2017 calms the LNA–GNA
front, and a user can add a sponsor with no code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from libyasim.cli import main
from libyasim.model.runner import run
from libyasim.scenario import EVENT_TYPES, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
#: calibration scenarios: validated with the shipped set, kept out of make run's glob
CALIBRATION = sorted((ROOT / "scenarios" / "calibration").glob("*.yaml"))
LNA_GNA = frozenset({"lna", "gna"})


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("libyasim")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "libyasim.cli"]


def test_the_scenario_set_is_complete():
    names = {p.stem for p in SCENARIOS}
    assert {
        "baseline_2017",
        "paris_2017",
        "ceasefire_only",
        "early_elections",
        "italy_engages_haftar",
        "france_steps_back",
        "russia_escalates",
        "gulf_withdraws",
        "arms_embargo_enforced",
        "daesh_resurgence",
        "icc_pressure",
    } <= names


def test_validate_passes_on_every_shipped_scenario(tmp_path):
    proc = subprocess.run(
        [*_cli(), "validate", "-q", *map(str, SCENARIOS + CALIBRATION)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    n = len(SCENARIOS) + len(CALIBRATION)
    assert CALIBRATION and f"{n} of {n}" in proc.stdout


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_variant_states_what_it_asks(path):
    s = load_scenario(path)
    assert s.title and len(s.description) > 60
    if path.stem != "baseline_2017":
        text = path.read_text(encoding="utf-8")
        assert "extends: baseline_2017.yaml" in text
        assert "evidence:" in text or "assumption:" in text


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_libyasim_run_works_and_names_the_interventions(path, tmp_path, capsys):
    months = 30 if path.stem in ("paris_2017", "early_elections", "icc_pressure") else 6
    out = tmp_path / "out"
    code = main(
        ["run", str(path), "--months", str(months), "--seed", "2", "--no-plot", "--out", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    fired = [i for i in summary["interventions"] if i["fired"]]
    for i in fired:
        assert i["result"] and i["result"] in printed, i
    if path.stem in ("paris_2017", "early_elections"):
        el = next(i for i in fired if i["type"] == "election")
        assert any(w in el["result"] for w in ("held in", "postponed", "abandoned"))
    if path.stem in ("paris_2017", "ceasefire_only"):
        cf = next(i for i in fired if i["type"] == "ceasefire")
        assert cf["result"].startswith("held ")


def lna_gna_battles(path: Path, seeds: range, months: int = 12) -> int:
    s = load_scenario(path)
    total = 0
    for seed in seeds:
        ev = run(s, seed=seed, months=months).events
        b = ev[ev["kind"] == "battle"]
        total += sum(frozenset(p) == LNA_GNA for p in zip(b["actor1"], b["actor2"], strict=True))
    return total


def test_paris_has_fewer_lna_gna_battles_than_the_baseline_in_its_first_year():
    seeds = range(50)
    paris = lna_gna_battles(ROOT / "scenarios" / "paris_2017.yaml", seeds)
    base = lna_gna_battles(ROOT / "scenarios" / "baseline_2017.yaml", seeds)
    assert base > 0 and paris < base, (paris, base)


USER_SCENARIO = """\
# A user's own variant: Turkey enters in 2018 on the GNA's side. No code needed.
extends: {baseline}
id: turkey_enters
title: "Turkey enters on the GNA's side"
description: >-
  A regional power not in the baseline starts backing the Tripoli government
  with arms and money in January 2018.
sponsors:
  - id: turkey
    name: "Turkey"
    active: false
    budget:
      military: {{value: 2.0, range: [1.0, 4.0], assumption: "scenario: drones and advisers"}}
      financial: {{value: 1.0, range: [0.5, 2.0], assumption: "scenario"}}
    interests:
      influence: {{value: 0.9, range: [0.7, 1.0], assumption: "scenario"}}
    stance:
      gna: {{value: 0.8, range: [0.5, 1.0], assumption: "scenario"}}
relations:
  support:
    - from: turkey
      to: gna
      channel: military
    - from: turkey
      to: gna
      channel: financial
events:
  - id: turkey_arrives
    type: sponsor_entry
    date: 2018-01
    sponsor: turkey
"""


def test_a_user_added_sponsor_entry_runs_and_shows_its_flows(tmp_path, capsys):
    path = tmp_path / "turkey_enters.yaml"
    path.write_text(
        USER_SCENARIO.format(baseline=ROOT / "scenarios" / "baseline_2017.yaml"), encoding="utf-8"
    )
    out = tmp_path / "out"
    assert (
        main(["run", str(path), "--months", "9", "--seed", "1", "--no-plot", "--out", str(out)])
        == 0
    )
    assert "turkey enters, backing gna" in capsys.readouterr().out
    series = pd.read_parquet(out / "series.parquet").set_index("month")
    flow = series["support.turkey.gna"]
    assert (flow.loc[:"2018-01"] == 0).all()  # the row of 2018-01 is the state before entry
    assert (flow.loc["2018-02":] > 0).all()


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_every_events_guide_example_is_a_valid_addition_to_the_baseline(tmp_path):
    blocks = _yaml_blocks((ROOT / "docs" / "events.md").read_text(encoding="utf-8"))
    types = set()
    for k, block in enumerate(blocks):
        path = tmp_path / f"example_{k}.yaml"
        path.write_text(
            f"extends: {ROOT / 'scenarios' / 'baseline_2017.yaml'}\nid: example_{k}\n" + block,
            encoding="utf-8",
        )
        s = load_scenario(path)  # a ScenarioError here names the example's line
        types |= {e.type for e in s.events}
        run(s, seed=1, months=2)
    assert set(EVENT_TYPES) - {"summit"} <= types  # 'summit' shares its page with recognition


def test_every_event_field_is_documented():
    guide = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    odd = odd[odd.index("### 7.5 Events") : odd.index("### 7.6")]
    missing = []
    for name, cls in EVENT_TYPES.items():
        assert f"## `{name}`" in guide or f"`{name}`" in guide, name
        assert f"`{name}`" in odd, name
        for field in cls.model_fields:
            if field in ("id", "date", "note", "evidence", "type", "preconditions"):
                continue
            for doc, where in ((guide, "docs/events.md"), (odd, "docs/ODD.md §7.5")):
                if f"`{field}`" not in doc:
                    missing.append(f"{name}.{field} in {where}")
    assert not missing, missing
