"""Reconnecting without storms: capped exponential backoff with jitter, so that cameras
behind one switch that reboots do not all reconnect in the same second, and a gate that
lets only a few connection attempts at once reach any one host."""

from __future__ import annotations

import collections
import random
import threading


class Backoff:
    """Delays of ``first * factor**n`` seconds, capped, each spread by +-``jitter``."""

    def __init__(
        self,
        first: float = 1.0,
        cap: float = 30.0,
        factor: float = 2.0,
        jitter: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        self.first, self.cap, self.factor, self.jitter = first, cap, factor, jitter
        self.attempt = 0
        self._rng = rng or random.Random()

    def next(self) -> float:
        base = min(self.cap, self.first * self.factor**self.attempt)
        self.attempt += 1
        spread = base * self.jitter
        return max(0.05, base + self._rng.uniform(-spread, spread))

    def reset(self) -> None:
        self.attempt = 0


class GateTicket:
    """A connection attempt's place at a :class:`ConnectGate`; :meth:`release` once done
    (again is harmless)."""

    def __init__(self, gate: ConnectGate, key: str) -> None:
        self.gate = gate
        self.key = key
        self.released = False

    def release(self) -> None:
        self.gate._release(self)


class ConnectGate:
    """At most ``per_host`` connection attempts at once to any one host.

    An NVR or a switch with many cameras behind it sees every camera reconnect at once
    when it comes back; the gate lets the first ``per_host`` in and queues the rest in
    order of arrival. An attempt holds its place until its first picture or its failure.
    Shared by every decoder of a wall; any thread may call it (no Qt, no I/O).
    """

    def __init__(self, per_host: int = 4) -> None:
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self.per_host = per_host
        self._cond = threading.Condition()
        self._active: dict[str, int] = {}
        self._queues: dict[str, collections.deque[object]] = {}
        #: The most attempts ever seen at once to one host (for tests and benchmarks).
        self.peak = 0

    def set_limit(self, per_host: int) -> None:
        """Change the limit; waiting attempts that now fit go in at once."""
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        with self._cond:
            self.per_host = per_host
            self._cond.notify_all()

    def enter(
        self, key: str, cancel: threading.Event | None = None, poll: float = 0.2
    ) -> GateTicket | None:
        """Wait for a free place for ``key`` (a host name); None if ``cancel`` was set."""
        key = key.lower()
        me = object()
        with self._cond:
            queue = self._queues.setdefault(key, collections.deque())
            queue.append(me)
            try:
                while queue[0] is not me or self._active.get(key, 0) >= self.per_host:
                    if cancel is not None and cancel.is_set():
                        return None
                    self._cond.wait(poll)
            finally:
                queue.remove(me)
                if not queue:
                    del self._queues[key]
                self._cond.notify_all()
            active = self._active.get(key, 0) + 1
            self._active[key] = active
            self.peak = max(self.peak, active)
            return GateTicket(self, key)

    def _release(self, ticket: GateTicket) -> None:
        with self._cond:
            if ticket.released:
                return
            ticket.released = True
            left = self._active.get(ticket.key, 0) - 1
            if left > 0:
                self._active[ticket.key] = left
            else:
                self._active.pop(ticket.key, None)
            self._cond.notify_all()

    def active(self, key: str) -> int:
        """Attempts to ``key`` under way now."""
        with self._cond:
            return self._active.get(key.lower(), 0)

    def waiting(self, key: str) -> int:
        """Attempts to ``key`` queued now."""
        with self._cond:
            return len(self._queues.get(key.lower(), ()))
