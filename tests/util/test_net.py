"""Loopback sockets: a port that is free, a listener that can come back on its port."""

from __future__ import annotations

import socket

import pytest

from videowall.util.net import free_port, listen_socket


def test_free_port_can_be_listened_on() -> None:
    port = free_port()
    assert 0 < port < 65536
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_listen_socket_accepts_and_times_out() -> None:
    with listen_socket("127.0.0.1", 0, 0.05) as listener:
        host, port = listener.getsockname()
        assert host == "127.0.0.1" and port > 0
        assert listener.gettimeout() == 0.05
        with pytest.raises(TimeoutError):
            listener.accept()
        with socket.create_connection((host, port), timeout=1):
            conn, _ = listener.accept()
            conn.close()


def test_listen_socket_listens_again_on_the_same_port() -> None:
    """A server that stopped listens again on its port at once (SO_REUSEADDR), even with
    a connection of the first listener still closing."""
    first = listen_socket("127.0.0.1", 0, 1.0, backlog=1)
    port = first.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port), timeout=1)
    conn, _ = first.accept()
    conn.close()  # the server closes first: its side waits in TIME_WAIT
    client.close()
    first.close()
    with listen_socket("127.0.0.1", port, 1.0) as again:
        assert again.getsockname()[1] == port


def test_listen_socket_on_a_taken_port_raises() -> None:
    with listen_socket("127.0.0.1", 0, 1.0) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            listen_socket("127.0.0.1", port, 1.0)
