"""Threshold robustness: end-state shares re-decided from stored criteria with
each outcomes threshold moved -10% and +10% (issue 11 part 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from paths import SCENARIOS

from libyasim import load_scenario
from libyasim.analysis import outcome_table, threshold_plot, threshold_robustness, write_report
from libyasim.analysis.thresholds import format_threshold_robustness
from libyasim.batch import Design, load_runs, run_batch
from libyasim.model.outcomes import CRITERIA, THRESHOLDS

ENTRY = str(Path(sys.executable).with_name("libyasim"))
T = {
    "takeover_population_share": 0.5,
    "takeover_strength_share": 0.67,
    "war_fatalities": 100.0,
    "partition_min_share": 0.2,
    "frozen_front_deaths": 25.0,
    "resurgence_ratio": 1.5,
}
#: a quiet run: a divided country on a frozen front, the second bloc too small for
#: a partition (docs/ODD.md §7.6)
QUIET = {
    "window_months": 12,
    "mean_battle_deaths": 10.0,
    "top_population_share": 0.5,
    "top_strength_share": 0.5,
    "capital_held": True,
    "capital_taken": False,
    "capital_holder_population_share": 0.5,
    "top_bloc_share": 0.5,
    "second_bloc_share": 0.1,
    "blocs_hostile": True,
    "deaths_between_blocs_per_year": 0.0,
    "election_held": False,
    "election_accepted": False,
    "election_winner_strength_share": 0.0,
    "jihadist_strength_start": 1000.0,
    "jihadist_strength_end": 1000.0,
    "jihadist_strength_ratio": 1.0,
}


def runs_table(criteria: list[dict], scenario: str = "s", parameters: list[dict] | None = None):
    rows = []
    for i, c in enumerate(criteria):
        row = {"scenario": scenario, "status": "ok", "run_id": f"r{i}"}
        row.update({f"fig__classification__{k}": v for k, v in {**QUIET, **c}.items()})
        row["parameters"] = json.dumps((parameters or [{}] * len(criteria))[i])
        rows.append(row)
    return pd.DataFrame(rows)


def change(table, threshold, move, outcome):
    r = table[
        (table["threshold"] == threshold) & (table["move"] == move) & (table["outcome"] == outcome)
    ]
    assert len(r) == 1
    return float(r["change"].iloc[0])


def test_known_answer_for_war_fatalities():
    # battle deaths 85, 95, 105, 120: war at 100 is 2 of 4; at 90 3 of 4; at 110 1 of 4
    runs = runs_table([{"mean_battle_deaths": d} for d in (85.0, 95.0, 105.0, 120.0)])
    t = threshold_robustness(runs, {"s": T})
    assert change(t, "war_fatalities", "-10%", "renewed_war") == pytest.approx(0.25)
    assert change(t, "war_fatalities", "+10%", "renewed_war") == pytest.approx(-0.25)
    assert change(t, "war_fatalities", "+10%", "status_quo") == pytest.approx(0.25)
    nominal = t[(t["threshold"] == "war_fatalities") & (t["outcome"] == "renewed_war")]["p"]
    assert set(nominal) == {0.5}
    # other thresholds leave these runs where they are
    assert t[t["threshold"] != "war_fatalities"]["change"].abs().max() == 0
    assert set(t["threshold"]) == set(THRESHOLDS)


def test_partition_and_resurgence_thresholds_move_their_outcomes():
    runs = runs_table(
        [
            {"second_bloc_share": 0.19},  # partition only at -10% (0.18)
            {"second_bloc_share": 0.21},  # partition, lost at +10% (0.22)
            {"jihadist_strength_end": 1400.0},  # resurgence only at -10% (1.35)
        ]
    )
    t = threshold_robustness(runs, {"s": T})
    assert change(t, "partition_min_share", "-10%", "partition") == pytest.approx(1 / 3)
    assert change(t, "partition_min_share", "+10%", "partition") == pytest.approx(-1 / 3)
    assert change(t, "resurgence_ratio", "-10%", "jihadist_resurgence") == pytest.approx(1 / 3)
    assert change(t, "resurgence_ratio", "+10%", "jihadist_resurgence") == 0


def test_each_run_keeps_the_thresholds_its_design_gave_it():
    # the second run was classified with war_fatalities 150 (a sampled outcomes.* value)
    runs = runs_table(
        [{"mean_battle_deaths": 140.0}, {"mean_battle_deaths": 140.0}],
        parameters=[{}, {"outcomes.war_fatalities": 150.0}],
    )
    t = threshold_robustness(runs, {"s": T})
    p = t[(t["threshold"] == "war_fatalities") & (t["outcome"] == "renewed_war")]
    assert set(p["p"]) == {0.5}
    # -10%: 135 for the second run, so both are war
    assert change(t, "war_fatalities", "-10%", "renewed_war") == pytest.approx(0.5)


def test_runs_without_stored_criteria_give_an_empty_table_and_say_so():
    runs = pd.DataFrame({"scenario": ["s"], "status": ["ok"], "end_state": ["partition"]})
    t = threshold_robustness(runs, {"s": T})
    assert t.empty
    assert "no stored criteria" in format_threshold_robustness(t)
    with pytest.raises(ValueError, match="step"):
        threshold_robustness(runs, {"s": T}, step=1.5)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("thr") / "b"
    scenarios = [load_scenario(SCENARIOS / n) for n in ("baseline_2017.yaml", "paris_2017.yaml")]
    run_batch(scenarios, out, Design(replicates=8, root_seed=2, months=18), progress=False)
    return out


def test_on_a_real_batch_the_nominal_shares_are_the_runs_end_states(batch):
    t = threshold_robustness(batch)
    assert {f"fig__classification__{k}" for k in CRITERIA} <= set(load_runs(batch).columns)
    shares = outcome_table(load_runs(batch)).set_index(["scenario", "outcome"])["p"]
    for r in t[t["threshold"] == "war_fatalities"].itertuples():
        # outcome_table lists only the flags some run raised; a flag that only a moved
        # threshold raises (resurgence_ratio -10%) has a nominal share of 0
        assert r.p == pytest.approx(shares.get((r.scenario, r.outcome), 0.0))
    # moves are monotone: a lower war threshold never makes fewer wars
    war = t[(t["threshold"] == "war_fatalities") & (t["outcome"] == "renewed_war")]
    assert (war[war["move"] == "-10%"]["change"] >= 0).all()
    assert (war[war["move"] == "+10%"]["change"] <= 0).all()
    fig = threshold_plot(t)
    assert len(fig.axes) == 2 * len(THRESHOLDS)


def test_report_writes_the_table_and_figure_and_prints_it(batch, tmp_path):
    rep = write_report(batch, tmp_path / "rep")
    assert (tmp_path / "rep" / "thresholds.csv").is_file()
    assert (tmp_path / "rep" / "thresholds.png").is_file()
    assert not rep.thresholds.empty
    proc = subprocess.run(
        [ENTRY, "report", str(batch), "--out", str(tmp_path / "cli"), "--no-figures"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "threshold robustness" in proc.stdout
    # a scenario with a share that moves lists every threshold; one without says so
    moved = rep.thresholds.groupby("scenario")["change"].apply(lambda c: bool(c.abs().max() > 0))
    if moved.any():
        assert "war_fatalities" in proc.stdout
    if not moved.all():
        assert "no share moves for any threshold" in proc.stdout
