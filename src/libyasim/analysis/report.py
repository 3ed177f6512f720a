"""The report of a batch folder: tables (CSV and text) and figures (PNG)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .compare import compare_figures, compare_outcomes, format_comparison
from .plots import fan_chart, outcome_bars
from .summary import failures, format_outcomes, key_figures, outcome_table
from .thresholds import (
    format_threshold_robustness,
    scenario_thresholds,
    threshold_plot,
    threshold_robustness,
)

FAN_VARIABLES = ("strength", "territory")


@dataclass
class Report:
    """What :func:`write_report` produced."""

    folder: Path
    outcomes: pd.DataFrame
    figures: pd.DataFrame
    failures: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    #: :func:`~libyasim.analysis.threshold_robustness` of the batch
    thresholds: pd.DataFrame = field(default_factory=pd.DataFrame)

    def text(self, detail: bool = False) -> str:
        """The report as text: outcome table, then the headline figures per
        scenario (every figure with ``detail``; all are in key_figures.csv)."""
        lines = [format_outcomes(self.outcomes[self.outcomes["kind"] == "end_state"])]
        flags = self.outcomes[self.outcomes["kind"] == "flag"]
        if not flags.empty:
            lines += ["", "flags:", format_outcomes(flags)]
        if not self.thresholds.empty:
            lines += ["", format_threshold_robustness(self.thresholds)]
        if not self.figures.empty:
            lines += ["", *self._figure_lines(detail)]
        if not self.failures.empty:
            lines += ["", "failed runs:"]
            shown = self.failures.sort_values("runs", ascending=False, kind="stable").head(10)
            lines += [f"  {r.scenario}: {r.runs} x {r.error}" for r in shown.itertuples()]
            if len(self.failures) > len(shown):
                lines.append(
                    f"  ... {len(self.failures) - len(shown)} more kinds of error in failures.csv"
                )
        if self.files:
            lines += ["", f"written to {self.folder}: " + ", ".join(p.name for p in self.files)]
        return "\n".join(lines)

    def _figure_lines(self, detail: bool) -> list[str]:
        figs = self.figures
        if detail:
            out = ["key figures (median [5th-95th percentile]):"]
            for sc, sub in figs.groupby("scenario", sort=False):
                out.append(f"  {sc}")
                out += [
                    f"    {r.figure:<34} {r.p50:>12.4g} [{r.p5:.4g} - {r.p95:.4g}]"
                    for r in sub.itertuples()
                ]
            return out
        shown = [f for f in HEADLINE if (figs["figure"] == f).any()]
        if not shown:
            return []
        head = {f: HEADLINE[f] for f in shown}
        width = max(len(str(s)) for s in figs["scenario"]) + 2
        out = [
            "headline figures at the end of the runs, median [5th-95th percentile]:",
            f"{'scenario':<{width}}" + "".join(f"{h:>22}" for h in head.values()),
        ]
        for sc, sub in figs.groupby("scenario", sort=False):
            row = sub.set_index("figure")
            cells = []
            for f in shown:
                r = row.loc[f] if f in row.index else None
                if r is None or pd.isna(r.p50):
                    cells.append("")
                else:
                    cells.append(f"{_num(r.p50)} [{_num(r.p5)}-{_num(r.p95)}]")
            out.append(f"{sc:<{width}}" + "".join(f"{c:>22}" for c in cells))
        out.append("(every key figure, per scenario: key_figures.csv)")
        return out


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2g}" if abs(x) < 1 else f"{x:.3g}"


#: the figures the text report shows by default, with their column titles
HEADLINE = {
    "total_fatalities": "deaths",
    "factions.lna.population": "LNA pop. share",
    "factions.gna.population": "GNA pop. share",
    "settlement.haftar_role": "Haftar role (0-1)",
}


def write_report(batch: str | Path, out: str | Path | None = None, figures: bool = True) -> Report:
    """Summarise a batch folder into ``out`` (default ``BATCH/report``)."""
    from ..batch.store import load_runs, load_series

    batch = Path(batch)
    runs = load_runs(batch)
    folder = Path(out) if out is not None else batch / "report"
    folder.mkdir(parents=True, exist_ok=True)
    outcomes = (
        outcome_table(runs)
        if len(runs)
        else pd.DataFrame(columns=["scenario", "outcome", "kind", "count", "n", "p", "lo", "hi"])
    )
    figs = key_figures(runs) if len(runs) else pd.DataFrame()
    fails = failures(runs)
    robust = threshold_robustness(runs, scenario_thresholds(batch)) if len(runs) else None
    rep = Report(folder, outcomes, figs, fails, thresholds=_or_empty(robust))
    for name, table in (
        ("outcomes.csv", outcomes),
        ("key_figures.csv", figs),
        ("failures.csv", fails),
        ("thresholds.csv", rep.thresholds),
    ):
        table.to_csv(folder / name, index=False)
        rep.files.append(folder / name)
    if figures and len(runs) and (runs["status"] == "ok").any():
        fig = outcome_bars(outcomes)
        fig.savefig(folder / "outcomes.png", dpi=120)
        rep.files.append(folder / "outcomes.png")
        if not rep.thresholds.empty:
            fig = threshold_plot(rep.thresholds)
            fig.savefig(folder / "thresholds.png", dpi=110)
            rep.files.append(folder / "thresholds.png")
        series = load_series(batch, variables=FAN_VARIABLES)
        for var in FAN_VARIABLES:
            if (series["variable"] == var).any():
                fig = fan_chart(series, var)
                path = folder / f"fan_{var}.png"
                fig.savefig(path, dpi=110)
                rep.files.append(path)
        del series
    return rep


def _or_empty(table: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame() if table is None else table


def write_comparison(
    batch: str | Path, baseline: str | None = None, out: str | Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Compare the scenarios of a batch with a baseline; writes CSVs to ``out`` if given."""
    from ..batch.store import load_runs

    runs = load_runs(batch)
    outcomes = compare_outcomes(runs, baseline)
    figs = compare_figures(runs, baseline)
    if out is not None:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        outcomes.to_csv(folder / "compare_outcomes.csv", index=False)
        figs.to_csv(folder / "compare_figures.csv", index=False)
    text = format_comparison(outcomes)
    if not figs.empty:
        lines = ["", "key figures, paired differences (median [5th-95th percentile]):"]
        for r in figs.itertuples():
            lines.append(
                f"  {r.scenario} - {r.baseline}  {r.figure:<30} "
                f"{r.p50:+.4g} [{r.p5:+.4g}, {r.p95:+.4g}]"
            )
        text += "\n" + "\n".join(lines)
    return outcomes, figs, text
