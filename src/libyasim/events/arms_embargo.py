"""``arms_embargo``: the UN arms embargo enforced on the military channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..scenario.quantity import Unit, q
from ..scenario.types import Month, month_index
from .base import STRATEGIC, Behaviour, EventBase, pct

if TYPE_CHECKING:
    pass


class ArmsEmbargo(EventBase):
    """Enforcement of the UN arms embargo on the military channel until ``end``.

    Direct military support passes at ``1 − enforcement``; support routed
    through other sponsors (``via``) passes at ``leakage``.
    """

    type: Literal["arms_embargo"]
    enforcement: Unit = q(
        0.7, range=(0.3, 0.95), assumption="share of direct military support stopped"
    )
    leakage: Unit = q(
        0.5,
        range=(0.2, 0.8),
        assumption="share of indirect military support that still gets through",
    )
    end: Month | None = None


class ArmsEmbargoBehaviour(Behaviour):
    """Enforcement of the arms embargo on the military channel until ``end``:
    direct military support passes at ``1 − enforcement``, support routed
    through other sponsors at ``leakage`` (docs/ODD.md §7.1)."""

    types = ("arms_embargo",)
    spec: ArmsEmbargo

    def apply(self) -> None:
        e = self.spec
        self.model.embargo = (float(e.enforcement.value), float(e.leakage.value))
        self.model.log(
            STRATEGIC, "arms_embargo", None, None, None, 0.0, e.note or "embargo enforced"
        )
        self.effects = {
            "enforcement": float(e.enforcement.value),
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
            m.embargo = None
            self.effects["lifted"] = m.month  # the first month without it
            m.log(STRATEGIC, "arms_embargo_lifted", None, None, None, 0.0, "")

    def result(self) -> str:
        x = self.effects
        return (
            f"embargo stops {pct(x['enforcement'])} of direct military support, "
            f"{pct(1 - x['leakage'])} of routed support; "
            + (f"lifted {x['lifted']}" if x["lifted"] else "in force to the end")
        )



SCHEMA = ArmsEmbargo
BEHAVIOUR = ArmsEmbargoBehaviour
