"""Loopback sockets for the demo and test servers: a free port, a listening socket, the
connections it accepts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any


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


def accepted(listener: socket.socket, stop: threading.Event | None = None
             ) -> Iterator[tuple[socket.socket, Any]]:
    """The ``(connection, address)`` pairs ``listener`` accepts, until ``stop`` is set or
    the listener is closed. The listener's timeout is how often ``stop`` is looked at.

    Without ``stop``, any failure to accept ends the loop (closing the listener is how
    such a server stops); with it, a failure while ``stop`` is not set is raised.
    """
    while stop is None or not stop.is_set():
        try:
            conn, address = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            if stop is None or stop.is_set():
                return
            raise
        yield conn, address
