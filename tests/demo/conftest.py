"""The demo's servers start threads and ffmpeg processes: no test may leave one behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.leaks import no_leaks


@pytest.fixture(autouse=True)
def _no_leaks() -> Iterator[None]:
    with no_leaks(grace=5):
        yield
