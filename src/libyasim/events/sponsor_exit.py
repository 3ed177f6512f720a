"""``sponsor_exit``: a sponsor leaves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase

if TYPE_CHECKING:
    pass


class SponsorExit(EventBase):
    """A sponsor leaves: its support stops; support routed through it becomes direct."""

    type: Literal["sponsor_exit"]
    sponsor: Ident


class SponsorExitBehaviour(Behaviour):
    """A sponsor leaves: its allocation and flows stop; support other sponsors
    routed through it becomes direct (``support.routed``)."""

    types = ("sponsor_exit",)
    spec: SponsorExit

    def apply(self) -> None:
        m = self.model
        s = self.s(self.spec.sponsor)
        m.active[s] = False
        m.allocation[s] = 0.0
        m.flows[s] = 0.0
        m.log(STRATEGIC, "sponsor_exit", None, self.spec.sponsor, None, 0.0, self.spec.note or "")
        self.effects = {"sponsor": self.spec.sponsor}

    def result(self) -> str:
        return f"{self.spec.sponsor} leaves; its support stops"



SCHEMA = SponsorExit
BEHAVIOUR = SponsorExitBehaviour
