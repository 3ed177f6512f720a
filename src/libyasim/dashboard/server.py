"""The dashboard's server, hardened: Solara's diagnostics endpoint off unless asked
for, the tab-close beacon answering a malformed request with 400, not 500, no
call home (Solara's usage telemetry to api.mixpanel.com is off: nothing leaves
the machine), and no cookie warning on every page load.

The cookie warning: Solara sets its session cookie ``SameSite=None; Secure``
when served as ``localhost`` and falls back to ``SameSite=Lax`` otherwise
(``127.0.0.1``, a LAN address), warning each time that an *embedded* (iframe)
dashboard may lose its session. The dashboard is never embedded, so ``Lax``
is what it wants and the warning is noise.

:func:`harden` edits the route table of the Solara server this process runs (it is
called when the app module loads, which Solara does at start-up, before serving).
Outside a Solara server (notebooks, tests without a server) it does nothing.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

#: set to 1 (``libyasim dashboard --diagnostics``) to serve Solara's /resourcez
DIAGNOSTICS_ENV = "LIBYASIM_DIAGNOSTICS"
CLOSE_PATH = "/_solara/api/close/{kernel_id}"
#: environment for the Solara server: its usage telemetry off
SERVER_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
COOKIE_WARNING = r"Cookies with samesite=none require https"


def quiet() -> None:
    """No telemetry, no cookie warning (also outside a server: harmless)."""
    warnings.filterwarnings("ignore", message=COOKIE_WARNING)
    settings = sys.modules.get("solara.server.settings")
    if settings is not None:
        settings.telemetry.mixpanel_enable = False


def harden() -> bool:
    """Patch the running Solara server's routes; True if there was a server to patch."""
    quiet()
    module = sys.modules.get("solara.server.starlette")
    app = getattr(module, "app", None)
    if module is None or app is None:
        return False
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    solara_close = module.close
    # no "This website runs on Solara" badge over the charts' corner
    from solara.server import settings

    settings.theme.show_banner = False

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
