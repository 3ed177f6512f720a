"""Run-page levers: bounds, typed values beyond the evidence, the unchanged run
kept beside the changed one, and the note when a lever changes nothing."""

from __future__ import annotations

import pytest

from libyasim.dashboard.levers import (
    LIMITS,
    KeyParameter,
    build_runs,
    check_lever,
    inert_reasons,
    key_parameters,
    lever_effect,
    runs_identical,
)
from libyasim.scenario import ScenarioError


def _lever(baseline, path):
    return next(k for k in key_parameters(baseline) if k.path == path)


@pytest.mark.parametrize(
    "path",
    [
        "sponsors.italy.budget.political",
        "sponsors.italy.interests.migration",
        "sponsors.italy.stance.lna",
    ],
)
def test_lever_limits_are_the_schema_bounds(baseline, path):
    k = _lever(baseline, path)
    lo, hi = LIMITS[k.kind]
    assert (k.min, k.max) == (lo, hi)
    for edge in (lo, hi):
        if edge is not None:  # the bound itself is allowed ...
            baseline.with_values({path: edge, f"{path}.range": [edge, edge]})
    for past in (lo - 0.01 if lo is not None else None, hi + 0.01 if hi is not None else None):
        if past is not None:  # ... one step past it is not
            with pytest.raises(ScenarioError):
                baseline.with_values({path: past, f"{path}.range": [past, past]})


def test_typed_values_beyond_the_evidence_warn_and_beyond_the_rules_fail(baseline):
    k = _lever(baseline, "sponsors.italy.stance.lna")
    assert (k.lo, k.hi) == (-0.6, 0.0) and k.slider_bounds() == (-1.0, 1.0)
    inside = check_lever(k, "-0.2")
    assert inside.value == -0.2 and not inside.error and not inside.warning
    beyond = check_lever(k, "0.5")  # "Italy engages Haftar"
    assert beyond.value == 0.5 and not beyond.error
    assert "beyond the evidence range [-0.6, 0]" in beyond.warning
    assert "must be <= 1" in check_lever(k, "1.5").error
    assert "must be a number" in check_lever(k, "lots").error
    date = KeyParameter("events.cf.date", "ceasefire cf: date", "2018-01", kind="date")
    assert check_lever(date, "2018-13").error and check_lever(date, "2018-05").value == "2018-05"


def _run_to_end(baseline, overrides):
    model, reference, problems = build_runs(baseline, baseline.seed, overrides)
    assert not problems
    while model.running:
        model.step()
        reference.step()
    return model, reference


class _State:
    def __init__(self, model, reference, overrides):
        self.model, self.reference, self.overrides = model, reference, overrides


def test_a_lever_that_changes_nothing_says_so_and_why(baseline):
    overrides = {"sponsors.italy.stance.lna": 0.0}  # the top of the evidence range
    model, reference = _run_to_end(baseline, overrides)
    assert runs_identical(model, reference)
    note = lever_effect(_State(model, reference, overrides), baseline)
    assert "change nothing over the whole run" in note
    # the scenario's own reason for the number (the audit's marking) ...
    assert "(marked inert in the scenario)" in note and "above 0" in note
    # ... else the rule of ODD 7.1 that makes it so
    unmarked = baseline.with_values({"sponsors.italy.stance.lna.inert": None})
    (why,) = inert_reasons(unmarked, overrides)
    assert "italy has no support edge to lna" in why and "above 0" in why
    # past 0 (Italy engages Haftar) the run differs, and no note is given
    engaged = {"sponsors.italy.stance.lna": 0.5}
    model, reference = _run_to_end(baseline, engaged)
    assert not runs_identical(model, reference)
    assert lever_effect(_State(model, reference, engaged), baseline) == ""


def test_no_note_before_the_first_month(baseline):
    overrides = {"sponsors.italy.stance.lna": 0.0}
    model, reference, _ = build_runs(baseline, baseline.seed, overrides)
    assert runs_identical(model, reference)
    assert lever_effect(_State(model, reference, overrides), baseline) == ""
    model.step()
    reference.step()
    assert "so far (to " in lever_effect(_State(model, reference, overrides), baseline)


def test_no_reference_run_without_levers(baseline):
    model, reference, problems = build_runs(baseline, 3, {})
    assert model is not None and reference is None and not problems
    assert inert_reasons(baseline, {"sponsors.italy.stance.lna": 0.5}) == []
    _m, _r, problems = build_runs(baseline, 3, {"events.nonexistent.date": "2018-01"})
    assert problems
