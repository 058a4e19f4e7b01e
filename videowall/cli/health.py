"""``videowall health --camera ID``: a camera's health history, as the wall recorded it in
the store."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from videowall.cli.common import Commands, UsageError, aligned, plural, since_time, store_url
from videowall.registry import suggest
from videowall.util.logs import mask_url

if TYPE_CHECKING:
    from videowall.store.records import HealthEntry


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """``health``."""
    health = commands.add_parser(
        "health", parents=[common], help="print a camera's health history from the store",
        description="Print the state changes of a camera that the wall recorded in the "
                    "store: when (local time), the state, for how long, and why. Exit 1 for "
                    "a camera the store does not know, 2 when the store cannot be read.",
    )
    health.add_argument("--camera", required=True, metavar="ID", help="the camera's id")
    health.add_argument("--since", type=since_time, default=since_time("1d"), metavar="WHEN",
                        help="how far back: an age (90s, 30m, 1h, 2d, 1w), a local "
                             "date-time (2024-05-01T08:00) or 'all' (default 1d)")
    health.add_argument("--db", metavar="URL",
                        help="the store: an SQLAlchemy URL or a file (default $VIDEOWALL_DB, "
                             "else videowall.db in the user's data folder)")
    health.add_argument("--json", action="store_true", help="print JSON")
    health.set_defaults(handler=_cmd_health)


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

    url = store_url(args)
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
    lines = [f"{title}: {plural(len(entries), 'state change')} {window} ({zone})"]
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
    return lines + aligned(("TIME", "STATE", "FOR", "REASON"), rows)
