"""``libyasim calibrate``: a thin command over :func:`libyasim.calibration.calibrate`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..batch.commands import _positive, _seed, command, number, out_option
from ..batch.executors import EXECUTORS

_fraction = number(float, "a number in [0, 1]", lambda v: 0 <= v <= 1, "in [0, 1]")
_cutoff = number(float, "a positive number", lambda v: v > 0, "> 0")


def cmd_calibrate(args: argparse.Namespace) -> int:
    from ..batch import BatchError, BatchInterrupted, DesignError, StoreError
    from ..cli import UsageError
    from .history import CalibrationError, Settings, calibrate

    if args.executor == "serial" and args.workers not in (None, 1):
        raise UsageError("--executor serial runs in this process: --workers must be 1 or left out")
    try:
        settings = Settings(
            waves=args.waves,
            points=args.points,
            replicates=args.replicates,
            months=args.months,
            cutoff=args.cutoff,
            cut=args.cut,
            discrepancy=args.discrepancy,
            widen=args.widen,
            seed=args.seed,
            vary=tuple(args.vary) or ("parameters.*",),
            method=args.method,
            candidates=args.candidates,
            active=args.active,
        )
        result = calibrate(
            args.scenario,
            args.out,
            settings,
            executor=args.executor,
            workers=args.workers,
            progress=not args.quiet,
            sample_to=args.write,
            log=lambda msg: print(f"libyasim calibrate: {msg}", file=sys.stderr),
        )
    except (CalibrationError, DesignError, BatchError, StoreError) as exc:
        raise UsageError(str(exc)) from None
    except BatchInterrupted as exc:
        print(f"libyasim calibrate: {exc}; run the same command again to resume", file=sys.stderr)
        return 130
    print(result.table())
    print(
        f"{result.n_non_implausible} non-implausible parameter set(s) -> {result.sample_path}"
        + (f" and {args.write}" if args.write else ""),
        file=sys.stderr,
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "calibrate",
        defaults=False,
        help="history matching of the mechanism parameters against the 2014-2017 patterns",
        description="Waves of runs over the scenario's parameters.* ranges; each point is judged "
        "by its implausibility against the patterns of docs/calibration.md, and Gaussian-process "
        "emulators fitted to the runs choose each later wave inside the region they do not rule "
        "out. Writes the non-implausible "
        "parameter sample (nroy.parquet + nroy.json) and a report into --out. Interrupted? Run "
        "the same command again: finished runs are kept.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="the calibration scenario YAML file")
    out_option(p, "output folder (new, or the calibration to resume)", required=True)
    p.add_argument("--waves", type=_positive, default=3, metavar="K", help="number of waves")
    p.add_argument(
        "--points",
        type=_positive,
        default=40,
        metavar="N",
        help="parameter points per wave (Latin hypercube)",
    )
    p.add_argument(
        "--replicates",
        "-n",
        type=_positive,
        default=3,
        metavar="R",
        help="runs per point (their spread is the ensemble variance)",
    )
    p.add_argument(
        "--months",
        type=_positive,
        default=None,
        metavar="N",
        help="run length in months (default: the scenario's own)",
    )
    p.add_argument(
        "--cutoff",
        type=_cutoff,
        default=3.0,
        metavar="C",
        help="implausibility cut-off (three-sigma rule)",
    )
    p.add_argument(
        "--cut",
        choices=("max", "second"),
        default="second",
        help="judge a point by the largest or the second-largest fitted-pattern implausibility",
    )
    p.add_argument(
        "--discrepancy",
        type=_fraction,
        default=0.1,
        metavar="D",
        help="model-discrepancy standard deviation as a share of each target",
    )
    p.add_argument(
        "--widen",
        type=_fraction,
        default=0.25,
        metavar="W",
        help="share of each original range added on each side of the refocused box",
    )
    p.add_argument(
        "--method",
        choices=("emulator", "box"),
        default="emulator",
        help="choose each later wave with Gaussian-process emulators of the targets "
        "(default) or in the bounding box of the non-implausible points",
    )
    p.add_argument(
        "--candidates",
        type=_positive,
        default=20000,
        metavar="N",
        help="candidate points the emulators judge before each later wave",
    )
    p.add_argument(
        "--active",
        type=_positive,
        default=8,
        metavar="Q",
        help="parameters each target's emulator uses (the most influential ones)",
    )
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="GLOB",
        help="calibrate only parameters matching GLOB (repeatable; default parameters.*)",
    )
    p.add_argument(
        "--seed", type=_seed, default=0, metavar="ROOT", help="root seed (design and runs)"
    )
    p.add_argument(
        "--write",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the sample here (e.g. scenarios/calibration/x.parquet)",
    )
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="process",
        help="where runs execute (as for libyasim batch)",
    )
    p.add_argument(
        "--workers",
        "-j",
        type=_positive,
        default=None,
        metavar="N",
        help="worker processes (default: the usable cores)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or log lines")
    p.set_defaults(func=cmd_calibrate)
