"""The readable face shared by agents and cells: a spec and a row index."""

from __future__ import annotations

from typing import Any


class SpecView:
    """Identity read from the scenario record; state lives in the model's
    arrays at row ``index`` (subclasses add properties that read them)."""

    spec: Any
    index: int

    @property
    def id(self) -> str:
        return str(self.spec.id)

    @property
    def name(self) -> str:
        return str(self.spec.name)
