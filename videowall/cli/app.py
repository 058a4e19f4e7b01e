"""The ``videowall`` command line: the wall itself and the tools a technician runs over SSH.

``python main.py``, ``python -m videowall`` and the ``videowall`` console script all land in
:func:`main`. This module imports no Qt: each command imports what it needs when it runs,
so ``videowall cameras validate`` works on a box without a display or Qt at all.

Exit codes: 0 success; 1 a bad registry, an unknown camera, a failed probe; 2 a usage
error or a registry file that cannot be read; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from videowall import __version__
from videowall.layout.grid import preset
from videowall.registry import ConfigError, load_registry, read_registry, suggest
from videowall.registry.model import Camera, Registry
from videowall.util import memory
from videowall.util.logs import mask_url, setup_logging

if TYPE_CHECKING:
    from videowall.store.records import HealthEntry

log = logging.getLogger(__name__)

#: Where the registry lives, relative to the working directory or the repository.
CONFIG_RELATIVE = Path("config") / "cameras.yaml"
LOG_LEVELS = ("debug", "info", "warning", "error")


class UsageError(Exception):
    """A command line that names something that does not exist (exit code 1)."""


# -- where the registry is ---------------------------------------------------------------------


def repository_config_path() -> Path:
    """``config/cameras.yaml`` next to the package: the demo registry of a checkout."""
    return Path(__file__).resolve().parents[2] / CONFIG_RELATIVE


def default_config_path() -> Path:
    """The registry when ``--config`` is not given: ``./config/cameras.yaml``, else the
    one next to the package."""
    if CONFIG_RELATIVE.is_file():
        return CONFIG_RELATIVE
    repo = repository_config_path()
    return repo if repo.is_file() else CONFIG_RELATIVE


def demo_config_path() -> Path:
    """The demo registry: the one next to the package, else ``./config/cameras.yaml``."""
    repo = repository_config_path()
    return repo if repo.is_file() else CONFIG_RELATIVE


# -- argument types ------------------------------------------------------------------------------


def _grid_spec(text: str) -> str:
    try:
        return preset(text).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _id_list(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("expected camera ids separated by commas")
    return ids


def _health_setting(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        sep = ""
    if not sep:
        raise argparse.ArgumentTypeError("expected NAME=NUMBER, e.g. retry_cap_s=60")
    return name.strip(), number


def _add_health_option(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    parser.add_argument("--health", type=_health_setting, action="append",
                        default=argparse.SUPPRESS if suppress else None,
                        metavar="NAME=NUMBER",
                        help="change one setting of the registry's health section for this "
                             "run, e.g. stall_min_s=2 or connections_per_host=8 (repeatable)")


def _with_health(registry: Registry, args: argparse.Namespace) -> Registry:
    """``registry`` with the ``--health`` settings of the command line applied."""
    settings = dict(getattr(args, "health", None) or ())
    if not settings:
        return registry
    from dataclasses import replace

    from videowall.registry.health import with_settings

    try:
        health = with_settings(registry.health, settings)
    except ValueError as exc:
        raise UsageError(f"--health: {exc}") from None
    return replace(registry, health=health)


def _size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        size = (0, 0)
    if not sep or min(size) < 16:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, e.g. 1920x1080, not {text!r}")
    return size


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds (a number, 0 or more), not {text!r}")
    return value


_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$", re.IGNORECASE)
_AGE_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def _since(text: str) -> datetime | None:
    """``90s``, ``30m``, ``1h``, ``2d``, ``1w`` ago; a local date-time
    (``2024-05-01T08:00``, ``2024-05-01``); or ``all`` (None)."""
    if text.strip().lower() == "all":
        return None
    match = _AGE_RE.match(text)
    if match:
        seconds = float(match.group(1)) * _AGE_UNITS[match.group(2).lower()]
        return datetime.now(UTC) - timedelta(seconds=seconds)
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an age (90s, 30m, 1h, 2d, 1w), a date-time (2024-05-01T08:00) or "
            f"'all', not {text!r}"
        ) from None
    return when.astimezone(UTC)  # a time without a zone is local time


def _log_level(text: str) -> str:
    if text.lower() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(LOG_LEVELS)}")
    return text.lower()


# -- the parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (``--help`` shows them)."""
    # Options every command accepts; SUPPRESS keeps a value given before the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-level", type=_log_level, default=argparse.SUPPRESS,
                        metavar="LEVEL", help=f"one of {', '.join(LOG_LEVELS)} (default info)")

    parser = argparse.ArgumentParser(
        prog="videowall", description="Video wall for CCTV command centres.",
        epilog="Without a command, runs the wall (as 'videowall run').",
    )
    parser.add_argument("--version", action="version", version=f"videowall {__version__}")
    parser.add_argument("--log-level", type=_log_level, default="info", metavar="LEVEL",
                        help=f"one of {', '.join(LOG_LEVELS)} (default info)")
    _add_run_options(parser, suppress=False)
    parser.set_defaults(handler=_cmd_run)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", parents=[common], help="show the wall (the default)")
    _add_run_options(run, suppress=True)
    _add_health_option(run)
    run.set_defaults(handler=_cmd_run)

    demo = commands.add_parser(
        "demo", parents=[common], help="serve the demo cameras and show them on the wall",
        description="Serve generated clips as RTSP and HTTP streams on 127.0.0.1 and show "
                    f"the demo registry ({CONFIG_RELATIVE}) on the wall.",
    )
    demo.add_argument("--grid", type=_grid_spec, metavar="SPEC", help="e.g. 4x4 or 1+5")
    demo.add_argument("--no-wall", action="store_true",
                      help="only serve the streams, until Ctrl+C")
    _add_store_option(demo, suppress=False)
    _add_health_option(demo)
    demo.set_defaults(handler=_cmd_demo)

    snap = commands.add_parser(
        "snapshot", parents=[common], help="run the wall offscreen; write a PNG and a report",
    )
    snap.add_argument("--config", type=Path, default=argparse.SUPPRESS, metavar="FILE",
                      help=f"camera registry (default {CONFIG_RELATIVE})")
    snap.add_argument("--grid", type=_grid_spec, required=True, metavar="SPEC")
    snap.add_argument("--cameras", type=_id_list, metavar="ID,...",
                      help="cameras in tile order (default: the first enabled ones)")
    snap.add_argument("--duration", type=_seconds, required=True, metavar="SECONDS")
    snap.add_argument("--out", type=Path, required=True, metavar="PNG")
    _add_health_option(snap)
    snap.add_argument("--report", type=Path, required=True, metavar="JSON")
    snap.add_argument("--size", type=_size, default=(1280, 720), metavar="WxH",
                      help="wall size in pixels (default 1280x720)")
    snap.add_argument("--demo", action="store_true",
                      help="serve the demo streams during the run")
    snap.set_defaults(handler=_cmd_snapshot)

    cameras = commands.add_parser("cameras", parents=[common], help="check or list the registry")
    cam_commands = cameras.add_subparsers(dest="cameras_command", metavar="COMMAND",
                                          required=True)
    validate = cam_commands.add_parser(
        "validate", parents=[common], help="check a registry file",
        description="Exit 0 when the file is valid (warnings are printed), 1 with its "
                    "errors, 2 when it cannot be read.",
    )
    validate.add_argument("file", nargs="?", type=Path, metavar="FILE",
                          help=f"default {CONFIG_RELATIVE}")
    validate.set_defaults(handler=_cmd_cameras_validate)
    listing = cam_commands.add_parser("list", parents=[common], help="list the cameras")
    listing.add_argument("--config", type=Path, default=argparse.SUPPRESS, metavar="FILE",
                         help=f"camera registry (default {CONFIG_RELATIVE})")
    listing.add_argument("--site", metavar="SITE", help="only the cameras of this site")
    listing.add_argument("--agency", metavar="AGENCY", help="only this agency's cameras")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_cmd_cameras_list)
    schema = cam_commands.add_parser(
        "schema", parents=[common], help="print the registry's JSON Schema (for editors)",
        description="Print the JSON Schema of the registry file. Editors with a YAML "
                    "language server use it when the file starts with "
                    "'# yaml-language-server: $schema=PATH'.",
    )
    schema.set_defaults(handler=_cmd_cameras_schema)
    importing = cam_commands.add_parser(
        "import", parents=[common], help="turn a Frigate or go2rtc config into a registry",
        description="Read the cameras of a Frigate config (cameras with ffmpeg inputs: "
                    "role record -> main stream, detect -> sub stream) or of a go2rtc "
                    "config (streams) and write registry YAML. Parts the wall does not "
                    "use are reported as warnings; passwords become ${NAME} references.",
    )
    importing.add_argument("file", type=Path, metavar="FILE", help="Frigate or go2rtc YAML")
    importing.add_argument("--format", choices=("auto", "frigate", "go2rtc"), default="auto",
                           help="kind of FILE (default: auto)")
    importing.add_argument("--out", type=Path, metavar="FILE",
                           help="write the registry here (default: standard output)")
    importing.add_argument("--force", action="store_true", help="overwrite --out")
    importing.add_argument("--site", metavar="ID", help="site of the cameras (default: "
                                                        "frigate or go2rtc)")
    importing.add_argument("--site-name", metavar="NAME", help="display name of the site")
    importing.add_argument("--agency", metavar="ID", help="agency that owns the cameras")
    importing.add_argument("--host", metavar="HOST",
                           help="address of the machine that runs Frigate or go2rtc: "
                                "replaces its loopback addresses; go2rtc streams then use "
                                "its RTSP restream")
    importing.set_defaults(handler=_cmd_cameras_import)

    probe = commands.add_parser(
        "probe", parents=[common], help="open one stream and report what it delivers",
    )
    probe.add_argument("target", metavar="URL|CAMERA-ID")
    probe.add_argument("--config", type=Path, default=argparse.SUPPRESS, metavar="FILE",
                       help="registry to look a camera id up in")
    probe.add_argument("--json", action="store_true", help="print JSON")
    probe.add_argument("--timeout", type=_seconds, default=15.0, metavar="SECONDS",
                       help="give up after this long without a picture (default 15)")
    probe.set_defaults(handler=_cmd_probe)

    health = commands.add_parser(
        "health", parents=[common], help="print a camera's health history from the store",
        description="Print the state changes of a camera that the wall recorded in the "
                    "store: when (local time), the state, for how long, and why. Exit 1 for "
                    "a camera the store does not know, 2 when the store cannot be read.",
    )
    health.add_argument("--camera", required=True, metavar="ID", help="the camera's id")
    health.add_argument("--since", type=_since, default=_since("1d"), metavar="WHEN",
                        help="how far back: an age (90s, 30m, 1h, 2d, 1w), a local "
                             "date-time (2024-05-01T08:00) or 'all' (default 1d)")
    health.add_argument("--db", metavar="URL",
                        help="the store: an SQLAlchemy URL or a file (default $VIDEOWALL_DB, "
                             "else videowall.db in the user's data folder)")
    health.add_argument("--json", action="store_true", help="print JSON")
    health.set_defaults(handler=_cmd_health)

    bench = commands.add_parser("bench", help="measure the wall's CPU cost (see 'bench --help')",
                                add_help=False, prefix_chars="\0")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench.set_defaults(handler=_cmd_bench)
    return parser


