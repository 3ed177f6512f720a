"""The dashboard app: ``solara run libyasim.dashboard.app``.

Five pages share one per-session state, created by :func:`Layout` for each
browser session (never at module level).
"""

from __future__ import annotations

import solara

from .page_compare import ComparePage
from .page_edit import EditPage
from .page_ensemble import EnsemblePage
from .page_evidence import EvidencePage
from .page_run import RunPage
from .server import harden
from .session import SessionProvider, use_session
from .urlstate import UrlState, encode

harden()  # diagnostics off unless asked for; no 500 from the close beacon (dashboard/server.py)

PAGES = {
    "Run": RunPage,
    "Ensemble": EnsemblePage,
    "Compare": ComparePage,
    "Evidence": EvidencePage,
    "Edit": EditPage,
}


@solara.component
def Navigation(route: solara.Route | None, siblings: list[solara.Route]):
    """Tabs with the pages' names (Solara's own tabs show route paths)."""
    router = solara.use_router()
    index = siblings.index(route) if route in siblings else 0
    paths = [
        solara.resolve_path(r) for r in siblings
    ]  # needs the render context: not in the handler

    def go(i: int) -> None:  # the view (scenario, seed, levers) goes along
        router.push(paths[i] + (f"?{router.search}" if router.search else ""))

    with solara.lab.Tabs(value=index, on_value=go, align="center"):
        for r in siblings:
            solara.lab.Tab(r.label or r.path)


def view_state(session) -> UrlState:
    """What the URL should say about this session's view."""
    name = session.current.value
    run = session.run.value
    pending = session.url.value
    if run is not None and run.scenario_name == name and not run.problems:
        seed, levers = run.seed, dict(run.overrides)
    elif pending.scenario in (None, name) and (pending.seed is not None or pending.levers):
        seed, levers = pending.seed, dict(pending.levers)  # not run yet: keep the link's
    else:
        seed, levers = None, {}
    return UrlState(name, seed, levers, session.locator.value)


@solara.component
def UrlSync():
    """Keeps the address bar on this session's view (page, scenario, seed, levers,
    locator), so it can be shared or reloaded; says what a link could not give."""
    session = use_session()
    router = solara.use_router()
    wanted = encode(view_state(session))

    def sync() -> None:
        if (router.search or "") != wanted:
            router.push(f"{router.path}?{wanted}" if wanted else router.path)

    solara.use_effect(sync, [wanted, router.path])
    for note in session.notes.value:
        solara.Warning(note, dense=True, classes=["libyasim-link-note"])


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's layout signature
    """One session's state around whichever page the URL selects."""
    solara.Style(".libyasim-locator { min-width: 0 !important; }")
    route, siblings = solara.use_route(peek=True)  # the pages (AppLayout takes the level itself)
    with (
        SessionProvider(),
        solara.AppLayout(
            title="libyasim — Libyan faction dynamics", navigation=False, sidebar_open=False
        ),
        solara.Column(style={"width": "100%"}),
    ):  # one child: AppLayout makes a 2nd a sidebar
        Navigation(route, siblings)
        UrlSync()
        solara.Column(children=children, style={"width": "100%"})


# Solara wraps every page in the layout of the root ("/") route: one
# SessionProvider per browser session, whichever page the URL names.
routes = [
    solara.Route(path="/", component=RunPage, label="Run", layout=Layout),
    solara.Route(path="ensemble", component=EnsemblePage, label="Ensemble"),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
    solara.Route(path="evidence", component=EvidencePage, label="Evidence"),
    solara.Route(path="edit", component=EditPage, label="Edit"),
]
