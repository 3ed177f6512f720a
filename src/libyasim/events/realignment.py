"""``realignment``: factions change sides — hostility, alliance, defection, merger."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from ..scenario.quantity import Quantity, Unit
from ..scenario.types import Ident
from .base import STRATEGIC, Behaviour, EventBase


class Realignment(EventBase):
    """A change of sides between two ``factions`` on ``date``.

    ``kind``: ``hostility`` sets their hostility to ``level``; ``alliance``
    sets their alliance to ``level``; ``defection`` moves ``share`` of the
    first faction's fighters, in every region, to the second (brigades
    switching sides, as Misratan and Zintani units did more than once); ``merger``
    folds the first faction into the second (all its fighters, the regions it
    controls, its resources). Details: docs/ODD.md §7.5.
    """

    type: Literal["realignment"]
    kind: Literal["hostility", "alliance", "defection", "merger"]
    factions: list[Ident] = Field(min_length=2, max_length=2)
    level: Unit | None = None
    share: Unit | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Realignment:
        if self.factions[0] == self.factions[1]:
            raise ValueError("factions must be two different factions")
        need = {"hostility": "level", "alliance": "level", "defection": "share"}.get(self.kind)
        if need and getattr(self, need) is None:
            raise ValueError(f"a {self.kind} realignment needs '{need}'")
        for other in ("level", "share"):
            if other != need and getattr(self, other) is not None:
                raise ValueError(f"'{other}' does not apply to a {self.kind} realignment")
        return self


def _v(x: Quantity | None) -> float:
    return float(x.value) if x is not None else 0.0


class RealignmentBehaviour(Behaviour):
    """A realignment between factions a and b (in the order of ``factions``).

    ``hostility``/``alliance``: ``h_ab``/``alliance_ab`` (both directions) set to
    ``level``. ``defection``: in every region, ``share`` of a's garrison moves to
    b; a region a controlled passes to b if b's garrison there now exceeds a's
    (a ``control_change``). ``merger``: a defection of everything; all regions a
    controlled pass to b, b takes a's resources, and b inherits a's UN
    recognition if a had it.
    """

    types = ("realignment",)
    spec: Realignment

    def apply(self) -> None:
        m, e = self.model, self.spec
        a, b = self.f(e.factions[0]), self.f(e.factions[1])
        moved, regions = 0.0, []
        if e.kind == "hostility":
            m.hostility[a, b] = m.hostility[b, a] = _v(e.level)
        elif e.kind == "alliance":
            m.alliance[a, b] = m.alliance[b, a] = _v(e.level)
        else:
            share = 1.0 if e.kind == "merger" else _v(e.share)
            move = m.garrison[a] * share
            moved = float(move.sum())
            m.garrison[a] -= move
            m.garrison[b] += move
            held = np.flatnonzero(m.control == a)
            if e.kind == "merger":
                passes = held
                m.resources[b] += m.resources[a]
                m.resources[a] = 0.0
                if m.un_recognised[a] > m.un_recognised[b]:
                    m.un_recognised[b] = m.un_recognised[a]
                    m.un_recognised[a] = 0.0
            else:
                passes = held[m.garrison[b, held] > m.garrison[a, held]]
            for r in passes:
                m.control[r] = b
                regions.append(m.region_ids[r])
                m.log(
                    "Strategic developments",
                    "control_change",
                    int(r),
                    e.factions[1],
                    e.factions[0],
                    0.0,
                    f"{e.kind}",
                )
            m.sync_strength()
        m.log(
            STRATEGIC,
            "realignment",
            None,
            e.factions[0],
            e.factions[1],
            0.0,
            e.kind
            + (f" level {_v(e.level):g}" if e.level is not None else "")
            + (f" share {_v(e.share):g}" if e.share is not None else ""),
        )
        self.effects = {
            "kind": e.kind,
            "factions": list(e.factions),
            "fighters_moved": round(moved, 1),
            "regions_changed": regions,
        }

    def result(self) -> str:
        x = self.effects
        a, b = x["factions"]
        if x["kind"] in ("hostility", "alliance"):
            return f"{x['kind']} between {a} and {b} set to {_v(self.spec.level):g}"
        out = f"{a} {'merges into' if x['kind'] == 'merger' else 'loses'} "
        out += f"{x['fighters_moved']:.0f} fighters to {b}" if x["kind"] == "defection" else b
        if x["regions_changed"]:
            out += f"; {', '.join(x['regions_changed'])} pass to {b}"
        return out


SCHEMA = Realignment
BEHAVIOUR = RealignmentBehaviour
