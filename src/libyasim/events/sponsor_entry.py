"""``sponsor_entry``: a sponsor defined with ``active: false`` enters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase

if TYPE_CHECKING:
    pass


class SponsorEntry(EventBase):
    """A new foreign actor enters with its own interests and budget (no code needed).

    The sponsor is defined under ``sponsors:`` with ``active: false`` (its
    budget, interests, stance) and its support edges under ``relations``;
    from ``date`` it allocates support like every other sponsor.
    """

    type: Literal["sponsor_entry"]
    sponsor: Ident


class SponsorEntryBehaviour(Behaviour):
    """A sponsor defined with ``active: false`` enters: from now on it allocates
    its budget like every other sponsor, starting from its support edges."""

    types = ("sponsor_entry",)
    spec: SponsorEntry

    def apply(self) -> None:
        m = self.model
        s = self.s(self.spec.sponsor)
        m.active[s] = True
        m.budget[s] = m.budget0[s]  # an inactive sponsor's budget was held at zero
        edges = m.edges[s]
        tot = edges.sum(axis=0, keepdims=True)
        m.allocation[s] = np.divide(edges, tot, out=np.zeros_like(edges), where=tot > 0)
        weight = edges.max(axis=1)
        m.loyalty[:, s] = np.maximum(m.loyalty[:, s], m.p.initial_loyalty * weight)
        m.log(STRATEGIC, "sponsor_entry", None, self.spec.sponsor, None, 0.0, self.spec.note or "")
        targets = [m.faction_ids[f] for f in np.flatnonzero(edges.sum(axis=1) > 0)]
        self.effects = {"sponsor": self.spec.sponsor, "backs": targets}

    def result(self) -> str:
        x = self.effects
        return f"{x['sponsor']} enters" + (
            f", backing {', '.join(x['backs'])}" if x["backs"] else ""
        )



SCHEMA = SponsorEntry
BEHAVIOUR = SponsorEntryBehaviour
