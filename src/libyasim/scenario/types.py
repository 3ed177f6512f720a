"""Identifiers and calendar months shared by the scenario schema and the events."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def month_index(month: str) -> int:
    """Months since year 0 for a ``YYYY-MM`` string (for date arithmetic)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_name(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class Channel(StrEnum):
    MILITARY = "military"
    FINANCIAL = "financial"
    POLITICAL = "political"
    DIRECT = "direct"  # air strikes, drones, advisers, mercenaries: multiplies a client's fire


class Interest(StrEnum):
    COUNTER_TERRORISM = "counter_terrorism"
    MIGRATION = "migration"
    ANTI_ISLAMIST = "anti_islamist"
    UN_LEGITIMACY = "un_legitimacy"
    INFLUENCE = "influence"


CHANNELS: tuple[Channel, ...] = tuple(Channel)
INTERESTS: tuple[Interest, ...] = tuple(Interest)
