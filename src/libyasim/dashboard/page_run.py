"""Run page: one model, stepped by hand or played, Mesa-style (step / play / reset).

Plain Solara components rather than Mesa's ``SolaraViz``: SolaraViz keeps its
model in a module-level reactive shared by every session and rebuilds it from
keyword arguments, where here the model is built from a validated scenario
with ``{path: value}`` overrides and lives in this session's state.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import solara

from ..scenario import Scenario, ScenarioError
from .ensemble import widened
from .figures import map_figure, network_figure, series_figure, settlement_figure
from .session import Session, use_session
from .widgets import ProblemList, ScenarioPicker

PLAY_DELAY = 0.35  # seconds between steps while playing


@dataclass(frozen=True)
class KeyParameter:
    path: str
    label: str
    value: Any
    lo: float | None = None
    hi: float | None = None
    group: str = ""

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, str)


@dataclass
class RunState:
    """This session's model (mutable; ``version`` changes on every step so pages re-render)."""

    scenario_name: str
    seed: int
    overrides: dict[str, Any] = field(default_factory=dict)
    model: Any = None
    version: int = 0
    problems: tuple[str, ...] = ()
    playing: bool = False


def key_parameters(scenario: Scenario) -> list[KeyParameter]:
    """The levers analysts reach for first: each sponsor's budgets, interest
    weights and stances (France's counter-terrorism focus, Italy's stance on
    Haftar...), and the dates of ceasefires and elections."""
    out: list[KeyParameter] = []
    for sp in scenario.sponsors:
        group = f"{sp.name} ({sp.id})"
        for ch, q in sp.budget.items():
            lo, hi = q.range or (0.0, max(1.0, 2 * float(q.value)))
            out.append(
                KeyParameter(
                    f"sponsors.{sp.id}.budget.{ch.value}",
                    f"budget: {ch.value}",
                    float(q.value),
                    lo,
                    hi,
                    group,
                )
            )
        for k, q in sp.interests.items():
            lo, hi = q.range or (0.0, 1.0)
            out.append(
                KeyParameter(
                    f"sponsors.{sp.id}.interests.{k.value}",
                    f"interest: {k.value}",
                    float(q.value),
                    lo,
                    hi,
                    group,
                )
            )
        for f, q in sp.stance.items():
            lo, hi = q.range or (-1.0, 1.0)
            out.append(
                KeyParameter(
                    f"sponsors.{sp.id}.stance.{f}",
                    f"stance toward {f}",
                    float(q.value),
                    lo,
                    hi,
                    group,
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
                )
            )
    return out


def build_model(session: Session, seed: int, overrides: dict[str, Any]) -> RunState:
    """A fresh model of the current scenario, or the problems that prevent it."""
    from ..model import LibyaModel

    entry = session.entry
    name = entry.name if entry else ""
    if entry is None or entry.scenario is None:
        return RunState(name, seed, dict(overrides), problems=("no valid scenario selected",))
    try:
        scenario = (
            entry.scenario.with_values(widened(entry.scenario, overrides))
            if overrides
            else entry.scenario
        )
        model = LibyaModel(scenario, rng=int(seed))
    except ScenarioError as exc:
        return RunState(name, seed, dict(overrides), problems=tuple(str(p) for p in exc.problems))
    return RunState(name, seed, dict(overrides), model=model)


def step_model(session: Session, n: int = 1) -> None:
    state = session.run.value
    if state is None or state.model is None:
        return
    for _ in range(n):
        if not state.model.running:
            break
        state.model.step()
    session.run.set(
        replace(state, version=state.version + 1, playing=state.playing and state.model.running)
    )


@solara.component
def Levers(
    session: Session,
    scenario: Scenario,
    params: dict[str, Any],
    set_params: Any,
    problems: tuple[str, ...],
):
    levers = solara.use_memo(lambda: key_parameters(scenario), [id(scenario)])
    groups: dict[str, list[KeyParameter]] = {}
    for k in levers:
        groups.setdefault(k.group, []).append(k)
    for group, items in groups.items():
        LeverGroup(group, items, params, set_params).key(group)


