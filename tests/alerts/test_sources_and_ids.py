"""The health as an alert source, and alert ids."""

from __future__ import annotations

from datetime import timedelta

import pytest

from videowall.alerts import Signal, health_signals, new_ulid, ulid_time
from videowall.alerts.grouping import group_key, host_of
from videowall.alerts.ids import ULID_RE, UlidFactory
from videowall.streams.base import StreamState

from .helpers import T0, camera


@pytest.mark.parametrize(("state", "kind"), [
    (StreamState.OFFLINE, "offline"), (StreamState.UNAUTHORIZED, "unauthorized"),
    (StreamState.STALLED, "stalled"), (StreamState.FROZEN, "frozen"),
])
def test_a_failure_state_makes_its_kind_present(state: StreamState, kind: str) -> None:
    signals = health_signals("c1", state, "why", T0)
    assert signals[0] == Signal("c1", kind, T0, True, "why")
    # ... and the other health kinds absent: one condition at a time.
    assert sorted((s.kind, s.active) for s in signals[1:]) == sorted(
        (other, False) for other in ("offline", "unauthorized", "stalled", "frozen")
        if other != kind
    )


def test_live_clears_every_health_kind() -> None:
    signals = health_signals("c1", StreamState.LIVE, "", T0)
    assert [(s.kind, s.active) for s in signals] == [
        ("offline", False), ("unauthorized", False), ("stalled", False), ("frozen", False)]


@pytest.mark.parametrize("state", [StreamState.CONNECTING, StreamState.RECONNECTING,
                                   StreamState.STOPPED, StreamState.DISABLED])
def test_retrying_and_closing_say_nothing(state: StreamState) -> None:
    assert health_signals("c1", state, "", T0) == []


def test_a_camera_groups_by_site_then_by_host_without_port() -> None:
    assert group_key(camera("c1", site="rp05")) == "site:rp05"
    assert group_key(camera("c1", site="", host="CAM-NVR.local", port=8554)) == "host:cam-nvr.local"
    assert host_of("rtsp://u:p@[::1]:554/x") == "::1"
    assert host_of("rtsp://[bad/x") == ""


def test_ulids_are_26_crockford_characters_naming_their_time() -> None:
    ulid = UlidFactory().new(T0)
    assert len(ulid) == 26 and ULID_RE.fullmatch(ulid)
    assert ulid_time(ulid) == T0
    with pytest.raises(ValueError, match="not a ULID"):
        ulid_time("01-not-a-ulid")
    with pytest.raises(ValueError, match="timezone"):
        new_ulid(T0.replace(tzinfo=None))


def test_ulids_sort_in_the_order_they_were_drawn() -> None:
    factory = UlidFactory()
    times = [T0, T0, T0, T0 + timedelta(milliseconds=1), T0 - timedelta(seconds=5), T0]
    ids = [factory.new(t) for t in times]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert ids[0][:10] == ids[1][:10]  # one millisecond: the random part counts up
    assert ulid_time(ids[4]) == T0 + timedelta(milliseconds=1)  # never back in time
    later = [factory.new(T0 + timedelta(seconds=s)) for s in (1, 2)]
    assert ulid_time(later[1]) - ulid_time(later[0]) == timedelta(seconds=1)
    assert len({new_ulid() for _ in range(1000)}) == 1000


def test_one_health_condition_at_a_time() -> None:
    """A stall that turns into offline within its grace raises only offline; a raised
    stall resolves once the camera is offline instead, while the offline alert stays."""
    from .helpers import at, engine, tick_until

    eng = engine(camera("c1"))

    def state(state: StreamState, seconds: float) -> list[tuple[str, str]]:
        events = []
        for signal in health_signals("c1", state, "", at(seconds)):
            events += eng.report(signal)
        return [(e.change, e.alert.kind) for e in events]

    assert state(StreamState.STALLED, 0) == []  # within the stall's grace
    assert state(StreamState.RECONNECTING, 1) == []
    assert state(StreamState.OFFLINE, 2) == [("raised", "offline")]
    assert [(e.change, e.alert.kind) for _, e in tick_until(eng, 2, 30)] == []
    # Live again, then a stall long enough to raise, then offline.
    state(StreamState.LIVE, 31)
    tick_until(eng, 31, 45)
    state(StreamState.STALLED, 50)
    raised = [(e.change, e.alert.kind) for _, e in tick_until(eng, 50, 55)]
    assert raised == [("raised", "stalled")]
    assert state(StreamState.OFFLINE, 56) == [("raised", "offline")]
    later = [(e.change, e.alert.kind) for _, e in tick_until(eng, 56, 80)]
    assert later == [("resolved", "stalled")]
    assert [a.kind for a in eng.open_alerts()] == ["offline"]
