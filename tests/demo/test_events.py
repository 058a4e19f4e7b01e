"""The demo's event scenes draw what their EVENTS tables say, when they say it."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
import yaml

from videowall.demo import registry as demo_registry
from videowall.demo.clips import EVENTS, SCENES, make_clip
from videowall.demo.registry import build_demo_registry
from videowall.registry.loader import check_registry

W, H, FPS = 256, 144, 5  # the detector's picture size; a few frames a second are enough

Grey = npt.NDArray[np.int16]


def _grey_frames(path: Path) -> list[Grey]:
    with av.open(str(path)) as container:
        return [
            np.asarray(frame.to_ndarray(format="gray"), np.int16)
            for frame in container.decode(video=0)
        ]


def _clip(tmp_path: Path, scene: str) -> list[Grey]:
    seconds = SCENES[scene].loop_seconds
    frames = _grey_frames(make_clip(tmp_path / f"{scene}.mp4", scene=scene, size=(W, H),
                                    fps=FPS, seconds=seconds))
    assert len(frames) == round(seconds * FPS)
    return frames


def _at(frames: list[Grey], second: float) -> Grey:
    return frames[round(second * FPS)]


def _when(scene: str, word: str) -> float:
    """The second of the first event of ``scene`` whose text has ``word``."""
    return next(t for t, what in EVENTS[scene] if word in what)


def _box(box: tuple[float, float, float, float]) -> tuple[slice, slice]:
    x0, y0, x1, y1 = box
    return np.s_[round(y0 * H) : round(y1 * H), round(x0 * W) : round(x1 * W)]


def _changed(a: Grey, b: Grey, box: tuple[float, float, float, float]) -> float:
    """Share of the box whose grey differs by more than 20 levels between a and b."""
    where = _box(box)
    return float((np.abs(a[where] - b[where]) > 20).mean())


def test_event_tables() -> None:
    assert set(EVENTS) == {"market_night", "junction_queue", "lights"}
    for scene, events in EVENTS.items():
        times = [t for t, _ in events]
        assert times == sorted(times), scene
        assert all(0 <= t < SCENES[scene].loop_seconds for t in times), scene
        assert all(what for _, what in events)


@pytest.mark.slow
def test_market_night_person_at_the_gate(tmp_path: Path) -> None:
    frames = _clip(tmp_path, "market_night")
    entry = _when("market_night", "gate")
    gone = _when("market_night", "has left")
    gate, floor = demo_registry._MARKET_GATE, demo_registry._MARKET_FLOOR
    empty = _at(frames, 1)
    # quiet for a long spell: nothing in the gate zone until the entry second
    for second in range(2, int(entry)):
        assert _changed(empty, _at(frames, second), gate) < 0.002, second
    assert _changed(empty, _at(frames, entry + 0.6), gate) > 0.01
    # the person crosses the floor and leaves
    assert _changed(empty, _at(frames, (entry + gone) / 2), floor) > 0.003  # ~70 pixels
    assert _changed(empty, _at(frames, gone + 1), floor) < 0.0005
    # the leaves flicker all the time, inside the mask only
    tree = demo_registry._MARKET_TREE
    assert max(_changed(_at(frames, 5), _at(frames, 5 + d), tree) for d in (0.2, 0.4, 0.6)) > 0.01
    # the clock changes in the caption mask
    caption = demo_registry._CAPTIONS
    assert _changed(_at(frames, 5), _at(frames, 6), caption) > 0


@pytest.mark.slow
def test_junction_queue_covers_the_lane_and_stands(tmp_path: Path) -> None:
    frames = _clip(tmp_path, "junction_queue")
    lane = demo_registry._QUEUE_APPROACH
    empty = _at(frames, 0.2)
    full, go = _when("junction_queue", "covers"), _when("junction_queue", "green")
    clear = _when("junction_queue", "clear")
    # flowing: a car or none, never most of the lane
    for second in (1.5, 2.5, 5.5, 9, 12):
        assert _changed(empty, _at(frames, second), lane) < 0.5, second
    assert go - full >= 15  # long enough for congestion after 10 s
    for second in np.arange(full + 0.4, go, 2.0):
        now = _at(frames, second)
        assert _changed(empty, now, lane) >= 0.7, second
        assert _changed(now, _at(frames, second + 1), lane) < 0.01, second  # still
    assert _changed(empty, _at(frames, clear + 0.4), lane) < 0.05
    # the other lane keeps moving during the queue
    exit_lane = demo_registry._QUEUE_EXIT
    assert max(_changed(empty, _at(frames, full + d), exit_lane) for d in (1, 2, 3)) > 0.2


@pytest.mark.slow
def test_lights_step_the_whole_picture(tmp_path: Path) -> None:
    frames = _clip(tmp_path, "lights")
    on, off = _when("lights", "come on"), _when("lights", "go off")
    before, during, after = _at(frames, on - 0.6), _at(frames, on + 0.6), _at(frames, off + 0.6)
    picture = np.s_[: round(0.8 * H), :]  # above the captions, which stay as they are
    step = float(during[picture].mean() - before[picture].mean())
    assert 34 <= step <= 46, step
    assert abs(float(after[picture].mean() - before[picture].mean())) < 2
    # the whole picture changes at once: far beyond the detector's 60 % lighting rule
    assert _changed(before, during, (0, 0, 1, 0.8)) > 0.9
    assert _changed(_at(frames, on + 1.6), during, (0, 0, 1, 0.8)) < 0.01  # then steady


def test_registry_motion_blocks() -> None:
    cameras = {c["id"]: c for c in build_demo_registry()["cameras"]}
    scene_of = {cid: c["url"].split("/")[-1].split("?")[0].removesuffix(".ts")
                for cid, c in cameras.items()}
    with_motion = {cid for cid, c in cameras.items() if "motion" in c}
    assert with_motion == {cid for cid, s in scene_of.items() if s in EVENTS}
    for scene in EVENTS:
        assert any(s == scene for s in scene_of.values()), scene
    night = cameras["mkt-senen-gate"]["motion"]
    assert len(night["zones"]) == 2 and len(night["masks"]) == 2
    assert len(cameras["rp08-n"]["motion"]["zones"]) == 2
    assert "masks" not in cameras["mall-plaza-park"]["motion"]


def test_mapping_zone_form() -> None:
    """Zones are {name, kind, polygon} and the motion: section is written."""
    data = build_demo_registry()
    text = demo_registry.render_registry_yaml(data)
    assert yaml.safe_load(text) == data
    assert data["motion"] == {"congestion_after_s": 10}
    lanes = next(c for c in data["cameras"] if c["id"] == "rp08-n")["motion"]["zones"]
    assert [(z["name"], z["kind"]) for z in lanes] == [("north-approach", "lane"),
                                                      ("north-exit", "lane")]


def test_the_demo_registry_loads_with_its_zones_and_lanes() -> None:
    check = check_registry(demo_registry.demo_registry_yaml(), "cameras.yaml", environ={})
    registry = check.registry_or_raise()
    assert registry.motion.congestion_after_s == 10
    cam = registry.get("mkt-senen-gate")
    assert cam is not None and cam.motion.enabled
    assert [(z.name, z.kind) for z in cam.motion.zones] == [("gate", "zone"), ("floor", "zone")]
    assert len(cam.motion.masks) == 2
    road = registry.get("rp08-n")
    assert road is not None
    assert [(z.name, z.kind) for z in road.motion.zones] == [("north-approach", "lane"),
                                                             ("north-exit", "lane")]
