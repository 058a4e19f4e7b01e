"""The wall session: the wall's life, without a screen.

A :class:`WallSession` owns what keeps a wall running: the
:class:`~videowall.streams.manager.StreamManager` (one decoder per camera, shared by every
tile and watcher that shows it), the :class:`~videowall.registry.watch.RegistryWatcher`
of the camera file and the store writer (the registry mirror and the health log). On a
thread of its own it pumps what the decoders and the watcher report, keeps the record of
state changes, writes them to the store and hands every event to its subscribers.

A screen is one subscriber among others: the UI subscribes through one Qt bridge and
asks the session for streams when a tile shows a camera. A camera on no tile (watched in
the background) lives here exactly as one on a tile: its state changes reach the health
log and every subscriber.

Threads: every method may be called from any thread; one lock keeps the manager and the
record consistent. Subscribers are called on the thread that pumps (the session's own,
or one that calls :meth:`WallSession.pump`) and must only hand the event on and return.
"""

from __future__ import annotations

import collections
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from videowall.alerts import AlertEngine, AlertEvent, Signal, health_signals
from videowall.motion.analyser import AnalysisEvent, Overlay
from videowall.motion.events import CongestionEvent, LaneMinute, MotionEvent
from videowall.registry.model import Camera, Registry
from videowall.registry.watch import DEFAULT_INTERVAL, RegistryWatcher, ReloadResult
from videowall.store.records import Alert, AlertChange
from videowall.streams.base import StateChanged, StreamEvent, StreamState
from videowall.streams.manager import Stream, StreamManager
from videowall.wall.background import BackgroundWatch
from videowall.wall.events import AlertChanged, Notice, RegistryChecked, WallEvent
from videowall.wall.eyes import SessionMotion

log = logging.getLogger(__name__)

#: Seconds between two pumps of the session's thread.
PUMP_INTERVAL = 0.02
#: State changes the session keeps for reports (older ones fall off).
MAX_EVENTS = 10_000
#: The picture size a camera watched off the wall is decoded at.
WATCH_SIZE = (320, 180)
#: How long :meth:`WallSession.close` waits for the session's thread.
STOP_TIMEOUT = 5.0
#: Seconds between two looks of the alert engine at its clocks (grace, resolution).
ALERT_TICK_S = 0.1

#: What the record says when a camera's last viewer lets its stream go.
OFF_THE_WALL = "taken off the wall"
#: ... when the wall closes.
WALL_CLOSED = "the wall closed"
#: ... when a camera watched off the wall is no longer watched.
NOT_WATCHED = "no longer watched"

Subscriber = Callable[[WallEvent], None]
Notify = Callable[[str], None]


class RegistryListener(Protocol):
    """Told of each registry the wall runs on (the store mirror): it must return at once,
    and may call ``notify`` from any thread with words for the operator."""

    def registry_applied(self, registry: Registry, notify: Notify) -> None: ...


@runtime_checkable
class StreamEventListener(Protocol):
    """A listener that also wants every stream event (the health log): it must only hand
    the event on and return."""

    def stream_event(self, event: StreamEvent) -> None: ...


@runtime_checkable
class AlertListener(Protocol):
    """A listener that keeps alerts (the store): ``alert_event`` must only hand the alert
    on and return; ``open_alerts`` is read once, at the start, to carry alerts over a
    restart."""

    def alert_event(self, alert: Alert, change: AlertChange) -> None: ...

    def open_alerts(self) -> list[Alert]: ...


@runtime_checkable
class LaneListener(Protocol):
    """A listener that keeps lane occupancy (the store): it must only hand it on."""

    def lane_minute(self, record: LaneMinute) -> None: ...


def analysis_signal(event: MotionEvent | CongestionEvent, at: datetime) -> Signal | None:
    """The alert source's word for a motion or congestion event: motion raises only when
    the camera's schedule covers its start; its end and a queue's always speak."""
    if isinstance(event, MotionEvent):
        if event.active and not event.alerting:
            return None
        return Signal(event.camera_id, "motion", at, event.active,
                      f"motion in zone '{event.zone}'")
    return Signal(event.camera_id, "congestion", at, event.active, event.detail)


