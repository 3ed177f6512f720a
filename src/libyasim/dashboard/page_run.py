"""Run page (waits for the model and batch layers)."""

from __future__ import annotations

import solara

from .session import use_session
from .widgets import ScenarioPicker


@solara.component
def RunPage():
    use_session()
    solara.Title("libyasim · Run")
    ScenarioPicker()
    solara.Info("This page needs the model (libyasim.model), which is not available yet.")
