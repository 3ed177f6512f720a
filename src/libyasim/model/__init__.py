"""The simulation core: :class:`LibyaModel` and :func:`run` (DESIGN.md §2-3).

>>> from libyasim.model import LibyaModel, run          # doctest: +SKIP
>>> result = run(scenario, seed=1)                       # doctest: +SKIP
>>> result.write("out/baseline_2017")                    # doctest: +SKIP
"""

from .events import BEHAVIOURS
from .factions import Faction
from .model import LibyaModel
from .regions import RegionCell
from .report import format_summary, write_result
from .result import ACLED_TYPES, EVENT_COLUMNS, RunResult
from .runner import result_of, run
from .sponsors import Sponsor

__all__ = [
    "ACLED_TYPES",
    "BEHAVIOURS",
    "EVENT_COLUMNS",
    "Faction",
    "LibyaModel",
    "RegionCell",
    "RunResult",
    "Sponsor",
    "format_summary",
    "result_of",
    "run",
    "write_result",
]
