"""Factions: Libyan armed and political actors (Mesa agents).

A faction's state lives in the model's arrays (row ``index``); the agent is
its readable face: ``lna.strength`` reads ``model.strength[lna.index]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from .views import SpecView

if TYPE_CHECKING:
    from ..scenario.schema import Faction as FactionSpec
    from .model import LibyaModel


class Faction(SpecView, mesa.Agent):
    """A Libyan faction: LNA, HoR, GNA, Misratan brigades, Daesh, ..."""

    model: LibyaModel

    def __init__(self, model: LibyaModel, spec: FactionSpec, index: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.index = index

    # -- identity ------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.spec.kind)

    @property
    def is_jihadist(self) -> bool:
        return self.spec.is_jihadist

    # -- state (views of the model's arrays) ---------------------------------
    @property
    def strength(self) -> float:
        return float(self.model.strength[self.index])

    @property
    def resources(self) -> float:
        return float(self.model.resources[self.index])

    @property
    def legitimacy(self) -> float:
        return float(self.model.legitimacy[self.index])

    @property
    def popularity(self) -> float:
        """Population-weighted mean popularity over all regions."""
        return float(self.model.popularity[self.index] @ self.model.pop_share)

    @property
    def garrison(self) -> dict[str, float]:
        g = self.model.garrison[self.index]
        return {r: float(x) for r, x in zip(self.model.region_ids, g, strict=True) if x > 0}

    @property
    def regions(self) -> list[str]:
        """Regions this faction controls."""
        return [
            r
            for r, c in zip(self.model.region_ids, self.model.control, strict=True)
            if c == self.index
        ]

    @property
    def territory(self) -> float:
        return float((self.model.control == self.index).mean())

    @property
    def population_share(self) -> float:
        return float(self.model.pop_share[self.model.control == self.index].sum())

    @property
    def positions(self) -> dict[str, float]:
        a = self.model.actor_index[self.id]
        return {
            k: float(x) for k, x in zip(self.model.issue_ids, self.model.positions[a], strict=True)
        }

    @property
    def support_received(self) -> dict[str, float]:
        """Support arriving from each sponsor this month (all channels)."""
        flows = self.model.flows[:, self.index].sum(axis=1)
        return {s: float(x) for s, x in zip(self.model.sponsor_ids, flows, strict=True) if x > 0}

    def __repr__(self) -> str:
        return f"<Faction {self.id} strength={self.strength:.0f}>"
