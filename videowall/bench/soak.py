"""Health benchmarks: how fast the wall sees a fault, and whether it lasts a shift.

``videowall bench health`` measures, against real servers on 127.0.0.1 behind a proxy
that misbehaves on command, the time from a fault to the state the operator sees:

* stall: the proxy stops forwarding (sockets stay open) -> ``stalled``, measured from
  the last decoded frame;
* freeze: the source keeps sending a picture that does not change -> ``frozen``,
  measured from the first unchanged frame;
* recovery: the server refuses connections, then listens again -> ``live``, measured
  from the moment it listens.

``videowall bench soak`` runs the real wall (``videowall snapshot`` in its own process)
with 16 tiles behind four proxies for an hour (``--minutes``) while a fault hits one of
them every 30 s, samples the wall's resident memory, and checks at the end that the
process lived, every tile came back live, and memory grew less than 5%.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from videowall.registry.model import Camera
from videowall.streams.base import StreamState
from videowall.streams.manager import Stream, StreamManager

BACKENDS = ("vlc", "ffmpeg")


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


def health(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="videowall bench health",
                                     description="time from a fault to what the wall shows")
    parser.add_argument("--repeat", type=int, default=3, help="times each fault (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    from videowall.bench.decode import bench_clip
    from videowall.demo.faults import FaultProxy, ServerProcess, make_still_clip
    from videowall.demo.ffserver import free_port

    results: dict[str, dict[str, list[float]]] = {
        b: {"stall_s": [], "recovery_s": [], "freeze_s": []} for b in BACKENDS
    }
    said: dict[str, list[str]] = {b: [] for b in BACKENDS}
    with tempfile.TemporaryDirectory(prefix="videowall-health-") as tmp:
        still = make_still_clip(Path(tmp) / "still.mp4", seconds=30)
        server = ServerProcess(bench_clip(), port=free_port())
        frozen_server = ServerProcess(still, port=free_port())
        server.start()
        frozen_server.start()
        manager = StreamManager()
        try:
            for backend in BACKENDS:
                proxy = FaultProxy(("127.0.0.1", server.port))
                proxy.start()
                try:
                    for i in range(args.repeat):
                        cam = Camera(f"{backend}-{i}", "bench", "bench", proxy.url(server.url),
                                     backend=backend)
                        stream = manager.acquire(cam, (640, 360))
                        if _wait(manager, _live(stream, 25), 30) is None:
                            raise SystemExit(f"bench: {cam.id} never went live")
                        # stall: sockets open, no bytes
                        proxy.pause()
                        t_stalled = _wait(manager, _state_in(stream, StreamState.STALLED), 20)
                        last = stream.stats.last_decoded_t
                        if t_stalled is not None:
                            results[backend]["stall_s"].append(t_stalled - last)
                            # the threshold in force ("no picture for 1 s") and the rate
                            # it came from: a slow detection is explained by them
                            said[backend].append(f"{stream.decoder.detail} "
                                                 f"(measured {stream.stats.fps:.1f} fps)")
                        # recovery: refused while paused connections die, then listening
                        proxy.refuse()
                        proxy.drop()
                        proxy.resume()
                        _wait(manager, _state_in(stream, StreamState.OFFLINE,
                                                 StreamState.RECONNECTING), 30)
                        time.sleep(0.5)
                        stream.decoder.retry_now()  # keep the backoff short, as after one fault
                        t_listen = time.monotonic()
                        proxy.listen()
                        t_back = _wait(manager, _live(stream, 1), 30)
                        if t_back is not None:
                            results[backend]["recovery_s"].append(t_back - t_listen)
                        manager.release(cam.id)
                        # freeze: a source that sends one picture again and again
                        frozen = Camera(f"{backend}-frozen-{i}", "bench", "bench",
                                        frozen_server.url, backend=backend)
                        fstream = manager.acquire(frozen, (640, 360))
                        t_first = _wait(manager, _first_frame(fstream), 30)
                        t_frozen = _wait(manager, _state_in(fstream, StreamState.FROZEN), 30)
                        if t_first is not None and t_frozen is not None:
                            results[backend]["freeze_s"].append(t_frozen - t_first)
                        manager.release(frozen.id)
                finally:
                    proxy.stop()
        finally:
            manager.shutdown()
            server.kill()
            frozen_server.kill()

    targets = {"stall_s": 2.0, "recovery_s": 2.0, "freeze_s": 5.0}
    print(f"{'backend':>7} {'fault':>10} {'median s':>9} {'worst s':>8} {'target s':>9}  runs")
    summary: dict[str, Any] = {}
    for backend, figures in results.items():
        for name, values in figures.items():
            median = statistics.median(values) if values else float("nan")
            worst = max(values) if values else float("nan")
            summary[f"{backend}-{name}"] = {"median": round(median, 2), "worst": round(worst, 2),
                                            "target": targets[name], "runs": len(values),
                                            "values": [round(v, 2) for v in values]}
            print(f"{backend:>7} {name[:-2]:>10} {median:>9.2f} {worst:>8.2f} "
                  f"{targets[name]:>9.1f}  {len(values)}/{args.repeat}")
    for backend, words in said.items():
        print(f"{backend:>7} stalls said: {'; '.join(words)}")
    summary["stall_said"] = said
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def rss_growth(samples: list[tuple[float, int]], duration: float) -> dict[str, Any]:
    """How resident memory grew over a run, from ``(seconds, KiB)`` samples.

    The first minutes (start-up, caches filling; 5 min, or a quarter of a short run) do
    not count. Single samples swing by tens of MiB (the allocator hands free pages back
    once a minute), so the growth compares the median of the first window after the
    warm-up with the median of the last window (5 min each, or a third of what is left),
    and the trend is the least-squares slope over every sample after the warm-up.
    """
    warm_start = min(300.0, duration / 4)
    warm = [(t, kib) for t, kib in samples if t >= warm_start] or list(samples)
    if not warm:
        return {"rss_kib_first": 0, "rss_kib_last": 0, "rss_kib_max": 0,
                "rss_growth": float("nan"), "rss_mib_per_hour": float("nan")}
    span = warm[-1][0] - warm[0][0]
    window = min(300.0, span / 3) if span > 0 else 0.0
    first = [kib for t, kib in warm if t <= warm[0][0] + window]
    last = [kib for t, kib in warm if t >= warm[-1][0] - window]
    first_kib, last_kib = statistics.median(first), statistics.median(last)
    slope = 0.0
    if len(warm) >= 2 and span > 0:
        mean_t = statistics.fmean(t for t, _ in warm)
        mean_k = statistics.fmean(k for _, k in warm)
        var = sum((t - mean_t) ** 2 for t, _ in warm)
        slope = sum((t - mean_t) * (k - mean_k) for t, k in warm) / var if var else 0.0
    return {
        "rss_kib_first": round(first_kib), "rss_kib_last": round(last_kib),
        "rss_kib_max": max(k for _, k in samples),
        "rss_growth": round((last_kib - first_kib) / first_kib, 4) if first_kib else
        float("nan"),
        "rss_mib_per_hour": round(slope * 3600 / 1024, 1),
    }


def soak(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="videowall bench soak",
                                     description="the wall under a fault every 30 s")
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--tiles", type=int, default=16, choices=(4, 9, 16))
    parser.add_argument("--fault-every", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument("--backend", default="auto", choices=("auto", "vlc", "ffmpeg"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    from videowall.bench.decode import bench_clip
    from videowall.demo.faults import FaultProxy, ServerProcess
    from videowall.demo.ffserver import free_port

    def _terminate(_signo: int, _frame: object) -> None:
        raise SystemExit(143)  # run the clean-up below: no orphaned servers

    signal.signal(signal.SIGTERM, _terminate)
    rng = random.Random(args.seed)
    duration = args.minutes * 60
    side = {4: 2, 9: 3, 16: 4}[args.tiles]
    hosts = 4
    servers = [ServerProcess(bench_clip(), port=free_port()) for _ in range(hosts)]
    proxies: list[FaultProxy] = []
    faults: list[dict[str, Any]] = []
    rss: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory(prefix="videowall-soak-") as tmp:
        for server in servers:
            server.start()
            proxy = FaultProxy(("127.0.0.1", server.port), max_connections=64)
            proxy.start()
            proxies.append(proxy)
        config = Path(tmp) / "soak.yaml"
        lines = ["cameras:"]
        for i in range(args.tiles):
            h = i % hosts
            url = proxies[h].url(servers[h].url) + f"?tile={i}"
            lines += [f"  - id: soak-{i:02d}", f"    name: Soak {i + 1}", f"    site: host-{h}",
                      f"    url: {url}", f"    backend: {args.backend}"]
        config.write_text("\n".join(lines) + "\n")
        report = Path(tmp) / "report.json"
        # the last faults end well before the end, so that every tile can come back
        quiet_tail = 45.0
        cmd = [sys.executable, "-m", "videowall", "--log-level", "WARNING", "snapshot",
               "--config", str(config), "--grid", f"{side}x{side}",
               "--duration", str(duration), "--size", "1920x1080",
               "--out", str(Path(tmp) / "wall.png"), "--report", str(report)]
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MALLOC_ARENA_MAX="2")
        proc = subprocess.Popen(cmd, env=env)
        started = time.monotonic()
        next_fault = started + 20.0
        next_sample = started + 5.0
        undo: list[tuple[float, Callable[[], None]]] = []
        try:
            while proc.poll() is None:
                now = time.monotonic()
                for when, action in [u for u in undo if u[0] <= now]:
                    action()
                    undo.remove((when, action))
                if now >= next_sample:
                    rss.append((now - started, _rss_kib(proc.pid)))
                    next_sample = now + 10.0
                if now >= next_fault and now < started + duration - quiet_tail:
                    faults.append(_inject(rng, rng.randrange(hosts), proxies, servers, undo,
                                          now, started))
                    next_fault = now + args.fault_every
                time.sleep(0.2)
        finally:
            for _when, action in undo:
                action()
            if proc.poll() is None:
                proc.kill()
            code = proc.wait()
            for proxy in proxies:
                proxy.stop()
            for server in servers:
                server.kill()
        data = json.loads(report.read_text()) if report.exists() else {"tiles": [],
                                                                         "events": []}

    memory = rss_growth(rss, duration)
    not_live = [t["camera"] for t in data["tiles"] if t["state"] != "live"]
    result = {
        "minutes": args.minutes, "tiles": args.tiles, "faults": len(faults),
        "exit_code": code, "state_changes": len(data["events"]),
        "tiles_not_live_at_end": not_live, **memory, "fault_log": faults,
        "rss_samples": [[round(t), kib] for t, kib in rss],
    }
    growth = memory["rss_growth"]
    print(f"{args.minutes:g} min, {args.tiles} tiles, {len(faults)} faults, "
          f"{len(data['events'])} state changes")
    print(f"wall exit code {code}; tiles not live at the end: {not_live or 'none'}")
    print(f"resident memory {result['rss_kib_first'] / 1024:.0f} MiB -> "
          f"{result['rss_kib_last'] / 1024:.0f} MiB ({growth * 100:+.1f}%, target < +5%; "
          f"trend {result['rss_mib_per_hour']:+.0f} MiB/hour), "
          f"peak {result['rss_kib_max'] / 1024:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    ok = code == 0 and not not_live and growth < 0.05
    return 0 if ok else 1


def _inject(rng: random.Random, host: int, proxies: list[Any], servers: list[Any],
            undo: list[tuple[float, Callable[[], None]]], now: float, started: float
            ) -> dict[str, Any]:
    """Start one fault on ``host`` and schedule its end."""
    proxy, server = proxies[host], servers[host]
    kind = rng.choice(("stall", "drop", "refuse", "corrupt", "kill"))
    if kind == "stall":
        proxy.pause()
        undo.append((now + 8.0, proxy.resume))
    elif kind == "drop":
        proxy.drop()
    elif kind == "refuse":
        proxy.refuse()
        proxy.drop()
        undo.append((now + 10.0, proxy.listen))
    elif kind == "corrupt":
        proxy.corrupt(5000)
        undo.append((now + 5.0, lambda: proxy.corrupt(None)))
    else:
        server.kill()
        undo.append((now + 10.0, server.start))
    return {"t": round(now - started, 1), "host": host, "kind": kind}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "health":
        return health(argv[1:])
    if argv and argv[0] == "soak":
        return soak(argv[1:])
    raise SystemExit("videowall bench: use 'health' or 'soak' here")
