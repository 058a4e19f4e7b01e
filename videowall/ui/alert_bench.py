"""The wall side of ``videowall bench alerts``: one scenario in a real window, offscreen.

``python -m videowall.ui.alert_bench panel|alarm|host --out FILE [options]`` builds a
:class:`~videowall.ui.main_window.MainWindow` on a session of real cameras (servers on
127.0.0.1), makes the scenario's fault happen and writes what it measured as JSON to
``FILE``. The benchmark (:mod:`videowall.bench.alerts`) runs each scenario in a process
of its own and prints the figures; the scenarios are described there.

Times are ``time.monotonic()`` throughout: a state change's and an alert's ``t`` are taken
where the session makes them, the alert's arrival in the panel right after the desk
updated the panel (a slot connected to the bridge after the desk's), a picture's when
the alarm tile took it to paint.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QEventLoop, QObject, Qt, QTimer
from PyQt6.QtWidgets import QApplication

from videowall.alerts import AlertEvent
from videowall.bench.alerts import SCENARIOS, small_clip, spread
from videowall.bench.common import bench_clip, server_process
from videowall.demo.faults import ServerProcess, make_still_clip
from videowall.registry.model import Camera, Registry, Site
from videowall.streams.base import StateChanged, StreamState
from videowall.streams.select import choose_backend
from videowall.ui.main_window import MainWindow
from videowall.wall.events import AlertChanged, WallEvent
from videowall.wall.session import WallSession

#: Seconds a camera may take to show its first picture.
LIVE_TIMEOUT_S = 30.0
#: Seconds the GUI thread's lateness is watched before the host goes down.
BASELINE_S = 5.0
#: Seconds it is watched after the group is complete.
SETTLE_S = 3.0
#: The lateness timer's interval.
TICK_MS = 10


def wait_for(done: Callable[[], bool], timeout: float) -> float | None:
    """Run the GUI event loop until ``done()``; the ``time.monotonic()`` it became true,
    or None after ``timeout`` seconds. The GUI thread stays free meanwhile."""
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    when: list[float] = []

    def check() -> None:
        if done():
            when.append(time.monotonic())
            loop.quit()
        elif time.monotonic() > deadline:
            loop.quit()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(check)
    timer.start(2)
    check()
    if not when and time.monotonic() <= deadline:
        loop.exec()
    timer.stop()
    return when[0] if when else None


class Lateness(QObject):
    """A 10 ms timer on the GUI thread that notes how late each of its ticks came: the
    longest the GUI thread was blocked."""

    def __init__(self) -> None:
        super().__init__()
        self.samples: list[tuple[float, float]] = []  # (t, seconds late)
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._last = None
        self._timer.start(TICK_MS)

    def stop(self) -> None:
        self._timer.stop()

    def worst_ms(self, since: float, until: float) -> float:
        late = [s for t, s in self.samples if since <= t <= until]
        return round(max(late, default=0.0) * 1000, 1)

    def _on_timer_timeout(self) -> None:
        now = time.monotonic()
        if self._last is not None:
            self.samples.append((now, max(0.0, now - self._last - TICK_MS / 1000)))
        self._last = now


class Recorder:
    """What the session and the panel saw: state changes and alerts (session thread) and
    the alerts' arrival in the panel (GUI thread)."""

    def __init__(self, window: MainWindow) -> None:
        self._lock = threading.Lock()
        self.states: list[StateChanged] = []
        self.raised: list[AlertChanged] = []
        #: (time.monotonic() the panel had it, the alert event)
        self.in_panel: list[tuple[float, AlertEvent]] = []
        self.window = window
        window.session.subscribe(self._on_session_event)
        # After the desk's slot: the panel has the alert when this runs.
        window.wall.bridge.alert_changed.connect(self._on_bridge_alert_changed)

    def state(self, camera_id: str, state: StreamState, after: float) -> StateChanged | None:
        with self._lock:
            return next((e for e in self.states if e.camera_id == camera_id
                         and e.state == state and e.t >= after), None)

    def raised_for(self, camera_id: str) -> AlertChanged | None:
        with self._lock:
            return next((e for e in self.raised if e.event.alert.camera == camera_id), None)

    def panel_had(self, camera_id: str) -> float | None:
        return next((t for t, e in self.in_panel if e.change == "raised"
                     and e.alert.camera == camera_id
                     and self.window.alerts.panel.alert(e.alert.id) is not None), None)

    def _on_session_event(self, event: WallEvent) -> None:
        with self._lock:
            if isinstance(event, StateChanged):
                self.states.append(event)
            elif isinstance(event, AlertChanged) and event.event.change == "raised":
                self.raised.append(event)

    def _on_bridge_alert_changed(self, event: AlertEvent) -> None:
        self.in_panel.append((time.monotonic(), event))


