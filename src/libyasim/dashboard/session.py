"""Per-session state of the dashboard.

Each browser session (one Solara virtual kernel) renders its own
:func:`SessionProvider`, whose hooks hold that session's scenarios, current
choice, edits, runs and ensembles; pages read it with :func:`use_session`.
Nothing lives at module level, so two analysts at once never see each other's
model, parameters or runs (unlike Mesa's examples, whose module-level model
is shared by every session).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import solara

from .catalogue import Catalogue, Entry, load_shipped, scenario_dir
from .edits import EditSet
from .urlstate import UrlState, decode

if TYPE_CHECKING:
    from reacton.core import UserContext


@dataclass
class Session:
    """Reactive values owned by one browser session."""

    directory: Path
    catalogue: solara.Reactive[Catalogue]
    current: solara.Reactive[str | None]  # name of the entry every page works on
    edits: solara.Reactive[EditSet]
    upload_result: solara.Reactive[Entry | None]  # the last upload, valid or not
    evidence_tab: solara.Reactive[int]
    locator: solara.Reactive[str | None]  # locator selected on the Evidence page
    scroll: solara.Reactive[int]  # bumped to scroll the selected locator into view again
    run: solara.Reactive[Any]  # RunState (page_run) or None
    ensemble: solara.Reactive[Any]  # EnsembleState or None
    compare: solara.Reactive[Any]  # CompareState or None
    url: solara.Reactive[UrlState]  # seed and levers from the link, until the Run page takes them
    notes: solara.Reactive[tuple[str, ...]]  # what the link asked for and could not get

    @property
    def entry(self) -> Entry | None:
        return self.catalogue.value.get(self.current.value)

    def add(self, entry: Entry, select: bool = True) -> None:
        replaced = entry.name == self.current.value
        self.catalogue.set(self.catalogue.value.with_entry(entry))
        if select and entry.ok:
            self.select(entry.name)
        run = self.run.value
        if replaced and run is not None and run.scenario_name == entry.name:
            # the current scenario changed under the same name: its run starts again
            from .page_run import build_model

            self.run.set(build_model(self, run.seed, dict(run.overrides)))

    def select(self, name: str | None) -> None:
        if name != self.current.value:
            self.current.set(name)
            entry = self.catalogue.value.get(name)
            # a variant made on the Edit page opens with the changes that made it
            made = entry.edits if entry is not None and entry.origin == "edit" else None
            self.edits.set(made if made is not None else EditSet())
            self.locator.set(None)

    def run_settings(self, name: str, default_seed: int) -> tuple[int, dict[str, Any]]:
        """(seed, levers) for a new run of ``name``: the link's, the first time
        (then they are used up), else the scenario's seed and no levers."""
        url = self.url.value
        if url.scenario in (None, name) and (url.seed is not None or url.levers):
            self.url.set(UrlState(scenario=url.scenario, locator=url.locator))
            return (default_seed if url.seed is None else url.seed), dict(url.levers)
        return default_seed, {}


SessionContext: UserContext[Session | None] = solara.create_context(None)


def _first_ok(cat: Catalogue) -> str | None:
    names = cat.names()
    preferred = [n for n in names if n.startswith("baseline")] or names
    return preferred[0] if preferred else None


def _from_link(cat: Catalogue, link: UrlState) -> tuple[str | None, UrlState, tuple[str, ...]]:
    """The scenario a link names (if this session has it), the rest of the link's
    state, and notes on what it asked for and cannot have."""
    notes = list(link.problems)
    if link.scenario is None:
        return _first_ok(cat), link, tuple(notes)
    if link.scenario in cat.names():
        return link.scenario, link, tuple(notes)
    fallback = _first_ok(cat)
    notes.append(
        f"The link names the scenario {link.scenario!r}, which this session does not have "
        "(uploads and variants live only in the browser tab that made them; upload the file "
        f"again on the Edit page). Showing {fallback} instead, without the link's levers."
    )
    return fallback, UrlState(locator=link.locator), tuple(notes)


def use_new_session(directory: Path | None = None) -> Session:
    """Create this session's state (hooks: call once, from the provider)."""
    directory = directory or scenario_dir()
    initial = solara.use_memo(lambda: load_shipped(directory), [str(directory)])
    search = solara.use_router().search  # the link this session was opened with
    first, link, link_notes = solara.use_memo(
        lambda: _from_link(initial, decode(search)), [str(directory)]
    )
    catalogue: solara.Reactive[Catalogue] = solara.use_reactive(initial)
    current: solara.Reactive[str | None] = solara.use_reactive(first)
    edits: solara.Reactive[EditSet] = solara.use_reactive(EditSet())
    upload_result: solara.Reactive[Entry | None] = solara.use_reactive(None)
    evidence_tab: solara.Reactive[int] = solara.use_reactive(1 if link.locator else 0)
    scroll: solara.Reactive[int] = solara.use_reactive(0)
    locator: solara.Reactive[str | None] = solara.use_reactive(link.locator)
    run: solara.Reactive[Any] = solara.use_reactive(None)
    ensemble: solara.Reactive[Any] = solara.use_reactive(None)
    compare: solara.Reactive[Any] = solara.use_reactive(None)
    url: solara.Reactive[UrlState] = solara.use_reactive(link)
    notes: solara.Reactive[tuple[str, ...]] = solara.use_reactive(link_notes)
    # the Reactive objects are stable across renders; so is the Session holding them
    return solara.use_memo(
        lambda: Session(
            directory=directory,
            catalogue=catalogue,
            current=current,
            edits=edits,
            upload_result=upload_result,
            evidence_tab=evidence_tab,
            locator=locator,
            scroll=scroll,
            run=run,
            ensemble=ensemble,
            compare=compare,
            url=url,
            notes=notes,
        ),
        [str(directory)],
    )


@solara.component
def SessionProvider(children: list | None = None, directory: Path | None = None):
    """Owns one session's state and offers it to the pages below."""
    from .jobs import JobRunner

    session = use_new_session(directory)
    SessionContext.provide(session)
    with solara.Column(style={"width": "100%"}) as main:
        # ensembles run in threads owned by the session, not by a page
        JobRunner(session.ensemble)
        JobRunner(session.compare)
        solara.Column(children=children or [], style={"width": "100%"})
    return main


def use_session() -> Session:
    session = solara.use_context(SessionContext)
    if session is None:
        raise RuntimeError("dashboard pages must be rendered inside SessionProvider")
    return session
