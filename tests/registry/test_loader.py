"""The registry loader: every broken file gives its exact messages; a good one loads whole."""

from __future__ import annotations

import logging
import string
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from videowall.registry.issues import ConfigError, ConfigIssue, suggest
from videowall.registry.loader import (
    check_registry,
    load_registry,
    parse_registry,
    read_registry,
    validate_file,
)
from videowall.registry.model import (
    MOTION_OFF,
    PRIORITY_DEFAULT,
    WEEKDAYS,
    Agency,
    Camera,
    Location,
    MotionConfig,
    ScheduleWindow,
    Site,
    Zone,
)

DATA = Path(__file__).parent.parent / "data"
BROKEN = DATA / "broken"
VALID = DATA / "valid.yaml"
FULL = DATA / "full.yaml"
SCHEMES = "rtsp, rtsps, http, https, udp, rtp, file"

#: file in tests/data/broken -> the lines of str(ConfigError), in order.
EXPECTED: dict[str, list[str]] = {
    "health_settings.yaml": [
        "broken/health_settings.yaml:7: health: unknown key 'stall_min' (did you mean "
        "'stall_min_s'?)",
        "broken/health_settings.yaml:8: health.stall_max_s: must be between 0.2 and 600, "
        "found 600.5",
        "broken/health_settings.yaml:10: health.retry_cap_s: retry_first_s (90 s) is more "
        "than retry_cap_s (60 s)",
        "broken/health_settings.yaml:11: health.connections_per_host: expected a whole "
        "number, found 2.5",
        "broken/health_settings.yaml:12: health.freeze_s: expected a number, found string "
        "'fast'",
    ],
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
        "location, contact, colour)",
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
        "name, site, agency, url, streams, backend, enabled, location, heading, tags, "
        "priority, credentials, motion, alerts, watch)",
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
    "credentials_keys.yaml": [
        "broken/credentials_keys.yaml:7: cameras[0].credentials: unknown key 'user' (did you "
        "mean 'username'?)",
        "broken/credentials_keys.yaml:7: cameras[0].credentials: missing required key "
        "'password'",
        "broken/credentials_keys.yaml:12: cameras[1].credentials: expected a mapping with "
        "username and password, found a string",
        "broken/credentials_keys.yaml:17: cameras[2].credentials.username: malformed "
        "variable: write ${NAME} with letters, digits and '_'",
    ],
    "credentials_plain.yaml": [
        "broken/credentials_plain.yaml:6: cameras[0].credentials.password: write ${NAME}, the "
        "name of an environment variable that holds the password, not the password itself",
        "broken/credentials_plain.yaml:11: warning: cameras[1].credentials.password: "
        "environment variable YARD_PASSWORD is not set: camera 'yard' is loaded disabled",
        "broken/credentials_plain.yaml:11: cameras[1].credentials: the URL already holds a "
        "user name: give the credentials in the URL or in 'credentials', not both",
        "broken/credentials_plain.yaml:16: warning: cameras[2].credentials.username: "
        "environment variable CLIP_USER is not set: camera 'clip' is loaded disabled",
        "broken/credentials_plain.yaml:16: warning: cameras[2].credentials.password: "
        "environment variable CLIP_PASSWORD is not set: camera 'clip' is loaded disabled",
        "broken/credentials_plain.yaml:16: cameras[2].credentials: credentials apply to rtsp, "
        "rtsps, http or https URLs, and the URL is a file URL",
        "broken/credentials_plain.yaml:21: cameras[3].credentials.password: write ${NAME}, "
        "the name of an environment variable that holds the password, not the password itself",
    ],
    "duplicate_url.yaml": [
        "broken/duplicate_url.yaml:9: warning: cameras[1].url: environment variable "
        "YARD_PASSWORD is not set: camera 'yard' is loaded disabled",
        "broken/duplicate_url.yaml:9: warning: cameras[1].url: the same stream as camera "
        "'gate' (line 5): is this entry a copy whose URL was not changed?",
        "broken/duplicate_url.yaml:15: warning: cameras[2].streams.sub: the same stream as "
        "streams.main: leave 'sub' out when the camera has one stream",
        "broken/duplicate_url.yaml:16: cameras[2].heading: expected a number, found string "
        "'east'",
    ],
    "motion_polygons.yaml": [
        "broken/motion_polygons.yaml:8: cameras[0].motion.zones[0][1]: point [1.2, 0.1] lies "
        "outside the frame: x and y run from 0 (left, top) to 1 (right, bottom)",
        "broken/motion_polygons.yaml:9: cameras[0].motion.zones[1]: a polygon needs at least "
        "3 points, found 2",
        "broken/motion_polygons.yaml:10: cameras[0].motion.zones[2]: the points lie on one "
        "line: the polygon covers nothing",
        "broken/motion_polygons.yaml:12: cameras[0].motion.masks[0][1]: expected a point [x, "
        "y] of two numbers from 0 to 1, found a list of 3",
        "broken/motion_polygons.yaml:13: cameras[0].motion.masks[1][1][0]: expected a number, "
        "found string 'top'",
        "broken/motion_polygons.yaml:14: cameras[0].motion.masks[2]: expected a polygon (a "
        "list of at least 3 [x, y] points), found string '0,0,1,0,1,0.1'",
    ],
    "motion_section.yaml": [
        "broken/motion_section.yaml:7: motion.analysis_fps: must be between 0.5 and 25, "
        "found 50",
        "broken/motion_section.yaml:8: motion.analysis_lines: expected a whole number, "
        "found 100.5",
        "broken/motion_section.yaml:9: motion: unknown key 'lane_ocupied' (did you mean "
        "'lane_occupied'?)",
        "broken/motion_section.yaml:10: motion.congestion_after_s: expected a number, found "
        "string 'soon'",
    ],
    "motion_zones.yaml": [
        "broken/motion_zones.yaml:6: cameras[0].watch: expected true or false, found string "
        "'no'",
        "broken/motion_zones.yaml:10: cameras[0].motion.zones[1]: duplicate zone name 'door' "
        "(first used at line 9)",
        "broken/motion_zones.yaml:11: cameras[0].motion.zones[2].kind: 'queue' is not one of "
        "zone, lane",
        "broken/motion_zones.yaml:12: cameras[0].motion.zones[3]: missing required key 'name'",
        "broken/motion_zones.yaml:13: cameras[0].motion.zones[4]: unknown key 'shape' "
        "(expected one of name, kind, polygon)",
        "broken/motion_zones.yaml:13: cameras[0].motion.zones[4]: missing required key "
        "'polygon'",
        "broken/motion_zones.yaml:15: cameras[0].motion.zones[6]: duplicate zone name "
        "'zone6' (first used at line 14)",
    ],
    "motion_schedule.yaml": [
        "broken/motion_schedule.yaml:8: cameras[0].motion.schedule[0].days[0]: 'monday' is "
        "not one of mon, tue, wed, thu, fri, sat, sun (did you mean 'mon'?)",
        "broken/motion_schedule.yaml:9: cameras[0].motion.schedule[1].days: the list is "
        "empty: name at least one day, or leave 'days' out for every day",
        "broken/motion_schedule.yaml:9: cameras[0].motion.schedule[1].from: expected a time "
        "HH:MM from 00:00 to 23:59, found string '25:00'",
        "broken/motion_schedule.yaml:9: cameras[0].motion.schedule[1].to: expected a time "
        "HH:MM from 00:00 to 24:00, found integer 7",
        "broken/motion_schedule.yaml:10: cameras[0].motion.schedule[2].to: the window starts "
        "and ends at 08:00: it is empty",
        "broken/motion_schedule.yaml:11: cameras[0].motion.schedule[3]: missing required key "
        "'to'",
        "broken/motion_schedule.yaml:11: cameras[0].motion.schedule[3].days: expected a list "
        "of days (mon, tue, wed, thu, fri, sat, sun), found string 'sat'",
    ],
    "motion_values.yaml": [
        "broken/motion_values.yaml:6: cameras[0].motion: expected a motion block (a mapping "
        "with enabled, sensitivity, min_area, zones, masks and schedule), found boolean true",
        "broken/motion_values.yaml:12: cameras[1].motion.enabled: expected true or false, "
        "found string 'yes please'",
        "broken/motion_values.yaml:13: cameras[1].motion.sensitivity: must be between 0 and "
        "1, found 1.5",
        "broken/motion_values.yaml:14: cameras[1].motion.min_area: must be between 0 and 1, "
        "found -0.1",
        "broken/motion_values.yaml:15: cameras[1].motion: unknown key 'zone' (did you mean "
        "'zones'?)",
        "broken/motion_values.yaml:16: cameras[1].motion.schedule: expected a list of time "
        "windows ({days, from, to}), found a mapping",
    ],
    "priority_range.yaml": [
        "broken/priority_range.yaml:6: cameras[0].priority: must be between 1 (most urgent) "
        "and 5 (least urgent), found 7",
        "broken/priority_range.yaml:11: cameras[1].priority: expected a whole number between "
        "1 (most urgent) and 5 (least urgent), found number 2.5",
        "broken/priority_range.yaml:16: cameras[2].priority: expected a whole number between "
        "1 (most urgent) and 5 (least urgent), found string 'high'",
    ],
    "site_fields.yaml": [
        "broken/site_fields.yaml:2: sites.depot.contact: expected a string, found integer "
        "5550100 (put it in quotes to use it as text)",
        "broken/site_fields.yaml:2: sites.depot.colour: 'red' is not a colour: write #rrggbb, "
        "e.g. #3d8bfd",
        "broken/site_fields.yaml:3: sites.gate.location: missing required key 'lon'",
    ],
}