@contextmanager
def shown(registry: Registry, grid: str, camera_ids: list[str]) -> Iterator[MainWindow]:
    """A main window on a new session of ``registry``, shown offscreen; closed after."""
    window = MainWindow(WallSession(registry), grid=grid, camera_ids=camera_ids)
    window.resize(1600, 900)
    window.show()
    try:
        yield window
    finally:
        window.close()


@contextmanager
def running(servers: list[ServerProcess]) -> Iterator[list[ServerProcess]]:
    """Servers started, and killed whatever happens."""
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.kill()


def kill_at_once(servers: list[ServerProcess]) -> threading.Thread:
    """SIGKILL every server at once, off the GUI thread (waiting for them to die is the
    benchmark's work, not the wall's); join the thread returned."""
    threads = [threading.Thread(target=s.kill, name="bench-kill") for s in servers]
    for thread in threads:
        thread.start()

    def join_all() -> None:
        for thread in threads:
            thread.join()

    joiner = threading.Thread(target=join_all, name="bench-kill-join")
    joiner.start()
    return joiner


def _in_panel(recorder: Recorder, camera_id: str) -> Callable[[], bool]:
    return lambda: recorder.panel_had(camera_id) is not None


def _tile_live(window: MainWindow, index: int) -> Callable[[], bool]:
    tile = window.wall.tile(index)
    return lambda: tile.state == StreamState.LIVE and tile.frames_rendered > 0


# -- panel: a state change to the alert in the panel ----------------------------------------


def scenario_panel(args: argparse.Namespace) -> dict[str, Any]:
    """A camera on the wall, its server killed, ``--repeat`` times (a new camera and
    server each time, each at a site of its own so that nothing groups)."""
    servers = [server_process(bench_clip()) for _ in range(args.repeat)]
    cameras = [Camera(f"panel-{i}", f"Panel {i + 1}", f"bench-{i}", s.url,
                      backend=args.backend) for i, s in enumerate(servers)]
    registry = Registry(cameras=tuple(cameras),
                        sites={c.site: Site(c.site, c.site) for c in cameras})
    to_panel: list[float] = []
    kill_to_state: list[float] = []
    with shown(registry, "2x2", []) as window:
        recorder = Recorder(window)
        for server, camera in zip(servers, cameras, strict=True):
            with running([server]):
                window.wall.assign(0, camera)
                if wait_for(_tile_live(window, 0), LIVE_TIMEOUT_S) is None:
                    continue
                t_kill = time.monotonic()
                killing = kill_at_once([server])
                seen = wait_for(_in_panel(recorder, camera.id), 20)
                killing.join()
                if seen is None:
                    continue
            state = recorder.state(camera.id, StreamState.OFFLINE, t_kill)
            in_panel = recorder.panel_had(camera.id)
            if state is not None and in_panel is not None:
                to_panel.append(in_panel - state.t)
                kill_to_state.append(state.t - t_kill)
    return {"state_to_panel_s": spread(to_panel), "kill_to_offline_s": spread(kill_to_state),
            "backend": choose_backend(cameras[0].url, args.backend)}


# -- alarm: an off-wall camera's alert to its picture in the alarm tile -------------------


