"""Ensemble page: N runs of the current scenario in the background, with progress and cancel;
end-state probabilities with Wilson intervals; fan charts of strength and territory."""

from __future__ import annotations

from typing import Any

import solara

from ..analysis import fan_chart, outcome_bars, outcome_table
from .ensemble import Job, Outcome
from .jobs import JobState, cancel, start
from .session import Session, use_session
from .widgets import LazyFigure, ProblemList, ScenarioPicker

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


@solara.component
def OutcomeSummary(outcome: Outcome, single: bool = True):
    runs = outcome.runs
    ok = int((runs["status"] == "ok").sum())
    failed = len(runs) - ok
    table = outcome_table(runs)
    solara.Text(
        f"{ok} runs in {outcome.elapsed:.1f} s"
        + (f", {failed} failed" if failed else "")
        + (" (cancelled early)" if outcome.cancelled else ""),
        style={"color": "#555"},
    )
    if outcome.errors:
        ProblemList(outcome.errors[:5], title="Failed runs")
    if ok == 0:
        return
    with solara.Card(
        "End-state probabilities (95% Wilson intervals)", classes=["libyasim-probabilities"]
    ):
        for sc in dict.fromkeys(table["scenario"]):
            sub = table[table["scenario"] == sc]
            if not single:
                solara.Text(sc, style={"font-weight": "bold"})
            for line in probability_lines(sub):
                solara.Text(line, classes=["libyasim-probability"], style={"display": "block"})
            flags = sub[(sub["kind"] == "flag") & (sub["count"] > 0)]
            for r in flags.itertuples():
                solara.Text(
                    f"flag {r.outcome.replace('_', ' ')}: {100 * r.p:.0f}% "
                    f"[{100 * r.lo:.0f}–{100 * r.hi:.0f}]",
                    style={"display": "block", "color": "#a15c00"},
                )
    LazyFigure(lambda: outcome_bars(table), [id(outcome)], label="outcome bars")


@solara.component
def FanCharts(outcome: Outcome, variables: tuple[str, ...] = ("strength", "territory")):
    variable, set_variable = solara.use_state(variables[0])
    solara.ToggleButtonsSingle(value=variable, values=list(variables), on_value=set_variable)
    LazyFigure(
        lambda: fan_chart(outcome.series, variable), [id(outcome), variable], label="fan chart"
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

    solara.Markdown(
        "Runs the current scenario many times: each run has its own seed "
        "(`SeedSequence(root seed)`) and, with sampling on, its own draw of every "
        "uncertain parameter from its evidence range."
    )
    JobControls(session.ensemble, make_job, "Run ensemble")
    state = job_state(session.ensemble)
    if state.outcome is not None and state.job is not None:
        label = state.job.scenarios[0][0]
        solara.Markdown(
            f"**Results for {label}** (root seed {state.job.root_seed}, "
            f"{'sampled parameters' if state.job.sample else 'fixed parameters'})"
        )
        with solara.Columns([1, 1]):
            OutcomeSummary(state.outcome)
            FanCharts(state.outcome)
