"""The month in one kernel call (:mod:`libyasim.model.month`) is the module-by-module
month: the same RunResult and event log, bit for bit, on every shipped scenario; it is
the path a month takes unless red lines are drawn, and it stops for Python where the
modules do (a rescue, a ceasefire's questions)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_factory import rescuer

from libyasim import load_scenario
from libyasim.model import LibyaModel, month, support
from libyasim.model.runner import fields, result_of, same
from libyasim.scenario import from_dict

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").rglob("*.yaml"))


def _run(scenario, seed: int, months: int | None = None) -> tuple[dict, int, int]:
    """The run's fields and event records, the months run in one call, the months."""
    m = LibyaModel(scenario, rng=seed, months=months)
    one_call = 0
    while m.running:
        one_call += month.fused(m)
        m.step()
    return {**fields(result_of(m)), "records": list(m.event_log)}, one_call, m.steps


def _module_by_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(month, "fused", lambda m: False)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_one_call_month_is_the_module_by_module_month(path, monkeypatch):
    scenario = load_scenario(path)
    fast, _, _ = _run(scenario, seed=2)
    _module_by_module(monkeypatch)
    slow, none, _ = _run(scenario, seed=2)
    assert none == 0
    assert not same(fast, slow, path.stem)


def test_months_without_red_lines_take_one_call():
    _, one_call, months = _run(load_scenario(SCENARIOS[0].parent / "baseline_2017.yaml"), 1)
    assert one_call == months == 48
    _, one_call, months = _run(load_scenario(SCENARIOS[0].parent / "ceasefire_only.yaml"), 1)
    assert one_call == months == 48  # ceasefire events: the call stops for their questions
    _, one_call, months = _run(load_scenario(SCENARIOS[0].parent / "egypt_red_line.yaml"), 1)
    assert 0 < one_call < months  # one call until the red line is drawn


def test_ceasefire_questions_stop_the_call_in_both_stages(monkeypatch):
    """A bound attacker's question stops the call in the forces' stage and in the
    skirmishes' (where a defection is fought in Python); the runs stay the
    module-by-module runs (the test above), and these stops do happen."""
    stops: list[int] = []
    call = month._month_p

    def counted(*args):
        call(*args)
        out = month.i1(args[1], month.ARGS.index("month_out"))  # the table's month_out
        stops.append(int(out[month.OUT_STOP]))

    monkeypatch.setattr(month, "_month_p", counted)
    for name in ("ceasefire_only", "power_sharing_election"):
        for seed in range(3):
            _run(load_scenario(SCENARIOS[0].parent / f"{name}.yaml"), seed)
    assert stops.count(month.ASKED_FORCES) > 0
    assert stops.count(month.ASKED_CONFLICT) > 0


def test_a_rescue_stops_the_one_call_month_and_it_resumes(monkeypatch):
    """A sponsor entering to rescue its client is Python's, between two calls: the
    month then goes on as the module-by-module month does."""
    data = rescuer(active=False)
    data["events"] = []  # the rescue alone (no ceasefire questioning the same months)
    scenario = from_dict(data)
    rescues: list[bool] = []
    rescue = support._rescue

    def counted(m):
        rescues.append(month.fused(m))
        rescue(m)

    monkeypatch.setattr(support, "_rescue", counted)

    def run() -> tuple[list, dict]:
        m = LibyaModel(scenario, rng=1, months=6)
        m.step()
        m.control[m.control == m.fidx["blue"]] = m.fidx["red"]  # blue loses all it held
        while m.running:
            m.step()
        return list(m.event_log), fields(result_of(m))

    fast = run()
    assert rescues == [True]
    assert any(e["kind"] == "sponsor_entry" and e["actor1"] == "near" for e in fast[0])
    _module_by_module(monkeypatch)
    slow = run()
    assert rescues == [True, False]
    assert not same(fast, slow)
