"""FFmpeg-fed HTTP streams (MPEG-TS, MJPEG) and the server that fails on purpose."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import av
import av.error
import numpy as np
import numpy.typing as npt
import pytest

from tests.leaks import child_pids
from videowall.demo.clips import make_mjpeg_clip, make_probe_clip, probe_mismatches
from videowall.demo.ffserver import (
    BAD_KINDS,
    BadHttpServer,
    FfmpegHttpServer,
    ServeError,
    source_codec,
)
from videowall.util.net import free_port


@pytest.fixture(scope="module")
def probe_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_probe_clip(tmp_path_factory.mktemp("ff") / "probe.mp4", seconds=3)


@pytest.fixture(scope="module")
def mjpeg_clip(probe_clip: Path) -> Path:
    return make_mjpeg_clip(probe_clip.with_suffix(".mkv"), probe_clip)


def first_frame(url: str, timeout: float = 8.0) -> tuple[str, npt.NDArray[np.uint8]]:
    with av.open(url, timeout=timeout) as container:
        for frame in container.decode(video=0):
            image = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
            return container.format.name, image
    raise AssertionError(f"{url}: no frame")


def head(url: str, path: str | None = None, *, timeout: float = 3.0) -> bytes:
    """The first bytes of the answer to a GET of ``url`` (or of ``path`` on its server)."""
    hostport, _, url_path = url.split("://", 1)[1].partition("/")
    host, port = hostport.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(f"GET {path or '/' + url_path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        try:
            while len(data) < 600:
                chunk = sock.recv(600)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            pass
        return data


# --------------------------------------------------------------------------- ffmpeg server


@pytest.mark.slow
def test_mpegts(probe_clip: Path) -> None:
    with FfmpegHttpServer(probe_clip, port=free_port(), fmt="mpegts") as server:
        assert server.url == f"http://127.0.0.1:{server.port}/stream"
        fmt, image = first_frame(server.url)
        assert fmt == "mpegts"
        assert probe_mismatches(image, tolerance=16) == []
        answer = head(server.url)
        assert answer.startswith(b"HTTP/1.0 200 OK\r\n")
        assert b"Content-Type: video/mp2t\r\n" in answer
        assert answer.split(b"\r\n\r\n", 1)[1][:1] == b"\x47"  # a TS sync byte


@pytest.mark.slow
@pytest.mark.parametrize("source", ["h264", "mjpeg"])
def test_mjpeg_multipart(source: str, probe_clip: Path, mjpeg_clip: Path) -> None:
    clip = mjpeg_clip if source == "mjpeg" else probe_clip
    assert source_codec(clip) == source
    with FfmpegHttpServer(clip, port=free_port(), fmt="mpjpeg", path="/video.mjpg") as server:
        answer = head(server.url)
        assert b"Content-Type: multipart/x-mixed-replace;boundary=ffmpeg\r\n" in answer
        body = answer.split(b"\r\n\r\n", 1)[1]
        assert body.startswith(b"--ffmpeg\r\nContent-type: image/jpeg")
        assert b"\xff\xd8" in answer  # a JPEG starts
        fmt, image = first_frame(server.url)
        assert fmt == "mpjpeg"
        assert probe_mismatches(image, tolerance=16) == []


@pytest.mark.slow
def test_probe_connections_and_reconnects(probe_clip: Path) -> None:
    """A bare TCP connect (a reachability check) costs nothing; clients come and go."""
    with FfmpegHttpServer(probe_clip, port=free_port()) as server:
        for _ in range(3):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
        assert server.served == 0
        for _ in range(2):
            _, image = first_frame(server.url)
            assert probe_mismatches(image, tolerance=16) == []
        assert server.served == 2
        deadline = time.monotonic() + 5
        while server.clients and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.clients == 0


@pytest.mark.slow
def test_errors_and_client_limit(probe_clip: Path) -> None:
    with FfmpegHttpServer(probe_clip, port=free_port(), max_clients=1) as server:
        assert head(server.url, "/other").startswith(b"HTTP/1.0 404 ")
        with socket.create_connection(("127.0.0.1", server.port), timeout=3) as viewer:
            viewer.sendall(b"GET /stream HTTP/1.0\r\n\r\n")
            assert viewer.recv(64).startswith(b"HTTP/1.0 200 OK")
            deadline = time.monotonic() + 5
            while server.clients < 1 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert head(server.url).startswith(b"HTTP/1.0 503 ")
            # stop() ends the running ffmpeg and the viewer sees the end of the stream
            children = child_pids()
            assert children
            server.stop()
            assert not (child_pids() & children)
            viewer.settimeout(3)
            while viewer.recv(65536):
                pass
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)


def test_start_errors(tmp_path: Path, probe_clip: Path) -> None:
    with pytest.raises(ServeError, match="no such file"):
        FfmpegHttpServer(tmp_path / "none.mp4", port=free_port()).start()
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}"):
            FfmpegHttpServer(probe_clip, port=port).start()
    with pytest.raises(ValueError, match="fmt"):
        FfmpegHttpServer(probe_clip, port=1, fmt="flv")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- bad server


@pytest.fixture
def bad() -> Iterator[BadHttpServer]:
    server = BadHttpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_bad_server_answers(bad: BadHttpServer) -> None:
    assert set(BAD_KINDS) == {"html", "close", "notfound", "unauthorized", "garbage", "hang"}
    html = head(bad.url("html"))
    assert html.startswith(b"HTTP/1.0 200 OK") and b"Content-Type: text/html" in html
    assert head(bad.url("close")) == b""
    assert head(bad.url("notfound")).startswith(b"HTTP/1.0 404 ")
    auth = head(bad.url("unauthorized"))
    assert auth.startswith(b"HTTP/1.0 401 ") and b'WWW-Authenticate: Basic realm="camera"' in auth
    garbage = head(bad.url("garbage"))
    assert b"Content-Type: video/mp2t" in garbage and len(garbage) >= 600
    assert b"\x47" not in garbage.split(b"\r\n\r\n", 1)[1]
    started = time.monotonic()
    assert head(bad.url("hang"), timeout=0.5) == b""  # head() gives up after its timeout
    assert time.monotonic() - started >= 0.45
    with pytest.raises(ValueError, match="kind"):
        bad.url("teapot")  # type: ignore[arg-type]


def test_bad_server_stops_with_clients_hanging() -> None:
    server = BadHttpServer()
    server.start()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=3)
    try:
        sock.sendall(b"GET /hang HTTP/1.0\r\n\r\n")
        time.sleep(0.1)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
        assert sock.recv(100) == b""
    finally:
        sock.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("html", av.error.InvalidDataError),
        ("close", av.error.EOFError),
        ("notfound", av.error.HTTPNotFoundError),
        ("unauthorized", av.error.HTTPUnauthorizedError),
        ("garbage", av.error.FFmpegError),
        ("hang", av.error.FFmpegError),
    ],
)
def test_bad_server_fails_ffmpeg(bad: BadHttpServer, kind: str, error: type[Exception]) -> None:
    started = time.monotonic()
    with pytest.raises(error):
        first_frame(bad.url(kind), timeout=1.0)  # type: ignore[arg-type]
    assert time.monotonic() - started < 4
