"""The registry loader: every broken file gives its exact messages; a good one loads whole."""

from __future__ import annotations

import logging
import string
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from videowall.camera import Agency, Camera, Location, Site
from videowall.config import (
    ConfigError,
    ConfigIssue,
    check_registry,
    load_registry,
    parse_registry,
    read_registry,
    suggest,
    validate_file,
)

DATA = Path(__file__).parent / "data"
BROKEN = DATA / "broken"
VALID = DATA / "valid.yaml"
SCHEMES = "rtsp, rtsps, http, https, udp, rtp, file"

#: file in tests/data/broken -> the lines of str(ConfigError), in order.
EXPECTED: dict[str, list[str]] = {
    "backend_typo.yaml": [
        "broken/backend_typo.yaml:6: cameras[0].backend: 'vcl' is not one of auto, vlc, "
        "ffmpeg (did you mean 'vlc'?)",
        "broken/backend_typo.yaml:11: cameras[1].backend: expected one of auto, vlc, ffmpeg, "
        "found a list",
    ],
    "bad_agency.yaml": [
        "broken/bad_agency.yaml:2: agencies.transport: missing required key 'name'",
        "broken/bad_agency.yaml:2: agencies.transport.colour: 'blue' is not a colour: "
        "write #rrggbb, e.g. #3d8bfd",
        "broken/bad_agency.yaml:2: agencies.transport.contact: expected a string, found "
        "integer 5550100 (put it in quotes to use it as text)",
        "broken/bad_agency.yaml:3: agencies.Police Dept: 'Police Dept' is not a valid id: "
        "use lower-case letters, digits, '_' and '-' (did you mean 'police-dept'?)",
    ],
    "bad_id_chars.yaml": [
        "broken/bad_id_chars.yaml:2: cameras[0].id: 'RP01 North' is not a valid id: use "
        "lower-case letters, digits, '_' and '-' (did you mean 'rp01-north'?)",
        "broken/bad_id_chars.yaml:6: cameras[1].id: 'cam.2' is not a valid id: use "
        "lower-case letters, digits, '_' and '-'",
    ],
    "bad_indent.yaml": [
        "broken/bad_indent.yaml:4: YAML syntax error: expected <block end>, but found "
        "'<block mapping start>' (while parsing a block collection at line 2); "
        "check the indentation",
    ],
    "bad_port.yaml": [
        "broken/bad_port.yaml:5: cameras[0].url: port '85540' is not a number from 0 to 65535",
        "broken/bad_port.yaml:9: cameras[1].url: the URL contains a space or a line break "
        "(write a space as %20)",
    ],
    "bad_scheme.yaml": [
        f"broken/bad_scheme.yaml:5: cameras[0].url: scheme 'rtps' is not one of {SCHEMES} "
        "(did you mean 'rtsp'?)",
        f"broken/bad_scheme.yaml:9: cameras[1].url: scheme 'htp' is not one of {SCHEMES} "
        "(did you mean 'http'?)",
        f"broken/bad_scheme.yaml:13: cameras[2].url: scheme 'gopher' is not one of {SCHEMES}",
    ],
    "bad_site.yaml": [
        "broken/bad_site.yaml:2: sites.rp01: missing required key 'name'",
        "broken/bad_site.yaml:2: sites.rp01.location: missing required key 'lon'",
        "broken/bad_site.yaml:3: sites.rp02: expected a site (a mapping with name and "
        "location), found string 'Junction 2'",
        "broken/bad_site.yaml:4: sites.rp03: unknown key 'adress' (expected one of name, "
        "location)",
    ],
    "camera_not_mapping.yaml": [
        "broken/camera_not_mapping.yaml:2: cameras[0]: expected a camera (a mapping with id, "
        "name, site and url), found string 'cam-1'",
        "broken/camera_not_mapping.yaml:3: cameras[1]: expected a camera (a mapping with id, "
        "name, site and url), found a list",
    ],
    "cameras_not_list.yaml": [
        "broken/cameras_not_list.yaml:2: cameras: expected a list of cameras, found a mapping",
    ],
    "comments_only.yaml": [
        "broken/comments_only.yaml:1: the file is empty: expected a mapping with a 'cameras' "
        "list",
    ],
    "duplicate_id.yaml": [
        "broken/duplicate_id.yaml:10: cameras[2].id: duplicate id 'cam-1' (first used at "
        "line 2)",
    ],
    "duplicate_key.yaml": [
        "broken/duplicate_key.yaml:6: cameras[0]: duplicate key 'name' (first at line 3)",
    ],
    "empty.yaml": [
        "broken/empty.yaml:1: the file is empty: expected a mapping with a 'cameras' list",
    ],
    "empty_values.yaml": [
        "broken/empty_values.yaml:2: cameras[0].id: expected an id, found nothing",
        "broken/empty_values.yaml:3: cameras[0].name: must not be empty",
        "broken/empty_values.yaml:5: cameras[0].url: expected a URL, found nothing",
    ],
    "enabled_wrong_type.yaml": [
        "broken/enabled_wrong_type.yaml:6: cameras[0].enabled: expected true or false, found "
        "string 'maybe'",
        "broken/enabled_wrong_type.yaml:11: cameras[1].enabled: expected true or false, found "
        "integer 1",
    ],
    "heading_range.yaml": [
        "broken/heading_range.yaml:6: cameras[0].heading: must be between 0 and 360, found 400",
        "broken/heading_range.yaml:11: cameras[1].heading: must be between 0 and 360, found -1",
    ],
    "id_number.yaml": [
        "broken/id_number.yaml:2: sites: keys must be text, found integer 101 as a key "
        "(put it in quotes to use it as text)",
        "broken/id_number.yaml:4: cameras[0].id: expected an id, found integer 101 "
        "(put it in quotes to use it as text)",
        "broken/id_number.yaml:5: cameras[0].name: expected a string, found integer 2024 "
        "(put it in quotes to use it as text)",
    ],
    "lat_out_of_range.yaml": [
        "broken/lat_out_of_range.yaml:2: sites.rp01.location.lon: must be between -180 and "
        "180, found 206.8",
        "broken/lat_out_of_range.yaml:8: cameras[0].location.lat: must be between -90 and 90, "
        "found 91.5",
        "broken/lat_out_of_range.yaml:13: cameras[1].location.lat: expected a number, found "
        "string 'north'",
        "broken/lat_out_of_range.yaml:13: cameras[1].location.lon: must be between -180 and "
        "180, found .nan",
    ],
    "malformed_var.yaml": [
        "broken/malformed_var.yaml:5: cameras[0].url: the URL contains a space or a line "
        "break (write a space as %20)",
        "broken/malformed_var.yaml:9: cameras[1].url: malformed variable: write ${NAME} with "
        "letters, digits and '_'",
    ],
    "many_errors.yaml": [
        f"broken/many_errors.yaml:8: cameras[0].url: scheme 'rtps' is not one of {SCHEMES} "
        "(did you mean 'rtsp'?)",
        "broken/many_errors.yaml:11: cameras[1].site: unknown site 'rp02' (did you mean "
        "'rp01'?)",
        "broken/many_errors.yaml:14: cameras[1].heading: must be between 0 and 360, found 361",
        "broken/many_errors.yaml:15: cameras[2].id: duplicate id 'cam-1' (first used at "
        "line 5)",
        "broken/many_errors.yaml:19: cameras[2]: unknown key 'tag' (did you mean 'tags'?)",
    ],
    "missing_cameras.yaml": [
        "broken/missing_cameras.yaml:1: missing required key 'cameras'",
    ],
    "missing_host.yaml": [
        "broken/missing_host.yaml:5: cameras[0].url: no host in 'rtsp:///road-a': expected "
        "rtsp://host[:port]/path",
        "broken/missing_host.yaml:9: cameras[1].url: expected http://host[:port]/path, found "
        "'http:road-b.ts'",
    ],
    "missing_required.yaml": [
        "broken/missing_required.yaml:2: cameras[0]: missing required key 'name'",
        "broken/missing_required.yaml:2: cameras[0]: missing required key 'site'",
        "broken/missing_required.yaml:2: cameras[0]: missing required key 'url' (or 'streams' "
        "with 'main')",
    ],
    "multi_document.yaml": [
        "broken/multi_document.yaml:2: YAML syntax error: found a second document ('---'): "
        "the registry is one document",
    ],
    "no_scheme.yaml": [
        f"broken/no_scheme.yaml:5: cameras[0].url: '127.0.0.1:554/road-a' has no scheme: "
        f"expected one of {SCHEMES} (e.g. rtsp://host/path)",
        f"broken/no_scheme.yaml:9: cameras[1].url: '/srv/clips/road-b.mp4' has no scheme: "
        f"expected one of {SCHEMES} (e.g. rtsp://host/path)",
    ],
    "not_utf8.yaml": [
        "broken/not_utf8.yaml:3: the file is not UTF-8 text (invalid byte 0xe9); save it as "
        "UTF-8",
    ],
    "plain_password.yaml": [
        "broken/plain_password.yaml:5: warning: cameras[0].url: camera 'cam-1' has a password "
        "written in the file: write user:${CAM_PASSWORD}@host in the URL and set CAM_PASSWORD "
        "in the environment",
        "broken/plain_password.yaml:9: warning: cameras[1].url: camera 'cam-2' has a password "
        "written in the file: write user:${CAM_PASSWORD}@host in the URL and set CAM_PASSWORD "
        "in the environment",
        f"broken/plain_password.yaml:9: cameras[1].url: scheme 'rtps' is not one of {SCHEMES} "
        "(did you mean 'rtsp'?)",
        "broken/plain_password.yaml:10: cameras[1].enabled: expected true or false, found "
        "string '***'",
    ],
    "streams_missing_main.yaml": [
        "broken/streams_missing_main.yaml:5: cameras[0].streams: unknown key 'mian' "
        "(did you mean 'main'?)",
        "broken/streams_missing_main.yaml:9: cameras[1].streams: expected a mapping with main "
        "and sub, found string 'rtsp://127.0.0.1/b'",
    ],
    "syntax_error.yaml": [
        "broken/syntax_error.yaml:8: YAML syntax error: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence at line 7)",
    ],
    "tab_indent.yaml": [
        "broken/tab_indent.yaml:3: YAML syntax error: found character '\\t' that cannot start "
        "any token; indent with spaces, not tabs",
    ],
    "tags_not_strings.yaml": [
        "broken/tags_not_strings.yaml:6: cameras[0].tags[1]: expected a string, found integer "
        "2024 (put it in quotes to use it as text)",
        "broken/tags_not_strings.yaml:6: cameras[0].tags[2]: must not be empty",
        "broken/tags_not_strings.yaml:11: cameras[1].tags: expected a list of strings, found "
        "string 'junction'",
    ],
    "top_list.yaml": [
        "broken/top_list.yaml:1: expected a mapping with 'cameras', 'sites' and 'agencies' at "
        "the top level, found a list",
    ],
    "undefined_alias.yaml": [
        "broken/undefined_alias.yaml:2: YAML syntax error: found undefined alias 'defaults'",
    ],
    "unknown_agency.yaml": [
        "broken/unknown_agency.yaml:10: cameras[0].agency: unknown agency 'transprt' "
        "(did you mean 'transport'?)",
    ],
    "unknown_key.yaml": [
        "broken/unknown_key.yaml:3: cameras[0]: unknown key 'nmae' (did you mean 'name'?)",
        "broken/unknown_key.yaml:6: cameras[0]: unknown key 'colour' (expected one of id, "
        "name, site, agency, url, streams, backend, enabled, location, heading, tags)",
    ],
    "unknown_site.yaml": [
        "broken/unknown_site.yaml:7: cameras[0].site: unknown site 'rp1' (did you mean "
        "'rp01'?)",
        "broken/unknown_site.yaml:11: cameras[1].site: unknown site 'harbour' (not defined "
        "under 'sites')",
    ],
    "unknown_top_key.yaml": [
        "broken/unknown_top_key.yaml:1: unknown key 'site' (did you mean 'sites'?)",
        "broken/unknown_top_key.yaml:3: unknown key 'camera' (did you mean 'cameras'?)",
    ],
    "url_and_streams.yaml": [
        "broken/url_and_streams.yaml:6: cameras[0]: give either 'url' or 'streams', not both",
    ],
}


