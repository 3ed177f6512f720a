"""What the Run page shows of one model: the question and its answer, the end state
and why, the timeline of key events, the charts (drawn in the browser, fed new data
only) and the whole event log as a table.

Everything is read from the model's public state (``LibyaModel``, its recorder frame
and event log, :func:`libyasim.model.outcomes.criteria`/``decide``); nothing here
changes a model.
"""

from __future__ import annotations

import html
import io
from typing import Any

import pandas as pd
import solara

from ..model.outcomes import criteria
from .answer import EndStateLabel, Rule, explain, glossary, key_events, markers
from .charts import Box, Chart, Data
from .figures import (
    SERIES_PANELS,
    map_data,
    map_spec,
    map_static,
    names_of,
    network_data,
    network_spec,
    positions_spec,
    series_data,
    series_spec,
    settlement_data,
    settlement_issue,
    settlement_spec,
    timeline_spec,
)
from .levers import LeverEffectNote, reference_model

#: what the Run page answers
RUN_QUESTION = "How does {title} unfold, and where does this run end?"


def ensemble_line(session: Any, scenario_name: str, state: str) -> str:
    """'P(status quo) = 62% [52–71] over 100 runs' from this session's last ensemble of
    the same scenario, or a pointer to the Ensemble page."""
    from .jobs import JobState

    job = session.ensemble.value if session is not None else None
    stem = scenario_name.removesuffix(".yaml")
    if (
        isinstance(job, JobState)
        and job.outcome is not None
        and job.job is not None
        and job.job.scenarios
        and job.job.scenarios[0][0] == stem
    ):
        from ..analysis import outcome_table

        t = outcome_table(job.outcome.runs)
        row = t[(t["kind"] == "end_state") & (t["outcome"] == state)]
        if len(row):
            r = row.iloc[0]
            return (
                f"In this session's ensemble of {int(r.n)} runs: "
                f"{100 * r.p:.0f}% [{100 * r.lo:.0f}–{100 * r.hi:.0f}] end so."
            )
    return "One run of many possible: the Ensemble page gives its probability with an interval."


@solara.component
def RunAnswer(session: Any, state: Any, frame: pd.DataFrame):
    """The page's question and this run's answer: end state (provisional while running)."""
    model = state.model
    spec = model.spec
    why = solara.use_memo(lambda: criteria(model, frame), [id(model), state.version])
    end_state, rules = explain(why, model.o)
    gl = glossary(model.o)
    job = session.ensemble.value
    line = solara.use_memo(
        lambda: ensemble_line(session, state.scenario_name, end_state),
        [id(getattr(job, "outcome", None)), state.scenario_name, end_state],
    )
    finished = not model.running
    solara.Text(
        RUN_QUESTION.format(title=spec.title),
        classes=["libyasim-question"],
        style={"font-size": "1.25em", "font-weight": "bold", "display": "block"},
    )
    with solara.Div(
        classes=["libyasim-answer"],
        style={"display": "flex", "gap": "6px", "align-items": "baseline", "flex-wrap": "wrap"},
    ):
        if finished:
            solara.Text(f"This run (seed {state.seed}) ends in", style={"font-size": "1.05em"})
        else:
            solara.Text(
                f"After {model.steps} of {model.months} months, if it stopped now:",
                style={"font-size": "1.05em"},
            )
        EndStateLabel(end_state, gl[end_state])
        solara.Text(
            line,
            style={"font-size": "0.9em", "color": "#555"},
        )
    if finished:
        WhyCard(end_state, rules)


@solara.component
def WhyCard(end_state: str, rules: list[Rule]):
    """The criteria of the decision, in decide's order: the first that holds is the end state."""
    with solara.Card(
        "Why: the end-state rules, in order (the first that holds decides)",
        classes=["libyasim-why"],
    ):
        first = True
        for r in rules:
            decisive = r.holds and first and r.state == end_state
            if decisive:
                first = False
            mark = "✔" if r.holds else "✘"
            solara.Text(
                f"{mark} {r.state.replace('_', ' ')}: {r.text}",
                classes=["libyasim-rule"] + (["libyasim-rule-decisive"] if decisive else []),
                style={
                    "display": "block",
                    "font-size": "0.9em",
                    "font-weight": "bold" if decisive else "normal",
                    "color": "#1a3d6d" if decisive else ("#333" if r.holds else "#777"),
                },
            )


