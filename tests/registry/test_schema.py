"""The JSON Schema for editors: current on disk, and in agreement with the loader."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from videowall.registry.loader import TOP_KEYS, check_registry
from videowall.registry.model import BACKENDS, PRIORITY_DEFAULT, WEEKDAYS, MotionConfig
from videowall.registry.schema import COMMITTED_PATH, main, registry_schema, schema_json
from videowall.registry.sections.agencies import AGENCY_KEYS
from videowall.registry.sections.cameras import CAMERA_KEYS, CAMERA_REQUIRED
from videowall.registry.sections.credentials import CREDENTIALS_KEYS
from videowall.registry.sections.motion import MOTION_KEYS
from videowall.registry.sections.schedule import SCHEDULE_KEYS
from videowall.registry.sections.sites import LOCATION_KEYS, SITE_KEYS
from videowall.registry.sections.streams import STREAMS_KEYS

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = Path(__file__).parent.parent / "data"
SCHEMA = registry_schema()
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def _schema_errors(document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in VALIDATOR.iter_errors(document)]


def test_the_committed_schema_is_current() -> None:
    committed = ROOT / COMMITTED_PATH
    assert committed.read_text(encoding="utf-8") == schema_json(), (
        "resources/cameras.schema.json is out of date: run "
        "python -m videowall.registry.schema resources/cameras.schema.json"
    )


def test_it_is_a_draft7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert json.loads(schema_json()) == SCHEMA


def test_the_demo_registry_names_the_schema() -> None:
    demo = ROOT / "config" / "cameras.yaml"
    modeline = demo.read_text(encoding="utf-8").splitlines()[0]
    assert modeline == "# yaml-language-server: $schema=../resources/cameras.schema.json"
    assert (demo.parent / "../resources/cameras.schema.json").resolve() == ROOT / COMMITTED_PATH


def test_keys_are_the_loaders() -> None:
    definitions = SCHEMA["definitions"]
    assert tuple(SCHEMA["properties"]) == TOP_KEYS
    for name, keys in [("camera", CAMERA_KEYS), ("streams", STREAMS_KEYS),
                       ("credentials", CREDENTIALS_KEYS), ("location", LOCATION_KEYS),
                       ("motion", MOTION_KEYS), ("window", SCHEDULE_KEYS),
                       ("site", SITE_KEYS), ("agency", AGENCY_KEYS)]:
        definition = definitions[name]
        assert tuple(definition["properties"]) == keys, name
        assert definition["additionalProperties"] is False, name
    assert definitions["camera"]["required"] == list(CAMERA_REQUIRED)


def test_defaults_are_the_loaders() -> None:
    camera = SCHEMA["definitions"]["camera"]["properties"]
    motion = SCHEMA["definitions"]["motion"]["properties"]
    defaults = MotionConfig()
    assert camera["priority"]["default"] == PRIORITY_DEFAULT
    assert camera["backend"]["enum"] == [*BACKENDS, None]
    assert motion["enabled"]["default"] is defaults.enabled
    assert motion["sensitivity"]["default"] == defaults.sensitivity
    assert motion["min_area"]["default"] == defaults.min_area
    days = SCHEMA["definitions"]["window"]["properties"]["days"]
    assert days["default"] == list(WEEKDAYS)


@pytest.mark.parametrize("path", [DATA / "valid.yaml", DATA / "full.yaml",
                                  ROOT / "config" / "cameras.yaml"])
def test_valid_registries_pass(path: Path) -> None:
    assert _schema_errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


#: Broken files whose mistakes only the loader can see.
_LOADER_ONLY = {
    "duplicate_id.yaml": "ids are unique across list items",
    "duplicate_key.yaml": "a parsed document has no duplicate keys left",
    "unknown_agency.yaml": "references between sections",
    "unknown_site.yaml": "references between sections",
}


def _broken_documents() -> list[tuple[str, Any]]:
    documents = []
    for path in sorted((DATA / "broken").glob("*.yaml")):
        try:
            documents.append((path.name, yaml.safe_load(path.read_bytes())))
        except yaml.YAMLError:
            continue  # the editor shows YAML syntax errors by itself
    return documents


@pytest.mark.parametrize(("name", "document"), _broken_documents())
def test_broken_files_fail_the_schema_too(name: str, document: Any) -> None:
    if name in _LOADER_ONLY:
        assert _schema_errors(document) == [], name
    else:
        assert _schema_errors(document), f"{name}: the schema accepts what the loader rejects"


def test_the_schema_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    from videowall.cli.app import main as videowall

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        assert videowall(["cameras", "schema"]) == 0
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    out, err = capsys.readouterr()
    assert (out, err) == (schema_json(), "")


def test_main_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "cameras.schema.json"
    assert main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == schema_json()
    assert main([]) == 0
    assert capsys.readouterr().out == f"{out}\n{schema_json()}"
    assert main(["a", "b"]) == 2


# -- loader and schema agree on single cameras -------------------------------------------------

# Good and bad values of each key, all of a kind both can judge (no references between
# sections, no environment, no duplicates).
_POOLS: dict[str, tuple[list[Any], list[Any]]] = {
    "id": (["cam-1", "x_9"], ["Cam 1", 5, ""]),
    "name": (["Gate", "Kamera – Utara"], ["", "  ", 7, None]),
    "site": (["depot"], ["Depot!", None]),
    "agency": (["transport", None], ["Bad Agency", 3]),
    "url": (["rtsp://10.0.0.1/a", "RTSP://h:8554/a", "http://h/a.ts", "https://h/x"],
            ["rtps://h/a", "10.0.0.1/a", None, 5, "rtsp://h/a b"]),
    "streams": ([{"main": "rtsp://h/m"}, {"main": "rtsp://h/m", "sub": None},
                 {"main": "rtsp://h/m", "sub": "http://h/s"}],
                [{"sub": "rtsp://h/s"}, "rtsp://h/m", {"main": "rtsp://h/m", "extra": 1}, None]),
    "backend": (["auto", "vlc", None], ["VLC", 3]),
    "enabled": ([True, False, None], ["yes", 1]),
    "location": ([{"lat": 1, "lon": 2}, None, {"lat": -90, "lon": 180.0}],
                 [{"lat": 91, "lon": 0}, {"lat": 1}, "here", {"lat": 1, "lon": 2, "alt": 3}]),
    "heading": ([0, 360, 90.5, None], [361, -1, "north"]),
    "tags": ([[], ["a"], None], [["a", 1], [""], "a"]),
    "priority": ([1, 5, None], [0, 6, 2.5, True, "1"]),
    "credentials": ([{"username": "u", "password": "${P}"}, None,
                     {"username": "${U}", "password": "${P}"}],
                    [{"username": "u", "password": "pw"}, {"username": "u"},
                     {"username": "", "password": "${P}"},
                     {"username": "u", "password": "${P}", "extra": 1},
                     {"username": "u", "password": " ${P}"}]),
    "motion": (
        [{}, None, {"enabled": False}, {"sensitivity": 0.25, "min_area": 0},
         {"zones": [[[0, 0], [1, 0], [1, 1]]]}, {"masks": None, "zones": []},
         {"schedule": [{"from": "08:00", "to": "18:00"}]},
         {"schedule": [{"days": ["mon", "sun"], "from": "8:00", "to": "24:00"}]},
         {"zones": [{"name": "door", "polygon": [[0, 0], [1, 0], [1, 1]]},
                    {"name": "north", "kind": "lane", "polygon": [[0, 0], [1, 0], [0, 1]]},
                    [[0, 0], [1, 0], [1, 1]]]}],
        ["on", {"enabled": "no way"}, {"sensitivity": 2}, {"min_area": -0.5},
         {"zones": [[[0, 0], [1, 0]]]}, {"zones": [[[0, 0], [1, 0], [1, 1, 1]]]},
         {"masks": [[[0, 0], [2, 0], [1, 1]]]}, {"zone": []},
         {"schedule": [{"from": "08:00"}]},
         {"schedule": [{"days": ["monday"], "from": "08:00", "to": "09:00"}]},
         {"schedule": [{"days": [], "from": "08:00", "to": "09:00"}]},
         {"schedule": [{"from": "24:00", "to": "01:00"}]},
         {"schedule": [{"from": "07:60", "to": "01:00"}]},
         {"schedule": {"from": "08:00", "to": "09:00"}},
         {"zones": [{"name": "door"}]}, {"zones": [{"polygon": [[0, 0], [1, 0], [1, 1]]}]},
         {"zones": [{"name": "a", "kind": "queue", "polygon": [[0, 0], [1, 0], [1, 1]]}]},
         {"zones": [{"name": "a", "polygon": [[0, 0], [1, 0], [1, 1]], "colour": 1}]}],
    ),
    "alerts": ([True, False, None], ["no", 0, "false"]),
    "watch": ([True, False, None], ["no", 0]),
    "nmae": ([], ["typo"]),
}


_BASE = {"id": "cam-1", "name": "Gate", "site": "depot", "url": "rtsp://10.0.0.1/a"}


def _judge(camera: dict[str, Any]) -> tuple[bool, bool, str]:
    """(loader accepts, schema accepts, both sets of complaints)."""
    text = yaml.safe_dump({"cameras": [camera]}, allow_unicode=True)
    check = check_registry(text, "agree.yaml", environ={})
    schema_errors = _schema_errors({"cameras": [camera]})
    why = f"loader: {[str(i) for i in check.errors]}\nschema: {schema_errors}"
    return check.registry is not None, not schema_errors, why


def _one_value_cases() -> list[tuple[str, Any, bool]]:
    return [(key, value, ok) for key, (good, bad) in _POOLS.items()
            for ok, values in ((True, good), (False, bad)) for value in values]


@pytest.mark.parametrize(("key", "value", "good"), _one_value_cases())
def test_loader_and_schema_agree_on_each_value(key: str, value: Any, good: bool) -> None:
    camera = dict(_BASE)
    if key == "streams":
        del camera["url"]
    camera[key] = value
    loader_ok, schema_ok, why = _judge(camera)
    assert (loader_ok, schema_ok) == (good, good), why


@pytest.mark.parametrize("streams", ["both", "neither"])
def test_url_or_streams_but_not_both(streams: str) -> None:
    camera = dict(_BASE)
    if streams == "both":
        camera["streams"] = {"main": "rtsp://h/m"}
    else:
        del camera["url"]
    assert _judge(camera)[:2] == (False, False)


@st.composite
def _good_camera(draw: st.DrawFn) -> dict[str, Any]:
    """A camera with any mix of good values of the optional keys."""
    camera = dict(_BASE)
    if draw(st.booleans()):
        del camera["url"]
        camera["streams"] = draw(st.sampled_from(_POOLS["streams"][0]))
    for key, (good, _) in _POOLS.items():
        if key not in ("url", "streams") and good and draw(st.booleans()):
            camera[key] = draw(st.sampled_from(good))
    return camera


@settings(max_examples=100, deadline=timedelta(seconds=2), database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_good_camera())
def test_loader_and_schema_accept_good_combinations(camera: dict[str, Any]) -> None:
    loader_ok, schema_ok, why = _judge(camera)
    assert loader_ok and schema_ok, why


@pytest.mark.parametrize(("name", "url", "valid"), [
    ("Mall Entrance", "rtsp://h/a", True),
    ("\x1b[31mRED\x1b[2J", "rtsp://h/a", False),
    ("line1\nFAKE: cam2 LIVE", "rtsp://h/a", False),
    ("x" * 200, "rtsp://h/a", True),
    ("x" * 201, "rtsp://h/a", False),
    ("Mall Entrance", "rtsp://h/" + "a" * 4087, True),  # 4,096 characters
    ("Mall Entrance", "rtsp://h/" + "a" * 4088, False),
])
def test_the_schema_says_what_the_checker_says_of_text(name: str, url: str, valid: bool) -> None:
    """Editors refuse what the checker refuses: control characters and over-long text."""
    import jsonschema

    doc = {"sites": {"s": {"name": "S"}},
           "cameras": [{"id": "a", "name": name, "site": "s", "url": url}]}
    errors = list(jsonschema.Draft7Validator(registry_schema()).iter_errors(doc))
    assert (not errors) is valid
    text = yaml.safe_dump(doc, allow_unicode=False)
    assert (check_registry(text, "reg.yaml", environ={}).registry is not None) is valid
