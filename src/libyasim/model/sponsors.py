"""Sponsors: foreign states and institutions (Mesa agents).

A sponsor's state lives in the model's arrays (row ``index``); the agent is
its readable face: ``france.allocation`` reads ``model.allocation[france.index]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ..scenario.schema import CHANNELS, INTERESTS
from .views import SpecView

if TYPE_CHECKING:
    from ..scenario.schema import Sponsor as SponsorSpec
    from .model import LibyaModel


class Sponsor(SpecView, mesa.Agent):
    """A foreign sponsor: France, Italy, Russia, Egypt, the UAE, the UN, the ICC..."""

    model: LibyaModel

    def __init__(self, model: LibyaModel, spec: SponsorSpec, index: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.index = index

    @property
    def active(self) -> bool:
        return bool(self.model.active[self.index])

    @property
    def budget(self) -> dict[str, float]:
        b = self.model.budget[self.index]
        return {str(c): float(x) for c, x in zip(CHANNELS, b, strict=True)}

    @property
    def interests(self) -> dict[str, float]:
        w = self.model.interests[self.index]
        return {str(k): float(x) for k, x in zip(INTERESTS, w, strict=True)}

    @property
    def allocation(self) -> dict[str, dict[str, float]]:
        """Share of each channel's budget going to each faction (non-zero only)."""
        a = self.model.allocation[self.index]
        out: dict[str, dict[str, float]] = {}
        for f, row in zip(self.model.faction_ids, a, strict=True):
            shares = {str(c): float(x) for c, x in zip(CHANNELS, row, strict=True) if x > 0}
            if shares:
                out[f] = shares
        return out

    @property
    def support(self) -> dict[str, float]:
        """Support sent to each faction this month (all channels)."""
        flows = self.model.flows[self.index].sum(axis=1)
        return {f: float(x) for f, x in zip(self.model.faction_ids, flows, strict=True) if x > 0}

    def __repr__(self) -> str:
        return f"<Sponsor {self.id} active={self.active}>"
