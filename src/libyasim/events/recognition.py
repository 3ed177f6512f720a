"""``summit`` / ``recognition``: a host (a sponsor, a faction or another actor)
lends legitimacy to actors and may bring them closer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..scenario.quantity import Unit, q
from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase


class Recognition(EventBase):
    """A host lends legitimacy to actors: a summit, a visit, a recognition.

    The host is a ``sponsor`` or, with ``host``, any actor of the scenario: a
    sponsor or a Libyan faction (a meeting the HoR or the GNA convenes). A
    third party that backs nobody (a neighbour's mediation) is declared as a
    sponsor without budget. Name one of the two fields.
    """

    type: Literal["summit", "recognition"]
    sponsor: Ident | None = None
    host: Ident | None = None
    actors: list[Ident] = Field(min_length=1)
    legitimacy_boost: Unit = q(
        0.05, range=(0.01, 0.15), assumption="legitimacy gained from one high-profile summit"
    )
    stance_shift: Unit = q(
        0.0,
        range=(0.0, 0.3),
        assumption=(
            "rise of the host sponsor's own stance toward the factions it receives (a commitment "
            "it makes by hosting them); none unless stated; no effect when the host is no sponsor"
        ),
    )
    rapprochement: Unit = q(
        0.0,
        range=(0.0, 0.5),
        assumption=(
            "share of the hostility among the factions that meet (the host included when it is a "
            "faction) that the summit removes; none unless stated"
        ),
    )

    @model_validator(mode="after")
    def _one_host(self) -> Recognition:
        if (self.sponsor is None) == (self.host is None):
            raise ValueError("name the host: either 'sponsor' or 'host' (not both)")
        return self


class RecognitionBehaviour(Behaviour):
    """A summit or recognition: each faction among ``actors`` gains
    ``legitimacy_boost`` (current and base legitimacy); a sponsor host raises
    its stance toward them by ``stance_shift``; hostility among the factions
    that meet (a faction host included) falls by the share ``rapprochement``."""

    types = ("summit", "recognition")
    spec: Recognition

    def apply(self) -> None:
        m, e = self.model, self.spec
        host = e.sponsor or e.host or ""
        boost = float(e.legitimacy_boost.value)
        shift = float(e.stance_shift.value)
        s = m.sidx.get(host)
        got = []
        for a in e.actors:
            if a in m.fidx:
                f = m.fidx[a]
                m.legitimacy[f] = min(1.0, m.legitimacy[f] + boost)
                m.legitimacy0[f] = min(1.0, m.legitimacy0[f] + boost)
                if s is not None:
                    m.stance[s, f] = min(1.0, m.stance[s, f] + shift)
                got.append(a)
        met = [m.fidx[a] for a in [*got, host] if a in m.fidx]
        keep = 1.0 - float(e.rapprochement.value)
        for i in met:
            for j in met:
                if i != j:
                    m.hostility[i, j] *= keep
        m.log(STRATEGIC, self.spec.type, None, host, ",".join(e.actors), 0.0, e.note or "")
        self.effects = {
            "host": host,
            "sponsor": e.sponsor,
            "host_kind": "sponsor" if s is not None else ("faction" if host in m.fidx else "other"),
            "boosted": got,
            "legitimacy_boost": boost,
        }

    def result(self) -> str:
        x = self.effects
        who = ", ".join(x["boosted"]) or "no faction"
        return f"{x['host']} lends legitimacy to {who} (+{x['legitimacy_boost']:.2f})"


SCHEMA = Recognition
BEHAVIOUR = RecognitionBehaviour
