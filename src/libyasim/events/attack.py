"""``attack``: a scheduled jihadist attack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..model.conflict import attack
from ..scenario.quantity import NonNegative, q
from ..scenario.types import Ident
from .base import Behaviour, EventBase

if TYPE_CHECKING:
    pass


class Attack(EventBase):
    """A jihadist attack of a given size in a region (raises the threat index)."""

    type: Literal["attack"]
    faction: Ident
    region: Ident
    target: Ident | None = None
    fatalities: NonNegative = q(
        2,
        range=(1, 10),
        assumption="a small attack like the checkpoint killing near Ajdabiya (seed:p1s2)",
    )


class AttackBehaviour(Behaviour):
    """A jihadist attack of a given size: deaths, threat index, event log. It never
    breaks a ceasefire by itself (only a bound party's attack does)."""

    types = ("attack",)
    spec: Attack

    def apply(self) -> None:
        m, e = self.model, self.spec
        target = self.f(e.target) if e.target else None
        deaths = float(e.fatalities.value)
        attack(
            m,
            self.f(e.faction),
            m.ridx[e.region],
            deaths,
            target,
            note=e.note or "scheduled attack",
        )
        self.effects = {"fatalities": deaths, "threat_after": round(m.threat, 4)}

    def result(self) -> str:
        e = self.spec
        return (
            f"{e.faction} attack in {e.region}: {self.effects['fatalities']:g} killed; "
            f"threat index {self.effects['threat_after']:.2f}"
        )


SCHEMA = Attack
BEHAVIOUR = AttackBehaviour
