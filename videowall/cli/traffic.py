"""``videowall traffic``: each traffic lane's minutes as the wall measured them (occupancy,
movement, congestion) and a summary per lane, read from the store, so the command centre
can say whether traffic at a road point flowed or piled up."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
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
    from videowall.store import LaneMinute, Store, StoredCamera

_MINUTE = timedelta(minutes=1)


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """``traffic``."""
    traffic = commands.add_parser(
        "traffic", parents=[common], help="print each traffic lane's minutes from the store",
        description="Print, per camera and lane, a line per minute the wall measured "
                    "(local time, occupancy, moving, congested seconds) and a summary per "
                    "lane (minutes measured, mean occupancy, minutes congested, longest "
                    "queue). Exit 1 for a camera or site the store does not know, 2 when "
                    "the store cannot be read.",
    )
    traffic.add_argument("--site", metavar="S",
                         help="only the cameras of this site, as the registry places them")
    traffic.add_argument("--camera", metavar="ID", help="only this camera")
    add_since_option(traffic, "how far back", default="1h")
    add_read_store_option(traffic)
    traffic.add_argument("--json", action="store_true", help="print JSON")
    traffic.set_defaults(handler=_cmd_traffic)


def _cmd_traffic(args: argparse.Namespace) -> int:
    return on_store(args, "the lane occupancy lives", lambda store: _traffic(store, args))


# -- what a lane's minutes add up to ---------------------------------------------------------


@dataclass(frozen=True)
class LaneSummary:
    """What a lane's minutes add up to.

    A queue is a stretch of consecutive measured minutes each congested (a minute missing
    from the measurements ends it); its length is the congested seconds summed over the
    stretch.
    """

    minutes: int
    first: datetime
    last: datetime
    mean_occupancy: float
    mean_moving: float
    #: Minutes with any congestion.
    minutes_congested: int
    #: Congested seconds in all.
    congested_s: float
    longest_queue_s: float
    #: The first minute of the longest queue (None: no congestion at all).
    longest_queue_from: datetime | None
    longest_queue_minutes: int


@dataclass(frozen=True)
class Lane:
    """One lane of one camera, with its minutes (oldest first) and their summary."""

    camera: str
    name: str | None
    site: str | None
    lane: str
    minutes: tuple[LaneMinute, ...]
    summary: LaneSummary


def summarise(minutes: Sequence[LaneMinute]) -> LaneSummary:
    """The summary of one lane's minutes, oldest first (ValueError if there are none)."""
    if not minutes:
        raise ValueError("a lane summary needs a minute")
    best: tuple[float, datetime | None, int] = (0.0, None, 0)
    run: tuple[float, datetime | None, int] = (0.0, None, 0)
    previous: datetime | None = None
    for item in minutes:
        if item.congested_s <= 0:
            run = (0.0, None, 0)
        elif run[1] is not None and previous is not None and item.minute - previous == _MINUTE:
            run = (run[0] + item.congested_s, run[1], run[2] + 1)
        else:
            run = (item.congested_s, item.minute, 1)
        if run[0] > best[0]:
            best = run
        previous = item.minute
    count = len(minutes)
    return LaneSummary(
        minutes=count,
        first=minutes[0].minute,
        last=minutes[-1].minute,
        mean_occupancy=sum(m.occupancy for m in minutes) / count,
        mean_moving=sum(m.moving for m in minutes) / count,
        minutes_congested=sum(1 for m in minutes if m.congested_s > 0),
        congested_s=sum(m.congested_s for m in minutes),
        longest_queue_s=best[0],
        longest_queue_from=best[1],
        longest_queue_minutes=best[2],
    )


def lanes_of(minutes: Sequence[LaneMinute],
             cameras: dict[str, StoredCamera] | None = None) -> list[Lane]:
    """``minutes`` (ordered by camera, lane and minute, as the store reads them) by lane,
    each with its camera's name and site from the registry mirror where it knows them."""
    known = cameras or {}
    lanes = []
    for (camera_id, lane), group in groupby(minutes, key=lambda m: (m.camera_id, m.lane)):
        items = tuple(group)
        camera = known.get(camera_id)
        lanes.append(Lane(camera_id, camera.name if camera else None,
                          camera.site_id if camera else None, lane, items, summarise(items)))
    return lanes


# -- the command ------------------------------------------------------------------------------


