"""Logging set-up and credential masking.

Every handler videowall installs carries :class:`MaskingFilter`, so a password that
slips into a log message (a URL in an exception text, say) is masked all the same.
"""

from __future__ import annotations

import logging
import re
import sys

# scheme://user:password@host  ->  scheme://user:***@host
# The password runs to the last "@" before the path: passwords and user names can hold "@".
_CRED_RE = re.compile(r"(?P<pre>[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:]*):(?P<pw>[^/\s]*)@")
# ...?user=admin&password=secret  ->  ...?user=admin&password=***  (cameras that take their
# credentials or a token in the query string: CGI snapshot URLs, signed links)
_QUERY_SECRET_RE = re.compile(
    r"(?P<pre>[?&;](?:password|passwd|pwd|pass|secret|token|access_token|auth|api_?key|key"
    r"|signature|sig)=)[^&;#\s]+",
    re.IGNORECASE,
)


def mask_url(text: str) -> str:
    """Return ``text`` with any ``user:password@`` in a URL masked as ``user:***@``, and
    the values of query parameters that carry secrets (``password=``, ``token=``, ...)
    as ``***``."""
    text = _CRED_RE.sub(lambda m: f"{m.group('pre')}:***@", text)
    return _QUERY_SECRET_RE.sub(lambda m: f"{m.group('pre')}***", text)


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
