"""What groups cameras whose streams fail together, and how a group alert reads."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from videowall.registry.alerts import HEALTH_KINDS
from videowall.registry.model import Camera

#: The kinds that group: failures of many cameras at once share a cause (a switch, an
#: NVR); motion seen by several cameras is several things to look at.
GROUPED_KINDS = frozenset(HEALTH_KINDS)

SITE_PREFIX = "site:"
HOST_PREFIX = "host:"


def host_of(url: str) -> str:
    """The host name or address of a stream URL, lower case, without the port ("" when
    the URL names none)."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def group_key(camera: Camera) -> str:
    """What ``camera`` groups by: ``site:<site id>``, ``host:<host>`` for a camera without
    a site, "" for one with neither (it never groups)."""
    if camera.site:
        return SITE_PREFIX + camera.site
    host = host_of(camera.url)
    return HOST_PREFIX + host if host else ""


def group_site(key: str) -> str:
    """The site id a group key names ("" for a host group)."""
    return key.removeprefix(SITE_PREFIX) if key.startswith(SITE_PREFIX) else ""


def group_detail(kind: str, key: str, members: int) -> str:
    """``4 cameras offline``; ``56 cameras offline behind 10.0.0.5`` for a host group
    (a site group's site shows in its own column)."""
    text = f"{members} cameras {kind}"
    if key.startswith(HOST_PREFIX):
        text += f" behind {key.removeprefix(HOST_PREFIX)}"
    return text


def common(values: Iterable[str]) -> str:
    """The one value all of ``values`` share, or "" when they differ."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else ""
