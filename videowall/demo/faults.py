"""Servers that fail on purpose, to test how the wall judges a stream's health.

- :class:`FaultProxy` forwards TCP to a real stream server and, on command, stops
  forwarding while keeping every socket open (a stall that no protocol notices), flips
  bytes (a corrupted stream), drops every connection, refuses new ones, or sends new ones
  to another server.
- :class:`RtspAuthServer` answers RTSP like a camera that refuses the credentials: 401
  with ``WWW-Authenticate`` to every DESCRIBE (or 403).
- :class:`ServerProcess` runs :class:`~videowall.demo.ffserver.FfmpegHttpServer` in a
  process of its own, so a test can kill it (SIGKILL, no goodbye) and start it again.
- :func:`make_still_clip` encodes one picture repeated (a frozen camera) or a solid
  colour (a black camera) as H.264.

Everything listens on loopback only and runs on a bounded number of threads.
``python -m videowall.demo.faults serve CLIP --port N`` is what :class:`ServerProcess` runs.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from videowall.demo.lifecycle import StartStop
from videowall.util.net import accepted, listen_socket

log = logging.getLogger(__name__)

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class FaultError(RuntimeError):
    """A fault server could not start."""


def _require_loopback(host: str, what: str) -> None:
    if host not in _LOOPBACK:
        raise ValueError(f"{what} must be on loopback (127.0.0.1), not {host!r}")


def _close(sock: socket.socket, *, reset: bool = False) -> None:
    """Close ``sock``; ``reset`` sends a TCP reset, as the kernel does for a killed server."""
    with contextlib.suppress(OSError):
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


# --------------------------------------------------------------------------- proxy


class _Link:
    """One client connection and its connection to the upstream server."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.threads: list[threading.Thread] = []
        self.closed = threading.Event()

    def close(self, *, reset: bool = False) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        _close(self.client, reset=reset)
        _close(self.upstream, reset=reset)


