"""``videowall bench ...``: hands the rest of the command line to the benchmarks."""

from __future__ import annotations

import argparse

from videowall.cli.common import Commands


def add_commands(commands: Commands) -> None:
    """``bench``: the benchmarks parse their own options (and answer ``--help``):
    ``bench`` (decode cost), ``bench health``, ``bench soak``, ``bench alerts``,
    ``bench keyframes`` (cameras nobody looks at, at key frames only)."""
    bench = commands.add_parser("bench", help="measure the wall's CPU cost (see 'bench --help')",
                                add_help=False, prefix_chars="\0")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench.set_defaults(handler=_cmd_bench)


def _cmd_bench(args: argparse.Namespace) -> int:
    from videowall.bench.main import main as bench_main

    return bench_main(list(args.bench_args))