@solara.component
def RunCharts(state: Any, frame: pd.DataFrame):
    model = state.model
    spec = model.spec
    names = solara.use_memo(lambda: names_of(spec), [id(spec)])
    specs = solara.use_memo(
        lambda: {
            "map": map_spec(spec),
            "network": network_spec(spec),
            "timeline": timeline_spec(spec),
        },
        [id(spec)],
    )
    panels = {v: series_data(frame, spec, v) for v, *_ in SERIES_PANELS}
    # a faction joins a legend when it has something to show (rarely changes: re-embed then)
    shown = tuple(
        tuple(dict.fromkeys(r["faction"] for r in panels[v][0])) for v, *_ in SERIES_PANELS
    )
    series_specs = solara.use_memo(
        lambda: {
            v: series_spec(spec, v, t, share, names)
            for (v, _, t, share), names in zip(SERIES_PANELS, shown, strict=True)
        },
        [id(spec), shown],
    )
    static = solara.use_memo(lambda: map_static(spec), [id(spec)])
    k = settlement_issue(spec)
    issue_specs = solara.use_memo(
        lambda: (
            (settlement_spec(spec, spec.issues[k]), positions_spec(spec, spec.issues[k]))
            if k is not None
            else None
        ),
        [id(spec)],
    )
    # with levers applied, the unchanged run stepped beside the changed one
    reference = reference_model(state)
    ref_frame = reference.recorder.frame() if reference is not None else None
    log = list(model.event_log)
    timeline = key_events(log, names)
    marks = markers(timeline)
    stamp = f"{model.month}#{state.version}"
    with solara.ColumnsResponsive(12, large=6, classes=["libyasim-run-figures"]):
        Chart(
            Box(specs["map"]),
            Data(map_data(model, static)),
            name="map",
            title=f"Who holds what, {model.month} (red ring: fighting this month)",
            stamp=stamp,
            csv="regions",
            scaled=True,
        )
        Chart(
            Box(specs["network"]),
            Data(network_data(model)),
            name="support",
            title=f"Support sent this month, {model.month} (sponsors → factions)",
            stamp=stamp,
            csv="flows",
            scaled=True,
        )
        for variable, title, _ytitle, _share in SERIES_PANELS:
            rows, empty = panels[variable]
            faint = series_data(ref_frame, spec, variable)[0] if ref_frame is not None else []
            with solara.Column(gap="0px"):
                Chart(
                    Box(series_specs[variable]),
                    Data({"series": rows, "markers": marks, "reference": faint}),
                    name=variable,
                    title=f"{title} per faction (dashed: key events"
                    + ("; faint: without the levers)" if reference is not None else ")"),
                    stamp=stamp,
                    csv="series",
                )
                if empty:
                    solara.Text(
                        "Not shown (none all along): " + ", ".join(empty),
                        classes=["libyasim-not-shown"],
                        style={"font-size": "0.8em", "color": "#666"},
                    )
        if issue_specs is not None and k is not None:
            data = settlement_data(model, frame, k)
            issue = spec.issues[k]
            with solara.Column(gap="0px"):
                Chart(
                    Box(issue_specs[0]),
                    Data({"settlement": data["settlement"], "markers": marks}),
                    name="settlement",
                    title=f"Settlement forecast on {issue.id.replace('_', ' ')}",
                    stamp=stamp,
                    csv="settlement",
                )
                Chart(
                    Box(issue_specs[1]),
                    Data({"positions": data["positions"], "forecast": data["forecast"]}),
                    name="positions",
                    title="Who stands where (dot size: chance its position prevails)",
                    stamp=stamp,
                    csv="positions",
                )
        Chart(
            Box(specs["timeline"]),
            Data({"timeline": timeline}),
            name="timeline",
            title=f"Timeline: ceasefires, elections, offensives, sponsor moves ({len(timeline)})",
            stamp=stamp,
            csv="timeline",
        )
    EventTable(Box(log), Box(names), model.spec.id, stamp)


EVENT_VIEWS = ("all events", "key events", "battles and raids")


