"""Suite-wide set-up: headless Qt, no test may leave a decoder or a wall session thread
behind, and the logging a command line installed is taken away after each test."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MALLOC_ARENA_MAX", "2")
# The wall mirrors its registry into a store in the user's data folder: never in tests.
os.environ["VIDEOWALL_DATA"] = tempfile.mkdtemp(prefix="videowall-test-data-")
os.environ.pop("VIDEOWALL_DB", None)


def _decoder_threads() -> list[str]:
    return [t.name for t in threading.enumerate()
            if t.name.startswith(("decoder-", "stop-", "wall-session"))]


@pytest.fixture(autouse=True)
def _no_dangling_decoders() -> Iterator[None]:
    before = set(_decoder_threads())
    yield
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        left = [name for name in _decoder_threads() if name not in before]
        if not left:
            return
        time.sleep(0.05)
    pytest.fail(f"decoder threads left running: {left}")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """main() installs a stderr handler on the root logger; take it away again."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
