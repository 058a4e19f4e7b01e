"""Importing cameras from Frigate and go2rtc configs: valid registries, honest warnings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from videowall.cli.app import main
from videowall.registry.importers import detect_format, import_cameras, read_import
from videowall.registry.issues import ConfigError
from videowall.registry.loader import check_registry, parse_registry
from videowall.registry.model import MotionConfig

DATA = Path(__file__).parent.parent / "data" / "import"
FRIGATE = DATA / "frigate.yml"
RESTREAM = DATA / "frigate_restream.yml"
GO2RTC = DATA / "go2rtc.yaml"

#: Every password the fixtures hold in clear text, as written and decoded.
PASSWORDS = ("Gar4ge-Secret", "Dr1veway-pw", "L0bby%40pw", "L0bby@pw", "D00r-pw", "Sh3d-pw")


def _no_password_in(*texts: str) -> None:
    for text in texts:
        for password in PASSWORDS:
            assert password not in text


# -- Frigate --------------------------------------------------------------------------------------


FRIGATE_YAML = """\
# Cameras imported from frigate.yml (Frigate) by `videowall cameras import`.
# Check names, sites and agencies; `videowall cameras validate FILE` checks the file.
# Set these environment variables before the wall starts:
#   FRIGATE_RTSP_USER      front_door
#   FRIGATE_RTSP_PASSWORD  front_door
#   CAMERA_PASSWORD        garage-cam, backyard

sites:
  frigate: {name: "Frigate (frigate.yml)"}

cameras:
  - id: front_door
    name: "Front door"
    site: frigate
    streams:
      main: "rtsp://${FRIGATE_RTSP_USER}:${FRIGATE_RTSP_PASSWORD}@192.168.1.10:554/Streaming/\
Channels/101"
      sub: "rtsp://${FRIGATE_RTSP_USER}:${FRIGATE_RTSP_PASSWORD}@192.168.1.10:554/Streaming/\
Channels/102"
    motion:
      enabled: false  # masks from the source; set true for motion alerts
      masks:
        - [[0, 0], [1, 0], [1, 0.1], [0, 0.1]]
        - [[0.5, 0.5], [0.6, 0.5], [0.6, 0.6]]
  - id: garage-cam
    name: "Garage Cam"
    site: frigate
    url: "rtsp://192.168.1.11:554/h264Preview_01_main"
    credentials: {username: "admin", password: "${CAMERA_PASSWORD}"}
    enabled: false
    motion:
      enabled: false  # masks from the source; set true for motion alerts
      masks:
        - [[0, 0], [1, 0], [1, 0.1]]
  - id: backyard
    name: "Back Yard (pool)"
    site: frigate
    url: "http://192.168.1.12/cgi-bin/mjpeg?channel=1"
    credentials: {username: "viewer", password: "${CAMERA_PASSWORD}"}
