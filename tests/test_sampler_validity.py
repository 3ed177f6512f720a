"""Samplers respect validators: every point an LHS, Sobol or Morris design draws
for a shipped scenario is accepted by the scenario's schema (issue 11 part 4)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import SCENARIOS

from libyasim import load_scenario
from libyasim.batch import Design, load_runs, run_batch
from libyasim.batch.design import conform, whole_paths
from libyasim.scenario import from_dict, set_value

SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
#: small sample sizes per method (Sobol needs a power of two)
SIZES = {
    "lhs": st.integers(2, 12),
    "sobol": st.sampled_from([1, 2, 4]),
    "morris": st.integers(1, 3),
}


@functools.cache
def shipped(name: str):
    return load_scenario(SCENARIOS / name)


def validated(scenario, point: dict) -> object:
    """The scenario with ``point`` applied and validated in full (never the fast path)."""
    data = scenario.resolved
    for path, value in point.items():
        set_value(data, path, value)
    return from_dict(data, name=scenario.id)


def check_design(scenarios, design: Design) -> None:
    ranges = design.sampled_ranges(scenarios)
    whole = whole_paths(scenarios[0])
    points = list(design.points(scenarios))  # the dicts, made once (each read makes one)
    assert points
    for path in ranges:
        column = np.array([p[path] for p in points], dtype=float)
        lo, hi = ranges[path]
        assert column.min() >= lo and column.max() <= hi, path
        if path in whole:
            assert all(isinstance(p[path], int) for p in points), path
    # the validators are intervals per field: if the column-wise lowest and
    # highest values validate, every value between them does too
    low = {k: min(p[k] for p in points) for k in ranges}
    high = {k: max(p[k] for p in points) for k in ranges}
    for sc in scenarios:
        for point in (low, high):
            validated(sc, point)


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("method", ["lhs", "sobol", "morris"])
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_every_sampled_point_of_a_shipped_scenario_validates(name, method, data, seed):
    n = data.draw(SIZES[method])
    check_design([shipped(name)], Design(sample=method, sample_n=n, root_seed=seed))


def test_morris_grid_overshoot_is_clipped():
    # Morris levels lo + k*(hi-lo)/(p-1) can land one ulp above hi
    assert conform([0.9000000000000001, 0.5, -1e-17], (0.0, 0.9)).tolist() == [0.9, 0.5, 0.0]
    whole = conform([4.6, 12.4, 0.7], (1.0, 12.0), whole=True)
    assert whole.tolist() == [5, 12, 1] and whole.dtype.kind == "i"
    assert conform([2.4, 3.6], (2.5, 3.5), whole=True).tolist() == [3, 3]


def test_counts_are_declared_whole_numbers():
    assert "parameters.battle_substeps" in whole_paths(shipped("baseline_2017.yaml"))
    elections = whole_paths(shipped("early_elections.yaml"))
    assert "events.early_election.preconditions.months" in elections
    assert "parameters.engagement_rate" not in elections


def test_scenarios_with_different_ranges_sample_their_intersection():
    base, daesh = shipped("baseline_2017.yaml"), shipped("daesh_resurgence.yaml")
    design = Design(sample="lhs", sample_n=8, root_seed=1, vary=("parameters.raid_*",))
    ranges = design.sampled_ranges([base, daesh])
    lo = max(
        base.uncertain()["parameters.raid_rate"][0], daesh.uncertain()["parameters.raid_rate"][0]
    )
    hi = min(
        base.uncertain()["parameters.raid_rate"][1], daesh.uncertain()["parameters.raid_rate"][1]
    )
    assert ranges["parameters.raid_rate"] == (lo, hi)
    check_design([base, daesh], design)


@pytest.mark.parametrize("method", ["lhs", "morris", "sobol"])
def test_sampled_batches_of_real_runs_do_not_fail(tmp_path, method):
    scenarios = [shipped("early_elections.yaml"), shipped("paris_2017.yaml")]
    design = Design(
        sample=method,
        sample_n={"lhs": 6, "morris": 2, "sobol": 1}[method],
        root_seed=5,
        months=6,
        vary=("parameters.*", "events.*.preconditions.*", "outcomes.*"),
    )
    run_batch(scenarios, tmp_path / method, design, progress=False)
    runs = load_runs(tmp_path / method)
    assert len(runs) == 2 * len(design.points(scenarios))
    assert (runs["status"] == "ok").all(), runs.loc[runs["status"] != "ok", "error"].head().tolist()
