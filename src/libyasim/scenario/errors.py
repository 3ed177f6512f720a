"""The one error a bad scenario raises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located in its file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(ValueError):
    """Every problem found in a scenario, one line each (``file:line path: message``)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in scenario:"
        super().__init__("\n".join([head, *("  " + str(p) for p in self.problems)]))


class ScenarioWarning(UserWarning):
    """Something in a valid scenario that is probably not what its author meant
    (``file:line path: message``), e.g. a faction that starts above its
    recruitment ceiling and so can only shrink."""
