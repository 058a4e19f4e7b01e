"""The registry's limits and its refusal of control characters: a careless or hostile file
is refused quickly, with bounded memory and FILE:LINE, never taken in or hung on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from videowall.registry import ConfigError
from videowall.registry.loader import check_registry, read_capped, read_registry
from videowall.registry.settings import (
    CAMERAS_MAX,
    LIMITS,
    REGISTRY_MAX_BYTES,
    TEXT_MAX_CHARS,
    URL_MAX_CHARS,
)
from videowall.util.text import CONTROL_RE

ROOT = Path(__file__).resolve().parents[2]


def _camera(name: str = "Camera 1", url: str = "rtsp://h/a", tags: str = "[]") -> str:
    return ("cameras:\n  - id: cam-1\n    site: anywhere\n"
            f"    name: {name}\n    url: {url}\n    tags: {tags}\n")


def _errors(text: str | bytes) -> list[str]:
    return [str(issue) for issue in check_registry(text, "reg.yaml", environ={}).errors]


# -- control characters (finding 11) -----------------------------------------------------------


@pytest.mark.parametrize("escaped, code", [
    (r'"\e[31mRED\e[2J"', "U+001B"),
    (r'"line1\nFAKE: cam2 LIVE"', "U+000A"),
    (r'"bell\a"', "U+0007"),
    (r'"tab\there"', "U+0009"),
    (r'"del\x7f"', "U+007F"),
    (r'"csi\x9b2J"', "U+009B"),
    (r'"next\Nline"', "U+0085"),
    (r'"sep\Lline"', "U+2028"),
    (r'"nul\0"', "U+0000"),
])
def test_control_characters_in_a_name_are_refused_with_the_line(escaped: str,
                                                                  code: str) -> None:
    errors = _errors(_camera(name=escaped))
    assert len(errors) == 1
    assert errors[0].startswith(f"reg.yaml:4: cameras[0].name: holds the control character "
                                f"{code} at position ")


@pytest.mark.parametrize("field", ["url", "tags"])
def test_control_characters_in_other_text_fields_are_refused(field: str) -> None:
    text = _camera(url='"rtsp://h/a\\e[2J"') if field == "url" \
        else _camera(tags='["ok", "\\e]0;title\\a"]')
    errors = _errors(text)
    assert len(errors) == 1
    assert "control character U+001B" in errors[0]
    assert errors[0].startswith("reg.yaml:5:" if field == "url" else "reg.yaml:6:")


def test_sites_agencies_and_contacts_refuse_control_characters() -> None:
    text = _camera() + ('sites:\n  anywhere:\n    name: "Depot\\r\\e[1A"\n'
                        'agencies:\n  police:\n    name: Police\n    contact: "\\x1b[5m"\n')
    errors = _errors(text)
    assert [e.split(": ")[0] for e in errors] == ["reg.yaml:9", "reg.yaml:13"]
    assert all("control character" in e for e in errors)


def test_printable_unicode_is_still_text() -> None:
    check = check_registry(_camera(name="Ngã tư Sở — 東口 ✓"), environ={})
    assert check.registry is not None
    assert check.registry.cameras[0].name == "Ngã tư Sở — 東口 ✓"


# -- sizes (findings 12 and 3) ----------------------------------------------------------------


def test_a_name_over_the_limit_is_refused_without_echoing_it() -> None:
    errors = _errors(_camera(name="N" * (TEXT_MAX_CHARS + 1)))
    assert errors == [f"reg.yaml:4: cameras[0].name: is {TEXT_MAX_CHARS + 1} characters "
                      f"long: at most {TEXT_MAX_CHARS} are allowed"]
    assert not _errors(_camera(name="N" * TEXT_MAX_CHARS))


def test_a_url_over_the_limit_is_refused() -> None:
    base = "rtsp://h/"
    errors = _errors(_camera(url=base + "p" * (URL_MAX_CHARS + 1 - len(base))))
    assert errors == [f"reg.yaml:5: cameras[0].url: is {URL_MAX_CHARS + 1:,} characters "
                      f"long: at most {URL_MAX_CHARS:,} are allowed"]
    assert not _errors(_camera(url=base + "p" * (URL_MAX_CHARS - len(base))))


def _many(count: int) -> str:
    return "cameras:\n" + "".join(
        f"  - {{id: cam-{i}, name: Camera {i}, site: s{i % 50}, "
        f"url: 'rtsp://10.{i // 65536}.{i // 256 % 256}.{i % 256}/main'}}\n"
        for i in range(count))


@pytest.mark.timeout(60)
def test_ten_thousand_cameras_validate_in_a_few_seconds() -> None:
    text = _many(CAMERAS_MAX)
    started = time.process_time()
    check = check_registry(text, environ={})
    spent = time.process_time() - started
    assert check.registry is not None and len(check.registry.cameras) == CAMERAS_MAX
    assert spent < 5, f"{spent:.1f} s of CPU for {CAMERAS_MAX} cameras"


@pytest.mark.timeout(60)
def test_one_camera_too_many_is_refused_early() -> None:
    errors = _errors(_many(CAMERAS_MAX + 1))
    assert errors == [f"reg.yaml:2: the list holds more than {CAMERAS_MAX:,} items: a "
                      f"registry may hold at most {CAMERAS_MAX:,} cameras, and no list more "
                      f"than {CAMERAS_MAX:,} items"]


def _bounded(code: str, memory_mb: int = 300,
             seconds: int = 20) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a Python limited to ``memory_mb`` of address space more than it
    starts with and ``seconds`` of CPU."""
    prelude = textwrap.dedent(f"""\
        import resource
        import videowall.registry.loader
        resource.setrlimit(resource.RLIMIT_CPU, ({seconds}, {seconds}))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (size + {memory_mb} * 2**20,) * 2)
    """)
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=seconds * 3, cwd=ROOT,
                          check=False)