def test_every_broken_file_has_its_expected_messages() -> None:
    on_disk = {p.name for p in BROKEN.glob("*.yaml")}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 30


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
    with caplog.at_level(logging.WARNING, logger="videowall.registry.loader"):
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
    with caplog.at_level(logging.WARNING, logger="videowall.registry.loader"):
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
    with caplog.at_level(logging.WARNING, logger="videowall.registry.loader"):
        registry = parse_registry(MINIMAL.format(url=f"rtsp://admin:{SECRET}@h/a"), "c.yaml")
    assert registry.cameras[0].url == f"rtsp://admin:{SECRET}@h/a"
    assert registry.cameras[0].enabled
    assert caplog.messages == [
        "c.yaml:5: warning: cameras[0].url: camera 'cam-1' has a password written in the "
        "file: write user:${CAM_PASSWORD}@host in the URL and set CAM_PASSWORD in the "
        "environment"
    ]


# -- the optional fields: sites, priority, credentials, motion --------------------------------

FULL_ENV = {"DEPOT_USER": "op erator", "DEPOT_PASSWORD": "p@ss:w/rd%1"}


def test_full_registry_loads_every_optional_field() -> None:
    check = read_registry(FULL, environ=FULL_ENV)
    assert check.issues == ()
    registry = check.registry_or_raise()
    assert registry.sites["depot"] == Site(
        "depot", "Bus Depot", Location(-6.2101, 106.8452), "+62 21 000 0300", "#0a0"
    )
    assert registry.sites["plaza"] == Site("plaza", "Central Plaza")
    gate, yard, entrance = registry.cameras
    assert gate.priority == 1 and yard.priority == 5 and entrance.priority == PRIORITY_DEFAULT
    assert gate.motion == MotionConfig(
        enabled=True, sensitivity=0.7, min_area=0.02,
        zones=(Zone("zone1", ((0.1, 0.4), (0.9, 0.4), (0.9, 1.0), (0.1, 1.0))),),
        masks=(((0.0, 0.0), (1.0, 0.0), (1.0, 0.08), (0.0, 0.08)),),
        schedule=(
            ScheduleWindow(("mon", "tue", "wed", "thu", "fri"), "22:00", "06:00"),
            ScheduleWindow(("sat", "sun"), "08:00", "24:00"),
            ScheduleWindow(WEEKDAYS, "12:00", "18:30"),
        ),
    )
    assert yard.motion == MotionConfig(enabled=False, masks=(((0.5, 0.0), (1.0, 0.0),
                                                              (1.0, 1.0)),))
    # a motion block turns detection on with the defaults; no block leaves it off
    assert entrance.motion == MotionConfig() and entrance.motion.enabled
    assert load_registry(VALID, environ={"MALL_PASSWORD": "x"}).cameras[0].motion == MOTION_OFF


