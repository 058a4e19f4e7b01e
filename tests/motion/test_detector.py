"""The detector on synthetic pictures: threshold, area, zones, masks, lighting, warm-up;
and both backgrounds within their cost."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.motion.helpers import SIZE, Scene
from videowall.motion.detector import (
    DETECTORS,
    WHOLE_FRAME_ZONE,
    MotionDetector,
    MotionRuntime,
    RunningAverage,
    make_detector,
    raster,
    threshold_of,
)
from videowall.motion.frames import grey_size, to_grey
from videowall.registry.model import MotionConfig, Zone
from videowall.registry.motion import MotionSettings

LEFT = ((0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0))
RIGHT = ((0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0))
OBJECT_LEFT = ((0.2, 0.4, 0.1, 0.2), 220)
OBJECT_RIGHT = ((0.7, 0.4, 0.1, 0.2), 220)


def _warm(detector: MotionDetector, scene: Scene, n: int = 10) -> None:
    for _ in range(n):
        detector.detect(scene.picture())


def test_to_grey_keeps_the_aspect_and_the_level() -> None:
    image = np.zeros((360, 640, 4), np.uint8)
    image[..., :3] = (50, 100, 150)
    grey = to_grey(image, 144)
    assert grey.shape == (144, 256) and grey.dtype == np.uint8
    assert abs(int(grey[70, 100]) - round(0.114 * 50 + 0.587 * 100 + 0.299 * 150)) <= 1
    assert grey_size(1920, 1080, 144) == (256, 144)
    assert grey_size(320, 100, 144) == (320, 100)  # never larger than the source
    assert to_grey(np.zeros((180, 320), np.uint8), 90).shape == (90, 160)


def test_sensitivity_sets_the_threshold() -> None:
    assert (threshold_of(0), threshold_of(0.5), threshold_of(1)) == (60, 35, 10)


def test_the_first_pictures_learn_and_then_an_object_moves() -> None:
    scene = Scene()
    detector = make_detector(MotionConfig(), MotionSettings(), 5.0)
    assert isinstance(detector, RunningAverage)
    first = detector.detect(scene.picture([OBJECT_LEFT]))
    assert first.warming and detector.is_calibrating()
    assert all(detector.detect(scene.picture()).warming for _ in range(5))
    assert not detector.is_calibrating()
    assert detector.detect(scene.picture()).boxes == {}
    found = detector.detect(scene.picture([OBJECT_LEFT]))
    (box,) = found.boxes[WHOLE_FRAME_ZONE]
    x, y, w, h = box
    assert x == pytest.approx(0.2, abs=0.05) and y == pytest.approx(0.4, abs=0.05)
    assert w == pytest.approx(0.1, abs=0.05) and h == pytest.approx(0.2, abs=0.05)


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_noise_alone_moves_nothing(name: str) -> None:
    scene = Scene(noise=12)
    detector = DETECTORS[name](MotionConfig(sensitivity=0.7), MotionSettings(), 5.0)
    _warm(detector, scene)
    assert all(not detector.detect(scene.picture()).boxes for _ in range(100))


def test_small_things_do_not_count() -> None:
    scene = Scene()
    detector = make_detector(MotionConfig(min_area=0.05), MotionSettings(), 5.0)
    _warm(detector, scene)
    assert detector.detect(scene.picture([((0.2, 0.4, 0.1, 0.2), 220)])).boxes == {}
    assert detector.detect(scene.picture([((0.2, 0.4, 0.3, 0.3), 220)])).boxes


def test_motion_counts_by_zone_and_never_in_a_mask() -> None:
    scene = Scene()
    config = MotionConfig(zones=(Zone("door", LEFT), Zone("lane", RIGHT, "lane")),
                          masks=(((0.15, 0.3), (0.35, 0.3), (0.35, 0.7), (0.15, 0.7)),))
    detector = make_detector(config, MotionSettings(), 5.0)
    _warm(detector, scene)
    # in the right half: a lane, not a zone; in the left: under the mask
    assert detector.detect(scene.picture([OBJECT_RIGHT])).boxes == {}
    assert detector.detect(scene.picture([OBJECT_LEFT])).boxes == {}
    found = detector.detect(scene.picture([((0.05, 0.05, 0.1, 0.2), 220)]))
    assert list(found.boxes) == ["door"]


def test_a_change_of_light_is_no_motion_and_the_background_is_learnt_anew() -> None:
    scene = Scene()
    detector = make_detector(MotionConfig(), MotionSettings(), 5.0)
    _warm(detector, scene)
    step = detector.detect(scene.picture(offset=40))
    assert step.lighting and not step.boxes and step.changed > 0.9
    assert detector.is_calibrating()
    after = [detector.detect(scene.picture(offset=40)) for _ in range(20)]
    assert not any(d.boxes or d.lighting for d in after)


def test_the_runtime_rasterises_once_per_size() -> None:
    config = MotionConfig(zones=(Zone("door", LEFT),), masks=(RIGHT,))
    runtime = MotionRuntime(config, SIZE)
    assert runtime.zones["door"][:, :100].all() and not runtime.zones["door"][:, 140:].any()
    assert not runtime.allowed[:, 140:].any() and runtime.allowed[:, :120].all()
    detector = make_detector(config, MotionSettings(), 5.0)
    detector.detect(Scene().picture())
    first = detector.runtime
    detector.detect(Scene().picture())
    assert detector.runtime is first
    detector.detect(np.zeros((72, 128), np.uint8))  # another size: rasterised anew
    assert detector.runtime is not first and detector.runtime is not None
    assert detector.runtime.size == (128, 72)
    assert int(raster(LEFT, (10, 10)).sum()) == 255 * 50


def test_the_running_average_stays_within_its_cost() -> None:
    scene = Scene()
    pictures = [scene.picture([((0.01 * (i % 60), 0.4, 0.1, 0.2), 220)]) for i in range(200)]
    detector = make_detector(MotionConfig(), MotionSettings(), 5.0)
    for picture in pictures[:10]:
        detector.detect(picture)
    started = time.thread_time()
    for picture in pictures:
        detector.detect(picture)
    per_picture_ms = (time.thread_time() - started) / len(pictures) * 1000
    assert per_picture_ms < 1.0  # 0.1 ms measured here; a loaded test box gets slack
