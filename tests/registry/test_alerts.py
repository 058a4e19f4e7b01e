"""The ``alerts`` section and the ``alerts`` flag of cameras and agencies: declared once,
checked with lines and did-you-mean, built into :class:`AlertRules`, described by the
schema."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from videowall.registry.alerts import (
    KIND_FIELDS,
    AlertRules,
    KindRule,
    default_rule,
)
from videowall.registry.loader import check_registry
from videowall.registry.schema import registry_schema
from videowall.registry.sections.alerts import ALERTS_KEYS, KIND_KEYS
from videowall.registry.settings import (
    ALERT_KINDS,
    ALERTS_ON,
    ALERTS_SETTINGS,
    HEALTH_KINDS,
    KIND_SETTINGS,
    Flag,
    Number,
    Setting,
)

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = registry_schema()
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
CAMERAS = "cameras:\n  - {id: a, name: A, site: s, url: 'http://127.0.0.1/a'}\n"


def _check(text: str) -> tuple[AlertRules | None, list[str]]:
    check = check_registry(text, "alerts.yaml", environ={})
    rules = check.registry.alerts if check.registry is not None else None
    return rules, [str(issue) for issue in check.issues]


def _rules(section: str) -> AlertRules:
    rules, issues = _check(CAMERAS + section)
    assert issues == []
    assert rules is not None
    return rules


# -- a good file ----------------------------------------------------------------------------


def test_a_good_section_gives_its_rules_over_the_defaults() -> None:
    rules = _rules(
        "alerts:\n"
        "  group_window_s: 2.5\n"
        "  resolve_after_s: 30\n"
        "  ack_resolved_up_to: 1\n"
        "  sound: false\n"
        "  sound_repeat: true\n"
        "  dwell_s: 4\n"
        "  return_after_s: 0\n"
        "  kinds:\n"
        "    stalled: {grace_s: 1.5, priority_offset: 1}\n"
        "    offline: {raise: true, sound: false, priority_offset: -1}\n"
        "    motion: {raise: false}\n"
        "    frozen:\n"
    )
    assert rules == AlertRules(
        group_window_s=2.5, resolve_after_s=30.0, ack_resolved_up_to=1, sound=False,
        sound_repeat=True, dwell_s=4.0, return_after_s=0.0,
        kinds={
            "offline": KindRule(priority_offset=-1, grace_s=0.0, raises=True, sound=False),
            "unauthorized": KindRule(grace_s=0.0),
            "stalled": KindRule(priority_offset=1, grace_s=1.5),
            "frozen": KindRule(grace_s=5.0),
            "motion": KindRule(raises=False),
            "congestion": KindRule(),
        },
    )
    assert type(rules.ack_resolved_up_to) is int
    assert type(rules.kinds["stalled"].priority_offset) is int
    assert type(rules.resolve_after_s) is float


def test_the_shape_of_the_issue_parses() -> None:
    rules = _rules(
        "alerts:\n"
        "  group_window_s: 5\n"
        "  resolve_after_s: 10\n"
        "  kinds:\n"
        "    stalled: {grace_s: 3, priority_offset: 1}\n"
        "    offline: {raise: true, sound: true}\n"
    )
    assert rules.rule("stalled") == KindRule(priority_offset=1, grace_s=3.0)
    assert rules.rule("offline") == KindRule()
    assert dataclasses.replace(rules, kinds=AlertRules().kinds) == AlertRules()


@pytest.mark.parametrize("section", ["", "alerts:\n", "alerts: {}\n", "alerts: {kinds: }\n",
                                     "alerts: {kinds: {}}\n"])
def test_no_section_or_an_empty_one_gives_the_defaults(section: str) -> None:
    assert _rules(section) == AlertRules()


def test_a_kind_with_nothing_keeps_its_defaults() -> None:
    assert _rules("alerts:\n  kinds:\n    stalled:\n").rule("stalled") == default_rule("stalled")


def test_a_merge_key_works_in_the_section_as_anywhere() -> None:
    rules = _rules(
        "x-quiet: &quiet {raise: false, sound: false}\n"
        "alerts:\n"
        "  kinds:\n"
        "    stalled: {<<: *quiet, grace_s: 2}\n"
        "    frozen: *quiet\n"
    )
    assert rules.rule("stalled") == KindRule(grace_s=2.0, raises=False, sound=False)
    assert rules.rule("frozen") == KindRule(grace_s=5.0, raises=False, sound=False)


# -- every mistake, with its line -----------------------------------------------------------

_ERRORS = [
    ("alerts: 5\n",
     "alerts.yaml:3: alerts: expected a mapping of alert settings, found integer 5"),
    ("alerts:\n  group_windw_s: 3\n",
     "alerts.yaml:4: alerts: unknown key 'group_windw_s' (did you mean 'group_window_s'?)"),
    ("alerts:\n  volume: 3\n",
     "alerts.yaml:4: alerts: unknown key 'volume' (expected one of group_window_s, "
     "resolve_after_s, ack_resolved_up_to, sound, sound_repeat, dwell_s, return_after_s, "
     "kinds)"),
    ("alerts:\n  group_window_s: 0\n",
     "alerts.yaml:4: alerts.group_window_s: must be between 0.1 and 600, found 0"),
    ("alerts:\n  resolve_after_s: ten\n",
     "alerts.yaml:4: alerts.resolve_after_s: expected a number, found string 'ten'"),
    ("alerts:\n  ack_resolved_up_to: 6\n",
     "alerts.yaml:4: alerts.ack_resolved_up_to: must be between 1 and 5, found 6"),
    ("alerts:\n  ack_resolved_up_to: 1.5\n",
     "alerts.yaml:4: alerts.ack_resolved_up_to: expected a whole number, found 1.5"),
    ("alerts:\n  sound: 1\n",
     "alerts.yaml:4: alerts.sound: expected true or false, found integer 1"),
    ("alerts:\n  sound_repeat: 'yes'\n",
     "alerts.yaml:4: alerts.sound_repeat: expected true or false, found string 'yes'"),
    ("alerts:\n  dwell_s: 0.5\n",
     "alerts.yaml:4: alerts.dwell_s: must be between 1 and 3600, found 0.5"),
    ("alerts:\n  return_after_s: -1\n",
     "alerts.yaml:4: alerts.return_after_s: must be between 0 and 86400, found -1"),
    ("alerts:\n  kinds: [offline]\n",
     "alerts.yaml:4: alerts.kinds: expected a mapping of alert kinds (offline, unauthorized, "
     "stalled, frozen, motion, congestion), found a list"),
    ("alerts:\n  kinds:\n    ofline: {}\n",
     "alerts.yaml:5: alerts.kinds: unknown alert kind 'ofline' (did you mean 'offline'?)"),
    ("alerts:\n  kinds:\n    moton: {}\n",
     "alerts.yaml:5: alerts.kinds: unknown alert kind 'moton' (did you mean 'motion'?)"),
    ("alerts:\n  kinds:\n    smoke: {}\n",
     "alerts.yaml:5: alerts.kinds: unknown alert kind 'smoke' (expected one of offline, "
     "unauthorized, stalled, frozen, motion, congestion)"),
    ("alerts:\n  kinds:\n    frozen: true\n",
     "alerts.yaml:5: alerts.kinds.frozen: expected a mapping with priority_offset, grace_s, "
     "raise, sound, found boolean true"),
    ("alerts:\n  kinds:\n    offline: {rise: true}\n",
     "alerts.yaml:5: alerts.kinds.offline: unknown key 'rise' (did you mean 'raise'?)"),
    ("alerts:\n  kinds:\n    offline: {raises: true}\n",
     "alerts.yaml:5: alerts.kinds.offline: unknown key 'raises' (did you mean 'raise'?)"),
    ("alerts:\n  kinds:\n    stalled: {priority_offset: 5}\n",
     "alerts.yaml:5: alerts.kinds.stalled.priority_offset: must be between -4 and 4, found 5"),
    ("alerts:\n  kinds:\n    stalled: {priority_offset: -0.5}\n",
     "alerts.yaml:5: alerts.kinds.stalled.priority_offset: expected a whole number, "
     "found -0.5"),
    ("alerts:\n  kinds:\n    stalled:\n      grace_s: -1\n",
     "alerts.yaml:6: alerts.kinds.stalled.grace_s: must be between 0 and 3600, found -1"),
    ("alerts:\n  kinds:\n    unauthorized: {raise: on_call}\n",
     "alerts.yaml:5: alerts.kinds.unauthorized.raise: expected true or false, "
     "found string 'on_call'"),
    ("alerts:\n  kinds:\n    motion: {sound: null}\n",
     "alerts.yaml:5: alerts.kinds.motion.sound: expected true or false, found null"),
    ("alerts:\n  kinds:\n    stalled: {grace_s: 1}\n    stalled: {grace_s: 2}\n",
     "alerts.yaml:6: alerts.kinds: duplicate key 'stalled' (first at line 5)"),
]


@pytest.mark.parametrize(("section", "message"), _ERRORS, ids=[m for _, m in _ERRORS])
def test_each_mistake_is_reported_with_its_line(section: str, message: str) -> None:
    rules, issues = _check(CAMERAS + section)
    assert rules is None
    assert issues == [message]


def test_every_mistake_of_the_section_is_reported_at_once() -> None:
    rules, issues = _check(CAMERAS + "alerts:\n  sound: 2\n  kinds:\n    smoke: {}\n"
                                     "    stalled: {grace_s: -3}\n")
    assert rules is None
    assert [issue.split(": ")[1] for issue in issues] == [
        "alerts.sound", "alerts.kinds", "alerts.kinds.stalled.grace_s",
    ]


# -- the flag of cameras and agencies --------------------------------------------------------

_FLAGS = (
    "agencies:\n"
    "  police: {name: Police, alerts: false}\n"
    "  transport: {name: Transport, alerts: true}\n"
    "  water: {name: Water}\n"
    "cameras:\n"
    "  - {id: a, name: A, site: s, agency: police, url: 'http://127.0.0.1/a'}\n"
    "  - {id: b, name: B, site: s, url: 'http://127.0.0.1/b', alerts: false}\n"
    "  - {id: c, name: C, site: s, url: 'http://127.0.0.1/c', alerts: true}\n"
    "  - {id: d, name: D, site: s, url: 'http://127.0.0.1/d', alerts: }\n"
)


def test_cameras_and_agencies_take_the_alerts_flag() -> None:
    check = check_registry(_FLAGS, "flags.yaml", environ={})
    assert check.issues == ()
    registry = check.registry
    assert registry is not None
    assert {a.id: a.alerts for a in registry.agencies.values()} == {
        "police": False, "transport": True, "water": ALERTS_ON.default,
    }
    # the agency's flag stays the agency's: the engine reads both
    assert {c.id: c.alerts for c in registry.cameras} == {
        "a": ALERTS_ON.default, "b": False, "c": True, "d": ALERTS_ON.default,
    }


@pytest.mark.parametrize(("text", "message"), [
    (_FLAGS.replace("alerts: false}\n  transport", "alerts: 'no'}\n  transport"),
     "flags.yaml:2: agencies.police.alerts: expected true or false, found string 'no'"),
    (_FLAGS.replace("'http://127.0.0.1/b', alerts: false", "'http://127.0.0.1/b', alerts: 0"),
     "flags.yaml:7: cameras[1].alerts: expected true or false, found integer 0"),
    (_FLAGS.replace("'http://127.0.0.1/c', alerts: true", "'http://127.0.0.1/c', alert: true"),
     "flags.yaml:8: cameras[2]: unknown key 'alert' (did you mean 'alerts'?)"),
    (_FLAGS.replace("{name: Water}", "{name: Water, alert: false}"),
     "flags.yaml:4: agencies.water: unknown key 'alert' (did you mean 'alerts'?)"),
])
def test_a_wrong_flag_is_reported_with_its_line(text: str, message: str) -> None:
    check = check_registry(text, "flags.yaml", environ={})
    assert check.registry is None
    assert [str(issue) for issue in check.issues] == [message]


# -- one declaration ------------------------------------------------------------------------


def _defaults(cls: type) -> dict[str, Any]:
    return {f.name: f.default for f in dataclasses.fields(cls)}


def test_the_section_settings_are_the_fields_of_alert_rules() -> None:
    defaults = _defaults(AlertRules)
    assert [s.key for s in ALERTS_SETTINGS] == [name for name in defaults if name != "kinds"]
    assert (*(s.key for s in ALERTS_SETTINGS), "kinds") == ALERTS_KEYS
    for setting in ALERTS_SETTINGS:
        assert defaults[setting.key] == setting.default, setting.key
        kind = bool if isinstance(setting, Flag) else int if setting.whole else float
        assert type(defaults[setting.key]) is kind, setting.key


def test_the_kind_settings_are_the_fields_of_kind_rule() -> None:
    defaults = _defaults(KindRule)
    assert KIND_KEYS == ("priority_offset", "grace_s", "raise", "sound")
    assert dict(KIND_FIELDS) == {"priority_offset": "priority_offset", "grace_s": "grace_s",
                                 "raise": "raises", "sound": "sound"}
    assert list(KIND_FIELDS.values()) == list(defaults)
    for setting in KIND_SETTINGS:
        assert defaults[KIND_FIELDS[setting.key]] == setting.default, setting.key


def test_each_kind_has_its_own_grace_period() -> None:
    assert (*HEALTH_KINDS, "motion", "congestion") == ALERT_KINDS
    assert {kind: rule.grace_s for kind, rule in AlertRules().kinds.items()} == {
        "offline": 0.0, "unauthorized": 0.0, "stalled": 3.0, "frozen": 5.0, "motion": 0.0,
        "congestion": 0.0,
    }
    assert all(dataclasses.replace(rule, grace_s=0.0) == KindRule()
               for rule in AlertRules().kinds.values())
    # a kind the rules do not name (built in code, not from a file) keeps its defaults
    assert AlertRules(kinds={}).rule("frozen") == KindRule(grace_s=5.0)
    assert AlertRules(kinds={}).rule("tampered") == KindRule()


@pytest.mark.parametrize("setting", [*ALERTS_SETTINGS, *KIND_SETTINGS],
                         ids=lambda s: s.key)
def test_the_defaults_are_in_range(setting: Setting[Any]) -> None:
    if isinstance(setting, Number):
        assert setting.low <= setting.default <= setting.high


def _numbers() -> list[Any]:
    section = [pytest.param("alerts:\n  {key}: {value}\n", s, id=s.key)
               for s in ALERTS_SETTINGS if isinstance(s, Number)]
    kinds = [pytest.param("alerts:\n  kinds:\n    frozen: {{{key}: {value}}}\n", s,
                          id=f"kinds.{s.key}")
             for s in KIND_SETTINGS if isinstance(s, Number)]
    return section + kinds


@pytest.mark.parametrize(("template", "setting"), _numbers())
def test_the_checker_takes_the_range_of_the_table(template: str, setting: Number[Any]) -> None:
    low, high = setting.range
    for value in (low, high):
        _rules(template.format(key=setting.key, value=repr(value)))
    for value in (low - 1, high + 1):
        _, issues = _check(CAMERAS + template.format(key=setting.key, value=repr(value)))
        assert len(issues) == 1
        assert issues[0].endswith(f"must be between {low:g} and {high:g}, found {value!r}")


# -- the JSON Schema ------------------------------------------------------------------------


def _schema_errors(document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in VALIDATOR.iter_errors(document)]


def test_the_schema_describes_the_section_and_the_flags() -> None:
    definitions = SCHEMA["definitions"]
    alerts = definitions["alerts"]
    assert tuple(alerts["properties"]) == ALERTS_KEYS
    assert alerts["additionalProperties"] is False
    assert SCHEMA["properties"]["alerts"]["anyOf"][0] == {"$ref": "#/definitions/alerts"}
    for setting in ALERTS_SETTINGS:
        spec = alerts["properties"][setting.key]
        assert (spec["default"], spec["description"]) == (setting.default, setting.help)
        if isinstance(setting, Number):
            assert (spec["minimum"], spec["maximum"]) == setting.range
    kinds = alerts["properties"]["kinds"]
    assert tuple(kinds["properties"]) == ALERT_KINDS
    assert kinds["additionalProperties"] is False
    for kind in ALERT_KINDS:
        spec = kinds["properties"][kind]
        assert tuple(spec["properties"]) == KIND_KEYS
        rule = default_rule(kind)
        for setting in KIND_SETTINGS:
            prop = spec["properties"][setting.key]
            assert prop["default"] == getattr(rule, KIND_FIELDS[setting.key]), (kind, setting)
            assert prop["description"] == setting.help
    for record in ("camera", "agency"):
        flag = definitions[record]["properties"][ALERTS_ON.key]
        assert flag["type"] == ["boolean", "null"]
        assert (flag["default"], flag["description"]) == (ALERTS_ON.default, ALERTS_ON.help)


# Sections of both kinds: the loader and the schema must agree on each.
_GOOD_SECTIONS: list[Any] = [
    None, {}, {"group_window_s": 0.1, "return_after_s": 0, "ack_resolved_up_to": 5},
    {"sound": False, "sound_repeat": True, "dwell_s": 3600},
    {"kinds": None}, {"kinds": {"stalled": None}},
    {"kinds": {"stalled": {"grace_s": 3, "priority_offset": 1},
               "offline": {"raise": True, "sound": True}}},
    {"kinds": {"motion": {"priority_offset": -4, "grace_s": 0, "raise": False}}},
]
_BAD_SECTIONS: list[Any] = [
    5, [], {"group_window_s": 0}, {"resolve_after_s": "10"}, {"ack_resolved_up_to": 2.5},
    {"ack_resolved_up_to": 0}, {"sound": "yes"}, {"sound_repeat": None}, {"dwell_s": -1},
    {"return_after_s": 86401}, {"grace_s": 3}, {"kinds": []}, {"kinds": {"smoke": {}}},
    {"kinds": {"stalled": 3}}, {"kinds": {"stalled": {"raises": False}}},
    {"kinds": {"stalled": {"priority_offset": 5}}},
    {"kinds": {"stalled": {"priority_offset": 0.5}}},
    {"kinds": {"stalled": {"grace_s": None}}}, {"kinds": {"frozen": {"sound": 1}}},
]


@pytest.mark.parametrize(("section", "good"), [*((s, True) for s in _GOOD_SECTIONS),
                                               *((s, False) for s in _BAD_SECTIONS)])
def test_loader_and_schema_agree_on_each_section(section: Any, good: bool) -> None:
    document = {"cameras": [{"id": "a", "name": "A", "site": "s", "url": "rtsp://h/a"}],
                "alerts": section}
    check = check_registry(yaml.safe_dump(document), "agree.yaml", environ={})
    schema_errors = _schema_errors(document)
    why = f"loader: {[str(i) for i in check.errors]}\nschema: {schema_errors}"
    assert (check.registry is not None, not schema_errors) == (good, good), why


def test_the_readme_shows_the_defaults() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)
              if b.startswith("alerts:")]
    assert len(blocks) == 1
    assert _rules(blocks[0]) == AlertRules()
    assert "kinds:" in blocks[0] and all(f"    {kind}:" in blocks[0] for kind in ALERT_KINDS)
