"""Stream tests start servers, proxies and ffmpeg processes: none may outlive its module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.leaks import no_leaks


@pytest.fixture(autouse=True, scope="module")
def _no_leaks_per_module() -> Iterator[None]:
    with no_leaks(grace=10):
        yield
