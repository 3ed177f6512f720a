"""The Run page's levers: the parameters analysts reach for first, each with its
value, evidence range and allowed bounds, a slider and a typed entry, and an
**Apply** button; the unchanged run kept beside the changed one, and a note
when a lever changes nothing.

The data side is plain Python (:func:`key_parameters`, :func:`check_lever`,
:func:`build_runs`, :func:`lever_effect`), so the page tests and the browser
tests exercise the same rules.

**For the figures** (``page_run`` / ``figures``): :func:`reference_model`
returns the unchanged run (same scenario and seed, no levers), stepped in
lockstep with the changed one, or None when no lever is applied; draw it
faintly behind the changed run (its ``recorder.frame()`` has the same columns).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import solara

from ..scenario import Scenario, ScenarioError
from .evidence import fmt_number, fmt_range

#: The bounds the scenario schema allows each kind of lever (``NonNegative``
#: budgets, ``Unit`` interest weights, ``Signed`` stances in
#: ``libyasim.scenario.schema.Sponsor``); a typed value may leave the
#: evidence range but not these. ``tests/test_dashboard_levers.py`` checks
#: them against the schema.
LIMITS: dict[str, tuple[float | None, float | None]] = {
    "budget": (0.0, None),
    "interests": (0.0, 1.0),
    "stance": (-1.0, 1.0),
}


@dataclass(frozen=True)
class KeyParameter:
    """One lever: a dotted scenario path, its value and its ranges."""

    path: str
    label: str
    value: Any
    lo: float | None = None  # evidence range (the scenario's ``range``)
    hi: float | None = None
    group: str = ""
    kind: str = ""  # budget, interests, stance, date
    min: float | None = None  # what the schema allows
    max: float | None = None

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, str)

    @property
    def evidence(self) -> str:
        return fmt_range((self.lo, self.hi)) if self.lo is not None and self.hi is not None else "—"

    @property
    def allowed(self) -> str:
        lo = "−∞" if self.min is None else fmt_number(self.min)
        hi = "∞" if self.max is None else fmt_number(self.max)
        return f"[{lo}, {hi}]"

    def slider_bounds(self, value: float | None = None) -> tuple[float, float]:
        """The slider's ends: the allowed bounds, or (no upper bound) twice the
        larger of the evidence range and the value."""
        v = float(self.value if value is None else value)
        lo = self.min if self.min is not None else min(self.lo or 0.0, v)
        top = max(self.hi or 0.0, v, float(self.value), 1e-9)
        hi = self.max if self.max is not None else _round_up(2 * top)
        return float(lo), float(hi)

    def beyond_evidence(self, value: Any) -> bool:
        if self.is_date or self.lo is None or self.hi is None:
            return False
        return not self.lo <= float(value) <= self.hi


def _round_up(x: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``x``."""
    if x <= 0:
        return 1.0
    p = 10.0 ** math.floor(math.log10(x))
    return next(m * p for m in (1, 2, 5, 10) if m * p >= x)


def key_parameters(scenario: Scenario) -> list[KeyParameter]:
    """The levers analysts reach for first: each sponsor's budgets, interest
    weights and stances (France's counter-terrorism focus, Italy's stance on
    Haftar...), and the dates of ceasefires and elections."""
    out: list[KeyParameter] = []
    for sp in scenario.sponsors:
        group = f"{sp.name} ({sp.id})"
        sections: list[tuple[str, dict[Any, Any], Callable[[Any], str], str]] = [
            ("budget", sp.budget, lambda k: f"budget: {k.value}", "budget"),
            ("interests", sp.interests, lambda k: f"interest: {k.value}", "interests"),
            ("stance", sp.stance, lambda k: f"stance toward {k}", "stance"),
        ]
        for kind, items, label, field in sections:
            lo_allowed, hi_allowed = LIMITS[kind]
            for key, q in items.items():
                name = getattr(key, "value", key)
                lo, hi = q.range or (None, None)
                out.append(
                    KeyParameter(
                        f"sponsors.{sp.id}.{field}.{name}",
                        label(key),
                        float(q.value),
                        lo,
                        hi,
                        group,
                        kind,
                        lo_allowed,
                        hi_allowed,
                    )
                )
    for i, ev in enumerate(scenario.events):
        if ev.type in ("ceasefire", "election"):
            key = ev.id or str(i)
            out.append(
                KeyParameter(
                    f"events.{key}.date",
                    f"{ev.type} {key}: date",
                    ev.date,
                    group="Ceasefires and elections",
                    kind="date",
                )
            )
    return out


