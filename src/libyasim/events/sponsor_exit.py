"""``sponsor_exit``: a sponsor leaves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..scenario.types import Ident
from .base import Behaviour, EventBase

if TYPE_CHECKING:
    pass


class SponsorExit(EventBase):
    """A sponsor leaves: its support stops; its allies compensate within their
    maximum effort; support routed through it becomes direct."""

    type: Literal["sponsor_exit"]
    sponsor: Ident


class SponsorExitBehaviour(Behaviour):
    """A sponsor leaves (:func:`libyasim.model.support.leave`): its allocation,
    flows and interventions stop; its allies compensate for the military and
    direct commitment it leaves behind (bounded by their maximum effort);
    support other sponsors routed through it becomes direct (``support.routed``)."""

    types = ("sponsor_exit",)
    spec: SponsorExit

    def apply(self) -> None:
        from ..model import support  # the mechanism lives with the other sponsor rules

        support.leave(self.model, self.s(self.spec.sponsor), self.spec.note or "")
        self.effects = {"sponsor": self.spec.sponsor}

    def result(self) -> str:
        return f"{self.spec.sponsor} leaves; its support stops"


SCHEMA = SponsorExit
BEHAVIOUR = SponsorExitBehaviour
