"""The simulation core: :class:`LibyaModel` and :func:`run` (DESIGN.md §2-3).

>>> from libyasim.model import LibyaModel, run          # doctest: +SKIP
>>> result = run(scenario, seed=1)                       # doctest: +SKIP
>>> result.write("out/baseline_2017")                    # doctest: +SKIP

Names are imported on first use (PEP 562), so that ``libyasim --help`` and
``libyasim validate`` start without loading Mesa, pandas and matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ACLED_TYPES": ".result",
    "BEHAVIOURS": ".events",
    "EVENT_COLUMNS": ".result",
    "Faction": ".factions",
    "LibyaModel": ".model",
    "RegionCell": ".regions",
    "RunResult": ".result",
    "Sponsor": ".sponsors",
    "format_summary": ".report",
    "result_of": ".runner",
    "run": ".runner",
    "write_result": ".report",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .events import BEHAVIOURS
    from .factions import Faction
    from .model import LibyaModel
    from .regions import RegionCell
    from .report import format_summary, write_result
    from .result import ACLED_TYPES, EVENT_COLUMNS, RunResult
    from .runner import result_of, run
    from .sponsors import Sponsor


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
