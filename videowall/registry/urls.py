"""Stream URLs of the registry: the schemes a camera may use, what makes a URL wrong, and
what makes two URLs the same stream."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from urllib.parse import quote, urlsplit

from videowall.registry.issues import did_you_mean
from videowall.registry.nodes import short
from videowall.util.logs import secret_name

#: URL schemes a camera may use, most common first (suggestions prefer earlier ones).
URL_SCHEMES = ("rtsp", "rtsps", "http", "https", "udp", "rtp", "file")
#: Schemes that need a host (``udp``/``rtp`` may instead listen on ``@:port``).
NETWORK_SCHEMES = frozenset(URL_SCHEMES) - {"file"}
#: Schemes whose URLs can carry ``user:password@``.
CREDENTIAL_SCHEMES = ("rtsp", "rtsps", "http", "https")
#: A reference to an environment variable, ``${NAME}``.
VAR_PATTERN = r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"
VAR_RE = re.compile(VAR_PATTERN)

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}


def url_problem(url: str) -> str | None:
    """What is wrong with a stream URL (``${NAME}`` already filled in), or None."""
    match = _SCHEME_RE.match(url)
    if not match:
        return (f"{short(url)!r} has no scheme: expected one of {', '.join(URL_SCHEMES)} "
                "(e.g. rtsp://host/path)")
    scheme = match.group(1).lower()
    if scheme not in URL_SCHEMES:
        return (f"scheme {match.group(1)!r} is not one of {', '.join(URL_SCHEMES)}"
                f"{did_you_mean(scheme, URL_SCHEMES)}")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced '[' of an IPv6 address
        return f"malformed host in {short(url, 80)!r}"
    try:
        port = parts.port
    except ValueError:
        given = parts.netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
        return f"port {short(given)!r} is not a number from 0 to 65535"
    if scheme == "file":
        if not parts.path:
            return "no path in the file URL: write file:///path/to/clip.mp4"
        return None
    if not url[match.end():].startswith("//"):
        return f"expected {scheme}://host[:port]/path, found {short(url, 80)!r}"
    if not parts.hostname and not (scheme in ("udp", "rtp") and port):
        return f"no host in {short(url, 80)!r}: expected {scheme}://host[:port]/path"
    return None


def stream_key(url: str) -> str:
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


def plain_password(raw: str) -> bool:
    """True if ``raw`` holds a password that is not entirely ``${NAME}`` references."""
    try:
        password = urlsplit(raw).password
    except ValueError:
        return False
    return bool(password and VAR_RE.sub("", password))


def _credential_spans(raw: str) -> tuple[int, int, int]:
    """Where the parts of a URL template that take encoded values are: the end of its
    user info (it starts after ``://``, 0 if none), and the start of its query or
    fragment (``len(raw)`` if none)."""
    at = raw.find("://")
    if at == -1:
        return 0, 0, len(raw)
    start = at + 3
    end = len(raw)
    for ch in "/?#":
        found = raw.find(ch, start)
        if found != -1:
            end = min(end, found)
    userinfo_end = raw.rfind("@", start, end)
    query = min((i for i in (raw.find("?", end), raw.find("#", end)) if i != -1),
                default=len(raw))
    return start, max(userinfo_end, start), query


def fill_url(raw: str, environ: Mapping[str, str], unset: list[str]) -> str:
    """``raw`` with each ``${NAME}`` replaced from ``environ``: percent-encoded in the user
    info and in the value of a query or fragment parameter, so that no character of a
    password (``/``, ``#``, ``?``, ``@``, ``:``, a space) can change the URL's structure;
    elsewhere only what would end the host, the path or the query is encoded.
    The names that are not set are appended to ``unset`` and left as they are."""
    start, userinfo_end, query = _credential_spans(raw)
    authority_end = min((i for i in (raw.find(c, start) for c in "/?#") if i != -1),
                        default=len(raw)) if start else 0

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            unset.append(name)
            return match.group(0)
        value = environ[name]
        pos = match.start()
        if start <= pos < userinfo_end:
            return quote(value, safe="")
        if pos > query:
            equals = equal_signs[bisect_right(starts, pos) - 1]
            return quote(value, safe="") if -1 < equals < pos else value.translate(_IN_QUERY)
        return value.translate(_IN_AUTHORITY if start <= pos < authority_end else _IN_PATH)

    starts = [m.start() for m in _PARAM_START_RE.finditer(raw, query)]
    ends = [*starts[1:], len(raw)][: len(starts)]
    equal_signs = [raw.find("=", a, b) for a, b in zip(starts, ends, strict=True)]

    return VAR_RE.sub(fill, raw)


_PARAM_START_RE = re.compile(r"[?&;#]")
#: What a value from the environment may not bring in as it is, by where it goes: nothing
#: that would end the host (or start the user info), the path or the query.
_ENDS_ALL = {ord(c): quote(c) for c in " \t\n\r\x0b\x0c#"}
_IN_AUTHORITY = {**_ENDS_ALL, **{ord(c): quote(c, safe="") for c in "@/?"}}
_IN_PATH = {**_ENDS_ALL, ord("?"): "%3F"}
_IN_QUERY = _ENDS_ALL


def map_query_secrets(raw: str, change: Callable[[str, str], str]) -> str:
    """``raw`` with the value of each query or fragment parameter that carries a credential
    (see :func:`~videowall.util.logs.secret_name`) and is not empty replaced by
    ``change(name, value)``."""
    query = _credential_spans(raw)[2]
    out = [raw[:query]]
    for piece in _PARAM_SPLIT_RE.split(raw[query:]):
        name, eq, value = piece.partition("=")
        out.append(f"{name}={change(name, value)}" if eq and value and secret_name(name)
                   else piece)
    return "".join(out)


_PARAM_SPLIT_RE = re.compile(r"([?&;#])")


def query_secrets(raw: str) -> list[tuple[str, str]]:
    """The ``(name, value)`` of each query or fragment parameter of ``raw`` that carries a
    credential and is not empty."""
    found: list[tuple[str, str]] = []

    def keep(name: str, value: str) -> str:
        found.append((name, value))
        return value

    map_query_secrets(raw, keep)
    return found


def plain_query_secrets(raw: str) -> list[str]:
    """The names of the credential-bearing parameters of ``raw`` written in clear text
    (not entirely ``${NAME}`` references)."""
    return [name for name, value in query_secrets(raw) if VAR_RE.sub("", value)]
