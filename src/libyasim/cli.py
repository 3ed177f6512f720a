"""The ``libyasim`` command: thin commands over the public API.

Each area registers its own subcommands (``register(subparsers)`` in its
``commands`` module); this file only assembles them and turns expected
errors into one clear message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Sequence

# One line per area; each module defines register(subparsers).
COMMAND_MODULES = [
    "libyasim.scenario.commands",
    "libyasim.model.commands",
    "libyasim.dashboard.commands",
    "libyasim.batch.commands",
    "libyasim.calibration.commands",
    "libyasim.analysis.commands",
]


class UsageError(Exception):
    """Bad command-line input: printed as one message, exit code 2."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default only where it informs: not when the help text
    already names the default, nor for None, False or an empty list."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or action.default in (None, False, []):
            return text
        return super()._get_help_string(action)


def _use_formatter(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = HelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _use_formatter(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="libyasim",
        description="Agent-based scenario simulator of Libyan faction dynamics.",
        formatter_class=HelpFormatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"libyasim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    _use_formatter(parser)  # one help style for every command, whatever each module chose
    return parser


#: exit code of an error that escaped every handler (a bug: EX_SOFTWARE)
INTERNAL_ERROR = 70


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure is one message and a non-zero exit, never a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # also during the imports the commands need
        print("interrupted", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .scenario import ScenarioError

    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 1
    except UsageError as exc:
        parser.exit(2, f"libyasim {args.command}: error: {exc}\n")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        sys.stderr.close()
        return 1
    except RecursionError:
        print(f"libyasim {args.command}: error: input nested too deeply; refused", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"libyasim {args.command}: error: out of memory", file=sys.stderr)
        return 1
    except OSError as exc:  # a disk that is full or read-only, a file that vanished
        what = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only"}
        why = what.get(exc.errno or 0, exc.strerror or str(exc))
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"libyasim {args.command}: error: {why}{where}", file=sys.stderr)
        return 1
    except (UnicodeEncodeError, UnicodeDecodeError) as exc:  # a file name not in UTF-8
        print(
            f"libyasim {args.command}: error: a file name or argument is not valid UTF-8 "
            f"({exc.reason}); the outputs record paths as UTF-8 text: use a UTF-8 name",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # a bug: still one message, and how to report it
        print(
            f"libyasim {args.command}: internal error ({type(exc).__name__}: {exc}); "
            "please report it with the command line that caused it",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


if __name__ == "__main__":
    # run the importable module's main, so that `python -m libyasim.cli` catches the
    # same UsageError class the command modules raise (not a __main__ copy of it)
    from libyasim.cli import main as _entry

    sys.exit(_entry())