def test_every_broken_file_has_its_expected_messages() -> None:
    on_disk = {p.name for p in BROKEN.glob("*.yaml")}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 15


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_messages(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    with pytest.raises(ConfigError) as info:
        load_registry(f"broken/{name}", environ={})
    assert str(info.value).splitlines() == EXPECTED[name]
    assert not info.value.unreadable
    assert info.value.errors, "a file that fails must have at least one error"
    for issue in info.value.issues:
        assert issue.source == f"broken/{name}"
        assert issue.line is not None and issue.line >= 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_file_gives_the_same_issues(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    issues = validate_file(f"broken/{name}", environ={})
    assert [str(i) for i in issues] == EXPECTED[name]


def test_parse_registry_reports_the_source_name() -> None:
    with pytest.raises(ConfigError) as info:
        parse_registry("cameras: 3\n")
    assert str(info.value) == "<string>:1: cameras: expected a list of cameras, found integer 3"
    with pytest.raises(ConfigError) as info:
        parse_registry("cameras: [1]\n", source="wall.yaml")
    assert str(info.value) == (
        "wall.yaml:1: cameras[0]: expected a camera (a mapping with id, name, site and url), "
        "found integer 1"
    )


# -- a valid registry ------------------------------------------------------------------------


def test_valid_registry_loads_every_field() -> None:
    registry = load_registry(VALID, environ={"MALL_PASSWORD": "s3cr3t-pw"})
    assert registry.source == str(VALID)
    assert [c.id for c in registry.cameras] == ["rp01-north", "rp01-south", "mall_a_lobby",
                                                "lab-clip"]
    assert registry.sites == {
        "rp01": Site("rp01", "Sudirman – Thamrin junction", Location(-6.1931, 106.8229)),
        "mall-a": Site("mall-a", "Central Mall"),
    }
    assert registry.agencies == {
        "transport": Agency("transport", "Transport Department", "#3d8bfd", "+62 21 000 0000"),
        "mall": Agency("mall", "Central Mall Security"),
    }
    north, south, lobby, clip = registry.cameras
    assert north == Camera(
        id="rp01-north", name="Sudirman North", site="rp01",
        url="rtsp://127.0.0.1:18554/road-a", agency="transport", sub_url=None,
        backend="ffmpeg", enabled=True, location=Location(-6.1930, 106.8228), heading=0.0,
        tags=("junction", "north"),
    )
    # merged from the x-defaults anchor; its own keys stay
    assert (south.site, south.agency, south.backend) == ("rp01", "transport", "auto")
    assert south.url == "http://127.0.0.1:18080/road-b.ts"
    assert south.heading == 180.5 and south.location is None and south.tags == ()
    assert lobby.url == "rtsp://viewer:s3cr3t-pw@10.0.0.5:554/stream1"
    assert lobby.sub_url == "rtsp://viewer:s3cr3t-pw@10.0.0.5:554/stream2"
    assert lobby.safe_url == "rtsp://viewer:***@10.0.0.5:554/stream1"
    assert (lobby.backend, lobby.enabled, lobby.agency) == ("vlc", False, "mall")
    assert clip.url == "file:///var/lib/videowall/clip.mp4" and clip.agency == ""


def test_valid_registry_has_no_issues() -> None:
    check = read_registry(VALID, environ={"MALL_PASSWORD": "x"})
    assert check.issues == ()
    assert check.registry is not None


MINIMAL = """\
cameras:
  - id: cam-1
    name: Camera 1
    site: anywhere
    url: {url}
"""


@pytest.mark.parametrize(
    "url",
    [
        "rtsp://10.0.0.1/stream", "RTSP://10.0.0.1:554/stream", "rtsps://cam.example/s",
        "http://127.0.0.1:18080/a.ts", "https://cam.example/mjpeg", "udp://@239.0.0.1:1234",
        "udp://@:1234", "rtp://239.1.1.1:5004", "file:///srv/clip.mp4", "file:/srv/clip.mp4",
        "rtsp://[::1]:8554/a", "rtsp://user@10.0.0.1/a",
    ],
)
def test_accepted_urls(url: str) -> None:
    registry = parse_registry(MINIMAL.format(url=url), environ={})
    assert registry.cameras[0].url == url


def test_without_sites_and_agencies_any_reference_is_accepted() -> None:
    text = MINIMAL.format(url="rtsp://h/a") + "    agency: whoever\n"
    camera = parse_registry(text).cameras[0]
    assert (camera.site, camera.agency) == ("anywhere", "whoever")


def test_null_optional_values_mean_not_given() -> None:
    text = MINIMAL.format(url="rtsp://h/a") + (
        "    agency:\n    backend:\n    enabled:\n    location:\n    heading:\n    tags:\n"
    )
    camera = parse_registry(text).cameras[0]
    assert (camera.agency, camera.backend, camera.enabled) == ("", "auto", True)
    assert (camera.location, camera.heading, camera.tags) == (None, None, ())


def test_an_empty_camera_list_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="videowall.config"):
        registry = parse_registry("cameras: []\n")
    assert registry.cameras == ()
    assert caplog.messages == [
        "<string>:1: warning: cameras: the list is empty: the wall will show no camera"
    ]


def test_a_merge_cycle_does_not_hang() -> None:
    # PyYAML lets an anchored node refer to itself; a merge of itself adds nothing.
    text = (
        "x-road: &road\n  <<: *road\n  site: rp01\n"
        "cameras:\n  - &c\n    <<: [*c, *road]\n    id: a\n    name: A\n    url: rtsp://h/a\n"
    )
    camera = parse_registry(text).cameras[0]
    assert (camera.id, camera.site) == ("a", "rp01")


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f'cameras: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(ConfigError) as info:
        parse_registry(text)
    assert str(info.value) == (
        "<string>:1: cameras: expected a list of cameras, found a list tagged "
        "'!!python/object/apply:os.system'"
    )
    assert not marker.exists()


def test_bytes_with_bom_and_utf16_are_read() -> None:
    text = MINIMAL.format(url="rtsp://h/a").replace("Camera 1", "Kamera Jalan – Utara")
    for data in (text.encode("utf-8-sig"), text.encode("utf-16")):
        assert parse_registry(data).cameras[0].name == "Kamera Jalan – Utara"


# -- environment variables and passwords ----------------------------------------------------


ENV_TEXT = """\
cameras:
  - id: gate
    name: Gate
    site: depot
    url: rtsp://admin:${GATE_PASSWORD}@${GATE_HOST}:554/main
"""


def test_env_vars_fill_the_url() -> None:
    env = {"GATE_PASSWORD": "p4ss-word", "GATE_HOST": "10.9.8.7"}
    check = check_registry(ENV_TEXT, "env.yaml", environ=env)
    assert check.issues == ()
    assert check.registry is not None
    camera = check.registry.cameras[0]
    assert camera.url == "rtsp://admin:p4ss-word@10.9.8.7:554/main"
    assert camera.enabled


def test_env_vars_default_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATE_PASSWORD", "from-env")
    monkeypatch.setenv("GATE_HOST", "gate.local")
    camera = parse_registry(ENV_TEXT).cameras[0]
    assert camera.url == "rtsp://admin:from-env@gate.local:554/main"


def test_unset_env_var_is_a_warning_and_disables_the_camera(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="videowall.config"):
        registry = parse_registry(ENV_TEXT, "env.yaml", environ={"GATE_HOST": "10.9.8.7"})
    camera = registry.cameras[0]
    assert not camera.enabled
    assert camera.url == "rtsp://admin:${GATE_PASSWORD}@10.9.8.7:554/main"
    assert caplog.messages == [
        "env.yaml:5: warning: cameras[0].url: environment variable GATE_PASSWORD is not set: "
        "camera 'gate' is loaded disabled"
    ]


def test_warnings_come_with_the_errors() -> None:
    text = ENV_TEXT + "    heading: north\n"
    with pytest.raises(ConfigError) as info:
        parse_registry(text, "env.yaml", environ={})
    assert [str(i) for i in info.value.warnings] == [
        "env.yaml:5: warning: cameras[0].url: environment variable GATE_PASSWORD is not set: "
        "camera 'gate' is loaded disabled",
        "env.yaml:5: warning: cameras[0].url: environment variable GATE_HOST is not set: "
        "camera 'gate' is loaded disabled",
    ]
    assert [str(i) for i in info.value.errors] == [
        "env.yaml:6: cameras[0].heading: expected a number, found string 'north'"
    ]


SECRET = "Zq8-hunter2-secret"


@pytest.mark.parametrize(
    "url",
    [
        f"rtsp://admin:{SECRET}@10.0.0.1:554/a",  # plain password: a warning
        f"rtps://admin:{SECRET}@10.0.0.1:554/a",  # and a bad scheme
        f"rtsp://admin:{SECRET}@10.0.0.1:99999/a",  # and a bad port
        f"rtsp://admin:{SECRET}@/a",  # and no host
        f"//admin:{SECRET}@10.0.0.1/a",  # and no scheme
        "//admin:${CAM_PW}@10.0.0.1/a",  # the password filled in from the environment
        "rtsp://admin:${CAM_PW}@:99/a",
    ],
)
def test_no_password_in_any_message(url: str, caplog: pytest.LogCaptureFixture) -> None:
    text = MINIMAL.format(url=url) + f"    tags: [{SECRET}, 5]\n    enabled: {SECRET}\n"
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError) as info:
        parse_registry(text, environ={"CAM_PW": SECRET})
    assert info.value.issues
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value.issues)
    assert SECRET not in caplog.text


