"""The camera registry: read ``config/cameras.yaml`` and check every field of it.

The loader walks the YAML node tree (``yaml.compose`` with SafeLoader tag resolution; no
Python object is ever constructed from the document), so every issue carries the line of
the node it is about (:mod:`videowall.registry.nodes`; each section of the file has its
module in :mod:`videowall.registry.sections`). It gathers all issues of a file before it
reports, and it either returns a complete :class:`~videowall.registry.model.Registry` or
raises :class:`~videowall.registry.issues.ConfigError`.

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
by point. :mod:`videowall.registry.schema` turns the same declarations into the JSON Schema
editors use.

The file is bounded (:mod:`videowall.registry.settings` declares the limits): a file over
:data:`~videowall.registry.settings.REGISTRY_MAX_BYTES` or one that is not a regular file
is refused before it is read (:func:`read_capped`), a list stops being composed at its
10,001st item, and text fields have a length and hold no control character. libyaml parses
when it is there, under PyYAML's own composer; the pure-Python parser words the errors.

Two conveniences for the people who edit the file: YAML merge keys (``<<: *defaults``)
work as in any YAML loader, and top-level keys starting with ``x-`` are ignored, so they
can hold anchors for such defaults.
"""

from __future__ import annotations

import codecs
import errno
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass

import yaml
from yaml.composer import Composer
from yaml.nodes import Node, SequenceNode
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    HAVE_LIBYAML = False
else:
    HAVE_LIBYAML = True

from videowall.registry.issues import ConfigError, ConfigIssue, IssueList
from videowall.registry.model import Agency, Registry, Site
from videowall.registry.sections.agencies import AgencyChecks
from videowall.registry.sections.alerts import AlertChecks
from videowall.registry.sections.cameras import CameraChecks
from videowall.registry.sections.health import HealthChecks
from videowall.registry.sections.wall_motion import MotionSectionChecks
from videowall.registry.settings import CAMERAS_MAX, LIST_MAX_ITEMS, REGISTRY_MAX_BYTES

log = logging.getLogger(__name__)

TOP_KEYS = ("cameras", "sites", "agencies", "health", "alerts", "motion")
#: Top-level keys with this prefix are ignored (a place for YAML anchors).
EXTENSION_PREFIX = "x-"

#: What to tell a technician about PyYAML's commonest complaints.
_SYNTAX_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("expected <block end>", "check the indentation"),
    ("mapping values are not allowed here",
     "put a value that holds ': ' in quotes, or check the indentation"),
)


@dataclass(frozen=True)
class RegistryCheck(IssueList):
    """The outcome of checking a registry: the registry (None if there is any error)
    and every issue found, errors and warnings, in line order."""

    registry: Registry | None
    issues: tuple[ConfigIssue, ...]

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
    checker = _RegistryChecker(source, os.environ if environ is None else environ)
    registry = checker.check_document(text)
    return RegistryCheck(None if checker.error_count else registry, checker.issues_in_order())


