"""Zones by name and kind, lanes of traffic cameras, ``watch``, and the wall's ``motion``
section: what the loader makes of them, and what the schema says."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from videowall.registry.loader import check_registry
from videowall.registry.model import WHOLE_FRAME, MotionConfig, Zone
from videowall.registry.motion import MotionSettings
from videowall.registry.schema import registry_schema
from videowall.registry.sections.zones import ZONE_KEYS
from videowall.registry.settings import MOTION_SECTION_SETTINGS, Number

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = registry_schema()
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
TRIANGLE = [[0, 0], [1, 0], [1, 1]]
BASE = {"id": "a", "name": "A", "site": "s", "url": "rtsp://10.0.0.1/a"}


def _load(document: dict[str, Any]) -> Any:
    check = check_registry(yaml.safe_dump(document), "inline.yaml", environ={})
    assert check.registry is not None, [str(i) for i in check.errors]
    assert not list(VALIDATOR.iter_errors(document))
    return check.registry


def _motion(camera: dict[str, Any]) -> MotionConfig:
    motion: MotionConfig = _load({"cameras": [dict(BASE, **camera)]}).cameras[0].motion
    return motion


def test_plain_zones_are_numbered_by_their_place_and_mappings_keep_their_names() -> None:
    motion = _motion({"motion": {"zones": [
        TRIANGLE, {"name": "door", "polygon": TRIANGLE},
        {"name": "north", "kind": "lane", "polygon": TRIANGLE}, TRIANGLE,
    ]}})
    triangle = ((0, 0), (1, 0), (1, 1))
    assert motion.zones == (Zone("zone1", triangle), Zone("door", triangle),
                            Zone("north", triangle, "lane"), Zone("zone4", triangle))
    assert [z.name for z in motion.motion_zones] == ["zone1", "door", "zone4"]
    assert [z.name for z in motion.lanes] == ["north"]


def test_a_traffic_camera_s_plain_zones_are_lanes() -> None:
    motion = _motion({"tags": ["traffic"], "motion": {"zones": [
        TRIANGLE, {"name": "door", "polygon": TRIANGLE},
    ]}})
    assert [(z.name, z.kind) for z in motion.zones] == [("lane1", "lane"), ("door", "zone")]


@pytest.mark.parametrize("block", [{}, {"zones": []}, {"zones": None}])
def test_a_traffic_camera_without_zones_watches_the_whole_road(block: dict[str, Any]) -> None:
    assert _motion({"tags": ["junction", "traffic"], "motion": block}).zones == (
        Zone("road", WHOLE_FRAME, "lane"),)
    assert _motion({"motion": block}).zones == ()


def test_watch_defaults_to_true() -> None:
    registry = _load({"cameras": [BASE, dict(BASE, id="b", url="rtsp://10.0.0.1/b",
                                             watch=False)]})
    assert [c.watch for c in registry.cameras] == [True, False]


def test_the_motion_section_gives_its_settings_over_the_defaults() -> None:
    registry = _load({"cameras": [BASE], "motion": {
        "analysis_fps": 2, "analysis_lines": 180, "congestion_after_s": 30}})
    assert registry.motion == MotionSettings(analysis_fps=2, analysis_lines=180,
                                             congestion_after_s=30)
    assert type(registry.motion.analysis_lines) is int
    assert registry.motion.interval_s == 0.5
    assert _load({"cameras": [BASE]}).motion == MotionSettings()
    assert _load({"cameras": [BASE], "motion": None}).motion == MotionSettings()


def test_the_motion_section_is_declared_once() -> None:
    defaults = {f.name: f.default for f in dataclasses.fields(MotionSettings)}
    assert [s.key for s in MOTION_SECTION_SETTINGS] == list(defaults)
    schema = SCHEMA["definitions"]["motion_section"]
    assert tuple(schema["properties"]) == tuple(defaults)
    assert schema["additionalProperties"] is False
    for setting in MOTION_SECTION_SETTINGS:
        assert isinstance(setting, Number)
        assert setting.low <= setting.default <= setting.high, setting.key
        assert defaults[setting.key] == setting.default, setting.key
        assert type(defaults[setting.key]) is (int if setting.whole else float), setting.key
        spec = schema["properties"][setting.key]
        assert (spec["minimum"], spec["maximum"], spec["default"], spec["description"]) == (
            setting.low, setting.high, setting.default, setting.help)


def test_the_zone_schema_has_the_loader_s_keys() -> None:
    zone = SCHEMA["definitions"]["zone"]
    assert tuple(zone["properties"]) == ZONE_KEYS
    assert zone["required"] == ["name", "polygon"]


@pytest.mark.parametrize(("section", "good"), [
    ({"analysis_fps": 25}, True), ({"watch_max_cameras": 0}, True), ({}, True),
    ({"analysis_fps": 0.1}, False), ({"analysis_lines": 144.5}, False),
    ({"learn": 10}, False), ([1], False), ({"lighting_change": "half"}, False),
])
def test_loader_and_schema_agree_on_the_section(section: Any, good: bool) -> None:
    document = {"cameras": [BASE], "motion": section}
    check = check_registry(yaml.safe_dump(document), "agree.yaml", environ={})
    errors = list(VALIDATOR.iter_errors(document))
    assert (check.registry is not None, not errors) == (good, good), (
        [str(i) for i in check.errors], [e.message for e in errors])


def test_congestion_is_an_alert_kind() -> None:
    registry = _load({"cameras": [BASE], "alerts": {"kinds": {"congestion": {"grace_s": 5}}}})
    assert registry.alerts.rule("congestion").grace_s == 5


def test_the_readme_shows_the_defaults() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)
              if b.startswith("motion:")]
    assert len(blocks) == 1
    document = {"cameras": [BASE], **yaml.safe_load(blocks[0])}
    assert _load(document).motion == MotionSettings()
    assert list(document["motion"]) == [s.key for s in MOTION_SECTION_SETTINGS]
