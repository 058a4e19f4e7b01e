"""The store's writer: one thread and one :class:`~videowall.store.Store` take what the
wall has to say to the database, so the wall never waits for it.

Four kinds of job share its queue: each registry the wall applies (mirrored into the
store at once, one at a time), each stream state change, each minute of a traffic lane
and each step of an alert (gathered for a second and written together: the health log in
one transaction, the lane minutes in the next, the alerts in the last). A store that
cannot be written (locked, read-only, unreachable) keeps the state changes, lane minutes
and alert steps queued, up to a limit, and is tried again; the operator is told once, in
words, and again when writing works once more. A registry that
cannot be mirrored is said each time; the wall keeps running on the registry it has.

Closing never waits longer than its timeout: each write waits at most
:data:`BUSY_TIMEOUT` for another program's write lock, and what still cannot be written
when the wall closes is kept in a file next to the store (:mod:`videowall.store.spill`)
and written at the next start.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from videowall.registry.model import Registry
from videowall.store import spill
from videowall.store.alerts import open_alerts, record_alerts
from videowall.store.health import record_health
from videowall.store.lanes import check_lane_minute, record_lane_minutes
from videowall.store.records import Alert, AlertChange, HealthEntry, LaneMinute, StoreError
from videowall.store.store import Store
from videowall.store.sync import sync_registry
from videowall.streams.base import StateChanged, StreamEvent

log = logging.getLogger(__name__)

Notify = Callable[[str], None]

#: Seconds the writer gathers state changes before it writes them in one transaction.
DEFAULT_INTERVAL = 1.0
#: State changes, lane minutes and alert steps written in one batch at most.
MAX_BATCH = 500
#: State changes, lane minutes and alert steps kept while the store cannot be written;
#: the oldest go first beyond this (56 cameras of 3 lanes fill it in about two hours).
MAX_PENDING = 20_000
#: Seconds between attempts while the store cannot be written.
RETRY_S = 5.0
#: Seconds one write waits for another program's write lock (it is tried again later).
BUSY_TIMEOUT = 2.0
#: Seconds of its timeout :meth:`StoreWriter.close` keeps for keeping what is left.
_SPILL_MARGIN = 0.5


def entry_of(event: StateChanged, now_monotonic: float | None = None,
             now_utc: datetime | None = None) -> HealthEntry:
    """The health-log entry of a state change; its time turned from monotonic into UTC."""
    mono = time.monotonic() if now_monotonic is None else now_monotonic
    utc = datetime.now(UTC) if now_utc is None else now_utc
    at = utc - timedelta(seconds=max(0.0, mono - event.t))
    return HealthEntry(camera_id=event.camera_id, at=at, state=event.state.value,
                       reason=event.detail)


@dataclass(frozen=True)
class _RegistryJob:
    """A registry to mirror, and where to say that it could not be."""

    registry: Registry
    notify: Notify


@dataclass(frozen=True)
class _AlertEvent:
    """A step of an alert, with the alert as it stands after it."""

    alert: Alert
    change: AlertChange


#: What waits for the next batch.
_Pending = HealthEntry | LaneMinute | _AlertEvent
#: What the queue carries; None asks the thread to stop.
_Job = _Pending | _RegistryJob | None


class StoreWriter:
    """Writes the registry the wall shows, its stream state changes, its lanes' minutes and
    its alerts to the store at ``url`` (None: the default store), on one thread of its own.

    Every public method returns at once and may be called from any thread. Call
    :meth:`close` at the end: it finishes what is queued (waiting up to its timeout).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        interval: float = DEFAULT_INTERVAL,
        retry_s: float = RETRY_S,
        max_pending: int = MAX_PENDING,
        notify: Notify | None = None,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> None:
        self.url = url
        self.busy_timeout = busy_timeout
        self._busy = busy_timeout  # of the store open now: shorter for the close
        self.interval = interval
        self.retry_s = retry_s
        self.max_pending = max_pending
        #: Words for the operator about the health log (the last registry's notify).
        self.notify = notify
        #: State changes written, and given up (queue full, or still unwritten at close).
        self.written = 0
        self.dropped = 0
        #: Alert steps written, and given up (the same way).
        self.alerts_written = 0
        self.alerts_dropped = 0
        #: Lane minutes written, and given up (the same way).
        self.lanes_written = 0
        self.lanes_dropped = 0
        #: State changes, lane minutes and alert steps kept in the spill file at close.
        self.spilled = 0
        #: Where what cannot be written by the close is kept (None: not a file store).
        self.spill_path = spill.spill_path(url)
        self._unspilled = False  # the spill file was read: remove it once written
        self._stop_by: float | None = None  # time.monotonic() by which close must be done
        self._store: Store | None = None
        self._failing = False
        self._retry_at = 0.0  # time.monotonic() of the next attempt after a failure
        self._offset: datetime | None = None  # UTC at time.monotonic() == 0
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    # -- what the wall calls ----------------------------------------------------------------

    def registry_applied(self, registry: Registry, notify: Notify) -> None:
        """Queue ``registry`` for the store; ``notify`` hears of failures from now on."""
        self.notify = notify
        self._jobs.put(_RegistryJob(registry, notify))

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
        self._jobs.put(entry_of(event, mono, self._offset + timedelta(seconds=mono)))

    def record(self, entry: HealthEntry) -> None:
        """Queue a health-log entry made elsewhere."""
        self._jobs.put(entry)

    def alert_event(self, alert: Alert, change: AlertChange) -> None:
        """Queue a step of an alert with the alert as it stands after it; returns at once.

        Written with the health log: the alert added or updated, the step added to its
        history. ValueError if ``change`` belongs to another alert.
        """
        if change.alert_id != alert.id:
            raise ValueError(f"a step of alert {change.alert_id} given with alert {alert.id}")
        self._jobs.put(_AlertEvent(alert, change))

    def lane_minute(self, record: LaneMinute) -> None:
        """Queue a minute of a traffic lane; returns at once.

        Written with the health log, replacing a value of the same camera, lane and minute
        in the store. ValueError at once for what no store can hold (see
        :func:`videowall.store.lanes.check_lane_minute`).
        """
        self._jobs.put(check_lane_minute(record))

    def open_alerts(self) -> list[Alert]:
        """The alerts still open in the store (read now, on the caller's thread: once, at
        the wall's start, so that alerts outlive a restart). StoreError when it cannot be
        read."""
        with Store(self.url) as store:
            store.create()
            return open_alerts(store)

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued (one last attempt) and stop the writer, within ``timeout``;
        what cannot be written goes to :attr:`spill_path`."""
        self._stop_by = time.monotonic() + max(0.0, timeout - _SPILL_MARGIN)
        self._jobs.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("store writer: did not finish within %.0f s", timeout)

    # -- the writer thread ------------------------------------------------------------------

    def _run(self) -> None:
        pending: list[_Pending] = self._unspill()
        stopping = False
        try:
            while not stopping:
                stopping = self._collect(pending)
                if pending and not stopping and time.monotonic() >= self._retry_at:
                    self._flush(pending)
            self._finish(pending)
        except Exception:  # never let the writer die silently
            log.exception("store writer crashed")
            self._say("Health log stopped: see the log")
        finally:
            if self._store is not None:
                self._store.close()

    def _collect(self, pending: list[_Pending]) -> bool:
        """Wait for jobs and gather state changes for up to :attr:`interval` seconds;
        registries are mirrored as they come.

        Returns True when :meth:`close` was called. With state changes still unwritten (the
        store failed) it waits for the first new job only until the next attempt is due.
        """
        timeout = max(0.0, self._retry_at - time.monotonic()) if pending else None
        try:
            job = self._jobs.get(timeout=timeout)
        except queue.Empty:
            return False
        if self._take(job, pending):
            return True
        deadline = time.monotonic() + self.interval
        while len(pending) < MAX_BATCH:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                job = self._jobs.get(timeout=remaining)
            except queue.Empty:
                break
            if self._take(job, pending):
                return True
        return False

    def _take(self, job: _Job, pending: list[_Pending]) -> bool:
        """Do or keep one job; True if it asks the writer to stop."""
        if job is None:
            return True
        if isinstance(job, _RegistryJob):
            self._sync(job)
        else:
            self._add(pending, job)
        return False

    def _open(self) -> Store:
        if self._store is None:
            store = Store(self.url, busy_timeout=self._busy)
            store.create()
            self._store = store
        return self._store

    # -- the registry mirror ----------------------------------------------------------------

    def _sync(self, job: _RegistryJob) -> None:
        if self._stop_by is not None and time.monotonic() + self.busy_timeout > self._stop_by:
            log.warning("store: the wall closed before its camera registry was mirrored "
                        "(the next start mirrors it)")
            return
        try:
            text = _source_text(job.registry)
            store = self._open()
            result = sync_registry(store, job.registry, source_text=text)
        except StoreError as exc:
            log.warning("%s", exc)
            _tell(job.notify, f"Store not updated: {exc}")
            return
        except Exception as exc:  # the registry is said not saved, the writer goes on
            log.exception("mirroring the camera registry failed")
            _tell(job.notify, f"Camera registry not saved to the store: {exc}")
            return
        log.info("store %s: registry %s", store.where, result.summary())

    # -- the health log and the alerts ------------------------------------------------------

    def _add(self, pending: list[_Pending], job: _Pending) -> None:
        pending.append(job)
        if len(pending) > self.max_pending:
            extra = len(pending) - self.max_pending
            self._count_dropped(pending[:extra])
            del pending[:extra]

    def _count_dropped(self, jobs: list[_Pending]) -> tuple[int, int, int]:
        """Count ``jobs`` as given up; returns how many state changes, lane minutes and
        alert steps."""
        steps = sum(1 for job in jobs if isinstance(job, _AlertEvent))
        lanes = sum(1 for job in jobs if isinstance(job, LaneMinute))
        self.dropped += len(jobs) - steps - lanes
        self.lanes_dropped += lanes
        self.alerts_dropped += steps
        return len(jobs) - steps - lanes, lanes, steps

    def _drop(self, pending: list[_Pending]) -> None:
        entries, lanes, steps = self._count_dropped(pending)
        if entries:
            log.warning("health log: %d state changes could not be written to the store",
                        entries)
        if lanes:
            log.warning("traffic: %d lane minutes could not be written to the store", lanes)
        if steps:
            log.warning("alerts: %d alert steps could not be written to the store", steps)

    def _write(self, store: Store, pending: list[_Pending]) -> None:
        """Write the next batch and take it off ``pending``: the state changes first, then
        the lane minutes, then the alert steps; what one transaction wrote is gone before
        the next is tried."""
        size = min(len(pending), MAX_BATCH)
        entries = [job for job in pending[:size] if isinstance(job, HealthEntry)]
        if entries:
            record_health(store, entries)
            self.written += len(entries)
            size = _take_off(pending, size, HealthEntry)
        lanes = [job for job in pending[:size] if isinstance(job, LaneMinute)]
        if lanes:
            try:
                record_lane_minutes(store, lanes)
            except (TypeError, ValueError):
                # Checked when queued; a value no store can hold must not stop the rest.
                log.exception("traffic: %d lane minutes cannot be written (given up)",
                              len(lanes))
                self.lanes_dropped += len(lanes)
            else:
                self.lanes_written += len(lanes)
            size = _take_off(pending, size, LaneMinute)
        events = [job for job in pending[:size] if isinstance(job, _AlertEvent)]
        if events:
            try:
                record_alerts(store, [e.alert for e in events], [e.change for e in events])
            except (TypeError, ValueError):
                # Values no store can hold would stop the health log for good if kept.
                log.exception("alerts: %d alert steps cannot be written (given up)",
                              len(events))
                self.alerts_dropped += len(events)
            else:
                self.alerts_written += len(events)
        del pending[:size]

    def _flush(self, pending: list[_Pending]) -> None:
        try:
            store = self._open()
            while pending:
                self._write(store, pending)
        except StoreError as exc:
            self._retry_at = time.monotonic() + self.retry_s
            if not self._failing:
                self._failing = True
                log.warning("health log: %s (keeping the state changes, trying again)", exc)
                self._say(f"Health log not saved to the store: {exc}")
            return
        if self._unspilled and not pending:
            self._unspilled = False
            self._remove_spill()
        if self._failing:
            self._failing = False
            log.info("health log: writing to the store %s again", store.where)
            self._say("Health log saved to the store again")

    # -- closing: the last attempt, and the spill file -------------------------------------

    def _finish(self, pending: list[_Pending]) -> None:
        """The last attempt at what is left, within the close's time; the rest is kept in
        the spill file (or given up when the store is not a file)."""
        left = (self._stop_by or time.monotonic()) - time.monotonic()
        if pending and left > 0.05:
            if left < self._busy:
                # Wait for another program's lock no longer than the close may take.
                self._busy = max(0.05, round(left / 2, 1))
                if self._store is not None:
                    self._store.close()
                    self._store = None
            self._flush(pending)
        if not pending:
            if self._unspilled:
                self._remove_spill()
        elif not self._spill(pending):
            self._drop(pending)

    def _spill(self, pending: list[_Pending]) -> bool:
        if self.spill_path is None:
            return False
        kept = [(job.alert, job.change) if isinstance(job, _AlertEvent) else job
                for job in pending]
        try:
            spill.save(self.spill_path, kept)
        except OSError as exc:
            log.warning("store: cannot keep what was not written in %s (%s)",
                        self.spill_path, exc.strerror or exc)
            return False
        self.spilled += len(kept)
        log.warning("the store could not be written before the wall closed: %d state "
                    "changes, lane minutes and alert steps kept in %s, written at the next "
                    "start",
                    len(kept), self.spill_path)
        return True

    def _unspill(self) -> list[_Pending]:
        """What the last close kept in the spill file, to be written first."""
        if self.spill_path is None:
            return []
        kept = spill.load(self.spill_path)
        self._unspilled = bool(kept)
        if kept:
            log.info("store: writing %d state changes, lane minutes and alert steps kept in %s",
                     len(kept), self.spill_path)
        return [_AlertEvent(*item) if isinstance(item, tuple) else item for item in kept]

    def _remove_spill(self) -> None:
        if self.spill_path is not None:
            try:
                self.spill_path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("store: cannot remove %s (%s)", self.spill_path,
                            exc.strerror or exc)

    def _say(self, message: str) -> None:
        if self.notify is not None:
            _tell(self.notify, message)


#: The main window's listener: what the wall writes to the store.
WallStore = StoreWriter


def _take_off(pending: list[_Pending], size: int, kind: type) -> int:
    """Take the jobs of ``kind`` off the first ``size`` of ``pending``; returns how many of
    those are left."""
    rest = [job for job in pending[:size] if not isinstance(job, kind)]
    pending[:size] = rest
    return len(rest)


def _source_text(registry: Registry) -> bytes | None:
    """The registry file's bytes (for its SHA-256 in the store), if it is a file."""
    if registry.source and Path(registry.source).is_file():
        return Path(registry.source).read_bytes()
    return None


def _tell(notify: Notify, message: str) -> None:
    try:
        notify(message)
    except Exception:
        log.exception("store writer: telling the operator failed")
