"""Alerts in a real SQLite store: every field round trips, an alert is one row however
often it is written, its history only grows, ids are found by prefix, and what must come
back after a restart does."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from videowall.store import (
    Alert,
    AlertChange,
    AlertLookupError,
    AlertState,
    Store,
    acknowledge_alerts,
    alert_cameras,
    alert_history,
    find_alerts,
    list_alerts,
    open_alerts,
    record_alerts,
)

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def ulid(head: str, n: int = 0) -> str:
    """A 26-character id starting with ``head``, like the engine's ULIDs."""
    return f"{head}{n:0{26 - len(head)}d}"


def alert(alert_id: str, camera: str = "rp01-north", minutes: float = 0,
          **fields: object) -> Alert:
    """An offline alert of ``camera`` raised ``minutes`` after NOW."""
    at = NOW + timedelta(minutes=minutes)
    base = Alert(alert_id, "offline", camera, "rp01", "dishub", 2, at, at,
                 members=(camera,) if camera else (), detail="connection refused")
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


def raised(item: Alert) -> AlertChange:
    return AlertChange(item.id, item.first_at, "raised", item.state, item.count,
                       detail=item.detail)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "videowall.db") as opened:
        opened.create()
        yield opened


def test_every_field_of_an_alert_round_trips(store: Store) -> None:
    group = Alert(
        id=ulid("01JDXG"), kind="offline", camera="", site="rp05", agency="dishub",
        priority=1, first_at=NOW, last_at=NOW + timedelta(seconds=4), count=4,
        state=AlertState.RESOLVED, members=("rp05-n", "rp05-s", "rp05-e", "rp05-w"),
        group="site:rp05", detail="rp05: 4 cameras offline",
        acknowledged_by="ana", acknowledged_at=NOW + timedelta(minutes=2),
        note="switch rebooted, see rtsp://admin:pw@10.0.0.5/x",
        resolved_at=NOW + timedelta(minutes=3), needs_ack=False,
    )
    single = alert(ulid("01JDXS"), minutes=1)
    assert record_alerts(store, [group, single], [raised(group), raised(single)]) == 2
    assert list_alerts(store) == [single, group]  # newest first
    # The note is stored as the operator wrote it.
    assert list_alerts(store)[1].note == group.note
    assert isinstance(list_alerts(store)[1].state, AlertState)


def test_passwords_in_details_are_masked(store: Store) -> None:
    item = alert(ulid("01JDXM"), detail="cannot open rtsp://admin:s3cret@10.0.0.5/x")
    change = dataclasses.replace(raised(item), detail=item.detail)
    record_alerts(store, [item], [change])
    assert list_alerts(store)[0].detail == "cannot open rtsp://admin:***@10.0.0.5/x"
    assert alert_history(store, item.id)[0].detail == "cannot open rtsp://admin:***@10.0.0.5/x"
    with sqlite3.connect(store.path or "") as conn:
        dump = "\n".join(conn.iterdump())
    assert "s3cret" not in dump


def test_an_alert_written_again_is_one_row_with_a_growing_history(store: Store) -> None:
    first = alert(ulid("01JDXU"))
    record_alerts(store, [first], [raised(first)])
    steps = []
    latest = first
    for n in range(2, 5):  # the camera flaps: the count grows, no new alert
        latest = dataclasses.replace(latest, count=n, last_at=NOW + timedelta(seconds=n))
        steps.append(AlertChange(first.id, latest.last_at, "updated", latest.state, n))
    # Several values of one alert in one call: the last counts.
    record_alerts(store, [dataclasses.replace(latest, count=3), latest], steps)
    assert list_alerts(store) == [latest]
    resolved = dataclasses.replace(latest, state=AlertState.RESOLVED,
                                   resolved_at=NOW + timedelta(minutes=5))
    record_alerts(store, [resolved],
                  [AlertChange(first.id, NOW + timedelta(minutes=5), "resolved",
                               AlertState.RESOLVED, 4, detail="live again for 10 s")])
    history = alert_history(store, first.id)
    assert [(c.change, c.state, c.count) for c in history] == [
        ("raised", AlertState.NEW, 1), ("updated", AlertState.NEW, 2),
        ("updated", AlertState.NEW, 3), ("updated", AlertState.NEW, 4),
        ("resolved", AlertState.RESOLVED, 4)]
    assert history[-1].detail == "live again for 10 s"
    assert list_alerts(store) == [resolved]
    assert alert_history(store, ulid("01JDXZ")) == []