@solara.component
def LeverGroup(group: str, items: list[KeyParameter], params: dict[str, Any], set_params: Any):
    """A collapsible group whose fields exist only while it is open (keeps the page light)."""
    open_, set_open = solara.use_state(False)
    changed = sum(1 for k in items if k.path in params)
    label = group + (f" · {changed} changed" if changed else "")
    solara.Button(
        ("▾ " if open_ else "▸ ") + label,
        text=True,
        on_click=lambda: set_open(not open_),
        style={"text-transform": "none", "justify-content": "flex-start", "width": "100%"},
        classes=["libyasim-lever-group"],
    )
    if open_:
        with solara.Column(style={"padding-left": "12px"}):
            for k in items:
                LeverField(k, params, set_params).key(k.path)


@solara.component
def LeverField(k: KeyParameter, params: dict[str, Any], set_params: Any):
    value = params.get(k.path, k.value)
    step = lever_step(k)

    def set_value(v: Any) -> None:
        new = dict(params)
        if v == k.value or (
            not k.is_date and abs(float(v) - float(k.value)) < step / 2
        ):  # slider snapping
            new.pop(k.path, None)
        else:
            new[k.path] = v
        set_params(new)

    if k.is_date:
        error = "" if _is_month(str(value)) else "write the month as YYYY-MM"
        solara.InputText(
            k.label,
            value=str(value),
            on_value=set_value,
            error=error or False,
            continuous_update=True,
        )
    elif k.lo is None or k.hi is None:
        solara.Warning(f"{k.label}: no range to slide over (the scenario gives none)", dense=True)
    else:
        solara.SliderFloat(
            k.label,
            value=float(value),
            min=k.lo,
            max=k.hi,
            step=step,
            on_value=set_value,
            thumb_label=True,
        )


def lever_step(k: KeyParameter) -> float:
    """A round slider step (0.01, 0.1, 100...) about a tenth of a decade of the range."""
    import math

    span = (k.hi - k.lo) if k.hi is not None and k.lo is not None else 0.0
    if span <= 0:
        return 0.01
    return 10.0 ** (math.floor(math.log10(span)) - 1)


def _is_month(text: str) -> bool:
    import re

    return re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text) is not None


@solara.component
def Controls(session: Session, state: RunState | None):
    entry = session.entry
    assert entry is not None and entry.scenario is not None
    seed, set_seed = solara.use_state(state.seed if state else entry.scenario.seed)
    params, set_params = solara.use_state(dict(state.overrides) if state else {})
    model = state.model if state else None
    playing = bool(state and state.playing)

    def reset() -> None:
        session.run.set(build_model(session, seed, params))

    def toggle_play() -> None:
        cur = session.run.value
        if cur is not None and cur.model is not None:
            session.run.set(replace(cur, playing=not cur.playing))

    with solara.Card("Controls", style={"min-width": "300px"}):
        solara.InputInt("Seed", value=seed, on_value=set_seed)
        with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
            solara.Button("Reset", on_click=reset, color="primary")
            solara.Button(
                "Step",
                on_click=lambda: step_model(session),
                disabled=model is None or playing or not model.running,
            )
            solara.Button(
                "Pause" if playing else "Play",
                on_click=toggle_play,
                disabled=model is None or not model.running,
            )
            solara.Button(
                "To end",
                on_click=lambda: step_model(session, 10_000),
                disabled=model is None or playing or not model.running,
            )
        pending = state is None or params != state.overrides or seed != state.seed
        # always present (empty when nothing is pending) so the fields below keep their place
        solara.Text(
            "Changed levers apply on Reset." if pending and state is not None else "",
            style={"color": "#a15c00", "font-size": "0.85em"},
        )
        solara.Markdown("**Key parameters** (slider ranges are the evidence ranges)")
        Levers(session, entry.scenario, params, set_params, state.problems if state else ())
        if params:
            solara.Button(
                "Back to the scenario's values", text=True, on_click=lambda: set_params({})
            )


