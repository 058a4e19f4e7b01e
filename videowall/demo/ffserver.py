"""HTTP test servers: clips streamed by FFmpeg, and a server that answers badly on purpose.

:class:`FfmpegHttpServer` serves a looping clip over HTTP the way IP cameras and encoders
do: MPEG-TS, or MJPEG as ``multipart/x-mixed-replace``. Python owns the listening socket
and answers the HTTP request; each client gets its own ``ffmpeg`` process writing the
stream to a pipe. (``ffmpeg -listen 1`` serves one connection and exits, so a bare TCP
probe of the port, as a reachability check does, would take the server down; here any
number of clients can come and go.)

:class:`BadHttpServer` answers with the failures a wall meets in the field: an HTML page
instead of video, a connection closed without an answer, 401, 404, bytes that are not
video, a server that never answers.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any, Literal

from videowall.demo.lifecycle import StartStop
from videowall.util.net import accepted, listen_socket

log = logging.getLogger(__name__)

StreamFormat = Literal["mpegts", "mpjpeg"]

_CONTENT_TYPES: dict[str, str] = {
    "mpegts": "video/mp2t",
    "mpjpeg": "multipart/x-mixed-replace;boundary=ffmpeg",
}


class ServeError(RuntimeError):
    """A test server could not start."""


def source_codec(source: Path) -> str:
    """Codec name of the first video stream of ``source`` per ``ffprobe`` ('' if unknown)."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return ""
    try:
        out = subprocess.run(
            [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=codec_name", "-of", "default=nw=1:nk=1", str(source)],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def _read_request(conn: socket.socket, timeout: float = 5.0) -> bytes:
    """The request head (up to the blank line), or b'' if the client sent none."""
    conn.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 16384:
            chunk = conn.recv(4096)
            if not chunk:
                return b""
            data += chunk
    except OSError:
        return b""
    return data


def _stop_process(proc: subprocess.Popen[bytes], timeout: float = 3.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


class _Client:
    """One connected client and the ffmpeg process that feeds it."""

    def __init__(self, conn: socket.socket, peer: str) -> None:
        self.conn = conn
        self.peer = peer
        self.proc: subprocess.Popen[bytes] | None = None
        self.thread: threading.Thread | None = None


class FfmpegHttpServer(StartStop):
    """Serve ``source`` in a loop at ``http://HOST:PORT/PATH`` through FFmpeg.

    ``fmt="mpegts"`` copies the H.264 clip into MPEG-TS; ``fmt="mpjpeg"`` serves MJPEG as a
    ``multipart/x-mixed-replace`` stream, copied when the source is already MJPEG (see
    :func:`videowall.demo.clips.make_mjpeg_clip`), else encoded with ``-q:v 5``.
    ``max_clients`` limits concurrent viewers like a camera does (503 beyond it).
    """

    def __init__(
        self,
        source: Path,
        *,
        port: int,
        fmt: StreamFormat = "mpegts",
        path: str = "/stream",
        host: str = "127.0.0.1",
        max_clients: int | None = None,
    ) -> None:
        if fmt not in _CONTENT_TYPES:
            raise ValueError(f"fmt must be one of {', '.join(_CONTENT_TYPES)}, not {fmt!r}")
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', not {path!r}")
        self.source = Path(source)
        self.port = port
        self.fmt: StreamFormat = fmt
        self.path = path
        self.host = host
        self.max_clients = max_clients
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._clients: set[_Client] = set()
        self._codec_args: list[str] = []
        #: Number of clients that were sent a stream since start.
        self.served = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def clients(self) -> int:
        """Number of clients connected now."""
        with self._lock:
            return sum(1 for c in self._clients if c.proc is not None)

    def start(self) -> None:
        """Listen; returns once the port accepts connections. Idempotent."""
        if self._listener is not None:
            return
        if not self.source.is_file():
            raise ServeError(f"cannot serve {self.source}: no such file")
        if shutil.which("ffmpeg") is None:
            raise ServeError("ffmpeg not found on PATH")
        self._codec_args = self._pick_codec_args()
        try:
            listener = listen_socket(self.host, self.port, 0.2)
        except OSError as exc:
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {exc}") from exc
        self._stopping.clear()
        self._listener = listener
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"ffserver-{self.port}", daemon=True
        )
        self._acceptor.start()
        log.info("serving %s as %s at %s", self.source.name, self.fmt, self.url)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the port, end every client's ffmpeg (terminate, then kill), join threads."""
        if self._listener is None:
            return
        self._stopping.set()
        if self._acceptor is not None:
            self._acceptor.join(timeout)
        self._listener.close()
        self._listener = None
        self._acceptor = None
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.conn.shutdown(socket.SHUT_RDWR)
            if client.proc is not None:
                _stop_process(client.proc)
        for client in clients:
            if client.thread is not None:
                client.thread.join(timeout)
        log.info("stopped serving %s", self.url)

    # ------------------------------------------------------------------ internals

    def _pick_codec_args(self) -> list[str]:
        if self.fmt == "mpegts":
            return ["-c:v", "copy", "-f", "mpegts"]
        if source_codec(self.source) == "mjpeg":
            return ["-c:v", "copy", "-f", "mpjpeg"]
        return ["-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p", "-f", "mpjpeg"]

    def _command(self) -> list[str]:
        return [
            shutil.which("ffmpeg") or "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
            "-re", "-stream_loop", "-1", "-i", str(self.source),
            "-map", "0:v:0", "-an", *self._codec_args, "pipe:1",
        ]  # fmt: skip

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        try:
            for conn, addr in accepted(listener, self._stopping):
                self._start_client(_Client(conn, f"{addr[0]}:{addr[1]}"))
        except OSError:
            log.exception("accept failed on %s", self.url)

    def _start_client(self, client: _Client) -> None:
        client.thread = threading.Thread(
            target=self._serve_client,
            args=(client,),
            name=f"ffserver-{self.port}-client",
            daemon=True,
        )
        with self._lock:
            self._clients.add(client)
        client.thread.start()

    def _serve_client(self, client: _Client) -> None:
        try:
            self._answer(client)
        except Exception:
            log.exception("serving %s to %s failed", self.url, client.peer)
        finally:
            if client.proc is not None:
                _stop_process(client.proc)
            with contextlib.suppress(OSError):
                client.conn.close()
            with self._lock:
                self._clients.discard(client)

    def _answer(self, client: _Client) -> None:
        conn = client.conn
        head = _read_request(conn)
        if not head or self._stopping.is_set():
            return  # a reachability probe: connected and left
        method, _, rest = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
        target = rest.split(" ", 1)[0].split("?", 1)[0]
        if method not in ("GET", "HEAD"):
            conn.sendall(_status(405, "Method Not Allowed"))
            return
        if target != self.path:
            conn.sendall(_status(404, "Not Found"))
            return
        with self._lock:
            busy = sum(1 for c in self._clients if c.proc is not None)
        if self.max_clients is not None and busy >= self.max_clients:
            conn.sendall(_status(503, "Service Unavailable"))
            return
        headers = (
            "HTTP/1.0 200 OK\r\n"
            f"Content-Type: {_CONTENT_TYPES[self.fmt]}\r\n"
            "Cache-Control: no-cache\r\nConnection: close\r\n\r\n"
        ).encode()
        if method == "HEAD":
            conn.sendall(headers)
            return
        with tempfile.TemporaryFile() as errors:
            with self._lock:
                if self._stopping.is_set():
                    return
                client.proc = subprocess.Popen(
                    self._command(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                )
                self.served += 1
            log.debug("streaming %s to %s", self.url, client.peer)
            conn.settimeout(10.0)
            conn.sendall(headers)
            reason = self._pump(client.proc, conn)
            _stop_process(client.proc)
            if reason == "ffmpeg ended" and not self._stopping.is_set():
                log.warning("ffmpeg for %s ended: %s", self.url, _tail(errors))
            else:
                log.debug("client %s of %s left (%s)", client.peer, self.url, reason)

    @staticmethod
    def _pump(proc: subprocess.Popen[bytes], conn: socket.socket) -> str:
        stdout = proc.stdout
        assert stdout is not None
        fd = stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return "ffmpeg ended"
            try:
                conn.sendall(chunk)
            except OSError as exc:
                return f"client gone: {exc}"


def _status(code: int, text: str) -> bytes:
    body = f"{code} {text}\n".encode()
    return (
        f"HTTP/1.0 {code} {text}\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


def _tail(errors: IO[bytes], lines: int = 6) -> str:
    errors.seek(0)
    text = errors.read().decode("utf-8", "replace").strip().splitlines()
    return " | ".join(text[-lines:]) or "(no error output)"


# --------------------------------------------------------------------------- bad server

BadKind = Literal["html", "close", "notfound", "unauthorized", "garbage", "hang"]

#: What each path of :class:`BadHttpServer` does.
BAD_KINDS: dict[str, str] = {
    "html": "200 with a small text/html page (a camera's web UI, not a stream)",
    "close": "reads the request, then closes the connection without an answer",
    "notfound": "404 Not Found",
    "unauthorized": '401 with WWW-Authenticate: Basic realm="camera"',
    "garbage": "200 video/mp2t followed by random bytes that are not MPEG-TS",
    "hang": "reads the request and never answers (until the server stops)",
}


class _BadHandler(http.server.BaseHTTPRequestHandler):
    server: _BadServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("bad server: " + format, *args)

    def do_GET(self) -> None:
        kind = self.path.split("?", 1)[0].strip("/").split(".", 1)[0]
        if kind == "html":
            body = b"<!doctype html><html><body><h1>IP Camera</h1>Login</body></html>\n"
            self._reply(200, "text/html; charset=utf-8", body)
        elif kind == "close":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        elif kind == "unauthorized":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="camera"')
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif kind == "garbage":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp2t")
            self.end_headers()
            deadline = time.monotonic() + 30
            rng = os.urandom
            while not self.server.stopping.is_set() and time.monotonic() < deadline:
                try:
                    self.wfile.write(rng(4096).replace(b"\x47", b"\x48"))
                except OSError:
                    return
                self.server.stopping.wait(0.02)
        elif kind == "hang":
            self.server.stopping.wait(60)
        else:
            self._reply(404, "text/plain", b"not found\n")

    def _reply(self, code: int, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _BadServer(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handler threads
    block_on_close = True

    def __init__(self, address: tuple[str, int]) -> None:
        self.stopping = threading.Event()
        super().__init__(address, _BadHandler)


class BadHttpServer(StartStop):
    """A small HTTP server on loopback whose paths fail in the ways of :data:`BAD_KINDS`."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._port = port
        self._server: _BadServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self._port
        port: int = self._server.server_address[1]
        return port

    def url(self, kind: BadKind) -> str:
        if kind not in BAD_KINDS:
            raise ValueError(f"kind must be one of {', '.join(BAD_KINDS)}, not {kind!r}")
        suffix = ".ts" if kind == "garbage" else ".html" if kind == "html" else ""
        return f"http://{self.host}:{self.port}/{kind}{suffix}"

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = _BadServer((self.host, self._port))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="bad-http-server",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(5)
        self._server = self._thread = None
