"""Ensemble page: N runs of the current scenario in the background, with progress and cancel;
end-state probabilities with Wilson intervals; fan charts of strength and territory."""

from __future__ import annotations

from typing import Any

import solara

from ..analysis import outcome_table
from .answer import Glossary, Hover, QuestionHeader, glossary
from .charts import Box, Chart, Data
from .ensemble import Job, Outcome
from .figures import bars_data, bars_spec, fan_data, fan_spec, names_of, nonzero_actors
from .jobs import JobState, cancel, start
from .session import Session, use_session
from .widgets import ProblemList, ScenarioPicker

MAX_RUNS = 2000


@solara.component
def JobControls(
    target: solara.Reactive[Any], make_job: Any, run_label: str, disabled: bool = False
):
    """Runs, root seed, sampling; the run / cancel buttons and the progress bar."""
    n, set_n = solara.use_state(20)
    seed, set_seed = solara.use_state(1)
    sample, set_sample = solara.use_state(True)
    state = target.value if isinstance(target.value, JobState) else JobState()
    bad_n = "" if 1 <= n <= MAX_RUNS else f"between 1 and {MAX_RUNS}"
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputInt(
            "Runs per scenario",
            value=n,
            on_value=set_n,
            style={"max-width": "160px"},
            classes=["libyasim-runs"],
        )
        solara.InputInt("Root seed", value=seed, on_value=set_seed, style={"max-width": "140px"})
        solara.Checkbox(
            label="sample parameter ranges (Latin hypercube)", value=sample, on_value=set_sample
        )
        solara.Button(
            run_label,
            color="primary",
            disabled=disabled or bool(bad_n) or state.running,
            on_click=lambda: start(target, make_job(n, seed, sample)),
        )
        solara.Button("Cancel", disabled=not state.running, on_click=lambda: cancel(target))
    if bad_n:
        solara.Error(f"Runs per scenario must be {bad_n}; got {n}.", dense=True)
    if state.running:
        pct = 100 * state.done / state.total if state.total else 0
        solara.ProgressLinear(value=pct, color="primary")
        solara.Text(f"running: {state.done} of {state.total} runs", classes=["libyasim-progress"])
    elif state.status == "cancelled":
        solara.Warning(
            f"Cancelled after {state.done} of {state.total} runs; results below use those runs.",
            dense=True,
        )
    elif state.status == "failed":
        ProblemList([state.error], title="The ensemble stopped")


def job_state(target: solara.Reactive[Any]) -> JobState:
    return target.value if isinstance(target.value, JobState) else JobState()


def probability_lines(table: Any) -> list[str]:
    t = table[table["kind"] == "end_state"]
    return [
        f"{r.outcome.replace('_', ' ')}: {100 * r.p:.0f}% [{100 * r.lo:.0f}–{100 * r.hi:.0f}]"
        for r in t.itertuples()
        if r.n > 0
    ]


def most_likely(table: Any) -> tuple[str, str] | None:
    """(end state, 'status quo: 62% [52–71]') of the most likely end state, or None."""
    t = table[(table["kind"] == "end_state") & (table["n"] > 0)]
    if t.empty:
        return None
    r = t.sort_values("p", ascending=False, kind="stable").iloc[0]
    return str(r.outcome), (
        f"{r.outcome.replace('_', ' ')}: {100 * r.p:.0f}% [{100 * r.lo:.0f}–{100 * r.hi:.0f}]"
    )


def table_csv(table: Any) -> bytes:
    import io

    buf = io.StringIO()
    table.to_csv(buf, index=False)
    return buf.getvalue().encode()


@solara.component
def OutcomeSummary(
    outcome: Outcome, single: bool = True, running: bool = False, thresholds: Any = None
):
    runs = outcome.runs
    ok = int((runs["status"] == "ok").sum())
    failed = len(runs) - ok
    table = solara.use_memo(lambda: outcome_table(runs), [id(outcome)])
    n_sc = len(dict.fromkeys(table["scenario"]))
    spec = solara.use_memo(lambda: bars_spec(n_sc), [n_sc])
    gl = glossary(thresholds)
    solara.Text(
        (f"so far {ok} runs" if running else f"{ok} runs in {outcome.elapsed:.1f} s")
        + (f", {failed} failed" if failed else "")
        + (" (cancelled early)" if outcome.cancelled else ""),
        style={"color": "#555"},
        classes=["libyasim-runs-done"],
    )
    if outcome.errors:
        ProblemList(outcome.errors[:5], title="Failed runs")
    if ok == 0:
        return
    with solara.Card(
        "End-state probabilities (95% Wilson intervals)"
        + (" — updating as runs finish" if running else ""),
        classes=["libyasim-probabilities"],
    ):
        for sc in dict.fromkeys(table["scenario"]):
            sub = table[table["scenario"] == sc]
            if not single:
                solara.Text(sc, style={"font-weight": "bold", "display": "block"})
            t = sub[(sub["kind"] == "end_state") & (sub["n"] > 0)]
            for r, line in zip(t.itertuples(), probability_lines(sub), strict=True):
                Hover(
                    line,
                    gl.get(str(r.outcome), ""),
                    ["libyasim-probability"],
                    block=True,
                )
            flags = sub[(sub["kind"] == "flag") & (sub["count"] > 0)]
            for r in flags.itertuples():
                solara.Text(
                    f"flag {r.outcome.replace('_', ' ')}: {100 * r.p:.0f}% "
                    f"[{100 * r.lo:.0f}–{100 * r.hi:.0f}]",
                    style={"display": "block", "color": "#a15c00"},
                )
        solara.FileDownload(
            lambda: table_csv(table), filename="end_state_probabilities.csv", label="CSV"
        )
    Chart(
        Box(spec),
        Data({"bars": bars_data(table)}),
        name="outcomes",
        title="End-state probabilities",
        stamp=f"{id(outcome)}",
    )


