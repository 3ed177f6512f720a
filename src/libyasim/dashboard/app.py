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
from .session import SessionProvider

PAGES = {"Run": RunPage, "Ensemble": EnsemblePage, "Compare": ComparePage,
         "Evidence": EvidencePage, "Edit": EditPage}

routes = [
    solara.Route(path="/", component=RunPage, label="Run"),
    solara.Route(path="ensemble", component=EnsemblePage, label="Ensemble"),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
    solara.Route(path="evidence", component=EvidencePage, label="Evidence"),
    solara.Route(path="edit", component=EditPage, label="Edit"),
]


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's layout signature
    """One session's state around whichever page the URL selects."""
    solara.Style(".libyasim-locator { min-width: 0 !important; }")
    with SessionProvider():
        solara.AppLayout(children=children, title="libyasim — Libyan faction dynamics",
                         navigation=True, sidebar_open=False)
