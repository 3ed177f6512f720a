"""The dashboard's server, hardened: Solara's diagnostics endpoint off unless asked
for, and the tab-close beacon answering a malformed request with 400, not 500.

:func:`harden` edits the route table of the Solara server this process runs (it is
called when the app module loads, which Solara does at start-up, before serving).
Outside a Solara server (notebooks, tests without a server) it does nothing.
"""

from __future__ import annotations

import os
import sys
from typing import Any

#: set to 1 (``libyasim dashboard --diagnostics``) to serve Solara's /resourcez
DIAGNOSTICS_ENV = "LIBYASIM_DIAGNOSTICS"
CLOSE_PATH = "/_solara/api/close/{kernel_id}"


def harden() -> bool:
    """Patch the running Solara server's routes; True if there was a server to patch."""
    module = sys.modules.get("solara.server.starlette")
    app = getattr(module, "app", None)
    if module is None or app is None:
        return False
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    solara_close = module.close

    def not_served(request: Request) -> Response:
        return PlainTextResponse("Not Found", status_code=404)

    def close(request: Request) -> Any:
        if "session_id" not in request.query_params:
            return PlainTextResponse("missing session_id", status_code=400)
        return solara_close(request)

    routes = app.router.routes
    for i, route in enumerate(routes):
        path = getattr(route, "path", None)
        if path == "/resourcez" and os.environ.get(DIAGNOSTICS_ENV) != "1":
            routes[i] = Route("/resourcez", endpoint=not_served)
        elif path == CLOSE_PATH:
            routes[i] = Route(CLOSE_PATH, endpoint=close, methods=["POST"])
    return True