def lever_step(k: KeyParameter) -> float:
    """A round slider step (0.01, 0.1, 100...) about a tenth of a decade of the range."""
    lo, hi = k.slider_bounds()
    span = hi - lo
    if span <= 0:
        return 0.01
    decade = math.floor(math.log10(span))
    return 10.0 ** (decade - 2 if span <= 2 else decade - 1)


def is_month(text: str) -> bool:
    import re

    return re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text) is not None


@dataclass(frozen=True)
class Check:
    """What a typed lever value means: the value, or why it cannot be used;
    and a warning when it leaves the evidence range."""

    value: Any = None
    error: str = ""
    warning: str = ""


def check_lever(k: KeyParameter, text: str) -> Check:
    """Parse and check a typed value for lever ``k`` (never raises)."""
    text = text.strip()
    if k.is_date:
        return Check(text) if is_month(text) else Check(error="write the month as YYYY-MM")
    try:
        value = float(text.replace(",", "").replace("−", "-"))
    except ValueError:
        return Check(error=f"must be a number; got {text!r}")
    if not math.isfinite(value):
        return Check(error="must be a finite number")
    if k.min is not None and value < k.min:
        return Check(error=f"must be >= {fmt_number(k.min)} (the scenario's rules); got {text}")
    if k.max is not None and value > k.max:
        return Check(error=f"must be <= {fmt_number(k.max)} (the scenario's rules); got {text}")
    return Check(value, warning=beyond_warning(k, value))


def beyond_warning(k: KeyParameter, value: Any) -> str:
    if not k.beyond_evidence(value):
        return ""
    return (
        f"beyond the evidence range {k.evidence}: this is your assumption, "
        "not what the sources support"
    )


# --------------------------------------------------------------------------- runs


def build_runs(
    scenario: Scenario, seed: int, overrides: dict[str, Any]
) -> tuple[Any, Any, tuple[str, ...]]:
    """(model, reference, problems): the model with the levers applied and, when
    a lever is applied, the unchanged model on the same seed (else None)."""
    from ..model import LibyaModel
    from .ensemble import widened

    try:
        changed = scenario.with_values(widened(scenario, overrides)) if overrides else scenario
        model = LibyaModel(changed, rng=int(seed))
    except ScenarioError as exc:
        return None, None, tuple(str(p) for p in exc.problems)
    reference = LibyaModel(scenario, rng=int(seed)) if overrides else None
    return model, reference, ()


def reference_model(state: Any) -> Any:
    """The unchanged run behind ``state`` (a page_run.RunState), or None."""
    return getattr(state, "reference", None)


def runs_identical(model: Any, reference: Any) -> bool:
    """True when the two runs are bit-identical so far (series and events)."""
    if model is None or reference is None or model.steps != reference.steps:
        return False
    a, b = model.recorder.frame(), reference.recorder.frame()
    return a.equals(b) and list(model.event_log) == list(reference.event_log)


def candidates(scenario: Scenario, sponsor: str, overrides: dict[str, Any]) -> set[str]:
    """The factions ``sponsor`` may fund at the start (ODD 7.1, ``model/support.py``
    ``candidates``): those it has a support edge to, or a positive stance toward."""
    out = {e.target for e in scenario.relations.support if e.source == sponsor}
    for sp in scenario.sponsors:
        if sp.id == sponsor:
            for f, q in sp.stance.items():
                if float(overrides.get(f"sponsors.{sponsor}.stance.{f}", q.value)) > 0:
                    out.add(f)
    return out


