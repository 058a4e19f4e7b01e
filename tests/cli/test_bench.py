"""``videowall bench``: the rest of the command line goes to the benchmarks."""

from __future__ import annotations

from typing import Any

from videowall.cli.app import main


def test_bench_gets_the_rest_of_the_command_line(calls: list[tuple[str, Any]]) -> None:
    assert main(["--log-level", "warning", "bench", "--tiles", "4,9", "--help"]) == 3
    assert calls == [("bench", ["--tiles", "4,9", "--help"])]
