"""``libyasim batch``, ``report``, ``compare`` and ``sensitivity``: thin commands."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .design import SAMPLE_METHODS, Design, DesignError, parse_set, parse_sweep
from .engine import CHUNK_SECONDS, BatchError, BatchInterrupted, run_batch
from .executors import EXECUTORS, default_workers
from .integrity import checked_for_reading, output_problem
from .store import StoreError

HELP = argparse.ArgumentDefaultsHelpFormatter


def number(
    parse: Callable[[str], Any], what: str, ok: Callable[[Any], bool], bound: str
) -> Callable[[str], Any]:
    """An argparse ``type``: ``parse`` the text (else "must be <what>"), then check
    ``ok`` (else "must be <bound>"); shared by the batch, audit and calibrate commands."""

    def check(text: str) -> Any:
        try:
            v = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}") from None
        if not ok(v):
            raise argparse.ArgumentTypeError(f"must be {bound}; got {v}")
        return v

    return check


def command(
    sub: argparse._SubParsersAction,
    name: str,
    help: str,
    description: str,
    *,
    defaults: bool = True,
) -> argparse.ArgumentParser:
    """A subcommand (``defaults``: its help shows each option's default)."""
    if defaults:
        return sub.add_parser(name, formatter_class=HELP, help=help, description=description)
    return sub.add_parser(name, help=help, description=description)


def folder_argument(p: argparse.ArgumentParser, help: str) -> None:
    """The batch folder a command reads."""
    p.add_argument("folder", type=Path, metavar="DIR", help=help)


def out_option(
    p: argparse.ArgumentParser, help: str, *, required: bool = False, short: bool = True
) -> None:
    """The ``--out DIR`` (``-o DIR``) option of a command."""
    names = ("--out", "-o") if short else ("--out",)
    p.add_argument(*names, required=required, type=Path, default=None, metavar="DIR", help=help)


_positive = number(int, "a whole number >= 1", lambda v: v >= 1, ">= 1")
_seed = number(int, "a whole number in [0, 2**63)", lambda v: 0 <= v < 2**63, "in [0, 2**63)")
_seconds = number(float, "a number of seconds", lambda v: v > 0, "> 0")


def design_from_args(args: argparse.Namespace) -> Design:
    sets = dict(parse_set(s) for s in args.set)
    sweeps = tuple(parse_sweep(s) for s in args.sweep)
    sample, n = None, 0
    if args.sample:
        sample = args.sample[0].lower()
        try:
            n = int(args.sample[1])
        except ValueError:
            raise DesignError(
                f"--sample takes METHOD N with a whole N; got {' '.join(args.sample)!r}"
            ) from None
    return Design(
        replicates=args.replicates,
        root_seed=args.seed,
        sets=sets,
        sweeps=sweeps,
        sample=sample,
        sample_n=n,
        vary=tuple(args.vary),
        months=args.months,
    )


def cmd_batch(args: argparse.Namespace) -> int:
    from ..cli import UsageError

    executor = args.executor
    if args.scheduler and executor != "dask":
        if executor != "process":
            raise UsageError(f"--scheduler needs --executor dask (got --executor {executor})")
        executor = "dask"
    if executor == "serial" and args.workers not in (None, 1):
        raise UsageError("--executor serial runs in this process: --workers must be 1 or left out")
    try:
        design = design_from_args(args)
    except DesignError as exc:
        raise UsageError(str(exc)) from None

    def started(kind: str) -> None:
        print(f"libyasim batch: {args.out} on {kind}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", RuntimeWarning)
            result = run_batch(
                args.scenarios,
                args.out,
                design,
                executor=executor,
                workers=args.workers,
                scheduler=args.scheduler,
                resume=True if args.resume else None,
                retry_failed=args.retry_failed,
                progress=not args.quiet,
                progress_interval=args.log_interval,
                chunk_seconds=args.chunk_seconds,
                command=sys.argv if args.command_line is None else args.command_line,
                on_start=started,
            )
    except (DesignError, BatchError, StoreError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:  # a read-only or full disk while the batch writes
        raise UsageError(str(output_problem(args.out, exc))) from None
    except BatchInterrupted as exc:
        print(f"libyasim batch: {exc}", file=sys.stderr)
        return 130
    what = "resumed" if result.resumed else "batch"
    rate = f", {result.rate:.2f} runs/s" if result.ran else ""
    print(
        f"{what}: {result.total} runs ({result.ok} ok, {result.failed} failed); "
        f"{result.ran} run now in {result.elapsed:.1f} s{rate} -> {result.out}",
        file=sys.stderr,
    )
    if result.failed and not args.retry_failed:
        print(
            f"{result.failed} run(s) failed (errors in the runs table); re-run them with "
            "the same command and --retry-failed",
            file=sys.stderr,
        )
    if not args.no_report:
        from ..analysis import write_report

        print(write_report(result.out, figures=not args.no_figures).text())
    missing = result.total - result.ok - result.failed
    return 1 if (result.failed or missing) else 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..analysis import write_report
    from ..cli import UsageError

    try:
        with checked_for_reading(args.folder) as damage:
            _warn(args.command, damage)
            rep = write_report(args.folder, args.out, figures=not args.no_figures)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write the report: {exc.strerror or exc}") from None
    print(rep.text(detail=args.detail))
    return 0


def _warn(command: str, lines: list[str]) -> None:
    for line in lines:
        print(f"libyasim {command}: {line}", file=sys.stderr)


def cmd_compare(args: argparse.Namespace) -> int:
    from ..analysis import write_comparison
    from ..cli import UsageError

    try:
        with checked_for_reading(args.folder) as damage:
            _warn(args.command, damage)
            _, _, text = write_comparison(args.folder, args.baseline, args.out)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(text)
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from ..analysis.sensitivity import (
        SensitivityError,
        load_sampled,
        outcome_names,
        write_sensitivity,
    )
    from ..cli import UsageError

    try:
        with checked_for_reading(args.folder) as damage:
            _warn(args.command, damage)
            if args.list_outcomes:
                print("\n".join(outcome_names(load_sampled(args.folder).runs)))
                return 0
            rep = write_sensitivity(
                args.folder,
                args.outcome or None,
                args.out,
                figures=not args.no_figures,
                min_coverage=args.min_coverage,
            )
    except (StoreError, SensitivityError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write the analysis: {exc.strerror or exc}") from None
    print(rep.text())
    return 0


_share = number(float, "a number in (0, 1]", lambda v: 0 < v <= 1, "in (0, 1]")


def _register_sensitivity(sub: argparse._SubParsersAction) -> None:
    s = command(
        sub,
        "sensitivity",
        help="which parameters decide the outcome: sensitivity indices, scenario discovery",
        description="Global sensitivity analysis of a sampled batch (libyasim batch --sample): "
        "Sobol S1/ST (sobol), Morris mu*/sigma (morris), standardized rank regression "
        "coefficients (any design), with bootstrap intervals; replicates are averaged per point "
        "first. For indicator outcomes (end_state=STATE, flag=FLAG, FIGURE>VALUE) also a PRIM "
        "box: where in parameter space the outcome is most likely. Ranked tables, CSV and PNG.",
    )
    folder_argument(s, "a sampled (or swept) batch folder")
    s.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="NAME",
        help="a key figure (total_fatalities), end_state=STATE, flag=FLAG or FIGURE>VALUE "
        "(repeatable; default: the end states that vary and the headline figures)",
    )
    out_option(s, "where to write (default: DIR/sensitivity)", short=False)
    s.add_argument("--no-figures", action="store_true", help="tables only, no PNG figures")
    s.add_argument(
        "--min-coverage",
        type=_share,
        default=0.5,
        metavar="SHARE",
        help="scenario discovery: the PRIM box must hold at least this share of the outcome",
    )
    s.add_argument(
        "--list-outcomes", action="store_true", help="list the outcome names the batch offers"
    )
    s.set_defaults(func=cmd_sensitivity)


def register(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "batch",
        help="run ensembles and sweeps (local processes or Dask); resumable",
        description="Run every scenario x parameter point x replicate, writing Parquet parts and a "
        "manifest to --out. Seeds come from SeedSequence(--seed, spawn_key=(point, "
        "replicate)): the same for every scenario, whatever the executor or worker count. "
        "Interrupted? Run the same command again (or add --resume): finished runs are kept, "
        "none is run twice.",
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario YAML files")
    out_option(p, "output folder (new, or the batch to resume)", required=True)
    p.add_argument(
        "--replicates",
        "-n",
        type=_positive,
        default=10,
        metavar="N",
        help="runs per scenario and parameter point",
    )
    p.add_argument("--seed", type=_seed, default=0, metavar="ROOT", help="root seed of the batch")
    p.add_argument(
        "--months",
        type=_positive,
        default=None,
        metavar="N",
        help="run length in months (default: each scenario's own)",
    )
    g = p.add_argument_group("design")
    g.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario value in every run, e.g. parameters.raid_rate=0.2 (repeatable)",
    )
    g.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="PATH=LO:HI:N",
        help="N evenly spaced values from LO to HI; several sweeps make a grid (repeatable)",
    )
    g.add_argument(
        "--sample",
        nargs=2,
        metavar=("METHOD", "N"),
        help="sample the parameters' ranges with SALib: "
        f"METHOD one of {', '.join(SAMPLE_METHODS)}; "
        "lhs gives N points, sobol N*(D+2) (N a power of 2), morris N*(D+1) trajectories' points",
    )
    g.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="GLOB",
        help="with --sample: only parameters whose path matches, e.g. 'parameters.*' (repeatable)",
    )
    x = p.add_argument_group("execution")
    x.add_argument("--executor", choices=EXECUTORS, default="process", help="where runs execute")
    x.add_argument(
        "--workers",
        "-j",
        type=_positive,
        default=None,
        metavar="N",
        help=f"worker processes (default: the cores available, here {default_workers()})",
    )
    x.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask); "
        "without it --executor dask starts a local cluster on 127.0.0.1",
    )
    x.add_argument(
        "--resume",
        action="store_true",
        help="finish the batch in --out (re-running the same command does this too); "
        "refused if a scenario or the design changed",
    )
    x.add_argument("--retry-failed", action="store_true", help="run the batch's failed runs again")
    x.add_argument(
        "--chunk-seconds",
        type=_seconds,
        default=CHUNK_SECONDS,
        metavar="S",
        help="target model time per task (runs are grouped into tasks of about this length)",
    )
    o = p.add_argument_group("output")
    o.add_argument("--quiet", "-q", action="store_true", help="no progress bar or progress lines")
    o.add_argument(
        "--log-interval",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="seconds between progress lines when stderr is not a terminal",
    )
    o.add_argument(
        "--no-report", action="store_true", help="do not print and write the report at the end"
    )
    o.add_argument("--no-figures", action="store_true", help="report tables only, no PNG figures")
    p.set_defaults(func=cmd_batch, command_line=None)

    r = command(
        sub,
        "report",
        help="summarise a batch: outcome table, key figures, PNG figures",
        description="End-state probabilities per scenario with 95% Wilson intervals, key figures "
        "with percentiles, fan charts of strength and territory per faction, and "
        "outcome bars; tables as CSV and figures as PNG in --out.",
    )
    folder_argument(r, "a batch output folder")
    out_option(r, "where to write (default: DIR/report)", short=False)
    r.add_argument("--no-figures", action="store_true", help="tables only")
    r.add_argument(
        "--detail", action="store_true", help="print every key figure, not only the headline ones"
    )
    r.set_defaults(func=cmd_report)

    c = command(
        sub,
        "compare",
        help="compare a batch's scenarios with a baseline",
        description="Differences in end-state probabilities (with Newcombe intervals) and paired "
        "differences in key figures between each scenario and the baseline; runs "
        "pair up by point and replicate (common random numbers).",
    )
    folder_argument(c, "a batch output folder")
    c.add_argument(
        "--baseline",
        default=None,
        metavar="ID",
        help="scenario id to compare with (default: the first)",
    )
    out_option(c, "also write CSV tables here", short=False)
    c.set_defaults(func=cmd_compare)

    _register_sensitivity(sub)
