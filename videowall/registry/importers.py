"""Import cameras from the configuration of tools a site already runs.

``videowall cameras import`` reads

- a **Frigate** config: each camera under ``cameras:`` with its ``ffmpeg.inputs``; the
  input with the ``record`` role becomes the main stream and the one with the ``detect``
  role the sub stream (the small one for grid tiles), and the motion masks come along;
- a **go2rtc** config: each stream under ``streams:``; a stream named ``<name>_sub`` becomes
  the sub stream of ``<name>``.

It writes registry YAML that the loader accepts. What the wall has no use for (Frigate's
objects, zones, recordings; go2rtc sources it cannot play) is reported as a warning, and so
is each password the file held in clear text: the import replaces it by ``${NAME}`` and
names the environment variable to set. No password is ever written out or shown.

Frigate's cameras usually read go2rtc's restream on the same machine
(``rtsp://127.0.0.1:8554/<name>``), which the wall cannot reach. ``host`` (the address of
that machine) replaces such loopback addresses; without it the import follows the restream
to its source in the ``go2rtc:`` section. For a go2rtc config, ``host`` makes every camera
use go2rtc's RTSP restream, which also serves sources the wall cannot open itself.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import yaml

from videowall.registry.issues import ConfigError, ConfigIssue
from videowall.registry.loader import check_registry, read_capped
from videowall.registry.nodes import ID_RE, escaped, found, short
from videowall.registry.sections.zones import POLYGON_MIN_POINTS
from videowall.registry.settings import IMPORT_MAX_BYTES
from videowall.registry.urls import map_query_secrets, query_secrets, url_problem
from videowall.util.logs import mask_url

Format = Literal["frigate", "go2rtc"]
FORMATS: tuple[Format, ...] = ("frigate", "go2rtc")
FORMAT_NAMES: dict[Format, str] = {"frigate": "Frigate", "go2rtc": "go2rtc"}

#: go2rtc's RTSP port unless its config says otherwise.
GO2RTC_RTSP_PORT = 8554
#: Schemes of sources the wall plays itself.
PLAYABLE = ("rtsp", "rtsps", "http", "https")
#: Suffixes that mark a go2rtc stream as the small stream of another.
SUB_SUFFIXES = ("_sub", "-sub", "_substream", "-substream")

#: Frigate camera keys the import reads.
_FRIGATE_USED = frozenset({"enabled", "ffmpeg", "detect", "motion", "name", "friendly_name"})
#: Frigate camera keys that hold nothing a wall needs (tuning of Frigate itself).
_FRIGATE_QUIET = frozenset({"ui", "webui_url", "best_image_timeout", "mqtt", "live"})
_FRIGATE_VAR_RE = re.compile(r"\{(FRIGATE_[A-Za-z0-9_]*)\}")
_REFERENCE_RE = re.compile(r"(?:\$\{[A-Za-z_][A-Za-z0-9_]*\})+")
_ROLE_MAIN, _ROLE_SUB = "record", "detect"
_KNOWN_ROLES = ("record", "detect", "audio", "rtmp")


@dataclass(frozen=True)
class ImportResult:
    """The registry YAML an import wrote, and what it had to say about the source.

    ``variables`` maps each environment variable the registry needs to the cameras that
    use it.
    """

    text: str
    format: Format
    cameras: tuple[str, ...]
    warnings: tuple[ConfigIssue, ...]
    variables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class _Camera:
    """A camera on its way into the registry."""

    key: str  # name in the source file
    path: str  # where it is in the source file, for messages
    name: str
    main: str
    sub: str | None = None
    enabled: bool = True
    masks: list[list[tuple[float, float]]] = field(default_factory=list)
    id: str = ""
    username: str | None = None  # set when the credentials go into a credentials block
    password_var: str | None = None


class _Importer:
    def __init__(self, source: str, host: str | None) -> None:
        self.source = source
        self.host = host
        self.warnings: list[ConfigIssue] = []

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(ConfigIssue(self.source, None, path, mask_url(message), "warning"))

    # -- Frigate

    def frigate(self, config: Mapping[str, Any]) -> list[_Camera]:
        cameras = config.get("cameras")
        if not isinstance(cameras, Mapping) or not cameras:
            raise self._error("cameras", "no cameras: expected a mapping of cameras by name")
        go2rtc = config.get("go2rtc")
        restreams = _mapping(go2rtc.get("streams")) if isinstance(go2rtc, Mapping) else {}
        port = _go2rtc_port(go2rtc)
        if config.get("camera_groups"):
            self.warn("camera_groups", "camera groups are not imported: put the cameras into "
                                       "sites by hand")
        out: list[_Camera] = []
        for key, camera in cameras.items():
            path = f"cameras.{escaped(str(key))}"
            if not isinstance(camera, Mapping):
                self.warn(path, "not a camera (expected a mapping): skipped")
                continue
            imported = self._frigate_camera(str(key), path, camera, restreams, port)
            if imported is not None:
                out.append(imported)
        return out

    def _frigate_camera(
        self, key: str, path: str, camera: Mapping[str, Any], restreams: Mapping[str, Any],
        port: int,
    ) -> _Camera | None:
        ffmpeg = camera.get("ffmpeg")
        inputs = ffmpeg.get("inputs") if isinstance(ffmpeg, Mapping) else None
        if not isinstance(inputs, list) or not inputs:
            self.warn(f"{path}.ffmpeg", "no ffmpeg.inputs: camera skipped")
            return None
        main, sub = self._frigate_inputs(inputs, path, restreams, port)
        if main is None:
            self.warn(path, "no input the wall can play: camera skipped")
            return None
        if sub == main:
            sub = None
        enabled = camera.get("enabled", True) is not False
        name = camera.get("friendly_name")
        imported = _Camera(key, path, name if isinstance(name, str) and name.strip()
                           else _display_name(key), main, sub, enabled)
        imported.masks = self._frigate_masks(camera, path)
        left_out = sorted(str(k) for k in camera if k not in _FRIGATE_USED | _FRIGATE_QUIET)
        if left_out:
            shown = escaped(", ".join(left_out), 200)
            self.warn(path, f"not imported: {shown} (Frigate features the wall does not use)")
        return imported

    def _frigate_inputs(
        self, inputs: list[Any], path: str, restreams: Mapping[str, Any], port: int
    ) -> tuple[str | None, str | None]:
        """The main and the sub stream among a camera's ``ffmpeg.inputs``, by their roles;
        the first playable input when no role says which is the main one."""
        main = sub = None
        first = None
        for index, item in enumerate(inputs):
            where = f"{path}.ffmpeg.inputs[{index}]"
            roles = self._frigate_roles(item, where)
            if roles is None:
                continue
            url = self._frigate_url(item["path"], where, restreams, port)
            if url is None:
                continue
            first = first or url
            if _ROLE_MAIN in roles and main is None:
                main = url
            if _ROLE_SUB in roles and sub is None:
                sub = url
        return main or sub or first, sub

    def _frigate_roles(self, item: Any, where: str) -> list[str] | None:
        """The roles of an input; None for an input the wall does not import."""
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            self.warn(where, "no path: input skipped")
            return None
        listed = item.get("roles") or []
        listed = listed if isinstance(listed, list) else [listed]
        for role in listed:
            if role not in _KNOWN_ROLES:
                self.warn(where, f"unknown role {_shown(role)}: ignored")
        roles = [role if isinstance(role, str) else "" for role in listed]
        if roles and set(roles) <= {"audio", "rtmp"}:
            self.warn(where, f"an input for {', '.join(roles)} only is not imported")
            return None
        return roles

    def _frigate_url(
        self, raw: str, where: str, restreams: Mapping[str, Any], port: int
    ) -> str | None:
        url = _FRIGATE_VAR_RE.sub(r"${\1}", raw.strip())
        parts = _split(url)
        if parts is not None and _is_loopback(parts.hostname):
            if self.host:
                url = _replace_host(url, self.host)
            else:
                name = parts.path.strip("/")
                restream = parts.port == port and name in restreams
                source = None
                if restream:
                    source = self._go2rtc_source(name, restreams[name], f"go2rtc.streams.{name}",
                                                 quiet=True)
                if source is not None:
                    url = source
                elif restream:
                    self.warn(where, f"{url} is go2rtc's restream on Frigate's own machine, "
                                     "and the wall cannot play its source: give --host with "
                                     "that machine's address")
                else:
                    self.warn(where, f"{url} is on Frigate's own machine: give --host with "
                                     "that machine's address")
        return self._playable(url, where)

    def _frigate_masks(
        self, camera: Mapping[str, Any], path: str
    ) -> list[list[tuple[float, float]]]:
        motion = camera.get("motion")
        masks = motion.get("mask") if isinstance(motion, Mapping) else None
        if not masks:
            return []
        detect = camera.get("detect")
        size = None
        if isinstance(detect, Mapping):
            width, height = detect.get("width"), detect.get("height")
            if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
                size = (width, height)
        out: list[list[tuple[float, float]]] = []
        for index, mask in enumerate(masks if isinstance(masks, list) else [masks]):
            where = f"{path}.motion.mask" + (f"[{index}]" if isinstance(masks, list) else "")
            polygon = _polygon(mask, size)
            if isinstance(polygon, str):
                self.warn(where, f"{polygon}: mask not imported")
            else:
                out.append(polygon)
        return out

    # -- go2rtc

    def go2rtc(self, config: Mapping[str, Any]) -> list[_Camera]:
        streams = _mapping(config.get("streams"))
        if not streams:
            raise self._error("streams", "no streams: expected a mapping of streams by name")
        port = _go2rtc_port(config)
        names = [str(name) for name in streams]
        subs: dict[str, str] = {}
        for name in names:
            for suffix in SUB_SUFFIXES:
                base = name.removesuffix(suffix)
                if base != name and base in streams:
                    subs[base] = name
                    break
        out: list[_Camera] = []
        for name in names:
            if name in subs.values():
                continue
            path = f"streams.{escaped(name)}"
            main = self._go2rtc_url(name, streams[name], path, port)
            if main is None:
                continue
            sub = None
            if name in subs:
                sub = self._go2rtc_url(subs[name], streams[subs[name]],
                                       f"streams.{escaped(subs[name])}", port)
            out.append(_Camera(name, path, _display_name(name), main, sub))
        return out

    def _go2rtc_url(self, name: str, value: Any, path: str, port: int) -> str | None:
        if self.host:
            return f"rtsp://{_host_for_url(self.host)}:{port}/{name}"
        return self._go2rtc_source(name, value, path)

    def _go2rtc_source(
        self, name: str, value: Any, path: str, *, quiet: bool = False
    ) -> str | None:
        """The first source of a go2rtc stream that the wall can play itself."""
        sources = value if isinstance(value, list) else [value]
        kinds: list[str] = []
        for source in sources:
            if not isinstance(source, str) or not source.strip():
                continue
            text = source.strip()
            if text.startswith("ffmpeg:"):
                text = text.removeprefix("ffmpeg:")
            text = text.split("#", 1)[0]
            scheme = text.partition(":")[0].lower()
            if scheme in PLAYABLE and "://" in text:
                url = self._playable(text, path)
                if url is not None:
                    return url
                continue
            if "://" not in text and ":" not in text:
                continue  # ffmpeg:<other stream>#...: a transcoded copy of another stream
            kinds.append(scheme)
        if not quiet:
            if kinds:
                self.warn(path, f"no source the wall can play ({', '.join(dict.fromkeys(kinds))}"
                                f"): stream skipped; give --host to use go2rtc's restream")
            else:
                self.warn(path, "no source the wall can play: stream skipped")
        return None

    # -- common

    def _playable(self, url: str, where: str) -> str | None:
        filled = _REFERENCE_RE.sub("x", url)
        scheme = filled.partition(":")[0].lower()
        problem: str | None
        if not filled.isprintable() or " " in filled:  # a plain scalar over several lines
            problem = "the URL contains a space or a line break"
        elif scheme not in PLAYABLE:
            problem = f"{scheme or url!r} is not a stream the wall plays ({', '.join(PLAYABLE)})"
        else:
            problem = url_problem(filled)
        if problem is not None:
            self.warn(where, f"{problem}: skipped")
            return None
        return url

    def _error(self, path: str, message: str) -> ConfigError:
        return ConfigError([ConfigIssue(self.source, None, path, message)])


# -- helpers ------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A value of the source as a message quotes it: text cut short, a list or a mapping by
    its kind alone (aliases nested in it make its text exponential in the file's size)."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    return repr(short(str(value)))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _go2rtc_port(config: Any) -> int:
    """go2rtc's RTSP port, from ``rtsp: {listen: ":8554"}``."""
    rtsp = config.get("rtsp") if isinstance(config, Mapping) else None
    listen = rtsp.get("listen") if isinstance(rtsp, Mapping) else None
    if isinstance(listen, str):
        port = listen.rpartition(":")[2]
        if port.isdigit() and 0 < int(port) < 65536:
            return int(port)
    return GO2RTC_RTSP_PORT