def test_credentials_go_into_every_url_quoted() -> None:
    gate, yard, _ = load_registry(FULL, environ=FULL_ENV).cameras
    assert gate.url == "rtsp://op%20erator:p%40ss%3Aw%2Frd%251@10.0.0.5:554/Streaming/Channels/101"
    assert gate.sub_url == (
        "rtsp://op%20erator:p%40ss%3Aw%2Frd%251@10.0.0.5:554/Streaming/Channels/102"
    )
    assert yard.url == "http://viewer:p%40ss%3Aw%2Frd%251@10.0.0.6/mjpeg"
    assert gate.safe_url == "rtsp://op%20erator:***@10.0.0.5:554/Streaming/Channels/101"
    assert gate.safe_sub_url == "rtsp://op%20erator:***@10.0.0.5:554/Streaming/Channels/102"
    assert "p%40ss" not in repr(gate) and "p%40ss" not in repr(yard)


def test_unset_credentials_disable_the_camera(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="videowall.registry.loader"):
        registry = load_registry(FULL, environ={"DEPOT_PASSWORD": "pw-1234"})
    gate, yard, entrance = registry.cameras
    assert not gate.enabled and gate.url == "rtsp://10.0.0.5:554/Streaming/Channels/101"
    assert yard.enabled and entrance.enabled
    assert caplog.messages == [
        f"{FULL}:23: warning: cameras[0].credentials.username: environment variable "
        "DEPOT_USER is not set: camera 'depot-gate' is loaded disabled"
    ]


