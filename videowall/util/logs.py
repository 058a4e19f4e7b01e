"""Logging set-up and credential masking.

Every handler videowall installs carries :class:`MaskingFilter`, so a password that
slips into a log message (a URL in an exception text, say) is masked all the same.
"""

from __future__ import annotations

import logging
import re
import sys
from urllib.parse import unquote

# scheme://user:password@host  ->  scheme://user:***@host
# The password runs to the last "@" before the path: passwords and user names can hold "@".
# Matched right after each "://" that follows a scheme character; an authority ends at the
# next "/", so each character of the text is scanned a bounded number of times.
_USERINFO_RE = re.compile(r"://[^/\s:]*+:(?P<pw>[^/\s]*)@")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
# ...?user=admin&password=secret  ->  ...?user=admin&password=***, in the query and in the
# fragment (cameras that take their credentials or a token in the URL: CGI snapshot URLs,
# signed links). Which names carry a secret is decided by secret_name().
_PARAM_RE = re.compile(r"(?P<pre>[?&;#](?P<name>[^=?&;#\s/]++)=)(?P<value>[^&;#\s]++)")
# The words of a parameter name, and the endings that make a word a secret's name:
# user_password, passcode, X-Amz-Signature, apiKey, access_token, credential, auth ...
_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_ENDINGS = (
    "pass", "passwd", "password", "passcode", "passphrase", "pwd", "token", "key", "secret",
    "secrets", "sig", "signature", "credential", "credentials", "auth", "authorization",
)
_SECRET_WORDS = frozenset({"pw", "pin", "psk"})


def secret_name(name: str) -> bool:
    """True if a query or fragment parameter called ``name`` carries a credential: one of
    its words (``user_password``, ``apiKey``, ``X-Amz-Signature``) ends like a secret's name
    (``keyframe`` or ``passes`` do not)."""
    words = _WORD_RE.findall(unquote(name))
    return any(w.lower().endswith(_SECRET_ENDINGS) or w.lower() in _SECRET_WORDS
               for w in words)


def _mask_param(match: re.Match[str]) -> str:
    if secret_name(match.group("name")):
        return f"{match.group('pre')}***"
    return match.group(0)


def mask_url(text: str) -> str:
    """Return ``text`` with any ``user:password@`` in a URL masked as ``user:***@``, and
    the values of query and fragment parameters that carry credentials (``password=``,
    ``token=``, ``X-Amz-Signature=`` ...) as ``***``. Takes time linear in ``text``."""
    return _PARAM_RE.sub(_mask_param, _USERINFO_RE.sub(_mask_userinfo, text))


def _mask_userinfo(match: re.Match[str]) -> str:
    if match.start() and match.string[match.start() - 1] in _SCHEME_CHARS:
        return f"{match.group(0)[: match.start('pw') - match.start()]}***@"
    return match.group(0)


class MaskingFilter(logging.Filter):
    """Masks credentials in the fully formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        masked = mask_url(message)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        return True


def setup_logging(level: int | str = logging.INFO) -> None:
    """Log to stderr as ``time level logger: message`` with credentials masked."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_videowall", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
    )
    handler.addFilter(MaskingFilter())
    handler._videowall = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def camera_logger(camera_id: str) -> logging.Logger:
    """The logger of one camera's stream: ``videowall.streams.<camera-id>``."""
    return logging.getLogger(f"videowall.streams.{camera_id}")
