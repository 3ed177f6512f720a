"""Edit page: change parameters and events, validate live, download a variant, upload a file."""

from __future__ import annotations

from collections.abc import Callable

import solara

from .answer import QuestionHeader
from .catalogue import Entry, parse_text
from .edits import Edit, EditSet, Validation, current_value, parse_value, validate
from .evidence import fmt_number, fmt_range, path_actors
from .session import Session, use_session
from .widgets import ProblemList, ScenarioPicker, UploadBox


def editing_base(session: Session) -> Entry | None:
    """The scenario the Edit page's changes apply to: the current scenario, or,
    when that is a variant made here, the parent it was made from (its changes
    stay in the form, and Use this variant updates it instead of stacking a
    variant of the variant)."""
    entry = session.entry
    if entry is not None and entry.origin == "edit" and entry.edits is not None:
        parent = session.catalogue.value.get(entry.parent)
        if parent is not None and parent.ok:
            return parent
    return entry


def _check_value(session: Session, path: str, text: str) -> tuple[object | None, str]:
    """(parsed value, error message or '') for what the user typed at ``path``."""
    entry = editing_base(session)
    assert entry is not None and entry.scenario is not None
    try:
        current = current_value(entry.scenario, path)
        value = parse_value(text, current)
    except (KeyError, ValueError) as exc:
        return None, str(exc.args[0]) if exc.args else str(exc)
    probe = validate(entry, EditSet().set(Edit(path, value)))
    msgs = probe.field_errors.get(path, [])
    return value, "; ".join(msgs)


@solara.component
def AddParameter(session: Session):
    """Pick a parameter, type a value: checked on every keystroke."""
    entry = editing_base(session)
    assert entry is not None and entry.scenario is not None
    scenario = entry.scenario
    actor, set_actor = solara.use_state("all actors")
    path, set_path = solara.use_state(cast_str(None))
    text, set_text = solara.use_state("")
    reason, set_reason = solara.use_state("")
    quantities = solara.use_memo(lambda: dict(scenario.quantities()), [id(scenario)])
    actors = ["all actors", *scenario.actor_ids]
    paths = [p for p in quantities if actor == "all actors" or actor in path_actors(scenario, p)]
    value, error = _check_value(session, path, text) if path and text.strip() else (None, "")

    def add() -> None:
        if path and value is not None and not error:
            session.edits.set(session.edits.value.set(Edit(path, value, reason)))
            set_text("")
            set_reason("")

    with solara.Card("Change a parameter"):
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Select(
                "Actor",
                values=actors,
                value=actor,
                on_value=set_actor,
                style={"max-width": "220px"},
            )
            solara.Select(
                "Parameter",
                values=paths,
                value=path if path in paths else None,
                on_value=set_path,
                style={"min-width": "420px"},
            )
        if path:
            q = quantities[path]
            ev = (
                f"source {q.source}: {q.note}"
                if q.source
                else (f"assumption: {q.assumption}" if q.assumption else "no evidence")
            )
            solara.Text(
                f"now {fmt_number(q.value)}, range {fmt_range(q.range)} — {ev}",
                style={"font-size": "0.9em", "color": "#444"},
            )
            with solara.Row(style={"align-items": "flex-start"}):
                solara.InputText(
                    "New value",
                    value=text,
                    on_value=set_text,
                    continuous_update=True,
                    error=error or False,
                    style={"max-width": "220px"},
                    classes=["libyasim-new-value"],
                )
                solara.InputText(
                    "Why (becomes the assumption)",
                    value=reason,
                    on_value=set_reason,
                    continuous_update=True,
                    style={"min-width": "320px"},
                )
                solara.Button(
                    "Add change",
                    on_click=add,
                    color="primary",
                    disabled=value is None or bool(error),
                )


@solara.component
def EditRow(session: Session, edit: Edit, errors: list[str]):
    """One change in the edit set; its value stays editable and is re-checked live."""
    text, set_text = solara.use_state(str(edit.value))
    local_error = _check_value(session, edit.path, text)[1] if text != str(edit.value) else ""

    def on_text(new: str) -> None:
        set_text(new)
        value, error = _check_value(session, edit.path, new)
        if value is not None and not error:
            session.edits.set(session.edits.value.set(Edit(edit.path, value, edit.reason)))

    shown = local_error or "; ".join(errors)
    with solara.Row(style={"align-items": "flex-start"}, classes=["libyasim-edit"]):
        solara.Text(
            edit.path,
            style={"font-family": "monospace", "min-width": "360px", "padding-top": "18px"},
        )
        solara.InputText(
            "value",
            value=text,
            on_value=on_text,
            continuous_update=True,
            error=shown or False,
            style={"max-width": "260px"},
        )
        solara.Button(
            icon_name="mdi-delete",
            icon=True,
            on_click=lambda: session.edits.set(session.edits.value.drop(edit.path)),
        )


