"""Loopback sockets: a port that is free, a listener that can come back on its port."""

from __future__ import annotations

import socket
import threading

import pytest

from videowall.util.net import accepted, free_port, listen_socket


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


def test_accepted_until_the_listener_is_closed() -> None:
    listener = listen_socket("127.0.0.1", 0, 0.05)
    port = listener.getsockname()[1]
    got: list[socket.socket] = []

    def serve() -> None:
        for conn, _address in accepted(listener):
            got.append(conn)

    thread = threading.Thread(target=serve)
    thread.start()
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        for _ in range(100):
            if got:
                break
            threading.Event().wait(0.01)
    listener.close()
    thread.join(2)
    assert not thread.is_alive() and len(got) == 1
    got[0].close()


def test_accepted_until_stop_and_failures_while_running_are_raised() -> None:
    stop = threading.Event()
    with listen_socket("127.0.0.1", 0, 0.05) as listener:
        stop.set()
        assert list(accepted(listener, stop)) == []  # stopped: no accept at all
        stop.clear()
        connections = accepted(listener, stop)
        listener.close()  # not stopped: a closed listener is a failure
        with pytest.raises(OSError):
            next(connections)
