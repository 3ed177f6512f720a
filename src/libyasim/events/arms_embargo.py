"""``arms_embargo``: the UN arms embargo enforced on the military and direct channels."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ..model import support
from ..scenario.quantity import Unit, q
from ..scenario.types import Ident, Month, month_index
from .base import STRATEGIC, Behaviour, EventBase, pct


class ArmsEmbargo(EventBase):
    """Enforcement of the UN arms embargo until ``end``.

    Direct military support from a sponsor passes at ``1 − enforcement`` (or
    ``1 − sponsor_enforcement[sponsor]`` for the sponsors listed there: the
    embargo is enforced per sponsor); support routed through other sponsors
    (``via``) passes at ``leakage``; the direct channel (drones, mercenaries,
    air strikes) is cut by ``embargo_direct_reach`` × the sponsor's enforcement.
    """

    type: Literal["arms_embargo"]
    enforcement: Unit = q(
        0.7, range=(0.3, 0.95), assumption="share of direct military support stopped"
    )
    sponsor_enforcement: dict[Ident, Unit] = Field(
        default_factory=dict,
        description="enforcement against particular sponsors (the others get `enforcement`)",
    )
    leakage: Unit = q(
        0.5,
        range=(0.2, 0.8),
        assumption="share of indirect military support that still gets through",
    )
    end: Month | None = None


class ArmsEmbargoBehaviour(Behaviour):
    """Enforcement of the arms embargo until ``end``: each sponsor's direct
    military support passes at ``1 − enforcement_s``, support routed through
    other sponsors at ``leakage``, the direct channel at
    ``1 − embargo_direct_reach·enforcement_s`` (docs/ODD.md §7.1)."""

    types = ("arms_embargo",)
    spec: ArmsEmbargo

    def apply(self) -> None:
        e, m = self.spec, self.model
        enforcement = np.full(m.S, float(e.enforcement.value))
        for sponsor, level in e.sponsor_enforcement.items():
            enforcement[self.s(sponsor)] = float(level.value)
        support.set_embargo(m, enforcement, float(e.leakage.value))
        m.log(STRATEGIC, "arms_embargo", None, None, None, 0.0, e.note or "embargo enforced")
        self.effects = {
            "enforcement": float(e.enforcement.value),
            "sponsor_enforcement": {k: float(v.value) for k, v in e.sponsor_enforcement.items()},
            "leakage": float(e.leakage.value),
            "lifted": None,
        }

    def update(self) -> None:
        e, m = self.spec, self.model
        if (
            e.end
            and self.effects.get("lifted") is None
            and month_index(m.month) > month_index(e.end)
        ):
            support.set_embargo(m, None)
            self.effects["lifted"] = m.month  # the first month without it
            m.log(STRATEGIC, "arms_embargo_lifted", None, None, None, 0.0, "")

    def result(self) -> str:
        x = self.effects
        per = "".join(f"; {pct(v)} of {k}'s" for k, v in x["sponsor_enforcement"].items())
        return (
            f"embargo stops {pct(x['enforcement'])} of direct military support{per}, "
            f"{pct(1 - x['leakage'])} of routed support; "
            + (f"lifted {x['lifted']}" if x["lifted"] else "in force to the end")
        )


SCHEMA = ArmsEmbargo
BEHAVIOUR = ArmsEmbargoBehaviour
