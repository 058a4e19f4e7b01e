"""``videowall probe URL|CAMERA-ID``: open one stream and report what it delivers."""

from __future__ import annotations

import argparse

from videowall.cli.common import (
    Commands,
    add_config_option,
    check_camera_ids,
    default_config_path,
    print_json,
    print_line,
    seconds,
)
from videowall.registry import load_registry


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """``probe``."""
    probe = commands.add_parser(
        "probe", parents=[common], help="open one stream and report what it delivers",
    )
    probe.add_argument("target", metavar="URL|CAMERA-ID")
    add_config_option(probe, help_text="registry to look a camera id up in")
    probe.add_argument("--json", action="store_true", help="print JSON")
    probe.add_argument("--timeout", type=seconds, default=15.0, metavar="SECONDS",
                       help="give up after this long without a picture (default 15)")
    probe.set_defaults(handler=_cmd_probe)


def _cmd_probe(args: argparse.Namespace) -> int:
    target: str = args.target
    backend = "auto"
    if "://" in target or target.startswith("file:"):
        url = target
    else:
        registry = load_registry(args.config or default_config_path())
        check_camera_ids(registry, [target])
        camera = registry.get(target)
        assert camera is not None
        url, backend = camera.url, camera.backend
    from videowall.streams.probe import probe

    result = probe(url, backend=backend, timeout=args.timeout)
    if args.json:
        print_json(result)
    else:
        for key, value in result.items():
            print_line(f"{key}: {value}")
    return 0 if result.get("ok") else 1
