"""``summit`` / ``recognition``: a sponsor lends legitimacy to actors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..scenario.quantity import Unit, q
from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase

if TYPE_CHECKING:
    pass


class Recognition(EventBase):
    """A sponsor lends legitimacy to actors: a summit, a visit, a recognition."""

    type: Literal["summit", "recognition"]
    sponsor: Ident
    actors: list[Ident] = Field(min_length=1)
    legitimacy_boost: Unit = q(
        0.05, range=(0.01, 0.15), assumption="legitimacy gained from one high-profile summit"
    )
    stance_shift: Unit = q(
        0.0,
        range=(0.0, 0.3),
        assumption=(
            "rise of the sponsor's own stance toward the factions it receives (a commitment it "
            "makes by hosting them); none unless stated"
        ),
    )


class RecognitionBehaviour(Behaviour):
    """A summit or recognition: the sponsor lends legitimacy to the actors
    (and, with ``stance_shift``, commits itself to them)."""

    types = ("summit", "recognition")
    spec: Recognition

    def apply(self) -> None:
        m, e = self.model, self.spec
        boost = float(e.legitimacy_boost.value)
        shift = float(e.stance_shift.value)
        s = self.s(e.sponsor)
        got = []
        for a in e.actors:
            if a in m.fidx:
                f = m.fidx[a]
                m.legitimacy[f] = min(1.0, m.legitimacy[f] + boost)
                m.legitimacy0[f] = min(1.0, m.legitimacy0[f] + boost)
                m.stance[s, f] = min(1.0, m.stance[s, f] + shift)
                got.append(a)
        m.log(STRATEGIC, self.spec.type, None, e.sponsor, ",".join(e.actors), 0.0, e.note or "")
        self.effects = {"sponsor": e.sponsor, "boosted": got, "legitimacy_boost": boost}

    def result(self) -> str:
        x = self.effects
        who = ", ".join(x["boosted"]) or "no faction"
        return f"{x['sponsor']} lends legitimacy to {who} (+{x['legitimacy_boost']:.2f})"



SCHEMA = Recognition
BEHAVIOUR = RecognitionBehaviour