def _remove_event(session: Session, edits: EditSet, key: str) -> Callable[[bool], None]:
    """The checkbox handler that marks (or unmarks) the event ``key`` as removed."""

    def on_value(on: bool) -> None:
        kept = tuple(x for x in edits.removed_events if x != key)
        session.edits.set(edits.replace(removed_events=kept + ((key,) if on else ())))

    return on_value


@solara.component
def EventsEditor(session: Session, validation: Validation):
    entry = editing_base(session)
    assert entry is not None and entry.scenario is not None
    edits = session.edits.value
    new_text, set_new_text = solara.use_state("")
    with solara.Card("Events"):
        for i, ev in enumerate(entry.scenario.events):
            key = ev.id or str(i)
            path = f"events.{key}.date"
            removed = key in edits.removed_events
            current = next((e.value for e in edits.edits if e.path == path), ev.date)
            with solara.Row(style={"align-items": "center"}, classes=["libyasim-event"]):
                solara.Text(
                    f"{key}: {ev.type}",
                    style={
                        "min-width": "260px",
                        "font-family": "monospace",
                        "text-decoration": "line-through" if removed else "none",
                    },
                )
                DateField(session, path, str(current), validation.field_errors.get(path, [])).key(
                    path
                )
                if ev.id:
                    solara.Checkbox(
                        label="remove",
                        value=removed,
                        on_value=_remove_event(session, edits, key),
                    )
                else:
                    solara.Text("(no id: cannot be removed by a variant)", style={"color": "#777"})
        for i, snippet in enumerate(edits.added_events):
            with solara.Row(style={"align-items": "flex-start"}):
                solara.Preformatted(snippet)
                solara.Button(
                    icon_name="mdi-delete",
                    icon=True,
                    on_click=lambda i=i: session.edits.set(
                        edits.replace(
                            added_events=tuple(
                                x for j, x in enumerate(edits.added_events) if j != i
                            )
                        )
                    ),
                )
            ProblemList(validation.event_errors.get(i, []), title="This event")
        solara.InputTextArea(
            "New event (YAML), e.g. type: ceasefire / date: 2018-06 / parties: [lna, gna]",
            value=new_text,
            on_value=set_new_text,
            continuous_update=True,
            rows=4,
        )

        def add_event() -> None:
            session.edits.set(edits.replace(added_events=(*edits.added_events, new_text)))
            set_new_text("")

        solara.Button("Add event", on_click=add_event, disabled=not new_text.strip())


@solara.component
def DateField(session: Session, path: str, value: str, errors: list[str]):
    text, set_text = solara.use_state(value)
    error = _check_value(session, path, text)[1] if text != value else ""

    def on_text(new: str) -> None:
        set_text(new)
        parsed, err = _check_value(session, path, new)
        if parsed is not None and not err:
            session.edits.set(session.edits.value.set(Edit(path, parsed)))

    solara.InputText(
        "date (YYYY-MM)",
        value=text,
        on_value=on_text,
        continuous_update=True,
        error=error or "; ".join(errors) or False,
        style={"max-width": "200px"},
    )


@solara.component
def UploadSection(session: Session):
    pasted, set_pasted = solara.use_state("")
    result = session.upload_result.value

    def on_entry(entry: Entry) -> None:
        session.upload_result.set(entry)
        if entry.ok:
            session.add(entry)

    def check_pasted() -> None:
        on_entry(
            parse_text(
                "upload: pasted.yaml", pasted, "upload", session.directory, filename="pasted.yaml"
            )
        )

    with solara.Card("Upload a scenario file"):
        solara.Text(
            "A YAML scenario (up to 1 MB). It may extend a shipped scenario "
            "(extends: baseline_2017.yaml). Valid files join the scenario list."
        )
        UploadBox(on_entry=on_entry, directory=session.directory)
        with solara.Details("…or paste YAML"):
            solara.InputTextArea(
                "Scenario YAML", value=pasted, on_value=set_pasted, rows=8, continuous_update=True
            )
            solara.Button("Check and add", on_click=check_pasted, disabled=not pasted.strip())
        if result is not None:
            if result.ok:
                solara.Success(
                    f"{result.name} is valid and is now the current scenario.",
                    classes=["libyasim-upload-ok"],
                )
            else:
                ProblemList(list(result.problems), title=f"{result.name} is not a valid scenario")


