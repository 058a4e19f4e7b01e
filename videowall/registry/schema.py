"""The JSON Schema of the camera registry, for editors with a YAML language server.

With the modeline ``# yaml-language-server: $schema=../resources/cameras.schema.json`` at
the top of ``config/cameras.yaml``, an editor completes keys, shows what each one means and
marks wrong values while the technician types. The schema is built from the declarations
the loader (:mod:`videowall.registry.loader`) checks with: the keys of each section and the
settings of :mod:`videowall.registry.settings` with their ranges, defaults and help texts,
so the two cannot drift; the loader stays the judge (it also checks references, duplicates
and the environment).

``videowall cameras schema`` prints it; the committed copy is regenerated with::

    python -m videowall.registry.schema resources/cameras.schema.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from videowall.registry import settings
from videowall.registry.alerts import KIND_FIELDS, default_rule
from videowall.registry.loader import EXTENSION_PREFIX, TOP_KEYS
from videowall.registry.model import WEEKDAYS
from videowall.registry.nodes import COLOUR_PATTERN, ID_RE
from videowall.registry.sections.agencies import AGENCY_KEYS
from videowall.registry.sections.alerts import ALERTS_KEYS, KIND_KEYS
from videowall.registry.sections.cameras import CAMERA_KEYS, CAMERA_REQUIRED
from videowall.registry.sections.credentials import CREDENTIALS_KEYS
from videowall.registry.sections.motion import MOTION_KEYS
from videowall.registry.sections.schedule import END_TIME_PATTERN, SCHEDULE_KEYS, TIME_PATTERN
from videowall.registry.sections.sites import LOCATION_KEYS, SITE_KEYS
from videowall.registry.sections.streams import STREAMS_KEYS
from videowall.registry.sections.zones import FRACTION_RANGE, POLYGON_MIN_POINTS, ZONE_KEYS
from videowall.registry.settings import (
    TEXT_MAX_CHARS,
    URL_MAX_CHARS,
    Choice,
    Flag,
    Number,
    Setting,
)
from videowall.registry.urls import NETWORK_SCHEMES, URL_SCHEMES, VAR_PATTERN

JsonSchema = dict[str, Any]

#: The JSON Schema dialect: the one YAML language servers support best.
DIALECT = "http://json-schema.org/draft-07/schema#"
#: Where the repository keeps the generated schema (the demo registry's modeline names it).
COMMITTED_PATH = Path("resources") / "cameras.schema.json"

def _ref(name: str) -> JsonSchema:
    return {"$ref": f"#/definitions/{name}"}


def _nullable(spec: JsonSchema) -> JsonSchema:
    """``spec`` or null: the loader reads ``key:`` with no value as "not given"."""
    if isinstance(spec.get("type"), str) and "$ref" not in spec:
        out = dict(spec, type=[spec["type"], "null"])
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    notes = {k: v for k, v in spec.items() if k in ("description", "default")}
    rest = {k: v for k, v in spec.items() if k not in notes}
    return {**notes, "anyOf": [rest, {"type": "null"}]}


def _anchored(pattern: str) -> str:
    return f"^{pattern}$"


def _any_case(word: str) -> str:
    """A regular expression for ``word`` in any letter case (JSON Schema has no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _url_pattern() -> str:
    network = [s for s in URL_SCHEMES if s in NETWORK_SCHEMES]
    local = [s for s in URL_SCHEMES if s not in NETWORK_SCHEMES]
    alternatives = [f"(?:{'|'.join(_any_case(s) for s in network)})://\\S+"]
    alternatives += [f"{_any_case(s)}:\\S+" for s in local]
    return "^(?:" + "|".join(alternatives) + ")$"


#: More than white space, and no control character (escapes, line breaks).
_TEXT_PATTERN = "^(?=[\\s\\S]*\\S)[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"


def _text(description: str) -> JsonSchema:
    """A string that must hold more than white space, no control character, and at most
    :data:`~videowall.registry.settings.TEXT_MAX_CHARS` characters."""
    return {"type": "string", "pattern": _TEXT_PATTERN, "maxLength": TEXT_MAX_CHARS,
            "description": description}


def _number(low: float, high: float, description: str, **extra: Any) -> JsonSchema:
    return {"type": "number", "minimum": low, "maximum": high, "description": description,
            **extra}


def _setting(setting: Setting[Any]) -> JsonSchema:
    """The schema of a declared setting: its type, range or choices, default and help."""
    out: JsonSchema
    if isinstance(setting, Choice):
        out = {"enum": list(setting.choices), "type": "string"}
    elif isinstance(setting, Flag):
        out = {"type": "boolean"}
    elif isinstance(setting, Number):
        out = {"type": "integer" if setting.whole else "number",
               "minimum": setting.low, "maximum": setting.high}
    else:
        raise TypeError(f"no schema for {setting!r}")
    if setting.default is not None:
        out["default"] = setting.default
    return {**out, "description": setting.help}


def _object(
    keys: Sequence[str],
    specs: Mapping[str, JsonSchema],
    *,
    required: Sequence[str] = (),
    description: str,
) -> JsonSchema:
    """A mapping with exactly ``keys`` (in the loader's order), each described by ``specs``.

    A key without a spec raises KeyError: a key the loader knows must be in the schema.
    """
    extra = set(specs) - set(keys)
    if extra:
        raise KeyError(f"schema describes keys the loader does not know: {sorted(extra)}")
    out: JsonSchema = {
        "type": "object",
        "description": description,
        "properties": {key: specs[key] for key in keys},
        "additionalProperties": False,
    }
    if required:
        out["required"] = list(required)
    return out


def _definitions() -> dict[str, JsonSchema]:
    low, high = FRACTION_RANGE
    url = {
        "type": "string",
        "pattern": _url_pattern(),
        "maxLength": URL_MAX_CHARS,
        "description": f"Stream URL: {', '.join(URL_SCHEMES)}. Write a password as "
                       "${NAME} (e.g. rtsp://admin:${CAM_PASSWORD}@10.0.0.5:554/stream1) "
                       "and set NAME in the environment.",
    }
    location = _object(LOCATION_KEYS, {
        "lat": _setting(settings.LAT),
        "lon": _setting(settings.LON),
    }, required=LOCATION_KEYS, description="Where it stands.")
    point = {
        "type": "array",
        "description": f"[x, y] in frame coordinates: {low:g},{low:g} is the top left "
                       f"corner, {high:g},{high:g} the bottom right.",
        "items": {"type": "number", "minimum": low, "maximum": high},
        "minItems": 2,
        "maxItems": 2,
    }
    polygon = {
        "type": "array",
        "description": f"A polygon: at least {POLYGON_MIN_POINTS} points [x, y].",
        "items": _ref("point"),
        "minItems": POLYGON_MIN_POINTS,
    }
    window = _object(SCHEDULE_KEYS, {
        "days": _nullable({
            "type": "array",
            "description": "Days the window starts on (default: every day).",
            "items": {"enum": list(WEEKDAYS)},
            "minItems": 1,
            "uniqueItems": True,
            "default": list(WEEKDAYS),
        }),
        "from": {"type": "string", "pattern": _anchored(TIME_PATTERN),
                 "description": "Start, HH:MM (local time). Quote it: \"08:00\"."},
        "to": {"type": "string", "pattern": _anchored(END_TIME_PATTERN),
               "description": "End, HH:MM (local time; up to 24:00). Before the start, the "
                              "window runs past midnight."},
    }, required=("from", "to"), description="A weekly time window.")
    motion = _object(MOTION_KEYS, {
        "enabled": _nullable(_setting(settings.MOTION_ENABLED)),
        # _number, not _setting: the committed schema has their default after the help
        "sensitivity": _nullable(_number(*settings.SENSITIVITY.range, settings.SENSITIVITY.help,
                                         default=settings.SENSITIVITY.default)),
        "min_area": _nullable(_number(*settings.MIN_AREA.range, settings.MIN_AREA.help,
                                      default=settings.MIN_AREA.default)),
        "zones": _nullable({
            "type": "array", "items": {"anyOf": [_ref("polygon"), _ref("zone")]},
            "default": [],
            "description": "Motion counts only inside these polygons (default: the whole "
                           "frame); a zone of kind lane measures a queue instead. A plain "
                           "polygon is named zone1, zone2...; on a camera tagged "
                           f"{settings.TRAFFIC_TAG} it is a lane (lane1...), and no zone "
                           f"makes the whole picture the lane {settings.WHOLE_ROAD_LANE}.",
        }),
        "masks": _nullable({
            "type": "array", "items": _ref("polygon"), "default": [],
            "description": "Motion inside these polygons never counts (clocks, trees, "
                           "screens).",
        }),
        "schedule": _nullable({
            "type": "array", "items": _ref("window"), "default": [],
            "description": "When motion raises alerts (default: always).",
        }),
    }, description="Motion detection of this camera.")
    zone = _object(ZONE_KEYS, {
        "name": _text("Name the zone's events give (unique on the camera)."),
        "kind": _nullable({"enum": list(settings.ZONE_KINDS), "type": "string",
                           "default": settings.ZONE_KINDS[0],
                           "description": "zone: motion inside raises motion events; lane: "
                                          "a stretch of road whose queue raises "
                                          "congestion."}),
        "polygon": _ref("polygon"),
    }, required=("name", "polygon"), description="A named zone or lane.")
    credentials = _object(CREDENTIALS_KEYS, {
        "username": _text("User name, as text or ${NAME} from the environment."),
        "password": {
            "type": "string",
            "pattern": _anchored(VAR_PATTERN),
            "description": "${NAME}: the environment variable that holds the password. "
                           "A password written here is an error.",
        },
    }, required=CREDENTIALS_KEYS,
        description="User name and password the wall puts into the stream URLs.")
    streams = _object(STREAMS_KEYS, {
        "main": dict(url, description="The main stream. " + str(url["description"])),
        "sub": _nullable(dict(url, description="The small stream for grid tiles "
                                               "(optional).")),
    }, required=("main",), description="The camera's streams.")
    camera = _object(CAMERA_KEYS, {
        "id": {"type": "string", "pattern": _anchored(ID_RE.pattern),
               "description": "Stable id: lower-case letters, digits, '_' and '-'. Layouts "
                              "and alerts refer to it."},
        "name": _text("Name operators see."),
        "site": {"type": "string", "pattern": _anchored(ID_RE.pattern),
                 "description": "Id of the road point or building, a key of 'sites'."},
        "agency": _nullable({"type": "string", "pattern": _anchored(ID_RE.pattern),
                             "description": "Id of the owner, a key of 'agencies'."}),
        "url": dict(url, description="The main stream (short for streams: {main: ...}). "
                                     + str(url["description"])),
        "streams": _ref("streams"),
        "backend": _nullable(_setting(settings.BACKEND)),
        "enabled": _nullable(_setting(settings.ENABLED)),
        "location": _nullable(_ref("location")),
        "heading": _nullable(_setting(settings.HEADING)),
        "tags": _nullable({"type": "array", "items": {"type": "string", "pattern": "\\S"},
                           "default": [], "description": "Words to filter by."}),
        "priority": _nullable(_setting(settings.PRIORITY)),
        "credentials": _nullable(_ref("credentials")),
        "motion": _nullable(_ref("motion")),
        "alerts": _nullable(_setting(settings.ALERTS_ON)),
        "watch": _nullable(_setting(settings.WATCH)),
    }, required=CAMERA_REQUIRED, description="One camera.")
    camera["oneOf"] = [{"required": ["url"]}, {"required": ["streams"]}]
    colour = {"type": "string", "pattern": _anchored(COLOUR_PATTERN),
              "description": "Colour as #rrggbb, e.g. #3d8bfd."}
    site = _object(SITE_KEYS, {
        "name": _text("Name operators see."),
        "location": _nullable(_ref("location")),
        "contact": _nullable(_text("Who to call (a phone number, a name).")),
        "colour": _nullable(colour),
    }, required=("name",), description="A road point or a building where cameras stand.")
    agency = _object(AGENCY_KEYS, {
        "name": _text("Name operators see."),
        "colour": _nullable(colour),
        "contact": _nullable(_text("Who to call (a phone number, a name).")),
        "alerts": _nullable(_setting(settings.ALERTS_ON)),
    }, required=("name",), description="The owner of cameras: a department, an agency or a "
                                       "private operator.")
    return {
        "camera": camera, "streams": streams, "credentials": credentials,
        "location": location, "motion": motion, "window": window, "polygon": polygon,
        "zone": zone,
        "point": point, "site": site, "agency": agency,
    }


def _health_schema() -> JsonSchema:
    properties = {s.key: _setting(s) for s in settings.HEALTH_SETTINGS}
    return _object(tuple(properties), properties,
                   description="How the wall judges streams and retries them, for every "
                               "camera of the file.")


def _motion_section_schema() -> JsonSchema:
    properties = {s.key: _setting(s) for s in settings.MOTION_SECTION_SETTINGS}
    return _object(tuple(properties), properties,
                   description="How the wall analyses pictures for motion and queues, for "
                               "every camera of the file.")


def _kind_schema(kind: str) -> JsonSchema:
    """One kind under ``alerts.kinds``, with that kind's own defaults."""
    default = default_rule(kind)
    properties = {
        s.key: dict(_setting(s), default=getattr(default, KIND_FIELDS[s.key]))
        for s in settings.KIND_SETTINGS
    }
    return _object(KIND_KEYS, properties, description=f"What {kind} alerts do.")


def _alerts_schema() -> JsonSchema:
    properties = {s.key: _setting(s) for s in settings.ALERTS_SETTINGS}
    kinds = _object(settings.ALERT_KINDS,
                    {kind: _nullable(_kind_schema(kind)) for kind in settings.ALERT_KINDS},
                    description="What each kind of alert does; a kind not named here, and "
                                "a setting a kind does not give, keep their defaults.")
    return _object(ALERTS_KEYS, {**properties, "kinds": _nullable(kinds)},
                   description="How failures become alerts, for every camera of the file.")


def registry_schema() -> JsonSchema:
    """The JSON Schema of a camera registry file."""
    by_id = {
        "type": "object",
        "propertyNames": {"pattern": _anchored(ID_RE.pattern)},
    }
    top = _object(TOP_KEYS, {
        "cameras": {"type": "array", "items": _ref("camera"),
                    "description": "The cameras, in the order the wall lists them."},
        "sites": _nullable(dict(by_id, additionalProperties=_ref("site"),
                                description="Road points and buildings, by id.")),
        "agencies": _nullable(dict(by_id, additionalProperties=_ref("agency"),
                                   description="Owners of cameras, by id.")),
        "health": _nullable(_ref("health")),
        "alerts": _nullable(_ref("alerts")),
        "motion": _nullable(_ref("motion_section")),
    }, required=("cameras",), description="A videowall camera registry.")
    return {
        "$schema": DIALECT,
        "$comment": "Generated by `videowall cameras schema`; do not edit.",
        "title": "videowall camera registry",
        **top,
        "patternProperties": {f"^{EXTENSION_PREFIX}": {
            "description": "Ignored: a place for YAML anchors (&defaults) to merge with <<.",
        }},
        "definitions": {**_definitions(), "health": _health_schema(),
                        "alerts": _alerts_schema(), "motion_section": _motion_section_schema()},
    }


def schema_json() -> str:
    """:func:`registry_schema` as the text of ``resources/cameras.schema.json``."""
    return json.dumps(registry_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m videowall.registry.schema [FILE]``: print the schema, or write it to FILE."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1:
        print("usage: python -m videowall.registry.schema [FILE]", file=sys.stderr)
        return 2
    if not args:
        sys.stdout.write(schema_json())
        return 0
    path = Path(args[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_json(), encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
