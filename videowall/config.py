"""The camera registry: read ``config/cameras.yaml`` and check every field of it.

The loader walks the YAML node tree (``yaml.compose`` with SafeLoader tag resolution; no
Python object is ever constructed from the document), so every issue carries the line of
the node it is about. It gathers all issues of a file before it reports, and it either
returns a complete :class:`~videowall.camera.Registry` or raises :class:`ConfigError`.

Issues read like a compiler's::

    config/cameras.yaml:14: cameras[3].url: scheme 'rtps' is not one of rtsp, rtsps, http,
    https, udp, rtp, file (did you mean 'rtsp'?)

Paths count list items from 0. Credentials never appear in a message: ``${NAME}`` in a URL
is filled from the environment at load time, and any URL that is shown is masked.

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
from urllib.parse import urlsplit

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from videowall.camera import BACKENDS, Agency, Camera, Location, Registry, Site
from videowall.logs import mask_url

log = logging.getLogger(__name__)

#: URL schemes a camera may use, most common first (suggestions prefer earlier ones).
URL_SCHEMES = ("rtsp", "rtsps", "http", "https", "udp", "rtp", "file")
#: Schemes that need a host (``udp``/``rtp`` may instead listen on ``@:port``).
NETWORK_SCHEMES = frozenset(URL_SCHEMES) - {"file"}
#: Camera, site and agency ids.
ID_RE = re.compile(r"[a-z0-9_-]+")

TOP_KEYS = ("cameras", "sites", "agencies")
CAMERA_KEYS = (
    "id", "name", "site", "agency", "url", "streams", "backend", "enabled", "location",
    "heading", "tags",
)
STREAMS_KEYS = ("main", "sub")
SITE_KEYS = ("name", "location")
AGENCY_KEYS = ("name", "colour", "contact")
LOCATION_KEYS = ("lat", "lon")

Severity = Literal["error", "warning"]
_T = TypeVar("_T")

_VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_COLOUR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
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


class _Checker:
    """Walks one document and collects its issues; a check returns None where a value is
    wrong, after reporting it."""

    def __init__(self, source: str, environ: Mapping[str, str]) -> None:
        self.source = source
        self.environ = environ
        self.issues: list[ConfigIssue] = []
        self.error_count = 0
        self.secrets: set[str] = set()

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

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.environ:
                return self.environ[name]
            unset.append(name)
            return match.group(0)

        url = _VAR_RE.sub(fill, raw)
        problem = _url_problem(url)
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
        lat = self.number(entries["lat"].value, f"{path}.lat", -90, 90)
        lon = self.number(entries["lon"].value, f"{path}.lon", -180, 180)
        if lat is None or lon is None:
            return None
        return Location(lat, lon)

    # -- registry sections

    def _check_registry(self, root: Node | None) -> Registry | None:
        if root is None:
            self.error(1, "", "the file is empty: expected a mapping with a 'cameras' list")
            return None
        top = self.mapping(
            root, "", "a mapping with 'cameras', 'sites' and 'agencies' at the top level",
            keys=TOP_KEYS, required=("cameras",), extension_prefix="x-",
        )
        if top is None:
            return None
        sites = self._sections(top.get("sites"), "sites", self._site)
        agencies = self._sections(top.get("agencies"), "agencies", self._agency)
        cameras_entry = top.get("cameras")
        if cameras_entry is None:
            return None
        cameras = self._cameras(cameras_entry, sites, agencies)
        if cameras is None or sites is None or agencies is None:
            return None
        return Registry(
            cameras=cameras,
            sites={k: v for k, v in sites.items() if isinstance(v, Site)},
            agencies={k: v for k, v in agencies.items() if isinstance(v, Agency)},
            source=self.source,
        )

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
        name = None
        if "name" in entries:
            name = self.string(entries["name"].value, f"{path}.name")
        location = None
        if "location" in entries and not _is_null(entries["location"].value):
            location = self.location(entries["location"].value, f"{path}.location")
        if self.error_count > before or name is None:
            return None
        return Site(site_id, name, location)

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
            colour = self.string(entries["colour"].value, f"{path}.colour") or ""
            if colour and not _COLOUR_RE.fullmatch(colour):
                self.error(entries["colour"].value, f"{path}.colour",
                           f"{_short(colour)!r} is not a colour: write #rrggbb, e.g. #3d8bfd")
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
                               keys=CAMERA_KEYS, required=("id", "name", "site"))
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
        if "url" in entries and "streams" in entries:
            second = max(entries["url"].key, entries["streams"].key,
                         key=lambda n: n.start_mark.line)
            self.error(second, path, "give either 'url' or 'streams', not both")
        elif "url" in entries:
            main = self.url(entries["url"].value, f"{path}.url", label)
        elif "streams" in entries:
            main, sub = self._streams(entries["streams"].value, f"{path}.streams", label)
        else:
            self.error(node, path, "missing required key 'url' (or 'streams' with 'main')")

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
            heading = self.number(value, f"{path}.heading", 0, 360)
        tags: tuple[str, ...] = ()
        if (value := given("tags")) is not None:
            tags = self.string_list(value, f"{path}.tags") or ()

        if self.error_count > before or camera_id is None or name is None or site is None \
                or main is None:
            return None
        if main.unset or (sub is not None and sub.unset):
            enabled = False
        return Camera(
            id=camera_id, name=name, site=site, url=main.url, agency=agency,
            sub_url=sub.url if sub else None, backend=backend, enabled=enabled,
            location=location, heading=heading, tags=tags,
        )

    def _streams(self, node: Node, path: str, camera: str) -> tuple[_Url | None, _Url | None]:
        entries = self.mapping(node, path, "a mapping with main and sub", keys=STREAMS_KEYS,
                               required=("main",))
        if entries is None or "main" not in entries:
            return None, None
        main = self.url(entries["main"].value, f"{path}.main", camera)
        sub = None
        if "sub" in entries and not _is_null(entries["sub"].value):
            sub = self.url(entries["sub"].value, f"{path}.sub", camera)
        return main, sub

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


def _url_problem(url: str) -> str | None:
    """What is wrong with a stream URL (already filled in), or None."""
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


def _plain_password(raw: str) -> bool:
    """True if ``raw`` holds a password that is not entirely ``${NAME}`` references."""
    try:
        password = urlsplit(raw).password
    except ValueError:
        return False
    return bool(password and _VAR_RE.sub("", password))