def test_history_of_an_alert_the_store_lacks_writes_nothing(store: Store) -> None:
    item = alert(ulid("01JDXH"))
    stray = AlertChange(ulid("01JDXQ"), NOW, "raised", AlertState.NEW)
    with pytest.raises(ValueError, match="01JDXQ"):
        record_alerts(store, [item], [raised(item), stray])
    assert list_alerts(store) == []
    # A step of an alert already in the store needs no alert with it.
    record_alerts(store, [item], [raised(item)])
    record_alerts(store, [], [AlertChange(item.id, NOW, "updated", AlertState.NEW, 2)])
    assert len(alert_history(store, item.id)) == 2
    assert record_alerts(store, [], []) == 0


def test_prefixes_find_one_alert_in_any_case(store: Store) -> None:
    a = alert(ulid("01JDXAB", 1))
    b = alert(ulid("01JDXAC", 2), minutes=1)
    c = alert(ulid("01JDXAC", 3), minutes=2)
    record_alerts(store, [a, b, c], [])
    found = find_alerts(store, ["01jdxab", a.id, " 01JDXAC" + "0" * 18 + "3 "])
    assert found == {"01jdxab": a, a.id: a, " 01JDXAC" + "0" * 18 + "3 ": c}
    with pytest.raises(AlertLookupError) as caught:
        find_alerts(store, ["01JDXAC", "zzz", "01JDXAB", "", "qq"])
    error = caught.value
    assert error.unknown == ("zzz", "", "qq")
    assert error.ambiguous == {"01JDXAC": ((b.id, c.id), 2)}
    assert str(error) == (
        f"no alert 'zzz' or '' or 'qq' in the store {store.where}; alert id '01JDXAC' is "
        f"ambiguous in the store {store.where}: it matches {b.id}, {c.id}")
    assert isinstance(error, LookupError)


def test_an_ambiguous_prefix_names_a_few_ids_and_counts_the_rest(store: Store) -> None:
    items = [alert(ulid("01JDXP", n), minutes=n) for n in range(8)]
    record_alerts(store, items, [])
    with pytest.raises(AlertLookupError, match=r"it matches 01JDXP0+0, .*, 01JDXP0+4 and 3 "
                                               r"more$"):
        find_alerts(store, ["01jdxp"])


def test_a_whole_id_wins_over_the_longer_ids_it_starts(store: Store) -> None:
    short, longer = alert("ABC"), alert("ABCD", minutes=1)
    record_alerts(store, [short, longer], [])
    assert find_alerts(store, ["abc"]) == {"abc": short}
    with pytest.raises(AlertLookupError, match="'AB' is ambiguous"):
        find_alerts(store, ["AB"])


def test_open_alerts_are_what_comes_back_after_a_restart(store: Store) -> None:
    resolved_at = {"state": AlertState.RESOLVED, "resolved_at": NOW + timedelta(hours=1)}
    acked = {"acknowledged_by": "ana", "acknowledged_at": NOW + timedelta(minutes=30)}
    new = alert(ulid("01JDXO", 1), minutes=1)
    acknowledged = alert(ulid("01JDXO", 2), minutes=2, state=AlertState.ACKNOWLEDGED, **acked)
    waiting = alert(ulid("01JDXO", 3), minutes=3, **resolved_at)
    done = alert(ulid("01JDXO", 4), minutes=4, **resolved_at, **acked)
    quiet = alert(ulid("01JDXO", 5), minutes=5, needs_ack=False, **resolved_at)
    record_alerts(store, [quiet, done, waiting, acknowledged, new], [])
    assert open_alerts(store) == [new, acknowledged, waiting]  # oldest first
    assert [a.unacknowledged for a in open_alerts(store)] == [True, False, True]


def test_list_alerts_by_state(store: Store) -> None:
    new = alert(ulid("01JDXL", 1), minutes=1)
    acked = alert(ulid("01JDXL", 2), minutes=2, state=AlertState.ACKNOWLEDGED,
                  acknowledged_by="ana", acknowledged_at=NOW)
    waiting = alert(ulid("01JDXL", 3), minutes=3, state=AlertState.RESOLVED,
                    resolved_at=NOW + timedelta(minutes=4))
    quiet = alert(ulid("01JDXL", 4), minutes=4, state=AlertState.RESOLVED,
                  resolved_at=NOW + timedelta(minutes=5), needs_ack=False)
    record_alerts(store, [new, acked, waiting, quiet], [])

    def ids(**kwargs: object) -> list[str]:
        return [a.id[-1] for a in list_alerts(store, **kwargs)]  # type: ignore[arg-type]

    assert ids() == ["4", "3", "2", "1"]
    assert ids(state="new") == ids(state=AlertState.NEW) == ["1"]
    assert ids(state="acknowledged") == ["2"]
    assert ids(state="resolved") == ["4", "3"]
    assert ids(state="open") == ["2", "1"]
    assert ids(state="unacknowledged") == ["3", "1"]
    assert ids(limit=2) == ["4", "3"]
    with pytest.raises(ValueError, match="unknown alert state 'gone': expected one of new, "):
        list_alerts(store, state="gone")  # type: ignore[arg-type]


