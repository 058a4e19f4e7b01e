"""``videowall bench health``: how fast the wall sees a fault.

Against real servers on 127.0.0.1 behind a proxy that misbehaves on command, it measures
the time from a fault to the state the operator sees:

* stall: the proxy stops forwarding (sockets stay open) -> ``stalled``, measured from
  the last decoded frame;
* freeze: the source keeps sending a picture that does not change -> ``frozen``,
  measured from the first unchanged frame;
* recovery: the server refuses connections, then listens again -> ``live``, measured
  from the moment it listens.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from videowall.bench.common import bench_clip, server_process
from videowall.registry.model import Camera
from videowall.streams.base import StreamState
from videowall.streams.manager import Stream, StreamManager

if TYPE_CHECKING:
    from videowall.demo.faults import FaultProxy, ServerProcess

BACKENDS = ("vlc", "ffmpeg")
#: Seconds the operator may wait to see each fault.
TARGETS = {"stall_s": 2.0, "recovery_s": 2.0, "freeze_s": 5.0}

#: Per backend: the seconds each fault took to show, and what the stalled tiles said.
Figures = dict[str, dict[str, list[float]]]
Said = dict[str, list[str]]


def _wait(manager: StreamManager, done: Callable[[], bool], timeout: float) -> float | None:
    """Drain events until ``done()``; the time.monotonic() it became true, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        manager.drain_events()
        if done():
            return time.monotonic()
        time.sleep(0.02)
    return None


def _state_in(stream: Stream, *states: StreamState) -> Callable[[], bool]:
    return lambda: stream.state in states


def _first_frame(stream: Stream) -> Callable[[], bool]:
    return lambda: stream.stats.first_frame_s is not None


def _live(stream: Stream, frames: int = 10) -> Callable[[], bool]:
    start = stream.stats.frames_published
    return lambda: (stream.state == StreamState.LIVE
                    and stream.stats.frames_published >= start + frames)


def main(argv: list[str]) -> int:
    """``videowall bench health [--repeat N] [--json FILE]``."""
    parser = argparse.ArgumentParser(prog="videowall bench health",
                                     description="time from a fault to what the wall shows")
    parser.add_argument("--repeat", type=int, default=3, help="times each fault (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    results, said = _measure(args.repeat)
    summary = _summary(results, said, args.repeat)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


def _measure(repeat: int) -> tuple[Figures, Said]:
    """Every fault ``repeat`` times on every backend, against one server of the bench clip
    and one of a still picture."""
    from videowall.demo.faults import make_still_clip

    results: Figures = {b: {"stall_s": [], "recovery_s": [], "freeze_s": []} for b in BACKENDS}
    said: Said = {b: [] for b in BACKENDS}
    with tempfile.TemporaryDirectory(prefix="videowall-health-") as tmp:
        still = make_still_clip(Path(tmp) / "still.mp4", seconds=30)
        server = server_process(bench_clip())
        frozen_server = server_process(still)
        server.start()
        frozen_server.start()
        manager = StreamManager()
        try:
            for backend in BACKENDS:
                _measure_backend(manager, backend, server, frozen_server, repeat,
                                 results[backend], said[backend])
        finally:
            manager.shutdown()
            server.kill()
            frozen_server.kill()
    return results, said


def _measure_backend(manager: StreamManager, backend: str, server: ServerProcess,
                     frozen_server: ServerProcess, repeat: int, figures: dict[str, list[float]],
                     said: list[str]) -> None:
    from videowall.demo.faults import FaultProxy

    proxy = FaultProxy(("127.0.0.1", server.port))
    proxy.start()
    try:
        for i in range(repeat):
            cam = Camera(f"{backend}-{i}", "bench", "bench", proxy.url(server.url),
                         backend=backend)
            _stall_and_recovery(manager, proxy, cam, figures, said)
            frozen = Camera(f"{backend}-frozen-{i}", "bench", "bench", frozen_server.url,
                            backend=backend)
            _freeze(manager, frozen, figures)
    finally:
        proxy.stop()


def _stall_and_recovery(manager: StreamManager, proxy: FaultProxy, cam: Camera,
                        figures: dict[str, list[float]], said: list[str]) -> None:
    stream = manager.acquire(cam, (640, 360))
    if _wait(manager, _live(stream, 25), 30) is None:
        raise SystemExit(f"bench: {cam.id} never went live")
    # stall: sockets open, no bytes
    proxy.pause()
    t_stalled = _wait(manager, _state_in(stream, StreamState.STALLED), 20)
    last = stream.stats.last_decoded_t
    if t_stalled is not None:
        figures["stall_s"].append(t_stalled - last)
        # the threshold in force ("no picture for 1 s") and the rate it came from: a slow
        # detection is explained by them
        said.append(f"{stream.decoder.detail} (measured {stream.stats.fps:.1f} fps)")
    # recovery: refused while paused connections die, then listening
    proxy.refuse()
    proxy.drop()
    proxy.resume()
    _wait(manager, _state_in(stream, StreamState.OFFLINE, StreamState.RECONNECTING), 30)
    time.sleep(0.5)
    stream.decoder.retry_now()  # keep the backoff short, as after one fault
    t_listen = time.monotonic()
    proxy.listen()
    t_back = _wait(manager, _live(stream, 1), 30)
    if t_back is not None:
        figures["recovery_s"].append(t_back - t_listen)
    manager.release(cam.id)


def _freeze(manager: StreamManager, frozen: Camera, figures: dict[str, list[float]]) -> None:
    """A source that sends one picture again and again."""
    fstream = manager.acquire(frozen, (640, 360))
    t_first = _wait(manager, _first_frame(fstream), 30)
    t_frozen = _wait(manager, _state_in(fstream, StreamState.FROZEN), 30)
    if t_first is not None and t_frozen is not None:
        figures["freeze_s"].append(t_frozen - t_first)
    manager.release(frozen.id)


def _summary(results: Figures, said: Said, repeat: int) -> dict[str, Any]:
    """Print the table of the figures; return them as the JSON report holds them."""
    print(f"{'backend':>7} {'fault':>10} {'median s':>9} {'worst s':>8} {'target s':>9}  runs")
    summary: dict[str, Any] = {}
    for backend, figures in results.items():
        for name, values in figures.items():
            median = statistics.median(values) if values else float("nan")
            worst = max(values) if values else float("nan")
            summary[f"{backend}-{name}"] = {"median": round(median, 2), "worst": round(worst, 2),
                                            "target": TARGETS[name], "runs": len(values),
                                            "values": [round(v, 2) for v in values]}
            print(f"{backend:>7} {name[:-2]:>10} {median:>9.2f} {worst:>8.2f} "
                  f"{TARGETS[name]:>9.1f}  {len(values)}/{repeat}")
    for backend, words in said.items():
        print(f"{backend:>7} stalls said: {'; '.join(words)}")
    summary["stall_said"] = said
    return summary
