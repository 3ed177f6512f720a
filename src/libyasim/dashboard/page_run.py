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

from .levers import LeverPanel, build_runs
from .run_view import RUN_CSS, RunView
from .session import Session, use_session
from .widgets import ProblemList, ScenarioPicker

PLAY_DELAY = 0.12  # seconds between steps while playing


@dataclass
class RunState:
    """This session's model (mutable; ``version`` changes on every step so pages re-render)."""

    scenario_name: str
    seed: int
    overrides: dict[str, Any] = field(default_factory=dict)
    model: Any = None
    reference: Any = None  # the unchanged run (no levers, same seed), stepped in lockstep
    version: int = 0
    problems: tuple[str, ...] = ()
    playing: bool = False


def build_model(session: Session, seed: int, overrides: dict[str, Any], steps: int = 0) -> RunState:
    """A fresh model of the current scenario (and, with levers, the unchanged
    one beside it) stepped ``steps`` months, or the problems that prevent it."""
    entry = session.entry
    name = entry.name if entry else ""
    if entry is None or entry.scenario is None:
        return RunState(name, seed, dict(overrides), problems=("no valid scenario selected",))
    model, reference, problems = build_runs(entry.scenario, seed, overrides)
    if model is None:
        return RunState(name, seed, dict(overrides), problems=problems)
    for _ in range(steps):
        if not model.running:
            break
        model.step()
        if reference is not None and reference.running:
            reference.step()
    return RunState(name, seed, dict(overrides), model=model, reference=reference)


def step_model(session: Session, n: int = 1) -> None:
    state = session.run.value
    if state is None or state.model is None:
        return
    for _ in range(n):
        if not state.model.running:
            break
        state.model.step()
        if state.reference is not None and state.reference.running:
            state.reference.step()
    session.run.set(
        replace(state, version=state.version + 1, playing=state.playing and state.model.running)
    )


@solara.component
def Controls(session: Session, state: RunState | None):
    entry = session.entry
    assert entry is not None and entry.scenario is not None
    seed, set_seed = solara.use_state(state.seed if state else entry.scenario.seed)
    applied = dict(state.overrides) if state else {}
    model = state.model if state else None
    playing = bool(state and state.playing)

    def reset() -> None:
        session.run.set(build_model(session, seed, applied))

    def apply(levers: dict[str, Any]) -> None:
        # the new levers from the start of the run, stepped back to where it was
        steps = model.steps if model is not None else 0
        session.run.set(build_model(session, seed, levers, steps))

    def toggle_play() -> None:
        cur = session.run.value
        if cur is not None and cur.model is not None:
            session.run.set(replace(cur, playing=not cur.playing))

    with solara.Card("Controls", style={"min-width": "0"}):
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
        LeverPanel(
            entry.scenario,
            applied,
            apply,
            other_pending="seed" if state is not None and seed != state.seed else "",
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
            default = entry.scenario.seed if entry and entry.scenario else 0
            seed, levers = session.run_settings(name, default)  # a link's, the first time
            session.run.set(build_model(session, seed, levers))

    solara.use_effect(fresh, [name])
    drawer, set_drawer = solara.use_state(False)
    Player(session, bool(state and state.playing))
    if state is None or state.scenario_name != name:
        solara.Text("building the model…")
        return
    solara.Style(RUN_CSS)
    # below 900 px the controls live in a drawer (opened by a button), charts take the width
    solara.Button(
        "☰ Controls",
        on_click=lambda: set_drawer(True),
        classes=["libyasim-drawer-toggle"],
        outlined=True,
        small=True,
    )
    with solara.Row(classes=["libyasim-run-layout"], style={"align-items": "flex-start"}):
        with solara.Column(classes=["libyasim-controls"] + (["libyasim-open"] if drawer else [])):
            solara.Button(
                "✕ Close",
                on_click=lambda: set_drawer(False),
                classes=["libyasim-drawer-close"],
                text=True,
                small=True,
            )
            Controls(session, state).key(f"{name}:{id(state.model)}")
        with solara.Column(classes=["libyasim-run-main"]):
            ProblemList(list(state.problems), title="The model could not be built")
            if state.model is not None:
                RunView(session, state)
