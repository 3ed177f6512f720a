"""Evidence page: every parameter with its value, range and evidence; the source view."""

from __future__ import annotations

import solara

from .answer import QuestionHeader
from .evidence import (
    SORTS,
    Row,
    filter_rows,
    fmt_number,
    fmt_range,
    locator_anchor,
    parameter_rows,
    rows_csv,
    sort_rows,
    source_view,
    summary_counts,
)
from .session import Session, use_session
from .widgets import ScenarioPicker, ScrollTo

PAGE_SIZE = 50
KINDS = {"all": None, "source": "source", "assumption": "assumption", "no evidence": "none"}
_CELL = {"padding": "4px 8px", "vertical-align": "top", "border-bottom": "1px solid #eee"}


@solara.component
def LocatorLink(session: Session, locator: str):
    """A locator that opens the source view scrolled to its entry, highlighted."""

    def open_source() -> None:
        session.locator.set(locator)
        session.evidence_tab.set(1)
        session.scroll.set(session.scroll.value + 1)  # again, even for the same locator

    solara.Button(
        locator,
        text=True,
        small=True,
        color="primary",
        on_click=open_source,
        classes=["libyasim-locator"],
        style={"text-transform": "none", "padding": "0 4px"},
    )


@solara.component
def ParameterRow(session: Session, row: Row):
    with solara.v.Html(tag="tr", attributes={"class": f"libyasim-param kind-{row.kind}"}):
        solara.v.Html(
            tag="td",
            children=[row.path],
            style_=_style({"font-family": "monospace", "word-break": "break-all"}),
        )
        solara.v.Html(
            tag="td", children=[fmt_number(row.value)], style_=_style({"text-align": "right"})
        )
        solara.v.Html(
            tag="td", children=[fmt_range(row.range)], style_=_style({"white-space": "nowrap"})
        )
        solara.v.Html(
            tag="td",
            children=[row.unit],
            class_="libyasim-unit",
            style_=_style({"font-size": "0.85em", "color": "#555", "max-width": "260px"}),
        )
        with solara.v.Html(tag="td", style_=_style({})):
            if row.source:
                LocatorLink(session, row.source)
                solara.Text(row.note or "", style={"font-style": "italic"})
            elif row.assumption:
                solara.Text("assumption: ", style={"color": "#a15c00", "font-weight": "bold"})
                solara.Text(row.assumption)
            else:
                solara.Text("no evidence given", style={"color": "#b00020"})


def _style(extra: dict) -> str:
    return "; ".join(f"{k}: {v}" for k, v in {**_CELL, **extra}.items())