def _split(url: str) -> Any:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    return parts


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _replace_host(url: str, host: str) -> str:
    scheme, _, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    port = ""
    if hostport.startswith("["):
        port = hostport.partition("]")[2]
    elif ":" in hostport:
        port = ":" + hostport.rpartition(":")[2]
    return f"{scheme}://{userinfo}{at}{_host_for_url(host)}{port}{slash}{tail}"


def _display_name(key: str) -> str:
    words = re.sub(r"[_\-.]+", " ", key).strip()
    return words[:1].upper() + words[1:] if words else key


def _make_id(key: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_-]+", "-", key.lower()).strip("-") or "camera"
    assert ID_RE.fullmatch(base)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _polygon(mask: Any, size: tuple[int, int] | None) -> list[tuple[float, float]] | str:
    """A Frigate mask (``"x1,y1,x2,y2,..."``, relative or in pixels of the detect size)
    as points in 0..1, or what is wrong with it."""
    if not isinstance(mask, str):
        return "not a list of coordinates"
    try:
        values = [float(v) for v in mask.split(",")]
    except ValueError:
        return "not a list of coordinates"
    if len(values) % 2 or len(values) < 2 * POLYGON_MIN_POINTS:
        return f"fewer than {POLYGON_MIN_POINTS} points"
    if any(v < 0 for v in values):
        return "negative coordinates"
    if max(values) > 1:
        if size is None:
            return "in pixels, and detect.width and detect.height are not given"
        width, height = size
        values = [v / (width if i % 2 == 0 else height) for i, v in enumerate(values)]
    points = [(round(min(values[i], 1.0), 4), round(min(values[i + 1], 1.0), 4))
              for i in range(0, len(values), 2)]
    twice_area = sum(x1 * y2 - x2 * y1
                     for (x1, y1), (x2, y2) in zip(points, [*points[1:], points[0]], strict=True))
    if twice_area == 0:
        return "its points lie on one line"
    return points


