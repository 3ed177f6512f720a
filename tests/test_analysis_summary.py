"""Analysis of ensembles: intervals with known answers, tables, comparisons, figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from libyasim.analysis import (
    compare_figures,
    compare_outcomes,
    failures,
    fan_chart,
    fan_quantiles,
    format_comparison,
    format_outcomes,
    key_figures,
    newcombe,
    outcome_bars,
    outcome_table,
    wilson,
)


# -- intervals: published worked examples -------------------------------------
def test_wilson_known_values():
    # Newcombe 1998 (Stat Med 17:857), table I: 81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605
    lo, hi = wilson([81, 15], [263, 148])
    np.testing.assert_allclose(lo, [0.2553, 0.0624], atol=5e-5)
    np.testing.assert_allclose(hi, [0.3662, 0.1605], atol=5e-5)
    lo, hi = wilson(0, 20)  # 0/20: upper bound 0.1611
    assert lo == 0.0 and hi == pytest.approx(0.1611, abs=5e-5)
    lo, hi = wilson(20, 20)
    assert hi == 1.0 and lo == pytest.approx(1 - 0.1611, abs=5e-5)
    lo, hi = wilson(0, 0)
    assert np.isnan(lo) and np.isnan(hi)


def test_newcombe_known_values():
    # Newcombe 1998 (Stat Med 17:873), method 10: 56/70 vs 48/80 -> 0.0524 to 0.3339
    lo, hi = newcombe(48, 80, 56, 70)
    assert (lo, hi) == (pytest.approx(0.0524, abs=5e-5), pytest.approx(0.3339, abs=5e-5))


@given(
    st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_wilson_contains_the_estimate_and_stays_in_0_1(kn, conf):
    k, n = kn
    lo, hi = wilson(k, n, conf)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    lo2, hi2 = wilson(k, n, min(conf + 0.009, 0.999))
    assert lo2 <= lo + 1e-12 and hi2 >= hi - 1e-12  # wider with more confidence


def test_bad_confidence():
    with pytest.raises(ValueError, match="'confidence' parameter must be in"):
        wilson(1, 2, 1.5)


# -- tables ----------------------------------------------------------------------
@pytest.fixture
def runs() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for sc, p_war in (("base", 0.6), ("deal", 0.3)):
        for rep in range(200):
            war = rng.uniform() < p_war
            rows.append(
                {
                    "run_id": f"{sc}.p00000.r{rep:05d}",
                    "scenario": sc,
                    "point": 0,
                    "replicate": rep,
                    "status": "ok",
                    "error": None,
                    "end_state": "renewed_war" if war else "partition",
                    "flags_raised": ["jihadist_resurgence"] if rep % 10 == 0 else [],
                    "fig__total_fatalities": 1000.0 + rep + (500.0 if sc == "base" else 0.0),
                }
            )
    rows.append(
        {
            "run_id": "deal.p00000.r00200",
            "scenario": "deal",
            "point": 0,
            "replicate": 200,
            "status": "failed",
            "error": "ValueError: boom\nmore",
            "end_state": None,
            "flags_raised": None,
            "fig__total_fatalities": np.nan,
        }
    )
    return pd.DataFrame(rows)


def test_outcome_table(runs):
    t = outcome_table(runs)
    base = t[(t.scenario == "base") & (t.kind == "end_state")].set_index("outcome")
    assert base["n"].eq(200).all() and base["count"].sum() == 200
    assert base.loc["renewed_war", "p"] == base.loc["renewed_war", "count"] / 200
    assert base.loc["takeover", "count"] == 0 and base.loc["takeover", "lo"] == 0.0
    flags = t[t.kind == "flag"]
    assert set(flags.outcome) == {"jihadist_resurgence"} and flags["count"].eq(20).all()
    lo, _hi = wilson(base.loc["partition", "count"], 200)
    assert base.loc["partition", "lo"] == pytest.approx(lo)
    text = format_outcomes(t[t.kind == "end_state"])
    assert "renewed_war" in text and "95% Wilson" in text and "takeover" not in text


def test_key_figures_and_failures(runs):
    k = key_figures(runs).set_index("scenario")
    assert k.loc["base", "figure"] == "total_fatalities"
    assert k.loc["base", "p50"] == pytest.approx(np.percentile(1500 + np.arange(200), 50))
    assert k.loc["deal", "n"] == 200
    f = failures(runs)
    assert f.to_dict("records") == [{"scenario": "deal", "error": "ValueError: boom", "runs": 1}]


def test_comparison_pairs_runs_by_point_and_replicate(runs):
    c = compare_outcomes(runs, baseline="base")
    war = c[(c.outcome == "renewed_war")].iloc[0]
    assert war.scenario == "deal" and war.paired == 200
    assert war["diff"] == pytest.approx(war.p - war.p_baseline)
    assert war.hi < 0  # fewer wars with the deal, clearly
    f = compare_figures(runs, baseline="base")
    assert f.iloc[0]["p50"] == pytest.approx(-500.0) and f.iloc[0]["n"] == 200
    assert "deal vs base" in format_comparison(c)
    with pytest.raises(ValueError, match="'baseline' parameter must be one of base, deal"):
        compare_outcomes(runs, baseline="nope")


# -- figures -------------------------------------------------------------------
@pytest.fixture
def series() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for sc in ("base", "deal"):
        for r in range(30):
            for actor in ("lna", "gna"):
                for step in range(7):
                    rows.append(
                        (
                            f"{sc}.{r}",
                            sc,
                            step,
                            f"2017-{step + 8:02d}",
                            "strength",
                            actor,
                            1000 + 100 * step + rng.normal(0, 50),
                        )
                    )
    return pd.DataFrame(
        rows, columns=["run_id", "scenario", "step", "month", "variable", "actor", "value"]
    )


def test_fan_quantiles_are_ordered(series):
    q = fan_quantiles(series, "strength")
    assert len(q) == 2 * 2 * 7 and q["n"].eq(30).all()
    assert ((q.q5 <= q.q25) & (q.q25 <= q.q50) & (q.q50 <= q.q75) & (q.q75 <= q.q95)).all()
    assert fan_quantiles(series, "territory").empty


def test_figures_render(series, runs, tmp_path):
    fig = fan_chart(series, "strength")
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["lna", "gna"]
    fig.savefig(tmp_path / "fan.png")
    bars = outcome_bars(outcome_table(runs))
    bars.savefig(tmp_path / "bars.png")
    assert (tmp_path / "fan.png").stat().st_size > 1000 and (
        tmp_path / "bars.png"
    ).stat().st_size > 1000


def test_many_scenarios_get_one_row_each_per_outcome(runs):
    many = pd.concat(
        [runs.assign(scenario=runs["scenario"] + f"_{k}") for k in range(4)], ignore_index=True
    )
    table = outcome_table(many)
    fig = outcome_bars(table)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    # one panel per end state that occurred, one row per scenario
    assert [ax.get_title() for ax in panels] == ["partition", "renewed war"]
    labels = [t.get_text() for t in panels[0].get_yticklabels()]
    assert len(labels) == 8 and labels[0].startswith("base_0 (n=")
    # each row's dot is the scenario's probability
    war = table[(table["outcome"] == "renewed_war") & (table["kind"] == "end_state")]
    dots = panels[1].lines[0].get_xdata()
    assert sorted(np.round(dots, 6)) == sorted(np.round(war["p"].to_numpy(), 6))


@pytest.mark.parametrize("n", [3, 12, 25])
def test_every_scenario_gets_its_own_colour(n):
    from libyasim.analysis.plots import _colors

    assert len({tuple(c) for c in _colors(n)}) == n