def _add_run_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", type=Path, default=default, metavar="FILE",
                        help=f"camera registry (default {CONFIG_RELATIVE})")
    parser.add_argument("--grid", type=_grid_spec, default=default, metavar="SPEC",
                        help="grid, e.g. 3x3, 4x4, 1+5, 2+8")
    parser.add_argument("--cameras", type=_id_list, default=default, metavar="ID,...",
                        help="cameras in tile order")
    parser.add_argument("--fullscreen", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help="fill the screen")
    _add_store_option(parser, suppress=suppress)
    if not suppress:
        _add_health_option(parser, suppress=False)


def _add_store_option(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    parser.add_argument("--db", default=argparse.SUPPRESS if suppress else None, metavar="URL",
                        help="store the registry is mirrored into: an SQLAlchemy URL or a "
                             "file, 'none' for no store (default $VIDEOWALL_DB, else "
                             "videowall.db in the user's data folder)")


def _store_url(args: argparse.Namespace) -> str | None:
    """The store's URL: ``--db``, else ``$VIDEOWALL_DB``, else None (the default file)."""
    return getattr(args, "db", None) or os.environ.get("VIDEOWALL_DB") or None


def _store_listener(args: argparse.Namespace) -> Any:
    """What keeps the store in step with the wall (the registry mirror and the health
    log), or None."""
    url = _store_url(args)
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


# -- entry point ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    setup_logging(args.log_level.upper())
    memory.limit_arenas()  # before any decoder thread starts
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2 if exc.unreadable else 1
    except UsageError as exc:
        print(f"videowall: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("videowall: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`videowall cameras list | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


# -- commands -------------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace) -> int:
    registry = _with_health(load_registry(args.config or default_config_path()), args)
    camera_ids = _check_camera_ids(registry, args.cameras)
    if args.grid is None:
        return _run_wall_with_store(args, registry, camera_ids=camera_ids,
                                    fullscreen=args.fullscreen)
    return _run_wall_with_store(args, registry, grid=args.grid, camera_ids=camera_ids,
                                fullscreen=args.fullscreen)


def _cmd_demo(args: argparse.Namespace) -> int:
    registry = _with_health(load_registry(demo_config_path()), args)
    if not args.no_wall:
        _check_display()
    from videowall.demo.simulator import DemoSimulator

    simulator = DemoSimulator()
    simulator.start()
    try:
        if args.no_wall:
            print("demo streams are served on 127.0.0.1; Ctrl+C stops them", flush=True)
            _wait_for_interrupt()
            return 0
        from videowall.demo.registry import showcase
        from videowall.layout.grid import preset

        grid = args.grid or "3x3"
        ids = showcase(registry, len(preset(grid)))
        return _run_wall_with_store(args, registry, grid=grid, camera_ids=ids)
    finally:
        simulator.stop()


def _wait_for_interrupt() -> None:
    forever = threading.Event()
    try:
        while not forever.wait(3600):
            pass
    except KeyboardInterrupt:
        log.info("interrupted: stopping the demo streams")


def _cmd_snapshot(args: argparse.Namespace) -> int:
    config = args.config or (demo_config_path() if args.demo else default_config_path())
    registry = _with_health(load_registry(config), args)
    camera_ids = _check_camera_ids(registry, args.cameras)
    from videowall.ui.snapshot import run_snapshot

    simulator = None
    if args.demo:
        from videowall.demo.simulator import DemoSimulator

        simulator = DemoSimulator()
        simulator.start()
    try:
        report = run_snapshot(
            registry, grid=args.grid, camera_ids=camera_ids, duration=args.duration,
            out_png=args.out, report_json=args.report, size=args.size,
        )
    finally:
        if simulator is not None:
            simulator.stop()
    for line in tile_summaries(report):
        print(line)
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


def _cmd_cameras_validate(args: argparse.Namespace) -> int:
    path = args.file or default_config_path()
    try:
        check = read_registry(path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    for issue in check.issues:
        print(issue, file=sys.stderr)
    errors, warnings = len(check.errors), len(check.warnings)
    if check.registry is None:
        print(f"{path}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}",
              file=sys.stderr)
        return 1
    reg = check.registry
    disabled = sum(1 for cam in reg.cameras if not cam.enabled)
    summary = (f"{path}: valid: {_plural(len(reg.cameras), 'camera')}"
               + (f" ({disabled} disabled)" if disabled else "")
               + f", {_plural(len(reg.sites), 'site')}, "
               + f"{_plural(len(reg.agencies), 'agency', 'agencies')}")
    if warnings:
        summary += f", {_plural(warnings, 'warning')}"
    print(summary)
    return 0


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _cmd_cameras_list(args: argparse.Namespace) -> int:
    registry = load_registry(args.config or default_config_path())
    cameras = list(registry.cameras)
    if args.site is not None:
        _check_known(args.site, {c.site for c in cameras} | set(registry.sites), "site")
        cameras = [c for c in cameras if c.site == args.site]
    if args.agency is not None:
        _check_known(args.agency, {c.agency for c in cameras} | set(registry.agencies),
                     "agency")
        cameras = [c for c in cameras if c.agency == args.agency]
    if args.json:
        json.dump([camera_record(c) for c in cameras], sys.stdout, indent=2,
                  ensure_ascii=False)
        print()
    else:
        print_table(cameras, sys.stdout)
    return 0


def _cmd_cameras_schema(args: argparse.Namespace) -> int:
    from videowall.registry.schema import schema_json

    sys.stdout.write(schema_json())
    return 0


def _cmd_cameras_import(args: argparse.Namespace) -> int:
    from videowall.registry.importers import read_import

    out: Path | None = args.out
    if out is not None and out.exists() and not args.force:
        raise UsageError(f"{out} exists: give another name, or --force to overwrite it")
    result = read_import(
        args.file, fmt=None if args.format == "auto" else args.format, site=args.site,
        site_name=args.site_name, agency=args.agency, host=args.host,
    )
    for issue in result.warnings:
        print(issue, file=sys.stderr)
    if out is None:
        sys.stdout.write(result.text)
    else:
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(result.text, encoding="utf-8")
        tmp.replace(out)
    where = f" to {out}" if out is not None else ""
    print(f"{args.file}: imported {_plural(len(result.cameras), 'camera')}{where}"
          + (f", {_plural(len(result.warnings), 'warning')}" if result.warnings else ""),
          file=sys.stderr)
    return 0


def camera_record(camera: Camera) -> dict[str, Any]:
    """A camera as ``cameras list --json`` shows it (URLs masked)."""
    location = camera.location
    return {
        "id": camera.id,
        "name": camera.name,
        "site": camera.site,
        "agency": camera.agency,
        "backend": camera.backend,
        "url": camera.safe_url,
        "sub_url": camera.safe_sub_url,
        "location": {"lat": location.lat, "lon": location.lon} if location else None,
        "heading": camera.heading,
        "tags": list(camera.tags),
        "enabled": camera.enabled,
        "priority": camera.priority,
        "motion": camera.motion.enabled,
    }


def print_table(cameras: Sequence[Camera], out: TextIO) -> None:
    """Cameras as aligned columns: id, name, site, agency, backend, URL (masked)."""
    header = ("ID", "NAME", "SITE", "AGENCY", "BACKEND", "URL")
    rows = [(c.id, c.name, c.site, c.agency or "-", c.backend,
             c.safe_url + ("" if c.enabled else "  (disabled)")) for c in cameras]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip(), file=out)


def _check_known(value: str, known: set[str], what: str) -> None:
    if value not in known:
        match = suggest(value, sorted(known))
        hint = f" (did you mean {match!r}?)" if match else ""
        raise UsageError(f"no {what} {value!r} in the registry{hint}")


def _check_camera_ids(registry: Registry, ids: Sequence[str] | None) -> list[str] | None:
    if ids is None:
        return None
    known = [c.id for c in registry.cameras]
    for camera_id in ids:
        if camera_id not in known:
            match = suggest(camera_id, known)
            hint = f" (did you mean {match!r}?)" if match else ""
            raise UsageError(f"no camera {camera_id!r} in {registry.source}{hint}")
    return list(ids)


def _cmd_probe(args: argparse.Namespace) -> int:
    target: str = args.target
    backend = "auto"
    if "://" in target or target.startswith("file:"):
        url = target
    else:
        registry = load_registry(args.config or default_config_path())
        _check_camera_ids(registry, [target])
        camera = registry.get(target)
        assert camera is not None
        url, backend = camera.url, camera.backend
    from videowall.streams.probe import probe

    result = probe(url, backend=backend, timeout=args.timeout)
    if args.json:
        print(mask_url(json.dumps(result, indent=2, default=str, ensure_ascii=False)))
    else:
        for key, value in result.items():
            print(mask_url(f"{key}: {value}"))
    return 0 if result.get("ok") else 1


def _cmd_health(args: argparse.Namespace) -> int:
    from videowall.store import (
        SCHEMA_VERSION,
        Store,
        StoreError,
        cameras,
        health_before,
        health_camera_ids,
        health_history,
    )

    url = _store_url(args)
    if url is not None and url.lower() == "none":
        raise UsageError("--db none: the health log lives in the store; name one")
    since: datetime | None = args.since
    try:
        with Store(url) as store:
            if store.path is not None and not store.path.is_file():
                print(f"videowall: no store at {store.where}: the wall creates it when it "
                      "first runs (see --db)", file=sys.stderr)
                return 2
            version = store.schema_version()
            if version is None:
                print(f"videowall: the store {store.where} holds no videowall tables",
                      file=sys.stderr)
                return 2
            if version < SCHEMA_VERSION:
                store.create()  # a store of an older videowall gains the health log
            known = {camera.id: camera.name for camera in cameras(store, include_removed=True)}
            logged = health_camera_ids(store)
            if args.camera not in known and args.camera not in logged:
                match = suggest(args.camera, sorted(set(known) | set(logged)))
                hint = f" (did you mean {match!r}?)" if match else ""
                raise UsageError(f"no camera {args.camera!r} in the store {store.where}{hint}")
            entries = health_history(store, args.camera, since)
            before = health_before(store, args.camera, since) if since is not None else None
    except StoreError as exc:
        print(f"videowall: {exc}", file=sys.stderr)
        return 2
    name = known.get(args.camera)
    if args.json:
        print(mask_url(json.dumps(
            health_record(args.camera, name, since, before, entries), indent=2,
            ensure_ascii=False)))
    else:
        for line in health_lines(args.camera, name, since, before, entries):
            print(mask_url(line))
    return 0


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration_words(seconds: float) -> str:
    """``0.4 s``, ``45 s``, ``3 min 12 s``, ``2 h 05 min``, ``3 d 4 h``."""
    if seconds < 10:
        return f"{max(0.0, seconds):.1f} s"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def health_record(camera_id: str, name: str | None, since: datetime | None,
                  before: HealthEntry | None, entries: Sequence[HealthEntry]) -> dict[str, Any]:
    """``videowall health --json``: times in UTC (ISO 8601); ``duration_s`` is how long a
    state lasted (null for the last one); ``before`` the state at ``since``."""

    def entry(item: HealthEntry, until: datetime | None) -> dict[str, Any]:
        return {
            "at": item.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "state": item.state,
            "reason": item.reason,
            "duration_s": None if until is None else round((until - item.at).total_seconds(), 3),
        }

    ends: list[datetime | None] = [e.at for e in entries[1:]]
    ends.append(None)
    return {
        "camera": camera_id,
        "name": name,
        "since": None if since is None else since.astimezone(UTC).isoformat().replace(
            "+00:00", "Z"),
        "before": None if before is None else entry(
            before, entries[0].at if entries else None),
        "entries": [entry(e, end) for e, end in zip(entries, ends, strict=True)],
    }


def health_lines(camera_id: str, name: str | None, since: datetime | None,
                 before: HealthEntry | None, entries: Sequence[HealthEntry]) -> list[str]:
    """``videowall health`` as text: a header, then one line per state change."""
    title = f"{name} ({camera_id})" if name else camera_id
    zone = datetime.now().astimezone().strftime("%z")
    zone = f"local time, UTC{zone[:3]}:{zone[3:]}" if zone else "local time"
    window = f"since {_local(since)}" if since is not None else "all recorded"
    lines = [f"{title}: {_plural(len(entries), 'state change')} {window} ({zone})"]
    if before is not None:
        reason = f" — {before.reason}" if before.reason else ""
        lines.append(f"before that: {before.state} since {_local(before.at)}{reason}")
    if not entries:
        return lines
    rows = []
    for index, item in enumerate(entries):
        end = entries[index + 1].at if index + 1 < len(entries) else None
        lasted = _duration_words((end - item.at).total_seconds()) if end else "—"
        rows.append((_local(item.at), item.state, lasted, item.reason))
    header = ("TIME", "STATE", "FOR", "REASON")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    return lines


def _cmd_bench(args: argparse.Namespace) -> int:
    from videowall.bench.decode import main as bench_main

    return bench_main(list(args.bench_args))