def test_plain_password_warning_names_the_camera(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="videowall.config"):
        registry = parse_registry(MINIMAL.format(url=f"rtsp://admin:{SECRET}@h/a"), "c.yaml")
    assert registry.cameras[0].url == f"rtsp://admin:{SECRET}@h/a"
    assert registry.cameras[0].enabled
    assert caplog.messages == [
        "c.yaml:5: warning: cameras[0].url: camera 'cam-1' has a password written in the "
        "file: write user:${CAM_PASSWORD}@host in the URL and set CAM_PASSWORD in the "
        "environment"
    ]


# -- files that cannot be read -----------------------------------------------------------------


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_registry(path)
    assert info.value.unreadable
    assert str(info.value) == f"{path}: cannot read the camera registry: No such file or directory"
    with pytest.raises(ConfigError) as info:
        validate_file(path)
    assert info.value.unreadable


def test_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_registry(tmp_path)
    assert info.value.unreadable
    assert str(info.value) == f"{tmp_path}: cannot read the camera registry: Is a directory"


def test_issue_formats() -> None:
    assert str(ConfigIssue("a.yaml", 3, "cameras[0].id", "bad")) == "a.yaml:3: cameras[0].id: bad"
    assert str(ConfigIssue("a.yaml", None, "", "gone")) == "a.yaml: gone"
    assert str(ConfigIssue("a.yaml", 1, "", "empty", "warning")) == "a.yaml:1: warning: empty"


