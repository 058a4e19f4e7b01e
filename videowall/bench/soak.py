"""``videowall bench soak``: whether the wall lasts a shift under faults.

It runs the real wall (``videowall snapshot`` in its own process) with 16 tiles behind
four proxies for an hour (``--minutes``) while a fault hits one of them every 30 s,
samples the wall's resident memory, and checks at the end that the process lived, every
tile came back live, and memory grew less than 5%.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from videowall.bench.common import (
    bench_clip,
    rss_kib,
    server_process,
    start_wall,
    write_wall_config,
)

if TYPE_CHECKING:
    from videowall.demo.faults import FaultProxy, ServerProcess

#: Servers (each behind its own proxy) the tiles are spread over.
HOSTS = 4
#: Seconds without a new fault at the end, so that every tile can come back.
QUIET_TAIL_S = 45.0

#: Faults not over yet: when each ends, and what ends it.
Undo = list[tuple[float, Callable[[], None]]]


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


@dataclass
class _Run:
    """What a soak run saw: the faults it made and the wall's resident memory."""

    faults: list[dict[str, Any]] = field(default_factory=list)
    rss: list[tuple[float, int]] = field(default_factory=list)


def main(argv: list[str]) -> int:
    """``videowall bench soak [--minutes M] [--tiles N] [--fault-every S] ...``."""
    parser = argparse.ArgumentParser(prog="videowall bench soak",
                                     description="the wall under a fault every 30 s")
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--tiles", type=int, default=16, choices=(4, 9, 16))
    parser.add_argument("--fault-every", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument("--backend", default="auto", choices=("auto", "vlc", "ffmpeg"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    def _terminate(_signo: int, _frame: object) -> None:
        raise SystemExit(143)  # run the clean-up: no orphaned servers

    signal.signal(signal.SIGTERM, _terminate)
    duration = args.minutes * 60
    servers = [server_process(bench_clip()) for _ in range(HOSTS)]
    proxies: list[FaultProxy] = []
    run = _Run()
    with tempfile.TemporaryDirectory(prefix="videowall-soak-") as tmp:
        _start_hosts(servers, proxies)
        config = Path(tmp) / "soak.yaml"
        write_wall_config(config, _cameras(args.tiles, proxies, servers), args.backend)
        report = Path(tmp) / "report.json"
        proc = start_wall(config, side={4: 2, 9: 3, 16: 4}[args.tiles], duration=duration,
                          size="1920x1080", out=Path(tmp) / "wall.png", report=report)
        try:
            _drive(proc, run, random.Random(args.seed), proxies, servers, duration,
                   args.fault_every)
        finally:
            if proc.poll() is None:
                proc.kill()
            code = proc.wait()
            for proxy in proxies:
                proxy.stop()
            for server in servers:
                server.kill()
        data = json.loads(report.read_text()) if report.exists() else {"tiles": [],
                                                                         "events": []}
    return _verdict(args, code, data, run, duration)


def _start_hosts(servers: list[ServerProcess], proxies: list[FaultProxy]) -> None:
    """Start every server and a proxy in front of each (appended to ``proxies``)."""
    from videowall.demo.faults import FaultProxy

    for server in servers:
        server.start()
        proxy = FaultProxy(("127.0.0.1", server.port), max_connections=64)
        proxy.start()
        proxies.append(proxy)


def _cameras(tiles: int, proxies: list[FaultProxy], servers: list[ServerProcess]
             ) -> list[tuple[str, str, str, str]]:
    """``(id, name, site, url)`` of each tile: round robin over the hosts."""
    cameras = []
    for i in range(tiles):
        h = i % len(servers)
        url = proxies[h].url(servers[h].url) + f"?tile={i}"
        cameras.append((f"soak-{i:02d}", f"Soak {i + 1}", f"host-{h}", url))
    return cameras


def _drive(proc: subprocess.Popen[bytes], run: _Run, rng: random.Random,
           proxies: list[FaultProxy], servers: list[ServerProcess], duration: float,
           fault_every: float) -> None:
    """Until the wall exits: a fault every ``fault_every`` seconds (none in the last
    :data:`QUIET_TAIL_S`), and the wall's resident memory every 10 s."""
    started = time.monotonic()
    next_fault = started + 20.0
    next_sample = started + 5.0
    undo: Undo = []
    try:
        while proc.poll() is None:
            now = time.monotonic()
            for when, action in [u for u in undo if u[0] <= now]:
                action()
                undo.remove((when, action))
            if now >= next_sample:
                run.rss.append((now - started, rss_kib(proc.pid)))
                next_sample = now + 10.0
            if now >= next_fault and now < started + duration - QUIET_TAIL_S:
                run.faults.append(_inject(rng, rng.randrange(len(servers)), proxies, servers,
                                          undo, now, started))
                next_fault = now + fault_every
            time.sleep(0.2)
    finally:
        for _when, action in undo:
            action()


def _verdict(args: argparse.Namespace, code: int, data: dict[str, Any], run: _Run,
             duration: float) -> int:
    """Print the figures (and write them with --json); 0 when the wall passed."""
    memory = rss_growth(run.rss, duration)
    not_live = [t["camera"] for t in data["tiles"] if t["state"] != "live"]
    result = {
        "minutes": args.minutes, "tiles": args.tiles, "faults": len(run.faults),
        "exit_code": code, "state_changes": len(data["events"]),
        "tiles_not_live_at_end": not_live, **memory, "fault_log": run.faults,
        "rss_samples": [[round(t), kib] for t, kib in run.rss],
    }
    growth = memory["rss_growth"]
    print(f"{args.minutes:g} min, {args.tiles} tiles, {len(run.faults)} faults, "
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


def _inject(rng: random.Random, host: int, proxies: list[FaultProxy],
            servers: list[ServerProcess], undo: Undo, now: float, started: float
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