CREDENTIALS_TEXT = """\
cameras:
  - id: cam-1
    name: Camera 1
    site: anywhere
    url: {url}
    credentials: {{username: admin, password: {password}}}
    heading: {heading}
"""


@pytest.mark.parametrize(
    ("url", "password", "heading"),
    [
        ("rtsp://10.0.0.1/a", SECRET, "north"),  # a password written in the file
        ("rtsp://10.0.0.1/a", f'"{SECRET}"', 400),
        ("rtsp://10.0.0.1/a", "${CAM_PW}", "north"),  # the password from the environment
        ("rtsp://10.0.0.1:99999/a", "${CAM_PW}", 0),
        (f"rtsp://admin:{SECRET}@10.0.0.1/a", "${CAM_PW}", 0),
        ("file:///srv/a.mp4", "${CAM_PW}", 0),
    ],
)
def test_no_credential_in_any_message(
    url: str, password: str, heading: object, caplog: pytest.LogCaptureFixture
) -> None:
    text = CREDENTIALS_TEXT.format(url=url, password=password, heading=heading)
    text += f"    tags: [{SECRET}, 5]\n"
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError) as info:
        parse_registry(text, environ={"CAM_PW": SECRET})
    assert info.value.errors
    for secret in (SECRET, SECRET.replace("-", "%2D")):
        assert secret not in str(info.value)
        assert secret not in repr(info.value.issues)
        assert secret not in caplog.text


@pytest.mark.parametrize(
    "credentials",
    [
        f'"admin:{SECRET}"',
        f"[admin, {SECRET}]",
        f"{{username: admin, pasword: {SECRET}}}",
        f"{{username: admin, password: [{SECRET}]}}",
        f"{{username: admin, password: {{x: {SECRET}}}}}",
        f"{{username: admin, password: {SECRET}, extra: {SECRET}}}",
    ],
)
def test_a_misshapen_credentials_entry_shows_no_value(credentials: str) -> None:
    text = MINIMAL.format(url="rtsp://h/a") + f"    credentials: {credentials}\n"
    text += f"    tags: [{SECRET}, 5]\n    enabled: {SECRET}\n"
    with pytest.raises(ConfigError) as info:
        parse_registry(text, environ={})
    assert len(info.value.errors) >= 2
    assert SECRET not in str(info.value)


def test_a_password_in_credentials_is_an_error_even_alone() -> None:
    text = CREDENTIALS_TEXT.format(url="rtsp://h/a", password="hunter2-pw", heading=0)
    with pytest.raises(ConfigError) as info:
        parse_registry(text, "c.yaml")
    assert str(info.value) == (
        "c.yaml:6: cameras[0].credentials.password: write ${NAME}, the name of an environment "
        "variable that holds the password, not the password itself"
    )


