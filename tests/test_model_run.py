"""Running the model: public API, reproducibility, results on disk, golden run, CLI, Mesa."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from model_fixtures import BASELINE, ROOT, mini

from libyasim.model import ACLED_TYPES, BEHAVIOURS, EVENT_COLUMNS, LibyaModel, run
from libyasim.model.golden import GOLDEN_RUNS, compare, golden_name, golden_table
from libyasim.scenario import EVENT_TYPES, Parameters


def test_model_public_face(baseline):
    m = LibyaModel(baseline, rng=3)
    assert m.month == baseline.start and m.running
    m.step()
    assert m.month == "2017-09" and m.steps == 1
    lna = m.faction["lna"]
    assert lna.strength == m.strength[lna.index] and lna in m.factions
    assert m.sponsor["france"].allocation and m.sponsor["france"] in m.sponsors
    assert {c.id for c in m.regions} == set(m.region_ids)
    assert m.regions[0].controller in (*m.faction_ids, None)
    assert len(m.space.G.nodes) == len(m.region_ids)
    assert all(set(e) == set(EVENT_COLUMNS) for e in m.event_log)
    assert all(e["event_type"] in ACLED_TYPES for e in m.event_log)
    assert m.ceasefire_binds(0, 1) is False


def test_run_returns_the_contract(baseline):
    r = run(baseline, seed=5, months=6)
    assert len(r.series) == 7 and list(r.series.columns[:2]) == ["step", "month"]
    assert r.series["month"].iloc[0] == baseline.start
    for f in baseline.factions:
        for var in ("strength", "territory", "population", "legitimacy", "popularity"):
            assert f"{var}.{f.id}" in r.series
    assert {"threat_index", "fatalities", "battle_deaths", "settlement.haftar_role"} <= set(
        r.series.columns
    )
    assert list(r.events.columns) == EVENT_COLUMNS
    assert r.end_state in ("takeover", "renewed_war", "unified_election", "partition", "status_quo")
    s = r.summary
    assert (
        s["seed"] == 5 and s["scenario_hash"] == baseline.hash and s["scenario_id"] == baseline.id
    )
    assert {"libyasim", "mesa", "numpy"} <= set(s["versions"])
    json.dumps(s)


def test_same_seed_same_series_different_seed_different(baseline):
    a, b, c = (run(baseline, seed=s, months=12) for s in (11, 11, 12))
    pd.testing.assert_frame_equal(a.series, b.series, check_exact=True)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)
    assert not a.series.equals(c.series)


def test_run_uses_the_scenario_seed_by_default():
    s = mini()
    assert run(s, months=3).seed == s.seed


def test_write_result(tmp_path, baseline):
    r = run(baseline, seed=2, months=4)
    out = r.write(tmp_path / "o")
    for name in (
        "series.parquet",
        "events.parquet",
        "summary.json",
        "overview.png",
        "scenario.json",
    ):
        assert (out / name).stat().st_size > 0
    back = pd.read_parquet(out / "series.parquet")
    pd.testing.assert_frame_equal(back, r.series)
    assert json.loads((out / "summary.json").read_text())["end_state"] == r.end_state
    assert (out / "overview.png").read_bytes()[:4] == b"\x89PNG"


def test_every_event_type_has_a_behaviour():
    assert set(BEHAVIOURS) == set(EVENT_TYPES)


def test_every_parameter_is_documented_in_odd():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    missing = [name for name in Parameters.model_fields if f"`{name}`" not in odd]
    assert not missing, f"parameters missing from docs/ODD.md: {missing}"


@pytest.mark.parametrize(("scenario", "seed", "months"), GOLDEN_RUNS)
def test_golden_run(scenario, seed, months):
    path = ROOT / "tests" / "golden" / golden_name(scenario, seed, months)
    fresh = golden_table(ROOT / scenario, seed, months)
    problems = compare(fresh, pd.read_csv(path))
    assert not problems, (
        "golden drift (regenerate only on purpose: python -m libyasim.model.golden):\n"
        + "\n".join(problems)
    )


def test_events_fire_and_report():
    events = [
        {
            "type": "attack",
            "date": "2017-09",
            "faction": "black",
            "region": "north",
            "fatalities": 5,
        },
        {"type": "summit", "date": "2017-09", "sponsor": "far", "actors": ["red", "blue"]},
        {
            "type": "support_change",
            "date": "2017-10",
            "sponsor": "far",
            "budget_scale": {"military": 2.0},
        },
        {"type": "arms_embargo", "date": "2017-09", "end": "2017-12"},
        {
            "type": "election",
            "date": "2018-01",
            "asap": True,
            "preconditions": {"max_monthly_fatalities": 1000, "months": 1},
        },
    ]
    r = run(mini(events=events), seed=3, months=8)
    kinds = set(r.events["kind"])
    assert {"raid", "summit", "support_change", "arms_embargo", "election_held"} <= kinds
    reports = {i["type"]: i for i in r.summary["interventions"]}
    assert reports["attack"]["fatalities"] == 5 and reports["election"]["winner"] in ("red", "blue")
    assert reports["arms_embargo"]["lifted"] == "2018-01"
    assert r.series["budget.far"].iloc[-1] > r.series["budget.far"].iloc[1]


def test_ceasefire_binds_its_parties_and_counts_months():
    r = run(mini(), seed=4, months=8)
    cf = next(i for i in r.summary["interventions"] if i["type"] == "ceasefire")
    assert cf["fired"] and (cf["months_held"] > 0 or cf["broken_by"])
    battles = r.events[(r.events["kind"] == "battle") & (r.events["step"] >= 3)]
    pair = battles[["actor1", "actor2"]].apply(frozenset, axis=1)
    if not cf["broken_by"]:
        assert not (pair == frozenset({"red", "blue"})).any()


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("libyasim")
    return [str(exe)] if exe.exists() else [shutil.which("libyasim") or "libyasim"]


def test_cli_run_writes_results(tmp_path):
    out = tmp_path / "res"
    proc = subprocess.run(
        [*_cli(), "run", str(BASELINE), "--months", "3", "--seed", "4", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "End state" in proc.stdout and (out / "summary.json").exists()


@pytest.mark.parametrize(
    ("args", "needle"), [(["nope.yaml"], "no such file"), (["BASE", "--months", "0"], "--months")]
)
def test_cli_run_bad_input_is_one_clear_message(tmp_path, args, needle):
    args = [str(BASELINE) if a == "BASE" else a for a in args]
    proc = subprocess.run([*_cli(), "run", *args], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode != 0 and needle in proc.stderr and "Traceback" not in proc.stderr


def test_runs_under_mesa_batch_run():
    import mesa

    rows = mesa.batch_run(
        LibyaModel,
        parameters={"spec": str(BASELINE), "months": 3},
        rng=[1, 2],
        max_steps=10,
        number_processes=1,
        display_progress=False,
    )
    agents = {r["id"] for r in rows}  # one row per agent (agent reporters)
    assert len(rows) == 2 * len(agents) and all(r["Step"] == 3 for r in rows)
    assert all(np.isfinite(r["threat_index"]) for r in rows)


def test_constructs_under_solaraviz(baseline):
    import solara
    from mesa.visualization import SolaraViz, make_plot_component

    model = LibyaModel(baseline, rng=1)
    page = SolaraViz(
        model,
        components=[make_plot_component("threat_index")],
        model_params={"spec": str(BASELINE)},
        name="libyasim",
    )
    box, _rc = solara.render(page, handle_error=False)
    assert box is not None