def last_live_change(history: Iterable[StreamEvent]) -> float | None:
    """``time.monotonic()`` of the last state change into or out of ``live`` (else of the
    first state change): what a tile's timer counts from."""
    since: float | None = None
    previous: StreamState | None = None
    for event in history:
        if not isinstance(event, StateChanged):
            continue
        if previous is None or (event.state == StreamState.LIVE) != (
            previous == StreamState.LIVE
        ):
            since = event.t
        previous = event.state
    return since


def resolve_cameras(
    registry: Registry, camera_ids: Sequence[str] | None, count: int
) -> list[Camera]:
    """The cameras to put on ``count`` tiles.

    ``camera_ids`` None means the first ``count`` enabled cameras of the registry. Ids the
    registry does not know raise ValueError naming all of them, and so do more ids than
    tiles.
    """
    if camera_ids is None:
        return [cam for cam in registry.cameras if cam.enabled][:count]
    unknown = [cid for cid in camera_ids if registry.get(cid) is None]
    if unknown:
        source = f" in {registry.source}" if registry.source else ""
        raise ValueError(
            f"unknown camera id{'s' if len(unknown) > 1 else ''}{source}: " + ", ".join(unknown)
        )
    if len(camera_ids) > count:
        raise ValueError(
            f"{len(camera_ids)} cameras given for a grid of {count} tiles; "
            "choose a larger grid or fewer cameras"
        )
    cameras = [registry.get(cid) for cid in camera_ids]
    return [cam for cam in cameras if cam is not None]


