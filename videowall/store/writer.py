"""The health log's writer: every stream state change goes to the store, in batches, on a
thread of its own, so the wall never waits for the database.

The wall hands each :class:`~videowall.streams.base.StreamEvent` to
:meth:`HealthLog.stream_event`, which only queues it; the writer thread turns a second's
worth of them into one transaction. A store that cannot be written (locked, read-only,
unreachable) keeps the entries queued, up to a limit, and tries again; the operator is
told once, in words, and again when writing works once more.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from videowall.registry.model import Registry
from videowall.store import HealthEntry, RegistryMirror, Store, StoreError, record_health
from videowall.streams.base import StateChanged, StreamEvent

log = logging.getLogger(__name__)

Notify = Callable[[str], None]

#: Seconds the writer gathers entries before it writes them in one transaction.
DEFAULT_INTERVAL = 1.0
#: Entries written in one transaction at most.
MAX_BATCH = 500
#: Entries kept while the store cannot be written; the oldest go first beyond this.
MAX_PENDING = 20_000
#: Seconds between attempts while the store cannot be written.
RETRY_S = 5.0


def entry_of(event: StateChanged, now_monotonic: float | None = None,
             now_utc: datetime | None = None) -> HealthEntry:
    """The health-log entry of a state change; its time turned from monotonic into UTC."""
    mono = time.monotonic() if now_monotonic is None else now_monotonic
    utc = datetime.now(UTC) if now_utc is None else now_utc
    at = utc - timedelta(seconds=max(0.0, mono - event.t))
    return HealthEntry(camera_id=event.camera_id, at=at, state=event.state.value,
                       reason=event.detail)


class HealthLog:
    """Writes stream state changes to the store at ``url`` (None: the default store).

    :meth:`stream_event` returns at once and may be called from any thread. Call
    :meth:`close` at the end: it writes what is queued (waiting up to its timeout).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        interval: float = DEFAULT_INTERVAL,
        retry_s: float = RETRY_S,
        max_pending: int = MAX_PENDING,
        notify: Notify | None = None,
    ) -> None:
        self.url = url
        self.interval = interval
        self.retry_s = retry_s
        self.max_pending = max_pending
        #: Words for the operator when the store cannot be written (any thread).
        self.notify = notify
        #: Entries written, and entries given up (queue full, or still unwritten at close).
        self.written = 0
        self.dropped = 0
        self._store: Store | None = None
        self._failing = False
        self._retry_at = 0.0  # time.monotonic() of the next attempt after a failure
        self._offset: datetime | None = None  # UTC at time.monotonic() == 0
        self._queue: queue.SimpleQueue[HealthEntry | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="health-log", daemon=True)
        self._thread.start()

    # -- what the wall calls ----------------------------------------------------------------

    def stream_event(self, event: StreamEvent) -> None:
        """Queue a state change (other kinds of event are ignored); returns at once."""
        if not isinstance(event, StateChanged):
            return
        # One offset between the two clocks for all events, so that changes microseconds
        # apart keep their order; taken again only when the wall clock was set.
        mono, utc = time.monotonic(), datetime.now(UTC)
        offset = utc - timedelta(seconds=mono)
        if self._offset is None or abs((offset - self._offset).total_seconds()) > 0.5:
            self._offset = offset
        self._queue.put(entry_of(event, mono, self._offset + timedelta(seconds=mono)))

    def record(self, entry: HealthEntry) -> None:
        """Queue an entry made elsewhere; returns at once."""
        self._queue.put(entry)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (one last attempt) and stop the writer, within ``timeout``."""
        self._queue.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("health log: the writer did not finish within %.0f s", timeout)

    # -- the writer thread ------------------------------------------------------------------

    def _run(self) -> None:
        pending: list[HealthEntry] = []
        stopping = False
        try:
            while not stopping:
                stopping = self._collect(pending)
                if pending and (stopping or time.monotonic() >= self._retry_at):
                    self._flush(pending)
            if pending:
                self.dropped += len(pending)
                log.warning("health log: %d state changes could not be written to the store",
                            len(pending))
        except Exception:  # never let the writer die silently
            log.exception("health log writer crashed")
            self._say("Health log stopped: see the log")
        finally:
            if self._store is not None:
                self._store.close()

    def _collect(self, pending: list[HealthEntry]) -> bool:
        """Wait for entries and gather them for up to :attr:`interval` seconds.

        Returns True when :meth:`close` was called. With entries still unwritten (the store
        failed) it waits for the first new one only until the next attempt is due.
        """
        timeout = max(0.0, self._retry_at - time.monotonic()) if pending else None
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return False
        if item is None:
            return True
        self._add(pending, item)
        deadline = time.monotonic() + self.interval
        while len(pending) < MAX_BATCH:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
            if item is None:
                return True
            self._add(pending, item)
        return False

    def _add(self, pending: list[HealthEntry], entry: HealthEntry) -> None:
        pending.append(entry)
        if len(pending) > self.max_pending:
            extra = len(pending) - self.max_pending
            del pending[:extra]
            self.dropped += extra

    def _flush(self, pending: list[HealthEntry]) -> None:
        try:
            if self._store is None:
                store = Store(self.url)
                store.create()
                self._store = store
            while pending:
                batch = pending[:MAX_BATCH]
                record_health(self._store, batch)
                del pending[: len(batch)]
                self.written += len(batch)
        except StoreError as exc:
            self._retry_at = time.monotonic() + self.retry_s
            if not self._failing:
                self._failing = True
                log.warning("health log: %s (keeping the state changes, trying again)", exc)
                self._say(f"Health log not saved to the store: {exc}")
            return
        if self._failing:
            self._failing = False
            assert self._store is not None
            log.info("health log: writing to the store %s again", self._store.where)
            self._say("Health log saved to the store again")

    def _say(self, message: str) -> None:
        if self.notify is not None:
            try:
                self.notify(message)
            except Exception:
                log.exception("health log: telling the operator failed")


class WallStore:
    """What the wall writes to the store: the registry it shows (a
    :class:`~videowall.store.RegistryMirror`) and every stream state change (a
    :class:`HealthLog`). The main window takes it as its listener."""

    def __init__(self, url: str | None = None) -> None:
        self.mirror = RegistryMirror(url)
        self.health = HealthLog(url)

    def registry_applied(self, registry: Registry, notify: Notify) -> None:
        """Queue ``registry`` for the store; returns at once."""
        self.health.notify = notify
        self.mirror.registry_applied(registry, notify)

    def stream_event(self, event: StreamEvent) -> None:
        """Queue a state change for the health log; returns at once."""
        self.health.stream_event(event)

    def close(self, timeout: float = 10.0) -> None:
        """Finish the queued writes (up to ``timeout`` each) and close the store."""
        self.mirror.close(timeout)
        self.health.close(timeout)
