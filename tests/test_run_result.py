"""RunResult keeps a run's series and event log as arrays: the DataFrames built from
them, the arrays read back from DataFrames, and the summary computed on either, agree."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

from libyasim.model import EVENT_COLUMNS, LibyaModel, result_of, run
from libyasim.model.outcomes import event_table, events_frame, summary
from libyasim.model.result import EventTable, RunResult, SeriesTable


def _model(baseline, seed=4, months=18):
    m = LibyaModel(baseline, rng=seed, months=months)
    while m.running:
        m.step()
    return m


def test_the_arrays_and_the_frames_hold_the_same_run(baseline):
    r = run(baseline, seed=4, months=18)
    table, events = r.series_table, r.event_table
    assert isinstance(table, SeriesTable) and isinstance(events, EventTable)
    assert len(table) == 19 and len(events) > 0
    frame = r.series
    assert list(frame.columns) == ["step", "month", *table.columns]
    assert np.array_equal(frame.iloc[:, 2:].to_numpy(), table.values)
    assert frame["month"].tolist() == list(table.months)
    assert list(r.events.columns) == EVENT_COLUMNS
    assert r.events["step"].dtype == np.int64 and r.events["fatalities"].dtype == float
    # the frame pandas makes of the records themselves
    m = _model(baseline)
    records = pd.DataFrame(m.event_log, columns=EVENT_COLUMNS).astype(
        {"step": np.int64, "fatalities": float}
    )
    pd.testing.assert_frame_equal(event_table(m).frame(), records)
    assert r.events["kind"].tolist() == list(events["kind"])
    # and back: a RunResult made from frames gives the same arrays
    again = RunResult(r.scenario_id, r.scenario_hash, r.seed, frame, r.events, r.summary)
    assert again.series_table.columns == list(table.columns)
    assert np.array_equal(again.series_table.values, table.values)
    assert np.array_equal(again.series_table.steps, table.steps)
    for c in EVENT_COLUMNS:
        assert list(again.event_table[c]) == list(events[c]), c


def test_the_summary_is_the_same_from_arrays_and_from_frames(baseline):
    m = _model(baseline)
    fast = summary(m, m.recorder.arrays(), event_table(m))
    slow = summary(m, m.recorder.frame(), events_frame(m))
    assert fast == slow
    assert fast["battles"] == sum(1 for e in m.event_log if e["kind"] == "battle")
    assert fast["total_fatalities"] == round(float(m.recorder.frame()["fatalities"][1:].sum()), 1)


def test_a_run_without_events_and_a_pickled_result(baseline):
    r = run(baseline, seed=1, months=2)
    empty = RunResult("x", "h", 1, r.series_table, None, {"end_state": "status_quo"})
    assert len(empty.event_table) == 0
    assert list(empty.events.columns) == EVENT_COLUMNS and empty.events.empty
    back = pickle.loads(pickle.dumps(r))
    pd.testing.assert_frame_equal(back.series, r.series)
    pd.testing.assert_frame_equal(back.events, r.events)
    assert back.summary == r.summary and back.end_state == r.end_state


def test_a_runs_model_is_freed_without_the_collector(baseline, monkeypatch):
    """run() hands back only its RunResult, and lets the model go: it is freed by
    reference counting as run() returns (no cycle left for the collector), and the
    result is the one of the same model stepped by hand."""
    import gc
    import weakref

    made: list[weakref.ref] = []
    init = LibyaModel.__init__

    def recording(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    monkeypatch.setattr(LibyaModel, "__init__", recording)
    gc.collect()
    gc.disable()
    try:
        r = run(baseline, seed=4, months=18)
        assert len(made) == 1 and made[0]() is None  # freed, the collector off
    finally:
        gc.enable()
    monkeypatch.undo()
    kept = result_of(_model(baseline))
    assert r.summary == kept.summary
    assert np.array_equal(r.series_table.values, kept.series_table.values)
    assert r.events.equals(kept.events)
