"""Lane occupancy in a real SQLite store: one value a camera, lane and minute, replaced by
a second write of the minute, read by site, camera and time."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from videowall.registry.model import Camera, Registry, Site
from videowall.store import (
    LaneMinute,
    Store,
    StoreError,
    check_lane_minute,
    lane_camera_ids,
    lane_minutes,
    record_lane_minutes,
    site_ids,
    sync_registry,
)

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    registry = Registry(
        cameras=(Camera("rp01-north", "North", "rp01", "rtsp://127.0.0.1:18554/n"),
                 Camera("rp01-south", "South", "rp01", "rtsp://127.0.0.1:18554/s"),
                 Camera("rp02-east", "East", "rp02", "rtsp://127.0.0.1:18554/e")),
        sites={"rp01": Site("rp01", "Junction one"), "rp02": Site("rp02", "Junction two")},
        source="test.yaml",
    )
    with Store(tmp_path / "videowall.db") as made:
        made.create()
        sync_registry(made, registry)
        yield made


def test_minutes_are_read_back_by_camera_lane_and_minute(store: Store) -> None:
    written = [
        LaneMinute("rp02-east", "eastbound", _at(1), 0.1, 1.0, 0.0),
        LaneMinute("rp01-north", "southbound", _at(0), 0.3, 0.5, 10.0),
        LaneMinute("rp01-north", "northbound", _at(1), 0.8, 0.0, 60.0),
        LaneMinute("rp01-north", "northbound", _at(0), 0.7, 0.2, 45.5),
    ]
    assert record_lane_minutes(store, written) == 4
    assert lane_minutes(store) == [written[3], written[2], written[1], written[0]]
    assert all(m.minute.tzinfo is not None for m in lane_minutes(store))
    assert lane_camera_ids(store) == ["rp01-north", "rp02-east"]


def test_a_second_write_of_a_minute_replaces_it(store: Store) -> None:
    first = LaneMinute("rp01-north", "northbound", _at(0), 0.2, 0.9, 0.0)
    again = LaneMinute("rp01-north", "northbound", _at(0), 0.9, 0.1, 58.0)
    other_lane = LaneMinute("rp01-north", "southbound", _at(0), 0.4, 0.4, 4.0)
    record_lane_minutes(store, [first, other_lane])
    record_lane_minutes(store, [again])
    assert lane_minutes(store) == [again, other_lane]
    # Within one batch, the last value of a minute counts.
    latest = LaneMinute("rp01-north", "northbound", _at(0), 0.5, 0.5, 5.0)
    assert record_lane_minutes(store, [first, latest]) == 1
    assert lane_minutes(store, camera="rp01-north")[0] == latest


def test_filters_by_site_camera_and_since(store: Store) -> None:
    minutes = [LaneMinute(camera, "in", _at(n), 0.5, 0.5, 0.0)
               for camera in ("rp01-north", "rp01-south", "rp02-east", "unmirrored")
               for n in range(3)]
    record_lane_minutes(store, minutes)
    assert {m.camera_id for m in lane_minutes(store, site="rp01")} == {"rp01-north",
                                                                      "rp01-south"}
    assert {m.camera_id for m in lane_minutes(store, site="rp02")} == {"rp02-east"}
    assert lane_minutes(store, site="nowhere") == []
    assert [m.minute for m in lane_minutes(store, camera="rp02-east", since=_at(1))] == [
        _at(1), _at(2)]
    assert lane_minutes(store, site="rp02", camera="rp01-north") == []
    # A camera the registry mirror does not know yet is kept, and read without a site.
    assert len(lane_minutes(store, camera="unmirrored")) == 3
    naive = _at(2).replace(tzinfo=None)  # taken as UTC
    assert len(lane_minutes(store, since=naive)) == 4
    assert site_ids(store) == ["rp01", "rp02"]


def test_a_minute_is_kept_as_its_start_in_utc(store: Store) -> None:
    wib = timezone(timedelta(hours=7))
    record_lane_minutes(store, [
        LaneMinute("rp01-north", "in", datetime(2026, 12, 1, 14, 3, 27, 500, tzinfo=wib),
                   0.5, 0.5, 1.0),
        LaneMinute("rp01-north", "in", datetime(2026, 12, 1, 7, 4, 59), 0.5, 0.5, 2.0),
    ])
    assert [(m.minute, m.congested_s) for m in lane_minutes(store)] == [
        (_at(3), 1.0), (_at(4), 2.0)]


@pytest.mark.parametrize(("field", "value", "words"), [
    ("occupancy", 1.5, "occupancy must be a number from 0 to 1, not 1.5"),
    ("moving", -0.1, "moving must be a number from 0 to 1"),
    ("moving", math.nan, "moving must be a number from 0 to 1, not nan"),
    ("congested_s", 61.0, "congested_s must be a number from 0 to 60"),
    ("congested_s", math.inf, "congested_s must be a number"),
    ("occupancy", "0.5", "occupancy must be a number"),
    ("lane", "", "needs a lane"),
    ("camera_id", "", "needs a camera id"),
])
def test_what_no_store_can_hold_is_refused_before_anything_is_written(
    store: Store, field: str, value: object, words: str
) -> None:
    good = LaneMinute("rp01-north", "in", _at(0), 0.5, 0.5, 0.0)
    values = {"camera_id": "rp01-north", "lane": "in", "minute": _at(1), "occupancy": 0.5,
              "moving": 0.5, "congested_s": 0.0, field: value}
    bad = LaneMinute(**values)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=words):
        check_lane_minute(bad)
    with pytest.raises(ValueError, match=words):
        record_lane_minutes(store, [good, bad])
    assert lane_minutes(store) == []
    assert check_lane_minute(good) == good


def test_numbers_of_any_real_kind_are_kept_as_plain_floats() -> None:
    import numpy as np

    checked = check_lane_minute(LaneMinute("c", "l", _at(0).replace(second=5), np.float32(0.5),
                                           1, np.float64(12.25)))  # type: ignore[arg-type]
    assert checked == LaneMinute("c", "l", _at(0), 0.5, 1.0, 12.25)
    assert {type(v) for v in (checked.occupancy, checked.moving, checked.congested_s)} == {
        float}


def test_a_store_without_the_table_is_a_store_error_in_words(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.db") as store:
        with pytest.raises(StoreError, match="its tables are missing"):
            lane_minutes(store)
        with pytest.raises(StoreError, match="cannot write the lane occupancy to the store"):
            record_lane_minutes(store, [LaneMinute("c", "l", T0, 0.0, 0.0, 0.0)])