def test_list_alerts_since_keeps_what_was_open_then(store: Store) -> None:
    over = alert(ulid("01JDXT", 1), state=AlertState.RESOLVED,
                 resolved_at=NOW + timedelta(minutes=10))
    still_open = alert(ulid("01JDXT", 2), minutes=1)
    late = alert(ulid("01JDXT", 3), minutes=50)
    record_alerts(store, [over, still_open, late], [])
    assert [a.id for a in list_alerts(store, since=NOW + timedelta(minutes=30))] == [
        late.id, still_open.id]
    assert len(list_alerts(store, since=NOW + timedelta(minutes=5))) == 3
    naive = (NOW + timedelta(minutes=30)).replace(tzinfo=None)  # taken as UTC
    assert len(list_alerts(store, since=naive)) == 2


def test_list_alerts_of_a_camera_finds_its_groups(store: Store) -> None:
    own = alert(ulid("01JDXC", 1), camera="mall_a_lobby")
    look_alike = alert(ulid("01JDXC", 2), camera="mallXaXlobby", minutes=1)
    group = alert(ulid("01JDXC", 3), camera="", minutes=2,
                  members=("mall_a_entrance", "mall_a_lobby"), group="site:mall_a")
    other = alert(ulid("01JDXC", 4), camera="mall_a_lobby2", minutes=3)
    record_alerts(store, [own, look_alike, group, other], [])
    assert list_alerts(store, camera="mall_a_lobby") == [group, own]
    assert list_alerts(store, camera="mall_a") == []
    assert list_alerts(store, camera="mall_a_entrance", state="open") == [group]
    assert alert_cameras(store) == ["mallXaXlobby", "mall_a_entrance", "mall_a_lobby",
                                    "mall_a_lobby2"]


def test_acknowledging_records_who_when_and_the_note(store: Store) -> None:
    new = alert(ulid("01JDXK", 1))
    gone = alert(ulid("01JDXK", 2), minutes=1, state=AlertState.RESOLVED,
                 resolved_at=NOW + timedelta(minutes=2))
    record_alerts(store, [new, gone], [raised(new), raised(gone)])
    at = NOW + timedelta(minutes=10)
    done = acknowledge_alerts(store, [new.id, gone.id, new.id], "ana", "patrol sent", at)
    assert [(a.id, a.state, a.acknowledged_by, a.acknowledged_at, a.note) for a in done] == [
        (new.id, AlertState.ACKNOWLEDGED, "ana", at, "patrol sent"),
        (gone.id, AlertState.RESOLVED, "ana", at, "patrol sent")]
    assert list_alerts(store, state="unacknowledged") == []
    step = alert_history(store, new.id)[-1]
    assert step == AlertChange(new.id, at, "acknowledged", AlertState.ACKNOWLEDGED, 1,
                               by="ana", note="patrol sent")
    # Acknowledged once: a second acknowledgement changes nothing.
    again = acknowledge_alerts(store, [new.id], "bob", "me too")
    assert again == done[:1] and len(alert_history(store, new.id)) == 2


def test_acknowledging_an_unknown_alert_acknowledges_none(store: Store) -> None:
    new = alert(ulid("01JDXN", 1))
    record_alerts(store, [new], [raised(new)])
    with pytest.raises(AlertLookupError, match=f"no alert '01JDXNOPE' in the store "
                                               f"{store.where}$"):
        acknowledge_alerts(store, [new.id, "01JDXNOPE"], "ana")
    assert list_alerts(store, state="new") == [new]
    assert len(alert_history(store, new.id)) == 1


def test_a_later_write_keeps_an_acknowledgement_made_elsewhere(store: Store) -> None:
    first = alert(ulid("01JDXE"))
    record_alerts(store, [first], [raised(first)])
    acknowledge_alerts(store, [first.id], "ana", "on it", NOW + timedelta(minutes=1))
    # The wall did not hear of it: its next write has no acknowledgement.
    again = dataclasses.replace(first, count=2, last_at=NOW + timedelta(minutes=2))
    record_alerts(store, [again], [AlertChange(first.id, again.last_at, "updated",
                                               AlertState.NEW, 2)])
    kept = list_alerts(store)[0]
    assert (kept.count, kept.state, kept.acknowledged_by, kept.note) == (
        2, AlertState.ACKNOWLEDGED, "ana", "on it")
    resolved = dataclasses.replace(again, state=AlertState.RESOLVED,
                                   resolved_at=NOW + timedelta(minutes=3))
    record_alerts(store, [resolved], [])
    kept = list_alerts(store)[0]
    assert (kept.state, kept.acknowledged_by, kept.resolved_at) == (
        AlertState.RESOLVED, "ana", resolved.resolved_at)
    assert open_alerts(store) == []