def _traffic(store: Store, args: argparse.Namespace) -> int:
    from videowall.store import cameras, lane_camera_ids, lane_minutes, site_ids

    stored = {camera.id: camera for camera in cameras(store, include_removed=True)}
    if args.site is not None:
        sites = set(site_ids(store)) | {c.site_id for c in stored.values() if c.site_id}
        if args.site not in sites:
            raise unknown_name("site", args.site, sorted(sites), f"the store {store.where}")
    if args.camera is not None:
        known = set(stored) | set(lane_camera_ids(store))
        if args.camera not in known:
            raise unknown_name("camera", args.camera, sorted(known), f"the store {store.where}")
    since: datetime | None = args.since
    lanes = lanes_of(lane_minutes(store, site=args.site, camera=args.camera, since=since),
                     stored)
    if args.json:
        print_json(traffic_record(lanes, since=since, site=args.site, camera=args.camera))
    else:
        for line in traffic_lines(lanes, since=since, site=args.site, camera=args.camera):
            print_line(line)
    return 0


# -- what it prints ---------------------------------------------------------------------------


def traffic_record(lanes: Sequence[Lane], *, since: datetime | None = None,
                   site: str | None = None, camera: str | None = None) -> dict[str, Any]:
    """``videowall traffic --json``: the filters, and per lane its minutes and summary.
    Times in UTC (ISO 8601); shares 0..1 to 4 decimals; seconds to 3."""
    return {
        "since": None if since is None else utc_iso(since),
        "site": site,
        "camera": camera,
        "lanes": [
            {
                "camera": lane.camera,
                "name": lane.name,
                "site": lane.site,
                "lane": lane.lane,
                "minutes": [
                    {"minute": utc_iso(m.minute), "occupancy": round(m.occupancy, 4),
                     "moving": round(m.moving, 4), "congested_s": round(m.congested_s, 3)}
                    for m in lane.minutes
                ],
                "summary": _summary_record(lane.summary),
            }
            for lane in lanes
        ],
    }


def _summary_record(summary: LaneSummary) -> dict[str, Any]:
    start = summary.longest_queue_from
    return {
        "minutes": summary.minutes,
        "first": utc_iso(summary.first),
        "last": utc_iso(summary.last),
        "mean_occupancy": round(summary.mean_occupancy, 4),
        "mean_moving": round(summary.mean_moving, 4),
        "minutes_congested": summary.minutes_congested,
        "congested_s": round(summary.congested_s, 3),
        "longest_queue_s": round(summary.longest_queue_s, 3),
        "longest_queue_from": None if start is None else utc_iso(start),
        "longest_queue_minutes": summary.longest_queue_minutes,
    }


def traffic_lines(lanes: Sequence[Lane], *, since: datetime | None = None,
                  site: str | None = None, camera: str | None = None) -> list[str]:
    """``videowall traffic`` as text: a title, then per lane a heading, a line per minute
    and its summary."""
    window = f"since {local_time(since)}" if since is not None else "all recorded"
    scope = "".join([f" of camera {camera}" if camera else "",
                     f" at site {site}" if site else ""])
    if not lanes:
        return [f"no lane occupancy{scope} {window} ({local_zone()})"]
    cameras = len({lane.camera for lane in lanes})
    lines = [f"lane occupancy{scope} {window} ({local_zone()}): "
             f"{plural(len(lanes), 'lane')} of {plural(cameras, 'camera')}"]
    for lane in lanes:
        title = f"{lane.name} ({lane.camera})" if lane.name else lane.camera
        where = f", site {lane.site}" if lane.site else ""
        lines += ["", f"{title}{where}, lane {lane.lane}"]
        rows = [(local_time(m.minute), _percent(m.occupancy), _percent(m.moving),
                 _seconds(m.congested_s)) for m in lane.minutes]
        lines += aligned(("MINUTE", "OCCUPANCY", "MOVING", "CONGESTED"), rows)
        lines += summary_words(lane.summary)
    return lines


def summary_words(summary: LaneSummary) -> list[str]:
    """A lane's summary in two lines::

        summary: 30 minutes measured (… to …), mean occupancy 42 %, moving 61 %
        congestion: 7 minutes congested (3 min 20 s in all), longest queue 2 min 10 s
        from … (3 minutes)
    """
    span = (local_time(summary.first) if summary.minutes == 1
            else f"{local_time(summary.first)} to {local_time(summary.last)}")
    measured = (f"summary: {plural(summary.minutes, 'minute')} measured ({span}), mean "
                f"occupancy {_percent(summary.mean_occupancy)}, moving "
                f"{_percent(summary.mean_moving)}")
    if summary.longest_queue_from is None:
        return [measured, "congestion: none"]
    return [measured,
            f"congestion: {plural(summary.minutes_congested, 'minute')} congested "
            f"({duration_words(summary.congested_s)} in all), longest queue "
            f"{duration_words(summary.longest_queue_s)} from "
            f"{local_time(summary.longest_queue_from)} "
            f"({plural(summary.longest_queue_minutes, 'minute')})"]


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if 0 < value < 10 else f"{round(value)} s"
