"""Compare page: two or more scenarios on the same seeds and parameter points."""

from __future__ import annotations

import solara

from ..analysis import compare_outcomes
from .answer import Glossary, QuestionHeader
from .ensemble import Job
from .page_ensemble import FanCharts, JobControls, OutcomeSummary, job_state, table_csv
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

    state = job_state(session.compare)
    QuestionHeader(compare_question(chosen), compare_answer(state))
    Glossary()
    solara.Markdown(
        "Every scenario runs the same seeds and, with sampling on, the same draws of "
        "the parameters they share, so differences come from the scenarios, not from luck."
    )
    JobControls(session.compare, make_job, "Run comparison", disabled=bool(problems))
    if problems:
        ProblemList(problems, title="Cannot compare yet")
    shown = state.outcome if state.outcome is not None else state.partial
    if shown is not None and shown.runs["status"].eq("ok").any() and state.job is not None:
        with solara.ColumnsResponsive(12, large=6):
            OutcomeSummary(shown, single=False, running=state.outcome is None)
            with solara.Column():
                DifferenceTable(shown)
        if state.outcome is not None:
            with solara.Column(style={"width": "100%"}):
                FanCharts(state.outcome, state.job.scenarios[0][1])


def compare_question(chosen: list[str]) -> str:
    if len(chosen) < 2:
        return "What changes from one scenario to another?"
    ref, others = chosen[0].removesuffix(".yaml"), [c.removesuffix(".yaml") for c in chosen[1:]]
    return f"What changes with {', '.join(others)} instead of {ref}?"


def compare_answer(state) -> str:
    """The largest change in an end state's probability, with its 95% interval."""
    shown = state.outcome if state.outcome is not None else state.partial
    if shown is None or not shown.runs["status"].eq("ok").any():
        return "Run the comparison to see: the same seeds and draws for every scenario."
    table = compare_outcomes(shown.runs)
    t = table[table["kind"] == "end_state"]
    t = t[t["diff"].abs() > 0] if (t["diff"].abs() > 0).any() else t
    if t.empty:
        return "No difference in any end state."
    r = t.loc[t["diff"].abs().idxmax()]
    so_far = " so far" if state.outcome is None else ""
    return (
        f"Largest change{so_far}: {str(r['outcome']).replace('_', ' ')} "
        f"{100 * r['diff']:+.0f} pts [{100 * r['lo']:+.0f}, {100 * r['hi']:+.0f}] "
        f"in {r['scenario']} ({100 * r['p_baseline']:.0f}% → {100 * r['p']:.0f}%)."
    )


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
        solara.Markdown("\n".join(lines), style={"overflow-x": "auto"})
        solara.FileDownload(
            lambda: table_csv(table), filename="differences_from_reference.csv", label="CSV"
        )
        changed = table.drop_duplicates("scenario")
        for r in changed.itertuples():
            solara.Text(
                f"{r.scenario}: {100 * r.changed:.0f}% of {r.paired} paired runs end differently "
                "from the reference",
                style={"display": "block", "color": "#555"},
            )
