"""Worker processes end with the process that started them, however it ends.

Used by the batch's local process pool (the driver) and by the dashboard's
ensemble pool (the server). ``libyasim dashboard`` stops its whole process
group on SIGTERM and SIGINT (``commands.stop_group``), but a server started
otherwise (``solara run libyasim.dashboard.app``, a service manager signalling
the server's own pid, a SIGKILL) or a batch driver killed with SIGKILL used to
leave its pool's idle workers (blocked on the pool's queue), the
multiprocessing fork server and the resource tracker running. Each worker
therefore watches its starter: once it is gone, the worker stops the fork
server it was forked from and exits; the resource tracker then sees its last
writer close and exits by itself. A batch worker also checks between runs
(``worker._stop_if_orphaned``) so that it writes nothing more.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

#: seconds between a worker's checks that the server still runs
WATCH_INTERVAL = 0.5


def alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, dead but not yet reaped, is not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (not Linux): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def watch_server(server_pid: int) -> None:
    """Worker initializer: end this worker (and its fork server) once ``server_pid``
    (the dashboard's server or the batch driver) is gone."""

    def loop() -> None:
        while alive(server_pid):
            time.sleep(WATCH_INTERVAL)
        parent = os.getppid()
        if parent not in (1, server_pid):  # the fork server this worker came from
            with contextlib.suppress(OSError):
                os.kill(parent, signal.SIGTERM)
        os._exit(0)

    threading.Thread(target=loop, name="libyasim-watch-starter", daemon=True).start()
