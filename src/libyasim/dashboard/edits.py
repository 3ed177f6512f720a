"""Edits made on the Edit page, turned into a scenario variant.

A variant is YAML that ``extends`` its parent and states only what differs,
the way the shipped variants are written (DESIGN §4.1). An edited number
stops claiming the parent's source: it becomes an assumption saying who set
it and what it was, with its range widened to include the new value.

Every edit is validated on its own (so its error shows next to its field)
and the whole variant is validated by parsing the exact YAML that would be
downloaded, so what the user downloads is what the dashboard checked.
"""

from __future__ import annotations

import contextlib
import copy
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ..scenario import Quantity, Scenario, ScenarioError, get_value, set_value
from ..scenario.loader import item_key, read_yaml
from .catalogue import Entry, parse_text, problem_lines
from .evidence import fmt_number


@dataclass(frozen=True)
class Edit:
    """Set the value at a dotted path (``factions.lna.strength``) of the parent."""

    path: str
    value: Any
    reason: str = ""


@dataclass(frozen=True)
class EditSet:
    """Everything the user changed, in order. Immutable: edits make new sets."""

    edits: tuple[Edit, ...] = ()
    removed_events: tuple[str, ...] = ()
    added_events: tuple[str, ...] = ()  # YAML snippets, one event each
    variant_id: str = ""
    title: str = ""

    def set(self, edit: Edit) -> EditSet:
        rest = tuple(e for e in self.edits if e.path != edit.path)
        return EditSet(
            (*rest, edit), self.removed_events, self.added_events, self.variant_id, self.title
        )

    def drop(self, path: str) -> EditSet:
        return EditSet(
            tuple(e for e in self.edits if e.path != path),
            self.removed_events,
            self.added_events,
            self.variant_id,
            self.title,
        )

    def replace(self, **kw: Any) -> EditSet:
        data = {
            k: getattr(self, k)
            for k in ("edits", "removed_events", "added_events", "variant_id", "title")
        }
        data.update(kw)
        return EditSet(**data)

    @property
    def empty(self) -> bool:
        return not (self.edits or self.removed_events or self.added_events)


@dataclass
class Validation:
    """The outcome of validating an edit set against its parent."""

    field_errors: dict[str, list[str]] = field(default_factory=dict)  # edit path -> messages
    event_errors: dict[int, list[str]] = field(
        default_factory=dict
    )  # added event index -> messages
    problems: list[str] = field(default_factory=list)  # the variant as a whole
    text: str = ""  # the variant YAML: only the changes (``extends`` a shipped parent)
    filename: str = "variant.yaml"
    scenario: Scenario | None = None  # the validated variant
    standalone: str = ""  # the same scenario written out whole: validates on its own
    extends: str | None = None  # the parent file ``text`` extends (None: text is standalone)

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.field_errors and not self.event_errors


# --------------------------------------------------------------------------- values


def parse_value(text: str, current: Any) -> Any:
    """What the user typed, as the type the field holds (number or text).

    Raises ValueError with a readable message for a non-number in a number field.
    """
    text = text.strip()
    if isinstance(current, bool):
        low = text.lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise ValueError(f"must be true or false; got {text!r}")
    if isinstance(current, (int, float)):
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"must be a number; got {text!r}") from None
        return int(number) if isinstance(current, int) and number.is_integer() else number
    return text


def quantity_record(q: Quantity, value: float, reason: str, parent_name: str) -> dict[str, Any]:
    """The variant's record for an edited number: no longer the parent's evidence."""
    was = fmt_number(float(q.value))
    why = reason.strip() or f"set in the libyasim dashboard (was {was} in {parent_name}" + (
        f", source {q.source})" if q.source else ")"
    )
    rec: dict[str, Any] = {"value": value, "assumption": why}
    if q.source is not None:  # the parent's source no longer backs this number
        rec.update(source=None, note=None)
    if getattr(q, "inert", None) is not None:  # nor its reason for not acting
        rec["inert"] = None
    if q.range is not None:
        rec["range"] = [min(q.range[0], value), max(q.range[1], value)]
    return rec


