"""Demo media: the colour probe, scene clips, the cache and ffmpeg's failures."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from videowall.demo import clips
from videowall.demo.clips import (
    PROBE_COLOURS,
    SCENES,
    ClipError,
    Mover,
    Rect,
    Scene,
    cache_dir,
    ensure_demo_clips,
    make_clip,
    make_mjpeg_clip,
    make_probe_clip,
    probe_mismatches,
)


def _decode(path: Path) -> tuple[list[npt.NDArray[np.uint8]], list[bool], dict[str, object]]:
    """Every frame as RGB, which packets were key frames, and stream facts."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        facts: dict[str, object] = {
            "codec": stream.codec_context.name,
            "profile": stream.codec_context.profile,
            "size": (stream.codec_context.width, stream.codec_context.height),
            "rate": float(stream.average_rate or 0),
            "audio": len(container.streams.audio),
        }
        frames: list[npt.NDArray[np.uint8]] = []
        keys: list[bool] = []
        for packet in container.demux(stream):
            for frame in packet.decode():
                frames.append(np.asarray(frame.to_ndarray(format="rgb24"), np.uint8))
                keys.append(bool(frame.key_frame))
    return frames, keys, facts


def _probe_image(w: int = 640, h: int = 360) -> npt.NDArray[np.uint8]:
    image = np.zeros((h, w, 3), np.uint8)
    image[: h // 2, : w // 2] = (255, 0, 0)
    image[: h // 2, w // 2 :] = (0, 255, 0)
    image[h // 2 :, : w // 2] = (0, 0, 255)
    image[h // 2 :, w // 2 :] = (255, 255, 255)
    return image


# --------------------------------------------------------------------------- no ffmpeg


def test_cache_dir_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIDEOWALL_CACHE", str(tmp_path / "vw"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "vw" / "demo"
    monkeypatch.delenv("VIDEOWALL_CACHE")
    assert cache_dir() == tmp_path / "xdg" / "videowall" / "demo"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "videowall" / "demo"


def test_probe_mismatches_judges_colours() -> None:
    image = _probe_image()
    assert probe_mismatches(image) == []
    bgrx = np.concatenate([image[..., ::-1], np.zeros_like(image[..., :1])], axis=2)
    assert probe_mismatches(bgrx, channels="bgrx") == []
    # read as BGR, red and blue swap places
    swapped = probe_mismatches(image, channels="bgr")
    assert [line.split(":")[0] for line in swapped] == ["top_left", "bottom_left"]
    image[270, 480] = (0, 0, 0)  # one pixel of a 19x19 patch: within tolerance
    assert probe_mismatches(image) == []
    with pytest.raises(ValueError, match="channels"):
        probe_mismatches(image, channels="bgrx")


def test_probe_colours_are_the_four_quadrants() -> None:
    points = sorted(pos for pos, _ in PROBE_COLOURS.values())
    assert points == [(0.25, 0.25), (0.25, 0.75), (0.75, 0.25), (0.75, 0.75)]
    assert PROBE_COLOURS["top_left"][1] == (255, 0, 0)
    assert PROBE_COLOURS["bottom_right"][1] == (255, 255, 255)


def test_scenes_loop_seamlessly() -> None:
    """Nine distinct scenes whose schedules fit the clip, so a loop shows no jump mid-path."""
    assert len(SCENES) == 9
    assert len({s.title for s in SCENES.values()}) == 9
    for scene in SCENES.values():
        assert scene.movers, scene.name
        for mover in scene.movers:
            times = [t for t, _, _ in mover.path]
            assert times == sorted(times), (scene.name, mover)
            assert scene.loop_seconds % mover.period == 0, (scene.name, mover)
            assert times[-1] <= mover.period, (scene.name, mover)


def test_mover_expression_is_piecewise_linear() -> None:
    mover = Mover(10, 10, "red", ((2, 0, 50), (4, 100, 50), (6, 100, 0)), period=8)
    x_expr, y_expr = mover._coord(1), mover._coord(2)

    def at(expr: str, t: float) -> float:
        code = expr.replace("mod(", "_mod(").replace("if(", "_if(").replace("lt(", "_lt(")
        env = {
            "t": t,
            "_mod": lambda a, b: a % b,
            "_if": lambda c, a, b: a if c else b,
            "_lt": lambda a, b: a < b,
        }
        return float(eval(code, env))

    assert at(x_expr, 1) < -1000  # before the path: off screen
    assert at(x_expr, 3) == pytest.approx(50)
    assert at(x_expr, 5) == pytest.approx(100)
    assert at(y_expr, 5) == pytest.approx(25)
    assert at(x_expr, 7) < -1000  # after it
    assert at(x_expr, 11) == pytest.approx(50)  # and again next period


# --------------------------------------------------------------------------- ffmpeg


@pytest.mark.slow
def test_probe_clip_colours_and_encoding(tmp_path: Path) -> None:
    path = make_probe_clip(tmp_path / "probe.mp4", seconds=3)
    frames, keys, facts = _decode(path)
    assert facts["codec"] == "h264"
    assert facts["profile"] in ("Baseline", "Constrained Baseline")
    assert facts["size"] == (640, 360)
    assert facts["rate"] == pytest.approx(25)
    assert facts["audio"] == 0
    assert len(frames) == 75
    assert [i for i, key in enumerate(keys) if key] == [0, 25, 50]
    for index in (0, 37, 74):
        assert probe_mismatches(frames[index], tolerance=12) == [], index
    # the small box circles the centre: consecutive frames differ there, not at the corners
    centre = np.s_[140:220, 280:360]
    assert np.abs(frames[10][centre].astype(int) - frames[11][centre]).max() > 100
    assert np.array_equal(frames[10][:60, :60], frames[11][:60, :60])
    assert not list(tmp_path.glob(".*tmp")), "temporary file left behind"


@pytest.mark.slow
def test_probe_clip_other_size(tmp_path: Path) -> None:
    path = make_probe_clip(tmp_path / "small.mp4", size=(320, 180), fps=10, seconds=1)
    frames, _, facts = _decode(path)
    assert facts["size"] == (320, 180)
    assert len(frames) == 10
    assert probe_mismatches(frames[5], tolerance=12) == []


@pytest.mark.slow
def test_scene_clip_moves_and_is_titled(tmp_path: Path) -> None:
    path = make_clip(tmp_path / "junction.mp4", scene="junction", seconds=4, gop=10)
    frames, keys, facts = _decode(path)
    assert facts["size"] == (640, 360)
    assert len(frames) == 100
    assert [i for i, key in enumerate(keys) if key] == list(range(0, 100, 10))
    # vehicles cross the road band: the road changes a lot between 1 s and 2 s
    road = np.s_[140:240, :]
    changed = np.abs(frames[25][road].astype(int) - frames[50][road]).max(axis=2) > 40
    assert changed.sum() > 1000
    # the title sits on a dark box at the bottom right, above the clock
    title = frames[0][296:326, 480:632]
    assert title.min() < 40 and title.max() > 200
    corner = np.s_[330:355, 500:630]
    assert not np.array_equal(frames[0][corner], frames[99][corner])  # the clock ran


@pytest.mark.slow
def test_scenes_differ(tmp_path: Path) -> None:
    means = []
    for name in ("junction", "night"):
        frames, _, _ = _decode(make_clip(tmp_path / f"{name}.mp4", scene=name, seconds=0.2))
        means.append(float(frames[0].mean()))
    assert means[0] - means[1] > 30  # the night street is much darker


@pytest.mark.slow
def test_ffmpeg_failure_is_a_clip_error(tmp_path: Path) -> None:
    bad = Scene("bad", "BAD", "notacolour", (Rect(0, 0, 10, 10, "red"),), ())
    with pytest.raises(ClipError, match=r"ffmpeg failed \(exit \d+\):\n.*notacolour"):
        make_clip(tmp_path / "bad.mp4", scene=bad, seconds=1)
    assert list(tmp_path.iterdir()) == []  # neither the clip nor a temporary file


def test_missing_ffmpeg_is_a_clip_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ClipError, match="ffmpeg not found"):
        make_probe_clip(tmp_path / "probe.mp4")


@pytest.mark.slow
def test_mjpeg_clip(tmp_path: Path) -> None:
    probe = make_probe_clip(tmp_path / "probe.mp4", seconds=1)
    mjpeg = make_mjpeg_clip(tmp_path / "probe.mkv", probe)
    frames, keys, facts = _decode(mjpeg)
    assert facts["codec"] == "mjpeg"
    assert len(frames) == 25 and all(keys)
    assert probe_mismatches(frames[3], tolerance=12) == []


@pytest.mark.slow
def test_ensure_demo_clips_makes_once_and_prunes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VIDEOWALL_CACHE", str(tmp_path))
    monkeypatch.setattr(clips, "DEMO_SECONDS", 0.4)
    monkeypatch.setattr(clips, "SCENES", {k: SCENES[k] for k in ("carpark", "night")})
    folder = tmp_path / "demo"
    folder.mkdir()
    stale = folder / "night-0123456789.mp4"
    stale.write_bytes(b"old recipe")
    keep = folder / "bench-640x360-25.mp4"
    keep.write_bytes(b"not ours to prune")

    made = ensure_demo_clips()
    assert set(made) == {"carpark", "night"}
    for name, path in made.items():
        assert path.parent == folder and path.name.startswith(f"{name}-")
        frames, _, _ = _decode(path)
        assert len(frames) == 10
    assert not stale.exists() and keep.exists()

    def fail(*args: object, **kwargs: object) -> Path:
        raise AssertionError("a cached clip was made again")

    monkeypatch.setattr(clips, "make_clip", fail)
    assert ensure_demo_clips() == made

    # a different clip length is a different recipe: a new name
    monkeypatch.setattr(clips, "DEMO_SECONDS", 0.2)
    assert clips.demo_clip_path("night") != made["night"]


def test_unknown_scene(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown scene 'beach'.*junction"):
        make_clip(tmp_path / "x.mp4", scene="beach")
