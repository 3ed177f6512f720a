"""Model coefficients, one class per mechanism module, composed into :class:`Parameters`.

Each coefficient is a field with a default, a sampling range and a one-line
description (the assumption behind the default); ``docs/ODD.md`` documents each
by name (a test keeps the two in step). A scenario file sets them, flat, under
``parameters:``. A new mechanism adds its own class here and to the bases of
:class:`Parameters`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..quantity import q


def _p(value: float, lo: float, hi: float, doc: str) -> Any:
    """A model coefficient's default: value, sampling range, and the assumption."""
    return Field(default=q(value, range=(lo, hi), assumption=doc), description=doc)


from .conflict import ConflictParameters  # noqa: E402  (the classes use _p)
from .forces import ForcesParameters  # noqa: E402
from .politics import PoliticsParameters  # noqa: E402
from .support import SupportParameters  # noqa: E402


class Parameters(PoliticsParameters, ForcesParameters, ConflictParameters, SupportParameters):
    """Model coefficients. Each is documented in docs/ODD.md under its name."""


__all__ = [
    "ConflictParameters",
    "ForcesParameters",
    "Parameters",
    "PoliticsParameters",
    "SupportParameters",
]