def test_suggest_prefers_the_fewest_edits_then_the_earlier_choice() -> None:
    schemes = ("rtsp", "rtsps", "http", "https", "udp", "rtp", "file")
    assert suggest("rtps", schemes) == "rtsp"
    assert suggest("RTSP", schemes) == "rtsp"
    assert suggest("htps", schemes) == "https"
    assert suggest("htp", schemes) == "http"
    assert suggest("gopher", schemes) is None
    assert suggest("", schemes) is None
    assert suggest("nmae", ("id", "name", "site")) == "name"


# -- fuzzing: nothing but ConfigError, and quickly --------------------------------------------

_FUZZ = settings(
    max_examples=150, deadline=timedelta(seconds=2), database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _parses_or_config_error(text: str | bytes) -> None:
    started = time.monotonic()
    try:
        registry = parse_registry(text, "fuzz.yaml", environ={"MALL_PASSWORD": "pw"})
    except ConfigError as exc:
        assert exc.errors
        for issue in exc.issues:
            assert issue.source == "fuzz.yaml"
            assert issue.line is None or issue.line >= 1
            assert "\n" not in issue.message
    else:
        assert registry.source == "fuzz.yaml"
    assert time.monotonic() - started < 1.0


@_FUZZ
@given(st.text())
def test_fuzz_text(text: str) -> None:
    _parses_or_config_error(text)


@_FUZZ
@given(st.binary())
def test_fuzz_bytes(data: bytes) -> None:
    _parses_or_config_error(data)


_YAML_BITS = st.sampled_from([
    ":", " ", "  ", "\t", "\n", "-", "- ", "[", "]", "{", "}", ",", "'", '"', "#", "&a", "*a",
    "<<: ", "!!int ", "!!str ", "!!python/object:os.system ", "~", "null", "yes", "1e999",
    "0x1F", "-.inf", ".nan", "2024-01-01", "${X}", "${", "@", "://", "rtsp://", "cameras:",
    "id: ", "url: ", "streams:", "location:", "lat: ", "? ", "|", ">", "---", "...", "%YAML 1.1",
    "\x00", "\ufeff", "é", "9" * 5000,
])


@st.composite
def _mutated_valid_file(draw: st.DrawFn) -> str:
    lines = VALID.read_text(encoding="utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "cut", "indent"]))
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(j, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            bit = draw(st.one_of(_YAML_BITS, st.text(string.printable, max_size=8)))
            lines[i] = line[:at] + bit + line[at:]
        elif op == "cut":
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + "\n"
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "  ", "    ", "\t"])) + lines[i].lstrip()
    return "".join(lines)


@_FUZZ
@given(_mutated_valid_file())
def test_fuzz_mutations_of_a_valid_file(text: str) -> None:
    _parses_or_config_error(text)


@_FUZZ
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=20,
))
def test_fuzz_any_structure_under_cameras(value: object) -> None:
    import yaml

    for doc in ({"cameras": value}, {"cameras": [value]}, {"cameras": [{"id": "a", "x": value}]},
                {"sites": value, "cameras": []}, value):
        _parses_or_config_error(yaml.safe_dump(doc))
