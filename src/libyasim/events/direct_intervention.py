"""``direct_intervention``: a sponsor's own air strikes, drones, advisers or
mercenaries for a client, for a number of months."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..scenario.quantity import NonNegative, q
from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase


class DirectIntervention(EventBase):
    """A sponsor intervenes directly for ``client`` from ``date`` for ``months``:
    ``size`` units of direct-channel support a month on top of its budget, which
    multiply the client's fire in its battles (docs/ODD.md §7.1). The sponsor
    need not be active (a one-off intervention by an outside power); an arms
    embargo cuts it like the rest of the direct channel; ``sponsor_exit`` ends it."""

    type: Literal["direct_intervention"]
    sponsor: Ident
    client: Ident
    size: NonNegative = q(
        1.0,
        range=(0.5, 2.0),
        assumption="direct support a month, in budget units: about one sponsor's air campaign",
    )
    months: int = Field(default=6, ge=1, le=600, description="how long the intervention lasts")


class DirectInterventionBehaviour(Behaviour):
    """Adds ``size`` to the sponsor's direct flow to the client each month for
    ``months`` months (``support.allocate``), so the client's combat multiplier rises."""

    types = ("direct_intervention",)
    spec: DirectIntervention

    def apply(self) -> None:
        from ..model import support  # the mechanism lives with the sponsor rules

        m, e = self.model, self.spec
        until = m.steps + e.months - 1
        support.intervene(
            m, support.Intervention(self.s(e.sponsor), self.f(e.client), float(e.size.value), until)
        )
        m.log(STRATEGIC, "direct_intervention", None, e.sponsor, e.client, 0.0, e.note or "")
        self.effects = {"sponsor": e.sponsor, "client": e.client, "size": float(e.size.value)}

    def result(self) -> str:
        e = self.spec
        return (
            f"{e.sponsor} intervenes directly for {e.client}: "
            f"{e.size.value:.2f} a month for {e.months} months"
        )


SCHEMA = DirectIntervention
BEHAVIOUR = DirectInterventionBehaviour