@solara.component
def EditPage():
    session = use_session()
    solara.Title("libyasim · Edit")
    ScenarioPicker()
    entry = session.entry
    base = editing_base(session)
    if base is not None and base.scenario is not None:
        edits = session.edits.value
        n = len(edits.edits) + len(edits.removed_events) + len(edits.added_events)
        QuestionHeader(
            f"What if a number or an event of {base.scenario.title} were different?",
            (
                f"{n} change{'s' if n != 1 else ''} in the variant so far: download it, "
                "or use it on every page."
            )
            if n
            else "Change a parameter or an event below to make a variant, or upload a file.",
        )
    with solara.ColumnsResponsive([12], large=[7, 5]):
        with solara.Column():
            if base is not None and base.scenario is not None:
                EditBody(session, base).key(f"{base.name}|{entry.name if entry else ''}")
        with solara.Column():
            UploadSection(session)


@solara.component
def EditBody(session: Session, entry: Entry):
    edits = session.edits.value
    validation = solara.use_memo(lambda: validate(entry, edits), [entry.name, edits])
    scenario = entry.scenario
    if scenario is None:
        ProblemList(
            entry.problems, title=f"{entry.name} could not be loaded, so it cannot be edited"
        )
        return
    with solara.Card("Variant"), solara.Row():
        solara.InputText(
            "id",
            value=edits.variant_id or f"{scenario.id}_edited",
            on_value=lambda v: session.edits.set(session.edits.value.replace(variant_id=v)),
        )
        solara.InputText(
            "title",
            value=edits.title or f"{scenario.title} (edited)",
            on_value=lambda v: session.edits.set(session.edits.value.replace(title=v)),
        )
    AddParameter(session)
    with solara.Card(f"Changes ({len(edits.edits)})"):
        if not edits.edits:
            solara.Text("No parameter changed yet.")
        for e in edits.edits:
            EditRow(session, e, validation.field_errors.get(e.path, [])).key(e.path)
    EventsEditor(session, validation)
    VariantOutput(session, entry, validation)


@solara.component
def VariantOutput(session: Session, entry: Entry, validation: Validation):
    name = f"edit: {validation.filename}"
    current = session.entry
    in_use = (
        current is not None
        and current.name == name
        and current.edits == session.edits.value
        and current.parent == entry.name
    )
    with solara.Card("Result"):
        if validation.ok:
            solara.Success(
                f"Valid variant of {entry.name}: {validation.filename}",
                classes=["libyasim-variant-ok"],
            )
        ProblemList(validation.problems, title="The variant is not valid")
        with solara.Column(gap="4px", classes=["libyasim-downloads"]):
            solara.FileDownload(
                validation.standalone.encode("utf-8"),
                filename=validation.filename,
                label=f"Download {validation.filename}",
                mime_type="text/yaml",
            )
            solara.Text(
                "The whole scenario with your changes: it needs no other file and "
                f"validates on its own (libyasim validate {validation.filename}).",
                style={"font-size": "0.85em", "color": "#555"},
            )
            if validation.extends:
                short = validation.filename.removesuffix(".yaml") + ".variant.yaml"
                solara.FileDownload(
                    validation.text.encode("utf-8"),
                    filename=short,
                    label=f"Download {short} (changes only)",
                    mime_type="text/yaml",
                )
                solara.Text(
                    f"Only the changes, the way shipped variants are written: it extends "
                    f"{validation.extends}, so save it in the same folder as that file "
                    f"(the project's scenarios/ folder, or the folder given to "
                    f"libyasim dashboard --scenarios).",
                    style={"font-size": "0.85em", "color": "#555"},
                    classes=["libyasim-save-where"],
                )

        def use_variant() -> None:
            if validation.scenario is not None:
                session.add(
                    Entry(
                        name,
                        "edit",
                        scenario=validation.scenario,
                        text=validation.standalone,
                        parent=entry.name,
                        edits=session.edits.value,
                    )
                )

        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                "Use this variant" if not in_use else "In use",
                on_click=use_variant,
                disabled=not validation.ok or in_use,
                color="primary",
                classes=["libyasim-use-variant"],
            )
            if in_use:
                solara.Text(
                    f"Now using {name} on every page. Change it here and press "
                    "Use this variant again to update it.",
                    classes=["libyasim-now-using-edit"],
                    style={"color": "#2e7d32"},
                )
        with solara.Details("Variant YAML (changes only)"):
            solara.Preformatted(validation.text)


def cast_str(x: str | None) -> str | None:
    return x
