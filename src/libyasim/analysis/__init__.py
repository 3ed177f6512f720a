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
