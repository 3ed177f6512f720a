"""``icc_warrant``: an ICC arrest warrant on a faction's commander."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..scenario.quantity import NonNegative, Unit, q
from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase

if TYPE_CHECKING:
    pass


class IccWarrant(EventBase):
    """An ICC arrest warrant on a faction's commander."""

    type: Literal["icc_warrant"]
    faction: Ident
    commander: str
    legitimacy_penalty: Unit = q(
        0.05,
        range=(0.0, 0.15),
        assumption="international legitimacy lost from a warrant on a commander",
    )
    reputation_cost: NonNegative = q(
        0.5,
        range=(0.2, 1.0),
        assumption=(
            "extra cost, per unit of reputation sensitivity, of supporting the faction directly"
        ),
    )


class IccWarrantBehaviour(Behaviour):
    """An ICC warrant on a faction's commander: legitimacy penalty and a
    reputation cost to any sponsor that supports the faction directly."""

    types = ("icc_warrant",)
    spec: IccWarrant

    def apply(self) -> None:
        m, e = self.model, self.spec
        f = self.f(e.faction)
        before = float(m.legitimacy[f])
        pen = float(e.legitimacy_penalty.value)
        m.legitimacy[f] = max(0.0, m.legitimacy[f] - pen)
        m.legitimacy0[f] = max(0.0, m.legitimacy0[f] - pen)
        m.icc_load[f] += float(e.reputation_cost.value)
        m.log(
            STRATEGIC,
            "icc_warrant",
            None,
            "icc" if "icc" in m.sidx else None,
            e.faction,
            0.0,
            f"warrant for {e.commander}",
        )
        self.effects = {
            "faction": e.faction,
            "legitimacy_before": round(before, 4),
            "legitimacy_after": round(float(m.legitimacy[f]), 4),
        }

    def result(self) -> str:
        x = self.effects
        return (
            f"warrant for {self.spec.commander}: {x['faction']} legitimacy "
            f"{x['legitimacy_before']:.2f} → {x['legitimacy_after']:.2f}; direct support costlier"
        )


SCHEMA = IccWarrant
BEHAVIOUR = IccWarrantBehaviour
