"""The ``videowall`` command line: the wall itself and the tools a technician runs over SSH.

``python main.py``, ``python -m videowall`` and the ``videowall`` console script all land in
:func:`main`. The command line imports no Qt: each command imports what it needs when it
runs, so ``videowall cameras validate`` works on a box without a display or Qt at all.

Exit codes: 0 success; 1 a bad registry, an unknown camera, site or alert, a failed probe; 2 a
usage error, a registry file or a store that cannot be read; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from videowall import __version__
from videowall.cli import alerts, bench, cameras, health, motion, probe, traffic, wall
from videowall.cli.common import UsageError, add_log_level_option
from videowall.registry import ConfigError
from videowall.util import memory
from videowall.util.logs import setup_logging


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (``--help`` shows them)."""
    # Options every command accepts; SUPPRESS keeps a value given before the command.
    common = argparse.ArgumentParser(add_help=False)
    add_log_level_option(common)

    parser = argparse.ArgumentParser(
        prog="videowall", description="Video wall for CCTV command centres.",
        epilog="Without a command, runs the wall (as 'videowall run').",
    )
    parser.add_argument("--version", action="version", version=f"videowall {__version__}")
    add_log_level_option(parser, suppress=False)
    wall.add_default_run(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    wall.add_commands(commands, common)
    cameras.add_commands(commands, common)
    probe.add_commands(commands, common)
    health.add_commands(commands, common)
    alerts.add_commands(commands, common)
    traffic.add_commands(commands, common)
    motion.add_commands(commands, common)
    bench.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    setup_logging(args.log_level.upper())
    memory.limit_arenas()  # before any decoder thread starts
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2 if exc.unreadable else 1
    except UsageError as exc:
        print(f"videowall: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("videowall: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`videowall cameras list | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
