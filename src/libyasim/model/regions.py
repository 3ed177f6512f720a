"""Regions: cells of a :class:`mesa.discrete_space.Network` of Libyan areas.

Each cell carries its region's fixed data (population, oil value, coastal
flag, lon/lat); the changing state (controller, garrisons) lives in the
model's arrays and is read through properties, so the numpy submodels and
the cells never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from mesa.discrete_space import Cell, Network

from .views import SpecView

if TYPE_CHECKING:
    from ..scenario.schema import Region
    from .model import LibyaModel


class RegionCell(SpecView, Cell):
    """One region of Libya as a cell of the network space."""

    model: LibyaModel
    index: int
    spec: Region

    @property
    def population(self) -> float:
        return float(self.model.population[self.index])

    @property
    def oil_value(self) -> float:
        return float(self.model.oil[self.index])

    @property
    def coastal(self) -> bool:
        return bool(self.model.coastal[self.index])

    @property
    def controller(self) -> str | None:
        c = int(self.model.control[self.index])
        return None if c < 0 else self.model.faction_ids[c]

    @property
    def garrison(self) -> dict[str, float]:
        g = self.model.garrison[:, self.index]
        return {f: float(x) for f, x in zip(self.model.faction_ids, g, strict=True) if x > 0}

    def __repr__(self) -> str:
        return f"<Region {self.id} controller={self.controller}>"


def build_network(model: LibyaModel) -> Network:
    """The region graph (neighbours are symmetric) as a Mesa Network space."""
    regions = model.spec.regions
    graph = nx.Graph()
    for r in regions:
        graph.add_node(r.id)
    for r in regions:
        for n in r.neighbours:
            graph.add_edge(r.id, n)
    layout = {r.id: (r.lon, r.lat) for r in regions}
    space = Network(graph, random=model.random, cell_klass=RegionCell, layout=layout)
    for i, r in enumerate(regions):
        cell = space._cells[r.id]
        cell.model = model
        cell.index = i
        cell.spec = r
    return space


def adjacency(model: LibyaModel) -> np.ndarray:
    """Boolean adjacency matrix [R, R] with the diagonal set (same or adjacent)."""
    pos = model.ridx
    adj = np.eye(len(pos), dtype=bool)
    rows: list[int] = []
    cols: list[int] = []
    for r in model.spec.regions:
        i = pos[r.id]
        for n in r.neighbours:
            rows += (i, pos[n])
            cols += (pos[n], i)
    adj[rows, cols] = True
    return adj