# --------------------------------------------------------------------------- variant tree


def _identity(item: dict) -> dict:
    if isinstance(item.get("id"), str):
        return {"id": item["id"]}
    if "from" in item and "to" in item:
        out = {"from": item["from"], "to": item["to"]}
        if "channel" in item:
            out["channel"] = item["channel"]
        return out
    if "between" in item:
        return {"between": list(item["between"])}
    raise KeyError(
        "this record has no id, so a variant cannot address it; give it an 'id' in its file"
    )


def _place(tree: dict, resolved: dict, path: str, leaf: Any) -> None:
    """Put ``leaf`` at ``path`` in the variant ``tree``, creating records by identity."""
    parts = [p for p in path.split(".") if p]
    out: Any = tree
    src: Any = resolved
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(src, list):
            found = next((x for x in src if item_key(x) == part), None)
            if found is None and part.isdigit() and int(part) < len(src):
                found = src[int(part)]
            if not isinstance(found, dict):
                raise KeyError(f"no item {part!r} in {path!r}")
            ident = _identity(found)
            key = item_key(found)
            rec = next((x for x in out if item_key(x) == key), None)
            if rec is None:
                rec = copy.deepcopy(ident)
                out.append(rec)
            if last:
                raise KeyError(f"cannot replace a whole record at {path!r}")
            out, src = rec, found
            continue
        nxt_src = src.get(part) if isinstance(src, dict) else None
        if last:
            out[part] = leaf
            return
        out = out.setdefault(part, []) if isinstance(nxt_src, list) else out.setdefault(part, {})
        src = nxt_src if nxt_src is not None else {}


