"""Camera records: the plain data every other part of videowall refers to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from videowall.registry import settings
from videowall.registry.alerts import AlertRules
from videowall.registry.health import HealthConfig
from videowall.registry.motion import MotionSettings
from videowall.registry.settings import PRIORITY_DEFAULT as PRIORITY_DEFAULT
from videowall.registry.settings import PRIORITY_HIGHEST as PRIORITY_HIGHEST
from videowall.registry.settings import PRIORITY_LOWEST as PRIORITY_LOWEST
from videowall.util.logs import mask_url

#: Decoders a camera may ask for.
BACKENDS = settings.BACKEND.choices

#: Days of a motion schedule, in the order of :meth:`datetime.weekday`.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: A point in frame coordinates: (0, 0) is the top left corner, (1, 1) the bottom right.
Point = tuple[float, float]
#: A closed polygon of at least three points.
Polygon = tuple[Point, ...]


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class Site:
    """A road point or a building where cameras stand."""

    id: str
    name: str
    location: Location | None = None
    contact: str = ""
    colour: str = ""


@dataclass(frozen=True)
class Agency:
    """The owner of a camera: a department, an agency (OPD) or a private operator."""

    id: str
    name: str
    colour: str = ""
    contact: str = ""
    #: false: nobody is alarmed by this agency's cameras (they still show their state).
    alerts: bool = settings.ALERTS_ON.default


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.partition(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class ScheduleWindow:
    """A weekly time window, ``start`` to ``end`` as ``HH:MM`` on each of ``days``.

    A window whose end comes before its start runs past midnight into the next day
    (``22:00`` to ``06:00``); ``days`` names the day it starts on. ``end`` may be
    ``24:00``.
    """

    days: tuple[str, ...] = WEEKDAYS
    start: str = "00:00"
    end: str = "24:00"

    def covers(self, when: datetime) -> bool:
        """True if the local time ``when`` lies inside the window."""
        day = WEEKDAYS[when.weekday()]
        yesterday = WEEKDAYS[(when.weekday() - 1) % 7]
        minute = when.hour * 60 + when.minute
        start, end = _minutes(self.start), _minutes(self.end)
        if start < end:
            return day in self.days and start <= minute < end
        return (day in self.days and minute >= start) or (yesterday in self.days and minute < end)


@dataclass(frozen=True)
class Zone:
    """A named area of a camera's picture.

    ``kind`` ``zone``: motion inside it raises motion events named after it. ``lane``: a
    stretch of road whose occupancy is measured and whose queue raises congestion.
    """

    name: str
    polygon: Polygon
    kind: str = settings.ZONE_KINDS[0]

    @property
    def is_lane(self) -> bool:
        return self.kind == "lane"


#: The whole picture, as a polygon.
WHOLE_FRAME: Polygon = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))


@dataclass(frozen=True)
class MotionConfig:
    """Motion detection of one camera.

    ``sensitivity`` runs from 0 (only strong changes count) to 1 (the faintest change
    counts); ``min_area`` is the smallest moving area that counts, as a fraction of the
    frame. Motion counts inside the ``zones`` of kind ``zone`` (the whole frame when there
    is no zone at all; nowhere when there are only lanes) and never inside ``masks``;
    ``lane`` zones measure queues. ``schedule`` lists when motion raises alerts (always
    when empty).
    A ``motion:`` block in the registry turns detection on unless it says
    ``enabled: false``; a camera without one has :data:`MOTION_OFF`.
    """

    enabled: bool = settings.MOTION_ENABLED.default
    sensitivity: float = settings.SENSITIVITY.default
    min_area: float = settings.MIN_AREA.default
    zones: tuple[Zone, ...] = ()
    masks: tuple[Polygon, ...] = ()
    schedule: tuple[ScheduleWindow, ...] = ()

    @property
    def motion_zones(self) -> tuple[Zone, ...]:
        """The zones where motion counts."""
        return tuple(z for z in self.zones if not z.is_lane)

    @property
    def lanes(self) -> tuple[Zone, ...]:
        """The zones whose queues are measured."""
        return tuple(z for z in self.zones if z.is_lane)

    def active_at(self, when: datetime) -> bool:
        """True if motion detection is on and the schedule covers the local time ``when``."""
        if not self.enabled:
            return False
        return not self.schedule or any(w.covers(when) for w in self.schedule)


#: The motion settings of a camera whose registry entry has no ``motion:`` block.
MOTION_OFF = MotionConfig(enabled=False)


@dataclass(frozen=True)
class Camera:
    """One camera of the registry.

    ``url`` is the main stream; ``sub_url`` the optional small stream for grid tiles.
    URLs may hold credentials: use :attr:`safe_url` for anything a person reads.
    ``priority`` ranks the camera's alerts, from 1 (most urgent) to 5.
    """

    id: str
    name: str
    site: str
    url: str = field(repr=False)
    agency: str = ""
    sub_url: str | None = field(default=None, repr=False)
    backend: str = settings.BACKEND.default
    enabled: bool = settings.ENABLED.default
    location: Location | None = None
    heading: float | None = settings.HEADING.default
    tags: tuple[str, ...] = ()
    priority: int = settings.PRIORITY.default
    motion: MotionConfig = MOTION_OFF
    #: false: nobody is alarmed by this camera (it still shows its state).
    alerts: bool = settings.ALERTS_ON.default
    #: false: not watched for motion while it is on no tile.
    watch: bool = settings.WATCH.default

    @property
    def safe_url(self) -> str:
        return mask_url(self.url)

    @property
    def safe_sub_url(self) -> str | None:
        return mask_url(self.sub_url) if self.sub_url is not None else None


@dataclass(frozen=True)
class Registry:
    """A validated camera list with its sites and agencies."""

    cameras: tuple[Camera, ...] = ()
    sites: dict[str, Site] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    source: str = ""
    #: How streams are judged and retried (the file's ``health`` section).
    health: HealthConfig = field(default_factory=HealthConfig)
    #: How alerts are raised (the file's ``alerts`` section).
    alerts: AlertRules = field(default_factory=AlertRules)
    #: How pictures are analysed for motion and queues (the file's ``motion`` section).
    motion: MotionSettings = field(default_factory=MotionSettings)

    def get(self, camera_id: str) -> Camera | None:
        for cam in self.cameras:
            if cam.id == camera_id:
                return cam
        return None

    def site_name(self, site_id: str) -> str:
        site = self.sites.get(site_id)
        return site.name if site else site_id