def read_registry(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> RegistryCheck:
    """Read and check a registry file.

    Raises ConfigError with ``unreadable=True`` if the file cannot be read; bad content
    is reported in the returned :class:`RegistryCheck`.
    """
    source = os.fspath(path)
    try:
        data = read_capped(source, REGISTRY_MAX_BYTES)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        issue = ConfigIssue(source, None, "", f"cannot read the camera registry: {reason}")
        raise ConfigError([issue], unreadable=True) from exc
    return check_registry(data, source, environ=environ)


def read_capped(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at ``path``, if it holds at most ``limit``.

    OSError, with the reason in words as its ``strerror``, for a folder, a FIFO, a device
    or anything else that is not a regular file (found without waiting for a writer) and
    for a file over ``limit`` (at most ``limit + 1`` bytes are read).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(mode):
            what = _SPECIAL_FILES.get(stat.S_IFMT(mode), "not a regular file")
            raise OSError(errno.EINVAL, f"it is {what}, not a file")
    except OSError:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"the file is larger than {_size_words(limit)}, the "
                                   "most it may hold")
    return data


#: What a file that is not a regular file is, by its type.
_SPECIAL_FILES = {
    stat.S_IFIFO: "a FIFO (a named pipe)",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


def _size_words(size: int) -> str:
    """``8 MiB``, ``512 KiB``, ``100 bytes``."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


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


# -- the document ----------------------------------------------------------------------------


class ListTooLong(yaml.YAMLError):
    """A list of the document holds more than :data:`LIST_MAX_ITEMS` items."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: a list holds more than {LIST_MAX_ITEMS:,} items")
        self.line = line


class _CappedComposer(Composer):
    """Stops at the first list longer than :data:`LIST_MAX_ITEMS`, before the nodes of
    a file of 100,000 cameras fill the memory."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        # index: the position in a list; in a mapping, the key node
        if isinstance(parent, SequenceNode) and isinstance(index, int) \
                and index >= LIST_MAX_ITEMS:
            raise ListTooLong(parent.start_mark.line + 1)
        return super().compose_node(parent, index)


class _SafeComposer(_CappedComposer, yaml.SafeLoader):
    """``yaml.SafeLoader`` with :class:`_CappedComposer`."""


if HAVE_LIBYAML:

    class _FastComposer(_CappedComposer, CParser, Resolver):
        """libyaml's parser under PyYAML's composer and SafeLoader's tag resolution: the
        node tree of ``yaml.compose(text, Loader=yaml.SafeLoader)``, several times faster
        (the composer stays in Python, so deep nesting is a RecursionError, not a crash)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CappedComposer.__init__(self)
            Resolver.__init__(self)


def _fast_compose(text: str) -> Node | None:
    """The node tree of ``text``; YAMLError where it is not YAML (then the pure-Python
    parser, slower, tells the line and the reason)."""
    if not HAVE_LIBYAML:
        raise yaml.YAMLError("libyaml is not available")
    loader = _FastComposer(text)
    try:
        node: Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    return node


# -- the checker ------------------------------------------------------------------------------


class _RegistryChecker(
    CameraChecks, AgencyChecks, HealthChecks, AlertChecks, MotionSectionChecks
):
    """Reads one document and checks its sections."""

    def check_document(self, text: str | bytes) -> Registry | None:
        """The registry in ``text``, or None after reporting why there is none."""
        if isinstance(text, bytes):
            decoded = self._decode(text)
            if decoded is None:
                return None
            text = decoded
        try:
            return self._registry(_fast_compose(text))
        except ListTooLong as exc:
            self._too_long(exc)
            return None
        except (yaml.YAMLError, RecursionError):
            pass  # the pure-Python parser says where and why, in its words
        try:
            root = yaml.compose(text, Loader=_SafeComposer)
        except ListTooLong as exc:
            self._too_long(exc)
            return None
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
        return self._registry(root)

    def _too_long(self, exc: ListTooLong) -> None:
        self.error(exc.line, "", f"the list holds more than {LIST_MAX_ITEMS:,} items: a "
                                 f"registry may hold at most {CAMERAS_MAX:,} cameras, and "
                                 f"no list more than {LIST_MAX_ITEMS:,} items")

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

    def _registry(self, root: Node | None) -> Registry | None:
        if root is None:
            self.error(1, "", "the file is empty: expected a mapping with a 'cameras' list")
            return None
        top = self.mapping(
            root, "", "a mapping with 'cameras', 'sites' and 'agencies' at the top level",
            keys=TOP_KEYS, required=("cameras",), extension_prefix=EXTENSION_PREFIX,
        )
        if top is None:
            return None
        sites = self.by_id(top.get("sites"), "sites", self.site)
        agencies = self.by_id(top.get("agencies"), "agencies", self.agency)
        cameras_entry = top.get("cameras")
        if cameras_entry is None:
            return None
        health = self.health(top.get("health"))
        alerts = self.alerts(top.get("alerts"))
        motion = self.motion_section(top.get("motion"))
        cameras = self.cameras(cameras_entry, sites, agencies)
        if cameras is None or sites is None or agencies is None or health is None \
                or alerts is None or motion is None:
            return None
        return Registry(
            cameras=cameras,
            sites={k: v for k, v in sites.items() if isinstance(v, Site)},
            agencies={k: v for k, v in agencies.items() if isinstance(v, Agency)},
            source=self.source,
            health=health,
            alerts=alerts,
            motion=motion,
        )
