"""The settings of the registry file, each declared once: key, default, range, help text.

The checker (:mod:`videowall.registry.sections`) takes ranges and choices from here, the
JSON Schema (:mod:`videowall.registry.schema`) ranges, defaults and help texts, and the
records of :mod:`videowall.registry.model` and :mod:`videowall.registry.health` their
defaults; so a setting cannot say one thing to the loader and another to the editor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")

#: Alert priority of a camera: 1 is the most urgent, 5 the least.
PRIORITY_HIGHEST = 1
PRIORITY_LOWEST = 5
PRIORITY_DEFAULT = 3


@dataclass(frozen=True)
class Setting(Generic[_T]):
    """One setting: its key in the file, its default and what it means."""

    key: str
    default: _T
    help: str


@dataclass(frozen=True)
class Number(Setting[_T]):
    """A number from ``low`` to ``high`` (inclusive); ``whole`` for whole numbers only."""

    low: float
    high: float
    whole: bool = False

    @property
    def range(self) -> tuple[float, float]:
        """``(low, high)``."""
        return self.low, self.high


@dataclass(frozen=True)
class Choice(Setting[str]):
    """One word of ``choices``."""

    choices: tuple[str, ...]


@dataclass(frozen=True)
class Flag(Setting[bool]):
    """true or false."""


# -- a camera

BACKEND = Choice("backend", "auto", "Decoder: auto picks one per URL.",
                 choices=("auto", "vlc", "ffmpeg"))
ENABLED = Flag("enabled", True, "false keeps the camera in the list but off the wall.")
HEADING = Number[float | None]("heading", None, "Direction the camera looks, in degrees "
                                                "from north.", 0.0, 360.0)
PRIORITY = Number[int](
    "priority", PRIORITY_DEFAULT,
    f"Alert priority: {PRIORITY_HIGHEST} is the most urgent, {PRIORITY_LOWEST} the least.",
    PRIORITY_HIGHEST, PRIORITY_LOWEST, whole=True,
)
ALERTS_ON = Flag("alerts", True, "false: no alert is raised for this camera (for an agency: "
                                 "for its cameras); the tile still shows its state.")
WATCH = Flag("watch", True, "false: the camera is not watched for motion while it is on no "
                            "tile (it still is while a tile shows it).")
#: The scalar settings of a camera entry.
CAMERA_SETTINGS: tuple[Setting[Any], ...] = (BACKEND, ENABLED, HEADING, PRIORITY, ALERTS_ON,
                                             WATCH)

# -- where a camera or a site stands

#: Both are required: no default.
LAT = Number[float | None]("lat", None, "Latitude in degrees (WGS 84).", -90.0, 90.0)
LON = Number[float | None]("lon", None, "Longitude in degrees (WGS 84).", -180.0, 180.0)

# -- a camera's motion block

MOTION_ENABLED = Flag("enabled", True, "Detect motion. A camera with a motion block detects "
                                       "motion unless this is false; without a block it does "
                                       "not.")
SENSITIVITY = Number[float]("sensitivity", 0.5, "From 0 (only strong changes count) to 1 "
                                                "(the faintest change counts).", 0.0, 1.0)
MIN_AREA = Number[float]("min_area", 0.01, "Smallest moving area that counts, as a fraction "
                                           "of the frame.", 0.0, 1.0)
#: The scalar settings of a motion block.
MOTION_SETTINGS: tuple[Setting[Any], ...] = (MOTION_ENABLED, SENSITIVITY, MIN_AREA)
#: What a zone of a motion block is: ``zone`` raises motion, ``lane`` measures a queue.
ZONE_KINDS = ("zone", "lane")
#: The tag that makes a camera's plain zones lanes (and its whole picture one lane).
TRAFFIC_TAG = "traffic"
#: The lane of a traffic camera whose motion block names no zone: the whole picture.
WHOLE_ROAD_LANE = "road"

# -- the motion section: how the wall analyses pictures for motion and queues

#: The settings of the ``motion`` section, in the file's order.
MOTION_SECTION_SETTINGS: tuple[Number[float], ...] = (
    Number("analysis_fps", 5.0, "Pictures analysed per second and camera.", 0.5, 25),
    Number("analysis_lines", 144, "Height in lines of the grey picture analysed (the width "
                                  "keeps the aspect).", 72, 360, whole=True),
    Number("min_duration_s", 0.3, "Seconds motion must last before it counts.", 0, 60),
    Number("end_after_s", 2.0, "Motion ends after this many seconds without motion.",
           0.1, 600),
    Number("lighting_change", 0.6, "Share of the picture changing at once that counts as a "
                                   "change of lighting: the background is learnt anew and "
                                   "nothing is raised.", 0.05, 1),
    Number("learn_s", 10.0, "Seconds in which the background adapts to a lasting change "
                            "(a parked car, the evening).", 0.5, 3600),
    Number("lane_occupied", 0.6, "Share of a lane that differs from the empty road for the "
                                 "lane to count as occupied.", 0.05, 1),
    Number("congestion_after_s", 120.0, "Seconds a lane stays occupied and still before it "
                                        "counts as a queue.", 1, 86400),
    Number("lane_learn_s", 300.0, "Seconds in which the picture of the empty road adapts "
                                  "(it is learnt only while the lane is not still).", 5, 86400),
    Number("watch_max_cameras", 64, "Cameras watched at most in the background (on no tile).",
           0, 10_000, whole=True),
    Number("watch_cpu_share", 0.5, "Share of one CPU core that watching cameras in the "
                                   "background may take.", 0.01, 8),
)
#: :data:`MOTION_SECTION_SETTINGS` by key.
MOTION_SECTION: dict[str, Number[float]] = {s.key: s for s in MOTION_SECTION_SETTINGS}

# -- the health section: how streams are judged and retried, in seconds throughout

#: The settings of the ``health`` section, in the file's order.
HEALTH_SETTINGS: tuple[Number[float], ...] = (
    Number("stall_frames", 10.0, "A stream is stalled after this many of its frame intervals "
                                 "without a new picture...", 2, 1000),
    Number("stall_min_s", 1.0, "...but never sooner than this many seconds...", 0.2, 600),
    Number("stall_max_s", 10.0, "...nor later than this many seconds.", 0.2, 600),
    Number("stall_reconnect_s", 6.0, "Seconds a stall lasts before the stream is "
                                     "reconnected.", 0.5, 3600),
    Number("freeze_s", 4.0, "Seconds of an unchanged, black or grey picture before the tile "
                            "says FROZEN.", 1, 3600),
    Number("freeze_reconnect_s", 30.0, "Seconds a freeze lasts before the stream is "
                                       "reconnected.", 1, 86400),
    Number("sample_every_s", 0.5, "Seconds between two looks at the picture for the freeze "
                                  "check.", 0.1, 10),
    Number("retry_first_s", 1.0, "First delay before reconnecting; it doubles after each "
                                 "failure...", 0.1, 600),
    Number("retry_cap_s", 30.0, "...up to this many seconds.", 0.1, 86400),
    Number("auth_retry_first_s", 30.0, "First delay after the camera refused the "
                                       "credentials...", 1, 3600),
    Number("auth_retry_cap_s", 300.0, "...up to this many seconds (not to lock the "
                                      "account).", 1, 86400),
    Number("connections_per_host", 4, "Connection attempts at once to any one host (an NVR, "
                                      "a switch); the others wait their turn.", 1, 256,
           whole=True),
)
#: :data:`HEALTH_SETTINGS` by key.
HEALTH: dict[str, Number[float]] = {s.key: s for s in HEALTH_SETTINGS}
#: (smaller, larger): health settings whose first may not exceed the second.
HEALTH_ORDER = (
    ("stall_min_s", "stall_max_s"),
    ("retry_first_s", "retry_cap_s"),
    ("auth_retry_first_s", "auth_retry_cap_s"),
    ("freeze_s", "freeze_reconnect_s"),
)

# -- the alerts section: how failures become alerts, and what each kind does

#: The kinds of alert the stream health raises, most serious first.
HEALTH_KINDS = ("offline", "unauthorized", "stalled", "frozen")
#: Every kind an ``alerts.kinds`` mapping may name: the health kinds, motion and queues.
ALERT_KINDS = (*HEALTH_KINDS, "motion", "congestion")

#: The scalar settings of the ``alerts`` section, in the file's order.
ALERTS_SETTINGS: tuple[Setting[Any], ...] = (
    Number[float]("group_window_s", 5.0, "Two or more failures of one kind within this many "
                                         "seconds, at one site (or one host, for cameras "
                                         "without a site), form one group alert.", 0.1, 600),
    Number[float]("resolve_after_s", 10.0, "A health alert resolves once its camera was live "
                                           "again this many seconds.", 0.1, 86400),
    Number[int]("ack_resolved_up_to", 2, "Resolved alerts of this priority or a more urgent "
                                         "one still wait for an acknowledgement.",
                PRIORITY_HIGHEST, PRIORITY_LOWEST, whole=True),
    Flag("sound", True, "Sound on new alerts of priority 1-2."),
    Flag("sound_repeat", False, "Repeat the sound every few seconds until the alert is "
                                "acknowledged (false: once)."),
    Number[float]("dwell_s", 10.0, "Seconds each raised camera stays in the alarm tile while "
                                   "others wait their turn.", 1, 3600),
    Number[float]("return_after_s", 120.0, "Seconds after which the alarm tile returns to its "
                                           "own camera though nobody acknowledged (0: only an "
                                           "acknowledgement returns it).", 0, 86400),
)
#: :data:`ALERTS_SETTINGS` by key.
ALERTS: dict[str, Setting[Any]] = {s.key: s for s in ALERTS_SETTINGS}

#: The settings of one kind under ``alerts.kinds``, in the file's order.
KIND_SETTINGS: tuple[Setting[Any], ...] = (
    Number[int]("priority_offset", 0, "Added to the camera's priority (1 most urgent ... 5): "
                                      "-1 makes the alert more urgent.", -4, 4, whole=True),
    Number[float]("grace_s", 0.0, "A condition that clears within this many seconds raises "
                                  "nothing (a blip).", 0, 3600),
    Flag("raise", True, "Bring the camera in front: a border on its tile, or the alarm tile "
                        "when it is not on the wall."),
    Flag("sound", True, "Sound on a new alert of this kind (of priority 1-2)."),
)
#: :data:`KIND_SETTINGS` by key.
KIND: dict[str, Setting[Any]] = {s.key: s for s in KIND_SETTINGS}
#: The grace period of each kind where it differs from ``grace_s``'s default: a stall or a
#: freeze that clears within seconds is a blip, a camera that is offline is not.
KIND_GRACE: dict[str, float] = {"stalled": 3.0, "frozen": 5.0}

# -- limits: what a registry (or a file to import) may hold at most

#: Bytes of a registry file; a larger file is refused before it is read.
REGISTRY_MAX_BYTES = 8 * 1024 * 1024
#: Bytes of a Frigate or go2rtc config given to ``cameras import``.
IMPORT_MAX_BYTES = 8 * 1024 * 1024
#: Cameras in one registry.
CAMERAS_MAX = 10_000
#: Items of any list of the file (the cameras, a camera's tags, a zone's points...).
LIST_MAX_ITEMS = CAMERAS_MAX
#: Characters of a text field: an id, a name, a tag, a contact, a user name.
TEXT_MAX_CHARS = 200
#: Characters of a stream URL.
URL_MAX_CHARS = 4096
#: The limits as the README lists them: (what, how much).
LIMITS: tuple[tuple[str, str], ...] = (
    ("registry file", f"{REGISTRY_MAX_BYTES // (1024 * 1024)} MiB"),
    ("file given to cameras import", f"{IMPORT_MAX_BYTES // (1024 * 1024)} MiB"),
    ("cameras in a registry", f"{CAMERAS_MAX:,}"),
    ("items of any other list", f"{LIST_MAX_ITEMS:,}"),
    ("a text field (id, name, tag, contact, user name)", f"{TEXT_MAX_CHARS} characters"),
    ("a stream URL", f"{URL_MAX_CHARS:,} characters"),
)
