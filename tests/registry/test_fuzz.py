"""Hostile and random input for the registry loader and the importers: each either loads or
raises ConfigError with FILE:LINE messages, within a time and a memory bound per case.

The files of ``tests/data/hostile`` (billion laughs, merge keys that fan out, nested aliases,
deep nesting, Python tags, numbers too long to print) each run in a child process whose
address space is capped, so a case that blows up fails its test, not the machine.
"""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from videowall.registry.importers import import_cameras
from videowall.registry.issues import ConfigError
from videowall.registry.loader import check_registry, parse_registry

DATA = Path(__file__).parent.parent / "data"
HOSTILE = DATA / "hostile"
VALID = DATA / "valid.yaml"

#: What one case may take: wall-clock seconds and bytes allocated at the peak.
CASE_SECONDS = 2.0
CASE_BYTES = 64 * 1024 * 1024
#: The address space of the child process that reads a hostile file.
CHILD_ADDRESS_SPACE = 1024 * 1024 * 1024
#: What reading one hostile file with both readers may take.
HOSTILE_SECONDS = 5.0
#: A message shows no more of any value than this.
MESSAGE_CHARS = 400

_LOCATED = re.compile(r"^(?P<source>[^:]+)(?::(?P<line>\d+))?: ")

_FUZZ = settings(max_examples=40, deadline=timedelta(seconds=CASE_SECONDS), database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextmanager
def _bounded() -> Iterator[None]:
    """Fail when the block takes more than CASE_SECONDS or allocates more than CASE_BYTES."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < CASE_SECONDS, f"took {elapsed:.2f} s"
    assert peak < CASE_BYTES, f"allocated {peak / 1e6:.0f} MB"


def _check_issues(error: ConfigError, source: str) -> None:
    assert error.issues
    for issue in error.issues:
        assert issue.source == source
        assert issue.line is None or issue.line >= 1
        assert "\n" not in issue.message
        assert len(issue.message) < MESSAGE_CHARS, issue.message[:200]
        located = _LOCATED.match(str(issue))
        assert located and located["source"] == source, str(issue)[:200]


def _loads_or_config_error(text: str | bytes) -> None:
    with _bounded():
        try:
            parse_registry(text, "fuzz.yaml", environ={"MALL_PASSWORD": "pw"})
        except ConfigError as exc:
            _check_issues(exc, "fuzz.yaml")


def _imports_or_config_error(text: str) -> None:
    with _bounded():
        try:
            result = import_cameras(text, "fuzz.yml")
        except ConfigError as exc:
            _check_issues(exc, "fuzz.yml")
        else:
            for warning in result.warnings:
                assert len(warning.message) < MESSAGE_CHARS, warning.message[:200]
            assert check_registry(result.text, environ={}).registry is not None


# -- random YAML-ish text ---------------------------------------------------------------------

_BITS = [
    ":", " ", "  ", "\n", "\n  ", "\n    ", "- ", "[", "]", "{", "}", ", ", "'", '"', "#",
    "&a ", "&b ", "*a", "*b", "<<: ", "<<: [*a, *a]", "<<: *b", "!!int ", "!!float ", "!!str ",
    "!!binary ", "!!timestamp ", "!!set ", "!!omap ", "!!python/object/apply:os._exit [77]",
    "~", "null", "yes", "1e999", "0x" + "f" * 5000, "9" * 5000, "-.inf", ".nan", "2024-13-45",
    "${X}", "rtsp://u:p@h/a", "cameras:", "id: ", "url: ", "name: ", "site: ", "roles: ",
    "streams:", "ffmpeg:", "inputs:", "path: ", "motion:", "mask: ", "zones: ", "? ", "|", ">",
    "\t", "\x00", "\ufeff", "é",
]
_YAMLISH = st.lists(st.sampled_from(_BITS) | st.text(string.printable, max_size=6),
                    max_size=40).map("".join)


@_FUZZ
@given(_YAMLISH)
def test_fuzz_registry_yamlish_text(text: str) -> None:
    _loads_or_config_error(text)


@_FUZZ
@given(_YAMLISH)
def test_fuzz_import_yamlish_text(text: str) -> None:
    _imports_or_config_error(text)


# -- mutations of a valid file, with aliases and merges among them ------------------------------

_VALID_LINES = VALID.read_text(encoding="utf-8").splitlines(keepends=True)


@st.composite
def _mutated(draw: st.DrawFn, lines: list[str]) -> str:
    lines = list(lines)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "cut", "anchor", "alias"]))
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(draw(st.integers(0, len(lines))), line)
        elif op == "insert":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(_BITS)) + line[at:]
        elif op == "cut":
            lines[i] = line[: draw(st.integers(0, len(line)))] + "\n"
        else:  # put an anchor on a value, or an alias in place of one
            key, colon, _ = line.partition(": ")
            if colon:
                name = draw(st.sampled_from(["a", "b"]))
                value = line[len(key) + 2:] if op == "anchor" else "\n"
                lines[i] = f"{key}: {'&' if op == 'anchor' else '*'}{name} {value}"
    return "".join(lines)


@_FUZZ
@given(_mutated(_VALID_LINES))
def test_fuzz_registry_mutations_of_the_valid_file(text: str) -> None:
    _loads_or_config_error(text)


_FRIGATE_LINES = (DATA / "import" / "frigate.yml").read_text(encoding="utf-8") \
    .splitlines(keepends=True)
_GO2RTC_LINES = (DATA / "import" / "go2rtc.yaml").read_text(encoding="utf-8") \
    .splitlines(keepends=True)


@_FUZZ
@given(_mutated(_FRIGATE_LINES) | _mutated(_GO2RTC_LINES))
def test_fuzz_import_mutations_of_frigate_and_go2rtc_files(text: str) -> None:
    _imports_or_config_error(text)


# -- aliases nested and merges fanned out, of random depth --------------------------------------


def _laughs(depth: int, width: int, use: str) -> str:
    lines = [f"x0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"x{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, depth + 1)]
    return "\n".join(lines) + "\n" + use.replace("*L", f"*l{depth}") + "\n"


_CAMERA = "{name: Cam}"
_FRIGATE_CAMERA = "{ffmpeg: {inputs: [{path: 'rtsp://h/a', roles: [record]}]}}"


def _fanout(depth: int, use: str, base: str = _CAMERA) -> str:
    lines = [f"x-k0: &k0 {base}"]
    lines += [f"x-k{i}: &k{i} {{<<: [*k{i - 1}, *k{i - 1}]}}" for i in range(1, depth + 1)]
    return "\n".join(lines) + "\n" + use.replace("*K", f"*k{depth}") + "\n"


_LAUGH_USES = [
    "cameras: [{id: a, name: *L, site: s, url: 'rtsp://h/a', tags: *L}]",
    "cameras: [{id: a, name: A, site: s, url: 'rtsp://h/a', motion: {zones: *L, masks: *L}}]",
    "cameras: *L",
    "cameras: {d: {ffmpeg: {inputs: [{path: 'rtsp://h/a', roles: *L}]}}}",
    "cameras: {d: {ffmpeg: {inputs: *L}, motion: {mask: *L}, detect: *L, zones: *L}}",
    "streams: {a: *L, b: [*L, 'rtsp://h/b']}",
]
_FANOUT_USES = [
    "cameras: [{<<: *K, id: a, site: s, url: 'rtsp://h/a'}]",
    "cameras: {d: {<<: [*K, *K]}}",
    "cameras: {d: {<<: [*K, *K], enabled: false}}\ngo2rtc: {streams: {<<: *K}}",
    "streams: {<<: *K}",
]


@_FUZZ
@given(st.integers(1, 12), st.integers(1, 9), st.sampled_from(_LAUGH_USES))
def test_fuzz_nested_aliases(depth: int, width: int, use: str) -> None:
    text = _laughs(depth, width, use)
    _loads_or_config_error(text)
    _imports_or_config_error(text)


@_FUZZ
@given(st.integers(1, 40), st.sampled_from(_FANOUT_USES),
       st.sampled_from([_CAMERA, _FRIGATE_CAMERA]))
def test_fuzz_merges_that_fan_out(depth: int, use: str, base: str) -> None:
    text = _fanout(depth, use, base)
    _loads_or_config_error(text)
    _imports_or_config_error(text)


# -- the findings ---------------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_merges_that_fan_out_24_levels_are_checked_in_milliseconds() -> None:
    # 24 levels of `<<: [*k, *k]` took 31 s: each shared mapping was walked once per path
    text = _fanout(24, "cameras: [{<<: *K, id: a, site: s, url: 'rtsp://h/a'}]")
    started = time.monotonic()
    registry = parse_registry(text, "fanout.yaml")
    assert time.monotonic() - started < 0.5
    assert registry.cameras[0].name == "Cam"


def test_a_merge_reported_wrong_in_a_shared_mapping_is_reported_once() -> None:
    text = _fanout(16, "cameras: [{<<: *K, id: a, site: s, url: 'rtsp://h/a'}]").replace(
        "x-k1: &k1 {", "x-k1: &k1 {<<: 5, ")
    with pytest.raises(ConfigError) as info:
        parse_registry(text, "fanout.yaml")
    assert [str(i) for i in info.value.issues] == [
        "fanout.yaml:2: cameras[0]: '<<' merges a mapping or a list of mappings, found "
        "integer 5"]


@pytest.mark.timeout(30)
def test_import_of_nested_aliases_shows_no_nested_list() -> None:
    # 1 KB of Frigate config: its roles were written out into the warnings (37 s, 2.1 GB)
    text = _laughs(7, 9, "cameras: {d: {ffmpeg: {inputs: [{path: 'rtsp://h/a', roles: *L}]}}}")
    with _bounded():
        result = import_cameras(text, "laughs.yml")
    assert result.cameras == ("d",)
    assert [str(w) for w in result.warnings] == \
        ["laughs.yml: warning: cameras.d.ffmpeg.inputs[0]: unknown role a list: ignored"] * 9


def test_import_names_a_value_it_cannot_build_with_its_line() -> None:
    for text, message in [
        ("cameras:\n  d: {detect: {width: " + "1" * 5000 + "}}\n",
         "fuzz.yml:2: YAML syntax error: integer 111111111111111111111111111111111111111… is "
         "not valid"),
        ("streams:\n  a: 0x" + "f" * 5000 + "\n",
         "fuzz.yml:2: YAML syntax error: integer 0xfffffffffffffffffffffffffffffffffffff… is "
         "too long a number"),
        ("streams: {a: 2024-13-45}\n", "fuzz.yml:1: YAML syntax error: date 2024-13-45 is not "
                                       "valid"),
        ("streams:\n\n  a: !!float abc\n", "fuzz.yml:3: YAML syntax error: number abc is not "
                                           "valid"),
    ]:
        with pytest.raises(ConfigError) as info:
            import_cameras(text, "fuzz.yml")
        assert str(info.value) == message


# -- the corpus of hostile files ------------------------------------------------------------------

_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from videowall.registry.importers import read_import
from videowall.registry.issues import ConfigError
from videowall.registry.loader import read_registry

def run(read):
    started = time.monotonic()
    try:
        read(sys.argv[1])
        messages = []
    except ConfigError as exc:
        messages = [str(i) for i in exc.issues]
    return time.monotonic() - started, messages

registry_s, issues = run(lambda p: read_registry(p).registry_or_raise())
import_s, messages = run(read_import)
print(json.dumps({{"seconds": registry_s + import_s, "messages": issues + messages}}))
"""


def _hostile_files() -> list[Path]:
    return sorted(HOSTILE.iterdir())


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", _hostile_files(), ids=lambda p: p.name)
def test_hostile_file_is_read_within_bounds(path: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=CHILD_ADDRESS_SPACE), str(path)],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]  # 77: a Python tag was constructed
    report = json.loads(child.stdout)
    assert report["seconds"] < HOSTILE_SECONDS
    for message in report["messages"]:
        located = _LOCATED.match(message)
        assert located and located["source"] == str(path), message[:200]
        assert len(message) < MESSAGE_CHARS + len(str(path)) + 100, message[:200]