"""


def test_frigate_config_becomes_a_registry() -> None:
    result = read_import(FRIGATE)
    assert result.format == "frigate"
    assert result.text == FRIGATE_YAML
    assert result.cameras == ("front_door", "garage-cam", "backyard")
    assert dict(result.variables) == {
        "FRIGATE_RTSP_USER": ("front_door",), "FRIGATE_RTSP_PASSWORD": ("front_door",),
        "CAMERA_PASSWORD": ("garage-cam", "backyard"),
    }
    source = str(FRIGATE)
    assert [str(w) for w in result.warnings] == [
        f"{source}: warning: cameras.front_door: not imported: objects, zones (Frigate features "
        "the wall does not use)",
        f"{source}: warning: cameras.backyard.ffmpeg.inputs[0]: 'rtmp' is not a stream the "
        "wall plays (rtsp, rtsps, http, https): skipped",
        f"{source}: warning: cameras.backyard: not imported: snapshots (Frigate features the "
        "wall does not use)",
        f"{source}: warning: cameras.doorbell.ffmpeg.inputs[0]: an input for audio only is not "
        "imported",
        f"{source}: warning: cameras.doorbell: no input the wall can play: camera skipped",
        f"{source}: warning: a password was written in clear text: it is now "
        "${CAMERA_PASSWORD}; set CAMERA_PASSWORD in the environment (cameras 'garage-cam', "
        "'backyard')",
    ]
    _no_password_in(result.text, *map(str, result.warnings))


def test_the_frigate_registry_loads_with_the_environment() -> None:
    env = {"FRIGATE_RTSP_USER": "viewer", "FRIGATE_RTSP_PASSWORD": "pw-1", "CAMERA_PASSWORD":
           "Gar4ge-Secret"}
    check = check_registry(read_import(FRIGATE).text, "imported.yaml", environ=env)
    assert check.issues == ()
    front, garage, backyard = check.registry_or_raise().cameras
    # record -> main, detect -> sub
    assert front.url == "rtsp://viewer:pw-1@192.168.1.10:554/Streaming/Channels/101"
    assert front.sub_url == "rtsp://viewer:pw-1@192.168.1.10:554/Streaming/Channels/102"
    # pixel masks are scaled by the detect size; relative ones stay
    assert front.motion == MotionConfig(enabled=False, masks=(
        ((0.0, 0.0), (1.0, 0.0), (1.0, 0.1), (0.0, 0.1)),
        ((0.5, 0.5), (0.6, 0.5), (0.6, 0.6)),
    ))
    # one input with both roles: main only; the password comes back from the environment
    assert garage.url == "rtsp://admin:Gar4ge-Secret@192.168.1.11:554/h264Preview_01_main"
    assert garage.sub_url is None and not garage.enabled
    # the rtmp record input is skipped: the detect input is the main stream
    assert backyard.url == "http://viewer:Gar4ge-Secret@192.168.1.12/cgi-bin/mjpeg?channel=1"


def test_frigate_restreams_are_followed_to_their_source() -> None:
    result = read_import(RESTREAM)
    registry = parse_registry(result.text, environ={"CAMERA_PASSWORD": "Dr1veway-pw"})
    driveway, shed = registry.cameras
    assert driveway.url == (
        "rtsp://admin:Dr1veway-pw@192.168.1.20:554/cam/realmonitor?channel=1&subtype=0"
    )
    assert driveway.sub_url == (
        "rtsp://admin:Dr1veway-pw@192.168.1.20:554/cam/realmonitor?channel=1&subtype=1"
    )
    # go2rtc has no source the wall plays (tapo): the restream stays, with a warning
    assert shed.url == "rtsp://127.0.0.1:8555/shed"
    source = str(RESTREAM)
    assert [str(w) for w in result.warnings] == [
        f"{source}: warning: camera_groups: camera groups are not imported: put the cameras "
        "into sites by hand",
        f"{source}: warning: cameras.shed.ffmpeg.inputs[0]: rtsp://127.0.0.1:8555/shed is "
        "go2rtc's restream on Frigate's own machine, and the wall cannot play its source: give "
        "--host with that machine's address",
        f"{source}: warning: a password was written in clear text: it is now "
        "${CAMERA_PASSWORD}; set CAMERA_PASSWORD in the environment (cameras 'driveway')",
    ]
    _no_password_in(result.text, *map(str, result.warnings))


def test_host_replaces_frigates_loopback_addresses() -> None:
    result = read_import(RESTREAM, host="10.0.0.2", site="home", site_name="Home")
    registry = parse_registry(result.text, environ={})
    assert [(c.url, c.sub_url) for c in registry.cameras] == [
        ("rtsp://10.0.0.2:8555/driveway", "rtsp://10.0.0.2:8555/driveway_sub"),
        ("rtsp://10.0.0.2:8555/shed", None),
    ]
    assert registry.sites["home"].name == "Home"
    assert {c.site for c in registry.cameras} == {"home"}
    assert dict(result.variables) == {}
    ipv6 = import_cameras(RESTREAM.read_text(), "f.yml", host="fd00::2")
    assert "rtsp://[fd00::2]:8555/shed" in ipv6.text


# -- go2rtc ---------------------------------------------------------------------------------------


def test_go2rtc_streams_become_cameras() -> None:
    result = read_import(GO2RTC, agency="mall")
    assert result.format == "go2rtc"
    registry = parse_registry(result.text, environ={
        "CAMERA_PASSWORD": "L0bby@pw", "PARKING_USER": "p", "PARKING_PASSWORD": "q",
    })
    assert [(c.id, c.name, c.agency) for c in registry.cameras] == [
        ("lobby", "Lobby", "mall"), ("parking", "Parking", "mall"),
        ("loading-dock", "Loading dock", "mall"), ("lobby-2", "Lobby", "mall"),
    ]
    lobby, parking, dock, other = registry.cameras
    # <name>_sub is the sub stream; go2rtc's #parameters are dropped; the password in the
    # environment is the real one and comes back URL-quoted as the source wrote it
    assert lobby.url == "rtsp://operator:L0bby%40pw@10.20.0.5:554/stream1"
    assert lobby.sub_url == "rtsp://operator:L0bby%40pw@10.20.0.5:554/stream2"
    # ffmpeg:URL#... is the URL; go2rtc's own ${VAR} references stay
    assert parking.url == "rtsp://p:q@10.20.0.6/live"
    assert dock.url == "http://10.20.0.7/mjpg/video.mjpg"
    assert other.url == "rtsp://10.20.0.9/other"
    source = str(GO2RTC)
    assert [str(w) for w in result.warnings] == [
        f"{source}: warning: streams.doorbell: no source the wall can play (onvif, echo): "
        "stream skipped; give --host to use go2rtc's restream",
        f"{source}: warning: streams.webcam: no source the wall can play: stream skipped",
        f"{source}: warning: a password was written in clear text: it is now "
        "${CAMERA_PASSWORD}; set CAMERA_PASSWORD in the environment (cameras 'lobby')",
    ]
    _no_password_in(result.text, *map(str, result.warnings))


def test_go2rtc_restream_serves_every_stream() -> None:
    result = read_import(GO2RTC, host="10.20.0.2")
    registry = parse_registry(result.text, environ={})
    assert [(c.id, c.url, c.sub_url) for c in registry.cameras] == [
        ("lobby", "rtsp://10.20.0.2:8554/lobby", "rtsp://10.20.0.2:8554/lobby_sub"),
        ("parking", "rtsp://10.20.0.2:8554/parking", None),
        ("loading-dock", "rtsp://10.20.0.2:8554/loading-dock", None),
        ("doorbell", "rtsp://10.20.0.2:8554/doorbell", None),
        ("webcam", "rtsp://10.20.0.2:8554/webcam", None),
        ("lobby-2", "rtsp://10.20.0.2:8554/Lobby", None),
    ]
    assert result.warnings == ()
    _no_password_in(result.text)


def test_several_passwords_get_one_variable_each() -> None:
    text = """\
