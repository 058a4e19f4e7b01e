"""Which alerts fire, and when, for real faults of real streams on loopback.

A real :class:`~videowall.wall.session.WallSession` (no screen) watches cameras that point
at real stream servers and fault proxies, decoded by the real backends; a subscriber keeps
every :class:`~videowall.wall.events.AlertChanged`. Each test asserts the exact changes
(kind, camera, count, order) and when they came, within bounds generous enough for a
loaded 2-core machine, then closes the wall and reads the same alerts back from the real
SQLite store it wrote through :class:`~videowall.store.writer.WallStore`. The measured
times are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType

import pytest

from tests.leaks import no_leaks
from videowall.cli.alerts import alert_record
from videowall.cli.app import main
from videowall.demo.clips import make_probe_clip
from videowall.demo.faults import FaultProxy, RtspAuthServer, ServerProcess, make_still_clip
from videowall.demo.ffserver import BadHttpServer, FfmpegHttpServer
from videowall.registry.alerts import AlertRules, KindRule, default_rule
from videowall.registry.health import HealthConfig
from videowall.registry.model import Camera, Registry
from videowall.store import Alert, AlertState, Store, alert_history, list_alerts
from videowall.store.writer import WallStore
from videowall.streams.base import StateChanged, StreamState
from videowall.util.net import free_port
from videowall.wall.events import AlertChanged, WallEvent
from videowall.wall.session import WallSession

pytestmark = pytest.mark.slow

#: Quick judgment and retries, so that the module runs in about a minute; a stall ends
#: its session only long after the longest stall of these tests.
HEALTH = HealthConfig(freeze_s=1.5, freeze_reconnect_s=5.0, stall_reconnect_s=12.0,
                      retry_first_s=0.5, retry_cap_s=1.0)
#: Short grace periods and a quick resolution; offline and unauthorized raise at once.
RULES = AlertRules(
    resolve_after_s=3.0,
    kinds=MappingProxyType({
        **{kind: default_rule(kind) for kind in ("offline", "unauthorized", "motion")},
        "stalled": KindRule(grace_s=2.5),
        "frozen": KindRule(grace_s=2.0),
    }),
)
#: What an alert's own latency may add on top of its rule (pumping, ticking, a busy box).
SLACK_S = 1.5


@pytest.fixture(autouse=True, scope="module")
def _no_leaks_per_module() -> Iterator[None]:
    with no_leaks(grace=10):
        yield


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("alert-media")
    return {
        "probe": make_probe_clip(folder / "probe.mp4", size=(320, 180), seconds=4),
        "still": make_still_clip(folder / "still.mp4", size=(320, 180), seconds=2),
    }


@pytest.fixture(scope="module")
def healthy(media: dict[str, Path]) -> Iterator[FfmpegHttpServer]:
    server = FfmpegHttpServer(media["probe"], port=free_port(), path="/stream.ts")
    server.start()
    yield server
    server.stop()


# --------------------------------------------------------------------------- the wall


@dataclass
class Wall:
    """A running wall session on a real store, and what its subscriber was handed."""

    session: WallSession
    store: WallStore
    db: Path
    alerts: list[AlertChanged] = field(default_factory=list)
    states: list[StateChanged] = field(default_factory=list)

    def __call__(self, event: WallEvent) -> None:  # the subscriber, on the session's thread
        if isinstance(event, AlertChanged):
            self.alerts.append(event)
        elif isinstance(event, StateChanged):
            self.states.append(event)

    def changes(self) -> list[tuple[str, str, str, int]]:
        """(change, kind, camera or group, count) of every alert event, in order."""
        return [(e.event.change, e.event.alert.kind, e.event.alert.camera or e.event.alert.group,
                 e.event.alert.count) for e in list(self.alerts)]

    def state_times(self, camera_id: str, state: StreamState) -> list[float]:
        return [e.t for e in list(self.states) if e.camera_id == camera_id and e.state == state]

    def wait(self, done: Callable[[], bool], timeout: float, what: str) -> float:
        """Wait until ``done()`` (the session pumps on its own); the seconds it took."""
        t0 = time.monotonic()
        while not done():
            if time.monotonic() - t0 > timeout:
                streams = {s.camera.id: f"{s.state}: {s.detail}"
                           for s in self.session.manager.streams()}
                raise AssertionError(f"{what}: not within {timeout} s; alerts "
                                     f"{self.changes()}; streams {streams}")
            time.sleep(0.02)
        return time.monotonic() - t0

    def live(self, camera_id: str, frames: int = 10) -> Callable[[], bool]:
        stream = self.session.stream(camera_id)
        assert stream is not None
        start = stream.stats.frames_decoded
        return lambda: (stream.state == StreamState.LIVE
                        and stream.stats.frames_decoded >= start + frames)

    def entered(self, camera_id: str, state: StreamState, times: int = 1) -> Callable[[], bool]:
        """Whether the camera went into ``state`` at least ``times`` times."""
        return lambda: len(self.state_times(camera_id, state)) >= times

    def close_and_check_store(self) -> list[Alert]:
        """Close the wall and its store; the store must hold every alert as the wall last
        said it, with the history of changes the subscriber saw. The stored alerts."""
        self.session.close()
        self.store.close()
        last: dict[str, Alert] = {}
        steps: dict[str, list[str]] = {}
        for changed in self.alerts:
            last[changed.event.alert.id] = changed.event.alert
            steps.setdefault(changed.event.alert.id, []).append(changed.event.change)
        with Store(self.db) as reader:
            stored = list_alerts(reader)
            histories = {a.id: [h.change for h in alert_history(reader, a.id)] for a in stored}
        assert sorted(a.id for a in stored) == sorted(last)
        for alert in stored:
            assert same_alert(alert, last[alert.id]), (alert, last[alert.id])
            assert histories[alert.id] == steps[alert.id]
        return stored


def same_alert(stored: Alert, said: Alert) -> bool:
    """Equal but for the precision of times the store keeps (a millisecond)."""
    times = ("first_at", "last_at", "resolved_at", "acknowledged_at")
    for name in times:
        a, b = getattr(stored, name), getattr(said, name)
        if (a is None) != (b is None) or (a is not None
                                          and abs(a - b) > timedelta(milliseconds=1)):
            return False
    return replace(stored, **{name: getattr(said, name) for name in times}) == said


@pytest.fixture
def open_wall(tmp_path: Path) -> Iterator[Callable[..., Wall]]:
    """Starts a wall that shows the given cameras (each test's own registry), each as a
    tile would: every frame decoded. (Cameras watched on no tile decode key frames
    only: tests/streams/test_key_frames.py.)"""
    walls: list[Wall] = []

    def start(*cameras: Camera) -> Wall:
        registry = Registry(cameras=cameras, health=HEALTH, alerts=RULES)
        db = tmp_path / f"videowall-{len(walls)}.db"
        store = WallStore(str(db))
        wall = Wall(WallSession(registry, store=store), store, db)
        walls.append(wall)
        wall.session.subscribe(wall)
        wall.session.start()
        for camera in cameras:
            wall.session.acquire(camera)
        return wall

    yield start
    for wall in walls:  # a test that failed half-way
        wall.session.close()
        wall.store.close()


def camera(camera_id: str, url: str, site: str, backend: str = "ffmpeg") -> Camera:
    return Camera(camera_id, camera_id.title(), site, url, backend=backend)


def report(test: str, **seconds: float) -> None:
    figures = ", ".join(f"{name.replace('_', ' ')} {value:.2f} s"
                        for name, value in seconds.items())
    print(f"\n{test}: {figures}")


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize("backend", ["ffmpeg", "vlc"])
def test_a_killed_server_raises_one_offline_alert_that_resolves(
    open_wall: Callable[..., Wall], media: dict[str, Path], backend: str
) -> None:
    server = ServerProcess(media["probe"], port=free_port())
    server.start()
    try:
        wall = open_wall(camera("gate", server.url, "depot", backend))
        wall.wait(wall.live("gate"), 20, "live")
        assert wall.changes() == []
        server.kill()
        killed = time.monotonic()
        raised = wall.wait(lambda: bool(wall.alerts), 10, "offline alert")
        (offline_t,) = wall.state_times("gate", StreamState.OFFLINE)[:1]
        (first,) = wall.alerts
        assert first.event.change == "raised"
        alert = first.event.alert
        assert (alert.kind, alert.camera, alert.members, alert.count, alert.group) == (
            "offline", "gate", ("gate",), 1, "")
        assert first.t - offline_t < 0.5  # offline has no grace: the pump's latency only
        # Refused reconnections while it is down say offline again without live in
        # between: nothing new.
        wall.wait(wall.entered("gate", StreamState.OFFLINE, 2), 15, "a refused reconnection")
        assert wall.changes() == [("raised", "offline", "gate", 1)]
        server.start()
        wall.wait(wall.live("gate"), 20, "live again")
        live_t = wall.state_times("gate", StreamState.LIVE)[-1]
        wall.wait(lambda: len(wall.alerts) == 2, RULES.resolve_after_s + 5, "resolved")
        resolved = wall.alerts[-1]
        assert wall.changes() == [("raised", "offline", "gate", 1),
                                  ("resolved", "offline", "gate", 1)]
        assert resolved.event.alert.id == alert.id
        assert resolved.event.alert.state == AlertState.RESOLVED
        lasted = resolved.t - live_t
        assert RULES.resolve_after_s - 0.1 <= lasted <= RULES.resolve_after_s + SLACK_S
        report(f"[{backend}] killed server", alert_after_kill=raised,
               alert_after_offline=first.t - offline_t, resolved_after_live=lasted,
               kill_to_resolved=resolved.t - killed)
        (stored,) = wall.close_and_check_store()
        assert stored.state == AlertState.RESOLVED
    finally:
        server.kill()


def test_a_flapping_camera_is_one_alert_whose_count_rises(
    open_wall: Callable[..., Wall], healthy: FfmpegHttpServer
) -> None:
    flaps = 3
    with FaultProxy(("127.0.0.1", healthy.port)) as proxy:
        wall = open_wall(camera("flappy", proxy.url(healthy.url), "yard"))
        for n in range(1, flaps + 1):
            wall.wait(wall.live("flappy", frames=3), 20, f"live before drop {n}")
            proxy.drop()  # the camera resets every connection, then answers again
            wall.wait(wall.entered("flappy", StreamState.OFFLINE, n), 10,
                      f"offline after drop {n}")
        wall.wait(wall.live("flappy", frames=3), 20, "live after the last drop")
        assert [c for c in wall.changes() if c[0] != "resolved"] == [
            ("raised", "offline", "flappy", 1),
            *[("updated", "offline", "flappy", n) for n in range(2, flaps + 1)],
        ]
        wall.wait(lambda: wall.changes()[-1][0] == "resolved", RULES.resolve_after_s + 5,
                  "resolved")
        assert len({e.event.alert.id for e in wall.alerts}) == 1
        assert wall.changes()[-1] == ("resolved", "offline", "flappy", flaps)
        report("flapping camera", raised_to_resolved=wall.alerts[-1].t - wall.alerts[0].t)
        (stored,) = wall.close_and_check_store()
        assert stored.count == flaps


def test_a_stall_raises_only_when_it_outlasts_its_grace(
    open_wall: Callable[..., Wall], healthy: FfmpegHttpServer
) -> None:
    grace = RULES.rule("stalled").grace_s
    with FaultProxy(("127.0.0.1", healthy.port)) as proxy:
        wall = open_wall(camera("tunnel", proxy.url(healthy.url), "tunnel"))
        wall.wait(wall.live("tunnel", frames=50), 20, "live")  # long enough to know its fps
        # a blip: stalled for well under the grace period, then live again
        proxy.pause()
        wall.wait(wall.entered("tunnel", StreamState.STALLED), 10, "stalled")
        time.sleep(0.3)
        proxy.resume()
        wall.wait(wall.live("tunnel", frames=5), 10, "live after the blip")
        (stalled_t,) = wall.state_times("tunnel", StreamState.STALLED)
        blip = next(t for t in wall.state_times("tunnel", StreamState.LIVE)
                    if t > stalled_t) - stalled_t
        assert blip < grace - 0.5, "the blip lasted too long to prove anything"
        time.sleep(grace + SLACK_S)  # long past the blip's grace: still nothing
        assert wall.changes() == []
        # a stall that lasts: stalled raises once its grace period is over
        proxy.pause()
        wall.wait(wall.entered("tunnel", StreamState.STALLED, 2), 10, "stalled again")
        stalled_t = wall.state_times("tunnel", StreamState.STALLED)[-1]
        wall.wait(lambda: bool(wall.alerts), grace + 5, "stalled alert")
        proxy.resume()
        (raised,) = wall.alerts
        alert = raised.event.alert
        assert (raised.event.change, alert.kind, alert.camera, alert.count) == (
            "raised", "stalled", "tunnel", 1)
        assert alert.detail.startswith("no picture for ")
        assert grace - 0.1 <= raised.t - stalled_t <= grace + SLACK_S
        wall.wait(lambda: len(wall.alerts) == 2, RULES.resolve_after_s + 10, "resolved")
        assert wall.changes() == [("raised", "stalled", "tunnel", 1),
                                  ("resolved", "stalled", "tunnel", 1)]
        # the stall never ended the session: nothing else was said about the camera
        assert not wall.state_times("tunnel", StreamState.OFFLINE)
        report("stall", stalled_blip=blip, stalled_alert_after_stall=raised.t - stalled_t)
        wall.close_and_check_store()


def test_a_frozen_picture_raises_frozen_after_its_grace(
    open_wall: Callable[..., Wall], media: dict[str, Path]
) -> None:
    grace = RULES.rule("frozen").grace_s
    server = FfmpegHttpServer(media["still"], port=free_port(), path="/still.ts")
    server.start()
    try:
        wall = open_wall(camera("statue", server.url, "museum"))
        wall.wait(wall.entered("statue", StreamState.FROZEN), 20, "frozen")
        (frozen_t,) = wall.state_times("statue", StreamState.FROZEN)
        wall.wait(lambda: bool(wall.alerts), grace + 5, "frozen alert")
        # the stream reconnects after freeze_reconnect_s and the picture is still the
        # same: frozen all along, one alert that counts nothing more
        wall.wait(wall.entered("statue", StreamState.RECONNECTING), HEALTH.freeze_reconnect_s + 5,
                  "reconnecting")
        wall.wait(wall.entered("statue", StreamState.FROZEN, 2), 20, "frozen again")
        (raised,) = wall.alerts
        alert = raised.event.alert
        assert (raised.event.change, alert.kind, alert.camera, alert.count, alert.detail) == (
            "raised", "frozen", "statue", 1, "picture unchanged")
        assert grace - 0.1 <= raised.t - frozen_t <= grace + SLACK_S
        report("frozen source", frozen_alert_after_frozen=raised.t - frozen_t)
        (stored,) = wall.close_and_check_store()
        assert stored.state == AlertState.NEW  # closing the wall resolves nothing
    finally:
        server.stop()


def test_wrong_credentials_raise_unauthorized(open_wall: Callable[..., Wall]) -> None:
    with RtspAuthServer() as rtsp, BadHttpServer() as http:
        wall = open_wall(
            camera("door", rtsp.url("cam", "admin", "hunter2"), "hq"),
            camera("lift", http.url("unauthorized"), "annex", backend="vlc"),
        )
        took = wall.wait(lambda: len(wall.alerts) == 2, 15, "two unauthorized alerts")
        time.sleep(SLACK_S)  # the next try is tens of seconds away: nothing else comes
        assert sorted(wall.changes()) == [("raised", "unauthorized", "door", 1),
                                          ("raised", "unauthorized", "lift", 1)]
        for changed in wall.alerts:
            alert = changed.event.alert
            (refused_t,) = wall.state_times(alert.camera, StreamState.UNAUTHORIZED)
            assert changed.t - refused_t < 0.5
            protocol = "RTSP" if alert.camera == "door" else "HTTP"
            assert alert.detail == (
                f"unauthorized: the camera refused the credentials ({protocol} 401)")
            assert alert.site == {"door": "hq", "lift": "annex"}[alert.camera]
        report("wrong credentials", both_alerts_after_start=took)
        wall.close_and_check_store()


def test_a_host_going_down_is_one_group_alert(
    open_wall: Callable[..., Wall], media: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Eight cameras without a site behind one host (two ports: four straight to the
    server, four through a proxy in front of it; half of them decoded by libvlc)."""
    server = ServerProcess(media["probe"], port=free_port())
    server.start()
    try:
        with FaultProxy(("127.0.0.1", server.port)) as proxy:
            cameras = [
                camera(f"cam{n}", proxy.url(server.url) if n % 2 else server.url, "",
                       "vlc" if n < 4 else "ffmpeg")
                for n in range(8)
            ]
            ids = [c.id for c in cameras]
            wall = open_wall(*cameras)
            for camera_id in ids:
                wall.wait(wall.live(camera_id), 30, f"{camera_id} live")
            server.kill()
            killed = time.monotonic()
            took = wall.wait(lambda: bool(wall.alerts)
                             and len(wall.alerts[-1].event.alert.members) == 8, 10,
                             "one group of eight")
            assert took <= 3.0
            time.sleep(SLACK_S)  # refused reconnections add nothing
            first, *joins = wall.alerts
            assert first.event.change == "raised" and first.event.alert.kind == "offline"
            assert [e.event.change for e in joins] == ["updated"] * 7
            assert {e.event.alert.id for e in wall.alerts} == {first.event.alert.id}
            group = wall.alerts[-1].event.alert
            assert (group.camera, group.group, group.count, group.site) == (
                "", "host:127.0.0.1", 8, "")
            assert sorted(group.members) == ids
            assert group.detail == "8 cameras offline behind 127.0.0.1"
            with capsys.disabled():
                report("8 cameras of one host", group_of_eight_after_kill=took,
                       first_alert_after_kill=first.t - killed)
            server.start()
            wall.wait(lambda: wall.changes()[-1][0] == "resolved", 30, "resolved")
            assert wall.changes()[-1] == ("resolved", "offline", "host:127.0.0.1", 8)
            assert len(wall.alerts) == 9
            (stored,) = wall.close_and_check_store()
    finally:
        server.kill()
    # what ``videowall alerts list --json`` prints of it after the wall closed
    capsys.readouterr()
    assert main(["alerts", "list", "--db", str(wall.db), "--json", "--since", "all"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [alert_record(stored)]
    assert sorted(listed[0]["members"]) == ids
    assert listed[0]["state"] == "resolved"
