"""``videowall health --camera ID``: a camera's health history, as the wall recorded it in
the store."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from videowall.cli.common import (
    Commands,
    add_read_store_option,
    add_since_option,
    aligned,
    duration_words,
    local_time,
    local_zone,
    on_store,
    plural,
    print_json,
    print_line,
    unknown_name,
    utc_iso,
)

if TYPE_CHECKING:
    from videowall.store import Store
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
    add_since_option(health, "how far back")
    add_read_store_option(health)
    health.add_argument("--json", action="store_true", help="print JSON")
    health.set_defaults(handler=_cmd_health)


def _cmd_health(args: argparse.Namespace) -> int:
    return on_store(args, "the health log lives", lambda store: _health(store, args))


def _health(store: Store, args: argparse.Namespace) -> int:
    from videowall.store import cameras, health_before, health_camera_ids, health_history

    since: datetime | None = args.since
    known = {camera.id: camera.name for camera in cameras(store, include_removed=True)}
    logged = health_camera_ids(store)
    if args.camera not in known and args.camera not in logged:
        raise unknown_name("camera", args.camera, sorted(set(known) | set(logged)),
                           f"the store {store.where}")
    entries = health_history(store, args.camera, since)
    before = health_before(store, args.camera, since) if since is not None else None
    name = known.get(args.camera)
    if args.json:
        print_json(health_record(args.camera, name, since, before, entries))
    else:
        for line in health_lines(args.camera, name, since, before, entries):
            print_line(line)
    return 0


def health_record(camera_id: str, name: str | None, since: datetime | None,
                  before: HealthEntry | None, entries: Sequence[HealthEntry]) -> dict[str, Any]:
    """``videowall health --json``: times in UTC (ISO 8601); ``duration_s`` is how long a
    state lasted (null for the last one); ``before`` the state at ``since``."""

    def entry(item: HealthEntry, until: datetime | None) -> dict[str, Any]:
        return {
            "at": utc_iso(item.at),
            "state": item.state,
            "reason": item.reason,
            "duration_s": None if until is None else round((until - item.at).total_seconds(), 3),
        }

    ends: list[datetime | None] = [e.at for e in entries[1:]]
    ends.append(None)
    return {
        "camera": camera_id,
        "name": name,
        "since": None if since is None else utc_iso(since),
        "before": None if before is None else entry(
            before, entries[0].at if entries else None),
        "entries": [entry(e, end) for e, end in zip(entries, ends, strict=True)],
    }


def health_lines(camera_id: str, name: str | None, since: datetime | None,
                 before: HealthEntry | None, entries: Sequence[HealthEntry]) -> list[str]:
    """``videowall health`` as text: a header, then one line per state change."""
    title = f"{name} ({camera_id})" if name else camera_id
    window = f"since {local_time(since)}" if since is not None else "all recorded"
    lines = [f"{title}: {plural(len(entries), 'state change')} {window} ({local_zone()})"]
    if before is not None:
        reason = f" — {before.reason}" if before.reason else ""
        lines.append(f"before that: {before.state} since {local_time(before.at)}{reason}")
    if not entries:
        return lines
    rows = []
    for index, item in enumerate(entries):
        end = entries[index + 1].at if index + 1 < len(entries) else None
        lasted = duration_words((end - item.at).total_seconds()) if end else "—"
        rows.append((local_time(item.at), item.state, lasted, item.reason))
    return lines + aligned(("TIME", "STATE", "FOR", "REASON"), rows)