def _password_variables(
    cameras: Sequence[_Camera], warn: Any
) -> dict[str, tuple[str, ...]]:
    """Replace every password written in clear text (in the user info, or in a query
    parameter that carries a credential: Frigate's ``?password=``, go2rtc's ``?token=``) by
    ``${NAME}``; return NAME -> camera ids, for each variable the registry now needs (also
    those the source already used)."""
    by_password: dict[str, str] = {}
    plain: list[tuple[_Camera, list[tuple[str, str, str]]]] = []
    for camera in cameras:
        infos = []
        for url in filter(None, (camera.main, camera.sub)):
            parts = _split(url)
            user = parts.username if parts is not None else None
            password = parts.password if parts is not None else None
            if password and not _REFERENCE_RE.fullmatch(password):
                by_password.setdefault(password, "")
                infos.append((url, user or "", password))
            for _, value in query_secrets(url):
                if not _REFERENCE_RE.fullmatch(value):
                    by_password.setdefault(value, "")
        if infos:
            plain.append((camera, infos))
    names = {pw: "CAMERA_PASSWORD" if len(by_password) == 1 else f"CAMERA_PASSWORD_{i}"
             for i, pw in enumerate(by_password, 1)}
    for camera, infos in plain:
        _reference_userinfo(camera, infos, names)
    for camera in cameras:
        camera.main = _reference_query(camera.main, names)
        camera.sub = _reference_query(camera.sub, names) if camera.sub else None
    needed = _needed_variables(cameras)
    for name in names.values():
        ids = needed.get(name, [])
        warn("", f"a password was written in clear text: it is now ${{{name}}}; set {name} "
                 f"in the environment (cameras {', '.join(repr(i) for i in ids)})")
    return {name: tuple(ids) for name, ids in needed.items()}


