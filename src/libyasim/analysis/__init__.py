"""Analysis of ensembles: outcome probabilities with intervals, comparisons, figures.

Pandas in, pandas (or a matplotlib Figure) out; the same functions serve the
CLI (``libyasim report``, ``libyasim compare``), the dashboard and notebooks::

    from libyasim.batch import load_runs, load_series
    from libyasim.analysis import outcome_table, fan_chart
    runs = load_runs("out/ens")
    outcome_table(runs)                       # p, 95% Wilson interval per end state
    fan_chart(load_series("out/ens", ["strength"]), "strength").savefig("s.png")

Which parameters decide the outcome (a batch run with ``--sample``)::

    from libyasim.analysis import sensitivity, sensitivity_plot, scenario_discovery
    table = sensitivity("out/morris", ["total_fatalities", "end_state=takeover"])
    sensitivity_plot(table).savefig("indices.png")
    scenario_discovery("out/morris", "end_state=takeover")   # the PRIM box

How the end-state shares hang on the classification thresholds (re-applying
the decision to the runs' stored criteria)::

    from libyasim.analysis import threshold_robustness
    threshold_robustness("out/ens")          # each threshold moved -10% and +10%
"""

import sys
import types
from typing import TYPE_CHECKING, Any

from .._lazy import lazy_names

if TYPE_CHECKING:  # the names below, for type checkers and IDEs; imported when first used
    from .compare import compare_figures, compare_outcomes, format_comparison
    from .intervals import newcombe, wilson
    from .plots import fan_chart, outcome_bars
    from .report import Report, write_comparison, write_report
    from .sensitivity import (
        SensitivityError,
        discovery_plot,
        prim,
        scenario_discovery,
        sensitivity,
        sensitivity_plot,
        write_sensitivity,
    )
    from .summary import (
        END_STATES,
        failures,
        fan_quantiles,
        figure_columns,
        format_outcomes,
        key_figures,
        outcome_table,
    )
    from .thresholds import format_threshold_robustness, threshold_plot, threshold_robustness

#: where each public name lives: a submodule is imported when one of its names is
#: first used, so that ``libyasim --help`` or a batch does not import scipy.stats
#: and matplotlib for the analysis commands it does not run
_WHERE = {
    "END_STATES": ".summary",
    "Report": ".report",
    "SensitivityError": ".sensitivity",
    "compare_figures": ".compare",
    "compare_outcomes": ".compare",
    "discovery_plot": ".sensitivity",
    "failures": ".summary",
    "fan_chart": ".plots",
    "fan_quantiles": ".summary",
    "figure_columns": ".summary",
    "format_comparison": ".compare",
    "format_outcomes": ".summary",
    "format_threshold_robustness": ".thresholds",
    "key_figures": ".summary",
    "newcombe": ".intervals",
    "outcome_bars": ".plots",
    "outcome_table": ".summary",
    "prim": ".sensitivity",
    "scenario_discovery": ".sensitivity",
    "sensitivity": ".sensitivity",
    "sensitivity_plot": ".sensitivity",
    "threshold_plot": ".thresholds",
    "threshold_robustness": ".thresholds",
    "wilson": ".intervals",
    "write_comparison": ".report",
    "write_report": ".report",
    "write_sensitivity": ".sensitivity",
}


#: public names that are also submodules' names (the function ``sensitivity`` of the
#: module ``sensitivity``): the package attribute stays the function, as it was when
#: the package imported its names eagerly, though importing the submodule binds it
_SHADOWED = frozenset(n for n, where in _WHERE.items() if where == "." + n)


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return  # the import system binding the submodule: the name is the function's
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__getattr__ = lazy_names(__name__, _WHERE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "END_STATES",
    "Report",
    "SensitivityError",
    "compare_figures",
    "compare_outcomes",
    "discovery_plot",
    "failures",
    "fan_chart",
    "fan_quantiles",
    "figure_columns",
    "format_comparison",
    "format_outcomes",
    "format_threshold_robustness",
    "key_figures",
    "newcombe",
    "outcome_bars",
    "outcome_table",
    "prim",
    "scenario_discovery",
    "sensitivity",
    "sensitivity_plot",
    "threshold_plot",
    "threshold_robustness",
    "wilson",
    "write_comparison",
    "write_report",
    "write_sensitivity",
]
