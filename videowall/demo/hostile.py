"""A hostile peer: a loopback server that answers a camera's client the way a compromised
or broken camera would, to test that the wall holds.

Each :class:`HostilePeer` plays one part (``mode``), for HTTP and RTSP clients alike:

- ``redirect``: ``302 Found`` with ``Location`` set to what the test asks (``file:`` …);
- ``playlist``: an HLS playlist whose one segment is ``location``;
- ``silent``: accepts the connection, reads what comes and never answers;
- ``huge``: a ``200 OK`` with an absurd ``Content-Length`` and endless header lines;
- ``drip``: a valid start, then one byte at a time, slowly;
- ``garbage``: a valid ``200 OK`` then random bytes, without end.

Everything listens on loopback only, serves at most ``max_clients`` connections at once,
and stops within a fraction of a second.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time

from videowall.demo.faults import LoopbackServer

MODES = ("redirect", "playlist", "silent", "huge", "drip", "garbage")
#: How much of a request is read before the peer answers (or gives up on the client).
_MAX_REQUEST = 16384


class HostilePeer(LoopbackServer):
    """A loopback server that answers every request in the way ``mode`` names."""

    kind = "hostile"

    def __init__(
        self, mode: str, *, location: str = "", host: str = "127.0.0.1", port: int = 0,
        max_clients: int = 8, drip_every_s: float = 0.5,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (use one of {', '.join(MODES)})")
        super().__init__(host=host, port=port, max_clients=max_clients)
        self.mode = mode
        self.location = location
        self.drip_every_s = drip_every_s
        self.requests = 0

    def url(self, scheme: str = "http", path: str = "cam.ts") -> str:
        return f"{scheme}://{self.host}:{self.port}/{path}"

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        try:
            head = self._read_request(conn)
            if head is None:
                return
            self.requests += 1
            if self.mode == "silent":
                while not self._stopping.is_set() and self._read_request(conn) is not None:
                    pass
                return
            self._answer(conn, head)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _read_request(self, conn: socket.socket) -> str | None:
        """The head of the next request, or None when the client left or we stop."""
        data = b""
        while b"\r\n\r\n" not in data and len(data) < _MAX_REQUEST:
            if self._stopping.is_set():
                return None
            try:
                chunk = conn.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                return None
            data += chunk
        return data.split(b"\r\n\r\n", 1)[0].decode("latin-1")

    def _answer(self, conn: socket.socket, head: str) -> None:
        first = head.split("\r\n", 1)[0]
        protocol = "RTSP/1.0" if first.endswith("RTSP/1.0") else "HTTP/1.0"
        cseq = ""
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "cseq":
                cseq = f"CSeq: {value.strip()}\r\n"
        if self.mode == "redirect":
            conn.sendall(
                f"{protocol} 302 Found\r\n{cseq}Location: {self.location}\r\n"
                "Content-Length: 0\r\n\r\n".encode()
            )
            self._linger(conn)
            return
        if self.mode == "playlist":
            body = (f"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\n{self.location}\n"
                    "#EXT-X-ENDLIST\n").encode()
            conn.sendall(
                f"{protocol} 200 OK\r\nContent-Type: application/vnd.apple.mpegurl\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode() + body
            )
            self._linger(conn)
            return
        start = f"{protocol} 200 OK\r\n{cseq}Content-Type: video/mp2t\r\n"
        if self.mode == "huge":
            conn.sendall((start + "Content-Length: 5000000000\r\n").encode())
            self._send_forever(conn, b"X-Padding: " + b"A" * 8000 + b"\r\n")
        elif self.mode == "drip":
            conn.sendall((start + "\r\n").encode())
            while not self._stopping.wait(self.drip_every_s):
                conn.sendall(b"G")
        else:
            conn.sendall((start + "Content-Length: 5000000000\r\n\r\n").encode())
            self._send_forever(conn, None)

    def _send_forever(self, conn: socket.socket, chunk: bytes | None) -> None:
        conn.settimeout(1.0)
        while not self._stopping.is_set():
            try:
                conn.sendall(chunk if chunk is not None else os.urandom(65536))
            except TimeoutError:
                continue

    def _linger(self, conn: socket.socket) -> None:
        """Keep the connection until the client closes it (or we stop)."""
        deadline = time.monotonic() + 5.0
        while not self._stopping.is_set() and time.monotonic() < deadline:
            try:
                if not conn.recv(4096):
                    return
            except TimeoutError:
                continue
