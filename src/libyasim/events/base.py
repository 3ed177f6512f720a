"""What every scheduled event shares: its data (:class:`EventBase`) and its
behaviour in a running model (:class:`Behaviour`), plus the decision inputs
several event types read (coalition strength, the value of what a faction holds).

A behaviour ``fire()``s in the month of its date (step 1 of the month), may
``update()`` every later month (step 6, the month it fired included), may say
whether it ``binds`` two factions (a ceasefire), may react to a ceasefire
violation, and ``report()``s what it did for the run summary's
``interventions``: the fields of its outcome and a one-line ``result`` in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field

from ..scenario.quantity import Evidence, StrictModel
from ..scenario.types import CHANNELS, Ident, Month

if TYPE_CHECKING:
    from ..model.model import LibyaModel

STRATEGIC = "Strategic developments"
MIL = CHANNELS.index("military")


class EventBase(StrictModel):
    id: Ident | None = None
    date: Month
    note: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


def coalition_strength(m: LibyaModel) -> np.ndarray:
    """Each faction's fighters plus its allies' weighted by alliance level [F]
    (allies fight alongside: Misrata's brigades count for the GNA)."""
    allies = m.alliance * ~m.jihadist[None, :]
    return m.strength + allies @ m.strength


def holdings(m: LibyaModel, oil_weight: float) -> np.ndarray:
    """Value of what each faction holds: ``(1 − w)·population share + w·oil share`` [F]."""
    own = (m.control[None, :] == np.arange(m.F)[:, None]).astype(float)
    return (1.0 - oil_weight) * (own @ m.pop_share) + oil_weight * (own @ m.oil_share)


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# ---------------------------------------------------------------- behaviours


class Behaviour:
    """Base class: an event's effect on the model. Subclasses set ``types``."""

    types: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: LibyaModel, spec: EventBase, index: int) -> None:
        self.model = model
        self.spec = spec
        self.type: str = getattr(spec, "type", "")
        self.index = index
        self.fired = False
        self.effects: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self.spec.id or f"{self.type}_{self.index}"

    def fire(self) -> None:
        self.fired = True
        self.apply()

    def apply(self) -> None:
        """What happens on the event's date."""

    def update(self) -> None:
        """What happens at the end of every month from the event's date (step 6)."""

    def binds(self, a: int, b: int) -> bool:
        """Does this event forbid ``a`` to attack ``b`` now (a ceasefire)?"""
        return False

    def may_bind(self) -> bool:
        """Can this event bind now (asked only of events that override :meth:`binds`)?
        False promises that :meth:`binds` is False for every pair this month."""
        return self.fired

    def binding(self) -> np.ndarray:
        """[F, F] bool: :meth:`binds` for every pair (a, b)."""
        F = self.model.F
        return np.array([[self.binds(a, b) for b in range(F)] for a in range(F)], dtype=bool)

    def wants_to_defect(self, a: int, b: int) -> bool:
        """``a``, bound by this event toward ``b``, decides whether to defect."""
        return False

    def defect(self, a: int, b: int) -> None:
        """``a`` defects from this event by attacking ``b`` (the attributed break)."""

    def violated(self, violator: int, victim: int | None, region: int | None, source: Any) -> None:
        """A ceasefire was violated somewhere (any behaviour may react)."""

    def result(self) -> str:
        """What the event did, in words, for the run summary."""
        return ""

    def report(self) -> dict[str, Any]:
        return {
            "id": self.name,
            "type": self.type,
            "date": self.spec.date,
            "fired": self.fired,
            **self.effects,
            "result": self.result() if self.fired else "not reached in this run",
        }

    # helpers
    def f(self, ident: str) -> int:
        return self.model.fidx[ident]

    def s(self, ident: str) -> int:
        return self.model.sidx[ident]
