"""``offensive``: a faction masses part of its forces against a region for months."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from ..model import forces
from ..scenario.quantity import Unit, q
from ..scenario.types import Ident
from .base import Behaviour, EventBase

if TYPE_CHECKING:
    from ..model.model import LibyaModel


class Offensive(EventBase):
    """An ordered offensive: ``attacker`` masses ``share`` of its forces at ``origin``
    (by default the neighbour of ``target`` most of its forces can reach, or the
    target itself when it holds it and an enemy pocket fights on there) and
    presses ``target`` for ``months``; it ends in success, stalemate or retreat
    (docs/ODD.md §7.3). Unlike a decided offensive it ignores its expected gain."""

    type: Literal["offensive"]
    attacker: Ident
    target: Ident
    origin: Ident | None = None
    share: Unit = q(
        0.4,
        range=(0.2, 0.7),
        assumption="share of the attacker's forces massed; the LNA's 2019 Tripoli offensive "
        "drew on a large part of its force (judgement)",
    )
    months: int = Field(
        default=4, ge=1, le=60, description="months the offensive is planned to last"
    )


class OffensiveBehaviour(Behaviour):
    """Launches the offensive through :func:`libyasim.model.forces.launch`; reports its end."""

    types = ("offensive",)
    spec: Offensive

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        super().__init__(model, spec, index)
        self.offensive: forces.Offensive | None = None

    def apply(self) -> None:
        m, e = self.model, self.spec
        origin = m.ridx[e.origin] if e.origin else None
        attacker = self.f(e.attacker)
        forces.call_off(m, attacker, "called off for an ordered offensive", m.ridx[e.target])
        self.offensive = forces.launch(
            m,
            attacker,
            m.ridx[e.target],
            float(e.share.value),
            e.months,
            "scheduled",
            origin,
        )
        self.effects = {"launched": self.offensive is not None}

    def report(self) -> dict[str, Any]:
        if self.offensive is not None:
            self.effects.update(self.offensive.as_dict(self.model))
        return super().report()

    def result(self) -> str:
        e, o = self.spec, self.offensive
        if o is None:
            return (
                f"{e.attacker} could not launch an offensive on {e.target} "
                "(it holds it with no enemy there, is already attacking, or has no force in reach)"
            )
        return (
            f"{e.attacker} offensive on {e.target} from {self.model.region_ids[o.origin]}: "
            f"{o.status}, {o.elapsed} months, progress {o.progress:.2f}"
        )


SCHEMA = Offensive
BEHAVIOUR = OffensiveBehaviour