@solara.component
def ParameterTable(session: Session, rows: list[Row]):
    actor, set_actor = solara.use_state("all actors")
    text, set_text = solara.use_state("")
    kind, set_kind = solara.use_state("all")
    page, set_page = solara.use_state(0)
    sort, set_sort = solara.use_state(("parameter", False))
    scenario = session.entry.scenario if session.entry else None
    assert scenario is not None
    names = {f.id: f.name for f in scenario.factions} | {s.id: s.name for s in scenario.sponsors}
    actor_labels = ["all actors"] + [f"{i} — {n}" for i, n in names.items()]
    shown = sort_rows(
        filter_rows(
            rows, None if actor == "all actors" else actor.split(" — ")[0], text, KINDS[kind]
        ),
        *sort,
    )
    pages = max(1, (len(shown) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(page, pages - 1)

    def reset_page(setter):
        def set_(value):
            setter(value)
            set_page(0)

        return set_

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select(
            "Actor",
            values=actor_labels,
            value=actor,
            on_value=reset_page(set_actor),
            style={"max-width": "320px"},
        )
        solara.InputText(
            "Search path or evidence",
            value=text,
            on_value=reset_page(set_text),
            continuous_update=True,
            style={"max-width": "320px"},
        )
        solara.ToggleButtonsSingle(value=kind, values=list(KINDS), on_value=reset_page(set_kind))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(f"{len(shown)} of {len(rows)} parameters", classes=["libyasim-count"])
        solara.FileDownload(
            lambda: rows_csv(shown, scenario).encode("utf-8"),
            filename=f"{scenario.id}_evidence.csv",
            label=f"Download these {len(shown)} rows (CSV)",
            mime_type="text/csv",
        )
    with solara.v.SimpleTable(dense=True, style_="overflow-x: auto"):
        with solara.v.Html(tag="thead"), solara.v.Html(tag="tr"):
            for head in ("parameter", "value", "range", "unit", "evidence"):
                key = {"range": "range width"}.get(head, head)
                with solara.v.Html(tag="th"):
                    if key in SORTS:
                        SortHeader(head, key, sort, set_sort)
                    else:
                        solara.Text(head)
        with solara.v.Html(tag="tbody"):
            for row in shown[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
                ParameterRow(session, row)
    if pages > 1:
        with solara.Row(style={"align-items": "center"}):
            solara.Button(
                "previous", disabled=page == 0, on_click=lambda: set_page(page - 1), text=True
            )
            solara.Text(f"page {page + 1} of {pages}")
            solara.Button(
                "next", disabled=page >= pages - 1, on_click=lambda: set_page(page + 1), text=True
            )


@solara.component
def SortHeader(head: str, key: str, sort: tuple[str, bool], set_sort):
    """A column header that sorts by it; a second click reverses the order."""
    by, descending = sort
    arrow = (" ▼" if descending else " ▲") if by == key else ""
    solara.Button(
        head + arrow,
        text=True,
        small=True,
        on_click=lambda: set_sort((key, not descending if by == key else False)),
        classes=["libyasim-sort"],
        style={"text-transform": "none", "padding": "0 2px", "min-width": "0"},
    )


@solara.component
def SourceView(session: Session):
    """Locators in reading order, each with what the scenario says it supports.

    The source text itself is never shipped: analysts open their own copy at
    the paragraph and sentence given, and ``libyasim sources check`` proves
    each locator still points at the sentence it was written for.
    """
    scenario = session.entry.scenario if session.entry else None
    assert scenario is not None
    docs = source_view(scenario)
    selected = session.locator.value
    solara.Markdown(
        "Locators name a paragraph and sentence (`seed:p3s1` = paragraph 3, sentence 1) of a "
        "registered document. libyasim ships no text of the documents, only our paraphrases "
        "and a fingerprint (sha256) of each located sentence; check them against your copy "
        "with `libyasim sources check --document seed=PATH`."
    )
    if selected:
        ScrollTo(locator_anchor(selected), session.scroll.value)
    if not docs:
        solara.Info("This scenario cites no registered document.")
    for doc in docs:
        cited = sum(1 for e in doc.entries if e.citations)
        with solara.Card(f"{doc.id}: {doc.title}"):
            with solara.Column(gap="2px", classes=["libyasim-citation"]):
                solara.Text("Citation: " + doc.citation, style={"font-size": "0.9em"})
                solara.Text(
                    f"registered as `{doc.id}` · {len(doc.entries)} located sentences, "
                    f"{cited} cited by this scenario"
                    + (
                        f" · not recorded: {', '.join(doc.missing)} (add them to the "
                        f"scenario's documents.{doc.id})"
                        if doc.missing
                        else ""
                    ),
                    style={"font-size": "0.8em", "color": "#666"},
                )
            for entry in doc.entries:
                highlight = entry.locator == selected
                style = {
                    "padding": "6px 8px",
                    "border-left": "4px solid " + ("#1976d2" if highlight else "#ddd"),
                    "background": "#fff59d" if highlight else "transparent",
                    "margin": "4px 0",
                    "transition": "background 0.6s",
                }
                with solara.v.Html(
                    tag="div",
                    attributes={"id": locator_anchor(entry.locator)},
                    class_="libyasim-source" + (" selected" if highlight else ""),
                    style_="; ".join(f"{k}: {v}" for k, v in style.items()),
                ):
                    head = entry.locator + (
                        "" if entry.registered else "  (not registered: run libyasim sources stamp)"
                    )
                    solara.Text(head, style={"font-family": "monospace", "font-weight": "bold"})
                    if not entry.citations:
                        solara.Text(
                            "registered, not cited by this scenario", style={"color": "#777"}
                        )
                    for c in entry.citations:
                        value = f" = {fmt_number(c.value)}" if c.value is not None else ""
                        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
                            solara.Text(
                                f"{c.path}{value}",
                                style={"font-family": "monospace", "word-break": "break-all"},
                            )
                            solara.Text(c.note, style={"font-style": "italic"})


@solara.component
def EvidencePage():
    session = use_session()
    solara.Title("libyasim · Evidence")
    ScenarioPicker()
    entry = session.entry
    if entry is not None and entry.scenario is not None:
        EvidenceBody(session, entry).key(entry.name)


@solara.component
def EvidenceBody(session: Session, entry):
    rows = solara.use_memo(lambda: parameter_rows(entry.scenario), [entry.name, id(entry.scenario)])
    counts = summary_counts(rows)
    QuestionHeader(
        f"What is each number of {entry.scenario.title} based on?",
        f"{len(rows)} parameters: {counts['source']} backed by a source, "
        f"{counts['assumption']} labelled assumptions, {counts['none']} without evidence.",
    )
    with solara.lab.Tabs(value=session.evidence_tab.value, on_value=session.evidence_tab.set):
        with solara.lab.Tab("Parameters"):
            ParameterTable(session, rows)
        with solara.lab.Tab("Sources"):
            SourceView(session)
