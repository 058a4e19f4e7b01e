"""The demo simulator: every demo scene served as live RTSP and HTTP streams on loopback.

Each scene clip is served at ``rtsp://127.0.0.1:RTSP_PORT/<scene>`` and
``http://127.0.0.1:HTTP_PORT/<scene>.ts`` by one libvlc player (no transcoding: the cached
H.264 clips are only re-wrapped), and one more source, ``/flaky.ts``, drops out for
``flaky_down`` seconds every ``flaky_period`` seconds. The URLs match
:mod:`videowall.demo.registry`.

Run it alone with ``python -m videowall.demo.simulator``.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading
from collections.abc import Mapping
from pathlib import Path

from videowall.demo.clips import ensure_demo_clips
from videowall.demo.lifecycle import StartStop
from videowall.demo.registry import DEMO_HOST, HTTP_PORT, RTSP_PORT, flaky_url, scene_url
from videowall.demo.sout import ServerError, VlcStreamServer

log = logging.getLogger(__name__)


class PortTakenError(ServerError):
    """A port the demo serves on is already taken by another program (another demo?)."""

    def __init__(self, host: str, port: int, what: str) -> None:
        self.host = host
        self.port = port
        super().__init__(
            f"the demo's {what} port {port} on {host} is taken: another program (another "
            f"'videowall demo' or 'snapshot --demo'?) listens on it; stop it and try again"
        )


def check_port_free(host: str, port: int, what: str) -> None:
    """Raise :class:`PortTakenError` if a program already listens on TCP ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Closed connections of an earlier run (TIME_WAIT) do not make the port taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortTakenError(host, port, what) from None
            raise


class DemoSimulator(StartStop):
    """Serve the demo scenes; one flaky source drops out and comes back on a schedule.

    :meth:`start` first makes sure its ports are free (:class:`PortTakenError` at once if
    not), generates missing clips (a few seconds, once per machine), then starts
    the servers and returns when every URL answers. ``clips`` (source name -> clip file)
    replaces the demo scenes, for tests. :meth:`stop` ends everything it
    started. Both block: call them off the GUI thread.
    """

    def __init__(
        self,
        rtsp_port: int = RTSP_PORT,
        http_port: int = HTTP_PORT,
        *,
        host: str = DEMO_HOST,
        flaky_scene: str = "market",
        flaky_period: float = 60.0,
        flaky_down: float = 15.0,
        clips: Mapping[str, Path] | None = None,
    ) -> None:
        if not 0 < flaky_down < flaky_period:
            raise ValueError("need 0 < flaky_down < flaky_period")
        self.rtsp_port = rtsp_port
        self.http_port = http_port
        self.host = host
        self.flaky_scene = flaky_scene
        self.flaky_period = flaky_period
        self.flaky_down = flaky_down
        self._clips = dict(clips) if clips is not None else None
        self._servers: dict[str, VlcStreamServer] = {}
        self._flaky: VlcStreamServer | None = None
        self._flaky_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        #: Times the flaky source has dropped out since start.
        self.dropouts = 0

    # ------------------------------------------------------------------ public

    @property
    def flaky_url(self) -> str:
        return flaky_url(host=self.host, http_port=self.http_port)

    @property
    def urls(self) -> dict[str, tuple[str, ...]]:
        """Source name (a scene, or ``flaky``) -> the URLs it is served at."""
        out = {name: server.urls for name, server in self._servers.items()}
        if self._flaky is not None:
            out["flaky"] = self._flaky.urls
        return out

    @property
    def running(self) -> bool:
        return bool(self._servers)

    @property
    def flaky_up(self) -> bool:
        return self._flaky is not None and self._flaky.running

    def start(self) -> None:
        """Make missing clips, start every server, start the drop-out schedule."""
        with self._lock:
            if self._servers:
                return
            check_port_free(self.host, self.rtsp_port, "RTSP")
            check_port_free(self.host, self.http_port, "HTTP")
            clips = self._clips if self._clips is not None else ensure_demo_clips()
            if self.flaky_scene not in clips:
                raise ValueError(f"unknown flaky_scene {self.flaky_scene!r}")
            self._stopping.clear()
            try:
                for scene, clip in clips.items():
                    server = VlcStreamServer(
                        clip,
                        rtsp_url=self._url(scene, "rtsp"),
                        http_url=self._url(scene, "http"),
                    )
                    self._servers[scene] = server
                    server.start()
                self._flaky = VlcStreamServer(clips[self.flaky_scene], http_url=self.flaky_url)
                self._flaky.start()
            except BaseException:
                self._stop_servers()
                raise
            self._flaky_thread = threading.Thread(
                target=self._flaky_loop, name="demo-flaky", daemon=True
            )
            self._flaky_thread.start()
            log.info(
                "demo simulator serving %d scenes on rtsp://%s:%d and http://%s:%d; "
                "%s drops out for %g s every %g s",
                len(clips), self.host, self.rtsp_port, self.host, self.http_port,
                self.flaky_url, self.flaky_down, self.flaky_period,
            )  # fmt: skip

    def stop(self) -> None:
        """Stop the drop-out schedule and every server. Idempotent."""
        self._stopping.set()
        thread = self._flaky_thread
        if thread is not None:
            thread.join(10)
            self._flaky_thread = None
        with self._lock:
            if self._servers:
                self._stop_servers()
                log.info("demo simulator stopped")

    # ------------------------------------------------------------------ internals

    def _url(self, scene: str, scheme: str) -> str:
        return scene_url(
            scene, scheme, host=self.host, rtsp_port=self.rtsp_port, http_port=self.http_port
        )

    def _stop_servers(self) -> None:
        servers = [*self._servers.values(), *([self._flaky] if self._flaky else [])]
        for server in servers:
            try:
                server.stop()
            except Exception:
                log.exception("stopping %s failed", ", ".join(server.urls))
        self._servers.clear()
        self._flaky = None

    def _flaky_loop(self) -> None:
        """Up for ``period - down`` seconds, down for ``down`` seconds, until stopped."""
        try:
            while not self._stopping.wait(self.flaky_period - self.flaky_down):
                with self._lock:
                    flaky = self._flaky
                    if flaky is None or self._stopping.is_set():
                        return
                    flaky.stop()
                    self.dropouts += 1
                log.info("demo: %s dropped out for %g s", self.flaky_url, self.flaky_down)
                if self._stopping.wait(self.flaky_down):
                    return
                with self._lock:
                    if self._flaky is None or self._stopping.is_set():
                        return
                    self._flaky.start()
                log.info("demo: %s is back", self.flaky_url)
        except Exception:
            log.exception("the demo drop-out schedule failed; %s stays as it is", self.flaky_url)


def main(argv: list[str] | None = None) -> int:
    """Serve the demo streams until interrupted."""
    import argparse

    from videowall.util.logs import setup_logging

    parser = argparse.ArgumentParser(description="Serve the videowall demo streams.")
    parser.add_argument("--rtsp-port", type=int, default=RTSP_PORT)
    parser.add_argument("--http-port", type=int, default=HTTP_PORT)
    args = parser.parse_args(argv)
    setup_logging()
    stop = threading.Event()
    with DemoSimulator(args.rtsp_port, args.http_port) as sim:
        for name, urls in sim.urls.items():
            log.info("%-9s %s", name, "  ".join(urls))
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
