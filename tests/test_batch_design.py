"""The design of a batch: points, seeds, run ids, parsing of CLI specs."""

from __future__ import annotations

import numpy as np
import pytest
from scenario_factory import minimal_scenario

from libyasim.batch import Design, DesignError, Sweep, plan_batch, run_id, run_seed
from libyasim.batch.design import iter_runs, parse_set, parse_sweep
from libyasim.scenario import from_dict


@pytest.fixture
def scenario():
    return from_dict(minimal_scenario())


def test_seed_is_seedsequence_of_point_and_replicate():
    ss = np.random.SeedSequence(42, spawn_key=(3, 7))
    hi, lo = (int(x) for x in ss.generate_state(2, np.uint32))
    assert run_seed(42, 3, 7) == ((hi << 32) | lo) & (2**63 - 1)
    seeds = {run_seed(42, p, r) for p in range(20) for r in range(50)}
    assert len(seeds) == 1000  # distinct
    assert all(0 <= s < 2**63 for s in seeds)
    assert run_seed(43, 3, 7) != run_seed(42, 3, 7)


def test_common_random_numbers_across_scenarios():
    runs = list(iter_runs(["a", "b"], n_points=2, replicates=3, root_seed=5))
    assert len(runs) == 12
    by = {(r.scenario_id, r.point, r.replicate): r.seed for r in runs}
    for p in range(2):
        for r in range(3):
            assert by[("a", p, r)] == by[("b", p, r)]
    assert [r.index for r in runs] == list(range(12))
    assert runs[4].run_id == run_id("a", 1, 1) == "a.p00001.r00001"


def test_sweeps_make_a_grid_and_sets_apply_everywhere(scenario):
    d = Design(
        replicates=2,
        sets={"parameters.raid_rate": 0.2},
        sweeps=(Sweep("parameters.engagement_rate", 0.1, 0.5, 3), Sweep("months", 6, 12, 2)),
    )
    pts = d.points([scenario])
    assert len(pts) == 6
    assert pts[0] == {"parameters.engagement_rate": 0.1, "months": 6}
    assert isinstance(pts[0]["months"], int)
    assert {p["parameters.engagement_rate"] for p in pts} == {0.1, 0.3, 0.5}
    plan = plan_batch([scenario], d)
    assert plan.total == 12
    assert plan.param_paths == ["parameters.raid_rate", "parameters.engagement_rate", "months"]


@pytest.mark.parametrize(
    ("method", "n", "rows"),
    [
        ("lhs", 8, lambda d: 8),
        ("sobol", 4, lambda d: 4 * (d + 2)),
        ("morris", 3, lambda d: 3 * (d + 1)),
    ],
)
def test_samples_stay_in_ranges_and_are_reproducible(scenario, method, n, rows):
    d = Design(root_seed=9, sample=method, sample_n=n, vary=("parameters.*",))
    ranges = d.sampled_ranges([scenario])
    assert ranges and all(k.startswith("parameters.") for k in ranges)
    pts = d.points([scenario])
    assert len(pts) == rows(len(ranges))
    for p in pts:
        for k, v in p.items():
            lo, hi = ranges[k]
            assert lo - 1e-9 <= v <= hi + 1e-9
    assert pts == d.points([scenario])
    assert pts != Design(root_seed=10, sample=method, sample_n=n, vary=("parameters.*",)).points(
        [scenario]
    )


def test_sampled_parameters_exclude_set_and_swept_ones(scenario):
    d = Design(
        sample="lhs",
        sample_n=4,
        vary=("parameters.*",),
        sets={"parameters.raid_rate": 0.1},
        sweeps=(Sweep("parameters.engagement_rate", 0.1, 0.2, 2),),
    )
    ranges = d.sampled_ranges([scenario])
    assert "parameters.raid_rate" not in ranges and "parameters.engagement_rate" not in ranges
    assert len(d.points([scenario])) == 8


def test_design_round_trips_through_the_manifest():
    d = Design(
        replicates=3,
        root_seed=4,
        sets={"a.b": 1},
        sweeps=(Sweep("x.y", 0, 1, 3),),
        sample="lhs",
        sample_n=4,
        vary=("p.*",),
        months=6,
    )
    assert Design.from_dict(d.to_dict()) == d


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"replicates": 0}, "'replicates' parameter must be >= 1"),
        ({"root_seed": -1}, "'seed' parameter"),
        ({"sample": "halton", "sample_n": 4}, "must be one of lhs, sobol, morris"),
        ({"sample": "sobol", "sample_n": 6}, "power of two"),
        ({"sample": "lhs", "sample_n": 0}, "sample size must be >= 1"),
        ({"sweeps": (Sweep("a", 0, 1, 0),)}, "number of values must be >= 1"),
        ({"sets": {"a": 1}, "sweeps": (Sweep("a", 0, 1, 2),)}, "more than once"),
        ({"months": 0}, "'months' parameter must be >= 1"),
    ],
)
def test_bad_designs_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(DesignError, match=message):
        Design(**kwargs)


def test_plan_refuses_unknown_paths_and_bad_values_before_running(scenario):
    with pytest.raises(DesignError, match="raid_rat"):
        plan_batch([scenario], Design(sets={"parameters.raid_rat": 0.2}))
    with pytest.raises(DesignError, match="engagement_rate"):
        plan_batch([scenario], Design(sweeps=(Sweep("parameters.engagement_rate", 0.5, 3.0, 2),)))


def test_plan_refuses_duplicate_scenario_ids(scenario):
    with pytest.raises(DesignError, match="more than once: mini"):
        plan_batch([scenario, scenario], Design())


def test_sample_without_matching_parameters(scenario):
    with pytest.raises(DesignError, match="no uncertain parameter"):
        plan_batch([scenario], Design(sample="lhs", sample_n=4, vary=("nothing.*",)))


def test_parse_set_and_sweep():
    assert parse_set("parameters.raid_rate=0.2") == ("parameters.raid_rate", 0.2)
    assert parse_set("a.b=true") == ("a.b", True)
    assert parse_set("a.b=[1, 2]") == ("a.b", [1, 2])
    assert parse_set("a.b=gna") == ("a.b", "gna")
    assert parse_sweep("x=0.1:0.5:5") == Sweep("x", 0.1, 0.5, 5)
    for bad in ("x", "=3"):
        with pytest.raises(DesignError, match="--set takes PATH=VALUE"):
            parse_set(bad)
    for bad in ("x=0.1:0.5", "x=a:b:c", "x=0:1:2.5"):
        with pytest.raises(DesignError, match="LO:HI:N"):
            parse_sweep(bad)
    with pytest.raises(DesignError, match="--sweep takes"):
        parse_sweep("x")
