"""``sponsor_entry``: a sponsor defined with ``active: false`` enters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..scenario.types import Ident
from .base import Behaviour, EventBase

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
    its budget like every other sponsor, starting from its support edges
    (:func:`libyasim.model.support.enter`, also used when a sponsor enters on
    its own to rescue a falling client)."""

    types = ("sponsor_entry",)
    spec: SponsorEntry

    def apply(self) -> None:
        from ..model import support  # the mechanism lives with the other sponsor rules

        backs = support.enter(self.model, self.s(self.spec.sponsor), self.spec.note or "")
        self.effects = {"sponsor": self.spec.sponsor, "backs": backs}

    def result(self) -> str:
        x = self.effects
        return f"{x['sponsor']} enters" + (
            f", backing {', '.join(x['backs'])}" if x["backs"] else ""
        )


SCHEMA = SponsorEntry
BEHAVIOUR = SponsorEntryBehaviour
