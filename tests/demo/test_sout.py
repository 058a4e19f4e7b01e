"""libvlc stream output: the probe clip served over HTTP and RTSP, decoded by FFmpeg."""

from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from videowall.demo.clips import make_clip, make_probe_clip, probe_mismatches
from videowall.demo.sout import ServerError, VlcStreamServer
from videowall.util.net import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def probe_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_probe_clip(tmp_path_factory.mktemp("sout") / "probe.mp4", seconds=4)


@pytest.fixture(scope="module")
def scene_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("sout") / "night.mp4", scene="night", seconds=3)


def first_frame(url: str) -> npt.NDArray[np.uint8]:
    options = {"rtsp_transport": "udp"} if url.startswith("rtsp:") else {}
    with av.open(url, options=options, timeout=8.0) as container:
        for frame in container.decode(video=0):
            image = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
            return image
    raise AssertionError(f"{url}: no frame")


def status(url: str) -> str:
    """The status line a plain GET (http) or DESCRIBE (rtsp) gets, or the socket error."""
    scheme, rest = url.split("://", 1)
    hostport, _, path = rest.partition("/")
    host, port = hostport.rsplit(":", 1)
    if scheme == "http":
        request = f"GET /{path} HTTP/1.0\r\n\r\n"
    else:
        request = f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\n\r\n"
    try:
        with socket.create_connection((host, int(port)), timeout=2) as sock:
            sock.sendall(request.encode())
            return sock.recv(256).split(b"\r\n", 1)[0].decode()
    except OSError as exc:
        return type(exc).__name__


def test_http_serves_the_probe(probe_clip: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/probe.ts"
    server = VlcStreamServer(probe_clip, http_url=url)
    try:
        server.start()
        assert server.running and server.urls == (url,)
        assert probe_mismatches(first_frame(url), tolerance=16) == []
    finally:
        server.stop()
    assert not server.running
    assert status(url) == "ConnectionRefusedError"


def test_rtsp_serves_the_probe(probe_clip: Path) -> None:
    url = f"rtsp://127.0.0.1:{free_port()}/probe"
    with VlcStreamServer(probe_clip, rtsp_url=url) as server:
        assert server.urls == (url,)
        assert status(url) == "RTSP/1.0 200 OK"
        assert probe_mismatches(first_frame(url), tolerance=16) == []


def test_sources_share_ports(probe_clip: Path, scene_clip: Path) -> None:
    rtsp, http = free_port(), free_port()
    a = VlcStreamServer(
        probe_clip, rtsp_url=f"rtsp://127.0.0.1:{rtsp}/a", http_url=f"http://127.0.0.1:{http}/a.ts"
    )
    b = VlcStreamServer(
        scene_clip, rtsp_url=f"rtsp://127.0.0.1:{rtsp}/b", http_url=f"http://127.0.0.1:{http}/b.ts"
    )
    try:
        a.start()
        b.start()
        urls = [*a.urls, *b.urls]
        with ThreadPoolExecutor(4) as pool:
            images = dict(zip(urls, pool.map(first_frame, urls), strict=True))
        for url in a.urls:
            assert probe_mismatches(images[url], tolerance=16) == [], url
        for url in b.urls:
            assert images[url].mean() < 60, url  # the night street, not the probe
        # one source stops: its paths go, the other's stay
        a.stop()
        assert status(f"http://127.0.0.1:{http}/a.ts").startswith("HTTP/1.0 404")
        assert status(f"rtsp://127.0.0.1:{rtsp}/a").startswith("RTSP/1.0 404")
        assert status(f"http://127.0.0.1:{http}/b.ts") == "HTTP/1.0 200 OK"
        assert status(f"rtsp://127.0.0.1:{rtsp}/b") == "RTSP/1.0 200 OK"
    finally:
        a.stop()
        b.stop()


def test_pause_service_drops_out_and_returns(probe_clip: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/p.ts"
    seen: list[str] = []
    with VlcStreamServer(probe_clip, http_url=url) as server:
        worker = threading.Thread(target=server.pause_service, args=(0.6,))
        worker.start()
        deadline = time.monotonic() + 5
        while worker.is_alive() and time.monotonic() < deadline:
            seen.append(status(url))
            time.sleep(0.05)
        worker.join()
        assert "ConnectionRefusedError" in seen
        assert status(url) == "HTTP/1.0 200 OK"
        cancel = threading.Event()
        cancel.set()
        started = time.monotonic()
        server.pause_service(30, cancel)
        assert time.monotonic() - started < 5
        assert server.running


def test_port_held_by_another_program(probe_clip: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        server = VlcStreamServer(probe_clip, http_url=f"http://127.0.0.1:{port}/x.ts")
        with pytest.raises(ServerError, match=f"port {port} .* in use"):
            server.start()
        assert not server.running


def test_missing_source(tmp_path: Path) -> None:
    server = VlcStreamServer(tmp_path / "none.mp4", http_url=f"http://127.0.0.1:{free_port()}/x.ts")
    with pytest.raises(ServerError, match="no such file"):
        server.start()


def test_unplayable_source(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(os.urandom(2000))
    url = f"http://127.0.0.1:{free_port()}/x.ts"
    server = VlcStreamServer(junk, http_url=url, start_timeout=1.5)
    started = time.monotonic()
    with pytest.raises(ServerError, match=r"junk\.mp4 .*read nothing"):
        server.start()
    assert time.monotonic() - started < 3
    assert not server.running
    assert status(url) == "ConnectionRefusedError"


@pytest.mark.parametrize(
    ("rtsp", "http"),
    [(None, None), ("http://127.0.0.1:1/a", None), (None, "http://127.0.0.1/no-port.ts")],
)
def test_bad_urls(rtsp: str | None, http: str | None) -> None:
    with pytest.raises(ValueError):
        VlcStreamServer(Path("x.mp4"), rtsp_url=rtsp, http_url=http)
