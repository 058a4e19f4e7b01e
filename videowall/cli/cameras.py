"""``videowall cameras validate | list | schema | import``: the registry, checked, listed,
described for editors, and made from another program's config."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from videowall.cli.common import (
    CONFIG_RELATIVE,
    Commands,
    UsageError,
    add_config_option,
    aligned,
    default_config_path,
    plural,
    print_json,
    print_line,
)
from videowall.registry import ConfigError, load_registry, read_registry, suggest
from videowall.registry.model import Camera

# -- the parsers ----------------------------------------------------------------------------------


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """``cameras`` and its subcommands."""
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
    add_config_option(listing)
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
    _add_import(cam_commands, common)


def _add_import(cam_commands: Commands, common: argparse.ArgumentParser) -> None:
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


# -- the commands ---------------------------------------------------------------------------------


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
        print(f"{path}: {plural(errors, 'error')}, {plural(warnings, 'warning')}",
              file=sys.stderr)
        return 1
    reg = check.registry
    disabled = sum(1 for cam in reg.cameras if not cam.enabled)
    summary = (f"{path}: valid: {plural(len(reg.cameras), 'camera')}"
               + (f" ({disabled} disabled)" if disabled else "")
               + f", {plural(len(reg.sites), 'site')}, "
               + f"{plural(len(reg.agencies), 'agency', 'agencies')}")
    if warnings:
        summary += f", {plural(warnings, 'warning')}"
    print(summary)
    return 0


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
        print_json([camera_record(c) for c in cameras])
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
    print(f"{args.file}: imported {plural(len(result.cameras), 'camera')}{where}"
          + (f", {plural(len(result.warnings), 'warning')}" if result.warnings else ""),
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
    for line in aligned(header, rows):
        print_line(line, file=out)


def _check_known(value: str, known: set[str], what: str) -> None:
    if value not in known:
        match = suggest(value, sorted(known))
        hint = f" (did you mean {match!r}?)" if match else ""
        raise UsageError(f"no {what} {value!r} in the registry{hint}")