def inert_reasons(scenario: Scenario, overrides: dict[str, Any]) -> list[str]:
    """Known reasons why the levers ``overrides`` may not act in ``scenario``:
    the number's own ``inert`` reason in the scenario (for values in its range),
    the mechanism gate's declared-inert mechanisms (``model/mechanisms.py``), a
    stance that stays at or below 0 toward a faction the sponsor has no edge to,
    and interest weights of a sponsor that can fund a single faction."""
    from ..model.mechanisms import MECHANISMS

    out: list[str] = []
    quantities = dict(scenario.quantities())
    for path, value in overrides.items():
        q = quantities.get(path)
        marked = getattr(q, "inert", None)
        number = isinstance(value, int | float)
        within = q is not None and number and (q.range is None or q.range[0] <= value <= q.range[1])
        if marked and within:  # the scenario says why it does not act over its range
            out.append(f"{path}: {marked} (marked inert in the scenario)")
            continue
        for m in MECHANISMS:
            if m.lever == path and m.inert and m.scenario == scenario.id:
                out.append(f"{path}: {m.inert} (mechanism gate, {m.name})")
        parts = path.split(".")
        if len(parts) != 4 or parts[0] != "sponsors":
            continue
        sponsor, field, key = parts[1], parts[2], parts[3]
        edges = {e.target for e in scenario.relations.support if e.source == sponsor}
        if field == "stance" and key not in edges and float(value) <= 0:
            out.append(
                f"{path}: {sponsor} has no support edge to {key} and its stance stays at or "
                f"below 0, so {key} is never among the factions {sponsor} may fund (ODD 7.1: "
                "an edge or a positive stance); try a value above 0"
            )
        cands = candidates(scenario, sponsor, overrides)
        if (field == "interests" or (field == "stance" and key in cands)) and len(cands) <= 1:
            only = next(iter(cands), "no faction")
            out.append(
                f"{path}: {sponsor} can fund only {only} (its support edges and positive "
                "stances), so its weights have no choice between factions to shift; "
                "they act only if they push its utility for it below zero"
            )
    return out


def lever_effect(state: Any, scenario: Scenario | None) -> str:
    """A note when the applied levers change nothing so far, else ''."""
    model: Any = getattr(state, "model", None)
    if not getattr(state, "overrides", None) or not runs_identical(model, reference_model(state)):
        return ""
    if model.steps == 0:  # nothing has happened yet in either run
        return ""
    when = "over the whole run" if not model.running else f"so far (to {model.month})"
    text = (
        f"The applied levers change nothing {when}: this run is identical, month by "
        "month and event by event, to the unchanged one."
    )
    reasons = inert_reasons(scenario, state.overrides) if scenario is not None else []
    if reasons:
        text += " Why: " + "; ".join(reasons) + "."
    elif not model.running:
        text += (
            " No reason is recorded for it: the number may act only through a threshold "
            "this run never crossed (docs/audit.md lists the numbers found inert)."
        )
    return text


# --------------------------------------------------------------------------- components


@solara.component
def LeverPanel(
    scenario: Scenario,
    applied: dict[str, Any],
    on_apply: Callable[[dict[str, Any]], None],
    other_pending: str = "",
):
    """The levers, grouped by sponsor, with a sticky Apply bar.

    ``applied`` are the levers of the current run; moves are drafts until
    **Apply** (``on_apply(draft)``) rebuilds the run with them. ``other_pending``
    names another pending change (a new seed) that Apply also takes.
    """
    draft, set_draft = solara.use_state(dict(applied))
    levers = solara.use_memo(lambda: key_parameters(scenario), [id(scenario)])
    by_path = {k.path: k for k in levers}
    changed = sorted(set(draft) ^ set(applied) | {p for p in draft if draft[p] != applied.get(p)})
    problems = [p for p in draft if p in by_path and _draft_error(by_path[p], draft[p])]
    pending = bool(changed) or bool(other_pending)
    what = [f"{len(changed)} lever{'s' if len(changed) != 1 else ''}"] if changed else []
    what += [other_pending] if other_pending else []
    with (
        solara.Column(
            gap="4px",
            classes=["libyasim-apply-bar"],
            style={
                "position": "sticky",
                "top": "0px",
                "z-index": "3",
                "background": "#fff8e1" if pending else "white",
                "padding": "4px 0",
            },
        ),
        solara.Row(gap="4px", style={"align-items": "center", "flex-wrap": "wrap"}),
    ):
        solara.Button(
            "Apply",
            color="primary",
            disabled=not pending or bool(problems),
            on_click=lambda: on_apply(dict(draft)),
            classes=["libyasim-apply"],
        )
        solara.Button(
            "Discard",
            text=True,
            disabled=not changed,
            on_click=lambda: set_draft(dict(applied)),
        )
        solara.Text(
            (", ".join(what) + " changed: not yet in the run")
            if pending
            else "the run is up to date",
            classes=["libyasim-pending"],
            style={"font-size": "0.85em", "color": "#a15c00" if pending else "#555"},
        )
    solara.Markdown(
        "**Key parameters** — value, evidence range and allowed bounds; type a value "
        "or slide. Values beyond the evidence are allowed, with a warning."
    )
    groups: dict[str, list[KeyParameter]] = {}
    for k in levers:
        groups.setdefault(k.group, []).append(k)
    for group, items in groups.items():
        LeverGroup(group, items, draft, set_draft).key(group)
    if draft:
        solara.Button("Back to the scenario's values", text=True, on_click=lambda: set_draft({}))


