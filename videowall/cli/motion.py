"""``videowall motion test FILE-or-URL``: what a camera's motion settings make of a clip,
event by event, with its time in the clip."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from videowall.cli.common import (
    Commands,
    add_config_option,
    aligned,
    default_config_path,
    plural,
    print_json,
    print_line,
    seconds,
    unknown_name,
)
from videowall.util.logs import mask_url

if TYPE_CHECKING:
    from videowall.motion.clip import ClipRun
    from videowall.motion.events import CongestionEvent, MotionEvent
    from videowall.registry.model import Camera
    from videowall.registry.motion import MotionSettings


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """``motion test``."""
    motion = commands.add_parser("motion", parents=[common], help="try motion detection",
                                 description="Motion detection and queues, tried offline.")
    verbs = motion.add_subparsers(dest="motion_command", metavar="COMMAND", required=True)
    test = verbs.add_parser(
        "test", parents=[common], help="print the motion and queues a clip shows",
        description="Decode a clip file (or a stream URL) as fast as it decodes, analyse it "
                    "at the analysis rate with a camera's motion settings (or the defaults: "
                    "motion anywhere in the picture) and print each motion and congestion "
                    "event with its time in the clip. Exit 1 when the clip cannot be read "
                    "or the camera is unknown.",
    )
    test.add_argument("source", metavar="FILE-or-URL", help="a clip file or a stream URL")
    test.add_argument("--camera", metavar="ID",
                      help="use this camera's zones, lanes, masks and sensitivity")
    add_config_option(test, suppress=False)
    test.add_argument("--duration", type=seconds, metavar="S",
                      help="analyse at most this many seconds of the clip")
    test.add_argument("--json", action="store_true", help="print JSON")
    test.set_defaults(handler=_cmd_test)


def _camera_and_settings(args: argparse.Namespace) -> tuple[Camera, MotionSettings]:
    from videowall.motion.clip import CLIP_CAMERA, with_camera_motion
    from videowall.registry import load_registry
    from videowall.registry.motion import MotionSettings

    config: Path | None = args.config
    if args.camera is None and config is None:
        return CLIP_CAMERA, MotionSettings()
    registry = load_registry(config or default_config_path())
    if args.camera is None:
        return CLIP_CAMERA, registry.motion
    camera = registry.get(args.camera)
    if camera is None:
        raise unknown_name("camera", args.camera, [c.id for c in registry.cameras],
                           str(registry.source))
    return with_camera_motion(camera), registry.motion


def _cmd_test(args: argparse.Namespace) -> int:
    import sys

    from videowall.motion.clip import ClipError, analyse_clip, event_record

    camera, settings = _camera_and_settings(args)
    source = str(args.source)
    if "://" not in source and not Path(source).exists():
        print(f"videowall: cannot read {source}: no such file", file=sys.stderr)
        return 1
    try:
        run = analyse_clip(source, camera, settings, args.duration)
    except ClipError as exc:
        print(f"videowall: cannot read {mask_url(source)}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json([event_record(e) for e in run.events])
    else:
        for line in clip_lines(run):
            print_line(line)
    return 0


def _when(t: float | None) -> str:
    return "…" if t is None else f"{t:.2f} s"


def _row(event: MotionEvent | CongestionEvent) -> tuple[str, str, str, str, str]:
    from videowall.motion.events import MotionEvent

    if isinstance(event, MotionEvent):
        x, y, w, h = event.box
        detail = f"box x {x:.2f} y {y:.2f} w {w:.2f} h {h:.2f}"
        if not event.alerting:
            detail += " (outside the schedule: no alert)"
        return _when(event.t), _when(event.end_t), "motion", event.zone, detail
    return _when(event.t), _when(event.end_t), "congestion", event.lane, event.detail


def clip_lines(run: ClipRun) -> list[str]:
    """``videowall motion test`` as text: a summary, then one line per event."""
    from videowall.motion.events import MotionEvent

    motion = sum(isinstance(e, MotionEvent) for e in run.events)
    queues = len(run.events) - motion
    lines = [f"{plural(motion, 'motion event')}, {plural(queues, 'queue')} in "
             f"{run.seconds:.1f} s of clip ({plural(run.analysed, 'picture')} analysed)"]
    if not run.events:
        return lines
    return lines + aligned(("FROM", "TO", "KIND", "WHERE", "DETAIL"),
                           [_row(e) for e in run.events])
