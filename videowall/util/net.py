"""Loopback sockets for the demo and test servers: a free port, a listening socket."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def listen_socket(host: str, port: int, timeout: float, *, backlog: int = 16) -> socket.socket:
    """A TCP socket listening on ``host:port`` (port 0: the OS picks one).

    ``SO_REUSEADDR`` lets a server listen again on its port at once after it stopped
    (a restart, a refused-then-listening fault). ``accept()`` gives up after ``timeout``
    seconds so that an accept loop sees a stop request. Raises OSError when the address
    cannot be bound; the socket is closed then.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(backlog)
    except OSError:
        listener.close()
        raise
    listener.settimeout(timeout)
    return listener
