"""Plain values the store hands out: safe to pass between threads and to show anywhere.

Nothing here touches SQLAlchemy or a session; every URL in these values is masked.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

ChangeKind = Literal["added", "updated", "disabled", "removed", "restored"]
Entity = Literal["camera", "site", "agency"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("added", "updated", "disabled", "removed", "restored")


class StoreError(Exception):
    """The store could not do what was asked; the message names the store and the reason.

    ``where`` is the database file (or the URL with its password masked), ``action`` what
    was being done ("sync the camera registry into", "read", ...), ``reason`` what went
    wrong in words. Nothing was written by the failed call.
    """

    def __init__(self, where: str, action: str, reason: str) -> None:
        self.where = where
        self.action = action
        self.reason = reason
        super().__init__(f"cannot {action} the store {where}: {reason}")


@dataclass(frozen=True)
class Change:
    """One change of a camera, site or agency recorded by a registry sync."""

    at: datetime
    kind: ChangeKind
    entity: Entity
    #: The id of the camera, site or agency.
    subject: str
    #: The registry fields that changed (``url``, ``name``, ``location``, ``motion``...).
    fields: tuple[str, ...] = ()
    #: How they changed, for people: ``name: 'A' → 'B'; url: '…' → '…'`` (URLs masked).
    detail: str = ""
    #: The registry file the change came from.
    source: str = ""

    @property
    def camera_id(self) -> str | None:
        return self.subject if self.entity == "camera" else None

    @property
    def site_id(self) -> str | None:
        return self.subject if self.entity == "site" else None

    @property
    def agency_id(self) -> str | None:
        return self.subject if self.entity == "agency" else None

    def __str__(self) -> str:
        text = f"{self.entity} {self.subject} {self.kind}"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass(frozen=True)
class SyncResult:
    """What :func:`~videowall.store.sync.sync_registry` did."""

    at: datetime
    source: str
    #: SHA-256 (hex) of the registry file text, when the caller gave the text.
    sha256: str | None
    #: How many cameras, sites and agencies the registry held.
    cameras: int
    sites: int
    agencies: int
    changes: tuple[Change, ...] = ()
    #: True when a ``registry_syncs`` row was written (see ``sync_registry``).
    recorded: bool = False
    #: The id of that row.
    sync_id: int | None = None

    def count(self, kind: ChangeKind, entity: Entity | None = None) -> int:
        """How many changes of ``kind`` (of ``entity`` only, if given)."""
        return sum(
            1 for c in self.changes if c.kind == kind and (entity is None or c.entity == entity)
        )

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def disabled(self) -> int:
        return self.count("disabled")

    @property
    def removed(self) -> int:
        return self.count("removed")

    @property
    def restored(self) -> int:
        return self.count("restored")

    def summary(self) -> str:
        """``3 added, 1 removed`` or ``no change``."""
        counts = Counter(c.kind for c in self.changes)
        parts = [f"{counts[kind]} {kind}" for kind in CHANGE_KINDS if counts[kind]]
        return ", ".join(parts) if parts else "no change"


@dataclass(frozen=True)
class StoredCamera:
    """A camera as the store holds it (URLs masked)."""

    id: str
    name: str
    site_id: str | None
    agency_id: str | None
    url_masked: str
    sub_url_masked: str | None
    backend: str
    enabled: bool
    lat: float | None
    lon: float | None
    heading: float | None
    tags: tuple[str, ...]
    priority: int
    #: Registry fields without a column of their own (``motion``...), as JSON data.
    attrs: dict[str, Any]
    #: Gone from the registry file (and disabled); kept for what refers to it.
    removed: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class HealthEntry:
    """One change of a camera's stream health, as the health log holds it."""

    camera_id: str
    #: When the state changed (timezone-aware, UTC).
    at: datetime
    #: A stream state value: ``live``, ``stalled``, ``frozen``, ``offline``...
    state: str
    #: Why, in words (URLs masked).
    reason: str = ""

    def __str__(self) -> str:
        text = f"{self.camera_id} {self.state}"
        return f"{text}: {self.reason}" if self.reason else text


@dataclass(frozen=True)
class LaneMinute:
    """One minute of one traffic lane of a camera, as the motion watcher measured it and
    the store keeps it (``lane_occupancy``): a second value of the same minute replaces
    the first."""

    camera_id: str
    #: The lane zone's name, as the registry's ``motion`` section gives it (``northbound``).
    lane: str
    #: The start of the minute (timezone-aware, UTC).
    minute: datetime
    #: The mean share of the lane occupied during the minute, 0..1.
    occupancy: float
    #: The share of the minute the lane's contents moved, 0..1.
    moving: float
    #: Seconds of the minute the lane was congested (a queue standing still), 0..60.
    congested_s: float

    def __str__(self) -> str:
        return (f"{self.camera_id} {self.lane} {self.minute:%Y-%m-%d %H:%M}Z: occupancy "
                f"{self.occupancy:.0%}, moving {self.moving:.0%}, congested "
                f"{self.congested_s:g} s")


class AlertState(enum.StrEnum):
    """Where an alert stands: ``new`` until someone acknowledges it, ``resolved`` once its
    cause went away (a resolved alert may still wait for an acknowledgement)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Alert:
    """One alert as the engine raised it and the store keeps it. Times are UTC.

    A group alert (several cameras of one site or one host failing together) has
    ``camera`` empty and its cameras in ``members``; a single camera's alert has
    ``members == (camera,)``. ``group`` names what groups it (``site:rp05``,
    ``host:10.0.0.5``), empty for a single camera.
    """

    #: Globally unique (a ULID: sortable by time, safe across workstations).
    id: str
    #: What happened: ``offline``, ``unauthorized``, ``stalled``, ``frozen`` (``motion``...).
    kind: str
    camera: str
    site: str
    agency: str
    #: 1 (most urgent) to 5.
    priority: int
    first_at: datetime
    last_at: datetime
    #: How often it happened while open (a flapping camera counts up, no new alert).
    count: int = 1
    state: AlertState = AlertState.NEW
    members: tuple[str, ...] = ()
    group: str = ""
    #: In words, for the panel and the log: ``connection refused``, ``4 cameras offline``.
    detail: str = ""
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    note: str = ""
    resolved_at: datetime | None = None
    #: Resolved, but someone must still acknowledge it (a setting, by priority).
    needs_ack: bool = True

    @property
    def open(self) -> bool:
        """New or acknowledged and not resolved yet."""
        return self.state != AlertState.RESOLVED

    @property
    def unacknowledged(self) -> bool:
        """Someone must still look at it (new, or resolved but still waiting for an ack)."""
        return self.acknowledged_at is None and (self.state == AlertState.NEW or self.needs_ack)


@dataclass(frozen=True)
class AlertChange:
    """One step in an alert's history: ``raised``, ``updated`` (count, members),
    ``acknowledged``, ``resolved``; with who and their note where a person did it."""

    alert_id: str
    at: datetime
    change: str
    state: AlertState
    count: int = 1
    by: str = ""
    note: str = ""
    detail: str = ""