streams:
  a: rtsp://u:first-pw@10.0.0.1/a
  b: [rtsp://u:second-pw@10.0.0.2/b]
  c: rtsp://u:first-pw@10.0.0.3/c
  c_sub: rtsp://v:second-pw@10.0.0.3/c2
"""
    result = import_cameras(text, "go2rtc.yaml")
    assert dict(result.variables) == {"CAMERA_PASSWORD_1": ("a", "c"),
                                      "CAMERA_PASSWORD_2": ("b", "c")}
    env = {"CAMERA_PASSWORD_1": "first-pw", "CAMERA_PASSWORD_2": "second-pw"}
    a, b, c = parse_registry(result.text, environ=env).cameras
    assert (a.url, b.url) == ("rtsp://u:first-pw@10.0.0.1/a", "rtsp://u:second-pw@10.0.0.2/b")
    # two different user names: the references go into the URLs themselves
    assert (c.url, c.sub_url) == ("rtsp://u:first-pw@10.0.0.3/c", "rtsp://v:second-pw@10.0.0.3/c2")
    assert "${CAMERA_PASSWORD_1}@10.0.0.3" in result.text
    _no_password_in(result.text)
    assert "first-pw" not in result.text and "second-pw" not in result.text


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mqtt: {host: x}\n", "f.yml: neither a Frigate config (cameras with ffmpeg inputs) nor "
                              "a go2rtc config (streams)"),
        ("- a\n- b\n", "f.yml: neither a Frigate config (cameras with ffmpeg inputs) nor a "
                       "go2rtc config (streams)"),
        ("cameras: {a: {ffmpeg: {inputs: []}}}\n",
         "f.yml: warning: cameras.a.ffmpeg: no ffmpeg.inputs: camera skipped\n"
         "f.yml: no camera to import"),
        ("streams:\n  a: exec:ffmpeg -i /dev/video0\n",
         "f.yml: warning: streams.a: no source the wall can play (exec): stream skipped; give "
         "--host to use go2rtc's restream\nf.yml: no camera to import"),
        ("streams: {a: rtsp://h/a}\ncameras: [\n", "f.yml:3: YAML syntax error: expected the "
                                                    "node content, but found '<stream end>'"),
    ],
)
def test_what_cannot_be_imported(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        import_cameras(text, "f.yml")
    assert str(info.value) == message
    assert not info.value.unreadable


def test_forced_format_and_bad_ids() -> None:
    with pytest.raises(ConfigError) as info:
        import_cameras("streams: {a: rtsp://h/a}\n", "f.yml", fmt="frigate")
    assert str(info.value) == "f.yml: cameras: no cameras: expected a mapping of cameras by name"
    with pytest.raises(ConfigError) as info:
        import_cameras("streams: {a: rtsp://h/a}\n", "f.yml", site="Main Site")
    assert str(info.value) == ("f.yml: site 'Main Site' is not a valid id: use lower-case "
                               "letters, digits, '_' and '-'")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        read_import(tmp_path / "nope.yml")
    assert info.value.unreadable
    assert str(info.value) == f"{tmp_path / 'nope.yml'}: cannot read the file: No such file or " \
                              "directory"


def test_detect_format() -> None:
    assert detect_format(yaml.safe_load(FRIGATE.read_text())) == "frigate"
    assert detect_format(yaml.safe_load(RESTREAM.read_text())) == "frigate"
    assert detect_format(yaml.safe_load(GO2RTC.read_text())) == "go2rtc"
    assert detect_format({"cameras": {"a": {"name": "x"}}}) is None
    assert detect_format(None) is None


def test_masks_the_import_cannot_place() -> None:
    text = """\
cameras:
  gate:
    ffmpeg: {inputs: [{path: "rtsp://10.0.0.1/a", roles: [detect, record, sound]}]}
    motion:
      mask: ["0,0,640,0,640,40", "0,0,0.5,0.5,1,1", "a,b,c", "0,0,1,0", 5]
"""
    result = import_cameras(text, "f.yml")
    assert [str(w) for w in result.warnings] == [
        "f.yml: warning: cameras.gate.ffmpeg.inputs[0]: unknown role 'sound': ignored",
        "f.yml: warning: cameras.gate.motion.mask[0]: in pixels, and detect.width and "
        "detect.height are not given: mask not imported",
        "f.yml: warning: cameras.gate.motion.mask[1]: its points lie on one line: mask not "
        "imported",
        "f.yml: warning: cameras.gate.motion.mask[2]: not a list of coordinates: mask not "
        "imported",
        "f.yml: warning: cameras.gate.motion.mask[3]: fewer than 3 points: mask not imported",
        "f.yml: warning: cameras.gate.motion.mask[4]: not a list of coordinates: mask not "
        "imported",
    ]
    camera = parse_registry(result.text).cameras[0]
    assert camera.motion.masks == () and camera.url == "rtsp://10.0.0.1/a"


_IMPORT_FUZZ = settings(max_examples=150, deadline=timedelta(seconds=2), database=None,
                        suppress_health_check=[HealthCheck.too_slow])
_JUNK = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.lists(
    st.integers(), max_size=2)
_GOOD_URLS = st.sampled_from([
    "rtsp://h/a", "rtsp://u:p@127.0.0.1:8554/x", "rtsp://127.0.0.1:8554/cam", "http://h:80/b",
    "ffmpeg:rtsp://h/c#video=h264", "rtsp://${V}@h/d", "rtsp://{FRIGATE_X}@h/e",
    "rtsps://u:pw@h/f#x", "rtsp://u:p%40@[fd00::9]:554/g",
])
_BAD_URLS = st.sampled_from([
    "ffmpeg:x#audio=opus", "rtsp://u:pass word@h/a", "http://[::1/a", "rtsp://h:99999/a",
    "tapo://x", "rtsp:///nohost", "rtmp://h/g", "", "  ",
]) | st.text(max_size=20)
_URLS = st.one_of(_GOOD_URLS, _GOOD_URLS, _BAD_URLS)
_NAMES = st.text(max_size=10) | st.sampled_from(["cam", "cam_sub", "Cam", "a-sub", "x.y", "y",
                                                 "no", "101", "null", "~"])
_INPUT = st.fixed_dictionaries({"path": _URLS}, optional={
    "roles": st.lists(st.sampled_from(["detect", "record", "audio", "rtmp", "x"]), max_size=3)
    | _JUNK})
_FRIGATE_CAMERA = st.fixed_dictionaries({
    "ffmpeg": st.fixed_dictionaries({"inputs": st.lists(_INPUT, max_size=3)})
    | st.fixed_dictionaries({"inputs": st.lists(_INPUT | _JUNK, max_size=3)}) | _JUNK,
}, optional={
    "enabled": _JUNK,
    "friendly_name": _JUNK,
    "detect": st.fixed_dictionaries({"width": _JUNK | st.integers(1, 4000),
                                     "height": _JUNK | st.integers(1, 4000)}) | _JUNK,
    "motion": st.fixed_dictionaries({"mask": st.lists(
        st.sampled_from(["0,0,1,0,1,1", "0,0,640,0,640,360", "1,1,1,1,1,1", "-1,0,1,0,1,1"])
        | _JUNK, max_size=3) | _JUNK}) | _JUNK,
    "zones": _JUNK,
})
_STREAMS = st.dictionaries(_NAMES, _URLS | st.lists(_URLS, max_size=3) | _JUNK, min_size=1,
                           max_size=5)
_CONFIGS = st.one_of(
    st.fixed_dictionaries(
        {"cameras": st.dictionaries(_NAMES, _FRIGATE_CAMERA, min_size=1, max_size=4)},
        optional={"go2rtc": st.fixed_dictionaries({"streams": _STREAMS}),
                  "camera_groups": _JUNK},
    ),
    st.fixed_dictionaries({"streams": _STREAMS}, optional={
        "rtsp": st.fixed_dictionaries({"listen": _JUNK | st.sampled_from([":8555", "x:0"])})}),
    _JUNK,
)


@_IMPORT_FUZZ
@given(_CONFIGS, st.sampled_from([None, "10.1.1.1", "fd00::1"]))
def test_fuzz_import_gives_a_valid_registry_or_a_config_error(
    config: Any, host: str | None
) -> None:
    try:
        result = import_cameras(yaml.safe_dump(config, allow_unicode=True), "fuzz.yml",
                                host=host)
    except ConfigError as exc:
        assert exc.issues
    else:
        check = check_registry(result.text, environ={})
        assert check.registry is not None, [str(i) for i in check.errors]
        assert len(check.registry.cameras) == len(result.cameras)


# -- the commands ---------------------------------------------------------------------------------


def test_import_command_prints_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cameras", "import", str(FRIGATE)]) == 0
    out, err = capsys.readouterr()
    assert out == FRIGATE_YAML
    assert err.splitlines()[-1] == f"{FRIGATE}: imported 3 cameras, 6 warnings"
    assert len(err.splitlines()) == 7
    _no_password_in(out, err)


def test_import_command_writes_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cameras.yaml"
    args = ["cameras", "import", str(GO2RTC), "--out", str(out), "--host", "10.20.0.2",
            "--site", "mall-a", "--site-name", "Mall A", "--agency", "mall"]
    assert main(args) == 0
    assert capsys.readouterr() == ("", f"{GO2RTC}: imported 6 cameras to {out}\n")
    assert main(["cameras", "validate", str(out)]) == 0
    assert capsys.readouterr().out == f"{out}: valid: 6 cameras, 1 site, 1 agency\n"
    # an existing file is kept unless --force
    assert main(args) == 1
    assert capsys.readouterr().err == (f"videowall: {out} exists: give another name, or --force "
                                       "to overwrite it\n")
    assert main([*args, "--force", "--format", "go2rtc"]) == 0
    assert list(tmp_path.iterdir()) == [out]


def test_import_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cameras", "import", str(tmp_path / "nope.yml")]) == 2
    assert capsys.readouterr().err == (f"{tmp_path / 'nope.yml'}: cannot read the file: No such "
                                       "file or directory\n")
    other = tmp_path / "other.yml"
    other.write_text("mqtt: {}\n")
    assert main(["cameras", "import", str(other)]) == 1
    assert capsys.readouterr().err == (f"{other}: neither a Frigate config (cameras with ffmpeg "
                                       "inputs) nor a go2rtc config (streams)\n")
    assert main(["cameras", "import", str(GO2RTC), "--format", "frigate"]) == 1
    assert main(["cameras", "import", str(GO2RTC), "--format", "zoneminder"]) == 2
