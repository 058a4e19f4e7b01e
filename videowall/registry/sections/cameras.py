"""The ``cameras`` list: each camera's id, name, site and agency, its streams and
credentials, its settings (declared in :mod:`videowall.registry.settings`) and its motion
block. A variable that is not set disables the camera, with a warning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from yaml.nodes import Node, ScalarNode, SequenceNode

from videowall.registry.issues import did_you_mean
from videowall.registry.model import MOTION_OFF, Camera, Location, MotionConfig
from videowall.registry.nodes import INT, SEQ, Entry, escaped, found, given, line_of
from videowall.registry.sections.credentials import CredentialChecks
from videowall.registry.sections.motion import MotionChecks
from videowall.registry.sections.sites import SiteChecks
from videowall.registry.sections.streams import Url
from videowall.registry.settings import (
    ALERTS_ON,
    BACKEND,
    CAMERAS_MAX,
    ENABLED,
    HEADING,
    PRIORITY,
    TRAFFIC_TAG,
    WATCH,
)

CAMERA_KEYS = (
    "id", "name", "site", "agency", "url", "streams", "backend", "enabled", "location",
    "heading", "tags", "priority", "credentials", "motion", "alerts", "watch",
)
CAMERA_REQUIRED = ("id", "name", "site")


class _Settings(NamedTuple):
    """The optional settings of a camera; ``motion`` is None if its block is wrong."""

    backend: str = BACKEND.default
    enabled: bool = ENABLED.default
    location: Location | None = None
    heading: float | None = HEADING.default
    tags: tuple[str, ...] = ()
    priority: int = PRIORITY.default
    motion: MotionConfig | None = MOTION_OFF
    alerts: bool = ALERTS_ON.default
    watch: bool = WATCH.default


class _Streams(NamedTuple):
    main: Url | None
    sub: Url | None
    #: How the messages about credentials name the main stream.
    main_where: str


class CameraChecks(CredentialChecks, SiteChecks, MotionChecks):
    """The cameras list and each camera in it; ``sites`` and ``agencies`` (id -> record)
    are what the references are checked against, None when the file has none usable."""

    def cameras(
        self,
        entry: Entry,
        sites: Mapping[str, object] | None,
        agencies: Mapping[str, object] | None,
    ) -> tuple[Camera, ...] | None:
        """The valid cameras of the ``cameras`` list (each wrong one reported)."""
        node = entry.value
        if not isinstance(node, SequenceNode) or node.tag != SEQ:
            self.error(node, "cameras", f"expected a list of cameras, found {found(node)}")
            return None
        if not node.value:
            self.warning(node, "cameras", "the list is empty: the wall will show no camera")
        if len(node.value) > CAMERAS_MAX:
            self.error(node, "cameras", f"the list holds {len(node.value):,} cameras: a "
                                        f"registry may hold at most {CAMERAS_MAX:,}")
            return None
        first_line: dict[str, int] = {}
        cameras: list[Camera] = []
        for index, item in enumerate(node.value):
            camera = self.camera(item, f"cameras[{index}]", sites, agencies, first_line)
            if camera is not None:
                cameras.append(camera)
        return tuple(cameras)

    def camera(
        self,
        node: Node,
        path: str,
        sites: Mapping[str, object] | None,
        agencies: Mapping[str, object] | None,
        first_line: dict[str, int],
    ) -> Camera | None:
        """One camera; ``first_line`` maps the ids seen so far to their lines."""
        entries = self.mapping(node, path, "a camera (a mapping with id, name, site and url)",
                               keys=CAMERA_KEYS, required=CAMERA_REQUIRED)
        if entries is None:
            return None
        before = self.error_count
        camera_id = self._camera_id(entries, path, first_line)
        label = camera_id or path
        name = site = None
        if "name" in entries:
            name = self.string(entries["name"].value, f"{path}.name")
        if "site" in entries:
            site = self.reference(entries["site"].value, f"{path}.site", "site", sites)
        agency = ""
        if (value := given(entries, "agency")) is not None:
            agency = self.reference(value, f"{path}.agency", "agency", agencies) or ""
        streams = self._credentials(entries, path, label,
                                    self._stream_urls(node, entries, path, label))
        settings = self._settings(entries, path)
        main, sub = streams.main, streams.sub
        if self.error_count > before or camera_id is None or name is None or site is None \
                or main is None or settings.motion is None:
            return None
        unset = main.unset or (sub is not None and sub.unset)
        return Camera(
            id=camera_id, name=name, site=site, url=main.url, agency=agency,
            sub_url=sub.url if sub else None, backend=settings.backend,
            enabled=settings.enabled and not unset, location=settings.location,
            heading=settings.heading, tags=settings.tags, priority=settings.priority,
            motion=settings.motion, alerts=settings.alerts, watch=settings.watch,
        )

    def _camera_id(
        self, entries: Mapping[str, Entry], path: str, first_line: dict[str, int]
    ) -> str | None:
        if "id" not in entries:
            return None
        id_node = entries["id"].value
        camera_id = self.identifier(id_node, f"{path}.id")
        if camera_id is None:
            return None
        if camera_id in first_line:
            self.error(id_node, f"{path}.id", f"duplicate id {camera_id!r} (first used at "
                                              f"line {first_line[camera_id]})")
        else:
            first_line[camera_id] = line_of(id_node)
        return camera_id

    def _stream_urls(
        self, node: Node, entries: Mapping[str, Entry], path: str, label: str
    ) -> _Streams:
        """``url`` or ``streams``, exactly one of them."""
        if "url" in entries and "streams" in entries:
            second = max(entries["url"].key, entries["streams"].key, key=line_of)
            self.error(second, path, "give either 'url' or 'streams', not both")
        elif "url" in entries:
            main = self.url(entries["url"].value, f"{path}.url", label)
            if main is not None:
                self.same_stream(entries["url"].value, f"{path}.url", main, label)
            return _Streams(main, None, "the URL")
        elif "streams" in entries:
            main, sub = self.streams_block(entries["streams"].value, f"{path}.streams", label)
            return _Streams(main, sub, "streams.main")
        else:
            self.error(node, path, "missing required key 'url' (or 'streams' with 'main')")
        return _Streams(None, None, "the URL")

    def _credentials(
        self, entries: Mapping[str, Entry], path: str, label: str, streams: _Streams
    ) -> _Streams:
        """``streams`` with the credentials block's user name and password in the URLs."""
        value = given(entries, "credentials")
        if value is None:
            return streams
        credentials = self.credentials(value, f"{path}.credentials", label)
        if credentials is None:
            return streams
        main, sub = streams.main, streams.sub
        if main is not None:
            main = self.with_credentials(main, credentials, value, f"{path}.credentials",
                                         streams.main_where)
        if sub is not None:
            sub = self.with_credentials(sub, credentials, value, f"{path}.credentials",
                                        "streams.sub")
        return _Streams(main, sub, streams.main_where)

    def _settings(self, entries: Mapping[str, Entry], path: str) -> _Settings:
        """The optional settings of a camera (the defaults where absent or wrong)."""
        out = _Settings()
        if (value := given(entries, BACKEND.key)) is not None:
            out = out._replace(backend=self.choice(value, f"{path}.backend", BACKEND.choices)
                               or BACKEND.default)
        if (value := given(entries, ENABLED.key)) is not None:
            out = out._replace(enabled=bool(self.boolean(value, f"{path}.enabled")))
        if (value := given(entries, "location")) is not None:
            out = out._replace(location=self.location(value, f"{path}.location"))
        if (value := given(entries, HEADING.key)) is not None:
            out = out._replace(heading=self.number(value, f"{path}.heading", *HEADING.range))
        if (value := given(entries, "tags")) is not None:
            out = out._replace(tags=self.string_list(value, f"{path}.tags") or ())
        if (value := given(entries, PRIORITY.key)) is not None:
            out = out._replace(priority=self.priority(value, f"{path}.priority")
                               or PRIORITY.default)
        if (value := given(entries, "motion")) is not None:
            out = out._replace(motion=self.motion(value, f"{path}.motion",
                                                  traffic=TRAFFIC_TAG in out.tags))
        if (value := given(entries, ALERTS_ON.key)) is not None:
            out = out._replace(alerts=bool(self.boolean(value, f"{path}.{ALERTS_ON.key}")))
        if (value := given(entries, WATCH.key)) is not None:
            out = out._replace(watch=bool(self.boolean(value, f"{path}.{WATCH.key}")))
        return out

    def priority(self, node: Node, path: str) -> int | None:
        """A whole number from the most urgent to the least."""
        low, high = int(PRIORITY.low), int(PRIORITY.high)
        scale = f"{low} (most urgent) and {high} (least urgent)"
        if not (isinstance(node, ScalarNode) and node.tag == INT):
            self.error(node, path, f"expected a whole number between {scale}, "
                                   f"found {found(node)}")
            return None
        value = self.scalar(node, path)
        if not isinstance(value, int):
            return None
        if not low <= value <= high:
            self.error(node, path, f"must be between {scale}, found {escaped(str(node.value))}")
            return None
        return value

    def reference(
        self, node: Node, path: str, what: str, known: Mapping[str, object] | None
    ) -> str | None:
        """A site or agency id; checked against its section when the file has one."""
        value = self.identifier(node, path)
        if value is None or known is None or not known or value in known:
            return value
        plural = "sites" if what == "site" else "agencies"
        hint = did_you_mean(value, list(known)) or f" (not defined under '{plural}')"
        self.error(node, path, f"unknown {what} {value!r}{hint}")
        return None