@solara.component
def FanCharts(
    outcome: Outcome, scenario: Any, variables: tuple[str, ...] = ("strength", "territory")
):
    """Median and bands of one faction's variable over the runs, per scenario."""
    variable, set_variable = solara.use_state(variables[0])
    order = [f.id for f in scenario.factions]
    names = names_of(scenario)
    actors = solara.use_memo(
        lambda: nonzero_actors(outcome.series, variable, order), [id(outcome), variable]
    )
    actor, set_actor = solara.use_state(order[0] if order else "")
    if actors and actor not in actors:
        actor = actors[0]
    n_sc = int(outcome.series["scenario"].nunique()) if len(outcome.series) else 1
    share = variable != "strength"
    spec = solara.use_memo(
        lambda: fan_spec(scenario, variable, n_sc, share), [id(scenario), variable, n_sc]
    )
    rows = solara.use_memo(
        lambda: fan_data(outcome.series, variable, actor), [id(outcome), variable, actor]
    )
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.ToggleButtonsSingle(value=variable, values=list(variables), on_value=set_variable)
        if actors:
            solara.Select(
                "Faction",
                values=[names[a] for a in actors],
                value=names[actor],
                on_value=lambda nm: set_actor({names[a]: a for a in actors}[nm]),
                style={"max-width": "320px"},
            )
    if not actors:
        solara.Text(f"No faction has any {variable} in these runs.")
        return
    Chart(
        Box(spec),
        Data({"fan": rows}),
        name="fan",
        title=f"{names[actor]}: {variable} over the runs (line: median; "
        + ("bands: 50% and 90% of runs)" if n_sc == 1 else "dashed: 25% and 75% of runs)"),
        stamp=f"{id(outcome)}:{variable}:{actor}",
    )


@solara.component
def EnsemblePage():
    session = use_session()
    solara.Title("libyasim · Ensemble")
    ScenarioPicker()
    entry = session.entry
    if entry is None or entry.scenario is None:
        return
    EnsembleBody(session)


ENSEMBLE_QUESTION = "How likely is each end state for {title}?"


@solara.component
def EnsembleBody(session: Session):
    entry = session.entry
    if entry is None or entry.scenario is None:
        solara.Warning("Choose a scenario that loads without problems to run an ensemble.")
        return
    name, scenario = entry.name.removesuffix(".yaml"), entry.scenario

    def make_job(n: int, seed: int, sample: bool) -> Job:
        return Job(
            ((name, scenario),),
            n=n,
            root_seed=seed,
            sample=sample,
        )

    state = job_state(session.ensemble)
    shown = state.outcome if state.outcome is not None else state.partial
    mine = state.job is not None and state.job.scenarios[0][0] == name
    answer = "Run an ensemble to see: each run draws its own seed and parameters."
    if shown is not None and mine:
        best = most_likely(outcome_table(shown.runs))
        if best is not None:
            n_ok = int((shown.runs["status"] == "ok").sum())
            answer = (
                f"Most likely {best[1]} of {n_ok} runs"
                + (" so far" if state.running else "")
                + f" (root seed {state.job.root_seed if state.job else ''})."
            )
    QuestionHeader(ENSEMBLE_QUESTION.format(title=scenario.title), answer)
    Glossary(scenario.outcomes)
    solara.Markdown(
        "Runs the current scenario many times: each run has its own seed "
        "(`SeedSequence(root seed)`) and, with sampling on, its own draw of every "
        "uncertain parameter from its evidence range."
    )
    JobControls(session.ensemble, make_job, "Run ensemble")
    if shown is not None and state.job is not None:
        label = state.job.scenarios[0][0]
        solara.Markdown(
            f"**Results for {label}** (root seed {state.job.root_seed}, "
            f"{'sampled parameters' if state.job.sample else 'fixed parameters'})"
        )
        with solara.ColumnsResponsive(12, large=6):
            OutcomeSummary(shown, running=state.outcome is None, thresholds=scenario.outcomes)
            if state.outcome is not None:
                sc = dict(state.job.scenarios).get(label, scenario)
                FanCharts(state.outcome, sc)
