"""Ensemble page (waits for the model and batch layers)."""

from __future__ import annotations

import solara

from .session import use_session
from .widgets import ScenarioPicker


@solara.component
def EnsemblePage():
    use_session()
    solara.Title("libyasim · Ensemble")
    ScenarioPicker()
    solara.Info("This page needs the model (libyasim.model), which is not available yet.")