class WallSession:
    """One running wall: its streams, its registry, its record, its store.

    ``manager`` None makes a manager from the registry's health settings, shut down by
    :meth:`close`; a manager passed in stays the caller's to shut down. ``store`` is told
    of each registry the session runs on and, when it has a ``stream_event`` method, of
    every stream event. With ``registry_path`` the session watches that file from
    :meth:`start` on and takes every valid edit.
    """

    def __init__(
        self,
        registry: Registry,
        manager: StreamManager | None = None,
        *,
        store: RegistryListener | None = None,
        registry_path: str | os.PathLike[str] | None = None,
        watch_interval: float = DEFAULT_INTERVAL,
        pump_interval: float = PUMP_INTERVAL,
        watch_all: bool = False,
    ) -> None:
        self._registry = registry
        self._owns_manager = manager is None
        self.manager = manager if manager is not None else StreamManager(health=registry.health)
        self.store = store
        #: ``time.monotonic()`` when the session began; report times count from here.
        self.started_at = time.monotonic()
        #: ... and the same moment in UTC.
        self.started_utc = datetime.now(UTC)
        #: Every state change seen, oldest first.
        self.events: collections.deque[StreamEvent] = collections.deque(maxlen=MAX_EVENTS)
        #: Every alert event handed on, oldest first.
        self.alert_events: collections.deque[AlertChanged] = collections.deque(
            maxlen=MAX_EVENTS
        )
        #: Turns stream health (and any other source) into alerts.
        self.alerts = AlertEngine(registry.alerts, registry)
        self._alert_tick_at = 0.0
        #: Motion and queues on every running stream whose camera asks for them.
        self.motion = SessionMotion(registry, self.manager)
        #: Every motion and congestion event, oldest first.
        self.motion_events: collections.deque[MotionEvent | CongestionEvent] = (
            collections.deque(maxlen=MAX_EVENTS))
        #: Watching every camera on no tile, within the budget (``watch_all``).
        self.background: BackgroundWatch | None = None
        if watch_all:
            self.background = BackgroundWatch(
                registry, self.manager, self.watch, self.unwatch, self._alerting_cameras,
                self.motion.cpu_taken)
        self.pump_interval = pump_interval
        self.watcher: RegistryWatcher | None = None
        if registry_path is not None:
            self.watcher = RegistryWatcher(
                registry_path, self._on_watcher_result, interval=watch_interval,
                registry=registry,
            )
        self._lock = threading.RLock()
        self._subscribers: list[Subscriber] = []
        self._inbox: queue.SimpleQueue[WallEvent] = queue.SimpleQueue()
        self._watched: set[str] = set()
        self._watch_words = ""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = False
        self._closed = False

    # -- life ------------------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        """The registry the wall runs on (the last good one of the watched file)."""
        return self._registry

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def running(self) -> bool:
        """Whether the session's thread pumps."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start pumping on the session's thread and watching the registry file, and tell
        the store of the registry. Once; later calls do nothing."""
        if self._started or self._closed:
            return
        self._started = True
        self._restore_alerts()
        self._tell_store(self._registry)
        if self.watcher is not None:
            self.watcher.start()
        self._thread = threading.Thread(target=self._run, name="wall-session", daemon=True)
        self._thread.start()

    def close(self, reason: str = WALL_CLOSED) -> None:
        """Stop watching, let every stream go (saying ``reason``), hand the last events
        on and stop the session's thread. The store stays open: it is its owner's."""
        if self._closed:
            return
        self._closed = True
        if self.watcher is not None:
            self.watcher.stop()
        self.motion.stop()
        with self._lock:
            if self.background is not None:
                self.background.ours.clear()  # every stream goes below, with the reason
            for stream in self.manager.streams():
                self._drop(stream.camera.id, reason, every_user=True)
            self._watched.clear()
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_TIMEOUT)
            if thread.is_alive():
                log.warning("the wall session did not stop within %.0f s", STOP_TIMEOUT)
        self.pump()
        if self._owns_manager:
            self.manager.shutdown()

    # -- subscribers -----------------------------------------------------------------------

    def subscribe(self, subscriber: Subscriber) -> None:
        """Hand every event from now on to ``subscriber`` (see the module's note on
        threads)."""
        with self._lock:
            self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    def notify(self, text: str) -> None:
        """Words for the operator (any thread): handed to the subscribers as a
        :class:`~videowall.wall.events.Notice` at the next pump."""
        self._inbox.put(Notice(time.monotonic(), text))

    # -- streams ---------------------------------------------------------------------------

    def acquire(self, camera: Camera, size: tuple[int, int] | None = None) -> Stream:
        """Start (or share) the stream of ``camera`` for a viewer of ``size`` pixels;
        pair each call with :meth:`release`."""
        with self._lock:
            return self.manager.acquire(camera, size)

    def release(self, camera_id: str, reason: str = OFF_THE_WALL) -> None:
        """Drop one viewer of ``camera_id``'s stream; when it was the last, the stream
        stops and the record says so with ``reason``."""
        with self._lock:
            self._drop(camera_id, reason)

    def resize(self, camera_id: str, size: tuple[int, int]) -> Stream | None:
        """See :meth:`StreamManager.resize`."""
        with self._lock:
            return self.manager.resize(camera_id, size)

    def retry(self, camera_id: str) -> bool:
        """Connect ``camera_id`` again now, cutting its backoff short; False when no
        stream of it runs."""
        with self._lock:
            return self.manager.retry(camera_id)

    def stream(self, camera_id: str) -> Stream | None:
        """The running stream of ``camera_id``, or None."""
        with self._lock:
            return self.manager.get(camera_id)

    def watch(self, camera: Camera, size: tuple[int, int] = WATCH_SIZE) -> bool:
        """Keep ``camera``'s stream running although no tile may show it (its state
        changes reach the record, the store and the subscribers all the same). False
        when it is disabled or watched already.

        The session is a watcher of the stream, not a viewer: while no tile shows the
        camera it decodes key frames only at ``size`` (see :meth:`StreamManager.acquire`)."""
        with self._lock:
            if not camera.enabled or camera.id in self._watched:
                return False
            self._watched.add(camera.id)
            self.manager.acquire(camera, size, viewer=False)
            return True

    def unwatch(self, camera_id: str, reason: str = NOT_WATCHED) -> None:
        """Stop watching ``camera_id`` (its stream stops unless a tile shows it)."""
        with self._lock:
            if camera_id in self._watched:
                self._watched.discard(camera_id)
                self._drop(camera_id, reason, viewer=False)

    def watched(self) -> set[str]:
        """The cameras watched off the wall."""
        with self._lock:
            return set(self._watched)

    def watch_status(self) -> str:
        """What the status bar says about watching off the wall (over the budget: which
        share is watched in turns); empty when nothing is watched."""
        with self._lock:
            return self._watch_words

    def watched_states(self) -> dict[str, StreamState]:
        """The state of each camera watched off the wall (a tile may show it too)."""
        with self._lock:
            states = {}
            for camera_id in self._watched:
                stream = self.manager.get(camera_id)
                if stream is not None:
                    states[camera_id] = stream.state
            return states

    def _drop(self, camera_id: str, reason: str, *, every_user: bool = False,
              viewer: bool = True) -> None:
        stream = self.manager.get(camera_id)
        if stream is None:
            return
        if every_user:
            for _ in range(stream.viewers):
                self.manager.release(camera_id)
            for _ in range(stream.watchers):
                self.manager.release(camera_id, viewer=False)
        else:
            self.manager.release(camera_id, viewer=viewer)
        if self.manager.get(camera_id) is None:
            # Nobody watches this camera any more: say so, or its history would read as
            # if its last state had lasted.
            self._publish(StateChanged(time.monotonic(), camera_id, StreamState.STOPPED,
                                       reason))

    # -- the registry ----------------------------------------------------------------------

    def apply_registry(self, registry: Registry) -> None:
        """Run on ``registry`` from now on: new health settings apply (the limit per
        host at once), running streams take their camera's new record when their source
        stayed the same, and the store mirrors it."""
        with self._lock:
            old, self._registry = self._registry, registry
            if old is registry:
                return
            if registry.health != old.health:
                self.manager.configure(registry.health)
            self.alerts.configure(registry.alerts, registry)
            self.motion.configure(registry)
            if self.background is not None:
                self.background.configure(registry)
            for stream in self.manager.streams():
                camera = registry.get(stream.camera.id)
                if camera is not None and camera.url == stream.camera.url:
                    stream.camera = camera
        self._tell_store(registry)

    def reload_registry(self) -> bool:
        """Check the registry file now (the result comes as a
        :class:`~videowall.wall.events.RegistryChecked`); False without a file."""
        if self.watcher is None:
            return False
        self.watcher.reload_now()
        return True

    # -- alerts ----------------------------------------------------------------------------

    def utc(self, t: float) -> datetime:
        """The UTC time of ``time.monotonic()`` value ``t``."""
        return datetime.now(UTC) - timedelta(seconds=time.monotonic() - t)

    def acknowledge(self, alert_ids: Iterable[str], user: str, note: str = "") -> list[Alert]:
        """Acknowledge alerts (a group's id acknowledges the group) with who and their
        note; returns the alerts as they are now. Unknown ids raise KeyError naming them
        before anything changes."""
        with self._lock:
            events = self.alerts.acknowledge(list(alert_ids), user, note,
                                             datetime.now(UTC))
            for event in events:
                self._publish_alert(event)
            return [event.alert for event in events]

    def _restore_alerts(self) -> None:
        """Carry the open alerts of the store over a restart."""
        if not isinstance(self.store, AlertListener):
            return
        try:
            alerts = self.store.open_alerts()
        except Exception as exc:  # a store that cannot be read: the wall runs without them
            log.warning("open alerts not read from the store: %s", exc)
            self.notify(f"Open alerts not read from the store: {exc}")
            return
        with self._lock:
            self.alerts.restore(alerts)
        if alerts:
            log.info("%d open alert%s carried over from the store", len(alerts),
                     "" if len(alerts) == 1 else "s")

    def _publish_alert(self, event: AlertEvent) -> None:
        changed = AlertChanged(time.monotonic(), event)
        self.alert_events.append(changed)
        if isinstance(self.store, AlertListener):
            try:
                self.store.alert_event(event.alert, event.history)
            except Exception:
                log.exception("handing an alert to the store failed")
        alert = event.alert
        log.log(logging.WARNING if event.change == "raised" else logging.INFO,
                "alert %s %s: %s %s (priority %d, count %d)%s", alert.id[-8:], event.change,
                alert.kind, alert.camera or alert.group, alert.priority, alert.count,
                f": {alert.detail}" if alert.detail else "")
        self._dispatch(changed)

    def _tick_alerts(self) -> None:
        now = time.monotonic()
        if now - self._alert_tick_at < ALERT_TICK_S:
            return
        self._alert_tick_at = now
        for event in self.alerts.tick(datetime.now(UTC)):
            self._publish_alert(event)

    def _on_watcher_result(self, result: ReloadResult) -> None:
        # On the watcher's thread (or the caller's of reload_now): hand over, return.
        if not self._closed:
            self._inbox.put(RegistryChecked(time.monotonic(), result))

    def _tell_store(self, registry: Registry) -> None:
        if self.store is not None:
            try:
                self.store.registry_applied(registry, self.notify)
            except Exception:
                log.exception("handing the registry to the store failed")

    # -- pumping ---------------------------------------------------------------------------

    def pump(self) -> list[WallEvent]:
        """Apply and hand on everything reported since the last pump; returns it.

        The session's thread calls it every :attr:`pump_interval` seconds; a caller that
        wants the newest state at once (a repaint, a test) may call it too.
        """
        with self._lock:
            events: list[WallEvent] = []
            for stream_event in self.manager.drain_events():
                self._publish(stream_event)
                events.append(stream_event)
            while True:
                try:
                    event = self._inbox.get_nowait()
                except queue.Empty:
                    break
                if isinstance(event, RegistryChecked):
                    if self._closed:
                        continue
                    if event.result.registry is not None:
                        self.apply_registry(event.result.registry)
                self._dispatch(event)
                events.append(event)
            for analysis_event in self.motion.drain():
                self._publish_analysis(analysis_event)
                if not isinstance(analysis_event, LaneMinute):
                    events.append(analysis_event)
            if not self._closed:
                if self.background is not None and self.background.tick():
                    self._watch_words = self.background.words()
                self.motion.sync()
            self._tick_alerts()
            return events

    def _publish(self, event: StreamEvent) -> None:
        """Record a stream event, hand it to the store and to the subscribers."""
        if isinstance(event, StateChanged):
            self.events.append(event)
            if isinstance(self.store, StreamEventListener):
                try:
                    self.store.stream_event(event)
                except Exception:
                    log.exception("handing a state change to the store failed")
        self._dispatch(event)
        if isinstance(event, StateChanged):
            at = self.utc(event.t)
            for signal in health_signals(event.camera_id, event.state, event.detail, at):
                for alert_event in self.alerts.report(signal):
                    self._publish_alert(alert_event)

    def _publish_analysis(self, event: AnalysisEvent) -> None:
        """Motion, a queue or a lane's minute: record it, keep it, raise or clear its
        alert and hand it on."""
        if isinstance(event, LaneMinute):
            if isinstance(self.store, LaneListener):
                try:
                    self.store.lane_minute(event)
                except Exception:
                    log.exception("handing a lane minute to the store failed")
            return
        self.motion_events.append(event)
        self._dispatch(event)
        signal = analysis_signal(event, self.utc(event.t if event.active or event.end_t is None
                                                 else event.end_t))
        if signal is not None:
            for alert_event in self.alerts.report(signal):
                self._publish_alert(alert_event)

    def overlay(self, camera_id: str) -> Overlay | None:
        """What a tile of ``camera_id`` draws over its picture: motion boxes, zones,
        masks and lanes (None when the camera is not analysed)."""
        return self.motion.overlay(camera_id)

    def _alerting_cameras(self) -> set[str]:
        cameras: set[str] = set()
        for alert in self.alerts.open_alerts():
            cameras.update(alert.members or ((alert.camera,) if alert.camera else ()))
        return cameras

    def _dispatch(self, event: WallEvent) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:  # one bad subscriber must not starve the others
                log.exception("a subscriber of the wall session failed on %r", event)

    def _run(self) -> None:
        while not self._stopping.wait(self.pump_interval):
            try:
                self.pump()
            except Exception:  # never let the session's thread die silently
                log.exception("the wall session failed to pump its events")
