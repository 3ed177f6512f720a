"""Compare page: two or more scenarios on the same seeds and parameter points."""

from __future__ import annotations

import solara

from ..analysis import compare_outcomes
from .ensemble import Job
from .page_ensemble import FanCharts, JobControls, OutcomeSummary, job_state
from .session import use_session
from .widgets import ProblemList


@solara.component
def ComparePage():
    session = use_session()
    solara.Title("libyasim · Compare")
    cat = session.catalogue.value
    names = cat.names()
    default = [n for n in (session.current.value, *names) if n][:2]
    chosen, set_chosen = solara.use_state(list(dict.fromkeys(default)))
    chosen = [c for c in chosen if c in names]
    solara.SelectMultiple(
        "Scenarios to compare (the first is the reference)",
        values=chosen,
        all_values=names,
        on_value=set_chosen,
        style={"max-width": "720px"},
    )
    problems = [] if len(chosen) >= 2 else ["pick at least two scenarios"]

    def make_job(n: int, seed: int, sample: bool) -> Job:
        labels = [c.removesuffix(".yaml") for c in chosen]
        return Job(
            tuple((lbl, cat.entries[c].scenario) for lbl, c in zip(labels, chosen, strict=True)),
            n=n,
            root_seed=seed,
            sample=sample,
        )

    solara.Markdown(
        "Every scenario runs the same seeds and, with sampling on, the same draws of "
        "the parameters they share, so differences come from the scenarios, not from luck."
    )
    JobControls(session.compare, make_job, "Run comparison", disabled=bool(problems))
    state = job_state(session.compare)
    if problems:
        ProblemList(problems, title="Cannot compare yet")
    if state.outcome is not None and state.outcome.runs["status"].eq("ok").any():
        outcome = state.outcome
        with solara.Columns([1, 1]):
            OutcomeSummary(outcome, single=False)
            with solara.Column():
                DifferenceTable(outcome)
        FanCharts(outcome)


@solara.component
def DifferenceTable(outcome):
    table = compare_outcomes(outcome.runs)
    t = table[(table["kind"] == "end_state") & ((table["p"] > 0) | (table["p_baseline"] > 0))]
    with solara.Card(
        "Differences from the reference (95% Newcombe intervals)", classes=["libyasim-differences"]
    ):
        lines = [
            "| scenario | end state | reference | this | difference |",
            "|---|---|---|---|---|",
        ]
        for r in t.itertuples():
            lines.append(
                f"| {r.scenario} | {r.outcome.replace('_', ' ')} | {100 * r.p_baseline:.0f}% | "
                f"{100 * r.p:.0f}% | {100 * r.diff:+.0f} pts "
                f"[{100 * r.lo:+.0f}, {100 * r.hi:+.0f}] |"
            )
        solara.Markdown("\n".join(lines))
        changed = table.drop_duplicates("scenario")
        for r in changed.itertuples():
            solara.Text(
                f"{r.scenario}: {100 * r.changed:.0f}% of {r.paired} paired runs end differently "
                "from the reference",
                style={"display": "block", "color": "#555"},
            )