def _needed_variables(cameras: Sequence[_Camera]) -> dict[str, list[str]]:
    """NAME -> the ids of the cameras whose URLs or credentials refer to ``${NAME}``."""
    needed: dict[str, list[str]] = {}
    for camera in cameras:
        texts = [camera.main, camera.sub or "", f"${{{camera.password_var}}}"
                 if camera.password_var else ""]
        for text in texts:
            for name in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text):
                ids = needed.setdefault(name, [])
                if camera.id not in ids:
                    ids.append(camera.id)
    return needed


def _reference_userinfo(
    camera: _Camera, infos: list[tuple[str, str, str]], names: Mapping[str, str]
) -> None:
    """The user info of a camera's URLs: into ``credentials`` when all its URLs share one,
    else each password replaced by its ``${NAME}``."""
    urls = [u for u in (camera.main, camera.sub) if u]
    users = {(user, password) for _, user, password in infos}
    if len(infos) == len(urls) and len(users) == 1:
        user, password = users.pop()
        camera.username = unquote(user)
        camera.password_var = names[password]
        camera.main = _strip_userinfo(camera.main)
        camera.sub = _strip_userinfo(camera.sub) if camera.sub else None
    else:
        camera.main = _reference_password(camera.main, names)
        camera.sub = _reference_password(camera.sub, names) if camera.sub else None


