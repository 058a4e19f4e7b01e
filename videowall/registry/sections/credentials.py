"""A camera's ``credentials: {username, password: "${NAME}"}`` block, which puts
``user:password@`` (URL-quoted) into its stream URLs. A password written there in clear
text is an error; no message about the block shows any value but the user name."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import quote

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from videowall.registry.issues import suggest
from videowall.registry.nodes import MAP, STR, Entry, kind_of
from videowall.registry.sections.streams import MIN_SECRET, StreamChecks, Url
from videowall.registry.urls import CREDENTIAL_SCHEMES, VAR_RE

CREDENTIALS_KEYS = ("username", "password")


class Credentials(NamedTuple):
    """A checked credentials block (``${NAME}`` filled in)."""

    username: str
    password: str
    unset: tuple[str, ...]


def _or_list(words: tuple[str, ...]) -> str:
    return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else "".join(words)


class CredentialChecks(StreamChecks):
    """The credentials block, and the URLs it goes into."""

    def credentials(self, node: Node, path: str, camera: str) -> Credentials | None:
        """``{username, password}``: the password a ``${NAME}`` reference, never the text.

        No message about this block shows a value but the user name's: whatever else it
        holds may be a password.
        """
        what = "a mapping with username and password"
        self._remember_secrets_in(node)
        if not isinstance(node, MappingNode) or node.tag != MAP:
            self.error(node, path, f"expected {what}, found {kind_of(node)}")
            return None
        entries = self.mapping(node, path, what, keys=CREDENTIALS_KEYS,
                               required=CREDENTIALS_KEYS)
        if entries is None or len(entries) < len(CREDENTIALS_KEYS):
            return None
        unset_user: list[str] = []
        unset_password: list[str] = []
        username = self._username(entries["username"], f"{path}.username", unset_user)
        password = self._password(entries["password"], f"{path}.password", unset_password)
        if username is None or password is None:
            return None
        for key, where, names in (("username", entries["username"].value, unset_user),
                                  ("password", entries["password"].value, unset_password)):
            for name in dict.fromkeys(names):
                self.warning(where, f"{path}.{key}", f"environment variable {name} is not "
                                                     f"set: camera {camera!r} is loaded disabled")
        return Credentials(username, password, (*unset_user, *unset_password))

    def _username(self, entry: Entry, path: str, unset: list[str]) -> str | None:
        raw_user = self.string(entry.value, path)
        if raw_user is None:
            return None
        if "${" in VAR_RE.sub("", raw_user):
            self.error(entry.value, path, "malformed variable: write ${NAME} with letters, "
                                          "digits and '_'")
            return None
        return self.fill(raw_user, unset)

    def _password(self, entry: Entry, path: str, unset: list[str]) -> str | None:
        pw_node = entry.value
        match = None
        if isinstance(pw_node, ScalarNode) and pw_node.tag == STR:
            match = VAR_RE.fullmatch(str(pw_node.value))
        if match is None:
            self.error(pw_node, path,
                       "write ${NAME}, the name of an environment variable that holds the "
                       "password, not the password itself")
            return None
        password = self.fill(match.group(0), unset)
        for secret in (password, quote(password, safe="")):
            if len(secret) >= MIN_SECRET and "${" not in secret:
                self.secrets.add(secret)
        return password

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
                self._remember_words(str(item.value))
            elif isinstance(item, MappingNode):
                stack.extend(value for _, value in item.value)
            elif isinstance(item, SequenceNode):
                stack.extend(item.value)

    def _remember_words(self, text: str) -> None:
        for part in [text, *re.split(r"[:@\s]+", text)]:
            if len(part) >= MIN_SECRET and not VAR_RE.fullmatch(part):
                self.secrets.add(part)

    def with_credentials(
        self, url: Url, credentials: Credentials, node: Node, path: str, where: str
    ) -> Url | None:
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
            return Url(url.url, url.unset + credentials.unset)
        userinfo = (f"{quote(credentials.username, safe='')}:"
                    f"{quote(credentials.password, safe='')}@")
        return Url(f"{scheme}://{userinfo}{rest.removeprefix('//')}", url.unset)