def _draft_error(k: KeyParameter, value: Any) -> str:
    return check_lever(k, str(value)).error


@solara.component
def LeverGroup(
    group: str, items: list[KeyParameter], draft: dict[str, Any], set_draft: Callable[[dict], None]
):
    """A collapsible group whose fields exist only while it is open (keeps the page light)."""
    changed = sum(1 for k in items if k.path in draft)
    open_, set_open = solara.use_state(changed > 0)
    label = group + (f" · {changed} changed" if changed else "")
    solara.Button(
        ("▾ " if open_ else "▸ ") + label,
        text=True,
        on_click=lambda: set_open(not open_),
        style={"text-transform": "none", "justify-content": "flex-start", "width": "100%"},
        classes=["libyasim-lever-group"],
    )
    if open_:
        with solara.Column(style={"padding-left": "12px"}, gap="0px"):
            for k in items:
                LeverField(k, draft, set_draft).key(k.path)


@solara.component
def LeverField(k: KeyParameter, draft: dict[str, Any], set_draft: Callable[[dict], None]):
    """Label, value, evidence range and bounds; a slider and a typed entry."""
    value = draft.get(k.path, k.value)

    def set_value(v: Any) -> None:
        new = dict(draft)
        if v == k.value or (
            not k.is_date and abs(float(v) - float(k.value)) < lever_step(k) / 2
        ):  # back at the scenario's value (or a slider's snap of it)
            new.pop(k.path, None)
        else:
            new[k.path] = v
        set_draft(new)

    moved = k.path in draft
    with solara.Column(
        gap="0px",
        classes=["libyasim-lever"] + (["changed"] if moved else []),
        style={"margin-bottom": "6px"},
    ):
        if k.is_date:
            DateLever(k, str(value), set_value).key(f"{k.path}={value}")
            return
        warning = beyond_warning(k, value)
        with solara.Row(gap="6px", style={"align-items": "baseline", "flex-wrap": "wrap"}):
            solara.Text(k.label, style={"font-weight": "bold" if moved else "normal"})
            solara.Text(
                fmt_number(float(value)),
                classes=["libyasim-lever-value"],
                style={"font-family": "monospace"},
            )
            solara.Text(
                f"evidence {k.evidence} · allowed {k.allowed}"
                + (f" · scenario {fmt_number(float(k.value))}" if moved else ""),
                classes=["libyasim-lever-range"],
                style={"font-size": "0.8em", "color": "#666"},
            )
        with solara.Row(gap="8px", style={"align-items": "center"}):
            lo, hi = k.slider_bounds(float(value))
            with solara.Column(style={"flex": "1", "min-width": "120px"}):
                solara.SliderFloat(
                    "",
                    value=float(value),
                    min=lo,
                    max=hi,
                    step=lever_step(k),
                    on_value=set_value,
                    thumb_label=False,
                )
            NumberEntry(k, float(value), set_value).key(f"{k.path}={value}")
        if warning:
            solara.Text(
                "⚠ " + warning,
                classes=["libyasim-beyond"],
                style={"color": "#a15c00", "font-size": "0.8em"},
            )


@solara.component
def NumberEntry(k: KeyParameter, value: float, set_value: Callable[[Any], None]):
    """Typed entry; applied to the draft on Enter or when the field loses focus."""
    text, set_text = solara.use_state(fmt_number(value).replace(",", ""))
    check = check_lever(k, text)

    def on_text(new: str) -> None:
        set_text(new)
        c = check_lever(k, new)
        if not c.error and c.value != value:
            set_value(c.value)

    solara.InputText(
        "type a value",
        value=text,
        on_value=on_text,
        continuous_update=False,
        error=check.error or False,
        dense=True,
        classes=["libyasim-lever-entry"],
        style={"max-width": "110px"},
    )


@solara.component
def DateLever(k: KeyParameter, value: str, set_value: Callable[[Any], None]):
    text, set_text = solara.use_state(value)
    check = check_lever(k, text)

    def on_text(new: str) -> None:
        set_text(new)
        if not check_lever(k, new).error:
            set_value(new)

    solara.InputText(
        k.label,
        value=text,
        on_value=on_text,
        error=check.error or False,
        continuous_update=True,
        classes=["libyasim-lever-entry"],
    )


@solara.component
def LeverEffectNote(state: Any, scenario: Scenario | None):
    """Says so when the applied levers leave the run bit-identical."""
    text = lever_effect(state, scenario)
    if text:
        solara.Info(text, dense=True, classes=["libyasim-no-effect"])
