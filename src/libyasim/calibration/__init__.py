"""Calibration: history matching of the mechanism parameters against the
patterns of Libya's 2014-2017 war (docs/calibration.md).

>>> from libyasim.calibration import Settings, calibrate  # doctest: +SKIP
>>> result = calibrate("scenarios/calibration/libya_2014.yaml", "out/cal", Settings(waves=3))
>>> print(result.table())

The patterns are one table (:data:`PATTERNS`, ``patterns.py``); the
non-implausible parameter sample is a Parquet file that scenarios name with
``parameters_from`` (``sample.py``).
"""

from .history import (
    SERIES_VARIABLES,
    Calibration,
    CalibrationError,
    Settings,
    calibrate,
    implausibility,
    lhs_in_box,
    match_patterns,
    parameter_space,
    point_table,
    refocus,
    report_text,
)
from .patterns import PATTERNS, NotComputable, Pattern, RunView, Target, Use, evaluate, pattern
from .sample import calibrated_rows, read_sample, scenario_sample, write_sample

__all__ = [
    "PATTERNS",
    "SERIES_VARIABLES",
    "Calibration",
    "CalibrationError",
    "NotComputable",
    "Pattern",
    "RunView",
    "Settings",
    "Target",
    "Use",
    "calibrate",
    "calibrated_rows",
    "evaluate",
    "implausibility",
    "lhs_in_box",
    "match_patterns",
    "parameter_space",
    "pattern",
    "point_table",
    "read_sample",
    "refocus",
    "report_text",
    "scenario_sample",
    "write_sample",
]