def scenario_alarm(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Six cameras on a ``1+5`` wall; an off-wall camera whose source shows one still
    picture, watched until its ``frozen`` alert raises it into the alarm tile;
    acknowledged, unwatched; ``--repeat`` times, a new camera each time."""
    wall_server = server_process(bench_clip())
    still_server = server_process(make_still_clip(tmp / "still.mp4", seconds=60))
    on_wall = [Camera(f"wall-{i}", f"Wall {i + 1}", "wall", f"{wall_server.url}?tile={i}",
                      backend=args.backend) for i in range(6)]
    frozen = [Camera(f"frozen-{i}", f"Frozen {i + 1}", f"still-{i}",
                     f"{still_server.url}?run={i}", backend=args.backend)
              for i in range(args.repeat)]
    cameras = on_wall + frozen
    registry = Registry(cameras=tuple(cameras),
                        sites={c.site: Site(c.site, c.site) for c in cameras})
    values: list[float] = []
    with running([wall_server, still_server]), \
            shown(registry, "1+5", [c.id for c in on_wall]) as window:
        recorder = Recorder(window)
        alarm = window.wall.alarm_index
        if alarm is None:
            return {"error": "the 1+5 wall has no alarm tile"}
        for i in range(6):
            wait_for(_tile_live(window, i), LIVE_TIMEOUT_S)
        for camera in frozen:
            picture = _raise_one(window, recorder, camera, alarm)
            if picture is not None:
                values.append(picture)
    return {"alert_to_picture_s": spread(values),
            "backend": choose_backend(still_server.url, args.backend)}


def _raise_one(window: MainWindow, recorder: Recorder, camera: Camera, alarm: int
               ) -> float | None:
    """Watch ``camera`` until its alert raises it into the alarm tile and a picture of it
    is painted there; acknowledge; the seconds from the alert to the picture."""
    tile = window.wall.tile(alarm)
    window.session.watch(camera)
    try:
        if wait_for(lambda: recorder.raised_for(camera.id) is not None, 60) is None:
            return None
        painted = wait_for(lambda: tile.camera is not None and tile.camera.id == camera.id
                           and tile.first_frame_t is not None, 20)
        raised = recorder.raised_for(camera.id)
        first = tile.first_frame_t
        if painted is None or raised is None or first is None:
            return None
        window.alerts.acknowledge([raised.event.alert.id])
        wait_for(lambda: window.wall.raised_camera() is None, 10)
        return first - raised.t
    finally:
        window.session.unwatch(camera.id)


# -- host: many cameras of one host killed at once ------------------------------------------


class GroupWatch:
    """When the panel first had a group alert, and when one with every camera."""

    def __init__(self, window: MainWindow, size: int) -> None:
        self.size = size
        self.first: float | None = None
        self.complete: float | None = None
        self.members = 0
        window.wall.bridge.alert_changed.connect(self._on_bridge_alert_changed)

    def _on_bridge_alert_changed(self, event: AlertEvent) -> None:
        alert = event.alert
        if not alert.group or not alert.open:
            return
        now = time.monotonic()
        if self.first is None:
            self.first = now
        self.members = max(self.members, len(alert.members))
        if self.complete is None and len(alert.members) >= self.size:
            self.complete = now


def scenario_host(args: argparse.Namespace) -> dict[str, Any]:
    """``--cameras`` cameras without a site on ``--servers`` servers of 127.0.0.1, all
    watched, six on a ``1+5`` wall; every server killed at once."""
    servers = [server_process(small_clip()) for _ in range(args.servers)]
    cameras = [Camera(f"host-{i:02d}", f"Host {i + 1}", "",
                      f"{servers[i % len(servers)].url}?cam={i}", backend=args.backend)
               for i in range(args.cameras)]
    registry = Registry(cameras=tuple(cameras))
    with running(servers), shown(registry, "1+5", [c.id for c in cameras[:6]]) as window:
        lateness = Lateness()
        groups = GroupWatch(window, len(cameras))
        session = window.session
        started = time.monotonic()
        for camera in cameras:
            session.watch(camera)

        def all_live() -> bool:
            streams = [session.stream(c.id) for c in cameras]
            return all(s is not None and s.state == StreamState.LIVE for s in streams)

        live = wait_for(all_live, 180)
        if live is None:
            return {"error": f"not all {len(cameras)} cameras went live within 180 s"}
        lateness.start()
        wait_for(lambda: False, BASELINE_S)
        t_kill = time.monotonic()
        killing = kill_at_once(servers)
        wait_for(lambda: groups.complete is not None, 30)
        end = time.monotonic()
        wait_for(lambda: False, SETTLE_S)
        lateness.stop()
        killing.join()
        open_alerts = [a for a in window.alerts.panel.alerts() if a.open]
        return {
            "cameras": len(cameras), "servers": len(servers),
            "backend": choose_backend(cameras[0].url, args.backend),
            "live_after_s": round(live - started, 1),
            "group_s": None if groups.complete is None else round(groups.complete - t_kill, 3),
            "first_group_s": None if groups.first is None else round(groups.first - t_kill, 3),
            "members": groups.members, "open_alerts": len(open_alerts),
            "open_alerts_said": [f"{a.kind} {a.camera or a.group} ({len(a.members)})"
                                 for a in open_alerts],
            "gui_worst_block_ms": lateness.worst_ms(t_kill, end + SETTLE_S),
            "gui_worst_block_before_ms": lateness.worst_ms(t_kill - BASELINE_S, t_kill),
            "stream_size": "160x90 at 5 fps",
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m videowall.ui.alert_bench")
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cameras", type=int, default=56)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--backend", default="auto")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="videowall-alert-bench-") as tmp:
        if args.scenario == "panel":
            result = scenario_panel(args)
        elif args.scenario == "alarm":
            result = scenario_alarm(args, Path(tmp))
        else:
            result = scenario_host(args)
    del app
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
