"""Checks of YAML nodes that know their line: the generic half of the registry checker.

The checker walks the node tree of ``yaml.compose`` (SafeLoader tag resolution; no Python
object is ever constructed from the document), so every issue it reports carries the
line of the node it is about. :class:`NodeChecker` collects the issues of one document and
checks mappings, strings, ids, numbers, lists; the sections of the file
(:mod:`videowall.registry.sections`) build on it. A check returns None where a value is
wrong, after reporting it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from videowall.registry.issues import ConfigIssue, Severity, did_you_mean, suggest
from videowall.registry.settings import TEXT_MAX_CHARS, Choice, Flag, Number, Setting
from videowall.util.logs import mask_url
from videowall.util.text import CONTROL_RE, printable

#: Camera, site and agency ids.
ID_RE = re.compile(r"[a-z0-9_-]+")
#: Patterns of text values (Python ``re`` syntax that JSON Schema's ECMA dialect shares).
COLOUR_PATTERN = r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})"

T = TypeVar("T")

_COLOUR_RE = re.compile(COLOUR_PATTERN)

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP = TAG + "seq", TAG + "map"
_MERGE = TAG + "merge"
_KINDS = {
    STR: "string", INT: "integer", FLOAT: "number", BOOL: "boolean",
    TAG + "timestamp": "date", TAG + "binary": "binary data", TAG + "value": "value",
}
_SCALARS = SafeConstructor()


class Entry(NamedTuple):
    """A key of a mapping and its value, as nodes."""

    key: Node
    value: Node


def short(text: str, limit: int = 40) -> str:
    """``text`` masked and cut to ``limit`` characters, to be quoted in a message with
    ``!r`` (which escapes what is not printable)."""
    text = mask_url(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escaped(text: str, limit: int = 40) -> str:
    """:func:`short`, for a message that does not quote it: what is not printable (a line
    break of a plain scalar) is escaped."""
    text = short(text, limit)
    return text if text.isprintable() else "".join(
        ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def found(node: Node | None) -> str:
    """How a node reads in a message: ``string 'abc'``, ``integer 4``, ``a list``."""
    if node is None:
        return "nothing"
    if isinstance(node, MappingNode | SequenceNode):
        what = "a mapping" if isinstance(node, MappingNode) else "a list"
        if node.tag not in (MAP, SEQ):
            what += f" tagged {short(node.tag.replace(TAG, '!!'))!r}"
        return what
    value = str(node.value)
    if node.tag == NULL:
        return "nothing" if value == "" else "null"
    kind = _KINDS.get(node.tag)
    if kind is None:
        return f"a value tagged {short(node.tag.replace(TAG, '!!'))!r}"
    if node.tag == STR:
        return f"string {short(value)!r}"
    return f"{kind} {escaped(value)}"


def kind_of(node: Node) -> str:
    """What a node is, without its value: ``a string``, ``a list``."""
    if not isinstance(node, ScalarNode):
        return found(node)
    if node.tag == NULL:
        return "nothing" if str(node.value) == "" else "null"
    kind = _KINDS.get(node.tag, "value")
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def is_null(node: Node) -> bool:
    """True for ``key:`` with no value (or ``null``)."""
    return isinstance(node, ScalarNode) and node.tag == NULL


def given(entries: Mapping[str, Entry], key: str) -> Node | None:
    """The value of ``key``; None if it is absent or has no value (then it is not given)."""
    entry = entries.get(key)
    return None if entry is None or is_null(entry.value) else entry.value


def line_of(node: Node) -> int:
    """The 1-based line of a node."""
    return node.start_mark.line + 1


def _quote_hint(node: Node) -> str:
    if isinstance(node, ScalarNode) and node.tag in (INT, FLOAT, BOOL, TAG + "timestamp"):
        return " (put it in quotes to use it as text)"
    return ""


class NodeChecker:
    """Collects the issues of one document and checks its nodes one by one.

    ``environ`` fills ``${NAME}`` references; ``secrets`` holds the texts no message may
    show (they are replaced by ``***`` in :meth:`issues_in_order`).
    """

    def __init__(self, source: str, environ: Mapping[str, str]) -> None:
        self.source = source
        self.environ = environ
        self.issues: list[ConfigIssue] = []
        self.error_count = 0
        self.secrets: set[str] = set()

    # -- reporting

    def error(self, where: Node | int | None, path: str, message: str) -> None:
        """Report an error at a node or a line (None: the whole file)."""
        self._add(where, path, message, "error")

    def warning(self, where: Node | int | None, path: str, message: str) -> None:
        """Report a warning at a node or a line (None: the whole file)."""
        self._add(where, path, message, "warning")

    def _add(self, where: Node | int | None, path: str, message: str, severity: Severity) -> None:
        if isinstance(where, Node):
            line: int | None = where.start_mark.line + 1 if where.start_mark else None
        else:
            line = where
        if severity == "error":
            self.error_count += 1
        # a key of the file may hold anything: the path and the message show it escaped
        self.issues.append(ConfigIssue(self.source, line, printable(path),
                                       printable(mask_url(message)), severity))

    def issues_in_order(self) -> tuple[ConfigIssue, ...]:
        """Every issue reported, in line order, with the secrets masked."""
        return tuple(sorted((self._scrub(i) for i in self.issues), key=lambda i: i.line or 0))

    def _scrub(self, issue: ConfigIssue) -> ConfigIssue:
        message = issue.message
        for secret in sorted(self.secrets, key=len, reverse=True):
            message = message.replace(secret, "***").replace(printable(secret), "***")
        return dataclasses.replace(issue, message=message)

    # -- mappings

    def mapping(
        self,
        node: Node,
        path: str,
        what: str,
        *,
        keys: Sequence[str] | None = None,
        required: Sequence[str] = (),
        extension_prefix: str | None = None,
    ) -> dict[str, Entry] | None:
        """The entries of a mapping node, checked for key types, duplicates, unknown and
        missing keys. Unknown keys are reported and left out."""
        if not isinstance(node, MappingNode) or node.tag != MAP:
            self.error(node, path, f"expected {what}, found {found(node)}")
            return None
        entries: dict[str, Entry] = {}
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
                self.error(entry.key, path, f"unknown key {short(name)!r}{hint}")
                del entries[name]
        for name in required:
            # a misspelt key already said "did you mean"; its absence needs no second word
            if name not in entries and name not in suggested:
                self.error(node, path, f"missing required key {name!r}")
        return entries

    def _collect(
        self, node: MappingNode, path: str, entries: dict[str, Entry], *, explicit: bool,
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
                    self.error(key, path, f"duplicate key {short(name)!r} (first at line {first})")
                continue
            entries[name] = Entry(key, value)
        for merge in merges:
            self._merge(merge, path, entries, seen)

    def _merge(self, merge: Node, path: str, entries: dict[str, Entry], seen: set[int]) -> None:
        """``<<: *defaults``: the keys of the merged mappings that are not set already.

        ``seen`` holds every mapping walked for this one, and each is walked once however
        often it is merged: after its first walk its keys (and those of the mappings it
        merges) are all set, so a second walk would add nothing, and merges that fan out
        (``<<: [*k, *k]`` at every level) would take time exponential in their depth.
        """
        sources = merge.value if isinstance(merge, SequenceNode) else [merge]
        if not all(isinstance(s, MappingNode) for s in sources):
            self.error(merge, path, "'<<' merges a mapping or a list of mappings, "
                                    f"found {found(merge)}")
            return
        for src in sources:
            if isinstance(src, MappingNode) and id(src) not in seen:
                seen.add(id(src))
                self._collect(src, path, entries, explicit=False, seen=seen)

    def key(self, node: Node, path: str) -> str | None:
        """A mapping key, which must be text."""
        if isinstance(node, ScalarNode) and node.tag == STR:
            return str(node.value)
        self.error(node, path, f"keys must be text, found {found(node)} as a key"
                               f"{_quote_hint(node)}")
        return None

    def by_id(
        self, entry: Entry | None, path: str, check: Callable[[str, Node, str], T | None]
    ) -> dict[str, T | None] | None:
        """A section of records by id (``sites``, ``agencies``): id -> record, None where
        it is wrong.

        None if the section itself is unusable; an absent or empty section gives {}.
        """
        if entry is None or is_null(entry.value):
            return {}
        entries = self.mapping(entry.value, path, f"a mapping of {path} by id")
        if entries is None:
            return None
        records: dict[str, T | None] = {}
        for name, item in entries.items():
            item_path = f"{path}.{name}"
            valid_id = self.check_id(name, item.key, item_path)
            record = check(name, item.value, item_path)
            records[name] = record if valid_id else None
        return records

    # -- scalars

    def string(self, node: Node, path: str, what: str = "a string", *,
               limit: int = TEXT_MAX_CHARS) -> str | None:
        """Text that holds more than white space, at most ``limit`` characters and no
        control character."""
        if isinstance(node, ScalarNode) and node.tag == STR:
            value = str(node.value)
            if not value.strip():
                self.error(node, path, "must not be empty")
                return None
            return self._plain_text(value, node, path, limit)
        self.error(node, path, f"expected {what}, found {found(node)}{_quote_hint(node)}")
        return None

    def _plain_text(self, value: str, node: Node, path: str, limit: int) -> str | None:
        """``value`` unless it is longer than ``limit`` or holds a control character."""
        if len(value) > limit:
            self.error(node, path, f"is {len(value):,} characters long: at most {limit:,} "
                                   "are allowed")
            return None
        control = CONTROL_RE.search(value)
        if control is not None:
            code = ord(control.group())
            self.error(node, path, f"holds the control character U+{code:04X} at position "
                                   f"{control.start() + 1}: text may not hold control "
                                   "characters (escapes, line breaks, tabs)")
            return None
        return value

    def identifier(self, node: Node, path: str) -> str | None:
        """An id: lower-case letters, digits, '_' and '-'."""
        value = self.string(node, path, "an id")
        if value is None:
            return None
        return self.check_id(value, node, path)

    def check_id(self, value: str, node: Node, path: str) -> str | None:
        """``value`` if it is a valid id."""
        if ID_RE.fullmatch(value):
            return value
        candidate = re.sub(r"\s+", "-", value.strip().lower())
        hint = f" (did you mean {candidate!r}?)" if ID_RE.fullmatch(candidate) else ""
        self.error(node, path, f"{short(value)!r} is not a valid id: use lower-case letters, "
                               f"digits, '_' and '-'{hint}")
        return None

    def choice(self, node: Node, path: str, choices: Sequence[str]) -> str | None:
        """One word of ``choices``."""
        value = self.string(node, path, f"one of {', '.join(choices)}")
        if value is None:
            return None
        if value not in choices:
            self.error(node, path, f"{short(value)!r} is not one of {', '.join(choices)}"
                                   f"{did_you_mean(value, choices)}")
            return None
        return value

    def boolean(self, node: Node, path: str) -> bool | None:
        """true or false."""
        if isinstance(node, ScalarNode) and node.tag == BOOL:
            value = self.scalar(node, path)
            return value if isinstance(value, bool) else None
        self.error(node, path, f"expected true or false, found {found(node)}")
        return None

    def number(self, node: Node, path: str, low: float, high: float) -> float | None:
        """A number from ``low`` to ``high``."""
        if not (isinstance(node, ScalarNode) and node.tag in (INT, FLOAT)):
            self.error(node, path, f"expected a number, found {found(node)}")
            return None
        value = self.scalar(node, path)
        if not isinstance(value, int | float):
            return None
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if not low <= number <= high:
            self.error(node, path, f"must be between {low:g} and {high:g}, "
                                   f"found {escaped(str(node.value))}")
            return None
        return number

    def declared_number(self, node: Node, path: str, setting: Number[Any]) -> float | None:
        """A number in the range of ``setting``; an int when it takes whole numbers."""
        number = self.number(node, path, *setting.range)
        if number is None or not setting.whole:
            return number
        if number != int(number):
            self.error(node, path, f"expected a whole number, found {number:g}")
            return None
        return int(number)

    def declared(self, node: Node, path: str, setting: Setting[Any]) -> object:
        """The value of a declared setting (:mod:`videowall.registry.settings`), checked
        against its range or choices; None where it is wrong."""
        if isinstance(setting, Number):
            return self.declared_number(node, path, setting)
        if isinstance(setting, Flag):
            return self.boolean(node, path)
        if isinstance(setting, Choice):
            return self.choice(node, path, setting.choices)
        raise TypeError(f"no check for {setting!r}")

    def colour(self, node: Node, path: str) -> str | None:
        """A colour as ``#rrggbb`` (or ``#rgb``)."""
        colour = self.string(node, path)
        if colour is not None and not _COLOUR_RE.fullmatch(colour):
            self.error(node, path, f"{short(colour)!r} is not a colour: write #rrggbb, "
                                   "e.g. #3d8bfd")
            return None
        return colour

    def labels(
        self, entries: Mapping[str, Entry], path: str, keys: tuple[str, ...]
    ) -> tuple[str | None, str, str]:
        """The ``name``, ``colour`` and ``contact`` of a site or an agency (name None when
        missing or wrong; colour and contact empty), checked in the order of ``keys``."""
        name = None
        if "name" in entries:
            name = self.string(entries["name"].value, f"{path}.name")
        found = {"colour": "", "contact": ""}
        for key in keys:
            value = given(entries, key) if key in found else None
            if value is not None:
                checked = self.colour if key == "colour" else self.string
                found[key] = checked(value, f"{path}.{key}") or ""
        return name, found["colour"], found["contact"]

    def scalar(self, node: ScalarNode, path: str) -> object:
        """The value of an int, float or bool scalar; reports malformed explicit tags."""
        constructors = {
            INT: _SCALARS.construct_yaml_int,
            FLOAT: _SCALARS.construct_yaml_float,
            BOOL: _SCALARS.construct_yaml_bool,
        }
        try:
            return constructors[node.tag](node)
        except Exception:  # e.g. `!!int abc`: any failure here is a bad value
            self.error(node, path, f"{short(str(node.value))!r} is not a valid "
                                   f"{_KINDS.get(node.tag, 'value')}")
            return None

    # -- lists

    def string_list(self, node: Node, path: str) -> tuple[str, ...] | None:
        """A list of non-empty strings."""
        if not isinstance(node, SequenceNode) or node.tag != SEQ:
            self.error(node, path, f"expected a list of strings, found {found(node)}")
            return None
        items = [self.string(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)

    def list_of(
        self, node: Node, path: str, what: str, check: Callable[[Node, str], T | None]
    ) -> tuple[T, ...] | None:
        """A list whose every item passes ``check``; None if it is not a list or any
        item is wrong (each wrong item reported by ``check``)."""
        if not isinstance(node, SequenceNode) or node.tag != SEQ:
            self.error(node, path, f"expected {what}, found {found(node)}")
            return None
        items = [check(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)