def event_rows(log: list[dict[str, Any]], names: dict[str, str], view: str) -> list[dict[str, Any]]:
    from .answer import ROW_OF

    if view == "key events":
        keep = [e for e in log if e["kind"] in ROW_OF]
    elif view == "battles and raids":
        keep = [e for e in log if e["kind"] in ("battle", "raid")]
    else:
        keep = log
    return list(reversed(keep))


def events_csv(log: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    pd.DataFrame(log).to_csv(buf, index=False)
    return buf.getvalue().encode()


@solara.component
def EventTable(log_box: Box, names_box: Box, scenario_id: str, stamp: str = ""):
    """The whole event log of the run, newest first, filtered by kind; CSV download."""
    from .answer import describe

    log: list[dict[str, Any]] = log_box.value
    names: dict[str, str] = names_box.value

    view, set_view = solara.use_state(EVENT_VIEWS[0])
    rows = event_rows(log, names, view)
    with solara.Card(f"Events ({len(log)} so far; {len(rows)} shown)", classes=["libyasim-events"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.ToggleButtonsSingle(
                value=view, values=list(EVENT_VIEWS), on_value=set_view, dense=True
            )
            solara.FileDownload(
                lambda: events_csv(log),
                filename=f"{scenario_id}_events.csv",
                label="CSV",
            )
        if not rows:
            solara.Text("No events yet: press Step.")
            return
        body = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                html.escape(str(e["month"])),
                html.escape(str(e["kind"]).replace("_", " ")),
                html.escape(describe(e, names)),
                f"{e['fatalities']:.0f}" if e.get("fatalities") else "",
            )
            for e in rows
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                '<table class="libyasim-event-table"><thead><tr><th>month</th><th>event</th>'
                f"<th>what</th><th>deaths</th></tr></thead><tbody>{body}</tbody></table>"
            ),
            style={"max-height": "360px", "overflow": "auto", "font-size": "0.82em"},
        )


RUN_CSS = """
.libyasim-run-layout { display: flex; align-items: flex-start; gap: 12px; width: 100%; }
.libyasim-run-layout > .libyasim-controls { width: 330px; flex: none; }
.libyasim-run-main { flex: 1; min-width: 0; }
.v-btn.libyasim-drawer-toggle, .v-btn.libyasim-drawer-close { display: none !important; }
.libyasim-event-table { border-collapse: collapse; min-width: 560px; width: 100%; }
.libyasim-event-table td, .libyasim-event-table th { padding: 2px 6px;
  border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
.libyasim-event-table td:nth-child(-n+2) { white-space: nowrap; }
@media (max-width: 899px) {
  .libyasim-run-layout.libyasim-run-layout { flex-direction: column !important; }
  .libyasim-run-layout > .libyasim-controls { display: none !important; }
  .libyasim-run-layout > .libyasim-controls.libyasim-open { display: block !important;
    position: fixed; z-index: 30; top: 0; left: 0; bottom: 0; width: min(360px, 92vw);
    overflow-y: auto; background: white; box-shadow: 0 0 16px rgba(0,0,0,0.35); padding: 8px; }
  .v-btn.libyasim-drawer-toggle, .v-btn.libyasim-drawer-close { display: inline-flex !important; }
  .libyasim-run-layout > .libyasim-run-main { width: 100%; }
}
"""


@solara.component
def RunView(session: Any, state: Any):
    model = state.model
    frame = solara.use_memo(lambda: model.recorder.frame(), [id(model), state.version])
    RunAnswer(session, state, frame)
    ended = "" if model.running else " · finished"
    with solara.Row(gap="8px", style={"align-items": "baseline"}):
        solara.Text(
            f"Month: {model.month}",
            classes=["libyasim-month"],
            style={"font-size": "1.4em", "font-weight": "bold"},
        )
        solara.Text(f" step {model.steps} of {model.months}{ended}", style={"color": "#555"})
    if state.overrides:
        solara.Text(
            "levers: " + ", ".join(f"{k} = {v}" for k, v in state.overrides.items()),
            style={"font-size": "0.85em", "color": "#555", "display": "block"},
        )
        LeverEffectNote(state, session.entry.scenario if session.entry else None)
    RunCharts(state, frame)
