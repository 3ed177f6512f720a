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
    "BEHAVIOURS": "..events",
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

if TYPE_CHECKING:  # for type checkers; ``X as X`` marks an explicit re-export
    from ..events import BEHAVIOURS as BEHAVIOURS
    from .factions import Faction as Faction
    from .model import LibyaModel as LibyaModel
    from .regions import RegionCell as RegionCell
    from .report import format_summary as format_summary
    from .report import write_result as write_result
    from .result import ACLED_TYPES as ACLED_TYPES
    from .result import EVENT_COLUMNS as EVENT_COLUMNS
    from .result import RunResult as RunResult
    from .runner import result_of as result_of
    from .runner import run as run
    from .sponsors import Sponsor as Sponsor


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
