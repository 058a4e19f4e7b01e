"""Stream tests start servers, proxies and ffmpeg processes: none may outlive its module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.leaks import no_leaks
from videowall.demo.clips import make_probe_clip
from videowall.demo.ffserver import FfmpegHttpServer
from videowall.util.net import free_port


@pytest.fixture(autouse=True, scope="module")
def _no_leaks_per_module() -> Iterator[None]:
    with no_leaks(grace=10):
        yield


@pytest.fixture(scope="module")
def probe_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The probe clip (four solid quadrants), 6 s."""
    return make_probe_clip(tmp_path_factory.mktemp("media") / "probe.mp4", seconds=6)


@pytest.fixture(scope="module")
def ts_server(probe_clip: Path) -> Iterator[FfmpegHttpServer]:
    """FFmpeg serving the probe clip as MPEG-TS over HTTP on loopback."""
    server = FfmpegHttpServer(probe_clip, port=free_port(), fmt="mpegts", path="/probe.ts")
    server.start()
    yield server
    server.stop()
