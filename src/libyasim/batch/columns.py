"""Column names that every tool can read: SQL, pandas attributes, EMA Workbench.

A libyasim quantity is named by a dotted path (``strength.lna``,
``factions.lna.strength``, ``parameters.engagement_rate``); as a column or an
outcome name the dots become double underscores (``strength__lna``), so names
need no quoting in SQL, are valid Python identifiers where the path is, and
map back unambiguously (identifiers never contain ``__``).
"""

from __future__ import annotations

import re

SEP = "__"
_OTHER = re.compile(r"[^0-9A-Za-z_]")


def column_name(path: str) -> str:
    """``strength.lna`` → ``strength__lna``; other characters outside ``[0-9A-Za-z_]``
    (``~`` and ``>`` in relation paths) become one underscore."""
    return _OTHER.sub("_", path.replace(".", SEP))


def path_of(column: str) -> str:
    """The dotted path of a column named by :func:`column_name` (``~``/``>`` not restored)."""
    return column.replace(SEP, ".")
