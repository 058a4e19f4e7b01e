"""What the store's writer could not write before the wall closed, kept in a file next to
the store (``videowall.db.pending.jsonl``) and written at the next start.

One JSON object a line: a health-log entry (``"kind": "health"``), a minute of a traffic
lane (``"kind": "lane"``, since schema 4; files written before hold none) or a step of an
alert with the alert as it stood (``"kind": "alert"``). Nothing else goes there: no
registry, no URL, no password. The file is readable by its owner only.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from videowall.store.lanes import check_lane_minute
from videowall.store.records import (
    Alert,
    AlertChange,
    AlertState,
    HealthEntry,
    LaneMinute,
    StoreError,
)
from videowall.store.store import Store

log = logging.getLogger(__name__)

SUFFIX = ".pending.jsonl"
#: A spill file larger than this is not read (it was not written by a writer).
MAX_BYTES = 64 * 1024 * 1024

#: What is kept: a health-log entry, a lane minute, or an alert with one step of it.
Kept = HealthEntry | LaneMinute | tuple[Alert, AlertChange]


def spill_path(url: str | None) -> Path | None:
    """The spill file of the store at ``url``; None when the store is not a file."""
    try:
        path = Store(url).path
    except StoreError:
        return None
    return None if path is None else path.with_name(path.name + SUFFIX)


def save(path: Path, kept: Iterable[Kept]) -> int:
    """Write ``kept`` to ``path`` (replacing it, at once); returns how many."""
    lines = [json.dumps(_encode(item), ensure_ascii=False) for item in kept]
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return len(lines)


def load(path: Path) -> list[Kept]:
    """What ``path`` keeps; [] when there is no such file. Lines that cannot be read are
    said (FILE:LINE) and left out."""
    try:
        if not path.is_file():
            return []
        if path.stat().st_size > MAX_BYTES:
            log.warning("%s: larger than %d MB, not read", path, MAX_BYTES // 2**20)
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        log.warning("%s: cannot be read (%s)", path, exc.strerror or exc)
        return []
    kept: list[Kept] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            kept.append(_decode(json.loads(line)))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("%s:%d: not a kept entry, left out (%s)", path, number,
                        type(exc).__name__)
    return kept


def _encode(item: Kept) -> dict[str, Any]:
    if isinstance(item, HealthEntry):
        return {"kind": "health", **_plain(dataclasses.asdict(item))}
    if isinstance(item, LaneMinute):
        return {"kind": "lane", **_plain(dataclasses.asdict(item))}
    alert, change = item
    return {"kind": "alert", "alert": _plain(dataclasses.asdict(alert)),
            "change": _plain(dataclasses.asdict(change))}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else
            list(value) if isinstance(value, tuple) else value
            for key, value in values.items()}


def _decode(data: dict[str, Any]) -> Kept:
    if data["kind"] == "health":
        return HealthEntry(camera_id=str(data["camera_id"]), at=_time(data["at"]),
                           state=str(data["state"]), reason=str(data.get("reason", "")))
    if data["kind"] == "lane":
        return check_lane_minute(LaneMinute(
            camera_id=str(data["camera_id"]), lane=str(data["lane"]),
            minute=_time(data["minute"]), occupancy=_number(data["occupancy"]),
            moving=_number(data["moving"]), congested_s=_number(data["congested_s"])))
    if data["kind"] != "alert":
        raise ValueError(data["kind"])
    return _alert(data["alert"]), _change(data["change"])


def _alert(data: dict[str, Any]) -> Alert:
    times = {"first_at", "last_at", "acknowledged_at", "resolved_at"}
    values: dict[str, Any] = {
        key: _time(value) if key in times and value is not None else value
        for key, value in data.items()
    }
    values["state"] = AlertState(values["state"])
    values["members"] = tuple(values.get("members", ()))
    return Alert(**values)


def _change(data: dict[str, Any]) -> AlertChange:
    values = dict(data)
    values["at"] = _time(values["at"])
    values["state"] = AlertState(values["state"])
    return AlertChange(**values)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _time(value: object) -> datetime:
    at = datetime.fromisoformat(str(value))
    if at.tzinfo is None:
        raise ValueError("a time without its zone")
    return at
