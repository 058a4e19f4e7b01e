"""Credential masking in text and in every log record; the logging set-up."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from videowall.util.logs import MaskingFilter, camera_logger, mask_url, setup_logging


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("rtsp://admin:s3cret@10.0.0.1:554/stream1", "rtsp://admin:***@10.0.0.1:554/stream1"),
        ("rtsps://op:pw@cam.example/a", "rtsps://op:***@cam.example/a"),
        ("http://user:p:w;x@host/a.ts", "http://user:***@host/a.ts"),
        ("rtsp://:only-password@host/", "rtsp://:***@host/"),
        ("rtsp://admin:@host/", "rtsp://admin:***@host/"),
        ("opening rtsp://a:b@h1/x and http://c:d@h2/y failed",
         "opening rtsp://a:***@h1/x and http://c:***@h2/y failed"),
        ("rtsp://admin@10.0.0.1/stream", "rtsp://admin@10.0.0.1/stream"),
        ("rtsp://10.0.0.1:554/stream", "rtsp://10.0.0.1:554/stream"),
        ("http://host/path?user=a:b@c", "http://host/path?user=a:b@c"),
        ("no url here: a:b@c", "no url here: a:b@c"),
        ("http://cam/cgi-bin/snap.cgi?user=admin&pwd=s3cret&ch=1",
         "http://cam/cgi-bin/snap.cgi?user=admin&pwd=***&ch=1"),
        ("rtsp://h/live?Password=x%40y;token=abc#frag", "rtsp://h/live?Password=***;token=***#frag"),
        ("https://h/a.m3u8?api_key=K1&apikey=K2&key=K3&sig=S&auth=A",
         "https://h/a.m3u8?api_key=***&apikey=***&key=***&sig=***&auth=***"),
        ("http://h/a?keyframe=1&passes=3&password=", "http://h/a?keyframe=1&passes=3&password="),
        ("", ""),
    ],
)
def test_mask_url(text: str, masked: str) -> None:
    assert mask_url(text) == masked


def test_mask_url_is_idempotent() -> None:
    once = mask_url("rtsp://admin:secret@h/a")
    assert mask_url(once) == once


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # urlsplit, libvlc and FFmpeg all take the last '@' before the path as the end of
        # the credentials, so these are the passwords the backends send.
        ("rtsp://admin:p@ss@10.0.0.1/a", "rtsp://admin:***@10.0.0.1/a"),
        ("rtsp://ops@city.example:hunter2@10.0.0.1/a", "rtsp://ops@city.example:***@10.0.0.1/a"),
    ],
)
def test_mask_url_with_at_signs_in_the_credentials(text: str, masked: str) -> None:
    assert mask_url(text) == masked


def _record(msg: object, *args: object) -> logging.LogRecord:
    return logging.LogRecord("videowall.test", logging.INFO, __file__, 1, msg, args or None,
                             None)


def test_masking_filter_masks_the_formatted_message() -> None:
    record = _record("opening %s for %s", "rtsp://admin:hunter2@10.0.0.1/a", "cam-1")
    assert MaskingFilter().filter(record) is True
    assert record.getMessage() == "opening rtsp://admin:***@10.0.0.1/a for cam-1"
    assert record.args is None


def test_masking_filter_leaves_clean_records_readable() -> None:
    record = _record("camera %s is %s", "cam-1", "live")
    assert MaskingFilter().filter(record)
    assert record.getMessage() == "camera cam-1 is live"
    record = _record("plain text")
    assert MaskingFilter().filter(record)
    assert record.msg == "plain text"


def test_masking_filter_keeps_a_record_with_a_broken_format() -> None:
    record = _record("bad %d format rtsp://a:pw@h/x", "not a number")
    assert MaskingFilter().filter(record)
    assert record.getMessage() == "bad %d format rtsp://a:***@h/x"


def test_masking_filter_masks_exception_text_in_the_message() -> None:
    try:
        raise ConnectionError("cannot open rtsp://admin:hunter2@10.0.0.1/a")
    except ConnectionError as exc:
        record = _record("stream failed: %s", exc)
    MaskingFilter().filter(record)
    assert "hunter2" not in record.getMessage()


@pytest.fixture
def root_logging() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_setup_logging_masks_and_formats(root_logging: logging.Logger,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("DEBUG")
    setup_logging(logging.DEBUG)  # a second call replaces the handler, no double lines
    ours = [h for h in root_logging.handlers if getattr(h, "_videowall", False)]
    assert len(ours) == 1
    assert root_logging.level == logging.DEBUG
    camera_logger("rp01-north").warning("reconnecting to %s", "rtsp://op:pa55@10.1.1.1/a")
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "reconnecting" in line]
    assert len(lines) == 1
    assert lines[0].endswith(
        "WARNING videowall.streams.rp01-north: reconnecting to rtsp://op:***@10.1.1.1/a"
    )
    assert "pa55" not in err


def test_masking_filter_on_a_handler() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("videowall.test.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("probe of %r failed", "http://u:topsecret@h/a.ts")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert stream.getvalue() == "probe of 'http://u:***@h/a.ts' failed\n"


def test_camera_logger_name() -> None:
    assert camera_logger("rp01-north").name == "videowall.streams.rp01-north"


# -- every credential-bearing form, in linear time ---------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("http://h/a?user=op&user_password=s3cret&ch=1", "http://h/a?user=op&user_password=***&ch=1"),
        ("http://h/a?passcode=1234", "http://h/a?passcode=***"),
        ("http://h/a?credential=c1&x=2", "http://h/a?credential=***&x=2"),
        ("https://b.s3.example/k.m3u8?X-Amz-Credential=AK%2F1&X-Amz-Signature=ab12",
         "https://b.s3.example/k.m3u8?X-Amz-Credential=***&X-Amz-Signature=***"),
        ("http://h/live#password=s3cret", "http://h/live#password=***"),
        ("http://h/live#video=h264&token=t0k", "http://h/live#video=h264&token=***"),
        ("http://h/a?apiKey=K&accessToken=T&client_secret=S&pin=1",
         "http://h/a?apiKey=***&accessToken=***&client_secret=***&pin=***"),
        ("http://h/a?pass%77ord=x", "http://h/a?pass%77ord=***"),
        # an environment value starting with "/" is encoded before it reaches a URL
        ("rtsp://admin:%2Froot%2Fsecret@h/a", "rtsp://admin:***@h/a"),
        ("http://h/a?keyframe=1&passes=3&monitor=2", "http://h/a?keyframe=1&passes=3&monitor=2"),
    ],
)
def test_mask_url_masks_every_credential_parameter(text: str, masked: str) -> None:
    assert mask_url(text) == masked


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "text",
    [
        "a" * 40_000,
        "rtsp://admin:pw@h/" + "a" * 1_000_000,
        "x" * 1_000_000 + "://",
        "a1" * 500_000,
        "a://:" * 200_000,
        "a://" * 250_000,
        "?" + "a" * 1_000_000,
        "?a" * 500_000,
        "a:" * 500_000 + "@",
        "x://u:" + "@" * 1_000_000,
        "?a=" * 300_000,
    ],
)
def test_mask_url_is_linear(text: str) -> None:
    """40,000 letters took 1.4 s and a 1 MB URL path minutes: each is milliseconds now."""
    started = time.perf_counter()
    mask_url(text)
    assert time.perf_counter() - started < 0.5


PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))


@settings(max_examples=300, deadline=2000)
@given(password=st.text(PRINTABLE, min_size=1, max_size=40))
def test_mask_url_never_shows_an_encoded_password(password: str) -> None:
    """Whatever a password holds, once encoded into a URL (user info, a credential query
    parameter, a fragment parameter) the masked text does not depend on it."""
    def url(pw: str) -> str:
        q = quote(pw, safe="")
        return (f"log: rtsp://admin:{q}@10.0.0.1:554/live?user=admin&user_password={q}"
                f"&X-Amz-Signature={q}#token={q} failed")

    started = time.perf_counter()
    assert mask_url(url(password)) == mask_url(url("x"))
    assert time.perf_counter() - started < 0.5