def test_the_corpus_holds_every_kind_of_hostile_file() -> None:
    names = {p.name for p in _hostile_files()}
    assert {"billion_laughs.yaml", "merge_fanout.yaml", "merge_fanout_frigate.yml",
            "nested_aliases_frigate.yml", "deep_nesting.yaml", "deep_mappings.yaml",
            "python_tags.yaml", "python_tags_frigate.yml", "big_numbers.yaml",
            "self_reference.yaml"} <= names


def _huge_scalars() -> list[Callable[[], str]]:
    words = "word " * 50_000
    return [
        lambda: f"cameras:\n  - {{id: a, name: '{words}', site: s, url: 'rtsp://h/a'}}\n",
        lambda: f"cameras:\n  - {{id: a, name: A, site: s, url: 'rtsp://h/a', heading: "
                f"{'9' * 250_000}}}\n",
        lambda: f"streams:\n  a: '{words}'\n",
        lambda: f"cameras:\n  d:\n    ffmpeg: {{inputs: [{{path: 'rtsp://h/a', roles: "
                f"['{words}']}}]}}\n",
    ]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("make", _huge_scalars())
def test_huge_scalars_are_read_within_bounds(make: Callable[[], str]) -> None:
    text = make()
    started = time.monotonic()
    try:
        parse_registry(text, "huge.yaml")
    except ConfigError as exc:
        _check_issues(exc, "huge.yaml")
    try:
        result = import_cameras(text, "huge.yml")
    except ConfigError as exc:
        _check_issues(exc, "huge.yml")
    else:
        assert all(len(w.message) < MESSAGE_CHARS for w in result.warnings)
    assert time.monotonic() - started < 2 * HOSTILE_SECONDS
