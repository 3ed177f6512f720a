"""``run(scenario, seed)``: one run of one scenario, as a :class:`RunResult`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..scenario import load_scenario
from ..scenario.schema import Scenario
from .model import LibyaModel
from .outcomes import event_table, summary
from .result import RunResult


def run(
    scenario: Scenario | str | Path,
    seed: int | None = None,
    months: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> RunResult:
    """Run ``scenario`` for ``months`` (default: the scenario's) with ``seed``
    (default: the scenario's ``seed``); ``overrides`` are ``{dotted.path: value}``
    changes applied first (``scenario.with_values``).

    >>> result = run(load_scenario("scenarios/baseline_2017.yaml"), seed=1)  # doctest: +SKIP
    >>> result.end_state                                                  # doctest: +SKIP
    """
    if isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario)
    if overrides:
        scenario = scenario.with_values(overrides)
    seed = scenario.seed if seed is None else int(seed)
    model = LibyaModel(scenario, rng=seed, months=months)
    while model.running:
        model.step()
    return result_of(model)


def result_of(model: LibyaModel) -> RunResult:
    """The RunResult of a model stepped so far (also for models stepped by hand)."""
    series = model.recorder.arrays()  # arrays: the DataFrames are built on first use
    events = event_table(model)
    summ = summary(model, series, events)
    summ["final_control"] = {
        r: (model.faction_ids[c] if c >= 0 else None)
        for r, c in zip(model.region_ids, model.control, strict=True)
    }
    return RunResult(
        scenario_id=model.spec.id,
        scenario_hash=model.spec.hash,
        seed=model.seed,
        series=series,
        events=events,
        summary=summ,
        spec=model.spec,
    )
