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

Two conveniences for the people who edit the file: YAML merge keys (``<<: *defaults``)
work as in any YAML loader, and top-level keys starting with ``x-`` are ignored, so they
can hold anchors for such defaults.
"""

from __future__ import annotations

import codecs
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import Node

from videowall.registry.issues import ConfigError, ConfigIssue, IssueList
from videowall.registry.model import Agency, Registry, Site
from videowall.registry.sections.agencies import AgencyChecks
from videowall.registry.sections.alerts import AlertChecks
from videowall.registry.sections.cameras import CameraChecks
from videowall.registry.sections.health import HealthChecks

log = logging.getLogger(__name__)

TOP_KEYS = ("cameras", "sites", "agencies", "health", "alerts")
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


# -- the document ------------------------------------------------------------------------------


class _RegistryChecker(CameraChecks, AgencyChecks, HealthChecks, AlertChecks):
    """Reads one document and checks its sections."""

    def check_document(self, text: str | bytes) -> Registry | None:
        """The registry in ``text``, or None after reporting why there is none."""
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
        return self._registry(root)

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
        cameras = self.cameras(cameras_entry, sites, agencies)
        if cameras is None or sites is None or agencies is None or health is None \
                or alerts is None:
            return None
        return Registry(
            cameras=cameras,
            sites={k: v for k, v in sites.items() if isinstance(v, Site)},
            agencies={k: v for k, v in agencies.items() if isinstance(v, Agency)},
            source=self.source,
            health=health,
            alerts=alerts,
        )
