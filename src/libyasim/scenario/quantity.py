"""Numbers that carry their evidence.

Every numeric parameter of a scenario is a :class:`Quantity`. In a file it is
either a bare number (``strength: 25000``) or a record::

    strength:
      value: 25000
      range: [15000, 35000]
      assumption: "UN Panel of Experts and think-tank estimates, mid-2017"

    interests:
      counter_terrorism:
        value: 0.8
        range: [0.6, 0.9]
        source: seed:p3s1
        note: "France reads the Libyan crisis mainly as a terrorism problem"

``source`` is a locator into a registered document (paragraph and sentence)
and ``note`` our own paraphrase; ``assumption`` says why a number was chosen
where the text is silent. ``range`` is what ensembles and sensitivity analysis
sample. ``inert`` (optional) says why a number records the situation without
acting in this scenario (measured: no effect beyond noise across its range);
``libyasim audit`` lists such numbers as *marked* rather than decorative
evidence, and says so when a marked number does act (docs/audit.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator

LOCATOR_RE = re.compile(r"^(?P<doc>[a-z][a-z0-9_]*):p(?P<para>[1-9][0-9]*)s(?P<sent>[1-9][0-9]*)$")


class StrictModel(BaseModel):
    """Base of every scenario object: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_locator(value: str) -> str:
    if not LOCATOR_RE.match(value):
        raise ValueError(
            f"must be a locator like 'seed:p3s1' (document:paragraph,sentence); got {value!r}"
        )
    return value


Locator = Annotated[str, AfterValidator(_check_locator)]


class Evidence(StrictModel):
    """Where a statement comes from: a locator and our paraphrase, or an assumption."""

    source: Locator | None = None
    note: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Evidence:
        if self.source is None and self.assumption is None:
            raise ValueError("needs either 'source' (with 'note') or 'assumption'")
        if self.source is not None and not self.note:
            raise ValueError("a 'source' needs a 'note' paraphrasing what it says")
        return self


class Quantity(StrictModel):
    """A number with its uncertainty range and evidence."""

    value: float
    range: tuple[float, float] | None = None
    source: Locator | None = None
    note: str | None = None
    assumption: str | None = None
    inert: str | None = None  # why it does not act in this scenario (the audit's marking)

    @model_validator(mode="after")
    def _consistent(self) -> Quantity:
        if not math.isfinite(self.value):
            raise ValueError(f"value must be a finite number; got {self.value}")
        if self.range is not None:
            lo, hi = self.range
            if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
                raise ValueError(
                    f"range must be [low, high] with finite low <= high; got [{lo:g}, {hi:g}]"
                )
            if not lo <= self.value <= hi:
                raise ValueError(
                    f"value {self.value:g} lies outside its own range [{lo:g}, {hi:g}]; "
                    "move the value or widen the range"
                )
        if self.source is not None and not self.note:
            raise ValueError("a 'source' needs a 'note' paraphrasing what it says")
        if self.source is not None and self.assumption is not None:
            raise ValueError("give either 'source' or 'assumption', not both")
        if self.inert is not None and len(self.inert.strip()) < 20:
            raise ValueError(
                "'inert' says why the number cannot act in this scenario, in a sentence; "
                f"got {self.inert!r}"
            )
        return self

    @property
    def evidenced(self) -> bool:
        return self.source is not None

    @property
    def assumed(self) -> bool:
        return self.assumption is not None

    def __float__(self) -> float:
        return float(self.value)


def _coerce(value: Any) -> Any:
    # bool is an int in Python; a YAML `true` is not a number
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"value": value}
    return value


def _bounded(lo: float | None, hi: float | None, *, open_lo: bool = False) -> Callable:
    def check(q: Quantity) -> Quantity:
        points = [q.value, *(q.range or ())]
        for x in points:
            if lo is not None and (x <= lo if open_lo else x < lo):
                raise ValueError(f"must be {'>' if open_lo else '>='} {lo:g}; got {x:g}")
            if hi is not None and x > hi:
                raise ValueError(f"must be <= {hi:g}; got {x:g}")
        return q

    return check


class WholeNumber:
    """Marks a quantity the model reads as a whole number (a count of months or
    substeps): samplers draw it as an integer (``libyasim.batch.design``)."""

    def __repr__(self) -> str:
        return "WholeNumber()"


def quantity(
    lo: float | None = None, hi: float | None = None, *, open_lo: bool = False, whole: bool = False
) -> Any:
    """An annotated Quantity type whose value and range lie within [lo, hi];
    ``whole``: the model reads it as a whole number (see :class:`WholeNumber`)."""
    checks = (BeforeValidator(_coerce), AfterValidator(_bounded(lo, hi, open_lo=open_lo)))
    if whole:
        return Annotated[Quantity, checks[0], checks[1], WholeNumber()]
    return Annotated[Quantity, checks[0], checks[1]]


Number = quantity()
NonNegative = quantity(0.0)
Positive = quantity(0.0, open_lo=True)
Unit = quantity(0.0, 1.0)
Signed = quantity(-1.0, 1.0)
#: a count (months, substeps): sampled as whole numbers
Count = quantity(0.0, whole=True)


def q(value: float, **kw: Any) -> Quantity:
    """A Quantity for a default value in code (``q(0.3)``)."""
    return Quantity(value=value, **kw)
