"""``blockade``: oil exports from some regions stop for months."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase

if TYPE_CHECKING:
    from ..model.model import LibyaModel


class Blockade(EventBase):
    """``by`` (a faction or a sponsor) blocks oil exports from ``regions`` for
    ``months``: whoever controls those regions earns no oil income from them
    (docs/ODD.md §7.3, the war economy), so it has less to pay and recruit with.
    Examples: the Petroleum Facilities Guard's closure of the oil-crescent
    terminals (2013-16); the LNA's shutdown of exports in 2020."""

    type: Literal["blockade"]
    by: Ident
    regions: list[Ident] = Field(min_length=1)
    months: int = Field(default=6, ge=1, le=600, description="months the blockade lasts")


class BlockadeBehaviour(Behaviour):
    """Counts the blockade on each region (``model.blockades``) while it lasts."""

    types = ("blockade",)
    spec: Blockade

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        super().__init__(model, spec, index)
        self.regions = [model.ridx[r] for r in spec.regions]  # type: ignore[attr-defined]
        self.elapsed = 0
        self.lifted = False

    def apply(self) -> None:
        m, e = self.model, self.spec
        m.blockades[self.regions] += 1
        oil = float(m.oil_share[self.regions].sum())
        holders = sorted({m.faction_ids[c] for c in m.control[self.regions] if c >= 0})
        self.effects = {"oil_share_blocked": round(oil, 4), "holders": holders, "lifted": None}
        m.log(
            STRATEGIC,
            "blockade",
            None,
            e.by,
            ",".join(holders) or None,
            0.0,
            e.note or f"oil exports from {', '.join(e.regions)} blocked",
        )

    def update(self) -> None:
        if self.lifted:
            return
        self.elapsed += 1
        if self.elapsed >= self.spec.months:
            m = self.model
            m.blockades[self.regions] -= 1
            self.lifted = True
            self.effects["lifted"] = m.month
            m.log(STRATEGIC, "blockade_lifted", None, self.spec.by, None, 0.0, "")

    def result(self) -> str:
        e, x = self.spec, self.effects
        return (
            f"{e.by} blocks oil exports from {', '.join(e.regions)} "
            f"({100 * x['oil_share_blocked']:.0f}% of national oil value) for {e.months} months"
            + (f"; lifted {x['lifted']}" if x["lifted"] else "; in force to the end")
        )


SCHEMA = Blockade
BEHAVIOUR = BlockadeBehaviour
