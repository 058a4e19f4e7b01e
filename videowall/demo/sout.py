"""Serve a clip as a live network stream with libvlc's stream output.

One :class:`VlcStreamServer` plays one clip in a loop and sends it, without transcoding, to
an RTSP server (RTP over UDP, as VLC serves it), an HTTP server (MPEG-TS), or both. Several
servers may share one RTSP port and one HTTP port: libvlc runs one listener per port and
routes by path.

This is the only module of :mod:`videowall.demo` that imports ``vlc``.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vlc

from videowall.demo.lifecycle import StartStop

log = logging.getLogger(__name__)

_INSTANCE_ARGS = ["--no-xlib", "--quiet", "--ignore-config", "--no-video-title-show"]
_instance: Any = None
_instance_lock = threading.Lock()

# (host, port) -> number of running servers of this process listening there
_ports: Counter[tuple[str, int]] = Counter()
_ports_lock = threading.Lock()


class ServerError(RuntimeError):
    """A demo stream server could not start."""


def vlc_instance() -> Any:
    """The process-wide libvlc instance of the demo servers (created on first use)."""
    global _instance
    with _instance_lock:
        if _instance is None:
            _instance = vlc.Instance(_INSTANCE_ARGS)
            if _instance is None:
                raise ServerError("libvlc could not be initialised (is VLC installed?)")
        return _instance


def _split(url: str, scheme: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    if parts.scheme != scheme or not parts.hostname or parts.port is None:
        raise ValueError(f"expected {scheme}://HOST:PORT/PATH, got {url!r}")
    path = parts.path or "/"
    return parts.hostname, parts.port, path


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _ask(host: str, port: int, request: bytes, timeout: float = 1.0) -> str:
    """Send one request, return the status line of the answer ('' when there is none)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n" not in data and len(data) < 4096:
            chunk = sock.recv(1024)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


