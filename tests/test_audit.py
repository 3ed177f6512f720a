"""The audit (issue 11 part 1): range ends on common seeds, paired effects with
intervals and a noise floor, a Morris screen; the headline-outcome registry."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from paths import SCENARIOS
from scenario_factory import minimal_scenario, with_document

from libyasim import load_scenario
from libyasim.analysis.audit import (
    AuditNumber,
    audit_numbers,
    paired_effects,
    read_audit,
    run_audit,
)
from libyasim.model import run
from libyasim.model.headline import HEADLINES, RunView, headline_values
from libyasim.scenario import from_dict

ENTRY = str(Path(sys.executable).with_name("libyasim"))


def number(path: str) -> AuditNumber:
    return AuditNumber(path, 0.5, 0.0, 1.0, None, "test")


def test_paired_effects_known_answers():
    rng = np.random.default_rng(1)
    seeds = 8
    centre = rng.normal(10.0, 2.0, seeds)  # between-seed sd about 2
    y = np.empty((7, seeds, 1))
    y[0, :, 0] = centre
    y[1, :, 0], y[2, :, 0] = centre - 1.5, centre + 1.5  # a: +3 on every seed
    y[3, :, 0], y[4, :, 0] = centre, centre  # b: inert (identical runs)
    noise = np.array([1, -1, 1, -1, 1, -1, 1, -1], dtype=float)
    y[5, :, 0], y[6, :, 0] = centre, centre + 0.05 * noise  # c: tiny, mean 0
    effects, floors = paired_effects(y, [number("a"), number("b"), number("c")], ["o"])
    e = effects.set_index("number")
    assert e.loc["a", "effect"] == pytest.approx(3.0)
    assert e.loc["a", "ci_lo"] == pytest.approx(3.0) and e.loc["a", "ci_hi"] == pytest.approx(3.0)
    assert e.loc["a", "at_low"] == pytest.approx(-1.5) and e.loc["a", "at_high"] == pytest.approx(
        1.5
    )
    assert bool(e.loc["a", "beyond_noise"])
    assert e.loc["b", "effect"] == 0 and not e.loc["b", "beyond_noise"]
    assert e.loc["c", "ci_lo"] < 0 < e.loc["c", "ci_hi"] and not e.loc["c", "beyond_noise"]
    # the floor: the standard error of the centre's mean over the seeds
    assert floors["floor"].iloc[0] == pytest.approx(np.std(centre, ddof=1) / math.sqrt(seeds))


def test_an_effect_inside_its_interval_but_below_the_floor_is_not_beyond_noise():
    centre = np.array([0.0, 10.0, 0.0, 10.0, 0.0, 10.0])  # sd about 5.5, floor about 2.2
    y = np.stack([centre, centre, centre + 1.0])[:, :, None]  # +1 on every seed
    effects, floors = paired_effects(y, [number("a")], ["o"])
    assert effects["ci_lo"].iloc[0] == pytest.approx(1.0)  # the interval excludes 0 ...
    assert floors["floor"].iloc[0] > 1.0  # ... but the effect is below the floor
    assert not effects["beyond_noise"].iloc[0]


def test_audit_numbers_leave_out_thresholds_and_keep_counts_whole():
    sc = load_scenario(SCENARIOS / "early_elections.yaml")
    numbers = {n.path: n for n in audit_numbers(sc)}
    assert numbers and not any(p.startswith("outcomes.") for p in numbers)
    months = numbers["events.early_election.preconditions.months"]
    assert months.whole and months.low == int(months.low) and months.high == int(months.high)
    left_out = set(sc.uncertain()) - set(numbers)
    assert all(p.startswith("outcomes.") or np.ptp(sc.uncertain()[p]) == 0 for p in left_out)
    only = audit_numbers(sc, vary=("parameters.raid_*",))
    assert {n.path for n in only} == {p for p in numbers if p.startswith("parameters.raid_")}


def test_headline_registry_on_real_runs():
    names = [h.name for h in HEADLINES]
    assert len(names) == len(set(names))
    base = run(SCENARIOS / "baseline_2017.yaml", seed=1, months=12).summary
    v = headline_values(base)
    assert v["total_deaths"] == base["total_fatalities"]
    assert v[f"end_state.{base['end_state']}"] == 1.0
    assert sum(v[k] for k in v if k.startswith("end_state.")) == 1.0
    assert math.isnan(v["ceasefire_months"])  # the baseline signs no ceasefire
    assert v["population_share.lna"] == base["factions"]["lna"]["population"]
    paris = headline_values(run(SCENARIOS / "ceasefire_only.yaml", seed=1, months=12).summary)
    assert 0 <= paris["ceasefire_months"] <= 12


def test_headlines_read_from_the_event_log():
    """raid_deaths, region_deaths and held_months come from the run's event log (nan
    from a bare summary); held_months agrees with the model's control month by month."""
    from libyasim.model.model import LibyaModel
    from libyasim.model.runner import result_of

    sc = load_scenario(SCENARIOS / "calibration" / "libya_2014.yaml")
    m = LibyaModel(sc, rng=1, months=30)  # regions change hands, also by a defection
    start, held = m.control.copy(), np.zeros(m.R)
    while m.running:
        m.step()
        held += m.control == start
    result = result_of(m)
    v, ev = headline_values(result), result.events
    assert ((ev["kind"] == "control_change") & (ev["note"] == "defection")).any()
    assert [v[f"held_months.{r}"] for r in m.region_ids] == held.tolist()
    assert 0 < min(held) < 30  # some region changed hands
    assert v["raid_deaths"] == ev.loc[ev["kind"] == "raid", "fatalities"].sum() > 0
    regions = sum(v[f"region_deaths.{r}"] for r in m.region_ids)
    assert regions == pytest.approx(ev["fatalities"].sum())
    assert regions == pytest.approx(result.summary["total_fatalities"], abs=0.1)
    frame = headline_values(RunView(result.summary, result.events))  # the DataFrame log
    assert {k: x for k, x in frame.items() if x == x} == {k: x for k, x in v.items() if x == x}
    bare = headline_values(result.summary)
    assert math.isnan(bare["raid_deaths"]) and math.isnan(bare["held_months.sirte"])
    assert bare["battle_deaths"] == v["battle_deaths"]


