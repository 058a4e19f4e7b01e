"""The settings table: the one declaration the model, the checker and the schema share."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from videowall.registry.health import HEALTH_INTEGERS, HEALTH_LIMITS, HealthConfig
from videowall.registry.loader import check_registry
from videowall.registry.model import Camera, Location, MotionConfig
from videowall.registry.schema import registry_schema
from videowall.registry.settings import (
    BACKEND,
    CAMERA_SETTINGS,
    HEADING,
    HEALTH_ORDER,
    HEALTH_SETTINGS,
    LAT,
    LON,
    MOTION_SETTINGS,
    PRIORITY,
    Number,
    Setting,
)

SCHEMA = registry_schema()["definitions"]
CAMERA = "cameras:\n  - {id: a, name: A, site: s, url: 'http://127.0.0.1/a', %s}\n"


def _defaults(cls: type) -> dict[str, Any]:
    return {f.name: f.default for f in dataclasses.fields(cls)}


def _errors(text: str) -> list[str]:
    return [i.message for i in check_registry(text, "inline.yaml", environ={}).errors]


@pytest.mark.parametrize("setting", CAMERA_SETTINGS, ids=lambda s: s.key)
def test_camera_defaults_are_the_tables(setting: Setting[Any]) -> None:
    assert _defaults(Camera)[setting.key] == setting.default


@pytest.mark.parametrize("setting", MOTION_SETTINGS, ids=lambda s: s.key)
def test_motion_defaults_are_the_tables(setting: Setting[Any]) -> None:
    assert _defaults(MotionConfig)[setting.key] == setting.default


def test_health_settings_are_the_fields_of_health_config() -> None:
    defaults = _defaults(HealthConfig)
    assert [s.key for s in HEALTH_SETTINGS] == list(defaults)
    for setting in HEALTH_SETTINGS:
        assert defaults[setting.key] == setting.default, setting.key
        assert type(defaults[setting.key]) is (int if setting.whole else float), setting.key
    assert {s.key: (s.low, s.high) for s in HEALTH_SETTINGS} == HEALTH_LIMITS
    assert {s.key for s in HEALTH_SETTINGS if s.whole} == HEALTH_INTEGERS


def test_the_health_defaults_are_in_range_and_in_order() -> None:
    for setting in HEALTH_SETTINGS:
        assert setting.low <= setting.default <= setting.high, setting.key
    defaults = HealthConfig()
    for small, large in HEALTH_ORDER:
        assert getattr(defaults, small) <= getattr(defaults, large)


def _schema_of(setting: Setting[Any]) -> dict[str, Any]:
    """The schema of a setting without its ``anyOf``/null wrapping."""
    for section in ("camera", "motion", "health", "location"):
        spec = SCHEMA[section]["properties"].get(setting.key)
        if spec is not None and spec.get("description") == setting.help:
            return spec
    raise LookupError(setting.key)


@pytest.mark.parametrize("setting", [*CAMERA_SETTINGS, *MOTION_SETTINGS, *HEALTH_SETTINGS,
                                     LAT, LON], ids=lambda s: s.key)
def test_the_schema_says_what_the_table_says(setting: Setting[Any]) -> None:
    spec = _schema_of(setting)
    assert spec.get("default") == setting.default
    if isinstance(setting, Number):
        assert (spec["minimum"], spec["maximum"]) == setting.range
        kind = "integer" if setting.whole else "number"
        assert spec["type"] in (kind, [kind, "null"])
    if setting is BACKEND:
        assert spec["enum"] == [*BACKEND.choices, None]


def _health_text(key: str, value: float) -> str:
    return f"cameras: []\nhealth:\n  {key}: {value!r}\n"


@pytest.mark.parametrize("setting", HEALTH_SETTINGS, ids=lambda s: s.key)
def test_the_checker_takes_the_health_range_of_the_table(setting: Number[float]) -> None:
    low, high = setting.range
    for value in (low, high):
        errors = [e for e in _errors(_health_text(setting.key, value))
                  if "is more than" not in e]  # the other of the pair is its default
        assert errors == [], (setting.key, value)
    for value in (low - 0.5, high + 0.5):
        assert _errors(_health_text(setting.key, value)) == [
            f"must be between {low:g} and {high:g}, found {value!r}"
        ]


@pytest.mark.parametrize("setting", [HEADING, PRIORITY], ids=lambda s: s.key)
def test_the_checker_takes_the_camera_range_of_the_table(setting: Number[Any]) -> None:
    low, high = setting.range
    for value in (low, high):
        assert _errors(CAMERA % f"{setting.key}: {value!r}") == []
    outside = _errors(CAMERA % f"{setting.key}: {high + 1!r}")
    assert len(outside) == 1
    assert f"{low:g}" in outside[0] and f"{high:g}" in outside[0]


def test_the_checker_takes_the_backend_choices_of_the_table() -> None:
    for choice in BACKEND.choices:
        assert _errors(CAMERA % f"backend: {choice}") == []
    assert _errors(CAMERA % "backend: gstreamer") == [
        f"'gstreamer' is not one of {', '.join(BACKEND.choices)}"
    ]


def test_the_checker_takes_the_location_range_of_the_table() -> None:
    for lat, lon in ((LAT.low, LON.low), (LAT.high, LON.high)):
        text = CAMERA % f"location: {{lat: {lat!r}, lon: {lon!r}}}"
        registry = check_registry(text, "inline.yaml", environ={}).registry
        assert registry is not None and registry.cameras[0].location == Location(lat, lon)
    assert _errors(CAMERA % f"location: {{lat: {LAT.high + 1!r}, lon: 0}}") == [
        f"must be between {LAT.low:g} and {LAT.high:g}, found {LAT.high + 1!r}"
    ]