def _dump(data: Any) -> str:
    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.representer.add_representer(
        type(None), lambda r, _d: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def variant_data(
    parent: Entry, edits: EditSet, standalone: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """The variant as plain data (``extends`` first), and the per-edit problems
    found while placing edits. Shipped parents are extended (unless
    ``standalone``); other parents (uploads, edits) are written out whole with
    the edits applied."""
    assert parent.scenario is not None
    scenario = parent.scenario
    resolved = scenario.resolved
    quantities = dict(scenario.quantities())
    placing: dict[str, str] = {}
    tree: dict[str, Any] = {}
    leaves: dict[str, Any] = {}
    added: list[dict] = []
    for e in edits.edits:
        q = quantities.get(e.path)
        leaf = (
            quantity_record(q, e.value, e.reason, parent.name)
            if q is not None and not isinstance(e.value, str)
            else e.value
        )
        leaves[e.path] = leaf
        try:
            _place(tree, resolved, e.path, leaf)
        except KeyError as exc:
            placing[e.path] = str(exc.args[0])
    events_out = (
        tree.setdefault("events", []) if (edits.removed_events or edits.added_events) else None
    )
    for ident in edits.removed_events:
        assert events_out is not None
        rec = next((x for x in events_out if x.get("id") == ident), None)
        if rec is None:
            events_out.append({"id": ident, "remove": True})
        else:
            rec.clear()
            rec.update({"id": ident, "remove": True})
    for snippet in edits.added_events:
        try:
            data, _node = read_yaml(snippet, "event")
        except ScenarioError:
            continue  # reported per event by validate()
        assert events_out is not None
        events_out.append(data)
        added.append(data)
    head: dict[str, Any] = {}
    variant_id = edits.variant_id or f"{scenario.id}_edited"
    title = edits.title or f"{scenario.title} (edited)"
    if parent.origin == "shipped" and parent.path is not None and not standalone:
        head = {"extends": parent.path.name, "id": variant_id, "title": title}
        body = tree
    else:  # not a shipped file: a standalone copy with the edits merged in
        head = {"id": variant_id, "title": title}
        body = _apply(resolved, edits, leaves, added)
        body.pop("id", None)
        body.pop("title", None)
    return {**head, **{k: v for k, v in body.items() if k not in head}}, placing


def _apply(resolved: dict, edits: EditSet, leaves: dict[str, Any], added: list[dict]) -> dict:
    """The resolved data with the edits made in place (a standalone scenario)."""
    data = copy.deepcopy(resolved)
    for path, leaf in leaves.items():
        with contextlib.suppress(KeyError):  # reported by _place already
            set_value(data, path, leaf)
    if edits.removed_events:
        data["events"] = [
            e for e in data.get("events", []) if e.get("id") not in edits.removed_events
        ]
    if added:
        data["events"] = [*data.get("events", []), *added]
    return data


def variant_yaml(parent: Entry, edits: EditSet) -> str:
    data, _ = variant_data(parent, edits)
    header = f"# A variant of {parent.name}, written by the libyasim dashboard.\n"
    return header + _dump(data)


# --------------------------------------------------------------------------- validation


def _single_problems(scenario: Scenario, edit: Edit) -> list[str]:
    overrides = {edit.path: edit.value}
    q = dict(scenario.quantities()).get(edit.path)
    if q is not None and q.range is not None and isinstance(edit.value, int | float):
        # as in the variant: a value beyond the evidence widens its range
        overrides[f"{edit.path}.range"] = [min(q.range[0], edit.value), max(q.range[1], edit.value)]
    try:
        scenario.with_values(overrides)
    except ScenarioError as exc:
        return [p.message if p.message else str(p) for p in exc.problems]
    return []


def validate(parent: Entry, edits: EditSet, directory: Path | None = None) -> Validation:
    """Check each edit alone (errors by field), each added event, then the
    whole variant by parsing the YAML a download would give."""
    out = Validation()
    if parent.scenario is None:
        out.problems = list(parent.problems)
        return out
    scenario = parent.scenario
    for e in edits.edits:
        msgs = _single_problems(scenario, e)
        if msgs:
            out.field_errors[e.path] = msgs
    for i, snippet in enumerate(edits.added_events):
        try:
            data, _ = read_yaml(snippet, f"new event {i + 1}")
        except ScenarioError as exc:
            out.event_errors[i] = [str(p) for p in exc.problems]
            continue
        if not isinstance(data, dict) or "type" not in data:
            out.event_errors[i] = ["an event needs a 'type' (e.g. type: ceasefire) and a 'date'"]
    data, placing = variant_data(parent, edits)
    for path, msg in placing.items():
        out.field_errors.setdefault(path, []).append(msg)
    out.text = f"# A variant of {parent.name}, written by the libyasim dashboard.\n" + _dump(data)
    out.filename = f"{data['id']}.yaml"
    out.extends = data.get("extends")
    if out.extends is None:
        out.standalone = out.text
    else:
        whole, _ = variant_data(parent, edits, standalone=True)
        out.standalone = (
            f"# A variant of {parent.name}, written out whole by the libyasim dashboard\n"
            f"# (it needs no other file). Its changes: {_summary(edits)}.\n" + _dump(whole)
        )
    directory = parent.path.parent if parent.path is not None else directory
    entry = parse_text(
        f"edit: {out.filename}",
        out.text,
        "edit",
        directory,
        filename=out.filename,
        parent=parent.name,
    )
    if entry.scenario is None:
        out.problems = list(entry.problems)
    else:
        out.scenario = entry.scenario
    return out


def _summary(edits: EditSet) -> str:
    parts = [f"{e.path} = {e.value}" for e in edits.edits]
    parts += [f"event {k} removed" for k in edits.removed_events]
    parts += [f"{len(edits.added_events)} event(s) added"] if edits.added_events else []
    return "; ".join(parts) or "none"


def current_value(scenario: Scenario, path: str) -> Any:
    """The value at ``path`` (a number, a month, ...) or raise KeyError."""
    quantities = dict(scenario.quantities())
    if path in quantities:
        return quantities[path].value
    return get_value(scenario.resolved, path)


__all__ = [
    "Edit",
    "EditSet",
    "Validation",
    "current_value",
    "parse_value",
    "problem_lines",
    "validate",
    "variant_data",
    "variant_yaml",
]