@solara.component
def Player(session: Session, playing: bool):
    """Steps the model in a background thread while playing; the page stays live."""

    def loop(cancel: threading.Event) -> None:
        while playing and not cancel.is_set():
            time.sleep(PLAY_DELAY)
            if cancel.is_set():
                return
            state = session.run.value
            if state is None or state.model is None or not state.playing:
                return
            step_model(session)
            if not state.model.running:
                return

    solara.use_thread(loop, dependencies=[playing], intrusive_cancel=False)


@solara.component
def RunView(session: Session, state: RunState):
    model = state.model
    frame = solara.use_memo(lambda: model.recorder.frame(), [id(model), state.version])
    figs = solara.use_memo(
        lambda: (
            map_figure(model),
            network_figure(model),
            series_figure(frame, model.faction_ids),
            settlement_figure(model, frame),
        ),
        [id(model), state.version],
    )
    ended = "" if model.running else " · finished"
    solara.Text(
        f"Month: {model.month}",
        classes=["libyasim-month"],
        style={"font-size": "1.4em", "font-weight": "bold"},
    )
    solara.Text(f" step {model.steps} of {model.months}{ended}", style={"color": "#555"})
    if state.overrides:
        solara.Text(
            "levers: " + ", ".join(f"{k} = {v}" for k, v in state.overrides.items()),
            style={"font-size": "0.85em", "color": "#555"},
        )
    with solara.ColumnsResponsive([12, 6], large=[6, 6], classes=["libyasim-run-figures"]):
        solara.FigureMatplotlib(figs[0], format="png", dependencies=[id(model), state.version])
        solara.FigureMatplotlib(figs[1], format="png", dependencies=[id(model), state.version])
        solara.FigureMatplotlib(figs[2], format="png", dependencies=[id(model), state.version])
        with solara.Column():
            solara.FigureMatplotlib(figs[3], format="png", dependencies=[id(model), state.version])
            EventFeed(list(model.event_log))


@solara.component
def EventFeed(log: list[dict[str, Any]], limit: int = 40):
    """This run's events, newest first."""
    rows = list(reversed(log))[:limit]
    with solara.Card(f"Events ({len(log)} so far)", classes=["libyasim-events"]):
        if not rows:
            solara.Text("No events yet: press Step.")
            return
        lines = ["| month | type | where | actors | deaths | note |", "|---|---|---|---|---|---|"]
        for e in rows:
            actors = " vs ".join(str(a) for a in (e.get("actor1"), e.get("actor2")) if a)
            deaths = f"{e['fatalities']:.0f}" if e.get("fatalities") else ""
            note = str(e.get("note") or "").replace("|", "/")
            lines.append(
                f"| {e['month']} | {e['kind']} | {e.get('region') or ''} | {actors} | "
                f"{deaths} | {note} |"
            )
        solara.Markdown(
            "\n".join(lines),
            style={"font-size": "0.8em", "max-height": "320px", "overflow-y": "auto"},
        )


@solara.component
def RunPage():
    session = use_session()
    solara.Title("libyasim · Run")
    ScenarioPicker()
    entry = session.entry
    if entry is not None and entry.scenario is not None:
        RunBody(session, entry.name).key(entry.name)


@solara.component
def RunBody(session: Session, name: str):
    state = session.run.value

    def fresh() -> None:
        cur = session.run.value
        if cur is None or cur.scenario_name != name:
            entry = session.entry
            session.run.set(
                build_model(session, entry.scenario.seed if entry and entry.scenario else 0, {})
            )

    solara.use_effect(fresh, [name])
    Player(session, bool(state and state.playing))
    if state is None or state.scenario_name != name:
        solara.Text("building the model…")
        return
    with solara.Row(style={"align-items": "flex-start"}):
        with solara.Column(style={"width": "330px", "flex": "none"}):
            Controls(session, state).key(f"{name}:{id(state.model)}")
        with solara.Column(style={"flex": "1", "min-width": "0"}):
            ProblemList(list(state.problems), title="The model could not be built")
            if state.model is not None:
                RunView(session, state)