def test_vote_shares_are_the_elections():
    s = run(SCENARIOS / "early_elections.yaml", seed=1, months=12).summary
    v = headline_values(s)
    shares = s["election"]["shares"]
    assert {f: v[f"vote_share.{f}"] for f in shares} == shares
    assert math.isnan(v["vote_share.daesh"])  # a jihadist group never stands
    none = headline_values(run(SCENARIOS / "baseline_2017.yaml", seed=1, months=3).summary)
    votes = [k for k in none if k.startswith("vote_share.")]
    assert votes and all(math.isnan(none[k]) for k in votes)  # no election, no vote


def mini_with_a_late_event():
    data = with_document(minimal_scenario())
    data["months"] = 12
    data["events"].append(
        {
            "type": "attack",
            "date": "2018-06",  # after the audit's 8 months: its numbers cannot matter
            "faction": "black",
            "region": "south",
            "fatalities": {
                "value": 5,
                "range": [1, 20],
                "assumption": "test",
                "inert": "the attack falls after the audit's 8 months, so its size cannot matter",
            },
        }
    )
    # a mark the audit must contradict: engagement moves battle deaths
    data["parameters"] = {
        "engagement_rate": {
            "value": 0.2,
            "range": [0.05, 0.8],
            "assumption": "test",
            "inert": "wrongly marked, to check that the audit says so when a marked number acts",
        }
    }
    return from_dict(data, name="mini")


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "a"
    vary = ("factions.*", "events.*", "parameters.engagement_rate", "parameters.aimed_fire_rate")
    return run_audit(
        mini_with_a_late_event(), out, seeds=6, trajectories=2, vary=vary, months=8,
        executor="serial", progress=False,
    )  # fmt: skip


def test_audit_finds_the_inert_and_the_moving_numbers(audit):
    late = [n for n in audit.numbers["number"] if n.startswith("events.") and "fatalities" in n]
    assert late and set(late) <= set(audit.inert)
    e = audit.effects
    assert (e.loc[e["number"].isin(late), "effect"] == 0).all()
    moving = e[(e["number"] == "parameters.engagement_rate") & (e["outcome"] == "battle_deaths")]
    assert len(moving) == 1 and bool(moving["beyond_noise"].iloc[0])
    assert moving["effect"].iloc[0] > 0  # more engagement, more battle deaths
    assert "parameters.engagement_rate" not in audit.inert
    # the cited number (red's strength, with a source) is reported with its evidence
    cited = audit.numbers[audit.numbers["cited"]]
    assert list(cited["number"]) == ["factions.red.strength"]
    assert set(audit.decorative) <= set(cited["number"])


def test_marked_numbers_are_listed_with_their_reasons_and_checked(audit):
    late = "events.1.fatalities"
    assert late in set(audit.numbers["number"]), sorted(audit.numbers["number"])
    assert audit.marked == [late]  # inert, as its mark says
    assert audit.marked_but_acting == ["parameters.engagement_rate"]
    assert late not in audit.decorative
    text = audit.text()
    assert "marked as not acting" in text
    assert "inert, as marked. The attack falls after" in text
    assert "`parameters.engagement_rate`: **acts** (moves " in text
    # a mark is a sentence, not a flag
    data = minimal_scenario()
    data["parameters"] = {"engagement_rate": {"value": 0.2, "assumption": "x", "inert": "yes"}}
    with pytest.raises(Exception, match="says why the number cannot act"):
        from_dict(data)


def test_audit_writes_its_files_and_reads_back(audit):
    for name in ("effects.parquet", "numbers.parquet", "morris.parquet", "audit.md", "tornado.png"):
        assert (audit.out / name).is_file(), name
    assert not audit.morris.empty
    assert set(audit.morris["number"]) == set(audit.numbers["number"])
    text = (audit.out / "audit.md").read_text()
    assert "Inert numbers" in text and "decorative" in text
    again = read_audit(audit.out)
    pd.testing.assert_frame_equal(again.effects, audit.effects)
    assert again.inert == audit.inert
    assert audit.settings["cpu_s"] > 0


def test_audit_resumes_without_running_again(audit):
    before = pd.read_parquet(audit.out / "effects.parquet")
    again = run_audit(
        mini_with_a_late_event(), audit.out, seeds=6, trajectories=2, months=8,
        vary=tuple(audit.settings["vary"]), executor="serial", progress=False,
    )  # fmt: skip
    pd.testing.assert_frame_equal(again.effects, before)


def test_cli_audit_and_its_errors(tmp_path):
    args = [ENTRY, "audit", str(SCENARIOS / "baseline_2017.yaml"), "--out", str(tmp_path / "a")]
    small = ["--seeds", "2", "--months", "3", "--trajectories", "0", "--workers", "1", "-q"]
    proc = subprocess.run(
        [*args, *small, "--vary", "parameters.engagement_rate"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "# Audit of `baseline_2017`" in proc.stdout
    bad = subprocess.run([*args, "--seeds", "1"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "must be >= 2" in bad.stderr
    none = subprocess.run(
        [*args, *small, "--vary", "nothing.*"], capture_output=True, text=True, timeout=120
    )
    assert none.returncode == 2 and "nothing to audit" in none.stderr
    assert "Traceback" not in bad.stderr + none.stderr