class FaultProxy(StartStop):
    """Forward ``127.0.0.1:port`` to ``upstream`` and misbehave on command.

    Two threads per connection copy bytes each way; at most ``max_connections`` clients
    are served at once (more are closed at once). Faults, each undone by its opposite:

    - :meth:`pause` / :meth:`resume`: stop forwarding in both directions; sockets stay
      open and connected, and new connections are accepted but not forwarded either.
    - :meth:`corrupt` ``(every=N)`` / ``corrupt(None)``: flip one byte in every ``N`` sent
      to the client.
    - :meth:`drop`: reset every open connection (the server "crashed").
    - :meth:`refuse` / :meth:`listen`: close / reopen the listening socket (connection
      refused in between); same port.
    - :meth:`retarget`: connections made from now on go to another server.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        max_connections: int = 16,
    ) -> None:
        _require_loopback(host, "the proxy")
        _require_loopback(upstream[0], "the upstream server")
        self.host = host
        self.port = port
        self.upstream = upstream
        self.max_connections = max_connections
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._forwarding = threading.Event()
        self._forwarding.set()
        self._closing = threading.Event()
        self._corrupt_every: int | None = None
        self._corrupt_phase = 0
        #: Bytes sent to clients since start; connections accepted since start.
        self.bytes_to_clients = 0
        self.accepted = 0

    # -- life -----------------------------------------------------------------------

    def start(self) -> None:
        """Listen (on ``port``, or a free port chosen now). Idempotent."""
        self._closing.clear()
        self.listen()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the port and every connection; join every thread."""
        self._closing.set()
        self._forwarding.set()  # wake paused pumps so they see the end
        self.refuse()
        self.drop(reset=False)
        with self._lock:
            threads = [t for link in self._links for t in link.threads]
        for thread in threads:
            thread.join(timeout)

    def url(self, upstream_url: str) -> str:
        """``upstream_url`` with its host and port replaced by the proxy's."""
        scheme, rest = upstream_url.split("://", 1)
        authority, _, path = rest.partition("/")
        userinfo = authority.rpartition("@")[0]
        prefix = f"{userinfo}@" if userinfo else ""
        return f"{scheme}://{prefix}{self.host}:{self.port}/{path}"

    # -- faults ---------------------------------------------------------------------

    def pause(self) -> None:
        """Stop forwarding; every socket stays open."""
        self._forwarding.clear()

    def resume(self) -> None:
        self._forwarding.set()

    def corrupt(self, every: int | None) -> None:
        """Flip one byte in every ``every`` sent to clients; None stops it."""
        if every is not None and every < 1:
            raise ValueError("every must be at least 1")
        self._corrupt_every = every

    def drop(self, *, reset: bool = True) -> None:
        """Close every open connection, with a TCP reset unless ``reset`` is false."""
        with self._lock:
            links = list(self._links)
        for link in links:
            link.close(reset=reset)

    def refuse(self) -> None:
        """Stop listening: new connections are refused. Open ones go on."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is not None and acceptor is not threading.current_thread():
            acceptor.join(5)

    def listen(self) -> None:
        """Listen again on the same port. Idempotent."""
        if self._listener is not None:
            return
        try:
            listener = listen_socket(self.host, self.port, 0.1)
        except OSError as exc:
            raise FaultError(f"cannot listen on {self.host}:{self.port}: {exc}") from exc
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(
            target=self._accept_loop, args=(listener,), name=f"fault-proxy-{self.port}",
            daemon=True,
        )
        self._acceptor.start()

    def retarget(self, upstream: tuple[str, int]) -> None:
        """Send connections made from now on to ``upstream``."""
        _require_loopback(upstream[0], "the upstream server")
        self.upstream = upstream

    @property
    def connections(self) -> int:
        with self._lock:
            return sum(1 for link in self._links if not link.closed.is_set())

    # -- internals ------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        for client, _addr in accepted(listener):  # until the listener is closed
            with self._lock:
                self._links = {link for link in self._links if not link.closed.is_set()}
                full = len(self._links) >= self.max_connections
            if full or self._closing.is_set():
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=3.0)
            except OSError:
                _close(client, reset=True)  # as if the server behind were down
                continue
            link = _Link(client, upstream)
            for src, dst, down in ((client, upstream, False), (upstream, client, True)):
                link.threads.append(
                    threading.Thread(
                        target=self._pump, args=(link, src, dst, down),
                        name=f"fault-proxy-{self.port}-pump", daemon=True,
                    )
                )
            with self._lock:
                self._links.add(link)
            for thread in link.threads:
                thread.start()
            self.accepted += 1

    def _pump(self, link: _Link, src: socket.socket, dst: socket.socket, down: bool) -> None:
        try:
            src.settimeout(0.1)
            while not link.closed.is_set():
                try:
                    chunk = src.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                while not self._forwarding.wait(0.1):
                    if link.closed.is_set():
                        return
                if down:
                    chunk = self._maybe_corrupt(chunk)
                    # counted before it is sent: a client that has the bytes sees the count
                    self.bytes_to_clients += len(chunk)
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            link.close()

    def _maybe_corrupt(self, chunk: bytes) -> bytes:
        every = self._corrupt_every
        if every is None:
            return chunk
        data = bytearray(chunk)
        i = (every - 1 - self._corrupt_phase) % every  # the every-th byte, and so on
        while i < len(data):
            data[i] ^= 0x5A
            i += every
        self._corrupt_phase = (self._corrupt_phase + len(data)) % every
        return bytes(data)


# --------------------------------------------------------------------------- RTSP 401


class LoopbackServer(StartStop):
    """A TCP server on loopback: one thread accepts, one thread serves each client, at most
    ``max_clients`` at once; :meth:`stop` closes the listener and joins them all.
    Subclasses answer in :meth:`_serve` and return soon after :attr:`_stopping` is set."""

    #: Names the server's threads.
    kind = "loopback"

    def __init__(self, *, host: str, port: int, max_clients: int) -> None:
        _require_loopback(host, f"the {self.kind} server")
        self.host = host
        self.port = port
        self.max_clients = max_clients
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self) -> None:
        if self._listener is not None:
            return
        listener = listen_socket(self.host, self.port, 0.1, backlog=8)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        thread = threading.Thread(target=self._accept_loop, name=f"{self.kind}-{self.port}",
                                  daemon=True)
        self._threads = [thread]
        thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        for conn, _addr in accepted(listener):  # until stop() closes the listener
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                if len(self._threads) > self.max_clients:
                    _close(conn)
                    continue
                thread = threading.Thread(target=self._serve, args=(conn,),
                                          name=f"{self.kind}-{self.port}-client", daemon=True)
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        raise NotImplementedError


class RtspAuthServer(LoopbackServer):
    """An RTSP server that refuses every DESCRIBE: 401 with a Basic challenge (or 403).

    Answers OPTIONS like a camera, counts the DESCRIBE requests it refused (so a test can
    check that a client does not hammer it) and keeps each connection open for the
    client's retry with credentials. At most ``max_clients`` connections at once.
    """

    kind = "rtsp-401"

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, forbidden: bool = False,
        max_clients: int = 8,
    ) -> None:
        super().__init__(host=host, port=port, max_clients=max_clients)
        self.forbidden = forbidden
        self.describes = 0
        self.with_credentials = 0

    def url(self, path: str = "stream", user: str = "", password: str = "") -> str:
        auth = f"{user}:{password}@" if user else ""
        return f"rtsp://{auth}{self.host}:{self.port}/{path}"

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        data = b""
        try:
            while not self._stopping.is_set():
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                data += chunk
                while b"\r\n\r\n" in data:
                    head, data = data.split(b"\r\n\r\n", 1)
                    conn.sendall(self._answer(head.decode("latin-1")))
                if len(data) > 16384:
                    return
        except OSError:
            pass
        finally:
            _close(conn)

    def _answer(self, head: str) -> bytes:
        lines = head.split("\r\n")
        method = lines[0].split(" ", 1)[0].upper()
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        cseq = headers.get("cseq", "0")
        if method == "OPTIONS":
            return (
                f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n"
                "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n"
            ).encode()
        if method == "DESCRIBE":
            self.describes += 1
            if "authorization" in headers:
                self.with_credentials += 1
        if self.forbidden:
            return f"RTSP/1.0 403 Forbidden\r\nCSeq: {cseq}\r\n\r\n".encode()
        return (
            f"RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\n"
            'WWW-Authenticate: Basic realm="camera"\r\n\r\n'
        ).encode()


# --------------------------------------------------------------------------- killable server


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class ServerProcess(StartStop):
    """An :class:`~videowall.demo.ffserver.FfmpegHttpServer` in a process of its own.

    :meth:`kill` ends it and its ffmpeg helpers with SIGKILL, as a crash or a power cut
    would; :meth:`start` brings it back on the same port.
    """

    def __init__(self, source: Path, *, port: int, path: str = "/stream.ts",
                 host: str = "127.0.0.1") -> None:
        _require_loopback(host, "the server")
        self.source = Path(source)
        self.host = host
        self.port = port
        self.path = path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        """Start the server; returns once its port accepts connections."""
        if self.running:
            return
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])  # where the videowall package is
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "videowall.demo.faults", "serve", str(self.source),
             "--port", str(self.port), "--path", self.path],
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: kill() reaches its ffmpeg too
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not _port_open(self.host, self.port):
            if self._proc.poll() is not None:
                raise FaultError(f"the server for {self.url} exited ({self._proc.returncode})")
            if time.monotonic() > deadline:
                self.kill()
                raise FaultError(f"the server for {self.url} did not start in {timeout:g} s")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the server and its ffmpeg processes; returns once they are gone."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    stop = kill


# --------------------------------------------------------------------------- clips


def make_still_clip(
    path: Path,
    *,
    colour: str | None = None,
    seconds: float = 4,
    size: tuple[int, int] = (640, 360),
    fps: int = 25,
) -> Path:
    """An H.264 clip that shows one picture all along: ``colour`` (``black``, ``0x808080``)
    or, without it, the first frame of FFmpeg's ``testsrc2`` looped with ``-loop 1``."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise FaultError("ffmpeg not found on PATH")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    encode = [
        "-t", f"{seconds:g}", "-r", str(fps), "-c:v", "libx264", "-preset", "veryfast",
        "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-g", str(fps), "-an",
    ]  # fmt: skip
    base = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    with tempfile.TemporaryDirectory(prefix="videowall-still-") as tmp:
        if colour is not None:
            source = ["-f", "lavfi", "-i", f"color=c={colour}:s={w}x{h}:r={fps}"]
        else:
            still = Path(tmp) / "still.png"
            _run([*base, "-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate=1",
                  "-frames:v", "1", str(still)])  # fmt: skip
            source = ["-loop", "1", "-framerate", str(fps), "-i", str(still)]
        _run([*base, *source, *encode, str(path)])
    return path


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-4:]) or "(no error output)"
        raise FaultError(f"ffmpeg failed (exit {proc.returncode}): {tail}")


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m videowall.demo.faults")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a clip over HTTP MPEG-TS until killed")
    serve.add_argument("clip", type=Path)
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--path", default="/stream.ts")
    args = parser.parse_args(argv)
    from videowall.demo.ffserver import FfmpegHttpServer

    server = FfmpegHttpServer(args.clip, port=args.port, path=args.path)
    server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
