"""``videowall [run]``, ``videowall demo`` and ``videowall snapshot``: the commands that
show the wall (on a screen, or offscreen into a PNG)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

from videowall.cli.common import (
    CONFIG_RELATIVE,
    Commands,
    UsageError,
    add_alarm_tile_option,
    add_config_option,
    add_health_option,
    add_store_option,
    add_watch_option,
    alarm_kwargs,
    check_camera_ids,
    default_config_path,
    demo_config_path,
    grid_spec,
    id_list,
    pixel_size,
    print_line,
    seconds,
    store_url,
    with_health,
    with_watch,
)
from videowall.registry import load_registry
from videowall.registry.model import Registry
from videowall.util.logs import mask_url

log = logging.getLogger(__name__)


# -- the parsers ----------------------------------------------------------------------------------


def add_default_run(parser: argparse.ArgumentParser) -> None:
    """Without a command, ``videowall`` runs the wall: the run options on the top parser."""
    _add_run_options(parser, suppress=False)
    parser.set_defaults(handler=_cmd_run)


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """``run``, ``demo`` and ``snapshot``."""
    run = commands.add_parser("run", parents=[common], help="show the wall (the default)")
    _add_run_options(run, suppress=True)
    add_health_option(run)
    add_watch_option(run)
    run.set_defaults(handler=_cmd_run)

    demo = commands.add_parser(
        "demo", parents=[common], help="serve the demo cameras and show them on the wall",
        description="Serve generated clips as RTSP and HTTP streams on 127.0.0.1 and show "
                    f"the demo registry ({CONFIG_RELATIVE}) on the wall.",
    )
    demo.add_argument("--grid", type=grid_spec, metavar="SPEC", help="e.g. 4x4 or 1+5")
    demo.add_argument("--no-wall", action="store_true",
                      help="only serve the streams, until Ctrl+C")
    add_store_option(demo, suppress=False)
    add_alarm_tile_option(demo, suppress=False)
    add_health_option(demo)
    add_watch_option(demo, suppress=False)
    demo.set_defaults(handler=_cmd_demo)
    _add_snapshot(commands, common)


def _add_snapshot(commands: Commands, common: argparse.ArgumentParser) -> None:
    snap = commands.add_parser(
        "snapshot", parents=[common], help="run the wall offscreen; write a PNG and a report",
    )
    add_config_option(snap)
    snap.add_argument("--grid", type=grid_spec, required=True, metavar="SPEC")
    snap.add_argument("--cameras", type=id_list, metavar="ID,...",
                      help="cameras in tile order (default: the first enabled ones)")
    snap.add_argument("--duration", type=seconds, required=True, metavar="SECONDS")
    snap.add_argument("--out", type=Path, required=True, metavar="PNG")
    add_health_option(snap)
    add_watch_option(snap, suppress=False)
    snap.add_argument("--report", type=Path, required=True, metavar="JSON")
    snap.add_argument("--size", type=pixel_size, default=(1280, 720), metavar="WxH",
                      help="wall size in pixels (default 1280x720)")
    snap.add_argument("--demo", action="store_true",
                      help="serve the demo streams during the run")
    add_store_option(snap, suppress=False)
    add_alarm_tile_option(snap, suppress=False)
    snap.set_defaults(handler=_cmd_snapshot)


def _add_run_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    add_config_option(parser, suppress=suppress)
    parser.add_argument("--grid", type=grid_spec, default=default, metavar="SPEC",
                        help="grid, e.g. 3x3, 4x4, 1+5, 2+8")
    parser.add_argument("--cameras", type=id_list, default=default, metavar="ID,...",
                        help="cameras in tile order")
    parser.add_argument("--fullscreen", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help="fill the screen")
    add_store_option(parser, suppress=suppress)
    add_alarm_tile_option(parser, suppress=suppress)
    if not suppress:
        add_health_option(parser, suppress=False)
        add_watch_option(parser, suppress=False)


# -- the commands ---------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace) -> int:
    registry = with_watch(with_health(load_registry(args.config or default_config_path()), args),
                          args)
    camera_ids = check_camera_ids(registry, args.cameras)
    if args.grid is None:
        return _run_wall_with_store(args, registry, camera_ids=camera_ids,
                                    fullscreen=args.fullscreen, **alarm_kwargs(args))
    return _run_wall_with_store(args, registry, grid=args.grid, camera_ids=camera_ids,
                                fullscreen=args.fullscreen, **alarm_kwargs(args))


def _cmd_demo(args: argparse.Namespace) -> int:
    registry = with_watch(with_health(load_registry(demo_config_path()), args), args)
    if not args.no_wall:
        _check_display()
    simulator = _start_demo()
    try:
        if args.no_wall:
            print("demo streams are served on 127.0.0.1; Ctrl+C stops them", flush=True)
            _wait_for_interrupt()
            return 0
        from videowall.demo.registry import showcase
        from videowall.layout.grid import preset

        grid = args.grid or "3x3"
        ids = showcase(registry, len(preset(grid)))
        return _run_wall_with_store(args, registry, grid=grid, camera_ids=ids,
                                    **alarm_kwargs(args))
    finally:
        simulator.stop()


def _start_demo() -> Any:
    """The demo simulator, started; a UsageError in words when its ports are taken."""
    from videowall.demo.simulator import DemoSimulator, PortTakenError

    simulator = DemoSimulator()
    try:
        simulator.start()
    except PortTakenError as exc:
        raise UsageError(str(exc)) from None
    return simulator


def _wait_for_interrupt() -> None:
    forever = threading.Event()
    try:
        while not forever.wait(3600):
            pass
    except KeyboardInterrupt:
        log.info("interrupted: stopping the demo streams")


def _cmd_snapshot(args: argparse.Namespace) -> int:
    config = args.config or (demo_config_path() if args.demo else default_config_path())
    registry = with_watch(with_health(load_registry(config), args), args)
    camera_ids = check_camera_ids(registry, args.cameras)
    from videowall.ui.snapshot import run_snapshot

    simulator = _start_demo() if args.demo else None
    listener = _store_listener(args)
    try:
        report = run_snapshot(
            registry, grid=args.grid, camera_ids=camera_ids, duration=args.duration,
            out_png=args.out, report_json=args.report, size=args.size, listener=listener,
            **alarm_kwargs(args),
        )
    finally:
        if listener is not None:
            listener.close()
        if simulator is not None:
            simulator.stop()
    for line in tile_summaries(report):
        print_line(line)
    print(f"wrote {args.out} and {args.report}")
    return 0


def tile_summaries(report: dict[str, Any]) -> list[str]:
    """One line per tile of a snapshot report:
    ``tile 3: rp01-north live ffmpeg 250 frames 25.0 fps``."""
    lines: list[str] = []
    for tile in report.get("tiles", []):
        camera = tile.get("camera") or "-"
        line = (f"tile {tile.get('index', len(lines))}: {camera} {tile.get('state', '?')} "
                f"{tile.get('backend') or '-'} {tile.get('frames', 0)} frames "
                f"{float(tile.get('fps', 0.0)):.1f} fps")
        if tile.get("detail"):
            line += f" ({tile['detail']})"
        lines.append(mask_url(line))
    return lines


# -- the wall and its store -----------------------------------------------------------------------


def _store_listener(args: argparse.Namespace) -> Any:
    """What keeps the store in step with the wall (the registry mirror and the health
    log), or None."""
    url = store_url(args)
    if url is not None and url.lower() == "none":
        return None
    from videowall.store.writer import WallStore

    return WallStore(url)


def _check_display() -> None:
    """Say in words why a wall cannot show, instead of Qt's abort without a screen."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UsageError(
            "no screen to show the wall on (neither DISPLAY nor WAYLAND_DISPLAY is set): "
            "run it in a desktop session, or under a virtual screen with "
            "'xvfb-run -s \"-screen 0 1920x1080x24\" videowall ...'; over SSH, "
            "'videowall snapshot' shows what the wall would"
        )


def _run_wall_with_store(args: argparse.Namespace, registry: Registry, **kwargs: Any) -> int:
    _check_display()
    from videowall.ui.app import run_wall

    listener = _store_listener(args)
    try:
        return int(run_wall(registry, listener=listener, **kwargs))
    finally:
        if listener is not None:
            listener.close()