@pytest.mark.timeout(120)
def test_a_file_of_many_tiny_cameras_under_the_size_cap_stays_small_and_quick(
        tmp_path: Path) -> None:
    line = "- {id: a, name: b, site: s, url: 'rtsp://h/'}\n"
    path = tmp_path / "many.yaml"
    path.write_text("cameras:\n" + line * ((REGISTRY_MAX_BYTES - 20) // len(line)))
    done = _bounded(f"""\
        from videowall.registry.loader import read_registry
        check = read_registry({str(path)!r}, environ={{}})
        print(len(check.errors), check.errors[0].message[:30])
    """, memory_mb=250, seconds=15)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "1 the list holds more than 10,00\n"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.timeout(60)
def test_dev_zero_is_refused_at_once_with_bounded_memory() -> None:
    done = _bounded("""\
        from videowall.registry import ConfigError
        from videowall.registry.loader import read_registry
        try:
            read_registry("/dev/zero")
        except ConfigError as exc:
            print(exc)
    """, memory_mb=100, seconds=5)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == ("/dev/zero: cannot read the camera registry: it is a device, "
                           "not a file\n")


@pytest.mark.timeout(60)
def test_a_file_over_the_size_cap_is_refused_reading_no_more_than_the_cap(
        tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:  # sparse: 1 GiB that takes no disk
        file.truncate(1 << 30)
    with pytest.raises(ConfigError) as caught:
        read_registry(path)
    assert str(caught.value) == (f"{path}: cannot read the camera registry: the file is "
                                 "larger than 8 MiB, the most it may hold")
    assert caught.value.unreadable
    done = _bounded(f"""\
        from videowall.registry.loader import read_capped
        try:
            read_capped({str(path)!r}, 8 * 2**20)
        except OSError as exc:
            print(exc.strerror)
    """, memory_mb=60, seconds=5)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("the file is larger than 8 MiB")


def test_a_file_at_the_size_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "exact.yaml"
    path.write_bytes(b"#" * 100)
    assert read_capped(path, 100) == b"#" * 100
    with pytest.raises(OSError, match="larger than 99 bytes"):
        read_capped(path, 99)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.timeout(20)
def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "cameras.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError) as caught:
        read_registry(fifo)
    assert str(caught.value) == (f"{fifo}: cannot read the camera registry: it is a FIFO "
                                 "(a named pipe), not a file")


def test_a_folder_is_refused_in_words(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read_registry(tmp_path)
    assert str(caught.value) == f"{tmp_path}: cannot read the camera registry: Is a directory"


def test_the_limits_are_listed_for_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for what, amount in LIMITS:
        assert f"| {what} | {amount} |" in readme


@pytest.mark.timeout(20)
def test_cameras_import_refuses_a_file_over_its_cap_and_a_fifo(tmp_path: Path) -> None:
    from videowall.registry.importers import read_import
    from videowall.registry.settings import IMPORT_MAX_BYTES

    big = tmp_path / "frigate.yml"
    with big.open("wb") as file:
        file.truncate(IMPORT_MAX_BYTES + 1)
    with pytest.raises(ConfigError) as caught:
        read_import(big)
    assert caught.value.unreadable
    assert str(caught.value) == (f"{big}: cannot read the file: the file is larger than "
                                 "8 MiB, the most it may hold")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "go2rtc.yaml"
        os.mkfifo(fifo)
        with pytest.raises(ConfigError, match="it is a FIFO"):
            read_import(fifo)


@settings(max_examples=200, deadline=timedelta(seconds=2), database=None)
@given(st.text(max_size=TEXT_MAX_CHARS + 20))
def test_any_name_is_taken_as_it_is_or_refused_with_its_line(name: str) -> None:
    """Whatever a name holds, it is either kept exactly (no control character, not too
    long, not blank) or refused on the name's line; nothing else happens."""
    # A YAML double-quoted scalar; YAML's own line breaks (NEL, LS, PS) escaped as YAML
    # writes them, or it would fold them into spaces before anything sees them.
    quoted = (json.dumps(name, ensure_ascii=False)
              .replace("\x85", "\\N").replace("\u2028", "\\L").replace("\u2029", "\\P"))
    check = check_registry(_camera(name=quoted), "reg.yaml", environ={})
    if check.registry is not None:
        assert check.registry.cameras[0].name == name
        assert not CONTROL_RE.search(name) and len(name) <= TEXT_MAX_CHARS and name.strip()
    else:
        assert [e.line for e in check.errors] == [4]
        assert all(ch.isprintable() for ch in str(check.errors[0]))


def test_a_key_with_control_characters_is_shown_escaped_in_its_issue() -> None:
    text = ('sites:\n  "a\\e[2Jb\\nFAKE":\n    name: x\n'
            'cameras:\n  - {id: a, name: A, site: s, url: rtsp://h/a, "k\\e[2J": 1}\n')
    errors = _errors(text)
    assert errors[0].startswith("reg.yaml:2: sites.a\\x1b[2Jb\\nFAKE: ")
    assert errors[1].startswith("reg.yaml:5: cameras[0]: unknown key 'k\\x1b[2J'")
    assert all(ch.isprintable() for error in errors for ch in error)