def test_duplicate_streams_are_warnings_and_the_registry_loads(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = (MINIMAL.format(url="rtsp://10.0.0.1/a")
            + "  - {id: cam-2, name: Two, site: x, url: 'rtsp://10.0.0.1:554/b'}\n"
            + "  - {id: cam-3, name: Three, site: x, url: 'rtsp://U:${PW}@10.0.0.1/a'}\n"
            + "  - {id: cam-4, name: Four, site: x, url: 'rtsp://10.0.0.1/a?channel=2'}\n"
            + "  - {id: cam-5, name: Five, site: x, url: 'rtsp://10.0.0.1:554/a'}\n")
    with caplog.at_level(logging.WARNING, logger="videowall.registry.loader"):
        registry = parse_registry(text, "d.yaml", environ={"PW": "pw"})
    assert len(registry.cameras) == 5
    assert caplog.messages == [
        "d.yaml:7: warning: cameras[2].url: the same stream as camera 'cam-1' (line 5): is "
        "this entry a copy whose URL was not changed?",
        "d.yaml:9: warning: cameras[4].url: the same stream as camera 'cam-1' (line 5): is "
        "this entry a copy whose URL was not changed?",
    ]


def test_times_may_be_written_without_quotes() -> None:
    # YAML 1.1 reads 18:30 as the number 1110 (base 60); the loader takes the text.
    text = MINIMAL.format(url="rtsp://h/a") + (
        "    motion:\n      schedule:\n        - {from: 8:05, to: 18:30}\n"
        "        - {from: '23:00', to: 24:00}\n"
    )
    motion = parse_registry(text).cameras[0].motion
    assert motion.schedule == (ScheduleWindow(WEEKDAYS, "08:05", "18:30"),
                               ScheduleWindow(WEEKDAYS, "23:00", "24:00"))


def test_null_motion_and_priority_mean_not_given() -> None:
    text = MINIMAL.format(url="rtsp://h/a") + "    motion:\n    priority:\n    credentials:\n"
    camera = parse_registry(text).cameras[0]
    assert (camera.motion, camera.priority, camera.url) == (MOTION_OFF, 3, "rtsp://h/a")


def _at(day: str, hhmm: str) -> datetime:
    # 2024-01-01 was a Monday
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2024, 1, 1 + WEEKDAYS.index(day), hours, minutes)


@pytest.mark.parametrize(
    ("day", "hhmm", "inside"),
    [
        ("mon", "21:59", False), ("mon", "22:00", True), ("mon", "23:59", True),
        ("tue", "05:59", True), ("tue", "06:00", False),  # Monday's night runs into Tuesday
        ("sat", "05:00", True),  # Friday's night
        ("sat", "22:30", False), ("sun", "03:00", False), ("mon", "03:00", False),
    ],
)
def test_a_window_past_midnight(day: str, hhmm: str, inside: bool) -> None:
    window = ScheduleWindow(("mon", "tue", "wed", "thu", "fri"), "22:00", "06:00")
    assert window.covers(_at(day, hhmm)) is inside


def test_motion_is_active_by_schedule() -> None:
    weekend = MotionConfig(schedule=(ScheduleWindow(("sat", "sun"), "00:00", "24:00"),))
    assert weekend.active_at(_at("sun", "23:59")) and not weekend.active_at(_at("mon", "00:00"))
    assert MotionConfig().active_at(_at("wed", "12:00"))
    assert not MOTION_OFF.active_at(_at("wed", "12:00"))
    assert not MotionConfig(enabled=False, schedule=weekend.schedule).active_at(
        _at("sun", "12:00")
    )



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
    source = draw(st.sampled_from([VALID, FULL]))
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
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


def test_health_section_sets_how_streams_are_judged_and_retried() -> None:
    from videowall.registry.health import HealthConfig

    text = (
        "cameras:\n  - {id: a, name: A, site: s, url: 'http://127.0.0.1/a'}\n"
        "health:\n  stall_frames: 20\n  retry_cap_s: 120\n  connections_per_host: 8\n"
    )
    registry = parse_registry(text, "inline.yaml")
    assert registry.health == HealthConfig(stall_frames=20.0, retry_cap_s=120.0,
                                           connections_per_host=8)
    assert isinstance(registry.health.connections_per_host, int)
    empty = parse_registry("cameras: []\nhealth:\n", "inline.yaml")
    assert empty.health == HealthConfig()
