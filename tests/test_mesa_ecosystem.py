"""LibyaModel under Mesa's own tools: batch_run sweeps, agent reporters, SolaraViz's
Reset, and the seeds Mesa users pass (ints, Generators)."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from model_fixtures import BASELINE

from libyasim.model import LibyaModel

RATE = "parameters.engagement_rate"


def _run(model: LibyaModel, months: int) -> LibyaModel:
    for _ in range(months):
        model.step()
    return model


def test_generator_rng_records_a_seed_that_reproduces_the_run(baseline):
    a = _run(LibyaModel(baseline, rng=np.random.default_rng(7), months=4), 4)
    b = _run(LibyaModel(baseline, rng=a.seed, months=4), 4)
    assert isinstance(a.seed, int)
    pd.testing.assert_frame_equal(a.recorder.frame(), b.recorder.frame())
    # the same generator state gives the same seed, another state another one
    assert LibyaModel(baseline, rng=np.random.default_rng(7)).seed == a.seed
    assert LibyaModel(baseline, rng=np.random.default_rng(8)).seed != a.seed


@pytest.mark.parametrize("bad", [1.5, -1, True, "7", 2**63])
def test_rng_of_another_kind_is_refused_with_its_value(baseline, bad):
    with pytest.raises(TypeError, match=r"The 'rng' parameter of LibyaModel must be .* Got"):
        LibyaModel(baseline, rng=bad)


def test_keyword_overrides_change_the_scenario(baseline):
    m = LibyaModel(baseline, rng=1, **{RATE: 0.3, "factions.lna.strength": 20000})
    assert m.spec.parameters.engagement_rate.value == 0.3
    assert m.p.engagement_rate == 0.3 and m.strength[m.fidx["lna"]] == pytest.approx(20000)
    assert m.overrides == {RATE: 0.3, "factions.lna.strength": 20000}
    from_path = LibyaModel(str(BASELINE), rng=1, **{RATE: 0.3})
    assert from_path.spec.parameters.engagement_rate.value == 0.3
    from libyasim import ScenarioError

    with pytest.raises(ScenarioError, match=r"parameters\.no_such"):
        LibyaModel(baseline, rng=1, **{"parameters.no_such": 1.0})


@pytest.mark.parametrize("spec", ["path", "loaded"])
def test_batch_run_sweeps_an_override(baseline, spec):
    value = str(BASELINE) if spec == "path" else baseline  # a bare Scenario is one value
    rows = mesa.batch_run(
        LibyaModel,
        {"spec": value, "months": 3, RATE: [0.1, 0.8]},
        rng=[1],
        data_collection_period=-1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    agents = len(baseline.factions) + len(baseline.sponsors)
    assert len(df) == 2 * agents and set(df[RATE]) == {0.1, 0.8}
    assert set(df["Step"]) == {3.0}
    # the sweep reached the model: fewer battles at the lower engagement rate
    deaths = df.groupby(RATE)["battle_deaths"].first()
    low = _run(LibyaModel(baseline, rng=1, months=3, **{RATE: 0.1}), 3)
    assert deaths[0.1] == pytest.approx(low.recorder.frame()["battle_deaths"].iloc[-1])
    assert deaths[0.1] != deaths[0.8]


def test_agent_reporters_read_the_model_arrays(baseline):
    m = _run(LibyaModel(baseline, rng=2, months=3), 3)
    df = m.datacollector.get_agent_vars_dataframe()
    assert df.index.names == ["Step", "AgentID"]
    assert len(df) == 4 * (m.F + m.S)
    last = df.xs(3.0, level="Step").set_index("id")
    for f in m.factions:
        assert last.loc[f.id, "strength"] == pytest.approx(f.strength)
        assert last.loc[f.id, "legitimacy"] == pytest.approx(f.legitimacy)
        assert last.loc[f.id, "territory"] == pytest.approx(f.territory)
        assert np.isnan(last.loc[f.id, "budget"])
    for s in m.sponsors:
        assert last.loc[s.id, "budget"] == pytest.approx(m.budget[s.index].sum())
        assert last.loc[s.id, "support"] == pytest.approx(m.flows[s.index].sum())
        assert np.isnan(last.loc[s.id, "strength"])
    first = df.xs(0.0, level="Step").set_index("id")
    assert first.loc["lna", "strength"] == pytest.approx(m.strength0[m.fidx["lna"]])


def test_solaraviz_reset_rebuilds_the_model_with_mesa_own_arguments(baseline):
    """What SolaraViz's Reset does: Mesa builds the keyword arguments (with a Mesa
    Scenario as ``scenario=``) and calls the model class with them."""
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    model = _run(LibyaModel(str(BASELINE), rng=5, months=6), 2)
    params = {"spec": str(BASELINE), RATE: 0.2}
    kwargs = _build_model_init_kwargs(
        model, params, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    assert isinstance(kwargs["scenario"], mesa.experimental.scenarios.Scenario)
    fresh = LibyaModel(**kwargs)
    assert fresh.steps == 0 and fresh.month == baseline.start
    assert fresh.spec.parameters.engagement_rate.value == 0.2
    assert fresh.scenario is kwargs["scenario"] and fresh.scenario.rng == fresh.seed
    fresh.step()
    assert fresh.month == "2017-09"


def test_mesa_scenario_carries_seed_and_overrides(baseline):
    from mesa.experimental.scenarios import Scenario as MesaScenario

    m = LibyaModel(baseline, scenario=MesaScenario(rng=11, **{RATE: 0.25}))
    assert m.seed == 11 and m.spec.parameters.engagement_rate.value == 0.25
    with pytest.raises(ValueError, match="two seeds"):
        LibyaModel(baseline, rng=3, scenario=MesaScenario(rng=4))


def test_old_keyword_scenario_still_loads_with_a_future_warning(baseline):
    with pytest.warns(FutureWarning, match=r"LibyaModel\(spec=\.\.\.\)"):
        m = LibyaModel(scenario=baseline, rng=1)
    assert m.spec is baseline
    with pytest.raises(TypeError, match="needs a scenario"):
        LibyaModel(rng=1)
