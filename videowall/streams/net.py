"""Checks of a camera's address: its form before a backend opens it, its reachability
after a backend failed.

Backends report failures poorly ("unable to open the MRL"); a resolver lookup and a TCP
connect say in words what is wrong: the name does not resolve, nothing listens on the
port, the host does not answer.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from urllib.parse import urljoin, urlsplit

from videowall.util.logs import mask_url

#: Schemes a backend can open, and the default port of the TCP-based ones.
SCHEMES: dict[str, int | None] = {
    "rtsp": 554,
    "rtsps": 322,
    "http": 80,
    "https": 443,
    "udp": None,
    "rtp": None,
    "file": None,
}


#: The schemes a stream may lead to, by the scheme of the camera's URL: a camera's answer
#: (an HTTP or RTSP redirect, a playlist) never takes a backend to another kind of source,
#: least of all to a local file.
SAME_KIND: dict[str, frozenset[str]] = {
    "http": frozenset({"http", "https"}),
    "https": frozenset({"http", "https"}),
    "rtsp": frozenset({"rtsp", "rtsps"}),
    "rtsps": frozenset({"rtsp", "rtsps"}),
    "udp": frozenset({"udp", "rtp"}),
    "rtp": frozenset({"udp", "rtp"}),
    "file": frozenset({"file"}),
}

#: FFmpeg's protocols a stream of each scheme needs (its ``protocol_whitelist``).
FFMPEG_PROTOCOLS: dict[str, str] = {
    "http": "http,https,tcp,tls,crypto",
    "https": "http,https,tcp,tls,crypto",
    "rtsp": "rtsp,rtsps,rtp,srtp,udp,tcp,tls",
    "rtsps": "rtsp,rtsps,rtp,srtp,udp,tcp,tls",
    "udp": "udp,rtp",
    "rtp": "udp,rtp",
    "file": "file",
}

#: How much of a target address a message shows.
_SHOWN_CHARS = 120


def scheme_of(url: str) -> str:
    return urlsplit(url).scheme.lower()


def shown_url(url: str) -> str:
    """``url`` for a message: credentials masked, control characters escaped, cut short."""
    text = mask_url(url[: _SHOWN_CHARS * 4])
    cut = "…" if len(text) > _SHOWN_CHARS else ""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:_SHOWN_CHARS]) + cut


def check_target(url: str, target: str) -> str | None:
    """Why the stream of ``url`` must not lead to ``target``, in words, or None.

    ``target`` is where the camera's answer sends a backend (a redirect's ``Location``, a
    playlist's entry): it must be of the same kind as the camera's own scheme.
    """
    allowed = SAME_KIND.get(scheme_of(url), frozenset())
    try:
        target_scheme = scheme_of(target)
    except ValueError:
        target_scheme = ""
    if target_scheme in allowed:
        return None
    what = "a local file" if target_scheme == "file" else (
        f"a {target_scheme}: address" if target_scheme else "an address without a scheme")
    return (
        f"refused: the camera redirects to {what} ({shown_url(target)}); a camera on "
        f"{scheme_of(url)}: may only lead to {'/'.join(sorted(allowed)) or 'itself'}"
    )


def check_url(url: str) -> str | None:
    """Return what is wrong with the form of ``url``, in words, or None. No network."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"malformed URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        allowed = ", ".join(SCHEMES)
        return f"unknown scheme {scheme!r} (use one of {allowed})"
    if SCHEMES[scheme] is not None and not parts.hostname:
        return "no host in URL"
    return None


def diagnose(url: str, timeout: float = 3.0) -> str | None:
    """Return why ``url`` cannot be reached, in words, or None when it looks reachable.

    Called after a backend failed, never before: a camera or server that takes one
    client at a time must not lose its slot to a test connection.
    """
    problem = check_url(url)
    if problem:
        return problem
    parts = urlsplit(url)
    default_port = SCHEMES[parts.scheme.lower()]
    host = parts.hostname
    if default_port is None or not host:
        return None  # udp/rtp listen, file is local: nothing to connect to
    port_or_none = parts.port
    port = port_or_none or default_port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"host name {host!r} does not resolve"
    last = ""
    for family, kind, proto, _name, addr in infos:
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.settimeout(timeout)
                sock.connect(addr)
            if parts.scheme.lower() in ("http", "https"):
                return _http_problem(url, timeout)
            return None
        except ConnectionRefusedError:
            last = f"connection refused (nothing listens on {host}:{port})"
        except TimeoutError:
            last = f"no answer from {host}:{port} within {timeout:.0f} s"
        except OSError as exc:
            last = f"cannot reach {host}:{port} ({exc.strerror or exc})"
    return last or f"cannot reach {host}:{port}"


def _http_problem(url: str, timeout: float) -> str | None:
    """What an HTTP server answers for ``url`` when that is not a stream, in words."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    conn: http.client.HTTPConnection
    if parts.scheme.lower() == "https":
        # diagnosis only: cameras often have self-signed certificates
        context = ssl._create_unverified_context()
        conn = http.client.HTTPSConnection(host, parts.port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request("GET", path, headers={"User-Agent": "videowall-diagnose"})
        response = conn.getresponse()
        status = response.status
        content_type = response.getheader("Content-Type", "") or ""
        location = response.getheader("Location", "") or ""
    except (OSError, http.client.HTTPException) as exc:
        if isinstance(exc, http.client.RemoteDisconnected):
            return "the server closed the connection without answering"
        return None
    finally:
        conn.close()
    if 300 <= status < 400 and location:
        return check_target(url, urljoin(url, location[:4096]))
    if status in (401, 403):
        return f"unauthorized: the camera refused the credentials (HTTP {status})"
    if status == 404:
        return "stream not found on the server (HTTP 404)"
    if status >= 400:
        return f"the server answered with an HTTP error ({status})"
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind.startswith("text/") or kind in ("application/json", "application/xml"):
        return f"not a video stream (the server answers with {kind})"
    return None
