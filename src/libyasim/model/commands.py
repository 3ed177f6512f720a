"""``libyasim run SCENARIO [--months N] [--seed S] [--out DIR]``."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = argparse.ArgumentDefaultsHelpFormatter


def cmd_run(args: argparse.Namespace) -> int:
    from ..cli import UsageError
    from ..scenario import load_scenario
    from .report import format_summary, write_result
    from .runner import run

    if args.months is not None and not 1 <= args.months <= 600:
        raise UsageError(f"--months must be between 1 and 600; got {args.months}")
    if args.seed is not None and not 0 <= args.seed < 2**63:
        raise UsageError(f"--seed must be a non-negative integer; got {args.seed}")
    scenario = load_scenario(args.scenario)
    result = run(scenario, seed=args.seed, months=args.months)
    out = Path(args.out) if args.out else Path("out") / scenario.id
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    try:
        write_result(result, out, plot=not args.no_plot)
    except OSError as exc:
        raise UsageError(f"cannot write results to {out}: {exc.strerror or exc}") from None
    print(format_summary(result))
    print(
        f"\nWrote {out}/: series.parquet, events.parquet, summary.json"
        + ("" if args.no_plot else ", overview.png")
        + ", scenario.json"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run one scenario once and write its results",
        formatter_class=HELP,
        description="Run SCENARIO with one seed; write the series, the event log, a JSON "
        "summary and an overview picture, and print a summary.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML)")
    p.add_argument(
        "--months", type=int, default=None, help="months to run (default: the scenario's)"
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's)")
    p.add_argument("--out", default=None, help="output directory (default: out/<scenario id>)")
    p.add_argument("--no-plot", action="store_true", help="skip overview.png")
    p.set_defaults(func=cmd_run)
