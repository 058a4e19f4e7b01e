"""The demo simulator: every scene on RTSP and HTTP, and a source that drops out."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import av
import pytest

from videowall.demo.clips import SCENES, make_probe_clip, probe_mismatches
from videowall.demo.simulator import DemoSimulator, PortTakenError
from videowall.util.net import free_port


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    probe = make_probe_clip(tmp_path_factory.mktemp("sim") / "probe.mp4", seconds=2)
    return {name: probe for name in SCENES}


def status(url: str) -> str:
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


def test_flaky_schedule_is_checked() -> None:
    with pytest.raises(ValueError):
        DemoSimulator(flaky_period=10, flaky_down=10)


@pytest.mark.slow
def test_serves_every_scene(clips: dict[str, Path]) -> None:
    rtsp, http = free_port(), free_port()
    sim = DemoSimulator(rtsp, http, clips=clips)
    try:
        sim.start()
        assert sim.running and sim.flaky_up
        urls = sim.urls
        assert set(urls) == {*SCENES, "flaky"}
        for scene in SCENES:
            assert urls[scene] == (
                f"rtsp://127.0.0.1:{rtsp}/{scene}",
                f"http://127.0.0.1:{http}/{scene}.ts",
            )
        assert urls["flaky"] == (f"http://127.0.0.1:{http}/flaky.ts",)
        for url in [u for group in urls.values() for u in group]:
            assert status(url) in ("RTSP/1.0 200 OK", "HTTP/1.0 200 OK"), url
        options = {"rtsp_transport": "udp"}
        with av.open(urls["night"][0], options=options, timeout=8.0) as container:
            frame = next(container.decode(video=0))
            assert probe_mismatches(frame.to_ndarray(format="rgb24"), tolerance=16) == []
    finally:
        sim.stop()
    assert not sim.running
    assert status(f"http://127.0.0.1:{http}/junction.ts") == "ConnectionRefusedError"
    assert status(f"rtsp://127.0.0.1:{rtsp}/junction") == "ConnectionRefusedError"
    sim.stop()  # idempotent


@pytest.mark.slow
def test_flaky_source_drops_out_and_returns(clips: dict[str, Path]) -> None:
    with DemoSimulator(
        free_port(), free_port(), clips=clips, flaky_period=1.2, flaky_down=0.5
    ) as sim:
        seen: list[str] = []
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            state = status(sim.flaky_url).split(" ", 1)[1][:3]
            if not seen or seen[-1] != state:
                seen.append(state)
            if seen[:3] == ["200", "404", "200"]:
                break
            time.sleep(0.05)
        assert seen[:3] == ["200", "404", "200"]
        assert sim.dropouts >= 1
        # the scenes stay up all along
        assert status(sim.urls["junction"][1]) == "HTTP/1.0 200 OK"


@pytest.mark.parametrize("which", ["RTSP", "HTTP"])
def test_a_port_another_program_listens_on_is_said_at_once(
    which: str, clips: dict[str, Path]
) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        ports = (taken, free_port()) if which == "RTSP" else (free_port(), taken)
        sim = DemoSimulator(*ports, clips=clips)
        started = time.monotonic()
        with pytest.raises(PortTakenError, match=rf"the demo's {which} port {taken} on "
                                                 r"127\.0\.0\.1 is taken"):
            sim.start()
        assert time.monotonic() - started < 1.0  # at once, not after the 10 s start-up
        assert not sim.running