class VlcStreamServer(StartStop):
    """Loop ``source`` forever and serve it at ``rtsp_url`` and/or ``http_url``.

    ``rtsp_url`` is ``rtsp://HOST:PORT/NAME`` (clients must use UDP transport);
    ``http_url`` is ``http://HOST:PORT/NAME.ts`` (MPEG-TS). :meth:`start` returns once both
    answer a request for their path with "200 OK", or raises :class:`ServerError`.
    :meth:`stop` ends the stream: HTTP clients see the connection close, new requests get 404
    (or a refused connection when no other server shares the port).
    """

    def __init__(
        self,
        source: Path,
        *,
        rtsp_url: str | None = None,
        http_url: str | None = None,
        start_timeout: float = 10.0,
    ) -> None:
        if rtsp_url is None and http_url is None:
            raise ValueError("give rtsp_url, http_url or both")
        self.source = Path(source)
        self.rtsp_url = rtsp_url
        self.http_url = http_url
        self.start_timeout = start_timeout
        self._rtsp = _split(rtsp_url, "rtsp") if rtsp_url else None
        self._http = _split(http_url, "http") if http_url else None
        self._lock = threading.RLock()
        self._player: Any = None
        self._media: Any = None
        self._claimed: list[tuple[str, int]] = []

    # ------------------------------------------------------------------ public

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(u for u in (self.rtsp_url, self.http_url) if u)

    @property
    def running(self) -> bool:
        return self._player is not None

    def start(self) -> None:
        """Start serving; wait until every URL answers. Idempotent."""
        with self._lock:
            if self._player is not None:
                return
            if not self.source.is_file():
                raise ServerError(f"cannot serve {self.source}: no such file")
            self._claim_ports()
            try:
                instance = vlc_instance()
                media = instance.media_new_path(str(self.source))
                media.add_option(f":sout={self._sout_chain()}")
                media.add_option(":sout-keep")
                media.add_option(":input-repeat=65535")
                player = instance.media_player_new()
                player.set_media(media)
                self._media, self._player = media, player
                if player.play() != 0:
                    raise ServerError(f"libvlc refused to play {self.source}")
                self._wait_ready()
            except BaseException:
                self._teardown()
                raise
            log.info("serving %s at %s", self.source.name, ", ".join(self.urls))

    def stop(self) -> None:
        """Stop serving (blocks for the few milliseconds libvlc needs). Idempotent."""
        with self._lock:
            if self._player is None:
                return
            self._teardown()
            log.info("stopped serving %s", ", ".join(self.urls))

    def pause_service(self, seconds: float, cancel: threading.Event | None = None) -> None:
        """Drop out for ``seconds`` (or until ``cancel`` is set), then serve again."""
        self.stop()
        if cancel is None:
            time.sleep(seconds)
        else:
            cancel.wait(seconds)
        self.start()

    # ------------------------------------------------------------------ internals

    def _sout_chain(self) -> str:
        outputs: list[str] = []
        if self._rtsp:
            host, port, path = self._rtsp
            outputs.append(f"rtp{{sdp=rtsp://{host}:{port}{path}}}")
        if self._http:
            host, port, path = self._http
            outputs.append(f"std{{access=http{{mime=video/MP2T}},mux=ts,dst={host}:{port}{path}}}")
        if len(outputs) == 1:
            return "#" + outputs[0]
        return "#duplicate{" + ",".join(f"dst={o}" for o in outputs) + "}"

    def _claim_ports(self) -> None:
        """Refuse ports another program holds; libvlc would fail there without a word."""
        wanted = [(host, port) for host, port, _ in filter(None, (self._rtsp, self._http))]
        with _ports_lock:
            for key in wanted:
                if _ports[key] == 0 and not _port_is_free(*key):
                    raise ServerError(f"port {key[1]} on {key[0]} is in use by another program")
            for key in wanted:
                _ports[key] += 1
            self._claimed = wanted

    def _release_ports(self) -> None:
        with _ports_lock:
            for key in self._claimed:
                _ports[key] -= 1
                if _ports[key] <= 0:
                    del _ports[key]
            self._claimed = []

    def _teardown(self) -> None:
        player, media = self._player, self._media
        self._player = self._media = None
        if player is not None:
            player.stop()
            player.release()
        if media is not None:
            media.release()
        self._release_ports()

    def _probes(self) -> list[tuple[str, str, int, bytes, str]]:
        probes = []
        if self._rtsp:
            host, port, path = self._rtsp
            req = (
                f"DESCRIBE rtsp://{host}:{port}{path} RTSP/1.0\r\nCSeq: 1\r\n"
                "Accept: application/sdp\r\n\r\n"
            ).encode()
            probes.append((self.rtsp_url or "", host, port, req, "RTSP/1.0 200"))
        if self._http:
            host, port, path = self._http
            req = f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode()
            probes.append((self.http_url or "", host, port, req, "HTTP/1.0 200"))
        return probes

    def _wait_ready(self) -> None:
        """Wait until libvlc reads the clip and every URL answers "200 OK"."""
        deadline = time.monotonic() + self.start_timeout
        pending = self._probes()
        last = ""
        reading = False
        while True:
            if self._player.get_state() == vlc.State.Error:
                raise ServerError(f"libvlc could not play {self.source} (see libvlc's log)")
            if not reading:
                stats = vlc.MediaStats()
                reading = bool(self._media.get_stats(stats)) and stats.demux_read_bytes > 0
                last = "libvlc has read nothing of the clip (is it a playable video?)"
            elif pending:
                url, host, port, req, want = pending[0]
                try:
                    status = _ask(host, port, req)
                    last = f"{url}: {status or 'no answer'}"
                except OSError as exc:
                    status, last = "", f"{url}: {exc}"
                if status.startswith(want):
                    pending.pop(0)
                    continue
            else:
                return
            if time.monotonic() > deadline:
                raise ServerError(
                    f"serving {self.source} did not start within {self.start_timeout:g} s: {last}"
                )
            time.sleep(0.05)
