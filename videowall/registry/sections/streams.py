"""A camera's stream URLs: ``url`` or ``streams: {main, sub}``, with ``${NAME}`` filled in
from the environment, and the warning for two cameras that show the same stream."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import quote, unquote

from yaml.nodes import Node

from videowall.registry.nodes import NodeChecker, escaped, given, line_of, short
from videowall.registry.settings import URL_MAX_CHARS
from videowall.registry.urls import (
    VAR_RE,
    fill_url,
    plain_password,
    plain_query_secrets,
    query_secrets,
    stream_key,
    url_problem,
)

STREAMS_KEYS = ("main", "sub")
#: Shorter passwords are masked inside URLs only; as bare words they would garble messages.
MIN_SECRET = 4


class Url(NamedTuple):
    """A checked stream URL."""

    url: str
    unset: tuple[str, ...]  # environment variables referenced but not set


class StreamChecks(NodeChecker):
    """Stream URLs; remembers each stream to spot a camera that repeats another's."""

    def __init__(self, source: str, environ: Mapping[str, str]) -> None:
        super().__init__(source, environ)
        #: stream (see stream_key) -> the first camera using it, and the line
        self.streams: dict[str, tuple[str, int]] = {}

    def url(self, node: Node, path: str, camera: str) -> Url | None:
        """A stream URL with ``${NAME}`` filled in from the environment."""
        raw = self.string(node, path, "a URL", limit=URL_MAX_CHARS)
        if raw is None:
            return None
        self._remember_secrets(raw)
        if any(ch.isspace() for ch in raw):
            self.error(node, path, "the URL contains a space or a line break "
                                   "(write a space as %20)")
            return None
        if "${" in VAR_RE.sub("", raw):
            self.error(node, path, "malformed variable: write ${NAME} with letters, digits "
                                   "and '_'")
            return None
        if plain_password(raw):
            self.warning(node, path, f"camera {camera!r} has a password written in the file: "
                                     "write user:${CAM_PASSWORD}@host in the URL and set "
                                     "CAM_PASSWORD in the environment")
        for name in plain_query_secrets(raw):
            self.warning(node, path, f"camera {camera!r} has a credential written in the "
                                     f"file, in the query parameter {short(name)!r}: write "
                                     f"{escaped(name)}=${{CAM_TOKEN}} in the URL and set "
                                     "CAM_TOKEN in the environment")
        unset: list[str] = []
        url = fill_url(raw, self.environ, unset)
        problem = url_problem(url)
        if problem and url != raw:  # told on the file's text: no value from the environment
            names = ", ".join(dict.fromkeys(VAR_RE.findall(raw)))
            problem = url_problem(raw) or (f"the URL is not valid once {names} is filled in "
                                           "from the environment")
        if problem:
            self.error(node, path, problem)
            return None
        for name in dict.fromkeys(unset):
            self.warning(node, path, f"environment variable {name} is not set: camera "
                                     f"{camera!r} is loaded disabled")
        return Url(url, tuple(unset))

    def _remember_secrets(self, raw: str) -> None:
        """Note the password of a URL (as written and as filled in from the environment)
        so that no message can show it, wherever else in the file it turns up."""
        authority = raw.partition("://")[2] or raw
        userinfo = authority.lstrip("/").split("/", 1)[0].rpartition("@")[0]
        password = userinfo.partition(":")[2]
        values = [value for _, value in query_secrets(raw)]
        found = [password, *values]
        for text in [userinfo, *values]:
            found += (self.environ.get(v, "") for v in VAR_RE.findall(text))
        for text in [*found]:
            found += (quote(text, safe=""), unquote(text))
        self.secrets.update(s for s in found if len(s) >= MIN_SECRET and "${" not in s)

    def fill(self, raw: str, unset: list[str]) -> str:
        """``raw`` with each ``${NAME}`` replaced from the environment; the names that are
        not set are appended to ``unset`` and left as they are."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.environ:
                return self.environ[name]
            unset.append(name)
            return match.group(0)

        return VAR_RE.sub(fill, raw)

    def streams_block(self, node: Node, path: str, camera: str) -> tuple[Url | None, Url | None]:
        """``streams: {main, sub}``: the two URLs (None where one is wrong or absent)."""
        entries = self.mapping(node, path, "a mapping with main and sub", keys=STREAMS_KEYS,
                               required=("main",))
        if entries is None or "main" not in entries:
            return None, None
        main_node = entries["main"].value
        main = self.url(main_node, f"{path}.main", camera)
        if main is not None:
            self.same_stream(main_node, f"{path}.main", main, camera)
        sub = None
        if (sub_node := given(entries, "sub")) is not None:
            sub = self.url(sub_node, f"{path}.sub", camera)
            if sub is not None and main is not None \
                    and stream_key(sub.url) == stream_key(main.url):
                self.warning(sub_node, f"{path}.sub", "the same stream as streams.main: leave "
                                                      "'sub' out when the camera has one stream")
            elif sub is not None:
                self.same_stream(sub_node, f"{path}.sub", sub, camera)
        return main, sub

    def same_stream(self, node: Node, path: str, url: Url, camera: str) -> None:
        """Warn when another camera already uses the stream at ``url`` (a copied entry
        whose URL was not changed, most often)."""
        key = stream_key(url.url)
        first = self.streams.setdefault(key, (camera, line_of(node)))
        if first[0] != camera:
            self.warning(node, path, f"the same stream as camera {first[0]!r} (line "
                                     f"{first[1]}): is this entry a copy whose URL was not "
                                     "changed?")
