"""``support_change``: a sponsor changes budget, interests, stance, routing or consensus."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from ..model import support
from ..scenario.quantity import NonNegative, Signed, Unit
from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase

if TYPE_CHECKING:
    pass
from ..scenario.types import CHANNELS, INTERESTS

ChannelName = Literal["military", "financial", "political", "direct"]


class SupportChange(EventBase):
    """A sponsor changes course from ``date``: budget, interests, stance or channel.

    ``budget_scale`` multiplies a channel's budget, ``budget`` sets it (for a
    channel that was zero); ``interests`` and ``stance`` set weights;
    ``via: [egypt]`` routes all the sponsor's support through other sponsors,
    ``via: []`` makes it direct; ``consensus`` sets internal agreement.
    """

    type: Literal["support_change"]
    sponsor: Ident
    budget: dict[ChannelName, NonNegative] = Field(default_factory=dict)
    budget_scale: dict[ChannelName, NonNegative] = Field(default_factory=dict)
    interests: dict[
        Literal["counter_terrorism", "migration", "anti_islamist", "un_legitimacy", "influence"],
        Unit,
    ] = Field(default_factory=dict)
    stance: dict[Ident, Signed] = Field(default_factory=dict)
    via: list[Ident] | None = None
    consensus: Unit | None = None


class SupportChangeBehaviour(Behaviour):
    """A sponsor changes its budget, interests, stance, routing or consensus."""

    types = ("support_change",)
    spec: SupportChange

    def apply(self) -> None:
        m, e = self.model, self.spec
        s = self.s(e.sponsor)
        before = m.budget[s].copy()
        for ch, value in e.budget.items():
            c = CHANNELS.index(ch)
            m.budget[s, c] = m.budget0[s, c] = float(value.value)
        for ch, scale in e.budget_scale.items():
            c = CHANNELS.index(ch)
            m.budget[s, c] *= float(scale.value)
            m.budget0[s, c] *= float(scale.value)
        for k, w in e.interests.items():
            m.interests[s, INTERESTS.index(k)] = float(w.value)
        for f, v in e.stance.items():
            m.stance[s, self.f(f)] = float(v.value)
        if e.via is not None:
            # every faction the sponsor supports or may support
            reach = (m.edges[s].sum(axis=1) > 0) | (m.stance[s] > 0)
            for g in np.flatnonzero(reach):
                if e.via:
                    m.via[(s, int(g))] = [self.s(v) for v in e.via]
                else:
                    m.via.pop((s, int(g)), None)
            support.set_routes(m)
        if e.consensus is not None:
            m.consensus[s] = float(e.consensus.value)
        m.log(STRATEGIC, "support_change", None, e.sponsor, None, 0.0, e.note or "")
        self.effects = {
            "sponsor": e.sponsor,
            "budget_before": {
                str(c): round(float(x), 4) for c, x in zip(CHANNELS, before, strict=True)
            },
            "budget_after": {
                str(c): round(float(x), 4) for c, x in zip(CHANNELS, m.budget[s], strict=True)
            },
        }

    def result(self) -> str:
        e, x = self.spec, self.effects
        parts = [
            f"{c} budget {x['budget_before'][c]:.2f} → {x['budget_after'][c]:.2f}"
            for c in CHANNELS
            if x["budget_before"][c] != x["budget_after"][c]
        ]
        parts += [f"stance to {f} {v.value:+.2f}" for f, v in e.stance.items()]
        parts += [f"{k} weight {v.value:.2f}" for k, v in e.interests.items()]
        if e.via is not None:
            parts.append(
                f"support routed via {', '.join(e.via)}" if e.via else "support now direct"
            )
        if e.consensus is not None:
            parts.append(f"consensus {e.consensus.value:.2f}")
        return f"{e.sponsor} changes course: " + ("; ".join(parts) or "no change")


SCHEMA = SupportChange
BEHAVIOUR = SupportChangeBehaviour
