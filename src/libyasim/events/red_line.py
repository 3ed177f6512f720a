"""``red_line``: a sponsor commits to defend regions for a client."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ..scenario.quantity import NonNegative, Unit, q
from ..scenario.types import Ident, Month, month_index
from .base import STRATEGIC, Behaviour, EventBase


class RedLine(EventBase):
    """From ``date`` (until ``end``), ``sponsor`` declares that it will defend
    ``regions`` for ``client``. The line deters: an offensive by a faction
    hostile to the client into a covered region expects an extra cost
    ``red_line_deterrence × credibility`` (``support.deterrence_cost``). If the
    line is crossed — a faction hostile to the client holds a covered region —
    the sponsor (while active) sends ``response`` direct support a month for
    ``months`` months, and again at each new crossing after that."""

    type: Literal["red_line"]
    sponsor: Ident
    client: Ident
    regions: list[Ident] = Field(min_length=1)
    credibility: Unit = q(
        0.7,
        range=(0.4, 0.9),
        assumption="probability an attacker gives to the sponsor acting if the line is crossed",
    )
    response: NonNegative = q(
        2.0,
        range=(1.0, 4.0),
        assumption="direct support a month the sponsor sends when the line is crossed: "
        "about a neighbour's full air campaign",
    )
    months: int = Field(default=6, ge=1, le=600, description="how long each response lasts")
    end: Month | None = None


class RedLineBehaviour(Behaviour):
    """Registers a :class:`~libyasim.model.support.RedLine`: read by
    ``support.deterrence_cost`` / ``support.deterrence_matrix`` (offensives) and
    checked every month by ``support.red_lines`` (the response)."""

    types = ("red_line",)
    spec: RedLine

    def apply(self) -> None:
        from ..model import support  # the mechanism lives with the sponsor rules

        m, e = self.model, self.spec
        regions = np.zeros(m.R, dtype=bool)
        for r in e.regions:
            regions[m.ridx[r]] = True
        until = None
        if e.end is not None:
            until = m.steps + month_index(e.end) - month_index(m.current_month)
        self.line = support.add_red_line(
            m,
            self.s(e.sponsor),
            self.f(e.client),
            regions,
            float(e.credibility.value),
            float(e.response.value),
            e.months,
            until,
        )
        m.log(
            STRATEGIC,
            "red_line",
            e.regions[0],
            e.sponsor,
            e.client,
            0.0,
            e.note or f"{e.sponsor} will defend {', '.join(e.regions)} for {e.client}",
        )
        self.effects = {"sponsor": e.sponsor, "client": e.client, "regions": list(e.regions)}

    def report(self) -> dict:
        out = super().report()
        if self.fired:
            out["crossings"] = self.line.crossings
        return out

    def result(self) -> str:
        e = self.spec
        n = self.line.crossings
        times = f"{n} time{'s' if n != 1 else ''}"
        acted = f"crossed {times}, {e.sponsor} acted" if n else "never crossed"
        return f"{e.sponsor} draws a red line around {', '.join(e.regions)} for {e.client}: {acted}"


SCHEMA = RedLine
BEHAVIOUR = RedLineBehaviour
