"""The fault servers themselves, with plain sockets: they must fail exactly as told."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from videowall.demo.faults import FaultProxy, RtspAuthServer


class EchoServer:
    """Sends back whatever it receives; one thread per client."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept)
        self.acceptor.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._echo, args=(conn,))
            self.threads.append(thread)
            thread.start()

    def _echo(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        with conn:
            while not self.stopping.is_set():
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                conn.sendall(data)

    def stop(self) -> None:
        self.stopping.set()
        self.acceptor.join(5)
        for thread in self.threads:
            thread.join(5)
        self.listener.close()


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.stop()


@pytest.fixture
def proxy(echo: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy(("127.0.0.1", echo.port)) as fault_proxy:
        yield fault_proxy


def connect(proxy: FaultProxy) -> socket.socket:
    """A client connection, once the proxy has taken it and connected it upstream."""
    accepted = proxy.accepted
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
    sock.settimeout(0.5)
    deadline = time.monotonic() + 2
    while proxy.accepted == accepted and time.monotonic() < deadline:
        time.sleep(0.005)
    return sock


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def test_forwards_pauses_and_resumes(proxy: FaultProxy) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"hello")
        assert recv_exactly(sock, 5) == b"hello"
        proxy.pause()
        sock.sendall(b"stalled")
        with pytest.raises(TimeoutError):
            sock.recv(100)  # nothing comes back, yet the connection stands
        assert proxy.connections == 1
        proxy.resume()
        assert recv_exactly(sock, 7) == b"stalled"
        assert proxy.bytes_to_clients == 12


def test_flips_every_nth_byte_to_the_client(proxy: FaultProxy) -> None:
    with connect(proxy) as sock:
        proxy.corrupt(every=4)
        payload = bytes(range(12))
        sock.sendall(payload)
        got = recv_exactly(sock, 12)
        flipped = [i for i in range(12) if got[i] != payload[i]]
        assert flipped == [3, 7, 11] and got[3] == payload[3] ^ 0x5A
        proxy.corrupt(None)
        sock.sendall(payload)
        assert recv_exactly(sock, 12) == payload
    with pytest.raises(ValueError):
        proxy.corrupt(every=0)


def test_drop_refuse_and_listen_again(proxy: FaultProxy) -> None:
    port = proxy.port
    sock = connect(proxy)
    with sock:
        proxy.drop()
        with pytest.raises(ConnectionResetError):  # reset, like a crashed server's
            sock.recv(10)
    proxy.refuse()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    proxy.listen()
    assert proxy.port == port
    with connect(proxy) as sock:
        sock.sendall(b"back")
        assert recv_exactly(sock, 4) == b"back"


def test_retarget_sends_new_connections_elsewhere(proxy: FaultProxy) -> None:
    other = EchoServer()
    try:
        first = connect(proxy)
        proxy.retarget(("127.0.0.1", other.port))
        with first, connect(proxy) as second:
            for sock in (first, second):
                sock.sendall(b"x")
                assert recv_exactly(sock, 1) == b"x"
            deadline = time.monotonic() + 2
            while len(other.threads) < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(other.threads) == 1  # only the new connection went there
    finally:
        proxy.stop()
        other.stop()


def test_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy(("10.0.0.1", 554))
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy(("127.0.0.1", 554), host="0.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        RtspAuthServer(host="0.0.0.0")


def test_url_goes_through_the_proxy(proxy: FaultProxy) -> None:
    assert proxy.url("rtsp://admin:pw@127.0.0.1:8554/cam/1?x=1") == (
        f"rtsp://admin:pw@127.0.0.1:{proxy.port}/cam/1?x=1")
    assert proxy.url("http://127.0.0.1:80/a.ts") == f"http://127.0.0.1:{proxy.port}/a.ts"


def ask(sock: socket.socket, request: str) -> str:
    sock.sendall(request.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1024)
        if not chunk:
            break
        data += chunk
    return data.decode()


@pytest.mark.parametrize(("forbidden", "status"), [(False, "401 Unauthorized"),
                                                    (True, "403 Forbidden")])
def test_rtsp_server_refuses_describe(forbidden: bool, status: str) -> None:
    with RtspAuthServer(forbidden=forbidden) as server, \
            socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
        url = server.url("cam")
        options = ask(sock, f"OPTIONS {url} RTSP/1.0\r\nCSeq: 1\r\n\r\n")
        assert options.startswith("RTSP/1.0 200 OK\r\nCSeq: 1\r\n") and "DESCRIBE" in options
        answer = ask(sock, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 2\r\n\r\n")
        assert answer.startswith(f"RTSP/1.0 {status}\r\nCSeq: 2\r\n")
        assert ('WWW-Authenticate: Basic realm="camera"' in answer) is not forbidden
        again = ask(sock, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 3\r\n"
                          "Authorization: Basic YWRtaW46d3Jvbmc=\r\n\r\n")
        assert f"{status}\r\nCSeq: 3" in again
        assert server.describes == 2 and server.with_credentials == 1
