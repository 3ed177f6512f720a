"""``libyasim audit``: a thin command over :func:`libyasim.analysis.audit.run_audit`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..batch.commands import _positive, _seed, command, number, out_option

#: the audit's defaults, sized so that the baseline's audit fits 10 minutes on 2 cores
#: (docs/audit.md); here rather than in :mod:`.audit` so that the command line is
#: built without importing the audit (scipy.stats, matplotlib)
DEFAULT_SEEDS = 10
DEFAULT_TRAJECTORIES = 4


def _at_least_two(text: str) -> int:
    v = _positive(text)
    if v < 2:
        raise argparse.ArgumentTypeError(f"must be >= 2 (a paired interval needs two); got {v}")
    return v


_count = number(int, "a whole number >= 0", lambda v: v >= 0, ">= 0")


def cmd_audit(args: argparse.Namespace) -> int:
    from ..batch import BatchError, BatchInterrupted, DesignError, StoreError
    from ..cli import UsageError
    from .audit import AuditError, run_audit

    out = args.out if args.out is not None else Path("audit") / Path(args.scenario).stem
    try:
        audit = run_audit(
            args.scenario,
            out,
            seeds=args.seeds,
            trajectories=args.trajectories,
            months=args.months,
            workers=args.workers,
            vary=tuple(args.vary),
            root_seed=args.seed,
            progress=not args.quiet,
            figures=not args.no_figures,
        )
    except (AuditError, DesignError, BatchError, StoreError) as exc:
        raise UsageError(str(exc)) from None
    except BatchInterrupted as exc:
        print(f"libyasim audit: {exc}", file=sys.stderr)
        return 130
    print(audit.text())
    print(f"\nwritten to {audit.out}: " + ", ".join(p.name for p in audit.files))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    a = command(
        sub,
        "audit",
        help="which numbers of a scenario matter: range ends on common seeds, Morris screen",
        description="Move every ranged number of the scenario (parameters, actor attributes, "
        "event fields) to the low and the high end of its range, one at a time, on the same "
        "seeds, and report the paired effect on each headline outcome with a 95% interval and "
        "the replicate-noise floor; then a Morris screen for interactions. Lists inert numbers, "
        "cited numbers without effect, and the numbers that dominate each outcome. Resumable: "
        "run the same command again to finish an interrupted audit. See docs/audit.md.",
    )
    a.add_argument("scenario", metavar="SCENARIO", help="a scenario YAML file")
    a.add_argument(
        "--seeds",
        type=_at_least_two,
        default=DEFAULT_SEEDS,
        metavar="N",
        help="common seeds per range end (and at the centre)",
    )
    a.add_argument(
        "--trajectories",
        type=_count,
        default=DEFAULT_TRAJECTORIES,
        metavar="R",
        help="Morris trajectories (0: no Morris screen)",
    )
    out_option(a, "output folder (default: audit/<scenario file name>)")
    a.add_argument(
        "--workers", "-j", type=_positive, default=None, metavar="W", help="worker processes"
    )
    a.add_argument(
        "--months",
        type=_positive,
        default=None,
        metavar="M",
        help="run length in months (default: the scenario's own)",
    )
    a.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="GLOB",
        help="only numbers whose path matches, e.g. 'parameters.*' (repeatable)",
    )
    a.add_argument("--seed", type=_seed, default=0, metavar="ROOT", help="root seed")
    a.add_argument("--no-figures", action="store_true", help="no tornado figure")
    a.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    a.set_defaults(func=cmd_audit)
