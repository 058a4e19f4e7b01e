"""The camera registry: read ``config/cameras.yaml`` and check every field of it.

The loader walks the YAML node tree (``yaml.compose`` with SafeLoader tag resolution; no
Python object is ever constructed from the document), so every issue carries the line of
the node it is about. It gathers all issues of a file before it reports, and it either
returns a complete :class:`~videowall.registry.model.Registry` or raises :class:`ConfigError`.

Issues read like a compiler's::

    config/cameras.yaml:14: cameras[3].url: scheme 'rtps' is not one of rtsp, rtsps, http,
    https, udp, rtp, file (did you mean 'rtsp'?)

Paths count list items from 0. Credentials never appear in a message: ``${NAME}`` in a URL
is filled from the environment at load time, and any URL that is shown is masked. A
camera's ``credentials: {username: ..., password: "${NAME}"}`` puts ``user:password@``
(URL-quoted) into its URLs; a password written there in clear text is an error, one written
into a URL a warning. A variable that is not set disables the camera, with a warning.

Two cameras with the same stream are a warning (a copied entry whose URL was not changed,
as a rule). Motion zones and masks are polygons in frame coordinates (0..1), checked point
by point. :mod:`videowall.registry.schema` turns the constants below into the JSON Schema
editors use.

Two conveniences for the people who edit the file: YAML merge keys (``<<: *defaults``)
work as in any YAML loader, and top-level keys starting with ``x-`` are ignored, so they
can hold anchors for such defaults.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar
from urllib.parse import quote, urlsplit

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from videowall.registry.model import (
    BACKENDS,
    MOTION_OFF,
    PRIORITY_DEFAULT,
    PRIORITY_HIGHEST,
    PRIORITY_LOWEST,
    WEEKDAYS,
    Agency,
    Camera,
    Location,
    MotionConfig,
    Point,
    Polygon,
    Registry,
    ScheduleWindow,
    Site,
)
from videowall.streams.health import HEALTH_INTEGERS, HEALTH_LIMITS, HealthConfig, out_of_order
from videowall.util.logs import mask_url

log = logging.getLogger(__name__)

#: URL schemes a camera may use, most common first (suggestions prefer earlier ones).
URL_SCHEMES = ("rtsp", "rtsps", "http", "https", "udp", "rtp", "file")
#: Schemes that need a host (``udp``/``rtp`` may instead listen on ``@:port``).
NETWORK_SCHEMES = frozenset(URL_SCHEMES) - {"file"}
#: Camera, site and agency ids.
ID_RE = re.compile(r"[a-z0-9_-]+")

TOP_KEYS = ("cameras", "sites", "agencies", "health")
#: Top-level keys with this prefix are ignored (a place for YAML anchors).
EXTENSION_PREFIX = "x-"
CAMERA_KEYS = (
    "id", "name", "site", "agency", "url", "streams", "backend", "enabled", "location",
    "heading", "tags", "priority", "credentials", "motion",
)
CAMERA_REQUIRED = ("id", "name", "site")
STREAMS_KEYS = ("main", "sub")
CREDENTIALS_KEYS = ("username", "password")
#: Schemes whose URLs can carry ``user:password@``.
CREDENTIAL_SCHEMES = ("rtsp", "rtsps", "http", "https")
SITE_KEYS = ("name", "location", "contact", "colour")
AGENCY_KEYS = ("name", "colour", "contact")
LOCATION_KEYS = ("lat", "lon")
MOTION_KEYS = ("enabled", "sensitivity", "min_area", "zones", "masks", "schedule")
SCHEDULE_KEYS = ("days", "from", "to")

#: Inclusive ranges of the numbers of the file.
LAT_RANGE = (-90.0, 90.0)
LON_RANGE = (-180.0, 180.0)
HEADING_RANGE = (0.0, 360.0)
FRACTION_RANGE = (0.0, 1.0)  # sensitivity, min_area, polygon coordinates
PRIORITY_RANGE = (PRIORITY_HIGHEST, PRIORITY_LOWEST)
#: Points a polygon needs at least.
POLYGON_MIN_POINTS = 3

#: Patterns of text values (Python ``re`` syntax that JSON Schema's ECMA dialect shares).
COLOUR_PATTERN = r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})"
TIME_PATTERN = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9]"
END_TIME_PATTERN = rf"(?:{TIME_PATTERN}|24:00)"
VAR_PATTERN = r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"

Severity = Literal["error", "warning"]
_T = TypeVar("_T")

_VAR_RE = re.compile(VAR_PATTERN)
_COLOUR_RE = re.compile(COLOUR_PATTERN)
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MERGE = _TAG + "merge"
_SEQ, _MAP = _TAG + "seq", _TAG + "map"
_KINDS = {
    _STR: "string", _INT: "integer", _FLOAT: "number", _BOOL: "boolean",
    _TAG + "timestamp": "date", _TAG + "binary": "binary data", _TAG + "value": "value",
}
_SCALARS = SafeConstructor()
#: Shorter passwords are masked inside URLs only; as bare words they would garble messages.
_MIN_SECRET = 4
#: What to tell a technician about PyYAML's commonest complaints.
_SYNTAX_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("expected <block end>", "check the indentation"),
    ("mapping values are not allowed here",
     "put a value that holds ': ' in quotes, or check the indentation"),
)


@dataclass(frozen=True)
class ConfigIssue:
    """One problem found in a registry file.

    ``line`` is 1-based, or None when the issue is about the whole file (it cannot be
    read, say). ``path`` locates the value in the document (``cameras[3].url``).
    """

    source: str
    line: int | None
    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        parts = [f"{self.source}:{self.line}" if self.line else self.source]
        if self.severity == "warning":
            parts.append("warning")
        if self.path:
            parts.append(self.path)
        parts.append(self.message)
        return ": ".join(parts)


class ConfigError(Exception):
    """A registry file that cannot be used; ``str()`` lists every issue, one per line.

    ``issues`` holds the errors and the warnings found alongside them, in line order.
    ``unreadable`` is True when the file could not be read at all (missing, a directory,
    no permission), as opposed to a file whose content is wrong.
    """

    def __init__(self, issues: Iterable[ConfigIssue], *, unreadable: bool = False) -> None:
        self.issues = list(issues)
        self.unreadable = unreadable
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)

    @property
    def errors(self) -> list[ConfigIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[ConfigIssue]:
        return [i for i in self.issues if i.severity == "warning"]


@dataclass(frozen=True)
class RegistryCheck:
    """The outcome of checking a registry: the registry (None if there is any error)
    and every issue found, errors and warnings, in line order."""

    registry: Registry | None
    issues: tuple[ConfigIssue, ...]

    @property
    def errors(self) -> list[ConfigIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[ConfigIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    def registry_or_raise(self) -> Registry:
        """The registry, after logging the warnings; ConfigError if there is none."""
        if self.registry is None:
            raise ConfigError(self.issues)
        for issue in self.warnings:
            log.warning("%s", issue)
        return self.registry


# -- public entry points -------------------------------------------------------------------


def check_registry(
    text: str | bytes, source: str = "<string>", *, environ: Mapping[str, str] | None = None
) -> RegistryCheck:
    """Check a registry document and build it; never raises for bad content.

    ``bytes`` are decoded as UTF-8 (a UTF-8 or UTF-16 byte order mark is honoured).
    ``environ`` fills ``${NAME}`` in URLs (default: ``os.environ``).
    """
    checker = _Checker(source, os.environ if environ is None else environ)
    registry = checker.check_document(text)
    return checker.result(registry)


def read_registry(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> RegistryCheck:
    """Read and check a registry file.

    Raises ConfigError with ``unreadable=True`` if the file cannot be read; bad content
    is reported in the returned :class:`RegistryCheck`.
    """
    source = os.fspath(path)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        issue = ConfigIssue(source, None, "", f"cannot read the camera registry: {reason}")
        raise ConfigError([issue], unreadable=True) from exc
    return check_registry(data, source, environ=environ)


def parse_registry(
    text: str | bytes, source: str = "<string>", *, environ: Mapping[str, str] | None = None
) -> Registry:
    """The registry in ``text``; logs its warnings, raises ConfigError on any error."""
    return check_registry(text, source, environ=environ).registry_or_raise()


def load_registry(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> Registry:
    """The registry in the file ``path``; logs its warnings, raises ConfigError on any
    error or if the file cannot be read (then ``unreadable`` is set)."""
    return read_registry(path, environ=environ).registry_or_raise()


def validate_file(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> list[ConfigIssue]:
    """Every issue of the file at ``path`` (empty if it is clean).

    Raises ConfigError with ``unreadable=True`` if the file cannot be read.
    """
    return list(read_registry(path, environ=environ).issues)


def suggest(word: str, choices: Sequence[str]) -> str | None:
    """The choice ``word`` was most likely meant to be, or None.

    Close matches come from difflib; among them the fewest edits wins (a swap of two
    neighbouring letters counts as one) and, at a tie, the earlier choice.
    """
    if not word:
        return None
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=5, cutoff=0.6)
    if not close:
        return None
    order = {c: i for i, c in enumerate(lowered)}
    best = min(close, key=lambda c: (_edit_distance(word.lower(), c), order[c]))
    return lowered[best]


# -- internals -------------------------------------------------------------------------------


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance counting a transposition of neighbours as one edit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    match = suggest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""


def _short(text: str, limit: int = 40) -> str:
    text = mask_url(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _found(node: Node | None) -> str:
    """How a node reads in a message: ``string 'abc'``, ``integer 4``, ``a list``."""
    if node is None:
        return "nothing"
    if isinstance(node, MappingNode | SequenceNode):
        what = "a mapping" if isinstance(node, MappingNode) else "a list"
        if node.tag not in (_MAP, _SEQ):
            what += f" tagged {_short(node.tag.replace(_TAG, '!!'))!r}"
        return what
    value = str(node.value)
    if node.tag == _NULL:
        return "nothing" if value == "" else "null"
    kind = _KINDS.get(node.tag)
    if kind is None:
        return f"a value tagged {_short(node.tag.replace(_TAG, '!!'))!r}"
    if node.tag == _STR:
        return f"string {_short(value)!r}"
    return f"{kind} {_short(value)}"


def _kind(node: Node) -> str:
    """What a node is, without its value: ``a string``, ``a list``."""
    if not isinstance(node, ScalarNode):
        return _found(node)
    if node.tag == _NULL:
        return "nothing" if str(node.value) == "" else "null"
    kind = _KINDS.get(node.tag, "value")
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _quote_hint(node: Node) -> str:
    if isinstance(node, ScalarNode) and node.tag in (_INT, _FLOAT, _BOOL, _TAG + "timestamp"):
        return " (put it in quotes to use it as text)"
    return ""


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL


class _Entry(NamedTuple):
    key: Node
    value: Node


class _Url(NamedTuple):
    url: str
    unset: tuple[str, ...]  # environment variables referenced but not set


class _Credentials(NamedTuple):
    username: str
    password: str
    unset: tuple[str, ...]


class _Checker:
    """Walks one document and collects its issues; a check returns None where a value is
    wrong, after reporting it."""

    def __init__(self, source: str, environ: Mapping[str, str]) -> None:
        self.source = source
        self.environ = environ
        self.issues: list[ConfigIssue] = []
        self.error_count = 0
        self.secrets: set[str] = set()
        #: stream (see _stream_key) -> the first camera using it, and the line
        self.streams: dict[str, tuple[str, int]] = {}

    # -- reporting

    def error(self, where: Node | int | None, path: str, message: str) -> None:
        self._add(where, path, message, "error")

    def warning(self, where: Node | int | None, path: str, message: str) -> None:
        self._add(where, path, message, "warning")

    def _add(self, where: Node | int | None, path: str, message: str, severity: Severity) -> None:
        if isinstance(where, Node):
            line: int | None = where.start_mark.line + 1 if where.start_mark else None
        else:
            line = where
        if severity == "error":
            self.error_count += 1
        self.issues.append(ConfigIssue(self.source, line, path, mask_url(message), severity))

    def result(self, registry: Registry | None) -> RegistryCheck:
        issues = sorted((self._scrub(i) for i in self.issues), key=lambda i: i.line or 0)
        return RegistryCheck(None if self.error_count else registry, tuple(issues))

    def _scrub(self, issue: ConfigIssue) -> ConfigIssue:
        message = issue.message
        for secret in sorted(self.secrets, key=len, reverse=True):
            message = message.replace(secret, "***")
        return dataclasses.replace(issue, message=message)

    # -- document

    def check_document(self, text: str | bytes) -> Registry | None:
        if isinstance(text, bytes):
            decoded = self._decode(text)
            if decoded is None:
                return None
            text = decoded
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            self._syntax_error(exc)
            return None
        except yaml.reader.ReaderError as exc:
            line = text[: max(0, exc.position)].count("\n") + 1
            self.error(line, "", f"YAML syntax error: character #x{exc.character:04x} is not "
                                 "allowed in YAML text")
            return None
        except yaml.YAMLError as exc:  # no position known
            self.error(None, "", f"YAML syntax error: {exc}")
            return None
        except RecursionError:
            self.error(None, "", "YAML syntax error: the document nests too deeply")
            return None
        return self._check_registry(root)

    def _decode(self, data: bytes) -> str | None:
        encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
            else "utf-8-sig"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            name = "UTF-16" if encoding == "utf-16" else "UTF-8"
            self.error(line, "", f"the file is not {name} text (invalid byte "
                                 f"0x{data[exc.start]:02x}); save it as UTF-8")
            return None

    def _syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "malformed YAML"
        message = f"YAML syntax error: {problem}"
        if problem == "but found another document":
            message = ("YAML syntax error: found a second document ('---'): the registry is "
                       "one document")
        elif exc.context and exc.problem and exc.context_mark is not None \
                and exc.context_mark.line + 1 != line:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        for clue, hint in _SYNTAX_HINTS:
            if clue in problem:
                message += f"; {hint}"
                break
        self.error(line, "", message)

    # -- generic node checks

    def mapping(
        self,
        node: Node,
        path: str,
        what: str,
        *,
        keys: Sequence[str] | None = None,
        required: Sequence[str] = (),
        extension_prefix: str | None = None,
    ) -> dict[str, _Entry] | None:
        """The entries of a mapping node, checked for key types, duplicates, unknown and
        missing keys. Unknown keys are reported and left out."""
        if not isinstance(node, MappingNode) or node.tag != _MAP:
            self.error(node, path, f"expected {what}, found {_found(node)}")
            return None
        entries: dict[str, _Entry] = {}
        self._collect(node, path, entries, explicit=True, seen={id(node)})
        suggested: set[str] = set()
        for name, entry in list(entries.items()):
            if extension_prefix and name.startswith(extension_prefix):
                del entries[name]
            elif keys is not None and name not in keys:
                match = suggest(name, keys)
                if match:
                    suggested.add(match)
                hint = f" (did you mean {match!r}?)" if match \
                    else f" (expected one of {', '.join(keys)})"
                self.error(entry.key, path, f"unknown key {name!r}{hint}")
                del entries[name]
        for name in required:
            # a misspelt key already said "did you mean"; its absence needs no second word
            if name not in entries and name not in suggested:
                self.error(node, path, f"missing required key {name!r}")
        return entries

    def _collect(
        self, node: MappingNode, path: str, entries: dict[str, _Entry], *, explicit: bool,
        seen: set[int],
    ) -> None:
        merges: list[Node] = []
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.tag == _MERGE:
                merges.append(value)
                continue
            name = self.key(key, path)
            if name is None:
                continue
            if name in entries:
                if explicit:
                    first = entries[name].key.start_mark.line + 1
                    self.error(key, path, f"duplicate key {name!r} (first at line {first})")
                continue
            entries[name] = _Entry(key, value)
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            if not all(isinstance(s, MappingNode) for s in sources):
                self.error(merge, path, "'<<' merges a mapping or a list of mappings, "
                                        f"found {_found(merge)}")
                continue
            for src in sources:
                if isinstance(src, MappingNode) and id(src) not in seen:
                    self._collect(src, path, entries, explicit=False, seen=seen | {id(src)})

    def key(self, node: Node, path: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _STR:
            return str(node.value)
        self.error(node, path, f"keys must be text, found {_found(node)} as a key"
                               f"{_quote_hint(node)}")
        return None

    def string(self, node: Node, path: str, what: str = "a string") -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _STR:
            value = str(node.value)
            if not value.strip():
                self.error(node, path, "must not be empty")
                return None
            return value
        self.error(node, path, f"expected {what}, found {_found(node)}{_quote_hint(node)}")
        return None

    def identifier(self, node: Node, path: str) -> str | None:
        value = self.string(node, path, "an id")
        if value is None:
            return None
        return self.check_id(value, node, path)

    def check_id(self, value: str, node: Node, path: str) -> str | None:
        if ID_RE.fullmatch(value):
            return value
        candidate = re.sub(r"\s+", "-", value.strip().lower())
        hint = f" (did you mean {candidate!r}?)" if ID_RE.fullmatch(candidate) else ""
        self.error(node, path, f"{_short(value)!r} is not a valid id: use lower-case letters, "
                               f"digits, '_' and '-'{hint}")
        return None

    def choice(self, node: Node, path: str, choices: Sequence[str]) -> str | None:
        value = self.string(node, path, f"one of {', '.join(choices)}")
        if value is None:
            return None
        if value not in choices:
            self.error(node, path, f"{_short(value)!r} is not one of {', '.join(choices)}"
                                   f"{_did_you_mean(value, choices)}")
            return None
        return value

    def boolean(self, node: Node, path: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            value = self._scalar(node, path)
            return value if isinstance(value, bool) else None
        self.error(node, path, f"expected true or false, found {_found(node)}")
        return None

    def number(self, node: Node, path: str, low: float, high: float) -> float | None:
        if not (isinstance(node, ScalarNode) and node.tag in (_INT, _FLOAT)):
            self.error(node, path, f"expected a number, found {_found(node)}")
            return None
        value = self._scalar(node, path)
        if not isinstance(value, int | float):
            return None
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if not low <= number <= high:
            self.error(node, path, f"must be between {low:g} and {high:g}, "
                                   f"found {_short(str(node.value))}")
            return None
        return number

    def string_list(self, node: Node, path: str) -> tuple[str, ...] | None:
        if not isinstance(node, SequenceNode) or node.tag != _SEQ:
            self.error(node, path, f"expected a list of strings, found {_found(node)}")
            return None
        items = [self.string(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)

    def _scalar(self, node: ScalarNode, path: str) -> object:
        """The value of an int, float or bool scalar; reports malformed explicit tags."""
        constructors = {
            _INT: _SCALARS.construct_yaml_int,
            _FLOAT: _SCALARS.construct_yaml_float,
            _BOOL: _SCALARS.construct_yaml_bool,
        }
        try:
            return constructors[node.tag](node)
        except Exception:  # e.g. `!!int abc`: any failure here is a bad value
            self.error(node, path, f"{_short(str(node.value))!r} is not a valid "
                                   f"{_KINDS.get(node.tag, 'value')}")
            return None

    def url(self, node: Node, path: str, camera: str) -> _Url | None:
        """A stream URL with ``${NAME}`` filled in from the environment."""
        raw = self.string(node, path, "a URL")
        if raw is None:
            return None
        self._remember_secrets(raw)
        if any(ch.isspace() for ch in raw):
            self.error(node, path, "the URL contains a space or a line break "
                                   "(write a space as %20)")
            return None
        if "${" in _VAR_RE.sub("", raw):
            self.error(node, path, "malformed variable: write ${NAME} with letters, digits "
                                   "and '_'")
            return None
        if _plain_password(raw):
            self.warning(node, path, f"camera {camera!r} has a password written in the file: "
                                     "write user:${CAM_PASSWORD}@host in the URL and set "
                                     "CAM_PASSWORD in the environment")
        unset: list[str] = []
        url = self._fill(raw, unset)
        problem = url_problem(url)
        if problem:
            self.error(node, path, problem)
            return None
        for name in dict.fromkeys(unset):
            self.warning(node, path, f"environment variable {name} is not set: camera "
                                     f"{camera!r} is loaded disabled")
        return _Url(url, tuple(unset))

    def _remember_secrets(self, raw: str) -> None:
        """Note the password of a URL (as written and as filled in from the environment)
        so that no message can show it, wherever else in the file it turns up."""
        authority = raw.partition("://")[2] or raw
        userinfo = authority.lstrip("/").split("/", 1)[0].rpartition("@")[0]
        password = userinfo.partition(":")[2]
        found = [password, *(self.environ.get(v, "") for v in _VAR_RE.findall(userinfo))]
        self.secrets.update(s for s in found if len(s) >= _MIN_SECRET and "${" not in s)

    def location(self, node: Node, path: str) -> Location | None:
        entries = self.mapping(node, path, "a mapping with lat and lon", keys=LOCATION_KEYS,
                               required=LOCATION_KEYS)
        if entries is None or len(entries) < 2:
            return None
        lat = self.number(entries["lat"].value, f"{path}.lat", *LAT_RANGE)
        lon = self.number(entries["lon"].value, f"{path}.lon", *LON_RANGE)
        if lat is None or lon is None:
            return None
        return Location(lat, lon)

    def colour(self, node: Node, path: str) -> str | None:
        colour = self.string(node, path)
        if colour is not None and not _COLOUR_RE.fullmatch(colour):
            self.error(node, path, f"{_short(colour)!r} is not a colour: write #rrggbb, "
                                   "e.g. #3d8bfd")
            return None
        return colour

    def priority(self, node: Node, path: str) -> int | None:
        low, high = PRIORITY_RANGE
        scale = f"{low} (most urgent) and {high} (least urgent)"
        if not (isinstance(node, ScalarNode) and node.tag == _INT):
            self.error(node, path, f"expected a whole number between {scale}, "
                                   f"found {_found(node)}")
            return None
        value = self._scalar(node, path)
        if not isinstance(value, int):
            return None
        if not low <= value <= high:
            self.error(node, path, f"must be between {scale}, found {_short(str(node.value))}")
            return None
        return value

    # -- credentials

    def credentials(self, node: Node, path: str, camera: str) -> _Credentials | None:
        """``{username, password}``: the password a ``${NAME}`` reference, never the text.

        No message about this block shows a value but the user name's: whatever else it
        holds may be a password.
        """
        what = "a mapping with username and password"
        self._remember_secrets_in(node)
        if not isinstance(node, MappingNode) or node.tag != _MAP:
            self.error(node, path, f"expected {what}, found {_kind(node)}")
            return None
        entries = self.mapping(node, path, what, keys=CREDENTIALS_KEYS,
                               required=CREDENTIALS_KEYS)
        if entries is None or len(entries) < len(CREDENTIALS_KEYS):
            return None
        unset_user: list[str] = []
        unset_password: list[str] = []
        username = None
        user_node = entries["username"].value
        raw_user = self.string(user_node, f"{path}.username")
        if raw_user is not None:
            if "${" in _VAR_RE.sub("", raw_user):
                self.error(user_node, f"{path}.username", "malformed variable: write ${NAME} "
                                                          "with letters, digits and '_'")
            else:
                username = self._fill(raw_user, unset_user)
        password = None
        pw_node = entries["password"].value
        match = None
        if isinstance(pw_node, ScalarNode) and pw_node.tag == _STR:
            match = _VAR_RE.fullmatch(str(pw_node.value))
        if match is None:
            self.error(pw_node, f"{path}.password",
                       "write ${NAME}, the name of an environment variable that holds the "
                       "password, not the password itself")
        else:
            password = self._fill(match.group(0), unset_password)
            for secret in (password, quote(password, safe="")):
                if len(secret) >= _MIN_SECRET and "${" not in secret:
                    self.secrets.add(secret)
        if username is None or password is None:
            return None
        for key, where, names in (("username", user_node, unset_user),
                                  ("password", pw_node, unset_password)):
            for name in dict.fromkeys(names):
                self.warning(where, f"{path}.{key}", f"environment variable {name} is not "
                                                     f"set: camera {camera!r} is loaded disabled")
        return _Credentials(username, password, (*unset_user, *unset_password))

    def _remember_secrets_in(self, node: Node) -> None:
        """Keep every value of a credentials block out of every message (but the user
        name's): any of them may be a password, or hold one."""
        skip: set[int] = set()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and suggest(str(key.value), CREDENTIALS_KEYS) \
                        == "username":
                    skip.add(id(value))
        stack, seen = [node], set()
        while stack:
            item = stack.pop()
            if id(item) in seen or id(item) in skip:
                continue
            seen.add(id(item))
            if isinstance(item, ScalarNode):
                text = str(item.value)
                for part in [text, *re.split(r"[:@\s]+", text)]:
                    if len(part) >= _MIN_SECRET and not _VAR_RE.fullmatch(part):
                        self.secrets.add(part)
            elif isinstance(item, MappingNode):
                stack.extend(value for _, value in item.value)
            elif isinstance(item, SequenceNode):
                stack.extend(item.value)

    def _fill(self, raw: str, unset: list[str]) -> str:
        """``raw`` with each ``${NAME}`` replaced from the environment; the names that are
        not set are appended to ``unset`` and left as they are."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.environ:
                return self.environ[name]
            unset.append(name)
            return match.group(0)

        return _VAR_RE.sub(fill, raw)

    def _with_credentials(
        self, url: _Url, credentials: _Credentials, node: Node, path: str, where: str
    ) -> _Url | None:
        """``url`` with ``user:password@`` from ``credentials`` (URL-quoted)."""
        scheme, _, rest = url.url.partition(":")
        if scheme.lower() not in CREDENTIAL_SCHEMES:
            self.error(node, path, f"credentials apply to {_or_list(CREDENTIAL_SCHEMES)} "
                                   f"URLs, and {where} is a {scheme.lower()} URL")
            return None
        authority = rest.removeprefix("//").split("/", 1)[0]
        if "@" in authority:
            self.error(node, path, f"{where} already holds a user name: give the credentials "
                                   "in the URL or in 'credentials', not both")
            return None
        if credentials.unset:
            return _Url(url.url, url.unset + credentials.unset)
        userinfo = (f"{quote(credentials.username, safe='')}:"
                    f"{quote(credentials.password, safe='')}@")
        return _Url(f"{scheme}://{userinfo}{rest.removeprefix('//')}", url.unset)

    # -- motion

    def motion(self, node: Node, path: str) -> MotionConfig | None:
        entries = self.mapping(node, path, f"a motion block (a mapping with "
                                           f"{_and_list(MOTION_KEYS)})", keys=MOTION_KEYS)
        if entries is None:
            return None
        before = self.error_count

        def given(key: str) -> Node | None:
            entry = entries.get(key)
            return None if entry is None or _is_null(entry.value) else entry.value

        defaults = MotionConfig()
        enabled, sensitivity, min_area = defaults.enabled, defaults.sensitivity, \
            defaults.min_area
        zones, masks, schedule = defaults.zones, defaults.masks, defaults.schedule
        if (value := given("enabled")) is not None:
            enabled = bool(self.boolean(value, f"{path}.enabled"))
        if (value := given("sensitivity")) is not None:
            sensitivity = self.number(value, f"{path}.sensitivity", *FRACTION_RANGE) or 0.0
        if (value := given("min_area")) is not None:
            min_area = self.number(value, f"{path}.min_area", *FRACTION_RANGE) or 0.0
        if (value := given("zones")) is not None:
            zones = self.polygons(value, f"{path}.zones") or ()
        if (value := given("masks")) is not None:
            masks = self.polygons(value, f"{path}.masks") or ()
        if (value := given("schedule")) is not None:
            schedule = self.schedule(value, f"{path}.schedule") or ()
        if self.error_count > before:
            return None
        return MotionConfig(enabled, sensitivity, min_area, zones, masks, schedule)

    def list_of(
        self, node: Node, path: str, what: str, check: Callable[[Node, str], _T | None]
    ) -> tuple[_T, ...] | None:
        """A list whose every item passes ``check``; None if it is not a list or any
        item is wrong (each wrong item reported by ``check``)."""
        if not isinstance(node, SequenceNode) or node.tag != _SEQ:
            self.error(node, path, f"expected {what}, found {_found(node)}")
            return None
        items = [check(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)

    def polygons(self, node: Node, path: str) -> tuple[Polygon, ...] | None:
        return self.list_of(node, path, "a list of polygons (each a list of [x, y] points)",
                            self.polygon)

    def polygon(self, node: Node, path: str) -> Polygon | None:
        what = f"a polygon (a list of at least {POLYGON_MIN_POINTS} [x, y] points)"
        if not isinstance(node, SequenceNode) or node.tag != _SEQ:
            self.error(node, path, f"expected {what}, found {_found(node)}")
            return None
        points = [self.point(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if any(p is None for p in points):
            return None
        polygon = tuple(p for p in points if p is not None)
        if len(polygon) < POLYGON_MIN_POINTS:
            self.error(node, path, f"a polygon needs at least {POLYGON_MIN_POINTS} points, "
                                   f"found {len(polygon)}")
            return None
        if _area(polygon) == 0:
            self.error(node, path, "the points lie on one line: the polygon covers nothing")
            return None
        return polygon

    def point(self, node: Node, path: str) -> Point | None:
        low, high = FRACTION_RANGE
        if not isinstance(node, SequenceNode) or node.tag != _SEQ or len(node.value) != 2:
            found = _found(node)
            if isinstance(node, SequenceNode) and node.tag == _SEQ:
                found = f"a list of {len(node.value)}"
            self.error(node, path, f"expected a point [x, y] of two numbers from {low:g} to "
                                   f"{high:g}, found {found}")
            return None
        coords = [self._coordinate(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        x, y = coords
        if x is None or y is None:
            return None
        if not (low <= x <= high and low <= y <= high):
            shown = ", ".join(_short(str(item.value)) for item in node.value)
            self.error(node, path, f"point [{shown}] lies outside the frame: x and y run from "
                                   f"{low:g} (left, top) to {high:g} (right, bottom)")
            return None
        return (x, y)

    def _coordinate(self, node: Node, path: str) -> float | None:
        """A number; whether it lies inside the frame is for :meth:`point` to say."""
        if isinstance(node, ScalarNode) and str(node.value).lower().endswith(".nan"):
            self.error(node, path, "expected a number, found .nan")
            return None
        return self.number(node, path, float("-inf"), float("inf"))

    def schedule(self, node: Node, path: str) -> tuple[ScheduleWindow, ...] | None:
        return self.list_of(node, path, "a list of time windows ({days, from, to})",
                            self.window)

    def window(self, node: Node, path: str) -> ScheduleWindow | None:
        entries = self.mapping(node, path, "a time window (a mapping with days, from and to)",
                               keys=SCHEDULE_KEYS, required=("from", "to"))
        if entries is None:
            return None
        before = self.error_count
        days: tuple[str, ...] | None = WEEKDAYS
        if "days" in entries and not _is_null(entries["days"].value):
            days = self.days(entries["days"].value, f"{path}.days")
        start = end = None
        if "from" in entries:
            start = self.time(entries["from"].value, f"{path}.from", end=False)
        if "to" in entries:
            end = self.time(entries["to"].value, f"{path}.to", end=True)
        if start is not None and end is not None and start == end:
            self.error(entries["to"].value, f"{path}.to",
                       f"the window starts and ends at {start}: it is empty")
        if self.error_count > before or days is None or start is None or end is None:
            return None
        return ScheduleWindow(days, start, end)

    def days(self, node: Node, path: str) -> tuple[str, ...] | None:
        if not isinstance(node, SequenceNode) or node.tag != _SEQ:
            self.error(node, path, f"expected a list of days ({', '.join(WEEKDAYS)}), "
                                   f"found {_found(node)}")
            return None
        if not node.value:
            self.error(node, path, "the list is empty: name at least one day, or leave "
                                   "'days' out for every day")
            return None
        days = [self.choice(item, f"{path}[{i}]", WEEKDAYS) for i, item in enumerate(node.value)]
        if any(day is None for day in days):
            return None
        return tuple(day for day in WEEKDAYS if day in days)

    def time(self, node: Node, path: str, *, end: bool) -> str | None:
        """``HH:MM``; YAML 1.1 reads an unquoted ``18:30`` as a number, so its text counts."""
        match = None
        if isinstance(node, ScalarNode) and node.tag in (_STR, _INT):
            match = _TIME_RE.fullmatch(str(node.value).strip())
        if match is not None:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if (hours < 24 and minutes < 60) or (end and (hours, minutes) == (24, 0)):
                return f"{hours:02d}:{minutes:02d}"
        last = "24:00" if end else "23:59"
        self.error(node, path, f"expected a time HH:MM from 00:00 to {last}, "
                               f"found {_found(node)}")
        return None

    # -- registry sections

    def _check_registry(self, root: Node | None) -> Registry | None:
        if root is None:
            self.error(1, "", "the file is empty: expected a mapping with a 'cameras' list")
            return None
        top = self.mapping(
            root, "", "a mapping with 'cameras', 'sites' and 'agencies' at the top level",
            keys=TOP_KEYS, required=("cameras",), extension_prefix=EXTENSION_PREFIX,
        )
        if top is None:
            return None
        sites = self._sections(top.get("sites"), "sites", self._site)
        agencies = self._sections(top.get("agencies"), "agencies", self._agency)
        cameras_entry = top.get("cameras")
        if cameras_entry is None:
            return None
        health = self._health(top.get("health"))
        cameras = self._cameras(cameras_entry, sites, agencies)
        if cameras is None or sites is None or agencies is None or health is None:
            return None
        return Registry(
            cameras=cameras,
            sites={k: v for k, v in sites.items() if isinstance(v, Site)},
            agencies={k: v for k, v in agencies.items() if isinstance(v, Agency)},
            source=self.source,
            health=health,
        )

    def _health(self, entry: _Entry | None) -> HealthConfig | None:
        """The ``health`` section: how streams are judged and retried (defaults if absent)."""
        if entry is None or _is_null(entry.value):
            return HealthConfig()
        entries = self.mapping(entry.value, "health", "a mapping of health settings",
                               keys=tuple(HEALTH_LIMITS))
        if entries is None:
            return None
        before = self.error_count
        values: dict[str, float] = {}
        for name, item in entries.items():
            low, high = HEALTH_LIMITS[name]
            number = self.number(item.value, f"health.{name}", low, high)
            if number is None:
                continue
            if name in HEALTH_INTEGERS and number != int(number):
                self.error(item.value, f"health.{name}",
                           f"expected a whole number, found {number:g}")
                continue
            values[name] = int(number) if name in HEALTH_INTEGERS else number
        config = HealthConfig(**values)  # type: ignore[arg-type]
        for small, large, problem in out_of_order(config):
            name = large if large in values else small  # the defaults are in order
            self.error(entries[name].value, f"health.{name}", problem)
        if self.error_count > before:
            return None
        return config

    def _sections(
        self, entry: _Entry | None, path: str, check: Callable[[str, Node, str], _T | None]
    ) -> dict[str, _T | None] | None:
        """The ``sites`` or ``agencies`` mapping: id -> record (None where it is wrong).

        None if the section itself is unusable; an absent or empty section gives {}.
        """
        if entry is None or _is_null(entry.value):
            return {}
        entries = self.mapping(entry.value, path, f"a mapping of {path} by id")
        if entries is None:
            return None
        records: dict[str, _T | None] = {}
        for name, item in entries.items():
            item_path = f"{path}.{name}"
            valid_id = self.check_id(name, item.key, item_path)
            record = check(name, item.value, item_path)
            records[name] = record if valid_id else None
        return records

    def _site(self, site_id: str, node: Node, path: str) -> Site | None:
        entries = self.mapping(node, path, "a site (a mapping with name and location)",
                               keys=SITE_KEYS, required=("name",))
        if entries is None:
            return None
        before = self.error_count

        def given(key: str) -> Node | None:
            entry = entries.get(key)
            return None if entry is None or _is_null(entry.value) else entry.value

        name = None
        if "name" in entries:
            name = self.string(entries["name"].value, f"{path}.name")
        location = None
        if (value := given("location")) is not None:
            location = self.location(value, f"{path}.location")
        contact = colour = ""
        if (value := given("contact")) is not None:
            contact = self.string(value, f"{path}.contact") or ""
        if (value := given("colour")) is not None:
            colour = self.colour(value, f"{path}.colour") or ""
        if self.error_count > before or name is None:
            return None
        return Site(site_id, name, location, contact, colour)

    def _agency(self, agency_id: str, node: Node, path: str) -> Agency | None:
        entries = self.mapping(node, path, "an agency (a mapping with name, colour, contact)",
                               keys=AGENCY_KEYS, required=("name",))
        if entries is None:
            return None
        before = self.error_count
        name = None
        if "name" in entries:
            name = self.string(entries["name"].value, f"{path}.name")
        colour = contact = ""
        if "colour" in entries and not _is_null(entries["colour"].value):
            colour = self.colour(entries["colour"].value, f"{path}.colour") or ""
        if "contact" in entries and not _is_null(entries["contact"].value):
            contact = self.string(entries["contact"].value, f"{path}.contact") or ""
        if self.error_count > before or name is None:
            return None
        return Agency(agency_id, name, colour, contact)

    def _cameras(
        self,
        entry: _Entry,
        sites: Mapping[str, object] | None,
        agencies: Mapping[str, object] | None,
    ) -> tuple[Camera, ...] | None:
        node = entry.value
        if not isinstance(node, SequenceNode) or node.tag != _SEQ:
            self.error(node, "cameras", f"expected a list of cameras, found {_found(node)}")
            return None
        if not node.value:
            self.warning(node, "cameras", "the list is empty: the wall will show no camera")
        first_line: dict[str, int] = {}
        cameras: list[Camera] = []
        for index, item in enumerate(node.value):
            camera = self._camera(item, f"cameras[{index}]", sites, agencies, first_line)
            if camera is not None:
                cameras.append(camera)
        return tuple(cameras)

    def _camera(
        self,
        node: Node,
        path: str,
        sites: Mapping[str, object] | None,
        agencies: Mapping[str, object] | None,
        first_line: dict[str, int],
    ) -> Camera | None:
        entries = self.mapping(node, path, "a camera (a mapping with id, name, site and url)",
                               keys=CAMERA_KEYS, required=CAMERA_REQUIRED)
        if entries is None:
            return None
        before = self.error_count

        def given(key: str) -> Node | None:
            entry = entries.get(key)
            return None if entry is None or _is_null(entry.value) else entry.value

        camera_id = name = site = None
        if "id" in entries:
            id_node = entries["id"].value
            camera_id = self.identifier(id_node, f"{path}.id")
            if camera_id is not None:
                if camera_id in first_line:
                    self.error(id_node, f"{path}.id", f"duplicate id {camera_id!r} "
                                                      f"(first used at line "
                                                      f"{first_line[camera_id]})")
                else:
                    first_line[camera_id] = id_node.start_mark.line + 1
        label = camera_id or path
        if "name" in entries:
            name = self.string(entries["name"].value, f"{path}.name")
        if "site" in entries:
            site = self._reference(entries["site"].value, f"{path}.site", "site", sites)
        agency = ""
        agency_node = given("agency")
        if agency_node is not None:
            agency = self._reference(agency_node, f"{path}.agency", "agency", agencies) or ""

        main = sub = None
        main_where, sub_where = "the URL", "streams.sub"
        if "url" in entries and "streams" in entries:
            second = max(entries["url"].key, entries["streams"].key,
                         key=lambda n: n.start_mark.line)
            self.error(second, path, "give either 'url' or 'streams', not both")
        elif "url" in entries:
            main = self.url(entries["url"].value, f"{path}.url", label)
            if main is not None:
                self._same_stream(entries["url"].value, f"{path}.url", main, label)
        elif "streams" in entries:
            main, sub = self._streams(entries["streams"].value, f"{path}.streams", label)
            main_where = "streams.main"
        else:
            self.error(node, path, "missing required key 'url' (or 'streams' with 'main')")

        if (value := given("credentials")) is not None:
            credentials = self.credentials(value, f"{path}.credentials", label)
            if credentials is not None:
                if main is not None:
                    main = self._with_credentials(main, credentials, value,
                                                  f"{path}.credentials", main_where)
                if sub is not None:
                    sub = self._with_credentials(sub, credentials, value,
                                                 f"{path}.credentials", sub_where)

        backend = "auto"
        if (value := given("backend")) is not None:
            backend = self.choice(value, f"{path}.backend", BACKENDS) or backend
        enabled = True
        if (value := given("enabled")) is not None:
            enabled = bool(self.boolean(value, f"{path}.enabled"))
        location = None
        if (value := given("location")) is not None:
            location = self.location(value, f"{path}.location")
        heading = None
        if (value := given("heading")) is not None:
            heading = self.number(value, f"{path}.heading", *HEADING_RANGE)
        tags: tuple[str, ...] = ()
        if (value := given("tags")) is not None:
            tags = self.string_list(value, f"{path}.tags") or ()
        priority = PRIORITY_DEFAULT
        if (value := given("priority")) is not None:
            priority = self.priority(value, f"{path}.priority") or priority
        motion: MotionConfig | None = MOTION_OFF
        if (value := given("motion")) is not None:
            motion = self.motion(value, f"{path}.motion")

        if self.error_count > before or camera_id is None or name is None or site is None \
                or main is None or motion is None:
            return None
        if main.unset or (sub is not None and sub.unset):
            enabled = False
        return Camera(
            id=camera_id, name=name, site=site, url=main.url, agency=agency,
            sub_url=sub.url if sub else None, backend=backend, enabled=enabled,
            location=location, heading=heading, tags=tags, priority=priority, motion=motion,
        )

    def _streams(self, node: Node, path: str, camera: str) -> tuple[_Url | None, _Url | None]:
        entries = self.mapping(node, path, "a mapping with main and sub", keys=STREAMS_KEYS,
                               required=("main",))
        if entries is None or "main" not in entries:
            return None, None
        main_node = entries["main"].value
        main = self.url(main_node, f"{path}.main", camera)
        if main is not None:
            self._same_stream(main_node, f"{path}.main", main, camera)
        sub = None
        if "sub" in entries and not _is_null(entries["sub"].value):
            sub_node = entries["sub"].value
            sub = self.url(sub_node, f"{path}.sub", camera)
            if sub is not None and main is not None \
                    and _stream_key(sub.url) == _stream_key(main.url):
                self.warning(sub_node, f"{path}.sub", "the same stream as streams.main: leave "
                                                      "'sub' out when the camera has one stream")
            elif sub is not None:
                self._same_stream(sub_node, f"{path}.sub", sub, camera)
        return main, sub

    def _same_stream(self, node: Node, path: str, url: _Url, camera: str) -> None:
        """Warn when another camera already uses the stream at ``url`` (a copied entry
        whose URL was not changed, most often)."""
        key = _stream_key(url.url)
        line = node.start_mark.line + 1
        first = self.streams.setdefault(key, (camera, line))
        if first[0] != camera:
            self.warning(node, path, f"the same stream as camera {first[0]!r} (line "
                                     f"{first[1]}): is this entry a copy whose URL was not "
                                     "changed?")

    def _reference(
        self, node: Node, path: str, what: str, known: Mapping[str, object] | None
    ) -> str | None:
        """A site or agency id; checked against its section when the file has one."""
        value = self.identifier(node, path)
        if value is None or known is None or not known or value in known:
            return value
        plural = "sites" if what == "site" else "agencies"
        hint = _did_you_mean(value, list(known)) or f" (not defined under '{plural}')"
        self.error(node, path, f"unknown {what} {value!r}{hint}")
        return None


def url_problem(url: str) -> str | None:
    """What is wrong with a stream URL (``${NAME}`` already filled in), or None."""
    match = _SCHEME_RE.match(url)
    if not match:
        return (f"{_short(url)!r} has no scheme: expected one of {', '.join(URL_SCHEMES)} "
                "(e.g. rtsp://host/path)")
    scheme = match.group(1).lower()
    if scheme not in URL_SCHEMES:
        return (f"scheme {match.group(1)!r} is not one of {', '.join(URL_SCHEMES)}"
                f"{_did_you_mean(scheme, URL_SCHEMES)}")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced '[' of an IPv6 address
        return f"malformed host in {_short(url, 80)!r}"
    try:
        port = parts.port
    except ValueError:
        given = parts.netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
        return f"port {_short(given)!r} is not a number from 0 to 65535"
    if scheme == "file":
        if not parts.path:
            return "no path in the file URL: write file:///path/to/clip.mp4"
        return None
    if not url[match.end():].startswith("//"):
        return f"expected {scheme}://host[:port]/path, found {_short(url, 80)!r}"
    if not parts.hostname and not (scheme in ("udp", "rtp") and port):
        return f"no host in {_short(url, 80)!r}: expected {scheme}://host[:port]/path"
    return None


_DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}


def _stream_key(url: str) -> str:
    """What makes two URLs the same stream: the URL without user info, with the scheme
    and the host in lower case."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        netloc += f":{port}"
    return parts._replace(scheme=parts.scheme.lower(), netloc=netloc, fragment="").geturl()


def _area(polygon: Sequence[Point]) -> float:
    """The area of a polygon (shoelace formula)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def _or_list(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else "".join(words)


def _and_list(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


def _plain_password(raw: str) -> bool:
    """True if ``raw`` holds a password that is not entirely ``${NAME}`` references."""
    try:
        password = urlsplit(raw).password
    except ValueError:
        return False
    return bool(password and _VAR_RE.sub("", password))