def _reference_query(url: str, names: Mapping[str, str]) -> str:
    """``url`` with each credential written in clear text in its query replaced by the
    ``${NAME}`` that now holds it."""
    return map_query_secrets(
        url, lambda _, value: f"${{{names[value]}}}" if value in names else value)


def _strip_userinfo(url: str) -> str:
    scheme, _, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{tail}"


def _reference_password(url: str, names: Mapping[str, str]) -> str:
    parts = _split(url)
    if parts is None or parts.password is None or parts.password not in names:
        return url
    scheme, _, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    userinfo, _, hostport = authority.rpartition("@")
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user}:${{{names[parts.password]}}}@{hostport}{slash}{tail}"


# -- output ---------------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A double-quoted YAML scalar; anything but printable text is escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == " " or (ch.isprintable() and not 0xD800 <= code <= 0xDFFF
                           and ch not in "\ufeff\ufffe\uffff"):
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _plain(word: str) -> str:
    """An id as YAML: bare when YAML reads it back as the same text, else quoted."""
    try:
        plain = ID_RE.fullmatch(word) is not None and yaml.safe_load(word) == word
    except yaml.YAMLError:
        plain = False
    return word if plain else _q(word)


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def render(
    cameras: Iterable[_Camera],
    *,
    source: str,
    fmt: Format,
    site: str,
    site_name: str,
    agency: str | None,
    variables: Mapping[str, Sequence[str]],
) -> str:
    """The registry YAML of imported cameras."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in Path(source).name)
    lines = [
        f"# Cameras imported from {shown} ({FORMAT_NAMES[fmt]}) by "
        "`videowall cameras import`.",
        "# Check names, sites and agencies; `videowall cameras validate FILE` checks the file.",
    ]
    if variables:
        lines.append("# Set these environment variables before the wall starts:")
        width = max(len(name) for name in variables)
        lines += [f"#   {name.ljust(width)}  {', '.join(ids)}" for name, ids in variables.items()]
    lines += ["", "sites:", f"  {_plain(site)}: {{name: {_q(site_name)}}}"]
    if agency:
        lines += ["agencies:", f"  {_plain(agency)}: {{name: {_q(agency)}}}"]
    lines += ["", "cameras:"]
    for camera in cameras:
        lines += [f"  - id: {_plain(camera.id)}", f"    name: {_q(camera.name)}",
                  f"    site: {_plain(site)}"]
        if agency:
            lines.append(f"    agency: {_plain(agency)}")
        if camera.sub:
            lines += ["    streams:", f"      main: {_q(camera.main)}",
                      f"      sub: {_q(camera.sub)}"]
        else:
            lines.append(f"    url: {_q(camera.main)}")
        if camera.password_var:
            lines.append(f"    credentials: {{username: {_q(camera.username or '')}, "
                         f"password: {_q('${' + camera.password_var + '}')}}}")
        if not camera.enabled:
            lines.append("    enabled: false")
        if camera.masks:
            lines += ["    motion:", "      enabled: false  # masks from the source; set true "
                                        "for motion alerts", "      masks:"]
            for mask in camera.masks:
                points = ", ".join(f"[{_number(x)}, {_number(y)}]" for x, y in mask)
                lines.append(f"        - [{points}]")
    return "\n".join(lines) + "\n"


# -- entry points ---------------------------------------------------------------------------------


def detect_format(config: Any) -> Format | None:
    """``frigate`` for a config with cameras that have ``ffmpeg`` settings, ``go2rtc`` for
    one with ``streams``, else None."""
    if not isinstance(config, Mapping):
        return None
    cameras = config.get("cameras")
    if isinstance(cameras, Mapping) and any(
        isinstance(c, Mapping) and "ffmpeg" in c for c in cameras.values()
    ):
        return "frigate"
    if isinstance(config.get("streams"), Mapping):
        return "go2rtc"
    return None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, which says at which node a value cannot be built (``!!float
    abc``, a date with month 13) and builds no integer too long to print."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, OverflowError, IndexError,
                KeyError) as exc:  # e.g. `!!int ''`, `!!bool x`: a value it cannot build
            raise yaml.constructor.ConstructorError(
                None, None, f"{found(node)} is not valid", node.start_mark) from exc
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"{found(node)} is too long a number", node.start_mark)
        return value


#: Longer integers could not be turned into text (Python's limit: 4300 digits).
_MAX_INT_BITS = 4096


def _parse(text: str | bytes, source: str) -> Any:
    """The YAML document in ``text``; ConfigError for a syntax error."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:
        raise ConfigError([ConfigIssue(source, None, "", f"YAML syntax error: character "
                                                         f"#x{exc.character:04x} is not allowed "
                                                         "in YAML text")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise ConfigError([ConfigIssue(source, line, "", f"YAML syntax error: {problem}")]) \
            from exc
    except RecursionError as exc:
        raise ConfigError([ConfigIssue(source, None, "", "YAML syntax error: the document "
                                                         "nests too deeply")]) from exc


def import_cameras(
    text: str | bytes,
    source: str = "<string>",
    *,
    fmt: Format | None = None,
    site: str | None = None,
    site_name: str | None = None,
    agency: str | None = None,
    host: str | None = None,
) -> ImportResult:
    """Registry YAML for the cameras of a Frigate or go2rtc config (``fmt`` None: guess).

    Raises ConfigError when the text is no such config or holds no camera to import.
    """
    importer = _Importer(source, host)
    config = _parse(text, source)
    if fmt is None:
        fmt = detect_format(config)
        if fmt is None:
            raise importer._error("", "neither a Frigate config (cameras with ffmpeg inputs) "
                                      "nor a go2rtc config (streams)")
    if not isinstance(config, Mapping):
        raise importer._error("", "expected a mapping at the top level")
    for name, value in (("site", site), ("agency", agency)):
        if value is not None and not ID_RE.fullmatch(value):
            raise importer._error("", f"{name} {value!r} is not a valid id: use lower-case "
                                      "letters, digits, '_' and '-'")
    cameras = importer.frigate(config) if fmt == "frigate" else importer.go2rtc(config)
    if not cameras:
        raise ConfigError([*importer.warnings, importer._error("", "no camera to import")
                           .issues[0]])
    taken: set[str] = set()
    for camera in cameras:
        camera.id = _make_id(camera.key, taken)
        if not camera.name.strip():
            camera.name = camera.id
    variables = _password_variables(cameras, importer.warn)
    site = site or fmt
    text_out = render(
        cameras, source=source, fmt=fmt, site=site,
        site_name=site_name or f"{FORMAT_NAMES[fmt]} ({Path(source).name})",
        agency=agency, variables=variables,
    )
    check = check_registry(text_out, "<import>", environ={})
    if check.errors:  # a bug of the import: never hand on a file the wall rejects
        raise ConfigError(check.errors)
    return ImportResult(text_out, fmt, tuple(c.id for c in cameras), tuple(importer.warnings),
                        variables)


def read_import(path: str | os.PathLike[str], **options: Any) -> ImportResult:
    """:func:`import_cameras` of the file at ``path``; ConfigError with ``unreadable`` set
    when it cannot be read."""
    source = os.fspath(path)
    try:
        data = read_capped(source, IMPORT_MAX_BYTES)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError([ConfigIssue(source, None, "", f"cannot read the file: {reason}")],
                          unreadable=True) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigIssue(source, None, "", "the file is not UTF-8 text")]) \
            from exc
    return import_cameras(text, source, **options)
