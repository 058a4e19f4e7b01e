"""Stream URLs of the registry: the schemes a camera may use, what makes a URL wrong, and
what makes two URLs the same stream."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from videowall.registry.issues import did_you_mean
from videowall.registry.nodes import short

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
